//! Feature permissions (SPEC §6, seed 002, CONTRACTS.md §3) through the real
//! router on SQLite and PostgreSQL: XNAT's exact JSON shapes and refusals,
//! a block obeyed through every door, bans binding admins, the platform
//! paths, the audit trail, and a re-created project starting clean.

use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "features-password-1";
const KEYS: [&str; 5] = ["download_files", "export_csv", "invite_members", "manage_files", "request_access"];

async fn server_on(db: &TestDb, data: &std::path::Path) -> TestServer {
    let config = with_site(Config { admin_password: Some(PASSWORD.into()), ..test_config(db) }, |s| { s.data_dir = data.into(); });
    let server = TestServer::start(&config).await;
    for name in ["lena", "max", "ola"] {
        server.create_user(name, PASSWORD).await;
    }
    server
}

fn rest(server: &TestServer, who: &str) -> Rest {
    Rest::new(&server.base, who, PASSWORD)
}

/// `POST /data/services/features?group=` as a form, the way XNAT clients send it.
async fn post_form(server: &TestServer, who: &str, group: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let req = reqwest::Client::new()
        .post(server.url(&format!("/data/services/features?group={group}")))
        .basic_auth(who, Some(PASSWORD))
        .form(form);
    status_and_body(req.send().await.unwrap()).await
}

async fn put_file(server: &TestServer, who: &str, slug: &str, name: &str) -> (StatusCode, Value) {
    let req = reqwest::Client::new().put(server.url(&format!("/files/{slug}/ds/{name}"))).basic_auth(who, Some(PASSWORD)).body(vec![1u8; 10]);
    status_and_body(req.send().await.unwrap()).await
}

