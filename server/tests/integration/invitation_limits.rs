//! Invitations over HTTP under pressure: one link accepted by many at once
//! makes one account and one membership; sending is rate limited per
//! inviter and per recipient address (10 a minute) and capped per inviter
//! per day, refused with 429 and `Retry-After`; and signing up from a link
//! obeys the registration policy — on SQLite and PostgreSQL.


use crate::common::*;
use futures_util::future::join_all;
use gatehouse_server::config::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub(crate) const PASSWORD: &str = "invitation-password-1";

/// These tests are about races, limits and forms, not the registration
/// policy: owners' invitations may create accounts, approved at once
/// (`invitation_sign_up_obeys_the_registration_policy` tests the defaults).
pub(crate) fn config(db: &TestDb) -> Config {
    with_site(Config { admin_password: Some(PASSWORD.into()), ..test_config(db) }, |s| { s.owners_may_invite_new_people = true; s.require_admin_approval = false; })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Signs `username` in and creates the private project `slug` as its owner.
pub(crate) async fn owner_of(server: &TestServer, username: &str, slug: &str) -> Client {
    server.create_user(username, PASSWORD).await;
    let client = Client::new(&server.base);
    assert_eq!(client.login(username, PASSWORD).await.status(), StatusCode::OK);
    let project = json!({"slug": slug, "name": slug, "description": "", "accessibility": "private"});
    let (status, body) = status_and_body(client.call("/api/projects/create", &project).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    client
}

/// Sends an invitation; returns the status and the `Retry-After` seconds.
pub(crate) async fn invite(owner: &Client, slug: &str, email: &str) -> (StatusCode, Option<u64>) {
    let res = owner.call("/api/projects/invitations/send", &json!({"slug": slug, "email": email, "role": "member"})).await;
    let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    (res.status(), retry_after)
}

async fn count(server: &TestServer, sql: &str, arg: &str) -> i64 {
    app::on_db!(&server.state().db, |pool| sqlx::query_scalar::<_, i64>(sql).bind(arg).fetch_one(pool).await).unwrap()
}

/// The token of the newest invitation mailed to `email` (it waits in the outbox).
pub(crate) async fn token_sent_to(server: &TestServer, email: &str) -> String {
    let sql = "SELECT body FROM outbox WHERE to_address = $1 ORDER BY id DESC";
    let body: String = app::on_db!(&server.state().db, |pool| sqlx::query_scalar(sql).bind(email).fetch_one(pool).await).unwrap();
    let start = body.find("/invitations/").expect("invitation link") + "/invitations/".len();
    body[start..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect()
}

pub(crate) fn sign_up(token: &str, username: &str) -> Value {
    json!({"token": token, "username": username, "display_name": "", "password": PASSWORD, "confirm": PASSWORD})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_sign_ups_with_one_link_make_one_account() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let owner = owner_of(&server, "owner", "lab").await;
        assert_eq!(invite(&owner, "lab", "new@example.org").await.0, StatusCode::OK);
        let token = token_sent_to(&server, "new@example.org").await;
        let sign_ups = (0..10).map(|n| {
            let token = token.clone();
            let base = server.base.clone();
            async move { status_and_body(Client::new(&base).call("/api/invitations/sign_up", &sign_up(&token, &format!("newbie{n}"))).await).await }
        });
        let results = join_all(sign_ups).await;
        let joined = results.iter().filter(|(status, _)| *status == StatusCode::OK).count();
        assert_eq!(joined, 1, "{}: {results:?}", db.label);
        for (status, body) in results.iter().filter(|(status, _)| *status != StatusCode::OK) {
            // The link is spent, or (checked a moment later) its address has its account.
            let clear = (*status == StatusCode::NOT_FOUND && body.to_string().contains("invitation link is not valid"))
                || (*status == StatusCode::BAD_REQUEST && body.to_string().contains("already has an account"));
            assert!(clear, "{}: the others hear the link is used, not {status} {body}", db.label);
        }
        assert_eq!(count(&server, "SELECT COUNT(*) FROM users WHERE username LIKE $1", "newbie%").await, 1, "{}", db.label);
    }
}

/// Signed-in users accepting and newcomers signing up, all with one link
/// at once, three times: one of them joins, and only a newcomer who joined
/// leaves an account behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accepting_and_signing_up_with_one_link_at_once_joins_one() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let owner = owner_of(&server, "owner", "lab").await;
        server.create_many_users("member", 5, PASSWORD).await;
        let mut members = Vec::new();
        for n in 0..5 {
            let client = Client::new(&server.base);
            assert_eq!(client.login(&format!("member{n:03}"), PASSWORD).await.status(), StatusCode::OK);
            members.push(client);
        }
        for round in 0..3 {
            let email = format!("race{round}@example.org");
            assert_eq!(invite(&owner, "lab", &email).await.0, StatusCode::OK);
            let token = token_sent_to(&server, &email).await;
            let accepts = members.iter().map(|m| async { status_and_body(m.call("/api/invitations/accept", &json!({"token": token})).await).await });
            let sign_ups = (0..5).map(|n| {
                let (token, base) = (token.clone(), server.base.clone());
                let username = format!("newcomer{round}x{n}");
                async move { status_and_body(Client::new(&base).call("/api/invitations/sign_up", &sign_up(&token, &username)).await).await }
            });
            let (accepted, signed_up) = futures_util::future::join(join_all(accepts), join_all(sign_ups)).await;
            let ok = |results: &[(StatusCode, Value)]| results.iter().filter(|(status, _)| *status == StatusCode::OK).count();
            assert_eq!(ok(&accepted) + ok(&signed_up), 1, "{} round {round}: {accepted:?} {signed_up:?}", db.label);
            let accounts = count(&server, "SELECT COUNT(*) FROM users WHERE username LIKE $1", &format!("newcomer{round}x%")).await;
            assert_eq!(accounts as usize, ok(&signed_up), "{} round {round}: an account without the membership was left: {signed_up:?}", db.label);
        }
    }
}

