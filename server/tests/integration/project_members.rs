//! A project's members over HTTP: the last-owner rule, and who sees a
//! member's email address by how they joined.

use crate::common::projects::*;
use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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
