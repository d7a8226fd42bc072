//! Re-authentication for sensitive actions ("sudo mode", issue 31) through
//! the real doors, on SQLite and PostgreSQL: every listed action refused
//! with exactly 403 `{"error": "Confirm your password to continue",
//! "reauth": true}` once the sign-in was proven longer ago than the window
//! (the stored time is moved back, nothing sleeps), and accepted after
//! `/api/reauth`; tokens, alias tokens, JWTs and sessions opened with a
//! token never pass; a wrong password there counts toward the lockout; the
//! window is the setting's; a plain form goes to the confirm page and back.

use crate::common::*;
use app::backend::auth::totp;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const ADMIN_PASSWORD: &str = "reauth-admin-pass-1";
const LENA_PASSWORD: &str = "lena-password-1";

fn config(db: &TestDb) -> Config {
    Config {
        admin_password: Some(ADMIN_PASSWORD.into()),
        jwt_secret: Some("0123456789abcdef0123456789abcdef-reauth".into()),
        ..test_config(db)
    }
}

fn reauth_answer() -> Value {
    json!({"error": "Confirm your password to continue", "reauth": true})
}

/// Moves the time `username`'s sessions last proved their sign-in to
/// `minutes` ago (as an old sign-in would have left it).
async fn prove_sign_in_ago(server: &TestServer, username: &str, minutes: i64) {
    let db = &server.state().db;
    let sql = "SELECT s.id_hash, s.data FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1";
    let rows: Vec<(String, String)> = app::on_db!(db, |pool| sqlx::query_as(sql).bind(username).fetch_all(pool).await).unwrap();
    assert!(!rows.is_empty(), "{username} has a session");
    for (id_hash, data) in rows {
        let mut data: Value = serde_json::from_str(&data).unwrap();
        assert!(data.get("proven").is_some() || data.get("via").is_some(), "signing in records the proof: {data}");
        if data.get("proven").is_some() {
            data["proven"] = json!(app::backend::time::now_ms() - minutes * 60_000);
        }
        let update = "UPDATE sessions SET data = $2 WHERE id_hash = $1";
        app::on_db!(db, |pool| sqlx::query(update).bind(&id_hash).bind(data.to_string()).execute(pool).await.map(|_| ())).unwrap();
    }
}

async fn call(client: &Client, function: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    status_and_body(client.post_form(&format!("/api/{function}"), form).await).await
}

async fn rest(client: &Client, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = client.http.request(method, format!("{}{path}", client.base));
    if let Some(body) = body {
        req = req.json(&body);
    }
    status_and_body(req.send().await.unwrap()).await
}

async fn reauth(client: &Client, password: &str, code: &str) -> (StatusCode, Value) {
    call(client, "reauth", &[("password", password), ("code", code), ("next", "/admin/users")]).await
}

/// One sensitive action, sent again and again (`n`: a fresh one each time).
type Attempt<'a> = Box<dyn Fn(usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = (StatusCode, Value)> + 'a>> + 'a>;

fn attempt<'a, F, Fut>(f: F) -> Attempt<'a>
where
    F: Fn(usize) -> Fut + 'a,
    Fut: std::future::Future<Output = (StatusCode, Value)> + 'a,
{
    Box::new(move |n| Box::pin(f(n)))
}

/// Runs `attempt` with the admin's sign-in 11 minutes old (refused, exactly
/// the 403 answer, nothing done), then after re-authenticating (accepted).
async fn refused_then_accepted(server: &TestServer, admin: &Client, label: &str, attempt: &Attempt<'_>, ok: StatusCode) {
    prove_sign_in_ago(server, "admin", 11).await;
    let (status, body) = attempt(0).await;
    assert_eq!((status, &body), (StatusCode::FORBIDDEN, &reauth_answer()), "{label} with an old sign-in");
    let (status, body) = reauth(admin, ADMIN_PASSWORD, "").await;
    assert_eq!(status, 200, "{label}: {body}");
    assert_eq!(body, json!("/admin/users"));
    let (status, body) = attempt(1).await;
    assert_eq!(status, ok, "{label} after re-authentication: {body}");
}

