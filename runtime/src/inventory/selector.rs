//! Label selectors: `zone=eu-1,role=game` (comma means and), `role!=db`,
//! `canary` (the label is set), `!canary` (it is not), and `id=…` /
//! `hostname=…`, which name a host's own fields. The empty selector matches
//! every host. A grant holds several selectors: a host is granted if any matches.

use std::fmt;

use super::Host;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Equals(String, String),
    Differs(String, String),
    Has(String),
    Lacks(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector(Vec<Term>);

/// The most terms a selector may have: it is evaluated per host.
const MAX_TERMS: usize = 32;

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 63
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':'))
}

fn valid_value(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 128
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':'))
}

impl std::str::FromStr for Selector {
    type Err = String;

    fn from_str(text: &str) -> Result<Selector, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Selector::default());
        }
        let mut terms = Vec::new();
        for part in text.split(',').map(str::trim) {
            let term = if let Some((key, value)) = part.split_once("!=") {
                Term::Differs(key.trim().to_string(), value.trim().to_string())
            } else if let Some((key, value)) = part.split_once('=') {
                Term::Equals(key.trim().to_string(), value.trim().to_string())
            } else if let Some(key) = part.strip_prefix('!') {
                Term::Lacks(key.trim().to_string())
            } else {
                Term::Has(part.to_string())
            };
            let (key, value) = match &term {
                Term::Equals(key, value) | Term::Differs(key, value) => (key, Some(value)),
                Term::Has(key) | Term::Lacks(key) => (key, None),
            };
            if !valid_key(key) || value.is_some_and(|v| !valid_value(v)) {
                return Err(format!(
                    "`{part}` in selector `{text}` is not `key=value`, `key!=value`, `key` or `!key` (keys and values: a-z A-Z 0-9 - _ . / :)"
                ));
            }
            terms.push(term);
        }
        if terms.len() > MAX_TERMS {
            return Err(format!("selector `{text}` has {} terms: at most {MAX_TERMS}", terms.len()));
        }
        Ok(Selector(terms))
    }
}

impl Selector {
    fn field<'a>(host: &'a Host, key: &str) -> Option<&'a str> {
        match key {
            "id" => Some(&host.id),
            "hostname" => Some(&host.hostname),
            _ => host.labels.get(key).map(String::as_str),
        }
    }

    pub fn matches(&self, host: &Host) -> bool {
        self.0.iter().all(|term| match term {
            Term::Equals(key, value) => Self::field(host, key) == Some(value.as_str()),
            Term::Differs(key, value) => Self::field(host, key) != Some(value.as_str()),
            Term::Has(key) => Self::field(host, key).is_some(),
            Term::Lacks(key) => Self::field(host, key).is_none(),
        })
    }

    /// The `key=value` labels every matching host has (to narrow a query in SQL).
    pub fn required_labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().filter_map(|term| match term {
            Term::Equals(key, value) if key != "id" && key != "hostname" => Some((key.as_str(), value.as_str())),
            _ => None,
        })
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|term| match term {
                Term::Equals(k, v) => format!("{k}={v}"),
                Term::Differs(k, v) => format!("{k}!={v}"),
                Term::Has(k) => k.clone(),
                Term::Lacks(k) => format!("!{k}"),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// Several selectors: a host is in the set if any of them matches. The empty
/// set holds no host (a grant of nothing).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SelectorSet(pub Vec<Selector>);

impl SelectorSet {
    pub fn admits(&self, host: &Host) -> bool {
        self.0.iter().any(|selector| selector.matches(host))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(id: &str, labels: &[(&str, &str)]) -> Host {
        Host {
            id: id.into(),
            hostname: format!("{id}.example"),
            ip: "10.0.0.1".into(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            agent: None,
            last_seen: None,
        }
    }

    #[test]
    fn terms_combine_with_and() {
        let game = host("h1", &[("zone", "eu-1"), ("role", "game"), ("canary", "yes")]);
        let db = host("h2", &[("zone", "eu-1"), ("role", "db")]);
        let cases = [
            ("", true, true),
            ("zone=eu-1", true, true),
            ("zone=eu-1,role=game", true, false),
            ("role!=db", true, false),
            ("canary", true, false),
            ("!canary", false, true),
            ("id=h2", false, true),
            ("hostname=h1.example", true, false),
            ("zone=eu-2", false, false),
            ("role!=game, zone = eu-1", false, true),
        ];
        for (text, on_game, on_db) in cases {
            let selector: Selector = text.parse().unwrap();
            assert_eq!((selector.matches(&game), selector.matches(&db)), (on_game, on_db), "{text}");
        }
    }

    #[test]
    fn malformed_selectors_are_refused_with_the_part() {
        for bad in ["zone=eu-1,", "=x", "a b=c", "zone==", "!", &"k,".repeat(40)] {
            let refused = bad.parse::<Selector>();
            assert!(refused.is_err(), "{bad:?} parsed as {refused:?}");
        }
        let message = "role=game,bad key=1".parse::<Selector>().unwrap_err();
        assert!(message.contains("`bad key=1`"), "{message}");
    }

    #[test]
    fn a_set_admits_what_any_selector_matches_and_the_empty_set_nothing() {
        let h = host("h1", &[("zone", "eu-1")]);
        assert!(!SelectorSet::default().admits(&h));
        let set = SelectorSet(vec!["zone=eu-2".parse().unwrap(), "id=h1".parse().unwrap()]);
        assert!(set.admits(&h));
    }
}
