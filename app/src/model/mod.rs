//! Wire types shared by the browser, the server functions and the REST API.

pub mod account;
pub mod audit;
pub mod credentials;
pub mod error;
pub mod features;
pub mod home;
pub mod projects;
pub mod registration;
pub mod sessions;
pub mod settings;
pub mod two_factor;
pub mod url;
pub mod user_import;
pub mod users;
pub mod validate;

pub use account::*;
pub use audit::*;
pub use credentials::*;
pub use error::AppError;
pub use home::*;
pub use features::*;
pub use projects::*;
pub use registration::*;
pub use sessions::*;
pub use settings::*;
pub use two_factor::*;
pub use user_import::*;
pub use users::*;
pub use validate::*;
