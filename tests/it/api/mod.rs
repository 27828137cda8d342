//! The HTTP API against real `scena serve` processes, one module per area;
//! here, what they share. Every exchange is checked against the served
//! OpenAPI document (`support::documented`).

mod accounts;
mod approvals;
mod apps;
mod audit;
mod authz;
mod capacity_expansion;
mod crash_under_load;
mod files;
mod flows;
mod gates;
mod grants;
mod gray_release;
mod held_jobs;
mod hosts;
pub(crate) mod jobs;
mod lifecycle;
mod light_apps;
mod machine_replacement;
mod mass_stop;
mod new_zone;
mod notify;
mod on_hosts;
mod plugins;
mod runs;
mod sessions;
mod studio;
mod triggers;
mod version_release;

use serde_json::{Value, json};

use crate::support::server::Server;

pub(super) fn counting_flow(name: &str) -> Value {
    json!({"name": name, "inputs": {"type": "object", "required": ["zone"], "properties": {"zone": {"type": "string"}}},
      "nodes": [{"id": "start", "kind": "start"},
                {"id": "count", "kind": "step", "plugin": "kv", "input": {"op": "increment", "key": "${inputs.zone}"}},
                {"id": "gate", "kind": "approval", "assignees": ["role:operator"]},
                {"id": "end", "kind": "end", "output": {"count": "${steps.count.output.value}", "by": "${steps.gate.output.by}"}}],
      "edges": [{"from": "start", "to": "count"}, {"from": "count", "to": "gate"}, {"from": "gate", "to": "end"}]})
}

pub(super) const FLOWS: &str = "/api/v1/tenants/default/flows";

pub(super) async fn wait_until_over(server: &Server, run_path: &str) -> Value {
    wait_until_over_within(server, run_path, 600).await
}

/// `wait_until_over`, checking at most `looks` times, 50 ms apart.
pub(super) async fn wait_until_over_within(server: &Server, run_path: &str, looks: u32) -> Value {
    for _ in 0..looks {
        let run = server.admin("GET", run_path, None).await.body;
        if ["succeeded", "failed", "cancelled"].contains(&run["status"].as_str().unwrap_or("")) {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the run did not end");
}

pub(super) async fn wait_until(server: &Server, run_path: &str, status: &str) -> Value {
    for _ in 0..600 {
        let run = server.admin("GET", run_path, None).await.body;
        if run["status"] == status {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the run never reached {status}");
}

/// Publish `counting_flow(name)` with the gate's assignees set to `assignees`.
pub(super) async fn publish_counting(server: &Server, name: &str, assignees: Value) {
    let mut flow = counting_flow(name);
    flow["nodes"][2]["assignees"] = assignees;
    assert_eq!(server.admin("PUT", &format!("{FLOWS}/{name}/draft"), Some(flow)).await.status, 200);
    assert_eq!(server.admin("POST", &format!("{FLOWS}/{name}/versions"), None).await.status, 201);
}

/// A run of `flow` started by the platform admin, waiting at its gate: its path.
pub(super) async fn waiting_run(server: &Server, flow: &str) -> String {
    let run = server
        .admin("POST", &format!("{FLOWS}/{flow}/runs?wait_ms=20000"), Some(json!({"input": {"zone": "z"}})))
        .await;
    assert_eq!(run.body["status"], "waiting", "{}", run.body);
    format!("/api/v1/tenants/default/runs/{}", run.body["id"].as_str().unwrap())
}

pub(super) fn tenant(name: &str) -> String {
    format!("/api/v1/tenants/{name}")
}

/// A flow of one step of `plugin` with `input` mapped from the run's input.
pub(super) fn one_step(name: &str, plugin: &str, input: Value) -> Value {
    json!({"name": name,
      "nodes": [{"id": "start", "kind": "start"},
                {"id": "call", "kind": "step", "plugin": plugin, "input": input},
                {"id": "end", "kind": "end", "output": {"result": "${steps.call.output}"}}],
      "edges": [{"from": "start", "to": "call"}, {"from": "call", "to": "end"}]})
}

impl Server {
    pub(super) async fn publish(&self, tenant_name: &str, flow: Value) -> Value {
        let name = flow["name"].as_str().unwrap().to_string();
        let saved = self.admin("PUT", &format!("{}/flows/{name}/draft", tenant(tenant_name)), Some(flow)).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        let published = self.admin("POST", &format!("{}/flows/{name}/versions", tenant(tenant_name)), None).await;
        assert!(published.status == 201 || published.status == 422, "{}", published.body);
        published.body
    }

    pub(super) async fn run(&self, tenant_name: &str, flow: &str, input: Value) -> Value {
        let path = format!("{}/flows/{flow}/runs?wait_ms=20000", tenant(tenant_name));
        let run = self.admin("POST", &path, Some(json!({"input": input}))).await;
        assert_eq!(run.status, 200, "{}", run.body);
        run.body
    }

    /// A finished run's events as the SSE stream sends them.
    pub(super) async fn events(&self, tenant_name: &str, run_id: &str) -> String {
        scena::tls::client()
            .get(format!("{}{}/runs/{run_id}/events", self.base, tenant(tenant_name)))
            .header("Authorization", format!("Bearer {}", crate::support::server::ADMIN))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub(super) async fn text(&self, path: &str) -> String {
        scena::tls::client().get(format!("{}{path}", self.base)).send().await.unwrap().text().await.unwrap()
    }
}

pub(super) async fn runs_of(server: &Server) -> usize {
    let path = format!("{}/runs?flow=tick", tenant("default"));
    server.admin("GET", &path, None).await.body["runs"].as_array().unwrap().len()
}
