"""Helpers shared by the corpus generators: paths, markers, the name
dictionary, look-alike digits and check-digit algorithms.

Nothing here draws random numbers, so a generator that calls these helpers
instead of its own copies consumes its seeded RNG exactly as before and
writes the same bytes.
"""

import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "pii"
NAMES_FILE = FIXTURES / "names.txt"

OPEN, CLOSE = "\u27e6", "\u27e7"
CATEGORIES = (
    "email", "phone", "ssn", "credit_card", "iban", "ip_address",
    "date_of_birth", "medical_record_number", "health_plan_number",
    "postal_code", "url", "name",
)


def mark(cat, value):
    """`value` wrapped as a span of category `cat`."""
    return f"{OPEN}{cat}:{value}{CLOSE}"


def read_names(path=NAMES_FILE):
    """The name dictionary in file order (blank and `#` lines skipped)."""
    with open(path, encoding="utf-8") as fh:
        return [w.strip() for w in fh if w.strip() and not w.startswith("#")]


def display_path(path):
    """`path` relative to the repository when it lies inside it."""
    path = Path(path).resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


# ---------------------------------------------------------------------------
# look-alike digits
# ---------------------------------------------------------------------------

DIGIT_BASES = {
    "fullwidth": 0xFF10, "fw": 0xFF10,
    "arabic": 0x0660, "ar": 0x0660,
    "persian": 0x06F0, "fa": 0x06F0,
    "devanagari": 0x0966, "dev": 0x0966, "dv": 0x0966,
}


def to_script(s, script):
    """ASCII digits of `s` written in another script (a DIGIT_BASES key);
    `None` or "ascii" leaves `s` as it is."""
    if script is None or script == "ascii":
        return s
    base = DIGIT_BASES[script]
    return "".join(chr(base + ord(c) - 48) if "0" <= c <= "9" else c for c in s)


def ascii_digits(s):
    """Same length; every Unicode decimal digit becomes its ASCII digit."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in s)


def has_lookalike(s):
    """Whether `s` holds a decimal digit outside ASCII."""
    return any(c.isdecimal() and not c.isascii() for c in s)


# ---------------------------------------------------------------------------
# Luhn
# ---------------------------------------------------------------------------

def luhn_sum(digits):
    """Luhn sum of a digit string (or a sequence of ints), rightmost digit undoubled."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total


def luhn_ok(digits):
    return luhn_sum(digits) % 10 == 0


def luhn_check_digit(body):
    """The digit (a string) that makes `body` + digit pass Luhn."""
    return str((10 - luhn_sum(body + "0") % 10) % 10)


def luhn_complete(body):
    return body + luhn_check_digit(body)


DIGIT_GROUPS_RE = re.compile(r"\d+(?:[ -]\d+)*")


def luhn_windows(text):
    """Yield (start, end, ascii digits) of every Luhn-valid run of 13-19
    digits made of whole digit groups joined by single spaces or dashes
    (a compact run counts as one group); digits in any script count."""
    for m in DIGIT_GROUPS_RE.finditer(text):
        groups = [(g.start() + m.start(), g.end() + m.start()) for g in re.finditer(r"\d+", m.group())]
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                digits += ascii_digits(text[groups[j][0]:groups[j][1]])
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and luhn_ok(digits):
                    yield groups[i][0], groups[j][1], digits


# ---------------------------------------------------------------------------
# grouping
# ---------------------------------------------------------------------------

def group_parts(s, sizes):
    """`s` cut into pieces of `sizes`; a remainder becomes a last piece."""
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return out


def group(s, sizes, sep=" "):
    return sep.join(group_parts(s, sizes))


def group4(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


# ---------------------------------------------------------------------------
# IBAN
# ---------------------------------------------------------------------------

IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BR": 29, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MT": 31, "MU": 30, "NL": 18, "NO": 15,
    "PK": 24, "PL": 28, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "XK": 20,
}


def iban_lengths(countries):
    """{country: IBAN length} for the space-separated codes, in that order."""
    return {cc: IBAN_LENGTHS[cc] for cc in countries.split()}


