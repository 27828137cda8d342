//! The version release on real hosts, as a bare `scena serve` publishes it:
//! three `scena agent` processes (two game hosts, one DB host) and stand-ins
//! for Alertmanager, the website's notices and the change tickets on
//! loopback. A release places its package on the game hosts (`push-file`),
//! goes through every step in order on every host, posts
//! its notice, lifts its silence and closes its ticket; a release whose
//! verification fails on one host rolls back on all of them, posts no notice,
//! and lifts its silence and closes its ticket too.

use serde_json::{Value, json};

use super::on_hosts::{agents_granted, calls, journal, run_to_end, services};
use crate::support::TempDir;
use crate::support::server::serve_bare;

const HOSTS: [(&str, &str); 3] = [("game-1", "role=game"), ("game-2", "role=game"), ("db-1", "role=db")];
const FLOW: &str = "version-release-on-hosts";
const LOG: &str = "release.log";

fn called(calls: &[(String, String)]) -> Vec<(&str, &str)> {
    calls.iter().map(|(method, path)| (method.as_str(), path.as_str())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_version_release_runs_on_real_hosts_and_rolls_back_when_a_host_fails_verification() {
    let agents = TempDir::new("version-release-agents");
    let server = serve_bare("version-release");
    let services = services();
    let _agents = agents_granted(
        &server,
        &agents,
        &HOSTS,
        json!({"hosts": {"*": ["role=game", "role=db"]}, "http": ["127.0.0.1"]}),
    )
    .await;
    let input = |fields: Value| {
        let mut input = json!({
            "alertmanager": services.url(""),
            "maintenance_from": "2026-12-06T02:00:00Z",
            "maintenance_until": "2026-12-06T04:00:00Z",
            "notice_url": services.url("/news"),
            "ticket_url": services.url("/tickets/CHG-7"),
        });
        input.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        input
    };

    // The package is placed on every game host before the update, which
    // checks it is there; verification reads back what the update wrote.
    let package = b"game server 2.1.0".repeat(1000);
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&package));
    let uploaded = scena::tls::client()
        .put(format!("{}/api/v1/tenants/default/files/game-2.1.0.tgz", server.base))
        .bearer_auth(crate::support::server::ADMIN)
        .body(package)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);
    let package_path = agents.path().join("packages/game.tgz").display().to_string();
    let update = format!("sha256sum \"$PACKAGE\" | grep -q ^{sha256} && echo \"update $VERSION\" >> release.log");
    let verify = "grep -qx \"update $VERSION\" release.log && echo verify >> release.log";
    let done = run_to_end(
        &server,
        FLOW,
        input(
            json!({"version": "2.1.0", "previous_version": "2.0.9", "verify_script": verify, "update_script": update,
                     "package": "game-2.1.0.tgz", "package_path": package_path, "package_sha256": sha256}),
        ),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let placed = &done["nodes"]["push_package"]["output"];
    assert_eq!((&placed["succeeded"], &placed["failed"]), (&json!(2), &json!(0)), "{placed}");
    assert_eq!(
        done["output"],
        json!({"result": "released", "version": "2.1.0", "hosts": ["game-1", "game-2"], "db_hosts": ["db-1"], "silence": "silence-1"}),
    );
    let released = ["backup", "close-entry", "stop", "update 2.1.0", "start", "verify", "open-entry"];
    for host in ["game-1", "game-2"] {
        assert_eq!(journal(&agents, host, LOG), released, "{host} went through the release in order");
    }
    assert_eq!(
        journal(&agents, "db-1", LOG),
        ["backup-db", "db 2.1.0"],
        "the data is backed up and changed on the DB host"
    );
    let (first, bodies) = calls(&services, 0);
    assert_eq!(
        called(&first),
        [
            ("POST", "/api/v2/silences"),
            ("POST", "/news"),
            ("DELETE", "/api/v2/silence/silence-1"),
            ("POST", "/tickets/CHG-7")
        ]
    );
    let silence = &bodies[0];
    assert_eq!(silence["startsAt"], "2026-12-06T02:00:00Z", "{silence}");
    assert_eq!(silence["comment"], "release 2.1.0", "{silence}");
    assert_eq!(silence["matchers"][0]["name"], "role", "{silence}");
    assert_eq!(bodies[3], json!({"state": "closed", "result": "released", "version": "2.1.0"}));

    // game-2 fails its verification: every game host goes back to the previous version.
    let failing = "[ \"$(basename \"$PWD\")\" != game-2 ] && echo verify >> release.log";
    let done = run_to_end(
        &server,
        FLOW,
        input(json!({"version": "2.2.0", "previous_version": "2.1.0", "verify_script": failing})),
    )
    .await;
    assert_eq!(done["status"], "succeeded", "the rollback route ends the run well: {done}");
    assert_eq!(done["output"]["result"], "rolled back", "{done}");
    assert_eq!(done["output"]["version"], "2.1.0", "{done}");
    assert!(done["output"]["failed"].as_str().is_some_and(|why| why.contains("game-2")), "{done}");
    assert_eq!(done["nodes"]["open_entry"]["status"], "skipped", "{done}");
    assert_eq!(done["nodes"]["push_package"]["output"]["state"], "no hosts", "no package given, none placed: {done}");
    for (host, passed) in [("game-1", true), ("game-2", false)] {
        let verified: &[&str] = if passed { &["verify"] } else { &[] };
        let expected: Vec<&str> = ["backup", "close-entry", "stop", "update 2.2.0", "start"]
            .iter()
            .chain(verified)
            .chain(&["rollback 2.1.0", "start", "open-entry"])
            .copied()
            .collect();
        assert_eq!(journal(&agents, host, LOG)[released.len()..], expected, "{host}");
    }
    let (second, bodies) = calls(&services, first.len());
    assert_eq!(
        called(&second),
        [("POST", "/api/v2/silences"), ("DELETE", "/api/v2/silence/silence-2"), ("POST", "/tickets/CHG-7")],
        "no notice for a release rolled back; its silence lifted and its ticket closed"
    );
    assert_eq!(bodies[2], json!({"state": "closed", "result": "rolled back", "version": "2.2.0"}));
}
