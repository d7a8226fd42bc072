//! How long a 100,000-row CSV user import takes (goal: under 30 s on a
//! 2-core machine), going through the same chunks and service the browser
//! page uses: a dry run over the whole file, then the import.

use app::backend::service::user_import::import_chunk;
use app::model::split_csv_chunks;
use std::time::Instant;

const ROWS: usize = 100_000;
const CHUNK_BYTES: usize = 300 * 1024;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = bench::fresh_site(&dir.path().join("import.db")).await;
    let admin = bench::admin();
    let mut csv = String::from("username,display_name,email,roles,enabled\n");
    for n in 0..ROWS {
        csv.push_str(&format!("imported{n},Imported Person {n},imported{n}@lab.example.org,user,true\n"));
    }
    let chunks = split_csv_chunks(&csv, CHUNK_BYTES);
    for dry_run in [true, false] {
        let started = Instant::now();
        let (mut created, mut problems) = (0, 0);
        for (first_line, chunk) in &chunks {
            let report = import_chunk(&state, Some(&admin), chunk, *first_line, dry_run).await.expect("import chunk");
            created += report.created;
            problems += report.problems.len();
        }
        println!(
            "{} of {ROWS} rows (SQLite, {} requests): {:.1} s — {created} {}, {problems} problems",
            if dry_run { "dry run" } else { "import " },
            chunks.len(),
            started.elapsed().as_secs_f64(),
            if dry_run { "would be created" } else { "created" }
        );
    }
    // What the server's background task does once an import pauses.
    let started = Instant::now();
    app::backend::jobs::search_upkeep::tidy(&state).await.expect("tidy the search index");
    println!("then compacting and sampling the search index: {:.2} s", started.elapsed().as_secs_f64());
}
