//! Identifiers whose label is not beside them: a value under a table
//! column's header (tab-separated, Markdown pipe or comma-separated, the
//! way records are pasted into a prompt), the value of a FHIR
//! `identifier` whose type or system names it, and the fields of an HL7
//! v2 `PID` or `IN1` segment, which are positional.
//!
//! These passes run after the automaton's and only look at text that has
//! the shape (a tab, a pipe, a comma-separated header, `"value"`, a
//! segment name); each value is validated as its field says (a date, a
//! record identifier, a valid SSN, a postal code, a dialable number), so a
//! label alone never makes a finding.

use regex_automata::{Anchored, Input, meta};

use super::{
    Category, Detector, Finding, PiiError, digit_count, digit_value, digits_of, ssn_valid,
};

/// What a header, an identifier's type or a segment position says a
/// value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    BirthDate,
    Record,
    Plan,
    Ssn,
    Postal,
    Phone,
}

/// The longest header cell or label read (bytes).
const MAX_LABEL: usize = 48;

/// The fields in the order of [`header_regex`].
const FIELDS: [Field; 6] = [
    Field::BirthDate,
    Field::Record,
    Field::Plan,
    Field::Ssn,
    Field::Postal,
    Field::Phone,
];

/// One anchored pattern per field: a whole header cell (or type text)
/// that is the label, with an optional `number`/`no.`/`id`/`code` tail.
pub(super) fn header_regex() -> Result<meta::Regex, PiiError> {
    let tail = r"(?:\s*(?:number|no\.?|nr\.?|num|id|code|#))?\s*[:#]?";
    let patterns: Vec<String> = [
        super::DOB_LABEL,
        super::MRN_LABEL,
        super::PLAN_LABEL,
        super::SSN_LABEL,
        super::POSTAL_LABEL,
        super::PHONE_LABEL,
    ]
    .iter()
    .map(|label| format!(r"^\s*{label}{tail}$"))
    .collect();
    meta::Builder::new()
        .syntax(regex_automata::util::syntax::Config::new().unicode(true))
        .build_many(&patterns)
        .map_err(|e| PiiError::Build(e.to_string()))
}

impl Detector {
    /// The field a header cell (or an identifier's type text) names: `_`
    /// and camel case read as spaces (`member_id`, `dateOfBirth`).
    fn field_named(&self, label: &str) -> Option<Field> {
        if label.is_empty() || label.len() > MAX_LABEL {
            return None;
        }
        let mut words = String::with_capacity(label.len() + 4);
        let mut prev_lower = false;
        for c in label.chars() {
            if c == '_' {
                words.push(' ');
            } else {
                if prev_lower && c.is_uppercase() {
                    words.push(' ');
                }
                words.push(c);
            }
            prev_lower = c.is_lowercase();
        }
        let m = self
            .header
            .search(&Input::new(&words).anchored(Anchored::Yes))?;
        FIELDS.get(m.pattern().as_usize()).copied()
    }

