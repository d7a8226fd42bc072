//! `/account/activity`: My account → Security activity — the user's own
//! sign-ins (and refused attempts on their account), sign-outs, sessions
//! ended, password changes, tokens and keys, newest first.

use crate::api::audit::security_activity;
use crate::components::audit_table::AuditTable;
use crate::components::forms::Pager;
use crate::components::loaded::load;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SecurityActivityPage() -> impl IntoView {
    let params = use_query_map();
    let after = Memo::new(move |_| params.read().get("after").filter(|a| !a.is_empty()));
    let page = load(move || after.get(), security_activity);
    view! {
        <Title text="Security activity · Gatehouse"/>
        <p><a href="/account">"← My account"</a></p>
        <h1>"Security activity"</h1>
        <p>"Sign-ins to your account (and attempts that were refused), sessions ended, password changes, and tokens and keys made or revoked. "
           "If something here was not you, change your password and revoke your sessions on "<a href="/account">"My account"</a>"."</p>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <div class="empty card"><p><strong>"Nothing yet."</strong></p><p>"Your next sign-in will be the first entry."</p></div>
                    }.into_any(),
                    Ok(p) => view! {
                        <AuditTable items=p.items show_actor=true/>
                        <Pager start=after.get_untracked().map(|_| "/account/activity".to_string()) start_label="Newest"
                            next=p.next.map(|cursor| format!("/account/activity?after={cursor}")) next_label="Older"/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
