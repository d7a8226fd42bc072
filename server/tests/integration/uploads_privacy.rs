//! Hardening through the real doors: upload size and free-space limits,
//! abandoned uploads, who sees members' email addresses, one-time links in
//! the outbox, CSV cells a spreadsheet would run, tokens in the request
//! log, field names in registry errors, and the body limit's 413 as JSON.


use crate::common::smtp::SmtpSink;
use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const PASSWORD: &str = "hardening-password-1";

fn config(db: &TestDb, data_dir: &Path) -> Config {
    with_site(Config { admin_password: Some(PASSWORD.into()), ..test_config(db) }, |s| { s.data_dir = data_dir.into(); })
}

async fn users_with_email(server: &TestServer, names: &[&str]) {
    for name in names {
        server.create_user(name, PASSWORD).await;
        let sql = "UPDATE users SET email = $1, email_lower = $1 WHERE username = $2";
        let email = format!("{name}@example.org");
        app::on_db!(&server.state().db, |pool| sqlx::query(sql).bind(&email).bind(*name).execute(pool).await.map(|_| ())).unwrap();
    }
}

/// A REST request as `user` over HTTP Basic.
async fn rest(server: &TestServer, user: &str, method: Method, path: &str, body: Option<Vec<u8>>) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new().request(method, server.url(path)).basic_auth(user, Some(PASSWORD));
    if let Some(body) = body {
        req = req.body(body);
    }
    read(req.send().await.unwrap()).await
}

async fn read(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn signed_in(server: &TestServer, user: &str) -> Client {
    let client = Client::new(&server.base);
    assert_eq!(client.login(user, PASSWORD).await.status(), 200, "{user} signs in");
    client
}

/// `owner`'s public project `slug` with a dataset `ds`, and `others` in
/// the groups given.
async fn project_with(server: &TestServer, owner: &str, slug: &str, others: &[(&str, &str)]) {
    let body = json!({"slug": slug, "name": slug, "accessibility": "public"}).to_string().into_bytes();
    let req = reqwest::Client::new().post(server.url("/orgs")).basic_auth(owner, Some(PASSWORD)).header("content-type", "application/json");
    let (status, created) = read(req.body(body).send().await.unwrap()).await;
    assert_eq!(status, 201, "{created}");
    for (user, group) in others {
        let (status, body) = rest(server, owner, Method::PUT, &format!("/data/projects/{slug}/users/{group}/{user}"), None).await;
        assert_eq!(status, 200, "{body}");
    }
    let res = signed_in(server, owner).await.call("/api/projects/datasets/create", &json!({"slug": slug, "name": "ds", "description": ""})).await;
    assert_eq!(res.status(), 200);
}

fn entries(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

#[tokio::test]
async fn uploads_over_max_upload_mb_are_stopped_through_both_doors() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&with_site(config(&db, data.path()), |s| { s.max_upload_mb = 1; })).await;
        users_with_email(&server, &["owner"]).await;
        project_with(&server, "owner", "lab", &[]).await;
        let big = vec![5u8; 1_048_576 + 300_000];

        let (status, body) = rest(&server, "owner", Method::PUT, "/files/lab/ds/big.bin", Some(big.clone())).await;
        assert_eq!(status, 413, "[{}] {body}", db.label);
        assert_eq!(body["error"], "Files may be at most 1 MB; this upload is larger");
        // The dataset page uploads with its session cookie to the same path.
        let page = signed_in(&server, "owner").await;
        let res = page.http.put(server.url("/files/lab/ds/big.bin")).body(big).send().await.unwrap();
        assert_eq!(res.status(), 413, "[{}] the page's upload", db.label);
        assert_eq!((entries(&data.path().join("tmp")), entries(&data.path().join("files"))), (0, 0), "nothing kept");
        let listed = page.call("/api/projects/datasets/get", &json!({"slug": "lab", "name": "ds"})).await.json::<Value>().await.unwrap();
        assert_eq!(listed["files"], json!([]), "no row");

        let res = page.http.put(server.url("/files/lab/ds/small.bin")).body(vec![1u8; 1_048_576]).send().await.unwrap();
        assert_eq!(res.status(), 201, "exactly the limit fits");
    }
}

#[tokio::test]
async fn uploads_are_refused_while_the_disk_is_nearly_full() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&with_site(config(&db, data.path()), |s| { s.min_free_disk_mb = 1 << 40; })).await;
        users_with_email(&server, &["owner"]).await;
        project_with(&server, "owner", "lab", &[]).await;
        let (status, body) = rest(&server, "owner", Method::PUT, "/files/lab/ds/a.bin", Some(vec![1u8; 1000])).await;
        assert_eq!(status, 507, "[{}] {body}", db.label);
        assert_eq!(body["error"], app::backend::service::data::DISK_NEARLY_FULL);
        assert_eq!((entries(&data.path().join("tmp")), entries(&data.path().join("files"))), (0, 0));
    }
}

