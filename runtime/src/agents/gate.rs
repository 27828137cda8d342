//! A script held at its first line until an instant: the interpreter is
//! started ahead with a prologue that reads one byte from its stdin (a pipe
//! the agent holds), then puts `/dev/null` there as for any script. At the
//! instant the agent writes the byte: what is left to do then is a read
//! returning in an interpreter already loaded, not a fork and an exec — so a
//! hundred hosts begin within milliseconds of each other, not a hundred
//! process starts apart. The script's own line numbers are kept. Perl is the
//! exception: a shell waits, and perl starts at the instant (an exec).

use std::time::{Duration, SystemTime};

use tokio::io::AsyncWriteExt;
use tokio::process::ChildStdin;

/// The program and its arguments running `script` with `interpreter` behind the gate.
pub fn command_line(interpreter: &str, script: &str) -> (&'static str, Vec<String>) {
    let shell_gate = "read -r _ || exit 125; exec </dev/null; ";
    match interpreter {
        // On the script's first line: its line numbers stay as written.
        "sh" => ("sh", vec!["-c".into(), format!("{shell_gate}{script}")]),
        "bash" => ("bash", vec!["-c".into(), format!("{shell_gate}{script}")]),
        // Compiled before the wait, so only running is left at the instant;
        // run as `__main__` itself, the prologue's names gone, as `-c` would.
        "python3" => (
            "python3",
            vec![
                "-c".into(),
                "import os as _o, sys as _s\n\
                 _c = compile(_s.argv.pop(1), '<string>', 'exec')\n\
                 if not _o.read(0, 1): _o._exit(125)\n\
                 _o.dup2(_o.open(_o.devnull, _o.O_RDONLY), 0)\n\
                 del _o, _s\n\
                 exec(globals().pop('_c'), globals())\n"
                    .into(),
                script.into(),
            ],
        ),
        // Compiling a perl program runs its `BEGIN` blocks and `use` imports,
        // and one compiled inside an `eval` sees a caller: a shell waits
        // instead, and perl itself starts at the instant, as `perl -e` would.
        "perl" => ("sh", vec!["-c".into(), format!("{shell_gate}exec perl -e \"$0\""), script.into()]),
        other => unreachable!("interpreter `{other}` is checked before"),
    }
}

/// Sleep until `at` by this host's clock, looking at the clock again a
/// second before: a clock stepped meanwhile (NTP) is followed.
pub async fn until(at: SystemTime) {
    const LOOK_AGAIN: Duration = Duration::from_secs(1);
    while let Ok(left) = at.duration_since(SystemTime::now()) {
        if left <= LOOK_AGAIN {
            return tokio::time::sleep(left).await;
        }
        tokio::time::sleep(left - LOOK_AGAIN).await;
    }
}

/// Let the held script go.
pub async fn release(mut gate: ChildStdin) -> std::io::Result<()> {
    gate.write_all(b"\n").await?;
    gate.flush().await
}
