"""Generate and check tests/fixtures/pii/fresh5.txt (one-time measurement set).

Written by a helper session that saw only tests/fixtures/pii/README.md and
tests/fixtures/pii/names.txt. Standard library only, fixed seed, deterministic.

    python3 scripts/pii-corpus.py fresh5          # regenerate, then check
    python3 scripts/pii-corpus.py fresh5 --check  # only check the file
"""
import ipaddress
import os
import random
import re
import sys
import unicodedata

from . import validators
from .validators import (
    CATEGORIES as CATS, MBI_ALPHA, MBI_RE, aba_check, ascii_digits, au_medicare_check, be_account_check, group4,
    iban_make, isbn13_check, kvnr_check, luhn_complete, luhn_ok, mark, nhs_check, nir_key, npi_check_digit,
    read_names, ssn_valid, to_script,
)

OUTPUTS = ("fresh5.txt",)
SEED = 0x5F5E_2027

DICT = set(read_names())

# ---------------------------------------------------------------- names
GIVEN = {
    "en": ["Jennifer", "Michael", "Sarah", "David", "Emily", "Daniel", "Rebecca", "Olivia", "Ethan", "Hannah", "Brandon", "Maria"],
    "de": ["Jürgen", "Katrin", "Sabine", "Lukas", "Annika", "Wolfgang"],
    "fr": ["Mathieu", "Étienne", "Chloé", "Léa", "Benoît"],
    "es": ["Alejandro", "Lucía", "Sofía", "Mateo", "Javier", "Maria"],
    "it": ["Giulia", "Francesca", "Alessandro", "Chiara"],
    "pl": ["Agnieszka", "Krzysztof", "Małgorzata", "Piotr"],
    "nl": ["Sanne", "Daan", "Femke"],
    "af": ["Oluwaseun", "Chukwuemeka", "Ngozi", "Kwame", "Abena", "Wanjiru", "Thabo"],
    "ar": ["Mohammed", "Fatima", "Youssef", "Layla"],
    "tr": ["Mehmet", "Ayşe", "Elif"],
    "in": ["Priya", "Arjun", "Ananya", "Rahul"],
    "jp": ["Hiroshi", "Yuki"],
    "cn": ["Wei"],
    "vn": ["Minh"],
    "nord": ["Ingrid", "Lars", "Astrid", "Henrik"],
    "sl": ["Dmitri", "Olena", "Svetlana"],
    "gr": ["Eleni"],
    "ie": ["Siobhan", "Niamh", "Ciarán"],
}
FAMILY = {
    "en": ["Thompson", "Robinson", "Johnson", "Harris", "Clarke", "Jackson", "Mitchell", "Murphy", "Gallagher"],
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
    "nord": ["Johansson", "Andersson", "Lindqvist", "Hansen", "Jørgensen"],
    "sl": ["Ivanov", "Petrova", "Shevchenko", "Kovalenko"],
    "gr": ["Papadopoulos", "Nikolaou"],
    "ie": ["Murphy", "Gallagher"],
}
for _d in (GIVEN, FAMILY):
    for _k, _v in _d.items():
        for _w in _v:
            assert _w in DICT, _w
# person names that are NOT in names.txt (negatives)
NONDICT = ["Bartholomew Quince", "Ottilie Brannigan", "Radomir Szczepański", "Ines Vukovic",
           "Torvald Eskildsen", "Henrike Faltermeier", "Anouk Verbruggen", "Corentin Lebrun",
           "Prudence Ashdown", "Leopold Wainwright", "Mireille Castagnet", "Gunnhild Aasen",
           "Ximena Alcocer", "Vratislav Hrubý", "Serafina Lo Cascio", "Tjeerd Hoekstra",
           "Bogumiła Kraszewska", "Caetano Albuquerque", "Eero Lahtinen", "Kerem Aksoy"]
for _n in NONDICT:
    for _w in _n.split():
        assert _w not in DICT, _w

FOLD = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i", "ß": "ss", "æ": "ae", "å": "a"}


def fold(s):
    s = "".join(FOLD.get(c, c) for c in s)
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def M(cat, v):
    assert cat in CATS, cat
    return mark(cat, v)


# ---------------------------------------------------------------- IBAN
IBAN_FMT = {
    "AT": "16n", "BE": "12n", "BG": "4a6n8c", "HR": "17n", "CY": "8n16c", "CZ": "20n",
    "DK": "14n", "EE": "16n", "FI": "14n", "FR": "10n11c2n", "DE": "18n", "GR": "7n16c",
    "HU": "24n", "IS": "22n", "IE": "4a14n", "IT": "1a10n12c", "LV": "4a13c", "LI": "5n12c",
    "LT": "16n", "LU": "3n13c", "MT": "4a5n18c", "MC": "10n11c2n", "NL": "4a10n", "NO": "11n",
    "PL": "24n", "PT": "21n", "RO": "4a16c", "SM": "1a10n12c", "SA": "2n18c", "SK": "20n",
    "SI": "15n", "ES": "20n", "SE": "20n", "CH": "5n12c", "TR": "5n1n16c", "AE": "3n16n",
    "GB": "4a14n", "IL": "19n", "QA": "4a21c", "UA": "6n19c", "BR": "8n5n10n1a1c",
}


def _fmt_len(f):
    return sum(int(n) for n in re.findall(r"(\d+)[anc]", f))


IBAN_LEN = {k: 4 + _fmt_len(v) for k, v in IBAN_FMT.items()}
BANKS = {"GB": ["NWBK", "BARC", "LOYD", "HBUK", "MIDL"], "IE": ["AIBK", "BOFI"],
         "NL": ["ABNA", "INGB", "RABO", "TRIO", "SNSB", "KNAB"], "RO": ["BTRL", "RNCB", "BRDE"],
         "LV": ["HABA", "PARX"], "BG": ["BNBG", "UNCR"], "MT": ["MALT"], "QA": ["DOHB", "QNBA"]}


def iban_valid(compact):
    return validators.iban_valid(compact, IBAN_LEN)


def make_iban(r, cc):
    f = IBAN_FMT[cc]
    bban = ""
    first = True
    for n, t in re.findall(r"(\d+)([anc])", f):
        n = int(n)
        if t == "a" and first and cc in BANKS and n == 4:
            bban += r.choice(BANKS[cc])
        elif t == "a":
            bban += "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXZ") for _ in range(n))
        elif t == "n":
            bban += "".join(r.choice("0123456789") for _ in range(n))
        else:
            bban += "".join(r.choice("0123456789") if r.random() < 0.95 else r.choice("ABCDEFGHKLMNPRSTUVWXYZ") for _ in range(n))
        first = False
    if cc == "BE":
        head = bban[:10]
        bban = head + "%02d" % be_account_check(head)
    return iban_make(cc, bban)


def iban_str(r, cc, grouped=None):
    v = make_iban(r, cc)
    if grouped is None:
        grouped = r.random() < 0.6
    return group4(v) if grouped else v


def bad_iban(r, cc):
    v = make_iban(r, cc)
    chk = int(v[2:4])
    new = (chk + r.randint(1, 60)) % 97
    if new < 2:
        new += 2
    v = v[:2] + "%02d" % new + v[4:]
    return group4(v) if r.random() < 0.5 else v


# ---------------------------------------------------------------- other ids
def make_ssn(r, sep="-"):
    while True:
        a = r.randint(1, 899)
        if a != 666:
            break
    return "%03d%s%02d%s%04d" % (a, sep, r.randint(1, 99), sep, r.randint(1, 9999))


def bad_ssn(r):
    k = r.randint(0, 4)
    g, s = r.randint(1, 99), r.randint(1, 9999)
    if k == 0:
        return "000-%02d-%04d" % (g, s)
    if k == 1:
        return "666-%02d-%04d" % (g, s)
    if k == 2:
        return "%03d-%02d-%04d" % (r.randint(900, 999), r.choice([70, 78, 83, 88, 94]), s)
    if k == 3:
        return "%03d-00-%04d" % (r.randint(1, 899), s)
    return "%03d-%02d-0000" % (r.randint(1, 665), g)


CARD_PFX = {"visa": ["4"], "mc": ["51", "52", "53", "54", "55", "2221", "2306", "2720"],
            "amex": ["34", "37"], "disc": ["6011", "644", "65"], "jcb": ["3528", "3566", "3589"],
            "diners": ["36", "38"], "up": ["62"], "ir": ["603799", "621986", "627412", "589210", "610433"]}
CARD_LEN = {"visa": 16, "mc": 16, "amex": 15, "disc": 16, "jcb": 16, "diners": 14, "up": 19, "ir": 16}
CARD_GRP = {16: [4, 4, 4, 4], 15: [4, 6, 5], 14: [4, 6, 4], 19: [4, 4, 4, 4, 3], 13: [4, 4, 5]}


def card_digits(r, kind=None):
    kind = kind or r.choice(["visa", "visa", "visa", "mc", "mc", "amex", "disc", "jcb", "diners", "up"])
    n = CARD_LEN[kind]
    p = r.choice(CARD_PFX[kind])
    while len(p) < n - 1:
        p += str(r.randint(0, 9))
    return luhn_complete(p)


def fmt_card(d, style):
    if style == "compact":
        return d
    sep = " " if style == "space" else "-"
    out, i = [], 0
    for g in CARD_GRP[len(d)]:
        out.append(d[i:i + g])
        i += g
    return sep.join(out)


def make_card(r, kind=None, style=None):
    d = card_digits(r, kind)
    style = style or r.choice(["space", "space", "dash", "compact"])
    if len(d) not in CARD_GRP:
        style = "compact"
    return fmt_card(d, style)


def near_miss_card(r, kind=None, style=None):
    d = card_digits(r, kind)
    d = d[:-1] + str((int(d[-1]) + r.randint(1, 9)) % 10)
    assert not luhn_ok(d)
    return fmt_card(d, style or r.choice(["space", "dash", "compact"]))


def nhs_number(r, style=None):
    while True:
        d = [r.randint(0, 9) for _ in range(9)]
        d[0] = r.randint(4, 7)
        c = nhs_check(d)
        if c is None:
            continue
        v = "".join(map(str, d)) + str(c)
        style = style or r.choice(["space", "space", "dash", "compact"])
        if style == "space":
            return "%s %s %s" % (v[:3], v[3:6], v[6:])
        if style == "dash":
            return "%s-%s-%s" % (v[:3], v[3:6], v[6:])
        return v


def nhs_ok(v):
    return validators.nhs_ok(re.sub(r"\D", "", v))


def kvnr(r):
    L = r.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
    body = "".join(str(r.randint(0, 9)) for _ in range(8))
    return L + body + str(kvnr_check(L, body))


def nir(r, spaced=True):
    sex = r.choice("12")
    yy = "%02d" % r.randint(40, 99)
    mm = "%02d" % r.randint(1, 12)
    dep = "%02d" % r.choice([13, 31, 33, 44, 59, 69, 75, 92, 93, 94])
    com = "%03d" % r.randint(1, 400)
    order = "%03d" % r.randint(1, 999)
    base = sex + yy + mm + dep + com + order
    key = nir_key(base)
    if spaced:
        return "%s %s %s %s %s %s %02d" % (sex, yy, mm, dep, com, order, key)
    return base + "%02d" % key


def au_medicare(r):
    d = [r.randint(2, 6)] + [r.randint(0, 9) for _ in range(7)]
    s = "".join(map(str, d)) + str(au_medicare_check(d))
    return "%s %s %d" % (s[:4], s[4:9], r.randint(1, 9))


def bc_phn(r):
    while True:
        d = [9] + [r.randint(0, 9) for _ in range(8)]
        s = sum((x * w) % 11 for x, w in zip(d[1:], [2, 4, 8, 5, 10, 9, 7, 3]))
        c = 11 - s % 11
        if c >= 10:
            continue
        v = "".join(map(str, d)) + str(c)
        return "%s %s %s" % (v[:4], v[4:7], v[7:])


def ahv(r):
    body = "756" + "".join(str(r.randint(0, 9)) for _ in range(9))
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    c = (10 - s % 10) % 10
    v = body + str(c)
    return "%s.%s.%s.%s" % (v[:3], v[3:7], v[7:11], v[11:])


def at_svnr(r, dob):
    w = [3, 7, 9, 0, 5, 8, 4, 2, 1, 6]
    while True:
        seq = "%d%02d" % (r.randint(1, 9), r.randint(0, 99))
        d = seq + "0" + dob
        s = sum(int(a) * b for a, b in zip(d, w)) % 11
        if s == 10:
            continue
        return seq + str(s) + " " + dob


def es_nass(r):
    prov = r.randint(1, 52)
    body = "%02d%08d" % (prov, r.randint(0, 99999999))
    c = int(body) % 97
    return "%s/%s/%02d" % (body[:2], body[2:], c)


def mbi(r, dashed=None):
    a = MBI_ALPHA + "0123456789"
    c = [str(r.randint(1, 9)), r.choice(MBI_ALPHA), r.choice(a), str(r.randint(0, 9)),
         r.choice(MBI_ALPHA), r.choice(a), str(r.randint(0, 9)), r.choice(MBI_ALPHA), r.choice(MBI_ALPHA),
         str(r.randint(0, 9)), str(r.randint(0, 9))]
    v = "".join(c)
    if dashed is None:
        dashed = r.random() < 0.5
    return "%s-%s-%s" % (v[:4], v[4:7], v[7:]) if dashed else v


def bad_mbi(r):
    v = list(mbi(r, False))
    v[r.choice([1, 4, 7])] = r.choice("SLOIBZ")
    v = "".join(v)
    return v


def rid(r, n, alpha="ABCDEFGHJKLMNPRSTUVWXYZ"):
    return "".join(r.choice(alpha) for _ in range(n))


def digs(r, n):
    return "".join(str(r.randint(0, 9)) for _ in range(n))


def mrn(r):
    k = r.randint(0, 9)
    if k == 0:
        return digs(r, 8)
    if k == 1:
        return "%s%s" % (r.choice("EKMRVT"), digs(r, 7))
    if k == 2:
        return "%s-%s" % (rid(r, 2), digs(r, 7))
    if k == 3:
        return "00%s" % digs(r, 7)
    if k == 4:
        return "%s-%s-%s" % (digs(r, 2), digs(r, 3), digs(r, 3))
    if k == 5:
        return "%s%s" % (rid(r, 3), digs(r, 6))
    if k == 6:
        return digs(r, 10)
    if k == 7:
        return "H%s" % digs(r, 9)
    if k == 8:
        return "%s-%s" % (digs(r, 4), digs(r, 5))
    return "%s%s%s" % (rid(r, 1), digs(r, 6), rid(r, 1))


def member_id(r):
    k = r.randint(0, 6)
    if k == 0:
        return "%s%s" % (rid(r, 3), digs(r, 9))
    if k == 1:
        return "%s%s" % (rid(r, 1), digs(r, 10))
    if k == 2:
        return "%s-%s-%s" % (rid(r, 3), digs(r, 5), digs(r, 2))
    if k == 3:
        return digs(r, 11)
    if k == 4:
        return "%s%s%s" % (rid(r, 2), digs(r, 6), rid(r, 1))
    if k == 5:
        return "%s%s%s" % (digs(r, 3), rid(r, 2), digs(r, 6))
    return "%s%s" % (rid(r, 4), digs(r, 8))


# ---------------------------------------------------------------- dates
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
    "pl": ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"],
    "sv": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"],
    "da": ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"],
    "no": ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"],
    "fi": ["tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta", "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"],
    "cs": ["ledna", "února", "března", "dubna", "května", "června", "července", "srpna", "září", "října", "listopadu", "prosince"],
    "tr": ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"],
}


def rdate(r, y0, y1):
    return r.randint(y0, y1), r.randint(1, 12), r.randint(1, 28)


