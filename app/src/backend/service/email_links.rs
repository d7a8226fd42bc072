//! Single-use, expiring links sent by email (verification, password reset,
//! email change). The token travels only in the email; the database keeps
//! its SHA-256.

use crate::backend::auth::secrets::{random_hex, sha256_hex};
use crate::backend::service::{mail, settings};
use crate::backend::store::email_tokens::{self, Purpose, TokenRow};
use crate::backend::time::now_ms;
use crate::backend::AppState;
use crate::model::AppError;

const HOUR_MS: i64 = 60 * 60 * 1000;

pub const LINK_INVALID: &str =
    "This link is not valid. Copy the whole link from the email, or ask for a new one under “Forgot login or password?”.";
pub const LINK_USED: &str =
    "This link has already been used. Ask for a new one under “Forgot login or password?” if you still need it.";
pub const LINK_EXPIRED: &str = "This link has expired. Ask for a new one under “Forgot login or password?”.";

/// Makes a new link of `purpose` for the user (retiring older unused ones
/// of the same purpose) and returns its absolute URL under `path`.
pub async fn issue(
    state: &AppState,
    user_id: i64,
    purpose: Purpose,
    new_email: Option<&str>,
    path: &str,
) -> Result<String, AppError> {
    let token = random_hex(32);
    let now = now_ms();
    let lifetime = settings::current(state).await?.email_link_hours * HOUR_MS;
    email_tokens::retire(&state.db, user_id, purpose, now).await?;
    email_tokens::insert(&state.db, &sha256_hex(&token), user_id, purpose, new_email, now, now + lifetime).await?;
    Ok(mail::link(state, &format!("{path}?token={token}")))
}

/// Uses up the link `token` of `purpose`: a clear error when it is unknown,
/// used or expired; otherwise it can never be used again.
pub async fn redeem(state: &AppState, token: &str, purposes: &[Purpose]) -> Result<TokenRow, AppError> {
    let row = match token.trim() {
        "" => None,
        t if t.len() > 200 => None,
        t => email_tokens::find(&state.db, &sha256_hex(t)).await?,
    };
    let row = row
        .filter(|r| purposes.iter().any(|p| p.as_str() == r.purpose))
        .ok_or_else(|| AppError::validation("token", LINK_INVALID))?;
    let now = now_ms();
    if row.used_at.is_some() {
        return Err(AppError::validation("token", LINK_USED));
    }
    if row.expires_at <= now {
        return Err(AppError::validation("token", LINK_EXPIRED));
    }
    if !email_tokens::consume(&state.db, row.id, now).await? {
        return Err(AppError::validation("token", LINK_USED));
    }
    Ok(row)
}