#[tokio::test]
async fn each_sensitive_action_asks_for_the_password_after_the_window_and_goes_on_after_it() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        for name in ["max0", "max1", "bulk0", "bulk1", "rest0", "rest1"] {
            server.create_user(name, "victim-password-1").await;
        }
        server.create_user("lena", LENA_PASSWORD).await;
        let admin_client = Client::new(&server.base);
        let admin = &admin_client;
        assert_eq!(admin.login("admin", ADMIN_PASSWORD).await.status(), 200);
        let l = &db.label;

        let actions: Vec<(&str, Attempt, StatusCode)> = vec![
            ("create an account with a password", attempt(move |n| {
                let name = format!("made{n}");
                async move { call(&admin, "admin/users/create", &[("username", &name), ("display_name", ""), ("email", ""), ("password", "a-long-password-1")]).await }
            }), StatusCode::OK),
            ("set someone's password", attempt(move |_| async move {
                rest(&admin, Method::PUT, "/users/lena/changepwd", Some(json!({"newPassword": "lena-new-password-2"}))).await
            }), StatusCode::NO_CONTENT),
            ("set someone's password on the edit page", attempt(move |_| async move {
                let (_, got) = call(&admin, "admin/users/get", &[("username", "max0")]).await;
                let mut edit = got[0].clone();
                edit["password"] = json!("max0-new-password-2");
                status_and_body(admin.call("/api/admin/users/save", &json!({"edit": edit})).await).await
            }), StatusCode::OK),
            ("delete a user", attempt(move |n| {
                let name = format!("max{n}");
                async move { call(&admin, "admin/users/delete", &[("username", &name), ("heir", "")]).await }
            }), StatusCode::OK),
            ("delete users in bulk", attempt(move |n| {
                let name = format!("bulk{n}");
                async move {
                    status_and_body(admin.call("/api/admin/users/bulk", &json!({"action": "delete", "role": "", "usernames": [name]})).await).await
                }
            }), StatusCode::OK),
            ("delete a user over REST", attempt(move |n| {
                let path = format!("/users/rest{n}");
                async move { rest(&admin, Method::DELETE, &path, None).await }
            }), StatusCode::NO_CONTENT),
            ("create an account over REST", attempt(move |n| {
                let body = json!({"userName": format!("restmade{n}"), "password": "a-long-password-1"});
                async move { rest(&admin, Method::POST, "/users", Some(body)).await }
            }), StatusCode::CREATED),
            ("import accounts", attempt(move |n| {
                let csv = format!("username,email\nimported{n},imported{n}@example.org\n");
                async move { call(&admin, "admin/users/import", &[("csv", &csv), ("first_line", "2"), ("dry_run", "false")]).await }
            }), StatusCode::OK),
            ("issue an alias token", attempt(move |_| async move { call(&admin, "credentials/alias/issue", &[]).await }), StatusCode::OK),
            ("issue an access token", attempt(move |_| async move {
                call(&admin, "credentials/tokens/create", &[("name", "script"), ("expires_days", "30")]).await
            }), StatusCode::OK),
            ("issue an access token over REST", attempt(move |_| async move {
                rest(&admin, Method::POST, "/api/tokens", Some(json!({"name": "rest script", "expires_days": 30}))).await
            }), StatusCode::CREATED),
            ("set one's service key", attempt(move |_| async move {
                call(&admin, "credentials/service_keys/save", &[("name", "orthanc"), ("value", "secret-1"), ("site", "false")]).await
            }), StatusCode::OK),
            ("set a site service key over REST", attempt(move |_| async move {
                rest(&admin, Method::PUT, "/api/admin/service-keys/pacs", Some(json!({"value": "site-secret"}))).await
            }), StatusCode::NO_CONTENT),
            ("change security settings", attempt(move |_| async move {
                let form: Value = admin.call("/api/admin/security/get", &json!({})).await.json().await.unwrap();
                status_and_body(admin.call("/api/admin/security/save", &json!({"form": form})).await).await
            }), StatusCode::OK),
            ("change audit retention", attempt(move |n| async move {
                let mut form: Value = admin.call("/api/admin/settings/get", &json!({})).await.json().await.unwrap();
                form["audit_retention_days"] = json!((400 + n).to_string());
                status_and_body(admin.call("/api/admin/settings/save", &json!({"form": form})).await).await
            }), StatusCode::OK),
            ("open registration", attempt(move |_| async move {
                let mut form: Value = admin.call("/api/admin/settings/get", &json!({})).await.json().await.unwrap();
                form["registration_open"] = json!(true);
                status_and_body(admin.call("/api/admin/settings/save", &json!({"form": form})).await).await
            }), StatusCode::OK),
        ];
        for (label, attempt, ok) in &actions {
            refused_then_accepted(&server, admin, &format!("[{l}] {label}"), attempt, *ok).await;
        }

        // Reading another person's service key (lena sets hers while fresh).
        let lena = Client::new(&server.base);
        assert_eq!(lena.login("lena", "lena-new-password-2").await.status(), 200, "[{l}] the new password set above");
        let (status, body) = call(&lena, "credentials/service_keys/save", &[("name", "orthanc"), ("value", "lenas-secret"), ("site", "false")]).await;
        assert_eq!(status, 200, "[{l}] {body}");
        let read_lenas: Attempt = attempt(move |_| async move { rest(&admin, Method::GET, "/api/service-keys/orthanc?user=lena", None).await });
        refused_then_accepted(&server, admin, &format!("[{l}] read another person's service key"), &read_lenas, StatusCode::OK).await;
        prove_sign_in_ago(&server, "admin", 11).await;
        let (status, own) = rest(&admin, Method::GET, "/api/service-keys/orthanc", None).await;
        assert_eq!((status, own["value"].as_str()), (StatusCode::OK, Some("secret-1")), "[{l}] one's own key needs no fresh sign-in");

        // Plain actions stay plain: listing users with an old sign-in.
        let (status, _) = status_and_body(admin.call("/api/admin/users/list", &json!({"query": {}})).await).await;
        assert_ne!(status, StatusCode::FORBIDDEN, "[{l}] listing is not sensitive");

        // Nothing was done by a refused attempt: refused names do not exist.
        for name in ["made0", "restmade0", "imported0"] {
            assert!(app::backend::store::users::find_by_username(&server.state().db, name).await.unwrap().is_none(), "[{l}] {name}");
        }
        for name in ["max0", "bulk0", "rest0"] {
            assert!(app::backend::store::users::find_by_username(&server.state().db, name).await.unwrap().is_some(), "[{l}] {name} kept");
        }
    }
}

