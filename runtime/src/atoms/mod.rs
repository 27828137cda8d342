//! Atoms: the host capabilities a plugin reaches through WIT imports. Each atom
//! lives in its own module, with the grant check it applies at every call.
//! A plugin can only import atoms it declared (checked at load, see
//! `sandbox::plugin`); what it may do with them is decided here, per call, from
//! the tenant's [`Grants`].

pub mod cmdb;
pub mod egress;
pub mod grant_book;
pub mod http;
pub mod job;
pub mod kv;
pub mod log;
pub mod notify;
pub mod secrets;

use std::sync::Arc;
use std::time::Instant;

use wasmtime::component::HasData;

use crate::bindings::wit;
use crate::inventory::SelectorSet;
use crate::store::{HostStore, KvScope, KvStore};

pub use grant_book::{FixedGrants, GrantDoc, GrantSource, TenantGrants};
pub use http::{HostPattern, HttpAllowList, HttpClient, HttpSettings};
pub use kv::KvSession;
pub use log::{LogBook, LogLevel, LogLine, LogSource};
pub use secrets::{Revealed, SecretGrants, valid_secret_name};

/// What a tenant has granted its plugins.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    pub http: HttpAllowList,
    pub secrets: SecretGrants,
    /// The hosts the call may see and touch through `cmdb` and `job`. Empty: none.
    pub hosts: SelectorSet,
    /// The notification channels the call may send to, opened, by name.
    pub channels: std::collections::BTreeMap<String, notify::Channel>,
}

/// Backends the atoms share across calls.
pub struct AtomServices {
    pub http: HttpClient,
    /// `None` where no database is attached: `kv` then answers `unavailable`.
    pub kv: Option<KvStore>,
    /// `None` where no inventory is attached: `cmdb` then answers `unavailable`.
    pub hosts: Option<HostStore>,
    /// `None` where no agents can connect: `job` then answers `unavailable`.
    pub jobs: Option<job::JobServices>,
}

/// One atom call as recorded for the run history: which atom, a bounded
/// summary of the request, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AtomRecord {
    pub atom: &'static str,
    pub request: String,
    pub outcome: String,
}

/// The atoms' view of one plugin call.
pub struct AtomCall {
    pub scope: KvScope,
    pub grants: Arc<Grants>,
    pub services: Arc<AtomServices>,
    pub deadline: Instant,
    pub log: LogBook,
    pub kv: KvSession,
    pub records: Vec<AtomRecord>,
    /// Secret values handed out, to be masked in what the call leaves behind.
    pub revealed: Revealed,
    /// The step's idempotency key, sent with what atoms do on its behalf (`notify`).
    pub idempotency_key: String,
}

impl AtomCall {
    pub fn new(scope: KvScope, grants: Arc<Grants>, services: Arc<AtomServices>, deadline: Instant) -> Self {
        AtomCall {
            scope,
            grants,
            services,
            deadline,
            log: LogBook::default(),
            kv: KvSession::default(),
            records: Vec::new(),
            revealed: Revealed::default(),
            idempotency_key: String::new(),
        }
    }

    fn record<T>(&mut self, atom: &'static str, request: String, result: &Result<T, wit::AtomError>) {
        let outcome = match result {
            Ok(_) => "ok".to_string(),
            Err(e) => describe_error(e),
        };
        self.record_outcome(atom, request, outcome);
    }

    fn record_outcome(&mut self, atom: &'static str, request: String, outcome: String) {
        const MAX_RECORDS: usize = 1000;
        if self.records.len() >= MAX_RECORDS {
            return;
        }
        self.records.push(AtomRecord { atom, request: bounded(&request, 300), outcome: bounded(&outcome, 300) });
    }
}

/// Lets the generated bindings reach [`AtomCall`] inside the store's data.
pub struct HasAtoms;

impl HasData for HasAtoms {
    type Data<'a> = &'a mut AtomCall;
}

/// What atom host functions return: a trap (never used for guest mistakes) or the atom's own result.
pub type AtomResult<T> = wasmtime::Result<Result<T, wit::AtomError>>;

impl wit::Host for AtomCall {}

pub fn describe_error(error: &wit::AtomError) -> String {
    match error {
        wit::AtomError::Denied(m) => format!("denied: {m}"),
        wit::AtomError::Invalid(m) => format!("invalid: {m}"),
        wit::AtomError::Unavailable(m) => format!("unavailable: {m}"),
        wit::AtomError::Failed(m) => format!("failed: {m}"),
    }
}

/// Cut `text` to at most `max` bytes on a character boundary, marking the cut.
pub fn bounded(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::bounded;

    #[test]
    fn bounded_cuts_on_char_boundaries() {
        assert_eq!(bounded("short", 10), "short");
        assert_eq!(bounded("ééé", 3), "é… (6 bytes)");
    }
}
