//! The HTTP face of Palisade: routes, the error shape and the per-request
//! middleware. The daemon mounts [`routes`] on its listeners.

pub mod admin;
pub mod auth;
pub mod caller;
pub mod connection;
pub mod error;
pub mod events;
pub mod middleware;
pub mod openai;
pub mod policy;
pub mod scheduler;
pub mod upstream;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::daemon::readiness::Readiness;
use crate::telemetry::metrics::Metrics;
use error::{ApiError, ErrorCode};

/// Mounts every route of the HTTPS API; `metrics` and `readiness` must be
/// registered as app data.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/healthz")
            .route(web::get().to(healthz))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .service(
        web::resource("/readyz")
            .route(web::get().to(readyz))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .service(
        web::resource("/whoami")
            .route(web::get().to(whoami))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .service(
        web::resource("/admin/v1/audit/checkpoints")
            .route(web::get().to(admin::audit_checkpoints))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .service(
        web::resource("/admin/v1/audit/proof/consistency")
            .route(web::get().to(admin::audit_consistency))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .service(
        web::resource("/admin/v1/audit/prune")
            .route(web::post().to(admin::audit_prune))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "POST"))),
    )
    .service(
        web::resource("/admin/v1/reload")
            .route(web::post().to(admin::reload))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "POST"))),
    )
    .service(
        web::resource("/admin/v1/mau")
            .route(web::get().to(admin::mau_report))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .service(
        web::resource("/admin/v1/audit/export")
            .route(web::get().to(admin::audit_export))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .service(
        web::resource("/admin/v1/audit/report")
            .route(web::get().to(admin::audit_report))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .service(
        web::resource("/v1/chat/completions")
            .route(web::post().to(openai::chat_completions))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "POST"))),
    )
    .service(
        web::resource("/v1/completions")
            .route(web::post().to(openai::completions))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "POST"))),
    )
    .service(
        web::resource("/v1/models")
            .route(web::get().to(openai::models))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .service(
        // Model ids may hold slashes (`meta-llama/Llama-4-Scout-...`).
        web::resource("/v1/models/{id:.+}")
            .route(web::get().to(openai::model))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .service(
        web::resource("/metrics")
            .route(web::get().to(metrics_with_role))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .default_service(web::to(not_found));
}

/// Only `GET /metrics`, for the plain-HTTP loopback metrics listener, whose
/// only protection is that it listens on loopback.
pub fn metrics_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/metrics")
            .route(web::get().to(metrics))
            .default_service(web::to(|req: HttpRequest| method_not_allowed(req, "GET"))),
    )
    .default_service(web::to(not_found));
}

async fn method_not_allowed(req: HttpRequest, allow: &'static str) -> ApiError {
    ApiError::method_not_allowed(req.method().as_str(), req.path(), allow)
}

async fn not_found(req: HttpRequest) -> ApiError {
    ApiError::not_found(req.path())
}

/// Liveness: the process answers HTTP.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Readiness: 200 only when every component is ready; the upstream
/// servers' states are listed (one down does not make the node unready,
/// since it serves the others).
async fn readyz(
    readiness: web::Data<Readiness>,
    upstreams: Option<web::Data<upstream::Upstreams>>,
) -> Result<HttpResponse, ApiError> {
    let components = serde_json::to_value(readiness.snapshot()).unwrap_or_default();
    let upstreams = upstreams
        .filter(|u| !u.is_empty())
        .map(|u| serde_json::to_value(u.health()).unwrap_or_default());
    match readiness.not_ready_summary() {
        None => {
            let mut body = json!({"status": "ready", "components": components});
            if let (Some(u), Some(map)) = (upstreams, body.as_object_mut()) {
                map.insert("upstreams".into(), u);
            }
            Ok(HttpResponse::Ok().json(body))
        }
        Some(summary) => {
            let e = ApiError::new(ErrorCode::NotReady, format!("not ready: {summary}"))
                .with_field("components", components);
            Err(match upstreams {
                Some(u) => e.with_field("upstreams", u),
                None => e,
            })
        }
    }
}

/// The caller as Palisade sees it: for wiring up an IdP's claim mapping.
async fn whoami(caller::Caller(principal): caller::Caller) -> HttpResponse {
    HttpResponse::Ok().json(principal)
}

async fn metrics_with_role(
    _: caller::MetricsReader,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    encode_metrics(&metrics)
}

async fn metrics(metrics: web::Data<Metrics>) -> Result<HttpResponse, ApiError> {
    encode_metrics(&metrics)
}

fn encode_metrics(metrics: &Metrics) -> Result<HttpResponse, ApiError> {
    let text = metrics
        .encode()
        .map_err(|e| ApiError::internal("the metrics cannot be encoded", &e))?;
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(text))
}
