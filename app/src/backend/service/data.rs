//! A project's data (SPEC §3): datasets and their files, with uploads
//! streamed to the data directory and checked against the uploader's
//! storage quota, and the rights of the role table for every action.
//!
//! An upload is refused while the disk is nearly full, written to `tmp/`
//! while it streams (stopped as soon as it passes the quota or
//! `max_upload_mb`; a drop guard removes it when the request is abandoned),
//! moved under `files/` with a random name, and only then recorded; the
//! record and the quota reservation are one transaction, so a refused
//! upload leaves neither a row nor a file behind.

use crate::backend::auth::secrets::random_hex;
use crate::backend::auth::Principal;
use crate::backend::disk::{self, TempFile};
use crate::backend::policy::ProjectAction;
use crate::backend::service::{features, settings};
use crate::backend::service::project_access::{load, require_login, with_features, Loaded, DOWNLOAD_FILES, MANAGE_FILES};
use crate::backend::service::quota;
use crate::backend::store::data::{self as store, DatasetRow, FileRow, NewFile, StoreFile};
use crate::backend::time::now_ms;
use crate::backend::{internal, policy, AppState};
use crate::model::*;
use futures_util::{Stream, StreamExt};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

fn file_info(f: FileRow) -> FileInfo {
    FileInfo { id: f.id, name: f.name, size: f.size, uploaded_by: f.uploaded_by, created_at: f.created_at }
}

async fn find_dataset(state: &AppState, project: &Loaded, name: &str) -> Result<DatasetRow, AppError> {
    store::find_dataset(&state.db, project.id(), name.trim())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No such dataset: {}", name.trim())))
}

async fn find_file(state: &AppState, dataset: &DatasetRow, name: &str) -> Result<FileRow, AppError> {
    store::find_file(&state.db, dataset.id, name.trim())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No such file: {}", name.trim())))
}

/// Loads the project for `action` and then checks feature `key` for the
/// caller there (SPEC §6: the server refuses what the page hides).
async fn load_for(state: &AppState, principal: Option<&Principal>, slug: &str, action: ProjectAction, key: &str) -> Result<Loaded, AppError> {
    let project = load(state, principal, slug, action).await?;
    features::require(state, principal, Some(&project), key).await?;
    Ok(project)
}

pub async fn datasets(state: &AppState, principal: Option<&Principal>, slug: &str) -> Result<Vec<DatasetInfo>, AppError> {
    let project = load(state, principal, slug, ProjectAction::Read).await?;
    Ok(store::datasets(&state.db, project.id()).await?.into_iter().collect())
}

pub async fn create_dataset(
    state: &AppState,
    principal: Option<&Principal>,
    slug: &str,
    name: &str,
    description: &str,
) -> Result<DatasetInfo, AppError> {
    let project = load(state, principal, slug, ProjectAction::Create).await?;
    let name = name.trim();
    check_item_name(name, "name", "Dataset name")?;
    let description = description.trim();
    if description.chars().count() > 2000 {
        return Err(AppError::validation("description", "Description must be at most 2000 characters"));
    }
    let creator = principal.map_or(0, |p| p.user_id);
    if store::insert_dataset(&state.db, project.id(), name, description, creator, now_ms()).await?.is_none() {
        return Err(AppError::Conflict(format!("This project already has a dataset named {name}")));
    }
    find_dataset(state, &project, name).await
}

pub async fn delete_dataset(state: &AppState, principal: Option<&Principal>, slug: &str, name: &str) -> Result<(), AppError> {
    let project = load_for(state, principal, slug, ProjectAction::Delete, MANAGE_FILES).await?;
    let dataset = find_dataset(state, &project, name).await?;
    let keys = store::delete_dataset(&state.db, dataset.id).await?;
    disk::remove_stored(state, &keys).await;
    Ok(())
}

/// A dataset's page: its files and what the caller may do with them.
pub async fn dataset_page(state: &AppState, principal: Option<&Principal>, slug: &str, name: &str) -> Result<DatasetPage, AppError> {
    let project = load(state, principal, slug, ProjectAction::Read).await?;
    let dataset = find_dataset(state, &project, name).await?;
    let files = store::files(&state.db, dataset.id).await?.into_iter().map(file_info).collect();
    let rights = policy::project_rights(
        principal,
        require_login(state).await,
        &project.facts(),
    );
    let rights = with_features(state, principal, &project, rights).await?;
    Ok(DatasetPage { project: project.summary(), rights, dataset, files })
}

const MIB_BYTES: i64 = 1_048_576;

fn too_big(max_mb: i64) -> AppError {
    AppError::TooLarge(format!("Files may be at most {max_mb} MB; this upload is larger"))
}

pub const DISK_NEARLY_FULL: &str = "The server's disk is nearly full, so uploads are paused; please tell an admin";

