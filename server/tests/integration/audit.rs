//! The audit log (SPEC §7, CONTRACTS.md §5) through the real router, on
//! SQLite and PostgreSQL: which events each door writes (actor, action,
//! target, address, request id), that the table refuses changes, that a
//! change whose event cannot be written does not land, and the admin API's
//! filters, pages and CSV export.


use crate::common::*;
use gatehouse_server::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "admin-password-1";

async fn server_on(config: Config) -> TestServer {
    let server = TestServer::start(&Config { admin_password: Some(PASSWORD.into()), ..config }).await;
    server.create_user("lena", "lena-password").await;
    server.create_user("max", "max-password").await;
    server
}

async fn admin_api(server: &TestServer, query: &str) -> (StatusCode, Value) {
    Rest::new(&server.base, "admin", PASSWORD).send(Method::GET, &format!("/api/audit{query}"), &Value::Null).await
}

/// Every event of `action` (newest first), read through the admin API.
async fn events(server: &TestServer, action: &str) -> Vec<Value> {
    let (status, page) = admin_api(server, &format!("?action={action}")).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn signed_in(server: &TestServer, user: &str, password: &str) -> Client {
    let client = Client::new(&server.base);
    assert_eq!(client.login(user, password).await.status(), 200);
    client
}

#[tokio::test]
async fn sign_ins_are_audited_with_door_reason_and_origin() {
    for db in test_databases().await {
        let config = with_site(test_config(&db), |s| { s.login_rate_limit = 6; s.lockout_threshold = 1_000; });
        let server = server_on(config).await;
        within_one_rate_window(20).await;
        let form = [("username", "lena"), ("password", "lena-password"), ("next", "")];
        let res = reqwest::Client::new().post(server.url("/api/login")).header("user-agent", "AuditTest/1.0").form(&form).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let basic = reqwest::Client::new().get(server.url("/users/storage")).basic_auth("max", Some("max-password")).send().await.unwrap();
        assert_eq!(basic.status(), 200);
        let jwt = reqwest::Client::new().post(server.url("/users/authenticate")).form(&[("username", "max"), ("password", "max-password")]);
        assert_eq!(jwt.send().await.unwrap().status(), 200);

        let ins = events(&server, "sign_in").await;
        let lena = ins.iter().find(|e| e["actor"] == "lena").expect("lena's sign-in");
        assert_eq!((lena["target_kind"].as_str(), lena["target"].as_str()), (Some("user"), Some("lena")), "[{}] {lena}", db.label);
        assert_eq!(lena["details"]["door"], "form");
        assert_eq!(lena["ip"], "127.0.0.1");
        assert_eq!(lena["request_id"].as_str().map(str::len), Some(16), "the request's id: {lena}");
        assert_eq!(lena["user_agent"], "AuditTest/1.0");
        let max_doors: Vec<&str> = ins.iter().filter(|e| e["actor"] == "max").map(|e| e["details"]["door"].as_str().unwrap()).collect();
        assert!(max_doors.contains(&"basic") && max_doors.contains(&"jwt"), "[{}] {max_doors:?}", db.label);

        // Refusals: each with its reason; anonymous actor, the account as target when there is one.
        assert_eq!(Client::new(&server.base).login("lena", "wrong").await.status(), 401);
        assert_eq!(Client::new(&server.base).login("nobody-here", "wrong").await.status(), 401);
        server.execute("UPDATE users SET enabled = FALSE WHERE username = 'max'").await;
        assert_eq!(Client::new(&server.base).login("max", "max-password").await.status(), 403);
        let failed = events(&server, "sign_in_failed").await;
        let reason_for = |target: &str| {
            failed.iter().find(|e| e["target"] == target).map(|e| (e["actor"].clone(), e["details"]["reason"].clone()))
        };
        assert_eq!(reason_for("lena"), Some((json!("anonymous"), json!("wrong_password"))), "[{}] {failed:?}", db.label);
        assert_eq!(reason_for("max"), Some((json!("anonymous"), json!("disabled"))));
        let unknown = failed.iter().find(|e| e["details"]["reason"] == "unknown_user").expect("unknown user");
        assert_eq!(unknown["details"]["username"], "nobody-here");
        assert_eq!(unknown["target"], "");

        // A flood past the per-address limit is one event, not one per request.
        for _ in 0..12 {
            Client::new(&server.base).login("lena", "wrong-again").await;
        }
        let limited: Vec<Value> = events(&server, "sign_in_failed").await.into_iter().filter(|e| e["details"]["reason"] == "rate_limited").collect();
        assert_eq!(limited.len(), 1, "[{}] {limited:?}", db.label);
        assert_eq!(limited[0]["ip"], "127.0.0.1");
    }
}

#[tokio::test]
async fn locked_accounts_are_refused_as_locked() {
    for db in test_databases().await {
        let config = with_site(test_config(&db), |s| { s.lockout_threshold = 2; s.login_rate_limit = 1_000; });
        let server = server_on(config).await;
        for _ in 0..2 {
            Client::new(&server.base).login("lena", "wrong").await;
        }
        assert_eq!(Client::new(&server.base).login("lena", "lena-password").await.status(), 401);
        let failed = events(&server, "sign_in_failed").await;
        assert_eq!(failed[0]["details"]["reason"], "locked", "[{}] {:?}", db.label, failed[0]);
        assert_eq!(failed[0]["target"], "lena");

        // The admin's unlock is audited too.
        let admin = signed_in(&server, "admin", PASSWORD).await;
        assert_eq!(admin.call("/api/admin/users/unlock", &json!({"username": "lena"})).await.status(), 200);
        let unlocked = events(&server, "user_unlocked").await;
        assert_eq!((unlocked[0]["actor"].as_str(), unlocked[0]["target"].as_str()), (Some("admin"), Some("lena")));
    }
}

#[tokio::test]
async fn sign_out_session_revocation_and_password_changes_are_audited() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        let laptop = signed_in(&server, "lena", "lena-password").await;
        let phone = signed_in(&server, "lena", "lena-password").await;
        let admin = signed_in(&server, "admin", PASSWORD).await;
        let res = admin.http.delete(server.url("/xapi/users/active/lena")).send().await.unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        let revoked = events(&server, "session_revoked").await;
        assert_eq!(revoked.len(), 2, "[{}] one event per session: {revoked:?}", db.label);
        assert!(revoked.iter().all(|e| e["actor"] == "admin" && e["target"] == "lena" && e["details"]["by"] == "admin"));
        assert!(phone.whoami().await.is_none() && laptop.whoami().await.is_none());

        let laptop = signed_in(&server, "lena", "lena-password").await;
        assert_eq!(laptop.change_password("lena-password", "lena-password-2").await.status(), 200);
        let changed = events(&server, "password_changed").await;
        assert_eq!((changed[0]["actor"].as_str(), changed[0]["target"].as_str()), (Some("lena"), Some("lena")));
        assert!(!changed[0].to_string().contains("lena-password"), "no password in the log");
        assert_eq!(laptop.logout().await.status(), 200);
        let out = events(&server, "sign_out").await;
        assert_eq!(out.len(), 1, "[{}]", db.label);
        assert_eq!(out[0]["actor"], "lena");
    }
}

