//! The layer between TLS and HTTP on every API connection, and the server
//! built on it.
//!
//! actix-http answers a request it cannot parse (a head over 128 KiB or with
//! more than 96 header fields, bytes that are not HTTP/1.1, a head not
//! finished in time) by itself, with an empty body, and offers no hook for
//! it. On HTTP/1 connections [`ApiConnection`] recognises such an answer as
//! it is written (an error status, `content-length: 0` and no
//! `x-request-id`, which every answer of Palisade's own carries) and writes
//! it in the API's error shape instead. It then closes the way a client can
//! read: it stops sending and reads what the client is still sending, for a
//! bounded time, so that unread bytes do not make the kernel answer with a
//! reset that destroys the answer before the client has read it.

use std::fmt;
use std::io;
use std::net::TcpListener;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use actix_http::body::MessageBody;
use actix_http::{HttpService, Protocol, Request, Response};
use actix_server::{Server, ServerBuilder};
use actix_service::{IntoServiceFactory, ServiceFactory, ServiceFactoryExt, map_config};
use actix_tls::accept::TlsError;
use actix_tls::accept::rustls_0_23::{Acceptor, TlsStream, reexports::ServerConfig};
use actix_web::dev::AppConfig;
use actix_web::http::StatusCode;
use actix_web::rt::net::TcpStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use super::auth::{Connections, on_connect};
use super::error::{ApiError, ErrorCode};
use super::middleware::REQUEST_ID_HEADER;
use crate::telemetry::metrics::StatusLabels;

/// The counter of answers rewritten here, by status.
pub type ProtocolErrors = prometheus_client::metrics::family::Family<
    StatusLabels,
    prometheus_client::metrics::counter::Counter,
>;

/// How long, and for how many bytes, a connection closed after a
/// protocol error keeps reading what the client still sends.
const LINGER_FOR: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 1 << 20;

/// A TLS connection of the API.
pub struct ApiConnection {
    io: TlsStream<TcpStream>,
    http1: bool,
    /// A rewritten answer, and how much of it the TLS stream has taken.
    pending: Vec<u8>,
    sent: usize,
    closing: Closing,
    counted: ProtocolErrors,
}

/// Where a connection stands in closing after a rewritten answer.
enum Closing {
    /// Not closing: everything passes through.
    No,
    /// The answer is accepted; nothing else has happened yet.
    Answered,
    /// Sending close_notify and FIN (`shut` once sent), then reading what
    /// the client still sends (`read` bytes so far), until `deadline`.
    Lingering {
        deadline: Pin<Box<Sleep>>,
        shut: bool,
        read: usize,
    },
    Done,
}

impl ApiConnection {
    /// Wraps an accepted TLS stream; `protocol` is the one ALPN chose;
    /// rewritten answers are counted in `counted`.
    pub fn new(io: TlsStream<TcpStream>, protocol: Protocol, counted: ProtocolErrors) -> Self {
        Self {
            io,
            http1: protocol == Protocol::Http1,
            pending: Vec::new(),
            sent: 0,
            closing: Closing::No,
            counted,
        }
    }

    /// The TLS stream.
    pub fn tls(&self) -> &TlsStream<TcpStream> {
        &self.io
    }

    /// Whether a rewritten answer is closing the connection.
    fn closing_started(&self) -> bool {
        !matches!(self.closing, Closing::No)
    }

    /// Writes the rest of a rewritten answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some(rest) = self.pending.get(self.sent..).filter(|r| !r.is_empty()) {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        Poll::Ready(Ok(()))
    }

    /// After a rewritten answer: flushes it, stops sending, and reads what
    /// the client still sends until it closes or a bound is reached.
    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            match &mut self.closing {
                Closing::No | Closing::Done => return Poll::Ready(Ok(())),
                Closing::Answered => {
                    ready!(self.poll_pending(cx))?;
                    ready!(Pin::new(&mut self.io).poll_flush(cx))?;
                    self.closing = Closing::Lingering {
                        deadline: Box::pin(tokio::time::sleep(LINGER_FOR)),
                        shut: false,
                        read: 0,
                    };
                }
                Closing::Lingering {
                    deadline,
                    shut,
                    read,
                } => {
                    if deadline.as_mut().poll(cx).is_ready() || *read >= LINGER_BYTES {
                        self.closing = Closing::Done;
                        continue;
                    }
                    if !*shut {
                        match Pin::new(&mut self.io).poll_shutdown(cx) {
                            Poll::Ready(Ok(())) => *shut = true,
                            Poll::Ready(Err(_)) => self.closing = Closing::Done,
                            Poll::Pending => return Poll::Pending,
                        }
                        continue;
                    }
                    let mut scratch = [0u8; 16 * 1024];
                    let mut buf = ReadBuf::new(&mut scratch);
                    match Pin::new(&mut self.io).poll_read(cx, &mut buf) {
                        Poll::Ready(Ok(())) if !buf.filled().is_empty() => {
                            *read += buf.filled().len();
                        }
                        Poll::Ready(_) => self.closing = Closing::Done,
                        Poll::Pending => return Poll::Pending,
                    }
                }
            }
        }
    }
}

