//! `scena plugin inspect` and `scena plugin run`, through the binary: outputs,
//! exit codes and the one-line reasons, for good plugins and bad input.

use crate::support::{TempDir, guest, scena};
use serde_json::json;

fn path(name: &str) -> String {
    guest(name).display().to_string()
}

#[test]
fn inspect_prints_the_declaration_as_one_json_object() {
    let data = TempDir::new("inspect");
    let ran = scena(data.path(), &["plugin", "inspect", &path("http-request")]);
    assert_eq!(ran.code, 0, "{ran:?}");
    let info = ran.json();
    assert_eq!(info["name"], "http-request");
    assert_eq!(info["version"], "0.1.0");
    assert_eq!(info["category"], "net");
    assert_eq!(info["capabilities"], json!(["log", "http"]));
    assert_eq!(info["input_schema"]["required"], json!(["url"]));
    assert!(info["output_schema"]["properties"]["status"].is_object());
    let imports: Vec<&str> = info["imports"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(imports.contains(&"scena:plugin/http@0.1.2"), "{imports:?}");
    assert!(!imports.iter().any(|i| i.starts_with("scena:plugin/kv")), "{imports:?}");
    assert_eq!(info["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(info["size_bytes"], std::fs::metadata(guest("http-request")).unwrap().len());
    for key in ["title", "description"] {
        assert!(!info[key].as_str().unwrap().is_empty(), "{key}");
    }
}

#[test]
fn echo_returns_its_input() {
    let data = TempDir::new("echo");
    let input = r#"{"n": 1, "nested": {"list": [1, "two", null]}}"#;
    let ran = scena(data.path(), &["plugin", "run", &path("echo"), "--input", input]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json(), serde_json::from_str::<serde_json::Value>(input).unwrap());
}

#[test]
fn input_that_fails_the_schema_exits_2_naming_the_json_path() {
    let data = TempDir::new("schema");
    let ran = scena(data.path(), &["plugin", "run", &path("kv"), "--input", r#"{"op": "explode", "key": "a"}"#]);
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.reason().starts_with("error: invalid input"), "{ran:?}");
    assert!(ran.reason().contains("/op"), "{ran:?}");
    assert!(ran.stdout.is_empty());

    let ran = scena(data.path(), &["plugin", "run", &path("http-request"), "--input", r#"{"method": "GET"}"#]);
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.reason().contains("\"url\" is a required property"), "{ran:?}");
}

#[test]
fn a_step_that_refuses_its_input_exits_2() {
    let data = TempDir::new("refuse");
    // Valid against the schema, refused by the plugin's own logic.
    let ran = scena(data.path(), &["plugin", "run", &path("kv"), "--input", r#"{"op": "set", "key": "a"}"#]);
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.reason().contains("`value` is required for set"), "{ran:?}");
}

#[test]
fn files_that_are_not_plugins_exit_1_with_the_reason() {
    let data = TempDir::new("badfiles");
    let dir = TempDir::new("badfiles-in");
    let text = dir.path().join("notes.wasm");
    std::fs::write(&text, "hello").unwrap();
    let core = dir.path().join("core.wasm");
    std::fs::write(&core, b"\0asm\x01\0\0\0").unwrap();
    let truncated = dir.path().join("truncated.wasm");
    std::fs::write(&truncated, &std::fs::read(guest("echo")).unwrap()[..4096]).unwrap();
    let empty_component = dir.path().join("empty.wasm");
    std::fs::write(&empty_component, b"\0asm\x0d\0\x01\0").unwrap();

    let cases = [
        (
            empty_component.display().to_string(),
            "not a scena plugin: it does not export the `scena:plugin/handler` interface",
        ),
        (text.display().to_string(), "not a WebAssembly file"),
        (core.display().to_string(), "core WebAssembly module, not a component"),
        (truncated.display().to_string(), "invalid component"),
        (dir.path().join("missing.wasm").display().to_string(), "cannot read"),
    ];
    // A cache of its own (the tests' shared one is written by others meanwhile).
    let cache = data.path().join("cache").display().to_string();
    for (file, reason) in cases {
        for command in ["run", "inspect"] {
            let ran = scena(data.path(), &["plugin", command, &file, "--cache-dir", &cache]);
            assert_eq!(ran.code, 1, "{command} {file}: {ran:?}");
            assert!(ran.reason().contains(reason), "{command} {file}: {ran:?}");
            assert!(ran.stdout.is_empty());
        }
        assert!(
            !data.path().join("cache").exists()
                || std::fs::read_dir(data.path().join("cache")).unwrap().next().is_none(),
            "{file}: nothing cached"
        );
    }
}

#[test]
fn usage_mistakes_exit_1_and_run_nothing() {
    let data = TempDir::new("usage");
    let echo = path("echo");
    let cases: [(&[&str], &str); 6] = [
        (&["--input", "{not json"], "--input is not valid JSON"),
        (&["--memory-mb", "0"], "--memory-mb must be between"),
        (&["--timeout-ms", "0"], "--timeout-ms must be at least 1"),
        (&["--allow-http", "exa mple.com"], "invalid host pattern"),
        (&["--secret", "NOVALUE"], "NAME=VALUE"),
        (&["--input", "@/nonexistent/input.json"], "cannot read input file"),
    ];
    for (extra, reason) in cases {
        let mut args = vec!["plugin", "run", echo.as_str()];
        args.extend_from_slice(extra);
        let ran = scena(data.path(), &args);
        assert_eq!(ran.code, 1, "{extra:?}: {ran:?}");
        assert!(ran.reason().contains(reason), "{extra:?}: {ran:?}");
    }
}

#[test]
fn input_can_be_read_from_a_file() {
    let data = TempDir::new("inputfile");
    let file = data.path().join("input.json");
    std::fs::write(&file, r#"{"from": "file"}"#).unwrap();
    let ran = scena(data.path(), &["plugin", "run", &path("echo"), "--input", &format!("@{}", file.display())]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json(), json!({"from": "file"}));
}

#[test]
fn pending_steps_are_polled_until_done() {
    let data = TempDir::new("pending");
    let ran = scena(data.path(), &["plugin", "run", &path("countdown"), "--input", r#"{"from": 3, "every_ms": 10}"#]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json(), json!({"polls": 3}));
    assert_eq!(ran.stderr.matches("pending; polling again in 10 ms").count(), 3, "{ran:?}");
    for left in ["3 left", "2 left", "1 left", "0 left"] {
        assert!(ran.stderr.contains(left), "{left}: {ran:?}");
    }
}

#[test]
fn plugin_logs_and_atom_calls_go_to_stderr_not_stdout() {
    let data = TempDir::new("logs");
    let ran = scena(data.path(), &["plugin", "run", &path("kv"), "--input", r#"{"op": "increment", "key": "c"}"#]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(ran.stderr.contains("[atom] kv increment c by 1 -> ok"), "{ran:?}");
    assert_eq!(ran.json(), json!({"value": 1}));
}

#[test]
fn a_plugin_built_against_the_published_wit_0_1_0_still_loads_and_calls_its_atoms() {
    // The host serves `scena:plugin@0.1.2`, whose `job` gained `push-file` (0.1.1) and `start-at` (0.1.2).
    let data = TempDir::new("wit-0-1-0");
    let inspected = scena(data.path(), &["plugin", "inspect", &path("wit-0-1-0")]);
    assert_eq!(inspected.code, 0, "{inspected:?}");
    let info = inspected.json();
    let imports: Vec<&str> = info["imports"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(imports.contains(&"scena:plugin/job@0.1.0") && imports.contains(&"scena:plugin/log@0.1.0"), "{imports:?}");
    let ran = scena(data.path(), &["plugin", "run", &path("wit-0-1-0"), "--input", "{}"]);
    assert_eq!(ran.code, 0, "{ran:?}");
    // The call reached the host's `job` atom, which has no agents outside a server.
    let answer = ran.json()["job"].as_str().unwrap().to_string();
    assert!(answer.contains("Unavailable") && answer.contains("no agents"), "{answer}");
    assert!(ran.stderr.contains("built against scena:plugin@0.1.0"), "{ran:?}");
}
