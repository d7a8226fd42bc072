//! How long a 100,000-row CSV user import takes (goal: under 30 s through
//! HTTP on a 2-core machine), in the same chunks the Admin → Import page
//! sends: a dry run over the whole file, then the import. Measured twice in
//! one run, each on a fresh SQLite site: calling the service directly, and
//! as the page does it, POSTing each chunk to the `admin/users/import`
//! server function of a running server, signed in as the admin.
//!
//!   cargo run --release -p bench --bin user_import [-- ROWS]

use app::backend::service::user_import::import_chunk;
use app::model::{split_csv_chunks, ImportReport};
use std::time::Instant;

/// The page's request size (`pages/admin/user_import.rs`).
const CHUNK_BYTES: usize = 300 * 1024;

/// Runs every chunk through `send`; prints the time and the totals.
async fn run<F, Fut>(door: &str, chunks: &[(i64, String)], rows: usize, dry_run: bool, mut send: F)
where
    F: FnMut(i64, String, bool) -> Fut,
    Fut: std::future::Future<Output = ImportReport>,
{
    let started = Instant::now();
    let (mut created, mut problems) = (0, 0);
    for (first_line, chunk) in chunks {
        let report = send(*first_line, chunk.clone(), dry_run).await;
        created += report.created;
        problems += report.problems.len();
    }
    println!(
        "| {} of {rows} rows, {door} ({} requests) | {:.1} s | {created} {}, {problems} problems |",
        if dry_run { "dry run" } else { "import" },
        chunks.len(),
        started.elapsed().as_secs_f64(),
        if dry_run { "would be created" } else { "created" }
    );
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let mut csv = String::from("username,display_name,email,roles,enabled\n");
    for n in 0..rows {
        csv.push_str(&format!("imported{n},Imported Person {n},imported{n}@lab.example.org,user,true\n"));
    }
    let chunks = split_csv_chunks(&csv, CHUNK_BYTES);
    println!("| measurement | time | outcome |");
    println!("|---|---|---|");

    let dir = tempfile::tempdir().expect("temp dir");
    let state = bench::fresh_site(&dir.path().join("import.db")).await;
    let admin = bench::admin();
    for dry_run in [true, false] {
        run("service", &chunks, rows, dry_run, |first_line, chunk, dry_run| {
            let (state, admin) = (&state, &admin);
            async move { import_chunk(state, Some(admin), &chunk, first_line, dry_run).await.expect("import chunk") }
        })
        .await;
    }
    // What the server's background task does once an import pauses.
    let started = Instant::now();
    app::backend::jobs::search_upkeep::tidy(&state).await.expect("tidy the search index");
    println!("| then compacting and sampling the search index | {:.2} s | |", started.elapsed().as_secs_f64());

    let site = bench::running_site(|_| async {}).await;
    let url = format!("{}/api/admin/users/import", site.base);
    for dry_run in [true, false] {
        run("HTTP, as the page", &chunks, rows, dry_run, |first_line, chunk, dry_run| {
            let (client, url) = (&site.client, &url);
            async move {
                let form = [("csv", chunk), ("first_line", first_line.to_string()), ("dry_run", dry_run.to_string())];
                let res = client.post(url).form(&form).send().await.expect("POST a chunk");
                assert!(res.status().is_success(), "chunk at line {first_line}: {}", res.status());
                serde_json::from_slice(&res.bytes().await.expect("body")).expect("an import report")
            }
        })
        .await;
    }
}
