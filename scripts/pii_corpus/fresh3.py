"""Generate and validate tests/fixtures/pii/fresh3.txt.

A one-time measurement corpus for the personal/health-identifier detector.
Written from tests/fixtures/pii/README.md and names.txt only.

    python3 scripts/pii-corpus.py fresh3           # regenerate, then check
    python3 scripts/pii-corpus.py fresh3 --check   # only validate the file

Standard library only; a fixed seed makes the output deterministic.
"""
import datetime
import ipaddress
import os
import random
import re
import unicodedata

from . import validators
from .validators import (
    CATEGORIES, MBI_ALPHA, MBI_PATTERN, MBI_RE, ascii_digits, aba_check, au_medicare_check, be_account_check,
    es_control_digit, fr_rib_key, group, group4, has_lookalike, iban_lengths, iban_make, iban_mod97,
    isbn13_check, kvnr_check, luhn_complete, luhn_ok, mark as mk, nhs_check, nhs_ok, nir_key, npi_check_digit,
    read_names, ssn_valid, to_script,
)

OUTPUTS = ("fresh3.txt",)
SEED = 0x3F7C_19D5  # fixed, deliberately not a round default
MIN_PER_CATEGORY = 50
MIN_LINES = 400
MIN_NEGATIVE_ONLY = 100
MIN_LOOKALIKE = 20
MIN_IBAN_COUNTRIES = 15

# --------------------------------------------------------------------------
# names

NAMES = read_names()
NAMESET = set(NAMES)

REGION_NAMES = {
    "en": ("Maria Jennifer Michael Sarah David Emily Daniel Rebecca Olivia Ethan Hannah Brandon",
           "Thompson Robinson Johnson Harris Clarke Jackson Mitchell Murphy Gallagher"),
    "ie": ("Siobhan Niamh Ciarán", "Murphy Gallagher Clarke"),
    "de": ("Jürgen Katrin Sabine Lukas Annika Wolfgang",
           "Schmidt Müller Wagner Becker Hoffmann Schäfer Zimmermann"),
    "fr": ("Mathieu Étienne Chloé Léa Benoît", "Dubois Moreau Lefebvre Fournier Rousseau"),
    "es": ("Alejandro Lucía Sofía Mateo Javier Maria",
           "García Rodríguez Fernández López Martínez Sánchez Pérez"),
    "it": ("Giulia Francesca Alessandro Chiara Maria", "Rossi Esposito Bianchi Ricci Moretti"),
    "pl": ("Agnieszka Krzysztof Małgorzata Piotr",
           "Kowalski Nowak Wiśniewski Wójcik Lewandowski Zielińska"),
    "nl": ("Sanne Daan Femke", "Jansen Bakker Visser Smit Meijer Dekker"),
    "af": ("Oluwaseun Chukwuemeka Ngozi Kwame Abena Wanjiru Thabo",
           "Okafor Adebayo Mensah Otieno Mwangi Nkosi"),
    "ar": ("Mohammed Fatima Youssef Layla", "Haddad Nasser Mansour Khoury"),
    "tr": ("Mehmet Ayşe Elif", "Yılmaz Kaya Demir Şahin"),
    "in": ("Priya Arjun Ananya Rahul", "Patel Sharma Singh Gupta Iyer Reddy Kumar"),
    "jp": ("Hiroshi Yuki", "Tanaka Takahashi Yamamoto Sato"),
    "cn": ("Wei", "Wang Zhang Chen Liu Huang"),
    "kr": ("", "Kim Choi"),
    "vn": ("Minh", "Nguyen Tran Pham"),
    "nordic": ("Ingrid Lars Astrid Henrik", "Johansson Andersson Lindqvist Hansen Jørgensen"),
    "slav": ("Dmitri Olena Svetlana", "Ivanov Petrova Shevchenko Kovalenko"),
    "gr": ("Eleni", "Papadopoulos Nikolaou"),
}
REGION_NAMES = {k: (v[0].split(), v[1].split()) for k, v in REGION_NAMES.items()}
for _k, (_f, _l) in REGION_NAMES.items():
    for _w in _f + _l:
        assert _w in NAMESET, _w

# person names that are NOT in the dictionary (hard negatives)
OTHER_FIRST = ("Gregor Tobias Ottilie Benedikt Rosalind Cornelius Imogen Leopold Mirela Radek "
               "Bartosz Jolanda Teodora Anselm Florin Ignacio Rocío Tiago Vasco Sigrid Eino "
               "Halvard Bodil Zdeněk Emre Kerem Soraya Farhad Aiko Ravindra Desmond Percival "
               "Winifred Augustin Marit Ludovica Casimir Henrike Orla Matteo").split()
OTHER_LAST = ("Vasseur Lindfors Ødegård Branković Albrecht Castellanos Ferraz Holmberg Nieminen "
              "Dvořák Öztürk Kristiansen Ravensworth Pemberton Achterberg Quintero Bellandi "
              "Marchetti Szymańska Carvalho Lundgren Virtanen Novotný Aksoy Tehrani Thornbury "
              "Halloran Okonkwo Brennholt Vidal").split()
for _w in OTHER_FIRST + OTHER_LAST:
    assert _w not in NAMESET, _w


def rd(rng, n):
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


# ---- payment cards
def card_digits(rng, brand):
    if brand == "visa":
        return luhn_complete("4" + rd(rng, 14)), (4, 4, 4, 4)
    if brand == "visa13":
        return luhn_complete("4" + rd(rng, 11)), None
    if brand == "mc":
        if rng.random() < 0.5:
            return luhn_complete("5" + str(rng.randint(1, 5)) + rd(rng, 13)), (4, 4, 4, 4)
        return luhn_complete(str(rng.randint(2221, 2720)) + rd(rng, 11)), (4, 4, 4, 4)
    if brand == "amex":
        return luhn_complete(rng.choice(["34", "37"]) + rd(rng, 12)), (4, 6, 5)
    if brand == "disc":
        return luhn_complete("6011" + rd(rng, 11)), (4, 4, 4, 4)
    if brand == "jcb":
        return luhn_complete(str(rng.randint(3528, 3589)) + rd(rng, 11)), (4, 4, 4, 4)
    if brand == "diners":
        return luhn_complete("36" + rd(rng, 11)), (4, 6, 4)
    if brand == "maestro":
        return luhn_complete(rng.choice(["6759", "6761", "5018"]) + rd(rng, 14)), (4, 4, 4, 4, 3)
    if brand == "unionpay":
        return luhn_complete("62" + str(rng.randint(1, 8)) + rd(rng, 12)), (4, 4, 4, 4)
    if brand == "ir":
        return luhn_complete(rng.choice(["6037", "6274", "5892", "6104"]) + rd(rng, 11)), (4, 4, 4, 4)
    raise KeyError(brand)


CARD_BRANDS = ["visa", "visa", "mc", "mc", "amex", "disc", "jcb", "diners", "maestro",
               "unionpay", "visa13"]


def fmt_card(rng, digits, sizes):
    if sizes is None:
        return digits
    return group(digits, sizes, rng.choice(["", " ", " ", "-", " "]))


def gen_card(rng, brand=None):
    d, sizes = card_digits(rng, brand or rng.choice(CARD_BRANDS))
    return fmt_card(rng, d, sizes)


def gen_bad_card(rng, brand=None):
    d, sizes = card_digits(rng, brand or rng.choice(CARD_BRANDS))
    i = rng.randrange(1, len(d))
    new = rng.choice([c for c in "0123456789" if c != d[i]])
    d = d[:i] + new + d[i + 1:]
    assert not luhn_ok(d)
    return fmt_card(rng, d, sizes or (4, 4, 5))


# ---- IBAN
IBAN_SPEC = {
    "DE": "8n10n", "AT": "5n11n", "CH": "5n12n", "FR": "5n5n11n2n", "BE": "3n7n2n",
    "NL": "4a10n", "ES": "4n4n2n10n", "IT": "1a5n5n12n", "PL": "8n16n", "PT": "4n4n11n2n",
    "SE": "3n17n", "DK": "4n10n", "NO": "4n6n1n", "FI": "6n8n", "CZ": "4n6n10n",
    "TR": "5n1z16n", "GB": "4a6n8n", "IE": "4a6n8n", "LU": "3n13n", "HU": "3n4n1n15n1n",
    "RO": "4a16c", "GR": "3n4n16n", "HR": "7n10n", "SK": "4n6n10n", "SI": "5n8n2n",
    "LT": "5n11n", "EE": "2n2n11n1n", "LV": "4a13c", "SA": "2n18n", "AE": "3n16n",
}
IBAN_LEN = iban_lengths("DE AT CH FR BE NL ES IT PL PT SE DK NO FI CZ TR GB IE LU HU RO GR HR SK SI LT EE LV SA AE")
BANK_LETTERS = {"NL": ["INGB", "RABO", "ABNA", "TRIO", "SNSB"],
                "GB": ["NWBK", "BARC", "LOYD", "HBUK", "MIDL"],
                "IE": ["AIBK", "BOFI", "IPBS", "ULSB"],
                "RO": ["BTRL", "RNCB", "BRDE", "INGB"],
                "LV": ["HABA", "UNLA", "PARX"]}


def iban_valid(s):
    s = s.replace(" ", "")
    if len(s) < 5 or s[:2] not in IBAN_LEN or len(s) != IBAN_LEN[s[:2]]:
        return False
    if not (s[2:4].isdigit() and s[4:].isalnum() and s.isascii()):
        return False
    return iban_mod97(s) == 1


def gen_bban(rng, cc):
    spec = IBAN_SPEC[cc]
    parts = re.findall(r"(\d+)([nacz])", spec)
    out = []
    for n, t in parts:
        n = int(n)
        if t == "n":
            out.append(rd(rng, n))
        elif t == "z":
            out.append("0")
        elif t == "a":
            out.append(rng.choice(BANK_LETTERS[cc]) if n == 4 else rng.choice("ABCDEFGHJKLMNPRSTUVWXZ"))
        else:
            out.append("".join(rng.choice("0123456789" * 3 + "ABCDEFGHKLMNPRSTUVWX") for _ in range(n)))
    bban = "".join(out)
    if cc == "BE":
        bban = bban[:10] + "%02d" % be_account_check(bban[:10])
    elif cc == "ES":
        bank, branch, acct = bban[:4], bban[4:8], bban[10:]
        bban = bank + branch + "%d%d" % (es_control_digit("00" + bank + branch), es_control_digit(acct)) + acct
    elif cc == "FR":
        bban = bban[:21] + "%02d" % fr_rib_key(bban[:5], bban[5:10], bban[10:21])
    return bban


def gen_iban_compact(rng, cc):
    s = iban_make(cc, gen_bban(rng, cc))
    assert iban_valid(s) and len(s) == IBAN_LEN[cc], (cc, s)
    return s


def fmt_iban(rng, s, grouped=None):
    if grouped is None:
        grouped = rng.random() < 0.65
    return group4(s) if grouped else s


IBAN_COUNTRIES = sorted(IBAN_SPEC)


def gen_iban(rng, cc=None):
    cc = cc or rng.choice(IBAN_COUNTRIES)
    return fmt_iban(rng, gen_iban_compact(rng, cc))


def gen_bad_iban(rng, cc=None):
    cc = cc or rng.choice(IBAN_COUNTRIES)
    s = gen_iban_compact(rng, cc)
    if rng.random() < 0.5:
        good = int(s[2:4])
        new = rng.choice([c for c in range(2, 97) if c != good])
        s = s[:2] + "%02d" % new + s[4:]
    else:
        digits = [i for i in range(4, len(s)) if s[i].isdigit()]
        i = rng.choice(digits)
        s = s[:i] + rng.choice([c for c in "0123456789" if c != s[i]]) + s[i + 1:]
    assert not iban_valid(s)
    return fmt_iban(rng, s)


def gen_trunc_iban(rng):
    cc = rng.choice(IBAN_COUNTRIES)
    s = gen_iban_compact(rng, cc)[:-rng.randint(2, 4)]
    return fmt_iban(rng, s)


# ---- SSN
def gen_ssn_digits(rng):
    while True:
        a = rng.randint(1, 899)
        if a != 666:
            break
    return "%03d" % a, "%02d" % rng.randint(1, 99), "%04d" % rng.randint(1, 9999)


def gen_ssn(rng, sep=None):
    a, g, s = gen_ssn_digits(rng)
    sep = sep if sep is not None else rng.choice(["-", "-", "-", " "])
    return a + sep + g + sep + s


def gen_bad_ssn(rng):
    a, g, s = gen_ssn_digits(rng)
    kind = rng.randrange(5)
    if kind == 0:
        a = "000"
    elif kind == 1:
        a = "666"
    elif kind == 2:
        a = str(rng.randint(900, 999))
        if rng.random() < 0.5:
            g = str(rng.choice([70, 71, 78, 79, 88, 90, 92, 94]))
    elif kind == 3:
        g = "00"
    else:
        s = "0000"
    return a + "-" + g + "-" + s


# ---- health plan numbers
def gen_nhs(rng):
    while True:
        d = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        c = nhs_check(d)
        if c is None:
            continue
        s = "".join(map(str, d)) + str(c)
        return group(s, (3, 3, 4), rng.choice([" ", " ", "-", ""]))


def gen_kvnr(rng):
    letter = rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
    body = rd(rng, 8)
    return letter + body + str(kvnr_check(letter, body))


def gen_nir(rng):
    n = (str(rng.choice([1, 2])) + "%02d" % rng.randint(40, 99) + "%02d" % rng.randint(1, 12)
         + "%02d" % rng.choice([x for x in range(1, 96) if x != 20])
         + "%03d" % rng.randint(1, 990) + "%03d" % rng.randint(1, 999))
    s = n + "%02d" % nir_key(n)
    if rng.random() < 0.7:
        return group(s, (1, 2, 2, 2, 3, 3, 2), " ")
    return s


def gen_au_medicare(rng):
    d = [rng.randint(2, 6)] + [rng.randint(0, 9) for _ in range(7)]
    s = "".join(map(str, d)) + str(au_medicare_check(d)) + str(rng.randint(1, 9))
    return group(s, (4, 5, 1), " ")


def gen_mbi(rng, dashed=None):
    an = MBI_ALPHA + "0123456789"
    s = (str(rng.randint(1, 9)) + rng.choice(MBI_ALPHA) + rng.choice(an) + str(rng.randint(0, 9))
         + rng.choice(MBI_ALPHA) + rng.choice(an) + str(rng.randint(0, 9))
         + rng.choice(MBI_ALPHA) + rng.choice(MBI_ALPHA) + rd(rng, 2))
    if dashed is None:
        dashed = rng.random() < 0.5
    return s[:4] + "-" + s[4:7] + "-" + s[7:] if dashed else s


def gen_bad_mbi(rng):
    s = gen_mbi(rng, dashed=False)
    pos = rng.choice([1, 4, 7, 8])
    s = s[:pos] + rng.choice("SLOIBZ") + s[pos + 1:]
    return s[:4] + "-" + s[4:7] + "-" + s[7:]


def gen_ontario(rng):
    d = luhn_complete(str(rng.randint(1, 9)) + rd(rng, 8))
    letters = rng.choice(["AB", "KX", "MN", "PT", "RH", "CV"])
    return rng.choice([d[:4] + "-" + d[4:7] + "-" + d[7:] + "-" + letters,
                       d[:4] + " " + d[4:7] + " " + d[7:] + " " + letters])


def up(rng, n):
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(n))


HPN = {
    "nhs": gen_nhs,
    "kvnr": gen_kvnr,
    "nir": gen_nir,
    "aumc": gen_au_medicare,
    "mbi": gen_mbi,
    "member": lambda r: r.choice([up(r, 3) + rd(r, 9), up(r, 3) + rd(r, 8) + "0" + str(r.randint(1, 4)),
                                  "M" + rd(r, 10), up(r, 2) + rd(r, 7) + up(r, 1)]),
    "sub": lambda r: r.choice(["W" + rd(r, 9), up(r, 3) + "-" + rd(r, 6) + "-" + rd(r, 2),
                               "S" + rd(r, 8) + "-0" + str(r.randint(1, 3))]),
    "medicaid": lambda r: r.choice([up(r, 2) + rd(r, 5) + up(r, 1), "MCD" + rd(r, 8),
                                    rd(r, 3) + "-" + rd(r, 4) + "-" + rd(r, 3)]),
    "policy": lambda r: r.choice(["POL-" + rd(r, 7), up(r, 1) + rd(r, 8) + up(r, 1),
                                  rd(r, 4) + "-" + rd(r, 6) + "-" + up(r, 2)]),
    "polis": lambda r: r.choice([rd(r, 9), "P" + rd(r, 8), rd(r, 4) + "." + rd(r, 5)]),
    "ontario": gen_ontario,
    "bene": lambda r: r.choice(["B" + rd(r, 9), up(r, 2) + "-" + rd(r, 7)]),
    "ins": lambda r: r.choice([up(r, 2) + rd(r, 8), rd(r, 3) + "/" + rd(r, 5) + "/" + rd(r, 2),
                               up(r, 3) + "." + rd(r, 6)]),
}


