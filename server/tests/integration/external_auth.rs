//! External authentication against a real HTTP provider on loopback (a
//! tiny axum app here): a yes signs in and creates or updates the account
//! through every door, a role change lands at the next sign-in, a no, a
//! provider that is down or too slow are all "Invalid username or
//! password", the per-address limit still applies while the local lockout
//! does not, and local user management answers 403. The provider's
//! limits: a 64 KB answer, `admin` only through `external_auth_admin_role`,
//! a 403 refusal ending the account's sessions and tokens, and a disabled
//! account left as it is.

use crate::common::*;
use axum::extract::State;
use axum::http::StatusCode as AxumStatus;
use axum::response::IntoResponse;
use axum::{Form, Json, Router};
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const MANAGEMENT_DISABLED: &str = "User management is disabled: accounts come from the external authentication provider";

/// The provider's accounts: username → (password, its JSON answer); and how it behaves.
#[derive(Clone, Default)]
struct Provider {
    accounts: Arc<Mutex<HashMap<String, (String, Value)>>>,
    failing: Arc<Mutex<bool>>,
    /// Usernames the provider refuses outright (403).
    refused: Arc<Mutex<Vec<String>>>,
    slow: Arc<Mutex<bool>>,
    calls: Arc<Mutex<usize>>,
}

impl Provider {
    fn set(&self, username: &str, password: &str, answer: Value) {
        self.accounts.lock().unwrap().insert(username.into(), (password.into(), answer));
    }
}

async fn authenticate(State(p): State<Provider>, Form(form): Form<HashMap<String, String>>) -> axum::response::Response {
    *p.calls.lock().unwrap() += 1;
    if *p.slow.lock().unwrap() {
        tokio::time::sleep(std::time::Duration::from_secs(12)).await;
    }
    if *p.failing.lock().unwrap() {
        return (AxumStatus::INTERNAL_SERVER_ERROR, "provider broke").into_response();
    }
    let username = form.get("username").cloned().unwrap_or_default();
    if p.refused.lock().unwrap().contains(&username) {
        return (AxumStatus::FORBIDDEN, Json(json!({"error": "account closed"}))).into_response();
    }
    let account = p.accounts.lock().unwrap().get(&username).cloned();
    match account {
        Some((password, answer)) if Some(&password) == form.get("password") => Json(answer).into_response(),
        _ => (AxumStatus::UNAUTHORIZED, Json(json!({"error": "no"}))).into_response(),
    }
}

/// Serves `provider` on a loopback port; the URL to POST to.
async fn start_provider(provider: Provider) -> (String, tokio::task::JoinHandle<()>) {
    let app = Router::new().route("/authenticate", axum::routing::post(authenticate)).with_state(provider);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/authenticate", listener.local_addr().unwrap());
    (url, tokio::spawn(async move { axum::serve(listener, app).await.unwrap() }))
}

fn config(db: &TestDb, url: &str) -> Config {
    with_site(test_config(db), |s| { s.external_auth_url = Some(url.into()); s.external_auth_admin_role = Some("admin".into()); s.login_rate_limit = 8; s.lockout_threshold = 3; })
}

