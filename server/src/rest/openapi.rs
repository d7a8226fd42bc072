//! The REST door's OpenAPI 3.1 document, made from the handlers' own
//! `#[utoipa::path]` operations (the Leptos server functions under `/api/`
//! are the pages' internal RPC and are left out), served at
//! `/api-docs/openapi.json` and as a plain page at `/api-docs`.

use super::{admin_export, audit, features, files, health, orgs, registry, service_keys, tokens, xapi, xnat, ErrorBody};
use crate::ServerState;
use axum::response::{Html, IntoResponse};
use axum::Router;
use http::header;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::sync::OnceLock;
use utoipa::openapi::path::{HttpMethod, Operation, Paths};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::{Content, OpenApi, RefOr, Response, Schema};
use utoipa::{OpenApi as _, PartialSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

/// The two prefixes every XNAT path is served under.
pub const XNAT_PREFIXES: [&str; 2] = ["/data", "/REST"];

/// Routes one handler (and documents it) under both XNAT prefixes.
pub fn under_xnat_prefixes<S>((schemas, paths, router): UtoipaMethodRouter<S>) -> UtoipaMethodRouter<S> {
    let mut prefixed = Paths::new();
    for (path, item) in paths.paths {
        for prefix in XNAT_PREFIXES {
            prefixed.paths.insert(format!("{prefix}{path}"), item.clone());
        }
    }
    (schemas, prefixed, router)
}

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
async fn openapi_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], rendered().0.as_str())
}

/// The document as a readable page.
#[utoipa::path(get, path = "/api-docs", tag = "documentation", security(()),
    responses((status = 200, body = String, content_type = "text/html")))]
async fn docs_page() -> impl IntoResponse {
    Html(rendered().1.as_str())
}

fn rendered() -> &'static (String, String) {
    static RENDERED: OnceLock<(String, String)> = OnceLock::new();
    RENDERED.get_or_init(|| {
        let doc = document();
        (doc.to_pretty_json().expect("the OpenAPI document serializes"), page(&doc))
    })
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
        .merge(api());
    let mut doc = router.into_openapi();
    finish(&mut doc);
    doc
}

const METHODS: [(HttpMethod, &str); 8] = [
    (HttpMethod::Get, "get"),
    (HttpMethod::Put, "put"),
    (HttpMethod::Post, "post"),
    (HttpMethod::Delete, "delete"),
    (HttpMethod::Options, "options"),
    (HttpMethod::Head, "head"),
    (HttpMethod::Patch, "patch"),
    (HttpMethod::Trace, "trace"),
];

fn operation_mut<'a>(item: &'a mut utoipa::openapi::PathItem, method: &HttpMethod) -> Option<&'a mut Operation> {
    match method {
        HttpMethod::Get => item.get.as_mut(),
        HttpMethod::Put => item.put.as_mut(),
        HttpMethod::Post => item.post.as_mut(),
        HttpMethod::Delete => item.delete.as_mut(),
        HttpMethod::Options => item.options.as_mut(),
        HttpMethod::Head => item.head.as_mut(),
        HttpMethod::Patch => item.patch.as_mut(),
        HttpMethod::Trace => item.trace.as_mut(),
    }
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

