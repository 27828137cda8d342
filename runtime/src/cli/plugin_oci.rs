//! `scena plugin push|pull`: components as CNCF Wasm OCI artifacts.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::app::RegistryArgs;
use super::{CliError, DataDirArg, plugin_source};
use crate::market::oci;
use crate::sandbox::{Sandbox, SandboxConfig};

#[derive(Args)]
pub struct PushArgs {
    /// The component (.wasm).
    file: PathBuf,
    /// oci://HOST[:PORT]/REPO:TAG
    reference: String,
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    data_dir: DataDirArg,
}

#[derive(Args)]
pub struct PullArgs {
    /// oci://HOST[:PORT]/REPO:TAG or …@sha256:DIGEST
    reference: String,
    /// Where to write the component.
    #[arg(long, short)]
    output: PathBuf,
    #[command(flatten)]
    registry: RegistryArgs,
    #[command(flatten)]
    data_dir: DataDirArg,
}

fn sandbox(data_dir: &DataDirArg) -> Result<Sandbox, CliError> {
    Ok(Sandbox::new(SandboxConfig { cache_dir: Some(data_dir.compiled_cache()), ..Default::default() })?)
}

pub async fn push(args: PushArgs) -> Result<(), CliError> {
    let reference = oci::parse_reference(&args.reference).map_err(CliError::other)?;
    let sandbox = sandbox(&args.data_dir)?;
    // Only a component that loads as a plugin is pushed.
    let plugin = plugin_source::load_file(&sandbox, &args.file).await?;
    let bytes =
        std::fs::read(&args.file).map_err(|e| CliError::other(format!("cannot read {}: {e}", args.file.display())))?;
    let pushed = oci::push_plugin(&reference, &bytes, &plugin.meta.id(), &plugin.imports, &args.registry.auth())
        .await
        .map_err(CliError::other)?;
    println!(
        "{}",
        serde_json::to_string_pretty(
            &json!({"plugin": plugin.meta.id(), "reference": pushed.reference, "digest": pushed.digest})
        )
        .expect("serialises")
    );
    Ok(())
}

pub async fn pull(args: PullArgs) -> Result<(), CliError> {
    let reference = oci::parse_reference(&args.reference).map_err(CliError::other)?;
    let (bytes, digest) = oci::pull_plugin(&reference, &args.registry.auth()).await.map_err(CliError::other)?;
    let plugin = sandbox(&args.data_dir)?
        .load(&bytes)
        .await
        .map_err(|e| CliError::other(format!("{reference} is not a plugin scena loads: {e}")))?;
    std::fs::write(&args.output, &bytes)
        .map_err(|e| CliError::other(format!("cannot write {}: {e}", args.output.display())))?;
    eprintln!("pulled {} ({digest}) into {}", plugin.meta.id(), args.output.display());
    Ok(())
}
