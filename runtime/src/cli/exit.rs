//! Exit codes of the CLI, one per way a step can end, and the one-line reason.

use std::process::ExitCode;

use crate::sandbox::StepFailure;

/// A failed command: the exit code and the one-line reason printed on stderr.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    /// Usage errors, unreadable or invalid components, anything not a step outcome.
    pub fn other(message: impl Into<String>) -> CliError {
        CliError { code: 1, message: message.into() }
    }

    pub fn report(self) -> ExitCode {
        let one_line = self.message.replace('\n', " ");
        eprintln!("error: {one_line}");
        ExitCode::from(self.code)
    }
}

impl From<StepFailure> for CliError {
    fn from(failure: StepFailure) -> CliError {
        let code = match failure {
            StepFailure::InvalidInput(_) => 2,
            StepFailure::Denied(_) => 3,
            StepFailure::Retryable(_) => 4,
            StepFailure::Fatal(_) => 5,
            StepFailure::Limit(..) => 6,
        };
        CliError { code, message: failure.to_string() }
    }
}

impl From<anyhow::Error> for CliError {
    fn from(error: anyhow::Error) -> CliError {
        CliError::other(format!("{error:#}"))
    }
}
