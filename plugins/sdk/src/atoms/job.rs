//! Scripts on hosts (capability `job`). Start in `run`, return `pending`,
//! check in `poll`.

use crate::bindings::scena::plugin::job as raw;
use crate::AtomError;

pub use raw::{HostResult, JobSpec, JobState, JobStatus};

pub fn start(spec: &JobSpec) -> Result<String, AtomError> {
    Ok(raw::start(spec)?)
}

pub fn status(id: &str) -> Result<JobStatus, AtomError> {
    Ok(raw::status(id)?)
}

pub fn cancel(id: &str) -> Result<(), AtomError> {
    Ok(raw::cancel(id)?)
}
