//! `push-file`: places one of the tenant's files on hosts through their
//! agents (`job.push-file`): each agent fetches it, checks its sha256 and
//! renames it into place, so a host has the old file or the new one, never
//! half of one. Then it waits like `run-script`, without holding a worker.
//! A retried step finds the job it started (same idempotency key).

use scena_plugin::prelude::*;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Host ids from the inventory (e.g. `${steps.find.output.ids}`).
    pub hosts: Vec<String>,
    /// The name of a file uploaded to the tenant's files.
    #[schemars(extend("x-scena-picker" = "tenant-file"))]
    pub file: String,
    /// The sha256 the file must have (hex): pins the content the flow was tested with. Empty: whatever it has now.
    #[serde(default)]
    #[schemars(extend("x-scena-sha256-of" = "file"))]
    pub sha256: String,
    /// Absolute path on each host; missing parent directories are made.
    pub path: String,
    /// Permission bits as octal text, e.g. `644` (default) or `755`.
    #[serde(default)]
    pub mode: Option<String>,
    /// The OS account to own the file; empty: the agent's own.
    #[serde(default)]
    pub account: String,
    /// Per-host deadline in milliseconds, fetching and writing (default 60000).
    #[serde(default)]
    pub timeout_ms: Option<u32>,
    /// How often to check the job, in milliseconds (default 1000).
    #[serde(default)]
    pub poll_ms: Option<u32>,
    /// Succeed even if some hosts failed (their results say which).
    #[serde(default)]
    pub allow_failures: bool,
    /// An empty `hosts` succeeds at once, placing nothing; without it, an empty list fails the step.
    #[serde(default)]
    pub allow_no_hosts: bool,
}

fn mode_bits(mode: Option<&str>) -> Result<u32, StepError> {
    let text = mode.unwrap_or("644");
    let digits = text.strip_prefix("0o").unwrap_or(text);
    match u32::from_str_radix(digits, 8) {
        Ok(bits) if bits <= 0o7777 && !digits.is_empty() => Ok(bits),
        _ => Err(StepError::InvalidInput(format!("mode `{text}` is not octal permission bits such as 644 or 0755"))),
    }
}

pub struct PushFile;

impl Step for PushFile {
    type Input = Input;
    type Output = job::JobOutcome;
    const NAME: &'static str = "push-file";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "Push a file";
    const DESCRIPTION: &'static str = "Places one of the tenant's files on hosts through their agents, checked by sha256 and renamed into place; waits until every host ended and fails if any failed.";
    const CATEGORY: &'static str = "ops";
    const CAPABILITIES: &'static [Capability] = &[Capability::Job];

    fn run(ctx: &Context, input: Input) -> StepResult<job::JobOutcome> {
        let mode = mode_bits(input.mode.as_deref())?;
        if input.hosts.is_empty() {
            if !input.allow_no_hosts {
                let why = "no hosts to place the file on (set `allow_no_hosts` if that is fine)";
                return Err(StepError::InvalidInput(why.into()));
            }
            return done(job::JobOutcome::no_hosts());
        }
        let spec = job::FileSpec {
            hosts: input.hosts,
            file: input.file,
            sha256: input.sha256,
            path: input.path,
            mode,
            account: input.account,
            timeout_ms: input.timeout_ms.unwrap_or(60_000),
            idempotency_key: ctx.idempotency_key.clone(),
        };
        let job = job::push_file(&spec)?;
        let poll_ms = input.poll_ms.unwrap_or(1000).max(50);
        job::Waiting { job, poll_ms, allow_failures: input.allow_failures, work: "placing the file".into() }.check()
    }

    fn poll(_ctx: &Context, state: Value) -> StepResult<job::JobOutcome> {
        job::Waiting::resume(state)?.check()
    }
}

export_step!(PushFile);
