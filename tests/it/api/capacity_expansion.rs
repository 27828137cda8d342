//! The capacity expansion sample on real hosts: two existing servers of a
//! module and two idle devices of an IDC are `scena agent` processes; a real
//! Prometheus scrapes an exporter that reports each serving host's requests
//! by the version it started (read from the file the start script writes).
//! The same stand-in is the load balancer, so a version can fail only under
//! more traffic. A good version takes the new hosts to full weight and into
//! the name service; a bad one is caught at 10 %, one that fails under load
//! at 50 % — each time the weight goes back to 0 and the new capacity is
//! removed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::on_hosts::{agents_granted, calls, journal, run_to_end, services};
use crate::support::TempDir;
use crate::support::http_fixture::{Fixture, Reply};
use crate::support::prometheus::Prometheus;
use crate::support::server::serve_bare;

const HOSTS: [(&str, &str); 5] = [
    ("login-1", "module=login"),
    ("login-2", "module=login"),
    ("idle-1", "pool=idle,idc=sh"),
    ("idle-2", "pool=idle,idc=sh"),
    ("idle-3", "pool=idle,idc=bj"),
];
const BAD_VERSION: &str = "7.0.0-bad";
/// Fine at 10 % of the traffic, failing from 50 %.
const HEAVY_VERSION: &str = "7.0.2-heavy";
const LOG: &str = "expand.log";

