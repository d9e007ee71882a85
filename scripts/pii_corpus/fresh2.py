"""Generate and validate tests/fixtures/pii/fresh2.txt.

fresh2.txt is a one-time measurement corpus for the personal/health-identifier
detector.  It was written from tests/fixtures/pii/README.md (format and span
conventions) and tests/fixtures/pii/names.txt (the name dictionary) only, with
its own template bank; it does not reuse any other corpus or generator.

    python3 scripts/pii-corpus.py fresh2           # regenerate, then check
    python3 scripts/pii-corpus.py fresh2 --check   # only validate the file

Standard library only; a fixed seed makes the output deterministic.
"""

import datetime as dt
import ipaddress
import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from . import validators
from .validators import (
    CATEGORIES, MBI_ALPHA, MBI_RE, ascii_digits, au_medicare_check, be_account_check, es_control_digit,
    fr_rib_key, group4, group_parts, iban_lengths, iban_make, isbn13_check, kvnr_check, luhn_complete, luhn_ok,
    mark, nhs_check, nir_key, npi_check_digit, read_names, ssn_valid as ssn_valid_parts, to_script,
)

OUTPUTS = ("fresh2.txt",)
SEED = 0x2F5E_C0DE
MIN_PER_CATEGORY = 45
MIN_LINES = 300
MIN_NEGATIVE_LINES = 100
MIN_LOOKALIKE = 10

NAMES = set(read_names())

R = random.Random(SEED)


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------

def M(cat, value):
    assert cat in CATEGORIES, cat
    return mark(cat, value)


def ch(seq):
    return R.choice(seq)


def dig(n):
    return "".join(R.choice("0123456789") for _ in range(n))


def ndig(n):
    """n digits, first one non-zero."""
    return str(R.randint(1, 9)) + dig(n - 1)


def upper(n, alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ"):
    return "".join(R.choice(alphabet) for _ in range(n))


def group(s, sizes, sep=" "):
    return sep.join(x for x in group_parts(s, sizes) if x)


def fold(s):
    s = s.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("ł", "l")
    s = s.replace("Ł", "L").replace("ı", "i").replace("æ", "ae")
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def amount(lo, hi, style="en"):
    v = R.randint(lo * 100, hi * 100) / 100
    en = f"{v:,.2f}"
    if style == "en":
        return en
    if style == "de":
        return en.replace(",", "_").replace(".", ",").replace("_", ".")
    if style == "fr":
        return en.replace(",", "\u202f").replace(".", ",")
    if style == "ch":
        return en.replace(",", "'")
    return en


# ---------------------------------------------------------------------------
# check digits
# ---------------------------------------------------------------------------

def luhn_break(digits):
    """Change one digit so the Luhn check fails."""
    while True:
        i = R.randrange(1, len(digits))
        c = R.choice([d for d in "0123456789" if d != digits[i]])
        cand = digits[:i] + c + digits[i + 1:]
        if not luhn_ok(cand):
            return cand


IBAN_LEN = iban_lengths("DE AT CH FR BE NL ES IT PL PT SE DK NO FI CZ TR GB IE LU BR SA AE GR HU RO HR SI SK LT LV "
                        "EE MT CY IS LI MC SM BG QA KW IL JO")


def iban_valid(s):
    return validators.iban_valid(s, IBAN_LEN)


def fr_bban():
    bank, branch, acct = ch(["30004", "30003", "20041", "10278", "18206", "30002"]), dig(5), dig(11)
    return f"{bank}{branch}{acct}{fr_rib_key(bank, branch, acct):02d}"


def be_bban():
    first = dig(10)
    return f"{first}{be_account_check(first):02d}"


def es_bban():
    bank, branch, acct = ch(["2100", "0049", "0182", "2085", "0081"]), dig(4), dig(10)
    return f"{bank}{branch}{es_control_digit('00' + bank + branch)}{es_control_digit(acct)}{acct}"


_CIN_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]


def it_bban():
    abi, cab, acct = ch(["03069", "02008", "05034", "01030", "03062"]), dig(5), dig(12)
    s = abi + cab + acct
    total = 0
    for i, c in enumerate(s):
        v = int(c)
        total += _CIN_ODD[v] if i % 2 == 0 else v
    return chr(65 + total % 26) + s


DE_BLZ = ["37040044", "10070000", "50010517", "20041111", "76026000", "60050101", "70020270", "12030000", "43060967", "30050110"]

