//! How an agent runs one script: the interpreter (`-c SCRIPT`, perl's `-e`)
//! in a process group of its own (so a timeout or a cancel kills every
//! process it started, not only the shell), stdout and stderr kept together,
//! only the last 64 KiB. A script due at an instant is started ahead and held
//! at its first line (`gate`), so the hosts of a wave begin together.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
use tokio::sync::watch;

use super::gate;
use super::protocol::{Ended, OUTPUT_TAIL_BYTES};

/// The interpreters an agent runs scripts with.
pub const INTERPRETERS: [&str; 4] = ["sh", "bash", "python3", "perl"];

pub struct Outcome {
    pub ended: Ended,
    pub exit_code: Option<i32>,
    pub output_tail: String,
    pub reason: Option<String>,
}

/// Where a running script's output goes as it comes: (text, bytes printed so far).
pub type Report = Arc<dyn Fn(String, u64) + Send + Sync>;

/// How often what a script printed is reported while it runs.
const REPORT_EVERY: Duration = Duration::from_millis(250);

/// A line longer than this is reported before its end comes.
const LONGEST_HELD_LINE: usize = 4 << 10;

#[derive(Default)]
struct Tail {
    bytes: Vec<u8>,
    /// Bytes printed so far.
    total: u64,
    /// Of those, how many were reported (or dropped before they could be).
    reported: u64,
}

