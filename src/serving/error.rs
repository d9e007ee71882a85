//! The one error type of the HTTP API. Every error response, including
//! the framework's own 404, 405 and 413, leaves Palisade in the OpenAI
//! shape `{"error": {"message", "type", "code", "param"}}` with a stable
//! `code`; internal causes are logged, never sent.

use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder, ResponseError};
use serde_json::{Map, Value, json};

/// Stable error codes (see `docs/api.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// 401: missing or invalid credentials.
    Unauthorized,
    /// 403: authenticated but not allowed.
    Forbidden,
    /// 403: the license's monthly-active-user limit is reached and this
    /// subject is not yet active this month.
    LicenseMauExceeded,
    /// 403: a policy forbids the request (or none permits it); the body
    /// names the policies in `policy_ids`.
    PolicyDenied,
    /// 400: the request is malformed.
    InvalidRequest,
    /// 400: the prompt and `max_tokens` do not fit the model's context.
    ContextLengthExceeded,
    /// 400: a parameter Palisade does not honour here (named in `param`).
    UnsupportedParameter,
    /// 404: no such path.
    NotFound,
    /// 405: the path exists but not with this method.
    MethodNotAllowed,
    /// 413: the body is larger than allowed.
    PayloadTooLarge,
    /// 431: the request head has too many header fields or is too large.
    HeadersTooLarge,
    /// 408: the request head did not arrive in time.
    RequestTimeout,
    /// 409: the request conflicts with the state (e.g. a legal hold).
    Conflict,
    /// 429: too many requests.
    RateLimited,
    /// 503: the daemon is not ready to serve this.
    NotReady,
    /// 503: the request's deadline passed before the engine finished it.
    Overloaded,
    /// 503: the audit trail cannot commit; the request fails closed.
    AuditUnavailable,
    /// 502: the upstream server that serves the model failed or cannot
    /// be reached.
    UpstreamUnavailable,
    /// 504: the upstream server did not answer in time (code
    /// `upstream_unavailable` too).
    UpstreamTimeout,
    /// 500: a fault in Palisade; details are in the log.
    Internal,
}

impl ErrorCode {
    /// The `code` string clients match on.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::LicenseMauExceeded => "license_mau_exceeded",
            Self::PolicyDenied => "policy_denied",
            Self::InvalidRequest => "invalid_request_error",
            Self::ContextLengthExceeded => "context_length_exceeded",
            Self::UnsupportedParameter => "unsupported_parameter",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::HeadersTooLarge => "headers_too_large",
            Self::RequestTimeout => "request_timeout",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::NotReady => "not_ready",
            Self::Overloaded => "overloaded",
            Self::AuditUnavailable => "audit_unavailable",
            Self::UpstreamUnavailable | Self::UpstreamTimeout => "upstream_unavailable",
            Self::Internal => "internal_error",
        }
    }

    /// The OpenAI `type` the code belongs to.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Unauthorized => "authentication_error",
            Self::Forbidden | Self::LicenseMauExceeded | Self::PolicyDenied => "permission_error",
            Self::InvalidRequest
            | Self::ContextLengthExceeded
            | Self::UnsupportedParameter
            | Self::MethodNotAllowed
            | Self::PayloadTooLarge
            | Self::HeadersTooLarge
            | Self::RequestTimeout
            | Self::Conflict => "invalid_request_error",
            Self::NotFound => "not_found_error",
            Self::RateLimited => "rate_limit_error",
            Self::NotReady
            | Self::Overloaded
            | Self::AuditUnavailable
            | Self::UpstreamUnavailable
            | Self::UpstreamTimeout
            | Self::Internal => "server_error",
        }
    }

    /// The HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::LicenseMauExceeded | Self::PolicyDenied => {
                StatusCode::FORBIDDEN
            }
            Self::InvalidRequest | Self::ContextLengthExceeded | Self::UnsupportedParameter => {
                StatusCode::BAD_REQUEST
            }
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Conflict => StatusCode::CONFLICT,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::NotReady | Self::Overloaded | Self::AuditUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::UpstreamUnavailable => StatusCode::BAD_GATEWAY,
            Self::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The code for a status produced outside Palisade's handlers.
    pub fn for_status(status: StatusCode) -> Self {
        match status.as_u16() {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            408 => Self::RequestTimeout,
            409 => Self::Conflict,
            413 => Self::PayloadTooLarge,
            431 => Self::HeadersTooLarge,
            429 => Self::RateLimited,
            503 => Self::NotReady,
            400..=499 => Self::InvalidRequest,
            _ => Self::Internal,
        }
    }
}

/// An API error: what the client is told. Boxed, so that `Result`s
/// carrying it stay small on the request path.
#[derive(Debug, Clone)]
pub struct ApiError(Box<Inner>);

#[derive(Debug, Clone)]
struct Inner {
    code: ErrorCode,
    status: StatusCode,
    message: String,
    param: Option<String>,
    extra: Map<String, Value>,
    allow: Option<&'static str>,
    www_authenticate: Option<String>,
    retry_after: Option<u64>,
    /// Answer with `Connection: close` (the request's body was not read).
    close: bool,
}

/// Marks a response body as already in the API's error shape, with its code.
#[derive(Debug, Clone, Copy)]
pub struct ShapedError(pub ErrorCode);

