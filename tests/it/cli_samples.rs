//! The sample flows in `samples/` validate, and the runnable ones run.

use crate::support::{TempDir, plugin_dir, repo_root, scena};
use serde_json::json;

fn standard_plugins(dir: &TempDir) -> String {
    plugin_dir(
        dir,
        &["echo", "add", "kv", "http-request", "standin", "find-hosts", "run-script", "push-file", "metric-gate"],
    )
}

fn sample(name: &str) -> String {
    repo_root().join("samples/flows").join(name).display().to_string()
}

#[test]
fn every_sample_validates_against_the_standard_plugins() {
    let dir = TempDir::new("samples-validate");
    let plugins = standard_plugins(&dir);
    // Every file of the folder: a sample added is checked without being listed here.
    let mut flows: Vec<String> = std::fs::read_dir(repo_root().join("samples/flows"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    flows.sort();
    assert!(flows.len() >= 6, "{flows:?}");
    for flow in &flows {
        let ran = scena(dir.path(), &["flow", "validate", &sample(flow), "--plugins", &plugins]);
        assert_eq!(ran.code, 0, "{flow}: {ran:?}");
    }
}

#[test]
fn the_version_release_runs_and_rolls_back_when_verification_fails() {
    let dir = TempDir::new("samples-release");
    let plugins = standard_plugins(&dir);
    let input = json!({"version": "1.4.2", "previous_version": "1.4.1", "zones": ["eu-1", "eu-2"]});
    let ran = scena(
        dir.path(),
        &["flow", "run", &sample("version-release.json"), "--plugins", &plugins, "--input", &input.to_string()],
    );
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json(), json!({"result": "released", "version": "1.4.2", "zones": ["eu-1", "eu-2"]}));
    assert!(!ran.stderr.contains("rollback: started"), "{ran:?}");

    let mut failing = input.clone();
    failing["fail_verify"] = json!(true);
    let ran = scena(
        dir.path(),
        &["flow", "run", &sample("version-release.json"), "--plugins", &plugins, "--input", &failing.to_string()],
    );
    assert_eq!(ran.code, 0, "{ran:?}");
    let out = ran.json();
    assert_eq!(out["result"], "rolled back");
    assert_eq!(out["version"], "1.4.1");
    assert!(out["reason"].as_str().unwrap().contains("stand-in failure of verify-release"), "{out}");
    assert!(ran.stderr.contains("rollback: done") && ran.stderr.contains("reopen: done"), "{ran:?}");
}

#[test]
fn the_gray_release_pauses_for_approval_then_rolls_out_the_rest() {
    let dir = TempDir::new("samples-gray");
    let plugins = standard_plugins(&dir);
    let input = json!({"version": "1.4.2", "hosts": ["h1", "h2", "h3", "h4"], "zones": ["eu-1"], "ticket": "CHG-1"});
    let ran = scena(
        dir.path(),
        &["flow", "run", &sample("version-release-gray.json"), "--plugins", &plugins, "--input", &input.to_string()],
    );
    assert_eq!(ran.code, 2, "{ran:?}");
    assert!(ran.stderr.contains("go_ahead: waiting for a decision by role:operator"), "{ran:?}");
    for done in ["gray[0]: done", "gray[1]: done"] {
        assert!(ran.stderr.contains(done), "{done}: {ran:?}");
    }
    assert!(!ran.stderr.contains("gray[2]"), "the gray batches stop at 50 %: {ran:?}");
    let line = ran.stderr.lines().find(|l| l.contains("] started (")).unwrap();
    let id = line.rsplit('(').next().unwrap().trim_end_matches(')');
    let approved = scena(dir.path(), &["flow", "approve", id, "go_ahead", "--by", "rm", "--plugins", &plugins]);
    assert_eq!(approved.code, 0, "{approved:?}");
    assert_eq!(approved.json(), json!({"result": "released"}));
    assert!(approved.stderr.contains("full[0]: done") && approved.stderr.contains("full[1]: done"), "{approved:?}");
    assert!(!approved.stderr.contains("full[2]"), "the full rollout covers only the two hosts left: {approved:?}");
}

#[test]
fn the_gray_release_rolls_back_the_hosts_done_when_a_gray_host_fails() {
    let dir = TempDir::new("samples-gray-rollback");
    let plugins = standard_plugins(&dir);
    let input = json!({"version": "1.4.2", "hosts": ["h1", "h2", "h3", "h4"], "zones": ["eu-1"], "ticket": "CHG-1", "unhealthy": ["h2"]});
    let ran = scena(
        dir.path(),
        &["flow", "run", &sample("version-release-gray.json"), "--plugins", &plugins, "--input", &input.to_string()],
    );
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json(), json!({"result": "rolled back"}));
    assert!(
        ran.stderr.contains("rollback[0]: done") && !ran.stderr.contains("rollback[1]"),
        "only h1 was done: {ran:?}"
    );
    assert!(!ran.stderr.contains("go_ahead"), "{ran:?}");
}
