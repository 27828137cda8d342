//! OpenTelemetry traces, off unless `scena serve --otlp-endpoint` names a
//! collector (OTLP over HTTP, protobuf). A run is one trace whatever the
//! nodes that drive it: its trace id is the run's id (a UUID is 128 bits, as
//! a trace id is), and each stretch a node drives it is a span `run` whose
//! parent is the run itself — a parent no node sends, so every node finds
//! the same trace without passing anything along. Each step call is a span
//! `step` inside its node's `run`; a subflow's run is a trace of its own,
//! its `run` spans linked to the calling run's. Only spans of the target
//! `scena::trace` are exported.

use opentelemetry::KeyValue;
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState, TracerProvider as _,
};
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// The target of the spans that are exported.
pub const TARGET: &str = "scena::trace";

/// The exporter to the collector at `endpoint`, a base URL as OTLP's
/// `OTEL_EXPORTER_OTLP_ENDPOINT` is (`http://collector:4318`, traces going
/// to `v1/traces` under it), as node `node`.
pub fn provider(endpoint: &str, node: &str) -> anyhow::Result<SdkTracerProvider> {
    let endpoint = endpoint.trim();
    let mut base = url::Url::parse(endpoint).map_err(|e| anyhow::anyhow!("--otlp-endpoint `{endpoint}`: {e}"))?;
    if !matches!(base.scheme(), "http" | "https") {
        anyhow::bail!(
            "--otlp-endpoint `{endpoint}` is not an http:// or https:// URL (OTLP over HTTP, usually port 4318)"
        );
    }
    if !base.path().ends_with('/') {
        base.set_path(&format!("{}/", base.path()));
    }
    let traces = base.join("v1/traces")?;
    // The exporter's HTTP client is reqwest's, which has no TLS provider of its own.
    crate::tls::install_crypto_provider();
    let exporter = opentelemetry_otlp::SpanExporter::builder().with_http().with_endpoint(traces.as_str()).build()?;
    let resource = Resource::builder()
        .with_service_name("scena")
        .with_attribute(KeyValue::new("service.instance.id", node.to_string()))
        .build();
    Ok(SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build())
}

/// The layer exporting `scena::trace` spans through `provider`.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    use tracing_subscriber::Layer as _;
    let filter = tracing_subscriber::filter::Targets::new().with_target(TARGET, tracing::Level::INFO);
    tracing_opentelemetry::layer().with_tracer(provider.tracer("scena")).with_filter(filter)
}

/// The run itself as a remote parent: trace id the run's id, span id from it.
fn run_parent(run_id: &str) -> Option<opentelemetry::Context> {
    let id = uuid::Uuid::parse_str(run_id).ok()?;
    let bytes = id.as_bytes();
    let mut low = [0u8; 8];
    low.copy_from_slice(&bytes[8..]);
    // Never the invalid (all-zero) span id.
    let span = SpanId::from_bytes((u64::from_be_bytes(low) | 1).to_be_bytes());
    let context = SpanContext::new(TraceId::from_bytes(*bytes), span, TraceFlags::SAMPLED, true, TraceState::default());
    Some(opentelemetry::Context::new().with_remote_span_context(context))
}

/// The span of one stretch of a run driven by this node; a subflow's run
/// (`parent_run`: the run that called it) links to its parent's trace.
pub fn run_span(run_id: &str, tenant: &str, flow: &str, parent_run: Option<&str>) -> tracing::Span {
    let span = tracing::info_span!(target: TARGET, "run", run.id = run_id, tenant = tenant, flow = flow,
        parent.run.id = parent_run);
    if span.is_disabled() {
        return span;
    }
    if let Some(parent) = run_parent(run_id) {
        let _ = span.set_parent(parent);
    }
    if let Some(caller) = parent_run.and_then(run_parent) {
        span.add_link(caller.span().span_context().clone());
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_a_base_url_and_only_http_is_taken() {
        assert!(provider("localhost:4317", "n").is_err(), "no scheme: refused");
        let grpc = provider("grpc://collector:4317", "n").err().unwrap().to_string();
        assert!(grpc.contains("not an http:// or https:// URL"), "{grpc}");
        assert!(provider(" http://127.0.0.1:4318/otlp ", "n").is_ok());
    }

    #[test]
    fn a_runs_trace_id_is_its_id_on_every_node() {
        let run = "019aa0b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b";
        let parent = run_parent(run).unwrap();
        let context = parent.span().span_context().clone();
        assert_eq!(context.trace_id().to_string(), run.replace('-', ""));
        assert!(context.is_remote() && context.is_sampled() && context.span_id() != SpanId::INVALID);
        assert_eq!(run_parent(run).unwrap().span().span_context(), &context, "the same on every node");
        assert!(run_parent("not-a-uuid").is_none());
    }
}
