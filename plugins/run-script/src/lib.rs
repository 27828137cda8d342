//! `run-script`: runs a script on hosts through their agents (`job`), then
//! waits without holding a worker — it returns `pending` and checks the job
//! again in `poll` until every host ended. A retried step finds the job it
//! started (same idempotency key): the script never runs twice. With `at`,
//! the hosts start it together at that instant.

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
    /// Per-host deadline in milliseconds (default 60000), counted from `at` if given.
    #[serde(default)]
    pub timeout_ms: Option<u32>,
    /// An RFC 3339 instant (at most 24 hours ahead) at which every host starts
    /// the script together: the agents get it now and hold it ready until
    /// then. Empty or absent: at once.
    #[serde(default)]
    pub at: Option<String>,
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

pub struct RunScript;

impl Step for RunScript {
    type Input = Input;
    type Output = job::JobOutcome;
    const NAME: &'static str = "run-script";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "Run a script";
    const DESCRIPTION: &'static str =
        "Runs a script on hosts through their agents and waits until every host ended; fails if any failed.";
    const CATEGORY: &'static str = "ops";
    const CAPABILITIES: &'static [Capability] = &[Capability::Job];

    fn run(ctx: &Context, input: Input) -> StepResult<job::JobOutcome> {
        if input.hosts.is_empty() {
            if !input.allow_no_hosts {
                let why = "no hosts to run the script on (set `allow_no_hosts` if that is fine)";
                return Err(StepError::InvalidInput(why.into()));
            }
            return done(job::JobOutcome::no_hosts());
        }
        let spec = job::JobSpec {
            hosts: input.hosts,
            script: input.script,
            interpreter: input.interpreter.unwrap_or_else(|| "sh".into()),
            account: input.account,
            timeout_ms: input.timeout_ms.unwrap_or(60_000),
            idempotency_key: ctx.idempotency_key.clone(),
        };
        let job = match input.at.as_deref() {
            Some(at) if !at.is_empty() => job::start_at(&spec, at)?,
            _ => job::start(&spec)?,
        };
        let poll_ms = input.poll_ms.unwrap_or(1000).max(50);
        job::Waiting { job, poll_ms, allow_failures: input.allow_failures, work: "the script".into() }.check()
    }

    fn poll(_ctx: &Context, state: Value) -> StepResult<job::JobOutcome> {
        job::Waiting::resume(state)?.check()
    }
}

export_step!(RunScript);
