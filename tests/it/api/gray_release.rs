//! The gray-release sample end to end, as a bare `scena serve` publishes
//! it: four real `scena agent` processes serve the hosts, a real Prometheus
//! scrapes an exporter that reports each host's requests by the version its
//! agent last wrote, and the flow's metric gate decides. A good version
//! reaches every host; a bad one is caught on the first host and rolled back.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::json;

use super::jobs::{enrolment_token, start_agent, until_connected};
use super::on_hosts::run_to_end;
use crate::support::TempDir;
use crate::support::http_fixture::{Fixture, Reply};
use crate::support::prometheus::Prometheus;
use crate::support::server::serve_bare;

const HOSTS: [&str; 4] = ["game-1", "game-2", "game-3", "game-4"];
const BAD_VERSION: &str = "2.0.0-bad";
const FLOW: &str = "gray-release-metric-gate";

/// Each scrape, each host served 100 more requests: 1 error on a good
/// version, 20 on the bad one (read from the file the release scripts write).
fn exporter(agents: PathBuf) -> Fixture {
    let served: Arc<Mutex<BTreeMap<&'static str, (u64, u64)>>> = Arc::default();
    Fixture::start(move |_| {
        let mut served = served.lock().unwrap();
        let mut text = String::from("# TYPE app_requests_total counter\n");
        for host in HOSTS {
            let version = std::fs::read_to_string(agents.join(host).join("release.version")).unwrap_or_default();
            let errors = if version.trim() == BAD_VERSION { 20 } else { 1 };
            let (ok, failed) = served.entry(host).or_default();
            *ok += 100 - errors;
            *failed += errors;
            text.push_str(&format!("app_requests_total{{host=\"{host}\",outcome=\"ok\"}} {ok}\n"));
            text.push_str(&format!("app_requests_total{{host=\"{host}\",outcome=\"error\"}} {failed}\n"));
        }
        Reply { status: 200, content_type: "text/plain; version=0.0.4", body: text.into_bytes(), hang: false }
    })
}

fn versions(agents: &TempDir) -> Vec<String> {
    HOSTS
        .iter()
        .map(|host| std::fs::read_to_string(agents.path().join(host).join("release.version")).unwrap_or_default())
        .map(|v| v.trim().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gray_release_sample_rolls_out_a_good_version_and_rolls_back_a_bad_one_on_its_metric_gate() {
    let agents = TempDir::new("gray-agents");
    let exporter = exporter(agents.path().to_path_buf());
    let prometheus = Prometheus::start("gray-prometheus", &format!("127.0.0.1:{}", exporter.port));
    let server = serve_bare("gray-release");
    let token = enrolment_token(&server, "default").await;
    let _agents: Vec<_> =
        HOSTS.iter().map(|id| start_agent(&server, &agents, &token, id, "role=game,zone=eu-1")).collect();
    until_connected(&server, "default", &HOSTS.map(|id| (id, true))).await;
    let grants = json!({"http": ["127.0.0.1"], "hosts": {"*": ["role=game"]}});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    // Every host has served for a while: the gates' windows are full.
    prometheus.until("count(rate(app_requests_total{outcome=\"ok\"}[2s]) > 0)", 4.0).await;

    let release = |version: &str| {
        json!({"version": version, "previous_version": "1.4.0", "prometheus": prometheus.url,
               "window": "2s", "gate_interval_ms": 500, "min_samples": 100, "tolerance": 0.05})
    };
    let good = run_to_end(&server, FLOW, release("1.5.0")).await;
    assert_eq!(good["status"], "succeeded", "{good}");
    assert_eq!(good["output"]["result"], "released", "{good}");
    assert_eq!(versions(&agents), ["1.5.0"; 4]);
    let items = good["nodes"]["gray"]["output"]["items"].as_array().unwrap().clone();
    let batches: Vec<u64> = items.iter().map(|item| item["batch"].as_u64().unwrap()).collect();
    let [first, second, third, fourth] = batches[..] else { panic!("four items: {items:?}") };
    assert!(
        first < second && second < third && third == fourth,
        "1 host, then one more (50 %), then the rest: {batches:?}"
    );
    for item in &items {
        let rate = item["output"]["success_rate"].as_f64().unwrap();
        assert!((rate - 0.99).abs() < 1e-6 && item["output"]["bar"].as_f64().unwrap() < 0.95, "{item}");
    }

    let bad = run_to_end(&server, FLOW, release(BAD_VERSION)).await;
    assert_eq!(bad["status"], "succeeded", "{bad}");
    assert_eq!(bad["output"]["result"], "rolled back", "{bad}");
    assert_eq!(bad["output"]["hosts"], json!(["game-1"]), "{bad}");
    let failures = &bad["output"]["failures"];
    assert_eq!(failures[0]["host"], "game-1", "{failures}");
    assert!(
        failures[0]["error"].to_string().contains("breach"),
        "the host's error names the gate's breach: {failures}"
    );
    assert_eq!(
        versions(&agents),
        ["1.4.0", "1.5.0", "1.5.0", "1.5.0"],
        "only the first host got the bad version, and it was rolled back"
    );
}
