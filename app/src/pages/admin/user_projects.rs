//! The "Project access" part of an admin's user page: the user's projects
//! and groups, granting access to a project with a group, and removing it.

use crate::api::{projects::*, project_members::*};
use crate::components::forms::{FormError, Select, GROUP_OPTIONS};
use crate::components::loaded::load;
use crate::model::AppError;
use leptos::prelude::*;

#[component]
pub fn UserProjects(username: String) -> impl IntoView {
    let set = ServerAction::<SetProjectMember>::new();
    let remove = ServerAction::<RemoveProjectMember>::new();
    let user = username.clone();
    let theirs = load(move || (user.clone(), set.version().get() + remove.version().get()), |(u, _)| projects_of_user(u));
    let all = load(|| (), |_| list_projects());
    let (project, role) = (RwSignal::new(String::new()), RwSignal::new("member".to_string()));
    let error = Signal::derive(move || {
        [set.value().get().map(|r| r.map(|_| ())), remove.value().get()].into_iter().flatten().find_map(Result::err)
    });
    let (grant_user, remove_user) = (username.clone(), username.clone());
    let grant = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set.dispatch(SetProjectMember { slug: project.get_untracked(), user: grant_user.clone(), role: role.get_untracked() });
    };
    view! {
        <section class="card" aria-labelledby="projects-title">
            <h2 id="projects-title">"Project access"</h2>
            <FormError message=Signal::derive(move || error.get().map(|e: AppError| e.message()))/>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let remove_user = remove_user.clone();
                    Suspend::new(async move {
                        match theirs.await {
                            Ok(list) if list.is_empty() => view! { <p class="empty">"Not in any project yet. Grant access below."</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="plain-list">
                                    {list.into_iter().map(|p| {
                                        let (slug, user) = (p.slug.clone(), remove_user.clone());
                                        view! {
                                            <li>
                                                <a href=format!("/projects/{}/users", p.slug)>{p.name.clone()}</a>
                                                {format!(" — {}", p.my_role.map(|r| r.group()).unwrap_or("—"))}" "
                                                <button type="button" class="plain" on:click=move |_| {
                                                    remove.dispatch(RemoveProjectMember { slug: slug.clone(), username: user.clone() });
                                                }>{format!("Remove from {}", p.slug)}</button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
            <Transition fallback=|| ()>
                {move || {
                    let grant = grant.clone();
                    Suspend::new(async move {
                    let projects = all.await.unwrap_or_default();
                    if projects.is_empty() {
                        return view! { <p class="muted">"There are no projects to grant yet."</p> }.into_any();
                    }
                    if project.get_untracked().is_empty() {
                        project.set(projects[0].slug.clone());
                    }
                    view! {
                        <form class="inline-form" on:submit=grant>
                            <div class="field">
                                <label for="grant_project">"Project"</label>
                                <select id="grant_project" on:change=move |ev| project.set(event_target_value(&ev))>
                                    {projects.into_iter().map(|p| view! { <option value=p.slug.clone()>{format!("{} ({})", p.name, p.slug)}</option> }).collect_view()}
                                </select>
                            </div>
                            <Select label="Group" id="grant_role".to_string() value=role options=GROUP_OPTIONS.to_vec()/>
                            <button type="submit" disabled=move || set.pending().get()>"Grant access"</button>
                        </form>
                    }.into_any()
                    })
                }}
            </Transition>
        </section>
    }
}