def fdate(r, d, loc):
    y, m, dd = d
    if loc == "us":
        return r.choice(["%02d/%02d/%d" % (m, dd, y), "%d/%d/%d" % (m, dd, y), "%s %d, %d" % (MONTHS["en"][m - 1], dd, y)])
    if loc == "en":
        return r.choice(["%d %s %d" % (dd, MONTHS["en"][m - 1], y), "%02d/%02d/%d" % (dd, m, y), "%d %s %d" % (dd, MONTHS["en"][m - 1][:3], y)])
    if loc == "iso":
        return "%d-%02d-%02d" % (y, m, dd)
    if loc == "compact":
        return "%d%02d%02d" % (y, m, dd)
    if loc in ("de", "pl", "no", "tr", "da"):
        if r.random() < 0.3 and loc in MONTHS:
            if loc in ("de", "da", "no"):
                return "%d. %s %d" % (dd, MONTHS[loc][m - 1], y)
            return "%d %s %d" % (dd, MONTHS[loc][m - 1], y)
        return "%02d.%02d.%d" % (dd, m, y)
    if loc in ("fr", "es", "it", "pt"):
        if r.random() < 0.3:
            if loc in ("es", "pt"):
                return "%d de %s de %d" % (dd, MONTHS[loc][m - 1], y)
            return "%d %s %d" % (dd, MONTHS[loc][m - 1], y)
        return "%02d/%02d/%d" % (dd, m, y)
    if loc == "nl":
        return r.choice(["%02d-%02d-%d" % (dd, m, y), "%d %s %d" % (dd, MONTHS["nl"][m - 1], y)])
    if loc == "sv":
        return r.choice(["%d-%02d-%02d" % (y, m, dd), "%d %s %d" % (dd, MONTHS["sv"][m - 1], y)])
    if loc == "fi":
        return r.choice(["%d.%d.%d" % (dd, m, y), "%d. %s %d" % (dd, MONTHS["fi"][m - 1], y)])
    if loc == "cs":
        return r.choice(["%d. %d. %d" % (dd, m, y), "%d. %s %d" % (dd, MONTHS["cs"][m - 1], y)])
    if loc in ("ja", "zh"):
        return "%d年%d月%d日" % (y, m, dd)
    if loc == "ko":
        return "%d년 %d월 %d일" % (y, m, dd)
    if loc == "slash":
        return "%02d/%02d/%d" % (dd, m, y)
    raise KeyError(loc)


def dob(r, loc, y0=1931, y1=2007):
    return fdate(r, rdate(r, y0, y1), loc)


def ndate(r, loc):
    return fdate(r, rdate(r, 2019, 2026), loc)


# ---------------------------------------------------------------- phones
def _d(r, n):
    return digs(r, n)


NANP_US = ["212", "213", "206", "303", "312", "404", "415", "503", "512", "602", "612", "617", "646", "702", "713", "720",
           "773", "804", "808", "917", "971", "608", "615", "520", "505", "916", "912", "614", "414", "858"]
NANP_CA = ["416", "514", "604", "403", "613", "902", "780", "647"]


def phone(r, cc):
    if cc in ("us", "ca"):
        a = r.choice(NANP_US if cc == "us" else NANP_CA)
        x = "%d%d%d" % (r.randint(2, 9), r.randint(0, 9), r.randint(2, 9))
        n = _d(r, 4)
        return r.choice(["(%s) %s-%s" % (a, x, n), "%s-%s-%s" % (a, x, n), "+1 %s %s %s" % (a, x, n),
                         "%s.%s.%s" % (a, x, n), "+1-%s-%s-%s" % (a, x, n)])
    if cc == "uk":
        return r.choice(["+44 20 %s %s" % (_d(r, 4), _d(r, 4)), "0161 %s %s" % (_d(r, 3), _d(r, 4)),
                         "+44 (0)113 %s %s" % (_d(r, 3), _d(r, 4)), "07%s %s" % (_d(r, 3), _d(r, 6)),
                         "+44 7%s %s%s" % (_d(r, 3), _d(r, 3), " " + _d(r, 3))])
    if cc == "de":
        return r.choice(["+49 30 %s" % _d(r, 8), "089 %s %s" % (_d(r, 4), _d(r, 4)),
                         "+49 (0)40 %s-%s" % (_d(r, 3), _d(r, 4)), "0151 %s" % _d(r, 8), "+49 1577 %s" % _d(r, 7)])
    if cc == "at":
        return r.choice(["+43 1 %s" % _d(r, 7), "0664 %s" % _d(r, 7), "+43 (0)662 %s %s" % (_d(r, 3), _d(r, 3))])
    if cc == "ch":
        return r.choice(["+41 44 %s %s %s" % (_d(r, 3), _d(r, 2), _d(r, 2)), "079 %s %s %s" % (_d(r, 3), _d(r, 2), _d(r, 2))])
    if cc == "fr":
        p = ["%02d" % r.randint(0, 99) for _ in range(4)]
        return r.choice(["+33 1 %s" % " ".join(p), "06 %s" % " ".join(p), "04.%s" % ".".join(p), "+33 (0)7 %s" % " ".join(p)])
    if cc == "be":
        return r.choice(["+32 2 %s %s %s" % (_d(r, 3), _d(r, 2), _d(r, 2)), "0475 %s %s %s" % (_d(r, 2), _d(r, 2), _d(r, 2))])
    if cc == "es":
        return r.choice(["+34 91 %s %s %s" % (_d(r, 3), _d(r, 2), _d(r, 2)), "6%s %s %s" % (_d(r, 2), _d(r, 3), _d(r, 3)),
                         "+34 6%s%s" % (_d(r, 2), _d(r, 6))])
    if cc == "it":
        return r.choice(["+39 02 %s %s" % (_d(r, 4), _d(r, 4)), "3%s %s %s" % (_d(r, 2), _d(r, 3), _d(r, 4)),
                         "+39 06 %s" % _d(r, 8)])
    if cc == "nl":
        return r.choice(["+31 20 %s %s" % (_d(r, 3), _d(r, 4)), "06-%s" % _d(r, 8), "+31 6 %s %s" % (_d(r, 4), _d(r, 4)),
                         "010 %s %s" % (_d(r, 3), _d(r, 4))])
    if cc == "pl":
        return r.choice(["+48 %s %s %s" % (_d(r, 3), _d(r, 3), _d(r, 3)), "+48 22 %s %s %s" % (_d(r, 3), _d(r, 2), _d(r, 2)),
                         "5%s %s %s" % (_d(r, 2), _d(r, 3), _d(r, 3))])
    if cc == "pt":
        return r.choice(["+351 21 %s %s" % (_d(r, 3), _d(r, 4)), "9%s %s %s" % (_d(r, 2), _d(r, 3), _d(r, 3))])
    if cc == "se":
        return r.choice(["+46 8 %s %s %s" % (_d(r, 3), _d(r, 3), _d(r, 2)), "070-%s %s %s" % (_d(r, 3), _d(r, 2), _d(r, 2)),
                         "+46 (0)18 %s %s" % (_d(r, 3), _d(r, 3))])
    if cc == "dk":
        return "+45 %s %s %s %s" % (_d(r, 2), _d(r, 2), _d(r, 2), _d(r, 2))
    if cc == "no":
        return r.choice(["+47 %s %s %s" % (_d(r, 3), _d(r, 2), _d(r, 3)), "+47 22 %s %s %s" % (_d(r, 2), _d(r, 2), _d(r, 2))])
    if cc == "fi":
        return r.choice(["+358 9 %s %s" % (_d(r, 4), _d(r, 4)), "040 %s %s" % (_d(r, 3), _d(r, 4)), "+358 50 %s %s" % (_d(r, 3), _d(r, 4))])
    if cc == "cz":
        return "+420 %s %s %s" % (_d(r, 3), _d(r, 3), _d(r, 3))
    if cc == "tr":
        return r.choice(["+90 212 %s %s %s" % (_d(r, 3), _d(r, 2), _d(r, 2)), "0532 %s %s %s" % (_d(r, 3), _d(r, 2), _d(r, 2)),
                         "+90 (216) %s %s %s" % (_d(r, 3), _d(r, 2), _d(r, 2))])
    if cc == "jp":
        return r.choice(["03-%s-%s" % (_d(r, 4), _d(r, 4)), "090-%s-%s" % (_d(r, 4), _d(r, 4)), "+81 6 %s %s" % (_d(r, 4), _d(r, 4)),
                         "06-%s-%s" % (_d(r, 4), _d(r, 4))])
    if cc == "cn":
        return r.choice(["+86 10 %s %s" % (_d(r, 4), _d(r, 4)), "1%d%d %s %s" % (r.randint(3, 9), r.randint(0, 9), _d(r, 4), _d(r, 4)),
                         "021-%s %s" % (_d(r, 4), _d(r, 4))])
    if cc == "kr":
        return r.choice(["010-%s-%s" % (_d(r, 4), _d(r, 4)), "+82 2 %s %s" % (_d(r, 3), _d(r, 4)), "02-%s-%s" % (_d(r, 3), _d(r, 4))])
    if cc == "in":
        return r.choice(["+91 9%s %s" % (_d(r, 4), _d(r, 5)), "+91 20 %s %s" % (_d(r, 4), _d(r, 4)), "098%s %s" % (_d(r, 2), _d(r, 5))])
    if cc == "sa":
        return r.choice(["+966 5%s %s %s" % (_d(r, 1), _d(r, 3), _d(r, 4)), "+971 4 %s %s" % (_d(r, 3), _d(r, 4)),
                         "+20 10 %s %s" % (_d(r, 4), _d(r, 4))])
    if cc == "ir":
        return r.choice(["+98 21 %s %s" % (_d(r, 4), _d(r, 4)), "0912 %s %s" % (_d(r, 3), _d(r, 4)), "+98 912 %s %s" % (_d(r, 3), _d(r, 4))])
    if cc == "au":
        return r.choice(["+61 2 %s %s" % (_d(r, 4), _d(r, 4)), "04%s %s %s" % (_d(r, 2), _d(r, 3), _d(r, 3)), "(03) %s %s" % (_d(r, 4), _d(r, 4))])
    if cc == "br":
        return r.choice(["+55 11 9%s-%s" % (_d(r, 4), _d(r, 4)), "(21) 9%s-%s" % (_d(r, 4), _d(r, 4))])
    if cc == "ie":
        return r.choice(["+353 1 %s %s" % (_d(r, 3), _d(r, 4)), "087 %s %s" % (_d(r, 3), _d(r, 4))])
    if cc == "id":
        return "+62 812 %s %s" % (_d(r, 4), _d(r, 4))
    if cc == "hr":
        return "+385 1 %s %s" % (_d(r, 3), _d(r, 4))
    raise KeyError(cc)


# ---------------------------------------------------------------- postal / addresses
UK_OUT = ["SW1A", "EC1V", "W1D", "N1", "E14", "SE1", "M4", "B15", "LS6", "L3", "BS8", "CF24", "EH3", "G12",
          "NE6", "OX1", "CB2", "BT7", "AB10", "NG1", "S10", "YO1", "M20", "WC2H", "NW3", "PL4", "SO17"]
UK_IN_L = "ABDEFGHJLNPQRSTUWXYZ"
CA_FIRST = "ABCEGHJKLMNPRSTVXY"
CA_LET = "ABCEGHJKLMNPRSTVWXYZ"
EIR_KEYS = ["D02", "D04", "D6W", "D08", "A65", "A94", "T12", "T23", "H91", "V94", "R95", "W23", "K78", "F94", "N91", "X91"]
EIR_CH = "ACDEFHKNPRTVWXY0123456789"