impl ApiError {
    /// An error with `code` and a message for the client.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(Box::new(Inner {
            code,
            status: code.status(),
            message: message.into(),
            param: None,
            extra: Map::new(),
            allow: None,
            www_authenticate: None,
            retry_after: None,
            close: false,
        }))
    }

    /// A fault of Palisade's own: `cause` goes to the log with `what`; the
    /// client is told only `what` failed and to quote the request id.
    pub fn internal(what: &str, cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "{what}");
        Self::new(
            ErrorCode::Internal,
            format!("{what}; quote the request id when reporting it"),
        )
    }

    /// The audit trail (or the store beside it) cannot commit: `cause` goes
    /// to the log with `what`, and the request fails closed.
    pub fn audit_unavailable(what: &str, cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "{what}; failing closed");
        Self::new(
            ErrorCode::AuditUnavailable,
            format!("{what}; the request fails closed, try again later"),
        )
    }

    /// Answers with `Connection: close`: the request's body is left unread,
    /// so the connection cannot carry another request.
    #[must_use]
    pub fn closing(mut self) -> Self {
        self.0.close = true;
        self
    }

    /// 401 for a failed authentication: `reason` in the body, and the RFC
    /// 6750 challenge (with `error="invalid_token"` when a token was sent).
    pub fn unauthorized(failure: &crate::identity::jwt::AuthFailure) -> Self {
        use crate::identity::jwt::AuthFailure;
        let mut e = Self::new(ErrorCode::Unauthorized, failure.to_string())
            .with_field("reason", Value::from(failure.reason()));
        e.0.www_authenticate = Some(match failure {
            AuthFailure::MissingToken => "Bearer realm=\"palisade\"".to_owned(),
            other => format!(
                "Bearer realm=\"palisade\", error=\"invalid_token\", error_description=\"{}\"",
                other.reason()
            ),
        });
        e
    }

    /// 403 for a principal without the role a path needs.
    pub fn missing_role(role: crate::identity::principal::Role) -> Self {
        let mut e = Self::new(
            ErrorCode::Forbidden,
            format!("this path requires the role `{role}`"),
        )
        .with_field("reason", Value::from("missing_role"));
        e.0.www_authenticate = Some(format!(
            "Bearer realm=\"palisade\", error=\"insufficient_scope\", scope=\"{role}\""
        ));
        e
    }

    /// Adds `Retry-After` (whole seconds, rounded up).
    #[must_use]
    pub fn with_retry_after(mut self, after: std::time::Duration) -> Self {
        self.0.retry_after = Some(after.as_secs() + u64::from(after.subsec_nanos() > 0));
        self
    }

    /// 429 with `Retry-After` in whole seconds (at least 1).
    pub fn rate_limited(scope: &str, retry_after: std::time::Duration) -> Self {
        let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        let secs = secs.max(1);
        let mut e = Self::new(
            ErrorCode::RateLimited,
            format!("the {scope} rate limit is reached; retry after {secs} s"),
        )
        .with_field("scope", Value::from(scope));
        e.0.retry_after = Some(secs);
        e
    }

    /// Names the request parameter at fault.
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.0.param = Some(param.into());
        self
    }

    /// Adds a field to the error object (e.g. `components` for `not_ready`).
    pub fn with_field(mut self, key: &str, value: Value) -> Self {
        self.0.extra.insert(key.to_owned(), value);
        self
    }

    /// 404 for `path`.
    pub fn not_found(path: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("no such path: {path}"))
    }

    /// 405, listing the methods the path does accept.
    pub fn method_not_allowed(method: &str, path: &str, allow: &'static str) -> Self {
        let mut e = Self::new(
            ErrorCode::MethodNotAllowed,
            format!("{method} is not allowed on {path}; allowed: {allow}"),
        );
        e.0.allow = Some(allow);
        e
    }

    /// Keeps `status` (for statuses the framework produced) with the code
    /// that belongs to it.
    pub fn for_status(status: StatusCode, message: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorCode::for_status(status), message);
        e.0.status = status;
        e
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut error = Map::new();
        error.insert("message".into(), json!(self.0.message));
        error.insert("type".into(), json!(self.0.code.kind()));
        error.insert("code".into(), json!(self.0.code.as_str()));
        error.insert("param".into(), json!(self.0.param));
        for (k, v) in &self.0.extra {
            error.insert(k.clone(), v.clone());
        }
        json!({ "error": error })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.code.as_str(), self.0.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.0.status);
        if let Some(allow) = self.0.allow {
            res.insert_header((header::ALLOW, HeaderValue::from_static(allow)));
        }
        if let Some(challenge) = &self.0.www_authenticate
            && let Ok(v) = HeaderValue::from_str(challenge)
        {
            res.insert_header((header::WWW_AUTHENTICATE, v));
        } else if self.0.code == ErrorCode::Unauthorized {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        if let Some(secs) = self.0.retry_after {
            res.insert_header((header::RETRY_AFTER, secs));
        }
        if self.0.close {
            res.force_close();
        }
        let mut res = res.json(self.body());
        res.extensions_mut().insert(ShapedError(self.0.code));
        res
    }
}

impl Responder for ApiError {
    type Body = BoxBody;

    fn respond_to(self, _req: &HttpRequest) -> HttpResponse {
        self.error_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_openai_shape() {
        let e = ApiError::new(ErrorCode::InvalidRequest, "bad").with_param("model");
        assert_eq!(
            e.body(),
            json!({"error": {"message": "bad", "type": "invalid_request_error",
                             "code": "invalid_request_error", "param": "model"}})
        );
        assert_eq!(
            ErrorCode::for_status(StatusCode::URI_TOO_LONG),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            ErrorCode::for_status(StatusCode::BAD_GATEWAY),
            ErrorCode::Internal
        );
    }
}
