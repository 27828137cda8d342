//! The agent's side (`scena agent`): enrol once with a tenant's enrolment
//! token (the credential it gets is kept in its state dir, mode 0600), then
//! keep one outbound WebSocket to the server — reconnecting with back-off —
//! and run what it is sent. An outcome is kept until the server acknowledges
//! it, and sent again after a reconnection: a script that ended while the
//! connection was down still reports, and is never run twice.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::leftovers::Leftovers;
use super::protocol::{Ended, FromAgent, ScriptTask, ToAgent};
use super::{placer, runner};

/// What an agent keeps between runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Enrolled {
    pub server: String,
    pub tenant: String,
    pub agent: String,
    pub credential: String,
}

/// What enrolling sends about this host.
pub struct HostFacts {
    pub id: String,
    pub hostname: String,
    pub ip: String,
    pub labels: BTreeMap<String, String>,
}

fn state_file(dir: &Path) -> PathBuf {
    dir.join("agent.json")
}

pub fn load(dir: &Path) -> Option<Enrolled> {
    serde_json::from_str(&std::fs::read_to_string(state_file(dir)).ok()?).ok()
}

/// Enrol with `token` and keep the credential in `dir`.
pub async fn enrol(server: &str, token: &str, facts: &HostFacts, dir: &Path) -> anyhow::Result<Enrolled> {
    let body = serde_json::json!({
        "token": token, "id": facts.id, "hostname": facts.hostname, "ip": facts.ip, "labels": facts.labels,
    });
    let response = crate::tls::client()
        .post(format!("{}/api/v1/agents/enrol", server.trim_end_matches('/')))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        let refusal = format!("enrolment refused ({status}): {text}");
        // A bad, expired or revoked token; a proxy's 404 or 429 is worth trying again.
        let refused = matches!(status.as_u16(), 400 | 401 | 403 | 422);
        return Err(if refused { NotAdmitted(refusal).into() } else { anyhow::anyhow!(refusal) });
    }
    let answer: serde_json::Value = serde_json::from_str(&text)?;
    let enrolled = Enrolled {
        server: server.trim_end_matches('/').to_string(),
        tenant: answer["tenant"].as_str().unwrap_or_default().to_string(),
        agent: answer["agent"].as_str().unwrap_or_default().to_string(),
        credential: answer["credential"].as_str().unwrap_or_default().to_string(),
    };
    std::fs::create_dir_all(dir)?;
    crate::store::write_private(&state_file(dir), &serde_json::to_string(&enrolled)?)?;
    Ok(enrolled)
}

/// Outcomes not yet acknowledged, by (job, host).
type Unacknowledged = Arc<Mutex<HashMap<(String, String), FromAgent>>>;

/// How much reported output may wait for a slow or lost connection, however
/// many scripts print it: what a loud script can make the agent hold.
const OUTPUT_QUEUE_BYTES: usize = 2 << 20;

/// Where running scripts' reports of output wait for the connection, bounded
/// by their bytes: a report that would pass the bound is dropped (the server
/// counts what it missed from the totals; the outcome's tail still comes).
#[derive(Clone)]
struct OutputQueue {
    tx: mpsc::UnboundedSender<FromAgent>,
    queued: Arc<AtomicUsize>,
}

impl OutputQueue {
    fn offer(&self, job: String, host: String, text: String, total: u64) {
        let size = text.len();
        if self.queued.fetch_add(size, Ordering::SeqCst) + size > OUTPUT_QUEUE_BYTES
            || self.tx.send(FromAgent::Output { job, host, text, total }).is_err()
        {
            self.queued.fetch_sub(size, Ordering::SeqCst);
        }
    }

    /// `output` left the queue.
    fn taken(&self, output: &FromAgent) {
        if let FromAgent::Output { text, .. } = output {
            self.queued.fetch_sub(text.len(), Ordering::SeqCst);
        }
    }
}

/// What the tasks give the connection to send: outcomes, and output as it comes.
struct Outbox {
    done_rx: mpsc::UnboundedReceiver<FromAgent>,
    output: OutputQueue,
    output_rx: mpsc::UnboundedReceiver<FromAgent>,
}

