//! Hostile: returns megabytes of output. The output cap must refuse it.
use scena_plugin::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct Input {
    megabytes: usize,
}

struct HugeOutput;

impl Step for HugeOutput {
    type Input = Input;
    type Output = String;
    const NAME: &'static str = "huge-output";
    const VERSION: &'static str = "0.1.0";
    const TITLE: &'static str = "Huge output";
    const DESCRIPTION: &'static str = "Returns a string of the requested size.";

    fn run(_ctx: &Context, input: Input) -> StepResult<String> {
        done("x".repeat(input.megabytes << 20))
    }
}

export_step!(HugeOutput);
