//! A Palisade node in front of upstream servers (`[[upstream]]`): another
//! Palisade node serving the Llama 4 fixture over real mutual TLS, and,
//! for the failures a real server cannot be made to show on cue (a crash
//! mid-stream, a hang, a 4xx), a scripted HTTP server on loopback.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::kit::*;

fn model_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/llama4-tiny")
        .display()
        .to_string()
}

/// A node: its PKI (own CA, signer, directory), daemon and a token.
struct Node {
    pki: Pki,
    daemon: Daemon,
    token: String,
}

impl Node {
    fn start(extra: &str, roles: &[&str], classes: &[&str]) -> Self {
        let pki = Pki::new();
        let addr = free_addr();
        let config = pki.write_config(addr, extra);
        let daemon = Launch::new(&config, addr).start(&pki);
        let mut claims = pki.claims("alice", roles);
        claims["data_classes"] = json!(classes);
        let token = pki.signer.sign(&claims).unwrap();
        Self { pki, daemon, token }
    }

    /// The upstream node: the fixture as `llama4-tiny`.
    fn upstream() -> Self {
        let model = format!(
            "[model]\npath = \"{}\"\nid = \"llama4-tiny\"\ndtype = \"f32\"\n",
            model_dir()
        );
        Self::start(&model, &["inference", "metrics"], &[])
    }

    fn post(&self, path: &str, body: &Value) -> Response {
        post_json(
            self.daemon.addr,
            &self.pki,
            &self.token,
            path,
            &body.to_string(),
        )
    }

    fn get(&self, path: &str) -> Response {
        self.daemon.get_with_token(&self.pki, path, &self.token)
    }

    /// The node's audit records (their events).
    fn records(&self) -> Vec<Value> {
        let out = self.pki.path("export.jsonl");
        let (status, o, e) = run(&[
            "audit",
            "export",
            "--config",
            self.pki.path("palisade.toml").to_str().unwrap(),
            "--format",
            "jsonl",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(status.success(), "{o}{e}");
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["event"].clone())
            .collect()
    }
}

/// The text of a streamed chat answer.
fn streamed_text(body: &str) -> String {
    events(body)
        .iter()
        .filter(|e| *e != "[DONE]")
        .filter_map(|e| serde_json::from_str::<Value>(e).ok())
        .filter_map(|v| {
            v.pointer("/choices/0/delta/content")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

/// The `[[upstream]]` table that reaches `upstream` over mutual TLS as
/// its client, with a bearer token its issuer signed, written into
/// `gateway`'s directory.
fn upstream_table(gateway: &Pki, upstream: &Node, urls: &[String], extra: &str) -> String {
    gateway.write("upstream-ca.pem", upstream.pki.ca.cert_pem());
    gateway.write("upstream-client.pem", &upstream.pki.client.cert_pem);
    gateway.write("upstream-client.key", &upstream.pki.client.key_pem);
    let token = upstream
        .pki
        .signer
        .sign(&upstream.pki.claims("gateway", &["inference"]))
        .unwrap();
    gateway.write("upstream.token", &format!("{token}\n"));
    format!(
        "[[upstream]]\nname = \"node-u\"\nurls = {urls:?}\n\
         models = [{{ id = \"llama4-tiny\", alias = \"tiny\" }}]\n\
         region = \"eu-central\"\njurisdiction = \"EU\"\nlicense = \"llama4\"\n\
         ca = \"upstream-ca.pem\"\nclient_cert = \"upstream-client.pem\"\n\
         client_key = \"upstream-client.key\"\napi_key_file = \"upstream.token\"\n{extra}\n"
    )
}

/// A gateway node (no model of its own) in front of `upstream`.
fn gateway(upstream: &Node, urls: &[String], extra: &str, classes: &[&str]) -> Node {
    let pki = Pki::new();
    let addr = free_addr();
    let table = upstream_table(&pki, upstream, urls, extra);
    let config = pki.write_config(addr, &format!("[node]\njurisdiction = \"EU\"\n\n{table}"));
    let daemon = Launch::new(&config, addr).start(&pki);
    let mut claims = pki.claims("alice", &["inference", "metrics"]);
    claims["data_classes"] = json!(classes);
    let token = pki.signer.sign(&claims).unwrap();
    Node { pki, daemon, token }
}

fn greedy(model: &str, text: &str, stream: bool) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": text}],
           "max_tokens": 12, "temperature": 0, "stream": stream,
           "stream_options": {"include_usage": true}})
}

#[test]
fn a_gateway_serves_an_upstream_nodes_model_under_its_own_governance() {
    let upstream = Node::upstream();
    let url = format!("https://{}", upstream.daemon.addr);
    let g = gateway(&upstream, &[url], "", &["pii"]);

    // Ready without a model of its own; the upstream listed.
    let r = g.daemon.get(&g.pki, "/readyz");
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["upstreams"]["node-u"]["state"], "up", "{r:?}");
    let models = g.get("/v1/models").json();
    assert_eq!(models["data"][0]["id"], "tiny", "{models}");
    assert_eq!(models["data"][0]["owned_by"], "upstream:node-u");
    assert_eq!(
        models["data"][0]["license"]["attribution"],
        "Built with Llama"
    );
    // Only what the caller's policy allows is listed: without the
    // `inference` role, nothing.
    let metrics_only = g.pki.token("bob", &["metrics"]);
    let models = g
        .daemon
        .get_with_token(&g.pki, "/v1/models", &metrics_only)
        .json();
    assert_eq!(models["data"], json!([]), "{models}");

