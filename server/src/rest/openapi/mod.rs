//! The REST door's OpenAPI 3.1 document, from the handlers' own operations
//! (not the server functions: the pages' internal RPC), at `/api-docs/openapi.json` and `/api-docs`.
//!
//! Here the document is assembled (operations, the statuses every layer
//! adds, links); [`schemas`] adds the input rules, [`page`] renders it as
//! HTML, and `rest::xnat_prefixes` routes XNAT's handlers under both prefixes.

mod methods;
mod page;
mod schemas;

use super::xnat_prefixes::{is_xnat_path, XNAT_PREFIXES};
use methods::{operation_mut, METHODS};
use super::credentials::{service_keys, tokens};
use super::{admin_export, audit, features, files, health, orgs, quota, registry, xapi, xnat, ErrorBody};
use crate::{metrics, ServerState};
use app::backend::service::settings;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::Router;
use http::header;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, RefOr, Response, Schema};
use utoipa::{OpenApi as _, PartialSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// `/api-docs` and `/api-docs/openapi.json`.
pub fn api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(openapi_json)).routes(routes!(docs_page))
}

pub fn routes() -> Router<ServerState> {
    api().into()
}

/// The document (OpenAPI 3.1).
#[utoipa::path(get, path = "/api-docs/openapi.json", tag = "documentation", security(()),
    responses((status = 200, body = Object, description = "This document")))]
async fn openapi_json(State(state): State<ServerState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], rendered(&state).await.0.clone())
}

/// The document as a readable page.
#[utoipa::path(get, path = "/api-docs", tag = "documentation", security(()),
    responses((status = 200, body = String, content_type = "text/html")))]
async fn docs_page(State(state): State<ServerState>) -> impl IntoResponse {
    Html(rendered(&state).await.1.clone())
}

/// The document (JSON) and its page as served: the password fields state
/// the minimum length in force, a site setting an admin may change at any
/// time, so one rendering is kept per minimum seen.
async fn rendered(state: &ServerState) -> Arc<(String, String)> {
    static BASE: OnceLock<(OpenApi, Value)> = OnceLock::new();
    static RENDERED: Mutex<BTreeMap<usize, Arc<(String, String)>>> = Mutex::new(BTreeMap::new());
    let min_length = match settings::current(&state.app).await {
        Ok(now) => now.password_min_length,
        Err(_) => state.app.settings.password_min_length,
    };
    if let Some(done) = RENDERED.lock().unwrap_or_else(|e| e.into_inner()).get(&min_length) {
        return done.clone();
    }
    let (doc, json) = BASE.get_or_init(|| {
        let doc = document();
        let json = document_json(&doc);
        (doc, json)
    });
    let mut json = json.clone();
    schemas::password_min_length(&mut json, min_length);
    let done = Arc::new((serde_json::to_string_pretty(&json).expect("the OpenAPI document serializes"), page::page(doc, &json)));
    RENDERED.lock().unwrap_or_else(|e| e.into_inner()).insert(min_length, done.clone());
    done
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Gatehouse REST API",
        description = "The registry, XNAT and Gatehouse paths for scripts (CONTRACTS.md). A request with an \
            `Authorization` header is judged by it alone; without one the session cookie counts. JSON errors \
            are `{\"error\": \"...\"}`; XNAT's paths (`/data`, `/REST`) answer theirs as plain text. The Leptos \
            server functions under `/api/` are the pages' internal calls and are not part of this API."
    ),
    components(schemas(ErrorBody))
)]
struct Base;

/// Every REST operation the router serves, with the statuses its layers add.
pub fn document() -> OpenApi {
    let router = OpenApiRouter::<ServerState>::with_openapi(Base::openapi())
        .merge(registry::api())
        .merge(quota::api())
        .merge(orgs::api())
        .merge(xapi::api())
        .merge(tokens::access_api())
        .merge(tokens::alias_api())
        .merge(service_keys::api())
        .merge(audit::api())
        .merge(features::api())
        .nest("/data", xnat::api())
        .nest("/REST", xnat::api())
        .merge(files::api())
        .routes(routes!(admin_export::export_users))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::serve))
        .merge(api());
    let mut doc = router.into_openapi();
    finish(&mut doc);
    doc
}

