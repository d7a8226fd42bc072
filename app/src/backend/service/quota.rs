//! Storage quotas (SPEC §1, §3): each user's quota (metadata `maxStorageMB`
//! while the storage limiter is on) and the bytes they use. Data and users
//! come here; this module calls neither of them, so there is no circle
//! between them. Where stored bytes live on disk is `backend::disk`.

use crate::backend::auth::Principal;
use crate::backend::policy::authorize_account_data;
use crate::backend::store::{data, users};
use crate::backend::service::settings;
use crate::backend::AppState;
use crate::model::{no_such_user, AppError, StorageInfo};

const MIB: f64 = 1_048_576.0;

/// The quota in bytes when the limiter is on: metadata `maxStorageMB` × 1 MiB
/// rounded down; `None` is unlimited.
pub fn quota(limiter: bool, metadata: &serde_json::Value) -> Option<i64> {
    match limiter {
        true => metadata.get("maxStorageMB").and_then(|v| v.as_f64()).map(|mb| (mb * MIB).floor() as i64),
        false => None,
    }
}

/// The same for metadata as stored (JSON text).
pub fn quota_of_stored(limiter: bool, metadata: &str) -> Option<i64> {
    quota(limiter, &serde_json::from_str(metadata).unwrap_or_default())
}

/// One user's quota and usage under the settings in force.
pub async fn storage_of(state: &AppState, user_id: i64) -> Result<StorageInfo, AppError> {
    let (metadata, used) = users::metadata_and_storage(&state.db, user_id).await?.unwrap_or_default();
    info(state, &metadata, used).await
}

async fn info(state: &AppState, metadata: &str, used: i64) -> Result<StorageInfo, AppError> {
    let limiter = settings::current(state).await?.storage_limiter;
    Ok(StorageInfo { total: quota_of_stored(limiter, metadata), used })
}

/// Storage of the caller (`username` = `None`) or, for admins, of anyone.
/// The caller's own comes from their account as this request read it.
pub async fn storage(state: &AppState, principal: Option<&Principal>, username: Option<&str>) -> Result<StorageInfo, AppError> {
    let caller = authorize_account_data(principal, username.is_some())?;
    match (username, &caller.own_storage) {
        (None, Some(own)) => info(state, &own.metadata, own.used).await,
        (None, None) => storage_of(state, caller.user_id).await,
        (Some(name), _) => {
            let user = users::find_by_username(&state.db, name).await?.ok_or_else(|| no_such_user(name))?;
            info(state, &user.metadata, user.storage_used).await
        }
    }
}

/// The message for an upload that would pass the quota.
pub fn over_quota(quota: i64, used: i64) -> AppError {
    AppError::TooLarge(format!(
        "This upload would pass your storage quota of {:.1} MB ({:.1} MB used); delete files or ask an admin for more",
        quota as f64 / MIB,
        used as f64 / MIB
    ))
}

/// Bytes the user uses now (after a refused reservation, for the message).
pub async fn used_now(state: &AppState, user_id: i64) -> Result<i64, AppError> {
    Ok(data::storage_used(&state.db, user_id).await?)
}

#[cfg(test)]
mod tests {
    use super::quota;
    use serde_json::json;

    #[test]
    fn quota_follows_the_limiter_and_rounds_down() {
        assert_eq!(quota(true, &json!({"maxStorageMB": 1.5})), Some(1_572_864));
        assert_eq!(quota(true, &json!({"maxStorageMB": 0.0000001})), Some(0));
        assert_eq!(quota(true, &json!({})), None);
        assert_eq!(quota(false, &json!({"maxStorageMB": 1})), None);
    }
}
