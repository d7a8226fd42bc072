//! JSON Web Tokens for the registry API: HS256, signed with the site secret,
//! carrying the user's credential generation so that disabling, deleting or
//! a password change revokes every token issued before, and the user id and
//! username, so a token never outlives the account it was issued to.

use crate::backend::auth::tokens::random_hex;
use crate::backend::store::users::UserRow;
use crate::backend::time::{now_ms, MINUTE_MS};
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
    /// A random id, so that two tokens issued in the same second differ.
    #[serde(default)]
    pub jti: String,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    lifetime_minutes: i64,
}

pub const INVALID_TOKEN: &str = "Invalid or expired token";

impl JwtKeys {
    pub fn new(secret: &[u8], lifetime_minutes: i64) -> Self {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            lifetime_minutes,
        }
    }

    /// A signed token for `user`, and when it expires (Unix ms).
    pub fn issue(&self, user: &UserRow) -> Result<(String, i64), AppError> {
        let now = now_ms();
        let expires = now + self.lifetime_minutes * MINUTE_MS;
        let claims = Claims { sub: user.username.clone(), uid: user.id, gen: user.generation, iat: now / 1000, exp: expires / 1000, jti: random_hex(16) };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(crate::backend::internal)?;
        Ok((token, (expires / 1000) * 1000))
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
