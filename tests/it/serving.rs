//! The OpenAI-compatible API over real mutual TLS with real JWTs, serving
//! the Llama 4 reference fixture through the continuous-batching scheduler.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::kit::*;

fn model_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/llama4-tiny")
        .display()
        .to_string()
}

pub(crate) struct Served {
    pub(crate) pki: Pki,
    pub(crate) daemon: Daemon,
    pub(crate) addr: SocketAddr,
    pub(crate) token: String,
}

fn serve(model_extra: &str) -> Served {
    serve_path(&model_dir(), model_extra)
}

pub(crate) fn serve_path(path: &str, model_extra: &str) -> Served {
    let pki = Pki::new();
    let addr = free_addr();
    let extra = format!(
        "[model]\npath = \"{path}\"\nid = \"llama4-tiny\"\ndtype = \"f32\"\n{model_extra}\n"
    );
    let config = pki.write_config(addr, &extra);
    let daemon = Launch::new(&config, addr).start(&pki);
    let token = pki.token("alice", &["inference", "metrics"]);
    Served {
        pki,
        daemon,
        addr,
        token,
    }
}

pub(crate) fn post(s: &Served, path: &str, body: &str) -> Response {
    post_json(s.addr, &s.pki, &s.token, path, body)
}

pub(crate) fn chat(s: &Served, body: Value) -> Response {
    post(s, "/v1/chat/completions", &body.to_string())
}

fn user(text: &str) -> Value {
    json!([{"role": "user", "content": text}])
}