IBAN_BBAN = {
    "DE": lambda: ch(DE_BLZ) + dig(10),
    "AT": lambda: ch(["12000", "20111", "32000", "14000"]) + dig(11),
    "CH": lambda: ch(["00762", "00235", "08390", "00700"]) + dig(12),
    "FR": fr_bban,
    "BE": be_bban,
    "NL": lambda: ch(["ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB"]) + dig(10),
    "ES": es_bban,
    "IT": it_bban,
    "PL": lambda: ch(["10202", "11402", "10501", "12401", "10901"]) + dig(19),
    "PT": lambda: ch(["0033", "0035", "0007", "0010"]) + dig(17),
    "SE": lambda: ch(["500", "800", "600", "300"]) + dig(17),
    "DK": lambda: ch(["3000", "2000", "9570", "1551"]) + dig(10),
    "NO": lambda: ch(["8601", "1503", "9710"]) + dig(7),
    "FI": lambda: ch(["123456", "800014", "400000", "570000"]) + dig(8),
    "CZ": lambda: ch(["0800", "0100", "2010", "0300"]) + dig(16),
    "TR": lambda: ch(["00010", "00062", "00046", "00012"]) + "0" + dig(16),
    "GB": lambda: ch(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + dig(6) + dig(8),
    "IE": lambda: ch(["AIBK", "BOFI", "IPBS"]) + dig(6) + dig(8),
    "LU": lambda: ch(["001", "002", "019"]) + dig(13),
    "BR": lambda: dig(8) + dig(5) + dig(10) + "C" + ch("12"),
    "SA": lambda: ch(["80", "10", "20"]) + dig(18),
    "AE": lambda: ch(["033", "026", "035"]) + dig(16),
    "GR": lambda: ch(["0110125", "0172010", "0260253"]) + dig(16),
    "HU": lambda: dig(24),
    "RO": lambda: ch(["RNCB", "BTRL", "INGB"]) + dig(16),
    "HR": lambda: dig(17),
    "SI": lambda: dig(15),
    "SK": lambda: ch(["0200", "1100", "0900"]) + dig(16),
    "LT": lambda: dig(16),
    "EE": lambda: dig(16),
    "IS": lambda: dig(22),
    "LI": lambda: ch(["08810"]) + dig(12),
    "BG": lambda: ch(["BNBG", "UNCR", "STSA"]) + dig(6) + dig(8),
}


def iban_value(cc, compact=None):
    s = iban_make(cc, IBAN_BBAN[cc]())
    assert iban_valid(s), s
    if compact is None:
        compact = R.random() < 0.3
    return s if compact else group4(s)


def iban_bad(cc):
    """IBAN-shaped string with wrong check digits."""
    good = iban_make(cc, IBAN_BBAN[cc]())
    while True:
        cand = good[:2] + f"{R.randint(2, 98):02d}" + good[4:]
        if not iban_valid(cand):
            return group4(cand) if R.random() < 0.7 else cand


def ssn_valid(s):
    m = re.fullmatch(r"(\d{3})[- ]?(\d{2})[- ]?(\d{4})", ascii_digits(s))
    return bool(m) and ssn_valid_parts(*m.groups())


def ssn_raw():
    while True:
        a = R.randint(1, 899)
        if a != 666:
            return f"{a:03d}", f"{R.randint(1, 99):02d}", f"{R.randint(1, 9999):04d}"


def ssn_value(style=None):
    a, g, n = ssn_raw()
    style = style or ch(["-", "-", "-", " "])
    return f"{a}{style}{g}{style}{n}" if style != "" else f"{a}{g}{n}"


def ssn_invalid():
    kind = R.randrange(5)
    a, g, n = ssn_raw()
    if kind == 0:
        a = "000"
    elif kind == 1:
        a = "666"
    elif kind == 2:
        a = str(R.randint(900, 999))
    elif kind == 3:
        g = "00"
    else:
        n = "0000"
    return f"{a}-{g}-{n}"


def mbi():
    an = MBI_ALPHA + "0123456789"
    return (str(R.randint(1, 9)) + ch(MBI_ALPHA) + ch(an) + dig(1) + ch(MBI_ALPHA) + ch(an)
            + dig(1) + ch(MBI_ALPHA) + ch(MBI_ALPHA) + dig(2))



def nhs_number():
    while True:
        d = [R.randint(4, 7)] + [R.randint(0, 9) for _ in range(8)]
        c = nhs_check(d)
        if c is None:
            continue
        s = "".join(map(str, d)) + str(c)
        return ch([f"{s[:3]} {s[3:6]} {s[6:]}", f"{s[:3]} {s[3:6]} {s[6:]}", s])


def nhs_ok(s):
    return validators.nhs_ok(re.sub(r"\D", "", s))


def kvnr():
    letter = ch("ABCDEFGHIJKLMNOPRSTUVWXYZ")
    body = dig(8)
    return f"{letter}{body}{kvnr_check(letter, body)}"


def nir():
    sex = ch("12")
    yy, mm = f"{R.randint(40, 99):02d}", f"{R.randint(1, 12):02d}"
    dept = f"{ch([1, 6, 13, 31, 33, 35, 44, 59, 67, 69, 75, 92, 93, 94]):02d}"
    commune, order = f"{R.randint(1, 999):03d}", f"{R.randint(1, 999):03d}"
    base = sex + yy + mm + dept + commune + order
    full = base + f"{nir_key(base):02d}"
    if R.random() < 0.6:
        return f"{full[0]} {full[1:3]} {full[3:5]} {full[5:7]} {full[7:10]} {full[10:13]} {full[13:]}"
    return full


def au_medicare():
    d = [R.randint(2, 6)] + [R.randint(0, 9) for _ in range(7)]
    s = "".join(map(str, d)) + str(au_medicare_check(d)) + str(R.randint(1, 9))
    return ch([f"{s[:4]} {s[4:9]} {s[9]}", s])


def member_id():
    k = R.randrange(7)
    if k == 0:
        return upper(3) + dig(9)
    if k == 1:
        return "W" + dig(9)
    if k == 2:
        return "U" + dig(8) + "01"
    if k == 3:
        return upper(2) + dig(5) + upper(1)
    if k == 4:
        return ndig(3) + "-" + dig(3) + "-" + dig(3)
    if k == 5:
        return upper(1) + dig(2) + upper(1) + dig(6)
    return dig(11)


def mrn():
    k = R.randrange(8)
    if k == 0:
        return "00" + dig(6)
    if k == 1:
        return "E" + dig(7)
    if k == 2:
        return f"{R.randint(10, 99)}-{dig(6)}"
    if k == 3:
        return "H" + dig(6)
    if k == 4:
        return f"{R.randint(2015, 2024)}-{dig(5)}"
    if k == 5:
        return ndig(7)
    if k == 6:
        return upper(2) + dig(7)
    return ndig(9)


def npi():
    """Luhn-valid NPI (a provider ID, used as a negative)."""
    body = ch("12") + dig(8)
    return body + npi_check_digit(body)


def isbn13():
    body = ch(["978", "979"]) + dig(9)
    full = body + str(isbn13_check(body))
    return f"{full[:3]}-{full[3]}-{full[4:7]}-{full[7:12]}-{full[12]}"


# ---------------------------------------------------------------------------
# cards
# ---------------------------------------------------------------------------

CARD_BRANDS = [
    ("Visa", ["4"], 16, (4, 4, 4, 4)),
    ("Visa", ["4"], 16, (4, 4, 4, 4)),
    ("Mastercard", ["51", "52", "53", "54", "55", "2221", "2389", "2720"], 16, (4, 4, 4, 4)),
    ("American Express", ["34", "37"], 15, (4, 6, 5)),
    ("Discover", ["6011", "644", "65"], 16, (4, 4, 4, 4)),
    ("JCB", ["3528", "3566", "3589"], 16, (4, 4, 4, 4)),
    ("Diners Club", ["36", "38"], 14, (4, 6, 4)),
    ("UnionPay", ["62"], 19, (6, 13)),
    ("Maestro", ["6759", "5018", "6304"], 18, (4, 4, 4, 4, 2)),
    ("Visa", ["4"], 13, (4, 4, 5)),
]


def card(brand=None, sep=None, compact_ok=True):
    opts = [b for b in CARD_BRANDS if brand is None or b[0] == brand]
    name, prefixes, length, sizes = ch(opts)
    p = ch(prefixes)
    digits = luhn_complete(p + dig(length - len(p) - 1))
    if sep is None:
        sep = ch([" ", " ", "-", ""] if compact_ok else [" ", "-"])
    return (digits if sep == "" else group(digits, sizes, sep)), name, digits


def card_value(brand=None, sep=None):
    return card(brand, sep)[0]


def card_bad(sep=" "):
    _, _, digits = card()
    bad = luhn_break(digits)
    sizes = {15: (4, 6, 5), 14: (4, 6, 4), 13: (4, 4, 5), 19: (6, 13)}.get(len(bad), (4,) * 5)
    return bad if sep == "" else group(bad, sizes, sep)


# ---------------------------------------------------------------------------
# people, e-mail, URLs
# ---------------------------------------------------------------------------

REGIONS = {
    "en": (["Jennifer", "Michael", "Sarah", "David", "Emily", "Daniel", "Rebecca", "Olivia", "Ethan", "Hannah", "Brandon", "Maria"],
           ["Thompson", "Robinson", "Johnson", "Harris", "Clarke", "Jackson", "Mitchell"]),
    "ie": (["Siobhan", "Niamh", "Ciarán"], ["Murphy", "Gallagher"]),
    "de": (["Jürgen", "Katrin", "Sabine", "Lukas", "Annika", "Wolfgang", "Maria"],
           ["Schmidt", "Müller", "Wagner", "Becker", "Hoffmann", "Schäfer", "Zimmermann"]),
    "fr": (["Mathieu", "Étienne", "Chloé", "Léa", "Benoît"], ["Dubois", "Moreau", "Lefebvre", "Fournier", "Rousseau"]),
    "es": (["Alejandro", "Lucía", "Sofía", "Mateo", "Javier", "Maria"],
           ["García", "Rodríguez", "Fernández", "López", "Martínez", "Sánchez", "Pérez"]),
    "it": (["Giulia", "Francesca", "Alessandro", "Chiara", "Maria"], ["Rossi", "Esposito", "Bianchi", "Ricci", "Moretti"]),
    "pl": (["Agnieszka", "Krzysztof", "Małgorzata", "Piotr"], ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Lewandowski", "Zielińska"]),
    "nl": (["Sanne", "Daan", "Femke"], ["Jansen", "Bakker", "Visser", "Smit", "Meijer", "Dekker"]),
    "af": (["Oluwaseun", "Chukwuemeka", "Ngozi", "Kwame", "Abena", "Wanjiru", "Thabo"],
           ["Okafor", "Adebayo", "Mensah", "Otieno", "Mwangi", "Nkosi"]),
    "ar": (["Mohammed", "Fatima", "Youssef", "Layla"], ["Haddad", "Nasser", "Mansour", "Khoury"]),
    "tr": (["Mehmet", "Ayşe", "Elif"], ["Yılmaz", "Kaya", "Demir", "Şahin"]),
    "in": (["Priya", "Arjun", "Ananya", "Rahul"], ["Patel", "Sharma", "Singh", "Gupta", "Iyer", "Reddy", "Kumar"]),
    "jp": (["Hiroshi", "Yuki"], ["Tanaka", "Takahashi", "Yamamoto", "Sato"]),
    "cn": (["Wei"], ["Wang", "Zhang", "Chen", "Liu", "Huang"]),
    "vn": (["Minh"], ["Nguyen", "Tran", "Pham"]),
    "kr": (["Daniel", "Sarah", "Michael", "Rebecca"], ["Kim", "Choi"]),
    "nordic": (["Ingrid", "Lars", "Astrid", "Henrik"], ["Johansson", "Andersson", "Lindqvist", "Hansen", "Jørgensen"]),
    "slav": (["Dmitri", "Olena", "Svetlana"], ["Ivanov", "Petrova", "Shevchenko", "Kovalenko"]),
    "gr": (["Eleni"], ["Papadopoulos", "Nikolaou"]),
}
FEMALE_ONLY = {"Zielińska": ["Agnieszka", "Małgorzata"], "Petrova": ["Olena", "Svetlana"],
               "Kowalski": ["Krzysztof", "Piotr"], "Wiśniewski": ["Krzysztof", "Piotr"],
               "Lewandowski": ["Krzysztof", "Piotr"], "Ivanov": ["Dmitri"]}

DOMAINS = {
    "en": ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "comcast.net", "mercyvalleyhealth.org", "brightlinebank.com"],
    "ie": ["eircom.net", "gmail.com", "stbrendans-hospital.ie"],
    "de": ["web.de", "gmx.de", "t-online.de", "posteo.de", "klinikum-nordstadt.de", "praxis-am-markt.de"],
    "fr": ["orange.fr", "free.fr", "laposte.net", "chu-villeneuve.fr", "wanadoo.fr"],
    "es": ["gmail.com", "telefonica.net", "hospital-levante.es", "yahoo.es"],
    "it": ["libero.it", "virgilio.it", "asl-sudest.it", "tiscali.it"],
    "pl": ["wp.pl", "onet.pl", "interia.pl", "szpital-praski.pl"],
    "nl": ["ziggo.nl", "kpnmail.nl", "xs4all.nl", "ziekenhuis-oost.nl"],
    "af": ["gmail.com", "yahoo.co.uk", "nairobi-clinic.co.ke"],
    "ar": ["gmail.com", "hotmail.com", "alnoor-medical.ae"],
    "tr": ["gmail.com", "hotmail.com.tr", "yandex.com.tr"],
    "in": ["gmail.com", "rediffmail.com", "apollo-care.in"],
    "jp": ["yahoo.co.jp", "docomo.ne.jp", "gmail.com"],
    "cn": ["163.com", "qq.com", "gmail.com"],
    "vn": ["gmail.com", "outlook.com"],
    "kr": ["gmail.com", "naver.com"],
    "nordic": ["telia.se", "live.se", "hotmail.no", "gmail.com", "mail.dk"],
    "slav": ["ukr.net", "gmail.com", "seznam.cz"],
    "gr": ["gmail.com", "otenet.gr"],
}


FEMALE = {"Maria", "Jennifer", "Sarah", "Emily", "Rebecca", "Olivia", "Hannah", "Katrin", "Sabine", "Annika", "Chloé", "Léa",
          "Lucía", "Sofía", "Giulia", "Francesca", "Chiara", "Agnieszka", "Małgorzata", "Sanne", "Femke", "Ngozi", "Abena",
          "Wanjiru", "Fatima", "Layla", "Ayşe", "Elif", "Priya", "Ananya", "Yuki", "Ingrid", "Astrid", "Olena", "Svetlana",
          "Eleni", "Siobhan", "Niamh"}
TITLES = {"en": ("Mr", "Mrs"), "en2": ("Mr", "Ms"), "de": ("Herrn", "Frau"), "fr": ("M.", "Mme"), "es": ("D.", "Dña."),
          "it": ("Sig.", "Sig.ra"), "nl": ("dhr.", "mevr."), "pl": ("Pan", "Pani")}


class Person:
    def __init__(self, reg=None):
        self.reg = reg or ch(list(REGIONS))
        given, family = REGIONS[self.reg]
        self.family = ch(family)
        self.given = ch(FEMALE_ONLY.get(self.family, given))
        self.fem = self.given in FEMALE

    def t(self, lang):
        return TITLES[lang][1 if self.fem else 0]

    def gx(self, male, female):
        return female if self.fem else male

    def full(self):
        return M("name", f"{self.given} {self.family}")

    def g(self):
        return M("name", self.given)

    def f(self):
        return M("name", self.family)

    def inv(self):
        return f"{M('name', self.family)}, {M('name', self.given)}"

    def upper_inv(self):
        # e.g. "MÜLLER, Sabine" is NOT dictionary capitalisation; we avoid it and use inv()
        return self.inv()

    def local(self):
        a, b = fold(self.given).lower(), fold(self.family).lower()
        return ch([f"{a}.{b}", f"{a[0]}.{b}", f"{a[0]}{b}", f"{b}.{a}", f"{a}.{b}{R.randint(1, 99)}",
                   f"{a}_{b}", f"{b}{a[0]}"])

    def email(self, domain=None):
        return M("email", f"{self.local()}@{domain or ch(DOMAINS[self.reg])}")


def role_email(domain):
    return M("email", f"{ch(['billing', 'claims', 'hr', 'payroll', 'records', 'privacy', 'support', 'referrals', 'noreply', 'service', 'kontakt', 'facturation', 'admision', 'segreteria', 'zorgadministratie', 'rejestracja', 'kundservice'])}@{domain}")


def url_value(host, path=None):
    bare = host.count(".") == 1          # no subdomain yet: a "www." form is plausible
    scheme = ch(["https://", "https://", "https://", "http://", "www."] if bare else ["https://", "https://", "http://"])
    if scheme == "www.":
        base = "www." + host
    else:
        base = scheme + (ch(["", "www."]) if bare else "") + host
    if path is None:
        path = ch(["", "/", "/login", "/portal/results", "/claims/status?ref=" + upper(2) + dig(6),
                   "/de/termine", "/fr/espace-patient", "/patients/forms/intake.pdf", "/s/" + upper(4).lower() + dig(3),
                   "/account/verify?token=" + upper(10).lower(), "/es/cita-previa#horarios"])
    return base + path


# ---------------------------------------------------------------------------
# phones
# ---------------------------------------------------------------------------

US_AREAS = ["212", "312", "415", "617", "713", "206", "303", "404", "503", "612", "614", "615", "410", "602", "919", "860"]
CA_AREAS = ["416", "604", "514", "403", "613", "902"]


def phone(cc):
    if cc in ("US", "CA"):
        a = ch(US_AREAS if cc == "US" else CA_AREAS)
        ex, ln = str(R.randint(201, 989)), dig(4)
        return ch([f"({a}) {ex}-{ln}", f"{a}-{ex}-{ln}", f"{a}.{ex}.{ln}", f"+1 {a} {ex} {ln}",
                   f"+1-{a}-{ex}-{ln}", f"+1{a}{ex}{ln}", f"1-{a}-{ex}-{ln}", f"+1 ({a}) {ex}-{ln}"])
    if cc == "GB":
        k = R.randrange(6)
        if k == 0:
            return f"020 {ch('378')}{dig(3)} {dig(4)}"
        if k == 1:
            return f"+44 20 {ch('378')}{dig(3)} {dig(4)}"
        if k == 2:
            return f"+44 (0)161 {ndig(3)} {dig(4)}"
        if k == 3:
            return f"07{ch('4579')}{dig(2)} {dig(6)}"
        if k == 4:
            return f"+44 7{ch('4579')}{dig(2)} {dig(6)}"
        return f"0113 {ndig(3)} {dig(4)}"
    if cc == "IE":
        return ch([f"+353 1 {ndig(3)} {dig(4)}", f"(01) {ndig(3)} {dig(4)}", f"08{ch('5679')} {ndig(3)} {dig(4)}",
                   f"+353 8{ch('5679')} {ndig(3)} {dig(4)}", f"021 {ndig(3)} {dig(4)}"])
    if cc == "DE":
        city = ch(["30", "40", "89", "221", "69", "711", "341", "351"])
        return ch([f"0{city} {ndig(7 if len(city) == 2 else 6)}", f"+49 {city} {ndig(7 if len(city) == 2 else 6)}",
                   f"+49 (0){city} {ndig(4)} {dig(3)}", f"015{ch('1279')} {ndig(8)}", f"+49 17{ch('0123456')} {ndig(7)}",
                   f"0{city}/{ndig(6)}-{dig(2)}", f"+49{city}{ndig(7)}"])
    if cc == "AT":
        return ch([f"+43 1 {ndig(4)}{dig(2)}", f"01 {ndig(3)} {dig(4)}", f"+43 664 {ndig(7)}", f"0664 {ndig(3)} {dig(4)}"])
    if cc == "CH":
        return ch([f"+41 44 {ndig(3)} {dig(2)} {dig(2)}", f"044 {ndig(3)} {dig(2)} {dig(2)}", f"+41 79 {ndig(3)} {dig(2)} {dig(2)}",
                   f"031 {ndig(3)} {dig(2)} {dig(2)}"])
    if cc == "FR":
        p = ch(["1", "2", "3", "4", "5", "6", "7", "9"])
        g = lambda: " ".join(dig(2) for _ in range(4))  # noqa: E731
        return ch([f"0{p} {g()}", f"+33 {p} {g()}", f"+33 (0){p} {g()}", f"0{p}.{g().replace(' ', '.')}",
                   f"0{p}{g().replace(' ', '')}"])
    if cc == "BE":
        return ch([f"+32 2 {ndig(3)} {dig(2)} {dig(2)}", f"02 {ndig(3)} {dig(2)} {dig(2)}", f"0475 {dig(2)} {dig(2)} {dig(2)}"])
    if cc == "NL":
        return ch([f"020-{ndig(7)}", f"+31 20 {ndig(3)} {dig(4)}", f"06-{ndig(8)}", f"+31 6 {ndig(8)}", f"010 {ndig(3)} {dig(4)}",
                   f"+31 (0)30 {ndig(3)} {dig(4)}"])
    if cc == "ES":
        return ch([f"9{ch('1135')}{dig(1)} {dig(3)} {dig(3)}", f"+34 9{ch('1135')}{dig(1)} {dig(3)} {dig(3)}",
                   f"6{dig(2)} {dig(3)} {dig(3)}", f"+34 6{dig(2)} {dig(2)} {dig(2)} {dig(2)}", f"+34 6{dig(8)}"])
    if cc == "IT":
        return ch([f"06 {ndig(4)} {dig(4)}", f"+39 02 {ndig(4)} {dig(4)}", f"+39 3{ch('2345')}{dig(1)} {dig(3)} {dig(4)}",
                   f"3{ch('2345')}{dig(1)} {dig(7)}", f"011 {ndig(3)} {dig(4)}"])
    if cc == "PL":
        return ch([f"22 {ndig(3)} {dig(2)} {dig(2)}", f"+48 22 {ndig(3)} {dig(2)} {dig(2)}", f"+48 {ch('5678')}{dig(2)} {dig(3)} {dig(3)}",
                   f"{ch('5678')}{dig(2)}-{dig(3)}-{dig(3)}", f"(12) {ndig(3)} {dig(2)} {dig(2)}"])
    if cc == "PT":
        return ch([f"+351 21 {ndig(3)} {dig(4)}", f"21 {ndig(3)} {dig(4)}", f"+351 9{ch('1236')}{dig(1)} {dig(3)} {dig(3)}",
                   f"9{ch('1236')}{dig(1)} {dig(3)} {dig(3)}"])
    if cc == "SE":
        return ch([f"08-{ndig(3)} {dig(3)} {dig(2)}", f"+46 8 {ndig(3)} {dig(3)} {dig(2)}", f"070-{ndig(3)} {dig(2)} {dig(2)}",
                   f"+46 70 {ndig(3)} {dig(2)} {dig(2)}", f"031-{ndig(2)} {dig(2)} {dig(2)}"])
    if cc == "DK":
        return ch([f"+45 {ndig(2)} {dig(2)} {dig(2)} {dig(2)}", f"{ch('2345')}{dig(1)} {dig(2)} {dig(2)} {dig(2)}", f"+45{ndig(8)}"])
    if cc == "NO":
        return ch([f"+47 22 {dig(2)} {dig(2)} {dig(2)}", f"{ch('49')}{dig(2)} {dig(2)} {dig(3)}", f"+47 {ch('49')}{dig(2)} {dig(2)} {dig(3)}"])
    if cc == "FI":
        return ch([f"+358 9 {ndig(4)} {dig(4)}", f"040 {ndig(3)} {dig(4)}", f"+358 40 {ndig(3)} {dig(4)}", f"(09) {ndig(3)} {dig(4)}",
                   f"050-{ndig(3)} {dig(4)}"])
    if cc == "CZ":
        return ch([f"+420 {ch('67')}{dig(2)} {dig(3)} {dig(3)}", f"{ch('67')}{dig(2)} {dig(3)} {dig(3)}", f"+420 2{dig(2)} {dig(3)} {dig(3)}"])
    if cc == "TR":
        return ch([f"+90 212 {ndig(3)} {dig(2)} {dig(2)}", f"0532 {ndig(3)} {dig(2)} {dig(2)}", f"0 (5{ch('0345')}{dig(1)}) {ndig(3)} {dig(2)} {dig(2)}",
                   f"+90 5{ch('0345')}{dig(1)} {ndig(3)} {dig(4)}", f"(0312) {ndig(3)} {dig(2)} {dig(2)}"])
    if cc == "BR":
        ddd = ch(["11", "21", "31", "41", "51", "61", "71", "81"])
        return ch([f"+55 {ddd} 9{dig(4)}-{dig(4)}", f"({ddd}) 9{dig(4)}-{dig(4)}", f"({ddd}) {ch('2345')}{dig(3)}-{dig(4)}",
                   f"+55 ({ddd}) 9{dig(4)}-{dig(4)}"])
    if cc == "IN":
        return ch([f"+91 9{dig(4)} {dig(5)}", f"+91-9{dig(9)}", f"09{dig(4)} {dig(5)}", f"022 {ndig(4)} {dig(4)}",
                   f"+91 80 {ndig(4)} {dig(4)}", f"9{dig(4)}-{dig(5)}"])
    if cc == "JP":
        return ch([f"03-{ndig(4)}-{dig(4)}", f"+81 3-{ndig(4)}-{dig(4)}", f"090-{ndig(4)}-{dig(4)}", f"+81 90-{ndig(4)}-{dig(4)}",
                   f"06-{ndig(4)}-{dig(4)}", f"(03) {ndig(4)}-{dig(4)}"])
    if cc == "CN":
        return ch([f"+86 13{dig(1)} {dig(4)} {dig(4)}", f"13{dig(1)}-{dig(4)}-{dig(4)}", f"010-{ndig(4)} {dig(4)}", f"+86 21 {ndig(4)} {dig(4)}"])
    if cc == "AU":
        return ch([f"(02) {ndig(4)} {dig(4)}", f"+61 2 {ndig(4)} {dig(4)}", f"04{dig(2)} {dig(3)} {dig(3)}", f"+61 4{dig(2)} {dig(3)} {dig(3)}",
                   f"(03) {ndig(4)} {dig(4)}", f"1300 {ndig(3)} {dig(3)}"])
    if cc == "AE":
        return ch([f"+971 4 {ndig(3)} {dig(4)}", f"+971 5{ch('02568')} {ndig(3)} {dig(4)}", f"04 {ndig(3)} {dig(4)}"])
    if cc == "SA":
        return f"+966 5{dig(1)} {ndig(3)} {dig(4)}"
    if cc == "NG":
        return ch([f"+234 80{dig(1)} {dig(3)} {dig(4)}", f"080{dig(1)} {dig(3)} {dig(4)}"])
    if cc == "KE":
        return ch([f"+254 7{dig(2)} {dig(3)} {dig(3)}", f"07{dig(2)} {dig(3)} {dig(3)}"])
    raise KeyError(cc)


def P(cc):
    return M("phone", phone(cc))


# ---------------------------------------------------------------------------
# IP addresses
# ---------------------------------------------------------------------------

def ipv4(kind=None):
    kind = kind or ch(["priv10", "priv192", "priv172", "public", "public", "doc"])
    if kind == "priv10":
        return f"10.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"
    if kind == "priv192":
        return f"192.168.{R.randint(0, 255)}.{R.randint(1, 254)}"
    if kind == "priv172":
        return f"172.{R.randint(16, 31)}.{R.randint(0, 255)}.{R.randint(1, 254)}"
    if kind == "doc":
        return ch(["192.0.2.", "198.51.100.", "203.0.113."]) + str(R.randint(1, 254))
    return f"{ch([31, 46, 62, 77, 81, 85, 89, 91, 94, 109, 151, 178, 185, 188, 212, 213, 217])}.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"


def ipv6():
    k = R.randrange(5)
    h = lambda: f"{R.randint(0, 0xffff):x}"  # noqa: E731
    if k == 0:
        return f"2001:db8:{h()}:{h()}::{h()}"
    if k == 1:
        return f"fe80::{h()}:{h()}:{h()}:{h()}"
    if k == 2:
        return "2001:0db8:" + ":".join(f"{R.randint(0, 0xffff):04x}" for _ in range(6))
    if k == 3:
        return f"2a02:{ch(['8108', '810d', '2f0e', '1811'])}:{h()}:{h()}::{h()}"
    return f"2001:db8::{h()}"


def IP(v=None):
    return M("ip_address", v or (ipv4() if R.random() < 0.7 else ipv6()))


# ---------------------------------------------------------------------------
# dates
# ---------------------------------------------------------------------------

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
    "pl": ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"],
    "sv": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"],
    "da": ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"],
    "no": ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"],
    "fi": ["tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta", "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"],
    "cs": ["ledna", "února", "března", "dubna", "května", "června", "července", "srpna", "září", "října", "listopadu", "prosince"],
    "tr": ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"],
}
EN_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def rdate(y0, y1):
    start = dt.date(y0, 1, 1).toordinal()
    end = dt.date(y1, 12, 31).toordinal()
    return dt.date.fromordinal(R.randint(start, end))


def birth(kind="any"):
    return {"any": lambda: rdate(1931, 2009), "adult": lambda: rdate(1950, 2003), "child": lambda: rdate(2008, 2023),
            "senior": lambda: rdate(1932, 1959)}[kind]()


def recent():
    return rdate(2022, 2025)


def fmt(d, lang):
    """A date written the way `lang` usually writes it."""
    y, m, dd = d.year, d.month, d.day
    if lang == "us":
        return ch([f"{m:02d}/{dd:02d}/{y}", f"{m}/{dd}/{y}", f"{MONTHS['en'][m - 1]} {dd}, {y}", f"{y}-{m:02d}-{dd:02d}",
                   f"{EN_ABBR[m - 1]} {dd}, {y}"])
    if lang == "en":
        return ch([f"{dd:02d}/{m:02d}/{y}", f"{dd} {MONTHS['en'][m - 1]} {y}", f"{dd:02d}-{EN_ABBR[m - 1]}-{y}", f"{dd} {EN_ABBR[m - 1]} {y}"])
    if lang == "de":
        return ch([f"{dd:02d}.{m:02d}.{y}", f"{dd}.{m}.{y}", f"{dd}. {MONTHS['de'][m - 1]} {y}"])
    if lang in ("fr", "es", "pt", "it"):
        word = MONTHS[lang][m - 1]
        long = {"fr": f"{dd} {word} {y}", "es": f"{dd} de {word} de {y}", "pt": f"{dd} de {word} de {y}", "it": f"{dd} {word} {y}"}[lang]
        return ch([f"{dd:02d}/{m:02d}/{y}", long, f"{dd:02d}/{m:02d}/{y}"])
    if lang == "nl":
        return ch([f"{dd:02d}-{m:02d}-{y}", f"{dd} {MONTHS['nl'][m - 1]} {y}", f"{dd:02d}-{m:02d}-{y}"])
    if lang == "pl":
        return ch([f"{dd:02d}.{m:02d}.{y}", f"{dd} {MONTHS['pl'][m - 1]} {y}", f"{dd:02d}.{m:02d}.{y}"])
    if lang in ("sv",):
        return ch([f"{y}-{m:02d}-{dd:02d}", f"{dd} {MONTHS['sv'][m - 1]} {y}"])
    if lang in ("da", "no"):
        return ch([f"{dd:02d}.{m:02d}.{y}", f"{dd}. {MONTHS[lang][m - 1]} {y}", f"{dd:02d}-{m:02d}-{y}"])
    if lang == "fi":
        return ch([f"{dd}.{m}.{y}", f"{dd}. {MONTHS['fi'][m - 1]} {y}"])
    if lang == "cs":
        return ch([f"{dd}. {m}. {y}", f"{dd}. {MONTHS['cs'][m - 1]} {y}", f"{dd:02d}.{m:02d}.{y}"])
    if lang == "tr":
        return ch([f"{dd:02d}.{m:02d}.{y}", f"{dd} {MONTHS['tr'][m - 1]} {y}"])
    if lang in ("ja", "zh"):
        return f"{y}年{m}月{dd}日"
    if lang == "iso":
        return f"{y}-{m:02d}-{dd:02d}"
    raise KeyError(lang)


def DOB(lang, kind="any"):
    return M("date_of_birth", fmt(birth(kind), lang))


def dob_iso(kind="any"):
    return M("date_of_birth", fmt(birth(kind), "iso"))


def fmt_range(lang, lo=1, hi=30, start=None):
    """Two dates in the same style, the second lo..hi days after the first."""
    d1 = start or recent()
    d2 = d1 + dt.timedelta(days=R.randint(lo, hi))
    state = R.getstate()
    a = fmt(d1, lang)
    R.setstate(state)
    b = fmt(d2, lang)
    return a, b


# ---------------------------------------------------------------------------
# postal addresses (value marked, rest of the address plain)
# ---------------------------------------------------------------------------

