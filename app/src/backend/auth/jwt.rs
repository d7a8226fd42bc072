//! JSON Web Tokens for the registry API: HS256, signed with the site secret,
//! carrying the user's credential generation so that disabling, deleting or
//! a password change revokes every token issued before, and the user id and
//! username, so a token never outlives the account it was issued to. A
//! token refreshed from another keeps the first one's issue time
//! (`orig_iat`), and no token lives past `jwt_max_lifetime_days` from it:
//! refreshing cannot keep a token alive forever.

use crate::backend::auth::secrets::random_hex;
use crate::backend::store::users::UserRow;
use crate::backend::time::{now_ms, MINUTE_MS};
use crate::backend::internal;
use crate::model::AppError;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Shortest signing secret accepted outside development mode.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The username: a token counts only while its user id still has it.
    pub sub: String,
    pub uid: i64,
    pub gen: i64,
    pub iat: i64,
    pub exp: i64,
    /// When the first token of this refresh chain was issued (Unix
    /// seconds; absent in tokens from before the limit: their `iat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orig_iat: Option<i64>,
    /// A random id, so that two tokens issued in the same second differ.
    #[serde(default)]
    pub jti: String,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    lifetime_minutes: i64,
    max_lifetime_days: i64,
}

const DAY_SECS: i64 = 24 * 60 * 60;

pub const INVALID_TOKEN: &str = "Invalid or expired token";

impl JwtKeys {
    pub fn new(secret: &[u8], lifetime_minutes: i64, max_lifetime_days: i64) -> Self {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            lifetime_minutes,
            max_lifetime_days,
        }
    }

    /// A signed token for `user`, and when it expires (Unix ms). A refresh
    /// passes `first_issued` (Unix seconds, from [`Self::refreshable`]):
    /// the new token keeps it and expires no later than the maximum
    /// lifetime after it. `None` starts a new chain (a sign-in).
    pub fn issue(&self, user: &UserRow, first_issued: Option<i64>) -> Result<(String, i64), AppError> {
        let now = now_ms() / 1000;
        let first = first_issued.unwrap_or(now);
        let expires = (now + self.lifetime_minutes * MINUTE_MS / 1000).min(first + self.max_lifetime_days * DAY_SECS);
        let claims = Claims {
            sub: user.username.clone(),
            uid: user.id,
            gen: user.generation,
            iat: now,
            exp: expires,
            orig_iat: Some(first),
            jti: random_hex(16),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(internal)?;
        Ok((token, expires * 1000))
    }

    /// The first issue time of a well-signed, unexpired `token`'s chain,
    /// when it is still within the maximum lifetime; else 401.
    pub fn refreshable(&self, token: &str) -> Result<i64, AppError> {
        let claims = self.verify(token)?;
        let first = claims.orig_iat.unwrap_or(claims.iat);
        if now_ms() / 1000 - first >= self.max_lifetime_days * DAY_SECS {
            return Err(AppError::Unauthenticated(format!(
                "This token was first issued more than {} days ago and cannot be refreshed: sign in again",
                self.max_lifetime_days
            )));
        }
        Ok(first)
    }

    /// The claims of a well-signed, unexpired token.
    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|_| AppError::Unauthenticated(INVALID_TOKEN.into()))
    }
}
