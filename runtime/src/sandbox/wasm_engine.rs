//! The process-wide wasmtime `Engine`: pooling allocator, epoch interruption,
//! and the ticker thread that advances the epoch.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::limits::MAX_MEMORY_BYTES;

/// How often the epoch advances: the granularity of deadlines, and how often
/// a running guest yields to other tasks.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

pub fn build_engine() -> anyhow::Result<Engine> {
    let pagemap = PoolingAllocationConfig::is_pagemap_scan_available();
    let mut pooling = PoolingAllocationConfig::new();
    pooling
        .max_memory_size(MAX_MEMORY_BYTES)
        .total_memories(1000)
        .total_tables(2000)
        .total_stacks(1000)
        .total_core_instances(2000)
        .total_component_instances(1000)
        // Reset a slot between calls by zeroing only the pages the call
        // dirtied (found with the PAGEMAP_SCAN ioctl, Linux 6.7+), up to
        // 2 MiB, instead of unmapping them: `madvise` costs a TLB shootdown
        // on every core and the next call page-faults everything back in.
        // Without the ioctl the first 128 KiB are zeroed with memset.
        .pagemap_scan(Enabled::Auto)
        .linear_memory_keep_resident(if pagemap { 2 << 20 } else { 128 << 10 })
        .table_keep_resident(64 << 10);

    let mut config = Config::new();
    config
        .epoch_interruption(true)
        .wasm_component_model(true)
        .max_wasm_stack(1 << 20)
        .async_stack_size(2 << 20)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    Ok(Engine::new(&config)?)
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until dropped.
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    pub fn start(engine: Engine) -> EpochTicker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("scena-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawn the epoch ticker thread");
        EpochTicker { stop }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
