//! The plain pages (sign-in, registration, recovery, invitations) as served:
//! no wasm, one inline script under the page's CSP nonce, and forms that
//! work as plain posts — including the invitation's, which go on to the
//! project; the other pages still load the browser app.

use crate::common::*;
use crate::invitation_limits::{config, invite, owner_of, sign_up, token_sent_to, PASSWORD};
use reqwest::StatusCode;

/// Each plain page, and whether it shows a form to a visitor (registration
/// is closed by default; an unknown invitation shows why it cannot be used).
const PLAIN: &[(&str, bool)] = &[
    ("/login", true),
    ("/register", false),
    ("/forgot", true),
    ("/reset?token=x", true),
    ("/verify?token=x", true),
    ("/invitations/x", false),
];

/// The page at `path` and the nonce of its `Content-Security-Policy`.
async fn page_and_nonce(client: &Client, path: &str) -> (String, String) {
    let res = client.get(path).await;
    // An unknown invitation is a 404, with the page saying why.
    assert!(matches!(res.status(), StatusCode::OK | StatusCode::NOT_FOUND), "{path}: {}", res.status());
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_string();
    (res.text().await.unwrap(), nonce)
}

#[tokio::test]
async fn plain_pages_load_no_wasm_and_the_other_pages_do() {
    let db = test_databases().await.remove(0);
    let server = TestServer::start(&test_config(&db)).await;
    let client = Client::new(&server.base);
    for &(path, has_form) in PLAIN {
        let (page, nonce) = page_and_nonce(&client, path).await;
        assert!(!page.contains(".wasm") && !page.contains("modulepreload"), "{path} loads the browser app");
        assert!(page.contains(&format!(r#"<script nonce="{nonce}">"#)), "{path}: the script runs under the page's nonce");
        assert!(page.contains("addEventListener('submit'"), "{path}: the forms script is inline");
        assert_eq!(page.contains(r#"method="post""#), has_form, "{path}: a plain form");
    }
    server.create_user("reader", "reader-password-1").await;
    assert_eq!(client.login("reader", "reader-password-1").await.status(), StatusCode::OK);
    let (home, _) = page_and_nonce(&client, "/").await;
    assert!(home.contains(".wasm") && !home.contains("addEventListener('submit'"), "the home page hydrates the browser app");
}

#[tokio::test]
async fn invitations_are_accepted_and_signed_up_for_with_plain_form_posts() {
    for db in test_databases().await {
        let server = TestServer::start(&config(&db)).await;
        let owner = owner_of(&server, "owner", "lab").await;
        assert_eq!(invite(&owner, "lab", "new@example.org").await.0, StatusCode::OK);
        let token = token_sent_to(&server, "new@example.org").await;
        let page = format!("/invitations/{token}");
        let visitor = Client::new(&server.base);
        let mismatched = {
            let mut form = sign_up(&token, "newbie");
            form["confirm"] = "something-else-1".into();
            form
        };

        // Refused: back to the invitation with the message in the page.
        let (status, back) = visitor.post_as_form("invitations/sign_up", &page, &mismatched).await;
        assert_eq!(status, StatusCode::FOUND);
        assert!(back.contains(&page) && back.contains("__err="), "{back}");
        let refused = visitor.http.get(&back).send().await.unwrap().text().await.unwrap();
        assert!(refused.contains(r#"aria-invalid="true""#) && refused.contains("field-error"), "the error is beside its field");
        assert_eq!(visitor.whoami().await, None);

        // Accepted: signed in as the new account, sent on to the project.
        let (status, next) = visitor.post_as_form("invitations/sign_up", &page, &sign_up(&token, "newbie")).await;
        assert_eq!((status, next.as_str()), (StatusCode::FOUND, "/projects/lab"));
        assert_eq!(visitor.whoami().await.as_deref(), Some("newbie"));

        // An existing account accepts its own invitation with one button.
        server.create_user("existing", PASSWORD).await;
        assert_eq!(invite(&owner, "lab", "existing@example.org").await.0, StatusCode::OK);
        let token = token_sent_to(&server, "existing@example.org").await;
        let existing = Client::new(&server.base);
        assert_eq!(existing.login("existing", PASSWORD).await.status(), StatusCode::OK);
        let (status, next) = existing.post_as_form("invitations/accept", &format!("/invitations/{token}"), &[("token", &token)]).await;
        assert_eq!((status, next.as_str()), (StatusCode::FOUND, "/projects/lab"));
        // Spent: the second post comes back with the error.
        let (status, back) = existing.post_as_form("invitations/accept", &format!("/invitations/{token}"), &[("token", &token)]).await;
        assert_eq!(status, StatusCode::FOUND);
        assert!(back.contains("__err="), "{back}");
        // The header's Log out, posted from a plain page, goes to sign-in.
        let (status, next) = existing.post_as_form("logout", "/projects/lab", &Vec::<(&str, &str)>::new()).await;
        assert_eq!((status, next.as_str()), (StatusCode::FOUND, "/login"));
        assert_eq!(existing.whoami().await, None);
    }
}
