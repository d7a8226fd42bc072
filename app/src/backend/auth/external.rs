//! External authentication (seed 004, `external_auth_url`): the provider
//! decides every password, and its answer creates or updates the local
//! account. The provider gets `username` and `password` as a form POST
//! (10 s timeout, TLS verified); a 200 JSON answer
//! `{"userName", "email"?, "roles"?, "metadata"?}` is a yes, anything else
//! a no. A provider that errors, times out or answers garbage is a no too,
//! with a logged warning (never the password).
//!
//! What the answer does to the local account: a new account is created
//! verified and approved, with no usable local password; `email` replaces
//! the address when no other account has it; `roles` that exist locally
//! replace the local roles (unknown names are skipped and logged) and the
//! whole list is kept under the reserved metadata key `roles`; `metadata`
//! is merged key by key (a provider cannot set `maxStorageMB` or `roles`
//! through it). Removing the admin role from the last enabled admin is
//! refused as everywhere else, and the sign-in goes on with the old roles.
//!
//! The provider's limits: its answer is read up to [`MAX_ANSWER_BYTES`]
//! (more is a no, logged). It grants `admin` only through the role named by
//! `external_auth_admin_role` (unset: it cannot make or unmake admins, and an
//! `admin` in its answer is dropped). A `403` answer refuses the account
//! itself (a `401` is a wrong password): the local account's sessions and
//! tokens end then, as they do when a disabled account signs in. A disabled
//! account's roles, email and metadata are not updated from an answer.

use crate::backend::service::audit::{self, Actor, AuditAction, Changes, Target};
use crate::backend::store::{roles, users};
use crate::backend::AppState;
use crate::model::validate;
use crate::model::AppError;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;
use std::time::Duration;

/// What 403 says to every local account change while the provider owns accounts.
pub const MANAGEMENT_DISABLED: &str = "User management is disabled: accounts come from the external authentication provider";

/// How long the provider may take to answer.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest answer read from the provider; a longer one is a no.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// What the provider said about a username and password.
#[derive(Debug)]
pub enum ProviderAnswer {
    /// 200 with a valid identity.
    Yes(ExternalIdentity),
    /// 403: the provider refuses this account whatever its password.
    AccountRefused,
    /// Anything else: a wrong password, an error, no answer, garbage.
    No,
}

/// The provider's yes.
#[derive(Debug, Deserialize)]
pub struct ExternalIdentity {
    #[serde(rename = "userName")]
    pub user_name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub roles: Option<Vec<String>>,
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
}

/// Refuses a local account change (create, edit, delete, password,
/// registration, recovery) while accounts come from the provider.
pub fn refuse_local_management(state: &AppState) -> Result<(), AppError> {
    if state.accounts_external() {
        return Err(AppError::Forbidden(MANAGEMENT_DISABLED.into()));
    }
    Ok(())
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(PROVIDER_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with the platform's TLS roots")
    })
}

/// Asks the provider at `url` about `username` and `password`: `Yes` only
/// for a 200 JSON answer of at most [`MAX_ANSWER_BYTES`] naming a valid username.
pub async fn ask_provider(url: &str, username: &str, password: &str) -> ProviderAnswer {
    let answer = client().post(url).form(&[("username", username), ("password", password)]).send().await;
    let response = match answer {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, timeout = e.is_timeout(), "the external authentication provider did not answer");
            return ProviderAnswer::No;
        }
    };
    let status = response.status();
    if status == reqwest::StatusCode::FORBIDDEN {
        return ProviderAnswer::AccountRefused;
    }
    if status != reqwest::StatusCode::OK {
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), "the external authentication provider failed");
        }
        return ProviderAnswer::No;
    }
    let Some(body) = read_capped(response).await else { return ProviderAnswer::No };
    match serde_json::from_slice::<ExternalIdentity>(&body) {
        Ok(identity) if validate::check_username(identity.user_name.trim(), "userName").is_ok() => ProviderAnswer::Yes(identity),
        Ok(_) => {
            tracing::warn!("the external authentication provider answered an invalid userName");
            ProviderAnswer::No
        }
        Err(e) => {
            tracing::warn!(error = %e, "the external authentication provider answered something other than the expected JSON");
            ProviderAnswer::No
        }
    }
}

/// The answer's body, unless it is longer than [`MAX_ANSWER_BYTES`] (declared or sent) or breaks off.
async fn read_capped(mut response: reqwest::Response) -> Option<Vec<u8>> {
    let too_long = || tracing::warn!(limit = MAX_ANSWER_BYTES, "the external authentication provider's answer is too long; refused");
    if response.content_length().is_some_and(|n| n > MAX_ANSWER_BYTES as u64) {
        too_long();
        return None;
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > MAX_ANSWER_BYTES => {
                too_long();
                return None;
            }
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => return Some(body),
            Err(e) => {
                tracing::warn!(error = %e, "the external authentication provider's answer broke off");
                return None;
            }
        }
    }
}

/// The provider's role names as local ones: the configured admin role
/// (`admin_role`) becomes `admin`, and `admin` itself is dropped unless it
/// is that role. Unset: no name becomes `admin`.
fn mapped_roles(names: &[String], admin_role: Option<&str>) -> Vec<String> {
    let mut mapped = Vec::new();
    for name in names.iter().map(|n| n.trim()) {
        let local = match admin_role {
            Some(role) if name.eq_ignore_ascii_case(role) => "admin",
            _ if name.eq_ignore_ascii_case("admin") => {
                tracing::info!("the external authentication provider's admin role is not granted (external_auth_admin_role)");
                continue;
            }
            _ => name,
        };
        mapped.push(local.to_string());
    }
    mapped
}

