//! Projects over HTTP: the whole SPEC §3 role table through both doors,
//! membership and the last-owner rule, access requests and invitations with
//! the emails they send, uploads against quotas (also concurrently), and
//! the registry's /orgs paths.


use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "project-password-1";

fn config(db: &TestDb, data_dir: &std::path::Path) -> Config {
    Config {
        admin_password: Some(PASSWORD.into()),
        storage_limiter: true,
        require_login: false,
        data_dir: data_dir.display().to_string(),
        ..test_config(db)
    }
}

/// A caller of both doors: a cookie session (server functions) and the
/// same identity over HTTP Basic (REST), or a guest with neither.
struct Actor {
    name: &'static str,
    client: Client,
    basic: Option<String>,
}

impl Actor {
    async fn signed_in(server: &TestServer, name: &'static str) -> Actor {
        let client = Client::new(&server.base);
        assert_eq!(client.login(name, PASSWORD).await.status(), 200, "{name} signs in");
        Actor { name, client, basic: Some(format!("{name}:{PASSWORD}")) }
    }

    fn guest(server: &TestServer) -> Actor {
        Actor { name: "guest", client: Client::new(&server.base), basic: None }
    }

    async fn call(&self, path: &str, args: &Value) -> (StatusCode, Value) {
        let res = self.client.call(path, args).await;
        read(res).await
    }

    async fn rest(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> (StatusCode, Value) {
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

    async fn json(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        self.rest_with(method, path, |r| r.json(&body)).await
    }

    async fn rest_with(&self, method: Method, path: &str, f: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder) -> (StatusCode, Value) {
        let mut req = reqwest::Client::new().request(method, format!("{}{path}", self.client.base));
        if let Some(basic) = &self.basic {
            let (user, pass) = basic.split_once(':').unwrap();
            req = req.basic_auth(user, Some(pass));
        }
        read(f(req).send().await.unwrap()).await
    }
}

async fn read(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn users(server: &TestServer, names: &[&str]) {
    for name in names {
        server.create_user(name, PASSWORD).await;
    }
}

/// Creates a project as `owner` through REST, with `member` and `collab`
/// in its groups.
async fn project(owner: &Actor, slug: &str, accessibility: &str) {
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

async fn upload(actor: &Actor, slug: &str, file: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    actor.rest(Method::PUT, &format!("/files/{slug}/ds/{file}"), Some(bytes)).await
}

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
async fn membership_and_last_owner() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users(&server, &["owner", "member", "collab", "second"]).await;
        set_email(&server, "second", "second@example.org").await;
        let owner = Actor::signed_in(&server, "owner").await;
        project(&owner, "lab", "protected").await;
        let (status, body) = owner.call("/api/projects/members/remove", &json!({"slug": "lab", "username": "owner"})).await;
        assert_eq!((status, body["Conflict"].as_str().is_some() || body.to_string().contains("at least one owner")), (StatusCode::CONFLICT, true), "{body}");
        // An owner cannot add by an address they were never shown (issue 29;
        // `member_emails_show_to_owners_by_how_members_joined`): by username, then.
        let (status, body) = owner.call("/api/projects/members/set", &json!({"slug": "lab", "user": "second@example.org", "role": "Owners"})).await;
        assert_eq!((status, body["NotFound"].as_str()), (StatusCode::NOT_FOUND, Some("No user with that username or email can be added")));
        // Add, move between groups, then the first owner can leave.
        let (status, body) = owner.call("/api/projects/members/set", &json!({"slug": "lab", "user": "second", "role": "Owners"})).await;
        assert_eq!((status, body), (StatusCode::OK, json!("second")));
        let (status, _) = owner.call("/api/projects/members/set", &json!({"slug": "lab", "user": "nobody", "role": "Members"})).await;
        assert_eq!(status, 404);
        let (status, _) = owner.call("/api/projects/members/set", &json!({"slug": "lab", "user": "member", "role": "Ownerss"})).await;
        assert_eq!(status, 400);
        let (status, _) = owner.rest(Method::PUT, "/data/projects/lab/users/s/member", None).await;
        assert_eq!(status, 400, "pyxnat's malformed group names are refused");
        let (_, people) = owner.call("/api/projects/people", &json!({"slug": "lab"})).await;
        let groups: Vec<(String, String)> = people["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["username"].as_str().unwrap().into(), m["role"].as_str().unwrap().into()))
            .collect();
        assert_eq!(groups, [("collab".into(), "collaborator".into()), ("member".into(), "member".into()), ("owner".into(), "owner".into()), ("second".into(), "owner".into())]);
        let (status, body) = owner.rest(Method::DELETE, "/data/projects/lab/users/Owners/owner", None).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = owner.rest(Method::GET, "/orgs/lab", None).await;
        assert_eq!(status, 200, "a protected project stays visible: {body}");
        assert_eq!(body["owner"], "second");
        // A member cannot manage the groups.
        let member = Actor::signed_in(&server, "member").await;
        let (status, body) = member.rest(Method::PUT, "/data/projects/lab/users/Owners/member", None).await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, json!("Project owner access required")));
    }
}

/// Bodies of the messages delivered to `to` over SMTP, oldest first, once
/// at least `count` have arrived (waiting up to 20 s).
async fn mail_to(sink: &crate::common::smtp::SmtpSink, to: &str, count: usize) -> Vec<String> {
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
async fn server_with_mail(db: &TestDb, data: &std::path::Path) -> (TestServer, crate::common::smtp::SmtpSink) {
    let sink = crate::common::smtp::SmtpSink::start().await;
    let server = TestServer::start(&Config { smtp_url: Some(sink.url()), ..config(db, data) }).await;
    (server, sink)
}

async fn set_email(server: &TestServer, user: &str, email: &str) {
    let sql = "UPDATE users SET email = $1, email_lower = $1 WHERE username = $2";
    app::on_db!(&server.state().db, |pool| sqlx::query(sql).bind(email).bind(user).execute(pool).await.map(|_| ())).unwrap();
}

#[tokio::test]
async fn access_request_loop_with_emails() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let (server, sink) = server_with_mail(&db, data.path()).await;
        users(&server, &["owner", "member", "collab", "asker"]).await;
        set_email(&server, "owner", "owner@example.org").await;
        set_email(&server, "asker", "asker@example.org").await;
        let owner = Actor::signed_in(&server, "owner").await;
        project(&owner, "lab", "protected").await;
        project(&owner, "hidden", "private").await;
        let asker = Actor::signed_in(&server, "asker").await;
        let (status, _) = asker.call("/api/projects/requests/file", &json!({"slug": "hidden", "message": ""})).await;
        assert_eq!(status, 404, "private projects take no requests: they are invisible");
        let (status, _) = asker.call("/api/projects/datasets/list", &json!({"slug": "lab"})).await;
        assert_eq!(status, 403);
        let (status, body) = asker.call("/api/projects/requests/file", &json!({"slug": "lab", "message": "For my thesis"})).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = asker.call("/api/projects/requests/file", &json!({"slug": "lab", "message": "again"})).await;
        assert_eq!(status, 409, "{body}");
        let mails = mail_to(&sink, "owner@example.org", 1).await;
        assert_eq!(mails.len(), 1);
        assert!(mails[0].contains("asker asks for access") && mails[0].contains("For my thesis"), "{}", mails[0]);
        assert!(mails[0].contains("/projects/lab/users"), "{}", mails[0]);

        let (_, people) = owner.call("/api/projects/people", &json!({"slug": "lab"})).await;
        let id = people["requests"][0]["id"].as_i64().unwrap();
        let member = Actor::signed_in(&server, "member").await;
        let (status, _) = member.call("/api/projects/requests/decide", &json!({"slug": "lab", "id": id, "role": "member", "reason": ""})).await;
        assert_eq!(status, 403, "members cannot decide");
        let (status, body) = owner.call("/api/projects/requests/decide", &json!({"slug": "lab", "id": id, "role": "member", "reason": ""})).await;
        assert_eq!(status, 200, "{body}");
        let (status, _) = owner.call("/api/projects/requests/decide", &json!({"slug": "lab", "id": id, "role": "", "reason": "late"})).await;
        assert_eq!(status, 409, "a decided request stays decided");
        let (status, _) = asker.call("/api/projects/datasets/list", &json!({"slug": "lab"})).await;
        assert_eq!(status, 200, "approved: the data is readable now");
        let mine = asker.call("/api/projects/requests/mine", &json!({})).await.1;
        assert_eq!(mine[0]["status"], "approved");
        let mails = mail_to(&sink, "asker@example.org", 1).await;
        assert!(mails.last().unwrap().contains("was approved"), "{mails:?}");

        // A denial with a reason reaches the requester too.
        project(&owner, "other", "protected").await;
        asker.call("/api/projects/requests/file", &json!({"slug": "other", "message": ""})).await;
        let id = owner.call("/api/projects/people", &json!({"slug": "other"})).await.1["requests"][0]["id"].as_i64().unwrap();
        let (status, _) = owner.call("/api/projects/requests/decide", &json!({"slug": "other", "id": id, "role": "", "reason": "Not this year"})).await;
        assert_eq!(status, 200);
        let mails = mail_to(&sink, "asker@example.org", 2).await;
        assert!(mails.last().unwrap().contains("was declined") && mails.last().unwrap().contains("Not this year"));
        let (status, _) = asker.call("/api/projects/datasets/list", &json!({"slug": "other"})).await;
        assert_eq!(status, 403);
    }
}

