//! Server functions for Admin → Outbox: every email the site sent or will send.

use crate::model::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::outbox;

#[server(endpoint = "admin/outbox/list")]
pub async fn list_outbox(before: Option<i64>) -> Result<OutboxPage, AppError> {
    use super::door::*;
    respond(outbox::list(&state()?, principal().await.as_ref(), before).await)
}

#[server(endpoint = "admin/outbox/body")]
pub async fn outbox_body(id: i64) -> Result<String, AppError> {
    use super::door::*;
    respond(outbox::body(&state()?, principal().await.as_ref(), id).await)
}
