//! Outgoing email: messages are queued in the outbox table, where the sender
//! (SMTP when configured) picks them up and admins can read them.

use crate::backend::state::AppState;
use crate::backend::store;
use crate::backend::time::now_ms;
use crate::model::error::AppError;

/// One plain-text message to one address.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues `message`; the subject is prefixed with the site's name and the
/// body signed with it, so every email says which site sent it.
pub async fn queue(state: &AppState, message: Outgoing) -> Result<(), AppError> {
    let site = &state.settings.site_name;
    let subject = format!("[{site}] {}", message.subject);
    let body = format!("{}\n\n-- \n{site}\n{}\n", message.body.trim_end(), state.settings.public_url);
    store::outbox::insert(&state.db, &message.to, &subject, &body, now_ms()).await?;
    Ok(())
}

/// An absolute link to `path` (which starts with `/`) on this site.
pub fn link(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.settings.public_url)
}
