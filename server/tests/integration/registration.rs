//! Registration, email verification, approval, password reset, email
//! change and mail delivery, through the real doors: a real SMTP sink on
//! loopback receives the messages and the tests follow their links.


use app::api::outbox::{ListOutbox, OutboxBody};
use app::api::profile::{GetProfile, SaveProfile};
use app::api::recovery::{RequestRecovery, ResetPassword};
use app::api::registration::{ApproveUser, Register, VerifyEmail};
use app::api::settings::{GetSettings, SaveSettings, SiteInfo};
use app::model::*;
use crate::common::smtp::{Mail, SmtpSink};
use crate::common::*;
use gatehouse_server::config::Config;

const ADMIN_PASSWORD: &str = "admin-password-1";
const ADMIN_EMAIL: &str = "admin@example.org";

fn config_with_mail(db: &TestDb, smtp_url: String) -> Config {
    Config {
        admin_password: Some(ADMIN_PASSWORD.into()),
        admin_email: Some(ADMIN_EMAIL.into()),
        smtp_url: Some(smtp_url),
        mail_retry_seconds: 1,
        ..test_config(db)
    }
}

async fn admin(server: &TestServer) -> Client {
    let client = Client::new(&server.base);
    assert_eq!(client.login("admin", ADMIN_PASSWORD).await.status(), 200);
    client
}

