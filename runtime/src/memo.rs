//! Answers kept in memory: the reads every request makes (who a token is, a
//! flow's published version) would otherwise each be a round trip to the
//! database, and every authorization a walk of the policies. A `Memo`
//! forgets an entry (or all of them) when the process changes what it
//! answers; an answer read while such a change was under way is not kept
//! (the change counter moved); and with a lapse, an answer is read again
//! after that long, for changes another process makes to the same database.
//! Bounded: when full, it starts afresh.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub(crate) const CAPACITY: usize = 4096;

#[derive(Debug)]
pub(crate) struct Memo<K, V> {
    entries: Mutex<HashMap<K, (V, Instant)>>,
    changes: AtomicU64,
    lapse: Option<Duration>,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    /// Answers kept until forgotten, or for `lapse` at most.
    pub fn new(lapse: Option<Duration>) -> Memo<K, V> {
        Memo { entries: Mutex::new(HashMap::new()), changes: AtomicU64::new(0), lapse }
    }

    /// The change count; read it before the database, pass it to [`Memo::keep`] after.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    /// The answer kept for `key`, if it has not lapsed and `usable` says it may be used.
    pub fn get(&self, key: &K, usable: impl FnOnce(&V) -> bool) -> Option<V> {
        let entries = self.entries.lock().expect("memo lock");
        let (value, read_at) = entries.get(key)?;
        let fresh = self.lapse.is_none_or(|lapse| read_at.elapsed() < lapse);
        (fresh && usable(value)).then(|| value.clone())
    }

    /// Keep an answer read after [`Memo::changes`] returned `changes_before`,
    /// unless something changed since.
    pub fn keep(&self, key: K, value: V, changes_before: u64) {
        let mut entries = self.entries.lock().expect("memo lock");
        if self.changes() != changes_before {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key, (value, Instant::now()));
    }

    pub fn forget(&self, key: &K) {
        let mut entries = self.entries.lock().expect("memo lock");
        self.changes.fetch_add(1, Ordering::SeqCst);
        entries.remove(key);
    }

    pub fn forget_all(&self) {
        let mut entries = self.entries.lock().expect("memo lock");
        self.changes.fetch_add(1, Ordering::SeqCst);
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_read_before_a_change_is_not_kept_after_it() {
        let memo: Memo<&str, u32> = Memo::new(None);
        let before = memo.changes();
        memo.forget(&"other");
        memo.keep("k", 1, before);
        assert_eq!(memo.get(&"k", |_| true), None, "read before a change: not kept");
        memo.keep("k", 2, memo.changes());
        assert_eq!(memo.get(&"k", |_| true), Some(2));
        assert_eq!(memo.get(&"k", |v| *v != 2), None, "the caller may refuse an answer");
        memo.forget_all();
        assert_eq!(memo.get(&"k", |_| true), None);
    }

    #[test]
    fn answers_lapse_and_the_memory_stays_bounded() {
        let memo: Memo<usize, usize> = Memo::new(Some(Duration::ZERO));
        memo.keep(1, 1, memo.changes());
        assert_eq!(memo.get(&1, |_| true), None, "lapsed at once");
        let memo: Memo<usize, usize> = Memo::new(None);
        for i in 0..CAPACITY + 1 {
            memo.keep(i, i, memo.changes());
        }
        assert!(memo.entries.lock().unwrap().len() <= CAPACITY);
        assert_eq!(memo.get(&CAPACITY, |_| true), Some(CAPACITY), "the newest answer is kept");
    }
}
