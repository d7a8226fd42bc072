//! `/admin/keys`: everyone's personal access tokens (filter by user, revoke
//! one or all of a user's) and the site's service keys (SPEC §8).

use super::AdminNav;
use crate::api::credentials::*;
use crate::components::credentials::{delete_key, AccessTokenTable, ServiceKeyForm, ServiceKeyTable};
use crate::components::data_table::LoadedList;
use crate::components::forms::{failure, FormError, FormSuccess};
use crate::components::loaded::load;
use crate::components::reauth::sensitive;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn AllAccessTokens() -> impl IntoView {
    let revoke = ServerAction::<AdminRevokeAccessToken>::new();
    let revoke_all = ServerAction::<AdminRevokeAllAccessTokens>::new();
    let filter = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let tokens = load(
        move || (filter.get(), revoke.version().get(), revoke_all.version().get()),
        |(user, _, _)| all_access_tokens(user, String::new()),
    );
    let on_revoke = Callback::new(move |id| {
        revoke.dispatch(AdminRevokeAccessToken { id });
    });
    let revoked_all = Signal::derive(move || match revoke_all.value().get() {
        Some(Ok(n)) => Some(format!("Revoked {n} token(s).")),
        _ => None,
    });
    view! {
        <section class="card" aria-labelledby="all-tokens-title">
            <h2 id="all-tokens-title">"Personal access tokens"</h2>
            <form class="filters" on:submit=move |ev| { ev.prevent_default(); filter.set(typed.get_untracked().trim().to_string()); }>
                <div class="field">
                    <label for="token-user">"User"</label>
                    <input id="token-user" type="search" placeholder="username" bind:value=typed/>
                </div>
                <button type="submit">"Filter"</button>
            </form>
            <FormError message=failure(revoke.value())/>
            <FormError message=failure(revoke_all.value())/>
            <FormSuccess message=revoked_all/>
            <Transition fallback=|| view! { <p>"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                        Ok(page) if page.items.is_empty() => view! {
                            <p class="empty">{if filter.get_untracked().is_empty() {
                                "No user has a live access token. Users make them under My account → API keys and tokens."
                            } else {
                                "This user has no live access tokens."
                            }}</p>
                        }.into_any(),
                        Ok(page) => {
                            let more = page.next.is_some();
                            let user = filter.get_untracked();
                            view! {
                                <AccessTokenTable tokens=page.items show_user=true on_revoke/>
                                {more.then(|| view! { <p class="muted">"Showing the newest 100; filter by user to see the rest."</p> })}
                                {(!user.is_empty()).then(|| {
                                    let label = format!("Revoke all tokens of {user}");
                                    view! {
                                        <div class="actions">
                                            <button type="button" class="danger" on:click=move |_| {
                                                revoke_all.dispatch(AdminRevokeAllAccessTokens { username: user.clone() });
                                            }>{label}</button>
                                        </div>
                                    }
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SiteServiceKeys() -> impl IntoView {
    let set = sensitive(ServerAction::<SaveServiceKey>::new());
    let delete = ServerAction::<DeleteServiceKey>::new();
    let keys = load(move || (set.version().get(), delete.version().get()), |_| site_service_keys());
    let on_delete = delete_key(delete, true);
    view! {
        <section class="card" aria-labelledby="site-keys-title">
            <h2 id="site-keys-title">"Service keys"</h2>
            <p>"Site-wide secrets for services the platform calls (e.g. "<code>"openai"</code>", "<code>"orthanc"</code>"). A user's own key of the same name overrides the site's for them. Stored encrypted; values are never shown again. Services read them with "<code>"GET /api/service-keys/{name}"</code>" and the user's credential: a site key only for admins and users of the roles named on it. Each read is audited."</p>
            <ServiceKeyForm save=set delete site=true/>
            <LoadedList list=keys loading="Loading service keys…" empty="No site-wide service keys yet. Add one above." let:list>
                <ServiceKeyTable keys=list caption="Site service keys" on_delete site=true/>
            </LoadedList>
        </section>
    }
}

#[component]
pub fn AdminCredentialsPage() -> impl IntoView {
    view! {
        <Title text="API keys · Admin · Gatehouse"/>
        <AdminNav current="/admin/keys"/>
        <h1>"API keys"</h1>
        <AllAccessTokens/>
        <SiteServiceKeys/>
    }
}
