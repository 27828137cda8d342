//! The gates of a release, against real servers: `metric-gate` asks a real
//! Prometheus, which scrapes a small exporter whose counters the test sets;
//! `http-check` probes an endpoint until it turns healthy.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::one_step;
use crate::support::http_fixture::{Fixture, Reply};
use crate::support::prometheus::Prometheus;
use crate::support::server::{Server, serve};

/// `app_requests_total` of host `new-1` (`ok` and `error` as given) and of
/// `old-1`, the baseline (990 ok, 10 errors: 0.99).
fn counters(ok: u32, errors: u32) -> String {
    format!(
        "# TYPE app_requests_total counter\n\
         app_requests_total{{host=\"new-1\",outcome=\"ok\"}} {ok}\n\
         app_requests_total{{host=\"new-1\",outcome=\"error\"}} {errors}\n\
         app_requests_total{{host=\"old-1\",outcome=\"ok\"}} 990\n\
         app_requests_total{{host=\"old-1\",outcome=\"error\"}} 10\n"
    )
}

/// An exporter serving whatever `metrics` holds now.
fn exporter(metrics: Arc<Mutex<String>>) -> Fixture {
    Fixture::start(move |_| Reply {
        status: 200,
        content_type: "text/plain; version=0.0.4",
        body: metrics.lock().unwrap().clone().into_bytes(),
        hang: false,
    })
}

/// The success ratio of `$host` against the rest, with at least `inputs.min_samples` requests.
fn gate_input(prometheus: &str) -> Value {
    json!({
        "prometheus": prometheus,
        "query": "sum by (host) (app_requests_total{host=\"$host\",outcome=\"ok\"}) / sum by (host) (app_requests_total{host=\"$host\"})",
        "baseline_query": "sum(app_requests_total{host!=\"$host\",outcome=\"ok\"}) / sum(app_requests_total{host!=\"$host\"})",
        "tolerance": 0.02,
        "threshold": 0.9,
        "pass_when": "above",
        "samples_query": "sum(app_requests_total{host=\"$host\"})",
        "min_samples": "${inputs.min_samples}",
        "measurements": 2,
        "interval_ms": 100,
        "max_waits": 2,
        "on_breach": "${inputs.on_breach}",
        "vars": {"host": "${inputs.host}"},
    })
}

async fn gate(server: &Server, host: &str, min_samples: u32, on_breach: &str) -> Value {
    let input = json!({"host": host, "min_samples": min_samples, "on_breach": on_breach});
    server.run("default", "gate", input).await
}

