use std::fmt;

use serde::Serialize;

/// One thing wrong with a flow, tied to a node where it can be (none for the whole flow).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Problem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn node(id: &str, message: impl Into<String>) -> Problem {
        Problem { node: Some(id.to_string()), message: message.into() }
    }

    pub fn flow(message: impl Into<String>) -> Problem {
        Problem { node: None, message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            Some(id) => write!(f, "node {id}: {}", self.message),
            None => write!(f, "flow: {}", self.message),
        }
    }
}
