//! `/admin/settings`: registration, guest access and the password rule.

use super::AdminNav;
use crate::api::settings::{get_settings, SaveSettings};
use crate::components::forms::{field_error, form_error, BoundField, Checkbox, FormError, FormSuccess};
use crate::components::loaded::load;
use crate::model::SettingsForm;
use crate::components::reauth::sensitive;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminSettingsPage() -> impl IntoView {
    let save = sensitive(ServerAction::<SaveSettings>::new());
    // Reload (for the new version) only after a successful save, so that a
    // refused one keeps what the admin typed next to its error.
    let saves = RwSignal::new(0);
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            saves.update(|n| *n += 1);
        }
    });
    let settings = load(move || saves.get(), |_| get_settings());
    view! {
        <Title text="Settings · Admin · Gatehouse"/>
        <AdminNav current="/admin/settings"/>
        <h1>"Site settings"</h1>
        <p>"These apply at once to every instance of the site. Values not yet saved here come from the server's configuration."</p>
        <Transition fallback=|| view! { <p>"Loading settings…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(form) => view! { <SettingsEditor form save/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SettingsEditor(form: SettingsForm, save: ServerAction<SaveSettings>) -> impl IntoView {
    let version = form.version;
    let registration_open = RwSignal::new(form.registration_open);
    let require_email_verification = RwSignal::new(form.require_email_verification);
    let require_admin_approval = RwSignal::new(form.require_admin_approval);
    let notify_admins = RwSignal::new(form.notify_admins);
    let owners_may_invite_new_people = RwSignal::new(form.owners_may_invite_new_people);
    let require_login = RwSignal::new(form.require_login);
    let storage_limiter = RwSignal::new(form.storage_limiter);
    let allow_non_expiring_tokens = RwSignal::new(form.allow_non_expiring_tokens);
    let password_min_length = RwSignal::new(form.password_min_length);
    let audit_retention_days = RwSignal::new(form.audit_retention_days);
    let audit_retention_note = form.audit_retention_note;
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(()))).then(|| "Settings saved.".to_string()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveSettings {
            form: SettingsForm {
                version,
                registration_open: registration_open.get_untracked(),
                require_email_verification: require_email_verification.get_untracked(),
                require_admin_approval: require_admin_approval.get_untracked(),
                notify_admins: notify_admins.get_untracked(),
                owners_may_invite_new_people: owners_may_invite_new_people.get_untracked(),
                password_min_length: password_min_length.get_untracked(),
                require_login: require_login.get_untracked(),
                storage_limiter: storage_limiter.get_untracked(),
                allow_non_expiring_tokens: allow_non_expiring_tokens.get_untracked(),
                audit_retention_days: audit_retention_days.get_untracked(),
                audit_retention_note: None,
            },
        });
    };
    view! {
        <form class="card" on:submit=submit novalidate>
            <FormError message=form_error(error, &["password_min_length", "audit_retention_days"])/>
            <FormSuccess message=saved/>
            <fieldset class="checklist">
                <legend>"Registration"</legend>
                <Checkbox label="Anyone may create an account (the sign-in page links to /register)" id="registration_open" checked=registration_open/>
                <Checkbox label="New accounts must confirm their email address" id="require_email_verification" checked=require_email_verification/>
                <Checkbox label="New accounts must be approved by an admin" id="require_admin_approval" checked=require_admin_approval/>
                <Checkbox label="Email admins about each new registration" id="notify_admins" checked=notify_admins/>
                <Checkbox label="Project owners may invite new people (while registration is closed, an owner's invitation may create an account; admins' always may)" id="owners_may_invite_new_people" checked=owners_may_invite_new_people/>
            </fieldset>
            <fieldset class="checklist">
                <legend>"Security"</legend>
                <Checkbox label="Require sign-in to see anything (off: guests may browse public projects)" id="require_login" checked=require_login/>
                <Checkbox label="Limit storage: each user's maxStorageMB (set on their admin page) is their quota" id="storage_limiter" checked=storage_limiter/>
                <Checkbox label="Personal access tokens may be made without an expiry date" id="allow_non_expiring_tokens" checked=allow_non_expiring_tokens/>
                <BoundField label="Minimum password length" id="password_min_length" kind="number" value=password_min_length required=true
                    hint="1 to 128 characters. Applies to new passwords; existing ones keep working."
                    error=field_error(error, "password_min_length")/>
                <BoundField label="Keep audit events for (days)" id="audit_retention_days" kind="number" value=audit_retention_days required=true
                    hint="0 keeps them forever, else at least 30. Older events are deleted by the hourly sweep. A lower value takes effect 7 days after it is saved."
                    error=field_error(error, "audit_retention_days")/>
                {audit_retention_note.map(|note| view! { <p class="hint" id="audit_retention_note" role="status">{note}</p> })}
            </fieldset>
            <button type="submit" disabled=move || save.pending().get()>"Save settings"</button>
        </form>
    }
}
