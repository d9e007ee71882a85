"""Generate and check tests/fixtures/pii/fresh4.txt (one-time measurement set).

Standard library only, fixed seed, deterministic.

    python3 scripts/pii-corpus.py fresh4          # regenerate, then check
    python3 scripts/pii-corpus.py fresh4 --check  # only check the existing file
"""
import ipaddress
import os
import random
import re
import sys
import unicodedata

from . import validators
from .validators import (
    CATEGORIES as CATS, MBI_ALPHA, MBI_RE, aba_check, ascii_digits, au_medicare_check, codice_fiscale_check,
    display_path, group4, iban_check_digits, iban_lengths, iban_mod97, isbn13_check, kvnr_check, luhn_complete,
    luhn_ok, mark, nhs_check, nhs_ok, nir_key, npi_check_digit, read_names, ssn_valid, to_script,
)

OUTPUTS = ("fresh4.txt",)
SEED = 0xF4E5_2C17

NAMES = [unicodedata.normalize("NFC", w) for w in read_names()]
NAMESET = set(NAMES)
_split = NAMES.index("Schmidt")
GIVEN_ALL, FAMILY_ALL = NAMES[:_split], NAMES[_split:]

R = random.Random(SEED)


def M(cat, val):
    assert cat in CATS, cat
    return mark(cat, val)


def pick(seq):
    return R.choice(seq)


def dg(n, first_nonzero=False):
    s = "".join(R.choice("0123456789") for _ in range(n))
    if first_nonzero and s[0] == "0":
        s = str(R.randint(1, 9)) + s[1:]
    return s


def up(n, alphabet="ABCDEFGHJKLMNPRSTUVWXYZ"):
    return "".join(R.choice(alphabet) for _ in range(n))


# ---------------------------------------------------------------- names
REGION = {
    "en": (["Jennifer", "Michael", "Sarah", "David", "Emily", "Daniel", "Rebecca", "Olivia", "Ethan", "Hannah", "Brandon"],
           ["Thompson", "Robinson", "Johnson", "Harris", "Clarke", "Jackson", "Mitchell", "Murphy", "Gallagher"]),
    "de": (["Jürgen", "Katrin", "Sabine", "Lukas", "Annika", "Wolfgang"],
           ["Schmidt", "Müller", "Wagner", "Becker", "Hoffmann", "Schäfer", "Zimmermann"]),
    "fr": (["Mathieu", "Étienne", "Chloé", "Léa", "Benoît"], ["Dubois", "Moreau", "Lefebvre", "Fournier", "Rousseau"]),
    "es": (["Alejandro", "Lucía", "Sofía", "Mateo", "Javier"],
           ["García", "Rodríguez", "Fernández", "López", "Martínez", "Sánchez", "Pérez"]),
    "it": (["Giulia", "Francesca", "Alessandro", "Chiara"], ["Rossi", "Esposito", "Bianchi", "Ricci", "Moretti"]),
    "pl": (["Agnieszka", "Krzysztof", "Małgorzata", "Piotr"],
           ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Lewandowski", "Zielińska"]),
    "nl": (["Sanne", "Daan", "Femke"], ["Jansen", "Bakker", "Visser", "Smit", "Meijer", "Dekker"]),
    "af": (["Oluwaseun", "Chukwuemeka", "Ngozi", "Kwame", "Abena", "Wanjiru", "Thabo"],
           ["Okafor", "Adebayo", "Mensah", "Otieno", "Mwangi", "Nkosi"]),
    "ar": (["Mohammed", "Fatima", "Youssef", "Layla"], ["Haddad", "Nasser", "Mansour", "Khoury"]),
    "tr": (["Mehmet", "Ayşe", "Elif"], ["Yılmaz", "Kaya", "Demir", "Şahin"]),
    "in": (["Priya", "Arjun", "Ananya", "Rahul"], ["Patel", "Sharma", "Singh", "Gupta", "Iyer", "Reddy", "Kumar"]),
    "jp": (["Hiroshi", "Yuki"], ["Tanaka", "Takahashi", "Yamamoto", "Sato"]),
    "cn": (["Wei"], ["Wang", "Zhang", "Chen", "Liu", "Huang"]),
    "vn": (["Minh"], ["Nguyen", "Tran", "Pham"]),
    "kr": (["Minh", "Yuki"], ["Kim", "Choi"]),
    "no": (["Ingrid", "Lars", "Astrid", "Henrik"], ["Johansson", "Andersson", "Lindqvist", "Hansen", "Jørgensen"]),
    "ru": (["Dmitri", "Olena", "Svetlana"], ["Ivanov", "Petrova", "Shevchenko", "Kovalenko"]),
    "gr": (["Eleni"], ["Papadopoulos", "Nikolaou"]),
    "ie": (["Siobhan", "Niamh", "Ciarán"], ["Murphy", "Gallagher", "Clarke"]),
}


def person(region=None):
    if region is None:
        region = pick(list(REGION))
    g, f = REGION[region]
    return pick(g), pick(f)


def full(region=None):
    g, f = person(region)
    return M("name", "%s %s" % (g, f)), g, f


def anyname():
    return M("name", "%s %s" % (pick(GIVEN_ALL), pick(FAMILY_ALL)))


ASCII_MAP = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "É": "E", "ç": "c",
                           "í": "i", "á": "a", "ó": "o", "ú": "u", "ñ": "n", "ł": "l", "ś": "s", "ń": "n",
                           "ó": "o", "ą": "a", "ę": "e", "ż": "z", "ź": "z", "ø": "o", "å": "a", "ş": "s",
                           "ı": "i", "ğ": "g", "î": "i", "ô": "o", "ë": "e", "ï": "i"})


def asc(s):
    s = s.lower().translate(ASCII_MAP)
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if c.isascii())


NONNAMES = ["Gunnhild Brask", "Ottilie Varga", "Bartholomew Quince", "Rasmus Vik", "Ignatius Thorne", "Marisol Quenta",
            "Perpetua Lomax", "Evander Stroud", "Zdeňka Horáková", "Tobiah Crane", "Aurelio Santangelo",
            "Hyacinth Pryce", "Cosmin Dragomir", "Kalliope Vlachou", "Bence Tóth", "Idunn Solberg", "Lorcan Phelan",
            "Ximena Ulloa", "Fenna Groot", "Radek Novotný"]


# ---------------------------------------------------------------- dates
MON = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
           "novembre", "dicembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"],
    "pl": ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
           "października", "listopada", "grudnia"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"],
}


def bdate():
    return (R.randint(1931, 2013), R.randint(1, 12), R.randint(1, 28))


def odate():
    return (R.randint(2019, 2026), R.randint(1, 12), R.randint(1, 28))


def f_us(t):
    return "%02d/%02d/%d" % (t[1], t[2], t[0])


def f_eu(t, sep="."):
    return "%02d%s%02d%s%d" % (t[2], sep, t[1], sep, t[0])


def f_iso(t):
    return "%d-%02d-%02d" % t


def f_cmp(t):
    return "%d%02d%02d" % t


def f_long(t, lang="en"):
    y, m, d = t
    if lang == "en":
        return pick(["%d %s %d" % (d, MON["en"][m - 1], y), "%s %d, %d" % (MON["en"][m - 1], d, y)])
    if lang == "de":
        return "%d. %s %d" % (d, MON["de"][m - 1], y)
    if lang in ("es", "pt"):
        return "%d de %s de %d" % (d, MON[lang][m - 1], y)
    return "%d %s %d" % (d, MON[lang][m - 1], y)


def f_cjk(t):
    return "%d年%d月%d日" % t


def f_kr(t):
    return "%d년 %d월 %d일" % t


def f_any(t):
    return pick([f_us, f_iso, f_eu, lambda x: f_eu(x, "/"), lambda x: f_long(x)])(t)


# ---------------------------------------------------------------- check digits
def luhn_card(prefix, length):
    return luhn_complete(prefix + dg(length - len(prefix) - 1))


CARD_KINDS = [("4", 16), ("4", 13), ("51", 16), ("53", 16), ("55", 16), ("2221", 16), ("2720", 16), ("34", 15),
              ("37", 15), ("6011", 16), ("65", 16), ("3528", 16), ("3589", 16), ("36", 14), ("6759", 19),
              ("62", 19), ("62", 16), ("5018", 18), ("4", 19)]
IR_PREFIX = ["603799", "621986", "589210", "610433", "627412", "502229", "603769"]


def card(prefix=None, length=None):
    if prefix is None:
        prefix, length = pick(CARD_KINDS)
    return luhn_card(prefix, length)


def card_fmt(c, style=None):
    n = len(c)
    if style is None:
        style = pick(["space", "space", "dash", "compact"])
    if style == "compact":
        return c
    sep = " " if style == "space" else "-"
    if n == 15:
        parts = [c[:4], c[4:10], c[10:]]
    elif n == 14:
        parts = [c[:4], c[4:10], c[10:]]
    else:
        parts = [c[i:i + 4] for i in range(0, n, 4)]
    return sep.join(parts)


def near_miss(c):
    while True:
        i = R.randrange(len(c))
        d = str((int(c[i]) + R.randint(1, 9)) % 10)
        x = c[:i] + d + c[i + 1:]
        if not luhn_ok(x):
            return x


IBAN_SPEC = {  # country: BBAN pattern (n digit, a letter, c alnum)
    "DE": "18n", "AT": "16n", "CH": "5n12c", "FR": "10n11c2n", "BE": "12n", "NL": "4a10n", "ES": "20n",
    "IT": "1a10n12c", "GB": "4a14n", "IE": "4a14n", "PL": "24n", "PT": "21n", "SE": "20n", "DK": "14n",
    "NO": "11n", "FI": "14n", "CZ": "20n", "SK": "20n", "TR": "5n1n16c", "GR": "7n16c", "RO": "4a16c",
    "HU": "24n", "LU": "3n13c", "SI": "15n", "HR": "17n", "LT": "16n", "EE": "16n", "LV": "4a13c",
    "BG": "4a6n8c", "CY": "8n16c", "MT": "4a5n18c", "IL": "19n", "SA": "2n18c", "AE": "19n", "BR": "23n1a1c",
}
IBAN_LEN = iban_lengths("DE AT CH FR BE NL ES IT GB IE PL PT SE DK NO FI CZ SK TR GR RO HU LU SI HR LT EE LV BG CY "
                        "MT IL SA AE BR MC SM LI IS KW QA JO MU GI AD MD RS ME MK AL BA XK UA GE AZ KZ PK TN EG LB")
BANKS = {"GB": ["NWBK", "BARC", "LOYD", "HBUK", "MIDL"], "IE": ["AIBK", "BOFI"], "NL": ["ABNA", "INGB", "RABO", "TRIO"],
         "RO": ["RNCB", "BTRL", "BRDE"], "LV": ["HABA", "PARX"], "BG": ["BNBG", "UNCR"], "MT": ["MALT", "VALL"]}


