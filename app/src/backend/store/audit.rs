//! The append-only `audit_events` table: one chained insert (alone, or
//! inside the caller's transaction with [`append_in`]), keyset pages
//! newest first, the chain read back in order for `audit verify`, and the
//! retention sweep — the only statement that deletes, which records itself.
//!
//! The chain: each event stores `prev_hash` (the `hash` of the event
//! appended before it, `""` for the first) and `hash` =
//! [`chain_hash`]`(prev_hash, its fields)`. Appends are serialised so two
//! writers never chain to the same predecessor: on SQLite every write
//! transaction already holds the database's write lock (`BEGIN IMMEDIATE`);
//! on PostgreSQL the append first takes the transaction-level advisory lock
//! [`CHAIN_LOCK`], held until the caller commits, so the last hash it reads
//! is the last committed one and ids grow in chain order.

use crate::backend::db::{Conn, Db};
use crate::backend::store::user_list::{like_pattern, Arg};
use crate::backend::store::Args;
use crate::{on_conn, on_db};
use sha2::{Digest, Sha256};

/// An event to append.
#[derive(Clone, Debug, Default)]
pub struct NewEvent {
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: &'static str,
    pub target_kind: &'static str,
    pub target_id: String,
    pub target: String,
    /// A JSON object.
    pub details: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The server's own id of the request.
    pub request_id: Option<String>,
    /// The id the client sent in `X-Request-Id`, if any (kept apart: a client chooses it).
    pub client_request_id: Option<String>,
}

/// Serialises chain appends on PostgreSQL: a transaction-level advisory
/// lock (key 7449363237423113332, "gateaudt"), released at commit.
const LOCK_CHAIN_PG: &str = "SELECT pg_advisory_xact_lock(7449363237423113332)";
/// The hash the next event chains to: the last event's (NULL or no row: `""`).
const LAST_HASH: &str = "SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1";

/// The one definition of what the chain hash covers and how: SHA-256 over a
/// version tag, then the previous hash and each field in this order, each
/// written as a presence byte (0 = NULL, 1 = present) followed, when
/// present, by its UTF-8 length as 8 bytes big-endian and its bytes;
/// numbers as decimal text. Lower-case hex.
pub fn chain_hash(prev_hash: &str, fields: &ChainFields<'_>) -> String {
    let (at, actor_id) = (fields.at.to_string(), fields.actor_id.map(|id| id.to_string()));
    let parts: [Option<&str>; 13] = [
        Some(prev_hash),
        Some(&at),
        actor_id.as_deref(),
        Some(fields.actor),
        Some(fields.action),
        Some(fields.target_kind),
        Some(fields.target_id),
        Some(fields.target),
        Some(fields.details),
        fields.ip,
        fields.user_agent,
        fields.request_id,
        fields.client_request_id,
    ];
    let mut hasher = Sha256::new();
    hasher.update(b"gatehouse-audit-chain-v1");
    for part in parts {
        match part {
            None => hasher.update([0u8]),
            Some(text) => {
                hasher.update([1u8]);
                hasher.update((text.len() as u64).to_be_bytes());
                hasher.update(text.as_bytes());
            }
        }
    }
    hex::encode(hasher.finalize())
}

/// The fields of an event that its hash covers (everything but its id and hashes).
pub struct ChainFields<'a> {
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: &'a str,
    pub target: &'a str,
    pub details: &'a str,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub client_request_id: Option<&'a str>,
}

impl NewEvent {
    pub fn chain_fields(&self) -> ChainFields<'_> {
        ChainFields {
            at: self.at,
            actor_id: self.actor_id,
            actor: &self.actor,
            action: self.action,
            target_kind: self.target_kind,
            target_id: &self.target_id,
            target: &self.target,
            details: &self.details,
            ip: self.ip.as_deref(),
            user_agent: self.user_agent.as_deref(),
            request_id: self.request_id.as_deref(),
            client_request_id: self.client_request_id.as_deref(),
        }
    }
}