fn invitation_token(mail: &str) -> String {
    let start = mail.find("/invitations/").expect("invitation link") + "/invitations/".len();
    mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect()
}

#[tokio::test]
async fn invitation_loop_register_and_join() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let sink = crate::common::smtp::SmtpSink::start().await;
        // Owners' links may create accounts, approved at once (the defaults:
        // `invitation_limits::invitation_sign_up_obeys_the_registration_policy`).
        let open = Config { smtp_url: Some(sink.url()), owners_may_invite_new_people: true, require_admin_approval: false, ..config(&db, data.path()) };
        let server = TestServer::start(&open).await;
        users(&server, &["owner", "member", "collab", "existing"]).await;
        set_email(&server, "existing", "existing@example.org").await;
        let owner = Actor::signed_in(&server, "owner").await;
        project(&owner, "lab", "private").await;
        let (status, _) = owner.call("/api/projects/invitations/send", &json!({"slug": "lab", "email": "not-an-email", "role": "member"})).await;
        assert_eq!(status, 400);
        let (status, body) = owner.call("/api/projects/invitations/send", &json!({"slug": "lab", "email": "new@example.org", "role": "member"})).await;
        assert_eq!(status, 200, "{body}");
        let token = invitation_token(&mail_to(&sink, "new@example.org", 1).await[0]);
        let stored: i64 = app::on_db!(&server.state().db, |pool| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM invitations WHERE token_hash = $1")
            .bind(&token)
            .fetch_one(pool)
            .await)
        .unwrap();
        assert_eq!(stored, 0, "the token is stored hashed, never as sent");

        let stranger = Client::new(&server.base);
        let (status, preview) = read(stranger.call("/api/invitations/preview", &json!({"token": token})).await).await;
        assert_eq!((status, preview["project_slug"].as_str(), preview["role"].as_str()), (StatusCode::OK, Some("lab"), Some("member")));
        let signup = |username: &str, confirm: &str| {
            json!({"token": token, "username": username, "display_name": "New Person", "password": PASSWORD, "confirm": confirm})
        };
        let (status, _) = read(stranger.call("/api/invitations/sign_up", &signup("newbie", "different-1")).await).await;
        assert_eq!(status, 400);
        let (status, _) = read(stranger.call("/api/invitations/sign_up", &signup("OWNER", PASSWORD)).await).await;
        assert_eq!(status, 409, "taken usernames are refused in any case (AppError::Taken, like registration)");
        let (status, body) = read(stranger.call("/api/invitations/sign_up", &signup("newbie", PASSWORD)).await).await;
        assert_eq!((status, body), (StatusCode::OK, json!("lab")));
        assert_eq!(stranger.whoami().await.as_deref(), Some("newbie"), "signed in at once, no verification step");
        let (status, _) = read(stranger.call("/api/projects/datasets/list", &json!({"slug": "lab"})).await).await;
        assert_eq!(status, 200, "joined the private project as a member");
        let again = Client::new(&server.base);
        let (status, _) = read(again.call("/api/invitations/sign_up", &signup("another", PASSWORD)).await).await;
        assert_eq!(status, 404, "a used link is refused");

        // Existing users accept while signed in; a revoked link is dead.
        owner.call("/api/projects/invitations/send", &json!({"slug": "lab", "email": "existing@example.org", "role": "collaborator"})).await;
        owner.call("/api/projects/invitations/send", &json!({"slug": "lab", "email": "existing@example.org", "role": "owner"})).await;
        let mails = mail_to(&sink, "existing@example.org", 2).await;
        let (first, second) = (invitation_token(&mails[0]), invitation_token(&mails[1]));
        let people = owner.call("/api/projects/people", &json!({"slug": "lab"})).await.1;
        let open: Vec<i64> = people["invitations"].as_array().unwrap().iter().filter(|i| i["status"] == "open").map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(open.len(), 2);
        let (status, _) = owner.call("/api/projects/invitations/revoke", &json!({"slug": "lab", "id": open[0]})).await;
        assert_eq!(status, 200);
        let existing = Actor::signed_in(&server, "existing").await;
        let (status, _) = existing.call("/api/invitations/accept", &json!({"token": second})).await;
        assert_eq!(status, 404, "the newest invitation was revoked");
        let (status, body) = existing.call("/api/invitations/accept", &json!({"token": first})).await;
        assert_eq!((status, body), (StatusCode::OK, json!("lab")));
        let (_, members) = owner.rest(Method::GET, "/data/projects/lab/users?format=json", None).await;
        let rows = members["ResultSet"]["Result"].as_array().unwrap();
        let existing_row = rows.iter().find(|r| r["login"] == "existing").unwrap();
        assert_eq!(existing_row["displayname"], "Collaborators");
        // An expired link is refused.
        owner.call("/api/projects/invitations/send", &json!({"slug": "lab", "email": "late@example.org", "role": "member"})).await;
        server.execute("UPDATE invitations SET expires_at = 1 WHERE email = 'late@example.org'").await;
        let late = invitation_token(&mail_to(&sink, "late@example.org", 1).await[0]);
        let (status, _) = read(Client::new(&server.base).call("/api/invitations/preview", &json!({"token": late})).await).await;
        assert_eq!(status, 404);
    }
}

