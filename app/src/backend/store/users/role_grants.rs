//! The `user_roles` table: which site roles each user holds, and the guard
//! that keeps the site from losing its last enabled admin.

use crate::backend::db::{Conn, Db};
use crate::backend::store::audit::{append_in, NewEvent};
use crate::backend::time::now_ms;
use crate::{in_tx, in_write_tx, on_conn, on_db};

/// Grants each of `roles` to `user_id` inside the caller's transaction `conn`.
pub(crate) async fn grant_roles<'c>(conn: impl Into<Conn<'c>>, user_id: i64, roles: &[impl AsRef<str>]) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)";
    on_conn!(conn, |c| {
        for role in roles {
            sqlx::query(sql).bind(user_id).bind(role.as_ref()).execute(&mut *c).await?;
        }
        Ok(())
    })
}

/// Inside an [`in_write_tx!`] transaction `conn` (`lock` being its row-lock
/// suffix): takes the admin guard, then returns whether `user_id` is the
/// site's only enabled admin. On PostgreSQL the guard is the `admin` role's
/// row `FOR UPDATE`, so changes that could take away the last admin run one
/// at a time and each sees the last one's result; on SQLite the
/// transaction's write lock does the same.
pub(crate) async fn sole_enabled_admin<'c>(conn: impl Into<Conn<'c>>, lock: &str, user_id: i64) -> Result<bool, sqlx::Error> {
    let guard = format!("SELECT name FROM roles WHERE name = 'admin'{lock}");
    let admins = "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id \
                  WHERE r.role = 'admin' AND u.enabled = TRUE ORDER BY u.id LIMIT 2";
    on_conn!(conn, |c| {
        sqlx::query(&guard).execute(&mut *c).await?;
        let admins: Vec<i64> = sqlx::query_scalar(admins).fetch_all(&mut *c).await?;
        Ok(admins == [user_id])
    })
}

/// A change refused because it would leave no enabled admin.
#[derive(Debug, PartialEq, Eq)]
pub struct LastAdmin;

/// Number of enabled users holding the `admin` role.
pub async fn count_enabled_admins(db: &Db) -> Result<i64, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id \
               WHERE r.role = 'admin' AND u.enabled = TRUE";
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await)
}

/// Gives `user_id` the `admin` role (idempotent) and enables the account.
pub async fn make_enabled_admin(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    let now = now_ms();
    in_tx!(db, |tx| {
        sqlx::query(
            "INSERT INTO user_roles (user_id, role) VALUES ($1, 'admin') ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE users SET enabled = TRUE, version = version + 1, updated_at = $2 WHERE id = $1")
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        Ok::<(), sqlx::Error>(())
    })
}

/// Grants or takes away one role (idempotent).
pub async fn set_role(db: &Db, user_id: i64, role: &str, granted: bool, event: &NewEvent) -> Result<Result<(), LastAdmin>, sqlx::Error> {
    let sql = if granted {
        "INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM user_roles WHERE user_id = $1 AND role = $2"
    };
    in_write_tx!(db, |tx, lock| {
        if !granted && role == "admin" && sole_enabled_admin(&mut *tx, lock, user_id).await? {
            return Ok(Err(LastAdmin));
        }
        let changed = sqlx::query(sql).bind(user_id).bind(role).execute(&mut *tx).await?.rows_affected();
        if changed > 0 {
            append_in(&mut *tx, event).await?;
        }
        Ok::<_, sqlx::Error>(Ok(()))
    })
}

/// Email addresses of every enabled admin that has one.
pub async fn admin_emails(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let sql = "SELECT u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
               WHERE r.role = 'admin' AND u.enabled = TRUE AND u.email IS NOT NULL ORDER BY u.id";
    on_db!(db, |pool| sqlx::query_scalar::<_, String>(sql).fetch_all(pool).await)
}

/// Ids of the enabled accounts that hold `admin`.
pub async fn enabled_admin_ids(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    let sql = "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'admin' AND u.enabled = TRUE ORDER BY u.id";
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).fetch_all(pool).await)
}
