//! `/admin/sessions`: every live session, or one user's; revoke one or all.

use super::AdminNav;
use crate::components::session_list::SessionList;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminSessionsPage() -> impl IntoView {
    let query = use_query_map();
    let user = Memo::new(move |_| query.read().get("user").map(|u| u.trim().to_string()).filter(|u| !u.is_empty()));
    view! {
        <Title text="Sessions · Admin · Gatehouse"/>
        <AdminNav current="/admin/sessions"/>
        <h1>"Active sessions"</h1>
        <Form method="GET" action="/admin/sessions">
            <div class="filters" role="search">
                <div class="field">
                    <label for="session-user">"User"</label>
                    <input id="session-user" type="search" name="user" placeholder="Username" prop:value=move || user.get().unwrap_or_default()/>
                </div>
                <button type="submit">"Show"</button>
            </div>
        </Form>
        {move || match user.get() {
            Some(name) => view! { <SessionList username=Some(name)/> }.into_any(),
            None => view! { <SessionList username=None all=true/> }.into_any(),
        }}
    }
}
