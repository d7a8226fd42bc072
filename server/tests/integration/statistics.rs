//! Admin → Statistics and the user list's figures (SPEC §8) through the real
//! router, on SQLite and PostgreSQL: each per-user figure and each site
//! total is checked against what the test itself did.

use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "stats-password-1";

fn days_ago(days: i64) -> i64 {
    app::backend::time::now_ms() - days * app::backend::time::DAY_MS
}

/// A failed sign-in to `username` (id `id`) recorded `days` ago.
async fn old_failure(server: &TestServer, id: i64, username: &str, days: i64) {
    use app::backend::service::audit::{event, Actor, AuditAction, Target};
    let mut failure = event(Actor::Anonymous, AuditAction::SignInFailed, Target::user(id, username), json!({"reason": "wrong_password"}));
    failure.at = days_ago(days);
    app::backend::store::audit::append(&server.state().db, &failure).await.unwrap();
}

fn row<'a>(page: &'a Value, username: &str) -> &'a Value {
    page["items"].as_array().unwrap().iter().find(|u| u["username"] == username).unwrap_or_else(|| panic!("{username} in {page}"))
}

#[tokio::test]
async fn per_user_figures_and_site_totals_match_what_happened() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let config = with_site(Config { admin_password: Some(PASSWORD.into()), ..test_config(&db) }, |s| { s.storage_limiter = true; s.data_dir = data.path().into(); });
        let server = TestServer::start(&config).await;
        let lena_id = server.create_user("lena", PASSWORD).await;
        let max_id = server.create_user("max", PASSWORD).await;
        server.create_user("ola", PASSWORD).await;
        let admin = Client::new(&server.base);
        assert_eq!(admin.login("admin", PASSWORD).await.status(), 200);

        // Lena: two refused sign-ins now, one 40 days ago (outside the window), then in.
        for _ in 0..2 {
            assert_eq!(Client::new(&server.base).login("lena", "not-her-password").await.status(), 401);
        }
        old_failure(&server, lena_id, "lena", 40).await;
        old_failure(&server, max_id, "max", 29).await;
        let lena = Client::new(&server.base);
        assert_eq!(lena.login("lena", PASSWORD).await.status(), 200);

        // Lena owns a project with a dataset and two files; Max is a member of it.
        let rest = Rest::new(&server.base, "lena", PASSWORD);
        let (status, body) = rest.send(Method::POST, "/orgs", &json!({"slug": "lab", "name": "Lab", "description": "", "accessibility": "private"})).await;
        assert_eq!(status, StatusCode::CREATED, "[{}] {body}", db.label);
        let (status, body) = rest.send(Method::PUT, "/data/projects/lab/users/Members/max", &Value::Null).await;
        assert_eq!(status, 200, "{body}");
        let res = lena.call("/api/projects/datasets/create", &json!({"slug": "lab", "name": "ds", "description": ""})).await;
        assert_eq!(res.status(), 200);
        for (name, size) in [("a.bin", 1500usize), ("b.bin", 500)] {
            let put = reqwest::Client::new().put(server.url(&format!("/files/lab/ds/{name}"))).basic_auth("lena", Some(PASSWORD)).body(vec![7u8; size]);
            assert!(put.send().await.unwrap().status().is_success());
        }
        server.execute(r#"UPDATE users SET metadata = '{"maxStorageMB": 5}' WHERE username = 'lena'"#).await;

        // Ola is disabled; Max is locked.
        server.execute("UPDATE users SET enabled = FALSE WHERE username = 'ola'").await;
        server.execute(&format!("UPDATE users SET locked_until = {} WHERE username = 'max'", days_ago(-1))).await;

        let page: Value = admin.call("/api/admin/users/list", &json!({"query": {"sort": "storage"}})).await.json().await.unwrap();
        let first = page["items"][0]["username"].clone();
        assert_eq!(first, "lena", "[{}] the storage sort puts the biggest user first: {page}", db.label);
        let l = row(&page, "lena");
        assert_eq!(
            (&l["datasets"], &l["files"], &l["storage_used"], &l["projects_owned"], &l["projects_joined"], &l["failed_sign_ins"]),
            (&json!(1), &json!(2), &json!(2000), &json!(1), &json!(0), &json!(2)),
            "[{}] {l}",
            db.label
        );
        assert!(l["storage_quota"].as_i64().unwrap() >= 5_000_000, "{l}");
        assert!(l["active_sessions"].as_i64().unwrap() >= 1 && l["last_login"].is_string(), "{l}");
        let m = row(&page, "max");
        assert_eq!((&m["projects_owned"], &m["projects_joined"], &m["failed_sign_ins"], &m["files"]), (&json!(0), &json!(1), &json!(1), &json!(0)), "{m}");
        assert!(m["storage_quota"].is_null() && m["last_login"].is_null(), "{m}");

        let stats: Value = admin.call("/api/admin/statistics", &json!({})).await.json().await.unwrap();
        assert_eq!(
            stats["users"],
            json!({"total": 4, "enabled": 3, "disabled": 1, "locked": 1, "unverified": 0, "awaiting_approval": 0}),
            "[{}] {stats}",
            db.label
        );
        let days = stats["sign_ins"].as_array().unwrap();
        assert_eq!(days.len(), 30);
        let today = &app::model::iso8601(app::backend::time::now_ms())[..10];
        assert_eq!(days[29]["day"], today, "{stats}");
        assert!(days[29]["count"].as_i64().unwrap() >= 2, "admin and lena signed in today: {stats}");
        assert_eq!(stats["storage_total"], 2000);
        assert_eq!(stats["storage_by_project"], json!([{"project": "lab", "bytes": 2000}]), "{stats}");

        // The page renders its figures in the HTML, and only for admins.
        let html = admin.get("/admin/statistics").await.text().await.unwrap();
        for text in ["Users by status", "Sign-ins per day", "<svg", "Storage by project", "Failed sign-ins (30 d)", "lena"] {
            assert!(html.contains(text), "[{}] {text} in the page", db.label);
        }
        let res = lena.call("/api/admin/statistics", &json!({})).await;
        assert_eq!(res.status(), 403, "[{}] a user cannot read the site totals", db.label);
    }
}
