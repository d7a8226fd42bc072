//! The admin user list (and Admin → Statistics' per-user table): filtered,
//! sorted, keyset-paginated, with per-row figures, in two queries per page (rows, then their roles); a third when
//! an indexed search finds too many candidates and the page is walked.
//!
//! A search is planned from a sample of the trigram index (see
//! `user_search::TrigramSample`). A term expected in few rows takes its
//! rows from at most [`CANDIDATE_CAP`] + 1 users that hold its two rarest
//! trigrams, and the page says how many it found; if that was more, or the
//! term was expected in many rows, or it is under three characters (which
//! no trigram covers), the list is walked in its sort order testing each
//! row, which finds a page after about `page size / share matching` rows.
//! Neither database can choose between the two by itself: SQLite's planner
//! knows nothing of the FTS5 index's selectivity, and taking every match
//! of a common term grows with the user count.

use crate::backend::db::Db;
use crate::backend::store::user_search::{self, SearchBy};
use crate::backend::store::Args;
use crate::on_db;

/// Searches with more candidates than this walk the sort order instead.
/// A walked row costs about a quarter of a candidate, and a walk finds a
/// page of 50 within 10,000 rows when 500 of 100,000 users match.
pub const CANDIDATE_CAP: usize = 500;

/// A bound query argument.
#[derive(Clone, Debug)]
pub enum Arg {
    Int(i64),
    Text(String),
}

/// What to list. `search` is already lower-cased.
pub struct ListFilter<'a> {
    pub search: Option<&'a str>,
    /// How the search finds its rows (ignored without a search).
    pub search_by: SearchBy,
    pub role: Option<&'a str>,
    pub status: Option<&'a str>,
    pub sort: Sort,
    /// Keyset position: the sort key and id of the previous page's last row.
    pub after: Option<(Arg, i64)>,
    pub now: i64,
    /// Failed sign-ins are counted from this time on.
    pub failures_since: i64,
    pub limit: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    NewestFirst,
    Username,
    LastLogin,
    StorageUsed,
}

