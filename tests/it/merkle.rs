//! The audit log's tree against the RFC 6962 reference vectors (from
//! transparency-dev/merkle, copied into tests/fixtures/rfc6962): every root
//! is reproduced, every `wantErr: false` proof verifies and every
//! `wantErr: true` proof is rejected.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use palisade::audit::merkle;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rfc6962")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn b64(v: &Value) -> Vec<u8> {
    STANDARD
        .decode(v.as_str().unwrap_or_default())
        .unwrap_or_else(|_| b"not base64".to_vec())
}

fn proof(v: &Value) -> Vec<Vec<u8>> {
    v.as_array()
        .map(|a| a.iter().map(b64).collect())
        .unwrap_or_default()
}

#[test]
fn roots_of_the_reference_leaves() {
    let v: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("roots.json")).unwrap()).unwrap();
    let leaves: Vec<merkle::Hash> = v["leaf_inputs_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| merkle::leaf_hash(&hex::decode(h.as_str().unwrap()).unwrap()))
        .collect();
    let roots = v["root_hash_hex_by_tree_size"].as_array().unwrap();
    assert_eq!(roots.len(), leaves.len() + 1);
    let mut compact = merkle::CompactTree::new();
    for (n, want) in roots.iter().enumerate() {
        if n > 0 {
            compact.push(leaves[n - 1]);
        }
        assert_eq!(
            hex::encode(merkle::root(&leaves[..n])),
            want.as_str().unwrap(),
            "size {n}"
        );
        assert_eq!(
            hex::encode(compact.root()),
            want.as_str().unwrap(),
            "compact, size {n}"
        );
    }
}

#[test]
fn every_inclusion_vector() {
    let all = files(&fixtures().join("inclusion"));
    assert!(all.len() > 50, "{}", all.len());
    for path in all {
        let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let result = merkle::verify_inclusion(
            v["leafIdx"].as_u64().unwrap(),
            v["treeSize"].as_u64().unwrap(),
            &b64(&v["leafHash"]),
            &proof(&v["proof"]),
            &b64(&v["root"]),
        );
        let want_err = v["wantErr"].as_bool().unwrap();
        assert_eq!(result.is_err(), want_err, "{}: {result:?}", path.display());
    }
}

#[test]
fn every_consistency_vector() {
    let all = files(&fixtures().join("consistency"));
    assert!(all.len() > 50, "{}", all.len());
    for path in all {
        let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let result = merkle::verify_consistency(
            v["size1"].as_u64().unwrap(),
            v["size2"].as_u64().unwrap(),
            &proof(&v["proof"]),
            &b64(&v["root1"]),
            &b64(&v["root2"]),
        );
        let want_err = v["wantErr"].as_bool().unwrap();
        assert_eq!(result.is_err(), want_err, "{}: {result:?}", path.display());
    }
}

#[test]
fn generated_proofs_equal_the_reference_happy_paths() {
    let v: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("roots.json")).unwrap()).unwrap();
    let leaves: Vec<merkle::Hash> = v["leaf_inputs_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| merkle::leaf_hash(&hex::decode(h.as_str().unwrap()).unwrap()))
        .collect();
    let mut checked = 0;
    for path in files(&fixtures().join("inclusion")) {
        let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let size = v["treeSize"].as_u64().unwrap() as usize;
        if v["wantErr"].as_bool().unwrap()
            || size > leaves.len()
            || b64(&v["root"]) != merkle::root(&leaves[..size])
        {
            continue;
        }
        let index = v["leafIdx"].as_u64().unwrap() as usize;
        let got = merkle::inclusion_proof(&leaves[..size], index).unwrap();
        let want: Vec<Vec<u8>> = proof(&v["proof"]);
        assert_eq!(
            got.iter().map(|h| h.to_vec()).collect::<Vec<_>>(),
            want,
            "{}",
            path.display()
        );
        checked += 1;
    }
    for path in files(&fixtures().join("consistency")) {
        let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let (m, n) = (
            v["size1"].as_u64().unwrap() as usize,
            v["size2"].as_u64().unwrap() as usize,
        );
        if v["wantErr"].as_bool().unwrap()
            || m == 0
            || n > leaves.len()
            || b64(&v["root2"]) != merkle::root(&leaves[..n])
        {
            continue;
        }
        let got = merkle::consistency_proof(&leaves[..n], m).unwrap();
        assert_eq!(
            got.iter().map(|h| h.to_vec()).collect::<Vec<_>>(),
            proof(&v["proof"]),
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert!(
        checked >= 4,
        "only {checked} happy paths over the reference leaves"
    );
}
