//! How responses travel: which are compressed on the fly, how long each may
//! be cached, and whether the site's assets carry hashed names.
//!
//! - `/pkg/` assets come from `site_root`, with the `.br`/`.gz` siblings that
//!   `cargo leptos build --release --precompress` writes served when the
//!   browser accepts them (leptos_axum's file handler does that).
//! - With hashed names (`hash-files`, a `hash.txt` beside the executable)
//!   assets are `immutable` for a year; without, browsers revalidate them.
//! - Pages and API answers are `no-cache, private`: they show one user's data
//!   and must be revalidated; an answer that sets its own policy keeps it.
//! - HTML, JSON, CSS, JavaScript, wasm and SVG made on the fly are brotli- or
//!   gzip-compressed; downloads of stored files are sent as they are.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{header, Extensions, HeaderMap, HeaderValue, StatusCode, Version};
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// True when cargo-leptos gave the assets hashed names for this build.
pub fn assets_are_hashed() -> bool {
    std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt").is_file())).unwrap_or(false)
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE_ASSET: &str = "public, no-cache";
const REVALIDATE_PRIVATE: &str = "no-cache, private";

/// Sets `Cache-Control` where the handler did not.
pub async fn cache_policy(hashed_assets: bool, req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    if !res.headers().contains_key(header::CACHE_CONTROL) {
        let policy = match (is_asset && res.status().is_success(), hashed_assets) {
            (true, true) => IMMUTABLE,
            (true, false) => REVALIDATE_ASSET,
            _ => REVALIDATE_PRIVATE,
        };
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

/// Whether a response's type is worth compressing on the fly.
fn is_textual(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    let Some(kind) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let kind = kind.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    kind.starts_with("text/")
        || matches!(kind.as_str(), "application/json" | "application/javascript" | "application/wasm" | "image/svg+xml")
}

/// Brotli or gzip, as the client accepts, for textual responses.
pub fn compression() -> CompressionLayer<impl Predicate> {
    // Level 4: most of brotli's gain at a small cost per dynamic response.
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .no_deflate()
        .no_zstd()
        .quality(CompressionLevel::Precise(4))
        .compress_when(DefaultPredicate::new().and(is_textual))
}

#[cfg(test)]
mod tests {
    use super::is_textual;
    use http::{header, Extensions, HeaderMap, HeaderValue, StatusCode, Version};

    fn textual(kind: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(kind).unwrap());
        is_textual(StatusCode::OK, Version::HTTP_11, &headers, &Extensions::new())
    }

    #[test]
    fn pages_and_api_answers_are_compressed_downloads_are_not() {
        assert!(textual("text/html; charset=utf-8"));
        assert!(textual("application/json"));
        assert!(textual("application/wasm"));
        assert!(!textual("application/octet-stream"));
        assert!(!textual("image/png"));
        assert!(!is_textual(StatusCode::OK, Version::HTTP_11, &HeaderMap::new(), &Extensions::new()));
    }
}
