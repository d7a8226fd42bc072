//! Shared set-up for the benchmarks: a fresh SQLite site with its first
//! admin, and that admin as a caller of the services.

use app::backend::auth::Principal;
use app::backend::AppState;
use gatehouse_server::config::Config;

/// Opens (creating and migrating) a SQLite site at `path` with an admin.
pub async fn fresh_site(path: &std::path::Path) -> AppState {
    open_site(format!("sqlite://{}?mode=rwc", path.display())).await
}

/// A fresh PostgreSQL database next to `admin_url`'s (the role needs
/// CREATEDB), migrated, with an admin; and the database's name.
pub async fn fresh_postgres_site(admin_url: &str) -> (AppState, String) {
    use sqlx::Connection;
    let name = format!("gh_bench_{}", app::backend::auth::tokens::random_hex(6));
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("connect to BENCH_DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create database");
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    let base = base.rsplit_once('/').map(|(b, _)| b).unwrap_or(base);
    (open_site(format!("{base}/{name}")).await, name)
}

/// Drops the databases a benchmark made (their pools must be closed first).
pub async fn drop_postgres_databases(admin_url: &str, names: &[String]) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("connect to BENCH_DATABASE_URL");
    for name in names {
        if let Err(e) = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await {
            eprintln!("could not drop {name}: {e}");
        }
    }
}

async fn open_site(url: String) -> AppState {
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
        credential: app::backend::auth::principal::Credential::Session,
    }
}
