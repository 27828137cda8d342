//! `job`: scripts on hosts, run by the agents serving them (`agents/`). A
//! job names host ids of the inventory; each must be granted to the calling
//! plugin (the `hosts` grant) or the job is `denied` naming the host. A job
//! is durable (`store::agents`), and starting it again with the same
//! idempotency key returns the same job, so a retried step never runs the
//! script twice. Hosts whose agent is not connected fail at once, saying so;
//! in a cluster, a task for an agent connected to another node goes through it.
//! `push-file` is a job too: each agent fetches one of the tenant's files
//! (`store::files`), checks its sha256 and puts it in place. `start-at` sends
//! the tasks at once for the agents to hold until an instant (`agents::gate`).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::log::{LogLevel, LogSource};
use super::{AtomCall, AtomResult};
use crate::agents::placer::placement_path_problem;
use crate::agents::protocol::{ScriptTask, ToAgent};
use crate::agents::runner::INTERPRETERS;
use crate::agents::{AgentPost, Whereabouts};
use crate::bindings::scena::plugin::job as wit_job;
use crate::bindings::wit::AtomError;
use crate::store::{AgentStore, FileStore, JobHost};

/// What the `job` atom needs on the server.
#[derive(Clone)]
pub struct JobServices {
    /// The way to the agents, wherever in the cluster they are connected.
    pub agents: Arc<AgentPost>,
    pub store: AgentStore,
    /// The tenants' files `push-file` places.
    pub files: FileStore,
}

const MAX_HOSTS: usize = 1_000;
const MAX_SCRIPT: usize = 256 << 10;
const MAX_TIMEOUT_MS: u32 = 24 * 3600 * 1000;
/// How far ahead `start-at` may name its instant: agents hold the scripts that long.
const MAX_AHEAD: Duration = Duration::from_secs(24 * 3600);
/// How long after a job's timeout its hosts' outcomes may still come: the
/// agent stops a task at its timeout and reports at once, so only an agent
/// that cannot (too old for the task's kind, or stuck) is this late.
const REPORT_GRACE: Duration = Duration::from_secs(30);

fn state(text: &str) -> wit_job::JobState {
    match text {
        "queued" => wit_job::JobState::Queued,
        "running" => wit_job::JobState::Running,
        "succeeded" => wit_job::JobState::Succeeded,
        "cancelled" => wit_job::JobState::Cancelled,
        _ => wit_job::JobState::Failed,
    }
}

/// A job's state from its hosts': running while any runs; then cancelled if
/// any was, failed if any failed, else succeeded.
pub fn overall(hosts: &[JobHost]) -> &'static str {
    let any = |s: &str| hosts.iter().any(|h| h.state == s);
    if any("queued") || any("running") {
        "running"
    } else if any("cancelled") {
        "cancelled"
    } else if any("failed") {
        "failed"
    } else {
        "succeeded"
    }
}

/// The instant `start-at` names, in milliseconds since the epoch; `None` if
/// it has passed already (the job starts at once, as `start` would).
fn start_instant(at: &str) -> Result<Option<u64>, AtomError> {
    let at_ms = chrono::DateTime::parse_from_rfc3339(at)
        .map_err(|e| AtomError::Invalid(format!("`{at}` is not an RFC 3339 instant: {e}")))?
        .timestamp_millis();
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as i64;
    if at_ms - now_ms > MAX_AHEAD.as_millis() as i64 {
        return Err(AtomError::Invalid(format!(
            "`{at}` is more than {} hours ahead: start the job closer to its instant (a flow waits until then)",
            MAX_AHEAD.as_secs() / 3600
        )));
    }
    Ok((at_ms > now_ms).then_some(at_ms as u64))
}

fn failed(e: anyhow::Error) -> AtomError {
    AtomError::Failed(format!("the job store failed: {e}"))
}

impl AtomCall {
    fn jobs(&self) -> Result<JobServices, AtomError> {
        self.services
            .jobs
            .clone()
            .ok_or_else(|| AtomError::Unavailable("the job atom has no agents in this runtime".into()))
    }

    /// The idempotency key a job is started under: the one given, else the call's.
    fn job_key<'a>(&'a self, given: &'a str) -> &'a str {
        if given.is_empty() { &self.idempotency_key } else { given }
    }

