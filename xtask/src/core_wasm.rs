//! The browser build of scena-core: `runtime/core-wasm` compiled for
//! `wasm32-unknown-unknown`, then given its JavaScript glue (`--target web`:
//! an ES module the studio imports) by `xtask/wasm-bindgen`, a small tool on
//! wasm-bindgen's own library at the exact version of the `wasm-bindgen`
//! crate, as the two must match. It is its own workspace with its own lock
//! file, built once. (Building wasm-bindgen's CLI instead cost CI about two
//! minutes, most of them for its test runner's HTTP and TLS stack.)

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, ensure_target, lint, run};

const TARGET: &str = "wasm32-unknown-unknown";
const BINDGEN: &str = "xtask/wasm-bindgen";

/// Build the package into `target/core-wasm/` and return that directory.
pub fn build(root: &Path) -> Result<PathBuf, String> {
    ensure_target(TARGET)?;
    let bindgen = bindgen(root)?;
    run(cargo().args(["build", "--profile", "browser", "--locked", "--target", TARGET, "-p", "scena-core-wasm"]))?;
    let out = root.join("target/core-wasm");
    let module = root.join("target").join(TARGET).join("browser/scena_core_wasm.wasm");
    run(Command::new(bindgen).arg(&module).arg(&out))?;
    let wasm = out.join("scena_core_wasm_bg.wasm");
    let size = std::fs::metadata(&wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?.len();
    // What a browser downloads, with the server's gzip compression.
    let gzipped = Command::new("gzip").args(["-9", "-c"]).arg(&wasm).output().map(|o| o.stdout.len()).unwrap_or(0);
    eprintln!("xtask: browser core is {} ({} KiB, {} KiB gzipped)", wasm.display(), size / 1024, gzipped / 1024);
    Ok(out)
}

/// Build the glue tool (linted by clippy as it compiles; cargo skips it when
/// nothing changed) after checking that its wasm-bindgen is the core's.
fn bindgen(root: &Path) -> Result<PathBuf, String> {
    let crate_version = locked_version(&root.join("Cargo.lock"), "wasm-bindgen")?;
    let generator = locked_version(&root.join(BINDGEN).join("Cargo.lock"), "wasm-bindgen-cli-support")?;
    if crate_version != generator {
        return Err(format!(
            "the browser core uses wasm-bindgen {crate_version} but {BINDGEN} binds with {generator}: pin both to one version"
        ));
    }
    let manifest = root.join(BINDGEN).join("Cargo.toml");
    run(lint::with_clippy(&mut cargo())?.args(["build", "--release", "--locked", "--manifest-path"]).arg(manifest))?;
    Ok(root.join("target/release/scena-wasm-bindgen"))
}

fn locked_version(lock: &Path, name: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(lock).map_err(|e| format!("cannot read {}: {e}", lock.display()))?;
    let mut lines = text.lines();
    let wanted = format!("name = \"{name}\"");
    while let Some(line) = lines.next() {
        if line == wanted {
            let version = lines.next().and_then(|l| l.strip_prefix("version = \"")).and_then(|l| l.strip_suffix('"'));
            return version.map(str::to_string).ok_or_else(|| format!("{} has no version for {name}", lock.display()));
        }
    }
    Err(format!("{} has no {name}", lock.display()))
}
