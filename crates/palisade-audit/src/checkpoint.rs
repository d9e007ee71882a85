//! Signed checkpoints of the audit log, in the C2SP `tlog-checkpoint`
//! format, signed as a C2SP `signed-note` with Ed25519 (so that existing
//! transparency-log tooling and witnesses can read them):
//!
//! ```text
//! <origin>
//! <tree size, decimal>
//! <root hash, base64>
//!
//! — <key name> <base64(key id || Ed25519 signature)>
//! ```
//!
//! The key id is the first 4 bytes of SHA-256(key name || "\n" || 0x01 ||
//! public key). Keys are written the way the Go `note` package writes them:
//! `PRIVATE+KEY+<name>+<id hex>+<base64(0x01 || seed)>` and
//! `<name>+<id hex>+<base64(0x01 || public key)>`.

use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::merkle::Hash;

/// The signature line prefix: an em dash and a space.
const SIG_PREFIX: &str = "\u{2014} ";
/// Signature type byte of Ed25519 in the note format.
const ALG_ED25519: u8 = 0x01;

/// What a checkpoint commits to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin (Palisade: the node id prefixed by the log name).
    pub origin: String,
    /// Number of records in the tree.
    pub size: u64,
    /// The tree's root hash.
    pub root: Hash,
}

/// Why a key or a checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// A key string does not parse.
    #[error("bad key: {0}")]
    BadKey(String),
    /// The note is not a well-formed signed checkpoint.
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    /// No signature by the expected key verifies.
    #[error("no valid signature by key {0:?}")]
    NotSigned(String),
}

fn key_id(name: &str, public: &[u8]) -> [u8; 4] {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    ctx.update(name.as_bytes());
    ctx.update(b"\n");
    ctx.update(&[ALG_ED25519]);
    ctx.update(public);
    let d = ctx.finish();
    let mut id = [0u8; 4];
    id.copy_from_slice(d.as_ref().get(..4).unwrap_or(&[0; 4]));
    id
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['+', ' ', '\n']) && !name.chars().any(char::is_control)
}

/// Signs checkpoints.
pub struct CheckpointSigner {
    name: String,
    key: Ed25519KeyPair,
    id: [u8; 4],
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckpointSigner({})", self.verifier_key())
    }
}

impl CheckpointSigner {
    /// A new random key named `name`; returns the signer and its private
    /// key string (to be stored, mode 0600).
    pub fn generate(name: &str) -> Result<(Self, String), CheckpointError> {
        if !valid_name(name) {
            return Err(CheckpointError::BadKey(format!(
                "key name {name:?} must be non-empty without '+', spaces or control characters"
            )));
        }
        let mut seed = [0u8; 32];
        aws_lc_rs::rand::fill(&mut seed)
            .map_err(|_| CheckpointError::BadKey("no randomness".into()))?;
        let signer = Self::from_seed(name, &seed)?;
        let mut encoded = vec![ALG_ED25519];
        encoded.extend_from_slice(&seed);
        let private = format!(
            "PRIVATE+KEY+{name}+{}+{}",
            hex::encode(signer.id),
            STANDARD.encode(encoded)
        );
        Ok((signer, private))
    }

    fn from_seed(name: &str, seed: &[u8]) -> Result<Self, CheckpointError> {
        let key = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|_| CheckpointError::BadKey("not an Ed25519 seed".into()))?;
        let id = key_id(name, key.public_key().as_ref());
        Ok(Self {
            name: name.to_owned(),
            key,
            id,
        })
    }

    /// Reads a `PRIVATE+KEY+...` string.
    pub fn from_private_key(text: &str) -> Result<Self, CheckpointError> {
        let bad = |why: &str| CheckpointError::BadKey(why.to_owned());
        let rest = text
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| bad("a private key starts with PRIVATE+KEY+"))?;
        // The base64 key may itself contain '+'.
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected PRIVATE+KEY+<name>+<id>+<key>"));
        };
        let raw = STANDARD
            .decode(b64)
            .map_err(|_| bad("the key is not base64"))?;
        let seed = match raw.as_slice() {
            [ALG_ED25519, seed @ ..] if seed.len() == 32 => seed,
            _ => return Err(bad("not an Ed25519 key (type 0x01, 32 bytes)")),
        };
        let signer = Self::from_seed(name, seed)?;
        if hex::encode(signer.id) != id_hex {
            return Err(bad("the key id does not match the key"));
        }
        Ok(signer)
    }

    /// The public verifier key string, for auditors.
    pub fn verifier_key(&self) -> String {
        let mut encoded = vec![ALG_ED25519];
        encoded.extend_from_slice(self.key.public_key().as_ref());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.id),
            STANDARD.encode(encoded)
        )
    }

    /// The signed note of `checkpoint`.
    pub fn sign(&self, checkpoint: &Checkpoint) -> String {
        self.sign_note(&body(checkpoint))
    }

    /// A signed note of any text `body` (which must end in a newline and
    /// hold no blank line), so that other signed documents (the MAU report)
    /// check with the same verifier key.
    pub fn sign_note(&self, body: &str) -> String {
        let signature = self.key.sign(body.as_bytes());
        let mut blob = self.id.to_vec();
        blob.extend_from_slice(signature.as_ref());
        format!(
            "{body}\n{SIG_PREFIX}{} {}\n",
            self.name,
            STANDARD.encode(blob)
        )
    }
}

fn body(c: &Checkpoint) -> String {
    format!("{}\n{}\n{}\n", c.origin, c.size, STANDARD.encode(c.root))
}

/// Verifies checkpoints signed by one key.
#[derive(Debug, Clone)]
pub struct CheckpointVerifier {
    name: String,
    id: [u8; 4],
    public: Vec<u8>,
}

