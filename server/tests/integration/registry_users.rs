//! The registry's `/users` paths (seed 004, CONTRACTS.md §2) over HTTP,
//! with JSON and form bodies, every refusal, and JWT/Basic credentials.


use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const ADMIN_PASSWORD: &str = "admin-password-1";
const JWT_SECRET: &str = "test-secret-that-is-long-enough-0123456789";

fn config(db: &TestDb) -> Config {
    with_site(Config { admin_password: Some(ADMIN_PASSWORD.into()), jwt_secret: Some(JWT_SECRET.into()), ..test_config(db) }, |s| { s.storage_limiter = true; })
}

/// A script's view of the API: bearer token or none, no cookies.
struct Api {
    base: String,
    http: reqwest::Client,
    auth: Option<String>,
}

enum Payload<'a> {
    None,
    Json(Value),
    Form(&'a str),
    Raw(&'a str, &'a str),
}

impl Api {
    fn new(base: &str) -> Api {
        Api { base: base.into(), http: reqwest::Client::new(), auth: None }
    }

    fn with_token(base: &str, token: &str) -> Api {
        Api { auth: Some(format!("Bearer {token}")), ..Api::new(base) }
    }

    async fn send(&self, method: Method, path: &str, payload: Payload<'_>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(auth) = &self.auth {
            req = req.header("authorization", auth);
        }
        req = match payload {
            Payload::None => req,
            Payload::Json(v) => req.json(&v),
            Payload::Form(f) => req.header("content-type", "application/x-www-form-urlencoded").body(f.to_string()),
            Payload::Raw(ct, body) => req.header("content-type", ct).body(body.to_string()),
        };
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) })
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, Payload::None).await
    }
}

async fn token(base: &str, username: &str, password: &str) -> String {
    let form = format!("username={username}&password={password}");
    let (status, body) = Api::new(base).send(Method::POST, "/users/authenticate", Payload::Form(&form)).await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_string()
}