    /// The finding for the value in `text[s..e]` when it is what `field`
    /// says (surrounding spaces and quotes trimmed).
    fn field_value(&self, text: &str, field: Field, s: usize, e: usize) -> Option<Finding> {
        let (s, e) = trim(text, s, e);
        let value = text.get(s..e)?;
        if value.is_empty() {
            return None;
        }
        let digits = digits_of(value);
        let only = |allowed: &dyn Fn(char) -> bool| {
            value
                .chars()
                .all(|c| digit_value(c).is_some() || allowed(c))
        };
        let whole = |re: &meta::Regex| {
            re.find(Input::new(text).span(s..e).anchored(Anchored::Yes))
                .is_some_and(|m| m.end() == e)
        };
        let category = match field {
            Field::BirthDate => {
                let compact = digits.len() == 8 && only(&|_| false) && compact_date(&digits);
                (compact || whole(&self.date)).then_some(Category::DateOfBirth)
            }
            Field::Record | Field::Plan => {
                let shaped = value.chars().count() <= 25
                    && value.chars().next().is_some_and(char::is_alphanumeric)
                    && value.chars().last().is_some_and(char::is_alphanumeric)
                    && only(&|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.' | ' '))
                    // Spaces only between groups of digits (`943 476 5919`).
                    && (!value.contains(' ')
                        || value.chars().all(|c| c == ' ' || digit_value(c).is_some()));
                (shaped && digits.len() >= 3).then_some(if field == Field::Record {
                    Category::MedicalRecordNumber
                } else {
                    Category::HealthPlanNumber
                })
            }
            Field::Ssn => {
                (digits.len() == 9 && only(&|c| matches!(c, '-' | ' ')) && ssn_valid(&digits))
                    .then_some(Category::Ssn)
            }
            Field::Postal => whole(&self.postal_value).then_some(Category::PostalCode),
            Field::Phone => ((7..=15).contains(&digits.len())
                && only(&|c| matches!(c, '+' | '＋' | '(' | ')' | ' ' | '-' | '.' | '/')))
            .then_some(Category::Phone),
        }?;
        Some(Finding {
            category,
            start: s,
            end: e,
        })
    }

    /// Values under labelled table columns.
    pub(super) fn table_findings(&self, text: &str, out: &mut Vec<Finding>) {
        let mut header: Option<Vec<Option<Field>>> = None;
        for line in lines(text) {
            let at = offset(text, line);
            let delimiter = if holds(line, b'\t') {
                '\t'
            } else if holds(line, b'|') {
                '|'
            } else if holds(line, b';') {
                ';'
            } else if holds(line, b',') {
                ','
            } else {
                // A rule under a header (`----+----`, `=====`) keeps it.
                let rule = line.contains("---") || line.contains("===");
                if (!rule || line.contains(|c: char| c.is_alphanumeric()))
                    && !line.trim().is_empty()
                {
                    header = None;
                }
                continue;
            };
            // Prose is no table: with no header open, a line with a long
            // cell cannot start one, and is not split further.
            if header.is_none()
                && delimiter != '|'
                && line
                    .split(delimiter)
                    .enumerate()
                    .any(|(i, c)| label_part(c, i).len() > MAX_LABEL)
            {
                continue;
            }
            let rows = if delimiter == '|' {
                pipe_rows(line, at)
            } else {
                vec![cells(line, at, delimiter)]
            };
            for row in rows {
                if row.len() < 2 {
                    header = None;
                    continue;
                }
                if row.iter().all(|&(s, e)| separator_cell(&text[s..e])) {
                    // A Markdown header's rule: the columns are the rule's.
                    if let Some(h) = header.as_mut() {
                        let extra = h.len().saturating_sub(row.len());
                        h.drain(..extra);
                    }
                    continue;
                }
                if let Some(fields) = self.header_row(text, &row) {
                    header = Some(fields);
                    continue;
                }
                match &header {
                    Some(fields) if fields.len() == row.len() => {
                        for (field, &(s, e)) in fields.iter().zip(&row) {
                            if let Some(f) = field.and_then(|f| self.field_value(text, f, s, e)) {
                                out.push(f);
                            }
                        }
                    }
                    _ => header = None,
                }
            }
        }
    }

    /// Values after a list of labels: `Export (name; dob; zip): Ann; 1990-01-02;
    /// 94110`, `SSN/DOB: 219-09-9999 / 01/02/1990`. The labels and the
    /// values are split by the same delimiter and paired in order.
    pub(super) fn label_list_findings(&self, text: &str, out: &mut Vec<Finding>) {
        for colon in memchr::memchr_iter(b':', text.as_bytes()) {
            let Some(labels) = label_list(text, colon) else {
                continue;
            };
            // The values: to the end of the line, at most 256 bytes on.
            let mut line_end = (colon + 256).min(text.len());
            while !text.is_char_boundary(line_end) {
                line_end -= 1;
            }
            let rest = text.as_bytes().get(colon..line_end).unwrap_or_default();
            // Two labels or more need a delimiter after the colon: most
            // colons have none (`MRN: ...`), which one search tells.
            if memchr::memchr(labels.delimiter, rest).is_none() {
                continue;
            }
            let line_end = next_break(rest, 0).map_or(line_end, |(i, _)| colon + i);
            // One value per label needs a delimiter between each two (a
            // ` / ` holds a `/`): without them, no pairing (checked before
            // the labels are read, which costs more).
            let line = text.as_bytes().get(colon..line_end).unwrap_or_default();
            let delimiters = memchr::memchr_iter(labels.delimiter, line).count();
            if delimiters + 1 < labels.count {
                continue;
            }
            let region = text.get(labels.start..labels.end).unwrap_or_default();
            let delimiter = char::from(labels.delimiter);
            let cells = cells(region, labels.start, delimiter);
            let Some(fields) = self.header_row(text, &cells) else {
                continue;
            };
            let values = list_values(text, colon + 1, line_end, delimiter, fields.len());
            if values.len() != fields.len() {
                continue;
            }
            for (field, &(s, e)) in fields.iter().zip(&values) {
                if let Some(f) = field.and_then(|f| self.field_value(text, f, s, e)) {
                    out.push(f);
                }
            }
        }
    }

    /// A header row: short cells, none holding a number, one or more naming
    /// a field.
    fn header_row(&self, text: &str, row: &[(usize, usize)]) -> Option<Vec<Option<Field>>> {
        let mut any = false;
        let mut fields = Vec::with_capacity(row.len());
        for (i, &(s, e)) in row.iter().enumerate() {
            // A table pasted after a sentence: `From the ward list: MRN`.
            let cell = label_part(text.get(s..e)?, i);
            if cell.len() > MAX_LABEL || digit_count(cell) >= 3 {
                return None;
            }
            let field = self.field_named(cell);
            any |= field.is_some();
            fields.push(field);
        }
        any.then_some(fields)
    }

    /// The `value` of FHIR identifiers whose `type`, `system` or `code`
    /// names a record, plan or social security number.
    pub(super) fn fhir_findings(&self, text: &str, out: &mut Vec<Finding>) {
        for key in memchr::memmem::find_iter(text.as_bytes(), "\"value\"") {
            let Some((s, e)) = json_string_after(text, key + "\"value\"".len()) else {
                continue;
            };
            let (open, close) = enclosing_object(text, key);
            // The values of the keys that type an identifier, the first 64.
            let literals = json_strings(text, open, close);
            let typing = literals.windows(2).filter_map(|pair| {
                let [(ks, ke), value] = pair else {
                    return None;
                };
                let is_key = text
                    .get(ke + 1..)
                    .is_some_and(|r| r.trim_start().starts_with(':'));
                let key = text.get(*ks..*ke)?;
                (is_key && matches!(key, "type" | "system" | "code" | "text" | "display"))
                    .then_some(*value)
            });
            let field = typing
                .take(64)
                .filter(|&(ls, _)| ls != s)
                .find_map(|(ls, le)| text.get(ls..le).and_then(|l| self.identifier_type(l)));
            if let Some(f) = field.and_then(|f| self.field_value(text, f, s, e)) {
                out.push(f);
            }
        }
    }

    /// What an identifier's type text says: an HL7 v2-0203 code (`MR`,
    /// `MB`, `SS` ...), a system URI, or a label.
    fn identifier_type(&self, literal: &str) -> Option<Field> {
        if let Some(f) = type_code(literal) {
            return Some(f);
        }
        let lower = literal.to_ascii_lowercase();
        if lower.contains("://") || lower.starts_with("urn:") {
            return if lower.contains("us-ssn") || lower.ends_with("/ssn") {
                Some(Field::Ssn)
            } else if [
                "nhs-number",
                "medicare",
                "mbi",
                "member",
                "insurance",
                "health-plan",
            ]
            .iter()
            .any(|k| lower.contains(k))
            {
                Some(Field::Plan)
            } else if ["mrn", "medical-record", "patient-id"]
                .iter()
                .any(|k| lower.contains(k))
            {
                Some(Field::Record)
            } else {
                None
            };
        }
        self.field_named(literal)
            .filter(|f| matches!(f, Field::Record | Field::Plan | Field::Ssn))
    }

    /// The postal code of vCard `ADR` properties (the sixth component).
    pub(super) fn vcard_findings(&self, text: &str, out: &mut Vec<Finding>) {
        let starts: Vec<usize> = memchr::memmem::find_iter(text.as_bytes(), "ADR").collect();
        for (i, &at) in starts.iter().enumerate() {
            let next = starts.get(i + 1).copied().unwrap_or(text.len());
            let boundary = text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let rest = &text[at + 3..];
            if !boundary || !rest.starts_with([';', ':']) {
                continue;
            }
            // Parameters (`;TYPE=HOME`), then the value after the colon.
            let Some(colon) = rest.get(..rest.len().min(80)).and_then(|r| r.find(':')) else {
                continue;
            };
            let start = at + 3 + colon + 1;
            // The value: to the line's end, at most 1 KiB on.
            let mut limit = (start + 1024).min(next.max(start)).min(text.len());
            while !text.is_char_boundary(limit) {
                limit -= 1;
            }
            let end = text[start..limit]
                .find(['\n', '\r'])
                .map_or(limit, |i| start + i);
            let components = split(text, start, end, ';');
            if let Some(f) = components
                .get(5)
                .and_then(|&(s, e)| self.field_value(text, Field::Postal, s, e))
            {
                out.push(f);
            }
        }
    }

    /// Values of SQL `INSERT ... (columns) VALUES (...), (...)`: the column
    /// list labels each tuple's values.
    pub(super) fn sql_findings(&self, text: &str, out: &mut Vec<Finding>) {
        for keyword in ["VALUES", "values", "Values"] {
            // Tuples already read are not read again for a later keyword.
            let mut read_to = 0;
            for at in memchr::memmem::find_iter(text.as_bytes(), keyword) {
                if at < read_to {
                    continue;
                }
                let mut from = at.saturating_sub(400);
                while !text.is_char_boundary(from) {
                    from += 1;
                }
                let head = &text[from..at];
                let Some(close) = head.rfind(')') else {
                    continue;
                };
                let Some(open) = head[..close].rfind('(') else {
                    continue;
                };
                let columns = cells(&head[open + 1..close], from + open + 1, ',');
                let Some(fields) = self.header_row(text, &columns) else {
                    continue;
                };
                let mut i = at + keyword.len();
                while let Some(tuple) = sql_tuple(text, i) {
                    if tuple.values.len() == fields.len() {
                        for (field, &(s, e)) in fields.iter().zip(&tuple.values) {
                            if let Some(f) = field.and_then(|f| self.field_value(text, f, s, e)) {
                                out.push(f);
                            }
                        }
                    }
                    i = tuple.end;
                }
                read_to = i;
            }
        }
    }

    /// Elements of X12 (270/271, 837) segments: `NM1` names with an
    /// identification code qualifier (`MI` member, `34` SSN), `N4` postal
    /// codes, `DMG*D8` birth dates, `REF` member and record numbers.
    pub(super) fn x12_findings(&self, text: &str, out: &mut Vec<Finding>) {
        let has =
            |segment: &str| memchr::memmem::find(text.as_bytes(), segment.as_bytes()).is_some();
        if !holds(text, b'*') || !(has("NM1*") || has("DMG*") || has("N4*")) {
            return;
        }
        for (s, e) in split(text, 0, text.len(), '~') {
            let elements = split(text, s, e, '*');
            let Some(&(ns, ne)) = elements.first() else {
                continue;
            };
            let name = text[ns..ne]
                .split_whitespace()
                .next_back()
                .unwrap_or_default();
            let element = |n: usize| {
                elements
                    .get(n)
                    .and_then(|&(a, b)| Some((a, b, text.get(a..b)?)))
            };
            let (field, at) = match name {
                "NM1" => match element(8).map(|e| e.2) {
                    Some("MI" | "II") => (Field::Plan, 9),
                    Some("34") => (Field::Ssn, 9),
                    Some("MR") => (Field::Record, 9),
                    _ => continue,
                },
                "N4" => (Field::Postal, 3),
                // Communication numbers: a qualifier, then the number.
                "PER" => {
                    for q in [3, 5, 7] {
                        let phone = element(q)
                            .is_some_and(|e| matches!(e.2, "TE" | "HP" | "WP" | "CP" | "FX"));
                        if let Some(f) = element(q + 1)
                            .filter(|_| phone)
                            .and_then(|(a, b, _)| self.field_value(text, Field::Phone, a, b))
                        {
                            out.push(f);
                        }
                    }
                    continue;
                }
                "DMG" if element(1).is_some_and(|e| e.2 == "D8") => (Field::BirthDate, 2),
                "REF" => match element(1).map(|e| e.2) {
                    Some("SY") => (Field::Ssn, 2),
                    Some("EA") => (Field::Record, 2),
                    Some("1W" | "0F" | "IG") => (Field::Plan, 2),
                    _ => continue,
                },
                _ => continue,
            };
            if let Some(f) = element(at).and_then(|(a, b, _)| self.field_value(text, field, a, b)) {
                out.push(f);
            }
        }
    }

    /// Fields of HL7 v2 `PID`, `NK1` and `IN1` segments, by position.
    pub(super) fn hl7_findings(&self, text: &str, out: &mut Vec<Finding>) {
        if !holds(text, b'|') {
            return;
        }
        // Every segment ends at the next one's start at the latest, so text
        // made of segment names costs linear time.
        let mut starts: Vec<(usize, Positions)> = HL7_FIELDS
            .iter()
            .flat_map(|(segment, positions)| {
                text.match_indices(segment)
                    .map(move |(at, _)| (at, *positions))
            })
            .filter(|(at, _)| {
                text[..*at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            })
            .collect();
        starts.sort_by_key(|(at, _)| *at);
        for (i, &(at, positions)) in starts.iter().enumerate() {
            let next = starts.get(i + 1).map_or(text.len(), |(n, _)| *n);
            self.hl7_segment(text, at, next, positions, out);
        }
    }

    fn hl7_segment(
        &self,
        text: &str,
        at: usize,
        next: usize,
        positions: &[(usize, Option<Field>)],
        out: &mut Vec<Finding>,
    ) {
        let end = segment_end(text, at + 4, next);
        let fields = split(text, at, end, '|');
        for &(index, field) in positions {
            let Some(&(fs, fe)) = fields.get(index) else {
                continue;
            };
            for (rs, re) in split(text, fs, fe, '~') {
                let components = split(text, rs, re, '^');
                let component = |n: usize| components.get(n).copied();
                let found = match field {
                    // An identifier list: the type code (component 5)
                    // says what the id (component 1) is; no code, a record.
                    None => component(0).and_then(|(s, e)| {
                        let code = component(4).and_then(|(cs, ce)| text.get(cs..ce));
                        let f = match code {
                            Some(code) if !code.is_empty() => type_code(code)?,
                            _ => Field::Record,
                        };
                        self.field_value(text, f, s, e)
                    }),
                    // An address: the postal code is component 5.
                    Some(Field::Postal) => {
                        component(4).and_then(|(s, e)| self.field_value(text, Field::Postal, s, e))
                    }
                    Some(Field::BirthDate) => component(0).and_then(|(s, e)| {
                        // `YYYYMMDD[HHMM[SS]]`: the date is the first eight.
                        let e = if e - s > 8 && text[s..e].bytes().all(|b| b.is_ascii_digit()) {
                            s + 8
                        } else {
                            e
                        };
                        self.field_value(text, Field::BirthDate, s, e)
                    }),
                    Some(f) => component(0).and_then(|(s, e)| self.field_value(text, f, s, e)),
                };
                out.extend(found);
            }
        }
    }
}

/// `byte_class` bits: the four delimiters (`;` `|` `/` `,`), each its own bit.
const DELIMITERS: u8 = 0x0f;
/// A stop before unbracketed labels: a line break, `:`, `(`, or a
/// sentence's end.
const STOP: u8 = 0x10;
/// The stop before bracketed labels: `(` or `[`.
const OPEN: u8 = 0x20;
/// An ASCII space (`char::is_whitespace`).
const SPACE: u8 = 0x40;
/// The last byte of `⏎`.
const SYMBOL_END: u8 = 0x80;

/// What `byte` is to `label_list` (a match the compiler makes a table).
fn byte_class(byte: u8) -> u8 {
    match byte {
        b';' => 1,
        b'|' => 2,
        b'/' => 4,
        b',' => 8,
        b'\n' | b'\r' => STOP | SPACE,
        b':' | b'.' | b'!' | b'?' => STOP,
        b'(' => STOP | OPEN,
        b'[' => OPEN,
        b' ' | b'\t' | 0x0b | 0x0c => SPACE,
        0x8e => SYMBOL_END,
        _ => 0,
    }
}

/// Two or more labels before a colon: the text they are in, the delimiter
/// between them (`;` `|` `/` `,`) and how many there are.
struct Labels {
    start: usize,
    end: usize,
    delimiter: u8,
    count: usize,
}

/// The labels before the colon at `colon` (at most 80 bytes back, to an
/// opening parenthesis, a line or sentence start) when there are two or
/// more.
fn label_list(text: &str, colon: usize) -> Option<Labels> {
    let head = text.get(..colon)?.trim_end();
    let (head, bracketed) = match head.strip_suffix([')', ']']) {
        Some(h) => (h, true),
        None => (head, false),
    };
    let floor = head.len().saturating_sub(80);
    let mut from = floor;
    while !head.is_char_boundary(from) {
        from += 1;
    }
    // Read backwards once to just past the last stop in `head[from..]`,
    // noting the delimiters and rejecting a label of five words or more
    // (a phrase, not a label) as soon as it is seen. Words are counted at
    // ASCII spaces only, which counts no more than Unicode's do (exactly
    // as many in ASCII; other text is counted again below).
    let window = head.get(from..)?.as_bytes();
    let stop = if bracketed { OPEN } else { STOP };
    let (mut kinds, mut delimiters, mut words, mut in_word) = (0u8, 0, 0, false);
    // A label after another holding three digits or more is a value, and
    // `header_row` would refuse it: the list is refused now.
    let mut digits = 0;
    let mut ascii = true;
    let mut stop_end = None;
    for (i, &b) in window.iter().enumerate().rev() {
        let class = byte_class(b);
        ascii &= b.is_ascii();
        let symbol = !bracketed
            && class & SYMBOL_END != 0
            && window.get(..=i).is_some_and(|w| w.ends_with(LINE_SYMBOL));
        if class & stop != 0 || symbol {
            stop_end = Some(i + 1);
            break;
        }
        if class & DELIMITERS != 0 {
            if digits >= 3 {
                return None;
            }
            kinds |= class & DELIMITERS;
            (delimiters, words, in_word, digits) = (delimiters + 1, 0, false, 0);
        } else if class & SPACE != 0 {
            in_word = false;
        } else {
            digits += usize::from(b.is_ascii_digit());
            if !in_word {
                (words, in_word) = (words + 1, true);
                if words > 4 {
                    return None;
                }
            }
        }
    }
    let start = stop_end.map_or(floor, |end| from + end);
    if bracketed && start == floor && floor > 0 {
        return None;
    }
    let region = head.get(start..)?;
    // One kind of delimiter between the labels: a label holding another
    // kind is a phrase holding another list (`Sato, Daan`).
    let delimiter = match kinds {
        1 => b';',
        2 => b'|',
        4 => b'/',
        8 => b',',
        _ => return None,
    };
    // Each a label, not a phrase: four words at most. In ASCII the words
    // counted above are Unicode's; otherwise they are counted again, split
    // at Unicode's spaces.
    if !ascii
        && !region
            .split(char::from(delimiter))
            .all(|l| l.split_whitespace().nth(4).is_none())
    {
        return None;
    }
    Some(Labels {
        start,
        end: start + region.len(),
        delimiter,
        count: delimiters + 1,
    })
}

/// The first `n` values in `text[s..e]` split by `delimiter` (a `/` only
/// between spaces when one is, since dates hold slashes); the last value
/// ends at a following `, ` or `. `.
fn list_values(text: &str, s: usize, e: usize, delimiter: char, n: usize) -> Vec<(usize, usize)> {
    let body = &text[s..e];
    let mut values: Vec<(usize, usize)> = if delimiter == '/' && body.contains(" / ") {
        body.split(" / ")
            .map(|v| {
                let vs = s + offset(body, v);
                (vs, vs + v.len())
            })
            .collect()
    } else {
        cells(body, s, delimiter)
    };
    values.truncate(n);
    if let Some(last) = values.last_mut() {
        let value = &text[last.0..last.1];
        if let Some(cut) = [", ", ". ", "; "]
            .iter()
            .filter(|p| !p.starts_with(delimiter))
            .filter_map(|p| value.find(p))
            .min()
        {
            last.1 = last.0 + cut;
        }
    }
    values
}

/// Field positions and what each holds.
type Positions = &'static [(usize, Option<Field>)];

/// The fields of HL7 v2 segments that hold identifiers, by position (`None`:
/// an identifier list, whose type code says what each id is).
const HL7_FIELDS: &[(&str, Positions)] = &[
    (
        "PID|",
        &[
            (2, Some(Field::Record)),
            (3, None),
            (7, Some(Field::BirthDate)),
            (11, Some(Field::Postal)),
            (13, Some(Field::Phone)),
            (14, Some(Field::Phone)),
            (19, Some(Field::Ssn)),
        ],
    ),
    (
        "NK1|",
        &[
            (4, Some(Field::Postal)),
            (5, Some(Field::Phone)),
            (6, Some(Field::Phone)),
            (16, Some(Field::BirthDate)),
            (37, Some(Field::Ssn)),
        ],
    ),
    (
        "GT1|",
        &[
            (5, Some(Field::Postal)),
            (6, Some(Field::Phone)),
            (7, Some(Field::Phone)),
            (8, Some(Field::BirthDate)),
            (12, Some(Field::Ssn)),
        ],
    ),
    (
        "IN1|",
        &[
            (5, Some(Field::Postal)),
            (18, Some(Field::BirthDate)),
            (19, Some(Field::Postal)),
            (36, Some(Field::Plan)),
            (49, Some(Field::Plan)),
        ],
    ),
];

/// One parenthesised tuple of SQL values.
struct SqlTuple {
    values: Vec<(usize, usize)>,
    /// Just past its closing parenthesis.
    end: usize,
}

/// The tuple that starts at `from` (after spaces and a comma), its
/// values split at commas outside quotes; at most 4 KiB.
fn sql_tuple(text: &str, from: usize) -> Option<SqlTuple> {
    let rest = text.get(from..)?;
    let skipped = rest.len() - rest.trim_start_matches([' ', ',', '\n', '\r', '\t']).len();
    let open = from + skipped;
    if !text.get(open..)?.starts_with('(') {
        return None;
    }
    let mut values = Vec::new();
    let mut start = open + 1;
    let mut quoted = false;
    let body = text.get(open + 1..)?;
    for (j, c) in body.char_indices().take_while(|(j, _)| *j < 4096) {
        let at = open + 1 + j;
        match c {
            '\'' => quoted = !quoted,
            ',' if !quoted => {
                values.push((start, at));
                start = at + 1;
            }
            ')' if !quoted => {
                values.push((start, at));
                return Some(SqlTuple {
                    values,
                    end: at + 1,
                });
            }
            _ => {}
        }
    }
    None
}

/// HL7 v2 table 0203 identifier type codes.
fn type_code(code: &str) -> Option<Field> {
    match code.trim() {
        "MR" | "MRN" | "PI" | "PT" | "PN" => Some(Field::Record),
        "MB" | "SN" | "MC" | "MA" | "NH" | "NHS" | "JHN" | "NIIP" => Some(Field::Plan),
        "SS" | "SSN" => Some(Field::Ssn),
        _ => None,
    }
}

/// `YYYYMMDD` with a plausible year, month and day.
fn compact_date(d: &[u32]) -> bool {
    let n = |r: std::ops::Range<usize>| {
        d.get(r)
            .unwrap_or_default()
            .iter()
            .fold(0, |a, x| a * 10 + x)
    };
    let (y, m, day) = (n(0..4), n(4..6), n(6..8));
    (1880..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&day)
}

/// `s..e` without surrounding whitespace and quotes.
fn trim(text: &str, s: usize, e: usize) -> (usize, usize) {
    let cell = text.get(s..e).unwrap_or_default();
    let strip = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '*');
    let left = cell.len() - cell.trim_start_matches(strip).len();
    let right = cell.trim_end_matches(strip).len();
    if left >= right {
        (s, s)
    } else {
        (s + left, s + right)
    }
}

/// The part of a header cell that can be a label: after a sentence's
/// colon for the first cell (`From the ward list: MRN`).
fn label_part(cell: &str, index: usize) -> &str {
    match cell.rsplit_once(": ") {
        Some((_, last)) if index == 0 => last.trim(),
        _ => cell.trim(),
    }
}

/// Whether `text` holds the ASCII byte `byte` (the `memchr` crate reads
/// a vector at a time; `str::contains(char)` a word at a time).
fn holds(text: &str, byte: u8) -> bool {
    memchr::memchr(byte, text.as_bytes()).is_some()
}

/// The lines of `text`: split at `\n`, `\r` and `⏎` (a line break
/// pasted as a symbol), as `split` would, empty lines and all.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let line_start = start?;
        match next_break(text.as_bytes(), line_start) {
            Some((at, len)) => {
                start = Some(at + len);
                text.get(line_start..at)
            }
            None => {
                start = None;
                text.get(line_start..)
            }
        }
    })
}

