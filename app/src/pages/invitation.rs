//! `/invitations/:token`: what the invitation offers; signed in, one click
//! joins; otherwise an account is created here (the link proves the
//! address, so there is no verification or approval step) or the visitor
//! signs in and comes back.

use crate::api::projects::*;
use crate::api::settings::site_info;
use crate::components::forms::{day_of, field_error, form_error, reload_to, BoundField, FormError};
use crate::components::session_user::use_session_user;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const SIGN_UP_FIELDS: &[&str] = &["username", "display_name", "password", "confirm"];

#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, preview_invitation);
    let user = use_session_user();
    let info = Resource::new(|| (), |_| site_info());
    view! {
        <Title text="Invitation · Gatehouse"/>
        <h1>"Invitation"</h1>
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
                            None => view! { <SignUp token=token() min_length/> }.into_any(),
                        }}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Accept(token: String, username: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    Effect::new(move |_| {
        if let Some(Ok(slug)) = accept.value().get() {
            reload_to(&format!("/projects/{slug}"));
        }
    });
    view! {
        {move || accept.value().get().and_then(Result::err).map(|e| view! { <p class="form-error" role="alert">{e.message()}</p> })}
        <p>{format!("You are signed in as {username}.")}</p>
        <button type="button" disabled=move || accept.pending().get()
            on:click=move |_| { accept.dispatch(AcceptInvitation { token: token.clone() }); }>"Join the project"</button>
    }
}

#[component]
fn SignUp(token: String, min_length: usize) -> impl IntoView {
    let (username, display_name, password, confirm) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let sign_up = ServerAction::<SignUpFromInvitation>::new();
    let error = Signal::derive(move || sign_up.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(slug)) = sign_up.value().get() {
            reload_to(&format!("/projects/{slug}"));
        }
    });
    let sign_in = format!("/login?next={}", crate::model::url::encode_query_value(&format!("/invitations/{token}")));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sign_up.dispatch(SignUpFromInvitation {
            token: token.clone(),
            username: username.get_untracked(),
            display_name: display_name.get_untracked(),
            password: password.get_untracked(),
            confirm: confirm.get_untracked(),
        });
    };
    view! {
        <p>"Already have an account? "<a href=sign_in>"Sign in to accept"</a>"."</p>
        <form class="card" on:submit=submit novalidate aria-labelledby="signup-title">
            <h2 id="signup-title">"Create your account"</h2>
            <FormError message=form_error(error, SIGN_UP_FIELDS)/>
            <BoundField label="Username" id="username" value=username required=true autocomplete="username"
                hint="3 to 50 letters, digits, dots, underscores or hyphens." error=field_error(error, "username")/>
            <BoundField label="Display name (optional)" id="display_name" value=display_name autocomplete="name" error=field_error(error, "display_name")/>
            <BoundField label="Password" id="password" kind="password" value=password required=true autocomplete="new-password"
                hint=format!("At least {min_length} characters, at most 128; not one of the most common passwords.") error=field_error(error, "password")/>
            <BoundField label="Repeat the password" id="confirm" kind="password" value=confirm required=true autocomplete="new-password" error=field_error(error, "confirm")/>
            <button type="submit" disabled=move || sign_up.pending().get()>"Create account and join"</button>
        </form>
    }
}
