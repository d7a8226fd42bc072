//! Alias tokens, personal access tokens and service keys (SPEC §4,
//! CONTRACTS.md §3 and §5) through the real router, on SQLite and
//! PostgreSQL: issue, use, limits of what a token may do, and every way a
//! credential ends.


use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::Method;
use serde_json::{json, Value};

const ADMIN_PASSWORD: &str = "admin-password-1";

async fn server_on(db: &TestDb) -> TestServer {
    let server = TestServer::start(&Config { admin_password: Some(ADMIN_PASSWORD.into()), ..test_config(db) }).await;
    server.create_user("lena", "lena-password").await;
    server.create_user("max", "max-password").await;
    server
}

/// A request with an exact `Authorization` header.
async fn with_auth(server: &TestServer, auth: &str, method: Method, path: &str, body: Option<Value>) -> (reqwest::StatusCode, Value) {
    let mut req = reqwest::Client::new().request(method, server.url(path)).header("authorization", auth);
    if let Some(body) = body {
        req = req.json(&body);
    }
    status_and_body(req.send().await.unwrap()).await
}

fn basic(user: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}")))
}

/// The same secret with its last character changed (never equal to it,
/// whatever that character was).
fn with_last_char_changed(secret: &str) -> String {
    let (head, last) = secret.split_at(secret.len() - 1);
    format!("{head}{}", if last == "0" { '1' } else { '0' })
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// `GET /xapi/users/active/lena` with only this cookie (JSESSIONID counts on XNAT paths).
async fn own_sessions_with_cookie(server: &TestServer, cookie: &str) -> u16 {
    let res = reqwest::Client::new().get(server.url("/xapi/users/active/lena")).header("cookie", cookie).send().await.unwrap();
    res.status().as_u16()
}

async fn issue_alias(server: &TestServer, user: &str, password: &str) -> (String, String) {
    let (status, body) = with_auth(server, &basic(user, password), Method::GET, "/data/services/tokens/issue", None).await;
    assert_eq!(status, 200, "{body}");
    (body["alias"].as_str().unwrap().to_string(), body["secret"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn alias_tokens_issue_work_as_basic_validate_and_invalidate() {
    for db in test_databases().await {
        let server = server_on(&db).await;
        let lena = basic("lena", "lena-password");
        let before = app::backend::time::now_ms();
        let (status, issued) = with_auth(&server, &lena, Method::GET, "/data/services/tokens/issue", None).await;
        assert_eq!(status, 200, "[{}] {issued}", db.label);
        let (alias, secret) = (issued["alias"].as_str().unwrap(), issued["secret"].as_str().unwrap());
        assert_eq!(secret.len(), 64);
        let expires = issued["estimatedExpirationTime"].as_i64().unwrap();
        assert!((expires - before - 48 * 3_600_000).abs() < 60_000, "48 hours by default: {expires}");
        assert!(issued["xdatUserId"].as_i64().is_some());
        let stored: Vec<String> = app::on_db!(&server.state().db, |pool| sqlx::query_scalar("SELECT secret_hash FROM alias_tokens")
            .fetch_all(pool)
            .await
            .unwrap());
        assert!(stored.iter().all(|h| h != secret && h.len() == 64), "stored as a keyed hash");

        // It works as HTTP Basic on the API, as lena, under both prefixes.
        let token = basic(alias, secret);
        for path in ["/data/projects?format=json", "/REST/projects?format=json", "/users/storage"] {
            let (status, body) = with_auth(&server, &token, Method::GET, path, None).await;
            assert_eq!(status, 200, "[{}] {path}: {body}", db.label);
        }
        let (_, sessions) = with_auth(&server, &token, Method::GET, "/xapi/users/active/lena", None).await;
        assert!(sessions.is_array(), "acts as lena: {sessions}");

        // Anyone signed in may validate it; a wrong secret is not valid.
        let max = basic("max", "max-password");
        let (status, body) = with_auth(&server, &max, Method::GET, &format!("/data/services/tokens/validate/{alias}/{secret}"), None).await;
        assert_eq!((status.as_u16(), body), (200, json!({"valid": "lena"})));
        let wrong = with_last_char_changed(secret);
        let (status, body) = with_auth(&server, &max, Method::GET, &format!("/data/services/tokens/validate/{alias}/{wrong}"), None).await;
        assert_eq!((status.as_u16(), body), (404, json!({"error": "Invalid or expired token"})));
        let (status, _) = with_auth(&server, &basic(alias, &wrong), Method::GET, "/users/storage", None).await;
        assert_eq!(status, 401, "a wrong secret is a wrong credential");

        // What an alias token may not do.
        for (method, path, body) in [
            (Method::GET, "/data/services/tokens/issue", None),
            (Method::POST, "/api/tokens", Some(json!({"name": "x", "expires_days": 30}))),
            (Method::PUT, "/api/service-keys/openai", Some(json!({"value": "mine-mine-mine-1"}))),
            (Method::POST, "/users/changepwd", Some(json!({"oldPassword": "lena-password", "newPassword": "lena-new-password-2"}))),
            (Method::POST, "/users/authenticate/refresh", None),
        ] {
            let (status, body) = with_auth(&server, &token, method.clone(), path, body).await;
            assert_eq!(status, 403, "[{}] {method} {path}: {body}", db.label);
        }
        assert_eq!(with_auth(&server, &lena, Method::GET, "/users/storage", None).await.0, 200, "lena's password still works");

        // A session opened with the alias token lasts only as long as the token.
        let res = reqwest::Client::new().get(server.url("/data/JSESSION")).header("authorization", &token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let session_id = res.text().await.unwrap();
        let cookie = format!("JSESSIONID={session_id}");
        assert_eq!(own_sessions_with_cookie(&server, &cookie).await, 200, "the session acts as lena");

        // Only the owner (or an admin) invalidates; then it is dead everywhere.
        let invalidate = format!("/data/services/tokens/invalidate/{alias}/{secret}");
        assert_eq!(with_auth(&server, &max, Method::DELETE, &invalidate, None).await.0, 404, "max cannot");
        let (status, body) = with_auth(&server, &lena, Method::DELETE, &invalidate, None).await;
        assert_eq!((status.as_u16(), body), (200, json!({"result": "OK"})));
        assert_eq!(with_auth(&server, &token, Method::GET, "/users/storage", None).await.0, 401);
        assert_eq!(with_auth(&server, &max, Method::GET, &format!("/data/services/tokens/validate/{alias}/{secret}"), None).await.0, 404);
        assert_eq!(own_sessions_with_cookie(&server, &cookie).await, 401, "[{}] the session opened with it ended", db.label);
    }
}

/// How many alias tokens exist.
async fn alias_count(server: &TestServer) -> i64 {
    app::on_db!(&server.state().db, |pool| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM alias_tokens").fetch_one(pool).await).unwrap()
}

/// A GET with exactly these headers (no jar).
async fn get_with(server: &TestServer, path: &str, headers: &[(&str, &str)]) -> (reqwest::StatusCode, Value) {
    let mut req = reqwest::Client::new().get(server.url(path));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    status_and_body(req.send().await.unwrap()).await
}

#[tokio::test]
async fn a_cross_site_page_cannot_issue_or_end_alias_tokens_with_the_users_cookie() {
    for db in test_databases().await {
        let label = db.label;
        let server = server_on(&db).await;
        let browser = Client::new(&server.base);
        assert_eq!(browser.login("lena", "lena-password").await.status(), 200);
        let session = browser.cookie_header().unwrap();
        let res = reqwest::Client::new().get(server.url("/data/JSESSION")).header("authorization", basic("lena", "lena-password")).send().await.unwrap();
        let jsession = format!("JSESSIONID={}", res.text().await.unwrap());
        let here = server.base.clone();
        let issue = "/data/services/tokens/issue";

        // What a link, form or <img> on another site makes the browser send.
        let refused: [&[(&str, &str)]; 5] = [
            &[("sec-fetch-site", "cross-site")],
            &[("sec-fetch-site", "same-site")],
            &[("sec-fetch-site", "cross-site"), ("referer", &here)],
            &[("origin", "https://evil.example")],
            &[("referer", "https://evil.example/page")],
        ];
        for cookie in [&session, &jsession] {
            for headers in refused {
                let all = [&[("cookie", cookie.as_str())], headers].concat();
                let (status, body) = get_with(&server, issue, &all).await;
                assert_eq!(status, 403, "[{label}] {headers:?}: {body}");
                assert!(body["error"].as_str().unwrap().starts_with("Cross-site request refused"), "[{label}] {body}");
            }
        }
        assert_eq!(alias_count(&server).await, 0, "[{label}] no token was made");

        // This site's pages, a typed address, and scripts (no browser headers) go on.
        let page = format!("{here}/account/keys");
        let allowed: [&[(&str, &str)]; 4] = [&[("sec-fetch-site", "same-origin")], &[("sec-fetch-site", "none")], &[("referer", &page)], &[]];
        for (n, headers) in allowed.into_iter().enumerate() {
            let cookie = if n % 2 == 0 { &session } else { &jsession };
            let all = [&[("cookie", cookie.as_str())], headers].concat();
            let (status, body) = get_with(&server, issue, &all).await;
            assert_eq!(status, 200, "[{label}] {headers:?}: {body}");
        }
        assert_eq!(alias_count(&server).await, 4, "[{label}]");
        // Basic (pyxnat, curl) is never refused, even marked cross-site.
        let lena = basic("lena", "lena-password");
        let (status, issued) = get_with(&server, issue, &[("authorization", &lena), ("sec-fetch-site", "cross-site")]).await;
        assert_eq!(status, 200, "[{label}] {issued}");
        assert_eq!(alias_count(&server).await, 5, "[{label}]");

        // Ending one by GET: refused cross-site (the token lives on), allowed same-origin.
        let (alias, secret) = (issued["alias"].as_str().unwrap(), issued["secret"].as_str().unwrap());
        let invalidate = format!("/data/services/tokens/invalidate/{alias}/{secret}");
        let validate = format!("/data/services/tokens/validate/{alias}/{secret}");
        let (status, _) = get_with(&server, &invalidate, &[("cookie", &session), ("sec-fetch-site", "cross-site")]).await;
        assert_eq!(status, 403, "[{label}]");
        assert_eq!(with_auth(&server, &lena, Method::GET, &validate, None).await.0, 200, "[{label}] still alive");
        let (status, _) = get_with(&server, &invalidate, &[("cookie", &session), ("sec-fetch-site", "same-origin")]).await;
        assert_eq!(status, 200, "[{label}]");
        assert_eq!(with_auth(&server, &lena, Method::GET, &validate, None).await.0, 404, "[{label}] ended");
    }
}

#[tokio::test]
async fn alias_tokens_die_at_expiry_on_password_change_and_when_disabled() {
    for db in test_databases().await {
        let server = server_on(&db).await;
        let admin = basic("admin", ADMIN_PASSWORD);

        // Admins issue for someone else; others may not.
        let (status, issued) = with_auth(&server, &admin, Method::GET, "/data/services/tokens/issue/user/lena", None).await;
        assert_eq!(status, 200, "{issued}");
        let for_lena = basic(issued["alias"].as_str().unwrap(), issued["secret"].as_str().unwrap());
        let (_, body) = with_auth(&server, &for_lena, Method::GET, "/xapi/users/active/lena", None).await;
        assert!(body.is_array(), "acts as lena: {body}");
        let (status, _) = with_auth(&server, &basic("max", "max-password"), Method::GET, "/data/services/tokens/issue/user/lena", None).await;
        assert_eq!(status, 403);
        assert_eq!(with_auth(&server, &admin, Method::GET, "/data/services/tokens/issue/user/nobody", None).await.0, 404);

        // Expired.
        let (alias, secret) = issue_alias(&server, "max", "max-password").await;
        server.execute(&format!("UPDATE alias_tokens SET expires_at = 1 WHERE alias = '{alias}'")).await;
        assert_eq!(with_auth(&server, &basic(&alias, &secret), Method::GET, "/users/storage", None).await.0, 401, "[{}] expired", db.label);

        // A password change ends it.
        let (alias, secret) = issue_alias(&server, "max", "max-password").await;
        let (status, _) = with_auth(&server, &admin, Method::PUT, "/users/max/changepwd", Some(json!({"newPassword": "max-new-password-2"}))).await;
        assert_eq!(status, 204);
        assert_eq!(with_auth(&server, &basic(&alias, &secret), Method::GET, "/users/storage", None).await.0, 401, "password changed");

        // Disabling ends it (and re-enabling does not bring it back).
        let admin_client = Client::new(&server.base);
        assert_eq!(admin_client.login("admin", ADMIN_PASSWORD).await.status(), 200);
        let set_enabled = |enabled: bool| app::api::users::SetUserEnabled { username: "lena".into(), enabled };
        assert_eq!(admin_client.call("/api/admin/users/enable", &set_enabled(false)).await.status(), 200);
        assert_eq!(with_auth(&server, &for_lena, Method::GET, "/users/storage", None).await.0, 401, "disabled");
        assert_eq!(admin_client.call("/api/admin/users/enable", &set_enabled(true)).await.status(), 200);
        assert_eq!(with_auth(&server, &for_lena, Method::GET, "/users/storage", None).await.0, 401, "still dead");
    }
}

#[tokio::test]
async fn access_tokens_are_shown_once_work_as_bearer_and_end() {
    for db in test_databases().await {
        let server = server_on(&db).await;
        let lena = basic("lena", "lena-password");
        let (status, created) = with_auth(&server, &lena, Method::POST, "/api/tokens", Some(json!({"name": "nightly sync", "expires_days": 30}))).await;
        assert_eq!(status, 201, "[{}] {created}", db.label);
        let token = created["token"].as_str().unwrap().to_string();
        assert!(token.starts_with("gh_pat_") && created["prefix"].as_str().unwrap().starts_with("gh_pat_"));
        assert!(created["id"].as_i64().is_some() && created["expires"].as_str().is_some());

        // It works as Bearer on Gatehouse's paths and the registry's.
        let pat = bearer(&token);
        for path in ["/users/storage", "/api/tokens", "/data/projects?format=json"] {
            let (status, body) = with_auth(&server, &pat, Method::GET, path, None).await;
            assert_eq!(status, 200, "[{}] {path}: {body}", db.label);
        }
        let (_, listed) = with_auth(&server, &lena, Method::GET, "/api/tokens", None).await;
        let text = listed.to_string();
        assert!(!text.contains(&token[7..]), "lists never carry the secret: {text}");
        assert_eq!(listed[0]["name"], "nightly sync");
        assert!(listed[0]["last_used"].is_string(), "last use recorded: {listed}");

        // What an access token may not do.
        assert_eq!(with_auth(&server, &pat, Method::POST, "/api/tokens", Some(json!({"name": "more"}))).await.0, 403);
        assert_eq!(with_auth(&server, &pat, Method::GET, "/data/services/tokens/issue", None).await.0, 403);
        assert_eq!(with_auth(&server, &pat, Method::DELETE, &format!("/api/tokens/{}", created["id"]), None).await.0, 403);

        // Bad input: a clear error, nothing stored.
        let bad = [
            (json!({"name": "nightly sync", "expires_days": 30}), 409),
            (json!({"name": "", "expires_days": 30}), 400),
            (json!({"name": "weekly", "expires_days": 7}), 400),
            (json!({"expires_days": 30}), 400),
        ];
        for (body, expected) in bad {
            let (status, answer) = with_auth(&server, &lena, Method::POST, "/api/tokens", Some(body.clone())).await;
            assert_eq!(status.as_u16(), expected, "{body} → {answer}");
            assert!(answer["error"].is_string());
        }
        let (status, _) = with_auth(&server, &lena, Method::POST, "/api/tokens", Some(json!({"name": "forever"}))).await;
        assert_eq!(status, 201, "no expiry is allowed by default");
        let form = reqwest::Client::new()
            .post(server.url("/api/tokens"))
            .header("authorization", &lena)
            .form(&[("name", "from a form"), ("expires_days", "90")])
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 201, "form bodies work too");

        // Another user cannot revoke it (and learns nothing); the owner can.
        let id = created["id"].as_i64().unwrap();
        assert_eq!(with_auth(&server, &basic("max", "max-password"), Method::DELETE, &format!("/api/tokens/{id}"), None).await.0, 404);
        assert_eq!(with_auth(&server, &pat, Method::GET, "/users/storage", None).await.0, 200);
        assert_eq!(with_auth(&server, &lena, Method::DELETE, &format!("/api/tokens/{id}"), None).await.0, 204);
        assert_eq!(with_auth(&server, &pat, Method::GET, "/users/storage", None).await.0, 401, "[{}] revoked", db.label);
        assert_eq!(with_auth(&server, &lena, Method::DELETE, &format!("/api/tokens/{id}"), None).await.0, 404, "gone");

        // A password change ends every token of the user.
        let (_, second) = with_auth(&server, &lena, Method::POST, "/api/tokens", Some(json!({"name": "second", "expires_days": 90}))).await;
        let second = bearer(second["token"].as_str().unwrap());
        assert_eq!(with_auth(&server, &second, Method::GET, "/users/storage", None).await.0, 200);
        let body = json!({"oldPassword": "lena-password", "newPassword": "lena-new-password-2"});
        let (status, answer) = with_auth(&server, &lena, Method::POST, "/users/changepwd", Some(body)).await;
        assert!(status.is_success(), "{answer}");
        assert_eq!(with_auth(&server, &second, Method::GET, "/users/storage", None).await.0, 401, "password changed");
        let (_, listed) = with_auth(&server, &basic("lena", "lena-new-password-2"), Method::GET, "/api/tokens", None).await;
        assert_eq!(listed, json!([]), "dead tokens are not listed");
    }
}

#[tokio::test]
async fn admins_see_and_revoke_everyones_access_tokens() {
    for db in test_databases().await {
        let server = server_on(&db).await;
        let admin = basic("admin", ADMIN_PASSWORD);
        let mut lenas = Vec::new();
        for name in ["one", "two", "three"] {
            let (_, t) = with_auth(&server, &basic("lena", "lena-password"), Method::POST, "/api/tokens", Some(json!({"name": name, "expires_days": 30}))).await;
            lenas.push(t);
        }
        let (_, maxs) = with_auth(&server, &basic("max", "max-password"), Method::POST, "/api/tokens", Some(json!({"name": "max's", "expires_days": 365}))).await;

        let (status, all) = with_auth(&server, &admin, Method::GET, "/api/admin/tokens", None).await;
        assert_eq!(status, 200, "{all}");
        assert_eq!(all["items"].as_array().unwrap().len(), 4);
        assert_eq!(all["items"][0]["name"], "max's", "newest first");
        assert!(all["next"].is_null());
        let (_, only_lena) = with_auth(&server, &admin, Method::GET, "/api/admin/tokens?user=lena", None).await;
        assert_eq!(only_lena["items"].as_array().unwrap().len(), 3);
        assert!(only_lena["items"].as_array().unwrap().iter().all(|t| t["username"] == "lena"));
        assert_eq!(with_auth(&server, &basic("max", "max-password"), Method::GET, "/api/admin/tokens", None).await.0, 403);

        // The user list's "API keys" column counts live tokens and own keys.
        let admin_client = Client::new(&server.base);
        assert_eq!(admin_client.login("admin", ADMIN_PASSWORD).await.status(), 200);
        let query = app::model::UserQuery { search: "lena".into(), ..Default::default() };
        let page: app::model::UserListPage = admin_client.call("/api/admin/users/list", &app::api::users::ListUsers { query }).await.json().await.unwrap();
        assert_eq!(page.items[0].api_keys, 3, "[{}]", db.label);

        let one = lenas[0]["id"].as_i64().unwrap();
        assert_eq!(with_auth(&server, &admin, Method::DELETE, &format!("/api/admin/tokens/{one}"), None).await.0, 204);
        assert_eq!(with_auth(&server, &bearer(lenas[0]["token"].as_str().unwrap()), Method::GET, "/users/storage", None).await.0, 401);
        let (status, body) = with_auth(&server, &admin, Method::DELETE, "/api/admin/tokens?user=lena", None).await;
        assert_eq!((status.as_u16(), body), (200, json!({"revoked": 2})));
        for t in &lenas {
            assert_eq!(with_auth(&server, &bearer(t["token"].as_str().unwrap()), Method::GET, "/users/storage", None).await.0, 401);
        }
        assert_eq!(with_auth(&server, &bearer(maxs["token"].as_str().unwrap()), Method::GET, "/users/storage", None).await.0, 200, "max's untouched");
        // An admin's access token may read the list but not revoke.
        let (_, admins) = with_auth(&server, &admin, Method::POST, "/api/tokens", Some(json!({"name": "ops", "expires_days": 30}))).await;
        let ops = bearer(admins["token"].as_str().unwrap());
        assert_eq!(with_auth(&server, &ops, Method::GET, "/api/admin/tokens", None).await.0, 200);
        assert_eq!(with_auth(&server, &ops, Method::DELETE, &format!("/api/admin/tokens/{}", maxs["id"]), None).await.0, 403);
        assert_eq!(with_auth(&server, &bearer("gh_pat_notatokenatall"), Method::GET, "/users/storage", None).await.0, 401);
    }
}

async fn resolve(server: &TestServer, who: &str) -> (reqwest::StatusCode, Value) {
    with_auth(server, who, Method::GET, "/api/service-keys/openai", None).await
}

#[tokio::test]
async fn service_keys_resolve_mine_over_the_sites_and_stay_sealed() {
    for db in test_databases().await {
        let server = server_on(&db).await;
        let (admin, lena, max) = (basic("admin", ADMIN_PASSWORD), basic("lena", "lena-password"), basic("max", "max-password"));
        let site_value = "sk-site-plaintext-0001";
        let lena_value = "sk-lena-plaintext-0002";
        assert_eq!(with_auth(&server, &lena, Method::GET, "/api/service-keys/openai", None).await.0, 404, "none yet");
        assert_eq!(with_auth(&server, &lena, Method::PUT, "/api/admin/service-keys/openai", Some(json!({"value": site_value}))).await.0, 403);
        // Every plain user may read this one: the admin names the `user` role.
        let body = json!({"value": site_value, "readable_by": ["user"]});
        let (status, body) = with_auth(&server, &admin, Method::PUT, "/api/admin/service-keys/openai", Some(body)).await;
        assert_eq!(status, 204, "[{}] {body}", db.label);

        assert_eq!(resolve(&server, &lena).await.1, json!({"name": "openai", "value": site_value, "source": "site"}));
        assert_eq!(with_auth(&server, &lena, Method::PUT, "/api/service-keys/openai", Some(json!({"value": lena_value}))).await.0, 204);
        assert_eq!(resolve(&server, &lena).await.1, json!({"name": "openai", "value": lena_value, "source": "user"}));
        assert_eq!(resolve(&server, &max).await.1["value"], site_value, "max still gets the site's");

        // Only lena (or an admin for her) resolves hers.
        assert_eq!(with_auth(&server, &max, Method::GET, "/api/service-keys/openai?user=lena", None).await.0, 403);
        assert_eq!(with_auth(&server, &admin, Method::GET, "/api/service-keys/openai?user=lena", None).await.1["value"], lena_value);
        // Her access token resolves (a platform service calls with it) but cannot set.
        let (_, t) = with_auth(&server, &lena, Method::POST, "/api/tokens", Some(json!({"name": "svc", "expires_days": 30}))).await;
        let pat = bearer(t["token"].as_str().unwrap());
        assert_eq!(with_auth(&server, &pat, Method::GET, "/api/service-keys/openai", None).await.1["value"], lena_value);
        assert_eq!(with_auth(&server, &pat, Method::PUT, "/api/service-keys/openai", Some(json!({"value": "x-x-x-x-x-x-x"}))).await.0, 403);

        // Lists show names and tails, never values; the table holds ciphertext.
        let (_, site_list) = with_auth(&server, &admin, Method::GET, "/api/admin/service-keys", None).await;
        assert_eq!(site_list[0]["name"], "openai");
        assert_eq!(site_list[0]["last4"], "0001");
        assert_eq!(site_list[0]["set_by"], "admin");
        let lena_client = Client::new(&server.base);
        assert_eq!(lena_client.login("lena", "lena-password").await.status(), 200);
        let mine = lena_client.post_form("/api/credentials/service_keys/mine", &[]).await.text().await.unwrap();
        for listing in [site_list.to_string(), mine.clone()] {
            assert!(!listing.contains("plaintext"), "{listing}");
        }
        assert!(mine.contains("\"site_names\":[\"openai\"]"), "{mine}");
        let sealed: Vec<String> = app::on_db!(&server.state().db, |pool| sqlx::query_scalar("SELECT ciphertext FROM service_keys")
            .fetch_all(pool)
            .await
            .unwrap());
        assert_eq!(sealed.len(), 2);
        assert!(sealed.iter().all(|c| !c.contains("plaintext") && !c.contains("sk-")), "{sealed:?}");

        // Bad input changes nothing.
        for (path, body) in [
            ("/api/service-keys/Bad%20Name", json!({"value": "whatever-value-1"})),
            ("/api/service-keys/openai", json!({"value": ""})),
            ("/api/service-keys/openai", json!({})),
        ] {
            let (status, answer) = with_auth(&server, &lena, Method::PUT, path, Some(body)).await;
            assert_eq!(status, 400, "{path} {answer}");
        }
        assert_eq!(resolve(&server, &lena).await.1["value"], lena_value);

        // Deleting the override falls back to the site's; deleting the site's leaves none.
        assert_eq!(with_auth(&server, &lena, Method::DELETE, "/api/service-keys/openai", None).await.0, 204);
        assert_eq!(resolve(&server, &lena).await.1["source"], "site");
        assert_eq!(with_auth(&server, &lena, Method::DELETE, "/api/service-keys/openai", None).await.0, 404);
        assert_eq!(with_auth(&server, &admin, Method::DELETE, "/api/admin/service-keys/openai", None).await.0, 204);
        assert_eq!(resolve(&server, &lena).await.0, 404);
    }
}

#[tokio::test]
async fn deleting_a_user_removes_all_three_kinds() {
    for db in test_databases().await {
        let server = server_on(&db).await;
        let lena = basic("lena", "lena-password");
        issue_alias(&server, "lena", "lena-password").await;
        with_auth(&server, &lena, Method::POST, "/api/tokens", Some(json!({"name": "a", "expires_days": 30}))).await;
        with_auth(&server, &lena, Method::PUT, "/api/service-keys/orthanc", Some(json!({"value": "orthanc-password-1"}))).await;
        let count = |table: &'static str| {
            let db = server.state().db.clone();
            async move {
                let sql = format!("SELECT COUNT(*) FROM {table}");
                app::on_db!(&db, |pool| sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await.unwrap())
            }
        };
        for table in ["alias_tokens", "access_tokens", "service_keys"] {
            assert_eq!(count(table).await, 1, "{table}");
        }
        let admin_client = Client::new(&server.base);
        assert_eq!(admin_client.login("admin", ADMIN_PASSWORD).await.status(), 200);
        let res = admin_client.call("/api/admin/users/delete", &app::api::users::DeleteUser { username: "lena".into(), heir: String::new() }).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        for table in ["alias_tokens", "access_tokens", "service_keys"] {
            assert_eq!(count(table).await, 0, "[{}] {table}", db.label);
        }
    }
}

#[tokio::test]
async fn secrets_stay_out_of_the_log() {
    let log = crate::common::log::captured_log();
    for db in test_databases().await {
        let server = server_on(&db).await;
        let lena = basic("lena", "lena-password");
        let (alias, secret) = issue_alias(&server, "lena", "lena-password").await;
        let max = basic("max", "max-password");
        with_auth(&server, &max, Method::GET, &format!("/data/services/tokens/validate/{alias}/{secret}"), None).await;
        with_auth(&server, &max, Method::GET, &format!("/REST/services/tokens/validate/{alias}/{secret}"), None).await;
        let (_, created) = with_auth(&server, &lena, Method::POST, "/api/tokens", Some(json!({"name": "logged?", "expires_days": 30}))).await;
        let token = created["token"].as_str().unwrap();
        with_auth(&server, &bearer(token), Method::GET, "/users/storage", None).await;
        let value = format!("sk-never-logged-{}", app::backend::auth::secrets::random_hex(6));
        with_auth(&server, &lena, Method::PUT, "/api/service-keys/openai", Some(json!({ "value": value }))).await;
        with_auth(&server, &lena, Method::GET, "/api/service-keys/openai", None).await;
        let text = String::from_utf8_lossy(&log.lock().unwrap()).to_string();
        assert!(text.contains("path=/data/services/tokens/validate/{alias}/{secret}"), "[{}] the route is logged: {text}", db.label);
        for secret_text in [secret.as_str(), token, value.as_str()] {
            assert!(!text.contains(secret_text), "[{}] {secret_text} was logged", db.label);
        }
    }
}

#[tokio::test]
async fn concurrent_creations_never_pass_the_cap_or_share_a_name() {
    for db in test_databases().await {
        let server = server_on(&db).await;
        let lena = basic("lena", "lena-password");
        // Warm the Basic cache so the burst does not wait on argon2.
        assert_eq!(with_auth(&server, &lena, Method::GET, "/api/tokens", None).await.0, 200);
        let same_name = (0..20).map(|_| with_auth(&server, &lena, Method::POST, "/api/tokens", Some(json!({"name": "twin", "expires_days": 30}))));
        let made = futures_util::future::join_all(same_name).await;
        assert_eq!(made.iter().filter(|(s, _)| s.as_u16() == 201).count(), 1, "[{}] one token per name", db.label);
        assert!(made.iter().all(|(s, _)| s.as_u16() == 201 || s.as_u16() == 409), "{made:?}");

        let cap = app::backend::service::credentials::tokens::MAX_LIVE_TOKENS as usize;
        let burst = (0..cap + 20).map(|n| with_auth(&server, &lena, Method::POST, "/api/tokens", Some(json!({"name": format!("t{n}"), "expires_days": 30}))));
        let made = futures_util::future::join_all(burst).await;
        let created = made.iter().filter(|(s, _)| s.as_u16() == 201).count();
        assert_eq!(created, cap - 1, "[{}] the cap holds under a burst (one slot went to twin)", db.label);
        assert!(made.iter().all(|(s, _)| s.as_u16() == 201 || s.as_u16() == 409), "{made:?}");
        let (_, listed) = with_auth(&server, &lena, Method::GET, "/api/tokens", None).await;
        assert_eq!(listed.as_array().unwrap().len(), cap);
    }
}

/// A server function call with an exact `Authorization` header: the status and the body text.
async fn call_with_auth<A: serde::Serialize>(server: &TestServer, auth: &str, function: &str, args: &A) -> (u16, String) {
    let res = authorized_call(server, auth, function, args).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// What a REST caller with a JWT (obtained with the password) may do.
async fn jwt_of(server: &TestServer, username: &str, password: &str) -> String {
    let req = reqwest::Client::new().post(server.url("/users/authenticate")).form(&[("username", username), ("password", password)]);
    let (status, body) = status_and_body(req.send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    bearer(body["token"].as_str().unwrap())
}

/// Lena's stored account: email, roles, and whether her password still opens it.
async fn lena_as_stored(server: &TestServer) -> (Option<String>, Vec<String>, u16) {
    let db = &server.state().db;
    let user = app::backend::store::users::find_by_username(db, "lena").await.unwrap().unwrap();
    let roles = app::backend::store::users::roles_of(db, user.id).await.unwrap();
    let password_works = with_auth(server, &basic("lena", "lena-password"), Method::GET, "/users/storage", None).await.0.as_u16();
    (user.email, roles, password_works)
}

#[tokio::test]
async fn admin_tokens_cannot_take_over_accounts() {
    use app::api::outbox::OutboxBody;
    use app::api::users::{CreateUser, GetUser, ImportUsers, SaveUser, UnlockUser};
    use app::backend::policy::TOKENS_CANNOT_MANAGE_CREDENTIALS;
    for db in test_databases().await {
        let config = Config {
            admin_password: Some(ADMIN_PASSWORD.into()),
            jwt_secret: Some("test-secret-that-is-long-enough-0123456789".into()),
            ..test_config(&db)
        };
        let server = TestServer::start(&config).await;
        server.create_user("lena", "lena-password").await;
        let admin = basic("admin", ADMIN_PASSWORD);
        let (status, created) = with_auth(&server, &admin, Method::POST, "/api/tokens", Some(json!({"name": "ops", "expires_days": 30}))).await;
        assert_eq!(status, 201, "{created}");
        let pat = bearer(created["token"].as_str().unwrap());
        let (alias, secret) = issue_alias(&server, "admin", ADMIN_PASSWORD).await;
        let alias_token = basic(&alias, &secret);
        app::backend::service::mail::queue(server.state(), app::backend::service::mail::Outgoing {
            to: "lena@example.org".into(),
            subject: "Reset your password".into(),
            body: "Follow http://localhost/reset?token=live-reset-token-0123".into(),
        })
        .await
        .unwrap();
        let mail_id: i64 = app::on_db!(&server.state().db, |pool| sqlx::query_scalar("SELECT MAX(id) FROM outbox").fetch_one(pool).await.unwrap());
        let session = Client::new(&server.base);
        assert_eq!(session.login("admin", ADMIN_PASSWORD).await.status(), 200);
        let (lena, _): (app::model::UserEdit, app::model::UserFacts) =
            session.call("/api/admin/users/get", &GetUser { username: "lena".into() }).await.json().await.unwrap();
        let before = lena_as_stored(&server).await;
        assert_eq!(before, (None, vec!["user".to_string()], 200));

        let edit = |change: &dyn Fn(&mut app::model::UserEdit)| {
            let mut edit = lena.clone();
            change(&mut edit);
            SaveUser { edit }
        };
        let new_account = CreateUser {
            username: "mallory".into(),
            display_name: String::new(),
            email: "mallory@example.org".into(),
            password: "mallory-password-1".into(),
            roles: vec!["admin".into()],
        };
        for token in [&pat, &alias_token] {
            let refused_calls = [
                ("/api/admin/users/save", serde_qs::to_string(&edit(&|e| e.password = "taken-over-password-1".into())).unwrap()),
                ("/api/admin/users/save", serde_qs::to_string(&edit(&|e| e.email = "attacker@example.org".into())).unwrap()),
                ("/api/admin/users/save", serde_qs::to_string(&edit(&|e| e.roles = vec!["user".into(), "admin".into()])).unwrap()),
                ("/api/admin/users/create", serde_qs::to_string(&new_account).unwrap()),
                ("/api/admin/users/unlock", serde_qs::to_string(&UnlockUser { username: "lena".into() }).unwrap()),
                ("/api/admin/outbox/body", serde_qs::to_string(&OutboxBody { id: mail_id }).unwrap()),
                (
                    "/api/admin/users/import",
                    serde_qs::to_string(&ImportUsers { csv: "username,email,roles\nmallory,mallory@example.org,admin\n".into(), first_line: 2, dry_run: false }).unwrap(),
                ),
            ];
            for (function, args) in refused_calls {
                let res = reqwest::Client::new()
                    .post(server.url(function))
                    .header("authorization", token.as_str())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(args)
                    .send()
                    .await
                    .unwrap();
                let (status, text) = (res.status().as_u16(), res.text().await.unwrap());
                assert_eq!(status, 403, "[{}] {function}: {text}", db.label);
                assert!(text.contains(TOKENS_CANNOT_MANAGE_CREDENTIALS), "[{}] {function}: {text}", db.label);
                assert!(!text.contains("live-reset-token"), "{text}");
            }
            let refused_rest = [
                (Method::PUT, "/users/lena", json!({"email": "attacker@example.org"})),
                (Method::PUT, "/users/lena", json!({"roles": ["user", "admin"]})),
                (Method::POST, "/users", json!({"userName": "mallory", "email": "mallory@example.org", "password": "mallory-password-1"})),
                (Method::PUT, "/users/lena/changepwd", json!({"newPassword": "taken-over-password-1"})),
                (Method::GET, "/data/services/tokens/issue/user/lena", Value::Null),
            ];
            for (method, path, body) in refused_rest {
                let body = (!body.is_null()).then_some(body);
                let (status, answer) = with_auth(&server, token, method.clone(), path, body).await;
                assert_eq!(status, 403, "[{}] {method} {path}: {answer}", db.label);
                assert_eq!(answer["error"], TOKENS_CANNOT_MANAGE_CREDENTIALS, "[{}] {method} {path}", db.label);
            }
            // Nothing changed: lena's email, roles and password, and no new account.
            assert_eq!(lena_as_stored(&server).await, before, "[{}]", db.label);
            assert!(app::backend::store::users::find_by_username(&server.state().db, "mallory").await.unwrap().is_none());
            // The token still administers what opens no account.
            let (mut current, _): (app::model::UserEdit, app::model::UserFacts) =
                session.call("/api/admin/users/get", &GetUser { username: "lena".into() }).await.json().await.unwrap();
            current.display_name = format!("Lena {}", current.version);
            let (status, text) = call_with_auth(&server, token, "/api/admin/users/save", &SaveUser { edit: current }).await;
            assert_eq!(status, 200, "[{}] {text}", db.label);
            let (status, _) = with_auth(&server, token, Method::PUT, "/users/lena", Some(json!({"roles": ["user"]}))).await;
            assert_eq!(status, 200, "[{}] a change of roles that makes no admin", db.label);
        }

        // The same admin with a session: the reset link, a new password, an account.
        let res = session.call("/api/admin/outbox/body", &OutboxBody { id: mail_id }).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("live-reset-token"));
        let (lena, _): (app::model::UserEdit, app::model::UserFacts) =
            session.call("/api/admin/users/get", &GetUser { username: "lena".into() }).await.json().await.unwrap();
        let mut with_password = lena.clone();
        with_password.password = "lena-new-password-2".into();
        with_password.email = "lena@example.org".into();
        let res = session.call("/api/admin/users/save", &SaveUser { edit: with_password }).await;
        assert_eq!(res.status(), 200, "[{}] {}", db.label, res.text().await.unwrap());
        assert_eq!(with_auth(&server, &basic("lena", "lena-new-password-2"), Method::GET, "/users/storage", None).await.0, 200);
        assert_eq!(session.call("/api/admin/users/create", &new_account).await.status(), 200, "[{}]", db.label);

        // And with a JWT, as seed 004's scripts do.
        let jwt = jwt_of(&server, "admin", ADMIN_PASSWORD).await;
        let (status, body) = with_auth(&server, &jwt, Method::PUT, "/users/lena", Some(json!({"email": "lena@new.example", "roles": ["user", "admin"]}))).await;
        assert_eq!(status, 200, "[{}] {body}", db.label);
        assert_eq!(body["email"], "lena@new.example");
        let new_user = json!({"userName": "newuser", "email": "newuser@example.org", "password": "securepassword123"});
        assert_eq!(with_auth(&server, &jwt, Method::POST, "/users", Some(new_user)).await.0, 201, "[{}]", db.label);
    }
}

/// The audit events of one action, oldest first: (actor, target kind, target id, target, details).
async fn audit_rows(server: &TestServer, action: &str) -> Vec<(String, String, String, String, String)> {
    let sql = "SELECT actor, target_kind, target_id, target, details FROM audit_events WHERE action = $1 ORDER BY id";
    app::on_db!(&server.state().db, |pool| sqlx::query_as(sql).bind(action).fetch_all(pool).await.unwrap())
}

#[tokio::test]
async fn site_service_keys_resolve_only_for_admins_and_named_roles() {
    for db in test_databases().await {
        let server = server_on(&db).await;
        let admin = basic("admin", ADMIN_PASSWORD);
        let (lena, max) = (basic("lena", "lena-password"), basic("max", "max-password"));
        let site_value = "site-secret-value-0001";
        let (status, body) = with_auth(&server, &admin, Method::PUT, "/api/admin/service-keys/openai", Some(json!({"value": site_value}))).await;
        assert_eq!(status, 204, "[{}] {body}", db.label);

        // A plain user (and their token) does not see the site's key at all.
        let (_, created) = with_auth(&server, &max, Method::POST, "/api/tokens", Some(json!({"name": "svc", "expires_days": 30}))).await;
        let max_pat = bearer(created["token"].as_str().unwrap());
        for auth in [&max, &max_pat] {
            let (status, body) = with_auth(&server, auth, Method::GET, "/api/service-keys/openai", None).await;
            assert_eq!(status, 404, "[{}] {body}", db.label);
            assert!(!body.to_string().contains(site_value));
        }
        // Their own key of the same name is theirs to read, and reading it is not audited.
        let own_value = "max-own-value-0002";
        assert_eq!(with_auth(&server, &max, Method::PUT, "/api/service-keys/openai", Some(json!({"value": own_value}))).await.0, 204);
        let (status, body) = with_auth(&server, &max_pat, Method::GET, "/api/service-keys/openai", None).await;
        assert_eq!((status.as_u16(), &body["value"], &body["source"]), (200, &json!(own_value), &json!("user")), "[{}] {body}", db.label);
        assert!(audit_rows(&server, "service_key_read").await.is_empty(), "[{}] own reads are not audited", db.label);

        // The admin names a role that may read it; an unknown role changes nothing.
        let (status, body) =
            with_auth(&server, &admin, Method::PUT, "/api/admin/service-keys/openai", Some(json!({"value": "other-value-0003", "readable_by": ["ghost"]}))).await;
        assert_eq!((status.as_u16(), &body["error"]), (400, &json!("Unknown role: ghost")), "[{}] {body}", db.label);
        assert_eq!(with_auth(&server, &admin, Method::POST, "/users/roles", Some(json!({"roleName": "analysts"}))).await.0, 201);
        assert_eq!(with_auth(&server, &admin, Method::PUT, "/users/lena", Some(json!({"roles": ["user", "analysts"]}))).await.0, 200);
        assert_eq!(with_auth(&server, &lena, Method::GET, "/api/service-keys/openai", None).await.0, 404, "not named yet");
        let (status, _) =
            with_auth(&server, &admin, Method::PUT, "/api/admin/service-keys/openai", Some(json!({"value": site_value, "readable_by": ["analysts"]}))).await;
        assert_eq!(status, 204);
        let (_, listed) = with_auth(&server, &admin, Method::GET, "/api/admin/service-keys", None).await;
        assert_eq!(listed[0]["readable_by"], json!(["analysts"]), "[{}] {listed}", db.label);
        // Setting the value again without naming readers keeps them.
        assert_eq!(with_auth(&server, &admin, Method::PUT, "/api/admin/service-keys/openai", Some(json!({"value": site_value}))).await.0, 204);
        let (status, body) = with_auth(&server, &lena, Method::GET, "/api/service-keys/openai", None).await;
        assert_eq!((status.as_u16(), &body["value"], &body["source"]), (200, &json!(site_value), &json!("site")), "[{}] {body}", db.label);
        let other = basic("otto", "otto-password");
        server.create_user("otto", "otto-password").await;
        assert_eq!(with_auth(&server, &other, Method::GET, "/api/service-keys/openai", None).await.0, 404, "[{}] still not for everyone", db.label);

        // An admin reads the site's key, and max's own for max.
        assert_eq!(with_auth(&server, &admin, Method::GET, "/api/service-keys/openai", None).await.0, 200);
        let (status, body) = with_auth(&server, &admin, Method::GET, "/api/service-keys/openai?user=max", None).await;
        assert_eq!((status.as_u16(), &body["value"]), (200, &json!(own_value)));

        // Each read of a site key or of someone else's is audited, never with the value.
        let reads = audit_rows(&server, "service_key_read").await;
        let max_id = app::backend::store::users::find_by_username(&server.state().db, "max").await.unwrap().unwrap().id;
        let seen: Vec<(&str, &str, &str, &str)> = reads.iter().map(|(a, k, i, t, _)| (a.as_str(), k.as_str(), i.as_str(), t.as_str())).collect();
        let max_id = max_id.to_string();
        assert_eq!(
            seen,
            [("lena", "service_key", "", "openai"), ("admin", "service_key", "", "openai"), ("admin", "service_key", max_id.as_str(), "openai")],
            "[{}] {reads:?}",
            db.label
        );
        for (_, _, _, _, details) in &reads {
            assert!(!details.contains(site_value) && !details.contains(own_value), "{details}");
        }
        assert!(reads[2].4.contains("\"for\":\"max\""), "{:?}", reads[2]);

        // The admin keys page's form sets the readers too (comma-separated; empty: admins only).
        let session = Client::new(&server.base);
        assert_eq!(session.login("admin", ADMIN_PASSWORD).await.status(), 200);
        let save = |readable_by: &str| app::api::credentials::SaveServiceKey {
            name: "openai".into(),
            value: site_value.into(),
            site: true,
            readable_by: readable_by.into(),
        };
        assert_eq!(session.call("/api/credentials/service_keys/save", &save("")).await.status(), 200);
        assert_eq!(with_auth(&server, &lena, Method::GET, "/api/service-keys/openai", None).await.0, 404, "[{}]", db.label);
        assert_eq!(session.call("/api/credentials/service_keys/save", &save(" analysts , ")).await.status(), 200);
        assert_eq!(with_auth(&server, &lena, Method::GET, "/api/service-keys/openai", None).await.0, 200, "[{}]", db.label);
    }
}