/// Holds the chain until the transaction of `conn` ends (PostgreSQL's
/// advisory lock; SQLite's write transaction already holds it).
async fn lock_chain<'c>(conn: impl Into<Conn<'c>>) -> Result<(), sqlx::Error> {
    match conn.into() {
        Conn::Sqlite(_) => Ok(()),
        Conn::Postgres(c) => sqlx::query(LOCK_CHAIN_PG).execute(c).await.map(|_| ()),
    }
}

/// Holds the chain, then reads the hash the next event chains to.
async fn chain_head<'c>(conn: impl Into<Conn<'c>>) -> Result<String, sqlx::Error> {
    on_conn!(conn, |c| {
        lock_chain(&mut *c).await?;
        let last: Option<Option<String>> = sqlx::query_scalar(LAST_HASH).fetch_optional(&mut *c).await?;
        Ok(last.flatten().unwrap_or_default())
    })
}

/// `INSERT` of `rows` events, each with its `prev_hash` and `hash`.
fn insert_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=14).map(|k| format!("${}", r * 14 + k)).collect();
            format!("({})", row.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO audit_events (at, actor_id, actor, action, target_kind, target_id, target, details, ip, user_agent, \
         request_id, client_request_id, prev_hash, hash) VALUES {}",
        values.join(", ")
    )
}

/// Binds one row of [`insert_sql`]: `event`, chained to `prev` with `hash`.
fn bind_event<'q, DB: sqlx::Database>(
    query: sqlx::query::Query<'q, DB, DB::Arguments<'q>>,
    event: &'q NewEvent,
    prev: String,
    hash: String,
) -> sqlx::query::Query<'q, DB, DB::Arguments<'q>>
where
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(event.at)
        .bind(event.actor_id)
        .bind(event.actor.as_str())
        .bind(event.action)
        .bind(event.target_kind)
        .bind(event.target_id.as_str())
        .bind(event.target.as_str())
        .bind(event.details.as_str())
        .bind(event.ip.as_deref())
        .bind(event.user_agent.as_deref())
        .bind(event.request_id.as_deref())
        .bind(event.client_request_id.as_deref())
        .bind(prev)
        .bind(hash)
}

/// Appends `event` on `conn`, a connection inside the caller's transaction
/// (`&mut *tx`), holding the chain first, so the change and its event
/// commit together.
pub async fn append_in<'c>(conn: impl Into<Conn<'c>>, event: &NewEvent) -> Result<(), sqlx::Error> {
    on_conn!(conn, |c| {
        let prev = chain_head(&mut *c).await?;
        let hash = chain_hash(&prev, &event.chain_fields());
        bind_event(sqlx::query(&insert_sql(1)), event, prev, hash).execute(&mut *c).await.map(|_| ())
    })
}

/// Appends an event that records no change of ours (a refused sign-in).
pub async fn append(db: &Db, event: &NewEvent) -> Result<(), sqlx::Error> {
    crate::in_tx!(db, |tx| append_in(&mut *tx, event).await)
}

/// Events per multi-row `INSERT` in [`append_many`] (14 parameters each,
/// under both databases' limits).
const ROWS_PER_INSERT: usize = 500;

/// Appends `events`, in order, in one transaction of multi-row `INSERT`s
/// that chain each event here: the bulk path (generated events), for a few
/// thousand events at a time.
pub async fn append_many(db: &Db, events: &[NewEvent]) -> Result<(), sqlx::Error> {
    crate::in_tx!(db, |tx| {
        let mut prev = chain_head(&mut *tx).await?;
        for chunk in events.chunks(ROWS_PER_INSERT) {
            let sql = insert_sql(chunk.len());
            let mut query = sqlx::query(&sql);
            for event in chunk {
                let hash = chain_hash(&prev, &event.chain_fields());
                query = bind_event(query, event, std::mem::replace(&mut prev, hash.clone()), hash);
            }
            query.execute(&mut *tx).await?;
        }
        Ok::<_, sqlx::Error>(())
    })
}

/// Runs one statement and, when it changed a row, appends `event` in the
/// same transaction; returns how many rows it changed.
pub async fn execute_audited(db: &Db, sql: &str, args: &[Arg], event: &NewEvent) -> Result<u64, sqlx::Error> {
    crate::in_tx!(db, |tx| {
        let changed = sqlx::query_with(sql, Args(args)).execute(&mut *tx).await?.rows_affected();
        if changed > 0 {
            append_in(&mut *tx, event).await?;
        }
        Ok::<_, sqlx::Error>(changed)
    })
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub target: String,
    pub details: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub client_request_id: Option<String>,
}

