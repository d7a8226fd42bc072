//! Request layers: request ids, security headers (with the CSP nonce that
//! Leptos' hydration script carries), the CSRF check, resolving the caller,
//! and guarding full page loads.

use crate::rest::error_response;
use crate::rest::xnat_prefixes::{is_xnat_path, xnat_error};
use crate::ServerState;
use app::backend::auth::client_addr::ClientAddr;
use app::backend::auth::principal::CurrentPrincipal;
use app::backend::auth::resolve::{from_authorization, from_session};
use app::backend::auth::secrets::random_hex;
use app::backend::service::audit::{RequestContext, REQUEST};
use app::backend::service::project_access;
use app::backend::policy::{page_access, PageAccess, CHANGE_PASSWORD_PATH};
use app::model::{url, AppError};
use app::CspNonce;
use axum::extract::{ConnectInfo, Request, State};
use std::net::SocketAddr;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use tower_http::request_id::{MakeRequestId, RequestId};
use tower_sessions::Session;

/// Random request ids for the `x-request-id` header and the logs.
#[derive(Clone, Default)]
pub struct MakeRandomRequestId;

impl MakeRequestId for MakeRandomRequestId {
    fn make_request_id<B>(&mut self, _request: &http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&random_hex(8)).ok().map(RequestId::new)
    }
}

/// Whether a client's `x-request-id` may be kept: 1 to 64 letters, digits, `.`, `_` or `-`.
fn is_safe_request_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len()) && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The `x-request-id` a client sent (a safe token), kept apart from ours.
#[derive(Clone, Debug)]
pub struct ClientRequestId(pub String);

/// Takes a client's `x-request-id` off the request, so the server always
/// makes its own id (the one in the logs, the answer's header and the audit
/// log); a safe one is kept as [`ClientRequestId`], a hostile one dropped.
pub async fn take_client_request_id(mut req: Request, next: Next) -> Response {
    if let Some(theirs) = req.headers_mut().remove("x-request-id") {
        if is_safe_request_id(theirs.as_bytes()) {
            let theirs = String::from_utf8_lossy(theirs.as_bytes()).into_owned();
            req.extensions_mut().insert(ClientRequestId(theirs));
        }
    }
    next.run(req).await
}

/// Adds `"request_id"` to the JSON body of every 5xx answer, so a user
/// can quote it and an admin find the request in the logs.
pub async fn request_id_in_server_errors(req: Request, next: Next) -> Response {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let res = next.run(req).await;
    let is_json = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("application/json"));
    let Some(id) = id.filter(|_| res.status().is_server_error() && is_json) else { return res };
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (parts.status, "Something went wrong").into_response();
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut fields)) => {
            fields.insert("request_id".into(), serde_json::Value::String(id));
            parts.headers.remove(header::CONTENT_LENGTH);
            serde_json::Value::Object(fields).to_string().into()
        }
        _ => bytes,
    };
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// Sets the security headers on every response (with `https`, HSTS too).
/// The CSP nonce is chosen here and handed to the page renderer through a
/// request extension.
pub async fn security_headers(https: bool, mut req: Request, next: Next) -> Response {
    let nonce = random_hex(16);
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    let headers = res.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    set("content-security-policy", &csp);
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    set("referrer-policy", "same-origin");
    set("cross-origin-opener-policy", "same-origin");
    set("permissions-policy", "camera=(), microphone=(), geolocation=()");
    if https {
        set("strict-transport-security", "max-age=31536000; includeSubDomains");
    }
    res
}

/// Finds the client's address once per request (the peer, or for a
/// trusted proxy its `X-Forwarded-For`) and stores it as a `ClientAddr`;
/// the rest of the request runs with its address, user agent and request
/// id in reach of the audit log (`service::audit::REQUEST`).
pub async fn client_address(State(state): State<ServerState>, mut req: Request, next: Next) -> Response {
    let mut context = RequestContext::default();
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let forwarded = req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        let client = state.trusted_proxies.client_of(peer.ip(), forwarded);
        context.ip = Some(client.to_string());
        req.extensions_mut().insert(ClientAddr(client));
    }
    let text = |value: Option<&HeaderValue>| value.and_then(|v| v.to_str().ok()).map(str::to_owned);
    context.user_agent = text(req.headers().get(header::USER_AGENT));
    context.request_id = text(req.headers().get("x-request-id"));
    context.client_request_id = req.extensions().get::<ClientRequestId>().map(|c| c.0.clone());
    REQUEST.scope(context, next.run(req)).await
}

/// Refuses state-changing requests that a browser says another site sent
/// ([`sent_by_another_site`]).
pub async fn csrf_guard(State(state): State<ServerState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && sent_by_another_site(req.headers(), &state.public_url) {
        return error_response(&AppError::Forbidden("Cross-site request refused".into()));
    }
    next.run(req).await
}

