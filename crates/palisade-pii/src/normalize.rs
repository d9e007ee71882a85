//! The view of a text that detection also reads: what a human reader sees,
//! not the bytes an attacker chose. Invisible format characters (zero-width
//! spaces and joiners, soft hyphens, bidi controls, variation selectors) are
//! removed, every dash and hyphen look-alike reads as `-`, compatibility
//! forms are folded by NFKC (fullwidth digits and `＠`, no-break and thin
//! spaces), and a line wrapped right after a hyphen between digits
//! (`123-45-⏎6789`) is joined. Each byte of the view maps back to the
//! original bytes it came from, so a finding redacts the right bytes.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// A normalised view of a text and the way back to the original's offsets.
#[derive(Debug)]
pub struct View {
    /// The normalised text.
    pub text: String,
    /// Where view and original stop running in step, in order: the view
    /// bytes `view.0..view.1` came from the original bytes `orig.0..orig.1`
    /// (an empty view range: original bytes removed).
    edits: Vec<Edit>,
}

#[derive(Debug, Clone, Copy)]
struct Edit {
    view: (usize, usize),
    orig: (usize, usize),
}

impl View {
    /// The normalised view of `text`, or `None` when it would equal `text`
    /// (the common case, which costs one pass and no allocation).
    pub fn of(text: &str) -> Option<View> {
        if !needs_view(text) {
            return None;
        }
        let mut view = View {
            text: String::with_capacity(text.len()),
            edits: Vec::new(),
        };
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let end = at + c.len_utf8();
            if c == '\r' || c == '\n' || c == '\u{2028}' {
                // A wrap right after a hyphen between digits: join it.
                if wrapped_number(&view.text, text.get(end..).unwrap_or_default()) {
                    let mut stop = end;
                    while let Some(&(next_at, next)) = chars.peek() {
                        if matches!(next, '\n' | ' ' | '\t') && !(next == '\n' && c == '\n') {
                            stop = next_at + next.len_utf8();
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    view.replace(at, stop, "");
                    continue;
                }
                view.keep(c);
                continue;
            }
            if c.is_ascii() {
                view.keep(c);
                continue;
            }
            if invisible(c) {
                view.replace(at, end, "");
            } else if dash(c) {
                view.replace(at, end, "-");
            } else if folds_to_itself(c) {
                view.keep(c);
            } else {
                let folded: String = std::iter::once(c).nfkc().collect();
                if folded.len() == c.len_utf8() && folded.starts_with(c) {
                    view.keep(c);
                } else {
                    let folded: String = folded
                        .chars()
                        .map(|f| if dash(f) { '-' } else { f })
                        .collect();
                    view.replace(at, end, &folded);
                }
            }
        }
        (view.text != text).then_some(view)
    }

    fn keep(&mut self, c: char) {
        self.text.push(c);
    }

    /// The original bytes `from..to` read as `with` in the view.
    fn replace(&mut self, from: usize, to: usize, with: &str) {
        let start = self.text.len();
        self.text.push_str(with);
        let edit = Edit {
            view: (start, self.text.len()),
            orig: (from, to),
        };
        match self.edits.last_mut() {
            Some(last) if last.view.1 == start && last.orig.1 == from => {
                last.view.1 = edit.view.1;
                last.orig.1 = to;
            }
            _ => self.edits.push(edit),
        }
    }

    /// The original offset where view byte `at` starts.
    pub fn start(&self, at: usize) -> usize {
        let before = self.edits.partition_point(|e| e.view.0 <= at);
        match before.checked_sub(1).and_then(|i| self.edits.get(i)) {
            None => at,
            Some(e) if at < e.view.1 => e.orig.0,
            Some(e) => e.orig.1 + (at - e.view.1),
        }
    }

    /// The original offset where a view range ending (exclusive) at `at` ends.
    pub fn end(&self, at: usize) -> usize {
        let before = self.edits.partition_point(|e| e.view.0 < at);
        match before.checked_sub(1).and_then(|i| self.edits.get(i)) {
            None => at,
            Some(e) if at <= e.view.1 => e.orig.1,
            Some(e) => e.orig.1 + (at - e.view.1),
        }
    }
}

/// Whether `text` holds anything the view may change: a non-ASCII
/// character that is invisible, a dash or not its own NFKC form, or a line
/// break right after a hyphen.
fn needs_view(text: &str) -> bool {
    let bytes = text.as_bytes();
    // One pass over the line breaks (a hyphen before one is rare).
    if memchr::memchr2_iter(b'\n', b'\r', bytes)
        .any(|at| at > 0 && bytes.get(at - 1) == Some(&b'-'))
    {
        return true;
    }
    !text.is_ascii()
        && text.chars().any(|c| {
            !c.is_ascii() && (c == '\u{2028}' || invisible(c) || dash(c) || !folds_to_itself(c))
        })
}

/// NFKC leaves `c` as it is (the quick check; "maybe" counts as no).
fn folds_to_itself(c: char) -> bool {
    is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
}

/// `seen` (the view so far) ends in a letter or digit and a hyphen, and
/// `rest` (after the line break) goes on, past spaces, with a digit: a
/// number (or a lettered identifier such as `QWD-300445932`) wrapped at
/// its hyphen, which a reader reads as one.
fn wrapped_number(seen: &str, rest: &str) -> bool {
    let mut back = seen.chars().rev();
    back.next() == Some('-')
        && back.next().is_some_and(char::is_alphanumeric)
        && rest
            .trim_start_matches([' ', '\t', '\n', '\r'])
            .chars()
            .next()
            .is_some_and(char::is_numeric)
}

/// Characters a reader does not see: format controls (Cf), the combining
/// grapheme joiner, variation selectors, tag characters and fillers.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Dashes and hyphens a reader takes for `-`.
fn dash(c: char) -> bool {
    matches!(
        c,
        '\u{058A}' | '\u{05BE}' | '\u{1400}' | '\u{1806}' | '\u{2010}'
            ..='\u{2015}'
                | '\u{2043}'
                | '\u{2212}'
                | '\u{2E17}'
                | '\u{2E1A}'
                | '\u{2E3A}'
                | '\u{2E3B}'
                | '\u{2E40}'
                | '\u{301C}'
                | '\u{3030}'
                | '\u{30A0}'
                | '\u{FE31}'
                | '\u{FE32}'
                | '\u{FE58}'
                | '\u{FE63}'
                | '\u{FF0D}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(text: &str, needle: &str) -> String {
        let view = View::of(text).unwrap();
        let at = view.text.find(needle).unwrap();
        let (s, e) = (view.start(at), view.end(at + needle.len()));
        text[s..e].to_owned()
    }

    #[test]
    fn invisible_characters_go_and_offsets_map_back() {
        let text = "SSN 123\u{200B}-45-67\u{00AD}89 ok";
        let view = View::of(text).unwrap();
        assert_eq!(view.text, "SSN 123-45-6789 ok");
        assert_eq!(mapped(text, "123-45-6789"), "123\u{200B}-45-67\u{00AD}89");
        assert_eq!(mapped(text, "SSN"), "SSN");
        assert_eq!(mapped(text, "ok"), "ok");
    }

    #[test]
    fn dashes_spaces_and_fullwidth_forms_fold() {
        let text =
            "123\u{2013}45\u{2011}6789 a\u{00A0}b \u{FF14}\u{FF11}\u{FF11}\u{FF11} x\u{FF20}y.de";
        let view = View::of(text).unwrap();
        assert_eq!(view.text, "123-45-6789 a b 4111 x@y.de");
        assert_eq!(mapped(text, "4111"), "\u{FF14}\u{FF11}\u{FF11}\u{FF11}");
        assert_eq!(mapped(text, "x@y"), "x\u{FF20}y");
    }

    #[test]
    fn a_wrapped_hyphenated_number_is_joined_and_prose_is_not() {
        let text = "SSN 123-45-\n   6789 and well-\nknown, ID QWD-\u{2028}300445932";
        let view = View::of(text).unwrap();
        assert_eq!(
            view.text,
            "SSN 123-45-6789 and well-\nknown, ID QWD-300445932"
        );
        assert_eq!(mapped(text, "123-45-6789"), "123-45-\n   6789");
        assert!(View::of("plain ASCII, nothing to do").is_none());
        assert!(View::of("caf\u{E9} stays").is_none());
    }
}
