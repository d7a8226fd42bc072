//! The second step of signing in: after a correct password, an account with
//! a second factor (today an authenticator app, with recovery codes as the
//! way back) must also give a code.
//!
//! The half-signed-in state is a row of `sign_in_steps`, keyed by a hash of
//! a random step id the client holds (a cookie for the browser), so the
//! second step can land on any instance; it lasts five minutes and counts
//! only for the credential generation it began under. A code is checked
//! exactly like a password: charged to the client's address first (the
//! per-address limit), refused without a look while the account is locked,
//! and a wrong one counts toward the lockout. A wrong code and a step that
//! has expired (or never was) get the same answer.

use crate::backend::auth::login::{self, FirstFactor};
use crate::backend::auth::secrets::{random_hex, sha256_hex};
use crate::backend::auth::totp;
use crate::backend::service::audit::{self, Actor, AuditAction, Target};
use crate::backend::service::{mail, settings};
use crate::backend::store::two_factor::{self, NewStep};
use crate::backend::store::users::{self, sign_in_counters, UserRow};
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::{internal, policy, AppState};
use crate::model::AppError;
use rand::Rng;

/// How long a second step waits for its code.
pub const STEP_LIFETIME_MS: i64 = 5 * MINUTE_MS;

/// The one answer to a wrong code, a used one, and a step that has expired.
pub const WRONG_CODE: &str = "That code is not right, or this sign-in has expired: try again";

/// The name of the browser's cookie that holds the step id.
pub const STEP_COOKIE: &str = "gatehouse_second_step";

/// Context of a sealed TOTP secret: the row it belongs to.
pub fn totp_context(user_id: i64) -> String {
    format!("totp:{user_id}")
}

/// Characters of a recovery code (shown as two groups of five).
const RECOVERY_CODE_LEN: usize = 10;
/// Letters and digits that cannot be mistaken for one another.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A recovery code as stored and compared: lower case, without the dash or
/// spaces; `None` when it cannot be one.
pub fn normalise_recovery_code(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_lowercase()).collect();
    (code.len() == RECOVERY_CODE_LEN && code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))).then_some(code)
}

pub fn new_recovery_code() -> String {
    let mut rng = rand::thread_rng();
    let raw: String = (0..RECOVERY_CODE_LEN).map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char).collect();
    format!("{}-{}", &raw[..5], &raw[5..])
}

/// Starts the second step of `passed`; returns the step id for the client.
pub async fn begin(state: &AppState, passed: &FirstFactor) -> Result<String, AppError> {
    let id = random_hex(32);
    let now = now_ms();
    let details = passed.details.to_string();
    let step = NewStep {
        id_hash: &sha256_hex(&id),
        user_id: passed.user.id,
        generation: passed.user.generation,
        door: passed.door,
        details: &details,
        now,
        expires_at: now + STEP_LIFETIME_MS,
    };
    two_factor::insert_step(&state.db, &step).await?;
    Ok(id)
}

fn wrong_code(field: Option<&str>) -> AppError {
    match field {
        Some(field) => AppError::validation(field, WRONG_CODE),
        None => AppError::Unauthenticated(WRONG_CODE.into()),
    }
}

/// Finishes the second step `step_id` with `code` from `ip`: the sign-in
/// that began with the password, now complete and audited. Errors name
/// the form field `code`.
pub async fn finish(state: &AppState, step_id: &str, code: &str, ip: Option<&str>) -> Result<UserRow, AppError> {
    if code.trim().is_empty() {
        return Err(AppError::validation("code", "Enter the code from your app, or a recovery code"));
    }
    let id_hash = sha256_hex(step_id);
    let charge = login::charge_password_check(state, ip, "second_step").await?;
    let Some(step) = two_factor::find_step(&state.db, &id_hash, now_ms()).await? else {
        login::refused(state, None, "", "second_step_expired", "second_step").await?;
        return Err(wrong_code(Some("code")));
    };
    let door: &'static str = if step.door == "form" { "form" } else { "second_step" };
    let user = users::find_by_id(&state.db, step.user_id).await?.filter(|u| u.generation == step.generation);
    let Some(user) = user else {
        two_factor::take_step(&state.db, &id_hash, now_ms()).await?;
        return Err(wrong_code(Some("code")));
    };
    if !check_code(state, &user, code, door).await? || !two_factor::take_step(&state.db, &id_hash, now_ms()).await? {
        return Err(wrong_code(Some("code")));
    }
    login::refund(state, charge).await?;
    finish_standing(state, &user, door).await?;
    let details = serde_json::from_str(&step.details).unwrap_or_else(|_| serde_json::json!({"door": door}));
    let mut details: serde_json::Value = details;
    details["second_factor"] = serde_json::Value::Bool(true);
    login::complete_sign_in(state, FirstFactor { user, door, details }).await
}

/// The second step given with the password in one request (`otp` on
/// `POST /users/authenticate`): the code is charged and counted like a
/// password; a wrong one answers 401.
pub async fn complete_with_code(state: &AppState, passed: FirstFactor, code: &str, ip: Option<&str>) -> Result<UserRow, AppError> {
    let charge = login::charge_password_check(state, ip, passed.door).await?;
    if !check_code(state, &passed.user, code, passed.door).await? {
        return Err(wrong_code(None));
    }
    login::refund(state, charge).await?;
    let mut passed = passed;
    passed.details["second_factor"] = serde_json::Value::Bool(true);
    login::complete_sign_in(state, passed).await
}

