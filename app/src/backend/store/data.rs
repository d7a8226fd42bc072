//! The `datasets` and `files` tables, and each user's `storage_used`
//! counter that files keep in step.

use crate::backend::db::Db;
use crate::backend::store::users::role_grants::{sole_enabled_admin, LastAdmin};
use crate::backend::store::audit::{append_in, NewEvent};
use crate::{in_tx, in_write_tx, on_db};
use crate::model::DatasetInfo;

/// A dataset with its figures, as pages show it.
pub type DatasetRow = DatasetInfo;

const SELECT_DATASET: &str = "SELECT d.id, d.name, d.description, u.username AS created_by, d.created_at, \
     (SELECT COUNT(*) FROM files f WHERE f.dataset_id = d.id) AS file_count, \
     (SELECT CAST(COALESCE(SUM(f.size), 0) AS BIGINT) FROM files f WHERE f.dataset_id = d.id) AS total_bytes \
     FROM datasets d LEFT JOIN users u ON u.id = d.created_by";

pub async fn datasets(db: &Db, project: i64) -> Result<Vec<DatasetRow>, sqlx::Error> {
    let sql = format!("{SELECT_DATASET} WHERE d.project_id = $1 ORDER BY d.name_lower");
    on_db!(db, |pool| sqlx::query_as::<_, DatasetRow>(&sql).bind(project).fetch_all(pool).await)
}

pub async fn find_dataset(db: &Db, project: i64, name: &str) -> Result<Option<DatasetRow>, sqlx::Error> {
    let sql = format!("{SELECT_DATASET} WHERE d.project_id = $1 AND d.name_lower = $2");
    let key = name.to_lowercase();
    on_db!(db, |pool| sqlx::query_as::<_, DatasetRow>(&sql).bind(project).bind(&key).fetch_optional(pool).await)
}

/// Inserts a dataset; `None` when the project has one by that name in any letter case.
pub async fn insert_dataset(
    db: &Db,
    project: i64,
    name: &str,
    description: &str,
    creator: i64,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let sql = "INSERT INTO datasets (project_id, name, name_lower, description, created_by, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id";
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .bind(project)
        .bind(name)
        .bind(name.to_lowercase())
        .bind(description)
        .bind(creator)
        .bind(now)
        .fetch_optional(pool)
        .await)
}

