//! OpenTelemetry traces (`scena serve --otlp-endpoint`): a run is one trace,
//! whose id is the run's, whichever nodes of a cluster drive it; each node's
//! stretch of it is a span `run`, each step call a span `step` inside it; a
//! subflow's run is its own trace, linked to the caller's.
//! The collector is a loopback HTTP server taking OTLP/HTTP requests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use prost::Message as _;
use serde_json::{Value, json};

use crate::support::cluster::{Cluster, signal};
use crate::support::server::Server;

/// One span as the collector got it.
#[derive(Debug, Clone)]
struct Received {
    node: String,
    name: String,
    trace_id: String,
    span_id: String,
    parent_span_id: String,
    attributes: Vec<(String, String)>,
    /// The trace ids of the spans it links to.
    links: Vec<String>,
}

impl Received {
    fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

fn text(value: Option<&opentelemetry_proto::tonic::common::v1::AnyValue>) -> String {
    match value.and_then(|v| v.value.as_ref()) {
        Some(Any::StringValue(s)) => s.clone(),
        Some(Any::IntValue(n)) => n.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

/// A collector on loopback: its `http://…` base, and what it received.
async fn collector() -> (String, Arc<Mutex<Vec<Received>>>) {
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                let request = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf request");
                let mut sink = sink.lock().unwrap();
                for resource in request.resource_spans {
                    let attributes = resource.resource.map(|r| r.attributes).unwrap_or_default();
                    let node =
                        attributes.iter().find(|a| a.key == "service.instance.id").map(|a| text(a.value.as_ref()));
                    for span in resource.scope_spans.into_iter().flat_map(|s| s.spans) {
                        sink.push(Received {
                            node: node.clone().unwrap_or_default(),
                            name: span.name,
                            trace_id: hex(&span.trace_id),
                            span_id: hex(&span.span_id),
                            parent_span_id: hex(&span.parent_span_id),
                            attributes: span
                                .attributes
                                .iter()
                                .map(|a| (a.key.clone(), text(a.value.as_ref())))
                                .collect(),
                            links: span.links.iter().map(|l| hex(&l.trace_id)).collect(),
                        });
                    }
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, received)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Stop a node as an operator does (SIGTERM), waiting for its end: it sends what it still holds.
fn stop(node: &mut Server) {
    signal(node, "TERM");
    let _ = node.child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_driven_by_two_nodes_is_one_trace_whose_id_is_the_runs() {
    let (base, received) = collector().await;
    let mut cluster = Cluster::start_with("telemetry", 2, "2s", &["echo"], &["--otlp-endpoint", &base]);
    let child = json!({"name": "child", "nodes": [{"id": "start", "kind": "start"},
        {"id": "inner", "kind": "step", "plugin": "echo", "input": {"inner": true}},
        {"id": "end", "kind": "end", "output": "${steps.inner.output}"}],
        "edges": [{"from": "start", "to": "inner"}, {"from": "inner", "to": "end"}]});
    let flow = json!({"name": "traced", "nodes": [{"id": "start", "kind": "start"},
        {"id": "ok", "kind": "approval", "assignees": ["role:operator"]},
        {"id": "say", "kind": "step", "plugin": "echo", "input": {"said": "hi"}},
        {"id": "sub", "kind": "subflow", "flow": "child"},
        {"id": "end", "kind": "end", "output": "${steps.say.output}"}],
        "edges": [{"from": "start", "to": "ok"}, {"from": "ok", "to": "say"}, {"from": "say", "to": "sub"},
                  {"from": "sub", "to": "end"}]});
    let first = &cluster.nodes[0];
    assert_eq!(first.admin("PUT", "/api/v1/tenants/default/flows/child/draft", Some(child)).await.status, 200);
    assert_eq!(first.admin("POST", "/api/v1/tenants/default/flows/child/versions", None).await.status, 201);
    assert_eq!(first.admin("PUT", "/api/v1/tenants/default/flows/traced/draft", Some(flow)).await.status, 200);
    assert_eq!(first.admin("POST", "/api/v1/tenants/default/flows/traced/versions", None).await.status, 201);
    let started = first
        .admin("POST", "/api/v1/tenants/default/flows/traced/runs?wait_ms=10000", Some(json!({"input": {}})))
        .await;
    assert_eq!(started.body["status"], "waiting", "{}", started.body);
    let run = started.body["id"].as_str().unwrap().to_string();

    // The first node stops; the second takes the decision and drives the run to its end.
    stop(&mut cluster.nodes[0]);
    let second = &cluster.nodes[1];
    let approve = format!("/api/v1/tenants/default/runs/{run}/nodes/ok/approve");
    assert_eq!(second.admin("POST", &approve, Some(json!({}))).await.status, 200);
    let mut ended = Value::Null;
    for _ in 0..200 {
        ended = second.admin("GET", &format!("/api/v1/tenants/default/runs/{run}"), None).await.body;
        if ended["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ended["status"], "succeeded", "{ended}");
    stop(&mut cluster.nodes[1]);

    let trace = run.replace('-', "");
    let spans: Vec<Received> = received.lock().unwrap().iter().filter(|s| s.trace_id == trace).cloned().collect();
    let runs: Vec<&Received> = spans.iter().filter(|s| s.name == "run").collect();
    let nodes: Vec<&str> = runs.iter().map(|s| s.node.as_str()).collect();
    assert!(nodes.contains(&"n1") && nodes.contains(&"n2"), "each node's stretch of the run: {spans:#?}");
    assert!(runs.iter().all(|s| s.attribute("run.id") == Some(run.as_str()) && s.attribute("flow") == Some("traced")));
    // Every stretch hangs from the run itself, the same parent on each node.
    assert!(runs.iter().all(|s| s.parent_span_id == runs[0].parent_span_id && !s.parent_span_id.is_empty()));
    let say = spans.iter().find(|s| s.name == "step" && s.attribute("node") == Some("say")).expect("the step's span");
    let driver = runs.iter().find(|s| s.node == "n2").unwrap();
    assert_eq!(say.parent_span_id, driver.span_id, "the call is inside the second node's stretch");
    assert_eq!((say.attribute("plugin"), say.attribute("outcome")), (Some("echo"), Some("done")));
    assert!(spans.iter().all(|s| s.node == "n1" || s.node == "n2"), "{spans:#?}");

    // The subflow's run is a trace of its own, linked to the calling run's.
    let all = received.lock().unwrap().clone();
    let child = all.iter().find(|s| s.name == "run" && s.attribute("parent.run.id") == Some(run.as_str()));
    let child = child.unwrap_or_else(|| panic!("the subflow's run span: {all:#?}"));
    assert_ne!(child.trace_id, trace);
    assert_eq!(child.links, std::slice::from_ref(&trace), "{child:#?}");
    assert!(all.iter().any(|s| s.trace_id == child.trace_id && s.attribute("node") == Some("inner")));
}
