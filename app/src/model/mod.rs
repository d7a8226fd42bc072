//! Wire types shared by the browser, the server functions and the REST API.

pub mod account;
pub mod error;

pub use account::*;
pub use error::AppError;
