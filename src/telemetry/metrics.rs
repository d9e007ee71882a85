//! Prometheus metrics, all in the `palisade_` namespace.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of an HTTP request counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The matched route pattern (`/healthz`), or `unmatched`, so that
    /// random paths cannot blow up the number of series.
    pub route: String,
    /// HTTP method.
    pub method: String,
    /// Response status code.
    pub status: u16,
}

/// Labels naming a route.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The matched route pattern.
    pub route: String,
}

/// Labels naming a readiness component.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ComponentLabels {
    /// Component name (`listeners`, `tls`, `model`, ...).
    pub component: String,
}

/// Labels of an outcome counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// `success` or `failure`.
    pub outcome: &'static str,
}

/// Labels naming an authentication failure reason.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    /// Stable reason code.
    pub reason: &'static str,
}

/// Labels naming an HTTP status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabels {
    /// Response status code.
    pub status: u16,
}

/// Labels naming an API error code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabels {
    /// The stable error code.
    pub code: &'static str,
}

/// Labels naming a rate-limit scope.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ScopeLabels {
    /// `subject` or `tenant`.
    pub scope: &'static str,
}

/// Labels naming an upstream server (`[[upstream]]` name).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamLabels {
    /// The upstream's name.
    pub upstream: String,
}

/// Labels of an upstream request counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamOutcomeLabels {
    /// The upstream's name.
    pub upstream: String,
    /// `answered` (2xx), `refused` (4xx) or `failed` (no answer, 5xx,
    /// timeout: the request moved to another replica where one was left).
    pub outcome: &'static str,
}

/// Labels naming one replica of an upstream.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReplicaLabels {
    /// The upstream's name.
    pub upstream: String,
    /// `host:port`.
    pub replica: String,
}

/// Labels of the build-info gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 33 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 17))
}

/// Every metric the daemon exports; cheap to clone (handles share state).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Requests answered, by route, method and status.
    pub http_requests: Family<HttpLabels, Counter>,
    /// Request latency, by route.
    pub http_duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    /// Requests being handled now.
    pub http_in_flight: Gauge,
    /// 1 when a component is ready, 0 otherwise.
    pub component_ready: Family<ComponentLabels, Gauge>,
    /// Configuration reloads, by outcome.
    pub reloads: Family<OutcomeLabels, Counter>,
    /// TLS handshakes refused because of the client certificate.
    pub client_cert_rejections: Counter,
    /// When the server certificate in use expires, seconds since the epoch.
    pub server_cert_expiry: Gauge,
    /// Watchdog self-probes of the serving path that failed.
    pub watchdog_probe_failures: Counter,
    /// Requests refused by authentication or authorization, by reason.
    pub auth_failures: Family<ReasonLabels, Counter>,
    /// Requests refused by a rate limit, by scope.
    pub rate_limited: Family<ScopeLabels, Counter>,
    /// Requests the HTTP framework refused before any handler, by status.
    pub protocol_errors: Family<StatusLabels, Counter>,
    /// Inference requests refused after identity, by error code.
    pub inference_refused: Family<CodeLabels, Counter>,
    /// The scheduler's and the API's figures.
    pub serving: ServingMetrics,
    /// Requests sent to upstream servers, by upstream and outcome.
    pub upstream_requests: Family<UpstreamOutcomeLabels, Counter>,
    /// Requests to an upstream in flight now.
    pub upstream_in_flight: Family<UpstreamLabels, Gauge>,
    /// 1 while an upstream replica is in rotation, 0 while ejected.
    pub upstream_up: Family<ReplicaLabels, Gauge>,
    /// Time from sending to an upstream to its response headers.
    pub upstream_duration: Family<UpstreamLabels, Histogram, fn() -> Histogram>,
}

/// What the continuous-batching scheduler and `/v1` report.
#[derive(Debug, Clone)]
pub struct ServingMetrics {
    /// Requests waiting for a batch slot.
    pub queue_depth: Gauge,
    /// Sequences in the running batch.
    pub running_sequences: Gauge,
    /// KV-cache blocks held by running sequences.
    pub kv_blocks_used: Gauge,
    /// KV-cache blocks in all.
    pub kv_blocks_total: Gauge,
    /// Prompt tokens of admitted sequences.
    pub prompt_tokens: Counter,
    /// Tokens generated.
    pub completion_tokens: Counter,
    /// From acceptance to the first generated text, seconds.
    pub time_to_first_token: Histogram,
    /// Between successive pieces of generated text, seconds.
    pub inter_token_latency: Histogram,
    /// Distinct subjects this month on this node.
    pub mau_active_users: Gauge,
    /// The license's monthly-active-user limit (0: none).
    pub mau_limit: Gauge,
    /// New subjects refused at an enforced limit.
    pub mau_refused: Counter,
}

impl ServingMetrics {
    fn new() -> Self {
        Self {
            queue_depth: Gauge::default(),
            running_sequences: Gauge::default(),
            kv_blocks_used: Gauge::default(),
            kv_blocks_total: Gauge::default(),
            prompt_tokens: Counter::default(),
            completion_tokens: Counter::default(),
            time_to_first_token: Histogram::new(exponential_buckets(0.001, 2.0, 16)),
            inter_token_latency: Histogram::new(exponential_buckets(0.0005, 2.0, 16)),
            mau_active_users: Gauge::default(),
            mau_limit: Gauge::default(),
            mau_refused: Counter::default(),
        }
    }

