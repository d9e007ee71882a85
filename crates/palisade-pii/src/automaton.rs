//! The detector's multi-pattern automaton: the leftmost-first match of all
//! the patterns at once.
//!
//! Text that is all ASCII (most prompts) is searched without running a DFA
//! over every byte. The patterns are first restricted to ASCII
//! (`ascii_only`: on ASCII text they match exactly where they did, with a
//! fraction of the byte classes), then fall in two groups, sorted at build
//! time:
//!
//! - **Anchored**: every match holds an anchor byte, an ASCII digit, `@`
//!   or `:`. That is checked, not assumed: a pattern is anchored when it
//!   matches nothing once the anchors are taken out of it. Labelled
//!   identifiers (a medical record or health-plan number after its label)
//!   are declared anchored: their value needs three digits to be a finding,
//!   so a match without an anchor is never one. The search skips to the
//!   next anchor, steps back over what can precede it in a match (a reverse
//!   DFA of the patterns' prefixes: a label, an e-mail's local part), runs
//!   the forward DFA from there, and skips again as soon as no match is in
//!   progress. Prose between identifiers is read eight bytes at a time
//!   (`anchor_bits`).
//! - **Literal**: the rest (URLs, dictionary names) start with a literal,
//!   whose first three bytes are searched in any case: a vector search
//!   (Teddy) over their case variants when they are few, otherwise an
//!   Aho-Corasick search of the lower-cased text.
//!
//! The leftmost-first match of all the patterns is the group match that
//! starts first, the earlier pattern at the same start: the match of the
//! one combined automaton, but for a label whose match holds no anchor,
//! which the groups may not offer (the combined one offers it, the
//! detector rejects it and resumes after its first word). Each group's
//! match is kept while the scan has not passed its start. The unit test
//! `the_grouped_automaton_offers_what_the_combined_regex_does` checks the
//! candidates and the findings against the combined regex on the corpora,
//! whole and line by line, with their non-ASCII characters removed and
//! sown in, and shuffled: the findings are the same on every text.
//!
//! Text with a non-ASCII byte is searched by the combined regex over all
//! of Unicode: its forward search finds where the leftmost-first match
//! ends, and the pattern's own reverse DFA where it starts.

use aho_corasick::AhoCorasick;
use regex_automata::hybrid::LazyStateID;
use regex_automata::util::pool::Pool;
use regex_automata::util::start;
use regex_automata::{Anchored, Input, MatchKind, hybrid, meta, nfa::thompson};
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Look, Repetition,
};

use super::PiiError;

/// A candidate: the pattern (its index among all patterns), its start and
/// its end.
pub(super) type Candidate = (usize, usize, usize);

/// The lazy DFAs' caches for one scan.
#[derive(Debug)]
pub(super) struct Caches {
    starts: Vec<hybrid::dfa::Cache>,
    /// Each group's forward DFA's, then the anchored group's prefix DFA's.
    groups: Option<([hybrid::dfa::Cache; 2], hybrid::dfa::Cache)>,
}

type MakeCaches = Box<dyn Fn() -> Caches + Send + Sync>;

/// What a group last found, from where.
#[derive(Debug, Clone, Copy)]
enum Found {
    /// Not searched yet, or passed by the scan.
    Unknown,
    /// No match at or after the position searched from.
    Nothing,
    Match(Candidate),
}

impl Found {
    /// Whether this result still holds for a search from `at`: no match
    /// started between where it was searched from and its start, so none
    /// starts between `at` and it either.
    fn holds_at(self, at: usize) -> bool {
        match self {
            Found::Unknown => false,
            Found::Nothing => true,
            Found::Match((_, start, _)) => start >= at,
        }
    }
}

/// How a forward run of a group's DFA ended.
enum Run {
    /// A match: its pattern within the group, and its end.
    Match(usize, usize),
    /// Nothing in progress before this position, and nothing found.
    Idle(usize),
    /// The DFA died or the text ended without a match.
    Over,
}

/// One scan's state: the caches, each group's last match, and the text
/// in lower case once the literal group has needed it.
pub(super) struct Scan<'a> {
    caches: regex_automata::util::pool::PoolGuard<'a, Caches, MakeCaches>,
    found: [Found; 2],
    lower: Option<Vec<u8>>,
}