fn is_xnat_path(path: &str) -> bool {
    crate::middleware::is_xnat_path(path)
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
    add_links(doc);
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
/// (413), and for bodies and queries the extractors' 400 and 415. Errors
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

/// Links from what a response creates to the operations that use it, so a
/// client (and schemathesis' stateful phase) can follow them.
fn add_links(doc: &mut OpenApi) {
    let user_ops = ["put_users_user", "delete_users_user", "get_users_user_storage", "get_users_user_meta", "get_users_user_orgs"];
    let mut links: Vec<(&str, &str, &str, Vec<&str>, Vec<(&str, &str)>)> = vec![
        ("/users", "post", "201", user_ops.to_vec(), vec![("user", "$response.body#/userName")]),
        ("/orgs", "post", "201", vec!["get_orgs_slug", "put_orgs_slug", "delete_orgs_slug"], vec![("slug", "$response.body#/slug")]),
        ("/users/roles", "post", "201", vec!["delete_users_roles_role"], vec![("role", "$response.body#/roleName")]),
        ("/api/tokens", "post", "201", vec!["delete_api_tokens_id", "delete_api_admin_tokens_id"], vec![("id", "$response.body#/id")]),
    ];
    for prefix in XNAT_PREFIXES {
        let issue: &'static str = Box::leak(format!("{prefix}/services/tokens/issue").into_boxed_str());
        let ops: Vec<&'static str> = ["validate", "invalidate"]
            .iter()
            .map(|op| &*Box::leak(operation_id("get", &format!("{prefix}/services/tokens/{op}/{{alias}}/{{secret}}")).into_boxed_str()))
            .collect();
        links.push((issue, "get", "200", ops, vec![("alias", "$response.body#/alias"), ("secret", "$response.body#/secret")]));
    }
    links.push((
        "/files/{project}/{dataset}/{file}",
        "put",
        "201",
        vec!["get_files_project_dataset_file", "patch_files_project_dataset_file", "delete_files_project_dataset_file"],
        vec![("project", "$request.path.project"), ("dataset", "$request.path.dataset"), ("file", "$response.body#/name")],
    ));
    for (path, method, status, targets, parameters) in links {
        let Some(item) = doc.paths.paths.get_mut(path) else { continue };
        let Some((m, _)) = METHODS.iter().find(|(_, n)| *n == method) else { continue };
        let Some(op) = operation_mut(item, m) else { continue };
        let Some(RefOr::T(response)) = op.responses.responses.get_mut(status) else { continue };
        for target in targets {
            let mut link = LinkBuilder::new().operation_id(target);
            for (name, value) in &parameters {
                link = link.parameter(*name, *value);
            }
            response.links.insert(target.to_string(), RefOr::T(link.build()));
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The document as HTML: one section per path and method, with its
/// parameters, bodies and answers. No script and no inline style, so the
/// site's strict CSP applies unchanged.
fn page(doc: &OpenApi) -> String {
    let mut out = String::new();
    let title = escape(&doc.info.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\n<main>\n<h1>{title}</h1>\n"
    );
    if let Some(d) = &doc.info.description {
        let _ = writeln!(out, "<p>{}</p>", escape(d));
    }
    let _ = writeln!(
        out,
        "<p>The machine-readable document: <a href=\"/api-docs/openapi.json\">/api-docs/openapi.json</a> (OpenAPI {}). \
         Credentials: HTTP Basic, <code>Authorization: Bearer</code> (a JWT or a personal access token), or the session cookie.</p>",
        escape(&serde_json::to_value(&doc.openapi).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
    );
    let mut tags = BTreeSet::new();
    let mut sections = String::new();
    for (path, item) in &doc.paths.paths {
        let mut item = item.clone();
        for (method, name) in METHODS {
            let Some(op) = operation_mut(&mut item, &method) else { continue };
            let id = op.operation_id.clone().unwrap_or_default();
            if let Some(t) = op.tags.as_ref().and_then(|t| t.first()) {
                tags.insert(t.clone());
            }
            let _ = write!(
                sections,
                "<section id=\"{id}\">\n<h3><code>{} {}</code></h3>\n",
                name.to_ascii_uppercase(),
                escape(path)
            );
            if let Some(s) = &op.summary {
                let _ = writeln!(sections, "<p>{}</p>", escape(s));
            }
            if let Some(d) = &op.description {
                let _ = writeln!(sections, "<p>{}</p>", escape(d));
            }
            if let Some(security) = &op.security {
                if security.iter().any(|s| serde_json::to_value(s).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))) {
                    let _ = writeln!(sections, "<p>No credential needed.</p>");
                }
            }
            if let Some(params) = op.parameters.as_ref().filter(|p| !p.is_empty()) {
                sections.push_str("<table><caption>Parameters</caption><tr><th>name</th><th>in</th><th>required</th><th>description</th></tr>\n");
                for p in params {
                    let place = serde_json::to_value(&p.parameter_in).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                    let required = matches!(p.required, utoipa::openapi::Required::True);
                    let _ = writeln!(
                        sections,
                        "<tr><td><code>{}</code></td><td>{place}</td><td>{}</td><td>{}</td></tr>",
                        escape(&p.name),
                        if required { "yes" } else { "no" },
                        escape(p.description.as_deref().unwrap_or(""))
                    );
                }
                sections.push_str("</table>\n");
            }
            if let Some(body) = &op.request_body {
                let kinds: Vec<String> = body.content.keys().map(|k| format!("<code>{}</code>", escape(k))).collect();
                let _ = writeln!(sections, "<p>Body: {}{}</p>", kinds.join(" or "), schema_names(body.content.values()));
            }
            sections.push_str("<table><caption>Answers</caption><tr><th>status</th><th>meaning</th><th>body</th></tr>\n");
            for (status, response) in &op.responses.responses {
                let RefOr::T(r) = response else { continue };
                let kinds: Vec<String> = r.content.keys().map(|k| format!("<code>{}</code>", escape(k))).collect();
                let _ = writeln!(
                    sections,
                    "<tr><td>{status}</td><td>{}</td><td>{}{}</td></tr>",
                    escape(&r.description),
                    kinds.join(", "),
                    schema_names(r.content.values())
                );
            }
            sections.push_str("</table>\n</section>\n");
        }
    }
    let _ = writeln!(out, "<p>Areas: {}.</p>", tags.iter().map(|t| escape(t)).collect::<Vec<_>>().join(", "));
    let _ = writeln!(out, "<h2>Operations</h2>\n{sections}");
    if let Some(components) = &doc.components {
        out.push_str("<h2>Schemas</h2>\n");
        for (name, schema) in &components.schemas {
            let json = serde_json::to_string_pretty(schema).unwrap_or_default();
            let _ = writeln!(out, "<section id=\"schema-{0}\"><h3>{0}</h3><pre>{1}</pre></section>", escape(name), escape(&json));
        }
    }
    out.push_str("</main>\n</body></html>\n");
    out
}

/// ` (Name, …)` for the named schemas among some contents, linked to their section.
fn schema_names<'a>(contents: impl Iterator<Item = &'a Content>) -> String {
    let mut names = BTreeSet::new();
    for content in contents {
        if let Some(schema) = &content.schema {
            collect_refs(&serde_json::to_value(schema).unwrap_or_default(), &mut names);
        }
    }
    if names.is_empty() {
        return String::new();
    }
    let links: Vec<String> = names.iter().map(|n| format!("<a href=\"#schema-{0}\">{0}</a>", escape(n))).collect();
    format!(" ({})", links.join(", "))
}

fn collect_refs(value: &serde_json::Value, names: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(r)) = map.get("$ref") {
                if let Some(name) = r.strip_prefix("#/components/schemas/") {
                    names.insert(name.to_string());
                }
            }
            map.values().for_each(|v| collect_refs(v, names));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, names)),
        _ => {}
    }
}
