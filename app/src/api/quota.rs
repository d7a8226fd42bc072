//! Server functions for storage quotas: the caller's quota and use.

use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::service::quota;

/// The caller's storage quota and use.
#[server(endpoint = "account/storage")]
pub async fn my_storage() -> Result<StorageInfo, AppError> {
    use super::door::*;
    respond(quota::storage(&state()?, principal().await.as_ref(), None).await)
}