/// The tasks the server sent (scripts, files to place): those running, by
/// job, with the switch that cancels each, and the outcomes not yet acknowledged.
struct Tasks {
    running: Arc<Mutex<HashMap<String, watch::Sender<bool>>>>,
    pending: Unacknowledged,
    done_tx: mpsc::UnboundedSender<FromAgent>,
    /// The records of running scripts a killed agent's next life acts on.
    leftovers: Leftovers,
}

impl Tasks {
    /// Run `task` for `job` on `host` on a task of its own, cancellable by
    /// job; its outcome is kept until acknowledged and sent.
    fn start<F, Fut>(&self, job: String, host: String, task: F)
    where
        F: FnOnce(watch::Receiver<bool>) -> Fut,
        Fut: Future<Output = runner::Outcome> + Send + 'static,
    {
        let (cancel, cancelled) = watch::channel(false);
        self.running.lock().expect("running lock").insert(job.clone(), cancel);
        let (done_tx, running, pending) = (self.done_tx.clone(), self.running.clone(), self.pending.clone());
        let task = task(cancelled);
        tokio::spawn(async move {
            let outcome = task.await;
            let done = FromAgent::Done {
                job: job.clone(),
                host: host.clone(),
                ended: outcome.ended,
                exit_code: outcome.exit_code,
                output_tail: outcome.output_tail,
                reason: outcome.reason,
            };
            // Kept until acknowledged, whether or not a connection is up now;
            // and kept before the job stops counting as running.
            pending.lock().expect("pending lock").insert((job.clone(), host), done.clone());
            running.lock().expect("running lock").remove(&job);
            let _ = done_tx.send(done);
        });
    }

    fn cancel(&self, job: &str) {
        if let Some(cancel) = self.running.lock().expect("running lock").get(job) {
            let _ = cancel.send(true);
        }
    }
}

/// Run a script the server sent (`at`: held until then) on a task of its
/// own, reporting what it prints as it comes.
fn start_script(task: ScriptTask, at: Option<std::time::SystemTime>, tasks: &Tasks, outbox: &Outbox) {
    let ScriptTask { job, host, script, interpreter, account, timeout_ms } = task;
    let report: runner::Report = {
        let (output, job, host) = (outbox.output.clone(), job.clone(), host.clone());
        Arc::new(move |text, total| output.offer(job.clone(), host.clone(), text, total))
    };
    let (leftovers, job_id) = (tasks.leftovers.clone(), job.clone());
    leftovers.begin(&job_id);
    tasks.start(job, host, move |cancelled| async move {
        let env = leftovers.environment(&job_id);
        let timeout = Duration::from_millis(timeout_ms);
        let script =
            runner::Script { text: &script, interpreter: &interpreter, account: &account, env: &env, timeout, at };
        let outcome = runner::run(script, cancelled, Some(report)).await;
        leftovers.end(&job_id);
        outcome
    });
}

/// A task message of a kind this agent does not know (sent by a newer
/// server): its job, host and kind, so it can fail instead of being waited for.
fn not_understood(text: &str) -> Option<(String, String, String)> {
    let message: serde_json::Value = serde_json::from_str(text).ok()?;
    let field = |name: &str| message.get(name)?.as_str().map(str::to_string);
    Some((field("job")?, field("host")?, field("type")?))
}

/// How long an agent waits before trying to connect again, the first time
/// after a connection that stayed up; each failed try doubles it, up to 30 s.
const FIRST_RETRY: Duration = Duration::from_millis(500);

/// A connection up this long was a real one: the back-off starts over after it.
const STAYED_UP: Duration = Duration::from_secs(10);

/// The wait before the next try: between half the back-off and all of it,
/// at random — a server that restarts is not met by every agent it had in
/// the same instant, nor again in lockstep at each doubling.
fn jittered(backoff: Duration) -> Duration {
    let random = (uuid::Uuid::new_v4().as_u128() >> 64) as u64;
    let fraction = random as f64 / u64::MAX as f64;
    backoff.mul_f64(0.5 + fraction / 2.0)
}