def postal(r, cc):
    if cc == "us":
        z = "%05d" % r.randint(1001, 99950)
        return z + ("-%04d" % r.randint(1, 9999) if r.random() < 0.3 else "")
    if cc == "uk":
        return "%s %d%s" % (r.choice(UK_OUT), r.randint(0, 9), "".join(r.choice(UK_IN_L) for _ in range(2)))
    if cc == "ca":
        return "%s%d%s %d%s%d" % (r.choice(CA_FIRST), r.randint(0, 9), r.choice(CA_LET), r.randint(0, 9), r.choice(CA_LET), r.randint(0, 9))
    if cc == "de":
        return "%05d" % r.randint(1067, 99998)
    if cc in ("at", "ch", "be", "dk", "no", "au"):
        lo = {"at": 1010, "ch": 1000, "be": 1000, "dk": 1050, "no": 150, "au": 2000}[cc]
        hi = {"at": 9992, "ch": 9658, "be": 9992, "dk": 9990, "no": 9991, "au": 7470}[cc]
        return "%04d" % r.randint(lo, hi)
    if cc == "fr":
        return "%02d%03d" % (r.choice([13, 31, 33, 44, 59, 67, 69, 75, 92, 94]), r.randint(0, 999) // 10 * 10)
    if cc == "es":
        return "%02d%03d" % (r.randint(1, 52), r.randint(1, 999))
    if cc == "it":
        return "%05d" % r.randint(10, 98168)
    if cc == "nl":
        while True:
            l2 = "".join(r.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
            if l2 not in ("SA", "SD", "SS"):
                break
        return "%d %s" % (r.randint(1000, 9999), l2) if r.random() < 0.7 else "%d%s" % (r.randint(1000, 9999), l2)
    if cc == "pl":
        return "%02d-%03d" % (r.randint(0, 99), r.randint(0, 999))
    if cc == "pt":
        return "%04d-%03d" % (r.randint(1000, 9980), r.randint(0, 999))
    if cc == "se":
        return "%03d %02d" % (r.randint(100, 984), r.randint(0, 99))
    if cc == "fi":
        return "%05d" % r.randint(100, 99990)
    if cc == "cz":
        return "%03d %02d" % (r.randint(100, 798), r.randint(0, 99))
    if cc == "tr":
        return "%02d%03d" % (r.randint(1, 81), r.randint(0, 999))
    if cc == "jp":
        return "%03d-%04d" % (r.randint(1, 999), r.randint(0, 9999))
    if cc == "in":
        return "%d%05d" % (r.randint(1, 8), r.randint(0, 99999))
    if cc == "br":
        return "%05d-%03d" % (r.randint(1000, 99999), r.randint(0, 999))
    if cc == "ie":
        return "%s %s" % (r.choice(EIR_KEYS), "".join(r.choice(EIR_CH) for _ in range(4)))
    raise KeyError(cc)


US_ST = [("Maple Ave", "Columbus", "OH"), ("Birch Lane", "Denver", "CO"), ("Harbor View Rd", "Portland", "OR"),
         ("Cedar Ct", "Austin", "TX"), ("W Fulton St", "Chicago", "IL"), ("Old Mill Rd", "Nashville", "TN"),
         ("Beacon St", "Boston", "MA"), ("Pinecrest Dr", "Tucson", "AZ"), ("Lakeshore Blvd", "Madison", "WI"),
         ("Magnolia St", "Savannah", "GA"), ("Sycamore Way", "Sacramento", "CA"), ("Juniper Ave", "Albuquerque", "NM")]
US_ZIP3 = {"Columbus": "432", "Denver": "802", "Portland": "972", "Austin": "787", "Chicago": "606", "Nashville": "372",
           "Boston": "021", "Tucson": "857", "Madison": "537", "Savannah": "314", "Sacramento": "958", "Albuquerque": "871",
           "HARTFORD": "061"}
UK_CITY = {"Leeds": ["LS6", "LS1"], "Bristol": ["BS8", "BS1"], "Cardiff": ["CF24", "CF10"], "Manchester": ["M20", "M4"],
           "Edinburgh": ["EH3", "EH1"], "Norwich": ["NR2", "NR1"], "London": ["SW1A", "EC1V", "N1", "E14", "SE1", "WC2H", "NW3"]}
CA_CITY = {"Montréal QC": "H", "Toronto ON": "M", "Halifax NS": "B", "Edmonton AB": "T", "Vancouver BC": "V"}
IE_CITY = {"Dublin 2": ["D02"], "Cork": ["T12", "T23"], "Galway": ["H91"]}
AU_CITY = {"Melbourne VIC": (3000, 3207), "Sydney NSW": (2000, 2234), "Perth WA": (6000, 6199)}


def us_zip(r, city):
    z = US_ZIP3[city] + "%02d" % r.randint(1, 99)
    return z + ("-%04d" % r.randint(1, 9999) if r.random() < 0.3 else "")


def us_loc(r):
    st, city, s = r.choice(US_ST)
    return st, city, s, us_zip(r, city)


def addr(r, cc, big_house=False):
    """Return an address string with the postal code wrapped."""
    z = M("postal_code", postal(r, cc))
    n = r.randint(1, 240)
    if cc == "us":
        st, city, s, zz = us_loc(r)
        hn = r.randint(10000, 19999) if big_house else r.randint(2, 9890)
        unit = r.choice(["", " Apt 4B", " Unit 12", " #305"])
        return "%d %s%s, %s, %s %s" % (hn, st, unit, city, s, M("postal_code", zz))
    if cc == "uk":
        city = r.choice(sorted(UK_CITY))
        zz = "%s %d%s" % (r.choice(UK_CITY[city]), r.randint(0, 9), "".join(r.choice(UK_IN_L) for _ in range(2)))
        return "%d %s, %s %s" % (n, r.choice(["Brunswick Road", "Orchard Close", "Quayside", "Larkspur Gardens"]), city, M("postal_code", zz))
    if cc == "ca":
        city = r.choice(sorted(CA_CITY))
        zz = CA_CITY[city] + postal(r, "ca")[1:]
        return "%d %s, %s %s" % (n, r.choice(["Rue Saint-Denis", "Queen St W", "Bay Street", "Jasper Ave"]), city, M("postal_code", zz))
    if cc == "de":
        return "%s %d, %s%s %s" % (r.choice(["Lindenallee", "Am Stadtgraben", "Kastanienweg", "Hafenstraße"]), n,
                                   r.choice(["", "", "D-"]), z, r.choice(["Hamburg", "Leipzig", "Köln", "Freiburg im Breisgau"]))
    if cc == "at":
        return "%s %d, %s%s %s" % (r.choice(["Mariahilfer Straße", "Herrengasse", "Getreidegasse"]), n,
                                   r.choice(["", "A-"]), z, r.choice(["Wien", "Graz", "Salzburg"]))
    if cc == "ch":
        return "%s %d, %s%s %s" % (r.choice(["Seefeldstrasse", "Bahnhofplatz", "Rue du Rhône"]), n,
                                   r.choice(["", "CH-"]), z, r.choice(["Zürich", "Bern", "Genève"]))
    if cc == "fr":
        return "%d %s, %s %s" % (n, r.choice(["rue des Tanneurs", "avenue Jean-Jaurès", "boulevard Voltaire", "impasse des Lilas"]),
                                 z, r.choice(["Lyon", "Nantes", "Lille", "Toulouse"]))
    if cc == "be":
        return "%s %d, %s %s" % (r.choice(["Rue de la Loi", "Meir", "Korenmarkt"]), n, z, r.choice(["Bruxelles", "Antwerpen", "Gent"]))
    if cc == "nl":
        return "%s %d, %s %s" % (r.choice(["Prinsengracht", "Oudegracht", "Laan van Meerdervoort"]), n, z,
                                 r.choice(["Amsterdam", "Utrecht", "Den Haag"]))
    if cc == "es":
        return "%s, %d, %s %s" % (r.choice(["Calle de Alcalá", "Avinguda Diagonal", "Calle Sierpes"]), n, z,
                                  r.choice(["Madrid", "Barcelona", "Sevilla"]))
    if cc == "it":
        return "%s %d, %s %s" % (r.choice(["Via dei Mille", "Corso Buenos Aires", "Viale Trastevere"]), n, z,
                                 r.choice(["Milano (MI)", "Roma (RM)", "Torino (TO)"]))
    if cc == "pl":
        return "ul. %s %d/%d, %s %s" % (r.choice(["Długa", "Piotrkowska", "Grunwaldzka"]), n, r.randint(1, 40), z,
                                        r.choice(["Kraków", "Łódź", "Gdańsk"]))
    if cc == "pt":
        return "%s, %d, %s %s" % (r.choice(["Rua de Santa Catarina", "Avenida da Liberdade", "Rua do Ouro"]), n, z,
                                  r.choice(["Porto", "Lisboa", "Coimbra"]))
    if cc == "se":
        return "%s %d, %s%s %s" % (r.choice(["Drottninggatan", "Kungsgatan", "Västra Hamngatan"]), n, r.choice(["", "SE-"]), z,
                                   r.choice(["Göteborg", "Stockholm", "Malmö"]))
    if cc == "dk":
        return "%s %d, %s %s" % (r.choice(["Nørrebrogade", "Strøget", "Jernbanegade"]), n, z, r.choice(["København N", "Aarhus C", "Odense C"]))
    if cc == "no":
        return "%s %d, %s %s" % (r.choice(["Bogstadveien", "Kongens gate", "Olav Tryggvasons gate"]), n, z, r.choice(["Oslo", "Trondheim", "Bergen"]))
    if cc == "fi":
        return "%s %d, %s %s" % (r.choice(["Hämeenkatu", "Aleksanterinkatu", "Kauppakatu"]), n, z, r.choice(["Tampere", "Helsinki", "Turku"]))
    if cc == "cz":
        return "%s %d, %s %s" % (r.choice(["Masarykova", "Národní", "Palackého"]), n, z, r.choice(["Brno", "Praha 1", "Olomouc"]))
    if cc == "tr":
        return "%s No: %d, %s %s" % (r.choice(["Bağdat Cad.", "İstiklal Cad.", "Kızılay Sok."]), n, z, r.choice(["Kadıköy/İstanbul", "Çankaya/Ankara", "Konak/İzmir"]))
    if cc == "jp":
        return "〒%s %s%d-%d-%d" % (z, r.choice(["東京都新宿区西新宿", "大阪府大阪市北区梅田", "福岡県福岡市中央区天神"]), r.randint(1, 9), r.randint(1, 30), r.randint(1, 20))
    if cc == "au":
        city = r.choice(sorted(AU_CITY))
        return "%d %s, %s %s" % (n, r.choice(["Flinders St", "George St", "Adelaide Tce"]), city, M("postal_code", "%04d" % r.randint(*AU_CITY[city])))
    if cc == "in":
        return "Flat %d, %s, %s %s" % (r.randint(1, 40), r.choice(["MG Road", "Linking Road", "Anna Salai"]), r.choice(["Pune", "Mumbai", "Chennai"]), z)
    if cc == "br":
        return "%s, %d - %s, %s" % (r.choice(["Rua Augusta", "Avenida Paulista", "Rua das Laranjeiras"]), n, r.choice(["São Paulo/SP", "Rio de Janeiro/RJ"]), z)
    if cc == "ie":
        city = r.choice(sorted(IE_CITY))
        zz = "%s %s" % (r.choice(IE_CITY[city]), "".join(r.choice(EIR_CH) for _ in range(4)))
        return "%d %s, %s, %s" % (n, r.choice(["Baggot Street", "Patrick Street", "Eyre Square"]), city, M("postal_code", zz))
    raise KeyError(cc)


# ---------------------------------------------------------------- e-mail, url, ip
DOMAINS = {
    "en": ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "riverbend-health.org", "fastmail.com"],
    "de": ["web.de", "gmx.de", "t-online.de", "posteo.de"], "at": ["gmx.at", "aon.at"], "ch": ["bluewin.ch"],
    "fr": ["orange.fr", "free.fr", "laposte.net"], "es": ["telefonica.net", "gmail.com"], "it": ["libero.it", "virgilio.it"],
    "nl": ["ziggo.nl", "kpnmail.nl"], "pl": ["wp.pl", "onet.pl", "o2.pl"], "pt": ["sapo.pt"], "se": ["telia.com", "bredband.net"],
    "dk": ["mail.dk", "jubii.dk"], "no": ["online.no"], "fi": ["elisanet.fi"], "cz": ["seznam.cz", "centrum.cz"],
    "tr": ["hotmail.com.tr", "yandex.com.tr"], "jp": ["yahoo.co.jp", "docomo.ne.jp"], "cn": ["qq.com", "163.com"],
    "kr": ["naver.com", "daum.net"], "in": ["rediffmail.com", "gmail.com"], "ar": ["gmail.com", "outlook.sa"], "fa": ["chmail.ir"],
}


def email_for(r, g, f, dom_key="en"):
    dom = r.choice(DOMAINS[dom_key])
    g, f = fold(g).lower(), fold(f).lower()
    k = r.randint(0, 5)
    local = [g + "." + f, g[0] + f, f + "." + g[0], g + "_" + f + str(r.randint(1, 99)), g + str(r.randint(60, 99)), f + g[0] + str(r.randint(1, 9))][k]
    return local + "@" + dom


ORG_DOM = {"school": ["lincoln-elementary.k12.example.us", "westfield-schools.org"], "edu": ["uni-example.edu"],
           "health": ["stlukes-clinic.org", "riverbend-health.org"]}


def org_email(r, sector=None):
    if sector:
        return r.choice({"school": ["nurse", "office", "attendance"], "edu": ["registry", "international", "admissions"],
                         "health": ["records", "intake", "frontdesk"]}[sector]) + "@" + r.choice(ORG_DOM[sector])
    return r.choice(["claims", "billing", "frontdesk", "records", "intake", "noc", "privacy", "payments", "helpdesk", "admissions"]) + \
        "@" + r.choice(["stlukes-clinic.org", "northgate-insurance.com", "baltic-air.eu", "hotel-seeblick.at", "uni-example.edu",
                        "kasse-nord.de", "mutuelle-arc.fr", "farmacia-sole.it", "telco-one.nl", "bankhaus-elbe.de"])


URL_HOSTS = ["https://mychart.riverbend-health.org", "https://portal.northgate-insurance.com", "https://www.baltic-air.eu",
             "https://secure.bankhaus-elbe.de", "https://booking.hotel-seeblick.at", "http://intranet.stlukes-clinic.org",
             "https://www.uni-example.edu", "https://forms.benefits-agency.gov", "https://track.parcelhub.co.uk",
             "https://www.mutuelle-arc.fr", "https://app.telco-one.nl", "https://kundencenter.kasse-nord.de",
             "https://www.farmacia-sole.it", "https://status.payrails.io", "https://docs.example-lab.net", "http://www.old-clinic-archive.org"]
URL_PATHS = ["/login", "/claims/status?ref=Q4471", "/account/verify?token=x7Hq2pL9", "/appointments/reschedule", "/docs/consent-form.pdf",
             "/checkin?pnr=K7QX2M", "/refill#queue", "/en/privacy", "/reset-password?u=8842&src=sms", "/s/portal/upload", "/v2/eob/2025-03",
             "/kontakt", "/fr/espace-adherent", "/careers/apply?job=RN-ICU", "/de/formulare/aenderung", "/pay?amt=129.90&cur=EUR"]


URL_BY = {
    "health": ["https://mychart.riverbend-health.org/MyChart/Visits", "https://mychart.riverbend-health.org/app/messages?id={n}",
               "http://intranet.stlukes-clinic.org/forms/consent-form.pdf", "https://www.stlukes-clinic.org/patients/billing",
               "https://docs.example-lab.net/results/{h}"],
    "insure": ["https://portal.northgate-insurance.com/claims/status?ref=Q{n}", "https://portal.northgate-insurance.com/v2/eob/2025-03",
               "https://www.northgate-insurance.com/brokers/renewals", "https://portal.northgate-insurance.com/members/id-card"],
    "bank": ["https://secure.bankhaus-elbe.de/login", "https://secure.bankhaus-elbe.de/account/verify?token={h}",
             "https://status.payrails.io/incidents/{h}", "https://www.bankhaus-elbe.de/de/formulare/aenderung"],
    "travel": ["https://www.baltic-air.eu/checkin?pnr={p}", "https://www.baltic-air.eu/en/manage-booking", "https://booking.hotel-seeblick.at/stay/{p}"],
    "edu": ["https://www.uni-example.edu/registry/verify?doc={n}", "https://www.uni-example.edu/international/visa-letters"],
    "gov": ["https://forms.benefits-agency.gov/claim/status?case={n}", "https://www.benefits-agency.gov/unemployment/apply"],
    "shop": ["https://track.parcelhub.co.uk/t/{p}", "http://www.old-clinic-archive.org/", "https://www.farmacia-sole.it/ordini/{n}"],
}


def url(r, sector=None):
    if sector:
        u = r.choice(URL_BY[sector])
        u = u.replace("{n}", digs(r, 5)).replace("{h}", hexs(r, 10)).replace("{p}", rid(r, 6, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
        if r.random() < 0.12 and u.startswith("https://www."):
            u = u[len("https://"):]
        return u
    h = r.choice(URL_HOSTS)
    if r.random() < 0.15:
        h = h.replace("https://", "").replace("http://", "")
        if not h.startswith("www."):
            h = "www." + h.split(".", 1)[1]
    return h + (r.choice(URL_PATHS) if r.random() < 0.8 else "")


def ipv4(r):
    k = r.randint(0, 4)
    if k == 0:
        return "10.%d.%d.%d" % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
    if k == 1:
        return "192.168.%d.%d" % (r.randint(0, 255), r.randint(1, 254))
    if k == 2:
        return "172.%d.%d.%d" % (r.randint(16, 31), r.randint(0, 255), r.randint(1, 254))
    return "%d.%d.%d.%d" % (r.choice([23, 45, 62, 81, 91, 109, 145, 151, 185, 194, 203, 212, 217]), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))


def ipv6(r):
    h = lambda: "%x" % r.randint(1, 0xFFFF)
    k = r.randint(0, 3)
    if k == 0:
        return "2001:db8:%s:%s::%s" % (h(), h(), h())
    if k == 1:
        return "fe80::%s:%s:%s:%s" % (h(), h(), h(), h())
    if k == 2:
        return ":".join("%04x" % r.randint(0, 0xFFFF) for _ in range(8))
    return "2a02:%s:%s:%s:%s:%s:%s:%s" % tuple(h() for _ in range(7))


def bad_quad(r):
    parts = [str(r.randint(1, 254)) for _ in range(4)]
    parts[r.randint(0, 3)] = str(r.randint(256, 999))
    return ".".join(parts)


FEMALE = {"Maria", "Jennifer", "Sarah", "Emily", "Rebecca", "Olivia", "Hannah", "Katrin", "Sabine", "Annika", "Chloé", "Léa",
          "Lucía", "Sofía", "Giulia", "Francesca", "Chiara", "Agnieszka", "Małgorzata", "Sanne", "Femke", "Ngozi", "Abena",
          "Wanjiru", "Fatima", "Layla", "Ayşe", "Elif", "Priya", "Ananya", "Yuki", "Ingrid", "Astrid", "Olena", "Svetlana",
          "Eleni", "Siobhan", "Niamh"}
PL_F = {"Zielińska", "Nowak", "Wójcik"}
PL_M = {"Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Lewandowski"}


def person(r, cult, sex=None):
    gs = GIVEN[cult]
    if sex == "f":
        gs = [g for g in gs if g in FEMALE] or gs
    elif sex == "m":
        gs = [g for g in gs if g not in FEMALE] or gs
    g = r.choice(gs)
    fs = FAMILY[cult]
    if cult == "pl":
        fs = sorted(PL_F if g in FEMALE else PL_M)
    return g, r.choice(fs)


def sex_of(g):
    return "F" if g in FEMALE else "M"


def NN(g, f):
    return M("name", g + " " + f)


# ---------------------------------------------------------------- negatives
def hexs(r, n):
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def uuid(r):
    h = hexs(r, 32)
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], r.choice("89ab"), h[17:20], h[20:32])


def mac(r):
    return ":".join("%02X" % r.randint(0, 255) for _ in range(6))


def npi(r):
    base = "1" + digs(r, 8)
    return base + npi_check_digit(base)


def amount(r, loc):
    v = r.randint(100, 999999) / 100.0
    if loc == "us":
        return "$%s" % format(v, ",.2f")
    if loc == "de":
        return "%s €" % format(v, ",.2f").replace(",", "X").replace(".", ",").replace("X", ".")
    if loc == "fr":
        return "%s €" % format(v, ",.2f").replace(",", " ").replace(".", ",")
    if loc == "ch":
        return "CHF %s" % format(v, ",.2f").replace(",", "'")
    if loc == "uk":
        return "£%s" % format(v, ",.2f")
    if loc == "jp":
        return "¥%s" % format(int(v * 10), ",")
    if loc == "in":
        return "₹%d" % int(v)
    return "%.2f" % v


