//! The HTTP API against a real `scena serve` process: authentication, the
//! error shape, drafts with problems, publishing, runs with `wait_ms`, run
//! controls, tenant isolation, and bad input that changes nothing.

mod support;

use serde_json::{json, Value};
use sha2::Digest as _;
use support::repo_root;
use scena::api::RouteAction;
use support::server::{concrete, serve, serve_logging, serve_with, Reply, Server, ADMIN};

fn counting_flow(name: &str) -> Value {
    json!({"name": name, "inputs": {"type": "object", "required": ["zone"], "properties": {"zone": {"type": "string"}}},
      "nodes": [{"id": "start", "kind": "start"},
                {"id": "count", "kind": "step", "plugin": "kv", "input": {"op": "increment", "key": "${inputs.zone}"}},
                {"id": "gate", "kind": "approval", "assignees": ["role:operator"]},
                {"id": "end", "kind": "end", "output": {"count": "${steps.count.output.value}", "by": "${steps.gate.output.by}"}}],
      "edges": [{"from": "start", "to": "count"}, {"from": "count", "to": "gate"}, {"from": "gate", "to": "end"}]})
}

const FLOWS: &str = "/api/v1/tenants/default/flows";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_no_token_another_tenant_and_a_role_without_the_permission() {
    let server = serve("api-isolation");
    let health = server.call("GET", "/healthz", None, None).await;
    assert_eq!((health.status, health.body["status"].as_str()), (200, Some("ok")));
    assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": "blue"}))).await.status, 201);
    let viewer = server.member("vera", "default", "viewer").await;
    let outsider = server.member("otto", "blue", "owner").await;
    let outsider_token = server.tenant_token(&outsider, "blue", "owner").await;
    for route in scena::api::ROUTES {
        let (method, path) = (route.method, concrete(route.path, "default"));
        for token in [None, Some("not-a-token")] {
            let reply = server.call(method, &path, token, None).await;
            assert_eq!(reply.status, 401, "{method} {path} with {token:?}: {}", reply.body);
            assert_eq!(reply.body["error"]["code"], "unauthorized", "{method} {path}");
        }
        let expected = match route.action {
            RouteAction::Platform | RouteAction::Own => 403, // only the platform admin (or the user themselves)
            RouteAction::SignedIn => 200, // not about a tenant: everyone sees their own
            _ => 404,                     // another tenant's owner sees nothing here
        };
        for (who, token) in [("another tenant's owner", &outsider), ("another tenant's API token", &outsider_token)] {
            let reply = server.call(method, &path, Some(token), None).await;
            assert_eq!(reply.status, expected, "{method} {path} by {who}: {}", reply.body);
        }
        let may_read = matches!(route.action, RouteAction::Is("read") | RouteAction::SignedIn);
        let reply = server.call(method, &path, Some(&viewer), None).await;
        if may_read {
            assert_ne!(reply.status, 403, "{method} {path} by a viewer: {}", reply.body);
        } else {
            assert_eq!(reply.status, 403, "{method} {path} by a viewer: {}", reply.body);
            assert_eq!(reply.body["error"]["code"], "forbidden");
        }
        // A tenant that does not exist looks like any unknown resource, even to the admin.
        if route.path.contains("{tenant}") {
            let reply = server.admin(method, &concrete(route.path, "nowhere"), None).await;
            assert_eq!(reply.status, 404, "{method} {path} in a missing tenant: {}", reply.body);
        }
    }
    let tenants = server.call("GET", "/api/v1/tenants", Some(&outsider_token), None).await;
    assert_eq!(tenants.body["tenants"], json!([{"name": "blue", "role": "owner"}]), "a tenant token sees its tenant only");
    assert_eq!(server.admin("GET", "/api/v1/nope", None).await.status, 404);
    assert_eq!(server.login("vera", "wrong password").await, None);
    assert_eq!(server.login("nobody", "correct horse").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_decide_what_members_may_do_and_nobody_grants_above_their_own() {
    let server = serve("api-roles");
    let server = &server;
    server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await;
    server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await;
    let developer = server.member("dana", "default", "developer").await;
    let operator = server.member("omar", "default", "operator").await;
    let admin = server.member("ada", "default", "admin").await;
    let start = |token: String| async move {
        let body = json!({"input": {"zone": "eu-1"}}).to_string();
        server.call("POST", &format!("{FLOWS}/zones/runs?wait_ms=20000"), Some(&token), Some(body)).await
    };
    let run = start(developer.clone()).await;
    assert_eq!(run.body["status"], "waiting", "{}", run.body);
    let gate = format!("/api/v1/tenants/default/runs/{}/nodes/gate/approve", run.body["id"].as_str().unwrap());
    assert_eq!(server.call("POST", &gate, Some(&developer), None).await.status, 403, "developers do not approve");
    assert_eq!(server.call("POST", &gate, Some(&operator), None).await.status, 200, "operators do");
    let draft = server.call("PUT", &format!("{FLOWS}/zones/draft"), Some(&operator), Some(counting_flow("zones").to_string())).await;
    assert_eq!(draft.status, 403, "operators do not edit");

    // An admin may not make anyone an owner; the platform admin may.
    let grant = |token: String, role: &'static str| async move {
        let body = json!({"role": role}).to_string();
        server.call("PUT", "/api/v1/tenants/default/members/dana", Some(&token), Some(body)).await.status
    };
    assert_eq!(grant(admin.clone(), "owner").await, 403);
    assert_eq!(grant(admin.clone(), "operator").await, 200);
    assert_eq!(grant(ADMIN.to_string(), "owner").await, 200);
    assert_eq!(grant(ADMIN.to_string(), "emperor").await, 422);

    // An operator limited to named flows runs those only.
    let limited = json!({"role": "operator", "flows": ["hotfix"]}).to_string();
    assert_eq!(server.call("PUT", "/api/v1/tenants/default/members/omar", Some(ADMIN), Some(limited)).await.status, 200);
    assert_eq!(start(operator.clone()).await.status, 403);
    let removed = server.call("DELETE", "/api/v1/tenants/default/members/omar", Some(ADMIN), None).await;
    assert_eq!(removed.status, 204);
    assert_eq!(server.call("GET", FLOWS, Some(&operator), None).await.status, 404, "a former member sees nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_goes_from_draft_to_version_to_runs_with_controls() {
    let server = serve("api-journey");
    let plugins = server.admin("GET", "/api/v1/tenants/default/plugins", None).await;
    let names: Vec<&str> = plugins.body["plugins"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    // The standard plugins the binary carries (those in the test's `--plugins` dir are the same).
    assert_eq!(names, ["add", "echo", "http-request", "kv", "standin"]);

    let saved = server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await;
    assert_eq!((saved.status, &saved.body["problems"]), (200, &json!([])), "{}", saved.body);
    let published = server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await;
    assert_eq!((published.status, &published.body["version"]), (201, &json!(1)), "{}", published.body);
    let again = server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await;
    assert_eq!((again.status, &again.body["created"]), (200, &json!(false)), "unchanged content is not a new version");

    // The run stops at the approval within the wait: 200, status waiting.
    let started = server.admin("POST", &format!("{FLOWS}/zones/runs?wait_ms=20000"), Some(json!({"input": {"zone": "eu-1"}}))).await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert_eq!(started.body["status"], "waiting");
    assert_eq!(started.body["version"], 1);
    assert_eq!(started.body["nodes"]["count"]["output"], json!({"value": 1}));
    assert_eq!(started.body["nodes"]["gate"]["status"], "awaiting_decision");
    let (count, gate) = (&started.body["nodes"]["count"], &started.body["nodes"]["gate"]);
    assert!(count["started_at"].is_string() && count["ended_at"].as_str() >= count["started_at"].as_str() && count["duration_ms"].is_u64(), "{count}");
    assert!(gate["started_at"].is_string() && gate["ended_at"].is_null() && gate["duration_ms"].is_null(), "reached, not settled: {gate}");
    let id = started.body["id"].as_str().unwrap().to_string();
    let run_path = format!("/api/v1/tenants/default/runs/{id}");

    let early = server.admin("POST", &format!("{run_path}/nodes/end/approve"), None).await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert!(early.body["error"]["message"].as_str().unwrap().contains("not waiting for a decision"));
    let approved = server.admin("POST", &format!("{run_path}/nodes/gate/approve"), Some(json!({"comment": "go"}))).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    let done = wait_until_over(&server, &run_path).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["output"], json!({"count": 1, "by": "admin"}));
    let gate = &done["nodes"]["gate"];
    assert!(gate["ended_at"].as_str() >= gate["started_at"].as_str() && gate["duration_ms"].is_u64(), "settled when approved: {gate}");
    let twice = server.admin("POST", &format!("{run_path}/nodes/gate/approve"), None).await;
    assert_eq!(twice.status, 409);

    // A second run, cancelled while it waits.
    let second = server.admin("POST", &format!("{FLOWS}/zones/runs?wait_ms=20000"), Some(json!({"input": {"zone": "eu-1"}}))).await;
    let second_path = format!("/api/v1/tenants/default/runs/{}", second.body["id"].as_str().unwrap());
    let cancelled = server.admin("POST", &format!("{second_path}/cancel"), Some(json!({"reason": "window closed"}))).await;
    assert_eq!((cancelled.status, &cancelled.body["status"]), (200, &json!("cancelled")), "{}", cancelled.body);
    let listed = server.admin("GET", "/api/v1/tenants/default/runs?flow=zones", None).await;
    let statuses: Vec<&str> = listed.body["runs"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["cancelled", "succeeded"], "newest first");
    // Paged one by one: each run once, then no `next`.
    let (mut paged, mut cursor) = (Vec::new(), String::new());
    loop {
        let page = server.admin("GET", &format!("/api/v1/tenants/default/runs?flow=zones&limit=1{cursor}"), None).await.body;
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
    for bad in ["since=yesterday", "cursor=nonsense", "before=2026-13-01T00:00:00Z"] {
        let refused = server.admin("GET", &format!("/api/v1/tenants/default/runs?{bad}"), None).await;
        assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (400, Some("bad_request")), "{bad}: {}", refused.body);
    }
    let unknown_action = server.admin("POST", &format!("{run_path}/explode"), None).await;
    assert_eq!(unknown_action.status, 404);
}

async fn wait_until_over(server: &Server, run_path: &str) -> Value {
    for _ in 0..600 {
        let run = server.admin("GET", run_path, None).await.body;
        if ["succeeded", "failed", "cancelled"].contains(&run["status"].as_str().unwrap_or("")) {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the run did not end");
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
    let unknown_field = server.admin("PUT", &draft, Some(json!({"name": "broken", "nodes": [], "colour": "red"}))).await;
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
    assert!(problems.iter().any(|p| p["node"] == "b" && p["message"].as_str().unwrap().contains("unknown plugin")), "{problems:?}");
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
    assert!(violations[0].as_str().is_some_and(|v| v.starts_with("/zone")), "each violation names its place: {violations}");
    let extra = server.admin("POST", &format!("{FLOWS}/zones/runs"), Some(json!({"input": {"zone": "a"}, "priority": 1}))).await;
    assert_eq!(extra.status, 422);
    assert_eq!(server.admin("GET", "/api/v1/tenants/default/runs", None).await.body["runs"], json!([]), "no run was started");
    let not_a_number = server.admin("GET", &format!("{FLOWS}/zones/versions/first"), None).await;
    assert_eq!((not_a_number.status, not_a_number.body["error"]["code"].as_str()), (400, Some("bad_request")), "{}", not_a_number.body);
    let missing_run = server.admin("GET", "/api/v1/tenants/default/runs/no-such-run", None).await;
    assert_eq!(missing_run.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_samples_the_release_flow_is_published_and_runs() {
    let samples = repo_root().join("samples/flows");
    let server = serve_with("api-samples", &["echo", "add", "kv", "http-request", "standin"], &["--samples", samples.to_str().unwrap()]);
    let flows = server.admin("GET", FLOWS, None).await.body;
    let release = flows["flows"].as_array().unwrap().iter().find(|f| f["name"] == "version-release").cloned();
    assert_eq!(release, Some(json!({"name": "version-release", "latest_version": 1})), "{flows}");
    let input = json!({"version": "1.4.2", "previous_version": "1.4.1", "zones": ["eu-1", "eu-2"]});
    let ran = server.admin("POST", &format!("{FLOWS}/version-release/runs?wait_ms=30000"), Some(json!({"input": input}))).await;
    assert_eq!((ran.status, &ran.body["status"]), (200, &json!("succeeded")), "{}", ran.body);
    assert_eq!(ran.body["output"], json!({"result": "released", "version": "1.4.2", "zones": ["eu-1", "eu-2"]}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutations_are_audited_with_who_what_and_how_they_ended() {
    let server = serve("api-audit");
    let ana = server.member("ana", "default", "viewer").await;
    assert_eq!(server.login("ana", "not her password").await, None);
    let refused = server.call("PUT", &format!("{FLOWS}/zones/draft"), Some(&ana), Some(counting_flow("zones").to_string())).await;
    assert_eq!(refused.status, 403);
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await.status, 200);
    assert_eq!(server.admin("GET", FLOWS, None).await.status, 200, "reads are not audited");

    assert_eq!(server.call("GET", "/api/v1/tenants/default/audit", Some(&ana), None).await.status, 403, "viewers do not read the audit log");
    let log = server.admin("GET", "/api/v1/tenants/default/audit", None).await.body["entries"].clone();
    let rows: Vec<(String, String, String, i64)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["who"].as_str().unwrap().into(), e["action"].as_str().unwrap().into(), e["resource"].as_str().unwrap().into(), e["status"].as_i64().unwrap()))
        .collect();
    let draft = format!("{FLOWS}/zones/draft");
    assert_eq!(
        rows,
        vec![
            ("admin".into(), "edit".into(), draft.clone(), 200),
            ("ana".into(), "edit".into(), draft, 403),
            ("admin".into(), "manage_members".into(), "/api/v1/tenants/default/members/ana".into(), 200),
        ]
    );
    let newest = log[0]["id"].as_i64().unwrap();
    let older = server.admin("GET", &format!("/api/v1/tenants/default/audit?before={newest}&limit=1"), None).await.body;
    assert_eq!(older["entries"][0]["who"], "ana", "paged by id");

    let platform = server.admin("GET", "/api/v1/audit", None).await.body["entries"].clone();
    let logins: Vec<(&str, i64)> = platform
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"] == "/api/v1/auth/login")
        .map(|e| (e["who"].as_str().unwrap(), e["status"].as_i64().unwrap()))
        .collect();
    assert_eq!(logins, vec![("ana", 401), ("ana", 200)], "failed logins are kept, under the name tried");
    assert!(platform.as_array().unwrap().iter().any(|e| e["resource"] == "/api/v1/users" && e["who"] == "admin" && e["status"] == 201));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_events_replay_the_history_then_stream_live_until_the_end() {
    let server = serve("api-events");
    server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await;
    server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await;
    let run = server.admin("POST", &format!("{FLOWS}/zones/runs?wait_ms=20000"), Some(json!({"input": {"zone": "eu-1"}}))).await;
    assert_eq!(run.body["status"], "waiting");
    let run_path = format!("/api/v1/tenants/default/runs/{}", run.body["id"].as_str().unwrap());

    let client = reqwest::Client::new();
    let mut stream = client.get(format!("{}{run_path}/events", server.base)).bearer_auth(ADMIN).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut text = String::new();
    let mut approved = false;
    while let Some(chunk) = stream.chunk().await.unwrap() {
        text.push_str(&String::from_utf8_lossy(&chunk));
        // Once the replay reached the approval, decide it: the rest arrives live.
        if !approved && text.contains("\"type\":\"step_finished\"") {
            let decided = server.admin("POST", &format!("{run_path}/nodes/gate/approve"), None).await;
            assert_eq!(decided.status, 200, "{}", decided.body);
            approved = true;
        }
        if text.contains("event: end") {
            break;
        }
    }
    let kinds: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("event: ")).filter(|k| *k != "run_resumed").collect();
    assert_eq!(kinds, ["run_started", "step_started", "step_finished", "decided", "end"], "{text}");
    let ids: Vec<u64> = text.lines().filter_map(|l| l.strip_prefix("id: ")).map(|i| i.parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids rise: {ids:?}");

    // Reconnecting after the second event replays only what followed it.
    let again = client.get(format!("{}{run_path}/events", server.base)).bearer_auth(ADMIN).header("Last-Event-ID", ids[1].to_string()).send().await.unwrap();
    let rest = again.text().await.unwrap();
    assert!(!rest.contains("event: run_started") && !rest.contains("event: step_started") && rest.contains("event: decided"), "{rest}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_starts_runs_until_it_is_rotated_or_removed() {
    // Logging every request, to show the ids stay out of the server's log too.
    let server = serve_logging("api-webhook", &["echo", "kv"], &[], Some("debug"));
    let hook_of = |reply: &Reply| reply.body["path"].as_str().unwrap().to_string();
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/zones/webhook"), None).await.status, 404, "no published version yet");
    server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await;
    server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await;
    let first = hook_of(&server.admin("PUT", &format!("{FLOWS}/zones/webhook"), None).await);

    let fired = server.call("POST", &first, None, Some(json!({"zone": "hooked"}).to_string())).await;
    assert_eq!(fired.status, 202, "{}", fired.body);
    let run = wait_until(&server, &format!("/api/v1/tenants/default/runs/{}", fired.body["run"].as_str().unwrap()), "waiting").await;
    assert_eq!(run["input"], json!({"zone": "hooked"}));
    let bad = server.call("POST", &first, None, Some(json!({"zone": 5}).to_string())).await;
    assert_eq!((bad.status, bad.body["error"]["code"].as_str()), (422, Some("invalid_input")));
    assert_eq!(server.call("POST", &first, None, Some("{oops".into())).await.status, 400);

    let id = first.trim_start_matches("/hooks/");
    let hashed = hex::encode(sha2::Sha256::digest(id.as_bytes()));
    assert!(!server.database_holds(id) && server.database_holds(&hashed), "a webhook id is stored as its sha256 only");
    let second = hook_of(&server.admin("PUT", &format!("{FLOWS}/zones/webhook"), None).await);
    assert_ne!(first, second);
    assert_eq!(server.call("POST", &first, None, Some("{}".into())).await.status, 404, "the rotated id stops working");
    assert_eq!(server.call("POST", &second, None, Some(json!({"zone": "b"}).to_string())).await.status, 202);
    assert_eq!(server.admin("DELETE", &format!("{FLOWS}/zones/webhook"), None).await.status, 204);
    assert_eq!(server.call("POST", &second, None, Some("{}".into())).await.status, 404);

    let log = server.admin("GET", "/api/v1/tenants/default/audit", None).await.body["entries"].clone();
    let hooks: Vec<&Value> = log.as_array().unwrap().iter().filter(|e| e["resource"] == "/hooks/…").collect();
    assert!(hooks.iter().any(|e| e["who"] == "webhook of zones" && e["status"] == 202), "{log}");
    assert!(!log.to_string().contains(second.trim_start_matches("/hooks/")), "webhook ids stay out of the audit log");
    for _ in 0..600 {
        if server.log().contains("path=/hooks/…") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let server_log = server.log();
    assert!(server_log.contains("path=/hooks/…"), "requests are logged at debug level: {server_log}");
    for id in [&first, &second] {
        assert!(!server_log.contains(id.trim_start_matches("/hooks/")), "webhook ids stay out of the server's log");
    }
}

async fn wait_until(server: &Server, run_path: &str, status: &str) -> Value {
    for _ in 0..600 {
        let run = server.admin("GET", run_path, None).await.body;
        if run["status"] == status {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the run never reached {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_keeps_people_flows_runs_state_and_audit() {
    let mut server = serve("api-restart");
    let ann = server.member("ann", "default", "operator").await;
    let saved = server.admin("PUT", &format!("{FLOWS}/zones/draft"), Some(counting_flow("zones"))).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/zones/versions"), None).await.status, 201);
    let waiting = server.call("POST", &format!("{FLOWS}/zones/runs?wait_ms=20000"), Some(&ann), Some(json!({"input": {"zone": "eu-1"}}).to_string())).await;
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
    let next = server.admin("POST", &format!("{FLOWS}/zones/runs?wait_ms=20000"), Some(json!({"input": {"zone": "eu-1"}}))).await;
    assert_eq!(next.body["nodes"]["count"]["output"], json!({"value": 2}), "the kv counter was kept: {}", next.body);
    let versions = server.admin("GET", &format!("{FLOWS}/zones/versions"), None).await;
    assert_eq!(versions.body["versions"].as_array().map(Vec::len), Some(1), "{}", versions.body);
    let audit = server.admin("GET", "/api/v1/tenants/default/audit?limit=100", None).await;
    let actions: Vec<&str> = audit.body["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"publish") && actions.contains(&"approve"), "before and after the restart: {actions:?}");
}

#[test]
fn a_database_url_it_cannot_use_is_refused_clearly_without_its_password() {
    let dir = support::TempDir::new("api-bad-db");
    for (url, expected) in [
        ("mysql://root:hunter2@127.0.0.1/test", "unsupported database URL `mysql://root:***@127.0.0.1/test`"),
        ("postgres://postgres:hunter2@127.0.0.1:1/test", "cannot open database postgres://postgres:***@127.0.0.1:1/test"),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_is_decided_by_its_assignees_or_an_owner_or_admin() {
    let server = serve("api-assignees");
    let mut flow = counting_flow("guarded");
    flow["nodes"][2]["assignees"] = json!(["alice"]);
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/guarded/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/guarded/versions"), None).await.status, 201);
    let alice = server.member("alice", "default", "operator").await;
    let bob = server.member("bob", "default", "operator").await;
    let ada = server.member("ada", "default", "admin").await;
    let runs = format!("{FLOWS}/guarded/runs?wait_ms=20000");
    let start = || server.call("POST", &runs, Some(&bob), Some(json!({"input": {"zone": "z"}}).to_string()));

    let first = start().await;
    let run_path = format!("/api/v1/tenants/default/runs/{}", first.body["id"].as_str().unwrap());
    for action in ["approve", "reject"] {
        let refused = server.call("POST", &format!("{run_path}/nodes/gate/{action}"), Some(&bob), None).await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        assert!(refused.body["error"]["message"].as_str().unwrap().contains("node `gate` is for alice to decide"), "{}", refused.body);
    }
    let still = server.call("GET", &run_path, Some(&bob), None).await;
    assert_eq!(still.body["nodes"]["gate"]["status"], "awaiting_decision", "a refused decision changes nothing");
    let approved = server.call("POST", &format!("{run_path}/nodes/gate/approve"), Some(&alice), None).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(wait_until_over(&server, &run_path).await["output"]["by"], "alice");

    // Owners and admins may decide any approval; the decision names them.
    let second = start().await;
    let second_path = format!("/api/v1/tenants/default/runs/{}", second.body["id"].as_str().unwrap());
    assert_eq!(server.call("POST", &format!("{second_path}/nodes/gate/reject"), Some(&ada), None).await.status, 200);
    assert_eq!(wait_until_over(&server, &second_path).await["status"], "failed");

    // A role that does not exist is a problem of the draft, shown on its node.
    let mut typo = counting_flow("typo");
    typo["nodes"][2]["assignees"] = json!(["role:release-manager"]);
    let saved = server.admin("PUT", &format!("{FLOWS}/typo/draft"), Some(typo)).await;
    assert_eq!(saved.body["problems"][0]["node"], "gate", "{}", saved.body);
    assert!(saved.body["problems"][0]["message"].as_str().unwrap().contains("names no role"), "{}", saved.body);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/typo/versions"), None).await.status, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_nobody_decides_is_decided_by_its_timeout_even_across_a_restart() {
    let mut server = serve("api-approval-timeout");
    let mut flow = counting_flow("timed");
    flow["nodes"][2]["timeout_ms"] = json!(3000);
    flow["nodes"][2]["on_timeout"] = json!("approve");
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/timed/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/timed/versions"), None).await.status, 201);
    let waiting = server.admin("POST", &format!("{FLOWS}/timed/runs?wait_ms=20000"), Some(json!({"input": {"zone": "z"}}))).await;
    assert_eq!(waiting.body["status"], "waiting", "{}", waiting.body);
    let run_path = format!("/api/v1/tenants/default/runs/{}", waiting.body["id"].as_str().unwrap());

    // Nobody decides; the server is even restarted while the run waits.
    server.restart();
    let done = wait_until_over(&server, &run_path).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["output"], json!({"count": 1, "by": "timeout"}), "{done}");
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
    let run = || support::scena(&dir, &["flow", "run", flow, "--plugins", plugins.to_str().unwrap()]);
    let refused = [run(), support::scena(&dir, &["flow", "publish", flow])];
    for ran in &refused {
        assert!(ran.code != 0 && ran.reason().contains("a scena server is using"), "{ran:?}");
    }
    let listed = support::scena(&dir, &["flow", "runs"]);
    assert_eq!((listed.code, listed.stdout.as_str()), (0, ""), "reading is allowed, and nothing was written: {listed:?}");
    // The claim is the server process's: it ends with it.
    let _ = server.child.kill();
    let _ = server.child.wait();
    let after = run();
    assert_eq!(after.code, 0, "{after:?}");
    assert!(support::scena(&dir, &["flow", "runs"]).stdout.contains("beside"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_data_dir_or_database_refuses_to_start() {
    let server = serve("api-one-server");
    let (status, stderr) = server.second_server(None);
    assert!(!status.success() && stderr.contains("another scena process is using the data dir"), "{stderr}");
    if server.on_postgres() {
        let elsewhere = support::TempDir::new("api-one-server-other-dir");
        let (status, stderr) = server.second_server(Some(&elsewhere));
        assert!(!status.success() && stderr.contains("another scena server is using this database"), "{stderr}");
    }
    assert_eq!(server.admin("GET", FLOWS, None).await.status, 200, "the first server goes on");
}

/// Publish `counting_flow(name)` with the gate's assignees set to `assignees`.
async fn publish_counting(server: &Server, name: &str, assignees: Value) {
    let mut flow = counting_flow(name);
    flow["nodes"][2]["assignees"] = assignees;
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/{name}/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/{name}/versions"), None).await.status, 201);
}

/// A run of `flow` started by the platform admin, waiting at its gate: its path.
async fn waiting_run(server: &Server, flow: &str) -> String {
    let run = server.admin("POST", &format!("{FLOWS}/{flow}/runs?wait_ms=20000"), Some(json!({"input": {"zone": "z"}}))).await;
    assert_eq!(run.body["status"], "waiting", "{}", run.body);
    format!("/api/v1/tenants/default/runs/{}", run.body["id"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_invitations_carry_only_rights_their_maker_holds_now() {
    let server = serve("api-rights");
    publish_counting(&server, "zones", json!(["role:operator"])).await;
    let dana = server.member("dana", "default", "developer").await;
    let ada = server.member("ada", "default", "admin").await;
    let tokens = "/api/v1/tenants/default/tokens";
    let make = |token: String, body: Value| {
        let server = &server;
        async move { server.call("POST", tokens, Some(&token), Some(body.to_string())).await }
    };

    // Roles are not a ladder: a developer holds no approve or operate right to hand out.
    let minted = make(dana.clone(), json!({"name": "x", "role": "operator"})).await;
    assert_eq!(minted.status, 403, "{}", minted.body);
    for role in ["developer", "viewer"] {
        assert_eq!(make(dana.clone(), json!({"name": role, "role": role})).await.status, 201, "{role}");
    }

    // A token acts with the rights both it and its maker hold now.
    let operator = make(ada.clone(), json!({"name": "ops", "role": "operator"})).await.body["token"].as_str().unwrap().to_string();
    let run = waiting_run(&server, "zones").await;
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(json!({"role": "developer"}))).await.status, 200);
    for action in ["nodes/gate/approve", "nodes/gate/skip", "nodes/gate/force-fail", "cancel"] {
        let refused = server.call("POST", &format!("{run}/{action}"), Some(&operator), None).await;
        assert_eq!(refused.status, 403, "{action} with an operator token of a member now developer: {}", refused.body);
    }
    let draft = server.call("PUT", &format!("{FLOWS}/zones/draft"), Some(&operator), Some(counting_flow("zones").to_string())).await;
    assert_eq!(draft.status, 403, "nor what only the maker may do: {}", draft.body);
    assert_eq!(server.call("GET", &run, Some(&operator), None).await.body["status"], "waiting", "refusals change nothing");

    // An invitation grants what its maker may grant when it is accepted.
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(json!({"role": "admin"}))).await.status, 200);
    let invited = server.call("POST", "/api/v1/tenants/default/invitations", Some(&ada), Some(json!({"role": "admin"}).to_string())).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let accept = format!("/api/v1/invitations/{}/accept", invited.body["code"].as_str().unwrap());
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(json!({"role": "viewer"}))).await.status, 200);
    let joining = json!({"username": "ivan", "password": "correct horse"}).to_string();
    let refused = server.call("POST", &accept, None, Some(joining.clone())).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("may no longer grant `admin`"), "{}", refused.body);
    assert!(server.login("ivan", "correct horse").await.is_none(), "a refused acceptance makes nobody");
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/ada", Some(json!({"role": "admin"}))).await.status, 200);
    let joined = server.call("POST", &accept, None, Some(joining)).await;
    assert_eq!((joined.status, &joined.body["role"]), (201, &json!("admin")), "{}", joined.body);

    // A far expiry is a 422, not an overflow.
    for far in ["999999999999d", "99999999999999999999999d", "20000y"] {
        let token = make(dana.clone(), json!({"name": "far", "role": "viewer", "expires_in": far})).await;
        assert_eq!((token.status, &token.body["error"]["code"]), (422, &json!("invalid_expiry")), "{far}: {}", token.body);
        let body = json!({"role": "viewer", "expires_in": far}).to_string();
        let invitation = server.call("POST", "/api/v1/tenants/default/invitations", Some(&ada), Some(body)).await;
        assert_eq!((invitation.status, &invitation.body["error"]["code"]), (422, &json!("invalid_expiry")), "{far}: {}", invitation.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_touches_a_member_above_them_and_a_tenant_keeps_an_owner() {
    let server = serve("api-owners");
    let olga = server.member("olga", "default", "owner").await;
    let ada = server.member("ada", "default", "admin").await;
    server.member("dev", "default", "developer").await;
    let member = |name: &str| format!("/api/v1/tenants/default/members/{name}");
    let set = |token: String, name: &'static str, role: &'static str| {
        let server = &server;
        async move { server.call("PUT", &format!("/api/v1/tenants/default/members/{name}"), Some(&token), Some(json!({"role": role}).to_string())).await }
    };

    let demoted = set(ada.clone(), "olga", "viewer").await;
    assert_eq!(demoted.status, 403, "an admin does not demote an owner: {}", demoted.body);
    assert_eq!(server.call("DELETE", &member("olga"), Some(&ada), None).await.status, 403, "nor removes one");
    assert_eq!(set(ada.clone(), "dev", "operator").await.status, 200, "but changes those below");
    let tenants = server.call("GET", "/api/v1/tenants", Some(&olga), None).await;
    assert_eq!(tenants.body["tenants"], json!([{"name": "default", "role": "owner"}]), "unchanged");

    // The last owner stays, whoever asks.
    let alone = set(olga.clone(), "olga", "admin").await;
    assert_eq!((alone.status, &alone.body["error"]["code"]), (409, &json!("conflict")), "{}", alone.body);
    assert_eq!(server.admin("DELETE", &member("olga"), None).await.status, 409);
    assert_eq!(server.admin("DELETE", "/api/v1/users/olga", None).await.status, 409, "deleting the user would remove the owner");

    // The two last owners removed at once: one goes, one stays.
    for round in 0..5 {
        let oscar = format!("oscar{round}");
        let created = server.admin("POST", "/api/v1/users", Some(json!({"username": oscar, "password": "correct horse"}))).await;
        assert_eq!(created.status, 201);
        assert_eq!(server.admin("PUT", &member(&oscar), Some(json!({"role": "owner"}))).await.status, 200);
        let (oscar_path, olga_path) = (member(&oscar), member("olga"));
        let (a, b) = tokio::join!(server.call("DELETE", &oscar_path, Some(ADMIN), None), server.call("DELETE", &olga_path, Some(ADMIN), None));
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [204, 409], "round {round}: {} {}", a.body, b.body);
        if b.status == 204 {
            // Olga went; bring her back as owner for the next round.
            assert_eq!(server.admin("PUT", &member("olga"), Some(json!({"role": "owner"}))).await.status, 200);
            assert_eq!(server.admin("DELETE", &member(&oscar), None).await.status, 204);
        }
        let olga_now = server.call("GET", "/api/v1/tenants", Some(&olga), None).await;
        assert_eq!(olga_now.body["tenants"], json!([{"name": "default", "role": "owner"}]), "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_is_decided_by_its_assignees_by_whatever_route() {
    let server = serve("api-assignee-routes");
    publish_counting(&server, "guarded", json!(["alice"])).await;
    let alice = server.member("alice", "default", "operator").await;
    let bob = server.member("bob", "default", "operator").await;
    let run = waiting_run(&server, "guarded").await;
    let forged = json!({"output": {"approved": true, "by": "aowner"}}).to_string();
    for (action, body) in [("skip", Some(forged.clone())), ("force-fail", None), ("retry", None), ("reject", None)] {
        let refused = server.call("POST", &format!("{run}/nodes/gate/{action}"), Some(&bob), body).await;
        assert_eq!(refused.status, 403, "{action}: {}", refused.body);
    }
    assert_eq!(server.call("GET", &run, Some(&bob), None).await.body["nodes"]["gate"]["status"], "awaiting_decision");
    // An assignee's skip records who really decided.
    let skipped = server.call("POST", &format!("{run}/nodes/gate/skip"), Some(&alice), Some(forged)).await;
    assert_eq!(skipped.status, 200, "{}", skipped.body);
    assert_eq!(wait_until_over(&server, &run).await["output"]["by"], "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_limited_to_some_flows_decides_and_operates_runs_of_those_only() {
    let server = serve("api-flow-limit");
    publish_counting(&server, "zones", json!(["role:operator"])).await;
    publish_counting(&server, "hotfix", json!(["role:operator"])).await;
    let omar = server.member("omar", "default", "operator").await;
    let limited = json!({"role": "operator", "flows": ["hotfix"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/omar", Some(limited)).await.status, 200);
    let other = waiting_run(&server, "zones").await;
    for action in ["nodes/gate/approve", "nodes/gate/reject", "nodes/gate/skip", "nodes/gate/force-fail", "pause", "cancel"] {
        let refused = server.call("POST", &format!("{other}/{action}"), Some(&omar), None).await;
        assert_eq!(refused.status, 403, "{action} on a run of another flow: {}", refused.body);
    }
    let token = server.tenant_token(&omar, "default", "operator").await;
    assert_eq!(server.call("POST", &format!("{other}/cancel"), Some(&token), None).await.status, 403, "nor with a token");
    let still = server.call("GET", &other, Some(&omar), None).await;
    assert_eq!((still.status, &still.body["status"]), (200, &json!("waiting")), "reading stays open: {}", still.body);
    let own = waiting_run(&server, "hotfix").await;
    assert_eq!(server.call("POST", &format!("{own}/nodes/gate/approve"), Some(&omar), None).await.status, 200);
    assert_eq!(wait_until_over(&server, &own).await["status"], "succeeded");
    // A limited member hands out no wider limit.
    let admin = json!({"role": "admin", "flows": ["hotfix"]});
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/members/omar", Some(admin)).await.status, 200);
    server.member("dev", "default", "viewer").await;
    let wider = server.call("PUT", "/api/v1/tenants/default/members/dev", Some(&omar), Some(json!({"role": "viewer"}).to_string())).await;
    assert_eq!(wider.status, 403, "{}", wider.body);
    let narrow = json!({"role": "viewer", "flows": ["hotfix"]}).to_string();
    assert_eq!(server.call("PUT", "/api/v1/tenants/default/members/dev", Some(&omar), Some(narrow)).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controls_of_one_run_at_once_conflict_and_never_fail_the_server() {
    let server = serve("api-concurrent-controls");
    publish_counting(&server, "zones", json!(["role:operator"])).await;
    for round in 0..10 {
        let run = waiting_run(&server, "zones").await;
        let approve = format!("{run}/nodes/gate/approve");
        let (a, b, c) = tokio::join!(
            server.admin("POST", &approve, None),
            server.admin("POST", &approve, None),
            server.admin("POST", &approve, None)
        );
        let mut statuses = [a.status, b.status, c.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409, 409], "round {round}: one approval is taken, the others conflict: {} {} {}", a.body, b.body, c.body);
        assert_eq!(wait_until_over(&server, &run).await["status"], "succeeded", "round {round}");
    }
    // Any mix of controls at once: each taken in some order or refused as a conflict.
    for round in 0..5 {
        let run = waiting_run(&server, "zones").await;
        let (paths, mut calls) = (["pause", "resume", "nodes/gate/approve", "nodes/gate/reject", "cancel"].map(|a| format!("{run}/{a}")), Vec::new());
        for path in &paths {
            calls.push(server.admin("POST", path, None));
        }
        for reply in futures_util::future::join_all(calls).await {
            assert!(reply.status == 200 || reply.status == 409, "round {round}: {} {}", reply.status, reply.body);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runs_list_shows_each_run_with_the_status_reading_it_shows() {
    let server = serve("api-runs-status");
    publish_counting(&server, "zones", json!(["role:operator"])).await;
    let run = waiting_run(&server, "zones").await;
    let id = run.rsplit('/').next().unwrap().to_string();
    let listed = |status: &'static str| {
        let server = &server;
        async move {
            let reply = server.admin("GET", &format!("/api/v1/tenants/default/runs?status={status}"), None).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            reply.body["runs"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    assert_eq!(listed("waiting").await, [id.clone()]);
    assert!(listed("running").await.is_empty());
    assert_eq!(server.admin("POST", &format!("{run}/pause"), None).await.status, 200);
    assert_eq!(server.admin("GET", &run, None).await.body["status"], "paused");
    assert_eq!(listed("paused").await, [id.clone()]);
    assert_eq!(server.admin("POST", &format!("{run}/resume"), None).await.status, 200);
    assert_eq!(listed("waiting").await, [id.clone()]);
    assert_eq!(server.admin("POST", &format!("{run}/nodes/gate/approve"), None).await.status, 200);
    wait_until_over(&server, &run).await;
    assert_eq!(listed("succeeded").await, [id]);

    let bogus = server.admin("GET", "/api/v1/tenants/default/runs?status=bogus", None).await;
    assert_eq!((bogus.status, &bogus.body["error"]["code"]), (400, &json!("bad_request")), "{}", bogus.body);
    assert!(bogus.body["error"]["message"].as_str().unwrap().contains("running, waiting, paused, succeeded, failed, cancelled"), "{}", bogus.body);
}
