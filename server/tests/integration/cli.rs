//! The `gatehouse` binary's subcommands against a real database.


use crate::common::*;
use std::process::Command;

/// Runs the `gatehouse` binary on `database_url`: (succeeded, stdout, stderr).
pub fn gatehouse(database_url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("GATEHOUSE_DATABASE_URL")
        .output()
        .expect("run gatehouse");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// The password printed after `marker` on stdout.
fn printed_password(stdout: &str, marker: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.split_once(marker).map(|(_, p)| p.trim().to_string()))
        .unwrap_or_else(|| panic!("no {marker:?} in {stdout:?}"))
}

#[tokio::test]
async fn migrate_create_admin_and_reset_password() {
    for db in test_databases().await {
        let (ok, out, err) = gatehouse(&db.url, &["migrate"]);
        assert!(ok, "{}: {err}", db.label);
        assert!(out.contains("Migrations applied"));

        let (ok, out, err) = gatehouse(&db.url, &["create-admin", "grace"]);
        assert!(ok, "{}: {err}", db.label);
        let one_time = printed_password(&out, "One-time password:");
        let (ok, _, err) = gatehouse(&db.url, &["create-admin", "GRACE"]);
        assert!(!ok);
        assert!(err.contains("Username already exists"), "{err}");
        let (ok, _, err) = gatehouse(&db.url, &["create-admin", "bad name!"]);
        assert!(!ok);
        assert!(err.contains("Username"), "{err}");

        // grace is an enabled admin, so no first-run admin is made.
        let server = TestServer::start(&test_config(&db)).await;
        assert!(server.running.first_admin.is_none(), "{}", db.label);
        let client = Client::new(&server.base);
        let res = client.login("grace", &one_time).await;
        assert_eq!(res.status(), 200, "{}", db.label);
        assert_eq!(res.json::<String>().await.unwrap(), "/account/password");
        assert_eq!(client.change_password(&one_time, "grace-own-password").await.status(), 200);
        assert_eq!(client.post_form("/api/admin/overview", &[]).await.status(), 200);

        // reset-password: a new one-time password, sessions ended, lock cleared.
        for _ in 0..5 {
            client.login("grace", "wrong").await;
        }
        let (ok, out, err) = gatehouse(&db.url, &["reset-password", "Grace"]);
        assert!(ok, "{}: {err}", db.label);
        let reset = printed_password(&out, "New one-time password for Grace:");
        assert!(client.whoami().await.is_none(), "{}: sessions end at reset", db.label);
        let res = client.login("grace", &reset).await;
        assert_eq!(res.status(), 200, "{}", db.label);
        assert_eq!(res.json::<String>().await.unwrap(), "/account/password");

        let (ok, _, err) = gatehouse(&db.url, &["reset-password", "nobody"]);
        assert!(!ok);
        assert!(err.contains("No such user"), "{err}");
    }
}

#[test]
fn help_documents_every_configuration_key() {
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse")).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    let fields = serde_json::to_value(gatehouse_server::config::Config::default()).unwrap();
    let fields: Vec<&String> = fields.as_object().unwrap().keys().collect();
    assert_eq!(fields.len(), gatehouse_server::config::KEYS.len(), "every configuration field is in KEYS");
    for (key, _) in gatehouse_server::config::KEYS {
        assert!(fields.contains(&&key.to_string()), "{key} in KEYS is not a configuration field");
        let variable = format!("GATEHOUSE_{}", key.to_uppercase());
        assert!(help.contains(&variable), "{variable} missing from --help");
    }
    for sub in ["serve", "migrate", "create-admin", "reset-password"] {
        assert!(help.contains(sub), "{sub} missing from --help");
    }
}

#[tokio::test]
async fn serve_prints_the_first_admins_one_time_password() {
    let db = test_databases().await.remove(0);
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .env("DATABASE_URL", &db.url)
        .env("GATEHOUSE_BIND", "127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = String::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("Sign in at") {
                break;
            }
        }
    });
    read.await.expect("server prints its banner");
    child.kill().await.ok();
    let password = printed_password(&seen, "One-time password:");
    assert_eq!(password.len(), 20, "{seen}");
    assert!(seen.contains("Username: admin"), "{seen}");
}

/// `gatehouse features list` and the start-up check of the features folder:
/// a malformed file or a key defined twice stops the server, naming where.
#[tokio::test]
async fn features_list_and_a_malformed_definition_file() {
    let dir = tempfile::tempdir().unwrap();
    let features = dir.path().join("features");
    std::fs::create_dir(&features).unwrap();
    std::fs::write(
        features.join("viewer-feature-definition.properties"),
        "# A platform's own feature\norg.nrg.Feature=viewer_3d\norg.nrg.Feature.viewer_3d.name=3D viewer\norg.nrg.Feature.viewer_3d.OnByDefault=false\n",
    )
    .unwrap();
    // The default folder is features/ beside the SQLite file.
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("gatehouse.db").display());
    let (ok, out, err) = gatehouse(&url, &["features", "list"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("6 features"), "{out}");
    assert!(out.contains("viewer_3d\t3D viewer\toff by default\t") && out.contains("viewer-feature-definition.properties"), "{out}");
    assert!(out.contains("manage_files\tManage files\ton by default\tbuilt in"), "{out}");

    std::fs::write(features.join("bad-feature-definition.properties"), "org.nrg.Feature=x\norg.nrg.Feature.x.name=X\norg.nrg.Feature.x.OnByDefault=perhaps\n").unwrap();
    let (ok, _, err) = gatehouse(&url, &["features", "list"]);
    assert!(!ok);
    assert!(err.contains("bad-feature-definition.properties:3: OnByDefault must be true or false"), "{err}");
    let config = gatehouse_server::config::Config { database_url: url.clone(), bind: "127.0.0.1:0".into(), ..Default::default() };
    let refused = gatehouse_server::start(&config).await.err().expect("the server refuses to start");
    assert!(refused.contains("bad-feature-definition.properties:3"), "{refused}");

    std::fs::write(features.join("bad-feature-definition.properties"), "org.nrg.Feature=manage_files\norg.nrg.Feature.manage_files.name=Again\n").unwrap();
    let (ok, _, err) = gatehouse(&url, &["features", "list"]);
    assert!(!ok);
    assert!(err.contains("feature \"manage_files\" is defined in both built in") && err.contains("bad-feature-definition.properties"), "{err}");
}
