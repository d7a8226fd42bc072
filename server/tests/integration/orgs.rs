//! The registry's `/orgs` paths over HTTP.

use crate::common::projects::*;
use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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
