//! The studio's session: logging in with a username and password sets an
//! `HttpOnly`, `SameSite=Strict` cookie holding a login token that lapses
//! (page scripts never see it); the answer carries the session's CSRF token,
//! which every write made with the cookie must send back (`auth.rs`).
//! Logging out revokes the token. Scripts keep using bearer tokens. Behind a
//! proxy that says the client came over HTTPS (`X-Forwarded-Proto: https`)
//! the cookie is also `Secure`.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use axum::Extension;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::IntoResponse;
use serde::Serialize;

use super::audit::{AuditWho, AuditedAs};
use super::auth::{Credential, SESSION_COOKIE, csrf_token};
use super::described::{JsonBody, NoContent, WithHeader};
use super::error::ApiError;
use super::platform::{Credentials, WRONG_CREDENTIALS};
use super::{Shared, throttle};
use crate::authz::ACTIONS;
use crate::store::Principal;

/// How long a studio session lasts from login.
const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// The caller as the studio needs to know them.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Session {
    pub username: String,
    pub platform_admin: bool,
    /// The token to send in `X-Scena-Csrf` on writes; `null` when the caller
    /// did not come with the session cookie (a bearer token needs none).
    pub csrf: Option<String>,
    pub expires_at: Option<String>,
    pub tenants: Vec<TenantStanding>,
}

/// A tenant the caller belongs to, and the actions the policies allow them there.
#[derive(Serialize, schemars::JsonSchema)]
pub struct TenantStanding {
    pub name: String,
    pub role: String,
    /// Limited to running and operating these flows, if set.
    pub flows: Option<Vec<String>>,
    /// What the policies allow this role here.
    #[schemars(extend("items" = {"enum": crate::authz::ACTIONS}))]
    pub may: Vec<&'static str>,
}

/// `POST /api/v1/auth/session`: log in and set the session cookie. Throttled
/// and audited as `POST /api/v1/auth/login` is.
pub async fn begin(
    State(app): State<Shared>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    JsonBody(Credentials { username, password }): JsonBody<Credentials>,
) -> Result<AuditedAs<WithHeader<Json<Session>>>, ApiError> {
    // Behind a TLS-terminating proxy the cookie must never travel in clear.
    let secure = headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let who = throttle::subjects(&username, client.map(|Extension(ConnectInfo(address))| address.ip()));
    let answer = match app.login_throttle.attempt(&who) {
        Err(wait) => Err(ApiError::too_many_attempts(wait).into_response()),
        Ok(()) if app.db.identity().check_password(&username, &password).await? => {
            app.login_throttle.succeeded(&who);
            let expires_at = crate::store::stored_time(SystemTime::now() + SESSION_LIFETIME);
            let token = app.db.identity().session_token(&username, &expires_at).await?;
            let principal =
                Principal { subject: username.clone(), tenant: None, role: "user".into(), token_name: None };
            let session = describe(&app, &principal, Some(&token), Some(expires_at)).await?;
            Ok(WithHeader(SET_COOKIE, cookie_header(&token, SESSION_LIFETIME, secure)?, Json(session)))
        }
        Ok(()) => Err(ApiError::unauthorized(WRONG_CREDENTIALS).into_response()),
    };
    Ok(AuditedAs::new(AuditWho(username, None), answer))
}

/// `GET /api/v1/auth/session`: who the caller is, where, and what they may do.
pub async fn show(
    State(app): State<Shared>,
    Extension(principal): Extension<Principal>,
    Extension(credential): Extension<Credential>,
) -> Result<Json<Session>, ApiError> {
    let session = credential.from_cookie.then_some(credential.token.as_str());
    Ok(Json(describe(&app, &principal, session, None).await?))
}

/// `DELETE /api/v1/auth/session`: log out — the token is revoked and the cookie cleared.
pub async fn end(
    State(app): State<Shared>,
    Extension(credential): Extension<Credential>,
) -> Result<WithHeader<NoContent>, ApiError> {
    app.db.identity().revoke_token(&credential.token).await?;
    Ok(WithHeader(SET_COOKIE, cookie_header("", Duration::ZERO, false)?, NoContent))
}

async fn describe(
    app: &Shared,
    principal: &Principal,
    session: Option<&str>,
    expires_at: Option<String>,
) -> Result<Session, ApiError> {
    let platform_admin = principal.is_platform_admin();
    let memberships: Vec<(String, String, Option<Vec<String>>)> = if platform_admin {
        app.db.identity().tenants().await?.into_iter().map(|tenant| (tenant, "owner".to_string(), None)).collect()
    } else if let Some(tenant) = &principal.tenant {
        vec![(tenant.clone(), principal.role.clone(), None)]
    } else {
        app.db.identity().standings(&principal.subject).await?
    };
    let tenants = memberships
        .into_iter()
        .map(|(name, role, flows)| {
            let roles = [role.clone()];
            let may = ACTIONS
                .into_iter()
                .filter(|action| {
                    let ask = crate::authz::Ask {
                        subject: &principal.subject,
                        role: "",
                        tenant: &name,
                        action,
                        flow: None,
                        allowed_flows: None,
                        assignees: None,
                    };
                    app.authz.allows_all(&roles, &ask)
                })
                .collect();
            TenantStanding { name, role, flows, may }
        })
        .collect();
    Ok(Session {
        username: principal.subject.clone(),
        platform_admin,
        csrf: session.map(csrf_token),
        expires_at,
        tenants,
    })
}

/// The session cookie: not readable by scripts, never sent by other sites.
fn cookie_header(token: &str, lifetime: Duration, secure: bool) -> Result<HeaderValue, ApiError> {
    let cookie = cookie::Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .secure(secure)
        .same_site(cookie::SameSite::Strict)
        .path("/")
        .max_age(cookie::time::Duration::seconds(lifetime.as_secs() as i64))
        .build();
    HeaderValue::from_str(&cookie.to_string()).map_err(|e| ApiError::internal(&anyhow::anyhow!("cookie header: {e}")))
}
