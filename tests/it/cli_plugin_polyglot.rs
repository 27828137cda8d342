//! Plugins in Python and JavaScript: the hostile corpus, built with their
//! SDKs (`plugins/polyglot.sh`, run by `cargo xtask test`), is contained with
//! the same exit codes as in Rust; and one flow passes data from a Rust step
//! to a JS step to a Python step, through `scena flow run` and the server.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::http_fixture::{Fixture, Reply as FixtureReply};
use crate::support::server::serve_with;
use crate::support::{Ran, TempDir, repo_root, scena};

/// A component built by `plugins/polyglot.sh` into `target/polyglot-out`.
pub fn polyglot(group: &str, name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo_root().join("target"));
    let path = target.join("polyglot-out").join(group).join(format!("{name}.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo xtask test`, which builds the Python and JS plugins",
        path.display()
    );
    path
}

/// One data dir per language: each component (12–18 MiB, an interpreter
/// inside) is compiled once and then read from its compiled cache.
fn run(data: &TempDir, group: &str, name: &str, extra: &[&str]) -> Ran {
    let file = polyglot(group, name).display().to_string();
    let mut args = vec!["plugin", "run", file.as_str()];
    if !extra.contains(&"--timeout-ms") {
        args.extend(["--timeout-ms", "1000"]);
    }
    args.extend_from_slice(extra);
    scena(data.path(), &args)
}

/// The corpus's `hostile` component doing `act` with `fields` added to its input.
fn act(data: &TempDir, group: &str, act: &str, fields: Value, flags: &[&str]) -> Ran {
    let mut input = json!({"act": act});
    input.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    let input = input.to_string();
    let mut extra = vec!["--input", input.as_str()];
    extra.extend_from_slice(flags);
    run(data, group, "hostile", &extra)
}

fn hostile_corpus_is_contained(group: &str, recursion: &str) {
    let data = TempDir::new(group);
    let cases: [(&str, Value, &[&str], i32, &str); 7] = [
        ("loop-forever", json!({}), &[], 6, "error: limit: deadline of 1000 ms exceeded"),
        ("alloc-forever", json!({}), &[], 6, "error: limit: memory limit of 64 MiB reached"),
        // CPython overflows the wasm stack; SpiderMonkey stops the recursion itself first.
        ("recurse-forever", json!({}), &[], 6, recursion),
        ("panic", json!({}), &[], 6, "the plugin gave up on purpose"),
        ("huge-output", json!({"megabytes": 3}), &["--memory-mb", "2"], 6, "memory limit of 2 MiB reached"),
        (
            "http-ungranted",
            json!({"url": "http://internal.example/"}),
            &["--allow-http", "*.example.com"],
            3,
            "error: denied: host `internal.example` is not on the HTTP allow-list of tenant `local`",
        ),
        (
            "secret-ungranted",
            json!({"name": "ROOT"}),
            &["--secret", "OTHER=x"],
            3,
            "error: denied: secret `ROOT` is not granted to tenant `local`",
        ),
    ];
    for (name, fields, flags, code, reason) in cases {
        let ran = act(&data, group, name, fields, flags);
        assert_eq!(ran.code, code, "{group}/{name}: {ran:?}");
        assert!(ran.reason().contains(reason), "{group}/{name}: {ran:?}");
        assert!(ran.stdout.is_empty(), "{group}/{name}: {ran:?}");
    }
    let undeclared = run(&data, group, "undeclared-import", &[]);
    assert_eq!(undeclared.code, 1, "{group}: {undeclared:?}");
    assert!(undeclared.reason().contains("does not declare the `http` capability"), "{group}: {undeclared:?}");
    // Handing 8 MB back takes SpiderMonkey over a second: a longer deadline, so the output limit speaks.
    let big =
        act(&data, group, "huge-output", json!({"megabytes": 8}), &["--memory-mb", "128", "--timeout-ms", "30000"]);
    assert_eq!(big.code, 6, "{group}: {big:?}");
    assert!(big.reason().contains("over the limit of 1048576 bytes"), "{group}: {big:?}");
    let leak = act(&data, group, "secret-leak", json!({"name": "TOKEN"}), &["--secret", "TOKEN=s3cr3t-value"]);
    assert_eq!(leak.code, 0, "{group}: {leak:?}");
    assert_eq!(leak.json()["plain"], "[secret]", "{group}: {leak:?}");
    assert!(!leak.stdout.contains("s3cr3t-value") && !leak.stderr.contains("s3cr3t-value"), "{group}: {leak:?}");
    let polled = act(&data, group, "countdown", json!({"from": 3}), &[]);
    assert_eq!(polled.json(), json!({"polls": 3}), "{group}: {polled:?}");
    // Refused by the input schema (JS: exit 2) or by the step itself (Python: exit 5), naming it.
    let unknown = act(&data, group, "fly", json!({}), &[]);
    assert!([2, 5].contains(&unknown.code) && unknown.reason().contains("fly"), "{group}: {unknown:?}");
}