    // Whole and streamed through the gateway give what the upstream gives
    // directly (greedy), with its token counts.
    let direct = upstream.post(
        "/v1/chat/completions",
        &greedy("llama4-tiny", "Is Llama 4 open source?", false),
    );
    assert_eq!(direct.status, 200, "{direct:?}");
    let direct = direct.json();
    let whole = g.post(
        "/v1/chat/completions",
        &greedy("tiny", "Is Llama 4 open source?", false),
    );
    assert_eq!(whole.status, 200, "{whole:?}");
    assert_eq!(
        whole.header("x-model-attribution"),
        Some("Built with Llama")
    );
    let whole = whole.json();
    assert_eq!(whole["model"], "tiny");
    assert_eq!(
        whole["choices"][0]["message"]["content"],
        direct["choices"][0]["message"]["content"]
    );
    assert_eq!(whole["usage"], direct["usage"], "{whole}");
    let streamed = g.post(
        "/v1/chat/completions",
        &greedy("tiny", "Is Llama 4 open source?", true),
    );
    assert_eq!(streamed.status, 200, "{streamed:?}");
    assert_eq!(
        streamed_text(&streamed.body),
        direct["choices"][0]["message"]["content"].as_str().unwrap()
    );
    let chunks = events(&streamed.body);
    assert_eq!(chunks.last().map(String::as_str), Some("[DONE]"));
    let usage: Value = serde_json::from_str(&chunks[chunks.len() - 2]).unwrap();
    assert_eq!(usage["usage"], direct["usage"], "{usage}");
    // A text completion too.
    let text = g.post(
        "/v1/completions",
        &json!({"model": "tiny", "prompt": "Once upon a time", "max_tokens": 5, "temperature": 0}),
    );
    assert_eq!(text.status, 200, "{text:?}");
    assert_eq!(text.json()["object"], "text_completion");

