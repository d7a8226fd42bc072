//! Two-factor sign-in with an authenticator app and recovery codes, through
//! the real doors: enrolment; the second step as JSON and as a plain form;
//! wrong, replayed and out-of-window codes; a second step begun on one
//! instance finished on another; recovery codes used once, also when two
//! requests race; second-step failures under the lockout and the
//! per-address limit; the password-only doors; turning it off.
//! Codes are computed here from the secret the page shows.

use crate::common::*;
use app::backend::auth::second_step::WRONG_CODE;
use app::backend::auth::totp;
use gatehouse_server::config::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

const ADMIN_PASSWORD: &str = "two-factor-admin-1";
pub(crate) const PASSWORD: &str = "tara-password-1";
const TWO_FACTOR_REQUIRED: &str = "This account uses two-factor sign-in: use an access token or an alias token";

pub(crate) fn config(db: &TestDb) -> Config {
    Config { admin_password: Some(ADMIN_PASSWORD.into()), jwt_secret: Some("0123456789abcdef0123456789abcdef".into()), ..test_config(db) }
}

/// The current 30-second step, after waiting for a fresh one when fewer
/// than `needed_secs` seconds are left in this one (so "now" does not move
/// while a test uses it).
async fn step_with(needed_secs: i64) -> i64 {
    let now = app::backend::time::now_ms();
    let left_ms = 30_000 - now.rem_euclid(30_000);
    if left_ms < needed_secs * 1000 {
        tokio::time::sleep(std::time::Duration::from_millis(left_ms as u64 + 50)).await;
    }
    totp::step_at(app::backend::time::now_ms() / 1000)
}

pub(crate) async fn call(client: &Client, function: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    status_and_body(client.post_form(&format!("/api/{function}"), form).await).await
}

/// Sets up an authenticator app for the signed-in `client`; its secret and
/// the recovery codes the confirmation showed. The step of `now - 1` is
/// used up by the confirmation.
async fn enrol(client: &Client) -> (Vec<u8>, Vec<String>) {
    let (secret, codes, _) = enrol_at(client).await;
    (secret, codes)
}

