//! Service keys (SPEC §4, seed 003's "system API keys"): secrets Gatehouse
//! keeps for outside services, encrypted at rest (AES-256-GCM,
//! `auth::credentials::at_rest`). An admin sets the site's key of a name; a user
//! may set their own, which overrides the site's for them. A value is shown
//! only to the service that resolves it with the user's credential, never
//! in a list.
//!
//! Resolving is reading, so it works with any of the user's credentials,
//! tokens included (a platform service calls with the user's access token);
//! an admin credential may resolve for another user with `?user=`. A site
//! key resolves only for admins and the roles named on it
//! (`policy::may_read_site_key`); to anyone else it does not exist. Every
//! read of a site key or of another person's key is audited (never the
//! value). Setting and deleting need the password's credentials (`policy`).

use crate::backend::auth::Principal;
use crate::backend::policy::{authorize, may_read_site_key, Action};
use crate::backend::service::audit::{self, AuditAction, Target};
use crate::backend::store::audit::NewEvent;
use crate::backend::service::users::find_user;
use crate::backend::store::credentials::service_keys::{self, KeyWrite, ServiceKeyRow, SITE};
use crate::backend::store::roles;
use crate::backend::service::settings;
use crate::backend::time::now_ms;
use crate::backend::{internal, AppState};
use crate::model::*;
use serde_json::json;

/// Keys one user may keep, and keys the site may keep.
pub const MAX_USER_KEYS: i64 = 50;
pub const MAX_SITE_KEYS: i64 = 200;

/// The authenticated data a value is sealed with: where it is stored.
fn context(scope: i64, name: &str) -> String {
    if scope == SITE {
        format!("site:{name}")
    } else {
        format!("user:{scope}:{name}")
    }
}

/// The tail of a value that lists may show: the last 4 characters of a
/// value of at least 12, nothing of a shorter one.
fn tail_of(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() >= 12 {
        chars[chars.len() - 4..].iter().collect()
    } else {
        String::new()
    }
}

/// A site key's "may be read by" roles, as stored (JSON list).
fn readers_of(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn info(row: ServiceKeyRow) -> ServiceKeyInfo {
    ServiceKeyInfo {
        readable_by: if row.scope == SITE { readers_of(&row.readable_by) } else { Vec::new() },
        name: row.name,
        last4: row.last4,
        set_by: row.set_by,
        updated: iso8601(row.updated_at),
        last_resolved: row.last_resolved_at.map(iso8601),
    }
}

fn no_such_key(name: &str) -> AppError {
    AppError::NotFound(format!("No service key named {name}"))
}

/// The audit event for `caller` changing the key `name` of `scope`.
fn key_event(caller: &Principal, action: AuditAction, scope: i64, name: &str) -> NewEvent {
    let owner = (scope != SITE).then_some(scope);
    let details = json!({"scope": if owner.is_some() { "user" } else { "site" }});
    audit::event(caller.into(), action, Target::service_key(owner, name), details)
}

/// The stored names of `requested` roles as the JSON list a site key keeps.
async fn readers_text(state: &AppState, requested: &[String]) -> Result<String, AppError> {
    let mut names: Vec<String> = Vec::new();
    for role in requested.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        let found = roles::find(&state.db, role)
            .await?
            .ok_or_else(|| AppError::validation("readable_by", format!("Unknown role: {role}")))?;
        if !names.contains(&found.name) {
            names.push(found.name);
        }
    }
    Ok(serde_json::Value::from(names).to_string())
}

async fn save(
    state: &AppState,
    caller: &Principal,
    scope: i64,
    name: &str,
    value: Option<&str>,
    readers: Option<&str>,
    cap: i64,
) -> Result<(), AppError> {
    check_service_key_name(name, "name")?;
    let value = check_service_key_value(value, "value")?;
    let ciphertext = state.credential_keys.encrypt(value, &context(scope, name));
    let write = KeyWrite {
        scope,
        name,
        ciphertext: &ciphertext,
        last4: &tail_of(value),
        set_by: &caller.username,
        now: now_ms(),
        readable_by: readers,
    };
    let event = key_event(caller, AuditAction::ServiceKeySet, scope, name);
    if service_keys::upsert_capped(&state.db, &write, cap, &event).await? {
        Ok(())
    } else {
        Err(AppError::Conflict(format!("At most {cap} service keys may be kept here: delete one first")))
    }
}

async fn remove(state: &AppState, caller: &Principal, scope: i64, name: &str) -> Result<(), AppError> {
    let event = key_event(caller, AuditAction::ServiceKeyDeleted, scope, name);
    if service_keys::delete(&state.db, scope, name, &event).await? {
        Ok(())
    } else {
        Err(no_such_key(name))
    }
}

