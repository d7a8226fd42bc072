//! Admin → Security (SPEC §5) through the real router, on SQLite and
//! PostgreSQL: password expiry (and its exemption), the lockout and session
//! lengths as settings that apply without a restart, the locked-accounts
//! list, validation and stale saves.


use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "admin-password-1";
const EXPIRED: &str = "Password expired: sign in to the web page to choose a new one";

async fn server_on(db: &TestDb) -> (TestServer, Client) {
    let server = TestServer::start(&Config { admin_password: Some(PASSWORD.into()), ..test_config(db) }).await;
    server.create_user("lena", "lena-password").await;
    server.create_user("max", "max-password").await;
    let admin = Client::new(&server.base);
    assert_eq!(admin.login("admin", PASSWORD).await.status(), 200);
    (server, admin)
}

/// Saves Admin → Security with `changes` over the current values.
async fn save_security(admin: &Client, changes: Value) -> (StatusCode, Value) {
    let mut form: Value = admin.call("/api/admin/security/get", &json!({})).await.json().await.unwrap();
    for (key, value) in changes.as_object().unwrap() {
        form[key] = value.clone();
    }
    let res = admin.call("/api/admin/security/save", &json!({"form": form})).await;
    let status = res.status();
    let body = res.text().await.unwrap();
    tokio::time::sleep(app::backend::service::settings::CACHE_FOR).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
}

fn days_ago(days: i64) -> i64 {
    app::backend::time::now_ms() - days * app::backend::time::DAY_MS
}

#[tokio::test]
async fn an_expired_password_opens_only_the_change_page_and_other_doors_get_401() {
    for db in test_databases().await {
        let (server, admin) = server_on(&db).await;
        let (status, body) = save_security(&admin, json!({"password_expiry_days": "30"})).await;
        assert_eq!(status, 200, "{body}");
        server.execute(&format!("UPDATE users SET password_changed_at = {} WHERE username IN ('lena', 'max')", days_ago(31))).await;
        server.execute("UPDATE users SET non_expiring = TRUE WHERE username = 'max'").await;

        // The web page: signed in, but only to choose a new password.
        let lena = Client::new(&server.base);
        let res = lena.login("lena", "lena-password").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<String>().await.unwrap(), "/account/password", "[{}]", db.label);
        let page = lena.get("/account").await;
        assert!(page.status().is_redirection(), "[{}] {}", db.label, page.status());
        assert_eq!(page.headers()["location"], "/account/password");
        let me: Value = lena.post_form("/api/whoami", &[]).await.json().await.unwrap();
        assert_eq!((me["must_change_password"].as_bool(), me["password_expired"].as_bool()), (Some(true), Some(true)), "{me}");

        // Every other door: 401 with one message, and the refusal is audited.
        let rest = Rest::new(&server.base, "lena", "lena-password");
        let (status, body) = rest.send(Method::GET, "/users/storage", &Value::Null).await;
        assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({"error": EXPIRED})), "[{}]", db.label);
        let jwt = reqwest::Client::new().post(server.url("/users/authenticate")).form(&[("username", "lena"), ("password", "lena-password")]);
        let (status, body) = status_and_body(jwt.send().await.unwrap()).await;
        assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({"error": EXPIRED})));
        let (_, refused) = Rest::new(&server.base, "admin", PASSWORD).send(Method::GET, "/api/audit?action=sign_in_failed&target=lena", &Value::Null).await;
        assert_eq!(refused["items"][0]["details"]["reason"], "expired", "[{}] {refused}", db.label);

        // A non-expiring account is exempt.
        let (status, _) = Rest::new(&server.base, "max", "max-password").send(Method::GET, "/users/storage", &Value::Null).await;
        assert_eq!(status, 200, "[{}] non_expiring bypasses the expiry", db.label);

        // A new password ends it everywhere.
        assert_eq!(lena.change_password("lena-password", "lena-password-2").await.status(), 200);
        let (status, _) = Rest::new(&server.base, "lena", "lena-password-2").send(Method::GET, "/users/storage", &Value::Null).await;
        assert_eq!(status, 200, "[{}]", db.label);
        assert_eq!(lena.get("/account").await.status(), 200);

        // Under two weeks left, My account says so (an hour more than 25 days
        // ago, so the count is 4 whenever the server reads the clock).
        server.execute(&format!("UPDATE users SET password_changed_at = {} WHERE username = 'lena'", days_ago(25) - 3_600_000)).await;
        let me: Value = lena.post_form("/api/whoami", &[]).await.json().await.unwrap();
        assert_eq!(me["password_expires_in_days"], 4, "[{}] {me}", db.label);
        assert_eq!(me["must_change_password"], false);
    }
}

