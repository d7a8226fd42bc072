//! The home page's summary: what needs the caller's attention.

use crate::common::projects::*;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

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
