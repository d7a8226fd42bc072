//! Server functions for a project's data: datasets and their files.

use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::service::data;

#[server(endpoint = "projects/datasets/list")]
pub async fn list_datasets(slug: String) -> Result<Vec<DatasetInfo>, AppError> {
    use super::door::*;
    respond(data::datasets(&state()?, principal().await.as_ref(), &slug).await)
}

#[server(endpoint = "projects/datasets/create")]
pub async fn create_dataset(slug: String, name: String, description: String) -> Result<DatasetInfo, AppError> {
    use super::door::*;
    respond(data::create_dataset(&state()?, principal().await.as_ref(), &slug, &name, &description).await)
        .inspect(|_| on_form_post_go_to(&format!("/projects/{slug}")))
}

#[server(endpoint = "projects/datasets/delete")]
pub async fn delete_dataset(slug: String, name: String) -> Result<(), AppError> {
    use super::door::*;
    respond(data::delete_dataset(&state()?, principal().await.as_ref(), &slug, &name).await)
}

#[server(endpoint = "projects/datasets/get")]
pub async fn load_dataset(slug: String, name: String) -> Result<DatasetPage, AppError> {
    use super::door::*;
    respond(data::dataset_page(&state()?, principal().await.as_ref(), &slug, &name).await)
}

#[server(endpoint = "projects/files/rename")]
pub async fn rename_file(slug: String, dataset: String, name: String, new_name: String) -> Result<FileInfo, AppError> {
    use super::door::*;
    respond(data::rename_file(&state()?, principal().await.as_ref(), &slug, &dataset, &name, &new_name).await)
}

#[server(endpoint = "projects/files/delete")]
pub async fn delete_file(slug: String, dataset: String, name: String) -> Result<(), AppError> {
    use super::door::*;
    respond(data::delete_file(&state()?, principal().await.as_ref(), &slug, &dataset, &name).await)
}
