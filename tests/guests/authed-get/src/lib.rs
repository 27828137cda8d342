//! A test guest that an app ships: GETs a URL with a bearer token read from a
//! secret, so it needs both an `http` host and a secret granted to it.
use scena_plugin::prelude::*;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    url: String,
    /// The secret holding the bearer token.
    secret: String,
}

#[derive(Serialize, JsonSchema)]
struct Output {
    status: u16,
    body: String,
}

struct AuthedGet;

impl Step for AuthedGet {
    type Input = Input;
    type Output = Output;
    const NAME: &'static str = "authed-get";
    const VERSION: &'static str = "1.0.0";
    const TITLE: &'static str = "Authenticated GET";
    const DESCRIPTION: &'static str = "GETs a URL with a bearer token from a secret.";
    const CAPABILITIES: &'static [Capability] = &[Capability::Http, Capability::Secrets, Capability::Log];

    fn run(_ctx: &Context, input: Input) -> StepResult<Output> {
        let token = secrets::get(&input.secret)?;
        let response = http::Request::new("GET", &input.url).header("authorization", &format!("Bearer {token}")).send()?;
        log::info(&format!("GET {} -> {}", input.url, response.status));
        done(Output { status: response.status, body: response.text() })
    }
}

export_step!(AuthedGet);