/// A form that asks for the current password in itself keeps working with
/// an old sign-in: the password is the proof.
#[tokio::test]
async fn the_current_password_in_the_form_itself_is_proof_enough() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        server.create_user("lena", LENA_PASSWORD).await;
        let lena = Client::new(&server.base);
        assert_eq!(lena.login("lena", LENA_PASSWORD).await.status(), 200);
        prove_sign_in_ago(&server, "lena", 60).await;
        let (status, body) = call(&lena, "profile/save", &[("display_name", "Lena"), ("email", "lena@example.org"), ("current_password", LENA_PASSWORD)]).await;
        assert_eq!(status, 200, "[{}] own email with the current password: {body}", db.label);
        let res = lena.change_password(LENA_PASSWORD, "lena-password-2").await;
        assert_eq!(res.status(), 200, "[{}] own password with the current one", db.label);
        let (status, body) = call(&lena, "credentials/alias/issue", &[]).await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, reauth_answer()), "[{}] still old for other actions", db.label);
    }
}

#[tokio::test]
async fn tokens_old_jwts_and_sessions_opened_with_a_token_never_count_as_a_recent_sign_in() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        server.create_user("max", "max-password-1").await;
        let admin = Client::new(&server.base);
        assert_eq!(admin.login("admin", ADMIN_PASSWORD).await.status(), 200);
        let (status, token) = call(&admin, "credentials/tokens/create", &[("name", "script"), ("expires_days", "30")]).await;
        assert_eq!(status, 200, "{token}");
        let token = token["token"].as_str().unwrap().to_string();
        let (status, alias) = call(&admin, "credentials/alias/issue", &[]).await;
        assert_eq!(status, 200, "{alias}");
        let (alias, secret) = (alias["alias"].as_str().unwrap().to_string(), alias["secret"].as_str().unwrap().to_string());
        let jwt: Value = reqwest::Client::new()
            .post(server.url("/users/authenticate"))
            .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(jwt["token"].is_string(), "a JWT: {jwt}");
        // A JWT counts from its chain's password sign-in (seed 004 acts at
        // once with it); one whose chain began 11 minutes ago does not.
        let admin = app::backend::store::users::find_by_username(&server.state().db, "admin").await.unwrap().unwrap();
        let (old_jwt, _) = server.state().jwt.issue(&admin, Some(app::backend::time::now_ms() / 1000 - 11 * 60)).unwrap();
        let http = reqwest::Client::new();
        let delete_max = || http.delete(server.url("/users/max"));
        let credentials: [(&str, reqwest::RequestBuilder); 3] = [
            ("access token", delete_max().bearer_auth(&token)),
            ("alias token", delete_max().basic_auth(&alias, Some(&secret))),
            ("JWT from a sign-in 11 minutes ago", delete_max().bearer_auth(&old_jwt)),
        ];
        for (label, req) in credentials {
            let (status, body) = status_and_body(req.send().await.unwrap()).await;
            assert_eq!((status, body), (StatusCode::FORBIDDEN, reauth_answer()), "[{}] {label}", db.label);
        }
        // A session opened with the access token (`/data/JSESSION`) is no sign-in either, and cannot be re-authenticated.
        let session_id = http.get(server.url("/data/JSESSION")).bearer_auth(&token).send().await.unwrap().text().await.unwrap();
        let cookie = format!("JSESSIONID={session_id}");
        let (status, body) = status_and_body(delete_max().header("cookie", &cookie).send().await.unwrap()).await;
        // (`JSESSIONID` counts on the XNAT paths only: here it is no session at all, so "sign in".)
        assert!(matches!(status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED), "[{}] a token's session: {body}", db.label);
        let res = http.post(server.url("/api/reauth")).header("cookie", &cookie).form(&[("password", ADMIN_PASSWORD)]).send().await.unwrap();
        // (`JSESSIONID` counts on the XNAT paths only, so here it is no session at all.)
        assert!(res.status().is_client_error(), "[{}] a token's session cannot be re-authenticated: {}", db.label, res.status());
        let (status, body) = status_and_body(delete_max().header("cookie", &cookie).send().await.unwrap()).await;
        assert!(matches!(status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED), "[{}] still refused: {body}", db.label);
        // HTTP Basic with the password is the password itself, on this very request.
        let (status, body) = status_and_body(delete_max().basic_auth("admin", Some(ADMIN_PASSWORD)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "[{}] Basic with the password: {body}", db.label);
    }
}

