//! The studio (`studio/`): installing its npm packages from the lock file,
//! building it into `studio/dist` (which the next cargo build embeds in the
//! binary), and its checks — the typed client against the binary's OpenAPI
//! document, the unit tests, and the journeys in a real Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{core_wasm, run};

fn studio(root: &Path) -> PathBuf {
    root.join("studio")
}

fn npm(root: &Path) -> Command {
    let mut command = Command::new("npm");
    command.current_dir(studio(root));
    command
}

fn npx(root: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("npx");
    command.current_dir(studio(root)).arg("--no-install").args(args);
    command
}

/// `npm ci` when the installed packages are missing or older than the lock file.
fn install(root: &Path) -> Result<(), String> {
    let dir = studio(root);
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let installed = modified(dir.join("node_modules/.package-lock.json"));
    let locked = modified(dir.join("package-lock.json"));
    if installed.is_some() && installed >= locked {
        return Ok(());
    }
    run(npm(root).args(["ci", "--no-audit", "--no-fund"]))
}

/// Build the studio into `studio/dist` (type-checked first), with the core's wasm.
pub fn build(root: &Path) -> Result<(), String> {
    core_wasm::build(root)?;
    install(root)?;
    run(&mut npx(root, &["tsc", "--noEmit", "-p", "."]))?;
    run(&mut npx(root, &["vite", "build", "--emptyOutDir"]))
}

/// The studio's checks against a built `scena` binary: the generated API
/// client is current, the unit tests, and the browser journeys.
pub fn test(root: &Path) -> Result<(), String> {
    let scena = root.join("target/debug/scena");
    let check = run(npm(root).args(["run", "check:api"]).env("SCENA_BIN", &scena));
    let unit = run(&mut npx(root, &["vitest", "run"]));
    let browser = ensure_chromium().and_then(|chromium| {
        run(npm(root).args(["run", "test:browser"]).env("SCENA_BIN", &scena).env("CHROMIUM", chromium))
    });
    check.and(unit).and(browser)
}

/// Debian's Chromium, installed with apt-get when missing.
fn ensure_chromium() -> Result<PathBuf, String> {
    let path = PathBuf::from(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    crate::debian::ensure(&path, "chromium", "the browser tests")
        .map_err(|e| format!("{e}, or set CHROMIUM to its path"))?;
    Ok(path)
}