def iban_numeric(s):
    """Letters as 10..35, digits as themselves (ISO 13616)."""
    return "".join(str(int(c, 36)) for c in s)


def iban_mod97(compact):
    """The mod-97 remainder of a compact IBAN (1 when the check digits are right)."""
    return int(iban_numeric(compact[4:] + compact[:4])) % 97


def iban_check_digits(cc, bban):
    return 98 - int(iban_numeric(bban + cc + "00")) % 97


def iban_make(cc, bban):
    return f"{cc}{iban_check_digits(cc, bban):02d}{bban}"


def iban_valid(value, lengths=IBAN_LENGTHS):
    """Compact or space-grouped IBAN: shape, the length `lengths` gives its
    country, and mod-97."""
    compact = value.replace(" ", "")
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", compact):
        return False
    if lengths.get(compact[:2]) != len(compact):
        return False
    return iban_mod97(compact) == 1


def be_account_check(ten):
    """Belgian account check (the last two BBAN digits)."""
    return int(ten) % 97 or 97


def fr_rib_key(bank, branch, account):
    """French RIB key of bank (5), branch (5) and account (11) numbers."""
    return 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97


_ES_WEIGHTS = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)


def es_control_digit(ten):
    """One Spanish CCC control digit of ten digits."""
    r = 11 - sum(int(c) * w for c, w in zip(ten, _ES_WEIGHTS)) % 11
    return {11: 0, 10: 1}.get(r, r)


# ---------------------------------------------------------------------------
# national and health identifiers
# ---------------------------------------------------------------------------

def ssn_valid(area, group_, serial):
    """US SSN rules: area not 000, 666 or 9xx, group not 00, serial not 0000."""
    a, g, s = int(area), int(group_), int(serial)
    return 0 < a < 900 and a != 666 and g != 0 and s != 0


def nhs_check(nine):
    """NHS mod-11 check digit of nine digits, None where none exists."""
    c = 11 - sum(int(d) * (10 - i) for i, d in enumerate(nine)) % 11
    if c == 11:
        return 0
    return None if c == 10 else c


def nhs_ok(value):
    """Ten digits (spaces and dashes ignored) with a right check digit."""
    d = re.sub(r"[ -]", "", value)
    return bool(re.fullmatch(r"\d{10}", d)) and nhs_check(d[:9]) == int(d[9])


def kvnr_check(letter, eight):
    """Check digit of a German KVNR (letter + eight digits)."""
    total = 0
    for i, c in enumerate(f"{ord(letter) - 64:02d}" + eight):
        p = int(c) * (1 if i % 2 == 0 else 2)
        total += p // 10 + p % 10
    return total % 10


def nir_key(thirteen):
    """Key of a French NIR (numéro de sécurité sociale)."""
    return 97 - int(thirteen) % 97


def au_medicare_check(eight):
    """Check digit of an Australian Medicare number's first eight digits."""
    return sum(int(d) * w for d, w in zip(eight, (1, 3, 7, 9, 1, 3, 7, 9))) % 10


CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                  [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21,
                   2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]))
CF_EVEN = {**{str(i): i for i in range(10)}, **{chr(65 + i): i for i in range(26)}}


def codice_fiscale_check(fifteen):
    """Check letter of an Italian codice fiscale."""
    total = sum(CF_ODD[c] if i % 2 == 0 else CF_EVEN[c] for i, c in enumerate(fifteen))
    return chr(65 + total % 26)


def aba_check(eight):
    """Check digit of a US ABA routing number (weights 3, 7, 1)."""
    return (10 - sum(int(d) * w for d, w in zip(eight, (3, 7, 1, 3, 7, 1, 3, 7))) % 10) % 10


def isbn13_check(twelve):
    return (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(twelve)) % 10) % 10


def npi_check_digit(nine):
    """Check digit (a string) of a US NPI: Luhn over 80840 + the nine digits."""
    return luhn_check_digit("80840" + nine)


MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"  # letters a Medicare Beneficiary Identifier may use
MBI_PATTERN = (r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]"
               r"[AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}")
MBI_RE = re.compile(r"(?<![A-Za-z0-9])" + MBI_PATTERN + r"(?![A-Za-z0-9])")
