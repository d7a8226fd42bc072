//! `GET /api/audit` (CONTRACTS.md §5): the audit log for admins, a JSON page
//! newest first with a `next` cursor, or with `format=csv` the whole
//! filtered log streamed as CSV.

use super::{ApiResult, Caller, Query};
use crate::ServerState;
use app::backend::service::{audit, features};
use app::model::{AppError, AuditQuery};
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use app::model::AuditPage;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use futures_util::StreamExt;
use http::header;
use serde::Deserialize;

/// The route with its OpenAPI operation (`rest::openapi`).
pub fn api() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(list))
}

pub fn routes() -> Router<ServerState> {
    api().into()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Format {
    /// `json` (the default) or `csv`.
    format: Option<String>,
}

/// The audit log, newest first (admins): a JSON page with a `next` cursor,
/// or with `format=csv` the whole filtered log as CSV.
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery, Format),
    responses((status = 200, content((AuditPage = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Bad filter (named)"), (status = 403, description = "Admin access required")))]
async fn list(State(s): State<ServerState>, caller: Caller, Query(query): Query<AuditQuery>, Query(f): Query<Format>) -> ApiResult<Response> {
    match f.format.as_deref() {
        None | Some("json") => Ok(Json(audit::list(&s.app, caller.get(), &query).await?).into_response()),
        Some("csv") => {
            // Fused: the compression layer polls once more after the end.
            let rows = audit::export_csv(&s.app, caller.get(), &query).await?;
            features::require(&s.app, caller.get(), None, features::EXPORT_CSV).await?;
            let rows = rows
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
        Some(_) => Err(AppError::validation("format", "format: use json or csv").into()),
    }
}
