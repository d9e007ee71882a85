//! Policy through the real daemon (the demo's defaults: node in
//! eu-central, jurisdiction EU), the policy and pii commands, and the
//! detector's precision and recall on the annotated corpus.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::kit::*;

/// [`crate::demo::demo_request`], its body read as JSON.
fn call(
    dir: &Path,
    port: u16,
    mint: &[&str],
    path: &str,
    body: Option<&str>,
    headers: &[&str],
) -> (u16, Value) {
    let (status, text) = crate::demo::demo_request(dir, port, mint, path, body, headers);
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn chat(prompt: &str) -> String {
    serde_json::json!({
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": 6,
        "temperature": 0
    })
    .to_string()
}

fn ids(body: &Value) -> Vec<String> {
    body["error"]["policy_ids"]
        .as_array()
        .unwrap_or_else(|| panic!("no policy_ids in {body}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

const ALICE: [&str; 6] = [
    "--sub",
    "alice",
    "--tenant",
    "ward-7",
    "--roles",
    "inference",
];

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more).copied().collect()
}

/// The acceptance criteria of the policy issue, through the demo.
#[test]
fn the_demo_enforces_classification_residency_hipaa_and_allow_lists() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let addr = free_addr();
    crate::demo::demo_init(&dir, addr, &[]);
    let port = addr.port();
    let mut daemon = crate::demo::demo_serve(&dir, port);
    let ssn = chat("Patient SSN 123-45-6789, please summarise the case.");
    let placeholder = chat("Patient SSN [SSN], please summarise the case.");
    let chat_path = "/v1/chat/completions";

    // No pii clearance: refused, naming the policy.
    let (status, body) = call(&dir, port, &ALICE, chat_path, Some(&ssn), &[]);
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "policy_denied", "{body}");
    assert_eq!(ids(&body), vec!["clearance-pii"]);

    // Cleared for pii: served, and the model saw the placeholder, not the
    // SSN: greedy output and prompt length equal those of the prompt
    // written with the placeholder.
    let cleared = with(&ALICE, &["--data-classes", "pii"]);
    let (status, redacted) = call(&dir, port, &cleared, chat_path, Some(&ssn), &[]);
    assert_eq!(status, 200, "{redacted}");
    let (status, control) = call(&dir, port, &cleared, chat_path, Some(&placeholder), &[]);
    assert_eq!(status, 200, "{control}");
    assert_eq!(
        redacted["choices"][0]["message"]["content"],
        control["choices"][0]["message"]["content"]
    );
    assert_eq!(
        redacted["usage"]["prompt_tokens"],
        control["usage"]["prompt_tokens"]
    );
    // Not vacuous: the digits, had they reached the model, are more tokens
    // than the placeholder (an invalid SSN is not an identifier, so it is
    // not redacted).
    let invalid = chat("Patient SSN 000-45-6789, please summarise the case.");
    let (status, unredacted) = call(&dir, port, &cleared, chat_path, Some(&invalid), &[]);
    assert_eq!(status, 200, "{unredacted}");
    assert_ne!(
        unredacted["usage"]["prompt_tokens"],
        control["usage"]["prompt_tokens"]
    );

    // HIPAA: declared phi without a treatment/payment/operations purpose.
    let phi = with(&ALICE, &["--data-classes", "pii,phi"]);
    let hello = chat("How should the dressing be changed?");
    let (status, body) = call(
        &dir,
        port,
        &phi,
        chat_path,
        Some(&hello),
        &["X-Data-Classification: phi"],
    );
    assert_eq!(status, 403, "{body}");
    assert_eq!(ids(&body), vec!["hipaa-phi-purpose"]);
    // X-Purpose from a token not bound to the certificate is not believed.
    let (status, body) = call(
        &dir,
        port,
        &phi,
        chat_path,
        Some(&hello),
        &["X-Data-Classification: phi", "X-Purpose: treatment"],
    );
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("X-Purpose was not believed"),
        "{body}"
    );
    // The purpose in the token is.
    let treating = with(&phi, &["--purpose", "treatment"]);
    let (status, body) = call(
        &dir,
        port,
        &treating,
        chat_path,
        Some(&hello),
        &[
            "X-Data-Classification: phi",
            "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ],
    );
    assert_eq!(status, 200, "{body}");
    // From a token bound to the client certificate, the headers are
    // believed as declared (policy permits `declare`).
    let client_pem = dir.join("pki/client.pem");
    let bound = with(&phi, &["--bind-cert", client_pem.to_str().unwrap()]);
    let (status, body) = call(
        &dir,
        port,
        &bound,
        chat_path,
        Some(&hello),
        &["X-Data-Classification: phi", "X-Purpose: treatment"],
    );
    assert_eq!(status, 200, "{body}");
    // A header can never lower what detection found.
    let (status, body) = call(
        &dir,
        port,
        &ALICE,
        chat_path,
        Some(&ssn),
        &["X-Data-Classification: public"],
    );
    assert_eq!(status, 403, "{body}");
    assert_eq!(ids(&body), vec!["clearance-pii"]);
    let (status, body) = call(
        &dir,
        port,
        &ALICE,
        chat_path,
        Some(&hello),
        &["X-Data-Classification: secret"],
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["param"], "X-Data-Classification", "{body}");

    // Per-tenant allow-list: tenant research may not use the demo model.
    let research = [
        "--sub",
        "rita",
        "--tenant",
        "research",
        "--roles",
        "inference",
    ];
    let (status, body) = call(&dir, port, &research, chat_path, Some(&hello), &[]);
    assert_eq!(status, 403, "{body}");
    assert_eq!(ids(&body), vec!["allowlist-tenant-research"]);
    let (status, _) = call(
        &dir,
        port,
        &ALICE,
        "/v1/completions",
        Some(r#"{"prompt":"hi","max_tokens":2}"#),
        &[],
    );
    assert_eq!(status, 200);

    // Reload: a broken policy is refused and the old set keeps serving.
    let admin = ["--sub", "root", "--tenant", "ops", "--roles", "admin"];
    std::fs::write(
        dir.join("policies/local.cedar"),
        "@id(\"broken\")\nforbid (principal, action, resource) when { context.nope };\n",
    )
    .unwrap();
    let (status, body) = call(&dir, port, &admin, "/admin/v1/reload", None, &[]);
    assert_eq!(status, 400, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("local.cedar:2:"), "{message}");
    let (status, _) = call(&dir, port, &ALICE, chat_path, Some(&hello), &[]);
    assert_eq!(status, 200, "the previous set keeps serving");
    // A valid new rule takes effect on reload...
    std::fs::write(
        dir.join("policies/local.cedar"),
        "@id(\"ward-7-paused\")\nforbid (principal in Palisade::Tenant::\"ward-7\", action == Palisade::Action::\"infer\", resource);\n\
         @id(\"no-exports-for-ward-7\")\nforbid (principal in Palisade::Tenant::\"ward-7\", action == Palisade::Action::\"export-audit\", resource);\n",
    )
    .unwrap();
    let (status, body) = call(&dir, port, &admin, "/admin/v1/reload", None, &[]);
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&dir, port, &ALICE, chat_path, Some(&hello), &[]);
    assert_eq!(status, 403, "{body}");
    assert_eq!(ids(&body), vec!["ward-7-paused"]);
    // Policy narrows the auditors' endpoints too.
    let auditor = ["--sub", "audra", "--tenant", "ward-7", "--roles", "auditor"];
    let (status, body) = call(
        &dir,
        port,
        &auditor,
        "/admin/v1/audit/checkpoints",
        None,
        &[],
    );
    assert_eq!(status, 403, "{body}");
    assert_eq!(ids(&body), vec!["no-exports-for-ward-7"]);
    let other_auditor = [
        "--sub",
        "otto",
        "--tenant",
        "audit-firm",
        "--roles",
        "auditor",
    ];
    let (status, body) = call(
        &dir,
        port,
        &other_auditor,
        "/admin/v1/audit/checkpoints",
        None,
        &[],
    );
    assert_eq!(status, 200, "{body}");
    // ...and on SIGHUP.
    std::fs::remove_file(dir.join("policies/local.cedar")).unwrap();
    let _ = Command::new("kill")
        .args(["-HUP", &daemon.id().to_string()])
        .status();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (status, _) = call(&dir, port, &ALICE, chat_path, Some(&hello), &[]);
        if status == 200 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "SIGHUP did not reload the policies"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // Only admins reload.
    let (status, _) = call(&dir, port, &ALICE, "/admin/v1/reload", None, &[]);
    assert_eq!(status, 403);
    let _ = daemon.kill();
    let _ = daemon.wait();

    // The audit trail holds each decision with its policy ids and the
    // policy-set hash, and never the identifier itself.
    let config = dir.join("palisade.toml");
    let export = tmp.path().join("audit.jsonl");
    let (status, _, err) = run(&[
        "audit",
        "export",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "jsonl",
        "--out",
        export.to_str().unwrap(),
    ]);
    assert!(status.success(), "{err}");
    let lines = std::fs::read_to_string(&export).unwrap();
    let records: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let event = |r: &Value| r.get("event").cloned().unwrap_or_else(|| r.clone());
    let refused: Vec<Value> = records
        .iter()
        .map(event)
        .filter(|e| e["error_code"] == "policy_denied")
        .collect();
    assert!(refused.len() >= 6, "{lines}");
    let first = &refused[0];
    assert_eq!(first["decision"], "deny");
    assert_eq!(first["policy_ids"], serde_json::json!(["clearance-pii"]));
    assert_eq!(first["identifier_categories"], serde_json::json!(["ssn"]));
    assert_eq!(first["data_classification"], "pii");
    assert!(
        first["weights_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:"),
        "{first}"
    );
    assert!(
        first["policy_set_hash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let accepted_redacted = records.iter().map(event).find(|e| {
        e["event_type"] == "inference_accepted"
            && e["identifier_categories"] == serde_json::json!(["ssn"])
    });
    let accepted_redacted = accepted_redacted.expect("the redacted request's acceptance");
    assert_eq!(
        accepted_redacted["policy_ids"],
        serde_json::json!(["permit-inference", "redact-identifiers"])
    );
    // PHI for treatment: no content hash (the no-store obligation).
    let phi_accepted = records
        .iter()
        .map(event)
        .find(|e| e["event_type"] == "inference_accepted" && e["data_classification"] == "phi")
        .expect("the PHI request's acceptance");
    assert!(phi_accepted.get("prompt_hash").is_none(), "{phi_accepted}");
    // The caller's W3C trace id joins the record to its distributed trace.
    assert_eq!(phi_accepted["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert!(!lines.contains("123-45-6789"));
    let db = std::fs::read(dir.join("audit/audit.db")).unwrap();
    assert!(
        !db.windows(11).any(|w| w == b"123-45-6789"),
        "the SSN reached the audit store"
    );
    assert!(lines.contains("config_reload_failed"), "{lines}");
}

/// GDPR: the same cleared request is refused on a node outside the EU.
#[test]
fn personal_data_is_refused_outside_the_eu() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let addr = free_addr();
    crate::demo::demo_init(&dir, addr, &[]);
    let config = dir.join("palisade.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let moved = text
        .replace("region = \"eu-central\"", "region = \"us-east\"")
        .replace("jurisdiction = \"EU\"", "jurisdiction = \"US\"");
    assert_ne!(text, moved);
    std::fs::write(&config, moved).unwrap();
    let mut daemon = crate::demo::demo_serve(&dir, addr.port());
    let cleared = with(&ALICE, &["--data-classes", "pii"]);
    let email = chat("Write to jane.doe@example.org about her invoice.");
    let (status, body) = call(
        &dir,
        addr.port(),
        &cleared,
        "/v1/chat/completions",
        Some(&email),
        &[],
    );
    assert_eq!(status, 403, "{body}");
    assert_eq!(ids(&body), vec!["gdpr-personal-data-in-eu"]);
    let plain = chat("Write a haiku about autumn.");
    let (status, body) = call(
        &dir,
        addr.port(),
        &cleared,
        "/v1/chat/completions",
        Some(&plain),
        &[],
    );
    assert_eq!(status, 200, "{body}");
    let _ = daemon.kill();
    let _ = daemon.wait();
}

#[test]
fn policy_check_and_test_pass_on_the_shipped_set() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    let (status, out, err) = run(&["policy", "check", dir]);
    assert!(status.success(), "{out}{err}");
    assert!(out.contains("hipaa-phi-purpose"), "{out}");
    let (status, out, err) = run(&["policy", "test", dir]);
    assert!(status.success(), "{out}{err}");
    assert!(out.contains(" 0 failed"), "{out}");
}

/// `palisade policy COMMAND DIR`, which must fail: its stdout and stderr.
fn fails(command: &str, dir: &Path) -> String {
    let (status, out, err) = run(&["policy", command, dir.to_str().unwrap()]);
    assert!(!status.success(), "{out}{err}");
    format!("{out}{err}")
}

#[test]
fn bad_policy_directories_are_refused_with_the_place_named() {
    let shipped = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/policies"));
    let tmp = tempfile::tempdir().unwrap();
    let copy = |name: &str| {
        let d = tmp.path().join(name);
        std::fs::create_dir_all(d.join("tests")).unwrap();
        for f in ["palisade.cedarschema", "base.cedar"] {
            std::fs::copy(shipped.join(f), d.join(f)).unwrap();
        }
        d
    };
    // A syntax error: file and line.
    let syntax = copy("syntax");
    std::fs::write(
        syntax.join("x.cedar"),
        "permit (principal,\n  action resource);\n",
    )
    .unwrap();
    let err = fails("check", &syntax);
    assert!(err.contains("x.cedar:2:"), "{err}");
    // A policy that parses but does not validate against the schema.
    let schema = copy("schema");
    std::fs::write(
        schema.join("x.cedar"),
        "permit (principal, action, resource) when { principal.shoe_size > 3 };\n",
    )
    .unwrap();
    let err = fails("check", &schema);
    assert!(
        err.contains("x.cedar:1:") && err.contains("does not validate"),
        "{err}"
    );
    // No policies at all: everything would be denied, and it says so.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::copy(
        shipped.join("palisade.cedarschema"),
        empty.join("palisade.cedarschema"),
    )
    .unwrap();
    let err = fails("check", &empty);
    assert!(err.contains("every request would be denied"), "{err}");
    // No schema.
    let none = tmp.path().join("none");
    std::fs::create_dir_all(&none).unwrap();
    let err = fails("check", &none);
    assert!(err.contains("no schema"), "{err}");
    // A case whose expectation is wrong fails `policy test`, naming it.
    let wrong = copy("wrong");
    std::fs::write(
        wrong.join("tests/t.toml"),
        "[[case]]\nname = \"expects the wrong thing\"\nprincipal = { roles = [\"inference\"] }\ndecision = \"deny\"\n",
    )
    .unwrap();
    let out = fails("test", &wrong);
    assert!(
        out.contains("FAIL") && out.contains("expects the wrong thing"),
        "{out}"
    );
    // A malformed case is an error, not a pass.
    std::fs::write(
        wrong.join("tests/t.toml"),
        "[[case]]\nname = \"typo\"\ncontext = { data_classes = [\"pi\"] }\ndecision = \"deny\"\n",
    )
    .unwrap();
    let err = fails("test", &wrong);
    assert!(err.contains("unknown data class \"pi\""), "{err}");
}

