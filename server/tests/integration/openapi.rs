//! The OpenAPI document against the router: every route the router serves
//! is documented (the pages and their server functions aside) and every
//! documented operation is served, and schemathesis, run on a live server
//! with an admin's access token, finds no 5xx, no undocumented status and
//! no answer off its schema. schemathesis comes from the pyxnat virtualenv
//! that `scripts/setup.sh` makes (`$GATEHOUSE_PYXNAT_PYTHON`).

use crate::common::*;
use gatehouse_server::config::Config;
use std::collections::{BTreeMap, BTreeSet};

const PASSWORD: &str = "openapi-admin-pass-1";

/// The routes an axum router serves: (path, methods) for method routes,
/// and the paths of whole-service routes (nested fallbacks) apart. axum
/// has no listing API; its `Debug` output holds the route table (axum is
/// pinned, and the sanity checks below fail loudly if its shape changes).
struct Served {
    methods: BTreeMap<String, BTreeSet<String>>,
    services: BTreeSet<String>,
}

fn served_routes(router: &axum::Router) -> Served {
    let debug = format!("{router:?}");
    let section = |start: &str, end: &str| -> String {
        let from = debug.find(start).unwrap_or_else(|| panic!("no {start:?} in the router's Debug output")) + start.len();
        let to = debug[from..].find(end).unwrap_or_else(|| panic!("no {end:?} after {start:?}")) + from;
        debug[from..to].to_string()
    };
    // The first path router is the main one (the fallback router follows it).
    let routes = section("path_router: PathRouter { routes: {", "}, node: Node {");
    let paths_text = section("node: Node { paths: {", "} }");
    let mut paths = BTreeMap::new();
    for entry in paths_text.split(", RouteId(").map(|e| e.trim_start_matches("RouteId(")) {
        let (id, path) = entry.split_once("): ").expect("RouteId(n): \"path\"");
        paths.insert(id.to_string(), path.trim_matches('"').to_string());
    }
    let mut served = Served { methods: BTreeMap::new(), services: BTreeSet::new() };
    for entry in routes.split("RouteId(").skip(1) {
        let (id, rest) = entry.split_once("): ").expect("RouteId(n): endpoint");
        let path = paths.get(id).unwrap_or_else(|| panic!("route {id} has no path")).clone();
        if rest.starts_with("Route(") {
            served.services.insert(path);
            continue;
        }
        let allow = rest.split("allow_header: ").nth(1).expect("a method router's allow_header");
        let methods = allow.strip_prefix("Bytes(b\"").and_then(|a| a.split('"').next()).unwrap_or_else(|| panic!("{path}: {allow}"));
        let set: BTreeSet<String> = methods.split(',').filter(|m| !m.is_empty()).map(|m| m.to_ascii_lowercase()).collect();
        served.methods.entry(path).or_default().extend(set);
    }
    served
}

fn documented() -> BTreeSet<(String, String)> {
    let doc = gatehouse_server::rest::openapi::document();
    if let Ok(path) = std::env::var("GATEHOUSE_OPENAPI_DUMP") {
        let json = gatehouse_server::rest::openapi::document_json(&doc);
        std::fs::write(path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }
    gatehouse_server::rest::openapi::operations(&doc).into_iter().collect()
}

#[tokio::test]
async fn the_document_and_the_router_list_the_same_rest_routes() {
    let db = test_databases().await.remove(0);
    let config = test_config(&db);
    let state = gatehouse_server::open_state(&config).await.expect("state");
    let served = served_routes(&gatehouse_server::router(&config, state));
    assert!(served.methods.len() > 100, "the route table was not read: {} routes", served.methods.len());
    assert!(served.methods.get("/healthz").is_some_and(|m| m.contains("get")), "GET /healthz not found in the route table");

    // Not the REST API: the pages (each a GET route) and the server
    // functions, the pages' internal RPC, listed by leptos itself.
    let pages: BTreeSet<String> = leptos_axum::generate_route_list(app::App).iter().map(|r| r.path().to_string()).collect();
    let server_fns: BTreeSet<(String, String)> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, method)| (method.as_str().to_ascii_lowercase(), path.to_string())).collect();
    assert!(server_fns.iter().any(|(_, p)| p == "/api/login"), "server functions were not listed");

    let mut served_ops = BTreeSet::new();
    for (path, methods) in &served.methods {
        for method in methods {
            // axum answers HEAD wherever there is a GET.
            if method == "head" && methods.contains("get") {
                continue;
            }
            if server_fns.contains(&(method.clone(), path.clone())) || (pages.contains(path) && method == "get") {
                continue;
            }
            served_ops.insert((method.clone(), path.clone()));
        }
    }
    let documented = documented();
    println!("{} REST operations served, {} documented", served_ops.len(), documented.len());
    let undocumented: Vec<_> = served_ops.difference(&documented).collect();
    assert!(undocumented.is_empty(), "served but not in the OpenAPI document: {undocumented:#?}");
    let unserved: Vec<_> = documented.difference(&served_ops).collect();
    assert!(unserved.is_empty(), "in the OpenAPI document but not served: {unserved:#?}");
    // The only whole-service routes are the XNAT router's fallbacks, nested under both prefixes.
    for path in &served.services {
        assert!(
            ["/data", "/REST"].iter().any(|p| path == p || path.starts_with(&format!("{p}/{{*"))),
            "an unexpected service route: {path}"
        );
    }
}

