"""Generate and validate tests/fixtures/pii/fresh7.txt.

fresh7.txt is a blind evaluation corpus for the PII / health-identifier
detector.  Its theme: what employees of hospitals, insurers and banks paste
into an internal AI chat assistant -- a question or instruction in prose,
followed by (or wrapped around) pasted material: letters, e-mails, chats,
records, exports, tables, logs and interface messages, in many languages.

Standard library only, fixed seed, deterministic.

    python3 scripts/pii-corpus.py fresh7          # regenerate, then check
    python3 scripts/pii-corpus.py fresh7 --check  # only validate the file

The format and span conventions are those of tests/fixtures/pii/README.md.
"""

import datetime
import ipaddress
import os
import random
import re
import unicodedata

from . import validators
from .validators import (
    CATEGORIES, IBAN_LENGTHS, MBI_ALPHA, MBI_RE, aba_check, ascii_digits, au_medicare_check, be_account_check,
    es_control_digit, fr_rib_key, has_lookalike, iban_check_digits, iban_make, isbn13_check,
    kvnr_check, luhn_check_digit, luhn_ok, mark as M, nhs_check, nhs_ok, nir_key, npi_check_digit, read_names,
    ssn_valid, to_script,
)

OUTPUTS = ("fresh7.txt",)
SEED = 70717

MIN_PER_CATEGORY = 50
MIN_LINES = 500
MIN_NEGATIVE_ONLY = 120
MIN_LOOKALIKE = 20
MIN_LOOKALIKE_NEAR_MISS_LINES = 3
MIN_IBAN_COUNTRIES = 15
MIN_LANGUAGES = 14

NL_SEP = " \u23ce "          # " ⏎ " : a line break inside pasted material


NAMES = read_names()
NAMESET = set(NAMES)

# ---------------------------------------------------------------------------
# check-digit algorithms
# ---------------------------------------------------------------------------

IBAN_SPECS = {
    # country: BBAN pattern (n digit, a upper letter, c alphanumeric)
    "AD": "4n4n12c", "AT": "5n11n", "BE": "3n7n2n", "BG": "4a4n2n8c",
    "CH": "5n12c", "CY": "3n5n16c", "CZ": "4n6n10n", "DE": "8n10n",
    "DK": "4n9n1n", "EE": "2n2n11n1n", "ES": "4n4n1n1n10n", "FI": "3n11n",
    "FR": "5n5n11n2n", "GB": "4a6n8n", "GR": "3n4n16c", "HR": "7n10n",
    "HU": "3n4n1n15n1n", "IE": "4a6n8n", "IS": "4n2n6n10n", "IT": "1a5n5n12c",
    "LI": "5n12c", "LT": "5n11n", "LU": "3n13c", "LV": "4a13c",
    "MT": "4a5n18c", "NL": "4a10n", "NO": "4n6n1n", "PL": "8n16n",
    "PT": "4n4n11n2n", "RO": "4a16c", "SE": "3n16n1n", "SI": "5n8n2n",
    "SK": "4n6n10n", "TR": "5n1n16c", "SA": "2n18c", "AE": "3n16n",
    "QA": "4a21c", "IL": "3n3n13n", "BR": "8n5n10n1a1c", "PK": "4a16c",
    "EG": "4n4n17n", "JO": "4a4n18c", "KW": "4a22c", "BH": "4a14c",
    "MC": "5n5n11n2n", "SM": "1a5n5n12c", "GI": "4a15c", "UA": "6n19c",
    "GE": "2a16n", "FO": "4n9n1n", "GL": "4n9n1n", "LB": "4n20c",
    "MU": "4a2n2n12n3n3a", "TN": "2n3n13n2n",
}


def spec_len(spec):
    return sum(int(n) for n in re.findall(r"(\d+)[nac]", spec))


IBAN_LEN = {cc: 4 + spec_len(sp) for cc, sp in IBAN_SPECS.items()}
assert IBAN_LEN == {cc: IBAN_LENGTHS[cc] for cc in IBAN_LEN}, \
    {k: (IBAN_LEN[k], IBAN_LENGTHS[k]) for k in IBAN_LEN if IBAN_LEN[k] != IBAN_LENGTHS[k]}


def iban_ok(value):
    return validators.iban_valid(value, IBAN_LEN)


def kvnr_ok(value):
    return bool(re.fullmatch(r"[A-Z]\d{9}", value)) and kvnr_check(value[0], value[1:9]) == int(value[9])


def nir_ok(value):
    d = value.replace(" ", "")
    return bool(re.fullmatch(r"[12]\d{14}", d)) and nir_key(d[:13]) == int(d[13:])


def au_medicare_ok(value):
    d = re.sub(r"[ -]", "", value)
    return bool(re.fullmatch(r"[2-6]\d{9,10}", d)) and au_medicare_check(d[:8]) == int(d[8])


def mbi_ok(value):
    return bool(MBI_RE.fullmatch(value)) and (value.count("-") in (0, 2)) and (
        "-" not in value or (value[4] == "-" and value[8] == "-"))


def ohip_ok(value):
    m = re.fullmatch(r"(\d{4})[ -]?(\d{3})[ -]?(\d{3})(?:[ -]?[A-Z]{2})?", value)
    return bool(m) and luhn_ok("".join(m.groups()))

# ---------------------------------------------------------------------------
# parsing
# ---------------------------------------------------------------------------

MARK_RE = re.compile(r"\u27e6([a-z_]+):([^\u27e6\u27e7]*)\u27e7")


class Span:
    __slots__ = ("cat", "start", "end", "value")

    def __init__(self, cat, start, end, value):
        self.cat, self.start, self.end, self.value = cat, start, end, value


def parse(line):
    """Return (plain text, spans, errors)."""
    plain, spans, errors = [], [], []
    pos, cur = 0, 0
    for m in MARK_RE.finditer(line):
        before = line[pos:m.start()]
        if "\u27e6" in before or "\u27e7" in before:
            errors.append("stray or nested marker bracket")
        plain.append(before)
        cur += len(before)
        cat, value = m.group(1), m.group(2)
        if cat not in CATEGORIES:
            errors.append("unknown category %r" % cat)
        if value != value.strip() or not value:
            errors.append("span %r has outer whitespace or is empty" % value)
        spans.append(Span(cat, cur, cur + len(value), value))
        plain.append(value)
        cur += len(value)
        pos = m.end()
    rest = line[pos:]
    if "\u27e6" in rest or "\u27e7" in rest:
        errors.append("stray or nested marker bracket")
    plain.append(rest)
    return "".join(plain), spans, errors


# ---------------------------------------------------------------------------
# label vocabularies used by the checker
# ---------------------------------------------------------------------------

MRN_LABEL_RE = re.compile(
    r"\bMRN\b|MR#|medical record (?:number|no\.?)|patient[ _]?ID|patientId|"
    r"chart (?:number|no\.?)|Patientennummer|num[ée]ro de dossier|"
    r"historia cl[ií]nica|cartella clinica|pati[ëe]ntnummer|karty pacjenta|\bmrn\b",
    re.I)
PLAN_LABEL_RE = re.compile(
    r"member[ _]?ID|subscriber[ _]?ID|policy (?:number|no\.?)|policy_number|"
    r"insurance (?:number|ID|no\.?)|health plan ID|Medicaid ID|Medicare (?:number|card)|"
    r"beneficiary ID|NHS (?:number|no\.?)|nhs_number|Versichertennummer|KVNR|"
    r"carte Vitale|num[ée]ro d.assur[ée] social|polisnummer|\bMBI\b",
    re.I)
DOB_LABEL_RE = re.compile(
    r"\bDOB\b|D\.O\.B\.|date[ _]?of[ _]?birth|\bborn(?: on)?\b|birth[ _]?date|"
    r"Geburtsdatum|\bgeb\.|geboren am|\bn[ée]e? le|date de naissance|"
    r"fecha de nacimiento|nacid[oa] el|data di nascita|\bnat[oa] il|geboren op|"
    r"geboortedatum|data urodzenia|(?<![A-Za-z])ur\.|data de nascimento|\bdob\b|"
    r"\bBDAY\b",
    re.I)
SSN_LABEL_RE = re.compile(r"\bSSN\b|social security|\bssn\b|_ssn\b", re.I)
LABEL_WINDOW = 40


# ---------------------------------------------------------------------------
# value validators
# ---------------------------------------------------------------------------

EMAIL_FULL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
URL_FULL = re.compile(r"(?:https?://|www\.)[^\s\u27e6\u27e7\"'<>]+")
PHONE_FULL = re.compile(r"[+(]?\d[\d ().\-/]*\d")

POSTAL_RES = [
    re.compile(r"\d{5}(?:-\d{4})?"),                                  # US, DE, FR, ES, IT, FI, TR
    re.compile(r"[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}"),        # UK
    re.compile(r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d"),  # CA
    re.compile(r"[1-9]\d{3} ?(?!SA|SD|SS)[A-EGHJ-NPRSTVWXZ]{2}"),     # NL
    re.compile(r"\d{4}"),                                             # AT CH BE DK NO AU
    re.compile(r"\d{2}-\d{3}"),                                       # PL
    re.compile(r"\d{4}-\d{3}"),                                       # PT
    re.compile(r"\d{3} \d{2}"),                                       # SE CZ
    re.compile(r"\d{3}-\d{4}"),                                       # JP
    re.compile(r"[1-9]\d{5}"),                                        # IN
    re.compile(r"\d{5}-\d{3}"),                                       # BR
    re.compile(r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W) [0-9AC-FHKNPRTV-Y]{4}"),  # IE Eircode
]

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|"
    "November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    "Januar|Februar|März|Mai|Juni|Juli|Oktober|Dezember|"
    "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
    "gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    "januari|februari|maart|mei|augustus")
DOB_SHAPES = [
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
    re.compile(r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})"),
    re.compile(r"(?P<y>\d{4})\.(?P<m>\d{2})\.(?P<d>\d{2})"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{2})-(?P<m>\d{2})-(?P<y>\d{4})"),
    re.compile(r"(?P<a>\d{2})/(?P<b>\d{2})/(?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{1,2})\.? (?P<mn>[A-Za-zäéû]+) (?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{1,2})-(?P<mn>[A-Za-z]{3})-(?P<y>\d{4})"),
    re.compile(r"(?P<mn>[A-Za-z]+) (?P<d>\d{1,2}), (?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"),
    re.compile(r"(?P<y>\d{4})년 (?P<m>\d{1,2})월 (?P<d>\d{1,2})일"),
]
MONTH_SET = set(MONTHS.split("|"))


def dob_shape_ok(v):
    for rx in DOB_SHAPES:
        m = rx.fullmatch(v)
        if not m:
            continue
        g = m.groupdict()
        y = int(g["y"])
        if not 1915 <= y <= 2025:
            return False
        if g.get("mn"):
            return g["mn"] in MONTH_SET and 1 <= int(g["d"]) <= 31
        if g.get("a"):
            a, b = int(g["a"]), int(g["b"])
            ok = False
            for mm, dd in ((a, b), (b, a)):
                try:
                    datetime.date(y, mm, dd)
                    ok = True
                except ValueError:
                    pass
            return ok
        try:
            datetime.date(y, int(g["m"]), int(g["d"]))
            return True
        except ValueError:
            return False
    return False


def value_errors(span, plain):
    v = span.value
    av = ascii_digits(v)
    c = span.cat
    errs = []
    if c == "email":
        if not EMAIL_FULL.fullmatch(v):
            errs.append("bad email %r" % v)
    elif c == "url":
        if not URL_FULL.fullmatch(v) or v[-1] in ".,);:!?" or "@" in v:
            errs.append("bad url %r" % v)
    elif c == "phone":
        nd = sum(ch.isdigit() for ch in av)
        if not PHONE_FULL.fullmatch(av) or not 7 <= nd <= 15:
            errs.append("bad phone %r" % v)
    elif c == "ssn":
        m = re.fullmatch(r"(\d{3})([- ])(\d{2})\2(\d{4})", av)
        m2 = re.fullmatch(r"(\d{3})(\d{2})(\d{4})", av)
        if m:
            parts = (m.group(1), m.group(3), m.group(4))
        elif m2:
            parts = m2.groups()
            if not SSN_LABEL_RE.search(plain[max(0, span.start - 30):span.start]) and \
                    not table_header_label(plain, span.start, SSN_LABEL_RE):
                errs.append("compact SSN %r without SSN label" % v)
        else:
            errs.append("bad ssn shape %r" % v)
            parts = None
        if parts and not ssn_valid(*parts):
            errs.append("invalid ssn %r" % v)
    elif c == "credit_card":
        if not re.fullmatch(r"\d+(?:([ -])\d+(?:\1\d+)*)?", av):
            errs.append("bad card shape %r" % v)
        d = re.sub(r"\D", "", av)
        if not 13 <= len(d) <= 19 or not luhn_ok(d):
            errs.append("card fails Luhn/length %r" % v)
    elif c == "iban":
        if not (re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", v) or
                re.fullmatch(r"[A-Z]{2}\d{2}(?: [A-Z0-9]{4})+(?: [A-Z0-9]{1,3})?", v)):
            errs.append("bad iban grouping %r" % v)
        if not iban_ok(v):
            errs.append("iban fails length/mod97 %r" % v)
    elif c == "ip_address":
        try:
            ipaddress.ip_address(v)
        except ValueError:
            errs.append("bad ip %r" % v)
    elif c == "date_of_birth":
        if not dob_shape_ok(v):
            errs.append("bad date of birth %r" % v)
    elif c == "medical_record_number":
        if not re.fullmatch(r"[A-Za-z0-9-]{5,15}", v) or not re.search(r"\d", v):
            errs.append("bad MRN %r" % v)
    elif c == "health_plan_number":
        if not re.fullmatch(r"[A-Z0-9][A-Za-z0-9 -]{4,24}[A-Za-z0-9]", v):
            errs.append("bad plan number %r" % v)
        before = plain[max(0, span.start - LABEL_WINDOW):span.start]
        if re.search(r"NHS", before) and not nhs_ok(v):
            errs.append("NHS number fails mod 11 %r" % v)
        if re.search(r"KVNR|Versichertennummer", before) and re.fullmatch(r"[A-Z]\d{9}", v) and not kvnr_ok(v):
            errs.append("KVNR fails check %r" % v)
        if re.search(r"carte Vitale|assur[ée] social", before) and not nir_ok(v):
            errs.append("NIR fails key %r" % v)
        if re.search(r"Medicare card", before) and not au_medicare_ok(v):
            errs.append("Medicare card fails check %r" % v)
        if re.search(r"OHIP", before) and not ohip_ok(v):
            errs.append("OHIP fails check %r" % v)
    elif c == "postal_code":
        if not any(rx.fullmatch(v) for rx in POSTAL_RES):
            errs.append("bad postal code %r" % v)
    elif c == "name":
        words = v.split(" ")
        if any(w not in NAMESET for w in words):
            errs.append("name %r not from names.txt" % v)
    return errs


# ---------------------------------------------------------------------------
# structural labelling: tables, HL7, X12
# ---------------------------------------------------------------------------

def _count_delims(text, delim):
    n, q = 0, False
    for ch in text:
        if ch == '"':
            q = not q
        elif ch == delim and not q:
            n += 1
    return n


def _cells(text, delim):
    cells, cur, q = [], [], False
    for ch in text:
        if ch == '"':
            q = not q
            cur.append(ch)
        elif ch == delim and not q:
            cells.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    cells.append("".join(cur))
    return cells


def table_header_label(plain, pos, label_re):
    """If pos sits in a row of a one-line table, test the header of its column."""
    segs, starts, s = plain.split(NL_SEP), [], 0
    for seg in segs:
        starts.append(s)
        s += len(seg) + len(NL_SEP)
    idx = max(i for i, st in enumerate(starts) if st <= pos)
    row, off = segs[idx], pos - starts[idx]
    for delim in ("|", "\t", ";", ","):
        k = _count_delims(row, delim)
        if k < 2:
            continue
        col = _count_delims(row[:off], delim)
        j = idx
        while j - 1 >= 0 and _count_delims(segs[j - 1], delim) == k:
            j -= 1
        if j == idx:
            return False
        header = segs[j]
        cells = _cells(header, delim)
        if col < len(cells) and label_re.search(cells[col].strip().strip('"')):
            return True
        return False
    return False


HL7_FIELDS = {
    ("PID", 3): "medical_record_number", ("PID", 7): "date_of_birth",
    ("PID", 19): "ssn", ("IN1", 18): "date_of_birth",
    ("IN1", 36): "health_plan_number", ("IN1", 49): "health_plan_number",
}


def hl7_label(plain, span):
    for seg_m in re.finditer(r"(?:^|\u23ce |`)((PID|IN1)\|[^\u23ce`]*)", plain):
        s, e = seg_m.start(1), seg_m.end(1)
        if s <= span.start and span.end <= e:
            field = plain[s:span.start].count("|")
            return HL7_FIELDS.get((seg_m.group(2), field)) == span.cat
    return False


def x12_label(plain, span):
    for seg_m in re.finditer(r"(NM1|DMG|REF)\*[^~]*~", plain):
        s, e = seg_m.start(), seg_m.end()
        if not (s <= span.start and span.end <= e):
            continue
        els = plain[s:e - 1].split("*")
        idx = plain[s:span.start].count("*")
        tag = els[0]
        if tag == "NM1" and idx == 9 and len(els) > 8 and els[8] == "MI":
            return span.cat == "health_plan_number"
        if tag == "DMG" and idx == 2 and els[1] == "D8":
            return span.cat == "date_of_birth"
        if tag == "REF" and idx == 2 and els[1] in ("0F", "1W", "6P"):
            return span.cat == "health_plan_number"
    return False


def label_ok(plain, span, label_re):
    before = plain[max(0, span.start - LABEL_WINDOW):span.start]
    if label_re.search(before):
        return True
    if table_header_label(plain, span.start, label_re):
        return True
    if hl7_label(plain, span) or x12_label(plain, span):
        return True
    return False


# ---------------------------------------------------------------------------
# "nothing left unmarked" scanners (run on the plain text, digits read by value)
# ---------------------------------------------------------------------------

EMAIL_SCAN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
URL_SCAN = re.compile(r"(?:https?://|www\.)[^\s\u27e6\u27e7\"'<>`]+", re.I)
IPV4_SCAN = re.compile(r"(?<![\d.])(?<!\d\.)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
IPV6_SCAN = re.compile(r"(?<![0-9A-Fa-f:])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f:]{2,39}(?![0-9A-Fa-f:])")
IBAN_COMPACT_SCAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}[A-Z0-9]{10,30}(?![A-Za-z0-9])")
IBAN_GROUP_SCAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: [A-Z0-9]{1,4}){2,8}(?![A-Za-z0-9])")
SSN_SCAN = re.compile(r"(?<!\d)(\d{3})([- ])(\d{2})\2(\d{4})(?!\d)")
WORD_SCAN = re.compile(r"[^\W\d_]+")


def covered(spans, s, e, cats):
    return any(sp.cat in cats and sp.start <= s and e <= sp.end for sp in spans)


def luhn_windows(text):
    """Yield (start, end) of every Luhn-valid window of 13-19 digits made of
    whole digit groups joined by single spaces or dashes (or one compact run)."""
    for s, e, _ in validators.luhn_windows(text):
        yield s, e


def unmarked_errors(plain, spans):
    errs = []
    ap = ascii_digits(plain)
    for m in EMAIL_SCAN.finditer(ap):
        if not covered(spans, m.start(), m.end(), ("email",)):
            errs.append("unmarked e-mail %r" % m.group())
    for m in URL_SCAN.finditer(ap):
        e = m.end()
        while ap[e - 1] in ".,);:!?]":
            e -= 1
        if not covered(spans, m.start(), e, ("url",)):
            errs.append("unmarked url %r" % ap[m.start():e])
    for m in IPV4_SCAN.finditer(ap):
        if all(int(g) <= 255 for g in m.groups()) and not any(
                len(g) > 1 and g[0] == "0" for g in m.groups()):
            if not covered(spans, m.start(), m.end(), ("ip_address",)):
                errs.append("unmarked IPv4 %r" % m.group())
    for m in IPV6_SCAN.finditer(ap):
        try:
            ipaddress.IPv6Address(m.group())
        except ValueError:
            continue
        if not covered(spans, m.start(), m.end(), ("ip_address",)):
            errs.append("unmarked IPv6 %r" % m.group())
    for rx in (IBAN_COMPACT_SCAN, IBAN_GROUP_SCAN):
        for m in rx.finditer(ap):
            txt = m.group()
            cands = [txt]
            if " " in txt:
                parts = txt.split(" ")
                cands = [" ".join(parts[:k]) for k in range(2, len(parts) + 1)]
            for cnd in cands:
                if iban_ok(cnd) and not covered(spans, m.start(), m.start() + len(cnd), ("iban",)):
                    errs.append("unmarked IBAN %r" % cnd)
    for m in SSN_SCAN.finditer(ap):
        if ssn_valid(m.group(1), m.group(3), m.group(4)) and \
                not covered(spans, m.start(), m.end(), ("ssn",)):
            errs.append("unmarked SSN-shaped %r" % m.group())
    for lm in SSN_LABEL_RE.finditer(ap):
        win_s = lm.end()
        for m in re.finditer(r"(?<!\d)\d{9}(?!\d)", ap[win_s:win_s + 30]):
            s, e = win_s + m.start(), win_s + m.end()
            d = m.group()
            if ssn_valid(d[:3], d[3:5], d[5:]) and not covered(spans, s, e, ("ssn",)):
                errs.append("unmarked compact SSN after label %r" % d)
    for m in MBI_RE.finditer(ap):
        if not covered(spans, m.start(), m.end(), ("health_plan_number",)):
            errs.append("unmarked MBI %r" % m.group())
    for m in WORD_SCAN.finditer(plain):
        if m.group() in NAMESET and not covered(spans, m.start(), m.end(), ("name",)):
            errs.append("unmarked dictionary name %r" % m.group())
    for s, e in luhn_windows(ap):
        if not covered(spans, s, e, ("credit_card",)):
            errs.append("Luhn-valid window outside a card span %r" % plain[s:e])
    return errs


def _is_wordchar(ch):
    if ch.isdigit():
        return True
    if ch.isalpha() and (ch.isascii() or ord(ch) < 0x0250):
        return True
    return False


