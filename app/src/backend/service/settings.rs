//! Site settings (SPEC §2, §5): the configured defaults overlaid with what
//! admins saved in the `site_settings` table. Every instance reads the
//! table, keeping a copy for at most [`CACHE_FOR`]; so several instances on
//! one PostgreSQL agree within that time. Every saved change is audited with
//! its old and new values.
//!
//! The audit retention guards the audit log: at least [`MIN_RETENTION_DAYS`]
//! (0 = forever); raising it takes effect at once, lowering it only after
//! [`RETENTION_LOWERING_DELAY_MS`] (the form says when); and changing it is
//! `Action::AdministerCredentials` — a token cannot make the log forget.

use crate::backend::auth::{password, Principal};
use crate::backend::policy::{authorize, settings_change_action, Action};
use crate::backend::service::audit::{self, AuditAction, Changes, Target};
use crate::backend::state::SiteSettings;
use crate::backend::store::site_settings::{self, StoredSettings};
use crate::backend::time::{now_ms, DAY_MS};
use crate::backend::{policy, AppState};
use crate::model::{iso8601, AppError, PublicSiteInfo, SettingsForm, PASSWORD_MAX_LENGTH};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// How long one instance may use settings it read before reading them again.
pub const CACHE_FOR: Duration = Duration::from_secs(2);

pub const STALE_SETTINGS: &str = "The settings were changed by someone else; reload the page and try again.";

/// The settings in force: configuration defaults overlaid with stored values
/// (shared, since most requests read one or two of them).
pub async fn current(state: &AppState) -> Result<Arc<SiteSettings>, AppError> {
    if let Some(settings) = state.settings_cache.get(CACHE_FOR) {
        return Ok(settings);
    }
    let stored = site_settings::load(&state.db).await?;
    let settings = Arc::new(overlay(&state.settings, &stored));
    state.settings_cache.put(settings.clone());
    Ok(settings)
}

/// The settings in force from `stored`: each stored value laid over its
/// default (one that does not fit is logged and ignored), the audit
/// retention as [`retention`] has it.
pub(crate) fn overlay(defaults: &SiteSettings, stored: &StoredSettings) -> SiteSettings {
    let mut s = defaults.overlaid(&stored.values);
    s.audit_retention_days = retention(defaults, stored, now_ms()).in_force;
    s
}

/// Sensitive actions call this: [`policy::require_recent_sign_in`]
/// with the re-authentication window in force.
pub async fn require_recent_sign_in(state: &AppState, caller: &Principal) -> Result<(), AppError> {
    let settings = current(state).await?;
    policy::require_recent_sign_in(caller, &settings)
}

/// `old` with `values` (setting name, new value) set: what a save puts in force.
pub(crate) fn with_values(old: &SiteSettings, values: &[(&str, Value)]) -> SiteSettings {
    let mut new = old.clone();
    for (name, value) in values {
        let _ = new.set(name, value);
    }
    new
}

/// Each of the settings `names` that differs between `old` and `new`.
pub(crate) fn changes(old: &SiteSettings, new: &SiteSettings, names: &[&str]) -> Changes {
    let mut changes = Changes::default();
    for name in names {
        changes.note(name, old.get(name), new.get(name));
    }
    changes
}

/// Checks a new password against the rules in force (length, common passwords).
pub async fn check_password(state: &AppState, password: &str, field: &str) -> Result<(), AppError> {
    let min_length = current(state).await?.password_min_length;
    password::check_new_password(password, min_length, field)
}

/// What anyone may know before signing in (the login and register pages).
pub async fn public_info(state: &AppState, principal: Option<&Principal>) -> Result<PublicSiteInfo, AppError> {
    policy::authorize_public(principal, Action::ReadPublicSiteInfo)?;
    let s = current(state).await?;
    Ok(PublicSiteInfo {
        site_name: s.site_name.clone(),
        registration_open: s.registration_open && !state.accounts_external(),
        password_min_length: s.password_min_length,
        accounts_external: state.accounts_external(),
    })
}