# ---- MRN
def gen_mrn(rng):
    k = rng.randrange(9)
    if k == 0:
        return rd(rng, 8)
    if k == 1:
        return "MR" + rd(rng, 6)
    if k == 2:
        return rng.choice("ABCDEHK") + str(rng.randint(1, 9)) + "-" + rd(rng, 5)
    if k == 3:
        return rng.choice(["HSP", "NVH", "SJM", "KLN", "UKS"]) + "-" + rd(rng, 7)
    if k == 4:
        return "E" + rd(rng, 7)
    if k == 5:
        return str(rng.randint(1, 9)) + rd(rng, 9)
    if k == 6:
        return rng.choice("KTW") + "-" + rd(rng, 4) + "-" + rd(rng, 2)
    if k == 7:
        return up(rng, 2) + rd(rng, 6) + up(rng, 1)
    return rd(rng, 3) + "-" + rd(rng, 3) + "-" + rd(rng, 3)


# ---- misc numeric negatives
def gen_aba(rng):
    d = [int(c) for c in "%02d" % rng.choice(list(range(1, 13)) + list(range(21, 33)))] + \
        [rng.randint(0, 9) for _ in range(6)]
    return "".join(map(str, d)) + str(aba_check(d))


def gen_npi(rng):
    nine = str(rng.choice([1, 2])) + rd(rng, 8)
    return nine + npi_check_digit(nine)


def gen_isbn(rng):
    d = "978" + rd(rng, 9)
    s = d + str(isbn13_check(d))
    return rng.choice([group(s, (3, 1, 2, 6, 1), "-"), group(s, (3, 2, 4, 3, 1), "-"),
                       group(s, (3, 1, 4, 4, 1), "-")])


# --------------------------------------------------------------------------
# phones

def gen_phone(rng, cc=None):
    cc = cc or rng.choice(list(PHONES))
    return rng.choice(PHONES[cc])(rng)


def _us(r):
    a, e, n = r.randint(201, 989), r.randint(201, 989), rd(r, 4)
    return r.choice(["(%d) %d-%s" % (a, e, n), "%d-%d-%s" % (a, e, n), "+1 %d %d %s" % (a, e, n),
                     "+1-%d-%d-%s" % (a, e, n), "%d.%d.%s" % (a, e, n)])


PHONES = {
    "us": [_us],
    "ca": [_us],
    "uk": [lambda r: "+44 20 %s%s %s" % (r.choice("378"), rd(r, 3), rd(r, 4)),
           lambda r: "020 %s%s %s" % (r.choice("378"), rd(r, 3), rd(r, 4)),
           lambda r: "+44 (0)161 %s %s" % (rd(r, 3), rd(r, 4)),
           lambda r: "07%d %s" % (r.randint(400, 999), rd(r, 6)),
           lambda r: "0113 %s %s" % (rd(r, 3), rd(r, 4))],
    "de": [lambda r: "+49 30 %s %s" % (rd(r, 4), rd(r, 4)),
           lambda r: "030 %s" % rd(r, 8),
           lambda r: "+49 (0)89 %s" % rd(r, 7),
           lambda r: "01%s %s" % (r.choice(["51", "52", "60", "70", "71", "76"]), rd(r, 7)),
           lambda r: "0221 %s %s %s" % (rd(r, 3), rd(r, 2), rd(r, 2)),
           lambda r: "+49 40 %s-%s" % (rd(r, 3), rd(r, 4))],
    "at": [lambda r: "+43 1 %s %s" % (rd(r, 3), rd(r, 4)), lambda r: "0664 %s" % rd(r, 7)],
    "ch": [lambda r: "+41 44 %s %s %s" % (rd(r, 3), rd(r, 2), rd(r, 2)),
           lambda r: "079 %s %s %s" % (rd(r, 3), rd(r, 2), rd(r, 2))],
    "fr": [lambda r: "+33 %d %s %s %s %s" % (r.randint(1, 9), rd(r, 2), rd(r, 2), rd(r, 2), rd(r, 2)),
           lambda r: "0%s %s %s %s %s" % (r.choice("1234567"), rd(r, 2), rd(r, 2), rd(r, 2), rd(r, 2)),
           lambda r: "0%s.%s.%s.%s.%s" % (r.choice("167"), rd(r, 2), rd(r, 2), rd(r, 2), rd(r, 2))],
    "be": [lambda r: "+32 2 %s %s %s" % (rd(r, 3), rd(r, 2), rd(r, 2)),
           lambda r: "0470 %s %s %s" % (rd(r, 2), rd(r, 2), rd(r, 2))],
    "nl": [lambda r: "+31 20 %s %s" % (rd(r, 3), rd(r, 4)), lambda r: "06-%s" % rd(r, 8),
           lambda r: "010 %s %s" % (rd(r, 3), rd(r, 4))],
    "es": [lambda r: "+34 91%s %s %s" % (rd(r, 1), rd(r, 3), rd(r, 3)),
           lambda r: "6%s %s %s %s" % (rd(r, 2), rd(r, 2), rd(r, 2), rd(r, 2)),
           lambda r: "+34 6%s %s %s" % (rd(r, 2), rd(r, 3), rd(r, 3))],
    "it": [lambda r: "+39 06 %s %s" % (rd(r, 4), rd(r, 4)),
           lambda r: "3%s %s %s" % (rd(r, 2), rd(r, 3), rd(r, 4)),
           lambda r: "+39 02 %s" % rd(r, 8)],
    "pl": [lambda r: "+48 22 %s %s %s" % (rd(r, 3), rd(r, 2), rd(r, 2)),
           lambda r: "%s%s %s %s" % (r.choice("5678"), rd(r, 2), rd(r, 3), rd(r, 3)),
           lambda r: "+48 %s%s-%s-%s" % (r.choice("5678"), rd(r, 2), rd(r, 3), rd(r, 3))],
    "pt": [lambda r: "+351 21 %s %s" % (rd(r, 3), rd(r, 4)),
           lambda r: "9%s%s %s %s" % (r.choice("1236"), rd(r, 1), rd(r, 3), rd(r, 3))],
    "br": [lambda r: "+55 11 9%s-%s" % (rd(r, 4), rd(r, 4)),
           lambda r: "(21) 9%s-%s" % (rd(r, 4), rd(r, 4))],
    "se": [lambda r: "+46 8 %s %s %s" % (rd(r, 3), rd(r, 3), rd(r, 2)),
           lambda r: "08-%s %s %s" % (rd(r, 3), rd(r, 3), rd(r, 2)),
           lambda r: "07%s-%s %s %s" % (r.choice("0236"), rd(r, 3), rd(r, 2), rd(r, 2))],
    "dk": [lambda r: "+45 %s %s %s %s" % (rd(r, 2), rd(r, 2), rd(r, 2), rd(r, 2)),
           lambda r: "%d %s %s %s" % (r.randint(20, 99), rd(r, 2), rd(r, 2), rd(r, 2))],
    "no": [lambda r: "+47 %d %s %s" % (r.randint(400, 999), rd(r, 2), rd(r, 3)),
           lambda r: "+47 22 %s %s %s" % (rd(r, 2), rd(r, 2), rd(r, 2))],
    "fi": [lambda r: "+358 9 %s %s" % (rd(r, 4), rd(r, 4)), lambda r: "040 %s %s" % (rd(r, 3), rd(r, 4)),
           lambda r: "+358 50 %s %s" % (rd(r, 3), rd(r, 4))],
    "cz": [lambda r: "+420 %d %s %s" % (r.randint(221, 799), rd(r, 3), rd(r, 3)),
           lambda r: "%d %s %s" % (r.randint(601, 799), rd(r, 3), rd(r, 3))],
    "tr": [lambda r: "+90 212 %s %s %s" % (rd(r, 3), rd(r, 2), rd(r, 2)),
           lambda r: "0 5%s %s %s %s" % (rd(r, 2), rd(r, 3), rd(r, 2), rd(r, 2)),
           lambda r: "0312 %s %s %s" % (rd(r, 3), rd(r, 2), rd(r, 2))],
    "ie": [lambda r: "+353 1 %s %s" % (rd(r, 3), rd(r, 4)),
           lambda r: "08%s %s %s" % (r.choice("3567"), rd(r, 3), rd(r, 4))],
    "au": [lambda r: "+61 2 %s %s" % (rd(r, 4), rd(r, 4)), lambda r: "(02) %s %s" % (rd(r, 4), rd(r, 4)),
           lambda r: "04%s %s %s" % (rd(r, 2), rd(r, 3), rd(r, 3))],
    "jp": [lambda r: "03-%s-%s" % (rd(r, 4), rd(r, 4)), lambda r: "090-%s-%s" % (rd(r, 4), rd(r, 4)),
           lambda r: "+81 3-%s-%s" % (rd(r, 4), rd(r, 4)), lambda r: "+81 80 %s %s" % (rd(r, 4), rd(r, 4))],
    "cn": [lambda r: "+86 10 %s %s" % (rd(r, 4), rd(r, 4)),
           lambda r: "1%s%s %s %s" % (r.choice("3589"), rd(r, 1), rd(r, 4), rd(r, 4)),
           lambda r: "+86 21 %s" % rd(r, 8)],
    "kr": [lambda r: "+82 2-%s-%s" % (rd(r, 3), rd(r, 4)), lambda r: "010-%s-%s" % (rd(r, 4), rd(r, 4))],
    "in": [lambda r: "+91 %s%s %s" % (r.choice("6789"), rd(r, 4), rd(r, 5)),
           lambda r: "022 %s %s" % (rd(r, 4), rd(r, 4)),
           lambda r: "+91-%s%s" % (r.choice("6789"), rd(r, 9))],
    "ae": [lambda r: "+971 4 %s %s" % (rd(r, 3), rd(r, 4)), lambda r: "+971 50 %s %s" % (rd(r, 3), rd(r, 4))],
    "sa": [lambda r: "+966 11 %s %s" % (rd(r, 3), rd(r, 4)), lambda r: "+966 5%s %s %s" % (rd(r, 1), rd(r, 3), rd(r, 4))],
    "ir": [lambda r: "+98 21 %s %s" % (rd(r, 4), rd(r, 4)), lambda r: "09%s %s %s" % (rd(r, 2), rd(r, 3), rd(r, 4))],
}
LOOKALIKE_PHONE_CC = {"fw": ["jp"], "ar": ["ae", "sa"], "fa": ["ir"], "dv": ["in"]}

# --------------------------------------------------------------------------
# dates

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "da": "januar februar marts april maj juni juli august september oktober november december",
    "no": "januar februar mars april mai juni juli august september oktober november desember",
    "fi": "tammikuuta helmikuuta maaliskuuta huhtikuuta toukokuuta kesäkuuta heinäkuuta elokuuta "
          "syyskuuta lokakuuta marraskuuta joulukuuta",
    "cs": "ledna února března dubna května června července srpna září října listopadu prosince",
    "tr": "Ocak Şubat Mart Nisan Mayıs Haziran Temmuz Ağustos Eylül Ekim Kasım Aralık",
}
MONTHS = {k: v.split() for k, v in MONTHS.items()}
MON3 = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def rand_date(rng, y0, y1):
    start = datetime.date(y0, 1, 1).toordinal()
    end = datetime.date(y1, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(start, end))


def fmt_date(rng, d, fmt):
    y, m, dd = d.year, d.month, d.day
    if fmt == "iso":
        return "%04d-%02d-%02d" % (y, m, dd)
    if fmt == "us":
        return rng.choice(["%02d/%02d/%04d" % (m, dd, y), "%d/%d/%04d" % (m, dd, y)])
    if fmt == "slash":
        return "%02d/%02d/%04d" % (dd, m, y)
    if fmt == "eu":
        return rng.choice(["%02d.%02d.%04d" % (dd, m, y), "%d.%d.%04d" % (dd, m, y)])
    if fmt == "dash":
        return "%02d-%02d-%04d" % (dd, m, y)
    if fmt == "hl7":
        return "%04d%02d%02d" % (y, m, dd)
    if fmt == "enus":
        return rng.choice(["%s %d, %d" % (MONTHS["en"][m - 1], dd, y), "%s %d, %d" % (MON3[m - 1], dd, y)])
    if fmt == "en":
        return rng.choice(["%d %s %d" % (dd, MONTHS["en"][m - 1], y), "%02d-%s-%d" % (dd, MON3[m - 1], y)])
    if fmt in ("de", "da", "no", "fi", "cs"):
        return "%d. %s %d" % (dd, MONTHS[fmt][m - 1], y)
    if fmt in ("es", "pt"):
        return "%d de %s de %d" % (dd, MONTHS[fmt][m - 1], y)
    if fmt in ("fr", "it", "nl", "pl", "sv", "tr"):
        return "%d %s %d" % (dd, MONTHS[fmt][m - 1], y)
    if fmt in ("jp", "cn"):
        return "%d年%d月%d日" % (y, m, dd)
    if fmt == "kr":
        return "%d년 %d월 %d일" % (y, m, dd)
    raise KeyError(fmt)


def gen_dob(rng, fmt):
    return fmt_date(rng, rand_date(rng, 1936, 2011), fmt)


def gen_event_date(rng, fmt):
    return fmt_date(rng, rand_date(rng, 2019, 2025), fmt)


def gen_ts(rng, kind=None):
    d = rand_date(rng, 2023, 2025)
    h, mi, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    kind = kind or rng.choice(["iso", "isoz", "syslog"])
    if kind == "iso":
        return "%s %02d:%02d:%02d" % (d.isoformat(), h, mi, s)
    if kind == "isoz":
        return "%sT%02d:%02d:%02d.%03dZ" % (d.isoformat(), h, mi, s, rng.randint(0, 999))
    if kind == "clf":
        return "%02d/%s/%d:%02d:%02d:%02d +0000" % (d.day, MON3[d.month - 1], d.year, h, mi, s)
    return "%s %2d %02d:%02d:%02d" % (MON3[d.month - 1], d.day, h, mi, s)


# --------------------------------------------------------------------------
# addresses and postal codes

def r_range(rng, lo, hi, width):
    return "%0*d" % (width, rng.randint(lo, hi))


UK_LET = "ABDEFGHJLNPQRSTUWXYZ"
CA_LET = "ABCEGHJKLMNPRSTVXY"
NL_LET = "ABCDEGHJKLMNPRTVWXZ"


def pc_uk(r, area):
    return "%s%d %d%s%s" % (area, r.randint(1, 19) if len(area) == 1 else r.randint(1, 9),
                            r.randint(1, 9), r.choice(UK_LET), r.choice(UK_LET))


def pc_ca(r, first):
    return "%s%d%s %d%s%d" % (first, r.randint(1, 9), r.choice(CA_LET), r.randint(0, 9),
                              r.choice(CA_LET), r.randint(0, 9))


def pc_nl(r, lo, hi):
    while True:
        l2 = r.choice(NL_LET) + r.choice(NL_LET)
        if l2 not in ("SA", "SD", "SS"):
            break
    return "%d%s%s" % (r.randint(lo, hi), r.choice([" ", " ", ""]), l2)


def pc_ie(r, key):
    chars = "ACDEFHKNPRTVWXY0123456789"
    return key + " " + r.choice("ACDEFHKNPRTVWXY") + "".join(r.choice(chars) for _ in range(3))


def pc_us(r, pre):
    z = pre + rd(r, 2)
    return z + "-" + rd(r, 4) if r.random() < 0.25 else z