#[tokio::test]
async fn an_abandoned_upload_leaves_no_temporary_file() {
    use base64::Engine;
    use tokio::io::AsyncWriteExt;
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users_with_email(&server, &["owner"]).await;
        project_with(&server, "owner", "lab", &[]).await;
        let tmp = data.path().join("tmp");

        let mut socket = tokio::net::TcpStream::connect(server.running.addr).await.unwrap();
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("owner:{PASSWORD}"));
        let head = format!(
            "PUT /files/lab/ds/half.bin HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {basic}\r\nContent-Length: 10000000\r\n\r\n",
            server.running.addr
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(&vec![9u8; 1_000_000]).await.unwrap();
        socket.flush().await.unwrap();
        let mut started = false;
        for _ in 0..100 {
            if entries(&tmp) == 1 {
                started = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(started, "[{}] the upload is being written to tmp/", db.label);
        drop(socket);

        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(entries(&tmp), 0, "[{}] the partial file is gone within a second", db.label);
        assert_eq!(entries(&data.path().join("files")), 0);
    }
}

/// The same when whatever drives the upload stops polling it mid-stream
/// (a cancelled request future): the service's own door, on the real state.
#[tokio::test]
async fn a_cancelled_upload_leaves_no_temporary_file() {
    use base64::Engine;
    use futures_util::StreamExt;
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users_with_email(&server, &["owner"]).await;
        project_with(&server, "owner", "lab", &[]).await;
        let tmp = data.path().join("tmp");
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("owner:{PASSWORD}"));
        let owner = app::backend::auth::resolve::from_authorization(server.state(), &format!("Basic {basic}"), None).await.unwrap();
        let first = Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![3u8; 500_000]));
        let body = futures_util::stream::iter([first]).chain(futures_util::stream::pending());
        let mut upload = Box::pin(app::backend::service::data::upload(server.state(), Some(&owner), "lab", "ds", "cut.bin", body));
        tokio::select! {
            _ = &mut upload => panic!("the upload waits for more bytes"),
            _ = async { while entries(&tmp) == 0 { tokio::time::sleep(Duration::from_millis(10)).await } } => {}
        }
        drop(upload);
        assert_eq!(entries(&tmp), 0, "[{}] dropping the upload removes its partial file", db.label);
    }
}

/// The `email` of each member row in a listing, by login.
fn emails_in(rows: &Value, login: &str, email: &str) -> Vec<(String, String)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r[login].as_str().unwrap().to_string(), r[email].as_str().unwrap_or("").to_string()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// Members added by username keep their address from the owner (issue
/// 29: only joining by invitation or request shows it to owners;
/// `projects::member_emails_show_to_owners_by_how_members_joined`).
#[tokio::test]
async fn member_emails_show_only_to_owners_admins_and_themselves() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users_with_email(&server, &["boss", "mia", "carl"]).await;
        project_with(&server, "boss", "lab", &[("mia", "Members"), ("carl", "Collaborators")]).await;
        let all = pairs(&[("boss", "boss@example.org"), ("carl", "carl@example.org"), ("mia", "mia@example.org")]);

        let added = pairs(&[("boss", "boss@example.org"), ("carl", ""), ("mia", "")]);
        for (viewer, expected) in [
            ("boss", added.clone()),
            ("admin", all.clone()),
            ("mia", pairs(&[("boss", ""), ("carl", ""), ("mia", "mia@example.org")])),
            ("carl", pairs(&[("boss", ""), ("carl", "carl@example.org"), ("mia", "")])),
        ] {
            let people = signed_in(&server, viewer).await.call("/api/projects/people", &json!({"slug": "lab"})).await.json::<Value>().await.unwrap();
            assert_eq!(emails_in(&people["members"], "username", "email"), expected, "[{}] Users tab as {viewer}", db.label);
            let (status, xnat) = rest(&server, viewer, Method::GET, "/data/projects/lab/users?format=json", None).await;
            assert_eq!(status, 200);
            assert_eq!(emails_in(&xnat["ResultSet"]["Result"], "login", "email"), expected, "[{}] XNAT as {viewer}", db.label);
        }
        let (_, csv) = rest(&server, "mia", Method::GET, "/data/projects/lab/users?format=csv", None).await;
        let csv = csv.as_str().unwrap().to_string();
        assert_eq!(csv.lines().next().unwrap(), "role,login,firstname,lastname,email,GROUP_ID,displayname", "the column stays");
        assert!(csv.contains("owner,boss,,,,lab_owner,Owners") && !csv.contains("boss@example.org"), "{csv}");

        let (_, people) = rest(&server, "mia", Method::GET, "/data/users?format=json", None).await;
        let seen = emails_in(&people["ResultSet"]["Result"], "login", "email");
        assert_eq!(seen, pairs(&[("boss", ""), ("carl", ""), ("mia", "mia@example.org")]), "[{}] /data/users as a member", db.label);
        let (_, people) = rest(&server, "boss", Method::GET, "/data/users?format=json", None).await;
        assert_eq!(emails_in(&people["ResultSet"]["Result"], "login", "email"), added, "[{}] /data/users as the owner", db.label);
    }
}

