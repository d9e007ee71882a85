//! The audit trail's keys: the Ed25519 checkpoint signing key and the HMAC
//! key that turns subjects into pseudonyms. Both are created on first use
//! (mode 0600) and never leave the node; the checkpoint verifier key is
//! written beside the signing key as `<file>.pub` for auditors.

use std::path::{Path, PathBuf};

use super::checkpoint::{CheckpointError, CheckpointSigner};

/// Writes a new file with `mode` and syncs it; an existing file is an
/// error, never overwritten.
pub fn write_new(path: &Path, contents: &[u8], mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

/// A key file problem.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing the file failed.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What happened.
        message: String,
    },
    /// The key in the file is not usable.
    #[error("{path}: {source}")]
    Bad {
        /// The file.
        path: PathBuf,
        /// Why.
        source: CheckpointError,
    },
}

fn file_err(path: &Path, message: impl ToString) -> KeyError {
    KeyError::File {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// The path of the verifier key written beside a signing key.
pub fn public_key_path(signing_key: &Path) -> PathBuf {
    let mut name = signing_key.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Loads the checkpoint signing key at `path`, creating it (named `name`)
/// if the file does not exist. Returns the signer and whether it was created.
pub fn load_or_create_signer(
    path: &Path,
    name: &str,
) -> Result<(CheckpointSigner, bool), KeyError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let signer =
                CheckpointSigner::from_private_key(&text).map_err(|source| KeyError::Bad {
                    path: path.to_path_buf(),
                    source,
                })?;
            Ok((signer, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (signer, private) =
                CheckpointSigner::generate(name).map_err(|source| KeyError::Bad {
                    path: path.to_path_buf(),
                    source,
                })?;
            write_new(path, format!("{private}\n").as_bytes(), 0o600)
                .map_err(|e| file_err(path, e))?;
            let public = public_key_path(path);
            // An old verifier key beside a new signing key would mislead.
            let _ = std::fs::remove_file(&public);
            write_new(
                &public,
                format!("{}\n", signer.verifier_key()).as_bytes(),
                0o644,
            )
            .map_err(|e| file_err(&public, e))?;
            Ok((signer, true))
        }
        Err(e) => Err(file_err(path, e)),
    }
}

/// Reads the checkpoint signing key at `path` without creating it (the
/// daemon creates it on first start).
pub fn read_signer(path: &Path) -> Result<CheckpointSigner, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        file_err(
            path,
            format!("cannot read the signing key ({e}); start the daemon once to create it"),
        )
    })?;
    CheckpointSigner::from_private_key(&text).map_err(|source| KeyError::Bad {
        path: path.to_path_buf(),
        source,
    })
}

/// Loads the pseudonym HMAC key at `path` (64 hex characters), creating
/// it if the file does not exist.
pub fn load_or_create_pseudonym_key(path: &Path) -> Result<Vec<u8>, KeyError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let text = text.trim();
            if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(file_err(path, "not a 256-bit key in hex (64 characters)"));
            }
            Ok((0..64)
                .step_by(2)
                .filter_map(|i| {
                    text.get(i..i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                })
                .collect())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            aws_lc_rs::rand::fill(&mut key).map_err(|_| file_err(path, "no randomness"))?;
            write_new(path, format!("{}\n", hex::encode(key)).as_bytes(), 0o600)
                .map_err(|e| file_err(path, e))?;
            Ok(key.to_vec())
        }
        Err(e) => Err(file_err(path, e)),
    }
}

/// Reads the pseudonym HMAC key at `path` without creating it: a command
/// that looks a person up must not answer "nothing held" because it made
/// itself a new key.
pub fn read_pseudonym_key(path: &Path) -> Result<Vec<u8>, KeyError> {
    if !path.exists() {
        return Err(file_err(
            path,
            "the pseudonym key does not exist (the daemon creates it on first start); without the key that made the records, no person can be found in them",
        ));
    }
    load_or_create_pseudonym_key(path)
}

/// The pseudonym of a value under `key`: hex HMAC-SHA256, so the log holds
/// no direct identifier and the same subject always maps to the same value.
pub fn pseudonym(key: &[u8], parts: &[&str]) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    let mut ctx = aws_lc_rs::hmac::Context::with_key(&key);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            ctx.update(&[0]);
        }
        ctx.update(p.as_bytes());
    }
    hex::encode(ctx.sign())
}
