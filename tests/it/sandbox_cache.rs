//! Compiled plugins are cached on disk and survive a corrupted cache file.

use std::sync::Arc;

use crate::support::{TempDir, guest_bytes};
use scena::atoms::Grants;
use scena::sandbox::{CallRequest, Entry, Limits, Outcome, Sandbox, SandboxConfig, StepContext};
use serde_json::json;

fn cached_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default()
}

async fn echo_once(cache: &std::path::Path) -> Result<Outcome, String> {
    let sandbox = Sandbox::new(SandboxConfig { cache_dir: Some(cache.to_path_buf()), ..Default::default() }).unwrap();
    let plugin = sandbox.load(&guest_bytes("echo")).await.map_err(|e| e.to_string())?;
    let request = CallRequest {
        context: StepContext::default(),
        entry: Entry::Run(json!([1, 2])),
        grants: Arc::new(Grants::default()),
        limits: Limits::default(),
    };
    sandbox.call(&plugin, request).await.result.map_err(|e| e.to_string())
}

#[tokio::test]
async fn compiled_components_are_cached_and_a_corrupt_cache_is_recompiled() {
    let cache = TempDir::new("artifact-cache");
    assert_eq!(echo_once(cache.path()).await, Ok(Outcome::Done { output: json!([1, 2]) }));
    let files = cached_files(cache.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(name.ends_with(".cwasm") && name.len() > 64, "{name}");

    // A second sandbox loads from the cache.
    assert_eq!(echo_once(cache.path()).await, Ok(Outcome::Done { output: json!([1, 2]) }));

    // Garbage in the cache is discarded and replaced, never trusted.
    std::fs::write(&files[0], b"not a compiled component").unwrap();
    assert_eq!(echo_once(cache.path()).await, Ok(Outcome::Done { output: json!([1, 2]) }));
    assert!(std::fs::metadata(&files[0]).unwrap().len() > 1000);
}

/// A compile past its budget is refused, and the compile — which cannot be
/// stopped — writes nothing to the cache when it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compile_past_its_budget_is_refused_and_leaves_nothing_cached() {
    let cache = TempDir::new("artifact-budget");
    let config = SandboxConfig {
        cache_dir: Some(cache.path().to_path_buf()),
        compile_budget: Some(std::time::Duration::from_nanos(1)),
        ..Default::default()
    };
    let sandbox = Sandbox::new(config).unwrap();
    let error = sandbox.load(&guest_bytes("echo")).await.unwrap_err().to_string();
    assert!(error.contains("did not compile within"), "{error}");
    sandbox.compiles_settled().await;
    assert_eq!(cached_files(cache.path()), Vec::<std::path::PathBuf>::new());
}
