//! `cmdb`: the tenant's host inventory (`store::hosts`), seen through the
//! `hosts` grant: a call finds and reads only hosts some selector granted to
//! its plugin matches — a host outside the grant is as if it did not exist.

use super::{AtomCall, AtomResult};
use crate::bindings::scena::plugin::cmdb as wit_cmdb;
use crate::bindings::wit::AtomError;
use crate::inventory::{Host, Selector};
use crate::store::HostStore;

/// The most hosts one `find-hosts` answers.
const MAX_FOUND: u32 = 10_000;

fn info(host: Host) -> wit_cmdb::HostInfo {
    wit_cmdb::HostInfo { id: host.id, hostname: host.hostname, ip: host.ip, labels: host.labels.into_iter().collect() }
}

impl AtomCall {
    pub(super) fn inventory(&self) -> Result<HostStore, AtomError> {
        self.services
            .hosts
            .clone()
            .ok_or_else(|| AtomError::Unavailable("the cmdb atom has no inventory in this runtime".into()))
    }

    fn no_hosts_granted(&self) -> Result<(), AtomError> {
        if self.grants.hosts.is_empty() {
            return Err(AtomError::Denied(format!(
                "no hosts are granted to plugin `{}` (the tenant grants them by label selector under `hosts`)",
                self.scope.plugin
            )));
        }
        Ok(())
    }

    async fn find(&self, selector: &str, limit: u32) -> Result<Vec<wit_cmdb::HostInfo>, AtomError> {
        let inventory = self.inventory()?;
        let selector: Selector = selector.parse().map_err(AtomError::Invalid)?;
        self.no_hosts_granted()?;
        let limit = limit.clamp(1, MAX_FOUND) as usize;
        let page = inventory
            .page(&self.scope.tenant, &selector, Some(&self.grants.hosts), None, limit)
            .await
            .map_err(|e| AtomError::Failed(format!("the inventory could not be read: {e}")))?;
        Ok(page.hosts.into_iter().map(info).collect())
    }

    async fn get(&self, id: &str) -> Result<Option<wit_cmdb::HostInfo>, AtomError> {
        let inventory = self.inventory()?;
        self.no_hosts_granted()?;
        let host = inventory
            .get(&self.scope.tenant, id)
            .await
            .map_err(|e| AtomError::Failed(format!("the inventory could not be read: {e}")))?;
        Ok(host.filter(|host| self.grants.hosts.admits(host)).map(info))
    }
}

impl wit_cmdb::Host for AtomCall {
    async fn find_hosts(&mut self, selector: String, limit: u32) -> AtomResult<Vec<wit_cmdb::HostInfo>> {
        let result = self.find(&selector, limit).await;
        let request = format!("find-hosts {selector:?} limit {limit}");
        match &result {
            Ok(hosts) => self.record_outcome("cmdb", request, format!("{} hosts", hosts.len())),
            Err(_) => self.record("cmdb", request, &result),
        }
        Ok(result)
    }

    async fn get_host(&mut self, id: String) -> AtomResult<Option<wit_cmdb::HostInfo>> {
        let result = self.get(&id).await;
        self.record("cmdb", format!("get-host {id}"), &result);
        Ok(result)
    }
}