/// Where a group's matches can start.
#[derive(Debug)]
enum Windows {
    /// Every match holds an anchor byte; the prefix DFA (reverse, over
    /// the patterns' prefixes) steps back from it to the earliest start.
    Anchors { prefixes: Box<hybrid::dfa::DFA> },
    /// Every match starts with one of these three-byte fingerprints, in
    /// any case.
    Literals(Fingerprints),
    /// Anywhere: the DFA reads every byte.
    Everywhere,
}

/// A finder of the literal group's fingerprints.
#[derive(Debug)]
enum Fingerprints {
    /// Every case variant of a few fingerprints, in a vector search
    /// (Teddy) over the text as it is.
    Variants(aho_corasick::packed::Searcher),
    /// Many fingerprints (a name dictionary), in lower case, searched in
    /// the text lower-cased.
    Lower(AhoCorasick),
}

/// Patterns searched together.
#[derive(Debug)]
struct Group {
    /// Each pattern's index among all the patterns.
    ids: Vec<usize>,
    /// Leftmost-first, start states tagged (so that a run sees when
    /// nothing is in progress).
    forward: hybrid::dfa::DFA,
    windows: Windows,
}

/// The shared DFAs behind a cache pool.
#[derive(Debug)]
struct Dfas {
    /// Each pattern's reverse DFA, for the start of its match.
    starts: Vec<hybrid::dfa::DFA>,
    /// The anchored group, then the literal group; none in the automaton
    /// over Unicode.
    groups: Option<[Group; 2]>,
}

/// A multi-pattern automaton: over ASCII, in groups; over Unicode, one
/// combined regex.
#[derive(Debug)]
pub(super) struct Automaton {
    dfas: std::sync::Arc<Dfas>,
    caches: Pool<Caches, MakeCaches>,
    /// All the patterns in one regex: the search over Unicode, and the
    /// answer when a lazy DFA cannot give one (none gives up with this
    /// configuration, but a search that could fail says what it does then).
    all: meta::Regex,
}

impl Automaton {
    /// One combined regex over all of Unicode: for text that is not all
    /// ASCII. Its forward search finds where the leftmost-first match
    /// ends, and the pattern's own reverse DFA where it starts.
    pub(super) fn combined_over_unicode(hirs: &[Hir]) -> Result<Self, PiiError> {
        Self::build(hirs.to_vec(), None)
    }

    /// The groups over ASCII, for text that is all ASCII: `hirs` (Unicode
    /// patterns, in priority order) restricted with `ascii_only`. The
    /// patterns `need_anchor` are searched with the anchored group even
    /// when some of their matches hold no anchor: the detector rejects
    /// those matches anyway.
    pub(super) fn grouped_over_ascii(hirs: &[Hir], need_anchor: &[bool]) -> Result<Self, PiiError> {
        let restricted: Vec<Hir> = hirs.iter().map(ascii_only).collect();
        let (mut anchored, mut literal) = (Vec::new(), Vec::new());
        for (i, hir) in restricted.iter().enumerate() {
            let declared = need_anchor.get(i).copied().unwrap_or(false);
            if !declared && can_match(&without_anchors(hir)) {
                literal.push(i);
            } else {
                anchored.push(i);
            }
        }
        let pick = |ids: &[usize]| -> Vec<Hir> {
            ids.iter()
                .filter_map(|&i| restricted.get(i).cloned())
                .collect()
        };
        // The prefixes of the Unicode pattern, restricted: an ASCII
        // prefix of a match can be followed by a non-ASCII character.
        let prefix_hirs: Vec<Hir> = anchored
            .iter()
            .filter_map(|&i| hirs.get(i))
            .map(|h| ascii_only(&prefixes(h)))
            .collect();
        let anchored_group = Group {
            forward: dfa(nfa(&pick(&anchored), false)?, MatchKind::LeftmostFirst)?,
            windows: Windows::Anchors {
                prefixes: Box::new(dfa(nfa(&prefix_hirs, true)?, MatchKind::All)?),
            },
            ids: anchored,
        };
        let literal_hirs = pick(&literal);
        let literal_group = Group {
            forward: dfa(nfa(&literal_hirs, false)?, MatchKind::LeftmostFirst)?,
            windows: fingerprints(&literal_hirs).map_or(Windows::Everywhere, Windows::Literals),
            ids: literal,
        };
        Self::build(restricted, Some([anchored_group, literal_group]))
    }

