//! The one-row `site_settings` table: what admins changed; NULL = the
//! configured default. Its columns are [`KEYS`]; each is named as the
//! setting it stores (`state::SiteSettings`, the configuration key).

use crate::backend::db::Db;
use crate::backend::store::audit::NewEvent;
use crate::backend::store::audit::append_in;
use crate::{in_tx, on_db};
use serde_json::{Map, Value};
use sqlx::Row;

/// How a column is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bool,
    /// `BIGINT`.
    Int,
}

/// Every column a setting is stored in. The names are the settings' own
/// (existing databases have these columns: never rename one), except the
/// audit retention's waiting lowering (`audit_retention_pending_*`).
pub const KEYS: &[(&str, Kind)] = &[
    ("registration_open", Kind::Bool),
    ("require_email_verification", Kind::Bool),
    ("require_admin_approval", Kind::Bool),
    ("notify_admins", Kind::Bool),
    ("owners_may_invite_new_people", Kind::Bool),
    ("password_min_length", Kind::Int),
    ("require_login", Kind::Bool),
    ("storage_limiter", Kind::Bool),
    ("allow_non_expiring_tokens", Kind::Bool),
    ("audit_retention_days", Kind::Int),
    ("audit_retention_pending_days", Kind::Int),
    ("audit_retention_pending_at", Kind::Int),
    ("password_expiry_days", Kind::Int),
    ("lockout_threshold", Kind::Int),
    ("lockout_minutes", Kind::Int),
    ("session_idle_minutes", Kind::Int),
    ("session_lifetime_minutes", Kind::Int),
    ("inactive_days", Kind::Int),
    ("reauth_window_minutes", Kind::Int),
];

/// The stored values (NULL columns left out) and the row's version (for
/// stale-save detection).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredSettings {
    pub values: Map<String, Value>,
    pub version: i64,
}

impl StoredSettings {
    /// The stored whole number in `key`, if any.
    pub fn int(&self, key: &str) -> Option<i64> {
        self.values.get(key).and_then(Value::as_i64)
    }

    /// `self` with `key` set (tests and callers that build a row by hand).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.values.insert(key.into(), value.into());
        self
    }
}

/// A value to write, typed for its column.
enum Bind {
    Bool(Option<bool>),
    Int(Option<i64>),
}

fn kind_of(key: &str) -> Result<Kind, sqlx::Error> {
    KEYS.iter().find(|(k, _)| *k == key).map(|(_, kind)| *kind).ok_or_else(|| sqlx::Error::ColumnNotFound(key.into()))
}

pub async fn load(db: &Db) -> Result<StoredSettings, sqlx::Error> {
    let columns: Vec<&str> = KEYS.iter().map(|(key, _)| *key).collect();
    let sql = format!("SELECT {}, version FROM site_settings WHERE id = 1", columns.join(", "));
    on_db!(db, |pool| {
        let row = sqlx::query(&sql).fetch_one(pool).await?;
        let mut values = Map::new();
        for (key, kind) in KEYS {
            let value = match kind {
                Kind::Bool => row.try_get::<Option<bool>, _>(*key)?.map(Value::from),
                Kind::Int => row.try_get::<Option<i64>, _>(*key)?.map(Value::from),
            };
            if let Some(value) = value {
                values.insert(key.to_string(), value);
            }
        }
        Ok(StoredSettings { values, version: row.try_get("version")? })
    })
}

/// Writes `values` (each a column of [`KEYS`]; `Null` = back to the
/// configured default) if the row is still at `version`, with `event`;
/// returns `false` (writing nothing) when someone saved in between.
/// Columns not named are left as they are.
pub async fn save(db: &Db, version: i64, values: &[(&str, Value)], now: i64, event: Option<&NewEvent>) -> Result<bool, sqlx::Error> {
    let mut set = String::new();
    let mut binds = Vec::with_capacity(values.len());
    for (n, (key, value)) in values.iter().enumerate() {
        binds.push(match (kind_of(key)?, value) {
            (Kind::Bool, Value::Bool(b)) => Bind::Bool(Some(*b)),
            (Kind::Bool, Value::Null) => Bind::Bool(None),
            (Kind::Int, Value::Null) => Bind::Int(None),
            (Kind::Int, Value::Number(n)) if n.is_i64() => Bind::Int(n.as_i64()),
            _ => return Err(sqlx::Error::ColumnDecode { index: key.to_string(), source: format!("{value} does not fit the column").into() }),
        });
        set.push_str(&format!("{key} = ${}, ", n + 3));
    }
    let sql = format!("UPDATE site_settings SET {set}version = version + 1, updated_at = $2 WHERE id = 1 AND version = $1");
    in_tx!(db, |tx| {
        let mut query = sqlx::query(&sql).bind(version).bind(now);
        for bind in &binds {
            query = match *bind {
                Bind::Bool(b) => query.bind(b),
                Bind::Int(n) => query.bind(n),
            };
        }
        let saved = query.execute(&mut *tx).await?.rows_affected() == 1;
        if let (true, Some(event)) = (saved, event) {
            append_in(&mut *tx, event).await?;
        }
        Ok::<_, sqlx::Error>(saved)
    })
}

#[cfg(test)]
mod tests {
    /// The columns of existing databases: a setting's stored key never changes.
    #[test]
    fn the_stored_keys_are_the_columns_databases_have() {
        let keys: Vec<&str> = super::KEYS.iter().map(|(key, _)| *key).collect();
        assert_eq!(
            keys.join(" "),
            "registration_open require_email_verification require_admin_approval notify_admins \
             owners_may_invite_new_people password_min_length require_login storage_limiter \
             allow_non_expiring_tokens audit_retention_days audit_retention_pending_days audit_retention_pending_at \
             password_expiry_days lockout_threshold lockout_minutes session_idle_minutes session_lifetime_minutes inactive_days reauth_window_minutes"
        );
    }
}
