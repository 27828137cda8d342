//! Who a token is and where its subject stands in a tenant, as last read:
//! every API request asks, and the answer changes only when tokens,
//! members, users or tenants do. Every change made through this process
//! forgets everything at once (`IdentityStore` and accepting an invitation
//! call [`IdentityCache::forget_all`] after each write); an answer is kept
//! for a second at most, for changes made by another process on the same
//! database. An expired token is never served from here, and unknown tokens
//! are not remembered (a new token works at once, guessing costs a query).

use std::time::Duration;

use super::{Principal, Standing};
use crate::memo::Memo;

#[derive(Debug)]
pub(super) struct IdentityCache {
    /// By (sha256 of the token, tenant).
    answers: Memo<(String, String), Answer>,
}

#[derive(Debug, Clone)]
struct Answer {
    principal: Principal,
    standing: Standing,
    /// When the token expires (RFC 3339, compared as text like the query does).
    expires_at: Option<String>,
}

impl Default for IdentityCache {
    fn default() -> IdentityCache {
        IdentityCache { answers: Memo::new(Some(Duration::from_secs(1))) }
    }
}

impl IdentityCache {
    /// The change count to pass to [`IdentityCache::keep`] once the read is done.
    pub fn changes(&self) -> u64 {
        self.answers.changes()
    }

    pub fn get(&self, token_sha256: &str, tenant: &str, now: &str) -> Option<(Principal, Standing)> {
        let unexpired = |answer: &Answer| answer.expires_at.as_deref().is_none_or(|at| at > now);
        let answer = self.answers.get(&(token_sha256.to_string(), tenant.to_string()), unexpired)?;
        Some((answer.principal, answer.standing))
    }

    /// Remember an answer read while the change count was `changes_before`.
    pub fn keep(
        &self,
        token_sha256: String,
        tenant: String,
        principal: Principal,
        standing: Standing,
        expires_at: Option<String>,
        changes_before: u64,
    ) {
        self.answers.keep((token_sha256, tenant), Answer { principal, standing, expires_at }, changes_before);
    }

    /// Tokens, members, users or tenants changed.
    pub fn forget_all(&self) {
        self.answers.forget_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_token_is_not_served_from_memory() {
        let cache = IdentityCache::default();
        let principal = Principal { subject: "ann".into(), tenant: None, role: "user".into(), token_name: None };
        let standing = Standing { tenant_exists: true, membership: Some(("viewer".into(), None)) };
        let expires = Some("2026-01-01T00:00:00.000Z".to_string());
        cache.keep("h".into(), "acme".into(), principal, standing, expires, cache.changes());
        assert!(cache.get("h", "acme", "2025-12-31T23:59:59.999Z").is_some());
        assert!(cache.get("h", "acme", "2026-01-01T00:00:00.000Z").is_none(), "expired at that instant");
        assert!(cache.get("h", "other", "2025-12-31T23:59:59.999Z").is_none(), "another tenant is another question");
    }
}