/// `⏎`: a line break pasted as a symbol.
const LINE_SYMBOL: &[u8] = "⏎".as_bytes();

/// The first line break in `bytes[from..]` (`\n`, `\r` or `⏎`): where it
/// is and its length in bytes.
fn next_break(bytes: &[u8], mut from: usize) -> Option<(usize, usize)> {
    let lead = LINE_SYMBOL.first().copied().unwrap_or(b'\n');
    // `⏎` starts with 0xe2, as do other symbols: those are skipped.
    while let Some(i) = bytes
        .get(from..)
        .and_then(|rest| memchr::memchr3(b'\n', b'\r', lead, rest))
    {
        let at = from + i;
        match bytes.get(at) {
            Some(b'\n' | b'\r') => return Some((at, 1)),
            _ if bytes.get(at..).is_some_and(|r| r.starts_with(LINE_SYMBOL)) => {
                return Some((at, LINE_SYMBOL.len()));
            }
            _ => from = at + 1,
        }
    }
    None
}

/// The byte offset of `part` (a slice of `text`) in `text`.
fn offset(text: &str, part: &str) -> usize {
    part.as_ptr() as usize - text.as_ptr() as usize
}

/// The cells of a delimited line, trimmed.
fn cells(line: &str, at: usize, delimiter: char) -> Vec<(usize, usize)> {
    line.split(delimiter)
        .map(|cell| {
            let s = at + offset(line, cell);
            let lead = cell.len() - cell.trim_start().len();
            // A cell of spaces is empty where it starts.
            (s + lead, (s + cell.trim_end().len()).max(s + lead))
        })
        .collect()
}

