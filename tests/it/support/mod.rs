//! Helpers for the black-box tests: where the built binary and guest
//! components are, how to run the CLI, and a tiny local HTTP server.

pub mod cluster;
pub mod documented;
pub mod flows;
pub mod forwarder;
pub mod http_fixture;
pub mod prometheus;
pub mod registry;
pub mod server;
pub mod smtp_sink;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo_root().join("target"))
}

/// The compiled-plugin cache every server and command of the tests shares
/// (`SCENA_CACHE_DIR`): each component is compiled once for the whole run,
/// not once per data dir.
pub fn compiled_cache() -> PathBuf {
    target_dir().join("test-compiled")
}

/// A guest component built by `cargo xtask test` (or `cargo xtask guests`).
pub fn guest(name: &str) -> PathBuf {
    let path = target_dir().join("wasm32-wasip2/release").join(format!("{}.wasm", name.replace('-', "_")));
    assert!(path.is_file(), "{} is missing: run `cargo xtask test`, which builds the guests first", path.display());
    path
}

pub fn guest_bytes(name: &str) -> Vec<u8> {
    std::fs::read(guest(name)).unwrap()
}

/// A fresh, empty directory under the target dir, removed at drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = target_dir().join("test-tmp").join(format!("{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The result of one CLI invocation.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }

    /// The one-line reason the CLI prints last on failure.
    pub fn reason(&self) -> &str {
        self.stderr.lines().last().unwrap_or("")
    }
}

impl From<Output> for Ran {
    fn from(output: Output) -> Ran {
        Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `scena ARGS…` with its data kept in `data_dir`.
pub fn scena(data_dir: &Path, args: &[&str]) -> Ran {
    Command::new(env!("CARGO_BIN_EXE_scena"))
        .args(args)
        .env("SCENA_DATA_DIR", data_dir)
        .env("SCENA_CACHE_DIR", compiled_cache())
        .env_remove("SCENA_LOG")
        .output()
        .expect("run the scena binary")
        .into()
}

/// A `plugins/` directory under `dir` holding copies of the named guests; its path.
pub fn plugin_dir(dir: &TempDir, names: &[&str]) -> String {
    let plugins = dir.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    for name in names {
        std::fs::copy(guest(name), plugins.join(format!("{name}.wasm"))).unwrap();
    }
    plugins.display().to_string()
}
