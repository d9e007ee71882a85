//! What a compliance officer and a DPO do, through the CLI and the admin
//! API: signed reports for each regulation, a report over a tampered log,
//! data-subject access by name, exports that carry every compliance field.

use std::path::Path;

use base64::Engine;
use serde_json::{Value, json};

use crate::kit::*;
use crate::serving::{Served, chat};

fn model_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/llama4-tiny")
        .display()
        .to_string()
}

fn config_of(s: &Served) -> String {
    s.pki.path("palisade.toml").display().to_string()
}

/// A node in the EU that served one request with an e-mail address in it
/// (alice, cleared for personal data), refused the same request to frank
/// (no clearance: policy), three bad tokens and one missing role.
fn served_and_stopped() -> Served {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki
        .config(
            addr,
            &format!(
                "[model]\npath = \"{}\"\nid = \"llama4-tiny\"\ndtype = \"f32\"\n",
                model_dir()
            ),
        )
        .replace(
            "version = 1\n",
            "version = 1\n[node]\nid = \"eu-node\"\nregion = \"eu-central\"\njurisdiction = \"EU\"\n",
        );
    let path = pki.write("palisade.toml", &config);
    let daemon = Launch::new(&path, addr).start(&pki);
    let mut claims = pki.claims("alice", &["inference", "metrics"]);
    claims["data_classes"] = json!(["pii"]);
    let token = pki.signer.sign(&claims).unwrap();
    let s = Served {
        pki,
        daemon,
        addr,
        token,
    };
    let body = json!({"model": "llama4-tiny", "max_tokens": 2,
                      "messages": [{"role": "user", "content": "write to bob@example.com please"}]});
    let r = chat(&s, body.clone());
    assert_eq!(r.status, 200, "{}", r.body);
    let frank = s.pki.token("frank", &["inference"]);
    let r = post_json(
        s.addr,
        &s.pki,
        &frank,
        "/v1/chat/completions",
        &body.to_string(),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    for _ in 0..3 {
        assert_eq!(
            s.daemon.get_with_token(&s.pki, "/whoami", "garbage").status,
            401
        );
    }
    let no_role = s.pki.token("carol", &["inference"]);
    assert_eq!(
        s.daemon.get_with_token(&s.pki, "/metrics", &no_role).status,
        403
    );
    s
}

fn report(config: &str, out: &Path, extra: &[&str]) -> (bool, String) {
    let mut args = vec![
        "audit",
        "report",
        "--config",
        config,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (status, stdout, stderr) = run(&args);
    (status.success(), format!("{stdout}{stderr}"))
}

/// `palisade subject access` for `subject` at the test issuer.
fn access(config: &str, subject: &str, out: &Path) -> (std::process::ExitStatus, String, String) {
    run(&[
        "subject",
        "access",
        "--config",
        config,
        "--issuer",
        ISSUER,
        "--subject",
        subject,
        "--out",
        out.to_str().unwrap(),
    ])
}

fn verify_report(file: &Path, key: &Path) -> (bool, String) {
    let (status, stdout, stderr) = run(&[
        "audit",
        "verify",
        "--report",
        file.to_str().unwrap(),
        "--public-key",
        key.to_str().unwrap(),
    ]);
    (status.success(), format!("{stdout}{stderr}"))
}

#[test]
fn reports_map_the_verified_trail_to_each_regulation_and_are_signed() {
    let mut s = served_and_stopped();
    s.daemon.signal("TERM");
    s.daemon.wait_exit(std::time::Duration::from_secs(20));
    let config = config_of(&s);
    let key = s.pki.path("audit/checkpoint.key.pub");

    // JSON: the figures, per regulation.
    let figures = |regulation: &str| -> Value {
        let out = s.pki.path(&format!("{regulation}.json"));
        let (ok, text) = report(
            &config,
            &out,
            &["--regulation", regulation, "--format", "json"],
        );
        assert!(ok, "{text}");
        assert!(text.contains("log verification: OK"), "{text}");
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
    };
    let gdpr = figures("gdpr");
    assert_eq!(gdpr["verified"], true);
    assert_eq!(gdpr["regulation"], "gdpr");
    assert_eq!(gdpr["inference_requests"], 1);
    // Alice's request and Frank's refused one each held an address.
    assert_eq!(gdpr["identifier_categories"]["email"], 2, "{gdpr:#}");
    assert_eq!(
        gdpr["refusals_by_reason"]["403 forbidden by clearance-pii"],
        1
    );
    assert_eq!(
        gdpr["refusals_by_reason"]["401 malformed_token"], 3,
        "{gdpr:#}"
    );
    assert_eq!(
        gdpr["refusals_by_reason"]["403 missing_role:metrics"], 1,
        "{gdpr:#}"
    );
    assert_eq!(gdpr["sections"]["transfers"], json!([]));
    assert_eq!(gdpr["sections"]["recipients"], json!(["acme"]));
    assert_eq!(gdpr["sections"]["data_categories"]["identifier: email"], 2);
    let duties: Vec<&str> = gdpr["sections"]["duties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["duty"].as_str().unwrap())
        .collect();
    for article in ["Art. 30(1)(b)", "Art. 30(1)(e), 44", "Art. 15, 17"] {
        assert!(
            duties.iter().any(|d| d.starts_with(article)),
            "{article} in {duties:?}"
        );
    }
    let ai_act = figures("eu-ai-act");
    assert_eq!(ai_act["sections"]["retention"]["meets_legal_minimum"], true);
    assert_eq!(
        ai_act["sections"]["usage_by_model_and_deployer"]["llama4-tiny / acme"], 1,
        "{ai_act:#}"
    );
    assert!(ai_act["sections"]["gaps"].is_array());
    assert!(ai_act["sections"]["incidents"].is_array());
    let hipaa = figures("hipaa");
    let access = hipaa["sections"]["access"].as_array().unwrap();
    assert!(
        access
            .iter()
            .any(|a| a["requests"] == 1 && a["roles"] == json!(["inference", "metrics"])),
        "{access:?}"
    );
    assert!(hipaa["sections"]["after_hours"].is_u64());

    // HTML: self-contained, its headline figures those of the JSON, signed.
    let html_path = s.pki.path("gdpr.html");
    let (ok, text) = report(&config, &html_path, &["--regulation", "gdpr"]);
    assert!(ok, "{text}");
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    assert!(html.contains("<svg"), "charts are inline SVG");
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "nothing fetched"
    );
    assert!(!html.contains("NOT VERIFIED"));
    assert!(
        html.contains("<dd id=\"inference_requests\" data-figure=\"inference_requests\">1</dd>"),
        "{html}"
    );
    assert!(
        !html.contains("alice") && !html.contains("bob@example.com"),
        "no identifiers"
    );
    let (ok, text) = verify_report(&html_path, &key);
    assert!(ok, "{text}");
    assert!(text.contains("is the gdpr html report of log"), "{text}");
    // One byte changed: the signature no longer covers it.
    std::fs::write(&html_path, html.replacen(">1</dd>", ">2</dd>", 1)).unwrap();
    let (ok, text) = verify_report(&html_path, &key);
    assert!(
        !ok && text.contains("the report is not the one signed"),
        "{text}"
    );

    // A selection is stated in the title and headline and signed.
    let acme = s.pki.path("acme.md");
    let (ok, text) = report(&config, &acme, &["--format", "md", "--tenant", "acme"]);
    assert!(ok, "{text}");
    let md = std::fs::read_to_string(&acme).unwrap();
    assert!(md.contains("(selected records only: tenant=acme)"), "{md}");
    let (ok, text) = verify_report(&acme, &key);
    assert!(ok && text.contains("over tenant=acme"), "{text}");

    // Integrity: a later report shows the log only grew since this one.
    let first = s.pki.path("integrity-1.md");
    let (ok, text) = report(
        &config,
        &first,
        &["--regulation", "integrity", "--format", "md"],
    );
    assert!(ok, "{text}");
    let since = format!("{}.sig", first.display());
    let later = s.pki.path("integrity-2.json");
    let (ok, text) = report(
        &config,
        &later,
        &[
            "--regulation",
            "integrity",
            "--format",
            "json",
            "--since-checkpoint",
            &since,
        ],
    );
    assert!(ok, "{text}");
    let later: Value = serde_json::from_str(&std::fs::read_to_string(&later).unwrap()).unwrap();
    assert_eq!(
        later["sections"]["consistent_with_previous"], true,
        "{later:#}"
    );

    // Bad input is named.
    let (ok, text) = report(&config, &s.pki.path("x"), &["--format", "csv"]);
    assert!(
        !ok && text.contains("unknown report format \"csv\"; use html, json or markdown"),
        "{text}"
    );
    let (ok, text) = report(&config, &s.pki.path("x"), &["--regulation", "sox"]);
    assert!(
        !ok && text.contains("unknown regulation \"sox\"; use eu-ai-act, gdpr, hipaa or integrity"),
        "{text}"
    );
    let (status, out, err) = run(&["audit", "verify", "--config", &config]);
    assert!(
        status.success(),
        "every report is recorded and the log verifies: {out}{err}"
    );
}

#[test]
fn a_report_over_a_tampered_log_says_so_first_in_red() {
    let mut s = served_and_stopped();
    s.daemon.signal("TERM");
    s.daemon.wait_exit(std::time::Duration::from_secs(20));
    let config = config_of(&s);
    // Edit one refusal's reason in the database, as someone hiding it would.
    let db = s.pki.path("audit/audit.db");
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); \
             n=c.execute(\"UPDATE audit_records SET record=replace(record,'malformed_token','expired_token') WHERE log_index=(SELECT min(log_index) FROM audit_records WHERE record LIKE '%malformed_token%')\").rowcount; \
             c.commit(); sys.exit(0 if n==1 else 1)",
            db.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success(), "the record was edited");
    let out = s.pki.path("tampered.html");
    let (ok, text) = report(&config, &out, &["--regulation", "eu-ai-act"]);
    assert!(!ok, "exit 1 over a log that does not verify: {text}");
    assert!(
        text.contains("the log does not verify; the report was written"),
        "{text}"
    );
    let html = std::fs::read_to_string(&out).unwrap();
    let body = html.split("<body>\n").nth(1).unwrap();
    assert!(
        body.starts_with("<p class=\"failed\" id=\"not-verified\">NOT VERIFIED"),
        "{body}"
    );
    assert!(html.contains("<title>NOT VERIFIED: EU AI Act"), "{html}");
    assert!(html.contains(".failed{color:#b00020"), "in red");
    let json_out = s.pki.path("tampered.json");
    let (ok, _) = report(&config, &json_out, &["--format", "json"]);
    assert!(!ok);
    let figures: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap()).unwrap();
    assert_eq!(figures["verified"], false);
    assert!(
        figures["verification"]
            .as_str()
            .unwrap()
            .starts_with("FAILED: log index"),
        "{figures:#}"
    );
}

