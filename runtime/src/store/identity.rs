//! Tenants and API tokens. Tokens are random, shown once, and stored only as
//! their sha256: a leaked database does not leak working tokens.

use super::Db;
use super::row::from_row;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct IdentityStore {
    db: Db,
}

/// Who a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    /// The tenant the token belongs to; `None` for a platform-wide token.
    pub tenant: Option<String>,
    pub role: String,
    /// For a tenant API token: its name (the subject is the member who made it).
    pub token_name: Option<String>,
}

from_row! {
    /// A tenant API token as listed: never the token itself.
    #[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
    #[schemars(rename = "Token")]
    pub struct TokenInfo {
        pub id: String,
        pub name: String,
        pub role: String,
        pub created_by: String,
        pub created_at: String,
        pub expires_at: Option<String>,
        pub revoked_at: Option<String>,
    }
}

pub const PLATFORM_ADMIN: &str = "platform-admin";

/// The maker recorded on tenant tokens and invitations the platform admin
/// makes: not a username (usernames have no `@`), so it can never be
/// mistaken for one. It acts as an owner of every tenant.
pub const PLATFORM_MAKER: &str = "@platform";

/// The role a tenant always keeps at least one member in.
const OWNER: &str = "owner";

/// What to do to a membership.
#[derive(Debug, Clone, Copy)]
pub enum MemberChange<'a> {
    Set { role: &'a str, flows: Option<&'a [String]> },
    Remove,
}

/// Why a change to a membership was refused; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberRefused {
    #[error(
        "`{user}` is `{role}`, which holds rights you lack; only someone holding all of them may change or remove them"
    )]
    Above { user: String, role: String },
    #[error("`{user}` is the last owner of tenant `{tenant}`, which must keep one; make someone else owner first")]
    LastOwner { user: String, tenant: String },
}

/// Whoever changes a membership may touch a member holding this role (the
/// caller's question, decided by the policies: `Authz::covers`).
pub type MayTouch<'a> = &'a (dyn Fn(&str) -> bool + Send + Sync);

/// Check, inside an exclusive transaction, that `change` to `username` in
/// `tenant` is one the caller may make: the member's current role is not
/// above the caller's, and a tenant's last owner stays an owner. Shared
/// with accepting an invitation, which changes a membership too.
pub(super) async fn check_member_change(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    username: &str,
    change: MemberChange<'_>,
    may_touch: MayTouch<'_>,
) -> anyhow::Result<Result<Option<String>, MemberRefused>> {
    let current: Option<(String,)> = sqlx::query_as("SELECT role FROM members WHERE tenant = $1 AND username = $2")
        .bind(tenant)
        .bind(username)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((current,)) = current else { return Ok(Ok(None)) };
    if !may_touch(&current) {
        return Ok(Err(MemberRefused::Above { user: username.to_string(), role: current }));
    }
    let stays_owner = matches!(change, MemberChange::Set { role: OWNER, .. });
    if current == OWNER && !stays_owner {
        let (others,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM members WHERE tenant = $1 AND role = $2 AND username <> $3")
                .bind(tenant)
                .bind(OWNER)
                .bind(username)
                .fetch_one(&mut *tx)
                .await?;
        if others == 0 {
            return Ok(Err(MemberRefused::LastOwner { user: username.to_string(), tenant: tenant.to_string() }));
        }
    }
    Ok(Ok(Some(current)))
}

impl Principal {
    pub fn is_platform_admin(&self) -> bool {
        self.tenant.is_none() && self.role == PLATFORM_ADMIN
    }

    /// Who acted, for the audit log: the member, and the token if one was used.
    pub fn label(&self) -> String {
        match &self.token_name {
            Some(name) => format!("{} (token {name})", self.subject),
            None => self.subject.clone(),
        }
    }
}

/// A new user (username, password hash, created at); no row if the name is taken.
/// Shared with accepting an invitation, which makes users in its own transaction.
pub(super) const INSERT_USER: &str =
    "INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT (username) DO NOTHING";

/// Make a user a member (tenant, username, role, flows), replacing an earlier role.
pub(super) const UPSERT_MEMBER: &str = "INSERT INTO members (tenant, username, role, flows) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant, username) DO UPDATE SET role = excluded.role, flows = excluded.flows";

pub(super) fn hash_password(password: &str) -> anyhow::Result<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot make a salt: {e}"))?;
    let hash = argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    Ok(hash.to_string())
}