/// [`enrol`], also saying which step the confirmation used.
async fn enrol_at(client: &Client) -> (Vec<u8>, Vec<String>, i64) {
    let (status, begun) = call(client, "two_factor/totp/begin", &[]).await;
    assert_eq!(status, 200, "{begun}");
    assert!(begun["qr_svg"].as_str().unwrap().starts_with("<svg"));
    assert!(begun["uri"].as_str().unwrap().starts_with("otpauth://totp/"));
    let secret = totp::base32_decode(begun["secret"].as_str().unwrap()).unwrap();
    let now = step_with(5).await;
    let (status, refused) = call(client, "two_factor/totp/confirm", &[("code", "000000x")]).await;
    assert_eq!(status, 400, "{refused}");
    let (status, codes) = call(client, "two_factor/totp/confirm", &[("code", &totp::code(&secret, now - 1))]).await;
    assert_eq!(status, 200, "{codes}");
    let codes: Vec<String> = codes["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 10);
    (secret, codes, now - 1)
}

/// Signs in `username` on `client` up to the second step; asserts it was asked for.
pub(crate) async fn password_step(client: &Client, username: &str) {
    let res = client.login(username, PASSWORD).await;
    assert_eq!(res.status(), 200);
    let path: String = res.json().await.unwrap();
    assert!(path.starts_with("/login?step=code"), "{path}");
    assert_eq!(client.whoami().await, None, "no session before the second step");
}

pub(crate) async fn code_step(client: &Client, code: &str) -> (StatusCode, Value) {
    call(client, "login_code", &[("code", code), ("next", "/account")]).await
}

/// The one number `sql` selects.
async fn count(server: &TestServer, sql: &str) -> i64 {
    app::on_db!(&server.state().db, |pool| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await).unwrap()
}

async fn reset_replay_guard(server: &TestServer) {
    server.execute("UPDATE user_totp SET last_step = -1").await;
}

async fn signed_in_user(server: &TestServer, username: &str) -> Client {
    server.create_user(username, PASSWORD).await;
    let client = Client::new(&server.base);
    assert_eq!(client.login(username, PASSWORD).await.status(), 200);
    client
}

#[tokio::test]
async fn enrol_then_sign_in_with_a_code_as_json_and_as_a_plain_form() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let client = signed_in_user(&server, "tara").await;
        server.execute("UPDATE users SET email = 'tara@example.org' WHERE username = 'tara'").await;
        let (secret, _codes, confirmed) = enrol_at(&client).await;
        let (_, status) = call(&client, "two_factor/status", &[]).await;
        assert_eq!(status, json!({"totp_enabled": true, "recovery_codes_left": 10}), "{}", db.label);
        let sealed: String = app::on_db!(&server.state().db, |pool| sqlx::query_scalar("SELECT secret_sealed FROM user_totp")
            .fetch_one(pool)
            .await)
        .unwrap();
        assert!(!sealed.contains(&totp::base32_encode(&secret)), "{}: the secret is sealed at rest", db.label);
        client.logout().await;

        // JSON: a wrong code, the confirmation's (replayed) code, then a fresh one.
        let now = step_with(8).await;
        password_step(&client, "tara").await;
        let wrong = code_step(&client, if totp::code(&secret, now) == "123456" { "654321" } else { "123456" }).await;
        assert_eq!(wrong.0, 400, "{}: {}", db.label, wrong.1);
        assert!(wrong.1.to_string().contains(WRONG_CODE), "{}", wrong.1);
        assert_eq!(code_step(&client, &totp::code(&secret, confirmed)).await, wrong, "{}: a used step is refused", db.label);
        let (status, body) = code_step(&client, &totp::code(&secret, now)).await;
        assert_eq!((status, body), (StatusCode::OK, json!("/account")), "{}", db.label);
        assert_eq!(client.whoami().await.as_deref(), Some("tara"));
        assert_eq!(code_step(&client, &totp::code(&secret, now + 1)).await, wrong, "{}: the step was used up", db.label);

        // ±1 step accepted, ±2 refused.
        for (delta, accepted) in [(-2, false), (2, false), (-1, true), (1, true)] {
            reset_replay_guard(&server).await;
            let now = step_with(5).await;
            let client = Client::new(&server.base);
            password_step(&client, "tara").await;
            let typed = totp::code(&secret, now + delta);
            let collides = (-1..=1).any(|d| totp::code(&secret, now + d) == typed);
            let (status, _) = code_step(&client, &typed).await;
            assert_eq!(status == 200, accepted || collides, "{}: step {delta:+}", db.label);
        }

        // Without JavaScript: the password form sends the browser to the
        // code form (a redirect, as every plain form's), and the code form on to `next`.
        reset_replay_guard(&server).await;
        let plain = Client::new(&server.base);
        let form = [("username", "tara"), ("password", PASSWORD), ("next", "/projects")];
        let (status, location) = plain.post_as_form("login", "/login", &form).await;
        assert_eq!((status.as_u16(), location.as_str()), (302, "/login?step=code&next=%2Fprojects"), "{}", db.label);
        let page = plain.get(&location).await.text().await.unwrap();
        assert!(page.contains("name=\"code\""), "{}: the code form", db.label);
        let (status, location) = plain.post_as_form("login_code", "/login?step=code&next=%2Fprojects", &[("code", "000000"), ("next", "/projects")]).await;
        assert_eq!(status.as_u16(), 302);
        assert!(location.contains("__err"), "{}: {location}", db.label);
        let now = step_with(3).await;
        let code = totp::code(&secret, now);
        let (status, location) = plain.post_as_form("login_code", "/login?step=code&next=%2Fprojects", &[("code", code.as_str()), ("next", "/projects")]).await;
        assert_eq!((status.as_u16(), location.as_str()), (302, "/projects"), "{}", db.label);
        assert_eq!(plain.whoami().await.as_deref(), Some("tara"));

        // An expired step answers as a wrong code does.
        reset_replay_guard(&server).await;
        let late = Client::new(&server.base);
        password_step(&late, "tara").await;
        server.execute("UPDATE sign_in_steps SET expires_at = 0").await;
        let now = step_with(3).await;
        assert_eq!(code_step(&late, &totp::code(&secret, now)).await, wrong, "{}: expired", db.label);
        assert_eq!(late.whoami().await, None);

        // Audited, and mailed.
        let events = count(&server, "SELECT COUNT(*) FROM audit_events WHERE action = 'totp_enabled'").await;
        assert_eq!(events, 1, "{}", db.label);
        let mails = count(&server, "SELECT COUNT(*) FROM outbox WHERE to_address = 'tara@example.org' AND subject LIKE '%Two-factor sign-in is on%'").await;
        assert_eq!(mails, 1, "{}", db.label);
    }
}