/// The rows of a pipe-table line: cells between pipes; an empty cell
/// (`| |`) ends a row, so a table pasted onto one line reads as rows.
fn pipe_rows(line: &str, at: usize) -> Vec<Vec<(usize, usize)>> {
    let all = cells(line, at, '|');
    let last = all.len().saturating_sub(1);
    let mut rows = vec![Vec::new()];
    for (i, &(s, e)) in all.iter().enumerate() {
        if s >= e {
            // Before the first pipe or after the last: not a row break.
            if i != 0 && i != last && rows.last().is_some_and(|r| !r.is_empty()) {
                rows.push(Vec::new());
            }
            continue;
        }
        if let Some(row) = rows.last_mut() {
            row.push((s, e));
        }
    }
    rows.retain(|r| !r.is_empty());
    rows
}

/// A Markdown rule cell: `---`, `:--`, `--:`.
fn separator_cell(cell: &str) -> bool {
    let t = cell.trim().trim_matches(':');
    !t.is_empty() && t.bytes().all(|b| b == b'-')
}

/// The byte ranges between `delimiter`s in `text[s..e]`.
fn split(text: &str, s: usize, e: usize, delimiter: char) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut from = s;
    for (i, c) in text[s..e].char_indices() {
        if c == delimiter {
            parts.push((from, s + i));
            from = s + i + 1;
        }
    }
    parts.push((from, e));
    parts
}

