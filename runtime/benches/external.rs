//! `cargo bench -p scena --bench external` (in `cargo xtask bench`): the
//! HTTP API measured from outside — `scena serve` in its own process (SQLite,
//! or PostgreSQL at `SCENA_BENCH_DB`), the load generator in this one —
//! and, in the same run, a **reference**: a bare hyper server in a third
//! process that answers the same requests by doing the same arithmetic with
//! no engine, no store and no sandbox. Every figure is printed beside the
//! reference's, and scena's as a fraction of it: this machine's speed swings
//! by 2–3× between hours, the fraction far less.
//!
//! Cases: chain10 and fan50 (the engine benchmark's flows), 1 and 16
//! keep-alive clients, each started with `POST …/runs?wait_ms=30000` (and
//! with `&view=summary`, the outcome alone) and every answer checked (status
//! and output). Then the memory of both servers: the most each held, and
//! what scena holds after the load. scena is measured in its second start:
//! the first compiles the standard plugins (once; the compiled code is kept
//! on disk), and its peak is shown apart.
//!
//! `SCENA_BENCH_PEER=HOST:PORT` measures a third server already listening
//! there (on loopback) in the same loop — e.g. Node-RED with flows answering
//! the same two paths, as the README describes — so a comparison with it is
//! made in one run, not across hours; with `SCENA_BENCH_PEER_PID`, its peak
//! memory too.

use std::net::SocketAddr;
use std::process::Command;

use serde_json::json;

mod common;
mod loadgen;
mod served;
use common::{chain, fan};
use served::{Measured, load, publish, start_node, start_path, start_process};

/// Set in the reference server's environment: this binary started again as the reference.
const REFERENCE_ROLE: &str = "SCENA_BENCH_REFERENCE";

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    if std::env::var_os(REFERENCE_ROLE).is_some() {
        runtime.block_on(reference::serve());
    } else {
        runtime.block_on(measure());
    }
}

