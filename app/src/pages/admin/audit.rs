//! `/admin/audit`: the audit log, newest first, with filters (kept in the
//! URL, as a GET form), a page cursor, and CSV export of the filtered set.

use super::AdminNav;
use crate::api::audit::audit_log;
use crate::components::audit_table::AuditTable;
use crate::components::loaded::load;
use crate::model::url::query_string;
use crate::model::*;
use crate::components::forms::Pager;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let q = params.read();
        let get = |key: &str| q.get(key).filter(|v| !v.is_empty());
        AuditQuery {
            from: get("from"),
            to: get("to"),
            actor: get("actor"),
            action: get("action"),
            target: get("target"),
            ip: get("ip"),
            q: get("q"),
            after: get("after"),
        }
    });
    let page = load(move || query.get(), audit_log);
    let href = move |prefix: &str, extra: &[(&'static str, String)]| {
        let mut pairs = query.get().filter_pairs();
        pairs.extend(extra.iter().cloned());
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("{prefix}?{}", query_string(&refs))
    };
    view! {
        <Title text="Audit log · Admin · Gatehouse"/>
        <AdminNav current="/admin/audit"/>
        <div class="page-head">
            <h1>"Audit log"</h1>
            <div class="actions">
                <a href=move || href("/api/audit", &[("format", "csv".to_string())]) download="gatehouse-audit.csv" rel="external">"Export CSV"</a>
            </div>
        </div>
        <AuditFilters query/>
        <Transition fallback=|| view! { <p>"Loading events…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <div class="empty card">
                            <p><strong>"No events match."</strong></p>
                            <p>"Widen the time range or clear a filter. Sign-ins, account changes, tokens and settings changes appear here as they happen."</p>
                        </div>
                    }.into_any(),
                    Ok(p) => view! {
                        <AuditTable items=p.items/>
                        <Pager start=query.get_untracked().after.is_some().then(|| href("/admin/audit", &[])) start_label="Newest"
                            next=p.next.map(|cursor| href("/admin/audit", &[("after", cursor)])) next_label="Older events"/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One labelled filter input, showing the value the URL holds.
#[component]
fn FilterInput(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "")] placeholder: &'static str,
    value: Signal<String>,
) -> impl IntoView {
    let id = format!("audit-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type=kind name=name placeholder=placeholder prop:value=value/>
        </div>
    }
}

#[component]
fn AuditFilters(query: Memo<AuditQuery>) -> impl IntoView {
    let text = move |pick: fn(&AuditQuery) -> &Option<String>| Signal::derive(move || pick(&query.get()).clone().unwrap_or_default());
    view! {
        <Form method="GET" action="/admin/audit">
            <div class="filters" role="search">
                <FilterInput label="From" name="from" kind="date" value=text(|q| &q.from)/>
                <FilterInput label="To (inclusive)" name="to" kind="date" value=text(|q| &q.to)/>
                <FilterInput label="Actor" name="actor" placeholder="username, anonymous, system" value=text(|q| &q.actor)/>
                <div class="field">
                    <label for="audit-action">"Action"</label>
                    <select id="audit-action" name="action">
                        <option value="">"Any action"</option>
                        {AUDIT_ACTIONS.iter().map(|name| view! {
                            <option value=*name selected=move || query.get().action.as_deref() == Some(*name)>{name.replace('_', " ")}</option>
                        }).collect_view()}
                    </select>
                </div>
                <FilterInput label="Target" name="target" placeholder="username, project, setting" value=text(|q| &q.target)/>
                <FilterInput label="Address" name="ip" placeholder="192.0.2.10" value=text(|q| &q.ip)/>
                <FilterInput label="Text in details" name="q" kind="search" value=text(|q| &q.q)/>
                <button type="submit">"Apply"</button>
                <a href="/admin/audit">"Clear"</a>
            </div>
        </Form>
    }
}
