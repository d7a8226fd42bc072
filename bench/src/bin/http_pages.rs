//! Page-level figures, measured where the user waits: real HTTP against a
//! running server (release build), each beside its baseline in the same run.
//!
//!   cargo leptos build --release --precompress   # the site's assets
//!   cargo run --release -p bench --bin http_pages [-- USERS]
//!
//! 1. A page on a kept-alive connection vs on a fresh connection (the
//!    Nagle/delayed-ACK stall shows as ~40 ms on the former).
//! 2. The site's assets: bytes on disk vs bytes sent with brotli accepted.
//! 3. Admin pages at 1,000 users vs USERS (default 100,000): median of 101
//!    interleaved runs each, signed in as the admin; and the statistics
//!    page with its site totals read afresh each time.

use bench::{median, ms, running_site, timed_get, Site};

const RUNS: usize = 101;

async fn site(users: usize) -> Site {
    running_site(|state| async move {
        app::backend::jobs::generate_users::generate_users(&state, "", users, "bench-password").await.expect("generate users");
    })
    .await
}

async fn keep_alive(site: &Site) {
    let url = format!("{}/login", site.base);
    let kept = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    timed_get(&kept, &url).await;
    let (mut on_kept, mut on_fresh) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        on_kept.push(timed_get(&kept, &url).await.0);
        on_fresh.push(timed_get(&fresh, &url).await.0);
    }
    let (k, f) = (median(on_kept), median(on_fresh));
    println!("| GET /login, kept-alive vs fresh connection | {} | {} | {:.2}× |", ms(k), ms(f), k.as_secs_f64() / f.as_secs_f64());
}

async fn assets(site: &Site) {
    let pkg = std::path::Path::new("target/site/pkg");
    let Ok(entries) = std::fs::read_dir(pkg) else {
        println!("| assets | (no target/site/pkg: run cargo leptos build --release --precompress) | | |");
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| !n.ends_with(".br") && !n.ends_with(".gz"))
        .collect();
    names.sort();
    let client = reqwest::Client::new();
    for name in names {
        let raw = std::fs::metadata(pkg.join(&name)).map(|m| m.len()).unwrap_or(0);
        let res = client.get(format!("{}/pkg/{name}", site.base)).header("accept-encoding", "br, gzip").send().await.unwrap();
        let encoding = res.headers().get("content-encoding").and_then(|v| v.to_str().ok()).unwrap_or("none").to_string();
        let cache = res.headers().get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or("-").to_string();
        let sent = res.bytes().await.unwrap().len();
        println!("| /pkg/{name} ({encoding}; {cache}) | {raw} B on disk | {sent} B sent | {:.2}× |", sent as f64 / raw.max(1) as f64);
    }
}

async fn admin_pages(small: &Site, large: &Site, users: usize) {
    let pages = [
        ("/", "home, as the admin sees it"),
        ("/admin", "overview"),
        ("/admin/users", "users, first page"),
        ("/admin/users?search=ximena.okafor387", "search for one user"),
        ("/admin/users?search=lab.example", "search, a quarter of the users"),
        ("/admin/users?sort=username&after=y~0", "deep page by username"),
        ("/admin/roles", "roles"),
        ("/admin/sessions", "sessions"),
        ("/admin/statistics", "statistics, first page"),
        ("/admin/statistics?sort=storage", "statistics by storage used"),
    ];
    for (path, what) in pages {
        let (mut at_small, mut at_large) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            at_small.push(timed_get(&small.client, &format!("{}{path}", small.base)).await.0);
            at_large.push(timed_get(&large.client, &format!("{}{path}", large.base)).await.0);
        }
        let (s, l) = (median(at_small), median(at_large));
        println!("| {what} (`{path}`), 1,000 vs {users} users | {} | {} | {:.2}× |", ms(s), ms(l), l.as_secs_f64() / s.as_secs_f64());
    }
}

/// The statistics page when its site totals are not cached: the first load
/// after they expire (they are kept for five seconds).
async fn statistics_uncached(small: &Site, large: &Site, users: usize) {
    let path = "/admin/statistics";
    let (mut at_small, mut at_large) = (Vec::new(), Vec::new());
    for _ in 0..RUNS / 4 {
        small.running.state.statistics.clear();
        at_small.push(timed_get(&small.client, &format!("{}{path}", small.base)).await.0);
        large.running.state.statistics.clear();
        at_large.push(timed_get(&large.client, &format!("{}{path}", large.base)).await.0);
    }
    let (s, l) = (median(at_small), median(at_large));
    println!("| statistics, site totals not cached (`{path}`), 1,000 vs {users} users | {} | {} | {:.2}× |", ms(s), ms(l), l.as_secs_f64() / s.as_secs_f64());
}

#[tokio::main]
async fn main() {
    let users: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let small = site(1_000).await;
    let large = site(users).await;
    println!("| measurement | figure | baseline | ratio |");
    println!("|---|---|---|---|");
    keep_alive(&small).await;
    assets(&small).await;
    admin_pages(&small, &large, users).await;
    statistics_uncached(&small, &large, users).await;
}
