//! The REST door's OpenAPI 3.1 document, from the handlers' own operations
//! (not the server functions: the pages' internal RPC), at `/api-docs/openapi.json` and `/api-docs`.

use super::{admin_export, audit, features, files, health, orgs, registry, service_keys, tokens, xapi, xnat, ErrorBody};
use super::xnat_prefixes::XNAT_PREFIXES;
use crate::ServerState;
use axum::response::{Html, IntoResponse};
use axum::Router;
use http::header;
use std::collections::BTreeSet;
use std::fmt::Write;
use serde_json::{json, Value};
use std::sync::OnceLock;
use utoipa::openapi::path::{HttpMethod, Operation};
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
        let json = document_json(&doc);
        (serde_json::to_string_pretty(&json).expect("the OpenAPI document serializes"), page(&doc, &json))
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
        .routes(routes!(crate::metrics::serve))
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
    super::xnat_prefixes::is_xnat_path(path)
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
    constrain(&mut json);
    no_nul_in_requests(&mut json);
    forms_without_null(&mut json);
    add_links(&mut json);
    json
}

// The rules of `app::model::validate` (and the services), as patterns.
const USERNAME: &str = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,49}$";
const ROLE: &str = r"^[A-Za-z0-9._-]{2,50}$";
const SLUG: &str = r"^[A-Za-z0-9][A-Za-z0-9_-]{1,63}$";
const EMAIL: &str = r"^[^\s@\x00]+@[^\s@.\x00]+(\.[^\s@.\x00]+)+$";
/// Not only white space; no text holds a NUL (`text_guard`).
const NON_BLANK: &str = r"^[^\x00]*[^\s\x00][^\x00]*$";
/// Any text without a NUL, which `text_guard` refuses in every field read.
const NO_NUL: &str = r"^[^\x00]*$";
/// Dataset and file names: no slash or control character, not `.` or `..`
/// (here: not starting with a dot), at most 200 characters.
const FILE_NAME: &str = r"^[^/\x00-\x1f\x7f.][^/\x00-\x1f\x7f]{0,199}$";
/// `from`/`to` of the audit log: a date, a UTC time, or Unix milliseconds.
const AUDIT_TIME: &str = r"^((19[7-9][0-9]|20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z)?|[0-9]{1,15})$";
/// An XNAT group as `PUT /data/projects/{ID}/users/{group}/{login}` takes it.
const BUILT_IN_ROLE: &str = r"^([Aa][Dd][Mm][Ii][Nn]|[Uu][Ss][Ee][Rr]|[Aa][Ll][Ll]_[Dd][Aa][Tt][Aa]_[Aa][Cc][Cc][Ee][Ss][Ss])$";
const GROUP: &str = r"^([Oo][Ww][Nn][Ee][Rr]|[Mm][Ee][Mm][Bb][Ee][Rr]|[Cc][Oo][Ll][Ll][Aa][Bb][Oo][Rr][Aa][Tt][Oo][Rr])[Ss]?$";

fn accessibilities() -> Value {
    json!(["public", "protected", "private"])
}

