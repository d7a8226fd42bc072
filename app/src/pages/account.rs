//! `/account` (my account) and `/account/password` (the forced change after
//! signing in with a one-time password).

use crate::api::account::ChangePassword;
use crate::components::loaded::load;
use crate::components::local_accounts::LocalAccountsOnly;
use crate::api::profile::{get_profile, SaveProfile};
use crate::components::forms::{field_error, form_error, posted, reload_to, BoundField, Field, FormError, FormSuccess};
use crate::model::Profile;
use crate::components::session_list::SessionList;
use crate::components::session_user::use_session_user;
use leptos::prelude::*;
use leptos_meta::Title;

/// Shown under the new password field; the server names the exact rule broken.
const PASSWORD_HINT: &str = "At least 8 characters (more if the site requires it), at most 128.";

const PASSWORD_FIELDS: &[&str] = &["current_password", "new_password", "confirm_password"];

/// Current, new and confirmed password; `on_done` runs after a change.
#[component]
fn ChangePasswordForm(on_done: fn(), submit_label: &'static str) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let posted_back = posted("changed").is_some_and(|v| v == "password");
    let done = move || posted_back || matches!(change.value().get(), Some(Ok(())));
    Effect::new(move |_| {
        if matches!(change.value().get(), Some(Ok(()))) {
            on_done();
        }
    });
    view! {
        <ActionForm action=change>
            <FormError message=form_error(error, PASSWORD_FIELDS)/>
            {move || done().then(|| view! { <p class="form-success" role="status">"Your password has been changed."</p> })}
            <Field label="Current password" name="current_password" kind="password"
                autocomplete="current-password" error=field_error(error, "current_password")/>
            <Field label="New password" name="new_password" kind="password" autocomplete="new-password"
                hint=PASSWORD_HINT error=field_error(error, "new_password")/>
            <Field label="Confirm new password" name="confirm_password" kind="password"
                autocomplete="new-password" error=field_error(error, "confirm_password")/>
            <button type="submit" disabled=move || change.pending().get()>{submit_label}</button>
        </ActionForm>
    }
}

/// Display name and email; a new email waits for its confirmation link.
#[component]
fn ProfileEditor() -> impl IntoView {
    let save = ServerAction::<SaveProfile>::new();
    let profile = load(|| (), |_| get_profile());
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => view! { <ProfileForm profile=p save/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProfileForm(profile: Profile, save: ServerAction<SaveProfile>) -> impl IntoView {
    let display_name = RwSignal::new(profile.display_name.clone());
    let email = RwSignal::new(profile.email.clone());
    let current_password = RwSignal::new(String::new());
    let current = RwSignal::new(profile);
    let changes_email = move || !email.get().trim().eq_ignore_ascii_case(&current.get().email);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(p)) = save.value().get() {
            email.set(p.email.clone());
            current_password.set(String::new());
            current.set(p);
        }
    });
    let saved = Signal::derive(move || {
        save.value().get().and_then(Result::ok).map(|p| match p.pending_email {
            Some(new) => format!("Saved. We sent a link to {new}: your email changes when you follow it."),
            None => "Saved.".to_string(),
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveProfile {
            display_name: display_name.get_untracked(),
            email: email.get_untracked(),
            current_password: current_password.get_untracked(),
        });
    };
    view! {
        <form on:submit=submit novalidate>
            <FormError message=form_error(error, &["display_name", "email", "current_password"])/>
            <FormSuccess message=saved/>
            <BoundField label="Display name" id="display_name" value=display_name autocomplete="name"
                hint="Optional; shown instead of your username." error=field_error(error, "display_name")/>
            <BoundField label="Email" id="email" kind="email" value=email autocomplete="email" required=true
                hint="A new address is used once you follow the link we send to it." error=field_error(error, "email")/>
            <Show when=changes_email>
                <BoundField label="Your password" id="profile_current_password" kind="password" value=current_password
                    autocomplete="current-password" required=true
                    hint="Changing your email address needs your password; we also tell your current address."
                    error=field_error(error, "current_password")/>
            </Show>
            {move || current.get().pending_email.map(|new| view! {
                <p class="muted pending-email">{format!("Waiting for confirmation: {new}. Your email stays {} until then.", current.get().email)}</p>
            })}
            <button type="submit" disabled=move || save.pending().get()>"Save profile"</button>
        </form>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let user = use_session_user();
    view! {
        <Title text="My account · Gatehouse"/>
        <h1>"My account"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                user.await.ok().flatten().map(|u| view! {
                    <section class="card" aria-labelledby="profile-title">
                        <h2 id="profile-title">"Profile"</h2>
                        {u.password_expires_in_days.map(|days| view! {
                            <p class="notice" role="note">{match days {
                                0 => "Your password expires today: change it below.".to_string(),
                                1 => "Your password expires tomorrow: change it below.".to_string(),
                                n => format!("Your password expires in {n} days: change it below."),
                            }}</p>
                        })}
                        <dl class="facts">
                            <dt>"Username"</dt><dd>{u.username.clone()}</dd>
                            <dt>"Site roles"</dt><dd>{u.roles.join(", ")}</dd>
                        </dl>
                        <ProfileEditor/>
                    </section>
                })
            })}
        </Transition>
        <crate::components::quota::MyStorage/>
        <section class="card" aria-labelledby="keys-title">
            <h2 id="keys-title">"API keys and tokens"</h2>
            <p>"Access tokens and alias tokens for your scripts, and your own keys for outside services: "
                <a href="/account/keys">"manage API keys and tokens"</a>"."</p>
        </section>
        <section class="card" aria-labelledby="two-factor-title">
            <h2 id="two-factor-title">"Sign-in security"</h2>
            <p>"Two-factor sign-in with an authenticator app, and recovery codes: "
                <a href="/account/security">"manage sign-in security"</a>"."</p>
        </section>
        <section class="card" aria-labelledby="activity-title">
            <h2 id="activity-title">"Security activity"</h2>
            <p>"Recent sign-ins, refused attempts, password and token changes on your account: "
                <a href="/account/activity">"see security activity"</a>"."</p>
        </section>
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"My sessions"</h2>
            <p>"Where you are signed in. Revoke any session you do not recognise."</p>
            <SessionList username=None/>
        </section>
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">"Change password"</h2>
            <LocalAccountsOnly>
                <p>"Changing your password signs you out everywhere else."</p>
                <ChangePasswordForm on_done=|| {} submit_label="Change password"/>
            </LocalAccountsOnly>
        </section>
    }
}

#[component]
pub fn ForcedPasswordPage() -> impl IntoView {
    view! {
        <Title text="Choose a new password · Gatehouse"/>
        <section class="card narrow" aria-labelledby="forced-title">
            <h1 id="forced-title">"Choose a new password"</h1>
            <ForcedReason/>
            <ChangePasswordForm on_done=|| reload_to("/") submit_label="Save new password"/>
        </section>
    }
}

/// Why the password must be changed now: an expired one, or a one-time one.
#[component]
fn ForcedReason() -> impl IntoView {
    let me = load(|| (), |_| crate::api::account::who_am_i());
    view! {
        <Transition fallback=|| view! { <p>"Choose your own password to continue."</p> }>
            {move || Suspend::new(async move {
                let expired = matches!(me.await, Ok(Some(u)) if u.password_expired);
                if expired {
                    view! { <p role="status">"Your password has expired: this site asks for a new one after a while. Choose a new password to continue."</p> }.into_any()
                } else {
                    view! { <p>"You signed in with a one-time password. Choose your own password to continue."</p> }.into_any()
                }
            })}
        </Transition>
    }
}
