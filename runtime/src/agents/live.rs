//! What running scripts print, on its way into their steps' logs. An agent
//! streams a script's output as it comes (`FromAgent::Output`); the server
//! keeps the last bytes of it for each host of a running job — for the agent
//! the script was sent to only — and every `job.status` call of the step
//! takes what is new into that call's log. In memory: in a cluster, the node
//! the agent is connected to (the one that sent the job) has it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The bytes of a host's output kept between two looks.
pub const LIVE_OUTPUT_BYTES: usize = 16 << 10;

/// Output nobody looked at for this long (its step was cancelled, say) is forgotten.
const FORGOTTEN_AFTER: Duration = Duration::from_secs(3600);

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
    streams: Mutex<HashMap<Key, Stream>>,
}

fn key(tenant: &str, job: &str, host: &str) -> Key {
    (tenant.to_string(), job.to_string(), host.to_string())
}

impl LiveOutput {
    /// `job`'s script was sent to `agent` for `host`: take its output from that agent.
    pub fn expect(&self, tenant: &str, job: &str, host: &str, agent: &str) {
        let mut streams = self.streams.lock().expect("live output lock");
        streams.retain(|_, stream| stream.touched.elapsed() < FORGOTTEN_AFTER);
        let stream = Stream {
            agent: agent.to_string(),
            text: String::new(),
            total: 0,
            taken: 0,
            ended: false,
            touched: Instant::now(),
        };
        streams.insert(key(tenant, job, host), stream);
    }

    /// Output `agent` reported; ignored unless the script was sent to that agent.
    pub fn append(&self, tenant: &str, agent: &str, job: &str, host: &str, text: &str, total: u64) {
        let mut streams = self.streams.lock().expect("live output lock");
        let Some(stream) = streams.get_mut(&key(tenant, job, host)).filter(|s| s.agent == agent && !s.ended) else {
            return;
        };
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
    }

    /// The script ended (its outcome is stored): the next look takes the rest and forgets it.
    pub fn ended(&self, tenant: &str, job: &str, host: &str) {
        if let Some(stream) = self.streams.lock().expect("live output lock").get_mut(&key(tenant, job, host)) {
            stream.ended = true;
        }
    }

    /// What `host` printed for `job` since the last look, if anything.
    pub fn take(&self, tenant: &str, job: &str, host: &str) -> Option<Fresh> {
        let mut streams = self.streams.lock().expect("live output lock");
        let key = key(tenant, job, host);
        let stream = streams.get_mut(&key)?;
        let new = stream.total.saturating_sub(stream.taken);
        let kept = stream.text.len() as u64;
        let fresh = (new > 0 && kept > 0)
            .then(|| Fresh { text: std::mem::take(&mut stream.text), skipped: new.saturating_sub(kept) });
        stream.taken = stream.total;
        stream.touched = Instant::now();
        if stream.ended {
            streams.remove(&key);
        }
        fresh
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
        live.ended("t", "j", "h");
        assert_eq!(live.take("t", "j", "h").unwrap().text, "last\n");
        assert_eq!(live.take("t", "j", "h"), None, "forgotten once ended and taken");
        live.append("t", "a1", "j", "unexpected", "x\n", 2);
        assert_eq!(live.take("t", "j", "unexpected"), None, "only scripts sent to an agent are taken");
    }
}
