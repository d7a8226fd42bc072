//! Server functions for account recovery: asking for a reset or a new
//! verification link, and resetting a password with one.

use crate::model::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::recovery::{self, request, RecoveryKind};

/// `kind`: `reset` (reset link and username) or `verify` (a new verification link).
#[server(endpoint = "recover")]
pub async fn request_recovery(identifier: String, kind: String) -> Result<String, AppError> {
    use super::door::*;
    let kind = if kind == "verify" { RecoveryKind::ResendVerification } else { RecoveryKind::ResetPassword };
    let ip = client_info().await.ip;
    let sent = respond(request(&state()?, principal().await.as_ref(), &identifier, kind, ip.as_deref()).await)?;
    on_form_post_go_to("/forgot?sent=1");
    Ok(sent)
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, new_password: String, confirm_password: String) -> Result<(), AppError> {
    use super::door::*;
    let state = state()?;
    let p = principal().await;
    respond(recovery::reset_password(&state, p.as_ref(), &token, &new_password, &confirm_password).await)?;
    on_form_post_go_to("/reset?done=1");
    Ok(())
}