    fn build(hirs: Vec<Hir>, groups: Option<[Group; 2]>) -> Result<Self, PiiError> {
        let dfas = Dfas {
            starts: hirs
                .iter()
                .map(|h| dfa(nfa(std::slice::from_ref(h), true)?, MatchKind::All))
                .collect::<Result<_, _>>()?,
            groups,
        };
        let dfas = std::sync::Arc::new(dfas);
        let for_caches = std::sync::Arc::clone(&dfas);
        let caches = Pool::new(Box::new(move || Caches {
            starts: for_caches
                .starts
                .iter()
                .map(hybrid::dfa::DFA::create_cache)
                .collect(),
            groups: for_caches.groups.as_ref().map(|[a, l]| {
                let prefixes = match &a.windows {
                    Windows::Anchors { prefixes, .. } => prefixes.create_cache(),
                    _ => a.forward.create_cache(),
                };
                (
                    [a.forward.create_cache(), l.forward.create_cache()],
                    prefixes,
                )
            }),
        }) as MakeCaches);
        let all = meta::Builder::new()
            .configure(
                meta::Config::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .hybrid_cache_capacity(16 << 20),
            )
            .build_many_from_hir(&hirs)
            .map_err(|e| PiiError::Build(e.to_string()))?;
        Ok(Self { dfas, caches, all })
    }