/// Whether a browser says a page of another site sent this request: the
/// one rule for the CSRF guard and for the GETs that change state (alias
/// tokens). A request with an `Authorization` header (Basic, Bearer) never
/// is: no other site can make a browser send one. Otherwise a
/// `Sec-Fetch-Site` header (every current browser sends one) must be
/// `same-origin` or `none` (typed in the address bar); an `Origin` that is
/// present must be this site's; without either, so must a `Referer` that
/// is present. A script (pyxnat, curl) sends none of them and goes on.
pub(crate) fn sent_by_another_site(headers: &HeaderMap, public_url: &str) -> bool {
    if headers.contains_key(header::AUTHORIZATION) {
        return false;
    }
    let text = |name| headers.get(name).map(|v| v.to_str().unwrap_or("?"));
    let host = text(header::HOST).unwrap_or_default();
    let elsewhere = |url: &str| !same_origin(&url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/"), public_url, host);
    let site = text(HeaderName::from_static("sec-fetch-site"));
    if site.is_some_and(|site| !matches!(site, "same-origin" | "none")) {
        return true;
    }
    match (site, text(header::ORIGIN), text(header::REFERER)) {
        (_, Some(origin), _) => elsewhere(origin),
        (None, None, Some(referer)) => elsewhere(referer),
        _ => false,
    }
}

/// Whether a browser's `Origin` is this site: scheme, host and port equal to
/// the public URL's, or to the `Host` the request was sent to, under the
/// public URL's scheme.
fn same_origin(origin: &str, public_url: &str, host: &str) -> bool {
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    let public = public_url.trim_end_matches('/').to_ascii_lowercase();
    let scheme = public.split_once("://").map(|(scheme, _)| scheme).unwrap_or("http");
    let public_origin = public.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    origin == public_origin || origin == format!("{scheme}://{}", host.to_ascii_lowercase())
}


/// The one path where an `Authorization` header is ignored, so a client
/// holding an expired token can sign in again.
const SIGN_IN_PATH: &str = "/users/authenticate";

/// Finds out who is calling and stores it as a `CurrentPrincipal` extension.
/// A request with an `Authorization` header is judged by that header alone;
/// a credential that fails is a 401, never an anonymous request.
pub async fn resolve_principal(
    State(state): State<ServerState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let header = req.headers().get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("").to_string());
    let ip = req.extensions().get::<ClientAddr>().map(|ClientAddr(ip)| ip.to_string());
    let resolved = match header {
        Some(h) if req.uri().path() != SIGN_IN_PATH => from_authorization(&state.app, &h, ip.as_deref()).await.map(Some),
        _ => from_session(&state.app, &session).await,
    };
    match resolved {
        Ok(principal) => {
            req.extensions_mut().insert(CurrentPrincipal(principal));
            next.run(req).await
        }
        Err(err) if is_xnat_path(req.uri().path()) => xnat_error(&err),
        Err(err) => error_response(&err),
    }
}

/// XNAT clients send back the `JSESSIONID` cookie that `/data/JSESSION`
/// set; it carries the same session id as our own cookie, so it is read as
/// that cookie when ours is absent — on XNAT's paths only, so that pages
/// and server functions keep the protection of our `__Host-` cookie.
pub async fn jsessionid_alias(cookie_name: &'static str, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !is_xnat_path(path) && !(path == "/xapi" || path.starts_with("/xapi/")) {
        return next.run(req).await;
    }
    let cookies: Vec<String> = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';').map(|c| c.trim().to_string()))
        .collect();
    let ours = cookies.iter().any(|c| c.starts_with(&format!("{cookie_name}=")));
    let alias = cookies.iter().find_map(|c| c.strip_prefix("JSESSIONID=").map(str::to_string));
    if let (false, Some(id)) = (ours, alias) {
        if let Ok(v) = HeaderValue::from_str(&format!("{cookie_name}={id}")) {
            req.headers_mut().append(header::COOKIE, v);
        }
    }
    next.run(req).await
}

/// Wraps the router so that a path starting with `//` (what a client with
/// a trailing slash in its base URL sends) is routed as `/`.
pub fn normalize_leading_slashes(router: axum::Router) -> axum::middleware::FromFn<
    fn(Request, Next) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>,
    (),
    axum::Router,
    (Request,),
> {
    fn rewrite(mut req: Request, next: Next) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>> {
        let path = req.uri().path();
        if path.starts_with("//") {
            let trimmed = format!("/{}", path.trim_start_matches('/'));
            let rest = req.uri().query().map(|q| format!("{trimmed}?{q}")).unwrap_or(trimmed);
            if let Ok(uri) = rest.parse::<http::Uri>() {
                *req.uri_mut() = uri;
            }
        }
        Box::pin(next.run(req))
    }
    tower::Layer::layer(&axum::middleware::from_fn(rewrite as fn(_, _) -> _), router)
}

