//! `/healthz` (the process answers) and `/readyz` (the database answers).

use crate::ServerState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use http::StatusCode;
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`.
    status: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Ready {
    /// `ready`.
    status: &'static str,
    /// `sqlite` or `postgres`.
    database: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Unavailable {
    /// `unavailable`.
    status: &'static str,
    error: &'static str,
}

/// The process answers.
#[utoipa::path(get, path = "/healthz", tag = "health", security(()), responses((status = 200, body = Health)))]
pub async fn healthz() -> impl IntoResponse {
    Json(Health { status: "ok" })
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "health", security(()),
    responses((status = 200, body = Ready), (status = 503, body = Unavailable)))]
pub async fn readyz(State(state): State<ServerState>) -> impl IntoResponse {
    match state.app.db.ping().await {
        Ok(()) => Json(Ready { status: "ready", database: state.app.db.backend_name() }).into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Unavailable { status: "unavailable", error: "database unreachable" })).into_response()
        }
    }
}
