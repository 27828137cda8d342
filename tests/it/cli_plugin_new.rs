//! The plugin developer's loop, as the README tells it: `plugin new`, `plugin
//! build`, `plugin run`.

use std::process::Command;

use crate::support::{TempDir, repo_root, scena};
use serde_json::json;

#[test]
fn new_then_build_then_run_works_for_a_fresh_plugin() {
    let work = TempDir::new("new-plugin");
    let crate_dir = work.path().join("hello-ops");
    let crate_arg = crate_dir.display().to_string();

    let ran = scena(work.path(), &["plugin", "new", "hello-ops", "--dir", &crate_arg]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert!(crate_dir.join("src/lib.rs").is_file());

    // Builds share one target dir across test runs so only the first is slow.
    let shared_target = repo_root().join("target/scaffold-test");
    let built: crate::support::Ran = Command::new(env!("CARGO_BIN_EXE_scena"))
        .args(["plugin", "build", &crate_arg])
        .env("SCENA_DATA_DIR", work.path())
        .env("SCENA_CACHE_DIR", crate::support::compiled_cache())
        .env("CARGO_TARGET_DIR", &shared_target)
        // Built as a user's machine builds it, not with the lints `cargo xtask test` compiles under.
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS")
        .output()
        .unwrap()
        .into();
    assert_eq!(built.code, 0, "{built:?}");
    assert!(built.stderr.contains("built hello-ops@0.1.0"), "{built:?}");
    let component = built.stdout.lines().last().unwrap().to_string();
    assert!(component.ends_with("hello_ops.wasm") && std::path::Path::new(&component).is_file(), "{built:?}");

    let ran = scena(work.path(), &["plugin", "run", &component, "--input", r#"{"name": "ops"}"#]);
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(ran.json(), json!({"greeting": "Hello, ops!"}));
    assert!(ran.stderr.contains("[info] greeting ops"), "{ran:?}");

    let info = scena(work.path(), &["plugin", "inspect", &component]).json();
    assert_eq!(info["capabilities"], json!(["log"]));
    assert_eq!(info["input_schema"]["properties"]["name"]["type"], "string");
}

#[test]
fn new_refuses_bad_names_and_occupied_directories() {
    let work = TempDir::new("new-refuse");
    let ran =
        scena(work.path(), &["plugin", "new", "Hello_World", "--dir", &work.path().join("x").display().to_string()]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.reason().contains("invalid plugin name `Hello_World`"), "{ran:?}");
    assert!(!work.path().join("x").exists());

    std::fs::write(work.path().join("keep.txt"), "mine").unwrap();
    let ran = scena(work.path(), &["plugin", "new", "hello", "--dir", &work.path().display().to_string()]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.reason().contains("already exists and is not empty"), "{ran:?}");
    assert_eq!(std::fs::read_to_string(work.path().join("keep.txt")).unwrap(), "mine");
}

#[test]
fn build_explains_what_is_missing() {
    let work = TempDir::new("build-missing");
    let ran = scena(work.path(), &["plugin", "build", &work.path().display().to_string()]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(ran.reason().contains("holds no plugin: a Rust crate (Cargo.toml), a Python step"), "{ran:?}");
}

/// `plugin new --lang python|js`, then `plugin build` (the toolchains of
/// `target/polyglot`, which `cargo xtask test` installed, so nothing is
/// downloaded again) and `plugin run`: the scaffold builds and runs as is.
#[test]
fn python_and_typescript_scaffolds_build_and_run_as_is() {
    let cache = crate::support::repo_root().join("target/polyglot");
    for (lang, name) in [("python", "greet-py"), ("js", "greet-js")] {
        let work = TempDir::new(name);
        let dir = work.path().join(name);
        let made = scena(work.path(), &["plugin", "new", name, "--lang", lang, "--dir", dir.to_str().unwrap()]);
        assert_eq!(made.code, 0, "{made:?}");
        let out = work.path().join(format!("{name}.wasm"));
        let built = std::process::Command::new(env!("CARGO_BIN_EXE_scena"))
            .args(["plugin", "build", dir.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .env("SCENA_DATA_DIR", work.path())
            .env("SCENA_CACHE_DIR", crate::support::compiled_cache())
            .env("SCENA_POLYGLOT_CACHE", &cache)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&built.stderr);
        assert!(built.status.success(), "{lang}: {stderr}");
        assert!(stderr.contains(&format!("built {name}@0.1.0")), "{lang}: {stderr}");
        let ran = scena(work.path(), &["plugin", "run", out.to_str().unwrap(), "--input", r#"{"name": "ops"}"#]);
        assert_eq!(ran.json()["greeting"], "Hello, ops!", "{lang}: {ran:?}");
        let bad = scena(work.path(), &["plugin", "run", out.to_str().unwrap(), "--input", r#"{"name": 7}"#]);
        assert_eq!(bad.code, 2, "the schema derived from the types is enforced: {bad:?}");
    }
}
