//! What the project-area tests share: a site with quotas on, callers of
//! both doors (`Actor`), a project with its groups and a dataset, uploads,
//! and the mail a test site sends.

use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const PASSWORD: &str = "project-password-1";

pub fn config(db: &TestDb, data_dir: &std::path::Path) -> Config {
    with_site(Config { admin_password: Some(PASSWORD.into()), ..test_config(db) }, |s| { s.storage_limiter = true; s.require_login = false; s.data_dir = data_dir.into(); })
}

/// A caller of both doors: a cookie session (server functions) and the
/// same identity over HTTP Basic (REST), or a guest with neither.
pub struct Actor {
    pub name: &'static str,
    pub client: Client,
    pub basic: Option<String>,
}

impl Actor {
    pub async fn signed_in(server: &TestServer, name: &'static str) -> Actor {
        let client = Client::new(&server.base);
        assert_eq!(client.login(name, PASSWORD).await.status(), 200, "{name} signs in");
        Actor { name, client, basic: Some(format!("{name}:{PASSWORD}")) }
    }

    pub fn guest(server: &TestServer) -> Actor {
        Actor { name: "guest", client: Client::new(&server.base), basic: None }
    }

    pub async fn call(&self, path: &str, args: &Value) -> (StatusCode, Value) {
        let res = self.client.call(path, args).await;
        read(res).await
    }

    pub async fn rest(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> (StatusCode, Value) {
        let mut req = reqwest::Client::new().request(method, format!("{}{path}", self.client.base));
        if let Some(basic) = &self.basic {
            let (user, pass) = basic.split_once(':').unwrap();
            req = req.basic_auth(user, Some(pass));
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        read(req.send().await.unwrap()).await
    }

    pub async fn json(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        self.rest_with(method, path, |r| r.json(&body)).await
    }

    pub async fn rest_with(&self, method: Method, path: &str, f: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder) -> (StatusCode, Value) {
        let mut req = reqwest::Client::new().request(method, format!("{}{path}", self.client.base));
        if let Some(basic) = &self.basic {
            let (user, pass) = basic.split_once(':').unwrap();
            req = req.basic_auth(user, Some(pass));
        }
        read(f(req).send().await.unwrap()).await
    }
}

pub async fn read(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

pub async fn users(server: &TestServer, names: &[&str]) {
    for name in names {
        server.create_user(name, PASSWORD).await;
    }
}

/// Creates a project as `owner` through REST, with `member` and `collab`
/// in its groups.
pub async fn project(owner: &Actor, slug: &str, accessibility: &str) {
    let (status, body) = owner
        .json(Method::POST, "/orgs", json!({"slug": slug, "name": slug, "description": "d", "accessibility": accessibility}))
        .await;
    assert_eq!(status, 201, "{body}");
    for (user, group) in [("member", "Members"), ("collab", "Collaborators")] {
        let (status, body) = owner.rest(Method::PUT, &format!("/data/projects/{slug}/users/{group}/{user}"), None).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = owner.call("/api/projects/datasets/create", &json!({"slug": slug, "name": "ds", "description": ""})).await;
    assert_eq!(status, 200, "{body}");
}

pub async fn upload(actor: &Actor, slug: &str, file: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    actor.rest(Method::PUT, &format!("/files/{slug}/ds/{file}"), Some(bytes)).await
}

/// Bodies of the messages delivered to `to` over SMTP, oldest first, once
/// at least `count` have arrived (waiting up to 20 s).
pub async fn mail_to(sink: &crate::common::smtp::SmtpSink, to: &str, count: usize) -> Vec<String> {
    for _ in 0..200 {
        let mails = sink.mails_to(to);
        if mails.len() >= count {
            return mails.into_iter().map(|m| m.body).collect();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("fewer than {count} mails to {to}: {:?}", sink.mails_to(to));
}

/// A server whose mail goes to a real SMTP server on loopback.
pub async fn server_with_mail(db: &TestDb, data: &std::path::Path) -> (TestServer, crate::common::smtp::SmtpSink) {
    let sink = crate::common::smtp::SmtpSink::start().await;
    let server = TestServer::start(&Config { smtp_url: Some(sink.url()), ..config(db, data) }).await;
    (server, sink)
}

pub async fn set_email(server: &TestServer, user: &str, email: &str) {
    let sql = "UPDATE users SET email = $1, email_lower = $1 WHERE username = $2";
    app::on_db!(&server.state().db, |pool| sqlx::query(sql).bind(email).bind(user).execute(pool).await.map(|_| ())).unwrap();
}

pub async fn storage(actor: &Actor) -> Value {
    actor.rest(Method::GET, "/users/storage", None).await.1
}

/// The home page's summary for `actor`.
pub async fn home(actor: &Actor) -> Value {
    let (status, body) = actor.call("/api/home", &json!({})).await;
    assert_eq!(status, 200, "{body}");
    body
}