async fn storage(actor: &Actor) -> Value {
    actor.rest(Method::GET, "/users/storage", None).await.1
}

#[tokio::test]
async fn uploads_respect_the_quota_even_concurrently() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users(&server, &["owner", "member", "collab"]).await;
        let owner = Actor::signed_in(&server, "owner").await;
        project(&owner, "lab", "private").await;
        let admin = Actor { name: "admin", client: Client::new(&server.base), basic: Some(format!("admin:{PASSWORD}")) };
        let (status, body) = admin.json(Method::POST, "/users/member/meta", json!({"maxStorageMB": 1})).await;
        assert_eq!(status, 200, "{body}");
        let member = Actor::signed_in(&server, "member").await;
        assert_eq!(storage(&member).await, json!({"total": 1_048_576, "used": 0}));

        let (status, body) = upload(&member, "lab", "a.bin", vec![7u8; 600_000]).await;
        assert_eq!((status, body["size"].as_i64()), (StatusCode::CREATED, Some(600_000)));
        let (status, body) = upload(&member, "lab", "b.bin", vec![7u8; 600_000]).await;
        assert_eq!(status, 413, "{body}");
        assert!(body["error"].as_str().unwrap().contains("storage quota of 1.0 MB"), "{body}");
        assert_eq!(storage(&member).await["used"], 600_000, "a refused upload changes nothing");
        let (_, page) = member.call("/api/projects/datasets/get", &json!({"slug": "lab", "name": "ds"})).await;
        let names: Vec<&str> = page["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert!(!names.contains(&"b.bin"), "no row for the refused file");
        let leftovers = std::fs::read_dir(data.path().join("tmp")).unwrap().count();
        assert_eq!(leftovers, 0, "no partial file left behind");
        assert_eq!(std::fs::read_dir(data.path().join("files")).unwrap().count(), 1, "only a.bin's bytes are stored");
        // Downloads stream back the exact bytes, as an attachment.
        let res = reqwest::Client::new().get(server.url("/files/lab/ds/a.bin")).basic_auth("owner", Some(PASSWORD)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"a.bin\"; filename*=UTF-8''a.bin");
        assert_eq!(res.bytes().await.unwrap().to_vec(), vec![7u8; 600_000]);

        // Ten concurrent uploads of 100 kB with 448,576 bytes free: at most 4 fit.
        let names: Vec<String> = (0..10).map(|n| format!("c{n}.bin")).collect();
        let uploads = names.iter().map(|name| upload(&member, "lab", name, vec![1u8; 100_000]));
        let results = futures_util::future::join_all(uploads).await;
        let stored = results.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
        let refused = results.iter().filter(|(s, _)| *s == StatusCode::PAYLOAD_TOO_LARGE).count();
        assert_eq!((stored, refused), (4, 6), "{results:?}");
        let used = storage(&member).await["used"].as_i64().unwrap();
        assert_eq!(used, 600_000 + 400_000);
        assert!(used <= 1_048_576);

        // Deleting gives the bytes back (owners delete; members may not).
        let (status, _) = member.rest(Method::DELETE, "/files/lab/ds/a.bin", None).await;
        assert_eq!(status, 403);
        let (status, _) = owner.rest(Method::DELETE, "/files/lab/ds/a.bin", None).await;
        assert_eq!(status, 204);
        assert_eq!(storage(&member).await["used"], 400_000);
        let (_, detailed) = admin.rest(Method::GET, "/users/detailed", None).await;
        let row = detailed.as_array().unwrap().iter().find(|u| u["userName"] == "member").unwrap();
        assert_eq!((row["storageUsed"].as_i64(), row["storageQuota"].as_i64()), (Some(400_000), Some(1_048_576)));
        assert_eq!(row["organizations"], json!(["lab"]));
        // Deleting the project removes its files and releases the storage.
        let (status, _) = owner.rest(Method::DELETE, "/orgs/lab", None).await;
        assert_eq!(status, 204);
        assert_eq!(storage(&member).await["used"], 0);
        assert_eq!(std::fs::read_dir(data.path().join("files")).unwrap().count(), 0);
    }
}

