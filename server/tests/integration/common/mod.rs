//! Test harness: a real Gatehouse server on a loopback port, on a fresh
//! SQLite file, or on a fresh PostgreSQL database when `TEST_DATABASE_URL`
//! is set, and a cookie-keeping HTTP client.
#![allow(dead_code)]

use gatehouse_server::config::Config;
use gatehouse_server::Running;
use reqwest::cookie::{CookieStore, Jar};
use std::sync::Arc;

pub mod doors;
pub mod log;
pub mod projects;
pub mod smtp;

/// Fresh databases for one test: always SQLite, plus PostgreSQL when
/// `TEST_DATABASE_URL` points at a server where we may create databases.
pub struct TestDb {
    pub url: String,
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
}

pub async fn test_databases() -> Vec<TestDb> {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("gatehouse.db").display());
    let mut dbs = vec![TestDb { url: sqlite, label: "sqlite", _dir: Some(dir) }];
    if let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") {
        if !admin_url.is_empty() {
            dbs.push(TestDb { url: fresh_postgres_database(&admin_url).await, label: "postgres", _dir: None });
        }
    }
    dbs
}

async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::Connection;
    let name = format!("gh_test_{}", app::backend::auth::secrets::random_hex(6));
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("connect to TEST_DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let base = base.rsplit_once('/').map(|(b, _)| b).unwrap_or(base);
    format!("{base}/{name}{query}")
}

pub fn test_config(db: &TestDb) -> Config {
    Config { database_url: db.url.clone(), bind: "127.0.0.1:0".into(), ..Config::default() }
}

/// `config` with some of the site's settings changed.
pub fn with_site(mut config: Config, change: impl FnOnce(&mut app::backend::state::SiteSettings)) -> Config {
    change(&mut config.site);
    config
}

/// The audit event a test fixture's account is created with.
pub fn fixture_event(username: &str) -> app::backend::store::audit::NewEvent {
    use app::backend::service::audit::{event, Actor, AuditAction, Target};
    event(Actor::System, AuditAction::UserCreated, Target::user(0, username), serde_json::json!({"by": "test_fixture"}))
}

/// Longer than anything a test server should take: a server start or a
/// request through [`Client`] that takes longer fails the test (the
/// request's error names its URL) rather than hanging it.
pub const HANG_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

pub struct TestServer {
    pub base: String,
    pub running: Running,
    pub admin_password: Option<String>,
}

impl TestServer {
    pub async fn start(config: &Config) -> TestServer {
        // Bounded, so a start that waits forever (e.g. on a database lock)
        // fails here, by name, instead of running into CI's time limit.
        let running = tokio::time::timeout(HANG_LIMIT, gatehouse_server::start(config))
            .await
            .expect("the server started within the hang limit")
            .expect("server starts");
        let admin_password = running.first_admin.as_ref().and_then(|a| a.generated_password.clone());
        TestServer { base: format!("http://{}", running.addr), running, admin_password }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn state(&self) -> &app::backend::AppState {
        &self.running.state
    }

    /// Signs in the first admin and replaces the one-time password with `new_password`.
    pub async fn admin_client(&self, new_password: &str) -> Client {
        let client = Client::new(&self.base);
        let res = client.login("admin", self.admin_password.as_deref().expect("generated password")).await;
        assert_eq!(res.status(), 200);
        let res = client.change_password(self.admin_password.as_deref().unwrap(), new_password).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap_or_default());
        client
    }

    /// Creates an ordinary, enabled user through the store.
    pub async fn create_user(&self, username: &str, password: &str) -> i64 {
        let hash = self.state().hasher.hash(password).await.unwrap();
        let new = app::backend::store::users::NewUser {
            username,
            display_name: None,
            email: None,
            password_hash: &hash,
            must_change_password: false,
            roles: &["user"],
        };
        app::backend::store::users::insert(&self.state().db, &new, fixture_event(username)).await.unwrap()
    }

