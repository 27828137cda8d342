//! `http-check`: probe an endpoint until it is healthy — an expected status,
//! and text in the body if asked — or the attempts run out. Between probes it
//! returns `pending`, so a service that takes a minute to come up holds no
//! worker. A refused grant fails at once; a connection error or an unexpected
//! answer is one failed probe.

use scena_plugin::prelude::*;

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Absolute http(s) URL; its host must be granted to the tenant.
    pub url: String,
    /// Statuses that count as healthy; default: any 2xx.
    #[serde(default)]
    pub expected_status: Vec<u16>,
    /// Text the body must contain to count as healthy.
    #[serde(default)]
    pub body_contains: Option<String>,
    /// Probes before giving up (default 10).
    #[serde(default = "ten")]
    pub attempts: u32,
    /// Between probes (milliseconds, default 2000).
    #[serde(default = "two_seconds")]
    pub interval_ms: u32,
    /// Per probe (milliseconds, default 5000).
    #[serde(default = "five_seconds")]
    pub timeout_ms: u32,
}

fn ten() -> u32 {
    10
}

fn two_seconds() -> u32 {
    2000
}

fn five_seconds() -> u32 {
    5000
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub healthy: bool,
    /// The healthy probe's status.
    pub status: u16,
    /// Probes made, the healthy one included.
    pub attempts: u32,
}

#[derive(Debug, Serialize, Deserialize)]
struct Probing {
    input: Input,
    made: u32,
}

/// Why one probe did not count as healthy; `None` when it did.
fn unhealthy(input: &Input, response: &http::Response) -> Option<String> {
    let expected = if input.expected_status.is_empty() {
        (200..300).contains(&response.status)
    } else {
        input.expected_status.contains(&response.status)
    };
    if !expected {
        return Some(format!("status {}", response.status));
    }
    match &input.body_contains {
        Some(text) if !response.text().contains(text.as_str()) => Some(format!("the body lacks `{text}`")),
        _ => None,
    }
}

fn probe(mut probing: Probing) -> StepResult<Output> {
    probing.made += 1;
    let answer = http::Request::get(&probing.input.url).timeout_ms(probing.input.timeout_ms).send();
    let why = match answer {
        Ok(response) => match unhealthy(&probing.input, &response) {
            None => return done(Output { healthy: true, status: response.status, attempts: probing.made }),
            Some(why) => why,
        },
        Err(AtomError::Failed(why)) => why,
        Err(refused) => return Err(refused.into()),
    };
    let (made, attempts) = (probing.made, probing.input.attempts);
    if made >= attempts {
        return Err(StepError::Fatal(format!("{} is not healthy after {made} probes: {why}", probing.input.url)));
    }
    log::info(&format!("probe {made} of {attempts}: {why}"));
    let interval = probing.input.interval_ms;
    pending(&probing, interval)
}

pub struct HttpCheck;

impl Step for HttpCheck {
    type Input = Input;
    type Output = Output;
    const NAME: &'static str = "http-check";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "HTTP health check";
    const DESCRIPTION: &'static str = "Probes an endpoint on an allow-listed host until it answers an expected status (and body text), or fails after the attempts.";
    const CATEGORY: &'static str = "net";
    const CAPABILITIES: &'static [Capability] = &[Capability::Http, Capability::Log];

    fn run(_ctx: &Context, input: Input) -> StepResult<Output> {
        if input.attempts == 0 {
            return Err(StepError::InvalidInput("`attempts` must be at least 1".into()));
        }
        probe(Probing { input, made: 0 })
    }

    fn poll(_ctx: &Context, state: Value) -> StepResult<Output> {
        let probing: Probing =
            serde_json::from_value(state).map_err(|e| StepError::Fatal(format!("unreadable pending state: {e}")))?;
        probe(probing)
    }
}

export_step!(HttpCheck);