/// Where an HL7 segment ends: a line break, or the next segment's name
/// (`␠PV1|`) when segments were pasted onto one line; at most 4 KiB on and
/// never past `next` (the next segment found), so that text made of
/// segment names costs linear time.
fn segment_end(text: &str, from: usize, next: usize) -> usize {
    let mut limit = (from + 4096).min(next).min(text.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let rest = text.as_bytes().get(from..limit).unwrap_or_default();
    const SEGMENTS: &[&[u8]] = &[
        b"MSH", b"EVN", b"PID", b"PD1", b"PV1", b"PV2", b"NK1", b"IN1", b"IN2", b"IN3", b"GT1",
        b"DG1", b"AL1", b"OBR", b"OBX", b"ORC", b"NTE", b"MRG", b"SPM", b"TXA", b"ROL", b"PR1",
        b"ACC", b"RXA", b"RXE", b"RXO", b"RXR", b"SCH", b"AIS", b"ZPI",
    ];
    let next_segment = |i: usize| match rest.get(i..i + 5) {
        Some([b' ', name @ .., b'|']) => SEGMENTS.contains(&name),
        _ => false,
    };
    (0..rest.len())
        .find(|&i| matches!(rest.get(i), Some(b'\r' | b'\n')) || next_segment(i))
        .map_or(limit, |i| from + i)
}

/// The string after a JSON key (`: "..."`), without its quotes.
fn json_string_after(text: &str, from: usize) -> Option<(usize, usize)> {
    let rest = text.get(from..)?;
    let colon = rest.len() - rest.trim_start().len();
    let rest = rest.trim_start().strip_prefix(':')?;
    let quote = rest.len() - rest.trim_start().len();
    let body = rest.trim_start().strip_prefix('"')?;
    let s = from + colon + 1 + quote + 1;
    let len = body.find(['"', '\n'])?;
    Some((s, s + len))
}

/// The bounds of the JSON object around `at` (brace depth, at most 1 KiB
/// either way).
fn enclosing_object(text: &str, at: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut open = at;
    let mut depth = 0usize;
    let floor = at.saturating_sub(1024);
    while open > floor {
        open -= 1;
        match bytes.get(open).copied().unwrap_or_default() {
            b'}' => depth += 1,
            b'{' if depth == 0 => break,
            b'{' => depth -= 1,
            _ => {}
        }
    }
    let mut close = at;
    depth = 0;
    let ceiling = (at + 1024).min(bytes.len());
    while close < ceiling {
        match bytes.get(close).copied().unwrap_or_default() {
            b'{' => depth += 1,
            b'}' if depth == 0 => break,
            b'}' => depth -= 1,
            _ => {}
        }
        close += 1;
    }
    (open, close)
}

/// The string literals in `text[s..e]`, without quotes.
fn json_strings(text: &str, s: usize, e: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open = None;
    for (i, b) in text
        .as_bytes()
        .get(s..e)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if *b == b'"' {
            match open.take() {
                Some(o) => out.push((o, s + i)),
                None => open = Some(s + i + 1),
            }
        }
    }
    out
}