US_CITIES = [("Boston", "MA", "021"), ("Chicago", "IL", "606"), ("Houston", "TX", "770"), ("Seattle", "WA", "981"),
             ("Denver", "CO", "802"), ("Atlanta", "GA", "303"), ("Phoenix", "AZ", "850"), ("Minneapolis", "MN", "554"),
             ("Columbus", "OH", "432"), ("Portland", "OR", "972"), ("Nashville", "TN", "372"), ("Baltimore", "MD", "212"),
             ("Raleigh", "NC", "276"), ("Hartford", "CT", "061"), ("Brooklyn", "NY", "112")]
US_STREETS = ["Maple Ave", "Elm Street", "Oak Ridge Rd", "Commonwealth Ave", "Peachtree St NE", "Lake Shore Dr", "Market St",
              "Pine St", "Cedar Ln", "Riverside Dr", "Hillcrest Blvd", "Walnut St", "Birchwood Ct", "Sunset Blvd", "Harbor View Rd"]
UK_PLACES = [("London", ["SW1A", "W1G", "EC1A", "NW3", "SE1", "E14", "N19"]), ("Manchester", ["M13", "M1", "M20"]),
             ("Birmingham", ["B15", "B4"]), ("Leeds", ["LS1", "LS9"]), ("Glasgow", ["G12", "G3"]), ("Edinburgh", ["EH3", "EH16"]),
             ("Cardiff", ["CF10", "CF14"]), ("Bristol", ["BS8", "BS2"]), ("Belfast", ["BT9", "BT7"])]
UK_STREETS = ["Harley Street", "Oxford Road", "Wilmslow Road", "Queen Street", "Park Lane", "Station Road", "Victoria Road",
              "Church Lane", "The Crescent", "Mill Road"]


def uk_postcode(outward=None):
    outward = outward or ch(ch(UK_PLACES)[1])
    return f"{outward} {R.randint(0, 9)}{upper(2, 'ABDEFGHJLNPQRSTUWXYZ')}"


EIRCODE_ROUTES = [("Dublin 2", "D02"), ("Dublin 4", "D04"), ("Dublin 8", "D08"), ("Cork", "T12"), ("Galway", "H91"),
                  ("Limerick", "V94"), ("Waterford", "X91"), ("Dublin 6W", "D6W")]


def eircode(route):
    return route + " " + ch("ACDEFHKNPRTVWXY") + dig(2) + "".join(ch("0123456789ACDEFHKNPRTVWXY") for _ in range(1))


def address(cc, one_line=True):
    """Return a postal address string with the postal code marked."""
    if cc == "US":
        city, st, pre = ch(US_CITIES)
        z = pre + dig(2)
        if R.random() < 0.3:
            z += "-" + dig(4)
        unit = ch(["", f", Apt {R.randint(1, 40)}{ch('ABCD')}", f", Suite {R.randint(100, 950)}", ""])
        return f"{R.randint(10, 12999)} {ch(US_STREETS)}{unit}, {city}, {st} {M('postal_code', z)}"
    if cc == "CA":
        city, prov, first = ch([("Toronto", "ON", "M"), ("Vancouver", "BC", "V"), ("Montréal", "QC", "H"), ("Calgary", "AB", "T"),
                                ("Ottawa", "ON", "K"), ("Halifax", "NS", "B")])
        pc = f"{first}{R.randint(1, 9)}{ch('ABCEGHJKLMNPRSTVWXYZ')} {R.randint(0, 9)}{ch('ABCEGHJKLMNPRSTVWXYZ')}{R.randint(0, 9)}"
        return f"{R.randint(10, 2999)} {ch(['Bloor St W', 'Granville St', 'rue Sherbrooke Ouest', '17 Ave SW', 'Bank St', 'Spring Garden Rd'])}, {city} {prov} {M('postal_code', pc)}"
    if cc == "GB":
        city, outs = ch(UK_PLACES)
        flat = ch(["", f"Flat {R.randint(1, 30)}, ", ""])
        return f"{flat}{R.randint(1, 220)} {ch(UK_STREETS)}, {city} {M('postal_code', uk_postcode(ch(outs)))}"
    if cc == "IE":
        area, route = ch(EIRCODE_ROUTES)
        return f"{R.randint(1, 99)} {ch(['Merrion Square', 'Grand Parade', 'Eyre Square', 'O’Connell Street Upper', 'Ranelagh Road', 'The Quay'])}, {area}, {M('postal_code', eircode(route))}"
    if cc == "DE":
        city, pre = ch([("Berlin", "10"), ("Hamburg", "20"), ("München", "80"), ("Köln", "50"), ("Frankfurt am Main", "60"),
                        ("Stuttgart", "70"), ("Leipzig", "04"), ("Dresden", "01"), ("Hannover", "30"), ("Freiburg", "79")])
        return f"{ch(['Hauptstraße', 'Bahnhofstraße', 'Lindenallee', 'Am Stadtpark', 'Schillerstraße', 'Goethestraße', 'Gartenweg'])} {R.randint(1, 140)}{ch(['', '', 'a', 'b'])}, {M('postal_code', pre + dig(3))} {city}"
    if cc == "AT":
        city, code = ch([("Wien", f"1{R.randint(1, 23):02d}0"), ("Graz", f"80{R.randint(10, 63)}"), ("Linz", f"40{R.randint(10, 40)}"),
                         ("Salzburg", f"50{R.randint(20, 63)}"), ("Innsbruck", f"60{R.randint(10, 80)}")])
        return f"{ch(['Währinger Gürtel', 'Mariahilfer Straße', 'Landstraße', 'Herrengasse'])} {R.randint(1, 90)}, {M('postal_code', code)} {city}"
    if cc == "CH":
        city, pre = ch([("Zürich", "80"), ("Bern", "30"), ("Basel", "40"), ("Genève", "12"), ("Lausanne", "10"), ("Luzern", "60")])
        pfx = ch(["CH-", ""])
        return f"{ch(['Rämistrasse', 'Bahnhofplatz', 'Rue du Rhône', 'Spitalstrasse', 'Avenue de la Gare'])} {R.randint(1, 120)}, {pfx}{M('postal_code', pre + dig(2))} {city}"
    if cc == "FR":
        city, pre = ch([("Paris", "750"), ("Lyon", "6900"), ("Marseille", "130"), ("Toulouse", "310"), ("Bordeaux", "330"),
                        ("Lille", "590"), ("Nantes", "440"), ("Strasbourg", "670"), ("Rennes", "350")])
        code = pre + dig(5 - len(pre))
        return f"{R.randint(1, 180)} {ch(['rue de la République', 'avenue Jean Jaurès', 'boulevard Voltaire', 'rue des Lilas', 'place Bellecour', 'allée des Tilleuls'])}, {M('postal_code', code)} {city}"
    if cc == "BE":
        city, code = ch([("Bruxelles", "1000"), ("Antwerpen", "2018"), ("Gent", "9000"), ("Liège", "4000"), ("Leuven", "3000"), ("Namur", "5000")])
        return f"{ch(['Rue Haute', 'Meir', 'Korenmarkt', 'Boulevard d’Avroy', 'Naamsestraat'])} {R.randint(1, 320)}, {M('postal_code', code)} {city}"
    if cc == "NL":
        city, pre = ch([("Amsterdam", "10"), ("Rotterdam", "30"), ("Utrecht", "35"), ("Den Haag", "25"), ("Eindhoven", "56"), ("Groningen", "97")])
        pc = pre + dig(2) + ch([" ", " ", ""]) + upper(2, "ABCDEGHJKLMNPRSTVWXZ")
        return f"{ch(['Keizersgracht', 'Coolsingel', 'Oudegracht', 'Laan van Meerdervoort', 'Stationsplein', 'Vismarkt'])} {R.randint(1, 400)}, {M('postal_code', pc)} {city}"
    if cc == "ES":
        city, pre = ch([("Madrid", "280"), ("Barcelona", "080"), ("Valencia", "460"), ("Sevilla", "410"), ("Bilbao", "480"), ("Zaragoza", "500")])
        return f"{ch(['Calle de Alcalá', 'Carrer de Balmes', 'Avenida del Puerto', 'Calle Sierpes', 'Gran Vía', 'Paseo de la Independencia'])} {R.randint(1, 210)}, {ch(['', '3º B, ', '1º izda., '])}{M('postal_code', pre + dig(2))} {city}"
    if cc == "IT":
        city, pre, prov = ch([("Roma", "001", "RM"), ("Milano", "201", "MI"), ("Napoli", "801", "NA"), ("Torino", "101", "TO"),
                              ("Bologna", "401", "BO"), ("Firenze", "501", "FI")])
        return f"{ch(['Via del Corso', 'Corso Buenos Aires', 'Via Toledo', 'Via Po', 'Via dell’Indipendenza', 'Viale Europa'])} {R.randint(1, 180)}, {M('postal_code', pre + dig(2))} {city} ({prov})"
    if cc == "PL":
        city, pre = ch([("Warszawa", "0"), ("Kraków", "3"), ("Gdańsk", "8"), ("Wrocław", "5"), ("Poznań", "6"), ("Łódź", "9")])
        code = f"{pre}{R.randint(0, 9)}-{dig(3)}"
        return f"ul. {ch(['Marszałkowska', 'Floriańska', 'Długa', 'Świdnicka', 'Półwiejska', 'Piotrkowska'])} {R.randint(1, 150)}{ch(['', '/' + str(R.randint(1, 60))])}, {M('postal_code', code)} {city}"
    if cc == "PT":
        city, pre = ch([("Lisboa", "1"), ("Porto", "4"), ("Coimbra", "3"), ("Braga", "47"), ("Faro", "80")])
        code = pre + dig(4 - len(pre)) + "-" + dig(3)
        return f"{ch(['Rua Augusta', 'Avenida da Liberdade', 'Rua de Santa Catarina', 'Praça da República'])} {R.randint(1, 250)}, {R.randint(1, 5)}º {ch(['Esq.', 'Dto.'])}, {M('postal_code', code)} {city}"
    if cc == "SE":
        city, pre = ch([("Stockholm", "11"), ("Göteborg", "41"), ("Malmö", "21"), ("Uppsala", "75"), ("Lund", "22")])
        code = f"{pre}{R.randint(1, 9)} {dig(2)}"
        return f"{ch(['Drottninggatan', 'Kungsgatan', 'Storgatan', 'Södra Förstadsgatan', 'Vasagatan'])} {R.randint(1, 90)}, {ch(['', 'SE-'])}{M('postal_code', code)} {city}"
    if cc == "DK":
        city, code = ch([("København N", f"22{R.randint(0, 2)}0"), ("Aarhus C", "8000"), ("Odense C", "5000"), ("Aalborg", "9000"), ("Frederiksberg", "2000")])
        return f"{ch(['Nørrebrogade', 'Vesterbrogade', 'Strøget', 'Søndergade', 'Jernbanegade'])} {R.randint(1, 120)}, {R.randint(1, 4)}. tv., {M('postal_code', code)} {city}"
    if cc == "NO":
        city, code = ch([("Oslo", f"0{R.randint(150, 590)}"), ("Bergen", f"50{R.randint(10, 99)}"), ("Trondheim", f"70{R.randint(10, 99)}"), ("Stavanger", f"40{R.randint(10, 99)}")])
        return f"{ch(['Karl Johans gate', 'Bygdøy allé', 'Torgallmenningen', 'Kongens gate'])} {R.randint(1, 80)}, {M('postal_code', code)} {city}"
    if cc == "FI":
        city, pre = ch([("Helsinki", "00"), ("Tampere", "33"), ("Turku", "20"), ("Oulu", "90"), ("Espoo", "02")])
        return f"{ch(['Mannerheimintie', 'Hämeenkatu', 'Aurakatu', 'Kauppurienkatu', 'Tapiolantie'])} {R.randint(1, 90)} {ch(['A', 'B', 'C'])} {R.randint(1, 40)}, {M('postal_code', pre + dig(1) + str(R.randint(1, 9)) + '0')} {city}"
    if cc == "CZ":
        city, pre = ch([("Praha 1", "110"), ("Praha 2", "120"), ("Brno", "602"), ("Ostrava", "702"), ("Plzeň", "301")])
        return f"{ch(['Vodičkova', 'Karlovo náměstí', 'Masarykova', 'Nádražní', 'Husova'])} {R.randint(1, 60)}, {M('postal_code', pre + ' ' + dig(2))} {city}"
    if cc == "TR":
        city, pre = ch([("Şişli/İstanbul", "343"), ("Kadıköy/İstanbul", "347"), ("Çankaya/Ankara", "066"), ("Konak/İzmir", "352"), ("Nilüfer/Bursa", "160")])
        return f"{ch(['Atatürk Cad.', 'Cumhuriyet Mah.', 'İstiklal Cad.', 'Bağdat Cad.'])} No: {R.randint(1, 220)} D: {R.randint(1, 20)}, {M('postal_code', pre + dig(2))} {city}"
    if cc == "BR":
        city, uf, pre = ch([("São Paulo", "SP", "01"), ("Rio de Janeiro", "RJ", "22"), ("Belo Horizonte", "MG", "30"), ("Curitiba", "PR", "80"), ("Recife", "PE", "50")])
        return f"{ch(['Av. Paulista', 'Rua Voluntários da Pátria', 'Av. Afonso Pena', 'Rua XV de Novembro', 'Rua da Aurora'])}, {R.randint(10, 2500)} – {ch(['apto 52', 'sala 1203', 'bloco B'])}, {city} – {uf}, CEP {M('postal_code', pre + dig(3) + '-' + dig(3))}"
    if cc == "IN":
        city, state, pre = ch([("Mumbai", "Maharashtra", "400"), ("Bengaluru", "Karnataka", "560"), ("Chennai", "Tamil Nadu", "600"),
                               ("New Delhi", "Delhi", "110"), ("Hyderabad", "Telangana", "500"), ("Pune", "Maharashtra", "411")])
        pin = pre + dig(3)
        if R.random() < 0.3:
            pin = pin[:3] + " " + pin[3:]
        return f"{R.randint(1, 300)}, {ch(['MG Road', 'Linking Road', 'Anna Salai', 'Banjara Hills Road No. 2', 'FC Road'])}, {city}, {state} {M('postal_code', pin)}"
    if cc == "JP":
        pre, area = ch([("100", "東京都千代田区丸の内"), ("104", "東京都中央区銀座"), ("150", "東京都渋谷区神宮前"), ("530", "大阪府大阪市北区梅田"),
                        ("600", "京都府京都市下京区"), ("812", "福岡県福岡市博多区")])
        return f"〒{M('postal_code', pre + '-' + dig(4))} {area}{R.randint(1, 6)}-{R.randint(1, 20)}-{R.randint(1, 15)}"
    if cc == "AU":
        city, st, pre = ch([("Sydney", "NSW", "20"), ("Melbourne", "VIC", "30"), ("Brisbane", "QLD", "40"), ("Perth", "WA", "60"), ("Adelaide", "SA", "50"), ("Hobart", "TAS", "70")])
        return f"{ch(['', 'Unit 4, ', 'Level 12, '])}{R.randint(1, 400)} {ch(['George St', 'Collins St', 'Queen St', 'Hay St', 'King William St', 'Elizabeth St'])}, {city} {st} {M('postal_code', pre + dig(2))}"
    raise KeyError(cc)


# ---------------------------------------------------------------------------
# negative value generators
# ---------------------------------------------------------------------------

def order_no():
    return ch([f"#{ndig(3)}-{dig(7)}-{dig(7)}", f"ORD-{R.randint(2023, 2025)}-{dig(6)}", f"SO{dig(8)}", f"{upper(2)}-{dig(5)}-{dig(4)}",
               f"PO {ndig(6)}", f"A{dig(3)}-{dig(3)}-{dig(3)}"])


def invoice_no():
    return ch([f"INV-{R.randint(2023, 2025)}-{dig(5)}", f"RE-{R.randint(2023, 2025)}-{dig(6)}", f"FA{R.randint(23, 25)}/{dig(5)}",
               f"F-{dig(4)}-{dig(4)}", f"{R.randint(2023, 2025)}/{dig(4)}/FV"])


def tracking_no():
    return ch([f"1Z{upper(3)}{dig(3)}{dig(10)}", f"{dig(12)}", f"JJD{dig(18)}", 
               f"{upper(2)}{dig(9)}{ch(['DE', 'GB', 'NL', 'FR'])}", f"9400 {dig(4)} {dig(4)} {dig(4)} {dig(4)} {dig(2)}"])


def sha(n=64):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))


def uuid4():
    h = sha(32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{ch('89ab')}{h[17:20]}-{h[20:]}"


def mac(sep=None):
    sep = sep or ch([":", "-"])
    s = sep.join(f"{R.randint(0, 255):02X}" for _ in range(6))
    return s if R.random() < 0.5 else s.lower()


def version():
    return f"{R.randint(0, 17)}.{R.randint(0, 40)}.{R.randint(0, 30)}"


def icd10():
    return ch(["E11.65", "I10", "J45.909", "N18.3", "E78.5", "M54.5", "F32.1", "Z79.4", "I48.91", "K21.9", "J18.9", "C50.912",
               "S72.001A", "O24.419", "G43.909", "E66.01", "I25.10", "R07.9", "T78.40XA", "Z00.00"])


def cpt():
    return ch(["99213", "99214", "99285", "93000", "80053", "83036", "71046", "36415", "97110", "90471", "G0439", "J1100"])


def ndc():
    return ch([f"{dig(4)}-{dig(4)}-{dig(2)}", f"{dig(5)}-{dig(3)}-{dig(2)}", f"{dig(5)}-{dig(4)}-{dig(1)}"])


def out_of_range_quad():
    parts = [R.randint(0, 255) for _ in range(4)]
    i = R.randrange(4)
    parts[i] = R.randint(256, 999)
    return ".".join(map(str, parts))


NON_DICT_NAMES = ["Hartmann", "Brennan", "Okonkwo", "Navarro", "Colombo", "Lindgren", "Kowalczyk", "Bergström", "Novák",
                  "Korhonen", "Vermeulen", "Fitzgerald", "Gonçalves", "Öztürk", "Ramírez", "Laurent", "Whitaker", "Castellano"]
NON_DICT_GIVEN = ["Ulrike", "Brigitte", "Mariusz", "Ebba", "Tuomas", "Matteo", "Inês", "Hüseyin", "Tomasz", "Anneke", "Gareth", "Colm"]


# ---------------------------------------------------------------------------
# validation (also used while generating)
# ---------------------------------------------------------------------------

MARK_RE = re.compile(r"⟦([^⟦⟧:]*):([^⟦⟧]*)⟧")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
EMAIL_FULL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
URL_LEAK_RE = re.compile(r"https?://|(?<![\w.])www\.", re.I)
SSN_SHAPE_RE = re.compile(r"(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])")
SSN_COMPACT_RE = re.compile(r"(?i)(?:ssn|social security)[^\d\n]{0,25}(?<!\d)(\d{9})(?!\d)")
IBAN_CAND_RE = re.compile(r"(?<![A-Z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){8,32}")
DOTTED_RE = re.compile(r"\d+(?:\.\d+)+")
IPV6_CAND_RE = re.compile(r"[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*")
WORD_RE = re.compile(r"[^\W\d_]+")

POSTAL_FORMATS = [
    r"\d{5}(?:-\d{4})?",                         # US, DE, FR, ES, IT, FI, TR
    r"\d{4}",                                   # AT, CH, BE, DK, NO, AU
    r"\d{4} ?[A-Z]{2}",                         # NL
    r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}",         # UK
    r"[A-Z]\d[A-Z] ?\d[A-Z]\d",                 # CA
    r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W) [0-9AC-FHKNPRTV-Y]{4}",  # IE Eircode
    r"\d{2}-\d{3}",                             # PL
    r"\d{4}-\d{3}",                             # PT
    r"\d{3} \d{2}",                             # SE, CZ
    r"\d{3}-\d{4}",                             # JP
    r"\d{6}|\d{3} \d{3}",                       # IN
    r"\d{5}-\d{3}",                             # BR
]
POSTAL_RE = re.compile("|".join(f"(?:{p})" for p in POSTAL_FORMATS))


