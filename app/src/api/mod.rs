//! Server functions: the browser's door. Each finds the caller, calls one
//! service function and returns its result; no rules live here.

pub mod access_requests;
pub mod account;
pub mod admin;
pub mod audit;
pub mod credentials;
pub mod data;
pub mod features;
pub mod home;
pub mod invitations;
pub mod outbox;
pub mod profile;
pub mod project_members;
pub mod projects;
pub mod quota;
pub mod recovery;
pub mod registration;
pub mod roles;
pub mod sessions;
pub mod settings;
pub mod two_factor;
pub mod users;

#[cfg(feature = "ssr")]
pub(crate) mod door {
    //! What every server function needs from the request it serves.

    use crate::backend::auth::principal::{CurrentPrincipal, Principal};
    use crate::backend::auth::login::{self, ClientInfo};
    use crate::backend::{internal, AppState};
    use crate::model::url::reauth_page;
    use crate::model::AppError;
    use leptos::prelude::*;

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| internal("AppState missing from context"))
    }

    /// The caller, as the server's auth layer resolved it for this request.
    pub async fn principal() -> Option<Principal> {
        leptos_axum::extract::<axum::Extension<CurrentPrincipal>>()
            .await
            .ok()
            .and_then(|axum::Extension(CurrentPrincipal(p))| p)
    }

    pub async fn session() -> Result<tower_sessions::Session, AppError> {
        leptos_axum::extract::<tower_sessions::Session>().await.map_err(internal)
    }

    pub async fn client_info() -> ClientInfo {
        let Ok(parts) = leptos_axum::extract::<http::request::Parts>().await else {
            return ClientInfo::default();
        };
        login::client_info_from(&parts)
    }

    /// Whether this call is a plain HTML form post, made without
    /// JavaScript: the browser asks for HTML, the wasm client for data.
    /// Such a call is answered with a redirect: back to the form with the
    /// error in its address (leptos re-renders it inline), or on success
    /// wherever [`on_form_post_go_to`] says.
    pub fn is_form_post() -> bool {
        use_context::<http::request::Parts>().is_some_and(|parts| {
            parts.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
        })
    }

    /// After a plain form post succeeds, sends the browser to `path`
    /// rather than back to the form (the wasm client does its own thing).
    pub fn on_form_post_go_to(path: &str) {
        if is_form_post() {
            leptos_axum::redirect(path);
        }
    }

    /// A plain form refused for an old sign-in goes to the confirm page,
    /// which sends the browser back to the page the form was on (its
    /// `Referer`, kept only when it is a path on this site).
    fn reauth_page_for_referer() -> String {
        let referer = use_context::<http::request::Parts>()
            .and_then(|parts| parts.headers.get(http::header::REFERER).and_then(|v| v.to_str().ok()).map(str::to_owned))
            .unwrap_or_default();
        let public_url = use_context::<AppState>().map(|s| s.settings.public_url.clone()).unwrap_or_default();
        reauth_page(&login::local_part_of(&referer, &public_url))
    }

    /// Passes a service result through, giving the response the error's
    /// status (and `Retry-After` when rate limited); a plain form post
    /// keeps the redirect that carries the error back to the form.
    pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if is_form_post() {
            if result.as_ref().is_err_and(AppError::is_reauth) {
                leptos_axum::redirect(&reauth_page_for_referer());
            }
            return result;
        }
        if let Err(err) = &result {
            if let (Some(options), Ok(status)) = (
                use_context::<leptos_axum::ResponseOptions>(),
                http::StatusCode::from_u16(err.status_code()),
            ) {
                options.set_status(status);
                if let AppError::RateLimited { retry_after_secs, .. } = err {
                    options.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(*retry_after_secs));
                }
            }
        }
        result
    }
}