/// `GET /api/service-keys/{name}[?user=]`: the value that counts for the
/// caller (or, for an admin, for `username`): their own, else the site's.
pub async fn resolve(state: &AppState, principal: Option<&Principal>, name: &str, username: Option<&str>) -> Result<ResolvedServiceKey, AppError> {
    let caller = authorize(principal, Action::UseSite)?;
    let (user_id, for_user) = match username.filter(|u| !u.eq_ignore_ascii_case(&caller.username)) {
        Some(other) => {
            authorize(principal, Action::Administer)?;
            settings::require_recent_sign_in(state, caller).await?;
            let user = find_user(state, other).await?;
            (user.id, user.username)
        }
        None => (caller.user_id, caller.username.clone()),
    };
    let with_site = service_keys::site_readers(&state.db, name).await?.is_some_and(|r| may_read_site_key(caller, &readers_of(&r)));
    let read_event = |row: &ServiceKeyRow| {
        let owner = (row.scope != SITE).then_some(row.scope);
        (owner != Some(caller.user_id)).then(|| {
            let details = json!({"scope": if owner.is_some() { "user" } else { "site" }, "for": for_user});
            audit::event(caller.into(), AuditAction::ServiceKeyRead, Target::service_key(owner, &row.name), details)
        })
    };
    let row = service_keys::resolve(&state.db, user_id, name, with_site, now_ms(), read_event)
        .await?
        .ok_or_else(|| no_such_key(name))?;
    let value = state
        .credential_keys
        .decrypt(&row.ciphertext, &context(row.scope, &row.name))
        .map_err(|_| internal(format!("service key {name} (scope {}) cannot be decrypted: was secret_key changed?", row.scope)))?;
    let source = if row.scope == SITE { ServiceKeySource::Site } else { ServiceKeySource::User };
    Ok(ResolvedServiceKey { name: row.name, value, source })
}

/// `PUT /api/service-keys/{name}`: the caller's own value for `name`.
pub async fn set_mine(state: &AppState, principal: Option<&Principal>, name: &str, value: Option<&str>) -> Result<(), AppError> {
    let caller = authorize(principal, Action::ManageOwnCredentials)?;
    settings::require_recent_sign_in(state, caller).await?;
    save(state, caller, caller.user_id, name, value, None, MAX_USER_KEYS).await
}

/// `DELETE /api/service-keys/{name}`: drops the caller's override (the
/// site's key, if any, counts for them again).
pub async fn delete_mine(state: &AppState, principal: Option<&Principal>, name: &str) -> Result<(), AppError> {
    let caller = authorize(principal, Action::ManageOwnCredentials)?;
    remove(state, caller, caller.user_id, name).await
}

/// My account → Service keys.
pub async fn mine(state: &AppState, principal: Option<&Principal>) -> Result<MyServiceKeys, AppError> {
    let caller = authorize(principal, Action::ViewOwnAccount)?;
    let mine = service_keys::list(&state.db, caller.user_id).await?.into_iter().map(info).collect();
    let site_names = service_keys::list(&state.db, SITE)
        .await?
        .into_iter()
        .filter(|r| may_read_site_key(caller, &readers_of(&r.readable_by)))
        .map(|r| r.name)
        .collect();
    Ok(MyServiceKeys { mine, site_names })
}

/// `GET /api/admin/service-keys`: the site's keys, without values.
pub async fn site_keys(state: &AppState, principal: Option<&Principal>) -> Result<Vec<ServiceKeyInfo>, AppError> {
    authorize(principal, Action::Administer)?;
    Ok(service_keys::list(&state.db, SITE).await?.into_iter().map(info).collect())
}

/// `PUT /api/admin/service-keys/{name}`: the value and, when given, the
/// roles besides admins that may read it (`None` keeps them; new keys: none).
pub async fn set_site(
    state: &AppState,
    principal: Option<&Principal>,
    name: &str,
    value: Option<&str>,
    readable_by: Option<&[String]>,
) -> Result<(), AppError> {
    let caller = authorize(principal, Action::AdministerCredentials)?;
    settings::require_recent_sign_in(state, caller).await?;
    let readers = match readable_by {
        Some(roles) => Some(readers_text(state, roles).await?),
        None => None,
    };
    save(state, caller, SITE, name, value, readers.as_deref(), MAX_SITE_KEYS).await
}

/// `DELETE /api/admin/service-keys/{name}`.
pub async fn delete_site(state: &AppState, principal: Option<&Principal>, name: &str) -> Result<(), AppError> {
    let caller = authorize(principal, Action::AdministerCredentials)?;
    remove(state, caller, SITE, name).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::test_support::{admin_principal, test_state};

    #[test]
    fn tails_show_little_of_short_values() {
        assert_eq!(tail_of("sk-live-abcdefgh1234"), "1234");
        assert_eq!(tail_of("short"), "");
    }

    #[tokio::test]
    async fn stored_values_are_sealed() {
        let state = test_state().await;
        let admin = admin_principal();
        set_site(&state, Some(&admin), "openai", Some("sk-plaintext-secret-0001"), None).await.unwrap();
        let stored: String = crate::on_db!(&state.db, |pool| sqlx::query_scalar("SELECT ciphertext FROM service_keys")
            .fetch_one(pool)
            .await
            .unwrap());
        assert!(!stored.contains("plaintext"), "{stored}");
        assert_eq!(site_keys(&state, Some(&admin)).await.unwrap()[0].last4, "0001");
    }
}