#[tokio::test]
async fn account_administration_is_audited_field_by_field() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        let rest = Rest::new(&server.base, "admin", PASSWORD);
        let new = json!({"userName": "nora", "password": "nora-password-1", "email": "nora@example.org", "roles": ["user"]});
        let (status, body) = rest.send(Method::POST, "/users", &new).await;
        assert_eq!(status, 201, "{body}");
        let created = events(&server, "user_created").await;
        let nora = created.iter().find(|e| e["target"] == "nora").expect("nora created");
        assert_eq!(nora["actor"], "admin");
        assert!(nora["target_id"].as_str().unwrap().parse::<i64>().unwrap() > 0, "the new id: {nora}");

        let (status, _) = rest.send(Method::PUT, "/users/nora", &json!({"email": "nora@elsewhere.example"})).await;
        assert_eq!(status, 200);
        let updated = events(&server, "user_updated").await;
        assert_eq!(updated[0]["details"]["changed"]["email"], json!({"old": "nora@example.org", "new": "nora@elsewhere.example"}), "[{}]", db.label);

        let admin = signed_in(&server, "admin", PASSWORD).await;
        assert_eq!(admin.call("/api/admin/users/enable", &json!({"username": "nora", "enabled": false})).await.status(), 200);
        assert_eq!(admin.call("/api/admin/users/enable", &json!({"username": "nora", "enabled": true})).await.status(), 200);
        assert_eq!(events(&server, "user_disabled").await[0]["target"], "nora");
        assert_eq!(events(&server, "user_enabled").await[0]["target"], "nora");

        let (status, _) = rest.send(Method::PUT, "/users/nora/changepwd", &json!({"newPassword": "nora-password-2"})).await;
        assert!(status.is_success(), "{status}");
        let reset = events(&server, "password_reset").await;
        assert_eq!((reset[0]["actor"].as_str(), reset[0]["target"].as_str()), (Some("admin"), Some("nora")));

        let (status, _) = rest.send(Method::DELETE, "/users/nora", &Value::Null).await;
        assert!(status.is_success(), "{status}");
        let deleted = events(&server, "user_deleted").await;
        assert_eq!(deleted[0]["target"], "nora");
        // The trail keeps the name after the account is gone.
        let (_, about) = admin_api(&server, "?target=nora").await;
        assert!(about["items"].as_array().unwrap().len() >= 6, "[{}] {about}", db.label);
    }
}

