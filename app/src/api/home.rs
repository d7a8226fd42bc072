//! The home page's server function: what needs the caller.

use crate::model::{AppError, HomeSummary};
use leptos::prelude::*;

#[server(endpoint = "home")]
pub async fn load_home() -> Result<HomeSummary, AppError> {
    use super::door::*;
    respond(crate::backend::service::home::summary(&state()?, principal().await.as_ref()).await)
}
