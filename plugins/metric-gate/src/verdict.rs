//! One measurement's verdict: the bar the value must clear (an absolute
//! threshold, a baseline with a tolerance, or the stricter of both), the worst
//! series against it, and "not decidable yet" while there are too few samples
//! or no data.

use scena_plugin::prelude::*;

use crate::prometheus::Sample;

/// Which side of the bar passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PassWhen {
    /// The value is at least the bar (a success rate).
    Above,
    /// The value is at most the bar (an error rate, a latency).
    Below,
}

/// What was measured, before it is judged.
pub struct Measured {
    pub series: Vec<Sample>,
    pub baseline: Option<Vec<Sample>>,
    /// The sum of the samples query's series, if one was given.
    pub samples: Option<f64>,
}

pub struct Rules {
    pub pass_when: PassWhen,
    pub threshold: Option<f64>,
    pub tolerance: f64,
    pub min_samples: f64,
}

pub enum Verdict {
    Pass(Judged),
    Breach(Judged),
    /// Too early to say, and why.
    Undecided(String),
}

/// The numbers behind a verdict.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Judged {
    /// The worst series' value: the lowest when passing above, the highest when below.
    pub value: f64,
    /// What it had to clear.
    pub bar: f64,
    pub baseline: Option<f64>,
    pub samples: Option<f64>,
    pub series: Vec<Sample>,
}

pub fn judge(rules: &Rules, measured: Measured) -> Result<Verdict, StepError> {
    if let Some(samples) = measured.samples
        && samples < rules.min_samples
    {
        return Ok(Verdict::Undecided(format!("{samples} samples so far, {} needed", rules.min_samples)));
    }
    let baseline = match &measured.baseline {
        None => None,
        Some(found) if found.is_empty() => return Ok(Verdict::Undecided("the baseline query has no data yet".into())),
        Some(found) if found.len() > 1 => {
            return Err(StepError::InvalidInput(format!(
                "the baseline query answers {} series; it must answer one (aggregate it, e.g. `avg(…)`)",
                found.len()
            )));
        }
        Some(found) => Some(found[0].value),
    };
    let Some(bar) = bar(rules, baseline) else {
        return Err(StepError::InvalidInput("give a `threshold`, a `baseline_query`, or both".into()));
    };
    let worst = match rules.pass_when {
        PassWhen::Above => measured.series.iter().map(|s| s.value).reduce(f64::min),
        PassWhen::Below => measured.series.iter().map(|s| s.value).reduce(f64::max),
    };
    let Some(value) = worst else {
        return Ok(Verdict::Undecided("the query has no data yet".into()));
    };
    let judged = Judged { value, bar, baseline, samples: measured.samples, series: measured.series };
    let passed = match rules.pass_when {
        PassWhen::Above => value >= bar,
        PassWhen::Below => value <= bar,
    };
    Ok(if passed { Verdict::Pass(judged) } else { Verdict::Breach(judged) })
}

/// The stricter of the threshold and the baseline moved by the tolerance.
fn bar(rules: &Rules, baseline: Option<f64>) -> Option<f64> {
    let relative = baseline.map(|b| match rules.pass_when {
        PassWhen::Above => b - rules.tolerance,
        PassWhen::Below => b + rules.tolerance,
    });
    match (rules.threshold, relative, rules.pass_when) {
        (Some(t), Some(r), PassWhen::Above) => Some(t.max(r)),
        (Some(t), Some(r), PassWhen::Below) => Some(t.min(r)),
        (one, other, _) => one.or(other),
    }
}

impl Judged {
    /// "0.82 is below the bar 0.95 (baseline 0.99 − 0.04)", for messages.
    pub fn describe(&self, rules: &Rules) -> String {
        let side = match rules.pass_when {
            PassWhen::Above => "at least",
            PassWhen::Below => "at most",
        };
        let mut text = format!("{} (worst of {} series) against {side} {}", self.value, self.series.len(), self.bar);
        if let Some(baseline) = self.baseline {
            text.push_str(&format!("; baseline {baseline}, tolerance {}", rules.tolerance));
        }
        if let Some(samples) = self.samples {
            text.push_str(&format!("; {samples} samples"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(value: f64) -> Vec<Sample> {
        vec![Sample { labels: Default::default(), value }]
    }

    fn rules(pass_when: PassWhen, threshold: Option<f64>, tolerance: f64) -> Rules {
        Rules { pass_when, threshold, tolerance, min_samples: 10.0 }
    }

    #[test]
    fn the_stricter_bar_and_the_worst_series_decide() {
        let above = rules(PassWhen::Above, Some(0.9), 0.05);
        let measured = |v: Vec<f64>| Measured {
            series: v.into_iter().flat_map(one).collect(),
            baseline: Some(one(0.99)),
            samples: Some(100.0),
        };
        assert!(
            matches!(judge(&above, measured(vec![0.99, 0.95])).unwrap(), Verdict::Pass(j) if j.bar == 0.94 && j.value == 0.95)
        );
        assert!(matches!(judge(&above, measured(vec![0.99, 0.93])).unwrap(), Verdict::Breach(_)));
        let below = rules(PassWhen::Below, Some(0.02), 0.05);
        let measured = Measured { series: one(0.03), baseline: Some(one(0.01)), samples: None };
        assert!(matches!(judge(&below, measured).unwrap(), Verdict::Breach(j) if j.bar == 0.02));
    }

    #[test]
    fn too_few_samples_or_no_data_is_undecided() {
        let above = rules(PassWhen::Above, Some(0.9), 0.0);
        let few = Measured { series: one(1.0), baseline: None, samples: Some(3.0) };
        assert!(matches!(judge(&above, few).unwrap(), Verdict::Undecided(why) if why.contains("3 samples")));
        let empty = Measured { series: vec![], baseline: None, samples: None };
        assert!(matches!(judge(&above, empty).unwrap(), Verdict::Undecided(_)));
    }
}
