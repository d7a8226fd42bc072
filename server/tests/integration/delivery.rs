//! How responses travel: without Nagle's stall on kept-alive connections,
//! compressed when the client accepts it, with a cache policy, and with the
//! status their error carries even when a server function could not run.


use crate::common::*;
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

#[tokio::test]
async fn pages_are_compressed_when_accepted_and_never_cached_blindly() {
    let db = test_databases().await.remove(0);
    let server = TestServer::start(&test_config(&db)).await;
    let client = reqwest::Client::new();
    let plain = client.get(server.url("/login")).send().await.unwrap();
    assert_eq!(plain.headers().get("content-encoding"), None);
    assert_eq!(plain.headers()["cache-control"], "no-cache, private");
    let plain_len = plain.bytes().await.unwrap().len();
    for encoding in ["br", "gzip"] {
        let res = client.get(server.url("/login")).header("accept-encoding", encoding).send().await.unwrap();
        assert_eq!(res.headers()["content-encoding"], encoding);
        let sent = res.bytes().await.unwrap().len();
        println!("GET /login: {plain_len} B plain, {sent} B {encoding}");
        assert!(sent * 2 < plain_len, "{encoding}: {sent} B of {plain_len} B");
    }
}

#[tokio::test]
async fn a_server_function_missing_an_argument_is_a_400_naming_it() {
    let db = test_databases().await.remove(0);
    let server = TestServer::start(&test_config(&db)).await;
    let client = Client::new(&server.base);
    let res = client.post_form("/api/login", &[("username", "admin"), ("password", "whatever")]).await;
    assert_eq!(res.status(), 400);
    let err: app::model::AppError = res.json().await.unwrap();
    assert_eq!(err.field(), Some("next"), "{err:?}");
}