fn error_of(run: &Value) -> String {
    run["nodes"]["call"]["error"]["message"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_metric_gate_passes_breaches_and_waits_for_samples_as_prometheus_says() {
    let metrics = Arc::new(Mutex::new(counters(990, 10)));
    let exporter = exporter(metrics.clone());
    let prometheus = Prometheus::start("gate-prometheus", &format!("127.0.0.1:{}", exporter.port));
    let new_ratio = "sum(app_requests_total{host=\"new-1\",outcome=\"ok\"}) / sum(app_requests_total{host=\"new-1\"})";
    prometheus.until(new_ratio, 0.99).await;

    let server = serve("gate");
    server.publish("default", one_step("gate", "metric-gate", gate_input(&prometheus.url))).await;

    // Not granted: loopback is reached only when the grant names it.
    let refused = gate(&server, "new-1", 100, "fail").await;
    assert_eq!(refused["status"], "failed", "{refused}");
    assert!(error_of(&refused).contains("127.0.0.1"), "{refused}");

    let grants = json!({"http": ["127.0.0.1"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);

    // As healthy as the baseline: two passing measurements against the stricter bar, 0.99 − 0.02.
    let passed = gate(&server, "new-1", 100, "fail").await;
    assert_eq!(passed["status"], "succeeded", "{passed}");
    let result = &passed["output"]["result"];
    assert_eq!(
        (&result["passed"], &result["value"], &result["baseline"], &result["samples"], &result["measurements"]),
        (&json!(true), &json!(0.99), &json!(0.99), &json!(1000.0), &json!(2)),
        "{result}"
    );
    assert!((result["bar"].as_f64().unwrap() - 0.97).abs() < 1e-9, "{result}");
    assert_eq!(result["series"][0]["labels"]["host"], "new-1", "{result}");

    // The new host's error rate rises to 8 %: the gate fails, giving the numbers.
    *metrics.lock().unwrap() = counters(920, 80);
    prometheus.until(new_ratio, 0.92).await;
    let breached = gate(&server, "new-1", 100, "fail").await;
    assert_eq!(breached["status"], "failed", "{breached}");
    let error = error_of(&breached);
    assert!(
        error.contains("breach: 0.92") && error.contains("at least 0.97") && error.contains("baseline 0.99"),
        "{error}"
    );

    // Reporting instead: the step succeeds with `passed: false`, for a switch to route on.
    let reported = gate(&server, "new-1", 100, "report").await;
    assert_eq!(reported["status"], "succeeded", "{reported}");
    assert_eq!(
        (&reported["output"]["result"]["passed"], &reported["output"]["result"]["value"]),
        (&json!(false), &json!(0.92))
    );

    // Too few requests behind the figure: the gate looks again, then gives up, saying why.
    let undecided = gate(&server, "new-1", 5000, "fail").await;
    assert_eq!(undecided["status"], "failed", "{undecided}");
    let error = error_of(&undecided);
    assert!(error.contains("no decision after 3 looks: 1000 samples so far, 5000 needed"), "{error}");

    // A host with no series at all is undecided too, never a pass.
    let unknown = gate(&server, "new-9", 0, "fail").await;
    assert_eq!(unknown["status"], "failed", "{unknown}");
    assert!(error_of(&unknown).contains("has no data yet"), "{unknown}");

    // A value that would reshape the query is refused before anything is asked.
    for injected in ["new-1\"} or vector(1) or {x=\"", "new-1'} or vector(1) #", "new-1 or vector(1)"] {
        let refused = gate(&server, injected, 0, "fail").await;
        assert_eq!(refused["status"], "failed", "{refused}");
        assert!(error_of(&refused).contains("must be letters, digits and `_.:/-` only"), "{refused}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_prometheus_refuses_fails_the_gate_at_once() {
    let exporter = exporter(Arc::new(Mutex::new(counters(1, 0))));
    let prometheus = Prometheus::start("gate-bad-query", &format!("127.0.0.1:{}", exporter.port));
    let server = serve("gate-bad-query");
    let grants = json!({"http": ["127.0.0.1"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    let input = json!({"prometheus": prometheus.url, "query": "sum(app_requests_total{", "pass_when": "below", "threshold": 0.1});
    let mut flow = one_step("bad-query", "metric-gate", input);
    flow["nodes"][1]["retry"] = json!({"max_attempts": 3});
    server.publish("default", flow).await;
    let run = server.run("default", "bad-query", json!({})).await;
    assert_eq!(run["status"], "failed", "{run}");
    let error = error_of(&run);
    assert!(error.contains("Prometheus refused") && error.contains("(400)"), "{error}");
    assert_eq!(
        run["nodes"]["call"]["attempts"], 1,
        "a query's own fault is not retried, though the step may be: {run}"
    );

    // A `$name` no var gives is refused before anything is asked.
    let input =
        json!({"prometheus": prometheus.url, "query": "up{job=\"$job\"}", "pass_when": "above", "threshold": 1});
    server.publish("default", one_step("unfilled", "metric-gate", input)).await;
    let run = server.run("default", "unfilled", json!({})).await;
    assert_eq!(run["status"], "failed", "{run}");
    assert!(error_of(&run).contains("uses `$job`, which `vars` does not give"), "{run}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_check_probes_until_the_endpoint_is_healthy_or_gives_up() {
    // Unhealthy for the first three probes, then healthy.
    let probes = Arc::new(AtomicUsize::new(0));
    let seen = probes.clone();
    let endpoint = Fixture::start(move |_| match seen.fetch_add(1, Ordering::SeqCst) {
        0..=2 => Reply::json(503, r#"{"status": "starting"}"#),
        _ => Reply::json(200, r#"{"status": "serving"}"#),
    });
    let server = serve("http-check");
    let grants = json!({"http": ["127.0.0.1"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    let input = json!({"url": "${inputs.url}", "body_contains": "serving", "attempts": "${inputs.attempts}", "interval_ms": 50});
    server.publish("default", one_step("probe", "http-check", input)).await;

    let healthy = server.run("default", "probe", json!({"url": endpoint.url("/healthz"), "attempts": 10})).await;
    assert_eq!(healthy["status"], "succeeded", "{healthy}");
    assert_eq!(healthy["output"]["result"], json!({"healthy": true, "status": 200, "attempts": 4}));
    assert_eq!(probes.load(Ordering::SeqCst), 4);

    // A 200 without the text asked for is not healthy; the attempts run out.
    let wrong = Fixture::start(|_| Reply::json(200, r#"{"status": "degraded"}"#));
    let gave_up = server.run("default", "probe", json!({"url": wrong.url("/healthz"), "attempts": 3})).await;
    assert_eq!(gave_up["status"], "failed", "{gave_up}");
    let error = gave_up["nodes"]["call"]["error"]["message"].as_str().unwrap_or_default();
    assert!(error.contains("not healthy after 3 probes: the body lacks `serving`"), "{error}");
    assert_eq!(wrong.seen.lock().unwrap().len(), 3);
}
