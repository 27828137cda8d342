//! `metric-gate`: the check between the batches of a gray release. It asks a
//! Prometheus-compatible server (through the `http` atom) for a value — the
//! new hosts' success rate, an error rate — and passes only if every series
//! clears a bar: an absolute threshold, the baseline's value with a tolerance,
//! or both. It decides only once there are enough samples, can require several
//! passing measurements in a row, and waits between them with `pending`, so no
//! worker is held. A breach fails the step (an `on_error: route` edge or a
//! batch's `max_failures` takes it from there) or, with `on_breach: report`,
//! answers `passed: false` for a `switch`.

mod prometheus;
mod verdict;

use std::collections::BTreeMap;

use scena_plugin::prelude::*;

use prometheus::Sample;
use verdict::{Judged, Measured, PassWhen, Rules, Verdict, judge};

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The server's base URL, e.g. `http://prometheus.internal:9090`; its host must be granted (`http`).
    pub prometheus: String,
    /// PromQL giving the value to judge (an instant vector or a scalar); every series must pass.
    pub query: String,
    /// `above`: the value must be at least the bar (a success rate); `below`: at most (an error rate).
    pub pass_when: PassWhen,
    /// An absolute bar.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// PromQL giving one baseline value (e.g. the hosts not yet updated); the bar is the baseline
    /// minus `tolerance` (`above`) or plus it (`below`). With `threshold` too, the stricter bar wins.
    #[serde(default)]
    pub baseline_query: Option<String>,
    #[serde(default)]
    pub tolerance: f64,
    /// PromQL giving how many samples (requests) the value rests on; with fewer than
    /// `min_samples`, the gate waits instead of deciding.
    #[serde(default)]
    pub samples_query: Option<String>,
    #[serde(default)]
    pub min_samples: f64,
    /// Passing measurements needed in a row (default 1); one breach decides at once.
    #[serde(default = "one")]
    pub measurements: u32,
    /// Between measurements, and between looks while undecided (milliseconds, default 10000).
    #[serde(default = "ten_seconds")]
    pub interval_ms: u32,
    /// Undecided looks allowed before the gate fails (default 30).
    #[serde(default = "thirty")]
    pub max_waits: u32,
    /// `fail` (default): a breach fails the step, giving the numbers. `report`: the step
    /// succeeds with `passed: false`.
    #[serde(default)]
    pub on_breach: OnBreach,
    /// Values put in place of `$name` in the queries (e.g. `host`, `window`): letters, digits and
    /// `_.:/-` only, so a value cannot change a query's shape.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Per query (milliseconds, default 10000).
    #[serde(default = "ten_seconds")]
    pub timeout_ms: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnBreach {
    #[default]
    Fail,
    Report,
}

fn one() -> u32 {
    1
}

fn ten_seconds() -> u32 {
    10_000
}

fn thirty() -> u32 {
    30
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub passed: bool,
    /// The worst series' value in the last measurement.
    pub value: f64,
    pub bar: f64,
    pub baseline: Option<f64>,
    pub samples: Option<f64>,
    /// Passing measurements made.
    pub measurements: u32,
    pub series: Vec<Sample>,
    /// The verdict in words.
    pub reason: String,
}

/// Between looks: the input, and how far the gate got.
#[derive(Debug, Serialize, Deserialize)]
struct Progress {
    input: Input,
    passes: u32,
    waits: u32,
}

impl Input {
    fn rules(&self) -> Rules {
        Rules {
            pass_when: self.pass_when,
            threshold: self.threshold,
            tolerance: self.tolerance,
            min_samples: self.min_samples,
        }
    }

