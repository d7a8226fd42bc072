//! Per-address limits on requests that make the site send email (register,
//! "forgot login or password?"), so nobody can use the site to flood an
//! inbox. Counts live in the `auth_failures` table under a `mail:` key, per
//! minute, so every instance shares them.

use crate::backend::auth::client_addr::rate_key;
use crate::backend::store::auth_failures;
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::AppState;
use crate::model::AppError;

/// Email-sending requests one client address may make per minute.
pub const MAIL_REQUESTS_PER_MINUTE: i64 = 10;

/// Counts one email-sending request from `ip`; refuses it (429) past the limit.
pub async fn spend_mail_request(state: &AppState, ip: Option<&str>) -> Result<(), AppError> {
    let Some(ip) = ip else { return Ok(()) };
    let now = now_ms();
    let window = now - now.rem_euclid(MINUTE_MS);
    let used = auth_failures::record_and_count(&state.db, &format!("mail:{}", rate_key(ip)), window).await?;
    if used > MAIL_REQUESTS_PER_MINUTE {
        let retry_after_secs = ((window + MINUTE_MS - now + 999) / 1000) as u64;
        return Err(AppError::RateLimited {
            message: format!("Too many requests from your address. Try again in {retry_after_secs} seconds."),
            retry_after_secs,
        });
    }
    Ok(())
}
