//! Limits on requests that make the site send email (register, "forgot
//! login or password?", invitations, email changes, access requests), so
//! nobody can use the site to flood an inbox: per client address, per
//! requesting user and per recipient
//! address. Counts live in the `auth_failures` table under a `mail:` key,
//! per minute, so every instance shares them.

use crate::backend::auth::client_addr::rate_key;
use crate::backend::store::auth_failures;
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::AppState;
use crate::model::AppError;

/// Email-sending requests one client address (or inviter, or recipient) may make per minute.
pub const MAIL_REQUESTS_PER_MINUTE: i64 = 10;

/// Counts one email-sending request from `ip`; refuses it (429) past the limit.
pub async fn spend_mail_request(state: &AppState, ip: Option<&str>) -> Result<(), AppError> {
    let Some(ip) = ip else { return Ok(()) };
    spend_mail(state, &format!("mail:{}", rate_key(ip)), "Too many requests from your address").await
}

/// Counts one email sent on behalf of `key` (`mail:<what>:<who>`) before
/// it is sent; refuses it (429, the message starting with `refusal`) past
/// [`MAIL_REQUESTS_PER_MINUTE`].
pub async fn spend_mail(state: &AppState, key: &str, refusal: &str) -> Result<(), AppError> {
    let now = now_ms();
    let window = now - now.rem_euclid(MINUTE_MS);
    let used = auth_failures::record_and_count(&state.db, key, window).await?;
    if used > MAIL_REQUESTS_PER_MINUTE {
        return Err(too_many(refusal, window + MINUTE_MS - now));
    }
    Ok(())
}

/// A 429 saying to try again in `wait_ms` (rounded up to whole seconds).
pub fn too_many(refusal: &str, wait_ms: i64) -> AppError {
    let retry_after_secs = ((wait_ms.max(0) + 999) / 1000) as u64;
    AppError::RateLimited { message: format!("{refusal}. Try again in {retry_after_secs} seconds."), retry_after_secs }
}
