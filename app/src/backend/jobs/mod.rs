//! Background work that runs beside requests; `server/` starts it.

pub mod generate_users;
pub mod mail_delivery;
pub mod search_upkeep;
