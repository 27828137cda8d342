//! `kv`: counters and simple locks for flows, on the tenant's durable key/value
//! state. `get` of a missing key gives `null`, and `null` as `expected` in
//! `cas` means "the key must be absent" — so `{"op":"cas","key":"lock",
//! "value":"run-42"}` takes a free lock.

use scena_plugin::prelude::*;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub op: Op,
    pub key: String,
    /// The value to store (`set`, `cas`).
    #[serde(default)]
    pub value: Option<Value>,
    /// The amount to add (`increment`); default 1.
    #[serde(default)]
    pub by: Option<i64>,
    /// The value the key must hold for `cas` to store; `null` or absent: the key must not exist.
    #[serde(default)]
    pub expected: Option<Value>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Get,
    Set,
    Increment,
    Cas,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// The value under the key after the operation (`null` when absent).
    pub value: Value,
    /// For `cas`: whether the value was stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swapped: Option<bool>,
}

pub struct Kv;

impl Step for Kv {
    type Input = Input;
    type Output = Output;
    const NAME: &'static str = "kv";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "Key/value state";
    const DESCRIPTION: &'static str =
        "Reads and writes the tenant's durable key/value state: get, set, increment a counter, compare-and-swap a lock.";
    const CATEGORY: &'static str = "core";
    const CAPABILITIES: &'static [Capability] = &[Capability::Kv];

    fn run(_ctx: &Context, input: Input) -> StepResult<Output> {
        let key = input.key.as_str();
        let output = match input.op {
            Op::Get => Output { value: kv::get(key)?.unwrap_or(Value::Null), swapped: None },
            Op::Set => {
                let value = require_value(&input)?;
                kv::set(key, &value)?;
                Output { value, swapped: None }
            }
            Op::Increment => Output { value: kv::increment(key, input.by.unwrap_or(1))?.into(), swapped: None },
            Op::Cas => {
                let value = require_value(&input)?;
                let expected = input.expected.as_ref().filter(|v| !v.is_null());
                let swapped = kv::compare_and_swap(key, expected, &value)?;
                let value = if swapped { value } else { kv::get(key)?.unwrap_or(Value::Null) };
                Output { value, swapped: Some(swapped) }
            }
        };
        done(output)
    }
}

fn require_value(input: &Input) -> Result<Value, StepError> {
    input
        .value
        .clone()
        .ok_or_else(|| StepError::InvalidInput(format!("`value` is required for {:?}", input.op).to_lowercase()))
}

export_step!(Kv);
