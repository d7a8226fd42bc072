//! The audit events table shared by Admin → Audit log and My account →
//! Security activity; each row opens to its details.

use crate::components::data_table::DataTable;
use crate::model::AuditEntry;
use leptos::prelude::*;

/// A readable line for an event's particulars (`{"door":"form"}` → `door: form`).
fn summary(details: &serde_json::Value) -> String {
    let Some(map) = details.as_object() else { return String::new() };
    map.iter()
        .filter(|(key, _)| key.as_str() != "changed")
        .map(|(key, value)| match value {
            serde_json::Value::String(s) => format!("{key}: {s}"),
            other => format!("{key}: {other}"),
        })
        .chain(map.get("changed").and_then(|c| c.as_object()).map(|c| {
            let fields: Vec<String> = c
                .iter()
                .map(|(field, change)| match (change.get("old"), change.get("new")) {
                    (Some(old), Some(new)) => format!("{field} {old} → {new}"),
                    _ => field.clone(),
                })
                .collect();
            format!("changed: {}", fields.join(", "))
        }))
        .collect::<Vec<_>>()
        .join("; ")
}

#[component]
pub fn AuditTable(items: Vec<AuditEntry>, #[prop(default = true)] show_actor: bool) -> impl IntoView {
    let head = view! {
        <th scope="col">"Time (UTC)"</th>
        {show_actor.then(|| view! { <th scope="col">"Actor"</th> })}
        <th scope="col">"Action"</th>
        <th scope="col">"Target"</th>
        <th scope="col">"Address"</th>
        <th scope="col">"Details"</th>
    };
    view! {
        <DataTable class="audit" caption="Audit events, newest first" head>
            {items.into_iter().map(|entry| view! { <AuditRow entry show_actor/> }).collect_view()}
        </DataTable>
    }
}

/// One event, its particulars folded into a `<details>`.
#[component]
fn AuditRow(entry: AuditEntry, show_actor: bool) -> impl IntoView {
    let e = entry;
    let line = summary(&e.details);
    let full = serde_json::to_string_pretty(&e.details).unwrap_or_default();
    // Never an empty text node: hydration cannot find one that SSR left out.
    let target = match (e.target.is_empty(), e.target_kind.is_empty()) {
        (true, _) => "—".to_string(),
        (false, true) => e.target.clone(),
        (false, false) => format!("{} {}", e.target_kind.replace('_', " "), e.target),
    };
    view! {
        <tr>
            <td class="date">{e.at.replace('T', " ").replace('Z', "")}</td>
            {show_actor.then(|| view! { <td>{e.actor.clone()}</td> })}
            <td><code>{e.action.clone()}</code></td>
            <td>{target}</td>
            <td>{e.ip.clone().filter(|ip| !ip.is_empty()).unwrap_or_else(|| "—".into())}</td>
            <td>
                <details>
                    <summary>{if line.is_empty() { "More".to_string() } else { line }}</summary>
                    <pre class="audit-details">{full}</pre>
                    <dl class="audit-extra">
                        <dt>"User agent"</dt><dd>{e.user_agent.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>"Request id"</dt><dd><code>{e.request_id.clone().unwrap_or_else(|| "—".into())}</code></dd>
                        <dt>"Event id"</dt><dd>{e.id}</dd>
                    </dl>
                </details>
            </td>
        </tr>
    }
}
