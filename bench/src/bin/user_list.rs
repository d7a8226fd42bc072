//! How the admin user list scales: the first page, a search and a deep page,
//! at 1,000 and at 100,000 users, on SQLite, and on PostgreSQL too when
//! `BENCH_DATABASE_URL` names a database whose role may create databases.
//! Prints medians and the 100k / 1k ratio for each; the goal is a ratio
//! within 1.5.

use app::backend::service::{fixtures, user_admin};
use app::model::UserQuery;
use std::time::{Duration, Instant};

const RUNS: usize = 21;

async fn median(state: &app::backend::AppState, query: &UserQuery) -> (Duration, usize) {
    let principal = bench::admin();
    let mut times = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let page = user_admin::list(state, Some(&principal), query).await.expect("list");
        times.push(started.elapsed());
        rows = page.items.len();
    }
    times.sort();
    (times[RUNS / 2], rows)
}

fn queries() -> Vec<(&'static str, UserQuery)> {
    vec![
        ("first page (newest first)", UserQuery::default()),
        ("search \"ximena.okafor\"", UserQuery { search: "ximena.okafor".into(), ..UserQuery::default() }),
        ("search \"ximena.okafor387\" (one user)", UserQuery { search: "ximena.okafor387".into(), ..UserQuery::default() }),
        ("deep page (by username, after \"yusuf\")", UserQuery { sort: "username".into(), after: "yusuf~0".into(), ..UserQuery::default() }),
    ]
}

async fn measure(state: app::backend::AppState, size: usize) -> Vec<(Duration, usize)> {
    let started = Instant::now();
    fixtures::generate_users(&state, "", size, "bench-password").await.expect("generate users");
    eprintln!("  generated {size} users in {:.1} s", started.elapsed().as_secs_f64());
    let mut out = Vec::new();
    for (_, query) in queries() {
        out.push(median(&state, &query).await);
    }
    out
}

fn report(backend: &str, small: &[(Duration, usize)], large: &[(Duration, usize)]) {
    println!("{:<42} {:>12} {:>12} {:>8}", format!("admin user list ({backend})"), "1k users", "100k users", "ratio");
    for (((label, _), (s, s_rows)), (l, l_rows)) in queries().iter().zip(small).zip(large) {
        println!(
            "{label:<42} {:>9.2} ms {:>9.2} ms {:>7.2}x   ({s_rows} / {l_rows} rows)",
            s.as_secs_f64() * 1e3,
            l.as_secs_f64() * 1e3,
            l.as_secs_f64() / s.as_secs_f64()
        );
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    eprintln!("SQLite, {RUNS} runs each, median:");
    let small = measure(bench::fresh_site(&dir.path().join("small.db")).await, 1_000).await;
    let large = measure(bench::fresh_site(&dir.path().join("large.db")).await, 100_000).await;
    report("SQLite", &small, &large);
    if let Ok(url) = std::env::var("BENCH_DATABASE_URL") {
        eprintln!("PostgreSQL, {RUNS} runs each, median:");
        let (small_site, small_db) = bench::fresh_postgres_site(&url).await;
        let (large_site, large_db) = bench::fresh_postgres_site(&url).await;
        let small = measure(small_site, 1_000).await;
        let large = measure(large_site, 100_000).await;
        report("PostgreSQL", &small, &large);
        bench::drop_postgres_databases(&url, &[small_db, large_db]).await;
    }
}