#[tokio::test]
async fn settings_changes_record_old_and_new_values() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        let admin = signed_in(&server, "admin", PASSWORD).await;
        let mut form: Value = admin.call("/api/admin/settings/get", &json!({})).await.json().await.unwrap();
        let old_min = form["password_min_length"].as_str().unwrap().to_string();
        form["password_min_length"] = json!("14");
        form["registration_open"] = json!(true);
        let res = admin.call("/api/admin/settings/save", &json!({"form": form})).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let changed = events(&server, "settings_changed").await;
        assert_eq!(changed.len(), 1);
        let fields = &changed[0]["details"]["changed"];
        assert_eq!(fields["password_min_length"], json!({"old": old_min.parse::<i64>().unwrap(), "new": 14}), "[{}] {fields}", db.label);
        assert_eq!(fields["registration_open"], json!({"old": false, "new": true}));
        assert!(fields.get("require_login").is_none(), "only what changed: {fields}");
        // A stale save changes nothing and writes no event.
        let res = admin.call("/api/admin/settings/save", &json!({"form": form})).await;
        assert_eq!(res.status(), 409);
        assert_eq!(events(&server, "settings_changed").await.len(), 1);
    }
}

#[tokio::test]
async fn tokens_and_service_keys_are_audited_without_secrets() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        let lena = Rest::new(&server.base, "lena", "lena-password");
        let (status, created) = lena.send(Method::POST, "/api/tokens", &json!({"name": "laptop", "expires_days": 30})).await;
        assert_eq!(status, 201, "{created}");
        let token = created["token"].as_str().unwrap().to_string();
        let (status, _) = lena.send(Method::DELETE, &format!("/api/tokens/{}", created["id"]), &Value::Null).await;
        assert_eq!(status, 204);
        let (status, _) = lena.send(Method::PUT, "/api/service-keys/openai", &json!({"value": "sk-live-abcdefgh1234"})).await;
        assert_eq!(status, 204);
        let (status, _) = lena.send(Method::DELETE, "/api/service-keys/openai", &Value::Null).await;
        assert_eq!(status, 204);

        let made = events(&server, "token_created").await;
        assert_eq!((made[0]["actor"].as_str(), made[0]["target"].as_str()), (Some("lena"), Some("lena")), "[{}]", db.label);
        assert_eq!(made[0]["details"]["name"], "laptop");
        assert_eq!(made[0]["details"]["kind"], "access");
        let gone = events(&server, "token_revoked").await;
        assert_eq!(gone[0]["details"]["token_id"], created["id"]);
        assert_eq!(events(&server, "service_key_set").await[0]["target"], "openai");
        assert_eq!(events(&server, "service_key_deleted").await[0]["details"]["scope"], "user");
        let (_, csv) = Rest::new(&server.base, "admin", PASSWORD).send(Method::GET, "/api/audit?format=csv", &Value::Null).await;
        let csv = csv.as_str().unwrap().to_string();
        assert!(!csv.contains(&token) && !csv.contains("abcdefgh1234"), "[{}] no secret reaches the log", db.label);
    }
}

#[tokio::test]
async fn the_log_refuses_changes_and_only_the_sweep_deletes() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        signed_in(&server, "lena", "lena-password").await;
        let state = server.state();
        let count = || async {
            app::on_db!(&state.db, |pool| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events").fetch_one(pool).await.unwrap())
        };
        let before = count().await;
        assert!(before > 0);
        for sql in ["UPDATE audit_events SET actor = 'someone-else'", "DELETE FROM audit_events"] {
            let refused = app::on_db!(&state.db, |pool| sqlx::query(sql).execute(pool).await.map(|_| ()));
            let message = refused.expect_err(sql).to_string();
            assert!(message.contains("append-only"), "[{}] {sql}: {message}", db.label);
        }
        if db.label == "postgres" {
            let refused = app::on_db!(&state.db, |pool| sqlx::query("TRUNCATE audit_events").execute(pool).await.map(|_| ()));
            assert!(refused.is_err(), "TRUNCATE is refused too");
        }
        assert_eq!(count().await, before, "[{}] nothing changed", db.label);
        let actors: Vec<String> =
            app::on_db!(&state.db, |pool| sqlx::query_scalar("SELECT actor FROM audit_events").fetch_all(pool).await.unwrap());
        assert!(!actors.iter().any(|a| a == "someone-else"));

        // The retention sweep deletes what is older than its cutoff, and nothing newer.
        let gone = app::backend::service::audit::purge_older_than(state, 0, 1000).await.unwrap();
        assert_eq!(gone, 0);
        let gone = app::backend::service::audit::purge_older_than(state, i64::MAX, 1000).await.unwrap();
        assert_eq!(gone as i64, before - 1, "[{}] all but the newest, the chain's head", db.label);
        assert_eq!(events(&server, "audit_purged").await[0]["details"]["count"], json!(before - 1), "[{}] the purge records itself", db.label);
        // After the sweep the guard is closed again.
        signed_in(&server, "lena", "lena-password").await;
        let refused = app::on_db!(&state.db, |pool| sqlx::query("DELETE FROM audit_events").execute(pool).await.map(|_| ()));
        assert!(refused.is_err(), "[{}] the sweep left deletes open", db.label);
    }
}

