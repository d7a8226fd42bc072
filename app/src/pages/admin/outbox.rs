//! `/admin/outbox`: every email the site sent or will send, newest first,
//! with delivery state; a message's text opens on request.

use super::AdminNav;
use crate::api::outbox::{list_outbox, outbox_body};
use crate::components::data_table::DataTable;
use crate::components::forms::Pager;
use crate::components::loaded::load;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use crate::model::OutboxItem;

#[component]
pub fn AdminOutboxPage() -> impl IntoView {
    let query = use_query_map();
    let before = Memo::new(move |_| query.read().get("before").and_then(|b| b.parse::<i64>().ok()));
    let page = load(move || before.get(), list_outbox);
    let open: RwSignal<Option<i64>> = RwSignal::new(None);
    view! {
        <Title text="Outbox · Admin · Gatehouse"/>
        <AdminNav current="/admin/outbox"/>
        <h1>"Outbox"</h1>
        <Transition fallback=|| view! { <p>"Loading messages…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                    Ok(p) => view! {
                        {if p.smtp_configured {
                            view! { <p>"Messages are delivered over SMTP. Failed deliveries are retried with growing waits; each row shows its attempts and the last error."</p> }.into_any()
                        } else {
                            view! { <p class="notice" role="note"><strong>"No SMTP server is configured: "</strong>"messages are not sent; they wait here. Set "<code>"smtp_url"</code>" (GATEHOUSE_SMTP_URL) to deliver them, or pass a link on to its recipient yourself."</p> }.into_any()
                        }}
                        {if p.items.is_empty() {
                            view! { <div class="empty card"><p><strong>"No messages yet."</strong></p><p>"Registration, password reset and approval emails appear here as soon as the site sends them."</p></div> }.into_any()
                        } else {
                            view! { <OutboxTable items=p.items open/> }.into_any()
                        }}
                        <Pager start=before.get_untracked().map(|_| "/admin/outbox".to_string()) start_label="Newest"
                            next=p.next.map(|cursor| format!("/admin/outbox?before={cursor}")) next_label="Older messages"/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OutboxTable(items: Vec<OutboxItem>, open: RwSignal<Option<i64>>) -> impl IntoView {
    let head = view! {
        <th scope="col">"Created"</th>
        <th scope="col">"To"</th>
        <th scope="col">"Subject"</th>
        <th scope="col">"Status"</th>
        <th scope="col" class="num">"Attempts"</th>
        <th scope="col">"Last error"</th>
    };
    let row = move |m: OutboxItem| {
        let id = m.id;
        view! {
            <tr>
                <td class="date">{m.created.replace('T', " ").replace('Z', " UTC")}</td>
                <td>{m.to.clone()}</td>
                <td>
                    <button type="button" class="link" aria-expanded=move || (open.get() == Some(id)).to_string()
                        on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>
                        {m.subject.clone()}
                    </button>
                    {move || (open.get() == Some(id)).then(|| view! { <MessageBody id/> })}
                </td>
                <td><span class=format!("badge {}", status_kind(&m.status))>{m.status.clone()}</span></td>
                <td class="num">{m.attempts}</td>
                <td>{m.last_error.clone().unwrap_or_default()}</td>
            </tr>
        }
    };
    view! {
        <DataTable class="outbox" caption="Outgoing email" head>
            {items.into_iter().map(row).collect_view()}
        </DataTable>
    }
}

fn status_kind(status: &str) -> &'static str {
    match status {
        "sent" => "ok",
        "failed" => "off",
        _ => "warn",
    }
}

#[component]
fn MessageBody(id: i64) -> impl IntoView {
    let body = load(move || id, outbox_body);
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match body.await {
                    Ok(text) => view! { <pre class="mail-body" aria-label="Message text">{text}</pre> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
