//! Invitations into a tenant: a code (kept as its sha256 only) that lets one
//! person join with the role it names — as a new user, or as an existing one
//! who proves their password — once, before it expires.

use super::identity::{
    INSERT_USER, MemberChange, MemberRefused, PLATFORM_MAKER, UPSERT_MEMBER, check_member_change, token_hash,
};
use super::row::from_row;
use super::{Db, new_token};

#[derive(Debug, Clone)]
pub struct InvitationStore {
    db: Db,
}

from_row! {
    /// An invitation as listed: never its code.
    #[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
    #[schemars(rename = "Invitation")]
    pub struct InvitationInfo {
        pub id: String,
        pub role: String,
        pub created_by: String,
        pub created_at: String,
        pub expires_at: String,
        pub accepted_by: Option<String>,
        pub accepted_at: Option<String>,
        pub revoked_at: Option<String>,
    }
}

/// Why a code was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("no such invitation, or it was used, revoked or has expired")]
    Unusable,
    /// The name is taken and the password is not its user's. Worded without
    /// saying which: only a holder of an open code gets this far.
    #[error(
        "cannot accept this invitation with these credentials: choose another username, or give your password if it is yours"
    )]
    WrongPassword(String),
    /// An invitation grants no more than its maker may grant when it is
    /// accepted: a maker demoted or removed since takes it down too.
    #[error("the invitation's maker `{maker}` may no longer grant `{role}`; ask for a new invitation")]
    MakerCannotGrant { maker: String, role: String },
    /// …nor a wider limit to flows than the maker now has.
    #[error(
        "the invitation's maker `{maker}` is now limited to flows {flows} and may no longer grant what it does; ask for a new invitation"
    )]
    MakerLimited { maker: String, flows: String },
    #[error(transparent)]
    Member(#[from] MemberRefused),
}

/// Whether a member with the first role may hand out the second (the
/// caller's question, decided by the policies: `Authz::covers`).
pub type MayGrant<'a> = &'a (dyn Fn(&str, &str) -> bool + Send + Sync);

/// Who joined where, with which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    pub tenant: String,
    pub role: String,
    pub new_user: bool,
}

impl InvitationStore {
    pub fn new(db: Db) -> InvitationStore {
        InvitationStore { db }
    }

