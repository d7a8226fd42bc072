//! Outgoing email: messages are queued in the outbox table, where the sender
//! (SMTP when configured) picks them up and admins can read them. Also the
//! approval notice, which registration and an admin's edit both send.

use crate::backend::state::AppState;
use crate::backend::store;
use crate::backend::store::users::UserRow;
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

/// Tells a user that an admin approved their account.
pub async fn send_approved_email(state: &AppState, user: &UserRow) -> Result<(), AppError> {
    let Some(email) = &user.email else { return Ok(()) };
    let login = link(state, "/login");
    let verify_note = if user.verified { "" } else { "\n\nYou still need to confirm your email address with the link we sent you." };
    queue(state, Outgoing {
        to: email.clone(),
        subject: "Your account has been approved".into(),
        body: format!("Hello {},\n\nan administrator approved your account. You can sign in at\n{login}{verify_note}", user.username),
    })
    .await
}

/// What a one-time link in a stored message becomes once the message was
/// sent or given up on (pending messages keep theirs, for an admin to pass on).
pub const LINK_REMOVED: &str = "[link removed after sending]";

/// A link that grants something by itself: a `token=` link (verification,
/// reset, email change) or an invitation.
fn is_one_time_link(word: &str) -> bool {
    let url = word.starts_with("http://") || word.starts_with("https://");
    url && (word.contains("token=") || word.contains("/invitations/"))
}

/// `body` with every one-time link replaced by [`LINK_REMOVED`].
pub fn without_one_time_links(body: &str) -> String {
    let line = |l: &str| l.split(' ').map(|w| if is_one_time_link(w) { LINK_REMOVED } else { w }).collect::<Vec<_>>().join(" ");
    body.split('\n').map(line).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_links_are_removed_and_others_kept() {
        let body = "Hello\n\nhttps://gh.example/reset?token=abc\nJoin: http://h/invitations/xyz now\nhttps://gh.example/login\n";
        assert_eq!(
            without_one_time_links(body),
            format!("Hello\n\n{LINK_REMOVED}\nJoin: {LINK_REMOVED} now\nhttps://gh.example/login\n")
        );
    }
}

/// Mails `user` (when they have an address) a notice about their sign-in
/// security: "Hello NAME,\n\n" + `sentence`.
pub async fn security_notice(state: &AppState, user: &UserRow, subject: &str, sentence: &str) -> Result<(), AppError> {
    let Some(email) = user.email.as_deref().filter(|e| !e.is_empty()) else { return Ok(()) };
    let body = format!(
        "Hello {},\n\n{sentence}\n\nIf this was not you, change your password now and tell an administrator.",
        user.username
    );
    queue(state, Outgoing { to: email.to_string(), subject: subject.to_string(), body }).await
}