#[tokio::test]
async fn invitations_are_rate_limited_per_inviter_and_per_address() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let owner = owner_of(&server, "owner", "lab").await;
        let other = owner_of(&server, "other", "lab2").await;
        let third = owner_of(&server, "third", "lab3").await;
        within_one_rate_window(25).await;
        for n in 0..10 {
            assert_eq!(invite(&owner, "lab", &format!("a{n}@example.org")).await.0, StatusCode::OK, "{}: invitation {n}", db.label);
        }
        let (status, retry_after) = invite(&owner, "lab", "a10@example.org").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{}: the 11th invitation of one inviter in a minute", db.label);
        assert!(retry_after.is_some_and(|s| (1..=60).contains(&s)), "{}: Retry-After {retry_after:?}", db.label);
        assert_eq!(count(&server, "SELECT COUNT(*) FROM outbox WHERE to_address = $1", "a10@example.org").await, 0);

        for n in 0..5 {
            assert_eq!(invite(&other, "lab2", "same@example.org").await.0, StatusCode::OK, "{}: {n}", db.label);
            assert_eq!(invite(&third, "lab3", "same@example.org").await.0, StatusCode::OK, "{}: {n}", db.label);
        }
        let (status, retry_after) = invite(&third, "lab3", "same@example.org").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{}: the 11th mail to one address in a minute", db.label);
        assert!(retry_after.is_some(), "{}", db.label);
        assert_eq!(invite(&third, "lab3", "fresh@example.org").await.0, StatusCode::OK, "{}: another address is fine", db.label);
        assert_eq!(count(&server, "SELECT COUNT(*) FROM outbox WHERE to_address = $1", "same@example.org").await, 10);
    }
}

