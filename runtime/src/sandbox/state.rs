//! The data of one call's `Store`: WASI (no files, env, args or sockets),
//! the memory limiter and the atoms' state.

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::capture::BoundedCapture;
use super::limits::MemoryLimiter;
use crate::atoms::AtomCall;

/// How much of a guest's stdout and of its stderr is kept per call.
pub const CAPTURE_BYTES: usize = 64 << 10;

pub struct CallState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) atoms: AtomCall,
    pub(crate) stdout: BoundedCapture,
    pub(crate) stderr: BoundedCapture,
}

impl CallState {
    pub fn new(atoms: AtomCall, memory_bytes: usize) -> CallState {
        let stdout = BoundedCapture::new(CAPTURE_BYTES);
        let stderr = BoundedCapture::new(CAPTURE_BYTES);
        let wasi = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        CallState {
            wasi,
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(memory_bytes),
            atoms,
            stdout,
            stderr,
        }
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}