US_PLACES = [("Boston", "MA", "021"), ("Austin", "TX", "787"), ("Denver", "CO", "802"),
             ("Portland", "OR", "972"), ("Columbus", "OH", "432"), ("Raleigh", "NC", "276"),
             ("Phoenix", "AZ", "850"), ("Tampa", "FL", "336"), ("Albany", "NY", "122"),
             ("Madison", "WI", "537"), ("Spokane", "WA", "992"), ("Omaha", "NE", "681")]
US_STREETS = ["Riverside Dr", "Maple Ave", "Elm St", "Lakeview Blvd", "Cedar Ln", "Ocean Pkwy",
              "Birch Rd", "Sycamore Ct", "Willow Way", "Pine Ridge Rd", "Orchard St", "Magnolia Ave"]

POSTAL = {
    "us": lambda r: pc_us(r, r.choice(US_PLACES)[2]),
    "uk": lambda r: pc_uk(r, r.choice(["SW", "SE", "NW", "E", "N", "LS", "BS", "M", "B", "G", "CF", "EH", "NR"])),
    "ca": lambda r: pc_ca(r, r.choice("MKHVTBR")),
    "de": lambda r: r_range(r, 1067, 99998, 5),
    "at": lambda r: r_range(r, 1010, 9992, 4),
    "ch": lambda r: r_range(r, 1000, 9658, 4),
    "fr": lambda r: r_range(r, 1000, 95880, 5),
    "be": lambda r: r_range(r, 1000, 9992, 4),
    "nl": lambda r: pc_nl(r, 1011, 9999),
    "es": lambda r: "%02d%03d" % (r.randint(1, 52), r.randint(1, 999)),
    "it": lambda r: r_range(r, 118, 98168, 5),
    "pl": lambda r: "%02d-%03d" % (r.randint(0, 99), r.randint(1, 999)),
    "pt": lambda r: "%d-%03d" % (r.randint(1000, 9980), r.randint(0, 999)),
    "se": lambda r: "%d %02d" % (r.randint(111, 984), r.randint(0, 99)),
    "dk": lambda r: r_range(r, 1050, 9990, 4),
    "no": lambda r: r_range(r, 150, 9990, 4),
    "fi": lambda r: r_range(r, 100, 99980, 5),
    "cz": lambda r: "%d %02d" % (r.randint(100, 799), r.randint(0, 99)),
    "tr": lambda r: "%02d%03d" % (r.randint(1, 81), r.randint(0, 999)),
    "jp": lambda r: "%03d-%04d" % (r.randint(1, 999), r.randint(0, 9999)),
    "au": lambda r: r_range(r, 2000, 7470, 4),
    "in": lambda r: str(r.randint(110001, 855126)),
    "br": lambda r: "%05d-%03d" % (r.randint(1000, 99990), r.randint(0, 999)),
    "ie": lambda r: pc_ie(r, r.choice(["D02", "D04", "D08", "T12", "H91", "V94", "A94"])),
}