#[tokio::test]
async fn a_second_step_begun_on_one_instance_finishes_on_another() {
    for db in test_databases().await {
        let config = config(&db);
        let a = TestServer::start(&config).await;
        let b = TestServer::start(&config).await;
        let client = signed_in_user(&a, "tara").await;
        let (secret, _) = enrol(&client).await;
        client.logout().await;
        password_step(&client, "tara").await;
        // The same browser (cookies are per host, not port) now talks to B.
        let on_b = Client { http: client.http.clone(), jar: client.jar.clone(), base: b.base.clone() };
        let now = step_with(3).await;
        let (status, body) = code_step(&on_b, &totp::code(&secret, now)).await;
        assert_eq!(status, 200, "{}: {body}", db.label);
        assert_eq!(on_b.whoami().await.as_deref(), Some("tara"), "{}", db.label);
    }
}

#[tokio::test]
async fn recovery_codes_each_work_once_even_when_two_race() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let client = signed_in_user(&server, "tara").await;
        let (_, codes) = enrol(&client).await;

        let first = Client::new(&server.base);
        password_step(&first, "tara").await;
        assert_eq!(code_step(&first, &codes[0].to_uppercase()).await.0, 200, "{}", db.label);
        let again = Client::new(&server.base);
        password_step(&again, "tara").await;
        let (status, body) = code_step(&again, &codes[0]).await;
        assert_eq!(status, 400, "{}: a used code: {body}", db.label);

        // Two sign-ins race with one code: exactly one wins.
        let (one, two) = (Client::new(&server.base), Client::new(&server.base));
        password_step(&one, "tara").await;
        password_step(&two, "tara").await;
        let (r1, r2) = futures_util::future::join(code_step(&one, &codes[1]), code_step(&two, &codes[1])).await;
        let wins = [r1.0, r2.0].iter().filter(|s| **s == 200).count();
        assert_eq!(wins, 1, "{}: {r1:?} {r2:?}", db.label);

        let (_, status) = call(&client, "two_factor/status", &[]).await;
        assert_eq!(status["recovery_codes_left"], 8, "{}", db.label);

        // A new set ends the old one.
        let (status, fresh) = call(&client, "two_factor/recovery_codes/new", &[]).await;
        assert_eq!(status, 200);
        assert_eq!(fresh["codes"].as_array().unwrap().len(), 10);
        let old = Client::new(&server.base);
        password_step(&old, "tara").await;
        assert_eq!(code_step(&old, &codes[2]).await.0, 400, "{}: the old set ended", db.label);
        assert_eq!(code_step(&old, fresh["codes"][0].as_str().unwrap()).await.0, 200, "{}", db.label);
        let (_, status) = call(&client, "two_factor/status", &[]).await;
        assert_eq!(status["recovery_codes_left"], 9, "{}", db.label);
        let used = count(&server, "SELECT COUNT(*) FROM audit_events WHERE action = 'recovery_code_used'").await;
        assert_eq!(used, 3, "{}", db.label);
    }
}

