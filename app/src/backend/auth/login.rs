//! Password login with lockout, and starting a browser session for it.
//!
//! Unknown usernames and wrong passwords get the same error after the same
//! argon2 work. A locked, disabled, unverified or unapproved account is only
//! described to someone who gave its correct password.

use crate::backend::internal;
use crate::backend::store::auth_failures;
use crate::backend::store::users::{self, UserRow};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::AppState;
use crate::model::AppError;
use tower_sessions::{Expiry, Session};

pub const INVALID_CREDENTIALS: &str = "Invalid username or password";

/// Longest password we will hash at login; anything longer cannot be valid.
const MAX_LOGIN_PASSWORD_BYTES: usize = 1024;

fn invalid() -> AppError {
    AppError::Unauthenticated(INVALID_CREDENTIALS.to_string())
}

/// Refuses a client address that failed too many password checks this
/// minute, before any work is spent on it (the same for every username).
async fn check_rate(state: &AppState, ip: Option<&str>, now: i64) -> Result<(), AppError> {
    let Some(ip) = ip else { return Ok(()) };
    let window = now - now.rem_euclid(MINUTE_MS);
    if auth_failures::count(&state.db, ip, window).await? >= state.settings.login_rate_limit {
        let retry_after_secs = ((window + MINUTE_MS - now + 999) / 1000) as u64;
        return Err(AppError::RateLimited {
            message: format!("Too many failed sign-in attempts from your address. Try again in {retry_after_secs} seconds."),
            retry_after_secs,
        });
    }
    Ok(())
}

async fn count_failure(state: &AppState, ip: Option<&str>, now: i64) -> Result<(), AppError> {
    if let Some(ip) = ip {
        auth_failures::record(&state.db, ip, now - now.rem_euclid(MINUTE_MS)).await?;
    }
    Ok(())
}

/// Checks a username and password from client address `ip` and applies the
/// rate limit and lockout rules.
pub async fn authenticate(state: &AppState, username: &str, password: &str, ip: Option<&str>) -> Result<UserRow, AppError> {
    let username = username.trim();
    if username.is_empty() {
        return Err(AppError::validation("username", "Enter your username"));
    }
    if password.is_empty() {
        return Err(AppError::validation("password", "Enter your password"));
    }
    check_rate(state, ip, now_ms()).await?;
    let user = if username.len() <= 100 { users::find_by_username(&state.db, username).await? } else { None };
    let password = if password.len() <= MAX_LOGIN_PASSWORD_BYTES { password } else { "" };
    let matched = state.hasher.verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await?
        && !password.is_empty();
    let now = now_ms();
    let Some(user) = user else {
        count_failure(state, ip, now).await?;
        return Err(invalid());
    };
    let locked = user.is_locked(now);
    let security = &state.settings;
    if !matched {
        count_failure(state, ip, now).await?;
        if !locked {
            let lock_until = now + security.lockout_minutes * MINUTE_MS;
            users::record_failed_login(&state.db, user.id, security.lockout_threshold, lock_until).await?;
        }
        return Err(invalid());
    }
    if locked {
        let minutes = (user.locked_until.unwrap_or(now) - now + MINUTE_MS - 1) / MINUTE_MS;
        return Err(AppError::Forbidden(format!(
            "This account is locked after too many failed sign-in attempts. Try again in {minutes} minute(s), or ask an administrator to unlock it."
        )));
    }
    if !user.enabled {
        return Err(AppError::Forbidden("This account is disabled. Contact an administrator.".into()));
    }
    if !user.verified {
        return Err(AppError::Forbidden(
            "Please verify your email address first: follow the link in the email we sent you.".into(),
        ));
    }
    if !user.approved {
        return Err(AppError::Forbidden("Your account is waiting for approval by an administrator.".into()));
    }
    users::record_successful_login(&state.db, user.id).await?;
    Ok(user)
}

/// Where a login came from, recorded on the session.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Binds the browser session to `user` under a fresh session id, with the
/// configured absolute lifetime.
pub async fn start_session(
    state: &AppState,
    session: &Session,
    user: &UserRow,
    client: &ClientInfo,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    session.clear().await;
    session.insert("uid", user.id).await.map_err(internal)?;
    session.insert("gen", user.generation).await.map_err(internal)?;
    if let Some(ip) = &client.ip {
        session.insert("ip", ip).await.map_err(internal)?;
    }
    if let Some(ua) = &client.user_agent {
        let ua: String = ua.chars().take(512).collect();
        session.insert("ua", ua).await.map_err(internal)?;
    }
    let lifetime = time::Duration::minutes(state.settings.session_lifetime_minutes);
    session.set_expiry(Some(Expiry::AtDateTime(time::OffsetDateTime::now_utc() + lifetime)));
    Ok(())
}

/// The caller's address and user agent from the request.
pub fn client_info_from(parts: &http::request::Parts) -> ClientInfo {
    let ip = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|axum::extract::ConnectInfo(addr)| addr.ip().to_string());
    let user_agent = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    ClientInfo { ip, user_agent }
}

/// A local path to continue to after sign-in; anything else becomes `/`.
pub fn safe_next_path(next: &str) -> String {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if local && next != "/login" { next.to_string() } else { "/".to_string() }
}

#[cfg(test)]
mod tests {
    use super::safe_next_path;

    #[test]
    fn next_paths_stay_local() {
        assert_eq!(safe_next_path("/account"), "/account");
        assert_eq!(safe_next_path(""), "/");
        assert_eq!(safe_next_path("https://evil.example/"), "/");
        assert_eq!(safe_next_path("//evil.example/"), "/");
        assert_eq!(safe_next_path("/\\evil.example"), "/");
        assert_eq!(safe_next_path("/login"), "/");
    }
}