/// Streams `body` into a new file `name` of the dataset (Create right).
pub async fn upload<S, E>(
    state: &AppState,
    principal: Option<&Principal>,
    slug: &str,
    dataset: &str,
    name: &str,
    body: S,
) -> Result<FileInfo, AppError>
where
    S: Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let project = load_for(state, principal, slug, ProjectAction::Create, MANAGE_FILES).await?;
    let uploader = principal.ok_or_else(policy::sign_in_required)?;
    let name = name.trim();
    check_item_name(name, "name", "File name")?;
    let target = store::upload_target(&state.db, project.id(), dataset.trim(), name, uploader.user_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No such dataset: {}", dataset.trim())))?;
    if target.name_taken {
        return Err(file_exists(name));
    }
    let limiter = settings::current(state).await?.storage_limiter;
    let quota = quota::quota_of_stored(limiter, &target.uploader_metadata);
    let used = target.uploader_storage_used;
    let max_mb = state.settings.max_upload_mb;
    let room = quota.map(|q| q - used);
    let limit = room.map_or(max_mb * MIB_BYTES, |room| room.min(max_mb * MIB_BYTES));
    let key = random_hex(16);
    let size = match receive(state, &key, body, limit).await {
        Ok(size) => size,
        Err(Received::OverLimit) if room == Some(limit) => return Err(quota::over_quota(quota.unwrap_or_default(), used)),
        Err(Received::OverLimit) => return Err(too_big(max_mb)),
        Err(Received::Failed(e)) => return Err(e),
    };
    let now = now_ms();
    let row = NewFile { dataset: target.dataset.id, name, size, storage_key: &key, uploader: uploader.user_id, quota, now };
    let outcome = store::insert_file(&state.db, &row).await;
    match outcome {
        Ok(StoreFile::Stored(id)) => {
            metrics::counter!("gatehouse_upload_bytes_total").increment(size.max(0) as u64);
            Ok(FileInfo { id, name: name.to_string(), size, uploaded_by: Some(uploader.username.clone()), created_at: now })
        }
        other => {
            disk::remove_stored(state, std::slice::from_ref(&key)).await;
            Err(match other {
                Ok(StoreFile::OverQuota) => quota::over_quota(quota.unwrap_or_default(), quota::used_now(state, uploader.user_id).await?),
                Ok(_) => file_exists(name),
                Err(e) => e.into(),
            })
        }
    }
}

fn file_exists(name: &str) -> AppError {
    AppError::Conflict(format!("A file named {name} already exists here; delete or rename it first"))
}

enum Received {
    OverLimit,
    Failed(AppError),
}

/// Refuses to start while the data folder's file system has less than
/// `min_free_disk_mb` free.
fn check_free_space(state: &AppState) -> Result<(), AppError> {
    let root = &state.settings.data_dir;
    let free = disk::free_bytes(root).map_err(|e| internal(format!("data directory {}: {e}", root.display())))?;
    if free < (state.settings.min_free_disk_mb as u64).saturating_mul(MIB_BYTES as u64) {
        tracing::warn!(free_bytes = free, "upload refused: the data directory's disk is nearly full");
        return Err(AppError::InsufficientStorage(DISK_NEARLY_FULL.into()));
    }
    Ok(())
}

/// Writes the stream to `tmp/`, stopping once it passes `limit` bytes, then
/// moves it to `files/{key}`. Nothing is left behind on failure, nor when
/// the request is dropped mid-way (the guard removes the partial file).
async fn receive<S, E>(state: &AppState, key: &str, mut body: S, limit: i64) -> Result<i64, Received>
where
    S: Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let root = &state.settings.data_dir;
    let fail = |e: std::io::Error| Received::Failed(internal(format!("data directory {}: {e}", root.display())));
    for dir in ["tmp", "files"] {
        tokio::fs::create_dir_all(root.join(dir)).await.map_err(fail)?;
    }
    check_free_space(state).map_err(Received::Failed)?;
    let tmp = TempFile::new(root.join("tmp").join(key));
    let mut file = tokio::fs::File::create(tmp.path()).await.map_err(fail)?;
    let mut size: i64 = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| Received::Failed(AppError::validation("body", format!("Upload interrupted: {e}"))))?;
        size += chunk.len() as i64;
        if size > limit {
            return Err(Received::OverLimit);
        }
        file.write_all(&chunk).await.map_err(fail)?;
    }
    file.flush().await.map_err(fail)?;
    file.sync_all().await.map_err(fail)?;
    tmp.keep_as(&disk::stored_path(state, key)).await.map_err(fail)?;
    Ok(size)
}

/// A file to send: its record and where its bytes are (Read right).
pub async fn download(
    state: &AppState,
    principal: Option<&Principal>,
    slug: &str,
    dataset: &str,
    name: &str,
) -> Result<(FileInfo, PathBuf), AppError> {
    let project = load_for(state, principal, slug, ProjectAction::Read, DOWNLOAD_FILES).await?;
    let dataset = find_dataset(state, &project, dataset).await?;
    let file = find_file(state, &dataset, name).await?;
    let path = disk::stored_path(state, &file.storage_key);
    Ok((file_info(file), path))
}

pub async fn rename_file(
    state: &AppState,
    principal: Option<&Principal>,
    slug: &str,
    dataset: &str,
    name: &str,
    new_name: &str,
) -> Result<FileInfo, AppError> {
    let project = load_for(state, principal, slug, ProjectAction::Update, MANAGE_FILES).await?;
    let dataset = find_dataset(state, &project, dataset).await?;
    let file = find_file(state, &dataset, name).await?;
    let new_name = new_name.trim();
    check_item_name(new_name, "new_name", "File name")?;
    if !store::rename_file(&state.db, file.id, new_name).await? {
        return Err(file_exists(new_name));
    }
    find_file(state, &dataset, new_name).await.map(file_info)
}

pub async fn delete_file(state: &AppState, principal: Option<&Principal>, slug: &str, dataset: &str, name: &str) -> Result<(), AppError> {
    let project = load_for(state, principal, slug, ProjectAction::Delete, MANAGE_FILES).await?;
    let dataset = find_dataset(state, &project, dataset).await?;
    let file = find_file(state, &dataset, name).await?;
    store::delete_file(&state.db, file.id).await?;
    disk::remove_stored(state, &[file.storage_key]).await;
    Ok(())
}
