//! Backing up and restoring the embedded SQLite database, and the lock that
//! keeps a restore from replacing a database a server is using.
//!
//! A backup is `VACUUM INTO` a new file: SQLite copies one read
//! transaction's snapshot, so it is consistent while the server keeps
//! writing, and holds every write committed before it began. The copy is
//! then checked with `PRAGMA integrity_check`. PostgreSQL is backed up with
//! its own tools; [`pg_dump_command`] says how.
//!
//! Every server holds a *shared* lock on `<database>.lock` for as long as it
//! runs (several servers may share one file); a restore takes it
//! *exclusively* and so refuses while any server holds it, and a server
//! cannot start during a restore.

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The database file a `sqlite:` URL names (`None` for PostgreSQL or `:memory:`).
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    let rest = database_url.strip_prefix("sqlite://").or_else(|| database_url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next().unwrap_or(rest);
    (!file.is_empty() && !file.starts_with(":memory:")).then(|| PathBuf::from(file))
}

fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// A held lock on a database file; released when dropped.
pub struct DatabaseLock {
    _file: std::fs::File,
}

fn take_lock(database: &Path, exclusive: bool) -> Result<DatabaseLock, std::io::Error> {
    use std::os::fd::AsRawFd;
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(lock_path(database))?;
    let mode = if exclusive { libc::LOCK_EX } else { libc::LOCK_SH };
    // SAFETY: flock on a descriptor this function owns; no memory is shared.
    if unsafe { libc::flock(file.as_raw_fd(), mode | libc::LOCK_NB) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(DatabaseLock { _file: file })
}

/// The lock a running server holds on its SQLite file (`None` on PostgreSQL).
pub fn hold_while_serving(database_url: &str) -> Result<Option<DatabaseLock>, String> {
    let Some(database) = sqlite_file(database_url) else { return Ok(None) };
    if let Some(folder) = database.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    take_lock(&database, false)
        .map(Some)
        .map_err(|e| format!("cannot lock {}: a restore is running or the folder is not writable ({e})", database.display()))
}

/// A connection to an existing file (never created here, journal mode untouched).
async fn open(file: &Path) -> Result<SqliteConnection, String> {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", file.display()))
        .map_err(|e| e.to_string())?
        .disable_statement_logging();
    options.connect().await.map_err(|e| format!("cannot open {}: {e}", file.display()))
}

/// Checks `file` with `PRAGMA integrity_check` and that it is a Gatehouse database.
pub async fn check(file: &Path) -> Result<(), String> {
    let mut conn = open(file).await?;
    let verdict: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| format!("{} is not a readable SQLite database: {e}", file.display()))?;
    if verdict != ["ok"] {
        return Err(format!("{} fails the integrity check: {}", file.display(), verdict.join("; ")));
    }
    let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', '_sqlx_migrations')")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    conn.close().await.ok();
    if tables != 2 {
        return Err(format!("{} is not a Gatehouse database (no users table)", file.display()));
    }
    Ok(())
}

/// Copies the live database at `database_url` into the new file `target`
/// and checks the copy. Refuses to overwrite an existing file. The copy
/// holds password hashes (and the signing secrets when the configuration
/// does not set them), so `target` is created empty with mode 0600 before
/// SQLite writes into it: it is never readable by others, whatever the umask.
pub async fn backup(database_url: &str, target: &Path) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let database = sqlite_file(database_url).ok_or_else(|| pg_dump_command(database_url, target))?;
    if !database.is_file() {
        return Err(format!("there is no database at {}", database.display()));
    }
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(target).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => format!("{} already exists: choose a new file name", target.display()),
        _ => format!("cannot create {}: {e}", target.display()),
    })?;
    let mut conn = open(&database).await?;
    let copied = sqlx::query("VACUUM INTO $1").bind(target.display().to_string()).execute(&mut conn).await;
    conn.close().await.ok();
    copied.map_err(|e| {
        let _ = std::fs::remove_file(target);
        format!("cannot write {}: {e}", target.display())
    })?;
    check(target).await.inspect_err(|_| {
        let _ = std::fs::remove_file(target);
    })
}

/// Replaces the database at `database_url` with the checked copy `source`.
/// Refuses while a server holds the database.
pub async fn restore(database_url: &str, source: &Path) -> Result<(), String> {
    let database = sqlite_file(database_url).ok_or_else(|| pg_restore_command(database_url, source))?;
    check(source).await?;
    let _lock = take_lock(&database, true).map_err(|_| {
        format!("a Gatehouse server is using {}: stop every server on it first", database.display())
    })?;
    let mut staged = database.as_os_str().to_owned();
    staged.push(".restoring");
    let staged = PathBuf::from(staged);
    std::fs::copy(source, &staged).map_err(|e| format!("cannot copy {}: {e}", source.display()))?;
    std::fs::File::open(&staged).and_then(|f| f.sync_all()).map_err(|e| e.to_string())?;
    for suffix in ["-wal", "-shm"] {
        let mut side = database.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.to_string()),
            _ => {}
        }
    }
    std::fs::rename(&staged, &database).map_err(|e| format!("cannot replace {}: {e}", database.display()))
}

/// The database URL with its password replaced, for printing.
fn without_password(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("PASSWORD"));
            url.to_string()
        }
        _ => database_url.to_string(),
    }
}

/// What to run instead of `gatehouse backup` on PostgreSQL.
pub fn pg_dump_command(database_url: &str, target: &Path) -> String {
    format!(
        "Gatehouse does not back up PostgreSQL itself; use PostgreSQL's own tool (it is consistent while servers run):\n  \
         pg_dump --format=custom --file='{}' '{}'",
        target.display(),
        without_password(database_url)
    )
}

/// What to run instead of `gatehouse restore` on PostgreSQL.
pub fn pg_restore_command(database_url: &str, source: &Path) -> String {
    format!(
        "Gatehouse does not restore PostgreSQL itself; stop the servers, then:\n  \
         pg_restore --clean --if-exists --dbname='{}' '{}'",
        without_password(database_url),
        source.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_file("sqlite://data/g.db?mode=rwc"), Some(PathBuf::from("data/g.db")));
        assert_eq!(sqlite_file("sqlite:g.db"), Some(PathBuf::from("g.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u:p@h/db"), None);
    }

    #[test]
    fn postgres_commands_hide_the_password() {
        let text = pg_dump_command("postgres://gh:secret@db.example/gatehouse", Path::new("/tmp/x.dump"));
        assert!(text.contains("pg_dump --format=custom --file='/tmp/x.dump' 'postgres://gh:PASSWORD@db.example/gatehouse'"), "{text}");
        assert!(!text.contains("secret"));
    }

    #[test]
    fn a_restore_waits_for_no_server() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("g.db");
        let serving = take_lock(&db, false).unwrap();
        let second_server = take_lock(&db, false).unwrap();
        assert!(take_lock(&db, true).is_err(), "a restore is refused while servers hold the file");
        drop((serving, second_server));
        let restoring = take_lock(&db, true).unwrap();
        assert!(take_lock(&db, false).is_err(), "no server starts during a restore");
        drop(restoring);
    }
}
