//! Palisade: an on-premises AI appliance daemon for regulated enterprises.
//!
//! The modules follow a request's path (see `docs/architecture.md`):
//! [`daemon`] starts and supervises the process, [`identity`] decides who is
//! calling, [`serving`] is the HTTP face, and [`telemetry`] observes it all.

pub use palisade_audit as audit;
pub use palisade_audit::clock;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod demo;
pub use palisade_engine as engine;
pub mod https;
pub mod identity;
pub mod license;
pub mod mau;
pub use palisade_pii as pii;
pub mod policy;
pub mod serving;
pub mod telemetry;
