//! `echo`: returns its input unchanged. Needs no capability; the smallest real
//! step, used by tests and benchmarks to measure the platform itself.

use scena_plugin::prelude::*;

pub struct Echo;

impl Step for Echo {
    type Input = Value;
    type Output = Value;
    const NAME: &'static str = "echo";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "Echo";
    const DESCRIPTION: &'static str = "Returns its input unchanged. Safe to retry.";
    const CATEGORY: &'static str = "core";

    fn run(_ctx: &Context, input: Value) -> StepResult<Value> {
        done(input)
    }
}

export_step!(Echo);