#[tokio::test]
async fn every_documented_operation_reaches_its_handler() {
    let db = test_databases().await.remove(0);
    let data = tempfile::tempdir().unwrap();
    let config = with_site(test_config(&db), |s| { s.data_dir = data.path().into(); });
    let server = TestServer::start(&config).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for (method, path) in documented() {
        // Path parameters filled with a name nothing has; no credential,
        // so nothing changes.
        let concrete: String = path
            .split('/')
            .map(|segment| if segment.starts_with('{') { "no-such-thing" } else { segment })
            .collect::<Vec<_>>()
            .join("/");
        let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
        let res = http.request(method.clone(), server.url(&concrete)).send().await.unwrap();
        let status = res.status();
        let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let body = res.text().await.unwrap_or_default();
        assert_ne!(status, 405, "{method} {path}: method not allowed");
        let fell_through = (status == 404 && content_type.starts_with("text/html"))
            || body.starts_with("No such resource:")
            || body.contains("No such API path");
        assert!(!fell_through || path == "/api-docs", "{method} {path} fell through to a fallback: {status} {body:.200}");
    }
    let page = http.get(server.url("/api-docs")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("<code>POST /users/authenticate</code>") && html.contains("/api-docs/openapi.json"), "{html:.500}");
    assert!(!html.contains("<script") && !html.contains("style="), "the page needs no script and no inline style");
    let doc: serde_json::Value = http.get(server.url("/api-docs/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    // Two-factor sign-in added no REST path (its second step is the sign-in
    // page's server function), only `otp` on `/users/authenticate`.
    let otp = &doc["components"]["schemas"]["AuthenticateRequest"]["properties"]["otp"];
    assert!(otp["description"].as_str().is_some_and(|d| d.contains("recovery code")), "{otp}");
    let refusal = &doc["paths"]["/users/authenticate"]["post"]["responses"]["401"]["description"];
    assert!(refusal.as_str().is_some_and(|d| d.contains("two-factor")), "{refusal}");
}

fn venv_python() -> std::path::PathBuf {
    match std::env::var("GATEHOUSE_PYXNAT_PYTHON") {
        Ok(path) if !path.is_empty() => path.into(),
        _ => std::path::Path::new(&std::env::var("HOME").unwrap_or_default()).join(".cache/gatehouse-pyxnat/bin/python"),
    }
}

/// schemathesis with every check over every path, on SQLite and on
/// PostgreSQL (which refuses text SQLite takes, e.g. a NUL). The credential
/// is an admin's personal access token: a token may not change or end
/// credentials, so the run cannot lock, sign out or re-password the admin
/// it runs as, while every admin path is open to it.
#[tokio::test]
async fn schemathesis_finds_nothing() {
    let log = crate::common::log::captured_log();
    let python = venv_python();
    assert!(python.exists(), "the test virtualenv is missing at {}: run ./scripts/setup.sh --browser", python.display());
    for db in test_databases().await {
        run_schemathesis(&db, &python, &log).await;
    }
}

async fn run_schemathesis(db: &TestDb, python: &std::path::Path, log: &std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    let data = tempfile::tempdir().unwrap();
    // schemathesis' `ignored_auth` check sends a wrong credential to every
    // operation; the per-address limit on failed ones would answer 429.
    let config = with_site(Config { admin_password: Some(PASSWORD.into()), ..test_config(db) }, |s| { s.data_dir = data.path().into(); s.login_rate_limit = 1_000_000; });
    let server = TestServer::start(&config).await;
    let admin = Rest::new(&server.base, "admin", PASSWORD);
    let (status, token) = admin.send(reqwest::Method::POST, "/api/tokens", &serde_json::json!({"name": "schemathesis"})).await;
    assert_eq!(status, 201, "{token}");
    let token = token["token"].as_str().expect("the token").to_string();

    let reports = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = tokio::process::Command::new(python)
        .args(["-m", "schemathesis.cli", "--config-file"])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis.toml"))
        .arg("run")
        .arg(server.url("/api-docs/openapi.json"))
        .args(["--url", &server.base])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        // No `--checks`: schemathesis runs every check, and the config file's per-operation exclusions hold.
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--max-examples", "40", "--workers", "1", "--request-timeout", "20", "--seed", "1"])
        // A generation health check, not a check of the API: hypothesis gives up
        // on an operation when its path patterns filter out many drawn values.
        .args(["--suppress-health-check", "filter_too_much"])
        .args(["--report", "json", "--report-dir"])
        .arg(reports.path())
        // schemathesis keeps a cache in its working directory: not in the checkout.
        .current_dir(reports.path())
        .env("NO_COLOR", "1")
        .kill_on_drop(true)
        .output()
        .await
        .expect("run schemathesis");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: String = String::from_utf8_lossy(&log.lock().unwrap())
        .lines()
        .filter(|l| l.contains("ERROR"))
        .collect::<Vec<_>>()
        .join("\n");
    let label = db.label;
    assert!(out.status.success(), "{label}: schemathesis failed after {elapsed:?}:\n{stdout}\n{stderr}\nthe server's errors:\n{errors}");
    println!("{label}: schemathesis passed in {elapsed:?}:\n{stdout}");
}

/// The statuses the served document lists for `method path`.
fn listed_statuses(doc: &serde_json::Value, method: &str, path: &str) -> Vec<String> {
    doc["paths"][path][method]["responses"].as_object().map(|r| r.keys().cloned().collect()).unwrap_or_default()
}

/// The caps on tokens and service keys answer a status the document lists
/// for that operation (schemathesis never makes enough of them to see it).
#[tokio::test]
async fn the_caps_answer_a_documented_status() {
    for db in test_databases().await {
        let label = db.label;
        let server = TestServer::start(&Config { admin_password: Some(PASSWORD.into()), ..test_config(&db) }).await;
        let http = reqwest::Client::new();
        let doc: serde_json::Value = http.get(server.url("/api-docs/openapi.json")).send().await.unwrap().json().await.unwrap();
        let admin = Rest::new(&server.base, "admin", PASSWORD);
        let cases: [(&str, &str, i64, &dyn Fn(i64) -> (reqwest::Method, String, serde_json::Value)); 4] = [
            ("get", "/data/services/tokens/issue", app::backend::service::credentials::tokens::MAX_LIVE_TOKENS, &|_| {
                (reqwest::Method::GET, "/data/services/tokens/issue".into(), serde_json::Value::Null)
            }),
            ("post", "/api/tokens", app::backend::service::credentials::tokens::MAX_LIVE_TOKENS, &|n| {
                (reqwest::Method::POST, "/api/tokens".into(), serde_json::json!({"name": format!("t{n}")}))
            }),
            ("put", "/api/service-keys/{name}", app::backend::service::credentials::service_keys::MAX_USER_KEYS, &|n| {
                (reqwest::Method::PUT, format!("/api/service-keys/k{n}"), serde_json::json!({"value": "v"}))
            }),
            ("put", "/api/admin/service-keys/{name}", app::backend::service::credentials::service_keys::MAX_SITE_KEYS, &|n| {
                (reqwest::Method::PUT, format!("/api/admin/service-keys/s{n}"), serde_json::json!({"value": "v"}))
            }),
        ];
        for (method, path, cap, request) in cases {
            for n in 0..cap {
                let (m, p, body) = request(n);
                let (status, answer) = admin.send(m, &p, &body).await;
                assert!(status.is_success(), "{label}: {path} #{n}: {status} {answer}");
            }
            let (m, p, body) = request(cap);
            let (status, answer) = admin.send(m, &p, &body).await;
            assert!(status.is_client_error(), "{label}: {path} past its cap: {status} {answer}");
            let listed = listed_statuses(&doc, method, path);
            assert!(listed.contains(&status.as_str().to_string()), "{label}: {method} {path} answers {status}, the document lists {listed:?}");
        }
    }
}
