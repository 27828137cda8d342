//! Well-behaved test guest for `pending`: counts down across polls, logging each tick.
use scena_plugin::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct Input {
    from: u32,
    #[serde(default)]
    every_ms: u32,
}

#[derive(Serialize, JsonSchema)]
struct Output {
    polls: u32,
}

#[derive(Serialize, Deserialize)]
struct Left {
    left: u32,
    polls: u32,
    every_ms: u32,
}

struct Countdown;

impl Step for Countdown {
    type Input = Input;
    type Output = Output;
    const NAME: &'static str = "countdown";
    const VERSION: &'static str = "0.1.0";
    const TITLE: &'static str = "Countdown";
    const DESCRIPTION: &'static str = "Returns pending `from` times, then done.";
    const CAPABILITIES: &'static [Capability] = &[Capability::Log];

    fn run(_ctx: &Context, input: Input) -> StepResult<Output> {
        tick(Left { left: input.from, polls: 0, every_ms: input.every_ms })
    }

    fn poll(_ctx: &Context, state: Value) -> StepResult<Output> {
        let mut left: Left = serde_json::from_value(state).map_err(|e| StepError::Fatal(e.to_string()))?;
        left.polls += 1;
        tick(left)
    }
}

fn tick(state: Left) -> StepResult<Output> {
    log::info(&format!("{} left", state.left));
    if state.left == 0 {
        return done(Output { polls: state.polls });
    }
    let after_ms = state.every_ms;
    pending(Left { left: state.left - 1, ..state }, after_ms)
}

export_step!(Countdown);
