//! What running scripts print, on its way into their steps' logs. An agent
//! streams a script's output as it comes (`FromAgent::Output`); the server
//! keeps the last bytes of it for each host of a running job — for the agent
//! the script was sent to only — and every `job.status` call of the step
//! takes what is new into that call's log. In memory, on the node the agent
//! is connected to; for a job another node of a cluster started, that node
//! relays it there (`post.rs`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The bytes of a host's output kept between two looks.
pub const LIVE_OUTPUT_BYTES: usize = 16 << 10;

/// All the output kept, every host of every job: past it, the streams looked
/// at least recently lose what they hold (their next look says how much).
pub const LIVE_OUTPUT_TOTAL_BYTES: usize = 64 << 20;

/// Output nobody looked at for this long (its step was cancelled, say) is forgotten.
const FORGOTTEN_AFTER: Duration = Duration::from_secs(3600);

/// How often streams are checked for being forgotten.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// (tenant, job, host)
type Key = (String, String, String);

struct Stream {
    agent: String,
    text: String,
    /// Bytes the script printed so far, as the agent counts them.
    total: u64,
    /// Of those, how many a look has taken.
    taken: u64,
    ended: bool,
    /// The job was started on another node of the cluster: its output is
    /// relayed there (`take_relayed`) rather than taken here.
    relayed: bool,
    /// Taken up mid-script (the agent came back to this node): what was
    /// printed before its next report was taken elsewhere, or lost with the
    /// connection, and is not counted as skipped.
    joined_late: bool,
    touched: Instant,
}

/// New output of one host since the last look.
#[derive(Debug, PartialEq, Eq)]
pub struct Fresh {
    pub text: String,
    /// Bytes printed in between that were not kept.
    pub skipped: u64,
}

#[derive(Default)]
pub struct LiveOutput {
    inner: Mutex<Streams>,
}

#[derive(Default)]
struct Streams {
    by_key: HashMap<Key, Stream>,
    /// Bytes held by every stream together.
    held: usize,
    pruned: Option<Instant>,
}

impl Streams {
    /// Forget streams nobody touched for long, at most once every [`PRUNE_EVERY`].
    fn prune(&mut self) {
        if self.pruned.is_some_and(|at| at.elapsed() < PRUNE_EVERY) {
            return;
        }
        self.pruned = Some(Instant::now());
        self.by_key.retain(|_, stream| stream.touched.elapsed() < FORGOTTEN_AFTER);
        self.held = self.by_key.values().map(|stream| stream.text.len()).sum();
    }

    /// Past the total, empty the streams touched longest ago first.
    fn hold_at_most(&mut self, total: usize) {
        while self.held > total {
            let Some(oldest) =
                self.by_key.values_mut().filter(|s| !s.text.is_empty()).min_by_key(|stream| stream.touched)
            else {
                return;
            };
            self.held -= oldest.text.len();
            oldest.text.clear();
        }
    }
}

fn key(tenant: &str, job: &str, host: &str) -> Key {
    (tenant.to_string(), job.to_string(), host.to_string())
}

impl LiveOutput {
    /// `job`'s script is being sent to `agent` for `host`: take its output from that agent.
    pub fn expect(&self, tenant: &str, job: &str, host: &str, agent: &str) {
        self.expect_stream(tenant, job, host, agent, false, false);
    }

    /// As [`Self::expect`], for a job another node started, which takes the output.
    pub fn expect_relayed(&self, tenant: &str, job: &str, host: &str, agent: &str) {
        self.expect_stream(tenant, job, host, agent, true, false);
    }

    /// As [`Self::expect_relayed`], unless this node expects the stream already.
    pub fn adopt_relayed(&self, tenant: &str, job: &str, host: &str, agent: &str) {
        let known = self.inner.lock().expect("live output lock").by_key.contains_key(&key(tenant, job, host));
        if !known {
            self.expect_stream(tenant, job, host, agent, true, true);
        }
    }

