//! Wire types shared by the browser, the server functions and the REST API.

pub mod account;
pub mod error;
pub mod users;

pub use account::*;
pub use error::AppError;
pub use users::*;
