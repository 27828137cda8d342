//! `flow publish`, `flow versions`, `flow diff`: a tenant's flow versions.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::common::read_flow;
use super::database::{self, Access};
use super::{CliError, DataDirArg};
use crate::catalog::{Catalog, PluginDir, validate_flow};
use crate::flow::diff;
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::store::FlowStore;

#[derive(Args)]
pub struct StoreArgs {
    /// The tenant the flows belong to.
    #[arg(long, default_value = "local")]
    tenant: String,
    /// The database: a SQLite file, or a cluster's `postgres://…` URL [default: DATA_DIR/scena.db].
    #[arg(long, value_name = "PATH|URL")]
    db: Option<String>,
    #[command(flatten)]
    data_dir: DataDirArg,
}

impl StoreArgs {
    async fn flows(&self, access: Access) -> Result<FlowStore, CliError> {
        Ok(database::open(self.db.as_deref(), &self.data_dir.resolve(), access).await?.flows())
    }
}

#[derive(Args)]
pub struct PublishArgs {
    /// The flow (JSON, or YAML); it becomes the draft, then the next version.
    file: PathBuf,
    /// Also check plugins against the components in DIR (repeatable).
    #[arg(long = "plugins", value_name = "DIR")]
    plugin_dirs: Vec<PathBuf>,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
pub struct VersionsArgs {
    /// The flow's name.
    name: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
pub struct DiffArgs {
    /// The flow's name.
    name: String,
    /// The older version.
    from: u32,
    /// The newer version.
    to: u32,
    #[command(flatten)]
    store: StoreArgs,
}

pub async fn publish(args: PublishArgs) -> Result<(), CliError> {
    let flow = read_flow(&args.file)?;
    let catalog = if args.plugin_dirs.is_empty() {
        None
    } else {
        let config = SandboxConfig { cache_dir: Some(args.store.data_dir.compiled_cache()), ..Default::default() };
        Some(PluginDir::load(&Sandbox::new(config)?, &args.plugin_dirs).await?.0)
    };
    let problems = validate_flow(&flow, catalog.as_ref().map(|c| c as &dyn Catalog));
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("{problem}");
        }
        return Err(CliError::other(format!("{} is not valid; nothing was published", args.file.display())));
    }
    let flows = args.store.flows(Access::Write).await?;
    flows.save_draft(&args.store.tenant, &flow).await?;
    let (version, new) = flows.publish(&args.store.tenant, &flow.name).await?;
    if !new {
        eprintln!("unchanged since version {}: nothing new published", version.version);
    }
    println!(
        "{}",
        json!({"name": version.name, "version": version.version, "content_hash": version.content_hash, "published_at": version.published_at, "new": new})
    );
    Ok(())
}

pub async fn versions(args: VersionsArgs) -> Result<(), CliError> {
    let versions = args.store.flows(Access::Read).await?.versions(&args.store.tenant, &args.name).await?;
    if versions.is_empty() {
        return Err(CliError::other(format!(
            "flow `{}` of tenant `{}` has no published version",
            args.name, args.store.tenant
        )));
    }
    println!("{}", serde_json::to_string_pretty(&versions).expect("versions serialise"));
    Ok(())
}

pub async fn show_diff(args: DiffArgs) -> Result<(), CliError> {
    let flows = args.store.flows(Access::Read).await?;
    let before = flows.version(&args.store.tenant, &args.name, Some(args.from)).await?.flow()?;
    let after = flows.version(&args.store.tenant, &args.name, Some(args.to)).await?.flow()?;
    println!("{}", serde_json::to_string_pretty(&diff(&before, &after)).expect("diffs serialise"));
    Ok(())
}
