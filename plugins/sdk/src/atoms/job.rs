//! Work on hosts (capability `job`): scripts, and files placed (`push_file`).
//! Start in `run`, return `pending`, check in `poll` — [`Waiting`] does the
//! checking for a step that waits for every host to end.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::bindings::scena::plugin::job as raw;
use crate::step::{done, pending, StepResult};
use crate::{AtomError, StepError};

pub use raw::{FileSpec, HostResult, JobSpec, JobState, JobStatus};

pub fn start(spec: &JobSpec) -> Result<String, AtomError> {
    Ok(raw::start(spec)?)
}

/// Start a job whose scripts begin together at `at`, an RFC 3339 instant at
/// most 24 hours ahead (since WIT 0.1.2): the agents get it now and hold it
/// ready, so the hosts start within milliseconds of each other; the timeout
/// counts from `at`. An instant already past starts it at once.
pub fn start_at(spec: &JobSpec, at: &str) -> Result<String, AtomError> {
    Ok(raw::start_at(spec, at)?)
}

/// Start placing one of the tenant's files on hosts (since WIT 0.1.1).
pub fn push_file(spec: &FileSpec) -> Result<String, AtomError> {
    Ok(raw::push_file(spec)?)
}

pub fn status(id: &str) -> Result<JobStatus, AtomError> {
    Ok(raw::status(id)?)
}

pub fn cancel(id: &str) -> Result<(), AtomError> {
    Ok(raw::cancel(id)?)
}

pub fn state_name(state: JobState) -> &'static str {
    match state {
        JobState::Queued => "queued",
        JobState::Running => "running",
        JobState::Succeeded => "succeeded",
        JobState::Failed => "failed",
        JobState::Cancelled => "cancelled",
    }
}

/// How one host ended, as a step's output shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HostOutcome {
    pub host: String,
    pub state: String,
    pub exit_code: Option<i32>,
    /// The last 64 KiB of what it printed, or what was placed; a failure's reason last, in brackets.
    pub output: String,
}

/// How a job ended on every host.
#[derive(Debug, Serialize, JsonSchema)]
pub struct JobOutcome {
    pub job: String,
    pub state: String,
    pub succeeded: usize,
    pub failed: usize,
    pub hosts: Vec<HostOutcome>,
}

impl JobOutcome {
    /// The outcome of a job that had no host to run on.
    pub fn no_hosts() -> JobOutcome {
        JobOutcome { job: String::new(), state: "no hosts".into(), succeeded: 0, failed: 0, hosts: vec![] }
    }
}

/// What a step waiting for a job keeps between polls.
#[derive(Debug, Serialize, Deserialize)]
pub struct Waiting {
    pub job: String,
    pub poll_ms: u32,
    pub allow_failures: bool,
    /// What the job does, for the error naming the hosts it failed on ("the script", "placing the file").
    #[serde(default)]
    pub work: String,
}

impl Waiting {
    /// Pending again while any host runs; then the outcome — an error
    /// naming each host that did not succeed, unless failures are allowed.
    pub fn check(self) -> StepResult<JobOutcome> {
        let status = status(&self.job)?;
        if matches!(status.state, JobState::Queued | JobState::Running) {
            let after = self.poll_ms;
            return pending(&self, after);
        }
        let hosts: Vec<HostOutcome> = status
            .hosts
            .into_iter()
            .map(|h| HostOutcome {
                host: h.host,
                state: state_name(h.state).into(),
                exit_code: h.exit_code,
                output: h.output_tail,
            })
            .collect();
        let succeeded = hosts.iter().filter(|h| h.state == "succeeded").count();
        let failed = hosts.len() - succeeded;
        if failed > 0 && !self.allow_failures {
            let which: Vec<String> = hosts
                .iter()
                .filter(|h| h.state != "succeeded")
                .map(|h| {
                    let code = h.exit_code.map(|c| format!(", exit {c}")).unwrap_or_else(|| why(&h.output));
                    format!("{} ({}{code})", h.host, h.state)
                })
                .collect();
            let work = if self.work.is_empty() { "the job" } else { &self.work };
            return Err(StepError::Fatal(format!(
                "{work} failed on {failed} of {} hosts: {}",
                hosts.len(),
                which.join(", ")
            )));
        }
        done(JobOutcome { job: status.id, state: state_name(status.state).into(), succeeded, failed, hosts })
    }

    /// The state a step saved with `pending`, read back in `poll`.
    pub fn resume(state: serde_json::Value) -> Result<Waiting, StepError> {
        serde_json::from_value(state).map_err(|e| StepError::Fatal(format!("unreadable pending state: {e}")))
    }
}

/// Why a host ended with no exit code (lost, timed out, refused), from the
/// last line of what it kept: the agent or the server writes the reason there.
fn why(output: &str) -> String {
    let last = output.lines().rev().map(str::trim).find(|line| !line.is_empty()).unwrap_or_default();
    let reason = last.strip_prefix('[').and_then(|l| l.strip_suffix(']')).unwrap_or(last);
    if reason.is_empty() {
        String::new()
    } else {
        format!(": {}", reason.chars().take(200).collect::<String>())
    }
}
