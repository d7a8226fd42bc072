//! The figures `/metrics` reads from the database at scrape time (the
//! counters and histograms are recorded where the work happens).

use crate::backend::service::settings;
use crate::backend::store::{outbox, sessions};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::AppState;
use crate::model::AppError;

/// What the site holds right now.
pub struct Gauges {
    pub active_sessions: i64,
    pub outbox_pending: i64,
    pub outbox_failed: i64,
    pub db_connections_in_use: u32,
    pub db_connections_idle: usize,
}

pub async fn gauges(state: &AppState) -> Result<Gauges, AppError> {
    let now = now_ms();
    let idle_since = now - settings::current(state).await?.session_idle_minutes * MINUTE_MS;
    let active_sessions = sessions::count_live(&state.db, now, idle_since).await?;
    let (outbox_pending, outbox_failed) = outbox::pending_and_failed(&state.db).await?;
    let (open, idle) = state.db.pool_usage();
    Ok(Gauges {
        active_sessions,
        outbox_pending,
        outbox_failed,
        db_connections_in_use: open.saturating_sub(idle as u32),
        db_connections_idle: idle,
    })
}
