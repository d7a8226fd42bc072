//! Attacks on sign-in, as an attacker would run them: many concurrent
//! guesses, guesses against a lock through every door, password changes
//! limited like sign-ins, IPv6 clients and forwarded addresses, and
//! imported users that cost what unknown ones do.

use crate::common::doors::*;
use crate::common::*;
use futures_util::future::join_all;
use gatehouse_server::config::Config;
use reqwest::StatusCode;

#[tokio::test]
async fn concurrent_guesses_from_one_address_reach_argon2_at_most_the_limit() {
    for db in test_databases().await {
        let config = with_site(config(&db), |s| { s.login_rate_limit = 20; s.lockout_threshold = 10_000; });
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
        let config = with_site(config(&db), |s| { s.lockout_threshold = 5; s.login_rate_limit = 10_000; });
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
        let config = with_site(config(&db), |s| { s.lockout_threshold = 3; });
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
        let config = with_site(config(&db), |s| { s.lockout_threshold = 3; s.login_rate_limit = 5; });
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
        let proxied = with_site(Config { trusted_proxies: vec!["127.0.0.0/8".into()], ..config(&db) }, |s| { s.login_rate_limit = 2; });
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

        let direct = with_site(config(&db), |s| { s.login_rate_limit = 2; });
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