    fn register(&self, registry: &mut Registry) {
        registry.register(
            "queue_depth",
            "Requests waiting for a batch slot",
            self.queue_depth.clone(),
        );
        registry.register(
            "running_sequences",
            "Sequences in the running batch",
            self.running_sequences.clone(),
        );
        registry.register(
            "kv_blocks_used",
            "KV-cache blocks held by running sequences",
            self.kv_blocks_used.clone(),
        );
        registry.register(
            "kv_blocks_total",
            "KV-cache blocks in all",
            self.kv_blocks_total.clone(),
        );
        registry.register(
            "prompt_tokens",
            "Prompt tokens of admitted sequences",
            self.prompt_tokens.clone(),
        );
        registry.register(
            "completion_tokens",
            "Tokens generated",
            self.completion_tokens.clone(),
        );
        registry.register(
            "mau_active_users",
            "Distinct authenticated subjects this UTC month on this node",
            self.mau_active_users.clone(),
        );
        registry.register(
            "mau_limit",
            "The license's monthly-active-user limit (0: none)",
            self.mau_limit.clone(),
        );
        registry.register(
            "mau_refused",
            "New subjects refused at the license's enforced monthly-active-user limit",
            self.mau_refused.clone(),
        );
        registry.register(
            "time_to_first_token_seconds",
            "From acceptance to the first generated text",
            self.time_to_first_token.clone(),
        );
        registry.register(
            "inter_token_latency_seconds",
            "Between successive pieces of generated text",
            self.inter_token_latency.clone(),
        );
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("palisade");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram as fn() -> Histogram,
            );
        let http_in_flight = Gauge::default();
        let component_ready = Family::<ComponentLabels, Gauge>::default();
        let reloads = Family::<OutcomeLabels, Counter>::default();
        let client_cert_rejections = Counter::default();
        let server_cert_expiry = Gauge::default();
        let watchdog_probe_failures = Counter::default();
        let build_info = Family::<BuildLabels, Gauge>::default();
        let auth_failures = Family::<ReasonLabels, Counter>::default();
        let rate_limited = Family::<ScopeLabels, Counter>::default();
        let protocol_errors = Family::<StatusLabels, Counter>::default();
        let inference_refused = Family::<CodeLabels, Counter>::default();
        build_info
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);

        registry.register("build_info", "Palisade build information", build_info);
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method and status",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from request received to response headers, by route",
            http_duration.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being handled now",
            http_in_flight.clone(),
        );
        registry.register(
            "component_ready",
            "1 when the component is ready to serve, else 0",
            component_ready.clone(),
        );
        registry.register(
            "config_reloads",
            "Configuration reloads (SIGHUP), by outcome",
            reloads.clone(),
        );
        registry.register(
            "tls_client_certificate_rejections",
            "TLS handshakes refused because the client certificate did not verify",
            client_cert_rejections.clone(),
        );
        registry.register(
            "tls_server_certificate_expiry_timestamp_seconds",
            "When the server certificate in use expires (Unix time)",
            server_cert_expiry.clone(),
        );
        registry.register(
            "watchdog_probe_failures",
            "Watchdog self-probes of the HTTPS listener that failed",
            watchdog_probe_failures.clone(),
        );
        registry.register(
            "auth_failures",
            "Requests refused by token verification or a missing role, by reason",
            auth_failures.clone(),
        );
        registry.register(
            "rate_limited",
            "Requests refused by a rate limit, by scope (subject or tenant)",
            rate_limited.clone(),
        );
        registry.register(
            "http_protocol_errors",
            "Requests refused before any handler saw them (431 head too large, 400 not HTTP, 408 head too slow), by status",
            protocol_errors.clone(),
        );
        registry.register(
            "inference_refused",
            "Inference requests refused after identity (policy, monthly-active-user limit, full queue), by error code",
            inference_refused.clone(),
        );
        let serving = ServingMetrics::new();
        serving.register(&mut registry);
        let upstream_requests = Family::<UpstreamOutcomeLabels, Counter>::default();
        let upstream_in_flight = Family::<UpstreamLabels, Gauge>::default();
        let upstream_up = Family::<ReplicaLabels, Gauge>::default();
        let upstream_duration =
            Family::<UpstreamLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram as fn() -> Histogram,
            );
        registry.register(
            "upstream_requests",
            "Requests sent to upstream servers, by upstream and outcome (answered, refused, failed)",
            upstream_requests.clone(),
        );
        registry.register(
            "upstream_requests_in_flight",
            "Requests to an upstream server in flight now",
            upstream_in_flight.clone(),
        );
        registry.register(
            "upstream_up",
            "1 while an upstream replica is in rotation, 0 while ejected",
            upstream_up.clone(),
        );
        registry.register(
            "upstream_response_seconds",
            "Time from sending a request to an upstream server to its response headers",
            upstream_duration.clone(),
        );
        Self {
            upstream_requests,
            upstream_in_flight,
            upstream_up,
            upstream_duration,
            protocol_errors,
            inference_refused,
            serving,
            registry,
            auth_failures,
            rate_limited,
            http_requests,
            http_duration,
            http_in_flight,
            component_ready,
            reloads,
            client_cert_rejections,
            server_cert_expiry,
            watchdog_probe_failures,
        }
    }

    /// Counts a reload.
    pub fn reload(&self, success: bool) {
        let outcome = if success { "success" } else { "failure" };
        self.reloads.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}