    /// A new invitation; returns its id and its code (shown once).
    pub async fn create(
        &self,
        tenant: &str,
        role: &str,
        flows: Option<&[String]>,
        by: &str,
        expires_at: &str,
    ) -> anyhow::Result<(String, String)> {
        let (id, code) = (uuid::Uuid::new_v4().to_string(), new_token().replacen("scena_", "invite_", 1));
        sqlx::query(
            "INSERT INTO invitations (id, code_sha256, tenant, role, flows, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(token_hash(&code))
        .bind(tenant)
        .bind(role)
        .bind(flows.map(serde_json::to_string).transpose()?)
        .bind(by)
        .bind(super::now_rfc3339())
        .bind(expires_at)
        .execute(self.db.pool())
        .await?;
        Ok((id, code))
    }

    pub async fn list(&self, tenant: &str) -> anyhow::Result<Vec<InvitationInfo>> {
        Ok(sqlx::query_as(
            "SELECT id, role, created_by, created_at, expires_at, accepted_by, accepted_at, revoked_at FROM invitations
             WHERE tenant = $1 ORDER BY created_at DESC, id",
        )
        .bind(tenant)
        .fetch_all(self.db.pool())
        .await?)
    }

    /// Revoke an open invitation; `false` if there is none with this id.
    pub async fn revoke(&self, tenant: &str, id: &str) -> anyhow::Result<bool> {
        let done = sqlx::query("UPDATE invitations SET revoked_at = $1 WHERE tenant = $2 AND id = $3 AND revoked_at IS NULL AND accepted_at IS NULL")
            .bind(super::now_rfc3339())
            .bind(tenant)
            .bind(id)
            .execute(self.db.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Use `code` as `username`: a new user with `password`, or an existing
    /// one whose password it is. The invitation is used up in the same
    /// transaction that makes the membership, so a code admits one person.
    ///
    /// What the invitation grants is checked against its maker's role at
    /// this moment, in the same transaction: the maker must still be able to
    /// grant it (`may_grant`), and to touch the role the user holds already;
    /// a tenant's last owner stays an owner. Refused, nothing changes.
    async fn is_open(&self, code: &str) -> anyhow::Result<bool> {
        let open: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM invitations WHERE code_sha256 = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash(code))
        .bind(super::now_rfc3339())
        .fetch_optional(self.db.pool())
        .await?;
        Ok(open.is_some())
    }

    pub async fn accept(
        &self,
        code: &str,
        username: &str,
        password: &str,
        may_grant: MayGrant<'_>,
    ) -> anyhow::Result<Result<Joined, Refused>> {
        // A code that cannot be used is answered before anything is asked
        // about the user: without an open code, nothing tells whether a
        // name exists. (Checked again in the transaction below.)
        if !self.is_open(code).await? {
            return Ok(Err(Refused::Unusable));
        }
        let identity = self.db.identity();
        let new_user = !identity.user_exists(username).await?;
        // Checked before the transaction: argon2 is slow and needs no lock.
        if !new_user && !identity.check_password(username, password).await? {
            return Ok(Err(Refused::WrongPassword(username.to_string())));
        }
        let hash = if new_user { Some(super::identity::hash_password(password)?) } else { None };
        let now = super::now_rfc3339();
        let mut tx = self.db.begin_exclusive().await?;
        let open: Option<(String, String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT id, tenant, role, flows, created_by FROM invitations
             WHERE code_sha256 = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash(code))
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, tenant, role, flows, maker)) = open else { return Ok(Err(Refused::Unusable)) };
        // The maker's standing now: their role, and their limit to some flows if any.
        let maker_now: Option<(String, Option<String>)> = if maker == PLATFORM_MAKER {
            Some(("owner".to_string(), None))
        } else {
            sqlx::query_as("SELECT role, flows FROM members WHERE tenant = $1 AND username = $2")
                .bind(&tenant)
                .bind(&maker)
                .fetch_optional(&mut *tx)
                .await?
        };
        let Some((maker_role, maker_flows)) = maker_now.filter(|(mine, _)| may_grant(mine, &role)) else {
            return Ok(Err(Refused::MakerCannotGrant { maker, role }));
        };
        // A maker limited to some flows since grants at most a limit to some of those.
        if let Some(limit) = maker_flows.map(|f| serde_json::from_str::<Vec<String>>(&f)).transpose()? {
            let granted = flows.as_deref().map(serde_json::from_str::<Vec<String>>).transpose()?;
            if !granted.is_some_and(|granted| granted.iter().all(|flow| limit.contains(flow))) {
                return Ok(Err(Refused::MakerLimited { maker, flows: limit.join(", ") }));
            }
        }
        let change = MemberChange::Set { role: &role, flows: None };
        if let Err(refused) =
            check_member_change(&mut tx, &tenant, username, change, &|theirs| may_grant(&maker_role, theirs)).await?
        {
            return Ok(Err(refused.into()));
        }
        if let Some(hash) = hash {
            let made = sqlx::query(INSERT_USER).bind(username).bind(hash).bind(&now).execute(&mut *tx).await?;
            if made.rows_affected() == 0 {
                // Someone took the name since it was checked.
                return Ok(Err(Refused::WrongPassword(username.to_string())));
            }
        }
        sqlx::query(UPSERT_MEMBER).bind(&tenant).bind(username).bind(&role).bind(flows).execute(&mut *tx).await?;
        sqlx::query("UPDATE invitations SET accepted_by = $1, accepted_at = $2 WHERE id = $3")
            .bind(username)
            .bind(&now)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        identity.changed();
        Ok(Ok(Joined { tenant, role, new_user }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_backends;

    const LATER: &str = "2999-01-01T00:00:00.000Z";

    #[tokio::test]
    async fn a_code_admits_one_person_once_before_it_expires() {
        for db in test_backends().await {
            db.identity().ensure_tenant("acme").await.unwrap();
            db.identity().create_user("olga", "correct horse").await.unwrap();
            db.identity().set_member("acme", "olga", "owner", None).await.unwrap();
            let invitations = db.invitations();
            let (_, code) = invitations.create("acme", "operator", None, "olga", LATER).await.unwrap();
            let joined = invitations.accept(&code, "ann", "correct horse", &|_, _| true).await.unwrap().unwrap();
            assert_eq!(joined, Joined { tenant: "acme".into(), role: "operator".into(), new_user: true }, "{db:?}");
            assert!(db.identity().check_password("ann", "correct horse").await.unwrap());
            assert_eq!(
                invitations.accept(&code, "eve", "correct horse", &|_, _| true).await.unwrap(),
                Err(Refused::Unusable),
                "{db:?}: used up"
            );
            assert!(!db.identity().user_exists("eve").await.unwrap(), "a refused code makes nobody");

            let (_, expired) =
                invitations.create("acme", "viewer", None, "olga", "2000-01-01T00:00:00.000Z").await.unwrap();
            assert_eq!(
                invitations.accept(&expired, "eve", "correct horse", &|_, _| true).await.unwrap(),
                Err(Refused::Unusable)
            );
            let (id, revoked) = invitations.create("acme", "viewer", None, "olga", LATER).await.unwrap();
            assert!(invitations.revoke("acme", &id).await.unwrap());
            assert!(!invitations.revoke("other", &id).await.unwrap(), "per tenant");
            assert_eq!(
                invitations.accept(&revoked, "eve", "correct horse", &|_, _| true).await.unwrap(),
                Err(Refused::Unusable)
            );

            // An existing user joins with their own password, not another.
            let (_, code) = invitations.create("acme", "admin", None, "olga", LATER).await.unwrap();
            assert_eq!(
                invitations.accept(&code, "ann", "guess", &|_, _| true).await.unwrap(),
                Err(Refused::WrongPassword("ann".into()))
            );
            assert_eq!(
                invitations.accept(&code, "ann", "correct horse", &|_, _| true).await.unwrap().unwrap().role,
                "admin",
                "{db:?}"
            );
            let listed = invitations.list("acme").await.unwrap();
            assert_eq!(listed.len(), 4);
            assert!(!format!("{listed:?}").contains("invite_"), "codes are never listed");

            // What the maker may grant when it is accepted decides.
            let (_, code) = invitations.create("acme", "admin", None, "olga", LATER).await.unwrap();
            let refused = invitations
                .accept(&code, "eve", "correct horse", &|mine, wanted| mine == "owner" && wanted != "admin")
                .await
                .unwrap();
            assert_eq!(
                refused,
                Err(Refused::MakerCannotGrant { maker: "olga".into(), role: "admin".into() }),
                "{db:?}"
            );
            assert!(!db.identity().user_exists("eve").await.unwrap(), "a refused acceptance makes nobody");
            // The last owner does not demote herself by accepting a lesser invitation.
            let (_, code) = invitations.create("acme", "viewer", None, "olga", LATER).await.unwrap();
            let refused = invitations.accept(&code, "olga", "correct horse", &|_, _| true).await.unwrap();
            assert!(matches!(refused, Err(Refused::Member(MemberRefused::LastOwner { .. }))), "{db:?}: {refused:?}");
        }
    }
}