async fn measure() {
    let postgres = std::env::var("SCENA_BENCH_DB").ok();
    let scratch = match &postgres {
        Some(url) => Some(scena::store::scratch_schema(url).await.unwrap()),
        None => None,
    };
    let database = if postgres.is_some() { "PostgreSQL" } else { "SQLite" };
    let mut scena = start_node(scratch.as_ref().map(|(scoped, _)| scoped.as_str()), "external", "5s");
    // A first start compiles the standard plugins (cached on disk after): its
    // peak is reported apart, and the server measured is a second start.
    let first_start_peak = scena.peak_rss_mib();
    scena.restart();
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.env(REFERENCE_ROLE, "1");
    let reference = start_process(command, "reference listening on ", "the reference server");
    publish(&scena, serde_json::to_value(chain(10)).unwrap()).await;
    publish(&scena, serde_json::to_value(fan(50)).unwrap()).await;
    println!(
        "scena external HTTP benchmark: `scena serve` (durable {database}) and a bare hyper reference, \
         each in its own process; the load generator in this one"
    );
    let peer: Option<SocketAddr> = std::env::var("SCENA_BENCH_PEER").ok().map(|a| {
        let address: SocketAddr = a.parse().expect("SCENA_BENCH_PEER is HOST:PORT");
        assert!(address.ip().is_loopback(), "the peer must listen on a loopback address");
        address
    });
    let (ten, fifty) = (json!({"n": 10}), json!({"sum": 50}));
    // Warm-up: compiled plans, pools, the reference's allocator, the peer's JIT.
    for address in [scena.address, reference.address].into_iter().chain(peer) {
        load(&[address], &start_path("chain"), &ten, 400, 4).await;
        load(&[address], &start_path("fan"), &fifty, 100, 4).await;
    }
    let words: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let chosen = |label: &str| words.is_empty() || words.iter().any(|w| label.contains(w.as_str()));
    let scale: usize = std::env::var("SCENA_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    // The `summary` cases ask for the outcome alone (`&view=summary`), not every node.
    let cases = [
        ("chain10, 1 client", "chain", "", &ten, 1200, 1),
        ("chain10, 16 clients", "chain", "", &ten, 3200, 16),
        ("chain10 summary, 16", "chain", "&view=summary", &ten, 3200, 16),
        ("fan50, 1 client", "fan", "", &fifty, 400, 1),
        ("fan50, 16 clients", "fan", "", &fifty, 800, 16),
        ("fan50 summary, 16", "fan", "&view=summary", &fifty, 800, 16),
    ];
    for (label, flow, view, expected, total, clients) in cases {
        if !chosen(label) {
            continue;
        }
        let path = format!("{}{view}", start_path(flow));
        // Back to back, so both meet the machine in the same minute.
        let theirs = load(&[reference.address], &path, expected, total * scale, clients).await;
        let ours = load(&[scena.address], &path, expected, total * scale, clients).await;
        report(label, &ours, &theirs);
        if let Some(peer) = peer {
            let peers = load(&[peer], &path, expected, total * scale, clients).await;
            println!(
                "  {:<20} peer  {:>6.0} flows/s  p50 {:>6.2} ms  p99 {:>6.2} ms | scena/peer: {:.2} of the rate, p50 {:.1}×",
                "",
                peers.rate,
                peers.percentile(0.5),
                peers.percentile(0.99),
                ours.rate / peers.rate,
                ours.percentile(0.5) / peers.percentile(0.5),
            );
        }
    }
    println!(
        "  memory: scena peak {:.0} MiB, {:.0} MiB resident after the load (its first start, compiling the \
         standard plugins: peak {first_start_peak:.0} MiB); reference peak {:.0} MiB",
        scena.peak_rss_mib(),
        scena.rss_mib(),
        reference.peak_rss_mib()
    );
    if let Some(pid) = std::env::var("SCENA_BENCH_PEER_PID").ok().and_then(|p| p.parse().ok()) {
        let (peak, now) = (served::memory_mib(pid, "VmHWM"), served::memory_mib(pid, "VmRSS"));
        println!("  memory of the peer: peak {peak:.0} MiB (since it started), {now:.0} MiB resident after the load");
    }
    drop((scena, reference));
    if let (Some(url), Some((_, schema))) = (&postgres, &scratch) {
        scena::store::drop_scratch_schema(url, schema).await.unwrap();
    }
}

fn report(label: &str, ours: &Measured, theirs: &Measured) {
    println!(
        "  {label:<20} scena {:>6.0} flows/s  p50 {:>6.2} ms  p99 {:>6.2} ms | reference {:>6.0}/s  p50 {:>5.2} ms | \
         scena/reference: {:.2} of the rate, p50 {:.1}×",
        ours.rate,
        ours.percentile(0.5),
        ours.percentile(0.99),
        theirs.rate,
        theirs.percentile(0.5),
        ours.rate / theirs.rate,
        ours.percentile(0.5) / theirs.percentile(0.5),
    );
}

/// The reference: what answering these requests costs with no engine at all.
mod reference {
    use std::convert::Infallible;

    use http_body_util::{BodyExt, Full};
    use hyper::body::{Bytes, Incoming};
    use hyper::{Request, Response, StatusCode};
    use serde_json::{Value, json};

    use super::served::TOKEN;

    pub async fn serve() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        eprintln!("reference listening on {}", listener.local_addr().unwrap());
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            stream.set_nodelay(true).unwrap();
            tokio::spawn(async move {
                let io = hyper_util::rt::TokioIo::new(stream);
                let service = hyper::service::service_fn(answer);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
            });
        }
    }

    /// Check the token, read the input, do the flow's arithmetic, answer as a run would.
    async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
        let authorized =
            request.headers().get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"));
        let path = request.uri().path().to_string();
        let body = request.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        let input: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let n = input["input"]["n"].as_i64();
        let output = match (authorized, n) {
            (true, Some(n)) if path.ends_with("/flows/chain/runs") => Some(json!({"n": (0..10).fold(n, |n, _| n + 1)})),
            (true, Some(n)) if path.ends_with("/flows/fan/runs") => {
                Some(json!({"sum": (0..50).map(|_| n + 1).sum::<i64>()}))
            }
            _ => None,
        };
        let (status, body) = match output {
            Some(output) => (
                StatusCode::OK,
                json!({"id": uuid::Uuid::now_v7().to_string(), "status": "succeeded", "output": output}),
            ),
            None => (StatusCode::BAD_REQUEST, json!({"error": {"code": "bad_request"}})),
        };
        let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
        *response.status_mut() = status;
        response.headers_mut().insert("content-type", "application/json".parse().unwrap());
        Ok(response)
    }
}
