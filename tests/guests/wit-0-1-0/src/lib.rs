//! A plugin built against the published WIT 0.1.0 (`wit/`, kept as it was
//! published), without the SDK: the host serves a newer version of the
//! package, and a plugin built against an older one must still load and
//! call its atoms (`job` changed since: 0.1.1 added `push-file`, 0.1.2 `start-at`).

wit_bindgen::generate!({ path: "wit", world: "scena:plugin/step" });

use exports::scena::plugin::handler::Guest;
use scena::plugin::types::{Context, Outcome, StepError, StepMeta};
use scena::plugin::{job, log};

struct Published;

impl Guest for Published {
    fn describe() -> StepMeta {
        StepMeta {
            name: "wit-0-1-0".into(),
            version: "0.1.0".into(),
            title: "Built against WIT 0.1.0".into(),
            description: "Logs a line and asks the job atom about a job that does not exist.".into(),
            category: "test".into(),
            input_schema: r#"{"type": "object"}"#.into(),
            output_schema: r#"{"type": "object", "required": ["job"]}"#.into(),
            capabilities: vec!["log".into(), "job".into()],
        }
    }

    fn run(_ctx: Context, _input: String) -> Result<Outcome, StepError> {
        log::write(log::Level::Info, "built against scena:plugin@0.1.0");
        let answer = match job::status("no-such-job") {
            Ok(status) => format!("a job {}", status.id),
            Err(error) => format!("{error:?}"),
        };
        Ok(Outcome::Done(serde_text(&answer)))
    }

    fn poll(_ctx: Context, _state: String) -> Result<Outcome, StepError> {
        Err(StepError::Fatal("never pending".into()))
    }
}

/// `{"job": answer}` as JSON text (this guest has no serde).
fn serde_text(answer: &str) -> String {
    let escaped: String = answer
        .chars()
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c if (c as u32) < 0x20 => format!("\\u{:04x}", c as u32).chars().collect(),
            c => vec![c],
        })
        .collect();
    format!(r#"{{"job": "{escaped}"}}"#)
}

export!(Published);
