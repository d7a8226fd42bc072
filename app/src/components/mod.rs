//! Reusable view pieces.

pub mod audit_table;
pub mod credentials;
pub mod data_table;
pub mod feature_grid;
pub mod forms;
pub mod header;
pub mod loaded;
pub mod local_accounts;
pub mod plain_forms;
pub mod quota;
pub mod reauth;
pub mod session_list;
pub mod session_user;
