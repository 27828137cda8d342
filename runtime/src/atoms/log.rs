//! `log`: the step's log. Needs no grant; bounded per call.

use serde::Serialize;

use super::{AtomCall, bounded};
use crate::bindings::scena::plugin::log as wit_log;

const MAX_LINES: usize = 1000;
const MAX_MESSAGE_BYTES: usize = 8 << 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Trace => "trace",
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

/// Where a line came from: the `log` atom, the guest's stdout/stderr, or a
/// script the step runs on hosts (`job`), as it prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogSource {
    Plugin,
    Stdout,
    Stderr,
    Job,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LogLine {
    pub level: LogLevel,
    pub source: LogSource,
    pub message: String,
}

/// The lines of one call: at most 1,000, each at most 8 KiB.
#[derive(Debug, Default)]
pub struct LogBook {
    lines: Vec<LogLine>,
    dropped: usize,
}

impl LogBook {
    pub fn push(&mut self, level: LogLevel, source: LogSource, message: &str) {
        if self.lines.len() >= MAX_LINES {
            self.dropped += 1;
            return;
        }
        self.lines.push(LogLine { level, source, message: bounded(message, MAX_MESSAGE_BYTES) });
    }

    /// Add captured stdout/stderr text, one line per line of text.
    pub fn push_captured(&mut self, source: LogSource, text: &str, dropped_bytes: usize) {
        let level = if source == LogSource::Stderr { LogLevel::Warn } else { LogLevel::Info };
        for line in text.lines() {
            self.push(level, source, line);
        }
        if dropped_bytes > 0 {
            self.push(LogLevel::Warn, source, &format!("… {dropped_bytes} more bytes of output were dropped"));
        }
    }

    pub fn into_lines(mut self) -> Vec<LogLine> {
        if self.dropped > 0 {
            let note = format!("… {} more log lines were dropped (limit {MAX_LINES})", self.dropped);
            self.lines.push(LogLine { level: LogLevel::Warn, source: LogSource::Plugin, message: note });
        }
        self.lines
    }
}

impl From<wit_log::Level> for LogLevel {
    fn from(level: wit_log::Level) -> Self {
        match level {
            wit_log::Level::Trace => LogLevel::Trace,
            wit_log::Level::Debug => LogLevel::Debug,
            wit_log::Level::Info => LogLevel::Info,
            wit_log::Level::Warn => LogLevel::Warn,
            wit_log::Level::Error => LogLevel::Error,
        }
    }
}

impl wit_log::Host for AtomCall {
    async fn write(&mut self, level: wit_log::Level, message: String) -> wasmtime::Result<()> {
        self.log.push(level.into(), LogSource::Plugin, &message);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_is_bounded() {
        let mut book = LogBook::default();
        for i in 0..1005 {
            book.push(LogLevel::Info, LogSource::Plugin, &format!("line {i}"));
        }
        book.push(LogLevel::Info, LogSource::Plugin, &"z".repeat(20_000));
        let lines = book.into_lines();
        assert_eq!(lines.len(), MAX_LINES + 1);
        assert!(lines.last().unwrap().message.contains("6 more log lines were dropped"));
    }
}
