//! Admin → Statistics' site totals, in one statement: users by their status
//! flags, successful sign-ins per UTC day since a time, and the projects
//! that store the most bytes.

use crate::backend::db::Db;
use crate::on_db;

/// One figure. `kind` says which part of the statement it came from:
/// - `users`: `key` is a bit set (1 enabled, 2 verified, 4 approved,
///   8 locked now) and `value` the users with exactly those flags;
/// - `sign_ins`: `key` is the UTC day number (days since 1970-01-01);
/// - `storage_total`: `value` is the bytes every user's files take;
/// - `storage`: `key` is a project id, `label` its slug, `value` its bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FigureRow {
    pub kind: String,
    pub key: i64,
    pub label: String,
    pub value: i64,
}

pub const ENABLED: i64 = 1;
pub const VERIFIED: i64 = 2;
pub const APPROVED: i64 = 4;
pub const LOCKED: i64 = 8;

/// `$1` now, `$2` the first moment of the sign-in window, `$3` how many
/// projects to list. The sign-in part reads the partial index of sign-ins;
/// the users part is one pass over the table, and the storage part one pass
/// over the files, which is why the caller keeps the result for seconds.
const SITE_FIGURES: &str = "\
SELECT 'users' AS kind, flags AS key, '' AS label, COUNT(*) AS value FROM (\
    SELECT CAST((CASE WHEN enabled THEN 1 ELSE 0 END) + (CASE WHEN verified THEN 2 ELSE 0 END) \
      + (CASE WHEN approved THEN 4 ELSE 0 END) + (CASE WHEN COALESCE(locked_until, 0) > $1 THEN 8 ELSE 0 END) AS BIGINT) AS flags \
    FROM users) AS flagged GROUP BY flags \
UNION ALL \
SELECT 'sign_ins', day, '', COUNT(*) FROM (\
    SELECT CAST(at / 86400000 AS BIGINT) AS day FROM audit_events WHERE action = 'sign_in' AND at >= $2) AS signed GROUP BY day \
UNION ALL \
SELECT 'storage_total', 0, '', CAST(COALESCE(SUM(storage_used), 0) AS BIGINT) FROM users \
UNION ALL \
SELECT 'storage', id, slug, bytes FROM (\
    SELECT p.id, p.slug, CAST(SUM(f.size) AS BIGINT) AS bytes FROM projects p \
    JOIN datasets d ON d.project_id = p.id JOIN files f ON f.dataset_id = d.id \
    GROUP BY p.id, p.slug ORDER BY bytes DESC, p.id LIMIT $3) AS stored";

/// Every site figure.
pub async fn site_figures(db: &Db, now: i64, sign_ins_since: i64, projects: i64) -> Result<Vec<FigureRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as::<_, FigureRow>(SITE_FIGURES)
        .bind(now)
        .bind(sign_ins_since)
        .bind(projects)
        .fetch_all(pool)
        .await)
}