impl Tail {
    fn push(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
        self.total += bytes.len() as u64;
        if self.bytes.len() > OUTPUT_TAIL_BYTES {
            let cut = self.bytes.len() - OUTPUT_TAIL_BYTES;
            self.bytes.drain(..cut);
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// What was printed since the last report: whole lines (so a character is
    /// never cut in two), unless a line grows too long or `all` is asked.
    fn unreported(&mut self, all: bool) -> Option<(String, u64)> {
        let waiting = usize::try_from(self.total - self.reported).unwrap_or(usize::MAX).min(self.bytes.len());
        let fresh = &self.bytes[self.bytes.len() - waiting..];
        let take = match fresh.iter().rposition(|b| *b == b'\n') {
            _ if all => fresh.len(),
            Some(newline) => newline + 1,
            None if fresh.len() >= LONGEST_HELD_LINE => whole_characters(fresh),
            None => return None,
        };
        if take == 0 {
            return None;
        }
        self.reported = self.total - (waiting - take) as u64;
        Some((String::from_utf8_lossy(&fresh[..take]).into_owned(), self.reported))
    }
}

/// How much of `bytes` ends on a whole UTF-8 character (all of it if it is
/// not UTF-8 anyway): a long line is cut there, not inside a character.
fn whole_characters(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Err(cut) if cut.error_len().is_none() && cut.valid_up_to() > 0 => cut.valid_up_to(),
        _ => bytes.len(),
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

/// An agent acts as the account it runs as: `account` must be empty or that one.
pub fn own_account(account: &str) -> Result<(), String> {
    let me = std::env::var("USER").unwrap_or_default();
    if account.is_empty() || account == me {
        Ok(())
    } else {
        Err(format!("this agent acts as `{me}`, not as `{account}`"))
    }
}

/// One script to run.
pub struct Script<'a> {
    pub text: &'a str,
    pub interpreter: &'a str,
    pub account: &'a str,
    /// Added to the script's environment.
    pub env: &'a [(&'a str, &'a str)],
    /// Counted from the start (from `at`, for a script held until then).
    pub timeout: Duration,
    /// Begin at this instant (by this host's clock), not at once.
    pub at: Option<SystemTime>,
}

/// Run `script`; `cancel` turning true stops it (held or running); what it
/// prints goes to `report` as it comes, if given.
pub async fn run(script: Script<'_>, mut cancel: watch::Receiver<bool>, report: Option<Report>) -> Outcome {
    let Script { text, interpreter, account, env, timeout, at } = script;
    if !INTERPRETERS.contains(&interpreter) {
        return failed(format!("interpreter `{interpreter}` is not one of {}", INTERPRETERS.join(", ")));
    }
    if let Err(why) = own_account(account) {
        return failed(why);
    }
    // Held only if the instant is still ahead; a past one starts at once.
    let held_until = at.filter(|at| *at > SystemTime::now());
    let mut command = if held_until.is_some() {
        let (program, args) = gate::command_line(interpreter, text);
        let mut command = Command::new(program);
        command.args(args).stdin(Stdio::piped());
        command
    } else {
        let mut command = Command::new(interpreter);
        command.arg(if interpreter == "perl" { "-e" } else { "-c" }).arg(text).stdin(Stdio::null());
        command
    };
    command.envs(env.iter().copied()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0).kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return failed(format!("cannot start `{interpreter}`: {e}")),
    };
    let gate = child.stdin.take();
    let group = child.id().map(|pid| pid as i32);
    let tail = Arc::new(Mutex::new(Tail::default()));
    let out = tokio::spawn(drain(child.stdout.take().expect("piped"), tail.clone()));
    let err = tokio::spawn(drain(child.stderr.take().expect("piped"), tail.clone()));
    let (stop_reporting, mut reporting_stopped) = watch::channel(false);
    let reporting = report.clone().map(|report| {
        let tail = tail.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(REPORT_EVERY) => {}
                    _ = reporting_stopped.changed() => break,
                }
                let fresh = tail.lock().expect("tail lock").unreported(false);
                if let Some((text, total)) = fresh {
                    report(text, total);
                }
            }
        })
    });
    let kill_group = || {
        if let Some(pgid) = group {
            // SAFETY: killpg only sends a signal; the group is the child's own (process_group(0)).
            unsafe { libc::killpg(pgid, libc::SIGKILL) };
        }
    };
    if let (Some(at), Some(gate)) = (held_until, gate) {
        // A script that exits while held (its syntax refused, killed) ends as it ended.
        tokio::select! {
            () = gate::until(at) => {
                if let Err(e) = gate::release(gate).await {
                    kill_group();
                    let _ = child.wait().await;
                    return failed(format!("the held script could not be released: {e}"));
                }
            }
            _ = child.wait() => {}
            () = async { let _ = cancel.wait_for(|c| *c).await; } => {
                kill_group();
                let _ = child.wait().await;
                return Outcome { ended: Ended::Cancelled, exit_code: None, output_tail: String::new(), reason: Some("cancelled before its instant".into()) };
            }
        }
    }
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
    // Stopped and waited for, so nothing it reports comes after the last report.
    let _ = stop_reporting.send(true);
    if let Some(reporting) = reporting {
        let _ = reporting.await;
    }
    let mut tail = tail.lock().expect("tail lock");
    if let (Some(report), Some((text, total))) = (report, tail.unreported(true)) {
        report(text, total);
    }
    Outcome { ended, exit_code, output_tail: tail.text(), reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script<'a>(text: &'a str, interpreter: &'a str, timeout: Duration) -> Script<'a> {
        Script { text, interpreter, account: "", env: &[], timeout, at: None }
    }

    fn never() -> watch::Receiver<bool> {
        let (sender, receiver) = watch::channel(false);
        std::mem::forget(sender);
        receiver
    }

    #[tokio::test]
    async fn a_script_reports_its_exit_code_and_output() {
        let ok = run(script("echo hello; echo oops >&2", "sh", Duration::from_secs(10)), never(), None).await;
        assert_eq!((ok.ended, ok.exit_code), (Ended::Succeeded, Some(0)));
        assert!(ok.output_tail.contains("hello") && ok.output_tail.contains("oops"), "{}", ok.output_tail);
        let bad = run(script("exit 3", "sh", Duration::from_secs(10)), never(), None).await;
        assert_eq!((bad.ended, bad.exit_code), (Ended::Failed, Some(3)));
    }

    #[tokio::test]
    async fn output_is_reported_as_it_comes_in_whole_lines_and_the_rest_at_the_end() {
        let seen: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
        let sink = seen.clone();
        let report: Report = Arc::new(move |text, total| sink.lock().unwrap().push((text, total)));
        let text = "echo one; echo 二; sleep 1; printf tail";
        let ran = run(script(text, "sh", Duration::from_secs(10)), never(), Some(report)).await;
        assert_eq!(ran.ended, Ended::Succeeded);
        let seen = seen.lock().unwrap().clone();
        let joined: String = seen.iter().map(|(text, _)| text.as_str()).collect();
        assert_eq!(joined, "one\n二\ntail", "{seen:?}");
        let (before, last) = seen.split_at(seen.len() - 1);
        assert_eq!(last, [("tail".to_string(), 12)], "the unfinished line comes at the end: {seen:?}");
        assert!(
            !before.is_empty() && before.iter().all(|(text, _)| text.ends_with('\n')),
            "whole lines while it runs: {seen:?}"
        );
        assert_eq!(ran.output_tail, "one\n二\ntail");
    }

    #[test]
    fn a_long_line_is_cut_between_characters() {
        let mut tail = Tail::default();
        let line = "行".repeat(LONGEST_HELD_LINE / 3 + 1); // 3 bytes each: one more byte than whole characters fill
        tail.push(&line.as_bytes()[..LONGEST_HELD_LINE + 1]);
        let (text, total) = tail.unreported(false).unwrap();
        assert_eq!((text.chars().count(), total), (LONGEST_HELD_LINE / 3, (LONGEST_HELD_LINE / 3 * 3) as u64));
        assert!(!text.contains('\u{FFFD}'));
        tail.push(&line.as_bytes()[LONGEST_HELD_LINE + 1..]);
        tail.push(b"\nnext");
        assert_eq!(
            tail.unreported(false).unwrap().0,
            "行\n",
            "the cut character comes whole with the rest of its line"
        );
    }

    #[tokio::test]
    async fn only_the_last_64_kib_of_output_are_kept() {
        let text = "head -c 3000000 /dev/zero | tr '\\0' x; echo END";
        let loud = run(script(text, "sh", Duration::from_secs(30)), never(), None).await;
        assert_eq!(loud.ended, Ended::Succeeded);
        assert!(loud.output_tail.len() <= OUTPUT_TAIL_BYTES && loud.output_tail.ends_with("END\n"));
    }

    #[tokio::test]
    async fn a_timeout_kills_the_whole_group_even_if_it_ignores_sigterm() {
        let pid_file = std::env::temp_dir().join(format!("scena-runner-{}.pid", std::process::id()));
        let text = format!("trap '' TERM; sleep 60 & echo $! > {}; wait", pid_file.display());
        let slow = run(script(&text, "sh", Duration::from_millis(500)), never(), None).await;
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
        assert!(
            run(script("x", "ruby-9", Duration::from_secs(1)), never(), None)
                .await
                .reason
                .unwrap()
                .contains("not one of")
        );
        let other =
            run(Script { account: "someone-else", ..script("true", "sh", Duration::from_secs(1)) }, never(), None)
                .await;
        assert_eq!(other.ended, Ended::Failed);
    }

    fn now_ns() -> u128 {
        SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    }

    #[tokio::test]
    async fn a_script_due_at_an_instant_starts_then_in_every_interpreter_with_its_own_line_numbers() {
        // Each prints when it began and what its stdin is (`/dev/null`, as for
        // any script, not the gate's pipe), then on line 2 its line number —
        // dash has no `$LINENO`: its syntax error names the line; perl's
        // top level has no caller, as with `perl -e`.
        let scripts = [
            ("sh", "date +%s%N; readlink /proc/$$/fd/0\n)", Some(2), "2: Syntax error"),
            ("bash", "date +%s%N; readlink /proc/$$/fd/0\necho line $LINENO", Some(0), "line 2"),
            (
                "python3",
                "import os, time; print(time.time_ns()); print(os.readlink('/proc/self/fd/0'), flush=True)\n\
                 import inspect; print('line', inspect.currentframe().f_lineno)",
                Some(0),
                "line 2",
            ),
            (
                "perl",
                "use Time::HiRes; printf \"%d\\n\", Time::HiRes::time() * 1e9; print readlink(\"/proc/$$/fd/0\"), \"\\n\";\n\
                 print 'line ', __LINE__, caller() ? ' called' : ' top level', \"\\n\";",
                Some(0),
                "line 2 top level",
            ),
        ];
        for (interpreter, text, exit_code, line_2) in scripts {
            let at = SystemTime::now() + Duration::from_millis(300);
            let at_ns = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
            let held =
                run(Script { at: Some(at), ..script(text, interpreter, Duration::from_secs(10)) }, never(), None).await;
            assert_eq!(held.exit_code, exit_code, "{interpreter}: {}", held.output_tail);
            let lines: Vec<&str> = held.output_tail.lines().collect();
            let began: u128 = lines[0].parse().unwrap_or_else(|_| panic!("{interpreter}: {}", held.output_tail));
            // Clocks read in microseconds (perl's float) may round a hair down.
            assert!(began + 1_000 >= at_ns, "{interpreter} began {} µs before the instant", (at_ns - began) / 1_000);
            assert_eq!(lines[1], "/dev/null", "{interpreter}: {}", held.output_tail);
            assert!(lines[2].contains(line_2), "{interpreter}: {}", held.output_tail);
        }
    }

    #[tokio::test]
    async fn a_held_script_has_its_timeout_from_the_instant_and_one_cancelled_before_never_runs() {
        let at = SystemTime::now() + Duration::from_millis(800);
        let late = run(Script { at: Some(at), ..script("sleep 0.2", "sh", Duration::from_millis(700)) }, never(), None);
        assert_eq!(late.await.ended, Ended::Succeeded, "held 800 ms, ran 200 ms of its 700");

        // Nothing of the script runs before its instant: not perl's `BEGIN`
        // (run while compiling), not its `END` when cancelled.
        let marker = std::env::temp_dir().join(format!("scena-held-{}-{}", std::process::id(), now_ns()));
        let m = marker.display();
        let scripts = [
            ("sh", format!("touch {m}")),
            ("perl", format!("BEGIN {{ open(my $f, '>', '{m}') }} END {{ open(my $f, '>', '{m}') }} 1;")),
            ("python3", format!("open('{m}', 'w')")),
        ];
        for (interpreter, text) in scripts {
            let (cancel, cancelled) = watch::channel(false);
            let at = SystemTime::now() + Duration::from_secs(60);
            let held = tokio::spawn(async move {
                run(Script { at: Some(at), ..script(&text, interpreter, Duration::from_secs(10)) }, cancelled, None)
                    .await
            });
            tokio::time::sleep(Duration::from_millis(300)).await;
            cancel.send(true).unwrap();
            let ended = held.await.unwrap();
            assert_eq!(
                (ended.ended, ended.reason.as_deref()),
                (Ended::Cancelled, Some("cancelled before its instant"))
            );
            assert!(!marker.exists(), "the held {interpreter} script never ran");
        }
    }

    #[tokio::test]
    async fn an_instant_already_past_starts_the_script_at_once() {
        let at = SystemTime::now() - Duration::from_secs(5);
        // perl with `-e`, not `-c` (which only checks the syntax of a file named by the script).
        let ran =
            run(Script { at: Some(at), ..script("print \"now\\n\"", "perl", Duration::from_secs(10)) }, never(), None);
        assert_eq!(ran.await.output_tail, "now\n");
    }
}
