//! The append-only `audit_events` table: one insert (alone, or inside the
//! caller's transaction with [`write_audit!`]), keyset pages newest first,
//! and the retention sweep — the only statement that deletes.

use crate::backend::db::Db;
use crate::backend::store::user_list::{like_pattern, Arg};
use crate::on_db;

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
    pub request_id: Option<String>,
}

pub const INSERT: &str = "INSERT INTO audit_events (at, actor_id, actor, action, target_kind, target_id, target, details, ip, user_agent, request_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Appends `$event` (a `&NewEvent`) through `$exec`: a transaction
/// (`&mut *tx`) when the event records a change made in it.
#[macro_export]
macro_rules! write_audit {
    ($exec:expr, $event:expr) => {{
        let event: &$crate::backend::store::audit::NewEvent = $event;
        sqlx::query($crate::backend::store::audit::INSERT)
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
            .execute($exec)
            .await
            .map(|_| ())
    }};
}

/// Appends an event that records no change of ours (a refused sign-in).
pub async fn append(db: &Db, event: &NewEvent) -> Result<(), sqlx::Error> {
    on_db!(db, |pool| write_audit!(pool, event))
}

/// Runs one statement and, when it changed a row, appends `event` in the
/// same transaction; returns how many rows it changed.
pub async fn execute_audited(db: &Db, sql: &str, args: &[Arg], event: &NewEvent) -> Result<u64, sqlx::Error> {
    crate::in_tx!(db, |tx| {
        let changed = crate::bind_args!(sqlx::query(sql), args).execute(&mut *tx).await?.rows_affected();
        if changed > 0 {
            write_audit!(&mut *tx, event)?;
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
        "SELECT id, at, actor_id, actor, action, target_kind, target_id, target, details, ip, user_agent, request_id \
         FROM audit_events {where_clause} ORDER BY {order} LIMIT {limit}"
    );
    (sql, args)
}

/// Up to `limit` events matching `filter`, newest first, older than the event `before`.
pub async fn page(db: &Db, filter: &Filter, before: Option<i64>, limit: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    let (sql, args) = build(filter, before, limit);
    on_db!(db, |pool| crate::bind_args!(sqlx::query_as::<_, EventRow>(&sql), &args).fetch_all(pool).await)
}

/// Deletes events older than `cutoff`, at most `batch` of them; returns how
/// many went. The triggers refuse every other delete: on SQLite the sweep
/// opens `audit_purge` inside its write transaction, on PostgreSQL it sets
/// `gatehouse.audit_purge` for its transaction only.
pub async fn purge_older_than(db: &Db, cutoff: i64, batch: i64) -> Result<u64, sqlx::Error> {
    let delete = "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < $1 ORDER BY id LIMIT $2)";
    match db {
        Db::Sqlite(pool) => {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            sqlx::query("UPDATE audit_purge SET open = 1 WHERE id = 1").execute(&mut *tx).await?;
            let gone = sqlx::query(delete).bind(cutoff).bind(batch).execute(&mut *tx).await?.rows_affected();
            sqlx::query("UPDATE audit_purge SET open = 0 WHERE id = 1").execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(gone)
        }
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            sqlx::query("SET LOCAL gatehouse.audit_purge = 'on'").execute(&mut *tx).await?;
            let gone = sqlx::query(delete).bind(cutoff).bind(batch).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok(gone)
        }
    }
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
