//! Projects over HTTP: the whole SPEC §3 role table through both doors,
//! which projects each caller sees (guests included), and what deleting a
//! user does to their projects and files.

use crate::common::projects::*;
use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Act {
    Read,
    Create,
    Update,
    Delete,
    Manage,
}

/// SPEC §3's table.
fn expected(actor: &str, accessibility: &str, act: Act) -> bool {
    let public = accessibility == "public";
    match actor {
        "owner" => true,
        "member" => !matches!(act, Act::Delete | Act::Manage),
        "collab" => act == Act::Read,
        "outsider" => public && matches!(act, Act::Read | Act::Create | Act::Update),
        "guest" => public && act == Act::Read,
        _ => unreachable!(),
    }
}

/// Does `act` as `actor` through one door; returns whether it was allowed.
/// The owner prepares a fresh file for each attempt so cells do not interact.
async fn attempt(owner: &Actor, actor: &Actor, slug: &str, act: Act, rest: bool, cell: usize) -> bool {
    let target = format!("cell{cell}.txt");
    let (status, body) = upload(owner, slug, &target, b"data".to_vec()).await;
    assert_eq!(status, 201, "owner prepares {target}: {body}");
    let file_path = format!("/files/{slug}/ds/{target}");
    let (status, body) = match (act, rest) {
        (Act::Read, false) => actor.call("/api/projects/datasets/get", &json!({"slug": slug, "name": "ds"})).await,
        (Act::Read, true) => actor.rest(Method::GET, &file_path, None).await,
        (Act::Create, false) => actor.call("/api/projects/datasets/create", &json!({"slug": slug, "name": format!("new{cell}"), "description": ""})).await,
        (Act::Create, true) => upload(actor, slug, &format!("new{cell}.txt"), b"x".to_vec()).await,
        (Act::Update, false) => {
            actor.call("/api/projects/files/rename", &json!({"slug": slug, "dataset": "ds", "name": target, "new_name": format!("r{cell}.txt")})).await
        }
        (Act::Update, true) => actor.json(Method::PATCH, &file_path, json!({"name": format!("r{cell}.txt")})).await,
        (Act::Delete, false) => actor.call("/api/projects/files/delete", &json!({"slug": slug, "dataset": "ds", "name": target})).await,
        (Act::Delete, true) => actor.rest(Method::DELETE, &file_path, None).await,
        (Act::Manage, false) => {
            let version = owner.call("/api/projects/get", &json!({"slug": slug})).await.1["version"].as_i64().unwrap();
            let args = json!({"slug": slug, "name": format!("renamed {cell}"), "description": "d", "accessibility": accessibility_of(slug), "version": version});
            actor.call("/api/projects/update", &args).await
        }
        (Act::Manage, true) => actor.json(Method::PUT, &format!("/orgs/{slug}"), json!({"name": format!("renamed {cell}")})).await,
    };
    let allowed = status.is_success();
    if !allowed {
        let refusal = [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND];
        assert!(refusal.contains(&status), "{} {act:?} on {slug} via {}: unexpected {status} {body}", actor.name, if rest { "REST" } else { "server fn" });
        let message = body.get("error").or_else(|| body.as_object().and_then(|o| o.values().next()));
        assert!(message.is_some_and(|m| m.is_string()), "refusals carry a message: {body}");
    }
    allowed
}

fn accessibility_of(slug: &str) -> &str {
    slug.split('-').next().unwrap()
}

