//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `start`  build everything and start `scena serve` with the standard plugins and sample flows (the quick start);
//! - `test`   build the guests and run the whole test suite (what CI runs);
//! - `bench`  build the guests and run the benchmarks;
//! - `guests` build every guest component (standard plugins and test guests);
//! - `core-wasm` build scena-core for the browser (`target/core-wasm/`);
//! - `lint`   rustfmt, clippy with warnings as errors, and the pure core's dependency tree;
//! - `fuzz-api [MAX_EXAMPLES]` schemathesis over the served OpenAPI document; fails on any 5xx.

mod core_wasm;
mod fuzz_api;
mod lint;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const WASM_TARGET: &str = "wasm32-wasip2";

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let rest: Vec<String> = std::env::args().skip(2).collect();
    let result = match task.as_str() {
        "start" => start(),
        "test" => test(&rest),
        "bench" => bench(&rest),
        "guests" => guests(),
        "core-wasm" => core_wasm::build(&root()).map(|_| ()),
        "lint" => lint::all(),
        "fuzz-api" => fuzz_api::fuzz_api(&rest),
        _ => Err(format!("usage: cargo xtask <start|test|bench|guests|core-wasm|lint|fuzz-api>, got `{task}`")),
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
    ensure_target(WASM_TARGET)
}

fn ensure_target(target: &str) -> Result<(), String> {
    let sysroot =
        Command::new("rustc").args(["--print", "sysroot"]).output().map_err(|e| format!("cannot run rustc: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if sysroot.join("lib/rustlib").join(target).is_dir() {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", target]))
}

fn guests() -> Result<(), String> {
    ensure_wasm_target()?;
    run(cargo().args([
        "build",
        "--release",
        "--locked",
        "--target",
        WASM_TARGET,
        "--manifest-path",
        "plugins/Cargo.toml",
    ]))
}

/// The local quick start keeps one admin token in the data dir (mode 0600),
/// so restarting the server does not lose it; `SCENA_ADMIN_TOKEN` wins if set.
fn local_admin_token(data_dir: &Path) -> Result<String, String> {
    if let Ok(token) = std::env::var("SCENA_ADMIN_TOKEN") {
        return Ok(token);
    }
    let path = data_dir.join("admin-token");
    if let Ok(token) = std::fs::read_to_string(&path) {
        return Ok(token.trim().to_string());
    }
    let mut random = [0u8; 32];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom").map_err(|e| e.to_string())?, &mut random)
        .map_err(|e| e.to_string())?;
    let token = format!("scena_{}", random.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, token.as_bytes()).map_err(|e| e.to_string())?;
    Ok(token)
}

fn test(extra: &[String]) -> Result<(), String> {
    guests()?;
    core_wasm::build(&root())?;
    let everything = run(cargo().args(["test", "--workspace", "--locked", "--no-fail-fast"]).args(extra));
    // The store's own tests run on SQLite and PostgreSQL; the API tests run
    // a second time with their servers on PostgreSQL (nothing is rebuilt).
    let on_postgres = if std::env::var("SCENA_TEST_POSTGRES").as_deref() == Ok("off") || !extra.is_empty() {
        Ok(())
    } else {
        run(cargo()
            .args(["test", "-p", "scena", "--locked", "--no-fail-fast", "--test", "it", "--", "api::"])
            .env("SCENA_TEST_SERVER_DB", "postgres"))
    };
    everything.and(on_postgres)
}

fn bench(extra: &[String]) -> Result<(), String> {
    guests()?;
    run(cargo().args(["bench", "-p", "scena", "--locked"]).args(extra))
}

fn start() -> Result<(), String> {
    // The binary embeds the standard plugins and sample flows (runtime/build.rs), so build the guests first.
    guests()?;
    run(cargo().args(["build", "-p", "scena", "--locked"]))?;
    let scena = root().join("target/debug/scena");
    let data_dir = root().join(".scena");
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let listen = std::env::var("SCENA_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    eprintln!();
    eprintln!("scena is built: the CLI is {}", scena.display());
    eprintln!("try, once it listens (TOKEN is the admin token below):");
    eprintln!("  curl -H 'Authorization: Bearer TOKEN' http://{listen}/api/v1/tenants/default/flows");
    eprintln!(
        "  curl -H 'Authorization: Bearer TOKEN' -X POST 'http://{listen}/api/v1/tenants/default/flows/version-release/runs?wait_ms=10000' \\"
    );
    eprintln!(
        "       -d '{{\"input\": {{\"version\": \"1.4.2\", \"previous_version\": \"1.4.1\", \"zones\": [\"eu-1\", \"eu-2\"]}}}}'"
    );
    eprintln!();
    let token = local_admin_token(&data_dir)?;
    eprintln!("admin token (kept in {}): {token}", data_dir.join("admin-token").display());
    let mut serve = Command::new(&scena);
    serve.current_dir(root()).env("SCENA_DATA_DIR", &data_dir).env("SCENA_ADMIN_TOKEN", &token);
    serve.args(["serve", "--listen", &listen]);
    run(&mut serve)
}
