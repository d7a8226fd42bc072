//! `/login`: the sign-in form. A plain page (`components::plain_forms`): the
//! server sends a successful sign-in on to `next`, or, for an account with
//! two-factor sign-in, back here with `step=code` for the code form.

use crate::api::account::{Login, LoginCode};
use crate::api::settings::site_info;
use crate::components::loaded::load;
use crate::components::local_accounts::LocalAccountsOnly;
use crate::components::forms::{field_error, form_error, Field, FormError};
use crate::components::plain_forms::plain_page;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    plain_page(|| {
        let query = use_query_map();
        if query.read_untracked().get("step").as_deref() == Some("code") {
            return view! { <SecondStep/> }.into_any();
        }
        let login = ServerAction::<Login>::new();
        let next = move || query.read().get("next").unwrap_or_default();
        let error = Signal::derive(move || login.value().get().and_then(Result::err));
        let info = load(|| (), |_| site_info());
        view! {
            <Title text="Sign in · Gatehouse"/>
            <section class="card narrow" aria-labelledby="login-title">
                <h1 id="login-title">"Sign in"</h1>
                <ActionForm action=login>
                    <FormError message=form_error(error, &["username", "password"])/>
                    <input type="hidden" name="next" value=next/>
                    <Field label="Username" name="username" autocomplete="username"
                        error=field_error(error, "username")/>
                    <Field label="Password" name="password" kind="password" autocomplete="current-password"
                        error=field_error(error, "password")/>
                    <button type="submit" data-busy="Signing in…">"Sign in"</button>
                </ActionForm>
                <ul class="links">
                    <LocalAccountsOnly quiet=true><li><a href="/forgot">"Forgot login or password?"</a></li></LocalAccountsOnly>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            info.await.ok().filter(|i| i.registration_open).map(|_| view! {
                                <li><a href="/register">"Create an account"</a></li>
                            })
                        })}
                    </Transition>
                </ul>
            </section>
        }
        .into_any()
    })
}

/// The second step: a code from the authenticator app, or a recovery code,
/// for the sign-in whose (HttpOnly) cookie the browser holds.
#[component]
fn SecondStep() -> impl IntoView {
    let code = ServerAction::<LoginCode>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || code.value().get().and_then(Result::err));
    view! {
        <Title text="Two-factor sign-in · Gatehouse"/>
        <section class="card narrow" aria-labelledby="code-title">
            <h1 id="code-title">"Two-factor sign-in"</h1>
            <p>"Enter the 6-digit code your authenticator app shows, or one of your recovery codes."</p>
            <ActionForm action=code>
                <FormError message=form_error(error, &["code"])/>
                <input type="hidden" name="next" value=next/>
                <Field label="Code" name="code" autocomplete="one-time-code"
                    error=field_error(error, "code")/>
                <button type="submit" data-busy="Checking…">"Sign in"</button>
            </ActionForm>
            <ul class="links">
                <li><a href="/login">"Start again"</a></li>
            </ul>
        </section>
    }
}
