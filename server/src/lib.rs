//! The Gatehouse server: opening the database, assembling the router with
//! its layers, and serving it. `main.rs` adds the command line.
#![recursion_limit = "256"]

pub mod config;
pub mod delivery;
pub mod metrics;
pub mod middleware;
pub mod rest;

use app::backend::auth::client_addr::TrustedProxies;
use app::backend::auth::session_store::DbSessionStore;
use app::backend::service::bootstrap::{ensure_first_admin, FirstAdmin};
use app::backend::jobs::{hourly, mail_delivery, search_upkeep, session_sweep};
use app::backend::auth::secrets::random_hex;
use app::backend::store::site_secrets;
use app::backend::{backup, AppState, Db};
use app::backend::backup::DatabaseLock;
use app::backend::features::{definitions, Catalog};
use app::{shell, App};
use axum::body::Body;
use axum::extract::FromRef;
use axum::http::Request;
use axum::routing::get;
use axum::Router;
use config::Config;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Largest request body accepted (uploads have their own limit, `max_upload_mb`).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the handlers and layers share. Every layer of the router clones it
/// for each request, so a clone is one reference count.
#[derive(Clone)]
pub struct ServerState(Arc<ServerParts>);

impl std::ops::Deref for ServerState {
    type Target = ServerParts;
    fn deref(&self) -> &ServerParts {
        &self.0
    }
}

pub struct ServerParts {
    pub app: AppState,
    pub leptos: LeptosOptions,
    pub public_url: Arc<str>,
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Bearer token `/metrics` asks for; `None` = loopback callers only.
    pub metrics_token: Option<Arc<str>>,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}

/// Connects to the configured database and applies migrations.
pub async fn open_state(config: &Config) -> Result<AppState, String> {
    let db = Db::connect(&config.database_url).await.map_err(|e| format!("cannot open the database: {e}"))?;
    db.migrate().await.map_err(|e| format!("cannot apply migrations: {e}"))?;
    let secret = match &config.jwt_secret {
        Some(secret) => secret.clone(),
        None => site_secrets::get_or_insert(&db, "jwt_secret", &random_hex(32))
            .await
            .map_err(|e| format!("cannot read the site's signing secret: {e}"))?,
    };
    let site_secret = match &config.secret_key {
        Some(secret) => secret.clone(),
        None => site_secrets::get_or_insert(&db, "secret_key", &random_hex(32))
            .await
            .map_err(|e| format!("cannot read the site's secret key: {e}"))?,
    };
    let definitions = definitions::load(&config.features_dir())?;
    let state = AppState::new(db, config.settings(), secret.as_bytes(), site_secret.as_bytes());
    Ok(state.with_features(Catalog::new(definitions)))
}

/// Creates the first admin when the site has no enabled admin (not with
/// external authentication: there the provider's `external_auth_admin_role`
/// makes admins, or `gatehouse create-admin` when it is unset).
pub async fn first_run(config: &Config, state: &AppState) -> Result<Option<FirstAdmin>, String> {
    if config.site.external_auth_url.is_some() {
        return Ok(None);
    }
    ensure_first_admin(
        state,
        &config.admin_username,
        config.admin_password.as_deref(),
        config.admin_email.as_deref(),
    )
    .await
    .map_err(|e| format!("cannot create the first admin: {e}"))
}

fn session_cookie_name(config: &Config) -> &'static str {
    if config.is_https() { "__Host-gatehouse_session" } else { "gatehouse_session" }
}

