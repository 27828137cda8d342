//! Approval nodes: decided by their assignees (or an owner or admin) by
//! whatever route, or by their timeout, across a restart too.

use serde_json::json;

use super::*;
use crate::support::server::serve;

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
        assert!(
            refused.body["error"]["message"].as_str().unwrap().contains("node `gate` is for alice to decide"),
            "{}",
            refused.body
        );
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
    let waiting =
        server.admin("POST", &format!("{FLOWS}/timed/runs?wait_ms=20000"), Some(json!({"input": {"zone": "z"}}))).await;
    assert_eq!(waiting.body["status"], "waiting", "{}", waiting.body);
    let run_path = format!("/api/v1/tenants/default/runs/{}", waiting.body["id"].as_str().unwrap());

    // Nobody decides; the server is even restarted while the run waits.
    server.restart();
    let done = wait_until_over(&server, &run_path).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["output"], json!({"count": 1, "by": "timeout"}), "{done}");
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
