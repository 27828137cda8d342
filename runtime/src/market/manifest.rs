//! An app's manifest: who publishes it, what is in it, and every capability
//! its plugins may use — what an installing tenant consents to.

use std::collections::{BTreeMap, BTreeSet};

use scena_host_api::Capability;
use serde::{Deserialize, Serialize};

/// The version of the package format this build writes and reads.
pub const FORMAT: u32 = 1;

/// An app's manifest as packed: the flows and plugins by file, each file's
/// sha256, and the capabilities. The signature covers its exact bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The package format ([`FORMAT`]).
    pub format: u32,
    /// The tenant that publishes the app; set by the server when it is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    pub name: String,
    pub version: semver::Version,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub categories: Vec<String>,
    /// The oldest scena that can install it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_scena: Option<semver::Version>,
    /// What changed in this version, in Markdown.
    #[serde(default)]
    pub changelog: String,
    /// The README's path in the package (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readme: Option<String>,
    /// The icon's path in the package (SVG or PNG).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// The flows, by name; each is `flows/<name>.json`.
    pub flows: Vec<String>,
    /// The plugin components shipped with the app.
    #[serde(default)]
    pub plugins: Vec<PluginEntry>,
    pub capabilities: Capabilities,
    /// Every file of the package but the manifest and the signature → its sha256.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginEntry {
    pub name: String,
    pub version: String,
    pub file: String,
    pub sha256: String,
}

/// What an app may touch, as its installer grants it. Every set is exact: the
/// grants an install creates are these and nothing else.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// The atoms its plugins import (`log`, `kv`, `secrets`, `http`, `cmdb`, `job`, `notify`).
    #[serde(default)]
    pub atoms: BTreeSet<String>,
    /// Hosts reachable over `http` (the allow-list's patterns).
    #[serde(default)]
    pub http: BTreeSet<String>,
    /// Secret names the installer supplies.
    #[serde(default)]
    pub secrets: BTreeSet<String>,
    /// Label selectors of the inventory hosts `cmdb` and `job` may see and touch.
    #[serde(default)]
    pub hosts: BTreeSet<String>,
    /// Notification channels of the installing tenant it may send to.
    #[serde(default)]
    pub notify: BTreeSet<String>,
}

/// What one version asks beyond another: added and removed, part by part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CapabilityDiff {
    pub added: Capabilities,
    pub removed: Capabilities,
}

impl CapabilityDiff {
    pub fn adds_anything(&self) -> bool {
        !self.added.is_empty()
    }
}

impl Capabilities {
    pub fn is_empty(&self) -> bool {
        self.parts().iter().all(|(_, set)| set.is_empty())
    }

    fn parts(&self) -> [(&'static str, &BTreeSet<String>); 5] {
        [
            ("atoms", &self.atoms),
            ("http", &self.http),
            ("secrets", &self.secrets),
            ("hosts", &self.hosts),
            ("notify", &self.notify),
        ]
    }

    /// What `self` asks that `before` did not, and the reverse.
    pub fn diff_from(&self, before: &Capabilities) -> CapabilityDiff {
        let minus = |a: &BTreeSet<String>, b: &BTreeSet<String>| a.difference(b).cloned().collect();
        let one_way = |a: &Capabilities, b: &Capabilities| Capabilities {
            atoms: minus(&a.atoms, &b.atoms),
            http: minus(&a.http, &b.http),
            secrets: minus(&a.secrets, &b.secrets),
            hosts: minus(&a.hosts, &b.hosts),
            notify: minus(&a.notify, &b.notify),
        };
        CapabilityDiff { added: one_way(self, before), removed: one_way(before, self) }
    }

    /// Problems with the values themselves: unknown atoms, bad patterns and names.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for atom in &self.atoms {
            if atom.parse::<Capability>().is_err() {
                problems.push(format!("capabilities.atoms: `{atom}` is not an atom"));
            }
        }
        let doc = self.grant_doc();
        problems.extend(doc.problems().into_iter().map(|p| format!("capabilities.{p}")));
        problems
    }

    /// Whether the atoms and the lists agree: a list only for an atom that
    /// uses it, and every atom that needs a list has one.
    pub fn consistency_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let lists: [(&str, &BTreeSet<String>, &[&str]); 4] = [
            ("http", &self.http, &["http", "notify"]),
            ("secrets", &self.secrets, &["secrets"]),
            ("hosts", &self.hosts, &["cmdb", "job"]),
            ("notify", &self.notify, &["notify"]),
        ];
        for (part, list, atoms) in lists {
            let used = atoms.iter().any(|a| self.atoms.contains(*a));
            if !list.is_empty() && !used {
                problems.push(format!(
                    "capabilities.{part} is set, but no atom that uses it ({}) is declared in capabilities.atoms",
                    atoms.join(", ")
                ));
            }
        }
        for (atom, part, list) in [
            ("http", "http", &self.http),
            ("secrets", "secrets", &self.secrets),
            ("cmdb", "hosts", &self.hosts),
            ("job", "hosts", &self.hosts),
            ("notify", "notify", &self.notify),
        ] {
            if self.atoms.contains(atom) && list.is_empty() {
                problems.push(format!(
                    "capabilities.atoms has `{atom}` but capabilities.{part} is empty: list what it needs"
                ));
            }
        }
        problems
    }

    /// These capabilities as a grant document: everything to every plugin of the app.
    pub fn grant_doc(&self) -> crate::atoms::GrantDoc {
        let every = |set: &BTreeSet<String>| -> BTreeMap<String, Vec<String>> {
            if set.is_empty() {
                BTreeMap::new()
            } else {
                BTreeMap::from([("*".to_string(), set.iter().cloned().collect())])
            }
        };
        crate::atoms::GrantDoc {
            http: self.http.iter().cloned().collect(),
            secrets: every(&self.secrets),
            hosts: every(&self.hosts),
            notify: every(&self.notify),
        }
    }
}