    /// The job already started under `key`, if any: a retried step gets it
    /// back before anything is checked again (its file may have been
    /// replaced since); a job of another kind under the same key is refused.
    async fn started_before(&self, key: &str, pushes_a_file: bool) -> Result<Option<String>, AtomError> {
        let Some((job, spec)) = self.jobs()?.store.job_of_key(&self.scope.tenant, key).await.map_err(failed)? else {
            return Ok(None);
        };
        let spec: serde_json::Value = serde_json::from_str(&spec).unwrap_or_default();
        if spec.get("push_file").is_some() != pushes_a_file {
            let (this, that) = if pushes_a_file { ("file push", "script") } else { ("script", "file push") };
            return Err(AtomError::Invalid(format!(
                "idempotency key `{key}` started a {that} job already: a {this} needs a key of its own"
            )));
        }
        Ok(Some(job))
    }

    /// `at`: the instant the scripts begin together (`start-at`), else at once.
    async fn job_start(&self, spec: &wit_job::JobSpec, at: Option<&str>) -> Result<String, AtomError> {
        if let Some(job) = self.started_before(self.job_key(&spec.idempotency_key), false).await? {
            return Ok(job);
        }
        let at_ms = at.map(start_instant).transpose()?.flatten();
        if spec.script.len() > MAX_SCRIPT {
            return Err(AtomError::Invalid(format!("a script has at most {MAX_SCRIPT} bytes")));
        }
        if !INTERPRETERS.contains(&spec.interpreter.as_str()) {
            return Err(AtomError::Invalid(format!(
                "interpreter `{}` is not one of {}",
                spec.interpreter,
                INTERPRETERS.join(", ")
            )));
        }
        let spec_text = serde_json::json!({
            "hosts": spec.hosts, "script": spec.script, "interpreter": spec.interpreter,
            "account": spec.account, "timeout_ms": spec.timeout_ms, "at_ms": at_ms,
        });
        let run = |job: &str, host: &str| {
            let task = ScriptTask {
                job: job.to_string(),
                host: host.to_string(),
                script: spec.script.clone(),
                interpreter: spec.interpreter.clone(),
                account: spec.account.clone(),
                timeout_ms: spec.timeout_ms.into(),
            };
            match at_ms {
                Some(at_ms) => ToAgent::RunAt { task, at_ms },
                None => ToAgent::Run(task),
            }
        };
        self.launch(&spec.hosts, spec.timeout_ms, &spec.idempotency_key, spec_text, None, run).await
    }

    async fn job_push_file(&self, spec: &wit_job::FileSpec) -> Result<String, AtomError> {
        if let Some(job) = self.started_before(self.job_key(&spec.idempotency_key), true).await? {
            return Ok(job);
        }
        let jobs = self.jobs()?;
        if let Some(problem) = placement_path_problem(&spec.path) {
            return Err(AtomError::Invalid(problem));
        }
        if spec.mode > 0o7777 {
            return Err(AtomError::Invalid(format!("mode {:o} is not permission bits (at most 0o7777)", spec.mode)));
        }
        let file =
            jobs.files.get(&self.scope.tenant, &spec.file).await.map_err(failed)?.ok_or_else(|| {
                AtomError::Invalid(format!("the tenant has no file `{}` (upload it first)", spec.file))
            })?;
        if !spec.sha256.is_empty() && !spec.sha256.eq_ignore_ascii_case(&file.sha256) {
            return Err(AtomError::Invalid(format!(
                "file `{}` has sha256 {}, not the {} the step expects (it was replaced since?)",
                spec.file, file.sha256, spec.sha256
            )));
        }
        let size = u64::try_from(file.size_bytes).unwrap_or_default();
        let spec_text = serde_json::json!({
            "hosts": spec.hosts, "push_file": spec.file, "sha256": file.sha256, "size": size,
            "path": spec.path, "mode": spec.mode, "account": spec.account, "timeout_ms": spec.timeout_ms,
        });
        let place = |job: &str, host: &str| ToAgent::Place {
            job: job.to_string(),
            host: host.to_string(),
            sha256: file.sha256.clone(),
            size,
            path: spec.path.clone(),
            mode: spec.mode,
            account: spec.account.clone(),
            timeout_ms: spec.timeout_ms.into(),
        };
        let pinned = Some((spec.file.as_str(), file.sha256.as_str()));
        self.launch(&spec.hosts, spec.timeout_ms, &spec.idempotency_key, spec_text, pinned, place).await
    }