/// Each scrape, each serving host served 100 more requests: 1 error, or 20
/// on the bad version (and on the heavy one once it has half the weight).
/// The existing servers always serve; an idle device serves once its start
/// script wrote the version it runs to `serving`. `PUT /pools/login` sets the
/// new hosts' weight, as a load balancer would.
fn exporter(agents: PathBuf) -> Fixture {
    let served: Arc<Mutex<BTreeMap<&'static str, (u64, u64)>>> = Arc::default();
    let weight = Mutex::new(0u64);
    Fixture::start(move |seen| {
        if seen.method == "PUT" && seen.path == "/pools/login" {
            let body: Value = serde_json::from_slice(&seen.body).unwrap_or_default();
            *weight.lock().unwrap() = body["weight"].as_u64().unwrap_or(0);
            return Reply::json(200, "{}");
        }
        let heavy = *weight.lock().unwrap() >= 50;
        let mut served = served.lock().unwrap();
        let mut text = String::from("# TYPE app_requests_total counter\n");
        for (host, labels) in HOSTS {
            let version = std::fs::read_to_string(agents.join(host).join("serving")).ok();
            let capacity = match (labels.starts_with("module="), &version) {
                (true, _) => "existing",
                (false, Some(_)) => "new",
                (false, None) => continue,
            };
            let errors = match version.as_deref().map(str::trim) {
                Some(BAD_VERSION) => 20,
                Some(HEAVY_VERSION) if heavy => 20,
                _ => 1,
            };
            let (ok, failed) = served.entry(host).or_default();
            *ok += 100 - errors;
            *failed += errors;
            for (outcome, count) in [("ok", *ok), ("error", *failed)] {
                text.push_str(&format!(
                    "app_requests_total{{host=\"{host}\",module=\"login\",capacity=\"{capacity}\",outcome=\"{outcome}\"}} {count}\n"
                ));
            }
        }
        Reply { status: 200, content_type: "text/plain; version=0.0.4", body: text.into_bytes(), hang: false }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_expansion_sample_reaches_full_weight_with_a_good_version_and_rolls_back_a_bad_one_at_ten_percent() {
    let agents = TempDir::new("expansion-agents");
    let exporter = exporter(agents.path().to_path_buf());
    let prometheus = Prometheus::start("expansion-prometheus", &format!("127.0.0.1:{}", exporter.port));
    let services = services();
    let server = serve_bare("expansion");
    let _agents = agents_granted(
        &server,
        &agents,
        &HOSTS,
        json!({"http": ["127.0.0.1"], "hosts": {"*": ["module=login", "pool=idle"]}}),
    )
    .await;
    prometheus.until("count(rate(app_requests_total{capacity=\"existing\",outcome=\"ok\"}[2s]) > 0)", 2.0).await;
    let expand = |version: &str| {
        json!({
            "module": "login", "idc": "sh", "count": 2, "version": version,
            "alertmanager": services.url(""), "maintenance_from": "2026-12-06T02:00:00Z",
            "maintenance_until": "2026-12-06T04:00:00Z", "lb_api": exporter.url(""), "names_api": services.url(""),
            "prometheus": prometheus.url, "ticket_url": services.url("/tickets/EXP-3"),
            "window": "2s", "gate_interval_ms": 500, "gate_measurements": 2, "min_samples": 100,
            "start_script": "echo \"$VERSION\" > serving && echo start >> expand.log",
            "rollback_script": "rm -f serving && echo rollback >> expand.log",
        })
    };
    // The weights the load balancer was given, from its `from`-th change on.
    let weights = |from: usize| -> Vec<Value> {
        let seen = exporter.seen.lock().unwrap();
        let changes = seen.iter().filter(|c| c.method == "PUT").skip(from);
        changes.map(|c| serde_json::from_slice::<Value>(&c.body).unwrap()["weight"].clone()).collect()
    };

    let bad = run_to_end(&server, "capacity-expansion", expand(BAD_VERSION)).await;
    assert_eq!(bad["status"], "succeeded", "the rollback is a planned path: {bad}");
    assert_eq!(bad["output"]["result"], "rolled back", "{bad}");
    assert_eq!(bad["nodes"]["gate_10"]["status"], "failed", "caught at 10 %: {bad}");
    assert_eq!(bad["nodes"]["weight_50"]["status"], "skipped", "{bad}");
    assert_eq!(weights(0), [json!(10), json!(0)], "10 %, then back to nothing");
    for host in ["idle-1", "idle-2"] {
        let expected = ["install 7.0.0-bad", "sync-files", "config login", "start", "scan", "rollback"];
        assert_eq!(journal(&agents, host, LOG), expected, "{host}");
        assert!(!agents.path().join(host).join("serving").exists(), "{host} no longer serves");
    }
    assert!(journal(&agents, "idle-3", LOG).is_empty(), "another IDC's device is untouched");
    assert_eq!(journal(&agents, "login-1", LOG), ["caller-side", "caller-revert"]);
    let after_bad = calls(&services, 0).0.len();
    // A gate's window would still hold the bad version's requests: wait until it does not.
    prometheus.until("absent(count_over_time(app_requests_total{capacity=\"new\"}[2s]))", 1.0).await;
    assert!(!calls(&services, 0).0.iter().any(|(_, path)| path.starts_with("/services/")), "never in the name service");

    let good = run_to_end(&server, "capacity-expansion", expand("7.0.1")).await;
    assert_eq!(good["status"], "succeeded", "{good}");
    assert_eq!(
        good["output"],
        json!({"result": "expanded", "module": "login", "hosts": ["idle-1", "idle-2"], "weight": 100})
    );
    assert_eq!(weights(2), [json!(10), json!(50), json!(100)]);
    let (called, bodies) = calls(&services, after_bad);
    let named =
        called.iter().position(|(_, path)| path == "/services/login/instances").expect("joined the name service");
    assert_eq!(bodies[named], json!({"hosts": ["idle-1", "idle-2"]}));
    let ticket = bodies.last().unwrap();
    assert_eq!(ticket["result"], "expanded", "{ticket}");
    assert_eq!(called.first().map(|(m, p)| (m.as_str(), p.as_str())), Some(("POST", "/api/v2/silences")));
    assert!(called.iter().any(|(m, p)| m == "DELETE" && p == "/api/v2/silence/silence-2"), "{called:?}");
    assert_eq!(std::fs::read_to_string(agents.path().join("idle-1").join("serving")).unwrap().trim(), "7.0.1");

    // Fine at 10 %, failing once it has half the traffic (caught at 50 % or, if the
    // window still held the lighter traffic's requests, at 100 %): back to nothing,
    // removed, the reason the gate's that caught it.
    let after_good = calls(&services, 0).0.len();
    // The devices were taken out of the pool since (as an operator would, before trying them again).
    let reset = scena::tls::client().put(exporter.url("/pools/login")).body(r#"{"weight": 0}"#).send().await.unwrap();
    assert_eq!(reset.status(), 200);
    let heavy = run_to_end(&server, "capacity-expansion", expand(HEAVY_VERSION)).await;
    assert_eq!(heavy["status"], "succeeded", "{heavy}");
    assert_eq!(heavy["output"]["result"], "rolled back", "{heavy}");
    assert_eq!(heavy["nodes"]["gate_10"]["status"], "succeeded", "{heavy}");
    let caught = ["gate_50", "gate_100"].into_iter().find(|g| heavy["nodes"][g]["status"] == "failed");
    let caught = caught.unwrap_or_else(|| panic!("caught under load: {heavy}"));
    assert_eq!(heavy["output"]["reason"], heavy["nodes"][caught]["error"]["message"], "{heavy}");
    assert_eq!(heavy["output"]["not_removed"], json!([]), "{heavy}");
    let changes = weights(6);
    assert_eq!((changes.first(), changes.last()), (Some(&json!(10)), Some(&json!(0))), "{changes:?}");
    assert!(changes.contains(&json!(50)), "{changes:?}");
    assert!(!agents.path().join("idle-1").join("serving").exists(), "removed");
    let (called, _) = calls(&services, after_good);
    assert!(!called.iter().any(|(_, path)| path.starts_with("/services/")), "not in the name service this time");
}