def iban(cc):
    spec = IBAN_SPEC[cc]
    body = ""
    first_a = True
    for cnt, kind in re.findall(r"(\d+)([nac])", spec):
        cnt = int(cnt)
        if kind == "n":
            body += dg(cnt)
        elif kind == "a":
            if first_a and cc in BANKS and cnt == 4:
                body += pick(BANKS[cc])
            else:
                body += up(cnt, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            first_a = False
        else:
            body += "".join(R.choice("0123456789" * 3 + "ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(cnt))
    s = "%s%02d%s" % (cc, iban_check_digits(cc, body), body)
    assert iban_mod97(s) == 1 and len(s) == IBAN_LEN[cc]
    return s


def iban_fmt(s):
    return group4(s) if R.random() < 0.6 else s


def bad_iban(cc):
    s = iban(cc)
    chk = int(s[2:4])
    bad = (chk + R.randint(1, 90)) % 97
    if bad < 2:
        bad += 3
    t = "%s%02d%s" % (cc, bad, s[4:])
    assert iban_mod97(t) != 1
    return t


def ssn():
    while True:
        a = R.randint(1, 899)
        if a != 666:
            break
    return "%03d" % a, "%02d" % R.randint(1, 99), "%04d" % R.randint(1, 9999)


def ssn_fmt(sep=None):
    a, b, c = ssn()
    if sep is None:
        sep = pick(["-", "-", " "])
    return sep.join((a, b, c))


def bad_ssn():
    kind = pick(["000", "666", "9xx", "g00", "s0000"])
    a, b, c = ssn()
    if kind == "000":
        a = "000"
    elif kind == "666":
        a = "666"
    elif kind == "9xx":
        a = str(R.randint(900, 999))
    elif kind == "g00":
        b = "00"
    else:
        c = "0000"
    return "-".join((a, b, c))


def nhs():
    while True:
        d = dg(9, True)
        chk = nhs_check(d)
        if chk is None:
            continue
        n = d + str(chk)
        sep = pick([" ", " ", "-", ""])
        return sep.join((n[:3], n[3:6], n[6:])) if sep else n


def kvnr():
    L = R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    d8 = dg(8)
    return L + d8 + str(kvnr_check(L, d8))


def nir(spaced=None):
    sex = pick("12")
    yy = "%02d" % R.randint(30, 99)
    mm = "%02d" % R.randint(1, 12)
    dep = "%02d" % R.randint(1, 95)
    com = "%03d" % R.randint(1, 990)
    order = "%03d" % R.randint(1, 999)
    n13 = sex + yy + mm + dep + com + order
    key = nir_key(n13)
    if spaced is None:
        spaced = R.random() < 0.6
    if spaced:
        return "%s %s %s %s %s %s %02d" % (sex, yy, mm, dep, com, order, key)
    return "%s%02d" % (n13, key)


def au_medicare():
    d = str(R.randint(2, 6)) + dg(7)
    n = d + str(au_medicare_check(d))
    return "%s %s %d" % (n[:4], n[4:], R.randint(1, 9))


def mbi(dashes=None):
    an = MBI_ALPHA + "0123456789"
    s = (str(R.randint(1, 9)) + R.choice(MBI_ALPHA) + R.choice(an) + dg(1) + R.choice(MBI_ALPHA) + R.choice(an) + dg(1)
         + R.choice(MBI_ALPHA) + R.choice(MBI_ALPHA) + dg(2))
    if dashes is None:
        dashes = R.random() < 0.5
    return "%s-%s-%s" % (s[:4], s[4:7], s[7:]) if dashes else s


def codice_fiscale():
    s = up(6, "BCDFGHLMNPRSTVZ") + "%02d" % R.randint(40, 99) + R.choice("ABCDEHLMPRST") + "%02d" % R.choice(
        [R.randint(1, 28), R.randint(41, 68)]) + R.choice("ABCDEFGHLM") + dg(3)
    return s + codice_fiscale_check(s)


def taj():
    d = dg(8, True)
    c = sum(int(x) * (3 if i % 2 == 0 else 7) for i, x in enumerate(d)) % 10
    n = d + str(c)
    return "%s %s %s" % (n[:3], n[3:6], n[6:])


def amka():
    t = bdate()
    return luhn_card("%02d%02d%02d" % (t[2], t[1], t[0] % 100), 11)


def npi():
    base = str(R.randint(1, 2)) + dg(8)
    return base + npi_check_digit(base)


def aba():
    d = dg(8)
    return d + str(aba_check(d))


def isbn13():
    body = pick(["978", "979"]) + dg(9)
    b = body + str(isbn13_check(body))
    return "%s-%s-%s-%s-%s" % (b[:3], b[3], b[4:7], b[7:12], b[12])


# ---------------------------------------------------------------- identifiers
def mrn():
    return pick([
        lambda: dg(8),
        lambda: R.choice("ABCDEHKMRTZ") + dg(7),
        lambda: up(2) + "-" + dg(6),
        lambda: "%d-%s" % (R.randint(2015, 2024), dg(6)),
        lambda: "MR" + dg(7),
        lambda: dg(3) + "-" + dg(3) + "-" + dg(3),
        lambda: up(3) + dg(6),
        lambda: dg(10),
    ])()


def member_id():
    return pick([
        lambda: up(3) + dg(9),
        lambda: "W" + dg(9),
        lambda: up(1) + dg(8) + "-0" + str(R.randint(1, 4)),
        lambda: "M" + dg(10),
        lambda: up(2) + dg(4) + up(2) + dg(3),
        lambda: "ZGP" + dg(8) + "01",
    ])()


def policy_no():
    return pick([
        lambda: "PL-" + dg(8),
        lambda: up(2) + dg(7) + "-" + dg(2),
        lambda: "TRV" + dg(7),
        lambda: dg(4) + "-" + dg(6) + "-" + up(1),
        lambda: "HP" + dg(9),
    ])()


def medicaid_id():
    return up(2) + dg(5) + up(1)


# ---------------------------------------------------------------- phones
US_AREAS = ["212", "312", "415", "617", "713", "206", "303", "404", "503", "602", "614", "704", "801", "919", "512",
            "216", "314", "412", "608", "860"]


def ph(cc):
    f = {
        "us": lambda: pick(["(%s) %s-%s", "%s-%s-%s", "+1 %s %s %s", "%s.%s.%s", "+1 (%s) %s-%s", "1-%s-%s-%s"]) % (
            pick(US_AREAS), str(R.randint(2, 9)) + dg(2), dg(4)),
        "uk": lambda: pick(["+44 20 %s %s" % (dg(4), dg(4)), "020 %s %s" % (dg(4), dg(4)),
                            "+44 (0)161 %s %s" % (dg(3), dg(4)), "07700 %s" % dg(6), "+44 7911 %s" % dg(6),
                            "0113 %s %s" % (dg(3), dg(4))]),
        "de": lambda: pick(["+49 30 %s" % dg(8), "030 %s" % dg(7), "+49 (0)89 %s %s" % (dg(4), dg(4)),
                            "0151 %s" % dg(8), "+49 221 %s-%s" % (dg(4), dg(2)), "0711 / %s %s" % (dg(3), dg(3))]),
        "fr": lambda: pick(["+33 1 %s %s %s %s" % (dg(2), dg(2), dg(2), dg(2)),
                            "0%d %s %s %s %s" % (R.randint(1, 7), dg(2), dg(2), dg(2), dg(2)),
                            "+33 (0)6 %s %s %s %s" % (dg(2), dg(2), dg(2), dg(2)),
                            "0%d.%s.%s.%s.%s" % (R.randint(1, 7), dg(2), dg(2), dg(2), dg(2))]),
        "es": lambda: pick(["+34 91 %s %s %s" % (dg(3), dg(2), dg(2)), "6%s %s %s" % (dg(2), dg(3), dg(3)),
                            "+34 6%s %s %s" % (dg(2), dg(3), dg(3)), "93 %s %s %s" % (dg(3), dg(2), dg(2))]),
        "it": lambda: pick(["+39 06 %s %s" % (dg(4), dg(4)), "+39 34%d %s %s" % (R.randint(0, 9), dg(3), dg(4)),
                            "02 %s %s" % (dg(4), dg(4)), "33%d %s%s" % (R.randint(0, 9), dg(3), dg(4))]),
        "nl": lambda: pick(["+31 20 %s %s" % (dg(3), dg(4)), "06-%s" % dg(8), "+31 6 %s %s" % (dg(4), dg(4)),
                            "010 %s %s" % (dg(3), dg(4))]),
        "pl": lambda: pick(["+48 22 %s %s %s" % (dg(3), dg(2), dg(2)), "+48 %s %s %s" % (
            pick(["501", "602", "691", "788"]), dg(3), dg(3)), "22 %s-%s-%s" % (dg(3), dg(2), dg(2))]),
        "pt": lambda: pick(["+351 21 %s %s" % (dg(3), dg(4)), "+351 9%d%d %s %s" % (
            R.randint(1, 6), R.randint(0, 9), dg(3), dg(3)), "22 %s %s" % (dg(3), dg(4))]),
        "br": lambda: pick(["+55 11 9%s-%s" % (dg(4), dg(4)), "(11) 9%s-%s" % (dg(4), dg(4)),
                            "+55 21 %s-%s" % (dg(4), dg(4))]),
        "se": lambda: pick(["+46 8 %s %s %s" % (dg(3), dg(3), dg(2)), "070-%s %s %s" % (dg(3), dg(2), dg(2)),
                            "08-%s %s %s" % (dg(3), dg(2), dg(2))]),
        "dk": lambda: pick(["+45 %s %s %s %s" % (dg(2), dg(2), dg(2), dg(2)), "%s %s %s %s" % (
            str(R.randint(2, 9)) + dg(1), dg(2), dg(2), dg(2))]),
        "no": lambda: pick(["+47 %s %s %s %s" % (dg(2), dg(2), dg(2), dg(2)), "+47 %s %s %s" % (
            str(R.randint(4, 9)) + dg(2), dg(2), dg(3))]),
        "fi": lambda: pick(["+358 9 %s %s" % (dg(4), dg(4)), "040 %s %s" % (dg(3), dg(4)),
                            "+358 50 %s %s" % (dg(3), dg(4))]),
        "cz": lambda: pick(["+420 2%s %s %s" % (dg(2), dg(3), dg(3)), "+420 6%s %s %s" % (dg(2), dg(3), dg(3)),
                            "7%s %s %s" % (dg(2), dg(3), dg(3))]),
        "tr": lambda: pick(["+90 212 %s %s %s" % (dg(3), dg(2), dg(2)), "0532 %s %s %s" % (dg(3), dg(2), dg(2)),
                            "+90 (312) %s %s %s" % (dg(3), dg(2), dg(2))]),
        "gr": lambda: pick(["+30 21 %s %s" % (dg(4), dg(4)), "+30 69%s %s %s" % (dg(1), dg(3), dg(4)),
                            "210 %s %s" % (dg(3), dg(4))]),
        "ro": lambda: pick(["+40 21 %s %s" % (dg(3), dg(4)), "07%s %s %s" % (dg(2), dg(3), dg(3)),
                            "+40 7%s %s %s" % (dg(2), dg(3), dg(3))]),
        "hu": lambda: pick(["+36 1 %s %s" % (dg(3), dg(4)), "+36 30 %s %s" % (dg(3), dg(4)),
                            "06 20 %s %s" % (dg(3), dg(4))]),
        "jp": lambda: pick(["03-%s-%s" % (dg(4), dg(4)), "+81 90-%s-%s" % (dg(4), dg(4)),
                            "06-%s-%s" % (dg(4), dg(4)), "090-%s-%s" % (dg(4), dg(4))]),
        "cn": lambda: pick(["+86 13%d %s %s" % (R.randint(0, 9), dg(4), dg(4)), "010-%s %s" % (dg(4), dg(4)),
                            "138%s%s" % (dg(4), dg(4))]),
        "kr": lambda: pick(["010-%s-%s" % (dg(4), dg(4)), "+82 2-%s-%s" % (dg(4), dg(4)),
                            "02-%s-%s" % (dg(3), dg(4))]),
        "in": lambda: pick(["+91 9%s %s" % (dg(4), dg(5)), "+91 22 %s %s" % (dg(4), dg(4)),
                            "09%s %s" % (dg(3), dg(6))]),
        "ae": lambda: pick(["+971 4 %s %s" % (dg(3), dg(4)), "+971 50 %s %s" % (dg(3), dg(4))]),
        "sa": lambda: pick(["+966 11 %s %s" % (dg(3), dg(4)), "+966 5%s %s %s" % (dg(1), dg(3), dg(4))]),
        "eg": lambda: pick(["+20 2 %s %s" % (dg(4), dg(4)), "+20 10 %s %s" % (dg(4), dg(4))]),
        "ir": lambda: pick(["+98 21 %s %s" % (dg(4), dg(4)), "0912 %s %s" % (dg(3), dg(4))]),
        "il": lambda: pick(["+972 3-%s-%s" % (dg(3), dg(4)), "050-%s-%s" % (dg(3), dg(4)),
                            "+972 52-%s-%s" % (dg(3), dg(4))]),
        "au": lambda: pick(["+61 2 %s %s" % (dg(4), dg(4)), "(02) %s %s" % (dg(4), dg(4)),
                            "04%s %s %s" % (dg(2), dg(3), dg(3))]),
        "ie": lambda: pick(["+353 1 %s %s" % (dg(3), dg(4)), "087 %s %s" % (dg(3), dg(4))]),
        "ca": lambda: "+1 %s %s %s" % (pick(["416", "514", "604", "613"]), str(R.randint(2, 9)) + dg(2), dg(4)),
        "ch": lambda: pick(["+41 44 %s %s %s" % (dg(3), dg(2), dg(2)), "079 %s %s %s" % (dg(3), dg(2), dg(2))]),
        "at": lambda: pick(["+43 1 %s %s" % (dg(4), dg(4)), "0664 %s %s" % (dg(3), dg(4))]),
        "be": lambda: pick(["+32 2 %s %s %s" % (dg(3), dg(2), dg(2)), "0470 %s %s %s" % (dg(2), dg(2), dg(2))]),
    }[cc]
    return f()


def P(cc):
    return M("phone", ph(cc))


# ---------------------------------------------------------------- emails, urls, ips
DOMAINS = ["lakeshore-health.org", "kliniken-nordost.de", "mutuelle-horizon.fr", "clinicabahia.es", "asl-tirreno.it",
           "zorgpunt-oost.nl", "medicor-krakow.pl", "saude-atlantico.pt", "vardcentral-syd.se", "tandklinik-fyn.dk",
           "fastlege-bergen.no", "terveystalo-itä.fi".replace("ä", "a"), "nemocnice-vltava.cz", "saglik-marmara.com.tr",
           "iatreio-attiki.gr", "spital-carpati.ro", "rendelo-duna.hu", "northwind-bank.com", "pinecrest-insurance.com",
           "meridian-rx.com", "telco-one.net", "harborview-dental.com", "clearsight-optometry.com", "gmail.com",
           "outlook.com", "yahoo.co.jp", "163.com", "naver.com", "proton.me", "web.de", "orange.fr", "libero.it",
           "wp.pl", "sapo.pt", "hotmail.com", "icloud.com", "mail.ru", "rediffmail.com"]


def email(g=None, f=None, dom=None):
    if dom is None:
        dom = pick(DOMAINS)
    if g is None:
        loc = pick(["intake", "billing", "claims", "appeals", "records", "frontdesk", "noreply", "privacy",
                    "pharmacy", "support", "care.team", "hr-payroll", "fraud-ops", "leasing", "kyc"])
    else:
        g2, f2 = asc(g), asc(f)
        loc = pick(["%s.%s" % (g2, f2), "%s%s" % (g2[0], f2), "%s_%s%d" % (g2, f2, R.randint(1, 99)),
                    "%s.%s" % (f2, g2[0])])
    return M("email", "%s@%s" % (loc, dom))


URL_HOSTS = ["https://portal.lakeshore-health.org", "https://www.pinecrest-insurance.com", "http://intranet.ehr.local",
             "https://myclaims.meridian-rx.com", "www.kliniken-nordost.de", "https://www.ameli.fr",
             "https://sede.clinicabahia.es", "www.zorgpunt-oost.nl", "https://rejestracja.medicor-krakow.pl",
             "https://app.northwind-bank.com", "www.telco-one.net", "https://verify.vaxcert.example.org",
             "https://appeals.pinecrest-insurance.com", "https://status.harborview-dental.com",
             "https://booking.clearsight-optometry.com", "http://10.20.4.17:8080".replace("10.20.4.17", "ehr-gw"),
             "https://www.1177.se", "https://minside.fastlege-bergen.no", "https://e-recept.nemocnice-vltava.cz",
             "https://randevu.saglik-marmara.com.tr", "www.spital-carpati.ro", "https://ugyfelkapu.rendelo-duna.hu"]
URL_PATHS = ["", "/", "/appeals", "/forms/intake.pdf", "/claims/status?ref=%s" % "{r}", "/de/termine",
             "/patient/login?next=%2Fmessages", "/verify#qr", "/v2/eligibility", "/faq/billing.html",
             "/s/{r}", "/kontakt", "/downloads/consent_v3.pdf", "/track?id={r}"]


def url():
    h = pick(URL_HOSTS)
    p = pick(URL_PATHS).replace("{r}", up(3, "abcdefghkmnpqrstuvwxyz") + dg(4))
    return M("url", h + p)


def ipv4(private=None):
    if private is None:
        private = R.random() < 0.5
    if private:
        return _ipv4p()
    return "%d.%d.%d.%d" % (pick([23, 45, 62, 81, 91, 104, 141, 185, 193, 203, 212, 217]), R.randint(0, 255),
                            R.randint(0, 255), R.randint(1, 254))


def _ipv4p():
    k = R.randint(0, 2)
    if k == 0:
        return "10.%d.%d.%d" % (R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))
    if k == 1:
        return "192.168.%d.%d" % (R.randint(0, 255), R.randint(1, 254))
    return "172.%d.%d.%d" % (R.randint(16, 31), R.randint(0, 255), R.randint(1, 254))


def ipv6():
    k = R.randint(0, 3)
    h = lambda: "%x" % R.randint(1, 0xFFFF)
    if k == 0:
        return "2001:db8:%s:%s::%s" % (h(), h(), h())
    if k == 1:
        return "fe80::%s:%s:%s:%s" % (h(), h(), h(), h())
    if k == 2:
        return pick(["2001:0db8", "2a01:04f8", "2600:1f18"]) + "".join(":%04x" % R.randint(0, 0xFFFF) for _ in range(6))
    return "2a02:%s:%s:%s:%s:%s::%s" % (h(), h(), h(), h(), h(), h())


def IP(v6=None):
    if v6 is None:
        v6 = R.random() < 0.3
    return M("ip_address", ipv6() if v6 else ipv4())


# ---------------------------------------------------------------- postal codes / addresses
def pc(cc):
    L = "ABCDEFGHJKLMNPRSTUWXYZ"
    return {
        "us": lambda: ("%05d" % R.randint(1001, 99950)) + (("-" + dg(4)) if R.random() < 0.3 else ""),
        "uk": lambda: pick(["SW1A", "M1", "B33", "CR2", "LS1", "EC1A", "G2", "EH1", "BS1", "NE1", "CF10", "OX4",
                            "L3", "N7", "SE15", "W1T", "BT7"]) + " " + str(R.randint(1, 9)) + up(2, "ABDEFGHJLNPQRSTUWXYZ"),
        "ca": lambda: "%s%d%s %d%s%d" % (R.choice("ABCEGHJKLMNPRSTVXY"), R.randint(0, 9), R.choice(L), R.randint(0, 9),
                                         R.choice(L), R.randint(0, 9)),
        "de": lambda: "%05d" % R.randint(1067, 99998),
        "at": lambda: "%d" % pick([1010, 1030, 1090, 1100, 4020, 5020, 6020, 8010]),
        "ch": lambda: "%d" % pick([8001, 8004, 3011, 1201, 4051, 6003, 9000]),
        "fr": lambda: pick(["75%03d" % R.randint(1, 20), "69%03d" % R.randint(1, 9), "%05d" % R.randint(1000, 95999)]),
        "be": lambda: "%d" % pick([1000, 1050, 2000, 3000, 4000, 9000]),
        "nl": lambda: "%d%s%s" % (R.randint(1011, 9999), pick([" ", " ", ""]), up(2, "ABCEGHJKLMNPRTVWXZ")),
        "es": lambda: "%05d" % pick([28013, 8001, 46002, 41004, 48001, 29016, 50001, 15003]),
        "it": lambda: "%05d" % pick([185, 20121, 10121, 80133, 50122, 40126, 90133, 16121]),
        "pl": lambda: "%02d-%03d" % (R.randint(0, 99), R.randint(0, 999)),
        "pt": lambda: "%04d-%03d" % (R.randint(1000, 9999), R.randint(0, 999)),
        "se": lambda: "%03d %02d" % (R.randint(100, 984), R.randint(0, 99)),
        "dk": lambda: "%d" % pick([1050, 2100, 2200, 8000, 5000, 9000]),
        "no": lambda: "%04d" % pick([150, 154, 250, 5003, 7010, 9008]),
        "fi": lambda: "%05d" % pick([100, 120, 250, 33100, 20100, 90100]),
        "cz": lambda: "%03d %02d" % (pick([110, 120, 602, 301, 702]), R.randint(0, 9)),
        "tr": lambda: "%05d" % pick([34371, 34394, 6420, 35210, 16010]),
        "jp": lambda: "%03d-%04d" % (R.randint(100, 999), R.randint(0, 9999)),
        "au": lambda: "%d" % pick([2000, 2010, 3000, 3121, 4000, 5000, 6000, 2600]),
        "in": lambda: pick(["%06d" % R.randint(110001, 700099), "%03d %03d" % (R.randint(110, 700), R.randint(1, 99))]),
        "br": lambda: "%05d-%03d" % (R.randint(1000, 99999), R.randint(0, 999)),
        "ie": lambda: "%s %s" % (pick(["D02", "D04", "D08", "T12", "H91", "V94", "A94", "D6W"]),
                                 "".join(R.choice("ACDEFHKNPRTVWXY0123456789") for _ in range(4))),
    }[cc]()


US_CITIES = [("Springfield", "IL"), ("Columbus", "OH"), ("Austin", "TX"), ("Portland", "OR"), ("Tucson", "AZ"),
             ("Raleigh", "NC"), ("Madison", "WI"), ("Boise", "ID"), ("Albany", "NY"), ("Denver", "CO"),
             ("Hartford", "CT"), ("Omaha", "NE"), ("Richmond", "VA"), ("Tacoma", "WA")]
US_STREETS = ["Maple Ave", "Lakeview Dr", "Cedar Hollow Rd", "Riverside Dr", "Orchard St", "Sycamore Ln",
              "Beacon St", "Old Mill Rd", "Prairie View Ct", "Elm St", "Harbor Blvd", "Pinecrest Way", "Quarry Rd"]


def addr(cc, house5=False):
    z = M("postal_code", pc(cc))
    if cc == "us":
        c, st = pick(US_CITIES)
        num = R.randint(10000, 19999) if house5 else R.randint(2, 9899)
        apt = pick(["", "", ", Apt 4B", ", Unit 12", " #210"])
        return "%d %s%s, %s, %s %s" % (num, pick(US_STREETS), apt, c, st, z)
    if cc == "uk":
        return "%d %s, %s %s" % (R.randint(1, 240), pick(["Albion Road", "Kingsway", "Station Road", "Mill Lane",
                                                        "Queen's Drive", "Harcourt Terrace"]),
                                 pick(["London", "Manchester", "Leeds", "Bristol", "Glasgow", "Cardiff"]), z)
    if cc == "ca":
        return "%d %s, %s %s" % (R.randint(10, 2400), pick(["Rue Sherbrooke O", "Bloor St W", "Robson St"]),
                                 pick(["Montréal QC", "Toronto ON", "Vancouver BC"]), z)
    if cc == "de":
        return "%s %d, %s%s %s" % (pick(["Hauptstraße", "Lindenallee", "Am Stadtpark", "Bahnhofstr.", "Gartenweg"]),
                                   R.randint(1, 120), pick(["", "", "D-"]), z,
                                   pick(["Berlin", "Köln", "Leipzig", "Hamburg", "Dresden", "Mainz"]))
    if cc == "at":
        return "%s %d, %s%s %s" % (pick(["Mariahilfer Straße", "Landstraße"]), R.randint(1, 90), pick(["", "A-"]), z,
                                   pick(["Wien", "Linz", "Graz"]))
    if cc == "ch":
        return "%s %d, %s%s %s" % (pick(["Bahnhofstrasse", "Seefeldstrasse"]), R.randint(1, 90), pick(["", "CH-"]), z,
                                   pick(["Zürich", "Bern", "Basel"]))
    if cc == "fr":
        return "%d %s, %s %s" % (R.randint(1, 140), pick(["rue des Lilas", "avenue Jean-Jaurès", "boulevard Voltaire",
                                                          "rue de la République"]), z,
                                 pick(["Paris", "Lyon", "Nantes", "Lille"]))
    if cc == "be":
        return "%s %d, %s %s" % (pick(["Rue Haute", "Meir", "Chaussée de Wavre"]), R.randint(1, 200), z,
                                 pick(["Bruxelles", "Antwerpen", "Liège"]))
    if cc == "nl":
        return "%s %d, %s %s" % (pick(["Keizersgracht", "Coolsingel", "Oudegracht", "Stationsweg"]),
                                 R.randint(1, 400), z, pick(["Amsterdam", "Rotterdam", "Utrecht", "Leiden"]))
    if cc == "es":
        return "%s %d, %d.º %s, %s %s" % (pick(["Calle Mayor", "Avenida de América", "Calle de Alcalá", "Gran Vía"]),
                                        R.randint(1, 150), R.randint(1, 8), pick("ABCD"), z,
                                        pick(["Madrid", "Barcelona", "Valencia", "Sevilla"]))
    if cc == "it":
        return "%s %d, %s %s" % (pick(["Via Roma", "Corso Vittorio Emanuele II", "Via Garibaldi", "Viale Monza"]),
                                 R.randint(1, 200), z, pick(["Roma (RM)", "Milano (MI)", "Torino", "Napoli"]))
    if cc == "pl":
        return "ul. %s %d/%d, %s %s" % (pick(["Marszałkowska", "Długa", "Piotrkowska", "Floriańska"]),
                                        R.randint(1, 150), R.randint(1, 40), z,
                                        pick(["Warszawa", "Kraków", "Łódź", "Gdańsk"]))
    if cc == "pt":
        return "%s %d, %s %s" % (pick(["Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina"]),
                                 R.randint(1, 300), z, pick(["Lisboa", "Porto", "Coimbra"]))
    if cc == "se":
        return "%s %d, %s%s %s" % (pick(["Drottninggatan", "Storgatan", "Kungsgatan"]), R.randint(1, 90),
                                   pick(["", "SE-"]), z, pick(["Stockholm", "Göteborg", "Uppsala"]))
    if cc == "dk":
        return "%s %d, %s %s" % (pick(["Nørrebrogade", "Vesterbrogade", "Østergade"]), R.randint(1, 200), z,
                                 pick(["København N", "Aarhus C", "Odense C"]))
    if cc == "no":
        return "%s %d, %s %s" % (pick(["Storgata", "Thorvald Meyers gate", "Bygdøy allé"]), R.randint(1, 90), z,
                                 pick(["Oslo", "Bergen", "Trondheim"]))
    if cc == "fi":
        return "%s %d, %s %s" % (pick(["Mannerheimintie", "Hämeenkatu", "Aleksanterinkatu"]), R.randint(1, 90), z,
                                 pick(["Helsinki", "Tampere", "Turku"]))
    if cc == "cz":
        return "%s %d, %s %s" % (pick(["Vodičkova", "Náměstí Míru", "Masarykova"]), R.randint(1, 90), z,
                                 pick(["Praha 1", "Brno", "Plzeň"]))
    if cc == "tr":
        return "%s No: %d, %s %s" % (pick(["Halaskargazi Cd.", "Atatürk Blv.", "Cumhuriyet Cd."]),
                                     R.randint(1, 200), z, pick(["Şişli/İstanbul", "Çankaya/Ankara", "Konak/İzmir"]))
    if cc == "jp":
        return "〒%s %s" % (z, pick(["東京都千代田区丸の内1-1-1", "大阪府大阪市北区梅田3-1", "京都府京都市下京区烏丸通",
                                    "神奈川県横浜市西区みなとみらい2-2"]))
    if cc == "au":
        return "%d %s, %s %s" % (R.randint(1, 400), pick(["George St", "Collins St", "Queen St", "Hay St"]),
                                 pick(["Sydney NSW", "Melbourne VIC", "Brisbane QLD", "Perth WA"]), z)
    if cc == "in":
        return "%s, %s %s" % (pick(["Flat 12, Andheri East", "14 MG Road", "Plot 7, Sector 18", "22 Anna Salai"]),
                              pick(["Mumbai", "Bengaluru", "Noida", "Chennai"]), z)
    if cc == "br":
        return "%s %d, %s - %s" % (pick(["Av. Paulista", "Rua Oscar Freire", "Av. Atlântica"]), R.randint(1, 2000),
                                   pick(["São Paulo - SP", "Rio de Janeiro - RJ"]), z)
    if cc == "ie":
        return "%d %s, Dublin, %s" % (R.randint(1, 90), pick(["Harcourt Street", "Baggot Street Lower", "Dame Street"]),
                                      z) if R.random() < 0.6 else "%d %s, %s" % (
            R.randint(1, 90), pick(["Main Street, Ennis", "Patrick Street, Cork"]), z)
    raise KeyError(cc)


# ---------------------------------------------------------------- negatives
def order_no():
    return pick(["ORD-%d-%s" % (R.randint(2021, 2025), dg(6)), "SO%s" % dg(8), "PO #%s" % dg(6),
                 "Bestellnr. %s" % dg(7), "commande n° %s" % dg(8)])


def tracking():
    return pick(["1Z%s%s" % (up(6, "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"), dg(10)), "JD%s" % dg(16),
                 "RR%sDE" % dg(9), "9400 %s %s %s %s %s" % (dg(4), dg(4), dg(4), dg(4), dg(2))])


def amount():
    return pick(["$%s,%03d.%02d" % (R.randint(1, 9), R.randint(0, 999), R.randint(0, 99)),
                 "€%d.%03d,%02d" % (R.randint(1, 9), R.randint(0, 999), R.randint(0, 99)),
                 "%d %03d,%02d zł" % (R.randint(1, 9), R.randint(0, 999), R.randint(0, 99)),
                 "CHF %d'%03d.%02d" % (R.randint(1, 9), R.randint(0, 999), R.randint(0, 99)),
                 "¥%d,%03d" % (R.randint(1, 99), R.randint(0, 999)),
                 "£%d.%02d" % (R.randint(10, 999), R.randint(0, 99)),
                 "%d,%02d kr" % (R.randint(100, 9999), R.randint(0, 99))])


def version():
    return "%d.%d.%d" % (R.randint(0, 14), R.randint(0, 30), R.randint(0, 99))


def hexs(n):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))


