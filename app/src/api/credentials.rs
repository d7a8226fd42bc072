//! Server functions for My account → API keys and Admin → API keys: alias
//! tokens, personal access tokens and service keys.

use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::service::credentials::{service_keys, tokens};

#[server(endpoint = "credentials/alias/list")]
pub async fn my_alias_tokens() -> Result<Vec<AliasTokenInfo>, AppError> {
    use super::door::*;
    respond(tokens::my_aliases(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "credentials/alias/issue")]
pub async fn issue_alias_token() -> Result<IssuedAliasToken, AppError> {
    use super::door::*;
    respond(tokens::issue_alias(&state()?, principal().await.as_ref(), None).await)
}

#[server(endpoint = "credentials/alias/invalidate")]
pub async fn invalidate_alias_token(alias: String) -> Result<(), AppError> {
    use super::door::*;
    respond(tokens::invalidate_alias(&state()?, principal().await.as_ref(), &alias, None).await)
}

#[server(endpoint = "credentials/tokens/list")]
pub async fn my_access_tokens() -> Result<Vec<AccessTokenInfo>, AppError> {
    use super::door::*;
    respond(tokens::my_access_tokens(&state()?, principal().await.as_ref()).await)
}

/// `expires_days`: a number of days, or `never`.
#[server(endpoint = "credentials/tokens/create")]
pub async fn create_access_token(name: String, expires_days: String) -> Result<CreatedAccessToken, AppError> {
    use super::door::*;
    respond(
        async {
            let request = NewAccessToken::from_form(name, &expires_days)?;
            tokens::create_access(&state()?, principal().await.as_ref(), &request).await
        }
        .await,
    )
}

#[server(endpoint = "credentials/tokens/revoke")]
pub async fn revoke_access_token(id: i64) -> Result<(), AppError> {
    use super::door::*;
    respond(tokens::revoke_my_access(&state()?, principal().await.as_ref(), id).await)
}

#[server(endpoint = "credentials/service_keys/mine")]
pub async fn list_my_service_keys() -> Result<MyServiceKeys, AppError> {
    use super::door::*;
    respond(service_keys::mine(&state()?, principal().await.as_ref()).await)
}

/// Saves a service key: the caller's own, or (`site`, admins) the site's
/// with the roles (comma-separated) that may read it besides admins.
#[server(endpoint = "credentials/service_keys/save")]
pub async fn save_service_key(
    name: String,
    value: String,
    site: bool,
    #[server(default)] readable_by: String,
) -> Result<(), AppError> {
    use super::door::*;
    use service_keys::{set_mine, set_site};
    let (state, principal) = (state()?, principal().await);
    let name = name.trim();
    let readers: Vec<String> = readable_by.split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
    respond(if site {
        set_site(&state, principal.as_ref(), name, Some(&value), Some(&readers)).await
    } else {
        set_mine(&state, principal.as_ref(), name, Some(&value)).await
    })
}

/// Deletes a service key: the caller's own, or (`site`, admins) the site's.
#[server(endpoint = "credentials/service_keys/delete")]
pub async fn delete_service_key(name: String, site: bool) -> Result<(), AppError> {
    use super::door::*;
    use service_keys::{delete_mine, delete_site};
    let (state, principal) = (state()?, principal().await);
    respond(if site { delete_site(&state, principal.as_ref(), &name).await } else { delete_mine(&state, principal.as_ref(), &name).await })
}

/// Admin → API keys: everyone's access tokens, or one user's.
#[server(endpoint = "credentials/admin/tokens")]
pub async fn all_access_tokens(username: String, after: String) -> Result<AccessTokenPage, AppError> {
    use super::door::*;
    let (username, after) = (Some(username.as_str()), Some(after.as_str()));
    respond(tokens::all_access_tokens(&state()?, principal().await.as_ref(), username, after).await)
}

#[server(endpoint = "credentials/admin/revoke")]
pub async fn admin_revoke_access_token(id: i64) -> Result<(), AppError> {
    use super::door::*;
    respond(tokens::revoke_access(&state()?, principal().await.as_ref(), id).await)
}

/// Ends every access token of `username`; returns how many.
#[server(endpoint = "credentials/admin/revoke_all")]
pub async fn admin_revoke_all_access_tokens(username: String) -> Result<u64, AppError> {
    use super::door::*;
    respond(tokens::revoke_all_access_of(&state()?, principal().await.as_ref(), Some(&username)).await)
}

#[server(endpoint = "credentials/admin/site_keys")]
pub async fn site_service_keys() -> Result<Vec<ServiceKeyInfo>, AppError> {
    use super::door::*;
    respond(service_keys::site_keys(&state()?, principal().await.as_ref()).await)
}
