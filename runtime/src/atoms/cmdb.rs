//! `cmdb`: no backend in this runtime yet; every call says so instead of pretending.

use super::{AtomCall, AtomResult};
use crate::bindings::scena::plugin::cmdb as wit_cmdb;
use crate::bindings::wit::AtomError;

fn unavailable<T>(call: &mut AtomCall, request: String) -> AtomResult<T> {
    let result = Err(AtomError::Unavailable("the cmdb atom is not available in this runtime".into()));
    call.record("cmdb", request, &result);
    Ok(result)
}

impl wit_cmdb::Host for AtomCall {
    async fn find_hosts(&mut self, selector: String, limit: u32) -> AtomResult<Vec<wit_cmdb::HostInfo>> {
        unavailable(self, format!("find-hosts {selector:?} limit {limit}"))
    }

    async fn get_host(&mut self, id: String) -> AtomResult<Option<wit_cmdb::HostInfo>> {
        unavailable(self, format!("get-host {id}"))
    }
}
