//! `/login`: the sign-in form. A plain page (`components::plain_forms`): the
//! server sends a successful sign-in on to `next`.

use crate::api::account::Login;
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
        let login = ServerAction::<Login>::new();
        let query = use_query_map();
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
    })
}
