//! Where the browser goes after signing in: a `next` that a browser would
//! resolve (dot segments, `%2e`, encoded slashes and backslashes, control
//! characters, double encoding) to another site sends it home instead,
//! through the server function the app calls and the plain form post
//! alike; the redirect that comes back is checked, not the input.

use crate::common::*;
use reqwest::StatusCode;

/// `next` values whose resolved path is, or a browser reads as, `//host`.
const HOSTILE: &[&str] = &[
    "/.//evil.example",
    "/x/..//evil.example",
    "/x/../..//evil.example",
    "/%2e//evil.example",
    "/%2E//evil.example",
    "/%2e%2e//evil.example",
    "/x/%2e%2e//evil.example",
    "/.%2e//evil.example",
    "/x/..%2f/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5c/evil.example",
    "/.%5c/evil.example",
    "/./\\evil.example",
    "/\\\\evil.example",
    "/\\evil.example",
    "/.\t//evil.example",
    "/\t/evil.example",
    "/.%09//evil.example",
    "/%0d%0a/evil.example",
    "/%252F/evil.example",
    "/%252e//evil.example",
    "/%255c/evil.example",
    "//evil.example",
    "https://evil.example/",
];

/// A redirect target the browser follows on this site.
fn stays_here(target: &str) -> bool {
    target.starts_with('/') && !target.starts_with("//") && !target.starts_with("/\\") && app::model::url::is_local_path(target)
}

#[tokio::test]
async fn sign_in_sends_hostile_next_values_home_through_both_doors() {
    for db in test_databases().await {
        let label = db.label;
        let server = TestServer::start(&test_config(&db)).await;
        server.create_user("nina", "nina-password-1").await;
        for next in HOSTILE.iter().copied().chain(["/projects?tab=mine"]) {
            let expected = if next.starts_with("/projects") { next } else { "/" };
            let form = [("username", "nina"), ("password", "nina-password-1"), ("next", next)];

            // The server function, as the browser app calls it: the path it answers.
            let res = Client::new(&server.base).post_form("/api/login", &form).await;
            assert_eq!(res.status(), StatusCode::OK, "[{label}] {next:?}");
            let target: String = res.json().await.unwrap();
            assert!(stays_here(&target), "[{label}] {next:?} answered {target:?}");
            assert_eq!(target, expected, "[{label}] {next:?}");

            // The plain form post (no JavaScript, or plain_forms.js): the Location.
            let (status, location) = Client::new(&server.base).post_as_form("login", "/login", &form).await;
            assert_eq!(status, StatusCode::FOUND, "[{label}] {next:?}");
            assert!(stays_here(&location), "[{label}] {next:?} sent Location {location:?}");
            assert_eq!(location, expected, "[{label}] {next:?}");
        }
    }
}
