//! The state of one run, rebuilt from its events.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Created,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum NodeStatus {
    /// Not reached (yet).
    Idle,
    /// A call was asked for; `started` once `StepStarted` is recorded. A crash
    /// after that point means the call may have run: it runs again as the next attempt.
    Running {
        started: bool,
        polling: Option<Value>,
    },
    /// Waiting for a timer: a retry back-off, a poll of a pending step, a wait node.
    Waiting {
        due_ms: u64,
        attempt: u32,
        poll: Option<Value>,
    },
    /// A foreach working through its items.
    Iterating,
    /// An approval waiting for a person; `due_ms` is its timeout.
    AwaitingDecision {
        due_ms: Option<u64>,
    },
    Succeeded,
    /// Failed, and the flow went on (`on_error: continue | route`) or stopped.
    Failed,
    /// On a path not taken.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeState {
    pub status: NodeStatus,
    pub attempt: u32,
    /// Predecessors that have reached this node or decided not to.
    pub settled_inputs: u32,
    /// Whether any predecessor activated it.
    pub activated: bool,
    /// An input an operator gave when retrying, used instead of the mapping.
    pub input_override: Option<Value>,
    /// For a foreach or batch: the items, and where each one is.
    pub items: Vec<ItemState>,
    /// For a batch: the batch now running (0-based).
    pub batch: usize,
    /// For a batch: the failure threshold was crossed; no new item starts.
    pub tripped: bool,
    /// When the run first reached the node (ms since the epoch, from the event that did).
    pub started_ms: Option<u64>,
    /// When it last settled — succeeded, failed or skipped; cleared by a retry.
    pub ended_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemState {
    pub value: Value,
    pub status: NodeStatus,
    pub attempt: u32,
    pub output: Value,
    pub error: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunState {
    pub status: RunStatus,
    pub inputs: Value,
    pub nodes: Vec<NodeState>,
    /// `steps.<id>` as expressions see it: output, error, status, attempts.
    pub steps: BTreeMap<String, Value>,
    pub output: Option<Value>,
    pub error: Option<String>,
    /// `run` as expressions see it (id, tenant, flow, version, started_at).
    pub run: Value,
    /// Held by an operator: calls that are due stay `Running { started: false }`.
    pub paused: bool,
}

impl RunState {
    pub fn new(node_count: usize) -> RunState {
        let idle = NodeState {
            status: NodeStatus::Idle,
            attempt: 0,
            settled_inputs: 0,
            activated: false,
            input_override: None,
            items: Vec::new(),
            batch: 0,
            tripped: false,
            started_ms: None,
            ended_ms: None,
        };
        RunState {
            status: RunStatus::Created,
            inputs: Value::Null,
            nodes: vec![idle; node_count],
            steps: BTreeMap::new(),
            output: None,
            error: None,
            run: Value::Null,
            paused: false,
        }
    }

    pub fn is_over(&self) -> bool {
        matches!(self.status, RunStatus::Succeeded | RunStatus::Failed | RunStatus::Cancelled)
    }

    /// Indices of the approval nodes waiting for a decision.
    pub fn awaiting_decision(&self) -> Vec<usize> {
        (0..self.nodes.len()).filter(|&i| matches!(self.nodes[i].status, NodeStatus::AwaitingDecision { .. })).collect()
    }

    /// When the earliest timeout of an undecided approval comes, if any has one.
    pub fn next_decision_due(&self) -> Option<u64> {
        self.nodes
            .iter()
            .filter_map(|node| match node.status {
                NodeStatus::AwaitingDecision { due_ms } => due_ms,
                _ => None,
            })
            .min()
    }
}
