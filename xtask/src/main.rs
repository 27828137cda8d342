//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `start`  build everything, run sample plugins and the sample release flow (the quick start);
//! - `test`   build the guests and run the whole test suite (what CI runs);
//! - `bench`  build the guests and run the benchmarks;
//! - `guests` build every guest component (standard plugins and test guests).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const WASM_TARGET: &str = "wasm32-wasip2";

/// The plugins `plugins/` ships (the rest of the guest workspace are test guests).
const STANDARD_PLUGINS: [&str; 5] = ["echo", "add", "http-request", "kv", "standin"];

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let rest: Vec<String> = std::env::args().skip(2).collect();
    let result = match task.as_str() {
        "start" => start(),
        "test" => test(&rest),
        "bench" => bench(&rest),
        "guests" => guests(),
        _ => Err(format!("usage: cargo xtask <start|test|bench|guests>, got `{task}`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the repository").to_path_buf()
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root());
    command
}

fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    eprintln!("xtask: {shown}");
    let status = command.status().map_err(|e| format!("cannot run {shown}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} failed with {status}")) }
}

/// Install the wasm target with rustup when it is missing, so a fresh machine needs nothing by hand.
fn ensure_wasm_target() -> Result<(), String> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if sysroot.join("lib/rustlib").join(WASM_TARGET).is_dir() {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

fn guests() -> Result<(), String> {
    ensure_wasm_target()?;
    run(cargo().args(["build", "--release", "--locked", "--target", WASM_TARGET, "--manifest-path", "plugins/Cargo.toml"]))
}

fn test(extra: &[String]) -> Result<(), String> {
    guests()?;
    run(cargo().args(["test", "--workspace", "--locked", "--no-fail-fast"]).args(extra))
}

fn bench(extra: &[String]) -> Result<(), String> {
    guests()?;
    run(cargo().args(["bench", "-p", "scena", "--locked"]).args(extra))
}

fn start() -> Result<(), String> {
    guests()?;
    run(cargo().args(["build", "-p", "scena", "--locked"]))?;
    let scena = root().join("target/debug/scena");
    let wasm = |name: &str| root().join("target").join(WASM_TARGET).join("release").join(format!("{name}.wasm"));
    let data_dir = root().join(".scena");
    let scena_cmd = || {
        let mut command = Command::new(&scena);
        command.env("SCENA_DATA_DIR", &data_dir);
        command
    };
    // The standard plugins, without the test guests built beside them.
    let plugins = data_dir.join("plugins");
    std::fs::create_dir_all(&plugins).map_err(|e| format!("cannot create {}: {e}", plugins.display()))?;
    for name in STANDARD_PLUGINS {
        let to = plugins.join(format!("{}.wasm", name.replace('-', "_")));
        std::fs::copy(wasm(&name.replace('-', "_")), &to).map_err(|e| format!("cannot copy {name}: {e}"))?;
    }
    run(scena_cmd().args(["plugin", "inspect"]).arg(wasm("echo")))?;
    run(scena_cmd().args(["plugin", "run"]).arg(wasm("kv")).args(["--input", r#"{"op":"increment","key":"quick-start-runs"}"#]))?;
    let release = root().join("samples/flows/version-release.json");
    let input = r#"{"version": "1.4.2", "previous_version": "1.4.1", "zones": ["eu-1", "eu-2"]}"#;
    run(scena_cmd().args(["flow", "run"]).arg(&release).arg("--plugins").arg(&plugins).args(["--input", input]))?;
    eprintln!();
    eprintln!("scena is built: the CLI is {}", scena.display());
    eprintln!("standard plugins: {}", plugins.display());
    eprintln!("try: SCENA_DATA_DIR={} {} flow runs", data_dir.display(), scena.display());
    eprintln!("     {} plugin new my-step && {} plugin build my-step", scena.display(), scena.display());
    Ok(())
}
