//! What the attack tests share: a site with an admin password and JWTs on,
//! one-line calls of each door (form sign-in, HTTP Basic,
//! `/users/authenticate`, a Bearer token) and a user's lock.

use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::StatusCode;
use serde_json::Value;

pub const ADMIN_PASSWORD: &str = "admin-password-1";

pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-0123456789";

pub fn config(db: &TestDb) -> Config {
    Config { admin_password: Some(ADMIN_PASSWORD.into()), jwt_secret: Some(JWT_SECRET.into()), ..test_config(db) }
}

pub async fn login_status(server: &TestServer, username: &str, password: &str) -> (StatusCode, String) {
    let res = Client::new(&server.base).login(username, password).await;
    (res.status(), res.text().await.unwrap())
}

pub async fn basic(server: &TestServer, path: &str, username: &str, password: &str) -> (StatusCode, String) {
    let res = reqwest::Client::new().get(server.url(path)).basic_auth(username, Some(password)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

pub async fn authenticate(server: &TestServer, username: &str, password: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .post(server.url("/users/authenticate"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

pub async fn locked_until(server: &TestServer, username: &str) -> Option<i64> {
    let user = app::backend::store::users::find_by_username(&server.state().db, username).await.unwrap().unwrap();
    user.locked_until.filter(|until| *until > app::backend::time::now_ms())
}

pub async fn bearer_status(server: &TestServer, token: &str) -> StatusCode {
    reqwest::Client::new().get(server.url("/users/meta")).bearer_auth(token).send().await.unwrap().status()
}

/// The status, content type and body text of a request.
pub async fn answer(req: reqwest::RequestBuilder) -> (StatusCode, String, String) {
    let res = req.send().await.unwrap();
    let kind = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (res.status(), kind, res.text().await.unwrap())
}
