//! `standin`: a placeholder for an operations step whose real plugin does not
//! exist yet (alert shielding, package updates, process control …). It does
//! nothing but say, in the step log, what the real step would do — so sample
//! flows run end to end today without pretending to touch any system.
//! It fails on purpose for targets listed in `fail_for`, to exercise error and
//! rollback paths.

use scena_plugin::prelude::*;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// What the real step would do, e.g. `shield-alerts`, `stop-processes`.
    pub action: String,
    /// What it would act on: hosts, zones, a ticket …
    #[serde(default)]
    pub target: Value,
    /// Targets (as JSON text or strings) for which the stand-in fails, to rehearse failure paths.
    #[serde(default)]
    pub fail_for: Vec<Value>,
}

#[derive(Serialize, JsonSchema)]
pub struct Output {
    pub action: String,
    pub target: Value,
    /// Always true: nothing was done.
    pub stand_in: bool,
}

pub struct Standin;

impl Step for Standin {
    type Input = Input;
    type Output = Output;
    const NAME: &'static str = "standin";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "Stand-in step (does nothing)";
    const DESCRIPTION: &'static str =
        "Placeholder for an ops step not built yet: logs what it would do and succeeds, or fails for the targets in `fail_for`.";
    const CATEGORY: &'static str = "stand-in";
    const CAPABILITIES: &'static [Capability] = &[Capability::Log];

    fn run(_ctx: &Context, input: Input) -> StepResult<Output> {
        log::info(&format!("STAND-IN: would {} on {}", input.action, input.target));
        if input.fail_for.contains(&input.target) {
            return Err(StepError::Fatal(format!("stand-in failure of {} on {}", input.action, input.target)));
        }
        done(Output { action: input.action, target: input.target, stand_in: true })
    }
}

export_step!(Standin);
