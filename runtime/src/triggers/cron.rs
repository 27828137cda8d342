//! A cron schedule: standard 5 fields (minute hour day-of-month month
//! day-of-week; an optional leading seconds field too) in an IANA time zone.
//! Ticks are computed in that zone, so `0 9 * * MON-FRI` in `Europe/Paris`
//! means nine o'clock there, summer and winter.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};

#[derive(Debug, Clone)]
pub struct CronSpec {
    cron: Cron,
    zone: Tz,
}

impl CronSpec {
    pub fn parse(expression: &str, timezone: &str) -> Result<CronSpec, String> {
        let fields = expression.split_whitespace().count();
        if !(5..=6).contains(&fields) || expression.contains('@') {
            return Err(format!(
                "`{expression}` is not a cron expression: give 5 fields (minute hour day month weekday), or 6 with seconds first"
            ));
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .build()
            .parse(expression)
            .map_err(|e| format!("`{expression}` is not a valid cron expression: {e}"))?;
        let zone = Tz::from_str(timezone)
            .map_err(|_| format!("`{timezone}` is not an IANA time zone (such as `UTC` or `Europe/Paris`)"))?;
        Ok(CronSpec { cron, zone })
    }

    /// The first tick strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron.find_next_occurrence(&after.with_timezone(&self.zone), false).ok().map(|t| t.with_timezone(&Utc))
    }

    /// The next `count` ticks after `after`, each as an RFC 3339 instant in the schedule's zone.
    pub fn upcoming(&self, after: DateTime<Utc>, count: usize) -> Vec<String> {
        let mut ticks = Vec::with_capacity(count);
        let mut from = after;
        while ticks.len() < count {
            let Some(next) = self.next_after(from) else { break };
            ticks.push(next.with_timezone(&self.zone).to_rfc3339());
            from = next;
        }
        ticks
    }

    /// A schedule due at `due` and seen at `now`: fire once, whatever number
    /// of ticks were missed while nobody looked, and be due next at the first
    /// tick after `now`.
    pub fn catch_up(&self, due: DateTime<Utc>, now: DateTime<Utc>) -> (bool, Option<DateTime<Utc>>) {
        if due > now {
            return (false, Some(due));
        }
        (true, self.next_after(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn five_fields_tick_on_minutes_in_the_given_zone() {
        let spec = CronSpec::parse("30 9 * * *", "Europe/Paris").unwrap();
        // 09:30 in Paris is 08:30 UTC in winter and 07:30 UTC in summer.
        assert_eq!(spec.next_after(at("2026-01-10T00:00:00Z")), Some(at("2026-01-10T08:30:00Z")));
        assert_eq!(spec.next_after(at("2026-07-10T00:00:00Z")), Some(at("2026-07-10T07:30:00Z")));
        let utc = CronSpec::parse("*/15 * * * *", "UTC").unwrap();
        assert_eq!(utc.next_after(at("2026-01-10T10:15:00Z")), Some(at("2026-01-10T10:30:00Z")), "strictly after");
    }

    #[test]
    fn a_leading_seconds_field_is_accepted() {
        let spec = CronSpec::parse("*/10 * * * * *", "UTC").unwrap();
        assert_eq!(spec.next_after(at("2026-01-10T10:00:01Z")), Some(at("2026-01-10T10:00:10Z")));
    }

    #[test]
    fn missed_ticks_collapse_into_one_run() {
        let spec = CronSpec::parse("0 * * * *", "UTC").unwrap();
        // Down from 10:00 to 15:20: five hourly ticks missed; one run, next at 16:00.
        let (fire, next) = spec.catch_up(at("2026-01-10T11:00:00Z"), at("2026-01-10T15:20:00Z"));
        assert!(fire);
        assert_eq!(next, Some(at("2026-01-10T16:00:00Z")));
        let (fire, next) = spec.catch_up(at("2026-01-10T16:00:00Z"), at("2026-01-10T15:20:00Z"));
        assert!(!fire, "not due yet");
        assert_eq!(next, Some(at("2026-01-10T16:00:00Z")));
    }

    #[test]
    fn bad_expressions_and_zones_are_refused_with_the_reason() {
        assert!(CronSpec::parse("* * *", "UTC").unwrap_err().contains("5 fields"));
        assert!(CronSpec::parse("61 * * * *", "UTC").unwrap_err().contains("not a valid cron expression"));
        assert!(CronSpec::parse("@hourly", "UTC").is_err());
        assert!(CronSpec::parse("0 * * * *", "Mars/Olympus").unwrap_err().contains("IANA"));
    }
}
