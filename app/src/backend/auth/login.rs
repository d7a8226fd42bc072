//! Password login with lockout, and starting a browser session for it.
//!
//! Unknown usernames, wrong passwords and locked accounts (whatever the
//! password) get the same error after the same argon2 work. A disabled,
//! unverified or unapproved account is only described to someone who gave
//! its correct password. Every check is charged to the client's address
//! before it runs ("count before you work").

use crate::backend::auth::client_addr::{rate_key, ClientAddr};
use crate::backend::auth::external::{self, ProviderAnswer};
use crate::backend::auth::rate_limit::too_many;
use crate::backend::{internal, policy};
use crate::backend::service::audit::{self, Actor, AuditAction, Target};
use crate::backend::service::settings;
use serde_json::json;
use crate::backend::store::auth_failures;
use crate::backend::store::two_factor as store_two_factor;
use crate::backend::store::users::{self, sign_in_counters, UserRow};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::AppState;
use crate::backend::auth::principal::SESSION_PROVEN;
use crate::backend::policy::{PASSWORD_EXPIRED, TWO_FACTOR_REQUIRED};
use crate::model::url::is_local_path;
use crate::model::AppError;
use tower_sessions::{Expiry, Session};

pub const INVALID_CREDENTIALS: &str = "Invalid username or password";

/// Longest password we will hash at login; anything longer cannot be valid.
const MAX_LOGIN_PASSWORD_BYTES: usize = 1024;

fn invalid() -> AppError {
    AppError::Unauthenticated(INVALID_CREDENTIALS.to_string())
}

/// One password check charged to a client address for this minute.
pub struct Charge {
    key: String,
    window: i64,
}

/// Charges one password check to `ip` *before* any hashing, in the one
/// statement that also reads the new count, so concurrent requests cannot
/// all slip under the limit; refuses (429) past `login_rate_limit`. A check
/// that succeeds is given back ([`refund`]), so the limit counts failures.
/// The first refusal in each minute is audited (one event per address and
/// minute, however many requests a flood sends).
pub async fn charge_password_check(state: &AppState, ip: Option<&str>, door: &'static str) -> Result<Option<Charge>, AppError> {
    let Some(ip) = ip else { return Ok(None) };
    let now = now_ms();
    let window = now - now.rem_euclid(MINUTE_MS);
    let key = format!("login:{}", rate_key(ip));
    let count = auth_failures::record_and_count(&state.db, &key, window).await?;
    let limit = state.settings.login_rate_limit;
    if count > limit {
        count_sign_in("rate_limited");
        if count == limit + 1 {
            let details = json!({"reason": "rate_limited", "door": door, "limit_per_minute": limit});
            audit::record(state, &audit::event(Actor::Anonymous, AuditAction::SignInFailed, Target::default(), details)).await?;
        }
        return Err(too_many("Too many failed sign-in attempts from your address", window + MINUTE_MS - now));
    }
    Ok(Some(Charge { key, window }))
}

/// Gives back a charged check that turned out to be a correct password.
pub async fn refund(state: &AppState, charge: Option<Charge>) -> Result<(), AppError> {
    if let Some(c) = charge {
        auth_failures::refund(&state.db, &c.key, c.window).await?;
    }
    Ok(())
}

/// Checks `password` against `user` under the lockout rules, after the
/// caller charged the check to the client's address. A locked account is
/// not checked at all (a dummy hash costs the same time) and answers
/// `false` whatever the password; a wrong password counts toward the lock.
/// The lock is decided by the conditional updates themselves, so a check
/// that started before a concurrent lock cannot clear it or pass it.
pub async fn check_password(state: &AppState, user: Option<&UserRow>, password: &str) -> Result<bool, AppError> {
    let password = if password.len() <= MAX_LOGIN_PASSWORD_BYTES { password } else { "" };
    let now = now_ms();
    let checkable = user.filter(|u| !u.is_locked(now));
    let matched = state.hasher.verify(password, checkable.map(|u| u.password_hash.as_str())).await?
        && !password.is_empty();
    let Some(user) = checkable else { return Ok(false) };
    // Hashing took a while: the lock is judged as of now.
    let now = now_ms();
    if matched {
        return Ok(password_matched(state, user.id, now).await?);
    }
    let security = settings::current(state).await?;
    let lock_until = now + security.lockout_minutes * MINUTE_MS;
    sign_in_counters::record_failed_login(&state.db, user.id, security.lockout_threshold, now, lock_until).await?;
    Ok(false)
}

