//! The input rules as schema constraints: each pattern is built from the
//! rule `app::model::validate` checks with (`tests` runs samples through
//! both), and the doors' own rules (NUL, forms, XNAT's words) are here.

use crate::rest::body::bool_like;
use crate::rest::xnat_prefixes::is_xnat_path;
use app::model::validate::{self, EMAIL_MAX, ROLE_NAME, SLUG, USERNAME, WHITESPACE_CLASS};
use app::model::{AUDIT_ACTIONS, PASSWORD_MAX_LENGTH};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Not only white space (`validate::required`); no text holds a NUL (`text_guard`).
fn non_blank() -> String {
    format!(r"^[^\x00]*[^{WHITESPACE_CLASS}\x00][^\x00]*$")
}
/// Any text without a NUL, which `text_guard` refuses in every field read.
const NO_NUL: &str = r"^[^\x00]*$";
/// `from`/`to` of the audit log: a date, a UTC time, or Unix milliseconds.
const AUDIT_TIME: &str = r"^((19[7-9][0-9]|20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z)?|[0-9]{1,15})$";
/// An XNAT group as `PUT /data/projects/{ID}/users/{group}/{login}` takes it.
const BUILT_IN_ROLE: &str = r"^([Aa][Dd][Mm][Ii][Nn]|[Uu][Ss][Ee][Rr]|[Aa][Ll][Ll]_[Dd][Aa][Tt][Aa]_[Aa][Cc][Cc][Ee][Ss][Ss])$";
const GROUP: &str = r"^([Oo][Ww][Nn][Ee][Rr]|[Mm][Ee][Mm][Bb][Ee][Rr]|[Cc][Oo][Ll][Ll][Aa][Bb][Oo][Rr][Aa][Tt][Oo][Rr])[Ss]?$";

fn accessibilities() -> Value {
    json!(["public", "protected", "private"])
}

/// The two password fields' lengths: the minimum is a site setting, so the
/// document as built says only what any site allows, and as served
/// ([`password_min_length`]) the minimum in force.
fn password_lengths() -> Value {
    json!({"minLength": 1, "maxLength": PASSWORD_MAX_LENGTH,
        "description": format!("At least the site's minimum password length (a setting, 1 to {PASSWORD_MAX_LENGTH}), and not a common password")})
}

/// The password fields as served: at least `min_length` characters, the site's setting now.
pub(super) fn password_min_length(doc: &mut Value, min_length: usize) {
    for pointer in ["/components/schemas/CreateUserRequest/properties/password", "/components/schemas/ChangePasswordRequest/properties/newPassword"] {
        if let Some(field) = doc.pointer_mut(pointer).and_then(Value::as_object_mut) {
            field.insert("minLength".into(), json!(min_length));
            field.insert("description".into(), json!(format!("At least {min_length} characters (the site's setting now), at most {PASSWORD_MAX_LENGTH}, and not a common password")));
        }
    }
}

pub(super) fn constrain(doc: &mut Value) {
    let (username, role, slug, email, file_name) =
        (USERNAME.pattern(), ROLE_NAME.pattern(), SLUG.pattern(), validate::email_pattern(), validate::item_name_pattern());
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
    set("CreateUserRequest", "userName", json!({"pattern": username}));
    set("CreateUserRequest", "password", password_lengths());
    set("CreateUserRequest", "email", json!({"pattern": email, "maxLength": EMAIL_MAX}));
    set("CreateUserRequest", "roles", json!({"items": {"type": "string", "pattern": role}}));
    set("UpdateUserRequest", "email", json!({"pattern": format!("^$|{email}"), "maxLength": EMAIL_MAX, "description": "Empty removes it"}));
    set("UpdateUserRequest", "roles", json!({"items": {"type": "string", "pattern": role}}));
    set("AuthenticateRequest", "username", json!({"pattern": non_blank()}));
    set("AuthenticateRequest", "password", json!({"pattern": non_blank()}));
    set("ChangePasswordRequest", "newPassword", password_lengths());
    set("RoleRequest", "roleName", json!({"pattern": role}));
    set("OrgRequest", "name", json!({"pattern": non_blank(), "maxLength": 200}));
    set("OrgRequest", "accessibility", json!({"enum": accessibilities()}));
    set("ProjectFields", "accessibility", json!({"enum": accessibilities()}));
    set("ProjectFields", "name", json!({"pattern": non_blank()}));
    set("NewAccessToken", "name", json!({"pattern": validate::token_name_pattern()}));
    set("NewAccessToken", "expires_days", json!({"enum": [30, 90, 365, null], "description": "Days; `null` or absent: never (when the site allows it)"}));
    set("ServiceKeyValue", "value", json!({"pattern": validate::service_key_value_pattern(), "description": format!("One line, at most {} bytes", validate::SERVICE_KEY_VALUE_MAX)}));
    set("ChangeBody", "key", json!({"pattern": non_blank()}));
    set("Rename", "name", json!({"pattern": file_name}));
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
        p["pattern"] = json!(slug);
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
                    ("path", "id") if is_xnat_path(path) => json!({"pattern": slug}),
                    ("path", "project") => json!({"pattern": slug}),
                    ("path", "dataset" | "file") => json!({"pattern": file_name}),
                    ("path", "value") => json!({"enum": accessibilities()}),
                    ("path", "group") => json!({"pattern": GROUP}),
                    // The built-in roles cannot be deleted (400).
                    ("path", "role") => json!({"pattern": role, "not": {"pattern": BUILT_IN_ROLE}}),
                    ("path", "login") => json!({"pattern": non_blank()}),
                    ("query", "accessibility") => json!({"enum": accessibilities()}),
                    ("query", "name") if is_xnat_path(path) => json!({"pattern": non_blank()}),
                    // An empty filter is no filter.
                    ("query", "from" | "to") if path == "/api/audit" => json!({"pattern": format!("^$|{AUDIT_TIME}")}),
                    ("query", "action") if path == "/api/audit" => {
                        json!({"enum": std::iter::once("").chain(AUDIT_ACTIONS.iter().copied()).collect::<Vec<_>>()})
                    }
                    ("query", "after") if path == "/api/audit" => json!({"pattern": r"^$|^[1-9][0-9]{0,14}$"}),
                    ("query", "after") if path == "/api/admin/tokens" => json!({"pattern": r"^$|^[0-9]{1,15}~[0-9]{1,15}$"}),
                    ("query", "format") if path == "/api/audit" => json!({"enum": ["json", "csv"]}),
                    ("query", "format") => json!({"pattern": "^([Jj][Ss][Oo][Nn]|[Cc][Ss][Vv])$"}),
                    ("query", "user" | "feature") if path == "/api/features/check" => {
                        param["required"] = json!(true);
                        json!({"pattern": non_blank()})
                    }
                    ("query", "group") if path.ends_with("/services/features") => {
                        param["required"] = json!(true);
                        json!({"pattern": non_blank()})
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
pub(super) fn no_nul_in_requests(doc: &mut Value) {
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
pub(super) fn forms_without_null(doc: &mut Value) {
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
            if map.get("pattern").and_then(Value::as_str) == Some(bool_like::WORDS) {
                map.insert("pattern".into(), json!(bool_like::WORDS_NON_EMPTY));
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
