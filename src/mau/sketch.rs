//! HyperLogLog (Flajolet, Fusy, Gandouet, Meunier 2007) at precision 14:
//! 16384 one-byte registers (16 KiB), standard error 1.04 / sqrt(16384) =
//! 0.81 %. Each node keeps one sketch per month; sketches of the same month
//! merge register by register into the sketch of the union, so a fleet
//! counts its distinct subjects without any node seeing another's
//! pseudonyms.
//!
//! Inputs are 64-bit hashes that are already uniform (the first eight
//! bytes of a subject's keyed-HMAC pseudonym). Small cardinalities use
//! linear counting (the estimate below `2.5 m` with empty registers left),
//! which is close to exact there; with 64-bit hashes no large-range
//! correction is needed.

/// Register index bits.
pub const PRECISION: u32 = 14;

/// Registers (and bytes) per sketch.
pub const REGISTERS: usize = 1 << PRECISION;

/// The largest value a register can hold: the rank of the first set bit in
/// the 50 bits left after the index, plus one.
const MAX_RANK: u8 = (64 - PRECISION + 1) as u8;

/// A HyperLogLog sketch.
#[derive(Clone, PartialEq, Eq)]
pub struct Sketch {
    registers: Vec<u8>,
}

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sketch")
            .field("estimate", &self.estimate())
            .finish()
    }
}

impl Default for Sketch {
    fn default() -> Self {
        Self::new()
    }
}

/// A serialised sketch that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SketchError {
    #[error("a sketch is {REGISTERS} bytes, not {0}")]
    Length(usize),
    #[error("register {index} holds {value}, above the maximum of {MAX_RANK}")]
    Register { index: usize, value: u8 },
}

impl Sketch {
    /// An empty sketch.
    #[must_use]
    pub fn new() -> Self {
        Self {
            registers: vec![0; REGISTERS],
        }
    }

    /// Adds one element by its uniform 64-bit hash. Returns whether the
    /// sketch changed.
    pub fn insert(&mut self, hash: u64) -> bool {
        let index = (hash >> (64 - PRECISION)) as usize;
        // The remaining bits, with a guard bit so the rank is at most
        // MAX_RANK even when they are all zero.
        let rest = (hash << PRECISION) | (1 << (PRECISION - 1));
        let rank = (rest.leading_zeros() + 1) as u8;
        match self.registers.get_mut(index) {
            Some(r) if *r < rank => {
                *r = rank;
                true
            }
            _ => false,
        }
    }

    /// Folds `other` in: this sketch becomes the sketch of the union.
    pub fn merge(&mut self, other: &Sketch) {
        for (a, b) in self.registers.iter_mut().zip(&other.registers) {
            *a = (*a).max(*b);
        }
    }

    /// The estimated number of distinct elements added.
    #[must_use]
    pub fn estimate(&self) -> f64 {
        let m = REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let mut sum = 0f64;
        let mut zeros = 0usize;
        for r in &self.registers {
            sum += f64::from(-i32::from(*r)).exp2();
            if *r == 0 {
                zeros += 1;
            }
        }
        let raw = alpha * m * m / sum;
        if raw <= 2.5 * m && zeros > 0 {
            // Linear counting.
            m * (m / zeros as f64).ln()
        } else {
            raw
        }
    }

    /// The registers, for storage.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.registers
    }

    /// A sketch from stored registers, checked.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SketchError> {
        if bytes.len() != REGISTERS {
            return Err(SketchError::Length(bytes.len()));
        }
        if let Some((index, &value)) = bytes.iter().enumerate().find(|(_, v)| **v > MAX_RANK) {
            return Err(SketchError::Register { index, value });
        }
        Ok(Self {
            registers: bytes.to_vec(),
        })
    }
}

/// The sketch hash of a pseudonym (hex of a keyed HMAC): its first 64 bits.
#[must_use]
pub fn hash_of_pseudonym(pseudonym: &str) -> u64 {
    let mut out = 0u64;
    for c in pseudonym.bytes().take(16) {
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 0,
        };
        out = (out << 4) | u64::from(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64: a uniform, reproducible stream of hashes.
    fn hashes(seed: u64, n: usize) -> impl Iterator<Item = u64> {
        let mut state = seed;
        (0..n).map(move |_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
    }

    fn error(sketch: &Sketch, truth: usize) -> f64 {
        (sketch.estimate() - truth as f64).abs() / truth as f64
    }

    #[test]
    fn estimates_are_within_a_few_standard_errors() {
        for n in [1usize, 10, 1_000, 10_000, 100_000, 1_000_000] {
            let mut s = Sketch::new();
            for h in hashes(n as u64, n) {
                s.insert(h);
            }
            // 3 standard errors (0.81 % each); small counts are near exact.
            let bound = if n <= 1_000 { 0.01 } else { 0.025 };
            assert!(error(&s, n) < bound, "{n}: estimate {}", s.estimate());
        }
        assert_eq!(Sketch::new().estimate(), 0.0);
    }

    #[test]
    fn repeats_do_not_count_and_merging_gives_the_union() {
        let mut a = Sketch::new();
        let mut b = Sketch::new();
        // a: 0..30000, b: 20000..50000 of the same stream; union 50000.
        let all: Vec<u64> = hashes(7, 50_000).collect();
        for h in &all[..30_000] {
            a.insert(*h);
        }
        let before = a.clone();
        for h in &all[..30_000] {
            assert!(!a.insert(*h));
        }
        assert_eq!(a, before, "re-adding changes nothing");
        for h in &all[20_000..] {
            b.insert(*h);
        }
        let mut union = a.clone();
        union.merge(&b);
        assert!(error(&union, 50_000) < 0.02, "{}", union.estimate());
        // Merging is order-free and idempotent.
        let mut other = b.clone();
        other.merge(&a);
        assert_eq!(union, other);
        other.merge(&a);
        assert_eq!(union, other);
    }

    #[test]
    fn stored_sketches_round_trip_and_bad_ones_are_refused() {
        let mut s = Sketch::new();
        for h in hashes(3, 1000) {
            s.insert(h);
        }
        assert_eq!(Sketch::from_bytes(s.as_bytes()).unwrap(), s);
        assert_eq!(Sketch::from_bytes(&[0; 100]), Err(SketchError::Length(100)));
        let mut bad = s.as_bytes().to_vec();
        bad[5] = 60;
        assert_eq!(
            Sketch::from_bytes(&bad),
            Err(SketchError::Register {
                index: 5,
                value: 60
            })
        );
    }

    #[test]
    fn pseudonym_hashes_read_the_leading_hex() {
        assert_eq!(
            hash_of_pseudonym("ff00000000000001ab"),
            0xff00_0000_0000_0001
        );
        assert_eq!(hash_of_pseudonym("0123"), 0x0123);
    }
}
