use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::{CliError, DataDirArg, plugin_source};
use crate::sandbox::{Sandbox, SandboxConfig};

#[derive(Args)]
pub struct InspectArgs {
    /// The component (.wasm).
    file: PathBuf,
    #[command(flatten)]
    data_dir: DataDirArg,
}

pub async fn run(args: InspectArgs) -> Result<(), CliError> {
    let config = SandboxConfig { cache_dir: Some(args.data_dir.compiled_cache()), ..Default::default() };
    let sandbox = Sandbox::new(config)?;
    let plugin = plugin_source::load_file(&sandbox, &args.file).await?;
    let meta = &plugin.meta;
    let report = json!({
        "name": meta.name,
        "version": meta.version.to_string(),
        "title": meta.title,
        "description": meta.description,
        "category": meta.category,
        "capabilities": meta.capabilities,
        "input_schema": meta.input_schema,
        "output_schema": meta.output_schema,
        "imports": plugin.imports,
        "sha256": plugin.sha256,
        "size_bytes": plugin.size_bytes,
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("JSON values serialise"));
    Ok(())
}