def neg_ref(r):
    k = r.randint(0, 19)
    return [
        lambda: "order #%s-%s" % (digs(r, 3), digs(r, 7)),
        lambda: "invoice INV/%d/%05d" % (r.randint(2021, 2026), r.randint(1, 99999)),
        lambda: "tracking 1Z%s%s" % (rid(r, 3, "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"), digs(r, 11)),
        lambda: "claim no. CLM-%s-%s" % (digs(r, 4), digs(r, 6)),
        lambda: "booking ref %s" % rid(r, 6, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"),
        lambda: "e-ticket %s-%s" % (r.choice(["057", "125", "220", "074", "176"]), digs(r, 10)),
        lambda: "ticket INC%s" % digs(r, 7),
        lambda: "case %s-%s" % (r.randint(20, 26), digs(r, 6)),
        lambda: "v%d.%d.%d" % (r.randint(1, 14), r.randint(0, 30), r.randint(0, 99)),
        lambda: "sha256 %s" % hexs(r, 64),
        lambda: "commit %s" % hexs(r, 12),
        lambda: "request_id=%s" % uuid(r),
        lambda: "MAC %s" % mac(r),
        lambda: "ICD-10 %s" % r.choice(["E11.65", "I10", "J45.909", "M54.5", "F32.1", "Z00.00", "K21.9", "N39.0", "S82.101A"]),
        lambda: "CPT %s" % r.choice(["99214", "97110", "90834", "71046", "80053", "93000", "97161"]),
        lambda: "NDC %s-%s-%s" % (digs(r, 5), digs(r, 3), digs(r, 2)),
        lambda: "LOINC %s" % r.choice(["4548-4", "2345-7", "718-7", "2160-0", "14682-9", "30522-7"]),
        lambda: "NPI %s" % npi(r),
        lambda: "BIC %s" % r.choice(["DEUTDEFF", "COBADEFFXXX", "BNPAFRPP", "INGBNL2A", "NDEASESS", "RABONL2U", "UBSWCHZH80A", "BARCGB22"]),
        lambda: "lot %s%s" % (rid(r, 2), digs(r, 5)),
    ][k]()


# ---------------------------------------------------------------- templates
T = []  # (weight, fn)


def tpl(w=1):
    def deco(fn):
        T.append((w, fn))
        return fn
    return deco


A = lambda r, cc: addr(r, cc)
E_ = lambda v: M("email", v)
P_ = lambda v: M("phone", v)
S_ = lambda v: M("ssn", v)
C_ = lambda v: M("credit_card", v)
I_ = lambda v: M("iban", v)
IP_ = lambda v: M("ip_address", v)
D_ = lambda v: M("date_of_birth", v)
R_ = lambda v: M("medical_record_number", v)
H_ = lambda v: M("health_plan_number", v)
Z_ = lambda v: M("postal_code", v)
U_ = lambda v: M("url", v)
N_ = lambda v: M("name", v)


# ---- clinical, English
@tpl(4)
def t_ems(r):
    g, f = person(r, r.choice(["en", "af", "ie", "in"]))
    return ("EMS run sheet R-%s — pt %s, %dy, DOB %s, picked up at %s; callback %s; GCS 14, BGL 3.1 mmol/L, "
            "handover to ED at %02d:%02d." % (digs(r, 5), NN(g, f), r.randint(18, 90), D_(dob(r, "us")), A(r, "us"),
                                              P_(phone(r, "us")), r.randint(0, 23), r.randint(0, 59)))


@tpl(3)
def t_icu(r):
    g, f = person(r, r.choice(["en", "es", "vn", "cn"]))
    g2, f2 = person(r, "en")
    return ("ICU flowsheet, bed %d — MRN %s | %s, %s | MAP 64, norepi 0.06 mcg/kg/min, FiO2 40%% | "
            "next of kin %s, mobile %s" % (r.randint(1, 24), R_(mrn(r)), N_(f), N_(g), NN(g2, f2), P_(phone(r, "us"))))


@tpl(3)
def t_physio(r):
    g, f = person(r, r.choice(["en", "ie", "nord"]))
    return ("Physiotherapy progress note: %s (D.O.B. %s), chart number %s. Knee flexion 95°, quad lag resolved; "
            "home exercise sheet sent to %s; review on %s." % (NN(g, f), D_(dob(r, "en")), R_(mrn(r)), E_(email_for(r, g, f)), ndate(r, "en")))


@tpl(3)
def t_mh_intake(r):
    g, f = person(r, r.choice(["en", "af", "ar"]))
    g2, f2 = person(r, "en")
    return ("Behavioral health intake — client: %s; date of birth: %s; preferred phone: %s; emergency contact: %s (%s); "
            "coverage: Medicaid ID %s; PHQ-9 score 17." % (NN(g, f), D_(dob(r, "us")), P_(phone(r, "us")), NN(g2, f2),
                                                          P_(phone(r, "us")), H_(rid(r, 2) + digs(r, 6) + rid(r, 1))))


@tpl(3)
def t_school_nurse(r):
    g, f = person(r, r.choice(["en", "es", "in", "af"]))
    return ("Dear parent or guardian of %s (born %s): your child was seen in the nurse's office today for a nosebleed. "
            "Please call me on %s ext. 214 or write to %s. — School Nurse" % (NN(g, f), D_(dob(r, "us", 2009, 2019)), P_(phone(r, "us")),
                                                                                E_(org_email(r, "school"))))


@tpl(3)
def t_trial(r):
    return ("Screening log NCT0%s | subject %s-%03d | source doc: MRN %s, DOB %s | HbA1c 9.4%% | eligible: no (eGFR 38)" %
            (digs(r, 7), rid(r, 3), r.randint(1, 300), R_(mrn(r)), D_(dob(r, "iso"))))


@tpl(3)
def t_occhealth(r):
    g, f = person(r, r.choice(["en", "es", "af"]))
    return ("Occupational health record — employee %s, SSN %s, DOB %s; audiogram baseline %s; respirator fit test passed; "
            "badge %s." % (NN(g, f), S_(make_ssn(r, r.choice(["-", " "]))), D_(dob(r, "us")), ndate(r, "us"), digs(r, 5)))


@tpl(3)
def t_death_cert(r):
    g, f = person(r, r.choice(["en", "ie", "de"]))
    g2, f2 = person(r, "en")
    c = r.choice(["us", "uk"])
    return ("Death certificate draft: decedent %s; date of birth %s; date of death %s; usual residence %s; "
            "informant %s, tel. %s; cause: metastatic NSCLC." % (NN(g, f), D_(dob(r, "en")), ndate(r, "en"), A(r, c),
                                                                 NN(g2, f2), P_(phone(r, c))))


@tpl(3)
def t_refill(r):
    g, f = person(r, r.choice(["en", "es", "cn", "ar"]))
    return ("Refill queue #%d: Rx %s atorvastatin 40 mg x90 — %s, DOB %s, ph %s, member ID %s; copay %s; due %s" %
            (r.randint(1, 60), digs(r, 7), NN(g, f), D_(dob(r, "us")), P_(phone(r, "us")), H_(member_id(r)), amount(r, "us"),
             ndate(r, "us")))


@tpl(2)
def t_dialysis_md(r):
    rows = []
    for _ in range(2):
        g, f = person(r, r.choice(["en", "af", "in", "es"]))
        rows.append("| %s | %s | %s | chair %d | %s |" % (R_(mrn(r)), NN(g, f), D_(dob(r, "iso")), r.randint(1, 18), r.choice(["MWF", "TTS"])))
    return "Dialysis census: | MRN | Patient | DOB | Station | Days | |---|---|---|---|---| " + " ".join(rows)


@tpl(2)
def t_o2(r):
    g, f = person(r, "en")
    return ("Home oxygen CMN: beneficiary %s, Medicare number %s, SpO2 86%% on RA, supplier NPI %s, start %s." %
            (NN(g, f), H_(mbi(r)), npi(r), ndate(r, "us")))


@tpl(2)
def t_ma_enrol(r):
    g, f = person(r, "en")
    return ("Enrollment confirmation for %s: %s, plan H%s-0%s, effective %s; welcome kit mailed to %s." %
            (NN(g, f), H_(mbi(r)), digs(r, 4), digs(r, 2), ndate(r, "us"), A(r, "us")))


@tpl(2)
def t_nicu(r):
    g, f = person(r, r.choice(["en", "af", "in"]), "f")
    return ("NICU admission: baby girl %s, born %s at 03:14, 1.9 kg; mother's MRN %s; pediatrician paged via %s." %
            (N_(f), D_(dob(r, "us", 2024, 2025)), R_(mrn(r)), P_(phone(r, "us"))))


@tpl(2)
def t_bloodbank(r):
    g, f = person(r, r.choice(["en", "ie"]))
    return ("Crossmatch request — patient ID %s, %s, %s, DOB %s; 2 units O neg, ISBT unit W%s %s; Hb 68 g/L." %
            (R_(mrn(r)), N_(f), N_(g), D_(dob(r, "en")), digs(r, 4), digs(r, 6)))


@tpl(3)
def t_gp_reg(r):
    g, f = person(r, r.choice(["en", "ie", "in"]))
    return ("GMS1 registration: %s, NHS number %s, date of birth %s, address %s, mobile %s." %
            (NN(g, f), H_(nhs_number(r)), D_(dob(r, "en")), A(r, "uk"), P_(phone(r, "uk"))))


@tpl(2)
def t_fitnote(r):
    g, f = person(r, "en")
    return ("Fit note issued %s for %s (NHS no. %s) — not fit for work for 14 days; postcode %s." %
            (ndate(r, "en"), NN(g, f), H_(nhs_number(r)), Z_(postal(r, "uk"))))


@tpl(2)
def t_au_med(r):
    g, f = person(r, r.choice(["en", "cn", "vn"]))
    return ("Bulk-billed telehealth: %s, Medicare card %s, DOB %s, %s, phone %s." %
            (NN(g, f), H_(au_medicare(r)), D_(dob(r, "slash")), A(r, "au"), P_(phone(r, "au"))))


@tpl(2)
def t_bc(r):
    g, f = person(r, r.choice(["en", "cn", "in"]))
    return ("Walk-in clinic (Vancouver): %s, health plan ID %s, DOB %s, postal code %s." %
            (NN(g, f), H_(bc_phn(r)), D_(dob(r, "iso")), Z_("V" + postal(r, "ca")[1:])))


# ---- HL7 / X12 / FHIR
def hl7_name(f, g):
    return "%s^%s" % (N_(f), N_(g))


@tpl(3)
def t_hl7_pid(r):
    g, f = person(r, r.choice(["en", "es", "de", "af"]))
    st, city, s, zz = us_loc(r)
    ph = "(%s)%d%d%d-%s" % (r.choice(NANP_US), r.randint(2, 9), r.randint(0, 9), r.randint(2, 9), digs(r, 4))
    pid = ["PID", "1", "", R_(mrn(r)) + "^^^RBH^MR", "", hl7_name(f, g), "", D_(fdate(r, rdate(r, 1931, 2011), "compact")),
           sex_of(g), "", "", "%d %s^^%s^%s^%s" % (r.randint(2, 9890), st, city, s, Z_(zz)), "", P_(ph)]
    if r.random() < 0.5:
        pid += ["", "ENG", "M", "", "ACC%s" % digs(r, 7), S_(make_ssn(r, "-"))]
        note = "HL7 ADT^A04 (PID-3 = MRN, PID-7 = DOB, PID-19 = SSN): "
    else:
        note = "HL7 ADT^A08 (PID-3 = MRN, PID-7 = DOB, PID-13 = home phone): "
    msh = "MSH|^~\\&|EPIC|RBH|LAB|RBH|%d%02d%02d1022||ADT^A04|MSG%s|P|2.5.1" % (r.randint(2023, 2026), r.randint(1, 12), r.randint(1, 28), digs(r, 6))
    return note + msh + " ⏎ " + "|".join(pid)


@tpl(2)
def t_hl7_in1(r):
    g, f = person(r, r.choice(["en", "es"]))
    in1 = ["IN1", "1", "PPO%s" % digs(r, 2), digs(r, 5), "NORTHGATE HEALTH", "PO BOX %d^^HARTFORD^CT^%s" % (r.randint(100, 9999), Z_("061%02d" % r.randint(1, 99))), "", "",
           "GRP%s" % digs(r, 5), "", "", "", ndate(r, "compact").replace("-", ""), "", "", "", hl7_name(f, g), "SEL",
           D_(fdate(r, rdate(r, 1931, 2005), "compact")), "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
           H_(member_id(r))]
    assert len(in1) == 37
    return "HL7 insurance segment (IN1-16 = insured name, IN1-18 = insured DOB, IN1-36 = policy number): " + "|".join(in1)


@tpl(2)
def t_hl7_gt1(r):
    g, f = person(r, "en")
    st, city, s, zz = us_loc(r)
    gt1 = ["GT1", "1", "G%s" % digs(r, 6), hl7_name(f, g), "", "%d %s^^%s^%s^%s" % (r.randint(2, 9890), st, city, s, Z_(zz)),
           P_("(%s)%d%d%d-%s" % (r.choice(NANP_US), r.randint(2, 9), r.randint(0, 9), r.randint(2, 9), digs(r, 4))), "",
           D_(fdate(r, rdate(r, 1931, 2000), "compact")), sex_of(g), "P/F", "SEL", S_(make_ssn(r, "-"))]
    return "Guarantor segment (GT1-3 = name, GT1-8 = DOB, GT1-12 = SSN): " + "|".join(gt1)


@tpl(3)
def t_x12_834(r):
    g, f = person(r, r.choice(["en", "es", "af", "in"]))
    st, city, s, zz = us_loc(r)
    seg = ["INS*Y*18*021*28*A***FT", "REF*0F*" + H_(member_id(r)), "REF*1L*GRP%s" % digs(r, 5),
           "DTP*356*D8*%s" % ndate(r, "compact"),
           "NM1*IL*1*%s*%s****34*%s" % (N_(f), N_(g), S_(make_ssn(r, ""))),
           "PER*IP**HP*" + P_("%s%d%d%d%s" % (r.choice(NANP_US), r.randint(2, 9), r.randint(0, 9), r.randint(2, 9), digs(r, 4))),
           "N3*%d %s" % (r.randint(2, 9890), st.upper()), "N4*%s*%s*%s" % (city.upper(), s, Z_(zz[:5])),
           "DMG*D8*" + D_(fdate(r, rdate(r, 1940, 2006), "compact")) + "*" + sex_of(g), "HD*021**HLT*PPO01*EMP"]
    return ("X12 834 enrollment (REF*0F = subscriber number, NM108 34 = SSN, DMG02 = DOB): ST*834*%s*005010X220A1~" % digs(r, 4) +
            "~".join(seg) + "~")


@tpl(2)
def t_fhir_patient(r):
    g, f = person(r, r.choice(["en", "de", "nl", "fr"]))
    cc = r.choice(["us", "de", "nl", "fr"])
    return ('{"resourceType":"Patient","identifier":[{"type":{"text":"MRN"},"system":"urn:oid:2.16.840.1.113883.3.%d",'
            '"value":"%s"}],"name":[{"family":"%s","given":["%s"]}],"telecom":[{"system":"phone","value":"%s"},'
            '{"system":"email","value":"%s"}],"birthDate":"%s","address":[{"postalCode":"%s"}]}' %
            (r.randint(100, 999), R_(mrn(r)), N_(f), N_(g), P_(phone(r, cc)), E_(email_for(r, g, f, cc if cc in DOMAINS else "en")),
             D_(dob(r, "iso")), Z_(postal(r, cc))))


@tpl(2)
def t_fhir_cov(r):
    g, f = person(r, "en")
    if r.random() < 0.5:
        return ('{"resourceType":"Coverage","status":"active","subscriberId":"%s","beneficiary":{"display":"%s"},'
                '"period":{"start":"%s"},"payor":[{"display":"Northgate Health"}]}' % (H_(member_id(r)), NN(g, f), ndate(r, "iso")))
    return ('{"resourceType":"Coverage","identifier":[{"system":"%s","value":"%s"}],"beneficiary":{"display":"%s"},'
            '"class":[{"type":{"text":"group"},"value":"GRP-%s"}]}' % (U_("http://hl7.org/fhir/sid/us-mbi"), H_(mbi(r)), NN(g, f), digs(r, 5)))


# ---- finance, insurance
@tpl(3)
def t_mortgage(r):
    g, f = person(r, r.choice(["en", "in", "es", "cn"]))
    return ("Mortgage application #ML-%s — borrower %s, SSN %s, DOB %s, current address %s, email %s, mobile %s; "
            "loan amount %s, LTV 78%%." % (digs(r, 6), NN(g, f), S_(make_ssn(r)), D_(dob(r, "us")), A(r, "us"),
                                           E_(email_for(r, g, f)), P_(phone(r, "us")), amount(r, "us")))


@tpl(3)
def t_ccapp(r):
    g, f = person(r, r.choice(["en", "af", "ar"]))
    return ("Card application A-%s: applicant %s, social security number %s, annual income %s, existing card %s, "
            "statement e-mail %s." % (digs(r, 7), NN(g, f), S_(make_ssn(r, r.choice(["-", " "]))), amount(r, "us"),
                                      C_(make_card(r)), E_(email_for(r, g, f))))


@tpl(3)
def t_wire(r):
    g, f = person(r, r.choice(["de", "nl", "fr", "it", "es"]))
    g2, f2 = person(r, r.choice(["en", "pl", "nord"]))
    c1, c2 = r.choice(["DE", "NL", "FR", "IT", "ES", "BE", "AT"]), r.choice(["GB", "PL", "SE", "DK", "CH", "IE", "LU", "PT"])
    return ("Wire request from %s: debit %s, credit beneficiary %s, IBAN %s, BIC %s, amount %s, reference %s." %
            (NN(g, f), I_(iban_str(r, c1)), NN(g2, f2), I_(iban_str(r, c2)), r.choice(["NWBKGB2L", "BREXPLPW", "NDEASESS", "DABADKKK", "UBSWCHZH80A"]),
             amount(r, "de"), neg_ref(r)))


@tpl(3)
def t_aml(r):
    g, f = person(r, r.choice(["sl", "ar", "tr", "en", "gr"]))
    cc = r.choice(["LT", "LV", "EE", "CY", "MT", "AE", "SA", "TR", "BG", "RO", "HR", "GR"])
    return ("AML alert %s-%s: customer %s (DOB %s) received 9 inbound transfers into IBAN %s within 48h; last login from %s; "
            "score 0.91." % (rid(r, 3), digs(r, 6), NN(g, f), D_(dob(r, "iso")), I_(iban_str(r, cc)), IP_(r.choice([ipv4(r), ipv6(r)]))))


@tpl(2)
def t_card_replace(r):
    g, f = person(r, "en")
    return ("Lost-card call: %s reported card %s stolen at 21:40; replacement to %s; verified via %s." %
            (NN(g, f), C_(make_card(r)), A(r, r.choice(["us", "uk", "ca"])), P_(phone(r, r.choice(["us", "uk"])))))


@tpl(3)
def t_broker(r):
    g, f = person(r, r.choice(["en", "ie"]))
    g2, f2 = person(r, r.choice(["en", "in", "es"]))
    return ("From: %s <%s> — Hi team, attaching the renewal for my client %s, policy number %s, DOB %s. "
            "Please confirm the premium before June. Regards, %s | %s | %s" %
            (NN(g, f), E_(email_for(r, g, f, "en")), NN(g2, f2), H_(member_id(r)), D_(dob(r, "us")), N_(g), P_(phone(r, "us")),
             U_(url(r, "insure"))))


@tpl(2)
def t_hotel(r):
    g, f = person(r, r.choice(["de", "en", "fr", "it", "nl", "jp"]))
    cc = {"de": "de", "en": "uk", "fr": "fr", "it": "it", "nl": "nl", "jp": "jp"}
    c = r.choice(["de", "uk", "fr", "it", "nl"])
    return ("Hotel registration card — guest %s, home address %s, phone %s, e-mail %s, card on file %s, arrival 12 May, "
            "departure 15 May, room %d." % (NN(g, f), A(r, c), P_(phone(r, c)), E_(email_for(r, g, f, "en")), C_(make_card(r)),
                                            r.randint(101, 940)))


@tpl(3)
def t_pnr(r):
    g, f = person(r, r.choice(["de", "en", "fr", "nl", "nord"]), "f")
    g2 = r.choice([x for x in GIVEN["en"] + GIVEN["de"] if x not in FEMALE])
    return ("RP/%s1A0980 %s ⏎ 1.%s/%s MRS 2.%s/%s MSTR ⏎ 3 LH 401 Y 12JUN FRAJFK HK2 1005 1255 ⏎ "
            "APE %s ⏎ APM %s ⏎ SSR DOCS passenger 1 DOB %s ⏎ TKT %s-%s" %
            (r.choice(["FRA", "MUC", "AMS", "CDG"]), rid(r, 6, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"), N_(f), N_(g), N_(f), N_(g2),
             E_(email_for(r, g, f, "en")), P_(phone(r, r.choice(["de", "uk", "nl"]))), D_(fdate(r, rdate(r, 1950, 2005), "iso")),
             "220", digs(r, 10)))


@tpl(2)
def t_student(r):
    g, f = person(r, r.choice(["in", "cn", "af", "es", "ar"]))
    return ("Student record: %s, student no. %s, date of birth %s, term address %s, e-mail %s, mobile %s; programme MSc Data Science; transcript at %s." %
            (NN(g, f), digs(r, 8), D_(dob(r, "en", 1985, 2006)), A(r, r.choice(["uk", "ie"])), E_(email_for(r, g, f, "in" if r.random() < 0.5 else "en")),
             P_(phone(r, "uk")), U_("https://www.uni-example.edu/registry/transcripts?sid=" + digs(r, 6))))


@tpl(2)
def t_visa(r):
    g, f = person(r, r.choice(["in", "af", "cn", "tr"]))
    return ("To the Consular Section: this is to confirm that %s, born on %s, passport %s%s, is enrolled full-time at our "
            "university until %s. Verify at %s or %s." % (NN(g, f), D_(dob(r, "en")), rid(r, 1), digs(r, 7), ndate(r, "en"),
                                                          U_(url(r, "edu")), E_(org_email(r, "edu"))))


@tpl(3)
def t_benefit(r):
    g, f = person(r, r.choice(["en", "es", "af"]))
    return ("Unemployment benefit claim: claimant %s, SSN %s, mailing address %s, phone %s, last employer EIN %s-%s, "
            "weekly benefit %s." % (NN(g, f), S_(make_ssn(r)), A(r, "us"), P_(phone(r, "us")), digs(r, 2), digs(r, 7), amount(r, "us")))


@tpl(3)
def t_police(r):
    g, f = person(r, r.choice(["en", "ie", "af"]))
    c = r.choice(["us", "us", "uk"])
    return ("Incident report %d-%s: reporting party %s (DOB %s), residing at %s, phone %s; vehicle plate %s%d %s; "
            "property value %s." % (r.randint(20, 26), digs(r, 6), NN(g, f), D_(dob(r, "us" if c == "us" else "en")), A(r, c),
                                    P_(phone(r, c)), rid(r, 2), r.randint(10, 99), rid(r, 3), amount(r, "us")))


# ---- tech formats
@tpl(3)
def t_crm_csv(r):
    rows = []
    for _ in range(2):
        g, f = person(r, r.choice(["en", "de", "fr", "es", "in"]))
        rows.append("%s,%s,%s,%s,%s" % (N_(g), N_(f), E_(email_for(r, g, f)), P_(phone(r, "us")), Z_(postal(r, "us"))))
    return "CRM export contacts.csv: first_name,last_name,email,phone,zip ⏎ " + " ⏎ ".join(rows)


@tpl(3)
def t_sql_insert(r):
    g, f = person(r, r.choice(["en", "es", "it", "pl"]))
    g2, f2 = person(r, r.choice(["en", "de"]))
    return ("INSERT INTO patients (mrn, first_name, last_name, dob, zip, phone) VALUES ('%s', '%s', '%s', '%s', '%s', '%s'), "
            "('%s', '%s', '%s', '%s', '%s', '%s');" %
            (R_(mrn(r)), N_(g), N_(f), D_(dob(r, "iso")), Z_(postal(r, "us")[:5]), P_(phone(r, "us")),
             R_(mrn(r)), N_(g2), N_(f2), D_(dob(r, "iso")), Z_(postal(r, "us")[:5]), P_(phone(r, "us"))))


@tpl(2)
def t_sql_result(r):
    rows = []
    for _ in range(2):
        g, f = person(r, r.choice(["en", "af", "in"]))
        rows.append("%s | %s | %s | %s" % (H_(member_id(r)), NN(g, f), D_(dob(r, "iso")), ndate(r, "iso")))
    return "psql> SELECT member_id, full_name, dob, enrolled_on FROM members LIMIT 2; ⏎ member_id | full_name | dob | enrolled_on ⏎ " + \
        "----------+-----------+-----+------------ ⏎ " + " ⏎ ".join(rows)


@tpl(3)
def t_k8s_log(r):
    g, f = person(r, r.choice(["en", "de", "nl"]))
    return ('{"ts":"%sT%02d:%02d:%02d.%03dZ","level":"warn","pod":"checkout-7d9f%s-x2kq","msg":"payment declined",'
            '"customer_email":"%s","client_ip":"%s","card_last4":"%s","trace":"%s"}' %
            (ndate(r, "iso"), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59), r.randint(0, 999), hexs(r, 4),
             E_(email_for(r, g, f)), IP_(r.choice([ipv4(r), ipv6(r)])), digs(r, 4), hexs(r, 16)))


@tpl(3)
def t_db_audit(r):
    return ('%s %02d:%02d:%02d UTC [%d] AUDIT: SESSION,%d,1,READ,SELECT,,,"SELECT * FROM members WHERE ssn = \'%s\'",<none> user=app_ro host=%s' %
            (ndate(r, "iso"), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59), r.randint(1000, 99999), r.randint(1, 99),
             S_(make_ssn(r)), IP_(ipv4(r))))


