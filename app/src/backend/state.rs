//! `AppState`: what every door hands to the services.

use crate::backend::auth::password::PasswordHasher;
use crate::backend::db::Db;
use std::sync::Arc;

/// Security knobs from configuration (SPEC §4, §5).
#[derive(Clone, Debug)]
pub struct SecuritySettings {
    pub lockout_threshold: i64,
    pub lockout_minutes: i64,
    pub session_idle_minutes: i64,
    pub session_lifetime_minutes: i64,
    pub password_min_length: usize,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            lockout_threshold: 5,
            lockout_minutes: 15,
            session_idle_minutes: 120,
            session_lifetime_minutes: 12 * 60,
            password_min_length: 8,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub hasher: PasswordHasher,
    pub security: Arc<SecuritySettings>,
}

impl AppState {
    pub fn new(db: Db, security: SecuritySettings) -> Self {
        AppState { db, hasher: PasswordHasher::new(), security: Arc::new(security) }
    }
}