#[tokio::test]
async fn a_change_whose_event_cannot_be_written_does_not_land() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        let admin = signed_in(&server, "admin", PASSWORD).await;
        if db.label == "postgres" {
            server
                .execute("CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit store down'; END; $$")
                .await;
            server.execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit()").await;
        } else {
            server.execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit store down'); END").await;
        }
        let res = admin.call("/api/admin/users/enable", &json!({"username": "lena", "enabled": false})).await;
        assert_eq!(res.status(), 500, "[{}]", db.label);
        let lena = app::backend::store::users::find_by_username(&server.state().db, "lena").await.unwrap().unwrap();
        assert!(lena.enabled, "[{}] the change was rolled back with its event", db.label);
        let rest = Rest::new(&server.base, "lena", "lena-password");
        let (status, _) = rest.send(Method::POST, "/api/tokens", &json!({"name": "ci", "expires_days": 30})).await;
        assert_eq!(status, 500);
        let tokens: i64 =
            app::on_db!(&server.state().db, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM access_tokens").fetch_one(pool).await.unwrap());
        assert_eq!(tokens, 0, "[{}] no token without its event", db.label);
    }
}

#[tokio::test]
async fn the_api_filters_pages_and_exports_for_admins_only() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        for _ in 0..60 {
            Client::new(&server.base).login("max", "max-password").await;
        }
        signed_in(&server, "lena", "lena-password").await;

        let lena = Rest::new(&server.base, "lena", "lena-password");
        assert_eq!(lena.send(Method::GET, "/api/audit", &Value::Null).await.0, 403);
        assert_eq!(reqwest::get(server.url("/api/audit")).await.unwrap().status(), 401);

        // Newest first, 50 a page, and `next` walks every event once.
        let mut seen = Vec::new();
        let mut query = "?actor=max&action=sign_in".to_string();
        loop {
            let (status, page) = admin_api(&server, &query).await;
            assert_eq!(status, 200, "{page}");
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 50);
            seen.extend(items.iter().map(|e| e["id"].as_i64().unwrap()));
            match page["next"].as_str() {
                Some(next) => query = format!("?actor=max&action=sign_in&after={next}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 60, "[{}]", db.label);
        assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first");

        let (_, page) = admin_api(&server, "?target=lena&ip=127.0.0.1").await;
        assert!(page["items"].as_array().unwrap().iter().all(|e| e["target"] == "lena"));
        assert!(!page["items"].as_array().unwrap().is_empty());
        let (_, none) = admin_api(&server, "?ip=192.0.2.1").await;
        assert_eq!(none["items"], json!([]));
        let (_, text) = admin_api(&server, "?q=FORM").await;
        assert_eq!(text["items"].as_array().unwrap().len(), 50, "free text, any case");
        assert!(text["next"].is_string(), "61 sign-ins by form: a second page");
        let (_, future) = admin_api(&server, "?from=2999-01-01").await;
        assert_eq!(future["items"], json!([]));
        let (_, today) = admin_api(&server, &format!("?to={}", &app::model::iso8601(app::backend::time::now_ms())[..10])).await;
        assert!(!today["items"].as_array().unwrap().is_empty(), "`to` takes in the whole day");

        // A time range pages in time order, even where ids are not (generated events lie anywhere in the past year).
        app::backend::jobs::generate_audit::generate_audit(server.state(), 400).await.unwrap();
        let from = &app::model::iso8601(app::backend::time::now_ms() - 200 * 86_400_000)[..10];
        let (mut query, mut times, mut ids) = (format!("?from={from}"), Vec::new(), std::collections::HashSet::new());
        loop {
            let (status, page) = admin_api(&server, &query).await;
            assert_eq!(status, 200, "{page}");
            for e in page["items"].as_array().unwrap() {
                assert!(ids.insert(e["id"].as_i64().unwrap()), "[{}] an event on two pages", db.label);
                times.push(e["at"].as_str().unwrap().to_string());
            }
            match page["next"].as_str() {
                Some(next) => query = format!("?from={from}&after={next}"),
                None => break,
            }
        }
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "[{}] newest first by time", db.label);
        assert!(ids.len() > 150, "[{}] {} events in the range", db.label, ids.len());

        let (status, bad) = admin_api(&server, "?action=drop_tables").await;
        assert_eq!(status, 400);
        assert!(bad["error"].as_str().unwrap().starts_with("action:"), "the message names the field: {bad}");
        let (status, bad) = admin_api(&server, "?from=last-tuesday").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(bad["error"].as_str().unwrap().starts_with("from:"), "{bad}");

        // CSV: a header and one line per event of the filter, past one batch.
        let res = reqwest::Client::new()
            .get(server.url("/api/audit?format=csv&actor=max"))
            .basic_auth("admin", Some(PASSWORD))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = res.text().await.unwrap();
        let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
        assert_eq!(lines[0], "id,time,actor,action,target_kind,target_id,target,details,ip,user_agent,request_id,client_request_id");
        assert_eq!(lines.len(), 61, "[{}] header + 60 sign-ins", db.label);
        // Compressed, as browsers ask for it, the stream ends cleanly.
        let res = reqwest::Client::new()
            .get(server.url("/api/audit?format=csv&actor=max"))
            .header("accept-encoding", "gzip")
            .basic_auth("admin", Some(PASSWORD))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["content-encoding"], "gzip");
        let gzipped = res.bytes().await.expect("the whole compressed body arrives");
        assert!(gzipped.len() > 100, "[{}] {} bytes", db.label, gzipped.len());
        let csv_for_lena = lena.send(Method::GET, "/api/audit?format=csv", &Value::Null).await;
        assert_eq!(csv_for_lena.0, 403);
    }
}

