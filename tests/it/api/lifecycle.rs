//! The server as an operator runs it: restarts keep everything, a database
//! it cannot use is refused clearly, one server per data dir and database,
//! the CLI does not write beside it; `/metrics` and the OpenAPI document.

use serde_json::{Value, json};

use super::*;
use crate::support::server::{serve, serve_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_keeps_people_flows_runs_state_and_audit() {
    let mut server = serve("api-restart");
    let ann = server.member("ann", "default", "operator").await;
    let saved = server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await.status, 201);
    let waiting = server
        .call(
            "POST",
            &format!("{FLOWS}/zones/runs?wait_ms=20000"),
            Some(&ann),
            Some(json!({"input": {"zone": "eu-1"}}).to_string()),
        )
        .await;
    assert_eq!(waiting.body["status"], "waiting", "{}", waiting.body);
    let run_path = format!("/api/v1/tenants/default/runs/{}", waiting.body["id"].as_str().unwrap());

    server.restart();

    assert!(server.login("ann", "correct horse").await.is_some(), "the user and password hash were kept");
    let still = server.call("GET", &run_path, Some(&ann), None).await;
    assert_eq!((still.status, &still.body["status"]), (200, &json!("waiting")), "{}", still.body);
    let approved = server.call("POST", &format!("{run_path}/nodes/gate/approve"), Some(&ann), None).await;
    assert_eq!(approved.status, 200, "the member's token was kept: {}", approved.body);
    let done = wait_until_over(&server, &run_path).await;
    assert_eq!(done["output"], json!({"count": 1, "by": "ann"}), "{done}");
    let next = server
        .admin("POST", &format!("{FLOWS}/zones/runs?wait_ms=20000"), Some(json!({"input": {"zone": "eu-1"}})))
        .await;
    assert_eq!(next.body["nodes"]["count"]["output"], json!({"value": 2}), "the kv counter was kept: {}", next.body);
    let versions = server.admin("GET", &format!("{FLOWS}/zones/versions"), None).await;
    assert_eq!(versions.body["versions"].as_array().map(Vec::len), Some(1), "{}", versions.body);
    let audit = server.admin("GET", "/api/v1/tenants/default/audit?limit=100", None).await;
    let actions: Vec<&str> =
        audit.body["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"publish") && actions.contains(&"approve"), "before and after the restart: {actions:?}");
}

#[test]
fn a_database_url_it_cannot_use_is_refused_clearly_without_its_password() {
    let dir = crate::support::TempDir::new("api-bad-db");
    for (url, expected) in [
        ("mysql://root:hunter2@127.0.0.1/test", "unsupported database URL `mysql://root:***@127.0.0.1/test`"),
        (
            "postgres://postgres:hunter2@127.0.0.1:1/test",
            "cannot open database postgres://postgres:***@127.0.0.1:1/test",
        ),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_scena"))
            .args(["serve", "--listen", "127.0.0.1:0", "--plugins", dir.path().to_str().unwrap(), "--db", url])
            .env("SCENA_DATA_DIR", dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(expected), "{url}: {stderr}");
        assert!(!stderr.contains("hunter2"), "the password is not shown: {stderr}");
    }
}

#[test]
fn a_count_of_database_writers_out_of_range_is_refused_by_name() {
    let dir = crate::support::TempDir::new("api-bad-writers");
    for count in ["0", "65", "four"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_scena"))
            .args(["serve", "--listen", "127.0.0.1:0", "--db-writers", count])
            .env("SCENA_DATA_DIR", dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains(&format!("invalid value '{count}' for '--db-writers <N>'")),
            "{stderr}"
        );
    }
    assert!(!dir.path().join("scena.db").exists(), "nothing was opened");
}

#[test]
fn a_cli_command_does_not_write_into_the_data_dir_of_a_running_server() {
    let mut server = serve("api-cli-beside");
    let dir = server.dir.path().to_path_buf();
    let flow = dir.join("beside.json");
    let nodes = [
        json!({"id": "start", "kind": "start"}),
        json!({"id": "say", "kind": "step", "plugin": "echo", "input": {"n": 1}}),
        json!({"id": "end", "kind": "end", "output": "${steps.say.output}"}),
    ];
    let edges = [json!({"from": "start", "to": "say"}), json!({"from": "say", "to": "end"})];
    std::fs::write(&flow, json!({"name": "beside", "nodes": nodes, "edges": edges}).to_string()).unwrap();
    let (flow, plugins) = (flow.to_str().unwrap(), dir.join("plugins"));
    let run = || crate::support::scena(&dir, &["flow", "run", flow, "--plugins", plugins.to_str().unwrap()]);
    let refused = [run(), crate::support::scena(&dir, &["flow", "publish", flow])];
    for ran in &refused {
        assert!(ran.code != 0 && ran.reason().contains("a scena server is using"), "{ran:?}");
    }
    let listed = crate::support::scena(&dir, &["flow", "runs"]);
    assert_eq!(
        (listed.code, listed.stdout.as_str()),
        (0, ""),
        "reading is allowed, and nothing was written: {listed:?}"
    );
    // The claim is the server process's: it ends with it.
    let _ = server.child.kill();
    let _ = server.child.wait();
    let after = run();
    assert_eq!(after.code, 0, "{after:?}");
    assert!(crate::support::scena(&dir, &["flow", "runs"]).stdout.contains("beside"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_data_dir_refuses_to_start() {
    // (On PostgreSQL, a second server with a data dir of its own is a second
    // node of a cluster: `tests/it/cluster.rs`.)
    let server = serve("api-one-server");
    let (status, stderr) = server.second_server(None);
    assert!(!status.success() && stderr.contains("another scena process is using the data dir"), "{stderr}");
    assert_eq!(server.admin("GET", FLOWS, None).await.status, 200, "the first server goes on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_the_openapi_document_describe_the_server() {
    let server = serve_with("api-metrics", &["echo"], &[]);
    server.publish("default", one_step("hello", "echo", json!({"hi": 1}))).await;
    let run = server.run("default", "hello", json!({}));
    let id = run.await["id"].as_str().unwrap().to_string();
    let cancel = server.admin("POST", &format!("/api/v1/tenants/default/runs/{id}/cancel"), None).await;
    assert_eq!(cancel.status, 409, "an ended run: {}", cancel.body);
    assert!(server.text("/api/v1/no/such/thing").await.contains("not_found"));
    let metrics = server.text("/metrics").await;
    for series in [
        r#"scena_runs{status="succeeded"} 1"#,
        r#"scena_http_requests_total{route="/api/v1/tenants/{tenant}/flows/{name}/runs",method="POST",status="200"} 1"#,
        r#"scena_http_requests_total{route="/api/v1/tenants/{tenant}/runs/{id}/{action}",method="POST",status="409"} 1"#,
        r#"scena_http_requests_total{route="other",method="GET",status="404"} 1"#,
        r#"scena_node_duration_seconds_count{outcome="done"} 1"#,
        r#"scena_plugin_call_duration_seconds_count{plugin="echo"} 1"#,
        "scena_ready_queue_depth 0",
    ] {
        assert!(metrics.contains(series), "missing `{series}` in:\n{metrics}");
    }

    let doc: Value = serde_json::from_str(&server.text("/api/v1/openapi.json").await).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for route in scena::api::ROUTES {
        let op = &doc["paths"][route.path][route.method.to_ascii_lowercase()];
        assert_eq!(op["security"], json!([{"bearer": []}]), "{} {}", route.method, route.path);
    }
    assert!(doc["paths"]["/api/v1/auth/login"]["post"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_metrics_token_metrics_answer_only_to_it() {
    let server = serve_with("api-metrics-token", &["echo"], &["--metrics-token", "m3trics-scraper"]);
    let scrape = |token: Option<&'static str>| {
        let url = format!("{}/metrics", server.base);
        async move {
            let mut request = scena::tls::client().get(url);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    for refused in [None, Some("guess"), Some(crate::support::server::ADMIN)] {
        let (status, body) = scrape(refused).await;
        assert_eq!(status, 401, "{refused:?}: {body}");
        assert!(!body.contains("scena_runs"), "nothing of the metrics without the token");
    }
    let (status, body) = scrape(Some("m3trics-scraper")).await;
    assert_eq!(status, 200);
    assert!(body.contains("scena_http_requests_total"), "{body}");
}

/// Stopping (SIGTERM) lets a call in flight finish and records it; the run's
/// next call waits for the next start, which continues the run without
/// making the finished call again. A client watching the run's events does
/// not hold the stop up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_server_finishes_the_calls_in_flight_and_starts_no_new_one() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::support::http_fixture::{Fixture, Reply as FixtureReply};

    let (slow_calls, fast_calls) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let fixture = Fixture::start({
        let (slow_calls, fast_calls) = (slow_calls.clone(), fast_calls.clone());
        move |seen| {
            if seen.path == "/slow" {
                slow_calls.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(1500));
            } else {
                fast_calls.fetch_add(1, Ordering::SeqCst);
            }
            FixtureReply::json(200, r#"{"ok": true}"#)
        }
    });
    let mut server = serve_with("api-stop", &["http-request"], &[]);
    let grants = json!({"http": ["127.0.0.1"]});
    assert_eq!(server.admin("PUT", &format!("{}/grants", tenant("default")), Some(grants)).await.status, 200);
    let call = |id: &str, path: &str| json!({"id": id, "kind": "step", "plugin": "http-request", "input": {"url": fixture.url(path)}});
    let flow = json!({"name": "two-calls", "nodes": [{"id": "start", "kind": "start"}, call("slow", "/slow"), call("fast", "/fast"),
        {"id": "end", "kind": "end", "output": {"slow": "${steps.slow.output.status}", "fast": "${steps.fast.output.status}"}}],
      "edges": [{"from": "start", "to": "slow"}, {"from": "slow", "to": "fast"}, {"from": "fast", "to": "end"}]});
    server.publish("default", flow).await;
    let started = server.admin("POST", &format!("{FLOWS}/two-calls/runs?wait_ms=0"), Some(json!({"input": {}}))).await;
    let run_path = format!("/api/v1/tenants/default/runs/{}", started.body["id"].as_str().unwrap());
    for _ in 0..200 {
        if slow_calls.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(slow_calls.load(Ordering::SeqCst), 1, "the slow call never started");

    // Someone watches the run: the open stream must not hold the stop up.
    let watching = scena::tls::client()
        .get(format!("{}{run_path}/events", server.base))
        .bearer_auth(crate::support::server::ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(watching.status(), 200);

    crate::support::cluster::signal(&server, "TERM");
    let exited = exit_within_15s(&mut server).await;
    assert!(exited.success(), "{exited:?}: {}", server.log());
    assert!(server.log().contains("every call in flight finished and was recorded"), "{}", server.log());
    assert_eq!(fast_calls.load(Ordering::SeqCst), 0, "a stopping server started the next call");
    let seen = watching.text().await.unwrap_or_default();
    assert!(!seen.contains("event: end"), "the stream ended as if the run had: {seen}");

    server.restart();
    let run = wait_until_over(&server, &run_path).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["output"], json!({"slow": 200, "fast": 200}));
    assert_eq!(
        (slow_calls.load(Ordering::SeqCst), fast_calls.load(Ordering::SeqCst)),
        (1, 1),
        "the call finished before the stop was not made again"
    );
}

/// A server sent SIGTERM the moment it says it listens stops as a stop asks
/// (exit 0, its stop logged), not killed by a signal it was not listening for
/// yet. The signal goes straight from this process, a few times over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_stopped_the_moment_it_listens_stops_gracefully() {
    for attempt in 0..3 {
        let mut server = serve(&format!("api-stop-at-once-{attempt}"));
        let pid = i32::try_from(server.child.id()).unwrap();
        // SAFETY: kill only sends a signal, to the server this test started.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let exited = exit_within_15s(&mut server).await;
        assert!(exited.success(), "attempt {attempt}: {exited:?}: {}", server.log());
    }
}

/// How the server's process ended, waiting (bounded) for it to.
async fn exit_within_15s(server: &mut crate::support::server::Server) -> std::process::ExitStatus {
    for _ in 0..300 {
        if let Some(exited) = server.child.try_wait().unwrap() {
            return exited;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the server did not stop within 15 s");
}