#[tokio::test]
async fn second_step_failures_count_toward_the_lockout() {
    for db in test_databases().await {
        let server = TestServer::start(&with_site(config(&db), |s| { s.lockout_threshold = 3; s.login_rate_limit = 10_000; })).await;
        let client = signed_in_user(&server, "tara").await;
        let (secret, _) = enrol(&client).await;
        let guesser = Client::new(&server.base);
        password_step(&guesser, "tara").await;
        for _ in 0..3 {
            assert_eq!(code_step(&guesser, "999999x").await.0, 400);
        }
        // Locked: the right code is refused as a wrong one, and so is the password.
        let now = step_with(3).await;
        let (status, body) = code_step(&guesser, &totp::code(&secret, now)).await;
        assert_eq!(status, 400, "{}: {body}", db.label);
        assert!(body.to_string().contains(WRONG_CODE));
        let res = Client::new(&server.base).login("tara", PASSWORD).await;
        assert_eq!(res.status(), 401, "{}: locked", db.label);

        // A correct password alone does not clear the count of wrong codes.
        server.execute("UPDATE users SET locked_until = NULL, failed_logins = 2 WHERE username = 'tara'").await;
        let again = Client::new(&server.base);
        password_step(&again, "tara").await;
        let failed = count(&server, "SELECT failed_logins FROM users WHERE username = 'tara'").await;
        assert_eq!(failed, 2, "{}", db.label);
        assert_eq!(code_step(&again, "111111x").await.0, 400);
        let res = Client::new(&server.base).login("tara", PASSWORD).await;
        assert_eq!(res.status(), 401, "{}: the third failure locked it", db.label);
    }
}

#[tokio::test]
async fn second_step_failures_count_toward_the_address_limit() {
    for db in test_databases().await {
        let server = TestServer::start(&with_site(config(&db), |s| { s.lockout_threshold = 10_000; s.login_rate_limit = 4; })).await;
        let client = signed_in_user(&server, "tara").await;
        let (secret, _) = enrol(&client).await;
        within_one_rate_window(20).await;
        let guesser = Client::new(&server.base);
        password_step(&guesser, "tara").await;
        for _ in 0..4 {
            assert_eq!(code_step(&guesser, "999999x").await.0, 400);
        }
        let now = step_with(3).await;
        let (status, body) = code_step(&guesser, &totp::code(&secret, now)).await;
        assert_eq!(status, 429, "{}: {body}", db.label);
    }
}

#[tokio::test]
async fn password_only_doors_refuse_a_two_factor_account_and_otp_completes() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let client = signed_in_user(&server, "tara").await;
        let (status, alias) = call(&client, "credentials/alias/issue", &[]).await;
        assert_eq!(status, 200, "{alias}");
        // Basic with the password works before enrolment, and is remembered
        // (the cache): afterwards the remembered sign-in is refused too.
        let res = reqwest::Client::new().get(server.url("/data/projects")).basic_auth("tara", Some(PASSWORD)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}: before enrolment", db.label);
        let (secret, codes) = enrol(&client).await;
        let refusal = json!({"error": TWO_FACTOR_REQUIRED});

        for path in ["/data/projects", "/data/JSESSION", "/users/tara"] {
            let res = reqwest::Client::new().get(server.url(path)).basic_auth("tara", Some(PASSWORD)).send().await.unwrap();
            let (status, body) = status_and_body(res).await;
            assert_eq!((status, &body["error"]), (StatusCode::UNAUTHORIZED, &refusal["error"]), "{}: {path}: {body}", db.label);
            // A wrong password learns nothing about the second factor.
            let res = reqwest::Client::new().get(server.url(path)).basic_auth("tara", Some("wrong")).send().await.unwrap();
            let (status, body) = status_and_body(res).await;
            assert_eq!(status, 401);
            assert!(!body.to_string().contains("two-factor"), "{}: {path}: {body}", db.label);
        }
        // Alias tokens are unchanged.
        let (user, secret_part) = (alias["alias"].as_str().unwrap(), alias["secret"].as_str().unwrap());
        let res = reqwest::Client::new().get(server.url("/data/JSESSION")).basic_auth(user, Some(secret_part)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{}: alias token", db.label);

        let authenticate = |body: Value, as_json: bool| {
            let req = reqwest::Client::new().post(server.url("/users/authenticate"));
            let req = if as_json { req.json(&body) } else { req.form(&body) };
            async move { status_and_body(req.send().await.unwrap()).await }
        };
        let (status, body) = authenticate(json!({"username": "tara", "password": PASSWORD}), true).await;
        assert_eq!((status, &body["error"]), (StatusCode::UNAUTHORIZED, &refusal["error"]), "{}: {body}", db.label);
        let (status, body) = authenticate(json!({"username": "tara", "password": "wrong", "otp": "123456"}), true).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("Invalid username or password")));
        let now = step_with(3).await;
        let (status, body) = authenticate(json!({"username": "tara", "password": PASSWORD, "otp": totp::code(&secret, now)}), true).await;
        assert_eq!(status, 200, "{}: {body}", db.label);
        assert!(body["token"].is_string());
        let (status, body) = authenticate(json!({"username": "tara", "password": PASSWORD, "otp": totp::code(&secret, now)}), false).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some(WRONG_CODE)), "{}: replayed", db.label);
        let (status, body) = authenticate(json!({"username": "tara", "password": PASSWORD, "otp": codes[0]}), false).await;
        assert_eq!(status, 200, "{}: a recovery code as otp: {body}", db.label);
    }
}

