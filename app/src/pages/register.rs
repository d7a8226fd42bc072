//! `/register`: self-registration, when the site allows it.

use crate::api::registration::Register;
use crate::api::settings::site_info;
use crate::components::forms::{field_error, form_error, posted, Field, FormError};
use crate::components::loaded::load;
use crate::model::NextStep;
use crate::components::plain_forms::plain_page;
use leptos::prelude::*;
use leptos_meta::Title;

const FIELDS: &[&str] = &["username", "email", "display_name", "password", "confirm_password"];

#[component]
pub fn RegisterPage() -> impl IntoView {
    plain_page(|| {
        let info = load(|| (), |_| site_info());
        view! {
            <Title text="Create an account · Gatehouse"/>
            <section class="card narrow" aria-labelledby="register-title">
                <h1 id="register-title">"Create an account"</h1>
                <Transition fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match info.await {
                            Ok(i) if i.registration_open => view! { <RegisterForm min_length=i.password_min_length/> }.into_any(),
                            Ok(_) => view! {
                                <p role="status">"Registration is closed on this site. Ask an administrator to create an account for you."</p>
                                <p><a href="/login">"Back to sign in"</a></p>
                            }.into_any(),
                            Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        }
    })
}

#[component]
fn RegisterForm(min_length: usize) -> impl IntoView {
    let register = ServerAction::<Register>::new();
    let error = Signal::derive(move || register.value().get().and_then(Result::err));
    let posted_back = posted("done").and_then(|key| NextStep::from_key(&key));
    // A plain page runs only on the server: a success arrives in the address.
    let done = move || posted_back;
    let password_hint = StoredValue::new(format!("At least {min_length} characters, at most 128; not one of the most common passwords."));
    view! {
        <Show when=move || done().is_none() fallback=move || view! {
            <p class="form-success" role="status">{done().map(|step| step.message())}</p>
            <p><a href="/login">"Go to sign in"</a></p>
        }>
            <ActionForm action=register>
                <FormError message=form_error(error, FIELDS)/>
                <Field label="Username" name="username" autocomplete="username"
                    hint="3 to 50 letters, digits, dots, underscores or hyphens; cannot be changed later."
                    error=field_error(error, "username")/>
                <Field label="Email" name="email" kind="email" autocomplete="email"
                    hint="We send a link to this address." error=field_error(error, "email")/>
                <Field label="Display name (optional)" name="display_name" autocomplete="name" required=false
                    error=field_error(error, "display_name")/>
                <Field label="Password" name="password" kind="password" autocomplete="new-password"
                    hint=password_hint.get_value() error=field_error(error, "password")/>
                <Field label="Confirm password" name="confirm_password" kind="password" autocomplete="new-password"
                    error=field_error(error, "confirm_password")/>
                <button type="submit" data-busy="Creating account…">"Create account"</button>
            </ActionForm>
            <p>"Already have an account? "<a href="/login">"Sign in"</a></p>
        </Show>
    }
}
