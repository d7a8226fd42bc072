//! Use-cases, one module per area. Doors call these; these call `policy` and `store`.
//!
//! Services import each other in one direction, by tier. The rule: a module
//! of tier 1 or above imports only modules of lower tiers (never one of its
//! own tier); a module of the bottom tier, 0, imports only the bottom-tier
//! modules listed before it in its row (`settings` may use `audit`,
//! `quota` and `project_access` may use `settings`). A new module gets a
//! row here; `server/tests/integration/module_tiers.rs` reads this table
//! and fails on any import against it, and on any import cycle among the
//! files of `auth/`, `service/` and the server's `rest/`.
//!
//! | tier | modules |
//! |---|---|
//! | 0 | audit, settings, quota, project_access |
//! | 1 | account, admin, bootstrap, features, mail, metrics, outbox, roles, security, statistics, user_import |
//! | 2 | access_requests, data, email_links, two_factor, users |
//! | 3 | credentials, home, profile, projects, registration, sessions |
//! | 4 | invitations, recovery |
//! | 5 | project_members |

pub mod access_requests;
pub mod account;
pub mod admin;
pub mod audit;
pub mod bootstrap;
pub mod credentials;
pub mod data;
pub mod email_links;
pub mod features;
pub mod home;
pub mod invitations;
pub mod mail;
pub mod metrics;
pub mod project_access;
pub mod project_members;
pub mod projects;
pub mod quota;
pub mod outbox;
pub mod profile;
pub mod recovery;
pub mod registration;
pub mod roles;
pub mod security;
pub mod sessions;
pub mod settings;
pub mod statistics;
pub mod two_factor;
pub mod user_import;
pub mod users;
