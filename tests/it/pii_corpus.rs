//! The annotated identifier corpus (`tests/fixtures/pii/`): lines of text
//! with every identifier marked `⟦category:value⟧`, and scoring of a
//! detector against it.

use std::collections::BTreeMap;

use palisade::pii::{Category, Detector};

/// Counts for one category.
#[derive(Debug, Default, Clone, Copy)]
pub struct Score {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

/// Prints one line per category: precision, recall and the counts.
pub fn print_scores(scores: &BTreeMap<&'static str, Score>) {
    for (category, s) in scores {
        println!(
            "  {category:<22} precision {:.3} recall {:.3} (tp {}, fp {}, fn {})",
            s.precision(),
            s.recall(),
            s.tp,
            s.fp,
            s.fn_
        );
    }
}

/// A marked span: category, first byte, one past the last.
pub type Span = (Category, usize, usize);

/// One corpus line: the plain text and the marked spans.
pub fn parse(line: &str) -> (String, Vec<Span>) {
    let mut plain = String::new();
    let mut spans = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find('⟦') {
        plain.push_str(&rest[..open]);
        let after = &rest[open + '⟦'.len_utf8()..];
        let close = after
            .find('⟧')
            .unwrap_or_else(|| panic!("unclosed marker in {line}"));
        let inner = &after[..close];
        let (cat, value) = inner
            .split_once(':')
            .unwrap_or_else(|| panic!("bad marker {inner}"));
        let category = Category::parse(cat).unwrap_or_else(|| panic!("unknown category {cat}"));
        let start = plain.len();
        plain.push_str(value);
        spans.push((category, start, plain.len()));
        rest = &after[close + '⟧'.len_utf8()..];
    }
    plain.push_str(rest);
    (plain, spans)
}

/// The lines of a corpus file (comments and blank lines dropped), parsed.
pub fn lines(text: &str) -> Vec<(String, Vec<Span>)> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(parse)
        .collect()
}

/// Scores `detector` on the corpus `text`: a finding is a true positive
/// when it overlaps a marked span of the same category (each marked span
/// counts once).
pub fn score(detector: &Detector, text: &str) -> BTreeMap<&'static str, Score> {
    let mut scores: BTreeMap<&'static str, Score> = BTreeMap::new();
    for (plain, gold) in lines(text) {
        let found = detector.scan(&plain);
        let mut matched = vec![false; gold.len()];
        for f in &found {
            let hit = gold.iter().enumerate().find(|(i, (c, s, e))| {
                !matched[*i] && *c == f.category && f.start < *e && *s < f.end
            });
            let entry = scores.entry(f.category.as_str()).or_default();
            match hit {
                Some((i, _)) => {
                    matched[i] = true;
                    entry.tp += 1;
                }
                None => {
                    entry.fp += 1;
                    if std::env::var_os("PII_DEBUG").is_some() {
                        println!("FP {}: {:?} in {plain}", f.category, &plain[f.start..f.end]);
                    }
                }
            }
        }
        for (i, (c, s, e)) in gold.iter().enumerate() {
            if !matched[i] {
                scores.entry(c.as_str()).or_default().fn_ += 1;
                if std::env::var_os("PII_DEBUG").is_some() {
                    println!("FN {c}: {:?} in {plain}", &plain[*s..*e]);
                }
            }
        }
    }
    scores
}