def norm_label(s):
    s = unicodedata.normalize("NFC", s).lower().replace("_", " ").replace("-", " ")
    return re.sub(r"\s+", " ", s)


MRN_LABELS = ["mrn", "mr#", "medical record number", "medical record no", "patient id", "patientid", "chart number",
              "patientennummer", "numéro de dossier", "historia clínica", "cartella clinica", "patiëntnummer", "karty pacjenta"]
HPN_LABELS = ["member id", "memberid", "subscriber id", "policy number", "insurance number", "insurance id", "health plan id",
              "medicaid id", "medicare number", "beneficiary id", "nhs number", "versichertennummer", "kvnr", "carte vitale",
              "numéro d'assuré social", "numéro d’assuré social", "polisnummer", "medicare card"]
DOB_TRIGGERS = ["dob", "d.o.b", "date of birth", "born", "birthdate", "geburtsdatum", "geb.", "geboren am", "né le", "née le",
                "né(e) le", "date de naissance", "fecha de nacimiento", "nacido el", "nacida el", "data di nascita", "nato il",
                "nata il", "geboren op", "geboortedatum", "data urodzenia", "ur.", "data de nascimento"]


def has_label(before, labels):
    b = norm_label(before)
    return any(norm_label(lab) in b for lab in labels)


def luhn_windows(text):
    """Luhn-valid card-length numbers: a compact run of 13-19 digits, or any
    group-aligned window of 13-19 digits in a run of digit groups separated by
    single spaces or dashes (e.g. '3704 0044 0532 0130' inside a grouped IBAN).
    A compact run longer than 19 digits cannot be a card number and is skipped."""
    return [digits for _, _, digits in validators.luhn_windows(text)]


def leaks(text):
    """Identifier-like things in unmarked text that would be valid positives."""
    found = []
    for mo in EMAIL_RE.finditer(text):
        found.append(("email", mo.group()))
    for mo in URL_LEAK_RE.finditer(text):
        found.append(("url", text[mo.start():mo.start() + 30]))
    for mo in DOTTED_RE.finditer(text):
        parts = mo.group().split(".")
        for i in range(len(parts) - 3):
            w = parts[i:i + 4]
            if all(p.isascii() and int(p) <= 255 for p in w):
                found.append(("ipv4", ".".join(w)))
    for mo in IPV6_CAND_RE.finditer(text):
        cand = mo.group().strip(":.")
        for c in {cand, mo.group()}:
            try:
                ipaddress.IPv6Address(c)
                found.append(("ipv6", c))
            except ValueError:
                pass
        if "::" in mo.group():
            found.append(("ipv6-ish", mo.group()))
    for mo in IBAN_CAND_RE.finditer(text):
        compact = mo.group().replace(" ", "")
        n = IBAN_LEN.get(compact[:2])
        if n and len(compact) >= n and iban_valid(compact[:n]):
            found.append(("iban", compact[:n]))
    for mo in SSN_SHAPE_RE.finditer(text):
        if ssn_valid(mo.group()):
            found.append(("ssn", mo.group()))
    for mo in SSN_COMPACT_RE.finditer(text):
        if ssn_valid(mo.group(1)):
            found.append(("ssn", mo.group(1)))
    for mo in MBI_RE.finditer(text):
        found.append(("mbi", mo.group()))
    for w in WORD_RE.findall(text):
        if w in NAMES:
            found.append(("name", w))
    for h in luhn_windows(text):
        found.append(("luhn", h))
    return found


def parse(line):
    errors, spans, plain, masked = [], [], [], []
    pos = 0
    for mo in MARK_RE.finditer(line):
        seg = line[pos:mo.start()]
        plain.append(seg)
        masked.append(seg)
        start = sum(len(x) for x in plain)
        cat, val = mo.group(1), mo.group(2)
        spans.append((cat, start, start + len(val), val))
        plain.append(val)
        masked.append(" \x00 ")
        pos = mo.end()
    plain.append(line[pos:])
    masked.append(line[pos:])
    plain, masked = "".join(plain), "".join(masked)
    if "⟦" in plain or "⟧" in plain:
        errors.append("stray ⟦ or ⟧ (malformed marker)")
    return plain, masked, spans, errors


def check_span(cat, val, plain, start, end, all_spans):
    e = []
    before, after = plain[:start], plain[end:]
    if not val or val != val.strip():
        e.append("empty value or surrounding whitespace")
    if cat == "email":
        if not EMAIL_FULL.fullmatch(val):
            e.append("bad email")
    elif cat == "url":
        if not re.fullmatch(r"(?:https?://|www\.)[^\s]+", val) or val[-1] in ".,)":
            e.append("bad url")
    elif cat == "phone":
        n = sum(c.isdecimal() for c in val)
        if not 7 <= n <= 15:
            e.append(f"phone has {n} digits")
        if not (val[0] in "+(" or val[0].isdecimal()) or not val[-1].isdecimal():
            e.append("phone span boundaries")
        if re.search(r"[^\d +()./-]", val):
            e.append("phone has odd characters")
    elif cat == "ssn":
        if not ssn_valid(val):
            e.append("invalid ssn")
        if re.fullmatch(r"\d{9}", val) and not re.search(r"(?i)(ssn|social security)[^\d]{0,25}$", before):
            e.append("compact ssn without label")
    elif cat == "credit_card":
        d = ascii_digits(val)
        if not re.fullmatch(r"\d+(?:[ -]\d+)*", d) or not 13 <= len(re.sub(r"\D", "", d)) <= 19:
            e.append("card shape")
        elif not luhn_ok(re.sub(r"\D", "", d)):
            e.append("card fails Luhn")
    elif cat == "iban":
        if not (re.fullmatch(r"[A-Z0-9]+", val) or re.fullmatch(r"[A-Z0-9]{4}(?: [A-Z0-9]{4})*(?: [A-Z0-9]{1,3})?", val)):
            e.append("iban grouping")
        if not iban_valid(val):
            e.append("iban length/mod-97")
    elif cat == "ip_address":
        try:
            ipaddress.ip_address(val)
        except ValueError:
            e.append("invalid ip")
    elif cat == "date_of_birth":
        if not has_label(before, DOB_TRIGGERS):
            e.append("no birth-date trigger before date_of_birth")
        if not re.search(r"(19|20)\d\d", val):
            e.append("dob without 4-digit year")
    elif cat == "medical_record_number":
        if not re.fullmatch(r"[A-Za-z0-9-]{5,15}", val):
            e.append("mrn shape")
        if not has_label(before, MRN_LABELS):
            e.append("no record label before mrn")
    elif cat == "health_plan_number":
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 -]{3,22}[A-Za-z0-9]", val):
            e.append("plan number shape")
        is_mbi = MBI_RE.fullmatch(val) is not None
        if not is_mbi and not has_label(before, HPN_LABELS):
            e.append("no plan label before plan number")
        if re.search(r"(?i)nhs (number|no)[^\w]{0,4}$", before) and not nhs_ok(val):
            e.append("bad NHS check digit")
    elif cat == "postal_code":
        if not POSTAL_RE.fullmatch(val):
            e.append("postal code shape")
    elif cat == "name":
        words = val.split(" ")
        if any(w not in NAMES for w in words) or "  " in val:
            e.append(f"name word not in names.txt: {val}")
        if (before and (before[-1].isalnum())) or (after and after[0].isalnum()):
            e.append("name not on word boundary")
    else:
        e.append(f"unknown category {cat}")
    if cat != "credit_card":
        hits = luhn_windows(val)
        if hits:
            e.append(f"Luhn-valid window inside {cat}: {hits[0]}")
    if cat not in ("ssn",) and any(ssn_valid(m.group()) for m in SSN_SHAPE_RE.finditer(val)):
        e.append(f"ssn-shaped number inside {cat}")
    return e


def check_line(line):
    plain, masked, spans, errors = parse(line)
    for cat, s, t, val in spans:
        errors += [f"{cat} '{val}': {x}" for x in check_span(cat, val, plain, s, t, spans)]
    # adjacent name spans separated by one space must have been one span
    for (c1, _, t1, _), (c2, s2, _, _) in zip(spans, spans[1:]):
        if c1 == c2 == "name" and plain[t1:s2] == " ":
            errors.append("two name spans separated by a single space")
    for kind, what in leaks(masked):
        errors.append(f"unmarked {kind}: {what}")
    return plain, spans, errors


# ---------------------------------------------------------------------------
# templates
# ---------------------------------------------------------------------------

def T_en_referral():
    p, doc = Person(ch(["en", "ie", "af", "in", "kr"])), Person(ch(["en", "ie", "in"]))
    return (f"Dear Dr. {doc.f()}, thank you for seeing {p.t(ch(['en', 'en2']))} {p.full()} (DOB {DOB(ch(['us', 'en']))}, "
            f"MRN {M('medical_record_number', mrn())}), referred for {ch(['uncontrolled type 2 diabetes (E11.65)', 'new-onset atrial fibrillation (I48.91)', 'persistent low back pain (M54.5)', 'CKD stage 3 (N18.3)'])}; "
            f"last HbA1c {R.randint(60, 110) / 10} % on {fmt(recent(), 'us')}. Best contact: {P('US')}.")


def T_en_discharge():
    p = Person(ch(["en", "af", "ar", "es"]))
    a, b = fmt_range("us", 2, 25)
    return (f"DISCHARGE SUMMARY | Patient: {p.inv()} | MR# {M('medical_record_number', mrn())} | D.O.B.: {DOB('us')} | "
            f"Admitted {a} | Discharged {b} | Attending: Dr. {ch(NON_DICT_NAMES)} | "
            f"Dx {icd10()}, {icd10()} | Follow-up in {R.randint(1, 6)} weeks, Room {R.randint(2, 9)}{R.randint(10, 40)}B")


def T_en_lab():
    p = Person(ch(["en", "in", "cn", "vn"]))
    return (f"LAB REPORT — Name: {p.full()}  Patient ID: {M('medical_record_number', mrn())}  DOB: {DOB('us')}  "
            f"Accession: {ch(['S', 'H', 'C'])}{R.randint(22, 25)}-{dig(6)}  Collected: {fmt(recent(), 'us')} 07:{R.randint(10, 59)}  "
            f"Na {R.randint(132, 146)} mmol/L, K {R.randint(33, 55) / 10} mmol/L, Creatinine {R.randint(60, 180) / 100} mg/dL, eGFR {R.randint(35, 110)}")


def T_en_radiology():
    p = Person(ch(["en", "ie", "gr"]))
    return (f"Radiology request: CT abdomen/pelvis w/ contrast for {p.full()}, chart number {M('medical_record_number', mrn())}, "
            f"date of birth {DOB(ch(['us', 'en']))}; insurance ID {M('health_plan_number', member_id())}; CPT {cpt()}; "
            f"ordering provider NPI {npi()}; call back {P('US')} ext. {R.randint(100, 899)}")


def T_en_pharmacy_fax():
    p = Person(ch(["en", "es", "vn", "kr"]))
    return (f"FAX to {ch(['Walgreens #', 'CVS Pharmacy #', 'Rite Aid #'])}{R.randint(1000, 19999)} — fax {P('US')} — Rx for {p.full()}, "
            f"DOB {DOB('us')}, {address('US')}; metformin 500 mg PO BID #60, NDC {ndc()}; member ID {M('health_plan_number', member_id())}")


def T_en_appt_email():
    p = Person(ch(["en", "ie", "af", "in"]))
    host = ch(["mercyvalleyhealth.org", "lakesidemedicalgroup.com", "northshore-clinic.org"])
    return (f"Hi {p.g()}, this is a reminder of your appointment on {fmt(recent(), 'us')} at 9:{R.randint(10, 50)} AM with Dr. {ch(NON_DICT_NAMES)}. "
            f"Complete your intake form at {M('url', url_value(host, '/intake?appt=' + dig(7)))} or reply to {role_email(host)}. Call {P('US')} to reschedule.")


def T_en_handover_chat():
    p = Person(ch(["en", "af", "ar", "slav", "tr"]))
    return (f"[{R.randint(6, 22):02d}:{R.randint(0, 59):02d}] nurse.{ch(['station4', 'icu2', 'ward7b'])}: bed {R.randint(1, 24)} is {p.full()}, "
            f"MRN {M('medical_record_number', mrn())}, born {DOB(ch(['us', 'en']))}, NPO since midnight, K {R.randint(30, 52) / 10}, "
            f"family contact {P(ch(['US', 'GB', 'CA']))}")


def T_uk_nhs_letter():
    p = Person(ch(["en", "ie", "in", "af"]))
    return (f"NHS Trust outpatient letter: Re {p.t(ch(['en', 'en2']))} {p.full()}, date of birth {DOB('en')}, NHS number "
            f"{M('health_plan_number', nhs_number())}, {address('GB')}. Seen in clinic on {fmt(recent(), 'en')}; GP surgery tel {P('GB')}.")


def T_uk_gp_email():
    p = Person(ch(["en", "ie", "in"]))
    return (f"From: {p.full()} <{p.email()}> Subject: repeat prescription — NHS number {M('health_plan_number', nhs_number())}, "
            f"DOB {DOB('en')}, please send to the pharmacy at {address('GB')}, mobile {P('GB')}")


def T_ie_letter():
    p = Person("ie")
    return (f"St Brendan's Hospital, Outpatients: {p.full()}, D.O.B. {DOB('en')}, MRN {M('medical_record_number', mrn())}, "
            f"{address('IE')}, mobile {P('IE')}. Review on {fmt(recent(), 'en')} in Clinic {ch('ABCD')}.")


def T_us_claim():
    p = Person(ch(["en", "es", "kr", "vn"]))
    return (f"CMS-1500 | 1a Insured's member ID: {M('health_plan_number', member_id())} | 2 Patient name: {p.inv()} | 3 Birthdate: "
            f"{M('date_of_birth', fmt(birth(), 'us'))} | 5 Address: {address('US')} | Phone {P('US')} | 21 ICD: {icd10()} | 24D CPT {cpt()} | "
            f"Charges ${amount(80, 2400)} | 25 Federal Tax ID {R.randint(10, 99)}-{dig(7)}")


def T_us_medicare():
    p = Person(ch(["en", "es", "af"]))
    v = mbi()
    if R.random() < 0.4:
        v = f"{v[:4]}-{v[4:7]}-{v[7:]}"
    lead = ch(["MBI", "Medicare number", "Medicare Beneficiary Identifier", "Medicare ID"])
    return (f"Eligibility check for {p.full()} ({lead} {M('health_plan_number', v)}), DOB {DOB('us')}: Part A and B active since "
            f"{fmt(rdate(2010, 2022), 'us')}, secondary Medicaid ID {M('health_plan_number', upper(2) + dig(5) + upper(1))}, ZIP {M('postal_code', ch(US_CITIES)[2] + dig(2))}.")


def T_us_mbi_bare():
    p = Person(ch(["en", "af", "es"]))
    a, b = fmt_range(ch(["us", "iso"]), 1, 6)
    return (f"RE: returned claim — beneficiary {p.full()}, {M('health_plan_number', mbi())}, service dates {a} – {b}, "
            f"claim control no. {dig(13)}{ch('ABC')}, remark code N{R.randint(100, 999)}.")


def T_us_eob():
    p = Person(ch(["en", "kr", "in"]))
    return (f"Explanation of Benefits — Subscriber ID {M('health_plan_number', member_id())} — Member: {p.full()} — Group {dig(6)} — "
            f"Claim #{dig(12)} — billed ${amount(100, 9000)}, allowed ${amount(50, 900)}, you owe ${amount(10, 400)}. Questions? {P('US')} or {M('url', url_value('brightpathhealthplan.com', '/eob'))}")


def T_us_prior_auth():
    p = Person(ch(["en", "es", "ar"]))
    return (f"Prior authorization request: member {p.full()}, member ID {M('health_plan_number', member_id())}, DOB {DOB('us')}, "
            f"drug adalimumab 40 mg/0.4 mL, HCPCS J0135, diagnosis {icd10()}; prescriber fax {P('US')}, clinic email {role_email('riverbend-rheumatology.com')}")


def T_us_hr_onboarding():
    p = Person(ch(["en", "kr", "in", "es", "af"]))
    return (f"New hire packet: {p.full()} | SSN {M('ssn', ssn_value())} | DOB {DOB('us', 'adult')} | {address('US')} | cell {P('US')} | "
            f"personal email {p.email(ch(DOMAINS['en']))} | start date {fmt(recent(), 'us')} | employee #{ndig(6)}")


def T_us_w4():
    p = Person(ch(["en", "vn", "cn", "es"]))
    return (f"W-4 correction for {p.inv()}: Social Security number should read {M('ssn', ssn_value('-'))} (not {ssn_invalid()}); "
            f"mailing address {address('US')}; filing status single; effective pay period {R.randint(1, 26)}.")


def T_us_ssn_compact():
    p = Person(ch(["en", "es"]))
    return (f"verify_identity(name='{p.full()}', ssn='{M('ssn', ssn_value(''))}', zip='{M('postal_code', ch(US_CITIES)[2] + dig(2))}') -> MATCH "
            f"(score {R.randint(80, 99)}/100, request {uuid4()})")


def T_us_background():
    p = Person(ch(["en", "af", "kr"]))
    return (f"Background check order {order_no()}: candidate {p.full()}, SSN {M('ssn', ssn_value(ch(['-', ' '])))}, born {DOB('us', 'adult')}, "
            f"previous address {address('US')}; consent signed {fmt(recent(), 'us')}.")


