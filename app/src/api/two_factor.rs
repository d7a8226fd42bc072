//! Server functions for My account → Sign-in security: the authenticator
//! app and recovery codes.

use crate::model::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use crate::backend::service::two_factor;

#[server(endpoint = "two_factor/status")]
pub async fn my_two_factor() -> Result<TwoFactorStatus, AppError> {
    use super::door::*;
    respond(two_factor::status(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "two_factor/totp/begin")]
pub async fn begin_totp() -> Result<TotpEnrolment, AppError> {
    use super::door::*;
    respond(two_factor::begin_totp(&state()?, principal().await.as_ref()).await)
}

#[server(endpoint = "two_factor/totp/confirm")]
pub async fn confirm_totp(code: String) -> Result<RecoveryCodes, AppError> {
    use super::door::*;
    respond(two_factor::confirm_totp(&state()?, principal().await.as_ref(), &code).await)
}

#[server(endpoint = "two_factor/totp/disable")]
pub async fn disable_totp(password: String) -> Result<(), AppError> {
    use super::door::*;
    let ip = client_info().await.ip;
    respond(two_factor::disable_totp(&state()?, principal().await.as_ref(), &password, ip.as_deref()).await)
}

#[server(endpoint = "two_factor/recovery_codes/new")]
pub async fn new_recovery_codes() -> Result<RecoveryCodes, AppError> {
    use super::door::*;
    respond(two_factor::new_recovery_codes(&state()?, principal().await.as_ref()).await)
}