#[test]
fn pii_scan_prints_categories_and_offsets_never_values() {
    let text =
        "Call +44 20 7946 0958 or mail a.b@example.org; SSN 078-05-1120; card 4111 1111 1111 1112.";
    let mut child = Command::new(BIN)
        .args(["pii", "scan"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let found: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let cats: Vec<&str> = found
        .iter()
        .map(|f| f["category"].as_str().unwrap())
        .collect();
    assert_eq!(cats, vec!["phone", "email", "ssn"], "{stdout}");
    for f in &found {
        let (s, e) = (
            f["start"].as_u64().unwrap() as usize,
            f["end"].as_u64().unwrap() as usize,
        );
        assert!(!stdout.contains(&text[s..e]), "a value leaked: {stdout}");
        assert_eq!(f.as_object().unwrap().len(), 3);
    }
    assert_eq!(
        &text[found[2]["start"].as_u64().unwrap() as usize
            ..found[2]["end"].as_u64().unwrap() as usize],
        "078-05-1120"
    );
    // Not UTF-8: a clear error.
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.txt");
    std::fs::write(&bad, b"ok \xff\xfe").unwrap();
    let (status, _, err) = run(&["pii", "scan", bad.to_str().unwrap()]);
    assert!(!status.success());
    assert!(
        err.contains("not UTF-8") && err.contains("offset 3"),
        "{err}"
    );
}

/// A megabyte of near-miss card numbers (Luhn fails): no findings.
#[test]
fn near_miss_card_numbers_are_not_reported() {
    let detector = palisade::pii::Detector::new().unwrap();
    let mut text = String::new();
    let mut n: u64 = 4_000_000_000_000_000;
    while text.len() < 1 << 20 {
        // Make the Luhn check fail: bump the last digit until it does.
        let mut candidate = n;
        loop {
            let digits: Vec<u32> = candidate
                .to_string()
                .chars()
                .map(|c| c.to_digit(10).unwrap())
                .collect();
            if !palisade::pii::luhn_valid(&digits) {
                break;
            }
            candidate += 1;
        }
        let s = candidate.to_string();
        text.push_str(&format!(
            "{} {} {} {} ",
            &s[0..4],
            &s[4..8],
            &s[8..12],
            &s[12..16]
        ));
        n += 7_919;
    }
    assert_eq!(detector.scan(&text), vec![]);
}

/// The corpus directory and a detector with its name dictionary.
fn corpus_detector() -> (&'static Path, palisade::pii::Detector) {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pii"));
    let names: Vec<String> = std::fs::read_to_string(root.join("names.txt"))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    (root, palisade::pii::Detector::with_names(&names).unwrap())
}

/// Precision and recall per category on the annotated corpus (printed;
/// recorded in docs/benchmarks.md, with each file's first run on text the
/// detector had not seen). Every file has since been used to fix the
/// detector; the goal (95 % precision and recall for every category) is
/// asserted on the six later files, written by writers who never saw the
/// detector, so a change that breaks one of their formats fails here.
/// `heldout.txt` (record numbers listed after a first labelled one) and
/// `dev.txt` are printed.
#[test]
fn detection_precision_and_recall_on_the_corpus() {
    let (root, detector) = corpus_detector();
    for file in [
        "dev.txt",
        "heldout.txt",
        "fresh.txt",
        "fresh2.txt",
        "fresh3.txt",
        "fresh4.txt",
        "fresh5.txt",
        "fresh6.txt",
        "fresh7.txt",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let scores = crate::pii_corpus::score(&detector, &text);
        println!("{file}:");
        crate::pii_corpus::print_scores(&scores);
        let mut below = Vec::new();
        for (category, s) in &scores {
            assert!(s.tp + s.fn_ >= 40, "{file}: too few {category} examples");
            if s.precision() < 0.95 || s.recall() < 0.95 {
                below.push(format!(
                    "{category} ({:.3}/{:.3})",
                    s.precision(),
                    s.recall()
                ));
            }
        }
        assert_eq!(scores.len(), 12, "{file}: every category is scored");
        if file.starts_with("fresh") {
            assert!(below.is_empty(), "{file}: below 95 %: {}", below.join(", "));
        }
    }
}

/// The adversarial corpus (`evasion.txt`, written blind by transforming
/// `dev.txt`'s formats): identifiers disguised with invisible characters,
/// look-alike dashes and spaces, fullwidth forms, dot separators and
/// hyphen line wraps. Every one is found (recall 100 % in every
/// category); precision is printed and held to the corpora's 95 %.
#[test]
fn every_disguised_identifier_in_the_evasion_corpus_is_found() {
    let (root, detector) = corpus_detector();
    let text = std::fs::read_to_string(root.join("evasion.txt")).unwrap();
    let scores = crate::pii_corpus::score(&detector, &text);
    let mut missed = Vec::new();
    crate::pii_corpus::print_scores(&scores);
    for (category, s) in &scores {
        if s.fn_ > 0 || s.precision() < 0.95 {
            missed.push(format!(
                "{category} ({:.3}/{:.3})",
                s.precision(),
                s.recall()
            ));
        }
    }
    assert_eq!(scores.len(), 12, "every category is in the corpus");
    assert!(
        missed.is_empty(),
        "below 100 % recall or 95 % precision: {}",
        missed.join(", ")
    );
}

/// Phone numbers on corpora written blind for issue 22 (defect 11): the
/// shapes people write, extensions glued to the number, numbers after
/// words that are not phone labels, bare digits in a contact context, and
/// hard negatives. `phone-blind.txt` was scored before the fixes and then
/// tuned on (95 % held); `phone-blind2.txt` was written after them and
/// scored once (0.988 / 0.932, its first run, held as a floor). Both first
/// runs are in tests/fixtures/pii/README.md.
#[test]
fn phone_numbers_in_the_blind_phone_corpora() {
    let (root, detector) = corpus_detector();
    for (file, precision, recall) in [
        ("phone-blind.txt", 0.95, 0.95),
        ("phone-blind2.txt", 0.95, 0.93),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let scores = crate::pii_corpus::score(&detector, &text);
        println!("{file}:");
        crate::pii_corpus::print_scores(&scores);
        let phone = scores.get("phone").copied().unwrap_or_default();
        assert!(
            phone.precision() >= precision && phone.recall() >= recall,
            "{file}: phone {:.3}/{:.3}",
            phone.precision(),
            phone.recall()
        );
    }
}