#[tokio::test]
async fn a_wrong_password_on_reauthentication_counts_toward_the_lockout() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        server.create_user("lena", LENA_PASSWORD).await;
        let lena = Client::new(&server.base);
        assert_eq!(lena.login("lena", LENA_PASSWORD).await.status(), 200);
        prove_sign_in_ago(&server, "lena", 30).await;
        let threshold = server.state().settings.lockout_threshold;
        for n in 0..threshold {
            let (status, body) = reauth(&lena, "not-her-password", "").await;
            assert_eq!((status, body["Validation"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("password")), "[{}] try {n}: {body}", db.label);
        }
        assert!(crate::common::doors::locked_until(&server, "lena").await.is_some(), "[{}] locked like a sign-in", db.label);
        let (status, body) = reauth(&lena, LENA_PASSWORD, "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{}] the right password while locked: the same answer {body}", db.label);
        let (status, body) = call(&lena, "credentials/alias/issue", &[]).await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, reauth_answer()), "[{}]", db.label);
        assert_eq!(crate::common::doors::login_status(&server, "lena", LENA_PASSWORD).await.0, StatusCode::UNAUTHORIZED, "[{}] and signing in too", db.label);
    }
}

#[tokio::test]
async fn the_window_is_the_sites_setting() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let admin = Client::new(&server.base);
        assert_eq!(admin.login("admin", ADMIN_PASSWORD).await.status(), 200);
        let mut form: Value = admin.call("/api/admin/security/get", &json!({})).await.json().await.unwrap();
        assert_eq!(form["reauth_window_minutes"], json!("10"), "[{}] the default", db.label);
        form["reauth_window_minutes"] = json!("0");
        let (status, body) = status_and_body(admin.call("/api/admin/security/save", &json!({"form": form.clone()})).await).await;
        assert_eq!((status, body["Validation"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("reauth_window_minutes")), "[{}] {body}", db.label);
        form["reauth_window_minutes"] = json!("30");
        let (status, body) = status_and_body(admin.call("/api/admin/security/save", &json!({"form": form})).await).await;
        assert_eq!(status, 200, "[{}] {body}", db.label);
        tokio::time::sleep(app::backend::service::settings::CACHE_FOR).await;
        prove_sign_in_ago(&server, "admin", 20).await;
        let (status, body) = call(&admin, "credentials/alias/issue", &[]).await;
        assert_eq!(status, 200, "[{}] 20 minutes is within 30: {body}", db.label);
        prove_sign_in_ago(&server, "admin", 31).await;
        let (status, body) = call(&admin, "credentials/alias/issue", &[]).await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, reauth_answer()), "[{}] 31 is not", db.label);
    }
}

