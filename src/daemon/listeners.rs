//! Listening sockets: handed over by systemd (socket activation,
//! `LISTEN_FDS`) or bound from `server.listen`.

use std::net::{SocketAddr, TcpListener};

use crate::config::ServerConfig;

/// Where the listeners came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// systemd passed them (`LISTEN_FDS`); `server.listen` is ignored.
    SocketActivation,
    /// Bound from `server.listen`.
    Config,
}

/// A listener could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// Binding an address failed (in use, not local, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A socket systemd passed is unusable.
    #[error("socket activation: file descriptor #{index} is not a listening TCP socket: {detail}")]
    Activated {
        /// Index among the passed descriptors.
        index: usize,
        /// Why.
        detail: String,
    },
    /// Nothing to listen on.
    #[error("server.listen is empty and systemd passed no sockets; nothing to listen on")]
    Nothing,
}

/// Opens the HTTPS listeners.
pub fn open(cfg: &ServerConfig) -> Result<(Vec<TcpListener>, Source), ListenError> {
    let mut fds = listenfd::ListenFd::from_env();
    if fds.len() > 0 {
        let mut listeners = Vec::with_capacity(fds.len());
        for index in 0..fds.len() {
            let activated = |detail: String| ListenError::Activated { index, detail };
            let listener = fds
                .take_tcp_listener(index)
                .map_err(|e| activated(e.to_string()))?
                .ok_or_else(|| activated("already taken".to_owned()))?;
            listener
                .set_nonblocking(true)
                .map_err(|e| activated(e.to_string()))?;
            listeners.push(listener);
        }
        return Ok((listeners, Source::SocketActivation));
    }
    if cfg.listen.is_empty() {
        return Err(ListenError::Nothing);
    }
    let listeners = cfg
        .listen
        .iter()
        .map(|addr| bind(*addr))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((listeners, Source::Config))
}

/// Binds one address.
pub fn bind(addr: SocketAddr) -> Result<TcpListener, ListenError> {
    let err = |source| ListenError::Bind { addr, source };
    let listener = TcpListener::bind(addr).map_err(err)?;
    listener.set_nonblocking(true).map_err(err)?;
    Ok(listener)
}
