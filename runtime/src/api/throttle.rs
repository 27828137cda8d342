//! Password guessing slowed down: failed attempts are counted per account and
//! per client address, and past a threshold each further attempt must wait a
//! back-off that doubles with every failure. An attempt counts as failed
//! from the moment it is made until it succeeds, so a burst of attempts at
//! once is held back like the same attempts one after another. Logging in,
//! accepting an invitation and changing one's password all count here.
//! Kept in memory: each server
//! counts on its own and forgets on restart (one node; several nodes each
//! allow their own attempts).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How attempts are throttled.
#[derive(Debug, Clone)]
pub struct ThrottleSettings {
    /// Failures an account may have before it must wait.
    pub account_failures: u32,
    /// Failures a client address may have before it must wait (higher: many
    /// people may share one address).
    pub address_failures: u32,
    /// The first wait; each further failure doubles it.
    pub backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        ThrottleSettings {
            account_failures: 5,
            address_failures: 50,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    /// No attempt before this.
    until: Option<Instant>,
}

/// Counters kept at most; past that, those that no longer hold anyone back go.
const MAX_ENTRIES: usize = 100_000;

/// Who an attempt is throttled as: the account named (whether or not it
/// exists, so a wait says nothing about that) and the client's address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Account(String),
    Address(IpAddr),
}

pub struct LoginThrottle {
    settings: ThrottleSettings,
    failures: Mutex<HashMap<Subject, Failures>>,
}

impl LoginThrottle {
    pub fn new(settings: ThrottleSettings) -> LoginThrottle {
        LoginThrottle { settings, failures: Mutex::new(HashMap::new()) }
    }

    /// Take an attempt at a password for `subjects`: `Err(wait)` if any of
    /// them must still wait. Otherwise the attempt counts as failed from now
    /// on, until [`succeeded`](Self::succeeded) takes it back — so attempts
    /// made at once cannot all pass the threshold before any has failed.
    pub fn attempt(&self, subjects: &[Subject]) -> Result<(), Duration> {
        let mut failures = self.failures.lock().expect("throttle lock");
        Self::wait(&failures, subjects, Instant::now()).map_or(Ok(()), Err)?;
        self.record_failures(&mut failures, subjects, Instant::now());
        Ok(())
    }

    /// The attempt succeeded: the account's count is cleared, and the
    /// address's failure taken back (not cleared: one good password must not
    /// reset a guesser trying many accounts).
    pub fn succeeded(&self, subjects: &[Subject]) {
        let accounts: Vec<&Subject> = subjects.iter().filter(|s| matches!(s, Subject::Account(_))).collect();
        let mut failures = self.failures.lock().expect("throttle lock");
        for account in accounts {
            failures.remove(account);
        }
        drop(failures);
        let addresses: Vec<Subject> = subjects.iter().filter(|s| matches!(s, Subject::Address(_))).cloned().collect();
        self.take_back(&addresses);
    }

    /// The attempt was not a guess at these subjects' password after all:
    /// its failure is taken back from each (and nothing more).
    pub fn take_back(&self, subjects: &[Subject]) {
        let mut failures = self.failures.lock().expect("throttle lock");
        for subject in subjects {
            let threshold = match subject {
                Subject::Account(_) => self.settings.account_failures,
                Subject::Address(_) => self.settings.address_failures,
            };
            if let Some(entry) = failures.get_mut(subject) {
                entry.count = entry.count.saturating_sub(1);
                if entry.count < threshold {
                    entry.until = None;
                }
            }
        }
    }

    /// How long the longest wait of `subjects` still lasts, if any does.
    fn wait(failures: &HashMap<Subject, Failures>, subjects: &[Subject], now: Instant) -> Option<Duration> {
        let until = subjects.iter().filter_map(|s| failures.get(s)?.until).filter(|until| *until > now).max();
        until.map(|until| until - now)
    }

    /// Count a failed attempt against each of `subjects`.
    fn record_failures(&self, failures: &mut HashMap<Subject, Failures>, subjects: &[Subject], now: Instant) {
        if failures.len() >= MAX_ENTRIES {
            let max_backoff = self.settings.max_backoff;
            failures.retain(|_, f| now.duration_since(f.last) < max_backoff);
        }
        for subject in subjects {
            let entry = failures.entry(subject.clone()).or_insert(Failures { count: 0, last: now, until: None });
            // A quiet spell as long as the longest wait starts the count over.
            if now.duration_since(entry.last) >= self.settings.max_backoff {
                *entry = Failures { count: 0, last: now, until: None };
            }
            entry.count += 1;
            entry.last = now;
            let threshold = match subject {
                Subject::Account(_) => self.settings.account_failures,
                Subject::Address(_) => self.settings.address_failures,
            };
            if entry.count >= threshold {
                entry.until = Some(now + self.backoff_after(entry.count - threshold));
            }
        }
    }