    /// A new scan (caches from the pool, nothing found yet).
    pub(super) fn scan(&self) -> Scan<'_> {
        Scan {
            caches: self.caches.get(),
            found: [Found::Unknown; 2],
            lower: None,
        }
    }

    /// The leftmost-first match of all the patterns in `text[at..]`.
    pub(super) fn next_match(
        &self,
        scan: &mut Scan<'_>,
        text: &str,
        at: usize,
    ) -> Option<Candidate> {
        match self.try_next_match(scan, text, at) {
            Some(found) => found,
            None => {
                // A lazy DFA gave up: the combined regex answers.
                let m = self.all.search(&Input::new(text).span(at..text.len()))?;
                Some((m.pattern().as_usize(), m.start(), m.end()))
            }
        }
    }

    /// The combined regex's leftmost-first match in `text[at..]` (what
    /// `next_match` must equal).
    #[cfg(test)]
    pub(super) fn combined(&self, text: &str, at: usize) -> Option<Candidate> {
        let m = self.all.search(&Input::new(text).span(at..text.len()))?;
        Some((m.pattern().as_usize(), m.start(), m.end()))
    }

    /// How the literal group finds its windows: `everywhere` (it reads
    /// every byte), `variants` or `lower` (`Fingerprints`).
    #[cfg(test)]
    pub(super) fn literal_windows(&self) -> &'static str {
        match self.dfas.groups.as_ref().map(|[_, l]| &l.windows) {
            Some(Windows::Literals(Fingerprints::Variants(_))) => "variants",
            Some(Windows::Literals(Fingerprints::Lower(_))) => "lower",
            Some(Windows::Everywhere) => "everywhere",
            _ => "none",
        }
    }

    /// `next_match`, or `None` when a lazy DFA gave up: the group match
    /// that starts first, the earlier pattern at the same start.
    fn try_next_match(
        &self,
        scan: &mut Scan<'_>,
        text: &str,
        at: usize,
    ) -> Option<Option<Candidate>> {
        if self.dfas.groups.is_none() {
            let Some(half) = self.all.search_half(&Input::new(text).span(at..text.len())) else {
                return Some(None);
            };
            let (pattern, end) = (half.pattern().as_usize(), half.offset());
            return Some(Some((
                pattern,
                self.start(scan, text, at, pattern, end)?,
                end,
            )));
        }
        let mut best: Option<Candidate> = None;
        for g in 0..2 {
            let found = *scan.found.get(g)?;
            let found = if found.holds_at(at) {
                found
            } else {
                let found = match self.group_match(scan, g, text, at)? {
                    None => Found::Nothing,
                    Some(candidate) => Found::Match(candidate),
                };
                *scan.found.get_mut(g)? = found;
                found
            };
            if let Found::Match(m) = found
                && best.is_none_or(|b| (m.1, m.0) < (b.1, b.0))
            {
                best = Some(m);
            }
        }
        Some(best)
    }

    /// Where the match of `pattern` that ends at `end` starts, at or after
    /// `at`: its reverse DFA, anchored at the end, reporting every match,
    /// reaches the leftmost start last (no earlier start can match, or the
    /// forward search would have found it). `None` if the DFA gave up.
    fn start(
        &self,
        scan: &mut Scan<'_>,
        text: &str,
        at: usize,
        pattern: usize,
        end: usize,
    ) -> Option<usize> {
        let dfa = self.dfas.starts.get(pattern)?;
        let cache = scan.caches.starts.get_mut(pattern)?;
        // No start found would be a bug; the combined regex answers then.
        run_rev(dfa, cache, text.as_bytes(), at, end)?
    }

    /// Group `g`'s leftmost-first match in `text[at..]`. `None` if a DFA
    /// gave up.
    ///
    /// At each window's start the match is first tried anchored there: it
    /// usually starts there, and then its start is known without a
    /// reverse search. If it does not, the unanchored search runs from the
    /// next byte until it finds a match or nothing is in progress, and the
    /// next window follows.
    fn group_match(
        &self,
        scan: &mut Scan<'_>,
        g: usize,
        text: &str,
        at: usize,
    ) -> Option<Option<Candidate>> {
        let group = self.dfas.groups.as_ref()?.get(g)?;
        let everywhere = matches!(group.windows, Windows::Everywhere);
        let mut from = at;
        loop {
            let Some(window) = self.window(scan, group, text.as_bytes(), from)? else {
                return Some(None);
            };
            if !everywhere {
                let cache = scan.caches.groups.as_mut()?.0.get_mut(g)?;
                if let Run::Match(local, end) =
                    run(&group.forward, cache, text.as_bytes(), window, true)?
                {
                    return Some(Some((*group.ids.get(local)?, window, end)));
                }
            }
            let next = if everywhere { window } else { window + 1 };
            if next >= text.len() {
                return Some(None);
            }
            let cache = scan.caches.groups.as_mut()?.0.get_mut(g)?;
            match run(&group.forward, cache, text.as_bytes(), next, false)? {
                Run::Match(local, end) => {
                    let pattern = *group.ids.get(local)?;
                    let start = self.start(scan, text, next, pattern, end)?;
                    return Some(Some((pattern, start, end)));
                }
                Run::Idle(pos) => from = pos,
                Run::Over => return Some(None),
            }
        }
    }

    /// Where the group's next window starts, at or after `from`: no match
    /// of the group starts in between. `None` inside if no match can
    /// start; `None` outside if a DFA gave up.
    fn window(
        &self,
        scan: &mut Scan<'_>,
        group: &Group,
        text: &[u8],
        from: usize,
    ) -> Option<Option<usize>> {
        match &group.windows {
            Windows::Everywhere => Some(Some(from)),
            Windows::Anchors { prefixes } => {
                // A match holds an anchor; one that starts before the
                // next anchor holds that anchor, and what precedes the
                // anchor in it is a prefix of a pattern, which the prefix
                // DFA reads backwards to its earliest start.
                let Some(anchor) = next_anchor(text, from) else {
                    return Some(None);
                };
                if anchor == from {
                    return Some(Some(from));
                }
                let cache = &mut scan.caches.groups.as_mut()?.1;
                let start = run_rev(prefixes, cache, text, from, anchor)?.unwrap_or(anchor);
                Some(Some(start))
            }
            Windows::Literals(Fingerprints::Variants(searcher)) => {
                let span = aho_corasick::Span::from(from.min(text.len())..text.len());
                Some(searcher.find_in(text, span).map(|m| m.start()))
            }
            Windows::Literals(Fingerprints::Lower(finder)) => {
                let lower = scan.lower.get_or_insert_with(|| text.to_ascii_lowercase());
                let literal = finder
                    .find(aho_corasick::Input::new(lower.as_slice()).span(from..lower.len()))
                    .map(|m| m.start());
                Some(literal)
            }
        }
    }
}

