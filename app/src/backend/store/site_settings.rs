//! The one-row `site_settings` table: what admins changed; NULL = the configured default.

use crate::backend::db::Db;
use crate::backend::store::audit::{append_in, NewEvent};
use crate::{in_tx, on_db};

/// The stored overrides and the row's version (for stale-save detection).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct StoredSettings {
    pub registration_open: Option<bool>,
    pub require_email_verification: Option<bool>,
    pub require_admin_approval: Option<bool>,
    pub notify_admins: Option<bool>,
    pub owners_may_invite_new_people: Option<bool>,
    pub password_min_length: Option<i64>,
    pub require_login: Option<bool>,
    pub storage_limiter: Option<bool>,
    pub allow_non_expiring_tokens: Option<bool>,
    pub audit_retention_days: Option<i64>,
    /// A lowered retention waiting to take effect, and when it does (Unix ms).
    pub audit_retention_pending_days: Option<i64>,
    pub audit_retention_pending_at: Option<i64>,
    pub password_expiry_days: Option<i64>,
    pub lockout_threshold: Option<i64>,
    pub lockout_minutes: Option<i64>,
    pub session_idle_minutes: Option<i64>,
    pub session_lifetime_minutes: Option<i64>,
    pub inactive_days: Option<i64>,
    pub reauth_window_minutes: Option<i64>,
    pub version: i64,
}

/// Admin → Security's values (the rest of the row is left alone).
#[derive(Debug, Clone, Copy, Default)]
pub struct SecurityValues {
    pub password_expiry_days: i64,
    pub lockout_threshold: i64,
    pub lockout_minutes: i64,
    pub session_idle_minutes: i64,
    pub session_lifetime_minutes: i64,
    pub inactive_days: i64,
    pub reauth_window_minutes: i64,
    pub version: i64,
}

pub async fn load(db: &Db) -> Result<StoredSettings, sqlx::Error> {
    let sql = "SELECT registration_open, require_email_verification, require_admin_approval, notify_admins, \
               password_min_length, require_login, storage_limiter, allow_non_expiring_tokens, audit_retention_days, \
               audit_retention_pending_days, audit_retention_pending_at, password_expiry_days, lockout_threshold, lockout_minutes, session_idle_minutes, session_lifetime_minutes, \
               inactive_days, owners_may_invite_new_people, reauth_window_minutes, version FROM site_settings WHERE id = 1";
    on_db!(db, |pool| sqlx::query_as::<_, StoredSettings>(sql).fetch_one(pool).await)
}

/// Writes every value if the row is still at `values.version`; returns
/// `false` (writing nothing) when someone saved in between.
pub async fn save(db: &Db, values: &StoredSettings, now: i64, event: Option<&NewEvent>) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE site_settings SET registration_open = $2, require_email_verification = $3, \
               require_admin_approval = $4, notify_admins = $5, password_min_length = $6, require_login = $7, \
               storage_limiter = $9, allow_non_expiring_tokens = $10, audit_retention_days = $11, \
               audit_retention_pending_days = $12, audit_retention_pending_at = $13, owners_may_invite_new_people = $14, \
               version = version + 1, updated_at = $8 WHERE id = 1 AND version = $1";
    in_tx!(db, |tx| {
        let saved = sqlx::query(sql)
        .bind(values.version)
        .bind(values.registration_open)
        .bind(values.require_email_verification)
        .bind(values.require_admin_approval)
        .bind(values.notify_admins)
        .bind(values.password_min_length)
        .bind(values.require_login)
        .bind(now)
        .bind(values.storage_limiter)
        .bind(values.allow_non_expiring_tokens)
        .bind(values.audit_retention_days)
        .bind(values.audit_retention_pending_days)
        .bind(values.audit_retention_pending_at)
        .bind(values.owners_may_invite_new_people)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if let (true, Some(event)) = (saved, event) {
            append_in(&mut *tx, event).await?;
        }
        Ok::<_, sqlx::Error>(saved)
    })
}

/// Writes the security values if the row is still at `values.version`,
/// with `event`; `false` (writing nothing) when someone saved in between.
pub async fn save_security(db: &Db, values: &SecurityValues, now: i64, event: Option<&NewEvent>) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE site_settings SET password_expiry_days = $2, lockout_threshold = $3, lockout_minutes = $4, \
               session_idle_minutes = $5, session_lifetime_minutes = $6, inactive_days = $8, reauth_window_minutes = $9, version = version + 1, updated_at = $7 \
               WHERE id = 1 AND version = $1";
    in_tx!(db, |tx| {
        let saved = sqlx::query(sql)
            .bind(values.version)
            .bind(values.password_expiry_days)
            .bind(values.lockout_threshold)
            .bind(values.lockout_minutes)
            .bind(values.session_idle_minutes)
            .bind(values.session_lifetime_minutes)
            .bind(now)
            .bind(values.inactive_days)
            .bind(values.reauth_window_minutes)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if let (true, Some(event)) = (saved, event) {
            append_in(&mut *tx, event).await?;
        }
        Ok::<_, sqlx::Error>(saved)
    })
}
