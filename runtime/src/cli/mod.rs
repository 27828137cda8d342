//! The `scena` command line. Each subcommand lives in its own module; this
//! one parses arguments and maps results to exit codes.

mod agent;
mod app;
mod common;
mod data_lock;
mod database;
mod exit;
mod flow_control;
mod flow_history;
mod flow_run;
mod flow_validate;
mod flow_versions;
mod options;
mod plugin_build;
mod plugin_build_polyglot;
mod plugin_inspect;
mod plugin_new;
mod plugin_oci;
mod plugin_run;
mod plugin_source;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub use exit::CliError;

#[derive(Parser)]
#[command(name = "scena", version, about = "scena: WebAssembly scenario runtime for operations teams")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write, build, inspect and run step plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Validate and run flows.
    #[command(subcommand)]
    Flow(FlowCommand),
    /// Package flows and plugins as a marketplace app, and publish it.
    #[command(subcommand)]
    App(app::AppCommand),
    /// Serve the HTTP API (tenants, flows, runs) and the studio, on embedded SQLite.
    Serve(serve::ServeArgs),
    /// Run on a host: enrol with a tenant, keep one connection to the server, run the scripts of jobs here.
    Agent(agent::AgentArgs),
    /// Print the HTTP API's OpenAPI 3.1 document (what `GET /api/v1/openapi.json` serves).
    Openapi,
}

#[derive(Subcommand)]
enum FlowCommand {
    /// Check a flow and report every problem, one line each (`node <id>: <message>`).
    Validate(flow_validate::ValidateArgs),
    /// Run a flow in-process, durably, and print its output.
    Run(flow_run::RunArgs),
    /// Continue runs a crash or a stop interrupted (every unfinished one, or RUN_ID).
    Recover(flow_run::RecoverArgs),
    /// The old name of `recover` (which also unpaused a RUN_ID it named); goes in the next release.
    #[command(hide = true)]
    Resume(flow_run::RecoverArgs),
    /// Approve an approval node of a waiting run, and continue the run.
    Approve(flow_control::DecideArgs),
    /// Reject an approval node of a waiting run; the run fails.
    Reject(flow_control::DecideArgs),
    /// Run a failed step again (optionally with a replaced input) and continue the run.
    Retry(flow_control::RetryArgs),
    /// Mark a failed or waiting node as done with a given output and continue the run.
    Skip(flow_control::SkipArgs),
    /// Stop a run for good.
    Cancel(flow_control::RunControlArgs),
    /// Hold a run: no step call starts until `flow unpause RUN_ID`; running ones finish.
    Pause(flow_control::RunControlArgs),
    /// Lift a run's pause: the calls it held start, and the run goes on.
    Unpause(flow_control::UnpauseArgs),
    /// Fail a running, waiting or undecided node now; it follows its on_error route.
    ForceFail(flow_control::ForceFailArgs),
    /// Save a flow as the tenant's draft and publish it as the next immutable version.
    Publish(flow_versions::PublishArgs),
    /// List the published versions of a flow.
    Versions(flow_versions::VersionsArgs),
    /// Show what changed between two versions of a flow.
    Diff(flow_versions::DiffArgs),
    /// List the latest runs.
    Runs(flow_history::RunsArgs),
    /// Show everything that happened in a run: events, step logs, atom calls.
    History(flow_history::HistoryArgs),
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Scaffold a plugin (Rust, Python or TypeScript) that builds as is.
    New(plugin_new::NewArgs),
    /// Build a plugin (Rust crate, Python or TypeScript/JavaScript step) into a component and validate it.
    Build(plugin_build::BuildArgs),
    /// Print what a component declares, as one JSON object.
    Inspect(plugin_inspect::InspectArgs),
    /// Run a component locally in the sandbox the server uses.
    Run(plugin_run::RunArgs),
    /// Push a component to an OCI registry as a CNCF Wasm artifact: `scena plugin push X.wasm oci://HOST/REPO:TAG`.
    Push(plugin_oci::PushArgs),
    /// Pull a component from an OCI registry (its digest checked, then loaded to check it is a plugin).
    Pull(plugin_oci::PullArgs),
}

/// Options shared by commands that load plugins.
#[derive(Args, Clone)]
pub struct DataDirArg {
    /// Where scena keeps its database and compiled-plugin cache
    /// [default: $SCENA_DATA_DIR, else $XDG_DATA_HOME/scena, else ~/.local/share/scena].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Where compiled plugins are kept [default: DATA_DIR/cache]. Servers and
    /// commands may share one: each file is named by its component's sha256
    /// and the engine's build, and written whole.
    #[arg(long, value_name = "DIR", env = "SCENA_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
}

impl DataDirArg {
    /// The compiled-plugin cache's directory.
    pub fn compiled_cache(&self) -> PathBuf {
        self.cache_dir.clone().unwrap_or_else(|| self.resolve().join("cache"))
    }