/// Whether `byte` is an anchor: an ASCII digit, `:` (the byte after
/// `9`) or `@`.
fn is_anchor(byte: u8) -> bool {
    byte.wrapping_sub(b'0') <= b':' - b'0' || byte == b'@'
}

/// The high bit of each byte of `word` that is an anchor, the others
/// clear: eight bytes at a time, without a carry between them (each byte's
/// low seven bits plus a constant below 0x80 stay within the byte).
fn anchor_bits(word: u64) -> u64 {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = ONES * 0x80;
    const LOW: u64 = ONES * 0x7f;
    let low = word & LOW;
    // In b'0'..=b':': at least 0x30 and not at least 0x3b, high bit clear.
    let at_least_0 = low + ONES * (0x80 - 0x30);
    let past_colon = low + ONES * (0x80 - 0x3b);
    let digit_or_colon = at_least_0 & !past_colon & !word;
    // `@`: the byte XOR 0x40 is zero.
    let x = word ^ (ONES * 0x40);
    let at_sign = !(((x & LOW) + LOW) | x);
    (digit_or_colon | at_sign) & HIGH
}

/// The first anchor in `text[from..]`, read eight bytes at a time (prose
/// holds few anchors).
fn next_anchor(text: &[u8], from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let (words, tail) = rest.as_chunks::<8>();
    let mut base = from;
    for word in words {
        let bits = anchor_bits(u64::from_le_bytes(*word));
        if bits != 0 {
            return Some(base + (bits.trailing_zeros() / 8) as usize);
        }
        base += word.len();
    }
    tail.iter().position(|&b| is_anchor(b)).map(|i| base + i)
}

/// A forward run of `dfa` from `from`: anchored there, or unanchored until
/// it finds a match or nothing is in progress. `None` if it gave up.
fn run(
    dfa: &hybrid::dfa::DFA,
    cache: &mut hybrid::dfa::Cache,
    text: &[u8],
    from: usize,
    anchored: bool,
) -> Option<Run> {
    let mode = if anchored {
        Anchored::Yes
    } else {
        Anchored::No
    };
    let behind = from.checked_sub(1).and_then(|i| text.get(i)).copied();
    let config = start::Config::new().anchored(mode).look_behind(behind);
    let mut sid = dfa.start_state(cache, &config).ok()?;
    let mut found = None;
    let mut pos = from;
    while let Some(&byte) = text.get(pos) {
        sid = step(dfa, cache, sid, byte)?;
        if sid.is_tagged() {
            if sid.is_start() {
                // Back where it began, nothing in progress (a match found
                // would have left the start state behind).
                if !anchored && found.is_none() {
                    return Some(Run::Idle(pos + 1));
                }
            } else if sid.is_match() {
                // Matches are reported one byte late: this one ends
                // before the byte just read.
                found = Some((dfa.match_pattern(cache, sid, 0).as_usize(), pos));
            } else if sid.is_dead() {
                break;
            } else {
                // A quit state (none is configured).
                return None;
            }
        }
        pos += 1;
    }
    if text.get(pos).is_none() {
        sid = dfa.next_eoi_state(cache, sid).ok()?;
        if sid.is_match() {
            found = Some((dfa.match_pattern(cache, sid, 0).as_usize(), text.len()));
        }
    }
    Some(found.map_or(Run::Over, |(local, end)| Run::Match(local, end)))
}

/// The state after `sid` on `byte`, computed if the cache lacks it.
/// `None` if the DFA gave up.
#[inline(always)]
fn step(
    dfa: &hybrid::dfa::DFA,
    cache: &mut hybrid::dfa::Cache,
    sid: LazyStateID,
    byte: u8,
) -> Option<LazyStateID> {
    if sid.is_tagged() {
        return dfa.next_state(cache, sid, byte).ok();
    }
    let next = dfa.next_state_untagged(cache, sid, byte);
    if next.is_unknown() {
        dfa.next_state(cache, sid, byte).ok()
    } else {
        Some(next)
    }
}

