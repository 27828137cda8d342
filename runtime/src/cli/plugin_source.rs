//! Loading a component file into a sandbox, shared by `inspect`, `run` and `build`.

use std::path::Path;
use std::sync::Arc;

use super::CliError;
use crate::sandbox::{Plugin, Sandbox};

pub async fn load_file(sandbox: &Sandbox, path: &Path) -> Result<Arc<Plugin>, CliError> {
    let bytes = std::fs::read(path).map_err(|e| CliError::other(format!("cannot read {}: {e}", path.display())))?;
    sandbox.load(&bytes).await.map_err(|e| CliError::other(format!("{} is not a usable plugin: {e}", path.display())))
}
