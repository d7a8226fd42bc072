//! The admin user list: filtered, sorted, keyset-paginated, with per-row
//! figures, in two queries per page (rows, then their roles).

use crate::backend::db::Db;
use crate::on_db;

/// A bound query argument.
#[derive(Clone, Debug)]
pub enum Arg {
    Int(i64),
    Text(String),
}

/// What to list. `search` is already lower-cased.
pub struct ListFilter<'a> {
    pub search: Option<&'a str>,
    pub role: Option<&'a str>,
    pub status: Option<&'a str>,
    pub sort: Sort,
    /// Keyset position: the sort key and id of the previous page's last row.
    pub after: Option<(Arg, i64)>,
    pub now: i64,
    pub limit: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    NewestFirst,
    Username,
    LastLogin,
}

impl Sort {
    /// The sort key column and whether it descends.
    fn key(self) -> (&'static str, bool) {
        match self {
            Sort::NewestFirst => ("u.created_at", true),
            Sort::Username => ("u.username_lower", false),
            Sort::LastLogin => ("COALESCE(u.last_login_at, 0)", true),
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
    pub datasets: i64,
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_pattern(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            _ => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

fn build(filter: &ListFilter<'_>) -> (String, Vec<Arg>) {
    let mut args = vec![Arg::Int(filter.now)];
    let mut conditions: Vec<String> = Vec::new();
    let next = |args: &mut Vec<Arg>, arg: Arg| {
        args.push(arg);
        format!("${}", args.len())
    };
    if let Some(search) = filter.search {
        // The trigram index narrows the rows first (its pattern is not
        // escaped, so `_` and `%` only widen it); the exact test follows.
        let rough = next(&mut args, Arg::Text(format!("%{search}%")));
        let p = next(&mut args, Arg::Text(like_pattern(search)));
        conditions.push(format!(
            "u.id IN (SELECT rowid FROM user_search WHERE search_text LIKE {rough}) \
             AND (u.username_lower LIKE {p} ESCAPE '\\' OR LOWER(u.display_name) LIKE {p} ESCAPE '\\' OR u.email_lower LIKE {p} ESCAPE '\\')"
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
        "SELECT u.id, u.username, u.username_lower, u.display_name, u.email, u.enabled, u.verified, u.approved, \
         u.locked_until, u.created_at, u.last_login_at, \
         (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > $1) AS active_sessions, \
         u.storage_used, (SELECT COUNT(*) FROM datasets d WHERE d.created_by = u.id) AS datasets \
         FROM users u {where_clause} ORDER BY {key} {order}, u.id {order} LIMIT {limit}"
    );
    (sql, args)
}

/// One page of the list, and the roles of its users.
pub async fn page(db: &Db, filter: &ListFilter<'_>) -> Result<(Vec<ListRow>, Vec<(i64, String)>), sqlx::Error> {
    let (sql, args) = build(filter);
    let rows: Vec<ListRow> = on_db!(db, |pool| {
        let mut query = sqlx::query_as::<_, ListRow>(&sql);
        for arg in &args {
            query = match arg {
                Arg::Int(i) => query.bind(*i),
                Arg::Text(t) => query.bind(t.clone()),
            };
        }
        query.fetch_all(pool).await
    })?;
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
            role: Some("admin"),
            status: Some("locked"),
            sort: Sort::Username,
            after: Some((Arg::Text("bob".into()), 7)),
            now: 1,
            limit: 50,
        };
        let (sql, args) = build(&filter);
        assert!(sql.contains("u.id IN (SELECT rowid FROM user_search WHERE search_text LIKE $2)"), "{sql}");
        assert!(sql.contains("(u.username_lower, u.id) > ($5, $6)"), "{sql}");
        assert!(sql.contains("ORDER BY u.username_lower ASC, u.id ASC LIMIT $7"), "{sql}");
        assert!(sql.contains("u.locked_until > $1"));
        assert_eq!(args.len(), 7);
    }
}