#[test]
fn the_python_hostile_corpus_is_contained_as_in_rust() {
    hostile_corpus_is_contained("guests-python", "stack overflow");
}

#[test]
fn the_javascript_hostile_corpus_is_contained_as_in_rust() {
    hostile_corpus_is_contained("guests-js", "too much recursion");
}

/// The sample `samples/plugins/mixed-languages.json`: start → `add` (Rust) →
/// `json-transform` (TypeScript, filtering by the Rust step's output) →
/// `url-check` (Python, with the JS step's count in its URL) → end.
fn mixed_flow() -> Value {
    let text = std::fs::read_to_string(repo_root().join("samples/plugins/mixed-languages.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn mixed_input(fixture: &Fixture) -> Value {
    json!({"n": 2, "url": fixture.url("/ping"),
           "hosts": [{"name": "a", "rank": 1}, {"name": "b", "rank": 3}, {"name": "c", "rank": 5}]})
}

fn pong() -> Fixture {
    Fixture::start(|_| FixtureReply::json(200, "\"pong\""))
}

#[test]
fn a_flow_of_rust_javascript_and_python_steps_runs_with_scena_flow_run() {
    let dir = TempDir::new("polyglot-flow");
    let plugins = crate::support::plugin_dir(&dir, &["add"]);
    for (group, name) in [("samples", "json-transform"), ("samples", "url-check")] {
        std::fs::copy(polyglot(group, name), PathBuf::from(&plugins).join(format!("{name}.wasm"))).unwrap();
    }
    let flow = dir.path().join("mixed.json");
    std::fs::write(&flow, mixed_flow().to_string()).unwrap();
    let fixture = pong();
    let input = mixed_input(&fixture).to_string();
    let ran = scena(
        dir.path(),
        &["flow", "run", flow.to_str().unwrap(), "--plugins", &plugins, "--input", &input, "--allow-http", "127.0.0.1"],
    );
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json(), json!({"n": 3, "kept": [{"name": "a"}], "ok": true}), "{ran:?}");
    let seen = fixture.seen.lock().unwrap();
    assert_eq!(seen[0].path, "/ping?kept=1", "the JS step's count reached the Python step");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_of_rust_javascript_and_python_steps_runs_on_the_server() {
    let server = serve_with("polyglot-server", &["add"], &[]);
    for name in ["json-transform", "url-check"] {
        let uploaded = server.upload("default", std::fs::read(polyglot("samples", name)).unwrap()).await;
        assert_eq!(uploaded.status, 201, "{name}: {}", uploaded.body);
    }
    let grants = json!({"http": ["127.0.0.1"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    let saved = server.admin("PUT", "/api/v1/tenants/default/flows/mixed-languages/draft", Some(mixed_flow())).await;
    assert_eq!(saved.body["problems"], json!([]), "{}", saved.body);
    assert_eq!(server.admin("POST", "/api/v1/tenants/default/flows/mixed-languages/versions", None).await.status, 201);
    let fixture = pong();
    let body = json!({"input": mixed_input(&fixture)});
    let run =
        server.admin("POST", "/api/v1/tenants/default/flows/mixed-languages/runs?wait_ms=30000", Some(body)).await;
    assert_eq!(run.body["status"], "succeeded", "{}", run.body);
    assert_eq!(run.body["output"], json!({"n": 3, "kept": [{"name": "a"}], "ok": true}));
}
