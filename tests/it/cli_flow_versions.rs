//! Flow versions through the CLI: publish freezes numbered versions with a
//! content hash, runs of a published flow pin their version, diff shows what changed.

use crate::support::{TempDir, plugin_dir, scena};
use serde_json::{Value, json};

fn flow(greeting: &str) -> Value {
    json!({
        "name": "greet",
        "nodes": [
            {"id": "start", "kind": "start"},
            {"id": "say", "kind": "step", "plugin": "echo", "input": {"text": greeting}},
            {"id": "end", "kind": "end", "output": {"said": "${steps.say.output.text}", "version": "${run.version}"}}
        ],
        "edges": [{"from": "start", "to": "say"}, {"from": "say", "to": "end"}]
    })
}

fn write(dir: &TempDir, name: &str, value: &Value) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path.display().to_string()
}

#[test]
fn publishing_freezes_versions_that_runs_pin() {
    let dir = TempDir::new("versions");
    let plugins = plugin_dir(&dir, &["echo"]);

    let v1 = scena(dir.path(), &["flow", "publish", &write(&dir, "v1.json", &flow("hello")), "--plugins", &plugins]);
    assert_eq!(v1.code, 0, "{v1:?}");
    let v1 = v1.json();
    assert_eq!((v1["version"].clone(), v1["new"].clone()), (json!(1), json!(true)));
    assert_eq!(v1["content_hash"].as_str().unwrap().len(), 64);

    let same = scena(dir.path(), &["flow", "publish", &write(&dir, "again.json", &flow("hello"))]).json();
    assert_eq!(
        (same["version"].clone(), same["new"].clone()),
        (json!(1), json!(false)),
        "unchanged content is not a new version"
    );

    let v2 = scena(dir.path(), &["flow", "publish", &write(&dir, "v2.json", &flow("bonjour"))]).json();
    assert_eq!(v2["version"], 2);
    assert_ne!(v2["content_hash"], v1["content_hash"]);

    let versions = scena(dir.path(), &["flow", "versions", "greet"]).json();
    assert_eq!(
        versions.as_array().unwrap().iter().map(|v| v["version"].clone()).collect::<Vec<_>>(),
        vec![json!(1), json!(2)]
    );

    let diff = scena(dir.path(), &["flow", "diff", "greet", "1", "2"]);
    assert_eq!(diff.code, 0, "{diff:?}");
    assert_eq!(
        diff.json()["nodes_changed"],
        json!([{"id": "say", "fields": [{"field": "input", "before": {"text": "hello"}, "after": {"text": "bonjour"}}]}])
    );

    let latest = scena(dir.path(), &["flow", "run", "--published", "greet", "--plugins", &plugins]);
    assert_eq!(latest.code, 0, "{latest:?}");
    assert_eq!(latest.json(), json!({"said": "bonjour", "version": 2}));
    let pinned = scena(dir.path(), &["flow", "run", "--published", "greet", "--version", "1", "--plugins", &plugins]);
    assert_eq!(pinned.json(), json!({"said": "hello", "version": 1}));
}

#[test]
fn invalid_flows_and_missing_versions_are_refused() {
    let dir = TempDir::new("versions-bad");
    let mut broken = flow("hi");
    broken["edges"] = json!([{"from": "start", "to": "say"}]);
    let ran = scena(dir.path(), &["flow", "publish", &write(&dir, "broken.json", &broken)]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.stderr.contains("node say: has no outgoing edge"), "{ran:?}");
    assert!(ran.reason().contains("nothing was published"), "{ran:?}");
    let none = scena(dir.path(), &["flow", "versions", "greet"]);
    assert_eq!(none.code, 1);
    assert!(none.reason().contains("has no published version"), "{none:?}");

    scena(dir.path(), &["flow", "publish", &write(&dir, "ok.json", &flow("hi"))]);
    let missing = scena(dir.path(), &["flow", "diff", "greet", "1", "9"]);
    assert_eq!(missing.code, 1);
    assert!(missing.reason().contains("has no version 9"), "{missing:?}");
    let other_tenant = scena(dir.path(), &["flow", "versions", "greet", "--tenant", "someone-else"]);
    assert_eq!(other_tenant.code, 1, "versions are per tenant: {other_tenant:?}");
}
