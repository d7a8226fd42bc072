//! Keeps SQLite from reusing user ids. Without `AUTOINCREMENT`, SQLite gives
//! a new row the highest id plus one, so deleting the newest user would hand
//! its id (and anything still bound to it) to the next account. SQLite
//! cannot add `AUTOINCREMENT` to a table, and sqlx runs every SQLite
//! migration inside a transaction, where foreign keys cannot be switched
//! off — so the rebuild is done here, after the migrations, on a connection
//! of its own: SQLite's documented procedure (foreign keys off, then in one
//! transaction: new table from the stored definition plus `AUTOINCREMENT`,
//! copy, drop, rename, re-create the indexes and triggers). It reads the
//! table's definition, indexes and triggers from the schema, so columns that
//! later migrations add survive it. Ids freed before it ran are not known;
//! from then on ids never go back.

use sqlx::sqlite::SqlitePool;
use sqlx::{Connection, Executor};

const PRIMARY_KEY: &str = "id INTEGER PRIMARY KEY,";

/// Rebuilds `users` with `AUTOINCREMENT` unless it already has it.
pub async fn ensure_users_autoincrement(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    if !needs_rebuild(pool).await? {
        return Ok(());
    }
    // A connection of its own, closed afterwards, so that one with foreign
    // keys off never goes back to the pool.
    let mut conn = pool.acquire().await?.detach();
    conn.execute("PRAGMA foreign_keys = OFF").await?;
    let outcome = rebuild(&mut conn).await;
    let _ = conn.close().await;
    outcome
}

async fn needs_rebuild(pool: &SqlitePool) -> Result<bool, sqlx::Error> {
    let sql: Option<String> = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'")
        .fetch_optional(pool)
        .await?;
    Ok(sql.is_some_and(|sql| sql.contains(PRIMARY_KEY)))
}

async fn rebuild(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    conn.execute("BEGIN IMMEDIATE").await?;
    let outcome = rebuild_in_transaction(conn).await;
    match outcome {
        Ok(()) => conn.execute("COMMIT").await.map(|_| ()),
        Err(err) => {
            let _ = conn.execute("ROLLBACK").await;
            Err(err)
        }
    }
}

async fn rebuild_in_transaction(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    let table: Option<String> = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'")
        .fetch_optional(&mut *conn)
        .await?;
    // Another process may have done it meanwhile.
    let Some(table) = table.filter(|sql| sql.contains(PRIMARY_KEY)) else { return Ok(()) };
    let dependents: Vec<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = 'users' AND sql IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    let rebuilt = table
        .replacen("CREATE TABLE users", "CREATE TABLE users_rebuilt", 1)
        .replacen(PRIMARY_KEY, "id INTEGER PRIMARY KEY AUTOINCREMENT,", 1);
    conn.execute(rebuilt.as_str()).await?;
    conn.execute("INSERT INTO users_rebuilt SELECT * FROM users").await?;
    conn.execute("DROP TABLE users").await?;
    conn.execute("ALTER TABLE users_rebuilt RENAME TO users").await?;
    for sql in dependents {
        conn.execute(sql.as_str()).await?;
    }
    let broken: Option<String> = sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    match broken {
        Some(table) => Err(sqlx::Error::Protocol(format!("rebuilding users broke a foreign key in {table}"))),
        None => Ok(()),
    }
}
