//! Changing the email address: confirmations are limited per user and per
//! address, and a change needs the password and tells the old address.

use crate::common::doors::*;
use crate::common::*;

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
