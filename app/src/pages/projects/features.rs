//! `/projects/:slug/features`: the project's bans and its groups' blocks
//! and enables, for its owners; the site-wide rules each group inherits are
//! shown beside them and set on Admin → Features.

use super::project::WithProject;
use crate::api::features::{project_features, SetFeature};
use crate::components::feature_grid::{last_change, FeatureGrid};
use crate::components::loaded::load;
use crate::model::*;
use leptos::prelude::*;

#[component]
pub fn ProjectFeaturesPage() -> impl IntoView {
    view! { <WithProject tab="features" body=|d| view! { <FeaturesTab detail=d/> }/> }
}

#[component]
fn FeaturesTab(detail: ProjectDetail) -> impl IntoView {
    if !detail.rights.manage {
        return view! { <p class="form-error" role="alert">"Project owner access required"</p> }.into_any();
    }
    let slug = detail.summary.slug.clone();
    let set = ServerAction::<SetFeature>::new();
    let scope = load(move || (slug.clone(), set.version().get()), |(slug, _)| project_features(slug));
    view! {
        <section aria-labelledby="features-title">
            <h2 id="features-title">"Features"</h2>
            <p>"Block a feature for one of this project's groups, enable one that is off by default, or ban it in this project for everyone. "
               "Rules set site-wide by an admin apply too and are shown under each choice."</p>
            {last_change(set)}
            <Transition fallback=|| view! { <p>"Loading features…"</p> }>
                {move || Suspend::new(async move {
                    match scope.await {
                        Ok(scope) => view! { <FeatureGrid scope in_project=true set/> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.message()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }.into_any()
}
