//! Foundation over HTTP: first-run admin, login and lockout, sessions,
//! logout, forced password change, page guards, headers and the CLI.


use crate::common::*;
use gatehouse_server::config::Config;

const NEW_ADMIN_PASSWORD: &str = "a-much-better-passphrase";

#[tokio::test]
async fn first_run_admin_must_change_the_generated_password() {
    for db in test_databases().await {
        let config = test_config(&db);
        let server = TestServer::start(&config).await;
        let one_time = server.admin_password.clone().expect("a generated password");
        assert!(one_time.len() >= 16, "{}", db.label);

        let client = Client::new(&server.base);
        let res = client.login("admin", &one_time).await;
        assert_eq!(res.status(), 200, "{}", db.label);
        assert_eq!(res.json::<String>().await.unwrap(), "/account/password");

        // Until the password is changed, nothing else is allowed.
        let res = client.post_form("/api/admin/overview", &[]).await;
        assert_eq!(res.status(), 403, "{}", db.label);
        assert!(res.text().await.unwrap().contains("You must change your password"));
        let res = client.get("/").await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/account/password");
        assert_eq!(client.get("/account/password").await.status(), 200);

        // The new password must differ, match its confirmation and follow the rules.
        let res = client.change_password(&one_time, &one_time).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("different"));
        let res = client.change_password(&one_time, "short").await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("at least 8"));
        let res = client.change_password("wrong-old-password", NEW_ADMIN_PASSWORD).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("Current password is incorrect"));
        let res = client
            .post_form(
                "/api/change_password",
                &[("current_password", &one_time), ("new_password", NEW_ADMIN_PASSWORD), ("confirm_password", "other")],
            )
            .await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("do not match"));

        let res = client.change_password(&one_time, NEW_ADMIN_PASSWORD).await;
        assert_eq!(res.status(), 200, "{}", db.label);
        // The session survives its own password change.
        assert_eq!(client.whoami().await.as_deref(), Some("admin"));
        let res = client.post_form("/api/admin/overview", &[]).await;
        assert_eq!(res.status(), 200, "{}", db.label);
        let overview: serde_json::Value = res.json().await.unwrap();
        assert_eq!(overview["users"], 1);
        assert_eq!(overview["database"], db.label);

        // The one-time password is gone; a second start creates no new admin.
        let fresh = Client::new(&server.base);
        assert_eq!(fresh.login("admin", &one_time).await.status(), 401);
        assert_eq!(fresh.login("admin", NEW_ADMIN_PASSWORD).await.status(), 200);
        let again = TestServer::start(&config).await;
        assert!(again.running.first_admin.is_none(), "{}", db.label);
    }
}

#[tokio::test]
async fn configured_admin_password_needs_no_change() {
    for db in test_databases().await {
        let config = Config { admin_password: Some("configured-secret-1".into()), ..test_config(&db) };
        let server = TestServer::start(&config).await;
        assert!(server.admin_password.is_none());
        let client = Client::new(&server.base);
        let res = client.login("ADMIN", "configured-secret-1").await;
        assert_eq!(res.status(), 200, "{}: usernames match in any letter case", db.label);
        assert_eq!(res.json::<String>().await.unwrap(), "/");
        assert_eq!(client.post_form("/api/admin/overview", &[]).await.status(), 200);
    }
}

#[tokio::test]
async fn unknown_user_and_wrong_password_look_identical() {
    for db in test_databases().await {
        let server = TestServer::start(&test_config(&db)).await;
        server.create_user("alice", "alice-password").await;
        let client = Client::new(&server.base);
        let wrong = client.login("alice", "not-her-password").await;
        let (wrong_status, wrong_body) = (wrong.status(), wrong.text().await.unwrap());
        let unknown = client.login("nobody-here", "not-her-password").await;
        let (unknown_status, unknown_body) = (unknown.status(), unknown.text().await.unwrap());
        assert_eq!(wrong_status, 401, "{}", db.label);
        assert_eq!(wrong_status, unknown_status);
        assert_eq!(wrong_body, unknown_body);
        assert!(wrong_body.contains("Invalid username or password"));
        assert!(client.whoami().await.is_none());

        let empty = client.login("alice", "").await;
        assert_eq!(empty.status(), 400);
        assert!(empty.text().await.unwrap().contains("Enter your password"));

        let ok = client.login("alice", "alice-password").await;
        assert_eq!(ok.status(), 200);
        assert_eq!(client.whoami().await.as_deref(), Some("alice"));
    }
}

