//! `cargo xtask lint`: what CI checks before it tests. The code is formatted
//! (`rustfmt.toml`), clippy finds nothing, and the pure core depends on no
//! crate that does I/O.

use std::process::Command;

use crate::{cargo, run};

/// Crates that do I/O or keep time; none may be in `scena-core`'s tree.
const NOT_IN_THE_CORE: [&str; 10] =
    ["tokio", "sqlx", "wasmtime", "axum", "hyper", "reqwest", "rusqlite", "mio", "tower", "cedar-policy"];

pub fn all() -> Result<(), String> {
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]))?;
    core_is_pure()
}

fn core_is_pure() -> Result<(), String> {
    let mut tree = cargo();
    tree.args(["tree", "--locked", "-p", "scena-core", "-e", "normal", "--prefix", "none", "--format", "{p}"]);
    let listed = output(&mut tree)?;
    let found: Vec<&str> = listed
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| NOT_IN_THE_CORE.contains(name))
        .collect();
    if found.is_empty() {
        eprintln!("xtask: scena-core's dependency tree holds none of {}", NOT_IN_THE_CORE.join(", "));
        Ok(())
    } else {
        Err(format!("scena-core must do no I/O, but depends on {}", found.join(", ")))
    }
}

fn output(command: &mut Command) -> Result<String, String> {
    let shown = format!("{command:?}");
    let out = command.output().map_err(|e| format!("cannot run {shown}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{shown} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
