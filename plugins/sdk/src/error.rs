use std::fmt;

use crate::bindings::scena::plugin::types as wit;

/// Why a step did not finish; the kind tells the engine whether to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    InvalidInput(String),
    Denied(String),
    Retryable(String),
    Fatal(String),
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepError::InvalidInput(m) => write!(f, "invalid input: {m}"),
            StepError::Denied(m) => write!(f, "denied: {m}"),
            StepError::Retryable(m) => write!(f, "retryable: {m}"),
            StepError::Fatal(m) => write!(f, "fatal: {m}"),
        }
    }
}

impl std::error::Error for StepError {}

impl From<StepError> for wit::StepError {
    fn from(e: StepError) -> Self {
        match e {
            StepError::InvalidInput(m) => wit::StepError::InvalidInput(m),
            StepError::Denied(m) => wit::StepError::Denied(m),
            StepError::Retryable(m) => wit::StepError::Retryable(m),
            StepError::Fatal(m) => wit::StepError::Fatal(m),
        }
    }
}

/// Why an atom call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AtomError {
    /// Not granted to this tenant; the message names what was refused.
    Denied(String),
    /// Malformed arguments.
    Invalid(String),
    /// No backend for this atom in this runtime.
    Unavailable(String),
    /// Attempted and failed; usually worth a retry.
    Failed(String),
}

impl fmt::Display for AtomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AtomError::Denied(m) => write!(f, "denied: {m}"),
            AtomError::Invalid(m) => write!(f, "invalid: {m}"),
            AtomError::Unavailable(m) => write!(f, "unavailable: {m}"),
            AtomError::Failed(m) => write!(f, "failed: {m}"),
        }
    }
}

impl std::error::Error for AtomError {}

impl From<wit::AtomError> for AtomError {
    fn from(e: wit::AtomError) -> Self {
        match e {
            wit::AtomError::Denied(m) => AtomError::Denied(m),
            wit::AtomError::Invalid(m) => AtomError::Invalid(m),
            wit::AtomError::Unavailable(m) => AtomError::Unavailable(m),
            wit::AtomError::Failed(m) => AtomError::Failed(m),
        }
    }
}

/// `?` on an atom call inside `run` maps a refusal to `denied`, a failure to
/// `retryable` and the rest to `fatal`.
impl From<AtomError> for StepError {
    fn from(e: AtomError) -> Self {
        match e {
            AtomError::Denied(m) => StepError::Denied(m),
            AtomError::Failed(m) => StepError::Retryable(m),
            AtomError::Invalid(m) | AtomError::Unavailable(m) => StepError::Fatal(m),
        }
    }
}
