//! Per-call resource limits and the limiter that enforces memory growth.

use std::time::Duration;

/// The most memory a call may be given; the pooling allocator reserves slots this large.
pub const MAX_MEMORY_BYTES: usize = 4 << 30;

/// What one call of a plugin may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Linear memory, summed over the component's memories.
    pub memory_bytes: usize,
    /// Wall-clock time for instantiation and the call, atom calls included.
    pub deadline: Duration,
    /// Size of the output (or pending state) JSON text.
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { memory_bytes: 64 << 20, deadline: Duration::from_secs(30), max_output_bytes: 1 << 20 }
    }
}

/// Refuses memory growth past the call's limit and remembers that it did, so a
/// guest that aborts on a failed allocation is reported as hitting the limit.
#[derive(Debug)]
pub struct MemoryLimiter {
    limit: usize,
    in_use: usize,
    pub(crate) refused: bool,
}

impl MemoryLimiter {
    pub fn new(limit: usize) -> Self {
        MemoryLimiter { limit, in_use: 0, refused: false }
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let after = self.in_use - current.min(self.in_use) + desired;
        if after > self.limit {
            self.refused = true;
            return Ok(false);
        }
        self.in_use = after;
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}
