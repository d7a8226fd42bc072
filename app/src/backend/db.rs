//! The database handle: SQLite (default, embedded) or PostgreSQL, chosen at
//! run time from the URL. Queries are written once with `$N` placeholders and
//! run on either pool through [`on_db!`], in a transaction through
//! [`in_tx!`], or in a write transaction (read-modify-write) through
//! [`in_write_tx!`]. A step of a bigger transaction is an ordinary function
//! taking a [`Conn`] (the caller passes `&mut *tx`), its body run on either
//! connection through [`on_conn!`].

use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same expression against whichever pool `db` holds, binding the
/// pool to `$pool`. The expression is type-checked once per backend.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::backend::db::Db::Sqlite($pool) => $body,
            $crate::backend::db::Db::Postgres($pool) => $body,
        }
    };
}

/// A connection inside a caller's transaction, on either backend: what a
/// store function that is one step of a bigger transaction takes, so that
/// it is written once, with one SQL text, and called inside [`in_tx!`] or
/// [`in_write_tx!`] as `step(&mut *tx, …).await?` whichever backend `tx` is on.
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl<'c> From<&'c mut SqliteConnection> for Conn<'c> {
    fn from(conn: &'c mut SqliteConnection) -> Self {
        Conn::Sqlite(conn)
    }
}

impl<'c> From<&'c mut PgConnection> for Conn<'c> {
    fn from(conn: &'c mut PgConnection) -> Self {
        Conn::Postgres(conn)
    }
}

/// Runs the same expression on whichever connection `$conn` (anything that
/// is `Into<`[`Conn`]`>`) holds, binding it (`&mut` the backend's
/// connection) to `$c`: [`on_db!`] for a step inside a transaction.
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match ::core::convert::Into::<$crate::backend::db::Conn<'_>>::into($conn) {
            $crate::backend::db::Conn::Sqlite($c) => $body,
            $crate::backend::db::Conn::Postgres($c) => $body,
        }
    };
}

/// Begins a transaction with `$begin`, runs `$body` with it bound to `$tx`,
/// and commits when `$body` returns `Ok` (dropping it rolls back otherwise).
#[doc(hidden)]
#[macro_export]
macro_rules! __run_tx {
    ($begin:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $begin.await?;
        let out = $body;
        if out.is_ok() {
            $tx.commit().await?;
        }
        out
    }};
}

/// Runs `$body` inside one transaction on whichever pool `db` holds; the
/// transaction is bound to `$tx` and committed when `$body` returns `Ok`.
/// On SQLite it begins `IMMEDIATE`: a deferred transaction that reads and
/// then writes while another connection writes cannot wait for the lock and
/// fails at once with "database is locked" (schemathesis found two such 500s).
#[macro_export]
macro_rules! in_tx {
    ($db:expr, |$tx:ident| $body:expr) => {
        match $db {
            $crate::backend::db::Db::Sqlite(pool) => $crate::__run_tx!(pool.begin_with("BEGIN IMMEDIATE"), |$tx| $body),
            $crate::backend::db::Db::Postgres(pool) => $crate::__run_tx!(pool.begin(), |$tx| $body),
        }
    };
}

/// Like [`in_tx!`], for a read-modify-write that must not lose a concurrent
/// change: what `$body` reads stays true until it commits.
///
/// - SQLite: the transaction starts with `BEGIN IMMEDIATE`, which takes the
///   database's write lock at once; concurrent writers wait (busy timeout).
/// - PostgreSQL: an ordinary transaction; the body locks each row it reads
///   and will write by ending that `SELECT` with `$lock`, which is
///   `" FOR UPDATE"` here and `""` on SQLite — one query text otherwise.
///
/// ```ignore
/// in_write_tx!(db, |tx, lock| {
///     let sql = format!("SELECT metadata FROM users WHERE id = $1{lock}");
///     …
/// })
/// ```
#[macro_export]
macro_rules! in_write_tx {
    ($db:expr, |$tx:ident, $lock:ident| $body:expr) => {
        match $db {
            $crate::backend::db::Db::Sqlite(pool) => {
                #[allow(unused_variables)]
                let $lock = "";
                $crate::__run_tx!(pool.begin_with("BEGIN IMMEDIATE"), |$tx| $body)
            }
            $crate::backend::db::Db::Postgres(pool) => {
                #[allow(unused_variables)]
                let $lock = " FOR UPDATE";
                $crate::__run_tx!(pool.begin(), |$tx| $body)
            }
        }
    };
}

impl Db {
    /// Connects to `url` (`sqlite:…` or `postgres:…`). SQLite gets WAL and
    /// foreign keys; the file is created when the URL says `mode=rwc`.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            // A connection to a file cannot go stale, so it is not pinged
            // (a round trip to its worker thread) each time it is taken.
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            Err(sqlx::Error::Configuration(
                format!("database URL must start with sqlite: or postgres: (got {url:?})").into(),
            ))
        }
    }

    /// Applies the embedded migrations for this backend.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite(pool) => {
                sqlx::migrate!("../migrations/sqlite").run(pool).await?;
                Ok(super::sqlite_ids::ensure_users_autoincrement(pool).await?)
            }
            Db::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await,
        }
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, |pool| sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    /// Connections open in the pool, and how many of them are idle.
    pub fn pool_usage(&self) -> (u32, usize) {
        on_db!(self, |pool| (pool.size(), pool.num_idle()))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }
}
