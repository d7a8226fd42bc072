//! `/admin/projects`: every project on the site, whoever can see it.

use super::AdminNav;
use crate::api::projects::list_projects;
use crate::components::loaded::load;
use crate::pages::projects::ProjectTable;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminProjectsPage() -> impl IntoView {
    let projects = load(|| (), |_| list_projects());
    view! {
        <Title text="Projects · Admin · Gatehouse"/>
        <AdminNav current="/admin/projects"/>
        <h1>"All projects"</h1>
        <p>"Admins manage any project's users and settings without being in it. Grant a user access from their edit page, or open a project."</p>
        <Transition fallback=|| view! { <p>"Loading projects…"</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No projects yet. Anyone signed in can start one at "<a href="/projects">"Projects"</a>"."</p> }.into_any(),
                    Ok(list) => view! { <ProjectTable projects=list caption="All projects"/> }.into_any(),
                }
            })}
        </Transition>
    }
}