/// On full page loads: sends visitors who must sign in (or must change their
/// password first) where they need to go, and marks refused pages 403.
pub async fn guard_pages(State(state): State<ServerState>, req: Request, next: Next) -> Response {
    let principal = req.extensions().get::<CurrentPrincipal>().and_then(|c| c.0.clone());
    let path = req.uri().path().to_string();
    if path.starts_with("/api/") {
        return next.run(req).await;
    }
    if path == "/login" && principal.as_ref().is_some_and(|p| !p.must_change_password) {
        return Redirect::to("/").into_response();
    }
    let guests_browse = !project_access::require_login(&state.app).await;
    match page_access(principal.as_ref(), &path, guests_browse) {
        PageAccess::Allow => next.run(req).await,
        PageAccess::SignIn => {
            let wanted = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let target = format!("/login?next={}", url::encode_query_value(wanted));
            Redirect::to(&target).into_response()
        }
        PageAccess::ChangePassword => Redirect::to(CHANGE_PASSWORD_PATH).into_response(),
        PageAccess::Forbidden => {
            let mut res = next.run(req).await;
            *res.status_mut() = StatusCode::FORBIDDEN;
            res
        }
    }
}

/// The path a request is logged under: for a route that carries a secret
/// in its path (a `{token}` or `{secret}` segment, e.g. `/invitations/{token}`)
/// its template, so the secret never reaches the log; otherwise the path.
pub fn logged_path<'a>(path: &'a str, route: Option<&'a str>) -> &'a str {
    match route {
        Some(template) if template.contains("{token}") || template.contains("{secret}") => template,
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::{is_safe_request_id, logged_path, same_origin, sent_by_another_site};
    use http::HeaderMap;

    #[test]
    fn request_ids_are_kept_only_when_safe() {
        assert!(is_safe_request_id(b"req-2026.12_03"));
        for hostile in [&b""[..], b"a b", b"x\r\nSet-Cookie: y", b"<script>", &[b'a'; 65][..]] {
            assert!(!is_safe_request_id(hostile), "{:?}", String::from_utf8_lossy(hostile));
        }
    }

    #[test]
    fn origins_must_match_scheme_host_and_port() {
        let public = "https://gatehouse.example";
        assert!(same_origin("https://gatehouse.example", public, "gatehouse.example"));
        assert!(same_origin("https://GateHouse.example", "https://gatehouse.example/sub/", "internal:8080"));
        assert!(!same_origin("http://gatehouse.example", public, "gatehouse.example"), "scheme");
        assert!(!same_origin("https://gatehouse.example:8443", public, "gatehouse.example"), "port");
        assert!(!same_origin("https://evil.example", public, "gatehouse.example"));
        assert!(!same_origin("null", public, "gatehouse.example"));
        let local = "http://127.0.0.1:3000";
        assert!(same_origin("http://127.0.0.1:4000", local, "127.0.0.1:4000"), "the Host it was sent to");
        assert!(!same_origin("https://127.0.0.1:4000", local, "127.0.0.1:4000"), "scheme");
        assert!(!same_origin("http://127.0.0.1:4001", local, "127.0.0.1:4000"), "port");
    }

    #[test]
    fn one_rule_tells_a_request_another_site_sent() {
        let public = "https://gatehouse.example";
        let here = "https://gatehouse.example";
        let judge = |pairs: &[(&'static str, &str)]| {
            let mut headers = HeaderMap::new();
            headers.insert("host", "gatehouse.example".parse().unwrap());
            for (name, value) in pairs {
                headers.insert(*name, value.parse().unwrap());
            }
            sent_by_another_site(&headers, public)
        };
        let page = format!("{here}/account/keys");
        for refused in [
            &[("sec-fetch-site", "cross-site")][..],
            &[("sec-fetch-site", "same-site")],
            &[("sec-fetch-site", "cross-site"), ("origin", here)],
            &[("origin", "https://evil.example")],
            &[("origin", "null")],
            &[("sec-fetch-site", "same-origin"), ("origin", "https://evil.example")],
            &[("referer", "https://evil.example/page")],
        ] {
            assert!(judge(refused), "{refused:?}");
        }
        for allowed in [&[][..], &[("sec-fetch-site", "same-origin")], &[("sec-fetch-site", "none")], &[("origin", here)], &[("referer", page.as_str())]] {
            assert!(!judge(allowed), "{allowed:?}");
        }
        assert!(!judge(&[("sec-fetch-site", "cross-site"), ("authorization", "Basic eDp5")]), "no other site can send Authorization");
    }

    #[test]
    fn secrets_in_paths_are_logged_as_their_route() {
        assert_eq!(logged_path("/invitations/abc123", Some("/invitations/{token}")), "/invitations/{token}");
        assert_eq!(logged_path("/projects/lab", Some("/projects/{slug}")), "/projects/lab");
        assert_eq!(logged_path("/nowhere", None), "/nowhere");
    }
}

/// Largest error body a server function answers with that is read back.
const SERVER_FN_ERROR_MAX: usize = 64 * 1024;

/// Server functions that fail before they run (a missing or malformed
/// argument) are answered 500 by server_fn whatever the error says; this
/// gives such an answer the status its `AppError` carries (400 naming the
/// field), as every other validation error has.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let is_server_fn = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, SERVER_FN_ERROR_MAX).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}