@tpl(4)
def t_nginx(r):
    return ('%s - - [%02d/%s/%d:%02d:%02d:%02d +0000] "GET %s HTTP/1.1" 302 512 "%s" "Mozilla/5.0"' %
            (IP_(ipv4(r)), r.randint(1, 28), r.choice(["Jan", "Mar", "Jun", "Sep", "Nov"]), r.randint(2023, 2026), r.randint(0, 23),
             r.randint(0, 59), r.randint(0, 59), r.choice(URL_PATHS), U_(url(r))))


@tpl(2)
def t_sshd(r):
    return ("%s %02d %02d:%02d:%02d bastion-02 sshd[%d]: Failed password for invalid user admin from %s port %d ssh2" %
            (r.choice(["Jan", "Feb", "Apr", "Aug", "Oct"]), r.randint(1, 28), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59),
             r.randint(1000, 65000), IP_(r.choice([ipv4(r), ipv6(r)])), r.randint(1024, 65535)))


@tpl(2)
def t_fw(r):
    return ("FW DENY src=[%s]:%d dst=%s:443 proto=TCP rule=geo-block iface=eth1 bytes=%d" %
            (IP_(ipv6(r)), r.randint(1024, 65535), IP_(ipv4(r)), r.randint(40, 9000)))


@tpl(3)
def t_kv(r):
    g, f = person(r, r.choice(["en", "de", "nord", "it"]))
    return ("patient_id=%s name=\"%s\" dob=%s zip=%s phone=\"%s\" ward=4B bed=%d" %
            (R_(mrn(r)), NN(g, f), D_(dob(r, "iso")), Z_(postal(r, "us")), P_(phone(r, "us")), r.randint(1, 30)))


@tpl(2)
def t_vcard(r):
    g, f = person(r, r.choice(["en", "de", "fr", "nl", "es"]))
    cc = r.choice(["de", "fr", "nl", "es", "uk"])
    street, city = {"de": ("Hauptstraße", "Berlin"), "fr": ("Rue Oberkampf", "Paris"), "nl": ("Keizersgracht", "Amsterdam"),
                    "es": ("Calle Mayor", "Madrid"), "uk": ("Mill Lane", "York")}[cc]
    z = {"de": "1%04d" % r.randint(1067, 4199), "fr": "750%02d" % r.randint(1, 20), "nl": "10%02d %s" % (r.randint(11, 99), r.choice(["AB", "CJ", "GH", "KL", "RT"])),
         "es": "280%02d" % r.randint(1, 55), "uk": "YO%d %d%s" % (r.randint(1, 32), r.randint(1, 9), "".join(r.choice(UK_IN_L) for _ in range(2)))}[cc]
    return ("BEGIN:VCARD VERSION:3.0 N:%s;%s;;; FN:%s TEL;TYPE=CELL:%s EMAIL;TYPE=HOME:%s ADR;TYPE=HOME:;;%s %d;%s;;%s; "
            "BDAY:%s END:VCARD" % (N_(f), N_(g), NN(g, f), P_(phone(r, cc)), E_(email_for(r, g, f)),
                                   street, r.randint(1, 90), city, Z_(z), D_(dob(r, "iso"))))


@tpl(3)
def t_mailhdr(r):
    g, f = person(r, r.choice(["en", "de", "fr", "it", "pl"]))
    g2, f2 = person(r, r.choice(["en", "nl", "es"]))
    return ("From: %s <%s> To: %s <%s> Subject: Re: claim %s Received: from mail-out.relay.net (%s) by mx2.relay.net" %
            (NN(g, f), E_(email_for(r, g, f)), NN(g2, f2), E_(email_for(r, g2, f2)), digs(r, 8), IP_(ipv4(r))))


@tpl(3)
def t_sig(r):
    g, f = person(r, r.choice(["en", "ie", "de", "nl", "fr"]))
    return ("-- %s | Senior Claims Adjuster | Northgate Insurance | T %s | M %s | %s | %s" %
            (NN(g, f), P_(phone(r, "uk")), P_(phone(r, "uk")), E_(fold(g).lower() + "." + fold(f).lower() + "@northgate-insurance.com"),
             U_(url(r, "insure"))))


@tpl(2)
def t_yaml(r):
    g, f = person(r, r.choice(["en", "de", "af"]))
    return ("applicant: {name: %s, dob: %s, email: %s, member_id: %s, address: {street: \"%d Kingfisher Row\", postcode: %s}}" %
            (NN(g, f), D_(dob(r, "iso")), E_(email_for(r, g, f)), H_(member_id(r)), r.randint(1, 99), Z_(postal(r, "uk"))))


@tpl(2)
def t_xml(r):
    g, f = person(r, r.choice(["en", "de", "it"]))
    return ("<Claimant><GivenName>%s</GivenName><FamilyName>%s</FamilyName><BirthDate>%s</BirthDate><SSN>%s</SSN>"
            "<Phone>%s</Phone><PostalCode>%s</PostalCode></Claimant>" %
            (N_(g), N_(f), D_(dob(r, "iso")), S_(make_ssn(r)), P_(phone(r, "us")), Z_(postal(r, "us"))))


@tpl(2)
def t_tsv(r):
    rows = []
    for _ in range(2):
        g, f = person(r, r.choice(["nord", "de", "nl"]))
        rows.append("%s\t%s\t%s\t%s" % (R_(mrn(r)), NN(g, f), D_(dob(r, "iso")), ndate(r, "iso")))
    return "Pasted from the ward list: MRN\tName\tDOB\tAdmitted ⏎ " + " ⏎ ".join(rows)


@tpl(2)
def t_semicolon_de(r):
    rows = []
    for _ in range(2):
        g, f = person(r, "de")
        rows.append("%s;%s;%s;%s;%s" % (R_(mrn(r)), N_(f), N_(g), D_(dob(r, "de")), Z_(postal(r, "de"))))
    return "Export Ambulanz: Patientennummer;Nachname;Vorname;Geburtsdatum;PLZ ⏎ " + " ⏎ ".join(rows)


@tpl(2)
def t_md_bank(r):
    rows = []
    for _ in range(2):
        g, f = person(r, r.choice(["de", "nl", "fr", "it", "es", "pl"]))
        cc = r.choice(["DE", "NL", "FR", "IT", "ES", "PL", "BE", "AT", "FI", "PT"])
        rows.append("| %s | %s | %s |" % (NN(g, f), I_(iban_str(r, cc)), amount(r, "de")))
    return "Payout batch: | Payee | IBAN | Amount | |---|---|---| " + " ".join(rows)


@tpl(2)
def t_telecom(r):
    g, f = person(r, r.choice(["en", "nl", "de"]))
    c = r.choice(["uk", "nl", "de"])
    return ("Port-out request: MSISDN %s, account holder %s, account e-mail %s, device IMEI/TAC %s/%s/%d, last top-up %s; PAC sent via %s." %
            (P_(phone(r, c)), NN(g, f), E_(email_for(r, g, f)), digs(r, 8), digs(r, 6), r.randint(0, 9), amount(r, "uk"),
             U_(r.choice(["https://app.telco-one.nl/port-out", "https://www.telco-one.nl/mijn/overstappen", "https://my.telco-one.co.uk/pac"]))))


# ---- German
@tpl(3)
def t_de_au(r):
    g, f = person(r, "de")
    return ("Arbeitsunfähigkeitsbescheinigung: %s, geb. %s, Versichertennummer %s, %s; AU ab %s, voraussichtlich bis %s." %
            (NN(g, f), D_(dob(r, "de")), H_(kvnr(r)), A(r, "de"), ndate(r, "de"), ndate(r, "de")))


@tpl(2)
def t_de_kto(r):
    g, f = person(r, "de", "f")
    return ("Kontoeröffnung: Frau %s, geboren am %s, IBAN %s, Telefon %s, E-Mail %s, Anschrift %s." %
            (NN(g, f), D_(dob(r, "de")), I_(iban_str(r, "DE")), P_(phone(r, "de")), E_(email_for(r, g, f, "de")), A(r, "de")))


@tpl(2)
def t_de_reha(r):
    g, f = person(r, "de", "m")
    return ("Reha-Antrag Patientennummer %s — Herr %s, Geburtsdatum %s, KVNR %s, Rückruf unter %s; Unterlagen hochladen: %s" %
            (R_(mrn(r)), NN(g, f), D_(dob(r, "de")), H_(kvnr(r)), P_(phone(r, "de")),
             U_(r.choice(["https://kundencenter.kasse-nord.de/upload", "https://www.reha-zentrum-nord.de/antrag/unterlagen", "www.kasse-nord.de/reha"]))))


@tpl(2)
def t_at(r):
    g, f = person(r, "de")
    y, m, d = rdate(r, 1935, 2005)
    dd = "%02d%02d%02d" % (d, m, y % 100)
    return ("Überweisung an Physiotherapie: %s, geb. %s, SV-Nummer (insurance number) %s, %s, Tel. %s." %
            (NN(g, f), D_("%02d.%02d.%d" % (d, m, y)), H_(at_svnr(r, dd)), A(r, "at"), P_(phone(r, "at"))))


@tpl(2)
def t_ch(r):
    g, f = person(r, r.choice(["de", "fr", "it"]))
    return ("Kostengutsprache Krankenkasse: %s, Versichertennummer %s, geboren am %s, %s, IBAN %s." %
            (NN(g, f), H_(ahv(r)), D_(dob(r, "de")), A(r, "ch"), I_(iban_str(r, "CH"))))


