//! The two-factor tables: `user_totp` (a sealed authenticator-app secret
//! and the last step used), `recovery_codes` (keyed hashes, each used once)
//! and `sign_in_steps` (sign-ins waiting for their second step). Every
//! "use once" is a conditional update whose row count decides, so two
//! concurrent uses cannot both win.

use crate::backend::db::Db;
use crate::backend::store::audit::{append_in, NewEvent};
use crate::{in_tx, on_db};

/// Within transaction `$tx`: the user's recovery codes become `$hashes`.
macro_rules! replace_codes {
    ($tx:ident, $user_id:expr, $hashes:expr, $now:expr) => {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind($user_id).execute(&mut *$tx).await?;
        for hash in $hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
                .bind($user_id)
                .bind(hash)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
        }
    };
}

/// A user's authenticator-app row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TotpRow {
    pub secret_sealed: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub last_step: i64,
}

pub async fn totp_of(db: &Db, user_id: i64) -> Result<Option<TotpRow>, sqlx::Error> {
    let sql = "SELECT secret_sealed, created_at, confirmed_at, last_step FROM user_totp WHERE user_id = $1";
    on_db!(db, |pool| sqlx::query_as::<_, TotpRow>(sql).bind(user_id).fetch_optional(pool).await)
}

/// The one test of "has a confirmed second factor" (today: an
/// authenticator app), as an SQL expression over a row of `users`: every
/// query that asks it (here, and the caller lookup of `store::users`)
/// uses this text, so a new kind of factor is added in one place.
pub const HAS_SECOND_FACTOR: &str =
    "EXISTS (SELECT 1 FROM user_totp WHERE user_totp.user_id = users.id AND user_totp.confirmed_at IS NOT NULL)";

/// Whether the user has a confirmed second factor ([`HAS_SECOND_FACTOR`]).
pub async fn has_second_factor(db: &Db, user_id: i64) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT {HAS_SECOND_FACTOR} FROM users WHERE users.id = $1");
    let found = on_db!(db, |pool| sqlx::query_scalar::<_, bool>(&sql).bind(user_id).fetch_optional(pool).await)?;
    Ok(found.unwrap_or(false))
}

/// Stores a new, unconfirmed secret, replacing an earlier unconfirmed one;
/// `false` (nothing changed) when the user already has a confirmed one.
pub async fn begin_totp(db: &Db, user_id: i64, secret_sealed: &str, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "INSERT INTO user_totp (user_id, secret_sealed, created_at, confirmed_at, last_step) \
               VALUES ($1, $2, $3, NULL, -1) \
               ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, \
               created_at = excluded.created_at, last_step = -1 WHERE user_totp.confirmed_at IS NULL";
    on_db!(db, |pool| sqlx::query(sql)
        .bind(user_id)
        .bind(secret_sealed)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1))
}

/// Confirms the pending secret with the step of the code that proved it,
/// stores `recovery_hashes` as the user's set when given (ending any
/// earlier one), and appends `event`, in one transaction. `false` (nothing
/// changed) when there was nothing pending, or the pending secret changed
/// since it was read (`secret_sealed` no longer stored).
pub async fn confirm_totp(
    db: &Db,
    user_id: i64,
    secret_sealed: &str,
    step: i64,
    now: i64,
    recovery_hashes: Option<&[String]>,
    event: &NewEvent,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE user_totp SET confirmed_at = $3, last_step = $4 \
               WHERE user_id = $1 AND secret_sealed = $2 AND confirmed_at IS NULL";
    in_tx!(db, |tx| {
        let changed = sqlx::query(sql).bind(user_id).bind(secret_sealed).bind(now).bind(step).execute(&mut *tx).await?;
        if changed.rows_affected() != 1 {
            return Ok(false);
        }
        if let Some(hashes) = recovery_hashes {
            replace_codes!(tx, user_id, hashes, now);
        }
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(true)
    })
}

/// Records `step` as used if it is later than the last step used: `false`
/// (a replay, or no confirmed secret) otherwise. Decided by the row count
/// of one conditional update, so a code is accepted at most once.
pub async fn use_totp_step(db: &Db, user_id: i64, step: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND confirmed_at IS NOT NULL AND last_step < $2";
    on_db!(db, |pool| sqlx::query(sql).bind(user_id).bind(step).execute(pool).await.map(|r| r.rows_affected() == 1))
}

/// Removes the authenticator app and, with no second factor left, the
/// recovery codes and pending second steps; appends `event`. `false` when
/// there was no app.
pub async fn disable_totp(db: &Db, user_id: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
    in_tx!(db, |tx| {
        let removed = sqlx::query("DELETE FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if removed.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM sign_in_steps WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(true)
    })
}

/// Replaces the user's recovery codes with `hashes` and appends `event`.
pub async fn replace_recovery_codes(db: &Db, user_id: i64, hashes: &[String], now: i64, event: &NewEvent) -> Result<(), sqlx::Error> {
    in_tx!(db, |tx| {
        replace_codes!(tx, user_id, hashes, now);
        append_in(&mut *tx, event).await
    })
}

/// Marks the unused code with `hash` used and appends `event`; `false`
/// when there is no such unused code (a second use loses here).
pub async fn use_recovery_code(db: &Db, user_id: i64, hash: &str, now: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL";
    in_tx!(db, |tx| {
        let changed = sqlx::query(sql).bind(user_id).bind(hash).bind(now).execute(&mut *tx).await?;
        if changed.rows_affected() != 1 {
            return Ok(false);
        }
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(true)
    })
}

/// How many of the user's recovery codes are unused.
pub async fn recovery_codes_left(db: &Db, user_id: i64) -> Result<i64, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL";
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).bind(user_id).fetch_one(pool).await)
}

