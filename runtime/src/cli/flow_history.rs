//! `flow runs` and `flow history`: what ran, and everything that happened in a run.

use clap::Args;
use serde_json::{Value, json};

use super::{CliError, DataDirArg};
use crate::atoms::bounded;
use crate::engine::{Event, StepOutcome};
use crate::store::Db;

#[derive(Args)]
pub struct DbArgs {
    /// The database: a SQLite file, or a cluster's `postgres://…` URL [default: DATA_DIR/scena.db].
    #[arg(long, value_name = "PATH|URL")]
    db: Option<String>,
    #[command(flatten)]
    data_dir: DataDirArg,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl DbArgs {
    async fn open(&self) -> Result<Db, CliError> {
        super::database::open(self.db.as_deref(), &self.data_dir.resolve(), super::database::Access::Read).await
    }
}

#[derive(Args)]
pub struct RunsArgs {
    /// How many runs to show, newest first.
    #[arg(long, default_value_t = 20)]
    limit: u32,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Args)]
pub struct HistoryArgs {
    run_id: String,
    #[command(flatten)]
    db: DbArgs,
}

pub async fn runs(args: RunsArgs) -> Result<(), CliError> {
    let runs = args.db.open().await?.runs().list(args.limit).await?;
    if args.db.json {
        println!("{}", serde_json::to_string_pretty(&runs).expect("runs serialise"));
        return Ok(());
    }
    for run in runs {
        let version = run.version.map(|v| format!(" v{v}")).unwrap_or_default();
        println!("{}  {:<9}  {}{version}  {}", run.id, run.status, run.flow, run.created_at);
    }
    Ok(())
}

pub async fn history(args: HistoryArgs) -> Result<(), CliError> {
    let (run, events, logs) = args
        .db
        .open()
        .await?
        .runs()
        .history(&args.run_id)
        .await?
        .ok_or_else(|| CliError::other(format!("no run `{}`", args.run_id)))?;
    if args.db.json {
        let logs: Vec<Value> = logs.iter().map(|(node, attempt, lines)| json!({"node": node, "attempt": attempt, "logs": lines["logs"], "atom_calls": lines["atom_calls"]})).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"run": run, "events": events, "logs": logs}))
                .expect("history serialises")
        );
        return Ok(());
    }
    let version = run.version.map(|v| format!(" version {v}")).unwrap_or_default();
    println!("run {} of flow {}{version} for tenant {}: {}", run.id, run.flow, run.tenant, run.status);
    if let Some(error) = &run.error {
        println!("error: {error}");
    }
    if let Some(output) = &run.output {
        println!("output: {}", bounded(&output.to_string(), 500));
    }
    let start = events.first().map_or(0, Event::at_ms);
    for event in &events {
        println!("{:>8} ms  {}", event.at_ms().saturating_sub(start), describe(event));
        if let Event::StepFinished { node, attempt, .. } = event {
            for (_, _, lines) in logs.iter().filter(|(n, a, _)| n == node && a == attempt) {
                for call in lines["atom_calls"].as_array().into_iter().flatten() {
                    println!(
                        "             [atom] {} {} -> {}",
                        text(&call["atom"]),
                        text(&call["request"]),
                        text(&call["outcome"])
                    );
                }
                for line in lines["logs"].as_array().into_iter().flatten() {
                    println!("             [{}] {}", text(&line["level"]), text(&line["message"]));
                }
            }
        }
    }
    Ok(())
}

fn text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

fn describe(event: &Event) -> String {
    match event {
        Event::RunStarted { input, .. } => format!("run started with input {}", bounded(&input.to_string(), 200)),
        Event::StepStarted { node, attempt, .. } => format!("{node}: attempt {attempt} started"),
        Event::StepFinished { node, outcome, .. } => match outcome {
            StepOutcome::Done { output } => format!("{node}: done -> {}", bounded(&output.to_string(), 200)),
            StepOutcome::Pending { after_ms, .. } => format!("{node}: pending, poll in {after_ms} ms"),
            StepOutcome::Failed { kind, message, .. } => format!("{node}: failed ({kind}): {message}"),
        },
        Event::TimerFired { node, .. } => format!("{node}: timer fired"),
        Event::Decided { node, approved, by, comment, .. } => {
            format!(
                "{node}: {} by {by}{}",
                if *approved { "approved" } else { "rejected" },
                if comment.is_empty() { String::new() } else { format!(": {comment}") }
            )
        }
        Event::NodeRetried { node, by, input, .. } => {
            format!("{node}: retried by {by}{}", if input.is_some() { " with a new input" } else { "" })
        }
        Event::NodeSkipped { node, by, .. } => format!("{node}: skipped by {by}"),
        Event::Cancelled { by, reason, .. } => format!("cancelled by {by}: {reason}"),
        Event::Paused { by, reason, .. } => {
            format!("paused by {by}{}", if reason.is_empty() { String::new() } else { format!(": {reason}") })
        }
        Event::Unpaused { by, .. } => format!("unpaused by {by}"),
        Event::ForceFailed { node, by, reason, .. } => format!("{node}: force-failed by {by}: {reason}"),
        Event::RunResumed { .. } => "run resumed from its log".to_string(),
    }
}
