//! The `service_keys` table: secrets kept for outside services, sealed
//! (the service encrypts; this module only stores text). `scope` 0 is the
//! site's key of a name; any other scope is the user id whose override it is.
//! A site key's `readable_by` (JSON list of role names) names who besides
//! admins may resolve it.

use crate::backend::db::Db;
use crate::backend::store::audit::{append_in, NewEvent};
use crate::{in_tx, in_write_tx, on_db};

/// The scope of the site-wide keys.
pub const SITE: i64 = 0;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceKeyRow {
    pub scope: i64,
    pub name: String,
    pub ciphertext: String,
    pub last4: String,
    pub set_by: String,
    pub updated_at: i64,
    pub last_resolved_at: Option<i64>,
    pub resolutions: i64,
    pub readable_by: String,
}

const COLUMNS: &str = "scope, name, ciphertext, last4, set_by, updated_at, last_resolved_at, resolutions, readable_by";

/// What a save writes.
pub struct KeyWrite<'a> {
    pub scope: i64,
    pub name: &'a str,
    pub ciphertext: &'a str,
    pub last4: &'a str,
    pub set_by: &'a str,
    pub now: i64,
    /// The roles that may read it (JSON list); `None` keeps the stored list.
    pub readable_by: Option<&'a str>,
}

/// Stores or replaces the key `name` in `scope`, unless that would give the
/// scope more than `cap` keys (`false`: nothing written). The count and the
/// write happen in one write transaction.
pub async fn upsert_capped(db: &Db, key: &KeyWrite<'_>, cap: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
    let user_id = (key.scope != SITE).then_some(key.scope);
    in_write_tx!(db, |tx, lock| {
        if let Some(user) = user_id {
            sqlx::query(&format!("SELECT id FROM users WHERE id = $1{lock}")).bind(user).execute(&mut *tx).await?;
        } else {
            sqlx::query(&format!("SELECT id FROM site_settings WHERE id = 1{lock}")).execute(&mut *tx).await?;
        }
        let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_keys WHERE scope = $1 AND name <> $2")
            .bind(key.scope)
            .bind(key.name)
            .fetch_one(&mut *tx)
            .await?;
        if others >= cap {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO service_keys (scope, user_id, name, ciphertext, last4, set_by, updated_at, readable_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, '[]')) ON CONFLICT (scope, name) DO UPDATE SET \
             ciphertext = excluded.ciphertext, last4 = excluded.last4, set_by = excluded.set_by, updated_at = excluded.updated_at, \
             readable_by = COALESCE($8, service_keys.readable_by)",
        )
        .bind(key.scope)
        .bind(user_id)
        .bind(key.name)
        .bind(key.ciphertext)
        .bind(key.last4)
        .bind(key.set_by)
        .bind(key.now)
        .bind(key.readable_by)
        .execute(&mut *tx)
        .await?;
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(true)
    })
}

/// Deletes the key `name` of `scope`; `false` when there was none.
pub async fn delete(db: &Db, scope: i64, name: &str, event: &NewEvent) -> Result<bool, sqlx::Error> {
    in_tx!(db, |tx| {
        let gone = sqlx::query("DELETE FROM service_keys WHERE scope = $1 AND name = $2")
            .bind(scope)
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if gone {
            append_in(&mut *tx, event).await?;
        }
        Ok::<_, sqlx::Error>(gone)
    })
}

/// The keys of one scope, by name.
pub async fn list(db: &Db, scope: i64) -> Result<Vec<ServiceKeyRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM service_keys WHERE scope = $1 ORDER BY name");
    on_db!(db, |pool| sqlx::query_as::<_, ServiceKeyRow>(&sql).bind(scope).fetch_all(pool).await)
}

/// The roles that may read the site's key `name` (JSON list), if it exists.
pub async fn site_readers(db: &Db, name: &str) -> Result<Option<String>, sqlx::Error> {
    let sql = "SELECT readable_by FROM service_keys WHERE scope = 0 AND name = $1";
    on_db!(db, |pool| sqlx::query_scalar::<_, String>(sql).bind(name).fetch_optional(pool).await)
}

/// The key that counts for `user`: their own override of `name`, else (when
/// `with_site`) the site's. Counts the resolution on the row it returns,
/// with `event` in the same transaction when there is one.
pub async fn resolve(
    db: &Db,
    user: i64,
    name: &str,
    with_site: bool,
    now: i64,
    event: impl FnOnce(&ServiceKeyRow) -> Option<NewEvent>,
) -> Result<Option<ServiceKeyRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE service_keys SET last_resolved_at = $3, resolutions = resolutions + 1 WHERE id = \
         (SELECT id FROM service_keys WHERE name = $2 AND scope IN ($1, $4) ORDER BY scope DESC LIMIT 1) \
         RETURNING {COLUMNS}"
    );
    let other_scope = if with_site { SITE } else { user };
    in_tx!(db, |tx| {
        let row = sqlx::query_as::<_, ServiceKeyRow>(&sql)
            .bind(user)
            .bind(name)
            .bind(now)
            .bind(other_scope)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(event) = row.as_ref().and_then(event) {
            append_in(&mut *tx, &event).await?;
        }
        Ok::<_, sqlx::Error>(row)
    })
}
