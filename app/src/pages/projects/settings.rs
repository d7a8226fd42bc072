//! `/projects/:slug/settings`: name, description and accessibility (with
//! the stale-edit check), and deleting the project after a confirmation.

use super::project::WithProject;
use crate::api::projects::*;
use crate::components::forms::{field_error, form_error, posted, posts_to, reload_to, BoundField, FormError, Select, TextArea};
use crate::model::*;
use leptos::prelude::*;

#[component]
pub fn ProjectSettingsPage() -> impl IntoView {
    view! { <WithProject tab="settings" body=|d| view! { <Settings detail=d/> }/> }
}

#[component]
fn Settings(detail: ProjectDetail) -> impl IntoView {
    if !detail.rights.manage {
        return view! { <p class="form-error" role="alert">"Project owner access required"</p> }.into_any();
    }
    let p = detail.summary.clone();
    let (name, description) = (RwSignal::new(p.name.clone()), RwSignal::new(p.description.clone()));
    let accessibility = RwSignal::new(p.accessibility.as_str().to_string());
    let version = RwSignal::new(detail.version);
    let save = ServerAction::<UpdateProject>::new();
    let delete = ServerAction::<DeleteProject>::new();
    let confirm = RwSignal::new(false);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = RwSignal::new(posted("saved").is_some());
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            version.update(|v| *v += 1);
            saved.set(true);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            reload_to("/projects");
        }
    });
    let slug = p.slug.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        save.dispatch(UpdateProject {
            slug: slug.clone(),
            name: name.get_untracked(),
            description: description.get_untracked(),
            accessibility: accessibility.get_untracked(),
            version: version.get_untracked(),
        });
    };
    let choices = Accessibility::ALL.map(|a| (a.as_str(), a.choice())).to_vec();
    let slug = p.slug.clone();
    view! {
        <form class="card" action={posts_to::<UpdateProject>()} method="post" on:submit=submit novalidate aria-labelledby="settings-title">
            <h2 id="settings-title">"Settings"</h2>
            <input type="hidden" name="slug" value=p.slug.clone()/>
            <input type="hidden" name="version" value=detail.version/>
            {move || saved.get().then(|| view! { <p class="notice" role="status">"Saved."</p> })}
            <FormError message=form_error(error, &["name", "description", "accessibility"])/>
            <BoundField label="Name" id="project_name" name="name" value=name required=true error=field_error(error, "name")/>
            <TextArea label="Description" id="project_description" name="description" value=description error=field_error(error, "description")/>
            <Select label="Who can see it" id="project_accessibility".to_string() name="accessibility" value=accessibility options=choices error=field_error(error, "accessibility")/>
            <button type="submit" disabled=move || save.pending().get()>"Save settings"</button>
        </form>
        <section class="card danger-zone" aria-labelledby="delete-title">
            <h2 id="delete-title">"Delete this project"</h2>
            <p>{format!("Deleting {} removes its {} dataset(s) with all their files, and its {} user link(s). It cannot be undone.", p.slug, p.dataset_count, p.member_count)}</p>
            {move || delete.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })}
            {move || if confirm.get() {
                let slug = slug.clone();
                view! {
                    <div class="confirm" role="alertdialog" aria-labelledby="confirm-delete">
                        <p id="confirm-delete"><strong>{format!("Delete {} and all its data?", slug)}</strong></p>
                        <div class="actions">
                            <button type="button" class="danger" on:click=move |_| { delete.dispatch(DeleteProject { slug: slug.clone() }); }>{"Delete for good"}</button>
                            <button type="button" class="plain" on:click=move |_| confirm.set(false)>"Cancel"</button>
                        </div>
                    </div>
                }.into_any()
            } else {
                view! { <button type="button" class="danger" on:click=move |_| confirm.set(true)>"Delete project…"</button> }.into_any()
            }}
        </section>
    }
    .into_any()
}
