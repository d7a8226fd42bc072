//! Background work that runs beside requests: tasks `server/` starts, and one-off bulk jobs from its CLI.

pub mod generate_audit;
pub mod generate_users;
pub mod hourly;
pub mod mail_delivery;
pub mod search_upkeep;
pub mod session_sweep;