def addr(rng, cc):
    """Return an address string with the postal code marked."""
    P = lambda v: mk("postal_code", v)
    n = rng.randint(1, 240)
    if cc == "us":
        city, st, pre = rng.choice(US_PLACES)
        num = rng.choice([n, n, rng.randint(10000, 19999)])
        unit = rng.choice(["", "", ", Apt %d" % rng.randint(1, 40), ", Suite %d" % rng.randint(100, 900)])
        return "%d %s%s, %s, %s %s" % (num, rng.choice(US_STREETS), unit, city, st, P(pc_us(rng, pre)))
    if cc == "uk":
        city, area = rng.choice([("London", "SW"), ("London", "NW"), ("Leeds", "LS"), ("Bristol", "BS"),
                                 ("Manchester", "M"), ("Birmingham", "B"), ("Glasgow", "G"),
                                 ("Cardiff", "CF"), ("Edinburgh", "EH"), ("Norwich", "NR")])
        street = rng.choice(["Wellington Road", "Abbey Lane", "Station Road", "Church Street",
                             "Victoria Terrace", "Mill Lane", "Park Avenue", "Queens Road"])
        flat = rng.choice(["", "", "Flat %d, " % rng.randint(1, 30)])
        return "%s%d %s, %s %s" % (flat, n, street, city, P(pc_uk(rng, area)))
    if cc in ("ca", "on"):
        places = [("Toronto", "ON", "M", "Bloor St W"), ("Ottawa", "ON", "K", "Bank St"),
                  ("Hamilton", "ON", "L", "King St E"), ("London", "ON", "N", "Dundas St")]
        if cc == "ca":
            places += [("Montréal", "QC", "H", "Rue Sherbrooke O"), ("Vancouver", "BC", "V", "Granville St"),
                       ("Calgary", "AB", "T", "Stephen Ave"), ("Halifax", "NS", "B", "Barrington St"),
                       ("Winnipeg", "MB", "R", "Portage Ave")]
        city, prov, first, street = rng.choice(places)
        return "%d %s, %s %s %s" % (n, street, city, prov, P(pc_ca(rng, first)))
    if cc == "de":
        city, lo, hi = rng.choice([("Berlin", 10115, 14199), ("Hamburg", 20095, 22769), ("München", 80331, 81929),
                                   ("Köln", 50667, 51149), ("Leipzig", 4103, 4357), ("Frankfurt am Main", 60306, 60599),
                                   ("Dresden", 1067, 1328), ("Stuttgart", 70173, 70629), ("Bremen", 28195, 28779)])
        street = rng.choice(["Hauptstraße", "Lindenallee", "Bahnhofstraße", "Goethestraße", "Am Mühlbach",
                             "Schillerplatz", "Gartenweg", "Kastanienallee", "Rosenstraße"])
        pre = rng.choice(["", "", "D-"])
        return "%s %d%s, %s%s %s" % (street, n, rng.choice(["", "", "a", "b"]), pre, P("%05d" % rng.randint(lo, hi)), city)
    if cc == "at":
        city, lo, hi = rng.choice([("Wien", 1010, 1230), ("Graz", 8010, 8063), ("Linz", 4020, 4040),
                                   ("Salzburg", 5020, 5026), ("Innsbruck", 6020, 6080)])
        street = rng.choice(["Mariahilfer Straße", "Landstraßer Hauptstraße", "Herrengasse", "Getreidegasse"])
        pre = rng.choice(["", "A-"])
        return "%s %d/%d, %s%s %s" % (street, n, rng.randint(1, 20), pre, P(str(rng.randint(lo, hi))), city)
    if cc == "ch":
        city, lo, hi = rng.choice([("Zürich", 8001, 8057), ("Bern", 3001, 3027), ("Basel", 4001, 4059),
                                   ("Genève", 1201, 1209), ("Lausanne", 1003, 1018)])
        street = rng.choice(["Bahnhofstrasse", "Seefeldstrasse", "Rue du Rhône", "Marktgasse", "Avenue de la Gare"])
        pre = rng.choice(["", "CH-", "CH-"])
        return "%s %d, %s%s %s" % (street, n, pre, P(str(rng.randint(lo, hi))), city)
    if cc == "fr":
        city, lo, hi = rng.choice([("Paris", 75001, 75020), ("Lyon", 69001, 69009), ("Marseille", 13001, 13016),
                                   ("Nantes", 44000, 44300), ("Toulouse", 31000, 31500), ("Lille", 59000, 59800),
                                   ("Bordeaux", 33000, 33800)])
        street = rng.choice(["rue des Lilas", "avenue Victor Hugo", "boulevard Voltaire", "rue de la République",
                             "place Bellecour", "impasse des Tilleuls", "quai des Chartrons"])
        return "%d%s %s, %s %s" % (n, rng.choice(["", "", " bis"]), street, P(str(rng.randint(lo, hi))), city)
    if cc == "be":
        city, lo, hi = rng.choice([("Bruxelles", 1000, 1210), ("Antwerpen", 2000, 2660), ("Gent", 9000, 9052),
                                   ("Liège", 4000, 4032), ("Leuven", 3000, 3012)])
        street = rng.choice(["Rue Neuve", "Meir", "Veldstraat", "Avenue Louise", "Bondgenotenlaan"])
        return "%s %d, %s %s" % (street, n, P(str(rng.randint(lo, hi))), city)
    if cc == "nl":
        city, lo, hi = rng.choice([("Amsterdam", 1011, 1109), ("Rotterdam", 3011, 3089), ("Utrecht", 3511, 3585),
                                   ("Den Haag", 2511, 2597), ("Eindhoven", 5611, 5658), ("Groningen", 9711, 9747)])
        street = rng.choice(["Keizersgracht", "Oudegracht", "Coolsingel", "Lange Voorhout", "Stationsweg", "Vismarkt"])
        return "%s %d%s, %s %s" % (street, n, rng.choice(["", "", "-II", "A"]), P(pc_nl(rng, lo, hi)), city)
    if cc == "es":
        city, lo, hi = rng.choice([("Madrid", 28001, 28055), ("Barcelona", 8001, 8042), ("Valencia", 46001, 46026),
                                   ("Sevilla", 41001, 41020), ("Bilbao", 48001, 48015), ("Zaragoza", 50001, 50021)])
        street = rng.choice(["Calle Mayor", "Avenida de la Constitución", "Calle de Alcalá", "Paseo de Gracia",
                             "Gran Vía", "Calle del Pez"])
        return "%s %d, %dº %s, %s %s" % (street, n, rng.randint(1, 9), rng.choice("ABCD"),
                                         P("%05d" % rng.randint(lo, hi)), city)
    if cc == "it":
        city, lo, hi, prov = rng.choice([("Milano", 20121, 20162, "MI"), ("Roma", 118, 199, "RM"),
                                         ("Torino", 10121, 10156, "TO"), ("Napoli", 80121, 80147, "NA"),
                                         ("Bologna", 40121, 40141, "BO"), ("Firenze", 50121, 50145, "FI")])
        street = rng.choice(["Via Roma", "Corso Garibaldi", "Via Dante", "Piazza Cavour", "Viale Monza", "Via Po"])
        return "%s %d, %s %s (%s)" % (street, n, P("%05d" % rng.randint(lo, hi)), city, prov)
    if cc == "pl":
        city, lo, hi = rng.choice([("Warszawa", 0, 4), ("Kraków", 30, 31), ("Gdańsk", 80, 80), ("Wrocław", 50, 54),
                                   ("Poznań", 60, 61), ("Łódź", 90, 94)])
        street = rng.choice(["ul. Marszałkowska", "ul. Długa", "ul. Piotrkowska", "al. Jerozolimskie",
                             "ul. Floriańska", "ul. Święty Marcin"])
        return "%s %d/%d, %s %s" % (street, n, rng.randint(1, 60),
                                    P("%02d-%03d" % (rng.randint(lo, hi), rng.randint(1, 999))), city)
    if cc == "pt":
        city, lo, hi = rng.choice([("Lisboa", 1000, 1900), ("Porto", 4000, 4100), ("Coimbra", 3000, 3049),
                                   ("Braga", 4700, 4715)])
        street = rng.choice(["Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Rua do Carmo"])
        return "%s %d, %dº Esq., %s %s" % (street, n, rng.randint(1, 8),
                                           P("%d-%03d" % (rng.randint(lo, hi), rng.randint(0, 999))), city)
    if cc == "br":
        city, uf, lo, hi = rng.choice([("São Paulo", "SP", 1000, 5999), ("Rio de Janeiro", "RJ", 20000, 23799),
                                       ("Belo Horizonte", "MG", 30000, 31999), ("Curitiba", "PR", 80000, 82999)])
        street = rng.choice(["Av. Paulista", "Rua Oscar Freire", "Av. Atlântica", "Rua XV de Novembro"])
        return "%s %d, apto %d, %s - %s, %s" % (street, rng.randint(10, 2400), rng.randint(11, 190), city, uf,
                                                P("%05d-%03d" % (rng.randint(lo, hi), rng.randint(0, 999))))
    if cc == "se":
        city, lo, hi = rng.choice([("Stockholm", 111, 118), ("Göteborg", 411, 418), ("Malmö", 211, 217),
                                   ("Uppsala", 751, 756)])
        street = rng.choice(["Drottninggatan", "Kungsgatan", "Storgatan", "Vasagatan"])
        pre = rng.choice(["", "SE-"])
        return "%s %d, %s%s %s" % (street, n, pre, P("%d %02d" % (rng.randint(lo, hi), rng.randint(0, 99))), city)
    if cc == "dk":
        city, lo, hi = rng.choice([("København K", 1050, 1473), ("Aarhus C", 8000, 8000), ("Odense C", 5000, 5000),
                                   ("Aalborg", 9000, 9000), ("Frederiksberg", 1800, 2000)])
        street = rng.choice(["Nørrebrogade", "Vesterbrogade", "Østergade", "Jernbanegade"])
        return "%s %d, %d. tv., %s %s" % (street, n, rng.randint(1, 5), P(str(rng.randint(lo, hi))), city)
    if cc == "no":
        city, lo, hi = rng.choice([("Oslo", 150, 1295), ("Bergen", 5003, 5099), ("Trondheim", 7010, 7099),
                                   ("Stavanger", 4005, 4099)])
        street = rng.choice(["Karl Johans gate", "Storgata", "Bygdøy allé", "Kongens gate"])
        return "%s %d, %s %s" % (street, n, P("%04d" % rng.randint(lo, hi)), city)
    if cc == "fi":
        city, lo, hi = rng.choice([("Helsinki", 100, 990), ("Espoo", 2100, 2940), ("Tampere", 33100, 33900),
                                   ("Turku", 20100, 20900), ("Oulu", 90100, 90900)])
        street = rng.choice(["Mannerheimintie", "Aleksanterinkatu", "Hämeenkatu", "Kauppakatu"])
        return "%s %d %s %d, %s %s" % (street, n, rng.choice("ABC"), rng.randint(1, 40),
                                       P("%05d" % (rng.randint(lo, hi) // 10 * 10)), city)
    if cc == "cz":
        city, lo, hi = rng.choice([("Praha 1", 110, 119), ("Brno", 602, 639), ("Ostrava", 702, 728), ("Plzeň", 301, 326)])
        street = rng.choice(["Václavské náměstí", "Národní", "Masarykova", "Husova"])
        return "%s %d, %s %s" % (street, n, P("%d %02d" % (rng.randint(lo, hi), rng.randint(0, 99))), city)
    if cc == "tr":
        city, lo, hi = rng.choice([("Kadıköy/İstanbul", 34710, 34738), ("Çankaya/Ankara", 6420, 6690),
                                   ("Konak/İzmir", 35210, 35290), ("Nilüfer/Bursa", 16110, 16370)])
        street = rng.choice(["Bağdat Caddesi", "Atatürk Bulvarı", "Cumhuriyet Caddesi", "İstiklal Caddesi"])
        return "%s No: %d D: %d, %s %s" % (street, n, rng.randint(1, 30), P("%05d" % rng.randint(lo, hi)), city)
    if cc == "jp":
        place, lo, hi = rng.choice([("東京都千代田区丸の内", 100, 100), ("大阪府大阪市北区梅田", 530, 530),
                                    ("京都府京都市中京区烏丸通", 604, 604), ("北海道札幌市中央区北一条西", 60, 60),
                                    ("福岡県福岡市博多区博多駅前", 812, 812)])
        return "〒%s %s%d-%d-%d" % (P("%03d-%04d" % (rng.randint(lo, hi), rng.randint(1, 9999))), place,
                                   rng.randint(1, 9), rng.randint(1, 20), rng.randint(1, 30))
    if cc == "au":
        city, st, lo, hi = rng.choice([("Sydney", "NSW", 2000, 2234), ("Melbourne", "VIC", 3000, 3207),
                                       ("Brisbane", "QLD", 4000, 4179), ("Perth", "WA", 6000, 6199),
                                       ("Adelaide", "SA", 5000, 5199), ("Hobart", "TAS", 7000, 7019)])
        street = rng.choice(["George St", "Collins St", "Queen St", "Hay St", "Rundle Mall"])
        return "Unit %d, %d %s, %s %s %s" % (rng.randint(1, 30), n, street, city, st, P(str(rng.randint(lo, hi))))
    if cc == "in":
        city, lo, hi = rng.choice([("Bengaluru", 560001, 560100), ("Mumbai", 400001, 400104),
                                   ("New Delhi", 110001, 110096), ("Chennai", 600001, 600119),
                                   ("Hyderabad", 500001, 500096), ("Pune", 411001, 411062)])
        street = rng.choice(["MG Road", "Linking Road", "Anna Salai", "FC Road", "Banjara Hills Road No. 2"])
        return "%d, %s, %s %s" % (n, street, city, P(str(rng.randint(lo, hi))))
    if cc == "ie":
        city, key = rng.choice([("Dublin 2", "D02"), ("Dublin 4", "D04"), ("Cork", "T12"), ("Galway", "H91"),
                                ("Limerick", "V94")])
        street = rng.choice(["Merrion Square", "Grand Parade", "Shop Street", "O'Connell Street"])
        return "%d %s, %s, %s" % (n, street, city, P(pc_ie(rng, key)))
    raise KeyError(cc)


def addr_hl7(rng):
    city, st, pre = rng.choice(US_PLACES)
    return "%d %s^^%s^%s^%s" % (rng.randint(1, 9999), rng.choice(US_STREETS), city, st, mk("postal_code", pc_us(rng, pre)))


# --------------------------------------------------------------------------
# e-mail and URLs

def asciify(s):
    s = s.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("ı", "i").replace("ß", "ss")
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


MAIL_DOMAINS = {
    "en": ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "harborline-ins.com",
           "northvale-health.org", "mercyridge.org", "kestrelbank.com", "btinternet.com"],
    "de": ["web.de", "gmx.de", "t-online.de", "posteo.de", "klinikum-suedhang.de", "praxis-am-see.de"],
    "fr": ["orange.fr", "laposte.net", "free.fr", "chu-lumiere.fr"],
    "es": ["hotmail.es", "telefonica.net", "salud-levante.es"],
    "it": ["libero.it", "virgilio.it", "asl-collina.it"],
    "nl": ["ziggo.nl", "kpnmail.nl", "zorgpunt-noord.nl"],
    "pl": ["wp.pl", "onet.pl", "przychodnia-wola.pl"],
    "nordic": ["telia.se", "mail.dk", "online.no", "kolumbus.fi", "seznam.cz"],
}


def gen_email(rng, region=None):
    dom_region = region if region in MAIL_DOMAINS else rng.choice(list(MAIL_DOMAINS))
    dom = rng.choice(MAIL_DOMAINS[dom_region])
    k = rng.randrange(10)
    if k == 0:
        local = rng.choice(["claims.team", "privacy", "billing", "records.request", "front.desk",
                            "helpdesk", "patientenservice", "dpo", "kyc-review", "secretariat"])
    else:
        reg = region if region in REGION_NAMES and REGION_NAMES[region][0] else rng.choice(
            [k2 for k2 in REGION_NAMES if REGION_NAMES[k2][0]])
        f = asciify(rng.choice(REGION_NAMES[reg][0]))
        l = asciify(rng.choice(REGION_NAMES[reg][1]))
        local = rng.choice(["%s.%s" % (f, l), "%s.%s" % (f[0], l), "%s%s%d" % (f, l, rng.randint(2, 98)),
                            "%s.%s" % (l, f), "%s_%s" % (f, l), "%s+%s" % (f, rng.choice(["rx", "bank", "portal"]))])
    return local + "@" + dom


URL_SITES = {
    "en": (["portal.northvale-health.org", "www.harborline-ins.com", "mychart.mercyridge.org",
            "secure.kestrelbank.com", "status.helpdesk-internal.net", "www.brightwater-bank.co.uk",
            "claims.harborline-ins.com", "pay.kestrelbank.com"],
           ["/appointments/confirm", "/claims/status", "/patient/messages/inbox", "/reset-password",
            "/kyc/upload", "/billing/statements", "/rx/refill", "/dispute/new", "/login", "",
            "/forms/prior-auth", "/eob/latest", "/visits/join"]),
    "de": (["termine.praxis-am-see.de", "www.klinikum-suedhang.de", "portal.klinikum-suedhang.de"],
           ["/termin/absagen", "/befunde", "/patientenportal/login", "", "/kontakt"]),
    "fr": (["rdv.chu-lumiere.fr", "www.chu-lumiere.fr"], ["/rendez-vous/annuler", "/espace-patient", ""]),
    "es": (["citas.salud-levante.es", "www.salud-levante.es"], ["/cita/cambiar", "/mi-salud", ""]),
    "it": (["prenota.asl-collina.it", "www.asl-collina.it"], ["/prenotazioni", "/referti", ""]),
    "nl": (["afspraak.zorgpunt-noord.nl", "www.zorgpunt-noord.nl"], ["/afspraak/wijzigen", "/mijn-dossier", ""]),
    "pl": (["rejestracja.przychodnia-wola.pl"], ["/wizyty", "/pacjent/wyniki", ""]),
    "nordic": (["booking.vardcentral-norr.se", "www.sundhed-syd.dk", "minside.helse-vest-eksempel.no"],
               ["/tidbokning", "/min-side", ""]),
}


def gen_url(rng, region=None):
    hosts, paths = URL_SITES[region if region in URL_SITES else rng.choice(["en", "en", "en"] + sorted(URL_SITES))]
    host = rng.choice(hosts)
    path = rng.choice(paths)
    q = rng.choice(["", "", "?ref=" + "".join(rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(6)),
                    "?lang=" + rng.choice(["de", "fr", "en", "pl", "nl"]), "#details",
                    "?token=" + "".join(rng.choice("abcdefghkmnpqrstuvwxyzABCDEFGHJK") for _ in range(10))])
    if host.startswith("www.") and rng.random() < 0.4:
        return host + path + q
    return rng.choice(["https://", "https://", "https://", "http://"]) + host + path + q


DOMAINS = ["northvale-health.org", "kestrelbank.com", "klinikum-suedhang.de", "chu-lumiere.fr",
           "zorgpunt-noord.nl", "harborline-ins.com", "salud-levante.es", "asl-collina.it",
           "mercyridge.org", "przychodnia-wola.pl", "example-clinic.net"]


# --------------------------------------------------------------------------
# value generators for placeholders

def gen_person(rng, region=None, part="full"):
    regs = [k for k in REGION_NAMES if REGION_NAMES[k][0]]
    if region is None:
        region = rng.choice(regs)
    firsts, lasts = REGION_NAMES[region]
    if not firsts:
        firsts = REGION_NAMES[rng.choice(regs)][0]
    f, l = rng.choice(firsts), rng.choice(lasts)
    if part == "first":
        return mk("name", f)
    if part == "last":
        return mk("name", l)
    if part == "comma":
        return mk("name", l) + ", " + mk("name", f)
    if region == "es" and rng.random() < 0.4:
        l2 = rng.choice([x for x in lasts if x != l])
        return mk("name", "%s %s %s" % (f, l, l2))
    if region in ("jp", "cn", "vn", "kr") and rng.random() < 0.5:
        return mk("name", "%s %s" % (l, f))
    return mk("name", "%s %s" % (f, l))


def amount(rng, loc):
    v = rng.randint(1200, 4999999) / 100.0
    ip = int(v)
    cents = "%02d" % round((v - ip) * 100)

    def grp(n, sep):
        s = str(n)
        out = []
        while len(s) > 3:
            out.insert(0, s[-3:])
            s = s[:-3]
        out.insert(0, s)
        return sep.join(out)
    loc = loc or rng.choice(["us", "eu", "fr", "uk"])
    if loc == "us":
        return "$" + grp(ip, ",") + "." + cents
    if loc == "uk":
        return "£" + grp(ip, ",") + "." + cents
    if loc in ("eu", "de", "it", "es", "pt", "nl"):
        return rng.choice(["%s,%s €" % (grp(ip, "."), cents), "EUR %s,%s" % (grp(ip, "."), cents)])
    if loc == "fr":
        return "%s,%s €" % (grp(ip, " "), cents)
    if loc == "ch":
        return "CHF %s.%s" % (grp(ip, "'"), cents)
    if loc == "pl":
        return "%s,%s zł" % (grp(ip, " "), cents)
    if loc == "se":
        return "%s kr" % grp(ip, " ")
    if loc == "dk":
        return "%s,%s kr." % (grp(ip, "."), cents)
    if loc == "no":
        return "kr %s,%s" % (grp(ip, " "), cents)
    if loc == "fi":
        return "%s,%s €" % (grp(ip, " "), cents)
    if loc == "cz":
        return "%s Kč" % grp(ip, " ")
    if loc == "tr":
        return "₺%s,%s" % (grp(ip, "."), cents)
    if loc == "jp":
        return "¥" + grp(ip * 100, ",")
    if loc == "cn":
        return "¥%s.%s" % (grp(ip, ","), cents)
    if loc == "kr":
        return "₩" + grp(ip * 1000, ",")
    if loc == "in":
        return "₹" + grp(ip, ",")
    if loc == "br":
        return "R$ %s,%s" % (grp(ip, "."), cents)
    if loc == "ae":
        return "AED %s.%s" % (grp(ip, ","), cents)
    raise KeyError(loc)


ICD10 = ["E11.9", "I10", "J45.909", "M54.5", "Z79.4", "K21.9", "F32.1", "N39.0", "J18.9", "E78.5",
         "I48.91", "C50.912", "S72.001A", "R07.9", "G43.909", "L40.0"]
CPT = ["99213", "99214", "99203", "93000", "71046", "80053", "85025", "36415", "97110", "90471",
       "70450", "29881", "43239", "99284"]
LOINC = ["2345-7", "4548-4", "718-7", "2160-0", "17856-6", "1742-6", "789-8", "2093-3", "6690-2", "33914-3"]
BICS = ["DEUTDEFF", "COBADEFFXXX", "BNPAFRPP", "CAIXESBB", "UNCRITMM", "INGBNL2A", "PKOPPLPW",
        "NDEASESS", "DABADKKK", "DNBANOKK", "OKOYFIHH", "KOMBCZPP", "TGBATRIS", "BOFIIE2D",
        "NWBKGB2L", "CHASUS33", "UBSWCHZH80A", "GIBAATWWXXX"]
DRUGS = ["metformin 500 mg", "atorvastatin 20 mg", "lisinopril 10 mg", "apixaban 5 mg",
         "sertraline 50 mg", "levothyroxine 75 mcg", "amoxicillin 875 mg", "insulin glargine 100 U/mL"]


def gen_uuid(rng):
    h = "%032x" % rng.getrandbits(128)
    h = h[:12] + "4" + h[13:16] + rng.choice("89ab") + h[17:]
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def gen_hash(rng):
    n = rng.choice([7, 12, 40, 64])
    return "%0*x" % (n, rng.getrandbits(4 * n))


def gen_mac(rng):
    b = ["%02X" % rng.randint(0, 255) for _ in range(6)]
    return rng.choice([":".join(b), "-".join(b), ":".join(b).lower()])


def gen_ip4(rng):
    k = rng.randrange(6)
    if k == 0:
        return "10.%d.%d.%d" % (rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
    if k == 1:
        return "192.168.%d.%d" % (rng.randint(0, 255), rng.randint(1, 254))
    if k == 2:
        return "172.%d.%d.%d" % (rng.randint(16, 31), rng.randint(0, 255), rng.randint(1, 254))
    return "%d.%d.%d.%d" % (rng.choice([23, 45, 62, 81, 89, 91, 104, 151, 185, 193, 203, 212, 217]),
                            rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))


def gen_ip6(rng):
    k = rng.randrange(4)
    if k == 0:
        v = (0x20010db8 << 96) | rng.getrandbits(64)
    elif k == 1:
        v = (0xfe80 << 112) | rng.getrandbits(64)
    elif k == 2:
        v = (rng.choice([0x2a02, 0x2a01, 0x2001, 0x2600, 0x2c0f]) << 112) | (rng.getrandbits(32) << 80) | rng.getrandbits(16)
    else:
        v = (rng.choice([0x2a00, 0x2a03, 0x2607, 0x2001]) << 112) | rng.getrandbits(112)
    a = ipaddress.IPv6Address(v)
    return a.exploded if rng.random() < 0.2 else a.compressed


def gen_bad_quad(rng):
    o = [rng.randint(1, 254) for _ in range(4)]
    i = rng.randrange(4)
    o[i] = rng.randint(256, 999)
    return ".".join(map(str, o))


def gen_tracking(rng):
    k = rng.randrange(4)
    if k == 0:
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXY") for _ in range(6)) + rd(rng, 10)
    if k == 1:
        return "%s %s %s" % (rd(rng, 4), rd(rng, 4), rd(rng, 4))
    if k == 2:
        return "JD" + rd(rng, 18)
    return rd(rng, 4) + " " + rd(rng, 4) + " " + rd(rng, 4) + " " + rd(rng, 4) + " " + rd(rng, 4) + " " + rd(rng, 2)


NEG = {
    "ord": lambda r, a: r.choice(["ORD-" + rd(r, 8), "#A" + rd(r, 7), "PO " + "45" + rd(r, 8),
                                  "SO-" + rd(r, 4) + "-" + rd(r, 5), rd(r, 3) + "-" + rd(r, 7) + "-" + rd(r, 7)]),
    "inv": lambda r, a: r.choice(["INV-%d-%05d" % (r.randint(2021, 2025), r.randint(1, 99999)),
                                  "RE-%d-%04d" % (r.randint(2021, 2025), r.randint(1, 9999)),
                                  "FA%d/%04d" % (r.randint(2021, 2025), r.randint(1, 9999)),
                                  "FV/%d/%02d/%03d" % (r.randint(2021, 2025), r.randint(1, 12), r.randint(1, 999))]),
    "trk": lambda r, a: gen_tracking(r),
    "clm": lambda r, a: r.choice(["CLM" + rd(r, 9), "ICN " + rd(r, 13), "CC-" + rd(r, 6) + "-" + rd(r, 3)]),
    "amt": lambda r, a: amount(r, a),
    "dt": lambda r, a: gen_event_date(r, a or "iso"),
    "ver": lambda r, a: r.choice(["v%d.%d.%d", "%d.%d.%d", "release-%d.%d.%d"]) % (
        r.randint(0, 12), r.randint(0, 40), r.randint(0, 99)),
    "hash": lambda r, a: gen_hash(r),
    "uuid": lambda r, a: gen_uuid(r),
    "mac": lambda r, a: gen_mac(r),
    "icd": lambda r, a: r.choice(ICD10),
    "cpt": lambda r, a: r.choice(CPT),
    "ndc": lambda r, a: r.choice(["%s-%s-%s" % (rd(r, 4), rd(r, 4), rd(r, 2)),
                                  "%s-%s-%s" % (rd(r, 5), rd(r, 3), rd(r, 2)),
                                  "%s-%s-%s" % (rd(r, 5), rd(r, 4), rd(r, 1))]),
    "loinc": lambda r, a: r.choice(LOINC),
    "npi": lambda r, a: gen_npi(r),
    "bic": lambda r, a: r.choice(BICS),
    "bssn": lambda r, a: gen_bad_ssn(r),
    "biban": lambda r, a: gen_bad_iban(r, a),
    "tiban": lambda r, a: gen_trunc_iban(r),
    "bquad": lambda r, a: gen_bad_quad(r),
    "dom": lambda r, a: r.choice(DOMAINS),
    "hn": lambda r, a: "%d %s" % (r.randint(10000, 29999), r.choice(US_STREETS)),
    "XN": lambda r, a: "%s %s" % (r.choice(OTHER_FIRST), r.choice(OTHER_LAST)),
    "XF": lambda r, a: r.choice(OTHER_FIRST),
    "XL": lambda r, a: r.choice(OTHER_LAST),
    "bcard": lambda r, a: to_script(gen_bad_card(r, "ir" if a == "fa" else None), a) if a else gen_bad_card(r),
    "acc": lambda r, a: r.choice(["S%d-%05d" % (r.randint(21, 25), r.randint(1, 99999)),
                                  "ACC" + rd(r, 8), "CP-%s-%s" % (rd(r, 2), rd(r, 5))]),
    "lot": lambda r, a: r.choice(["LOT " + up(r, 2) + rd(r, 5), "Ch.-B. " + rd(r, 6) + up(r, 1), "L" + rd(r, 7)]),
    "case": lambda r, a: "%d-%s-%05d" % (r.randint(2021, 2025), r.choice(["CV", "PA", "HR", "QA"]), r.randint(1, 99999)),
    "ts": lambda r, a: gen_ts(r, a),
    "tkt": lambda r, a: r.choice(["INC" + rd(r, 7), "REQ" + rd(r, 7), "CHG" + rd(r, 6), "JIRA-" + str(r.randint(100, 9999))]),
    "room": lambda r, a: "%d%s" % (r.randint(1, 9), r.choice(["01", "12", "14", "22", "07", "31"])) + r.choice(["", "A", "B"]),
    "isbn": lambda r, a: gen_isbn(r),
    "aba": lambda r, a: gen_aba(r),
    "sort": lambda r, a: "%s-%s-%s" % (rd(r, 2), rd(r, 2), rd(r, 2)),
    "meet": lambda r, a: "%s %s %s" % (rd(r, 3), rd(r, 4), rd(r, 4)),
    "bmbi": lambda r, a: gen_bad_mbi(r),
    "time": lambda r, a: "%02d:%02d" % (r.randint(7, 18), r.choice([0, 10, 15, 20, 30, 40, 45, 50])),
    "num": lambda r, a: str(r.randint(*map(int, (a or "1-999").split("-")))),
    "pick": lambda r, a: r.choice(a.split("|")),
    "drug": lambda r, a: r.choice(DRUGS),
    "lab": lambda r, a: (r.choice(["%.1f %%" % r.uniform(5.0, 11.5), "%d mmol/mol" % r.randint(30, 110)])
                         if a == "a1c" else "%.1f mg/L" % r.uniform(0.3, 180)),
    "dose": lambda r, a: "%d x %s" % (r.choice([30, 60, 90]), r.choice(DRUGS)),
    "yr": lambda r, a: str(r.randint(1998, 2025)),
}


SCRIPTS = ("fw", "ar", "fa", "dv")  # look-alike digit scripts a template may ask for


def P_gen(rng, arg):
    if arg in SCRIPTS:
        return mk("phone", to_script(gen_phone(rng, rng.choice(LOOKALIKE_PHONE_CC[arg])), arg))
    return mk("phone", gen_phone(rng, arg))


def S_gen(rng, arg):
    if arg == "c":
        return mk("ssn", gen_ssn(rng, ""))
    if arg in SCRIPTS:
        return mk("ssn", to_script(gen_ssn(rng, "-"), arg))
    return mk("ssn", gen_ssn(rng))


def C_gen(rng, arg):
    if arg in SCRIPTS:
        brand = "ir" if arg == "fa" else rng.choice(["visa", "mc", "jcb" if arg == "fw" else "visa", "amex"])
        return mk("credit_card", to_script(gen_card(rng, brand), arg))
    return mk("credit_card", gen_card(rng, arg))


POS = {
    "N": lambda r, a: gen_person(r, a),
    "F": lambda r, a: gen_person(r, a, "first"),
    "L": lambda r, a: gen_person(r, a, "last"),
    "NL": lambda r, a: gen_person(r, a, "comma"),
    "E": lambda r, a: mk("email", gen_email(r, a)),
    "P": P_gen,
    "S": S_gen,
    "C": C_gen,
    "I": lambda r, a: mk("iban", gen_iban(r, a)),
    "IP4": lambda r, a: mk("ip_address", gen_ip4(r)),
    "IP6": lambda r, a: mk("ip_address", gen_ip6(r)),
    "IP": lambda r, a: mk("ip_address", gen_ip4(r) if r.random() < 0.6 else gen_ip6(r)),
    "D": lambda r, a: mk("date_of_birth", gen_dob(r, a or "iso")),
    "M": lambda r, a: mk("medical_record_number", gen_mrn(r)),
    "H": lambda r, a: mk("health_plan_number", HPN[a](r)),
    "Z": lambda r, a: mk("postal_code", POSTAL[a](r)),
    "A": lambda r, a: addr_hl7(r) if a == "hl7" else addr(r, a),
    "U": lambda r, a: mk("url", gen_url(r, a)),
}

PH_RE = re.compile("\u27ea([A-Za-z0-9_]+)(?::([^\u27eb]*))?\u27eb")


def fill(tpl, rng):
    def repl(m):
        key, arg = m.group(1), m.group(2)
        if key in POS:
            return POS[key](rng, arg)
        return NEG[key](rng, arg)
    return PH_RE.sub(repl, tpl)


# --------------------------------------------------------------------------
# template bank (placeholders use U+27EA/U+27EB: ⟪key:arg⟫)

POSITIVE_TEMPLATES = [
    # ---- English clinical
    "Clinic note: ⟪N:en⟫ (MRN ⟪M⟫), DOB ⟪D:us⟫, seen for ⟪pick:follow-up of type 2 diabetes|a persistent dry cough|a post-op wound check|medication reconciliation⟫; ICD-10 ⟪icd⟫. Best callback ⟪P:us⟫.",
    "Nursing handover 19:00, bed ⟪room⟫: ⟪N⟫, MR# ⟪M⟫, born ⟪D:en⟫, NPO after midnight; son can be reached on ⟪P:uk⟫.",
    "Dear Dr ⟪L:en⟫, thank you for seeing ⟪pick:Mrs|Ms|Mr⟫ ⟪N:ie⟫, date of birth ⟪D:slash⟫, NHS number ⟪H:nhs⟫, of ⟪A:uk⟫.",
    "Discharge summary for ⟪NL:en⟫, chart number ⟪M⟫. Admitted ⟪dt:en⟫, discharged ⟪dt:en⟫. Follow-up can be booked at ⟪U:en⟫.",
    "Surgical pathology: accession ⟪acc⟫. Patient ⟪N⟫, medical record number ⟪M⟫, D.O.B. ⟪D:us⟫. Final diagnosis: ⟪pick:tubular adenoma, low grade|benign fibroadipose tissue|invasive ductal carcinoma, grade 2|chronic gastritis, H. pylori negative⟫.",
    "Lab result: HbA1c ⟪lab:a1c⟫ for patient ID ⟪M⟫ (⟪N⟫), LOINC ⟪loinc⟫, collected ⟪dt:enus⟫; date of birth on requisition ⟪D:iso⟫.",
    "Radiology request from Dr ⟪N⟫ for ⟪N⟫ (MRN ⟪M⟫, DOB ⟪D:us⟫): CT head without contrast, CPT ⟪cpt⟫. Fax report to ⟪P:us⟫.",
    "ED triage: ⟪N:af⟫, born on ⟪D:enus⟫, arrived by ambulance at ⟪time⟫; emergency contact ⟪N:af⟫ on ⟪P:uk⟫; MRN ⟪M⟫.",
    "Handover to night team: ⟪pick:Mr|Mrs|Ms⟫ ⟪L⟫ in ⟪room⟫ (MR# ⟪M⟫) is on ⟪drug⟫; wife ⟪F⟫ asks to be called on ⟪P:ie⟫ before any transfer.",
    "Referral letter: ⟪N:in⟫, DOB ⟪D:slash⟫, NHS number ⟪H:nhs⟫, lives at ⟪A:uk⟫; GP practice email ⟪E:en⟫.",
    "Clinic letter cc: ⟪N:en⟫, ⟪A:us⟫. Re: your visit on ⟪dt:enus⟫. Patient ID ⟪M⟫, date of birth ⟪D:enus⟫.",
    # ---- SMS / reminders / pharmacy / portal
    "Reminder from Northvale Clinic: hi ⟪F:en⟫, your appointment is on ⟪dt:enus⟫ at ⟪time⟫. Reply C to confirm or call ⟪P:us⟫. Manage it at ⟪U:en⟫",
    "Elmwood Pharmacy: ⟪F⟫, your refill of ⟪drug⟫ is ready (Rx #⟪num:1000000-9999999⟫). Member ID ⟪H:member⟫ was billed. Questions? Text ⟪P:us⟫.",
    "Pharmacy fax to prescriber: patient ⟪N⟫, DOB ⟪D:us⟫, insurance ID ⟪H:ins⟫ rejected with code 79 (refill too soon). Please call ⟪P:us⟫.",
    "Portal message from ⟪N⟫ <⟪E⟫>: I moved, my new address is ⟪A:us⟫ and my cell is ⟪P:us⟫. DOB ⟪D:us⟫ if you need it.",
    "Secure message: Hello Dr ⟪L⟫, this is ⟪N⟫ (MRN ⟪M⟫). Could you resend the lab results to ⟪E⟫? Thanks.",
    "Your telehealth visit with Dr ⟪N⟫ starts ⟪dt:enus⟫ at ⟪time⟫. Join at ⟪U:en⟫ or dial ⟪P:us⟫, meeting ID ⟪meet⟫.",
    "Text from patient ⟪F:en⟫: running 10 min late, stuck on ⟪hn⟫. My number is ⟪P:us⟫.",
    # ---- call centre transcripts
    "Agent: Can I have your member ID? Caller: It's ⟪H:member⟫. Agent: And your date of birth? Caller: ⟪D:enus⟫. Agent: Thank you, ⟪pick:Mr.|Ms.|Mrs.⟫ ⟪L⟫.",
    "Call transcript 00:02:14 Caller: my name is ⟪N⟫, born ⟪D:en⟫, and my card ending in ⟪num:1000-9999⟫ was charged twice. Agent: I see the full number ⟪C⟫ on file.",
    "[IVR] Caller entered SSN ⟪S:c⟫; verified against DOB ⟪D:us⟫ for ⟪N:en⟫; callback number ⟪P:us⟫.",
    "Agent note: caller ⟪N⟫ asked to update email to ⟪E⟫ and ZIP to ⟪Z:us⟫; verified with last four of SSN only.",
    "Transcript: Customer: my Medicare number is ⟪H:mbi⟫ and I live at ⟪A:us⟫. Agent: thank you ⟪F⟫.",
    # ---- insurance claims / prior auth / EOB / Medicare
    "Claim ⟪clm⟫ | subscriber ID ⟪H:sub⟫ | patient ⟪N⟫ | DOB ⟪D:iso⟫ | CPT ⟪cpt⟫ | billed ⟪amt:us⟫",
    "Prior authorization request: member ⟪N⟫, Medicaid ID ⟪H:medicaid⟫, DOB ⟪D:us⟫, CPT ⟪cpt⟫, ordering NPI ⟪npi⟫, fax decision to ⟪P:us⟫.",
    "Eligibility confirmed for ⟪N:en⟫: MBI ⟪H:mbi⟫, Part B effective ⟪dt:enus⟫, plan ⟪pick:Harborline Advantage PPO|Kestrel Senior HMO⟫.",
    "270/271 batch row: ⟪H:mbi⟫ ACTIVE A+B since ⟪dt:iso⟫ copay ⟪amt:us⟫",
    "CMS-1500: box 1a member ID ⟪H:member⟫; box 2 ⟪NL⟫; box 3 birthdate ⟪D:us⟫; box 5 ZIP ⟪Z:us⟫, phone ⟪P:us⟫; box 21 ICD ⟪icd⟫.",
    "EOB: claim ⟪clm⟫ for ⟪N⟫ (policy number ⟪H:policy⟫), service date ⟪dt:us⟫, allowed ⟪amt:us⟫, you owe ⟪amt:us⟫.",
    "Beneficiary ID ⟪H:bene⟫ for ⟪N⟫ was terminated on ⟪dt:enus⟫; send appeal to ⟪E:en⟫.",
    "Medicare card (Australia) ⟪H:aumc⟫ on file for ⟪N⟫, DOB ⟪D:slash⟫, ⟪A:au⟫, mobile ⟪P:au⟫.",
    "Ontario patient ⟪N⟫, health plan ID ⟪H:ontario⟫, DOB ⟪D:iso⟫, address ⟪A:on⟫, phone ⟪P:ca⟫.",
    "Prior auth fax cover: to utilization review ⟪P:us⟫ from ⟪N⟫; member ID ⟪H:member⟫, patient born ⟪D:us⟫; pages 4.",
    # ---- KYC / bank / card dispute
    "KYC onboarding: full name ⟪N⟫; date of birth ⟪D:iso⟫; SSN ⟪S⟫; residential address ⟪A:us⟫; email ⟪E⟫; phone ⟪P:us⟫.",
    "Transfer confirmation: ⟪amt:eu⟫ sent from ⟪I⟫ to ⟪I⟫ (beneficiary ⟪N⟫), reference ⟪inv⟫, BIC ⟪bic⟫.",
    "Subject: Disputed charge. Hello, I am ⟪N⟫ and I do not recognise a payment of ⟪amt:us⟫ on my card ⟪C⟫ dated ⟪dt:enus⟫. Please reach me at ⟪E⟫ or ⟪P:us⟫.",
    "Chargeback case ⟪case⟫: cardholder ⟪N⟫, PAN ⟪C⟫, merchant ⟪dom⟫, amount ⟪amt:uk⟫; contact ⟪E⟫.",
    "Wire received: ⟪amt:uk⟫ from ⟪N:en⟫, account ⟪I:GB⟫, sort code ⟪sort⟫, reference ⟪ord⟫.",
    "Account opening checklist for ⟪N⟫: passport verified, DOB ⟪D:en⟫, proof of address ⟪A:ie⟫, IBAN ⟪I:IE⟫, mobile ⟪P:ie⟫.",
    "Card replacement request: old card ⟪C⟫ reported stolen on ⟪dt:en⟫; new card to ⟪N⟫, ⟪A:uk⟫.",
    "Hello team, please refund ⟪amt:eu⟫ to my IBAN ⟪I⟫. Thanks, ⟪N⟫ (⟪E⟫)",
    # ---- HR
    "HR record: employee ⟪N⟫, staff no. ⟪num:10000-99999⟫, SSN ⟪S⟫, DOB ⟪D:us⟫, home ⟪A:us⟫, personal email ⟪E⟫.",
    "W-4 intake: ⟪NL:en⟫, Social Security number ⟪S⟫, address ⟪A:us⟫, start date ⟪dt:us⟫, routing number ⟪aba⟫.",
    "Payroll change: ⟪N⟫ switched direct deposit to ⟪I:DE⟫; SSN on file ⟪S⟫; effective ⟪dt:iso⟫.",
    "Onboarding: new hire ⟪N⟫, date of birth ⟪D:en⟫, emergency contact ⟪N⟫ at ⟪P:uk⟫, badge photo uploaded to ⟪U:en⟫",
    # ---- IT tickets / logs
    "⟪tkt⟫: user ⟪E⟫ locked out after 5 failed logins from ⟪IP4⟫; callback ⟪P:uk⟫.",
    "⟪ts:syslog⟫ ehr-web01 sshd[⟪num:1000-65000⟫]: Failed password for invalid user ⟪pick:admin|oracle|test|ubuntu⟫ from ⟪IP4⟫ port ⟪num:1024-65535⟫ ssh2",
    "⟪ts:syslog⟫ fw-edge kernel: [UFW BLOCK] IN=eth0 OUT= SRC=⟪IP4⟫ DST=⟪IP4⟫ LEN=60 PROTO=TCP SPT=⟪num:1024-65535⟫ DPT=⟪pick:22|443|3389|5432⟫",
    '⟪IP4⟫ - - [⟪ts:clf⟫] "POST /portal/api/login HTTP/1.1" 401 312 "-" "Mozilla/5.0 (X11; Linux x86_64)"',
    "⟪ts:isoz⟫ auth-svc INFO login ok user=⟪E⟫ ip=⟪IP6⟫ mfa=totp session=⟪uuid⟫",
    "⟪ts:iso⟫ vpn-gw tunnel up for ⟪E⟫ assigned ⟪IP4⟫ from [⟪IP6⟫]:⟪num:1024-65535⟫",
    '{"ts":"⟪ts:isoz⟫","level":"warn","msg":"password reset requested","email":"⟪E⟫","remote_addr":"⟪IP4⟫","ua":"okhttp/4.12.0"}',
    "⟪tkt⟫: ⟪N⟫ (⟪E⟫, desk ⟪P:de⟫) cannot reach the EHR from ⟪IP4⟫; workstation MAC ⟪mac⟫.",
    "⟪ts:iso⟫ WARN dlp: outbound mail from ⟪E⟫ contained card number ⟪C⟫ and SSN ⟪S⟫; message quarantined.",
    "⟪ts:isoz⟫ audit: ⟪E⟫ from ⟪IP6⟫ looked up patient ID ⟪M⟫ via GET /fhir/Patient 200",
    "Please whitelist ⟪IP4⟫ and ⟪IP6⟫ for the SFTP drop; contact ⟪N⟫ at ⟪E⟫ if it fails.",
    "⟪ts:iso⟫ radius: Access-Accept for ⟪E⟫ NAS-IP ⟪IP4⟫ Framed-IP ⟪IP4⟫ MAC ⟪mac⟫",
    # ---- tables / structured data
    "| MRN | Patient | DOB | ZIP | |---|---|---|---| | ⟪M⟫ | ⟪N⟫ | ⟪D:iso⟫ | ⟪Z:us⟫ | | ⟪M⟫ | ⟪N⟫ | ⟪D:us⟫ | ⟪Z:us⟫ |",
    "| Member ID | Name | Plan | Phone | |---|---|---|---| | ⟪H:member⟫ | ⟪N⟫ | PPO Gold | ⟪P:us⟫ | | ⟪H:member⟫ | ⟪N⟫ | HMO Silver | ⟪P:us⟫ |",
    "| Patientennummer | Name | Geburtsdatum | PLZ | |---|---|---|---| | ⟪M⟫ | ⟪N:de⟫ | ⟪D:eu⟫ | ⟪Z:de⟫ | | ⟪M⟫ | ⟪N:de⟫ | ⟪D:eu⟫ | ⟪Z:de⟫ |",
    "| Host | Address | Owner | |---|---|---| | db-prod-02 | ⟪IP4⟫ | ⟪E⟫ | | edge-fw | ⟪IP6⟫ | ⟪E⟫ |",
    "| Holder | IBAN | Amount | |---|---|---| | ⟪N⟫ | ⟪I⟫ | ⟪amt:eu⟫ | | ⟪N⟫ | ⟪I⟫ | ⟪amt:eu⟫ |",
    "SSN\tLast\tFirst\tDOB ⏎ ⟪S⟫\t⟪L⟫\t⟪F⟫\t⟪D:us⟫ ⏎ ⟪S⟫\t⟪L⟫\t⟪F⟫\t⟪D:us⟫",
    "card_number\tholder\texpiry\tamount ⏎ ⟪C⟫\t⟪N⟫\t⟪num:1-12⟫/⟪num:26-30⟫\t⟪amt:us⟫ ⏎ ⟪C⟫\t⟪N⟫\t⟪num:1-12⟫/⟪num:26-30⟫\t⟪amt:us⟫",
    "iban\tholder\tpostcode\temail ⏎ ⟪I:GB⟫\t⟪N:en⟫\t⟪Z:uk⟫\t⟪E:en⟫ ⏎ ⟪I:IE⟫\t⟪N:ie⟫\t⟪Z:ie⟫\t⟪E:en⟫",
    "member_id,last_name,first_name,dob,zip ⏎ ⟪H:member⟫,⟪L⟫,⟪F⟫,⟪D:iso⟫,⟪Z:us⟫ ⏎ ⟪H:member⟫,⟪L⟫,⟪F⟫,⟪D:iso⟫,⟪Z:us⟫",
    "timestamp,src_ip,user,action ⏎ ⟪ts:isoz⟫,⟪IP4⟫,⟪E⟫,login_failed ⏎ ⟪ts:isoz⟫,⟪IP6⟫,⟪E⟫,login_ok",
    "patiëntnummer;naam;geboortedatum;postcode ⏎ ⟪M⟫;⟪N:nl⟫;⟪D:dash⟫;⟪Z:nl⟫ ⏎ ⟪M⟫;⟪N:nl⟫;⟪D:dash⟫;⟪Z:nl⟫",
    'Export: {"event":"profile_update","patient":{"mrn":"⟪M⟫","name":"⟪N⟫","dob":"⟪D:iso⟫","email":"⟪E⟫"},"ip":"⟪IP4⟫"}',
    '{"transfer":{"amount":"⟪amt:eu⟫","debtor_iban":"⟪I⟫","creditor_iban":"⟪I⟫","creditor_name":"⟪N⟫","end_to_end_id":"⟪ord⟫"}}',
    "patient: {name: ⟪N⟫, member_id: ⟪H:member⟫, dob: ⟪D:iso⟫, postcode: ⟪Z:uk⟫, phone: \"⟪P:uk⟫\"}",
    "server: {hostname: ehr-app-03, ipv4: ⟪IP4⟫, ipv6: \"⟪IP6⟫\", admin_contact: ⟪E⟫, version: ⟪ver⟫}",
    "<Subscriber><MemberID>⟪H:sub⟫</MemberID><Name>⟪N⟫</Name><DOB>⟪D:iso⟫</DOB><Zip>⟪Z:us⟫</Zip></Subscriber>",
    "<Patient><PatientID>⟪M⟫</PatientID><BirthDate>⟪D:iso⟫</BirthDate><Phone>⟪P:us⟫</Phone><Email>⟪E⟫</Email></Patient>",
    '{"resourceType":"Patient","identifier":[{"type":{"text":"MRN"},"value":"⟪M⟫"}],"name":[{"family":"⟪L⟫","given":["⟪F⟫"]}],"birthDate":"⟪D:iso⟫","telecom":[{"system":"phone","value":"⟪P:us⟫"}],"address":[{"postalCode":"⟪Z:us⟫"}]}',
    '{"resourceType":"Coverage","status":"active","subscriberId":"⟪H:member⟫","beneficiary":{"display":"⟪N⟫"},"payor":[{"display":"Harborline Health Plan"}],"period":{"start":"⟪dt:iso⟫"}}',
    '{"resourceType":"Coverage","identifier":[{"system":"\u27e6url:http://hl7.org/fhir/sid/us-mbi\u27e7","value":"⟪H:mbi⟫"}],"subscriber":{"display":"⟪N⟫"},"status":"active"}',
    r"Parse this ADT^A04 (PID-3 = MRN, PID-7 = DOB): PID|1||⟪M⟫^^^NVH^MR||⟪L⟫^⟪F⟫^^^||⟪D:hl7⟫|⟪pick:F|M⟫|||⟪A:hl7⟫||⟪P:us⟫",
    r"IN1 segment (IN1-18 = insured DOB, IN1-36 = policy number): IN1|1|HPX01^Harborline PPO||Harborline Health|PO Box 4410^^Austin^TX^⟪Z:us⟫||⟪P:us⟫|GRP⟪num:1000-9999⟫||||||||⟪L⟫^⟪F⟫|01|⟪D:hl7⟫||||||||||||||||||⟪H:policy⟫",
    'patient_id=⟪M⟫ name="⟪N⟫" dob=⟪D:iso⟫ zip=⟪Z:us⟫ phone="⟪P:us⟫" source=intake-kiosk',
    'event=card_auth pan=⟪C⟫ amount=⟪amt:us⟫ merchant="Kestrel Market" client_ip=⟪IP4⟫ result=declined',
    "customer_ssn=⟪S:c⟫ customer_name=\"⟪N⟫\" email=⟪E⟫ zip=⟪Z:us⟫",
    # ---- e-mail signatures / addresses
    "-- ⟪N⟫ | Senior Claims Examiner | Harborline Insurance | Direct ⟪P:us⟫ ext. ⟪num:100-999⟫ | ⟪E:en⟫ | ⟪U:en⟫",
    "Best regards, ⟪N:en⟫, Practice Manager, Elmwood Family Medicine, ⟪A:us⟫, tel ⟪P:us⟫, fax ⟪P:us⟫",
    "Ship to: ⟪N⟫, ⟪A:ca⟫. Billing contact ⟪E⟫.",
    "Return address: ⟪N:en⟫, ⟪A:us⟫",
    "Mailing label: ⟪N:ie⟫, ⟪A:ie⟫, phone ⟪P:ie⟫",
    "Registered office contact: ⟪N:in⟫, ⟪A:in⟫, mobile ⟪P:in⟫, ⟪E⟫",
    # ---- German
    "Arztbrief: Pat. ⟪N:de⟫, geb. ⟪D:eu⟫, Patientennummer ⟪M⟫, wohnhaft ⟪A:de⟫. Aufnahme am ⟪dt:de⟫, Entlassung am ⟪dt:de⟫.",
    "Versichertendaten: KVNR ⟪H:kvnr⟫, Geburtsdatum ⟪D:eu⟫, Rückruf unter ⟪P:de⟫, E-Mail ⟪E:de⟫.",
    "Übergabe Station 4B: Herr ⟪L:de⟫, Zimmer ⟪room⟫, geboren am ⟪D:de⟫, Tochter ⟪F:de⟫ erreichbar unter ⟪P:de⟫.",
    "Überweisung: bitte ⟪amt:de⟫ an ⟪I:DE⟫ (Kontoinhaberin ⟪N:de⟫), Verwendungszweck Rechnung ⟪inv⟫.",
    "Laborbefund vom ⟪dt:de⟫: Patientennummer ⟪M⟫, ⟪NL:de⟫, geb. ⟪D:eu⟫, CRP ⟪lab:crp⟫.",
    "Zustelladresse: ⟪N:de⟫, ⟪A:at⟫, Tel. ⟪P:at⟫, Versichertennummer ⟪H:kvnr⟫.",
    "Rechnungsadresse: ⟪N:de⟫, ⟪A:ch⟫, IBAN ⟪I:CH⟫, Tel. ⟪P:ch⟫.",
    "Termin-SMS: Guten Tag ⟪F:de⟫, Ihr Termin in der Praxis ist am ⟪dt:de⟫ um ⟪time⟫ Uhr. Absage bitte unter ⟪P:de⟫ oder ⟪U:de⟫",
    "Mit freundlichen Grüßen ⟪N:de⟫ · Patientenaufnahme · Tel. ⟪P:de⟫ · Fax ⟪P:de⟫ · ⟪E:de⟫",
    "Neukundenformular: Name ⟪N:de⟫, Geburtsdatum ⟪D:eu⟫, Anschrift ⟪A:de⟫, IBAN ⟪I:DE⟫, Steuer-ID liegt vor.",
    "Pflegeüberleitung: ⟪N:de⟫, geb. ⟪D:eu⟫, KVNR ⟪H:kvnr⟫, Hausarzt Dr. ⟪L:de⟫, Tel. ⟪P:de⟫.",
    # ---- French
    "Compte rendu d'hospitalisation : ⟪pick:Mme|M.⟫ ⟪N:fr⟫, né(e) le ⟪D:fr⟫, numéro de dossier ⟪M⟫, domicilié(e) ⟪A:fr⟫. Entrée le ⟪dt:fr⟫.",
    "Carte Vitale ⟪H:nir⟫ : assuré ⟪N:fr⟫, date de naissance ⟪D:slash⟫, téléphone ⟪P:fr⟫.",
    "Virement SEPA émis : ⟪amt:fr⟫ vers ⟪I:FR⟫, bénéficiaire ⟪N:fr⟫, référence ⟪ord⟫.",
    "Adresse de facturation : ⟪N:fr⟫, ⟪A:be⟫, compte ⟪I:BE⟫, GSM ⟪P:be⟫.",
    "Rappel SMS : Bonjour ⟪F:fr⟫, votre RDV est le ⟪dt:fr⟫ à ⟪time⟫. Pour annuler : ⟪P:fr⟫ ou ⟪U:fr⟫",
    "Numéro d'assuré social ⟪H:nir⟫ pour ⟪N:fr⟫, né(e) le ⟪D:slash⟫, code postal ⟪Z:fr⟫.",
    "Bonjour, je conteste le paiement de ⟪amt:fr⟫ sur ma carte ⟪C⟫. Cordialement, ⟪N:fr⟫, ⟪E:fr⟫",
    "Lettre de liaison : ⟪N:fr⟫ (numéro de dossier ⟪M⟫), date de naissance ⟪D:fr⟫, médecin traitant Dr ⟪L:fr⟫, ⟪A:fr⟫.",
    "Befund online: ⟪N:de⟫, bitte unter ⟪U:de⟫ mit Ihrer Patientennummer ⟪M⟫ anmelden.",
    # ---- Spanish
    "Informe de alta: paciente ⟪N:es⟫, historia clínica ⟪M⟫, fecha de nacimiento ⟪D:slash⟫, domicilio ⟪A:es⟫.",
    "Solicitud de reembolso: titular ⟪N:es⟫, número de póliza (policy number) ⟪H:policy⟫, IBAN ⟪I:ES⟫, correo ⟪E:es⟫.",
    "Hola ⟪F:es⟫, tu cita es el ⟪dt:es⟫ a las ⟪time⟫. Si no puedes venir llama al ⟪P:es⟫ o entra en ⟪U:es⟫",
    "Paciente nacida el ⟪D:es⟫, ⟪N:es⟫, tel. ⟪P:es⟫, código postal ⟪Z:es⟫.",
    "Alta de cliente: ⟪N:es⟫, fecha de nacimiento ⟪D:slash⟫, dirección ⟪A:es⟫, móvil ⟪P:es⟫, email ⟪E:es⟫.",
    # ---- Italian
    "Lettera di dimissione: sig.ra ⟪N:it⟫, nata il ⟪D:it⟫, cartella clinica ⟪M⟫, residente in ⟪A:it⟫.",
    "Bonifico eseguito: ⟪amt:it⟫ a favore di ⟪N:it⟫, IBAN ⟪I:IT⟫, causale fattura ⟪inv⟫.",
    "Promemoria: gentile ⟪F:it⟫, visita il ⟪dt:it⟫ alle ⟪time⟫; per disdire chiami il ⟪P:it⟫ o visiti ⟪U:it⟫",
    "Anagrafica: ⟪N:it⟫, data di nascita ⟪D:eu⟫, CAP ⟪Z:it⟫, cellulare ⟪P:it⟫, email ⟪E:it⟫.",
    # ---- Dutch
    "Verwijsbrief: dhr. ⟪N:nl⟫, geboren op ⟪D:nl⟫, patiëntnummer ⟪M⟫, adres ⟪A:nl⟫.",
    "Zorgverzekering: polisnummer ⟪H:polis⟫ op naam van ⟪N:nl⟫, geboortedatum ⟪D:dash⟫, IBAN ⟪I:NL⟫.",
    "Herinnering: beste ⟪F:nl⟫, uw afspraak is op ⟪dt:nl⟫ om ⟪time⟫. Bel ⟪P:nl⟫ of wijzig via ⟪U:nl⟫",
    "Overdracht: mevr. ⟪L:nl⟫, patiëntnummer ⟪M⟫, geboortedatum ⟪D:dash⟫, contactpersoon ⟪N:nl⟫ ⟪P:nl⟫.",
    # ---- Polish
    "Karta informacyjna: pacjent ⟪N:pl⟫, nr karty pacjenta ⟪M⟫, data urodzenia ⟪D:eu⟫, adres ⟪A:pl⟫.",
    "Przelew wykonany: ⟪amt:pl⟫ na rachunek ⟪I:PL⟫, odbiorca ⟪N:pl⟫, tytuł faktura ⟪inv⟫.",
    "Przypomnienie: Pani ⟪N:pl⟫ (ur. ⟪D:eu⟫), wizyta ⟪dt:pl⟫ o ⟪time⟫, tel. ⟪P:pl⟫, ⟪U:pl⟫",
    "Formularz KYC: ⟪N:pl⟫, data urodzenia ⟪D:pl⟫, kod pocztowy ⟪Z:pl⟫, e-mail ⟪E:pl⟫, telefon ⟪P:pl⟫.",
    # ---- Portuguese
    "Nota de alta: utente ⟪N:es⟫, data de nascimento ⟪D:pt⟫, morada ⟪A:pt⟫, telemóvel ⟪P:pt⟫.",
    "Cadastro: ⟪N:es⟫, data de nascimento ⟪D:slash⟫, endereço ⟪A:br⟫, celular ⟪P:br⟫, e-mail ⟪E⟫.",
    "Transferência concluída: ⟪amt:pt⟫ para ⟪I:PT⟫, titular ⟪N⟫, referência ⟪ord⟫.",
    # ---- Nordic, Czech, Turkish
    "Remiss: patient ⟪N:nordic⟫, födelsedatum (DOB) ⟪D:iso⟫, patient ID ⟪M⟫, adress ⟪A:se⟫, tel ⟪P:se⟫.",
    "Betalning mottagen: ⟪amt:se⟫ från ⟪I:SE⟫, avsändare ⟪N:nordic⟫, ⟪E:nordic⟫.",
    "Påminnelse: hej ⟪F:nordic⟫, din tid är ⟪dt:sv⟫ kl. ⟪time⟫. Av- eller omboka på ⟪U:nordic⟫",
    "Henvisning: ⟪N:nordic⟫, fødselsdato (DOB) ⟪D:eu⟫, adresse ⟪A:dk⟫, telefon ⟪P:dk⟫.",
    "Overførsel gennemført: ⟪amt:dk⟫ til ⟪I:DK⟫, modtager ⟪N:nordic⟫.",
    "Epikrise: pasient ⟪N:nordic⟫, fødselsdato (date of birth) ⟪D:eu⟫, patient ID ⟪M⟫, adresse ⟪A:no⟫, mobil ⟪P:no⟫.",
    "Betaling registrert: ⟪amt:no⟫ fra konto ⟪I:NO⟫, avsender ⟪N:nordic⟫.",
    "Lähete: potilas ⟪N:nordic⟫, syntymäaika (DOB) ⟪D:eu⟫, osoite ⟪A:fi⟫, puhelin ⟪P:fi⟫.",
    "Tilisiirto: ⟪amt:fi⟫ tilille ⟪I:FI⟫, saaja ⟪N:nordic⟫, viite ⟪num:10000-999999⟫.",
    "Propouštěcí zpráva: ⟪N:slav⟫, datum narození (DOB) ⟪D:eu⟫, MRN ⟪M⟫, bydliště ⟪A:cz⟫, tel. ⟪P:cz⟫.",
    "Platba odeslána: ⟪amt:cz⟫ na účet ⟪I:CZ⟫, příjemce ⟪N:slav⟫.",
    "Epikriz: hasta ⟪N:tr⟫, doğum tarihi (DOB) ⟪D:eu⟫, patient ID ⟪M⟫, adres ⟪A:tr⟫, telefon ⟪P:tr⟫.",
    "Havale: ⟪amt:tr⟫, alıcı ⟪N:tr⟫, IBAN ⟪I:TR⟫, açıklama fatura ⟪inv⟫.",
    "Sigorta başvurusu: ⟪N:tr⟫, policy number ⟪H:policy⟫, e-posta ⟪E⟫, cep ⟪P:tr⟫.",
    # ---- other European IBANs
    "SEPA mandate: debtor ⟪N⟫, IBAN ⟪I:AT⟫, creditor reference ⟪ord⟫, signed ⟪dt:iso⟫.",
    "Payout batch: ⟪I:LU⟫ ⟪amt:eu⟫; ⟪I:HU⟫ ⟪amt:eu⟫; ⟪I:RO⟫ ⟪amt:eu⟫ (approved by ⟪N⟫).",
    "Beneficiary accounts verified: ⟪I:GR⟫, ⟪I:HR⟫ and ⟪I:SK⟫; requester ⟪E⟫.",
    "Refund routed to ⟪I:SI⟫ / ⟪I:LT⟫ / ⟪I:EE⟫ for ⟪N⟫, ticket ⟪tkt⟫.",
    "Supplier master data: ⟪I:LV⟫ (Riga office) and ⟪I:SA⟫ (Riyadh office), contact ⟪E⟫.",
    "Remittance to ⟪I:AE⟫ for ⟪N:ar⟫, mobile ⟪P:ae⟫, purpose: family support.",
    # ---- Japanese / Chinese / Korean
    "患者 ⟪N:jp⟫、生年月日（DOB）⟪D:jp⟫、患者ID（patient ID）⟪M⟫、住所 ⟪A:jp⟫、電話 ⟪P:jp⟫。",
    "予約確認：⟪N:jp⟫ 様、連絡先 ⟪P:fw⟫、メール ⟪E⟫。",
    "米国社会保障番号（SSN）：⟪S:fw⟫、氏名 ⟪N:jp⟫、生年月日（DOB）⟪D:jp⟫。",
    "カード番号 ⟪C:fw⟫ のご利用について、⟪N:jp⟫ 様にご確認のお電話（⟪P:fw⟫）をいたしました。",
    "病人 ⟪N:cn⟫，出生日期（DOB）⟪D:cn⟫，病历号（MRN）⟪M⟫，手机 ⟪P:cn⟫。",
    "转账成功：⟪amt:cn⟫ 已转入 ⟪I:GB⟫，收款人 ⟪N:cn⟫，邮箱 ⟪E⟫。",
    "客服记录：用户 ⟪N:cn⟫ 从 ⟪IP4⟫ 登录失败，联系电话 ⟪P:cn⟫。",
    "환자 ⟪L:kr⟫, 생년월일(DOB) ⟪D:iso⟫, 연락처 ⟪P:kr⟫, 이메일 ⟪E⟫.",
    "예약 알림: ⟪L:kr⟫ 님, 진료 예약 ⟪dt:kr⟫ ⟪time⟫, 문의 ⟪P:kr⟫, ⟪U:en⟫",
    # ---- Hindi / Arabic / Persian (look-alike digits)
    "रोगी ⟪N:in⟫, जन्म तिथि (DOB) ⟪D:slash⟫, फ़ोन ⟪P:dv⟫, पता ⟪A:in⟫।",
    "भुगतान कार्ड ⟪C:dv⟫ से ⟪amt:in⟫ काटे गए; ग्राहक ⟪N:in⟫, मोबाइल ⟪P:dv⟫।",
    "US SSN (सामाजिक सुरक्षा संख्या): ⟪S:dv⟫ — कर्मचारी ⟪N:in⟫।",
    "المريض ⟪N:ar⟫، تاريخ الميلاد (DOB) ⟪D:iso⟫، الهاتف ⟪P:ar⟫، البريد ⟪E⟫.",
    "تم خصم ⟪amt:ae⟫ من البطاقة ⟪C:ar⟫ باسم ⟪N:ar⟫، للتواصل ⟪P:ar⟫.",
    "رقم الضمان الاجتماعي الأمريكي (SSN): ⟪S:ar⟫ للموظف ⟪N:ar⟫.",
    "بیمار ⟪N:ar⟫، تاریخ تولد (DOB) ⟪D:iso⟫، تلفن ⟪P:fa⟫، ایمیل ⟪E⟫.",
    "شماره کارت ⟪C:fa⟫ به نام ⟪N:ar⟫ ثبت شد؛ تلفن همراه ⟪P:fa⟫.",
    "شماره تامین اجتماعی آمریکا (SSN): ⟪S:fa⟫ برای ⟪N⟫.",
    "Customer in Dubai: ⟪N:ar⟫, card ⟪C:ar⟫, mobile ⟪P:ar⟫, IBAN ⟪I:AE⟫.",
    # ---- misc English mixes
    "Consent form signed by ⟪N⟫ (DOB ⟪D:us⟫) on ⟪dt:us⟫; witness ⟪N⟫; copy sent to ⟪E⟫.",
    "Billing dispute: patient ⟪N⟫, account ⟪num:100000-999999⟫, paid with ⟪C⟫, statement at ⟪U:en⟫.",
    "Visitor log: ⟪N⟫ visited ⟪N⟫ in ⟪room⟫ at ⟪time⟫; visitor phone ⟪P⟫.",
    "Hospice intake: ⟪N⟫, Medicare number ⟪H:mbi⟫, born ⟪D:en⟫, caregiver ⟪N⟫ ⟪P:us⟫, ⟪A:us⟫.",
    "Dental claim: subscriber ID ⟪H:sub⟫, patient ⟪N⟫, DOB ⟪D:us⟫, tooth 14, CDT D2740, ZIP ⟪Z:us⟫.",
    "Vaccination record: ⟪N⟫, date of birth ⟪D:iso⟫, lot ⟪lot⟫, given ⟪dt:iso⟫, contact ⟪E⟫.",
    "Fraud alert: login for ⟪E⟫ from ⟪IP⟫ then card ⟪C⟫ added; customer ⟪N⟫ called from ⟪P⟫.",
    "Mobile banking: new payee ⟪N⟫, ⟪I⟫, added from device ⟪IP6⟫ on ⟪dt:en⟫.",
    "Insurance card scan: member ID ⟪H:member⟫, group ⟪num:10000-99999⟫, member ⟪N⟫, payer phone ⟪P:us⟫, ⟪U:en⟫",
    "Guarantor: ⟪N⟫, SSN ⟪S⟫, phone ⟪P:us⟫, address ⟪A:us⟫.",
    "Hotel guarantee: card ⟪C⟫ in the name of ⟪N⟫, arrival ⟪dt:en⟫, email ⟪E⟫.",
    "Unattended MBI on a scanned letter: ⟪H:mbi⟫ (name ⟪N⟫).",
]

NEGATIVE_TEMPLATES = [
    "Order ⟪ord⟫ shipped, tracking ⟪trk⟫, total ⟪amt:us⟫.",
    "Invoice ⟪inv⟫ dated ⟪dt:en⟫ is 14 days overdue; amount due ⟪amt:uk⟫.",
    "Claim ⟪clm⟫ adjudicated on ⟪dt:enus⟫: CPT ⟪cpt⟫, ICD-10 ⟪icd⟫, allowed ⟪amt:us⟫.",
    "Deploy of api-gateway ⟪ver⟫ (commit ⟪hash⟫) finished at ⟪ts:iso⟫.",
    "Device ⟪mac⟫ registered, asset tag ⟪num:100000-999999⟫, request id ⟪uuid⟫.",
    "NDC ⟪ndc⟫, lot ⟪lot⟫, expires ⟪dt:iso⟫; dispensed ⟪dose⟫.",
    "Ordering provider NPI ⟪npi⟫; bank routing number ⟪aba⟫; sort code ⟪sort⟫.",
    "Beneficiary bank BIC ⟪bic⟫; the IBAN supplied, ⟪biban⟫, failed validation.",
    "The SSN field contained ⟪bssn⟫, which is not a valid number, so the form was rejected.",
    "Blocked probe from ⟪bquad⟫ (malformed source address, octet out of range).",
    "See the provider directory on ⟪dom⟫ for opening hours.",
    "Our billing office moved to ⟪hn⟫, Suite ⟪num:100-999⟫.",
    "⟪XN⟫ will cover the night shift; ⟪XF⟫ is off until June.",
    "May we move the Grant review to Thursday? Will confirm by ⟪dt:enus⟫.",
    "Card ending ⟪num:1000-9999⟫ was declined: the number typed, ⟪bcard⟫, fails the checksum.",
    "Meeting ID ⟪meet⟫, passcode ⟪num:100000-999999⟫.",
    "ISBN ⟪isbn⟫, patient education booklet, 3rd edition.",
    "MBI-like value ⟪bmbi⟫ rejected: it contains excluded letters.",
    "Na 138 mmol/L, K 4.1 mmol/L, creatinine 88 µmol/L, HbA1c ⟪lab:a1c⟫; repeat on ⟪dt:en⟫.",
    "Accession ⟪acc⟫ received ⟪ts:iso⟫, case ⟪case⟫, LOINC ⟪loinc⟫.",
    "Date of death ⟪dt:us⟫; date of diagnosis ⟪dt:us⟫; ICD-10 ⟪icd⟫.",
    "Truncated IBAN ⟪tiban⟫ on the mandate; ask the customer for the full number.",
    "Wire ref ⟪ord⟫, amount ⟪amt:ch⟫, value date ⟪dt:iso⟫, charges SHA.",
    "Ticket ⟪tkt⟫ closed by ⟪XN⟫: printer on floor 3 replaced, firmware ⟪ver⟫.",
    "Grant application ⟪case⟫ due in June; Will and May from finance will review.",
    "Scan of ⟪bquad⟫ and ⟪bquad⟫ dropped; neither is a real address.",
    "Policy update ⟪ver⟫: retention is 7 years; see ⟪dom⟫/privacy for details.",
    "Shipment ⟪trk⟫ weighs 2.4 kg; customs value ⟪amt:eu⟫; HS code 3004.90.",
    "Visit scheduled for ⟪dt:enus⟫ at ⟪time⟫ in room ⟪room⟫ with ⟪XN⟫.",
    "Sample ⟪acc⟫: glucose 5.8 mmol/L, LDL 3.1 mmol/L, TSH 2.14 mIU/L, CPT ⟪cpt⟫.",
    "Build ⟪hash⟫ passed 1284 tests in 312.5 s on runner ⟪uuid⟫.",
    "ITIN-shaped value ⟪bssn⟫ is not accepted as an SSN.",
    "Firmware ⟪ver⟫ for pump serial SN-⟪num:100000-999999⟫ released ⟪dt:iso⟫.",
    "Routing ⟪aba⟫ and BIC ⟪bic⟫ belong to the bank, not to the customer.",
    # German / French / Spanish / Italian / Dutch / Polish / Portuguese
    "Rechnung ⟪inv⟫ vom ⟪dt:de⟫ über ⟪amt:de⟫ ist fällig; Kundennummer ⟪num:100000-999999⟫.",
    "Termin verschoben auf ⟪dt:de⟫ um ⟪time⟫ Uhr, Raum ⟪room⟫; Ansprechpartner ⟪XN⟫.",
    "Commande ⟪ord⟫ livrée le ⟪dt:fr⟫, montant ⟪amt:fr⟫, suivi ⟪trk⟫.",
    "Facture ⟪inv⟫ du ⟪dt:fr⟫ : consultation ⟪amt:fr⟫, code CCAM YYYY010.",
    "Pedido ⟪ord⟫ enviado el ⟪dt:es⟫; importe ⟪amt:es⟫; incidencia ⟪tkt⟫.",
    "Fattura ⟪inv⟫ del ⟪dt:it⟫, importo ⟪amt:it⟫, lotto ⟪lot⟫.",
    "Factuur ⟪inv⟫ van ⟪dt:nl⟫, bedrag ⟪amt:nl⟫, ordernummer ⟪ord⟫.",
    "Faktura ⟪inv⟫ z dnia ⟪dt:pl⟫, kwota ⟪amt:pl⟫, zamówienie ⟪ord⟫.",
    "Encomenda ⟪ord⟫ entregue a ⟪dt:pt⟫, valor ⟪amt:pt⟫.",
    "IBAN ⟪biban⟫ ungültig (Prüfziffer falsch), bitte erneut eingeben.",
    # Nordic / Czech / Turkish
    "Faktura ⟪inv⟫ förfaller ⟪dt:sv⟫, belopp ⟪amt:se⟫, OCR ⟪num:1000000-9999999⟫.",
    "Regning ⟪inv⟫ forfalder ⟪dt:da⟫, beløb ⟪amt:dk⟫.",
    "Faktura ⟪inv⟫ forfaller ⟪dt:no⟫, beløp ⟪amt:no⟫, KID ⟪num:100000-9999999⟫.",
    "Lasku ⟪inv⟫ erääntyy ⟪dt:fi⟫, summa ⟪amt:fi⟫.",
    "Faktura ⟪inv⟫ splatná ⟪dt:cs⟫, částka ⟪amt:cz⟫.",
    "Fatura ⟪inv⟫ son ödeme ⟪dt:tr⟫, tutar ⟪amt:tr⟫, sipariş ⟪ord⟫.",
    # CJK / Hindi / Arabic / Persian, incl. look-alike near misses
    "注文番号 ⟪ord⟫、お届け予定 ⟪dt:jp⟫、金額 ⟪amt:jp⟫。",
    "カード番号 ⟪bcard:fw⟫ は無効です（チェックディジット不一致）。",
    "订单 ⟪ord⟫ 已于 ⟪dt:cn⟫ 发货，金额 ⟪amt:cn⟫。",
    "주문번호 ⟪ord⟫, 결제일 ⟪dt:kr⟫, 금액 ⟪amt:kr⟫.",
    "कार्ड संख्या ⟪bcard:dv⟫ अमान्य है (चेकसम विफल)।",
    "رقم البطاقة ⟪bcard:ar⟫ غير صالح (فشل التحقق).",
    "شماره کارت ⟪bcard:fa⟫ نامعتبر است.",
    "رقم الطلب ⟪ord⟫، تاريخ الشحن ⟪dt:iso⟫، المبلغ ⟪amt:ae⟫.",
    "見積書 ⟪inv⟫、有効期限 ⟪dt:jp⟫、担当 ⟪XN⟫。",
    # more hard negatives
    "CAS 50-00-0 (formaldehyde) is stored in cabinet ⟪room⟫; SDS revision ⟪ver⟫.",
    "June census: ⟪num:900-1900⟫ admissions, ⟪num:80-400⟫ readmissions, median stay ⟪num:2-9⟫.⟪num:0-9⟫ days.",
    "Grant ⟪case⟫ from the foundation covers ⟪amt:us⟫ through ⟪dt:enus⟫.",
    "Der Termin am ⟪dt:de⟫ entfällt; neue Sprechzeiten Mo-Fr ab ⟪time⟫ Uhr, Ansprechpartnerin ⟪XN⟫.",
    "Le colis ⟪trk⟫ a été déposé le ⟪dt:fr⟫ ; poids 1,2 kg.",
    "La cita del ⟪dt:es⟫ queda anulada; expediente administrativo ⟪case⟫.",
    "Leverdatum ⟪dt:nl⟫, pakket ⟪trk⟫, gewicht 3,4 kg.",
    "Zamówienie ⟪ord⟫ anulowane ⟪dt:pl⟫, zwrot ⟪amt:pl⟫.",
    "Data da consulta: ⟪dt:pt⟫, sala ⟪room⟫, médica ⟪XN⟫.",
    "Lot ⟪lot⟫ recalled on ⟪dt:en⟫; affected NDC ⟪ndc⟫.",
    "Sensor ⟪mac⟫ reported 21.5 °C at ⟪ts:iso⟫; battery 87 %.",
    "Intake bot flagged SSN ⟪bssn⟫ and MBI ⟪bmbi⟫ as invalid.",
    "Rapportdato ⟪dt:no⟫, saksnummer ⟪case⟫; saksbehandler ⟪XN⟫.",
    "Dr. ⟪XL⟫ will see walk-ins in May; June clinics are full.",
    "Refund of ⟪amt:eu⟫ for order ⟪ord⟫ issued ⟪dt:iso⟫; the IBAN on file, ⟪biban⟫, is invalid.",
    "Herr ⟪XN⟫ hat den Vertrag am ⟪dt:de⟫ gekündigt; Vertragsnummer ⟪num:1000000-9999999⟫.",
]

# --------------------------------------------------------------------------
# checking

SPAN_RE = re.compile("\u27e6([^:\u27e6\u27e7]*):([^\u27e6\u27e7]*)\u27e7")

DOB_TRIGGERS = ["dob", "d.o.b.", "dateofbirth", "born", "birthdate", "geburtsdatum", "geb.", "geborenam",
                "néle", "néele", "né(e)le", "datedenaissance", "fechadenacimiento", "nacidoel", "nacidael",
                "datadinascita", "natoil", "natail", "geborenop", "geboortedatum", "dataurodzenia", "ur.",
                "datadenascimento"]
MRN_LABELS = ["mrn", "mr#", "medicalrecordnumber", "medicalrecordno", "patientid", "chartnumber",
              "patientennummer", "numérodedossier", "historiaclínica", "cartellaclinica", "patiëntnummer",
              "kartypacjenta"]
HPN_LABELS = ["memberid", "subscriberid", "policynumber", "insurancenumber", "insuranceid", "healthplanid",
              "medicaidid", "medicarenumber", "beneficiaryid", "nhsnumber", "versichertennummer", "kvnr",
              "cartevitale", "numérod'assurésocial", "polisnummer", "medicarecard"]
SSN_LABELS = ["ssn", "socialsecurity"]

POSTAL_RES = [r"\d{5}(-\d{4})?", r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", r"[A-Z]\d[A-Z] \d[A-Z]\d", r"\d{4}",
              r"\d{4} ?[A-Z]{2}", r"\d{2}-\d{3}", r"\d{4}-\d{3}", r"\d{3} \d{2}", r"\d{3}-\d{4}", r"\d{6}",
              r"\d{3} \d{3}", r"\d{5}-\d{3}", r"[A-Z]\d[\dW] [A-Z\d]{4}"]
EMAIL_FULL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
EMAIL_FIND = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
URL_FIND = re.compile(r"(?i)(?:https?://|www\.)[^\s<>\"'\]\u27e6\u27e7|]*")
IP4_FIND = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?![\w]|\.\d)")
IP6_FIND = re.compile(r"(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z:])")
SSN_FIND = re.compile(r"(?<![\d-])(\d{3})[- ](\d{2})[- ](\d{4})(?![\d-])")
WORD_FIND = re.compile(r"[^\W\d_]+")
IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})(\d{2})")
STRUCT_MARKERS = ("|", "\u23ce", "\t")


