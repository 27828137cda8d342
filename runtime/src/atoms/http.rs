//! `http`: outgoing requests to hosts on the tenant's allow-list. No redirects
//! are followed (a redirect could lead off the list), responses are capped,
//! and every request is bounded by the call's deadline.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use super::{AtomCall, AtomResult};
use crate::bindings::scena::plugin::http as wit_http;
use crate::bindings::wit::AtomError;

/// A granted host: `api.example.com`, `*.example.com` (any subdomain, not the
/// apex) or `*` (any host — grant with care).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    Exact(String),
    Subdomains(String),
    Any,
}

impl HostPattern {
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        match self {
            HostPattern::Exact(h) => host == *h,
            HostPattern::Subdomains(suffix) => {
                host.len() > suffix.len() + 1 && host.ends_with(suffix.as_str()) && host[..host.len() - suffix.len()].ends_with('.')
            }
            HostPattern::Any => true,
        }
    }
}

impl FromStr for HostPattern {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        let valid_host = |h: &str| {
            !h.is_empty() && h.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':' || c == '[' || c == ']')
            })
        };
        if s == "*" {
            Ok(HostPattern::Any)
        } else if let Some(suffix) = s.strip_prefix("*.").map(|h| h.trim_end_matches('.')) {
            if valid_host(suffix) { Ok(HostPattern::Subdomains(suffix.to_string())) } else { Err(format!("invalid host pattern `{s}`")) }
        } else if valid_host(s.trim_end_matches('.')) {
            Ok(HostPattern::Exact(s.trim_end_matches('.').to_string()))
        } else {
            Err(format!("invalid host pattern `{s}`: use a host name, `*.domain` or `*`"))
        }
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostPattern::Exact(h) => f.write_str(h),
            HostPattern::Subdomains(s) => write!(f, "*.{s}"),
            HostPattern::Any => f.write_str("*"),
        }
    }
}

/// The hosts a tenant's plugins may reach. Empty: none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpAllowList(pub Vec<HostPattern>);

impl HttpAllowList {
    pub fn allows(&self, host: &str) -> bool {
        self.0.iter().any(|p| p.matches(host))
    }
}

/// Limits of the HTTP atom, the same for every tenant of a runtime.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub max_response_bytes: usize,
    pub max_timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings { max_response_bytes: 8 << 20, max_timeout: Duration::from_secs(30) }
    }
}

/// The shared client: one connection pool for all calls.
pub struct HttpClient {
    client: reqwest::Client,
    settings: HttpSettings,
}

impl HttpClient {
    pub fn new(settings: HttpSettings) -> anyhow::Result<HttpClient> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("scena/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(HttpClient { client, settings })
    }
}

struct Prepared {
    method: Method,
    url: Url,
    headers: HeaderMap,
    timeout: Duration,
}

impl AtomCall {
    fn http_prepare(&self, request: &wit_http::Request) -> Result<Prepared, AtomError> {
        let method = match request.method.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            "HEAD" => Method::HEAD,
            "OPTIONS" => Method::OPTIONS,
            other => return Err(AtomError::Invalid(format!("unsupported HTTP method `{other}`"))),
        };
        let url = Url::parse(&request.url).map_err(|e| AtomError::Invalid(format!("invalid URL `{}`: {e}", request.url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(AtomError::Invalid(format!("only http and https URLs are allowed, got `{}`", url.scheme())));
        }
        let host = url.host_str().ok_or_else(|| AtomError::Invalid(format!("URL `{url}` has no host")))?;
        if !self.grants.http.allows(host) {
            return Err(AtomError::Denied(format!(
                "host `{host}` is not on the HTTP allow-list of tenant `{}`",
                self.scope.tenant
            )));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| AtomError::Invalid(format!("invalid header name `{name}`")))?;
            let value = HeaderValue::from_str(value).map_err(|_| AtomError::Invalid(format!("invalid value for header `{name}`")))?;
            headers.append(name, value);
        }
        let client = &self.services.http;
        let asked = request.timeout_ms.map_or(client.settings.max_timeout, |ms| Duration::from_millis(ms.into()));
        let left = self.deadline.saturating_duration_since(Instant::now());
        let timeout = asked.min(client.settings.max_timeout).min(left);
        Ok(Prepared { method, url, headers, timeout })
    }

    async fn http_send(&self, request: wit_http::Request) -> Result<wit_http::Response, AtomError> {
        let prepared = self.http_prepare(&request)?;
        let client = &self.services.http;
        let target = format!("{} {}", prepared.method, prepared.url);
        let mut builder = client
            .client
            .request(prepared.method, prepared.url)
            .headers(prepared.headers)
            .timeout(prepared.timeout);
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let failed = |e: reqwest::Error| {
            let why = if e.is_timeout() { "timed out".to_string() } else { error_chain(&e) };
            AtomError::Failed(format!("{target}: {why}"))
        };
        let mut response = builder.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let cap = client.settings.max_response_bytes;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > cap {
                return Err(AtomError::Failed(format!("{target}: response body exceeds the {cap} byte limit")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(wit_http::Response { status, headers, body })
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl wit_http::Host for AtomCall {
    async fn send(&mut self, request: wit_http::Request) -> AtomResult<wit_http::Response> {
        let summary = format!("{} {}", request.method, request.url);
        let result = self.http_send(request).await;
        let outcome = match &result {
            Ok(response) => format!("status {}", response.status),
            Err(e) => super::describe_error(e),
        };
        self.record_outcome("http", summary, outcome);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(patterns: &[&str]) -> HttpAllowList {
        HttpAllowList(patterns.iter().map(|p| p.parse().unwrap()).collect())
    }

    #[test]
    fn exact_hosts_match_only_themselves() {
        let allow = list(&["api.example.com"]);
        assert!(allow.allows("api.example.com"));
        assert!(allow.allows("API.Example.com."));
        assert!(!allow.allows("example.com"));
        assert!(!allow.allows("api.example.com.evil.net"));
        assert!(!allow.allows("evilapi.example.com"));
    }

    #[test]
    fn wildcards_match_subdomains_not_the_apex_or_lookalikes() {
        let allow = list(&["*.example.com"]);
        assert!(allow.allows("a.example.com"));
        assert!(allow.allows("a.b.example.com"));
        assert!(!allow.allows("example.com"));
        assert!(!allow.allows("badexample.com"));
        assert!(!allow.allows("example.com.evil.net"));
    }

    #[test]
    fn empty_list_allows_nothing_and_star_allows_all() {
        assert!(!HttpAllowList::default().allows("localhost"));
        assert!(list(&["*"]).allows("anything.at.all"));
    }

    #[test]
    fn malformed_patterns_are_refused() {
        for bad in ["", "*.", "a*.example.com", "exa mple.com", "**", "*.*.com"] {
            assert!(bad.parse::<HostPattern>().is_err(), "{bad}");
        }
    }
}
