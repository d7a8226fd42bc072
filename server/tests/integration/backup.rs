//! `gatehouse backup` and `gatehouse restore`: an online copy of the SQLite
//! database taken while writes keep landing holds every write acknowledged
//! before it began and passes the integrity check; a restore is refused
//! while a server runs and brings the copy back once none does. On
//! PostgreSQL the commands name PostgreSQL's own tools and fail.

use crate::common::*;
use futures_util::StreamExt;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

const PASSWORD: &str = "backup-password-1";
const WRITES: usize = 1000;
const USERS: usize = 10;

fn config(db: &TestDb) -> Config {
    Config { admin_password: Some(PASSWORD.into()), ..test_config(db) }
}

/// Runs the `gatehouse` binary off the async runtime: (success, stdout, stderr).
async fn gatehouse(database_url: &str, args: &[&str]) -> (bool, String, String) {
    gatehouse_with(database_url, &[], args).await
}

/// [`gatehouse`] with more environment variables.
async fn gatehouse_with(database_url: &str, env: &[(&str, &str)], args: &[&str]) -> (bool, String, String) {
    let database_url = database_url.to_string();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(&args)
            .env("DATABASE_URL", &database_url)
            .env_remove("GATEHOUSE_DATABASE_URL")
            .env_remove("GATEHOUSE_JWT_SECRET")
            .env_remove("GATEHOUSE_SECRET_KEY")
            .envs(env)
            .output()
            .expect("run gatehouse");
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
    })
    .await
    .unwrap()
}