/// Ends every session and token of the local `user` after the provider
/// refused it or it signed in disabled (`reason`, audited).
pub async fn end_credentials(state: &AppState, user: &users::UserRow, reason: &str) -> Result<(), AppError> {
    let details = json!({"all": true, "tokens": true, "reason": reason, "source": "external_auth"});
    let event = audit::event(Actor::System, AuditAction::SessionRevoked, Target::user(user.id, &user.username), details);
    users::end_credentials(&state.db, user.id, &event).await?;
    Ok(())
}

/// The local account for `identity`, created or brought up to date.
pub async fn provision(state: &AppState, identity: &ExternalIdentity) -> Result<users::UserRow, AppError> {
    let username = identity.user_name.trim();
    let email = match identity.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) if validate::optional_email(e, "email").is_ok() => Some(e),
        Some(_) => {
            tracing::warn!(username, "the external authentication provider sent an invalid email; ignored");
            None
        }
        None => None,
    };
    let admin_role = state.settings.external_auth_admin_role.as_deref();
    let local_roles = match &identity.roles {
        Some(names) => Some(known_roles(state, &mapped_roles(names, admin_role)).await?),
        None => None,
    };
    let user = match users::find_by_username(&state.db, username).await? {
        // A disabled account is refused as it stands; the answer changes nothing.
        Some(user) if !user.enabled => return Ok(user),
        Some(user) => {
            let mut roles = local_roles;
            if let (None, Some(roles)) = (admin_role, roles.as_mut()) {
                // Admins are made here, not by the provider: the local role stays.
                if users::roles_of(&state.db, user.id).await?.iter().any(|r| r == "admin") {
                    roles.push("admin".into());
                }
            }
            update(state, &user, email, roles.as_deref()).await?;
            user
        }
        None => create(state, username, email, local_roles.as_deref()).await?,
    };
    merge_metadata(state, user.id, identity).await?;
    Ok(users::find_by_id(&state.db, user.id).await?.unwrap_or(user))
}

/// The stored names of the provider's roles that exist locally.
async fn known_roles(state: &AppState, names: &[String]) -> Result<Vec<String>, AppError> {
    let mut found = Vec::new();
    for name in names {
        match roles::find(&state.db, name.trim()).await? {
            Some(role) if !found.contains(&role.name) => found.push(role.name),
            Some(_) => {}
            None => tracing::info!(role = %name, "a role from the external authentication provider does not exist here; skipped"),
        }
    }
    Ok(found)
}

/// `email` unless another account has it.
async fn free(state: &AppState, email: Option<&str>, owner: i64) -> Result<Option<String>, AppError> {
    let Some(email) = email else { return Ok(None) };
    if users::email_owner(&state.db, email, owner).await?.is_some() {
        tracing::warn!("the external authentication provider sent an email another account has; ignored");
        return Ok(None);
    }
    Ok(Some(email.to_string()))
}

async fn create(state: &AppState, username: &str, email: Option<&str>, roles: Option<&[String]>) -> Result<users::UserRow, AppError> {
    let email = free(state, email, 0).await?;
    let roles: Vec<&str> = match roles {
        Some(r) if !r.is_empty() => r.iter().map(String::as_str).collect(),
        _ => vec!["user"],
    };
    let new = users::NewUser {
        username,
        display_name: None,
        email: email.as_deref(),
        password_hash: "!",
        must_change_password: false,
        roles: &roles,
    };
    let details = json!({"roles": roles, "email": email, "source": "external_auth"});
    let event = audit::event(Actor::System, AuditAction::UserCreated, Target::user(0, username), details);
    match users::insert(&state.db, &new, event).await {
        Ok(_) => {}
        // Two first sign-ins at once: the other one made the account.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {}
        Err(e) => return Err(e.into()),
    }
    users::find_by_username(&state.db, username).await?.ok_or_else(|| AppError::NotFound("No such user".into()))
}

async fn update(state: &AppState, user: &users::UserRow, email: Option<&str>, roles: Option<&[String]>) -> Result<(), AppError> {
    let email = free(state, email, user.id).await?.filter(|e| user.email.as_deref() != Some(e.as_str()));
    let current = users::roles_of(&state.db, user.id).await?;
    let roles = roles.filter(|r| {
        let (mut a, mut b) = (r.to_vec(), current.clone());
        a.sort();
        b.sort();
        a != b
    });
    if email.is_none() && roles.is_none() {
        return Ok(());
    }
    let mut changes = Changes::default();
    if let Some(e) = &email {
        changes.set("email", json!({"old": user.email, "new": e}));
    }
    if let Some(r) = roles {
        changes.set("roles", json!({"old": current, "new": r}));
    }
    let mut details = changes.details();
    details["source"] = json!("external_auth");
    let event = audit::event(Actor::System, AuditAction::UserUpdated, Target::user(user.id, &user.username), details);
    let email = email.as_deref().map(Some);
    if users::update_email_and_roles(&state.db, user.id, email, roles, &event).await?.is_err() {
        tracing::warn!(username = %user.username, "the provider took the admin role from the last enabled admin; roles kept");
    }
    Ok(())
}

async fn merge_metadata(state: &AppState, user_id: i64, identity: &ExternalIdentity) -> Result<(), AppError> {
    if identity.metadata.is_none() && identity.roles.is_none() {
        return Ok(());
    }
    users::update_metadata(&state.db, user_id, |current| {
        let mut current: Map<String, Value> = serde_json::from_str(current).unwrap_or_default();
        for (key, value) in identity.metadata.iter().flatten() {
            if key != "roles" && key != "maxStorageMB" {
                current.insert(key.clone(), value.clone());
            }
        }
        if let Some(roles) = &identity.roles {
            current.insert("roles".into(), json!(roles));
        }
        Value::Object(current).to_string()
    })
    .await?;
    Ok(())
}