def T_us_bank_dispute():
    p = Person(ch(["en", "es", "in"]))
    c, brand, _ = card(sep=ch([" ", "-"]))
    return (f"Dispute form — cardholder {p.full()}, {brand} {M('credit_card', c)}, transaction of ${amount(20, 3000)} on {fmt(recent(), 'us')} "
            f"at merchant ID {dig(15)[:-1]}{ch('X')}. Reach me at {p.email()} or {P('US')}.")


def T_card_ticket():
    p = Person()
    c = card_value()
    return (f"Ticket #{dig(6)} (priority P{R.randint(1, 3)}): customer {p.full()} says card {M('credit_card', c)} was declined at checkout; "
            f"order {order_no()}, amount €{amount(10, 900, 'de')}; customer IP {IP(ipv4('public'))}.")


def T_card_chat():
    p = Person(ch(["en", "ie", "af"]))
    c = card_value(sep="")
    return (f"chat transcript {fmt(recent(), 'iso')} 14:{R.randint(10, 59)} — {p.g()}: ok my card number is {M('credit_card', c)} exp {R.randint(1, 12):02d}/{R.randint(26, 30)} "
            f"— Agent: please never share the full number or CVV here, I have masked it.")


def T_stripe_log():
    return (f"{fmt(recent(), 'iso')}T{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}Z ERROR payment-gw charge failed "
            f"pan={M('credit_card', card_value(sep=''))} amount={R.randint(100, 99999)} currency=EUR merchant=MRC{dig(6)} client_ip={IP()} trace={sha(16)}")


def T_sepa_instruction():
    p, q = Person(ch(["de", "nl", "fr", "it", "es"])), Person()
    cc = ch(["DE", "NL", "FR", "IT", "ES", "BE", "AT", "IE", "PT", "FI", "LU"])
    return (f"Please transfer EUR {amount(100, 20000)} from our account {M('iban', iban_value(cc))} to {q.full()}, IBAN "
            f"{M('iban', iban_value(ch(list(IBAN_BBAN))))}, reference {invoice_no()}, value date {fmt(recent(), 'iso')}. Approved by {p.full()}.")


def T_de_ueberweisung():
    p = Person("de")
    return (f"Sehr geehrte Damen und Herren, bitte erstatten Sie den Betrag von {amount(20, 900, 'de')} € auf mein Konto "
            f"{M('iban', iban_value('DE'))} (Kontoinhaber: {p.full()}). Rechnungsnummer {invoice_no()} vom {fmt(recent(), 'de')}. "
            f"Mit freundlichen Grüßen, {p.full()}, Tel. {P('DE')}")


def T_payroll_change():
    p = Person()
    cc = ch(["GB", "IE", "DE", "FR", "NL", "SE", "DK", "NO", "FI", "PL", "CZ", "TR", "CH", "HU", "RO", "GR", "SA", "AE", "BR"])
    return (f"Payroll change request — employee {p.full()} (staff no. {upper(1)}{dig(5)}): please pay salary into {M('iban', iban_value(cc))} "
            f"from the {ch(['March', 'April', 'June', 'September', 'November'])} payroll; old account closed. Contact {p.email()}.")


def T_kyc_form():
    p = Person(ch(["en", "de", "fr", "es", "it", "nl", "pl"]))
    cc = {"en": "GB", "de": "DE", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL", "pl": "PL"}[p.reg]
    lang = {"en": "en", "de": "de", "fr": "fr", "es": "es", "it": "it", "nl": "nl", "pl": "pl"}[p.reg]
    return (f"KYC onboarding: full name {p.full()}; date of birth {DOB(lang, 'adult')}; residential address {address(cc)}; "
            f"IBAN {M('iban', iban_value(cc))}; phone {P(cc)}; e-mail {p.email()}; risk score {R.randint(1, 40)}/100")


def T_direct_debit():
    p = Person(ch(["de", "nl", "fr", "es", "it", "pl"]))
    cc = {"de": "DE", "nl": "NL", "fr": "FR", "es": "ES", "it": "IT", "pl": "PL"}[p.reg]
    return (f"SEPA-Lastschriftmandat / SEPA Direct Debit Mandate — Gläubiger-ID DE{R.randint(10, 99)}ZZZ0000{dig(7)} — Mandatsreferenz "
            f"M-{dig(8)} — Zahlungspflichtiger: {p.full()}, {address(cc)} — IBAN: {M('iban', iban_value(cc, compact=False))}")


def T_hr_yaml():
    p = Person()
    cc = ch(["DE", "NL", "SE", "PL", "ES", "IT", "FR", "GB", "US"])
    bank = f"iban: {M('iban', iban_value(cc))}" if cc != "US" else f"ssn: \"{M('ssn', ssn_value())}\""
    return (f"employee: {{id: E{dig(5)}, name: \"{p.full()}\", dob: {dob_iso('adult')}, email: {p.email()}, phone: \"{P(cc if cc != 'US' else 'US')}\", "
            f"{bank}, department: {ch(['Finance', 'Nursing', 'Radiology', 'IT Ops', 'Sales'])}, fte: {ch(['1.0', '0.8', '0.5'])}}}")


def T_hr_json():
    p = Person()
    cc = ch(["US", "CA", "GB", "AU", "IN", "DE"])
    parts = [f"\"employeeId\": \"{ndig(6)}\"", f"\"fullName\": \"{p.full()}\"", f"\"birthDate\": \"{dob_iso('adult')}\"",
             f"\"workEmail\": \"{M('email', fold(p.given).lower() + '.' + fold(p.family).lower() + '@northwind-group.com')}\"",
             f"\"mobile\": \"{P(cc)}\"", f"\"address\": \"{address(cc)}\"", f"\"costCenter\": \"CC-{dig(4)}\""]
    if cc == "US":
        parts.insert(3, f"\"ssn\": \"{M('ssn', ssn_value('-'))}\"")
    return "{" + ", ".join(parts) + "}"


def T_fhir_json():
    p = Person()
    return ("{\"resourceType\": \"Patient\", \"id\": \"" + uuid4() + "\", \"identifier\": [{\"system\": \"urn:oid:2.16.840.1.113883.4.3\", "
            "\"type\": \"MRN\", \"value\": \"" + M("medical_record_number", mrn()) + "\"}], \"name\": [{\"family\": \"" + p.f() + "\", \"given\": [\""
            + p.g() + "\"]}], \"birthDate\": \"" + dob_iso() + "\", \"telecom\": [{\"system\": \"phone\", \"value\": \"" + P(ch(["US", "GB", "AU"]))
            + "\"}], \"meta\": {\"versionId\": \"" + str(R.randint(1, 9)) + "\", \"lastUpdated\": \"" + fmt(recent(), "iso") + "T10:22:03Z\"}}")


def T_hl7():
    p = Person(ch(["en", "es", "af", "vn"]))
    v = mrn()
    return (f"Inbound ADT^A04 for patient ID {M('medical_record_number', v)}: PID|1||{M('medical_record_number', v)}^^^MERCY^MR||{p.f()}^{p.g()}^^^^^L|||{ch('FM')}|||"
            + (lambda c: f"{R.randint(10, 999)} {ch(US_STREETS)}^^{c[0]}^{c[1]}^{M('postal_code', c[2] + dig(2))}||{P('US')}")(ch(US_CITIES)))


def T_nginx_log():
    ip = ipv4(ch(["public", "doc"]))
    return (f"{M('ip_address', ip)} - - [{R.randint(1, 28):02d}/{ch(EN_ABBR)}/{R.randint(2023, 2025)}:{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d} +0100] "
            f"\"GET /api/v2/{ch(['appointments', 'invoices', 'claims'])}/{dig(7)} HTTP/1.1\" {ch(['200', '304', '404', '500'])} {R.randint(200, 90000)} "
            f"\"{M('url', url_value(ch(['portal.mercyvalleyhealth.org', 'app.brightlinebank.com', 'kunden.klinikum-nordstadt.de']), '/dashboard'))}\" \"{ch(['curl/8.5.0', 'okhttp/4.12.0', 'python-requests/2.31.0'])}\"")


def T_sshd_log():
    return (f"{ch(EN_ABBR)} {R.randint(1, 28):2d} {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d} bastion-{R.randint(1, 4)} sshd[{R.randint(1000, 65000)}]: "
            f"Failed password for invalid user {ch(['admin', 'oracle', 'test', 'ubuntu'])} from {IP()} port {R.randint(1024, 65535)} ssh2")


def T_firewall_v6():
    return (f"kernel: [UFW BLOCK] IN=eth0 OUT= MAC={mac(':')}:{mac(':')}:86:dd SRC={IP(ipv6())} DST={IP(ipv6())} LEN={R.randint(60, 1500)} "
            f"PROTO=TCP SPT={R.randint(1024, 65535)} DPT={ch(['22', '443', '3389', '5432'])}")


def T_app_json_log():
    p = Person()
    return ("{\"ts\":\"" + fmt(recent(), "iso") + f"T{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}.{dig(3)}Z\",\"level\":\"{ch(['INFO', 'WARN'])}\","
            f"\"event\":\"{ch(['password_reset_requested', 'login_failed', 'mfa_enrolled', 'profile_updated'])}\",\"user\":\"{p.email()}\","
            f"\"src_ip\":\"{IP()}\",\"request_id\":\"{uuid4()}\",\"latency_ms\":{R.randint(3, 900)}}}")


def T_audit_v6_port():
    return (f"audit: session opened by svc-backup from [{IP(ipv6())}]:{R.randint(1024, 65535)} to {IP(ipv4('priv10'))}:{ch(['5432', '6379', '8443'])} "
            f"(tls {ch(['1.2', '1.3'])}, cipher TLS_AES_256_GCM_SHA384)")


def T_ticket_it():
    p = Person()
    cc = ch(["US", "GB", "DE", "NL", "FR", "SE", "PL", "IN", "AU"])
    return (f"[INC{dig(7)}] Caller: {p.full()} | Email: {p.email()} | Phone: {P(cc)} | Asset: LPT-{dig(5)} | Workstation IP {IP(ipv4('priv10'))} | "
            f"Issue: VPN client {version()} fails after update; MAC {mac()}")


def T_ticket_cidr():
    return (f"Change CHG{dig(6)}: allow {IP(ipv4('public'))}/32 and {IP(ipv4('priv172'))}/{ch(['16', '20', '24'])} on fw-edge-{R.randint(1, 3)}, "
            f"requested by {Person().full()}, window {fmt(recent(), 'iso')} 22:00–23:30 UTC")


def T_email_signature():
    p = Person()
    cc = ch(["US", "GB", "DE", "FR", "NL", "ES", "IT", "SE", "DK", "NO", "FI", "AU", "CA", "IE"])
    host = ch(["northwind-group.com", "helvetia-care.ch", "lakesidemedicalgroup.com", "brightlinebank.com", "zorggroep-oost.nl"])
    return (f"Kind regards, {p.full()} | {ch(['Claims Specialist', 'HR Business Partner', 'Practice Manager', 'Relationship Manager'])} | "
            f"T {P(cc)} | M {P(cc)} | {M('email', fold(p.given).lower() + '.' + fold(p.family).lower() + '@' + host)} | {M('url', url_value(host, ''))} | {address(cc)}")


def T_email_thread():
    p, q = Person(), Person()
    return (f"On {ch(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])}, {fmt(recent(), 'en')} at {R.randint(8, 18)}:{R.randint(10, 59)}, {p.full()} <{p.email()}> wrote: "
            f"> Hi {q.g()}, can you re-send the form to {q.email()}? The old link {M('url', url_value('forms.northwind-group.com', '/f/' + sha(8)))} expired.")


def T_slack():
    p, q = Person(), Person(ch(["en", "in", "de", "nl"]))
    return (f"#billing-support {q.g()}: anyone know why member {p.full()} gets rejected? policy number {M('health_plan_number', member_id())}, "
            f"DOB {DOB('us')}, ZIP {M('postal_code', ch(US_CITIES)[2] + dig(2))} — eligibility API returns 422 (trace {sha(12)})")


def T_whatsapp():
    lang = ch(["es", "pt", "it", "br"])
    p = Person({"es": "es", "pt": ch(["es", "af"]), "it": "it", "br": ch(["es", "it", "jp"])}[lang])
    d = recent()
    msg = {"es": "hola, os paso mi número nuevo", "pt": "olá, o meu número novo é", "it": "ciao, il mio nuovo numero è",
           "br": "oi gente, anotem meu número novo"}[lang]
    return (f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}, {R.randint(8, 22)}:{R.randint(10, 59)} - {p.full()}: "
            f"{msg} {P({'es': 'ES', 'pt': 'PT', 'it': 'IT', 'br': 'BR'}[lang])} 👍")


def T_pipe_table_patients():
    rows = []
    for _ in range(2):
        p = Person()
        rows.append(f"| {M('medical_record_number', mrn())} | {p.full()} | {dob_iso()} | {M('postal_code', ch(US_CITIES)[2] + dig(2))} | {P('US')} |")
    return "| MRN | Patient | DOB | ZIP | Phone | |---|---|---|---|---| " + " ".join(rows)


def T_pipe_table_bank():
    rows = []
    for _ in range(2):
        p = Person()
        cc = ch(["DE", "FR", "NL", "ES", "IT", "BE", "AT", "PL", "SE", "DK", "FI", "PT", "IE", "CZ"])
        rows.append(f"| {p.full()} | {M('iban', iban_value(cc))} | {amount(50, 8000)} | {invoice_no()} |")
    return "| Payee | IBAN | Amount EUR | Reference | |---|---|---|---| " + " ".join(rows)


def T_tsv_hr():
    hdr = "\t".join(["emp_id", "name", "dob", "ssn", "zip", "email"])
    rows = []
    for _ in range(2):
        p = Person(ch(["en", "es", "kr", "in", "af", "vn"]))
        rows.append("\t".join([ndig(5), p.full(), dob_iso("adult"), M("ssn", ssn_value("-")), M("postal_code", ch(US_CITIES)[2] + dig(2)), p.email()]))
    return " ⏎ ".join([hdr] + rows)


def T_tsv_claims():
    hdr = "\t".join(["claim_no", "member_id", "patient", "dos", "cpt", "billed"])
    rows = []
    for _ in range(2):
        p = Person()
        rows.append("\t".join([dig(10), M("health_plan_number", member_id()), p.full(), fmt(recent(), "iso"), cpt(), amount(60, 3000)]))
    return " ⏎ ".join([hdr] + rows)


def T_kv_record():
    p = Person()
    return (f"patient_name={p.full()} mrn={M('medical_record_number', mrn())} dob={dob_iso()} insurance_id={M('health_plan_number', member_id())} "
            f"ward=4B bed={R.randint(1, 30)} admit={fmt(recent(), 'iso')} attending_npi={npi()}")


def T_xml():
    p = Person()
    return (f"<patient><mrn>{M('medical_record_number', mrn())}</mrn><name>{p.full()}</name><dob>{dob_iso()}</dob>"
            f"<email>{p.email()}</email><lastVisit>{fmt(recent(), 'iso')}</lastVisit></patient>")


# --- German ---------------------------------------------------------------

def T_de_arztbrief():
    p = Person(ch(["de", "tr", "pl", "slav"]))
    a, b = fmt_range("de", 3, 30)
    return (f"Arztbrief: Wir berichten über {p.t('de')} {p.full()}, geb. {DOB('de')}, Patientennummer {M('medical_record_number', mrn())}, "
            f"wohnhaft {address('DE')}, {p.gx('der', 'die')} sich vom {a} bis {b} in stationärer Behandlung befand (ICD {icd10()}).")


def T_de_kv():
    p = Person("de")
    return (f"Krankenkasse: Versicherte/r {p.full()}, Geburtsdatum {DOB('de')}, Versichertennummer (KVNR) {M('health_plan_number', kvnr())}, "
            f"IK {dig(9)}, Anschrift {address(ch(['DE', 'DE', 'AT']))}, Rückfragen unter {P('DE')}.")


def T_de_termin():
    p = Person(ch(["de", "tr"]))
    return (f"Terminbestätigung: {p.gx('Lieber Herr', 'Liebe Frau')} {p.f()}, Ihr Termin in der Praxis am Markt ist am {fmt(recent(), 'de')} um {R.randint(8, 17)}:{ch(['00', '15', '30', '45'])} Uhr. "
            f"Online-Check-in: {M('url', url_value('praxis-am-markt.de', '/checkin'))} · Rückfragen an {role_email('praxis-am-markt.de')} oder {P('DE')}")


def T_at_befund():
    p = Person(ch(["de", "slav"]))
    return (f"Befund: {p.gx('Patient', 'Patientin')} {p.full()}, geboren am {DOB('de')}, Patientennummer {M('medical_record_number', mrn())}, "
            f"{address('AT')}, Tel. {P('AT')}; Laborwerte vom {fmt(recent(), 'de')}: CRP {R.randint(1, 150) / 10} mg/dl, Hb {R.randint(100, 170) / 10} g/dl.")


def T_ch_versicherung():
    p = Person(ch(["de", "fr", "it"]))
    return (f"Helvetia Care – Leistungsabrechnung: Versicherte Person {p.full()}, Versichertennummer {M('health_plan_number', dig(4) + '-' + ndig(6))}, "
            f"{address('CH')}, Tel. {P('CH')}, Betrag CHF {amount(50, 5000, 'ch')}, Rechnung {invoice_no()}.")


# --- French ---------------------------------------------------------------

def T_fr_courrier():
    p = Person(ch(["fr", "ar", "af"]))
    a, b = fmt_range("fr", 2, 20)
    return (f"Compte rendu d'hospitalisation : {p.t('fr')} {p.full()}, {p.gx('né', 'née')} le {DOB('fr')}, numéro de dossier {M('medical_record_number', mrn())}, "
            f"demeurant {address('FR')}, {p.gx('hospitalisé', 'hospitalisée')} du {a} au {b} ; tél. {P('FR')}.")


def T_fr_vitale():
    p = Person("fr")
    return (f"Mutuelle — demande de remboursement : assuré {p.full()}, numéro de carte Vitale {M('health_plan_number', nir())}, "
            f"date de naissance {DOB('fr')}, RIB/IBAN {M('iban', iban_value('FR'))}, adresse e-mail {p.email()}.")


def T_fr_ameli():
    p = Person("fr")
    return (f"Bonjour, je suis {p.full()} (numéro d'assuré social {M('health_plan_number', nir())}). Mon nouveau code postal est "
            f"{M('postal_code', ch(['75011', '69007', '31400', '33800', '13005']))} ; merci de mettre à jour mon dossier. Portable : {P('FR')}.")