/// Every metadata key of every fixture user in the SQLite file at `url`.
async fn keys_in(url: &str) -> HashSet<String> {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    let rows: Vec<String> = sqlx::query_scalar("SELECT metadata FROM users WHERE username LIKE 'bk%'").fetch_all(&mut conn).await.unwrap();
    let mut keys = HashSet::new();
    for row in rows {
        let metadata: serde_json::Map<String, Value> = serde_json::from_str(&row).unwrap();
        keys.extend(metadata.into_iter().map(|(k, _)| k));
    }
    keys
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_online_backup_keeps_every_acknowledged_write_and_restores() {
    let db = test_databases().await.into_iter().next().unwrap();
    let copy = tempfile::tempdir().unwrap();
    let copy_file = copy.path().join("copy.db");
    let copy_arg = copy_file.display().to_string();
    let server = TestServer::start(&config(&db)).await;
    server.create_many_users("bk", USERS, "unused-password-1").await;
    let admin = Rest::new(&server.base, "admin", PASSWORD);
    assert_eq!(admin.send(Method::GET, "/users/meta", &Value::Null).await.0, StatusCode::OK);

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let writes = {
        let (admin, acknowledged) = (admin.clone(), acknowledged.clone());
        tokio::spawn(async move {
            futures_util::stream::iter(0..WRITES)
                .map(|n| {
                    let (admin, acknowledged) = (admin.clone(), acknowledged.clone());
                    async move {
                        let key = format!("write{n:04}");
                        let path = format!("/users/bk{:03}/meta", n % USERS);
                        let (status, body) = admin.send(Method::POST, &path, &json!({ key.clone(): n })).await;
                        assert_eq!(status, StatusCode::OK, "{body}");
                        acknowledged.lock().unwrap().push(key);
                    }
                })
                .buffer_unordered(16)
                .collect::<Vec<()>>()
                .await
        })
    };
    while acknowledged.lock().unwrap().len() < WRITES / 4 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before_backup: Vec<String> = acknowledged.lock().unwrap().clone();
    let (ok, out, err) = gatehouse(&db.url, &["backup", &copy_arg]).await;
    let during_backup = acknowledged.lock().unwrap().len();
    writes.await.unwrap();
    assert!(ok, "backup failed: {err}");
    assert!(out.contains("passes PRAGMA integrity_check") && out.contains("data_dir"), "{out}");
    assert!(during_backup < WRITES, "the writes were still running when the backup ended ({during_backup} of {WRITES})");

    let copy_url = format!("sqlite://{}", copy_file.display());
    let in_copy = keys_in(&copy_url).await;
    let lost: Vec<&String> = before_backup.iter().filter(|k| !in_copy.contains(*k)).collect();
    assert!(lost.is_empty(), "{} of {} writes acknowledged before the backup are missing from it", lost.len(), before_backup.len());
    assert!(in_copy.len() < WRITES, "the copy is a snapshot, not the final state ({} keys)", in_copy.len());
    assert_eq!(keys_in(&db.url).await.len(), WRITES, "every write landed in the live database");

    let (ok, _, err) = gatehouse(&db.url, &["backup", &copy_arg]).await;
    assert!(!ok && err.contains("already exists"), "a backup never overwrites a file: {err}");

    // Restore: refused while the server holds the database, then done.
    let (ok, _, err) = gatehouse(&db.url, &["restore", &copy_arg]).await;
    assert!(!ok && err.contains("stop every server"), "{err}");
    assert_eq!(keys_in(&db.url).await.len(), WRITES, "a refused restore changes nothing");
    server.running.task.abort();
    drop(server);
    let garbage = copy.path().join("garbage.db");
    std::fs::write(&garbage, b"not a database at all").unwrap();
    let (ok, _, err) = gatehouse(&db.url, &["restore", &garbage.display().to_string()]).await;
    assert!(!ok && err.contains("garbage.db"), "a damaged backup is refused: {err}");
    let (ok, out, err) = gatehouse(&db.url, &["restore", &copy_arg]).await;
    assert!(ok, "restore failed: {err}");
    assert!(out.contains("Restored"), "{out}");

    let server = TestServer::start(&config(&db)).await;
    let admin = Rest::new(&server.base, "admin", PASSWORD);
    let (status, metadata) = admin.send(Method::GET, "/users/bk000/meta", &Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    let restored = metadata.as_object().unwrap().keys().filter(|k| k.starts_with("write")).count();
    let copied = in_copy.iter().filter(|k| k[5..].parse::<usize>().unwrap() % USERS == 0).count();
    assert_eq!(restored, copied, "the restored database is the copy");
}

/// The permission bits of `file`.
fn mode_of(file: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).unwrap().permissions().mode() & 0o777
}

/// SQLite only: PostgreSQL is backed up with its own tools.
#[tokio::test]
async fn a_backup_is_readable_by_its_owner_only_and_warns_of_the_secrets_in_it() {
    let db = test_databases().await.into_iter().next().unwrap();
    let server = TestServer::start(&config(&db)).await;
    let copies = tempfile::tempdir().unwrap();
    const WARNING: &str = "the copy holds the site's signing secrets";

    // The secrets were generated into the database: the copy holds them.
    let copy = copies.path().join("with-secrets.db");
    let (ok, _, err) = gatehouse(&db.url, &["backup", &copy.display().to_string()]).await;
    assert!(ok, "{err}");
    assert_eq!(mode_of(&copy), 0o600, "created for its owner alone, whatever the umask");
    assert!(err.contains(WARNING) && err.contains("jwt_secret, secret_key"), "{err}");

    // Both set in the configuration: no warning, and still 0600.
    let copy = copies.path().join("configured.db");
    let secrets = [("GATEHOUSE_JWT_SECRET", "backup-test-jwt-secret-0123456789abcdef"), ("GATEHOUSE_SECRET_KEY", "backup-test-site-secret-0123456789abcdef")];
    let (ok, _, err) = gatehouse_with(&db.url, &secrets, &["backup", &copy.display().to_string()]).await;
    assert!(ok, "{err}");
    assert_eq!(mode_of(&copy), 0o600);
    assert!(!err.contains(WARNING), "{err}");

    // Only one set: the other is named.
    let copy = copies.path().join("half.db");
    let (ok, _, err) = gatehouse_with(&db.url, &secrets[..1], &["backup", &copy.display().to_string()]).await;
    assert!(ok, "{err}");
    assert!(err.contains(WARNING) && err.contains("(secret_key:"), "{err}");
    drop(server);
}

#[tokio::test]
async fn postgres_backups_name_postgres_tools() {
    let Some(db) = test_databases().await.into_iter().find(|db| db.label == "postgres") else { return };
    let (ok, out, err) = gatehouse(&db.url, &["backup", "/tmp/never-written.dump"]).await;
    assert!(!ok, "{out}");
    assert!(err.contains("pg_dump --format=custom --file='/tmp/never-written.dump'"), "{err}");
    assert!(!std::path::Path::new("/tmp/never-written.dump").exists());
    let (ok, _, err) = gatehouse(&db.url, &["restore", "/tmp/never-written.dump"]).await;
    assert!(!ok && err.contains("pg_restore"), "{err}");
}
