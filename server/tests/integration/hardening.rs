//! Attacks on sign-in and identity, each as an attacker would run it: many
//! concurrent guesses, guesses against a lock, a deleted account's token,
//! hostile redirects, XNAT session cookies, forged origins.


use crate::common::*;
use futures_util::future::join_all;
use gatehouse_server::config::Config;
use reqwest::StatusCode;
use serde_json::Value;

const ADMIN_PASSWORD: &str = "admin-password-1";
const JWT_SECRET: &str = "test-secret-that-is-long-enough-0123456789";

fn config(db: &TestDb) -> Config {
    Config { admin_password: Some(ADMIN_PASSWORD.into()), jwt_secret: Some(JWT_SECRET.into()), ..test_config(db) }
}

async fn login_status(server: &TestServer, username: &str, password: &str) -> (StatusCode, String) {
    let res = Client::new(&server.base).login(username, password).await;
    (res.status(), res.text().await.unwrap())
}

async fn basic(server: &TestServer, path: &str, username: &str, password: &str) -> (StatusCode, String) {
    let res = reqwest::Client::new().get(server.url(path)).basic_auth(username, Some(password)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn authenticate(server: &TestServer, username: &str, password: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .post(server.url("/users/authenticate"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

async fn locked_until(server: &TestServer, username: &str) -> Option<i64> {
    let user = app::backend::store::users::find_by_username(&server.state().db, username).await.unwrap().unwrap();
    user.locked_until.filter(|until| *until > app::backend::time::now_ms())
}

#[tokio::test]
async fn concurrent_guesses_from_one_address_reach_argon2_at_most_the_limit() {
    for db in test_databases().await {
        let config = Config { login_rate_limit: 20, lockout_threshold: 10_000, ..config(&db) };
        let server = TestServer::start(&config).await;
        server.create_user("target", "target-password").await;
        within_one_rate_window(40).await;
        let before = server.state().hasher.verifications();
        let guesses = (0..200).map(|n| {
            let server = &server;
            async move {
                let res = Client::new(&server.base).login("target", &format!("guess-{n}")).await;
                (res.status(), res.headers().get("retry-after").is_some())
            }
        });
        let answers = join_all(guesses).await;
        let verified = server.state().hasher.verifications() - before;
        let refused = answers.iter().filter(|(s, retry)| *s == StatusCode::TOO_MANY_REQUESTS && *retry).count();
        let checked = answers.iter().filter(|(s, _)| *s == StatusCode::UNAUTHORIZED).count();
        println!("{}: 200 concurrent guesses → {checked} checked, {refused} refused, {verified} argon2 runs", db.label);
        assert!(verified <= 20, "{}: {verified} guesses reached argon2", db.label);
        assert_eq!(checked, 20, "{}", db.label);
        assert_eq!(refused, 180, "{}: the rest get 429 with Retry-After", db.label);
    }
}

#[tokio::test]
async fn concurrent_wrong_passwords_lock_the_account_and_the_lock_holds() {
    for db in test_databases().await {
        let config = Config { lockout_threshold: 5, login_rate_limit: 10_000, ..config(&db) };
        let server = TestServer::start(&config).await;
        server.create_user("victim", "victim-password").await;
        // 53, not a multiple of 5: a lock cleared by a late failure shows.
        let guesses = (0..53).map(|n| {
            let server = &server;
            async move { login_status(server, "victim", &format!("guess-{n}")).await.0 }
        });
        let statuses = join_all(guesses).await;
        assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{}: {statuses:?}", db.label);
        assert!(locked_until(&server, "victim").await.is_some(), "{}: the account ends locked", db.label);
        let (status, _) = login_status(&server, "victim", "victim-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}: the right password is refused during the lock", db.label);
        assert!(Client::new(&server.base).whoami().await.is_none());
    }
}

#[tokio::test]
async fn a_lock_answers_alike_whatever_the_password_through_every_door() {
    for db in test_databases().await {
        let config = Config { lockout_threshold: 3, ..config(&db) };
        let server = TestServer::start(&config).await;
        server.create_user("locked", "locked-password").await;
        let unknown = login_status(&server, "nobody-at-all", "whatever").await;
        for _ in 0..3 {
            login_status(&server, "locked", "wrong").await;
        }
        assert!(locked_until(&server, "locked").await.is_some());
        let before = server.state().hasher.verifications();
        let right = login_status(&server, "locked", "locked-password").await;
        let wrong = login_status(&server, "locked", "wrong").await;
        assert_eq!(right, wrong, "{}: sign-in form", db.label);
        assert_eq!(right, unknown, "{}: and like an unknown user", db.label);
        assert_eq!(server.state().hasher.verifications() - before, 2, "each costs one (dummy) verification");
        assert_eq!(
            basic(&server, "/users/meta", "locked", "locked-password").await,
            basic(&server, "/users/meta", "locked", "wrong").await,
            "{}: HTTP Basic",
            db.label
        );
        let (status, body) = authenticate(&server, "locked", "locked-password").await;
        assert_eq!((status, body), authenticate(&server, "locked", "wrong").await, "{}: /users/authenticate", db.label);
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn changing_the_password_is_limited_and_locked_like_signing_in() {
    for db in test_databases().await {
        let config = Config { lockout_threshold: 3, login_rate_limit: 5, ..config(&db) };
        let server = TestServer::start(&config).await;
        server.create_user("carol", "carol-password").await;
        within_one_rate_window(30).await;
        let client = Client::new(&server.base);
        assert_eq!(client.login("carol", "carol-password").await.status(), 200);
        for _ in 0..3 {
            let res = client.change_password("not-it", "carol-new-password").await;
            assert_eq!(res.status(), 400);
            assert!(res.text().await.unwrap().contains("Current password is incorrect"));
        }
        assert!(locked_until(&server, "carol").await.is_some(), "{}: wrong current passwords lock", db.label);
        let right = client.change_password("carol-password", "carol-new-password").await;
        let right = (right.status(), right.text().await.unwrap());
        let wrong = client.change_password("not-it", "carol-new-password").await;
        assert_eq!(right, (wrong.status(), wrong.text().await.unwrap()), "{}: same answer while locked", db.label);
        assert!(right.1.contains("try again in"), "{}", right.1);
        // The address has now failed 5 checks: a sixth is past the limit of 5.
        let res = client.change_password("carol-password", "carol-new-password").await;
        assert_eq!(res.status(), 429, "{}: the per-address limit covers it", db.label);
        assert!(res.headers().contains_key("retry-after"));
        let user = app::backend::store::users::find_by_username(&server.state().db, "carol").await.unwrap().unwrap();
        assert!(server.state().hasher.verify("carol-password", Some(&user.password_hash)).await.unwrap(), "unchanged");
    }
}

#[tokio::test]
async fn ipv6_clients_count_by_their_64_and_forwarded_for_needs_a_trusted_proxy() {
    for db in test_databases().await {
        let login_from = |server: &TestServer, forwarded: &'static str| {
            let url = server.url("/api/login");
            async move {
                reqwest::Client::new()
                    .post(url)
                    .header("x-forwarded-for", forwarded)
                    .form(&[("username", "dora"), ("password", "wrong"), ("next", "")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        let proxied = Config { login_rate_limit: 2, trusted_proxies: vec!["127.0.0.0/8".into()], ..config(&db) };
        let server = TestServer::start(&proxied).await;
        server.create_user("dora", "dora-password").await;
        within_one_rate_window(20).await;
        assert_eq!(login_from(&server, "2001:db8:1:1::1").await, 401);
        assert_eq!(login_from(&server, "2001:db8:1:1::2").await, 401);
        assert_eq!(login_from(&server, "2001:db8:1:1:ffff::9").await, 429, "{}: same /64", db.label);
        assert_eq!(login_from(&server, "2001:db8:1:2::1").await, 401, "{}: another /64", db.label);
        // The client's own leftmost entry proves nothing: the proxy's (rightmost) one counts.
        assert_eq!(login_from(&server, "198.51.100.1, 2001:db8:1:1::3").await, 429, "{}", db.label);
        drop(server);

        let direct = Config { login_rate_limit: 2, ..config(&db) };
        let server = TestServer::start(&direct).await;
        within_one_rate_window(20).await;
        assert_eq!(login_from(&server, "198.51.100.1").await, 401);
        assert_eq!(login_from(&server, "198.51.100.2").await, 401);
        assert_eq!(login_from(&server, "198.51.100.3").await, 429, "{}: without trusted_proxies the header is ignored", db.label);
    }
}

#[tokio::test]
async fn imported_users_cost_one_verification_like_unknown_ones() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        server.create_user("imported", "unused").await;
        server.execute("UPDATE users SET password_hash = '!' WHERE username = 'imported'").await;
        server.create_user("garbled", "unused").await;
        server.execute("UPDATE users SET password_hash = '$argon2id$garbage' WHERE username = 'garbled'").await;
        let unknown = login_status(&server, "nobody", "!").await;
        for name in ["imported", "garbled"] {
            let before = server.state().hasher.verifications();
            assert_eq!(login_status(&server, name, "!").await, unknown, "{}: {name}", db.label);
            assert_eq!(server.state().hasher.verifications() - before, 1, "{}: {name} costs one verification", db.label);
        }
    }
}

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

async fn bearer_status(server: &TestServer, token: &str) -> StatusCode {
    reqwest::Client::new().get(server.url("/users/meta")).bearer_auth(token).send().await.unwrap().status()
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

#[tokio::test]
async fn email_change_confirmations_are_limited_per_user_and_per_address() {
    use app::api::profile::SaveProfile;
    use app::backend::auth::rate_limit::MAIL_REQUESTS_PER_MINUTE;
    for db in test_databases().await {
        let label = db.label;
        let server = TestServer::start(&config(&db)).await;
        let outbox = || {
            let db = server.state().db.clone();
            async move { app::on_db!(&db, |pool| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox").fetch_one(pool).await).unwrap() }
        };
        let mut clients = Vec::new();
        for name in ["ella", "finn"] {
            let id = server.create_user(name, &format!("{name}-password")).await;
            server.execute(&format!("UPDATE users SET email = '{name}@old.example', email_lower = '{name}@old.example' WHERE id = {id}")).await;
            let client = Client::new(&server.base);
            assert_eq!(client.login(name, &format!("{name}-password")).await.status(), 200);
            clients.push(client);
        }
        let change = |name: &str| SaveProfile {
            display_name: name.into(),
            email: "target@victim.example".into(),
            current_password: format!("{name}-password"),
        };
        within_one_rate_window(40).await;
        for n in 0..MAIL_REQUESTS_PER_MINUTE {
            assert_eq!(clients[0].call("/api/profile/save", &change("ella")).await.status(), 200, "[{label}] request {n}");
        }
        let sent = outbox().await;
        assert_eq!(sent, 2 * MAIL_REQUESTS_PER_MINUTE, "[{label}] a link and a notice each");
        for _ in 0..3 {
            let res = clients[0].call("/api/profile/save", &change("ella")).await;
            assert_eq!(res.status(), 429, "[{label}] past the per-user limit");
            assert!(res.headers().contains_key("retry-after"), "[{label}]");
        }
        // Another account cannot go on mailing the same address either.
        let res = clients[1].call("/api/profile/save", &change("finn")).await;
        assert_eq!(res.status(), 429, "[{label}] past the per-address limit");
        assert!(res.text().await.unwrap().contains("Too many emails went to this address"), "[{label}]");
        assert_eq!(outbox().await, sent, "[{label}] nothing more was queued");
    }
}

#[tokio::test]
async fn changing_the_email_needs_the_password_and_tells_the_old_address() {
    use app::api::profile::SaveProfile;
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let id = server.create_user("emma", "emma-password").await;
        server.execute(&format!("UPDATE users SET email = 'emma@old.example', email_lower = 'emma@old.example' WHERE id = {id}")).await;
        let emma = Client::new(&server.base);
        assert_eq!(emma.login("emma", "emma-password").await.status(), 200);
        let change = |password: &str| SaveProfile {
            display_name: "Emma".into(),
            email: "emma@new.example".into(),
            current_password: password.into(),
        };
        for (password, message) in [("", "Enter your current password"), ("wrong", "Current password is incorrect")] {
            let res = emma.call("/api/profile/save", &change(password)).await;
            assert_eq!(res.status(), 400, "{}", db.label);
            assert!(res.text().await.unwrap().contains(message));
        }
        let outbox_sql = "SELECT to_address FROM outbox ORDER BY id";
        let outbox = || {
            let db = server.state().db.clone();
            async move { app::on_db!(&db, |pool| sqlx::query_scalar::<_, String>(outbox_sql).fetch_all(pool).await).unwrap() }
        };
        assert!(outbox().await.is_empty(), "{}: nothing sent for a refused change", db.label);
        assert_eq!(emma.call("/api/profile/save", &change("emma-password")).await.status(), 200);
        assert_eq!(outbox().await, ["emma@new.example", "emma@old.example"], "{}: a link to the new, a notice to the old", db.label);
        // A display-name-only save needs no password.
        let rename = SaveProfile { display_name: "Emma B".into(), email: "emma@old.example".into(), current_password: String::new() };
        assert_eq!(emma.call("/api/profile/save", &rename).await.status(), 200);
    }
}

/// The status, content type and body text of a request.
async fn answer(req: reqwest::RequestBuilder) -> (StatusCode, String, String) {
    let res = req.send().await.unwrap();
    let kind = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (res.status(), kind, res.text().await.unwrap())
}

#[tokio::test]
async fn nul_characters_are_refused_at_the_door_on_every_database() {
    for db in test_databases().await {
        let label = db.label;
        let server = TestServer::start(&Config { login_rate_limit: 4, ..config(&db) }).await;
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
