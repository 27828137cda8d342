//! `cargo xtask bench` (or `cargo bench -p scena --bench sandbox`): the cost of
//! one `echo` step through scena's sandbox with a fresh instance, with a
//! reused instance, and the bare-wasmtime floor (same engine, instantiate +
//! call, none of scena's layers), so scena's overhead is a ratio anyone can rerun.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scena::atoms::Grants;
use scena::bindings::{StepPre, wit};
use scena::sandbox::{CallRequest, Entry, Limits, Outcome, Sandbox, SandboxConfig, StepContext, WarmInstance};
use serde_json::json;
use wasmtime::Store;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

const WARMUP: usize = 300;
const SAMPLES: usize = 3000;

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

fn echo_component() -> Vec<u8> {
    let path = target_dir().join("wasm32-wasip2/release/echo.wasm");
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask bench`, which builds it)", path.display()))
}

struct Stats {
    median: Duration,
    p90: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    Stats { median: samples[samples.len() / 2], p90: samples[samples.len() * 9 / 10] }
}

/// Time `$body` SAMPLES times after WARMUP untimed runs.
macro_rules! measure {
    ($body:expr) => {{
        let mut samples = Vec::with_capacity(SAMPLES);
        for i in 0..WARMUP + SAMPLES {
            let started = Instant::now();
            $body;
            if i >= WARMUP {
                samples.push(started.elapsed());
            }
        }
        stats(samples)
    }};
}

struct Bare {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Bare {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let bytes = echo_component();
    // Compiled components are cached as the server caches them: a rerun
    // spends no time in Cranelift.
    let cache_dir = Some(target_dir().join("bench-compiled"));
    let sandbox = Sandbox::new(SandboxConfig { cache_dir, ..SandboxConfig::default() }).expect("sandbox");
    let plugin = sandbox.load(&bytes).await.expect("echo loads");
    let input = json!({"n": 1});
    let request = CallRequest {
        context: StepContext { tenant: "bench".into(), attempt: 1, ..Default::default() },
        entry: Entry::Run(input.clone()),
        grants: Arc::new(Grants::default()),
        limits: Limits::default(),
    };

    let fresh = measure!({
        let report = sandbox.call(&plugin, request.clone()).await;
        assert_eq!(report.result, Ok(Outcome::Done { output: json!({"n": 1}) }));
    });

    let mut warm = WarmInstance::new(&sandbox, &plugin, Arc::new(Grants::default())).await.expect("warm instance");
    let warm_stats = measure!({
        let out = warm.call(&request.context, &request.entry).await.expect("warm call");
        assert_eq!(out.as_deref(), Ok(r#"{"n":1}"#));
    });

    // The floor: the same engine and component, a plain WASI store, no limits,
    // no atoms, no validation, no capture.
    let component = sandbox.compile_bare(&bytes).expect("compile");
    let mut linker = Linker::<Bare>::new(sandbox.engine());
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("wasi");
    let pre = StepPre::new(linker.instantiate_pre(&component).expect("instantiate_pre")).expect("step exports");
    let context = wit::Context {
        tenant: "bench".into(),
        run_id: String::new(),
        node_id: String::new(),
        attempt: 1,
        idempotency_key: String::new(),
    };
    let input_text = input.to_string();
    let bare = measure!({
        let mut store =
            Store::new(sandbox.engine(), Bare { wasi: WasiCtx::builder().build(), table: ResourceTable::new() });
        store.set_epoch_deadline(1 << 40);
        let instance = pre.instantiate_async(&mut store).await.expect("instantiate");
        let out = instance.scena_plugin_handler().call_run(&mut store, &context, &input_text).await.expect("call");
        assert!(matches!(out, Ok(wit::Outcome::Done(ref text)) if text == r#"{"n":1}"#));
    });

    println!("scena sandbox benchmark: `echo` with input {input}, {SAMPLES} calls each after {WARMUP} warm-up calls");
    println!(
        "  fresh instance through scena   median {:>8.1} µs   p90 {:>8.1} µs",
        micros(fresh.median),
        micros(fresh.p90)
    );
    println!(
        "  reused (warm) instance         median {:>8.1} µs   p90 {:>8.1} µs",
        micros(warm_stats.median),
        micros(warm_stats.p90)
    );
    println!(
        "  bare wasmtime instantiate+call median {:>8.1} µs   p90 {:>8.1} µs",
        micros(bare.median),
        micros(bare.p90)
    );
    println!("  scena overhead: fresh / bare = {:.2}x", fresh.median.as_secs_f64() / bare.median.as_secs_f64());
    by_language(&sandbox).await;
}

/// The same step (`countdown` from 0: one log line, done) written in Rust,
/// Python and TypeScript (there, the `countdown` act of the hostile corpus's
/// component; the Rust guest ignores `act`): each component's size and the
/// median of one call with a fresh instance, next to Rust's, measured in the
/// same run.
async fn by_language(sandbox: &Sandbox) {
    const SAMPLES: usize = 300;
    const WARMUP: usize = 30;
    let target = target_dir();
    let components = [
        ("Rust", target.join("wasm32-wasip2/release/countdown.wasm")),
        ("Python", target.join("polyglot-out/guests-python/hostile.wasm")),
        ("JavaScript", target.join("polyglot-out/guests-js/hostile.wasm")),
    ];
    println!(
        "per language: `countdown` from 0 with a fresh instance, {SAMPLES} calls each after {WARMUP} warm-up calls"
    );
    let mut rust_median = None;
    for (language, path) in components {
        let Ok(bytes) = std::fs::read(&path) else {
            println!("  {language:<10} {} missing (`cargo xtask bench` builds it)", path.display());
            continue;
        };
        let plugin = sandbox.load(&bytes).await.unwrap_or_else(|e| panic!("{language} countdown loads: {e}"));
        let request = CallRequest {
            context: StepContext { tenant: "bench".into(), attempt: 1, ..Default::default() },
            entry: Entry::Run(json!({"act": "countdown", "from": 0})),
            grants: Arc::new(Grants::default()),
            limits: Limits::default(),
        };
        let mut samples = Vec::with_capacity(SAMPLES);
        let mut faults_before = 0;
        for i in 0..WARMUP + SAMPLES {
            if i == WARMUP {
                faults_before = minor_faults();
            }
            let started = Instant::now();
            let report = sandbox.call(&plugin, request.clone()).await;
            assert_eq!(report.result, Ok(Outcome::Done { output: json!({"polls": 0}) }), "{language}");
            if i >= WARMUP {
                samples.push(started.elapsed());
            }
        }
        let faults = (minor_faults() - faults_before) / SAMPLES as u64;
        let measured = stats(samples);
        // The same call on an instance kept alive: what the language itself
        // costs, apart from making and clearing an instance.
        let mut warm = WarmInstance::new(sandbox, &plugin, Arc::new(Grants::default())).await.expect("warm instance");
        let mut reused = Vec::with_capacity(SAMPLES);
        for i in 0..WARMUP + SAMPLES {
            let started = Instant::now();
            let out = warm.call(&request.context, &request.entry).await.expect("warm call");
            assert_eq!(out.as_deref(), Ok(r#"{"polls":0}"#), "{language}");
            if i >= WARMUP {
                reused.push(started.elapsed());
            }
        }
        let reused = stats(reused);
        let ratio = match rust_median {
            None => {
                rust_median = Some(measured.median);
                String::from("(the reference)")
            }
            Some(rust) => format!("{:.1}x Rust's", measured.median.as_secs_f64() / rust.as_secs_f64()),
        };
        println!(
            "  {language:<10} {:>8} KiB   median {:>8.1} µs   p90 {:>8.1} µs   {ratio}   page faults per call {faults:>5}   reused instance: median {:>7.1} µs",
            bytes.len() / 1024,
            micros(measured.median),
            micros(measured.p90),
            micros(reused.median)
        );
    }
}

/// The page faults this process has taken that needed no disk read: each
/// first touch of a page of a fresh instance's memory is one.
fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    fields.get(7).and_then(|f| f.parse().ok()).unwrap_or(0)
}
