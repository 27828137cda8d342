//! Options several commands share: the input, and what is granted to plugins.

use clap::Args;
use serde_json::Value;

use super::CliError;
use crate::atoms::{Grants, HostPattern, HttpAllowList};

/// What the plugins of this invocation may reach.
#[derive(Args, Clone, Default)]
pub struct GrantArgs {
    /// Grant HTTP access to a host (`api.example.com`, `*.example.com`, `*`); repeatable.
    #[arg(long = "allow-http", value_name = "HOST")]
    pub allow_http: Vec<String>,
    /// Grant a secret to the plugins; repeatable.
    #[arg(long = "secret", value_name = "NAME=VALUE")]
    pub secrets: Vec<String>,
}

impl GrantArgs {
    pub fn to_grants(&self) -> Result<Grants, CliError> {
        parse_grants(&self.allow_http, &self.secrets)
    }
}

/// JSON given inline, or `@FILE`.
pub fn parse_input(raw: &str) -> Result<Value, CliError> {
    let text = match raw.strip_prefix('@') {
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| CliError::other(format!("cannot read input file {path}: {e}")))?
        }
        None => raw.to_string(),
    };
    serde_json::from_str(&text).map_err(|e| CliError::other(format!("--input is not valid JSON: {e}")))
}

fn parse_grants(hosts: &[String], secrets: &[String]) -> Result<Grants, CliError> {
    let mut grants = Grants::default();
    let patterns = hosts
        .iter()
        .map(|h| h.parse::<HostPattern>().map_err(|e| CliError::other(format!("--allow-http: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    grants.http = HttpAllowList(patterns);
    for secret in secrets {
        let (name, value) = secret.split_once('=').filter(|(name, _)| !name.is_empty()).ok_or_else(|| {
            CliError::other(format!("--secret takes NAME=VALUE, got `{}`", secret.split('=').next().unwrap_or("")))
        })?;
        grants.secrets.grant(name, value);
    }
    Ok(grants)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_need_a_name_and_never_echo_the_value() {
        let error = parse_grants(&[], &["=hunter2".into()]).unwrap_err();
        assert!(!error.message.contains("hunter2"));
        let error = parse_grants(&[], &["TOKEN".into()]).unwrap_err();
        assert!(error.message.contains("NAME=VALUE"));
        let grants = parse_grants(&[], &["TOKEN=a=b".into()]).unwrap();
        assert_eq!(grants.secrets.lookup("TOKEN"), Some("a=b"));
    }
}
