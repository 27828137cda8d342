//! Triggers that start runs without a person: cron schedules (`cron.rs`
//! reads and steps a schedule, `clock.rs` fires the due ones). Webhooks are
//! HTTP routes (`api/webhooks.rs`).

mod clock;
mod cron;

pub use clock::{instant_text, run_clock};
pub use cron::CronSpec;