#[tokio::test]
async fn lockout_after_failures_and_its_expiry() {
    for db in test_databases().await {
        let config = with_site(test_config(&db), |s| { s.lockout_threshold = 3; s.lockout_minutes = 10; });
        let server = TestServer::start(&config).await;
        server.create_user("bob", "bob-password-1").await;
        let client = Client::new(&server.base);
        let generic = client.login("bob", "wrong").await.text().await.unwrap();
        for _ in 0..2 {
            assert_eq!(client.login("bob", "wrong").await.status(), 401);
        }
        // Locked: a wrong password and the right one get the same generic answer.
        for password in ["wrong", "bob-password-1"] {
            let res = client.login("bob", password).await;
            assert_eq!(res.status(), 401, "{}", db.label);
            assert_eq!(res.text().await.unwrap(), generic);
        }
        assert!(client.whoami().await.is_none());

        // When the lock runs out, the right password works and the count restarts.
        server.execute("UPDATE users SET locked_until = 1 WHERE username = 'bob'").await;
        assert_eq!(client.login("bob", "bob-password-1").await.status(), 200, "{}", db.label);
        assert_eq!(client.whoami().await.as_deref(), Some("bob"));
        assert_eq!(client.login("bob", "wrong").await.status(), 401);
        assert_eq!(client.login("bob", "bob-password-1").await.status(), 200, "one failure does not lock");
    }
}

#[tokio::test]
async fn session_id_rotates_at_login_and_logout_kills_it_server_side() {
    for db in test_databases().await {
        let server = TestServer::start(&test_config(&db)).await;
        server.create_user("carol", "carol-password").await;
        let client = Client::new(&server.base);
        assert_eq!(client.login("carol", "carol-password").await.status(), 200);
        let first = client.cookie_header().expect("a session cookie");
        assert!(first.starts_with("gatehouse_session="), "{first}");

        assert_eq!(client.login("carol", "carol-password").await.status(), 200);
        let second = client.cookie_header().unwrap();
        assert_ne!(first, second, "{}: a new id at each login", db.label);
        assert_eq!(whoami_with_cookie(&server.base, &first).await, None, "the old id is dead");
        assert_eq!(whoami_with_cookie(&server.base, &second).await.as_deref(), Some("carol"));

        assert_eq!(client.logout().await.status(), 200);
        assert!(client.whoami().await.is_none());
        assert_eq!(whoami_with_cookie(&server.base, &second).await, None, "{}: a copied cookie dies at logout", db.label);
    }
}

#[tokio::test]
async fn disabled_users_session_is_rejected_on_the_next_request() {
    for db in test_databases().await {
        let server = TestServer::start(&test_config(&db)).await;
        server.create_user("dave", "dave-password").await;
        let client = Client::new(&server.base);
        assert_eq!(client.login("dave", "dave-password").await.status(), 200);
        assert_eq!(client.whoami().await.as_deref(), Some("dave"));
        server.execute("UPDATE users SET enabled = FALSE WHERE username = 'dave'").await;
        assert!(client.whoami().await.is_none(), "{}", db.label);
        // Disabled accounts are told so, but only after the right password.
        let res = client.login("dave", "dave-password").await;
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("disabled"));
        assert_eq!(client.login("dave", "wrong-password").await.status(), 401);
    }
}

