use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::{Capability, StepError};

/// The call's context: tenant, run, node, attempt and the idempotency key to
/// hand to external systems so that a retried step does not repeat an effect.
pub type Context = crate::bindings::scena::plugin::types::Context;

/// What `run` and `poll` return.
pub type StepResult<T> = Result<Outcome<T>, StepError>;

/// A finished step, or one that asks to be polled again later.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    Done(T),
    /// The host saves `state` and calls [`Step::poll`] with it after `after_ms`.
    Pending { state: Value, after_ms: u32 },
}

/// Finish the step with `output`.
pub fn done<T>(output: T) -> StepResult<T> {
    Ok(Outcome::Done(output))
}

/// Ask to be polled again after `after_ms` with `state`.
pub fn pending<T>(state: impl Serialize, after_ms: u32) -> StepResult<T> {
    let state = serde_json::to_value(state)
        .map_err(|e| StepError::Fatal(format!("cannot serialise pending state: {e}")))?;
    Ok(Outcome::Pending { state, after_ms })
}

/// One kind of scenario step.
pub trait Step {
    /// The input, deserialised from the JSON the host validated against its schema.
    type Input: DeserializeOwned + JsonSchema;
    /// The output; its schema is published and checked by the host.
    type Output: Serialize + JsonSchema;

    /// `^[a-z][a-z0-9-]{0,62}$`
    const NAME: &'static str;
    /// Semantic version; `env!("CARGO_PKG_VERSION")` keeps it in step with Cargo.toml.
    const VERSION: &'static str;
    const TITLE: &'static str;
    const DESCRIPTION: &'static str;
    const CATEGORY: &'static str = "custom";
    /// The atoms this step calls. Importing one not listed here gets the plugin refused.
    const CAPABILITIES: &'static [Capability] = &[];

    fn run(ctx: &Context, input: Self::Input) -> StepResult<Self::Output>;

    /// Continue after [`Outcome::Pending`]. Steps that never pend keep the default.
    fn poll(_ctx: &Context, _state: Value) -> StepResult<Self::Output> {
        Err(StepError::Fatal(format!("{} never returns pending, so it cannot be polled", Self::NAME)))
    }
}
