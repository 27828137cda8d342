//! Hostile: floods stdout and stderr. The capture must stay bounded and the step finish.
use std::io::Write;

use scena_plugin::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct Input {
    megabytes: usize,
}

struct Noisy;

impl Step for Noisy {
    type Input = Input;
    type Output = Value;
    const NAME: &'static str = "noisy";
    const VERSION: &'static str = "0.1.0";
    const TITLE: &'static str = "Noisy";
    const DESCRIPTION: &'static str = "Writes megabytes to stdout and stderr, then finishes.";

    fn run(_ctx: &Context, input: Input) -> StepResult<Value> {
        let line = format!("{}\n", "y".repeat(1023));
        for _ in 0..(input.megabytes * 1024) {
            let _ = std::io::stdout().write_all(line.as_bytes());
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
        done(json!({"finished": true}))
    }
}

export_step!(Noisy);