fn error(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

/// Each `curl` line of seed 004's user-management sections, as written there.
#[tokio::test]
async fn seed_004_curl_lines_work_unchanged() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let base = server.base.clone();

        // Login (form), as the seed's "Login" line.
        let (status, auth) = Api::new(&base)
            .send(Method::POST, "/users/authenticate", Payload::Form(&format!("username=admin&password={ADMIN_PASSWORD}")))
            .await;
        assert_eq!(status, 200, "{}", db.label);
        assert_eq!(auth["userName"], "admin");
        assert_eq!(auth["roles"], json!(["admin"]));
        assert!(auth["expires"].as_str().unwrap().ends_with('Z'));
        let admin = Api::with_token(&base, auth["token"].as_str().unwrap());

        let (status, created) = admin
            .send(Method::POST, "/users", Payload::Json(json!({
                "userName": "newuser", "email": "newuser@example.com",
                "password": "securepassword123", "roles": ["user"]
            })))
            .await;
        assert_eq!(status, 201, "{}: {created}", db.label);
        assert_eq!(created, json!({"userName": "newuser", "email": "newuser@example.com", "roles": ["user"], "organizations": []}));

        let (status, list) = admin.get("/users").await;
        assert_eq!(status, 200);
        let names: Vec<&str> = list.as_array().unwrap().iter().map(|u| u["userName"].as_str().unwrap()).collect();
        assert_eq!(names, ["admin", "newuser"]);
        assert_eq!(list[0]["email"], Value::Null);

        let (status, roles) = admin.send(Method::POST, "/users/roles", Payload::Json(json!({"roleName": "editor"}))).await;
        assert_eq!(status, 201);
        assert_eq!(roles, json!({"roleName": "editor"}));
        let (_, roles) = admin.get("/users/roles").await;
        assert_eq!(roles, json!(["admin", "all_data_access", "user", "editor"]));

        let (status, updated) = admin
            .send(Method::PUT, "/users/username".replace("username", "newuser").as_str(), Payload::Json(json!({
                "email": "newemail@example.com", "roles": ["user", "editor"]
            })))
            .await;
        assert_eq!(status, 200, "{updated}");
        assert_eq!(updated["email"], "newemail@example.com");
        assert_eq!(updated["roles"], json!(["editor", "user"]));

        let user = Api::with_token(&base, &token(&base, "newuser", "securepassword123").await);
        let (status, body) = user
            .send(Method::POST, "/users/changepwd", Payload::Form("oldPassword=securepassword123&newPassword=newSecurePassword"))
            .await;
        assert_eq!(status, 204, "{}: {body}", db.label);
        let (status, _) = user.get("/users/meta").await;
        assert_eq!(status, 401, "{}: tokens issued before a password change stop working", db.label);

        let (status, body) = admin
            .send(Method::PUT, "/users/newuser/changepwd", Payload::Json(json!({"currentPassword": null, "newPassword": "newSecurePassword2"})))
            .await;
        assert_eq!(status, 204, "{body}");
        let user = Api::with_token(&base, &token(&base, "newuser", "newSecurePassword2").await);

        let (status, meta) = admin.send(Method::POST, "/users/newuser/meta", Payload::Json(json!({"maxStorageMB": 10240}))).await;
        assert_eq!(status, 200);
        assert_eq!(meta, json!({"maxStorageMB": 10240}));
        let (status, meta) = admin
            .send(Method::POST, "/users/newuser/meta", Payload::Json(json!({
                "maxStorageMB": 10240, "department": "Engineering", "customField": "customValue"
            })))
            .await;
        assert_eq!(status, 200);
        assert_eq!(meta["department"], "Engineering");
        assert_eq!(user.get("/users/meta").await.1, meta);
        assert_eq!(admin.get("/users/newuser/meta").await.1, meta);

        let storage = json!({"total": 10737418240i64, "used": 0});
        assert_eq!(user.get("/users/storage").await.1, storage);
        assert_eq!(admin.get("/users/newuser/storage").await.1, storage);
        assert_eq!(admin.get("/users/storage").await.1, json!({"total": null, "used": 0}));

        let (status, detailed) = admin.get("/users/detailed").await;
        assert_eq!(status, 200);
        let newuser = &detailed[1];
        assert_eq!(newuser["storageQuota"], 10737418240i64);
        assert_eq!(newuser["storageUsed"], 0);
        assert_eq!(newuser["organizationCount"], 0);
        assert_eq!(newuser["datasetCount"], 0);
        assert!(newuser["createdDate"].as_str().unwrap().ends_with('Z'));
        assert_eq!(newuser["roles"], json!(["editor", "user"]));

        let (status, refreshed) = user.send(Method::POST, "/users/authenticate/refresh", Payload::None).await;
        assert_eq!(status, 200);
        assert_eq!(refreshed["userName"], "newuser");

        let (status, enabled) = Api::new(&base).get("/users/management-enabled").await;
        assert_eq!((status, enabled), (StatusCode::OK, json!(true)));

        let (status, body) = admin.send(Method::DELETE, "/users/roles/editor", Payload::None).await;
        assert_eq!(status, 409);
        assert_eq!(error(&body), "Role is assigned to 1 users");
        let (status, _) = admin.send(Method::DELETE, "/users/roles/editor?force=true", Payload::None).await;
        assert_eq!(status, 204);
        assert_eq!(admin.get("/users/roles").await.1, json!(["admin", "all_data_access", "user"]));

        let (status, _) = admin.send(Method::DELETE, "/users/newuser", Payload::None).await;
        assert_eq!(status, 204, "{}", db.label);
        assert_eq!(user.get("/users/meta").await.0, 401, "a deleted user's token dies");
        assert_eq!(admin.get("/users").await.1.as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn refusals_have_the_contract_status_and_message() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let base = server.base.clone();
        let admin = Api::with_token(&base, &token(&base, "admin", ADMIN_PASSWORD).await);
        let anonymous = Api::new(&base);

        // 401 without credentials, 403 for a non-admin.
        let (status, body) = anonymous.get("/users").await;
        assert_eq!(status, 401, "{}", db.label);
        assert_eq!(error(&body), "Please sign in");
        server.create_user("plain", "plain-password").await;
        let plain = Api::with_token(&base, &token(&base, "plain", "plain-password").await);
        let (status, body) = plain.get("/users").await;
        assert_eq!(status, 403);
        assert_eq!(error(&body), "Admin access required");
        assert_eq!(plain.send(Method::POST, "/users/roles", Payload::Json(json!({"roleName": "x1"}))).await.0, 403);
        assert_eq!(plain.get("/users/roles").await.0, 200, "any user lists roles");

        // Bodies: wrong type, malformed, missing fields, unknown fields ignored.
        let (status, body) = admin.send(Method::POST, "/users", Payload::Raw("text/plain", "userName=x")).await;
        assert_eq!(status, 415, "{body}");
        let (status, body) = admin.send(Method::POST, "/users", Payload::Raw("application/json", "{\"userName\": ")).await;
        assert_eq!(status, 400);
        assert!(error(&body).starts_with("Malformed JSON"), "{body}");
        let (status, body) = admin.send(Method::POST, "/users", Payload::Json(json!({"password": "long-enough-1"}))).await;
        assert_eq!(status, 400);
        assert_eq!(error(&body), "userName is required");
        let (status, body) = admin.send(Method::POST, "/users", Payload::Form("userName=formuser&password=short")).await;
        assert_eq!(status, 400);
        assert!(error(&body).contains("at least 8"), "{body}");
        let (status, body) = admin
            .send(Method::POST, "/users", Payload::Json(json!({"userName": "u1", "password": "long-enough-1"})))
            .await;
        assert_eq!(status, 400);
        assert!(error(&body).contains("3 to 50"), "{body}");
        let (status, body) = admin
            .send(Method::POST, "/users", Payload::Json(json!({"userName": "rolefan", "password": "long-enough-1", "roles": ["nope"]})))
            .await;
        assert_eq!(status, 400);
        assert_eq!(error(&body), "Unknown role: nope");
        let (status, body) = admin
            .send(Method::POST, "/users", Payload::Json(json!({"userName": "bademail", "password": "long-enough-1", "email": "not-an-email"})))
            .await;
        assert_eq!(status, 400, "{body}");

        // Form bodies with repeated keys; "isAdmin" grants nothing.
        let (status, created) = admin
            .send(Method::POST, "/users", Payload::Form("userName=Formuser&password=long-enough-1&email=f%40example.org&roles=user&roles=all_data_access&isAdmin=true"))
            .await;
        assert_eq!(status, 201, "{}: {created}", db.label);
        assert_eq!(created["roles"], json!(["all_data_access", "user"]));

        // Conflicts: duplicate username in another case, duplicate email.
        let (status, body) = admin
            .send(Method::POST, "/users", Payload::Json(json!({"userName": "FORMUSER", "password": "long-enough-1"})))
            .await;
        assert_eq!((status, error(&body)), (StatusCode::CONFLICT, "Username already exists"));
        let (status, body) = admin
            .send(Method::POST, "/users", Payload::Json(json!({"userName": "other", "password": "long-enough-1", "email": "F@EXAMPLE.ORG"})))
            .await;
        assert_eq!((status, error(&body)), (StatusCode::CONFLICT, "Email already in use"));

        // Paths match usernames in any case; unknown users are 404.
        assert_eq!(admin.send(Method::PUT, "/users/FORMUSER", Payload::Json(json!({"email": ""}))).await.1["email"], Value::Null);
        let (status, body) = admin.send(Method::PUT, "/users/nobody", Payload::Json(json!({}))).await;
        assert_eq!(status, 404);
        assert_eq!(error(&body), "No such user: nobody");

        // The last admin and self-deletion.
        let (status, body) = admin.send(Method::PUT, "/users/admin", Payload::Json(json!({"roles": ["user"]}))).await;
        assert_eq!(status, 409);
        assert!(error(&body).contains("last enabled admin"), "{body}");
        let (status, body) = admin.send(Method::DELETE, "/users/admin", Payload::None).await;
        assert_eq!((status, error(&body)), (StatusCode::CONFLICT, "You cannot delete your own account"));

        // Roles: built-in, unknown, duplicate, invalid.
        assert_eq!(admin.send(Method::DELETE, "/users/roles/admin", Payload::None).await.0, 400);
        assert_eq!(admin.send(Method::DELETE, "/users/roles/admin?force=true", Payload::None).await.0, 400);
        assert_eq!(admin.send(Method::DELETE, "/users/roles/ghost", Payload::None).await.0, 404);
        assert_eq!(admin.send(Method::POST, "/users/roles", Payload::Form("roleName=Curator")).await.0, 201);
        let (status, body) = admin.send(Method::POST, "/users/roles", Payload::Json(json!({"roleName": "curator"}))).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(admin.send(Method::POST, "/users/roles", Payload::Json(json!({"roleName": "a b"}))).await.0, 400);

        // Metadata: JSON only, validated, null deletes.
        assert_eq!(admin.send(Method::POST, "/users/formuser/meta", Payload::Form("maxStorageMB=5")).await.0, 415);
        let (status, body) = admin.send(Method::POST, "/users/formuser/meta", Payload::Json(json!({"maxStorageMB": -1}))).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(admin.send(Method::POST, "/users/formuser/meta", Payload::Json(json!({"roles": "x"}))).await.0, 400);
        admin.send(Method::POST, "/users/formuser/meta", Payload::Json(json!({"a": 1, "b": 2}))).await;
        let (_, meta) = admin.send(Method::POST, "/users/formuser/meta", Payload::Json(json!({"a": null}))).await;
        assert_eq!(meta, json!({"b": 2}));

        // changepwd: a wrong old password is 400.
        let (status, body) = plain
            .send(Method::POST, "/users/changepwd", Payload::Json(json!({"oldPassword": "wrong", "newPassword": "plain-password-2"})))
            .await;
        assert_eq!(status, 400, "{body}");
    }
}

