//! Outgoing HTTP to allow-listed hosts (capability `http`).
//!
//! ```ignore
//! let resp = http::Request::post("https://api.example.com/v1/alerts/shield")
//!     .header("Idempotency-Key", &ctx.idempotency_key)
//!     .json(&body)?
//!     .send()?;
//! ```

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::bindings::scena::plugin::http as raw;
use crate::AtomError;

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout_ms: Option<u32>,
}

impl Request {
    pub fn new(method: &str, url: &str) -> Self {
        Request { method: method.to_string(), url: url.to_string(), headers: Vec::new(), body: None, timeout_ms: None }
    }

    pub fn get(url: &str) -> Self {
        Self::new("GET", url)
    }

    pub fn post(url: &str) -> Self {
        Self::new("POST", url)
    }

    pub fn put(url: &str) -> Self {
        Self::new("PUT", url)
    }

    pub fn delete(url: &str) -> Self {
        Self::new("DELETE", url)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Serialise `value` as the body and set `Content-Type: application/json`.
    pub fn json<T: Serialize + ?Sized>(self, value: &T) -> Result<Self, AtomError> {
        let body = serde_json::to_vec(value).map_err(|e| AtomError::Invalid(format!("body is not serialisable: {e}")))?;
        Ok(self.header("content-type", "application/json").body(body))
    }

    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.timeout_ms = Some(ms);
        self
    }

    pub fn send(self) -> Result<Response, AtomError> {
        let response = raw::send(&raw::Request {
            method: self.method,
            url: self.url,
            headers: self.headers,
            body: self.body,
            timeout_ms: self.timeout_ms,
        })?;
        Ok(Response { status: response.status, headers: response.headers, body: response.body })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}
