//! File bytes: upload (streamed, any content type, outside the 1 MiB body
//! limit), download, rename and delete at `/files/{project}/{dataset}/{file}`.

use super::body::Body as Fields;
use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::data;
use app::backend::internal;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use app::model::{url, FileInfo};
use axum::{Json, Router};
use tower::ServiceExt;
use tower_http::services::ServeFile;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const TAG: &str = "files";

/// The routes with their OpenAPI operations (`rest::openapi`).
pub fn api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(download, upload, rename, remove))
}

pub fn routes() -> Router<ServerState> {
    api().into()
}

type FilePath = Path<(String, String, String)>;

/// Uploads a file into a dataset (the body is the file's bytes, streamed).
#[utoipa::path(put, path = "/files/{project}/{dataset}/{file}", tag = TAG, params(("project" = String, Path), ("dataset" = String, Path), ("file" = String, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = FileInfo), (status = 400, description = "Invalid name or an interrupted upload"),
        (status = 403, description = "Not allowed"), (status = 404, description = "No such project or dataset"),
        (status = 409, description = "A file of that name exists"), (status = 413, description = "Larger than `max_upload_mb` or the quota"),
        (status = 507, description = "The server's disk is nearly full")))]
async fn upload(State(s): State<ServerState>, caller: Caller, Path((project, dataset, file)): FilePath, body: Body) -> ApiResult<impl IntoResponse> {
    let stream = body.into_data_stream();
    let info = data::upload(&s.app, caller.get(), &project, &dataset, &file, stream).await?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// Sends the bytes as an attachment named as stored (ranges and
/// conditional requests handled by `ServeFile`).
/// Downloads a file as an attachment (ranges and conditional requests work).
#[utoipa::path(get, path = "/files/{project}/{dataset}/{file}", tag = TAG, params(("project" = String, Path), ("dataset" = String, Path), ("file" = String, Path)),
    security((), ("basic" = []), ("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<u8>, content_type = "application/octet-stream"),
        (status = 206, body = Vec<u8>, content_type = "application/octet-stream", description = "The asked range"),
        (status = 304, description = "Not modified"), (status = 403, description = "Not allowed"),
        (status = 404, description = "No such project, dataset or file"), (status = 416, description = "Range not satisfiable")))]
async fn download(State(s): State<ServerState>, caller: Caller, Path((project, dataset, file)): FilePath, req: Request) -> ApiResult<impl IntoResponse> {
    let (info, path) = data::download(&s.app, caller.get(), &project, &dataset, &file).await?;
    let mut res = ServeFile::new_with_mime(path, &mime_guess_octet()).oneshot(req).await.map_err(|e| internal(e))?;
    let ascii: String = info.name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        url::encode_query_value(&info.name)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res.map(Body::new))
}

fn mime_guess_octet() -> mime::Mime {
    mime::APPLICATION_OCTET_STREAM
}

#[derive(serde::Deserialize, Default, utoipa::ToSchema)]
struct Rename {
    /// The new name.
    name: Option<String>,
}

/// Renames a file: body `{"name": "new name"}` (JSON or form).
/// Renames a file.
#[utoipa::path(patch, path = "/files/{project}/{dataset}/{file}", tag = TAG, params(("project" = String, Path), ("dataset" = String, Path), ("file" = String, Path)),
    request_body(content((Rename = "application/json"), (Rename = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = FileInfo), (status = 400, description = "Invalid name"), (status = 403, description = "Not allowed"),
        (status = 404, description = "No such project, dataset or file"), (status = 409, description = "A file of that name exists")))]
async fn rename(
    State(s): State<ServerState>,
    caller: Caller,
    Path((project, dataset, file)): FilePath,
    Fields(req): Fields<Rename>,
) -> ApiResult<impl IntoResponse> {
    let new_name = req.name.unwrap_or_default();
    Ok(Json(data::rename_file(&s.app, caller.get(), &project, &dataset, &file, &new_name).await?))
}

/// Deletes a file.
#[utoipa::path(delete, path = "/files/{project}/{dataset}/{file}", tag = TAG, params(("project" = String, Path), ("dataset" = String, Path), ("file" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 403, description = "Not allowed"),
        (status = 404, description = "No such project, dataset or file")))]
async fn remove(State(s): State<ServerState>, caller: Caller, Path((project, dataset, file)): FilePath) -> ApiResult<impl IntoResponse> {
    data::delete_file(&s.app, caller.get(), &project, &dataset, &file).await?;
    Ok(StatusCode::NO_CONTENT)
}
