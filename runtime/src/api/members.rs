//! Members of a tenant: `GET …/members`, `PUT …/members/{user}` with a role (and optionally
//! the only flows they may run), `DELETE …/members/{user}`. Nobody grants a
//! role holding rights they lack, nor changes or removes a member whose
//! role does; a tenant keeps at least one owner (`store::identity`).

use axum::extract::{Path, State};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Shared;
use super::auth::Access;
use super::described::{JsonBody, NoContent};
use super::error::ApiError;
use crate::authz::ROLES;
use crate::store::{MemberChange, MemberRefused};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    role: String,
    /// Limit the member to running these flows.
    flows: Option<Vec<String>>,
}

#[derive(Serialize, JsonSchema)]
pub struct Member {
    username: String,
    role: String,
    /// The only flows they may run; `null`: all.
    flows: Option<Vec<String>>,
}

#[derive(Serialize, JsonSchema)]
pub struct MemberList {
    members: Vec<Member>,
}

#[derive(Serialize, JsonSchema)]
pub struct MembershipSet {
    tenant: String,
    user: String,
    role: String,
    flows: Option<Vec<String>>,
}

/// `GET …/members`: everyone in the tenant, with their role and flow limit.
pub async fn list(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
) -> Result<Json<MemberList>, ApiError> {
    let members = app.db.identity().members(&access.tenant).await?;
    let members = members.into_iter().map(|(username, role, flows)| Member { username, role, flows }).collect();
    Ok(Json(MemberList { members }))
}

pub async fn put(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, user)): Path<(String, String)>,
    JsonBody(Membership { role, flows }): JsonBody<Membership>,
) -> Result<Json<MembershipSet>, ApiError> {
    if !ROLES.contains(&role.as_str()) {
        return Err(ApiError::invalid("invalid_role", format!("`{role}` is not a role ({})", ROLES.join(", "))));
    }
    may_hand_out(&app, &access, &role, flows.as_deref())?;
    let identity = app.db.identity();
    if !identity.user_exists(&user).await? {
        return Err(ApiError::not_found(format!("user `{user}`")));
    }
    let change = MemberChange::Set { role: &role, flows: flows.as_deref() };
    let may_touch = |theirs: &str| app.authz.covers(&access.roles, theirs, &access.tenant);
    identity.change_member(&access.tenant, &user, change, &may_touch).await?.map_err(refused)?;
    Ok(Json(MembershipSet { tenant: access.tenant, user, role, flows }))
}

pub async fn delete(
    State(app): State<Shared>,
    Extension(access): Extension<Access>,
    Path((_, user)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    let may_touch = |theirs: &str| app.authz.covers(&access.roles, theirs, &access.tenant);
    let removed = app
        .db
        .identity()
        .change_member(&access.tenant, &user, MemberChange::Remove, &may_touch)
        .await?
        .map_err(refused)?;
    if removed { Ok(NoContent) } else { Err(ApiError::not_found(format!("member `{user}`"))) }
}

/// 403 unless the caller may hand `role` out (to a member or an
/// invitation): it holds every right `role` gives, and a caller limited to
/// some flows hands out at most the same limit.
pub(super) fn may_hand_out(
    app: &Shared,
    access: &Access,
    role: &str,
    flows: Option<&[String]>,
) -> Result<(), ApiError> {
    if !app.authz.covers(&access.roles, role, &access.tenant) {
        return Err(ApiError::forbidden(format!(
            "{} may not hand out `{role}`, which holds rights it lacks",
            access.roles_text()
        )));
    }
    if let Some(mine) = &access.flows
        && !flows.is_some_and(|wanted| wanted.iter().all(|f| mine.contains(f)))
    {
        return Err(ApiError::forbidden(format!(
            "limited to flows {}, you may hand out only a limit to some of them",
            mine.join(", ")
        )));
    }
    Ok(())
}

/// A refused change to a membership: 403 for a member above the caller,
/// 409 for the last owner.
pub(super) fn refused(why: MemberRefused) -> ApiError {
    match why {
        MemberRefused::Above { .. } => ApiError::forbidden(why.to_string()),
        MemberRefused::LastOwner { .. } => ApiError::conflict(why.to_string()),
    }
}
