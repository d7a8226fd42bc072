//! Shared set-up for the benchmarks: a fresh SQLite site with its first
//! admin, that admin as a caller of the services, and a running server
//! with the admin signed in for the HTTP benchmarks.

use app::backend::auth::Principal;
use app::backend::AppState;
use gatehouse_server::config::Config;

/// Opens (creating and migrating) a SQLite site at `path` with an admin.
pub async fn fresh_site(path: &std::path::Path) -> AppState {
    open_site(format!("sqlite://{}?mode=rwc", path.display())).await
}

/// A fresh PostgreSQL database next to `admin_url`'s (the role needs
/// CREATEDB), migrated, with an admin; and the database's name.
pub async fn fresh_postgres_site(admin_url: &str) -> (AppState, String) {
    use sqlx::Connection;
    let name = format!("gh_bench_{}", app::backend::auth::secrets::random_hex(6));
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("connect to BENCH_DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create database");
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    let base = base.rsplit_once('/').map(|(b, _)| b).unwrap_or(base);
    (open_site(format!("{base}/{name}")).await, name)
}

/// Drops the databases a benchmark made (their pools must be closed first).
pub async fn drop_postgres_databases(admin_url: &str, names: &[String]) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("connect to BENCH_DATABASE_URL");
    for name in names {
        if let Err(e) = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await {
            eprintln!("could not drop {name}: {e}");
        }
    }
}

async fn open_site(url: String) -> AppState {
    let config = Config { database_url: url, admin_password: Some("bench-admin-password".into()), ..Config::default() };
    let state = gatehouse_server::open_state(&config).await.expect("open database");
    gatehouse_server::first_run(&config, &state).await.expect("first admin");
    state
}

/// The first admin (user id 1) as the services see a caller.
pub fn admin() -> Principal {
    Principal {
        user_id: 1,
        username: "admin".into(),
        display_name: None,
        email: None,
        roles: vec!["admin".into()],
        must_change_password: false,
        password_expires_at: None,
        session_key: None,
        credential: app::backend::auth::principal::Credential::Session,
        proven_at: Some(app::backend::time::now_ms()),
        own_storage: None,
    }
}

/// A running server on a fresh SQLite file, with a client signed in as its admin.
pub struct Site {
    pub base: String,
    pub client: reqwest::Client,
    pub running: gatehouse_server::Running,
    _dir: tempfile::TempDir,
}

pub const SITE_ADMIN_PASSWORD: &str = "bench-admin-password";

/// Starts a server, lets `fill` put data in it, and signs its admin in.
pub async fn running_site<F, Fut>(fill: F) -> Site
where
    F: FnOnce(AppState) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        database_url: format!("sqlite://{}?mode=rwc", dir.path().join("gatehouse.db").display()),
        bind: "127.0.0.1:0".into(),
        admin_password: Some(SITE_ADMIN_PASSWORD.into()),
        ..Config::default()
    };
    config.site.data_dir = dir.path().join("data");
    let running = gatehouse_server::start(&config).await.expect("server starts");
    fill(running.state.clone()).await;
    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::builder().cookie_store(true).pool_max_idle_per_host(1).build().unwrap();
    let res = client
        .post(format!("{base}/api/login"))
        .form(&[("username", "admin"), ("password", SITE_ADMIN_PASSWORD), ("next", "")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "admin signs in: {}", res.status());
    Site { base, client, running, _dir: dir }
}

/// One GET, read to the end: how long it took and how many bytes came.
pub async fn timed_get(client: &reqwest::Client, url: &str) -> (std::time::Duration, usize) {
    let started = std::time::Instant::now();
    let res = client.get(url).send().await.expect("request");
    assert!(res.status().is_success(), "{url}: {}", res.status());
    let body = res.bytes().await.expect("body");
    (started.elapsed(), body.len())
}

/// A JWT from `POST /users/authenticate`, as a script signs in.
pub async fn jwt(base: &str, username: &str, password: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/users/authenticate"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .expect("authenticate");
    assert!(res.status().is_success(), "{username} authenticates: {}", res.status());
    let body: serde_json::Value = serde_json::from_slice(&res.bytes().await.expect("body")).expect("JSON");
    body["token"].as_str().expect("a token").to_string()
}

pub fn median(mut times: Vec<std::time::Duration>) -> std::time::Duration {
    times.sort();
    times[times.len() / 2]
}

pub fn ms(d: std::time::Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Raw argon2id verifications per second at the server's parameters (the
/// crate's defaults), one thread per core, for `seconds`; and the threads.
/// The floor that sign-ins per second are compared with.
pub fn argon2_verifications_per_second(seconds: f64) -> (f64, usize) {
    use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
    use argon2::Argon2;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};
    let hash = Argon2::default().hash_password(SITE_ADMIN_PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng)).unwrap().to_string();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let done = AtomicU64::new(0);
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let parsed = PasswordHash::new(&hash).unwrap();
                while Instant::now() < until {
                    assert!(Argon2::default().verify_password(SITE_ADMIN_PASSWORD.as_bytes(), &parsed).is_ok());
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    (done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64(), threads)
}
