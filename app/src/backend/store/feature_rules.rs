//! The `feature_rules` table: site-wide (project_id NULL) and per-project
//! bans, blocks and enables of features. `grp` is empty for a ban of the
//! whole site or project, else the group: `Owners`, `Members`,
//! `Collaborators` or `role:<name>` site-wide; `owner`, `member` or
//! `collaborator` in a project. A project's rules go with it.

use crate::backend::db::Db;
use crate::backend::store::audit::{execute_audited, NewEvent};
use crate::backend::store::user_list::Arg;
use crate::on_db;

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RuleRow {
    pub project_id: Option<i64>,
    pub grp: String,
    pub feature: String,
    pub blocked: bool,
    pub enabled: bool,
}

/// The site's rules in force, and the project's when `project_id` is given.
pub async fn in_force(db: &Db, project_id: Option<i64>) -> Result<Vec<RuleRow>, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_as::<_, RuleRow>(
        "SELECT project_id, grp, feature, blocked, enabled FROM feature_rules \
         WHERE (project_id IS NULL OR project_id = $1) AND (blocked = TRUE OR enabled = TRUE) ORDER BY project_id, grp, feature"
    )
    .bind(project_id)
    .fetch_all(pool)
    .await)
}

/// Which of a rule's two switches a change sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switch {
    Blocked,
    Enabled,
}

/// Sets one switch of the rule for (`project_id`, `grp`, `feature`) to
/// `on`, leaving the other as it is, and appends `event` in the same
/// transaction when something changed. Returns whether it changed.
pub async fn set(db: &Db, project_id: Option<i64>, grp: &str, feature: &str, switch: Switch, on: bool, by: &str, now: i64, event: &NewEvent) -> Result<bool, sqlx::Error> {
    let target = if project_id.is_some() { "(project_id, grp, feature) WHERE project_id IS NOT NULL" } else { "(grp, feature) WHERE project_id IS NULL" };
    let (column, other) = match switch {
        Switch::Blocked => ("blocked", "enabled"),
        Switch::Enabled => ("enabled", "blocked"),
    };
    let sql = format!(
        "INSERT INTO feature_rules (project_id, grp, feature, {column}, {other}, updated_at, updated_by) \
         VALUES (NULLIF($1, 0), $2, $3, $4 = 1, FALSE, $5, $6) \
         ON CONFLICT {target} DO UPDATE SET {column} = excluded.{column}, updated_at = excluded.updated_at, updated_by = excluded.updated_by \
         WHERE feature_rules.{column} <> excluded.{column}"
    );
    let args = [
        Arg::Int(project_id.unwrap_or(0)),
        Arg::Text(grp.to_string()),
        Arg::Text(feature.to_string()),
        Arg::Int(on as i64),
        Arg::Int(now),
        Arg::Text(by.to_string()),
    ];
    Ok(execute_audited(db, &sql, &args, event).await? > 0)
}