    pub fn resolve(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        if let Some(dir) = std::env::var_os("SCENA_DATA_DIR") {
            return dir.into();
        }
        if let Some(dir) = std::env::var_os("XDG_DATA_HOME") {
            return PathBuf::from(dir).join("scena");
        }
        match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(".local/share/scena"),
            None => PathBuf::from(".scena"),
        }
    }
}

pub fn main() -> ExitCode {
    crate::tls::install_crypto_provider();
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_) | Command::Agent(_)) {
        quiet_on_closed_pipe();
    }
    // Traces leave the process only if the server is given a collector.
    let tracing = match &cli.command {
        Command::Serve(args) => match args.otlp_endpoint.as_deref().filter(|url| !url.trim().is_empty()) {
            Some(url) => match crate::telemetry::provider(url, &serve::node_name(args.node_id.as_deref())) {
                Ok(provider) => Some(provider),
                Err(e) => return CliError::other(format!("{e:#}")).report(),
            },
            None => None,
        },
        _ => None,
    };
    {
        use tracing_subscriber::Layer as _;
        use tracing_subscriber::layer::SubscriberExt as _;
        use tracing_subscriber::util::SubscriberInitExt as _;
        // By default: warnings, and the server's line per request, per start/stop
        // and per run a node of a cluster takes over or loses.
        let filter = tracing_subscriber::EnvFilter::try_from_env("SCENA_LOG")
            .unwrap_or_else(|_| "warn,scena::request=info,scena::serve=info,scena::cluster=info".into());
        let log = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            // Colours for a person at a terminal, plain text for a log file or a pipe.
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_filter(filter);
        // Without a collector, no layer at all: an absent one would keep the
        // log filter's refusals from being remembered per call site.
        let subscriber = tracing_subscriber::registry().with(log);
        match &tracing {
            Some(provider) => subscriber.with(crate::telemetry::layer(provider)).init(),
            None => subscriber.init(),
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return CliError::other(format!("cannot start the async runtime: {e}")).report(),
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Plugin(PluginCommand::New(args)) => plugin_new::run(args),
            Command::Plugin(PluginCommand::Build(args)) => plugin_build::run(args).await,
            Command::Plugin(PluginCommand::Inspect(args)) => plugin_inspect::run(args).await,
            Command::Plugin(PluginCommand::Run(args)) => plugin_run::run(args).await,
            Command::Plugin(PluginCommand::Push(args)) => plugin_oci::push(args).await,
            Command::Plugin(PluginCommand::Pull(args)) => plugin_oci::pull(args).await,
            Command::Flow(FlowCommand::Validate(args)) => flow_validate::run(args).await,
            Command::Flow(FlowCommand::Run(args)) => flow_run::run(args).await,
            Command::Flow(FlowCommand::Recover(args)) => flow_run::recover(args, false).await,
            Command::Flow(FlowCommand::Resume(args)) => flow_run::recover(args, true).await,
            Command::Flow(FlowCommand::Approve(args)) => flow_control::decide(args, true).await,
            Command::Flow(FlowCommand::Reject(args)) => flow_control::decide(args, false).await,
            Command::Flow(FlowCommand::Retry(args)) => flow_control::retry(args).await,
            Command::Flow(FlowCommand::Skip(args)) => flow_control::skip(args).await,
            Command::Flow(FlowCommand::Cancel(args)) => flow_control::cancel(args).await,
            Command::Flow(FlowCommand::Pause(args)) => flow_control::pause(args).await,
            Command::Flow(FlowCommand::Unpause(args)) => flow_control::unpause(args).await,
            Command::Flow(FlowCommand::ForceFail(args)) => flow_control::force_fail(args).await,
            Command::Flow(FlowCommand::Publish(args)) => flow_versions::publish(args).await,
            Command::Flow(FlowCommand::Versions(args)) => flow_versions::versions(args).await,
            Command::Flow(FlowCommand::Diff(args)) => flow_versions::show_diff(args).await,
            Command::Flow(FlowCommand::Runs(args)) => flow_history::runs(args).await,
            Command::Flow(FlowCommand::History(args)) => flow_history::history(args).await,
            Command::App(command) => app::run(command).await,
            Command::Serve(args) => serve::run(args).await,
            Command::Agent(args) => agent::run(args).await,
            Command::Openapi => {
                common::print_json(&crate::api::openapi_document());
                Ok(())
            }
        }
    });
    // What the exporter still holds goes out before the process ends.
    if let Some(provider) = tracing
        && let Err(e) = provider.shutdown()
    {
        eprintln!("scena: the last traces could not be sent: {e}");
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(),
    }
}

/// `scena flow runs | head`: when the reader goes away, end quietly as other
/// command-line tools do (the default for SIGPIPE) instead of panicking on
/// the failed write. Not for the server and the agent, whose sockets report
/// a closed peer as an error to handle.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called before any other thread exists; restores the signal's default disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
