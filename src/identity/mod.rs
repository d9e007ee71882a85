//! Who is calling: mutual TLS (the workload's certificate) and a bearer JWT
//! (the user or service behind it), mapped to a [`principal::Principal`]
//! that policy, license and audit read. Nothing here knows HTTP.

pub mod client_cert;
pub mod devpki;
pub mod devtoken;
pub mod jwt;
pub mod principal;
pub mod ratelimit;
pub mod tls;