/// A hash made like every stored one (same algorithm and costs), verified in
/// place of a user's when there is no such user.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("scena: no such user").expect("hashing a fixed password works"));

/// The hash to verify a password against, and whether it is a real user's.
fn hash_to_verify(stored: Option<String>) -> (String, bool) {
    match stored {
        Some(hash) => (hash, true),
        None => (DUMMY_HASH.clone(), false),
    }
}

fn verify_password(hash: &str, password: &str) -> anyhow::Result<bool> {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    let hash = PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("stored password hash is unreadable: {e}"))?;
    Ok(argon2::Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token: `scena_` and 64 hex digits (244 random bits).
pub fn new_token() -> String {
    format!("scena_{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

impl IdentityStore {
    pub fn new(db: Db) -> IdentityStore {
        IdentityStore { db }
    }

    /// Tokens, members, users or tenants changed: no authentication is
    /// answered from memory any more (see `identity_cache.rs`).
    pub(super) fn changed(&self) {
        self.db.identities.forget_all();
    }

    pub async fn ensure_tenant(&self, name: &str) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO tenants (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(super::now_rfc3339())
            .execute(self.db.pool())
            .await?;
        self.changed();
        Ok(())
    }

    pub async fn tenants(&self) -> anyhow::Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM tenants ORDER BY name").fetch_all(self.db.pool()).await?;
        Ok(rows.into_iter().map(|(name,)| name).collect())
    }

    /// Whether a platform admin token exists.
    pub async fn has_admin(&self) -> anyhow::Result<bool> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT subject FROM api_tokens WHERE role = $1 AND tenant IS NULL AND revoked_at IS NULL")
                .bind(PLATFORM_ADMIN)
                .fetch_optional(self.db.pool())
                .await?;
        Ok(row.is_some())
    }

    /// Make `token` the platform admin's token, revoking any earlier one.
    pub async fn set_admin_token(&self, token: &str) -> anyhow::Result<()> {
        let now = super::now_rfc3339();
        let mut tx = self.db.begin_exclusive().await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE role = $2 AND tenant IS NULL AND revoked_at IS NULL AND token_sha256 <> $3")
            .bind(&now)
            .bind(PLATFORM_ADMIN)
            .bind(token_hash(token))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO api_tokens (token_sha256, subject, tenant, role, created_at) VALUES ($1, 'admin', NULL, $2, $3)
             ON CONFLICT (token_sha256) DO UPDATE SET revoked_at = NULL",
        )
        .bind(token_hash(token))
        .bind(PLATFORM_ADMIN)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.changed();
        Ok(())
    }

    /// Create tenant `name`; `false` if it exists already.
    pub async fn create_tenant(&self, name: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("INSERT INTO tenants (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(super::now_rfc3339())
            .execute(self.db.pool())
            .await?;
        self.changed();
        Ok(done.rows_affected() == 1)
    }

    /// Create a user with an argon2 hash of `password`; `false` if the name is taken.
    pub async fn create_user(&self, username: &str, password: &str) -> anyhow::Result<bool> {
        let done = sqlx::query(INSERT_USER)
            .bind(username)
            .bind(hash_password(password)?)
            .bind(super::now_rfc3339())
            .execute(self.db.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn user_exists(&self, username: &str) -> anyhow::Result<bool> {
        let row: Option<(String,)> = sqlx::query_as("SELECT username FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(row.is_some())
    }

    /// Every user, by name, with when they were made.
    pub async fn users(&self) -> anyhow::Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT username, created_at FROM users ORDER BY username").fetch_all(self.db.pool()).await?)
    }

    /// Whether `password` is `username`'s (false for an unknown user). An
    /// unknown user costs the same argon2 verification as a known one, so the
    /// time taken does not tell whether a name exists.
    pub async fn check_password(&self, username: &str, password: &str) -> anyhow::Result<bool> {
        let row: Option<(String,)> = sqlx::query_as("SELECT password_hash FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(self.db.pool())
            .await?;
        let (hash, known) = hash_to_verify(row.map(|(stored,)| stored));
        let password = password.to_string();
        // argon2 takes tens of milliseconds of CPU: not on a tokio worker.
        let matches = tokio::task::spawn_blocking(move || verify_password(&hash, &password)).await??;
        Ok(known && matches)
    }

    /// A new login token for `username` if `password` is theirs.
    pub async fn login(&self, username: &str, password: &str) -> anyhow::Result<Option<String>> {
        if !self.check_password(username, password).await? {
            return Ok(None);
        }
        Ok(Some(self.login_token(username).await?))
    }

    /// A new login token for `username`, whose identity the caller checked.
    pub(crate) async fn login_token(&self, username: &str) -> anyhow::Result<String> {
        self.user_token(username, None).await
    }

    /// A new login token for `username` that lapses at `expires_at` (RFC 3339):
    /// the studio's session, carried in a cookie.
    pub async fn session_token(&self, username: &str, expires_at: &str) -> anyhow::Result<String> {
        self.user_token(username, Some(expires_at)).await
    }

    async fn user_token(&self, username: &str, expires_at: Option<&str>) -> anyhow::Result<String> {
        let token = new_token();
        sqlx::query(
            "INSERT INTO api_tokens (token_sha256, subject, tenant, role, created_at, expires_at) VALUES ($1, $2, NULL, 'user', $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(username)
        .bind(super::now_rfc3339())
        .bind(expires_at)
        .execute(self.db.pool())
        .await?;
        self.changed();
        Ok(token)
    }

    /// Revoke the token itself (logging out); `false` if it was not live.
    pub async fn revoke_token(&self, token: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_sha256 = $2 AND revoked_at IS NULL")
            .bind(super::now_rfc3339())
            .bind(token_hash(token))
            .execute(self.db.pool())
            .await?;
        self.changed();
        Ok(done.rows_affected() == 1)
    }

    /// Replace `username`'s password and revoke their login tokens (their
    /// tenant API tokens stay); `false` for an unknown user.
    pub async fn set_password(&self, username: &str, password: &str) -> anyhow::Result<bool> {
        let hash = hash_password(password)?;
        let now = super::now_rfc3339();
        let mut tx = self.db.pool().begin().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(hash)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE subject = $2 AND tenant IS NULL AND role = 'user' AND revoked_at IS NULL")
            .bind(&now)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.changed();
        Ok(done.rows_affected() == 1)
    }

    /// Remove `username`: their memberships go, every token acting as them
    /// is revoked; `false` for an unknown user.
    pub async fn delete_user(&self, username: &str) -> anyhow::Result<Result<bool, MemberRefused>> {
        let now = super::now_rfc3339();
        let mut tx = self.db.begin_exclusive().await?;
        let tenants: Vec<(String,)> =
            sqlx::query_as("SELECT tenant FROM members WHERE username = $1").bind(username).fetch_all(&mut *tx).await?;
        for (tenant,) in tenants {
            // The platform admin may touch anyone; a tenant's last owner stays.
            if let Err(refused) =
                check_member_change(&mut tx, &tenant, username, MemberChange::Remove, &|_| true).await?
            {
                return Ok(Err(refused));
            }
        }
        sqlx::query("DELETE FROM members WHERE username = $1").bind(username).execute(&mut *tx).await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE subject = $2 AND revoked_at IS NULL AND role <> $3")
            .bind(&now)
            .bind(username)
            .bind(PLATFORM_ADMIN)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM users WHERE username = $1").bind(username).execute(&mut *tx).await?;
        tx.commit().await?;
        self.changed();
        Ok(Ok(done.rows_affected() == 1))
    }

    /// Make `username` a member of `tenant` with `role` (replacing an earlier
    /// role), with no check: for setting up a server.
    pub async fn set_member(
        &self,
        tenant: &str,
        username: &str,
        role: &str,
        flows: Option<&[String]>,
    ) -> anyhow::Result<()> {
        let flows = flows.map(serde_json::to_string).transpose()?;
        sqlx::query(UPSERT_MEMBER).bind(tenant).bind(username).bind(role).bind(flows).execute(self.db.pool()).await?;
        self.changed();
        Ok(())
    }

    /// Set or remove `username`'s membership of `tenant`, unless the member
    /// now holds a role the caller may not touch, or it would leave the
    /// tenant without an owner: checked and changed in one exclusive
    /// transaction, so two concurrent demotions cannot remove the last two
    /// owners. `Ok(false)`: removing someone who was not a member.
    pub async fn change_member(
        &self,
        tenant: &str,
        username: &str,
        change: MemberChange<'_>,
        may_touch: MayTouch<'_>,
    ) -> anyhow::Result<Result<bool, MemberRefused>> {
        let mut tx = self.db.begin_exclusive().await?;
        let current = match check_member_change(&mut tx, tenant, username, change, may_touch).await? {
            Ok(current) => current,
            Err(refused) => return Ok(Err(refused)),
        };
        match change {
            MemberChange::Set { role, flows } => {
                sqlx::query(UPSERT_MEMBER)
                    .bind(tenant)
                    .bind(username)
                    .bind(role)
                    .bind(flows.map(serde_json::to_string).transpose()?)
                    .execute(&mut *tx)
                    .await?;
            }
            MemberChange::Remove if current.is_some() => {
                sqlx::query("DELETE FROM members WHERE tenant = $1 AND username = $2")
                    .bind(tenant)
                    .bind(username)
                    .execute(&mut *tx)
                    .await?;
            }
            MemberChange::Remove => return Ok(Ok(false)),
        }
        tx.commit().await?;
        self.changed();
        Ok(Ok(true))
    }

    /// Like [`Self::authenticate`], and in the same query where the caller
    /// stands in `tenant`: whether it exists and the role (and flow limit)
    /// its subject holds there.
    pub async fn authenticate_in(&self, token: &str, tenant: &str) -> anyhow::Result<Option<(Principal, Standing)>> {
        type Row =
            (String, Option<String>, String, Option<String>, i64, Option<String>, Option<String>, Option<String>);
        let (hash, now, cache) = (token_hash(token), super::now_rfc3339(), &self.db.identities);
        if let Some(known) = cache.get(&hash, tenant, &now) {
            return Ok(Some(known));
        }
        let changes_before = cache.changes();
        let row: Option<Row> = sqlx::query_as(
            "SELECT t.subject, t.tenant, t.role, t.name, CASE WHEN EXISTS (SELECT 1 FROM tenants WHERE name = $2) THEN 1 ELSE 0 END, m.role, m.flows, t.expires_at
             FROM api_tokens t LEFT JOIN members m ON m.tenant = $2 AND m.username = t.subject
             WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $3)",
        )
        .bind(&hash)
        .bind(tenant)
        .bind(&now)
        .fetch_optional(self.db.pool())
        .await?;
        let Some((subject, token_tenant, role, token_name, tenant_exists, member_role, flows, expires_at)) = row else {
            return Ok(None);
        };
        let membership = match member_role {
            Some(role) => Some((role, flows.map(|f| serde_json::from_str(&f)).transpose()?)),
            None => None,
        };
        let principal = Principal { subject, tenant: token_tenant, role, token_name };
        let standing = Standing { tenant_exists: tenant_exists == 1, membership };
        cache.keep(hash, tenant.to_string(), principal.clone(), standing.clone(), expires_at, changes_before);
        Ok(Some((principal, standing)))
    }

    /// The principal a bearer token stands for, if it is known, not revoked and not expired.
    pub async fn authenticate(&self, token: &str) -> anyhow::Result<Option<Principal>> {
        let row: Option<(String, Option<String>, String, Option<String>)> = sqlx::query_as(
            "SELECT subject, tenant, role, name FROM api_tokens
             WHERE token_sha256 = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(token_hash(token))
        .bind(super::now_rfc3339())
        .fetch_optional(self.db.pool())
        .await?;
        Ok(row.map(|(subject, tenant, role, token_name)| Principal { subject, tenant, role, token_name }))
    }

    /// A new API token of `tenant` acting as `created_by` with at most `role`:
    /// its id and the token, which is shown this once.
    pub async fn create_tenant_token(
        &self,
        tenant: &str,
        created_by: &str,
        name: &str,
        role: &str,
        expires_at: Option<&str>,
    ) -> anyhow::Result<(String, String)> {
        let (id, token) = (uuid::Uuid::new_v4().to_string(), new_token());
        sqlx::query(
            "INSERT INTO api_tokens (token_sha256, subject, tenant, role, created_at, expires_at, id, name, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(token_hash(&token))
        .bind(created_by)
        .bind(tenant)
        .bind(role)
        .bind(super::now_rfc3339())
        .bind(expires_at)
        .bind(&id)
        .bind(name)
        .bind(created_by)
        .execute(self.db.pool())
        .await?;
        self.changed();
        Ok((id, token))
    }

    /// The API tokens of `tenant`, newest first (revoked and expired ones too).
    pub async fn tenant_tokens(&self, tenant: &str) -> anyhow::Result<Vec<TokenInfo>> {
        Ok(sqlx::query_as(
            "SELECT id, name, role, created_by, created_at, expires_at, revoked_at FROM api_tokens
             WHERE tenant = $1 AND id IS NOT NULL ORDER BY created_at DESC, id",
        )
        .bind(tenant)
        .fetch_all(self.db.pool())
        .await?)
    }

    /// One token of `tenant`, by id.
    pub async fn tenant_token(&self, tenant: &str, id: &str) -> anyhow::Result<Option<TokenInfo>> {
        Ok(sqlx::query_as(
            "SELECT id, name, role, created_by, created_at, expires_at, revoked_at FROM api_tokens WHERE tenant = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(id)
        .fetch_optional(self.db.pool())
        .await?)
    }

    /// Revoke token `id` of `tenant`; `false` if there is no such live token.
    pub async fn revoke_tenant_token(&self, tenant: &str, id: &str) -> anyhow::Result<bool> {
        let done =
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE tenant = $2 AND id = $3 AND revoked_at IS NULL")
                .bind(super::now_rfc3339())
                .bind(tenant)
                .bind(id)
                .execute(self.db.pool())
                .await?;
        self.changed();
        Ok(done.rows_affected() == 1)
    }

    /// The members of `tenant`: username, role, and the flows they are limited to, if any.
    pub async fn members(&self, tenant: &str) -> anyhow::Result<Vec<(String, String, Option<Vec<String>>)>> {
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT username, role, flows FROM members WHERE tenant = $1 ORDER BY username")
                .bind(tenant)
                .fetch_all(self.db.pool())
                .await?;
        rows.into_iter()
            .map(|(user, role, flows)| Ok((user, role, flows.map(|f| serde_json::from_str(&f)).transpose()?)))
            .collect()
    }

    /// The tenants `username` belongs to, with their role in each and the
    /// flows they are limited to, if any.
    pub async fn standings(&self, username: &str) -> anyhow::Result<Vec<(String, String, Option<Vec<String>>)>> {
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT tenant, role, flows FROM members WHERE username = $1 ORDER BY tenant")
                .bind(username)
                .fetch_all(self.db.pool())
                .await?;
        rows.into_iter()
            .map(|(tenant, role, flows)| Ok((tenant, role, flows.map(|f| serde_json::from_str(&f)).transpose()?)))
            .collect()
    }

    /// The tenants `username` belongs to, with their role in each.
    pub async fn memberships(&self, username: &str) -> anyhow::Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT tenant, role FROM members WHERE username = $1 ORDER BY tenant")
            .bind(username)
            .fetch_all(self.db.pool())
            .await?)
    }
}

/// Where a caller stands in one tenant.
#[derive(Debug, Clone)]
pub struct Standing {
    pub tenant_exists: bool,
    /// The caller's subject's role there and the flows it is limited to, if a member.
    pub membership: Option<(String, Option<Vec<String>>)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_backends;

    /// What an unknown user's login verifies: a hash made the same way as a
    /// real one, so both paths run the same argon2 work.
    #[test]
    fn an_unknown_user_costs_the_same_verification_as_a_known_one() {
        use argon2::password_hash::PasswordHash;
        let real = hash_password("correct horse").unwrap();
        let (dummy, known) = hash_to_verify(None);
        assert!(!known);
        let (real, dummy) = (PasswordHash::new(&real).unwrap(), PasswordHash::new(&dummy).unwrap());
        assert_eq!(real.algorithm, dummy.algorithm);
        assert_eq!(real.version, dummy.version);
        assert_eq!(real.params, dummy.params, "same memory, time and parallelism costs");
        let (stored, known) = hash_to_verify(Some("x".into()));
        assert!(known && stored == "x");
    }

    #[tokio::test]
    async fn only_the_current_admin_token_authenticates() {
        for db in test_backends().await {
            let identity = db.identity();
            assert!(!identity.has_admin().await.unwrap());
            let first = new_token();
            identity.set_admin_token(&first).await.unwrap();
            let admin = identity.authenticate(&first).await.unwrap().unwrap();
            assert!(admin.is_platform_admin());
            let second = new_token();
            identity.set_admin_token(&second).await.unwrap();
            assert_eq!(identity.authenticate(&first).await.unwrap(), None, "{db:?}: the replaced token is revoked");
            assert!(identity.authenticate(&second).await.unwrap().is_some());
            assert_eq!(identity.authenticate("scena_guess").await.unwrap(), None);
            assert_ne!(new_token(), new_token());
        }
    }

    #[tokio::test]
    async fn a_token_is_read_with_the_callers_standing_in_the_tenant() {
        for db in test_backends().await {
            let identity = db.identity();
            identity.ensure_tenant("acme").await.unwrap();
            assert!(identity.create_user("ann", "correct horse").await.unwrap());
            identity.set_member("acme", "ann", "operator", Some(&["deploy".to_string()])).await.unwrap();
            let token = identity.login("ann", "correct horse").await.unwrap().unwrap();
            assert_eq!(identity.login("ann", "wrong").await.unwrap(), None);

            let (who, standing) = identity.authenticate_in(&token, "acme").await.unwrap().unwrap();
            assert_eq!(who.subject, "ann");
            assert!(standing.tenant_exists, "{db:?}");
            assert_eq!(standing.membership, Some(("operator".to_string(), Some(vec!["deploy".to_string()]))), "{db:?}");
            let (_, elsewhere) = identity.authenticate_in(&token, "nowhere").await.unwrap().unwrap();
            assert!(!elsewhere.tenant_exists && elsewhere.membership.is_none(), "{db:?}");
            assert!(identity.authenticate_in("scena_guess", "acme").await.unwrap().is_none());
        }
    }

    #[tokio::test]
    async fn a_remembered_authentication_is_forgotten_by_every_change() {
        for db in test_backends().await {
            let identity = db.identity();
            identity.ensure_tenant("acme").await.unwrap();
            identity.create_user("ann", "correct horse").await.unwrap();
            identity.set_member("acme", "ann", "developer", None).await.unwrap();
            let login = identity.login("ann", "correct horse").await.unwrap().unwrap();
            let (_, api) = identity.create_tenant_token("acme", "ann", "ci", "operator", None).await.unwrap();
            let role = |token: String| {
                let identity = db.identity();
                async move {
                    identity
                        .authenticate_in(&token, "acme")
                        .await
                        .unwrap()
                        .map(|(_, s)| s.membership.map(|(role, _)| role))
                }
            };
            // Read twice (the second from memory), then each change is seen at once.
            assert_eq!(role(login.clone()).await, Some(Some("developer".into())), "{db:?}");
            assert_eq!(role(login.clone()).await, Some(Some("developer".into())), "{db:?}");
            identity.set_member("acme", "ann", "viewer", None).await.unwrap();
            assert_eq!(role(login.clone()).await, Some(Some("viewer".into())), "{db:?}: demoted");
            identity.change_member("acme", "ann", MemberChange::Remove, &|_| true).await.unwrap().unwrap();
            assert_eq!(role(login.clone()).await, Some(None), "{db:?}: removed");
            assert!(role(api.clone()).await.is_some());
            let id = identity.tenant_tokens("acme").await.unwrap()[0].id.clone();
            identity.revoke_tenant_token("acme", &id).await.unwrap();
            assert_eq!(role(api).await, None, "{db:?}: revoked");
            identity.set_password("ann", "battery staple").await.unwrap();
            assert_eq!(role(login).await, None, "{db:?}: a new password revokes login tokens");
            let login = identity.login("ann", "battery staple").await.unwrap().unwrap();
            assert!(role(login.clone()).await.is_some());
            identity.delete_user("ann").await.unwrap().unwrap();
            assert_eq!(role(login).await, None, "{db:?}: deleted");
            // Changed behind this process's back: seen once the memory lapses.
            let admin = new_token();
            identity.set_admin_token(&admin).await.unwrap();
            assert!(role(admin.clone()).await.is_some());
            sqlx::query("UPDATE api_tokens SET revoked_at = 'x' WHERE token_sha256 = $1")
                .bind(token_hash(&admin))
                .execute(db.pool())
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
            assert_eq!(role(admin).await, None, "{db:?}: revoked by another process");
        }
    }
}
