//! A project's data: datasets and their files.

use crate::model::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DatasetInfo {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub file_count: i64,
    pub total_bytes: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FileInfo {
    pub id: i64,
    pub name: String,
    pub size: i64,
    pub uploaded_by: Option<String>,
    pub created_at: i64,
}

/// One dataset's page: the project, the dataset, its files and the caller's rights.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetPage {
    pub project: ProjectSummary,
    pub rights: ProjectRights,
    pub dataset: DatasetInfo,
    pub files: Vec<FileInfo>,
}