#[tokio::test]
async fn credentials_jwt_and_basic() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let base = server.base.clone();
        server.create_user("scripter", "scripter-password").await;

        // Wrong credentials: byte-identical for unknown users.
        let anonymous = Api::new(&base);
        let wrong = anonymous.send(Method::POST, "/users/authenticate", Payload::Form("username=scripter&password=nope")).await;
        let unknown = anonymous.send(Method::POST, "/users/authenticate", Payload::Json(json!({"username": "ghost", "password": "nope"}))).await;
        assert_eq!(wrong.0, 401, "{}", db.label);
        assert_eq!(wrong, unknown);
        assert_eq!(error(&wrong.1), "Invalid username or password");

        // An Authorization header is ignored when signing in, and any letter case works.
        let stale = Api::with_token(&base, "not-a-token");
        let (status, _) = stale.send(Method::POST, "/users/authenticate", Payload::Form("username=SCRIPTER&password=scripter-password")).await;
        assert_eq!(status, 200);
        // Elsewhere a bad credential is 401, even on an anonymous path.
        let (status, body) = stale.get("/users/management-enabled").await;
        assert_eq!(status, 401);
        assert_eq!(error(&body), "Invalid or expired token");

        let jwt = token(&base, "scripter", "scripter-password").await;
        let api = Api::with_token(&base, &jwt);
        assert_eq!(api.get("/users/meta").await.0, 200);

        // Tampered and expired tokens.
        let mut tampered = jwt.clone();
        tampered.pop();
        tampered.push(if jwt.ends_with('A') { 'E' } else { 'A' }); // A and E differ in data bits; the last character's two low bits are padding
        assert_eq!(Api::with_token(&base, &tampered).get("/users/meta").await.0, 401);
        let (_, user) = Api::with_token(&base, &jwt).get("/users/meta").await;
        assert!(user.is_object());
        let expired = jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &json!({"sub": "scripter", "uid": 2, "gen": 0, "iat": 1, "exp": 2}),
            &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
        )
        .unwrap();
        assert_eq!(Api::with_token(&base, &expired).get("/users/meta").await.0, 401);
        let forged = jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &json!({"sub": "admin", "uid": 1, "gen": 0, "iat": 1, "exp": 4_000_000_000i64}),
            &jsonwebtoken::EncodingKey::from_secret(b"some-other-secret-of-enough-length!!"),
        )
        .unwrap();
        assert_eq!(Api::with_token(&base, &forged).get("/users").await.0, 401);

        // HTTP Basic works, and its failures count toward the lockout.
        let basic = |user: &str, pass: &str| Api {
            auth: Some(format!("Basic {}", base64_encode(&format!("{user}:{pass}")))),
            ..Api::new(&base)
        };
        assert_eq!(basic("scripter", "scripter-password").get("/users/meta").await.0, 200);
        let (status, body) = basic("scripter", "wrong").get("/users/meta").await;
        assert_eq!((status, error(&body)), (StatusCode::UNAUTHORIZED, "Invalid username or password"));
        assert_eq!(basic("admin", ADMIN_PASSWORD).get("/users").await.0, 200);

        // Disabling a user ends their tokens at once.
        server.execute("UPDATE users SET enabled = FALSE WHERE username = 'scripter'").await;
        assert_eq!(api.get("/users/meta").await.0, 401, "{}", db.label);
        let (status, body) = anonymous.send(Method::POST, "/users/authenticate", Payload::Form("username=scripter&password=scripter-password")).await;
        assert_eq!(status, 403);
        assert!(error(&body).contains("disabled"));
    }
}

fn base64_encode(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (chunk[0] as u32) << 16 | (*chunk.get(1).unwrap_or(&0) as u32) << 8 | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
