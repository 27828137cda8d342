//! The flow format: nodes, edges and their settings, as stored and exchanged.
//! The published JSON Schema (`host-api/schema/flow.schema.json`) is checked
//! first; these types are what the rest of the runtime works with.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// JSON Schema of the run input.
    #[serde(default = "accept_anything")]
    pub inputs: Value,
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub edges: Vec<Edge>,
}

fn accept_anything() -> Value {
    Value::Bool(true)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui: Option<Ui>,
    #[serde(flatten)]
    pub kind: NodeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ui {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeKind {
    Start,
    End {
        /// Output mapping of the run when it ends here.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        output: Option<Value>,
    },
    Step(StepNode),
    Parallel,
    Join,
    Switch {
        cases: Vec<Case>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        default: Option<String>,
    },
    Subflow {
        flow: String,
        #[serde(default)]
        version: FlowVersionRef,
        #[serde(default)]
        input: Value,
        #[serde(default)]
        on_error: OnError,
    },
    Approval {
        assignees: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
        #[serde(default)]
        on_timeout: OnTimeout,
    },
    Wait {
        /// Milliseconds, or an expression giving them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_ms: Option<Value>,
        /// An RFC 3339 instant, or an expression giving one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<String>,
    },
    Foreach {
        items: String,
        #[serde(default = "one")]
        concurrency: u32,
        #[serde(default)]
        fail_fast: bool,
        body: Body,
    },
    Batch {
        items: String,
        batches: Vec<CountOrPercent>,
        #[serde(default = "one")]
        concurrency: u32,
        #[serde(default)]
        between: Between,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_failures: Option<CountOrPercent>,
        body: Body,
    },
}

fn one() -> u32 {
    1
}

impl NodeKind {
    /// What a failure does, for the kinds that fail on their own (steps, subflows).
    pub fn on_error(&self) -> Option<OnError> {
        match self {
            NodeKind::Step(step) => Some(step.on_error),
            NodeKind::Subflow { on_error, .. } => Some(*on_error),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            NodeKind::Start => "start",
            NodeKind::End { .. } => "end",
            NodeKind::Step(_) => "step",
            NodeKind::Parallel => "parallel",
            NodeKind::Join => "join",
            NodeKind::Switch { .. } => "switch",
            NodeKind::Subflow { .. } => "subflow",
            NodeKind::Approval { .. } => "approval",
            NodeKind::Wait { .. } => "wait",
            NodeKind::Foreach { .. } => "foreach",
            NodeKind::Batch { .. } => "batch",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepNode {
    /// `name@semver-requirement`.
    pub plugin: String,
    #[serde(default)]
    pub input: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(default)]
    pub on_error: OnError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    #[default]
    Fail,
    Continue,
    Route,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retry {
    #[serde(default = "one")]
    pub max_attempts: u32,
    #[serde(default)]
    pub backoff: Backoff,
    #[serde(default)]
    pub initial_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<u64>,
    #[serde(default)]
    pub jitter: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    #[default]
    Fixed,
    Exponential,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub when: String,
    pub to: String,
}

/// Which version of a subflow: pinned, or the latest when the run starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FlowVersionRef {
    Pinned(u32),
    #[default]
    #[serde(with = "latest")]
    Latest,
}

mod latest {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("latest")
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
        match String::deserialize(d)?.as_str() {
            "latest" => Ok(()),
            other => Err(serde::de::Error::custom(format!("expected a version number or `latest`, got `{other}`"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnTimeout {
    Approve,
    #[default]
    Reject,
}

/// What `foreach` and `batch` run for each item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    #[serde(default)]
    pub version: FlowVersionRef,
    #[serde(default)]
    pub input: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

/// `3` items, or `"10%"` of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CountOrPercent {
    Count(u64),
    Percent(String),
}

impl CountOrPercent {
    /// How many of `total` items this means, rounding a percentage up so that
    /// a non-zero percentage of a non-empty set is at least one item.
    pub fn of(&self, total: u64) -> u64 {
        match self {
            CountOrPercent::Count(n) => (*n).min(total),
            CountOrPercent::Percent(text) => {
                let percent: f64 = text.trim_end_matches('%').parse().unwrap_or(0.0);
                ((total as f64) * percent / 100.0).ceil().min(total as f64) as u64
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Between {
    #[default]
    None,
    Approval,
    #[serde(untagged)]
    Wait {
        wait_ms: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Edge {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub kind: EdgeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    #[default]
    Normal,
    Error,
    Rollback,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_up_and_counts_cap() {
        assert_eq!(CountOrPercent::Percent("10%".into()).of(25), 3);
        assert_eq!(CountOrPercent::Percent("100%".into()).of(25), 25);
        assert_eq!(CountOrPercent::Percent("0%".into()).of(25), 0);
        assert_eq!(CountOrPercent::Count(1).of(25), 1);
        assert_eq!(CountOrPercent::Count(40).of(25), 25);
    }

    #[test]
    fn nodes_read_from_their_kind() {
        let node: Node = serde_json::from_value(serde_json::json!({
            "id": "stop", "kind": "step", "plugin": "echo@^0.1", "input": {"n": "${inputs.n}"},
            "retry": {"max_attempts": 3, "backoff": "exponential", "initial_ms": 100}, "ui": {"x": 1, "y": 2}
        }))
        .unwrap();
        let NodeKind::Step(step) = &node.kind else { panic!("{node:?}") };
        assert_eq!(step.plugin, "echo@^0.1");
        assert_eq!(step.retry.as_ref().unwrap().backoff, Backoff::Exponential);
        assert_eq!(step.on_error, OnError::Fail);

        let batch: NodeKind = serde_json::from_value(serde_json::json!({
            "kind": "batch", "items": "inputs.hosts", "batches": [1, "10%", "100%"],
            "between": {"wait_ms": 500}, "max_failures": "5%", "body": {"plugin": "echo"}
        }))
        .unwrap();
        let NodeKind::Batch { between, batches, .. } = batch else { panic!() };
        assert_eq!(between, Between::Wait { wait_ms: 500 });
        assert_eq!(batches[1], CountOrPercent::Percent("10%".into()));

        let sub: NodeKind =
            serde_json::from_value(serde_json::json!({"kind": "subflow", "flow": "x", "version": "latest"})).unwrap();
        assert!(matches!(sub, NodeKind::Subflow { version: FlowVersionRef::Latest, .. }));
        let sub: NodeKind =
            serde_json::from_value(serde_json::json!({"kind": "subflow", "flow": "x", "version": 3})).unwrap();
        assert!(matches!(sub, NodeKind::Subflow { version: FlowVersionRef::Pinned(3), .. }));
    }
}