/// The Admin → Settings form with the values in force.
pub async fn form(state: &AppState, principal: Option<&Principal>) -> Result<SettingsForm, AppError> {
    authorize(principal, Action::Administer)?;
    let stored = site_settings::load(&state.db).await?;
    let s = overlay(&state.settings, &stored);
    let kept = retention(&state.settings, &stored, now_ms());
    Ok(SettingsForm {
        version: stored.version,
        registration_open: s.registration_open,
        require_email_verification: s.require_email_verification,
        require_admin_approval: s.require_admin_approval,
        notify_admins: s.notify_admins,
        owners_may_invite_new_people: s.owners_may_invite_new_people,
        password_min_length: s.password_min_length.to_string(),
        require_login: s.require_login,
        storage_limiter: s.storage_limiter,
        allow_non_expiring_tokens: s.allow_non_expiring_tokens,
        audit_retention_days: kept.shown().to_string(),
        audit_retention_note: kept.note(),
    })
}

/// The minimum password length typed in the form: a whole number 1..=128.
pub fn parse_min_length(text: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=PASSWORD_MAX_LENGTH as i64).contains(n))
        .ok_or_else(|| {
            AppError::validation(
                "password_min_length",
                format!("Minimum password length must be a whole number from 1 to {PASSWORD_MAX_LENGTH}"),
            )
        })
}

/// The settings Admin → Settings edits (besides the audit retention).
pub const SETTINGS_FORM: [&str; 9] = [
    "registration_open",
    "require_email_verification",
    "require_admin_approval",
    "notify_admins",
    "owners_may_invite_new_people",
    "password_min_length",
    "require_login",
    "storage_limiter",
    "allow_non_expiring_tokens",
];

/// Longest audit retention: a hundred years.
pub const MAX_RETENTION_DAYS: i64 = 36_500;
/// Shortest audit retention (0, forever, is allowed too).
pub const MIN_RETENTION_DAYS: i64 = 30;
/// How long a lowered retention waits before the sweep uses it.
pub const RETENTION_LOWERING_DELAY_MS: i64 = 7 * DAY_MS;

/// The audit retention typed in the form: 0 (forever) or whole days 30..=36,500.
pub fn parse_retention_days(text: &str) -> Result<i64, AppError> {
    let allowed = |n: &i64| *n == 0 || (MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(n);
    text.trim().parse::<i64>().ok().filter(allowed).ok_or_else(|| {
        AppError::validation(
            "audit_retention_days",
            format!("Keep audit events for 0 days (forever) or a whole number of days from {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS}"),
        )
    })
}

/// The audit retention at one moment: what the sweep uses, and a lowering
/// that waits (its days and when it takes effect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub in_force: i64,
    pub pending: Option<(i64, i64)>,
}

/// Days as a length to compare: 0 keeps forever, the longest.
fn kept_for(days: i64) -> i64 {
    if days == 0 { i64::MAX } else { days }
}

/// The retention at `now` from the stored row: a due lowering is in force;
/// a value below the minimum (stored before it existed) counts as the minimum.
pub fn retention(defaults: &SiteSettings, stored: &StoredSettings, now: i64) -> Retention {
    let floor = |days: i64| if days == 0 { 0 } else { days.max(MIN_RETENTION_DAYS) };
    let days = floor(stored.int("audit_retention_days").unwrap_or(defaults.audit_retention_days));
    match (stored.int("audit_retention_pending_days"), stored.int("audit_retention_pending_at")) {
        (Some(pending), Some(at)) if at <= now => Retention { in_force: floor(pending), pending: None },
        (Some(pending), Some(at)) => Retention { in_force: days, pending: Some((floor(pending), at)) },
        _ => Retention { in_force: days, pending: None },
    }
}

impl Retention {
    /// What the form shows: the value chosen last (a waiting lowering's).
    pub fn shown(&self) -> i64 {
        self.pending.map_or(self.in_force, |(days, _)| days)
    }

