//! `palisade config check` and start-up refusals: every bad input gets a
//! message naming the key and the file, and all of them are listed at once.

use crate::kit::*;

fn check(pki: &Pki, config: &str) -> (i32, String) {
    let path = pki.write("check.toml", config);
    let (status, stdout, stderr) = run(&["config", "check", path.to_str().unwrap()]);
    (status.code().unwrap(), format!("{stdout}{stderr}"))
}

#[test]
fn a_good_config_checks_out() {
    let pki = Pki::new();
    let (code, out) = check(&pki, &pki.config(free_addr(), ""));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("OK"), "{out}");
}

#[test]
fn unknown_keys_are_named_with_their_path() {
    let pki = Pki::new();
    let config = pki
        .config(free_addr(), "")
        .replace("[tls]\n", "[tls]\nceritficate = \"x.pem\"\n");
    let (code, out) = check(&pki, &config);
    assert_eq!(code, 78, "{out}");
    assert!(out.contains("tls.ceritficate: unknown key"), "{out}");
    assert!(out.contains("expected one of"), "{out}");
}

#[test]
fn wrong_types_are_named_with_their_path() {
    let pki = Pki::new();
    let config = pki
        .config(free_addr(), "")
        .replace("workers = 1", "workers = \"many\"");
    let (code, out) = check(&pki, &config);
    assert_eq!(code, 78, "{out}");
    assert!(out.contains("server.workers: invalid type"), "{out}");
}

#[test]
fn every_problem_is_listed_not_just_the_first() {
    let pki = Pki::new();
    // Key of another certificate, a missing CA file, an unknown section.
    let other = issue_server(&pki.ca, valid());
    pki.write("other.key", &other.key_pem);
    let config = pki
        .config(free_addr(), "[telemetry]\nendpoint = \"x\"\n")
        .replace("key = \"server.key\"", "key = \"other.key\"")
        .replace("client_ca = \"ca.pem\"", "client_ca = \"missing-ca.pem\"");
    let (code, out) = check(&pki, &config);
    assert_eq!(code, 78, "{out}");
    assert!(out.contains("telemetry: unknown key"), "{out}");
    // Structural errors are reported first; fix the section and run again.
    let config = config.replace("[telemetry]\nendpoint = \"x\"\n", "");
    let (code, out) = check(&pki, &config);
    assert_eq!(code, 78, "{out}");
    assert!(out.contains("2 errors"), "{out}");
    assert!(out.contains("tls.key: the private key in"), "{out}");
    assert!(out.contains("does not belong to the certificate"), "{out}");
    assert!(out.contains("tls.client_ca: cannot read"), "{out}");
    assert!(out.contains("missing-ca.pem"), "{out}");
}

#[test]
fn a_missing_certificate_file_is_named() {
    let pki = Pki::new();
    let config = pki
        .config(free_addr(), "")
        .replace("cert = \"server.pem\"", "cert = \"nope.pem\"");
    let (code, out) = check(&pki, &config);
    assert_eq!(code, 78, "{out}");
    assert!(out.contains("tls.cert: cannot read"), "{out}");
    assert!(out.contains("nope.pem"), "{out}");
}

#[test]
fn garbage_in_place_of_a_certificate_or_key_is_named() {
    let pki = Pki::new();
    pki.write("garbage.pem", "this is not a certificate\n");
    let config = pki
        .config(free_addr(), "")
        .replace("cert = \"server.pem\"", "cert = \"garbage.pem\"")
        .replace("key = \"server.key\"", "key = \"garbage.pem\"");
    let (code, out) = check(&pki, &config);
    assert_eq!(code, 78, "{out}");
    assert!(
        out.contains("tls.cert: ") && out.contains("no PEM certificate"),
        "{out}"
    );
    assert!(
        out.contains("tls.key: ") && out.contains("no PEM private key"),
        "{out}"
    );
}

#[test]
fn an_expired_server_certificate_is_refused_by_check_and_serve() {
    let pki = Pki::new();
    let old = issue_server(&pki.ca, expired());
    pki.write("server.pem", &old.cert_pem);
    pki.write("server.key", &old.key_pem);
    let addr = free_addr();
    let (code, out) = check(&pki, &pki.config(addr, ""));
    assert_eq!(code, 78, "{out}");
    assert!(
        out.contains("tls.cert: server certificate") && out.contains("expired on"),
        "{out}"
    );

    let config = pki.write_config(addr, "");
    let mut d = Launch::new(&config, addr).spawn();
    let status = d.wait_exit(std::time::Duration::from_secs(20));
    assert_eq!(status.code(), Some(78), "{}", d.log());
    assert!(d.log().contains("expired on"), "{}", d.log());
}

#[test]
fn a_certificate_expiring_soon_is_a_warning_not_an_error() {
    let pki = Pki::new();
    let soon = issue_server(
        &pki.ca,
        palisade::identity::devpki::Validity::days_from(now(), 5),
    );
    pki.write("server.pem", &soon.cert_pem);
    pki.write("server.key", &soon.key_pem);
    let (code, out) = check(&pki, &pki.config(free_addr(), ""));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning: tls.cert: the server certificate expires on"),
        "{out}"
    );
}

