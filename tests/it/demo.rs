//! The operator's first five minutes: `palisade demo init`, then `serve`,
//! then curl with the demo client certificate.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::kit::*;

pub(crate) fn curl(dir: &std::path::Path, url: &str) -> std::process::Output {
    let d = |f: &str| dir.join(f).to_str().unwrap().to_owned();
    Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "10",
            "--cacert",
            &d("pki/ca.pem"),
            "--cert",
            &d("pki/client.pem"),
        ])
        .args(["--key", &d("pki/client.key"), url])
        .output()
        .expect("curl is needed for this test")
}

pub(crate) fn wait_for_curl(
    dir: &std::path::Path,
    url: &str,
    child: &mut std::process::Child,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = curl(dir, url);
        if out.status.success() {
            return String::from_utf8_lossy(&out.stdout).into_owned();
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("palisade exited with {status}");
        }
        assert!(
            Instant::now() < deadline,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `palisade serve` of the demo in `dir`, once it answers on `port`.
pub(crate) fn demo_serve(dir: &std::path::Path, port: u16) -> std::process::Child {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--config",
            dir.join("palisade.toml").to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for_curl(
        dir,
        &format!("https://127.0.0.1:{port}/healthz"),
        &mut child,
    );
    child
}

/// `palisade demo init --dir DIR --listen ADDR [extra]`, which must succeed.
pub(crate) fn demo_init(dir: &std::path::Path, addr: std::net::SocketAddr, extra: &[&str]) {
    let mut args = vec!["demo", "init", "--dir", dir.to_str().unwrap()];
    let listen = addr.to_string();
    args.extend(["--listen", listen.as_str()]);
    args.extend_from_slice(extra);
    let (status, stdout, stderr) = run(&args);
    assert!(status.success(), "{stdout}{stderr}");
}

/// A request through curl with the demo's client certificate and a token
/// minted by the demo's issuer with `mint` (the `token mint` flags):
/// status and body text. Without a body, `/admin/v1/reload` is a POST and
/// anything else a GET.
pub(crate) fn demo_request(
    dir: &std::path::Path,
    port: u16,
    mint: &[&str],
    path: &str,
    body: Option<&str>,
    headers: &[&str],
) -> (u16, String) {
    let config = dir.join("palisade.toml");
    let mut args = vec!["token", "mint", "--config", config.to_str().unwrap()];
    args.extend_from_slice(mint);
    let (status, token, err) = run(&args);
    assert!(status.success(), "{err}");
    let d = |f: &str| dir.join(f).to_str().unwrap().to_owned();
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "30", "--cacert", &d("pki/ca.pem")])
        .args([
            "--cert",
            &d("pki/client.pem"),
            "--key",
            &d("pki/client.key"),
        ])
        .args(["-H", &format!("Authorization: Bearer {}", token.trim())])
        .args([
            "-H",
            "Content-Type: application/json",
            "-w",
            "\n%{http_code}",
        ]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    if let Some(b) = body {
        cmd.args(["-d", b]);
    } else if path.starts_with("/admin/v1/reload") {
        cmd.args(["-X", "POST"]);
    }
    let out = cmd
        .arg(format!("https://127.0.0.1:{port}{path}"))
        .output()
        .expect("curl is needed for this test");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (code.trim().parse().unwrap_or(0), body.to_owned())
}

#[test]
fn demo_init_then_serve_answers_curl_with_the_demo_client_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let addr = free_addr();
    let (status, stdout, stderr) = run(&[
        "demo",
        "init",
        "--dir",
        dir.to_str().unwrap(),
        "--listen",
        &addr.to_string(),
    ]);
    assert!(status.success(), "{stdout}{stderr}");
    for f in [
        "palisade.toml",
        "pki/ca.pem",
        "pki/server.pem",
        "pki/server.key",
        "pki/client.pem",
        "pki/client.key",
        "jwt/signing.key",
        "jwt/jwks.json",
        "model/config.json",
        "model/model.safetensors",
        "model/tokenizer.json",
        "model/tokenizer_config.json",
        "model/generation_config.json",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    // The demo model is a working Llama 4 checkpoint.
    let (status, out, err) = run(&[
        "generate",
        "--model",
        dir.join("model").to_str().unwrap(),
        "--prompt",
        "Hello",
        "--max-tokens",
        "4",
    ]);
    assert!(status.success(), "{out}{err}");
    assert!(err.contains("prompt tokens"), "{err}");
    let jwks: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("jwt/jwks.json")).unwrap()).unwrap();
    assert_eq!(jwks["keys"][0]["alg"], "ES256");
    assert_eq!(jwks["keys"][0]["crv"], "P-256");
    let signing = std::fs::read_to_string(dir.join("jwt/signing.key")).unwrap();
    assert!(
        signing.starts_with("-----BEGIN PRIVATE KEY-----"),
        "PKCS#8 PEM"
    );

    // A second init into the same directory refuses to overwrite.
    let (status, _, stderr) = run(&["demo", "init", "--dir", dir.to_str().unwrap()]);
    assert!(!status.success());
    assert!(stderr.contains("is not empty"), "{stderr}");

    let (status, out, err) = run(&[
        "config",
        "check",
        dir.join("palisade.toml").to_str().unwrap(),
    ]);
    assert!(status.success(), "{out}{err}");

    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--config",
            dir.join("palisade.toml").to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let body = wait_for_curl(
        &dir,
        &format!("https://127.0.0.1:{}/healthz", addr.port()),
        &mut child,
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(body, "{\"status\":\"ok\"}");
}

#[test]
fn palisade_demo_initialises_an_empty_dir_serves_it_and_says_how_to_call_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let addr = free_addr();
    let out_path = tmp.path().join("stdout");
    let mut child = Command::new(BIN)
        .args([
            "demo",
            "--dir",
            dir.to_str().unwrap(),
            "--listen",
            &addr.to_string(),
        ])
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let body = wait_for_curl(
        &dir,
        &format!("https://127.0.0.1:{}/healthz", addr.port()),
        &mut child,
    );
    assert_eq!(body, "{\"status\":\"ok\"}");
    let printed = std::fs::read_to_string(&out_path).unwrap();
    assert!(
        printed.contains(&format!("--cert {}/pki/client.pem", dir.display())),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("https://127.0.0.1:{}/healthz", addr.port())),
        "{printed}"
    );
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    assert!(status.success(), "SIGTERM ends the demo cleanly: {status}");
}
