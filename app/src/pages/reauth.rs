//! `/reauth`: confirm the password before a sensitive action, for a form
//! sent without JavaScript (the browser app asks in a dialog instead,
//! `components::reauth`). A plain page: the server sends a confirmed
//! sign-in back to `next`, the page the refused form was on.

use crate::api::account::Reauthenticate;
use crate::components::forms::{field_error, form_error, Field, FormError};
use crate::components::plain_forms::plain_page;
use crate::model::url::local_path_or_home;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReauthPage() -> impl IntoView {
    plain_page(|| {
        let confirm = ServerAction::<Reauthenticate>::new();
        let query = use_query_map();
        let next = move || query.read().get("next").unwrap_or_default();
        let back = move || local_path_or_home(&next()).to_string();
        let error = Signal::derive(move || confirm.value().get().and_then(Result::err));
        view! {
            <Title text="Confirm your password · Gatehouse"/>
            <section class="card narrow" aria-labelledby="reauth-title">
                <h1 id="reauth-title">"Confirm your password"</h1>
                <p>"What you asked for changes how an account or the site is protected, and you signed in a while ago. "
                   "Confirm your password: you then go back to the page, where you can send it again."</p>
                <ActionForm action=confirm>
                    <FormError message=form_error(error, &["password", "code"])/>
                    <input type="hidden" name="next" value=next/>
                    <Field label="Password" name="password" kind="password" autocomplete="current-password"
                        error=field_error(error, "password")/>
                    <Field label="Code from your authenticator app, or a recovery code" name="code" autocomplete="one-time-code"
                        hint="Only if your account uses two-factor sign-in." required=false
                        error=field_error(error, "code")/>
                    <button type="submit" data-busy="Checking…">"Confirm"</button>
                </ActionForm>
                <ul class="links">
                    <li><a href=back>"Go back without confirming"</a></li>
                </ul>
            </section>
        }
    })
}