    fn check(&self) -> Result<(), StepError> {
        if self.threshold.is_none() && self.baseline_query.is_none() {
            return Err(StepError::InvalidInput("give a `threshold`, a `baseline_query`, or both".into()));
        }
        if self.measurements == 0 {
            return Err(StepError::InvalidInput("`measurements` must be at least 1".into()));
        }
        if !(self.prometheus.starts_with("http://") || self.prometheus.starts_with("https://")) {
            return Err(StepError::InvalidInput(format!(
                "`prometheus` must be an http(s) URL, not `{}`",
                self.prometheus
            )));
        }
        for (name, value) in &self.vars {
            if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric() || "_.:/-".contains(c)) {
                return Err(StepError::InvalidInput(format!(
                    "the value of `${name}` must be letters, digits and `_.:/-` only, so it cannot change a query's shape: `{value}`"
                )));
            }
        }
        for query in
            [Some(&self.query), self.baseline_query.as_ref(), self.samples_query.as_ref()].into_iter().flatten()
        {
            self.fill(query)?;
        }
        Ok(())
    }

    /// `query` with each `$name` replaced by that var's value, in one pass (a
    /// value is never read for names); a `$name` with no var is refused.
    fn fill(&self, query: &str) -> Result<String, StepError> {
        let mut filled = String::with_capacity(query.len());
        let mut rest = query;
        while let Some(at) = rest.find('$') {
            filled.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            let name = &after[..end];
            let value = self.vars.get(name).ok_or_else(|| {
                StepError::InvalidInput(format!("the query uses `${name}`, which `vars` does not give: `{query}`"))
            })?;
            filled.push_str(value);
            rest = &after[end..];
        }
        filled.push_str(rest);
        Ok(filled)
    }

    fn measure(&self) -> Result<Measured, StepError> {
        let ask = |query: &str| prometheus::query(&self.prometheus, &self.fill(query)?, self.timeout_ms);
        let samples = match &self.samples_query {
            Some(query) => Some(ask(query)?.iter().map(|s| s.value).sum()),
            None => None,
        };
        let baseline = self.baseline_query.as_deref().map(ask).transpose()?;
        Ok(Measured { series: ask(&self.query)?, baseline, samples })
    }
}

fn look(mut progress: Progress) -> StepResult<Output> {
    let rules = progress.input.rules();
    let interval = progress.input.interval_ms.max(10);
    match judge(&rules, progress.input.measure()?)? {
        Verdict::Undecided(why) => {
            progress.waits += 1;
            // Passes count in a row: a look that could not decide breaks the streak.
            progress.passes = 0;
            if progress.waits > progress.input.max_waits {
                return Err(StepError::Fatal(format!("no decision after {} looks: {why}", progress.waits)));
            }
            log::info(&format!("undecided ({why}); looking again in {interval} ms"));
            pending(&progress, interval)
        }
        Verdict::Breach(judged) => {
            let reason = format!("breach: {}", judged.describe(&rules));
            log::warn(&reason);
            match progress.input.on_breach {
                OnBreach::Fail => {
                    Err(StepError::Fatal(format!("the gate `{}` failed: {reason}", progress.input.query)))
                }
                OnBreach::Report => done(output(false, judged, progress.passes, reason)),
            }
        }
        Verdict::Pass(judged) => {
            progress.passes += 1;
            let reason =
                format!("pass {} of {}: {}", progress.passes, progress.input.measurements, judged.describe(&rules));
            log::info(&reason);
            if progress.passes < progress.input.measurements {
                return pending(&progress, interval);
            }
            done(output(true, judged, progress.passes, reason))
        }
    }
}

fn output(passed: bool, judged: Judged, measurements: u32, reason: String) -> Output {
    let Judged { value, bar, baseline, samples, series } = judged;
    Output { passed, value, bar, baseline, samples, measurements, series, reason }
}

pub struct MetricGate;

impl Step for MetricGate {
    type Input = Input;
    type Output = Output;
    const NAME: &'static str = "metric-gate";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "Metric gate";
    const DESCRIPTION: &'static str = "Asks Prometheus for a value (a success or error rate) and passes only if it clears an absolute or baseline-relative bar with enough samples; fails (or reports) a breach.";
    const CATEGORY: &'static str = "ops";
    const CAPABILITIES: &'static [Capability] = &[Capability::Http, Capability::Log];

    fn run(_ctx: &Context, input: Input) -> StepResult<Output> {
        input.check()?;
        look(Progress { input, passes: 0, waits: 0 })
    }

    fn poll(_ctx: &Context, state: Value) -> StepResult<Output> {
        let progress: Progress =
            serde_json::from_value(state).map_err(|e| StepError::Fatal(format!("unreadable pending state: {e}")))?;
        look(progress)
    }
}

export_step!(MetricGate);
