//! Embeds what `scena serve` needs with no flags: the standard plugins (built
//! for wasm32-wasip2 by `cargo xtask guests`, which `cargo xtask start|test`
//! run first), the sample flows and the studio (`studio/dist`, built by
//! `cargo xtask studio`). A plain `cargo build` without the guests or the
//! studio still builds; the binary then says at `serve` how to get them.
//! Also the database migrations of both backends.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The plugins `plugins/` ships, by crate name (the rest of the guest workspace are test guests).
const STANDARD_PLUGINS: [&str; 11] = [
    "add",
    "echo",
    "find_hosts",
    "http_check",
    "http_request",
    "kv",
    "metric_gate",
    "notify",
    "push_file",
    "run_script",
    "standin",
];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let root = manifest.parent().expect("runtime/ sits in the repository").to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let guests = target.join("wasm32-wasip2/release");
    let samples = root.join("samples/flows");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    println!("cargo:rerun-if-changed={}", samples.display());

    let mut code =
        String::from("/// The standard plugins, by file name.\npub static STANDARD_PLUGINS: &[(&str, &[u8])] = &[\n");
    let found: Vec<PathBuf> =
        STANDARD_PLUGINS.iter().map(|name| guests.join(format!("{name}.wasm"))).filter(|p| p.is_file()).collect();
    for path in &found {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    if found.len() == STANDARD_PLUGINS.len() {
        for path in &found {
            writeln!(code, "    ({:?}, include_bytes!({:?})),", file_name(path), path.display().to_string()).unwrap();
        }
    } else {
        // Watch the folder, so that building the guests later embeds them.
        println!("cargo:rerun-if-changed={}", guests.display());
        println!(
            "cargo:warning=standard plugins not embedded: run `cargo xtask guests` first (or `cargo xtask start`)"
        );
    }
    code.push_str("];\n\n/// The sample flows, by file name.\npub static SAMPLE_FLOWS: &[(&str, &str)] = &[\n");
    let mut flows: Vec<PathBuf> = std::fs::read_dir(&samples)
        .map(|entries| {
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect()
        })
        .unwrap_or_default();
    flows.sort();
    for path in &flows {
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(code, "    ({:?}, include_str!({:?})),", file_name(path), path.display().to_string()).unwrap();
    }
    code.push_str("];\n\n/// The studio's built files, by path below `studio/dist` (empty if not built).\npub static STUDIO_FILES: &[(&str, &[u8])] = &[\n");
    let studio = root.join("studio/dist");
    println!("cargo:rerun-if-changed={}", studio.display());
    let mut files = Vec::new();
    collect_files(&studio, &mut files);
    files.sort();
    for path in &files {
        let relative = path.strip_prefix(&studio).expect("below dist").to_string_lossy().replace('\\', "/");
        writeln!(code, "    ({relative:?}, include_bytes!({:?})),", path.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    for backend in ["sqlite", "postgres"] {
        embed_migrations(&manifest.join("migrations").join(backend), backend, &mut code);
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("embedded.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

/// The database migrations of one backend, by file name in version order
/// (embedded here rather than by sqlx's `migrate!`, whose macro crate builds
/// every database driver a second time for the compiler).
fn embed_migrations(dir: &Path, backend: &str, code: &mut String) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("runtime/migrations/<backend> exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    let name = backend.to_uppercase();
    writeln!(code, "\n/// The {backend} migrations, by file name.\npub static {name}_MIGRATIONS: &[(&str, &str)] = &[")
        .unwrap();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(code, "    ({:?}, include_str!({:?})),", file_name(path), path.display().to_string()).unwrap();
    }
    code.push_str("];\n");
}

fn file_name(path: &Path) -> String {
    path.file_name().expect("a file").to_string_lossy().into_owned()
}

fn collect_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, into);
        } else {
            into.push(path);
        }
    }
}
