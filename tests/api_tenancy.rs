//! What a tenant owns on a shared server, through HTTP against a real
//! `scena serve` process: capability grants and sealed secrets reaching only
//! the granted plugin, uploaded plugins visible only to their tenant (and
//! yanking), API tokens with roles, expiry and revocation, cron schedules,
//! `/metrics` and the OpenAPI document; a cancel reaching a running
//! parent's child run; invitations, password changes and deleting users.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use sha2::Digest as _;
use support::http_fixture::{Fixture, Reply as FixtureReply};
use support::server::{serve_with, Server};
use support::guest_bytes;

fn tenant(name: &str) -> String {
    format!("/api/v1/tenants/{name}")
}

/// A flow of one step of `plugin` with `input` mapped from the run's input.
fn one_step(name: &str, plugin: &str, input: Value) -> Value {
    json!({"name": name,
      "nodes": [{"id": "start", "kind": "start"},
                {"id": "call", "kind": "step", "plugin": plugin, "input": input},
                {"id": "end", "kind": "end", "output": {"result": "${steps.call.output}"}}],
      "edges": [{"from": "start", "to": "call"}, {"from": "call", "to": "end"}]})
}

impl Server {
    async fn publish(&self, tenant_name: &str, flow: Value) -> Value {
        let name = flow["name"].as_str().unwrap().to_string();
        let saved = self.admin("PUT", &format!("{}/flows/{name}/draft", tenant(tenant_name)), Some(flow)).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        let published = self.admin("POST", &format!("{}/flows/{name}/versions", tenant(tenant_name)), None).await;
        assert!(published.status == 201 || published.status == 422, "{}", published.body);
        published.body
    }

    async fn run(&self, tenant_name: &str, flow: &str, input: Value) -> Value {
        let path = format!("{}/flows/{flow}/runs?wait_ms=20000", tenant(tenant_name));
        let run = self.admin("POST", &path, Some(json!({"input": input}))).await;
        assert_eq!(run.status, 200, "{}", run.body);
        run.body
    }

