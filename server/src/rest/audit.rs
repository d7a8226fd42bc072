//! `GET /api/audit` (CONTRACTS.md §5): the audit log for admins, a JSON page
//! newest first with a `next` cursor, or with `format=csv` the whole
//! filtered log streamed as CSV.

use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::audit;
use app::model::AuditQuery;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::StreamExt;
use http::header;
use serde::Deserialize;

pub fn routes() -> Router<ServerState> {
    Router::new().route("/api/audit", get(list))
}

#[derive(Deserialize)]
struct Format {
    format: Option<String>,
}

async fn list(State(s): State<ServerState>, caller: Caller, Query(query): Query<AuditQuery>, Query(f): Query<Format>) -> ApiResult<Response> {
    match f.format.as_deref() {
        None | Some("json") => Ok(Json(audit::list(&s.app, caller.get(), &query).await?).into_response()),
        Some("csv") => {
            // Fused: the compression layer polls once more after the end.
            let rows = audit::export_csv(&s.app, caller.get(), &query).await?
                .map(|chunk| chunk.map(axum::body::Bytes::from).map_err(|e| std::io::Error::other(e.message())))
                .fuse();
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"gatehouse-audit.csv\""),
                ],
                Body::from_stream(rows),
            )
                .into_response())
        }
        Some(_) => Err(app::model::AppError::validation("format", "format: use json or csv").into()),
    }
}
