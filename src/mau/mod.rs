//! Monthly-active-user accounting. So far: the HyperLogLog sketch a node
//! keeps per month so that a fleet can merge counts without sharing
//! identities ([`sketch`]).

pub mod sketch;
