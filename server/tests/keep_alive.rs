//! Responses on a kept-alive connection arrive without Nagle's stall: a
//! page written in several pieces used to wait ~40 ms for the client's
//! delayed ACK before its last piece left (no `TCP_NODELAY`).

mod common;

use common::*;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_second_page_on_one_kept_alive_connection_is_not_delayed() {
    let db = test_databases().await.remove(0);
    let server = TestServer::start(&test_config(&db)).await;
    // One idle connection at most, so every request reuses the first one.
    let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
    let mut fastest = Duration::MAX;
    for attempt in 0..6 {
        let started = Instant::now();
        let res = client.get(server.url("/login")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let body = res.text().await.unwrap();
        assert!(body.contains("</html>"), "the whole page arrived");
        // The first request opens the connection and warms the page up.
        if attempt > 0 {
            fastest = fastest.min(started.elapsed());
        }
    }
    println!("fastest of 5 kept-alive GET /login: {fastest:?}");
    // A Nagle stall costs every request ~40 ms; the fastest shows it.
    assert!(fastest < Duration::from_millis(20), "second request on a kept-alive connection took {fastest:?}");
}
