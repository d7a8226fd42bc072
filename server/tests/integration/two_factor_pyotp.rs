//! Our TOTP against another implementation: 100 users enrol an
//! authenticator app through the real doors (100 random secrets made by the
//! server), then codes made by pyotp (unmodified, from PyPI; one python
//! process for all, given the secrets and the server's time from its
//! `Date` header) are typed at the second step: the codes of one step
//! before, of the step itself and of one step after are each accepted, and
//! those two steps either side refused. Each user tries ±2 first and then
//! −1, 0, +1 in that order (each relative to the server's step when it is
//! sent), so the replay guard (a step at or before the last one used is
//! refused) is never what refuses or accepts.
//! pyotp lives in the test virtualenv `scripts/setup.sh --browser` makes
//! (`$GATEHOUSE_PYXNAT_PYTHON`, default `~/.cache/gatehouse-pyxnat/bin/python`).

use super::two_factor::{call, code_step, config, password_step, PASSWORD};
use crate::common::*;
use app::backend::auth::totp;
use gatehouse_server::config::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

const USERS: usize = 100;
/// Users checked at once.
const AT_ONCE: usize = 8;
/// Steps around the server's time at which pyotp makes codes: enough for
/// the checks to run up to three minutes.
const OFFSETS: std::ops::RangeInclusive<i64> = -3..=8;

fn venv_python() -> std::path::PathBuf {
    match std::env::var("GATEHOUSE_PYXNAT_PYTHON") {
        Ok(path) if !path.is_empty() => path.into(),
        _ => std::path::Path::new(&std::env::var("HOME").unwrap_or_default()).join(".cache/gatehouse-pyxnat/bin/python"),
    }
}

/// The server's clock, in Unix seconds, from the `Date` header of an answer
/// (IMF-fixdate, e.g. `Mon, 07 Dec 2026 23:09:47 GMT`).
async fn server_time(server: &TestServer) -> i64 {
    let res = reqwest::get(server.url("/healthz")).await.unwrap();
    let date = res.headers().get("date").expect("a Date header").to_str().unwrap().to_string();
    let parts: Vec<&str> = date.split([' ', ':']).collect();
    let [_, day, month, year, hour, minute, second, "GMT"] = parts[..] else { panic!("not an HTTP date: {date}") };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == month).unwrap_or_else(|| panic!("{date}")) as u8 + 1;
    let num = |text: &str| text.parse::<i64>().unwrap_or_else(|_| panic!("{date}"));
    let day = time::Date::from_calendar_date(num(year) as i32, month.try_into().unwrap(), num(day) as u8).unwrap();
    day.midnight().assume_utc().unix_timestamp() + num(hour) * 3600 + num(minute) * 60 + num(second)
}

