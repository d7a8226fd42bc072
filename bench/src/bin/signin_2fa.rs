//! Sign-ins with a second step against password-only sign-ins (issue 31's
//! budget): with an authenticator app, sign-ins per second stay within 5%
//! of password-only ones, argon2 dominating both.
//!
//!   cargo run --release -p bench --bin signin_2fa [-- ROUNDS [PER_ROUND [CONCURRENCY]]]
//!
//! Starts a real server on a temporary SQLite file with users that share
//! one password hash: half password-only, half with an authenticator app
//! set up beforehand (through the service, as the page does). Then, for
//! ROUNDS (default 4) turns, PER_ROUND (default 60) password-only sign-ins
//! (`POST /api/login`) and PER_ROUND two-step ones (`POST /api/login`, then
//! `POST /api/login_code` with the second step's cookie and a code computed
//! here with the app's own TOTP module), CONCURRENCY (default 8) at a time,
//! after one turn of each to warm up. Each sign-in is a different user, so
//! the replay guard (a step once per user) never refuses one; each is
//! checked to end with a session cookie. Prints both rates and their ratio.

use app::backend::auth::{totp, Principal};
use app::backend::time::now_ms;
use app::backend::AppState;
use bench::running_site;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "bench-user-password-1";

/// A user as the services see a signed-in caller.
fn caller(user_id: i64, username: &str) -> Principal {
    Principal { user_id, username: username.into(), roles: vec!["user".into()], ..bench::admin() }
}

/// Creates `count` users named `prefix0…`, all with `hash`; with
/// `with_app`, each sets up an authenticator app. Their names and secrets.
async fn users(state: &AppState, hash: &str, prefix: &str, count: usize, with_app: bool) -> Vec<(String, Vec<u8>)> {
    use app::backend::service::audit::{event, Actor, AuditAction, Target};
    use app::backend::service::two_factor;
    let mut made = Vec::with_capacity(count);
    for i in 0..count {
        let username = format!("{prefix}{i:04}");
        let new = app::backend::store::users::NewUser {
            username: &username,
            display_name: None,
            email: None,
            password_hash: hash,
            must_change_password: false,
            roles: &["user"],
        };
        let fixture = event(Actor::System, AuditAction::UserCreated, Target::user(0, &username), serde_json::json!({"by": "bench"}));
        let id = app::backend::store::users::insert(&state.db, &new, fixture).await.expect("insert user");
        let mut secret = Vec::new();
        if with_app {
            let me = caller(id, &username);
            let shown = two_factor::begin_totp(state, Some(&me)).await.expect("begin").secret;
            secret = totp::base32_decode(&shown).expect("base32");
            // The step before now, so a sign-in in this very step is not a replay.
            let step = totp::step_at(now_ms() / 1000) - 1;
            two_factor::confirm_totp(state, Some(&me), &totp::code(&secret, step)).await.expect("confirm");
        }
        made.push((username, secret));
    }
    made
}

/// The value of `name` among an answer's `Set-Cookie` headers.
fn cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let (pair, _) = v.split_once(';').unwrap_or((v, ""));
        let (n, value) = pair.split_once('=')?;
        (n.trim() == name && !value.is_empty()).then(|| value.to_string())
    })
}

/// One complete sign-in of `user`: the password, and the code when `secret` is not empty.
async fn sign_in(client: &reqwest::Client, base: &str, user: &str, secret: &[u8]) {
    let res = client
        .post(format!("{base}/api/login"))
        .form(&[("username", user), ("password", PASSWORD), ("next", "")])
        .send()
        .await
        .expect("sign in");
    assert!(res.status().as_u16() < 400, "{user}: password refused: {}", res.status());
    let step_cookie = cookie(&res, app::backend::auth::second_step::STEP_COOKIE);
    let session = cookie(&res, "gatehouse_session");
    res.bytes().await.expect("body");
    if secret.is_empty() {
        assert!(session.is_some() && step_cookie.is_none(), "{user}: no session after the password");
        return;
    }
    let step_cookie = step_cookie.unwrap_or_else(|| panic!("{user}: no second step"));
    let code = totp::code(secret, totp::step_at(now_ms() / 1000));
    let res = client
        .post(format!("{base}/api/login_code"))
        .header("cookie", format!("{}={step_cookie}", app::backend::auth::second_step::STEP_COOKIE))
        .form(&[("code", code.as_str()), ("next", "")])
        .send()
        .await
        .expect("second step");
    assert!(res.status().as_u16() < 400 && cookie(&res, "gatehouse_session").is_some(), "{user}: code refused: {}", res.status());
    res.bytes().await.expect("body");
}

/// Signs in each of `users` once, `concurrency` at a time; how long it took.
async fn sign_in_all(base: &str, users: &[(String, Vec<u8>)], concurrency: usize) -> Duration {
    let users = Arc::new(users.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let loops: Vec<_> = (0..concurrency)
        .map(|_| {
            let (users, next, base) = (users.clone(), next.clone(), base.to_string());
            tokio::spawn(async move {
                let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((user, secret)) = users.get(i) else { break };
                    sign_in(&client, &base, user, secret).await;
                }
            })
        })
        .collect();
    for l in loops {
        l.await.unwrap();
    }
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let arg = |n: usize, default: usize| std::env::args().nth(n).and_then(|s| s.parse().ok()).unwrap_or(default);
    let (rounds, per_round, concurrency) = (arg(1, 4), arg(2, 60), arg(3, 8));
    let count = (rounds + 1) * per_round;
    let mut plain = Vec::new();
    let mut two_step = Vec::new();
    let site = running_site(|state| {
        let (plain, two_step) = (&mut plain, &mut two_step);
        async move {
            let hash = state.hasher.hash(PASSWORD).await.expect("hash");
            *plain = users(&state, &hash, "pw", count, false).await;
            *two_step = users(&state, &hash, "tf", count, true).await;
        }
    })
    .await;

    let turn = |i: usize| i * per_round..(i + 1) * per_round;
    sign_in_all(&site.base, &plain[turn(0)], concurrency).await;
    sign_in_all(&site.base, &two_step[turn(0)], concurrency).await;
    let (mut plain_time, mut two_step_time) = (Duration::ZERO, Duration::ZERO);
    for i in 1..=rounds {
        plain_time += sign_in_all(&site.base, &plain[turn(i)], concurrency).await;
        two_step_time += sign_in_all(&site.base, &two_step[turn(i)], concurrency).await;
    }
    let measured = (rounds * per_round) as f64;
    let (plain_rate, two_step_rate) = (measured / plain_time.as_secs_f64(), measured / two_step_time.as_secs_f64());
    println!("| measurement | figure | baseline | ratio |");
    println!("|---|---|---|---|");
    println!(
        "| sign-ins per second with password + TOTP code vs password only ({concurrency} concurrent, {} of each in {rounds} alternating turns) | {two_step_rate:.1} | {plain_rate:.1} | {:.1}% |",
        rounds * per_round,
        100.0 * two_step_rate / plain_rate
    );
}
