//! Access requests over HTTP: filing, deciding and the emails each step
//! sends.

use crate::common::projects::*;
use crate::common::*;
use serde_json::json;

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
