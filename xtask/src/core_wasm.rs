//! The browser build of scena-core: `runtime/core-wasm` compiled for
//! `wasm32-unknown-unknown`, then given its JavaScript glue by wasm-bindgen's
//! CLI (`--target web`, an ES module the studio imports). The CLI is built
//! from crates.io into `target/tools` at the exact version of the
//! `wasm-bindgen` crate in Cargo.lock, as the two must match (its own
//! lock file is not used: it pins a dependency version the registry no
//! longer serves).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, ensure_target, run};

const TARGET: &str = "wasm32-unknown-unknown";

/// Build the package into `target/core-wasm/` and return that directory.
pub fn build(root: &Path) -> Result<PathBuf, String> {
    ensure_target(TARGET)?;
    run(cargo().args(["build", "--profile", "browser", "--locked", "--target", TARGET, "-p", "scena-core-wasm"]))?;
    let bindgen = wasm_bindgen_cli(root)?;
    let out = root.join("target/core-wasm");
    let module = root.join("target").join(TARGET).join("browser/scena_core_wasm.wasm");
    run(Command::new(bindgen).args(["--target", "web", "--no-typescript", "--out-dir"]).arg(&out).arg(&module))?;
    let wasm = out.join("scena_core_wasm_bg.wasm");
    let size = std::fs::metadata(&wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?.len();
    // What a browser downloads, with the server's gzip compression.
    let gzipped = Command::new("gzip").args(["-9", "-c"]).arg(&wasm).output().map(|o| o.stdout.len()).unwrap_or(0);
    eprintln!("xtask: browser core is {} ({} KiB, {} KiB gzipped)", wasm.display(), size / 1024, gzipped / 1024);
    Ok(out)
}

fn locked_version(root: &Path) -> Result<String, String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            let version = lines.next().and_then(|l| l.strip_prefix("version = \"")).and_then(|l| l.strip_suffix('"'));
            return version.map(str::to_string).ok_or_else(|| "Cargo.lock has no version for wasm-bindgen".to_string());
        }
    }
    Err("Cargo.lock has no wasm-bindgen".into())
}

fn wasm_bindgen_cli(root: &Path) -> Result<PathBuf, String> {
    let version = locked_version(root)?;
    let tools = root.join("target/tools");
    let bin = tools.join("bin/wasm-bindgen");
    let installed =
        Command::new(&bin).arg("--version").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if installed.is_some_and(|v| v.split_whitespace().nth(1) == Some(version.as_str())) {
        return Ok(bin);
    }
    eprintln!("xtask: building wasm-bindgen-cli {version} from crates.io into {} (once)", tools.display());
    run(cargo().args(["install", "--quiet", "wasm-bindgen-cli", "--version", &version, "--root"]).arg(&tools))?;
    Ok(bin)
}