/// A reverse run of `dfa` (a reverse DFA reporting every match) over
/// `text[from..end]`, anchored at `end`: where the leftmost match starts,
/// if one does. What `try_search_rev` answers, with the transition step
/// inlined (`step`), which is where the saving is: most runs read a few
/// dozen bytes. `None` if the DFA gave up.
fn run_rev(
    dfa: &hybrid::dfa::DFA,
    cache: &mut hybrid::dfa::Cache,
    text: &[u8],
    from: usize,
    end: usize,
) -> Option<Option<usize>> {
    // A reverse search looks behind at the byte after its end.
    let config = start::Config::new()
        .anchored(Anchored::Yes)
        .look_behind(text.get(end).copied());
    let mut sid = dfa.start_state(cache, &config).ok()?;
    let mut found = None;
    let mut at = end;
    while at > from {
        at -= 1;
        sid = step(dfa, cache, sid, *text.get(at)?)?;
        if sid.is_tagged() {
            if sid.is_match() {
                // Reported one byte late: the match starts after it.
                found = Some(at + 1);
            } else if sid.is_dead() {
                return Some(found);
            } else if sid.is_quit() {
                return None;
            }
        }
    }
    // The byte before the span (or the text's start) settles a match at
    // `from` and the look-arounds there.
    sid = match from.checked_sub(1).and_then(|i| text.get(i)) {
        Some(&byte) => dfa.next_state(cache, sid, byte).ok()?,
        None => dfa.next_eoi_state(cache, sid).ok()?,
    };
    if sid.is_match() {
        found = Some(from);
    }
    Some(found)
}

/// The Thompson NFA of `hirs`, forward or reverse.
fn nfa(hirs: &[Hir], reverse: bool) -> Result<thompson::NFA, PiiError> {
    thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .reverse(reverse)
                .which_captures(thompson::WhichCaptures::None),
        )
        .build_many_from_hir(hirs)
        .map_err(|e| PiiError::Build(e.to_string()))
}

/// A lazy DFA with start states tagged.
fn dfa(nfa: thompson::NFA, kind: MatchKind) -> Result<hybrid::dfa::DFA, PiiError> {
    hybrid::dfa::DFA::builder()
        .configure(
            hybrid::dfa::DFA::config()
                .match_kind(kind)
                .prefilter(None)
                .specialize_start_states(true)
                .cache_capacity(32 << 20),
        )
        .build_from_nfa(nfa)
        .map_err(|e| PiiError::Build(e.to_string()))
}

/// A finder of where a match of one of `hirs` (restricted to ASCII) can
/// start: the first three bytes of their leading literals (`http`,
/// names), in any case. `None` when some match can start with fewer than
/// three fixed bytes, or with a non-ASCII one.
fn fingerprints(hirs: &[Hir]) -> Option<Fingerprints> {
    let mut extractor = Extractor::new();
    extractor
        .kind(ExtractKind::Prefix)
        .limit_class(64)
        .limit_repeat(4)
        .limit_literal_len(3)
        .limit_total(20_000);
    let mut seq = Seq::empty();
    for hir in hirs {
        seq.union(&mut extractor.extract(hir));
    }
    if seq.min_literal_len()? < 3 {
        return None;
    }
    let mut prints = seq
        .literals()?
        .iter()
        .map(|l| {
            let print = <[u8; 3]>::try_from(l.as_bytes().get(..3)?).ok()?;
            print
                .is_ascii()
                .then(|| print.map(|b| b.to_ascii_lowercase()))
        })
        .collect::<Option<Vec<[u8; 3]>>>()?;
    prints.sort_unstable();
    prints.dedup();
    // Every case variant (`htt`, `Htt`, `hTt` ...), if few enough for a
    // vector search.
    let variants: Vec<[u8; 3]> = prints
        .iter()
        .flat_map(|print| {
            (0..8u8).filter_map(move |flips| {
                let mut variant = *print;
                for (i, b) in variant.iter_mut().enumerate() {
                    if flips >> i & 1 == 1 {
                        if !b.is_ascii_alphabetic() {
                            return None;
                        }
                        *b = b.to_ascii_uppercase();
                    }
                }
                Some(variant)
            })
        })
        .collect();
    if variants.len() <= 64 {
        let mut builder = aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
            .only_teddy(true)
            .builder();
        if let Some(searcher) = builder.extend(&variants).build() {
            return Some(Fingerprints::Variants(searcher));
        }
    }
    AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .build(&prints)
        .ok()
        .map(Fingerprints::Lower)
}

