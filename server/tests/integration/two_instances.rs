//! Two `gatehouse` server processes on one PostgreSQL database behave as one
//! site: a session revoked or a user disabled on A is refused on B at its
//! next request; the per-address sign-in limit and the lockout count across
//! both; a settings change on A is in force on B within the settings cache
//! (2 s); two concurrent edits of one user, one per instance, give one 200
//! and one 409; an email is sent once; the hourly sweep runs once.
//! PostgreSQL leg only (several instances need PostgreSQL).

use crate::common::smtp::SmtpSink;
use crate::common::*;
use futures_util::future::join;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "two-instances-admin-1";
const RATE_LIMIT: i64 = 12;

/// One server process; killed when dropped.
struct Instance {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in the server's "listening" log line (`addr=127.0.0.1:PORT`).
fn listening_addr(log: &str) -> Option<String> {
    let line = log.lines().find(|l| l.contains("listening"))?;
    let start = line.find("127.0.0.1:")?;
    let addr: String = line[start..].chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':').collect();
    (addr.len() > "127.0.0.1:".len()).then_some(addr)
}

impl Instance {
    async fn start(database_url: &str, smtp: &str, data_dir: &std::path::Path, name: &str) -> Instance {
        let log = data_dir.join(format!("{name}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .env("DATABASE_URL", database_url)
            .env_remove("GATEHOUSE_DATABASE_URL")
            // Port 0: the system picks a free port, read back from the log.
            .env("GATEHOUSE_BIND", "127.0.0.1:0")
            .env("GATEHOUSE_ADMIN_PASSWORD", PASSWORD)
            .env("GATEHOUSE_SMTP_URL", smtp)
            .env("GATEHOUSE_MAIL_RETRY_SECONDS", "1")
            .env("GATEHOUSE_DATA_DIR", data_dir)
            .env("GATEHOUSE_LOGIN_RATE_LIMIT", RATE_LIMIT.to_string())
            .env("GATEHOUSE_LOCKOUT_THRESHOLD", "3")
            .env("GATEHOUSE_LOG_LEVEL", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start gatehouse");
        let mut instance = Instance { child, base: String::new(), log };
        for _ in 0..300 {
            if let Some(addr) = listening_addr(&std::fs::read_to_string(&instance.log).unwrap_or_default()) {
                instance.base = format!("http://{addr}");
                if reqwest::get(format!("{}/readyz", instance.base)).await.is_ok_and(|r| r.status() == 200) {
                    return instance;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{name} did not start: {}", std::fs::read_to_string(&instance.log).unwrap_or_default());
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// A signed-in admin browser on `base`.
async fn admin_browser(base: &str) -> Client {
    let client = Client::new(base);
    assert_eq!(client.login("admin", PASSWORD).await.status(), 200);
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_act_as_one_site() {
    let Some(db) = test_databases().await.into_iter().find(|db| db.label == "postgres") else { return };
    let sink = SmtpSink::start().await;
    let data = tempfile::tempdir().unwrap();
    let a = Instance::start(&db.url, &sink.url(), data.path(), "a").await;
    let b = Instance::start(&db.url, &sink.url(), data.path(), "b").await;
    let started = Instant::now();
    let admin_a = Rest::new(&a.base, "admin", PASSWORD);
    let (status, body) = admin_a
        .send(Method::POST, "/users", &json!({"userName": "ulla", "password": "ulla-password-1", "email": "ulla@example.org"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // A session opened on A works on B, and ends on B when A revokes it.
    let ulla = Client::new(&a.base);
    assert_eq!(ulla.login("ulla", "ulla-password-1").await.status(), 200);
    let cookie = ulla.cookie_header().unwrap();
    assert_eq!(whoami_with_cookie(&b.base, &cookie).await.as_deref(), Some("ulla"));
    let (status, _) = admin_a.send(Method::DELETE, "/xapi/users/active/ulla", &Value::Null).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(whoami_with_cookie(&b.base, &cookie).await, None, "a session revoked on A is refused on B");

    // A user disabled on A is refused on B at once, though B knew the credential.
    let ulla_on_b = Rest::new(&b.base, "ulla", "ulla-password-1");
    assert_eq!(ulla_on_b.send(Method::GET, "/users/meta", &Value::Null).await.0, StatusCode::OK);
    let admin_web_a = admin_browser(&a.base).await;
    let res = admin_web_a.call("/api/admin/users/enable", &json!({"username": "ulla", "enabled": false})).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_ne!(ulla_on_b.send(Method::GET, "/users/meta", &Value::Null).await.0, StatusCode::OK, "a user disabled on A is refused on B");
    let res = admin_web_a.call("/api/admin/users/enable", &json!({"username": "ulla", "enabled": true})).await;
    assert_eq!(res.status(), 200);

    // A settings change on A is in force on B within the settings cache's 2 s.
    let mut form: Value = admin_web_a.call("/api/admin/settings/get", &json!({})).await.json().await.unwrap();
    form["registration_open"] = json!(true);
    let res = admin_web_a.call("/api/admin/settings/save", &json!({"form": form})).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let saved = Instant::now();
    let visitor_b = Client::new(&b.base);
    loop {
        let info: Value = visitor_b.post_form("/api/site_info", &[]).await.json().await.unwrap();
        if info["registration_open"] == json!(true) {
            break;
        }
        assert!(saved.elapsed() < Duration::from_millis(2_500), "B still has the old setting after {:?}", saved.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Two edits of one user at once, one per instance, from the same page version.
    let admin_web_b = admin_browser(&b.base).await;
    let (edit, _facts): (Value, Value) = admin_web_a.call("/api/admin/users/get", &json!({"username": "ulla"})).await.json().await.unwrap();
    let (mut on_a, mut on_b) = (edit.clone(), edit);
    on_a["display_name"] = json!("Ulla from A");
    on_b["display_name"] = json!("Ulla from B");
    let (res_a, res_b) = join(
        admin_web_a.call("/api/admin/users/save", &json!({"edit": on_a})),
        admin_web_b.call("/api/admin/users/save", &json!({"edit": on_b})),
    )
    .await;
    let mut statuses = [res_a.status().as_u16(), res_b.status().as_u16()];
    let winner = if res_a.status() == 200 { "Ulla from A" } else { "Ulla from B" };
    statuses.sort();
    assert_eq!(statuses, [200, 409], "one edit lands, the other is told it is stale");
    let (saved, _): (Value, Value) = admin_web_b.call("/api/admin/users/get", &json!({"username": "ulla"})).await.json().await.unwrap();
    assert_eq!(saved["display_name"], winner, "the edit that got 200 is the one kept");

    // One recovery email, queued on A, is sent once though both instances deliver mail.
    let res = Client::new(&a.base).call("/api/recover", &json!({"identifier": "ulla@example.org", "kind": "password"})).await;
    assert_eq!(res.status(), 200);
    sink.wait_for("ulla@example.org", "").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(sink.mails_to("ulla@example.org").len(), 1, "the email is sent once");

    // The lockout and the per-address limit count across both instances.
    within_one_rate_window(30).await;
    for (n, base) in [&a.base, &b.base, &a.base].into_iter().enumerate() {
        assert_eq!(Client::new(base).login("ulla", "wrong-password").await.status(), 401, "wrong password {n}");
    }
    let res = Client::new(&b.base).login("ulla", "ulla-password-1").await;
    assert_eq!(res.status(), 401, "three wrong passwords across A and B lock the account on B");
    let mut failures = 4;
    loop {
        let base = if failures % 2 == 0 { &a.base } else { &b.base };
        let status = Client::new(base).login(&format!("ghost{failures}"), "wrong-password").await.status();
        if status == 429 {
            break;
        }
        assert_eq!(status, 401);
        failures += 1;
        assert!(failures <= RATE_LIMIT, "no 429 after {failures} failures across A and B");
    }
    assert_eq!(failures, RATE_LIMIT, "the limit of {RATE_LIMIT} a minute is reached across A and B together");
    for base in [&a.base, &b.base] {
        assert_eq!(Client::new(base).login("ghost", "wrong-password").await.status(), 429);
    }

    // The hourly sweep's first run is a minute after start: one instance runs it.
    let first_sweep = Duration::from_secs(66);
    if let Some(wait) = first_sweep.checked_sub(started.elapsed()) {
        tokio::time::sleep(wait).await;
    }
    let runs = a.log_text().matches("hourly sweep ran").count() + b.log_text().matches("hourly sweep ran").count();
    assert_eq!(runs, 1, "the hourly sweep ran {runs} times:\nA:\n{}\nB:\n{}", a.log_text(), b.log_text());
}