#[tokio::test]
async fn the_daily_invitation_cap_counts_the_last_24_hours() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let owner = owner_of(&server, "owner", "lab").await;
        // 49 invitations an hour ago and 5 the day before yesterday: 49 count.
        let now = now_ms();
        for (n, age_ms) in (0..54).map(|n| (n, if n < 49 { 3_600_000 } else { 25 * 3_600_000 })) {
            let sql = format!(
                "INSERT INTO invitations (project_id, email, role, token_hash, invited_by, created_at, expires_at) \
                 SELECT id, 'old{n}@example.org', 'member', 'hash{n}', 'owner', {}, {} FROM projects WHERE slug = 'lab'",
                now - age_ms,
                now + 3_600_000
            );
            server.execute(&sql).await;
        }
        assert_eq!(invite(&owner, "lab", "fiftieth@example.org").await.0, StatusCode::OK, "{}", db.label);
        let (status, retry_after) = invite(&owner, "lab", "fifty-first@example.org").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{}: 50 a day is the default cap", db.label);
        let hours = retry_after.unwrap_or_default() as f64 / 3600.0;
        assert!((22.9..=23.0).contains(&hours), "{}: retry when the oldest counted one is a day old, not {hours} h", db.label);
        assert_eq!(count(&server, "SELECT COUNT(*) FROM outbox WHERE to_address = $1", "fifty-first@example.org").await, 0);
    }
}

#[tokio::test]
async fn the_daily_invitation_cap_is_configurable() {
    for db in test_databases().await {
        let server = TestServer::start(&with_site(config(&db), |s| { s.invitation_daily_cap = 2; })).await;
        let owner = owner_of(&server, "owner", "lab").await;
        assert_eq!(invite(&owner, "lab", "one@example.org").await.0, StatusCode::OK);
        assert_eq!(invite(&owner, "lab", "two@example.org").await.0, StatusCode::OK);
        let (status, retry_after) = invite(&owner, "lab", "three@example.org").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{}", db.label);
        assert!(retry_after.is_some_and(|s| s > 86_000), "{}: {retry_after:?}", db.label);
    }
}