# ---- French
@tpl(3)
def t_fr_feuille(r):
    g, f = person(r, "fr")
    return (("Feuille de soins : %s, " + ("née" if g in FEMALE else "né") + " le %s, carte Vitale %s, %s, tél. %s.") %
            (NN(g, f), D_(dob(r, "fr")), H_(nir(r, r.random() < 0.6)), A(r, "fr"), P_(phone(r, "fr"))))


@tpl(2)
def t_fr_dossier(r):
    g, f = person(r, "fr", "f")
    return ("Compte rendu d'hospitalisation — numéro de dossier %s, Mme %s, date de naissance %s, entrée le %s, "
            "médecin traitant joignable au %s." % (R_(mrn(r)), NN(g, f), D_(dob(r, "fr")), ndate(r, "fr"), P_(phone(r, "fr"))))


@tpl(2)
def t_fr_bank(r):
    g, f = person(r, "fr")
    return ("Virement SEPA demandé par %s : IBAN %s, montant %s, motif loyer juin ; contact %s ; suivi sur %s." %
            (NN(g, f), I_(iban_str(r, r.choice(["FR", "MC", "LU"]))), amount(r, "fr"), E_(email_for(r, g, f, "fr")),
             U_(r.choice(["https://www.mutuelle-arc.fr/espace-adherent", "https://particuliers.banque-exemple.fr/virements?id=" + digs(r, 5)]))))


@tpl(1)
def t_be(r):
    g, f = person(r, r.choice(["fr", "nl"]), "f")
    return ("Mutualité — %s, née le %s, %s, compte %s, GSM %s." %
            (NN(g, f), D_(dob(r, "fr")), A(r, "be"), I_(iban_str(r, "BE")), P_(phone(r, "be"))))


# ---- Spanish
@tpl(3)
def t_es_hc(r):
    g, f = person(r, "es")
    f2 = r.choice(FAMILY["es"])
    return ("Informe de urgencias: historia clínica %s, paciente %s, fecha de nacimiento %s, domicilio %s, teléfono %s." %
            (R_(mrn(r)), N_(g + " " + f + " " + f2), D_(dob(r, "es")), A(r, "es"), P_(phone(r, "es"))))


@tpl(2)
def t_es_nass(r):
    g, f = person(r, "es", "f")
    return ("Alta en mutua: %s, nacida el %s, número de afiliación a la Seguridad Social (insurance number) %s, IBAN %s." %
            (NN(g, f), D_(dob(r, "es")), H_(es_nass(r)), I_(iban_str(r, "ES"))))


# ---- Italian
@tpl(3)
def t_it(r):
    g, f = person(r, "it", "f")
    return ("Lettera di dimissione — cartella clinica %s, sig.ra %s, data di nascita %s, residente in %s, cell. %s, e-mail %s." %
            (R_(mrn(r)), NN(g, f), D_(dob(r, "it")), A(r, "it"), P_(phone(r, "it")), E_(email_for(r, g, f, "it"))))


@tpl(2)
def t_it_bank(r):
    g, f = person(r, "it", "m")
    return ("Bonifico istantaneo: ordinante %s, nato il %s, IBAN %s, importo %s, causale fattura %s." %
            (NN(g, f), D_(dob(r, "it")), I_(iban_str(r, r.choice(["IT", "SM"]))), amount(r, "de"), digs(r, 6)))


# ---- Dutch
@tpl(3)
def t_nl(r):
    g, f = person(r, "nl", "m")
    return ("Verwijsbrief huisarts: dhr. %s, geboortedatum %s, patiëntnummer %s, polisnummer %s, %s, tel. %s." %
            (NN(g, f), D_(dob(r, "nl")), R_(mrn(r)), H_(digs(r, 9)), A(r, "nl"), P_(phone(r, "nl"))))


@tpl(2)
def t_nl_pay(r):
    g, f = person(r, "nl")
    return ("Betaalverzoek van %s (geboren op %s): maak %s over naar %s o.v.v. factuur %s. Vragen? %s" %
            (NN(g, f), D_(dob(r, "nl")), amount(r, "de"), I_(iban_str(r, "NL")), digs(r, 7), E_(email_for(r, g, f, "nl"))))


# ---- Polish
@tpl(3)
def t_pl(r):
    g, f = person(r, "pl", "f")
    return ("Skierowanie do poradni: Pani %s, data urodzenia %s, nr karty pacjenta %s, adres %s, tel. %s." %
            (NN(g, f), D_(dob(r, "pl")), R_(mrn(r)), A(r, "pl"), P_(phone(r, "pl"))))


@tpl(2)
def t_pl_bank(r):
    g, f = person(r, "pl")
    return ("Przelew krajowy: nadawca %s, ur. %s, rachunek %s, kwota 1 250,00 zł, tytuł: czynsz, e-mail %s." %
            (NN(g, f), D_(dob(r, "pl")), I_(iban_str(r, "PL")), E_(email_for(r, g, f, "pl"))))


# ---- Portuguese
@tpl(3)
def t_pt(r):
    g, f = person(r, r.choice(["es", "it"]))
    cc = r.choice(["pt", "br"])
    return (("Ficha de admissão: %s, data de nascimento %s, processo clínico (patient ID) %s, " +
             ("morada %s, telemóvel %s." if cc == "pt" else "endereço %s, celular %s.")) %
            (NN(g, f), D_(dob(r, "pt")), R_(mrn(r)), A(r, cc), P_(phone(r, cc))))


@tpl(1)
def t_pt_bank(r):
    g, f = person(r, "es")
    return ("Transferência: titular %s, IBAN %s, valor 842,10 EUR, referência %s, contacto %s." %
            (NN(g, f), I_(iban_str(r, "PT")), digs(r, 9), E_(email_for(r, g, f, "pt"))))


# ---- Nordic, Czech, Turkish (with English labels)
@tpl(2)
def t_sv(r):
    g, f = person(r, "nord")
    return ("Remiss till fysioterapi: %s, födelsedatum (date of birth) %s, patient ID %s, %s, mobil %s." %
            (NN(g, f), D_(dob(r, "sv")), R_(mrn(r)), A(r, "se"), P_(phone(r, "se"))))


@tpl(1)
def t_sv_bank(r):
    g, f = person(r, "nord")
    return ("Utlandsbetalning från %s: IBAN %s, belopp 4 200,00 kr, e-post %s." %
            (NN(g, f), I_(iban_str(r, "SE")), E_(email_for(r, g, f, "se"))))


@tpl(2)
def t_da(r):
    g, f = person(r, "nord")
    return ("Henvisning: %s, fødselsdato (DOB) %s, %s, tlf. %s, konto %s." %
            (NN(g, f), D_(dob(r, "da")), A(r, "dk"), P_(phone(r, "dk")), I_(iban_str(r, "DK"))))


@tpl(2)
def t_no(r):
    g, f = person(r, "nord")
    return ("Epikrise: %s, fødselsdato (date of birth) %s, MRN %s, adresse %s, telefon %s, kontonummer %s." %
            (NN(g, f), D_(dob(r, "no")), R_(mrn(r)), A(r, "no"), P_(phone(r, "no")), I_(iban_str(r, "NO"))))


@tpl(2)
def t_fi(r):
    g, f = person(r, "nord")
    return ("Lähete: %s, syntymäaika (DOB) %s, %s, puh. %s, sähköposti %s, tilinumero %s." %
            (NN(g, f), D_(dob(r, "fi")), A(r, "fi"), P_(phone(r, "fi")), E_(email_for(r, g, f, "fi")), I_(iban_str(r, "FI"))))


@tpl(2)
def t_cs(r):
    g, f = person(r, "sl")
    return ("Propouštěcí zpráva: %s, datum narození (date of birth) %s, číslo pojištěnce (insurance number) %s, %s, tel. %s, účet %s." %
            (NN(g, f), D_(dob(r, "cs")), H_(digs(r, 10)), A(r, "cz"), P_(phone(r, "cz")),
             I_(iban_str(r, r.choice(["CZ", "SK"])))))


@tpl(2)
def t_tr(r):
    g, f = person(r, "tr")
    return ("Hasta kayıt formu: %s, doğum tarihi (DOB) %s, hasta no (patient ID) %s, adres %s, cep %s, IBAN %s." %
            (NN(g, f), D_(dob(r, "tr")), R_(mrn(r)), A(r, "tr"), P_(phone(r, "tr")), I_(iban_str(r, "TR"))))


# ---- a few other languages with English labels
@tpl(1)
def t_id(r):
    g, f = person(r, "in")
    return ("Formulir pendaftaran pasien: %s, tanggal lahir (date of birth) %s, patient ID %s, HP %s, email %s." %
            (NN(g, f), D_(dob(r, "slash")), R_(mrn(r)), P_(phone(r, "id")), E_(email_for(r, g, f))))


@tpl(1)
def t_hr(r):
    g, f = person(r, "sl")
    return ("Otpusno pismo: %s, datum rođenja (date of birth) %s, broj police (policy number) %s, tel. %s, IBAN %s." %
            (NN(g, f), D_(dob(r, "de")), H_(digs(r, 11)), P_(phone(r, "hr")), I_(iban_str(r, "HR"))))


@tpl(1)
def t_is(r):
    g, f = person(r, "nord")
    return ("Tilvísun: %s, fæðingardagur (date of birth) %s, MRN %s, reikningur %s." %
            (NN(g, f), D_(dob(r, "de")), R_(mrn(r)), I_(iban_str(r, "IS"))))


# ---- Asian / Middle-East (with look-alike digits)
@tpl(3)
def t_ja(r):
    g, f = person(r, "jp")
    nm = N_(f + " " + g) if r.random() < 0.5 else NN(g, f)
    return ("紹介状：患者 %s 様、生年月日（DOB）%s、患者ID（patient ID）%s、住所 %s、電話 %s。" %
            (nm, D_(dob(r, "ja")), R_(mrn(r)), A(r, "jp"), P_(to_script(phone(r, "jp"), "fw") if r.random() < 0.6 else phone(r, "jp"))))


@tpl(2)
def t_ja_card(r):
    g, f = person(r, "jp")
    c = make_card(r, r.choice(["jcb", "visa"]), r.choice(["space", "dash"]))
    return ("ホテル予約確認：%s 様、クレジットカード %s、メール %s、到着日 %s。" %
            (N_(f + " " + g), C_(to_script(c, "fw")), E_(email_for(r, g, f, "jp")), ndate(r, "ja")))


@tpl(3)
def t_zh(r):
    g, f = person(r, "cn")
    nm = N_(f + " " + g)
    c = make_card(r, "up", r.choice(["space", "compact"]))
    return ("退款申请：客户 %s，出生日期（DOB）%s，银行卡 %s，手机 %s，邮箱 %s。" %
            (nm, D_(dob(r, "zh")), C_(to_script(c, "fw") if r.random() < 0.6 else c), P_(to_script(phone(r, "cn"), "fw")), E_(email_for(r, g, f, "cn"))))


@tpl(2)
def t_ko(r):
    f = r.choice(FAMILY["kr"])
    return ("진료 의뢰서: 환자 %s, 생년월일(DOB) %s, 환자번호(patient ID) %s, 연락처 %s, 보험증 번호(policy number) %s." %
            (N_(f), D_(dob(r, "ko")), R_(mrn(r)), P_(to_script(phone(r, "kr"), "fw")), H_(digs(r, 11))))


@tpl(3)
def t_hi(r):
    g, f = person(r, "in")
    return ("रोगी पंजीकरण: %s, जन्म तिथि (DOB) %s, पता %s, मोबाइल %s, ईमेल %s।" %
            (NN(g, f), D_(dob(r, "slash")), A(r, "in"), P_(to_script(phone(r, "in"), "dev")), E_(email_for(r, g, f, "in"))))


@tpl(2)
def t_hi_card(r):
    g, f = person(r, "in")
    return ("भुगतान विफल: ग्राहक %s, कार्ड %s, राशि %s, संपर्क %s।" %
            (NN(g, f), C_(to_script(make_card(r, r.choice(["visa", "mc"]), "space"), "dev")), amount(r, "in"), P_(phone(r, "in"))))


@tpl(3)
def t_ar(r):
    g, f = person(r, "ar")
    c = make_card(r, r.choice(["visa", "mc"]), r.choice(["space", "dash"]))
    return ("طلب استرداد: العميل %s، تاريخ الميلاد (DOB) %s، البطاقة %s، الجوال %s، البريد %s." %
            (NN(g, f), D_(dob(r, "slash")), C_(to_script(c, "ar")), P_(to_script(phone(r, "sa"), "ar")), E_(email_for(r, g, f, "ar"))))


@tpl(2)
def t_ar_bank(r):
    g, f = person(r, "ar")
    return ("تحويل بنكي من %s إلى الحساب %s، المبلغ 12,500 ريال، الهاتف %s." %
            (NN(g, f), I_(iban_str(r, r.choice(["SA", "AE", "QA"]))), P_(phone(r, "sa"))))


@tpl(3)
def t_fa(r):
    g, f = person(r, "ar")
    c = make_card(r, "ir", r.choice(["space", "dash"]))
    return ("درخواست بازپرداخت: مشتری %s، تاریخ تولد (DOB) %s، کارت %s، تلفن همراه %s." %
            (NN(g, f), D_(dob(r, "iso")), C_(to_script(c, "fa")), P_(to_script(phone(r, "ir"), "fa"))))


@tpl(2)
def t_us_lookalike_ssn(r):
    g, f = person(r, "en")
    return ("Payroll import (copied from a scanned W-4, full-width digits): employee %s, SSN %s, ZIP %s, mobile %s." %
            (NN(g, f), S_(to_script(make_ssn(r), "fw")), Z_(postal(r, "us")), P_(to_script(phone(r, "us"), "fw"))))


@tpl(2)
def t_compact_ssn(r):
    g, f = person(r, "en")
    return ("W-2 correction request: %s, employee SSN %s, address %s; box 1 wages %s." %
            (NN(g, f), S_(make_ssn(r, "")), A(r, "us"), amount(r, "us")))


@tpl(2)
def t_chat(r):
    g, f = person(r, r.choice(["en", "af", "es"]))
    return ("[support chat] Agent: can you confirm the card number? Customer: sure, %s, and my email is %s — the portal at %s keeps "
            "timing out." % (C_(make_card(r)), E_(email_for(r, g, f)), U_(url(r, r.choice(["bank", "shop", "travel"])))))


@tpl(2)
def t_airline_apis(r):
    g, f = person(r, r.choice(["en", "de", "es", "it", "gr"]))
    return ("APIS manifest line: %s/%s, date of birth %s, nationality DEU, doc P %s%s, seat %d%s, contact %s." %
            (N_(f), N_(g), D_(dob(r, "iso")), rid(r, 1), digs(r, 8), r.randint(1, 44), r.choice("ABCDEF"), P_(phone(r, r.choice(["de", "it", "es"])))))


@tpl(2)
def t_insurer_letter(r):
    g, f = person(r, r.choice(["en", "ie"]))
    return ("Dear %s, your subscriber ID is %s. We received your claim for the service on %s (claim %s). Questions: %s or %s." %
            (N_(g), H_(member_id(r)), ndate(r, "us"), digs(r, 11), P_(phone(r, "us")), U_(url(r, "insure"))))


@tpl(1)
def t_ie(r):
    g, f = person(r, "ie")
    return ("GP visit card application: %s, date of birth %s, %s, mobile %s." %
            (NN(g, f), D_(dob(r, "en")), A(r, "ie"), P_(phone(r, "ie"))))


@tpl(1)
def t_br(r):
    g, f = person(r, "es")
    return ("Cadastro de paciente: %s, data de nascimento %s, CEP %s, celular %s." %
            (NN(g, f), D_(dob(r, "pt")), Z_(postal(r, "br")), P_(phone(r, "br"))))


# ---- more web, log, card and SSN material
@tpl(3)
def t_phish(r):
    g, f = person(r, r.choice(["en", "de", "nl"]))
    return ("Phishing report from %s (%s): the mail claimed to be from the pharmacy and linked to %s; sending server %s; "
            "reply-to was a lookalike of %s." % (NN(g, f), E_(email_for(r, g, f)), U_(r.choice(["http://refill-now-pharma.top/verify",
            "https://secure-login.kasse-nord-de.info/", "http://www.parcel-fee-pay.xyz/track?id=77"])), IP_(ipv4(r)),
            r.choice(["farmacia-sole.it", "kasse-nord.de", "parcelhub.co.uk"])))


