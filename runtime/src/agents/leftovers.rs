//! What a killed agent's scripts leave running. Every script carries the
//! agent's mark (`SCENA_AGENT`, its state dir) and its job (`SCENA_JOB`) in
//! its environment, and the agent keeps a file per running script's job in
//! `STATE_DIR/running/`. An agent killed outright leaves those files behind:
//! started again, it kills every process carrying its mark and one of those
//! jobs — whatever process group or session it moved to — since nothing
//! watches them and their outcomes are lost. A script that ended normally
//! leaves nothing there, so what it started on purpose (`setsid app &`)
//! outlives agent restarts. Reads `/proc`: Linux only (elsewhere, nothing).
//! A file being placed (`push-file`) has a record too, naming the partial
//! file it is written to: one left by a killed agent is removed when it
//! starts again, so no hidden half-file stays beside the destination.

use std::path::{Path, PathBuf};

/// The variable naming the agent a script was started by.
pub const MARK_VARIABLE: &str = "SCENA_AGENT";
/// The variable naming a script's job.
pub const JOB_VARIABLE: &str = "SCENA_JOB";

#[derive(Debug, Clone)]
pub struct Leftovers {
    mark: String,
    running: PathBuf,
}

impl Leftovers {
    /// The records of the agent keeping its state in `state_dir`.
    pub fn new(state_dir: &Path) -> Leftovers {
        let mark = std::fs::canonicalize(state_dir).unwrap_or_else(|_| state_dir.to_path_buf());
        Leftovers { mark: mark.display().to_string(), running: state_dir.join("running") }
    }

    /// What a script of `job` carries in its environment.
    pub fn environment<'a>(&'a self, job: &'a str) -> [(&'static str, &'a str); 2] {
        [(MARK_VARIABLE, self.mark.as_str()), (JOB_VARIABLE, job)]
    }

    fn record(&self, job: &str) -> Option<PathBuf> {
        // Job ids are the server's UUIDs; anything else is not made a file name.
        let plain = !job.is_empty() && job.len() <= 64 && job.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        plain.then(|| self.running.join(job))
    }

    /// A script of `job` starts.
    pub fn begin(&self, job: &str) {
        if let Some(record) = self.record(job) {
            let _ = std::fs::create_dir_all(&self.running);
            let _ = std::fs::write(record, b"");
        }
    }

    /// The content of `job` is being written to `partial` before it is renamed into place.
    pub fn begin_placing(&self, job: &str, partial: &Path) {
        if let Some(record) = self.record(job) {
            let _ = std::fs::create_dir_all(&self.running);
            let _ = std::fs::write(record, partial.as_os_str().as_encoded_bytes());
        }
    }

    /// The script of `job` ended, and its process group with it (or its file was placed, or not).
    pub fn end(&self, job: &str) {
        if let Some(record) = self.record(job) {
            let _ = std::fs::remove_file(record);
        }
    }

    /// Kill what the scripts running when this agent last stopped left
    /// behind and remove the partial files of the placements it was making,
    /// then forget them: the number of processes killed.
    pub fn stop(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.running) else { return 0 };
        let jobs: Vec<String> = entries.flatten().filter_map(|e| e.file_name().to_str().map(str::to_string)).collect();
        let killed = if jobs.is_empty() { 0 } else { self.kill_marked(&jobs) };
        for job in &jobs {
            if let Some(partial) = self.record(job).and_then(|record| std::fs::read(record).ok()).and_then(partial_file)
            {
                let _ = std::fs::remove_file(partial);
            }
            self.end(job);
        }
        killed
    }

    fn kill_marked(&self, jobs: &[String]) -> usize {
        let mark = format!("{MARK_VARIABLE}={}", self.mark);
        let wanted: Vec<String> = jobs.iter().map(|job| format!("{JOB_VARIABLE}={job}")).collect();
        let me = std::process::id();
        let Ok(processes) = std::fs::read_dir("/proc") else { return 0 };
        let mut killed = 0;
        for process in processes.flatten() {
            let Some(pid) = process.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            if pid == me {
                continue;
            }
            let Ok(environment) = std::fs::read(format!("/proc/{pid}/environ")) else { continue };
            let pairs: Vec<&[u8]> = environment.split(|b| *b == 0).collect();
            let marked = pairs.contains(&mark.as_bytes());
            let of_a_lost_job = wanted.iter().any(|job| pairs.contains(&job.as_bytes()));
            // SAFETY: kill only sends a signal, to a process carrying this agent's mark and a lost job's id.
            if marked && of_a_lost_job && unsafe { libc::kill(pid as i32, libc::SIGKILL) } == 0 {
                killed += 1;
            }
        }
        killed
    }
}

