//! Our tower-sessions `SessionStore` on the `sessions` table, so sessions can
//! be listed and revoked per user and are shared by every instance.
//!
//! Session data keys: `uid` (user id) and `gen` (the user's credential
//! generation at login), `ip` and `ua` (recorded at login into their own
//! columns). On load the store adds `_seen` (last seen, ms) and `_pid` (the
//! public id) so the request layer can refresh activity and mark "this device".

use crate::backend::auth::secrets::{random_hex, sha256_hex};
use crate::backend::db::Db;
use crate::backend::store::sessions::{self, SessionWrite};
use crate::backend::service::settings;
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::AppState;
use async_trait::async_trait;
use std::collections::HashMap;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// Idle timeout and lifetime are read from the site settings on each load,
/// so a change applies to existing sessions from their next request.
#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    state: AppState,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

impl DbSessionStore {
    pub fn new(state: AppState) -> Self {
        DbSessionStore { db: state.db.clone(), state }
    }
}

/// The at-rest key of a session: a hash of the id the cookie carries.
pub fn session_key(id: &Id) -> String {
    sha256_hex(&id.to_string())
}

fn backend_error(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn text_of<'a>(data: &'a HashMap<String, serde_json::Value>, key: &str) -> Option<&'a str> {
    data.get(key).and_then(|v| v.as_str())
}

/// Serializes the record's data without the keys the store adds on load.
fn stored_data(record: &Record) -> session_store::Result<String> {
    let kept: HashMap<&String, &serde_json::Value> =
        record.data.iter().filter(|(k, _)| !k.starts_with('_')).collect();
    serde_json::to_string(&kept).map_err(|e| session_store::Error::Encode(e.to_string()))
}

impl DbSessionStore {
    async fn write(&self, record: &Record, insert_only: bool) -> session_store::Result<bool> {
        let id_hash = session_key(&record.id);
        let public_id = random_hex(12);
        let data = stored_data(record)?;
        let row = SessionWrite {
            id_hash: &id_hash,
            public_id: &public_id,
            user_id: record.data.get("uid").and_then(|v| v.as_i64()),
            now: now_ms(),
            expires_at: (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64,
            ip: text_of(&record.data, "ip"),
            user_agent: text_of(&record.data, "ua"),
            data: &data,
        };
        if insert_only {
            sessions::insert(&self.db, &row).await.map_err(backend_error)
        } else {
            sessions::update(&self.db, &row).await.map_err(backend_error)
        }
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        while !self.write(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    /// Update-only: a save racing a revoke must not bring the session back.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(record, false).await.map(|_| ())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let now = now_ms();
        let settings = settings::current(&self.state).await.map_err(backend_error)?;
        let idle_since = now - settings.session_idle_minutes * MINUTE_MS;
        let created_since = now - settings.session_lifetime_minutes * MINUTE_MS;
        let Some(row) = sessions::find_live(&self.db, &session_key(session_id), now, idle_since, created_since)
            .await
            .map_err(backend_error)?
        else {
            return Ok(None);
        };
        let mut data: HashMap<String, serde_json::Value> =
            serde_json::from_str(&row.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        data.insert("_seen".into(), row.last_seen_at.into());
        data.insert("_pid".into(), row.public_id.into());
        let expiry_date = time::OffsetDateTime::from_unix_timestamp_nanos(row.expires_at as i128 * 1_000_000)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *session_id, data, expiry_date }))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        sessions::delete(&self.db, &session_key(session_id)).await.map_err(backend_error)
    }
}
