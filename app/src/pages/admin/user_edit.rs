//! `/admin/users/new` (create) and `/admin/users/:username` (edit, enable or
//! disable, unlock, delete).

use super::AdminNav;
use crate::components::loaded::load;
use crate::components::local_accounts::LocalAccountsOnly;
use crate::api::roles::role_names;
use crate::api::users::*;
use crate::components::forms::{field_error, form_error, reload_to, BoundField, Checkbox, Field, FormError, NameChecklist};
use crate::model::*;
use crate::components::reauth::sensitive;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const CREATE_FIELDS: &[&str] = &["username", "display_name", "email", "password", "roles"];
const EDIT_FIELDS: &[&str] = &["display_name", "email", "password", "roles", "max_storage_mb", "metadata", "enabled"];

#[component]
pub fn NewUserPage() -> impl IntoView {
    let roles = load(|| (), |_| role_names());
    view! {
        <Title text="New user · Admin · Gatehouse"/>
        <AdminNav current="/admin/users"/>
        <h1>"New user"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let role_names: Vec<String> = roles.await.unwrap_or_default();
                view! { <NewUserForm role_names/> }
            })}
        </Transition>
    }
}

/// An [`ActionForm`], so it also works as a plain post without JavaScript.
#[component]
fn NewUserForm(role_names: Vec<String>) -> impl IntoView {
    let roles = RwSignal::new(vec!["user".to_string()]);
    let create = sensitive(ServerAction::<CreateUser>::new());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(name)) = create.value().get() {
            reload_to(&format!("/admin/users/{name}?created=1"));
        }
    });
    view! {
        <ActionForm action=create attr:class="card" attr:novalidate=true>
            <FormError message=form_error(error, CREATE_FIELDS)/>
            <Field label="Username" name="username" id="username"
                hint="3 to 50 letters, digits, dots, underscores or hyphens; cannot be changed later."
                error=field_error(error, "username")/>
            <Field label="Display name (optional)" name="display_name" id="display_name" required=false error=field_error(error, "display_name")/>
            <Field label="Email (optional)" name="email" id="email" kind="email" required=false error=field_error(error, "email")/>
            <Field label="Password" name="password" id="password" kind="password" autocomplete="new-password"
                hint="The user can sign in with it at once." error=field_error(error, "password")/>
            <NameChecklist legend="Site roles" names=Signal::derive(move || role_names.clone()) selected=roles
                form_name="roles[]" error=field_error(error, "roles")/>
            <div class="actions">
                <button type="submit" disabled=move || create.pending().get()>"Create user"</button>
                <a href="/admin/users">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn EditUserPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let username = move || params.read().get("username").unwrap_or_default();
    let data = load(username, get_user);
    let notice = RwSignal::new(query.read_untracked().get("created").map(|_| "User created.".to_string()));
    view! {
        <Title text="Edit user · Admin · Gatehouse"/>
        <AdminNav current="/admin/users"/>
        <p><a href="/admin/users">"← All users"</a></p>
        <LocalAccountsOnly>{()}</LocalAccountsOnly>
        {move || notice.get().map(|n| view! { <p class="form-success" role="status">{n}</p> })}
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((edit, facts)) => view! {
                        <EditUserForm edit facts on_saved=move |message: &str| {
                            notice.set(Some(message.to_string()));
                            data.refetch();
                        }/>
                    }.into_any(),
                    Err(e) => view! { <h1>"User"</h1><p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EditUserForm(edit: UserEdit, facts: UserFacts, on_saved: impl Fn(&str) + Copy + Send + Sync + 'static) -> impl IntoView {
    let name = edit.username.clone();
    let version = edit.version;
    let display_name = RwSignal::new(edit.display_name.clone());
    let email = RwSignal::new(edit.email.clone());
    let roles = RwSignal::new(edit.roles.clone());
    let (enabled, verified, approved, non_expiring) =
        (RwSignal::new(edit.enabled), RwSignal::new(edit.verified), RwSignal::new(edit.approved), RwSignal::new(edit.non_expiring));
    let password = RwSignal::new(String::new());
    let max_storage_mb = RwSignal::new(edit.max_storage_mb.clone());
    let metadata = RwSignal::new(edit.metadata.clone());
    let all_roles = facts.all_roles.clone();

    let save = sensitive(ServerAction::<SaveUser>::new());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            on_saved("Changes saved.");
        }
    });
    let submit = {
        let name = name.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save.dispatch(SaveUser {
                edit: UserEdit {
                    username: name.clone(),
                    version,
                    display_name: display_name.get_untracked(),
                    email: email.get_untracked(),
                    roles: roles.get_untracked(),
                    enabled: enabled.get_untracked(),
                    verified: verified.get_untracked(),
                    approved: approved.get_untracked(),
                    non_expiring: non_expiring.get_untracked(),
                    password: password.get_untracked(),
                    max_storage_mb: max_storage_mb.get_untracked(),
                    metadata: metadata.get_untracked(),
                },
            });
        }
    };
    let locked = facts.locked_until.is_some();
    view! {
        <h1>"User " {name.clone()}</h1>
        <div class="two-col">
            <form class="card" on:submit=submit novalidate aria-labelledby="edit-title">
                <h2 id="edit-title">"Account"</h2>
                <FormError message=form_error(error, EDIT_FIELDS)/>
                <BoundField label="Display name" id="display_name" value=display_name error=field_error(error, "display_name")/>
                <BoundField label="Email" id="email" kind="email" value=email error=field_error(error, "email")/>
                <BoundField label="New password" id="password" kind="password" autocomplete="new-password" value=password
                    hint="Leave blank to keep the current password." error=field_error(error, "password")/>
                <NameChecklist legend="Site roles" names=Signal::derive(move || all_roles.clone()) selected=roles
                    error=field_error(error, "roles")/>
                <fieldset class="checklist">
                    <legend>"Flags"</legend>
                    <Checkbox label="Enabled" id="enabled" checked=enabled/>
                    <Checkbox label="Email verified" id="verified" checked=verified/>
                    <Checkbox label="Approved" id="approved" checked=approved/>
                    <Checkbox label="Password never expires" id="non_expiring" checked=non_expiring/>
                    {move || field_error(error, "enabled").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </fieldset>
                <BoundField label="Storage quota (MB)" id="max_storage_mb" value=max_storage_mb
                    hint="Blank means no quota." error=field_error(error, "max_storage_mb")/>
                <div class="field">
                    <label for="metadata">"Other metadata (JSON object)"</label>
                    <textarea id="metadata" rows="4" bind:value=metadata
                        aria-invalid=move || if field_error(error, "metadata").get().is_some() { "true" } else { "false" }></textarea>
                    {move || field_error(error, "metadata").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <div class="actions">
                    <button type="submit" disabled=move || save.pending().get()>"Save changes"</button>
                </div>
            </form>
            <div>
                <section class="card" aria-labelledby="facts-title">
                    <h2 id="facts-title">"Sign-in"</h2>
                    <dl class="facts">
                        <dt>"Created"</dt><dd>{facts.created.clone()}</dd>
                        <dt>"Last sign-in"</dt><dd>{facts.last_login.clone().unwrap_or_else(|| "never".into())}</dd>
                        <dt>"Failed sign-ins"</dt><dd>{facts.failed_logins}</dd>
                        <dt>"Locked until"</dt><dd>{facts.locked_until.clone().unwrap_or_else(|| "not locked".into())}</dd>
                    </dl>
                    {locked.then(|| view! { <UnlockButton username=name.clone() on_done=on_saved/> })}
                </section>
                <super::user_projects::UserProjects username=name.clone()/>
                <AccountActions username=name.clone() enabled=edit.enabled on_done=on_saved/>
            </div>
        </div>
    }
}

#[component]
fn UnlockButton(username: String, on_done: impl Fn(&str) + Copy + Send + Sync + 'static) -> impl IntoView {
    let unlock = ServerAction::<UnlockUser>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = unlock.value().get() {
            on_done("Account unlocked.");
        }
    });
    view! {
        <button type="button" class="plain" on:click=move |_| { unlock.dispatch(UnlockUser { username: username.clone() }); }>
            "Unlock"
        </button>
    }
}

