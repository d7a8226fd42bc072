//! XNAT's project paths over HTTP: shapes and errors, `PUT` that creates
//! or updates, and the CSV listings under the `export_csv` feature.

use crate::common::projects::*;
use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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