    fn backoff_after(&self, extra_failures: u32) -> Duration {
        let factor = 1u32.checked_shl(extra_failures.min(31)).unwrap_or(u32::MAX);
        self.settings.backoff.saturating_mul(factor).min(self.settings.max_backoff)
    }
}

/// The subjects an attempt at `username` from `address` counts against.
pub fn subjects(username: &str, address: Option<IpAddr>) -> Vec<Subject> {
    let mut subjects = vec![Subject::Account(username.to_ascii_lowercase())];
    subjects.extend(address.map(|a| Subject::Address(a.to_canonical())));
    subjects
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(account_failures: u32, address_failures: u32) -> LoginThrottle {
        LoginThrottle::new(ThrottleSettings {
            account_failures,
            address_failures,
            backoff: Duration::from_secs(60),
            max_backoff: Duration::from_secs(600),
        })
    }

    impl LoginThrottle {
        /// A failure counted while a wait is on (as if time had passed).
        fn fail_anyway(&self, who: &[Subject]) {
            self.record_failures(&mut self.failures.lock().unwrap(), who, Instant::now());
        }

        fn check(&self, who: &[Subject]) -> Result<(), Duration> {
            LoginThrottle::wait(&self.failures.lock().unwrap(), who, Instant::now()).map_or(Ok(()), Err)
        }
    }

    #[test]
    fn an_account_waits_after_its_threshold_and_the_wait_doubles() {
        let throttle = throttle(3, 100);
        let who = subjects("ann", None);
        for _ in 0..3 {
            assert!(throttle.attempt(&who).is_ok());
        }
        let first = throttle.attempt(&who).unwrap_err();
        assert!(first > Duration::from_secs(55) && first <= Duration::from_secs(60), "{first:?}");
        throttle.fail_anyway(&who);
        let second = throttle.check(&who).unwrap_err();
        assert!(second > Duration::from_secs(115), "{second:?}");
        assert!(throttle.attempt(&subjects("bob", None)).is_ok(), "another account is not held back");
        throttle.succeeded(&who);
        assert!(throttle.check(&who).is_ok());
    }

    #[test]
    fn attempts_made_at_once_are_counted_before_any_answers() {
        let throttle = throttle(3, 100);
        let who = subjects("ann", Some("192.0.2.7".parse().unwrap()));
        // Three checks in flight at once, none answered yet: the fourth waits.
        for _ in 0..3 {
            assert!(throttle.attempt(&who).is_ok());
        }
        assert!(throttle.attempt(&who).is_err());
    }

    #[test]
    fn a_success_clears_the_account_and_takes_its_attempt_back_from_the_address() {
        let throttle = throttle(2, 2);
        let address = Some("192.0.2.7".parse().unwrap());
        let ann = subjects("ann", address);
        assert!(throttle.attempt(&ann).is_ok());
        throttle.succeeded(&ann);
        assert!(throttle.attempt(&ann).is_ok());
        throttle.succeeded(&ann);
        // Two good logins from one address leave it free; one failure each for two accounts does not.
        assert!(throttle.attempt(&subjects("bob", address)).is_ok());
        assert!(throttle.attempt(&subjects("cid", address)).is_ok());
        assert!(throttle.attempt(&subjects("dan", address)).is_err());
    }

    #[test]
    fn an_attempt_taken_back_from_the_account_leaves_its_earlier_failures_counted() {
        let throttle = throttle(3, 100);
        let who = subjects("ann", None);
        assert!(throttle.attempt(&who).is_ok());
        assert!(throttle.attempt(&who).is_ok());
        for _ in 0..10 {
            assert!(throttle.attempt(&who).is_ok(), "taken back each time: never over the threshold");
            throttle.take_back(&who);
        }
        assert!(throttle.attempt(&who).is_ok());
        assert!(throttle.attempt(&who).is_err(), "the two earlier failures still count");
    }

    #[test]
    fn an_address_trying_many_accounts_waits_too() {
        let throttle = throttle(100, 3);
        let address = Some("192.0.2.7".parse().unwrap());
        for name in ["a", "b", "c"] {
            assert!(throttle.attempt(&subjects(name, address)).is_ok());
        }
        assert!(throttle.attempt(&subjects("d", address)).is_err());
        assert!(throttle.attempt(&subjects("d", Some("192.0.2.8".parse().unwrap()))).is_ok());
    }

    #[test]
    fn the_wait_is_capped() {
        let throttle = throttle(1, 1);
        let who = subjects("ann", None);
        for _ in 0..80 {
            throttle.fail_anyway(&who);
        }
        assert!(throttle.check(&who).unwrap_err() <= Duration::from_secs(600));
    }
}