/// The whole application: pages, server functions, REST and health routes.
pub fn router(config: &Config, app_state: AppState) -> Router {
    let site_addr = config.bind.parse().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 3000)));
    let hashed_assets = delivery::assets_are_hashed();
    let leptos = LeptosOptions::builder()
        .output_name("gatehouse")
        .hash_files(hashed_assets)
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(site_addr)
        .build();
    let state = ServerState(Arc::new(ServerParts {
        app: app_state.clone(),
        leptos: leptos.clone(),
        public_url: config.public_url().into(),
        trusted_proxies: Arc::new(config.trusted_proxies().unwrap_or_default()),
        metrics_token: config.metrics_token.as_deref().map(Arc::from),
    }));
    metrics::handle();

    let session_layer = SessionManagerLayer::new(DbSessionStore::new(app_state.clone()))
    .with_name(session_cookie_name(config))
    .with_http_only(true)
    .with_same_site(SameSite::Lax)
    .with_secure(config.is_https())
    .with_path("/")
    .with_expiry(Expiry::OnSessionEnd);

    let provide_state = {
        let app_state = app_state.clone();
        move || provide_context(app_state.clone())
    };
    // Registers the pages and, with the same context, every server function
    // under /api/; the page guard lets the latter through.
    let pages = Router::new()
        .leptos_routes_with_context(&state, generate_route_list(App), provide_state.clone(), {
            let leptos = leptos.clone();
            move || shell(leptos.clone())
        })
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::guard_pages));

    // Uploads stream past the body limit; they are bounded by max_upload_mb and the quota.
    let limited = pages
        .merge(rest::registry::routes())
        .merge(rest::quota::routes())
        .merge(rest::orgs::routes())
        .merge(rest::xapi::routes())
        .merge(rest::credentials::tokens::access_routes())
        .merge(rest::credentials::tokens::alias_routes())
        .merge(rest::credentials::service_keys::routes())
        .merge(rest::audit::routes())
        .merge(rest::features::routes())
        .merge(rest::openapi::routes())
        .nest("/data", rest::xnat::routes())
        .nest("/REST", rest::xnat::routes())
        .route("/admin/users/export.csv", get(rest::admin_export::export_users))
        .route("/healthz", get(rest::health::healthz))
        .route("/readyz", get(rest::health::readyz))
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(provide_state, shell))
        .layer(axum::middleware::from_fn(rest::text_guard::refuse_nul_in_body))
        .layer(axum::middleware::from_fn(rest::body::limit_body))
        .layer(axum::middleware::from_fn(middleware::server_fn_status));
    let cookie_name = session_cookie_name(config);
    let https = config.is_https();
    limited
        .merge(rest::files::routes())
        .layer(axum::middleware::from_fn(rest::refusals::api_router_refusals))
        .layer(axum::middleware::from_fn(rest::text_guard::refuse_control_in_url))
        .layer(axum::middleware::from_fn(metrics::record_request))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::resolve_principal))
        .layer(session_layer)
        // Outside the caller's resolution: its Bearer token is the metrics token, not an API credential.
        .merge(Router::new().route("/metrics", get(metrics::serve)))
        .layer(axum::middleware::from_fn(move |req, next| middleware::jsessionid_alias(cookie_name, req, next)))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::csrf_guard))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::client_address))
        .layer(axum::middleware::from_fn(move |req, next| middleware::security_headers(https, req, next)))
        .layer(axum::middleware::from_fn(move |req, next| delivery::cache_policy(hashed_assets, req, next)))
        .layer(axum::middleware::from_fn(middleware::request_id_in_server_errors))
        .layer(delivery::compression())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            let theirs = req.extensions().get::<middleware::ClientRequestId>().map_or("-", |c| c.0.as_str());
            let route = req.extensions().get::<axum::extract::MatchedPath>().map(|m| m.as_str());
            let path = middleware::logged_path(req.uri().path(), route);
            tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id, client_request_id = %theirs)
        }))
        .layer(SetRequestIdLayer::x_request_id(middleware::MakeRandomRequestId))
        .layer(axum::middleware::from_fn(middleware::take_client_request_id))
        .with_state(state)
}

/// A server running on a background task (for tests and `serve`).
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    pub first_admin: Option<FirstAdmin>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// Keeps `gatehouse restore` from replacing the SQLite file while this server runs.
    _db_lock: Option<DatabaseLock>,
}

/// Opens the database, runs first-run setup, binds `config.bind` (port 0
/// picks a free port) and serves on a background task.
pub async fn start(config: &Config) -> Result<Running, String> {
    let db_lock = backup::hold_while_serving(&config.database_url)?;
    let state = open_state(config).await?;
    let mailer = match config.mail_delivery() {
        Some(delivery) => Some((mail_delivery::transport(&delivery)?, delivery)),
        None => None,
    };
    let first_admin = first_run(config, &state).await?;
    let listener = tokio::net::TcpListener::bind(&config.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Without TCP_NODELAY, a response written in pieces waits for the
    // client's delayed ACK (~40 ms) on a kept-alive connection.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    let app = middleware::normalize_leading_slashes(router(config, state.clone()));
    session_sweep::spawn(state.clone());
    search_upkeep::spawn(state.clone());
    hourly::spawn(state.clone());
    if let Some((transport, delivery)) = mailer {
        mail_delivery::spawn(state.clone(), delivery, transport);
    }
    let task = tokio::spawn(async move {
        axum::serve(listener, axum::ServiceExt::<Request<Body>>::into_make_service_with_connect_info::<SocketAddr>(app))
            .with_graceful_shutdown(shutdown_signal())
            .await
    });
    Ok(Running { addr, state, first_admin, task, _db_lock: db_lock })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
