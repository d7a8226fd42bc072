//! The home page's server function: what needs the caller.

use crate::model::{AppError, HomeSummary};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::home;

#[server(endpoint = "home")]
pub async fn load_home() -> Result<HomeSummary, AppError> {
    use super::door::*;
    respond(home::summary(&state()?, principal().await.as_ref()).await)
}