    /// "Lowered to N days: takes effect on DATE" while a lowering waits.
    pub fn note(&self) -> Option<String> {
        self.pending.map(|(days, at)| {
            let when = iso8601(at);
            format!("Lowered to {days} days: takes effect on {} {} UTC", &when[..10], &when[11..16])
        })
    }

    /// After the admin typed `days` at `now`: unchanged keeps a waiting
    /// lowering; longer takes effect at once; shorter waits its delay.
    pub fn after_choosing(self, days: i64, now: i64) -> Retention {
        if days == self.shown() {
            self
        } else if kept_for(days) >= kept_for(self.in_force) {
            Retention { in_force: days, pending: None }
        } else {
            Retention { in_force: self.in_force, pending: Some((days, now + RETENTION_LOWERING_DELAY_MS)) }
        }
    }
}

/// Saves the form; invalid input or a stale `version` changes nothing.
/// The change is audited with each setting's old and new value.
pub async fn save(state: &AppState, principal: Option<&Principal>, form: &SettingsForm) -> Result<(), AppError> {
    let caller = authorize(principal, Action::Administer)?;
    let min_length = parse_min_length(&form.password_min_length)?;
    let chosen_retention = parse_retention_days(&form.audit_retention_days)?;
    let stored = site_settings::load(&state.db).await?;
    let now = now_ms();
    let before = retention(&state.settings, &stored, now);
    let changes_retention = chosen_retention != before.shown();
    if changes_retention {
        authorize(principal, Action::AdministerCredentials)?;
    }
    let after = before.after_choosing(chosen_retention, now);
    let typed: [Value; 9] = [
        form.registration_open.into(),
        form.require_email_verification.into(),
        form.require_admin_approval.into(),
        form.notify_admins.into(),
        form.owners_may_invite_new_people.into(),
        min_length.into(),
        form.require_login.into(),
        form.storage_limiter.into(),
        form.allow_non_expiring_tokens.into(),
    ];
    let mut values: Vec<(&str, Value)> = SETTINGS_FORM.into_iter().zip(typed).collect();
    let old = overlay(&state.settings, &stored);
    let new = with_values(&old, &values);
    let needs = settings_change_action(&old, &new);
    authorize(principal, needs)?;
    if changes_retention || needs == Action::AdministerCredentials {
        require_recent_sign_in(state, caller).await?;
    }
    let mut changed = changes(&old, &new, &SETTINGS_FORM);
    changed.note("audit_retention_days", before.shown(), chosen_retention);
    if let (Some((_, at)), true) = (after.pending, after != before) {
        changed.set("audit_retention_takes_effect", iso8601(at).into());
    }
    let event = (!changed.is_empty()).then(|| {
        audit::event(caller.into(), AuditAction::SettingsChanged, Target::setting("site"), changed.details())
    });
    values.extend([
        ("audit_retention_days", after.in_force.into()),
        ("audit_retention_pending_days", after.pending.map(|(days, _)| days).into()),
        ("audit_retention_pending_at", after.pending.map(|(_, at)| at).into()),
    ]);
    if !site_settings::save(&state.db, form.version, &values, now, event.as_ref()).await? {
        return Err(AppError::Conflict(STALE_SETTINGS.into()));
    }
    state.settings_cache.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_length_must_be_1_to_128() {
        assert_eq!(parse_min_length("8").unwrap(), 8);
        assert_eq!(parse_min_length(" 128 ").unwrap(), 128);
        assert_eq!(parse_min_length("1").unwrap(), 1);
        for bad in ["0", "129", "-3", "eight", "", "8.5"] {
            let err = parse_min_length(bad).unwrap_err();
            assert_eq!(err.field(), Some("password_min_length"), "{bad}");
        }
    }

    #[test]
    fn retention_is_at_least_30_and_lowering_waits() {
        for ok in ["0", "30", "36500"] {
            assert!(parse_retention_days(ok).is_ok(), "{ok}");
        }
        for bad in ["1", "29", "-1", "36501", "x"] {
            assert_eq!(parse_retention_days(bad).unwrap_err().field(), Some("audit_retention_days"), "{bad}");
        }
        let now = 1_000_000;
        let year = Retention { in_force: 365, pending: None };
        assert_eq!(year.after_choosing(400, now), Retention { in_force: 400, pending: None });
        assert_eq!(year.after_choosing(0, now), Retention { in_force: 0, pending: None });
        let lowered = year.after_choosing(30, now);
        assert_eq!(lowered, Retention { in_force: 365, pending: Some((30, now + RETENTION_LOWERING_DELAY_MS)) });
        assert_eq!(lowered.after_choosing(30, now + 5), lowered, "saving it unchanged keeps the date");
        assert_eq!(Retention { in_force: 0, pending: None }.after_choosing(365, now).in_force, 0, "forever to a year waits");
        let stored = StoredSettings::default().with("audit_retention_days", 365).with("audit_retention_pending_days", 30).with("audit_retention_pending_at", now);
        assert_eq!(retention(&SiteSettings::default(), &stored, now - 1).in_force, 365);
        assert_eq!(retention(&SiteSettings::default(), &stored, now).in_force, 30);
        let legacy = StoredSettings::default().with("audit_retention_days", 1);
        assert_eq!(retention(&SiteSettings::default(), &legacy, now).in_force, MIN_RETENTION_DAYS);
    }

    /// Names are the settings' own: a stored column and a form field name
    /// the setting they hold.
    #[test]
    fn stored_keys_and_form_fields_are_settings() {
        for (key, _) in site_settings::KEYS {
            assert!(SiteSettings::NAMES.contains(key) || key.starts_with("audit_retention_pending_"), "{key}");
        }
        let form = serde_json::to_value(SettingsForm::default()).unwrap();
        for field in form.as_object().unwrap().keys().filter(|f| !["version", "audit_retention_note"].contains(&f.as_str())) {
            assert!(SETTINGS_FORM.contains(&field.as_str()) || field == "audit_retention_days", "{field}");
        }
        for name in SETTINGS_FORM {
            assert!(site_settings::KEYS.iter().any(|(key, _)| *key == name), "{name} is stored");
        }
    }

    #[test]
    fn stored_values_override_defaults() {
        let defaults = SiteSettings::default();
        let none = overlay(&defaults, &StoredSettings::default());
        assert_eq!(none.password_min_length, defaults.password_min_length);
        assert_eq!(none.registration_open, defaults.registration_open);
        let stored = StoredSettings::default().with("registration_open", true).with("password_min_length", 12);
        let s = overlay(&defaults, &stored);
        assert!(s.registration_open);
        assert_eq!(s.password_min_length, 12);
        assert_eq!(s.require_login, defaults.require_login);
    }

    #[tokio::test]
    async fn save_validates_and_refuses_stale_versions() {
        let state = crate::backend::test_support::test_state().await;
        let admin = crate::backend::test_support::admin_principal();
        let mut form = form(&state, Some(&admin)).await.unwrap();
        form.password_min_length = "0".into();
        assert_eq!(save(&state, Some(&admin), &form).await.unwrap_err().field(), Some("password_min_length"));
        assert_eq!(current(&state).await.unwrap().password_min_length, 8, "an invalid save changes nothing");
        form.password_min_length = "12".into();
        form.registration_open = true;
        save(&state, Some(&admin), &form).await.unwrap();
        let now = current(&state).await.unwrap();
        assert_eq!((now.password_min_length, now.registration_open), (12, true));
        form.password_min_length = "20".into();
        assert!(matches!(save(&state, Some(&admin), &form).await, Err(AppError::Conflict(_))), "stale version");
        assert_eq!(current(&state).await.unwrap().password_min_length, 12);
        let plain = crate::backend::test_support::plain_principal();
        assert!(save(&state, Some(&plain), &form).await.is_err());
    }
}