#[tokio::test]
async fn spec_role_table_through_both_doors() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users(&server, &["owner", "member", "collab", "outsider"]).await;
        let owner = Actor::signed_in(&server, "owner").await;
        let actors = [
            Actor::signed_in(&server, "owner").await,
            Actor::signed_in(&server, "member").await,
            Actor::signed_in(&server, "collab").await,
            Actor::signed_in(&server, "outsider").await,
            Actor::guest(&server),
        ];
        let mut cell = 0;
        let mut wrong = Vec::new();
        for accessibility in ["public", "protected", "private"] {
            let slug = format!("{accessibility}-p");
            project(&owner, &slug, accessibility).await;
            for actor in &actors {
                for act in [Act::Read, Act::Create, Act::Update, Act::Delete, Act::Manage] {
                    for rest in [false, true] {
                        cell += 1;
                        let allowed = attempt(&owner, actor, &slug, act, rest, cell).await;
                        if allowed != expected(actor.name, accessibility, act) {
                            wrong.push(format!("{} {act:?} {accessibility} via {}: allowed={allowed}", actor.name, if rest { "REST" } else { "server fn" }));
                        }
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "[{}] cells differing from SPEC §3:\n{}", db.label, wrong.join("\n"));
        assert_eq!(cell, 150);
    }
}

#[tokio::test]
async fn visibility_of_projects_and_guest_access() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users(&server, &["owner", "member", "collab", "outsider", "reader"]).await;
        let owner = Actor::signed_in(&server, "owner").await;
        for a in ["public", "protected", "private"] {
            project(&owner, &format!("{a}-p"), a).await;
        }
        let slugs = |v: &Value| v.as_array().unwrap().iter().map(|o| o["slug"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        let outsider = Actor::signed_in(&server, "outsider").await;
        let (_, list) = outsider.rest(Method::GET, "/orgs", None).await;
        assert_eq!(slugs(&list), ["protected-p", "public-p"], "private projects are invisible to non-members");
        let (status, body) = outsider.rest(Method::GET, "/orgs/private-p", None).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::NOT_FOUND, Some("No such project: private-p")));
        let (status, _) = outsider.json(Method::PUT, "/orgs/protected-p", json!({"name": "x"})).await;
        assert_eq!(status, 403, "visible but not owned: 403");
        let (_, list) = Actor::guest(&server).rest(Method::GET, "/orgs", None).await;
        assert_eq!(slugs(&list), ["public-p"], "guests see public projects when login is not required");
        for path in ["/projects", "/projects/public-p", "/projects/public-p/datasets/ds"] {
            let page = Actor::guest(&server).client.get(path).await;
            assert_eq!(page.status(), 200, "guests may open {path}");
        }

        // all_data_access reads everything, changes nothing.
        server.execute("INSERT INTO user_roles (user_id, role) SELECT id, 'all_data_access' FROM users WHERE username = 'reader'").await;
        let reader = Actor::signed_in(&server, "reader").await;
        let (_, list) = reader.rest(Method::GET, "/orgs", None).await;
        assert_eq!(slugs(&list), ["private-p", "protected-p", "public-p"]);
        upload(&owner, "private-p", "secret.txt", b"42".to_vec()).await;
        let (status, body) = reader.rest(Method::GET, "/files/private-p/ds/secret.txt", None).await;
        assert_eq!((status, body), (StatusCode::OK, json!(42)));
        let (status, _) = upload(&reader, "private-p", "no.txt", b"x".to_vec()).await;
        assert_eq!(status, 403);

        // An admin turns "require login" on in Admin → Settings: guests get
        // 401 everywhere, whatever exists, and the project pages send them to sign in.
        let admin = Client::new(&server.base);
        assert_eq!(admin.login("admin", PASSWORD).await.status(), 200);
        let (_, mut form) = read(admin.call("/api/admin/settings/get", &json!({})).await).await;
        assert_eq!(form["require_login"], false);
        form["require_login"] = json!(true);
        let (status, body) = read(admin.call("/api/admin/settings/save", &json!({"form": form})).await).await;
        assert_eq!(status, 200, "{body}");
        tokio::time::sleep(app::backend::service::settings::CACHE_FOR).await;
        let guest = Actor::guest(&server);
        for path in ["/orgs", "/orgs/public-p", "/orgs/nothing-here", "/files/public-p/ds/secret.txt"] {
            let (status, _) = guest.rest(Method::GET, path, None).await;
            assert_eq!(status, 401, "{path}");
        }
        let page = guest.client.get("/projects/public-p").await;
        assert_eq!(page.status(), 303, "pages send guests to sign in");
    }
}

#[tokio::test]
async fn deleting_a_user_gives_their_data_away_or_deletes_it() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users(&server, &["owner", "member", "collab", "leaver", "dropper"]).await;
        let owner = Actor::signed_in(&server, "owner").await;
        project(&owner, "lab", "public").await;
        let admin = Client::new(&server.base);
        assert_eq!(admin.login("admin", PASSWORD).await.status(), 200);
        for (name, file) in [("leaver", "kept.bin"), ("dropper", "gone.bin")] {
            let actor = Actor::signed_in(&server, name).await;
            assert_eq!(upload(&actor, "lab", file, vec![3u8; 1000]).await.0, StatusCode::CREATED);
            let (status, _) = actor.call("/api/projects/datasets/create", &json!({"slug": "lab", "name": format!("{name}-set"), "description": ""})).await;
            assert_eq!(status, 200);
            upload(&owner, "lab", &format!("in-{name}.bin"), vec![1u8; 10]).await;
        }
        let (status, body) = read(admin.call("/api/admin/users/delete", &json!({"username": "leaver", "heir": "nobody"})).await).await;
        assert_eq!(status, 400, "an unknown heir is refused and nothing is deleted: {body}");
        let (status, _) = read(admin.call("/api/admin/users/delete", &json!({"username": "leaver", "heir": "owner"})).await).await;
        assert_eq!(status, 200);
        let (_, page) = owner.call("/api/projects/datasets/get", &json!({"slug": "lab", "name": "ds"})).await;
        let kept = page["files"].as_array().unwrap().iter().find(|f| f["name"] == "kept.bin").unwrap().clone();
        assert_eq!(kept["uploaded_by"], "owner");
        let (_, sets) = owner.call("/api/projects/datasets/list", &json!({"slug": "lab"})).await;
        let leaver_set = sets.as_array().unwrap().iter().find(|d| d["name"] == "leaver-set").unwrap().clone();
        assert_eq!(leaver_set["created_by"], "owner");
        assert_eq!(storage(&owner).await["used"], 1000 + 20, "the heir carries the bytes now");

        let (status, _) = read(admin.call("/api/admin/users/delete", &json!({"username": "dropper", "heir": ""})).await).await;
        assert_eq!(status, 200);
        let (_, page) = owner.call("/api/projects/datasets/get", &json!({"slug": "lab", "name": "ds"})).await;
        assert!(page["files"].as_array().unwrap().iter().all(|f| f["name"] != "gone.bin"));
        let (status, _) = owner.call("/api/projects/datasets/get", &json!({"slug": "lab", "name": "dropper-set"})).await;
        assert_eq!(status, 404);
        assert_eq!(storage(&owner).await["used"], 1000 + 20, "other uploaders keep their files in kept datasets");
        let stored = std::fs::read_dir(data.path().join("files")).unwrap().count();
        let rows: i64 = app::on_db!(&server.state().db, |pool| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM files").fetch_one(pool).await).unwrap();
        assert_eq!(stored as i64, rows, "no orphaned bytes on disk");
    }
}