def uuid():
    return "%s-%s-4%s-%s%s-%s" % (hexs(8), hexs(4), hexs(3), pick("89ab"), hexs(3), hexs(12))


def mac():
    return ":".join("%02X" % R.randint(0, 255) for _ in range(6))


def icd10():
    return pick(["E11.9", "I10", "J45.909", "M54.5", "K21.9", "F41.1", "N39.0", "Z23", "S52.501A", "R07.9",
                 "H52.13", "K02.52", "B34.2", "Z00.00"])


def cpt():
    return pick(["99213", "99214", "93000", "90471", "92014", "D0120", "D2391", "80053", "71046", "97110"])


def ndc():
    return "%s-%s-%s" % (dg(5), dg(3), dg(2)) if R.random() < 0.5 else "%s-%s-%s" % (dg(4), dg(4), dg(2))


def loinc():
    return pick(["4548-4", "2345-7", "718-7", "2160-0", "1742-6", "33914-3", "14647-2"])


def atc():
    return pick(["A10BA02", "C09AA05", "N02BE01", "J01CA04", "R03AC02", "C10AA05", "B01AC06"])


def bic():
    return pick(["DEUTDEFFXXX", "COBADEFFXXX", "BNPAFRPPXXX", "INGBNL2A", "BSCHESMM", "UNCRITMM", "PKOPPLPW",
                 "NDEASESS", "DABADKKK", "HANDNOKK", "OKOYFIHH", "KOMBCZPP", "TGBATRIS", "ETHNGRAA", "BTRLRO22",
                 "OTPVHUHB"])