#[tokio::test]
async fn changing_password_ends_the_users_other_sessions() {
    for db in test_databases().await {
        let server = TestServer::start(&test_config(&db)).await;
        server.create_user("erin", "erin-password").await;
        let (laptop, phone) = (Client::new(&server.base), Client::new(&server.base));
        assert_eq!(laptop.login("erin", "erin-password").await.status(), 200);
        assert_eq!(phone.login("erin", "erin-password").await.status(), 200);
        assert_eq!(laptop.change_password("erin-password", "erin-new-password").await.status(), 200);
        assert_eq!(laptop.whoami().await.as_deref(), Some("erin"), "{}", db.label);
        assert!(phone.whoami().await.is_none(), "{}", db.label);
    }
}

#[tokio::test]
async fn pages_guards_headers_and_health() {
    for db in test_databases().await {
        let server = TestServer::start(&test_config(&db)).await;
        server.create_user("frank", "frank-password").await;
        let anonymous = Client::new(&server.base);

        let res = anonymous.get("/admin?tab=x").await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/login?next=/admin%3Ftab%3Dx");

        let res = anonymous.get("/login").await;
        assert_eq!(res.status(), 200);
        let headers = res.headers().clone();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"));
        let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).unwrap().to_string();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers.contains_key("referrer-policy"));
        assert!(headers.contains_key("x-request-id"));
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("nonce=\"{nonce}\"")), "hydration script carries the nonce");
        assert!(html.contains("<label for=\"field-username\">Username</label>"));

        let user = Client::new(&server.base);
        assert_eq!(user.login("frank", "frank-password").await.status(), 200);
        assert_eq!(user.get("/account").await.status(), 200);
        assert_eq!(user.get("/admin").await.status(), 403, "{}", db.label);
        let res = user.post_form("/api/admin/overview", &[]).await;
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("Admin access required"));
        assert_eq!(user.get("/login").await.status(), 303, "signed-in users skip the login page");
        assert_eq!(user.get("/no-such-page").await.status(), 404);

        // A state change that a browser marks as cross-site is refused.
        let res = user
            .http
            .post(server.url("/api/logout"))
            .header("origin", "http://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(user.whoami().await.as_deref(), Some("frank"));

        assert_eq!(anonymous.get("/healthz").await.status(), 200);
        let ready: serde_json::Value = anonymous.get("/readyz").await.json().await.unwrap();
        assert_eq!(ready["status"], "ready");
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let db = test_databases().await.remove(0);
    let server = TestServer::start(&test_config(&db)).await;
    let client = Client::new(&server.base);
    let huge = "x".repeat(2 * 1024 * 1024);
    let res = client.login("admin", &huge).await;
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn failed_password_checks_are_rate_limited_per_address() {
    for db in test_databases().await {
        let config = with_site(test_config(&db), |s| { s.login_rate_limit = 3; s.lockout_threshold = 50; });
        let server = TestServer::start(&config).await;
        server.create_user("kim", "kim-password").await;
        within_one_rate_window(20).await;
        let client = Client::new(&server.base);
        assert_eq!(client.login("kim", "wrong-1").await.status(), 401);
        assert_eq!(client.login("nobody", "wrong-2").await.status(), 401);
        assert_eq!(client.login("kim", "wrong-3").await.status(), 401);
        // The fourth try this minute is refused before any password check,
        // the same for every username, right or wrong password.
        for (user, password) in [("kim", "kim-password"), ("nobody", "x")] {
            let res = client.login(user, password).await;
            assert_eq!(res.status(), 429, "{}", db.label);
            let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=60).contains(&retry));
            assert!(res.text().await.unwrap().contains("Too many failed sign-in attempts"));
        }
        let res = reqwest::Client::new()
            .get(server.url("/users/meta"))
            .basic_auth("kim", Some("kim-password"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 429, "{}: HTTP Basic is limited too", db.label);
        let res = reqwest::Client::new().post(server.url("/users/authenticate")).form(&[("username", "kim"), ("password", "kim-password")]).send().await.unwrap();
        assert_eq!(res.status(), 429);
        assert!(res.headers().contains_key("retry-after"));
    }
}
