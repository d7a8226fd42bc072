//! The audit log at scale, measured where the admin waits: real HTTP
//! against a running server, 10,000 events vs EVENTS (default 1,000,000),
//! median of 51 interleaved runs each, signed in as the admin; then the
//! CSV export of every event, with the server's peak memory beside it.
//!
//!   cargo run --release -p bench --bin audit_log [-- EVENTS]

use bench::{median, ms, running_site, timed_get, Site};
use std::time::Instant;

const RUNS: usize = 51;

async fn site(events: usize) -> Site {
    running_site(|state| async move {
        let started = Instant::now();
        app::backend::jobs::generate_audit::generate_audit(&state, events).await.expect("generate events");
        eprintln!("generated {events} events in {:.1} s", started.elapsed().as_secs_f64());
    })
    .await
}

/// This process's peak resident memory (the servers run in it), in MB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok());
    kb.unwrap_or(0.0) / 1024.0
}

#[tokio::main]
async fn main() {
    let events: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let small = site(10_000).await;
    let large = site(events).await;
    let paths = [
        ("/api/audit", "first page"),
        ("/api/audit?action=sign_in_failed", "one action"),
        ("/api/audit?actor=user42", "one actor"),
        ("/api/audit?target=user42&action=sign_in", "target and action"),
        ("/api/audit?ip=10.3.51.4", "one address"),
        ("/api/audit?from=2026-06-01&to=2026-06-02", "one day"),
        ("/api/audit?q=unknown_user", "free text (common)"),
        ("/admin/audit", "the Admin → Audit log page"),
        ("/admin/audit?action=user_updated", "the page, one action"),
    ];
    println!("| measurement | 10,000 events | {events} events | ratio |");
    println!("|---|---|---|---|");
    for (path, what) in paths {
        let (mut at_small, mut at_large) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            at_small.push(timed_get(&small.client, &format!("{}{path}", small.base)).await.0);
            at_large.push(timed_get(&large.client, &format!("{}{path}", large.base)).await.0);
        }
        let (s, l) = (median(at_small), median(at_large));
        println!("| {what} (`{path}`) | {} | {} | {:.2}× |", ms(s), ms(l), l.as_secs_f64() / s.as_secs_f64());
    }
    // Read as it arrives, so that the figure is the server's memory, not a
    // client holding the whole file.
    let before = peak_rss_mb();
    let started = Instant::now();
    let mut res = large.client.get(format!("{}/api/audit?format=csv", large.base)).send().await.expect("export");
    assert!(res.status().is_success());
    let mut bytes = 0;
    while let Some(chunk) = res.chunk().await.expect("chunk") {
        bytes += chunk.len();
    }
    let took = started.elapsed();
    let after = peak_rss_mb();
    println!(
        "| CSV export of all {events} events | {:.1} s, {:.0} MB | peak memory {before:.0} MB before, {after:.0} MB after | {:.0} events/s |",
        took.as_secs_f64(),
        bytes as f64 / 1e6,
        events as f64 / took.as_secs_f64()
    );
}