    pub async fn execute(&self, sql: &str) {
        app::on_db!(&self.state().db, |pool| sqlx::query(sql).execute(pool).await.map(|_| ())).unwrap();
    }
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub struct Client {
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HANG_LIMIT)
            .build()
            .unwrap();
        Client { http, jar, base: base.to_string() }
    }

    /// The `Cookie` header this client would send.
    pub fn cookie_header(&self) -> Option<String> {
        let url = self.base.parse().unwrap();
        self.jar.cookies(&url).map(|v| v.to_str().unwrap().to_string())
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(format!("{}{path}", self.base)).form(form).send().await.unwrap()
    }

    /// Posts `form` to the server function at `/api/{function}` as a
    /// browser without JavaScript does (and as the plain pages' script
    /// does): HTML accepted, `page` as referer. The status and `Location`.
    pub async fn post_as_form(&self, function: &str, page: &str, form: &impl serde::Serialize) -> (reqwest::StatusCode, String) {
        let res = self
            .http
            .post(format!("{}/api/{function}", self.base))
            .header("accept", "text/html")
            .header("referer", format!("{}{page}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
        (res.status(), location)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_form("/api/login", &[("username", username), ("password", password), ("next", "")]).await
    }

    pub async fn logout(&self) -> reqwest::Response {
        self.post_form("/api/logout", &[]).await
    }

    pub async fn change_password(&self, current: &str, new: &str) -> reqwest::Response {
        let form = [("current_password", current), ("new_password", new), ("confirm_password", new)];
        self.post_form("/api/change_password", &form).await
    }

    /// `whoami`'s answer: the signed-in username, or `None`.
    pub async fn whoami(&self) -> Option<String> {
        let res = self.post_form("/api/whoami", &[]).await;
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        body.get("username").and_then(|u| u.as_str()).map(str::to_owned)
    }
}

/// Sends a request with exactly this `Cookie` header (no jar).
pub async fn whoami_with_cookie(base: &str, cookie: &str) -> Option<String> {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/whoami"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    body.get("username").and_then(|u| u.as_str()).map(str::to_owned)
}

impl Client {
    /// Calls a server function with its argument struct, encoded the way the
    /// browser's generated client encodes it (a query-string form).
    pub async fn call<A: serde::Serialize>(&self, path: &str, args: &A) -> reqwest::Response {
        let body = serde_qs::to_string(args).expect("encode server function arguments");
        self.http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }
}

impl TestServer {
    /// Inserts `count` users named `{prefix}{n}` with one shared password hash
    /// (hashing once keeps big fixtures fast).
    pub async fn create_many_users(&self, prefix: &str, count: usize, password: &str) {
        let hash = self.state().hasher.hash(password).await.unwrap();
        for n in 0..count {
            let username = format!("{prefix}{n:03}");
            let email = format!("{username}@example.org");
            let new = app::backend::store::users::NewUser {
                username: &username,
                display_name: Some("Fixture Person"),
                email: Some(&email),
                password_hash: &hash,
                must_change_password: false,
                roles: &["user"],
            };
            app::backend::store::users::insert(&self.state().db, &new, fixture_event(&username)).await.unwrap();
        }
    }
}

/// A REST caller with HTTP Basic credentials; clones share one connection
/// pool, so many calls can be in flight at once.
#[derive(Clone)]
pub struct Rest {
    pub http: reqwest::Client,
    pub base: String,
    pub user: String,
    pub password: String,
}

impl Rest {
    pub fn new(base: &str, user: &str, password: &str) -> Rest {
        Rest { http: reqwest::Client::new(), base: base.to_string(), user: user.to_string(), password: password.to_string() }
    }

    /// Sends `body` as JSON (`Null`: no body) and returns the status and the JSON (or text) answer.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: &serde_json::Value) -> (reqwest::StatusCode, serde_json::Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).basic_auth(&self.user, Some(&self.password));
        if !body.is_null() {
            req = req.json(body);
        }
        status_and_body(req.send().await.unwrap()).await
    }
}

/// A response's status and its body as JSON, or as a JSON string when it is not JSON.
/// A server function call with an exact `Authorization` header instead of a session.
pub async fn authorized_call<A: serde::Serialize>(server: &TestServer, auth: &str, function: &str, args: &A) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url(function))
        .header("authorization", auth)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_qs::to_string(args).expect("encode server function arguments"))
        .timeout(HANG_LIMIT)
        .send()
        .await
        .unwrap()
}

pub async fn status_and_body(res: reqwest::Response) -> (reqwest::StatusCode, serde_json::Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

/// Rate limits count per clock minute: a test that fills one waits for a
/// fresh minute when fewer than `needed_secs` seconds are left in this one,
/// so its requests all land in the same window.
pub async fn within_one_rate_window(needed_secs: u64) {
    let now = app::backend::time::now_ms();
    let left_ms = 60_000 - now.rem_euclid(60_000);
    if left_ms < (needed_secs * 1000) as i64 {
        tokio::time::sleep(std::time::Duration::from_millis(left_ms as u64 + 50)).await;
    }
}
