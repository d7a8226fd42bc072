//! `/admin`: the admin panel's front page.

use crate::api::admin::admin_overview;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| admin_overview());
    view! {
        <Title text="Admin · Gatehouse"/>
        <h1>"Admin"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <section class="card" aria-labelledby="overview-title">
                            <h2 id="overview-title">"Site overview"</h2>
                            <dl class="figures">
                                <div><dt>"Users"</dt><dd>{o.users}</dd></div>
                                <div><dt>"Enabled admins"</dt><dd>{o.enabled_admins}</dd></div>
                                <div><dt>"Active sessions"</dt><dd>{o.live_sessions}</dd></div>
                                <div><dt>"Database"</dt><dd>{o.database.clone()}</dd></div>
                            </dl>
                            <p>"User, role, session and settings management open here as they are added. "
                               "Until then, the command line manages admins: "
                               <code>"gatehouse create-admin NAME"</code>" and "
                               <code>"gatehouse reset-password NAME"</code>"."</p>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
