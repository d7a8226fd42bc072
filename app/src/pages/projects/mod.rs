//! `/projects`: the projects the caller may see with their role in each,
//! a form to start one, and the caller's access requests.

pub mod dataset;
pub mod features;
pub mod people;
pub mod project;
pub mod settings;

use crate::api::{projects::*, access_requests::*};
use crate::components::forms::{day_of, field_error, form_error, posts_to, reload_to, BoundField, FormError, Select, TextArea};
use crate::components::loaded::load;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;

const NEW_FIELDS: &[&str] = &["slug", "name", "description", "accessibility"];

/// The badge (style/base.css) of a project's accessibility.
pub(crate) fn access_badge(access: Accessibility) -> impl IntoView {
    let kind = match access {
        Accessibility::Public => "ok",
        Accessibility::Protected => "warn",
        Accessibility::Private => "off",
    };
    view! { <span class=format!("badge {kind}")>{access.as_str()}</span> }
}

/// The badge of an access request's status.
fn request_badge(status: RequestStatus, text: String) -> impl IntoView {
    let kind = match status {
        RequestStatus::Approved => "ok",
        RequestStatus::Pending => "warn",
        RequestStatus::Denied => "off",
    };
    view! { <span class=format!("badge {kind}")>{text}</span> }
}

/// The projects table, shared with Admin → Projects.
#[component]
pub fn ProjectTable(projects: Vec<ProjectSummary>, #[prop(optional)] caption: &'static str) -> impl IntoView {
    view! {
        <table class="projects">
            <caption class="visually-hidden">{if caption.is_empty() { "Projects" } else { caption }}</caption>
            <thead><tr>
                <th scope="col">"Project"</th><th scope="col">"Access"</th><th scope="col">"My role"</th>
                <th scope="col">"Owner"</th><th scope="col" class="num">"Users"</th><th scope="col" class="num">"Datasets"</th>
            </tr></thead>
            <tbody>
                {projects.into_iter().map(|p| view! {
                    <tr>
                        <td>
                            <a href=format!("/projects/{}", p.slug)>{p.name.clone()}</a>
                            <span class="muted">{format!(" ({})", p.slug)}</span>
                            {(!p.description.is_empty()).then(|| view! { <p class="muted small">{p.description.clone()}</p> })}
                        </td>
                        <td>{access_badge(p.accessibility)}</td>
                        <td>{p.my_role.map(|r| r.group()).unwrap_or("—")}</td>
                        <td>{p.owner.clone().unwrap_or_else(|| "—".into())}</td>
                        <td class="num">{p.member_count}</td>
                        <td class="num">{p.dataset_count}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let projects = load(|| (), |_| list_projects());
    let requests = load(|| (), |_| my_access_requests());
    view! {
        <Title text="Projects · Gatehouse"/>
        <h1>"Projects"</h1>
        <p>"Projects you are in, public projects, and protected projects you can ask to join."</p>
        <Transition fallback=|| view! { <p>"Loading projects…"</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"No projects yet. Start one with the form below, or ask a colleague to invite you to theirs."</p>
                    }.into_any(),
                    Ok(list) => view! { <ProjectTable projects=list/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                requests.await.ok().filter(|r| !r.is_empty()).map(|list| view! { <MyRequests list/> })
            })}
        </Transition>
        <NewProjectForm/>
    }
}

#[component]
pub(crate) fn MyRequests(list: Vec<AccessRequestInfo>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="my-requests">
            <h2 id="my-requests">"My access requests"</h2>
            <table>
                <caption class="visually-hidden">"My access requests"</caption>
                <thead><tr><th scope="col">"Project"</th><th scope="col">"Asked on"</th><th scope="col">"Status"</th><th scope="col">"Note"</th></tr></thead>
                <tbody>
                    {list.into_iter().map(|r| {
                        let status = match (r.status, r.role) {
                            (RequestStatus::Approved, Some(role)) => format!("approved: {}", role.group()),
                            (status, _) => status.as_str().to_string(),
                        };
                        view! {
                            <tr>
                                <td><a href=format!("/projects/{}", r.project_slug)>{r.project_name.clone()}</a></td>
                                <td>{day_of(r.created_at)}</td>
                                <td>{request_badge(r.status, status)}</td>
                                <td>{r.reason.clone().unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn NewProjectForm() -> impl IntoView {
    let (slug, name, description) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let accessibility = RwSignal::new("private".to_string());
    let create = ServerAction::<CreateProject>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(project)) = create.value().get() {
            reload_to(&format!("/projects/{}", project.slug));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateProject {
            slug: slug.get_untracked(),
            name: name.get_untracked(),
            description: description.get_untracked(),
            accessibility: accessibility.get_untracked(),
        });
    };
    let choices = Accessibility::ALL.map(|a| (a.as_str(), a.choice())).to_vec();
    view! {
        <form class="card" action={posts_to::<CreateProject>()} method="post" on:submit=submit novalidate aria-labelledby="new-project">
            <h2 id="new-project">"New project"</h2>
            <FormError message=form_error(error, NEW_FIELDS)/>
            <BoundField label="Project id" id="slug" value=slug required=true
                hint="2 to 64 letters, digits, _ or -; used in links and scripts, and cannot be changed later."
                error=field_error(error, "slug")/>
            <BoundField label="Name" id="name" value=name hint="Defaults to the id." error=field_error(error, "name")/>
            <TextArea label="Description (optional)" id="description" value=description error=field_error(error, "description")/>
            <Select label="Who can see it" id="accessibility".to_string() value=accessibility options=choices error=field_error(error, "accessibility")/>
            <button type="submit" disabled=move || create.pending().get()>"Create project"</button>
        </form>
    }
}