fn constrain(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    let mut set = |schema: &str, property: &str, rule: Value| {
        let target = schemas.pointer_mut(&format!("/{schema}/properties/{property}")).and_then(Value::as_object_mut);
        if let (Some(target), Value::Object(mut rule)) = (target, rule) {
            // An optional field may be `null`, whatever values it lists.
            let nullable = target.get("type").and_then(Value::as_array).is_some_and(|t| t.iter().any(|t| t == "null"));
            if let (true, Some(values)) = (nullable, rule.get_mut("enum").and_then(Value::as_array_mut)) {
                if !values.contains(&Value::Null) {
                    values.push(Value::Null);
                }
            }
            target.extend(rule);
        }
    };
    set("CreateUserRequest", "userName", json!({"pattern": USERNAME}));
    set("CreateUserRequest", "password", json!({"minLength": 8, "maxLength": 128}));
    set("CreateUserRequest", "email", json!({"pattern": EMAIL, "maxLength": 254}));
    set("CreateUserRequest", "roles", json!({"items": {"type": "string", "pattern": ROLE}}));
    set("UpdateUserRequest", "email", json!({"pattern": format!("^$|{}", EMAIL), "maxLength": 254, "description": "Empty removes it"}));
    set("UpdateUserRequest", "roles", json!({"items": {"type": "string", "pattern": ROLE}}));
    set("AuthenticateRequest", "username", json!({"pattern": NON_BLANK}));
    set("AuthenticateRequest", "password", json!({"pattern": NON_BLANK}));
    set("ChangePasswordRequest", "newPassword", json!({"minLength": 8, "maxLength": 128}));
    set("RoleRequest", "roleName", json!({"pattern": ROLE}));
    set("OrgRequest", "name", json!({"pattern": NON_BLANK, "maxLength": 200}));
    set("OrgRequest", "accessibility", json!({"enum": accessibilities()}));
    set("ProjectFields", "accessibility", json!({"enum": accessibilities()}));
    set("ProjectFields", "name", json!({"pattern": NON_BLANK}));
    set("NewAccessToken", "name", json!({"pattern": NON_BLANK, "maxLength": 100}));
    set("NewAccessToken", "expires_days", json!({"enum": [30, 90, 365, null], "description": "Days; `null` or absent: never (when the site allows it)"}));
    set("ServiceKeyValue", "value", json!({"pattern": NON_BLANK}));
    set("ChangeBody", "key", json!({"pattern": NON_BLANK}));
    set("Rename", "name", json!({"pattern": FILE_NAME}));
    for (schema, required) in [
        ("CreateUserRequest", json!(["userName", "password"])),
        ("AuthenticateRequest", json!(["username", "password"])),
        ("ChangePasswordRequest", json!(["newPassword"])),
        ("RoleRequest", json!(["roleName"])),
        ("NewAccessToken", json!(["name"])),
        ("ServiceKeyValue", json!(["value"])),
        ("ChangeBody", json!(["key"])),
        ("Rename", json!(["name"])),
    ] {
        if let Some(schema) = schemas.get_mut(schema) {
            for property in required.as_array().into_iter().flatten().filter_map(Value::as_str) {
                if let Some(p) = schema.pointer_mut(&format!("/properties/{property}")) {
                    strip_null(p);
                }
            }
            schema["required"] = required;
        }
    }
    // Exactly one of `banned` and `enabled`, and neither as `null`.
    if let Some(change) = schemas.get_mut("ChangeBody") {
        change["oneOf"] = json!([{"required": ["banned"]}, {"required": ["enabled"]}]);
        for property in ["banned", "enabled"] {
            if let Some(p) = change.pointer_mut(&format!("/properties/{property}")) {
                strip_null(p);
            }
        }
    }
    // POST /orgs needs what PUT may leave out.
    let mut new_org = schemas["OrgRequest"].clone();
    new_org["required"] = json!(["slug"]);
    if let Some(p) = new_org.pointer_mut("/properties/slug") {
        strip_null(p);
        p["pattern"] = json!(SLUG);
    }
    // A new project's blank name is its slug.
    if let Some(p) = new_org.pointer_mut("/properties/name").and_then(Value::as_object_mut) {
        p.remove("pattern");
    }
    schemas["NewOrgRequest"] = new_org;
    if let Some(body) = doc.pointer_mut("/paths/~1orgs/post/requestBody/content").and_then(Value::as_object_mut) {
        for content in body.values_mut() {
            content["schema"] = json!({"$ref": "#/components/schemas/NewOrgRequest"});
        }
    }

    let schemas_required: BTreeSet<String> = doc["components"]["schemas"]
        .as_object()
        .map(|all| all.iter().filter(|(_, s)| s["required"].as_array().is_some_and(|r| !r.is_empty())).map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            // An empty body with no content type reads as `{}` (so it is
            // needed only where a field is required, and for metadata).
            if let Some(body) = op.get_mut("requestBody").and_then(Value::as_object_mut) {
                let needs_fields = body
                    .get("content")
                    .and_then(|c| c.get("application/json"))
                    .and_then(|c| c.pointer("/schema/$ref"))
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .is_some_and(|name| schemas_required.contains(name));
                body.insert("required".into(), json!(needs_fields || (path.ends_with("/meta") && method == "post")));
            }
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else { continue };
            for param in params {
                let name = param["name"].as_str().unwrap_or_default().to_string();
                let place = param["in"].as_str().unwrap_or_default().to_string();
                let rule = match (place.as_str(), name.as_str()) {
                    ("path", "id") if is_xnat_path(path) => json!({"pattern": SLUG}),
                    ("path", "project") => json!({"pattern": SLUG}),
                    ("path", "dataset" | "file") => json!({"pattern": FILE_NAME}),
                    ("path", "value") => json!({"enum": accessibilities()}),
                    ("path", "group") => json!({"pattern": GROUP}),
                    // The built-in roles cannot be deleted (400).
                    ("path", "role") => json!({"pattern": ROLE, "not": {"pattern": BUILT_IN_ROLE}}),
                    ("path", "login") => json!({"pattern": NON_BLANK}),
                    ("query", "accessibility") => json!({"enum": accessibilities()}),
                    ("query", "name") if is_xnat_path(path) => json!({"pattern": NON_BLANK}),
                    // An empty filter is no filter.
                    ("query", "from" | "to") if path == "/api/audit" => json!({"pattern": format!("^$|{AUDIT_TIME}")}),
                    ("query", "action") if path == "/api/audit" => {
                        json!({"enum": std::iter::once("").chain(app::model::AUDIT_ACTIONS.iter().copied()).collect::<Vec<_>>()})
                    }
                    ("query", "after") if path == "/api/audit" => json!({"pattern": r"^$|^[1-9][0-9]{0,14}$"}),
                    ("query", "after") if path == "/api/admin/tokens" => json!({"pattern": r"^$|^[0-9]{1,15}~[0-9]{1,15}$"}),
                    ("query", "format") if path == "/api/audit" => json!({"enum": ["json", "csv"]}),
                    ("query", "format") => json!({"pattern": "^([Jj][Ss][Oo][Nn]|[Cc][Ss][Vv])$"}),
                    ("query", "user" | "feature") if path == "/api/features/check" => {
                        param["required"] = json!(true);
                        json!({"pattern": NON_BLANK})
                    }
                    ("query", "group") if path.ends_with("/services/features") => {
                        param["required"] = json!(true);
                        json!({"pattern": NON_BLANK})
                    }
                    _ => continue,
                };
                if let (Some(schema), Value::Object(rule)) = (param["schema"].as_object_mut(), rule) {
                    // A nullable type stays nullable only where `null` can be sent: nowhere in a URL.
                    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
                        types.retain(|t| t != "null");
                    }
                    schema.extend(rule);
                }
            }
        }
    }
}

