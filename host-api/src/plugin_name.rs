use std::fmt;

/// A plugin name must match `^[a-z][a-z0-9-]{0,62}$`: it appears in URLs,
/// file names and flow references, so it stays plain.
pub fn validate_plugin_name(name: &str) -> Result<(), PluginNameError> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if first_ok && rest_ok && name.len() <= 63 { Ok(()) } else { Err(PluginNameError(name.to_string())) }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginNameError(pub String);

impl fmt::Display for PluginNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid plugin name `{}`: use 1 to 63 characters, a lowercase letter first, then lowercase letters, digits or `-`",
            self.0
        )
    }
}

impl std::error::Error for PluginNameError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_names() {
        for ok in ["echo", "http-request", "a", "stop-processes-2", &"a".repeat(63)] {
            assert!(validate_plugin_name(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_everything_else() {
        for bad in ["", "Echo", "1echo", "-echo", "echo_1", "echo/../x", "écho", &"a".repeat(64)] {
            assert!(validate_plugin_name(bad).is_err(), "{bad}");
        }
    }
}
