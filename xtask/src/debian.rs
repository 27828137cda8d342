//! Debian packages the tests need, installed with apt-get when missing (CI runs as root).

use std::path::Path;
use std::process::Command;

use crate::run;

/// Make sure `binary` exists, installing Debian's `package` (for `why`) if it does not.
pub fn ensure(binary: &Path, package: &str, why: &str) -> Result<(), String> {
    if binary.is_file() {
        return Ok(());
    }
    eprintln!("xtask: {} is missing: installing Debian's {package} for {why}", binary.display());
    let install = || run(Command::new("apt-get").args(["install", "-y", "--no-install-recommends", package]));
    install()
        .or_else(|_| {
            run(Command::new("apt-get").arg("update"))?;
            install()
        })
        .map_err(|e| format!("{e}; install it with `apt-get install {package}`"))
}
