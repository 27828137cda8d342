//! What a call of a plugin returns to its caller.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::atoms::{AtomRecord, LogLine};
use crate::store::KvWrites;

/// A finished step or one to be polled again.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Outcome {
    Done { output: Value },
    Pending { state: Value, after_ms: u32 },
}

/// Which limit stopped a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    Deadline,
    Memory,
    Stack,
    Output,
    Trap,
}

/// Why a call did not produce an outcome. The kinds are those of the WIT
/// `step-error`, plus the limits the sandbox enforces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "message")]
pub enum StepFailure {
    InvalidInput(String),
    Denied(String),
    Retryable(String),
    Fatal(String),
    Limit(LimitKind, String),
}

impl StepFailure {
    pub fn message(&self) -> &str {
        match self {
            StepFailure::InvalidInput(m)
            | StepFailure::Denied(m)
            | StepFailure::Retryable(m)
            | StepFailure::Fatal(m)
            | StepFailure::Limit(_, m) => m,
        }
    }

    pub fn message_mut(&mut self) -> &mut String {
        match self {
            StepFailure::InvalidInput(m)
            | StepFailure::Denied(m)
            | StepFailure::Retryable(m)
            | StepFailure::Fatal(m)
            | StepFailure::Limit(_, m) => m,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            StepFailure::InvalidInput(_) => "invalid input",
            StepFailure::Denied(_) => "denied",
            StepFailure::Retryable(_) => "retryable",
            StepFailure::Fatal(_) => "fatal",
            StepFailure::Limit(..) => "limit",
        }
    }
}

impl fmt::Display for StepFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind(), self.message())
    }
}

/// Everything one call produced.
#[derive(Debug)]
pub struct CallReport {
    pub result: Result<Outcome, StepFailure>,
    pub logs: Vec<LogLine>,
    pub atom_calls: Vec<AtomRecord>,
    /// The `kv` writes to commit with the outcome; empty unless `result` is Ok.
    pub kv: KvWrites,
}
