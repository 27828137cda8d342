//! `add`: `{n, by?}` → `{n: n + by}` (by defaults to 1). The smallest step that
//! computes something, so engine benchmarks measure real data flow.

use scena_plugin::prelude::*;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub n: i64,
    #[serde(default = "one")]
    pub by: i64,
}

fn one() -> i64 {
    1
}

#[derive(Serialize, JsonSchema)]
pub struct Output {
    pub n: i64,
}

pub struct Add;

impl Step for Add {
    type Input = Input;
    type Output = Output;
    const NAME: &'static str = "add";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "Add";
    const DESCRIPTION: &'static str = "Adds `by` (default 1) to `n`. Safe to retry.";
    const CATEGORY: &'static str = "core";

    fn run(_ctx: &Context, input: Input) -> StepResult<Output> {
        let n = input
            .n
            .checked_add(input.by)
            .ok_or_else(|| StepError::InvalidInput(format!("{} + {} overflows", input.n, input.by)))?;
        done(Output { n })
    }
}

export_step!(Add);
