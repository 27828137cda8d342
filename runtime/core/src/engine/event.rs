//! What happens to a run (events, persisted in order) and what the engine
//! asks for in return (commands).

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    RunStarted {
        input: Value,
        run: Value,
        at_ms: u64,
    },
    /// A call of a step began (recorded before the call, so a crash mid-call
    /// is seen on resume and the node runs again with the next attempt).
    StepStarted {
        node: String,
        attempt: u32,
        at_ms: u64,
    },
    StepFinished {
        node: String,
        attempt: u32,
        outcome: StepOutcome,
        at_ms: u64,
    },
    TimerFired {
        node: String,
        attempt: u32,
        at_ms: u64,
    },
    /// A person decided on an approval node.
    Decided {
        node: String,
        approved: bool,
        by: String,
        comment: String,
        at_ms: u64,
    },
    /// An operator re-runs a failed step, optionally with a replaced input.
    NodeRetried {
        node: String,
        input: Option<Value>,
        by: String,
        at_ms: u64,
    },
    /// An operator marks a failed, waiting or undecided node as done with `output`.
    NodeSkipped {
        node: String,
        output: Value,
        by: String,
        at_ms: u64,
    },
    /// An operator stops the run; calls still running are abandoned.
    Cancelled {
        by: String,
        reason: String,
        at_ms: u64,
    },
    /// An operator holds the run: no call starts until `Unpaused`; calls
    /// already running finish and are recorded.
    Paused {
        by: String,
        reason: String,
        at_ms: u64,
    },
    Unpaused {
        by: String,
        at_ms: u64,
    },
    /// An operator fails a running, waiting or undecided node now; it takes
    /// its `on_error` route (no retry). A call still running is abandoned.
    ForceFailed {
        node: String,
        by: String,
        reason: String,
        at_ms: u64,
    },
    /// The run was picked up again from its log (after a crash or a stop).
    /// For the history only: it changes no state.
    RunResumed {
        at_ms: u64,
    },
}

impl Event {
    pub fn at_ms(&self) -> u64 {
        match self {
            Event::RunStarted { at_ms, .. }
            | Event::StepStarted { at_ms, .. }
            | Event::StepFinished { at_ms, .. }
            | Event::TimerFired { at_ms, .. }
            | Event::Decided { at_ms, .. }
            | Event::NodeRetried { at_ms, .. }
            | Event::NodeSkipped { at_ms, .. }
            | Event::Cancelled { at_ms, .. }
            | Event::Paused { at_ms, .. }
            | Event::Unpaused { at_ms, .. }
            | Event::ForceFailed { at_ms, .. }
            | Event::RunResumed { at_ms } => *at_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StepOutcome {
    Done { output: Value },
    Pending { state: Value, after_ms: u32 },
    Failed { kind: String, message: String, retryable: bool },
}

/// Which export of the plugin to call.
#[derive(Debug, Clone, PartialEq)]
pub enum StepCall {
    Run(Value),
    Poll(Value),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Call the node's plugin; record `StepStarted` first, then `StepFinished`.
    Call { node: String, attempt: u32, call: StepCall },
    /// Deliver `TimerFired { node, attempt }` at `due_ms`.
    Timer { node: String, attempt: u32, due_ms: u64 },
    /// The run is over.
    Finish,
}
