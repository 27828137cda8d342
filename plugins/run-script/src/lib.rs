//! `run-script`: runs a script on hosts through their agents (`job`), then
//! waits without holding a worker — it returns `pending` and checks the job
//! again in `poll` until every host ended. A retried step finds the job it
//! started (same idempotency key): the script never runs twice.

use scena_plugin::prelude::*;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Host ids from the inventory (e.g. `${steps.find.output.ids}`).
    pub hosts: Vec<String>,
    pub script: String,
    /// `sh` (default), `bash`, `python3` or `perl`.
    #[serde(default)]
    pub interpreter: Option<String>,
    /// The OS account to run as; empty: the agent's own.
    #[serde(default)]
    pub account: String,
    /// Per-host deadline in milliseconds (default 60000).
    #[serde(default)]
    pub timeout_ms: Option<u32>,
    /// How often to check the job, in milliseconds (default 1000).
    #[serde(default)]
    pub poll_ms: Option<u32>,
    /// Succeed even if some hosts failed (their results say which).
    #[serde(default)]
    pub allow_failures: bool,
    /// An empty `hosts` succeeds at once, running nothing (a wave whose selector matched no host);
    /// without it, an empty list fails the step.
    #[serde(default)]
    pub allow_no_hosts: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct HostOutcome {
    pub host: String,
    pub state: String,
    pub exit_code: Option<i32>,
    pub output: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub job: String,
    pub state: String,
    pub succeeded: usize,
    pub failed: usize,
    pub hosts: Vec<HostOutcome>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Waiting {
    job: String,
    poll_ms: u32,
    allow_failures: bool,
}

fn name(state: job::JobState) -> &'static str {
    match state {
        job::JobState::Queued => "queued",
        job::JobState::Running => "running",
        job::JobState::Succeeded => "succeeded",
        job::JobState::Failed => "failed",
        job::JobState::Cancelled => "cancelled",
    }
}

fn check(waiting: Waiting) -> StepResult<Output> {
    let status = job::status(&waiting.job)?;
    if matches!(status.state, job::JobState::Queued | job::JobState::Running) {
        return pending(&waiting, waiting.poll_ms);
    }
    let hosts: Vec<HostOutcome> = status
        .hosts
        .into_iter()
        .map(|h| HostOutcome {
            host: h.host,
            state: name(h.state).into(),
            exit_code: h.exit_code,
            output: h.output_tail,
        })
        .collect();
    let succeeded = hosts.iter().filter(|h| h.state == "succeeded").count();
    let failed = hosts.len() - succeeded;
    if failed > 0 && !waiting.allow_failures {
        let which: Vec<String> = hosts
            .iter()
            .filter(|h| h.state != "succeeded")
            .map(|h| {
                format!(
                    "{} ({}{})",
                    h.host,
                    h.state,
                    h.exit_code.map(|c| format!(", exit {c}")).unwrap_or_else(|| why(&h.output))
                )
            })
            .collect();
        return Err(StepError::Fatal(format!(
            "the script failed on {failed} of {} hosts: {}",
            hosts.len(),
            which.join(", ")
        )));
    }
    done(Output { job: status.id, state: name(status.state).into(), succeeded, failed, hosts })
}

/// Why a host ended with no exit code (lost, timed out, refused), from the
/// last line of what it kept: the agent or the server writes the reason there.
fn why(output: &str) -> String {
    let last = output.lines().rev().map(str::trim).find(|line| !line.is_empty()).unwrap_or_default();
    let reason = last.strip_prefix('[').and_then(|l| l.strip_suffix(']')).unwrap_or(last);
    if reason.is_empty() { String::new() } else { format!(": {}", reason.chars().take(200).collect::<String>()) }
}

pub struct RunScript;

impl Step for RunScript {
    type Input = Input;
    type Output = Output;
    const NAME: &'static str = "run-script";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "Run a script";
    const DESCRIPTION: &'static str =
        "Runs a script on hosts through their agents and waits until every host ended; fails if any failed.";
    const CATEGORY: &'static str = "ops";
    const CAPABILITIES: &'static [Capability] = &[Capability::Job];

    fn run(ctx: &Context, input: Input) -> StepResult<Output> {
        if input.hosts.is_empty() {
            if !input.allow_no_hosts {
                let why = "no hosts to run the script on (set `allow_no_hosts` if that is fine)";
                return Err(StepError::InvalidInput(why.into()));
            }
            return done(Output {
                job: String::new(),
                state: "no hosts".into(),
                succeeded: 0,
                failed: 0,
                hosts: vec![],
            });
        }
        let spec = job::JobSpec {
            hosts: input.hosts,
            script: input.script,
            interpreter: input.interpreter.unwrap_or_else(|| "sh".into()),
            account: input.account,
            timeout_ms: input.timeout_ms.unwrap_or(60_000),
            idempotency_key: ctx.idempotency_key.clone(),
        };
        let job = job::start(&spec)?;
        check(Waiting { job, poll_ms: input.poll_ms.unwrap_or(1000).max(50), allow_failures: input.allow_failures })
    }

    fn poll(_ctx: &Context, state: Value) -> StepResult<Output> {
        let waiting: Waiting =
            serde_json::from_value(state).map_err(|e| StepError::Fatal(format!("unreadable pending state: {e}")))?;
        check(waiting)
    }
}

export_step!(RunScript);