    /// A finished run's events as the SSE stream sends them.
    async fn events(&self, tenant_name: &str, run_id: &str) -> String {
        reqwest::Client::new()
            .get(format!("{}{}/runs/{run_id}/events", self.base, tenant(tenant_name)))
            .header("Authorization", format!("Bearer {}", support::server::ADMIN))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn text(&self, path: &str) -> String {
        reqwest::get(format!("{}{path}", self.base)).await.unwrap().text().await.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_sealed_and_reach_only_the_plugin_they_are_granted_to() {
    let server = serve_with("api-secrets", &["echo"], &[]);
    assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": "blue"}))).await.status, 201);
    for t in ["default", "blue"] {
        assert_eq!(server.upload(t, guest_bytes("secret-ungranted")).await.status, 201);
        server.publish(t, one_step("peek", "secret-ungranted", json!({"name": "${inputs.name}"}))).await;
    }
    let secret = |t: &str, name: &str| format!("{}/secrets/{name}", tenant(t));
    let put = server.admin("PUT", &secret("default", "DB_PASSWORD"), Some(json!({"value": "hunter2-sealed"}))).await;
    assert_eq!(put.status, 204, "{}", put.body);
    assert_eq!(server.admin("PUT", &secret("blue", "DB_PASSWORD"), Some(json!({"value": "x"}))).await.status, 204);

    // Set but not granted: the plugin is denied.
    let denied = server.run("default", "peek", json!({"name": "DB_PASSWORD"})).await;
    assert_eq!(denied["status"], "failed", "{denied}");
    assert!(denied["error"].to_string().contains("not granted"), "{denied}");

    let grants = json!({"secrets": {"secret-ungranted": ["DB_PASSWORD"]}});
    let granted = server.admin("PUT", &format!("{}/grants", tenant("default")), Some(grants.clone())).await;
    assert_eq!(granted.status, 200, "{}", granted.body);
    let read = server.run("default", "peek", json!({"name": "DB_PASSWORD"})).await;
    assert_eq!(read["output"]["result"], json!({"length": "hunter2-sealed".len()}), "{read}");

    // A plugin granted the secret can use it but not publish it: its output,
    // pending state, error, log lines and stderr reach the run masked.
    assert_eq!(server.upload("default", guest_bytes("secret-leak")).await.status, 201);
    let both = json!({"secrets": {"secret-ungranted": ["DB_PASSWORD"], "secret-leak": ["DB_PASSWORD"]}});
    assert_eq!(server.admin("PUT", &format!("{}/grants", tenant("default")), Some(both.clone())).await.status, 200);
    let mut leaks = Vec::new();
    for via in ["done", "pending", "fail"] {
        let name = format!("leak-{via}");
        server.publish("default", one_step(&name, "secret-leak", json!({"name": "DB_PASSWORD", "via": via}))).await;
        let leaked = server.run("default", &name, json!({})).await;
        let expected = if via == "fail" { "failed" } else { "succeeded" };
        assert_eq!(leaked["status"], expected, "{leaked}");
        leaks.push(leaked.to_string());
        leaks.push(server.events("default", leaked["id"].as_str().unwrap()).await);
    }
    assert!(leaks[0].contains(r#""plain":"[secret]""#) && leaks[0].contains("prefix-[secret]-suffix"), "{}", leaks[0]);
    assert!(leaks[3].contains(r#""kept":"[secret]""#), "the pending state is masked in the log: {}", leaks[3]);
    assert!(leaks[4].contains("failed holding [secret]"), "{}", leaks[4]);
    // Another tenant's grants are its own: `blue` granted nothing.
    let other = server.run("blue", "peek", json!({"name": "DB_PASSWORD"})).await;
    assert_eq!(other["status"], "failed", "{other}");

    // Bad grants are refused whole, listing every problem; nothing changes.
    let bad = json!({"http": ["not a host"], "secrets": {"Bad Name": ["ok"]}});
    let refused = server.admin("PUT", &format!("{}/grants", tenant("default")), Some(bad)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.body["error"]["details"]["problems"].as_array().unwrap().len(), 2, "{}", refused.body);
    let kept = server.admin("GET", &format!("{}/grants", tenant("default")), None).await;
    assert_eq!(kept.body["secrets"], both["secrets"]);
    let unknown = server.admin("PUT", &format!("{}/grants", tenant("default")), Some(json!({"egress": []}))).await;
    assert_eq!(unknown.status, 422, "unknown fields are refused: {}", unknown.body);

    // Names only, everywhere: the list, the run, its events, the audit log, the database file.
    let listed = server.admin("GET", &format!("{}/secrets", tenant("default")), None).await;
    assert_eq!(listed.body["secrets"][0]["name"], "DB_PASSWORD");
    let events = server.events("default", read["id"].as_str().unwrap()).await;
    assert!(events.contains("step_finished"), "{events}");
    let audit = server.admin("GET", &format!("{}/audit", tenant("default")), None).await;
    for shown in [listed.body.to_string(), read.to_string(), events, audit.body.to_string()].into_iter().chain(leaks) {
        assert!(!shown.contains("hunter2-sealed"), "the value leaked: {shown}");
    }
    assert!(!server.database_holds("hunter2-sealed"), "the database holds the value in the clear");
    assert!(server.database_holds("DB_PASSWORD"), "the check reads the database the server wrote");
    assert!(server.dir.path().join("secret.key").is_file(), "the key is kept beside the database, not in it");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(server.dir.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the data directory is private to the server's user");
    }

    assert_eq!(server.admin("DELETE", &secret("default", "DB_PASSWORD"), None).await.status, 204);
    assert_eq!(server.admin("DELETE", &secret("default", "DB_PASSWORD"), None).await.status, 404);
    let gone = server.run("default", "peek", json!({"name": "DB_PASSWORD"})).await;
    assert_eq!(gone["status"], "failed", "a deleted secret is gone for the next call: {gone}");
    let bad_name = server.admin("PUT", &secret("default", "no%20spaces"), Some(json!({"value": "v"}))).await;
    assert_eq!(bad_name.status, 422, "{}", bad_name.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_reach_only_hosts_on_their_tenants_allow_list() {
    let fixture = Fixture::start(|_| FixtureReply::json(200, r#"{"ok": true}"#));
    let server = serve_with("api-egress", &["http-request"], &[]);
    let url = format!("http://127.0.0.1:{}/ping", fixture.port);
    server.publish("default", one_step("ping", "http-request", json!({"url": url}))).await;
    let denied = server.run("default", "ping", json!({})).await;
    assert_eq!(denied["status"], "failed", "{denied}");
    assert!(denied["error"].to_string().contains("127.0.0.1"), "the denial names the host: {denied}");
    assert_eq!(fixture.seen.lock().unwrap().len(), 0, "nothing left the sandbox");

    let grants = json!({"http": ["127.0.0.1"]});
    assert_eq!(server.admin("PUT", &format!("{}/grants", tenant("default")), Some(grants)).await.status, 200);
    let allowed = server.run("default", "ping", json!({})).await;
    assert_eq!(allowed["status"], "succeeded", "{allowed}");
    assert_eq!(allowed["output"]["result"]["json"], json!({"ok": true}));
    assert_eq!(fixture.seen.lock().unwrap().len(), 1);

    // Only owners and admins change grants.
    let developer = server.member("dev", "default", "developer").await;
    let reply = server.call("PUT", &format!("{}/grants", tenant("default")), Some(&developer), Some("{}".into())).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    let reply = server.call("PUT", &format!("{}/secrets/X", tenant("default")), Some(&developer), Some(r#"{"value":"v"}"#.into())).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_plugins_are_validated_kept_per_tenant_and_can_be_yanked() {
    let server = serve_with("api-registry", &["echo"], &[]);
    assert_eq!(server.admin("POST", "/api/v1/tenants", Some(json!({"name": "blue"}))).await.status, 201);
    let plugins = format!("{}/plugins", tenant("default"));

    let garbage = server.upload("default", b"\0asm not really".to_vec()).await;
    assert_eq!(garbage.status, 422, "{}", garbage.body);
    let reserved = server.upload("default", guest_bytes("echo")).await;
    assert_eq!(reserved.status, 409, "a standard plugin's name: {}", reserved.body);
    let undeclared = server.upload("default", guest_bytes("undeclared-import")).await;
    assert_eq!(undeclared.status, 422, "{}", undeclared.body);
    assert!(undeclared.body["error"]["message"].as_str().unwrap().contains("http"), "names the import: {}", undeclared.body);
    let listed = server.admin("GET", &plugins, None).await;
    let uploads = |list: &Value| list["plugins"].as_array().unwrap().iter().filter(|p| p["standard"] == false).count();
    assert_eq!(uploads(&listed.body), 0, "nothing stored: {}", listed.body);

    let uploaded = server.upload("default", guest_bytes("countdown")).await;
    assert_eq!(uploaded.status, 201, "{}", uploaded.body);
    assert_eq!((uploaded.body["name"].as_str(), uploaded.body["standard"].as_bool()), (Some("countdown"), Some(false)));
    let sha = uploaded.body["sha256"].as_str().unwrap().to_string();
    assert!(server.dir.path().join(format!("plugins/{sha}.wasm")).is_file(), "kept by content");
    assert_eq!(server.upload("default", guest_bytes("countdown")).await.status, 200, "the same bytes again");
    // Other bytes (here: one more custom section) for a version that exists
    // are refused, and leave no file behind.
    let mut other = guest_bytes("countdown");
    let (section, payload) = (b"scena-test".as_slice(), b"other bytes".as_slice());
    other.extend([0, (1 + section.len() + payload.len()) as u8, section.len() as u8]);
    other.extend(section.iter().chain(payload));
    let changed = server.upload("default", other.clone()).await;
    assert_eq!(changed.status, 409, "{}", changed.body);
    assert!(changed.body["error"]["message"].as_str().unwrap().contains("versions never change"), "{}", changed.body);
    let other_sha = hex::encode(sha2::Sha256::digest(&other));
    assert!(!server.dir.path().join(format!("plugins/{other_sha}.wasm")).exists(), "a refused upload leaves no file");
    let versions = server.admin("GET", &format!("{plugins}/countdown"), None).await;
    assert_eq!(versions.body["versions"][0]["version"], "0.1.0");
    let one = server.admin("GET", &format!("{plugins}/countdown/0.1.0"), None).await;
    assert!(one.body["input_schema"]["properties"]["from"].is_object(), "{}", one.body);
    assert_eq!(server.admin("GET", &format!("{plugins}/countdown/9.9.9"), None).await.status, 404);

    // Another tenant does not see it.
    assert_eq!(server.admin("GET", &format!("{}/plugins/countdown", tenant("blue")), None).await.status, 404);
    let blue = server.publish("blue", one_step("count", "countdown", json!({"from": 1}))).await;
    assert!(blue["error"]["details"].to_string().contains("unknown plugin `countdown`"), "{blue}");

    let published = server.publish("default", one_step("count", "countdown", json!({"from": 2}))).await;
    assert_eq!(published["version"], 1, "{published}");
    let run = server.run("default", "count", json!({})).await;
    assert_eq!(run["output"]["result"], json!({"polls": 2}), "{run}");

    let yanked = server.admin("POST", &format!("{plugins}/countdown/0.1.0/yank"), None).await;
    assert_eq!((yanked.status, yanked.body["yanked"].as_bool()), (200, Some(true)), "{}", yanked.body);
    let draft = server.admin("PUT", &format!("{}/flows/count2/draft", tenant("default")), Some(one_step("count2", "countdown", json!({"from": 1})))).await;
    assert!(draft.body["problems"].to_string().contains("countdown"), "a yanked version does not resolve: {}", draft.body);
    let after_yank = server.run("default", "count", json!({})).await;
    assert_eq!(after_yank["status"], "failed", "{after_yank}");
    let shown = server.admin("GET", &format!("{plugins}/countdown/0.1.0"), None).await;
    assert_eq!(shown.body["yanked"], true, "still readable");
    assert_eq!(server.admin("POST", &format!("{plugins}/countdown/0.1.0/unyank"), None).await.status, 200);
    assert_eq!(server.run("default", "count", json!({})).await["status"], "succeeded");
    assert_eq!(server.admin("POST", &format!("{plugins}/echo/0.1.0/yank"), None).await.status, 404, "standard plugins are not the tenant's to yank");

    // `/metrics` (open here) names no tenant's upload: its calls count as `uploaded`.
    let metrics = server.text("/metrics").await;
    assert!(!metrics.contains("countdown"), "{metrics}");
    assert!(metrics.contains(r#"scena_plugin_call_duration_seconds_count{plugin="uploaded"}"#), "{metrics}");

    // Over the upload limit: 413 in the error shape.
    let huge = server.upload("default", vec![0u8; 33 << 20]).await;
    assert_eq!((huge.status, huge.body["error"]["code"].as_str()), (413, Some("too_large")), "{}", huge.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_carry_at_most_their_makers_role_and_stop_when_revoked_or_expired() {
    let server = serve_with("api-tokens", &["echo"], &[]);
    server.publish("default", one_step("hello", "echo", json!({"hi": "there"}))).await;
    // An admin, so that an operator token is within the maker's rights.
    let developer = server.member("dev", "default", "admin").await;
    let tokens = format!("{}/tokens", tenant("default"));
    let make = |role: &str, extra: Value| {
        let mut body = json!({"name": "ci", "role": role});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body.to_string()
    };

    let too_high = server.call("POST", &tokens, Some(&developer), Some(make("owner", json!({})))).await;
    assert_eq!(too_high.status, 403, "{}", too_high.body);
    let past = server.call("POST", &tokens, Some(&developer), Some(make("operator", json!({"expires_at": "2020-01-01T00:00:00Z"})))).await;
    assert_eq!(past.status, 422, "{}", past.body);

    let made = server.call("POST", &tokens, Some(&developer), Some(make("operator", json!({"expires_in": "1h"})))).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let token = made.body["token"].as_str().unwrap().to_string();
    let id = made.body["info"]["id"].as_str().unwrap().to_string();
    assert!(made.body["info"]["expires_at"].is_string());

    let runs = format!("{}/flows/hello/runs?wait_ms=20000", tenant("default"));
    assert_eq!(server.call("POST", &runs, Some(&token), None).await.status, 200, "an operator token runs flows");
    let draft = server.call("PUT", &format!("{}/flows/hello/draft", tenant("default")), Some(&token), Some(one_step("hello", "echo", json!({})).to_string())).await;
    assert_eq!(draft.status, 403, "but does not edit them: {}", draft.body);
    let minted = server.call("POST", &tokens, Some(&token), Some(make("viewer", json!({})))).await;
    assert_eq!(minted.status, 403, "a token cannot mint tokens that would outlive it: {}", minted.body);

    // Listed without the token itself; the audit log names the token.
    let listed = server.call("GET", &tokens, Some(&developer), None).await;
    assert_eq!(listed.body["tokens"][0]["id"], id.as_str());
    assert!(!listed.body.to_string().contains(&token));
    let audit = server.admin("GET", &format!("{}/audit", tenant("default")), None).await;
    assert!(audit.body.to_string().contains("dev (token ci)"), "{}", audit.body);
    // An instant with an offset is kept as the store writes instants: UTC, milliseconds.
    let offset = server.call("POST", &tokens, Some(&developer), Some(make("viewer", json!({"expires_at": "2999-01-01T08:00:00+08:00"})))).await;
    assert_eq!((offset.status, &offset.body["info"]["expires_at"]), (201, &json!("2999-01-01T00:00:00.000Z")), "{}", offset.body);

    // The maker demoted to viewer: the token can no longer run.
    server.admin("PUT", &format!("{}/members/dev", tenant("default")), Some(json!({"role": "viewer"}))).await;
    assert_eq!(server.call("POST", &runs, Some(&token), None).await.status, 403);
    server.admin("PUT", &format!("{}/members/dev", tenant("default")), Some(json!({"role": "admin"}))).await;
    assert_eq!(server.call("POST", &runs, Some(&token), None).await.status, 200);

    // Someone else cannot revoke it; its maker can; then it is dead.
    let other = server.member("olga", "default", "developer").await;
    assert_eq!(server.call("DELETE", &format!("{tokens}/{id}"), Some(&other), None).await.status, 404);
    assert_eq!(server.call("DELETE", &format!("{tokens}/{id}"), Some(&developer), None).await.status, 204);
    assert_eq!(server.call("POST", &runs, Some(&token), None).await.status, 401);
    assert_eq!(server.call("DELETE", &format!("{tokens}/{id}"), Some(&developer), None).await.status, 404);

    let short = server.call("POST", &tokens, Some(&developer), Some(make("viewer", json!({"expires_in": "1s"})))).await;
    let short = short.body["token"].as_str().unwrap().to_string();
    assert_eq!(server.call("GET", &format!("{}/flows", tenant("default")), Some(&short), None).await.status, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(server.call("GET", &format!("{}/flows", tenant("default")), Some(&short), None).await.status, 401, "expired");
}

async fn runs_of(server: &Server) -> usize {
    let path = format!("{}/runs?flow=tick", tenant("default"));
    server.admin("GET", &path, None).await.body["runs"].as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cron_schedules_start_runs_until_removed() {
    let server = serve_with("api-cron", &["kv"], &[]);
    let mut flow = one_step("tick", "kv", json!({"op": "increment", "key": "ticks"}));
    flow["inputs"] = json!({"type": "object", "properties": {"zone": {"type": "string"}}, "additionalProperties": false});
    server.publish("default", flow).await;
    let schedules = format!("{}/flows/tick/schedules", tenant("default"));
    for (body, why) in [
        (json!({"cron": "61 * * * *"}), "a bad expression"),
        (json!({"cron": "* * * * *", "timezone": "Mars/Olympus"}), "a bad zone"),
        (json!({"cron": "* * * * *", "input": {"extra": 1}}), "an input the flow refuses"),
    ] {
        let refused = server.admin("POST", &schedules, Some(body)).await;
        assert_eq!(refused.status, 422, "{why}: {}", refused.body);
    }
    assert_eq!(server.admin("POST", &format!("{}/flows/nope/schedules", tenant("default")), Some(json!({"cron": "* * * * *"}))).await.status, 404);

    // Every second (a leading seconds field), so the test need not wait a minute.
    let made = server.admin("POST", &schedules, Some(json!({"cron": "* * * * * *", "timezone": "Europe/Paris", "input": {"zone": "a"}}))).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["id"].as_str().unwrap().to_string();
    let mut started = 0;
    for _ in 0..100 {
        started = runs_of(&server).await;
        if started >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(started >= 2, "the schedule started runs: {started}");
    let listed = server.admin("GET", &schedules, None).await;
    assert!(listed.body["schedules"][0]["last_run"].is_string(), "{}", listed.body);
    // Each run a schedule starts is in the audit log as the schedule's doing
    // (the first run's row is written before the second tick fires).
    let audit = server.admin("GET", &format!("{}/audit", tenant("default")), None).await;
    let by_schedule = |e: &&Value| e["who"] == format!("cron schedule {id}") && e["status"] == 201 && e["action"] == "run";
    assert!(audit.body["entries"].as_array().unwrap().iter().any(|e| by_schedule(&e)), "{}", audit.body);

    assert_eq!(server.admin("DELETE", &format!("{schedules}/{id}"), None).await.status, 204);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let after = runs_of(&server).await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(runs_of(&server).await, after, "no runs after the schedule is removed");
    assert_eq!(server.admin("DELETE", &format!("{schedules}/{id}"), None).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_the_openapi_document_describe_the_server() {
    let server = serve_with("api-metrics", &["echo"], &[]);
    server.publish("default", one_step("hello", "echo", json!({"hi": 1}))).await;
    assert_eq!(server.run("default", "hello", json!({})).await["status"], "succeeded");
    let metrics = server.text("/metrics").await;
    for series in [
        r#"scena_runs{status="succeeded"} 1"#,
        r#"scena_http_requests_total{route="/api/v1/tenants/{tenant}/flows/{name}/runs",method="POST",status="200"} 1"#,
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
async fn cancelling_a_running_parent_cancels_its_running_child_run() {
    let server = serve_with("api-cancel-child", &["echo"], &[]);
    assert_eq!(server.upload("default", guest_bytes("countdown")).await.status, 201);
    // The child polls for about 20 s, so it is running when the parent is cancelled.
    server.publish("default", one_step("slow", "countdown", json!({"from": 1000, "every_ms": 20}))).await;
    let outer = json!({"name": "outer", "nodes": [{"id": "start", "kind": "start"},
        {"id": "inner", "kind": "subflow", "flow": "slow"}, {"id": "end", "kind": "end"}],
      "edges": [{"from": "start", "to": "inner"}, {"from": "inner", "to": "end"}]});
    server.publish("default", outer).await;
    let started = server.admin("POST", &format!("{}/flows/outer/runs?wait_ms=0", tenant("default")), Some(json!({"input": {}}))).await;
    assert_eq!(started.status, 202, "{}", started.body);
    let parent = started.body["id"].as_str().unwrap().to_string();
    let runs = format!("{}/runs", tenant("default"));

    let mut child = None;
    for _ in 0..100 {
        let view = server.admin("GET", &format!("{runs}/{parent}"), None).await.body;
        let attempt = view["nodes"]["inner"]["attempts"].as_u64().unwrap_or(0) as u32;
        let id = scena::scheduler::child_run_id(&parent, "inner", attempt);
        if view["nodes"]["inner"]["status"] == "running" && server.admin("GET", &format!("{runs}/{id}"), None).await.status == 200 {
            child = Some(id);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let child = child.expect("the child run started");

    let cancelled = server.admin("POST", &format!("{runs}/{parent}/cancel"), Some(json!({"reason": "change freeze"}))).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    let mut status = Value::Null;
    for _ in 0..100 {
        status = server.admin("GET", &format!("{runs}/{child}"), None).await.body["status"].clone();
        if status == "cancelled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "cancelled", "the child run stops with its parent");
    assert_eq!(server.admin("GET", &format!("{runs}/{parent}"), None).await.body["status"], "cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_let_one_person_join_with_at_most_the_inviters_role() {
    let server = serve_with("api-invitations", &["echo"], &[]);
    let ada = server.member("ada", "default", "admin").await;
    let invitations = format!("{}/invitations", tenant("default"));
    let invite = |token: String, body: Value| {
        let invitations = invitations.clone();
        let server = &server;
        async move { server.call("POST", &invitations, Some(&token), Some(body.to_string())).await }
    };
    let refused = invite(ada.clone(), json!({"role": "owner"})).await;
    assert_eq!(refused.status, 403, "an admin does not invite owners: {}", refused.body);
    assert_eq!(invite(ada.clone(), json!({"role": "root"})).await.status, 422);
    assert_eq!(invite(ada.clone(), json!({"role": "viewer", "expires_in": "soon"})).await.status, 422);

    let made = invite(ada.clone(), json!({"role": "operator", "flows": ["deploy"]})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let code = made.body["code"].as_str().unwrap().to_string();
    let accept = |code: String, username: &'static str, password: &'static str| {
        let server = &server;
        async move {
            let body = json!({"username": username, "password": password}).to_string();
            server.call("POST", &format!("/api/v1/invitations/{code}/accept"), None, Some(body)).await
        }
    };
    let joined = accept(code.clone(), "nina", "correct horse").await;
    assert_eq!(joined.status, 201, "{}", joined.body);
    assert_eq!((joined.body["tenant"].as_str(), joined.body["role"].as_str(), &joined.body["new_user"]), (Some("default"), Some("operator"), &json!(true)));
    let nina = joined.body["token"].as_str().unwrap().to_string();
    let tenants = server.call("GET", "/api/v1/tenants", Some(&nina), None).await;
    assert_eq!(tenants.body["tenants"], json!([{"name": "default", "role": "operator"}]));
    assert!(server.login("nina", "correct horse").await.is_some());

    let again = accept(code.clone(), "mallory", "correct horse").await;
    assert_eq!(again.status, 404, "a code admits one person: {}", again.body);
    assert!(server.login("mallory", "correct horse").await.is_none(), "a refused code makes no user");
    assert_eq!(accept("invite_guess".into(), "mallory", "correct horse").await.status, 404);

    // An existing user joins with their own password; a revoked code admits nobody.
    let second = invite(ada.clone(), json!({"role": "viewer"})).await.body;
    assert_eq!(accept(second["code"].as_str().unwrap().into(), "ada", "not her password").await.status, 401);
    let id = second["id"].as_str().unwrap();
    assert_eq!(server.call("DELETE", &format!("{invitations}/{id}"), Some(&ada), None).await.status, 204);
    assert_eq!(accept(second["code"].as_str().unwrap().into(), "ada", "correct horse").await.status, 404);

    let listed = server.call("GET", &invitations, Some(&ada), None).await;
    assert_eq!(listed.body["invitations"].as_array().unwrap().len(), 2, "{}", listed.body);
    assert!(!listed.body.to_string().contains(&code), "codes are never listed");
    let audit = server.admin("GET", &format!("{}/audit", tenant("default")), None).await;
    assert!(audit.body["entries"].as_array().unwrap().iter().any(|e| e["who"] == "nina" && e["action"] == "join" && e["status"] == 201), "{}", audit.body);
    let platform_audit = server.admin("GET", "/api/v1/audit", None).await.body.to_string();
    assert!(!platform_audit.contains(&code) && !audit.body.to_string().contains(&code), "the code stays out of the audit log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_change_their_own_password_and_the_admin_deletes_users() {
    let server = serve_with("api-users", &["echo"], &[]);
    let ben = server.member("ben", "default", "developer").await;
    server.member("cleo", "default", "developer").await;
    let ben_api = server.tenant_token(&ben, "default", "developer").await;
    let password = |user: &str, token: &str, body: Value| {
        let path = format!("/api/v1/users/{user}/password");
        let (server, token) = (&server, token.to_string());
        async move { server.call("PUT", &path, Some(&token), Some(body.to_string())).await }
    };
    assert_eq!(password("cleo", &ben, json!({"password": "new horse battery"})).await.status, 403, "not someone else's");
    assert_eq!(password("ben", &ben_api, json!({"password": "new horse battery", "current_password": "correct horse"})).await.status, 403, "not with an API token");
    assert_eq!(password("ben", &ben, json!({"password": "new horse battery"})).await.status, 422, "the current password is needed");
    assert_eq!(password("ben", &ben, json!({"password": "new horse battery", "current_password": "wrong"})).await.status, 403);
    assert_eq!(password("ben", &ben, json!({"password": "short", "current_password": "correct horse"})).await.status, 422);
    let changed = password("ben", &ben, json!({"password": "new horse battery", "current_password": "correct horse"})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(server.call("GET", "/api/v1/tenants", Some(&ben), None).await.status, 401, "login tokens are revoked with the old password");
    assert_eq!(server.call("GET", "/api/v1/tenants/default/flows", Some(&ben_api), None).await.status, 200, "API tokens stay");
    assert!(server.login("ben", "correct horse").await.is_none());
    assert!(server.login("ben", "new horse battery").await.is_some());
    assert_eq!(server.admin("PUT", "/api/v1/users/cleo/password", Some(json!({"password": "reset by admin"}))).await.status, 200);
    let cleo = server.login("cleo", "reset by admin").await.expect("the platform admin resets without the current one");

    let users = server.admin("GET", "/api/v1/users", None).await;
    let names: Vec<&str> = users.body["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["ben", "cleo"]);
    assert_eq!(server.call("DELETE", "/api/v1/users/ben", Some(&cleo), None).await.status, 403, "only the platform admin deletes users");
    assert_eq!(server.admin("DELETE", "/api/v1/users/ben", None).await.status, 204);
    assert_eq!(server.admin("DELETE", "/api/v1/users/ben", None).await.status, 404);
    assert_eq!(server.call("GET", "/api/v1/tenants/default/flows", Some(&ben_api), None).await.status, 401, "their API tokens are revoked");
    assert!(server.login("ben", "new horse battery").await.is_none());
    let members = server.admin("PUT", "/api/v1/tenants/default/members/ben", Some(json!({"role": "viewer"}))).await;
    assert_eq!(members.status, 404, "the user is gone: {}", members.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_metrics_token_metrics_answer_only_to_it() {
    let server = serve_with("api-metrics-token", &["echo"], &["--metrics-token", "m3trics-scraper"]);
    let scrape = |token: Option<&'static str>| {
        let url = format!("{}/metrics", server.base);
        async move {
            let mut request = reqwest::Client::new().get(url);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    for refused in [None, Some("guess"), Some(support::server::ADMIN)] {
        let (status, body) = scrape(refused).await;
        assert_eq!(status, 401, "{refused:?}: {body}");
        assert!(!body.contains("scena_runs"), "nothing of the metrics without the token");
    }
    let (status, body) = scrape(Some("m3trics-scraper")).await;
    assert_eq!(status, 200);
    assert!(body.contains("scena_http_requests_total"), "{body}");
}