    fn expect_stream(&self, tenant: &str, job: &str, host: &str, agent: &str, relayed: bool, joined_late: bool) {
        let mut streams = self.inner.lock().expect("live output lock");
        streams.prune();
        let stream = Stream {
            agent: agent.to_string(),
            text: String::new(),
            total: 0,
            taken: 0,
            ended: false,
            relayed,
            joined_late,
            touched: Instant::now(),
        };
        if let Some(old) = streams.by_key.insert(key(tenant, job, host), stream) {
            streams.held -= old.text.len();
        }
    }

    /// The script could not be sent after all: nothing will come.
    pub fn forget(&self, tenant: &str, job: &str, host: &str) {
        let mut streams = self.inner.lock().expect("live output lock");
        if let Some(old) = streams.by_key.remove(&key(tenant, job, host)) {
            streams.held -= old.text.len();
        }
    }

    /// Output `agent` reported; ignored unless the script was sent to that agent.
    pub fn append(&self, tenant: &str, agent: &str, job: &str, host: &str, text: &str, total: u64) {
        let mut guard = self.inner.lock().expect("live output lock");
        let streams = &mut *guard;
        let Some(stream) = streams.by_key.get_mut(&key(tenant, job, host)).filter(|s| s.agent == agent && !s.ended)
        else {
            return;
        };
        if std::mem::take(&mut stream.joined_late) {
            stream.taken = total.saturating_sub(text.len() as u64);
        }
        let before = stream.text.len();
        stream.text.push_str(text);
        if stream.text.len() > LIVE_OUTPUT_BYTES {
            let mut cut = stream.text.len() - LIVE_OUTPUT_BYTES;
            while !stream.text.is_char_boundary(cut) {
                cut += 1;
            }
            stream.text.drain(..cut);
        }
        stream.total = stream.total.max(total);
        stream.touched = Instant::now();
        let after = stream.text.len();
        streams.held = streams.held - before + after;
        streams.hold_at_most(LIVE_OUTPUT_TOTAL_BYTES);
    }

    /// `agent` reported the script's end (its outcome is stored): the next look
    /// takes the rest and forgets it.
    pub fn ended(&self, tenant: &str, agent: &str, job: &str, host: &str) {
        let mut streams = self.inner.lock().expect("live output lock");
        if let Some(stream) = streams.by_key.get_mut(&key(tenant, job, host)).filter(|s| s.agent == agent) {
            stream.ended = true;
        }
    }

    /// What `host` printed for `job` since the last look, if anything.
    pub fn take(&self, tenant: &str, job: &str, host: &str) -> Option<Fresh> {
        let mut guard = self.inner.lock().expect("live output lock");
        let streams = &mut *guard;
        let key = key(tenant, job, host);
        let stream = streams.by_key.get_mut(&key)?;
        let new = stream.total.saturating_sub(stream.taken);
        let text = std::mem::take(&mut stream.text);
        let fresh = (new > 0).then(|| Fresh { skipped: new.saturating_sub(text.len() as u64), text });
        stream.taken = stream.total;
        stream.touched = Instant::now();
        let ended = stream.ended;
        let taken = fresh.as_ref().map_or(0, |f| f.text.len());
        streams.held -= taken;
        if ended {
            streams.by_key.remove(&key);
        }
        fresh
    }
}