#[tokio::test]
async fn registry_orgs_paths() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users(&server, &["owner", "member", "collab", "alice"]).await;
        let owner = Actor::signed_in(&server, "owner").await;
        // Form body, isPublic as text, as the seed's curl lines send it.
        let (status, body) = owner
            .rest_with(Method::POST, "/orgs", |r| {
                r.header("content-type", "application/x-www-form-urlencoded").body("slug=Brain-MRI&name=Brain+MRI&description=Scans&isPublic=true")
            })
            .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["slug"], "Brain-MRI");
        assert_eq!((body["isPublic"].as_bool(), body["accessibility"].as_str(), body["owner"].as_str()), (Some(true), Some("public"), Some("owner")));
        assert!(body["creationDate"].as_str().unwrap().ends_with('Z'));
        let (status, _) = owner.json(Method::POST, "/orgs", json!({"slug": "brain-mri", "name": "dup"})).await;
        assert_eq!(status, 409, "slugs are unique in any letter case");
        let (status, body) = owner.json(Method::POST, "/orgs", json!({"slug": "-bad", "name": "x"})).await;
        assert_eq!(status, 400, "{body}");
        let (status, body) = owner.json(Method::PUT, "/orgs/brain-mri", json!({"isPublic": false})).await;
        assert_eq!((status, body["accessibility"].as_str()), (StatusCode::OK, Some("private")), "paths match slugs in any case");
        let (_, body) = owner.json(Method::PUT, "/orgs/Brain-MRI", json!({"accessibility": "protected"})).await;
        assert_eq!(body["accessibility"], "protected");
        let (_, body) = owner.json(Method::PUT, "/orgs/Brain-MRI", json!({"isPublic": false})).await;
        assert_eq!(body["accessibility"], "protected", "isPublic=false leaves a protected project as it is");

        // /users/{u}/orgs: repeated form keys, JSON array, JSON object.
        project(&owner, "second", "private").await;
        let admin = Actor { name: "admin", client: Client::new(&server.base), basic: Some(format!("admin:{PASSWORD}")) };
        let put_orgs = |body: &'static str, ct: &'static str| {
            let admin = &admin;
            async move { admin.rest_with(Method::PUT, "/users/alice/orgs", |r| r.header("content-type", ct).body(body)).await }
        };
        let (status, body) = put_orgs("orgSlugs=Brain-MRI&orgSlugs=second", "application/x-www-form-urlencoded").await;
        assert_eq!(status, 200, "{body}");
        let slugs = |v: &Value| v.as_array().unwrap().iter().map(|o| o["slug"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(slugs(&body), ["Brain-MRI", "second"]);
        let (status, body) = put_orgs(r#"["second", "nope"]"#, "application/json").await;
        assert_eq!(status, 400, "an unknown slug changes nothing: {body}");
        let (_, body) = admin.rest(Method::GET, "/users/alice/orgs", None).await;
        assert_eq!(slugs(&body), ["Brain-MRI", "second"]);
        let (_, body) = put_orgs(r#"{"orgSlugs": ["second"]}"#, "application/json").await;
        assert_eq!(slugs(&body), ["second"]);
        let (_, body) = put_orgs("", "application/x-www-form-urlencoded").await;
        assert_eq!(slugs(&body), Vec::<String>::new());
        let (_, body) = admin.rest(Method::PUT, "/users/owner/orgs", None).await;
        assert_eq!(slugs(&body), ["Brain-MRI", "second"], "projects the user owns never change here");
        let (status, _) = owner.rest(Method::GET, "/users/alice/orgs", None).await;
        assert_eq!(status, 403);

        let (status, _) = owner.rest(Method::DELETE, "/orgs/brain-mri", None).await;
        assert_eq!(status, 204);
        let (status, _) = owner.rest(Method::GET, "/orgs/Brain-MRI", None).await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn xnat_paths_shapes_and_errors() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users(&server, &["owner", "member", "collab"]).await;
        let http = reqwest::Client::new();
        let get = |path: &str, user: Option<(&str, &str)>| {
            let mut req = http.get(server.url(path));
            if let Some((u, p)) = user {
                req = req.basic_auth(u, Some(p));
            }
            req.send()
        };
        // 401 is XNAT's exact text (guests may browse here: login is not required).
        for user in [Some(("owner", "wrong-password"))] {
            let res = get("/data/projects?format=csv", user).await.unwrap();
            assert_eq!(res.status(), 401);
            assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
            assert_eq!(res.text().await.unwrap(), "The request requires user authentication");
        }
        let owner = Some(("owner", PASSWORD));
        let res = get("//data/JSESSION", owner).await.unwrap();
        assert_eq!(res.status(), 200, "a leading // is routed as /");
        let cookie = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>();
        let session_id = res.text().await.unwrap();
        assert!(cookie.iter().any(|c| c.starts_with(&format!("JSESSIONID={session_id}"))), "{cookie:?}");
        // The alias works on XNAT's paths only (the page session keeps its __Host- cookie).
        let listed = http.get(server.url("/data/projects")).header("cookie", format!("JSESSIONID={session_id}")).send().await.unwrap();
        assert_eq!(listed.status(), 200);
        assert_eq!(whoami_with_cookie(&server.base, &format!("JSESSIONID={session_id}")).await, None);

        let put = http.put(server.url("/data/projects/Study1?xsiType=xnat:projectData")).basic_auth("owner", Some(PASSWORD)).header("content-length", "0");
        assert_eq!(put.send().await.unwrap().status(), 201);
        let put = http.put(server.url("/REST/projects/Study1?name=Study%20One")).basic_auth("owner", Some(PASSWORD));
        assert_eq!(put.send().await.unwrap().status(), 200, "the owner updates through the /REST prefix");
        let csv = get("/data/projects?format=csv&columns=ID,xsiType", owner).await.unwrap().text().await.unwrap();
        assert_eq!(csv, "ID,secondary_ID,name,description,pi_firstname,pi_lastname,URI\nStudy1,Study1,Study One,,,,/data/projects/Study1\n");
        let json: Value = get("/data/projects?format=json", owner).await.unwrap().json().await.unwrap();
        assert_eq!(json["ResultSet"]["totalRecords"], "1");
        assert_eq!(json["ResultSet"]["Result"][0]["ID"], "Study1");
        let item: Value = get("/data/projects/study1?format=json", owner).await.unwrap().json().await.unwrap();
        assert_eq!(item["items"][0]["data_fields"]["name"], "Study One");
        assert_eq!(item["items"][0]["meta"]["xsi:type"], "xnat:projectData");
        assert_eq!(get("/data/projects/Study1/accessibility", owner).await.unwrap().text().await.unwrap(), "private");
        let set = http.put(server.url("/data/projects/Study1/accessibility/protected")).basic_auth("owner", Some(PASSWORD));
        assert_eq!(set.send().await.unwrap().status(), 200);
        let bad = http.put(server.url("/data/projects/Study1/accessibility/open")).basic_auth("owner", Some(PASSWORD));
        assert_eq!(bad.send().await.unwrap().status(), 400);

        let add = http.put(server.url("/data/projects/Study1/users/Members/member")).basic_auth("owner", Some(PASSWORD));
        assert_eq!(add.send().await.unwrap().status(), 200);
        let csv = get("/data/projects/Study1/users?format=csv", owner).await.unwrap().text().await.unwrap();
        assert_eq!(csv.lines().next().unwrap(), "role,login,firstname,lastname,email,GROUP_ID,displayname");
        assert!(csv.contains("member,member,,,,Study1_member,Members"), "{csv}");
        assert!(csv.contains("owner,owner,,,,Study1_owner,Owners"), "{csv}");
        let empty = get("/data/projects?format=csv", Some(("collab", PASSWORD))).await.unwrap().text().await.unwrap();
        assert_eq!(empty, "ID,secondary_ID,name,description,pi_firstname,pi_lastname,URI\nStudy1,Study1,Study One,,,,/data/projects/Study1\n", "protected projects are listed to everyone signed in");
        let users_csv = get("/data/users?format=csv", Some(("member", PASSWORD))).await.unwrap().text().await.unwrap();
        assert_eq!(users_csv.lines().next().unwrap(), "login,firstname,lastname,email,xdat_user_id,enabled");
        let logins: Vec<&str> = users_csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(logins, ["member", "owner"], "non-admins see who shares a project with them");

        let missing = get("/data/projects/nothing", owner).await.unwrap();
        assert_eq!(missing.status(), 404);
        let text = missing.text().await.unwrap();
        assert!(!text.contains("Not Found") && !text.starts_with('<'), "{text}");
        let unknown = get("/data/unknown/path", owner).await.unwrap();
        assert_eq!(unknown.status(), 404);
        assert!(!unknown.text().await.unwrap().starts_with('<'), "no HTML under /data");
        let del = http.delete(server.url("/data/projects/Study1/users/Owners/owner")).basic_auth("owner", Some(PASSWORD));
        assert_eq!(del.send().await.unwrap().status(), 409, "the last owner stays");
        let del = http.delete(server.url("/data/projects/Study1?removeFiles=true")).basic_auth("owner", Some(PASSWORD));
        assert_eq!(del.send().await.unwrap().status(), 200);
        let logout = http.delete(server.url("/data/JSESSION")).header("cookie", format!("JSESSIONID={session_id}"));
        assert_eq!(logout.send().await.unwrap().status(), 200);
        assert_eq!(whoami_with_cookie(&server.base, &format!("JSESSIONID={session_id}")).await, None);
    }
}

/// `PUT /data/projects/{ID}`: 201 when it creates, 200 when the caller
/// manages the project (only the given fields change), 403 when they see
/// it but do not manage it, 409 when the id is taken by one they cannot see.
#[tokio::test]
async fn xnat_put_creates_or_updates() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users(&server, &["owner", "outsider"]).await;
        let owner = Actor::signed_in(&server, "owner").await;
        let outsider = Actor::signed_in(&server, "outsider").await;
        let admin = Actor { name: "admin", client: Client::new(&server.base), basic: Some(format!("admin:{PASSWORD}")) };
        let (status, body) = owner.rest(Method::PUT, "/data/projects/Shared?accessibility=public&description=first", None).await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = owner.rest(Method::PUT, "/data/projects/shared?name=Renamed", None).await;
        assert_eq!(status, 200, "{body}");
        let (_, org) = owner.rest(Method::GET, "/orgs/Shared", None).await;
        assert_eq!((org["name"].as_str(), org["description"].as_str(), org["accessibility"].as_str()), (Some("Renamed"), Some("first"), Some("public")));
        let (status, body) = outsider.rest(Method::PUT, "/data/projects/Shared?name=Mine", None).await;
        assert_eq!(status, 403, "seen but not managed: {body}");
        let (status, body) = owner.rest(Method::PUT, "/data/projects/Hidden", None).await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = outsider.rest(Method::PUT, "/data/projects/hidden", None).await;
        assert_eq!(status, 409, "taken by a project the caller cannot see: {body}");
        assert!(body.as_str().unwrap().contains("already taken"), "{body}");
        let (status, body) = admin.rest(Method::PUT, "/data/projects/Hidden?description=by%20admin", None).await;
        assert_eq!(status, 200, "admins update any project: {body}");
        let (status, body) = owner.rest(Method::PUT, "/data/projects/Other?accessibility=open", None).await;
        assert_eq!((status, body.as_str()), (StatusCode::BAD_REQUEST, Some("Accessibility must be public, protected or private")));
        let (status, body) = Actor::guest(&server).rest(Method::PUT, "/data/projects/Guest", None).await;
        assert_eq!((status, body.as_str()), (StatusCode::UNAUTHORIZED, Some("The request requires user authentication")));
        let (_, list) = outsider.rest(Method::GET, "/orgs", None).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "nothing was created by the refused calls: {list}");
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

/// The home page's summary for `actor`.
async fn home(actor: &Actor) -> Value {
    let (status, body) = actor.call("/api/home", &json!({})).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn the_home_page_says_what_needs_me() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let (server, sink) = server_with_mail(&db, data.path()).await;
        users(&server, &["owner", "member", "collab", "asker", "invitee", "other"]).await;
        set_email(&server, "invitee", "invitee@example.org").await;
        set_email(&server, "other", "other@example.org").await;
        let owner = Actor::signed_in(&server, "owner").await;
        project(&owner, "lab", "protected").await;
        let asker = Actor::signed_in(&server, "asker").await;
        assert_eq!(asker.call("/api/projects/requests/file", &json!({"slug": "lab", "message": "please"})).await.0, 200);
        for (email, role) in [("invitee@example.org", "member"), ("INVITEE@Example.org", "collaborator"), ("someone@example.org", "member")] {
            let (status, body) = owner.call("/api/projects/invitations/send", &json!({"slug": "lab", "email": email, "role": role})).await;
            assert_eq!(status, 200, "{body}");
        }
        mail_to(&sink, "someone@example.org", 1).await;

        let mine = home(&owner).await;
        assert_eq!(mine["projects"], json!([{"slug": "lab", "name": "lab", "role": "owner"}]));
        assert_eq!(mine["waiting_on_me"], json!([{"slug": "lab", "name": "lab", "pending": 1}]));
        assert_eq!(mine["admin"], Value::Null, "only admins see the site's figures");
        assert_eq!(home(&Actor::signed_in(&server, "member").await).await["waiting_on_me"], json!([]), "members decide nothing");
        let asked = home(&asker).await;
        assert_eq!((asked["requests"][0]["project_slug"].as_str(), asked["requests"][0]["status"].as_str()), (Some("lab"), Some("pending")));
        assert_eq!(asked["project_count"], 0);

        // Invitations: those sent to my address in any letter case, not others'.
        let invitee = Actor::signed_in(&server, "invitee").await;
        let waiting = home(&invitee).await["invitations"].clone();
        let ids: Vec<i64> = waiting.as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!((ids.len(), waiting[0]["project_slug"].as_str(), waiting[0]["invited_by"].as_str()), (2, Some("lab"), Some("owner")));
        let other = Actor::signed_in(&server, "other").await;
        assert_eq!(home(&other).await["invitations"], json!([]));
        let (status, _) = other.call("/api/invitations/accept_mine", &json!({"id": ids[0]})).await;
        assert_eq!(status, 404, "someone else's invitation cannot be accepted by its id");
        let (status, body) = invitee.call("/api/invitations/accept_mine", &json!({"id": ids[1]})).await;
        assert_eq!((status, body), (StatusCode::OK, json!("lab")));
        assert_eq!(invitee.call("/api/invitations/accept_mine", &json!({"id": ids[1]})).await.0, 404, "spent once");
        // The other one as a plain form post, without JavaScript: a redirect to the project.
        let res = invitee
            .client
            .http
            .post(format!("{}/api/invitations/accept_mine", server.base))
            .header("accept", "text/html")
            .header("referer", format!("{}/", server.base))
            .form(&[("id", ids[0].to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!((res.status(), res.headers().get("location").and_then(|v| v.to_str().ok())), (StatusCode::FOUND, Some("/projects/lab")));
        let joined = home(&invitee).await;
        assert_eq!((joined["invitations"].clone(), joined["projects"][0]["role"].as_str()), (json!([]), Some("member")), "the stronger role stays");
        let (status, _) = read(Client::new(&server.base).call("/api/home", &json!({})).await).await;
        assert_eq!(status, 401);

        // Admins: accounts awaiting approval, locked accounts, undelivered email.
        server.execute("UPDATE users SET approved = FALSE WHERE username IN ('other', 'collab')").await;
        server.execute(&format!("UPDATE users SET locked_until = {} WHERE username = 'asker'", app::backend::time::now_ms() + 3_600_000)).await;
        server.execute("UPDATE users SET locked_until = 5 WHERE username = 'member'").await;
        server.execute("UPDATE outbox SET status = 'failed'").await;
        let failed: i64 = app::on_db!(&server.state().db, |pool| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox").fetch_one(pool).await).unwrap();
        let body = home(&Actor::signed_in(&server, "admin").await).await;
        assert_eq!(body["admin"], json!({"awaiting_approval": 2, "locked": 1, "outbox_pending": 0, "outbox_failed": failed}));
        assert_eq!(failed, 3, "the three invitation emails");
    }
}

/// `(username, email)` of each row of a listing, email "" when hidden.
fn emails_of(rows: &Value, name: &str) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[name].as_str().unwrap().to_string(), r["email"].as_str().unwrap_or_default().to_string()))
        .collect();
    seen.sort();
    seen
}

fn email_pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = list.iter().map(|(u, e)| (u.to_string(), e.to_string())).collect();
    pairs.sort();
    pairs
}