impl AsyncRead for ApiConnection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for ApiConnection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.closing_started() {
            // The framework's answer is taken only once the close is done:
            // it drops the connection as soon as its buffer is empty, and
            // unread bytes would then reset it before the client has read
            // the answer. Nothing follows an answer that closes.
            ready!(this.poll_close(cx))?;
            return Poll::Ready(Ok(buf.len()));
        }
        if this.http1
            && let Some((at, status)) = framework_error(buf)
        {
            if let Some(before) = buf.get(..at).filter(|b| !b.is_empty()) {
                // Answers before it go out as they are.
                return Pin::new(&mut this.io).poll_write(cx, before);
            }
            this.pending = shaped(buf, status);
            this.counted.get_or_create(&StatusLabels { status }).inc();
            this.sent = 0;
            this.closing = Closing::Answered;
            ready!(this.poll_close(cx))?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.closing_started() {
            this.poll_close(cx)
        } else {
            Pin::new(&mut this.io).poll_flush(cx)
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.closing_started() {
            this.poll_close(cx)
        } else {
            Pin::new(&mut this.io).poll_shutdown(cx)
        }
    }
}

/// Where `written` ends with an answer actix-http made up by itself, and
/// its status: a 4xx or 5xx head with `content-length: 0` and no request
/// id, as the last thing written (the framework closes after it). Answers
/// of Palisade's handlers always carry a request id and a body, and bodies
/// are JSON or SSE, which never hold a bare CRLF.
fn framework_error(written: &[u8]) -> Option<(usize, u16)> {
    let head = written.strip_suffix(b"\r\n\r\n")?;
    let at = memchr::memmem::rfind(head, b"HTTP/1.")?;
    let head = std::str::from_utf8(head.get(at..)?).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    if !(status_line.starts_with("HTTP/1.1 ") || status_line.starts_with("HTTP/1.0 ")) {
        return None;
    }
    let status: u16 = status_line.get(9..12)?.parse().ok()?;
    if !(400..600).contains(&status) {
        return None;
    }
    let mut empty = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        if name.eq_ignore_ascii_case(REQUEST_ID_HEADER.as_str()) {
            return None;
        }
        if name.eq_ignore_ascii_case("content-length") {
            empty = value.trim() == "0";
        }
    }
    empty.then_some((at, status))
}

/// The framework's answer `head` (with `status`) in the API's error shape,
/// with a request id, closing the connection.
fn shaped(head: &[u8], status: u16) -> Vec<u8> {
    let error = match status {
        431 => ApiError::new(
            ErrorCode::HeadersTooLarge,
            "the request head is too large: at most 96 header fields and 128 KiB in all",
        ),
        408 => ApiError::new(
            ErrorCode::RequestTimeout,
            "the request head did not arrive in time",
        ),
        400 => ApiError::new(
            ErrorCode::InvalidRequest,
            "the request is not valid HTTP/1.1",
        ),
        other => ApiError::for_status(
            StatusCode::from_u16(other).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "the connection could not be served",
        ),
    };
    tracing::debug!(
        status,
        code = error.code().as_str(),
        "protocol error on a connection"
    );
    let body = error.body().to_string();
    let head = String::from_utf8_lossy(head);
    let mut lines = head.trim_end().split("\r\n");
    let mut out = format!("{}\r\n", lines.next().unwrap_or_default());
    for line in lines {
        if line.to_ascii_lowercase().starts_with("date:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str(&format!(
        "content-type: application/json\r\n{}: {}\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        REQUEST_ID_HEADER.as_str(),
        uuid::Uuid::now_v7(),
        body.len()
    ));
    out.into_bytes()
}

/// How the API's server is run.
pub struct Settings {
    /// Worker threads; 0 for one per CPU.
    pub workers: usize,
    /// How long a stop waits for requests in flight.
    pub drain_timeout: Duration,
    /// How long a TLS handshake may take.
    pub tls_handshake_timeout: Duration,
    /// Where answers rewritten by [`ApiConnection`] are counted.
    pub protocol_errors: ProtocolErrors,
}

