//! `GET /admin/users/export.csv`: the admin list, with its filters, as a
//! CSV download (the browser's session or any API credential).

use super::{ApiResult, Caller, Query};
use crate::ServerState;
use app::backend::service::users::listing;
use app::model::UserQuery;
use axum::extract::State;
use axum::response::IntoResponse;
use http::header;

/// The admin user list, with its filters, as CSV (admins).
#[utoipa::path(get, path = "/admin/users/export.csv", tag = "admin", params(UserQuery),
    responses((status = 200, body = String, content_type = "text/csv"), (status = 400, description = "Bad filter (named)"),
        (status = 403, description = "Admin access required")))]
pub async fn export_users(State(s): State<ServerState>, caller: Caller, Query(query): Query<UserQuery>) -> ApiResult<impl IntoResponse> {
    let csv = listing::export_csv(&s.app, caller.get(), &query).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"gatehouse-users.csv\""),
        ],
        csv,
    ))
}
