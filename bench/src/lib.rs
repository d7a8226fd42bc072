//! Shared set-up for the benchmarks: a fresh SQLite site with its first
//! admin, and that admin as a caller of the services.

use app::backend::auth::Principal;
use app::backend::AppState;
use gatehouse_server::config::Config;

/// Opens (creating and migrating) a SQLite site at `path` with an admin.
pub async fn fresh_site(path: &std::path::Path) -> AppState {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let config = Config { database_url: url, admin_password: Some("bench-admin-password".into()), ..Config::default() };
    let state = gatehouse_server::open_state(&config).await.expect("open database");
    gatehouse_server::first_run(&config, &state).await.expect("first admin");
    state
}

/// The first admin (user id 1) as the services see a caller.
pub fn admin() -> Principal {
    Principal {
        user_id: 1,
        username: "admin".into(),
        display_name: None,
        email: None,
        roles: vec!["admin".into()],
        must_change_password: false,
        session_key: None,
    }
}
