//! Who is calling: mutual TLS (the workload's certificate) and, later, JWT
//! (the user or service behind it). This module defines the principal that
//! policy, license and audit read.

pub mod devpki;
pub mod tls;
