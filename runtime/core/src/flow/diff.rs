//! Structured difference between two flows (two versions of one flow):
//! nodes and edges added and removed, and for changed nodes the fields that
//! changed with their values before and after.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::{Edge, Flow};

/// What changed between two versions of a flow.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct FlowDiff {
    /// Flow-level fields (`title`, `description`, `inputs` …) that changed.
    pub flow: Vec<FieldChange>,
    pub nodes_added: Vec<String>,
    pub nodes_removed: Vec<String>,
    pub nodes_changed: Vec<NodeChange>,
    pub edges_added: Vec<Edge>,
    pub edges_removed: Vec<Edge>,
}

impl FlowDiff {
    pub fn is_empty(&self) -> bool {
        *self == FlowDiff::default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct NodeChange {
    pub id: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

pub fn diff(before: &Flow, after: &Flow) -> FlowDiff {
    let nodes = |flow: &Flow| -> BTreeMap<String, Value> {
        flow.nodes.iter().map(|n| (n.id.clone(), serde_json::to_value(n).expect("nodes serialise"))).collect()
    };
    let (old, new) = (nodes(before), nodes(after));
    let mut result = FlowDiff {
        flow: field_changes(&flow_fields(before), &flow_fields(after)),
        nodes_added: new.keys().filter(|id| !old.contains_key(*id)).cloned().collect(),
        nodes_removed: old.keys().filter(|id| !new.contains_key(*id)).cloned().collect(),
        ..FlowDiff::default()
    };
    for (id, old_node) in &old {
        if let Some(new_node) = new.get(id) {
            let fields = field_changes(old_node, new_node);
            if !fields.is_empty() {
                result.nodes_changed.push(NodeChange { id: id.clone(), fields });
            }
        }
    }
    let key = |e: &Edge| (e.from.clone(), e.to.clone(), serde_json::to_string(&e.kind).unwrap_or_default());
    let old_edges: BTreeSet<_> = before.edges.iter().map(key).collect();
    let new_edges: BTreeSet<_> = after.edges.iter().map(key).collect();
    result.edges_added = after.edges.iter().filter(|e| !old_edges.contains(&key(e))).cloned().collect();
    result.edges_removed = before.edges.iter().filter(|e| !new_edges.contains(&key(e))).cloned().collect();
    result
}

/// The flow without its nodes and edges, as a JSON object.
fn flow_fields(flow: &Flow) -> Value {
    let mut value = serde_json::to_value(flow).expect("flows serialise");
    if let Some(map) = value.as_object_mut() {
        map.remove("nodes");
        map.remove("edges");
    }
    value
}

/// Top-level fields of two JSON objects that differ (absent counts as null).
fn field_changes(before: &Value, after: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let (a, b) = (before.as_object().unwrap_or(&empty), after.as_object().unwrap_or(&empty));
    let fields: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    fields
        .into_iter()
        .filter_map(|field| {
            let (x, y) = (a.get(field).cloned().unwrap_or(Value::Null), b.get(field).cloned().unwrap_or(Value::Null));
            (x != y).then(|| FieldChange { field: field.clone(), before: x, after: y })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::flow::load_flow;

    fn flow(value: Value) -> Flow {
        load_flow(&value.to_string()).unwrap()
    }

    #[test]
    fn changes_are_reported_by_node_and_field() {
        let v1 = flow(json!({"name": "f", "title": "one", "nodes": [
            {"id": "start", "kind": "start"},
            {"id": "a", "kind": "step", "plugin": "echo@^0.1", "input": {"n": 1}, "ui": {"x": 0, "y": 0}},
            {"id": "old", "kind": "step", "plugin": "echo"},
            {"id": "end", "kind": "end"}],
            "edges": [{"from": "start", "to": "a"}, {"from": "a", "to": "old"}, {"from": "old", "to": "end"}]}));
        let v2 = flow(json!({"name": "f", "title": "two", "nodes": [
            {"id": "start", "kind": "start"},
            {"id": "a", "kind": "step", "plugin": "echo@^0.2", "input": {"n": 1}, "ui": {"x": 0, "y": 0}, "timeout_ms": 500},
            {"id": "new", "kind": "wait", "duration_ms": 10},
            {"id": "end", "kind": "end"}],
            "edges": [{"from": "start", "to": "a"}, {"from": "a", "to": "new"}, {"from": "new", "to": "end"}]}));
        let d = diff(&v1, &v2);
        assert_eq!(d.flow, vec![FieldChange { field: "title".into(), before: json!("one"), after: json!("two") }]);
        assert_eq!(
            (d.nodes_added.clone(), d.nodes_removed.clone()),
            (vec!["new".to_string()], vec!["old".to_string()])
        );
        assert_eq!(d.nodes_changed.len(), 1);
        let fields: Vec<&str> = d.nodes_changed[0].fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["plugin", "timeout_ms"]);
        assert_eq!(d.edges_added.len(), 2);
        assert_eq!(d.edges_removed.len(), 2);
        assert!(diff(&v2, &v2).is_empty());
    }
}