/// Issue 29: a non-admin hears one answer for a miss and for an address
/// they may not look up; admins hear "No such user".
#[tokio::test]
async fn adding_an_unknown_address_says_no_such_user_like_an_unknown_username() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users_with_email(&server, &["boss", "mia"]).await;
        project_with(&server, "boss", "lab", &[]).await;
        let boss = signed_in(&server, "boss").await;
        const CANNOT: &str = "No user with that username or email can be added";
        for who in ["ghost@example.org", "ghost", "mia@elsewhere.org", "MIA@example.org"] {
            let (status, body) = read(boss.call("/api/projects/members/set", &json!({"slug": "lab", "user": who, "role": "Members"})).await).await;
            assert_eq!((status, body["NotFound"].clone()), (StatusCode::NOT_FOUND, json!(CANNOT)), "[{}] page, {who}", db.label);
            let (status, body) = rest(&server, "boss", Method::PUT, &format!("/data/projects/lab/users/Members/{who}"), None).await;
            assert_eq!((status, body), (StatusCode::NOT_FOUND, json!(CANNOT)), "[{}] XNAT, {who}", db.label);
        }
        let admin = signed_in(&server, "admin").await;
        let (status, body) = read(admin.call("/api/projects/members/set", &json!({"slug": "lab", "user": "ghost@example.org", "role": "Members"})).await).await;
        assert_eq!((status, body["NotFound"].clone()), (StatusCode::NOT_FOUND, json!("No such user: ghost@example.org")), "[{}] admin", db.label);
        let (status, body) = read(admin.call("/api/projects/members/set", &json!({"slug": "lab", "user": "MIA@example.org", "role": "Members"})).await).await;
        assert_eq!((status, body), (StatusCode::OK, json!("mia")), "an admin adds by a known address");
    }
}

/// Waits until the outbox row to `to` has `status`, and returns its stored body.
async fn outbox_body(admin: &Client, to: &str, status: &str) -> String {
    use app::api::outbox::{ListOutbox, OutboxBody};
    for _ in 0..150 {
        let page: app::model::OutboxPage = admin.call("/api/admin/outbox/list", &ListOutbox { before: None }).await.json().await.unwrap();
        if let Some(m) = page.items.into_iter().find(|m| m.to == to && m.status == status) {
            return admin.call("/api/admin/outbox/body", &OutboxBody { id: m.id }).await.json::<String>().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {status} message to {to}");
}

async fn ask_for_reset(server: &TestServer, username: &str) {
    use app::api::recovery::RequestRecovery;
    let ask = RequestRecovery { identifier: username.into(), kind: "reset".into() };
    assert_eq!(Client::new(&server.base).call("/api/recover", &ask).await.status(), 200);
}

#[tokio::test]
async fn sent_and_failed_messages_lose_their_links_pending_ones_keep_them() {
    const REMOVED: &str = "[link removed after sending]";
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        // No SMTP: the message waits, and its link stays for an admin to pass on.
        let waiting = TestServer::start(&config(&db, data.path())).await;
        users_with_email(&waiting, &["pat"]).await;
        ask_for_reset(&waiting, "pat").await;
        let body = outbox_body(&signed_in(&waiting, "admin").await, "pat@example.org", "pending").await;
        assert!(body.contains("/reset?token=") && !body.contains(REMOVED), "[{}] {body}", db.label);
        drop(waiting);

        let db2 = test_databases().await.into_iter().find(|d| d.label == db.label).unwrap();
        let sink = SmtpSink::start_down().await;
        let mailing = Config { smtp_url: Some(sink.url()), mail_max_attempts: 1, mail_retry_seconds: 1, ..config(&db2, data.path()) };
        let server = TestServer::start(&mailing).await;
        users_with_email(&server, &["pat", "sam"]).await;
        let admin = signed_in(&server, "admin").await;
        ask_for_reset(&server, "pat").await;
        let failed = outbox_body(&admin, "pat@example.org", "failed").await;
        assert!(failed.contains(REMOVED) && !failed.contains("token="), "[{}] failed for good: {failed}", db.label);
        assert!(failed.contains("Your username: pat"), "the rest of the text stays: {failed}");

        sink.come_up();
        ask_for_reset(&server, "sam").await;
        let delivered = sink.wait_for("sam@example.org", "password reset").await;
        assert!(delivered.body.contains("/reset?token="), "the recipient gets the link");
        let sent = outbox_body(&admin, "sam@example.org", "sent").await;
        assert!(sent.contains(REMOVED) && !sent.contains("token="), "[{}] sent: {sent}", db.label);
    }
}

#[tokio::test]
async fn xnat_csv_listings_defuse_formula_cells() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users_with_email(&server, &["boss"]).await;
        server.execute("UPDATE users SET display_name = '=cmd|x' WHERE username = 'boss'").await;
        let path = "/data/projects/lab?name=%2Bsum(1)&description=-2%2C%40x";
        let (status, body) = rest(&server, "boss", Method::PUT, path, None).await;
        assert_eq!(status, 201, "{body}");

        let (_, csv) = rest(&server, "boss", Method::GET, "/data/projects?format=csv", None).await;
        assert_eq!(csv.as_str().unwrap().lines().nth(1), Some("lab,lab,'+sum(1),\"'-2,@x\",,,/data/projects/lab"), "[{}]", db.label);
        let (_, csv) = rest(&server, "boss", Method::GET, "/data/users?format=csv", None).await;
        assert!(csv.as_str().unwrap().contains("\nboss,'=cmd|x,,boss@example.org,"), "[{}] {csv}", db.label);
        let (_, json) = rest(&server, "boss", Method::GET, "/data/projects?format=json", None).await;
        assert_eq!(json["ResultSet"]["Result"][0]["name"], "+sum(1)", "JSON values stay exact");
        let export = signed_in(&server, "admin").await.get("/admin/users/export.csv").await.text().await.unwrap();
        assert!(export.contains("\r\nboss,'=cmd|x,boss@example.org,"), "the admin export uses the same writer: {export}");
    }
}