/// Enable/disable and delete (with a confirmation that names the user).
#[component]
fn AccountActions(username: String, enabled: bool, on_done: impl Fn(&str) + Copy + Send + Sync + 'static) -> impl IntoView {
    let toggle = ServerAction::<SetUserEnabled>::new();
    let delete = sensitive(ServerAction::<DeleteUser>::new());
    let confirming = RwSignal::new(false);
    let keep_data = RwSignal::new(true);
    let me = crate::components::session_user::use_session_user();
    let heir = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(Some(u))) = me.get() {
            if heir.get_untracked().is_empty() {
                heir.set(u.username);
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = toggle.value().get() {
            on_done(if enabled { "User disabled: their sessions have ended." } else { "User enabled." });
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            reload_to("/admin/users");
        }
    });
    let failure = Signal::derive(move || {
        toggle.value().get().and_then(Result::err).or_else(|| delete.value().get().and_then(Result::err)).map(|e| e.message())
    });
    let (toggle_name, delete_name, label_name) = (username.clone(), username.clone(), username.clone());
    view! {
        <section class="card" aria-labelledby="actions-title">
            <h2 id="actions-title">"Account actions"</h2>
            <FormError message=failure/>
            <div class="actions">
                <button type="button" class="plain" on:click=move |_| {
                    toggle.dispatch(SetUserEnabled { username: toggle_name.clone(), enabled: !enabled });
                }>{if enabled { "Disable user" } else { "Enable user" }}</button>
                <button type="button" class="danger" on:click=move |_| confirming.set(true)>"Delete user…"</button>
            </div>
            <Show when=move || confirming.get()>
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-title">
                    <p id="confirm-title"><strong>{format!("Delete {label_name}?")}</strong></p>
                    <p>"This removes the account, its sessions, tokens, role grants, project memberships and pending requests. It cannot be undone."</p>
                    <fieldset class="checklist">
                        <legend>"Their datasets and uploaded files"</legend>
                        <div class="check">
                            <input id="data-keep" type="radio" name="user-data" prop:checked=move || keep_data.get() on:change=move |_| keep_data.set(true)/>
                            <label for="data-keep">"Give them to another user"</label>
                        </div>
                        <div class="check">
                            <input id="data-drop" type="radio" name="user-data" prop:checked=move || !keep_data.get() on:change=move |_| keep_data.set(false)/>
                            <label for="data-drop">"Delete them"</label>
                        </div>
                        <Show when=move || keep_data.get()>
                            <BoundField label="Username to give them to" id="heir" value=heir error=field_error(Signal::derive(move || delete.value().get().and_then(Result::err)), "heir")/>
                        </Show>
                    </fieldset>
                    <div class="actions">
                        <button type="button" class="danger" on:click={
                            let delete_name = delete_name.clone();
                            move |_| {
                                let heir = if keep_data.get_untracked() { heir.get_untracked() } else { String::new() };
                                delete.dispatch(DeleteUser { username: delete_name.clone(), heir });
                            }
                        }>{format!("Delete {}", delete_name.clone())}</button>
                        <button type="button" class="plain" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </section>
    }
}
