//! Hostile plugins against the sandbox API, all in one process: each is
//! stopped or refused with the right failure, within its deadline plus one
//! second, and the very next `echo` call in the same sandbox still works.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::guest_bytes;
use scena::atoms::Grants;
use scena::sandbox::{
    CallRequest, Entry, LimitKind, Limits, Outcome, Sandbox, SandboxConfig, StepContext, StepFailure,
};
use serde_json::{Value, json};

const DEADLINE: Duration = Duration::from_millis(1500);

fn request(input: Value) -> CallRequest {
    CallRequest {
        context: StepContext { tenant: "acme".into(), attempt: 1, ..Default::default() },
        entry: Entry::Run(input),
        grants: Arc::new(Grants::default()),
        limits: Limits { deadline: DEADLINE, ..Limits::default() },
    }
}

async fn echo_still_works(sandbox: &Sandbox, after: &str) {
    let echo = sandbox.load(&guest_bytes("echo")).await.unwrap();
    let report = sandbox.call(&echo, request(json!({"after": after}))).await;
    assert_eq!(report.result, Ok(Outcome::Done { output: json!({"after": after}) }), "echo after {after}");
}

/// Run `guest` with `input`; return the failure, checking the time it took.
async fn failure_of(sandbox: &Sandbox, guest: &str, input: Value) -> StepFailure {
    let plugin = sandbox.load(&guest_bytes(guest)).await.unwrap();
    let started = Instant::now();
    let report = sandbox.call(&plugin, request(input)).await;
    let took = started.elapsed();
    assert!(took < DEADLINE + Duration::from_secs(1), "{guest} took {took:?}");
    let failure = report.result.expect_err(guest);
    assert!(report.kv.is_empty(), "{guest}: a failed call must not leave kv writes");
    echo_still_works(sandbox, guest).await;
    failure
}

fn sandbox() -> Sandbox {
    Sandbox::new(SandboxConfig::default()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_loop_is_stopped_at_the_deadline() {
    let sandbox = sandbox();
    let failure = failure_of(&sandbox, "loop-forever", json!({})).await;
    assert_eq!(failure, StepFailure::Limit(LimitKind::Deadline, "deadline of 1500 ms exceeded".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_allocation_hits_the_memory_limit() {
    let sandbox = sandbox();
    let failure = failure_of(&sandbox, "alloc-forever", json!({})).await;
    assert_eq!(failure, StepFailure::Limit(LimitKind::Memory, "memory limit of 64 MiB reached".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_recursion_exhausts_the_stack() {
    let sandbox = sandbox();
    let failure = failure_of(&sandbox, "recurse-forever", json!({})).await;
    assert!(matches!(failure, StepFailure::Limit(LimitKind::Stack, _)), "{failure:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_is_a_trap_that_keeps_the_panic_message() {
    let sandbox = sandbox();
    let failure = failure_of(&sandbox, "panic", json!({})).await;
    assert!(matches!(failure, StepFailure::Limit(LimitKind::Trap, _)), "{failure:?}");
    assert!(failure.message().contains("the plugin gave up on purpose"), "{failure:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn megabytes_of_output_are_refused() {
    let sandbox = sandbox();
    let failure = failure_of(&sandbox, "huge-output", json!({"megabytes": 8})).await;
    assert!(matches!(failure, StepFailure::Limit(LimitKind::Output, _)), "{failure:?}");
    assert!(failure.message().contains("over the limit of 1048576 bytes"), "{failure:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_stdout_is_captured_bounded_and_the_step_finishes() {
    let sandbox = sandbox();
    let plugin = sandbox.load(&guest_bytes("noisy")).await.unwrap();
    let report = sandbox.call(&plugin, request(json!({"megabytes": 4}))).await;
    assert_eq!(report.result, Ok(Outcome::Done { output: json!({"finished": true}) }));
    let kept: usize = report.logs.iter().map(|l| l.message.len()).sum();
    assert!(kept < 256 << 10, "kept {kept} bytes of logs");
    assert!(report.logs.iter().any(|l| l.message.contains("more bytes of output were dropped")));
    echo_still_works(&sandbox, "noisy").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undeclared_atom_import_is_refused_at_load() {
    let sandbox = sandbox();
    let error = sandbox.load(&guest_bytes("undeclared-import")).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "plugin `undeclared-import` imports the `http` atom (scena:plugin/http@0.1.2) but does not declare the `http` capability"
    );
    echo_still_works(&sandbox, "undeclared-import").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_to_a_host_not_granted_is_denied() {
    let sandbox = sandbox();
    let failure =
        failure_of(&sandbox, "http-ungranted", json!({"url": "http://169.254.169.254/latest/meta-data/"})).await;
    assert_eq!(
        failure,
        StepFailure::Denied("host `169.254.169.254` is not on the HTTP allow-list of tenant `acme`".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_secret_not_granted_is_denied() {
    let sandbox = sandbox();
    let failure = failure_of(&sandbox, "secret-ungranted", json!({"name": "ROOT_PASSWORD"})).await;
    assert_eq!(failure, StepFailure::Denied("secret `ROOT_PASSWORD` is not granted to tenant `acme`".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kv_without_a_store_is_unavailable_not_a_crash() {
    let sandbox = sandbox();
    let failure = failure_of(&sandbox, "kv", json!({"op": "get", "key": "k"})).await;
    assert_eq!(failure, StepFailure::Fatal("the kv atom has no store in this runtime".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_limit_is_per_call() {
    let sandbox = sandbox();
    let plugin = sandbox.load(&guest_bytes("huge-output")).await.unwrap();
    // 8 MiB of output needs more than 4 MiB of memory to build.
    let mut small = request(json!({"megabytes": 8}));
    small.limits.memory_bytes = 4 << 20;
    small.limits.max_output_bytes = 64 << 20;
    let failure = sandbox.call(&plugin, small).await.result.unwrap_err();
    assert!(matches!(failure, StepFailure::Limit(LimitKind::Memory, _)), "{failure:?}");
    let mut roomy = request(json!({"megabytes": 8}));
    roomy.limits.max_output_bytes = 64 << 20;
    assert!(sandbox.call(&plugin, roomy).await.result.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_calls_in_parallel_do_not_disturb_each_other() {
    let sandbox = Arc::new(sandbox());
    let spinner = sandbox.load(&guest_bytes("loop-forever")).await.unwrap();
    let echo = sandbox.load(&guest_bytes("echo")).await.unwrap();
    let spinning = {
        let (sandbox, spinner) = (sandbox.clone(), spinner.clone());
        tokio::spawn(async move { sandbox.call(&spinner, request(json!({}))).await })
    };
    // While one plugin spins, others on the same runtime keep completing.
    for i in 0..20 {
        let report = sandbox.call(&echo, request(json!({"i": i}))).await;
        assert_eq!(report.result, Ok(Outcome::Done { output: json!({"i": i}) }));
    }
    let spun = spinning.await.unwrap();
    assert!(matches!(spun.result, Err(StepFailure::Limit(LimitKind::Deadline, _))));
}