#[tokio::test]
async fn users_see_their_own_security_activity_only() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        Client::new(&server.base).login("lena", "wrong").await;
        signed_in(&server, "max", "max-password").await;
        let lena = signed_in(&server, "lena", "lena-password").await;
        let res = lena.call("/api/account/activity", &json!({})).await;
        assert_eq!(res.status(), 200);
        let page: Value = res.json().await.unwrap();
        let actions: Vec<&str> = page["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["sign_in", "sign_in_failed"], "[{}] {page}", db.label);
        assert!(page["items"].as_array().unwrap().iter().all(|e| e["target"] == "lena"));
        // Someone else's activity is not reachable through it.
        assert!(!page.to_string().contains("\"max\""), "{page}");
        assert_eq!(Client::new(&server.base).call("/api/account/activity", &json!({})).await.status(), 401);
    }
}

/// Runs `gatehouse audit verify` on the database at `url`.
fn verify(url: &str) -> (bool, String) {
    let (ok, out, err) = crate::cli::gatehouse(url, &["audit", "verify"]);
    (ok, format!("{out}{err}"))
}

/// Sets the settings form's audit retention to `days` through the server
/// function, with `auth` (a session client's cookie or an `Authorization` value).
async fn save_retention(server: &TestServer, auth: (&str, &str), days: &str) -> (StatusCode, Value) {
    let get = reqwest::Client::new().post(server.url("/api/admin/settings/get")).header(auth.0, auth.1).send().await.unwrap();
    let (status, mut form) = status_and_body(get).await;
    assert_eq!(status, 200, "{form}");
    form["audit_retention_days"] = json!(days);
    let body = serde_qs::to_string(&json!({"form": form})).unwrap();
    let save = reqwest::Client::new()
        .post(server.url("/api/admin/settings/save"))
        .header(auth.0, auth.1)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    status_and_body(save).await
}

async fn settings_form(server: &TestServer, auth: (&str, &str)) -> Value {
    let get = reqwest::Client::new().post(server.url("/api/admin/settings/get")).header(auth.0, auth.1).send().await.unwrap();
    status_and_body(get).await.1
}

fn basic_admin() -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("admin:{PASSWORD}")))
}

