//! Admin → Security (SPEC §5): password expiry, the lockout and session
//! lengths as site settings (configuration keys are their defaults; every
//! change is audited with old and new values; a stale save is refused),
//! the accounts failed sign-ins have locked, and disabling accounts that
//! nobody signed in to for a number of days (run by the hourly sweep;
//! [`preview_inactive`] shows beforehand exactly whom it would disable).

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, settings_change_action, Action};
use crate::backend::service::audit::{self, AuditAction, Changes, Target};
use crate::backend::service::settings::{overlay, with_security, STALE_SETTINGS};
use crate::backend::service::settings;
use crate::backend::state::SiteSettings;
use crate::backend::store::site_settings::{self, SecurityValues};
use crate::backend::store::users::{inactivity, role_grants, sign_in_counters};
use crate::backend::time::{now_ms, DAY_MS};
use crate::backend::AppState;
use crate::model::{iso8601, AppError, InactivePreview, LockedAccount, SecurityForm};

/// Each value's field, what the form calls it, and its allowed range.
const RANGES: [(&str, &str, i64, i64); 7] = [
    ("password_expiry_days", "Password expiry (days)", 0, 36_500),
    ("lockout_threshold", "Failed sign-ins before a lock", 1, 100),
    ("lockout_minutes", "Lock length (minutes)", 1, 10_080),
    ("session_idle_minutes", "Idle timeout (minutes)", 1, 10_080),
    ("session_lifetime_minutes", "Session lifetime (minutes)", 1, 525_600),
    ("inactive_days", "Disable accounts unused for (days)", 0, 36_500),
    ("reauth_window_minutes", "Re-authentication window (minutes)", 1, 1_440),
];

fn values_of(s: &SiteSettings) -> [i64; 7] {
    [s.password_expiry_days, s.lockout_threshold, s.lockout_minutes, s.session_idle_minutes, s.session_lifetime_minutes, s.inactive_days, s.reauth_window_minutes]
}

pub async fn form(state: &AppState, principal: Option<&Principal>) -> Result<SecurityForm, AppError> {
    authorize(principal, Action::Administer)?;
    let stored = site_settings::load(&state.db).await?;
    let [expiry, threshold, lock, idle, lifetime, inactive, reauth] = values_of(&overlay(&state.settings, &stored)).map(|v| v.to_string());
    Ok(SecurityForm {
        version: stored.version,
        password_expiry_days: expiry,
        lockout_threshold: threshold,
        lockout_minutes: lock,
        session_idle_minutes: idle,
        session_lifetime_minutes: lifetime,
        inactive_days: inactive,
        reauth_window_minutes: reauth,
    })
}

/// The form's numbers, each checked against its range.
fn parse(form: &SecurityForm) -> Result<[i64; 7], AppError> {
    let typed = [
        &form.password_expiry_days,
        &form.lockout_threshold,
        &form.lockout_minutes,
        &form.session_idle_minutes,
        &form.session_lifetime_minutes,
        &form.inactive_days,
        &form.reauth_window_minutes,
    ];
    let mut values = [0; 7];
    for (i, ((field, label, min, max), text)) in RANGES.iter().zip(typed).enumerate() {
        values[i] = text.trim().parse::<i64>().ok().filter(|n| (*min..=*max).contains(n)).ok_or_else(|| {
            AppError::validation(field, format!("{label} must be a whole number from {min} to {max}"))
        })?;
    }
    Ok(values)
}

/// Saves the form; invalid input or a stale `version` changes nothing. The
/// new values apply on every instance within the settings cache's seconds,
/// sessions' lengths from each session's next request.
pub async fn save(state: &AppState, principal: Option<&Principal>, form: &SecurityForm) -> Result<(), AppError> {
    let caller = authorize(principal, Action::Administer)?;
    let new = parse(form)?;
    let before = overlay(&state.settings, &site_settings::load(&state.db).await?);
    let [password_expiry_days, lockout_threshold, lockout_minutes, session_idle_minutes, session_lifetime_minutes, inactive_days, reauth_window_minutes] = new;
    let values = SecurityValues {
        password_expiry_days,
        lockout_threshold,
        lockout_minutes,
        session_idle_minutes,
        session_lifetime_minutes,
        inactive_days,
        reauth_window_minutes,
        version: form.version,
    };
    authorize(principal, settings_change_action(&before, &with_security(before.clone(), &values)))?;
    settings::require_recent_sign_in(state, caller).await?;
    let mut changes = Changes::default();
    for ((field, ..), (old, new)) in RANGES.iter().zip(values_of(&before).iter().zip(new.iter())) {
        changes.note(field, old, new);
    }
    let event = (!changes.is_empty())
        .then(|| audit::event(caller.into(), AuditAction::SettingsChanged, Target::setting("security"), changes.details()));
    if !site_settings::save_security(&state.db, &values, now_ms(), event.as_ref()).await? {
        return Err(AppError::Conflict(STALE_SETTINGS.into()));
    }
    state.settings_cache.clear();
    Ok(())
}

