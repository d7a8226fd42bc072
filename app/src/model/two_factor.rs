//! Two-factor sign-in as My account → Sign-in security shows it.

use serde::{Deserialize, Serialize};

/// The caller's second factors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    /// An authenticator app is set up and confirmed.
    pub totp_enabled: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: i64,
}

/// An authenticator-app enrolment waiting for its first code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    /// The secret in base32, for typing into the app.
    pub secret: String,
    /// The `otpauth://` URI the QR code holds.
    pub uri: String,
    /// The QR code as an SVG document, drawn on the server.
    pub qr_svg: String,
}

/// New recovery codes, shown once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}