def T_be_lettre():
    p = Person(ch(["fr", "nl", "ar"]))
    return (f"Clinique Saint-Luc, service de cardiologie — {p.t('fr')} {p.full()}, date de naissance {DOB('fr')}, numéro de dossier {M('medical_record_number', mrn())}, "
            f"{address('BE')}, GSM {P('BE')}, IBAN {M('iban', iban_value('BE'))}.")


# --- Spanish / Portuguese -------------------------------------------------

def T_es_informe():
    p = Person(ch(["es", "ar"]))
    a, b = fmt_range("es", 2, 20)
    return (f"Informe de alta: {p.t('es')} {p.full()}, fecha de nacimiento {DOB('es')}, historia clínica {M('medical_record_number', mrn())}, "
            f"domicilio {address('ES')}, teléfono {P('ES')}. Ingreso el {a}; alta el {b}.")


def T_es_seguro():
    p = Person("es")
    return (f"Estimado/a {p.full()}: su póliza de salud (policy number {M('health_plan_number', 'P' + dig(9))}) se renovará el {fmt(recent(), 'es')}. "
            f"Cargo domiciliado en {M('iban', iban_value('ES'))}. Área de clientes: {M('url', url_value('segurosalud-levante.es', '/clientes'))}")


def T_es_nacida():
    p = Person(ch(["es", "it"]))
    return (f"Solicitud de cita: paciente {p.full()}, {p.gx('nacido el', 'nacida el')} {DOB('es')}, código postal {M('postal_code', ch(['28', '08', '46', '41']) + dig(3))}, "
            f"correo {p.email()}, móvil {P('ES')}; prefiere horario de tarde.")


def T_pt_consulta():
    p = Person(ch(["es", "it", "af"]))
    return (f"Marcação de consulta: utente {p.full()}, data de nascimento {DOB('pt')}, morada {address('PT')}, telemóvel {P('PT')}, "
            f"NIB/IBAN {M('iban', iban_value('PT'))}; consulta de {ch(['cardiologia', 'ortopedia', 'dermatologia'])} a {fmt(recent(), 'pt')}.")


def T_br_cadastro():
    p = Person(ch(["es", "it", "af", "jp"]))
    return (f"Cadastro do paciente — Nome: {p.full()} — Data de nascimento: {DOB('pt')} — Endereço: {address('BR')} — Celular: {P('BR')} — "
            f"E-mail: {p.email(ch(['uol.com.br', 'terra.com.br', 'gmail.com']))}")


# --- Italian / Dutch / Polish ---------------------------------------------

def T_it_lettera():
    p = Person(ch(["it", "ar"]))
    return (f"Lettera di dimissione: {p.t('it')} {p.full()}, {p.gx('nato il', 'nata il')} {DOB('it')}, cartella clinica {M('medical_record_number', 'CC-' + dig(7))}, "
            f"residente in {address('IT')}, tel. {P('IT')}; ricovero dal {fmt(recent(), 'it')}.")


def T_it_data_nascita():
    p = Person("it")
    return (f"Modulo di iscrizione: cognome {p.f()}, nome {p.g()}, data di nascita {DOB('it')}, CAP {M('postal_code', ch(['00', '20', '80', '10']) + dig(3))}, "
            f"email {p.email()}, IBAN per il rimborso {M('iban', iban_value('IT'))}")


def T_nl_verwijsbrief():
    p = Person(ch(["nl", "tr", "ar"]))
    return (f"Verwijsbrief: {p.t('nl')} {p.full()}, geboren op {DOB('nl')}, patiëntnummer {M('medical_record_number', mrn())}, "
            f"{address('NL')}, tel. {P('NL')}; verzekerd bij Zorggroep Oost, polisnummer {M('health_plan_number', dig(9))}.")


def T_nl_declaratie():
    p = Person("nl")
    return (f"Declaratie zorgkosten: verzekerde {p.full()}, geboortedatum {DOB('nl')}, polisnummer {M('health_plan_number', ndig(9))}, "
            f"uitbetalen op {M('iban', iban_value('NL'))}, factuurdatum {fmt(recent(), 'nl')}, bedrag € {amount(20, 900, 'de')}")


def T_pl_skierowanie():
    p = Person("pl")
    return (f"Skierowanie: {p.gx('Pacjent', 'Pacjentka')} {p.full()}, data urodzenia {DOB('pl')}, nr karty pacjenta {M('medical_record_number', mrn())}, "
            f"adres: {address('PL')}, tel. {P('PL')}. Rozpoznanie: {icd10()}.")


def T_pl_ur():
    p = Person("pl")
    return (f"Zaświadczenie lekarskie dla {p.full()}, ur. {DOB('pl')}, zam. {address('PL')}; wystawiono {fmt(recent(), 'pl')} r.; "
            f"kontakt e-mail {p.email()}, nr rachunku {M('iban', iban_value('PL'))}")


# --- Nordic, Czech, Turkish -------------------------------------------------

def T_se_remiss():
    p = Person("nordic")
    return (f"Remiss till hudkliniken: {p.full()}, DOB {M('date_of_birth', fmt(birth(), 'sv'))}, patient ID {M('medical_record_number', mrn())}, "
            f"{address('SE')}, mobil {P('SE')}. Besöksdatum {fmt(recent(), 'sv')}.")


def T_se_lon():
    p = Person("nordic")
    return (f"Löneutbetalning: anställd {p.full()}, e-post {p.email()}, kontonummer (IBAN) {M('iban', iban_value('SE'))}, "
            f"utbetalningsdag {R.randint(20, 27)} {ch(MONTHS['sv'])}, lön {amount(25000, 60000).replace(',', ' ')} kr.")


def T_dk_besked():
    p = Person("nordic")
    return (f"Indkaldelse: {p.full()} (date of birth {M('date_of_birth', fmt(birth(), 'da'))}) er indkaldt til undersøgelse den {fmt(recent(), 'da')}; "
            f"adresse {address('DK')}, telefon {P('DK')}, IBAN {M('iban', iban_value('DK'))}.")


def T_no_brev():
    p = Person("nordic")
    return (f"Innkalling til time: {p.full()}, DOB {M('date_of_birth', fmt(birth(), 'no'))}, {address('NO')}, mobil {P('NO')}, "
            f"e-post {p.email()}; timen er {fmt(recent(), 'no')} kl. {R.randint(8, 15)}.{ch(['00', '30'])}.")


def T_fi_kutsu():
    p = Person(ch(["nordic", "slav"]))
    return (f"Ajanvaraus: {p.full()}, date of birth {M('date_of_birth', fmt(birth(), 'fi'))}, osoite {address('FI')}, puhelin {P('FI')}, "
            f"tilinumero {M('iban', iban_value('FI'))}; vastaanotto {fmt(recent(), 'fi')} klo {R.randint(8, 15)}.{ch(['00', '30'])}.")


def T_cz_zprava():
    p = Person(ch(["slav", "pl"]))
    return (f"Lékařská zpráva: {p.gx('pacient', 'pacientka')} {p.full()}, DOB {M('date_of_birth', fmt(birth(), 'cs'))}, patient ID {M('medical_record_number', mrn())}, "
            f"bydliště {address('CZ')}, tel. {P('CZ')}, IBAN {M('iban', iban_value('CZ'))}; vyšetření dne {fmt(recent(), 'cs')}.")


def T_tr_rapor():
    p = Person("tr")
    return (f"Epikriz: Hasta {p.full()}, date of birth {M('date_of_birth', fmt(birth(), 'tr'))}, MRN {M('medical_record_number', mrn())}, "
            f"adres {address('TR')}, cep {P('TR')}, e-posta {p.email()}; yatış tarihi {fmt(recent(), 'tr')}.")


def T_tr_banka():
    p = Person("tr")
    return (f"Havale talimatı: alıcı {p.full()}, IBAN {M('iban', iban_value('TR'))}, tutar {amount(500, 50000, 'de')} TL, açıklama fatura {invoice_no()}, "
            f"iletişim {P('TR')}")


# --- India, Japan, China, Arabic, Australia, Canada -----------------------

def T_in_discharge():
    p = Person("in")
    return (f"Discharge card — Patient: {p.full()}, DOB {DOB('en')}, UHID/MRN {M('medical_record_number', mrn())}, {address('IN')}, "
            f"mobile {P('IN')}, TPA policy number {M('health_plan_number', 'P' + dig(3) + '-' + dig(7))}")


def T_in_hindi():
    p = Person("in")
    return (f"मरीज़: {p.full()}, जन्म तिथि (DOB) {DOB('en')}, पता: {address('IN')}, मोबाइल {M('phone', to_script(phone('IN'), 'devanagari'))}, "
            f"बीमा पॉलिसी (policy number) {M('health_plan_number', 'P' + dig(3) + '-' + dig(7))}")


def T_jp_patient():
    p = Person("jp")
    return (f"患者情報：氏名 {p.full()}、生年月日（DOB） {M('date_of_birth', fmt(birth(), 'ja'))}、住所 {address('JP')}、電話 {P('JP')}、"
            f"メール {p.email()}、患者ID（patient ID） {M('medical_record_number', mrn())}")


def T_jp_fullwidth_phone():
    p = Person("jp")
    return (f"お問い合わせ：{p.full()} 様　電話 {M('phone', to_script(phone('JP'), 'fullwidth'))}（平日{to_script('9', 'fullwidth')}時〜{to_script('17', 'fullwidth')}時）、"
            f"予約日 {fmt(recent(), 'ja')}")


def T_jp_fullwidth_card():
    c = card_value(sep=" ")
    return (f"お支払い情報の確認：カード番号 {M('credit_card', to_script(c, 'fullwidth'))}、有効期限 {to_script(f'{R.randint(1, 12):02d}/{R.randint(26, 30)}', 'fullwidth')}、"
            f"注文番号 {order_no()}")


def T_cn_patient():
    p = Person(ch(["cn", "cn", "vn"]))
    return (f"患者 {p.full()}，出生日期 (DOB) {M('date_of_birth', fmt(birth(), 'zh'))}，电话 {P('CN')}，邮箱 {p.email(ch(DOMAINS['cn']))}，"
            f"就诊日期 {fmt(recent(), 'zh')}，病历号 (MRN) {M('medical_record_number', mrn())}")


def T_ar_patient():
    p = Person("ar")
    return (f"بيانات المريض: الاسم {p.full()}، تاريخ الميلاد (DOB) {DOB('en')}، الهاتف {M('phone', to_script(phone(ch(['AE', 'SA'])), 'arabic'))}، "
            f"البريد الإلكتروني {p.email()}، رقم الحساب {M('iban', iban_value(ch(['AE', 'SA'])))}")


def T_ar_ssn():
    p = Person("ar")
    return (f"نموذج الموظف (الولايات المتحدة): {p.full()} — رقم الضمان الاجتماعي SSN {M('ssn', to_script(ssn_value('-'), 'arabic'))} — "
            f"الرمز البريدي ZIP {M('postal_code', ch(US_CITIES)[2] + dig(2))}")


def T_lookalike_card_ar():
    p = Person("ar")
    return (f"تم رفض البطاقة {M('credit_card', to_script(card_value(sep=' '), 'arabic'))} الخاصة بـ {p.full()}؛ يرجى الاتصال على "
            f"{M('phone', to_script(phone('AE'), 'arabic'))}")


def T_lookalike_ssn_fw():
    p = Person(ch(["jp", "kr", "cn"]))
    return (f"米国勤務者の書類：{p.full()}、SSN {M('ssn', to_script(ssn_value('-'), 'fullwidth'))}、入社日 {fmt(recent(), 'ja')}、社員番号 {to_script(ndig(6), 'fullwidth')}")


def T_lookalike_dev_card():
    p = Person("in")
    return (f"भुगतान विफल: ग्राहक {p.full()}, कार्ड {M('credit_card', to_script(card_value(sep=' '), 'devanagari'))}, ऑर्डर {order_no()}, "
            f"राशि ₹{amount(100, 90000)}")


def T_au_medicare():
    p = Person(ch(["en", "gr", "vn", "cn"]))
    return (f"Medicare card {M('health_plan_number', au_medicare())} (IRN {R.randint(1, 5)}) — {p.full()}, DOB {DOB('en')}, "
            f"{address('AU')}, ph {P('AU')}; bulk-billed consult item {ch(['23', '36', '721'])} on {fmt(recent(), 'en')}")


def T_ca_referral():
    p = Person(ch(["en", "fr", "cn", "in"]))
    return (f"Referral: {p.full()}, born {DOB('us')}, health plan ID {M('health_plan_number', dig(4) + '-' + dig(3) + '-' + dig(3) + '-' + upper(2))}, "
            f"{address('CA')}, tel {P('CA')}, fax {P('CA')}")


def T_mixed_postal_label():
    cc = ch(["US", "GB", "DE", "FR", "IT", "ES", "PL", "NL"])
    lab, val = {
        "US": ("ZIP code", ch(US_CITIES)[2] + dig(2) + ch(["", "-" + dig(4)])),
        "GB": ("postcode", uk_postcode()),
        "DE": ("PLZ", ch(["10", "20", "50", "80"]) + dig(3)),
        "FR": ("code postal", ch(["75", "69", "31", "13"]) + dig(3)),
        "IT": ("CAP", ch(["00", "20", "80"]) + dig(3)),
        "ES": ("código postal", ch(["28", "08", "46"]) + dig(3)),
        "PL": ("kod pocztowy", f"{R.randint(0, 9)}{R.randint(0, 9)}-{dig(3)}"),
        "NL": ("postcode", ndig(4) + " " + upper(2, "ABCDEGHJKLMNPRSTVWXZ")),
    }[cc]
    p = Person()
    return (f"Address verification for {p.full()} failed: {lab} {M('postal_code', val)} does not match the city on file; "
            f"request {uuid4()} logged at {R.randint(0, 23):02d}:{R.randint(0, 59):02d}.")


def T_multi_address():
    cc = ch(["US", "GB", "CA", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "ES", "IT", "PL", "PT", "SE", "DK", "NO", "FI", "CZ", "TR", "BR", "IN", "JP", "AU"])
    p = Person()
    return f"Ship to: {p.full()}, {address(cc)} — order {order_no()}, {R.randint(1, 5)} item(s), weight {R.randint(1, 40) / 10} kg"


def T_insurance_letter():
    p = Person()
    return (f"Dear {p.full()}, we have received your claim dated {fmt(recent(), 'en')} under policy number {M('health_plan_number', 'HP-' + dig(8))}. "
            f"Please upload the itemised invoice at {M('url', url_value('claims.orbis-assurance.com', '/upload'))} quoting claim ref CL{dig(7)}.")


def T_beneficiary():
    p = Person(ch(["en", "af", "in"]))
    return (f"Beneficiary ID {M('health_plan_number', upper(3) + dig(8))} — {p.full()} — plan year {R.randint(2023, 2025)} — "
            f"deductible met ${amount(100, 3000)} of ${amount(3000, 6000)}; address on file {address('US')}")


def T_ip_plain():
    return (f"Blocklist update: {IP(ipv4('public'))}, {IP(ipv4('public'))} and {IP(ipv6())} added after {R.randint(20, 900)} failed logins "
            f"(rule {version()}, ticket SEC-{dig(4)})")


def T_gdpr_request():
    p = Person()
    return (f"Data subject access request from {p.full()} ({p.email()}), received {fmt(recent(), 'en')} via {M('url', url_value('privacy.northwind-group.com', '/dsar'))}; "
            f"identity verified with date of birth {DOB('en')} and phone {P(ch(['GB', 'IE', 'DE', 'FR', 'NL']))}.")



# --- more SSN, card and URL contexts ---------------------------------------

def T_us_1099():
    p = Person(ch(["en", "es", "kr", "af"]))
    return (f"1099-NEC recipient: {p.full()}, recipient's TIN (SSN) {M('ssn', ssn_value(ch(['-', ' '])))}, {address('US')}; "
            f"box 1 nonemployee compensation ${amount(600, 90000)}; payer TIN {R.randint(10, 99)}-{dig(7)}; account no. {dig(8)}")


def T_us_dependent():
    p = Person(ch(["en", "es", "in", "vn", "kr"]))
    kid = ch([g for g in REGIONS[p.reg][0] + REGIONS["en"][0] if g != p.given])
    return (f"Benefits enrollment — employee {p.full()} adds dependent {M('name', kid + ' ' + p.family)} (child), date of birth {DOB('us', 'child')}, SSN {M('ssn', ssn_value())}; "
            f"coverage tier Employee + Child effective {fmt(recent(), 'us')}; plan code PPO-{R.randint(100, 999)}")


def T_us_ssn_chat():
    p = Person(ch(["en", "af", "es"]))
    h, m = R.randint(1, 11), R.randint(10, 57)
    return (f"[{h}:{m:02d} PM] {p.g()}: ok here it is, my social is {M('ssn', ssn_value(ch([' ', '-'])))} and "
            f"the last four of my card are {dig(4)} — [{h}:{m + 2:02d} PM] Agent: thanks, I have verified you.")


def T_us_w2_ticket():
    p = Person()
    old, new = ssn_value("-"), ssn_value("-")
    return (f"PAYROLL-{dig(4)}: W-2 for tax year {R.randint(2022, 2024)} shows SSN {M('ssn', old)} for {p.full()}; employee says the correct "
            f"number is {M('ssn', new)}. Issue W-2c; employee email {p.email()}.")


def T_us_loan_app():
    p = Person(ch(["en", "kr", "in", "es"]))
    return (f"Loan application #{dig(8)} — applicant {p.full()}, Social Security Number {M('ssn', ssn_value())}, DOB {DOB('us')}, "
            f"gross monthly income ${amount(2000, 20000)}, home phone {P('US')}, current address {address('US')} (since {R.randint(2005, 2023)})")


def T_pipe_table_ssn():
    rows = []
    for _ in range(2):
        p = Person(ch(["en", "es", "kr", "vn", "af"]))
        rows.append(f"| {p.inv()} | {M('ssn', ssn_value(ch(['-', ' '])))} | {fmt(recent(), 'iso')} | {amount(1000, 9000)} |")
    return "| Employee | SSN | Pay date | Net pay | |---|---|---|---| " + " ".join(rows)


def T_hotel_guarantee():
    p = Person()
    c, brand, _ = card(sep=ch([" ", "-", ""]))
    return (f"Reservation {upper(2)}{dig(6)} for {p.full()}, arrival {fmt(recent(), 'en')}, {R.randint(1, 9)} nights, room type DBL; "
            f"guaranteed with {brand} {M('credit_card', c)} exp {R.randint(1, 12):02d}/{R.randint(26, 31)}; guest e-mail {p.email()}")