impl LiveOutput {
    /// What the streams of jobs started on other nodes printed since they
    /// were last relayed — every such stream's, or only `only`'s —, as
    /// (tenant, job, host, text, bytes not kept); a stream relayed whole is
    /// forgotten.
    /// A quiet stream whose agent `connected` says is still connected here is
    /// kept (touched); one whose agent left is forgotten in time.
    pub fn take_relayed(
        &self,
        only: Option<(&str, &str, &str)>,
        connected: impl Fn(&str, &str) -> bool,
    ) -> Vec<crate::store::RelayedOutput> {
        let keys: Vec<Key> = {
            let mut guard = self.inner.lock().expect("live output lock");
            let streams = &mut *guard;
            for ((tenant, _, _), stream) in streams.by_key.iter_mut() {
                if stream.relayed && connected(tenant, &stream.agent) {
                    stream.touched = Instant::now();
                }
            }
            // Only streams with something new or ended are taken.
            let relayed = streams
                .by_key
                .iter()
                .filter(|(_, stream)| stream.relayed && (stream.total > stream.taken || stream.ended));
            match only {
                Some((tenant, job, host)) => {
                    let wanted = key(tenant, job, host);
                    relayed.filter(|(k, _)| **k == wanted).map(|(k, _)| k.clone()).collect()
                }
                None => relayed.map(|(k, _)| k.clone()).collect(),
            }
        };
        let mut taken = Vec::new();
        for (tenant, job, host) in keys {
            if let Some(fresh) = self.take(&tenant, &job, &host) {
                taken.push((tenant, job, host, fresh.text, fresh.skipped));
            }
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_look_takes_what_is_new_once_and_says_what_was_not_kept() {
        let live = LiveOutput::default();
        live.expect("t", "j", "h", "a1");
        live.append("t", "a1", "j", "h", "one\n", 4);
        live.append("t", "other-agent", "j", "h", "forged\n", 11);
        assert_eq!(live.take("t", "j", "h"), Some(Fresh { text: "one\n".into(), skipped: 0 }));
        assert_eq!(live.take("t", "j", "h"), None, "nothing new");
        // More than is kept between two looks: the oldest bytes go, and are counted.
        let big = "x".repeat(LIVE_OUTPUT_BYTES + 100);
        live.append("t", "a1", "j", "h", &big, 4 + big.len() as u64);
        let fresh = live.take("t", "j", "h").unwrap();
        assert_eq!((fresh.text.len(), fresh.skipped), (LIVE_OUTPUT_BYTES, 100));
        live.append("t", "a1", "j", "h", "last\n", 4 + big.len() as u64 + 5);
        live.ended("t", "other-agent", "j", "h");
        live.append("t", "a1", "j", "h", "more\n", 4 + big.len() as u64 + 10);
        live.ended("t", "a1", "j", "h");
        assert_eq!(live.take("t", "j", "h").unwrap().text, "last\nmore\n", "another agent cannot end the stream");
        assert_eq!(live.take("t", "j", "h"), None, "forgotten once ended and taken");
        live.append("t", "a1", "j", "unexpected", "x\n", 2);
        assert_eq!(live.take("t", "j", "unexpected"), None, "only scripts sent to an agent are taken");
    }

    #[test]
    fn a_stream_taken_up_mid_script_counts_from_its_first_report_here() {
        let live = LiveOutput::default();
        live.adopt_relayed("t", "j", "h", "a1");
        live.append("t", "a1", "j", "h", "after\n", 13);
        live.append("t", "a1", "j", "h", "end\n", 17);
        let taken = live.take_relayed(None, |_, _| true);
        assert_eq!(taken, [("t".into(), "j".into(), "h".into(), "after\nend\n".into(), 0)]);
        live.expect("t", "j2", "h", "a1");
        live.adopt_relayed("t", "j2", "h", "a1");
        live.append("t", "a1", "j2", "h", "x\n", 2);
        assert!(live.take_relayed(None, |_, _| true).is_empty(), "a stream this node expects already stays its own");
        assert_eq!(live.take("t", "j2", "h").unwrap().text, "x\n");
    }

    #[test]
    fn past_the_total_the_streams_looked_at_longest_ago_are_emptied_first() {
        let live = LiveOutput::default();
        live.expect("t", "j", "old", "a");
        live.expect("t", "j", "new", "a");
        live.append("t", "a", "j", "old", "0123456789", 10);
        live.append("t", "a", "j", "new", "abcdefghij", 10);
        live.inner.lock().unwrap().hold_at_most(10);
        assert_eq!(live.take("t", "j", "old"), Some(Fresh { text: String::new(), skipped: 10 }));
        assert_eq!(live.take("t", "j", "new").unwrap().text, "abcdefghij");
        assert_eq!(live.inner.lock().unwrap().held, 0);
    }
}