async fn settings_with(admin: &Client, changes: &[(&str, bool)]) {
    let mut form: Value = admin.call("/api/admin/settings/get", &json!({})).await.json().await.unwrap();
    for (key, value) in changes {
        form[*key] = json!(value);
    }
    let res = admin.call("/api/admin/settings/save", &json!({"form": form})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

async fn membership(server: &TestServer, username: &str) -> Option<(String, String)> {
    let sql = "SELECT m.role, m.joined_by FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.username = $1";
    app::on_db!(&server.state().db, |pool| sqlx::query_as::<_, (String, String)>(sql).bind(username).fetch_optional(pool).await).unwrap()
}

/// With the defaults (registration closed, admin approval required) an
/// owner's invitation creates no account; an admin's does, waiting for
/// approval with its membership kept; "Project owners may invite new
/// people" lets an owner's link create one (still waiting for approval);
/// without required approval the new account is signed in at once.
#[tokio::test]
async fn invitation_sign_up_obeys_the_registration_policy() {
    for db in test_databases().await {
        let server = TestServer::start(&Config { admin_password: Some(PASSWORD.into()), ..test_config(&db) }).await;
        let owner = owner_of(&server, "owner", "lab").await;
        let admin = Client::new(&server.base);
        assert_eq!(admin.login("admin", PASSWORD).await.status(), StatusCode::OK);
        let form: Value = admin.call("/api/admin/settings/get", &json!({})).await.json().await.unwrap();
        assert_eq!((form["registration_open"].clone(), form["owners_may_invite_new_people"].clone()), (json!(false), json!(false)), "{}", db.label);

        // The owner's invitation goes out (the answer tells nothing about accounts) but cannot make one.
        assert_eq!(invite(&owner, "lab", "new@example.org").await.0, StatusCode::OK);
        let token = token_sent_to(&server, "new@example.org").await;
        let visitor = Client::new(&server.base);
        let (status, preview) = status_and_body(visitor.call("/api/invitations/preview", &json!({"token": token})).await).await;
        assert_eq!((status, preview["creates_account"].clone()), (StatusCode::OK, json!(false)), "{}", db.label);
        let (status, body) = status_and_body(visitor.call("/api/invitations/sign_up", &sign_up(&token, "newbie")).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}: {body}", db.label);
        assert!(body.to_string().contains("registration is closed"), "{body}");
        assert_eq!(count(&server, "SELECT COUNT(*) FROM users WHERE username = $1", "newbie").await, 0, "{}", db.label);
        assert_eq!(count(&server, "SELECT COUNT(*) FROM invitations WHERE email = $1 AND accepted_at IS NULL", "new@example.org").await, 1, "the link stays open");

        // An admin's invitation makes an account, which waits for approval; its membership is kept.
        let (status, _) = status_and_body(admin.call("/api/projects/invitations/send", &json!({"slug": "lab", "email": "vetted@example.org", "role": "member"})).await).await;
        assert_eq!(status, StatusCode::OK);
        let vetted_token = token_sent_to(&server, "vetted@example.org").await;
        let vetted = Client::new(&server.base);
        let (status, body) = status_and_body(vetted.call("/api/invitations/sign_up", &sign_up(&vetted_token, "vetted")).await).await;
        assert_eq!((status, body), (StatusCode::OK, json!("lab")), "{}", db.label);
        assert_eq!(vetted.whoami().await, None, "{}: no session while the account waits", db.label);
        let (status, body) = status_and_body(vetted.login("vetted", PASSWORD).await).await;
        assert!(status.is_client_error() && body.to_string().contains("waiting for approval"), "{}: {status} {body}", db.label);
        assert_eq!(membership(&server, "vetted").await, Some(("member".into(), "invitation".into())), "{}", db.label);
        let (status, _) = status_and_body(vetted.call("/api/projects/datasets/list", &json!({"slug": "lab"})).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(admin.call("/api/admin/users/approve", &json!({"username": "vetted"})).await.status(), StatusCode::OK);
        assert_eq!(vetted.login("vetted", PASSWORD).await.status(), StatusCode::OK, "{}", db.label);
        let (status, body) = status_and_body(vetted.call("/api/projects/datasets/list", &json!({"slug": "lab"})).await).await;
        assert_eq!(status, StatusCode::OK, "{}: approved, in the private project: {body}", db.label);

        // Owners may invite new people: the owner's open link now makes an account, still awaiting approval.
        settings_with(&admin, &[("owners_may_invite_new_people", true)]).await;
        let (_, preview) = status_and_body(visitor.call("/api/invitations/preview", &json!({"token": token})).await).await;
        assert_eq!(preview["creates_account"], json!(true), "{}", db.label);
        let (status, body) = status_and_body(visitor.call("/api/invitations/sign_up", &sign_up(&token, "newbie")).await).await;
        assert_eq!((status, body), (StatusCode::OK, json!("lab")), "{}", db.label);
        assert_eq!(visitor.whoami().await, None, "{}", db.label);
        let (status, body) = status_and_body(visitor.login("newbie", PASSWORD).await).await;
        assert!(status.is_client_error() && body.to_string().contains("waiting for approval"), "{}: {status} {body}", db.label);
        assert_eq!(membership(&server, "newbie").await, Some(("member".into(), "invitation".into())));
        assert_eq!(count(&server, "SELECT COUNT(*) FROM users WHERE username = $1 AND approved = FALSE AND verified = TRUE", "newbie").await, 1);

        // Without required approval the new account is ready and signed in at once.
        settings_with(&admin, &[("require_admin_approval", false)]).await;
        assert_eq!(invite(&owner, "lab", "quick@example.org").await.0, StatusCode::OK);
        let quick_token = token_sent_to(&server, "quick@example.org").await;
        let quick = Client::new(&server.base);
        let (status, _) = status_and_body(quick.call("/api/invitations/sign_up", &sign_up(&quick_token, "quick")).await).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(quick.whoami().await.as_deref(), Some("quick"), "{}", db.label);

        // Closed again: an owner's new link creates nothing, the admin's still would.
        settings_with(&admin, &[("owners_may_invite_new_people", false)]).await;
        assert_eq!(invite(&owner, "lab", "late@example.org").await.0, StatusCode::OK);
        let late = token_sent_to(&server, "late@example.org").await;
        let (status, _) = status_and_body(Client::new(&server.base).call("/api/invitations/sign_up", &sign_up(&late, "late")).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}", db.label);
        let mail: String = app::on_db!(&server.state().db, |pool| sqlx::query_scalar("SELECT body FROM outbox WHERE to_address = $1")
            .bind("late@example.org")
            .fetch_one(pool)
            .await)
        .unwrap();
        assert!(mail.contains("sign in to join") && !mail.contains("create one there"), "{}: {mail}", db.label);
    }
}
