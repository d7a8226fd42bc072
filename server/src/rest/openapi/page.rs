//! The OpenAPI document as one HTML page, for a reader without tools.

use super::methods::{operation_mut, METHODS};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write;
use utoipa::openapi::{Content, OpenApi, RefOr};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The document as HTML: one section per path and method, with its
/// parameters, bodies and answers. No script and no inline style, so the
/// site's strict CSP applies unchanged.
pub(super) fn page(doc: &OpenApi, json: &Value) -> String {
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