    // The prompt's SSN is redacted before the upstream sees it: the
    // upstream found no identifier in what it received; the gateway did.
    let ssn = g.post(
        "/v1/chat/completions",
        &greedy(
            "tiny",
            "Patient SSN 123-45-6789, please summarise the case.",
            false,
        ),
    );
    assert_eq!(ssn.status, 200, "{ssn:?}");
    let placeholder = upstream.post(
        "/v1/chat/completions",
        &greedy(
            "llama4-tiny",
            "Patient SSN [SSN], please summarise the case.",
            false,
        ),
    );
    assert_eq!(
        ssn.json()["usage"]["prompt_tokens"],
        placeholder.json()["usage"]["prompt_tokens"]
    );
    let upstream_records = upstream.records();
    let accepted: Vec<&Value> = upstream_records
        .iter()
        .filter(|r| r["event_type"] == "inference_accepted")
        .collect();
    assert!(!accepted.is_empty());
    for r in &accepted {
        let found = r["identifier_categories"].as_array().map_or(0, Vec::len);
        assert_eq!(found, 0, "{r}");
    }
    let gateway_records = g.records();
    let found: Vec<&Value> = gateway_records
        .iter()
        .filter(|r| {
            r["event_type"] == "inference_accepted" && r["identifier_categories"] == json!(["ssn"])
        })
        .collect();
    assert_eq!(found.len(), 1, "{gateway_records:?}");
    // The completed records name the upstream and the replica that answered.
    let completed = gateway_records
        .iter()
        .filter(|r| r["event_type"] == "inference_completed")
        .count();
    assert_eq!(completed, 4, "{gateway_records:?}");
    assert!(gateway_records.iter().any(|r| {
        r["event_type"] == "inference_completed"
            && r["engine_version"]
                .as_str()
                .is_some_and(|v| v.starts_with("upstream node-u (127.0.0.1:"))
    }));

