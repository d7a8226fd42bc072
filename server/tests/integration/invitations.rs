//! Project invitations over HTTP: the emailed link that registers and
//! joins, and why the home page accepts no invitation for an unverified
//! address. Their limits are `invitation_limits`.

use crate::common::projects::*;
use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::json;

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
        let open = with_site(Config { smtp_url: Some(sink.url()), ..config(&db, data.path()) }, |s| { s.owners_may_invite_new_people = true; s.require_admin_approval = false; });
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

/// With email verification off, registering with an invitee's address
/// proves nothing: the home page neither lists nor accepts that person's
/// invitation; only the emailed link (its token proves the mailbox) does.
#[tokio::test]
async fn an_unverified_address_accepts_no_invitation_from_the_home_page() {
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let open = with_site(config(&db, data.path()), |s| { s.registration_open = true; s.require_email_verification = false; s.require_admin_approval = false; });
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