#[test]
fn environment_overrides_apply_and_bad_ones_are_named() {
    let pki = Pki::new();
    let path = pki.write("env.toml", &pki.config(free_addr(), ""));
    let out = std::process::Command::new(BIN)
        .args(["config", "check", path.to_str().unwrap()])
        .env("PALISADE__METRICS__LISTEN", "0.0.0.0:9100")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{text}");
    assert!(
        text.contains("metrics.listen: 0.0.0.0:9100 is not a loopback address"),
        "{text}"
    );

    let out = std::process::Command::new(BIN)
        .args(["config", "check", path.to_str().unwrap()])
        .env("PALISADE__SERVER__DRAIN_TIMOUT", "5s")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{text}");
    assert!(
        text.contains(
            "environment variable PALISADE__SERVER__DRAIN_TIMOUT: server.drain_timout: unknown key"
        ),
        "{text}"
    );
}

#[test]
fn a_port_in_use_is_named_and_the_daemon_exits() {
    let pki = Pki::new();
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = held.local_addr().unwrap();
    let config = pki.write_config(addr, "");
    let mut d = Launch::new(&config, addr).spawn();
    let status = d.wait_exit(std::time::Duration::from_secs(20));
    assert_eq!(status.code(), Some(1), "{}", d.log());
    assert!(
        d.log().contains(&format!("cannot listen on {addr}")),
        "{}",
        d.log()
    );
    assert!(
        d.log().to_lowercase().contains("address already in use"),
        "{}",
        d.log()
    );
}

#[test]
fn an_unreadable_or_invalid_toml_file_is_named() {
    let (status, _, stderr) = run(&["config", "check", "/nonexistent/palisade.toml"]);
    assert_eq!(status.code(), Some(78));
    assert!(
        stderr.contains("/nonexistent/palisade.toml: cannot read"),
        "{stderr}"
    );
    let pki = Pki::new();
    let (code, out) = check(&pki, "version = 1\n[tls\n");
    assert_eq!(code, 78);
    assert!(out.contains("not valid TOML"), "{out}");
    assert!(out.contains("line 2"), "{out}");
}

/// Policies are part of what `config check` checks: a broken or empty
/// policy directory and an unreadable name dictionary are named; the
/// daemon refuses to start on the same config (exit 78).
#[test]
fn policy_directories_and_name_dictionaries_are_checked() {
    let pki = Pki::new();
    let dir = pki.path("policies");
    std::fs::create_dir_all(&dir).unwrap();
    let shipped = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/policies"));
    std::fs::copy(
        shipped.join("palisade.cedarschema"),
        dir.join("palisade.cedarschema"),
    )
    .unwrap();
    let config = pki.config(
        free_addr(),
        "[policy]\ndir = \"policies\"\nnames = \"missing-names.txt\"\n",
    );
    let (code, out) = check(&pki, &config);
    assert_eq!(code, 78, "{out}");
    assert!(out.contains("every request would be denied"), "{out}");
    assert!(
        out.contains("policy.names") && out.contains("missing-names.txt"),
        "{out}"
    );
    std::fs::write(
        dir.join("bad.cedar"),
        "forbid (principal, action, resource)\n",
    )
    .unwrap();
    let config = pki.config(free_addr(), "[policy]\ndir = \"policies\"\n");
    let (code, out) = check(&pki, &config);
    assert_eq!(code, 78, "{out}");
    assert!(
        out.contains("policy.dir") && out.contains("bad.cedar:"),
        "{out}"
    );
    let path = pki.write("serve.toml", &config);
    let (status, _, err) = run(&["serve", "--config", path.to_str().unwrap()]);
    assert_eq!(status.code(), Some(78), "{err}");
    assert!(err.contains("bad.cedar"), "{err}");
    // The shipped set, written by `demo init`, checks out.
    std::fs::remove_dir_all(&dir).unwrap();
    palisade::policy::write_shipped(&dir).unwrap();
    let (code, out) = check(&pki, &config);
    assert_eq!(code, 0, "{out}");
}

/// `audit.max_store_mib` caps a SQLite store only: on PostgreSQL, or at 0,
/// `config check` names the key.
#[test]
fn a_store_size_cap_is_checked() {
    let pki = Pki::new();
    let with_cap = |store: &str, mib: u64| {
        pki.config(free_addr(), "").replace(
            "store = \"sqlite:audit/audit.db\"",
            &format!("store = \"{store}\"\nmax_store_mib = {mib}"),
        )
    };
    let (code, out) = check(&pki, &with_cap("sqlite:audit/audit.db", 512));
    assert_eq!(code, 0, "{out}");
    let (code, out) = check(&pki, &with_cap("sqlite:audit/audit.db", 0));
    assert_eq!(code, 78, "{out}");
    assert!(
        out.contains("audit.max_store_mib: must be at least 1"),
        "{out}"
    );
    let (code, out) = check(
        &pki,
        &with_cap("postgres://postgres@127.0.0.1:5432/test", 512),
    );
    assert_eq!(code, 78, "{out}");
    assert!(
        out.contains("audit.max_store_mib") && out.contains("SQLite store only"),
        "{out}"
    );
}
