//! Server functions for feature permissions: Admin → Features and a
//! project's Settings → Features tab (service::features).

use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::service::features;

/// The site-wide rules with every definition (admins).
#[server(endpoint = "admin/features/get")]
pub async fn site_features() -> Result<FeatureScope, AppError> {
    use super::door::*;
    respond(features::site_scope(&state()?, principal().await.as_ref()).await)
}

/// One project's rules (its owners and admins).
#[server(endpoint = "projects/features/get")]
pub async fn project_features(slug: String) -> Result<FeatureScope, AppError> {
    use super::door::*;
    respond(features::project_scope(&state()?, principal().await.as_ref(), &slug).await)
}

/// Sets one ban, block or enable; the group decides who may.
#[server(endpoint = "features/set")]
pub async fn set_feature(change: FeatureChange) -> Result<(), AppError> {
    use super::door::*;
    respond(features::set(&state()?, principal().await.as_ref(), &change).await)
}