#[tokio::test]
async fn lockout_settings_apply_at_once_and_locked_accounts_can_be_unlocked() {
    for db in test_databases().await {
        let (server, admin) = server_on(&db).await;
        let (status, _) = save_security(&admin, json!({"lockout_threshold": "2", "lockout_minutes": "30"})).await;
        assert_eq!(status, 200);
        for _ in 0..2 {
            assert_eq!(Client::new(&server.base).login("lena", "wrong").await.status(), 401);
        }
        assert_eq!(Client::new(&server.base).login("lena", "lena-password").await.status(), 401, "[{}] locked after 2", db.label);
        let locked: Vec<Value> = admin.call("/api/admin/security/locked", &json!({})).await.json().await.unwrap();
        assert_eq!(locked.len(), 1, "[{}] {locked:?}", db.label);
        assert_eq!((locked[0]["username"].as_str(), locked[0]["failed_logins"].as_i64()), (Some("lena"), Some(2)));
        let until = app::backend::time::now_ms() + 30 * 60_000;
        let shown = locked[0]["locked_until"].as_str().unwrap().to_string();
        assert!(shown <= app::model::iso8601(until + 1000) && shown >= app::model::iso8601(until - 60_000), "{shown}");

        assert_eq!(admin.call("/api/admin/users/unlock", &json!({"username": "lena"})).await.status(), 200);
        let locked: Vec<Value> = admin.call("/api/admin/security/locked", &json!({})).await.json().await.unwrap();
        assert!(locked.is_empty());
        assert_eq!(Client::new(&server.base).login("lena", "lena-password").await.status(), 200);

        let (_, changed) = Rest::new(&server.base, "admin", PASSWORD).send(Method::GET, "/api/audit?action=settings_changed&target=security", &Value::Null).await;
        let fields = &changed["items"][0]["details"]["changed"];
        assert_eq!(fields["lockout_threshold"]["new"], 2, "[{}] {changed}", db.label);
        assert_eq!(fields["lockout_minutes"]["new"], 30);
        assert!(fields.get("password_expiry_days").is_none(), "only what changed");
        // Plain users may not read or change them.
        let lena = Client::new(&server.base);
        lena.login("lena", "lena-password").await;
        assert_eq!(lena.call("/api/admin/security/get", &json!({})).await.status(), 403);
        assert_eq!(lena.call("/api/admin/security/locked", &json!({})).await.status(), 403);
    }
}

#[tokio::test]
async fn session_lengths_apply_to_sessions_that_already_exist() {
    for db in test_databases().await {
        let (server, admin) = server_on(&db).await;
        let lena = Client::new(&server.base);
        assert_eq!(lena.login("lena", "lena-password").await.status(), 200);
        let max = Client::new(&server.base);
        assert_eq!(max.login("max", "max-password").await.status(), 200);
        // Both sessions are 20 minutes old; max's was last used 20 minutes ago.
        server.execute(&format!("UPDATE sessions SET created_at = {}", app::backend::time::now_ms() - 20 * 60_000)).await;
        let max_id = app::backend::store::users::find_by_username(&server.state().db, "max").await.unwrap().unwrap().id;
        server.execute(&format!("UPDATE sessions SET last_seen_at = {} WHERE user_id = {max_id}", app::backend::time::now_ms() - 20 * 60_000)).await;

        let (status, _) = save_security(&admin, json!({"session_idle_minutes": "15"})).await;
        assert_eq!(status, 200);
        assert!(max.whoami().await.is_none(), "[{}] idle past the new timeout", db.label);
        assert_eq!(lena.whoami().await.as_deref(), Some("lena"));

        let (status, _) = save_security(&admin, json!({"session_lifetime_minutes": "10"})).await;
        assert_eq!(status, 200);
        assert!(lena.whoami().await.is_none(), "[{}] older than the new lifetime", db.label);
    }
}

