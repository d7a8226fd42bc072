//! `/account/security`: Sign-in security. Setting up an authenticator app
//! (a QR code drawn on the server and the secret as text, confirmed by one
//! code), removing it (with the current password), and recovery codes
//! (shown once; how many are left).

use crate::api::two_factor::*;
use crate::components::forms::{failure, field_error, form_error, Field, FormError};
use crate::components::loaded::load;
use crate::model::{RecoveryCodes, TwoFactorStatus};
use crate::components::reauth::sensitive;
use leptos::prelude::*;
use leptos_meta::Title;

/// New recovery codes, shown this once.
#[component]
fn ShownCodes(codes: RecoveryCodes) -> impl IntoView {
    (!codes.codes.is_empty()).then(|| {
        view! {
            <div class="issued recovery-codes" role="status">
                <h3>"Your recovery codes"</h3>
                <p>"Each code signs you in once if you lose your app. Keep them somewhere safe: they are shown only this once."</p>
                <ul class="codes" aria-label="Recovery codes">
                    {codes.codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                </ul>
            </div>
        }
    })
}

/// Setting up the app: begin (a secret and its QR code), then confirm with a code.
#[component]
fn SetUpApp(confirm: ServerAction<ConfirmTotp>) -> impl IntoView {
    let begin = sensitive(ServerAction::<BeginTotp>::new());
    let error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    view! {
        <p>"Signing in will ask for a code from an authenticator app on your phone after your password."</p>
        <button type="button" on:click=move |_| { begin.dispatch(BeginTotp {}); } disabled=move || begin.pending().get()>
            "Set up an authenticator app"
        </button>
        <FormError message=failure(begin.value())/>
        {move || begin.value().get().and_then(Result::ok).map(|enrolment| view! {
            <div class="totp-enrolment">
                <p>"Scan this QR code with your app, or type the key below into it."</p>
                <div class="qr" inner_html=enrolment.qr_svg></div>
                <div class="field">
                    <label for="totp-secret">"Key"</label>
                    <input id="totp-secret" type="text" readonly=true value=enrolment.secret spellcheck="false"/>
                </div>
                <ActionForm action=confirm>
                    <FormError message=form_error(error, &["code"])/>
                    <Field label="Code from the app" name="code" id="totp-confirm-code" autocomplete="one-time-code"
                        hint="The 6-digit code the app shows now." error=field_error(error, "code")/>
                    <button type="submit" disabled=move || confirm.pending().get()>"Turn on"</button>
                </ActionForm>
            </div>
        })}
    }
}

/// Removing the app, with the current password.
#[component]
fn RemoveApp(disable: ServerAction<DisableTotp>) -> impl IntoView {
    let error = Signal::derive(move || disable.value().get().and_then(Result::err));
    view! {
        <p>"Two-factor sign-in is on: signing in asks for a code from your authenticator app after your password."</p>
        <ActionForm action=disable>
            <FormError message=form_error(error, &["password"])/>
            <Field label="Your password" name="password" id="totp-disable-password" kind="password"
                autocomplete="current-password" hint="Removing the app needs your password; your recovery codes end with it."
                error=field_error(error, "password")/>
            <button type="submit" class="danger" disabled=move || disable.pending().get()>"Remove the authenticator app"</button>
        </ActionForm>
    }
}

#[component]
pub fn AccountSecurityPage() -> impl IntoView {
    let confirm = sensitive(ServerAction::<ConfirmTotp>::new());
    let disable = ServerAction::<DisableTotp>::new();
    let renew = sensitive(ServerAction::<NewRecoveryCodes>::new());
    // Reloaded after a change, not after a refused code: reloading redraws
    // the set-up, which would lose its key, its QR code and the error.
    let confirmed = RwSignal::new(0u32);
    Effect::new(move |_| {
        if confirm.value().with(|v| matches!(v, Some(Ok(_)))) {
            confirmed.update(|n| *n += 1);
        }
    });
    let status = load(
        move || (confirmed.get(), disable.version().get(), renew.version().get()),
        |_| my_two_factor(),
    );
    view! {
        <Title text="Sign-in security · Gatehouse"/>
        <h1>"Sign-in security"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                    Ok(TwoFactorStatus { totp_enabled, recovery_codes_left }) => view! {
                        <section class="card" aria-labelledby="totp-title">
                            <h2 id="totp-title">"Authenticator app"</h2>
                            {if totp_enabled { view! { <RemoveApp disable/> }.into_any() } else { view! { <SetUpApp confirm/> }.into_any() }}
                            {move || disable.value().get().and_then(Result::ok).map(|_| view! {
                                <p class="form-success" role="status">"The authenticator app was removed."</p>
                            })}
                            {move || confirm.value().get().and_then(Result::ok).map(|codes| view! {
                                <p class="form-success" role="status">"Two-factor sign-in is on."</p>
                                <ShownCodes codes/>
                            })}
                        </section>
                        <section class="card" aria-labelledby="recovery-title">
                            <h2 id="recovery-title">"Recovery codes"</h2>
                            <p>{format!("{recovery_codes_left} of 10 recovery codes left. Each signs you in once, instead of a code from your app.")}</p>
                            {totp_enabled.then(|| view! {
                                <p>"Making a new set ends the old one."</p>
                                <button type="button" on:click=move |_| { renew.dispatch(NewRecoveryCodes {}); } disabled=move || renew.pending().get()>
                                    "Make a new set"
                                </button>
                            })}
                            <FormError message=failure(renew.value())/>
                            {move || renew.value().get().and_then(Result::ok).map(|codes| view! { <ShownCodes codes/> })}
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
