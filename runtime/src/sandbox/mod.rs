//! The sandbox: one wasmtime `Engine` for the process (pooling allocator, epoch
//! interruption), compiled components cached on disk and pre-instantiated in
//! memory by sha256, and a fresh `Store` with limits for every call.

mod artifacts;
mod call;
mod capture;
mod limits;
mod outcome;
mod plugin;
mod state;
mod warm;
mod wasm_engine;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker};
use wasmtime::Engine;

use crate::atoms::{AtomCall, AtomServices, Grants, HasAtoms, HttpClient, HttpSettings};
use crate::store::{KvScope, KvStore};
use artifacts::ArtifactCache;
use crate::bindings::{self, Step, StepPre};
use wasm_engine::EpochTicker;
use state::CallState;

pub use call::{CallRequest, Entry, StepContext};
pub use wasm_engine::build_engine;
pub use limits::{Limits, MAX_MEMORY_BYTES};
pub use outcome::{CallReport, LimitKind, Outcome, StepFailure};
pub use plugin::{LoadError, Plugin, PluginMeta};
pub use warm::WarmInstance;

/// How a sandbox is set up.
#[derive(Default)]
pub struct SandboxConfig {
    /// Where compiled plugins are cached; `None` compiles on every load.
    pub cache_dir: Option<PathBuf>,
    /// The `kv` atom's store; `None` makes `kv` answer `unavailable`.
    pub kv: Option<KvStore>,
    pub http: HttpSettings,
}

pub struct Sandbox {
    engine: Engine,
    linker: Linker<CallState>,
    artifacts: ArtifactCache,
    loaded: Mutex<HashMap<String, Arc<Plugin>>>,
    services: Arc<AtomServices>,
    _ticker: EpochTicker,
}

/// `describe()` gets the same isolation as any call, with a short deadline.
const DESCRIBE_LIMITS: Limits = Limits { memory_bytes: 64 << 20, deadline: Duration::from_secs(10), max_output_bytes: 1 << 20 };

impl Sandbox {
    pub fn new(config: SandboxConfig) -> anyhow::Result<Sandbox> {
        let engine = build_engine()?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        Step::add_to_linker::<CallState, HasAtoms>(&mut linker, |state| &mut state.atoms)?;
        let services = Arc::new(AtomServices { http: HttpClient::new(config.http)?, kv: config.kv });
        Ok(Sandbox {
            artifacts: ArtifactCache::new(&engine, config.cache_dir),
            _ticker: EpochTicker::start(engine.clone()),
            engine,
            linker,
            loaded: Mutex::new(HashMap::new()),
            services,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Compile (or fetch from cache), describe and check a plugin. Loading the
    /// same bytes again returns the already loaded plugin.
    pub async fn load(&self, bytes: &[u8]) -> Result<Arc<Plugin>, LoadError> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        if let Some(plugin) = self.loaded.lock().expect("plugin cache lock").get(&sha256) {
            return Ok(plugin.clone());
        }
        plugin::check_header(bytes)?;
        let component = self
            .artifacts
            .load_or_compile(&self.engine, &sha256, bytes)
            .map_err(|e| LoadError::Invalid(format!("{e:#}")))?;
        let imports: Vec<String> =
            component.component_type().imports(&self.engine).map(|(name, _)| name.to_string()).collect();
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::UnsupportedImport(format!("{e:#}")))?;
        let pre = StepPre::new(pre).map_err(|e| LoadError::Invalid(format!("does not export the scena step world: {e:#}")))?;
        let meta = self.describe(&pre).await?;
        let (meta, input, output) = plugin::check_meta(meta)?;
        plugin::check_imports(&meta, &imports)?;
        let plugin = Arc::new(Plugin { sha256: sha256.clone(), size_bytes: bytes.len(), meta, imports, pre, input: Arc::new(input), output });
        self.loaded.lock().expect("plugin cache lock").insert(sha256, plugin.clone());
        Ok(plugin)
    }

    async fn describe(&self, pre: &StepPre<CallState>) -> Result<bindings::wit::StepMeta, LoadError> {
        let deadline = Instant::now() + DESCRIBE_LIMITS.deadline;
        let scope = KvScope { tenant: String::new(), plugin: String::new() };
        let atoms = AtomCall::new(scope, Arc::new(Grants::default()), self.services.clone(), deadline);
        let mut store = self.new_store(atoms, &DESCRIBE_LIMITS, deadline);
        let instance = pre.instantiate_async(&mut store).await.map_err(|e| LoadError::Describe(format!("{e:#}")))?;
        instance
            .scena_plugin_handler()
            .call_describe(&mut store)
            .await
            .map_err(|e| LoadError::Describe(format!("{e:#}")))
    }

    /// Compile a component the way the sandbox would, without any of its
    /// checks: the bare-wasmtime floor for benchmarks.
    pub fn compile_bare(&self, bytes: &[u8]) -> wasmtime::Result<Component> {
        Component::new(&self.engine, bytes)
    }
}
