//! What only sites with local accounts show: with external authentication
//! (`external_auth_url`) the children give way to a note saying why.

use crate::api::settings::site_info;
use crate::components::loaded::load;
use leptos::prelude::*;

/// Renders `children` when accounts are managed here; otherwise a note that
/// the external provider manages them (nothing at all when `quiet`).
#[component]
pub fn LocalAccountsOnly(children: ChildrenFn, #[prop(optional)] quiet: bool) -> impl IntoView {
    let info = load(|| (), |_| site_info());
    view! {
        <Transition fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match info.await {
                        Ok(i) if i.accounts_external && quiet => ().into_any(),
                        Ok(i) if i.accounts_external => view! {
                            <p class="notice" role="note">
                                <strong>"Accounts come from the external authentication provider. "</strong>
                                "Creating, editing and deleting users, passwords, registration and password recovery are managed there, not here; project membership, sessions, keys and features work as usual."
                            </p>
                        }
                        .into_any(),
                        _ => children().into_any(),
                    }
                })
            }}
        </Transition>
    }
}
