//! Uploaded plugins: validated, kept per tenant, yanked.

use serde_json::{Value, json};
use sha2::Digest as _;

use super::*;
use crate::support::guest_bytes;
use crate::support::server::serve_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_plugins_are_validated_kept_per_tenant_and_can_be_yanked() {
    let server = serve_with("api-registry", &["echo"], &[]);
    assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": "blue"}))).await.status, 201);
    let plugins = format!("{}/plugins", tenant("default"));

    let garbage = server.upload("default", b"\0asm not really".to_vec()).await;
    assert_eq!(garbage.status, 422, "{}", garbage.body);
    let reserved = server.upload("default", guest_bytes("echo")).await;
    assert_eq!(reserved.status, 409, "a standard plugin's name: {}", reserved.body);
    let undeclared = server.upload("default", guest_bytes("undeclared-import")).await;
    assert_eq!(undeclared.status, 422, "{}", undeclared.body);
    assert!(
        undeclared.body["error"]["message"].as_str().unwrap().contains("http"),
        "names the import: {}",
        undeclared.body
    );
    let listed = server.admin("GET", &plugins, None).await;
    let uploads = |list: &Value| list["plugins"].as_array().unwrap().iter().filter(|p| p["standard"] == false).count();
    assert_eq!(uploads(&listed.body), 0, "nothing stored: {}", listed.body);

    let uploaded = server.upload("default", guest_bytes("countdown")).await;
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    assert_eq!((uploaded.body["name"].as_str(), uploaded.body["standard"].as_bool()), (Some("countdown"), Some(false)));
    let sha = uploaded.body["sha256"].as_str().unwrap().to_string();
    assert!(server.dir.path().join(format!("plugins/{sha}.wasm")).is_file(), "kept by content");
    assert_eq!(server.upload("default", guest_bytes("countdown")).await.status, 200, "the same bytes again");
    // Other bytes (here: one more custom section) for a version that exists
    // are refused, and leave no file behind.
    let mut other = guest_bytes("countdown");
    let (section, payload) = (b"scena-test".as_slice(), b"other bytes".as_slice());
    other.extend([0, (1 + section.len() + payload.len()) as u8, section.len() as u8]);
    other.extend(section.iter().chain(payload));
    let changed = server.upload("default", other.clone()).await;
    assert_eq!(changed.status, 409, "{}", changed.body);
    assert!(changed.body["error"]["message"].as_str().unwrap().contains("versions never change"), "{}", changed.body);
    let other_sha = hex::encode(sha2::Sha256::digest(&other));
    assert!(!server.dir.path().join(format!("plugins/{other_sha}.wasm")).exists(), "a refused upload leaves no file");
    assert_eq!(compiled_files_of(&other), Vec::<String>::new(), "nor a compiled one");
    assert!(
        !compiled_files_of(&guest_bytes("echo")).is_empty(),
        "the standard plugin refused as an upload keeps its own"
    );
    let versions = server.admin("GET", &format!("{plugins}/countdown"), None).await;
    assert_eq!(versions.body["versions"][0]["version"], "0.1.0");
    let one = server.admin("GET", &format!("{plugins}/countdown/0.1.0"), None).await;
    assert!(one.body["input_schema"]["properties"]["from"].is_object(), "{}", one.body);
    assert_eq!(server.admin("GET", &format!("{plugins}/countdown/9.9.9"), None).await.status, 404);

    // Another tenant does not see it.
    assert_eq!(server.admin("GET", &format!("{}/plugins/countdown", tenant("blue")), None).await.status, 404);
    let blue = server.publish("blue", one_step("count", "countdown", json!({"from": 1}))).await;
    assert!(blue["error"]["details"].to_string().contains("unknown plugin `countdown`"), "{blue}");

    let published = server.publish("default", one_step("count", "countdown", json!({"from": 2}))).await;
    assert_eq!(published["version"], 1, "{published}");
    let run = server.run("default", "count", json!({})).await;
    assert_eq!(run["output"]["result"], json!({"polls": 2}), "{run}");

    let yanked = server.admin("POST", &format!("{plugins}/countdown/0.1.0/yank"), None).await;
    assert_eq!((yanked.status, yanked.body["yanked"].as_bool()), (200, Some(true)), "{}", yanked.body);
    let draft = server
        .admin(
            "PUT",
            &format!("{}/flows/count2/draft", tenant("default")),
            Some(one_step("count2", "countdown", json!({"from": 1}))),
        )
        .await;
    assert!(
        draft.body["problems"].to_string().contains("countdown"),
        "a yanked version does not resolve: {}",
        draft.body
    );
    let after_yank = server.run("default", "count", json!({})).await;
    assert_eq!(after_yank["status"], "failed", "{after_yank}");
    let shown = server.admin("GET", &format!("{plugins}/countdown/0.1.0"), None).await;
    assert_eq!(shown.body["yanked"], true, "still readable");
    assert_eq!(server.admin("POST", &format!("{plugins}/countdown/0.1.0/unyank"), None).await.status, 200);
    assert_eq!(server.run("default", "count", json!({})).await["status"], "succeeded");
    assert_eq!(
        server.admin("POST", &format!("{plugins}/echo/0.1.0/yank"), None).await.status,
        404,
        "standard plugins are not the tenant's to yank"
    );

    // `/metrics` (open here) names no tenant's upload: its calls count as `uploaded`.
    let metrics = server.text("/metrics").await;
    assert!(!metrics.contains("countdown"), "{metrics}");
    assert!(metrics.contains(r#"scena_plugin_call_duration_seconds_count{plugin="uploaded"}"#), "{metrics}");

    // Over the upload limit: 413 in the error shape.
    let huge = server.upload("default", vec![0u8; 33 << 20]).await;
    assert_eq!((huge.status, huge.body["error"]["code"].as_str()), (413, Some("too_large")), "{}", huge.body);
}

/// `bytes` with every `from` replaced by `to` (same length).
fn patched(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut at = 0;
    let mut found = 0;
    while let Some(i) = bytes[at..].windows(from.len()).position(|w| w == from) {
        bytes[at + i..at + i + to.len()].copy_from_slice(to);
        at += i + to.len();
        found += 1;
    }
    assert!(found > 0, "nothing to patch");
    bytes
}

/// The compiled files the servers' cache holds for component `bytes`
/// (named by its sha256; the cache is shared by every test's server).
fn compiled_files_of(bytes: &[u8]) -> Vec<String> {
    use sha2::Digest as _;
    let prefix = format!("{}-", hex::encode(sha2::Sha256::digest(bytes)));
    std::fs::read_dir(crate::support::compiled_cache())
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|name| name.starts_with(&prefix))
        .collect()
}

/// What is not a plugin is refused before it is compiled — 422 with the
/// reason — and leaves no compiled file in the cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_that_are_not_plugins_are_refused_before_compiling_and_leave_nothing_cached() {
    let server = serve_with("api-upload-refused", &["echo"], &[]);
    // A real component whose export is renamed: compiling it would succeed.
    let no_handler = patched(guest_bytes("countdown"), b"scena:plugin/handler@", b"scena:plugin/handlex@");
    let empty_component = b"\0asm\x0d\0\x01\0".to_vec();
    let core_module = b"\0asm\x01\0\0\0".to_vec();
    let unknown_import = patched(guest_bytes("countdown"), b"wasi:cli/exit@", b"evil:cli/exit@");
    for (bytes, reason) in [
        (no_handler, "does not export the `scena:plugin/handler` interface"),
        (empty_component, "does not export the `scena:plugin/handler` interface"),
        (core_module, "core WebAssembly module, not a component"),
        (b"PK\x03\x04 a zip file".to_vec(), "not a WebAssembly file"),
        (b"\0asm\x0d\0\x01\0\x07\xff".to_vec(), "invalid component"),
        (unknown_import, "`evil:cli/exit@"),
    ] {
        let reply = server.upload("default", bytes.clone()).await;
        assert_eq!(reply.status, 422, "{reason}: {}", reply.body);
        assert_eq!(
            compiled_files_of(&bytes),
            Vec::<String>::new(),
            "{reason}: a refused upload leaves no compiled file"
        );
        assert_eq!(reply.body["error"]["code"], "invalid_plugin");
        assert!(reply.body["error"]["message"].as_str().unwrap().contains(reason), "{reason}: {}", reply.body);
    }
    let listed = server.admin("GET", &format!("{}/plugins", tenant("default")), None).await;
    assert!(listed.body["plugins"].as_array().unwrap().iter().all(|p| p["standard"] == true), "{}", listed.body);
}