/// Every documented (method, path), methods in lower case.
pub fn operations(doc: &OpenApi) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in &doc.paths.paths {
        let mut item = item.clone();
        for (method, name) in METHODS {
            if operation_mut(&mut item, &method).is_some() {
                out.push((name.to_string(), path.clone()));
            }
        }
    }
    out
}

/// An operation id from its method and path: `get /users/{user}/meta` is
/// `get_users_user_meta` (the `/data` and `/REST` copies differ by prefix).
fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<String> = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("{method}_{}", words.join("_"))
}

/// Fills in what every operation shares: ids, summaries, the error bodies
/// (JSON `{"error"}`, or plain text where XNAT clients read them), the
/// statuses the layers answer on any path, and the security schemes.
fn finish(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, name) in METHODS {
            let Some(op) = operation_mut(item, &method) else { continue };
            op.operation_id = Some(operation_id(name, path));
            summarize(op);
            add_layer_statuses(op, path, name);
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme("basic", SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)));
    let mut bearer = Http::new(HttpAuthScheme::Bearer);
    bearer.bearer_format = Some("a JWT from POST /users/authenticate, or a personal access token gh_pat_…".into());
    components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "gatehouse_session",
            "The browser's session (`__Host-gatehouse_session` on https). XNAT paths also read `JSESSIONID`.",
        ))),
    );
    let none: [&str; 0] = [];
    doc.security = Some(["basic", "bearer", "session"].into_iter().map(|s| SecurityRequirement::new(s, none)).collect());
}

/// utoipa takes a doc comment's first line as the summary; make it the
/// first paragraph, and keep a description only when there is more.
fn summarize(op: &mut Operation) {
    let Some(text) = op.description.take() else { return };
    let mut paragraphs = text.split("\n\n");
    let first = paragraphs.next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
    let rest = paragraphs.collect::<Vec<_>>().join("\n\n");
    op.summary = Some(first);
    op.description = (!rest.trim().is_empty()).then_some(rest);
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Json,
    Text,
}

fn error_content(format: Format) -> (&'static str, Content) {
    match format {
        Format::Json => ("application/json", Content::new(Some(RefOr::<Schema>::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody"))))),
        Format::Text => ("text/plain", Content::new(Some(String::schema()))),
    }
}

fn default_description(status: &str) -> &'static str {
    match status {
        "400" => "Invalid input: the message names the field or the problem",
        "401" => "Not signed in, or a credential that does not work",
        "403" => "Not allowed",
        "404" => "No such thing (or not visible to the caller)",
        "409" => "Conflict",
        "413" => "Request body too large",
        "415" => "Unsupported content type",
        "429" => "Too many attempts: wait `Retry-After` seconds",
        _ => "Error",
    }
}

/// The statuses an operation can get besides its handler's own: a wrong
/// credential (401) or too many failed ones (429) on any path, a refused
/// cross-site request (403) on any state-changing one, a body over 1 MiB
/// (413), for bodies and queries the extractors' 400 and 415, a NUL in any
/// query parameter's 400 (in the layers' format), and for a path with parameters a control character's 404. Errors
/// with no body yet get the handler's format: plain text from the XNAT
/// handlers, `{"error"}` JSON from all others; the layers answer plain text
/// on XNAT paths, except the CSRF check.
fn add_layer_statuses(op: &mut Operation, path: &str, method: &str) {
    let handler = if op.tags.as_ref().is_some_and(|t| t.iter().any(|t| t == "xnat")) { Format::Text } else { Format::Json };
    let layers = if is_xnat_path(path) { Format::Text } else { Format::Json };
    let has_body = op.request_body.is_some();
    let has_query = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter().any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
    });
    let mut wanted: Vec<(&str, Format)> = vec![("401", layers), ("401", handler), ("429", layers)];
    if !matches!(method, "get" | "head" | "options") {
        wanted.push(("403", Format::Json));
    }
    if has_body {
        wanted.extend([("400", handler), ("415", handler), ("413", handler)]);
    }
    // The files routes stream past the 1 MiB layer.
    if !path.starts_with("/files/") {
        wanted.push(("413", layers));
    }
    if has_query {
        wanted.push(("400", handler));
    }
    // `text_guard` refuses a NUL in any query parameter, documented or not.
    wanted.push(("400", layers));
    // A path parameter holding a control character names nothing (`text_guard`).
    if path.contains('{') {
        wanted.push(("404", layers));
    }
    // The errors the handler annotations list get the handler's body.
    let listed: Vec<String> = op.responses.responses.keys().filter(|s| s.as_str() >= "400").cloned().collect();
    let wanted = wanted.into_iter().map(|(s, f)| (s.to_string(), f)).chain(listed.into_iter().map(|s| (s, handler)));
    for (status, format) in wanted {
        let entry = op
            .responses
            .responses
            .entry(status.clone())
            .or_insert_with(|| RefOr::T(Response::new(default_description(&status))));
        let RefOr::T(response) = entry else { continue };
        let (media, content) = error_content(format);
        if !response.content.contains_key(media) {
            response.content.insert(media.to_string(), content);
        }
        if status == "429" && !response.headers.contains_key("retry-after") {
            let mut h = utoipa::openapi::header::Header::new(i64::schema());
            h.description = Some("Seconds to wait".into());
            response.headers.insert("retry-after".into(), h);
        }
    }
}