/// The capabilities a plugin declares that `declared` does not cover.
pub fn uncovered(plugin: &str, capabilities: &[Capability], declared: &Capabilities) -> Vec<String> {
    capabilities
        .iter()
        .filter(|c| !declared.atoms.contains(c.as_str()))
        .map(|c| format!("plugin `{plugin}` uses the `{c}` atom, which capabilities.atoms does not declare: an app may not hide a capability"))
        .collect()
}

/// App names: like plugin and flow names (they prefix the app's flows).
pub fn valid_app_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Manifest {
    /// The manifest's own problems (not the files'): names, versions, capabilities.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.format != FORMAT {
            problems.push(format!("format {} is not supported (this scena reads format {FORMAT})", self.format));
        }
        if !valid_app_name(&self.name) {
            problems.push(format!("name `{}`: use a-z, 0-9 and `-`, starting with a letter, at most 63", self.name));
        }
        if self.title.trim().is_empty() {
            problems.push("title is empty".into());
        }
        if self.flows.is_empty() {
            problems.push("flows is empty: an app ships at least one flow".into());
        }
        let mut seen = BTreeSet::new();
        for flow in &self.flows {
            if !valid_app_name(flow) {
                problems.push(format!("flows: `{flow}` is not a flow name"));
            }
            if !seen.insert(flow) {
                problems.push(format!("flows: `{flow}` is listed twice"));
            }
            if !self.files.contains_key(&flow_file(flow)) {
                problems.push(format!("flows: `{flow}` has no file {} in the package", flow_file(flow)));
            }
        }
        for plugin in &self.plugins {
            if self.files.get(&plugin.file).is_none_or(|sha| *sha != plugin.sha256) {
                problems.push(format!(
                    "plugins: `{}@{}`: {} is not in the package with that sha256",
                    plugin.name, plugin.version, plugin.file
                ));
            }
        }
        for path in self.readme.iter().chain(self.icon.iter()) {
            if !self.files.contains_key(path) {
                problems.push(format!("`{path}` is named but not in the package"));
            }
        }
        if let Some(min) = &self.min_scena {
            let this = semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("own version");
            if *min > this {
                problems.push(format!("needs scena {min} or newer; this is {this}"));
            }
        }
        problems.extend(self.capabilities.problems());
        problems.extend(self.capabilities.consistency_problems());
        problems
    }

    /// `publisher/name@version`, for messages.
    pub fn id(&self) -> String {
        format!("{}/{}@{}", self.publisher.as_deref().unwrap_or("?"), self.name, self.version)
    }
}

/// Where a flow lives in a package.
pub fn flow_file(name: &str) -> String {
    format!("flows/{name}.json")
}

/// Where a plugin lives in a package.
pub fn plugin_file(name: &str, version: &str) -> String {
    format!("plugins/{name}-{version}.wasm")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(atoms: &[&str], http: &[&str], secrets: &[&str]) -> Capabilities {
        Capabilities {
            atoms: atoms.iter().map(|s| s.to_string()).collect(),
            http: http.iter().map(|s| s.to_string()).collect(),
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_diff_names_what_was_added_and_removed() {
        let old = caps(&["http", "log"], &["api.example.com"], &[]);
        let new = caps(&["http", "log", "secrets"], &["api.example.com", "cdn.example.com"], &["TOKEN"]);
        let diff = new.diff_from(&old);
        assert!(diff.adds_anything());
        assert_eq!(diff.added, caps(&["secrets"], &["cdn.example.com"], &["TOKEN"]));
        assert!(diff.removed.is_empty());
        assert!(!old.diff_from(&new).adds_anything(), "narrowing adds nothing");
    }

    #[test]
    fn lists_without_their_atom_and_atoms_without_their_list_are_problems() {
        let problems = caps(&["secrets"], &["api.example.com"], &[]).consistency_problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("capabilities.http is set"), "{problems:?}");
        assert!(problems[1].contains("`secrets` but capabilities.secrets is empty"), "{problems:?}");
        assert!(caps(&["http"], &["api.example.com"], &[]).consistency_problems().is_empty());
        assert!(caps(&["teleport"], &[], &[]).problems()[0].contains("`teleport` is not an atom"));
    }

    #[test]
    fn a_plugin_capability_the_manifest_does_not_declare_is_named() {
        let problems = uncovered("pinger@1.0.0", &[Capability::Http, Capability::Log], &caps(&["log"], &[], &[]));
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("`http` atom"), "{problems:?}");
    }
}