/// The accounts locked now, latest lock first (at most 200).
pub async fn locked_accounts(state: &AppState, principal: Option<&Principal>) -> Result<Vec<LockedAccount>, AppError> {
    authorize(principal, Action::Administer)?;
    let rows = sign_in_counters::locked_now(&state.db, now_ms(), 200).await?;
    Ok(rows
        .into_iter()
        .map(|(username, failed_logins, until)| LockedAccount { username, failed_logins, locked_until: iso8601(until) })
        .collect())
}

/// Accounts the inactivity rule of `days` would disable now, in the order
/// the sweep takes them, without the admin it must keep: when every
/// enabled admin is inactive, the last of them in that order stays enabled.
async fn inactive_accounts(state: &AppState, days: i64) -> Result<Vec<(i64, String, Option<i64>)>, AppError> {
    let cutoff = now_ms() - days * DAY_MS;
    let mut found = inactivity::inactive_since(&state.db, cutoff).await?;
    let admins = role_grants::enabled_admin_ids(&state.db).await?;
    if !admins.is_empty() && admins.iter().all(|a| found.iter().any(|(id, ..)| id == a)) {
        if let Some(last) = found.iter().rposition(|(id, ..)| admins.contains(id)) {
            found.remove(last);
        }
    }
    Ok(found)
}

/// Admin → Security's preview: whom `days` (as typed) would disable now.
pub async fn preview_inactive(state: &AppState, principal: Option<&Principal>, days: &str) -> Result<InactivePreview, AppError> {
    authorize(principal, Action::Administer)?;
    let (field, label, min, max) = RANGES[5];
    let days = days.trim().parse::<i64>().ok().filter(|n| (min..=max).contains(n))
        .ok_or_else(|| AppError::validation(field, format!("{label} must be a whole number from {min} to {max}")))?;
    if days == 0 {
        return Ok(InactivePreview::default());
    }
    let found = inactive_accounts(state, days).await?;
    let mut usernames: Vec<String> = found.iter().map(|(_, name, _)| name.clone()).collect();
    usernames.sort_by_key(|n| n.to_lowercase());
    usernames.truncate(100);
    Ok(InactivePreview { count: found.len() as i64, usernames })
}

/// The sweep's part: disables each account the setting names (one event
/// each, by `system`); returns how many it disabled. Each is disabled by a
/// conditional update, so two sweeps at once disable an account once.
pub async fn disable_inactive(state: &AppState) -> Result<u64, AppError> {
    let days = settings::current(state).await?.inactive_days;
    if days == 0 {
        return Ok(0);
    }
    let cutoff = now_ms() - days * DAY_MS;
    let mut disabled = 0;
    for (id, username, last) in inactive_accounts(state, days).await? {
        let details = serde_json::json!({"reason": "inactive", "inactive_days": days, "last_sign_in": last.map(iso8601)});
        let event = audit::event(audit::Actor::System, AuditAction::UserDisabled, Target::user(id, &username), details);
        if inactivity::disable_if_inactive(&state.db, id, cutoff, &event).await? {
            disabled += 1;
        }
    }
    Ok(disabled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_is_checked_against_its_range() {
        let good = SecurityForm {
            version: 1,
            password_expiry_days: "90".into(),
            lockout_threshold: "5".into(),
            lockout_minutes: "15".into(),
            session_idle_minutes: "60".into(),
            session_lifetime_minutes: "720".into(),
            inactive_days: "0".into(),
            reauth_window_minutes: "10".into(),
        };
        assert_eq!(parse(&good).unwrap(), [90, 5, 15, 60, 720, 0, 10]);
        let bad = [
            SecurityForm { password_expiry_days: "-1".into(), ..good.clone() },
            SecurityForm { lockout_threshold: "0".into(), ..good.clone() },
            SecurityForm { lockout_minutes: "ten".into(), ..good.clone() },
            SecurityForm { session_idle_minutes: "".into(), ..good.clone() },
            SecurityForm { session_lifetime_minutes: "9999999".into(), ..good.clone() },
            SecurityForm { inactive_days: "-5".into(), ..good.clone() },
            SecurityForm { reauth_window_minutes: "0".into(), ..good.clone() },
        ];
        for (form, (field, ..)) in bad.iter().zip(RANGES) {
            assert_eq!(parse(form).unwrap_err().field(), Some(field));
        }
    }
}
