//! The browser build of scena-core answers exactly as the native one: every
//! case of `tests/core/corpus.json` (and every sample flow) goes through the
//! `.wasm` the studio loads, run by Node.js, and through the same functions
//! compiled natively; the answers must be the same text.
//!
//! Needs the browser build: `cargo xtask core-wasm` (which `cargo xtask test` runs first).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo_root().join("target"))
}

/// The corpus as requests of exact text, so both builds read the same bytes.
fn requests() -> Vec<Value> {
    let root = repo_root();
    let corpus: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/core/corpus.json")).unwrap()).unwrap();
    let text = |v: &Value| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
    let mut requests: Vec<Value> = corpus
        .iter()
        .map(|case| match case.get("expression") {
            Some(expression) => json!({"name": case["name"], "expression": expression}),
            None => json!({"name": case["name"], "flow": text(&case["flow"]), "plugins": case["plugins"].to_string()}),
        })
        .collect();
    let mut samples: Vec<PathBuf> =
        std::fs::read_dir(root.join("samples/flows")).unwrap().map(|e| e.unwrap().path()).collect();
    samples.sort();
    for path in samples {
        let flow = std::fs::read_to_string(&path).unwrap();
        requests.push(json!({"name": path.display().to_string(), "flow": flow, "plugins": "null"}));
    }
    requests
}

fn native(request: &Value) -> String {
    match request.get("expression") {
        Some(expression) => scena_core_wasm::check_expression_json(expression.as_str().unwrap()),
        None => scena_core_wasm::validate_flow(request["flow"].as_str().unwrap(), request["plugins"].as_str().unwrap()),
    }
}

#[test]
fn the_browser_build_answers_the_corpus_exactly_as_the_native_build() {
    let pkg = target_dir().join("core-wasm");
    assert!(
        pkg.join("scena_core_wasm_bg.wasm").is_file(),
        "no browser build in {}: run `cargo xtask core-wasm` first",
        pkg.display()
    );
    let requests = requests();
    let file = target_dir().join(format!("core-parity-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_string(&requests).unwrap()).unwrap();
    let output = Command::new("node")
        .arg(repo_root().join("tests/core/parity.mjs"))
        .arg(&pkg)
        .arg(&file)
        .output()
        .expect("node runs (Node.js is needed for the studio too)");
    std::fs::remove_file(&file).ok();
    assert!(output.status.success(), "node failed: {}", String::from_utf8_lossy(&output.stderr));
    let browser: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(browser.len(), requests.len());
    let mut problems_seen = 0;
    for (request, browser) in requests.iter().zip(&browser) {
        let native = native(request);
        assert_eq!(&native, browser, "case {}", request["name"]);
        problems_seen += serde_json::from_str::<Value>(&native).unwrap()["problems"].as_array().map_or(0, Vec::len);
    }
    // The corpus is a corpus of problems: answers that found none would prove nothing.
    assert!(problems_seen >= 40, "only {problems_seen} problems found across the corpus");
}

#[test]
fn the_corpus_answers_are_what_the_validator_says() {
    let answer = |name: &str| {
        let request = requests().into_iter().find(|r| r["name"] == name).unwrap();
        serde_json::from_str::<Value>(&native(&request)).unwrap()
    };
    assert_eq!(answer("a valid chain with plugins"), json!({"problems": []}));
    let cycle = answer("cycle").to_string();
    assert!(cycle.contains("part of a cycle"), "{cycle}");
    let schema = answer("literal input violates the schema").to_string();
    assert!(schema.contains("/input/n") && schema.contains("add@0.1.3"), "{schema}");
    let unreadable = answer("an unreadable plugin list is refused");
    assert!(unreadable["error"].as_str().unwrap().contains("plugin list"), "{unreadable}");
    let broken = answer("expression \"inputs.n +\\n  * 2\"");
    assert_eq!(broken["result"], "error");
    assert_eq!(broken["at"]["line"], 2, "{broken}");
}
