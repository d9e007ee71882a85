//! The audit log's Merkle tree, as RFC 6962 section 2.1 / RFC 9162 section
//! 2.1 define it: SHA-256, leaf hash `H(0x00 || data)`, node hash
//! `H(0x01 || left || right)`, the empty tree's hash `H()`. Proof
//! verification follows RFC 9162 2.1.3.2 (inclusion) and 2.1.4.2
//! (consistency), strictly: a proof of the wrong length, a hash of the
//! wrong size or an index out of range is an error, never a pass.

use std::fmt;

/// A SHA-256 hash.
pub type Hash = [u8; 32];

fn sha256(parts: &[&[u8]]) -> Hash {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for p in parts {
        ctx.update(p);
    }
    let digest = ctx.finish();
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// The hash of the empty tree.
pub fn empty_root() -> Hash {
    sha256(&[])
}

/// `H(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    sha256(&[&[0x00], data])
}

/// `H(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    sha256(&[&[0x01], left, right])
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// Index.
        index: u64,
        /// Size.
        size: u64,
    },
    /// The proof has the wrong number of hashes.
    #[error("the proof has {got} hashes; a proof for these sizes has {want}")]
    WrongLength {
        /// Hashes given.
        got: usize,
        /// Hashes needed.
        want: usize,
    },
    /// A hash is not 32 bytes.
    #[error("a hash in the proof is {0} bytes, not 32")]
    BadHash(usize),
    /// The recomputed root differs.
    #[error("the proof leads to root {computed}, not {expected}")]
    RootMismatch {
        /// What the proof gives.
        computed: String,
        /// What was claimed.
        expected: String,
    },
    /// The sizes cannot be related by a consistency proof.
    #[error("{0}")]
    BadSizes(String),
}

fn to_hash(bytes: &[u8]) -> Result<Hash, ProofError> {
    bytes
        .try_into()
        .map_err(|_| ProofError::BadHash(bytes.len()))
}

/// Largest power of two strictly below `n` (n >= 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// The Merkle tree hash of leaf hashes `leaves` (RFC 6962 MTH).
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [one] => *one,
        _ => {
            let (l, r) = leaves.split_at(split(leaves.len()));
            node_hash(&root(l), &root(r))
        }
    }
}

/// The audit path of leaf `index` in the tree of `leaves` (RFC 6962 PATH).
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Result<Vec<Hash>, ProofError> {
    if index >= leaves.len() {
        return Err(ProofError::IndexOutOfRange {
            index: index as u64,
            size: leaves.len() as u64,
        });
    }
    let mut proof = Vec::new();
    path(leaves, index, &mut proof);
    Ok(proof)
}

fn path(leaves: &[Hash], index: usize, out: &mut Vec<Hash>) {
    if leaves.len() <= 1 {
        return;
    }
    let k = split(leaves.len());
    let (l, r) = leaves.split_at(k);
    if index < k {
        path(l, index, out);
        out.push(root(r));
    } else {
        path(r, index - k, out);
        out.push(root(l));
    }
}

/// The consistency proof from the first `size1` leaves to all of `leaves`
/// (RFC 6962 PROOF).
pub fn consistency_proof(leaves: &[Hash], size1: usize) -> Result<Vec<Hash>, ProofError> {
    if size1 == 0 || size1 > leaves.len() {
        return Err(ProofError::BadSizes(format!(
            "no consistency proof from size {size1} to size {}",
            leaves.len()
        )));
    }
    let mut proof = Vec::new();
    subproof(leaves, size1, true, &mut proof);
    Ok(proof)
}

fn subproof(leaves: &[Hash], m: usize, complete: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            out.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    let (l, r) = leaves.split_at(k);
    if m <= k {
        subproof(l, m, complete, out);
        out.push(root(r));
    } else {
        subproof(r, m - k, false, out);
        out.push(root(l));
    }
}

/// Sizes of the two parts of an inclusion proof for `index` in `size`:
/// hashes inside the perfect subtrees, then along the right border.
fn decompose(index: u64, size: u64) -> (usize, usize) {
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = (index >> inner).count_ones() as usize;
    (inner, border)
}

fn chain_inner(mut seed: Hash, proof: &[Hash], index: u64) -> Hash {
    for (i, h) in proof.iter().enumerate() {
        seed = if (index >> i) & 1 == 0 {
            node_hash(&seed, h)
        } else {
            node_hash(h, &seed)
        };
    }
    seed
}

fn chain_inner_right(mut seed: Hash, proof: &[Hash], index: u64) -> Hash {
    for (i, h) in proof.iter().enumerate() {
        if (index >> i) & 1 == 1 {
            seed = node_hash(h, &seed);
        }
    }
    seed
}

