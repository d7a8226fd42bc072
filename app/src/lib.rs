//! Gatehouse's shared crate: wire types (`model`), server functions (`api`),
//! pages and components (Leptos), and — on the server only — the `backend`.
#![recursion_limit = "256"]

pub mod api;
mod app;
pub mod bundles;
pub mod components;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod backend;

pub use app::{shell, App, CspNonce};
