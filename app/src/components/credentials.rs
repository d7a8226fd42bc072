//! View pieces shared by My account → API keys and Admin → API keys: a
//! secret shown once with a copy button, and the tables of access tokens
//! and service keys.

use crate::api::credentials::{DeleteServiceKey, SaveServiceKey};
use crate::components::data_table::DataTable;
use crate::components::forms::{failure, field_error, form_error, Field, FormError, FormSuccess};
use crate::model::{AccessTokenInfo, ServiceKeyInfo};
use leptos::prelude::*;

/// An ISO 8601 UTC time as the tables show it: `2026-12-02 10:17:39 UTC`.
pub fn timestamp(iso: &str) -> String {
    iso.replace('T', " ").replace('Z', " UTC")
}

fn maybe(iso: &Option<String>, none: &'static str) -> String {
    iso.as_deref().map(timestamp).unwrap_or_else(|| none.to_string())
}

/// A secret the server will not show again, in a read-only field with a
/// Copy button and a warning.
#[component]
pub fn ShownOnce(label: &'static str, id: &'static str, value: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = value.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().navigator().clipboard().write_text(&text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
        copied.set(true);
    };
    view! {
        <div class="field shown-once">
            <label for=id>{label}</label>
            <div class="copy-row">
                <input id=id type="text" readonly=true value=value spellcheck="false" aria-describedby=format!("{id}-note")/>
                <button type="button" class="plain" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
            </div>
            <p class="field-hint" id=format!("{id}-note")>"Copy it now: it is shown only this once and cannot be recovered."</p>
        </div>
    }
}

/// Live access tokens with a Revoke button each; `show_user` adds the owner column.
#[component]
pub fn AccessTokenTable(tokens: Vec<AccessTokenInfo>, show_user: bool, on_revoke: Callback<i64>) -> impl IntoView {
    let head = view! {
        {show_user.then(|| view! { <th scope="col">"User"</th> })}
        <th scope="col">"Name"</th>
        <th scope="col">"Token"</th>
        <th scope="col">"Created"</th>
        <th scope="col">"Last used"</th>
        <th scope="col">"Expires"</th>
        <th scope="col">"Actions"</th>
    };
    view! {
        <DataTable class="tokens" caption="Personal access tokens" head>
            {tokens.into_iter().map(|token| view! { <AccessTokenRow token show_user on_revoke/> }).collect_view()}
        </DataTable>
    }
}

#[component]
fn AccessTokenRow(token: AccessTokenInfo, show_user: bool, on_revoke: Callback<i64>) -> impl IntoView {
    let t = token;
    let id = t.id;
    let used = match (&t.last_used, &t.last_used_ip) {
        (Some(when), Some(ip)) => format!("{} from {ip}", timestamp(when)),
        (when, _) => maybe(when, "never"),
    };
    view! {
        <tr>
            {show_user.then(|| view! { <td>{t.username.clone()}</td> })}
            <td>{t.name.clone()}</td>
            <td><code>{t.prefix.clone()}</code></td>
            <td class="date">{timestamp(&t.created)}</td>
            <td class="date">{used}</td>
            <td class="date">{maybe(&t.expires, "never")}</td>
            <td>
                <button type="button" class="plain" aria-label=format!("Revoke token {}", t.name)
                    on:click=move |_| on_revoke.run(id)>"Revoke"</button>
            </td>
        </tr>
    }
}

/// Service keys (never their values) with a Delete button each; `site`
/// adds who may read each one.
#[component]
pub fn ServiceKeyTable(
    keys: Vec<ServiceKeyInfo>,
    caption: &'static str,
    on_delete: Callback<String>,
    #[prop(optional)] site: bool,
) -> impl IntoView {
    let head = view! {
        <th scope="col">"Name"</th>
        <th scope="col">"Ends in"</th>
        <th scope="col">"Set by"</th>
        <th scope="col">"Set"</th>
        <th scope="col">"Last used"</th>
        {site.then(|| view! { <th scope="col">"May be read by"</th> })}
        <th scope="col">"Actions"</th>
    };
    view! {
        <DataTable class="service-keys" caption head>
            {keys.into_iter().map(|key| view! { <ServiceKeyRow key on_delete site/> }).collect_view()}
        </DataTable>
    }
}

#[component]
fn ServiceKeyRow(key: ServiceKeyInfo, on_delete: Callback<String>, site: bool) -> impl IntoView {
    let k = key;
    let name = k.name.clone();
    let tail = if k.last4.is_empty() { "(short value)".to_string() } else { format!("…{}", k.last4) };
    let readers = site.then(|| if k.readable_by.is_empty() { "admins only".to_string() } else { format!("admins, {}", k.readable_by.join(", ")) });
    view! {
        <tr>
            <td><code>{k.name.clone()}</code></td>
            <td><code>{tail}</code></td>
            <td>{k.set_by.clone()}</td>
            <td class="date">{timestamp(&k.updated)}</td>
            <td class="date">{maybe(&k.last_resolved, "never")}</td>
            {readers.map(|readers| view! { <td>{readers}</td> })}
            <td>
                <button type="button" class="plain" aria-label=format!("Delete service key {}", k.name)
                    on:click=move |_| on_delete.run(name.clone())>"Delete"</button>
            </td>
        </tr>
    }
}

/// The lifetimes offered for a new access token (`never` only where allowed).
pub const LIFETIME_OPTIONS: [(&str, &str); 4] = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("never", "Never expires")];

/// The form that saves a service key (the caller's own, or with `site` the
/// site's), and the line reporting a failed delete.
#[component]
pub fn ServiceKeyForm(save: ServerAction<SaveServiceKey>, delete: ServerAction<DeleteServiceKey>, site: bool) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = Signal::derive(move || matches!(save.value().get(), Some(Ok(()))).then(|| "Saved. It will not be shown again.".to_string()));
    view! {
        <ActionForm action=save>
            <FormError message=form_error(error, &["name", "value", "readable_by"])/>
            <FormSuccess message=saved/>
            <input type="hidden" name="site" value=site.to_string()/>
            <Field label="Service name" name="name" id="service-key-name" hint="Lower-case letters, digits, dots, underscores or hyphens" error=field_error(error, "name")/>
            <Field label="Secret" name="value" id="service-key-value" kind="password" autocomplete="off" error=field_error(error, "value")/>
            {site.then(|| view! {
                <Field label="May be read by (roles)" name="readable_by" id="service-key-readers" required=false
                    hint="Comma-separated site roles whose users may read this key; empty: admins only" error=field_error(error, "readable_by")/>
            })}
            <button type="submit" disabled=move || save.pending().get()>{if site { "Save site key" } else { "Save service key" }}</button>
        </ActionForm>
        <FormError message=failure(delete.value())/>
    }
}

/// What a Delete button in a [`ServiceKeyTable`] does.
pub fn delete_key(delete: ServerAction<DeleteServiceKey>, site: bool) -> Callback<String> {
    Callback::new(move |name| {
        delete.dispatch(DeleteServiceKey { name, site });
    })
}
