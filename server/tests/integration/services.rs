//! Service-level tests: the users service and storage quotas called directly, as
//! both doors call them, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.
//! They pin the rules that used to exist once per door: errors carry their
//! field as data, and one last-enabled-admin rule answers every use case.


use app::backend::auth::Principal;
use app::backend::service::{quota, users};
use app::backend::AppState;
use app::model::*;
use crate::common::*;

/// A caller as the auth layer would find them.
async fn principal(state: &AppState, username: &str) -> Principal {
    let user = app::backend::store::users::find_by_username(&state.db, username).await.unwrap().expect("user exists");
    Principal {
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        email: user.email,
        roles: app::backend::store::users::roles_of(&state.db, user.id).await.unwrap(),
        must_change_password: false,
        password_expires_at: None,
        session_key: None,
        credential: app::backend::auth::Credential::Session,
        proven_at: Some(app::backend::time::now_ms()),
        own_storage: None,
    }
}

fn account(username: &str, email: &str, roles: &[&str]) -> NewAccount {
    NewAccount {
        username: username.into(),
        password: "long-enough-pass".into(),
        email: email.into(),
        display_name: String::new(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    }
}

async fn start(db: &TestDb) -> TestServer {
    TestServer::start(&with_site(test_config(db), |s| { s.storage_limiter = true; })).await
}

#[tokio::test]
async fn creating_users_names_the_field_of_every_refusal() {
    for db in test_databases().await {
        let server = start(&db).await;
        let state = server.state();
        let admin = principal(state, "admin").await;
        let created = users::create(state, Some(&admin), &account("Ada.Lovelace", "ada@lab.example", &["USER", "user"])).await.unwrap();
        assert_eq!((created.user_name.as_str(), created.roles.clone()), ("Ada.Lovelace", vec!["user".to_string()]), "{}", db.label);

        let long_name = NewAccount { display_name: "é".repeat(DISPLAY_NAME_MAX + 1), ..account("grace", "", &[]) };
        let cases: Vec<(NewAccount, &str, u16, &str)> = vec![
            (account("ada.lovelace", "", &[]), "username", 409, USERNAME_TAKEN),
            (account("grace", "ADA@lab.example", &[]), "email", 409, EMAIL_TAKEN),
            (account("grace", "not-an-email", &[]), "email", 400, "Enter a valid email address, like name@example.org"),
            (account("gr", "", &[]), "username", 400, "Username must be 3 to 50 characters long"),
            (account("grace", "", &["ghost"]), "roles", 400, "Unknown role: ghost"),
            (long_name, "display_name", 400, "Display name must be at most 100 characters"),
            (NewAccount { password: "short".into(), ..account("grace", "", &[]) }, "password", 400, ""),
        ];
        for (request, field, status, message) in cases {
            let err = users::create(state, Some(&admin), &request).await.unwrap_err();
            assert_eq!((err.field(), err.status_code()), (Some(field), status), "{}: {request:?} → {err:?}", db.label);
            assert!(err.message().starts_with(message), "{}: {err:?}", db.label);
        }
        let plain = principal(state, "Ada.Lovelace").await;
        let refused = users::create(state, Some(&plain), &account("grace", "", &[])).await.unwrap_err();
        assert_eq!(refused.status_code(), 403);
        assert!(app::backend::store::users::find_by_username(&state.db, "grace").await.unwrap().is_none(), "refusals store nothing");
    }
}

#[tokio::test]
async fn the_last_enabled_admin_is_kept_by_every_use_case() {
    for db in test_databases().await {
        let server = start(&db).await;
        let state = server.state();
        users::create(state, Some(&principal(state, "admin").await), &account("second", "", &["admin"])).await.unwrap();
        let second = principal(state, "second").await;
        users::set_enabled(state, Some(&second), "admin", false).await.unwrap();

        // "second" is now the only enabled admin: no door may take that away.
        let no_admin_role = UpdateUserRequest { email: None, roles: Some(vec!["user".into()]) };
        let (edit, _) = users::edit_form(state, Some(&second), "second").await.unwrap();
        let attempts = vec![
            users::update_email_and_roles(state, Some(&second), "second", &no_admin_role).await.map(|_| ()),
            users::set_role(state, Some(&second), "second", "admin", false).await,
            users::save(state, Some(&second), &UserEdit { roles: vec!["user".into()], ..edit.clone() }).await,
            users::bulk(state, Some(&second), &BulkAction::RemoveRole("admin".into()), &["second".into()])
                .await
                .map(|outcomes| assert!(!outcomes[0].done && outcomes[0].message.contains("last enabled admin"))),
        ];
        for attempt in &attempts[..3] {
            let err = attempt.clone().unwrap_err();
            assert_eq!(err.status_code(), 409, "{}: {err:?}", db.label);
            assert!(err.message().starts_with("This is the last enabled admin: it cannot"), "{}: {err:?}", db.label);
        }
        attempts[3].clone().unwrap();
        assert_eq!(principal(state, "second").await.roles, vec!["admin".to_string()], "{}: still an admin", db.label);

        // Once another admin is enabled again, the role may go.
        users::set_enabled(state, Some(&second), "admin", true).await.unwrap();
        users::update_email_and_roles(state, Some(&second), "second", &no_admin_role).await.unwrap();
        assert_eq!(principal(state, "second").await.roles, vec!["user".to_string()], "{}", db.label);
    }
}

#[tokio::test]
async fn storage_reads_the_quota_the_users_service_wrote() {
    for db in test_databases().await {
        let server = start(&db).await;
        let state = server.state();
        let admin = principal(state, "admin").await;
        users::create(state, Some(&admin), &account("quota.user", "", &[])).await.unwrap();
        let id = principal(state, "quota.user").await.user_id;
        assert_eq!(quota::storage_of(state, id).await.unwrap(), StorageInfo { total: None, used: 0 });

        users::merge_metadata(state, Some(&admin), "quota.user", &serde_json::json!({"maxStorageMB": 1.5})).await.unwrap();
        assert_eq!(quota::storage_of(state, id).await.unwrap().total, Some(1_572_864), "{}", db.label);
        let bad = users::merge_metadata(state, Some(&admin), "quota.user", &serde_json::json!({"maxStorageMB": -1})).await.unwrap_err();
        assert_eq!(bad.field(), Some("maxStorageMB"));

        // The panel's quota field goes through the same rule and message.
        let (edit, _) = users::edit_form(state, Some(&admin), "quota.user").await.unwrap();
        assert_eq!(edit.max_storage_mb, "1.5");
        let err = users::save(state, Some(&admin), &UserEdit { max_storage_mb: "9e12".into(), ..edit.clone() }).await.unwrap_err();
        assert_eq!((err.field(), err.message()), (Some("max_storage_mb"), bad.message()), "{}", db.label);
        users::save(state, Some(&admin), &UserEdit { max_storage_mb: "2".into(), ..edit }).await.unwrap();
        assert_eq!(quota::storage_of(state, id).await.unwrap().total, Some(2 * 1_048_576), "{}", db.label);

        // Others' storage is for admins; one's own is for everyone.
        let plain = principal(state, "quota.user").await;
        assert_eq!(quota::storage(state, Some(&plain), None).await.unwrap().total, Some(2 * 1_048_576));
        assert_eq!(quota::storage(state, Some(&plain), Some("admin")).await.unwrap_err().status_code(), 403);
        assert_eq!(quota::storage(state, Some(&admin), Some("nobody")).await.unwrap_err().status_code(), 404);
    }
}

#[tokio::test]
async fn two_admins_removing_each_other_at_once_leave_one() {
    for db in test_databases().await {
        let server = start(&db).await;
        let state = server.state();
        let first = principal(state, "admin").await;
        for name in ["a.one", "a.two"] {
            users::create(state, Some(&first), &account(name, "", &["admin"])).await.unwrap();
        }
        let (one, two) = (principal(state, "a.one").await, principal(state, "a.two").await);
        users::set_enabled(state, Some(&one), "admin", false).await.unwrap();
        let count = || async { app::backend::store::users::role_grants::count_enabled_admins(&state.db).await.unwrap() };
        for round in 0..8 {
            let (a, b) = if round % 2 == 0 {
                tokio::join!(users::set_enabled(state, Some(&one), "a.two", false), users::set_enabled(state, Some(&two), "a.one", false))
            } else {
                let no_admin = UpdateUserRequest { email: None, roles: Some(vec!["user".into()]) };
                let (a, b) = tokio::join!(
                    users::update_email_and_roles(state, Some(&one), "a.one", &no_admin),
                    users::update_email_and_roles(state, Some(&two), "a.two", &no_admin)
                );
                (a.map(drop), b.map(drop))
            };
            assert_eq!(count().await, 1, "{} round {round}: {a:?} {b:?}", db.label);
            assert!(a.is_ok() != b.is_ok(), "{} round {round}: exactly one change lands: {a:?} {b:?}", db.label);
            let refused = if a.is_err() { a } else { b };
            assert!(refused.unwrap_err().message().starts_with("This is the last enabled admin"), "{}", db.label);
            // Put both back for the next round.
            for name in ["a.one", "a.two"] {
                app::backend::store::users::set_enabled(&state.db, principal(state, name).await.user_id, true, &crate::common::fixture_event(name)).await.unwrap().unwrap();
                app::backend::store::users::role_grants::set_role(&state.db, principal(state, name).await.user_id, "admin", true, &crate::common::fixture_event(name)).await.unwrap().unwrap();
            }
        }
    }
}
