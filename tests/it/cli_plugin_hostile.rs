//! Hostile plugins through `scena plugin run`: each ends with its documented
//! exit code and a one-line reason, and prints nothing on stdout.

use crate::support::{TempDir, guest, scena};

fn run(guest_name: &str, extra: &[&str]) -> crate::support::Ran {
    let data = TempDir::new(guest_name);
    let file = guest(guest_name).display().to_string();
    let mut args = vec!["plugin", "run", file.as_str(), "--timeout-ms", "1000"];
    args.extend_from_slice(extra);
    scena(data.path(), &args)
}

#[test]
fn each_hostile_behaviour_has_its_exit_code_and_reason() {
    let cases: [(&str, &[&str], i32, &str); 8] = [
        ("loop-forever", &[], 6, "error: limit: deadline of 1000 ms exceeded"),
        ("alloc-forever", &[], 6, "error: limit: memory limit of 64 MiB reached"),
        ("recurse-forever", &[], 6, "error: limit: stack overflow"),
        ("panic", &[], 6, "the plugin gave up on purpose"),
        ("huge-output", &["--input", r#"{"megabytes": 8}"#], 6, "over the limit of 1048576 bytes"),
        ("undeclared-import", &[], 1, "does not declare the `http` capability"),
        (
            "http-ungranted",
            &["--input", r#"{"url": "http://internal.example/"}"#, "--allow-http", "*.example.com"],
            3,
            "error: denied: host `internal.example` is not on the HTTP allow-list of tenant `local`",
        ),
        (
            "secret-ungranted",
            &["--input", r#"{"name": "ROOT"}"#, "--secret", "OTHER=x"],
            3,
            "error: denied: secret `ROOT` is not granted to tenant `local`",
        ),
    ];
    for (name, extra, code, reason) in cases {
        let ran = run(name, extra);
        assert_eq!(ran.code, code, "{name}: {ran:?}");
        assert!(ran.reason().contains(reason), "{name}: {ran:?}");
        assert!(ran.reason().starts_with("error: "), "{name}: {ran:?}");
        assert!(ran.stdout.is_empty(), "{name}: {ran:?}");
    }
}

#[test]
fn a_lower_memory_limit_is_enforced() {
    let ran = run("huge-output", &["--input", r#"{"megabytes": 3}"#, "--memory-mb", "2"]);
    assert_eq!(ran.code, 6, "{ran:?}");
    assert!(ran.reason().contains("memory limit of 2 MiB reached"), "{ran:?}");
}

#[test]
fn a_granted_secret_is_masked_wherever_the_plugin_puts_it() {
    let secret = ["--secret", "TOKEN=s3cr3t-value"];
    let done = run("secret-leak", &[&["--input", r#"{"name": "TOKEN"}"#][..], &secret[..]].concat());
    assert_eq!(done.code, 0, "{done:?}");
    assert_eq!(done.json()["plain"], "[secret]", "{done:?}");
    assert_eq!(done.json()["nested"]["list"][0], "prefix-[secret]-suffix", "{done:?}");
    assert_eq!(done.json()["length"], "s3cr3t-value".len(), "the plugin did read the real value");
    assert!(done.stderr.contains("the secret is [secret]") && done.stderr.contains("stderr says [secret]"), "{done:?}");
    let failed = run("secret-leak", &[&["--input", r#"{"name": "TOKEN", "via": "fail"}"#][..], &secret[..]].concat());
    assert_ne!(failed.code, 0, "{failed:?}");
    assert!(failed.reason().contains("failed holding [secret]"), "{failed:?}");
    for ran in [&done, &failed] {
        assert!(
            !ran.stdout.contains("s3cr3t-value") && !ran.stderr.contains("s3cr3t-value"),
            "the value leaked: {ran:?}"
        );
    }
}
