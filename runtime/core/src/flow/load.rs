//! Reading a flow document: JSON, or YAML on import; checked against the
//! published schema before it becomes a [`Flow`].

use std::sync::OnceLock;

use serde_json::Value;

use super::{Flow, Problem};
use crate::schema::Schema;

fn flow_schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::compile(scena_host_api::FLOW_SCHEMA, "flow").expect("the published flow schema compiles")
    })
}

pub fn load_flow(text: &str) -> Result<Flow, Vec<Problem>> {
    let document = parse_document(text).map_err(|p| vec![p])?;
    let mut problems: Vec<Problem> = flow_schema()
        .located_violations(&document)
        .into_iter()
        .map(|(path, message)| locate(&document, &path, &message))
        .collect();
    // In one order whatever order the document's maps keep (a Cargo feature
    // of serde_json decides that), as `validate` does.
    problems.sort();
    problems.dedup();
    if !problems.is_empty() {
        return Err(problems);
    }
    serde_json::from_value(document).map_err(|e| vec![Problem::flow(format!("cannot read the flow: {e}"))])
}

fn parse_document(text: &str) -> Result<Value, Problem> {
    let json_error = match serde_json::from_str::<Value>(text) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    if text.trim_start().starts_with('{') {
        return Err(Problem::flow(format!("not valid JSON: {json_error}")));
    }
    serde_norway::from_str::<Value>(text).map_err(|e| Problem::flow(format!("neither JSON nor YAML: {e}")))
}

/// Tie a schema violation under `/nodes/N` to node N's id when it has one.
fn locate(document: &Value, path: &str, message: &str) -> Problem {
    let node_id = path
        .strip_prefix("/nodes/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|index| index.parse::<usize>().ok())
        .and_then(|index| document["nodes"][index]["id"].as_str());
    match node_id {
        Some(id) => Problem::node(id, format!("{path}: {message}")),
        None => Problem::flow(format!("{path}: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_is_accepted() {
        let flow = load_flow("name: hello\nnodes:\n  - {id: start, kind: start}\n  - {id: done, kind: end}\nedges:\n  - {from: start, to: done}\n").unwrap();
        assert_eq!(flow.nodes.len(), 2);
    }

    #[test]
    fn schema_violations_name_the_node() {
        let problems = load_flow(
            r#"{"name": "x", "nodes": [{"id": "s", "kind": "start"}, {"id": "fetch", "kind": "step"}], "edges": []}"#,
        )
        .unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].node.as_deref(), Some("fetch"));
        assert!(problems[0].message.contains("\"plugin\" is a required property"), "{problems:?}");
    }

    #[test]
    fn every_time_in_a_flow_is_at_most_a_year() {
        let batch = |wait_ms: u64| {
            load_flow(&format!(
                r#"{{"name": "x", "nodes": [{{"id": "s", "kind": "start"}},
                    {{"id": "roll", "kind": "batch", "items": "${{inputs.hosts}}", "batches": [1],
                      "between": {{"wait_ms": {wait_ms}}}, "body": {{"plugin": "echo"}}}},
                    {{"id": "e", "kind": "end"}}],
                   "edges": [{{"from": "s", "to": "roll"}}, {{"from": "roll", "to": "e"}}]}}"#
            ))
        };
        assert!(batch(31_536_000_000).is_ok());
        let problems = batch(u64::MAX).unwrap_err();
        assert_eq!(problems[0].node.as_deref(), Some("roll"), "{problems:?}");
    }

    #[test]
    fn a_flow_of_thousands_of_nodes_is_checked_within_the_schema_checks_bound() {
        let mut nodes = vec![serde_json::json!({"id": "start", "kind": "start"})];
        let mut edges = Vec::new();
        for i in 0..5_000 {
            let input =
                serde_json::json!({"n": format!("${{inputs.n}}"), "list": [1, 2, 3], "nested": {"a": {"b": i}}});
            nodes.push(serde_json::json!({"id": format!("s{i}"), "kind": "step", "plugin": "add@^0.1", "input": input,
                                          "retry": {"max_attempts": 3}, "ui": {"x": i, "y": 0}}));
            let from = if i == 0 { "start".to_string() } else { format!("s{}", i - 1) };
            edges.push(serde_json::json!({"from": from, "to": format!("s{i}")}));
        }
        nodes.push(serde_json::json!({"id": "end", "kind": "end"}));
        edges.push(serde_json::json!({"from": "s4999", "to": "end"}));
        let flow = serde_json::json!({"name": "long", "nodes": nodes, "edges": edges});
        assert_eq!(load_flow(&flow.to_string()).map(|f| f.nodes.len()), Ok(5_002));
    }

    #[test]
    fn garbage_is_refused_clearly() {
        let problems = load_flow("{ not json").unwrap_err();
        assert!(problems[0].message.starts_with("not valid JSON"), "{problems:?}");
        let problems = load_flow("- [unbalanced").unwrap_err();
        assert!(problems[0].message.starts_with("neither JSON nor YAML"), "{problems:?}");
    }
}
