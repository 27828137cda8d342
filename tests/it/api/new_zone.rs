//! The new zone sample on real hosts: the zone's two game hosts and one DB
//! host are `scena agent` processes that enrolled with its labels, beside a
//! host of another zone the run must not touch. A zone whose test fails on
//! one host is never opened; one that passes is set up step by step, opened
//! and featured.

use serde_json::json;

use super::on_hosts::{agents_granted, calls, journal, run_to_end, services};
use crate::support::TempDir;
use crate::support::server::serve_bare;

const HOSTS: [(&str, &str); 4] = [
    ("z9-g1", "zone=z9,role=game"),
    ("z9-g2", "zone=z9,role=game"),
    ("z9-db", "zone=z9,role=db"),
    ("z8-g1", "zone=z8,role=game"),
];
const LOG: &str = "zone.log";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_zone_opens_only_once_its_test_passes_and_other_zones_are_untouched() {
    let agents = TempDir::new("new-zone-agents");
    let server = serve_bare("new-zone");
    let services = services();
    let _agents = agents_granted(
        &server,
        &agents,
        &HOSTS,
        json!({"hosts": {"*": ["zone=z9", "zone=z8"]}, "http": ["127.0.0.1"]}),
    )
    .await;
    let input =
        json!({"zone": "z9", "version": "5.0.0", "zones_api": services.url(""), "notice_url": services.url("/news")});

    let mut failing = input.clone();
    failing["verify_script"] = json!("[ \"$(basename \"$PWD\")\" != z9-g2 ]");
    let done = run_to_end(&server, "new-zone", failing).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["nodes"]["open"]["status"], "idle", "{done}");
    let (called, _) = calls(&services, 0);
    assert_eq!(called, [("POST".to_string(), "/zones".to_string())], "created closed, never opened");

    let done = run_to_end(&server, "new-zone", input).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        done["output"],
        json!({"zone": "z9", "version": "5.0.0", "state": "open", "hosts": ["z9-g1", "z9-g2"], "db_hosts": ["z9-db"]})
    );
    // Only the second run's lines: the first stopped at its test.
    let game = ["deploy 5.0.0", "start", "monitoring", "verify"];
    for host in ["z9-g1", "z9-g2"] {
        let lines = journal(&agents, host, LOG);
        assert_eq!(lines[lines.len() - game.len()..], game, "{host}: {lines:?}");
    }
    let db = journal(&agents, "z9-db", LOG);
    let db_run = ["create-db", "init-data", "monitoring", "clean-test-data"];
    assert_eq!(db[db.len() - db_run.len()..], db_run, "{db:?}");
    assert!(!db[..db.len() - db_run.len()].contains(&"clean-test-data".to_string()), "{db:?}");
    assert!(journal(&agents, "z8-g1", LOG).is_empty(), "another zone's host is untouched");
    let (called, bodies) = calls(&services, 1);
    let called: Vec<(&str, &str)> = called.iter().map(|(m, p)| (m.as_str(), p.as_str())).collect();
    assert_eq!(called, [("POST", "/zones"), ("PUT", "/zones/z9"), ("POST", "/news")]);
    assert_eq!(bodies[0], json!({"zone": "z9", "state": "closed", "hosts": ["z9-g1", "z9-g2"]}));
    assert_eq!(bodies[1], json!({"state": "open"}));
}
