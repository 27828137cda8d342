//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `start`  build everything and start `scena serve` with the standard plugins and sample flows (the quick start);
//! - `test`   build the guests and run the whole test suite (what CI runs);
//! - `bench`  build the guests and run the benchmarks;
//! - `guests` build every guest component (standard plugins and test guests);
//! - `core-wasm` build scena-core for the browser (`target/core-wasm/`);
//! - `studio` build the studio into `studio/dist` (npm ci, the core's wasm, vite), which the binary embeds;
//! - `lint [--no-clippy]` rustfmt, clippy with warnings as errors, and the pure core's dependency tree
//!   (`test` runs clippy inside its build: CI runs `lint --no-clippy`);
//! - `fuzz-api [MAX_EXAMPLES]` schemathesis over the served OpenAPI document; fails on any 5xx.

mod core_wasm;
mod debian;
mod fuzz_api;
mod lint;
mod studio;

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
        "polyglot" => polyglot(),
        "core-wasm" => core_wasm::build(&root()).map(|_| ()),
        "studio" => studio::build(&root()),
        "lint" => lint::all(&rest),
        "fuzz-api" => fuzz_api::fuzz_api(&rest),
        _ => Err(format!(
            "usage: cargo xtask <start|test|bench|guests|polyglot|core-wasm|studio|lint|fuzz-api>, got `{task}`"
        )),
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
    let started = std::time::Instant::now();
    let status = command.status().map_err(|e| format!("cannot run {shown}: {e}"))?;
    // Where CI's minutes go, step by step.
    eprintln!("xtask: {} s for {}", started.elapsed().as_secs(), shown.chars().take(120).collect::<String>());
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

/// The Python and JavaScript plugins (samples and hostile guests) into
/// `target/polyglot-out`, with their toolchains installed once into `target/polyglot`.
fn polyglot() -> Result<(), String> {
    run(&mut polyglot_script())
}

fn polyglot_script() -> Command {
    let mut script = Command::new("bash");
    script.arg(root().join("plugins/polyglot.sh")).arg(root().join("target/polyglot-out"));
    script
}

/// What the tests need besides the guests: the Debian packages they run,
/// the studio, and (for a whole run) every target, linted.
fn build_for_tests(extra: &[String]) -> Result<(), String> {
    // The OCI push and pull tests run against a real registry on loopback.
    debian::ensure(Path::new("/usr/bin/docker-registry"), "docker-registry", "the OCI registry tests")?;
    // The metric gate's tests ask a real Prometheus.
    debian::ensure(Path::new("/usr/bin/prometheus"), "prometheus", "the metric gate tests")?;
    studio::build(&root())?;
    if extra.is_empty() {
        // Every target (benches too) is built, and linted, before any test runs.
        let mut build = cargo();
        build.args(["test", "--workspace", "--locked", "--all-targets", "--no-run"]);
        if std::env::var_os("CI").is_some() {
            // Where the build's minutes go, crate by crate (target/cargo-timings/).
            build.arg("--timings");
        }
        run(lint::with_clippy(&mut build)?)?;
    }
    Ok(())
}

/// `polyglot()` with its output held until it ends, so that it does not
/// interleave with the cargo build it runs beside; shown whole either way.
fn polyglot_quietly() -> Result<(), String> {
    let mut script = polyglot_script();
    // The test run checks the SDKs' own tests too (wrappers against the WIT).
    script.arg("--test-sdks");
    // One plugin at a time (each takes a core and a half): cargo has the rest.
    script.env("SCENA_POLYGLOT_JOBS", "1");
    let shown = format!("{script:?}");
    eprintln!("xtask: {shown} (beside the build; its output follows when it ends)");
    let started = std::time::Instant::now();
    let output = script.output().map_err(|e| format!("cannot run {shown}: {e}"))?;
    eprint!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    eprintln!("xtask: {} s for {shown}", started.elapsed().as_secs());
    if output.status.success() { Ok(()) } else { Err(format!("{shown} failed with {}", output.status)) }
}

