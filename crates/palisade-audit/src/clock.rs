//! The one wall clock: every "now" in Palisade comes from here or is a
//! parameter (clippy's `disallowed-methods` in `clippy.toml` keeps it so),
//! so that a reader finds every use and tests can pin time where it matters.

use std::time::SystemTime;

use time::OffsetDateTime;

/// The current time, UTC.
#[allow(clippy::disallowed_methods)]
#[must_use]
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The current time as the standard library's `SystemTime`.
#[allow(clippy::disallowed_methods)]
#[must_use]
pub fn system_now() -> SystemTime {
    SystemTime::now()
}