@tpl(3)
def t_applog(r):
    g, f = person(r, r.choice(["en", "fr", "es", "pl"]))
    return ("%sT%02d:%02d:%02dZ INFO auth-service password reset link %s sent to %s (requested from %s, user-agent okhttp/4.%d.%d)" %
            (ndate(r, "iso"), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59), U_(r.choice(URL_HOSTS) + "/reset?t=" + hexs(r, 12)),
             E_(email_for(r, g, f)), IP_(r.choice([ipv4(r), ipv6(r)])), r.randint(1, 12), r.randint(0, 9)))


@tpl(3)
def t_vpn(r):
    g, f = person(r, r.choice(["en", "de", "nord"]))
    return ("vpn-gw01: session up user=%s assigned=%s outer=%s:%d tunnel=ikev2 duration=%ds" %
            (E_(email_for(r, g, f)), IP_(ipv4(r)), IP_(ipv4(r)), r.randint(1024, 65535), r.randint(30, 40000)))


@tpl(3)
def t_gateway(r):
    return ('{"event":"charge.failed","amount":%d,"currency":"%s","card":{"number":"%s","exp":"%02d/%d"},"billing_zip":"%s",'
            '"ip":"%s","decline_code":"do_not_honor"}' % (r.randint(100, 99999), r.choice(["usd", "eur", "gbp"]), C_(make_card(r, style="compact")),
            r.randint(1, 12), r.randint(26, 31), Z_(postal(r, "us")[:5]), IP_(ipv4(r))))


@tpl(3)
def t_pos(r):
    return ("POS debug dump (terminal %s): PAN=%s EXP=%02d%d AMT=%s STAN=%s RRN=%s" %
            (rid(r, 2) + digs(r, 6), C_(make_card(r, style="compact")), r.randint(1, 12), r.randint(26, 31), amount(r, "de"), digs(r, 6), digs(r, 12)))


@tpl(2)
def t_card_kv(r):
    g, f = person(r, r.choice(["en", "fr", "it"]))
    return ("cardholder=\"%s\" card_number=%s cvv=*** billing_postcode=%s email=%s" %
            (NN(g, f), C_(make_card(r)), Z_(postal(r, "uk")), E_(email_for(r, g, f))))


@tpl(2)
def t_1099(r):
    g, f = person(r, r.choice(["en", "es", "in"]))
    return ("1099-NEC recipient: %s, recipient's TIN (SSN) %s, %s; nonemployee compensation %s; payer EIN %s-%s." %
            (NN(g, f), S_(make_ssn(r)), A(r, "us"), amount(r, "us"), digs(r, 2), digs(r, 7)))


@tpl(2)
def t_hr_csv(r):
    rows = []
    for _ in range(2):
        g, f = person(r, r.choice(["en", "es", "af"]))
        rows.append("%s,%s,%s,%s" % (digs(r, 5), NN(g, f), S_(make_ssn(r, "")), ndate(r, "iso")))
    return "hr_export.csv: emp_no,full_name,SSN,hire_date ⏎ " + " ⏎ ".join(rows)


@tpl(3)
def t_sms(r):
    return ("SMS: Your physio appointment is confirmed for %s at 09:40. Manage or cancel: %s Reply STOP to opt out." %
            (ndate(r, "en"), U_(r.choice(["https://mychart.riverbend-health.org", "https://www.stlukes-clinic.org", "https://physio-plus.example.co.uk"]) + "/a/" + rid(r, 6, "abcdefghjkmnpqrstuvwxyz23456789"))))


@tpl(2)
def t_ssa_verify(r):
    g, f = person(r, "en")
    return ("SSN verification batch %s: %s / SSN %s / DOB %s -> result: match; %s / SSN %s -> no match." %
            (digs(r, 6), NN(g, f), S_(make_ssn(r)), D_(dob(r, "us")), N_(r.choice(GIVEN["en"])), S_(make_ssn(r, " "))))


@tpl(2)
def t_es_card(r):
    g, f = person(r, "es")
    return ("Reclamación de cargo no reconocido: titular %s, tarjeta %s, importe %s, correo %s, web %s." %
            (NN(g, f), C_(make_card(r)), amount(r, "de"), E_(email_for(r, g, f, "es")), U_(url(r, r.choice(["shop", "travel"])))))


@tpl(1)
def t_nl_card(r):
    g, f = person(r, "nl")
    return ("Terugboeking aangevraagd door %s voor kaart %s; klant belde vanaf %s." % (NN(g, f), C_(make_card(r)), P_(phone(r, "nl"))))


# ---------------------------------------------------------------- negative-only templates
NEG = []


def ntpl(w=1):
    def deco(fn):
        NEG.append((w, fn))
        return fn
    return deco


@ntpl(4)
def n_orders(r):
    return "Customer asks about %s and %s; refund of %s posted %s." % (neg_ref(r), neg_ref(r), amount(r, r.choice(["us", "de", "uk"])), ndate(r, "iso"))


@ntpl(4)
def n_clin(r):
    return ("Dx %s, %s; admitted %s, discharged %s; %s; %s." %
            (neg_ref(r), neg_ref(r), ndate(r, "us"), ndate(r, "us"), r.choice(["K+ 4.1 mmol/L", "Hb 12.8 g/dL", "CRP 48 mg/L", "eGFR 61"]),
             r.choice(["metformin 500 mg BID", "apixaban 5 mg", "ceftriaxone 2 g IV q24h"])))


@ntpl(3)
def n_tech(r):
    return "Deploy %s of billing-svc at %s, %s, %s, node MAC %s; upstream %s unreachable." % (
        "v%d.%d.%d" % (r.randint(1, 9), r.randint(0, 20), r.randint(0, 30)), ndate(r, "iso"), neg_ref(r), "request_id=" + uuid(r), mac(r),
        r.choice(["api.payrails.io", "auth.northgate-insurance.com", "ldap.intra.local"]))


@ntpl(2)
def n_badquad(r):
    return "Config lint: upstream address %s is invalid (octet out of range), fallback %s also rejected; see runbook page 12." % (bad_quad(r), bad_quad(r))


@ntpl(2)
def n_badssn(r):
    return "Validation failed: SSN %s is not issuable; second entry %s also rejected — ask the member to re-enter." % (bad_ssn(r), bad_ssn(r))


@ntpl(2)
def n_badiban(r):
    return "Payment returned (AC01): IBAN %s failed the checksum; %s" % (bad_iban(r, r.choice(list(IBAN_FMT))), r.choice(
        ["please resubmit.", "contact the payer.", "mandate cancelled."]))


@ntpl(2)
def n_nearmiss(r):
    return "Declined: card %s fails the Luhn check (typo?) — amount %s, %s." % (near_miss_card(r), amount(r, "us"), neg_ref(r))


@ntpl(2)
def n_nearmiss_lk(r):
    sc = r.choice(["fw", "ar", "fa", "dev"])
    kind = "ir" if sc == "fa" else r.choice(["visa", "mc"])
    lab = {"fw": "カード番号（誤り）", "ar": "رقم البطاقة غير صالح", "fa": "شماره کارت نامعتبر", "dev": "अमान्य कार्ड"}[sc]
    return "%s: %s — %s" % (lab, to_script(near_miss_card(r, kind, r.choice(["space", "dash"])), sc), neg_ref(r))


@ntpl(2)
def n_words(r):
    return r.choice([
        "Will the June rota be ready by May 3? Grant says the %s audit moved to %s." % (r.choice(["ISO", "SOC 2", "HIPAA"]), ndate(r, "en")),
        "May we reschedule? June is busy; the Grant committee meets %s in room %d." % (ndate(r, "en"), r.randint(100, 999)),
        "Will from IT reset the kiosk; June and May shifts swapped; %s." % neg_ref(r),
        "Research Grant %d-%s approved; Will to confirm budget %s by June." % (r.randint(2024, 2026), digs(r, 4), amount(r, "uk")),
    ])


@ntpl(2)
def n_nondict(r):
    a, b = r.sample(NONDICT, 2)
    return "Call notes: %s spoke to %s about %s; follow-up %s." % (a, b, neg_ref(r), ndate(r, "en"))


@ntpl(2)
def n_house(r):
    st, city, s, zz = us_loc(r)
    return "Site survey at %d %s scheduled %s; gate code %s; crew of %d; bare domain %s." % (
        r.randint(10000, 19999), st, ndate(r, "us"), digs(r, 4), r.randint(2, 9), r.choice(["northgate-insurance.com/help", "parcelhub.co.uk", "riverbend-health.org"]))


@ntpl(2)
def n_bank(r):
    return "Domestic payment: sort code %02d-%02d-%02d, account %s, %s; routing %s; %s." % (
        r.randint(10, 99), r.randint(0, 99), r.randint(0, 99), digs(r, 8), neg_ref(r), aba(r), amount(r, "uk"))


def aba(r):
    d = digs(r, 8)
    return d + str(aba_check(d))


@ntpl(2)
def n_badmbi(r):
    return "Eligibility check returned 'invalid format' for %s and %s (letters S, L, O, I, B, Z are never used)." % (bad_mbi(r), bad_mbi(r))


@ntpl(2)
def n_pnr(r):
    return "Flight %s%d on %s, PNR %s, e-ticket %s-%s, bag tag %s, fare %s." % (
        r.choice(["LH", "AF", "KL", "SK", "BA"]), r.randint(10, 999), ndate(r, "en"), rid(r, 6, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"),
        r.choice(["220", "057", "074"]), digs(r, 10), digs(r, 6), amount(r, "de"))


@ntpl(5)
def n_lang(r):
    return r.choice([
        "Termin am %s um 10:30, Rechnung %s über %s, Aktenzeichen %d O %d/%d." % (ndate(r, "de"), digs(r, 6), amount(r, "de"), r.randint(1, 40), r.randint(10, 999), r.randint(20, 26)),
        "Rendez-vous le %s, facture n° %s de %s, dossier sinistre %s." % (ndate(r, "fr"), digs(r, 7), amount(r, "fr"), digs(r, 9)),
        "Cita el %s, factura %s, importe %s, expediente %s." % (ndate(r, "es"), digs(r, 6), amount(r, "de"), digs(r, 8)),
        "Visita il %s, fattura %s, importo %s, pratica %s." % (ndate(r, "it"), digs(r, 6), amount(r, "de"), digs(r, 7)),
        "Afspraak op %s, factuur %s, bedrag %s, dossier %s." % (ndate(r, "nl"), digs(r, 7), amount(r, "de"), digs(r, 6)),
        "Wizyta %s, faktura FV/%s/%d, kwota %s zł." % (ndate(r, "pl"), digs(r, 4), r.randint(2023, 2026), "1 %03d,00" % r.randint(0, 999)),
        "Consulta em %s, fatura %s, valor %s." % (ndate(r, "pt"), digs(r, 7), amount(r, "de")),
        "Besök %s, faktura %s, OCR %s, belopp %s kr." % (ndate(r, "sv"), digs(r, 6), digs(r, 10), "2 %03d,00" % r.randint(0, 999)),
        "Aftale %s, faktura %s, beløb %s kr." % (ndate(r, "da"), digs(r, 6), "1.%03d,50" % r.randint(0, 999)),
        "Time %s, KID %s, beløp %s kr." % (ndate(r, "no"), digs(r, 11), "3 %03d,00" % r.randint(0, 999)),
        "Vastaanotto %s, lasku %s, viite %s." % (ndate(r, "fi"), digs(r, 6), digs(r, 9)),
        "Návštěva %s, faktura %s, variabilní symbol %s." % (ndate(r, "cs"), digs(r, 6), digs(r, 10)),
        "Randevu %s, fatura %s, tutar %s TL." % (ndate(r, "tr"), digs(r, 8), "1.%03d,00" % r.randint(0, 999)),
        "予約日 %s、請求書番号 %s、金額 %s。" % (ndate(r, "ja"), digs(r, 8), amount(r, "jp")),
        "预约日期 %s，订单号 %s，金额 %s 元。" % (ndate(r, "zh"), digs(r, 12), "%d.00" % r.randint(10, 9999)),
        "예약일 %s, 주문번호 %s." % (ndate(r, "ko"), digs(r, 10)),
    ])


@ntpl(3)
def n_codes(r):
    return "Claim line: %s, %s, %s, %s; DOS %s; billed %s; %s." % (neg_ref(r), neg_ref(r), neg_ref(r), "NPI %s" % npi(r), ndate(r, "us"),
                                                                    amount(r, "us"), "ISBN " + isbn(r))


def isbn(r):
    b = "978" + digs(r, 9)
    return b + str(isbn13_check(b))


@ntpl(1)
def n_www_dot(r):
    return "Read the form aloud: www dot %s dot com slash forms; fax cover sheet %d pages; ref %s." % (
        r.choice(["northgate", "riverbend", "kassenord"]), r.randint(2, 9), neg_ref(r))


@ntpl(1)
def n_imei(r):
    return "Device swap: IMEISV %s, ICCID 89%s, %s, %s." % (imeisv(r), digs(r, 18), neg_ref(r), ndate(r, "iso"))


def imeisv(r):
    while True:
        v = digs(r, 16)
        if not luhn_ok(v):
            return v


# ---------------------------------------------------------------- checker
MARK = re.compile("\u27e6([a-z_]+):(.*?)\u27e7")
MRN_LBL = re.compile(r"(?i)(\bmrn\b|mr#|medical record (number|no)|patient[ _-]?id|chart (number|no)|patientennummer|"
                     r"num[ée]ro de dossier|historia cl[íi]nica|cartella clinica|pati[ëe]ntnummer|karty pacjenta)")
PLAN_LBL = re.compile(r"(?i)(member[ _]?id|subscriber[ _]?id|policy[ _]?number|insurance (number|id)|health plan id|medicaid id|"
                      r"medicare (number|card)|beneficiary id|nhs (number|no)|versichertennummer|kvnr|carte vitale|"
                      r"num[ée]ro d'assur[ée] social|polisnummer|\bmbi\b)")
DOB_LBL = re.compile(r"(?i)(\bdob\b|d\.o\.b\.|date[ _]of[ _]birth|\bborn\b|birth[ _]?date|geburtsdatum|\bgeb\.|geboren am|"
                     r"n[ée]e? le|date de naissance|fecha de nacimiento|nacid[oa] el|data di nascita|nat[oa] il|geboren op|"
                     r"geboortedatum|data urodzenia|\bur\.|data de nascimento|\bbday\b)")
SSN_LBL = re.compile(r"(?i)(\bssn\b|social security|_ssn\b|\bssn[\"':=])")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
URL_RE = re.compile(r"(?i)(?:https?://|\bwww\.)[^\s\"'<>]+")
V4_RE = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
V6_RE = re.compile(r"(?<![0-9A-Za-z:])[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?![0-9A-Za-z:])")
SSN_RE = re.compile(r"(?<!\d)(\d{3})[- ](\d{2})[- ](\d{4})(?!\d)")
SSN_C_RE = re.compile(r"(?<!\d)(\d{3})(\d{2})(\d{4})(?!\d)")
LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]+")

UK_RE = re.compile(r"^(?:[A-PR-UWYZ]\d{1,2}|[A-PR-UWYZ][A-HK-Y]\d{1,2}|[A-PR-UWYZ]\d[A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRVWXY]) "
                   r"\d[ABD-HJLNP-UW-Z]{2}$")
CA_RE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d$")
EIR_RE = re.compile(r"^(?:[ACDEFHKNPRTVWXY]\d\d|D6W) [0-9ACDEFHKNPRTVWXY]{4}$")
POSTAL_SHAPES = [re.compile(p) for p in [r"^\d{5}(-\d{4})?$", r"^\d{4}$", r"^[1-9]\d{5}$", r"^\d{2}-\d{3}$", r"^\d{4}-\d{3}$",
                                         r"^\d{3} \d{2}$", r"^\d{3}-\d{4}$", r"^\d{5}-\d{3}$"]]
NL_RE = re.compile(r"^[1-9]\d{3} ?([A-Z]{2})$")
PHONE_RE = re.compile(r"^(\+|\(|\d)[\d ().-]*\d$")

HL7_ALLOWED = {  # (segment, field) -> categories allowed
    ("PID", 3): {"medical_record_number"}, ("PID", 5): {"name"}, ("PID", 7): {"date_of_birth"}, ("PID", 11): {"postal_code"},
    ("PID", 13): {"phone"}, ("PID", 19): {"ssn"},
    ("IN1", 5): {"postal_code"}, ("IN1", 16): {"name"}, ("IN1", 18): {"date_of_birth"}, ("IN1", 36): {"health_plan_number"},
    ("GT1", 3): {"name"}, ("GT1", 5): {"postal_code"}, ("GT1", 6): {"phone"}, ("GT1", 8): {"date_of_birth"}, ("GT1", 12): {"ssn"},
}
HL7_SEG = re.compile(r"(?:(?<=^)|(?<=\s))(MSH|PID|IN1|GT1|NK1|PV1|OBX)\|")


