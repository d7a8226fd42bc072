//! Request bodies: the 1 MiB limit every route but uploads has (refused in
//! the door's own error format), and for the REST door JSON or an HTML form
//! with the same field names (repeated keys become arrays), per CONTRACTS.md §1.

use super::text_guard::{checks_body, nul_in_read_fields};
use super::xnat_prefixes::{is_xnat_path, xnat_error};
use super::{error_response, ApiError, BODY_TOO_LARGE};
use app::model::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::middleware::Next;
use axum::response::Response;
use crate::MAX_BODY_BYTES;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde::de::DeserializeOwned;

/// Refuses a body declared larger than [`MAX_BODY_BYTES`] with 413 as JSON
/// `{"error"}` (plain text on XNAT paths), and cuts off one without a
/// declared length at the limit while it is read (its reader then answers 413).
pub async fn limit_body(req: Request, next: Next) -> Response {
    let declared = req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        let err = AppError::TooLarge(BODY_TOO_LARGE.into());
        return match is_xnat_path(req.uri().path()) {
            true => xnat_error(&err),
            false => error_response(&err),
        };
    }
    next.run(req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, MAX_BODY_BYTES)))).await
}

/// A body that may come as JSON or as a form. An empty body with no
/// content type reads as `{}`.
pub struct Body<T>(pub T);

/// A body that must be a JSON object (metadata cannot be a form).
pub struct JsonOnly(pub serde_json::Value);

enum Kind {
    Json,
    Form,
    Empty,
}

/// Reads the body; a NUL in one of `fields` (all, when `None`) is a 400 naming it.
async fn read(req: Request, form_allowed: bool, fields: Option<&[&str]>) -> Result<(Kind, Bytes), ApiError> {
    let checked = checks_body(req.uri().path());
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let bytes = Bytes::from_request(req, &())
        .await
        .map_err(|_| ApiError(AppError::TooLarge(BODY_TOO_LARGE.into())))?;
    let kind = match content_type.as_deref() {
        Some("application/json") => Kind::Json,
        Some("application/x-www-form-urlencoded") if form_allowed => Kind::Form,
        None if bytes.iter().all(u8::is_ascii_whitespace) => Kind::Empty,
        _ => {
            let accepted = if form_allowed { "application/json or application/x-www-form-urlencoded" } else { "application/json" };
            return Err(ApiError(AppError::UnsupportedMediaType(format!("Unsupported content type: send {accepted}"))));
        }
    };
    if let (true, Kind::Json | Kind::Form) = (checked, &kind) {
        if let Some(err) = nul_in_read_fields(&bytes, matches!(kind, Kind::Form), fields) {
            return Err(ApiError(err));
        }
    }
    Ok((kind, bytes))
}

/// The field names a struct `T` reads (`None` when `T` is not a plain
/// struct), asked of its `Deserialize` by a reader that only listens.
fn struct_fields<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    use serde::de::Visitor;
    use std::cell::Cell;
    struct Probe(Cell<Option<&'static [&'static str]>>);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("probe")
        }
    }
    impl std::error::Error for Stop {}
    impl serde::de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> serde::Deserializer<'de> for &Probe {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(self, _: &'static str, fields: &'static [&'static str], _: V) -> Result<V::Value, Stop> {
            self.0.set(Some(fields));
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let probe = Probe(Cell::new(None));
    let _ = T::deserialize(&probe);
    probe.0.get()
}

fn malformed(what: &str, err: impl std::fmt::Display) -> ApiError {
    ApiError(AppError::validation("body", format!("Malformed {what}: {err}")))
}

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (kind, bytes) = read(req, true, struct_fields::<T>()).await?;
        match kind {
            Kind::Empty => Ok(Body(T::default())),
            Kind::Json => serde_json::from_slice(&bytes).map(Body).map_err(|e| malformed("JSON", e)),
            Kind::Form => serde_html_form::from_bytes(&bytes).map(Body).map_err(|e| malformed("form", e)),
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonOnly {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        match read(req, false, None).await? {
            (Kind::Json, bytes) => serde_json::from_slice(&bytes).map(JsonOnly).map_err(|e| malformed("JSON", e)),
            _ => Err(ApiError(AppError::validation("body", "A JSON object is required"))),
        }
    }
}

/// The `orgSlugs` of `PUT /users/{userName}/orgs`: repeated form keys (none
/// = an empty list), a JSON array, or JSON `{"orgSlugs": [...]}`.
pub struct SlugList(pub Vec<String>);

/// `{"orgSlugs": [...]}`, or as a form the key repeated (none = an empty list).
#[derive(serde::Deserialize, Default, utoipa::ToSchema)]
pub struct SlugObject {
    #[serde(rename = "orgSlugs", default)]
    org_slugs: Vec<String>,
}

/// An array of slugs, or `{"orgSlugs": [...]}`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum SlugJson {
    List(Vec<String>),
    Object(SlugObject),
}

impl<S: Send + Sync> FromRequest<S> for SlugList {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        match read(req, true, Some(&["orgSlugs"])).await? {
            (Kind::Empty, _) => Ok(SlugList(Vec::new())),
            (Kind::Form, bytes) => serde_html_form::from_bytes::<SlugObject>(&bytes)
                .map(|o| SlugList(o.org_slugs))
                .map_err(|e| malformed("form", e)),
            (Kind::Json, bytes) => match serde_json::from_slice::<SlugJson>(&bytes) {
                Ok(SlugJson::List(list)) => Ok(SlugList(list)),
                Ok(SlugJson::Object(o)) => Ok(SlugList(o.org_slugs)),
                Err(_) => Err(malformed("JSON", "expected an array of slugs or {\"orgSlugs\": [...]}")),
            },
        }
    }
}

/// Reads `true`/`false` given as a JSON boolean or as form text.
pub mod bool_like {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolOrText {
        Bool(bool),
        Text(String),
    }

    /// The words [`option`] reads (an empty one is `false`), in any letter case.
    pub const WORDS: &str = r"^\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|1|0|[Yy][Ee][Ss]|[Nn][Oo]|[Oo][Nn]|[Oo][Ff][Ff])?\s*$";
    pub const WORDS_NON_EMPTY: &str = r"^\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|1|0|[Yy][Ee][Ss]|[Nn][Oo]|[Oo][Nn]|[Oo][Ff][Ff])\s*$";

    /// What [`option`] reads: a boolean, `null`, or one of its words.
    pub fn schema() -> utoipa::openapi::schema::Schema {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Boolean))
            .item(ObjectBuilder::new().schema_type(Type::String).pattern(Some(WORDS)))
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .into()
    }

    pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match Option::<BoolOrText>::deserialize(d)? {
            None => Ok(None),
            Some(BoolOrText::Bool(b)) => Ok(Some(b)),
            Some(BoolOrText::Text(t)) => match t.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(Some(true)),
                "false" | "0" | "no" | "off" | "" => Ok(Some(false)),
                _ => Err(serde::de::Error::custom(format!("must be true or false (got {t:?})"))),
            },
        }
    }
}
