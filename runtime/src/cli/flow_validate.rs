use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::{CliError, DataDirArg};
use crate::catalog::{Catalog, PluginDir, validate_flow};
use crate::flow::{Problem, load_flow};
use crate::sandbox::{Sandbox, SandboxConfig};

#[derive(Args)]
pub struct ValidateArgs {
    /// The flow (JSON, or YAML).
    file: PathBuf,
    /// Check plugins against the components in DIR (repeatable): that each
    /// exists in a matching version and that literal inputs fit its schema.
    #[arg(long = "plugins", value_name = "DIR")]
    plugin_dirs: Vec<PathBuf>,
    /// Print `{"ok": bool, "problems": [{"node", "message"}]}` instead of lines.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    data_dir: DataDirArg,
}

pub async fn run(args: ValidateArgs) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| CliError::other(format!("cannot read {}: {e}", args.file.display())))?;
    let problems = match load_flow(&text) {
        Err(problems) => problems,
        Ok(flow) => {
            let catalog = load_catalog(&args).await?;
            validate_flow(&flow, catalog.as_ref().map(|c| c as &dyn Catalog))
        }
    };
    report(&problems, args.json);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::other(format!("{} has {} problem(s)", args.file.display(), problems.len())))
    }
}

async fn load_catalog(args: &ValidateArgs) -> Result<Option<PluginDir>, CliError> {
    if args.plugin_dirs.is_empty() {
        return Ok(None);
    }
    let config = SandboxConfig { cache_dir: Some(args.data_dir.compiled_cache()), ..Default::default() };
    let sandbox = Sandbox::new(config)?;
    let (catalog, skipped) = PluginDir::load(&sandbox, &args.plugin_dirs).await?;
    for reason in skipped {
        eprintln!("warning: skipped {reason}");
    }
    Ok(Some(catalog))
}

fn report(problems: &[Problem], as_json: bool) {
    if as_json {
        println!("{}", json!({"ok": problems.is_empty(), "problems": problems}));
    } else if problems.is_empty() {
        println!("ok");
    } else {
        for problem in problems {
            println!("{problem}");
        }
    }
}
