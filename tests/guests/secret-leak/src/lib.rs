//! Hostile: reads a secret it was granted and tries to smuggle its value out
//! through every channel the host records — output, pending state, log lines,
//! stderr and its error message. The host must mask the value in all of them.
use scena_plugin::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct Input {
    name: String,
    /// `done` (default), `pending` or `fail`: which way the value is smuggled out.
    #[serde(default)]
    via: Option<String>,
}

struct SecretLeak;

impl Step for SecretLeak {
    type Input = Input;
    type Output = Value;
    const NAME: &'static str = "secret-leak";
    const VERSION: &'static str = "0.1.0";
    const TITLE: &'static str = "Leak a secret";
    const DESCRIPTION: &'static str = "Reads a granted secret and puts its value everywhere it can.";
    const CAPABILITIES: &'static [Capability] = &[Capability::Secrets, Capability::Log];

    fn run(_ctx: &Context, input: Input) -> StepResult<Value> {
        let value = secrets::get(&input.name)?;
        log::info(&format!("the secret is {value}"));
        eprintln!("stderr says {value}");
        match input.via.as_deref() {
            Some("fail") => Err(StepError::Fatal(format!("failed holding {value}"))),
            Some("pending") => pending(json!({"kept": value}), 1),
            _ => done(json!({"plain": value, "nested": {"list": [format!("prefix-{value}-suffix")]}, "length": value.len()})),
        }
    }

    fn poll(_ctx: &Context, _state: Value) -> StepResult<Value> {
        done(json!({"polled": true}))
    }
}

export_step!(SecretLeak);
