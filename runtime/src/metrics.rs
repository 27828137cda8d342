//! Process metrics in Prometheus' text format (`GET /metrics`): HTTP
//! requests by route and status, step durations, plugin call durations, the
//! number of step calls in flight (the ready queue: the engine starts every
//! due call at once, so calls waiting for a core are calls in flight), and —
//! read from the store at scrape time — runs by status.

use std::sync::LazyLock;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Labels = Vec<(&'static str, String)>;
type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    http_requests: Family<Labels, Counter>,
    node_seconds: Histograms,
    plugin_call_seconds: Histograms,
    calls_in_flight: Gauge,
    runs: Family<Labels, Gauge>,
    /// In a cluster: leases this node holds (set at scrape) and runs it took over from other nodes.
    leases_held: Gauge,
    takeovers: Counter,
    /// The plugins everyone sees (the server's standard ones): only these
    /// are named in labels. A tenant's uploads are counted under `uploaded`,
    /// since `/metrics` may be open and a plugin's name is tenant data.
    public_plugins: std::sync::RwLock<std::collections::HashSet<String>>,
}

/// The label of every call of a plugin a tenant uploaded.
pub const UPLOADED_PLUGIN: &str = "uploaded";

fn duration_buckets() -> Histogram {
    // 100 µs to ~13 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 18))
}

pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("scena");
    let http_requests = Family::<Labels, Counter>::default();
    registry.register("http_requests", "HTTP requests by route, method and status", http_requests.clone());
    let node_seconds = Histograms::new_with_constructor(duration_buckets);
    registry.register(
        "node_duration_seconds",
        "Duration of one attempt of a step node, by outcome",
        node_seconds.clone(),
    );
    let plugin_call_seconds = Histograms::new_with_constructor(duration_buckets);
    registry.register(
        "plugin_call_duration_seconds",
        "Duration of one plugin call in the sandbox, by plugin",
        plugin_call_seconds.clone(),
    );
    let calls_in_flight = Gauge::default();
    registry.register("ready_queue_depth", "Step calls started and not yet finished", calls_in_flight.clone());
    let runs = Family::<Labels, Gauge>::default();
    registry.register("runs", "Runs in the store, by status", runs.clone());
    let leases_held = Gauge::default();
    registry.register("leases_held", "Run leases this node holds (a node of a cluster)", leases_held.clone());
    let takeovers = Counter::default();
    registry.register("lease_takeovers", "Runs this node took over after their lease expired", takeovers.clone());
    Metrics {
        registry,
        http_requests,
        node_seconds,
        plugin_call_seconds,
        calls_in_flight,
        runs,
        leases_held,
        takeovers,
        public_plugins: Default::default(),
    }
});

impl Metrics {
    pub fn http_request(&self, route: &str, method: &str, status: u16) {
        let labels = vec![("route", route.to_string()), ("method", method.to_string()), ("status", status.to_string())];
        self.http_requests.get_or_create(&labels).inc();
    }

    pub fn node_finished(&self, outcome: &str, seconds: f64) {
        self.node_seconds.get_or_create(&vec![("outcome", outcome.to_string())]).observe(seconds);
    }

    /// Name these plugins in labels: they are no tenant's.
    pub fn public_plugins<'a>(&self, names: impl IntoIterator<Item = &'a str>) {
        self.public_plugins.write().expect("metrics lock").extend(names.into_iter().map(str::to_string));
    }

    pub fn plugin_called(&self, plugin: &str, seconds: f64) {
        let public = self.public_plugins.read().expect("metrics lock").contains(plugin);
        let label = if public { plugin.to_string() } else { UPLOADED_PLUGIN.to_string() };
        self.plugin_call_seconds.get_or_create(&vec![("plugin", label)]).observe(seconds);
    }

    /// Count a call in flight until the guard is dropped.
    pub fn call_in_flight(&self) -> InFlight {
        self.calls_in_flight.inc();
        InFlight
    }

    pub fn lease_taken_over(&self) {
        self.takeovers.inc();
    }

    pub fn set_leases_held(&self, held: usize) {
        self.leases_held.set(held as i64);
    }

    /// The text exposition, with `runs` (status, count) as read from the store.
    pub fn render(&self, runs: &[(String, i64)]) -> String {
        self.runs.clear();
        for (status, count) in runs {
            self.runs.get_or_create(&vec![("status", status.clone())]).set(*count);
        }
        let mut text = String::new();
        if encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

pub struct InFlight;

impl Drop for InFlight {
    fn drop(&mut self) {
        METRICS.calls_in_flight.dec();
    }
}
