//! Hostile: panics. The trap must be contained and the panic message kept.
use scena_plugin::prelude::*;

struct Panic;

impl Step for Panic {
    type Input = Value;
    type Output = Value;
    const NAME: &'static str = "panic";
    const VERSION: &'static str = "0.1.0";
    const TITLE: &'static str = "Panic";
    const DESCRIPTION: &'static str = "Panics on every call.";

    fn run(_ctx: &Context, _input: Value) -> StepResult<Value> {
        panic!("the plugin gave up on purpose")
    }
}

export_step!(Panic);