impl Sort {
    /// The sort key column and whether it descends.
    fn key(self) -> (&'static str, bool) {
        match self {
            Sort::NewestFirst => ("u.created_at", true),
            Sort::Username => ("u.username_lower", false),
            Sort::LastLogin => ("COALESCE(u.last_login_at, 0)", true),
            Sort::StorageUsed => ("u.storage_used", true),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub username: String,
    pub username_lower: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub enabled: bool,
    pub verified: bool,
    pub approved: bool,
    pub locked_until: Option<i64>,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    pub active_sessions: i64,
    pub storage_used: i64,
    /// The metadata text, which holds the storage quota.
    pub metadata: String,
    pub datasets: i64,
    pub files: i64,
    pub projects_owned: i64,
    /// Projects the user is in as member or collaborator.
    pub projects_joined: i64,
    /// Refused sign-ins to this account since `failures_since`.
    pub failed_sign_ins: i64,
    /// Live alias and access tokens plus the user's own service keys.
    pub api_keys: i64,
    /// How many users the search index offered (see [`build`]).
    pub candidates: i64,
}

/// A user's API keys: live alias and access tokens (unexpired, of the
/// current generation) and their own service keys; `$1` is now.
const API_KEYS: &str = "((SELECT COUNT(*) FROM alias_tokens t WHERE t.user_id = u.id AND t.generation = u.generation AND t.expires_at > $1) \
     + (SELECT COUNT(*) FROM access_tokens t WHERE t.user_id = u.id AND t.generation = u.generation \
        AND (t.expires_at IS NULL OR t.expires_at > $1)) \
     + (SELECT COUNT(*) FROM service_keys k WHERE k.user_id = u.id))";

/// The per-user figures after the API keys; `$2` is `failures_since`. Each
/// is one index lookup per row (the partial index of 0013_statistics.sql
/// holds only failed sign-ins to an account).
const FIGURES: &str = "(SELECT COUNT(*) FROM files f WHERE f.uploaded_by = u.id) AS files, \
     (SELECT COUNT(*) FROM memberships m WHERE m.user_id = u.id AND m.role = 'owner') AS projects_owned, \
     (SELECT COUNT(*) FROM memberships m WHERE m.user_id = u.id AND m.role <> 'owner') AS projects_joined, \
     (SELECT COUNT(*) FROM audit_events a WHERE a.action = 'sign_in_failed' AND a.target_kind = 'user' \
        AND a.target_id = CAST(u.id AS TEXT) AND a.at >= $2) AS failed_sign_ins";

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_pattern(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            _ => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// The page query. Each row carries the number of index candidates (0 when
/// walking), at most `CANDIDATE_CAP + 1`.
fn build(filter: &ListFilter<'_>, by: &SearchBy) -> (String, Vec<Arg>) {
    let mut args = vec![Arg::Int(filter.now), Arg::Int(filter.failures_since)];
    let mut conditions: Vec<String> = Vec::new();
    let next = |args: &mut Vec<Arg>, arg: Arg| {
        args.push(arg);
        format!("${}", args.len())
    };
    let mut with = String::new();
    let mut candidates = "CAST(0 AS BIGINT)".to_string();
    if let Some(search) = filter.search {
        if let SearchBy::Index([first, second]) = by {
            // The index's patterns are not escaped, so `%` and `_` only
            // widen the candidates; the exact test below decides.
            let a = next(&mut args, Arg::Text(first.clone()));
            let b = next(&mut args, Arg::Text(second.clone()));
            let cap = next(&mut args, Arg::Int(CANDIDATE_CAP as i64 + 1));
            with = format!("WITH candidates AS ({}) ", user_search::candidates_query(&a, &b, &cap));
            candidates = "(SELECT COUNT(*) FROM candidates)".into();
            conditions.push("u.id IN (SELECT rowid FROM candidates)".into());
        }
        let p = next(&mut args, Arg::Text(like_pattern(search)));
        conditions.push(format!(
            "(u.username_lower LIKE {p} ESCAPE '\\' OR LOWER(u.display_name) LIKE {p} ESCAPE '\\' OR u.email_lower LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(role) = filter.role {
        let p = next(&mut args, Arg::Text(role.to_string()));
        conditions.push(format!("EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = {p})"));
    }
    match filter.status {
        Some("enabled") => conditions.push("u.enabled = TRUE".into()),
        Some("disabled") => conditions.push("u.enabled = FALSE".into()),
        Some("unverified") => conditions.push("u.verified = FALSE".into()),
        Some("awaiting") => conditions.push("u.approved = FALSE".into()),
        Some("locked") => conditions.push("u.locked_until > $1".into()),
        _ => {}
    }
    let (key, descending) = filter.sort.key();
    let (cmp, order) = if descending { ("<", "DESC") } else { (">", "ASC") };
    if let Some((value, id)) = &filter.after {
        let v = next(&mut args, value.clone());
        let i = next(&mut args, Arg::Int(*id));
        // A row-value comparison: both databases read it as one index range.
        conditions.push(format!("({key}, u.id) {cmp} ({v}, {i})"));
    }
    let limit = next(&mut args, Arg::Int(filter.limit));
    let where_clause = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    let sql = format!(
        "{with}SELECT u.id, u.username, u.username_lower, u.display_name, u.email, u.enabled, u.verified, u.approved, \
         u.locked_until, u.created_at, u.last_login_at, \
         (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > $1) AS active_sessions, \
         u.storage_used, u.metadata, (SELECT COUNT(*) FROM datasets d WHERE d.created_by = u.id) AS datasets, \
         {API_KEYS} AS api_keys, {FIGURES}, \
         {candidates} AS candidates FROM users u {where_clause} ORDER BY {key} {order}, u.id {order} LIMIT {limit}"
    );
    (sql, args)
}

/// One page of the list, and the roles of its users.
pub async fn page(db: &Db, filter: &ListFilter<'_>) -> Result<(Vec<ListRow>, Vec<(i64, String)>), sqlx::Error> {
    let mut by = if filter.search.is_some() { &filter.search_by } else { &SearchBy::Walk };
    let mut rows = fetch(db, filter, by).await?;
    if let SearchBy::Index(patterns) = by {
        let candidates = match rows.first() {
            Some(row) => row.candidates,
            None => user_search::candidate_count(db, patterns, CANDIDATE_CAP).await?,
        };
        if candidates > CANDIDATE_CAP as i64 {
            by = &SearchBy::Walk;
            rows = fetch(db, filter, by).await?;
        }
    }
    if rows.is_empty() {
        return Ok((rows, Vec::new()));
    }
    let placeholders: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
    let roles_sql = format!("SELECT user_id, role FROM user_roles WHERE user_id IN ({}) ORDER BY role", placeholders.join(", "));
    let roles = on_db!(db, |pool| {
        let mut query = sqlx::query_as::<_, (i64, String)>(&roles_sql);
        for row in &rows {
            query = query.bind(row.id);
        }
        query.fetch_all(pool).await
    })?;
    Ok((rows, roles))
}

async fn fetch(db: &Db, filter: &ListFilter<'_>, by: &SearchBy) -> Result<Vec<ListRow>, sqlx::Error> {
    let (sql, args) = build(filter, by);
    // PostgreSQL plans each indexed search for its own patterns (a prepared
    // statement's generic plan cannot tell a rare trigram from a common one).
    let prepared = *by == SearchBy::Walk || matches!(db, Db::Sqlite(_));
    on_db!(db, |pool| {
        sqlx::query_as_with::<_, ListRow, _>(&sql, Args(&args)).persistent(prepared).fetch_all(pool).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("a_b%c\\"), "%a\\_b\\%c\\\\%");
    }

    #[test]
    fn keyset_condition_follows_the_sort() {
        let filter = ListFilter {
            search: Some("ann"),
            search_by: SearchBy::Walk,
            role: Some("admin"),
            status: Some("locked"),
            sort: Sort::Username,
            after: Some((Arg::Text("bob".into()), 7)),
            now: 1,
            failures_since: 0,
            limit: 50,
        };
        let (sql, args) = build(&filter, &SearchBy::Index(["%ann%".into(), "%ann%".into()]));
        assert!(
            sql.starts_with("WITH candidates AS (SELECT rowid FROM user_search WHERE search_text LIKE $3 AND search_text LIKE $4 LIMIT $5) SELECT"),
            "{sql}"
        );
        assert!(sql.contains("WHERE u.id IN (SELECT rowid FROM candidates) AND (u.username_lower LIKE $6"), "{sql}");
        assert!(sql.contains("(u.username_lower, u.id) > ($8, $9)"), "{sql}");
        assert!(sql.contains("ORDER BY u.username_lower ASC, u.id ASC LIMIT $10"), "{sql}");
        assert!(sql.contains("u.locked_until > $1"));
        assert_eq!(args.len(), 10);
        let (walk, args) = build(&filter, &SearchBy::Walk);
        assert!(!walk.contains("candidates)") && walk.contains("CAST(0 AS BIGINT) AS candidates"), "{walk}");
        assert!(walk.contains("WHERE (u.username_lower LIKE $3"), "{walk}");
        assert_eq!(args.len(), 7);
    }
}