#[tokio::test]
async fn the_hourly_sweep_runs_on_one_instance_and_keeps_what_is_recent() {
    use app::backend::jobs::hourly::run_once;
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        let state = server.state();
        app::backend::jobs::generate_audit::generate_audit(state, 1_000).await.unwrap();
        let admin = signed_in(&server, "admin", PASSWORD).await;
        let mut form: Value = admin.call("/api/admin/settings/get", &json!({})).await.json().await.unwrap();
        assert_eq!(form["audit_retention_days"], "365");
        assert_eq!(form["audit_retention_note"], Value::Null);
        for bad in ["-1", "1", "29"] {
            form["audit_retention_days"] = json!(bad);
            let (status, body) = status_and_body(admin.call("/api/admin/settings/save", &json!({"form": form})).await).await;
            assert_eq!(status, 400, "[{}] {bad}", db.label);
            assert!(body.to_string().contains("audit_retention_days"), "[{}] the error names the field: {body}", db.label);
        }
        // Lowering waits seven days, and the form says until when.
        form["audit_retention_days"] = json!("100");
        assert_eq!(admin.call("/api/admin/settings/save", &json!({"form": form})).await.status(), 200);
        let shown: Value = admin.call("/api/admin/settings/get", &json!({})).await.json().await.unwrap();
        assert_eq!(shown["audit_retention_days"], "100");
        let week = app::backend::time::now_ms() + 7 * app::backend::time::DAY_MS;
        let day = app::model::iso8601(week)[..10].to_string();
        let note = shown["audit_retention_note"].as_str().unwrap_or_default();
        assert!(note.starts_with("Lowered to 100 days: takes effect on ") && note.contains(&day), "[{}] {shown}", db.label);
        let (_, changed) = admin_api(&server, "?action=settings_changed").await;
        assert_eq!(changed["items"][0]["details"]["changed"]["audit_retention_days"], json!({"old": 365, "new": 100}));
        tokio::time::sleep(app::backend::service::settings::CACHE_FOR).await;
        let early = run_once(state, "instance-a").await.unwrap().unwrap();
        assert!(early.audit_events_deleted <= 5, "[{}] the old 365 days still hold: {early:?}", db.label);
        server.execute("DELETE FROM job_leases").await;
        // Seven days later (the pending time moved into the past), the sweep uses 100.
        server.execute("UPDATE site_settings SET audit_retention_pending_at = 1000").await;
        tokio::time::sleep(app::backend::service::settings::CACHE_FOR).await;

        // Two instances at once: one sweeps, the other finds the lease taken.
        let (a, b) = tokio::join!(run_once(state, "instance-a"), run_once(state, "instance-b"));
        let (a, b) = (a.unwrap(), b.unwrap());
        let (winner, loser) = if a.is_some() { ("instance-a", "instance-b") } else { ("instance-b", "instance-a") };
        let reports: Vec<_> = [a, b].into_iter().flatten().collect();
        assert_eq!(reports.len(), 1, "[{}] exactly one instance ran", db.label);
        let deleted = reports[0].audit_events_deleted;
        assert!((700..=760).contains(&deleted), "[{}] about 265 of 365 days' worth: {deleted}", db.label);
        let cutoff = app::backend::time::now_ms() - 100 * app::backend::time::DAY_MS;
        let oldest: i64 =
            app::on_db!(&state.db, |pool| sqlx::query_scalar("SELECT MIN(at) FROM audit_events").fetch_one(pool).await.unwrap());
        assert!(oldest >= cutoff - 60_000, "[{}] nothing older than the retention is left", db.label);
        // The purge is in the log: how many, their time range, where the chain resumes.
        let purged = events(&server, "audit_purged").await;
        assert_eq!(purged[0]["details"]["count"], json!(deleted), "[{}] {purged:?}", db.label);
        assert!(purged[0]["details"]["oldest"].as_str().unwrap() < purged[0]["details"]["newest"].as_str().unwrap());
        assert_eq!(purged[0]["details"]["start_hash"], json!(""), "[{}] the first events were kept", db.label);
        assert_eq!(purged[0]["details"]["resumes"].as_array().map(Vec::len), Some(1), "[{}] {}", db.label, purged[0]);
        // ... so the chain check does not take the purge for tampering.
        let (ok, out) = verify(&db.url);
        assert!(ok && out.contains("audit chain intact: "), "[{}] {out}", db.label);
        // The lease holds until it runs out; its holder may run again.
        assert_eq!(run_once(state, loser).await.unwrap(), None);
        assert!(run_once(state, winner).await.unwrap().is_some());
        // A purge from the start of the log records where the chain now starts.
        app::backend::service::audit::purge_older_than(state, app::backend::time::now_ms() - 1, 100_000).await.unwrap();
        let last = &events(&server, "audit_purged").await[0];
        assert_ne!(last["details"]["start_hash"], json!(""), "[{}] {last}", db.label);
        let (ok, out) = verify(&db.url);
        assert!(ok && out.contains("audit chain intact: 2 events"), "[{}] the head and the purge: {out}", db.label);
    }
}

/// Drops the triggers that keep `audit_events` append-only, as an attacker
/// with the database's password could.
async fn drop_audit_triggers(server: &TestServer, db: &TestDb) {
    if db.label == "postgres" {
        server.execute("DROP TRIGGER audit_events_no_change ON audit_events").await;
    } else {
        server.execute("DROP TRIGGER audit_events_no_update").await;
        server.execute("DROP TRIGGER audit_events_no_delete").await;
    }
}

async fn event_ids(server: &TestServer) -> Vec<i64> {
    app::on_db!(&server.state().db, |pool| sqlx::query_scalar("SELECT id FROM audit_events ORDER BY id").fetch_all(pool).await.unwrap())
}

