//! `GET /admin/users/export.csv`: the admin list, with its filters, as a
//! CSV download (the browser's session or any API credential).

use super::{ApiResult, Caller};
use crate::ServerState;
use app::backend::service::users::listing;
use app::model::UserQuery;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use http::header;

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