    /// Start a job on `hosts`, each sent what `message` makes for it: every
    /// host checked against the grant first, the job stored under its
    /// idempotency key (an existing one is returned as it is), then sent.
    /// A job placing a file's content (`pinned`: the file and its sha256)
    /// keeps it from being collected from its creation on; content collected
    /// before (the file replaced at that moment) fails its hosts, saying so.
    async fn launch(
        &self,
        hosts: &[String],
        timeout_ms: u32,
        idempotency_key: &str,
        spec: serde_json::Value,
        pinned: Option<(&str, &str)>,
        message: impl Fn(&str, &str) -> ToAgent,
    ) -> Result<String, AtomError> {
        let jobs = self.jobs()?;
        let inventory = self.inventory()?;
        if hosts.is_empty() || hosts.len() > MAX_HOSTS {
            return Err(AtomError::Invalid(format!("a job runs on 1 to {MAX_HOSTS} hosts, not {}", hosts.len())));
        }
        if timeout_ms == 0 || timeout_ms > MAX_TIMEOUT_MS {
            return Err(AtomError::Invalid(format!("timeout-ms is 1 to {MAX_TIMEOUT_MS}")));
        }
        let tenant = &self.scope.tenant;
        let mut agents = Vec::with_capacity(hosts.len());
        for id in hosts {
            let host = inventory.get(tenant, id).await.map_err(failed)?;
            match host.filter(|h| self.grants.hosts.admits(h)) {
                Some(host) => agents.push((id.clone(), host.agent)),
                None => {
                    return Err(AtomError::Denied(format!(
                        "host `{id}` is not granted to plugin `{}` (or is not in the inventory)",
                        self.scope.plugin
                    )));
                }
            }
        }
        let key = self.job_key(idempotency_key);
        let names: Vec<&str> = agents.iter().filter_map(|(_, agent)| agent.as_deref()).collect();
        let whereabouts = jobs.agents.whereabouts_of(tenant, &names).await.map_err(failed)?;
        let connected = |agent: &Option<String>| {
            agent.as_ref().is_some_and(|a| whereabouts.get(a).is_some_and(|w| *w != Whereabouts::Nowhere))
        };
        // Hosts with no agent connected fail with the job's creation, so none
        // is left queued if what follows goes wrong.
        let (online, offline): (Vec<_>, Vec<_>) = agents.into_iter().partition(|(_, agent)| connected(agent));
        let offline: Vec<String> = offline.into_iter().map(|(host, _)| host).collect();
        let (job, created) =
            jobs.store.create_job(tenant, key, &spec.to_string(), hosts, &offline).await.map_err(failed)?;
        if !created {
            return Ok(job);
        }
        if let Some((file, sha256)) = pinned
            && !jobs.files.content_kept(sha256).await.map_err(failed)?
        {
            let why =
                format!("file `{file}` was replaced or deleted as the job started, and its content {sha256} is gone");
            let failed_hosts: Vec<(String, String)> = online.into_iter().map(|(host, _)| (host, why.clone())).collect();
            jobs.store.record_dispatch(tenant, &job, &[], &failed_hosts).await.map_err(failed)?;
            return Ok(job);
        }
        // Every agent is sent its task before the hosts' states are written:
        // the hosts of one job start together (a mass stop at one instant), not
        // a write apart.
        let tasks = online
            .into_iter()
            .filter_map(|(host, agent)| Some((agent?, host.clone(), message(&job, &host))))
            .collect::<Vec<_>>();
        let all: Vec<String> = tasks.iter().map(|(_, host, _)| host.clone()).collect();
        let unreachable = jobs.agents.send_all(tenant, tasks, &whereabouts).await;
        let sent: Vec<String> = all.into_iter().filter(|host| !unreachable.iter().any(|(h, _)| h == host)).collect();
        jobs.store.record_dispatch(tenant, &job, &sent, &unreachable).await.map_err(failed)?;
        Ok(job)
    }