    // A parameter this node does not relay is refused before anything is
    // sent; an unknown model is 404 naming what is served.
    let r = g.post(
        "/v1/chat/completions",
        &json!({"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "logprobs": true}),
    );
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "unsupported_parameter");
    let r = g.post("/v1/chat/completions", &greedy("nope", "hi", false));
    assert_eq!(r.status, 404, "{r:?}");
    assert!(r.body.contains("tiny"), "{r:?}");
}

#[test]
fn residency_policy_refuses_to_send_personal_data_outside_the_eu() {
    let upstream = Node::upstream();
    let url = format!("https://{}", upstream.daemon.addr);
    let pki = Pki::new();
    let addr = free_addr();
    let table = upstream_table(&pki, &upstream, &[url], "")
        .replace("jurisdiction = \"EU\"", "jurisdiction = \"US\"");
    let config = pki.write_config(addr, &format!("[node]\njurisdiction = \"EU\"\n\n{table}"));
    let daemon = Launch::new(&config, addr).start(&pki);
    let mut claims = pki.claims("alice", &["inference"]);
    claims["data_classes"] = json!(["pii"]);
    let token = pki.signer.sign(&claims).unwrap();
    let g = Node { pki, daemon, token };

    let r = g.post(
        "/v1/chat/completions",
        &greedy(
            "tiny",
            "Write to jane.doe@example.com about the invoice.",
            false,
        ),
    );
    assert_eq!(r.status, 403, "{r:?}");
    assert_eq!(
        r.json()["error"]["policy_ids"],
        json!(["gdpr-personal-data-in-eu"])
    );
    // Nothing reached the upstream.
    assert!(
        !upstream
            .records()
            .iter()
            .any(|r| r["event_type"] == "inference_accepted"),
    );
    // Without personal data the same upstream serves.
    let r = g.post(
        "/v1/chat/completions",
        &greedy("tiny", "Hello there", false),
    );
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn a_dead_replica_is_skipped_then_ejected_and_named_in_readyz() {
    let upstream = Node::upstream();
    let dead = format!("https://{}", free_addr());
    let live = format!("https://{}", upstream.daemon.addr);
    let g = gateway(
        &upstream,
        &[dead.clone(), live],
        "eject_after = 1\nhealth_interval = \"1h\"\n",
        &[],
    );
    for _ in 0..3 {
        let r = g.post("/v1/chat/completions", &greedy("tiny", "hi", false));
        assert_eq!(r.status, 200, "{r:?}");
    }
    let ready = g.daemon.get(&g.pki, "/readyz");
    assert_eq!(ready.status, 200, "{ready:?}");
    let replicas = ready.json()["upstreams"]["node-u"]["replicas"].clone();
    let down: Vec<&Value> = replicas
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["up"] == false)
        .collect();
    assert_eq!(down.len(), 1, "{replicas}");
    assert!(
        down[0]["url"].as_str().unwrap().starts_with(&dead),
        "{replicas}"
    );
    assert!(
        down[0]["reason"].as_str().unwrap().contains("connect"),
        "{replicas}"
    );
    // (The dead replica may have been ejected by its first health check
    // before any request reached it, so no count of failures is asked.)
    let metrics = g.get("/metrics").body;
    assert!(
        metrics.contains(
            "palisade_upstream_requests_total{upstream=\"node-u\",outcome=\"answered\"} 3"
        ),
        "{metrics}"
    );

    // With the upstream gone too, the client gets 502 and the trail says so.
    drop(upstream);
    let r = g.post("/v1/chat/completions", &greedy("tiny", "hi", false));
    assert_eq!(r.status, 502, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "upstream_unavailable");
    let records = g.records();
    let failed = records
        .iter()
        .filter(|r| r["event_type"] == "inference_completed" && r["outcome"] == "failed")
        .count();
    assert_eq!(failed, 1, "{records:?}");
}

/// What a scripted upstream does with a request.
#[derive(Clone, Copy)]
enum Script {
    /// Two chunks of an answer, then the connection closes.
    DiesMidStream,
    /// Chunks every 100 ms, for up to 30 s, until the peer goes away.
    Slow,
    /// 400 with an OpenAI-shaped error.
    Refuses,
    /// Never answers.
    Hangs,
}

/// A plain-HTTP server on loopback that answers by script, and says what
/// it saw.
struct Scripted {
    addr: SocketAddr,
    bodies: Arc<Mutex<Vec<String>>>,
    peer_left: Arc<AtomicBool>,
}

impl Scripted {
    fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let peer_left = Arc::new(AtomicBool::new(false));
        let (b, p) = (bodies.clone(), peer_left.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (b, p) = (b.clone(), p.clone());
                std::thread::spawn(move || serve_script(stream, script, &b, &p));
            }
        });
        Self {
            addr,
            bodies,
            peer_left,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn serve_script(mut s: TcpStream, script: Script, bodies: &Mutex<Vec<String>>, left: &AtomicBool) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    if head.starts_with("get ") {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
        return;
    }
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = s.read_exact(&mut body);
    bodies
        .lock()
        .unwrap()
        .push(String::from_utf8_lossy(&body).into_owned());
    let chunk = |text: &str| {
        let data = json!({"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                          "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]});
        let event = format!("data: {data}\n\n");
        format!("{:x}\r\n{event}\r\n", event.len())
    };
    let sse_head =
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
    match script {
        Script::DiesMidStream => {
            let _ =
                s.write_all(format!("{sse_head}{}{}", chunk("Hello"), chunk(" world")).as_bytes());
            let _ = s.flush();
            std::thread::sleep(Duration::from_millis(100));
        }
        Script::Slow => {
            let _ = s.write_all(sse_head.as_bytes());
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if s.write_all(chunk("tick ").as_bytes())
                    .and_then(|()| s.flush())
                    .is_err()
                {
                    left.store(true, Ordering::SeqCst);
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Script::Refuses => {
            let error = json!({"error": {"message": "max_tokens is too large: 99999", "type": "BadRequestError"}}).to_string();
            let _ = s.write_all(
                format!(
                    "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{error}",
                    error.len()
                )
                .as_bytes(),
            );
        }
        Script::Hangs => std::thread::sleep(Duration::from_secs(30)),
    }
}

/// A gateway in front of scripted upstreams.
fn scripted_gateway(urls: &[String], extra: &str) -> Node {
    let pki = Pki::new();
    let addr = free_addr();
    let table =
        format!("[[upstream]]\nname = \"scripted\"\nurls = {urls:?}\nmodels = [\"m\"]\n{extra}\n");
    let config = pki.write_config(addr, &table);
    let daemon = Launch::new(&config, addr).start(&pki);
    let token = pki.token("alice", &["inference"]);
    Node { pki, daemon, token }
}

fn stream_body() -> Value {
    json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": true})
}

#[test]
fn upstream_failures_reach_the_client_and_the_trail() {
    // Dies mid-stream: the client gets the text so far, then an error
    // event; the trail records a failed completion.
    let dies = Scripted::start(Script::DiesMidStream);
    let g = scripted_gateway(&[dies.url()], "");
    // Fields a server reads content or grammars from are refused by name
    // before anything is sent; `user` is recorded, not handed on.
    for field in ["documents", "guided_json"] {
        let mut body = stream_body();
        body[field] = json!({"type": "object"});
        let r = g.post("/v1/chat/completions", &body);
        assert_eq!(r.status, 400, "{r:?}");
        assert_eq!(r.json()["error"]["param"], field, "{r:?}");
    }
    let mut body = stream_body();
    body["user"] = json!("u-7");
    body["temperature"] = json!(0.5);
    let r = g.post("/v1/chat/completions", &body);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(streamed_text(&r.body), "Hello world", "{r:?}");
    assert!(
        r.body.contains("\"code\":\"upstream_unavailable\""),
        "{r:?}"
    );
    // The upstream was asked for a stream with usage, with the model's
    // own id.
    let sent: Value = serde_json::from_str(&dies.bodies.lock().unwrap()[0]).unwrap();
    assert_eq!(sent["model"], "m");
    assert_eq!(sent["stream_options"]["include_usage"], true);
    assert_eq!(sent["temperature"], 0.5);
    assert!(sent.get("user").is_none(), "{sent}");
    let records = g.records();
    assert!(
        records
            .iter()
            .any(|r| r["event_type"] == "inference_completed"
                && r["outcome"] == "failed"
                && r["error_code"] == "upstream_unavailable"),
        "{records:?}"
    );

    // A 4xx comes back in this node's error shape with the upstream's
    // message, and is not retried.
    let refuses = Scripted::start(Script::Refuses);
    let g = scripted_gateway(&[refuses.url()], "");
    let r = g.post(
        "/v1/chat/completions",
        &json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}),
    );
    assert_eq!(r.status, 400, "{r:?}");
    let error = r.json()["error"].clone();
    assert_eq!(error["code"], "invalid_request_error");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("max_tokens is too large: 99999"),
        "{error}"
    );
    assert_eq!(refuses.bodies.lock().unwrap().len(), 1);

    // A hang is a 504 after the upstream's request_timeout.
    let hangs = Scripted::start(Script::Hangs);
    let g = scripted_gateway(&[hangs.url()], "request_timeout = \"1s\"\n");
    let started = Instant::now();
    let r = g.post(
        "/v1/chat/completions",
        &json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}),
    );
    assert_eq!(r.status, 504, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "upstream_unavailable");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_client_that_leaves_cancels_the_upstream_request() {
    let slow = Scripted::start(Script::Slow);
    let g = scripted_gateway(&[slow.url()], "");
    let body = stream_body().to_string();
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        g.token,
        body.len()
    );
    let config = client_config(&g.pki, Some(&g.pki.client), &[&rustls::version::TLS13]);
    let mut tls = connect(g.daemon.addr, config).unwrap();
    tls.write_all(head.as_bytes()).unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("tick") {
        let n = tls.read(&mut buf).unwrap();
        assert!(n > 0, "closed before any text");
        seen.extend_from_slice(&buf[..n]);
    }
    drop(tls);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !slow.peer_left.load(Ordering::SeqCst) {
        assert!(
            Instant::now() < deadline,
            "the upstream still streams 10 s after the client left"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Not retried elsewhere: one request reached the upstream.
    assert_eq!(slow.bodies.lock().unwrap().len(), 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let records = g.records();
        if records
            .iter()
            .any(|r| r["event_type"] == "inference_completed" && r["outcome"] == "cancelled")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no cancelled record: {records:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
