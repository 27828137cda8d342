//! How an agent runs one script: `INTERPRETER -c SCRIPT` in a process group
//! of its own (so a timeout or a cancel kills every process it started, not
//! only the shell), stdout and stderr kept together, only the last 64 KiB.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
use tokio::sync::watch;

use super::protocol::{Ended, OUTPUT_TAIL_BYTES};

/// The interpreters an agent runs scripts with.
pub const INTERPRETERS: [&str; 4] = ["sh", "bash", "python3", "perl"];

pub struct Outcome {
    pub ended: Ended,
    pub exit_code: Option<i32>,
    pub output_tail: String,
    pub reason: Option<String>,
}

#[derive(Default)]
struct Tail(Vec<u8>);

impl Tail {
    fn push(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
        if self.0.len() > OUTPUT_TAIL_BYTES {
            let cut = self.0.len() - OUTPUT_TAIL_BYTES;
            self.0.drain(..cut);
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

async fn drain(mut from: impl AsyncRead + Unpin, tail: Arc<Mutex<Tail>>) {
    let mut buffer = [0u8; 8192];
    while let Ok(n) = from.read(&mut buffer).await {
        if n == 0 {
            break;
        }
        tail.lock().expect("tail lock").push(&buffer[..n]);
    }
}

fn failed(reason: String) -> Outcome {
    Outcome { ended: Ended::Failed, exit_code: None, output_tail: String::new(), reason: Some(reason) }
}

/// Run `script`; `cancel` turning true stops it.
pub async fn run(
    script: &str,
    interpreter: &str,
    account: &str,
    timeout: Duration,
    mut cancel: watch::Receiver<bool>,
) -> Outcome {
    if !INTERPRETERS.contains(&interpreter) {
        return failed(format!("interpreter `{interpreter}` is not one of {}", INTERPRETERS.join(", ")));
    }
    let me = std::env::var("USER").unwrap_or_default();
    if !account.is_empty() && account != me {
        return failed(format!("this agent runs scripts as `{me}`, not as `{account}`"));
    }
    let mut command = Command::new(interpreter);
    command
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return failed(format!("cannot start `{interpreter}`: {e}")),
    };
    let group = child.id().map(|pid| pid as i32);
    let tail = Arc::new(Mutex::new(Tail::default()));
    let out = tokio::spawn(drain(child.stdout.take().expect("piped"), tail.clone()));
    let err = tokio::spawn(drain(child.stderr.take().expect("piped"), tail.clone()));
    let kill_group = || {
        if let Some(pgid) = group {
            // SAFETY: killpg only sends a signal; the group is the child's own (process_group(0)).
            unsafe { libc::killpg(pgid, libc::SIGKILL) };
        }
    };
    let (ended, exit_code, reason) = tokio::select! {
        status = child.wait() => match status {
            Ok(status) if status.success() => (Ended::Succeeded, status.code(), None),
            Ok(status) => (Ended::Failed, status.code(), status.code().is_none().then(|| "killed by a signal".to_string())),
            Err(e) => (Ended::Failed, None, Some(format!("waiting for the script failed: {e}"))),
        },
        () = tokio::time::sleep(timeout) => {
            kill_group();
            let _ = child.wait().await;
            (Ended::Failed, None, Some(format!("timed out after {} ms", timeout.as_millis())))
        }
        () = async { let _ = cancel.wait_for(|c| *c).await; } => {
            kill_group();
            let _ = child.wait().await;
            (Ended::Cancelled, None, Some("cancelled".to_string()))
        }
    };
    // Processes of the group that outlived the shell would keep the pipes open.
    kill_group();
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = out.await;
        let _ = err.await;
    })
    .await;
    let output_tail = tail.lock().expect("tail lock").text();
    Outcome { ended, exit_code, output_tail, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> watch::Receiver<bool> {
        let (sender, receiver) = watch::channel(false);
        std::mem::forget(sender);
        receiver
    }

    #[tokio::test]
    async fn a_script_reports_its_exit_code_and_output() {
        let ok = run("echo hello; echo oops >&2", "sh", "", Duration::from_secs(10), never()).await;
        assert_eq!((ok.ended, ok.exit_code), (Ended::Succeeded, Some(0)));
        assert!(ok.output_tail.contains("hello") && ok.output_tail.contains("oops"), "{}", ok.output_tail);
        let bad = run("exit 3", "sh", "", Duration::from_secs(10), never()).await;
        assert_eq!((bad.ended, bad.exit_code), (Ended::Failed, Some(3)));
    }

    #[tokio::test]
    async fn only_the_last_64_kib_of_output_are_kept() {
        let loud =
            run("head -c 3000000 /dev/zero | tr '\\0' x; echo END", "sh", "", Duration::from_secs(30), never()).await;
        assert_eq!(loud.ended, Ended::Succeeded);
        assert!(loud.output_tail.len() <= OUTPUT_TAIL_BYTES && loud.output_tail.ends_with("END\n"));
    }

    #[tokio::test]
    async fn a_timeout_kills_the_whole_group_even_if_it_ignores_sigterm() {
        let pid_file = std::env::temp_dir().join(format!("scena-runner-{}.pid", std::process::id()));
        let script = format!("trap '' TERM; sleep 60 & echo $! > {}; wait", pid_file.display());
        let slow = run(&script, "sh", "", Duration::from_millis(500), never()).await;
        assert_eq!(slow.ended, Ended::Failed);
        assert!(slow.reason.unwrap().contains("timed out"));
        let pid: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
        let _ = std::fs::remove_file(&pid_file);
        // The background `sleep` went with the group: gone, or a zombie no one reaped yet.
        let alive = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|stat| stat.rsplit(')').next().and_then(|rest| rest.split_whitespace().next()) != Some("Z"))
        };
        for _ in 0..100 {
            if !alive() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("process {pid} of the script's group survived the timeout");
    }

    #[tokio::test]
    async fn unknown_interpreters_and_other_accounts_are_refused() {
        assert!(run("x", "ruby-9", "", Duration::from_secs(1), never()).await.reason.unwrap().contains("not one of"));
        let other = run("true", "sh", "someone-else", Duration::from_secs(1), never()).await;
        assert_eq!(other.ended, Ended::Failed);
    }
}