/// Stay connected and run what comes, until the process is stopped. What
/// the scripts of an earlier life of this agent (keeping its state in
/// `state_dir`) left running when it was killed is stopped first.
pub async fn serve(enrolled: &Enrolled, state_dir: &Path) -> anyhow::Result<()> {
    let leftovers = Leftovers::new(state_dir);
    let stopped = leftovers.stop();
    if stopped > 0 {
        eprintln!("scena agent: stopped {stopped} process(es) left running by the scripts it ran when it was killed");
    }
    let (done_tx, done_rx) = mpsc::unbounded_channel::<FromAgent>();
    let (output_tx, output_rx) = mpsc::unbounded_channel::<FromAgent>();
    let output = OutputQueue { tx: output_tx, queued: Arc::default() };
    let tasks = Tasks { running: Arc::default(), pending: Arc::default(), done_tx, leftovers };
    let mut outbox = Outbox { done_rx, output, output_rx };
    let http = crate::tls::client();
    let mut backoff = FIRST_RETRY;
    loop {
        let began = std::time::Instant::now();
        let ended = session(enrolled, &tasks, &mut outbox, &http).await;
        // A server restarted after days is found again in half a second, not in 30;
        // one that accepts and drops at once is not hammered.
        if began.elapsed() >= STAYED_UP {
            backoff = FIRST_RETRY;
        }
        match ended {
            Ok(Refused) => {
                return Err(NotAdmitted(
                    "the server refused this agent's credential (revoked?): to enrol again, remove its state dir and start it with --token".into(),
                )
                .into());
            }
            Err(e) => {
                let wait = jittered(backoff);
                eprintln!("scena agent: connection lost: {e}; again in {} ms", wait.as_millis());
                tokio::time::sleep(wait).await;
            }
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

struct Refused;

/// The server will not have this agent: its enrolment or its credential was
/// refused. Trying again as it is cannot help (`scena agent` exits with 3).
#[derive(Debug)]
pub struct NotAdmitted(pub String);

impl std::fmt::Display for NotAdmitted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotAdmitted {}

async fn session(
    enrolled: &Enrolled,
    tasks: &Tasks,
    outbox: &mut Outbox,
    http: &reqwest::Client,
) -> anyhow::Result<Refused> {
    let url = format!("{}/api/v1/agents/connect", enrolled.server.replacen("http", "ws", 1));
    let mut request = url.into_client_request()?;
    request.headers_mut().insert("authorization", format!("Bearer {}", enrolled.credential).parse()?);
    let (socket, _) = match tokio_tungstenite::connect_async(request).await {
        Ok(connected) => connected,
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) if response.status() == 401 => return Ok(Refused),
        Err(e) => return Err(e.into()),
    };
    eprintln!("scena agent: connected to {} as `{}` of tenant `{}`", enrolled.server, enrolled.agent, enrolled.tenant);
    let (mut sink, mut stream) = socket.split();
    // Running first, then ended: a script's outcome joins `pending` before its
    // job leaves `running`, so one that ends in between is seen in either.
    // A running job is for the one host this agent serves, whose id is the agent's.
    let mut held: Vec<(String, String)> =
        tasks.running.lock().expect("running lock").keys().map(|job| (job.clone(), enrolled.agent.clone())).collect();
    held.extend(tasks.pending.lock().expect("pending lock").keys().cloned());
    sink.send(Message::text(serde_json::to_string(&FromAgent::Holding { jobs: held })?)).await?;
    // What ended while the connection was down, first.
    let unsent: Vec<FromAgent> = tasks.pending.lock().expect("pending lock").values().cloned().collect();
    for message in unsent {
        sink.send(Message::text(serde_json::to_string(&message)?)).await?;
    }
    loop {
        tokio::select! {
            biased;
            incoming = stream.next() => {
                let Some(frame) = incoming else { anyhow::bail!("the server closed the connection") };
                match frame? {
                    Message::Text(text) => match serde_json::from_str::<ToAgent>(&text) {
                        Ok(ToAgent::Run(task)) => start_script(task, None, tasks, outbox),
                        Ok(ToAgent::RunAt { task, at_ms }) => {
                            let at = std::time::UNIX_EPOCH + Duration::from_millis(at_ms);
                            start_script(task, Some(at), tasks, outbox);
                        }
                        Ok(ToAgent::Place { job, host, sha256, size, path, mode, account, timeout_ms }) => {
                            let url = format!("{}/api/v1/agents/jobs/{job}/file", enrolled.server);
                            let (client, credential) = (http.clone(), enrolled.credential.clone());
                            let partial = placer::PartialFile::beside(&path);
                            let placement = placer::Placement { sha256, size, path, mode, account };
                            let timeout = Duration::from_millis(timeout_ms);
                            let (leftovers, job_id) = (tasks.leftovers.clone(), job.clone());
                            leftovers.begin_placing(&job_id, partial.path());
                            tasks.start(job, host, move |cancelled| async move {
                                let source = placer::Source { client: &client, url, credential: &credential };
                                let outcome = placer::place(source, &placement, partial, timeout, cancelled).await;
                                leftovers.end(&job_id);
                                outcome
                            });
                        }
                        Ok(ToAgent::Cancel { job }) => tasks.cancel(&job),
                        Ok(ToAgent::Ack { job, host }) => {
                            tasks.pending.lock().expect("pending lock").remove(&(job, host));
                        }
                        Err(e) => match not_understood(&text) {
                            // A task of a kind this agent is too old for fails, saying so, instead of being waited for.
                            Some((job, host, kind)) => tasks.start(job, host, move |_| async move {
                                runner::Outcome {
                                    ended: Ended::Failed, exit_code: None, output_tail: String::new(),
                                    reason: Some(format!("this agent does not understand `{kind}` tasks ({e}): upgrade it")),
                                }
                            }),
                            None => eprintln!("scena agent: ignoring a message it does not understand: {e}"),
                        },
                    },
                    Message::Close(_) => anyhow::bail!("the server closed the connection"),
                    _ => {}
                }
            }
            // Before outcomes: a script's last output is queued before its outcome.
            Some(output) = outbox.output_rx.recv() => {
                outbox.output.taken(&output);
                sink.send(Message::text(serde_json::to_string(&output)?)).await?;
            }
            Some(done) = outbox.done_rx.recv() => {
                sink.send(Message::text(serde_json::to_string(&done)?)).await?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_waiting_for_the_connection_is_bounded_by_bytes_however_many_scripts_report() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let queue = OutputQueue { tx, queued: Arc::default() };
        let report = "x".repeat(64 << 10);
        // A hundred scripts each reporting a full tail while the connection stalls: 32 of them fit.
        for script in 0..100 {
            queue.offer(format!("job-{script}"), "host".into(), report.clone(), 1);
        }
        let mut waiting = Vec::new();
        while let Ok(output) = rx.try_recv() {
            waiting.push(output);
        }
        assert_eq!(waiting.len(), OUTPUT_QUEUE_BYTES / report.len());
        // Once sent, their room is free again: small reports of quiet scripts are not starved.
        queue.offer("quiet".into(), "host".into(), "ok\n".into(), 3);
        assert!(rx.try_recv().is_err(), "the queue was full");
        for output in &waiting {
            queue.taken(output);
        }
        queue.offer("quiet".into(), "host".into(), "ok\n".into(), 3);
        assert!(matches!(rx.try_recv(), Ok(FromAgent::Output { text, .. }) if text == "ok\n"));
    }

    #[test]
    fn the_wait_before_reconnecting_is_spread_between_half_the_back_off_and_all_of_it() {
        let backoff = Duration::from_secs(8);
        let waits: Vec<Duration> = (0..200).map(|_| jittered(backoff)).collect();
        assert!(waits.iter().all(|w| *w >= backoff / 2 && *w <= backoff), "{waits:?}");
        let (low, high) = (waits.iter().min().unwrap(), waits.iter().max().unwrap());
        assert!(*high - *low > Duration::from_secs(2), "spread, not lockstep: {low:?}..{high:?}");
    }
}
