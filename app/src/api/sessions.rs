//! Server functions for "My sessions" and Admin → Sessions.

use crate::model::{AppError, SessionInfo};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::sessions;

/// The caller's sessions; with `username`, that user's (admins); with
/// `all`, everyone's (admins).
#[server(endpoint = "sessions/list")]
pub async fn list_sessions(username: Option<String>, all: bool) -> Result<Vec<SessionInfo>, AppError> {
    use super::door::*;
    respond(sessions::list(&state()?, principal().await.as_ref(), username.as_deref(), all).await)
}

/// Ends one session by its public id; returns the ids ended.
#[server(endpoint = "sessions/revoke")]
pub async fn revoke_session(id: String) -> Result<Vec<String>, AppError> {
    use super::door::*;
    respond(sessions::revoke(&state()?, principal().await.as_ref(), &[id]).await)
}

/// Ends all sessions of `username` (admins), or without it all of the
/// caller's other sessions.
#[server(endpoint = "sessions/revoke_user")]
pub async fn revoke_user_sessions(username: Option<String>) -> Result<Vec<String>, AppError> {
    use super::door::*;
    respond(sessions::revoke_user(&state()?, principal().await.as_ref(), username.as_deref()).await)
}
