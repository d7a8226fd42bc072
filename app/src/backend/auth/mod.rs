//! Authentication: password hashing, login with lockout, the session store
//! and turning a request's credentials into a `Principal`.

pub mod api_tokens;
pub mod basic_cache;
pub mod client_addr;
pub mod credential_keys;
pub mod external;
pub mod jwt;
pub mod login;
pub mod password;
pub mod principal;
pub mod rate_limit;
pub mod second_step;
pub mod session_store;
pub mod tokens;
pub mod totp;

pub use principal::{Credential, Principal};
