//! Request bodies: read as bytes (bounded by the router's limit) and parsed
//! here, so every malformed or oversized body gets the API's error shape.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The raw body, or 413 / 400 in the API's error shape.
pub fn bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(format!(
            "the body is larger than this route accepts ({} bytes; plugin uploads {}, files {})",
            super::MAX_BODY_BYTES,
            super::MAX_PLUGIN_BYTES,
            super::MAX_FILE_BYTES
        )),
        _ => ApiError::bad_request(format!("cannot read the body: {rejection}")),
    })
}

/// A JSON body: 400 if it is not JSON, 422 if it is JSON of the wrong shape
/// (unknown fields included); an empty body reads as `{}`.
pub fn json<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let bytes = bytes(body)?;
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    serde_json::from_value(value).map_err(|e| ApiError::invalid("invalid_body", format!("the body does not fit: {e}")))
}
