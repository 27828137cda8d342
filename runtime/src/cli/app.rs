//! `scena app new|pack|inspect|publish`: the app publisher's commands. An
//! app's source is a folder — `scena-app.json` (the manifest without the
//! files' digests), `README.md`, `flows/*.json` and `plugins/*.wasm` — that
//! `pack` turns into a `.scena-app` package after every check the server makes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde::Deserialize;
use serde_json::json;

use super::{CliError, DataDirArg};
use crate::catalog::PluginDir;
use crate::embedded::STANDARD_PLUGINS;
use crate::market::check::check_contents;
use crate::market::manifest::{Capabilities, FORMAT, Manifest, PluginEntry, flow_file, plugin_file, valid_app_name};
use crate::market::oci;
use crate::market::package::Package;
use crate::sandbox::{Sandbox, SandboxConfig};

#[derive(Subcommand)]
pub enum AppCommand {
    /// Scaffold an app folder that packs as is.
    New(NewArgs),
    /// Check an app folder as the server will and write its .scena-app package.
    Pack(PackArgs),
    /// Print a package's manifest, its signature and every problem the server would find.
    Inspect(InspectArgs),
    /// Publish a package to a server (token from --token or $SCENA_TOKEN).
    Publish(PublishArgs),
    /// Push a package to an OCI registry: `scena app push FILE oci://HOST/REPO:TAG`.
    Push(PushArgs),
    /// Pull a package from an OCI registry (its digest checked); inspect it before installing.
    Pull(PullArgs),
}

/// Credentials for a registry (anonymous without them).
#[derive(Args, Clone)]
pub struct RegistryArgs {
    #[arg(long, env = "SCENA_REGISTRY_USERNAME")]
    pub username: Option<String>,
    /// The password or token (with no username: a bearer token).
    #[arg(long, env = "SCENA_REGISTRY_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

impl RegistryArgs {
    pub fn auth(&self) -> oci_client::secrets::RegistryAuth {
        oci::auth(self.username.as_deref(), self.password.as_deref())
    }
}

#[derive(Args)]
pub struct PushArgs {
    /// The package (.scena-app).
    file: PathBuf,
    /// oci://HOST[:PORT]/REPO:TAG
    reference: String,
    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(Args)]
pub struct PullArgs {
    /// oci://HOST[:PORT]/REPO:TAG or …@sha256:DIGEST
    reference: String,
    /// Where to write it.
    #[arg(long, short)]
    output: PathBuf,
    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(Args)]
pub struct NewArgs {
    /// The app's name (a-z, 0-9, `-`).
    name: String,
    /// The folder to make [default: ./NAME].
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[derive(Args)]
pub struct PackArgs {
    /// The app folder [default: the current directory].
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Where to write the package [default: NAME-VERSION.scena-app in the current directory].
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    data_dir: DataDirArg,
}

#[derive(Args)]
pub struct InspectArgs {
    /// The package (.scena-app).
    file: PathBuf,
    #[command(flatten)]
    data_dir: DataDirArg,
}

#[derive(Args)]
pub struct PublishArgs {
    /// The package (.scena-app).
    file: PathBuf,
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "SCENA_SERVER")]
    server: String,
    /// The publishing tenant.
    #[arg(long, env = "SCENA_TENANT")]
    tenant: String,
    /// An API token of the tenant with the right to publish apps.
    #[arg(long, env = "SCENA_TOKEN", hide_env_values = true)]
    token: String,
}

pub async fn run(command: AppCommand) -> Result<(), CliError> {
    match command {
        AppCommand::New(args) => new(args),
        AppCommand::Pack(args) => pack(args).await,
        AppCommand::Inspect(args) => inspect(args).await,
        AppCommand::Publish(args) => publish(args).await,
        AppCommand::Push(args) => push(args).await,
        AppCommand::Pull(args) => pull(args).await,
    }
}

/// What a publisher writes: the manifest less what `pack` fills in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppSource {
    #[serde(default = "format")]
    format: u32,
    name: String,
    version: semver::Version,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    min_scena: Option<semver::Version>,
    #[serde(default)]
    changelog: String,
    #[serde(default)]
    readme: Option<String>,
    #[serde(default)]
    icon: Option<String>,
    flows: Vec<String>,
    #[serde(default)]
    capabilities: Capabilities,
}

fn format() -> u32 {
    FORMAT
}

