//! Users created in bulk: the CSV import (which names are taken, and the
//! insert of the rows that are not) and generated fixtures.

use crate::backend::db::Db;
use crate::backend::store::audit::{append_in, NewEvent};
use crate::backend::store::users::role_grants::grant_roles;
use crate::backend::time::now_ms;
use crate::{in_tx, on_db};

/// Inserts many users in transactions of 1,000 (fixtures and benchmarks):
/// `users` yields (username, display name, email, created_at).
pub async fn insert_many(
    db: &Db,
    users: &[(String, String, String, i64)],
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    for chunk in users.chunks(1000) {
        in_tx!(db, |tx| {
            for (username, display_name, email, created_at) in chunk {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (username, username_lower, display_name, email, email_lower, password_hash, \
                     created_at, updated_at, password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7) RETURNING id",
                )
                .bind(username)
                .bind(username.to_lowercase())
                .bind(display_name)
                .bind(email)
                .bind(email.to_lowercase())
                .bind(password_hash)
                .bind(created_at)
                .fetch_one(&mut *tx)
                .await?;
                grant_roles(&mut *tx, id, &["user"]).await?;
            }
            Ok::<(), sqlx::Error>(())
        })?;
    }
    Ok(())
}

/// Which of `names` (lower-cased) are taken as usernames.
pub async fn taken_usernames(db: &Db, names: &[String]) -> Result<Vec<String>, sqlx::Error> {
    taken(db, "username_lower", names).await
}

/// Which of `emails` (lower-cased) are taken.
pub async fn taken_emails(db: &Db, emails: &[String]) -> Result<Vec<String>, sqlx::Error> {
    taken(db, "email_lower", emails).await
}

async fn taken(db: &Db, column: &str, values: &[String]) -> Result<Vec<String>, sqlx::Error> {
    let mut found = Vec::new();
    for chunk in values.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT {column} FROM users WHERE {column} IN ({})", placeholders.join(", "));
        let rows: Vec<String> = on_db!(db, |pool| {
            let mut query = sqlx::query_scalar::<_, String>(&sql);
            for value in chunk {
                query = query.bind(value);
            }
            query.fetch_all(pool).await
        })?;
        found.extend(rows);
    }
    Ok(found)
}

/// A user from an import: no usable password until one is set.
pub struct ImportedUser {
    pub line: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub enabled: bool,
}

/// The password hash of imported accounts: matches no password.
pub const NO_PASSWORD: &str = "!";

/// Inserts imported users in one transaction; each row with its roles or
/// not at all, and one event made from the lines skipped. Returns the lines
/// skipped because the name or email was taken meanwhile.
pub async fn insert_imported(db: &Db, rows: &[ImportedUser], event: impl FnOnce(&[i64]) -> NewEvent) -> Result<Vec<i64>, sqlx::Error> {
    let now = now_ms();
    in_tx!(db, |tx| {
        let mut skipped = Vec::new();
        for row in rows {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO users (username, username_lower, display_name, email, email_lower, password_hash, enabled, \
                 created_at, updated_at, password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) \
                 ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(&row.username)
            .bind(row.username.to_lowercase())
            .bind(&row.display_name)
            .bind(&row.email)
            .bind(row.email.as_ref().map(|e| e.to_lowercase()))
            .bind(NO_PASSWORD)
            .bind(row.enabled)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                skipped.push(row.line);
                continue;
            };
            grant_roles(&mut *tx, id, &row.roles).await?;
        }
        append_in(&mut *tx, &event(&skipped)).await?;
        Ok::<Vec<i64>, sqlx::Error>(skipped)
    })
}
