//! Seeing and revoking sessions: XNAT's /xapi/users/active paths and the
//! session server functions; public ids only, never cookie values.


use app::api::sessions::*;
use app::model::SessionInfo;
use crate::common::*;
use gatehouse_server::config::Config;
use serde_json::Value;

const ADMIN_PASSWORD: &str = "admin-password-1";

async fn signed_in(server: &TestServer, user: &str, password: &str) -> Client {
    let client = Client::new(&server.base);
    assert_eq!(client.login(user, password).await.status(), 200);
    client
}

#[tokio::test]
async fn xapi_active_sessions_and_revocation() {
    for db in test_databases().await {
        let config = Config { admin_password: Some(ADMIN_PASSWORD.into()), ..test_config(&db) };
        let server = TestServer::start(&config).await;
        server.create_user("lena", "lena-password").await;
        server.create_user("max", "max-password").await;
        let admin = signed_in(&server, "admin", ADMIN_PASSWORD).await;
        let (lena_laptop, lena_phone) = (signed_in(&server, "lena", "lena-password").await, signed_in(&server, "lena", "lena-password").await);
        let max = signed_in(&server, "max", "max-password").await;

        let res = admin.get("/xapi/users/active").await;
        assert_eq!(res.status(), 200, "{}", db.label);
        let body = res.text().await.unwrap();
        let all: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(all["lena"]["count"], 2);
        assert_eq!(all["lena"]["sessions"].as_array().unwrap().len(), 2);
        assert_eq!(all["max"]["count"], 1);
        assert_eq!(all["admin"]["count"], 1);
        for client in [&admin, &lena_laptop, &lena_phone, &max] {
            let cookie = client.cookie_header().unwrap();
            let secret = cookie.split_once('=').unwrap().1;
            assert!(!body.contains(secret), "a cookie value leaked");
        }

        // A user sees their own; not someone else's, nor the full list.
        let res = lena_laptop.get("/xapi/users/active/LENA").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Vec<String>>().await.unwrap().len(), 2);
        assert_eq!(max.get("/xapi/users/active/lena").await.status(), 403);
        assert_eq!(max.get("/xapi/users/active").await.status(), 403);
        assert_eq!(Client::new(&server.base).get("/xapi/users/active").await.status(), 401);

        // Revoking one of lena's by id: max may not, lena may.
        let mine: Vec<SessionInfo> = lena_laptop.call("/api/sessions/list", &ListSessions { username: None, all: false }).await.json().await.unwrap();
        assert_eq!(mine.iter().filter(|s| s.this_device).count(), 1);
        let phone_id = mine.iter().find(|s| !s.this_device).unwrap().id.clone();
        let res: Vec<String> = max.call("/api/sessions/revoke", &RevokeSession { id: phone_id.clone() }).await.json().await.unwrap();
        assert!(res.is_empty(), "{}: max cannot end lena's session", db.label);
        assert_eq!(lena_phone.whoami().await.as_deref(), Some("lena"));
        let res: Vec<String> = lena_laptop.call("/api/sessions/revoke", &RevokeSession { id: phone_id.clone() }).await.json().await.unwrap();
        assert_eq!(res, [phone_id]);
        assert!(lena_phone.whoami().await.is_none(), "{}: a revoked session fails on its next request", db.label);
        assert_eq!(lena_laptop.whoami().await.as_deref(), Some("lena"));

        // "Sign out all other sessions" keeps this one.
        let lena_tablet = signed_in(&server, "lena", "lena-password").await;
        let ended: Vec<String> = lena_laptop.call("/api/sessions/revoke_user", &RevokeUserSessions { username: None }).await.json().await.unwrap();
        assert_eq!(ended.len(), 1);
        assert!(lena_tablet.whoami().await.is_none());
        assert_eq!(lena_laptop.whoami().await.as_deref(), Some("lena"));

        // An admin ends all of a user's sessions over XNAT's DELETE.
        let res = admin.http.delete(server.url("/xapi/users/active/lena")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Vec<String>>().await.unwrap().len(), 1);
        assert!(lena_laptop.whoami().await.is_none(), "{}", db.label);
        assert_eq!(admin.get("/xapi/users/active/lena").await.json::<Vec<String>>().await.unwrap(), Vec::<String>::new());
        assert_eq!(admin.get("/xapi/users/active/nobody").await.status(), 404);
    }
}