fn new(args: NewArgs) -> Result<(), CliError> {
    if !valid_app_name(&args.name) {
        return Err(CliError::other(format!(
            "`{}` is not an app name: use a-z, 0-9 and `-`, starting with a letter, at most 63",
            args.name
        )));
    }
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    if dir.exists() {
        return Err(CliError::other(format!("{} exists already", dir.display())));
    }
    let manifest = json!({
        "format": FORMAT,
        "name": args.name,
        "version": "0.1.0",
        "title": args.name,
        "description": "What this app does, in one sentence.",
        "categories": ["ops"],
        "changelog": "The first version.",
        "readme": "README.md",
        "flows": ["hello"],
        "capabilities": {"atoms": []},
    });
    let flow = json!({
        "name": "hello",
        "title": "Say hello",
        "inputs": {"type": "object", "properties": {"name": {"type": "string"}}},
        "nodes": [
            {"id": "start", "kind": "start"},
            {"id": "greet", "kind": "step", "plugin": "echo@^0.1", "input": {"greeting": "hello ${inputs.name}"}},
            {"id": "end", "kind": "end", "output": {"said": "${steps.greet.output.greeting}"}}
        ],
        "edges": [{"from": "start", "to": "greet"}, {"from": "greet", "to": "end"}],
    });
    let write = |path: PathBuf, text: String| {
        std::fs::write(&path, text).map_err(|e| CliError::other(format!("cannot write {}: {e}", path.display())))
    };
    for sub in ["flows", "plugins"] {
        std::fs::create_dir_all(dir.join(sub))
            .map_err(|e| CliError::other(format!("cannot create {}: {e}", dir.display())))?;
    }
    write(dir.join("scena-app.json"), pretty(&manifest))?;
    write(dir.join("flows/hello.json"), pretty(&flow))?;
    write(
        dir.join("README.md"),
        format!(
            "# {}\n\nWhat the app does, what it needs from the installing tenant (hosts, secrets, channels) and how to run its flows.\n",
            args.name
        ),
    )?;
    write(dir.join("plugins/.keep"), String::new())?;
    eprintln!(
        "created {}: flows in flows/, plugin components (.wasm) in plugins/, every capability they use in scena-app.json; then `scena app pack {}`",
        dir.display(),
        dir.display()
    );
    Ok(())
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).expect("JSON values serialise") + "\n"
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::other(format!("cannot read {}: {e}", path.display())))
}

async fn local_sandbox(data_dir: &DataDirArg) -> Result<(Sandbox, PluginDir), CliError> {
    let config = SandboxConfig { cache_dir: Some(data_dir.compiled_cache()), ..Default::default() };
    let sandbox = Sandbox::new(config)?;
    let mut standard = PluginDir::default();
    standard.add_components(&sandbox, STANDARD_PLUGINS).await;
    Ok((sandbox, standard))
}

async fn pack(args: PackArgs) -> Result<(), CliError> {
    let source_path = args.dir.join("scena-app.json");
    let source: AppSource = serde_json::from_slice(&read(&source_path)?)
        .map_err(|e| CliError::other(format!("{}: {e}", source_path.display())))?;
    let (sandbox, standard) = local_sandbox(&args.data_dir).await?;
    let mut files = BTreeMap::new();
    for flow in &source.flows {
        files.insert(flow_file(flow), read(&args.dir.join(flow_file(flow)))?);
    }
    for path in source.readme.iter().chain(source.icon.iter()) {
        files.insert(path.clone(), read(&args.dir.join(path))?);
    }
    let mut plugins = Vec::new();
    let plugin_dir = args.dir.join("plugins");
    let mut components: Vec<PathBuf> = match std::fs::read_dir(&plugin_dir) {
        Ok(entries) => {
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "wasm")).collect()
        }
        Err(_) => Vec::new(),
    };
    components.sort();
    for path in components {
        let bytes = read(&path)?;
        let plugin = sandbox
            .load(&bytes)
            .await
            .map_err(|e| CliError::other(format!("{}: not a plugin scena loads: {e}", path.display())))?;
        let (name, version) = (plugin.meta.name.clone(), plugin.meta.version.to_string());
        let file = plugin_file(&name, &version);
        plugins.push(PluginEntry { name, version, file: file.clone(), sha256: plugin.sha256.clone() });
        files.insert(file, bytes);
    }
    let manifest = Manifest {
        format: source.format,
        publisher: None,
        name: source.name,
        version: source.version,
        title: source.title,
        description: source.description,
        categories: source.categories,
        min_scena: source.min_scena,
        changelog: source.changelog,
        readme: source.readme,
        icon: source.icon,
        flows: source.flows,
        plugins,
        capabilities: source.capabilities,
        files: BTreeMap::new(),
    };
    let package = Package::assemble(manifest, files)?;
    if let Err(problems) = check_contents(&package, &sandbox, &standard).await {
        for problem in &problems {
            eprintln!("problem: {problem}");
        }
        return Err(CliError::other(format!("{} problem(s); nothing written", problems.len())));
    }
    let manifest = &package.manifest;
    let output =
        args.output.unwrap_or_else(|| PathBuf::from(format!("{}-{}.scena-app", manifest.name, manifest.version)));
    let bytes = package.to_bytes()?;
    std::fs::write(&output, &bytes).map_err(|e| CliError::other(format!("cannot write {}: {e}", output.display())))?;
    eprintln!(
        "packed {}@{} into {} ({} KiB, {} flow(s), {} plugin(s)); it asks for: {}",
        manifest.name,
        manifest.version,
        output.display(),
        bytes.len() / 1024,
        manifest.flows.len(),
        manifest.plugins.len(),
        serde_json::to_string(&manifest.capabilities).expect("serialises")
    );
    Ok(())
}

