//! `/admin/features`: every feature definition (name, description, where
//! it came from, on by default), the site-wide bans, and each site-wide
//! group's blocks and enables.

use super::AdminNav;
use crate::api::features::{site_features, SetFeature};
use crate::components::feature_grid::{last_change, FeatureGrid};
use crate::components::loaded::load;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminFeaturesPage() -> impl IntoView {
    let set = ServerAction::<SetFeature>::new();
    let scope = load(move || set.version().get(), |_| site_features());
    view! {
        <Title text="Features · Admin · Gatehouse"/>
        <AdminNav current="/admin/features"/>
        <h1>"Features"</h1>
        <p>"A ban turns a feature off for everyone, admins included. A block turns it off for one group; an enable turns a feature that is off by default on for one group. "
           "Owners, Members and Collaborators mean that group in every project; project owners set their own projects' groups on the project's Features tab. "
           "Definitions come from the built-in list and the "<code>"*-feature-definition.properties"</code>" files of the features folder, read at start-up."</p>
        {last_change(set)}
        <Transition fallback=|| view! { <p>"Loading features…"</p> }>
            {move || Suspend::new(async move {
                match scope.await {
                    Ok(scope) => view! { <FeatureGrid scope in_project=false set/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
