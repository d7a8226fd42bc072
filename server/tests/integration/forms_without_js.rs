//! The project and role forms posted as plain HTML forms, as a browser
//! without JavaScript sends them (`Accept: text/html`, urlencoded, from
//! their page), on SQLite and PostgreSQL: a refusal goes back to the page
//! with the error, a success to where the page would go, and the edit form
//! arrives filled in by the server.

use crate::common::*;
use reqwest::StatusCode;

/// The `value` of the input named `name` in a served page.
fn input_value(page: &str, name: &str) -> String {
    let at = page.find(&format!(r#"name="{name}""#)).unwrap_or_else(|| panic!("no input {name}"));
    let tag_end = at + page[at..].find('>').unwrap();
    let tag_start = page[..at].rfind('<').unwrap();
    let tag = &page[tag_start..tag_end];
    tag.split(r#"value=""#).nth(1).and_then(|v| v.split('"').next()).unwrap_or_default().to_string()
}

#[tokio::test]
async fn project_and_role_forms_work_as_plain_posts() {
    for db in test_databases().await {
        let label = db.label;
        let server = TestServer::start(&test_config(&db)).await;
        let admin = server.admin_client("plain-admin-password-1").await;
        server.create_user("mia", "mia-password-1").await;
        let went = |to: &str| (StatusCode::FOUND, to.to_string());

        // A refusal goes back to the form's page with the error; nothing is made.
        let bad = [("slug", "-bad"), ("name", ""), ("description", ""), ("accessibility", "private")];
        let (status, back) = admin.post_as_form("projects/create", "/projects", &bad).await;
        assert_eq!(status, StatusCode::FOUND, "[{label}]");
        assert!(back.contains("/projects?") && back.contains("__err="), "[{label}] {back}");
        let refused = admin.get(&back.replacen(&server.base, "", 1)).await.text().await.unwrap();
        assert!(refused.contains("aria-invalid=\"true\""), "[{label}] the error is beside its field");

        let new = [("slug", "lab"), ("name", "Lab"), ("description", ""), ("accessibility", "protected")];
        assert_eq!(admin.post_as_form("projects/create", "/projects", &new).await, went("/projects/lab"), "[{label}]");
        let dataset = [("slug", "lab"), ("name", "scans"), ("description", "")];
        assert_eq!(admin.post_as_form("projects/datasets/create", "/projects/lab", &dataset).await, went("/projects/lab"));
        assert!(admin.get("/projects/lab").await.text().await.unwrap().contains("scans"), "[{label}]");

        // The settings form arrives filled in; it saves once per version.
        let settings = admin.get("/projects/lab/settings").await.text().await.unwrap();
        assert_eq!(input_value(&settings, "name"), "Lab", "[{label}]");
        let version = input_value(&settings, "version");
        let save = [("slug", "lab"), ("name", "Lab two"), ("description", "d"), ("accessibility", "protected"), ("version", version.as_str())];
        let page = "/projects/lab/settings";
        assert_eq!(admin.post_as_form("projects/update", page, &save).await, went("/projects/lab/settings?saved=1"), "[{label}]");
        let (status, back) = admin.post_as_form("projects/update", page, &save).await;
        assert!(status == StatusCode::FOUND && back.contains("__err="), "[{label}] the same version again is a stale edit: {back}");
        let saved = admin.get("/projects/lab/settings?saved=1").await.text().await.unwrap();
        assert_eq!(input_value(&saved, "name"), "Lab two");
        assert!(saved.contains("Saved."), "[{label}]");

        // People and invitations.
        let people = "/projects/lab/users";
        assert_eq!(admin.post_as_form("projects/members/set", people, &[("slug", "lab"), ("user", "mia"), ("role", "member")]).await, went(people));
        let invite = [("slug", "lab"), ("email", "friend@example.org"), ("role", "collaborator")];
        assert_eq!(admin.post_as_form("projects/invitations/send", people, &invite).await, went(people));
        let listed = admin.get(people).await.text().await.unwrap();
        assert!(listed.contains("mia") && listed.contains("friend@example.org"), "[{label}]");

        // Site roles.
        assert_eq!(admin.post_as_form("admin/roles/create", "/admin/roles", &[("role_name", "curator")]).await, went("/admin/roles"));
        let (status, back) = admin.post_as_form("admin/roles/create", "/admin/roles", &[("role_name", "curator")]).await;
        assert!(status == StatusCode::FOUND && back.contains("__err="), "[{label}] a role made twice: {back}");
        assert!(admin.get("/admin/roles").await.text().await.unwrap().contains("curator"), "[{label}]");
    }
}
