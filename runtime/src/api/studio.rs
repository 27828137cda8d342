//! The studio, served from the binary at `/`: its built files (`build.rs`
//! embeds `studio/dist`), `index.html` for every other page path so the app
//! routes itself, under a Content-Security-Policy that allows no inline or
//! foreign script. Hashed assets are cached for a year, `index.html` never.
//! `scena serve --studio-dir DIR` serves a folder instead (for working on the studio).

use std::borrow::Cow;

use axum::extract::State;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::Shared;
use super::error::ApiError;
use crate::embedded::STUDIO_FILES;

/// Scripts only from this origin (and compiling the core's WebAssembly);
/// inline style attributes stay allowed, since the canvas positions nodes with them.
const POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// Whether this binary carries the studio.
pub fn embedded() -> bool {
    find("index.html").is_some()
}

fn find(path: &str) -> Option<&'static [u8]> {
    STUDIO_FILES.iter().find(|(name, _)| *name == path).map(|(_, bytes)| *bytes)
}

/// A file of the studio: from `dir` if set (never above it), else built in.
fn read(dir: Option<&std::path::Path>, path: &str) -> Option<Cow<'static, [u8]>> {
    match dir {
        None => find(path).map(Cow::Borrowed),
        Some(dir) => {
            let safe = path.split('/').all(|part| !part.is_empty() && part != ".." && part != ".");
            safe.then(|| std::fs::read(dir.join(path)).ok()).flatten().map(Cow::Owned)
        }
    }
}

/// Everything no route matched: API paths answer 404 as JSON; page paths the studio.
pub async fn fallback(State(app): State<Shared>, method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let api = ["/api/", "/hooks/"].iter().any(|prefix| path.starts_with(prefix)) || path == "/api";
    if api || !(method == Method::GET || method == Method::HEAD) {
        return ApiError::not_found("route").into_response();
    }
    let dir = app.studio_dir.as_deref();
    let wanted = path.trim_start_matches('/');
    if let Some(bytes) = (!wanted.is_empty()).then(|| read(dir, wanted)).flatten() {
        let immutable = wanted.starts_with("assets/");
        return file(bytes, content_type(wanted), immutable);
    }
    // A missing file (it has an extension) is not a page of the app.
    let last = wanted.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return ApiError::not_found(format!("file `{path}`")).into_response();
    }
    match read(dir, "index.html") {
        Some(index) => file(index, "text/html; charset=utf-8", false),
        None => (
            StatusCode::NOT_FOUND,
            "this scena binary was built without the studio: build it with `cargo xtask start` (or `cargo xtask studio`, then cargo build)\n",
        )
            .into_response(),
    }
}

fn file(bytes: Cow<'static, [u8]>, content_type: &'static str, immutable: bool) -> Response {
    let cache = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}