fn chain_border_right(mut seed: Hash, proof: &[Hash]) -> Hash {
    for h in proof {
        seed = node_hash(h, &seed);
    }
    seed
}

fn hashes(proof: &[impl AsRef<[u8]>]) -> Result<Vec<Hash>, ProofError> {
    proof.iter().map(|h| to_hash(h.as_ref())).collect()
}

fn compare(computed: &Hash, expected: &Hash) -> Result<(), ProofError> {
    if computed == expected {
        Ok(())
    } else {
        Err(ProofError::RootMismatch {
            computed: hex::encode(computed),
            expected: hex::encode(expected),
        })
    }
}

/// The root an inclusion proof leads to.
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: &[u8],
    proof: &[impl AsRef<[u8]>],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let leaf = to_hash(leaf)?;
    let (inner, border) = decompose(index, size);
    if proof.len() != inner + border {
        return Err(ProofError::WrongLength {
            got: proof.len(),
            want: inner + border,
        });
    }
    let proof = hashes(proof)?;
    let (inner_part, border_part) = proof.split_at(inner);
    Ok(chain_border_right(
        chain_inner(leaf, inner_part, index),
        border_part,
    ))
}

/// Verifies that the leaf with hash `leaf` is at `index` in the tree of
/// `size` leaves whose root is `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &[u8],
    proof: &[impl AsRef<[u8]>],
    root: &[u8],
) -> Result<(), ProofError> {
    let root = to_hash(root)?;
    compare(&root_from_inclusion_proof(index, size, leaf, proof)?, &root)
}

/// Verifies that the tree of `size2` leaves with root `root2` extends the
/// tree of `size1` leaves with root `root1`. Consistency with the empty
/// tree proves nothing and is refused.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[impl AsRef<[u8]>],
    root1: &[u8],
    root2: &[u8],
) -> Result<(), ProofError> {
    if size1 == 0 {
        return Err(ProofError::BadSizes(
            "a consistency proof from the empty tree proves nothing".into(),
        ));
    }
    if size2 < size1 {
        return Err(ProofError::BadSizes(format!(
            "size {size2} is smaller than size {size1}: a log only grows"
        )));
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength {
                got: proof.len(),
                want: 0,
            });
        }
        // Same size: consistent exactly when the roots are the same bytes.
        return if root1 == root2 {
            Ok(())
        } else {
            Err(ProofError::RootMismatch {
                computed: hex::encode(root2),
                expected: hex::encode(root1),
            })
        };
    }
    let r1 = to_hash(root1)?;
    let r2 = to_hash(root2)?;
    if proof.is_empty() {
        return Err(ProofError::WrongLength { got: 0, want: 1 });
    }
    let (inner, border) = decompose(size1 - 1, size2);
    let shift = size1.trailing_zeros() as usize;
    let inner = inner - shift;
    let proof = hashes(proof)?;
    // When size1 is a power of two, the old root is itself the first node.
    let (seed, rest) = if size1 == 1 << shift {
        (r1, proof.as_slice())
    } else {
        match proof.split_first() {
            Some((first, rest)) => (*first, rest),
            None => return Err(ProofError::WrongLength { got: 0, want: 1 }),
        }
    };
    if rest.len() != inner + border {
        let start = proof.len() - rest.len();
        return Err(ProofError::WrongLength {
            got: proof.len(),
            want: start + inner + border,
        });
    }
    let (inner_part, border_part) = rest.split_at(inner);
    let mask = (size1 - 1) >> shift;
    let hash1 = chain_border_right(chain_inner_right(seed, inner_part, mask), border_part);
    compare(&hash1, &r1)?;
    let hash2 = chain_border_right(chain_inner(seed, inner_part, mask), border_part);
    compare(&hash2, &r2)
}

/// An append-only tree kept as the roots of its perfect subtrees (the
/// right edge), so appending a leaf and reading the root cost O(log n)
/// without holding every leaf.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CompactTree {
    size: u64,
    /// Roots of the perfect subtrees, largest first; one per set bit of `size`.
    edge: Vec<Hash>,
}

impl fmt::Debug for CompactTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CompactTree(size {}, root {})",
            self.size,
            hex::encode(self.root())
        )
    }
}

