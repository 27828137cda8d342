//! Invitations: those who manage members invite someone into their tenant
//! with a role at most their own (`POST …/invitations` → the code, shown
//! once); the invitee accepts with `POST /api/v1/invitations/{code}/accept`
//! — no token needed, the code is the credential — as a new user, or as an
//! existing one giving their password, and gets a login token.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::audit::{AuditWho, AuditedAs};
use super::auth::Access;
use super::auth::AuditAction;
use super::described::{Created, JsonBody, NoContent};
use super::error::ApiError;
use super::platform::{check_name, check_password_strength};
use super::tokens::expiry;
use super::{Shared, throttle};
use crate::authz::ROLES;
use crate::store::{InvitationInfo, PLATFORM_MAKER, Principal, Refused};

/// How long an invitation stays open unless the inviter says otherwise.
const DEFAULT_OPEN: &str = "7d";

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    role: String,
    /// Limit the member to running these flows.
    flows: Option<Vec<String>>,
    /// RFC 3339 instant, or…
    expires_at: Option<String>,
    /// …a duration from now (`7d` if neither is given).
    expires_in: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct InvitationMade {
    id: String,
    /// Shown this once.
    code: String,
    tenant: String,
    role: String,
    flows: Option<Vec<String>>,
    expires_at: String,
    /// How the invitee accepts it.
    accept: String,
}

#[derive(Serialize, JsonSchema)]
pub struct InvitationList {
    invitations: Vec<InvitationInfo>,
}

/// `POST …/invitations` → 201 with the code, shown this once.
pub async fn create(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Extension(principal): Extension<Principal>,
    JsonBody(NewInvitation { role, flows, expires_at, expires_in }): JsonBody<NewInvitation>,
) -> Result<Created<InvitationMade>, ApiError> {
    if !ROLES.contains(&role.as_str()) {
        return Err(ApiError::invalid("invalid_role", format!("`{role}` is not a role ({})", ROLES.join(", "))));
    }
    super::members::may_hand_out(&app, &access, &role, flows.as_deref())?;
    let expires_in =
        if expires_at.is_none() && expires_in.is_none() { Some(DEFAULT_OPEN.to_string()) } else { expires_in };
    let expires_at = expiry(expires_at, expires_in)?.expect("an expiry is always set");
    // Whose rights the invitation draws on when it is accepted.
    let maker = if principal.is_platform_admin() { PLATFORM_MAKER } else { &access.subject };
    let invitations = app.db.invitations();
    let (id, code) = invitations.create(&access.tenant, &role, flows.as_deref(), maker, &expires_at).await?;
    let accept = format!("POST /api/v1/invitations/{code}/accept {{\"username\", \"password\"}}");
    Ok(Created(InvitationMade { id, code, tenant: access.tenant, role, flows, expires_at, accept }))
}

/// `GET …/invitations`: every invitation of the tenant, never a code.
pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
) -> Result<Json<InvitationList>, ApiError> {
    let invitations = app.db.invitations().list(&access.tenant).await?;
    Ok(Json(InvitationList { invitations }))
}

/// `DELETE …/invitations/{id}`: an open invitation can no longer be used.
pub async fn revoke(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    let revoked = app.db.invitations().revoke(&access.tenant, &id).await?;
    if revoked { Ok(NoContent) } else { Err(ApiError::not_found(format!("open invitation `{id}`"))) }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    username: String,
    password: String,
}

/// `POST /api/v1/invitations/{code}/accept {"username", "password"}` → 201
/// with a login token. Audited under the name given, accepted or not. A
/// wrong password for an existing name counts as a failed login (`throttle`):
/// an open code must not become a way to guess passwords.
pub async fn accept(
    State(app): State<Shared>,
    Path(code): Path<String>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    JsonBody(Acceptance { username, password }): JsonBody<Acceptance>,
) -> Result<AuditedAs<Created<Joined>>, ApiError> {
    check_name("user", &username)?;
    check_password_strength(&password)?;
    let joining = |who: AuditWho, answer| AuditedAs { who, action: Some(AuditAction("join")), answer };
    let who = throttle::subjects(&username, client.map(|Extension(ConnectInfo(address))| address.ip()));
    if let Err(wait) = app.login_throttle.attempt(&who) {
        return Ok(joining(AuditWho(username, None), Err(ApiError::too_many_attempts(wait).into_response())));
    }
    // The maker must still manage members, and hold every right of the role.
    let may_grant = |mine: &str, wanted: &str| app.authz.may_admit(&[mine.to_string()], wanted, "");
    let refusal = match app.db.invitations().accept(&code, &username, &password, &may_grant).await? {
        Ok(joined) => {
            app.login_throttle.succeeded(&who);
            let token = app.db.identity().login_token(&username).await?;
            // In the tenant's log when it worked; the platform's otherwise.
            let who = AuditWho(username.clone(), Some(joined.tenant.clone()));
            let body = Joined { token, username, tenant: joined.tenant, role: joined.role, new_user: joined.new_user };
            return Ok(joining(who, Ok(Created(body))));
        }
        // Guessing codes stays counted against the address; the account
        // named is not held back by codes that name no invitation.
        Err(refused @ Refused::Unusable) => {
            app.login_throttle.take_back(&who[..1]);
            ApiError::not_found(refused.to_string())
        }
        Err(refused @ Refused::WrongPassword(_)) => ApiError::unauthorized(refused.to_string()),
        // Refused for what the invitation grants, the password being right: not a guess.
        Err(refused @ (Refused::MakerCannotGrant { .. } | Refused::MakerLimited { .. })) => {
            app.login_throttle.succeeded(&who);
            ApiError::forbidden(refused.to_string())
        }
        Err(Refused::Member(refused)) => {
            app.login_throttle.succeeded(&who);
            super::members::refused(refused)
        }
    };
    Ok(joining(AuditWho(username, None), Err(refusal.into_response())))
}

#[derive(Serialize, JsonSchema)]
pub struct Joined {
    /// A login token: send it as `Authorization: Bearer TOKEN`.
    token: String,
    username: String,
    tenant: String,
    role: String,
    /// Whether the account was made by accepting.
    new_user: bool,
}
