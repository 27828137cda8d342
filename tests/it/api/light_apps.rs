//! Light apps: a published flow offered as a simple page. An `app_user` runs
//! the light apps they are given, sees their own runs, and nothing else.

use serde_json::json;

use super::*;
use crate::support::server::serve;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_user_runs_their_light_apps_sees_their_own_runs_and_nothing_else() {
    let server = serve("api-light-apps");
    let greet = json!({"name": "greet", "title": "Greet someone",
        "inputs": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
        "nodes": [{"id": "start", "kind": "start"},
                  {"id": "say", "kind": "step", "plugin": "echo", "input": {"hello": "${inputs.name}"}},
                  {"id": "end", "kind": "end", "output": {"said": "${steps.say.output.hello}"}}],
        "edges": [{"from": "start", "to": "say"}, {"from": "say", "to": "end"}]});
    server.publish("default", greet).await;
    server.publish("default", one_step("other", "echo", json!({}))).await;
    let light = |flow: &str| format!("{}/flows/{flow}/light-app", tenant("default"));
    let unpublished = server.admin("PUT", &light("nothing"), Some(json!({}))).await;
    assert_eq!(unpublished.status, 404, "{}", unpublished.body);
    let enabled = server.admin("PUT", &light("greet"), Some(json!({"description": "Say hello"}))).await;
    assert_eq!((enabled.status, enabled.body["title"].as_str()), (200, Some("Greet someone")), "{}", enabled.body);
    assert_eq!(server.admin("PUT", &light("other"), None).await.status, 200);

    let ann = server.member("ann", "default", "app_user").await;
    let bob = server.member("bob", "default", "app_user").await;
    let apps = format!("{}/light-apps", tenant("default"));
    let as_user = |token: &str, method: &str, path: String, body: Option<serde_json::Value>| {
        let (server, token, method) = (&server, token.to_string(), method.to_string());
        async move { server.call(&method, &path, Some(&token), body.map(|b| b.to_string())).await }
    };
    let listed = as_user(&ann, "GET", apps.clone(), None).await;
    assert_eq!(listed.body["light_apps"].as_array().unwrap().len(), 2, "{}", listed.body);
    let page = as_user(&ann, "GET", format!("{apps}/greet"), None).await;
    assert_eq!(page.body["inputs"]["required"], json!(["name"]), "the form's schema: {}", page.body);
    let bad = as_user(&ann, "POST", format!("{apps}/greet/runs?wait_ms=20000"), Some(json!({"input": {}}))).await;
    assert_eq!(bad.status, 422, "the form's schema is enforced: {}", bad.body);
    let ran =
        as_user(&ann, "POST", format!("{apps}/greet/runs?wait_ms=20000"), Some(json!({"input": {"name": "Ann"}})))
            .await;
    assert_eq!((ran.status, ran.body["output"]["said"].as_str()), (200, Some("Ann")), "{}", ran.body);
    let id = ran.body["id"].as_str().unwrap().to_string();
    let mine = as_user(&ann, "GET", format!("{apps}/greet/runs"), None).await;
    assert_eq!(mine.body["runs"][0]["id"], id.as_str(), "{}", mine.body);
    assert_eq!(as_user(&ann, "GET", format!("{apps}/greet/runs/{id}"), None).await.status, 200);
    let theirs = as_user(&bob, "GET", format!("{apps}/greet/runs"), None).await;
    assert_eq!(theirs.body["runs"], json!([]), "another user's runs are not shown");
    assert_eq!(as_user(&bob, "GET", format!("{apps}/greet/runs/{id}"), None).await.status, 404);
    let versioned =
        as_user(&ann, "POST", format!("{apps}/greet/runs"), Some(json!({"input": {"name": "x"}, "version": 1}))).await;
    assert_eq!(versioned.status, 422, "a light app always runs the latest version: {}", versioned.body);

    // Nothing else of the tenant: flows, runs, starting runs, plugins.
    for (method, path) in [
        ("GET", format!("{}/flows", tenant("default"))),
        ("POST", format!("{}/flows/greet/runs", tenant("default"))),
        ("GET", format!("{}/runs", tenant("default"))),
        ("GET", format!("{}/runs/{id}", tenant("default"))),
        ("GET", format!("{}/plugins", tenant("default"))),
        ("PUT", light("greet")),
    ] {
        let refused = as_user(&ann, method, path.clone(), Some(json!({}))).await;
        assert_eq!(refused.status, 403, "{method} {path}: {}", refused.body);
    }

    // A member limited to some flows uses only the light apps of those.
    let carol = server.member("carol", "default", "app_user").await;
    let limit = json!({"role": "app_user", "flows": ["other"]});
    assert_eq!(server.admin("PUT", &format!("{}/members/carol", tenant("default")), Some(limit)).await.status, 200);
    let carols = as_user(&carol, "GET", apps.clone(), None).await;
    assert_eq!(carols.body["light_apps"], json!([{"flow": "other", "title": "other", "description": ""}]));
    let outside = as_user(&carol, "POST", format!("{apps}/greet/runs"), Some(json!({"input": {"name": "c"}}))).await;
    assert_eq!(outside.status, 403, "{}", outside.body);
    assert_eq!(as_user(&carol, "POST", format!("{apps}/other/runs?wait_ms=20000"), Some(json!({}))).await.status, 200);

    // A viewer may not use light apps; an operator may. Switched off, it is gone.
    let vic = server.member("vic", "default", "viewer").await;
    assert_eq!(as_user(&vic, "GET", apps.clone(), None).await.status, 403);
    let olga = server.member("olga", "default", "operator").await;
    assert_eq!(as_user(&olga, "GET", format!("{apps}/greet"), None).await.status, 200);
    assert_eq!(server.admin("DELETE", &light("greet"), None).await.status, 200);
    assert_eq!(as_user(&ann, "GET", format!("{apps}/greet"), None).await.status, 404);
    assert_eq!(as_user(&ann, "POST", format!("{apps}/greet/runs"), Some(json!({}))).await.status, 404);
}