def sortcode():
    return "%02d-%02d-%02d" % (R.randint(10, 99), R.randint(0, 99), R.randint(0, 99))


def bad_quad():
    o = [R.randint(0, 255) for _ in range(4)]
    o[R.randrange(4)] = R.randint(256, 999)
    return ".".join(map(str, o))


BARE = ["lakeshore-health.org", "pinecrest-insurance.com/appeals", "meridian-rx.com", "kliniken-nordost.de/termine",
        "zorgpunt-oost.nl", "northwind-bank.com/security", "telco-one.net", "ameli.fr", "1177.se"]


# ---------------------------------------------------------------- templates
TEMPLATES = []


def T(n):
    def deco(fn):
        TEMPLATES.append((fn, n))
        return fn
    return deco


TITLES_EN = ["", "", "Mr ", "Ms ", "Mrs ", "Dr. "]


# ---- English clinical
@T(6)
def t_triage():
    n, g, f = full()
    return "ED triage %02d:%02d — %s%s (MRN %s), DOB %s, arrived by %s; callback %s; CC %s, ESI %d, ICD-10 %s." % (
        R.randint(0, 23), R.randint(0, 59), pick(TITLES_EN), n, M("medical_record_number", mrn()),
        M("date_of_birth", f_us(bdate())), pick(["ambulance", "private car", "walk-in"]), P("us"),
        pick(["chest tightness", "fall at home", "fever x3 days", "abdominal pain"]), R.randint(1, 5), icd10())


@T(5)
def t_medrec():
    n, g, f = full()
    return ("Medication reconciliation — %s, medical record no. %s, D.O.B. %s: metformin 500 mg BID, lisinopril "
            "10 mg daily (NDC %s); outpatient pharmacy fax %s; reconciled by RN on %s.") % (
        n, M("medical_record_number", mrn()), M("date_of_birth", f_us(bdate())), ndc(), P("us"), f_us(odate()))


@T(5)
def t_homecare():
    n, g, f = full("en")
    n2 = anyname()
    return ("Home-care visit log %s 09:%02d: saw %s at %s; BP %d/%d, wound dressing changed; next visit %s; "
            "emergency contact %s %s.") % (
        f_iso(odate()), R.randint(0, 59), n, addr("us", house5=R.random() < 0.4), R.randint(110, 160),
        R.randint(60, 95), f_us(odate()), n2, P("us"))


@T(5)
def t_dental():
    n, g, f = full()
    return ("Dental recall — patient %s, chart number %s, born %s; #19 MOD composite (CDT D2393), perio 4 mm; "
            "dental plan subscriber ID %s; reminder to %s.") % (
        n, M("medical_record_number", mrn()), M("date_of_birth", f_long(bdate())),
        M("health_plan_number", member_id()), email(g, f))


@T(5)
def t_optometry():
    n, g, f = full()
    return ("Optometry Rx · %s · DOB %s · patient ID %s · OD -%d.%02d -0.50 x 180 · OS -%d.25 · PD %d · Rx expires %s"
            " · vision plan member ID %s") % (
        n, M("date_of_birth", f_us(bdate())), M("medical_record_number", mrn()), R.randint(0, 5),
        pick([0, 25, 50, 75]), R.randint(0, 5), R.randint(56, 70), f_iso(odate()),
        M("health_plan_number", member_id()))


@T(5)
def t_vaxcert():
    n, g, f = full()
    return ("Certificate of vaccination / Certificat de vaccination — holder: %s; date of birth / date de naissance: "
            "%s; dose %d/3 lot %s%s administered %s; verify at %s") % (
        n, M("date_of_birth", f_iso(bdate())), R.randint(1, 3), up(2), dg(4), f_iso(odate()), url())


@T(5)
def t_x12():
    g, f = person(pick(["en", "es", "in", "vn", "cn"]))
    c, st = pick(US_CITIES)
    return ("Eligibility 271 excerpt (NM109 = member ID, DMG02 = DOB): NM1*IL*1*%s*%s****MI*%s~N3*%d %s~N4*%s*%s*%s~"
            "DMG*D8*%s*%s~EB*1*IND*30**GOLD PPO~DTP*291*D8*%s~") % (
        M("name", f), M("name", g), M("health_plan_number", member_id()), R.randint(2, 9800), pick(US_STREETS).upper(),
        c.upper(), st, M("postal_code", pc("us")[:5]), M("date_of_birth", f_cmp(bdate())), pick("MF"),
        f_cmp(odate()))


@T(5)
def t_denial():
    n, g, f = full()
    return ("Claim %s for %s (member ID %s) denied — CARC 197 (precertification absent), billed %s, CPT %s. Appeal "
            "online at %s or by fax to %s within 180 days.") % (
        "CLM-%s-%s" % (R.randint(2022, 2025), dg(6)), n, M("health_plan_number", member_id()), amount(), cpt(), url(),
        P("us"))


@T(5)
def t_appeal():
    n, g, f = full()
    return ("Re: level-1 appeal, policy number %s, patient %s, date of birth %s. The denial dated %s overlooked the "
            "MRI report. Please reply to %s or call %s ext. %d.") % (
        M("health_plan_number", policy_no()), n, M("date_of_birth", f_long(bdate())), f_us(odate()), email(g, f),
        P("us"), R.randint(100, 899))


@T(5)
def t_pbm():
    n, g, f = full()
    return ("PBM reject 75 (prior authorization required): member ID %s, person code 01, DOB %s, BIN 610014, PCN "
            "ADV, group RX%s, NDC %s; prescriber NPI %s; notify %s by text %s.") % (
        M("health_plan_number", member_id()), M("date_of_birth", f_cmp(bdate())), dg(4), ndc(), npi(), n, P("us"))


@T(5)
def t_travel():
    n, g, f = full()
    cc = pick(["DE", "FR", "ES", "IT", "NL", "BE", "AT", "IE", "PT", "GB"])
    return ("Travel-insurance claim TRV-%s: insured %s, policy number %s, born %s; treated abroad on %s, invoice "
            "%s; refund to IBAN %s; contact %s.") % (
        dg(6), n, M("health_plan_number", policy_no()), M("date_of_birth", f_eu(bdate(), "/")), f_iso(odate()),
        amount(), M("iban", iban_fmt(iban(cc))), email(g, f))


@T(6)
def t_pension():
    n, g, f = full("en")
    return ("Pension benefit statement for %s, SSN %s, DOB %s: monthly benefit %s from %s; mailing address %s; "
            "questions %s.") % (
        n, M("ssn", ssn_fmt()), M("date_of_birth", f_us(bdate())), amount(), f_long(odate()), addr("us"), P("us"))


@T(6)
def t_payroll():
    n, g, f = full()
    return ("Payroll change request — employee no. %s, %s, SSN %s; direct deposit to ABA routing %s, account ending "
            "%s; effective %s; home %s.") % (
        dg(5), n, M("ssn", ssn_fmt()), aba(), dg(4), f_us(odate()), addr("us", house5=R.random() < 0.3))


@T(5)
def t_loan():
    n, g, f = full()
    return ("Loan application LA-%s: applicant %s, born on %s, Social Security no. %s, e-mail %s, mobile %s, "
            "employer Northwind Logistics, stated income %s.") % (
        dg(7), n, M("date_of_birth", f_us(bdate())), M("ssn", ssn_fmt()), email(g, f), P("us"), amount())


@T(6)
def t_fraud():
    n, g, f = full()
    return ("FRAUD ALERT %s UTC: card %s used for %s at merchant MCC 5967 from IP %s; cardholder %s notified via SMS "
            "%s; case FR-%s.") % (
        "%s %02d:%02d" % (f_iso(odate()), R.randint(0, 23), R.randint(0, 59)), M("credit_card", card_fmt(card())),
        amount(), IP(), n, P(pick(["us", "uk", "de", "ca"])), dg(6))


@T(5)
def t_acctopen():
    n, g, f = full()
    cc = pick(["uk", "ie", "de", "fr", "nl", "es"])
    icc = {"uk": "GB", "ie": "IE", "de": "DE", "fr": "FR", "nl": "NL", "es": "ES"}[cc]
    return ("Account opening form — full name: %s; date of birth: %s; residential address: %s; mobile: %s; "
            "e-mail: %s; salary account IBAN: %s; KYC ref %s.") % (
        n, M("date_of_birth", f_eu(bdate(), "/")), addr(cc), P(cc), email(g, f), M("iban", iban_fmt(iban(icc))),
        up(3) + dg(6))


@T(5)
def t_sim():
    n, g, f = full()
    cc = pick(["uk", "ie", "au", "in"])
    return ("SIM registration — MSISDN %s; subscriber %s; DOB %s; address %s; ICCID 8944%s (20 digits, not a card); "
            "IMEI %s-%s-%s; activated %s.") % (
        P(cc), n, M("date_of_birth", f_eu(bdate(), "/")), addr(cc), dg(16), dg(8), dg(6), dg(1), f_iso(odate()))


@T(5)
def t_tenancy():
    n, g, f = full(pick(["en", "ie", "af", "in"]))
    n2 = anyname()
    return ("Tenancy application: applicant %s, DOB %s, current address %s, mobile %s; reference %s (%s); deposit "
            "%s via sort code %s.") % (
        n, M("date_of_birth", f_eu(bdate(), "/")), addr("uk"), P("uk"), n2, email(), amount(), sortcode())


@T(4)
def t_benefit():
    n, g, f = full()
    return ("Benefit agency notice: Dear %s, your claim BA/%d/%s was reviewed on %s. We hold your date of birth as "
            "%s and your address as %s. Call %s (Mon–Fri).") % (
        n, R.randint(2022, 2025), dg(6), f_long(odate()), M("date_of_birth", f_long(bdate())), addr("uk"), P("uk"))


@T(4)
def t_court():
    n, g, f = full()
    return ("Circuit court, case no. %d-CV-%s: respondent %s, born %s, last known address %s; hearing set for %s at "
            "9:30 a.m., courtroom 4B.") % (
        R.randint(2021, 2025), dg(5), n, M("date_of_birth", f_us(bdate())), addr("us"), f_long(odate()))


@T(6)
def t_chat():
    n, g, f = full()
    return ("[%02d:%02d] agent: to verify, what's your date of birth? [%02d:%02d] customer: it's %s, member ID %s "
            "[%02d:%02d] agent: thanks %s, I see claim %s is pending.") % (
        10, R.randint(0, 59), 10, R.randint(0, 59), M("date_of_birth", f_us(bdate())),
        M("health_plan_number", member_id()), 11, R.randint(0, 59), M("name", g), "CL" + dg(8))


@T(5)
def t_voicemail():
    n, g, f = full()
    return ("Voicemail (auto-transcribed, %ds): hi this is %s calling about my refill, date of birth %s, you can "
            "reach me at %s, thank you.") % (
        R.randint(12, 70), n, M("date_of_birth", f_long(bdate())), P(pick(["us", "uk", "au", "ie", "ca"])))


@T(6)
def t_authlog():
    return "%s %02d %02d:%02d:%02d bastion-%d sshd[%d]: %s from %s port %d ssh2" % (
        pick(["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Sep", "Oct"]), R.randint(1, 28), R.randint(0, 23),
        R.randint(0, 59), R.randint(0, 59), R.randint(1, 4), R.randint(1000, 60000),
        pick(["Failed password for invalid user admin", "Accepted publickey for deploy",
              "Connection closed by authenticating user root", "Invalid user oracle"]), IP(), R.randint(1024, 65535))


@T(5)
def t_vpn():
    g, f = person()
    return ("vpn-gw0%d: user=%s auth=ok assigned_ip=%s client=%s client_ver=%s session=%s" % (
        R.randint(1, 4), email(g, f), M("ip_address", _ipv4p()), "[%s]:%d" % (M("ip_address", ipv6()),
                                                                              R.randint(1024, 65535)), version(),
        hexs(16)))


@T(5)
def t_waf():
    return 'WAF action=block rule=%d (SQLi) client=%s host=portal-lakeshore uri="/api/v2/patients?id=1%%27%%20OR%%201=1" ua="%s" req_id=%s' % (
        R.randint(941000, 949999), IP(), pick(["sqlmap/1.7", "curl/8.4.0", "python-requests/2.31"]), uuid())


@T(5)
def t_syslog():
    g, f = person()
    return "<134>1 %sT%02d:%02d:%02dZ ehr-app0%d audit - - user=%s action=chart_view MRN=%s src=%s result=allowed" % (
        f_iso(odate()), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(1, 6), email(g, f),
        M("medical_record_number", mrn()), IP())


@T(5)
def t_csv():
    rows = []
    for _ in range(2):
        g, f = person()
        rows.append("%s,%s,%s,%s,%s" % (M("medical_record_number", mrn()), M("name", f), M("name", g),
                                        M("date_of_birth", f_iso(bdate())), M("postal_code", pc("us"))))
    return "mrn,last_name,first_name,dob,zip ⏎ " + " ⏎ ".join(rows)


@T(4)
def t_csv_ssn():
    rows = []
    for _ in range(2):
        g, f = person("en")
        rows.append("%s,%s,%s,%d.%02d" % (dg(5), M("name", g + " " + f), M("ssn", ssn_fmt("-")),
                                          R.randint(1000, 9999), R.randint(0, 99)))
    return "emp_id,name,SSN,gross_pay ⏎ " + " ⏎ ".join(rows)


