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
use wasmtime::Engine;
use wasmtime::component::{Component, Linker};

use crate::atoms::job::JobServices;
use crate::atoms::{AtomCall, AtomServices, Grants, HasAtoms, HttpClient, HttpSettings};
use crate::bindings::{self, Step, StepPre};
use crate::store::{HostStore, KvScope, KvStore};
use artifacts::ArtifactCache;
use state::CallState;
use wasm_engine::EpochTicker;

pub use call::{CallRequest, Entry, StepContext};
pub use limits::{Limits, MAX_MEMORY_BYTES};
pub use outcome::{CallReport, LimitKind, Outcome, StepFailure};
pub use plugin::{LoadError, Plugin, PluginMeta};
pub use warm::WarmInstance;
pub use wasm_engine::build_engine;

/// How a sandbox is set up.
#[derive(Default)]
pub struct SandboxConfig {
    /// Where compiled plugins are cached; `None` compiles on every load.
    pub cache_dir: Option<PathBuf>,
    /// The `kv` atom's store; `None` makes `kv` answer `unavailable`.
    pub kv: Option<KvStore>,
    /// The `cmdb` atom's inventory; `None` makes `cmdb` answer `unavailable`.
    pub hosts: Option<HostStore>,
    /// The `job` atom's agents and store; `None` makes `job` answer `unavailable`.
    pub jobs: Option<JobServices>,
    pub http: HttpSettings,
    /// The longest a load of a small component may wait for its compile (a
    /// larger one gets more: [`Sandbox::budget_for`]); `None`: the default, 30 s.
    pub compile_budget: Option<Duration>,
}

const COMPILE_BUDGET: Duration = Duration::from_secs(30);
/// What each MiB of a component adds to the compile budget: an interpreter
/// built in (Python, JavaScript: 12–18 MiB) takes Cranelift many seconds.
const BUDGET_PER_MIB: Duration = Duration::from_secs(8);
/// The budget never grows past this many times the base.
const BUDGET_GROWTH: u32 = 5;

pub struct Sandbox {
    engine: Engine,
    linker: Linker<CallState>,
    artifacts: ArtifactCache,
    loaded: Mutex<HashMap<String, Arc<Plugin>>>,
    services: Arc<AtomServices>,
    compile_budget: Duration,
    /// One compile at a time: a compile cannot be stopped, so one that ran out
    /// of budget keeps its permit until it ends, and the next waits for it.
    compiling: Arc<tokio::sync::Semaphore>,
    _ticker: EpochTicker,
}

/// `describe()` gets the same isolation as any call, with a short deadline.
const DESCRIBE_LIMITS: Limits =
    Limits { memory_bytes: 64 << 20, deadline: Duration::from_secs(10), max_output_bytes: 1 << 20 };

impl Sandbox {
    pub fn new(config: SandboxConfig) -> anyhow::Result<Sandbox> {
        let engine = build_engine()?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        Step::add_to_linker::<CallState, HasAtoms>(&mut linker, |state| &mut state.atoms)?;
        let services = Arc::new(AtomServices {
            http: HttpClient::new(config.http)?,
            kv: config.kv,
            hosts: config.hosts,
            jobs: config.jobs,
        });
        Ok(Sandbox {
            artifacts: ArtifactCache::new(&engine, config.cache_dir),
            _ticker: EpochTicker::start(engine.clone()),
            engine,
            linker,
            loaded: Mutex::new(HashMap::new()),
            services,
            compile_budget: config.compile_budget.unwrap_or(COMPILE_BUDGET),
            compiling: Arc::new(tokio::sync::Semaphore::new(1)),
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Forget component `sha256`: its compiled file and the plugin kept in
    /// memory (a component refused after loading, for a reason of the caller's).
    pub fn forget_compiled(&self, sha256: &str) {
        self.artifacts.forget(sha256);
        self.loaded.lock().expect("plugin cache lock").remove(sha256);
    }

    /// Compile (or fetch from cache), describe and check a plugin. Loading the
    /// same bytes again returns the already loaded plugin.
    pub async fn load(&self, bytes: &[u8]) -> Result<Arc<Plugin>, LoadError> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        if let Some(plugin) = self.loaded.lock().expect("plugin cache lock").get(&sha256) {
            return Ok(plugin.clone());
        }
        plugin::check_header(bytes)?;
        plugin::check_structure(bytes)?;
        let component = self.compile(&sha256, bytes).await?;
        let checked = self.check(&sha256, bytes.len(), component).await;
        // A refused component leaves no compiled file behind.
        let plugin = checked.inspect_err(|_| self.artifacts.forget(&sha256))?;
        self.loaded.lock().expect("plugin cache lock").insert(sha256, plugin.clone());
        Ok(plugin)
    }

    /// Compile (or read the cached artifact) on a blocking thread, waiting at
    /// most the compile budget — for the permit and the compile together.
    async fn compile(&self, sha256: &str, bytes: &[u8]) -> Result<Component, LoadError> {
        let keep = Arc::new(Mutex::new(true));
        let budget = self.budget_for(bytes.len());
        let compiled = tokio::time::timeout(budget, async {
            let permit = self.compiling.clone().acquire_owned().await.expect("the compile semaphore is never closed");
            let (engine, artifacts, keep) = (self.engine.clone(), self.artifacts.clone(), keep.clone());
            let (sha256, bytes) = (sha256.to_string(), bytes.to_vec());
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                artifacts.load_or_compile(&engine, &sha256, &bytes, &keep)
            })
            .await
        })
        .await;
        match compiled {
            Ok(Ok(component)) => component.map_err(|e| LoadError::Invalid(format!("{e:#}"))),
            Ok(Err(panicked)) => Err(LoadError::Invalid(format!("the compiler failed: {panicked}"))),
            Err(_) => {
                *keep.lock().expect("artifact keep lock") = false;
                self.artifacts.forget(sha256);
                Err(LoadError::TooLarge(format!("it did not compile within {} s", budget.as_secs_f64())))
            }
        }
    }

    /// The compile budget of a component of `size` bytes: the base, plus
    /// [`BUDGET_PER_MIB`] for each MiB, at most [`BUDGET_GROWTH`] times the base.
    pub fn budget_for(&self, size: usize) -> Duration {
        let grown = self.compile_budget + BUDGET_PER_MIB.mul_f64(size as f64 / f64::from(1 << 20));
        grown.min(self.compile_budget * BUDGET_GROWTH)
    }

    /// Wait until no compile runs (one that ran out of budget goes on until it ends).
    pub async fn compiles_settled(&self) {
        drop(self.compiling.acquire().await.expect("the compile semaphore is never closed"));
    }

    async fn check(&self, sha256: &str, size_bytes: usize, component: Component) -> Result<Arc<Plugin>, LoadError> {
        let imports: Vec<String> =
            component.component_type().imports(&self.engine).map(|(name, _)| name.to_string()).collect();
        let pre =
            self.linker.instantiate_pre(&component).map_err(|e| LoadError::UnsupportedImport(format!("{e:#}")))?;
        let pre = StepPre::new(pre)
            .map_err(|e| LoadError::Invalid(format!("does not export the scena step world: {e:#}")))?;
        let meta = self.describe(&pre).await?;
        let (meta, input, output) = plugin::check_meta(meta)?;
        plugin::check_imports(&meta, &imports)?;
        Ok(Arc::new(Plugin {
            sha256: sha256.to_string(),
            size_bytes,
            meta,
            imports,
            pre,
            input: Arc::new(input),
            output,
        }))
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
