//! What the seed scenarios' tests share: a run of a sample started and
//! followed to its end, the journal each host's scripts write in its agent's
//! folder, and stand-ins for the services the samples call over HTTP
//! (Alertmanager, the website's notices, the change tickets, a zone
//! registry, a load balancer, a name service).

use std::sync::Mutex;

use serde_json::{Value, json};

use super::jobs::{Agent, enrolment_token, start_agent, until_connected};
use super::wait_until_over;
use crate::support::TempDir;
use crate::support::http_fixture::{Fixture, Reply, Seen};
use crate::support::server::Server;

/// The lines `host`'s scripts wrote to `file` in its agent's folder.
pub(super) fn journal(agents: &TempDir, host: &str, file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(agents.path().join(host).join(file)).unwrap_or_default();
    text.lines().map(str::to_string).collect()
}

/// A `scena agent` for each of `hosts` (id, labels), working in `dir/id`,
/// all connected, and the tenant's grants set to `grants`.
pub(super) async fn agents_granted(
    server: &Server,
    dir: &TempDir,
    hosts: &[(&str, &str)],
    grants: Value,
) -> Vec<Agent> {
    let token = enrolment_token(server, "default").await;
    let agents = hosts.iter().map(|(id, labels)| start_agent(server, dir, &token, id, labels)).collect();
    let connected: Vec<(&str, bool)> = hosts.iter().map(|(id, _)| (*id, true)).collect();
    until_connected(server, "default", &connected).await;
    assert_eq!(server.admin("PUT", "/api/v1/tenants/default/grants", Some(grants)).await.status, 200);
    agents
}

/// Start a run of the published `flow` in tenant `default` and follow it to its end.
pub(super) async fn run_to_end(server: &Server, flow: &str, input: Value) -> Value {
    let path = format!("/api/v1/tenants/default/flows/{flow}/runs?wait_ms=0");
    let started = server.admin("POST", &path, Some(json!({"input": input}))).await;
    assert_eq!(started.status, 202, "{}", started.body);
    let run_path = format!("/api/v1/tenants/default/runs/{}", started.body["id"].as_str().unwrap());
    wait_until_over(server, &run_path).await
}

/// Answers as Alertmanager's API does (a silence made gets an id, deleting a
/// known one is 200), and takes notices (`/news`), ticket updates
/// (`/tickets/…`), a zone registry's changes (`/zones…`), a load balancer's
/// pools (`/pools/…`) and a name service's instances (`/services/…`).
pub(super) fn services() -> Fixture {
    let made = Mutex::new(0u32);
    Fixture::start(move |seen: &Seen| match (seen.method.as_str(), seen.path.as_str()) {
        ("POST", "/api/v2/silences") => {
            let mut made = made.lock().unwrap();
            *made += 1;
            Reply::json(200, &json!({"silenceID": format!("silence-{made}")}).to_string())
        }
        ("DELETE", path) if path.starts_with("/api/v2/silence/silence-") => Reply::json(200, "{}"),
        ("POST", path) if path == "/news" || path == "/zones" || path.starts_with("/tickets/") => {
            Reply::json(200, "{}")
        }
        ("PUT", path) if path.starts_with("/zones/") || path.starts_with("/pools/") => Reply::json(200, "{}"),
        ("POST", path) if path.starts_with("/services/") => Reply::json(200, "{}"),
        _ => Reply::json(404, "{}"),
    })
}

/// The (method, path) of each call the services got since the `from`-th, and their bodies as JSON.
pub(super) fn calls(services: &Fixture, from: usize) -> (Vec<(String, String)>, Vec<Value>) {
    let seen = services.seen.lock().unwrap();
    let later = &seen[from.min(seen.len())..];
    let called = later.iter().map(|c| (c.method.clone(), c.path.clone())).collect();
    let bodies = later.iter().map(|c| serde_json::from_slice(&c.body).unwrap_or(Value::Null)).collect();
    (called, bodies)
}
