//! `/account/keys`: my personal access tokens, alias tokens and service
//! keys (SPEC §9). Secrets are shown once, right after they are made.

use crate::api::credentials::*;
use crate::components::credentials::{delete_key, timestamp, AccessTokenTable, ServiceKeyForm, ServiceKeyTable, ShownOnce, LIFETIME_OPTIONS};
use crate::components::data_table::{DataTable, LoadedList};
use crate::components::forms::{failure, field_error, form_error, Field, FormError};
use crate::components::loaded::load;
use crate::model::{iso8601, AliasTokenInfo};
use crate::components::reauth::sensitive;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn AccessTokens() -> impl IntoView {
    let create = sensitive(ServerAction::<CreateAccessToken>::new());
    let revoke = ServerAction::<RevokeAccessToken>::new();
    let tokens = load(move || (create.version().get(), revoke.version().get()), |_| my_access_tokens());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let expiry_error = field_error(error, "expires_days");
    let on_revoke = Callback::new(move |id| {
        revoke.dispatch(RevokeAccessToken { id });
    });
    view! {
        <section class="card" aria-labelledby="pat-title">
            <h2 id="pat-title">"Personal access tokens"</h2>
            <p>"For scripts that call Gatehouse's API: send "<code>"Authorization: Bearer <token>"</code>". A token acts as you, but cannot make other tokens, change keys or change your password."</p>
            <ActionForm action=create>
                <FormError message=form_error(error, &["name", "expires_days"])/>
                <Field label="Token name" name="name" id="token-name" required=false hint="What will use it, e.g. \"nightly sync\"" error=field_error(error, "name")/>
                <div class="field">
                    <label for="field-expires_days">"Expires after"</label>
                    <select id="field-expires_days" name="expires_days"
                        aria-invalid=move || if expiry_error.get().is_some() { "true" } else { "false" }>
                        {LIFETIME_OPTIONS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    </select>
                    {move || expiry_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <button type="submit" disabled=move || create.pending().get()>"Create token"</button>
            </ActionForm>
            {move || create.value().get().and_then(Result::ok).map(|t| view! {
                <ShownOnce label="Your new token" id="new-access-token" value=t.token/>
            })}
            <FormError message=failure(revoke.value())/>
            <LoadedList list=tokens loading="Loading tokens…" empty="No access tokens yet. Make one per script above, so you can revoke each on its own." let:list>
                <AccessTokenTable tokens=list show_user=false on_revoke/>
            </LoadedList>
        </section>
    }
}

#[component]
fn AliasTokens() -> impl IntoView {
    let issue = sensitive(ServerAction::<IssueAliasToken>::new());
    let invalidate = ServerAction::<InvalidateAliasToken>::new();
    let aliases = load(move || (issue.version().get(), invalidate.version().get()), |_| my_alias_tokens());
    view! {
        <section class="card" aria-labelledby="alias-title">
            <h2 id="alias-title">"Alias tokens"</h2>
            <p>"A temporary user name and password for one scripted task with XNAT clients such as pyxnat: use the alias as the user and the secret as the password. It stops working when it expires, when you invalidate it, or when your password changes."</p>
            <button type="button" on:click=move |_| { issue.dispatch(IssueAliasToken {}); } disabled=move || issue.pending().get()>
                "Issue an alias token"
            </button>
            {move || issue.value().get().map(|result| match result {
                Ok(t) => view! {
                    <div class="issued">
                        <ShownOnce label="Alias (the user name)" id="new-alias" value=t.alias/>
                        <ShownOnce label="Secret (the password)" id="new-alias-secret" value=t.secret/>
                        <p>{format!("Works until {}.", timestamp(&iso8601(t.estimated_expiration_time)))}</p>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
            })}
            <FormError message=failure(invalidate.value())/>
            <LoadedList list=aliases loading="Loading alias tokens…" empty="No live alias tokens. Issue one when a script needs it." let:list>
                <AliasTable list invalidate/>
            </LoadedList>
        </section>
    }
}

#[component]
fn AliasTable(list: Vec<AliasTokenInfo>, invalidate: ServerAction<InvalidateAliasToken>) -> impl IntoView {
    let head = view! {
        <th scope="col">"Alias"</th><th scope="col">"Issued"</th><th scope="col">"Expires"</th>
        <th scope="col">"Last used"</th><th scope="col">"Actions"</th>
    };
    let row = move |a: AliasTokenInfo| {
        let alias = a.alias.clone();
        view! {
            <tr>
                <td><code>{a.alias.clone()}</code></td>
                <td class="date">{timestamp(&a.created)}</td>
                <td class="date">{timestamp(&a.expires)}</td>
                <td class="date">{a.last_used.as_deref().map(timestamp).unwrap_or_else(|| "never".into())}</td>
                <td><button type="button" class="plain" aria-label=format!("Invalidate alias token {}", a.alias)
                    on:click=move |_| { invalidate.dispatch(InvalidateAliasToken { alias: alias.clone() }); }>"Invalidate"</button></td>
            </tr>
        }
    };
    view! {
        <DataTable class="aliases" caption="Live alias tokens" head>
            {list.into_iter().map(row).collect_view()}
        </DataTable>
    }
}

#[component]
fn MyServiceKeysSection() -> impl IntoView {
    let set = sensitive(ServerAction::<SaveServiceKey>::new());
    let delete = ServerAction::<DeleteServiceKey>::new();
    let keys = load(move || (set.version().get(), delete.version().get()), |_| list_my_service_keys());
    let on_delete = delete_key(delete, false);
    view! {
        <section class="card" aria-labelledby="service-keys-title">
            <h2 id="service-keys-title">"Service keys"</h2>
            <p>"Your own secret for a service the platform calls for you (e.g. "<code>"openai"</code>"). Yours is used instead of the site's key of the same name. It is stored encrypted and never shown again."</p>
            <ServiceKeyForm save=set delete site=false/>
            <Transition fallback=|| view! { <p>"Loading service keys…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                        Ok(keys) => view! {
                            <p>{if keys.site_names.is_empty() {
                                "The site provides no service keys.".to_string()
                            } else {
                                format!("The site provides: {}.", keys.site_names.join(", "))
                            }}</p>
                            {if keys.mine.is_empty() {
                                view! { <p class="empty">"You have no service keys of your own; the site's are used for you."</p> }.into_any()
                            } else {
                                view! { <ServiceKeyTable keys=keys.mine caption="My service keys" on_delete/> }.into_any()
                            }}
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn AccountCredentialsPage() -> impl IntoView {
    view! {
        <Title text="API keys and tokens · Gatehouse"/>
        <p><a href="/account">"← My account"</a></p>
        <h1>"API keys and tokens"</h1>
        <AccessTokens/>
        <AliasTokens/>
        <MyServiceKeysSection/>
    }
}