/// Every string a request can carry that has no rule of its own excludes
/// NUL: the schemas, the request bodies and the parameters (not the
/// responses, nor inside a `not`).
fn no_nul_in_requests(doc: &mut Value) {
    fn walk(schema: &mut Value) {
        match schema {
            Value::Object(map) => {
                let is_string = match map.get("type") {
                    Some(Value::String(t)) => t == "string",
                    Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
                    _ => false,
                };
                let free = ["pattern", "enum", "const", "format", "$ref"].iter().all(|k| !map.contains_key(*k));
                if is_string && free {
                    map.insert("pattern".into(), json!(NO_NUL));
                }
                for (key, value) in map.iter_mut() {
                    if key != "not" && key != "example" && key != "examples" && key != "default" {
                        walk(value);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas") {
        walk(schemas);
    }
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut() {
            if let Some(body) = op.get_mut("requestBody") {
                walk(body);
            }
            if let Some(params) = op.get_mut("parameters") {
                walk(params);
            }
        }
    }
}

/// Form bodies get their schema inlined without `null`: a form has no way to send one.
fn forms_without_null(doc: &mut Value) {
    let schemas = doc["components"]["schemas"].clone();
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for op in item.values_mut() {
            let Some(form) = op.pointer_mut("/requestBody/content/application~1x-www-form-urlencoded/schema") else { continue };
            let mut inlined = match form["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
                Some(name) => schemas[name].clone(),
                None => form.clone(),
            };
            strip_null(&mut inlined);
            if inlined.get("oneOf").is_some() {
                form_bool_words(&mut inlined);
            }
            form_empty_is_absent(&mut inlined);
            *form = inlined;
        }
    }
}

/// A form's empty value reads as absent, so where a yes/no word must be
/// present (the `oneOf` of `required`s) it cannot be empty.
fn form_bool_words(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.get("pattern").and_then(Value::as_str) == Some(super::body::bool_like::WORDS) {
                map.insert("pattern".into(), json!(super::body::bool_like::WORDS_NON_EMPTY));
            }
            map.values_mut().for_each(form_bool_words);
        }
        Value::Array(items) => items.iter_mut().for_each(form_bool_words),
        _ => {}
    }
}

/// In a form an empty value reads as absent: a field that may be left out
/// may also be sent empty.
fn form_empty_is_absent(schema: &mut Value) {
    let required: BTreeSet<String> =
        schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect();
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else { return };
    for (name, property) in properties.iter_mut() {
        if required.contains(name) {
            continue;
        }
        if let Some(pattern) = property.get("pattern").and_then(Value::as_str).map(str::to_owned) {
            property["pattern"] = json!(format!("^$|{pattern}"));
        }
        if let Some(values) = property.get_mut("enum").and_then(Value::as_array_mut) {
            if !values.contains(&json!("")) {
                values.push(json!(""));
            }
        }
    }
}

fn strip_null(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(types) = map.get_mut("type").and_then(Value::as_array_mut) {
                types.retain(|t| t != "null");
            }
            if let Some(values) = map.get_mut("enum").and_then(Value::as_array_mut) {
                values.retain(|v| !v.is_null());
            }
            if let Some(options) = map.get_mut("oneOf").and_then(Value::as_array_mut) {
                options.retain(|o| o.get("type").and_then(Value::as_str) != Some("null"));
            }
            map.values_mut().for_each(strip_null);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
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

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The document as HTML: one section per path and method, with its
/// parameters, bodies and answers. No script and no inline style, so the
/// site's strict CSP applies unchanged.
fn page(doc: &OpenApi, json: &Value) -> String {
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
    if let Some(schemas) = json["components"]["schemas"].as_object() {
        out.push_str("<h2>Schemas</h2>\n");
        for (name, schema) in schemas {
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
