//! Realistic generated users, for demos and benchmarks: a one-off bulk
//! job (`gatehouse generate-users N`, `bench/`), not a use-case of either
//! door. They share one password, given by the caller, hashed once.

use crate::backend::store::users::import;
use crate::backend::time::now_ms;
use crate::backend::AppState;
use crate::backend::jobs::search_upkeep;
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
    import::insert_many(&state.db, &rows, &hash).await?;
    search_upkeep::tidy(state).await?;
    Ok(())
}
