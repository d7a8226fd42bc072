//! Server-only code: the rules (services, policy, auth), the background jobs and the SQL (store).

pub mod auth;
pub mod backup;
pub mod csv_writer;
pub mod db;
pub mod disk;
pub mod features;
pub mod jobs;
pub mod lenient;
pub mod policy;
pub mod search_plan;
pub mod service;
pub mod site_settings;
mod sqlite_ids;
pub mod state;
pub mod store;
#[cfg(test)]
pub mod test_support;
pub mod time;
pub mod ttl_cache;

pub use db::Db;
pub use state::AppState;

use crate::model::AppError;

/// Logs an unexpected failure and turns it into an `Internal` error that only
/// carries a short reference the user can quote.
pub fn internal(err: impl std::fmt::Display) -> AppError {
    let reference = auth::secrets::random_hex(4);
    tracing::error!(reference = %reference, error = %err, "internal error");
    AppError::Internal { reference }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        internal(err)
    }
}
