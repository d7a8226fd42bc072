//! The admin panel: `/admin` (overview) and its sections, one module each.

pub mod audit;
pub mod credentials;
pub mod features;
pub mod projects;
pub mod outbox;
pub mod roles;
pub mod security;
pub mod sessions;
pub mod statistics;
pub mod settings;
pub mod user_edit;
pub mod user_import;
pub mod user_projects;
pub mod users;

use crate::api::admin::admin_overview;
use crate::components::loaded::load;
use leptos::prelude::*;
use leptos_meta::Title;

/// The admin sections, shown at the top of every admin page.
#[component]
pub fn AdminNav(current: &'static str) -> impl IntoView {
    let sections = [
        ("/admin", "Overview"),
        ("/admin/users", "Users"),
        ("/admin/projects", "Projects"),
        ("/admin/roles", "Roles"),
        ("/admin/sessions", "Sessions"),
        ("/admin/keys", "API keys"),
        ("/admin/features", "Features"),
        ("/admin/settings", "Settings"),
        ("/admin/security", "Security"),
        ("/admin/statistics", "Statistics"),
        ("/admin/audit", "Audit log"),
        ("/admin/outbox", "Outbox"),
    ];
    view! {
        <nav class="tabs" aria-label="Admin sections">
            <ul>
                {sections
                    .into_iter()
                    .map(|(href, label)| {
                        let here = (href == current).then_some("page");
                        view! { <li><a href=href aria-current=here>{label}</a></li> }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let overview = load(|| (), |_| admin_overview());
    view! {
        <Title text="Admin · Gatehouse"/>
        <AdminNav current="/admin"/>
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
                            <p>"Manage "<a href="/admin/users">"users"</a>" and "<a href="/admin/roles">"site roles"</a>". "
                               "From a shell on the server: "
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
