//! pyxnat 1.6.4 itself, unmodified, against a running Gatehouse: connect,
//! list, create and delete projects, add, move and remove users in the
//! Owners/Members/Collaborators groups, an alias token as user and password,
//! and a wrong password refused.
//! `scripts/setup.sh` installs pyxnat in a virtualenv; its python is
//! `$GATEHOUSE_PYXNAT_PYTHON` (default `~/.cache/gatehouse-pyxnat/bin/python`).


use crate::common::*;
use gatehouse_server::config::Config;

const PASSWORD: &str = "pyxnat-password-1";

fn pyxnat_python() -> std::path::PathBuf {
    match std::env::var("GATEHOUSE_PYXNAT_PYTHON") {
        Ok(path) if !path.is_empty() => path.into(),
        _ => std::path::Path::new(&std::env::var("HOME").unwrap_or_default()).join(".cache/gatehouse-pyxnat/bin/python"),
    }
}

#[tokio::test]
async fn pyxnat_manages_projects_and_their_users() {
    let python = pyxnat_python();
    assert!(python.exists(), "pyxnat's virtualenv is missing at {}: run ./scripts/setup.sh", python.display());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pyxnat/check.py");
    for db in test_databases().await {
        let data = tempfile::tempdir().unwrap();
        let config = with_site(Config { admin_password: Some(PASSWORD.into()), ..test_config(&db) }, |s| { s.data_dir = data.path().into(); });
        let server = TestServer::start(&config).await;
        server.create_user("xowner", PASSWORD).await;
        server.create_user("xother", PASSWORD).await;
        let out = tokio::process::Command::new(&python)
            .arg(&script)
            .args([server.base.as_str(), "xowner", PASSWORD, "xother", "not-the-password"])
            .output()
            .await
            .expect("run pyxnat");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "[{}] pyxnat failed:\n{stdout}\n{stderr}", db.label);
        assert!(stdout.contains("pyxnat: all checks passed"), "{stdout}");
    }
}
