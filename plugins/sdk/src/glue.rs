//! The generic code behind [`export_step!`](crate::export_step): JSON in, JSON out.

use crate::bindings::scena::plugin::types as wit;
use crate::{Outcome, Step, StepError};

pub fn describe<S: Step>() -> wit::StepMeta {
    wit::StepMeta {
        name: S::NAME.to_string(),
        version: S::VERSION.to_string(),
        title: S::TITLE.to_string(),
        description: S::DESCRIPTION.to_string(),
        category: S::CATEGORY.to_string(),
        input_schema: schema_of::<S::Input>(),
        output_schema: schema_of::<S::Output>(),
        capabilities: S::CAPABILITIES.iter().map(|c| c.as_str().to_string()).collect(),
    }
}

fn schema_of<T: schemars::JsonSchema>() -> String {
    serde_json::to_string(&schemars::schema_for!(T)).expect("a derived schema is valid JSON")
}

pub fn run<S: Step>(ctx: wit::Context, input: String) -> Result<wit::Outcome, wit::StepError> {
    let input: S::Input = serde_json::from_str(&input)
        .map_err(|e| wit::StepError::InvalidInput(format!("input does not fit {}: {e}", S::NAME)))?;
    encode::<S>(S::run(&ctx, input))
}

pub fn poll<S: Step>(ctx: wit::Context, state: String) -> Result<wit::Outcome, wit::StepError> {
    let state = serde_json::from_str(&state)
        .map_err(|e| wit::StepError::Fatal(format!("saved state is not JSON: {e}")))?;
    encode::<S>(S::poll(&ctx, state))
}

fn encode<S: Step>(result: Result<Outcome<S::Output>, StepError>) -> Result<wit::Outcome, wit::StepError> {
    match result.map_err(wit::StepError::from)? {
        Outcome::Done(output) => serde_json::to_string(&output)
            .map(wit::Outcome::Done)
            .map_err(|e| wit::StepError::Fatal(format!("cannot serialise output: {e}"))),
        Outcome::Pending { state, after_ms } => Ok(wit::Outcome::Pending(wit::Pending {
            state: state.to_string(),
            after_ms,
        })),
    }
}