/// Lena's project `slug` with a dataset `ds`, Max a member of it.
async fn project_with_member(server: &TestServer, lena: &Client, slug: &str) {
    let (status, body) = rest(server, "lena").send(Method::POST, "/orgs", &json!({"slug": slug, "name": slug, "accessibility": "private"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = rest(server, "lena").send(Method::PUT, &format!("/data/projects/{slug}/users/Members/max"), &Value::Null).await;
    assert_eq!(status, 200, "{body}");
    let res = lena.call("/api/projects/datasets/create", &json!({"slug": slug, "name": "ds", "description": ""})).await;
    assert_eq!(res.status(), 200);
}

const BLOCKED: &str = "This feature is not enabled for you in this project: Manage files";

#[tokio::test]
async fn site_wide_shape_and_refusals() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = server_on(&db, data.path()).await;
        let admin = rest(&server, "admin");
        let (status, body) = admin.send(Method::GET, "/data/services/features?type=admin", &Value::Null).await;
        assert_eq!(status, 200, "[{}] {body}", db.label);
        let before = body.clone();
        let site = &body[0];
        assert_eq!(site["id"], "_SITE_WIDE");
        assert_eq!(site["banned"], json!([]));
        assert_eq!(site["onByDefault"], json!(KEYS), "{body}");
        let groups = site["groups"].as_array().unwrap();
        let ids: Vec<&str> = groups.iter().map(|g| g["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["Owners", "Members", "Collaborators", "role:Administrator", "role:all_data_access", "role:user"], "{body}");
        assert_eq!(groups[0], json!({"features": [], "blocked": [], "display": "Owners", "id": "Owners"}));
        assert_eq!(groups[3], json!({"features": [], "blocked": [], "display": "Role: Site Manager", "isRole": true, "id": "role:Administrator"}));

        // Refusals: who, what, and how it is asked.
        let (status, _) = rest(&server, "lena").send(Method::GET, "/data/services/features?type=admin", &Value::Null).await;
        assert_eq!(status, 403, "[{}] a user cannot read the site-wide rules", db.label);
        let cases: [(&str, &str, Vec<(&str, &str)>, u16); 8] = [
            ("lena", "_SITE_WIDE", vec![("key", "manage_files"), ("banned", "true")], 403),
            ("lena", "Members", vec![("key", "manage_files"), ("banned", "true")], 403),
            ("admin", "_SITE_WIDE", vec![("key", "no_such_feature"), ("banned", "true")], 404),
            ("admin", "no_such_group", vec![("key", "manage_files"), ("banned", "true")], 404),
            ("admin", "role:nobody", vec![("key", "manage_files"), ("banned", "true")], 404),
            ("admin", "Members", vec![("key", "manage_files"), ("banned", "true"), ("enabled", "true")], 400),
            ("admin", "Members", vec![("key", "manage_files")], 400),
            ("admin", "_SITE_WIDE", vec![("key", "manage_files"), ("enabled", "true")], 400),
        ];
        for (who, group, form, expected) in cases {
            let (status, body) = post_form(&server, who, group, &form).await;
            assert_eq!(status.as_u16(), expected, "[{}] {who} {group} {form:?}: {body}", db.label);
            assert!(body["error"].is_string(), "{body}");
        }
        let (status, _) = post_form(&server, "admin", "Members", &[("key", "manage_files"), ("banned", "maybe")]).await;
        assert_eq!(status, 400);
        let (status, body) = admin.send(Method::GET, "/data/services/features", &Value::Null).await;
        assert_eq!(status, 400, "{body}");
        let (_, after) = admin.send(Method::GET, "/data/services/features?type=admin", &Value::Null).await;
        assert_eq!(after, before, "refusals changed nothing");

        // A JSON POST works too, is audited, and shows in the listing.
        let (status, body) = admin.send(Method::POST, "/data/services/features?group=role:user", &json!({"key": "export_csv", "banned": true})).await;
        assert_eq!(status, 200, "{body}");
        let (_, site) = admin.send(Method::GET, "/REST/services/features?type=admin", &Value::Null).await;
        let user_group = site[0]["groups"].as_array().unwrap().iter().find(|g| g["id"] == "role:user").unwrap().clone();
        assert_eq!(user_group["blocked"], json!(["export_csv"]));
        let (_, events) = admin.send(Method::GET, "/api/audit?action=feature_changed", &Value::Null).await;
        assert_eq!(events["items"][0]["actor"], "admin");
        assert_eq!(events["items"][0]["target"], "export_csv");
        assert_eq!(events["items"][0]["details"], json!({"group": "role:user", "banned": true}), "{events}");
    }
}

#[tokio::test]
async fn a_block_for_a_project_group_holds_through_every_door() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = server_on(&db, data.path()).await;
        let lena = Client::new(&server.base);
        assert_eq!(lena.login("lena", PASSWORD).await.status(), 200);
        let max = Client::new(&server.base);
        assert_eq!(max.login("max", PASSWORD).await.status(), 200);
        project_with_member(&server, &lena, "lab").await;
        project_with_member(&server, &lena, "other").await;
        assert!(put_file(&server, "max", "lab", "before.txt").await.0.is_success());

        // A member may not block; the owner may, by XNAT's form POST.
        let (status, _) = post_form(&server, "max", "lab_member", &[("key", "manage_files"), ("banned", "true")]).await;
        assert_eq!(status, 403, "[{}]", db.label);
        let (status, body) = post_form(&server, "lena", "lab_member", &[("key", "manage_files"), ("banned", "true")]).await;
        assert_eq!(status, 200, "[{}] {body}", db.label);

        // Refused through REST upload, REST delete, and the page's server functions.
        assert_eq!(put_file(&server, "max", "lab", "new.txt").await, (StatusCode::FORBIDDEN, json!({"error": BLOCKED})), "[{}]", db.label);
        let (status, body) = status_and_body(max.call("/api/projects/files/rename", &json!({"slug": "lab", "dataset": "ds", "name": "before.txt", "new_name": "x.txt"})).await).await;
        assert_eq!(status, 403, "{body}");
        let page: Value = max.call("/api/projects/datasets/get", &json!({"slug": "lab", "name": "ds"})).await.json().await.unwrap();
        assert_eq!((page["rights"]["create"].as_bool(), page["rights"]["manage_files"].as_bool()), (Some(true), Some(false)), "{page}");
        assert_eq!(page["rights"]["download_files"], true);
        // Downloads are another feature: still on.
        let (status, _) = rest(&server, "max").send(Method::GET, "/files/lab/ds/before.txt", &Value::Null).await;
        assert_eq!(status, 200);
        // The owner and the other project are not affected.
        assert!(put_file(&server, "lena", "lab", "owner.txt").await.0.is_success());
        assert!(put_file(&server, "max", "other", "elsewhere.txt").await.0.is_success(), "[{}] the same member elsewhere uploads", db.label);
        // Deleting is the owners' right: block their group, and both delete doors refuse.
        assert_eq!(post_form(&server, "lena", "lab_owner", &[("key", "manage_files"), ("banned", "true")]).await.0, 200);
        let (status, body) = rest(&server, "lena").send(Method::DELETE, "/files/lab/ds/before.txt", &Value::Null).await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"error": BLOCKED})), "[{}]", db.label);
        let (status, body) = status_and_body(lena.call("/api/projects/files/delete", &json!({"slug": "lab", "dataset": "ds", "name": "before.txt"})).await).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(post_form(&server, "lena", "lab_owner", &[("key", "manage_files"), ("banned", "false")]).await.0, 200);

        // The project's listing, with what each group inherits.
        let (_, site_block) = post_form(&server, "admin", "Collaborators", &[("key", "download_files"), ("banned", "true")]).await;
        assert!(site_block.is_object());
        let (status, body) = rest(&server, "lena").send(Method::GET, "/data/services/features?tag=lab", &Value::Null).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body[0]["id"], "lab");
        let groups = body[0]["groups"].as_array().unwrap();
        assert_eq!(
            groups[1],
            json!({"features": [], "inherited_features": [], "inherited_banned": [], "blocked": ["manage_files"], "display": "Members", "id": "lab_member"}),
            "{body}"
        );
        assert_eq!(groups[2]["inherited_banned"], json!(["download_files"]), "{body}");
        let (status, _) = rest(&server, "max").send(Method::GET, "/data/services/features?tag=lab", &Value::Null).await;
        assert_eq!(status, 403, "a member cannot read the project's rules");

        // The platform paths.
        let (status, mine) = rest(&server, "max").send(Method::GET, "/api/features/effective?project=lab", &Value::Null).await;
        assert_eq!(status, 200);
        assert_eq!(mine["features"], json!(["download_files", "export_csv", "invite_members", "request_access"]), "{mine}");
        let (_, elsewhere) = rest(&server, "max").send(Method::GET, "/api/features/effective?project=other", &Value::Null).await;
        assert_eq!(elsewhere["features"], json!(KEYS));
        let (status, check) = rest(&server, "admin").send(Method::GET, "/api/features/check?user=max&project=lab&feature=manage_files", &Value::Null).await;
        assert_eq!((status, check), (StatusCode::OK, json!({"allowed": false, "reason": "blocked for group lab_member"})));
        let (_, check) = rest(&server, "admin").send(Method::GET, "/api/features/check?user=lena&project=lab&feature=manage_files", &Value::Null).await;
        assert_eq!(check, json!({"allowed": true, "reason": "on by default"}));
        let (_, check) = rest(&server, "admin").send(Method::GET, "/api/features/check?user=max&feature=nothing", &Value::Null).await;
        assert_eq!(check["allowed"], false);
        let (status, _) = rest(&server, "max").send(Method::GET, "/api/features/check?user=max&feature=manage_files", &Value::Null).await;
        assert_eq!(status, 403, "only admins ask about someone");
        let (status, _) = rest(&server, "ola").send(Method::GET, "/api/features/effective?project=lab", &Value::Null).await;
        assert_eq!(status, 404, "a private project stays unseen");

        // Unblocking restores it on the next request.
        let (status, _) = post_form(&server, "lena", "lab_member", &[("key", "manage_files"), ("banned", "false")]).await;
        assert_eq!(status, 200);
        assert!(put_file(&server, "max", "lab", "after.txt").await.0.is_success());

        // Delete and re-create the project: its rules went with it.
        post_form(&server, "lena", "lab_member", &[("key", "manage_files"), ("banned", "true")]).await;
        post_form(&server, "lena", "lab", &[("key", "manage_files"), ("banned", "true")]).await;
        let (status, body) = rest(&server, "lena").send(Method::DELETE, "/data/projects/lab?removeFiles=true", &Value::Null).await;
        assert!(status.is_success(), "{body}");
        project_with_member(&server, &lena, "lab").await;
        assert!(put_file(&server, "max", "lab", "fresh.txt").await.0.is_success(), "[{}] a re-created project starts without rules", db.label);
    }
}

