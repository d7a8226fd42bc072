//! The API floor (issue 18, item 5): an authenticated REST call against the
//! cheapest route of the same server, both at 32 concurrent kept-alive
//! clients. Goal: `GET /users/storage` with a Bearer JWT at >= 50% of the
//! requests per second of `GET /healthz`.
//!
//!   cargo run --release -p bench --bin http_api [-- SECONDS]
//!
//! The JWT comes from `POST /users/authenticate`, as a script gets one. The
//! two routes take turns, one second each, for SECONDS each (default 10),
//! so whatever else the machine does falls on both alike.

use bench::{running_site, SITE_ADMIN_PASSWORD};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 32;

#[tokio::main]
async fn main() {
    let rounds: u32 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let site = running_site(|_| async {}).await;
    let bearer = format!("Bearer {}", bench::jwt(&site.base, "admin", SITE_ADMIN_PASSWORD).await);
    let healthz = format!("{}/healthz", site.base);
    let storage = format!("{}/users/storage", site.base);
    let client = reqwest::Client::builder().pool_max_idle_per_host(CLIENTS).build().unwrap();
    requests_per_second(&client, &healthz, None, 1.0).await;
    requests_per_second(&client, &storage, Some(&bearer), 1.0).await;
    let (mut health_total, mut storage_total) = (0.0, 0.0);
    for _ in 0..rounds {
        health_total += requests_per_second(&client, &healthz, None, 1.0).await;
        storage_total += requests_per_second(&client, &storage, Some(&bearer), 1.0).await;
    }
    let (health, storage) = (health_total / rounds as f64, storage_total / rounds as f64);
    println!("| measurement | figure | baseline | ratio |");
    println!("|---|---|---|---|");
    println!(
        "| `GET /users/storage` (Bearer JWT) vs `GET /healthz`, {CLIENTS} concurrent | {storage:.0} req/s | {health:.0} req/s | {:.0}% |",
        100.0 * storage / health
    );
}

/// Requests per second that `CLIENTS` concurrent loops get from `url` for
/// `seconds`, each answer read to the end and checked to be 200.
async fn requests_per_second(client: &reqwest::Client, url: &str, authorization: Option<&str>, seconds: f64) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let loops: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (client, url, done) = (client.clone(), url.to_string(), done.clone());
            let authorization = authorization.map(str::to_owned);
            tokio::spawn(async move {
                while Instant::now() < until {
                    let mut req = client.get(&url);
                    if let Some(a) = &authorization {
                        req = req.header("authorization", a);
                    }
                    let res = req.send().await.expect("request");
                    assert_eq!(res.status(), 200, "{url}");
                    res.bytes().await.expect("body");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for l in loops {
        l.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}