def line_errors(line):
    plain, spans, errs = parse(line)
    if errs:
        return errs
    for sp in spans:
        errs.extend(value_errors(sp, plain))
        if sp.start > 0 and _is_wordchar(plain[sp.start - 1]):
            errs.append("span %r glued to preceding word" % sp.value)
        if sp.end < len(plain) and _is_wordchar(plain[sp.end]):
            errs.append("span %r glued to following word" % sp.value)
        if sp.cat == "medical_record_number" and not label_ok(plain, sp, MRN_LABEL_RE):
            errs.append("MRN %r without record label" % sp.value)
        if sp.cat == "health_plan_number" and not mbi_ok(sp.value) and \
                not label_ok(plain, sp, PLAN_LABEL_RE):
            errs.append("plan number %r without plan label" % sp.value)
        if sp.cat == "date_of_birth" and not label_ok(plain, sp, DOB_LABEL_RE):
            errs.append("date of birth %r without birth-date trigger" % sp.value)
    names = [sp for sp in spans if sp.cat == "name"]
    for a, b in zip(names, names[1:]):
        if plain[a.end:b.start] == " ":
            errs.append("name spans %r and %r separated by a single space" % (a.value, b.value))
    for a, b in zip(spans, spans[1:]):
        if b.start < a.end:
            errs.append("overlapping spans")
    errs.extend(unmarked_errors(plain, spans))
    return errs

# ---------------------------------------------------------------------------
# value generators
# ---------------------------------------------------------------------------

GIVEN = {
    "en": ["Jennifer", "Michael", "Sarah", "David", "Emily", "Daniel", "Rebecca",
           "Olivia", "Ethan", "Hannah", "Brandon"],
    "de": ["Jürgen", "Katrin", "Sabine", "Lukas", "Annika", "Wolfgang"],
    "fr": ["Mathieu", "Étienne", "Chloé", "Léa", "Benoît"],
    "es": ["Alejandro", "Lucía", "Sofía", "Mateo", "Javier", "Maria"],
    "it": ["Giulia", "Francesca", "Alessandro", "Chiara", "Maria"],
    "pl": ["Agnieszka", "Krzysztof", "Małgorzata", "Piotr"],
    "nl": ["Sanne", "Daan", "Femke"],
    "af": ["Oluwaseun", "Chukwuemeka", "Ngozi", "Kwame", "Abena", "Wanjiru", "Thabo"],
    "ar": ["Mohammed", "Fatima", "Youssef", "Layla"],
    "tr": ["Mehmet", "Ayşe", "Elif"],
    "in": ["Priya", "Arjun", "Ananya", "Rahul"],
    "jp": ["Hiroshi", "Yuki"],
    "cn": ["Wei"],
    "vn": ["Minh"],
    "nordic": ["Ingrid", "Lars", "Astrid", "Henrik"],
    "slav": ["Dmitri", "Olena", "Svetlana"],
    "gr": ["Eleni"],
    "ie": ["Siobhan", "Niamh", "Ciarán"],
}
FAMILY = {
    "en": ["Thompson", "Robinson", "Johnson", "Harris", "Clarke", "Jackson", "Mitchell"],
    "de": ["Schmidt", "Müller", "Wagner", "Becker", "Hoffmann", "Schäfer", "Zimmermann"],
    "fr": ["Dubois", "Moreau", "Lefebvre", "Fournier", "Rousseau"],
    "es": ["García", "Rodríguez", "Fernández", "López", "Martínez", "Sánchez", "Pérez"],
    "it": ["Rossi", "Esposito", "Bianchi", "Ricci", "Moretti"],
    "pl": ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Lewandowski", "Zielińska"],
    "nl": ["Jansen", "Bakker", "Visser", "Smit", "Meijer", "Dekker"],
    "af": ["Okafor", "Adebayo", "Mensah", "Otieno", "Mwangi", "Nkosi"],
    "ar": ["Haddad", "Nasser", "Mansour", "Khoury"],
    "tr": ["Yılmaz", "Kaya", "Demir", "Şahin"],
    "in": ["Patel", "Sharma", "Singh", "Gupta", "Iyer", "Reddy", "Kumar"],
    "jp": ["Tanaka", "Takahashi", "Yamamoto", "Sato"],
    "cn": ["Wang", "Zhang", "Chen", "Liu", "Huang"],
    "vn": ["Nguyen", "Tran", "Pham"],
    "kr": ["Kim", "Choi"],
    "nordic": ["Johansson", "Andersson", "Lindqvist", "Hansen", "Jørgensen"],
    "slav": ["Ivanov", "Petrova", "Shevchenko", "Kovalenko"],
    "gr": ["Papadopoulos", "Nikolaou"],
    "ie": ["Murphy", "Gallagher"],
}
for _d in (GIVEN, FAMILY):
    for _k, _v in _d.items():
        for _n in _v:
            assert _n in NAMESET, _n
FAMILY_FIRST = {"jp", "cn", "vn"}
CULTURES = sorted(GIVEN)

# Person names that are NOT in names.txt (negatives).
NON_DICT_NAMES = [
    "Gwendolyn Ashcroft", "Torvald Eskeland", "Ramona Quist", "Ignatius Pell",
    "Leopoldine Haas", "Cosimo Ferrante", "Inès Vautrin", "Bogumił Sroka",
    "Ximena Albornoz", "Tiago Carvalhal", "Henrike Voss", "Orla Kinsella",
    "Evander Price", "Philippa Dunmore", "Rasmus Kvist", "Halvard Bergum",
    "Józef Dziedzic", "Sören Fahlberg", "Aurelio Mancuso", "Cornelis Ruys",
    "Tuomas Rinne", "Radek Hrubý", "Oğuz Tekin", "Beatriz Sequeira",
    "Magnolia Pratt", "Ulrich Fenwick", "Dagny Solberg", "Marit Eide",
]
for _n in NON_DICT_NAMES:
    for _w in _n.split():
        assert _w not in NAMESET, _w


def pick(r, seq):
    return seq[r.randrange(len(seq))]


def given(r, cult=None):
    cult = cult or pick(r, CULTURES)
    pool = GIVEN.get(cult) or GIVEN["en"]
    return pick(r, pool)


def family(r, cult=None):
    cult = cult or pick(r, CULTURES)
    pool = FAMILY.get(cult) or FAMILY["en"]
    return pick(r, pool)


def person(r, cult=None):
    """Return (given, family, display) for a culture; display in usual order."""
    if cult is None:
        cult = pick(r, CULTURES)
    if cult == "kr":
        g = pick(r, GIVEN["cn"] + GIVEN["vn"])
        f = pick(r, FAMILY["kr"])
        return g, f, f
    g, f = given(r, cult), family(r, cult)
    if cult in FAMILY_FIRST and r.random() < 0.6:
        return g, f, f + " " + g
    return g, f, g + " " + f


def fold(s):
    s = s.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")
    s = s.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("ı", "i")
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def email_for(r, g, f, domain):
    style = r.randrange(5)
    g, f = fold(g), fold(f)
    if style == 0:
        local = g + "." + f
    elif style == 1:
        local = g[0] + f
    elif style == 2:
        local = g + "_" + f + str(r.randrange(10, 99))
    elif style == 3:
        local = f + "." + g[0]
    else:
        local = g + "." + f + str(r.randrange(1, 9))
    return local + "@" + domain


FREEMAIL = ["gmail.com", "outlook.com", "yahoo.co.uk", "gmx.de", "web.de", "orange.fr",
            "free.fr", "hotmail.es", "libero.it", "ziggo.nl", "wp.pl", "o2.pl",
            "sapo.pt", "telia.com", "icloud.com", "proton.me", "yandex.com",
            "seznam.cz", "yahoo.co.jp", "qq.com", "naver.com", "rediffmail.com"]


def rdate(r, y0, y1):
    start = datetime.date(y0, 1, 1).toordinal()
    end = datetime.date(y1, 12, 31).toordinal()
    return datetime.date.fromordinal(r.randint(start, end))


EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July",
             "August", "September", "October", "November", "December"]
DE_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
             "September", "Oktober", "November", "Dezember"]
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"]
ES_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre"]
IT_MONTHS = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
             "agosto", "settembre", "ottobre", "novembre", "dicembre"]
NL_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli",
             "augustus", "september", "oktober", "november", "december"]


def fmt_date(d, style):
    if style == "iso":
        return d.isoformat()
    if style == "us":
        return "%02d/%02d/%04d" % (d.month, d.day, d.year)
    if style == "eu/":
        return "%02d/%02d/%04d" % (d.day, d.month, d.year)
    if style == "eu.":
        return "%02d.%02d.%04d" % (d.day, d.month, d.year)
    if style == "eu-":
        return "%02d-%02d-%04d" % (d.day, d.month, d.year)
    if style == "fi":
        return "%d.%d.%04d" % (d.day, d.month, d.year)
    if style == "ymd/":
        return "%04d/%02d/%02d" % (d.year, d.month, d.day)
    if style == "ymd.":
        return "%04d.%02d.%02d" % (d.year, d.month, d.day)
    if style == "compact":
        return "%04d%02d%02d" % (d.year, d.month, d.day)
    if style == "en_long":
        return "%d %s %04d" % (d.day, EN_MONTHS[d.month - 1], d.year)
    if style == "us_long":
        return "%s %d, %04d" % (EN_MONTHS[d.month - 1], d.day, d.year)
    if style == "en_short":
        return "%02d-%s-%04d" % (d.day, EN_MONTHS[d.month - 1][:3], d.year)
    if style == "de_long":
        return "%d. %s %04d" % (d.day, DE_MONTHS[d.month - 1], d.year)
    if style == "fr_long":
        return "%d %s %04d" % (d.day, FR_MONTHS[d.month - 1], d.year)
    if style == "es_long":
        return "%d %s %04d" % (d.day, ES_MONTHS[d.month - 1], d.year)
    if style == "it_long":
        return "%d %s %04d" % (d.day, IT_MONTHS[d.month - 1], d.year)
    if style == "nl_long":
        return "%d %s %04d" % (d.day, NL_MONTHS[d.month - 1], d.year)
    if style == "cjk":
        return "%d年%d月%d日" % (d.year, d.month, d.day)
    if style == "ko":
        return "%d년 %d월 %d일" % (d.year, d.month, d.day)
    raise ValueError(style)


def birth(r, lo=1932, hi=2019):
    return rdate(r, lo, hi)


def DOB(r, style, lo=1932, hi=2019, d=None):
    d = d or birth(r, lo, hi)
    return M("date_of_birth", fmt_date(d, style))


def some_date(r, style, lo=2023, hi=2026):
    return fmt_date(rdate(r, lo, hi), style)


def digits(r, n, first_nonzero=False):
    s = "".join(str(r.randrange(10)) for _ in range(n))
    if first_nonzero and s[0] == "0":
        s = str(r.randrange(1, 10)) + s[1:]
    return s


def letters(r, n, alphabet="ABCDEFGHJKLMNPRSTUVWXYZ"):
    return "".join(pick(r, alphabet) for _ in range(n))


# --- SSN -------------------------------------------------------------------

def ssn_parts(r):
    while True:
        a = r.randint(1, 899)
        if a != 666:
            break
    return "%03d" % a, "%02d" % r.randint(1, 99), "%04d" % r.randint(1, 9999)


def ssn(r, sep="-", script=None):
    a, g, s = ssn_parts(r)
    v = a + g + s if sep == "" else sep.join((a, g, s))
    return to_script(v, script)


def bad_ssn(r):
    a, g, s = ssn_parts(r)
    k = r.randrange(5)
    if k == 0:
        a = "000"
    elif k == 1:
        a = "666"
    elif k == 2:
        a = str(r.randint(900, 999))
    elif k == 3:
        g = "00"
    else:
        s = "0000"
    return "%s-%s-%s" % (a, g, s)


def itin(r):
    return "9%02d-%d%d-%04d" % (r.randint(0, 99), r.choice([7, 8, 9]), r.randint(0, 9), r.randint(0, 9999))


# --- cards -----------------------------------------------------------------

CARD_KINDS = {
    "visa": (["4"], 16), "visa13": (["4"], 13), "mc": (["51", "52", "53", "54", "55", "2221", "2320", "2720"], 16),
    "amex": (["34", "37"], 15), "disc": (["6011", "644", "65"], 16), "jcb": (["3528", "3541", "3566", "3589"], 16),
    "diners": (["36", "38"], 14), "unionpay": (["622202", "621700", "625966"], 19),
    "mir": (["2200", "2202", "2204"], 16), "rupay": (["6521", "6522", "6081"], 16),
    "iran": (["603799", "610433", "621986", "589210", "627412", "502229", "639607"], 16),
    "maestro": (["6759", "5018"], 19), "mada": (["4464", "5297", "5888"], 16),
    "troy": (["9792"], 16), "elo": (["636368", "504175"], 16),
}


def card_digits(r, kind):
    prefixes, n = CARD_KINDS[kind]
    p = pick(r, prefixes)
    body = p + digits(r, n - len(p) - 1)
    return body + luhn_check_digit(body)


def group_card(d, sep=" "):
    n = len(d)
    if n == 15:
        parts = [d[:4], d[4:10], d[10:]]
    elif n == 14:
        parts = [d[:4], d[4:10], d[10:]]
    elif n == 13:
        parts = [d[:4], d[4:7], d[7:10], d[10:]]
    else:
        parts = [d[i:i + 4] for i in range(0, n, 4)]
    return sep.join(parts)


def card(r, kind="visa", style=None, script=None):
    d = card_digits(r, kind)
    style = style or pick(r, ["space", "space", "compact", "dash"])
    v = d if style == "compact" else group_card(d, " " if style == "space" else "-")
    return to_script(v, script)


def near_miss(r, kind="visa", style="space", script=None):
    d = card_digits(r, kind)
    i = r.randrange(len(d) - 1) + 1
    nd = str((int(d[i]) + r.randint(1, 9)) % 10)
    d2 = d[:i] + nd + d[i + 1:]
    assert not luhn_ok(d2)
    v = d2 if style == "compact" else group_card(d2, " " if style == "space" else "-")
    return to_script(v, script)


# --- IBAN ------------------------------------------------------------------

