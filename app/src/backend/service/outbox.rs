//! Admin → Outbox: every email the site sent or will send, newest first.

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, Action};
use crate::backend::store::outbox;
use crate::backend::AppState;
use crate::model::{iso8601, AppError, OutboxItem, OutboxPage};

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

/// One page; `before` is the `next` cursor of the previous page.
pub async fn list(state: &AppState, principal: Option<&Principal>, before: Option<i64>) -> Result<OutboxPage, AppError> {
    authorize(principal, Action::Administer)?;
    let mut rows = outbox::page(&state.db, before.unwrap_or(i64::MAX), PAGE_SIZE + 1).await?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|r| OutboxItem {
            id: r.id,
            to: r.to_address,
            subject: r.subject,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            created: iso8601(r.created_at),
            sent: r.sent_at.map(iso8601),
        })
        .collect();
    Ok(OutboxPage { items, next, smtp_configured: state.settings.smtp_configured })
}

/// A message's body. It may hold a live reset or verification link, which
/// grants an account: admins with the password's credentials only.
pub async fn body(state: &AppState, principal: Option<&Principal>, id: i64) -> Result<String, AppError> {
    authorize(principal, Action::AdministerCredentials)?;
    outbox::body(&state.db, id).await?.ok_or_else(|| AppError::NotFound("No such message".into()))
}
