//! How the admin user list scales: the first page, a search and a deep page,
//! at 1,000 and at 100,000 users, on SQLite, and on PostgreSQL too when
//! `BENCH_DATABASE_URL` names a database whose role may create databases.
//! Prints medians and the 100k / 1k ratio for each; the goal is a ratio
//! within 1.5. The searches: one that finds the same single user at both
//! sizes, one that matches a quarter of all users (a full page at both),
//! and one whose matches grow with the data (1 at 1k, 148 at 100k), whose
//! cost follows its match count rather than the user count.

use app::backend::jobs::generate_users::generate_users;
use app::backend::service::users;
use app::model::UserQuery;
use std::time::{Duration, Instant};

const RUNS: usize = 101;

/// Times one call of the list.
async fn once(state: &app::backend::AppState, query: &UserQuery) -> (Duration, usize) {
    let started = Instant::now();
    let page = users::listing::page(state, Some(&bench::admin()), query).await.expect("list");
    (started.elapsed(), page.items.len())
}

/// The median time and row count of `query` on each site. The two sites
/// take turns, so whatever else the machine does falls on both alike.
async fn medians(small: &app::backend::AppState, large: &app::backend::AppState, query: &UserQuery) -> [(Duration, usize); 2] {
    once(small, query).await;
    once(large, query).await;
    let mut times = [Vec::with_capacity(RUNS), Vec::with_capacity(RUNS)];
    let mut rows = [0, 0];
    for _ in 0..RUNS {
        for (i, state) in [small, large].into_iter().enumerate() {
            let (time, count) = once(state, query).await;
            times[i].push(time);
            rows[i] = count;
        }
    }
    [0, 1].map(|i| {
        times[i].sort();
        (times[i][RUNS / 2], rows[i])
    })
}

fn queries() -> Vec<(&'static str, UserQuery)> {
    vec![
        ("first page (newest first)", UserQuery::default()),
        ("search \"ximena.okafor387\" (one user)", UserQuery { search: "ximena.okafor387".into(), ..UserQuery::default() }),
        ("search \"lab.example\" (a quarter)", UserQuery { search: "lab.example".into(), ..UserQuery::default() }),
        ("search \"ximena.okafor\" (grows)", UserQuery { search: "ximena.okafor".into(), ..UserQuery::default() }),
        ("deep page (by username, after \"yusuf\")", UserQuery { sort: "username".into(), after: "yusuf~0".into(), ..UserQuery::default() }),
    ]
}

async fn generate(state: &app::backend::AppState, size: usize) {
    let started = Instant::now();
    generate_users(state, "", size, "bench-password").await.expect("generate users");
    eprintln!("  generated {size} users in {:.1} s", started.elapsed().as_secs_f64());
}

async fn report(backend: &str, small: app::backend::AppState, large: app::backend::AppState) {
    generate(&small, 1_000).await;
    generate(&large, 100_000).await;
    println!("{:<42} {:>12} {:>12} {:>8}", format!("admin user list ({backend})"), "1k users", "100k users", "ratio");
    for (label, query) in queries() {
        let [(s, s_rows), (l, l_rows)] = medians(&small, &large, &query).await;
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
    let small = bench::fresh_site(&dir.path().join("small.db")).await;
    let large = bench::fresh_site(&dir.path().join("large.db")).await;
    report("SQLite", small, large).await;
    if let Ok(url) = std::env::var("BENCH_DATABASE_URL") {
        eprintln!("PostgreSQL, {RUNS} runs each, median:");
        let (small, small_db) = bench::fresh_postgres_site(&url).await;
        let (large, large_db) = bench::fresh_postgres_site(&url).await;
        report("PostgreSQL", small, large).await;
        bench::drop_postgres_databases(&url, &[small_db, large_db]).await;
    }
}
