//! What `packaging/` ships: the example config parses, every key in it is
//! documented, and the systemd units pass `systemd-analyze verify`.

use std::path::Path;

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn the_example_config_parses_and_every_key_is_documented() {
    let config = palisade::config::Config::load_with_env(&repo("packaging/palisade.toml"), [])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        config.tls.require_client_cert,
        "the example ships the safe default"
    );
    let docs = std::fs::read_to_string(repo("docs/configuration.md")).unwrap();
    let text = std::fs::read_to_string(repo("packaging/palisade.toml")).unwrap();
    let table: toml::Table = text.parse().unwrap();
    let mut keys = Vec::new();
    leaf_keys("", &toml::Value::Table(table), &mut keys);
    // Commented-out keys are documented too.
    let mut section = String::new();
    for line in text.lines() {
        if line.starts_with('[') {
            section = line.trim_matches(|c| c == '[' || c == ']').to_owned();
        } else if let Some(rest) = line.strip_prefix("# ")
            && let Some((k, _)) = rest.split_once(" = ")
            && !k.contains(' ')
            && !k.starts_with('"')
        {
            keys.push(format!("{section}.{k}"));
        } else if let Some(rest) = line.strip_prefix("#   ")
            && let Some((k, _)) = rest.split_once(" = ")
        {
            // Keys shown for another section name it in the comment above.
            keys.push(format!("tls.{k}"));
        }
    }
    assert!(keys.len() >= 30, "{keys:?}");
    for key in keys {
        assert!(
            docs.contains(&format!("| `{key}` |")),
            "{key} is not documented in docs/configuration.md"
        );
    }
}

#[test]
fn the_systemd_units_verify() {
    let dir = tempfile::tempdir().unwrap();
    let unit = std::fs::read_to_string(repo("packaging/systemd/palisade.service"))
        .unwrap()
        .replace("/usr/bin/palisade", crate::kit::BIN);
    std::fs::write(dir.path().join("palisade.service"), unit).unwrap();
    std::fs::copy(
        repo("packaging/systemd/palisade.socket"),
        dir.path().join("palisade.socket"),
    )
    .unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .args([
            "verify",
            "--man=no",
            "./palisade.service",
            "./palisade.socket",
        ])
        .current_dir(dir.path())
        .output()
        .expect("systemd-analyze is needed for this test (Debian package systemd)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.trim().is_empty(),
        "systemd-analyze complained:\n{stderr}"
    );
}

/// Dotted paths of every leaf; arrays of tables use the array's path.
fn leaf_keys(prefix: &str, value: &toml::Value, out: &mut Vec<String>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match value {
        toml::Value::Table(t) if t.is_empty() => {}
        toml::Value::Table(t) => t.iter().for_each(|(k, v)| leaf_keys(&join(k), v, out)),
        toml::Value::Array(items)
            if items.iter().all(toml::Value::is_table) && !items.is_empty() =>
        {
            items.iter().for_each(|v| leaf_keys(prefix, v, out))
        }
        _ => out.push(prefix.to_owned()),
    }
}
