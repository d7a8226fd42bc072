//! Server functions for Admin → Outbox: every email the site sent or will send.

use crate::model::*;
use leptos::prelude::*;

#[server(endpoint = "admin/outbox/list")]
pub async fn list_outbox(before: Option<i64>) -> Result<OutboxPage, AppError> {
    use super::door::*;
    respond(crate::backend::service::outbox::list(&state()?, principal().await.as_ref(), before).await)
}

#[server(endpoint = "admin/outbox/body")]
pub async fn outbox_body(id: i64) -> Result<String, AppError> {
    use super::door::*;
    respond(crate::backend::service::outbox::body(&state()?, principal().await.as_ref(), id).await)
}