/// The pattern restricted to ASCII: every class cut to its ASCII members,
/// every non-ASCII literal made a failure, Unicode word boundaries made
/// ASCII ones. On text that is all ASCII it matches exactly where the
/// pattern does (a Unicode class's ASCII members are its ASCII-mode
/// class's, case folding is already expanded into the classes, and no
/// match can use a character the text does not hold), with a fraction of
/// the byte classes and states.
pub(super) fn ascii_only(hir: &Hir) -> Hir {
    map_bytes(hir, &|byte| byte < 0x80, &|c| c.is_ascii())
}

/// Whether the pattern matches anything (look-arounds are taken to hold:
/// a pattern that cannot match for theirs only is said to match).
fn can_match(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => true,
        HirKind::Class(Class::Unicode(class)) => !class.ranges().is_empty(),
        HirKind::Class(Class::Bytes(class)) => !class.ranges().is_empty(),
        HirKind::Repetition(rep) => rep.min == 0 || can_match(&rep.sub),
        HirKind::Capture(cap) => can_match(&cap.sub),
        HirKind::Concat(subs) => subs.iter().all(can_match),
        HirKind::Alternation(subs) => subs.iter().any(can_match),
    }
}

/// The pattern without the anchor characters (ASCII digits, `@`, `:`):
/// it matches nothing when every match of the pattern holds one.
fn without_anchors(hir: &Hir) -> Hir {
    map_bytes(hir, &|byte| !is_anchor(byte), &|c| {
        !u8::try_from(c).is_ok_and(is_anchor)
    })
}

/// The pattern with its classes and literals cut to the characters `keep`
/// (bytes `keep_byte` in byte classes); Unicode word boundaries become
/// ASCII ones.
fn map_bytes(hir: &Hir, keep_byte: &dyn Fn(u8) -> bool, keep: &dyn Fn(char) -> bool) -> Hir {
    let recurse = |h: &Hir| map_bytes(h, keep_byte, keep);
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
            Ok(s) if s.chars().all(keep) => hir.clone(),
            Err(_) if lit.0.iter().all(|&b| keep_byte(b)) => hir.clone(),
            _ => Hir::fail(),
        },
        HirKind::Class(Class::Unicode(class)) => {
            let kept: Vec<ClassUnicodeRange> = class
                .iter()
                .flat_map(|r| ranges_kept(r.start(), r.end(), keep))
                .collect();
            Hir::class(Class::Unicode(ClassUnicode::new(kept)))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let kept: Vec<ClassBytesRange> = class
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .filter(|&b| keep_byte(b))
                .map(|b| ClassBytesRange::new(b, b))
                .collect();
            Hir::class(Class::Bytes(ClassBytes::new(kept)))
        }
        HirKind::Look(look) => Hir::look(match look {
            Look::WordUnicode => Look::WordAscii,
            Look::WordUnicodeNegate => Look::WordAsciiNegate,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            other => *other,
        }),
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            sub: Box::new(recurse(&rep.sub)),
            ..rep.clone()
        }),
        HirKind::Capture(cap) => Hir::capture(Capture {
            sub: Box::new(recurse(&cap.sub)),
            ..cap.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(recurse).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(recurse).collect()),
    }
}

/// The parts of `start..=end` whose characters `keep` takes: ranges are
/// split only inside ASCII (no caller excludes a non-ASCII character but
/// by excluding all of them).
fn ranges_kept(start: char, end: char, keep: &dyn Fn(char) -> bool) -> Vec<ClassUnicodeRange> {
    let mut kept = Vec::new();
    let ascii_end = end.min('\x7f');
    let mut run: Option<char> = None;
    let mut c = start;
    while c <= ascii_end {
        match (keep(c), run) {
            (true, None) => run = Some(c),
            (false, Some(s)) => {
                kept.push(ClassUnicodeRange::new(s, prev_char(c)));
                run = None;
            }
            _ => {}
        }
        c = char::from_u32(u32::from(c) + 1).unwrap_or('\u{80}');
        if c == '\u{80}' {
            break;
        }
    }
    if let Some(s) = run {
        kept.push(ClassUnicodeRange::new(s, ascii_end));
    }
    if end >= '\u{80}' && keep('\u{80}') {
        kept.push(ClassUnicodeRange::new(start.max('\u{80}'), end));
    }
    kept
}

