//! Realistic generated users, for tests, demos and benchmarks
//! (`gatehouse generate-users N`). They share one password, given by the
//! caller, hashed once.

use crate::backend::store::users;
use crate::backend::time::now_ms;
use crate::backend::AppState;
use crate::model::AppError;

const GIVEN: &[&str] = &[
    "Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ivo", "Jana", "Kofi", "Lena", "Mateo",
    "Nia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe",
];
const FAMILY: &[&str] = &[
    "Abara", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kowalski",
    "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga",
    "Weber", "Xu", "Yilmaz", "Zimmer",
];
const DOMAINS: &[&str] = &["uni-example.edu", "lab.example.org", "hospital.example.net", "institute.example.ac.uk"];

/// Adds `count` users named `{prefix}{given}.{family}{n}`, created over the
/// past `count` minutes so that "newest first" has something to sort.
pub async fn generate_users(state: &AppState, prefix: &str, count: usize, password: &str) -> Result<(), AppError> {
    let hash = state.hasher.hash(password).await?;
    let now = now_ms();
    let rows: Vec<(String, String, String, i64)> = (0..count)
        .map(|n| {
            let given = GIVEN[n % GIVEN.len()];
            let family = FAMILY[(n / GIVEN.len()) % FAMILY.len()];
            let username = format!("{prefix}{}.{}{n}", given.to_lowercase(), family.to_lowercase());
            let email = format!("{username}@{}", DOMAINS[n % DOMAINS.len()]);
            (username, format!("{given} {family}"), email, now - (count - n) as i64 * 60_000)
        })
        .collect();
    users::insert_many(&state.db, &rows, &hash).await?;
    crate::backend::service::search_upkeep::tidy(state).await?;
    Ok(())
}

/// A fresh site on a temporary SQLite file, for unit tests of services.
#[cfg(test)]
pub async fn test_state() -> AppState {
    let name = format!("gatehouse-unit-{}.db", crate::backend::auth::tokens::random_hex(8));
    let path = std::env::temp_dir().join(name);
    let db = crate::backend::Db::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
    db.migrate().await.unwrap();
    AppState::new(db, crate::backend::state::SiteSettings::default(), &[7u8; 32])
}

#[cfg(test)]
fn principal_with(roles: &[&str]) -> crate::backend::auth::Principal {
    crate::backend::auth::Principal {
        user_id: 1,
        username: "someone".into(),
        display_name: None,
        email: None,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        must_change_password: false,
        session_key: None,
    }
}

#[cfg(test)]
pub fn admin_principal() -> crate::backend::auth::Principal {
    principal_with(&["admin"])
}

#[cfg(test)]
pub fn plain_principal() -> crate::backend::auth::Principal {
    principal_with(&["user"])
}