@T(5)
def t_semicolon_de():
    rows = []
    for _ in range(2):
        g, f = person("de")
        rows.append("%s;%s;%s;%s;%s" % (M("medical_record_number", mrn()), M("name", f), M("name", g),
                                        M("date_of_birth", f_eu(bdate())), M("postal_code", pc("de"))))
    return "Patientennummer;Name;Vorname;Geburtsdatum;PLZ ⏎ " + " ⏎ ".join(rows)


@T(5)
def t_tsv():
    rows = []
    for _ in range(2):
        g, f = person()
        rows.append("\t".join([M("health_plan_number", member_id()), M("name", g + " " + f),
                               M("date_of_birth", f_us(bdate())), P("us")]))
    return "member_id\tname\tdob\tphone ⏎ " + " ⏎ ".join(rows)


@T(5)
def t_md():
    rows = []
    for _ in range(2):
        g, f = person()
        rows.append("| %s | %s | %s | %s |" % (M("medical_record_number", mrn()), M("name", g + " " + f),
                                              M("date_of_birth", f_us(bdate())), pick(["4B", "ICU-2", "Ward 7"])))
    return "| MRN | Patient | DOB | Unit | |---|---|---|---| " + " ".join(rows)


@T(4)
def t_md_cards():
    rows = []
    for _ in range(2):
        g, f = person()
        rows.append("| %s | %s | %s | %s |" % (M("name", g + " " + f), M("credit_card", card_fmt(card())),
                                              "%02d/%d" % (R.randint(1, 12), R.randint(26, 31)), amount()))
    return "| Cardholder | Card | Expiry | Disputed | |---|---|---|---| " + " ".join(rows)


@T(5)
def t_json():
    g, f = person()
    return ('{"patient_id": "%s", "name": {"given": "%s", "family": "%s"}, "dob": "%s", "email": "%s", '
            '"address": {"line": "%d %s", "postalCode": "%s"}, "visit": "%s"}') % (
        M("medical_record_number", mrn()), M("name", g), M("name", f), M("date_of_birth", f_iso(bdate())),
        email(g, f), R.randint(2, 9000), pick(US_STREETS), M("postal_code", pc("us")), f_iso(odate()))


@T(5)
def t_yaml():
    g, f = person()
    return "{member_id: %s, subscriber: %s, dob: %s, phone: \"%s\", plan: HMO-Silver, effective: %s}" % (
        M("health_plan_number", member_id()), M("name", g + " " + f), M("date_of_birth", f_iso(bdate())), P("us"),
        f_iso(odate()))


@T(5)
def t_xml():
    g, f = person()
    return ("<Patient><PatientID>%s</PatientID><Name>%s</Name><BirthDate>%s</BirthDate><Address>%s</Address>"
            "<Phone>%s</Phone></Patient>") % (
        M("medical_record_number", mrn()), M("name", g + " " + f), M("date_of_birth", f_iso(bdate())),
        addr(pick(["us", "ca", "au"])), P(pick(["us", "ca", "au"])))


@T(5)
def t_fhir_patient():
    g, f = person()
    return ('{"resourceType": "Patient", "identifier": [{"type": {"text": "MRN"}, "value": "%s"}], "name": [{"family":'
            ' "%s", "given": ["%s"]}], "birthDate": "%s", "telecom": [{"system": "phone", "value": "%s"}], '
            '"address": [{"postalCode": "%s"}]}') % (
        M("medical_record_number", mrn()), M("name", f), M("name", g), M("date_of_birth", f_iso(bdate())), P("us"),
        M("postal_code", pc("us")))


@T(5)
def t_fhir_coverage():
    g, f = person()
    return ('{"resourceType": "Coverage", "status": "active", "subscriberId": "%s", "beneficiary": {"display": "%s"},'
            ' "identifier": [{"system": "%s", "value": "%s"}], "period": {"start": "%s"}}') % (
        M("health_plan_number", member_id()), M("name", g + " " + f), M("url", "http://hl7.org/fhir/sid/us-mbi"),
        M("health_plan_number", mbi()), f_iso(odate()))


@T(5)
def t_fhir_related():
    g, f = person()
    return ('{"resourceType": "RelatedPerson", "relationship": [{"text": "daughter"}], "name": [{"family": "%s", '
            '"given": ["%s"]}], "telecom": [{"system": "email", "value": "%s"}, {"system": "phone", "value": "%s"}], '
            '"birthDate": "%s"}') % (
        M("name", f), M("name", g), email(g, f), P(pick(["us", "uk", "au"])), M("date_of_birth", f_iso(bdate())))


@T(5)
def t_hl7_pid():
    g, f = person()
    c, st = pick(US_CITIES)
    return ("HL7 v2 (PID-3 = MRN, PID-7 = DOB): PID|1||%s^^^LKH^MR||%s^%s^^^||%s|%s|||%d %s^^%s^%s^%s||%s|||||%s"
            % (M("medical_record_number", mrn()), M("name", f), M("name", g), M("date_of_birth", f_cmp(bdate())),
               pick("MF"), R.randint(2, 9800), pick(US_STREETS), c, st, M("postal_code", pc("us")),
               M("phone", "(%s)%s-%s" % (pick(US_AREAS), str(R.randint(2, 9)) + dg(2), dg(4))), "ACC" + dg(7)))


@T(5)
def t_hl7_in1():
    g, f = person()
    fld = [""] * 37
    fld[0], fld[1], fld[2], fld[3], fld[4] = "IN1", "1", "PPO1", dg(5), "PINECREST HEALTH"
    fld[12] = f_cmp(odate())  # plan effective date
    fld[16] = "%s^%s" % (M("name", f), M("name", g))  # name of insured
    fld[17] = "01"  # relationship to patient
    fld[18] = M("date_of_birth", f_cmp(bdate()))  # insured's date of birth
    fld[36] = M("health_plan_number", policy_no())  # policy number
    return "HL7 v2 (IN1-18 = insured DOB, IN1-36 = policy number): " + "|".join(fld)


@T(5)
def t_hl7_nk1():
    g, f = person()
    c, st = pick(US_CITIES)
    return "HL7 v2 next of kin: NK1|1|%s^%s|SPO^Spouse|%d %s^^%s^%s^%s|%s" % (
        M("name", f), M("name", g), R.randint(2, 9800), pick(US_STREETS), c, st, M("postal_code", pc("us")),
        M("phone", "(%s)%s-%s" % (pick(US_AREAS), str(R.randint(2, 9)) + dg(2), dg(4))))


@T(5)
def t_kv():
    g, f = person()
    return "ts=%sT%02d:%02d:%02dZ event=elig_lookup patient_id=%s dob=%s member_id=%s src_ip=%s latency_ms=%d" % (
        f_iso(odate()), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), M("medical_record_number", mrn()),
        M("date_of_birth", f_iso(bdate())), M("health_plan_number", member_id()), IP(), R.randint(3, 900))


@T(6)
def t_sig():
    n, g, f = full()
    cc = pick(["us", "uk", "de", "fr", "nl", "ie", "au"])
    return "-- %s | %s | %s | T %s | %s | %s" % (
        n, pick(["Billing Coordinator", "Patient Access Lead", "Claims Examiner", "Practice Manager", "KYC Analyst"]),
        addr(cc), P(cc), email(g, f), url())


@T(6)
def t_ship():
    n, g, f = full()
    cc = pick(["us", "uk", "ca", "de", "at", "ch", "fr", "be", "nl", "es", "it", "pl", "pt", "se", "au", "in", "br",
               "ie", "jp", "dk", "no", "fi", "cz", "tr"])
    return "Ship replacement glucometer to: %s, %s (order %s)." % (n, addr(cc), order_no())


@T(4)
def t_mbi():
    n, g, f = full("en")
    return ("Medicare eligibility row: %s | %s | Part A %s | Part B %s | status ACTIVE | DOB %s" % (
        M("health_plan_number", mbi()), n, f_us(odate()), f_us(odate()), M("date_of_birth", f_us(bdate()))))


@T(4)
def t_medicaid():
    n, g, f = full()
    return ("Prior auth PA-%s approved for %s, Medicaid ID %s, DOB %s; units 12 of CPT 97110 through %s; fax "
            "determination to %s.") % (dg(7), n, M("health_plan_number", medicaid_id()),
                                       M("date_of_birth", f_us(bdate())), f_us(odate()), P("us"))


@T(4)
def t_nhs():
    n, g, f = full(pick(["en", "ie", "in", "af"]))
    return ("GP practice note: %s, NHS number %s, DOB %s, lives at %s; repeat prescription reviewed %s; tel %s.") % (
        n, M("health_plan_number", nhs()), M("date_of_birth", f_eu(bdate(), "/")), addr("uk"), f_eu(odate(), "/"),
        P("uk"))


@T(3)
def t_au():
    n, g, f = full()
    return "Bulk-bill claim: %s, Medicare card %s, DOB %s, %s, mobile %s." % (
        n, M("health_plan_number", au_medicare()), M("date_of_birth", f_eu(bdate(), "/")), addr("au"), P("au"))


@T(4)
def t_chargeback():
    n, g, f = full()
    return ("Chargeback reason 10.4 — cardholder %s disputes %s on card %s; ARN %s; customer email %s; login IP %s.") % (
        n, amount(), M("credit_card", card_fmt(card())), dg(23), email(g, f), IP())


@T(4)
def t_hotel():
    n, g, f = full()
    return ("Hotel guarantee: guest %s, arrival %s, 3 nights, card on file %s exp %02d/%02d, confirmation %s, "
            "phone %s.") % (n, f_long(odate()), M("credit_card", card_fmt(card())), R.randint(1, 12),
                            R.randint(26, 31), up(2) + dg(6), P(pick(["us", "uk", "de", "fr", "it", "es"])))


@T(4)
def t_pharm_pay():
    n, g, f = full()
    return ("Pharmacy checkout: %s paid copay %s with card %s; Rx #%s; loyalty %s; receipt sent to %s.") % (
        n, amount(), M("credit_card", card_fmt(card(), pick(["compact", "space"]))), dg(7), dg(10), email(g, f))


@T(4)
def t_telco_bill():
    n, g, f = full()
    return ("Telecom autopay update: account %s, holder %s, new card %s, service number %s, portal %s.") % (
        dg(9), n, M("credit_card", card_fmt(card())), P(pick(["us", "uk", "ca", "au"])), url())


@T(4)
def t_w4():
    n, g, f = full("en")
    return ("W-4 intake: %s, social security number %s, born %s, filing status single, address %s.") % (
        n, M("ssn", ssn_fmt()), M("date_of_birth", f_us(bdate())), addr("us"))


@T(5)
def t_compact_ssn():
    n, g, f = full("en")
    return '{"customer": "%s", "customer_ssn": "%s", "dob": "%s", "kyc_ip": "%s"}' % (
        n, M("ssn", "".join(ssn())), M("date_of_birth", f_iso(bdate())), IP())


# ---- German
@T(5)
def t_de_aufnahme():
    g, f = person("de")
    return ("Aufnahme %s: %s %s, geb. %s, Patientennummer %s, Versichertennummer %s, Tel. %s, wohnhaft %s.") % (
        f_eu(odate()), pick(["Frau", "Herr"]), M("name", g + " " + f), M("date_of_birth", f_eu(bdate())),
        M("medical_record_number", mrn()), M("health_plan_number", kvnr()), P("de"), addr("de"))


@T(4)
def t_de_sepa():
    g, f = person("de")
    return ("SEPA-Lastschriftmandat: Kontoinhaber %s, IBAN %s, BIC %s, Gläubiger-ID DE98ZZZ0%s, Mandatsreferenz "
            "%s, E-Mail %s.") % (M("name", g + " " + f), M("iban", iban_fmt(iban(pick(["DE", "AT"])))), bic(),
                                  dg(10), up(2) + dg(8), email(g, f))


@T(4)
def t_de_zahn():
    g, f = person("de")
    return ("Zahnärztlicher Heil- und Kostenplan für %s %s (geboren am %s), KVNR %s, Praxis %s, Termin am %s.") % (
        pick(["Frau", "Herrn"]), M("name", g + " " + f), M("date_of_birth", f_long(bdate(), "de")),
        M("health_plan_number", kvnr()), addr(pick(["de", "at", "ch"])), f_eu(odate()))


# ---- French
@T(5)
def t_fr_dossier():
    g, f = person("fr")
    ne = pick(["né le", "née le"])
    return ("Dossier d'admission : %s %s, %s %s, numéro de dossier %s, carte Vitale %s, tél. %s, %s.") % (
        pick(["M.", "Mme"]), M("name", g + " " + f), ne, M("date_of_birth", f_eu(bdate(), "/")),
        M("medical_record_number", mrn()), M("health_plan_number", nir()), P("fr"), addr("fr"))


@T(4)
def t_fr_banque():
    g, f = person("fr")
    return ("Ouverture de compte — titulaire %s, date de naissance %s, IBAN %s, courriel %s, adresse %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_long(bdate(), "fr")), M("iban", iban_fmt(iban(pick(["FR", "BE", "LU"])))),
        email(g, f), addr(pick(["fr", "be"])))


# ---- Spanish
@T(5)
def t_es_hc():
    g, f = person("es")
    return ("Historia clínica %s — paciente %s, fecha de nacimiento %s, número de póliza (policy number) %s, teléfono "
            "%s, domicilio %s.") % (
        M("medical_record_number", mrn()), M("name", g + " " + f), M("date_of_birth", f_eu(bdate(), "/")),
        M("health_plan_number", policy_no()), P("es"), addr("es"))


@T(4)
def t_es_sim():
    g, f = person("es")
    return ("Alta de línea móvil: titular %s, %s %s, número %s, domiciliación IBAN %s, correo %s.") % (
        M("name", g + " " + f), pick(["nacido el", "nacida el"]), M("date_of_birth", f_long(bdate(), "es")), P("es"),
        M("iban", iban_fmt(iban("ES"))), email(g, f))


# ---- Italian
@T(5)
def t_it_cartella():
    g, f = person("it")
    return ("Cartella clinica %s: %s %s, %s %s, tessera sanitaria (insurance number) %s, cell. %s, residente in %s.") % (
        M("medical_record_number", mrn()), pick(["sig.ra", "sig."]), M("name", g + " " + f),
        pick(["nata il", "nato il"]), M("date_of_birth", f_eu(bdate(), "/")),
        M("health_plan_number", codice_fiscale()), P("it"), addr("it"))