def normlabel(s):
    return re.sub(r"[\s_\-]", "", s.lower())


def parse(line):
    """Return (plain, spans, errors); spans are (cat, start, end, value) in plain text."""
    plain, spans, errs = [], [], []
    pos, out_len = 0, 0
    for m in SPAN_RE.finditer(line):
        seg = line[pos:m.start()]
        if "\u27e6" in seg or "\u27e7" in seg:
            errs.append("stray marker")
        plain.append(seg)
        out_len += len(seg)
        cat, val = m.group(1), m.group(2)
        if cat not in CATEGORIES:
            errs.append("unknown category %r" % cat)
        if not val or val != val.strip():
            errs.append("empty or padded span %r" % val)
        spans.append((cat, out_len, out_len + len(val), val))
        plain.append(val)
        out_len += len(val)
        pos = m.end()
    seg = line[pos:]
    if "\u27e6" in seg or "\u27e7" in seg:
        errs.append("stray marker")
    plain.append(seg)
    return "".join(plain), spans, errs


def luhn_windows(text):
    """Yield (start, end) of every Luhn-valid 13-19 digit window of whole groups."""
    for a, b, _ in validators.luhn_windows(text):
        yield a, b


def iban_hits(text):
    for m in IBAN_START.finditer(text):
        cc = m.group(1)
        if cc not in IBAN_LEN:
            continue
        need = IBAN_LEN[cc]
        got, i, prev_space = "", m.start(), False
        while i < len(text) and len(got) < need:
            c = text[i]
            if c.isascii() and c.isalnum():
                got += c
                prev_space = False
            elif c == " " and not prev_space and got:
                prev_space = True
            else:
                break
            i += 1
        if len(got) == need and iban_valid(got):
            yield m.start(), i


