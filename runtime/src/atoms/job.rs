//! `job`: no backend in this runtime yet; every call says so instead of pretending.

use super::{AtomCall, AtomResult};
use crate::bindings::scena::plugin::job as wit_job;
use crate::bindings::wit::AtomError;

fn unavailable<T>(call: &mut AtomCall, request: String) -> AtomResult<T> {
    let result = Err(AtomError::Unavailable("the job atom is not available in this runtime".into()));
    call.record("job", request, &result);
    Ok(result)
}

impl wit_job::Host for AtomCall {
    async fn start(&mut self, spec: wit_job::JobSpec) -> AtomResult<String> {
        unavailable(self, format!("start on {} hosts", spec.hosts.len()))
    }

    async fn status(&mut self, id: String) -> AtomResult<wit_job::JobStatus> {
        unavailable(self, format!("status {id}"))
    }

    async fn cancel(&mut self, id: String) -> AtomResult<()> {
        unavailable(self, format!("cancel {id}"))
    }
}