#[test]
fn a_person_is_found_by_name_and_handed_their_records() {
    let mut s = served_and_stopped();
    // The admin API's report, as an auditor fetches it.
    let auditor = s.pki.token("dana", &["auditor"]);
    let r = s.daemon.get_with_token(
        &s.pki,
        "/admin/v1/audit/report?regulation=hipaa&format=json",
        &auditor,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("palisade-report-verified"), Some("true"));
    let sig = base64::engine::general_purpose::STANDARD
        .decode(r.header("palisade-report-signature").unwrap())
        .unwrap();
    let file = s.pki.path("api-report.json");
    std::fs::write(&file, &r.body).unwrap();
    std::fs::write(s.pki.path("api-report.json.sig"), sig).unwrap();
    let (ok, text) = verify_report(&file, &s.pki.path("audit/checkpoint.key.pub"));
    assert!(ok, "{text}");
    assert_eq!(r.json()["regulation"], "hipaa");
    let user = s.pki.token("erin", &["inference"]);
    assert_eq!(
        s.daemon
            .get_with_token(&s.pki, "/admin/v1/audit/report", &user)
            .status,
        403,
        "reports are for auditors"
    );
    let r = s
        .daemon
        .get_with_token(&s.pki, "/admin/v1/audit/report?format=pdf", &auditor);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["param"], "format", "{}", r.body);
    s.daemon.signal("TERM");
    s.daemon.wait_exit(std::time::Duration::from_secs(20));
    let config = config_of(&s);

    // A name where a pseudonym is expected finds nothing, and says why.
    let csv = s.pki.path("alice.csv");
    let (status, out, err) = run(&[
        "audit",
        "export",
        "--config",
        &config,
        "--format",
        "csv",
        "--subject",
        "alice",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(status.success(), "{err}");
    assert!(
        out.contains("exported 0 records") && out.contains("give --user SUB --issuer ISS"),
        "{out}"
    );
    // By name and issuer, the node computes the pseudonym.
    let (status, out, err) = run(&[
        "audit",
        "export",
        "--config",
        &config,
        "--format",
        "csv",
        "--user",
        "alice",
        "--issuer",
        ISSUER,
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(status.success(), "{err}");
    assert!(
        out.contains("exported 3 records"),
        "accepted, completed, counted toward monthly active users: {out}"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let header = text.lines().next().unwrap();
    for column in [
        "decision",
        "policy_ids",
        "data_classification",
        "identifier_categories",
        "purpose",
        "trace_id",
        "weights_digest",
        "request_id",
    ] {
        assert!(
            header.split(',').any(|c| c == column),
            "{column} in {header}"
        );
    }
    assert!(
        text.contains(",email,") || text.contains(",email;"),
        "{text}"
    );

    // Data-subject access: every record, a bundle that verifies, a summary.
    let dir = s.pki.path("alice-access");
    let (status, out, err) = access(&config, "alice", &dir);
    assert!(status.success(), "{out}{err}");
    assert!(out.contains("3 records about this person"), "{out}");
    let (status, out, err) = run(&[
        "audit",
        "verify",
        "--bundle",
        dir.join("records.jsonl.bundle.json").to_str().unwrap(),
        "--public-key",
        s.pki.path("audit/checkpoint.key.pub").to_str().unwrap(),
        "--export",
        dir.join("records.jsonl").to_str().unwrap(),
    ]);
    assert!(status.success(), "{out}{err}");
    let summary = std::fs::read_to_string(dir.join("summary.html")).unwrap();
    assert!(
        summary.contains("<dd id=\"records\" data-figure=\"records\">3</dd>"),
        "{summary}"
    );
    assert!(
        summary.contains("inference_accepted") && summary.contains("email"),
        "{summary}"
    );
    // Someone the node never saw: nothing held, said plainly.
    let nobody = s.pki.path("nobody");
    let (status, out, _) = access(&config, "nobody", &nobody);
    assert!(status.success());
    assert!(out.contains("no record names this person"), "{out}");
    assert!(
        std::fs::read_to_string(nobody.join("summary.html"))
            .unwrap()
            .contains("The trail holds no record about this person.")
    );
    // Nothing is overwritten.
    let (status, _, err) = access(&config, "alice", &dir);
    assert!(
        !status.success() && err.contains("is not an empty directory"),
        "{err}"
    );
    // Each access is in the trail, without the person's name or pseudonym.
    let jsonl = s.pki.path("all.jsonl");
    let (status, _, err) = run(&[
        "audit",
        "export",
        "--config",
        &config,
        "--event-type",
        "admin_action",
        "--out",
        jsonl.to_str().unwrap(),
    ]);
    assert!(status.success(), "{err}");
    let actions = std::fs::read_to_string(&jsonl).unwrap();
    assert_eq!(
        actions.matches("palisade subject access").count(),
        2,
        "{actions}"
    );
    assert!(!actions.contains("alice"), "{actions}");
}

/// Loads `page` in headless Chromium (Debian's `chromium`, installed by
/// `.ci/run`): the DOM after load, and every console message it logged.
fn chromium(page: &Path) -> (String, Vec<String>) {
    let out = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs (apt-get install chromium; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains("CONSOLE"))
        .map(str::to_owned)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

/// The text of the element whose `data-figure` is `name`, in a DOM.
fn figure(dom: &str, name: &str) -> String {
    let marker = format!("data-figure=\"{name}\"");
    let rest = dom
        .split(&marker)
        .nth(1)
        .unwrap_or_else(|| panic!("no {name} in {dom}"));
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find('<').unwrap();
    rest[start..end].to_owned()
}

#[test]
fn every_report_renders_in_a_browser_with_the_figures_of_its_json() {
    let mut s = served_and_stopped();
    s.daemon.signal("TERM");
    s.daemon.wait_exit(std::time::Duration::from_secs(20));
    let config = config_of(&s);
    // Bounded before the reports, whose own records would otherwise make
    // the second of two reports count one more.
    let to = now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    for regulation in ["eu-ai-act", "gdpr", "hipaa", "integrity"] {
        let html = s.pki.path(&format!("{regulation}.html"));
        let json = s.pki.path(&format!("{regulation}.json"));
        let (ok, text) = report(&config, &html, &["--regulation", regulation, "--to", &to]);
        assert!(ok, "{text}");
        let (ok, text) = report(
            &config,
            &json,
            &["--regulation", regulation, "--to", &to, "--format", "json"],
        );
        assert!(ok, "{text}");
        let figures: Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let (dom, console) = chromium(&html);
        assert!(
            console.is_empty(),
            "{regulation}: console messages {console:?}"
        );
        assert!(
            dom.contains("<svg"),
            "{regulation}: the charts are in the page"
        );
        for name in ["records", "inference_requests", "refusals", "subjects"] {
            assert_eq!(
                figure(&dom, name),
                figures[name].to_string(),
                "{regulation}: {name}"
            );
        }
        assert!(
            figure(&dom, "verification").starts_with("OK: "),
            "{regulation}"
        );
        // Each report names the checkpoint it was computed against; the
        // JSON's is the next one (the HTML report's own record is in it).
        assert!(
            figure(&dom, "checkpoint").starts_with("size "),
            "{regulation}"
        );
    }
}