#[tokio::test]
async fn audit_verify_finds_an_edited_or_deleted_event() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        for _ in 0..3 {
            signed_in(&server, "lena", "lena-password").await;
            Client::new(&server.base).login("max", "wrong").await;
        }
        let ids = event_ids(&server).await;
        let (ok, out) = verify(&db.url);
        assert!(ok, "[{}] {out}", db.label);
        assert!(out.contains(&format!("audit chain intact: {} events", ids.len())), "[{}] {out}", db.label);
        drop_audit_triggers(&server, &db).await;

        // An edited event: found at that event.
        let middle = ids[ids.len() / 2];
        let actor: String = app::on_db!(&server.state().db, |pool| sqlx::query_scalar("SELECT actor FROM audit_events WHERE id = $1")
            .bind(middle)
            .fetch_one(pool)
            .await
            .unwrap());
        server.execute(&format!("UPDATE audit_events SET actor = 'someone-else' WHERE id = {middle}")).await;
        let (ok, out) = verify(&db.url);
        assert!(!ok, "[{}] an edit is found: {out}", db.label);
        assert!(out.contains(&format!("broken at event {middle}")) && out.contains("changed"), "[{}] {out}", db.label);
        server.execute(&format!("UPDATE audit_events SET actor = '{actor}' WHERE id = {middle}")).await;
        assert!(verify(&db.url).0, "[{}] put back, the chain holds again", db.label);

        // A deleted event: found at the one after it.
        server.execute(&format!("DELETE FROM audit_events WHERE id = {middle}")).await;
        let (ok, out) = verify(&db.url);
        assert!(!ok, "[{}] a deletion is found: {out}", db.label);
        let next = ids[ids.len() / 2 + 1];
        assert!(out.contains(&format!("broken at event {next}")) && out.contains("deleted"), "[{}] {out}", db.label);

        // Deleting the oldest event outside the sweep is found too (the first break is reported).
        server.execute(&format!("DELETE FROM audit_events WHERE id = {}", ids[0])).await;
        let (ok, out) = verify(&db.url);
        assert!(!ok && out.contains(&format!("broken at event {}", ids[1])) && out.contains("chain starts"), "[{}] {out}", db.label);
    }
}

/// The number a `SELECT COUNT(*)` query answers.
async fn count_of(server: &TestServer, sql: &str) -> i64 {
    app::on_db!(&server.state().db, |pool| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap())
}

#[tokio::test]
async fn concurrent_event_writes_leave_an_intact_chain() {
    for db in test_databases().await {
        let config = with_site(test_config(&db), |s| { s.login_rate_limit = 1_000; s.lockout_threshold = 1_000; });
        let server = server_on(config).await;
        let mut tasks = Vec::new();
        for n in 0..50 {
            let base = server.base.clone();
            tasks.push(tokio::spawn(async move {
                let user = if n % 2 == 0 { "lena".to_string() } else { format!("nobody{n}") };
                Client::new(&base).login(&user, "wrong").await.status()
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), 401);
        }
        let failed = count_of(&server, "SELECT COUNT(*) FROM audit_events WHERE action = 'sign_in_failed'").await;
        assert_eq!(failed, 50, "[{}]", db.label);
        let forks = count_of(&server, "SELECT COUNT(*) FROM (SELECT prev_hash FROM audit_events GROUP BY prev_hash HAVING COUNT(*) > 1) f").await;
        assert_eq!(forks, 0, "[{}] no two events chain to the same predecessor", db.label);
        let (ok, out) = verify(&db.url);
        assert!(ok, "[{}] {out}", db.label);
    }
}

#[tokio::test]
async fn a_token_cannot_change_the_audit_retention_and_raising_is_at_once() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        let (_, created) = Rest::new(&server.base, "admin", PASSWORD)
            .send(Method::POST, "/api/tokens", &json!({"name": "ops", "expires_days": 30}))
            .await;
        let token = format!("Bearer {}", created["token"].as_str().expect("a token"));
        let (status, body) = save_retention(&server, ("authorization", &token), "30").await;
        assert_eq!(status, 403, "[{}] {body}", db.label);
        assert!(body.to_string().contains("tokens cannot"), "[{}] {body}", db.label);
        assert_eq!(save_retention(&server, ("authorization", &token), "0").await.0, 403, "[{}] nor raise it", db.label);
        let form = settings_form(&server, ("authorization", &basic_admin())).await;
        assert_eq!((form["audit_retention_days"].as_str(), &form["audit_retention_note"]), (Some("365"), &Value::Null));
        // The same token may save the other settings, the retention as it is.
        assert_eq!(save_retention(&server, ("authorization", &token), "365").await.0, 200, "[{}]", db.label);
        // The admin's password may: raising takes effect at once.
        let (status, body) = save_retention(&server, ("authorization", &basic_admin()), "400").await;
        assert_eq!(status, 200, "[{}] {body}", db.label);
        let form = settings_form(&server, ("authorization", &basic_admin())).await;
        assert_eq!((form["audit_retention_days"].as_str(), &form["audit_retention_note"]), (Some("400"), &Value::Null));
        tokio::time::sleep(app::backend::service::settings::CACHE_FOR).await;
        let in_force = app::backend::service::settings::current(server.state()).await.unwrap().audit_retention_days;
        assert_eq!(in_force, 400, "[{}]", db.label);
    }
}