/// A step that passed its code still needs the account in good standing
/// now (it may have been disabled during the five minutes).
async fn finish_standing(state: &AppState, user: &UserRow, door: &str) -> Result<(), AppError> {
    if let Some(refusal) = policy::account_refusal(user.standing()) {
        login::refused(state, Some(user), &user.username, "disabled", door).await?;
        return Err(AppError::Forbidden(refusal.into()));
    }
    Ok(())
}

/// Checks a second-step code for `user` under the lockout rules: a locked
/// account is not checked; a wrong code counts toward the lock and is
/// audited; a right one clears the count (unless a lock came meanwhile).
/// A 6-digit code is an app code (accepted once, within one step of now);
/// anything else is tried as a recovery code (each works once).
pub async fn check_code(state: &AppState, user: &UserRow, code: &str, door: &'static str) -> Result<bool, AppError> {
    let now = now_ms();
    let locked = !two_factor::is_unlocked(&state.db, user.id, now).await?;
    let matched = !locked && code_matches(state, user, code, door).await?;
    let now = now_ms();
    if matched && sign_in_counters::clear_failures_unless_locked(&state.db, user.id, now).await? {
        return Ok(true);
    }
    if !locked && !matched {
        let security = settings::current(state).await?;
        sign_in_counters::record_failed_login(&state.db, user.id, security.lockout_threshold, now, now + security.lockout_minutes * MINUTE_MS).await?;
    }
    login::refused(state, Some(user), &user.username, if locked { "locked" } else { "wrong_code" }, door).await?;
    Ok(false)
}

async fn code_matches(state: &AppState, user: &UserRow, code: &str, door: &str) -> Result<bool, AppError> {
    if totp::normalise(code).is_some() {
        let Some(row) = two_factor::totp_of(&state.db, user.id).await?.filter(|r| r.confirmed_at.is_some()) else {
            return Ok(false);
        };
        let secret = open_secret(state, user.id, &row.secret_sealed)?;
        let Some(step) = totp::matching_step(&secret, code, totp::step_at(now_ms() / 1000)) else { return Ok(false) };
        return Ok(two_factor::use_totp_step(&state.db, user.id, step).await?);
    }
    let Some(code) = normalise_recovery_code(code) else { return Ok(false) };
    let hash = state.credential_keys.mac(&code);
    let event = audit::event(
        Actor::Named(user.id, &user.username),
        AuditAction::RecoveryCodeUsed,
        Target::user(user.id, &user.username),
        serde_json::json!({"door": door}),
    );
    let used = two_factor::use_recovery_code(&state.db, user.id, &hash, now_ms(), &event).await?;
    if used {
        mail::security_notice(state, user, "A recovery code was used", "a recovery code was used to sign in to your account. Each code works once; make a new set under My account → Sign-in security if few are left.").await?;
    }
    Ok(used)
}

/// The secret of a sealed TOTP row; a row that does not open (the site key
/// changed) is an internal error with the reason in the log.
pub fn open_secret(state: &AppState, user_id: i64, sealed: &str) -> Result<Vec<u8>, AppError> {
    let text = state
        .credential_keys
        .decrypt(sealed, &totp_context(user_id))
        .map_err(|_| internal("a stored TOTP secret does not open with the current secret_key"))?;
    totp::base32_decode(&text).ok_or_else(|| internal("a stored TOTP secret is not base32"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::service::two_factor as enrolment;
    use crate::backend::test_support::{plain_principal, test_state};

    /// The replay rule as a sign-in meets it: within the window, a code of
    /// the step last used, or of any earlier step, is refused; a later one is taken.
    #[tokio::test]
    async fn a_code_of_the_step_last_used_or_an_earlier_one_is_refused() {
        let state = test_state().await;
        let caller = plain_principal();
        let new = users::NewUser {
            username: &caller.username,
            display_name: None,
            email: None,
            password_hash: "x",
            must_change_password: false,
            roles: &["user"],
        };
        let event = audit::event(Actor::System, AuditAction::UserCreated, Target::user(0, &caller.username), serde_json::json!({}));
        assert_eq!(users::insert(&state.db, &new, event).await.unwrap(), caller.user_id);
        let shown = enrolment::begin_totp(&state, Some(&caller)).await.unwrap().secret;
        let secret = totp::base32_decode(&shown).unwrap();
        // Room for the whole test within one step.
        let left_ms = totp::STEP_SECONDS * 1000 - now_ms().rem_euclid(totp::STEP_SECONDS * 1000);
        if left_ms < 3_000 {
            tokio::time::sleep(std::time::Duration::from_millis(left_ms as u64 + 20)).await;
        }
        let now = totp::step_at(now_ms() / 1000);
        let codes = enrolment::confirm_totp(&state, Some(&caller), &totp::code(&secret, now - 1)).await.unwrap();
        assert_eq!(codes.codes.len(), 10);
        let user = users::find_by_id(&state.db, caller.user_id).await.unwrap().unwrap();
        let check = |step: i64| {
            let (state, user, code) = (state.clone(), user.clone(), totp::code(&secret, step));
            async move { check_code(&state, &user, &code, "form").await.unwrap() }
        };
        assert!(!check(now - 1).await, "the step the confirmation used");
        assert!(check(now).await, "a later step");
        assert!(!check(now).await, "the same step again");
        assert!(!check(now - 1).await, "an earlier step, though within the window");
        assert!(check(now + 1).await, "the next step");
        assert!(!check(now).await && !check(now + 1).await, "neither earlier nor the same");
        let failed = users::find_by_id(&state.db, user.id).await.unwrap().unwrap().failed_logins;
        assert_eq!(failed, 2, "each refusal counts toward the lockout; a success cleared the earlier ones");
    }
}
