//! How an agent places one file (`push-file`): fetch the job's content from
//! the server, write it beside its destination while hashing it, and only if
//! its size and sha256 are the job's, give it its mode and rename it over
//! the destination — a reader sees the old file or the new one, never half
//! of one. A file already there with that sha256 is left as it is.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::watch;

use super::leftovers::PARTIAL_MARK;
use super::protocol::Ended;
use super::runner::{Outcome, own_account};

/// What to place, as the server sent it.
pub struct Placement {
    pub sha256: String,
    pub size: u64,
    pub path: String,
    pub mode: u32,
    pub account: String,
}

/// Where the content comes from: the server's URL for it and the agent's credential.
pub struct Source<'a> {
    pub client: &'a reqwest::Client,
    pub url: String,
    pub credential: &'a str,
}

/// Why a file cannot be placed at `path`: `None` if it can be. An absolute
/// path naming a file, without `.` or `..` steps (the agent checks again).
pub fn placement_path_problem(path: &str) -> Option<String> {
    if !path.starts_with('/') || path.ends_with('/') || path.len() > 4096 || path.contains('\0') {
        return Some(format!("path `{path}` is not an absolute path to a file"));
    }
    if path.split('/').any(|step| step == "." || step == "..") {
        return Some(format!("path `{path}` has `.` or `..` steps: write it out"));
    }
    None
}

/// Place `placement`, writing its content to `partial` first; `cancel` turning true stops it.
pub async fn place(
    source: Source<'_>,
    placement: &Placement,
    partial: PartialFile,
    timeout: Duration,
    mut cancel: watch::Receiver<bool>,
) -> Outcome {
    let ended = tokio::select! {
        placed = place_now(&source, placement, &partial) => placed,
        () = tokio::time::sleep(timeout) => Err(format!("timed out after {} ms", timeout.as_millis())),
        () = async { let _ = cancel.wait_for(|c| *c).await; } => {
            partial.remove();
            return Outcome { ended: Ended::Cancelled, exit_code: None, output_tail: String::new(), reason: Some("cancelled".into()) };
        }
    };
    partial.remove();
    match ended {
        Ok(said) => Outcome { ended: Ended::Succeeded, exit_code: None, output_tail: said, reason: None },
        Err(why) => Outcome { ended: Ended::Failed, exit_code: None, output_tail: String::new(), reason: Some(why) },
    }
}

async fn place_now(source: &Source<'_>, placement: &Placement, partial: &PartialFile) -> Result<String, String> {
    own_account(&placement.account)?;
    let path = Path::new(&placement.path);
    if let Some(problem) = placement_path_problem(&placement.path) {
        return Err(problem);
    }
    if placement.mode > 0o7777 {
        return Err(format!("mode {:o} is not permission bits", placement.mode));
    }
    // A regular file is replaced (and left alone if it has the content
    // already); a symbolic link is replaced by the file, never followed; a
    // directory, device or pipe is not a file to replace.
    match tokio::fs::symlink_metadata(path).await {
        Ok(found) if found.is_file() => {
            if sha256_of(path).await.as_deref() == Some(placement.sha256.as_str()) {
                set_mode(path, placement.mode).await?;
                return Ok(format!("{} was already in place (sha256 {})", placement.path, placement.sha256));
            }
        }
        Ok(found) if found.file_type().is_symlink() => {}
        Ok(_) => return Err(format!("{} is there and is not a regular file", placement.path)),
        Err(_) => {}
    }
    let parent = path.parent().ok_or_else(|| format!("{} has no directory", placement.path))?;
    tokio::fs::create_dir_all(parent).await.map_err(|e| format!("cannot make {}: {e}", parent.display()))?;
    let written = fetch_into(source, placement, &partial.path).await?;
    if written.0 != placement.size || written.1 != placement.sha256 {
        return Err(format!(
            "the content fetched is not the job's: {} bytes with sha256 {}, expected {} bytes with sha256 {}",
            written.0, written.1, placement.size, placement.sha256
        ));
    }
    set_mode(&partial.path, placement.mode).await?;
    tokio::fs::rename(&partial.path, path).await.map_err(|e| format!("cannot put it at {}: {e}", placement.path))?;
    // The rename itself is durable once the directory is synced.
    if let Ok(dir) = tokio::fs::File::open(parent).await {
        let _ = dir.sync_all().await;
    }
    Ok(format!(
        "placed {} ({} bytes, sha256 {}, mode {:o})",
        placement.path, placement.size, placement.sha256, placement.mode
    ))
}

/// Fetch the content into `into`, hashing it; at most one byte more than
/// expected is taken, so a wrong answer cannot fill the disk.
async fn fetch_into(source: &Source<'_>, placement: &Placement, into: &Path) -> Result<(u64, String), String> {
    let mut response = source
        .client
        .get(&source.url)
        .bearer_auth(source.credential)
        .send()
        .await
        .map_err(|e| format!("cannot fetch the file from the server: {e}"))?;
    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        return Err(format!("the server refused the file ({status}): {}", body.chars().take(300).collect::<String>()));
    }
    // Readable by the agent's account only until it is complete and given its
    // mode; a new file, so nothing already at that name is followed or reused.
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(into)
        .await
        .map_err(|e| format!("cannot write {}: {e}", into.display()))?;
    let (mut hasher, mut written) = (Sha256::new(), 0u64);
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("the download broke off: {e}"))? {
        written += chunk.len() as u64;
        if written > placement.size {
            return Err(format!("the server sent more than the {} bytes expected", placement.size));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(|e| format!("cannot write {}: {e}", into.display()))?;
    }
    file.sync_all().await.map_err(|e| format!("cannot write {}: {e}", into.display()))?;
    Ok((written, hex::encode(hasher.finalize())))
}

async fn sha256_of(path: &Path) -> Option<String> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(path).ok()?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher).ok()?;
        Some(hex::encode(hasher.finalize()))
    })
    .await
    .ok()
    .flatten()
}

async fn set_mode(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    tokio::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .await
        .map_err(|e| format!("cannot set mode {mode:o} on {}: {e}", path.display()))
}

/// The file the content is written to before it is renamed into place: in
/// the destination's directory (a rename within one file system), hidden,
/// and named for this attempt only.
pub struct PartialFile {
    path: PathBuf,
}

impl PartialFile {
    pub fn beside(destination: &str) -> PartialFile {
        let destination = Path::new(destination);
        let name = destination.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // Short enough for any file system's name limit (255 bytes), the uuid included.
        let name: String = name.chars().take(100).collect();
        let partial = format!(".{name}{PARTIAL_MARK}{}", uuid::Uuid::new_v4().simple());
        PartialFile { path: destination.with_file_name(partial) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Gone once placing ended, however it ended (after a rename there is nothing to remove).
    fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