#[tokio::test]
async fn invitation_tokens_stay_out_of_the_request_log() {
    let log = crate::common::log::captured_log();
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        let token = format!("secret{}", app::backend::auth::secrets::random_hex(8));
        let res = Client::new(&server.base).get(&format!("/invitations/{token}")).await;
        assert!(res.status() == 200 || res.status() == 404, "the invitation page answers: {}", res.status());
        let _ = Client::new(&server.base).get("/projects/visible-slug").await;
        let text = String::from_utf8_lossy(&log.lock().unwrap()).to_string();
        assert!(text.contains("path=/invitations/{token}"), "[{}] the route is logged: {text}", db.label);
        assert!(!text.contains(&token), "[{}] the token is not", db.label);
        assert!(text.contains("path=/projects/visible-slug"), "other paths are logged as they are");
    }
}

#[tokio::test]
async fn registry_errors_name_the_slug_field_as_the_request_did() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users_with_email(&server, &["boss"]).await;
        let post = |slug: &str| {
            let body = json!({"slug": slug, "name": "x"}).to_string();
            reqwest::Client::new().post(server.url("/orgs")).basic_auth("boss", Some(PASSWORD)).header("content-type", "application/json").body(body).send()
        };
        let (status, body) = read(post("-bad").await.unwrap()).await;
        assert_eq!(status, 400, "[{}]", db.label);
        assert_eq!(body["error"], "slug must be 2–64 letters, digits, _ or -, starting with a letter or digit");
        let (_, body) = read(post("").await.unwrap()).await;
        assert_eq!(body["error"], "slug is required");
        let page = signed_in(&server, "boss").await;
        let res = page.call("/api/projects/create", &json!({"slug": "-bad", "name": "", "description": "", "accessibility": ""})).await;
        let error: app::model::AppError = res.json().await.unwrap();
        assert!(error.message().starts_with("Project id must be"), "the page's form calls it Project id: {error:?}");
    }
}

#[tokio::test]
async fn bodies_over_the_limit_get_a_json_413() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        let huge = format!("{{\"username\": \"{}\", \"password\": \"x\"}}", "x".repeat(2 * 1024 * 1024));
        let res = reqwest::Client::new()
            .post(server.url("/users/authenticate"))
            .header("content-type", "application/json")
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 413, "[{}]", db.label);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"error": "Request body too large (limit 1 MiB)"}));
        let res = Client::new(&server.base).login("admin", &"x".repeat(2 * 1024 * 1024)).await;
        assert_eq!(res.status(), 413);
        assert_eq!(res.json::<Value>().await.unwrap()["error"], "Request body too large (limit 1 MiB)", "server functions too");
        let (status, body) = rest(&server, "admin", Method::PUT, "/data/projects/big", Some(huge.into_bytes())).await;
        assert_eq!((status, body), (StatusCode::PAYLOAD_TOO_LARGE, json!("Request body too large (limit 1 MiB)")), "XNAT paths answer in plain text");
    }
}