/// The roles and metadata Gatehouse holds for `username`, as an admin sees them.
async fn account(admin: &Rest, username: &str) -> (Vec<String>, Value) {
    let (status, body) = admin.send(Method::GET, "/users", &Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = body.as_array().cloned().unwrap_or_default();
    let row = rows.iter().find(|r| r["userName"] == username).unwrap_or_else(|| panic!("{username} not in {body}"));
    let mut roles: Vec<String> = row["roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
    roles.sort();
    let (_, metadata) = admin.send(Method::GET, &format!("/users/{username}/meta"), &Value::Null).await;
    (roles, metadata)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_ins_come_from_the_external_provider() {
    for db in test_databases().await {
        within_one_rate_window(40).await;
        let provider = Provider::default();
        provider.set("boss", "boss-secret-1", json!({"userName": "boss", "email": "boss@example.org", "roles": ["admin", "user"]}));
        provider.set(
            "ada",
            "ada-secret-1",
            json!({"userName": "ada", "email": "ada@example.org", "roles": ["user", "no-such-role"], "metadata": {"department": "Imaging", "maxStorageMB": 1}}),
        );
        let (url, provider_task) = start_provider(provider.clone()).await;
        let server = TestServer::start(&config(&db, &url)).await;
        assert!(server.running.first_admin.is_none(), "{}: no local first admin with external authentication", db.label);
        let admin = Rest::new(&server.base, "boss", "boss-secret-1");
        let label = db.label;

        // A yes through the form creates the account from the answer.
        let browser = Client::new(&server.base);
        assert_eq!(browser.login("ada", "ada-secret-1").await.status(), 200, "{label}");
        assert_eq!(browser.whoami().await.as_deref(), Some("ada"));
        let (roles, metadata) = account(&admin, "ada").await;
        assert_eq!(roles, ["user"], "{label}: unknown roles are skipped");
        assert_eq!(metadata["department"], "Imaging");
        assert_eq!(metadata["roles"], json!(["user", "no-such-role"]), "{label}: the provider's roles are kept under the reserved key");
        assert!(metadata.get("maxStorageMB").is_none(), "{label}: a provider cannot set the quota through metadata");

        // Every door asks the provider: /users/authenticate and Basic.
        let res = reqwest::Client::new()
            .post(server.url("/users/authenticate"))
            .json(&json!({"username": "ada", "password": "ada-secret-1"}))
            .send()
            .await
            .unwrap();
        let (status, token) = status_and_body(res).await;
        assert_eq!(status, StatusCode::OK, "{label}: {token}");
        assert!(token["token"].is_string());
        let (status, _) = Rest::new(&server.base, "ada", "ada-secret-1").send(Method::GET, "/users/meta", &Value::Null).await;
        assert_eq!(status, StatusCode::OK, "{label}");

        // A role change lands at the next sign-in.
        provider.set("ada", "ada-secret-1", json!({"userName": "ada", "roles": ["admin"]}));
        assert_eq!(Client::new(&server.base).login("ada", "ada-secret-1").await.status(), 200);
        let (roles, metadata) = account(&admin, "ada").await;
        assert_eq!(roles, ["admin"], "{label}: roles replace the local ones");
        assert_eq!(metadata["department"], "Imaging", "{label}: metadata merges");

        // A no, a local password, a wrong password: the same 401; no lockout, but the per-address limit holds.
        let res = Client::new(&server.base).login("ada", "wrong-password").await;
        assert_eq!(res.status(), 401);
        assert!(res.text().await.unwrap().contains("Invalid username or password"));
        assert_eq!(Client::new(&server.base).login("nobody", "whatever-1").await.status(), 401);
        for _ in 0..5 {
            assert_eq!(Client::new(&server.base).login("ada", "wrong-password").await.status(), 401);
        }
        assert_eq!(Client::new(&server.base).login("ada", "ada-secret-1").await.status(), 200, "{label}: external users are never locked locally");

        // Local user management is off, through REST and server functions.
        let (status, enabled) = admin.send(Method::GET, "/users/management-enabled", &Value::Null).await;
        assert_eq!((status, enabled), (StatusCode::OK, json!(false)));
        let refusals = [
            (Method::POST, "/users", json!({"userName": "local", "password": "local-password-1"})),
            (Method::PUT, "/users/ada", json!({"email": "other@example.org"})),
            (Method::DELETE, "/users/ada", Value::Null),
            (Method::PUT, "/users/ada/changepwd", json!({"newPassword": "new-password-12"})),
            (Method::POST, "/users/changepwd", json!({"oldPassword": "boss-secret-1", "newPassword": "new-password-12"})),
        ];
        for (method, path, body) in refusals {
            let (status, answer) = admin.send(method.clone(), path, &body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{label}: {method} {path}: {answer}");
            assert_eq!(answer["error"], MANAGEMENT_DISABLED, "{label}: {method} {path}");
        }
        let form = [("username", "newbie"), ("email", "n@example.org"), ("password", "newbie-pass-1"), ("confirm_password", "newbie-pass-1"), ("display_name", "")];
        let res = Client::new(&server.base).post_form("/api/register", &form).await;
        assert_eq!(res.status(), 403, "{label}");
        let info: Value = Client::new(&server.base).post_form("/api/site_info", &[]).await.json().await.unwrap();
        assert_eq!((info["accounts_external"].clone(), info["registration_open"].clone()), (json!(true), json!(false)), "{label}");
        // The panel says why, and offers no controls that would be refused.
        let boss = Client::new(&server.base);
        assert_eq!(boss.login("boss", "boss-secret-1").await.status(), 200);
        let page = boss.get("/admin/users").await.text().await.unwrap();
        assert!(page.contains("Accounts come from the external authentication provider"), "{label}: {page}");
        assert!(!page.contains("New user") && !page.contains("Import CSV"), "{label}");
        let login_page = Client::new(&server.base).get("/login").await.text().await.unwrap();
        assert!(!login_page.contains("Forgot login or password"), "{label}");
        // Membership still works: the admin manages projects as before.
        let (status, body) = admin.send(Method::POST, "/orgs", &json!({"slug": "ext-lab", "accessibility": "protected"})).await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {body}");

        // The provider failing or down is a no, never a 500.
        *provider.failing.lock().unwrap() = true;
        assert_eq!(Client::new(&server.base).login("ada", "ada-secret-1").await.status(), 401, "{label}");
        *provider.failing.lock().unwrap() = false;
        let before = *provider.calls.lock().unwrap();
        let res = Client::new(&server.base).login("ada", "ada-secret-1").await;
        assert_eq!(res.status(), 429, "{label}: the per-address limit counts provider refusals too");
        assert_eq!(*provider.calls.lock().unwrap(), before, "{label}: a refused attempt never reaches the provider");

        let slow_check = label == "sqlite";
        provider_task.abort();
        let _ = provider_task.await;
        drop(server);
        if slow_check {
            // A fresh site, so the address has its limit back: down, then slow.
            let fresh = test_databases().await.into_iter().next().unwrap();
            let server = TestServer::start(&config(&fresh, &url)).await;
            assert_eq!(Client::new(&server.base).login("ada", "ada-secret-1").await.status(), 401, "a provider that is down");
            let (url, _task) = start_provider(provider.clone()).await;
            let server = TestServer::start(&config(&fresh, &url)).await;
            *provider.slow.lock().unwrap() = true;
            let started = std::time::Instant::now();
            assert_eq!(Client::new(&server.base).login("ada", "ada-secret-1").await.status(), 401, "a provider slower than 10 s");
            let waited = started.elapsed().as_secs_f64();
            assert!((9.5..12.0).contains(&waited), "the provider gets 10 s (waited {waited:.1} s)");
        }
    }
}

#[derive(serde::Serialize)]
struct SetUserEnabled {
    username: String,
    enabled: bool,
}

/// The roles stored for `username` (`None`: no such account).
async fn stored_roles(server: &TestServer, username: &str) -> Option<Vec<String>> {
    use app::backend::store::users;
    let db = &server.state().db;
    let user = users::find_by_username(db, username).await.unwrap()?;
    Some(users::roles_of(db, user.id).await.unwrap())
}

/// Whether a JWT from `/users/authenticate` still opens `/users/meta`.
async fn token_works(server: &TestServer, token: &str) -> bool {
    let res = reqwest::Client::new().get(server.url("/users/meta")).bearer_auth(token).send().await.unwrap();
    res.status() == 200
}

async fn jwt(server: &TestServer, username: &str, password: &str) -> String {
    let res = reqwest::Client::new()
        .post(server.url("/users/authenticate"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_body(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_provider_is_trusted_only_so_far() {
    for db in test_databases().await {
        let label = db.label;
        let provider = Provider::default();
        provider.set("boss", "boss-secret-1", json!({"userName": "boss", "roles": ["site-admin"]}));
        provider.set("eve", "eve-secret-1", json!({"userName": "eve", "roles": ["admin", "user"]}));
        provider.set("ada", "ada-secret-1", json!({"userName": "ada", "roles": ["user"], "metadata": {"department": "Imaging"}}));
        let padding = "x".repeat(70 * 1024);
        provider.set("big", "big-secret-1", json!({"userName": "big", "metadata": {"padding": padding}}));
        let (url, _provider_task) = start_provider(provider.clone()).await;

        // Unset, the provider cannot make admins: its "admin" is dropped.
        let plain = TestServer::start(&with_site(config(&db, &url), |s| { s.external_auth_admin_role = None; s.login_rate_limit = 100; }))
        .await;
        assert_eq!(Client::new(&plain.base).login("eve", "eve-secret-1").await.status(), 200, "{label}");
        let (status, _) = Rest::new(&plain.base, "eve", "eve-secret-1").send(Method::GET, "/users", &Value::Null).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}: eve is no admin");
        assert_eq!(stored_roles(&plain, "eve").await, Some(vec!["user".to_string()]), "{label}");
        drop(plain);

        // Set, only that role name grants admin.
        let server = TestServer::start(&with_site(config(&db, &url), |s| { s.external_auth_admin_role = Some("site-admin".into()); s.login_rate_limit = 100; }))
        .await;
        let admin = Rest::new(&server.base, "boss", "boss-secret-1");
        assert_eq!(Client::new(&server.base).login("eve", "eve-secret-1").await.status(), 200);
        let (roles, _) = account(&admin, "eve").await;
        assert_eq!(roles, ["user"], "{label}: \"admin\" is not the configured role");
        let (roles, _) = account(&admin, "boss").await;
        assert_eq!(roles, ["admin"], "{label}: the configured role grants admin");

        // An answer over 64 KB is a no.
        let res = Client::new(&server.base).login("big", "big-secret-1").await;
        assert_eq!(res.status(), 401, "{label}");
        assert_eq!(stored_roles(&server, "big").await, None, "{label}: no account from it");

        // A wrong password (401) leaves ada's sessions and tokens alone;
        // the provider refusing the account (403) ends them.
        let browser = Client::new(&server.base);
        assert_eq!(browser.login("ada", "ada-secret-1").await.status(), 200);
        let token = jwt(&server, "ada", "ada-secret-1").await;
        assert_eq!(Client::new(&server.base).login("ada", "wrong-password").await.status(), 401);
        assert_eq!(browser.whoami().await.as_deref(), Some("ada"), "{label}: a wrong password ends nothing");
        assert!(token_works(&server, &token).await, "{label}");
        provider.refused.lock().unwrap().push("ada".into());
        let res = Client::new(&server.base).login("ada", "ada-secret-1").await;
        assert_eq!(res.status(), 401, "{label}: a refusal reads as a wrong password");
        assert_eq!(browser.whoami().await, None, "{label}: the refused account's session ended");
        assert!(!token_works(&server, &token).await, "{label}: and its token");

        // A disabled account: the answer changes nothing, and it is refused.
        provider.refused.lock().unwrap().clear();
        let boss = Client::new(&server.base);
        assert_eq!(boss.login("boss", "boss-secret-1").await.status(), 200);
        let res = boss.call("/api/admin/users/enable", &SetUserEnabled { username: "ada".into(), enabled: false }).await;
        assert_eq!(res.status(), 200, "{label}");
        provider.set("ada", "ada-secret-1", json!({"userName": "ada", "roles": ["site-admin"], "metadata": {"department": "Changed"}}));
        assert_eq!(Client::new(&server.base).login("ada", "ada-secret-1").await.status(), 403, "{label}");
        let (roles, metadata) = account(&admin, "ada").await;
        assert_eq!(roles, ["user"], "{label}: a disabled account's roles stay");
        assert_eq!(metadata["department"], "Imaging", "{label}: and its metadata");
    }
}

/// With `external_auth_admin_role` unset the provider makes no admins, so
/// `gatehouse create-admin` is the way to one; under external
/// authentication the provider owns the password, so that admin signs in
/// with the provider's password and is not sent to change one here.
#[tokio::test]
async fn create_admin_under_external_auth_needs_no_local_password_change() {
    for db in test_databases().await {
        let provider = Provider::default();
        provider.set("grace", "grace-secret-1", json!({"userName": "grace", "email": "grace@example.org", "roles": ["admin", "user"]}));
        let (url, provider_task) = start_provider(provider.clone()).await;
        let server = TestServer::start(&with_site(config(&db, &url), |s| { s.external_auth_admin_role = None; })).await;
        let browser = Client::new(&server.base);
        let res = browser.login("grace", "grace-secret-1").await;
        assert_eq!(res.status(), 200, "[{}]", db.label);
        let admin_pages = browser.call("/api/admin/overview", &json!({})).await.status();
        assert_eq!(admin_pages, StatusCode::FORBIDDEN, "[{}] the provider's `admin` makes no admin", db.label);

        provider.set("hopper", "hopper-secret-1", json!({"userName": "hopper", "email": "hopper@example.org", "roles": ["user"]}));
        app::backend::service::bootstrap::create_admin(server.state(), "hopper", None).await.expect("create-admin");
        let browser = Client::new(&server.base);
        let res = browser.login("hopper", "hopper-secret-1").await;
        assert_eq!(res.status(), 200, "[{}]", db.label);
        assert_ne!(res.json::<String>().await.unwrap(), "/account/password", "[{}] not sent to change a password the provider owns", db.label);
        assert_eq!(browser.call("/api/admin/overview", &json!({})).await.status(), StatusCode::OK, "[{}] a local admin stays one", db.label);
        provider_task.abort();
    }
}
