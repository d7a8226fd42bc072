//! Concurrent writes over HTTP lose nothing: many real requests at once
//! against the real router, each adding its own item (a metadata key, an
//! organization list, a project field, a group move), and afterwards every
//! acknowledged item is there — on SQLite and PostgreSQL. Also: approving
//! an access request never demotes an owner.


use crate::common::*;
use futures_util::future::join_all;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "concurrent-password-1";

fn config(db: &TestDb) -> Config {
    Config { admin_password: Some(PASSWORD.into()), ..test_config(db) }
}

/// The admin over HTTP Basic, with the credential cache warmed so the
/// concurrent requests race on the write, not on password hashing.
async fn admin(server: &TestServer) -> Rest {
    let admin = Rest::new(&server.base, "admin", PASSWORD);
    assert_eq!(admin.send(Method::GET, "/users/meta", &Value::Null).await.0, StatusCode::OK);
    admin
}

async fn create_org(admin: &Rest, slug: &str) {
    let (status, body) = admin.send(Method::POST, "/orgs", &json!({"slug": slug, "accessibility": "protected"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// `(login, role)` of everyone in the project.
async fn members(admin: &Rest, slug: &str) -> Vec<(String, String)> {
    let (status, body) = admin.send(Method::GET, &format!("/data/projects/{slug}/users?format=json"), &Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = body["ResultSet"]["Result"].as_array().unwrap();
    rows.iter().map(|r| (r["login"].as_str().unwrap().to_string(), r["role"].as_str().unwrap().to_string())).collect()
}

async fn owners(admin: &Rest, slug: &str) -> Vec<String> {
    members(admin, slug).await.into_iter().filter(|(_, role)| role == "owner").map(|(login, _)| login).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_metadata_merges_keep_every_key() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        server.create_many_users("meta", 4, PASSWORD).await;
        let admin = admin(&server).await;
        let merges = (0..4).flat_map(|user| (0..32).map(move |key| (user, key))).map(|(user, key)| {
            let admin = admin.clone();
            async move { admin.send(Method::POST, &format!("/users/meta{user:03}/meta"), &json!({ format!("key{key}"): key })).await }
        });
        let results = join_all(merges).await;
        assert!(results.iter().all(|(status, _)| *status == StatusCode::OK), "{}: {results:?}", db.label);
        let mut lost = 0;
        for user in 0..4 {
            let (_, metadata) = admin.send(Method::GET, &format!("/users/meta{user:03}/meta"), &Value::Null).await;
            lost += (0..32).filter(|key| metadata.get(format!("key{key}")) != Some(&json!(key))).count();
        }
        assert_eq!(lost, 0, "{}: {lost} of 128 acknowledged metadata keys were lost", db.label);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_organization_lists_leave_one_whole_list() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        server.create_user("joiner", PASSWORD).await;
        let admin = admin(&server).await;
        let slugs: Vec<String> = (0..32).map(|n| format!("lab{n:02}")).collect();
        for slug in &slugs {
            create_org(&admin, slug).await;
        }
        let puts = slugs.iter().map(|slug| {
            let admin = admin.clone();
            async move { admin.send(Method::PUT, "/users/joiner/orgs", &json!([slug])).await }
        });
        let results = join_all(puts).await;
        assert!(results.iter().all(|(status, _)| *status == StatusCode::OK), "{}: {results:?}", db.label);
        let (_, orgs) = admin.send(Method::GET, "/users/joiner/orgs", &Value::Null).await;
        let joined: Vec<&str> = orgs.as_array().unwrap().iter().map(|o| o["slug"].as_str().unwrap()).collect();
        assert_eq!(joined.len(), 1, "{}: each PUT sets one organization, so one list wins whole; got {joined:?}", db.label);
        assert!(slugs.iter().any(|s| s == joined[0]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_project_edits_keep_each_field() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let admin = admin(&server).await;
        create_org(&admin, "lab").await;
        let mut lost = Vec::new();
        for round in 0..11 {
            let accessibility = ["public", "private", "protected"][round % 3];
            let (name, description) = (format!("Name {round}"), format!("Description {round}"));
            let edits = [json!({"name": name}), json!({"description": description}), json!({"accessibility": accessibility})];
            let results = join_all(edits.iter().map(|edit| admin.send(Method::PUT, "/orgs/lab", edit))).await;
            assert!(results.iter().all(|(status, _)| *status == StatusCode::OK), "{}: {results:?}", db.label);
            let (_, org) = admin.send(Method::GET, "/orgs/lab", &Value::Null).await;
            for (field, sent) in [("name", name.as_str()), ("description", description.as_str()), ("accessibility", accessibility)] {
                if org[field] != sent {
                    lost.push(format!("round {round}: {field} is {} instead of {sent}", org[field]));
                }
            }
        }
        assert!(lost.is_empty(), "{}: {} of 33 acknowledged edits lost: {lost:?}", db.label, lost.len());
    }
}

/// Two owners moved to Members (even rounds) or taken out (odd rounds) at
/// the same instant: one move wins, the other is refused, and the project
/// keeps an owner. 16 rounds of 2 requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_owner_moves_keep_an_owner() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        server.create_many_users("boss", 2, PASSWORD).await;
        let admin = admin(&server).await;
        create_org(&admin, "lab").await;
        let (status, _) = admin.send(Method::DELETE, "/data/projects/lab/users/Owners/admin", &Value::Null).await;
        assert_eq!(status, StatusCode::CONFLICT, "the creator is the last owner");
        for round in 0..16 {
            for boss in ["boss000", "boss001"] {
                let (status, body) = admin.send(Method::PUT, &format!("/data/projects/lab/users/Owners/{boss}"), &Value::Null).await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
            if round == 0 {
                let (status, _) = admin.send(Method::DELETE, "/data/projects/lab/users/Owners/admin", &Value::Null).await;
                assert_eq!(status, StatusCode::OK);
            }
            let (method, group) = if round % 2 == 0 { (Method::PUT, "Members") } else { (Method::DELETE, "Owners") };
            let paths = ["boss000", "boss001"].map(|boss| format!("/data/projects/lab/users/{group}/{boss}"));
            let results = join_all(paths.iter().map(|path| admin.send(method.clone(), path, &Value::Null))).await;
            let done = results.iter().filter(|(status, _)| *status == StatusCode::OK).count();
            let refused = results.iter().filter(|(status, _)| *status == StatusCode::CONFLICT).count();
            let left = owners(&admin, "lab").await;
            assert_eq!((done, refused, left.len()), (1, 1, 1), "{} round {round} ({method} {group}): {results:?}, owners {left:?}", db.label);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approving_a_request_never_demotes_an_owner() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let solo = server.create_user("solo", PASSWORD).await;
        let solo_rest = Rest::new(&server.base, "solo", PASSWORD);
        create_org(&solo_rest, "lab").await;
        let admin = admin(&server).await;
        // A request that was pending when its author became the owner (a
        // request filed and a move made at the same time leave exactly this).
        let project: i64 = app::on_db!(&server.state().db, |pool| sqlx::query_scalar("SELECT id FROM projects WHERE slug = 'lab'")
            .fetch_one(pool)
            .await)
        .unwrap();
        let sql = "INSERT INTO access_requests (project_id, user_id, message, created_at) VALUES ($1, $2, '', 1) RETURNING id";
        let request: i64 = app::on_db!(&server.state().db, |pool| sqlx::query_scalar(sql).bind(project).bind(solo).fetch_one(pool).await).unwrap();
        let admin_client = Client::new(&server.base);
        assert_eq!(admin_client.login("admin", PASSWORD).await.status(), StatusCode::OK);
        let decision = json!({"slug": "lab", "id": request, "role": "collaborator", "reason": ""});
        let (status, body) = status_and_body(admin_client.call("/api/projects/requests/decide", &decision).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(owners(&admin, "lab").await, vec!["solo".to_string()], "{}: approval as collaborator left solo the owner", db.label);
    }
}