/// An account with a second factor re-authenticates with its password and a code.
#[tokio::test]
async fn a_second_factor_is_asked_for_too() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        server.create_user("lena", LENA_PASSWORD).await;
        let lena = Client::new(&server.base);
        assert_eq!(lena.login("lena", LENA_PASSWORD).await.status(), 200);
        let (status, begun) = call(&lena, "two_factor/totp/begin", &[]).await;
        assert_eq!(status, 200, "{begun}");
        let secret = totp::base32_decode(begun["secret"].as_str().unwrap()).unwrap();
        let step = totp::step_at(app::backend::time::now_ms() / 1000);
        let (status, body) = call(&lena, "two_factor/totp/confirm", &[("code", &totp::code(&secret, step - 1))]).await;
        assert_eq!(status, 200, "{body}");
        prove_sign_in_ago(&server, "lena", 11).await;
        for (function, label) in [("two_factor/recovery_codes/new", "new recovery codes"), ("two_factor/totp/begin", "set up an app")] {
            let (status, body) = call(&lena, function, &[]).await;
            assert_eq!((status, body), (StatusCode::FORBIDDEN, reauth_answer()), "[{}] {label}", db.label);
        }
        let (status, body) = reauth(&lena, LENA_PASSWORD, "").await;
        assert_eq!((status, body["Validation"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("code")), "[{}] the password alone: {body}", db.label);
        let (status, body) = call(&lena, "two_factor/recovery_codes/new", &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{}] still old: {body}", db.label);
        let (status, body) = reauth(&lena, LENA_PASSWORD, "123456").await;
        assert_eq!((status, body["Validation"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("code")), "[{}] a wrong code: {body}", db.label);
        let (status, body) = reauth(&lena, LENA_PASSWORD, &totp::code(&secret, totp::step_at(app::backend::time::now_ms() / 1000))).await;
        assert_eq!(status, 200, "[{}] password and code: {body}", db.label);
        let (status, body) = call(&lena, "two_factor/recovery_codes/new", &[]).await;
        assert_eq!(status, 200, "[{}] {body}", db.label);
    }
}

/// Without JavaScript: a refused form goes to the confirm page, which
/// returns to the page the form was on (never anywhere else).
#[tokio::test]
async fn a_plain_form_goes_to_the_confirm_page_and_back() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        server.create_user("max", "max-password-1").await;
        let admin = Client::new(&server.base);
        assert_eq!(admin.login("admin", ADMIN_PASSWORD).await.status(), 200);
        prove_sign_in_ago(&server, "admin", 11).await;
        let form = [("username", "max"), ("heir", "")];
        let (status, location) = admin.post_as_form("admin/users/delete", "/admin/users/max?tab=1", &form).await;
        assert_eq!((status, location.as_str()), (StatusCode::FOUND, "/reauth?next=/admin/users/max%3Ftab%3D1"), "[{}]", db.label);
        let page = admin.get(&location).await;
        assert_eq!(page.status(), 200, "[{}]", db.label);
        let html = page.text().await.unwrap();
        assert!(html.contains("Confirm your password") && html.contains(r#"name="password""#), "[{}]", db.label);
        let (status, back) = admin.post_as_form("reauth", &location, &[("password", ADMIN_PASSWORD), ("code", ""), ("next", "/admin/users/max?tab=1")]).await;
        assert_eq!((status, back.as_str()), (StatusCode::FOUND, "/admin/users/max?tab=1"), "[{}]", db.label);
        let (status, _) = admin.post_as_form("admin/users/delete", "/admin/users/max", &form).await;
        assert_eq!(status, StatusCode::FOUND, "[{}]", db.label);
        assert!(app::backend::store::users::find_by_username(&server.state().db, "max").await.unwrap().is_none(), "[{}] deleted", db.label);
        // The way back never leaves the site.
        for next in app::model::url::HOSTILE_TARGETS.iter().copied() {
            let (status, back) = admin.post_as_form("reauth", "/reauth", &[("password", ADMIN_PASSWORD), ("code", ""), ("next", next)]).await;
            // A NUL cannot be read from the form at all (400, nothing sent anywhere).
            let refused = status == StatusCode::BAD_REQUEST && back.is_empty();
            assert!(refused || (status, back.as_str()) == (StatusCode::FOUND, "/"), "[{}] {next:?}: {status} {back}", db.label);
        }
        prove_sign_in_ago(&server, "admin", 11).await;
        for target in app::model::url::HOSTILE_TARGETS.iter().copied().filter(|t| !t.chars().any(char::is_control)) {
            let referer = format!("{}{target}", server.base);
            let res = admin
                .http
                .post(server.url("/api/admin/users/delete"))
                .header("accept", "text/html")
                .header("referer", &referer)
                .form(&[("username", "admin"), ("heir", "")])
                .send()
                .await
                .unwrap();
            let status = res.status();
            let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
            // A referer naming another site is refused by the cross-site guard before anything.
            let cross_site = status == StatusCode::FORBIDDEN && location.is_empty();
            assert!(cross_site || location == "/reauth?next=/", "[{}] referer {referer:?}: {status} {location}", db.label);
        }
    }
}
