//! `/forgot` (reset link, username reminder, new verification link),
//! `/reset` (choose a new password with a link) and `/verify` (confirm an
//! email address with a link). The links carry `?token=…`.

use crate::api::recovery::{RequestRecovery, ResetPassword};
use crate::api::registration::VerifyEmail;
use crate::components::forms::{field_error, form_error, posted, Field, FormError};
use crate::components::plain_forms::plain_page;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use crate::model::{NextStep, RECOVERY_SENT};

fn token_from_query() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get("token").unwrap_or_default()
}

#[component]
pub fn ForgotPage() -> impl IntoView {
    plain_page(|| {
        let request = ServerAction::<RequestRecovery>::new();
        let error = Signal::derive(move || request.value().get().and_then(Result::err));
        let posted_back = posted("sent").map(|_| RECOVERY_SENT.to_string());
        // A plain page runs only on the server: a success arrives in the address.
        let sent = move || posted_back.clone();
        view! {
            <Title text="Forgot login or password? · Gatehouse"/>
            <section class="card narrow" aria-labelledby="forgot-title">
                <h1 id="forgot-title">"Forgot login or password?"</h1>
                <p>"Enter your username or your email address. We email you your username and a link to choose a new password."</p>
                <ActionForm action=request>
                    <FormError message=form_error(error, &["identifier"])/>
                    {move || sent().map(|m| view! { <p class="form-success" role="status">{m}</p> })}
                    <Field label="Username or email" name="identifier" autocomplete="username"
                        error=field_error(error, "identifier")/>
                    <div class="actions">
                        <button type="submit" name="kind" value="reset" data-busy="Sending…">
                            "Email me a reset link"
                        </button>
                        <button type="submit" name="kind" value="verify" class="plain" data-busy="Sending…">
                            "Resend email verification"
                        </button>
                    </div>
                </ActionForm>
                <p class="muted">"“Resend email verification” is for new accounts whose confirmation link was lost or has expired."</p>
                <p><a href="/login">"Back to sign in"</a></p>
            </section>
        }
    })
}

#[component]
pub fn ResetPage() -> impl IntoView {
    plain_page(|| {
        let token = token_from_query();
        let reset = ServerAction::<ResetPassword>::new();
        let error = Signal::derive(move || reset.value().get().and_then(Result::err));
        let posted_back = posted("done").is_some();
        let done = move || posted_back;
        view! {
            <Title text="Choose a new password · Gatehouse"/>
            <section class="card narrow" aria-labelledby="reset-title">
                <h1 id="reset-title">"Choose a new password"</h1>
                <Show when=move || !done() fallback=|| view! {
                    <p class="form-success" role="status">
                        "Your password has been changed, and every session of your account was signed out."
                    </p>
                    <p><a href="/login">"Sign in with your new password"</a></p>
                }>
                    <ActionForm action=reset>
                        <FormError message=form_error(error, &["new_password", "confirm_password"])/>
                        {move || error.get().filter(|e| e.field() == Some("token")).map(|_| view! {
                            <p><a href="/forgot">"Ask for a new link"</a></p>
                        })}
                        <input type="hidden" name="token" value=token/>
                        <Field label="New password" name="new_password" kind="password" autocomplete="new-password"
                            hint="At least 8 characters (more if the site requires it), at most 128."
                            error=field_error(error, "new_password")/>
                        <Field label="Confirm new password" name="confirm_password" kind="password" autocomplete="new-password"
                            error=field_error(error, "confirm_password")/>
                        <button type="submit" data-busy="Saving…">"Save new password"</button>
                    </ActionForm>
                </Show>
            </section>
        }
    })
}

/// A button rather than an automatic action: mail scanners that open links
/// must not use up the one-time link.
#[component]
pub fn VerifyPage() -> impl IntoView {
    plain_page(|| {
        let token = token_from_query();
        let verify = ServerAction::<VerifyEmail>::new();
        let error = Signal::derive(move || verify.value().get().and_then(Result::err));
        let posted_back = posted("done").and_then(|key| NextStep::from_key(&key));
        let done = move || posted_back;
        view! {
            <Title text="Confirm your email address · Gatehouse"/>
            <section class="card narrow" aria-labelledby="verify-title">
                <h1 id="verify-title">"Confirm your email address"</h1>
                <Show when=move || done().is_none() fallback=move || view! {
                    <p class="form-success" role="status">"Your email address is confirmed. " {done().map(|s| s.message())}</p>
                    <p><a href="/login">"Go to sign in"</a></p>
                }>
                    <ActionForm action=verify>
                        <FormError message=form_error(error, &[])/>
                        {move || error.get().map(|_| view! { <p><a href="/forgot">"Ask for a new link"</a></p> })}
                        <input type="hidden" name="token" value=token/>
                        <p>"Press the button to confirm that this email address is yours."</p>
                        <button type="submit" data-busy="Confirming…">"Confirm my email address"</button>
                    </ActionForm>
                </Show>
            </section>
        }
    })
}