/// `found` (in order, not overlapping) with the structural findings
/// added: one that holds findings of other categories replaces them (its
/// column or field says what the value is); one that overlaps a finding of
/// its own category, or only part of another, is dropped.
pub(super) fn merge(found: Vec<Finding>, mut extra: Vec<Finding>) -> Vec<Finding> {
    if extra.is_empty() {
        return found;
    }
    extra.sort_by_key(|f| f.start);
    let mut dropped = vec![false; found.len()];
    let mut added: Vec<Finding> = Vec::new();
    for f in extra {
        if added.last().is_some_and(|g| g.end > f.start) {
            continue;
        }
        let lo = found.partition_point(|g| g.end <= f.start);
        let overlapping = found.get(lo..).unwrap_or_default();
        let hi = lo + overlapping.partition_point(|g| g.start < f.end);
        let overlapping = found.get(lo..hi).unwrap_or_default();
        let same = overlapping.iter().any(|g| g.category == f.category);
        let inside = overlapping
            .iter()
            .all(|g| g.start >= f.start && g.end <= f.end);
        if same || !inside {
            continue;
        }
        dropped.iter_mut().take(hi).skip(lo).for_each(|d| *d = true);
        added.push(f);
    }
    let mut out: Vec<Finding> = found
        .into_iter()
        .zip(dropped)
        .filter_map(|(f, d)| (!d).then_some(f))
        .chain(added)
        .collect();
    out.sort_by_key(|f| f.start);
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Category, Detector, PiiError};
    use super::lines;

    fn found(text: &str) -> Result<Vec<(Category, String)>, PiiError> {
        let d = Detector::new()?;
        Ok(d.scan(text)
            .into_iter()
            .map(|f| (f.category, text[f.start..f.end].to_owned()))
            .collect())
    }

    #[test]
    fn table_columns_label_their_values() -> Result<(), PiiError> {
        use Category::*;
        let tsv = "chart_no\tdateOfBirth\tzip_code\tward\nQK-30417\t1962-03-14\t94110\t4B\nQK-30522\tunknown\t10027\t2A\n";
        assert_eq!(
            found(tsv)?,
            vec![
                (MedicalRecordNumber, "QK-30417".into()),
                (DateOfBirth, "1962-03-14".into()),
                (PostalCode, "94110".into()),
                (MedicalRecordNumber, "QK-30522".into()),
                (PostalCode, "10027".into()),
            ]
        );
        // A Markdown table pasted onto one line after a sentence.
        let pipe = "Roster below: | Subscriber ID | Social Security No | Bed | |:---|---|--:| | ZX81-4477 | 219-09-9999 | 12 | | ZX81-5012 | 000-12-3456 | 14 |";
        assert_eq!(
            found(pipe)?,
            vec![
                (HealthPlanNumber, "ZX81-4477".into()),
                (Ssn, "219-09-9999".into()),
                (HealthPlanNumber, "ZX81-5012".into()),
            ]
        );
        // Without a labelled header the same values are nothing.
        assert_eq!(
            found("ref\twhen\tarea\nQK-30417\t1962-03-14\t94110\n")?,
            vec![]
        );
        // A column of a different length ends the table.
        assert_eq!(found("mrn,dob\n55-1002,1990-01-02,extra\n")?, vec![]);
        Ok(())
    }

    #[test]
    fn label_lists_pair_labels_with_values() -> Result<(), PiiError> {
        use Category::*;
        assert_eq!(
            found("Row (ref; dob; zip code): K-17; 1984-11-30; 60614-2201")?,
            vec![
                (DateOfBirth, "1984-11-30".into()),
                (PostalCode, "60614-2201".into()),
            ]
        );
        assert_eq!(
            found("Checked SSN/DOB: 219-09-9999 / 02/11/1984, thanks")?,
            vec![
                (Ssn, "219-09-9999".into()),
                (DateOfBirth, "02/11/1984".into())
            ]
        );
        // More values than labels, or labels without a field: nothing.
        assert_eq!(found("Dates (start, end): 2024-01-02, 2024-02-03")?, vec![]);
        Ok(())
    }

    #[test]
    fn x12_and_next_of_kin_elements() -> Result<(), PiiError> {
        use Category::*;
        let x12 = "NM1*IL*1*DOE*JANE****MI*QX4471902~N3*12 OAK AVE~N4*AUSTIN*TX*73301~DMG*D8*19840229*F~DTP*291*D8*20240101~";
        assert_eq!(
            found(x12)?,
            vec![
                (HealthPlanNumber, "QX4471902".into()),
                (PostalCode, "73301".into()),
                (DateOfBirth, "19840229".into()),
            ]
        );
        let nk1 = "NK1|1|DOE^JOHN|SPO^Spouse|9 Pine Rd^^Reno^NV^89501|(775)555-0199";
        assert_eq!(
            found(nk1)?,
            vec![
                (PostalCode, "89501".into()),
                (Phone, "(775)555-0199".into())
            ]
        );
        Ok(())
    }

    #[test]
    fn sql_vcard_and_query_output() -> Result<(), PiiError> {
        use Category::*;
        let sql = "INSERT INTO p (mrn, note, dob) VALUES ('QK-30417', 'seen, ok', '1962-03-14'), ('QK-30522', 'x', 'n/a');";
        assert_eq!(
            found(sql)?,
            vec![
                (MedicalRecordNumber, "QK-30417".into()),
                (DateOfBirth, "1962-03-14".into()),
                (MedicalRecordNumber, "QK-30522".into()),
            ]
        );
        let vcard = "BEGIN:VCARD\nADR;TYPE=HOME:;;12 Rue Vieille;Lyon;;69002;France\nBDAY:1970-05-06\nEND:VCARD";
        assert_eq!(
            found(vcard)?,
            vec![
                (PostalCode, "69002".into()),
                (DateOfBirth, "1970-05-06".into())
            ]
        );
        let psql = "Result of the query: member_id | dob\n-----------+------------\nQX-221904 | 1955-10-01\n(1 row)";
        assert_eq!(
            found(psql)?,
            vec![
                (HealthPlanNumber, "QX-221904".into()),
                (DateOfBirth, "1955-10-01".into()),
            ]
        );
        Ok(())
    }

    #[test]
    fn lines_split_as_the_split_chain_did() {
        for text in [
            "",
            "a",
            "a\n",
            "\n\n",
            "a\r\nb",
            "a⏎b⏎",
            "⏎⏎x",
            "x – y “z” ⏎\ru",
            "tail –",
            "\u{2}⏎",
        ] {
            let chained: Vec<&str> = text
                .split('\n')
                .flat_map(|l| l.split('⏎'))
                .flat_map(|l| l.split('\r'))
                .collect();
            assert_eq!(lines(text).collect::<Vec<_>>(), chained, "{text:?}");
        }
    }

    /// Text made of nothing but structure markers: each pass stops at the
    /// next marker or a fixed distance, so these finish in linear time
    /// (a quadratic pass would take minutes here), and nothing panics.
    #[test]
    fn marker_floods_are_safe() -> Result<(), PiiError> {
        let d = Detector::new()?;
        for (flood, expected) in [
            ("PID|".repeat(25_000), 0),
            ("ADR:".repeat(25_000), 0),
            ("|".repeat(100_000), 0),
            ("(mrn; dob; zip): ".repeat(6_000), 0),
            (r#"{"value": "A1", "code": "MR", "#.repeat(3_000), 0),
            ("(mrn, dob) VALUES ".repeat(5_000), 0),
            ("NM1*IL*1*A*B****MI*W1234~".repeat(4_000), 4_000),
            ("mrn\t \t dob\n \t\t \n".repeat(5_000), 0),
        ] {
            assert_eq!(d.scan(&flood).len(), expected, "{}", &flood[..40]);
        }
        Ok(())
    }

    #[test]
    fn fhir_identifiers_by_type_or_system() -> Result<(), PiiError> {
        use Category::*;
        let json = r#"{"identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}, "value": "00417-226"}, {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "219099999"}, {"system": "urn:example:lot", "value": "L-4471-22"}], "telecom": [{"system": "phone", "value": "1234"}]}"#;
        assert_eq!(
            found(json)?,
            vec![
                (Url, "http://terminology.hl7.org/CodeSystem/v2-0203".into()),
                (MedicalRecordNumber, "00417-226".into()),
                (Url, "http://hl7.org/fhir/sid/us-ssn".into()),
                (Ssn, "219099999".into()),
            ]
        );
        Ok(())
    }

    #[test]
    fn hl7_segments_by_position() -> Result<(), PiiError> {
        use Category::*;
        let msg = "MSH|^~\\&|LAB|H|||202401020304||ADT^A01|1|P|2.5\rPID|1||88120^^^H^MR~219-09-9999^^^SSA^SS||DOE^JANE||19710402|F|||1 Elm St^^Springfield^IL^62704||(217) 555-0142\rIN1|1|PLAN7||||||||||||||||||||||||||||||||||W2210-77\r";
        assert_eq!(
            found(msg)?,
            vec![
                (MedicalRecordNumber, "88120".into()),
                (Ssn, "219-09-9999".into()),
                (DateOfBirth, "19710402".into()),
                (PostalCode, "62704".into()),
                (Phone, "(217) 555-0142".into()),
                (HealthPlanNumber, "W2210-77".into()),
            ]
        );
        Ok(())
    }
}