/// The local quick start keeps its admin token and the first user's password
/// in the data dir (mode 0600), so restarting the server loses neither; the
/// environment variable wins if set.
fn local_secret(data_dir: &Path, file: &str, env: &str) -> Result<String, String> {
    if let Ok(value) = std::env::var(env) {
        return Ok(value);
    }
    let path = data_dir.join(file);
    if let Ok(value) = std::fs::read_to_string(&path) {
        return Ok(value.trim().to_string());
    }
    let mut random = [0u8; 32];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom").map_err(|e| e.to_string())?, &mut random)
        .map_err(|e| e.to_string())?;
    let value = format!("scena_{}", random.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut handle = options.open(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut handle, value.as_bytes()).map_err(|e| e.to_string())?;
    Ok(value)
}

fn test(extra: &[String]) -> Result<(), String> {
    guests()?;
    // The Python and JavaScript builds use no cargo: they run, one plugin at
    // a time, while cargo builds the studio's core and the tests, and are
    // waited for — whatever happens to the build — before any test runs.
    let polyglot = std::thread::spawn(polyglot_quietly);
    let built = build_for_tests(extra);
    let polyglot = polyglot.join().map_err(|_| "the polyglot build panicked".to_string()).and_then(|built| built);
    built.and(polyglot)?;
    let everything =
        run(lint::with_clippy(&mut cargo())?.args(["test", "--workspace", "--locked", "--no-fail-fast"]).args(extra));
    // The store's own tests run on SQLite and PostgreSQL; the API tests run
    // a second time with their servers on PostgreSQL (nothing is rebuilt).
    let on_postgres = if std::env::var("SCENA_TEST_POSTGRES").as_deref() == Ok("off") || !extra.is_empty() {
        Ok(())
    } else {
        run(lint::with_clippy(&mut cargo())?
            .args(["test", "-p", "scena", "--locked", "--no-fail-fast", "--test", "it", "--", "api::"])
            .env("SCENA_TEST_SERVER_DB", "postgres"))
    };
    // The studio's checks use the binary the tests built (it embeds the studio).
    let on_studio = if extra.is_empty() { studio::test(&root()) } else { Ok(()) };
    everything.and(on_postgres).and(on_studio)
}

fn bench(extra: &[String]) -> Result<(), String> {
    guests()?;
    polyglot()?;
    run(cargo().args(["bench", "-p", "scena", "--locked"]).args(extra))
}

fn start() -> Result<(), String> {
    // The binary embeds the standard plugins and sample flows (runtime/build.rs), so build the guests first.
    guests()?;
    studio::build(&root())?;
    run(cargo().args(["build", "-p", "scena", "--locked"]))?;
    let scena = root().join("target/debug/scena");
    let data_dir = root().join(".scena");
    std::fs::create_dir_all(&data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let listen = std::env::var("SCENA_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let token = local_secret(&data_dir, "admin-token", "SCENA_ADMIN_TOKEN")?;
    let password = local_secret(&data_dir, "admin-password", "SCENA_ADMIN_PASSWORD")?;
    eprintln!();
    eprintln!("scena is built: the CLI is {}", scena.display());
    eprintln!("the studio: open http://{listen}/ and log in as `admin` with password {password}");
    eprintln!("  (kept in {}; the user is made on a fresh data dir only)", data_dir.join("admin-password").display());
    eprintln!("the API, once it listens (admin token kept in {}):", data_dir.join("admin-token").display());
    eprintln!("  curl -H 'Authorization: Bearer {token}' http://{listen}/api/v1/tenants/default/flows");
    eprintln!();
    let mut serve = Command::new(&scena);
    serve
        .current_dir(root())
        .env("SCENA_DATA_DIR", &data_dir)
        .env("SCENA_ADMIN_TOKEN", &token)
        .env("SCENA_ADMIN_PASSWORD", &password);
    serve.args(["serve", "--listen", &listen]);
    run(&mut serve)
}
