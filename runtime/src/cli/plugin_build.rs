use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::Args;
use serde_json::Value;

use super::{CliError, DataDirArg, plugin_build_polyglot, plugin_source};
use crate::sandbox::{Sandbox, SandboxConfig};

const TARGET: &str = "wasm32-wasip2";

#[derive(Args)]
pub struct BuildArgs {
    /// The plugin crate [default: the current directory].
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Build without optimisations (faster to build, slower to run; Rust only).
    #[arg(long)]
    debug: bool,
    /// Where to write the component (Python and JS; default DIR/build/NAME.wasm).
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    data_dir: DataDirArg,
}

pub async fn run(args: BuildArgs) -> Result<(), CliError> {
    let manifest = args.dir.join("Cargo.toml");
    let component = if manifest.is_file() {
        let manifest = manifest.canonicalize().map_err(|e| CliError::other(format!("{}: {e}", manifest.display())))?;
        check_target_installed()?;
        cargo_build(&manifest, args.debug)?
    } else if let Some(language) = plugin_build_polyglot::detect(&args.dir) {
        let project = args.dir.canonicalize().map_err(|e| CliError::other(format!("{}: {e}", args.dir.display())))?;
        plugin_build_polyglot::build(&project, language, args.output.as_deref())?
    } else {
        return Err(CliError::other(format!(
            "{} holds no plugin: a Rust crate (Cargo.toml), a Python step (step.py) or a TypeScript/JavaScript step (step.ts, step.js)",
            args.dir.display()
        )));
    };

    let config = SandboxConfig { cache_dir: Some(args.data_dir.compiled_cache()), ..Default::default() };
    let sandbox = Sandbox::new(config)?;
    let plugin = plugin_source::load_file(&sandbox, &component).await?;
    eprintln!(
        "built {} ({} KiB, sha256 {}, capabilities: [{}])",
        plugin.meta.id(),
        plugin.size_bytes / 1024,
        &plugin.sha256[..12],
        plugin.meta.capabilities.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
    );
    println!("{}", component.display());
    Ok(())
}

fn check_target_installed() -> Result<(), CliError> {
    let output = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| CliError::other(format!("cannot run rustc (is Rust installed?): {e}")))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if sysroot.join("lib/rustlib").join(TARGET).is_dir() {
        Ok(())
    } else {
        Err(CliError::other(format!("the {TARGET} target is not installed: run `rustup target add {TARGET}`")))
    }
}

/// Run cargo, passing its progress through, and return the component it built
/// for the crate of `manifest`.
fn cargo_build(manifest: &Path, debug: bool) -> Result<PathBuf, CliError> {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args(["build", "--target", TARGET, "--message-format=json-render-diagnostics", "--manifest-path"])
        .arg(manifest)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if !debug {
        command.arg("--release");
    }
    let mut child = command.spawn().map_err(|e| CliError::other(format!("cannot run cargo: {e}")))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut components = Vec::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(path) = built_component(&line, manifest) {
            components.push(path);
        }
    }
    let status = child.wait().map_err(|e| CliError::other(format!("cargo did not finish: {e}")))?;
    if !status.success() {
        return Err(CliError::other(format!("cargo build failed for {}", manifest.display())));
    }
    components
        .pop()
        .ok_or_else(|| CliError::other(format!("{} built no component: is it a `cdylib` crate?", manifest.display())))
}

fn built_component(message_line: &str, manifest: &Path) -> Option<PathBuf> {
    let message: Value = serde_json::from_str(message_line).ok()?;
    if message["reason"] != "compiler-artifact" || message["manifest_path"].as_str() != manifest.to_str() {
        return None;
    }
    message["filenames"].as_array()?.iter().filter_map(Value::as_str).find(|f| f.ends_with(".wasm")).map(PathBuf::from)
}