/// The partial file a placement record names, if it names one the placer
/// makes (absolute, hidden, `.scena-` in its name): nothing else is removed,
/// whatever the record says.
fn partial_file(record: Vec<u8>) -> Option<PathBuf> {
    let path = PathBuf::from(String::from_utf8(record).ok()?);
    let name = path.file_name()?.to_str()?;
    (path.is_absolute() && name.starts_with('.') && name.contains(PARTIAL_MARK)).then_some(path)
}

/// What every partial file's name holds (`.NAME.scena-UUID`).
pub const PARTIAL_MARK: &str = ".scena-";

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::time::Duration;

    fn spawn(environment: &[(&str, &str)]) -> std::process::Child {
        let child = std::process::Command::new("sleep").arg("60").envs(environment.iter().copied()).spawn().unwrap();
        // Until it has exec'd, a child's environment is still its parent's.
        let (key, value) = environment[environment.len() - 1];
        let last = format!("{key}={value}");
        let carries = || {
            let environment = std::fs::read(format!("/proc/{}/environ", child.id())).unwrap_or_default();
            environment.split(|b| *b == 0).any(|pair| pair == last.as_bytes())
        };
        for _ in 0..200 {
            if carries() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(carries(), "the child never carried its environment");
        child
    }

    #[test]
    fn only_processes_of_the_jobs_running_when_the_agent_died_are_killed() {
        let dir = std::env::temp_dir().join(format!("scena-leftovers-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let ours = Leftovers::new(&dir);
        let another = Leftovers::new(&dir.join("another-agent"));
        ours.begin("lost-job");
        ours.begin("ended-job");
        ours.end("ended-job");
        let mut lost = spawn(&ours.environment("lost-job"));
        let mut started_on_purpose = spawn(&ours.environment("ended-job"));
        let mut theirs = spawn(&another.environment("lost-job"));

        assert_eq!(ours.stop(), 1);
        assert_eq!(lost.wait().unwrap().signal(), Some(libc::SIGKILL));
        assert!(started_on_purpose.try_wait().unwrap().is_none(), "what an ended script started lives on");
        assert!(theirs.try_wait().unwrap().is_none(), "another agent's script is left alone");
        assert_eq!(ours.stop(), 0, "the records are forgotten once acted on");
        for mut child in [started_on_purpose, theirs] {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_partial_file_of_a_placement_the_agent_died_in_is_removed_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("scena-leftovers-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let agent = Leftovers::new(&dir.join("state"));
        let partial = dir.join(".app.tgz.scena-0123");
        let placed = dir.join(".app.tgz.scena-4567");
        let not_partial = dir.join("app.tgz");
        for file in [&partial, &placed, &not_partial] {
            std::fs::write(file, b"half").unwrap();
        }
        agent.begin_placing("lost-placement", &partial);
        agent.begin_placing("ended-placement", &placed);
        agent.end("ended-placement");
        // A record naming a file the placer does not make is not acted on.
        agent.begin_placing("odd-record", &not_partial);

        assert_eq!(agent.stop(), 0);
        assert!(!partial.exists(), "the partial file of the lost placement is removed");
        assert!(placed.exists(), "an ended placement's record is gone: its name is left alone");
        assert!(not_partial.exists(), "only partial files are removed");
        assert_eq!(std::fs::read_dir(dir.join("state/running")).unwrap().count(), 0, "the records are forgotten");
        let _ = std::fs::remove_dir_all(dir);
    }
}
