//! `http-request`: one HTTP call to an allow-listed host, with the statuses the
//! caller expects. A 5xx or 429 outside the expected set is retryable, any other
//! unexpected status is fatal. Sends the run's idempotency key as
//! `Idempotency-Key` unless the caller sets one, so retries are safe to dedupe.

use std::collections::BTreeMap;

use scena_plugin::prelude::*;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// HTTP method.
    #[serde(default = "default_method")]
    pub method: Method,
    /// Absolute http(s) URL; its host must be granted to the tenant.
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A string is sent as is; any other JSON value is sent as JSON.
    #[serde(default)]
    pub body: Option<Value>,
    /// Statuses that count as success; default: any 2xx.
    #[serde(default)]
    pub expected_status: Vec<u16>,
    #[serde(default)]
    pub timeout_ms: Option<u32>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
}

fn default_method() -> Method {
    Method::Get
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub status: u16,
    /// Header names in lowercase; repeated headers are joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// The body parsed, when the response says it is JSON and parses.
    pub json: Option<Value>,
}

pub struct HttpRequest;

impl Step for HttpRequest {
    type Input = Input;
    type Output = Output;
    const NAME: &'static str = "http-request";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "HTTP request";
    const DESCRIPTION: &'static str =
        "Calls an HTTP endpoint on an allow-listed host and checks the status. 5xx and 429 are retryable.";
    const CATEGORY: &'static str = "net";
    const CAPABILITIES: &'static [Capability] = &[Capability::Http, Capability::Log];

    fn run(ctx: &Context, input: Input) -> StepResult<Output> {
        let response = build_request(ctx, &input)?.send()?;
        log::info(&format!("{} {} -> {}", input.method.as_str(), input.url, response.status));
        if !status_expected(&input.expected_status, response.status) {
            let message = format!(
                "{} {} answered {}: {}",
                input.method.as_str(),
                input.url,
                response.status,
                snippet(&response.text())
            );
            return Err(if response.status >= 500 || response.status == 429 {
                StepError::Retryable(message)
            } else {
                StepError::Fatal(message)
            });
        }
        done(to_output(response))
    }
}

fn build_request(ctx: &Context, input: &Input) -> Result<http::Request, StepError> {
    let mut request = http::Request::new(input.method.as_str(), &input.url);
    for (name, value) in &input.headers {
        request = request.header(name, value);
    }
    let has_key = input.headers.keys().any(|k| k.eq_ignore_ascii_case("idempotency-key"));
    if !has_key && !ctx.idempotency_key.is_empty() {
        request = request.header("idempotency-key", &ctx.idempotency_key);
    }
    request = match &input.body {
        None => request,
        Some(Value::String(text)) => request.body(text.as_bytes()),
        Some(value) => request.json(value)?,
    };
    if let Some(ms) = input.timeout_ms {
        request = request.timeout_ms(ms);
    }
    Ok(request)
}

fn status_expected(expected: &[u16], status: u16) -> bool {
    if expected.is_empty() { (200..300).contains(&status) } else { expected.contains(&status) }
}

fn to_output(response: http::Response) -> Output {
    let is_json = response
        .header("content-type")
        .is_some_and(|ct| ct.contains("json"));
    let json = if is_json { response.json().ok() } else { None };
    let mut headers = BTreeMap::<String, String>::new();
    for (name, value) in &response.headers {
        headers
            .entry(name.to_ascii_lowercase())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(value)
            })
            .or_insert_with(|| value.clone());
    }
    Output { status: response.status, headers, body: response.text(), json }
}

fn snippet(text: &str) -> String {
    let cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() { format!("{cut}…") } else { cut }
}

export_step!(HttpRequest);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_statuses_are_2xx() {
        assert!(status_expected(&[], 204));
        assert!(!status_expected(&[], 302));
        assert!(status_expected(&[404], 404));
        assert!(!status_expected(&[404], 200));
    }

    #[test]
    fn snippets_are_bounded() {
        assert_eq!(snippet("short"), "short");
        assert_eq!(snippet(&"x".repeat(500)).chars().count(), 201);
    }
}
