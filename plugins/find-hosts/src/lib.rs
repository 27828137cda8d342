//! `find-hosts`: the hosts of the tenant's inventory that match a label
//! selector — only those the tenant granted this plugin (the `hosts` grant);
//! the first step of most ops flows, whose later steps act on the ids.

use std::collections::BTreeMap;

use scena_plugin::prelude::*;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Labels the hosts have: `zone=eu-1,role=game`, `role!=db`, `canary`, `!canary`, `id=h-1`; empty: every granted host.
    #[serde(default)]
    pub selector: String,
    /// At most this many hosts (1-10000, default 1000).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Fail (instead of answering an empty list) when no host matches.
    #[serde(default)]
    pub require_some: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Found {
    pub id: String,
    pub hostname: String,
    pub ip: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub hosts: Vec<Found>,
    /// The hosts' ids, in the order found: what `run-script` and the like take.
    pub ids: Vec<String>,
    pub count: usize,
}

pub struct FindHosts;

impl Step for FindHosts {
    type Input = Input;
    type Output = Output;
    const NAME: &'static str = "find-hosts";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const TITLE: &'static str = "Find hosts";
    const DESCRIPTION: &'static str =
        "Lists the hosts of the inventory that match a label selector, among those granted to the flow.";
    const CATEGORY: &'static str = "ops";
    const CAPABILITIES: &'static [Capability] = &[Capability::Cmdb];

    fn run(_ctx: &Context, input: Input) -> StepResult<Output> {
        let found = cmdb::find_hosts(&input.selector, input.limit.unwrap_or(1000))?;
        if found.is_empty() && input.require_some {
            return Err(StepError::Fatal(format!("no granted host matches `{}`", input.selector)));
        }
        let hosts: Vec<Found> = found
            .into_iter()
            .map(|h| Found { id: h.id, hostname: h.hostname, ip: h.ip, labels: h.labels.into_iter().collect() })
            .collect();
        let ids = hosts.iter().map(|h| h.id.clone()).collect();
        done(Output { count: hosts.len(), ids, hosts })
    }
}

export_step!(FindHosts);