/// After a correct password: an account with a second factor keeps its
/// failure count (only the second step clears it, so knowing the password
/// does not reset the lockout of code guesses) and passes if not locked;
/// any other account has its count cleared unless locked, as before.
async fn password_matched(state: &AppState, user_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    if store_two_factor::has_second_factor(&state.db, user_id).await? {
        return store_two_factor::is_unlocked(&state.db, user_id, now).await;
    }
    sign_in_counters::clear_failures_unless_locked(&state.db, user_id, now).await
}

/// Counts a sign-in attempt for `/metrics` by how it ended.
pub(crate) fn count_sign_in(outcome: &str) {
    metrics::counter!("gatehouse_sign_ins_total", "outcome" => outcome.to_string()).increment(1);
}

/// Audits a refused sign-in through `door` (`form`, `basic`, `jwt`).
pub(crate) async fn refused(state: &AppState, user: Option<&UserRow>, typed: &str, reason: &str, door: &str) -> Result<(), AppError> {
    count_sign_in(reason);
    let (target, details) = match user {
        Some(u) => (Target::user(u.id, &u.username), json!({"reason": reason, "door": door})),
        None => (Target::default(), json!({"reason": reason, "door": door, "username": audit::typed_username(typed)})),
    };
    audit::record(state, &audit::event(Actor::Anonymous, AuditAction::SignInFailed, target, details)).await
}

/// Why an account that gave its correct password may not sign in, as the audit log names it.
fn refusal_reason(user: &UserRow) -> &'static str {
    let standing = user.standing();
    if !standing.enabled {
        "disabled"
    } else if !standing.verified {
        "unverified"
    } else {
        "unapproved"
    }
}

/// The account a typed username names: none when the text could not be
/// a username (too long, or with a control character such as NUL, which
/// PostgreSQL refuses), so such a sign-in fails as an unknown user does.
async fn account_named(state: &AppState, username: &str) -> Result<Option<UserRow>, AppError> {
    if username.len() > 100 || username.chars().any(char::is_control) {
        return Ok(None);
    }
    Ok(users::find_by_username(&state.db, username).await?)
}

/// A correct password from an account in good standing: what is left of
/// signing in is the second step, if the account has one, and then
/// [`complete_sign_in`], which audits it with `details`.
pub struct FirstFactor {
    pub user: UserRow,
    pub door: &'static str,
    pub details: serde_json::Value,
}

/// Checks a username and password from client address `ip` and applies the
/// rate limit and lockout rules; every outcome is audited under `door`. A
/// password-only door: an account with a second factor is refused (after
/// its correct password, so the answer reveals nothing to a guesser).
pub async fn authenticate(state: &AppState, username: &str, password: &str, ip: Option<&str>, door: &'static str) -> Result<UserRow, AppError> {
    let passed = check_first_factor(state, username, password, ip, door).await?;
    if store_two_factor::has_second_factor(&state.db, passed.user.id).await? {
        refused(state, Some(&passed.user), username, "second_factor_required", door).await?;
        return Err(AppError::Unauthenticated(TWO_FACTOR_REQUIRED.into()));
    }
    complete_sign_in(state, passed).await
}

/// Records a sign-in that passed every step: its time and its audit event.
pub async fn complete_sign_in(state: &AppState, passed: FirstFactor) -> Result<UserRow, AppError> {
    let user = passed.user;
    let event = audit::event(Actor::Named(user.id, &user.username), AuditAction::SignIn, Target::user(user.id, &user.username), passed.details);
    sign_in_counters::record_successful_login(&state.db, user.id, &event).await?;
    count_sign_in("success");
    Ok(user)
}

