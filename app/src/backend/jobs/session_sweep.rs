//! The session sweep: every few minutes, deletes expired and idle sessions
//! and old rate-limit counts. Started by `server/`.

use crate::backend::service::settings;
use crate::backend::store::{auth_failures, sessions};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::AppState;
use std::time::Duration;

/// Starts the sweep (the first at once, then every five minutes).
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(300));
        loop {
            every.tick().await;
            let now = now_ms();
            let idle = settings::current(&state).await.map(|s| s.session_idle_minutes);
            let idle_since = now - idle.unwrap_or(state.settings.session_idle_minutes) * MINUTE_MS;
            if let Err(err) = sessions::delete_expired(&state.db, now, idle_since).await {
                tracing::warn!(error = %err, "session sweep failed");
            }
            if let Err(err) = auth_failures::delete_before(&state.db, now - 2 * MINUTE_MS).await {
                tracing::warn!(error = %err, "rate-limit sweep failed");
            }
        }
    });
}