@T(4)
def t_it_farmacia():
    g, f = person("it")
    return ("Farmacia: ritiro ricetta per %s, data di nascita %s, pagamento con carta %s, avviso SMS al %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_long(bdate(), "it")), M("credit_card", card_fmt(card())), P("it"))


# ---- Dutch
@T(5)
def t_nl_pat():
    g, f = person("nl")
    return ("Patiëntnummer %s — %s %s, geboren op %s, polisnummer %s, tel. %s, adres %s.") % (
        M("medical_record_number", mrn()), pick(["dhr.", "mevr."]), M("name", g + " " + f),
        M("date_of_birth", f_eu(bdate(), "-")), M("health_plan_number", dg(9)), P("nl"), addr("nl"))


@T(4)
def t_nl_huur():
    g, f = person("nl")
    return ("Huuraanvraag: %s, geboortedatum %s, IBAN %s, e-mail %s, huidige woning %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_long(bdate(), "nl")), M("iban", iban_fmt(iban("NL"))),
        email(g, f), addr("nl"))


# ---- Polish
@T(5)
def t_pl_karta():
    g, f = person("pl")
    return ("Nr karty pacjenta %s; %s %s, ur. %s, tel. %s, adres %s; numer polisy (policy number) %s.") % (
        M("medical_record_number", mrn()), pick(["Pani", "Pan"]), M("name", g + " " + f),
        M("date_of_birth", f_eu(bdate())), P("pl"), addr("pl"), M("health_plan_number", policy_no()))


@T(4)
def t_pl_kredyt():
    g, f = person("pl")
    return ("Wniosek kredytowy: %s, data urodzenia %s, rachunek %s, e-mail %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_long(bdate(), "pl")), M("iban", iban_fmt(iban("PL"))),
        email(g, f))


# ---- Portuguese
@T(4)
def t_pt():
    g, f = person(pick(["es", "it", "af"]))
    return ("Processo clínico (patient ID) %s: utente %s, data de nascimento %s, telemóvel %s, morada %s, IBAN %s.") % (
        M("medical_record_number", mrn()), M("name", g + " " + f), M("date_of_birth", f_eu(bdate(), "/")), P("pt"),
        addr("pt"), M("iban", iban_fmt(iban("PT"))))


@T(4)
def t_br():
    g, f = person(pick(["es", "it", "af", "jp"]))
    return ("Cadastro de cliente: %s, data de nascimento %s, CEP %s, e-mail %s, celular %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_long(bdate(), "pt")), M("postal_code", pc("br")), email(g, f),
        P("br"))


# ---- Nordic
@T(4)
def t_sv():
    g, f = person("no")
    return ("Journalanteckning: patient %s, födelsedatum (DOB) %s, patient ID %s, tel %s, adress %s, IBAN %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_iso(bdate())), M("medical_record_number", mrn()), P("se"),
        addr("se"), M("iban", iban_fmt(iban("SE"))))


@T(4)
def t_da():
    g, f = person("no")
    return ("Henvisning: %s, fødselsdato (date of birth) %s, MRN %s, tlf. %s, adresse %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_eu(bdate(), "-")), M("medical_record_number", mrn()), P("dk"),
        addr("dk"))


@T(4)
def t_no():
    g, f = person("no")
    return ("Timebekreftelse for %s, fødselsdato (DOB) %s, mobil %s, adresse %s, kontonummer IBAN %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_eu(bdate())), P("no"), addr("no"),
        M("iban", iban_fmt(iban("NO"))))


@T(4)
def t_fi():
    g, f = person(pick(["no", "ru"]))
    return ("Potilas %s, syntymäaika (DOB) %s, patient ID %s, puh. %s, osoite %s, IBAN %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_eu(bdate())), M("medical_record_number", mrn()), P("fi"),
        addr("fi"), M("iban", iban_fmt(iban("FI"))))


@T(4)
def t_cs():
    g, f = person(pick(["ru", "pl"]))
    return ("Pacient %s, datum narození (DOB) %s, patient ID %s, tel. %s, bydliště %s, účet IBAN %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_eu(bdate())), M("medical_record_number", mrn()), P("cz"),
        addr("cz"), M("iban", iban_fmt(iban(pick(["CZ", "SK"])))))


@T(4)
def t_tr():
    g, f = person("tr")
    return ("Hasta %s, doğum tarihi (DOB) %s, patient ID %s, tel %s, adres %s, IBAN %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_eu(bdate())), M("medical_record_number", mrn()), P("tr"),
        addr("tr"), M("iban", iban_fmt(iban("TR"))))


@T(4)
def t_el():
    g, f = person("gr")
    return ("Ασθενής %s, ημερομηνία γέννησης (DOB) %s, αριθμός μητρώου (MRN) %s, τηλ. %s, email %s, IBAN %s.") % (
        M("name", g + " " + f), M("date_of_birth", f_eu(bdate(), "/")), M("medical_record_number", mrn()), P("gr"),
        email(g, f), M("iban", iban_fmt(iban(pick(["GR", "CY"])))))


@T(4)
def t_ro():
    g, f = person(pick(["ru", "en"]))
    return ("Pacient %s, data nașterii (date of birth) %s, cod pacient (patient ID) %s, tel. %s, e-mail %s, "
            "IBAN %s.") % (M("name", g + " " + f), M("date_of_birth", f_eu(bdate())), M("medical_record_number", mrn()),
                           P("ro"), email(g, f), M("iban", iban_fmt(iban(pick(["RO", "BG"])))))


@T(4)
def t_hu():
    g, f = person(pick(["ru", "de"]))
    t = bdate()
    return ("Beteg: %s, születési dátum (DOB) %s., betegazonosító (patient ID) %s, tel. %s, bankszámla IBAN %s.") % (
        M("name", f + " " + g), M("date_of_birth", "%d.%02d.%02d" % t), M("medical_record_number", mrn()), P("hu"),
        M("iban", iban_fmt(iban("HU"))))


@T(3)
def t_ro_policy():
    g, f = person(pick(["ru", "en"]))
    return ("Asigurare de călătorie: asigurat %s, număr poliță (policy number) %s, data nașterii (DOB) %s, "
            "telefon %s, site %s") % (M("name", g + " " + f), M("health_plan_number", policy_no()),
                                      M("date_of_birth", f_eu(bdate())), P("ro"), url())


@T(3)
def t_hu_biz():
    g, f = person(pick(["ru", "de"]))
    return ("Biztosítási kártya: %s, biztosítási szám (insurance number) %s, születési dátum (date of birth) %s, "
            "e-mail %s.") % (M("name", g + " " + f), M("health_plan_number", taj()),
                             M("date_of_birth", "%d.%02d.%02d" % bdate()), email(g, f))


@T(3)
def t_el_asf():
    g, f = person("gr")
    return ("Ασφαλιστική ενημερότητα: %s, αριθμός ασφάλισης (insurance number) %s, κάρτα %s, IP %s") % (
        M("name", g + " " + f), M("health_plan_number", amka()), M("credit_card", card_fmt(card())), IP())


# ---- CJK / Indic / RTL
@T(5)
def t_ja():
    g, f = person("jp")
    t = bdate()
    return "患者 %s 様（生年月日（DOB）%s、patient ID %s）連絡先 %s、住所 %s" % (
        M("name", f + " " + g), M("date_of_birth", f_cjk(t)), M("medical_record_number", mrn()),
        M("phone", to_script(ph("jp"), "fw")), addr("jp"))


@T(4)
def t_ja_card():
    g, f = person("jp")
    return "カード利用確認：会員 %s 様、カード番号 %s、ご利用額 %s、お問い合わせ %s" % (
        M("name", g + " " + f), M("credit_card", to_script(card_fmt(card(pick(["3528", "3589", "4", "5"]), 16)), "fw")),
        amount(), email(g, f))


@T(3)
def t_ja_ssn():
    g, f = person(pick(["jp", "en"]))
    return "米国籍社員の給与登録：氏名 %s、SSN：%s、電話 %s、入社日 %s" % (
        M("name", g + " " + f), M("ssn", to_script(ssn_fmt("-"), "fw")), M("phone", to_script(ph("us"), "fw")), f_cjk(odate()))


@T(5)
def t_zh():
    g, f = person("cn")
    return "患者 %s，出生日期（DOB）%s，病历号（MRN）%s，手机 %s，邮箱 %s，登录IP %s。" % (
        M("name", f + " " + g), M("date_of_birth", f_cjk(bdate())), M("medical_record_number", mrn()), P("cn"),
        email(g, f), IP())


@T(3)
def t_zh_card():
    g, f = person("cn")
    return "退款申请：持卡人 %s，卡号 %s，金额 %s，网址 %s" % (
        M("name", f + " " + g), M("credit_card", to_script(card_fmt(card("62", 16)), "fw")), amount(), url())


@T(4)
def t_ko():
    g, f = person("kr")
    return "환자 %s 님, 생년월일(DOB) %s, patient ID %s, 연락처 %s, 이메일 %s" % (
        M("name", f), M("date_of_birth", f_kr(bdate())), M("medical_record_number", mrn()),
        M("phone", to_script(ph("kr"), "fw") if R.random() < 0.3 else ph("kr")), email(g, f))


@T(4)
def t_hi():
    g, f = person("in")
    return "रोगी %s, जन्म तिथि (DOB) %s, मोबाइल %s, पता %s, ईमेल %s" % (
        M("name", g + " " + f), M("date_of_birth", f_eu(bdate(), "/")), M("phone", to_script(ph("in"), "dev")), addr("in"),
        email(g, f))


@T(3)
def t_hi_card():
    g, f = person("in")
    return "भुगतान विफल: कार्डधारक %s, कार्ड %s, राशि ₹%d, सहायता %s" % (
        M("name", g + " " + f), M("credit_card", to_script(card_fmt(card(pick(["4", "5", "6"]), 16)), "dev")),
        R.randint(100, 90000), P("in"))


@T(4)
def t_ar():
    g, f = person("ar")
    return "المريض %s، تاريخ الميلاد (DOB) %s، رقم الملف (MRN) %s، هاتف %s، البريد %s" % (
        M("name", g + " " + f), M("date_of_birth", f_eu(bdate(), "/")), M("medical_record_number", mrn()),
        M("phone", to_script(ph(pick(["ae", "sa", "eg"])), "ar")), email(g, f))


@T(3)
def t_ar_card():
    g, f = person("ar")
    return "تنبيه احتيال: البطاقة %s، حامل البطاقة %s، عنوان IP %s، IBAN %s" % (
        M("credit_card", to_script(card_fmt(card()), "ar")), M("name", g + " " + f), IP(),
        M("iban", iban_fmt(iban(pick(["SA", "AE"])))))


@T(2)
def t_ar_ssn():
    g, f = person("ar")
    return "نموذج توظيف في الولايات المتحدة: الاسم %s، رقم الضمان الاجتماعي (SSN) %s، الهاتف %s" % (
        M("name", g + " " + f), M("ssn", to_script(ssn_fmt("-"), "ar")), M("phone", to_script(ph("us"), "ar")))


@T(4)
def t_fa():
    g, f = person("ar")
    c = card(pick(IR_PREFIX), 16)
    return "پرداخت ناموفق: شماره کارت %s، دارنده %s، تلفن %s، ایمیل %s" % (
        M("credit_card", to_script(card_fmt(c, pick(["space", "dash", "compact"])), "fa")), M("name", g + " " + f),
        M("phone", to_script(ph("ir"), "fa")), email(g, f))


@T(4)
def t_he():
    g, f = person(pick(["en", "ru", "ar"]))
    return "מטופל %s, תאריך לידה (DOB) %s, מספר תיק (MRN) %s, טלפון %s, IBAN %s" % (
        M("name", g + " " + f), M("date_of_birth", f_eu(bdate(), "/")), M("medical_record_number", mrn()), P("il"),
        M("iban", iban_fmt(iban("IL"))))


@T(4)
def t_iban_misc():
    n, g, f = full()
    cc = pick(["CH", "LU", "SI", "HR", "LT", "EE", "LV", "MT", "BG", "CY", "IT", "BR", "GB", "IE", "DK"])
    return "Payout instruction %s: beneficiary %s, IBAN %s, BIC %s, amount %s, reference INV-%s." % (
        up(2) + dg(6), n, M("iban", iban_fmt(iban(cc))), bic(), amount(), dg(6))


@T(4)
def t_ip_misc():
    return "%s firewall: DENY tcp %s:%d -> %s:%d (policy %d), bytes=%d" % (
        "%sT%02d:%02d:%02dZ" % (f_iso(odate()), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59)),
        M("ip_address", ipv4(False)), R.randint(1024, 65535), M("ip_address", _ipv4p()), pick([22, 443, 3389, 5432]),
        R.randint(1, 400), R.randint(40, 90000))


@T(3)
def t_ip6():
    return "ip -6 addr: inet6 %s/64 scope global; gateway %s; dns [%s]:53" % (
        M("ip_address", ipv6()), M("ip_address", ipv6()), M("ip_address", ipv6()))


@T(4)
def t_portal_msg():
    n, g, f = full()
    return ("Patient-portal message from %s (MRN %s): \"please move my appointment on %s, new mobile %s\" — "
            "reply via %s") % (n, M("medical_record_number", mrn()), f_long(odate()), P(pick(["us", "uk", "ie"])), url())


@T(3)
def t_look_phone():
    g, f = person(pick(["ar", "in", "jp"]))
    script = pick(["ar", "fa", "dev", "fw"])
    return "Callback queue: %s requested a call on %s; preferred time after 5 pm; ticket %s." % (
        M("name", g + " " + f), M("phone", to_script(ph(pick(["us", "uk", "ae", "in"])), script)), "T-" + dg(6))


@T(5)
def t_i9():
    n, g, f = full(pick(["en", "es", "af", "in"]))
    return ("I-9 / E-Verify case %s: employee %s, date of birth %s, SSN %s, List A document expires %s; "
            "case result employment authorized.") % (dg(13) + "AB", n, M("date_of_birth", f_us(bdate())),
                                                      M("ssn", ssn_fmt()), f_us(odate()))


