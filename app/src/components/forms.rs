//! Labelled form fields with inline errors, and the form-level error line.

use crate::model::{iso8601, AppError};
use leptos::prelude::*;

/// The message for `field` when `error` is a validation error about it.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().filter(|e| e.field() == Some(field)).map(|e| e.message()))
}

/// The message for any error that does not belong to a single field.
pub fn form_error(error: Signal<Option<AppError>>, fields: &'static [&'static str]) -> Signal<Option<String>> {
    Signal::derive(move || {
        error.get().filter(|e| !e.field().is_some_and(|f| fields.contains(&f))).map(|e| e.message())
    })
}

/// The ids of a field's hint and error, and its `aria-describedby` value:
/// the hint when there is one, the error while there is one.
fn described_by(
    id: &str,
    has_hint: bool,
    error: Signal<Option<String>>,
) -> (String, String, impl Fn() -> Option<String> + Send + Sync + 'static) {
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let ids = (hint_id.clone(), error_id.clone());
    let value = move || {
        let mut refs = Vec::new();
        if has_hint {
            refs.push(ids.0.clone());
        }
        if error.get().is_some() {
            refs.push(ids.1.clone());
        }
        (!refs.is_empty()).then(|| refs.join(" "))
    };
    (hint_id, error_id, value)
}

/// Where a form posts without JavaScript: its server function's address.
/// With `method="post"` and fields named as the function's arguments, the
/// server answers with the same redirects as for the sign-in form
/// (`api::door::on_form_post_go_to`, and back with the error otherwise).
pub fn posts_to<S: server_fn::ServerFn>() -> &'static str {
    S::url()
}

/// Adds (`on`) or removes `names` in a selection of names.
pub fn select_names(selected: RwSignal<Vec<String>>, names: &[String], on: bool) {
    selected.update(|s| {
        s.retain(|n| !names.contains(n));
        if on {
            s.extend(names.iter().cloned());
        }
    });
}

/// A labelled input whose error, when present, is shown under it and tied to
/// it with `aria-describedby` / `aria-invalid`.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    /// The input's id when `field-{name}` would be taken by another form on the page.
    #[prop(optional)] id: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = true)] required: bool,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = id.map(str::to_string).unwrap_or_else(|| format!("field-{name}"));
    let (hint_id, error_id, described_by) = described_by(&id, hint.is_some(), error);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
            />
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}

/// The value of `key` in the page's address, which a form posted without
/// JavaScript comes back with on success (see `api::door::on_form_post_go_to`).
pub fn posted(key: &str) -> Option<String> {
    leptos_router::hooks::use_query_map().read_untracked().get(key)
}

/// The links under a keyset list: back to its start (when not there) and on to the next page.
#[component]
pub fn Pager(start: Option<String>, start_label: &'static str, next: Option<String>, next_label: &'static str) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {start.map(|href| view! { <a href=href>{start_label}</a> })}
            {next.map(|href| view! { <a href=href rel="next">{next_label}</a> })}
        </nav>
    }
}

/// A success message, announced to screen readers.
#[component]
pub fn FormSuccess(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <p class="form-success" role="status">{m}</p> })
}

/// The form-wide error line, announced to screen readers.
#[component]
pub fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })
}

/// Full page navigation: used after sign-in, sign-out and password changes
/// so that every part of the page is rebuilt for the new session.
pub fn reload_to(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// A labelled text input bound to `value`, with its inline error. It posts
/// under `name` (default: its id), and the server renders its value, so the
/// form reads right before the wasm loads and posts without JavaScript.
#[component]
pub fn BoundField(
    label: &'static str,
    id: &'static str,
    #[prop(optional)] name: Option<&'static str>,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let (hint_id, error_id, described_by) = described_by(id, hint.is_some(), error);
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                name=name.unwrap_or(id)
                type=kind
                autocomplete=autocomplete
                required=required
                value=value.get_untracked()
                bind:value=value
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
            />
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}

/// A labelled checkbox bound to `checked`; posts `{id}=true` when ticked.
#[component]
pub fn Checkbox(label: &'static str, id: &'static str, checked: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="check">
            <input id=id name=id value="true" type="checkbox" checked=checked.get_untracked() bind:checked=checked/>
            <label for=id>{label}</label>
        </div>
    }
}

/// Checkboxes for a set of names (roles), bound to `selected`. With
/// `form_name` each box also posts its name under it (`roles[]`), for a
/// form that works without JavaScript.
#[component]
pub fn NameChecklist(
    legend: &'static str,
    #[prop(into)] names: Signal<Vec<String>>,
    selected: RwSignal<Vec<String>>,
    #[prop(optional)] form_name: Option<&'static str>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <fieldset class="checklist">
            <legend>{legend}</legend>
            <For each=move || names.get() key=|n| n.clone() let:name>
                {
                    let id = format!("role-{name}");
                    let label = if name == "admin" { "Administrator (admin)".to_string() } else { name.clone() };
                    let checked_name = name.clone();
                    let checked_at_first = selected.with_untracked(|s| s.contains(&name));
                    view! {
                        <div class="check">
                            <input
                                id=id.clone()
                                type="checkbox"
                                name=form_name
                                value=form_name.map(|_| name.clone())
                                checked=checked_at_first
                                prop:checked=move || selected.with(|s| s.contains(&checked_name))
                                on:change=move |ev| select_names(selected, std::slice::from_ref(&name), event_target_checked(&ev))
                            />
                            <label for=id>{label}</label>
                        </div>
                    }
                }
            </For>
            {move || error.get().map(|m| view! { <p class="field-error">{m}</p> })}
        </fieldset>
    }
}

/// A labelled drop-down bound to `value`; `options` are `(value, label)`.
/// It posts under `name` (default: its id).
#[component]
pub fn Select(
    label: &'static str,
    id: String,
    #[prop(optional)] name: Option<&'static str>,
    value: RwSignal<String>,
    options: Vec<(&'static str, &'static str)>,
    #[prop(into, optional)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id.clone() name=name.map(str::to_string).unwrap_or_else(|| id.clone()) prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=move || error.get().map(|_| described.clone())>
                {options.into_iter().map(|(v, l)| view! { <option value=v selected=move || value.get() == v>{l}</option> }).collect_view()}
            </select>
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}

/// A labelled multi-line text input bound to `value`, posted under `name`
/// (default: its id).
#[component]
pub fn TextArea(
    label: &'static str,
    id: &'static str,
    #[prop(optional)] name: Option<&'static str>,
    value: RwSignal<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into, optional)] error: Signal<Option<String>>,
) -> impl IntoView {
    let (hint_id, error_id, described_by) = described_by(id, hint.is_some(), error);
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <textarea id=id name=name.unwrap_or(id) rows="3" bind:value=value
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by inner_html=escaped(&value.get_untracked())></textarea>
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}

/// `text` as HTML text: a textarea's first content, sent by the server
/// (an empty one stays empty, where a text child would be a space).
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The group choices for project forms.
pub const GROUP_OPTIONS: [(&str, &str); 3] = [("member", "Members"), ("collaborator", "Collaborators"), ("owner", "Owners")];

/// A byte count in words: `512 B`, `1.5 MB`.
pub fn human_bytes(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// A date (UTC) from Unix milliseconds, `2024-01-15`.
pub fn day_of(ms: i64) -> String {
    iso8601(ms).chars().take(10).collect()
}

/// The message of an action's last failure.
pub fn failure<T: Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<String>> {
    Signal::derive(move || value.get().and_then(Result::err).map(|e| e.message()))
}
