use std::path::{Path, PathBuf};

use clap::Args;
use scena_host_api::validate_plugin_name;

use super::CliError;

#[derive(Args)]
pub struct NewArgs {
    /// Plugin name: lowercase letters, digits and `-`, starting with a letter.
    name: String,
    /// The language of the step.
    #[arg(long, value_enum, default_value = "rust")]
    lang: Lang,
    /// Directory of the new crate [default: ./NAME].
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The scena-plugin SDK crate to depend on [default: $SCENA_SDK_DIR, else the SDK of the scena source tree this binary was built from].
    #[arg(long, value_name = "DIR")]
    sdk: Option<PathBuf>,
}

/// The languages a plugin may be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
    Python,
    Js,
}

const CARGO_TOML: &str = include_str!("templates/Cargo.toml.tmpl");
const STEP_PY: &str = include_str!("templates/step.py.tmpl");
const STEP_TS: &str = include_str!("templates/step.ts.tmpl");
const GITIGNORE_POLYGLOT: &str = include_str!("templates/gitignore-polyglot.tmpl");
const LIB_RS: &str = include_str!("templates/lib.rs.tmpl");
const GITIGNORE: &str = include_str!("templates/gitignore.tmpl");
const CARGO_CONFIG: &str = include_str!("templates/cargo-config.toml.tmpl");

pub fn run(args: NewArgs) -> Result<(), CliError> {
    validate_plugin_name(&args.name).map_err(|e| CliError::other(e.to_string()))?;
    let dir = args.dir.unwrap_or_else(|| PathBuf::from(&args.name));
    if dir.exists() && std::fs::read_dir(&dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(CliError::other(format!("{} already exists and is not empty", dir.display())));
    }
    if args.lang != Lang::Rust {
        let fill =
            |template: &str| template.replace("{{name}}", &args.name).replace("{{type}}", &type_name(&args.name));
        let step = match args.lang {
            Lang::Python => ("step.py", fill(STEP_PY)),
            _ => ("step.ts", fill(STEP_TS)),
        };
        for (relative, contents) in [step, (".gitignore", GITIGNORE_POLYGLOT.to_string())] {
            write(&dir.join(relative), &contents)?;
        }
        eprintln!("created plugin `{}` ({:?}) in {}", args.name, args.lang, dir.display());
        eprintln!("next: scena plugin build {}", dir.display());
        return Ok(());
    }
    let sdk = find_sdk(args.sdk)?;
    let fill = |template: &str| {
        template
            .replace("{{name}}", &args.name)
            .replace("{{crate}}", &args.name.replace('-', "_"))
            .replace("{{type}}", &type_name(&args.name))
            .replace("{{sdk}}", &sdk.display().to_string().replace('\\', "/"))
    };
    let files = [
        ("Cargo.toml", fill(CARGO_TOML)),
        ("src/lib.rs", fill(LIB_RS)),
        (".gitignore", GITIGNORE.to_string()),
        (".cargo/config.toml", CARGO_CONFIG.to_string()),
    ];
    for (relative, contents) in files {
        write(&dir.join(relative), &contents)?;
    }
    eprintln!("created plugin `{}` in {}", args.name, dir.display());
    eprintln!("next: scena plugin build {}", dir.display());
    Ok(())
}

fn write(path: &Path, contents: &str) -> Result<(), CliError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| CliError::other(format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::write(path, contents).map_err(|e| CliError::other(format!("cannot write {}: {e}", path.display())))
}

fn find_sdk(explicit: Option<PathBuf>) -> Result<PathBuf, CliError> {
    let candidate = explicit
        .or_else(|| std::env::var_os("SCENA_SDK_DIR").map(PathBuf::from))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/sdk"));
    let manifest = candidate.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(CliError::other(format!(
            "cannot find the scena-plugin SDK at {} (pass --sdk DIR or set SCENA_SDK_DIR)",
            candidate.display()
        )));
    }
    candidate.canonicalize().map_err(|e| CliError::other(format!("cannot resolve {}: {e}", candidate.display())))
}

/// `stop-game-processes` → `StopGameProcesses`.
fn type_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn type_names_are_camel_case() {
        assert_eq!(super::type_name("stop-game-processes"), "StopGameProcesses");
        assert_eq!(super::type_name("echo2"), "Echo2");
    }
}
