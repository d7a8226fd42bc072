//! Admin → Security (SPEC §5): password expiry, the lockout and session
//! lengths as site settings (configuration keys are their defaults; every
//! change is audited with old and new values; a stale save is refused),
//! the accounts failed sign-ins have locked, and disabling accounts that
//! nobody signed in to for a number of days (run by the hourly sweep;
//! [`preview_inactive`] shows beforehand exactly whom it would disable).

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, settings_change_action, Action};
use crate::backend::service::audit::{self, AuditAction, Target};
use crate::backend::service::settings::{self, changes, overlay, with_values, STALE_SETTINGS};
use crate::backend::state::SiteSettings;
use crate::backend::store::site_settings;
use crate::backend::store::users::{inactivity, role_grants, sign_in_counters};
use crate::backend::time::{now_ms, DAY_MS};
use crate::backend::AppState;
use crate::model::{iso8601, AppError, InactivePreview, LockedAccount, SecurityForm};
use serde_json::Value;

/// Each value's setting (and field), what the form calls it, and its allowed range.
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
    RANGES.map(|(name, ..)| s.get(name).and_then(|v| v.as_i64()).unwrap_or_default())
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
    let values: Vec<(&str, Value)> = RANGES.iter().zip(new).map(|((name, ..), value)| (*name, value.into())).collect();
    let after = with_values(&before, &values);
    authorize(principal, settings_change_action(&before, &after))?;
    settings::require_recent_sign_in(state, caller).await?;
    let changes = changes(&before, &after, &RANGES.map(|(name, ..)| name));
    let event = (!changes.is_empty())
        .then(|| audit::event(caller.into(), AuditAction::SettingsChanged, Target::setting("security"), changes.details()));
    if !site_settings::save(&state.db, form.version, &values, now_ms(), event.as_ref()).await? {
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

    /// Each field of the form is a stored setting of the same name.
    #[test]
    fn the_form_fields_are_stored_settings() {
        let form = serde_json::to_value(SecurityForm::default()).unwrap();
        let fields: Vec<&str> = form.as_object().unwrap().keys().map(String::as_str).filter(|f| *f != "version").collect();
        assert_eq!(fields.len(), RANGES.len());
        for (name, ..) in RANGES {
            assert!(fields.contains(&name) && SiteSettings::NAMES.contains(&name), "{name}");
            assert!(site_settings::KEYS.iter().any(|(key, _)| *key == name), "{name} is stored");
        }
    }

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