def T_card_multilang():
    p = Person(ch(["de", "fr", "es", "it", "nl", "pl", "tr", "nordic"]))
    c = card_value(sep=ch([" ", " ", "-", ""]))
    txt = {
        "de": f"Bitte sperren Sie meine Kreditkarte {M('credit_card', c)}, sie wurde gestohlen. Gruß, {p.full()}",
        "fr": f"Bonjour, ma carte bancaire n° {M('credit_card', c)} a été avalée par le distributeur. Cordialement, {p.full()}",
        "es": f"Hola, el número de mi tarjeta es {M('credit_card', c)}; no reconozco el cargo de {amount(10, 900, 'de')} €. Saludos, {p.full()}",
        "it": f"Buongiorno, la mia carta {M('credit_card', c)} risulta bloccata da {fmt(recent(), 'it')}. Grazie, {p.full()}",
        "nl": f"Mijn creditcard {M('credit_card', c)} is verlopen, graag een nieuwe sturen. Groet, {p.full()}",
        "pl": f"Proszę o zastrzeżenie karty {M('credit_card', c)}, {p.gx('zgubiłem', 'zgubiłam')} ją wczoraj. Pozdrawiam, {p.full()}",
        "tr": f"Merhaba, {M('credit_card', c)} numaralı kartımdan iki kez ödeme alındı. Saygılarımla, {p.full()}",
        "nordic": f"Hej, mitt kort {M('credit_card', c)} spärrades efter ett köp på {amount(100, 9000, 'de')} kr. Hälsningar, {p.full()}",
    }[p.reg]
    return txt


def T_card_json():
    p = Person()
    c = card_value(sep=ch(["", " "]))
    return ("{\"payment\": {\"method\": \"card\", \"card_number\": \"" + M("credit_card", c) + f"\", \"exp_month\": {R.randint(1, 12)}, "
            f"\"exp_year\": {R.randint(2026, 2031)}, \"holder\": \"{p.full()}\", \"billing_postcode\": \"{M('postal_code', uk_postcode())}\"}}, "
            f"\"amount\": {R.randint(100, 99999)}, \"currency\": \"GBP\"}}")


def T_card_refund_email():
    p = Person(ch(["en", "ie", "in", "af"]))
    c, brand, digits = card(sep=" ")
    return (f"Subject: refund for order {order_no()} — Hi, please refund ${amount(10, 500)} to my {brand} {M('credit_card', c)} "
            f"(not the card ending {dig(4)}). Thanks, {p.full()}, {P(ch(['US', 'CA', 'GB', 'AU']))}")


def T_phishing_report():
    p = Person()
    bad = ch(["http://secure-login-verify.co/acc", "https://bit.ly/3xK" + dig(4), "http://brightline-bank-support.info/reset",
              "https://mercyvalley-health.portal-update.net/login", "http://paypa1-resolution.com/case"])
    return (f"Phishing report from {p.full()} ({p.email()}): message claimed to be from the bank and linked to {M('url', bad)}; "
            f"headers show sending IP {IP(ipv4('public'))}. Real site is {M('url', url_value('brightlinebank.com', '/security'))}.")


def T_meeting_invite():
    p = Person()
    return (f"Case conference on {fmt(recent(), 'en')} 14:00 CET — join: {M('url', 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_' + sha(12) + '%40thread.v2/0')} "
            f"(meeting ID {dig(3)} {dig(3)} {dig(3)} {dig(3)}, passcode {upper(6)}); organiser {p.full()}")


def T_portal_links():
    lang = ch(["de", "fr", "es", "it", "nl", "pl"])
    host = {"de": "klinikum-nordstadt.de", "fr": "chu-villeneuve.fr", "es": "hospital-levante.es", "it": "asl-sudest.it",
            "nl": "ziekenhuis-oost.nl", "pl": "szpital-praski.pl"}[lang]
    u1 = M("url", url_value(host, ch(["/befunde", "/resultats", "/resultados", "/referti", "/uitslagen", "/wyniki"])))
    u2 = M("url", url_value(host, "/faq"))
    return {
        "de": f"Ihre Befunde stehen im Patientenportal bereit: {u1} — Hilfe finden Sie unter {u2}.",
        "fr": f"Vos résultats sont disponibles sur l'espace patient : {u1} (aide : {u2}).",
        "es": f"Sus resultados ya están disponibles en {u1}; preguntas frecuentes en {u2}.",
        "it": f"I referti sono consultabili su {u1}; per assistenza vedere {u2}.",
        "nl": f"Uw uitslagen staan klaar op {u1}. Veelgestelde vragen: {u2}.",
        "pl": f"Wyniki badań są dostępne na stronie {u1}, pomoc: {u2}.",
    }[lang]


def T_markdown_links():
    return (f"See [the intake form]({M('url', url_value('lakesidemedicalgroup.com', '/forms/intake-v' + str(R.randint(2, 9)) + '.pdf'))}) and "
            f"the policy at {M('url', url_value('northwind-group.com', '/hr/policies/leave'))}, then log the change in PROJ-{R.randint(100, 999)}.")


def T_redirect_log():
    return (f"{fmt(recent(), 'iso')} {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d} WARN open-redirect blocked: next={M('url', ch(['https://', 'http://']) + ch(['evil-cdn.net', 'login-check.xyz', 'docs-share.click']) + '/' + sha(6))} "
            f"client={IP()} ua=okhttp/4.12.0")


# ---------------------------------------------------------------------------
# negative-only templates
# ---------------------------------------------------------------------------

def N_order():
    return (f"Order {order_no()} confirmed on {fmt(recent(), 'en')}: {R.randint(1, 6)} × blood-pressure monitor (SKU BPM-{dig(4)}), total €{amount(30, 400, 'de')}, "
            f"tracking {tracking_no()}.")


def N_invoice_de():
    start = recent()
    a, b = fmt_range("de", 7, 30, start=start)
    inv, due = fmt_range("de", 14, 30, start=start + dt.timedelta(days=35))
    return (f"Rechnung {invoice_no()} vom {inv}: Leistungszeitraum {a} bis {b}, Betrag {amount(50, 9000, 'de')} EUR, "
            f"zahlbar bis {due}, Kundennummer {dig(8)}.")


def N_invoice_fr():
    a, b = fmt_range("fr", 15, 45)
    return (f"Facture n° {invoice_no()} du {a} — montant TTC {amount(20, 4000, 'fr')} € — échéance le {b} — "
            f"référence client {upper(3)}{dig(6)}.")


def N_versions():
    major, minor = R.randint(1, 16), R.randint(0, 30)
    return (f"Release notes: gateway {major}.{minor}.{R.randint(0, 9)} → {major}.{minor + 1}.0, agent {version()}-rc{R.randint(1, 4)}, schema migration {fmt(recent(), 'iso').replace('-', '')}_{ch(['add_index', 'drop_column'])}; "
            f"build {sha(7)} deployed {fmt(recent(), 'iso')}T{R.randint(0, 23):02d}:{R.randint(0, 59):02d}Z.")


def N_luhn_fail():
    return (f"Gift card {card_bad(ch([' ', '-']))} could not be redeemed (checksum error); loyalty no. {dig(10)}, store {R.randint(100, 999)}.")


def N_luhn_fail_compact():
    return (f"tokenize: rejected PAN-like input {card_bad('')} (fails Luhn) from terminal T{dig(5)}, batch {dig(6)}")


def N_bad_iban():
    cc = ch(list(IBAN_BBAN))
    return ch([f"Die IBAN {iban_bad(cc)} ist ungültig (Prüfziffer falsch). Bitte prüfen Sie Ihre Angaben.",
               f"Payment rejected: beneficiary account {iban_bad(cc)} failed validation (code AC01).",
               f"L'IBAN {iban_bad(cc)} saisi n'est pas valide, merci de le corriger.",
               f"El IBAN {iban_bad(cc)} no es válido; revise los dígitos de control."])


def N_bad_ssn():
    return (f"Validation errors: SSN {ssn_invalid()} is not issuable, {ssn_invalid()} rejected, test value {ssn_invalid()} "
            f"(ITIN-range numbers are not SSNs).")


def N_codes():
    return (f"Coding: Dx {icd10()}, {icd10()}, {icd10()}; procedures CPT {cpt()}, {cpt()}; drug NDC {ndc()}; DRG {R.randint(100, 999)}; "
            f"LOINC {R.randint(1000, 99999)}-{R.randint(0, 9)}.")


def N_lab_values():
    return (f"Labs {fmt(recent(), 'us')}: WBC {R.randint(30, 150) / 10} x10^9/L, Hb {R.randint(90, 170) / 10} g/dL, Plt {R.randint(120, 450)}, "
            f"Na {R.randint(130, 147)}, K {R.randint(30, 55) / 10}, Cl {R.randint(95, 110)}, HCO3 {R.randint(18, 30)}, BUN {R.randint(5, 40)}, "
            f"Cr {R.randint(50, 200) / 100}, glucose {R.randint(70, 300)} mg/dL, INR {R.randint(9, 35) / 10}, BP {R.randint(100, 170)}/{R.randint(60, 100)} mmHg.")


def N_lab_de():
    de = lambda lo, hi: str(R.randint(lo, hi) / 10).replace(".", ",")  # noqa: E731
    return (f"Laborbefund vom {fmt(recent(), 'de')}: Leukozyten {de(30, 150)} /nl, CRP {de(1, 200)} mg/l, TSH {de(3, 60)} mU/l, "
            f"HbA1c {de(50, 110)} %, eGFR {R.randint(30, 110)} ml/min/1,73 m², Station 4B, Zimmer {R.randint(100, 499)}, Bett {R.randint(1, 3)}.")


def N_hashes():
    return (f"artifact sha256:{sha()} signed, commit {sha(40)}, md5 {sha(32)}, request_id={uuid4()}")


def N_macs():
    return (f"DHCP: lease for {mac()} renewed (pool guest-{R.randint(1, 9)}), device {mac()} quarantined, switch port Gi1/0/{R.randint(1, 48)}, VLAN {R.randint(2, 4000)}.")


def N_rooms():
    return ch([f"Patient transferred from Room {R.randint(100, 899)} bed {ch('AB')} to ICU bay {R.randint(1, 20)}; porter job {dig(6)}.",
               f"Habitación {R.randint(100, 699)}, cama {R.randint(1, 2)}, planta {R.randint(1, 9)}; control de enfermería a las {R.randint(0, 23)}:{ch(['00', '30'])}.",
               f"Chambre {R.randint(100, 699)}, lit {R.randint(1, 2)}, service de pneumologie, étage {R.randint(1, 9)}.",
               f"Sala {R.randint(1, 20)}, letto {R.randint(1, 30)}, reparto di ortopedia, piano {R.randint(1, 6)}."])


def N_years():
    return (f"Between {R.randint(2005, 2014)} and {R.randint(2015, 2024)} the clinic grew from {R.randint(10, 90)} to {R.randint(100, 900)} staff; "
            f"fiscal year FY{R.randint(2019, 2025)} revenue ${amount(1, 90)}M.")


def N_isbn():
    return (f"Reading list: ISBN {isbn13()}, ISBN {isbn13()} ({ch(['2nd', '3rd', '4th', '5th', '7th'])} ed., {R.randint(1998, 2024)}), pp. {R.randint(10, 400)}–{R.randint(401, 900)}.")


def N_product_codes():
    return ch([f"Ersatzteil-Nr. {dig(4)} {dig(3)} {dig(3)} für Infusionspumpe Typ {upper(2)}-{R.randint(100, 999)}, Lieferzeit {R.randint(2, 10)} Werktage.",
               f"Catalog no. {R.randint(100, 999)}-{dig(4)}-{dig(2)} (sterile gauze, box of {ch(['50', '100', '200'])}); lot {upper(1)}{dig(6)}, exp {fmt(rdate(2025, 2028), 'iso')}.",
               f"REF {dig(4)}-{dig(4)}-{dig(2)} / LOT {dig(8)} — catheter 14 Fr, qty {R.randint(1, 20)}.",
               f"Modelo {upper(2)}-{dig(3)}-{dig(3)}-{dig(3)}, número de serie S/N {upper(3)}{dig(7)}."])


def N_dates_multi():
    lang = ch(["de", "fr", "es", "it", "nl", "pl", "pt", "sv", "da", "no", "fi", "cs", "tr"])
    d, e = fmt_range(lang, 10, 60)
    return {
        "de": f"Aufnahmedatum {d}, Wiedervorstellung am {e}, danach Kontrolle in {R.randint(2, 12)} Wochen.",
        "fr": f"Date d'admission : {d} ; rendez-vous de contrôle le {e} à {R.randint(8, 17)}h{ch(['00', '30'])}.",
        "es": f"Fecha de ingreso: {d}; próxima cita el {e} a las {R.randint(8, 17)}:{ch(['00', '30'])}.",
        "it": f"Data del ricovero: {d}; visita di controllo il {e}.",
        "nl": f"Opnamedatum {d}; controleafspraak op {e} om {R.randint(8, 17)}.{ch(['00', '30'])} uur.",
        "pl": f"Data przyjęcia: {d}; wizyta kontrolna {e} o godz. {R.randint(8, 17)}:{ch(['00', '30'])}.",
        "pt": f"Data de admissão: {d}; próxima consulta em {e}.",
        "sv": f"Inskrivningsdatum {d}; återbesök {e} kl. {R.randint(8, 17)}.{ch(['00', '30'])}.",
        "da": f"Indlæggelsesdato {d}; kontrolbesøg {e}.",
        "no": f"Innleggelsesdato {d}; kontrolltime {e}.",
        "fi": f"Tulopäivä {d}; kontrollikäynti {e}.",
        "cs": f"Datum přijetí {d}; kontrola {e}.",
        "tr": f"Yatış tarihi {d}; kontrol randevusu {e}.",
    }[lang]


def N_death_dx_dates():
    return ch([f"Date of diagnosis {fmt(rdate(2005, 2014), 'us')}; date of death {fmt(rdate(2016, 2024), 'us')}; autopsy case A{R.randint(22, 25)}-{dig(4)}.",
               f"Erstdiagnose {fmt(rdate(2005, 2014), 'de')}, Sterbedatum {fmt(rdate(2016, 2024), 'de')}, Sektionsnummer S-{dig(5)}.",
               f"Diagnóstico inicial {fmt(rdate(2005, 2014), 'es')}; fecha de defunción {fmt(rdate(2016, 2024), 'es')}."])


def N_amounts():
    return (f"Outstanding balance ${amount(100, 90000)} (was ${amount(100, 90000)}); EUR {amount(100, 90000, 'de')}; CHF {amount(100, 9000, 'ch')}; "
            f"{amount(100, 9000, 'fr')} € TTC; {R.randint(1, 9)} {dig(3)},{dig(2)} zł; ¥{R.randint(1000, 999999):,}")


def N_timestamps():
    return (f"{fmt(recent(), 'iso')}T{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}.{dig(6)}+01:00 job=nightly-export "
            f"rows={R.randint(1000, 999999)} duration={R.randint(1, 900)}s exit=0 pid={R.randint(1000, 65000)}")


def N_bad_quads():
    return (f"Config lint: '{out_of_range_quad()}' is not a valid IPv4 address; '{out_of_range_quad()}' also rejected; use a hostname such as "
            f"db-{R.randint(1, 9)}.internal.example instead.")


def N_bare_domains():
    return ch([f"Guidance is on nhs.uk and cdc.gov; do not use {ch(['freemedinfo', 'healthtips24', 'quick-claims'])}.net or similar sites.",
               f"Our new portal name is brightlinebank dot com (launch in Q{R.randint(1, 4)}); the old domain lakesidemedicalgroup.com still redirects.",
               f"Type mercyvalleyhealth.org into the browser, then choose 'Results'; support is available weekdays."])


def N_other_names():
    return ch([f"Seen by Dr. {ch(NON_DICT_NAMES)} with nurse {ch(NON_DICT_GIVEN)} {ch(NON_DICT_NAMES)}. Will review again in May; the {ch(['June', 'July'])} rota is final.",
               f"Grant application (deadline {fmt(recent(), 'en')}) drafted by {ch(NON_DICT_GIVEN)} {ch(NON_DICT_NAMES)}; May figures still missing.",
               f"Visite von Oberarzt Dr. {ch(NON_DICT_NAMES)} und Schwester {ch(NON_DICT_GIVEN)}: keine Änderung der Medikation."])


def N_five_digit():
    return (f"Ticket {ndig(5)} merged into {ndig(5)}; batch {ndig(5)} re-run; CPT {cpt()} billed {R.randint(1, 4)} units; room {ndig(4)}; "
            f"{R.randint(10000, 14999)} {ch(['Riverside Dr', 'Maple Ave'])} is the clinic's street number range, not a ZIP.")


def N_accession():
    return (f"Specimen accession {upper(1)}{R.randint(22, 25)}-{dig(6)}, case number {R.randint(2022, 2025)}-{dig(5)}, lot {upper(2)}{dig(6)}, "
            f"slide {R.randint(1, 12)} of {R.randint(12, 20)} — no patient identifiers on the block label.")


def N_npi_bic():
    return (f"Provider NPI {npi()}, taxonomy 207Q00000X, BIC {ch(['COBADEFFXXX', 'BNPAFRPPXXX', 'INGBNL2A', 'DEUTDEFF500', 'NWBKGB2L'])}, "
            f"sort code {dig(2)}-{dig(2)}-{dig(2)}, ABA routing check pending.")


def N_mbi_like():
    bad = str(R.randint(1, 9)) + ch("SLOIBZ") + upper(1) + dig(1) + upper(1, "ACDEFGHJKMNPQRTUVWXY") + dig(1) + dig(1) + upper(2) + dig(2)
    return (f"MBI format error: '{bad}' contains a letter that is never used (S, L, O, I, B, Z); HICN-style value rejected; "
            f"form CMS-{R.randint(10000, 99999)}-{upper(1)} attached.")


def N_dose():
    return (f"Medication: metformin {ch(['500', '850', '1000'])} mg 1-0-1, ramipril {ch(['2.5', '5', '10'])} mg 1-0-0, "
            f"insulin glargine {R.randint(8, 40)} IU at 22:00, vitamin D {ch(['1000', '2000', '20000'])} IU weekly.")


def N_cas_chem():
    return (f"Safety data sheet: ethanol CAS 64-17-5, sodium hypochlorite CAS 7681-52-9, UN {R.randint(1000, 3500)}, "
            f"flash point {R.randint(10, 60)} °C, storage below {R.randint(20, 30)} °C.")


def N_coords():
    return (f"Ambulance dispatched to {R.randint(40, 59)}.{dig(4)}, {R.randint(1, 19)}.{dig(4)}; ETA {R.randint(4, 25)} min; unit RTW-{R.randint(1, 40)}-{R.randint(1, 9)}.")


