//! `/projects/:slug`: a project's header and tabs, its datasets, and the
//! "Request access" form for signed-in users who are not in it.

use crate::api::{projects::*, access_requests::*, data::*};
use crate::components::forms::{field_error, form_error, human_bytes, posts_to, BoundField, FormError, TextArea};
use crate::components::loaded::load;
use crate::model::*;
use crate::model::url;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The `:slug` of the current route.
pub fn slug_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("slug").unwrap_or_default())
}

/// Loads the project for a tab and renders `body` with it, or the refusal.
#[component]
pub fn WithProject<V: IntoView + 'static>(tab: &'static str, body: fn(ProjectDetail) -> V) -> impl IntoView {
    let slug = slug_param();
    let detail = load(move || slug.get(), load_project);
    view! {
        <Transition fallback=|| view! { <p>"Loading project…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! {
                        <Title text="Project · Gatehouse"/>
                        <h1>"Project"</h1>
                        <p class="form-error" role="alert">{e.message()}</p>
                        <p><a href="/projects">"Back to projects"</a></p>
                    }.into_any(),
                    Ok(d) => view! { <ProjectHeader detail=d.clone() tab/> {body(d)} }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProjectHeader(detail: ProjectDetail, tab: &'static str) -> impl IntoView {
    let p = &detail.summary;
    let base = format!("/projects/{}", p.slug);
    let mut tabs = vec![(base.clone(), "Data", "data")];
    if p.my_role.is_some() || detail.rights.manage {
        tabs.push((format!("{base}/users"), "Users", "users"));
    }
    if detail.rights.manage {
        tabs.push((format!("{base}/settings"), "Settings", "settings"));
        tabs.push((format!("{base}/features"), "Features", "features"));
    }
    let browsing_as_guest = p.my_role.is_none() && detail.rights.read && !detail.rights.create && !detail.rights.request_access;
    let role = match p.my_role {
        Some(r) => format!("You are in {}.", r.group()),
        None if browsing_as_guest => "You are browsing as a guest: sign in to add data.".to_string(),
        None => "You are not in this project.".to_string(),
    };
    view! {
        <Title text=format!("{} · Projects · Gatehouse", p.name)/>
        <p class="breadcrumb"><a href="/projects">"Projects"</a>" / "{p.slug.clone()}</p>
        <h1>{p.name.clone()}</h1>
        <p>
            {super::access_badge(p.accessibility)}" "
            <span class="muted">{p.accessibility.explain()}". "{role}</span>
        </p>
        {(!p.description.is_empty()).then(|| view! { <p>{p.description.clone()}</p> })}
        <nav class="tabs" aria-label="Project sections">
            <ul>
                {tabs.into_iter().map(|(href, label, key)| {
                    let here = (key == tab).then_some("page");
                    view! { <li><a href=href aria-current=here>{label}</a></li> }
                }).collect_view()}
            </ul>
        </nav>
    }
}

#[component]
pub fn ProjectPage() -> impl IntoView {
    view! { <WithProject tab="data" body=|d| view! { <DataTab detail=d/> }/> }
}

#[component]
fn DataTab(detail: ProjectDetail) -> impl IntoView {
    if !detail.rights.read {
        return view! { <RequestAccess detail/> }.into_any();
    }
    let slug = detail.summary.slug.clone();
    let create = ServerAction::<CreateDataset>::new();
    let datasets = load(move || (slug.clone(), create.version().get()), |(slug, _)| list_datasets(slug));
    let slug = detail.summary.slug.clone();
    view! {
        <h2>"Datasets"</h2>
        <Transition fallback=|| view! { <p>"Loading datasets…"</p> }>
            {move || {
                let slug = slug.clone();
                Suspend::new(async move {
                    match datasets.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">{if detail.rights.create { "No datasets yet. Create the first one below, then upload files into it." } else { "No datasets yet." }}</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <table>
                                <caption class="visually-hidden">"Datasets"</caption>
                                <thead><tr><th scope="col">"Dataset"</th><th scope="col" class="num">"Files"</th><th scope="col" class="num">"Size"</th><th scope="col">"Created by"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|d| view! {
                                        <tr>
                                            <td>
                                                <a href=format!("/projects/{}/datasets/{}", slug, url::encode_query_value(&d.name))>{d.name.clone()}</a>
                                                {(!d.description.is_empty()).then(|| view! { <p class="muted small">{d.description.clone()}</p> })}
                                            </td>
                                            <td class="num">{d.file_count}</td>
                                            <td class="num">{human_bytes(d.total_bytes)}</td>
                                            <td>{d.created_by.clone().unwrap_or_else(|| "—".into())}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })
            }}
        </Transition>
        {detail.rights.create.then(|| view! { <NewDataset slug=detail.summary.slug.clone() create/> })}
    }
    .into_any()
}

#[component]
fn NewDataset(slug: String, create: ServerAction<CreateDataset>) -> impl IntoView {
    let (name, description) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
            description.set(String::new());
        }
    });
    let submit = {
        let slug = slug.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            create.dispatch(CreateDataset { slug: slug.clone(), name: name.get_untracked(), description: description.get_untracked() });
        }
    };
    view! {
        <form class="card" action={posts_to::<CreateDataset>()} method="post" on:submit=submit novalidate aria-labelledby="new-dataset">
            <h2 id="new-dataset">"New dataset"</h2>
            <input type="hidden" name="slug" value=slug/>
            <FormError message=form_error(error, &["name", "description"])/>
            <BoundField label="Dataset name" id="dataset_name" name="name" value=name required=true error=field_error(error, "name")/>
            <TextArea label="Description (optional)" id="dataset_description" name="description" value=description error=field_error(error, "description")/>
            <button type="submit" disabled=move || create.pending().get()>"Create dataset"</button>
        </form>
    }
}

#[component]
fn RequestAccess(detail: ProjectDetail) -> impl IntoView {
    let message = RwSignal::new(String::new());
    let request = ServerAction::<RequestAccess>::new();
    let error = Signal::derive(move || request.value().get().and_then(Result::err));
    let sent = Signal::derive(move || detail.pending_request || matches!(request.value().get(), Some(Ok(()))));
    let slug = detail.summary.slug.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        request.dispatch(RequestAccess { slug: slug.clone(), message: message.get_untracked() });
    };
    view! {
        <section class="card" aria-labelledby="request-title">
            <h2 id="request-title">"Data"</h2>
            {move || if sent.get() {
                view! { <p class="notice" role="status">"Your request is waiting for the project's owners. You will get an email when they decide; "<a href="/projects">"My access requests"</a>" shows where it stands."</p> }.into_any()
            } else if detail.rights.request_access {
                view! {
                    <form action={posts_to::<RequestAccess>()} method="post" on:submit=submit.clone() novalidate>
                        <input type="hidden" name="slug" value=detail.summary.slug.clone()/>
                        <p>"You need a role in this project to see its data. Ask its owners:"</p>
                        <FormError message=form_error(error, &["message"])/>
                        <TextArea label="Message to the owners (optional)" id="request_message" name="message" value=message
                            hint="Say who you are and why you need access." error=field_error(error, "message")/>
                        <button type="submit" disabled=move || request.pending().get()>"Request access"</button>
                    </form>
                }.into_any()
            } else {
                view! { <p>"You need a role in this project to see its data; ask one of its owners to add you."</p> }.into_any()
            }}
        </section>
    }
}