/// The server's current step, after waiting for a fresh one when fewer
/// than `needed_secs` seconds are left in this one.
async fn server_step_with(server: &TestServer, needed_secs: i64) -> i64 {
    let now = server_time(server).await;
    let left = totp::STEP_SECONDS - now.rem_euclid(totp::STEP_SECONDS);
    if left >= needed_secs {
        return totp::step_at(now);
    }
    tokio::time::sleep(std::time::Duration::from_secs(left as u64)).await;
    loop {
        let now = server_time(server).await;
        if now.rem_euclid(totp::STEP_SECONDS) < totp::STEP_SECONDS - needed_secs {
            return totp::step_at(now);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// pyotp's codes for `secrets` at [`OFFSETS`] steps around `time`; and the step of `time`.
async fn pyotp_codes(python: &std::path::Path, secrets: &[String], time: i64) -> (i64, Vec<Vec<String>>) {
    use tokio::io::AsyncWriteExt;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pyotp/codes.py");
    let mut child = tokio::process::Command::new(python)
        .arg(&script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run python");
    let request = json!({"time": time, "secrets": secrets, "offsets": OFFSETS.collect::<Vec<_>>()});
    child.stdin.take().unwrap().write_all(request.to_string().as_bytes()).await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "pyotp failed (run ./scripts/setup.sh --browser):\n{}", String::from_utf8_lossy(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).expect("pyotp's JSON");
    let codes = answer["codes"].as_array().unwrap().iter().map(|row| row.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()).collect();
    (answer["step"].as_i64().unwrap(), codes)
}

/// Creates `username` (with a hash made once for all) and enrols an
/// authenticator app through the doors; the secret the server made, as shown.
async fn enrolled(server: &TestServer, hash: &str, username: &str) -> String {
    let new = app::backend::store::users::NewUser {
        username,
        display_name: None,
        email: None,
        password_hash: hash,
        must_change_password: false,
        roles: &["user"],
    };
    app::backend::store::users::insert(&server.state().db, &new, fixture_event(username)).await.unwrap();
    let client = Client::new(&server.base);
    assert_eq!(client.login(username, PASSWORD).await.status(), 200);
    let (status, begun) = call(&client, "two_factor/totp/begin", &[]).await;
    assert_eq!(status, 200, "{begun}");
    let shown = begun["secret"].as_str().unwrap().to_string();
    let secret = totp::base32_decode(&shown).unwrap();
    let now = totp::step_at(server_time(server).await);
    let (status, body) = call(&client, "two_factor/totp/confirm", &[("code", &totp::code(&secret, now))]).await;
    assert_eq!(status, 200, "{username}: {body}");
    shown
}

/// One user's checks, each code chosen by the server's step just before
/// it is sent (after the password, whose argon2 takes the time): what each
/// offset got.
async fn check_user(server: &TestServer, username: &str, codes: &[String], first_step: i64) -> Vec<(i64, StatusCode)> {
    let code_at = |step: i64| {
        let index = step - first_step - OFFSETS.start();
        assert!(index >= 0 && (index as usize) < codes.len(), "the run outlasted pyotp's codes (step {step})");
        codes[index as usize].as_str()
    };
    let mut seen = Vec::new();
    let client = Client::new(&server.base);
    password_step(&client, username).await;
    for delta in [2, -2] {
        let now = server_step_with(server, 2).await;
        // A code two steps away equal to a nearer one (one chance in ~300,000) is not a test of the window.
        if !(-1..=1).any(|d| code_at(now + d) == code_at(now + delta)) {
            seen.push((delta, code_step(&client, code_at(now + delta)).await.0));
        }
    }
    for delta in [-1, 0, 1] {
        let client = Client::new(&server.base);
        password_step(&client, username).await;
        let now = server_step_with(server, 2).await;
        let (status, body) = code_step(&client, code_at(now + delta)).await;
        assert!(status != StatusCode::OK || body == json!("/account"), "{username}: {body}");
        seen.push((delta, status));
    }
    seen
}

#[tokio::test]
async fn pyotp_codes_within_one_step_are_accepted_and_two_steps_away_refused() {
    let python = venv_python();
    assert!(python.exists(), "the test virtualenv is missing at {}: run ./scripts/setup.sh --browser", python.display());
    for db in test_databases().await {
        let started = std::time::Instant::now();
        // Every check is charged to this one address; 200 wrong codes must not reach the limit.
        let server = TestServer::start(&with_site(config(&db), |s| s.login_rate_limit = 100_000)).await;
        let hash = server.state().hasher.hash(PASSWORD).await.unwrap();
        let names: Vec<String> = (0..USERS).map(|i| format!("otp{i:03}")).collect();
        let mut secrets = Vec::new();
        for chunk in names.chunks(AT_ONCE * 2) {
            secrets.extend(futures_util::future::join_all(chunk.iter().map(|name| enrolled(&server, &hash, name))).await);
        }
        let distinct: std::collections::BTreeSet<&String> = secrets.iter().collect();
        assert_eq!(distinct.len(), USERS, "{}: every secret is new", db.label);
        // The confirmations used up the step of enrolment: forget it, so
        // that the window is tested here and not the replay guard.
        server.execute("UPDATE user_totp SET last_step = -1").await;
        let enrolled_in = started.elapsed();

        let (first_step, codes) = pyotp_codes(&python, &secrets, server_time(&server).await).await;
        use futures_util::StreamExt;
        let server = &server;
        let checks = names.iter().zip(&codes).map(|(name, codes)| async move {
            let seen = check_user(server, name, codes, first_step).await;
            seen.into_iter().map(|(delta, status)| (name.as_str(), delta, status)).collect::<Vec<_>>()
        });
        let results: Vec<_> = futures_util::stream::iter(checks).buffer_unordered(AT_ONCE).collect::<Vec<_>>().await.concat();
        let wrong: Vec<_> = results.iter().filter(|(_, delta, status)| (*status == StatusCode::OK) != (delta.abs() <= 1)).collect();
        assert!(wrong.is_empty(), "{}: {wrong:?}", db.label);
        let accepted = results.iter().filter(|(_, _, status)| *status == StatusCode::OK).count();
        assert_eq!(accepted, USERS * 3, "{}", db.label);
        let refused = results.iter().filter(|(_, _, status)| *status == StatusCode::BAD_REQUEST).count();
        assert!(refused >= USERS * 2 - 2, "{}: {refused} refusals", db.label);
        let sessions = app::on_db!(&server.state().db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'sign_in' AND details LIKE '%\"second_factor\":true%'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(sessions, accepted as i64, "{}: each accepted code is one two-factor sign-in", db.label);
        println!("{}: {} checks of {USERS} pyotp secrets in {:?} (enrolment {enrolled_in:?})", db.label, results.len(), started.elapsed());
    }
}