#[tokio::test]
async fn turning_it_off_needs_the_password() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let client = signed_in_user(&server, "tara").await;
        enrol(&client).await;
        let (status, body) = call(&client, "two_factor/totp/disable", &[("password", "wrong")]).await;
        assert_eq!(status, 400, "{}: {body}", db.label);
        let (_, status_now) = call(&client, "two_factor/status", &[]).await;
        assert_eq!(status_now["totp_enabled"], true);
        let (status, body) = call(&client, "two_factor/totp/disable", &[("password", PASSWORD)]).await;
        assert_eq!(status, 200, "{}: {body}", db.label);
        let (_, status_now) = call(&client, "two_factor/status", &[]).await;
        assert_eq!(status_now, json!({"totp_enabled": false, "recovery_codes_left": 0}));
        let fresh = Client::new(&server.base);
        let res = fresh.login("tara", PASSWORD).await;
        assert_eq!(res.json::<String>().await.unwrap(), "/", "{}: the password alone signs in again", db.label);
        let res = reqwest::Client::new().get(server.url("/data/JSESSION")).basic_auth("tara", Some(PASSWORD)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        // Tokens may not turn it on or off.
        let (_, alias) = call(&client, "credentials/alias/issue", &[]).await;
        let basic = format!("Basic {}", base64_pair(alias["alias"].as_str().unwrap(), alias["secret"].as_str().unwrap()));
        let res = authorized_call(&server, &basic, "/api/two_factor/totp/begin", &std::collections::HashMap::<String, String>::new()).await;
        assert_eq!(res.status(), 403, "{}", db.label);
    }
}

fn base64_pair(user: &str, password: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

#[tokio::test]
async fn my_account_links_to_sign_in_security_which_shows_the_state() {
    let db = test_databases().await.remove(0);
    let server = TestServer::start(&config(&db)).await;
    let client = signed_in_user(&server, "tara").await;
    let account = client.get("/account").await.text().await.unwrap();
    assert!(account.contains("href=\"/account/security\""), "a link from My account");
    let page = client.get("/account/security").await.text().await.unwrap();
    assert!(page.contains("Sign-in security") && page.contains("Set up an authenticator app"), "{page}");
    assert!(page.contains("0 of 10 recovery codes left"));
    enrol(&client).await;
    let page = client.get("/account/security").await.text().await.unwrap();
    assert!(page.contains("Remove the authenticator app") && page.contains("10 of 10 recovery codes left"), "{page}");
}
