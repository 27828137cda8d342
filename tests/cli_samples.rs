//! The sample flows in `samples/` validate, and the runnable ones run.

mod support;

use serde_json::json;
use support::{guest, repo_root, scena, TempDir};

fn standard_plugins(dir: &TempDir) -> String {
    let plugins = dir.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    for name in ["echo", "add", "kv", "http-request", "standin"] {
        std::fs::copy(guest(name), plugins.join(format!("{name}.wasm"))).unwrap();
    }
    plugins.display().to_string()
}

fn sample(name: &str) -> String {
    repo_root().join("samples/flows").join(name).display().to_string()
}

#[test]
fn every_sample_validates_against_the_standard_plugins() {
    let dir = TempDir::new("samples-validate");
    let plugins = standard_plugins(&dir);
    for flow in ["version-release.json", "version-release-gray.json"] {
        let ran = scena(dir.path(), &["flow", "validate", &sample(flow), "--plugins", &plugins]);
        assert_eq!(ran.code, 0, "{flow}: {ran:?}");
    }
}

#[test]
fn the_version_release_runs_and_rolls_back_when_verification_fails() {
    let dir = TempDir::new("samples-release");
    let plugins = standard_plugins(&dir);
    let input = json!({"version": "1.4.2", "previous_version": "1.4.1", "zones": ["eu-1", "eu-2"]});
    let ran = scena(dir.path(), &["flow", "run", &sample("version-release.json"), "--plugins", &plugins, "--input", &input.to_string()]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json(), json!({"result": "released", "version": "1.4.2", "zones": ["eu-1", "eu-2"]}));
    assert!(!ran.stderr.contains("rollback: started"), "{ran:?}");

    let mut failing = input.clone();
    failing["fail_verify"] = json!(true);
    let ran = scena(dir.path(), &["flow", "run", &sample("version-release.json"), "--plugins", &plugins, "--input", &failing.to_string()]);
    assert_eq!(ran.code, 0, "{ran:?}");
    let out = ran.json();
    assert_eq!(out["result"], "rolled back");
    assert_eq!(out["version"], "1.4.1");
    assert!(out["reason"].as_str().unwrap().contains("stand-in failure of verify-release"), "{out}");
    assert!(ran.stderr.contains("rollback: done") && ran.stderr.contains("reopen: done"), "{ran:?}");
}

#[test]
fn the_gray_release_is_refused_at_run_start_until_its_node_kinds_exist() {
    let dir = TempDir::new("samples-gray");
    let plugins = standard_plugins(&dir);
    let input = json!({"version": "1.4.2", "hosts": ["h1", "h2"], "zones": ["eu-1"], "ticket": "CHG-1"});
    let ran = scena(dir.path(), &["flow", "run", &sample("version-release-gray.json"), "--plugins", &plugins, "--input", &input.to_string()]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.reason().contains("`batch` nodes cannot run in this version of the engine yet"), "{ran:?}");
}