#[tokio::test]
async fn bad_values_name_their_field_and_stale_saves_change_nothing() {
    for db in test_databases().await {
        let (_server, admin) = server_on(&db).await;
        let (status, body) = save_security(&admin, json!({"lockout_threshold": "0"})).await;
        assert_eq!(status, 400, "[{}] {body}", db.label);
        let err: app::model::AppError = serde_json::from_value(body).unwrap();
        assert_eq!(err.field(), Some("lockout_threshold"));
        let old: Value = admin.call("/api/admin/security/get", &json!({})).await.json().await.unwrap();
        let mut stale = old.clone();
        stale["lockout_minutes"] = json!("45");
        let (status, _) = save_security(&admin, json!({"lockout_minutes": "20"})).await;
        assert_eq!(status, 200);
        let res = admin.call("/api/admin/security/save", &json!({"form": stale})).await;
        assert_eq!(res.status(), 409, "[{}]", db.label);
        let now: Value = admin.call("/api/admin/security/get", &json!({})).await.json().await.unwrap();
        assert_eq!(now["lockout_minutes"], "20");
    }
}

#[tokio::test]
async fn the_sweep_disables_exactly_the_previewed_accounts_once_and_keeps_an_admin() {
    use app::backend::jobs::hourly::run_once;
    for db in test_databases().await {
        let (server, admin) = server_on(&db).await;
        server.create_user("old.user", "old-user-password").await;
        server.create_user("never.seen", "never-seen-password").await;
        server.create_user("old.admin", "old-admin-password").await;
        let rest = Rest::new(&server.base, "admin", PASSWORD);
        let (status, _) = rest.send(Method::PUT, "/users/old.admin", &json!({"roles": ["admin"]})).await;
        assert_eq!(status, 200);
        server.execute(&format!("UPDATE users SET last_login_at = {} WHERE username IN ('old.user', 'old.admin')", days_ago(100))).await;
        server.execute(&format!("UPDATE users SET created_at = {}, last_login_at = NULL WHERE username = 'never.seen'", days_ago(100))).await;
        server.execute(&format!("UPDATE users SET last_login_at = {} WHERE username = 'lena'", days_ago(10))).await;

        // The preview names who a value would disable, before it is saved.
        let preview: Value = admin.call("/api/admin/security/preview_inactive", &json!({"days": "90"})).await.json().await.unwrap();
        assert_eq!(preview["usernames"], json!(["never.seen", "old.admin", "old.user"]), "[{}] {preview}", db.label);
        let wider: Value = admin.call("/api/admin/security/preview_inactive", &json!({"days": "5"})).await.json().await.unwrap();
        assert!(wider["usernames"].as_array().unwrap().contains(&json!("lena")));
        let res = admin.call("/api/admin/security/preview_inactive", &json!({"days": "-1"})).await;
        assert_eq!(res.status(), 400);
        let (status, _) = save_security(&admin, json!({"inactive_days": "90"})).await;
        assert_eq!(status, 200);

        // Two instances at once: the lease lets one sweep; each account is disabled once.
        let state = server.state();
        let (a, b) = tokio::join!(run_once(state, "instance-a"), run_once(state, "instance-b"));
        let reports: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
        assert_eq!(reports.len(), 1, "[{}]", db.label);
        assert_eq!(reports[0].accounts_disabled, 3);
        // Even two sweeps that both run find nothing left to disable.
        let (x, y) = tokio::join!(app::backend::service::security::disable_inactive(state), app::backend::service::security::disable_inactive(state));
        assert_eq!(x.unwrap() + y.unwrap(), 0);
        for (name, enabled) in [("old.user", false), ("never.seen", false), ("old.admin", false), ("lena", true), ("admin", true)] {
            let user = app::backend::store::users::find_by_username(&state.db, name).await.unwrap().unwrap();
            assert_eq!(user.enabled, enabled, "[{}] {name}", db.label);
        }
        let (_, disabled) = rest.send(Method::GET, "/api/audit?action=user_disabled&actor=system", &Value::Null).await;
        let items = disabled["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "[{}] one event each: {disabled}", db.label);
        assert!(items.iter().all(|e| e["details"]["reason"] == "inactive"));
    }
}

#[tokio::test]
async fn the_last_enabled_admin_is_never_disabled_for_inactivity() {
    for db in test_databases().await {
        let (server, admin) = server_on(&db).await;
        let (status, _) = save_security(&admin, json!({"inactive_days": "30"})).await;
        assert_eq!(status, 200);
        server.execute(&format!("UPDATE users SET last_login_at = {}, created_at = {}", days_ago(60), days_ago(60))).await;
        let preview: Value = admin.call("/api/admin/security/preview_inactive", &json!({"days": "30"})).await.json().await.unwrap();
        assert_eq!(preview["usernames"], json!(["lena", "max"]), "[{}] the only admin stays: {preview}", db.label);
        let disabled = app::backend::service::security::disable_inactive(server.state()).await.unwrap();
        assert_eq!(disabled, 2);
        let admin_row = app::backend::store::users::find_by_username(&server.state().db, "admin").await.unwrap().unwrap();
        assert!(admin_row.enabled, "[{}]", db.label);
    }
}

/// A leaked admin access token cannot weaken sign-in or let accounts in
/// without an admin (the settings twin of "a token cannot create accounts"):
/// Admin → Security's values, opening registration or invitations, and
/// dropping verification or approval answer 403 and change nothing; the
/// same token may still change what opens no door, and the admin's session
/// may change everything.
#[tokio::test]
async fn a_token_cannot_weaken_sign_in_or_open_registration() {
    for db in test_databases().await {
        let (server, admin) = server_on(&db).await;
        let (_, created) = Rest::new(&server.base, "admin", PASSWORD)
            .send(Method::POST, "/api/tokens", &json!({"name": "ops", "expires_days": 30}))
            .await;
        let token = format!("Bearer {}", created["token"].as_str().expect("a token"));
        let security: Value = admin.call("/api/admin/security/get", &json!({})).await.json().await.unwrap();
        for (key, value) in [("lockout_threshold", "100"), ("lockout_minutes", "1"), ("session_lifetime_minutes", "525600"), ("inactive_days", "30")] {
            let mut form = security.clone();
            form[key] = json!(value);
            let (status, body) = status_and_body(authorized_call(&server, &token, "/api/admin/security/save", &json!({"form": form})).await).await;
            assert_eq!(status, 403, "[{}] {key}: {body}", db.label);
            assert!(body.to_string().contains("tokens cannot"), "[{}] {body}", db.label);
        }
        let unchanged: Value = admin.call("/api/admin/security/get", &json!({})).await.json().await.unwrap();
        assert_eq!(unchanged, security, "[{}] nothing saved", db.label);

        let site: Value = admin.call("/api/admin/settings/get", &json!({})).await.json().await.unwrap();
        let opening = [
            ("registration_open", json!(true)),
            ("owners_may_invite_new_people", json!(true)),
            ("require_email_verification", json!(false)),
            ("require_admin_approval", json!(false)),
            ("require_login", json!(false)),
            ("password_min_length", json!("4")),
        ];
        for (key, value) in opening {
            let mut form = site.clone();
            form[key] = value;
            let (status, body) = status_and_body(authorized_call(&server, &token, "/api/admin/settings/save", &json!({"form": form})).await).await;
            assert_eq!(status, 403, "[{}] {key}: {body}", db.label);
        }
        let unchanged: Value = admin.call("/api/admin/settings/get", &json!({})).await.json().await.unwrap();
        assert_eq!(unchanged, site, "[{}] nothing saved", db.label);

        // What opens no door: the token may; and the session may open it.
        let mut quieter = site.clone();
        quieter["notify_admins"] = json!(!site["notify_admins"].as_bool().unwrap());
        let (status, body) = status_and_body(authorized_call(&server, &token, "/api/admin/settings/save", &json!({"form": quieter})).await).await;
        assert_eq!(status, 200, "[{}] {body}", db.label);
        let mut open = admin.call("/api/admin/settings/get", &json!({})).await.json::<Value>().await.unwrap();
        open["registration_open"] = json!(true);
        assert_eq!(admin.call("/api/admin/settings/save", &json!({"form": open})).await.status(), 200, "[{}]", db.label);
        assert_eq!(save_security(&admin, json!({"lockout_threshold": "7"})).await.0, 200, "[{}]", db.label);
    }
}
