//! Helpers for the unit tests of services: a fresh site in memory and signed-in callers.

use crate::backend::auth::secrets::random_hex;
use crate::backend::auth::Principal;
use crate::backend::auth::principal::Credential;
use crate::backend::state::SiteSettings;
use crate::backend::time::now_ms;
use crate::backend::{AppState, Db};

/// A fresh, migrated site on an in-memory SQLite database of its own, gone
/// when the state's last connection closes (nothing is written to disk).
pub async fn test_state() -> AppState {
    let url = format!("sqlite:file:gatehouse-unit-{}?mode=memory&cache=shared", random_hex(8));
    let db = Db::connect(&url).await.unwrap();
    let Db::Sqlite(pool) = &db else { unreachable!("a sqlite: URL opens SQLite") };
    // An in-memory database lives only while one of its connections is
    // open, and the users-table rebuild closes the connection it used.
    let keep_alive = pool.acquire().await.unwrap();
    db.migrate().await.unwrap();
    drop(keep_alive);
    AppState::new(db, SiteSettings::default(), &[7u8; 32], &[9u8; 32])
}

/// A signed-in site admin.
pub fn admin_principal() -> Principal {
    principal_with(&["admin"])
}

/// A signed-in user without site roles.
pub fn plain_principal() -> Principal {
    principal_with(&["user"])
}

fn principal_with(roles: &[&str]) -> Principal {
    Principal {
        user_id: 1,
        username: "someone".into(),
        display_name: None,
        email: None,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        must_change_password: false,
        password_expires_at: None,
        session_key: None,
        credential: Credential::Session,
        proven_at: Some(now_ms()),
        own_storage: None,
    }
}

mod tests {
    use super::test_state;
    use crate::backend::AppState;
    use crate::backend::store::users::import;

    #[tokio::test]
    async fn each_test_state_is_a_migrated_database_of_its_own() {
        let (first, second) = (test_state().await, test_state().await);
        first.db.ping().await.unwrap();
        let hash = first.hasher.hash("unit-password").await.unwrap();
        import::insert_many(&first.db, &[("only.here".into(), "Only Here".into(), "only@example.org".into(), 0)], &hash)
            .await
            .unwrap();
        assert_eq!(count_users(&first).await, 1);
        assert_eq!(count_users(&second).await, 0, "the second state does not see the first one's rows");
    }

    async fn count_users(state: &AppState) -> i64 {
        crate::on_db!(&state.db, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await.unwrap())
    }
}