@T(5)
def t_1099():
    n, g, f = full("en")
    return ("1099-NEC recipient: %s, TIN type SSN, TIN %s, %s, box 1 %s; payer EIN %02d-%s.") % (
        n, M("ssn", ssn_fmt()), addr("us"), amount(), R.randint(10, 99), dg(7))


@T(5)
def t_bgcheck():
    n, g, f = full()
    return ("Background screening order %s — candidate %s, SSN %s, DOB %s, consent signed %s, results to %s.") % (
        "BG-" + dg(6), n, M("ssn", ssn_fmt()), M("date_of_birth", f_us(bdate())), f_us(odate()), email())


@T(5)
def t_idtheft():
    n, g, f = full()
    return ("Identity-theft report: %s says someone opened a line of credit with SSN %s from IP %s; "
            "FTC report %s filed %s; callback %s.") % (n, M("ssn", ssn_fmt()), IP(), dg(9), f_us(odate()), P("us"))


@T(4)
def t_ssn_xml():
    g, f = person("en")
    return "<Employee><Name>%s</Name><SSN>%s</SSN><DOB>%s</DOB><Zip>%s</Zip></Employee>" % (
        M("name", g + " " + f), M("ssn", ssn_fmt(pick(["-", " "]))), M("date_of_birth", f_iso(bdate())),
        M("postal_code", pc("us")))


@T(4)
def t_ssn_look():
    script = pick(["fw", "ar", "dev", "fa"])
    g, f = person(pick(["jp", "ar", "in"]))
    return "Benefits enrollment (US payroll): %s, SSN %s, phone %s, plan year %d." % (
        M("name", g + " " + f), M("ssn", to_script(ssn_fmt(pick(["-", " "])), script)), M("phone", to_script(ph("us"), script)),
        R.randint(2024, 2026))


@T(6)
def t_sms():
    n, g, f = full()
    return ("SMS to %s: Hi %s, your appointment is confirmed for %s at %02d:%02d. Reschedule: %s Reply STOP to "
            "opt out.") % (P(pick(["us", "uk", "au", "ie", "ca"])), M("name", g), f_long(odate()), R.randint(7, 18),
                           pick([0, 15, 30, 45]), url())


@T(6)
def t_phish():
    g, f = person()
    return ("Phishing report from %s: message claimed to be from the benefits team and linked to %s; sender IP %s; "
            "real portal is %s") % (email(g, f), M("url", "http://%s-verify.%s/login?acct=%s" % (
                pick(["benefits", "payroll", "secure", "hr"]), pick(["top", "xyz", "info", "click"]), dg(6))), IP(),
                url())


@T(5)
def t_telehealth():
    n, g, f = full()
    return ("Telehealth visit for %s (patient ID %s) on %s: join at %s — if video fails we will call %s.") % (
        n, M("medical_record_number", mrn()), f_long(odate()), M("url", "https://meet.%s/v/%s" % (
            pick(["lakeshore-health.org", "harborview-dental.com", "clearsight-optometry.com"]), hexs(10))),
        P(pick(["us", "uk", "ca"])))


@T(5)
def t_reset():
    g, f = person()
    return ("Password reset requested for %s from %s at %s UTC; link %s expires in 30 min; if this wasn't you "
            "visit %s") % (email(g, f), IP(), "%02d:%02d" % (R.randint(0, 23), R.randint(0, 59)),
                          M("url", "https://app.northwind-bank.com/reset?token=%s" % hexs(24)), url())


@T(5)
def t_donation():
    n, g, f = full()
    return ("Donation receipt %s: %s gave %s with card %s; receipt emailed to %s; manage gifts at %s") % (
        "DN" + dg(7), n, amount(), M("credit_card", card_fmt(card())), email(g, f), url())


@T(5)
def t_subscription():
    g, f = person()
    return '{"customer": "%s", "card_number": "%s", "exp": "%02d/%02d", "billing_zip": "%s", "ip": "%s"}' % (
        M("name", g + " " + f), M("credit_card", card_fmt(card(), "compact")), R.randint(1, 12), R.randint(26, 31),
        M("postal_code", pc("us")), M("ip_address", ipv4()))


@T(4)
def t_card_csv():
    rows = []
    for _ in range(2):
        rows.append("%s;%s;%s" % (M("credit_card", card_fmt(card(), pick(["compact", "space"]))), amount(),
                                  f_iso(odate())))
    return "card_number;amount;txn_date ⏎ " + " ⏎ ".join(rows)


@T(3)
def t_ko_card():
    g, f = person("kr")
    return "결제 오류: %s 님 카드 %s, 금액 %s, 고객센터 %s" % (
        M("name", f), M("credit_card", to_script(card_fmt(card()), "fw") if R.random() < 0.5 else card_fmt(card())),
        amount(), P("kr"))


# ---- negative-only templates
NEG = []


def TN(n):
    def deco(fn):
        NEG.append((fn, n))
        return fn
    return deco


@TN(9)
def n_order():
    return "%s shipped %s via tracking %s; total %s incl. VAT; invoice INV-%d-%s due %s." % (
        order_no(), f_iso(odate()), tracking(), amount(), R.randint(2022, 2025), dg(5), f_eu(odate()))


@TN(9)
def n_codes():
    return "Superbill: ICD-10 %s, %s; CPT %s x1, %s; NDC %s; LOINC %s; ATC %s; rendering NPI %s; billed %s." % (
        icd10(), icd10(), cpt(), cpt(), ndc(), loinc(), atc(), npi(), amount())


@TN(8)
def n_build():
    return "Release %s deployed by CI run %d, commit %s, image sha256:%s, request_id=%s" % (
        version(), R.randint(1000, 99999), hexs(40), hexs(64), uuid())


@TN(8)
def n_network():
    return "DHCP: lease for %s on vlan %d failed — offered %s is not a valid address; retry in %ds (build %s)." % (
        mac(), R.randint(2, 4000), bad_quad(), R.randint(5, 120), version())


@TN(9)
def n_dates():
    return pick([
        "Admission date %s, discharge %s; follow-up appointment %s at 10:30." % (f_us(odate()), f_us(odate()),
                                                                                 f_long(odate())),
        "Aufnahmedatum %s, Entlassung %s, Kontrolltermin am %s." % (f_eu(odate()), f_eu(odate()),
                                                                    f_long(odate(), "de")),
        "Date d'admission %s ; rendez-vous le %s ; facture du %s." % (f_eu(odate(), "/"), f_long(odate(), "fr"),
                                                                      f_eu(odate(), "/")),
        "Fecha de ingreso %s, cita el %s, fecha de caducidad %s." % (f_eu(odate(), "/"), f_long(odate(), "es"),
                                                                    "%02d/%d" % (R.randint(1, 12), R.randint(2026, 2030))),
        "Data di ricovero %s, visita di controllo il %s." % (f_eu(odate(), "/"), f_long(odate(), "it")),
        "Opnamedatum %s, afspraak op %s, vervaldatum %s." % (f_eu(odate(), "-"), f_long(odate(), "nl"),
                                                             f_eu(odate(), "-")),
        "Data przyjęcia %s, wizyta kontrolna %s." % (f_eu(odate()), f_long(odate(), "pl")),
        "Data de admissão %s, consulta marcada para %s." % (f_eu(odate(), "/"), f_long(odate(), "pt")),
        "Inskrivningsdatum %s, återbesök %s." % (f_iso(odate()), f_iso(odate())),
        "Indlæggelsesdato %s, kontrol %s." % (f_eu(odate(), "-"), f_eu(odate(), "-")),
        "Innleggelsesdato %s, time %s kl. 14.15." % (f_eu(odate()), f_eu(odate())),
        "Tulopäivä %s, kontrollikäynti %s." % (f_eu(odate()), f_eu(odate())),
        "Datum přijetí %s, kontrola %s." % (f_eu(odate()), f_eu(odate())),
        "Yatış tarihi %s, randevu tarihi %s." % (f_eu(odate()), f_eu(odate())),
        "Ημερομηνία εισαγωγής %s, ραντεβού %s." % (f_eu(odate(), "/"), f_eu(odate(), "/")),
        "Data internării %s, data externării %s." % (f_eu(odate()), f_eu(odate())),
        "Felvétel dátuma %d.%02d.%02d., kontroll %d.%02d.%02d." % (odate() + odate()),
        "入院日 %s、退院日 %s、次回予約 %s。" % (f_cjk(odate()), f_cjk(odate()), f_cjk(odate())),
        "入院日期 %s，复诊日期 %s。" % (f_cjk(odate()), f_cjk(odate())),
        "예약일 %s, 검사일 %s." % (f_kr(odate()), f_kr(odate())),
        "Date of death %s; date of diagnosis %s; card expiry %02d/%02d." % (f_us(odate()), f_us(odate()),
                                                                          R.randint(1, 12), R.randint(26, 31)),
    ])


@TN(8)
def n_bank():
    cc = pick(["DE", "FR", "NL", "GB", "ES", "IT", "PL", "SE"])
    b = bad_iban(cc)
    return "Transfer rejected: IBAN %s failed the checksum (%s); BIC %s, sort code %s, ABA %s; amount %s." % (
        group4(b) if R.random() < 0.5 else b, pick(["mod-97", "check digits"]), bic(), sortcode(), aba(), amount())


@TN(8)
def n_ssn_bad():
    return "SSN validation: %s rejected (%s); ITIN %d-%d-%s not accepted for W-2; case %s." % (
        bad_ssn(), pick(["invalid area", "not issued", "group 00", "serial 0000"]), R.randint(900, 999),
        R.randint(70, 88), dg(4), "C-" + dg(7))


@TN(8)
def n_names():
    a, b = R.sample(NONNAMES, 2)
    return pick([
        "Consult note by Dr. %s; %s will cover on-call. Will confirm with pharmacy tomorrow." % (a, b),
        "Grant R01-%s awarded to %s's lab; May review moved to June." % (dg(6), a),
        "June clinic rota: %s (mornings), %s (afternoons); room %d." % (a, b, R.randint(100, 450)),
        "Reviewed by %s, countersigned by %s on %s." % (a, b, f_long(odate())),
    ])


@TN(8)
def n_domains():
    return "See %s for the intake packet; status page %s; do not use www dot %s dot com. Ref %s, house no. %d." % (
        pick(BARE), pick(BARE), pick(["lakeshore", "pinecrest", "meridian"]), up(2) + dg(6), R.randint(10000, 19999))


@TN(8)
def n_nearmiss():
    c = card()
    return "Card %s declined at checkout — failed Luhn check; order %s, amount %s, auth code %s." % (
        card_fmt(near_miss(c)), order_no(), amount(), up(2, "0123456789ABCDEF") + dg(4))


@TN(7)
def n_nearmiss_script():
    script = pick(["fw", "ar", "fa", "dev"])
    c = card(pick(IR_PREFIX), 16) if script == "fa" else card()
    return pick(["无效卡号 %s（校验失败），订单 %s", "رقم بطاقة غير صالح %s، الطلب %s", "شماره کارت نامعتبر %s، سفارش %s",
                 "अमान्य कार्ड संख्या %s, ऑर्डर %s", "無効なカード番号 %s（チェック失敗）、注文 %s"]) % (
        to_script(card_fmt(near_miss(c)), script), dg(8))


@TN(8)
def n_misc_ids():
    return "Ticket #%s: meeting ID %s %s %s, passcode %s; ISBN %s; CAS %d-%02d-%d; accession A%s-%s; lot %s." % (
        dg(6), dg(3), dg(4), dg(4), dg(6), isbn13(), R.randint(50, 9999), R.randint(10, 99), R.randint(0, 9),
        dg(2), dg(6), up(2) + dg(4))


@TN(8)
def n_claims():
    return "Claim control number ICN %s, payer claim %s, check EFT %s for %s, remark N%d, adjustment CO-%d." % (
        dg(14), "CLM" + dg(9), dg(9), amount(), R.randint(100, 800), R.randint(1, 300))


@TN(7)
def n_mbi_like():
    s = "%d%s%s%d-%s%s%d-%s%s%s" % (R.randint(1, 9), pick("SLOIBZ"), pick("SLOIBZ"), R.randint(0, 9), pick("SLOIBZ"),
                                    pick("AB"), R.randint(0, 9), pick("SLOIBZ"), pick("SLOIBZ"), dg(2))
    return "Rejected beneficiary identifier %s: letters S, L, O, I, B and Z are never used; resubmit by %s." % (
        s, f_us(odate()))


@TN(7)
def n_amounts():
    return "Totals: %s | %s | %s | %s; tax %d.%d %%; qty %d; weight %d.%d kg; lab HbA1c %d.%d %%." % (
        amount(), amount(), amount(), amount(), R.randint(5, 25), R.randint(0, 9), R.randint(1, 90),
        R.randint(1, 120), R.randint(0, 9), R.randint(5, 11), R.randint(0, 9))


@TN(7)
def n_court():
    return "Aktenzeichen %d K %d/%02d; Az. %s; Sitzung am %s, Saal %d; Streitwert %s." % (
        R.randint(1, 9), R.randint(100, 9999), R.randint(19, 25), dg(3) + " Js " + dg(4) + "/" + dg(2),
        f_eu(odate()), R.randint(1, 40), amount())


@TN(7)
def n_logs():
    return "%sT%02d:%02d:%02dZ worker-%d INFO job=%s duration=%dms retries=%d mac=%s version=%s" % (
        f_iso(odate()), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(1, 9), uuid(),
        R.randint(1, 9999), R.randint(0, 5), mac(), version())


@TN(6)
def n_words():
    return pick(["Will the pharmacy open on May %d? June rota still pending; Grant writing day Friday.",
                 "May %d: Will reviewed the Grant budget with June from finance.",
                 "Reminder: Grant reports due end of May (%d pages); Will to circulate."]) % R.randint(1, 28)


@TN(6)
def n_phone_like():
    return "Pager %s, extension x%d, room %s, bed %d, fax cover page %d of %d." % (
        dg(4), R.randint(100, 9999), "%d%s-%02d" % (R.randint(1, 9), pick("ABCD"), R.randint(1, 40)),
        R.randint(1, 4), R.randint(1, 3), R.randint(3, 9))


@TN(6)
def n_pharmacy():
    return ("Rx #%s refilled %s: atorvastatin %d mg, qty %d, days supply %d, NDC %s, lot %s exp %s; copay %s; "
            "DAW 0; ATC %s.") % (dg(7), f_us(odate()), pick([10, 20, 40, 80]), pick([30, 90]), pick([30, 90]), ndc(),
                                 up(2) + dg(5), "%02d/%d" % (R.randint(1, 12), R.randint(2026, 2029)), amount(), atc())