/// The document as served: [`document`] with the input rules of
/// `model::validate` as schema constraints, form bodies without `null`
/// (a form cannot carry one), and links from what a response creates to
/// the operations that use it. (utoipa 5 writes a link's `operationId` in
/// snake case, so links are added here.)
pub fn document_json(doc: &OpenApi) -> Value {
    let mut json = serde_json::to_value(doc).expect("the OpenAPI document serializes");
    schemas::constrain(&mut json);
    schemas::no_nul_in_requests(&mut json);
    schemas::forms_without_null(&mut json);
    add_links(&mut json);
    json
}

/// Links from what a response creates to the operations that use it, so a
/// client (and schemathesis' stateful phase) can follow them.
fn add_links(doc: &mut Value) {
    let user_ops = ["put_users_user", "delete_users_user", "get_users_user_storage", "get_users_user_meta", "get_users_user_orgs"];
    let mut links: Vec<(String, &str, &str, Vec<String>, Value)> = vec![
        ("/users".into(), "post", "201", user_ops.iter().map(|s| s.to_string()).collect(), json!({"user": "$response.body#/userName"})),
        ("/orgs".into(), "post", "201", vec!["get_orgs_slug".into(), "put_orgs_slug".into(), "delete_orgs_slug".into()], json!({"slug": "$response.body#/slug"})),
        ("/users/roles".into(), "post", "201", vec!["delete_users_roles_role".into()], json!({"role": "$response.body#/roleName"})),
        ("/api/tokens".into(), "post", "201", vec!["delete_api_tokens_id".into()], json!({"id": "$response.body#/id"})),
        (
            "/files/{project}/{dataset}/{file}".into(),
            "put",
            "201",
            ["get", "patch", "delete"].iter().map(|m| format!("{m}_files_project_dataset_file")).collect(),
            json!({"project": "$request.path.project", "dataset": "$request.path.dataset", "file": "$response.body#/name"}),
        ),
    ];
    for prefix in XNAT_PREFIXES {
        let targets = ["validate", "invalidate"]
            .iter()
            .map(|op| operation_id("get", &format!("{prefix}/services/tokens/{op}/{{alias}}/{{secret}}")))
            .collect();
        links.push((format!("{prefix}/services/tokens/issue"), "get", "200", targets, json!({"alias": "$response.body#/alias", "secret": "$response.body#/secret"})));
        let project = |m: &str, p: &str| operation_id(m, &format!("{prefix}{p}"));
        let targets = vec![project("get", "/projects/{id}"), project("get", "/projects/{id}/users"), project("get", "/projects/{id}/accessibility"), project("delete", "/projects/{id}")];
        links.push((format!("{prefix}/projects/{{id}}"), "put", "201", targets, json!({"id": "$request.path.id"})));
    }
    for (path, method, status, targets, parameters) in links {
        let pointer = format!("/paths/{}/{method}/responses/{status}", path.replace('~', "~0").replace('/', "~1"));
        let Some(response) = doc.pointer_mut(&pointer) else { continue };
        for target in targets {
            response["links"][target.as_str()] = json!({"operationId": target, "parameters": parameters});
        }
    }
}