def before(plain, start, structured, width):
    return plain[:start] if structured else plain[max(0, start - width):start]


def has_label(text, labels):
    t = normlabel(text)
    return any(lab in t for lab in labels)


def check_line(line):
    errs = []
    if "\n" in line or "\r" in line:
        errs.append("newline inside line")
    plain_raw, spans, perrs = parse(line)
    errs += perrs
    plain = ascii_digits(plain_raw)
    structured = any(c in plain for c in STRUCT_MARKERS) or plain.lstrip().startswith(("{", "<"))
    if re.search("\u27e6name:[^\u27e7]*\u27e7 \u27e6name:", line):
        errs.append("two name spans separated by one space")
    for cat, s, e, raw in spans:
        v = ascii_digits(raw)
        ctx = plain[:s]
        if cat == "email":
            if not EMAIL_FULL.fullmatch(v):
                errs.append("bad email %r" % raw)
        elif cat == "url":
            if not re.match(r"(?i)(https?://|www\.)[^\s]+$", v) or v[-1] in ".,)":
                errs.append("bad url %r" % raw)
        elif cat == "phone":
            nd = sum(c.isdigit() for c in v)
            if not re.fullmatch(r"[+(]?\d[\d ().\-]*\d", v) or not 7 <= nd <= 15:
                errs.append("bad phone %r" % raw)
        elif cat == "ssn":
            m = re.fullmatch(r"(\d{3})([- ]?)(\d{2})\2(\d{4})", v)
            if not m or not ssn_valid(m.group(1), m.group(3), m.group(4)):
                errs.append("bad ssn %r" % raw)
            elif m.group(2) == "" and not has_label(ctx[-40:], SSN_LABELS):
                errs.append("compact ssn without label %r" % raw)
        elif cat == "credit_card":
            d = re.sub(r"[ -]", "", v)
            if not re.fullmatch(r"\d+(?:[ -]\d+)*", v) or not 13 <= len(d) <= 19 or not luhn_ok(d):
                errs.append("bad card %r" % raw)
        elif cat == "iban":
            ok = iban_valid(v) and (" " not in v or re.fullmatch(r"[A-Z0-9]{4}( [A-Z0-9]{4})*( [A-Z0-9]{1,3})?", v))
            if not ok:
                errs.append("bad iban %r" % raw)
        elif cat == "ip_address":
            try:
                if ":" in v:
                    ipaddress.IPv6Address(v)
                else:
                    if not re.fullmatch(r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}", v):
                        raise ValueError
            except ValueError:
                errs.append("bad ip %r" % raw)
        elif cat == "date_of_birth":
            if not re.search(r"(19|20)\d\d", v) or not has_label(before(plain, s, structured, 60), DOB_TRIGGERS):
                errs.append("dob without trigger or year %r" % raw)
        elif cat == "medical_record_number":
            if not re.fullmatch(r"[A-Za-z0-9-]{5,15}", v) or not has_label(before(plain, s, structured, 80), MRN_LABELS):
                errs.append("bad or unlabelled mrn %r" % raw)
        elif cat == "health_plan_number":
            is_mbi = re.fullmatch(MBI_PATTERN, v) is not None
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ./-]{4,19}", v):
                errs.append("bad plan number %r" % raw)
            elif not is_mbi and not has_label(before(plain, s, structured, 80), HPN_LABELS):
                errs.append("unlabelled plan number %r" % raw)
            elif "nhs" in normlabel(ctx[-30:]) and not nhs_ok(v):
                errs.append("bad NHS number %r" % raw)
        elif cat == "postal_code":
            if not any(re.fullmatch(p, v) for p in POSTAL_RES):
                errs.append("bad postal code %r" % raw)
        elif cat == "name":
            if any(w not in NAMESET for w in v.split(" ")) or "  " in v:
                errs.append("name not in dictionary %r" % raw)

    def inside(cat, a, b):
        return any(c == cat and s <= a and b <= e for c, s, e, _ in spans)

    def want(cat, a, b, what):
        if not inside(cat, a, b):
            errs.append("%s %r outside a %s span" % (what, plain_raw[a:b], cat))

    for m in EMAIL_FIND.finditer(plain):
        want("email", m.start(), m.end(), "e-mail")
    for m in URL_FIND.finditer(plain):
        end = m.end()
        while end > m.start() and plain[end - 1] in ".,)":
            end -= 1
        want("url", m.start(), end, "URL")
    for m in IP4_FIND.finditer(plain):
        if all(int(o) <= 255 for o in m.group(1).split(".")):
            want("ip_address", m.start(1), m.end(1), "IPv4")
    for m in IP6_FIND.finditer(plain):
        try:
            ipaddress.IPv6Address(m.group())
        except ValueError:
            continue
        want("ip_address", m.start(), m.end(), "IPv6")
    for a, b in iban_hits(plain):
        want("iban", a, b, "IBAN")
    for m in SSN_FIND.finditer(plain):
        if ssn_valid(m.group(1), m.group(2), m.group(3)):
            want("ssn", m.start(), m.end(), "SSN")
    for m in re.finditer(r"(?i)(ssn|social security)", plain):
        for n in re.finditer(r"(?<!\d)\d{9}(?!\d)", plain[m.end():m.end() + 30]):
            a = m.end() + n.start()
            d = n.group()
            if ssn_valid(d[:3], d[3:5], d[5:]):
                want("ssn", a, a + 9, "compact SSN")
    for m in MBI_RE.finditer(plain):
        want("health_plan_number", m.start(), m.end(), "MBI")
    for m in WORD_FIND.finditer(plain):
        if m.group() in NAMESET:
            want("name", m.start(), m.end(), "dictionary name")
    for a, b in luhn_windows(plain):
        want("credit_card", a, b, "Luhn-valid number")
    return errs