def _fill(r, spec):
    out = []
    for n, t in re.findall(r"(\d+)([nac])", spec):
        n = int(n)
        if t == "n":
            out.append(digits(r, n))
        elif t == "a":
            out.append(letters(r, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        else:
            out.append("".join(pick(r, "0123456789") if r.random() < 0.8 else
                               pick(r, "ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n)))
    return "".join(out)


BANK_CODES = {
    "GB": ["NWBK", "BARC", "LOYD", "HBUK", "MIDL"], "IE": ["AIBK", "BOFI", "IPBS"],
    "NL": ["ABNA", "RABO", "INGB", "SNSB", "TRIO"], "RO": ["BTRL", "RNCB", "BRDE"],
    "BG": ["BNBG", "UNCR", "STSA"], "LV": ["HABA", "UNLA", "PARX"], "MT": ["MALT", "VALL"],
    "QA": ["QNBA", "DOHB"], "PK": ["HABB", "MUCB", "UNIL"], "JO": ["CBJO", "ARAB"],
    "KW": ["NBOK", "CBKU"], "BH": ["BMAG", "NBOB"], "GI": ["NWBK"],
}


def iban_bban(r, cc):
    spec = IBAN_SPECS[cc]
    bban = _fill(r, spec)
    if cc in BANK_CODES:
        bban = pick(r, BANK_CODES[cc]) + bban[4:]
    if cc == "BE":
        base = bban[:10]
        bban = base + "%02d" % be_account_check(base)
    elif cc == "ES":
        bank_branch, acct = bban[:8], bban[10:]
        bban = bank_branch + str(es_control_digit("00" + bank_branch)) + str(es_control_digit(acct)) + acct
    elif cc in ("FR", "MC"):
        bban = bban[:21] + "%02d" % fr_rib_key(bban[:5], bban[5:10], bban[10:21])
    elif cc == "NO":
        w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
        for _ in range(50):
            base = bban[:10]
            v = 11 - sum(int(a) * b for a, b in zip(base, w)) % 11
            if v == 11:
                v = 0
            if v != 10:
                bban = base + str(v)
                break
            bban = digits(r, 11)
    elif cc == "FI":
        bban = bban[:13] + luhn_check_digit(bban[:13])
    elif cc == "PT":
        base = bban[:19]
        bban = base + "%02d" % (98 - int(base) * 100 % 97)
    elif cc == "TR":
        bban = bban[:5] + "0" + bban[6:]
    return bban


def iban(r, cc, grouped=None):
    v = iban_make(cc, iban_bban(r, cc))
    assert iban_ok(v), v
    if grouped is None:
        grouped = r.random() < 0.6
    if grouped:
        v = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
    return v


def bad_iban(r, cc, grouped=True):
    bban = iban_bban(r, cc)
    good = "%02d" % iban_check_digits(cc, bban)
    while True:
        ck = "%02d" % r.randint(2, 98)
        if ck != good:
            break
    v = cc + ck + bban
    assert not iban_ok(v)
    if grouped:
        v = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
    return v


# --- health identifiers ----------------------------------------------------

def nhs(r, style=None):
    while True:
        nine = str(r.randint(4, 7)) + digits(r, 8)
        c = nhs_check(nine)
        if c is not None:
            break
    d = nine + str(c)
    style = style or pick(r, ["space", "space", "dash", "compact"])
    if style == "compact":
        return d
    sep = " " if style == "space" else "-"
    return d[:3] + sep + d[3:6] + sep + d[6:]


def bad_nhs(r):
    while True:
        nine = str(r.randint(4, 7)) + digits(r, 8)
        c = nhs_check(nine)
        if c is not None:
            break
    wrong = str((int(c) + r.randint(1, 9)) % 10)
    d = nine + wrong
    return d[:3] + " " + d[3:6] + " " + d[6:]


def kvnr(r):
    L = pick(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    eight = digits(r, 8, first_nonzero=True)
    return L + eight + str(kvnr_check(L, eight))


def nir(r, dob=None, sex=None, spaced=None):
    dob = dob or birth(r)
    sex = sex or r.choice("12")
    dept = "%02d" % pick(r, [1, 6, 13, 14, 21, 31, 33, 35, 38, 44, 59, 62, 67, 69, 75, 76, 92, 93, 94])
    body = sex + "%02d" % (dob.year % 100) + "%02d" % dob.month + dept + digits(r, 3) + digits(r, 3)
    key = "%02d" % nir_key(body)
    if spaced is None:
        spaced = r.random() < 0.6
    if spaced:
        return " ".join([body[0], body[1:3], body[3:5], body[5:7], body[7:10], body[10:13], key])
    return body + key


def au_medicare(r, spaced=True):
    d = str(r.randint(2, 6)) + digits(r, 7)
    issue = str(r.randint(1, 5))
    full = d + str(au_medicare_check(d)) + issue
    return (full[:4] + " " + full[4:9] + " " + full[9]) if spaced else full


def ohip(r):
    nine = str(r.randint(1, 9)) + digits(r, 8)
    d = nine + luhn_check_digit(nine)
    return "%s-%s-%s-%s" % (d[:4], d[4:7], d[7:], letters(r, 2, "ABCDEFGHJKLMNPRSTVWXYZ"))


def mbi(r, dashed=None):
    L = MBI_ALPHA
    c = [str(r.randint(1, 9)), pick(r, L), pick(r, L + "0123456789"), str(r.randrange(10)),
         pick(r, L), pick(r, L + "0123456789"), str(r.randrange(10)),
         pick(r, L), pick(r, L), str(r.randrange(10)), str(r.randrange(10))]
    v = "".join(c)
    if dashed is None:
        dashed = r.random() < 0.5
    if dashed:
        v = v[:4] + "-" + v[4:7] + "-" + v[7:]
    assert mbi_ok(v), v
    return v


def mbi_like_bad(r):
    v = mbi(r, dashed=False)
    pos = pick(r, [1, 4, 7, 8])
    v = v[:pos] + pick(r, "SLOIBZ") + v[pos + 1:]
    return v[:4] + "-" + v[4:7] + "-" + v[7:]


def us_member_id(r):
    k = r.randrange(6)
    if k == 0:
        return letters(r, 3) + digits(r, 9)
    if k == 1:
        return "W" + digits(r, 9)
    if k == 2:
        return "U" + digits(r, 8) + "0" + str(r.randint(1, 4))
    if k == 3:
        return digits(r, 9, True) + "-0" + str(r.randint(1, 4))
    if k == 4:
        return "M" + digits(r, 7) + letters(r, 2)
    return letters(r, 2) + digits(r, 7)


def medicaid_id(r):
    k = r.randrange(3)
    if k == 0:
        return letters(r, 2) + digits(r, 5) + letters(r, 1)
    if k == 1:
        return digits(r, 8, True) + letters(r, 1)
    return "5" + digits(r, 9)


def mrn(r):
    k = r.randrange(8)
    if k == 0:
        return digits(r, 8)
    if k == 1:
        return "E" + digits(r, 7)
    if k == 2:
        return digits(r, 3) + "-" + digits(r, 4) + "-" + digits(r, 1)
    if k == 3:
        return "PT-" + digits(r, 7)
    if k == 4:
        return digits(r, 7, True)
    if k == 5:
        return letters(r, 1) + digits(r, 6)
    if k == 6:
        return "H" + digits(r, 2) + "-" + digits(r, 5)
    return digits(r, 2) + letters(r, 2) + digits(r, 5)


def policy_no(r):
    k = r.randrange(4)
    if k == 0:
        return letters(r, 2) + "-" + digits(r, 8)
    if k == 1:
        return digits(r, 10, True)
    if k == 2:
        return letters(r, 3) + digits(r, 7)
    return digits(r, 4, True) + "-" + digits(r, 6)


# --- networks ----------------------------------------------------------------

def ipv4(r, kind=None):
    kind = kind or pick(r, ["pub", "pub", "priv10", "priv192", "priv172", "doc"])
    if kind == "priv10":
        return "10.%d.%d.%d" % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
    if kind == "priv192":
        return "192.168.%d.%d" % (r.randint(0, 255), r.randint(1, 254))
    if kind == "priv172":
        return "172.%d.%d.%d" % (r.randint(16, 31), r.randint(0, 255), r.randint(1, 254))
    if kind == "doc":
        return pick(r, ["192.0.2.", "198.51.100.", "203.0.113."]) + str(r.randint(1, 254))
    return "%d.%d.%d.%d" % (pick(r, [31, 46, 62, 78, 81, 85, 91, 94, 109, 145, 151, 176, 185, 188, 195, 212, 217]),
                            r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))


def ipv6(r, style=None):
    style = style or pick(r, ["comp", "comp", "full", "comp2"])
    groups = ["2001", "db8"] if r.random() < 0.5 else [pick(r, ["2a02", "2a01", "2600", "2620", "2c0f", "2406"]),
                                                      "%x" % r.randint(0x100, 0xffff)]
    if style == "full":
        g = [x.zfill(4) for x in groups] + ["%04x" % r.randint(0, 0xffff) for _ in range(6)]
        return ":".join(g)
    if style == "comp":
        tail = ["%x" % r.randint(1, 0xffff) for _ in range(r.randint(1, 3))]
        return ":".join(groups) + "::" + ":".join(tail)
    mid = ["%x" % r.randint(0, 0xffff) for _ in range(2)]
    return ":".join(groups + mid) + "::" + "%x" % r.randint(1, 0xffff)


def mac(r):
    return ":".join("%02x" % r.randint(0, 255) for _ in range(6))


def bad_quad(r):
    parts = [r.randint(1, 255) for _ in range(4)]
    parts[r.randrange(4)] = r.randint(256, 999)
    return ".".join(map(str, parts))


def uuid4(r):
    h = "%032x" % r.getrandbits(128)
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], pick(r, "89ab"), h[17:20], h[20:32])


def sha(r, n=40):
    return "%0*x" % (n, r.getrandbits(4 * n))


def version(r):
    return "%d.%d.%d" % (r.randint(0, 14), r.randint(0, 30), r.randint(0, 40))

# --- phones ------------------------------------------------------------------

US_AREAS = ["617", "312", "713", "206", "303", "404", "602", "305", "503", "612", "614",
            "615", "410", "916", "518", "973", "412", "919", "520", "402", "212", "415"]


def phone(r, cc="US", script=None):
    d = lambda n: digits(r, n)
    k = r.randrange(4)
    if cc in ("US", "CA"):
        a, p, s = pick(r, US_AREAS if cc == "US" else ["416", "613", "514", "604", "403", "902", "204"]), \
            str(r.randint(2, 9)) + d(2), d(4)
        v = ["(%s) %s-%s" % (a, p, s), "%s-%s-%s" % (a, p, s), "+1 %s %s %s" % (a, p, s),
             "%s.%s.%s" % (a, p, s)][k]
    elif cc == "UK":
        v = ["+44 20 7%s %s" % (d(3), d(4)), "0161 %s %s" % (d(3), d(4)),
             "+44 (0)113 %s %s" % (d(3), d(4)), "07%s %s" % (d(3), d(6))][k]
    elif cc == "DE":
        v = ["+49 30 %s" % d(8), "089 %s %s" % (d(4), d(3)), "+49 (0)221 %s-%s" % (d(4), d(2)),
             "0151 %s" % d(8)][k]
    elif cc == "AT":
        v = ["+43 1 %s %s" % (d(3), d(4)), "0664 %s" % d(7), "+43 316 %s" % d(6), "01 %s %s" % (d(3), d(4))][k]
    elif cc == "CH":
        v = ["+41 44 %s %s %s" % (d(3), d(2), d(2)), "031 %s %s %s" % (d(3), d(2), d(2)),
             "+41 79 %s %s %s" % (d(3), d(2), d(2)), "061 %s %s %s" % (d(3), d(2), d(2))][k]
    elif cc == "FR":
        v = ["01 %s %s %s %s" % (d(2), d(2), d(2), d(2)), "+33 6 %s %s %s %s" % (d(2), d(2), d(2), d(2)),
             "+33 (0)4 %s %s %s %s" % (d(2), d(2), d(2), d(2)), "06.%s.%s.%s.%s" % (d(2), d(2), d(2), d(2))][k]
    elif cc == "BE":
        v = ["+32 2 %s %s %s" % (d(3), d(2), d(2)), "0470 %s %s %s" % (d(2), d(2), d(2)),
             "+32 9 %s %s %s" % (d(3), d(2), d(2)), "02 %s %s %s" % (d(3), d(2), d(2))][k]
    elif cc == "ES":
        v = ["+34 91 %s %s %s" % (d(3), d(2), d(2)), "6%s %s %s" % (d(2), d(3), d(3)),
             "+34 6%s %s %s" % (d(2), d(3), d(3)), "93 %s %s %s" % (d(3), d(2), d(2))][k]
    elif cc == "IT":
        v = ["+39 06 %s %s" % (d(4), d(4)), "+39 347 %s %s" % (d(3), d(4)), "02 %s %s" % (d(4), d(4)),
             "333 %s" % d(7)][k]
    elif cc == "NL":
        v = ["+31 20 %s %s" % (d(3), d(4)), "06-%s" % d(8), "010-%s" % d(7), "+31 6 %s %s" % (d(4), d(4))][k]
    elif cc == "PL":
        v = ["+48 22 %s %s %s" % (d(3), d(2), d(2)), "+48 6%s %s %s" % (d(2), d(3), d(3)),
             "5%s-%s-%s" % (d(2), d(3), d(3)), "12 %s %s %s" % (d(3), d(2), d(2))][k]
    elif cc == "PT":
        v = ["+351 21 %s %s" % (d(3), d(4)), "91%s %s %s" % (d(1), d(3), d(3)),
             "+351 93%s %s %s" % (d(1), d(3), d(3)), "22 %s %s" % (d(3), d(4))][k]
    elif cc == "SE":
        v = ["+46 8 %s %s %s" % (d(3), d(3), d(2)), "070-%s %s %s" % (d(3), d(2), d(2)),
             "08-%s %s" % (d(3), d(3)), "+46 31 %s %s %s" % (d(3), d(2), d(2))][k]
    elif cc == "DK":
        v = ["+45 %d %s %s %s" % (r.randint(20, 99), d(2), d(2), d(2)), "%s %s %s %s" % (r.randint(20, 99), d(2), d(2), d(2)),
             "+45 3%s %s %s %s" % (d(1), d(2), d(2), d(2)), "+45 %d%s%s%s" % (r.randint(20, 99), d(2), d(2), d(2))][k]
    elif cc == "NO":
        v = ["+47 22 %s %s %s" % (d(2), d(2), d(2)), "4%s %s %s" % (d(2), d(2), d(3)),
             "+47 9%s %s %s" % (d(2), d(2), d(3)), "+47 55 %s %s %s" % (d(2), d(2), d(2))][k]
    elif cc == "FI":
        v = ["+358 9 %s %s" % (d(4), d(4)), "040 %s %s" % (d(3), d(4)), "+358 50 %s %s" % (d(3), d(4)),
             "09 %s %s" % (d(4), d(4))][k]
    elif cc == "CZ":
        v = ["+420 2%s %s %s" % (d(2), d(3), d(3)), "6%s %s %s" % (d(2), d(3), d(3)),
             "+420 7%s %s %s" % (d(2), d(3), d(3)), "5%s %s %s" % (d(2), d(3), d(3))][k]
    elif cc == "TR":
        v = ["+90 212 %s %s %s" % (d(3), d(2), d(2)), "0532 %s %s %s" % (d(3), d(2), d(2)),
             "+90 5%s %s %s %s" % (d(2), d(3), d(2), d(2)), "(0312) %s %s %s" % (d(3), d(2), d(2))][k]
    elif cc == "JP":
        v = ["03-%s-%s" % (d(4), d(4)), "090-%s-%s" % (d(4), d(4)), "+81 3-%s-%s" % (d(4), d(4)),
             "06-%s-%s" % (d(4), d(4))][k]
    elif cc == "CN":
        v = ["+86 10 %s %s" % (d(4), d(4)), "13%s %s %s" % (d(1), d(4), d(4)), "021-%s%s" % (d(4), d(4)),
             "+86 139 %s %s" % (d(4), d(4))][k]
    elif cc == "KR":
        v = ["02-%s-%s" % (d(3), d(4)), "010-%s-%s" % (d(4), d(4)), "+82 10-%s-%s" % (d(4), d(4)),
             "031-%s-%s" % (d(3), d(4))][k]
    elif cc == "IN":
        v = ["+91 9%s %s" % (d(4), d(5)), "022 %s %s" % (d(4), d(4)), "+91 80 %s %s" % (d(4), d(4)),
             "98%s %s" % (d(3), d(5))][k]
    elif cc == "AE":
        v = ["+971 4 %s %s" % (d(3), d(4)), "+971 50 %s %s" % (d(3), d(4)), "04 %s %s" % (d(3), d(4)),
             "055 %s %s" % (d(3), d(4))][k]
    elif cc == "SA":
        v = ["+966 11 %s %s" % (d(3), d(4)), "+966 5%s %s %s" % (d(1), d(3), d(4)), "05%s %s %s" % (d(1), d(3), d(4)),
             "012 %s %s" % (d(3), d(4))][k]
    elif cc == "EG":
        v = ["+20 2 %s %s" % (d(4), d(4)), "010 %s %s" % (d(4), d(4)), "+20 10 %s %s" % (d(4), d(4)),
             "02 %s %s" % (d(4), d(4))][k]
    elif cc == "IR":
        v = ["+98 21 %s %s" % (d(4), d(4)), "0912 %s %s" % (d(3), d(4)), "+98 912 %s %s" % (d(3), d(4)),
             "021-%s%s" % (d(4), d(4))][k]
    elif cc == "AU":
        v = ["+61 2 %s %s" % (d(4), d(4)), "(03) %s %s" % (d(4), d(4)), "04%s %s %s" % (d(2), d(3), d(3)),
             "+61 4%s %s %s" % (d(2), d(3), d(3))][k]
    elif cc == "BR":
        v = ["+55 11 9%s-%s" % (d(4), d(4)), "(21) 3%s-%s" % (d(3), d(4)), "+55 (31) 9%s-%s" % (d(4), d(4)),
             "(11) 9%s-%s" % (d(4), d(4))][k]
    elif cc == "IE":
        v = ["+353 1 %s %s" % (d(3), d(4)), "087 %s %s" % (d(3), d(4)), "+353 21 %s %s" % (d(3), d(4)),
             "01 %s %s" % (d(3), d(4))][k]
    elif cc == "NG":
        v = ["+234 803 %s %s" % (d(3), d(4)), "0803 %s %s" % (d(3), d(4)), "+234 1 %s %s" % (d(3), d(4)),
             "0701 %s %s" % (d(3), d(4))][k]
    elif cc == "KE":
        v = ["+254 712 %s" % d(6), "0722 %s %s" % (d(3), d(3)), "+254 20 %s %s" % (d(3), d(4)),
             "0733 %s" % d(6)][k]
    elif cc == "ZA":
        v = ["+27 21 %s %s" % (d(3), d(4)), "082 %s %s" % (d(3), d(4)), "+27 11 %s %s" % (d(3), d(4)),
             "(011) %s %s" % (d(3), d(4))][k]
    elif cc == "GR":
        v = ["+30 210 %s %s" % (d(3), d(4)), "69%s %s %s" % (d(1), d(3), d(4)), "+30 69%s %s %s" % (d(1), d(3), d(4)),
             "2310 %s %s" % (d(3), d(3))][k]
    else:
        raise ValueError(cc)
    return to_script(v, script)


# --- postal addresses ------------------------------------------------------

US_CITIES = [("Boston", "MA", "021"), ("Chicago", "IL", "606"), ("Houston", "TX", "770"),
             ("Seattle", "WA", "981"), ("Denver", "CO", "802"), ("Atlanta", "GA", "303"),
             ("Phoenix", "AZ", "850"), ("Miami", "FL", "331"), ("Portland", "OR", "972"),
             ("Minneapolis", "MN", "554"), ("Columbus", "OH", "432"), ("Nashville", "TN", "372"),
             ("Baltimore", "MD", "212"), ("Sacramento", "CA", "958"), ("Albany", "NY", "122"),
             ("Newark", "NJ", "071"), ("Pittsburgh", "PA", "152"), ("Raleigh", "NC", "276"),
             ("Tucson", "AZ", "857"), ("Omaha", "NE", "681")]
US_STREETS = ["Maple Avenue", "Oak Street", "Lakeview Drive", "Cedar Lane", "Pine Ridge Road",
              "Elm Street", "Harbor Way", "Riverside Dr", "Birchwood Ct", "Summit Ave",
              "Willow Bend", "Prospect St", "Chestnut Hill Rd", "Meadowbrook Ln"]


def us_zip(r, prefix, plus4=None):
    z = prefix + "%02d" % r.randint(1, 99)
    if plus4 is None:
        plus4 = r.random() < 0.3
    return z + ("-" + digits(r, 4) if plus4 else "")


def us_address(r, long_house=False, sep=", "):
    city, st, pre = pick(r, US_CITIES)
    house = r.randint(10000, 19999) if long_house else r.randint(1, 9899)
    unit = pick(r, ["", "", "", " Apt %d" % r.randint(1, 40), " Unit %s" % pick(r, "ABCD"),
                    " Suite %d" % r.randint(100, 900)])
    return "%d %s%s%s%s, %s %s" % (house, pick(r, US_STREETS), unit, sep, city, st,
                                   M("postal_code", us_zip(r, pre)))


UK_CITIES = [("London", ["SW1A", "EC1A", "N1", "SE1", "W1T", "E14", "NW3", "SW11"]),
             ("Manchester", ["M1", "M4", "M14", "M20"]), ("Leeds", ["LS1", "LS6", "LS11"]),
             ("Birmingham", ["B1", "B15", "B29"]), ("Glasgow", ["G1", "G12", "G41"]),
             ("Bristol", ["BS1", "BS8"]), ("Cardiff", ["CF10", "CF24"]), ("Edinburgh", ["EH1", "EH3", "EH9"]),
             ("Liverpool", ["L1", "L8", "L17"]), ("Sheffield", ["S1", "S10"]),
             ("Newcastle upon Tyne", ["NE1", "NE4"]), ("Nottingham", ["NG1", "NG7"]), ("Leicester", ["LE1", "LE2"])]
UK_STREETS = ["Victoria Road", "Church Lane", "Park Terrace", "Queen Street", "Mill Lane",
              "Station Road", "The Crescent", "Albert Street", "Kingsway", "Holly Close"]
UK_INWARD = "ABDEFGHJLNPQRSTUWXYZ"


def uk_postcode(r, city=None):
    if city is None:
        city, outs = pick(r, UK_CITIES)
    else:
        outs = dict(UK_CITIES)[city]
    return city, pick(r, outs) + " " + str(r.randint(0, 9)) + letters(r, 2, UK_INWARD)


def uk_address(r, sep=", "):
    city, pc = uk_postcode(r)
    flat = pick(r, ["", "", "Flat %d, " % r.randint(1, 30)])
    return "%s%d %s%s%s %s" % (flat, r.randint(1, 240), pick(r, UK_STREETS), sep, city, M("postal_code", pc))


CA_CITIES = [("Toronto", "ON", "M"), ("Ottawa", "ON", "K"), ("Mississauga", "ON", "L"),
             ("Montréal", "QC", "H"), ("Québec", "QC", "G"), ("Vancouver", "BC", "V"),
             ("Calgary", "AB", "T"), ("Edmonton", "AB", "T"), ("Winnipeg", "MB", "R"),
             ("Halifax", "NS", "B"), ("Saskatoon", "SK", "S")]
CA_L = "ABCEGHJKLMNPRSTVWXYZ"


def ca_postcode(r, first):
    return "%s%d%s %d%s%d" % (first, r.randint(0, 9), pick(r, CA_L), r.randint(0, 9), pick(r, CA_L), r.randint(0, 9))


def ca_address(r):
    city, prov, first = pick(r, CA_CITIES)
    return "%d %s, %s %s %s" % (r.randint(1, 3999), pick(r, ["Bloor St W", "Rue Saint-Denis", "Bank Street",
                                                             "Granville St", "Portage Ave", "Jasper Ave",
                                                             "Spring Garden Rd", "King St E"]),
                                city, prov, M("postal_code", ca_postcode(r, first)))


DE_CITIES = [("Berlin", (10115, 14199)), ("Hamburg", (20095, 22769)), ("München", (80331, 81929)),
             ("Köln", (50667, 51149)), ("Frankfurt am Main", (60306, 60599)), ("Stuttgart", (70173, 70629)),
             ("Düsseldorf", (40210, 40629)), ("Leipzig", (4103, 4357)), ("Dresden", (1067, 1328)),
             ("Hannover", (30159, 30669)), ("Bremen", (28195, 28779)), ("Nürnberg", (90402, 90491))]
DE_STREETS = ["Hauptstraße", "Bahnhofstraße", "Lindenallee", "Schillerstraße", "Goethestraße",
              "Am Markt", "Kirchweg", "Rosenweg", "Gartenstraße", "Friedrichstraße", "Waldstraße"]


def de_address(r, prefix=False, sep=", "):
    city, (lo, hi) = pick(r, DE_CITIES)
    plz = "%05d" % r.randint(lo, hi)
    return "%s %d%s%s%s %s" % (pick(r, DE_STREETS), r.randint(1, 120), pick(r, ["", "", "a", "b"]), sep,
                               ("D-" if prefix else "") + M("postal_code", plz), city)


AT_CITIES = [("Wien", ["1010", "1020", "1030", "1050", "1060", "1070", "1090", "1100", "1120", "1150", "1190", "1210"]),
             ("Graz", ["8010", "8020", "8042"]), ("Linz", ["4020", "4030"]), ("Salzburg", ["5020"]),
             ("Innsbruck", ["6020"]), ("Klagenfurt", ["9020"])]
CH_CITIES = [("Zürich", ["8001", "8004", "8006", "8032", "8050"]), ("Bern", ["3011", "3012", "3007"]),
             ("Basel", ["4051", "4056"]), ("Genève", ["1201", "1205", "1207"]), ("Lausanne", ["1003", "1005"]),
             ("Luzern", ["6003", "6004"]), ("St. Gallen", ["9000"])]


def at_address(r):
    city, codes = pick(r, AT_CITIES)
    return "%s %d/%d, %s %s" % (pick(r, ["Mariahilfer Straße", "Landstraßer Hauptstraße", "Herrengasse",
                                         "Annenstraße", "Linzer Gasse"]), r.randint(1, 140), r.randint(1, 20),
                                M("postal_code", pick(r, codes)), city)


def ch_address(r, prefix=None):
    city, codes = pick(r, CH_CITIES)
    if prefix is None:
        prefix = r.random() < 0.4
    return "%s %d, %s%s %s" % (pick(r, ["Bahnhofstrasse", "Seestrasse", "Rue du Rhône", "Spitalgasse",
                                        "Avenue de la Gare", "Hauptgasse"]), r.randint(1, 90),
                               "CH-" if prefix else "", M("postal_code", pick(r, codes)), city)


FR_CITIES = [("Paris", lambda r: "750%02d" % r.randint(1, 20)), ("Lyon", lambda r: "6900%d" % r.randint(1, 9)),
             ("Marseille", lambda r: "130%02d" % r.randint(1, 16)), ("Toulouse", lambda r: "31%03d" % pick(r, [0, 100, 200, 300, 400, 500])),
             ("Lille", lambda r: "59000"), ("Nantes", lambda r: "44%03d" % pick(r, [0, 100, 200, 300])),
             ("Bordeaux", lambda r: "33%03d" % pick(r, [0, 100, 200, 300, 800])), ("Strasbourg", lambda r: "67%03d" % pick(r, [0, 100, 200]))]


def fr_address(r):
    city, f = pick(r, FR_CITIES)
    return "%d %s, %s %s" % (r.randint(1, 180), pick(r, ["rue de la République", "avenue Jean Jaurès",
                                                         "boulevard Voltaire", "rue des Lilas", "place du Marché",
                                                         "rue Pasteur", "allée des Tilleuls"]),
                             M("postal_code", f(r)), city)


def be_address(r):
    city, code = pick(r, [("Bruxelles", "1000"), ("Antwerpen", "2000"), ("Gent", "9000"), ("Liège", "4000"),
                          ("Leuven", "3000"), ("Brugge", "8000"), ("Namur", "5000"), ("Ixelles", "1050")])
    return "%s %d, %s %s" % (pick(r, ["Rue Neuve", "Meir", "Veldstraat", "Chaussée de Wavre", "Bondgenotenlaan"]),
                             r.randint(1, 200), M("postal_code", code), city)


NL_L = "ABCDEGHJKLMNPRSTVWXZ"


def nl_postcode(r, lo, hi, space=None):
    while True:
        lt = letters(r, 2, NL_L)
        if lt not in ("SA", "SD", "SS"):
            break
    if space is None:
        space = r.random() < 0.7
    return "%d%s%s" % (r.randint(lo, hi), " " if space else "", lt)


def nl_address(r):
    city, lo, hi = pick(r, [("Amsterdam", 1011, 1109), ("Rotterdam", 3011, 3089), ("Utrecht", 3511, 3585),
                            ("Den Haag", 2511, 2599), ("Eindhoven", 5611, 5658), ("Groningen", 9711, 9747),
                            ("Haarlem", 2011, 2037)])
    return "%s %d, %s %s" % (pick(r, ["Keizersgracht", "Kerkstraat", "Dorpsstraat", "Oudegracht", "Lange Voorhout",
                                      "Stationsplein", "Molenweg"]), r.randint(1, 400),
                             M("postal_code", nl_postcode(r, lo, hi)), city)


def es_address(r):
    city, lo, hi = pick(r, [("Madrid", 28001, 28055), ("Barcelona", 8001, 8042), ("Valencia", 46001, 46026),
                            ("Sevilla", 41001, 41020), ("Bilbao", 48001, 48015), ("Zaragoza", 50001, 50018),
                            ("Málaga", 29001, 29018)])
    return "%s %d, %s %s" % (pick(r, ["Calle de Alcalá", "Avenida Diagonal", "Calle Colón", "Gran Vía",
                                      "Paseo de la Castellana", "Calle Larios", "Plaza del Pilar"]),
                             r.randint(1, 250), M("postal_code", "%05d" % r.randint(lo, hi)), city)


def it_address(r):
    city, prov, lo, hi = pick(r, [("Roma", "RM", 118, 199), ("Milano", "MI", 20121, 20162), ("Napoli", "NA", 80121, 80147),
                                  ("Torino", "TO", 10121, 10156), ("Bologna", "BO", 40121, 40141),
                                  ("Firenze", "FI", 50121, 50145), ("Genova", "GE", 16121, 16167)])
    return "%s %d, %s %s (%s)" % (pick(r, ["Via Roma", "Via Garibaldi", "Corso Vittorio Emanuele II", "Via Dante",
                                           "Piazza della Repubblica", "Via dei Mille"]),
                                  r.randint(1, 180), M("postal_code", "%05d" % r.randint(lo, hi)), city, prov)


def pl_address(r):
    city, lo, hi = pick(r, [("Warszawa", 0, 4), ("Kraków", 30, 31), ("Wrocław", 50, 54), ("Poznań", 60, 61),
                            ("Gdańsk", 80, 80), ("Łódź", 90, 94), ("Lublin", 20, 20)])
    code = "%02d-%03d" % (r.randint(lo, hi), r.randint(1, 999))
    return "ul. %s %d/%d, %s %s" % (pick(r, ["Marszałkowska", "Długa", "Piotrkowska", "Kwiatowa", "Lipowa",
                                             "Słoneczna", "Ogrodowa"]), r.randint(1, 150), r.randint(1, 60),
                                    M("postal_code", code), city)


def pt_address(r):
    city, lo, hi = pick(r, [("Lisboa", 1000, 1990), ("Porto", 4000, 4200), ("Coimbra", 3000, 3030),
                            ("Braga", 4700, 4715), ("Faro", 8000, 8005)])
    code = "%04d-%03d" % (r.randint(lo, hi), r.randint(1, 999))
    return "%s %d, %s %s" % (pick(r, ["Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina",
                                      "Rua do Souto", "Travessa do Carmo"]), r.randint(1, 300),
                             M("postal_code", code), city)


def se_address(r, prefix=False):
    city, lo, hi = pick(r, [("Stockholm", 111, 118), ("Göteborg", 411, 418), ("Malmö", 211, 217),
                            ("Uppsala", 752, 754), ("Linköping", 582, 583)])
    code = "%d %02d" % (r.randint(lo, hi), r.randint(10, 99))
    return "%s %d, %s%s %s" % (pick(r, ["Drottninggatan", "Storgatan", "Kungsgatan", "Vasagatan", "Sveavägen"]),
                               r.randint(1, 90), "SE-" if prefix else "", M("postal_code", code), city)


def dk_address(r):
    city, lo, hi = pick(r, [("København K", 1050, 1472), ("Aarhus C", 8000, 8000), ("Odense C", 5000, 5000),
                            ("Aalborg", 9000, 9000), ("Frederiksberg", 1800, 2000)])
    return "%s %d, %s %s" % (pick(r, ["Nørregade", "Vestergade", "Strøget", "Østerbrogade", "Algade"]),
                             r.randint(1, 120), M("postal_code", str(r.randint(lo, hi))), city)


def no_address(r):
    city, lo, hi = pick(r, [("Oslo", 150, 1295), ("Bergen", 5003, 5020), ("Trondheim", 7010, 7030),
                            ("Stavanger", 4005, 4020), ("Tromsø", 9008, 9019)])
    return "%s %d, %s %s" % (pick(r, ["Karl Johans gate", "Storgata", "Kongens gate", "Bryggen", "Dronningens gate"]),
                             r.randint(1, 80), M("postal_code", "%04d" % r.randint(lo, hi)), city)


def fi_address(r):
    city, codes = pick(r, [("Helsinki", ["00100", "00120", "00170", "00250", "00500", "00530"]),
                           ("Espoo", ["02100", "02150", "02600"]), ("Tampere", ["33100", "33200"]),
                           ("Turku", ["20100", "20500"]), ("Oulu", ["90100", "90570"])])
    return "%s %d, %s %s" % (pick(r, ["Mannerheimintie", "Aleksanterinkatu", "Hämeenkatu", "Kauppakatu",
                                      "Puistokatu"]), r.randint(1, 60), M("postal_code", pick(r, codes)), city)


def cz_address(r):
    city, lo, hi = pick(r, [("Praha 1", 110, 110), ("Praha 2", 120, 128), ("Brno", 602, 602), ("Ostrava", 702, 703),
                            ("Plzeň", 301, 301), ("Olomouc", 779, 779)])
    code = "%d %02d" % (r.randint(lo, hi), pick(r, [0, 0, 0, 10, 20]))
    return "%s %d, %s %s" % (pick(r, ["Vodičkova", "Národní", "Masarykova", "Nádražní", "Husova"]),
                             r.randint(1, 90), M("postal_code", code), city)


def tr_address(r):
    city, dist, lo, hi = pick(r, [("İstanbul", "Şişli", 34360, 34394), ("İstanbul", "Kadıköy", 34710, 34734),
                                  ("Ankara", "Çankaya", 6420, 6690), ("İzmir", "Konak", 35210, 35290),
                                  ("Bursa", "Nilüfer", 16110, 16140), ("Antalya", "Muratpaşa", 7010, 7100)])
    return "%s No: %d, %s %s/%s" % (pick(r, ["Atatürk Cad.", "Cumhuriyet Cad.", "İstiklal Cad.", "Bağdat Cad."]),
                                    r.randint(1, 200), M("postal_code", "%05d" % r.randint(lo, hi)), dist, city)


def jp_address(r):
    code, rest = pick(r, [("100-0005", "東京都千代田区丸の内"), ("530-0001", "大阪府大阪市北区梅田"),
                          ("460-0008", "愛知県名古屋市中区栄"), ("060-0001", "北海道札幌市中央区北一条西"),
                          ("812-0011", "福岡県福岡市博多区博多駅前"), ("231-0023", "神奈川県横浜市中区山下町")])
    return "〒%s %s%d-%d-%d" % (M("postal_code", code), rest, r.randint(1, 9), r.randint(1, 30), r.randint(1, 20))


def au_address(r):
    city, st, lo, hi = pick(r, [("Sydney", "NSW", 2000, 2234), ("Melbourne", "VIC", 3000, 3207),
                                ("Brisbane", "QLD", 4000, 4179), ("Perth", "WA", 6000, 6199),
                                ("Adelaide", "SA", 5000, 5099), ("Hobart", "TAS", 7000, 7018),
                                ("Canberra", "ACT", 2600, 2617)])
    return "%d %s, %s %s %s" % (r.randint(1, 400), pick(r, ["George St", "Collins St", "Queen St", "Hay St",
                                                            "Rundle Mall", "Sandy Bay Rd", "Northbourne Ave"]),
                                city, st, M("postal_code", str(r.randint(lo, hi))))


def in_address(r):
    city, lo, hi = pick(r, [("Mumbai", 400001, 400104), ("New Delhi", 110001, 110096), ("Bengaluru", 560001, 560103),
                            ("Chennai", 600001, 600119), ("Hyderabad", 500001, 500098), ("Pune", 411001, 411062),
                            ("Kolkata", 700001, 700156)])
    return "%d, %s, %s %s" % (r.randint(1, 400), pick(r, ["MG Road", "Linking Road", "Anna Salai", "FC Road",
                                                          "Park Street", "Banjara Hills Road No. 12"]), city,
                              M("postal_code", str(r.randint(lo, hi))))


def br_address(r):
    city, uf, lo, hi = pick(r, [("São Paulo", "SP", 1000, 5999), ("Rio de Janeiro", "RJ", 20000, 23799),
                                ("Belo Horizonte", "MG", 30000, 31999), ("Porto Alegre", "RS", 90000, 91999),
                                ("Curitiba", "PR", 80000, 82999)])
    code = "%05d-%03d" % (r.randint(lo, hi), r.randint(0, 999))
    return "%s, %d - %s/%s, CEP %s" % (pick(r, ["Av. Paulista", "Rua Augusta", "Av. Atlântica", "Rua da Bahia",
                                                "Rua XV de Novembro"]), r.randint(1, 2500), city, uf,
                                       M("postal_code", code))


EIR_L = "ACDEFHKNPRTVWXY"


def eircode(r):
    key = pick(r, ["D02", "D04", "D06", "D08", "D6W", "D12", "D15", "T12", "T23", "H91", "V94", "X91", "A94", "K78"])
    uid = pick(r, EIR_L) + "".join(pick(r, EIR_L + "0123456789") for _ in range(3))
    return key + " " + uid


def ie_address(r):
    city = pick(r, ["Dublin", "Cork", "Galway", "Limerick", "Waterford", "Blackrock", "Lucan"])
    return "%d %s, %s, %s" % (r.randint(1, 120), pick(r, ["Main Street", "Pearse Road", "Church View",
                                                          "Oakfield Park", "Seafield Avenue"]), city,
                              M("postal_code", eircode(r)))


ADDRESS = {"US": us_address, "UK": uk_address, "CA": ca_address, "DE": de_address, "AT": at_address,
           "CH": ch_address, "FR": fr_address, "BE": be_address, "NL": nl_address, "ES": es_address,
           "IT": it_address, "PL": pl_address, "PT": pt_address, "SE": se_address, "DK": dk_address,
           "NO": no_address, "FI": fi_address, "CZ": cz_address, "TR": tr_address, "JP": jp_address,
           "AU": au_address, "IN": in_address, "BR": br_address, "IE": ie_address}


def addr(r, cc):
    return ADDRESS[cc](r)

# ---------------------------------------------------------------------------
# template bank
# ---------------------------------------------------------------------------

TEMPLATES = []          # (function, count, language, kind)


def T(lang, n, kind):
    def deco(fn):
        TEMPLATES.append((fn, n, lang, kind))
        return fn
    return deco


FEMALE = {"Maria", "Jennifer", "Sarah", "Emily", "Rebecca", "Olivia", "Hannah", "Katrin", "Sabine", "Annika",
          "Chloé", "Léa", "Lucía", "Sofía", "Giulia", "Francesca", "Chiara", "Agnieszka", "Małgorzata",
          "Sanne", "Femke", "Ngozi", "Abena", "Wanjiru", "Fatima", "Layla", "Ayşe", "Elif", "Priya",
          "Ananya", "Yuki", "Ingrid", "Astrid", "Olena", "Svetlana", "Eleni", "Siobhan", "Niamh"}


class P:
    """A person drawn from names.txt."""

    def __init__(self, r, cult=None, double=False):
        self.cult = cult or pick(r, CULTURES)
        self.g, self.f, self.disp = person(r, self.cult)
        if double and self.cult == "es":
            f2 = pick(r, [x for x in FAMILY["es"] if x != self.f])
            self.disp = "%s %s %s" % (self.g, self.f, f2)
            self.f = self.f + " " + f2

    @property
    def fem(self):
        return self.g in FEMALE

    @property
    def N(self):
        return M("name", self.disp)

    @property
    def G(self):
        return M("name", self.g)

    @property
    def F(self):
        return M("name", self.f)

    def E(self, r, domain=None):
        return M("email", email_for(r, self.g, self.f.split(" ")[0], domain or pick(r, FREEMAIL)))


def J(*parts):
    """Join lines of pasted material with the visible line-break marker."""
    return NL_SEP.join(parts)


def dates2(r, style, lo=2023, hi=2026):
    a, b = rdate(r, lo, hi), None
    b = a + datetime.timedelta(days=r.randint(1, 21))
    return fmt_date(a, style), fmt_date(b, style)


def claim_no(r):
    return pick(r, ["CLM-", "C", "", "ICN "]) + digits(r, r.randint(9, 11), True)


def order_no(r):
    return pick(r, ["ORD-", "PO ", "#", "SO-", "A"]) + digits(r, r.randint(6, 10), True)


def ref_no(r):
    return "%s-%s-%s" % (letters(r, 3), digits(r, 4), letters(r, 2))


def amount(r, loc="en"):
    v = r.randint(500, 4999999) / 100
    if loc == "en":
        return "$" + "{:,.2f}".format(v)
    if loc == "gb":
        return "£" + "{:,.2f}".format(v)
    if loc == "eu":
        return "{:,.2f}".format(v).replace(",", "X").replace(".", ",").replace("X", ".") + " €"
    if loc == "fr":
        return "{:,.2f}".format(v).replace(",", "\u202f").replace(".", ",") + " €"
    if loc == "ch":
        return "CHF " + "{:,.2f}".format(v).replace(",", "'")
    if loc == "pl":
        return "{:,.2f}".format(v).replace(",", " ").replace(".", ",") + " zł"
    if loc == "br":
        return "R$ " + "{:,.2f}".format(v).replace(",", "X").replace(".", ",").replace("X", ".")
    if loc == "jp":
        return "¥" + "{:,}".format(int(v * 10))
    if loc == "in":
        return "₹" + "{:,}".format(int(v))
    if loc == "sek":
        return "{:,.2f}".format(v).replace(",", " ").replace(".", ",") + " kr"
    if loc == "tr":
        return "{:,.2f}".format(v).replace(",", "X").replace(".", ",").replace("X", ".") + " TL"
    raise ValueError(loc)


BICS = ["COBADEFFXXX", "DEUTDEFF500", "BNPAFRPPXXX", "CAIXESBBXXX", "UNCRITMMXXX", "INGBNL2A",
        "PKOPPLPWXXX", "CGDIPTPL", "ESSESESS", "DABADKKK", "DNBANOKKXXX", "NDEAFIHH",
        "KOMBCZPPXXX", "TGBATRISXXX", "NWBKGB2L", "AIBKIE2D", "RZBAATWW", "UBSWCHZH80A",
        "GEBABEBB", "BCITITMM", "NCBKSAJE", "EBILAEAD"]


# =========================================================================
# HOSPITALS: clinical material pasted into the assistant
# =========================================================================

@T("en", 9, "discharge summary")
def h_en_discharge(r):
    p = P(r)
    prompt = pick(r, ["Can you turn this into a 3-line summary for the GP?",
                      "Summarise the discharge summary below in plain English for the patient's daughter.",
                      "pls shorten this, keep meds + follow-up:",
                      "Make bullet points out of this discharge note:"])
    dd = dates2(r, "us")
    dx = pick(r, ["community-acquired pneumonia (J18.9)", "NSTEMI (I21.4)", "cellulitis left leg (L03.116)",
                  "DKA (E10.10)", "acute pyelonephritis (N10)", "COPD exacerbation (J44.1)"])
    return J(prompt, "DISCHARGE SUMMARY",
             "Patient: %s   MRN: %s   DOB: %s" % (p.N, M("medical_record_number", mrn(r)), DOB(r, pick(r, ["us", "iso", "en_short"]))),
             "Admitted %s with %s, discharged %s on %s." % (
                 dd[0], dx, dd[1],
                 pick(r, ["amoxicillin 500 mg TDS x5/7", "ramipril 2.5 mg OD", "metformin 1 g BD",
                          "prednisolone 30 mg OD x5 days"])),
             "Follow-up: %s clinic in %d weeks. GP surgery tel %s." % (
                 pick(r, ["respiratory", "cardiology", "diabetes", "urology"]), r.randint(2, 12),
                 M("phone", phone(r, pick(r, ["US", "UK"])))))


@T("en", 7, "nursing handover")
def h_en_handover(r):
    a, b, c = P(r), P(r), P(r, "en")
    return ("Tidy up my handover notes so they read properly, keep it short: bed %d - %s (%dF) MRN %s, "
            "post-op day %d lap chole, obs stable, pain 3/10. bed %d - %s, MR# %s, NBM from midnight for OGD, "
            "daughter %s wants a call back on %s. K+ 3.1 at 06:00, repeat at 14:00.") % (
        r.randint(1, 30), a.N, r.randint(19, 95), M("medical_record_number", mrn(r)), r.randint(1, 4),
        r.randint(1, 30), b.N, M("medical_record_number", mrn(r)), c.G, M("phone", phone(r, pick(r, ["UK", "US", "AU", "IE"]))))


@T("en", 8, "referral letter")
def h_en_referral(r):
    p = P(r)
    cc = pick(r, ["US", "UK", "CA", "AU", "IE"])
    return ("Extract name, dob, mrn, phone and address from this referral and give me JSON: "
            "\"Dear colleague, I would be grateful if you could see %s, date of birth %s, medical record number %s, "
            "who lives at %s and can be reached on %s. She has a 3-month history of %s. "
            "Kind regards, Dr %s\"") % (
        p.N, DOB(r, pick(r, ["en_long", "us_long", "eu/"])), M("medical_record_number", mrn(r)), addr(r, cc),
        M("phone", phone(r, cc if cc != "CA" else "CA")),
        pick(r, ["intermittent palpitations", "worsening knee pain", "unexplained weight loss", "recurrent headaches"]),
        P(r, pick(r, ["en", "ie", "in", "af"])).F)


@T("en", 8, "NHS clinic letter")
def h_en_nhs_letter(r):
    p = P(r, pick(r, ["en", "ie", "in", "af", "pl"]))
    return J(pick(r, ["Please shorten this clinic letter to under 150 words:",
                      "Rewrite this letter for the patient, avoid jargon:",
                      "can u fix the grammar in this letter"]),
             "Re: %s, D.O.B. %s, NHS No. %s" % (p.N, DOB(r, pick(r, ["eu/", "en_long"])), M("health_plan_number", nhs(r))),
             uk_address(r),
             "I saw this %d-year-old in the diabetes clinic on %s. HbA1c 64 mmol/mol (was 71). "
             "eGFR 58. Plan: increase gliclazide to 80 mg BD, review in 4 months." % (r.randint(30, 88), some_date(r, "eu/")),
             "Dr %s, Consultant Physician" % P(r, pick(r, ["en", "ie", "in"])).F)


@T("en", 7, "CSV export")
def h_en_csv(r):
    rows = ["mrn,last_name,first_name,dob,phone,zip"]
    for _ in range(r.randint(2, 3)):
        p = P(r, pick(r, ["en", "es", "vn", "cn", "af", "in"]))
        city, st, pre = pick(r, US_CITIES)
        rows.append("%s,%s,%s,%s,%s,%s" % (M("medical_record_number", mrn(r)), M("name", p.f), M("name", p.g),
                                           DOB(r, "us"), M("phone", phone(r, "US").replace(" ", "-").replace("+1-", "").replace("(", "").replace(")", "").replace(".", "-")),
                                           M("postal_code", us_zip(r, pre, False))))
    return J(pick(r, ["Why does Excel turn the dob column into numbers when I open this?",
                      "Sort this by last name and give it back as a markdown table:",
                      "Find duplicates in this export (same person, different MRN):"]), *rows)


def hl7_phone(r):
    return "(%s)%s-%s" % (pick(r, US_AREAS), str(r.randint(2, 9)) + digits(r, 2), digits(r, 4))


@T("en", 7, "HL7 v2 ADT")
def h_en_hl7(r):
    p = P(r, pick(r, ["en", "es", "af", "vn", "in"]))
    city, st, pre = pick(r, US_CITIES)
    ts = some_date(r, "compact") + "%02d%02d%02d" % (r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))
    pid = ["PID", "1", "", M("medical_record_number", mrn(r)) + "^^^NGH^MR", "",
           M("name", p.f) + "^" + M("name", p.g) + "^^^", "", DOB(r, "compact"), pick(r, "FM"), "", "",
           "%d %s^^%s^%s^%s^USA" % (r.randint(1, 9899), pick(r, US_STREETS), city, st, M("postal_code", us_zip(r, pre, False))),
           "", M("phone", hl7_phone(r)), "", "", "", "", "", M("ssn", ssn(r, "-"))]
    msh = "MSH|^~\\&|EPIC|NGH|RHAPSODY|NGH|%s||ADT^A04|MSG%s|P|2.5.1" % (ts, digits(r, 6))
    return J(pick(r, ["Our interface engine rejects this ADT^A04 with 'PID-7 invalid', can you spot the problem? "
                      "(PID-3 = MRN, PID-7 = DOB, PID-19 = SSN)",
                      "Explain each field of this HL7 message to a new analyst (PID-3 is our MRN, PID-7 the DOB, PID-19 the SSN):",
                      "Convert this HL7 PID to FHIR Patient JSON (PID-3 = MRN, PID-7 = DOB, PID-19 = SSN):"]), msh, "|".join(pid))


@T("en", 5, "HL7 v2 IN1")
def h_en_hl7_in1(r):
    p = P(r, pick(r, ["en", "es", "af"]))
    ins = pick(r, [("Boston", "MA", "022"), ("Hartford", "CT", "061"), ("Atlanta", "GA", "303"), ("Minneapolis", "MN", "554")])
    in1 = ["IN1", "1", pick(r, ["BCBSMA", "AETNA01", "UHC", "CIGNA"]), digits(r, 5), pick(r, ["BLUE CROSS", "AETNA", "UNITEDHEALTHCARE"]),
           "PO BOX %d^^%s^%s^%s" % ((r.randint(1000, 9999),) + ins[:2] + (M("postal_code", us_zip(r, ins[2], False)),)),
           "", M("phone", hl7_phone(r)), "GRP" + digits(r, 5), "", "", "", some_date(r, "compact"), "", "", "",
           M("name", p.f) + "^" + M("name", p.g), "01", DOB(r, "compact")] + [""] * 17 + [M("health_plan_number", us_member_id(r))]
    assert in1[18].startswith("\u27e6date") and in1[36].startswith("\u27e6health")
    return J("Billing says the policy number is missing in this IN1 but I can see it, who's right? (IN1-36 is policy number, IN1-18 insured DOB)",
             "|".join(in1))


@T("en", 6, "FHIR Patient")
def h_en_fhir(r):
    p = P(r, pick(r, ["en", "de", "nl", "af", "in"]))
    city, st, pre = pick(r, US_CITIES)
    return ("Validate this FHIR Patient resource, the server says birthDate is invalid: "
            '{"resourceType":"Patient","identifier":[{"type":{"text":"MRN"},"value":"%s"}],'
            '"name":[{"family":"%s","given":["%s"]}],"birthDate":"%s","telecom":[{"system":"phone","value":"%s"},'
            '{"system":"email","value":"%s"}],"address":[{"city":"%s","state":"%s","postalCode":"%s"}]}') % (
        M("medical_record_number", mrn(r)), p.F, p.G, DOB(r, pick(r, ["us", "iso", "eu."])),
        M("phone", phone(r, "US")), p.E(r), city, st, M("postal_code", us_zip(r, pre)))


@T("en", 6, "SQL query")
def h_en_sql(r):
    p = P(r, pick(r, ["en", "de", "es", "it"]))
    k = r.randrange(3)
    if k == 0:
        q = ("SELECT * FROM encounters e JOIN patients p ON p.id = e.patient_fk WHERE p.mrn = '%s' "
             "OR (p.last_name = '%s' AND p.dob = '%s');") % (M("medical_record_number", mrn(r)), p.F, DOB(r, "iso"))
        prompt = "This query takes 40 seconds on prod, how do I speed it up?"
    elif k == 1:
        q = ("UPDATE patients SET phone = '%s', zip = '%s' WHERE patient_id = '%s';") % (
            M("phone", phone(r, "US")), M("postal_code", us_zip(r, pick(r, US_CITIES)[2])), M("medical_record_number", mrn(r)))
        prompt = "Is this safe to run without a transaction?"
    else:
        q = ("INSERT INTO audit_merge (old_mrn, new_mrn, merged_by) VALUES ('%s', '%s', '%s');") % (
            M("medical_record_number", mrn(r)), M("medical_record_number", mrn(r)), p.E(r, "northgate-health.org"))
        prompt = "Explain what this statement does before I run it:"
    return prompt + " ```" + q + "```"


@T("en", 7, "patient portal message")
def h_en_portal(r):
    p = P(r, pick(r, ["en", "es", "af", "in", "ar", "cn"]))
    return ("Help me reply kindly to this patient portal message: \"Hi, this is %s (DOB %s). I got a bill for my MRI "
            "on %s but my insurance member ID %s was on file the whole time. Can someone call me at %s or email %s? "
            "I already paid %s by mistake.\"") % (
        p.N, DOB(r, "us"), some_date(r, "us"), M("health_plan_number", us_member_id(r)), M("phone", phone(r, "US")),
        p.E(r), amount(r, "en"))


@T("en", 6, "incident report")
def h_en_incident(r):
    p, s = P(r), P(r, pick(r, ["en", "ie", "af", "in", "pl"]))
    return J("Rewrite this incident report in neutral, factual language:",
             "Datix draft - %s 02:40, ward 7B bay 3. Pt %s (MRN %s) found on floor by HCA %s." % (
                 some_date(r, "eu/"), p.N, M("medical_record_number", mrn(r)), s.G),
             "Obs: BP 142/88, HR 96, SpO2 95%%, GCS 15. No obvious injury. Son informed at 03:15 on %s." % M("phone", phone(r, "UK")))


@T("en", 6, "Australian discharge")
def h_en_au(r):
    p, k = P(r, pick(r, ["en", "vn", "cn", "gr", "it"])), P(r, pick(r, ["en", "vn", "cn", "gr"]))
    return ("Summarise for the discharge letter, Australian spelling please: pt %s, DOB %s, Medicare card %s, lives at %s. "
            "NOK %s (%s) %s. Seen in ED %s, CT brain NAD, d/c home with GP f/u.") % (
        p.N, DOB(r, "eu/"), M("health_plan_number", au_medicare(r)), au_address(r), k.N,
        pick(r, ["wife", "son", "daughter", "husband"]), M("phone", phone(r, "AU")), some_date(r, "eu/"))


@T("en", 5, "Canadian clinic note")
def h_en_ca(r):
    p = P(r, pick(r, ["en", "fr", "in", "cn", "af"]))
    return ("Can you make this walk-in note more concise? Pt %s, born %s, health plan ID (OHIP) %s, chart number %s, "
            "address %s, cell %s. Seen %s for URTI, no abx, return if fever > 72 h.") % (
        p.N, DOB(r, "iso"), M("health_plan_number", ohip(r)), M("medical_record_number", mrn(r)),
        ca_address(r), M("phone", phone(r, "CA")), some_date(r, "iso"))


@T("en", 5, "pharmacy fax")
def h_en_pharmacy(r):
    p, d = P(r), P(r, pick(r, ["en", "in", "af"]))
    return J("Turn this faxed Rx clarification into a polite message to the prescriber:",
             "TO: Dr %s  FAX 1/1" % d.F,
             "Re: %s, DOB %s, member ID %s" % (p.N, DOB(r, "us"), M("health_plan_number", us_member_id(r))),
             "Rx #%s apixaban 5 mg - dose? pt 58 kg, SCr 1.6. Pls call pharmacy %s or fax back." % (
                 digits(r, 7), M("phone", phone(r, "US"))))


@T("en", 5, "clinic schedule TSV")
def h_en_tsv(r):
    rows = ["Time\tPatient\tDOB\tMRN\tReason"]
    for _ in range(r.randint(2, 3)):
        p = P(r)
        rows.append("%02d:%s\t%s\t%s\t%s\t%s" % (r.randint(8, 16), pick(r, ["00", "15", "30", "45"]), p.N,
                                                DOB(r, "eu/"), M("medical_record_number", mrn(r)),
                                                pick(r, ["f/u", "new pt", "wound check", "INR", "post-op"])))
    return J("Pasted from Excel - which of these are over 65?", *rows)


# ---- Europe -----------------------------------------------------------------

@T("de", 8, "Arztbrief")
def h_de_brief(r):
    p = P(r, pick(r, ["de", "pl", "tr", "it", "gr"]))
    return J(pick(r, ["Bitte ins Englische übersetzen, geht an eine Klinik in Dublin:",
                      "Kannst du den Brief kürzen? Max. halbe Seite.",
                      "Fasse diesen Arztbrief für die Pflegeüberleitung zusammen:"]),
             "Sehr geehrte Frau Kollegin, wir berichten über %s %s, geb. %s, Patientennummer %s, wohnhaft %s," % (
                 "Frau" if p.fem else "Herrn", p.N, DOB(r, pick(r, ["eu.", "de_long"])), M("medical_record_number", mrn(r)), de_address(r)),
             ("die" if p.fem else "der") + " sich vom %s bis %s in unserer stationären Behandlung befand. Versichertennummer (KVNR) %s." % (
                 *dates2(r, "eu."), M("health_plan_number", kvnr(r))),
             "Diagnosen: Vorhofflimmern (I48.1), arterielle Hypertonie (I10). Rückfragen gerne unter %s." % M("phone", phone(r, "DE")))


@T("de", 5, "Pflegeheim E-Mail")
def h_de_heim(r):
    p, s = P(r, "de"), P(r, pick(r, ["de", "pl", "slav"]))
    return ("Kannst du auf diese Mail antworten, dass wir den Befund schicken? -- Von: %s <%s> Betreff: Bewohner %s, "
            "Geburtsdatum %s -- Guten Tag, unser Bewohner war am %s bei Ihnen in der Notaufnahme. Bitte senden Sie den "
            "Entlassungsbericht an %s oder per Fax. Seine Versichertennummer lautet %s. Danke, Pflegedienstleitung") % (
        s.N, s.E(r, "pflegeheim-am-see.de"), p.N, DOB(r, "eu."), some_date(r, "eu."),
        M("email", "verwaltung@pflegeheim-am-see.de"), M("health_plan_number", kvnr(r)))


@T("fr", 7, "compte rendu")
def h_fr_cr(r):
    p = P(r, pick(r, ["fr", "ar", "af", "es"]))
    d = birth(r)
    return J(pick(r, ["Peux-tu résumer ce compte rendu en trois lignes ?", "Traduis en anglais pour le service de Genève :",
                      "Reformule ça pour la lettre de sortie :"]),
             "Compte rendu d'hospitalisation - %s %s, %s le %s, numéro de dossier %s, carte Vitale %s" % (
                 "Mme" if p.fem else "M.", p.N, "née" if p.fem else "né", DOB(r, pick(r, ["eu/", "fr_long"]), d=d),
                 M("medical_record_number", mrn(r)), M("health_plan_number", nir(r, d, "2" if p.fem else "1"))),
             "Entrée le %s, sortie le %s. Diagnostic : embolie pulmonaire (I26.9). Médecin traitant joignable au %s." % (
                 *dates2(r, "eu/"), M("phone", phone(r, "FR"))))


@T("es", 7, "informe de alta")
def h_es_alta(r):
    p = P(r, "es", double=r.random() < 0.6)
    return J(pick(r, ["¿Me puedes traducir esto al inglés?", "Resume este informe para el paciente, sin tecnicismos:",
                      "Pásame esto a una tabla, porfa:"]),
             "INFORME DE ALTA", "Paciente: %s" % p.N,
             "Nº historia clínica: %s" % M("medical_record_number", mrn(r)),
             "Fecha de nacimiento: %s" % DOB(r, pick(r, ["eu/", "es_long"])),
             "Fecha de ingreso: %s - Fecha de alta: %s" % dates2(r, "eu/"),
             "Domicilio: %s - Teléfono: %s" % (es_address(r), M("phone", phone(r, "ES"))))


@T("it", 6, "lettera di dimissione")
def h_it_dimissione(r):
    p = P(r, "it")
    dd = dates2(r, "eu/")
    return J(pick(r, ["Riassumi questa lettera di dimissione per il medico di base:",
                      "Puoi tradurla in inglese? Il paziente si trasferisce a Londra.",
                      "Correggi gli errori di battitura:"]),
             "%s %s, %s il %s, cartella clinica n. %s, residente in %s." % (
                 "Sig.ra" if p.fem else "Sig.", p.N, "nata" if p.fem else "nato", DOB(r, pick(r, ["eu/", "it_long"])),
                 M("medical_record_number", mrn(r)), it_address(r)),
             "Ricoverat%s il %s per frattura del femore (S72.0), dimess%s il %s. Recapito familiare: %s." % (
                 "a" if p.fem else "o", dd[0], "a" if p.fem else "o", dd[1], M("phone", phone(r, "IT"))))


@T("nl", 6, "verwijsbrief")
def h_nl_verwijs(r):
    p = P(r, pick(r, ["nl", "tr", "ar", "af"]))
    return J(pick(r, ["Kun je deze verwijsbrief vertalen naar het Engels?", "Maak hier een korte samenvatting van:"]),
             "Betreft: %s %s, geboren op %s, patiëntnummer %s" % ("mevr." if p.fem else "dhr.", p.N, DOB(r, pick(r, ["eu-", "nl_long"])),
                                                                M("medical_record_number", mrn(r))),
             "%s - polisnummer %s - tel. %s" % (nl_address(r), M("health_plan_number", digits(r, 9, True)), M("phone", phone(r, "NL"))),
             "Graag beoordeling i.v.m. progressieve dyspneu sinds %s." % pick(r, ["maart", "januari", "de zomer"]))


@T("pl", 6, "karta informacyjna")
def h_pl_karta(r):
    p = P(r, "pl")
    return J(pick(r, ["Przetłumacz proszę na angielski:", "Streść to w trzech punktach:"]),
             "Karta informacyjna leczenia szpitalnego",
             "Pacjent: %s, data urodzenia: %s, nr karty pacjenta: %s" % (p.N, DOB(r, "eu."), M("medical_record_number", mrn(r))),
             "Adres: %s, tel. %s" % (pl_address(r), M("phone", phone(r, "PL"))),
             "Data przyjęcia: %s, data wypisu: %s. Rozpoznanie: J18.9." % dates2(r, "eu."))


@T("pt", 6, "relatório clínico")
def h_pt_relatorio(r):
    p = P(r, pick(r, ["es", "af", "it"]))
    return J(pick(r, ["Resume isto em inglês para o médico assistente:", "Podes passar isto para uma tabela?"]),
             "Utente: %s | data de nascimento: %s | processo clínico (patient ID): %s" % (
                 p.N, DOB(r, "eu/"), M("medical_record_number", mrn(r))),
             "Morada: %s | telemóvel: %s" % (pt_address(r), M("phone", phone(r, "PT"))),
             "Data de admissão: %s. Alta: %s." % dates2(r, "eu/"))


@T("pt", 4, "prontuário (BR)")
def h_br_prontuario(r):
    p = P(r, pick(r, ["es", "it", "af", "jp"]))
    return ("Pode revisar a ortografia? Paciente %s, data de nascimento %s, prontuário / MRN %s, endereço %s, "
            "celular %s. Consulta de retorno em %s.") % (
        p.N, DOB(r, "eu/"), M("medical_record_number", mrn(r)), br_address(r), M("phone", phone(r, "BR")),
        some_date(r, "eu/"))


@T("sv", 5, "epikris")
def h_sv(r):
    p = P(r, "nordic")
    return ("Kan du sammanfatta den här epikrisen på engelska? Patient: %s, födelsedatum (DOB) %s, patient ID %s. "
            "Inskrivningsdatum %s, utskrivningsdatum %s. Adress: %s. Tel %s.") % (
        p.N, DOB(r, "iso"), M("medical_record_number", mrn(r)), *dates2(r, "iso"),
        se_address(r, prefix=r.random() < 0.3), M("phone", phone(r, "SE")))


@T("da", 5, "epikrise")
def h_da(r):
    p = P(r, "nordic")
    return ("Oversæt venligst til engelsk: Patient %s, fødselsdato (DOB) %s, patient ID %s, %s, tlf. %s. "
            "Indlagt %s, udskrevet %s.") % (
        p.N, DOB(r, "eu-"), M("medical_record_number", mrn(r)), dk_address(r), M("phone", phone(r, "DK")),
        *dates2(r, "eu-"))


@T("no", 5, "epikrise")
def h_no(r):
    p = P(r, "nordic")
    return ("Kan du forenkle språket i dette brevet? Pasient: %s, fødselsdato (date of birth) %s, MRN %s, "
            "adresse %s, telefon %s. Time hos fastlege %s kl. 09:30.") % (
        p.N, DOB(r, "eu."), M("medical_record_number", mrn(r)), no_address(r), M("phone", phone(r, "NO")),
        some_date(r, "eu."))


@T("fi", 5, "epikriisi")
def h_fi(r):
    p = P(r, pick(r, ["nordic", "slav"]))
    return ("Käännä englanniksi: Potilas %s, syntymäaika (DOB) %s, potilastunnus / patient ID %s, osoite %s, "
            "puh. %s. Tulopäivä %s, kotiutus %s.") % (
        p.N, DOB(r, "fi"), M("medical_record_number", mrn(r)), fi_address(r), M("phone", phone(r, "FI")),
        *dates2(r, "fi"))


@T("cs", 5, "propouštěcí zpráva")
def h_cs(r):
    p = P(r, pick(r, ["slav", "pl", "de"]))
    return ("Přelož prosím do angličtiny: Pacient %s, datum narození (DOB) %s, MRN %s, bydliště %s, tel. %s. "
            "Datum přijetí %s.") % (
        p.N, DOB(r, "fi"), M("medical_record_number", mrn(r)), cz_address(r), M("phone", phone(r, "CZ")),
        some_date(r, "fi"))


@T("tr", 5, "epikriz")
def h_tr(r):
    p = P(r, "tr")
    return ("Bunu İngilizceye çevirir misin? Hasta: %s, doğum tarihi (DOB): %s, hasta no (patient ID): %s, "
            "adres: %s, tel: %s. Yatış tarihi: %s, taburcu: %s.") % (
        p.N, DOB(r, "eu."), M("medical_record_number", mrn(r)), tr_address(r), M("phone", phone(r, "TR")),
        *dates2(r, "eu."))


# ---- Asia and the Middle East ---------------------------------------------------

@T("ja", 6, "紹介状")
def h_ja(r):
    p = P(r, "jp")
    ph = phone(r, "JP", script="fullwidth" if r.random() < 0.5 else None)
    return J("この紹介状を英語に要約してください。",
             "患者氏名：%s 様" % p.N,
             "生年月日（DOB）：%s" % DOB(r, pick(r, ["cjk", "ymd/"])),
             "患者ID（patient ID）：%s" % M("medical_record_number", mrn(r)),
             "住所：%s" % jp_address(r),
             "電話：%s" % M("phone", ph),
             "入院日：%s" % some_date(r, "cjk"))


@T("zh", 6, "出院小结")
def h_zh(r):
    p = P(r, "cn")
    ph = phone(r, "CN", script="fullwidth" if r.random() < 0.6 else None)
    return ("请把这份出院小结翻译成英文：患者姓名：%s，出生日期（DOB）：%s，病历号（MRN）：%s，联系电话：%s，"
            "入院日期：%s，出院日期：%s。诊断：2型糖尿病（E11.9）。") % (
        p.N, DOB(r, pick(r, ["cjk", "iso"])), M("medical_record_number", mrn(r)), M("phone", ph),
        *dates2(r, "cjk"))


@T("ko", 5, "진료의뢰서")
def h_ko(r):
    p = P(r, "kr")
    ph = phone(r, "KR", script="fullwidth" if r.random() < 0.5 else None)
    return ("이 의뢰서를 영어로 요약해 주세요: 환자: %s 님, 생년월일(DOB): %s, 환자번호(patient ID): %s, "
            "연락처: %s, 입원일: %s.") % (
        p.N, DOB(r, pick(r, ["ko", "ymd."])), M("medical_record_number", mrn(r)), M("phone", ph), some_date(r, "ko"))


@T("hi", 5, "रोगी रिपोर्ट")
def h_hi(r):
    p = P(r, "in")
    ph = phone(r, "IN", script="devanagari" if r.random() < 0.6 else None)
    return ("कृपया इस रिपोर्ट का अंग्रेज़ी में सार बनाइए: रोगी का नाम: %s, जन्म तिथि (DOB): %s, "
            "रोगी आईडी (patient ID): %s, पता: %s, फ़ोन: %s, भर्ती तिथि: %s.") % (
        p.N, DOB(r, "eu/"), M("medical_record_number", mrn(r)), in_address(r), M("phone", ph), some_date(r, "eu/"))


@T("ar", 5, "تقرير طبي")
def h_ar(r):
    p = P(r, "ar")
    ph = phone(r, pick(r, ["AE", "SA", "EG"]), script="arabic" if r.random() < 0.6 else None)
    return ("ترجم هذا التقرير إلى الإنجليزية من فضلك: اسم المريض: %s، تاريخ الميلاد (DOB): %s، "
            "رقم الملف الطبي (MRN): %s، الهاتف: %s، تاريخ الدخول: %s.") % (
        p.N, DOB(r, "eu/"), M("medical_record_number", mrn(r)), M("phone", ph), some_date(r, "eu/"))


@T("fa", 5, "گزارش بیمار")
def h_fa(r):
    p = P(r, "ar")
    ph = phone(r, "IR", script="persian" if r.random() < 0.7 else None)
    return ("لطفاً این گزارش را به انگلیسی خلاصه کن: نام بیمار: %s، تاریخ تولد (DOB): %s، "
            "شماره پرونده (MRN): %s، تلفن: %s، تاریخ پذیرش: %s.") % (
        p.N, DOB(r, "ymd/"), M("medical_record_number", mrn(r)), M("phone", ph), some_date(r, "ymd/"))

# =========================================================================
# INSURERS
# =========================================================================

@T("en", 7, "claim appeal letter")
def i_en_appeal(r):
    p = P(r, pick(r, ["en", "es", "af", "in", "vn"]))
    return J(pick(r, ["Can you make this appeal letter more persuasive but still polite?",
                      "Check this appeal for anything that would get it bounced:",
                      "proofread pls"]),
             "To: Appeals & Grievances", "Member: %s" % p.N,
             "Member ID: %s" % M("health_plan_number", us_member_id(r)),
             "Date of birth: %s" % DOB(r, pick(r, ["us", "us_long"])),
             "Claim #: %s (date of service %s)" % (claim_no(r), some_date(r, "us")),
             "Address: %s" % us_address(r, long_house=r.random() < 0.25),
             "Please contact me at %s or %s if you need the operative report." % (M("phone", phone(r, "US")), p.E(r)))


@T("en", 6, "EOB")
def i_en_eob(r):
    p = P(r)
    billed = r.randint(20000, 900000) / 100
    return ("Explain this EOB to the member in simple words: Subscriber ID %s | Patient %s | Claim %s | "
            "Provider NPI %s | DOS %s | Billed %s | Allowed %s | Plan paid %s | You owe %s | CPT 99214, 80053") % (
        M("health_plan_number", us_member_id(r)), p.N, digits(r, 12, True), npi(r), some_date(r, "us"),
        "${:,.2f}".format(billed), "${:,.2f}".format(billed * 0.48), "${:,.2f}".format(billed * 0.38),
        "${:,.2f}".format(billed * 0.1))


@T("en", 6, "prior authorisation")
def i_en_pa(r):
    p = P(r)
    return J("Is anything missing from this prior auth request before I submit it?",
             "Patient: %s, DOB %s, Medicaid ID %s, phone %s" % (p.N, DOB(r, "us"), M("health_plan_number", medicaid_id(r)),
                                                              M("phone", phone(r, "US"))),
             "Prescriber NPI %s, Drug: adalimumab 40 mg/0.4 mL q2w, HCPCS J0135, Dx L40.50" % npi(r),
             "Tried/failed: methotrexate 15 mg weekly x 6 months (stopped %s)" % some_date(r, "us"))


@T("en", 5, "Medicare eligibility table")
def i_en_mbi_table(r):
    rows = ["| Beneficiary | MBI | DOB | Part A eff. |", "|---|---|---|---|"]
    for _ in range(r.randint(2, 3)):
        p = P(r, pick(r, ["en", "es", "it", "ie", "pl"]))
        rows.append("| %s | %s | %s | %s |" % (p.N, M("health_plan_number", mbi(r)), DOB(r, "us", 1930, 1959),
                                               some_date(r, "us", 1995, 2024)))
    return J("Half of these came back 'not found' from the eligibility check. Do you see a pattern?", *rows)


@T("en", 5, "MBI in chat")
def i_en_mbi_chat(r):
    p = P(r, pick(r, ["en", "es", "ie", "af"]))
    return ("customer sent this in the chat, is it a real Medicare number or an old HICN? \"hi its %s, my medicare "
            "card says %s and I was born %s, why was my wheelchair denied\"") % (
        p.N, M("health_plan_number", mbi(r)), DOB(r, "us", 1930, 1958))


@T("en", 5, "X12 271")
def i_en_x12(r):
    p = P(r, pick(r, ["en", "es", "af", "vn"]))
    city, st, pre = pick(r, US_CITIES)
    segs = ["HL*3*2*22*0", "TRN*2*%s*9%s" % (digits(r, 8), digits(r, 9)),
            "NM1*IL*1*%s*%s****MI*%s" % (p.F, p.G, M("health_plan_number", us_member_id(r))),
            "N3*%d %s" % (r.randint(1, 9899), pick(r, US_STREETS).upper()),
            "N4*%s*%s*%s" % (city.upper(), st, M("postal_code", us_zip(r, pre, False))),
            "DMG*D8*%s*%s" % (DOB(r, "compact"), pick(r, "FM")),
            "EB*1*IND*30**%s" % pick(r, ["PPO", "HMO", "EPO"]),
            "DTP*346*D8*%s" % some_date(r, "compact")]
    return pick(r, ["Parse this 271 and tell me if the member is active (NM109 = member ID, DMG02 = DOB): ",
                    "What does EB*1 mean here? NM109 is the member ID, DMG02 the DOB. "]) + \
        "~".join(segs) + "~"


@T("en", 6, "call summary")
def i_en_call(r):
    p = P(r, pick(r, ["en", "af", "in", "es"]))
    kid = given(r, p.cult)
    return ("Summarise this call note for the claim file, 2 sentences max: Caller %s (policy number %s) phoned "
            "from %s about the denied ER claim for her child %s, born %s. Says she mailed the receipts on %s to our "
            "PO box and wants a callback before %s. Email on file %s.") % (
        p.N, M("health_plan_number", policy_no(r)), M("phone", phone(r, "US")), M("name", kid), DOB(r, "us", 2006, 2021),
        some_date(r, "us"), pick(r, ["5 pm", "Friday", "noon tomorrow"]), p.E(r))


@T("en", 6, "travel insurance claim")
def i_en_travel(r):
    p = P(r)
    cc = pick(r, ["GB", "IE", "NL", "DE", "BE", "AT", "FI", "LU", "MT", "CY"])
    return J("Draft a reply asking for the missing receipts:",
             "Claim form - insured: %s, date of birth %s, policy number %s, email %s" % (
                 p.N, DOB(r, pick(r, ["en_long", "eu/"])), M("health_plan_number", policy_no(r)), p.E(r)),
             "Incident: hospital visit in %s on %s, amount %s, reimbursement to IBAN %s" % (
                 pick(r, ["Lisbon", "Phuket", "Cancún", "Dubrovnik", "Marrakech"]), some_date(r, "eu/"),
                 amount(r, "eu"), M("iban", iban(r, cc))))


@T("en", 5, "UK private insurer e-mail")
def i_en_uk(r):
    p = P(r, pick(r, ["en", "ie", "in", "pl"]))
    return ("Make this sound less like a template: \"Dear %s, thank you for your pre-authorisation request for "
            "knee arthroscopy at our partner hospital. We have your membership on file under insurance number %s "
            "(NHS number %s, born %s). Please call %s quoting reference %s.\"") % (
        p.N, M("health_plan_number", letters(r, 2) + digits(r, 7)), M("health_plan_number", nhs(r)),
        DOB(r, "eu/"), M("phone", phone(r, "UK")), ref_no(r))


@T("de", 6, "Krankenkasse Schreiben")
def i_de_kasse(r):
    p = P(r, pick(r, ["de", "tr", "pl"]))
    return J(pick(r, ["Formuliere das freundlicher:", "Kürze das bitte auf das Wesentliche:"]),
             "Sehr geehrte/r %s," % p.N,
             "zu Ihrer Versichertennummer %s (geb. %s) liegt uns kein Antrag vom %s vor. Bitte überweisen Sie den "
             "Eigenanteil von %s auf %s. Rückfragen unter %s." % (
                 M("health_plan_number", kvnr(r)), DOB(r, "eu."), some_date(r, "eu."), amount(r, "eu"),
                 M("iban", iban(r, "DE")), M("phone", phone(r, "DE"))))


@T("de", 4, "Zusatzversicherung (AT/CH)")
def i_de_atch(r):
    p = P(r, pick(r, ["de", "it", "fr"]))
    cc = pick(r, ["AT", "CH", "LI"])
    a = at_address(r) if cc == "AT" else ch_address(r)
    return ("Bitte auf Englisch zusammenfassen: Kunde %s, Geburtsdatum %s, Polizze / policy number %s, Adresse %s, "
            "Rückerstattung auf %s. Telefon %s.") % (
        p.N, DOB(r, "eu."), M("health_plan_number", policy_no(r)), a, M("iban", iban(r, cc)),
        M("phone", phone(r, "AT" if cc == "AT" else "CH")))


@T("fr", 6, "mutuelle")
def i_fr(r):
    p = P(r, pick(r, ["fr", "ar", "af"]))
    d = birth(r)
    return ("Résume ce mail d'un adhérent : « Bonjour, je suis %s, numéro d'assuré social %s, %s le %s. "
            "Mon remboursement du %s n'est jamais arrivé sur mon compte %s. Merci de me rappeler au %s. %s »") % (
        p.N, M("health_plan_number", nir(r, d, "2" if p.fem else "1")), "née" if p.fem else "né", DOB(r, "eu/", d=d), some_date(r, "eu/"),
        M("iban", iban(r, pick(r, ["FR", "FR", "MC", "BE", "LU"]))), M("phone", phone(r, "FR")), p.E(r))


@T("nl", 5, "zorgverzekeraar")
def i_nl(r):
    p = P(r, pick(r, ["nl", "tr", "ar"]))
    return J("Kun je dit klantbericht samenvatten?",
             "Goedemiddag, mijn polisnummer is %s, geboortedatum %s. Ik ben verhuisd naar %s." % (
                 M("health_plan_number", digits(r, 9, True)), DOB(r, "eu-"), nl_address(r)),
             "Mijn nieuwe IBAN is %s. Groet, %s" % (M("iban", iban(r, "NL")), p.N))


@T("es", 5, "aseguradora")
def i_es(r):
    p = P(r, "es", double=r.random() < 0.5)
    return ("Redacta una respuesta a este cliente: «Hola, soy %s, número de póliza (policy number) %s, fecha de "
            "nacimiento %s. Me cobraron dos veces la prima en la cuenta %s. Mi móvil es %s.»") % (
        p.N, M("health_plan_number", policy_no(r)), DOB(r, "eu/"), M("iban", iban(r, "ES")), M("phone", phone(r, "ES")))


@T("it", 5, "assicurazione")
def i_it(r):
    p = P(r, "it")
    return ("Puoi riscrivere questa mail in modo più formale? \"Salve, sono %s, numero di polizza (policy number) %s, "
            "%s il %s. Vorrei il rimborso su IBAN %s. Abito in %s, cell. %s\"") % (
        p.N, M("health_plan_number", policy_no(r)), "nata" if p.fem else "nato", DOB(r, "eu/"),
        M("iban", iban(r, pick(r, ["IT", "IT", "SM"]))), it_address(r), M("phone", phone(r, "IT")))


@T("pl", 5, "ubezpieczyciel")
def i_pl(r):
    p = P(r, "pl")
    return ("Napisz odpowiedź na tę reklamację: \"Dzień dobry, nazywam się %s, numer polisy (policy number) %s, data "
            "urodzenia %s r., proszę o zwrot składki na konto %s. Kontakt: %s, %s.\"") % (
        p.N, M("health_plan_number", policy_no(r)), DOB(r, "eu."), M("iban", iban(r, "PL")), M("phone", phone(r, "PL")),
        p.E(r))


@T("pt", 5, "seguradora")
def i_pt(r):
    p = P(r, pick(r, ["es", "it", "af"]))
    return ("Traduz para inglês por favor: \"Exmos. Senhores, eu, %s, com data de nascimento %s, apólice n.º (policy "
            "number) %s, venho solicitar o reembolso para o IBAN %s. Morada: %s.\"") % (
        p.N, DOB(r, "eu/"), M("health_plan_number", policy_no(r)), M("iban", iban(r, "PT")), pt_address(r))


@T("sv", 4, "försäkringsärende")
def i_sv(r):
    p = P(r, "nordic")
    return ("Skriv ett kort svar till kunden: \"Hej, jag heter %s (födelsedatum / DOB %s), försäkringsnummer "
            "(insurance number) %s. Ersättningen ska till %s. Ring mig på %s.\"") % (
        p.N, DOB(r, "iso"), M("health_plan_number", policy_no(r)), M("iban", iban(r, "SE")), M("phone", phone(r, "SE")))


@T("da", 4, "forsikringssag")
def i_da(r):
    p = P(r, "nordic")
    return ("Kan du lave et svar på dansk? Kunde: %s, fødselsdato (DOB) %s, policenummer (policy number) %s, "
            "udbetaling til %s, tlf. %s, %s.") % (
        p.N, DOB(r, "eu-"), M("health_plan_number", policy_no(r)), M("iban", iban(r, pick(r, ["DK", "FO", "GL"]))),
        M("phone", phone(r, "DK")), dk_address(r))


@T("no", 4, "forsikringssak")
def i_no(r):
    p = P(r, "nordic")
    return ("Oppsummer denne henvendelsen: %s, fødselsdato (DOB) %s, polisenummer (policy number) %s, ønsker "
            "refusjon til kontonummer %s. Telefon %s.") % (
        p.N, DOB(r, "eu."), M("health_plan_number", policy_no(r)), M("iban", iban(r, "NO")), M("phone", phone(r, "NO")))


@T("fi", 4, "vakuutusasia")
def i_fi(r):
    p = P(r, pick(r, ["nordic", "slav"]))
    return ("Tiivistä tämä viesti: Asiakas %s, syntymäaika (DOB) %s, vakuutusnumero (insurance number) %s, "
            "tilinumero %s, puhelin %s.") % (
        p.N, DOB(r, "fi"), M("health_plan_number", policy_no(r)), M("iban", iban(r, "FI")), M("phone", phone(r, "FI")))


@T("cs", 4, "pojišťovna")
def i_cs(r):
    p = P(r, pick(r, ["slav", "de", "pl"]))
    return ("Napiš odpověď klientovi: \"Dobrý den, jsem %s, datum narození (DOB) %s, číslo pojistky (policy number) "
            "%s. Prosím o vrácení přeplatku na účet %s. Tel. %s\"") % (
        p.N, DOB(r, "eu."), M("health_plan_number", policy_no(r)), M("iban", iban(r, pick(r, ["CZ", "SK"]))),
        M("phone", phone(r, "CZ")))


@T("tr", 4, "sigorta")
def i_tr(r):
    p = P(r, "tr")
    return ("Bu müşteri mesajına kibar bir cevap yaz: \"Merhaba, ben %s, doğum tarihi (DOB) %s, poliçe no (policy "
            "number) %s. İade %s hesabına yapılsın. Tel: %s\"") % (
        p.N, DOB(r, "eu."), M("health_plan_number", policy_no(r)), M("iban", iban(r, "TR")), M("phone", phone(r, "TR")))


@T("ja", 3, "保険請求")
def i_ja(r):
    p = P(r, "jp")
    return ("この問い合わせへの返信文を作って：「%sです。生年月日（DOB）%s、保険証番号（insurance number）%s。"
            "給付金の振込がまだです。連絡先 %s」") % (
        p.N, DOB(r, "cjk"), M("health_plan_number", digits(r, 8, True)),
        M("phone", phone(r, "JP", script=pick(r, ["fullwidth", None]))))


@T("ar", 3, "مطالبة تأمين")
def i_ar(r):
    p = P(r, "ar")
    return ("اكتب رداً مهذباً على هذا العميل: \"أنا %s، تاريخ الميلاد (DOB) %s، رقم البوليصة (policy number) %s، "
            "أرجو تحويل المبلغ إلى الحساب %s، جوال %s\"") % (
        p.N, DOB(r, "eu/"), M("health_plan_number", policy_no(r)), M("iban", iban(r, pick(r, ["SA", "AE", "QA", "KW", "BH", "JO"]))),
        M("phone", phone(r, pick(r, ["SA", "AE"]), script=pick(r, ["arabic", None]))))

def npi(r):
    nine = str(r.randint(1, 2)) + digits(r, 8)
    return nine + npi_check_digit(nine)


def aba(r):
    eight = pick(r, ["0", "1", "2", "3"]) + str(r.randint(1, 9)) + digits(r, 6)
    return eight + str(aba_check(eight))


def isbn13(r):
    body = "978" + str(r.randint(0, 9)) + digits(r, 8)
    d = body + str(isbn13_check(body))
    return "%s-%s-%s-%s-%s" % (d[:3], d[3], d[4:8], d[8:12], d[12])


# =========================================================================
# BANKS
# =========================================================================

@T("en", 7, "suspicious wire request")
def b_en_wire(r):
    a, b = P(r, pick(r, ["en", "de", "nl", "nordic"])), P(r)
    cc = pick(r, ["GB", "DE", "NL", "LT", "HR", "CY", "PL", "RO", "BG", "LV", "EE", "HU", "GR", "SI", "SK"])
    return J("Does this wire request look legit or is it a scam?",
             "From: %s <%s>" % (a.N, a.E(r, pick(r, ["harbourline-bank.com", "outlook.com", "ceo-office.net"]))),
             "Please send %s today to beneficiary %s, IBAN %s, BIC %s, reference %s." % (
                 amount(r, "eu"), b.N, M("iban", iban(r, cc)), pick(r, BICS), "INV-%d-%s" % (r.randint(2023, 2026), digits(r, 4))),
             "I'm in meetings all day, call %s if needed. Thx" % M("phone", phone(r, pick(r, ["UK", "NL", "DE"]))))


@T("en", 7, "KYC onboarding")
def b_en_kyc(r):
    p = P(r, pick(r, ["en", "es", "in", "cn", "af", "vn"]))
    return J(pick(r, ["Fill these into the onboarding template, one field per line:",
                      "What's missing from this KYC form for a checking account?",
                      "Reformat as key: value pairs"]),
             "Full name: %s" % p.N, "SSN: %s" % M("ssn", ssn(r, pick(r, ["-", "-", " "]))),
             "DOB: %s" % DOB(r, "us", 1940, 2005), "Home: %s" % us_address(r, long_house=r.random() < 0.2),
             "Cell: %s  Email: %s" % (M("phone", phone(r, "US")), p.E(r)))


@T("en", 6, "card dispute")
def b_en_dispute(r):
    p = P(r)
    kind = pick(r, ["visa", "mc", "amex", "disc", "jcb", "diners", "visa13"])
    return ("Write a dispute summary for the chargeback team: customer %s says card %s was charged %s twice on %s at "
            "ELECTROMART #%d (auth codes %s and %s). Customer phone %s, email %s. ARN %s.") % (
        p.N, M("credit_card", card(r, kind)), amount(r, "en"), some_date(r, "us"), r.randint(100, 9999),
        digits(r, 6), digits(r, 6), M("phone", phone(r, "US")), p.E(r), digits(r, 23, True))


@T("en", 6, "fraud login log")
def b_en_fraud_log(r):
    p = P(r)
    em = email_for(r, p.g, p.f, pick(r, FREEMAIL))
    ip1, ip2 = ipv4(r), pick(r, [ipv4(r), ipv6(r)])
    t = some_date(r, "iso")
    return J("Explain these online banking events to the fraud analyst, was this an account takeover?",
             "%sT03:14:07Z login_failed user=%s ip=%s ua=\"Mozilla/5.0 (Linux; Android 14)\"" % (t, M("email", em), M("ip_address", ip1)),
             "%sT03:14:22Z login_success user=%s ip=%s mfa=sms" % (t, M("email", em), M("ip_address", ip1)),
             "%sT03:16:40Z payee_added iban=%s by=%s src=%s" % (t, M("iban", iban(r, pick(r, ["LT", "GB", "IE", "ES", "MT"]), False)),
                                                             M("email", em), M("ip_address", ip2)))


@T("en", 5, "payroll change")
def b_en_payroll(r):
    p = P(r, pick(r, ["en", "es", "in", "af"]))
    return ("Convert this to a markdown table: employee %s, employee SSN %s, new direct deposit routing %s account "
            "%s, effective %s, home zip %s, mobile %s") % (
        p.N, M("ssn", ssn(r, "")), aba(r), digits(r, 10, True), some_date(r, "us"),
        M("postal_code", us_zip(r, pick(r, US_CITIES)[2])), M("phone", phone(r, "US")))


@T("en", 5, "AML alert")
def b_en_aml(r):
    p = P(r)
    ibans = [M("iban", iban(r, cc)) for cc in r.sample(["AE", "TR", "CY", "MT", "LV", "LT", "GI", "BG", "RO"], 3)]
    return ("Summarise this AML alert for the SAR narrative: subject %s (DOB %s) received 14 transfers from %s, %s and "
            "%s totalling %s between %s and %s. Linked phone %s, last login IP %s.") % (
        p.N, DOB(r, "eu/"), ibans[0], ibans[1], ibans[2], amount(r, "eu"), some_date(r, "eu/"), some_date(r, "eu/"),
        M("phone", phone(r, pick(r, ["AE", "TR", "UK"]))), M("ip_address", ipv4(r, "pub")))


@T("en", 5, "mortgage application")
def b_en_mortgage(r):
    p = P(r, pick(r, ["en", "in", "es", "ie"]))
    return ("Summarise the applicant section in two lines: Applicant %s, born on %s, SSN %s, current address %s "
            "(since 2019), employer HR phone %s, gross income $%s/yr, loan amount $%s.") % (
        p.N, DOB(r, "us_long", 1950, 2000), M("ssn", ssn(r, "-")), us_address(r), M("phone", phone(r, "US")),
        "{:,}".format(r.randint(40, 400) * 1000), "{:,}".format(r.randint(150, 950) * 1000))


@T("en", 5, "customer export (semicolon)")
def b_en_export(r):
    rows = ["customer_no;name;ssn;dob;zip"]
    for _ in range(r.randint(2, 3)):
        p = P(r, pick(r, ["en", "es", "in", "cn"]))
        rows.append("%s;%s;%s;%s;%s" % (digits(r, 7, True), p.N, M("ssn", ssn(r, "-")), DOB(r, "iso"),
                                        M("postal_code", us_zip(r, pick(r, US_CITIES)[2], False))))
    return J("Write a Python snippet that masks the ssn column in this file:", *rows)


@T("en", 5, "payment webhook JSON")
def b_en_webhook(r):
    p = P(r, pick(r, ["en", "de", "fr", "in"]))
    k = r.randrange(3)
    bz = (M("postal_code", us_zip(r, pick(r, US_CITIES)[2], False)) if k == 0 else
          M("postal_code", uk_postcode(r)[1]) if k == 1 else M("postal_code", ca_postcode(r, pick(r, "KLMHVT"))))
    return ("Why does our webhook handler throw KeyError on this payload? "
            '{"event":"charge.failed","created":%d,"customer":{"name":"%s","email":"%s","phone":"%s"},'
            '"billing_zip":"%s","client_ip":"%s","card":{"brand":"visa","last4":"%s","exp":"%02d/%d"},"amount":%d}') % (
        r.randint(1700000000, 1790000000), p.N, p.E(r), M("phone", phone(r, pick(r, ["US", "UK", "CA"]))), bz,
        M("ip_address", pick(r, [ipv4(r), ipv6(r)])), digits(r, 4), r.randint(1, 12), r.randint(26, 31), r.randint(500, 99999))


@T("en", 4, "card in support chat")
def b_en_chat_card(r):
    p = P(r)
    return ("Customer pasted this in the chat by mistake, what should I tell them? > %s: hi my card %s exp %02d/%d "
            "cvv %s keeps getting declined online, my phone is %s") % (
        p.G, M("credit_card", card(r, pick(r, ["visa", "mc", "disc"]), "compact")), r.randint(1, 12), r.randint(26, 31),
        digits(r, 3), M("phone", phone(r, pick(r, ["US", "UK", "IE"]))))


@T("de", 6, "SEPA-Überweisung")
def b_de(r):
    p = P(r, pick(r, ["de", "tr", "it", "pl"]))
    cc = pick(r, ["DE", "DE", "AT", "CH", "LI", "LU"])
    return J("Ist diese SEPA-Überweisung korrekt ausgefüllt?", "Empfänger: %s" % p.N,
             "IBAN: %s" % M("iban", iban(r, cc)), "BIC: %s" % pick(r, BICS),
             "Betrag: %s" % amount(r, "eu"), "Verwendungszweck: Rechnung %d-%s" % (r.randint(2023, 2026), digits(r, 4)),
             "Gläubiger-ID: DE%02dZZZ%s" % (r.randint(10, 99), digits(r, 11)))


@T("de", 4, "Kontoeröffnung")
def b_de_konto(r):
    p = P(r, "de")
    return ("Prüf bitte, ob im Antrag was fehlt: Name %s, geboren am %s, Anschrift %s, Telefon %s, E-Mail %s, "
            "Referenzkonto %s.") % (p.N, DOB(r, "eu."), de_address(r, prefix=r.random() < 0.3), M("phone", phone(r, "DE")),
                                   p.E(r), M("iban", iban(r, "DE")))


@T("fr", 5, "virement")
def b_fr(r):
    p = P(r, pick(r, ["fr", "ar", "af"]))
    return ("Rédige une réponse au client : « Bonjour, je n'ai pas reçu le virement de %s vers mon compte %s. "
            "Je suis %s, %s le %s, j'habite %s. Mon portable : %s »") % (
        amount(r, "fr"), M("iban", iban(r, pick(r, ["FR", "BE", "LU", "CH", "MC"]))), p.N, "née" if p.fem else "né", DOB(r, "eu/"),
        fr_address(r), M("phone", phone(r, "FR")))


@T("es", 5, "transferencia")
def b_es(r):
    p = P(r, "es", double=r.random() < 0.5)
    return ("Ayúdame a contestar esto: «Buenos días, soy %s, %s el %s. Hice una transferencia de %s a la cuenta "
            "%s y no ha llegado. Mi tarjeta %s también está bloqueada. Teléfono %s»") % (
        p.N, "nacida" if p.fem else "nacido", DOB(r, "eu/"), amount(r, "eu"), M("iban", iban(r, "ES")),
        M("credit_card", card(r, pick(r, ["visa", "mc"]))), M("phone", phone(r, "ES")))


@T("it", 5, "bonifico")
def b_it(r):
    p = P(r, "it")
    return ("Traduci in inglese per il team antifrode: \"%s %s (%s il %s) segnala un bonifico di %s "
            "verso l'IBAN %s che non ha autorizzato. Carta associata %s. Recapito %s, email %s.\"") % (
        "La cliente" if p.fem else "Il cliente", p.N, "nata" if p.fem else "nato", DOB(r, "eu/"), amount(r, "eu"), M("iban", iban(r, pick(r, ["IT", "SM", "MT", "HR"]))),
        M("credit_card", card(r, pick(r, ["visa", "mc", "maestro"]))), M("phone", phone(r, "IT")), p.E(r))


@T("nl", 4, "overboeking")
def b_nl(r):
    p = P(r, "nl")
    return ("Kun je hier een nette reactie op schrijven? \"Hallo, ik ben %s en ik heb per ongeluk %s overgemaakt naar "
            "%s in plaats van naar mijn eigen rekening %s. Bel me op %s.\"") % (
        p.N, amount(r, "eu"), M("iban", iban(r, pick(r, ["NL", "BE", "DE"]))), M("iban", iban(r, "NL")),
        M("phone", phone(r, "NL")))


@T("pl", 4, "przelew")
def b_pl(r):
    p = P(r, "pl")
    return ("Sprawdź, czy ten przelew nie wygląda na oszustwo: odbiorca %s, rachunek %s, kwota %s, tytuł: zwrot "
            "nadpłaty, kontakt %s, adres %s.") % (
        p.N, M("iban", iban(r, "PL")), amount(r, "pl"), M("phone", phone(r, "PL")), pl_address(r))


@T("pt", 4, "transferência")
def b_pt(r):
    p = P(r, pick(r, ["es", "it", "af"]))
    return ("Escreve uma resposta a este cliente: \"Fiz uma transferência para %s e o banco diz que o IBAN é inválido. "
            "Sou %s, data de nascimento %s, telefone %s.\"") % (
        M("iban", iban(r, pick(r, ["PT", "BR", "ES"]))), p.N, DOB(r, "eu/"), M("phone", phone(r, pick(r, ["PT", "BR"]))))


@T("sv", 4, "bankärende")
def b_sv(r):
    p = P(r, "nordic")
    return ("Översätt till engelska: Kunden %s vill flytta sitt sparande till %s. Kontakt %s, %s. Kortet %s ska spärras.") % (
        p.N, M("iban", iban(r, "SE")), M("phone", phone(r, "SE")), p.E(r), M("credit_card", card(r, pick(r, ["visa", "mc"]))))


@T("da", 3, "bankhenvendelse")
def b_da(r):
    p = P(r, "nordic")
    return ("Skriv et kort svar: \"Jeg hedder %s. Mit kort %s er blevet kopieret, og der er hævet %s. Min konto er %s, "
            "tlf. %s\"") % (p.N, M("credit_card", card(r, "visa")), amount(r, "eu"), M("iban", iban(r, "DK")), M("phone", phone(r, "DK")))


@T("no", 3, "bankhenvendelse")
def b_no(r):
    p = P(r, "nordic")
    return ("Lag en oppsummering: Kunde %s meldte svindel på kort %s. Pengene skal tilbake til %s. Telefon %s, e-post %s.") % (
        p.N, M("credit_card", card(r, pick(r, ["visa", "mc"]))), M("iban", iban(r, "NO")), M("phone", phone(r, "NO")), p.E(r))


@T("fi", 3, "pankkiasia")
def b_fi(r):
    p = P(r, "nordic")
    return ("Käännä englanniksi: Asiakas %s ilmoitti, että kortilla %s tehtiin tuntematon osto. Palautus tilille %s. "
            "Puhelin %s.") % (p.N, M("credit_card", card(r, "visa")), M("iban", iban(r, "FI")), M("phone", phone(r, "FI")))


@T("cs", 3, "bankovní převod")
def b_cs(r):
    p = P(r, pick(r, ["slav", "pl"]))
    return ("Shrň prosím tuto stížnost: klient %s, účet %s, karta %s, telefon %s. Tvrdí, že platbu %s neprovedl.") % (
        p.N, M("iban", iban(r, pick(r, ["CZ", "SK"]))), M("credit_card", card(r, pick(r, ["visa", "mc"]))),
        M("phone", phone(r, "CZ")), amount(r, "eu"))


@T("tr", 4, "banka şikayeti")
def b_tr(r):
    p = P(r, "tr")
    return ("Bu şikayeti özetle: \"Ben %s. %s numaralı kartımdan %s çekilmiş. Param %s hesabıma iade edilsin. "
            "Telefon: %s, e-posta: %s\"") % (p.N, M("credit_card", card(r, pick(r, ["troy", "visa", "mc"]))), amount(r, "tr"),
                                             M("iban", iban(r, "TR")), M("phone", phone(r, "TR")), p.E(r))


@T("ar", 5, "شكوى بنكية")
def b_ar(r):
    p = P(r, "ar")
    sc = "arabic" if r.random() < 0.7 else None
    return ("لخص هذه الشكوى بالإنجليزية: \"أنا %s، تم خصم مبلغ من بطاقتي %s دون علمي. حسابي %s. "
            "رقم جوالي %s\"") % (p.N, M("credit_card", card(r, pick(r, ["mada", "visa", "mc"]), script=sc)),
                                 M("iban", iban(r, pick(r, ["SA", "AE", "EG", "JO", "QA"]))),
                                 M("phone", phone(r, pick(r, ["SA", "AE", "EG"]), script=sc)))


@T("fa", 5, "شکایت بانکی")
def b_fa(r):
    p = P(r, "ar")
    sc = "persian" if r.random() < 0.8 else None
    return ("این پیام مشتری را به انگلیسی ترجمه کن: «سلام، من %s هستم. از کارت %s بدون اجازه برداشت شده. "
            "شماره تماس من %s است.»") % (p.N, M("credit_card", card(r, "iran", pick(r, ["space", "dash", "compact"]), script=sc)),
                                           M("phone", phone(r, "IR", script=sc)))


@T("hi", 5, "बैंक शिकायत")
def b_hi(r):
    p = P(r, "in")
    sc = "devanagari" if r.random() < 0.7 else None
    return ("इस शिकायत का अंग्रेज़ी में सारांश दो: \"मेरा नाम %s है। मेरे कार्ड %s से बिना अनुमति %s कट गए। "
            "मेरा मोबाइल नंबर %s है और पता %s है।\"") % (
        p.N, M("credit_card", card(r, pick(r, ["rupay", "visa", "mc"]), script=sc)), amount(r, "in"),
        M("phone", phone(r, "IN", script=sc)), in_address(r))


@T("ja", 5, "カード不正利用")
def b_ja(r):
    p = P(r, "jp")
    sc = "fullwidth" if r.random() < 0.7 else None
    return ("このお客様メールへの返信を丁寧に書いて：「%sと申します。カード番号 %s で身に覚えのない %s の請求があります。"
            "電話 %s までご連絡ください。」") % (p.N, M("credit_card", card(r, pick(r, ["jcb", "visa", "mc"]), script=sc)),
                                            amount(r, "jp"), M("phone", phone(r, "JP", script=sc)))


@T("zh", 5, "银行卡投诉")
def b_zh(r):
    p = P(r, "cn")
    sc = "fullwidth" if r.random() < 0.7 else None
    return ("帮我把这条客户投诉翻译成英文：「我是%s，我的银联卡 %s 被盗刷了，请尽快联系我 %s，邮箱 %s。」") % (
        p.N, M("credit_card", card(r, "unionpay", script=sc)), M("phone", phone(r, "CN", script=sc)), p.E(r, pick(r, ["qq.com", "163.com", "outlook.com"])))


@T("ko", 4, "카드 분실 신고")
def b_ko(r):
    p = P(r, "kr")
    sc = "fullwidth" if r.random() < 0.6 else None
    return ("이 고객 메시지를 영어로 번역해 줘: \"%s입니다. 카드 %s 를 분실했어요. 연락처는 %s 입니다.\"") % (
        p.N, M("credit_card", card(r, pick(r, ["visa", "mc", "amex"]), script=sc)), M("phone", phone(r, "KR", script=sc)))


@T("en", 4, "US payroll with look-alike digits")
def b_en_payroll_fw(r):
    p = P(r, pick(r, ["jp", "cn", "in"]))
    sc = pick(r, ["fullwidth", "devanagari"])
    return ("The HR form came back with weird characters, can you normalise it? Employee: %s / SSN: %s / "
            "Phone: %s / Start date: %s") % (p.N, M("ssn", ssn(r, "-", script=sc)), M("phone", phone(r, "US", script=sc)),
                                            some_date(r, "us"))


# =========================================================================
# IT / OPS material
# =========================================================================

@T("en", 6, "VPN log")
def o_en_vpn(r):
    a, b = P(r), P(r)
    dom = pick(r, ["stmarys-health.org", "harbourline-bank.com", "northcare-insurance.com"])
    return J("Why are these VPN logins flagged as impossible travel?",
             "May 12 03:14:07 vpn01 ovpn[2231]: %s authenticated from %s:%d" % (a.E(r, dom), M("ip_address", ipv4(r, "pub")), r.randint(1024, 65535)),
             "May 12 03:41:55 vpn01 ovpn[2231]: %s authenticated from [%s]:%d" % (b.E(r, dom), M("ip_address", ipv6(r)), r.randint(1024, 65535)),
             "May 12 03:42:10 fw02 kernel: DROP SRC=%s DST=%s PROTO=TCP DPT=3389" % (M("ip_address", ipv4(r, "pub")), M("ip_address", ipv4(r, "priv10"))))


@T("en", 5, "nginx access log")
def o_en_nginx(r):
    return J("What's hitting this endpoint so hard? Should I block it?",
             '%s - - [12/May/2024:10:31:%02d +0000] "GET /api/v2/patients?mrn=%s HTTP/1.1" 200 5123 "-" "python-requests/2.31.0"' % (
                 M("ip_address", ipv4(r)), r.randint(0, 59), M("medical_record_number", mrn(r))),
             '%s - - [12/May/2024:10:31:%02d +0000] "POST /login HTTP/1.1" 401 97 "%s" "curl/8.4.0"' % (
                 M("ip_address", pick(r, [ipv4(r), ipv6(r)])), r.randint(0, 59),
                 M("url", "https://portal.%s/login?next=/claims" % pick(r, ["northcare-insurance.com", "stmarys-health.org"]))))


@T("en", 6, "email signature")
def o_en_sig(r):
    p = P(r)
    cc = pick(r, ["US", "UK", "DE", "NL", "IE", "AU", "CA"])
    dom = pick(r, ["northcare-insurance.com", "stmarys-health.org", "harbourline-bank.com", "klinikum-west.de", "zorggroep-oost.nl"])
    return ("Rewrite my email signature so it fits on 3 lines: %s | Senior Claims Handler | Direct %s | Mobile %s | "
            "%s | %s | %s") % (p.N, M("phone", phone(r, cc if cc != "CA" else "CA")), M("phone", phone(r, cc if cc != "CA" else "CA")),
                               p.E(r, dom), M("url", pick(r, ["https://www.", "www."]) + dom), addr(r, cc))


@T("en", 5, "Jira ticket")
def o_en_jira(r):
    p = P(r)
    return ("Summarise this ticket for standup: [HIS-%d] Patient lookup returns the wrong record for MRN %s - "
            "reported by %s (%s) on %s. Steps: search by DOB %s, pick 2nd result. Build %s, commit %s. "
            "Screenshot: %s") % (
        r.randint(1000, 9999), M("medical_record_number", mrn(r)), p.N, p.E(r, "stmarys-health.org"),
        some_date(r, "iso"), DOB(r, "iso"), version(r), sha(r, 7),
        M("url", "https://jira.stmarys-health.org/secure/attachment/%d/screen.png" % r.randint(10000, 99999)))


@T("en", 5, "phishing report")
def o_en_phish(r):
    p = P(r)
    return ("Is this a phishing email? \"Dear customer, your account has been suspended. Verify your identity at %s "
            "within 24 hours or call %s. Regards, Security Team\" - it came from %s and our staff member %s clicked it "
            "from %s.") % (
        M("url", pick(r, ["http://", "https://"]) + pick(r, ["secure-harbourline-verify.com", "harbourline.account-check.net", "login-harbourIine.com"]) + "/auth?id=" + digits(r, 6)),
        M("phone", phone(r, pick(r, ["US", "UK"]))), M("email", "noreply@" + pick(r, ["harbourline-security.info", "hbl-alerts.co"])),
        p.N, M("ip_address", ipv4(r, pick(r, ["priv10", "priv192"]))))


@T("en", 4, "Python traceback")
def o_en_trace(r):
    p = P(r, pick(r, ["en", "de", "fr"]))
    return ("What does this error mean? Traceback (most recent call last): File \"sync.py\", line 88, in push "
            "KeyError: 'member_id' while processing {'name': '%s', 'dob': '%s', 'email': '%s', 'zip': '%s', "
            "'member_id': '%s'}") % (
        p.N, DOB(r, "iso"), p.E(r), M("postal_code", us_zip(r, pick(r, US_CITIES)[2], False)),
        M("health_plan_number", us_member_id(r)))


@T("en", 4, "YAML config with contacts")
def o_en_yaml(r):
    a = P(r)
    return ("Why does this YAML not parse? {oncall: {name: %s, phone: '%s', email: %s}, db: {host: %s, port: 5432}, "
            "dr_site: '%s'}") % (a.N, M("phone", phone(r, pick(r, ["US", "UK"]))), a.E(r, "harbourline-bank.com"),
                                 M("ip_address", ipv4(r, "priv10")), M("ip_address", ipv6(r, "full")))

# =========================================================================
# More SSN material (US employers, banks and insurers)
# =========================================================================

@T("en", 5, "W-2 correction")
def s_en_w2(r):
    p = P(r, pick(r, ["en", "es", "af", "vn", "in"]))
    return ("Draft the W-2c cover letter for this: employee %s, SSN shown on the W-2 %s, correct SSN %s, tax year %d, "
            "box 1 wages %s. Mail to %s.") % (
        p.N, M("ssn", ssn(r, "-")), M("ssn", ssn(r, "-")), r.randint(2022, 2025), amount(r, "en"), us_address(r))


@T("en", 5, "background check request")
def s_en_bg(r):
    p = P(r)
    return J("Summarise this background check request for the hiring manager:",
             "Candidate: %s | DOB: %s | SSN: %s" % (p.N, DOB(r, "us", 1960, 2004), M("ssn", ssn(r, pick(r, ["-", " "])))),
             "Addresses (7 yrs): %s; %s" % (us_address(r), us_address(r, long_house=r.random() < 0.3)),
             "Contact: %s / %s" % (M("phone", phone(r, "US")), p.E(r)))


@T("es", 4, "cliente hispanohablante (EE. UU.)")
def s_es_us(r):
    p = P(r, "es", double=r.random() < 0.4)
    return ("Traduce al inglés para el expediente: «Me llamo %s, fecha de nacimiento %s, mi número de seguro social "
            "(SSN) es %s y vivo en %s. Mi teléfono es %s.»") % (
        p.N, DOB(r, "us"), M("ssn", ssn(r, "-")), us_address(r), M("phone", phone(r, "US")))


@T("zh", 4, "美国客户")
def s_zh_us(r):
    p = P(r, "cn")
    sc = "fullwidth" if r.random() < 0.7 else None
    return ("帮我把这段话翻译成英文放进开户资料：我叫%s，社会安全号码（SSN）是 %s，手机 %s，出生日期（DOB）%s。") % (
        p.N, M("ssn", ssn(r, "-", script=sc)), M("phone", phone(r, "US", script=sc)), DOB(r, "iso"))


@T("ar", 3, "عميل في الولايات المتحدة")
def s_ar_us(r):
    p = P(r, "ar")
    sc = "arabic" if r.random() < 0.7 else None
    return ("ترجم هذه الرسالة إلى الإنجليزية: \"اسمي %s، رقم الضمان الاجتماعي (SSN) %s، رقم الهاتف %s\"") % (
        p.N, M("ssn", ssn(r, "-", script=sc)), M("phone", phone(r, "US", script=sc)))


@T("en", 4, "1099 upload CSV")
def s_en_1099(r):
    rows = ["payee_name,ssn,amount,zip"]
    for _ in range(r.randint(2, 3)):
        p = P(r, pick(r, ["en", "es", "in", "vn", "af"]))
        rows.append("\"%s\",%s,%.2f,%s" % (p.N, M("ssn", ssn(r, pick(r, ["-", ""]))), r.randint(60000, 9000000) / 100,
                                          M("postal_code", us_zip(r, pick(r, US_CITIES)[2], False))))
    return J("The 1099 upload keeps rejecting this file, what's wrong with the format?", *rows)


@T("en", 3, "CRM JSON with SSN")
def s_en_json(r):
    p = P(r)
    return ("Write a jq filter that drops customer_ssn from records like this: "
            '{"id":%d,"full_name":"%s","customer_ssn":"%s","dob":"%s","email":"%s","segment":"retail"}') % (
        r.randint(100000, 999999), p.N, M("ssn", ssn(r, "")), DOB(r, "iso"), p.E(r))


@T("en", 3, "Medicare + SSN intake")
def s_en_intake(r):
    p = P(r, pick(r, ["en", "ie", "it", "pl"]))
    return ("Which of these fields can we legally keep after enrolment? Applicant %s, SSN %s, Medicare number %s, "
            "DOB %s, phone %s.") % (p.N, M("ssn", ssn(r, "-")), M("health_plan_number", mbi(r)), DOB(r, "us", 1930, 1960),
                                   M("phone", phone(r, "US")))


# =========================================================================
# URLs in pasted material
# =========================================================================

SITES = ["northcare-insurance.com", "stmarys-health.org", "harbourline-bank.com", "klinikum-west.de",
         "zorggroep-oost.nl", "mutuelle-exemple.fr", "aseguradora-ejemplo.es", "ospedale-esempio.it"]


def url(r, site=None, www=None, path=None):
    site = site or pick(r, SITES)
    if www is None:
        www = r.random() < 0.3
    scheme = "" if www and r.random() < 0.5 else pick(r, ["https://", "https://", "http://"])
    host = ("www." if www else pick(r, ["", "portal.", "my.", "forms."])) + site
    path = path if path is not None else pick(r, [
        "", "/claims", "/forms/reimbursement.pdf", "/help/faq#billing", "/appointments?clinic=ortho&lang=en",
        "/members/id-card", "/kontakt", "/aide/remboursements", "/s/%s" % letters(r, 6, "abcdefghjkmnpqrstuvwxyz23456789"),
        "/en/patients/visiting-hours", "/pay?ref=%s" % digits(r, 8)])
    return scheme + host + path


@T("en", 4, "patient leaflet")
def u_en_leaflet(r):
    return ("Shorten this leaflet paragraph to a reading age of 9: \"After your procedure you may feel sore for a few "
            "days. More information is available at %s. If you have questions, see %s.\"") % (
        M("url", pick(r, ["https://www.nhs.uk/conditions/type-2-diabetes/", "https://www.nhs.uk/medicines/apixaban/",
                          "https://www.cdc.gov/flu/treatment/index.html", "https://medlineplus.gov/kneereplacement.html"])),
        M("url", url(r, "stmarys-health.org")))


@T("en", 5, "insurer FAQ")
def u_en_faq(r):
    return ("Rewrite this member FAQ answer in a friendlier tone: Claim forms are at %s. You can track a claim at %s "
            "(log in first). For dental, use [this form](%s).") % (
        M("url", url(r, "northcare-insurance.com", True, "/forms")), M("url", url(r, "northcare-insurance.com", False, "/claims/status")),
        M("url", url(r, "northcare-insurance.com", False, "/dental/claim-form.pdf")))


@T("en", 4, "SSO redirect loop")
def u_en_sso(r):
    return ("Why does this redirect loop? Browser goes %s -> %s -> back to the first one. Proxy at %s:3128, "
            "IdP at %s.") % (
        M("url", "https://intranet.harbourline-bank.com/hr/"),
        M("url", "https://sso.harbourline-bank.com/adfs/ls/?wa=wsignin1.0&wtrealm=urn%%3Ahr&wctx=%s" % digits(r, 6)),
        M("ip_address", ipv4(r, "priv10")), M("ip_address", ipv4(r, "priv172")))


@T("en", 4, "SMS smishing report")
def u_en_sms(r):
    return ("A patient forwarded this SMS, is it ours? \"%s: your appointment on %s needs confirmation, pay the %s "
            "booking fee at %s\" - our real booking page is %s.") % (
        pick(r, ["StMarys", "NHS", "Clinic"]), some_date(r, "eu/"), amount(r, "gb"),
        M("url", pick(r, ["http://", "https://"]) + pick(r, ["stmarys-booking.help", "nhs-appt-confirm.net", "clinic-pay.co"]) +
          "/" + letters(r, 5, "abcdefghjkmnpqrstuvwxyz")),
        M("url", url(r, "stmarys-health.org", False, "/appointments")))


@T("en", 4, "markdown notes with links")
def u_en_md(r):
    return ("Turn these notes into a proper onboarding page: - VPN guide: %s - Expense policy (PDF): [here](%s) - "
            "Ask the service desk via %s.") % (
        M("url", "https://wiki.harbourline-bank.com/display/IT/VPN+Setup"), M("url", url(r, "harbourline-bank.com", False, "/policies/expenses-2025.pdf")),
        M("url", "https://servicedesk.harbourline-bank.com/portal/%d" % r.randint(1, 40)))


@T("de", 3, "Hinweis mit Link")
def u_de(r):
    return ("Übersetze den Hinweis ins Englische: \"Das Erstattungsformular finden Sie unter %s. Termine buchen Sie "
            "online über %s.\"") % (M("url", url(r, "klinikum-west.de", r.random() < 0.5, "/formulare/erstattung")),
                                     M("url", url(r, "klinikum-west.de", False, "/termine")))


@T("fr", 3, "message avec lien")
def u_fr(r):
    return ("Corrige ce message : \"Retrouvez vos décomptes sur %s ou téléchargez l'attestation ici : %s.\"") % (
        M("url", url(r, "mutuelle-exemple.fr", r.random() < 0.5, "/espace-adherent")),
        M("url", url(r, "mutuelle-exemple.fr", False, "/docs/attestation.pdf")))


@T("es", 3, "mensaje con enlace")
def u_es(r):
    return ("Hazlo más claro: \"Puede pedir cita en %s o consultar el cuadro médico en %s.\"") % (
        M("url", url(r, "aseguradora-ejemplo.es", False, "/cita-previa")), M("url", url(r, "aseguradora-ejemplo.es", True, "/cuadro-medico")))


@T("it", 3, "messaggio con link")
def u_it(r):
    return ("Traduci in inglese: \"I referti sono disponibili su %s. Per pagare il ticket usa %s.\"") % (
        M("url", url(r, "ospedale-esempio.it", False, "/referti")), M("url", url(r, "ospedale-esempio.it", True, "/pagamenti")))


@T("nl", 3, "bericht met link")
def u_nl(r):
    return ("Maak dit korter: \"Uw declaratie kunt u indienen via %s. Vragen? Kijk op %s.\"") % (
        M("url", url(r, "zorggroep-oost.nl", False, "/declareren")), M("url", url(r, "zorggroep-oost.nl", True, "/veelgestelde-vragen")))


@T("pl", 3, "wiadomość z linkiem")
def u_pl(r):
    return ("Popraw ten tekst: \"Wyniki badań są dostępne na %s, a płatności obsługujemy przez %s.\"") % (
        M("url", "https://pacjent.szpital-przyklad.pl/wyniki"), M("url", url(r, "harbourline-bank.com", False, "/pl/platnosci")))


@T("ja", 3, "リンク付き案内")
def u_ja(r):
    return ("この案内文を英訳して：「予約の変更は %s から、領収書の再発行は %s からお手続きください。」") % (
        M("url", "https://yoyaku.byoin-example.jp/change"), M("url", url(r, "stmarys-health.org", False, "/receipts")))


@T("zh", 2, "链接通知")
def u_zh(r):
    return ("把这条通知翻译成英文：「请在 %s 下载理赔申请表，或访问 %s 查询进度。」") % (
        M("url", "https://www.baoxian-example.cn/forms/claim.pdf"), M("url", url(r, "northcare-insurance.com", False, "/claims")))


@T("ko", 2, "링크 안내")
def u_ko(r):
    return ("이 안내문을 영어로 번역해 줘: \"진료비 영수증은 %s 에서 확인하실 수 있습니다. 문의: %s\"") % (
        M("url", "https://www.hospital-example.kr/receipt?lang=ko&no=%s" % digits(r, 6)),
        M("phone", phone(r, "KR", script=pick(r, ["fullwidth", None]))))


@T("en", 3, "link in ticket")
def u_en_ticket(r):
    p = P(r)
    return ("Reply to %s: the broken link they reported (%s) should now point to %s.") % (
        p.G, M("url", url(r, None, False, "/old/forms/claim_v2.pdf")), M("url", url(r, None, False, "/forms/claim.pdf")))


# =========================================================================
# Chat transcripts, voicemail transcriptions, forwarded e-mail threads
# =========================================================================

@T("en", 5, "Teams chat transcript")
def c_en_teams(r):
    a, b, pt = P(r, pick(r, ["en", "ie", "in", "af"])), P(r, pick(r, ["en", "ie", "pl", "nordic"])), P(r)
    h = r.randint(7, 16)
    return J("Summarise this Teams thread into a task list:",
             "[%02d:%02d] %s: can someone check MRN %s? lab says DOB %s doesn't match the sample" % (
                 h, r.randint(0, 29), a.N, M("medical_record_number", mrn(r)), DOB(r, "eu/")),
             "[%02d:%02d] %s: that's %s, registration has the wrong year, I'll fix it" % (
                 h, r.randint(30, 59), b.N, pt.N),
             "[%02d:%02d] %s: thx, the pt's mobile in the system is %s, is that current?" % (
                 h + 1, r.randint(0, 59), a.G, M("phone", phone(r, pick(r, ["UK", "IE", "AU"])))))


@T("en", 5, "voicemail transcription")
def c_en_voicemail(r):
    p = P(r, pick(r, ["en", "es", "af", "ie"]))
    return ("Clean up this voicemail transcription and pull out the callback details: \"hi um this is %s calling "
            "about my claim from the ER, my member ID is %s, uh date of birth %s, you can reach me at %s after five, "
            "or I guess email %s, thanks bye\"") % (
        p.N, M("health_plan_number", us_member_id(r)), DOB(r, pick(r, ["us", "us_long"])), M("phone", phone(r, "US")), p.E(r))


@T("en", 5, "forwarded vendor bank-change e-mail")
def c_en_vendor(r):
    a, b = P(r), P(r, pick(r, ["en", "de", "nl", "nordic"]))
    cc = pick(r, ["GB", "IE", "NL", "DE", "LT", "PT", "ES", "FR", "AD", "IS", "LV", "EE"])
    return J("Is this vendor bank change request legit? Forwarded from AP:",
             "From: %s <%s>" % (a.N, a.E(r, pick(r, ["medisupply-partners.com", "medisupply-partner.co"]))),
             "Sent: %s 09:%02d" % (some_date(r, "en_long"), r.randint(10, 59)),
             "To: %s" % b.E(r, "harbourline-bank.com"),
             "Subject: Updated remittance details - invoice %s" % ("INV-" + digits(r, 6)),
             "Please update our bank details to %s (BIC %s) effective immediately and pay the outstanding %s. "
             "Call me on %s with any questions." % (M("iban", iban(r, cc)), pick(r, BICS), amount(r, "gb"),
                                                  M("phone", phone(r, pick(r, ["UK", "IE", "NL"])))))


@T("de", 4, "Teams-Chat")
def c_de_chat(r):
    a, p = P(r, "de"), P(r, pick(r, ["de", "tr", "pl"]))
    return ("Mach daraus eine kurze Übergabe: [%02d:%02d] %s: Patientennummer %s, %s, geb. %s, Rückruf bitte an %s. "
            "[%02d:%02d] %s: erledigt, Befund ging an %s.") % (
        r.randint(7, 12), r.randint(0, 59), a.N, M("medical_record_number", mrn(r)), p.N, DOB(r, "eu."),
        M("phone", phone(r, "DE")), r.randint(13, 18), r.randint(0, 59), a.G, M("email", "station4b@klinikum-west.de"))

# =========================================================================
# NEGATIVE-ONLY material (nothing in these lines may be marked)
# =========================================================================

def nd_name(r):
    return pick(r, NON_DICT_NAMES)


@T("en", 7, "lab results (neg)")
def n_en_lab(r):
    return J("What does this mean in plain English?",
             "Accession %d-CH-%s collected %s 07:45" % (r.randint(23, 26), digits(r, 6), some_date(r, "us")),
             "Na 138 mmol/L, K %.1f mmol/L (H), Creat %d umol/L, eGFR %d, HbA1c %.1f%%" % (
                 r.uniform(5.1, 6.4), r.randint(60, 240), r.randint(15, 89), r.uniform(5.5, 11.0)),
             "LOINC 2823-3, 33914-3; ICD-10 %s" % pick(r, ["N18.3", "E11.65", "I10", "N17.9"]))


@T("en", 6, "dosing question (neg)")
def n_en_dose(r):
    return ("Is %s ok with eGFR %d? Pt is %d kg, on warfarin %d mg, INR %.1f on %s. Bed %d, ward %d%s. "
            "Will the pharmacist need to sign off?") % (
        pick(r, ["1 g paracetamol QDS", "gentamicin 5 mg/kg", "metformin 1 g BD", "enoxaparin 1 mg/kg BD"]),
        r.randint(12, 45), r.randint(45, 120), r.randint(1, 7), r.uniform(1.5, 4.2), some_date(r, "eu/"),
        r.randint(1, 40), r.randint(1, 9), pick(r, "ABC"))


@T("en", 6, "release notes (neg)")
def n_en_release(r):
    return J("Summarise these release notes for the ward managers, no tech speak:",
             "EHR client %s (build %s, commit %s)" % (version(r), digits(r, 5), sha(r, 40)),
             "- fixes crash when printing wristbands (ticket INC%s)" % digits(r, 7),
             "- migration id %s" % uuid4(r),
             "- requires scanner firmware %s or later" % version(r))


@T("en", 5, "build log (neg)")
def n_en_build(r):
    return ("Why did this deploy fail? image sha256:%s pulled, node mac %s, helm chart %s, exit code 137 at %sT%02d:%02d:11Z, "
            "pod claims-api-%s-%s OOMKilled") % (
        sha(r, 64), mac(r), version(r), some_date(r, "iso"), r.randint(0, 23), r.randint(0, 59), sha(r, 10), letters(r, 5, "bcdfghjklmnpqrstvwxz"))


@T("en", 6, "card near miss (neg)")
def n_en_nearmiss(r):
    kind = pick(r, ["visa", "mc", "amex", "disc"])
    return ("Customer says this card number keeps getting rejected by the form: %s (exp %02d/%d). Is the form broken "
            "or did they mistype it?") % (near_miss(r, kind, pick(r, ["space", "compact", "dash"])), r.randint(1, 12), r.randint(26, 31))


@T("en", 6, "IBAN with bad check digits (neg)")
def n_en_badiban(r):
    cc = pick(r, ["DE", "FR", "GB", "NL", "ES", "IT", "BE", "PL", "AT", "IE", "PT", "SE"])
    return ("The payment system says this IBAN is invalid but the customer insists it's right: %s. Can you tell "
            "which part is wrong?") % bad_iban(r, cc, grouped=r.random() < 0.6)


@T("en", 5, "invalid SSNs (neg)")
def n_en_badssn(r):
    return ("Which of these fail the SSA format rules? %s, %s, %s and the ITIN %s. Our validator lets all of them "
            "through.") % (bad_ssn(r), bad_ssn(r), bad_ssn(r), itin(r))


@T("en", 6, "orders and tracking (neg)")
def n_en_orders(r):
    return ("Reply to the supplier about these: order %s (tracking 1Z%s%s), invoice INV-%s for %s, PO %s due %s. "
            "Grant funding code GR-%s.") % (
        order_no(r), letters(r, 3, "ABCDEFGHJKLMNPRSTUVWXYZ"), digits(r, 10), digits(r, 6), amount(r, "en"),
        digits(r, 10, True), some_date(r, "us"), digits(r, 4))


@T("en", 5, "meeting invite (neg)")
def n_en_meeting(r):
    return ("Shorten this invite: Claims huddle moved to %s at 14:30 CET. Meeting ID: %s %s %s Passcode: %s. "
            "Agenda: backlog (3,412 open), May close, June targets.") % (
        some_date(r, "en_long", 2024, 2026), digits(r, 3, True), digits(r, 4), digits(r, 4), digits(r, 6))


@T("en", 5, "dotted quads and domains (neg)")
def n_en_quads(r):
    return ("Is this config valid? allow_from = %s, %s; redirect to stmarys-portal.org/login and "
            "www dot harbourline dot com; fallback %s") % (bad_quad(r), bad_quad(r), pick(r, ["claims.northcare-insurance.com/api", "intranet.local/hr"]))


@T("en", 6, "people not in the dictionary (neg)")
def n_en_nondict(r):
    return ("Draft a thank-you note to %s and %s from the billing team for covering May and June, and ask if "
            "they will join the Grant review on %s.") % (nd_name(r), nd_name(r), some_date(r, "us_long", 2024, 2026))


@T("en", 5, "non-birth dates (neg)")
def n_en_dates(r):
    return ("Make a timeline: admitted %s, surgery %s, discharged %s, died %s, death certificate signed %s. "
            "Policy effective %s.") % (*dates2(r, "us"), *dates2(r, "us"),
                                       some_date(r, "us"), some_date(r, "iso"))


@T("en", 4, "route sheet (neg)")
def n_en_route(r):
    return ("Optimise this courier route: first stop %d Riverside Dr, then %d Lakeview Drive, then the depot; "
            "van %s, %d parcels, %d km." % (r.randint(10000, 19999), r.randint(10000, 19999), letters(r, 2) + "-" + digits(r, 4),
                                           r.randint(10, 80), r.randint(20, 300)))


@T("en", 4, "MBI-like strings (neg)")
def n_en_mbi_bad(r):
    return ("These were typed off paper cards and fail the CMS format check: %s, %s. Which letters are never used "
            "in an MBI?") % (mbi_like_bad(r), mbi_like_bad(r))


@T("en", 5, "bank reference numbers (neg)")
def n_en_bankrefs(r):
    return ("Explain the difference between these for the new joiner: routing %s, NPI %s, EIN %02d-%s, sort code "
            "%02d-%02d-%02d, BIC %s, account %s.") % (aba(r), npi(r), r.randint(10, 99), digits(r, 7), r.randint(10, 99),
                                                      r.randint(10, 99), r.randint(10, 99), pick(r, BICS), digits(r, 8))


@T("en", 4, "coding question (neg)")
def n_en_coding(r):
    return ("Which code is right for this visit: CPT %s or %s, with ICD-10 %s? Units: %d, charge %s, NDC %s-%s-%s.") % (
        pick(r, ["99213", "99214", "99215", "93000"]), pick(r, ["99203", "99204", "36415"]),
        pick(r, ["J06.9", "M54.5", "R51.9", "K21.9"]), r.randint(1, 4), amount(r, "en"), digits(r, 5), digits(r, 4), digits(r, 2))


@T("en", 4, "stats (neg)")
def n_en_stats(r):
    return ("Turn this into a slide headline: Q%d we processed %d claims (%d auto-adjudicated), average turnaround "
            "%.1f days, %d complaints, %s paid out, ISBN of the training manual %s.") % (
        r.randint(1, 4), r.randint(10000, 99999), r.randint(10000, 99999), r.uniform(2, 30), r.randint(10, 999),
        amount(r, "en"), isbn13(r))


@T("en", 3, "HL7 ORU without identifiers (neg)")
def n_en_oru(r):
    return J("Is this OBX segment valid?",
             "OBX|1|NM|2345-7^Glucose^LN||%.1f|mmol/L|3.9-5.5|H|||F|||%s" % (r.uniform(3, 20), some_date(r, "compact")),
             "OBX|2|NM|2160-0^Creatinine^LN||%d|umol/L|45-90|H|||F" % r.randint(90, 300))


@T("de", 5, "Termine und Rechnungen (neg)")
def n_de(r):
    return ("Fass das kurz zusammen: Aufnahme am %s, OP-Termin %s, Entlassung voraussichtlich %s. Rechnung Nr. %d-%s "
            "über %s, fällig am %s. Aktenzeichen %d C %d/%d.") % (
        *dates2(r, "eu."), some_date(r, "eu."), r.randint(2023, 2026), digits(r, 5),
        amount(r, "eu"), some_date(r, "eu."), r.randint(1, 40), r.randint(100, 999), r.randint(23, 26))


@T("fr", 4, "rendez-vous et factures (neg)")
def n_fr(r):
    return ("Reformule pour l'accueil : rendez-vous le %s à 9 h 15, facture n° %s de %s, échéance le %s, "
            "dossier sinistre %s.") % (some_date(r, "eu/"), digits(r, 8), amount(r, "fr"), some_date(r, "eu/"), ref_no(r))


@T("es", 4, "citas e importes (neg)")
def n_es(r):
    return ("Haz un resumen: fecha de ingreso %s, cita de control %s, factura %s por %s, vence el %s. Expediente "
            "%d/%d.") % (*dates2(r, "eu/"), "F-" + digits(r, 7), amount(r, "eu"), some_date(r, "eu/"),
                          r.randint(100, 9999), r.randint(2023, 2026))


@T("it", 3, "appuntamenti (neg)")
def n_it(r):
    return ("Riassumi: data di ricovero %s, visita di controllo %s, fattura n. %s di %s, scadenza %s.") % (
        *dates2(r, "eu/"), digits(r, 6), amount(r, "eu"), some_date(r, "eu/"))


@T("nl", 3, "afspraken (neg)")
def n_nl(r):
    return ("Vat samen: opnamedatum %s, controleafspraak %s, factuurnummer %s, bedrag %s, vervaldatum %s.") % (
        *dates2(r, "eu-"), digits(r, 8), amount(r, "eu"), some_date(r, "eu-"))


@T("pl", 3, "terminy (neg)")
def n_pl(r):
    return ("Streść: data przyjęcia %s, wizyta kontrolna %s, faktura nr FV/%s/%d na kwotę %s, termin płatności %s.") % (
        *dates2(r, "eu."), digits(r, 4), r.randint(2023, 2026), amount(r, "pl"), some_date(r, "eu."))


@T("pt", 3, "datas (neg)")
def n_pt(r):
    return ("Resume: data de admissão %s, consulta de seguimento %s, fatura FT %s/%d no valor de %s, vencimento %s.") % (
        *dates2(r, "eu/"), digits(r, 5), r.randint(2023, 2026), amount(r, "eu"), some_date(r, "eu/"))


@T("sv", 3, "datum (neg)")
def n_sv(r):
    return ("Sammanfatta: inskrivningsdatum %s, återbesök %s, fakturanummer %s, belopp %s, förfallodag %s, OCR %s.") % (
        *dates2(r, "iso"), digits(r, 7), amount(r, "sek"), some_date(r, "iso"), digits(r, 10))


@T("da", 3, "datoer (neg)")
def n_da(r):
    return ("Opsummer: indlæggelsesdato %s, kontrol %s, fakturanr. %s, beløb %s, forfaldsdato %s.") % (
        *dates2(r, "eu-"), digits(r, 6), amount(r, "sek"), some_date(r, "eu-"))


@T("no", 3, "datoer (neg)")
def n_no(r):
    return ("Oppsummer: innleggelsesdato %s, kontrolltime %s, fakturanummer %s, beløp %s, KID %s, forfall %s.") % (
        *dates2(r, "eu."), digits(r, 6), amount(r, "sek"), digits(r, 11), some_date(r, "eu."))


@T("fi", 3, "päivämäärät (neg)")
def n_fi(r):
    return ("Tiivistä: tulopäivä %s, kontrollikäynti %s, laskun numero %s, summa %s, eräpäivä %s, viite %s.") % (
        *dates2(r, "fi"), digits(r, 7), amount(r, "eu"), some_date(r, "fi"), digits(r, 8))


@T("cs", 3, "termíny (neg)")
def n_cs(r):
    return ("Shrň: datum přijetí %s, kontrola %s, faktura č. %s, částka %s Kč, splatnost %s, variabilní symbol %s.") % (
        *dates2(r, "fi"), digits(r, 8), "{:,}".format(r.randint(500, 90000)).replace(",", " "),
        some_date(r, "fi"), digits(r, 10))


@T("tr", 3, "tarihler (neg)")
def n_tr(r):
    return ("Özetle: yatış tarihi %s, kontrol randevusu %s, fatura no %s, tutar %s, son ödeme %s.") % (
        *dates2(r, "eu."), digits(r, 9), amount(r, "tr"), some_date(r, "eu."))


@T("ja", 3, "日付と請求 (neg)")
def n_ja(r):
    return ("要約して：入院日 %s、退院日 %s、請求書番号 %s、金額 %s、支払期限 %s。") % (
        *dates2(r, "cjk"), digits(r, 10), amount(r, "jp"), some_date(r, "cjk"))


@T("zh", 3, "日期和金额 (neg)")
def n_zh(r):
    return ("帮我总结：入院日期 %s，复诊日期 %s，订单号 %s，金额 ¥%s，到期日 %s。") % (
        *dates2(r, "cjk"), digits(r, 12), "{:,.2f}".format(r.randint(1000, 900000) / 100),
        some_date(r, "cjk"))


@T("ko", 3, "날짜 (neg)")
def n_ko(r):
    return ("요약해 줘: 입원일 %s, 외래 예약 %s, 주문번호 %s, 금액 %s원.") % (
        *dates2(r, "ko"), digits(r, 10), "{:,}".format(r.randint(10000, 9000000)))


@T("hi", 3, "तिथियाँ (neg)")
def n_hi(r):
    return ("सारांश दो: भर्ती तिथि %s, अगली जाँच %s, बिल संख्या %s, राशि %s, भुगतान की अंतिम तिथि %s।") % (
        *dates2(r, "eu/"), digits(r, 8), amount(r, "in"), some_date(r, "eu/"))


@T("ar", 3, "تواريخ (neg)")
def n_ar(r):
    return ("لخص: تاريخ الدخول %s، موعد المراجعة %s، رقم الفاتورة %s، المبلغ %s ريال، تاريخ الاستحقاق %s.") % (
        *dates2(r, "eu/"), digits(r, 8), "{:,.2f}".format(r.randint(1000, 900000) / 100),
        some_date(r, "eu/"))


@T("fa", 3, "تاریخ‌ها (neg)")
def n_fa(r):
    return ("خلاصه کن: تاریخ پذیرش %s، نوبت بعدی %s، شماره فاکتور %s، مبلغ %s ریال.") % (
        *dates2(r, "ymd/"), digits(r, 9), "{:,}".format(r.randint(100000, 90000000)))


@T("fa", 3, "Persian near miss (neg)")
def n_fa_near(r):
    return ("چرا این شماره کارت در درگاه پرداخت قبول نمی‌شود؟ %s") % near_miss(r, "iran", pick(r, ["space", "dash"]), "persian")


@T("ar", 2, "Arabic near miss (neg)")
def n_ar_near(r):
    return ("العميل يقول إن البطاقة مرفوضة، هل الرقم صحيح؟ %s") % near_miss(r, pick(r, ["mada", "visa"]), "space", "arabic")


@T("ja", 2, "full-width near miss (neg)")
def n_ja_near(r):
    return ("このカード番号、決済画面でエラーになります。入力ミスでしょうか？ %s") % near_miss(r, pick(r, ["jcb", "visa"]), "space", "fullwidth")


@T("hi", 2, "Devanagari near miss (neg)")
def n_hi_near(r):
    return ("ग्राहक का कार्ड नंबर %s स्वीकार नहीं हो रहा, क्या नंबर गलत है?") % near_miss(r, "rupay", "space", "devanagari")


@T("en", 3, "spreadsheet formula (neg)")
def n_en_excel(r):
    return ("Fix my formula: =IF(AND(C2>=DATE(%d,1,1),D2<%d),\"late\",\"ok\") - column C is the claim received date, "
            "D is days open. Rows 2 to %d.") % (r.randint(2023, 2026), r.randint(10, 90), r.randint(200, 9000))

# =========================================================================
# generation and checking
# =========================================================================

HEADER = """\
# fresh7.txt - blind evaluation corpus for the PII / health-identifier detector.
# Theme: what hospital, insurer and bank employees paste into an internal AI chat
# assistant: an instruction or question in prose, followed by or wrapped around
# pasted material. Line breaks inside pasted material are written as " \u23ce ".
# Generated by scripts/pii-fresh7-corpus.py (seed %d); see README.md.
# Format: one example per line, identifiers wrapped as \u27e6category:value\u27e7.
""" % SEED


def generate(out_dir):
    r = random.Random(SEED)
    lines, seen = [], set()
    langs = set()
    for fn, n, lang, kind in TEMPLATES:
        made, tries = 0, 0
        while made < n:
            tries += 1
            if tries > 400:
                raise SystemExit("template %s could not produce %d valid lines; last: %r %r" % (
                    fn.__name__, n, line, line_errors(line)))
            line = fn(r)
            if "\n" in line or line in seen:
                continue
            errs = line_errors(line)
            if errs:
                continue
            if "(neg)" in kind and MARK_RE.search(line):
                raise SystemExit("negative template %s produced a marker" % fn.__name__)
            seen.add(line)
            lines.append(line)
            made += 1
        langs.add(lang)
    r.shuffle(lines)
    path = os.path.join(out_dir, "fresh7.txt")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for ln in lines:
            fh.write(ln + "\n")
    print("%d lines from %d templates, %d languages: %s" % (
        len(lines), len(TEMPLATES), len(langs), " ".join(sorted(langs))))


def check(out_dir):
    ok = True
    counts = {c: 0 for c in CATEGORIES}
    n_lines = n_neg = n_look = n_near_lines = 0
    iban_countries = set()
    seen = set()
    with open(os.path.join(out_dir, "fresh7.txt"), encoding="utf-8") as fh:
        raw = fh.read().split("\n")
    for no, line in enumerate(raw, 1):
        if not line.strip() or line.startswith("#"):
            continue
        n_lines += 1
        if line in seen:
            print("line %d: duplicate line" % no)
            ok = False
        seen.add(line)
        errs = line_errors(line)
        for e in errs:
            print("line %d: %s" % (no, e))
            ok = False
        plain, spans, _ = parse(line)
        if not spans:
            n_neg += 1
            if has_lookalike(plain):
                ap = ascii_digits(plain)
                for m in re.finditer(r"\d+(?:[ -]\d+)+|\d{13,19}", ap):
                    dd = re.sub(r"\D", "", m.group())
                    if 13 <= len(dd) <= 19 and has_lookalike(plain[m.start():m.end()]) and not luhn_ok(dd):
                        n_near_lines += 1
                        break
        for sp in spans:
            if sp.cat in counts:
                counts[sp.cat] += 1
            if sp.cat in ("ssn", "credit_card", "phone") and has_lookalike(sp.value):
                n_look += 1
            if sp.cat == "iban":
                iban_countries.add(sp.value[:2])
    print("fresh7.txt: %d example lines, %d negative-only" % (n_lines, n_neg))
    for c in CATEGORIES:
        extra = " (%d countries)" % len(iban_countries) if c == "iban" else ""
        print("  %-22s %4d%s" % (c, counts[c], extra))
    print("  look-alike-digit ssn/credit_card/phone positives: %d" % n_look)
    print("  negative-only lines with look-alike Luhn near misses: %d" % n_near_lines)
    for c in CATEGORIES:
        if counts[c] < MIN_PER_CATEGORY:
            print("FAIL: %s has %d positives (< %d)" % (c, counts[c], MIN_PER_CATEGORY))
            ok = False
    for what, have, need in (("example lines", n_lines, MIN_LINES), ("negative-only lines", n_neg, MIN_NEGATIVE_ONLY),
                             ("look-alike positives", n_look, MIN_LOOKALIKE),
                             ("look-alike near-miss lines", n_near_lines, MIN_LOOKALIKE_NEAR_MISS_LINES),
                             ("IBAN countries", len(iban_countries), MIN_IBAN_COUNTRIES)):
        if have < need:
            print("FAIL: %d %s (< %d)" % (have, what, need))
            ok = False
    print("check %s" % ("passed" if ok else "FAILED"))
    return ok
