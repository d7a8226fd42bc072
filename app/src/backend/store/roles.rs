//! The `roles` table: built-in and custom site roles.

use crate::backend::db::Db;
use crate::backend::time::now_ms;
use crate::backend::store::audit::{execute_audited, NewEvent};
use crate::backend::store::user_list::Arg;
use crate::on_db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoleRow {
    pub name: String,
    pub builtin: bool,
}

/// Built-in roles first, then the others, each alphabetically.
pub async fn list(db: &Db) -> Result<Vec<RoleRow>, sqlx::Error> {
    let sql = "SELECT name, builtin FROM roles ORDER BY builtin DESC, name_lower";
    on_db!(db, |pool| sqlx::query_as::<_, RoleRow>(sql).fetch_all(pool).await)
}

/// The role called `name` in any letter case.
pub async fn find(db: &Db, name: &str) -> Result<Option<RoleRow>, sqlx::Error> {
    let sql = "SELECT name, builtin FROM roles WHERE name_lower = $1";
    let key = name.to_lowercase();
    on_db!(db, |pool| sqlx::query_as::<_, RoleRow>(sql).bind(&key).fetch_optional(pool).await)
}

/// Creates a custom role; `false` when the name is taken in any letter case.
pub async fn create(db: &Db, name: &str, event: &NewEvent) -> Result<bool, sqlx::Error> {
    let sql = "INSERT INTO roles (name, name_lower, builtin, created_at) VALUES ($1, $2, FALSE, $3) ON CONFLICT DO NOTHING";
    let args = [Arg::Text(name.into()), Arg::Text(name.to_lowercase()), Arg::Int(now_ms())];
    Ok(execute_audited(db, sql, &args, event).await? == 1)
}

pub async fn count_holders(db: &Db, name: &str) -> Result<i64, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM user_roles WHERE role = $1";
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).bind(name).fetch_one(pool).await)
}

/// Deletes a role; its grants go with it (foreign key cascade).
pub async fn delete(db: &Db, name: &str, event: &NewEvent) -> Result<(), sqlx::Error> {
    let sql = "DELETE FROM roles WHERE name = $1 AND builtin = FALSE";
    execute_audited(db, sql, &[Arg::Text(name.into())], event).await.map(|_| ())
}

/// Every role with its number of holders, in one query.
pub async fn list_with_holders(db: &Db) -> Result<Vec<(String, bool, i64)>, sqlx::Error> {
    let sql = "SELECT r.name, r.builtin, COUNT(ur.user_id) FROM roles r LEFT JOIN user_roles ur ON ur.role = r.name \
               GROUP BY r.name, r.builtin, r.name_lower ORDER BY r.builtin DESC, r.name_lower";
    on_db!(db, |pool| sqlx::query_as::<_, (String, bool, i64)>(sql).fetch_all(pool).await)
}