/// The first step of signing in: a username and password checked under the
/// rate limit and lockout rules, refusals audited under `door`; the
/// sign-in itself is not recorded yet.
pub async fn check_first_factor(state: &AppState, username: &str, password: &str, ip: Option<&str>, door: &'static str) -> Result<FirstFactor, AppError> {
    let username = username.trim();
    if username.is_empty() {
        return Err(AppError::validation("username", "Enter your username"));
    }
    if password.is_empty() {
        return Err(AppError::validation("password", "Enter your password"));
    }
    let charge = charge_password_check(state, ip, door).await?;
    if let Some(url) = &state.settings.external_auth_url {
        return external_sign_in(state, url, username, password, charge, door).await;
    }
    let user = account_named(state, username).await?;
    let was_locked = user.as_ref().is_some_and(|u| u.is_locked(now_ms()));
    if !check_password(state, user.as_ref(), password).await? {
        let reason = match &user {
            None => "unknown_user",
            Some(_) if was_locked => "locked",
            Some(_) => "wrong_password",
        };
        refused(state, user.as_ref(), username, reason, door).await?;
        return Err(invalid());
    }
    refund(state, charge).await?;
    let user = user.ok_or_else(invalid)?;
    if let Some(refusal) = policy::account_refusal(user.standing()) {
        refused(state, Some(&user), username, refusal_reason(&user), door).await?;
        return Err(AppError::Forbidden(refusal.into()));
    }
    // An expired password opens only the web page's change-password form.
    let expired = password_expired(state, &user).await?;
    if expired && door != "form" {
        refused(state, Some(&user), username, "expired", door).await?;
        return Err(AppError::Unauthenticated(PASSWORD_EXPIRED.into()));
    }
    let details = if expired { json!({"door": door, "password_expired": true}) } else { json!({"door": door}) };
    Ok(FirstFactor { user, door, details })
}

/// Signs in through the external provider at `url`: it decides the
/// password, and its answer creates or updates the local account. The
/// per-address limit applies; the local lockout and expiry do not.
async fn external_sign_in(state: &AppState, url: &str, username: &str, password: &str, charge: Option<Charge>, door: &'static str) -> Result<FirstFactor, AppError> {
    let answer = match password.len() <= MAX_LOGIN_PASSWORD_BYTES && username.len() <= 100 {
        true => external::ask_provider(url, username, password).await,
        false => ProviderAnswer::No,
    };
    let identity = match answer {
        ProviderAnswer::Yes(identity) => identity,
        refusal => {
            let user = account_named(state, username).await?;
            refused(state, user.as_ref(), username, "external_refused", door).await?;
            if let (ProviderAnswer::AccountRefused, Some(user)) = (refusal, &user) {
                external::end_credentials(state, user, "external_refused").await?;
            }
            return Err(invalid());
        }
    };
    refund(state, charge).await?;
    let user = external::provision(state, &identity).await?;
    if let Some(refusal) = policy::account_refusal(user.standing()) {
        refused(state, Some(&user), username, refusal_reason(&user), door).await?;
        if !user.enabled {
            external::end_credentials(state, &user, "disabled").await?;
        }
        return Err(AppError::Forbidden(refusal.into()));
    }
    Ok(FirstFactor { user, door, details: json!({"door": door, "external": true}) })
}

/// When `user`'s password expires under the site's rule in force (`None`: never).
pub async fn password_expires_at(state: &AppState, user: &UserRow) -> Result<Option<i64>, AppError> {
    let days = settings::current(state).await?.password_expiry_days;
    Ok(policy::password_expires_at(user.password_changed_at, user.non_expiring, days))
}

/// Whether `user`'s password is past the site's expiry now.
pub async fn password_expired(state: &AppState, user: &UserRow) -> Result<bool, AppError> {
    Ok(password_expires_at(state, user).await?.is_some_and(|at| at <= now_ms()))
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
    let lifetime = time::Duration::minutes(settings::current(state).await?.session_lifetime_minutes);
    session.set_expiry(Some(Expiry::AtDateTime(time::OffsetDateTime::now_utc() + lifetime)));
    Ok(())
}