#[tokio::test]
async fn bans_bind_admins_and_an_off_feature_can_be_enabled() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = server_on(&db, data.path()).await;
        let admin = Client::new(&server.base);
        assert_eq!(admin.login("admin", PASSWORD).await.status(), 200);
        assert_eq!(admin.get("/admin/users/export.csv").await.status(), 200);
        let (status, _) = post_form(&server, "admin", "_SITE_WIDE", &[("key", "export_csv"), ("banned", "true")]).await;
        assert_eq!(status, 200);
        let (status, body) = status_and_body(admin.get("/admin/users/export.csv").await).await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, json!({"error": "This feature is not enabled for you: Export CSV"})), "[{}]", db.label);
        let (status, _) = rest(&server, "admin").send(Method::GET, "/api/audit?format=csv", &Value::Null).await;
        assert_eq!(status, 403, "[{}] the audit export too", db.label);
        let (_, site) = rest(&server, "admin").send(Method::GET, "/data/services/features?type=admin", &Value::Null).await;
        assert_eq!(site[0]["banned"], json!(["export_csv"]));
        post_form(&server, "admin", "_SITE_WIDE", &[("key", "export_csv"), ("banned", "false")]).await;
        assert_eq!(admin.get("/admin/users/export.csv").await.status(), 200);

        // Invitations and access requests obey theirs (blocked site-wide for Owners / every user).
        let lena = Client::new(&server.base);
        assert_eq!(lena.login("lena", PASSWORD).await.status(), 200);
        let (status, _) = rest(&server, "lena").send(Method::POST, "/orgs", &json!({"slug": "open", "name": "Open", "accessibility": "protected"})).await;
        assert_eq!(status, 201);
        post_form(&server, "admin", "Owners", &[("key", "invite_members"), ("banned", "true")]).await;
        let (status, body) = status_and_body(lena.call("/api/projects/invitations/send", &json!({"slug": "open", "email": "new@example.org", "role": "member"})).await).await;
        assert_eq!(status, 403, "[{}] {body}", db.label);
        assert!(body.to_string().contains("Invite members"), "{body}");
        post_form(&server, "admin", "role:user", &[("key", "request_access"), ("banned", "true")]).await;
        let ola = Client::new(&server.base);
        assert_eq!(ola.login("ola", PASSWORD).await.status(), 200);
        let detail: Value = ola.call("/api/projects/get", &json!({"slug": "open"})).await.json().await.unwrap();
        assert_eq!(detail["rights"]["request_access"], false, "{detail}");
        let (status, _) = status_and_body(ola.call("/api/projects/requests/file", &json!({"slug": "open", "message": ""})).await).await;
        assert_eq!(status, 403);
        // A block beats an enable; enabling for ola's role alone does nothing while the block stands.
        let (status, _) = post_form(&server, "admin", "role:user", &[("key", "request_access"), ("enabled", "true")]).await;
        assert_eq!(status, 200);
        let (_, check) = rest(&server, "admin").send(Method::GET, "/api/features/check?user=ola&project=open&feature=request_access", &Value::Null).await;
        assert_eq!(check, json!({"allowed": false, "reason": "blocked for group role:user"}));
    }
}