/// Each membership records how it began; a member's email shows to the
/// project's owners only when they joined by invitation or by a request,
/// to admins and to themselves always — on the Users tab, XNAT's project
/// users and `/data/users`. Adding by email tells a non-admin nothing:
/// an address with no account and one they may not look up get one answer.
#[tokio::test]
async fn member_emails_show_to_owners_by_how_members_joined() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        let everyone = ["owner", "member", "collab", "co", "invited", "asker", "vetted"];
        users(&server, &everyone).await;
        for name in everyone {
            set_email(&server, name, &format!("{name}@example.org")).await;
        }
        let owner = Actor::signed_in(&server, "owner").await;
        project(&owner, "lab", "protected").await;
        let (status, body) = owner.call("/api/projects/members/set", &json!({"slug": "lab", "user": "co", "role": "owner"})).await;
        assert_eq!(status, 200, "{body}");
        // Joined by invitation, by an approved request, and added by an admin.
        let (status, body) = owner.call("/api/projects/invitations/send", &json!({"slug": "lab", "email": "invited@example.org", "role": "member"})).await;
        assert_eq!(status, 200, "{body}");
        let token = crate::invitation_limits::token_sent_to(&server, "invited@example.org").await;
        let invited = Actor::signed_in(&server, "invited").await;
        assert_eq!(invited.call("/api/invitations/accept", &json!({"token": token})).await.0, 200);
        let asker = Actor::signed_in(&server, "asker").await;
        assert_eq!(asker.call("/api/projects/requests/file", &json!({"slug": "lab", "message": ""})).await.0, 200);
        let id = owner.call("/api/projects/people", &json!({"slug": "lab"})).await.1["requests"][0]["id"].as_i64().unwrap();
        assert_eq!(owner.call("/api/projects/requests/decide", &json!({"slug": "lab", "id": id, "role": "member", "reason": ""})).await.0, 200);
        let admin = Actor::signed_in(&server, "admin").await;
        assert_eq!(admin.rest(Method::PUT, "/data/projects/lab/users/Members/vetted", None).await.0, 200);
        let joined: Vec<(String, String)> = app::on_db!(&server.state().db, |pool| sqlx::query_as(
            "SELECT u.username, m.joined_by FROM memberships m JOIN users u ON u.id = m.user_id ORDER BY u.username"
        )
        .fetch_all(pool)
        .await)
        .unwrap();
        let expected_joins = [("asker", "request"), ("co", "added"), ("collab", "added"), ("invited", "invitation"), ("member", "added"), ("owner", "created"), ("vetted", "admin")];
        assert_eq!(joined, email_pairs(&expected_joins), "[{}]", db.label);

        let all: Vec<(&str, String)> = everyone.iter().map(|n| (*n, format!("{n}@example.org"))).collect();
        let shown = |visible: &[&str]| -> Vec<(String, String)> {
            email_pairs(&all.iter().map(|(n, e)| (*n, if visible.contains(n) { e.as_str() } else { "" })).collect::<Vec<_>>())
        };
        for (viewer, actor, expected) in [
            ("owner", &owner, shown(&["owner", "invited", "asker"])),
            ("co", &Actor::signed_in(&server, "co").await, shown(&["co", "invited", "asker"])),
            ("admin", &admin, shown(&everyone)),
            ("invited", &invited, shown(&["invited"])),
        ] {
            let (status, people) = actor.call("/api/projects/people", &json!({"slug": "lab"})).await;
            assert_eq!(status, 200, "{people}");
            assert_eq!(emails_of(&people["members"], "username"), expected, "[{}] Users tab as {viewer}", db.label);
            let (status, xnat) = actor.rest(Method::GET, "/data/projects/lab/users?format=json", None).await;
            assert_eq!(status, 200, "{xnat}");
            assert_eq!(emails_of(&xnat["ResultSet"]["Result"], "login"), expected, "[{}] XNAT project users as {viewer}", db.label);
            let (_, users) = actor.rest(Method::GET, "/data/users?format=json", None).await;
            let listed: Vec<(String, String)> = emails_of(&users["ResultSet"]["Result"], "login").into_iter().filter(|(n, _)| everyone.contains(&n.as_str())).collect();
            assert_eq!(listed, expected, "[{}] /data/users as {viewer}", db.label);
        }
        let (_, org) = owner.rest(Method::GET, "/orgs/lab", None).await;
        assert!(!org.to_string().contains("@example.org"), "the registry's org shows no addresses: {org}");

        // Adding by email: one answer for no account and for an address the owner may not look up.
        project(&owner, "lab2", "private").await;
        let mut answers = Vec::new();
        for who in ["ghost@example.org", "member@example.org", "vetted@example.org", "co@example.org"] {
            let page = owner.call("/api/projects/members/set", &json!({"slug": "lab2", "user": who, "role": "member"})).await;
            let xnat = owner.rest(Method::PUT, &format!("/data/projects/lab2/users/Members/{who}"), None).await;
            answers.push((page, xnat));
        }
        for (page, xnat) in &answers {
            assert_eq!(page, &(StatusCode::NOT_FOUND, json!({"NotFound": "No user with that username or email can be added"})), "[{}]", db.label);
            assert_eq!(xnat, &(StatusCode::NOT_FOUND, json!("No user with that username or email can be added")), "[{}]", db.label);
        }
        let (status, body) = owner.call("/api/projects/members/set", &json!({"slug": "lab2", "user": "INVITED@example.org", "role": "member"})).await;
        assert_eq!((status, body), (StatusCode::OK, json!("invited")), "[{}] an address the owner sees can be added", db.label);
        let (status, body) = admin.call("/api/projects/members/set", &json!({"slug": "lab2", "user": "member@example.org", "role": "member"})).await;
        assert_eq!((status, body), (StatusCode::OK, json!("member")), "[{}] admins add by any address", db.label);
        let (status, body) = admin.call("/api/projects/members/set", &json!({"slug": "lab2", "user": "ghost@example.org", "role": "member"})).await;
        assert_eq!((status, body["NotFound"].as_str()), (StatusCode::NOT_FOUND, Some("No such user: ghost@example.org")));
    }
}

