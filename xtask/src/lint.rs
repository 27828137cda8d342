//! `cargo xtask lint [--no-clippy]`: the code is formatted (`rustfmt.toml`),
//! clippy finds nothing, and the pure core depends on no crate that does I/O.
//!
//! `cargo xtask test` lints with clippy as it builds ([`with_clippy`]), so
//! CI runs `lint --no-clippy` before it: a separate `cargo clippy` would
//! check every dependency a second time (about 9 of CI's minutes on two cores).

use std::path::PathBuf;
use std::process::Command;

use crate::{cargo, run};

/// Crates that do I/O or keep time; none may be in `scena-core`'s tree.
const NOT_IN_THE_CORE: [&str; 10] =
    ["tokio", "sqlx", "wasmtime", "axum", "hyper", "reqwest", "rusqlite", "mio", "tower", "cedar-policy"];

pub fn all(args: &[String]) -> Result<(), String> {
    let clippy = match args {
        [] => true,
        [flag] if flag == "--no-clippy" => false,
        _ => return Err(format!("usage: cargo xtask lint [--no-clippy], got {args:?}")),
    };
    run(cargo().args(["fmt", "--all", "--check"]))?;
    // The glue tool is a workspace of its own (see core_wasm.rs); its build lints it.
    run(cargo().args(["fmt", "--check", "--manifest-path", "xtask/wasm-bindgen/Cargo.toml"]))?;
    if clippy {
        run(cargo().args(["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]))?;
    }
    core_is_pure()
}

/// Have a cargo build lint the workspace's own crates with clippy while it
/// compiles them, warnings as errors — the lints `cargo clippy` runs, in
/// the same pass as the build (clippy-driver is rustc with clippy's lints,
/// and cargo gives it the workspace's crates only). The same setting must
/// go on every build that shares the target dir, or cargo rebuilds the
/// workspace's crates for the difference.
pub fn with_clippy(command: &mut Command) -> Result<&mut Command, String> {
    let driver = clippy_driver()?;
    // How `cargo clippy` hands its lint flags to the driver.
    Ok(command
        .env("RUSTC_WORKSPACE_WRAPPER", driver)
        .env("CLIPPY_ARGS", "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"))
}

/// clippy-driver of the toolchain that builds (beside its rustc).
fn clippy_driver() -> Result<PathBuf, String> {
    let sysroot = output(Command::new("rustc").args(["--print", "sysroot"]))?;
    let driver = PathBuf::from(sysroot.trim()).join("bin/clippy-driver");
    if driver.is_file() {
        Ok(driver)
    } else {
        Err(format!("{} is missing: install clippy with `rustup component add clippy`", driver.display()))
    }
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