@TN(6)
def n_x12():
    return "835 excerpt: CLP*%s*1*%d.%02d*%d.%02d**12*%s~CAS*CO*45*%d.%02d~SVC*HC:%s*%d*%d~DTM*472*%s~" % (
        "PCN" + dg(8), R.randint(50, 4000), R.randint(0, 99), R.randint(10, 900), R.randint(0, 99), dg(14),
        R.randint(1, 300), R.randint(0, 99), cpt(), R.randint(50, 900), R.randint(10, 400), f_cmp(odate()))


@TN(6)
def n_eu_ids():
    cc = pick(["DE", "FR", "IT", "ES", "NL", "BE", "AT", "PT"])
    v = iban(cc)
    return pick([
        "Gläubiger-Identifikationsnummer %sZZZ0%s, BIC %s, Verwendungszweck RG-%s." % (cc + dg(2), dg(10), bic(), dg(6)),
        "IBAN tronqué %s… (incomplet), BIC %s, référence %s." % (v[:12], bic(), up(3) + dg(8)),
        "Bankverbindung unvollständig: %s (nur %d Stellen), bitte erneut senden." % (v[:-3], len(v) - 3),
    ])


# ---------------------------------------------------------------- checking
MARK = re.compile(r"\u27e6([^:\u27e6\u27e7]*):([^\u27e6\u27e7]*)\u27e7")
DOB_TRIG = ["dob", "d.o.b", "date of birth", "born", "birthdate", "geburtsdatum", "geb.", "geboren am", "né le",
            "née le", "né(e) le", "date de naissance", "fecha de nacimiento", "nacido el", "nacida el",
            "data di nascita", "nato il", "nata il", "geboren op", "geboortedatum", "data urodzenia", "ur.",
            "data de nascimento"]
MRN_LAB = ["mrn", "mr#", "medical record number", "medical record no", "patient id", "patient_id", "patientid",
           "chart number", "patientennummer", "numéro de dossier", "historia clínica", "cartella clinica",
           "patiëntnummer", "karty pacjenta"]
PLAN_LAB = ["member id", "member_id", "memberid", "subscriber id", "subscriberid", "policy number", "insurance number",
            "insurance id", "health plan id", "medicaid id", "medicare number", "beneficiary id", "nhs number",
            "versichertennummer", "kvnr", "carte vitale", "numéro d'assuré social", "polisnummer", "medicare card",
            "mbi"]
POSTAL = re.compile(r"^(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|[A-Z]\d[A-Z] \d[A-Z]\d|\d{4}|"
                    r"\d{4} ?[A-Z]{2}|\d{2}-\d{3}|\d{4}-\d{3}|\d{3} \d{2}|\d{3}-\d{4}|\d{6}|\d{3} \d{3}|\d{5}-\d{3}|"
                    r"[AC-FHKNPRTV-Y]\d[\dW] [AC-FHKNPRTV-Y\d]{4})$")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
URL_RE = re.compile(r"(?:https?://|(?<![\w.])www\.)[^\s<>\"'|⟦⟧]+")
IP4_RE = re.compile(r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9]|\.[0-9])")
IP6_RE = re.compile(r"(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z])")
SSN_RE = re.compile(r"(?<![0-9])([0-9]{3})([- ])([0-9]{2})\2([0-9]{4})(?![0-9])")
IBAN_C = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}(?![A-Za-z0-9])")
IBAN_G = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?(?![A-Za-z0-9])")
WORD_RE = re.compile(r"[^\W\d_]+")


def parse(line):
    """Return (plain, spans[(cat, start, end, value)], errors)."""
    errs = []
    plain, spans, pos = [], [], 0
    off = 0
    for m in MARK.finditer(line):
        plain.append(line[pos:m.start()])
        off += m.start() - pos
        cat, val = m.group(1), m.group(2)
        if cat not in CATS:
            errs.append("unknown category %r" % cat)
        if not val or val != val.strip():
            errs.append("empty/padded value %r" % val)
        spans.append((cat, off, off + len(val), val))
        plain.append(val)
        off += len(val)
        pos = m.end()
    plain.append(line[pos:])
    p = "".join(plain)
    if "\u27e6" in p or "\u27e7" in p:
        errs.append("stray marker bracket")
    return p, spans, errs


def valid_iban(s):
    return validators.iban_valid(s, IBAN_LEN)


def valid_ip(s):
    try:
        ipaddress.ip_address(s)
        return True
    except ValueError:
        return False


def inside(spans, a, b, cats):
    return any(s[0] in cats and s[1] <= a and b <= s[2] for s in spans)


def luhn_windows(text):
    """Yield (start, end) of Luhn-valid 13-19 digit windows (see README)."""
    for a, b, _ in validators.luhn_windows(text):
        yield a, b


def label_ok(prefix, labels, window=90):
    low = prefix.lower()
    if any(l in low[-window:] for l in labels):
        return True
    structured = any(c in prefix for c in "|⏎\t=^*{<")
    return structured and any(l in low for l in labels)


def check_line(line):
    errs = []
    plain0, spans, e = parse(line)
    errs += e
    plain = ascii_digits(plain0)
    for cat, a, b, val0 in spans:
        val = ascii_digits(val0)
        pre = plain[:a]
        if cat == "credit_card":
            d = re.sub(r"[ -]", "", val)
            if not (re.fullmatch(r"[0-9]{13,19}", d) and re.fullmatch(r"[0-9]+(?:[ -][0-9]+)*", val) and luhn_ok(d)):
                errs.append("bad card %s" % val0)
        elif cat == "iban":
            if not (re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+|[A-Z]{2}[0-9]{2}(?: [A-Z0-9]{4})+(?: [A-Z0-9]{1,3})?", val)
                    and valid_iban(val)):
                errs.append("bad iban %s" % val0)
        elif cat == "ssn":
            m = re.fullmatch(r"([0-9]{3})([- ]?)([0-9]{2})\2([0-9]{4})", val)
            if not m or not ssn_valid(m.group(1), m.group(3), m.group(4)):
                errs.append("bad ssn %s" % val0)
            elif not m.group(2) and not re.search(r"ssn|social security", pre[-40:], re.I):
                errs.append("compact ssn without label")
        elif cat == "ip_address":
            if not valid_ip(val):
                errs.append("bad ip %s" % val0)
        elif cat == "email":
            if not re.fullmatch(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", val):
                errs.append("bad email %s" % val0)
        elif cat == "url":
            if not re.fullmatch(r"(?:https?://|www\.)[^\s]+", val) or val[-1] in ".,)":
                errs.append("bad url %s" % val0)
        elif cat == "phone":
            nd = len(re.findall(r"[0-9]", val))
            if not re.fullmatch(r"[+(0-9][0-9 ().\-/]*[0-9]", val) or not 7 <= nd <= 15:
                errs.append("bad phone %s" % val0)
        elif cat == "postal_code":
            if not POSTAL.match(val):
                errs.append("bad postal %s" % val0)
        elif cat == "medical_record_number":
            if not re.fullmatch(r"[A-Za-z0-9-]{5,15}", val):
                errs.append("bad mrn shape %s" % val0)
            if not label_ok(pre, MRN_LAB):
                errs.append("mrn without label %s" % val0)
        elif cat == "health_plan_number":
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 -]{4,22}[A-Za-z0-9]", val):
                errs.append("bad plan shape %s" % val0)
            if not MBI_RE.fullmatch(val) and not label_ok(pre, PLAN_LAB):
                errs.append("plan without label %s" % val0)
            if "nhs number" in pre[-20:].lower() and not nhs_ok(val):
                errs.append("bad NHS %s" % val0)
        elif cat == "date_of_birth":
            if not re.search(r"[0-9]", val):
                errs.append("bad dob %s" % val0)
            if not label_ok(pre, DOB_TRIG, 60):
                errs.append("dob without trigger %s" % val0)
        elif cat == "name":
            toks = val.split(" ")
            if any(t not in NAMESET for t in toks) or "  " in val:
                errs.append("bad name %s" % val0)
    if re.search(r"\u27e6name:[^\u27e7]*\u27e7 \u27e6name:", line):
        errs.append("adjacent name spans")
    # nothing left unmarked / inside a span of another category
    for m in EMAIL_RE.finditer(plain):
        if not inside(spans, m.start(), m.end(), {"email"}):
            errs.append("unmarked email %s" % m.group())
    for m in URL_RE.finditer(plain):
        u = m.group().rstrip(".,);:]}")
        if not inside(spans, m.start(), m.start() + len(u), {"url"}):
            errs.append("unmarked url %s" % u)
    for m in IP4_RE.finditer(plain):
        if all(int(o) <= 255 for o in m.group().split(".")) and not inside(spans, m.start(), m.end(), {"ip_address"}):
            errs.append("unmarked ip %s" % m.group())
    for m in IP6_RE.finditer(plain):
        s = m.group()
        if s.count(":") >= 2 and valid_ip(s) and not inside(spans, m.start(), m.end(), {"ip_address"}):
            errs.append("unmarked ipv6 %s" % s)
    for m in SSN_RE.finditer(plain):
        if ssn_valid(m.group(1), m.group(3), m.group(4)) and not inside(spans, m.start(), m.end(), {"ssn"}):
            errs.append("unmarked ssn %s" % m.group())
    for lab in re.finditer(r"ssn|social security", plain, re.I):
        for m in re.finditer(r"(?<![0-9])([0-9]{3})([0-9]{2})([0-9]{4})(?![0-9])", plain[lab.end():lab.end() + 30]):
            a = lab.end() + m.start()
            if ssn_valid(*m.groups()) and not inside(spans, a, a + 9, {"ssn"}):
                errs.append("unmarked compact ssn %s" % m.group())
    for rx in (IBAN_C, IBAN_G):
        for m in rx.finditer(plain):
            s = m.group()
            cands = [s]
            if " " in s:
                parts = s.split(" ")
                cands = [" ".join(parts[:k]) for k in range(3, len(parts) + 1)]
            for c in cands:
                if valid_iban(c) and not inside(spans, m.start(), m.start() + len(c), {"iban"}):
                    errs.append("unmarked iban %s" % c)
    for m in MBI_RE.finditer(plain):
        if not inside(spans, m.start(), m.end(), {"health_plan_number"}):
            errs.append("unmarked MBI %s" % m.group())
    for m in WORD_RE.finditer(plain):
        if m.group() in NAMESET and not inside(spans, m.start(), m.end(), {"name"}):
            errs.append("unmarked name %s" % m.group())
    for a, b in luhn_windows(plain):
        if not inside(spans, a, b, {"credit_card"}):
            errs.append("luhn-valid window %s" % plain[a:b])
    return errs


def check_file(path):
    with open(path, encoding="utf-8") as fh:
        lines = [l.rstrip("\n") for l in fh]
    counts = {c: 0 for c in CATS}
    errors, seen = [], set()
    n_lines = n_neg = n_look = n_look_neg = 0
    countries = set()
    for i, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        n_lines += 1
        if line in seen:
            errors.append("%d: duplicate line" % i)
        seen.add(line)
        if unicodedata.normalize("NFC", line) != line:
            errors.append("%d: not NFC" % i)
        for e in check_line(line):
            errors.append("%d: %s" % (i, e))
        _, spans, _ = parse(line)
        if not spans:
            n_neg += 1
            if ascii_digits(line) != line and re.search(r"[0-9]", line) and any(
                    not c.isascii() and unicodedata.decimal(c, None) is not None for c in line):
                n_look_neg += 1
        for cat, a, b, val in spans:
            if cat in counts:
                counts[cat] += 1
            if cat in ("ssn", "credit_card", "phone") and ascii_digits(val) != val:
                n_look += 1
            if cat == "iban":
                countries.add(val[:2])
    print("%s: %d example lines, %d negative-only" % (display_path(path), n_lines, n_neg))
    for c in CATS:
        print("  %-22s %d" % (c, counts[c]))
    print("  look-alike-digit positives %d, look-alike negative-only lines %d, IBAN countries %d" % (
        n_look, n_look_neg, len(countries)))
    for c in CATS:
        if counts[c] < 60:
            errors.append("category %s has only %d positives" % (c, counts[c]))
    if n_lines < 500:
        errors.append("only %d lines" % n_lines)
    if n_neg < 125:
        errors.append("only %d negative-only lines" % n_neg)
    if n_look < 20:
        errors.append("only %d look-alike positives" % n_look)
    if n_look_neg < 3:
        errors.append("only %d look-alike near-miss lines" % n_look_neg)
    if len(countries) < 15:
        errors.append("only %d IBAN countries" % len(countries))
    for e in errors[:80]:
        print("ERROR", e)
    return not errors


HEADER = """# fresh4.txt: one-time measurement set for the PII detector (see README.md, section fresh4.txt).
# Generated by scripts/pii-fresh4-corpus.py (fixed seed); do not edit by hand, do not tune on it.
# Format: one example per line; identifiers wrapped as [[category:value]] with U+27E6/U+27E7."""


FAILS = {}


def generate(out_dir):
    out, seen = [], set()
    for fn, n in TEMPLATES + NEG:
        made = 0
        tries = 0
        while made < n:
            tries += 1
            if tries > 400:
                raise SystemExit("template %s keeps failing: %s" % (fn.__name__, errs))
            line = unicodedata.normalize("NFC", fn())
            errs = check_line(line)
            if (fn, n) in NEG and MARK.search(line):
                errs.append("negative template produced a marker")
            if errs or line in seen:
                FAILS.setdefault(fn.__name__, []).extend(errs)
                continue
            seen.add(line)
            out.append(line)
            made += 1
    if os.environ.get("PII_DEBUG"):
        for k, v in sorted(FAILS.items(), key=lambda kv: -len(kv[1])):
            print("retries %-22s %3d  e.g. %s" % (k, len(v), v[:2]), file=sys.stderr)
    R.shuffle(out)
    with open(os.path.join(out_dir, "fresh4.txt"), "w", encoding="utf-8") as fh:
        fh.write(HEADER + "\n")
        for l in out:
            fh.write(l + "\n")


def check(out_dir):
    return check_file(os.path.join(out_dir, "fresh4.txt"))
