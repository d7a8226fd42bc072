//! Credentials besides the password, as a request presents them: the
//! formats of alias and access tokens and checking one (`tokens`), and the
//! keys that protect token secrets and service keys at rest (`at_rest`).
//! Issuing and listing them is `service::credentials`.

pub mod at_rest;
pub mod tokens;