def check_file(path):
    with open(path, encoding="utf-8") as fh:
        raw = fh.read().split("\n")
    errors, seen = [], {}
    counts = {c: 0 for c in CATEGORIES}
    n_lines = n_neg = n_look = n_look_neg = 0
    iban_cc = set()
    for no, line in enumerate(raw, 1):
        if not line.strip() or line.startswith("#"):
            continue
        n_lines += 1
        if line in seen:
            errors.append("%d: duplicate of line %d" % (no, seen[line]))
        seen[line] = no
        for e in check_line(line):
            errors.append("%d: %s" % (no, e))
        plain, spans, _ = parse(line)
        if not spans:
            n_neg += 1
            if any(has_lookalike(m.group()) for m in re.finditer(r"\w+", plain)) and \
                    any(True for _ in re.finditer(r"[^\W_]{4}[ -][^\W_]{4}[ -][^\W_]{4}", plain)):
                n_look_neg += 1
        for cat, s, e, v in spans:
            if cat in counts:
                counts[cat] += 1
            if cat in ("ssn", "credit_card", "phone") and has_lookalike(v):
                n_look += 1
            if cat == "iban":
                iban_cc.add(v[:2])
    print("lines: %d (negative-only %d)" % (n_lines, n_neg))
    for c in CATEGORIES:
        print("  %-22s %4d" % (c, counts[c]))
    print("look-alike digit positives (ssn/credit_card/phone): %d" % n_look)
    print("look-alike Luhn near-miss negative lines: %d" % n_look_neg)
    print("IBAN countries: %d (%s)" % (len(iban_cc), " ".join(sorted(iban_cc))))
    for c in CATEGORIES:
        if counts[c] < MIN_PER_CATEGORY:
            errors.append("category %s has %d < %d positives" % (c, counts[c], MIN_PER_CATEGORY))
    if n_lines < MIN_LINES:
        errors.append("only %d lines" % n_lines)
    if n_neg < MIN_NEGATIVE_ONLY:
        errors.append("only %d negative-only lines" % n_neg)
    if n_look < MIN_LOOKALIKE:
        errors.append("only %d look-alike positives" % n_look)
    if n_look_neg < 3:
        errors.append("only %d look-alike near-miss negatives" % n_look_neg)
    if len(iban_cc) < MIN_IBAN_COUNTRIES:
        errors.append("only %d IBAN countries" % len(iban_cc))
    for e in errors[:60]:
        print("ERROR " + e)
    if errors:
        print("%d error(s)" % len(errors))
        return 1
    print("OK")
    return 0


