//! `scena plugin build` for steps in Python (`step.py`) and TypeScript or
//! JavaScript (`step.ts`, `step.js`): their SDK's build (`plugins/python-sdk`,
//! `plugins/js-sdk`) with the toolchain installed once from the registries —
//! componentize-py from PyPI into a virtualenv, componentize-js, jco, esbuild
//! and TypeBox from npm — under the project's `.scena/` (or
//! `$SCENA_POLYGLOT_CACHE`, shared with `plugins/polyglot.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::CliError;

/// The language of the plugin project in `dir`, if it is not a Rust crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Python,
    JavaScript,
}

pub fn detect(dir: &Path) -> Option<Language> {
    if dir.join("step.py").is_file() {
        return Some(Language::Python);
    }
    let js = ["step.ts", "step.js", "step.mts", "step.mjs", "package.json"];
    js.iter().any(|f| dir.join(f).is_file()).then_some(Language::JavaScript)
}

/// The scena source tree this binary was built from (its SDKs and WIT world), or `$SCENA_SOURCE_DIR`.
fn source_tree() -> Result<PathBuf, CliError> {
    let root = std::env::var_os("SCENA_SOURCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    if !root.join("host-api/wit/step.wit").is_file() {
        return Err(CliError::other(format!(
            "cannot find the scena source tree (its SDKs and WIT world) at {}: set SCENA_SOURCE_DIR",
            root.display()
        )));
    }
    root.canonicalize().map_err(|e| CliError::other(format!("cannot resolve {}: {e}", root.display())))
}

fn run(command: &mut Command, what: &str) -> Result<(), CliError> {
    let status = command.status().map_err(|e| CliError::other(format!("cannot run {what}: {e}")))?;
    if status.success() { Ok(()) } else { Err(CliError::other(format!("{what} failed ({status})"))) }
}

fn toolchains(project: &Path) -> PathBuf {
    std::env::var_os("SCENA_POLYGLOT_CACHE").map(PathBuf::from).unwrap_or_else(|| project.join(".scena"))
}

/// Build the step in `project` into `out` (default `project/build/NAME.wasm`, as the SDKs write it).
pub fn build(project: &Path, language: Language, out: Option<&Path>) -> Result<PathBuf, CliError> {
    let root = source_tree()?;
    let wit = root.join("host-api/wit");
    let cache = toolchains(project);
    let name = project.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "plugin".into());
    let out = out.map(Path::to_path_buf).unwrap_or_else(|| project.join("build").join(format!("{name}.wasm")));
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| CliError::other(format!("cannot create {}: {e}", parent.display())))?;
    }
    match language {
        Language::Python => {
            let sdk = root.join("plugins/python-sdk");
            let venv = cache.join("venv");
            if !venv.join("bin/componentize-py").is_file() {
                eprintln!(
                    "installing the Python plugin toolchain (componentize-py, pinned by {}) into {} — once, from PyPI",
                    sdk.join("requirements.txt").display(),
                    venv.display()
                );
                let python = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
                run(Command::new(python).arg("-m").arg("venv").arg(&venv), "python3 -m venv")?;
                run(
                    Command::new(venv.join("bin/pip"))
                        .args(["install", "--disable-pip-version-check", "-q", "-r"])
                        .arg(sdk.join("requirements.txt")),
                    "pip install componentize-py",
                )?;
            }
            run(
                Command::new(venv.join("bin/python"))
                    .current_dir(&sdk)
                    .args(["-m", "scena_plugin.build"])
                    .arg(project)
                    .arg("-o")
                    .arg(&out)
                    .arg("-q")
                    .arg("--wit")
                    .arg(&wit)
                    .arg("--componentize-py")
                    .arg(venv.join("bin/componentize-py")),
                "the Python SDK's build",
            )?;
        }
        Language::JavaScript => {
            let sdk = root.join("plugins/js-sdk");
            let js = cache.join("js");
            if !js.join("node_modules/@bytecodealliance/componentize-js").is_dir() {
                eprintln!(
                    "installing the JS plugin toolchain (componentize-js, jco, esbuild, TypeBox, pinned by {}) into {} — once, from npm",
                    sdk.join("package-lock.json").display(),
                    js.display()
                );
                std::fs::create_dir_all(&js)
                    .map_err(|e| CliError::other(format!("cannot create {}: {e}", js.display())))?;
                for file in ["package.json", "package-lock.json"] {
                    std::fs::copy(sdk.join(file), js.join(file))
                        .map_err(|e| CliError::other(format!("cannot copy {file}: {e}")))?;
                }
                let npm = std::env::var_os("NPM").unwrap_or_else(|| "npm".into());
                run(Command::new(npm).current_dir(&js).args(["ci", "--no-audit", "--no-fund", "--silent"]), "npm ci")?;
            }
            let node = std::env::var_os("NODE").unwrap_or_else(|| "node".into());
            run(
                Command::new(node)
                    .env("SCENA_JS_TOOLCHAIN", &js)
                    .arg(sdk.join("build.mjs"))
                    .arg(project)
                    .arg("-o")
                    .arg(&out)
                    .arg("-q")
                    .arg("--wit")
                    .arg(&wit),
                "the JS SDK's build",
            )?;
        }
    }
    Ok(out)
}