/// A sign-in waiting for its second step.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StepRow {
    pub user_id: i64,
    pub generation: i64,
    pub door: String,
    pub details: String,
}

/// A pending second step, as stored.
pub struct NewStep<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub generation: i64,
    pub door: &'a str,
    pub details: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

/// Stores a pending second step, first clearing every expired one.
pub async fn insert_step(db: &Db, step: &NewStep<'_>) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO sign_in_steps (id_hash, user_id, generation, door, details, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7)";
    on_db!(db, |pool| {
        sqlx::query("DELETE FROM sign_in_steps WHERE expires_at <= $1").bind(step.now).execute(pool).await?;
        sqlx::query(sql)
            .bind(step.id_hash)
            .bind(step.user_id)
            .bind(step.generation)
            .bind(step.door)
            .bind(step.details)
            .bind(step.now)
            .bind(step.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// The pending step with `id_hash`, unless it has expired at `now`.
pub async fn find_step(db: &Db, id_hash: &str, now: i64) -> Result<Option<StepRow>, sqlx::Error> {
    let sql = "SELECT user_id, generation, door, details FROM sign_in_steps WHERE id_hash = $1 AND expires_at > $2";
    on_db!(db, |pool| sqlx::query_as::<_, StepRow>(sql).bind(id_hash).bind(now).fetch_optional(pool).await)
}

/// Ends a pending step; `true` only for the one caller that ended it while
/// it was still in force.
pub async fn take_step(db: &Db, id_hash: &str, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "DELETE FROM sign_in_steps WHERE id_hash = $1 AND expires_at > $2";
    on_db!(db, |pool| sqlx::query(sql).bind(id_hash).bind(now).execute(pool).await.map(|r| r.rows_affected() == 1))
}

/// Whether no lock is in force on the user at `now` (changing nothing).
pub async fn is_unlocked(db: &Db, user_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM users WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)";
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).bind(user_id).bind(now).fetch_one(pool).await.map(|n| n == 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::service::audit::{event, Actor, AuditAction, Target};
    use crate::backend::store::users::{self, NewUser};
    use crate::backend::test_support;

    fn an_event() -> NewEvent {
        event(Actor::System, AuditAction::TotpEnabled, Target::user(1, "ada"), serde_json::json!({}))
    }

    async fn a_user(db: &Db) -> i64 {
        let user = NewUser {
            username: "ada",
            display_name: None,
            email: None,
            password_hash: "x",
            must_change_password: false,
            roles: &["user"],
        };
        users::insert(db, &user, an_event()).await.unwrap()
    }

    #[tokio::test]
    async fn a_step_is_used_once_and_never_an_earlier_one() {
        let state = test_support::test_state().await;
        let db = &state.db;
        let id = a_user(db).await;
        assert!(!use_totp_step(db, id, 5).await.unwrap(), "no secret yet");
        assert!(begin_totp(db, id, "sealed", 1).await.unwrap());
        assert!(!use_totp_step(db, id, 5).await.unwrap(), "not confirmed yet");
        assert!(confirm_totp(db, id, "sealed", 100, 2, None, &an_event()).await.unwrap());
        assert!(!begin_totp(db, id, "other", 3).await.unwrap(), "a confirmed secret stays");
        assert!(!use_totp_step(db, id, 100).await.unwrap(), "the confirming step is used");
        assert!(!use_totp_step(db, id, 99).await.unwrap(), "an earlier step is a replay");
        assert!(use_totp_step(db, id, 101).await.unwrap());
        assert!(!use_totp_step(db, id, 101).await.unwrap(), "replayed");
        assert!(has_second_factor(db, id).await.unwrap());
    }

    #[tokio::test]
    async fn a_recovery_code_is_used_once() {
        let state = test_support::test_state().await;
        let db = &state.db;
        let id = a_user(db).await;
        replace_recovery_codes(db, id, &["h1".into(), "h2".into()], 1, &an_event()).await.unwrap();
        assert!(use_recovery_code(db, id, "h1", 2, &an_event()).await.unwrap());
        assert!(!use_recovery_code(db, id, "h1", 3, &an_event()).await.unwrap());
        assert_eq!(recovery_codes_left(db, id).await.unwrap(), 1);
        replace_recovery_codes(db, id, &["h3".into()], 4, &an_event()).await.unwrap();
        assert!(!use_recovery_code(db, id, "h2", 5, &an_event()).await.unwrap(), "the old set ended");
    }
}
