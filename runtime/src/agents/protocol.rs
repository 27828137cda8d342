//! The messages between the server and an agent, as JSON text frames.

use serde::{Deserialize, Serialize};

/// The last bytes of a script's output an agent keeps and reports.
pub const OUTPUT_TAIL_BYTES: usize = 64 << 10;

/// A script for `job` on `host` (a host this agent serves).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptTask {
    pub job: String,
    pub host: String,
    pub script: String,
    pub interpreter: String,
    pub account: String,
    pub timeout_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToAgent {
    /// Run a script at once.
    Run(ScriptTask),
    /// Run a script beginning at `at_ms` (milliseconds since the Unix epoch,
    /// by the agent's clock): started now, held at its first line until then.
    /// A kind of its own, so an agent too old for it fails the task instead
    /// of running the script at once.
    RunAt {
        #[serde(flatten)]
        task: ScriptTask,
        at_ms: u64,
    },
    /// Place a file for `job` on `host`: fetch the job's content
    /// (`GET /api/v1/agents/jobs/{job}/file`), check its size and sha256,
    /// and put it at `path` with `mode`, owned by `account` (empty: the agent's).
    Place {
        job: String,
        host: String,
        sha256: String,
        size: u64,
        path: String,
        mode: u32,
        account: String,
        timeout_ms: u64,
    },
    /// Stop the job's script (its whole process group), or its placing.
    Cancel { job: String },
    /// The server has stored this outcome: the agent may forget it.
    Ack { job: String, host: String },
}

/// How a script ended on one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ended {
    Succeeded,
    Failed,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromAgent {
    /// A script ended; sent again after a reconnection until acknowledged.
    Done {
        job: String,
        host: String,
        ended: Ended,
        exit_code: Option<i32>,
        output_tail: String,
        reason: Option<String>,
    },
    /// What a running script printed since the last such message, whole lines
    /// where it can (at most the last bytes kept); `total` counts every byte it
    /// printed so far, so a gap shows. Sent as it comes and never again: the
    /// last of it comes before `Done`, whose tail is what is kept.
    Output { job: String, host: String, text: String, total: u64 },
    /// The first message of every connection: the jobs this agent is running
    /// or holds an outcome for, by host. A job the server has as running on
    /// this agent's host and that is not listed was lost — the agent
    /// restarted while its script ran — and fails at once instead of being
    /// waited for.
    Holding { jobs: Vec<(String, String)> },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_script_task_is_one_flat_frame_whether_at_once_or_at_an_instant() {
        let task = ScriptTask {
            job: "j".into(),
            host: "h".into(),
            script: "true".into(),
            interpreter: "sh".into(),
            account: String::new(),
            timeout_ms: 5,
        };
        let fields =
            json!({"job": "j", "host": "h", "script": "true", "interpreter": "sh", "account": "", "timeout_ms": 5});
        let mut run = fields.clone();
        run["type"] = json!("run");
        assert_eq!(serde_json::to_value(ToAgent::Run(task.clone())).unwrap(), run);
        let mut run_at = fields;
        run_at["type"] = json!("run_at");
        run_at["at_ms"] = json!(7);
        let at = ToAgent::RunAt { task, at_ms: 7 };
        assert_eq!(serde_json::to_value(&at).unwrap(), run_at);
        assert_eq!(serde_json::from_value::<ToAgent>(run_at).unwrap(), at);
    }
}
