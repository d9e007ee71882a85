//! What happens to every request, whatever its path: a request id
//! (UUIDv7) in `X-Request-Id`, errors in the API's shape, metrics and one
//! access-log line (method, route, status, latency; never the query string
//! or headers, which may carry credentials).

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};
use uuid::Uuid;

use super::error::{ApiError, ShapedError};
use crate::telemetry::metrics::{HttpLabels, Metrics, RouteLabels};

/// The response header carrying the request id.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of one request, also the audit record's request id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub Uuid);

/// The W3C Trace Context trace id of the caller's `traceparent` header
/// (32 lowercase hex digits, not all zero), so that the audit record joins
/// the caller's distributed trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceId(pub String);

impl TraceId {
    /// The trace id of a `traceparent` value (`00-<trace id>-<parent id>-<flags>`);
    /// `None` for anything malformed, which the specification says to ignore.
    pub fn from_traceparent(value: &str) -> Option<Self> {
        let mut parts = value.trim().split('-');
        let (version, trace, parent, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let hex = |s: &str, n: usize| {
            s.len() == n
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        let valid = hex(version, 2)
            && version != "ff"
            && (version != "00" || parts.next().is_none())
            && hex(trace, 32)
            && trace.bytes().any(|b| b != b'0')
            && hex(parent, 16)
            && parent.bytes().any(|b| b != b'0')
            && hex(flags, 2);
        valid.then(|| TraceId(trace.to_owned()))
    }
}

struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.http_in_flight.dec();
    }
}

/// The outermost middleware.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = RequestId(Uuid::now_v7());
    req.extensions_mut().insert(id);
    if let Some(trace) = req
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .and_then(TraceId::from_traceparent)
    {
        req.extensions_mut().insert(trace);
    }
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let _in_flight = metrics.as_deref().map(|m| {
        m.http_in_flight.inc();
        InFlight(m)
    });

    // Handlers' and extractors' errors arrive as responses; an `Err` here
    // could only come from a middleware inside this one, and there is none.
    let res = next.call(req).await?.map_into_boxed_body();
    let res = shape_error(res);
    let mut res = record_refusal(res).await;
    if let Ok(v) = HeaderValue::from_str(&id.0.to_string()) {
        res.headers_mut().insert(REQUEST_ID_HEADER, v);
    }

    let status = res.status();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let elapsed = started.elapsed();
    if let Some(m) = &metrics {
        m.http_requests
            .get_or_create(&HttpLabels {
                route: route.clone(),
                method: res.request().method().to_string(),
                status: status.as_u16(),
            })
            .inc();
        m.http_duration
            .get_or_create(&RouteLabels {
                route: route.clone(),
            })
            .observe(elapsed.as_secs_f64());
    }
    tracing::info!(
        request_id = %id.0,
        method = %res.request().method(),
        path = res.request().path(),
        status = status.as_u16(),
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        peer = ?res.request().peer_addr(),
        "request"
    );
    Ok(res)
}

/// Records a refusal (4xx) that no handler recorded: a malformed body, an
/// unknown path or method, a parameter not honoured. Every request is
/// answered and recorded, or refused and recorded; when the record cannot
/// be committed, the answer is 503 `audit_unavailable` instead.
async fn record_refusal(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let req = res.request();
    if !status.is_client_error()
        || req
            .extensions()
            .get::<super::auth::OutcomeRecorded>()
            .is_some()
    {
        return res;
    }
    let Some(audit) = req
        .app_data::<web::Data<super::auth::AuditContext>>()
        .cloned()
    else {
        return res;
    };
    let mut e = audit.event(
        req,
        crate::audit::record::EventType::RequestRefused,
        status.as_u16(),
    );
    if let Some(p) = req
        .extensions()
        .get::<crate::identity::principal::Principal>()
    {
        audit.principal(&mut e, p);
    }
    e.error_code = res
        .response()
        .extensions()
        .get::<ShapedError>()
        .map(|s| s.0.as_str().to_owned());
    e.operation = Some(format!(
        "{} {}",
        req.method(),
        req.match_pattern()
            .unwrap_or_else(|| "(no such path)".to_owned())
    ));
    match audit.record(e).await {
        Ok(()) => res,
        Err(unavailable) => {
            let answer = unavailable.error_response();
            res.into_response(answer)
        }
    }
}

/// Turns an error response the framework produced (404 for an unknown
/// path, 400 for a bad header, 413, ...) into the API's error shape.
fn shape_error(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || res.response().extensions().get::<ShapedError>().is_some()
    {
        return res;
    }
    let message = match res.response().error() {
        Some(e) if status.is_client_error() => e.to_string(),
        Some(e) => {
            tracing::error!(error = %e, "internal error");
            "internal error; the request id identifies it in the server log".to_owned()
        }
        None => status
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase(),
    };
    let api = ApiError::for_status(status, message);
    let mut shaped = api.error_response();
    for (name, value) in res.response().headers() {
        if name == actix_web::http::header::ALLOW || name == actix_web::http::header::RETRY_AFTER {
            shaped.headers_mut().insert(name.clone(), value.clone());
        }
    }
    res.into_response(shaped)
}

#[cfg(test)]
mod tests {
    use super::TraceId;

    #[test]
    fn traceparent_headers_are_read_as_the_specification_says() {
        let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(
            TraceId::from_traceparent(good).map(|t| t.0),
            Some("4bf92f3577b34da6a3ce929d0e0e4736".to_owned())
        );
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "garbage",
        ] {
            assert_eq!(TraceId::from_traceparent(bad), None, "{bad}");
        }
        // A later version may append fields.
        assert!(TraceId::from_traceparent(&format!("01{}-xyz", &good[2..])).is_some());
    }
}
