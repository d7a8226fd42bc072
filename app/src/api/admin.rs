//! Admin panel server functions.

use crate::model::{AppError, SiteOverview, SiteStatistics};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::{admin, statistics};

#[server(endpoint = "admin/overview")]
pub async fn admin_overview() -> Result<SiteOverview, AppError> {
    use super::door::*;
    respond(admin::overview(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "admin/statistics")]
pub async fn admin_statistics() -> Result<SiteStatistics, AppError> {
    use super::door::*;
    respond(statistics::site(&state()?, principal().await.as_ref()).await)
}
