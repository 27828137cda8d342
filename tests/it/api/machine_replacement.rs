//! The machine replacement sample on real hosts: four `scena agent`
//! processes in one zone, one of them faulty and one new. A new host that
//! fails its test leaves the zone as it was — pointed back at the faulty
//! host, which is not touched; one that passes takes its place — the zone's services pointed at it and
//! restarted, the faulty host reclaimed (or, dead, noted as not reclaimed),
//! monitoring on, the replacement announced and the ticket closed.

use serde_json::{Value, json};

use super::jobs::until_connected;
use super::on_hosts::{agents_granted, calls, journal, run_to_end, services};
use crate::support::TempDir;
use crate::support::server::serve_bare;

const HOSTS: [(&str, &str); 4] = [
    ("z1-a", "zone=z1,role=game"),
    ("z1-b", "zone=z1,role=game"),
    ("z1-old", "zone=z1,role=game"),
    ("z1-new", "zone=z1"),
];
const FLOW: &str = "machine-replacement";
const LOG: &str = "replace.log";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_faulty_machine_is_replaced_only_once_its_replacement_passes_its_test() {
    let agents = TempDir::new("replacement-agents");
    let server = serve_bare("replacement");
    let services = services();
    let mut running =
        agents_granted(&server, &agents, &HOSTS, json!({"hosts": {"*": ["zone=z1"]}, "http": ["127.0.0.1"]})).await;
    let input = |fields: Value| {
        let mut input = json!({
            "zone": "z1", "faulty_host": "z1-old", "new_host": "z1-new", "version": "3.0.1",
            "notice_url": services.url("/news"), "ticket_url": services.url("/tickets/INC-42"),
        });
        input.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        input
    };

    let done = run_to_end(&server, FLOW, input(json!({"verify_script": "echo verify >> replace.log; exit 1"}))).await;
    assert_eq!(done["status"], "succeeded", "not replacing is a planned end: {done}");
    assert_eq!(done["output"]["result"], "not replaced", "{done}");
    assert_eq!(done["output"]["kept"], "z1-old", "{done}");
    assert!(journal(&agents, "z1-old", LOG).is_empty(), "the faulty host is untouched while its replacement fails");
    let there_and_back = ["config z1-old z1-new", "restart", "config z1-new z1-old", "restart"];
    assert_eq!(journal(&agents, "z1-a", LOG), there_and_back, "the zone was pointed back");
    assert!(calls(&services, 0).0.is_empty(), "nothing announced, the ticket open");

    let done = run_to_end(&server, FLOW, input(json!({}))).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        done["output"],
        json!({"result": "replaced", "zone": "z1", "replaced": "z1-old", "by": "z1-new", "reconfigured": ["z1-a", "z1-b", "z1-new"], "reclaimed": true})
    );
    let first =
        ["init", "deploy 3.0.1", "config z1-old z1-new", "restart", "verify", "config z1-new z1-old", "restart"];
    let second = ["init", "deploy 3.0.1", "config z1-old z1-new", "restart", "verify", "monitoring"];
    let new: Vec<String> = first.iter().chain(&second).map(|s| s.to_string()).collect();
    assert_eq!(journal(&agents, "z1-new", LOG), new, "the new host, across both runs");
    for host in ["z1-a", "z1-b"] {
        let expected = [&there_and_back[..], &["config z1-old z1-new", "restart"]].concat();
        assert_eq!(journal(&agents, host, LOG), expected, "{host} was pointed at the new host again");
    }
    assert_eq!(journal(&agents, "z1-old", LOG), ["reclaim"]);
    let (called, bodies) = calls(&services, 0);
    assert_eq!(called, [("POST".to_string(), "/news".to_string()), ("POST".into(), "/tickets/INC-42".into())]);
    assert_eq!(
        bodies[1],
        json!({"state": "closed", "result": "replaced", "faulty_host": "z1-old", "new_host": "z1-new"})
    );

    // A faulty host that is dead for good is noted as not reclaimed; the replacement goes on.
    drop(running.remove(2));
    until_connected(&server, "default", &[("z1-old", false)]).await;
    let done = run_to_end(&server, FLOW, input(json!({}))).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["output"]["reclaimed"], false, "{done}");
}