/// Which events to list; every field narrows.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub ip: Option<String>,
    /// Free text, lower-cased: found in the details, target or actor.
    pub text: Option<String>,
    /// Events by this user or about this user's account.
    pub concerning_user: Option<i64>,
    /// Only these actions.
    pub actions: Option<Vec<&'static str>>,
}

fn build(filter: &Filter, before: Option<i64>, limit: i64) -> (String, Vec<Arg>) {
    let mut args = Vec::new();
    let mut conditions = Vec::new();
    let mut next = |arg: Arg| {
        args.push(arg);
        format!("${}", args.len())
    };
    let exact = [("actor", &filter.actor), ("action", &filter.action), ("target", &filter.target), ("ip", &filter.ip)];
    for (column, value) in exact {
        if let Some(v) = value {
            conditions.push(format!("{column} = {}", next(Arg::Text(v.clone()))));
        }
    }
    if let Some(from) = filter.from {
        conditions.push(format!("at >= {}", next(Arg::Int(from))));
    }
    if let Some(to) = filter.to {
        conditions.push(format!("at < {}", next(Arg::Int(to))));
    }
    if let Some(text) = &filter.text {
        let p = next(Arg::Text(like_pattern(text)));
        conditions.push(format!(
            "(LOWER(details) LIKE {p} ESCAPE '\\' OR LOWER(target) LIKE {p} ESCAPE '\\' OR LOWER(actor) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(user) = filter.concerning_user {
        let id = next(Arg::Int(user));
        let text = next(Arg::Text(user.to_string()));
        conditions.push(format!("(actor_id = {id} OR (target_kind = 'user' AND target_id = {text}))"));
    }
    if let Some(actions) = &filter.actions {
        let list: Vec<String> = actions.iter().map(|a| next(Arg::Text(a.to_string()))).collect();
        conditions.push(format!("action IN ({})", list.join(", ")));
    }
    // A time range alone walks the `(at, id)` index from the range's end, so
    // a page stops after `limit` rows however many the range holds; every
    // other filter walks its own `(…, id)` index newest id first.
    let by_time = (filter.from.is_some() || filter.to.is_some())
        && exact.iter().all(|(_, v)| v.is_none())
        && filter.concerning_user.is_none()
        && filter.actions.is_none();
    if let Some(before) = before {
        let cursor = next(Arg::Int(before));
        conditions.push(match by_time {
            true => format!("(at, id) < (SELECT b.at, b.id FROM audit_events b WHERE b.id = {cursor})"),
            false => format!("id < {cursor}"),
        });
    }
    let limit = next(Arg::Int(limit));
    let where_clause = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    let order = if by_time { "at DESC, id DESC" } else { "id DESC" };
    let sql = format!(
        "SELECT id, at, actor_id, actor, action, target_kind, target_id, target, details, ip, user_agent, request_id, client_request_id \
         FROM audit_events {where_clause} ORDER BY {order} LIMIT {limit}"
    );
    (sql, args)
}

/// Up to `limit` events matching `filter`, newest first, older than the event `before`.
pub async fn page(db: &Db, filter: &Filter, before: Option<i64>, limit: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    let (sql, args) = build(filter, before, limit);
    on_db!(db, |pool| sqlx::query_as_with::<_, EventRow, _>(&sql, Args(&args)).fetch_all(pool).await)
}

/// One event as the chain check reads it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ChainRow {
    #[sqlx(flatten)]
    pub event: EventRow,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

impl ChainRow {
    /// The hash its stored fields give after `prev_hash`.
    pub fn recomputed_hash(&self) -> String {
        let e = &self.event;
        let fields = ChainFields {
            at: e.at,
            actor_id: e.actor_id,
            actor: &e.actor,
            action: &e.action,
            target_kind: &e.target_kind,
            target_id: &e.target_id,
            target: &e.target,
            details: &e.details,
            ip: e.ip.as_deref(),
            user_agent: e.user_agent.as_deref(),
            request_id: e.request_id.as_deref(),
            client_request_id: e.client_request_id.as_deref(),
        };
        chain_hash(self.prev_hash.as_deref().unwrap_or_default(), &fields)
    }
}

/// Up to `limit` events after id `after`, oldest first (the chain's order).
pub async fn chain_page(db: &Db, after: i64, limit: i64) -> Result<Vec<ChainRow>, sqlx::Error> {
    let sql = "SELECT id, at, actor_id, actor, action, target_kind, target_id, target, details, ip, user_agent, request_id, \
               client_request_id, prev_hash, hash FROM audit_events WHERE id > $1 ORDER BY id LIMIT $2";
    on_db!(db, |pool| sqlx::query_as::<_, ChainRow>(sql).bind(after).bind(limit).fetch_all(pool).await)
}

/// The details of every `audit_purged` event still in the log, oldest first.
pub async fn purge_records(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let sql = "SELECT details FROM audit_events WHERE action = $1 ORDER BY id";
    on_db!(db, |pool| sqlx::query_scalar(sql).bind(PURGED).fetch_all(pool).await)
}

/// The action name of the event each purge appends.
pub const PURGED: &str = "audit_purged";

/// What one purge deleted, and where the chain goes on: the `prev_hash` its
/// first remaining event has (`start_hash`), and, for each remaining event
/// whose predecessor went, that event's id and `prev_hash` (`resumes`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Purge {
    pub count: u64,
    pub oldest_at: i64,
    pub newest_at: i64,
    pub start_hash: String,
    pub resumes: Vec<Resume>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Resume {
    pub id: i64,
    pub prev_hash: String,
}

#[derive(sqlx::FromRow)]
struct Doomed {
    id: i64,
    at: i64,
    purge_details: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Kept {
    id: i64,
    prev_hash: Option<String>,
}

/// Deletes up to `batch` of the oldest events (by id) written before
/// `cutoff` — never the newest, the chain's head — and, in the same transaction, appends the event `record` makes
/// of what went (see [`Purge`]); returns how many went. The triggers refuse
/// every other delete: on SQLite the sweep opens `audit_purge` inside its
/// write transaction, on PostgreSQL it sets `gatehouse.audit_purge` for its
/// transaction only.
pub async fn purge_older_than(
    db: &Db,
    cutoff: i64,
    batch: i64,
    record: &(dyn Fn(&Purge) -> NewEvent + Sync),
) -> Result<u64, sqlx::Error> {
    let open = match db {
        Db::Sqlite(_) => "UPDATE audit_purge SET open = 1 WHERE id = 1",
        Db::Postgres(_) => "SET LOCAL gatehouse.audit_purge = 'on'",
    };
    let close = match db {
        Db::Sqlite(_) => "UPDATE audit_purge SET open = 0 WHERE id = 1",
        Db::Postgres(_) => "SELECT 1",
    };
    crate::in_tx!(db, |tx| {
        lock_chain(&mut *tx).await?;
        // The newest event stays whatever its age: it is the chain's head.
        let select = "SELECT id, at, CASE WHEN action = $3 THEN details END AS purge_details FROM audit_events \
                      WHERE at < $1 AND id < (SELECT MAX(id) FROM audit_events) ORDER BY id LIMIT $2";
        let doomed: Vec<Doomed> = sqlx::query_as(select).bind(cutoff).bind(batch).bind(PURGED).fetch_all(&mut *tx).await?;
        let (Some(first), Some(last)) = (doomed.first().map(|d| d.id), doomed.last().map(|d| d.id)) else {
            return Ok(0);
        };
        let latest: Option<String> = sqlx::query_scalar("SELECT details FROM audit_events WHERE action = $1 ORDER BY id DESC LIMIT 1")
            .bind(PURGED)
            .fetch_optional(&mut *tx)
            .await?;
        let earlier_start = latest.and_then(|d| serde_json::from_str::<Purge>(&d).ok()).map(|p| p.start_hash).unwrap_or_default();
        sqlx::query(open).execute(&mut *tx).await?;
        let gone = sqlx::query("DELETE FROM audit_events WHERE at < $1 AND id <= $2").bind(cutoff).bind(last).execute(&mut *tx).await?.rows_affected();
        sqlx::query(close).execute(&mut *tx).await?;

        // The chained events that now follow a deleted one resume the chain.
        let ids: Vec<i64> = doomed.iter().map(|d| d.id).collect();
        let mut kept: Vec<Kept> = sqlx::query_as("SELECT id, prev_hash FROM audit_events WHERE id > $1 AND id < $2 AND hash IS NOT NULL ORDER BY id")
            .bind(first)
            .bind(last)
            .fetch_all(&mut *tx)
            .await?;
        let next: Option<Kept> = sqlx::query_as("SELECT id, prev_hash FROM audit_events WHERE id > $1 AND hash IS NOT NULL ORDER BY id LIMIT 1")
            .bind(last)
            .fetch_optional(&mut *tx)
            .await?;
        kept.extend(next);
        let mut resumes = Vec::new();
        let mut after = i64::MIN;
        for k in &kept {
            let lo = ids.partition_point(|&id| id <= after);
            if ids.get(lo).is_some_and(|&id| id < k.id) {
                resumes.push(Resume { id: k.id, prev_hash: k.prev_hash.clone().unwrap_or_default() });
            }
            after = k.id;
        }
        // Resumes recorded by purges deleted now still hold for their events.
        let kept_ids: std::collections::HashSet<i64> = kept.iter().map(|k| k.id).collect();
        for d in doomed.iter().filter_map(|d| d.purge_details.as_deref()) {
            for r in serde_json::from_str::<Purge>(d).map(|p| p.resumes).unwrap_or_default() {
                let still_there: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM audit_events WHERE id = $1").bind(r.id).fetch_optional(&mut *tx).await?;
                if still_there.is_some() && !kept_ids.contains(&r.id) && !resumes.iter().any(|x: &Resume| x.id == r.id) {
                    resumes.push(r);
                }
            }
        }
        resumes.sort_by_key(|r| r.id);

        // Where the chain now starts: the first chained event left, if its
        // predecessors went now; else where it started before.
        let head: Option<Kept> = sqlx::query_as("SELECT id, prev_hash FROM audit_events WHERE hash IS NOT NULL ORDER BY id LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let start_hash = match head {
            Some(h) if h.id > first => h.prev_hash.unwrap_or_default(),
            _ => earlier_start,
        };
        let oldest_at = doomed.iter().map(|d| d.at).min().unwrap_or_default();
        let newest_at = doomed.iter().map(|d| d.at).max().unwrap_or_default();
        let purge = Purge { count: gone, oldest_at, newest_at, start_hash, resumes };
        append_in(&mut *tx, &record(&purge)).await?;
        Ok::<_, sqlx::Error>(gone)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_conditions_in_order() {
        let filter = Filter {
            actor: Some("ann".into()),
            action: Some("sign_in".into()),
            from: Some(10),
            text: Some("x_y".into()),
            concerning_user: Some(7),
            ..Default::default()
        };
        let (sql, args) = build(&filter, Some(99), 51);
        assert!(sql.contains("WHERE actor = $1 AND action = $2 AND at >= $3 AND (LOWER(details) LIKE $4"), "{sql}");
        assert!(sql.contains("(actor_id = $5 OR (target_kind = 'user' AND target_id = $6)) AND id < $7"), "{sql}");
        assert!(sql.ends_with("ORDER BY id DESC LIMIT $8"), "{sql}");
        assert_eq!(args.len(), 8);
        let (plain, args) = build(&Filter::default(), None, 50);
        assert!(plain.contains("FROM audit_events  ORDER BY id DESC LIMIT $1"), "{plain}");
        assert_eq!(args.len(), 1);
        let day = Filter { from: Some(10), to: Some(20), ..Default::default() };
        let (sql, _) = build(&day, Some(99), 51);
        assert!(sql.contains("at >= $1 AND at < $2 AND (at, id) < (SELECT b.at, b.id FROM audit_events b WHERE b.id = $3)"), "{sql}");
        assert!(sql.ends_with("ORDER BY at DESC, id DESC LIMIT $4"), "{sql}");
    }
}