/// The API's HTTPS server on `listeners`: TLS with `tls`, then
/// [`ApiConnection`], then HTTP/1.1 or HTTP/2 (by ALPN) serving `app`.
/// Signals are the daemon's to handle.
///
/// Built on actix-server and actix-http directly rather than actix-web's
/// `HttpServer`, because `HttpServer` offers no place between TLS and HTTP.
/// Its defaults are kept (5 s to read a request head, 1 s to close, 5 s
/// keep-alive); the app sees an `AppConfig` with the listener's address.
pub fn server<F, I, S, B>(
    listeners: Vec<TcpListener>,
    tls: &ServerConfig,
    settings: &Settings,
    connections: &Connections,
    app: F,
) -> io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<actix_web::Error>,
    S::InitError: fmt::Debug,
    S::Response: Into<Response<B>>,
    B: MessageBody + 'static,
{
    let mut tls = tls.clone();
    let mut protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    protocols.append(&mut tls.alpn_protocols);
    tls.alpn_protocols = protocols;

    let mut builder = ServerBuilder::default()
        .disable_signals()
        .shutdown_timeout(settings.drain_timeout.as_secs().max(1));
    if settings.workers > 0 {
        builder = builder.workers(settings.workers);
    }
    for listener in listeners {
        let addr = listener.local_addr()?;
        let (tls, app, connections) = (tls.clone(), app.clone(), connections.clone());
        let handshake = settings.tls_handshake_timeout;
        let counted = settings.protocol_errors.clone();
        builder = builder.listen(format!("palisade-api-{addr}"), listener, move || {
            let (connections, counted) = (connections.clone(), counted.clone());
            let http = HttpService::build()
                .on_connect_ext(move |io: &ApiConnection, ext: &mut _| {
                    on_connect(io, ext, &connections);
                })
                .finish(map_config(
                    app().into_factory().map_err(|e| e.into().error_response()),
                    // What `HttpServer` passes (secure, the listener's
                    // address); actix-web exports it only under this name.
                    move |()| AppConfig::__priv_test_new(true, addr.to_string(), addr),
                ));
            let mut acceptor = Acceptor::new(tls.clone());
            acceptor.set_handshake_timeout(handshake);
            acceptor
                .map_init_err(|()| {})
                .map_err(TlsError::into_service_error)
                .and_then(move |io: TlsStream<TcpStream>| {
                    let counted = counted.clone();
                    async move {
                        let protocol = match io.get_ref().1.alpn_protocol() {
                            Some(b"h2") => Protocol::Http2,
                            _ => Protocol::Http1,
                        };
                        let peer = io.get_ref().0.peer_addr().ok();
                        Ok((ApiConnection::new(io, protocol, counted), protocol, peer))
                    }
                })
                .and_then(http.map_err(TlsError::Service))
        })?;
    }
    Ok(builder.run())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_answers_are_told_from_palisades_own() {
        let dispatcher =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Mon, 07 Dec 2026 10:00:00 GMT\r\n\r\n";
        assert_eq!(framework_error(dispatcher), Some((0, 431)));
        // After a pipelined answer with a body.
        let mut two = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-request-id: 1\r\n\r\n{}".to_vec();
        two.extend_from_slice(dispatcher);
        assert_eq!(
            framework_error(&two),
            Some((two.len() - dispatcher.len(), 431))
        );
        // Palisade's own: a request id, or a body, or not an error.
        let own = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-request-id: 1\r\n\r\n";
        assert_eq!(framework_error(own), None);
        let body = b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(framework_error(body), None);
        let ok = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(framework_error(ok), None);
        // Text that only looks like a head inside a body.
        let inside = b"data: HTTP/1.1 431 x\r\n\r\n";
        assert_eq!(framework_error(inside), None);
    }

    #[test]
    fn the_rewritten_answer_is_api_shaped_and_closes() {
        let head =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Mon, 07 Dec 2026 10:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(shaped(head, 431)).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
        assert!(head.contains("\r\ndate: Mon, 07 Dec 2026"), "{head}");
        assert!(head.contains("\r\nconnection: close"), "{head}");
        assert!(
            head.contains(&format!("\r\ncontent-length: {}", body.len())),
            "{head}"
        );
        assert!(head.contains("\r\nx-request-id: "), "{head}");
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["error"]["code"], "headers_too_large");
    }
}