/// With email verification off, registering with an invitee's address
/// proves nothing: the home page neither lists nor accepts that person's
/// invitation; only the emailed link (its token proves the mailbox) does.
#[tokio::test]
async fn an_unverified_address_accepts_no_invitation_from_the_home_page() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let open = Config { registration_open: true, require_email_verification: false, require_admin_approval: false, ..config(&db, data.path()) };
        let server = TestServer::start(&open).await;
        users(&server, &["owner", "member", "collab"]).await;
        let owner = Actor::signed_in(&server, "owner").await;
        project(&owner, "lab", "private").await;
        let (status, body) = owner.call("/api/projects/invitations/send", &json!({"slug": "lab", "email": "victim@example.org", "role": "member"})).await;
        assert_eq!(status, 200, "{body}");
        let form = json!({"username": "mallory", "email": "Victim@example.org", "display_name": "", "password": PASSWORD, "confirm_password": PASSWORD});
        let (status, body) = read(Client::new(&server.base).call("/api/register", &form).await).await;
        assert_eq!((status, body), (StatusCode::OK, json!("SignIn")), "[{}] usable at once: verification is off", db.label);
        let mallory = Actor::signed_in(&server, "mallory").await;
        assert_eq!(home(&mallory).await["invitations"], json!([]), "[{}] not listed", db.label);
        let id = owner.call("/api/projects/people", &json!({"slug": "lab"})).await.1["invitations"][0]["id"].as_i64().unwrap();
        let (status, _) = mallory.call("/api/invitations/accept_mine", &json!({"id": id})).await;
        assert_eq!(status, 404, "[{}] a typed address accepts nothing by itself", db.label);
        let (status, _) = mallory.call("/api/projects/datasets/list", &json!({"slug": "lab"})).await;
        assert_eq!(status, 404, "[{}] not in the private project", db.label);
        // The emailed link itself proves the mailbox.
        let token = crate::invitation_limits::token_sent_to(&server, "victim@example.org").await;
        let (status, body) = mallory.call("/api/invitations/accept", &json!({"token": token})).await;
        assert_eq!((status, body), (StatusCode::OK, json!("lab")), "[{}]", db.label);
    }
}