    async fn job_status(&mut self, id: &str) -> Result<wit_job::JobStatus, AtomError> {
        let jobs = self.jobs()?;
        let tenant = &self.scope.tenant;
        let read_hosts = || async {
            jobs.store
                .job_hosts(tenant, id)
                .await
                .map_err(failed)?
                .ok_or_else(|| AtomError::Invalid(format!("no job `{id}` in this tenant")))
        };
        let mut hosts = read_hosts().await?;
        if overall(&hosts) == "running" {
            let overdue = jobs.store.fail_overdue_hosts(tenant, id, REPORT_GRACE).await.map_err(failed)?;
            if !overdue.is_empty() {
                // A stuck agent that is still connected stops the task too.
                let inventory = self.inventory()?;
                for host in &overdue {
                    if let Some(agent) = inventory.get(tenant, host).await.map_err(failed)?.and_then(|h| h.agent) {
                        jobs.agents.send(tenant, &agent, host, ToAgent::Cancel { job: id.to_string() }).await;
                    }
                }
                hosts = read_hosts().await?;
            }
        }
        // What the scripts printed since the step last looked goes into this
        // call's log: kept here, or relayed by the nodes their agents are connected to.
        // (Relayed first: if that fails, what is kept here stays for the next look.)
        let mut printed = jobs.agents.take_relayed_output(tenant, id).await.map_err(failed)?;
        printed.retain(|(host, _, _)| hosts.iter().any(|h| h.host == *host));
        for host in &hosts {
            if let Some(fresh) = jobs.agents.live().take(tenant, id, &host.host) {
                printed.push((host.host.clone(), fresh.text, fresh.skipped));
            }
        }
        for (host, text, skipped) in printed {
            if skipped > 0 {
                let note = format!("{host}: … {skipped} bytes of output not shown");
                self.log.push(LogLevel::Warn, LogSource::Job, &note);
            }
            for line in text.lines() {
                self.log.push(LogLevel::Info, LogSource::Job, &format!("{host}: {line}"));
            }
        }
        Ok(wit_job::JobStatus {
            id: id.to_string(),
            state: state(overall(&hosts)),
            hosts: hosts
                .into_iter()
                .map(|h| wit_job::HostResult {
                    state: state(&h.state),
                    host: h.host,
                    exit_code: h.exit_code,
                    output_tail: h.output_tail,
                })
                .collect(),
        })
    }

    async fn job_cancel(&self, id: &str) -> Result<(), AtomError> {
        let jobs = self.jobs()?;
        let inventory = self.inventory()?;
        let tenant = &self.scope.tenant;
        let hosts = jobs
            .store
            .job_hosts(tenant, id)
            .await
            .map_err(failed)?
            .ok_or_else(|| AtomError::Invalid(format!("no job `{id}` in this tenant")))?;
        // Recorded first: an agent whose connection dies with the cancel in
        // it is told again when it comes back.
        jobs.store.request_cancel(tenant, id).await.map_err(failed)?;
        for host in hosts.iter().filter(|h| h.state == "running" || h.state == "queued") {
            let agent = inventory.get(tenant, &host.host).await.map_err(failed)?.and_then(|h| h.agent);
            let told = match agent {
                Some(agent) => {
                    jobs.agents.send(tenant, &agent, &host.host, ToAgent::Cancel { job: id.to_string() }).await
                }
                None => false,
            };
            if !told {
                jobs.store.set_job_host(tenant, id, &host.host, "cancelled", None, "").await.map_err(failed)?;
            }
        }
        Ok(())
    }
}

impl wit_job::Host for AtomCall {
    async fn start(&mut self, spec: wit_job::JobSpec) -> AtomResult<String> {
        let result = self.job_start(&spec, None).await;
        self.record("job", format!("start {} on {} hosts", spec.interpreter, spec.hosts.len()), &result);
        Ok(result)
    }

    async fn start_at(&mut self, spec: wit_job::JobSpec, at: String) -> AtomResult<String> {
        let result = self.job_start(&spec, Some(&at)).await;
        self.record("job", format!("start {} on {} hosts at {at}", spec.interpreter, spec.hosts.len()), &result);
        Ok(result)
    }

    async fn status(&mut self, id: String) -> AtomResult<wit_job::JobStatus> {
        let result = self.job_status(&id).await;
        self.record("job", format!("status {id}"), &result);
        Ok(result)
    }

    async fn cancel(&mut self, id: String) -> AtomResult<()> {
        let result = self.job_cancel(&id).await;
        self.record("job", format!("cancel {id}"), &result);
        Ok(result)
    }

    async fn push_file(&mut self, spec: wit_job::FileSpec) -> AtomResult<String> {
        let result = self.job_push_file(&spec).await;
        self.record("job", format!("push-file {} to {} on {} hosts", spec.file, spec.path, spec.hosts.len()), &result);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(at: &str) -> String {
        match start_instant(at) {
            Err(AtomError::Invalid(why)) => why,
            other => panic!("`{at}` gave {other:?}"),
        }
    }

    #[test]
    fn start_at_takes_an_instant_within_a_day_ahead_and_one_past_as_now() {
        assert!(invalid("at noon").contains("is not an RFC 3339 instant"));
        let in_25_hours = chrono::Utc::now() + chrono::Duration::hours(25);
        assert!(invalid(&in_25_hours.to_rfc3339()).contains("more than 24 hours ahead"));
        assert_eq!(start_instant("2020-01-01T00:00:00Z").unwrap(), None, "past: at once");
        let soon = chrono::Utc::now() + chrono::Duration::minutes(5);
        let in_paris = soon.with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap()).to_rfc3339();
        assert_eq!(start_instant(&in_paris).unwrap(), Some(soon.timestamp_millis() as u64), "{in_paris}");
    }
}