fn metric(s: &Served, name: &str) -> f64 {
    let text = s.daemon.get_with_token(&s.pki, "/metrics", &s.token).body;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

#[test]
fn chat_completion_streamed_and_whole_agree_and_are_openai_shaped() {
    let s = serve("");
    let r = s.daemon.get_with_token(&s.pki, "/v1/models", &s.token);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["data"][0]["id"], "llama4-tiny");
    // `models.retrieve`: one model, or 404.
    let one = s
        .daemon
        .get_with_token(&s.pki, "/v1/models/llama4-tiny", &s.token);
    assert_eq!(one.status, 200, "{one:?}");
    assert_eq!(one.json()["id"], "llama4-tiny");
    assert_eq!(one.json()["object"], "model");
    let none = s
        .daemon
        .get_with_token(&s.pki, "/v1/models/meta-llama/none", &s.token);
    assert_eq!(none.status, 404, "{none:?}");
    assert_eq!(none.json()["error"]["code"], "not_found");
    // A message without content is refused, naming it.
    let r = chat(
        &s,
        json!({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant"}]}),
    );
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(r.json()["error"]["param"], "messages[1].content");

    // The golden chat case: this message renders to 26 prompt tokens.
    let whole = chat(
        &s,
        json!({"model": "llama4-tiny", "messages": user("Is Llama 4 open source?"),
                                "max_tokens": 12, "temperature": 0}),
    );
    assert_eq!(whole.status, 200, "{whole:?}");
    assert!(whole.header("x-request-id").is_some());
    let v = whole.json();
    assert_eq!(v["object"], "chat.completion");
    assert!(v["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert_eq!(v["model"], "llama4-tiny");
    assert_eq!(v["choices"][0]["message"]["role"], "assistant");
    assert_eq!(v["usage"]["prompt_tokens"], 26);
    let completion_tokens = v["usage"]["completion_tokens"].as_u64().unwrap();
    assert!((1..=12).contains(&completion_tokens), "{v}");
    assert_eq!(v["usage"]["total_tokens"], 26 + completion_tokens);
    let finish = v["choices"][0]["finish_reason"].as_str().unwrap();
    assert!(finish == "length" || finish == "stop", "{v}");
    let text = v["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned();

    // Greedy, so the stream carries the same text, as the SDKs parse it.
    let streamed = chat(
        &s,
        json!({"messages": user("Is Llama 4 open source?"), "max_tokens": 12,
                                   "temperature": 0, "stream": true,
                                   "stream_options": {"include_usage": true}}),
    );
    assert_eq!(streamed.status, 200);
    assert_eq!(streamed.header("content-type"), Some("text/event-stream"));
    let data = events(&streamed.body);
    assert_eq!(data.last().map(String::as_str), Some("[DONE]"), "{data:?}");
    let chunks: Vec<Value> = data[..data.len() - 1]
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    assert!(
        chunks
            .iter()
            .all(|c| c["object"] == "chat.completion.chunk")
    );
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let joined: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(joined, text);
    let usage = chunks.last().unwrap();
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(usage["usage"]["prompt_tokens"], 26);
    assert_eq!(usage["usage"]["completion_tokens"], completion_tokens);
    let finish_chunk = &chunks[chunks.len() - 2];
    assert_eq!(finish_chunk["choices"][0]["finish_reason"], finish);

    // A text completion.
    let r = post(
        &s,
        "/v1/completions",
        &json!({"prompt": "Meta's release", "max_tokens": 4}).to_string(),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["object"], "text_completion");
    assert!(r.json()["choices"][0]["text"].is_string());

    // The audit trail holds the accepted and completed records.
    let (status, out, err) = run(&[
        "audit",
        "verify",
        "--config",
        s.pki.path("palisade.toml").to_str().unwrap(),
    ]);
    assert!(status.success(), "{out}{err}");
}

#[test]
fn seeds_reproduce_and_stop_strings_cut_across_token_boundaries() {
    let s = serve("");
    let sample = |seed: u64| {
        let r = chat(
            &s,
            json!({"messages": user("Tell me a story"), "max_tokens": 16,
                                "temperature": 1.0, "seed": seed}),
        );
        assert_eq!(r.status, 200, "{r:?}");
        r.json()["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let a = sample(11);
    assert_eq!(a, sample(11), "same seed, same text");
    assert_ne!(a, sample(12), "different seed, different text");

    // n choices get distinct seeds.
    let r = chat(
        &s,
        json!({"messages": user("Tell me a story"), "max_tokens": 8, "temperature": 1.0,
                            "seed": 11, "n": 3}),
    );
    assert_eq!(r.status, 200);
    let choices = r.json()["choices"].as_array().unwrap().clone();
    assert_eq!(choices.len(), 3);
    assert_eq!(choices[2]["index"], 2);

    // Greedy text with plain ASCII letters in it; a stop string made of
    // characters of several tokens cuts there and is never sent.
    let r = chat(
        &s,
        json!({"messages": user("Is Llama 4 open source?"), "max_tokens": 24, "temperature": 0}),
    );
    let full = r.json()["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    let chars: Vec<(usize, char)> = full.char_indices().collect();
    assert!(chars.len() >= 6, "{full:?}");
    let (start, _) = chars[2];
    let end = chars.get(5).map_or(full.len(), |c| c.0);
    let stop = full[start..end].to_owned();
    let expected = &full[..full.find(&stop).unwrap()];
    for stream in [false, true] {
        let r = chat(
            &s,
            json!({"messages": user("Is Llama 4 open source?"), "max_tokens": 24,
                                "temperature": 0, "stop": [stop.clone(), "never-seen"], "stream": stream}),
        );
        assert_eq!(r.status, 200);
        let got = if stream {
            let data = events(&r.body);
            data.iter()
                .filter_map(|d| serde_json::from_str::<Value>(d).ok())
                .filter_map(|c| {
                    c["choices"][0]["delta"]["content"]
                        .as_str()
                        .map(str::to_owned)
                })
                .collect::<String>()
        } else {
            assert_eq!(r.json()["choices"][0]["finish_reason"], "stop");
            r.json()["choices"][0]["message"]["content"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(got, expected, "stop {stop:?} in {full:?} (stream {stream})");
    }
}

/// Log-probabilities, as the OpenAI API shapes them: per token of the
/// answer, the chosen token first among its alternatives at temperature 0,
/// the same whole and streamed, and in the text-completion shape too.
#[test]
fn logprobs_cover_every_token_whole_and_streamed() {
    let s = serve("");
    let body = json!({"messages": user("Is Llama 4 open source?"), "max_tokens": 10,
                      "temperature": 0, "logprobs": true, "top_logprobs": 3});
    let r = chat(&s, body.clone());
    assert_eq!(r.status, 200, "{r:?}");
    let v = r.json();
    let content = v["choices"][0]["logprobs"]["content"].as_array().unwrap();
    assert_eq!(
        content.len() as u64,
        v["usage"]["completion_tokens"].as_u64().unwrap(),
        "one entry per generated token: {v}"
    );
    for entry in content {
        let lp = entry["logprob"].as_f64().unwrap();
        assert!(lp <= 0.0 && lp > -100.0, "{entry}");
        let token = entry["token"].as_str().unwrap();
        let bytes: Vec<u8> = entry["bytes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_u64().unwrap() as u8)
            .collect();
        assert_eq!(bytes, token.as_bytes());
        let top = entry["top_logprobs"].as_array().unwrap();
        assert_eq!(top.len(), 3, "{entry}");
        // Greedy: the chosen token is the most likely one.
        assert_eq!(top[0]["token"], entry["token"], "{entry}");
        assert_eq!(top[0]["logprob"], entry["logprob"]);
        let lps: Vec<f64> = top.iter().map(|t| t["logprob"].as_f64().unwrap()).collect();
        assert!(lps.windows(2).all(|w| w[0] >= w[1]), "{lps:?}");
    }
    // Without the fields, no log-probabilities.
    let plain = chat(
        &s,
        json!({"messages": user("Is Llama 4 open source?"), "max_tokens": 10, "temperature": 0}),
    );
    assert_eq!(plain.json()["choices"][0]["logprobs"], Value::Null);

    // Streamed: the chunks' entries, in order, are the whole answer's.
    let mut streamed_body = body.clone();
    streamed_body["stream"] = json!(true);
    let r = chat(&s, streamed_body);
    assert_eq!(r.status, 200);
    let streamed: Vec<Value> = events(&r.body)
        .iter()
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .filter_map(|c| c["choices"][0]["logprobs"]["content"].as_array().cloned())
        .flatten()
        .collect();
    assert_eq!(&streamed, content);

    // Text completions: parallel lists and offsets into the text.
    let r = post(
        &s,
        "/v1/completions",
        &json!({"prompt": "Meta's release", "max_tokens": 6, "temperature": 0, "logprobs": 2})
            .to_string(),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let v = r.json();
    let lp = &v["choices"][0]["logprobs"];
    let tokens = lp["tokens"].as_array().unwrap();
    assert_eq!(
        tokens.len() as u64,
        v["usage"]["completion_tokens"].as_u64().unwrap()
    );
    assert_eq!(lp["token_logprobs"].as_array().unwrap().len(), tokens.len());
    let offsets: Vec<u64> = lp["text_offset"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_u64().unwrap())
        .collect();
    assert_eq!(offsets.len(), tokens.len());
    assert_eq!(offsets.first(), Some(&0));
    assert!(offsets.windows(2).all(|w| w[0] <= w[1]), "{offsets:?}");
    for top in lp["top_logprobs"].as_array().unwrap() {
        let n = top.as_object().unwrap().len();
        // Two alternatives (fewer only when two decode to the same text).
        assert!((1..=2).contains(&n), "{top}");
    }
}

#[test]
fn bad_requests_get_400s_that_name_the_field() {
    let s = serve("max_request_bytes = 65536");
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"messages": [], "max_tokens": 4}),
            "invalid_request_error",
            "messages",
        ),
        (
            json!({"messages": [{"role": "wizard", "content": "hi"}]}),
            "invalid_request_error",
            "messages[0].role",
        ),
        (
            json!({"messages": user("hi"), "max_tokens": -1}),
            "invalid_request_error",
            "max_tokens",
        ),
        (
            json!({"messages": user("hi"), "max_tokens": 100_000}),
            "context_length_exceeded",
            "max_tokens",
        ),
        (
            json!({"messages": user("hi"), "max_tokens": "ten"}),
            "invalid_request_error",
            "max_tokens",
        ),
        (
            json!({"messages": user("hi"), "n": 0}),
            "invalid_request_error",
            "n",
        ),
        (
            json!({"messages": user("hi"), "n": 100}),
            "invalid_request_error",
            "n",
        ),
        (
            json!({"messages": user("hi"), "temperature": -1}),
            "invalid_request_error",
            "temperature",
        ),
        (
            json!({"messages": user("hi"), "top_p": 0}),
            "invalid_request_error",
            "top_p",
        ),
        (
            json!({"messages": user("hi"), "stop": vec!["x"; 50]}),
            "invalid_request_error",
            "stop",
        ),
        (
            json!({"messages": [{"role": "user", "content": 7}]}),
            "invalid_request_error",
            "messages[0].content",
        ),
        (
            json!({"model": "gpt-4", "messages": user("hi")}),
            "not_found",
            "model",
        ),
        (
            json!({"max_tokens": 4}),
            "invalid_request_error",
            "messages",
        ),
        (
            json!({"messages": user("hi"), "logprobs": "yes"}),
            "invalid_request_error",
            "logprobs",
        ),
        (
            json!({"messages": user("hi"), "logprobs": true, "top_logprobs": 21}),
            "invalid_request_error",
            "top_logprobs",
        ),
        (
            json!({"messages": user("hi"), "top_logprobs": 2}),
            "invalid_request_error",
            "top_logprobs",
        ),
    ];
    for (body, code, param) in cases {
        let r = chat(&s, body.clone());
        let v = r.json();
        assert_eq!(v["error"]["code"], code, "{body} -> {v}");
        assert_eq!(v["error"]["param"], param, "{body} -> {v}");
        assert!(r.status == 400 || r.status == 404, "{body} -> {r:?}");
    }
    // A text completion's `logprobs` is a count up to 5.
    for bad in [json!(6), json!(true), json!(-1)] {
        let r = post(
            &s,
            "/v1/completions",
            &json!({"prompt": "hi", "max_tokens": 2, "logprobs": bad}).to_string(),
        );
        assert_eq!(r.status, 400, "{bad} -> {r:?}");
        assert_eq!(r.json()["error"]["param"], "logprobs");
    }
    // Unknown fields are refused by name, as OpenAI does: nothing an app
    // asks for is silently dropped.
    let r = chat(
        &s,
        json!({"messages": user("hi"), "max_tokens": 2, "frobnicate": true}),
    );
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "unsupported_parameter");
    assert_eq!(r.json()["error"]["param"], "frobnicate");
    // Malformed JSON.
    let r = post(&s, "/v1/chat/completions", "{\"messages\": [");
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
    // A body over the limit.
    let big = json!({"messages": user(&"a".repeat(200_000))}).to_string();
    let r = post(&s, "/v1/chat/completions", &big);
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "payload_too_large");
    // A prompt longer than the context, refused before any work.
    let long = "word ".repeat(5000);
    let r = chat(&s, json!({"messages": user(&long), "max_tokens": 1}));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "context_length_exceeded");
    assert_eq!(r.json()["error"]["param"], "messages");
    let r = post(
        &s,
        "/v1/completions",
        &json!({"prompt": long, "max_tokens": 1}).to_string(),
    );
    assert_eq!(r.json()["error"]["code"], "context_length_exceeded");
    assert_eq!(r.json()["error"]["param"], "prompt");
    // Without the inference role.
    let token = s.pki.token("bob", &["metrics"]);
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    let r = request(
        s.addr,
        client_config(&s.pki, Some(&s.pki.client), &[&rustls::version::TLS13]),
        &head,
    )
    .unwrap();
    assert_eq!(r.status, 403);
}

/// A response format that admits no end before `max_tokens`: a request
/// with it runs its whole length, however fast the engine (a model's own
/// end-of-sequence token could otherwise end it at any step).
pub(crate) fn endless() -> serde_json::Value {
    json!({"type": "json_schema", "json_schema": {"name": "story", "schema": {
        "type": "object", "properties": {"story": {"type": "string", "minLength": 10000}},
        "required": ["story"]}}})
}

/// A request still running at its deadline is a 503 `overloaded` with
/// `Retry-After`, and its blocks go back to the pool.
#[test]
fn a_request_past_its_deadline_is_overloaded() {
    let s = serve("request_timeout = \"300ms\"");
    let r = chat(
        &s,
        json!({"messages": user("Tell me a long story"), "max_tokens": 3000,
               "temperature": 1.0, "seed": 1, "response_format": endless()}),
    );
    assert_eq!(r.status, 503, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "overloaded", "{r:?}");
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(metric(&s, "palisade_kv_blocks_used"), 0.0);
}

#[test]
fn a_full_queue_answers_429_and_a_disconnect_frees_the_kv_blocks() {
    let s = serve("max_batch = 1\nqueue_depth = 1\nkv_block_size = 16");
    let body =
        json!({"messages": user("Tell me a long story"), "max_tokens": 3000, "temperature": 1.0,
                      "seed": 1, "stream": true, "response_format": endless()})
        .to_string();
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        s.token,
        body.len()
    );
    let config = client_config(&s.pki, Some(&s.pki.client), &[&rustls::version::TLS13]);
    // The first stream runs; read until its first event arrives.
    let mut first = connect(s.addr, config.clone()).unwrap();
    first.write_all(head.as_bytes()).unwrap();
    let mut buf = [0u8; 4096];
    let mut seen = String::new();
    while !seen.contains("data: ") {
        let n = first.read(&mut buf).unwrap();
        assert!(n > 0, "stream closed early: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(metric(&s, "palisade_kv_blocks_used") > 0.0, "{seen}");
    assert_eq!(metric(&s, "palisade_running_sequences"), 1.0);
    // The second waits in the queue (depth 1) ...
    let mut second = connect(s.addr, config.clone()).unwrap();
    second.write_all(head.as_bytes()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while metric(&s, "palisade_queue_depth") < 1.0 {
        assert!(Instant::now() < deadline, "the second request never queued");
        std::thread::sleep(Duration::from_millis(20));
    }
    // ... and the third finds the queue full.
    let r = chat(&s, json!({"messages": user("hi"), "max_tokens": 2}));
    assert_eq!(r.status, 429, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "rate_limited");
    assert!(r.header("retry-after").is_some());
    assert_eq!(
        metric(
            &s,
            "palisade_inference_refused_total{code=\"rate_limited\"}"
        ),
        1.0
    );

    // Both clients hang up: their sequences and blocks are freed within a
    // step, long before 3000 tokens.
    drop(first);
    drop(second);
    let deadline = Instant::now() + Duration::from_secs(10);
    while metric(&s, "palisade_kv_blocks_used") > 0.0
        || metric(&s, "palisade_running_sequences") > 0.0
    {
        assert!(
            Instant::now() < deadline,
            "blocks still held after the clients left"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(metric(&s, "palisade_queue_depth"), 0.0);
    // And the node serves the next request.
    let r = chat(&s, json!({"messages": user("hi"), "max_tokens": 2}));
    assert_eq!(r.status, 200, "{r:?}");

    // The trail says what happened: two cancelled, one refused for the
    // full queue, one completed.
    let out = s.pki.path("export.jsonl");
    let (status, o, e) = run(&[
        "audit",
        "export",
        "--config",
        s.pki.path("palisade.toml").to_str().unwrap(),
        "--format",
        "jsonl",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(status.success(), "{o}{e}");
    let records: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let count = |event: &str, outcome: &str| {
        records
            .iter()
            .filter(|r| {
                r.to_string()
                    .contains(&format!("\"event_type\":\"{event}\""))
                    && r.to_string()
                        .contains(&format!("\"outcome\":\"{outcome}\""))
            })
            .count()
    };
    assert_eq!(count("inference_completed", "cancelled"), 2, "{records:?}");
    assert_eq!(count("inference_refused", "refused"), 1);
    assert_eq!(count("inference_accepted", "success"), 3);
    assert_eq!(count("inference_completed", "success"), 1);
}

#[test]
fn without_a_model_v1_is_not_ready_and_readyz_says_why() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki.write_config(addr, "");
    let daemon = Launch::new(&config, addr).start(&pki);
    let token = pki.token("alice", &["inference"]);
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    let r = request(
        addr,
        client_config(&pki, Some(&pki.client), &[&rustls::version::TLS13]),
        &head,
    )
    .unwrap();
    assert_eq!(r.status, 503, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "not_ready");
    let r = daemon.get(&pki, "/readyz");
    assert!(r.body.contains("[model] path"), "{}", r.body);
}

/// The `openai` SDK version the test installs (PyPI).
const OPENAI_SDK: &str = "openai==3.57.0";
/// The `jsonschema` version the structured-output tests validate with.
const JSONSCHEMA: &str = "jsonschema==4.25.1";

/// A virtualenv with the OpenAI SDK under `target/` (made once; `.ci/run`
/// makes it before the tests).
pub(crate) fn openai_python() -> std::path::PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/openai-venv");
    let python = venv.join("bin/python");
    let has_sdk = std::process::Command::new(&python)
        .args([
            "-c",
            &format!(
                "import openai, jsonschema, sys; sys.exit(openai.__version__ != {:?})",
                &OPENAI_SDK[8..]
            ),
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !has_sdk {
        let made = std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap();
        assert!(made.success(), "python3 -m venv failed");
        let pip = std::process::Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", OPENAI_SDK, JSONSCHEMA])
            .status()
            .unwrap();
        assert!(
            pip.success(),
            "pip install {OPENAI_SDK} {JSONSCHEMA} failed"
        );
    }
    python
}

/// Runs `tests/sdk/SCRIPT` against `s` with the SDK's client set up as an
/// app would (mutual TLS, the JWT as API key); the JSON it prints.
pub(crate) fn run_sdk_script(s: &Served, script: &str) -> Value {
    s.pki.write("client.pem", &s.pki.client.cert_pem);
    s.pki.write("client.key", &s.pki.client.key_pem);
    let out = std::process::Command::new(openai_python())
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/sdk")
                .join(script),
        )
        .env(
            "PALISADE_BASE_URL",
            format!("https://localhost:{}/v1", s.addr.port()),
        )
        .env("PALISADE_CA", s.pki.path("ca.pem"))
        .env("PALISADE_CERT", s.pki.path("client.pem"))
        .env("PALISADE_KEY", s.pki.path("client.key"))
        .env("PALISADE_TOKEN", &s.token)
        .env("PALISADE_MODEL", "llama4-tiny")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script}: {stdout}{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn the_official_openai_sdk_chats_streams_and_completes() {
    let s = serve("");
    let v = run_sdk_script(&s, "openai_client.py");
    assert_eq!(v["models"], json!(["llama4-tiny"]));
    assert_eq!(v["chat"], v["streamed"], "{v}");
    assert_eq!(v["chat_finish"], v["stream_finish"]);
    assert_eq!(v["chat_usage"]["prompt_tokens"], 26);
    assert_eq!(v["stream_usage"], v["chat_usage"]);
    assert!(v["completion"].is_string());
    assert_eq!(v["refused"]["code"], "invalid_request_error", "{v}");
    assert_eq!(v["refused"]["param"], "messages");
    // The SDK's typed log-probabilities: one per token, the greedy choice
    // first among the two alternatives.
    let lps = v["logprobs"].as_array().unwrap();
    assert_eq!(
        lps.len() as u64,
        v["logprobs_usage"]["completion_tokens"].as_u64().unwrap()
    );
    for t in lps {
        assert!(t[1].as_f64().unwrap() <= 0.0, "{t}");
        assert_eq!(t[2].as_array().unwrap().len(), 2, "{t}");
        assert_eq!(t[2][0], t[0], "{t}");
    }
}

/// 500 clients at once against a queue of 64: every one gets an answer
/// (200, or 429 with Retry-After), nothing else, and the node is idle
/// afterwards.
#[test]
fn five_hundred_concurrent_requests_against_a_queue_of_64() {
    let s = serve("max_batch = 8\nqueue_depth = 64");
    let config = client_config(&s.pki, Some(&s.pki.client), &[&rustls::version::TLS13]);
    let body = json!({"messages": user("hi"), "max_tokens": 16}).to_string();
    let head = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        s.token,
        body.len()
    );
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..500)
            .map(|_| {
                let config = config.clone();
                let head = head.clone();
                scope.spawn(move || {
                    // Answers may take a while on a loaded 2-core machine
                    // (500 handshakes beside the decoding): the read
                    // timeout only guards against a hang.
                    let mut stream =
                        connect_waiting(s.addr, config, Duration::from_secs(120)).unwrap();
                    stream.write_all(head.as_bytes()).unwrap();
                    let r = read_response(&mut stream).unwrap();
                    if r.status == 429 {
                        assert!(r.header("retry-after").is_some());
                    }
                    r.status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(ok + limited, 500, "unexpected statuses: {statuses:?}");
    assert!(ok >= 64, "only {ok} served");
    assert_eq!(metric(&s, "palisade_queue_depth"), 0.0);
    assert_eq!(metric(&s, "palisade_running_sequences"), 0.0);
    assert_eq!(metric(&s, "palisade_kv_blocks_used"), 0.0);
}

/// Large bodies never stall the server: four concurrent 3.2 MB chat bodies
/// are refused (`context_length_exceeded`, on a bound of bytes against the
/// context, before any tokenizing), while health checks on a kept-alive
/// connection and a small chat on the single HTTP worker keep answering.
#[test]
fn large_bodies_are_refused_early_and_never_stall_health_checks_or_small_requests() {
    use std::sync::Arc;
    let s = Arc::new(serve(""));
    let big = json!({"messages": user(&"lorem ipsum dolor sit amet ".repeat(120_000)),
                     "max_tokens": 4})
    .to_string();
    assert!(big.len() > 3_200_000);
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let (s, big) = (s.clone(), big.clone());
            std::thread::spawn(move || {
                let started = Instant::now();
                let r = post(&s, "/v1/chat/completions", &big);
                (r, started.elapsed())
            })
        })
        .collect();
    let mut probe = connect(
        s.addr,
        client_config(&s.pki, Some(&s.pki.client), &[&rustls::version::TLS13]),
    )
    .unwrap();
    let mut health = Vec::new();
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until || senders.iter().any(|t| !t.is_finished()) {
        let started = Instant::now();
        probe
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let (status, _, _) = read_one(&mut probe);
        assert_eq!(status, 200);
        health.push(started.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    let small = chat(&s, json!({"messages": user("Hi"), "max_tokens": 2}));
    assert_eq!(small.status, 200, "{}", small.body);
    for t in senders {
        let (r, took) = t.join().unwrap();
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(
            r.json()["error"]["code"],
            "context_length_exceeded",
            "{}",
            r.body
        );
        assert!(took < Duration::from_secs(10), "a refusal took {took:?}");
    }
    health.sort();
    let median = health[health.len() / 2];
    let worst = *health.last().unwrap();
    println!(
        "health checks during the load: {} answered, median {median:?}, worst {worst:?}",
        health.len()
    );
    assert!(median < Duration::from_millis(100), "median {median:?}");
    assert!(worst < Duration::from_secs(1), "worst {worst:?}");
}

/// Parameters this release does not honour are refused with 400
/// `unsupported_parameter` naming them, never silently ignored: an app
/// that asks for tool calls or JSON output must not get plain text.
#[test]
fn parameters_not_honoured_are_refused_by_name() {
    let s = serve("");
    for (extra, param) in [
        (json!({"functions": [{"name": "f"}]}), "functions"),
        (json!({"store": true}), "store"),
        (json!({"reasoning_effort": "high"}), "reasoning_effort"),
        // A field this node does not know at all (a newer SDK's).
        (json!({"frobnicate": 1}), "frobnicate"),
        (
            json!({"response_format": {"type": "json_schema", "json_schema": {"name": "x",
                "schema": {"type": "object", "properties": {"a": {"not": {}}}}}}}),
            "response_format.json_schema.schema",
        ),
        (json!({"logit_bias": {"42": 10}}), "logit_bias"),
    ] {
        let mut body = json!({"messages": user("Hi"), "max_tokens": 2});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = chat(&s, body);
        assert_eq!(r.status, 400, "{param}: {}", r.body);
        assert_eq!(
            r.json()["error"]["code"],
            "unsupported_parameter",
            "{}",
            r.body
        );
        assert_eq!(r.json()["error"]["param"], param, "{}", r.body);
    }
    // What is honoured, or harmless, still works.
    let r = chat(
        &s,
        json!({"messages": user("Hi"), "max_tokens": 2, "response_format": {"type": "text"},
               "tools": null, "user": "u-1", "logit_bias": {}, "metadata": {"a": "b"},
               "prompt_cache_key": "k", "service_tier": "auto", "store": false}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post(
        &s,
        "/v1/completions",
        &json!({"prompt": "Hi", "max_tokens": 2, "echo": true}).to_string(),
    );
    assert_eq!(r.json()["error"]["param"], "echo", "{}", r.body);
    let tool = json!([{"type": "function", "function": {"name": "f"}}]);
    let r = post(
        &s,
        "/v1/completions",
        &json!({"prompt": "Hi", "max_tokens": 2, "tools": tool}).to_string(),
    );
    assert_eq!(
        r.json()["error"]["code"],
        "unsupported_parameter",
        "{}",
        r.body
    );
    assert_eq!(r.json()["error"]["param"], "tools", "{}", r.body);
    // This model's chat template never renders tools: offering them would
    // be ignored in silence, so it is refused; hidden by `none`, it is not.
    let tool =
        json!([{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]);
    let ask = |choice: &str| {
        chat(
            &s,
            json!({"messages": user("Hi"), "max_tokens": 2, "tools": tool, "tool_choice": choice}),
        )
    };
    let r = ask("auto");
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"]["param"], "tools", "{}", r.body);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not render tools"),
        "{}",
        r.body
    );
    assert_eq!(ask("none").status, 200);
}

/// One GGUF file is a whole model: the daemon serves a Q4_K_M file
/// (weights kept quantized, tokenizer and chat template from its metadata)
/// and a checkpoint quantized in situ (`model.quantization`).
#[test]
fn a_gguf_file_and_an_in_situ_quantized_checkpoint_are_served() {
    let gguf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gguf/llama4-tiny/q4_k_m.gguf")
        .display()
        .to_string();
    for (path, extra) in [
        (gguf.as_str(), ""),
        (model_dir().as_str(), "quantization = \"q8_0\""),
    ] {
        let s = serve_path(path, extra);
        let r = chat(
            &s,
            json!({"model": "llama4-tiny", "messages": user("Is Llama 4 open source?"),
                   "max_tokens": 8, "temperature": 0}),
        );
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let v = r.json();
        assert_eq!(v["choices"][0]["message"]["role"], "assistant", "{path}");
        assert!(
            v["usage"]["completion_tokens"].as_u64().unwrap() > 0,
            "{path}"
        );
        assert!(v["usage"]["prompt_tokens"].as_u64().unwrap() > 5, "{path}");
    }
}