# --------------------------------------------------------------------------
# generation

HEADER = """# fresh3.txt: one-time measurement corpus for the PII / health-identifier detector.
# Generated by scripts/pii-fresh3-corpus.py (do not edit by hand). Format and span
# conventions: README.md in this directory (sections "Format", "Categories and span
# conventions" and "fresh3.txt"). Do not read this file while tuning the detector.
"""


def generate(out_dir):
    rng = random.Random(SEED)
    lines, seen = [], set()

    def make(tpl):
        last = ["duplicate line"]
        for _ in range(400):
            line = fill(tpl, rng)
            if line in seen:
                continue
            errs = check_line(line)
            if not errs:
                seen.add(line)
                lines.append(line)
                return
            last = errs
        raise SystemExit("template keeps failing: %s\n  %s" % (tpl, last))

    for _ in range(3):
        for tpl in POSITIVE_TEMPLATES:
            make(tpl)
        for tpl in NEGATIVE_TEMPLATES:
            make(tpl)
    # top up thin categories deterministically
    for _ in range(50):
        counts = {c: 0 for c in CATEGORIES}
        for line in lines:
            for cat, _s, _e, _v in parse(line)[1]:
                counts[cat] += 1
        thin = [c for c in CATEGORIES if counts[c] < MIN_PER_CATEGORY + 12]
        if not thin:
            break
        for c in thin:
            key = {"email": "⟪E", "phone": "⟪P", "ssn": "⟪S", "credit_card": "⟪C", "iban": "⟪I",
                   "ip_address": "⟪IP", "date_of_birth": "⟪D", "medical_record_number": "⟪M",
                   "health_plan_number": "⟪H", "postal_code": ("⟪Z", "⟪A"), "url": "⟪U",
                   "name": ("⟪N", "⟪F", "⟪L")}[c]
            cands = [t for t in POSITIVE_TEMPLATES if any(k in t for k in (key if isinstance(key, tuple) else (key,)))]
            make(rng.choice(cands))
    rng.shuffle(lines)
    with open(os.path.join(out_dir, "fresh3.txt"), "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for line in lines:
            fh.write(line + "\n")
    print("%d lines" % len(lines))


def check(out_dir):
    return check_file(os.path.join(out_dir, "fresh3.txt")) == 0
