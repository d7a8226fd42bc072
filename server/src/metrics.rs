//! `/metrics` in Prometheus text format, and the per-request counts and
//! latencies behind it (by route template, never the raw path).
//!
//! Access: with `metrics_token` set, only `Authorization: Bearer <token>`;
//! without it, only a loopback peer whose request carries no forwarding
//! header (`X-Forwarded-For`, `Forwarded`, `X-Real-IP`), so a reverse proxy
//! on the same machine does not expose it. Behind a proxy, set the token.

use crate::ServerState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;
use app::backend::auth::secrets;
use app::backend::service::metrics::gauges;

/// Latency buckets in seconds, for requests and argon2 alike.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process's one recorder (several test servers in one process share it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new().set_buckets(BUCKETS).expect("non-empty buckets");
        match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder was installed first: keep a private one so /metrics still answers.
            Err(_) => PrometheusBuilder::new().set_buckets(BUCKETS).expect("non-empty buckets").build_recorder().handle(),
        }
    })
}

/// Counts every request and times it, labelled by method, route template and status.
pub async fn record_request(req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()).to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::histogram!("gatehouse_http_request_duration_seconds", "method" => method.clone(), "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("gatehouse_http_requests_total", "method" => method, "route" => route, "status" => status).increment(1);
    res
}

fn allowed(token: Option<&str>, peer: SocketAddr, headers: &HeaderMap) -> bool {
    match token {
        Some(token) => {
            let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
            // Compared as digests, so the time taken says nothing about the token.
            given.is_some_and(|g| secrets::sha256_hex(g.trim()) == secrets::sha256_hex(token))
        }
        None => peer.ip().is_loopback() && !FORWARDING_HEADERS.iter().any(|h| headers.contains_key(*h)),
    }
}

/// Headers a reverse proxy adds to say whom it forwards for: a request
/// carrying any of them did not come from this machine's own user.
const FORWARDING_HEADERS: [&str; 3] = ["x-forwarded-for", "forwarded", "x-real-ip"];

/// Prometheus text: request counts and latencies by route, sign-ins by outcome, argon2, sessions, outbox, pool.
#[utoipa::path(get, path = "/metrics", tag = "health",
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain"),
        (status = 403, description = "Not from this machine (no metrics_token set), or without the metrics token", body = crate::rest::ErrorBody),
    ))]
pub async fn serve(State(s): State<ServerState>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap) -> Response {
    if !allowed(s.metrics_token.as_deref(), peer, &headers) {
        let message = if s.metrics_token.is_some() { "Metrics need the metrics token" } else { "Metrics are served to this machine only" };
        return (StatusCode::FORBIDDEN, axum::Json(serde_json::json!({ "error": message }))).into_response();
    }
    match gauges(&s.app).await {
        Ok(g) => {
            metrics::gauge!("gatehouse_active_sessions").set(g.active_sessions as f64);
            metrics::gauge!("gatehouse_outbox_messages", "status" => "pending").set(g.outbox_pending as f64);
            metrics::gauge!("gatehouse_outbox_messages", "status" => "failed").set(g.outbox_failed as f64);
            metrics::gauge!("gatehouse_db_connections", "state" => "in_use").set(g.db_connections_in_use as f64);
            metrics::gauge!("gatehouse_db_connections", "state" => "idle").set(g.db_connections_idle as f64);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot read the site's gauges"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle().render()).into_response()
}

#[cfg(test)]
mod tests {
    use super::allowed;
    use axum::http::HeaderMap;

    #[test]
    fn metrics_access() {
        let local = "127.0.0.1:5000".parse().unwrap();
        let remote = "192.0.2.7:5000".parse().unwrap();
        let mut forwarded = HeaderMap::new();
        forwarded.insert("x-forwarded-for", "192.0.2.7".parse().unwrap());
        let mut bearer = HeaderMap::new();
        bearer.insert("authorization", "Bearer s3cret-token".parse().unwrap());
        assert!(allowed(None, local, &HeaderMap::new()));
        assert!(!allowed(None, remote, &HeaderMap::new()));
        assert!(!allowed(None, local, &forwarded), "a proxy on this machine does not make its clients local");
        let mut real_ip = HeaderMap::new();
        real_ip.insert("x-real-ip", "192.0.2.7".parse().unwrap());
        assert!(!allowed(None, local, &real_ip), "nginx's X-Real-IP is a forwarding header too");
        assert!(allowed(Some("s3cret-token"), remote, &bearer));
        assert!(!allowed(Some("other-token"), local, &bearer));
        assert!(!allowed(Some("s3cret-token"), local, &HeaderMap::new()), "with a token, loopback alone is not enough");
    }
}
