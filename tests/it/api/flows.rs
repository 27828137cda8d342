//! Flows through the API: draft, publish, run with controls; bad input gets a
//! clear 4xx and stores nothing; the sample flows.

use serde_json::{Value, json};

use super::*;
use crate::support::repo_root;
use crate::support::server::{ADMIN, Server, serve, serve_with};

/// The standard plugins `scena serve` carries, as the tenant lists them.
const STANDARD_PLUGINS: [&str; 11] = [
    "add",
    "echo",
    "find-hosts",
    "http-check",
    "http-request",
    "kv",
    "metric-gate",
    "notify",
    "push-file",
    "run-script",
    "standin",
];

async fn plugin_names(server: &Server) -> Vec<String> {
    let plugins = server.admin("GET", "/api/v1/tenants/default/plugins", None).await.body;
    plugins["plugins"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_goes_from_draft_to_version_to_runs_with_controls() {
    let server = serve("api-journey");
    // The standard plugins the binary carries (those in the test's `--plugins` dir are the same).
    assert_eq!(plugin_names(&server).await, STANDARD_PLUGINS);

    let saved = server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await;
    assert_eq!((saved.status, &saved.body["problems"]), (200, &json!([])), "{}", saved.body);
    let published = server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await;
    assert_eq!((published.status, &published.body["version"]), (201, &json!(1)), "{}", published.body);
    let again = server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await;
    assert_eq!((again.status, &again.body["created"]), (200, &json!(false)), "unchanged content is not a new version");

    // The run stops at the approval within the wait: 200, status waiting.
    let started = server
        .admin("POST", &format!("{FLOWS}/zones/runs?wait_ms=20000"), Some(json!({"input": {"zone": "eu-1"}})))
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert_eq!(started.body["status"], "waiting");
    assert_eq!(started.body["version"], 1);
    assert_eq!(started.body["nodes"]["count"]["output"], json!({"value": 1}));
    assert_eq!(started.body["nodes"]["gate"]["status"], "awaiting_decision");
    let (count, gate) = (&started.body["nodes"]["count"], &started.body["nodes"]["gate"]);
    assert!(
        count["started_at"].is_string()
            && count["ended_at"].as_str() >= count["started_at"].as_str()
            && count["duration_ms"].is_u64(),
        "{count}"
    );
    assert!(
        gate["started_at"].is_string() && gate["ended_at"].is_null() && gate["duration_ms"].is_null(),
        "reached, not settled: {gate}"
    );
    let id = started.body["id"].as_str().unwrap().to_string();
    let run_path = format!("/api/v1/tenants/default/runs/{id}");

    let early = server.admin("POST", &format!("{run_path}/nodes/end/approve"), None).await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert!(early.body["error"]["message"].as_str().unwrap().contains("not waiting for a decision"));
    let approved =
        server.admin("POST", &format!("{run_path}/nodes/gate/approve"), Some(json!({"comment": "go"}))).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    let done = wait_until_over(&server, &run_path).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["output"], json!({"count": 1, "by": "admin"}));
    let gate = &done["nodes"]["gate"];
    assert!(
        gate["ended_at"].as_str() >= gate["started_at"].as_str() && gate["duration_ms"].is_u64(),
        "settled when approved: {gate}"
    );
    let twice = server.admin("POST", &format!("{run_path}/nodes/gate/approve"), None).await;
    assert_eq!(twice.status, 409);

    // A second run, cancelled while it waits.
    let second = server
        .admin("POST", &format!("{FLOWS}/zones/runs?wait_ms=20000"), Some(json!({"input": {"zone": "eu-1"}})))
        .await;
    let second_path = format!("/api/v1/tenants/default/runs/{}", second.body["id"].as_str().unwrap());
    let cancelled =
        server.admin("POST", &format!("{second_path}/cancel"), Some(json!({"reason": "window closed"}))).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")), "{}", cancelled.body);
    let listed = server.admin("GET", "/api/v1/tenants/default/runs?flow=zones", None).await;
    let statuses: Vec<&str> =
        listed.body["runs"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["cancelled", "succeeded"], "newest first");
    // Paged one by one: each run once, then no `next`.
    let (mut paged, mut cursor) = (Vec::new(), String::new());
    loop {
        let page =
            server.admin("GET", &format!("/api/v1/tenants/default/runs?flow=zones&limit=1{cursor}"), None).await.body;
        paged.extend(page["runs"].as_array().unwrap().iter().map(|r| r["id"].clone()));
        let Some(next) = page["next"].as_str() else { break };
        cursor = format!("&cursor={next}");
    }
    let all: Vec<Value> = listed.body["runs"].as_array().unwrap().iter().map(|r| r["id"].clone()).collect();
    assert_eq!(paged, all);
    let future = server.admin("GET", "/api/v1/tenants/default/runs?since=2999-01-01T00:00:00%2B08:00", None).await;
    assert_eq!((future.status, &future.body["runs"]), (200, &json!([])), "{}", future.body);
    let past = server.admin("GET", "/api/v1/tenants/default/runs?before=2000-01-01T00:00:00Z", None).await;
    assert_eq!(past.body["runs"], json!([]));
    for bad in [
        "since=yesterday",
        "cursor=nonsense",
        "before=2026-13-01T00:00:00Z",
        // Past year 9999 once in UTC: would sort before every stored instant.
        "since=9999-12-31T23:59:59-23:59",
        "before=0000-01-01T00:00:00%2B00:01",
    ] {
        let refused = server.admin("GET", &format!("/api/v1/tenants/default/runs?{bad}"), None).await;
        assert_eq!(
            (refused.status, refused.body["error"]["code"].as_str()),
            (400, Some("bad_request")),
            "{bad}: {}",
            refused.body
        );
    }
    let unknown_action = server.admin("POST", &format!("{run_path}/explode"), None).await;
    assert_eq!(unknown_action.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_4xx_and_stores_nothing() {
    let server = serve("api-bad-input");
    let draft = format!("{FLOWS}/broken/draft");
    let garbage = server.call("PUT", &draft, Some(ADMIN), Some("{not json".into())).await;
    assert_eq!((garbage.status, garbage.body["error"]["code"].as_str()), (400, Some("bad_request")));
    let not_a_flow = server.admin("PUT", &draft, Some(json!({"name": "broken", "nodes": "many"}))).await;
    assert_eq!(not_a_flow.status, 422, "{}", not_a_flow.body);
    assert!(!not_a_flow.body["error"]["details"]["problems"].as_array().unwrap().is_empty());
    let unknown_field =
        server.admin("PUT", &draft, Some(json!({"name": "broken", "nodes": [], "colour": "red"}))).await;
    assert_eq!(unknown_field.status, 422, "{}", unknown_field.body);
    let huge = format!(r#"{{"name": "broken", "description": "{}", "nodes": []}}"#, "x".repeat(2 << 20));
    let too_large = server.call("PUT", &draft, Some(ADMIN), Some(huge)).await;
    assert_eq!((too_large.status, too_large.body["error"]["code"].as_str()), (413, Some("too_large")));
    assert_eq!(server.admin("GET", &format!("{FLOWS}/broken"), None).await.status, 404, "nothing was stored");

    // A cycle is a semantic problem: the draft is kept, with the problem on its node; it cannot be published.
    let cyclic = json!({"name": "loop", "nodes": [{"id": "start", "kind": "start"}, {"id": "a", "kind": "step", "plugin": "echo"},
        {"id": "b", "kind": "step", "plugin": "nope"}, {"id": "end", "kind": "end"}],
        "edges": [{"from": "start", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "a"}, {"from": "a", "to": "end"}]});
    let saved = server.admin("PUT", &format!("{FLOWS}/loop/draft"), Some(cyclic)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let problems = saved.body["problems"].as_array().unwrap();
    assert!(problems.iter().any(|p| p["message"].as_str().unwrap().contains("cycle")), "{problems:?}");
    assert!(
        problems.iter().any(|p| p["node"] == "b" && p["message"].as_str().unwrap().contains("unknown plugin")),
        "{problems:?}"
    );
    let refused = server.admin("POST", &format!("{FLOWS}/loop/versions"), None).await;
    assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (422, Some("invalid_flow")));
    assert_eq!(server.admin("GET", &format!("{FLOWS}/loop/versions"), None).await.body["versions"], json!([]));
    let mismatch = server.admin("PUT", &format!("{FLOWS}/other/draft"), Some(counting_flow("zones"))).await;
    assert_eq!(mismatch.status, 422);

    // Runs: an unpublished flow, an input against the schema, unknown body fields.
    let unpublished = server.admin("POST", &format!("{FLOWS}/loop/runs"), None).await;
    assert_eq!(unpublished.status, 404);
    server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await;
    server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await;
    let wrong_input = server.admin("POST", &format!("{FLOWS}/zones/runs"), Some(json!({"input": {"zone": 7}}))).await;
    assert_eq!((wrong_input.status, wrong_input.body["error"]["code"].as_str()), (422, Some("invalid_input")));
    let violations = &wrong_input.body["error"]["details"]["violations"];
    assert!(
        violations[0].as_str().is_some_and(|v| v.starts_with("/zone")),
        "each violation names its place: {violations}"
    );
    let extra = server
        .admin("POST", &format!("{FLOWS}/zones/runs"), Some(json!({"input": {"zone": "a"}, "priority": 1})))
        .await;
    assert_eq!(extra.status, 422);
    assert_eq!(
        server.admin("GET", "/api/v1/tenants/default/runs", None).await.body["runs"],
        json!([]),
        "no run was started"
    );
    let not_a_number = server.admin("GET", &format!("{FLOWS}/zones/versions/first"), None).await;
    assert_eq!(
        (not_a_number.status, not_a_number.body["error"]["code"].as_str()),
        (400, Some("bad_request")),
        "{}",
        not_a_number.body
    );
    let missing_run = server.admin("GET", "/api/v1/tenants/default/runs/no-such-run", None).await;
    assert_eq!(missing_run.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_samples_the_release_flow_is_published_and_runs() {
    let samples = repo_root().join("samples/flows");
    let server = serve_with(
        "api-samples",
        &["echo", "add", "kv", "http-request", "standin"],
        &["--samples", samples.to_str().unwrap()],
    );
    let flows = server.admin("GET", FLOWS, None).await.body;
    let release = flows["flows"].as_array().unwrap().iter().find(|f| f["name"] == "version-release").cloned();
    assert_eq!(release, Some(json!({"name": "version-release", "latest_version": 1})), "{flows}");
    let input = json!({"version": "1.4.2", "previous_version": "1.4.1", "zones": ["eu-1", "eu-2"]});
    let ran = server
        .admin("POST", &format!("{FLOWS}/version-release/runs?wait_ms=30000"), Some(json!({"input": input})))
        .await;
    assert_eq!((ran.status, &ran.body["status"]), (200, &json!("succeeded")), "{}", ran.body);
    assert_eq!(ran.body["output"], json!({"result": "released", "version": "1.4.2", "zones": ["eu-1", "eu-2"]}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_started_with_no_flags_serves_the_standard_plugins_and_runs_the_samples() {
    let server = crate::support::server::serve_bare("api-bare");
    assert_eq!(plugin_names(&server).await, STANDARD_PLUGINS, "carried inside the binary");
    let flows = server.admin("GET", FLOWS, None).await.body;
    let published: Vec<&str> = flows["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["latest_version"] == 1)
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        published,
        [
            "capacity-expansion",
            "gray-release-host",
            "gray-release-metric-gate",
            "machine-replacement",
            "mass-stop",
            "new-zone",
            "version-release",
            "version-release-gray",
            "version-release-on-hosts"
        ],
        "{flows}"
    );
    let input = json!({"version": "1.4.2", "previous_version": "1.4.1", "zones": ["eu-1", "eu-2"]});
    let ran = server
        .admin("POST", &format!("{FLOWS}/version-release/runs?wait_ms=30000"), Some(json!({"input": input})))
        .await;
    assert_eq!((ran.status, &ran.body["status"]), (200, &json!("succeeded")), "{}", ran.body);

    // A restart publishes no second version over what is there.
    let mut server = server;
    server.restart();
    let again = server.admin("GET", &format!("{FLOWS}/version-release"), None).await.body;
    assert_eq!(again["versions"].as_array().unwrap().len(), 1, "{again}");
}

/// `PUT …/draft` with a condition, as the studio saves: (status, body, ETag).
async fn save_if(server: &Server, name: &str, flow: &Value, condition: Option<(&str, &str)>) -> (u16, Value, String) {
    let mut request = scena::tls::client()
        .put(format!("{}{FLOWS}/{name}/draft", server.base))
        .header("Authorization", format!("Bearer {ADMIN}"))
        .header("Content-Type", "application/json")
        .body(flow.to_string());
    if let Some((header, value)) = condition {
        request = request.header(header, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, serde_json::from_str(&response.text().await.unwrap()).unwrap(), etag)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_saved_over_someone_elses_change_is_refused_not_lost() {
    let server = serve("draft-revisions");
    let mine = counting_flow("rev");
    let (status, body, etag) = save_if(&server, "rev", &mine, Some(("If-None-Match", "*"))).await;
    assert_eq!((status, &body["revision"], etag.as_str()), (200, &json!(1), "\"1\""), "{body}");
    let (status, body, _) = save_if(&server, "rev", &mine, Some(("If-None-Match", "*"))).await;
    assert_eq!((status, &body["error"]["code"]), (412, &json!("draft_changed")), "creating twice: {body}");

    // Someone else saves meanwhile; saving over revision 1 is refused with the revision there now.
    let mut theirs = mine.clone();
    theirs["nodes"][1]["title"] = json!("theirs");
    let (status, body, _) = save_if(&server, "rev", &theirs, Some(("If-Match", "\"1\""))).await;
    assert_eq!((status, &body["revision"]), (200, &json!(2)), "{body}");
    let mut late = mine.clone();
    late["nodes"][1]["title"] = json!("mine");
    let (status, body, _) = save_if(&server, "rev", &late, Some(("If-Match", "\"1\""))).await;
    assert_eq!((status, &body["error"]["details"]["revision"]), (412, &json!(2)), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("revision 2"), "{body}");
    let shown = server.admin("GET", &format!("{FLOWS}/rev"), None).await;
    assert_eq!(shown.body["draft"]["flow"]["nodes"][1]["title"], "theirs", "the refused save changed nothing");
    assert_eq!(shown.body["draft"]["revision"], 2);
    // Saving on top of what is there now works.
    let (status, body, etag) = save_if(&server, "rev", &late, Some(("If-Match", "\"2\""))).await;
    assert_eq!((status, etag.as_str()), (200, "\"3\""), "{body}");
    // A save without a condition still saves (scripts, the CLI).
    let (status, body, _) = save_if(&server, "rev", &mine, None).await;
    assert_eq!((status, &body["revision"]), (200, &json!(4)));
    // Malformed conditions are the caller's mistake.
    for condition in [("If-Match", "yesterday"), ("If-None-Match", "\"4\"")] {
        let (status, body, _) = save_if(&server, "rev", &mine, Some(condition)).await;
        assert_eq!(status, 400, "{condition:?}: {body}");
    }
    let (status, _, _) = save_if(&server, "other", &counting_flow("other"), Some(("If-Match", "\"1\""))).await;
    assert_eq!(status, 412, "no draft to update");
}