/// Records on the browser session that its sign-in was proven now (the
/// password, and the second factor when the account has one): at sign-in
/// and on re-authentication, never for a session opened with a token.
pub async fn mark_proven(session: &Session) -> Result<(), AppError> {
    session.insert(SESSION_PROVEN, now_ms()).await.map_err(internal)
}

/// The caller's address and user agent from the request.
pub fn client_info_from(parts: &http::request::Parts) -> ClientInfo {
    let ip = parts.extensions.get::<ClientAddr>().map(|ClientAddr(ip)| ip.to_string()).or_else(|| {
        parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|axum::extract::ConnectInfo(addr)| addr.ip().to_string())
    });
    let user_agent = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    ClientInfo { ip, user_agent }
}

/// The path (with its query) of a `Referer` sent by the browser, made safe
/// by [`safe_next_path`]: where a plain form refused for an old sign-in
/// returns after the confirm page. Anything else is the home page.
pub fn local_part_of(referer: &str, public_url: &str) -> String {
    let Ok(url) = url::Url::parse(referer) else { return "/".into() };
    let mut path = url.path().to_string();
    if let Some(query) = url.query() {
        path.push('?');
        path.push_str(query);
    }
    safe_next_path(&path, public_url)
}

/// Where to continue after sign-in: `next` resolved against `public_url`
/// as a browser resolves it (dot segments removed, `%2e` read as `.`),
/// when both `next` and that result are paths on this site
/// ([`is_local_path`]: no `//host`, no backslash, no control character or
/// whitespace, raw or percent-encoded) and not the sign-in page; else `/`.
/// The answer is the resolved path, so the check covers what the browser
/// is sent: `/.//evil.example` resolves to `//evil.example` and goes home.
pub fn safe_next_path(next: &str, public_url: &str) -> String {
    let home = || "/".to_string();
    if !is_local_path(next) {
        return home();
    }
    let Ok(base) = url::Url::parse(public_url) else { return home() };
    let Ok(target) = base.join(next) else { return home() };
    if target.origin() != base.origin() || target.path() == "/login" {
        return home();
    }
    let mut resolved = target.path().to_string();
    if let Some(query) = target.query() {
        resolved.push('?');
        resolved.push_str(query);
    }
    if let Some(fragment) = target.fragment() {
        resolved.push('#');
        resolved.push_str(fragment);
    }
    if is_local_path(&resolved) { resolved } else { home() }
}

#[cfg(test)]
mod tests {
    use super::safe_next_path;
    use crate::model::url::HOSTILE_TARGETS;

    const SITE: &str = "https://gatehouse.example";

    #[test]
    fn next_paths_stay_local() {
        assert_eq!(safe_next_path("/account", SITE), "/account");
        assert_eq!(safe_next_path("/projects/p1?tab=users#top", SITE), "/projects/p1?tab=users#top");
        assert_eq!(safe_next_path("/admin/users?search=a%20b", SITE), "/admin/users?search=a%20b");
        assert_eq!(safe_next_path("/login", SITE), "/");
        assert_eq!(safe_next_path("", SITE), "/");
    }

    #[test]
    fn a_referer_gives_its_local_path_only() {
        assert_eq!(super::local_part_of("http://127.0.0.1:4000/admin/users/lena?x=1", SITE), "/admin/users/lena?x=1");
        assert_eq!(super::local_part_of("not a url", SITE), "/");
        for next in crate::model::url::HOSTILE_TARGETS.iter().copied() {
            assert_eq!(super::local_part_of(&format!("{SITE}{next}"), SITE).starts_with("//"), false, "{next:?}");
            assert_eq!(super::local_part_of(next, SITE), "/", "{next:?}");
        }
    }

    #[test]
    fn hostile_next_values_go_home() {
        for next in HOSTILE_TARGETS.iter().copied() {
            assert_eq!(safe_next_path(next, SITE), "/", "{next:?}");
        }
    }
}