#[tokio::test]
async fn the_servers_own_request_id_is_audited_and_the_clients_kept_apart() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        let form = [("username", "lena"), ("password", "lena-password"), ("next", "")];
        let res = reqwest::Client::new().post(server.url("/api/login")).header("x-request-id", "client-trace.42").form(&form).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let ours = res.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_ne!(ours, "client-trace.42", "[{}] the answer names the server's own id", db.label);
        let lenas = |all: Vec<Value>| all.into_iter().find(|e| e["actor"] == "lena").expect("lena's sign-in");
        let sign_in = &lenas(events(&server, "sign_in").await);
        assert_eq!(sign_in["request_id"], json!(ours), "[{}] {sign_in}", db.label);
        assert_eq!(sign_in["client_request_id"], "client-trace.42", "[{}] {sign_in}", db.label);
        // A hostile id is not kept anywhere.
        let res = reqwest::Client::new().post(server.url("/api/login")).header("x-request-id", "<b>x</b>").form(&form).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let sign_in = &lenas(events(&server, "sign_in").await);
        assert_eq!(sign_in["client_request_id"], Value::Null, "[{}] {sign_in}", db.label);
        let (_, csv) = Rest::new(&server.base, "admin", PASSWORD).send(Method::GET, "/api/audit?format=csv&action=sign_in", &Value::Null).await;
        assert!(csv.as_str().unwrap().contains(",client-trace.42\r\n") || csv.as_str().unwrap().contains(",client-trace.42\r"), "[{}] {csv}", db.label);
    }
}

#[tokio::test]
async fn a_password_typed_as_the_username_is_not_logged() {
    for db in test_databases().await {
        let config = with_site(test_config(&db), |s| { s.login_rate_limit = 100; });
        let server = server_on(config).await;
        let secret = "correct horse battery staple";
        assert_eq!(Client::new(&server.base).login(secret, "x").await.status(), 401);
        let basic = reqwest::Client::new().get(server.url("/users/storage")).basic_auth("Tr0ub4dor&3", Some("x")).send().await.unwrap();
        assert_eq!(basic.status(), 401);
        let jwt = reqwest::Client::new().post(server.url("/users/authenticate")).form(&[("username", "pa$$word!"), ("password", "x")]);
        assert_eq!(jwt.send().await.unwrap().status(), 401);
        assert_eq!(Client::new(&server.base).login("nobody-here", "x").await.status(), 401);
        let failed = events(&server, "sign_in_failed").await;
        let names: Vec<&str> = failed.iter().filter_map(|e| e["details"]["username"].as_str()).collect();
        assert_eq!(names, ["nobody-here", "(invalid username)", "(invalid username)", "(invalid username)"], "[{}]", db.label);
        let (_, all) = admin_api(&server, "").await;
        for typed in [secret, "Tr0ub4dor", "pa$$word"] {
            assert!(!all.to_string().contains(typed), "[{}] {typed} reached the log", db.label);
        }
    }
}

#[tokio::test]
async fn project_and_membership_changes_are_audited_through_the_registry_paths() {
    for db in test_databases().await {
        let server = server_on(test_config(&db)).await;
        let lena = Rest::new(&server.base, "lena", "lena-password");
        let (status, body) = lena.send(Method::POST, "/orgs", &json!({"slug": "brain", "name": "Brain"})).await;
        assert!(status.is_success(), "{body}");
        let (status, _) = lena.send(Method::PUT, "/orgs/brain", &json!({"name": "Brain MRI"})).await;
        assert!(status.is_success());
        let admin = Rest::new(&server.base, "admin", PASSWORD);
        let (status, body) = admin.send(Method::PUT, "/users/max/orgs", &json!({"orgSlugs": ["brain"]})).await;
        assert_eq!(status, 200, "{body}");
        let (status, _) = admin.send(Method::PUT, "/users/max/orgs", &json!({"orgSlugs": []})).await;
        assert_eq!(status, 200);
        let (status, _) = lena.send(Method::DELETE, "/orgs/brain", &Value::Null).await;
        assert!(status.is_success());

        let created = events(&server, "project_created").await;
        assert_eq!((created[0]["actor"].as_str(), created[0]["target"].as_str()), (Some("lena"), Some("brain")), "[{}]", db.label);
        assert!(created[0]["target_id"].as_str().unwrap().parse::<i64>().unwrap() > 0);
        let updated = events(&server, "project_updated").await;
        assert_eq!(updated[0]["details"]["changed"]["name"], json!({"old": "Brain", "new": "Brain MRI"}));
        let added = events(&server, "member_added").await;
        assert_eq!((added[0]["actor"].as_str(), added[0]["details"]["user"].as_str()), (Some("admin"), Some("max")));
        let removed = events(&server, "member_removed").await;
        assert_eq!((removed[0]["target"].as_str(), removed[0]["details"]["user"].as_str()), (Some("brain"), Some("max")));
        assert_eq!(events(&server, "project_deleted").await[0]["target"], "brain");
    }
}
