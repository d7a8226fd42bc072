//! `/admin/roles`: site roles, creating and deleting custom ones.

use super::AdminNav;
use crate::api::roles::{list_roles, CreateRole, DeleteRole};
use crate::components::forms::{field_error, form_error, posts_to, BoundField, FormError};
use crate::components::loaded::load;
use crate::model::RoleInfo;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminRolesPage() -> impl IntoView {
    let create = ServerAction::<CreateRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    let roles = load(move || (create.version().get(), delete.version().get()), |_| list_roles());
    let name = RwSignal::new(String::new());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = create.value().get() {
            name.set(String::new());
        }
    });
    let pending_delete: RwSignal<Option<RoleInfo>> = RwSignal::new(None);
    view! {
        <Title text="Roles · Admin · Gatehouse"/>
        <AdminNav current="/admin/roles"/>
        <h1>"Site roles"</h1>
        <p>"Built-in roles: "<strong>"admin"</strong>" (Site Manager), "<strong>"user"</strong>
           " (every ordinary account) and "<strong>"all_data_access"</strong>" (reads every project's data). "
           "Custom roles can be given to users and used by other systems."</p>
        {move || delete.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })}
        <Transition fallback=|| view! { <p>"Loading roles…"</p> }>
            {move || Suspend::new(async move {
                match roles.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="roles">
                            <caption class="visually-hidden">"Site roles"</caption>
                            <thead><tr><th scope="col">"Role"</th><th scope="col">"Kind"</th><th scope="col" class="num">"Users"</th><th scope="col">"Actions"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|role| {
                                    let target = role.clone();
                                    view! {
                                        <tr>
                                            <td>{role.name.clone()}</td>
                                            <td>{if role.builtin { "built-in" } else { "custom" }}</td>
                                            <td class="num">{role.holders}</td>
                                            <td>{(!role.builtin).then(|| view! {
                                                <button type="button" class="plain" on:click=move |_| pending_delete.set(Some(target.clone()))>
                                                    {format!("Delete {}", role.name)}
                                                </button>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Transition>
        {move || pending_delete.get().map(|role| {
            let role_name = role.name.clone();
            view! {
                <div class="confirm card" role="alertdialog" aria-labelledby="confirm-role">
                    <p id="confirm-role"><strong>{format!("Delete the role {}?", role.name)}</strong></p>
                    <p>{format!("{} user(s) hold it; they will lose it.", role.holders)}</p>
                    <div class="actions">
                        <button type="button" class="danger" on:click=move |_| {
                            delete.dispatch(DeleteRole { role_name: role_name.clone(), force: true });
                            pending_delete.set(None);
                        }>{format!("Delete {}", role.name)}</button>
                        <button type="button" class="plain" on:click=move |_| pending_delete.set(None)>"Cancel"</button>
                    </div>
                </div>
            }
        })}
        <form class="card" action={posts_to::<CreateRole>()} method="post" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            create.dispatch(CreateRole { role_name: name.get_untracked() });
        }>
            <h2>"New role"</h2>
            <FormError message=form_error(error, &["role_name"])/>
            <BoundField label="Role name" id="role_name" value=name required=true
                hint="2 to 50 letters, digits, dots, underscores or hyphens." error=field_error(error, "role_name")/>
            <button type="submit" disabled=move || create.pending().get()>"Create role"</button>
        </form>
    }
}