def valid_date(s):
    n = ascii_digits(s)
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", n)
    if m:
        y, mo, d = map(int, m.groups())
        return 1900 <= y <= 2025 and 1 <= mo <= 12 and 1 <= d <= 31
    ys = [int(x) for x in re.findall(r"(?<!\d)(\d{4})(?!\d)", n)]
    return len(ys) == 1 and 1900 <= ys[0] <= 2025


def parse_line(line):
    plain, spans, pos, errs = [], [], 0, []
    i = 0
    for m in MARK.finditer(line):
        plain.append(line[i:m.start()])
        pos += m.start() - i
        cat, val = m.group(1), m.group(2)
        if cat not in CATS:
            errs.append("unknown category %r" % cat)
        if not val or val != val.strip():
            errs.append("empty or padded value %r" % val)
        spans.append((pos, pos + len(val), cat, val))
        plain.append(val)
        pos += len(val)
        i = m.end()
    plain.append(line[i:])
    p = "".join(plain)
    if "\u27e6" in p or "\u27e7" in p:
        errs.append("stray marker")
    return p, spans, errs


def table_header(plain, pos):
    """Header cell labelling the column that holds pos, for pipe/CSV/TSV/SQL tables; None if not a table."""
    if "|---" in plain:
        first = plain.index("|")
        pipes = [i for i in range(first, len(plain)) if plain[i] == "|"]
        cells = [(pipes[k] + 1, pipes[k + 1]) for k in range(len(pipes) - 1)]
        ncols = next(k for k, (a, b) in enumerate(cells) if plain[a:b].strip() == "")
        for k, (a, b) in enumerate(cells):
            if a <= pos < b:
                col = k % (ncols + 1)
                return None if col == ncols else plain[cells[col][0]:cells[col][1]].strip()
        return None
    m = re.search(r"INSERT INTO \S+ \(([^)]*)\) VALUES ", plain)
    if m:
        cols = [c.strip() for c in m.group(1).split(",")]
        for t in re.finditer(r"\(('.*?')\)", plain[m.end():]):
            a = m.end() + t.start(1)
            b = m.end() + t.end(1)
            if a <= pos < b:
                idx = plain[a:pos].count("', '")
                return cols[idx]
        return None
    if " ⏎ " in plain and not HL7_SEG.search(plain) and "~" not in plain and "RP/" not in plain:
        rows, start = [], 0
        for part in plain.split(" ⏎ "):
            rows.append((start, part))
            start += len(part) + 3
        for st, row in rows:
            if st <= pos < st + len(row):
                delim = "\t" if "\t" in row else (" | " if " | " in row else (";" if ";" in row else ","))
                hdr = next((rw for _, rw in rows if delim in rw), None)
                if hdr is None or hdr is row:
                    return None
                hcells = hdr.split(": ")[-1].split(delim)
                idx = plain[st:pos].count(delim)
                return hcells[idx].strip() if idx < len(hcells) else None
        return None
    return None


def structured_pos(plain, pos):
    """('HL7', seg, field, comp) or ('X12', seg, elements, idx) for pos, else None."""
    for m in HL7_SEG.finditer(plain):
        seg = m.group(1)
        end = plain.find(" ⏎ ", m.start())
        end = len(plain) if end < 0 else end
        if m.start() <= pos < end:
            body = plain[m.start():end]
            rel = pos - m.start()
            field = body[:rel].count("|")
            if seg == "MSH":
                field += 1
            fstart = body.rfind("|", 0, rel) + 1
            comp = body[fstart:rel].count("^") + 1
            return ("HL7", seg, field, comp)
    if re.search(r"\bST\*\d{3}\*", plain):
        start = 0
        for segtxt in plain.split("~"):
            if start <= pos < start + len(segtxt):
                # segment name is the last token before the first '*'
                head = segtxt.split("*")[0].split()[-1] if segtxt.split("*")[0].split() else ""
                els = segtxt.split("*")
                els[0] = head
                idx = plain[start:pos].count("*")
                return ("X12", head, els, idx)
            start += len(segtxt) + 1
    return None


def x12_allowed(seg, els, idx, cat):
    g = lambda k: els[k] if k < len(els) else ""
    if seg == "NM1" and idx in (3, 4):
        return cat == "name"
    if seg == "NM1" and idx == 9:
        return (cat == "ssn" and g(8) == "34") or (cat == "health_plan_number" and g(8) in ("MI", "ZZ"))
    if seg == "REF" and idx == 2:
        return cat == "health_plan_number" and g(1) in ("0F", "23")
    if seg == "DMG" and idx == 2:
        return cat == "date_of_birth" and g(1) == "D8"
    if seg == "N4" and idx == 3:
        return cat == "postal_code"
    if seg == "PER" and idx in (4, 6, 8):
        return (cat == "phone" and g(idx - 1) in ("HP", "TE", "WP", "CP")) or (cat == "email" and g(idx - 1) == "EM")
    return False


def covered(spans, a, b, cat):
    return any(s <= a and b <= e and c == cat for s, e, c, v in spans)


def check_line(line, dict_names=DICT):
    errs = []
    plain, spans, e0 = parse_line(line)
    errs += e0
    nt = ascii_digits(plain)
    for s, e, cat, val in spans:
        nv = ascii_digits(val)
        if cat == "email":
            if not EMAIL_RE.fullmatch(val):
                errs.append("bad email %r" % val)
        elif cat == "url":
            if not re.match(r"(?i)(https?://|www\.)[A-Za-z0-9.-]+\.[A-Za-z]{2,}", val) or val[-1] in ".,)" or " " in val:
                errs.append("bad url %r" % val)
        elif cat == "phone":
            dn = re.sub(r"\D", "", nv)
            if not PHONE_RE.match(nv) or not 7 <= len(dn) <= 15:
                errs.append("bad phone %r" % val)
        elif cat == "ssn":
            m = re.fullmatch(r"(\d{3})([- ]?)(\d{2})\2(\d{4})", nv)
            if not m or not ssn_valid(m.group(1), m.group(3), m.group(4)):
                errs.append("bad ssn %r" % val)
            elif m.group(2) == "":
                if not (SSN_LBL.search(plain[max(0, s - 30):s]) or (table_header(plain, s) or "").lower() == "ssn"
                        or _struct_ok(plain, s, cat)):
                    errs.append("compact ssn without label %r" % val)
        elif cat == "credit_card":
            if not re.fullmatch(r"\d+(?:([ -])\d+(?:\1\d+)*)?", nv):
                errs.append("bad card format %r" % val)
            d = re.sub(r"\D", "", nv)
            if not (13 <= len(d) <= 19 and luhn_ok(d)):
                errs.append("bad card %r" % val)
        elif cat == "iban":
            if not (re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", val) or re.fullmatch(r"[A-Z]{2}\d{2}(?: [A-Z0-9]{4})*(?: [A-Z0-9]{1,4})?", val)):
                errs.append("bad iban format %r" % val)
            elif " " in val and any(len(gp) != 4 for gp in val.split(" ")[:-1]):
                errs.append("bad iban grouping %r" % val)
            if not iban_valid(val.replace(" ", "")):
                errs.append("bad iban %r" % val)
        elif cat == "ip_address":
            try:
                ipaddress.ip_address(val)
            except ValueError:
                errs.append("bad ip %r" % val)
            if not re.fullmatch(r"[0-9A-Fa-f:.]+", val):
                errs.append("bad ip chars %r" % val)
        elif cat == "date_of_birth":
            if not valid_date(val):
                errs.append("bad date %r" % val)
            hdr = table_header(plain, s)
            if hdr is not None:
                if not DOB_LBL.search(hdr):
                    errs.append("dob column header %r" % hdr)
            elif not (DOB_LBL.search(plain[max(0, s - 45):s]) or _struct_ok(plain, s, cat)):
                errs.append("dob without trigger %r" % val)
        elif cat == "medical_record_number":
            if not re.fullmatch(r"[A-Za-z0-9-]{5,15}", val):
                errs.append("bad mrn %r" % val)
            hdr = table_header(plain, s)
            if hdr is not None:
                if not MRN_LBL.search(hdr):
                    errs.append("mrn column header %r" % hdr)
            elif not (MRN_LBL.search(plain[max(0, s - 60):s]) or _struct_ok(plain, s, cat)):
                errs.append("mrn without label %r" % val)
        elif cat == "health_plan_number":
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ./-]{4,22}[A-Za-z0-9]", nv):
                errs.append("bad plan %r" % val)
            ctx = plain[max(0, s - 60):s]
            if re.search(r"(?i)nhs", ctx[-20:]) and not nhs_ok(val):
                errs.append("bad NHS number %r" % val)
            if not MBI_RE.fullmatch(val):
                hdr = table_header(plain, s)
                if hdr is not None:
                    if not PLAN_LBL.search(hdr):
                        errs.append("plan column header %r" % hdr)
                elif not (PLAN_LBL.search(ctx) or _struct_ok(plain, s, cat)):
                    errs.append("plan without label %r" % val)
        elif cat == "postal_code":
            ok = any(p.match(nv) for p in POSTAL_SHAPES) or UK_RE.match(val) or CA_RE.match(val) or EIR_RE.match(val)
            m = NL_RE.match(val)
            if m and m.group(1) not in ("SA", "SD", "SS"):
                ok = True
            if not ok:
                errs.append("bad postal %r" % val)
        elif cat == "name":
            words = val.split(" ")
            if any(w not in dict_names for w in words):
                errs.append("name not in dictionary %r" % val)
            if (s > 0 and LATIN.match(plain[s - 1])) or (e < len(plain) and LATIN.match(plain[e])):
                errs.append("name span cuts a word %r" % val)
        # structured positions: every span inside HL7/X12 segments must sit where the standard puts it
        sp = structured_pos(plain, s)
        if sp and sp[0] == "HL7":
            _, seg, field, comp = sp
            allowed = HL7_ALLOWED.get((seg, field), set())
            if cat not in allowed:
                errs.append("HL7 %s-%d holds %s" % (seg, field, cat))
            if cat == "medical_record_number" and comp != 1 or cat == "postal_code" and comp != 5:
                errs.append("HL7 %s-%d component %d holds %s" % (seg, field, comp, cat))
        elif sp and sp[0] == "X12":
            _, seg, els, idx = sp
            if not x12_allowed(seg, els, idx, cat):
                errs.append("X12 %s%02d holds %s" % (seg, idx, cat))
    # adjacent name spans
    for (s1, e1, c1, v1), (s2, e2, c2, v2) in zip(spans, spans[1:]):
        if c1 == c2 == "name" and plain[e1:s2] == " ":
            errs.append("two name spans separated by one space %r %r" % (v1, v2))
    # nothing left unmarked
    for m in EMAIL_RE.finditer(plain):
        if not covered(spans, m.start(), m.end(), "email"):
            errs.append("unmarked email %r" % m.group())
    for m in URL_RE.finditer(plain):
        if not any(s <= m.start() < e and c == "url" for s, e, c, v in spans):
            errs.append("unmarked url %r" % m.group())
    for m in V4_RE.finditer(nt):
        if all(int(x) <= 255 for x in m.groups()) and not covered(spans, m.start(), m.end(), "ip_address"):
            errs.append("unmarked ipv4 %r" % m.group())
    for m in V6_RE.finditer(nt):
        tok = m.group()
        if tok.count(":") >= 2:
            try:
                ipaddress.IPv6Address(tok)
                if not covered(spans, m.start(), m.end(), "ip_address"):
                    errs.append("unmarked ipv6 %r" % tok)
            except ValueError:
                pass
    for m in re.finditer(r"(?<![A-Z0-9])([A-Z]{2})\d\d", nt):
        cc = m.group(1)
        if cc not in IBAN_LEN:
            continue
        j, got = m.start(), ""
        while j < len(nt) and len(got) < IBAN_LEN[cc]:
            ch = nt[j]
            if ch.isascii() and (ch.isdigit() or ch.isupper()):
                got += ch
            elif ch == " " and j + 1 < len(nt) and nt[j + 1].isascii() and nt[j + 1].isalnum():
                pass
            else:
                break
            j += 1
        if len(got) == IBAN_LEN[cc] and iban_valid(got) and not covered(spans, m.start(), j, "iban"):
            errs.append("unmarked iban %r" % nt[m.start():j])
    for m in SSN_RE.finditer(nt):
        if ssn_valid(*m.groups()) and not covered(spans, m.start(), m.end(), "ssn"):
            errs.append("unmarked ssn %r" % m.group())
    for m in SSN_C_RE.finditer(nt):
        if ssn_valid(*m.groups()) and SSN_LBL.search(nt[max(0, m.start() - 30):m.start()]) and not covered(spans, m.start(), m.end(), "ssn"):
            errs.append("unmarked compact ssn %r" % m.group())
    for m in MBI_RE.finditer(plain):
        if not covered(spans, m.start(), m.end(), "health_plan_number"):
            errs.append("unmarked MBI %r" % m.group())
    for m in LATIN.finditer(plain):
        if m.group() in dict_names and not covered(spans, m.start(), m.end(), "name"):
            errs.append("unmarked name %r" % m.group())
    for a, b, _ in validators.luhn_windows(nt):
        if not covered(spans, a, b, "credit_card"):
            errs.append("Luhn-valid number outside a card span %r" % nt[a:b])
    return errs, spans


def _struct_ok(plain, s, cat):
    sp = structured_pos(plain, s)
    if not sp:
        return False
    if sp[0] == "HL7":
        return cat in HL7_ALLOWED.get((sp[1], sp[2]), set())
    return x12_allowed(sp[1], sp[2], sp[3], cat)


LOOKALIKE = re.compile("[\uff10-\uff19\u0660-\u0669\u06f0-\u06f9\u0966-\u096f]")


def check_file(path):
    errs = []
    counts = {c: 0 for c in CATS}
    seen = set()
    n_lines = n_neg = n_lk = n_lk_neg = 0
    ib_countries = set()
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            n_lines += 1
            if line in seen:
                errs.append("%d: duplicate line" % no)
            seen.add(line)
            le, spans = check_line(line)
            errs += ["%d: %s" % (no, x) for x in le]
            for s, e, c, v in spans:
                counts[c] = counts.get(c, 0) + 1
                if c == "iban":
                    ib_countries.add(v[:2])
                if c in ("ssn", "credit_card", "phone") and LOOKALIKE.search(v):
                    n_lk += 1
            if not spans:
                n_neg += 1
                if LOOKALIKE.search(line):
                    n_lk_neg += 1
    for c in CATS:
        if counts[c] < 60:
            errs.append("category %s has only %d positives" % (c, counts[c]))
    if n_lines < 500:
        errs.append("only %d lines" % n_lines)
    if n_neg < 125:
        errs.append("only %d negative-only lines" % n_neg)
    if n_lk < 20:
        errs.append("only %d look-alike positives" % n_lk)
    if n_lk_neg < 3:
        errs.append("only %d look-alike near-miss lines" % n_lk_neg)
    if len(ib_countries) < 15:
        errs.append("only %d IBAN countries" % len(ib_countries))
    print("%d example lines, %d negative-only; %d look-alike ssn/card/phone positives, %d look-alike near-miss lines; "
          "%d IBAN countries" % (n_lines, n_neg, n_lk, n_lk_neg, len(ib_countries)))
    for c in CATS:
        print("  %-22s %d" % (c, counts[c]))
    return errs


# ---------------------------------------------------------------- generation
def generate(out_dir):
    r = random.Random(SEED)
    lines, seen, fails = [], set(), {}

    def emit(fn):
        for _ in range(60):
            ln = fn(r)
            if ln in seen:
                continue
            le, _ = check_line(ln)
            if not le:
                seen.add(ln)
                lines.append(ln)
                return
            fails.setdefault(fn.__name__, []).append(le[0])
        raise SystemExit("template %s keeps failing: %s" % (fn.__name__, fails[fn.__name__][-3:]))

    ROUNDS = 2
    for _ in range(ROUNDS):
        for w, fn in T:
            for _ in range(w):
                emit(fn)
        for w, fn in NEG:
            for _ in range(w * 2):
                emit(fn)
    # look-alike near-miss lines are rarer: make sure there are enough
    r.shuffle(lines)
    header = ["# fresh5.txt — one-time measurement set (see README.md, section fresh5.txt).",
              "# Generated by scripts/pii-fresh5-corpus.py; do not edit by hand."]
    with open(os.path.join(out_dir, "fresh5.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(header + lines) + "\n")
    for k, v in sorted(fails.items()):
        print("retried %-22s %3d  e.g. %s" % (k, len(v), v[0]), file=sys.stderr)


def check(out_dir):
    errs = check_file(os.path.join(out_dir, "fresh5.txt"))
    for e in errs[:80]:
        print("ERROR", e)
    if errs:
        print("%d errors" % len(errs))
        return False
    print("OK")
    return True
