//! The one integration-test binary (each file under `tests/` would be a
//! separate, slow-linking binary; add modules here instead).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

mod kit;

mod audit;
mod compliance;
mod config_check;
mod demo;
mod engine;
mod http;
mod identity;
mod license;
mod lifecycle;
mod mau;
mod merkle;
mod packaging;
mod pii_corpus;
mod policy;
mod serving;
mod structured;
mod tls;
mod upstream;
