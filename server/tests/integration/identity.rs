//! A credential stays with its account: a deleted account's credentials
//! never pass as the next account of that name, a token counts only while
//! its user keeps the username, and JWT refresh keeps its limits.

use crate::common::doors::*;
use crate::common::*;
use serde_json::Value;

async fn admin_creates(server: &TestServer, admin_token: &str, username: &str, roles: &[&str]) {
    let body = serde_json::json!({
        "userName": username, "password": format!("{username}-password-1"), "email": format!("{username}@example.org"),
        "roles": roles,
    });
    let res = reqwest::Client::new().post(server.url("/users")).bearer_auth(admin_token).json(&body).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

async fn admin_deletes(server: &TestServer, admin_token: &str, username: &str) {
    let res = reqwest::Client::new().delete(server.url(&format!("/users/{username}"))).bearer_auth(admin_token).send().await.unwrap();
    assert!(res.status().is_success());
}

#[tokio::test]
async fn a_deleted_users_credentials_never_pass_as_the_next_account() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let admin = authenticate(&server, "admin", ADMIN_PASSWORD).await.1["token"].as_str().unwrap().to_string();
        admin_creates(&server, &admin, "uone", &["user"]).await;
        let old_token = authenticate(&server, "uone", "uone-password-1").await.1["token"].as_str().unwrap().to_string();
        assert_eq!(bearer_status(&server, &old_token).await, 200);
        assert_eq!(basic(&server, "/users/meta", "uone", "uone-password-1").await.0, 200, "Basic, now cached");
        let old_id = app::backend::store::users::find_by_username(&server.state().db, "uone").await.unwrap().unwrap().id;
        admin_deletes(&server, &admin, "uone").await;

        admin_creates(&server, &admin, "utwo", &["admin"]).await;
        let new_id = app::backend::store::users::find_by_username(&server.state().db, "utwo").await.unwrap().unwrap().id;
        assert!(new_id > old_id, "{}: ids only grow ({old_id} then {new_id})", db.label);
        assert_eq!(bearer_status(&server, &old_token).await, 401, "{}: the old JWT is dead", db.label);
        assert_eq!(basic(&server, "/users/meta", "uone", "uone-password-1").await.0, 401, "{}: the cached Basic login too", db.label);

        // The same username again is a new account: the old token is still dead.
        admin_creates(&server, &admin, "uone", &["admin"]).await;
        assert_eq!(bearer_status(&server, &old_token).await, 401, "{}", db.label);
    }
}

#[tokio::test]
async fn a_token_counts_only_while_its_user_keeps_the_username() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        server.create_user("renamed", "renamed-password").await;
        let token = authenticate(&server, "renamed", "renamed-password").await.1["token"].as_str().unwrap().to_string();
        assert_eq!(bearer_status(&server, &token).await, 200);
        server.execute("UPDATE users SET username = 'other', username_lower = 'other' WHERE username = 'renamed'").await;
        assert_eq!(bearer_status(&server, &token).await, 401, "{}: sub must be the current username", db.label);
    }
}

#[tokio::test]
async fn refresh_returns_a_new_token_with_a_new_expiry() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let (_, first) = authenticate(&server, "admin", ADMIN_PASSWORD).await;
        let token = first["token"].as_str().unwrap();
        let res = reqwest::Client::new().post(server.url("/users/authenticate/refresh")).bearer_auth(token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let refreshed: Value = res.json().await.unwrap();
        assert_ne!(refreshed["token"], first["token"], "{}: within the same second too", db.label);
        assert!(refreshed["expires"].as_str().unwrap() >= first["expires"].as_str().unwrap());
        assert_eq!(bearer_status(&server, refreshed["token"].as_str().unwrap()).await, 200);
    }
}

#[tokio::test]
async fn refresh_keeps_the_first_issue_time_and_stops_at_the_maximum_lifetime() {
    use app::backend::auth::jwt::JwtKeys;
    const DAY_SECS: i64 = 24 * 60 * 60;
    for db in test_databases().await {
        let label = db.label;
        let server = TestServer::start(&config(&db)).await;
        let refresh = |token: String| {
            let url = server.url("/users/authenticate/refresh");
            async move { status_and_body(reqwest::Client::new().post(url).bearer_auth(token).send().await.unwrap()).await }
        };
        // The site's own keys read the claims (same secret, any limits).
        let reader = JwtKeys::new(JWT_SECRET.as_bytes(), 60, 30);
        let first = authenticate(&server, "admin", ADMIN_PASSWORD).await.1["token"].as_str().unwrap().to_string();
        let first_issued = reader.verify(&first).unwrap().orig_iat.expect("a new token carries its first issue time");
        let (status, again) = refresh(first).await;
        assert_eq!(status, 200, "[{label}] {again}");
        let again = again["token"].as_str().unwrap().to_string();
        assert_eq!(reader.verify(&again).unwrap().orig_iat, Some(first_issued), "[{label}] a refresh keeps it");
        let (status, third) = refresh(again).await;
        assert_eq!(status, 200, "[{label}]");
        assert_eq!(reader.verify(third["token"].as_str().unwrap()).unwrap().orig_iat, Some(first_issued), "[{label}] and so does the next");

        // A token whose chain began 31 days ago (forged with the secret and
        // a longer limit, unexpired): the site's 30-day limit refuses it.
        let admin = app::backend::store::users::find_by_username(&server.state().db, "admin").await.unwrap().unwrap();
        let long_lived = JwtKeys::new(JWT_SECRET.as_bytes(), 60, 365);
        let now = app::backend::time::now_ms() / 1000;
        let (old, _) = long_lived.issue(&admin, Some(now - 31 * DAY_SECS)).unwrap();
        assert_eq!(bearer_status(&server, &old).await, 200, "[{label}] the forged token itself is valid");
        let (status, body) = refresh(old).await;
        assert_eq!(status, 401, "[{label}] {body}");
        assert!(body["error"].as_str().unwrap().contains("cannot be refreshed"), "[{label}] {body}");
        // One within the limit still refreshes, and expires by the limit.
        let (young, _) = long_lived.issue(&admin, Some(now - 29 * DAY_SECS - DAY_SECS / 2)).unwrap();
        let (status, body) = refresh(young).await;
        assert_eq!(status, 200, "[{label}] {body}");
        let claims = reader.verify(body["token"].as_str().unwrap()).unwrap();
        assert!(claims.exp <= now - 29 * DAY_SECS - DAY_SECS / 2 + 30 * DAY_SECS, "[{label}] no token outlives the limit");
    }
}
