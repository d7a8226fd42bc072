//! Re-authentication in the browser app: when a sensitive action answers
//! `{"error": "Confirm your password to continue", "reauth": true}`, one
//! dialog asks for the password (and the code, when the account has a
//! second factor), proves the sign-in again (`api::account::reauthenticate`)
//! and runs the action again. Pages opt in per action with [`sensitive`]
//! (a `ServerAction`) or [`prompt`]'s handle (a direct call); the dialog itself is
//! rendered once, by the app shell. Without JavaScript the server sends a
//! refused form to the `/reauth` page instead (`api::door::respond`).

use crate::api::account::Reauthenticate;
use crate::components::forms::{field_error, form_error, BoundField, FormError};
use crate::model::AppError;
use leptos::prelude::*;
use server_fn::ServerFn;
use std::sync::Arc;

type Retry = Arc<dyn Fn() + Send + Sync>;

/// The dialog's state, shared through context: open while `retry` is set.
#[derive(Clone, Copy)]
pub struct ReauthPrompt {
    retry: RwSignal<Option<Retry>>,
}

impl ReauthPrompt {
    /// Opens the dialog; `retry` runs once the password is confirmed.
    pub fn open(self, retry: impl Fn() + Send + Sync + 'static) {
        self.retry.set(Some(Arc::new(retry)));
    }
}

/// Makes the dialog available to every page (called once, by the app).
pub fn provide_reauth() {
    provide_context(ReauthPrompt { retry: RwSignal::new(None) });
}

/// The dialog's handle, taken while the page is built (a task spawned later
/// has no context to look it up in).
pub fn prompt() -> Option<ReauthPrompt> {
    use_context::<ReauthPrompt>()
}

/// Marks `action` as sensitive: when it answers "confirm your password",
/// the dialog opens and, once confirmed, the same input is sent again.
pub fn sensitive<S>(action: ServerAction<S>) -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let dialog = prompt();
    let last = StoredValue::new(None::<S>);
    Effect::new(move |_| {
        if let Some(input) = action.input().get() {
            last.set_value(Some(input));
        }
    });
    Effect::new(move |_| {
        let refused = action.value().with(|v| matches!(v, Some(Err(e)) if e.is_reauth()));
        if let (true, Some(input), Some(dialog)) = (refused, last.get_value(), dialog) {
            dialog.open(move || {
                action.dispatch(input.clone());
            });
        }
    });
    action
}

/// The dialog: a modal, labelled, that takes the focus when it opens and
/// gives it back when it closes (Escape or Cancel closes it).
#[component]
pub fn ReauthDialog() -> impl IntoView {
    let Some(state) = use_context::<ReauthPrompt>() else { return ().into_any() };
    let confirm = ServerAction::<Reauthenticate>::new();
    let error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let (password, code) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    // The code field shows once the server asks for it (a second factor).
    let wants_code = RwSignal::new(false);
    let opened_from = FocusBack::slot();
    let open = Signal::derive(move || state.retry.with(Option::is_some));
    let close = move || {
        state.retry.set(None);
        confirm.value().set(None);
        password.set(String::new());
        code.set(String::new());
        if let Some(back) = opened_from.get_value() {
            back.restore();
        }
    };
    // What had the focus before the dialog opened (a button that a pending
    // action disables loses it, so the last element focused is kept).
    let last_focused = FocusBack::slot();
    track_focus(move |back| {
        if !open.get_untracked() {
            last_focused.set_value(Some(back));
        }
    });
    Effect::new(move |_| {
        if open.get() {
            opened_from.set_value(last_focused.get_value().or_else(|| Some(FocusBack::current())));
            focus_soon("reauth-password");
        }
    });
    Effect::new(move |_| {
        if error.get().is_some_and(|e| e.field() == Some("code")) && !wants_code.get_untracked() {
            wants_code.set(true);
            focus_soon("reauth-code");
        }
        if let Some(Ok(_)) = confirm.value().get() {
            let retry = state.retry.get_untracked();
            close();
            if let Some(retry) = retry {
                retry();
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        confirm.dispatch(Reauthenticate { password: password.get_untracked(), code: code.get_untracked(), next: String::new() });
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            close();
        }
    };
    view! {
        <Show when=move || open.get()>
            <div class="modal-backdrop">
                <div class="card modal" role="dialog" aria-modal="true" aria-labelledby="reauth-title" aria-describedby="reauth-why" on:keydown=keydown>
                    <h2 id="reauth-title">"Confirm your password"</h2>
                    <p id="reauth-why">"This action changes how an account or the site is protected: enter your password to go on."</p>
                    <form on:submit=submit novalidate>
                        <FormError message=form_error(error, &["password", "code"])/>
                        <BoundField label="Password" id="reauth-password" name="password" kind="password" autocomplete="current-password"
                            value=password required=true error=field_error(error, "password")/>
                        <Show when=move || wants_code.get()>
                            <BoundField label="Code from your authenticator app, or a recovery code" id="reauth-code" name="code"
                                autocomplete="one-time-code" value=code required=true error=field_error(error, "code")/>
                        </Show>
                        <div class="actions">
                            <button type="submit" disabled=move || confirm.pending().get()>"Confirm"</button>
                            <button type="button" class="plain" on:click=move |_| close()>"Cancel"</button>
                        </div>
                    </form>
                </div>
            </div>
        </Show>
    }
    .into_any()
}

/// Moves the focus to the element `id` once it is on the page.
fn focus_soon(id: &'static str) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(element) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = element.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Calls `seen` with each element that takes the focus on the page.
fn track_focus(seen: impl Fn(FocusBack) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let _ = window_event_listener(leptos::ev::focusin, move |ev| {
            if let Some(element) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                seen(FocusBack(Some(element)));
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = seen;
}

/// The element that had the focus when the dialog opened, to give it back.
#[derive(Clone)]
struct FocusBack(#[cfg(feature = "hydrate")] Option<web_sys::HtmlElement>);

/// Where a [`FocusBack`] is kept: in the browser a local (single-thread)
/// value, as a DOM element is; on the server a plain one, because a page
/// rendered there may be dropped on another thread than it was made on
/// (a local value would panic: "Dropped SendWrapper<T> ... from a
/// thread different to the one it has been created with").
#[cfg(feature = "hydrate")]
type FocusSlot = StoredValue<Option<FocusBack>, LocalStorage>;
#[cfg(not(feature = "hydrate"))]
type FocusSlot = StoredValue<Option<FocusBack>>;

impl FocusBack {
    fn slot() -> FocusSlot {
        #[cfg(feature = "hydrate")]
        return StoredValue::new_local(None);
        #[cfg(not(feature = "hydrate"))]
        StoredValue::new(None)
    }

    fn current() -> FocusBack {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            FocusBack(document().active_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()))
        }
        #[cfg(not(feature = "hydrate"))]
        FocusBack()
    }

    fn restore(&self) {
        #[cfg(feature = "hydrate")]
        if let Some(element) = &self.0 {
            let _ = element.focus();
        }
    }
}