fn prev_char(c: char) -> char {
    char::from_u32(u32::from(c).saturating_sub(1)).unwrap_or(c)
}

/// Every prefix of a match of the pattern (a superset: look-arounds are
/// dropped, and repetition minimums ignored).
pub(super) fn prefixes(hir: &Hir) -> Hir {
    let optional = |h: Hir| Hir::alternation(vec![h, Hir::empty()]);
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Hir::empty(),
        HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
            Ok(s) => s.chars().rev().fold(Hir::empty(), |rest, c| {
                let mut buf = [0; 4];
                optional(Hir::concat(vec![
                    Hir::literal(c.encode_utf8(&mut buf).as_bytes()),
                    rest,
                ]))
            }),
            Err(_) => lit.0.iter().rev().fold(Hir::empty(), |rest, &b| {
                optional(Hir::concat(vec![Hir::literal([b]), rest]))
            }),
        },
        HirKind::Class(_) => optional(hir.clone()),
        HirKind::Repetition(rep) => match rep.max {
            Some(0) => Hir::empty(),
            max => Hir::concat(vec![
                Hir::repetition(Repetition {
                    min: 0,
                    max: max.map(|m| m - 1),
                    greedy: rep.greedy,
                    sub: rep.sub.clone(),
                }),
                prefixes(&rep.sub),
            ]),
        },
        HirKind::Capture(cap) => prefixes(&cap.sub),
        HirKind::Concat(subs) => {
            let mut parts = subs.iter().rev();
            let last = parts.next().map_or_else(Hir::empty, prefixes);
            parts.fold(last, |rest, sub| {
                Hir::alternation(vec![prefixes(sub), Hir::concat(vec![sub.clone(), rest])])
            })
        }
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(prefixes).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::{anchor_bits, is_anchor, next_anchor};

    #[test]
    fn anchor_bits_mark_exactly_the_anchor_bytes() {
        // Every byte value in every lane, beside every value of a
        // neighbour (a carry or borrow would cross into it).
        for lane in 0..8 {
            for byte in 0..=u8::MAX {
                for neighbour in 0..=u8::MAX {
                    let mut word = [neighbour; 8];
                    word[lane] = byte;
                    let bits = anchor_bits(u64::from_le_bytes(word));
                    for (i, &b) in word.iter().enumerate() {
                        assert_eq!(
                            bits >> (8 * i + 7) & 1 == 1,
                            is_anchor(b),
                            "{word:?} lane {i}"
                        );
                    }
                    assert_eq!(bits & !(u64::from_le_bytes([0x80; 8])), 0);
                }
            }
        }
        assert!(is_anchor(b'0') && is_anchor(b'9') && is_anchor(b':') && is_anchor(b'@'));
        assert!(!is_anchor(b'/') && !is_anchor(b';') && !is_anchor(b'?') && !is_anchor(b'A'));
    }

    #[test]
    fn next_anchor_finds_the_first_anchor_from_any_position() {
        let mut text = Vec::new();
        let mut x: u32 = 12345;
        for _ in 0..600 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            // Mostly letters, with the odd anchor and non-ASCII byte.
            let byte = match (x >> 16) % 40 {
                0 => b'7',
                1 => b'@',
                2 => b':',
                3 => 0xc3,
                4 => 0xb0,
                r => b'a' + u8::try_from(r % 26).unwrap_or(0),
            };
            text.push(byte);
        }
        for from in 0..=text.len() + 1 {
            let expected = text
                .get(from..)
                .and_then(|rest| rest.iter().position(|&b| is_anchor(b)))
                .map(|i| from + i);
            assert_eq!(next_anchor(&text, from), expected, "from {from}");
        }
    }
}
