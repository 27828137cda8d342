//! Compiled components cached on disk, keyed by the component's sha256 and the
//! engine's compatibility hash, so a plugin is compiled once per engine build.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

#[derive(Clone)]
pub struct ArtifactCache {
    dir: Option<PathBuf>,
    engine_key: String,
}

impl ArtifactCache {
    /// `dir: None` compiles every time (nothing on disk).
    pub fn new(engine: &Engine, dir: Option<PathBuf>) -> ArtifactCache {
        #[cfg(unix)]
        if let Some(dir) = &dir
            && let Ok(meta) = std::fs::metadata(dir)
            && std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o022 != 0
        {
            tracing::warn!(
                "the compiled-plugin cache {} is writable by other users, who could have their code run by scena: make it private (chmod 700)",
                dir.display()
            );
        }
        let mut hasher = Sha256Hasher::default();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_key = hex::encode(&hasher.0.finalize()[..8]);
        ArtifactCache { dir, engine_key }
    }

    /// `keep` is asked, under its lock, before a compiled file is put in
    /// place: a compile abandoned meanwhile leaves nothing behind. (The file
    /// is written and synced before, without the lock.)
    pub fn load_or_compile(
        &self,
        engine: &Engine,
        sha256: &str,
        bytes: &[u8],
        keep: &Mutex<bool>,
    ) -> wasmtime::Result<Component> {
        let Some(path) = self.path_for(sha256) else {
            return compile(engine, bytes);
        };
        if path.exists() {
            // SAFETY: the file was written by `stage` below from a component
            // this engine compiled; its name binds it to the wasm's sha256 and
            // to this engine's compatibility hash, and only scena processes of
            // this user write to the cache directory (plugins have no file
            // system access; `stage` creates it private, and `new` warns of
            // one that others may write to).
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok(component),
                Err(e) => {
                    tracing::warn!("discarding unusable cached artifact {}: {e}", path.display());
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        let component = compile(engine, bytes)?;
        let staged = stage(&path, &component.serialize()?);
        let keep = keep.lock().expect("artifact keep lock");
        let stored = staged.and_then(|staged| {
            if *keep { std::fs::rename(&staged, &path) } else { std::fs::remove_file(&staged) }.inspect_err(|_| {
                let _ = std::fs::remove_file(&staged);
            })
        });
        if let Err(e) = stored {
            tracing::warn!("cannot cache compiled plugin at {}: {e}", path.display());
        }
        Ok(component)
    }

    /// Drop the compiled file of a component that was refused.
    pub fn forget(&self, sha256: &str) {
        if let Some(path) = self.path_for(sha256) {
            let _ = std::fs::remove_file(path);
        }
    }

    fn path_for(&self, sha256: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|dir| dir.join(format!("{sha256}-{}.cwasm", self.engine_key)))
    }
}

/// Write `bytes` beside `path` under a temporary name for [`load_or_compile`](ArtifactCache::load_or_compile)
/// to rename into place, so that a concurrent reader — of this process or
/// another sharing the directory — sees no file or the whole file. The file
/// is created exclusively under a name no other writer uses (process id,
/// time and a counter: processes in separate containers may share a pid)
/// and synced, so a crash leaves no torn file under the final name. The
/// directory is created private to this user: whoever can write to it can
/// have native code run.
fn stage(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write as _;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    if let Some(dir) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let tmp =
        path.with_extension(format!("tmp{}-{nanos}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
    // Created here or not at all: a name another writer holds is left to it.
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

#[derive(Default)]
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn finish(&self) -> u64 {
        0 // only the digest is read
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

/// Compile `bytes`, then hand back the memory compiling took: tens of MiB on
/// this thread and on wasmtime's compile threads (rayon's pool), which each
/// thread's heap would keep, unused, while the thread idles — a server's
/// first start (every standard plugin compiled) stayed at 150 MiB resident;
/// handed back, it is at 82 MiB. A component loaded from disk costs nothing.
fn compile(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Component> {
    let compiled = Component::new(engine, bytes);
    // SAFETY: `mi_collect` frees only pages the calling thread's heap no longer uses.
    let collect = || unsafe { libmimalloc_sys::mi_collect(true) };
    collect();
    rayon::broadcast(|_| collect());
    compiled
}
