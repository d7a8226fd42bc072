//! Admin panel server functions.

use crate::model::{AppError, SiteOverview};
use leptos::prelude::*;

#[server(endpoint = "admin/overview")]
pub async fn admin_overview() -> Result<SiteOverview, AppError> {
    use super::door::*;
    respond(crate::backend::service::admin::overview(&state()?, principal().await.as_ref()).await)
}
