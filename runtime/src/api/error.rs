//! Every error the API returns: `{"error": {"code", "message", "details"}}`
//! with the status that says what went wrong. A 5xx is always a bug.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::scheduler::{ControlRefused, LaunchError, NoSuchRun, RunBusy};
use crate::store::RunChanged;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";

impl ApiError {
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), details: Value::Null }
    }

    pub fn with_details(mut self, details: Value) -> ApiError {
        self.details = details;
        self
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// Unknown — or belonging to another tenant, which must look the same.
    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("{} not found", what.into()))
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 429 with `Retry-After`: too many failed attempts; try again after `wait`.
    pub fn too_many_attempts(wait: std::time::Duration) -> ApiError {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let message = format!("too many failed attempts; try again in {seconds} s");
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, TOO_MANY_ATTEMPTS, message)
            .with_details(json!({"retry_after_s": seconds}))
    }

    /// A failure of scena itself: logged in full, reported without internals.
    pub fn internal(error: &anyhow::Error) -> ApiError {
        tracing::error!("internal error: {error:#}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
    }
}

/// Errors from the scheduler: unknown runs, refused controls, or scena's own.
impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> ApiError {
        if let Some(NoSuchRun(id)) = error.downcast_ref() {
            return ApiError::not_found(format!("run `{id}`"));
        }
        if let Some(ControlRefused(why)) = error.downcast_ref() {
            return ApiError::conflict(why.clone());
        }
        // Another control or process changed the run at the same moment.
        if let Some(busy) = error.chain().find(|e| e.is::<RunBusy>() || e.is::<RunChanged>()) {
            return ApiError::conflict(busy.to_string());
        }
        ApiError::internal(&error)
    }
}

/// Starting (or checking the input of) a published flow: 404 without one, 422 otherwise.
impl From<LaunchError> for ApiError {
    fn from(error: LaunchError) -> ApiError {
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match error {
            LaunchError::NotFound(what) => ApiError::not_found(what),
            LaunchError::InvalidInput { ref violations, .. } => {
                ApiError::new(status, "invalid_input", error.to_string())
                    .with_details(json!({"violations": violations}))
            }
            LaunchError::CannotStart(why) => ApiError::new(status, "cannot_start", why),
            LaunchError::Internal(error) => ApiError::internal(&error),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message, "details": self.details}});
        let mut response = (self.status, Json(body)).into_response();
        // The wait is in the details, and in `Retry-After` for clients that look there.
        if let (TOO_MANY_ATTEMPTS, Some(seconds)) = (self.code, self.details["retry_after_s"].as_u64()) {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
