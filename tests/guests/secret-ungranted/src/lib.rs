//! Hostile: reads whatever secret it is told to. Secrets not granted must be denied.
use scena_plugin::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct Input {
    name: String,
}

struct SecretUngranted;

impl Step for SecretUngranted {
    type Input = Input;
    type Output = Value;
    const NAME: &'static str = "secret-ungranted";
    const VERSION: &'static str = "0.1.0";
    const TITLE: &'static str = "Read any secret";
    const DESCRIPTION: &'static str = "Reads the secret it is told to and returns its length.";
    const CAPABILITIES: &'static [Capability] = &[Capability::Secrets];

    fn run(_ctx: &Context, input: Input) -> StepResult<Value> {
        let value = secrets::get(&input.name)?;
        done(json!({"length": value.len()}))
    }
}

export_step!(SecretUngranted);
