//! What the doors refuse before any handler runs: NUL characters on every
//! database, and the router's own refusals in the API's language.

use crate::common::doors::*;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn nul_characters_are_refused_at_the_door_on_every_database() {
    for db in test_databases().await {
        let label = db.label;
        let server = TestServer::start(&with_site(config(&db), |s| { s.login_rate_limit = 4; })).await;
        within_one_rate_window(30).await;
        let http = reqwest::Client::new();
        // Signed in before the limit is spent (a correct password is not counted).
        let (status, token) = authenticate(&server, "admin", ADMIN_PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{label}: {token}");
        let token = token["token"].as_str().unwrap().to_string();
        let wrong = authenticate(&server, "nobody", "wrong-password").await;
        assert_eq!(wrong.0, StatusCode::UNAUTHORIZED, "{label}");

        // The sign-in doors: the wrong-password answer, byte for byte.
        assert_eq!(authenticate(&server, "ab\0cd", "wrong-password").await, wrong, "{label}: form");
        let json = serde_json::json!({"username": "ab\u{0}cd", "password": "x-password"});
        let res = http.post(server.url("/users/authenticate")).json(&json).send().await.unwrap();
        assert_eq!((res.status(), res.json::<Value>().await.unwrap()), wrong, "{label}: JSON");
        let (status, _) = basic(&server, "/users/meta", "ab\0cd", "x-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{label}: Basic");
        // Each was counted: the limit of 4 is spent.
        let (status, _) = authenticate(&server, "ab\0cd", "wrong-password").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{label}: NUL sign-ins count toward the per-address limit");

        // Elsewhere: 400 naming the field (body or query), 404 for a path.
        let call = |method: reqwest::Method, path: &str| http.request(method, server.url(path)).bearer_auth(&token);
        let (status, kind, body) = answer(call(reqwest::Method::POST, "/orgs").json(&serde_json::json!({"slug": "ab\u{0}cd"}))).await;
        assert_eq!((status, kind.as_str()), (StatusCode::BAD_REQUEST, "application/json"), "{label}: {body}");
        assert!(body.contains("slug must not contain a NUL"), "{label}: {body}");
        let (status, _, body) = answer(call(reqwest::Method::POST, "/orgs").form(&[("slug", "ab\0cd")])).await;
        assert!(status == 400 && body.contains("slug"), "{label}: form: {status} {body}");
        let (status, _, body) = answer(call(reqwest::Method::GET, "/api/audit?actor=ab%00cd")).await;
        assert!(status == 400 && body.contains("actor must not contain a NUL"), "{label}: query: {status} {body}");
        for path in ["/users/ab%00cd/meta", "/orgs/ab%00cd", "/users/ab%01cd", "/api/service-keys/ab%00cd"] {
            let (status, kind, body) = answer(call(reqwest::Method::GET, path)).await;
            assert_eq!((status, kind.as_str()), (StatusCode::NOT_FOUND, "application/json"), "{label}: {path}: {body}");
        }
        let (status, kind, body) = answer(call(reqwest::Method::GET, "/data/projects/ab%00cd")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}: {body}");
        assert!(kind.starts_with("text/plain") && !body.contains("Not Found"), "{label}: XNAT's plain text: {body}");
        // A server function names the field in its own encoding.
        let (status, _, body) = answer(call(reqwest::Method::POST, "/api/admin/users/get").form(&[("username", "ab\0cd")])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        let err: app::model::AppError = serde_json::from_str(&body).expect("a server function's error");
        assert_eq!(err.field(), Some("username"), "{label}");
        // Nothing was stored, and the site still answers.
        let (status, _, body) = answer(call(reqwest::Method::GET, "/orgs")).await;
        assert!(status == 200 && !body.contains("ab"), "{label}: {body}");
    }
}

#[tokio::test]
async fn the_routers_refusals_speak_the_apis_language() {
    let db = test_databases().await.remove(0);
    let server = TestServer::start(&config(&db)).await;
    let http = reqwest::Client::new();
    let res = http.delete(server.url("/api/audit")).basic_auth("admin", Some(ADMIN_PASSWORD)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = res.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(allow.contains("GET"), "Allow: {allow}");
    assert_eq!(res.headers()["content-type"], "application/json");
    let body: Value = res.json().await.unwrap();
    assert!(body["error"].as_str().is_some_and(|e| e.contains("DELETE")), "{body}");

    for path in ["/api/no-such-thing", "/users/a/b/c/d", "/orgs/a/b/c", "/xapi/nothing/here", "/api-docs/nothing"] {
        let (status, kind, body) = answer(http.get(server.url(path)).basic_auth("admin", Some(ADMIN_PASSWORD))).await;
        assert_eq!((status, kind.as_str()), (StatusCode::NOT_FOUND, "application/json"), "{path}: {body:.200}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    let (status, kind, body) = answer(http.get(server.url("/data/nothing/here")).basic_auth("admin", Some(ADMIN_PASSWORD))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(kind.starts_with("text/plain") && !body.starts_with('<'), "{kind}: {body:.200}");
    let (status, kind, _) = answer(http.put(server.url("/data/JSESSION"))).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(kind.starts_with("text/plain"), "{kind}");
    // A page path that does not exist is still the app's page.
    let (status, kind, _) = answer(http.get(server.url("/no-such-page")).basic_auth("admin", Some(ADMIN_PASSWORD))).await;
    assert_eq!((status, kind.starts_with("text/html")), (StatusCode::NOT_FOUND, true));
}