async fn inspect(args: InspectArgs) -> Result<(), CliError> {
    let package = Package::read(&read(&args.file)?).map_err(CliError::other)?;
    let (sandbox, standard) = local_sandbox(&args.data_dir).await?;
    let problems = check_contents(&package, &sandbox, &standard).await.err().unwrap_or_default();
    let signature = match &package.signature {
        None => json!({"signed": false}),
        Some(signature) => {
            let verified = package.verify(&signature.publisher, &signature.public_key);
            json!({
                "signed": true,
                "publisher": signature.publisher,
                "public_key": signature.public_key,
                "verifies": verified.is_ok(),
                "problem": verified.err(),
            })
        }
    };
    let report = json!({"manifest": package.manifest, "signature": signature, "problems": problems});
    println!("{}", pretty(&report).trim_end());
    if problems.is_empty() { Ok(()) } else { Err(CliError::other(format!("{} problem(s)", problems.len()))) }
}

async fn publish(args: PublishArgs) -> Result<(), CliError> {
    let bytes = read(&args.file)?;
    let url = format!("{}/api/v1/tenants/{}/apps", args.server.trim_end_matches('/'), args.tenant);
    let response = crate::tls::client()
        .post(&url)
        .bearer_auth(&args.token)
        .header("content-type", "application/gzip")
        .body(bytes)
        .send()
        .await
        .map_err(|e| CliError::other(format!("cannot reach {url}: {e}")))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    if !status.is_success() {
        let message = body["error"]["message"].as_str().unwrap_or("no message");
        let problems = body["error"]["details"]["problems"].as_array().cloned().unwrap_or_default();
        for problem in problems {
            eprintln!("problem: {}", problem.as_str().unwrap_or_default());
        }
        return Err(CliError::other(format!("the server refused the app ({status}): {message}")));
    }
    println!("{}", pretty(&body).trim_end());
    Ok(())
}

async fn push(args: PushArgs) -> Result<(), CliError> {
    let reference = oci::parse_reference(&args.reference).map_err(CliError::other)?;
    let bytes = read(&args.file)?;
    let package = Package::read(&bytes).map_err(CliError::other)?;
    if package.signature.is_none() {
        eprintln!(
            "note: {} is not signed; installers verify the publisher's signature — push the package a server published (GET …/market/apps/APP/versions/V/package)",
            args.file.display()
        );
    }
    let pushed = oci::push_app(&reference, &bytes, &package.manifest_bytes, &args.registry.auth())
        .await
        .map_err(CliError::other)?;
    println!("{}", pretty(&json!({"reference": pushed.reference, "digest": pushed.digest})).trim_end());
    Ok(())
}

async fn pull(args: PullArgs) -> Result<(), CliError> {
    let reference = oci::parse_reference(&args.reference).map_err(CliError::other)?;
    let (bytes, digest) = oci::pull_app(&reference, &args.registry.auth()).await.map_err(CliError::other)?;
    let package = Package::read(&bytes).map_err(|e| CliError::other(format!("{reference} is not a scena app: {e}")))?;
    std::fs::write(&args.output, &bytes)
        .map_err(|e| CliError::other(format!("cannot write {}: {e}", args.output.display())))?;
    eprintln!("pulled {} ({}) into {}", package.manifest.id(), digest, args.output.display());
    Ok(())
}
