//! The systemd notification protocol (sd_notify). Every call is a no-op
//! when `NOTIFY_SOCKET` is not set, so the same code runs under systemd, in
//! a container and in a terminal.

use std::time::Duration;

use sd_notify::NotifyState;

fn send(states: &[NotifyState<'_>]) {
    // The environment is kept (unset_env = false): the watchdog task sends
    // for the daemon's whole life.
    if let Err(e) = sd_notify::notify(false, states) {
        tracing::warn!(error = %e, "cannot notify systemd");
    }
}

/// `STATUS=` line shown by `systemctl status`.
pub fn status(line: &str) {
    send(&[NotifyState::Status(line)]);
}

/// `READY=1` with a status line.
pub fn ready(line: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(line)]);
}

/// `RELOADING=1` with `MONOTONIC_USEC`, as `Type=notify-reload` requires.
pub fn reloading() {
    match NotifyState::monotonic_usec_now() {
        Ok(now) => send(&[
            NotifyState::Reloading,
            now,
            NotifyState::Status("reloading configuration"),
        ]),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read CLOCK_MONOTONIC for the reload notification");
            send(&[
                NotifyState::Reloading,
                NotifyState::Status("reloading configuration"),
            ]);
        }
    }
}

/// `STOPPING=1` with a status line.
pub fn stopping(line: &str) {
    send(&[NotifyState::Stopping, NotifyState::Status(line)]);
}

/// `WATCHDOG=1`: the service is alive.
pub fn watchdog() {
    send(&[NotifyState::Watchdog]);
}

/// How often to send `WATCHDOG=1`: half of `WATCHDOG_USEC`, when systemd
/// asked for it. As in libsystemd's `sd_watchdog_enabled`, a set
/// `WATCHDOG_PID` must name this process; an absent one applies to it.
pub fn watchdog_interval() -> Option<Duration> {
    watchdog_interval_from(
        std::env::var("WATCHDOG_USEC").ok().as_deref(),
        std::env::var("WATCHDOG_PID").ok().as_deref(),
        std::process::id(),
    )
}

fn watchdog_interval_from(usec: Option<&str>, pid: Option<&str>, me: u32) -> Option<Duration> {
    let usec: u64 = usec?.trim().parse().ok().filter(|u| *u > 0)?;
    if let Some(pid) = pid
        && pid.trim().parse::<u32>().ok() != Some(me)
    {
        return None;
    }
    Some(Duration::from_micros(usec / 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchdog_interval_is_half_of_watchdog_usec_for_this_process() {
        let half = Some(Duration::from_millis(500));
        assert_eq!(watchdog_interval_from(Some("1000000"), None, 7), half);
        assert_eq!(watchdog_interval_from(Some("1000000"), Some("7"), 7), half);
        assert_eq!(watchdog_interval_from(Some("1000000"), Some("8"), 7), None);
        assert_eq!(watchdog_interval_from(Some("0"), None, 7), None);
        assert_eq!(watchdog_interval_from(Some("soon"), None, 7), None);
        assert_eq!(watchdog_interval_from(None, Some("7"), 7), None);
    }
}
