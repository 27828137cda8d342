//! Hostile: calls whatever URL it is given. Hosts not granted must be denied.
use scena_plugin::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct Input {
    url: String,
}

struct HttpUngranted;

impl Step for HttpUngranted {
    type Input = Input;
    type Output = Value;
    const NAME: &'static str = "http-ungranted";
    const VERSION: &'static str = "0.1.0";
    const TITLE: &'static str = "HTTP to anywhere";
    const DESCRIPTION: &'static str = "Fetches the URL it is given.";
    const CAPABILITIES: &'static [Capability] = &[Capability::Http];

    fn run(_ctx: &Context, input: Input) -> StepResult<Value> {
        let response = http::Request::get(&input.url).send()?;
        done(json!({"status": response.status, "body": response.text()}))
    }
}

export_step!(HttpUngranted);
