//! The CMDB: hosts and their labels (capability `cmdb`).

use crate::bindings::scena::plugin::cmdb as raw;
use crate::AtomError;

pub use raw::HostInfo;

/// Hosts matching a label selector such as `zone=eu-1,role=game`.
pub fn find_hosts(selector: &str, limit: u32) -> Result<Vec<HostInfo>, AtomError> {
    Ok(raw::find_hosts(selector, limit)?)
}

pub fn get_host(id: &str) -> Result<Option<HostInfo>, AtomError> {
    Ok(raw::get_host(id)?)
}
