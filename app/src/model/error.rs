//! `AppError`: the one error type of Gatehouse, shown inline in forms and
//! mapped to an HTTP status plus `{"error": "..."}` on the server side.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// Bad input; `field` names the form field or body key at fault.
    Validation { field: String, message: String },
    Unauthenticated(String),
    Forbidden(String),
    NotFound(String),
    Conflict(String),
    /// A unique value (`field`) already belongs to something else (409).
    Taken { field: String, message: String },
    TooLarge(String),
    UnsupportedMediaType(String),
    /// The server's disk is too full to take more (507).
    InsufficientStorage(String),
    RateLimited { message: String, retry_after_secs: u64 },
    /// Details went to the log under `reference`; the user sees only that.
    Internal { reference: String },
    /// A sensitive action whose caller's sign-in was proven too long ago
    /// (403): the client asks for the password and tries again. On the
    /// wire, from every door, exactly `{"error": "...", "reauth": true}`.
    #[serde(untagged)]
    Reauth { error: String, reauth: bool },
}

/// What a sensitive action answers when the sign-in is not recent.
pub const REAUTH_REQUIRED: &str = "Confirm your password to continue";

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation { field: field.to_string(), message: message.into() }
    }

    /// The answer of a sensitive action to a sign-in proven too long ago.
    pub fn reauth() -> Self {
        AppError::Reauth { error: REAUTH_REQUIRED.to_string(), reauth: true }
    }

    /// Whether the caller must confirm their password and try again.
    pub fn is_reauth(&self) -> bool {
        matches!(self, AppError::Reauth { .. })
    }

    pub fn taken(field: &str, message: impl Into<String>) -> Self {
        AppError::Taken { field: field.to_string(), message: message.into() }
    }

    /// The plain words a user reads.
    pub fn message(&self) -> String {
        match self {
            AppError::Validation { message, .. } | AppError::Taken { message, .. } => message.clone(),
            AppError::Unauthenticated(m)
            | AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m)
            | AppError::TooLarge(m)
            | AppError::UnsupportedMediaType(m)
            | AppError::InsufficientStorage(m) => m.clone(),
            AppError::RateLimited { message, .. } => message.clone(),
            AppError::Internal { reference } => format!("Something went wrong (ref {reference})"),
            AppError::Reauth { error, .. } => error.clone(),
        }
    }

    /// The form field this error belongs to, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Validation { field, .. } | AppError::Taken { field, .. } => Some(field),
            _ => None,
        }
    }

    /// HTTP status code for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Validation { .. } => 400,
            AppError::Unauthenticated(_) => 401,
            AppError::Forbidden(_) | AppError::Reauth { .. } => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) | AppError::Taken { .. } => 409,
            AppError::TooLarge(_) => 413,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::InsufficientStorage(_) => 507,
            AppError::RateLimited { .. } => 429,
            AppError::Internal { .. } => 500,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // serde names the field in backquotes: "missing field `next`".
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                let field = m.split('`').nth(1).filter(|f| !f.is_empty()).unwrap_or("form");
                AppError::validation(field, format!("The form could not be read: {m}"))
            }
            other => AppError::Internal { reference: format!("client: {other}") },
        }
    }
}