def N_jira():
    return (f"PROJ-{R.randint(100, 9999)} blocked by INFRA-{R.randint(100, 999)}; estimate {R.randint(1, 13)} SP; sprint {R.randint(2023, 2025)}.{R.randint(1, 26)}; "
            f"PR #{R.randint(100, 9999)} merged, coverage {R.randint(60, 95)}.{R.randint(0, 9)} %.")


def N_lookalike_near_miss():
    return ch([f"カード番号 {to_script(card_bad(' '), 'fullwidth')} は無効です（チェックディジット不一致）。",
               f"رقم البطاقة {to_script(card_bad(' '), 'arabic')} غير صالح، يرجى التحقق.",
               f"कार्ड संख्या {to_script(card_bad(' '), 'devanagari')} अमान्य है।"])


def N_lookalike_amounts():
    return ch([f"合計金額 ¥{to_script(f'{R.randint(1000, 99999):,}', 'fullwidth')}（税込）、注文番号 {to_script(dig(8), 'fullwidth')}、数量 {to_script(str(R.randint(1, 9)), 'fullwidth')}",
               f"المبلغ {to_script(amount(10, 9000), 'arabic')} درهم، رقم الفاتورة {to_script(dig(8), 'arabic')}",
               f"कुल राशि ₹{to_script(amount(100, 90000), 'devanagari')}, बिल संख्या {to_script(dig(7), 'devanagari')}"])


def N_cjk_dates():
    return ch([f"入院日 {fmt(recent(), 'ja')}、退院予定日 {fmt(recent(), 'ja')}、病室 {R.randint(201, 899)}号室",
               f"就诊日期 {fmt(recent(), 'zh')}，复诊日期 {fmt(recent(), 'zh')}，床号 {R.randint(1, 60)}",
               f"موعد المراجعة {fmt(recent(), 'iso')}، الغرفة {R.randint(100, 500)}"])


def N_bank_statement():
    return (f"Kontoauszug {R.randint(1, 12)}/{R.randint(2023, 2025)}: Buchung {fmt(recent(), 'de')}, Wertstellung {fmt(recent(), 'de')}, "
            f"Verwendungszweck {invoice_no()} KD-NR {dig(7)}, Betrag -{amount(10, 2000, 'de')} EUR, Saldo {amount(100, 20000, 'de')} EUR.")


def N_tracking_multi():
    return (f"Shipment update: {ch(['UPS', 'DHL', 'PostNL', 'La Poste', 'InPost'])} {tracking_no()} — out for delivery, depot {R.randint(10, 99)}, "
            f"route {R.randint(100, 999)}, stop {R.randint(1, 80)}.")


def N_hr_policy():
    return (f"HR policy update v{version()}: annual leave {R.randint(25, 30)} days, probation {R.randint(3, 6)} months, "
            f"notice period {R.randint(1, 3)} months; effective {fmt(recent(), 'en')}; pay grade G{R.randint(1, 12)} band {ch('ABC')}.")


def N_ssn_like_other():
    return (f"Form field 'ID' contained {R.randint(100, 999)}-{R.randint(100, 999)}-{R.randint(100, 999)} (not a valid SSN layout) and "
            f"{R.randint(10, 99)}-{dig(7)} (an EIN); both were cleared.")


def N_mrn_unlabelled():
    return (f"Please quote case {ndig(7)} and batch {upper(2)}-{dig(5)} when you call about the delayed shipment; invoice {invoice_no()} is unrelated.")


def N_iban_wrong_length():
    cc = ch(["DE", "NL", "FR", "GB", "ES"])
    good = iban_value(cc, compact=True)
    short = good[:-2]
    return f"Truncated IBAN in import row {R.randint(2, 900)}: '{group4(short)}' (too short for {cc}); row skipped."


def N_table_neg():
    hdr = "| Item | Qty | Unit price | Lot | |---|---|---|---|"
    rows = " ".join(f"| {ch(['Gauze 10x10', 'Syringe 5 mL', 'Nitrile gloves M', 'IV set'])} | {R.randint(1, 500)} | {amount(0, 40)} | {upper(1)}{dig(6)} |" for _ in range(2))
    return hdr + " " + rows


def N_tsv_neg():
    hdr = "\t".join(["sample_id", "analyte", "value", "unit", "flag"])
    rows = ["\t".join([f"S{dig(6)}", a, str(v), u, ch(["", "H", "L"])]) for a, v, u in
            [("glucose", R.randint(70, 300), "mg/dL"), ("ALT", R.randint(10, 120), "U/L")]]
    return " ⏎ ".join([hdr] + rows)


def N_json_neg():
    return ("{\"orderId\": \"" + order_no().lstrip("#") + "\", \"sku\": \"" + upper(3) + "-" + dig(4) + "\", \"qty\": " + str(R.randint(1, 9))
            + ", \"price\": " + str(R.randint(100, 99999) / 100) + ", \"createdAt\": \"" + fmt(recent(), "iso") + "T09:12:44Z\", \"version\": \"" + version() + "\"}")


def N_yaml_neg():
    return (f"service: {{name: claims-api, image: registry.local/claims-api:{version()}, replicas: {R.randint(1, 6)}, port: {ch(['8080', '8443'])}, "
            f"cpu: {R.randint(100, 2000)}m, memory: {R.randint(256, 4096)}Mi, digest: sha256:{sha(16)}}}")


def N_log_neg():
    return (f"{fmt(recent(), 'iso')} {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d},{dig(3)} INFO  [worker-{R.randint(1, 16)}] "
            f"processed batch {dig(6)} ({R.randint(10, 5000)} records) in {R.randint(10, 9000)} ms, queue depth {R.randint(0, 300)}")


def N_nordic_cz_tr():
    return ch([f"Faktura nr {dig(6)}, förfallodatum {fmt(recent(), 'sv')}, belopp {R.randint(100, 9999)} kr, OCR {dig(10)}.",
               f"Faktura {dig(6)} — forfaldsdato {fmt(recent(), 'da')}, beløb {amount(100, 9000, 'de')} kr.",
               f"Faktura {dig(6)}, forfallsdato {fmt(recent(), 'no')}, KID {dig(9)}, beløp {amount(100, 9000, 'de')} kr.",
               f"Lasku {dig(6)}, eräpäivä {fmt(recent(), 'fi')}, viitenumero {dig(8)}, summa {amount(10, 900, 'de')} €.",
               f"Faktura č. {dig(8)}, datum splatnosti {fmt(recent(), 'cs')}, variabilní symbol {dig(10)}, částka {R.randint(100, 99999)} Kč.",
               f"Fatura no {upper(3)}{R.randint(2023, 2025)}{dig(9)}, son ödeme tarihi {fmt(recent(), 'tr')}, tutar {amount(100, 9000, 'de')} TL."])


def N_email_like():
    return (f"Contact us at support [at] brightlinebank [dot] com or via the web form; handle @{ch(['clinicops', 'nw_support', 'care_team'])} on social media; "
            f"ticket reference {upper(3)}-{dig(5)}")


# ---------------------------------------------------------------------------
# hand-written lines (tricky cases, checked like the rest)
# ---------------------------------------------------------------------------

def hand_lines():
    L = []
    p = Person("en")
    L.append(f"Please call {P('US')} x{R.randint(10, 99)} or dial tel:{M('phone', phone('US'))} — ask for {p.full()}.")
    L.append(f"Portal: {M('url', 'https://results.mercyvalleyhealth.org/view?id=' + dig(6))}. (Link valid for 24 h.)")
    L.append(f"See {M('url', 'www.lakesidemedicalgroup.com/forms')}, then sign in; questions to {role_email('lakesidemedicalgroup.com')}.")
    L.append(f"Connect to [{IP('2001:db8:1f70::999:de8:7648:6e8')}]:8443 or {IP(ipv4('priv192'))}:22 — not to {out_of_range_quad()}.")
    q = Person("de")
    L.append(f"{q.inv()} (geb. {DOB('de')}) – PLZ {M('postal_code', '0' + str(R.randint(1, 9)) + dig(3))}, Zimmer {R.randint(100, 399)}, Bett 2, Aufnahme {fmt(recent(), 'de')}.")
    a, b = fmt_range("us", 3, 9)
    L.append(f"Patient was {ch(['born', 'born on'])} {DOB('us')}, admitted {a} and discharged {b}; Will follow up in May.")
    return L


def lookalike_extra():
    L = []
    for script in ("fullwidth", "arabic", "devanagari", "fullwidth", "arabic", "devanagari"):
        p = Person(ch(["en", "ar", "in", "jp"]))
        L.append(f"{p.full()}: card {M('credit_card', to_script(card_value(sep=ch([' ', '-'])), script))}, phone {M('phone', to_script(phone(ch(['US', 'GB', 'IN', 'JP'])), script))}")
    p = Person("in")
    L.append(f"अमेरिकी कर्मचारी फ़ॉर्म: {p.full()}, SSN {M('ssn', to_script(ssn_value('-'), 'devanagari'))}, ZIP {M('postal_code', ch(US_CITIES)[2] + dig(2))}")
    p = Person("ar")
    L.append(f"فرم کارمند آمریکایی: {p.full()}، شماره SSN {M('ssn', to_script(ssn_value(' '), 'persian'))}")
    return L


# ---------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------

POSITIVE = [
    ("English clinical correspondence", [(T_en_referral, 5), (T_en_discharge, 4), (T_en_lab, 4), (T_en_radiology, 4), (T_en_pharmacy_fax, 4),
                                         (T_en_appt_email, 4), (T_en_handover_chat, 4), (T_uk_nhs_letter, 5), (T_uk_gp_email, 3), (T_ie_letter, 4)]),
    ("US insurance, claims, HR", [(T_us_claim, 4), (T_us_medicare, 4), (T_us_mbi_bare, 4), (T_us_eob, 3), (T_us_prior_auth, 3),
                                  (T_us_hr_onboarding, 6), (T_us_w4, 4), (T_us_ssn_compact, 4), (T_us_background, 4), (T_beneficiary, 3),
                                  (T_insurance_letter, 3)]),
    ("Banking and payments", [(T_us_bank_dispute, 5), (T_card_ticket, 6), (T_card_chat, 3), (T_stripe_log, 5), (T_sepa_instruction, 4),
                              (T_de_ueberweisung, 3), (T_payroll_change, 5), (T_kyc_form, 5), (T_direct_debit, 3)]),
    ("Structured records", [(T_hr_yaml, 4), (T_hr_json, 4), (T_fhir_json, 3), (T_hl7, 3), (T_kv_record, 3), (T_xml, 3),
                            (T_pipe_table_patients, 3), (T_pipe_table_bank, 3), (T_tsv_hr, 3), (T_tsv_claims, 3)]),
    ("Logs, tickets, chat, e-mail", [(T_nginx_log, 4), (T_sshd_log, 4), (T_firewall_v6, 3), (T_app_json_log, 4), (T_audit_v6_port, 3),
                                     (T_ticket_it, 4), (T_ticket_cidr, 3), (T_email_signature, 6), (T_email_thread, 4), (T_slack, 4),
                                     (T_whatsapp, 3), (T_ip_plain, 3), (T_gdpr_request, 4)]),
    ("German, Austrian, Swiss", [(T_de_arztbrief, 4), (T_de_kv, 4), (T_de_termin, 3), (T_at_befund, 3), (T_ch_versicherung, 3)]),
    ("French, Belgian", [(T_fr_courrier, 4), (T_fr_vitale, 3), (T_fr_ameli, 3), (T_be_lettre, 3)]),
    ("Spanish, Portuguese, Brazilian", [(T_es_informe, 4), (T_es_seguro, 3), (T_es_nacida, 3), (T_pt_consulta, 3), (T_br_cadastro, 3)]),
    ("Italian, Dutch, Polish", [(T_it_lettera, 3), (T_it_data_nascita, 3), (T_nl_verwijsbrief, 3), (T_nl_declaratie, 3), (T_pl_skierowanie, 3), (T_pl_ur, 3)]),
    ("Swedish, Danish, Norwegian, Finnish, Czech, Turkish", [(T_se_remiss, 3), (T_se_lon, 2), (T_dk_besked, 3), (T_no_brev, 3), (T_fi_kutsu, 3),
                                                             (T_cz_zprava, 3), (T_tr_rapor, 3), (T_tr_banka, 2)]),
    ("India, Japan, China, Arabic, Australia, Canada", [(T_in_discharge, 3), (T_in_hindi, 2), (T_jp_patient, 3), (T_jp_fullwidth_phone, 2),
                                                        (T_jp_fullwidth_card, 2), (T_cn_patient, 3), (T_ar_patient, 2), (T_ar_ssn, 2),
                                                        (T_lookalike_card_ar, 1), (T_lookalike_ssn_fw, 2), (T_lookalike_dev_card, 1),
                                                        (T_au_medicare, 4), (T_ca_referral, 3)]),
    ("Addresses and postal-code labels", [(T_mixed_postal_label, 5), (T_multi_address, 14)]),
    ("More SSN, card and URL contexts", [(T_us_1099, 4), (T_us_dependent, 3), (T_us_ssn_chat, 4), (T_us_w2_ticket, 2), (T_us_loan_app, 4),
                                        (T_pipe_table_ssn, 2), (T_hotel_guarantee, 5), (T_card_multilang, 10), (T_card_json, 4),
                                        (T_card_refund_email, 3), (T_phishing_report, 3), (T_meeting_invite, 2), (T_portal_links, 4),
                                        (T_markdown_links, 2), (T_redirect_log, 3)]),
]

NEGATIVE = [
    ("Negatives: orders, invoices, amounts, tracking", [(N_order, 4), (N_invoice_de, 3), (N_invoice_fr, 3), (N_amounts, 3), (N_tracking_multi, 3),
                                                        (N_bank_statement, 3), (N_nordic_cz_tr, 6), (N_json_neg, 3), (N_table_neg, 2)]),
    ("Negatives: check-digit near misses and invalid identifiers", [(N_luhn_fail, 4), (N_luhn_fail_compact, 3), (N_bad_iban, 5), (N_iban_wrong_length, 2),
                                                                     (N_bad_ssn, 4), (N_ssn_like_other, 2), (N_mbi_like, 2), (N_lookalike_near_miss, 3),
                                                                     (N_lookalike_amounts, 3)]),
    ("Negatives: clinical codes, values, non-birth dates", [(N_codes, 4), (N_lab_values, 3), (N_lab_de, 3), (N_dates_multi, 8), (N_death_dx_dates, 3),
                                                            (N_rooms, 4), (N_dose, 2), (N_accession, 3), (N_npi_bic, 3), (N_mrn_unlabelled, 2),
                                                            (N_cjk_dates, 3), (N_tsv_neg, 2)]),
    ("Negatives: technical strings", [(N_versions, 3), (N_hashes, 3), (N_macs, 3), (N_timestamps, 2), (N_bad_quads, 3), (N_log_neg, 3),
                                      (N_yaml_neg, 2), (N_jira, 2)]),
    ("Negatives: words, names and numbers that look like something else", [(N_years, 2), (N_isbn, 3), (N_product_codes, 4), (N_bare_domains, 3),
                                                                           (N_other_names, 3), (N_five_digit, 3), (N_cas_chem, 2), (N_coords, 2),
                                                                           (N_email_like, 2), (N_hr_policy, 2)]),
]


SEEN = set()


def render(fn, tries=200):
    last = None
    for _ in range(tries):
        line = fn()
        _, _, errors = check_line(line)
        if line in SEEN:
            errors = errors + ["duplicate"]
        if not errors:
            SEEN.add(line)
            return line
        last = (line, errors)
    raise SystemExit(f"template {getattr(fn, '__name__', fn)} keeps failing: {last}")


def render_fixed(lines_fn):
    for _ in range(200):
        lines = lines_fn()
        if all(not check_line(x)[2] for x in lines):
            return lines
    raise SystemExit(f"{lines_fn.__name__} keeps failing: {[(x, check_line(x)[2]) for x in lines]}")


def build_lines():
    out = [
        "# fresh2.txt: one-time measurement corpus for the personal/health-identifier detector.",
        "# Generated by scripts/pii-fresh2-corpus.py (stdlib, fixed seed). Format and span rules: README.md.",
        "# Pasted tables are flattened to one line: Markdown pipe tables keep their '|' row delimiters;",
        "# tab-separated tables separate rows with ' ⏎ '. The header row labels its columns.",
        "",
    ]
    for title, bank in POSITIVE:
        out.append(f"# --- {title} ---")
        for fn, n in bank:
            for _ in range(n):
                out.append(render(fn))
    out.append("# --- Hand-written edge cases ---")
    out += render_fixed(hand_lines)
    out.append("# --- Look-alike digits (full-width, Arabic-Indic, Devanagari), valid when read by value ---")
    out += render_fixed(lookalike_extra)
    for title, bank in NEGATIVE:
        out.append(f"# --- {title} (no identifiers) ---")
        for fn, n in bank:
            for _ in range(n):
                line = render(fn)
                assert "⟦" not in line, fn.__name__
                out.append(line)
    return out


def check_file(path):
    counts = Counter()
    lookalike = 0
    errors = []
    lines = negatives = 0
    seen = set()
    for no, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        lines += 1
        if raw in seen:
            errors.append(f"{path.name}:{no}: duplicate line")
        seen.add(raw)
        _, spans, errs = check_line(raw)
        errors += [f"{path.name}:{no}: {e}" for e in errs]
        if not spans:
            negatives += 1
        for cat, _, _, val in spans:
            counts[cat] += 1
            if cat in ("ssn", "credit_card", "phone") and any(c.isdecimal() and not c.isascii() for c in val):
                lookalike += 1
    for cat in CATEGORIES:
        if counts[cat] < MIN_PER_CATEGORY:
            errors.append(f"category {cat}: only {counts[cat]} positives (need {MIN_PER_CATEGORY})")
    if lines < MIN_LINES:
        errors.append(f"only {lines} example lines (need {MIN_LINES})")
    if negatives < MIN_NEGATIVE_LINES:
        errors.append(f"only {negatives} negative-only lines (need {MIN_NEGATIVE_LINES})")
    if lookalike < MIN_LOOKALIKE:
        errors.append(f"only {lookalike} look-alike-digit positives (need {MIN_LOOKALIKE})")
    print(f"{path.name}: {lines} example lines, {negatives} negative-only, {sum(counts.values())} positives, "
          f"{lookalike} look-alike-digit ssn/card/phone positives")
    for cat in CATEGORIES:
        print(f"  {cat:24s} {counts[cat]:4d}")
    return errors


def generate(out_dir):
    (Path(out_dir) / "fresh2.txt").write_text("\n".join(build_lines()) + "\n", encoding="utf-8")


def check(out_dir):
    errors = check_file(Path(out_dir) / "fresh2.txt")
    for e in errors:
        print("ERROR", e, file=sys.stderr)
    if errors:
        print(f"{len(errors)} error(s)", file=sys.stderr)
        return False
    print("OK")
    return True
