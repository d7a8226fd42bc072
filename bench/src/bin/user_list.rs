//! How the admin user list scales: the first page, a search and a deep page,
//! at 1,000 and at 100,000 users, on SQLite (and on PostgreSQL when
//! `BENCH_DATABASE_URL` names an empty database). Prints medians and the
//! 100k / 1k ratio for each; the goal is a ratio within 1.5.

use app::backend::auth::Principal;
use app::backend::service::{fixtures, user_admin};
use app::model::UserQuery;
use gatehouse_server::config::Config;
use std::time::{Duration, Instant};

const RUNS: usize = 21;

fn admin() -> Principal {
    Principal {
        user_id: 1,
        username: "admin".into(),
        display_name: None,
        email: None,
        roles: vec!["admin".into()],
        must_change_password: false,
        session_key: None,
    }
}

async fn median(state: &app::backend::AppState, query: &UserQuery) -> (Duration, usize) {
    let principal = admin();
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
        ("deep page (by username, after \"yusuf\")", UserQuery { sort: "username".into(), after: "yusuf~0".into(), ..UserQuery::default() }),
    ]
}

async fn measure(url: &str, size: usize) -> Vec<(Duration, usize)> {
    let config = Config { database_url: url.into(), admin_password: Some("bench-admin-password".into()), ..Config::default() };
    let state = gatehouse_server::open_state(&config).await.expect("open database");
    gatehouse_server::first_run(&config, &state).await.expect("first admin");
    let started = Instant::now();
    fixtures::generate_users(&state, "", size, "bench-password").await.expect("generate users");
    eprintln!("  generated {size} users in {:.1} s", started.elapsed().as_secs_f64());
    let mut out = Vec::new();
    for (_, query) in queries() {
        out.push(median(&state, &query).await);
    }
    out
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let small_url = format!("sqlite://{}?mode=rwc", dir.path().join("small.db").display());
    let large_url = format!("sqlite://{}?mode=rwc", dir.path().join("large.db").display());
    eprintln!("SQLite, {RUNS} runs each, median:");
    let small = measure(&small_url, 1_000).await;
    let large = measure(&large_url, 100_000).await;
    println!("{:<42} {:>12} {:>12} {:>8}", "admin user list (SQLite)", "1k users", "100k users", "ratio");
    for (((label, _), (s, s_rows)), (l, l_rows)) in queries().iter().zip(&small).zip(&large) {
        println!(
            "{label:<42} {:>9.2} ms {:>9.2} ms {:>7.2}x   ({s_rows} / {l_rows} rows)",
            s.as_secs_f64() * 1e3,
            l.as_secs_f64() * 1e3,
            l.as_secs_f64() / s.as_secs_f64()
        );
    }
}