/// Deletes a dataset and its files, releasing their bytes; returns the
/// storage keys of the removed files.
pub async fn delete_dataset(db: &Db, dataset: i64) -> Result<Vec<String>, sqlx::Error> {
    let release = "UPDATE users SET storage_used = storage_used - COALESCE((SELECT SUM(f.size) FROM files f \
                   WHERE f.dataset_id = $1 AND f.uploaded_by = users.id), 0) \
                   WHERE id IN (SELECT f.uploaded_by FROM files f WHERE f.dataset_id = $1)";
    in_tx!(db, |tx| {
        let keys = sqlx::query_scalar::<_, String>("SELECT storage_key FROM files WHERE dataset_id = $1")
            .bind(dataset)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query(release).bind(dataset).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM datasets WHERE id = $1").bind(dataset).execute(&mut *tx).await?;
        Ok::<_, sqlx::Error>(keys)
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub name: String,
    pub size: i64,
    pub storage_key: String,
    pub uploaded_by: Option<String>,
    pub uploader_id: Option<i64>,
    pub created_at: i64,
}

const SELECT_FILE: &str = "SELECT f.id, f.name, f.size, f.storage_key, u.username AS uploaded_by, \
     f.uploaded_by AS uploader_id, f.created_at FROM files f LEFT JOIN users u ON u.id = f.uploaded_by";

pub async fn files(db: &Db, dataset: i64) -> Result<Vec<FileRow>, sqlx::Error> {
    let sql = format!("{SELECT_FILE} WHERE f.dataset_id = $1 ORDER BY f.name_lower");
    on_db!(db, |pool| sqlx::query_as::<_, FileRow>(&sql).bind(dataset).fetch_all(pool).await)
}

pub async fn find_file(db: &Db, dataset: i64, name: &str) -> Result<Option<FileRow>, sqlx::Error> {
    let sql = format!("{SELECT_FILE} WHERE f.dataset_id = $1 AND f.name_lower = $2");
    let key = name.to_lowercase();
    on_db!(db, |pool| sqlx::query_as::<_, FileRow>(&sql).bind(dataset).bind(&key).fetch_optional(pool).await)
}

/// What an upload needs before its bytes arrive, read in one query: the
/// dataset, whether it has a file by that name already, and the uploader's
/// metadata (for the quota) and stored bytes.
#[derive(sqlx::FromRow)]
pub struct UploadTarget {
    #[sqlx(flatten)]
    pub dataset: DatasetRow,
    pub name_taken: bool,
    pub uploader_metadata: String,
    pub uploader_storage_used: i64,
}

pub async fn upload_target(db: &Db, project: i64, dataset: &str, file: &str, uploader: i64) -> Result<Option<UploadTarget>, sqlx::Error> {
    let sql = format!(
        "SELECT * FROM ({SELECT_DATASET} WHERE d.project_id = $1 AND d.name_lower = $2) ds \
         CROSS JOIN (SELECT \
           EXISTS (SELECT 1 FROM files f JOIN datasets d2 ON d2.id = f.dataset_id \
                   WHERE d2.project_id = $1 AND d2.name_lower = $2 AND f.name_lower = $3) AS name_taken, \
           up.metadata AS uploader_metadata, up.storage_used AS uploader_storage_used \
           FROM users up WHERE up.id = $4) who"
    );
    let (dataset, file) = (dataset.to_lowercase(), file.to_lowercase());
    on_db!(db, |pool| sqlx::query_as::<_, UploadTarget>(&sql)
        .bind(project)
        .bind(&dataset)
        .bind(&file)
        .bind(uploader)
        .fetch_optional(pool)
        .await)
}

/// Why a file row was not stored.
#[derive(Debug, PartialEq, Eq)]
pub enum StoreFile {
    Stored(i64),
    /// The uploader's quota would be passed.
    OverQuota,
    /// The dataset already has a file by that name.
    NameTaken,
}

pub struct NewFile<'a> {
    pub dataset: i64,
    pub name: &'a str,
    pub size: i64,
    pub storage_key: &'a str,
    pub uploader: i64,
    /// Quota in bytes; `None` = unlimited.
    pub quota: Option<i64>,
    pub now: i64,
}

/// Inserts the row and reserves its bytes against the uploader's quota, in
/// one transaction. The reservation is one conditional UPDATE, so
/// concurrent uploads cannot jointly pass the quota on either database.
pub async fn insert_file(db: &Db, f: &NewFile<'_>) -> Result<StoreFile, sqlx::Error> {
    let insert = "INSERT INTO files (dataset_id, name, name_lower, size, storage_key, uploaded_by, created_at) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id";
    let reserve = "UPDATE users SET storage_used = storage_used + $2 WHERE id = $1 AND ($3 OR storage_used + $2 <= $4)";
    in_tx!(db, |tx| {
        let id = sqlx::query_scalar::<_, i64>(insert)
            .bind(f.dataset)
            .bind(f.name)
            .bind(f.name.to_lowercase())
            .bind(f.size)
            .bind(f.storage_key)
            .bind(f.uploader)
            .bind(f.now)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(id) = id else {
            return Ok(StoreFile::NameTaken);
        };
        let reserved = sqlx::query(reserve)
            .bind(f.uploader)
            .bind(f.size)
            .bind(f.quota.is_none())
            .bind(f.quota.unwrap_or(0))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if reserved != 1 {
            sqlx::query("DELETE FROM files WHERE id = $1").bind(id).execute(&mut *tx).await?;
            return Ok(StoreFile::OverQuota);
        }
        Ok::<_, sqlx::Error>(StoreFile::Stored(id))
    })
}

/// Renames a file; `false` when the new name is taken in that dataset.
pub async fn rename_file(db: &Db, file: i64, name: &str) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE files SET name = $2, name_lower = $3 WHERE id = $1 \
               AND NOT EXISTS (SELECT 1 FROM files o WHERE o.dataset_id = files.dataset_id AND o.name_lower = $3 AND o.id <> $1)";
    on_db!(db, |pool| sqlx::query(sql)
        .bind(file)
        .bind(name)
        .bind(name.to_lowercase())
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1))
}

