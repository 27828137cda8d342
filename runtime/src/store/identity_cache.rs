//! Who a token is and where its subject stands in a tenant, as last read:
//! every API request asks, and the answer changes only when tokens,
//! members, users or tenants do. Every change made through this process
//! forgets everything at once (`IdentityStore` and accepting an invitation
//! call [`IdentityCache::forget_all`] after each write); an answer is kept
//! for a second at most, for changes made by another process on the same
//! database. An expired token is never served from here, and unknown tokens
//! are not remembered (a new token works at once, guessing costs a query).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Principal, Standing};

const KEPT_FOR: Duration = Duration::from_secs(1);
const KEPT_AT_MOST: usize = 4096;

#[derive(Debug, Default)]
pub(super) struct IdentityCache {
    /// By (sha256 of the token, tenant).
    answers: Mutex<HashMap<(String, String), Answer>>,
    /// Counts changes, so that an answer read before one is not kept after it.
    changes: AtomicU64,
}

#[derive(Debug, Clone)]
pub(super) struct Answer {
    pub principal: Principal,
    pub standing: Standing,
    /// When the token expires (RFC 3339, compared as text like the query does).
    pub expires_at: Option<String>,
    read_at: Instant,
}

impl IdentityCache {
    /// The change count to pass to [`IdentityCache::keep`] once the read is done.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    pub fn get(&self, token_sha256: &str, tenant: &str, now: &str) -> Option<(Principal, Standing)> {
        let answers = self.answers.lock().expect("identity cache lock");
        let answer = answers.get(&(token_sha256.to_string(), tenant.to_string()))?;
        let fresh = answer.read_at.elapsed() < KEPT_FOR && answer.expires_at.as_deref().is_none_or(|at| at > now);
        fresh.then(|| (answer.principal.clone(), answer.standing.clone()))
    }

    /// Remember an answer read while the change count was `changes_before`,
    /// unless something changed since.
    pub fn keep(&self, token_sha256: String, tenant: String, principal: Principal, standing: Standing, expires_at: Option<String>, changes_before: u64) {
        let mut answers = self.answers.lock().expect("identity cache lock");
        if self.changes() != changes_before {
            return;
        }
        if answers.len() >= KEPT_AT_MOST {
            answers.clear();
        }
        answers.insert((token_sha256, tenant), Answer { principal, standing, expires_at, read_at: Instant::now() });
    }

    /// Tokens, members, users or tenants changed.
    pub fn forget_all(&self) {
        let mut answers = self.answers.lock().expect("identity cache lock");
        self.changes.fetch_add(1, Ordering::SeqCst);
        answers.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal() -> Principal {
        Principal { subject: "ann".into(), tenant: None, role: "user".into(), token_name: None }
    }

    fn standing() -> Standing {
        Standing { tenant_exists: true, membership: Some(("viewer".into(), None)) }
    }

    #[test]
    fn an_expired_token_is_not_served_from_memory() {
        let cache = IdentityCache::default();
        let expires = Some("2026-01-01T00:00:00.000Z".to_string());
        cache.keep("h".into(), "acme".into(), principal(), standing(), expires, cache.changes());
        assert!(cache.get("h", "acme", "2025-12-31T23:59:59.999Z").is_some());
        assert!(cache.get("h", "acme", "2026-01-01T00:00:00.000Z").is_none(), "expired at that instant");
        assert!(cache.get("h", "other", "2025-12-31T23:59:59.999Z").is_none(), "another tenant is another question");
    }

    #[test]
    fn an_answer_read_before_a_change_is_not_kept_after_it() {
        let cache = IdentityCache::default();
        let before = cache.changes();
        cache.forget_all();
        cache.keep("h".into(), "acme".into(), principal(), standing(), None, before);
        assert!(cache.get("h", "acme", "now").is_none());
        cache.keep("h".into(), "acme".into(), principal(), standing(), None, cache.changes());
        assert!(cache.get("h", "acme", "now").is_some());
        cache.forget_all();
        assert!(cache.get("h", "acme", "now").is_none());
    }
}