/// Saves the registration settings through Admin → Settings' server function.
async fn set_registration(admin: &Client, open: bool, verify: bool, approve: bool) {
    let mut form: SettingsForm = admin.call("/api/admin/settings/get", &GetSettings {}).await.json().await.unwrap();
    form.registration_open = open;
    form.require_email_verification = verify;
    form.require_admin_approval = approve;
    form.notify_admins = true;
    let res = admin.call("/api/admin/settings/save", &SaveSettings { form }).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

fn registration(username: &str, email: &str, password: &str) -> Register {
    Register {
        username: username.into(),
        email: email.into(),
        display_name: "New Person".into(),
        password: password.into(),
        confirm_password: password.into(),
    }
}

async fn register(client: &Client, form: &Register) -> Result<NextStep, AppError> {
    let res = client.call("/api/register", form).await;
    if res.status() == 200 { Ok(res.json().await.unwrap()) } else { Err(res.json().await.unwrap()) }
}

/// Opens the emailed link's page, then presses its button (the server function).
async fn follow_verify_link(client: &Client, mail: &Mail) -> reqwest::Response {
    let page = client.get(&mail.link("/verify")).await;
    assert_eq!(page.status(), 200);
    client.call("/api/verify_email", &VerifyEmail { token: mail.token("/verify") }).await
}

async fn login_error(client: &Client, user: &str, password: &str) -> (u16, String) {
    let res = client.login(user, password).await;
    let status = res.status().as_u16();
    (status, res.json::<AppError>().await.map(|e| e.message()).unwrap_or_default())
}

#[tokio::test]
async fn register_verify_then_sign_in_and_approval() {
    for db in test_databases().await {
        let sink = SmtpSink::start().await;
        let server = TestServer::start(&config_with_mail(&db, sink.url())).await;
        let admin = admin(&server).await;
        let visitor = Client::new(&server.base);
        assert_eq!(visitor.get("/register").await.status(), 200, "the page is public");

        // Verification on, approval off.
        set_registration(&admin, true, true, false).await;
        let step = register(&visitor, &registration("newbie", "newbie@example.org", "newbie-password")).await;
        assert_eq!(step, Ok(NextStep::CheckEmail), "{}", db.label);
        let (status, message) = login_error(&visitor, "newbie", "newbie-password").await;
        assert_eq!(status, 403);
        assert!(message.contains("verify your email"), "{message}");
        let (status, message) = login_error(&visitor, "newbie", "wrong-password").await;
        assert_eq!((status, message.as_str()), (401, "Invalid username or password"), "no state without the password");
        let notice = sink.wait_for(ADMIN_EMAIL, "New registration: newbie").await;
        assert!(notice.body.contains("newbie@example.org"));

        let mail = sink.wait_for("newbie@example.org", "Confirm your email address").await;
        let res = follow_verify_link(&visitor, &mail).await;
        assert_eq!(res.status(), 200, "{}", db.label);
        assert_eq!(res.json::<NextStep>().await.unwrap(), NextStep::SignIn);
        assert_eq!(visitor.login("newbie", "newbie-password").await.status(), 200);
        assert_eq!(visitor.whoami().await.as_deref(), Some("newbie"));
        let again = Client::new(&server.base).call("/api/verify_email", &VerifyEmail { token: mail.token("/verify") }).await;
        assert_eq!(again.status(), 400);
        assert!(again.json::<AppError>().await.unwrap().message().contains("already been used"));

        // Refusals: a taken username (said), a common password, a mismatch.
        let other = Client::new(&server.base);
        let taken = register(&other, &registration("NEWBIE", "someone@example.org", "some-password-9")).await.unwrap_err();
        assert_eq!((taken.field(), taken.message().as_str()), (Some("username"), "Username already exists"));
        let common = register(&other, &registration("fresh", "fresh@example.org", "baseball")).await.unwrap_err();
        assert_eq!(common.field(), Some("password"));
        let mut mismatch = registration("fresh", "fresh@example.org", "fresh-password");
        mismatch.confirm_password = "other-password".into();
        assert_eq!(register(&other, &mismatch).await.unwrap_err().field(), Some("confirm_password"));
        let no_email = register(&other, &registration("fresh", "", "fresh-password")).await.unwrap_err();
        assert_eq!(no_email.field(), Some("email"));

        // A taken email is not revealed: same answer, no account, a note to its owner.
        let step = register(&other, &registration("copycat", "NEWBIE@example.org", "copycat-password")).await;
        assert_eq!(step, Ok(NextStep::CheckEmail));
        sink.wait_for("newbie@example.org", "Someone tried to register").await;
        assert_eq!(login_error(&other, "copycat", "copycat-password").await.0, 401, "no account was made");

        // Approval on, verification off: refused until an admin approves.
        set_registration(&admin, true, false, true).await;
        let step = register(&other, &registration("waiting", "waiting@example.org", "waiting-password")).await;
        assert_eq!(step, Ok(NextStep::AwaitApproval), "{}", db.label);
        let (status, message) = login_error(&other, "waiting", "waiting-password").await;
        assert_eq!(status, 403);
        assert!(message.contains("approval"), "{message}");
        let awaiting: UserListPage = admin
            .call("/api/admin/users/list", &app::api::users::ListUsers {
                query: UserQuery { status: "awaiting".into(), ..UserQuery::default() },
            })
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(awaiting.items.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["waiting"]);
        assert_eq!(other.call("/api/admin/users/approve", &ApproveUser { username: "waiting".into() }).await.status(), 401);
        assert_eq!(admin.call("/api/admin/users/approve", &ApproveUser { username: "waiting".into() }).await.status(), 200);
        let approved = sink.wait_for("waiting@example.org", "approved").await;
        assert!(approved.body.contains("/login"));
        assert_eq!(other.login("waiting", "waiting-password").await.status(), 200);
    }
}

#[tokio::test]
async fn closed_registration_is_refused() {
    for db in test_databases().await {
        let sink = SmtpSink::start().await;
        let server = TestServer::start(&config_with_mail(&db, sink.url())).await;
        let visitor = Client::new(&server.base);
        let info: PublicSiteInfo = visitor.call("/api/site_info", &SiteInfo {}).await.json().await.unwrap();
        assert!(!info.registration_open, "closed by default");
        let err = register(&visitor, &registration("hopeful", "hopeful@example.org", "hopeful-password")).await.unwrap_err();
        assert!(matches!(&err, AppError::Forbidden(m) if m.contains("Registration is closed")), "{}: {err:?}", db.label);
        assert_eq!(login_error(&visitor, "hopeful", "hopeful-password").await.0, 401);
        // A plain user cannot open it.
        server.create_user("plain", "plain-password").await;
        let plain = Client::new(&server.base);
        assert_eq!(plain.login("plain", "plain-password").await.status(), 200);
        let res = plain.call("/api/admin/settings/get", &GetSettings {}).await;
        assert_eq!(res.status(), 403);
    }
}

async fn set_email(server: &TestServer, username: &str, email: &str) {
    server.execute(&format!("UPDATE users SET email = '{email}', email_lower = '{}' WHERE username = '{username}'", email.to_lowercase())).await;
}

#[tokio::test]
async fn password_reset_with_emailed_link() {
    for db in test_databases().await {
        let sink = SmtpSink::start().await;
        let server = TestServer::start(&config_with_mail(&db, sink.url())).await;
        let user_id = server.create_user("forgetful", "old-password-1").await;
        set_email(&server, "forgetful", "forgetful@example.org").await;
        let laptop = Client::new(&server.base);
        assert_eq!(laptop.login("forgetful", "old-password-1").await.status(), 200);
        let jwt: serde_json::Value = Client::new(&server.base)
            .post_form("/users/authenticate", &[("username", "forgetful"), ("password", "old-password-1")])
            .await
            .json()
            .await
            .unwrap();
        let jwt = jwt["token"].as_str().unwrap().to_string();

        // The answer is byte-identical whether or not an account matches.
        let visitor = Client::new(&server.base);
        let ask = |identifier: &str| RequestRecovery { identifier: identifier.into(), kind: "reset".into() };
        let known = visitor.call("/api/recover", &ask("forgetful@example.org")).await;
        let (known_status, known_body) = (known.status(), known.bytes().await.unwrap());
        let unknown = visitor.call("/api/recover", &ask("nobody@example.org")).await;
        assert_eq!(known_status, 200, "{}", db.label);
        assert_eq!(unknown.status(), known_status);
        assert_eq!(unknown.bytes().await.unwrap(), known_body);
        let by_name = visitor.call("/api/recover", &ask("no-such-user")).await;
        assert_eq!(by_name.bytes().await.unwrap(), known_body);

        let mail = sink.wait_for("forgetful@example.org", "password reset").await;
        assert!(mail.body.contains("Your username: forgetful"), "{}", mail.body);
        assert_eq!(visitor.get(&mail.link("/reset")).await.status(), 200);
        let reset = |token: String, password: &str| ResetPassword {
            token,
            new_password: password.into(),
            confirm_password: password.into(),
        };
        let common = visitor.call("/api/reset_password", &reset(mail.token("/reset"), "password1")).await;
        assert_eq!(common.json::<AppError>().await.unwrap().field(), Some("new_password"));
        let done = visitor.call("/api/reset_password", &reset(mail.token("/reset"), "new-password-2")).await;
        assert_eq!(done.status(), 200, "{}", db.label);

        // Every session and token of the user ended; the new password works.
        assert!(laptop.whoami().await.is_none(), "{}: old session ended", db.label);
        let res = Client::new(&server.base).http.get(server.url("/users/meta")).bearer_auth(&jwt).send().await.unwrap();
        assert_eq!(res.status(), 401, "{}: old JWT revoked", db.label);
        assert_eq!(login_error(&visitor, "forgetful", "old-password-1").await.0, 401);
        assert_eq!(visitor.login("forgetful", "new-password-2").await.status(), 200);

        // A used link is refused, and so is an expired one.
        let used = visitor.call("/api/reset_password", &reset(mail.token("/reset"), "third-password-3")).await;
        assert!(used.json::<AppError>().await.unwrap().message().contains("already been used"));
        visitor.call("/api/recover", &ask("forgetful")).await;
        let fresh = loop {
            let m = sink.wait_for("forgetful@example.org", "password reset").await;
            if m.token("/reset") != mail.token("/reset") {
                break m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        app::backend::store::email_tokens::set_expiry_for_user(&server.state().db, user_id, 1).await.unwrap();
        let expired = visitor.call("/api/reset_password", &reset(fresh.token("/reset"), "third-password-3")).await;
        assert_eq!(expired.status(), 400);
        assert!(expired.json::<AppError>().await.unwrap().message().contains("expired"), "{}", db.label);
        assert_eq!(visitor.login("forgetful", "new-password-2").await.status(), 200, "nothing changed");
    }
}

#[tokio::test]
async fn resend_verification_from_the_forgot_page() {
    for db in test_databases().await {
        let sink = SmtpSink::start().await;
        let server = TestServer::start(&config_with_mail(&db, sink.url())).await;
        set_registration(&admin(&server).await, true, true, false).await;
        let visitor = Client::new(&server.base);
        register(&visitor, &registration("slowpoke", "slowpoke@example.org", "slowpoke-password")).await.unwrap();
        let first = sink.wait_for("slowpoke@example.org", "Confirm your email").await;
        let res = visitor.call("/api/recover", &RequestRecovery { identifier: "slowpoke".into(), kind: "verify".into() }).await;
        assert_eq!(res.json::<String>().await.unwrap(), RECOVERY_SENT);
        let second = loop {
            let m = sink.wait_for("slowpoke@example.org", "Confirm your email").await;
            if m.token("/verify") != first.token("/verify") {
                break m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        let old = follow_verify_link(&visitor, &first).await;
        assert_eq!(old.status(), 400, "{}: a newer link replaces the old one", db.label);
        assert_eq!(follow_verify_link(&visitor, &second).await.status(), 200);
        assert_eq!(visitor.login("slowpoke", "slowpoke-password").await.status(), 200);
    }
}

#[tokio::test]
async fn email_change_waits_for_the_new_address() {
    for db in test_databases().await {
        let sink = SmtpSink::start().await;
        let server = TestServer::start(&config_with_mail(&db, sink.url())).await;
        server.create_user("mover", "mover-password").await;
        set_email(&server, "mover", "old@example.org").await;
        let mover = Client::new(&server.base);
        assert_eq!(mover.login("mover", "mover-password").await.status(), 200);

        let bad = mover.call("/api/profile/save", &SaveProfile { display_name: "Mo".into(), email: "not-an-address".into(), current_password: "mover-password".into() }).await;
        assert_eq!(bad.json::<AppError>().await.unwrap().field(), Some("email"));
        let profile: Profile = mover.call("/api/profile/get", &GetProfile {}).await.json().await.unwrap();
        assert_eq!((profile.display_name.as_str(), profile.email.as_str()), ("", "old@example.org"), "bad input changes nothing");

        let res = mover.call("/api/profile/save", &SaveProfile { display_name: "Mo Ver".into(), email: "new@example.org".into(), current_password: "mover-password".into() }).await;
        let profile: Profile = res.json().await.unwrap();
        assert_eq!(profile.display_name, "Mo Ver");
        assert_eq!(profile.email, "old@example.org", "{}: the old address stays until verified", db.label);
        assert_eq!(profile.pending_email.as_deref(), Some("new@example.org"));

        let mail = sink.wait_for("new@example.org", "Confirm your new email address").await;
        assert_eq!(follow_verify_link(&mover, &mail).await.status(), 200);
        let profile: Profile = mover.call("/api/profile/get", &GetProfile {}).await.json().await.unwrap();
        assert_eq!((profile.email.as_str(), profile.pending_email), ("new@example.org", None), "{}", db.label);
    }
}

#[tokio::test]
async fn delivery_retries_until_the_smtp_server_answers() {
    for db in test_databases().await {
        let sink = SmtpSink::start_down().await;
        let server = TestServer::start(&config_with_mail(&db, sink.url())).await;
        let user_id = server.create_user("patient", "patient-password").await;
        let _ = user_id;
        set_email(&server, "patient", "patient@example.org").await;
        let admin = admin(&server).await;
        Client::new(&server.base)
            .call("/api/recover", &RequestRecovery { identifier: "patient".into(), kind: "reset".into() })
            .await;

        let outbox = || async {
            let page: OutboxPage = admin.call("/api/admin/outbox/list", &ListOutbox { before: None }).await.json().await.unwrap();
            page.items.into_iter().find(|m| m.to == "patient@example.org")
        };
        let mut failed = None;
        for _ in 0..100 {
            if let Some(m) = outbox().await.filter(|m| m.attempts >= 1) {
                failed = Some(m);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let failed = failed.unwrap_or_else(|| panic!("{}: no failed attempt recorded", db.label));
        assert_eq!(failed.status, "pending", "{}: it will be retried", db.label);
        assert!(failed.last_error.as_deref().is_some_and(|e| !e.is_empty()));

        sink.come_up();
        let mail = sink.wait_for("patient@example.org", "password reset").await;
        assert!(mail.body.contains("/reset?token="));
        let mut sent = None;
        for _ in 0..50 {
            if let Some(m) = outbox().await.filter(|m| m.status == "sent") {
                sent = Some(m);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let sent = sent.unwrap_or_else(|| panic!("{}: not marked sent", db.label));
        assert!(sent.attempts >= 2 && sent.last_error.is_none() && sent.sent.is_some(), "{sent:?}");
        let body = admin.call("/api/admin/outbox/body", &OutboxBody { id: sent.id }).await.json::<String>().await.unwrap();
        assert!(body.contains("Your username: patient"));
        assert_eq!(Client::new(&server.base).call("/api/admin/outbox/body", &OutboxBody { id: sent.id }).await.status(), 401);
    }
}

#[tokio::test]
async fn email_sending_requests_are_rate_limited_per_address() {
    use app::backend::auth::rate_limit::MAIL_REQUESTS_PER_MINUTE;
    for db in test_databases().await {
        let sink = SmtpSink::start().await;
        let server = TestServer::start(&config_with_mail(&db, sink.url())).await;
        let visitor = Client::new(&server.base);
        let ask = RequestRecovery { identifier: "someone@example.org".into(), kind: "reset".into() };
        // The limit counts per clock minute: start where the whole burst fits in one.
        within_one_rate_window(30).await;
        for n in 0..MAIL_REQUESTS_PER_MINUTE {
            assert_eq!(visitor.call("/api/recover", &ask).await.status(), 200, "[{}] request {n}", db.label);
        }
        let refused = visitor.call("/api/recover", &ask).await;
        assert_eq!(refused.status(), 429);
        assert!(refused.headers().contains_key("retry-after"));
        let body = refused.text().await.unwrap();
        assert!(body.contains("Too many requests from your address"), "{body}");
    }
}
