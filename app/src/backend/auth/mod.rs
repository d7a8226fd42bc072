//! Authentication: password hashing, login with lockout, the session store
//! and turning a request's credentials into a `Principal`.

pub mod basic_cache;
pub mod client_addr;
pub mod credentials;
pub mod external;
pub mod jwt;
pub mod login;
pub mod password;
pub mod principal;
pub mod rate_limit;
pub mod resolve;
pub mod second_step;
pub mod secrets;
pub mod session_store;
pub mod totp;

pub use principal::{Credential, Principal};