/// XNAT's CSV listings are exports: with `export_csv` off they answer 403
/// as the admin export does, while JSON keeps working.
#[tokio::test]
async fn xnat_csv_listings_obey_the_export_csv_feature() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let server = TestServer::start(&config(&db, data.path())).await;
        users(&server, &["owner", "member", "collab"]).await;
        let owner = Actor::signed_in(&server, "owner").await;
        project(&owner, "lab", "protected").await;
        let listings = ["/data/projects", "/data/projects/lab/users", "/data/users", "/REST/projects", "/REST/users"];
        for path in listings {
            let (status, _) = owner.rest(Method::GET, &format!("{path}?format=csv"), None).await;
            assert_eq!(status, 200, "[{}] {path} before", db.label);
        }
        let ban = reqwest::Client::new()
            .post(server.url("/data/services/features?group=_SITE_WIDE"))
            .basic_auth("admin", Some(PASSWORD))
            .form(&[("key", "export_csv"), ("banned", "true")]);
        assert_eq!(ban.send().await.unwrap().status(), 200);
        for path in listings {
            let (status, body) = owner.rest(Method::GET, &format!("{path}?format=CSV"), None).await;
            assert_eq!((status, body), (StatusCode::FORBIDDEN, json!("This feature is not enabled for you: Export CSV")), "[{}] {path}", db.label);
            let (status, body) = owner.rest(Method::GET, &format!("{path}?format=json"), None).await;
            assert_eq!(status, 200, "[{}] {path} as JSON: {body}", db.label);
            assert!(body["ResultSet"]["Result"].is_array());
        }
        let admin = Actor::signed_in(&server, "admin").await;
        assert_eq!(admin.rest(Method::GET, "/admin/users/export.csv", None).await.0, 403, "as the admin export answers");
        assert_eq!(admin.rest(Method::GET, "/data/users?format=csv", None).await.0, 403);
    }
}
