//! Sessions and their cookies under attack: hostile `next` values, XNAT's
//! `JSESSIONID`, secure cookies and HSTS on https, forged origins, and
//! sessions that must stay ended.

use crate::common::doors::*;
use crate::common::*;
use gatehouse_server::config::Config;
use serde_json::Value;

#[tokio::test]
async fn hostile_next_values_land_on_the_home_page() {
    let db = test_databases().await.remove(0);
    let server = TestServer::start(&config(&db)).await;
    server.create_user("nina", "nina-password").await;
    let hostile = [
        "/\t/evil.example", "/\n/evil.example", "\\\\evil.example", "/\\evil.example", "/%09/evil.example", "//evil.example",
        "https://evil.example", "https:evil.example", "javascript:alert(1)", "/%2F%2Fevil.example", "/%5Cevil.example",
        " //evil.example", "/\r\n//evil.example", "http://127.0.0.1@evil.example/",
    ];
    for next in hostile.iter().chain(["/projects?tab=mine"].iter()) {
        let client = Client::new(&server.base);
        let res = client.post_form("/api/login", &[("username", "nina"), ("password", "nina-password"), ("next", next)]).await;
        assert_eq!(res.status(), 200);
        let target: String = res.json().await.unwrap();
        let expected = if *next == "/projects?tab=mine" { "/projects?tab=mine" } else { "/" };
        assert_eq!(target, expected, "{next:?}");
    }
}

fn jsessionid_of(res: &reqwest::Response) -> Option<String> {
    res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|c| c.starts_with("JSESSIONID=")).map(str::to_string)
}

#[tokio::test]
async fn xnat_sessions_open_only_for_credentials_and_the_alias_stays_on_xnat_paths() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        server.create_user("xena", "xena-password").await;
        let http = reqwest::Client::new();
        let opened = http.get(server.url("/data/JSESSION")).basic_auth("xena", Some("xena-password")).send().await.unwrap();
        assert_eq!(opened.status(), 200);
        let cookie = jsessionid_of(&opened).expect("a JSESSIONID cookie");
        assert!(!cookie.contains("Secure"), "plain http");
        let id = opened.text().await.unwrap();
        let expiry_sql = "SELECT expires_at FROM sessions";
        let expires = |s: &TestServer| {
            let db = s.state().db.clone();
            async move { app::on_db!(&db, |pool| sqlx::query_scalar::<_, i64>(expiry_sql).fetch_all(pool).await).unwrap() }
        };
        let before = expires(&server).await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;

        let again = http.get(server.url("/data/JSESSION")).header("cookie", format!("JSESSIONID={id}")).send().await.unwrap();
        assert_eq!(again.status(), 200);
        if let Some(cookie) = jsessionid_of(&again) {
            assert!(cookie.starts_with(&format!("JSESSIONID={id};")), "{}: no new session", db.label);
        }
        assert_eq!(again.text().await.unwrap(), id, "{}: the same session", db.label);
        assert_eq!(expires(&server).await, before, "{}: a cookie-only GET changes nothing", db.label);

        let projects = http.get(server.url("/data/projects")).header("cookie", format!("JSESSIONID={id}")).send().await.unwrap();
        assert_eq!(projects.status(), 200, "{}: the alias works on XNAT paths", db.label);
        assert_eq!(whoami_with_cookie(&server.base, &format!("JSESSIONID={id}")).await, None, "{}: not elsewhere", db.label);
    }
}

#[tokio::test]
async fn https_sites_get_secure_xnat_cookies_and_hsts() {
    let db = test_databases().await.remove(0);
    let server = TestServer::start(&Config { public_url: Some("https://gatehouse.example".into()), ..config(&db) }).await;
    server.create_user("sam", "sam-password").await;
    let res = reqwest::Client::new().get(server.url("/data/JSESSION")).basic_auth("sam", Some("sam-password")).send().await.unwrap();
    assert!(jsessionid_of(&res).unwrap().contains("; Secure"));
    assert!(res.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    let plain = TestServer::start(&config(&test_databases().await.remove(0))).await;
    assert!(reqwest::get(plain.url("/login")).await.unwrap().headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn the_origin_check_compares_scheme_and_port_too() {
    let db = test_databases().await.remove(0);
    let server = TestServer::start(&config(&db)).await;
    let port = server.running.addr.port();
    let login_with_origin = |origin: String| {
        let url = server.url("/api/login");
        async move {
            reqwest::Client::new()
                .post(url)
                .header("origin", origin)
                .form(&[("username", "admin"), ("password", ADMIN_PASSWORD), ("next", "")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(login_with_origin(format!("http://127.0.0.1:{port}")).await, 200);
    assert_eq!(login_with_origin(format!("https://127.0.0.1:{port}")).await, 403, "scheme");
    assert_eq!(login_with_origin(format!("http://127.0.0.1:{}", port + 1)).await, 403, "port");
    assert_eq!(login_with_origin("http://evil.example".into()).await, 403, "host");
}

#[tokio::test]
async fn a_session_save_does_not_bring_back_a_revoked_session() {
    use tower_sessions::session::{Id, Record};
    use tower_sessions::SessionStore;
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let store = app::backend::auth::session_store::DbSessionStore::new(server.state().clone());
        let mut record = Record {
            id: Id::default(),
            data: [("uid".to_string(), Value::from(1))].into_iter().collect(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        store.create(&mut record).await.unwrap();
        assert!(store.load(&record.id).await.unwrap().is_some());
        store.delete(&record.id).await.unwrap(); // revoked
        store.save(&record).await.unwrap(); // a request that loaded it before the revoke finishes
        assert!(store.load(&record.id).await.unwrap().is_none(), "{}: the revoked session stays gone", db.label);
    }
}

#[tokio::test]
async fn taking_back_verification_or_approval_ends_the_users_sessions() {
    use app::api::users::{GetUser, SaveUser};
    use app::model::{UserEdit, UserFacts};
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let admin = Client::new(&server.base);
        assert_eq!(admin.login("admin", ADMIN_PASSWORD).await.status(), 200);
        server.create_user("vera", "vera-password").await;
        for flag in ["verified", "approved"] {
            let vera = Client::new(&server.base);
            assert_eq!(vera.login("vera", "vera-password").await.status(), 200);
            let token = authenticate(&server, "vera", "vera-password").await.1["token"].as_str().unwrap().to_string();
            let res = admin.call("/api/admin/users/get", &GetUser { username: "vera".into() }).await;
            let mut edit = res.json::<(UserEdit, UserFacts)>().await.unwrap().0;
            match flag {
                "verified" => edit.verified = false,
                _ => edit.approved = false,
            }
            assert_eq!(admin.call("/api/admin/users/save", &SaveUser { edit }).await.status(), 200);
            assert!(vera.whoami().await.is_none(), "{}: un-{flag} ends the session", db.label);
            assert_eq!(bearer_status(&server, &token).await, 401, "{}: and the token", db.label);
            server.execute("UPDATE users SET verified = TRUE, approved = TRUE WHERE username = 'vera'").await;
        }
    }
}
