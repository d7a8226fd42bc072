//! `/invitations/:token`: what the invitation offers; signed in, one click
//! joins; otherwise an account is created here when the site's registration
//! policy lets this invitation create one (the link proves the address, so
//! there is no verification step; an admin's approval may be), or the
//! visitor signs in and comes back. A plain page (`components::plain_forms`):
//! its forms post without the browser app.

use crate::api::invitations::*;
use crate::api::settings::site_info;
use crate::components::forms::{day_of, field_error, form_error, posted, Field, FormError};
use crate::components::loaded::load;
use crate::components::session_user::use_session_user;
use crate::components::plain_forms::plain_page;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use crate::model::{url, NextStep};

const SIGN_UP_FIELDS: &[&str] = &["username", "display_name", "password", "confirm"];

#[component]
pub fn InvitationPage() -> impl IntoView {
    plain_page(|| {
        let params = use_params_map();
        let token = move || params.read().get("token").unwrap_or_default();
        let preview = load(token, preview_invitation);
        let user = use_session_user();
        let info = load(|| (), |_| site_info());
        let awaiting = posted("done").and_then(|key| NextStep::from_key(&key));
        view! {
            <Title text="Invitation · Gatehouse"/>
            <h1>"Invitation"</h1>
            {awaiting.map(|step| view! { <p class="form-success" role="status">"Your account was created. " {step.message()}</p> })}
            <Show when=move || awaiting.is_none()>
            <Transition fallback=|| view! { <p>"Checking the invitation…"</p> }>
                {move || Suspend::new(async move {
                    let signed_in = user.await.ok().flatten();
                    let min_length = info.await.map(|i| i.password_min_length).unwrap_or(8);
                    match preview.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                        Ok(p) => view! {
                            <p>{format!("{} invites {} to the project ", p.invited_by, p.email)}<strong>{p.project_name.clone()}</strong>
                               {format!(" ({}) as one of its {}. The link works once, until {}.", p.project_slug, p.role.group(), day_of(p.expires_at))}</p>
                            {match signed_in {
                                Some(u) => view! { <Accept token=token() username=u.username/> }.into_any(),
                                None if p.creates_account => view! { <SignUp token=token() min_length/> }.into_any(),
                                None => view! { <SignInOnly token=token()/> }.into_any(),
                            }}
                        }.into_any(),
                    }
                })}
            </Transition>
            </Show>
        }
    })
}

/// Joins the project as the signed-in account (a plain form: the server
/// sends the browser on to the project).
#[component]
fn Accept(token: String, username: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = Signal::derive(move || accept.value().get().and_then(Result::err));
    view! {
        <ActionForm action=accept>
            <FormError message=form_error(error, &[])/>
            <p>{format!("You are signed in as {username}.")}</p>
            <input type="hidden" name="token" value=token/>
            <button type="submit" data-busy="Joining…">"Join the project"</button>
        </ActionForm>
    }
}

/// Registration is closed to this invitation: only an existing account accepts it.
#[component]
fn SignInOnly(token: String) -> impl IntoView {
    let sign_in = format!("/login?next={}", url::encode_query_value(&format!("/invitations/{token}")));
    view! {
        <p><a href=sign_in>"Sign in to accept"</a>". Registration is closed on this site: ask an administrator to create an account for you."</p>
    }
}

/// Creates an account from the invitation and joins (a plain form: the
/// server signs the new account in and sends the browser on to the project).
#[component]
fn SignUp(token: String, min_length: usize) -> impl IntoView {
    let sign_up = ServerAction::<SignUpFromInvitation>::new();
    let error = Signal::derive(move || sign_up.value().get().and_then(Result::err));
    let sign_in = format!("/login?next={}", url::encode_query_value(&format!("/invitations/{token}")));
    view! {
        <p>"Already have an account? "<a href=sign_in>"Sign in to accept"</a>"."</p>
        <ActionForm action=sign_up attr:class="card" attr:novalidate=true attr:aria-labelledby="signup-title">
            <h2 id="signup-title">"Create your account"</h2>
            <FormError message=form_error(error, SIGN_UP_FIELDS)/>
            <input type="hidden" name="token" value=token/>
            <Field label="Username" name="username" id="username" autocomplete="username"
                hint="3 to 50 letters, digits, dots, underscores or hyphens." error=field_error(error, "username")/>
            <Field label="Display name (optional)" name="display_name" id="display_name" autocomplete="name" required=false
                error=field_error(error, "display_name")/>
            <Field label="Password" name="password" id="password" kind="password" autocomplete="new-password"
                hint=format!("At least {min_length} characters, at most 128; not one of the most common passwords.") error=field_error(error, "password")/>
            <Field label="Repeat the password" name="confirm" id="confirm" kind="password" autocomplete="new-password"
                error=field_error(error, "confirm")/>
            <button type="submit" data-busy="Creating your account…">"Create account and join"</button>
        </ActionForm>
    }
}