impl CompactTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree of `size` leaves from its right-edge subtree roots (largest first).
    pub fn from_edge(size: u64, edge: Vec<Hash>) -> Result<Self, ProofError> {
        if edge.len() != size.count_ones() as usize {
            return Err(ProofError::WrongLength {
                got: edge.len(),
                want: size.count_ones() as usize,
            });
        }
        Ok(Self { size, edge })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The right-edge subtree roots, largest first.
    pub fn edge(&self) -> &[Hash] {
        &self.edge
    }

    /// Appends a leaf by its leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = leaf;
        let mut size = self.size;
        // Each trailing 1 bit of the old size is a subtree of the same
        // height as the new node: merge them.
        while size & 1 == 1 {
            if let Some(left) = self.edge.pop() {
                node = node_hash(&left, &node);
            }
            size >>= 1;
        }
        self.edge.push(node);
        self.size += 1;
    }

    /// The tree hash.
    pub fn root(&self) -> Hash {
        let mut iter = self.edge.iter().rev();
        match iter.next() {
            None => empty_root(),
            Some(last) => iter.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_tree_matches_the_recursive_root_for_every_size() {
        let leaves: Vec<Hash> = (0u32..70).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut t = CompactTree::new();
        assert_eq!(t.root(), empty_root());
        for n in 1..=leaves.len() {
            t.push(leaves[n - 1]);
            assert_eq!(t.root(), root(&leaves[..n]), "size {n}");
            assert_eq!(t.edge().len(), n.count_ones() as usize);
        }
    }

    #[test]
    fn tree_levels_give_the_rfc_6962_root_and_paths() {
        let leaves: Vec<Hash> = (0u32..37).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        for n in 0..=leaves.len() {
            let t = TreeLevels::new(leaves[..n].to_vec());
            assert_eq!(t.root(), root(&leaves[..n]), "size {n}");
            for i in 0..n {
                assert_eq!(
                    t.inclusion_proof(i).unwrap(),
                    inclusion_proof(&leaves[..n], i).unwrap(),
                    "{i} of {n}"
                );
            }
        }
    }

    #[test]
    fn generated_proofs_verify_and_wrong_ones_do_not() {
        let leaves: Vec<Hash> = (0u32..21).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        for n in 1..=leaves.len() {
            let r = root(&leaves[..n]);
            for i in 0..n {
                let p = inclusion_proof(&leaves[..n], i).unwrap();
                verify_inclusion(i as u64, n as u64, &leaves[i], &p, &r).unwrap();
                if n > 1 {
                    let other = (i + 1) % n;
                    assert!(verify_inclusion(other as u64, n as u64, &leaves[i], &p, &r).is_err());
                }
            }
            for m in 1..=n {
                let p = consistency_proof(&leaves[..n], m).unwrap();
                let r1 = root(&leaves[..m]);
                verify_consistency(m as u64, n as u64, &p, &r1, &r).unwrap();
                if m < n {
                    assert!(verify_consistency(m as u64, n as u64, &p, &r, &r1).is_err());
                }
            }
        }
    }
}

/// Every level of a tree held in memory, for serving many inclusion proofs
/// against one size in O(log n) each (after O(n) hashing once). A lone
/// rightmost node is carried up unchanged, which gives exactly the RFC 6962
/// tree hash and audit paths.
#[derive(Debug, Clone)]
pub struct TreeLevels {
    levels: Vec<Vec<Hash>>,
}

impl TreeLevels {
    /// Builds the levels over `leaves`.
    pub fn new(leaves: Vec<Hash>) -> Self {
        let mut levels = vec![leaves];
        while let Some(below) = levels.last().filter(|l| l.len() > 1) {
            let above: Vec<Hash> = below
                .chunks(2)
                .map(|pair| match pair {
                    [l, r] => node_hash(l, r),
                    [lone] => *lone,
                    _ => empty_root(),
                })
                .collect();
            levels.push(above);
        }
        Self { levels }
    }

    /// Number of leaves.
    pub fn size(&self) -> usize {
        self.levels.first().map_or(0, Vec::len)
    }

    /// The tree hash.
    pub fn root(&self) -> Hash {
        match self.levels.last() {
            Some(top) if top.len() == 1 => top.first().copied().unwrap_or_else(empty_root),
            _ => empty_root(),
        }
    }

    /// The audit path of leaf `index`.
    pub fn inclusion_proof(&self, index: usize) -> Result<Vec<Hash>, ProofError> {
        if index >= self.size() {
            return Err(ProofError::IndexOutOfRange {
                index: index as u64,
                size: self.size() as u64,
            });
        }
        let mut proof = Vec::new();
        let mut i = index;
        for level in &self.levels {
            if level.len() <= 1 {
                break;
            }
            let sibling = i ^ 1;
            if let Some(h) = level.get(sibling) {
                proof.push(*h);
            }
            i >>= 1;
        }
        Ok(proof)
    }
}