impl CheckpointVerifier {
    /// Reads a `<name>+<id>+<key>` verifier key string.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let bad = |why: &str| CheckpointError::BadKey(why.to_owned());
        // The base64 key may itself contain '+'.
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(id_hex), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected <name>+<id>+<key>"));
        };
        if !valid_name(name) {
            return Err(bad("bad key name"));
        }
        let raw = STANDARD
            .decode(b64)
            .map_err(|_| bad("the key is not base64"))?;
        let public = match raw.as_slice() {
            [ALG_ED25519, pk @ ..] if pk.len() == 32 => pk.to_vec(),
            _ => return Err(bad("not an Ed25519 key (type 0x01, 32 bytes)")),
        };
        let id = key_id(name, &public);
        if hex::encode(id) != id_hex {
            return Err(bad("the key id does not match the key"));
        }
        Ok(Self {
            name: name.to_owned(),
            id,
            public,
        })
    }

    /// Checks the note's signature and reads the checkpoint. Signatures by
    /// other keys (witnesses, cosigners) are ignored.
    pub fn open(&self, note: &str) -> Result<Checkpoint, CheckpointError> {
        let malformed = |why: &str| CheckpointError::Malformed(why.to_owned());
        let body = self.open_note(note)?;
        let mut lines = body.lines();
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| malformed("no origin line"))?;
        let size = lines
            .next()
            .and_then(|s| {
                s.parse::<u64>()
                    .ok()
                    .filter(|_| s == "0" || !s.starts_with('0'))
            })
            .ok_or_else(|| malformed("the size line is not a decimal number"))?;
        let root = lines
            .next()
            .and_then(|r| STANDARD.decode(r).ok())
            .and_then(|r| Hash::try_from(r.as_slice()).ok())
            .ok_or_else(|| malformed("the root line is not a base64 SHA-256 hash"))?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// Checks the signature of any signed note by this key and returns its
    /// body (the text before the blank line).
    pub fn open_note<'a>(&self, note: &'a str) -> Result<&'a str, CheckpointError> {
        let malformed = |why: &str| CheckpointError::Malformed(why.to_owned());
        let split = note
            .rfind("\n\n")
            .ok_or_else(|| malformed("no blank line before the signatures"))?;
        let (body, sigs) = note.split_at(split + 1);
        let sigs = sigs.strip_prefix('\n').unwrap_or(sigs);
        if !sigs.ends_with('\n') {
            return Err(malformed("the signature block does not end with a newline"));
        }
        let mut signed = false;
        for line in sigs.lines() {
            let rest = line
                .strip_prefix(SIG_PREFIX)
                .ok_or_else(|| malformed("a signature line does not start with an em dash"))?;
            let (name, b64) = rest
                .split_once(' ')
                .ok_or_else(|| malformed("a signature line has no signature"))?;
            if name != self.name {
                continue;
            }
            let blob = STANDARD
                .decode(b64)
                .map_err(|_| malformed("a signature is not base64"))?;
            let (id, sig) = blob
                .split_at_checked(4)
                .ok_or_else(|| malformed("a signature is too short"))?;
            if id != self.id {
                continue;
            }
            if UnparsedPublicKey::new(&ED25519, &self.public)
                .verify(body.as_bytes(), sig)
                .is_ok()
            {
                signed = true;
            }
        }
        if !signed {
            return Err(CheckpointError::NotSigned(self.name.clone()));
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: "palisade.audit/node-1".into(),
            size: 42,
            root: super::super::merkle::leaf_hash(b"x"),
        }
    }

    #[test]
    fn signed_checkpoints_open_with_the_verifier_key_only() {
        let (signer, private) = CheckpointSigner::generate("palisade-node-1").unwrap();
        let again = CheckpointSigner::from_private_key(&private).unwrap();
        assert_eq!(again.verifier_key(), signer.verifier_key());
        let note = signer.sign(&checkpoint());
        assert!(note.starts_with("palisade.audit/node-1\n42\n"), "{note}");
        assert!(note.contains("\n\n\u{2014} palisade-node-1 "), "{note}");
        let verifier = CheckpointVerifier::parse(&signer.verifier_key()).unwrap();
        assert_eq!(verifier.open(&note).unwrap(), checkpoint());

        // Another key with the same name does not verify.
        let (other, _) = CheckpointSigner::generate("palisade-node-1").unwrap();
        assert!(matches!(
            verifier.open(&other.sign(&checkpoint())),
            Err(CheckpointError::NotSigned(_))
        ));
        // A changed size or root does not verify.
        let forged = note.replacen("\n42\n", "\n43\n", 1);
        assert!(matches!(
            verifier.open(&forged),
            Err(CheckpointError::NotSigned(_))
        ));
        // A witness cosignature is ignored, not an error.
        let (witness, _) = CheckpointSigner::generate("witness").unwrap();
        let cosig = witness.sign(&checkpoint());
        let cosig_line = cosig.lines().last().unwrap();
        let both = format!("{note}{cosig_line}\n");
        assert_eq!(verifier.open(&both).unwrap(), checkpoint());
    }

    #[test]
    fn bad_keys_and_notes_are_named() {
        assert!(CheckpointSigner::from_private_key("PRIVATE+KEY+n+00000000+AQ==").is_err());
        assert!(CheckpointVerifier::parse("name+zz+AQ==").is_err());
        let (signer, _) = CheckpointSigner::generate("k").unwrap();
        let verifier = CheckpointVerifier::parse(&signer.verifier_key()).unwrap();
        assert!(matches!(
            verifier.open("no signatures\n"),
            Err(CheckpointError::Malformed(_))
        ));
        let mut tampered_key = signer.verifier_key();
        tampered_key.replace_range(..1, "j");
        assert!(CheckpointVerifier::parse(&tampered_key).is_err());
    }
}
