//! `/metrics` (Prometheus text, route templates never raw paths, sign-ins by
//! outcome, argon2, sessions, outbox, pool), who may read it, and request
//! ids: every answer carries one, a safe client id is kept, a hostile one
//! replaced, and a 5xx body names it.

use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const PASSWORD: &str = "metrics-password-1";

/// The value of the first sample line that starts with `series`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find(|l| l.starts_with(series)).and_then(|l| l.rsplit(' ').next()).and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_by_route_template_and_stay_local() {
    let db = test_databases().await.into_iter().next().unwrap();
    let server = TestServer::start(&Config { admin_password: Some(PASSWORD.into()), ..test_config(&db) }).await;
    server.create_user("mira", "mira-password-1").await;
    let admin = Rest::new(&server.base, "admin", PASSWORD);
    assert_eq!(admin.send(Method::GET, "/users/mira/meta", &Value::Null).await.0, StatusCode::OK);
    assert_eq!(Client::new(&server.base).login("mira", "wrong-password").await.status(), 401);
    assert_eq!(Client::new(&server.base).login("mira", "mira-password-1").await.status(), 200);

    let res = reqwest::get(server.url("/metrics")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.unwrap();
    let meta = r#"gatehouse_http_requests_total{method="GET",route="/users/{user}/meta",status="200"}"#;
    assert!(sample(&text, meta).is_some_and(|n| n >= 1.0), "{text}");
    assert!(!text.contains("/users/mira/meta"), "raw paths never become labels");
    assert!(sample(&text, r#"gatehouse_sign_ins_total{outcome="wrong_password"}"#).is_some_and(|n| n >= 1.0), "{text}");
    assert!(sample(&text, r#"gatehouse_sign_ins_total{outcome="success"}"#).is_some_and(|n| n >= 1.0));
    assert!(sample(&text, "gatehouse_argon2_verify_seconds_count").is_some_and(|n| n >= 2.0), "{text}");
    assert!(text.contains("gatehouse_argon2_queue_depth"));
    assert!(sample(&text, "gatehouse_active_sessions").is_some_and(|n| n >= 1.0), "{text}");
    assert!(text.contains(r#"gatehouse_outbox_messages{status="pending"}"#) && text.contains(r#"gatehouse_outbox_messages{status="failed"}"#));
    assert!(text.contains(r#"gatehouse_db_connections{state="idle"}"#));
    assert!(text.contains("gatehouse_http_request_duration_seconds_bucket"), "latencies are histograms");

    // Through a proxy on this machine, the caller is not local.
    for forwarding in ["x-forwarded-for", "x-real-ip", "forwarded"] {
        let res = reqwest::Client::new().get(server.url("/metrics")).header(forwarding, "192.0.2.9").send().await.unwrap();
        assert_eq!(res.status(), 403, "{forwarding}");
    }

    // With a token, only the token opens it.
    let tokened = TestServer::start(&Config { metrics_token: Some("scrape-token-0123456789".into()), ..test_config(&db) }).await;
    assert_eq!(reqwest::get(tokened.url("/metrics")).await.unwrap().status(), 403);
    let res = reqwest::Client::new().get(tokened.url("/metrics")).bearer_auth("scrape-token-0123456789").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = reqwest::Client::new().get(tokened.url("/metrics")).bearer_auth("wrong-token").send().await.unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn every_answer_has_a_request_id_and_server_errors_name_it() {
    let db = test_databases().await.into_iter().next().unwrap();
    let server = TestServer::start(&Config { admin_password: Some(PASSWORD.into()), ..test_config(&db) }).await;
    let http = reqwest::Client::new();
    let res = http.get(server.url("/healthz")).send().await.unwrap();
    let made = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(made.len() >= 16 && made.chars().all(|c| c.is_ascii_hexdigit()), "{made}");
    let res = http.get(server.url("/healthz")).header("x-request-id", "client-trace.42").send().await.unwrap();
    let ours = res.headers()["x-request-id"].to_str().unwrap();
    assert!(ours.chars().all(|c| c.is_ascii_hexdigit()), "a client's id is not taken as ours (it is kept apart): {ours}");
    let res = http.get(server.url("/healthz")).header("x-request-id", "<script>alert(1)</script>").send().await.unwrap();
    let replaced = res.headers()["x-request-id"].to_str().unwrap();
    assert!(replaced.chars().all(|c| c.is_ascii_hexdigit()), "a hostile id is replaced: {replaced}");

    // A server error: its body carries the id the header has.
    let admin = Rest::new(&server.base, "admin", PASSWORD);
    assert_eq!(admin.send(Method::GET, "/api/features/effective", &Value::Null).await.0, StatusCode::OK);
    server.execute("DROP TABLE feature_rules").await;
    let res = http.get(server.url("/api/features/effective")).basic_auth("admin", Some(PASSWORD)).header("x-request-id", "report-me-1").send().await.unwrap();
    assert_eq!(res.status(), 500);
    let res_id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_ne!(res_id, "report-me-1");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["request_id"], res_id, "{body}");
    assert!(body["error"].as_str().unwrap().starts_with("Something went wrong"), "{body}");
}
