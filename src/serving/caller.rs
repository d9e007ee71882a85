//! Who is calling, as typed extractors: a handler's signature says who may
//! call it (`async fn reload(admin: Admin, ...)`), and the identity step
//! (TLS identity, token, rate limit, role, and for the administration
//! endpoints the policy decision) has run, and recorded any refusal, before
//! the handler's first line. The pattern of kanidm's HTTPS extractors.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::auth::authorize;
use super::error::ApiError;
use super::policy::authorize_admin;
use crate::identity::principal::{Principal, Role};
use crate::policy::Action;

/// Any caller with a valid token.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

/// A caller with the `inference` role.
#[derive(Debug, Clone)]
pub struct Inference(pub Principal);

/// A caller with the `metrics` role.
#[derive(Debug, Clone)]
pub struct MetricsReader(pub Principal);

/// A caller with the `auditor` role whom policy lets export the audit
/// trail (action `export-audit`).
#[derive(Debug, Clone)]
pub struct Auditor(pub Principal);

/// A caller with the `admin` role whom policy lets administer the node
/// (action `admin`).
#[derive(Debug, Clone)]
pub struct Admin(pub Principal);

/// Implements `FromRequest` for a caller type from how it is checked.
macro_rules! caller {
    ($name:ident, |$req:ident| $check:expr) => {
        impl FromRequest for $name {
            type Error = ApiError;
            type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let $req = req.clone();
                Box::pin(async move { $check.await.map($name) })
            }
        }
    };
}

caller!(Caller, |req| authorize(&req, None));
caller!(Inference, |req| authorize(&req, Some(Role::Inference)));
caller!(MetricsReader, |req| authorize(&req, Some(Role::Metrics)));
caller!(Auditor, |req| authorize_admin(
    &req,
    Role::Auditor,
    Action::ExportAudit
));
caller!(Admin, |req| authorize_admin(
    &req,
    Role::Admin,
    Action::Admin
));