/// Deletes a file row and gives its bytes back to the uploader.
pub async fn delete_file(db: &Db, file: i64) -> Result<(), sqlx::Error> {
    in_tx!(db, |tx| {
        sqlx::query(
            "UPDATE users SET storage_used = storage_used - (SELECT size FROM files WHERE id = $1) \
             WHERE id = (SELECT uploaded_by FROM files WHERE id = $1)",
        )
        .bind(file)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM files WHERE id = $1").bind(file).execute(&mut *tx).await?;
        Ok::<_, sqlx::Error>(())
    })
}

pub async fn storage_used(db: &Db, user: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>("SELECT storage_used FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(pool)
        .await
        .map(Option::unwrap_or_default))
}

/// Datasets each user created, for user listings.
pub async fn dataset_counts(db: &Db, users: &[i64]) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let ids = users.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("SELECT created_by, COUNT(*) FROM datasets WHERE created_by IN ({ids}) GROUP BY created_by");
    on_db!(db, |pool| sqlx::query_as::<_, (i64, i64)>(&sql).fetch_all(pool).await)
}

/// Deletes a user in one transaction, first giving their datasets, files
/// and stored bytes to `heir`, or — without an heir — deleting the datasets
/// they created and the files they uploaded (other uploaders get their
/// bytes back). Returns the storage keys of the removed files.
pub async fn delete_user_with_data(
    db: &Db,
    user: i64,
    heir: Option<i64>,
    event: &NewEvent,
) -> Result<Result<Vec<String>, LastAdmin>, sqlx::Error> {
    let doomed = "SELECT f.storage_key FROM files f WHERE f.uploaded_by = $1 \
                  OR f.dataset_id IN (SELECT id FROM datasets WHERE created_by = $1)";
    let release_others = "UPDATE users SET storage_used = storage_used - COALESCE((SELECT SUM(f.size) FROM files f \
                          JOIN datasets d ON d.id = f.dataset_id WHERE d.created_by = $1 AND f.uploaded_by = users.id), 0) \
                          WHERE id <> $1";
    in_write_tx!(db, |tx, lock| {
        if sole_enabled_admin(&mut *tx, lock, user).await? {
            return Ok(Err(LastAdmin));
        }
        let keys = match heir {
            Some(heir) => {
                sqlx::query("UPDATE users SET storage_used = storage_used + (SELECT storage_used FROM users WHERE id = $1) WHERE id = $2")
                    .bind(user)
                    .bind(heir)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE datasets SET created_by = $2 WHERE created_by = $1").bind(user).bind(heir).execute(&mut *tx).await?;
                sqlx::query("UPDATE files SET uploaded_by = $2 WHERE uploaded_by = $1").bind(user).bind(heir).execute(&mut *tx).await?;
                Vec::new()
            }
            None => {
                let keys = sqlx::query_scalar::<_, String>(doomed).bind(user).fetch_all(&mut *tx).await?;
                sqlx::query(release_others).bind(user).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM files WHERE uploaded_by = $1").bind(user).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM datasets WHERE created_by = $1").bind(user).execute(&mut *tx).await?;
                keys
            }
        };
        sqlx::query("DELETE FROM users WHERE id = $1").bind(user).execute(&mut *tx).await?;
        append_in(&mut *tx, event).await?;
        Ok::<_, sqlx::Error>(Ok(keys))
    })
}
