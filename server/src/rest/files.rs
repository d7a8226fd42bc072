//! File bytes: upload (streamed, any content type, outside the 1 MiB body
//! limit), download, rename and delete at `/files/{project}/{dataset}/{file}`.

use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::data;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use tower::ServiceExt;
use tower_http::services::ServeFile;

pub fn routes() -> Router<ServerState> {
    Router::new().route("/files/{project}/{dataset}/{file}", get(download).put(upload).patch(rename).delete(remove))
}

type FilePath = Path<(String, String, String)>;

async fn upload(State(s): State<ServerState>, caller: Caller, Path((project, dataset, file)): FilePath, body: Body) -> ApiResult<impl IntoResponse> {
    let stream = body.into_data_stream();
    let info = data::upload(&s.app, caller.get(), &project, &dataset, &file, stream).await?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// Sends the bytes as an attachment named as stored (ranges and
/// conditional requests handled by `ServeFile`).
async fn download(State(s): State<ServerState>, caller: Caller, Path((project, dataset, file)): FilePath, req: Request) -> ApiResult<impl IntoResponse> {
    let (info, path) = data::download(&s.app, caller.get(), &project, &dataset, &file).await?;
    let mut res = ServeFile::new_with_mime(path, &mime_guess_octet()).oneshot(req).await.map_err(|e| app::backend::internal(e))?;
    let ascii: String = info.name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        app::model::url::encode_query_value(&info.name)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res.map(Body::new))
}

fn mime_guess_octet() -> mime::Mime {
    mime::APPLICATION_OCTET_STREAM
}

#[derive(serde::Deserialize, Default)]
struct Rename {
    name: Option<String>,
}

/// Renames a file: body `{"name": "new name"}` (JSON or form).
async fn rename(
    State(s): State<ServerState>,
    caller: Caller,
    Path((project, dataset, file)): FilePath,
    super::body::Body(req): super::body::Body<Rename>,
) -> ApiResult<impl IntoResponse> {
    let new_name = req.name.unwrap_or_default();
    Ok(Json(data::rename_file(&s.app, caller.get(), &project, &dataset, &file, &new_name).await?))
}

async fn remove(State(s): State<ServerState>, caller: Caller, Path((project, dataset, file)): FilePath) -> ApiResult<impl IntoResponse> {
    data::delete_file(&s.app, caller.get(), &project, &dataset, &file).await?;
    Ok(StatusCode::NO_CONTENT)
}
