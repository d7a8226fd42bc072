//! The hourly sweep: one instance at a time (a lease in `job_leases`)
//! deletes audit events past the retention in force (a lowered one only
//! once its delay has passed; each batch records itself as an
//! `audit_purged` event) and disables accounts unused past the inactivity
//! setting. Started by `server/`; tests call
//! [`run_once`] directly.

use crate::backend::service::{audit, security, settings};
use crate::backend::store::job_leases;
use crate::backend::time::{now_ms, DAY_MS, MINUTE_MS};
use crate::backend::AppState;
use crate::backend::auth::secrets;
use crate::model::AppError;
use std::time::Duration;

const LEASE: &str = "hourly_sweep";
/// Longer than a sweep takes; a crashed holder's lease runs out by then.
const LEASE_FOR_MS: i64 = 30 * MINUTE_MS;
/// Events deleted per transaction, so a sweep never holds the write lock long.
const PURGE_BATCH: i64 = 5_000;

/// What one run did: `None` when another instance holds the lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub audit_events_deleted: u64,
    pub accounts_disabled: u64,
}

/// Runs the sweep as `instance` if no other instance holds the lease.
pub async fn run_once(state: &AppState, instance: &str) -> Result<Option<SweepReport>, AppError> {
    let now = now_ms();
    if !job_leases::take(&state.db, LEASE, instance, now, now + LEASE_FOR_MS).await? {
        return Ok(None);
    }
    let days = settings::current(state).await?.audit_retention_days;
    let mut deleted = 0;
    if days > 0 {
        let cutoff = now - days * DAY_MS;
        loop {
            let gone = audit::purge_older_than(state, cutoff, PURGE_BATCH).await?;
            deleted += gone;
            if gone < PURGE_BATCH as u64 {
                break;
            }
        }
    }
    let accounts_disabled = security::disable_inactive(state).await?;
    Ok(Some(SweepReport { audit_events_deleted: deleted, accounts_disabled }))
}

/// Starts the hourly sweep (the first a minute after start).
pub fn spawn(state: AppState) {
    let instance = secrets::random_hex(8);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            match run_once(&state, &instance).await {
                Ok(Some(report)) => tracing::info!(
                    instance = %instance,
                    audit_events_deleted = report.audit_events_deleted,
                    inactive_accounts_disabled = report.accounts_disabled,
                    "hourly sweep ran"
                ),
                Ok(None) => tracing::debug!(instance = %instance, "hourly sweep: another instance holds the lease"),
                Err(err) => tracing::warn!(error = %err, "hourly sweep failed"),
            }
        }
    });
}
