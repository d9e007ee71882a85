"""The base corpus: dev.txt, heldout.txt and names.txt.

Writes {dev.txt,heldout.txt,names.txt} and then validates both corpus files
(marker syntax, categories, Luhn, IBAN mod-97, SSN ranges, IPv4 octets,
unlabelled look-alikes in the negative text, ...).

    python3 scripts/pii-corpus.py base           # regenerate, then validate
    python3 scripts/pii-corpus.py base --check   # validate the existing files only

Stdlib only; deterministic (fixed seeds).  dev.txt and heldout.txt are built
from two disjoint template banks (different sentences, not the same sentences
with other numbers), filled by shared value generators that produce
real-world formats.  Markers: U+27E6 category ":" value U+27E7.
"""
import datetime as dt
import ipaddress
import os
import random
import re
import string
import unicodedata
from collections import Counter

from . import validators
from .validators import (
    CATEGORIES as CATS, CLOSE, MBI_ALPHA as MBI_L, MBI_RE, OPEN, ascii_digits, au_medicare_check,
    aba_check, be_account_check, display_path, group4, iban_lengths, iban_make, iban_valid, isbn13_check, kvnr_check,
    has_lookalike, luhn_complete as _luhn_complete, luhn_ok, mark, nhs_check, nir_key, ssn_valid as ssn_valid_parts, to_script,
)

OUTPUTS = ("names.txt", "dev.txt", "heldout.txt")


def M(cat, val):
    assert cat in CATS, cat
    assert OPEN not in val and CLOSE not in val and "\n" not in val, val
    return mark(cat, val)


# --------------------------------------------------------------------------
# Name dictionary (given names and family names as single words)
# --------------------------------------------------------------------------
GIVEN = """Maria Jennifer Michael Sarah David Emily Daniel Rebecca Olivia Ethan
Hannah Brandon Jürgen Katrin Sabine Lukas Annika Wolfgang Mathieu Étienne
Chloé Léa Benoît Alejandro Lucía Sofía Mateo Javier Giulia Francesca
Alessandro Chiara Agnieszka Krzysztof Małgorzata Piotr Sanne Daan Femke
Oluwaseun Chukwuemeka Ngozi Kwame Abena Wanjiru Thabo Mohammed Fatima
Youssef Layla Mehmet Ayşe Elif Priya Arjun Ananya Rahul Hiroshi Yuki Wei
Minh Ingrid Lars Astrid Henrik Dmitri Olena Svetlana Eleni Siobhan Niamh
Ciarán""".split()
FAMILY = """Schmidt Müller Wagner Becker Hoffmann Schäfer Zimmermann Dubois Moreau
Lefebvre Fournier Rousseau García Rodríguez Fernández López Martínez Sánchez
Pérez Rossi Esposito Bianchi Ricci Moretti Kowalski Nowak Wiśniewski Wójcik
Lewandowski Zielińska Jansen Bakker Visser Smit Meijer Dekker Nguyen Tran
Pham Wang Zhang Chen Liu Huang Kim Choi Tanaka Takahashi Yamamoto Sato Patel
Sharma Singh Gupta Iyer Reddy Kumar Okafor Adebayo Mensah Otieno Mwangi Nkosi
Haddad Nasser Mansour Khoury Yılmaz Kaya Demir Şahin Papadopoulos Nikolaou
Johansson Andersson Lindqvist Hansen Jørgensen Ivanov Petrova Shevchenko
Kovalenko Thompson Robinson Johnson Harris Clarke Jackson Mitchell Murphy
Gallagher""".split()
NAMES = set(GIVEN) | set(FAMILY)

# Person-like names deliberately NOT in the dictionary (must stay unlabelled).
NONDICT = ["Bartholomew Quince", "Ottoline Ferncastle", "Ignatius Pell",
           "Cordelia Thwaite", "Leopold Anstruther", "Winifred Spalding",
           "Horatio Blenkinsop", "Euphemia Rattray", "Augustin Vasseur",
           "Griselda Moorcock", "Hildegard Oberstein", "Radomir Zbąszyński",
           "Perpetua Dawlish", "Casimir Ludwigsen", "Ysolde Carraway"]


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------
D = "0123456789"


def dg(rng, n):
    return "".join(rng.choice(D) for _ in range(n))


def fold(s):
    s = (s.replace("ß", "ss").replace("ł", "l").replace("Ł", "L")
         .replace("ø", "o").replace("Ø", "O").replace("ı", "i"))
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return s.lower()


def digit_values(s):
    """Values of all decimal digits (any script) in s."""
    return [int(c) for c in ascii_digits(s) if c in D]


def luhn_windows(s):
    """Group-aligned digit windows (13-19 digits, groups joined by one space or
    dash) that pass Luhn: what a card detector could report inside s."""
    return [re.sub(r"[ -]", " ", s[a:b]) for a, b, _ in validators.luhn_windows(s)]


def luhn_complete(prefix, length, rng):
    return _luhn_complete(prefix + dg(rng, length - len(prefix) - 1))


# --------------------------------------------------------------------------
# persons, e-mail
# --------------------------------------------------------------------------
def person(rng):
    return rng.choice(GIVEN), rng.choice(FAMILY)


def get_p(ctx, rng, key):
    if key not in ctx:
        while True:
            p = person(rng)
            if all(p != v for k, v in ctx.items() if k.startswith("p")):
                break
        ctx[key] = p
    return ctx[key]


def full_name(rng, p):
    g, f = p
    if rng.random() < 0.06:
        g2 = rng.choice(GIVEN)
        if g2 != g:
            return f"{g} {g2} {f}"
    return f"{g} {f}"


EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.co.uk",
                 "example.de", "example.fr", "example.es", "example.it", "example.nl",
                 "example.pl", "contoso.com", "fabrikam.com", "northwind-health.com",
                 "adatum.com", "tailspin-travel.com", "klinik-example.de",
                 "hopital-example.fr", "clinica-example.es", "uni-example.edu",
                 "patients.example-hospital.org", "example.com.au", "example.ca"]
ROLE = ["billing", "privacy", "support", "no-reply", "datenschutz", "accueil",
        "info", "rezeption", "hr-onboarding", "claims", "records.release"]


def email_for(rng, p):
    g, f = fold(p[0]), fold(p[1])
    dom = rng.choice(EMAIL_DOMAINS)
    local = rng.choice([
        f"{g}.{f}", f"{g[0]}.{f}", f"{g}{f[0]}{rng.randint(1, 99)}", f"{f}.{g}",
        f"{g}_{f}{rng.randint(70, 99)}", f"{g}.{f}+{rng.choice(['billing', 'portal', 'kids', 'news'])}",
        f"{f}{g[0]}", f"{g}-{f}", f"{g}.{f}"])
    return f"{local}@{dom}"


def email_role(rng):
    return f"{rng.choice(ROLE)}@{rng.choice(EMAIL_DOMAINS)}"


# --------------------------------------------------------------------------
# phones
# --------------------------------------------------------------------------
US_AREA = ["415", "212", "312", "617", "206", "303", "503", "404", "602", "305",
           "612", "713", "202", "646", "510", "718", "919", "615", "801", "410"]


def phone_us(rng):
    a = rng.choice(US_AREA)
    e = rng.choice(["555", "555", rng.choice("23456789") + dg(rng, 2)])
    l = ("01" + dg(rng, 2)) if e == "555" else dg(rng, 4)
    tf = rng.choice(["800", "888", "877"])
    return rng.choice([
        f"({a}) {e}-{l}", f"{a}-{e}-{l}", f"{a}.{e}.{l}", f"+1 {a} {e} {l}",
        f"+1-{a}-{e}-{l}", f"+1 ({a}) {e}-{l}", f"1-{tf}-{e}-{l}", f"({a}) {e}-{l}",
        f"+1{a}{e}{l}", f"{a}-{e}-{l}"])


def phone_uk(rng):
    return rng.choice([
        f"020 7946 0{dg(rng, 3)}", f"+44 20 7946 0{dg(rng, 3)}", f"+44 (0)20 7946 0{dg(rng, 3)}",
        f"07700 900{dg(rng, 3)}", f"+44 7700 900{dg(rng, 3)}", f"0161 496 0{dg(rng, 3)}",
        f"+44 161 496 0{dg(rng, 3)}", f"0131 496 0{dg(rng, 3)}", f"+447700900{dg(rng, 3)}"])


def phone_de(rng):
    return rng.choice([
        f"+49 30 {dg(rng, 7)}", f"030 {dg(rng, 8)}", f"+49 89 {dg(rng, 4)} {dg(rng, 4)}",
        f"0171 {dg(rng, 7)}", f"+49 171 {dg(rng, 7)}", f"+49 (0)40 {dg(rng, 3)} {dg(rng, 4)}",
        f"0221 {dg(rng, 3)}-{dg(rng, 4)}", f"+49 152 {dg(rng, 4)} {dg(rng, 4)}", f"069 {dg(rng, 2)} {dg(rng, 2)} {dg(rng, 2)} {dg(rng, 2)}"])


def phone_fr(rng):
    p = lambda: " ".join(dg(rng, 2) for _ in range(4))
    return rng.choice([
        f"+33 1 {p()}", f"01 {p()}", f"06 {p()}", f"+33 6 {p()}", f"07 {p()}",
        "04." + ".".join(dg(rng, 2) for _ in range(4)), f"+33 (0)4 {p()}", f"+33 7 {p()}"])


def phone_nl(rng):
    return rng.choice([
        f"06-{dg(rng, 8)}", f"+31 6 {dg(rng, 8)}", f"020-{dg(rng, 7)}", f"+31 20 {dg(rng, 3)} {dg(rng, 4)}",
        f"010 {dg(rng, 3)} {dg(rng, 4)}", f"06 {dg(rng, 2)} {dg(rng, 2)} {dg(rng, 2)} {dg(rng, 2)}"])


def phone_es(rng):
    return rng.choice([
        f"+34 91{dg(rng, 1)} {dg(rng, 3)} {dg(rng, 3)}", f"6{dg(rng, 2)} {dg(rng, 3)} {dg(rng, 3)}",
        f"+34 6{dg(rng, 2)} {dg(rng, 2)} {dg(rng, 2)} {dg(rng, 2)}", f"93 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}",
        f"+34 6{dg(rng, 8)}"])


def phone_it(rng):
    return rng.choice([
        f"+39 06 {dg(rng, 4)} {dg(rng, 4)}", f"+39 347 {dg(rng, 3)} {dg(rng, 4)}", f"02 {dg(rng, 4)} {dg(rng, 4)}",
        f"347 {dg(rng, 7)}", f"+39 338 {dg(rng, 7)}", f"055 {dg(rng, 3)} {dg(rng, 4)}"])


def phone_pl(rng):
    return rng.choice([
        f"+48 22 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}", f"+48 601 {dg(rng, 3)} {dg(rng, 3)}",
        f"60{dg(rng, 1)}-{dg(rng, 3)}-{dg(rng, 3)}", f"22 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}",
        f"+48 5{dg(rng, 2)} {dg(rng, 3)} {dg(rng, 3)}"])


def phone_in(rng):
    return rng.choice([
        f"+91 98{dg(rng, 3)} {dg(rng, 5)}", f"+91-22-{dg(rng, 4)}-{dg(rng, 4)}", f"098{dg(rng, 3)} {dg(rng, 5)}",
        f"+91 80 {dg(rng, 4)} {dg(rng, 4)}", f"+91 7{dg(rng, 9)}"])


def phone_au(rng):
    return rng.choice([f"+61 2 {dg(rng, 4)} {dg(rng, 4)}", f"(02) {dg(rng, 4)} {dg(rng, 4)}",
                       f"04{dg(rng, 2)} {dg(rng, 3)} {dg(rng, 3)}", f"+61 4{dg(rng, 2)} {dg(rng, 3)} {dg(rng, 3)}",
                       f"(03) 9{dg(rng, 3)} {dg(rng, 4)}"])


def phone_ch(rng):
    return rng.choice([f"+41 44 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}", f"044 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}",
                       f"+41 79 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}", f"022 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}"])


def phone_at(rng):
    return rng.choice([f"+43 1 {dg(rng, 7)}", f"+43 664 {dg(rng, 7)}", f"01 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}"])


def phone_be(rng):
    return rng.choice([f"+32 2 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}", f"+32 470 {dg(rng, 2)} {dg(rng, 2)} {dg(rng, 2)}",
                       f"02 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}"])


def phone_jp(rng):
    return rng.choice([f"+81 3-{dg(rng, 4)}-{dg(rng, 4)}", f"03-{dg(rng, 4)}-{dg(rng, 4)}", f"090-{dg(rng, 4)}-{dg(rng, 4)}",
                       f"+81 90 {dg(rng, 4)} {dg(rng, 4)}", f"06-{dg(rng, 4)}-{dg(rng, 4)}"])


def phone_other(rng):
    return rng.choice([
        f"+55 11 9{dg(rng, 4)}-{dg(rng, 4)}", f"+46 8 {dg(rng, 3)} {dg(rng, 3)} {dg(rng, 2)}", f"08-{dg(rng, 3)} {dg(rng, 3)} {dg(rng, 2)}",
        f"+353 1 {dg(rng, 3)} {dg(rng, 4)}", f"+234 803 {dg(rng, 3)} {dg(rng, 4)}", f"+254 712 {dg(rng, 6)}",
        f"+27 21 {dg(rng, 3)} {dg(rng, 4)}", f"+52 55 {dg(rng, 4)} {dg(rng, 4)}", f"+86 138 {dg(rng, 4)} {dg(rng, 4)}",
        f"+971 50 {dg(rng, 3)} {dg(rng, 4)}", f"+90 532 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}",
        f"+351 21 {dg(rng, 3)} {dg(rng, 4)}", f"+45 {dg(rng, 2)} {dg(rng, 2)} {dg(rng, 2)} {dg(rng, 2)}",
        f"+47 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 3)}", f"+30 21 {dg(rng, 4)} {dg(rng, 4)}", f"+82 10-{dg(rng, 4)}-{dg(rng, 4)}"])


PHONE_BY = {"US": phone_us, "UK": phone_uk, "DE": phone_de, "FR": phone_fr, "NL": phone_nl,
            "ES": phone_es, "IT": phone_it, "PL": phone_pl, "IN": phone_in, "AU": phone_au,
            "CH": phone_ch, "AT": phone_at, "BE": phone_be, "JP": phone_jp, "XX": phone_other}


def phone_any(rng):
    k = rng.choice(["US", "US", "UK", "DE", "FR", "NL", "ES", "IT", "PL", "IN", "AU", "CH", "AT", "BE", "JP", "XX", "XX"])
    return PHONE_BY[k](rng)


def phone_intl(rng):
    for _ in range(100):
        p = phone_any(rng)
        if p.startswith("+"):
            return p
    raise AssertionError


def phone_pt(rng):
    return rng.choice([f"+351 21 {dg(rng, 3)} {dg(rng, 4)}", f"91{dg(rng, 1)} {dg(rng, 3)} {dg(rng, 3)}", f"+351 93{dg(rng, 1)} {dg(rng, 3)} {dg(rng, 3)}"])


def phone_se(rng):
    return rng.choice([f"+46 70 {dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}", f"070-{dg(rng, 3)} {dg(rng, 2)} {dg(rng, 2)}", f"08-{dg(rng, 3)} {dg(rng, 3)} {dg(rng, 2)}"])


def phone_ie(rng):
    return rng.choice([f"+353 1 {dg(rng, 3)} {dg(rng, 4)}", f"(01) {dg(rng, 3)} {dg(rng, 4)}", f"087 {dg(rng, 3)} {dg(rng, 4)}"])


def phone_br(rng):
    return rng.choice([f"+55 11 9{dg(rng, 4)}-{dg(rng, 4)}", f"(11) 9{dg(rng, 4)}-{dg(rng, 4)}", f"(21) 3{dg(rng, 3)}-{dg(rng, 4)}"])


# Unicode-digit phones (plausible per script)
def phone_ar_ascii(rng):
    return rng.choice([f"+971 50 {dg(rng, 3)} {dg(rng, 4)}", f"+966 55 {dg(rng, 3)} {dg(rng, 4)}",
                       f"+20 10 {dg(rng, 4)} {dg(rng, 4)}", f"05{dg(rng, 1)} {dg(rng, 3)} {dg(rng, 4)}",
                       f"+962 79 {dg(rng, 3)} {dg(rng, 4)}"])


def phone_fa_ascii(rng):
    return rng.choice([f"0912 {dg(rng, 3)} {dg(rng, 4)}", f"+98 912 {dg(rng, 3)} {dg(rng, 4)}", f"021-{dg(rng, 4)}-{dg(rng, 4)}"])


def phone_dev_ascii(rng):
    return rng.choice([f"+91 98{dg(rng, 3)} {dg(rng, 5)}", f"+91 7{dg(rng, 4)} {dg(rng, 5)}", f"011-{dg(rng, 4)}-{dg(rng, 4)}"])


def phone_fw_ascii(rng):
    return rng.choice([f"090-{dg(rng, 4)}-{dg(rng, 4)}", f"03-{dg(rng, 4)}-{dg(rng, 4)}", f"+81 80 {dg(rng, 4)} {dg(rng, 4)}",
                       f"138 {dg(rng, 4)} {dg(rng, 4)}", f"(212) 555-01{dg(rng, 2)}"])


# --------------------------------------------------------------------------
# SSN
# --------------------------------------------------------------------------
def ssn_parts(rng):
    while True:
        a = rng.randint(1, 899)
        if a != 666:
            break
    return f"{a:03d}", f"{rng.randint(1, 99):02d}", f"{rng.randint(1, 9999):04d}"


def ssn(rng, sep="-"):
    a, g, s = ssn_parts(rng)
    return f"{a}{sep}{g}{sep}{s}"


def ssn_valid(val):
    d = "".join(str(x) for x in digit_values(val))
    return len(d) == 9 and ssn_valid_parts(d[:3], d[3:5], d[5:])


def neg_ssn(rng):
    a, g, s = ssn_parts(rng)
    k = rng.randrange(5)
    if k == 0:
        a = "000"
    elif k == 1:
        a = "666"
    elif k == 2:
        a = str(rng.randint(900, 999))
    elif k == 3:
        g = "00"
    else:
        s = "0000"
    return f"{a}-{g}-{s}"


def itin(rng):
    return f"9{dg(rng, 2)}-{rng.choice(['70', '78', '83', '88', '90', '94'])}-{dg(rng, 4)}"


# --------------------------------------------------------------------------
# credit cards
# --------------------------------------------------------------------------
def card_digits(rng, brand=None):
    brand = brand or rng.choice(["visa", "visa", "visa", "mc", "mc", "amex", "discover", "jcb", "diners", "unionpay", "visa13", "maestro"])
    if brand == "visa":
        return luhn_complete("4" + dg(rng, 5), 16, rng), brand
    if brand == "visa13":
        return luhn_complete("4" + dg(rng, 5), 13, rng), brand
    if brand == "mc":
        pre = rng.choice([str(rng.randint(51, 55)), str(rng.randint(2221, 2720))])
        return luhn_complete(pre, 16, rng), brand
    if brand == "amex":
        return luhn_complete(rng.choice(["34", "37"]), 15, rng), brand
    if brand == "discover":
        return luhn_complete(rng.choice(["6011", "65", "644"]), 16, rng), brand
    if brand == "jcb":
        return luhn_complete(str(rng.randint(3528, 3589)), 16, rng), brand
    if brand == "diners":
        return luhn_complete(rng.choice(["36", "38", "300"]), 14, rng), brand
    if brand == "unionpay":
        return luhn_complete("62" + dg(rng, 4), 19, rng), brand
    if brand == "maestro":
        return luhn_complete(rng.choice(["6759", "5018", "6304"]), 19, rng), brand
    raise ValueError(brand)


def card_format(rng, d):
    n = len(d)
    if n == 15:
        return rng.choice([f"{d[:4]} {d[4:10]} {d[10:]}", f"{d[:4]}-{d[4:10]}-{d[10:]}", d])
    if n == 14:
        return rng.choice([f"{d[:4]} {d[4:10]} {d[10:]}", d])
    if n == 16:
        g = [d[i:i + 4] for i in range(0, 16, 4)]
        return rng.choice([" ".join(g), " ".join(g), "-".join(g), d])
    if n == 19:
        g = [d[i:i + 4] for i in range(0, 19, 4)]
        return rng.choice([" ".join(g), d])
    return d


def card(rng, brand=None, compact=False):
    d, _ = card_digits(rng, brand)
    return d if compact else card_format(rng, d)


def neg_card(rng):
    d, _ = card_digits(rng, rng.choice(["visa", "mc", "amex", "discover", "visa"]))
    i = rng.randrange(len(d))
    new = rng.choice([c for c in D if c != d[i]])
    d2 = d[:i] + new + d[i + 1:]
    assert not luhn_ok(d2)
    return card_format(rng, d2)


# --------------------------------------------------------------------------
# IBAN
# --------------------------------------------------------------------------
IBAN_LEN = iban_lengths("AT BE CH CZ DE DK ES FI FR GB IE IT LU NL NO PL PT SE")


def iban_ok(v):
    return iban_valid(v, IBAN_LEN)


def bban(rng, cc):
    if cc == "DE":
        return dg(rng, 8) + dg(rng, 10)
    if cc == "AT":
        return dg(rng, 16)
    if cc == "BE":
        x = dg(rng, 10)
        return x + f"{be_account_check(x):02d}"
    if cc == "CH":
        return dg(rng, 5) + dg(rng, 12)
    if cc == "CZ":
        return rng.choice(["0800", "0100", "0300", "2010"]) + dg(rng, 16)
    if cc == "DK":
        return dg(rng, 14)
    if cc == "ES":
        return dg(rng, 20)
    if cc == "FI":
        return dg(rng, 14)
    if cc == "FR":
        return dg(rng, 5) + dg(rng, 5) + dg(rng, 11) + dg(rng, 2)
    if cc == "GB":
        return rng.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL", "MONZ"]) + dg(rng, 6) + dg(rng, 8)
    if cc == "IE":
        return rng.choice(["AIBK", "BOFI", "IPBS"]) + dg(rng, 6) + dg(rng, 8)
    if cc == "IT":
        return rng.choice(string.ascii_uppercase) + dg(rng, 5) + dg(rng, 5) + dg(rng, 12)
    if cc == "LU":
        return dg(rng, 3) + dg(rng, 13)
    if cc == "NL":
        return rng.choice(["ABNA", "INGB", "RABO", "TRIO", "SNSB", "KNAB"]) + dg(rng, 10)
    if cc == "NO":
        return dg(rng, 11)
    if cc == "PL":
        return dg(rng, 24)
    if cc == "PT":
        return "0002" + dg(rng, 17)
    if cc == "SE":
        return dg(rng, 20)
    raise ValueError(cc)


def iban_compact(rng, cc=None):
    cc = cc or rng.choice(list(IBAN_LEN))
    s = iban_make(cc, bban(rng, cc))
    assert len(s) == IBAN_LEN[cc] and iban_ok(s), s
    return s


def iban(rng, cc=None, style=None):
    s = iban_compact(rng, cc)
    style = style or rng.choice(["g", "g", "c"])
    return group4(s) if style == "g" else s


def neg_iban(rng):
    s = iban_compact(rng, rng.choice(["DE", "FR", "GB", "NL", "ES", "IT", "PL", "CH", "BE", "AT"]))
    k = rng.randrange(3)
    if k == 0:
        ck = int(s[2:4])
        new = rng.choice([x for x in range(2, 99) if x != ck])
        s = s[:2] + f"{new:02d}" + s[4:]
    elif k == 1:
        for _ in range(50):
            i = rng.randrange(4, len(s) - 1)
            if s[i] != s[i + 1] and s[i].isdigit() and s[i + 1].isdigit():
                s = s[:i] + s[i + 1] + s[i] + s[i + 2:]
                break
    else:
        i = rng.randrange(6, len(s))
        if s[i].isdigit():
            s = s[:i] + str((int(s[i]) + rng.randint(1, 9)) % 10) + s[i + 1:]
        else:
            s = s[:2] + f"{(int(s[2:4]) % 97) + 1:02d}" + s[4:]
    assert not iban_ok(s), s
    return rng.choice([group4(s), s])


# --------------------------------------------------------------------------
# IP addresses
# --------------------------------------------------------------------------
def ip4(rng):
    r = rng.randint
    return rng.choice([
        f"10.{r(0, 255)}.{r(0, 255)}.{r(1, 254)}", f"192.168.{r(0, 255)}.{r(1, 254)}",
        f"172.{r(16, 31)}.{r(0, 255)}.{r(1, 254)}", f"203.0.113.{r(1, 254)}", f"198.51.100.{r(1, 254)}",
        f"192.0.2.{r(1, 254)}",
        f"{rng.choice([81, 85, 91, 104, 151, 185, 212, 34, 52, 66, 77, 93, 141, 178, 195, 217, 8, 23])}.{r(0, 255)}.{r(0, 255)}.{r(1, 254)}"])


def ip4_priv(rng):
    r = rng.randint
    return rng.choice([f"10.{r(0, 255)}.{r(0, 255)}.{r(1, 254)}", f"192.168.{r(0, 255)}.{r(1, 254)}",
                       f"172.{r(16, 31)}.{r(0, 255)}.{r(1, 254)}"])


def ip6(rng):
    h = lambda: f"{rng.randint(0, 0xffff):x}"
    k = rng.randrange(7)
    if k == 0:
        v = f"2001:db8:{h()}:{h()}::{h()}"
    elif k == 1:
        v = "2001:0db8:" + ":".join(f"{rng.randint(0, 0xffff):04x}" for _ in range(6))
    elif k == 2:
        v = f"fe80::{h()}:{h()}:{h()}:{h()}"
    elif k == 3:
        v = f"2a02:8108:{h()}:{h()}::{h()}"
    elif k == 4:
        v = f"2606:4700:{h()}::{h()}:{h()}"
    elif k == 5:
        v = f"2001:DB8:0:0:{h()}:{h()}:{h()}:{h()}".upper().replace("X", "x")
    else:
        v = f"2a00:1450:4001:{h()}::{h()}"
    ipaddress.IPv6Address(v)
    return v


def neg_ip(rng):
    o = [rng.randint(1, 254) for _ in range(4)]
    i = rng.randrange(4)
    o[i] = rng.randint(256, 999)
    return ".".join(map(str, o))


# --------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------
MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "ens": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre".split(),
    "nl": "januari februari maart april mei juni juli augustus september oktober november december".split(),
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia".split(),
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro".split(),
}


def rdate(rng, y0, y1):
    a, b = dt.date(y0, 1, 1).toordinal(), dt.date(y1, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(a, b))


def ordsuf(n):
    return "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def fmt(d, style):
    y, m, dd = d.year, d.month, d.day
    if style == "iso":
        return f"{y}-{m:02d}-{dd:02d}"
    if style == "us":
        return f"{m:02d}/{dd:02d}/{y}"
    if style == "us_nz":
        return f"{m}/{dd}/{y}"
    if style == "us_yy":
        return f"{m}/{dd}/{y % 100:02d}"
    if style == "uk":
        return f"{dd:02d}/{m:02d}/{y}"
    if style == "long_us":
        return f"{MONTHS['en'][m - 1]} {dd}, {y}"
    if style == "long_uk":
        return f"{dd} {MONTHS['en'][m - 1]} {y}"
    if style == "ord_uk":
        return f"{dd}{ordsuf(dd)} {MONTHS['en'][m - 1]} {y}"
    if style == "short_us":
        return f"{MONTHS['ens'][m - 1]} {dd}, {y}"
    if style == "clin":
        return f"{dd:02d}-{MONTHS['ens'][m - 1]}-{y}"
    if style == "clin_up":
        return f"{dd:02d}-{MONTHS['ens'][m - 1].upper()}-{y}"
    if style == "dot":
        return f"{dd:02d}.{m:02d}.{y}"
    if style == "dot_nz":
        return f"{dd}.{m}.{y}"
    if style == "de_long":
        return f"{dd}. {MONTHS['de'][m - 1]} {y}"
    if style == "fr_long":
        return f"{'1er' if dd == 1 else dd} {MONTHS['fr'][m - 1]} {y}"
    if style == "es_long":
        return f"{dd} de {MONTHS['es'][m - 1]} de {y}"
    if style == "it_long":
        return f"{dd} {MONTHS['it'][m - 1]} {y}"
    if style == "nl_long":
        return f"{dd} {MONTHS['nl'][m - 1]} {y}"
    if style == "nl_dash":
        return f"{dd:02d}-{m:02d}-{y}"
    if style == "pl_long":
        return f"{dd} {MONTHS['pl'][m - 1]} {y}"
    if style == "pt_long":
        return f"{dd} de {MONTHS['pt'][m - 1]} de {y}"
    if style == "day_month":
        return f"{dd} {MONTHS['en'][m - 1]}"
    if style == "month_day":
        return f"{MONTHS['en'][m - 1]} {dd}"
    raise ValueError(style)


DOB_STYLES = {
    "US": ["us", "us", "us_nz", "us_yy"], "UK": ["uk", "uk", "ord_uk"], "ISO": ["iso"],
    "LONG_EN": ["long_us", "long_uk", "ord_uk", "short_us"], "CLIN": ["clin", "clin_up"],
    "EN": ["iso", "us", "uk", "long_us", "long_uk", "clin", "short_us"],
    "DE": ["dot", "dot", "de_long", "dot_nz"], "FR": ["uk", "fr_long"], "ES": ["uk", "es_long"],
    "IT": ["uk", "it_long"], "NL": ["nl_dash", "nl_long"], "PL": ["dot", "pl_long", "iso"],
    "PT": ["uk", "pt_long"],
}
DATE_STYLES = {
    "EN": ["long_us", "long_uk", "iso", "us", "uk", "short_us", "ord_uk"], "US": ["us", "us_nz", "long_us"],
    "ISO": ["iso"], "DE": ["dot", "de_long"], "FR": ["uk", "fr_long"], "ES": ["uk", "es_long"],
    "IT": ["uk", "it_long"], "NL": ["nl_dash", "nl_long"], "PL": ["dot", "pl_long"],
}


def dob(rng, key):
    return fmt(rdate(rng, 1932, 2016), rng.choice(DOB_STYLES[key]))


def adate(rng, key):
    return fmt(rdate(rng, 2019, 2026), rng.choice(DATE_STYLES[key]))


# --------------------------------------------------------------------------
# medical record numbers, health-plan numbers
# --------------------------------------------------------------------------
def mrn_num(rng):
    return rng.choice([dg(rng, 8), "00" + dg(rng, 6), dg(rng, 7), dg(rng, 10), dg(rng, 6)])


def mrn_alnum(rng):
    L = string.ascii_uppercase
    return rng.choice([f"A{dg(rng, 7)}", f"{rng.choice(L)}{rng.choice(L)}{dg(rng, 6)}", f"HC{dg(rng, 7)}",
                       f"{rng.choice(L)}{dg(rng, 2)}{rng.choice(L)}{dg(rng, 5)}", f"MR{dg(rng, 8)}", f"{dg(rng, 6)}{rng.choice('KXZ')}"])


def mrn_dash(rng):
    return rng.choice([f"20{rng.randint(10, 24)}-{dg(rng, 6)}", f"PT-{dg(rng, 6)}", f"C-{dg(rng, 5)}",
                       f"MR-{dg(rng, 4)}-{dg(rng, 4)}", f"{dg(rng, 3)}-{dg(rng, 3)}-{dg(rng, 3)}", f"D-20{rng.randint(15, 24)}-{dg(rng, 5)}",
                       f"{dg(rng, 4)}-{dg(rng, 4)}"])


def mrn_any(rng):
    return rng.choice([mrn_num, mrn_alnum, mrn_dash])(rng)


MBI_AN = MBI_L + D


def mbi(rng, compact=None):
    c = [rng.choice("123456789"), rng.choice(MBI_L), rng.choice(MBI_AN), rng.choice(D), rng.choice(MBI_L),
         rng.choice(MBI_AN), rng.choice(D), rng.choice(MBI_L), rng.choice(MBI_L), rng.choice(D), rng.choice(D)]
    s = "".join(c)
    if compact is None:
        compact = rng.random() < 0.35
    return s if compact else f"{s[:4]}-{s[4:7]}-{s[7:]}"



def nhs(rng):
    while True:
        d = [rng.choice([4, 6, 7])] + [rng.randint(0, 9) for _ in range(8)]
        c = nhs_check(d)
        if c is None:
            continue
        s = "".join(map(str, d)) + str(c)
        return rng.choice([f"{s[:3]} {s[3:6]} {s[6:]}", f"{s[:3]} {s[3:6]} {s[6:]}", s, f"{s[:3]}-{s[3:6]}-{s[6:]}"])


def kvnr(rng):
    L = rng.choice(string.ascii_uppercase)
    body = dg(rng, 8)
    return L + body + str(kvnr_check(L, body))


def nir(rng):
    s = rng.choice("12") + f"{rng.randint(40, 99):02d}" + f"{rng.randint(1, 12):02d}" + f"{rng.randint(1, 95):02d}" + dg(rng, 3) + dg(rng, 3)
    key = nir_key(s)
    return rng.choice([f"{s[0]} {s[1:3]} {s[3:5]} {s[5:7]} {s[7:10]} {s[10:13]} {key:02d}", f"{s}{key:02d}"])


def aumed(rng):
    d = [rng.randint(2, 6)] + [rng.randint(0, 9) for _ in range(7)]
    s = "".join(map(str, d)) + str(au_medicare_check(d)) + str(rng.randint(1, 9))
    return rng.choice([f"{s[:4]} {s[4:9]} {s[9]}", s])


def member_id(rng):
    L = string.ascii_uppercase
    return rng.choice([f"{''.join(rng.choice(L) for _ in range(3))}{dg(rng, 9)}", f"W{dg(rng, 9)}", f"MBR-{dg(rng, 7)}",
                       f"{rng.choice(L)}{rng.choice(L)}{dg(rng, 7)}-{dg(rng, 2)}", f"U{dg(rng, 8)}01", f"ZGP{dg(rng, 8)}"])


def medicaid_id(rng):
    L = string.ascii_uppercase
    return rng.choice([f"9{dg(rng, 7)}{rng.choice(L)}", f"{rng.choice(L)}{rng.choice(L)}{dg(rng, 5)}{rng.choice(L)}", f"MCD-{dg(rng, 8)}"])


def policy_no(rng):
    return rng.choice([f"PN-{dg(rng, 8)}", f"HMO-{dg(rng, 4)}-{dg(rng, 4)}", f"POL{dg(rng, 7)}", f"{dg(rng, 3)}-{dg(rng, 6)}-B"])


def subscriber_id(rng):
    L = string.ascii_uppercase
    return rng.choice([f"{''.join(rng.choice(L) for _ in range(3))}{dg(rng, 9)}", f"SUB{dg(rng, 8)}", f"H{dg(rng, 8)}{rng.choice(L)}{rng.choice(L)}"])


def hpid(rng):
    return rng.choice([f"HP-{dg(rng, 4)}-{dg(rng, 4)}", f"HPN{dg(rng, 9)}", f"PLAN-{rng.choice('ABCDEFGHJK')}{dg(rng, 7)}"])


def polis_nl(rng):
    return rng.choice([dg(rng, 9), f"ZK-{dg(rng, 4)}-{dg(rng, 4)}", f"{dg(rng, 3)}.{dg(rng, 3)}.{dg(rng, 3)}"])


# --------------------------------------------------------------------------
# addresses and postal codes
# --------------------------------------------------------------------------
US_CITIES = [("San Francisco", "CA", "941"), ("Oakland", "CA", "946"), ("Chicago", "IL", "606"),
             ("Boston", "MA", "021"), ("Seattle", "WA", "981"), ("Denver", "CO", "802"), ("Portland", "OR", "972"),
             ("New York", "NY", "100"), ("Brooklyn", "NY", "112"), ("Atlanta", "GA", "303"), ("Phoenix", "AZ", "850"),
             ("Miami", "FL", "331"), ("Minneapolis", "MN", "554"), ("Houston", "TX", "770"), ("Philadelphia", "PA", "191"),
             ("Nashville", "TN", "372"), ("Columbus", "OH", "432"), ("Raleigh", "NC", "276"), ("Salt Lake City", "UT", "841"),
             ("Baltimore", "MD", "212"), ("Ann Arbor", "MI", "481"), ("Tucson", "AZ", "857")]
US_STREETS = ["Market Street", "Elm Street", "Oak Avenue", "Maple Drive", "Pine Street", "Cedar Lane", "N Lake Shore Dr",
              "Main Street", "Broadway", "Mission St", "Peachtree Rd NE", "Congress Ave", "Colfax Ave", "Boylston St",
              "Riverside Dr", "Sunset Blvd", "W 34th St", "Hillcrest Road", "Magnolia Ct", "Spring Garden St"]


def zip_us(rng, z3=None):
    z3 = z3 or rng.choice(US_CITIES)[2]
    z = z3 + f"{rng.randint(1, 99):02d}"
    if rng.random() < 0.25:
        z += f"-{rng.randint(1, 9999):04d}"
    return z


def addr_us(rng):
    city, st, z3 = rng.choice(US_CITIES)
    num = rng.choice([str(rng.randint(1, 9999)), str(rng.randint(1, 999)), str(rng.randint(10000, 19999))])
    street = f"{num} {rng.choice(US_STREETS)}"
    unit = rng.choice(["", "", "", f"Apt {rng.randint(1, 30)}{rng.choice('ABCD')}", f"Suite {rng.randint(1, 40) * 100}", f"Unit {rng.randint(1, 20)}"])
    z = M("postal_code", zip_us(rng, z3))
    if unit:
        street = f"{street}, {unit}"
    return rng.choice([f"{street}, {city}, {st} {z}", f"{street}, {city} {st} {z}", f"{street}, {city}, {st}, {z}"])


UK_TOWNS = [("London", ["SW1A", "NW1", "EC1A", "E14", "N1", "SE1", "W1D", "WC2N"]), ("Manchester", ["M1", "M3", "M20"]),
            ("Edinburgh", ["EH1", "EH3"]), ("Leeds", ["LS1", "LS6"]), ("Bristol", ["BS1", "BS8"]),
            ("Cardiff", ["CF10", "CF24"]), ("Glasgow", ["G1", "G12"]), ("Birmingham", ["B1", "B15"]),
            ("York", ["YO1"]), ("Cambridge", ["CB2"]), ("Oxford", ["OX1"]), ("Belfast", ["BT1"])]
UK_STREETS = ["Camden Road", "Deansgate", "Queen Street", "Park Row", "Welsh Back", "Church Lane", "High Street",
              "Mill Road", "Station Road", "Victoria Terrace", "Argyle Street", "Kings Road"]
UK_IN = "ABDEFGHJLNPQRSTUWXYZ"


def uk_pc(rng, town=None):
    t = town or rng.choice(UK_TOWNS)
    return f"{rng.choice(t[1])} {rng.randint(0, 9)}{rng.choice(UK_IN)}{rng.choice(UK_IN)}"


def addr_uk(rng):
    t = rng.choice(UK_TOWNS)
    st = f"{rng.randint(1, 220)} {rng.choice(UK_STREETS)}"
    if rng.random() < 0.3:
        st = f"Flat {rng.randint(1, 12)}, {st}"
    pc = M("postal_code", uk_pc(rng, t))
    return rng.choice([f"{st}, {t[0]} {pc}", f"{st}, {t[0]}, {pc}"])


CA_CITIES = [("Toronto", "ON", ["M5V", "M4W", "M6G"]), ("Ottawa", "ON", ["K1A", "K1P", "K2P"]), ("Vancouver", "BC", ["V6B", "V5K"]),
             ("Montréal", "QC", ["H3B", "H2X"]), ("Calgary", "AB", ["T2P", "T3A"]), ("Halifax", "NS", ["B3J"]), ("Winnipeg", "MB", ["R3C"])]
CA_L = "ABCEGHJKLMNPRSTVWXYZ"


def ca_pc(rng, c=None):
    c = c or rng.choice(CA_CITIES)
    return f"{rng.choice(c[2])} {rng.randint(0, 9)}{rng.choice(CA_L)}{rng.randint(0, 9)}"


def addr_ca(rng):
    c = rng.choice(CA_CITIES)
    pc = M("postal_code", ca_pc(rng, c))
    if c[1] == "QC":
        return f"{rng.randint(10, 2000)}, rue Sainte-Catherine Ouest, {c[0]} (Québec) {pc}"
    st = rng.choice(["King Street West", "Bank Street", "Granville Street", "Spring Garden Road", "Portage Avenue", "Stephen Avenue", "Queen Street East"])
    return rng.choice([f"{rng.randint(1, 999)} {st}, {c[0]}, {c[1]} {pc}", f"{rng.randint(100, 2999)}-{rng.randint(1, 999)} {st}, {c[0]} {c[1]}  {pc}".replace("  ", " ")])


def eu_addr(rng, streets, cities, pc_fn, fmt_fn):
    city, pre = rng.choice(cities)
    return fmt_fn(rng.choice(streets), city, M("postal_code", pc_fn(rng, pre)))


DE_CITIES = [("Berlin", ["101", "104", "107", "109", "120", "130"]), ("München", ["803", "804", "806", "809"]),
             ("Hamburg", ["200", "201", "227"]), ("Köln", ["506", "507", "509"]), ("Frankfurt am Main", ["603", "604", "605"]),
             ("Stuttgart", ["701"]), ("Leipzig", ["041", "043"]), ("Dresden", ["010", "011"]), ("Düsseldorf", ["402"]),
             ("Hannover", ["301"]), ("Nürnberg", ["904"]), ("Bremen", ["281"])]
DE_STREETS = ["Friedrichstraße", "Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Lindenstraße",
              "Am Markt", "Gartenweg", "Kastanienallee", "Berliner Allee", "Rosenheimer Platz", "Ringstraße"]


def plz(rng, pre=None):
    pre = pre or rng.choice(rng.choice(DE_CITIES)[1])
    return pre + f"{rng.randint(1, 99):02d}"


def addr_de(rng):
    city, pres = rng.choice(DE_CITIES)
    n = f"{rng.randint(1, 150)}{rng.choice(['', '', '', 'a', 'b'])}"
    z = M("postal_code", plz(rng, rng.choice(pres)))
    st = rng.choice(DE_STREETS)
    return rng.choice([f"{st} {n}, {z} {city}", f"{st} {n} · {z} {city}", f"{st} {n}, D-{z} {city}"])


def addr_at(rng):
    city, pcs = rng.choice([("Wien", [f"1{d:02d}0" for d in range(1, 24)]), ("Graz", ["8010", "8020"]), ("Linz", ["4020"]),
                            ("Salzburg", ["5020"]), ("Innsbruck", ["6020"])])
    st = rng.choice(["Mariahilfer Straße", "Landstraßer Hauptstraße", "Herrengasse", "Getreidegasse", "Kärntner Straße"])
    return f"{st} {rng.randint(1, 120)}, {M('postal_code', rng.choice(pcs))} {city}"


def addr_ch(rng):
    city, pcs = rng.choice([("Zürich", ["8001", "8004", "8005"]), ("Genève", ["1201", "1204"]), ("Bern", ["3011"]),
                            ("Basel", ["4051"]), ("Lausanne", ["1003"]), ("Luzern", ["6003"])])
    st = rng.choice(["Bahnhofstrasse", "Rue du Rhône", "Marktgasse", "Freie Strasse", "Seefeldstrasse"])
    return rng.choice([f"{st} {rng.randint(1, 120)}, {M('postal_code', rng.choice(pcs))} {city}",
                       f"{st} {rng.randint(1, 120)}, CH-{M('postal_code', rng.choice(pcs))} {city}"])


FR_CITIES = [("Paris", lambda r: f"750{r.randint(1, 20):02d}"), ("Lyon", lambda r: f"6900{r.randint(1, 9)}"),
             ("Marseille", lambda r: f"130{r.randint(1, 16):02d}"), ("Toulouse", lambda r: r.choice(["31000", "31200", "31300"])),
             ("Bordeaux", lambda r: r.choice(["33000", "33800"])), ("Lille", lambda r: r.choice(["59000", "59800"])),
             ("Nantes", lambda r: "44000"), ("Strasbourg", lambda r: "67000"), ("Nice", lambda r: r.choice(["06000", "06100"]))]
FR_STREETS = ["rue de la Paix", "avenue de la République", "boulevard Haussmann", "rue Sainte-Catherine", "place Bellecour",
              "rue du Faubourg Saint-Honoré", "quai des Chartrons", "rue Nationale", "cours Mirabeau", "rue des Lilas"]


def cp_fr(rng):
    return rng.choice(FR_CITIES)[1](rng)


def addr_fr(rng):
    city, f = rng.choice(FR_CITIES)
    n = f"{rng.randint(1, 140)}{rng.choice(['', '', ' bis'])}"
    z = M("postal_code", f(rng))
    return rng.choice([f"{n} {rng.choice(FR_STREETS)}, {z} {city}", f"{n} {rng.choice(FR_STREETS)} {z} {city}"])


def addr_be(rng):
    city, pcs = rng.choice([("Bruxelles", ["1000", "1040", "1050"]), ("Antwerpen", ["2000", "2018"]), ("Gent", ["9000"]),
                            ("Liège", ["4000"]), ("Leuven", ["3000"])])
    st = rng.choice(["Rue Neuve", "Avenue Louise", "Meir", "Korenmarkt", "Bondgenotenlaan"])
    return f"{st} {rng.randint(1, 200)}, {M('postal_code', rng.choice(pcs))} {city}"


NL_CITIES = [("Amsterdam", (1011, 1109)), ("Rotterdam", (3011, 3089)), ("Utrecht", (3511, 3585)), ("Den Haag", (2511, 2597)),
             ("Eindhoven", (5611, 5658)), ("Groningen", (9711, 9747))]
NL_L = "ABCEGHJKLMNPRTVWXZ"


def pc_nl(rng, rngs=None):
    lo, hi = rngs or rng.choice(NL_CITIES)[1]
    sp = " " if rng.random() < 0.8 else ""
    return f"{rng.randint(lo, hi)}{sp}{rng.choice(NL_L)}{rng.choice(NL_L)}"


def addr_nl(rng):
    city, r = rng.choice(NL_CITIES)
    st = rng.choice(["Keizersgracht", "Coolsingel", "Oudegracht", "Stationsplein", "Damrak", "Herestraat", "Prinsengracht"])
    return f"{st} {rng.randint(1, 400)}, {M('postal_code', pc_nl(rng, r))} {city}"


ES_CITIES = [("Madrid", "280", 55), ("Barcelona", "080", 42), ("Valencia", "460", 26), ("Sevilla", "410", 20),
             ("Bilbao", "480", 15), ("Málaga", "290", 18), ("Zaragoza", "500", 21)]


def cp_es(rng, c=None):
    c = c or rng.choice(ES_CITIES)
    return c[1] + f"{rng.randint(1, c[2]):02d}"


def addr_es(rng):
    c = rng.choice(ES_CITIES)
    st = rng.choice(["Calle de Alcalá", "Gran Vía", "Carrer de Mallorca", "Avenida de la Constitución", "Calle Mayor",
                     "Paseo de la Castellana", "Calle Larios"])
    z = M("postal_code", cp_es(rng, c))
    return rng.choice([f"{st} {rng.randint(1, 300)}, {z} {c[0]}", f"{st}, {rng.randint(1, 300)}, {rng.randint(1, 8)}.º {rng.choice('ABCD')}, {z} {c[0]}"])


IT_CITIES = [("Roma", "00", (118, 199), "RM"), ("Milano", "201", (21, 62), "MI"), ("Napoli", "801", (21, 47), "NA"),
             ("Torino", "101", (21, 56), "TO"), ("Bologna", "401", (21, 41), "BO"), ("Firenze", "501", (21, 45), "FI"),
             ("Venezia", "301", (21, 76), "VE"), ("Palermo", "901", (21, 51), "PA")]


def cap_it(rng, c=None):
    c = c or rng.choice(IT_CITIES)
    lo, hi = c[2]
    n = rng.randint(lo, hi)
    return c[1] + (f"{n:03d}" if c[1] == "00" else f"{n:02d}")


def addr_it(rng):
    c = rng.choice(IT_CITIES)
    st = rng.choice(["Via del Corso", "Corso Buenos Aires", "Via Toledo", "Via Garibaldi", "Via Roma", "Piazza Navona", "Via Indipendenza"])
    z = M("postal_code", cap_it(rng, c))
    return rng.choice([f"{st} {rng.randint(1, 250)}, {z} {c[0]}", f"{st} {rng.randint(1, 250)}, {z} {c[0]} ({c[3]})"])


PL_CITIES = [("Warszawa", ["00", "01", "02", "03", "04"]), ("Kraków", ["30", "31"]), ("Gdańsk", ["80"]),
             ("Wrocław", ["50", "51", "53"]), ("Poznań", ["60", "61"]), ("Łódź", ["90", "91", "93"])]


def pc_pl(rng, pres=None):
    pres = pres or rng.choice(PL_CITIES)[1]
    return f"{rng.choice(pres)}-{dg(rng, 3)}"


def addr_pl(rng):
    city, pres = rng.choice(PL_CITIES)
    st = rng.choice(["ul. Marszałkowska", "ul. Floriańska", "ul. Długa", "al. Jerozolimskie", "ul. Piotrkowska", "ul. Świdnicka"])
    n = rng.choice([str(rng.randint(1, 150)), f"{rng.randint(1, 150)}/{rng.randint(1, 60)}", f"{rng.randint(1, 150)} m. {rng.randint(1, 60)}"])
    return f"{st} {n}, {M('postal_code', pc_pl(rng, pres))} {city}"


def addr_pt(rng):
    city, f = rng.choice([("Lisboa", lambda r: f"1{r.randint(0, 9)}{r.randint(0, 9)}0-{dg(r, 3)}"), ("Porto", lambda r: f"4{r.randint(0, 4)}{r.randint(0, 9)}0-{dg(r, 3)}")])
    st = rng.choice(["Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Rua do Ouro"])
    return f"{st}, {rng.randint(1, 300)}, {M('postal_code', f(rng))} {city}"


def addr_se(rng):
    city, pre = rng.choice([("Stockholm", ["111", "113", "114", "116", "118"]), ("Göteborg", ["411", "413"]), ("Malmö", ["211", "214"])])
    st = rng.choice(["Drottninggatan", "Kungsgatan", "Sveavägen", "Storgatan"])
    return f"{st} {rng.randint(1, 120)}, {M('postal_code', rng.choice(pre) + ' ' + dg(rng, 2))} {city}"


def addr_jp(rng):
    k = rng.randrange(3)
    pc = ["100-00", "153-00", "530-00"][k] + f"{rng.randint(1, 99):02d}"
    return [f"〒{M('postal_code', pc)} 東京都千代田区丸の内{rng.randint(1, 3)}-{rng.randint(1, 12)}-{rng.randint(1, 9)}",
            f"{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)} Meguro, Meguro-ku, Tokyo {M('postal_code', pc)}",
            f"〒{M('postal_code', pc)} 大阪府大阪市北区梅田{rng.randint(1, 3)}-{rng.randint(1, 12)}"][k]


def addr_au(rng):
    city, st8, pcs = rng.choice([("Sydney", "NSW", ["2000", "2010", "2060"]), ("Melbourne", "VIC", ["3000", "3141"]),
                                 ("Brisbane", "QLD", ["4000", "4101"]), ("Perth", "WA", ["6000"]), ("Adelaide", "SA", ["5000"]),
                                 ("Hobart", "TAS", ["7000"]), ("Canberra", "ACT", ["2600"])])
    st = rng.choice(["George Street", "Collins Street", "Queen Street", "Hay Street", "Rundle Mall", "Northbourne Avenue"])
    unit = rng.choice(["", f"Level {rng.randint(2, 30)}, ", f"Unit {rng.randint(1, 40)}/"])
    return f"{unit}{rng.randint(1, 500)} {st}, {city} {st8} {M('postal_code', rng.choice(pcs))}"


def addr_in(rng):
    city, state, pre = rng.choice([("Bengaluru", "Karnataka", "5600"), ("Mumbai", "Maharashtra", "4000"), ("New Delhi", "Delhi", "1100"),
                                   ("Chennai", "Tamil Nadu", "6000"), ("Hyderabad", "Telangana", "5000"), ("Pune", "Maharashtra", "4110")])
    st = rng.choice(["MG Road", "Linking Road", "Anna Salai", "Banjara Hills Road No. 12", "FC Road", "Residency Road"])
    pin = M("postal_code", pre + f"{rng.randint(1, 99):02d}")
    return rng.choice([f"{rng.randint(1, 300)}, {st}, {city}, {state} {pin}", f"{st}, {city} - {pin}"])


def addr_br(rng):
    city, uf, f = rng.choice([("São Paulo", "SP", lambda r: f"0{r.randint(1000, 5999)}-{dg(r, 3)}"),
                              ("Rio de Janeiro", "RJ", lambda r: f"2{r.randint(0, 3)}{dg(r, 3)}-{dg(r, 3)}"),
                              ("Curitiba", "PR", lambda r: f"8{r.randint(0, 2)}{dg(r, 3)}-{dg(r, 3)}")])
    st = rng.choice(["Av. Paulista", "Avenida Atlântica", "Rua XV de Novembro", "Rua Augusta"])
    return f"{st}, {rng.randint(1, 3000)}, {city} - {uf}, {M('postal_code', f(rng))}"


def addr_ie(rng):
    city, keys = rng.choice([("Dublin 2", ["D02"]), ("Dublin 4", ["D04"]), ("Cork", ["T12"]), ("Galway", ["H91"]), ("Killarney", ["V93"])])
    al = "ACDEFHKNPRTVWXY"
    code = f"{rng.choice(keys)} {rng.choice(al)}{rng.choice(al + D)}{rng.choice(D)}{rng.choice(al + D)}"
    st = rng.choice(["Grafton Street", "Patrick Street", "Shop Street", "Baggot Street Lower", "Main Street"])
    return f"{rng.randint(1, 120)} {st}, {city}, {M('postal_code', code)}"


ADDR = {"US": addr_us, "UK": addr_uk, "CA": addr_ca, "DE": addr_de, "AT": addr_at, "CH": addr_ch, "FR": addr_fr,
        "BE": addr_be, "NL": addr_nl, "ES": addr_es, "IT": addr_it, "PL": addr_pl, "PT": addr_pt, "SE": addr_se,
        "JP": addr_jp, "AU": addr_au, "IN": addr_in, "BR": addr_br, "IE": addr_ie}


def addr_any(rng):
    return ADDR[rng.choice(list(ADDR) + ["US", "UK", "DE", "FR"])](rng)


def addr_eu(rng):
    return ADDR[rng.choice(["DE", "AT", "CH", "FR", "BE", "NL", "ES", "IT", "PL", "PT", "SE", "IE"])](rng)


# --------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------
HOSTS = ["portal.northwind-health.com", "www.example.org", "example.com", "intranet.contoso.com", "forms.example.gov",
         "cdn.fabrikam.net", "app.example.io", "termine.klinik-example.de", "www.hopital-example.fr", "docs.example.net",
         "status.adatum.com", "www.tailspin-travel.com", "mychart.example-hospital.org", "secure.example.co.uk"]
PATHS = ["/patients/login", "/consent/form-2024.pdf", "/billing/invoices?view=pdf&lang=en", "/help/privacy-notice",
         "/api/v2/webhooks/intake", "/appointments/new?clinic=cardiology", "/de/impressum", "/reset-password?token=Zx81Kq",
         "/docs/hipaa-faq.html#release", "/s/3kF9aQ", "/fr/prise-de-rendez-vous", "/records/request", "/", "/careers/apply?ref=newsletter",
         "/downloads/release-notes", "/en-us/support/contact"]


def url(rng, scheme=None):
    scheme = scheme or rng.choice(["https://", "https://", "https://", "http://"])
    return f"{scheme}{rng.choice(HOSTS)}{rng.choice(PATHS)}"


def url_q(rng):
    return f"https://{rng.choice(HOSTS)}/join?meeting={rng.choice(['k7Fq2', 'AbX91z', 'tele-derm'])}&pwd={rng.choice(['Qm8x', 'rT4vZ', 'n0Pe'])}"


def url_www(rng):
    host = rng.choice(["www.example.org", "www.northwind-health.com", "www.example.de", "www.contoso.com", "www.fabrikam.com",
                       "www.clinica-example.es", "www.example.co.uk", "www.adatum.com"])
    return host + rng.choice(["", "", "/contact", "/impressum", "/patients", "/privacy?lang=fr", "/support/faq"])


# --------------------------------------------------------------------------
# negative-only fillers
# --------------------------------------------------------------------------
def order_no(rng):
    for _ in range(100):
        v = rng.choice([f"ORD-2024-{dg(rng, 7)}", dg(rng, 8), f"A-{dg(rng, 7)}",
                        f"{dg(rng, 3)}-{dg(rng, 7)}-{dg(rng, 7)}", f"SO{dg(rng, 6)}", f"#{dg(rng, 6)}"])
        if not (13 <= len(digit_values(v)) <= 19 and luhn_ok(digit_values(v))):
            return v


def invoice(rng):
    return rng.choice([f"INV-2024-{dg(rng, 5)}", f"RE-2023-{dg(rng, 4)}", f"F2024-{dg(rng, 4)}", f"FV/2024/0{rng.randint(1, 9)}/{dg(rng, 3)}",
                       f"{rng.randint(2019, 2025)}/{dg(rng, 5)}", f"INV{dg(rng, 6)}"])


def track(rng):
    al = string.ascii_uppercase + D
    for _ in range(100):
        v = rng.choice([
            "1Z" + "".join(rng.choice(al) for _ in range(6)) + dg(rng, 10),
            " ".join(dg(rng, 4) for _ in range(5)) + " " + dg(rng, 2),
            f"{dg(rng, 4)} {dg(rng, 4)} {dg(rng, 4)}",
            f"{rng.choice(['RR', 'LX', 'CP'])}{dg(rng, 9)}{rng.choice(['DE', 'GB', 'NL', 'PL'])}",
            f"JJD{dg(rng, 18)}"])
        dv = digit_values(v)
        if not (13 <= len(dv) <= 19 and luhn_ok(dv)):
            return v


def amount(rng):
    return rng.choice([f"${rng.randint(1, 9)},{dg(rng, 3)}.{dg(rng, 2)}", f"${rng.randint(10, 999)}.{dg(rng, 2)}",
                       f"USD {rng.randint(10, 99)},{dg(rng, 3)}.00", f"${rng.randint(20, 400)}"])


def amount_eur(rng):
    return rng.choice([f"{rng.randint(1, 9)}.{dg(rng, 3)},{dg(rng, 2)} €", f"€ {rng.randint(1, 9)}.{dg(rng, 3)},{dg(rng, 2)}",
                       f"{rng.randint(10, 999)},{dg(rng, 2)} EUR", f"EUR {rng.randint(10, 999)}.{dg(rng, 2)}"])


def isbn(rng):
    for _ in range(100):
        body = rng.choice(["978", "979"]) + dg(rng, 9)
        full = body + str(isbn13_check(body))
        if luhn_ok(full):
            continue
        a = rng.randint(1, 2)
        b = rng.randint(2, 5)
        return f"{full[:3]}-{full[3:3 + a]}-{full[3 + a:3 + a + b]}-{full[3 + a + b:12]}-{full[12]}"


def ts(rng):
    d = rdate(rng, 2023, 2025)
    t = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    return rng.choice([f"{d.isoformat()} {t}", f"{d.isoformat()}T{t}Z", f"{MONTHS['ens'][d.month - 1]} {d.day:2d} {t}", f"{d.isoformat()} {t},{dg(rng, 3)}"])


def ts_iso(rng):
    d = rdate(rng, 2023, 2025)
    return f"{d.isoformat()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}{rng.choice(['Z', '+01:00', '-05:00', '.512Z'])}"


def clf_ts(rng):
    d = rdate(rng, 2023, 2025)
    return f"{d.day:02d}/{MONTHS['ens'][d.month - 1]}/{d.year}:{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} +0000"


def ver(rng):
    return rng.choice([f"{rng.randint(0, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}", f"v{rng.randint(1, 3)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}",
                       f"{rng.randint(1, 3)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}-rc{rng.randint(1, 3)}"])


def hexs(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uuid_(rng):
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def mac(rng):
    return ":".join(f"{rng.randint(0, 255):02X}" for _ in range(6))


def routing(rng):
    d = f"{rng.choice(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '21', '22', '26', '31'])}{dg(rng, 6)}"
    return d + str(aba_check(d))


LABS = ["HbA1c 6.5%", "HbA1c 7.1%", "LDL 3.4 mmol/L", "eGFR 58 mL/min/1.73m²", "Hb 13.2 g/dL", "TSH 2.1 mIU/L",
        "CRP 12 mg/L", "K+ 4.1 mmol/L", "WBC 7.8 x10^9/L", "Na 138 mmol/L", "INR 2.4", "ferritin 18 ng/mL"]
ICDS = ["E11.9", "I10", "J45.909", "M54.5", "K21.9", "F32.1", "N39.0", "Z00.00", "E78.5", "J18.9", "I48.91", "E03.9", "R07.9"]
DOSES = ["metformin 500 mg BID", "lisinopril 10 mg daily", "atorvastatin 40 mg qHS", "levothyroxine 75 mcg daily",
         "amoxicillin 500 mg TID", "apixaban 5 mg BID", "sertraline 50 mg daily", "insulin glargine 18 units qHS"]
BICS = ["DEUTDEFF", "COBADEFFXXX", "BNPAFRPP", "NWBKGB2L", "INGBNL2A", "BSCHESMM", "UNCRITMM", "PKOPPLPW", "UBSWCHZH80A", "GEBABEBB"]


def P1(rng, ctx):
    return get_p(ctx, rng, "p1")


def P2(rng, ctx):
    get_p(ctx, rng, "p1")
    return get_p(ctx, rng, "p2")


def _email(rng, ctx, pk):
    p = get_p(ctx, rng, pk) if pk == "p1" else P2(rng, ctx)
    return M("email", email_for(rng, p))


GEN = {
    # names
    "NAME": lambda r, c: M("name", full_name(r, P1(r, c))),
    "NAME2": lambda r, c: M("name", full_name(r, P2(r, c))),
    "GIVEN": lambda r, c: M("name", P1(r, c)[0]),
    "FAMILY": lambda r, c: M("name", P1(r, c)[1]),
    "GIVEN2": lambda r, c: M("name", P2(r, c)[0]),
    "FAMILY2": lambda r, c: M("name", P2(r, c)[1]),
    "NAME_RL": lambda r, c: M("name", P1(r, c)[1]) + ", " + M("name", P1(r, c)[0]),
    "NONDICT": lambda r, c: r.choice(NONDICT),
    # email
    "EMAIL": lambda r, c: _email(r, c, "p1") if r.random() < 0.75 else M("email", email_for(r, person(r))),
    "EMAIL2": lambda r, c: _email(r, c, "p2"),
    "EMAIL_ROLE": lambda r, c: M("email", email_role(r)),
    "EMAIL_ANGLE": lambda r, c: "<" + _email(r, c, "p1") + ">",
    # phones
    "PHONE": lambda r, c: M("phone", phone_any(r)),
    "PHONE_INTL": lambda r, c: M("phone", phone_intl(r)),
    "PHONE_PT": lambda r, c: M("phone", phone_pt(r)),
    "PHONE_SE": lambda r, c: M("phone", phone_se(r)),
    "PHONE_IE": lambda r, c: M("phone", phone_ie(r)),
    "PHONE_BR": lambda r, c: M("phone", phone_br(r)),
    "PHONE_AR": lambda r, c: M("phone", to_script(phone_ar_ascii(r), "ar")),
    "PHONE_FA": lambda r, c: M("phone", to_script(phone_fa_ascii(r), "fa")),
    "PHONE_DEV": lambda r, c: M("phone", to_script(phone_dev_ascii(r), "dev")),
    "PHONE_FW": lambda r, c: M("phone", to_script(phone_fw_ascii(r), "fw")),
    # ssn
    "SSN": lambda r, c: M("ssn", ssn(r)),
    "SSN_SP": lambda r, c: M("ssn", ssn(r, " ")),
    "SSN_BARE": lambda r, c: M("ssn", ssn(r, "")),
    "SSN_FW": lambda r, c: M("ssn", to_script(ssn(r), "fw")),
    "SSN_AR": lambda r, c: M("ssn", to_script(ssn(r), "ar")),
    "NEG_SSN": lambda r, c: neg_ssn(r),
    "ITIN": lambda r, c: itin(r),
    # cards
    "CARD": lambda r, c: M("credit_card", card(r)),
    "CARD_VISA": lambda r, c: M("credit_card", card(r, "visa")),
    "CARD_MC": lambda r, c: M("credit_card", card(r, "mc")),
    "CARD_AMEX": lambda r, c: M("credit_card", card(r, "amex")),
    "CARD_COMPACT": lambda r, c: M("credit_card", card(r, compact=True)),
    "CARD_FW": lambda r, c: M("credit_card", to_script(card(r, r.choice(["visa", "mc", "jcb"])), "fw")),
    "CARD_AR": lambda r, c: M("credit_card", to_script(card(r, r.choice(["visa", "mc"])), "ar")),
    "CARD_DEV": lambda r, c: M("credit_card", to_script(card(r, r.choice(["visa", "mc", "unionpay"])), "dev")),
    "NEG_CARD": lambda r, c: neg_card(r),
    "NEG_CARD_FW": lambda r, c: to_script(neg_card(r), r.choice(["fw", "ar"])),
    # iban
    "IBAN": lambda r, c: M("iban", iban(r)),
    "IBAN_G": lambda r, c: M("iban", iban(r, style="g")),
    "IBAN_C": lambda r, c: M("iban", iban(r, style="c")),
    "NEG_IBAN": lambda r, c: neg_iban(r),
    "BIC": lambda r, c: r.choice(BICS),
    # ip
    "IP4": lambda r, c: M("ip_address", ip4(r)),
    "IP4B": lambda r, c: M("ip_address", ip4(r)),
    "IP4_PRIV": lambda r, c: M("ip_address", ip4_priv(r)),
    "IP6": lambda r, c: M("ip_address", ip6(r)),
    "NEG_IP": lambda r, c: neg_ip(r),
    # dob
    "DOB_PL_ISO": lambda r, c: M("date_of_birth", fmt(rdate(r, 1940, 2012), "iso")),
    # mrn
    "MRN_NUM": lambda r, c: M("medical_record_number", mrn_num(r)),
    "MRN_ALNUM": lambda r, c: M("medical_record_number", mrn_alnum(r)),
    "MRN_DASH": lambda r, c: M("medical_record_number", mrn_dash(r)),
    "MRN": lambda r, c: M("medical_record_number", mrn_any(r)),
    # health plan
    "MEMBER": lambda r, c: M("health_plan_number", member_id(r)),
    "MEDICAID": lambda r, c: M("health_plan_number", medicaid_id(r)),
    "POLICY": lambda r, c: M("health_plan_number", policy_no(r)),
    "SUBSCRIBER": lambda r, c: M("health_plan_number", subscriber_id(r)),
    "HPID": lambda r, c: M("health_plan_number", hpid(r)),
    "MBI": lambda r, c: M("health_plan_number", mbi(r)),
    "MBI_C": lambda r, c: M("health_plan_number", mbi(r, compact=True)),
    "NHS": lambda r, c: M("health_plan_number", nhs(r)),
    "KVNR": lambda r, c: M("health_plan_number", kvnr(r)),
    "NIR": lambda r, c: M("health_plan_number", nir(r)),
    "AUMED": lambda r, c: M("health_plan_number", aumed(r)),
    "POLIS_NL": lambda r, c: M("health_plan_number", polis_nl(r)),
    # postal
    "ADDR_ANY": lambda r, c: addr_any(r),
    "ADDR_EU": lambda r, c: addr_eu(r),
    "ZIP": lambda r, c: M("postal_code", zip_us(r)),
    "UK_PC": lambda r, c: M("postal_code", uk_pc(r)),
    "PLZ": lambda r, c: M("postal_code", plz(r)),
    "CP_FR": lambda r, c: M("postal_code", cp_fr(r)),
    "CAP_IT": lambda r, c: M("postal_code", cap_it(r)),
    "CP_ES": lambda r, c: M("postal_code", cp_es(r)),
    "PC_NL": lambda r, c: M("postal_code", pc_nl(r)),
    "PC_PL": lambda r, c: M("postal_code", pc_pl(r)),
    "PC_CA": lambda r, c: M("postal_code", ca_pc(r)),
    # url
    "URL": lambda r, c: M("url", url(r)),
    "URL_Q": lambda r, c: M("url", url_q(r)),
    "URL_WWW": lambda r, c: M("url", url_www(r)),
    # negatives
    "ORDER": lambda r, c: order_no(r),
    "INVOICE": lambda r, c: invoice(r),
    "TRACK": lambda r, c: track(r),
    "AMOUNT": lambda r, c: amount(r),
    "AMOUNT_EUR": lambda r, c: amount_eur(r),
    "AMOUNT_PLN": lambda r, c: f"{r.randint(1, 9)} {dg(r, 3)},{dg(r, 2)} zł",
    "AMOUNT_GBP": lambda r, c: f"£{r.randint(5, 99)}.{dg(r, 2)}",
    "ISBN": lambda r, c: isbn(r),
    "TS": lambda r, c: ts(r),
    "TS_ISO": lambda r, c: ts_iso(r),
    "CLF_TS": lambda r, c: clf_ts(r),
    "VER": lambda r, c: ver(r),
    "GITSHA": lambda r, c: hexs(r, r.choice([7, 10, 12, 40])),
    "SHA": lambda r, c: hexs(r, 64),
    "SHA_SHORT": lambda r, c: hexs(r, 32),
    "UUID": lambda r, c: uuid_(r),
    "YEAR": lambda r, c: str(r.randint(1988, 2023)),
    "OLD_DATE": lambda r, c: fmt(rdate(r, 1975, 2015), r.choice(["long_us", "iso", "us", "uk", "long_uk"])),
    "MONTHYEAR": lambda r, c: f"{r.choice(MONTHS['en'])} {r.randint(2021, 2025)}",
    "DAYNUM": lambda r, c: str(r.randint(2, 28)),
    "ROOM": lambda r, c: r.choice([str(r.randint(100, 4999)), f"B-{r.randint(100, 499)}", f"{r.randint(1, 9)}.{r.randint(10, 40)}"]),
    "LAB": lambda r, c: r.choice(LABS),
    "ICD": lambda r, c: r.choice(ICDS),
    "DOSE": lambda r, c: r.choice(DOSES),
    "COUNT": lambda r, c: f"{r.randint(1, 99)},{dg(r, 3)}",
    "NUM5": lambda r, c: str(r.randint(10000, 99999)),
    "EMPID": lambda r, c: r.choice([f"E-{dg(r, 7)}", f"EMP{dg(r, 5)}", f"{r.choice('KTX')}{dg(r, 6)}"]),
    "ROUTING": lambda r, c: routing(r),
    "MAC": lambda r, c: mac(r),
    "TICKET": lambda r, c: r.choice([f"INC{dg(r, 7)}", f"SUP-{dg(r, 5)}", f"CHG{dg(r, 7)}", f"HD-{dg(r, 4)}"]),
    "BOOKING": lambda r, c: r.choice([f"ABX-{dg(r, 5)}", "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))]),
    "OTP": lambda r, c: dg(r, 6),
    "TIME": lambda r, c: r.choice([f"{r.randint(7, 18):02d}:{r.randint(0, 59):02d}", f"{r.randint(1, 11)}:{r.randint(0, 59):02d} {r.choice(['am', 'pm'])}"]),
    "SKU": lambda r, c: r.choice([f"{dg(r, 4)}-{dg(r, 2)}-{dg(r, 3)}", f"SKU-{dg(r, 5)}"]),
    "CASE": lambda r, c: r.choice([f"CASE-2024-{dg(r, 6)}", f"SR-{dg(r, 8)}", f"{r.randint(2019, 2024)}-{dg(r, 6)}"]),
    "ASSET": lambda r, c: f"LT-{dg(r, 6)}",
}
for _k, _f in PHONE_BY.items():
    GEN[f"PHONE_{_k}"] = (lambda f: (lambda r, c: M("phone", f(r))))(_f)
for _k in DOB_STYLES:
    GEN[f"DOB_{_k}"] = (lambda k: (lambda r, c: M("date_of_birth", dob(r, k))))(_k)
for _k in DATE_STYLES:
    GEN[f"DATE_{_k}"] = (lambda k: (lambda r, c: adate(r, k)))(_k)
for _k, _f in ADDR.items():
    GEN[f"ADDR_{_k}"] = (lambda f: (lambda r, c: f(r)))(_f)
for _k in IBAN_LEN:
    GEN[f"IBAN_{_k}"] = (lambda k: (lambda r, c: M("iban", iban(r, k))))(_k)

PH = re.compile(r"<<([A-Z0-9_]+)>>")


def _gen_clean(key, rng, ctx):
    """Generate a filler; retry while a non-card value contains a Luhn-valid
    13-19 digit window (it would be an ambiguous credit-card look-alike)."""
    for _ in range(200):
        v = GEN[key](rng, ctx)
        if key.startswith("CARD"):
            return v
        if not luhn_windows(MARK.sub(lambda m: m.group(2), v)):
            return v
    raise AssertionError(key)


def fill(tpl, rng):
    ctx = {}
    return PH.sub(lambda m: _gen_clean(m.group(1), rng, ctx), tpl)


# --------------------------------------------------------------------------
# template banks
# --------------------------------------------------------------------------
DEV_POS = [
    # --- clinical, English
    "Patient <<NAME>>, DOB <<DOB_US>>, MRN <<MRN_NUM>>, presented to the ED with chest pain; BP 142/88, troponin negative, <<LAB>>.",
    "Referral letter: <<NAME>> (D.O.B. <<DOB_UK>>, NHS number <<NHS>>) - please contact the patient on <<PHONE_UK>> or <<EMAIL>>.",
    "Intake form | Name: <<NAME>> | SSN: <<SSN>> | Member ID: <<MEMBER>> | Phone: <<PHONE_US>> | Address: <<ADDR_US>>",
    "Please update the mailing address for MR# <<MRN_ALNUM>> to <<ADDR_US>>; the old one bounced.",
    "<<NAME>> (born <<DOB_LONG_EN>>) was admitted on <<DATE_EN>> with community-acquired pneumonia (J18.9); started on <<DOSE>>.",
    "Progress note: 67 y/o seen for <<ICD>>. Medical record number <<MRN_DASH>>. Daughter <<NAME2>> can be reached at <<PHONE>>.",
    "Patient ID <<MRN_DASH>> - allergies: penicillin; last <<LAB>> on <<DATE_EN>>. Date of birth: <<DOB_ISO>>.",
    "Medicare beneficiary <<NAME>>, MBI <<MBI>>, is due for an annual wellness visit on <<DATE_EN>>.",
    "Eligibility check: subscriber ID <<SUBSCRIBER>>, DOB <<DOB_CLIN>>, coverage active through <<DATE_EN>>.",
    "Chart number <<MRN_DASH>>: <<NAME_RL>> - birthdate <<DOB_US>> - PCP Dr. <<FAMILY2>>.",
    "Lab requisition for <<NAME>>, MRN: <<MRN_NUM>>, insurance number <<MEMBER>>; fax results to <<PHONE_US>>.",
    "Prior authorization request: Medicaid ID <<MEDICAID>>, member <<NAME>>, D.O.B. <<DOB_US>>; prescriber on file.",
    "Nursing handover: <<GIVEN>> in bed 7 (MRN <<MRN_NUM>>), <<LAB>>, wife <<NAME2>> visiting, call <<PHONE_US>> with updates.",
    # --- support / billing
    "Hi, this is <<NAME>>. I was charged twice on my card <<CARD>> for order <<ORDER>> (<<AMOUNT>>). Please refund.",
    "Customer <<NAME>> <<EMAIL_ANGLE>> asks to block card <<CARD>> after it was skimmed at a gas station.",
    "Refund approved: <<AMOUNT_EUR>> will be sent to IBAN <<IBAN>> within 3-5 business days (ticket <<TICKET>>).",
    "Payment method updated: <<CARD_AMEX>> (exp 11/28). Billing ZIP code <<ZIP>>.",
    "Wire instructions - beneficiary: <<NAME>>; IBAN: <<IBAN_G>>; BIC: <<BIC>>; reference: <<INVOICE>>.",
    "Ticket <<TICKET>>: user <<EMAIL>> cannot log in from <<IP4>>; last successful login <<TS>>.",
    "Chat transcript - <<GIVEN>>: my new number is <<PHONE>> and email <<EMAIL>>, can you update my profile? Agent: done!",
    "Please ship the replacement to <<NAME>>, <<ADDR_ANY>>. Contact phone: <<PHONE_INTL>>.",
    "Account holder <<NAME>>, direct debit from <<IBAN_C>>, mandate signed <<DATE_EN>>.",
    "Card ending in 4417 was replaced by <<CARD_MC>>; the old card number is no longer valid.",
    # --- HR
    "New hire packet: <<NAME>>, SSN <<SSN_SP>>, start date <<DATE_EN>>, emergency contact <<NAME2>> (<<PHONE>>).",
    "Direct deposit form - employee <<NAME>>, Social Security No. <<SSN>>, routing number <<ROUTING>>, account ending 0381.",
    "Background check authorization: full name <<NAME>>, date of birth <<DOB_US>>, SSN <<SSN_BARE>>, current address <<ADDR_US>>.",
    "Payroll correction for <<NAME_RL>>: employee ID <<EMPID>>, SSN <<SSN>>; questions to <<EMAIL_ROLE>>.",
    # --- logs
    "<<TS>> sshd[2211]: Accepted publickey for deploy from <<IP6>> port 51234 ssh2",
    "<<TS>> WARN auth: failed password for <<EMAIL>> from <<IP4>> (attempt 3/5)",
    '{"ts":"<<TS_ISO>>","level":"info","client_ip":"<<IP4>>","user":"<<EMAIL>>","path":"/api/v2/profile","status":200}',
    "Firewall rule added: allow tcp from <<IP4>> to <<IP4B>> port 443 (change <<TICKET>>).",
    '<<IP4>> - - [<<CLF_TS>>] "GET /patients/search?q=smith HTTP/1.1" 200 5123',
    "DHCPv6 lease granted: <<IP6>> to host ws-radiology-04 (valid 86400 s).",
    "Webhook delivered to <<URL>> in 182 ms (retry 0).",
    # --- web
    "Download the consent form at <<URL>> before your appointment on <<DATE_EN>>.",
    "More info: <<URL_WWW>> or call <<PHONE_US>> (Mon-Fri, 8am-6pm).",
    "The patient portal moved to <<URL>>; the old link <<URL_WWW>> now redirects.",
    # --- addresses
    "Our office address: <<ADDR_ANY>>. Visitors please register at reception.",
    "Return address: <<ADDR_UK>>. Postcode for the depot is <<UK_PC>>.",
    "Canadian mailing address on file: <<ADDR_CA>>; phone <<PHONE_US>>.",
    "Send the imaging CD to <<ADDR_AU>>, attention <<NAME>>.",
    "Delivery address: <<ADDR_EU>> (ring twice).",
    # --- German
    "Geburtsdatum: <<DOB_DE>>, Versichertennummer <<KVNR>>, wohnhaft <<ADDR_DE>>, Tel. <<PHONE_DE>>.",
    "Frau <<NAME>> (geb. <<DOB_DE>>), Patientennummer <<MRN_NUM>>, wurde am <<DATE_DE>> stationär aufgenommen.",
    "Hallo <<GIVEN>>, bitte überweisen Sie <<AMOUNT_EUR>> auf das Konto <<IBAN_DE>> (Verwendungszweck <<INVOICE>>).",
    "Herr <<NAME>>, KVNR <<KVNR>>, bittet um Rückruf unter <<PHONE_DE>> oder per E-Mail an <<EMAIL>>.",
    "Lieferadresse: <<ADDR_AT>>; Rechnungsadresse: <<ADDR_CH>>.",
    # --- French
    "Mme <<NAME>>, née le <<DOB_FR>>, numéro de dossier <<MRN_DASH>>, tél. <<PHONE_FR>>.",
    "Bonjour, mon adresse est <<ADDR_FR>> et mon portable est le <<PHONE_FR>>. Cordialement, <<GIVEN>>.",
    "M. <<NAME>>, né le <<DOB_FR>>, n° de carte Vitale <<NIR>>, adresse : <<ADDR_FR>>.",
    "Merci de virer le solde sur le compte <<IBAN_FR>> avant le <<DATE_FR>>.",
    "Adresse de livraison : <<ADDR_BE>> - contact : <<EMAIL>>.",
    # --- Spanish
    "Paciente: <<NAME>>, fecha de nacimiento <<DOB_ES>>, domicilio <<ADDR_ES>>, móvil <<PHONE_ES>>.",
    "Estimado <<GIVEN>>: le confirmamos el cargo en la tarjeta <<CARD>> y el reembolso a la cuenta <<IBAN_ES>>.",
    "Número de historia clínica <<MRN_NUM>>; paciente nacido el <<DOB_ES>>; cita el <<DATE_ES>>.",
    # --- Italian
    "Sig.ra <<NAME>>, nata il <<DOB_IT>>, residente in <<ADDR_IT>>, cell. <<PHONE_IT>>.",
    "Per il rimborso indicare l'IBAN <<IBAN_IT>>; per informazioni scrivere a <<EMAIL>>.",
    "Data di nascita: <<DOB_IT>> - numero di cartella clinica <<MRN_NUM>> - CAP <<CAP_IT>>.",
    # --- Dutch
    "Dhr. <<NAME>>, geboren op <<DOB_NL>>, adres <<ADDR_NL>>, tel. <<PHONE_NL>>.",
    "Graag het bedrag overmaken naar <<IBAN_NL>> t.n.v. <<NAME>>.",
    # --- Polish
    "Pacjent <<NAME>>, data urodzenia <<DOB_PL>>, adres: <<ADDR_PL>>, tel. <<PHONE_PL>>.",
    "Proszę o przelew na rachunek <<IBAN_PL>> do dnia <<DATE_PL>>; pytania: <<EMAIL>>.",
    # --- other languages
    "Cliente: <<NAME>>, data de nascimento <<DOB_PT>>, morada <<ADDR_PT>>, telemóvel <<PHONE_PT>>.",
    "Leveransadress: <<ADDR_SE>>, mobil <<PHONE_SE>>.",
    # --- unicode digits
    "Applicant SSN as typed with a full-width IME: <<SSN_FW>>. Please re-enter it with ASCII digits.",
    "社会保障番号：<<SSN_FW>>、電話：<<PHONE_FW>>",
    "رقم البطاقة: <<CARD_AR>> - يرجى عدم مشاركة هذا الرقم.",
    "للتواصل مع المريض: <<PHONE_AR>>",
    "मोबाइल नंबर: <<PHONE_DEV>>, कार्ड: <<CARD_DEV>>",
    "Receipt OCR: card <<CARD_FW>> approved, amount <<AMOUNT>>.",
    # --- mixed
    "Export row (name; dob; phone; zip): <<NAME>>; <<DOB_ISO>>; <<PHONE_US>>; <<ZIP>>",
    "Reminder sent to <<EMAIL>> and by SMS to <<PHONE_INTL>> for MRN <<MRN_ALNUM>>.",
    "NHS No. <<NHS>> | <<NAME>> | <<ADDR_UK>>",
    "Beneficiary ID <<MBI_C>> was reissued after the old card was lost; <<NAME>> confirmed by phone.",
    "The red-white-and-blue card shows <<MBI>>; please update the claim for <<NAME>>.",
    "Patient portal sign-up: <<EMAIL>>, birth date <<DOB_UK>>, postcode <<UK_PC>>.",
    "Guarantor: <<NAME2>>, <<ADDR_US>>, SSN <<SSN>>, health plan ID <<HPID>>.",
    "PLZ <<PLZ>>, Ort unbekannt - bitte bei <<NAME>> nachfragen.",
    "Code postal <<CP_FR>> ; le colis pour <<NAME>> est au point relais.",
    # --- extra density: ssn / card / iban / ip / mrn / url
    "Form W-9 received from <<NAME>>: taxpayer identification number (SSN) <<SSN>>.",
    "Caller verified identity with last name <<FAMILY>> and full SSN <<SSN>>; DOB <<DOB_US>> matched.",
    "SSN: <<SSN_SP>> / DOB: <<DOB_ISO>> / MRN: <<MRN_NUM>>",
    "Applicant's Social Security Number: <<SSN>>; previous address <<ADDR_US>>.",
    "Please redact the SSN <<SSN>> from page 3 of the scanned tax return for <<NAME>>.",
    "Dependents: <<NAME2>> (SSN <<SSN>>).",
    "Social security no. <<SSN_BARE>> keyed without dashes by the clerk.",
    "Student loan application - borrower SSN <<SSN>>, email <<EMAIL>>.",
    "Order <<ORDER>> paid with Visa <<CARD_VISA>>, cardholder <<NAME>>.",
    "Chargeback opened for card <<CARD>>; merchant ref <<INVOICE>>.",
    "PCI scan found a full PAN <<CARD>> in the application log at <<TS>>.",
    "Kreditkarte <<CARD>> gültig bis 08/27 - Inhaber <<NAME>>.",
    "Carte bancaire <<CARD>> refusée, merci d'utiliser une autre carte.",
    "Tarjeta <<CARD_COMPACT>> caducada; el titular <<NAME>> enviará una nueva.",
    "Amex <<CARD_AMEX>> on file for corporate travel; approver <<EMAIL>>.",
    "Donation of <<AMOUNT>> charged to <<CARD>> on <<DATE_EN>>.",
    "Salary account changed to <<IBAN>> effective <<DATE_EN>>.",
    "IBAN (GB): <<IBAN_GB>>; payee <<NAME>>.",
    "Bankverbindung: <<IBAN_AT>>, BIC <<BIC>>.",
    "Rekeningnummer <<IBAN_NL>> hoort bij de zorgverzekeraar.",
    "Coordonnées bancaires : <<IBAN_CH>>.",
    "SEPA mandate: creditor <<NAME>>, debtor IBAN <<IBAN_C>>, amount <<AMOUNT_EUR>>.",
    "Conto corrente intestato a <<NAME>>: <<IBAN_IT>>.",
    "Refund to <<IBAN_IE>> or <<IBAN_PT>>, whichever the customer prefers.",
    "<<TS>> nginx: upstream <<IP4_PRIV>>:8080 timed out for client <<IP4>>",
    "VPN session for <<EMAIL>> from <<IP4>> assigned <<IP4_PRIV>>.",
    "BGP: neighbor <<IP6>> up, peer <<IP6>>.",
    "Suspicious login to the EHR from <<IP4>> for user <<GIVEN>>.",
    "ping <<IP4>>: 64 bytes, ttl=57, time=12.4 ms",
    "X-Real-IP: <<IP4>>",
    "DNS A record points to <<IP4>>; AAAA to <<IP6>>.",
    "MRN <<MRN>> merged into MRN <<MRN>> after duplicate-record review.",
    "Please scan the wristband: medical record number <<MRN_NUM>>, name <<NAME>>.",
    "Specimen labelled with MR# <<MRN_NUM>> and DOB <<DOB_US>>.",
    "Patientennummer: <<MRN_DASH>> - Befund liegt vor.",
    "Chart number <<MRN_ALNUM>> flagged for HIM review.",
    "Reset your password here: <<URL>>.",
    "Survey: <<URL_Q>>",
    "See <<URL_WWW>>, section 4, for the fee schedule.",
    "Redirect chain: <<URL>> -> <<URL>>",
    "Mehr Informationen unter <<URL_WWW>>.",
    "Plus d'infos : <<URL>>",
    "Más información en <<URL_WWW>>.",
    "Webinar recording: <<URL>> (passcode in the invite).",
    "Error fetching <<URL>>: 503 Service Unavailable",
    "Bookmark <<URL_WWW>> and <<URL>> for later.",
    "Insurance card on file: member ID <<MEMBER>>, group 004471, payer ID 87726.",
    "Versichertennummer: <<KVNR>> (gesetzlich versichert seit <<YEAR>>).",
    "Medicaid ID <<MEDICAID>> was terminated; please ask <<NAME>> for the new card.",
    "NHS number: <<NHS>>; registered GP practice at <<ADDR_UK>>.",
    "subscriber ID: <<SUBSCRIBER>> / policy number: <<POLICY>>",
]

DEV_NEG = [
    "Invoice <<INVOICE>> dated <<DATE_EN>> totals <<AMOUNT>>; payment is due by <<DATE_EN>>.",
    "Order <<ORDER>> has shipped. Tracking number: <<TRACK>>.",
    "Deployed build <<VER>> (commit <<GITSHA>>) to production at <<TS>>.",
    "Labs: <<LAB>>, <<LAB>>. Assessment: <<ICD>>. Plan: continue <<DOSE>>.",
    "Payment declined - card number <<NEG_CARD>> failed the checksum.",
    "The IBAN <<NEG_IBAN>> was rejected by the bank (invalid check digits).",
    "Validation error: <<NEG_SSN>> is not a valid Social Security number.",
    "Dropped request: malformed client address <<NEG_IP>> in X-Forwarded-For.",
    "Appointment confirmed for <<DATE_EN>> at 10:30 in room <<ROOM>>.",
    "Will from procurement says the May shipment slipped to June <<DAYNUM>>; mark it in the tracker.",
    "Trace id <<UUID>>, payload sha256 <<SHA>>.",
    "ISBN <<ISBN>>, first published in <<YEAR>>, 412 pages.",
    "Processed <<COUNT>> records in 14 min 32 s; error rate 0.3%.",
    "Warehouse B holds <<NUM5>> units of SKU <<SKU>>.",
    "Termin am <<DATE_DE>> um 14:00 Uhr in Raum <<ROOM>>; bitte die Versichertenkarte mitbringen.",
    "Rendez-vous le <<DATE_FR>> à 9 h 30, salle <<ROOM>>, 2e étage.",
    "Factura <<INVOICE>> con fecha <<DATE_ES>> por un importe de <<AMOUNT_EUR>>.",
    "Docs live at example.com and status.example.org; no login needed.",
    "Requires Python <<VER>> and Node <<VER>>; see the changelog for <<VER>>.",
    "Employee ID <<EMPID>> completed compliance training on <<DATE_EN>>.",
    "Switch port Gi1/0/24 sees MAC <<MAC>> on VLAN 120.",
    "Build failed in src/parser.cpp:212 - std::map::at threw out_of_range.",
    "Vitals: T 38.4 °C, HR 96, SpO2 97% on room air, weight 72.5 kg, BP 128/82.",
    "Q3 revenue was $4,812,330 across <<COUNT>> accounts; churn fell to 2.1%.",
    "Bed 14B, ward 7; discharge planned for <<DATE_EN>> pending PT clearance.",
    "Ticket <<TICKET>> was escalated to tier 2 on <<DATE_EN>>.",
    "The customer typed <<NEG_CARD>>, which the payment form flagged as invalid.",
    "Your one-time code is <<OTP>>. It expires in 10 minutes.",
    "Hotel confirmation <<BOOKING>>: check-in <<DATE_EN>>, 2 nights, total <<AMOUNT>>.",
    "Display: 16:9, 2560x1440, 144 Hz; firmware <<VER>>.",
    "Faktura nr <<INVOICE>> z dnia <<DATE_PL>>, kwota <<AMOUNT_PLN>>.",
    "Bestelling <<ORDER>> wordt op <<DATE_NL>> bezorgd tussen 9:00 en 13:00.",
    "Fattura n. <<INVOICE>> del <<DATE_IT>>, importo <<AMOUNT_EUR>>.",
    "<<NONDICT>> signed the visitor log at <<TIME>> and left a voicemail.",
    "Coded <<ICD>> and <<ICD>>; CPT 99213; NDC 0002-8215-01.",
    "Rx: amoxicillin 875 mg PO BID x 10 days; ibuprofen 400 mg q6h PRN.",
    "Diagnosed with type 2 diabetes on <<OLD_DATE>>; cholecystectomy in <<YEAR>>.",
    "Case number <<CASE>> was closed on <<DATE_EN>> with no further action.",
    "Routing number <<ROUTING>> is listed for domestic wires only.",
    "Pick list: aisle 12, shelf 4, bin <<NUM5>>; 36 cartons.",
    "Benchmark: p50 12 ms, p99 250 ms at 10,000 rps; regression since <<VER>>.",
    "The parser rejects <<NEG_IP>> because one octet is larger than 255.",
    "Card <<NEG_CARD_FW>> was rejected at the kiosk.",
    "Please grant access to the shared drive by Friday; we hope to finish the audit in April.",
    "Booked flight LH 401 on <<DATE_EN>>, seat 23A, fare <<AMOUNT_EUR>>.",
    "Kontoauszug vom <<DATE_DE>>: Saldo <<AMOUNT_EUR>>, 14 Buchungen.",
    "Release <<VER>> fixes CVE-2024-3094 and bumps openssl to 3.0.13.",
    "Sensor 7 recorded 1013.25 hPa at <<TS_ISO>>.",
    "Tax ID (ITIN) <<ITIN>> is on file for the contractor; no SSN was provided.",
    "Sprint review on <<DATE_EN>>: 42 story points done, 7 carried over.",
    "Server uptime 99.95% in <<MONTHYEAR>>; 3 incidents, MTTR 42 min.",
    "Patient education leaflet revision <<VER>> printed for the diabetes clinic.",
    "Shipment of <<COUNT>> masks arrives on <<DATE_EN>>, PO <<ORDER>>.",
    "Member services hours: 8:00-20:00, 7 days a week.",
]

DEV_FIXED = [
    "Test card ⟦credit_card:4111 1111 1111 1111⟧ works in the sandbox, but 4111 1111 1111 1112 is rejected.",
    "Please pay to ⟦iban:DE89 3704 0044 0532 0130 00⟧; the number DE89 3704 0044 0532 0130 06 on the old letterhead has a typo.",
    "Reach ⟦name:Ngozi Okafor⟧ (⟦phone:+234 803 555 0142⟧) or her assistant by email.",
    "Server listens on ⟦ip_address:203.0.113.45⟧:8443 and [⟦ip_address:2001:db8::7⟧]:8443.",
    "Docs: ⟦url:https://docs.example.net/setup⟧. Mirror (⟦url:https://cdn.fabrikam.net/mirror/⟧), or ⟦url:www.example.org/faq⟧, thanks.",
    "Write to ⟦email:ops-team@contoso.com⟧; the page contoso.com/ops is internal only.",
    "The patient, ⟦name:Wanjiru Mwangi⟧, was born on ⟦date_of_birth:29 February 1996⟧ and seen on 1 March 2024.",
    "DOB: ⟦date_of_birth:1/2/57⟧; age 67; last visit 2/1/2024.",
    "⟦name:Kowalski⟧, ⟦name:Piotr⟧ - ur. ⟦date_of_birth:3 maja 1971⟧ w Krakowie.",
    "Version 1.2.3 is out; 300.1.2.3 is not an address and neither is 10.0.300.1.",
    "Call ⟦phone:+1-800-555-0199⟧ ext. 42 or text ⟦phone:415.555.0132⟧.",
    "From: ⟦name:Léa Dubois⟧ <⟦email:lea.dubois@hopital-example.fr⟧> - Objet : rendez-vous du 14/05/2024",
    "Unsubscribe: mailto:⟦email:privacy@northwind-health.com⟧",
    "Amex test ⟦credit_card:378282246310005⟧ and Mastercard ⟦credit_card:5500-0000-0000-0004⟧ are accepted; 5500-0000-0000-0005 is not.",
    "ZIP ⟦postal_code:94105⟧, but the 94105 in the memo is a part count.",
    "Rue de Rivoli 99, ⟦postal_code:75001⟧ Paris - commande n° 75001-B, 3 articles.",
    "⟦name:Maria⟧ met Bartholomew Quince at the fair; Quince later emailed her.",
    "MBI ⟦health_plan_number:1EG4-TE5-MK73⟧ appears on the sample Medicare card.",
    "NHS number ⟦health_plan_number:943 476 5919⟧ was verified against the spine.",
    "Born: ⟦date_of_birth:March 3, 1990⟧; died: April 2, 2021.",
    "IPv6 loopback ⟦ip_address:::1⟧ and IPv4 loopback ⟦ip_address:127.0.0.1⟧ both refused the connection.",
    "Anruf von ⟦name:Jürgen Hoffmann⟧, Tel. ⟦phone:0221 555-0187⟧, wegen Termin am 12.06.2024.",
    "Medical record no. ⟦medical_record_number:000458812⟧ belongs to bed 12, not bed 14.",
    "Patient is 54 y/o, 182 cm, 91 kg; history since 2009; seen 3 times in 2023.",
    "SSN ⟦ssn:219-09-9999⟧ was entered; 219-00-9999 was rejected because the group is 00.",
    "Geb. ⟦date_of_birth:07.11.1962⟧, Aufnahme 03.04.2024, Entlassung 09.04.2024.",
    "Kindly note: June, May and Will are product code names, not people.",
    "Office: ⟦name:Chukwuemeka Adebayo⟧, Suite 1200, 100 Congress Ave, Austin, TX ⟦postal_code:78701-4042⟧.",
    "Visit www dot example dot com or reply STOP to opt out.",
    "commit 9f2c4e1a7b3d5f60a1c2e3d4b5a69788f0e1d2c3 (HEAD -> main) bumps the SDK to 4.12.0.",
    "Policy number ⟦health_plan_number:HMO-3391-7720⟧ covers dependent ⟦name:Sofía Pérez⟧ (DOB ⟦date_of_birth:2011-08-30⟧).",
    "Postal code ⟦postal_code:K1A 0B1⟧ is used by several federal offices in Ottawa.",
    "Room 4127, extension 5521, badge 00417; none of these are phone numbers.",
]


HELD_POS = [
    # --- pharmacy / insurance / clinical
    "Rx label: <<NAME>> - DOB: <<DOB_ISO>> - Medicaid ID <<MEDICAID>> - deliver to <<ADDR_US>>.",
    "Claim for beneficiary <<NAME>>, Medicare number <<MBI>>, date of service <<DATE_US>>; provider callback <<PHONE_US>>.",
    "Discharge summary | <<NAME_RL>> | Chart number: <<MRN_DASH>> | Born on <<DOB_LONG_EN>> | Admitted <<DATE_EN>> | Dx <<ICD>>",
    "Telehealth link for <<GIVEN>>: <<URL_Q>> (expires in 24 h). Questions? <<EMAIL_ROLE>>",
    "Dental recall: <<NAME>>, d.o.b. <<DOB_UK>>, policy number <<POLICY>>, mobile <<PHONE_UK>>.",
    "Voicemail for the front desk: this is <<NAME>>, please call me back on <<PHONE>> about my MRN <<MRN_ALNUM>>.",
    "Radiology order - patient ID <<MRN_NUM>>, DOB <<DOB_CLIN>>, exam CT abdomen w/ contrast, ordering Dr. <<FAMILY2>>.",
    "Health plan ID <<HPID>>, subscriber <<NAME>>, dependent <<NAME2>> (DOB <<DOB_US>>).",
    "Beneficiary ID <<MBI>>; caller <<GIVEN>> confirmed the last four of the card.",
    "Insurance ID: <<MEMBER>> · Group: RX4471 · Payer: Northwind Health",
    "member_id=<<MEMBER>> dob=<<DOB_ISO>> zip=<<ZIP>> plan=PPO-GOLD",
    "Pharmacy benefit card: BIN 610014, PCN MEDDPRIME, member ID <<MEMBER>>, group RX4471.",
    "Sleep study scheduled; MRN <<MRN_DASH>>; insurance number <<SUBSCRIBER>>; patient phone <<PHONE_US>>.",
    "Enrollment confirmation: your Medicare card number <<MBI_C>> is active. Mail goes to <<ADDR_US>>.",
    # --- housing / KYC / travel / commerce
    "Rental application - applicant: <<NAME>>; SSN: <<SSN_SP>>; current address: <<ADDR_US>>; email: <<EMAIL>>.",
    "KYC check passed for <<NAME>> (birthdate <<DOB_ISO>>); payout account <<IBAN_G>>.",
    "Booking ref <<BOOKING>> for <<NAME>> - contact <<EMAIL>> / <<PHONE_INTL>>; card <<CARD>> charged <<AMOUNT>>.",
    "Kindly transfer the deposit to <<IBAN_G>> (account holder: <<NAME>>) and email the receipt to <<EMAIL>>.",
    "Student enrollment: <<NAME>>, born <<DOB_US>>; guardian <<NAME2>>, <<PHONE_US>>, <<ADDR_US>>.",
    "Replacement card <<CARD_MC>> was mailed to <<ADDR_ANY>>.",
    "Disputed transaction on <<CARD_VISA>>: <<AMOUNT>> at a merchant in Lisbon on <<DATE_EN>>.",
    "Saved cards: <<CARD_COMPACT>> (default), <<CARD_AMEX>>.",
    "Subject: Your statement is ready - <<NAME>> <<EMAIL_ANGLE>>",
    "Loyalty account of <<NAME>> linked to <<EMAIL>>; delivery postcode <<UK_PC>>.",
    "Supplier master data: <<NAME>>, <<IBAN_C>>, VAT DE811907980, <<ADDR_DE>>.",
    # --- HR / payroll
    "W-4 / I-9 checklist - legal name <<NAME>>, Social Security number <<SSN>>, home address <<ADDR_US>>.",
    "SSN (no dashes): <<SSN_BARE>> - verify against the card before payroll runs.",
    "Spouse: <<NAME2>>, SSN <<SSN_SP>>, DOB <<DOB_US>>.",
    "Offer letter for <<NAME>> sent to <<EMAIL>>; start date <<DATE_EN>>; SSN on I-9: <<SSN>>.",
    # --- logs / infra
    'nginx: <<IP4>> - - [<<CLF_TS>>] "POST /api/v1/login HTTP/1.1" 401 89 "-" "curl/8.4.0"',
    "kernel: IPv6: eth0: IPv6 duplicate address <<IP6>> used by another host",
    "audit: user=<<EMAIL>> src=<<IP4>> action=export rows=<<COUNT>> result=ok",
    "Asset tag <<ASSET>> assigned to <<NAME>>, last seen at <<IP4_PRIV>> / <<IP6>>.",
    "Interface eth1: inet <<IP4_PRIV>>/24, inet6 <<IP6>>/64, state UP",
    "Registro de acceso: <<IP4>> - usuario <<EMAIL>> - <<TS>>.",
    "Opnieuw ingelogd vanaf <<IP6>> om <<TIME>>.",
    "level=warn msg=\"too many requests\" remote_addr=<<IP4>> retry_after=30s",
    "Blocked <<IP4>> and <<IP6>> after 20 failed logins in 60 s.",
    # --- CRM / messaging
    "CRM note: spoke with <<NAME>>; prefers email (<<EMAIL>>) over phone (<<PHONE>>).",
    "SMS from <<PHONE_INTL>>: running 10 min late, sorry! - <<GIVEN>>",
    "Email signature: <<NAME>> | Billing Coordinator | <<PHONE_US>> ext. 204 | <<URL_WWW>>",
    "Calendar invite from <<EMAIL>>: \"Quarterly review\" on <<DATE_EN>>, dial-in <<PHONE_US>>.",
    "Slack DM from <<GIVEN>>: pls call me at <<PHONE>> after 5, or ping <<EMAIL>>",
    "Portal link: <<URL>>, password reset at <<URL_WWW>>.",
    "See the privacy notice (<<URL>>) and the FAQ at <<URL_WWW>>.",
    "[Book online](<<URL>>) - or phone <<PHONE_INTL>>.",
    # --- German / Austrian / Swiss
    "Mitgliedsbescheinigung: <<NAME>>, geb. <<DOB_DE>>, KVNR <<KVNR>>, Anschrift <<ADDR_DE>>.",
    "Sehr geehrte Frau <<FAMILY>>, Ihre Rückerstattung über <<AMOUNT_EUR>> geht an <<IBAN_DE>>. Rückfragen: <<PHONE_DE>>.",
    "Praxis Dr. <<FAMILY2>>, <<ADDR_DE>>, Telefon <<PHONE_DE>>, Fax <<PHONE_DE>>, <<URL_WWW>>",
    "Patient <<NAME>>, geboren am <<DOB_DE>>, Patientennummer <<MRN_ALNUM>>.",
    "Versand an: <<ADDR_CH>>; Telefon <<PHONE_CH>>.",
    "Lieferung an <<NAME>>, <<ADDR_AT>>; Zahlung per Karte <<CARD>>.",
    # --- French / Belgian
    "Carte Vitale n° <<NIR>> - assurée : <<NAME>>, date de naissance : <<DOB_FR>>.",
    "Votre conseillère <<NAME>> vous rappellera au <<PHONE_FR>>. Adresse de l'agence : <<ADDR_FR>>.",
    "N° de dossier patient : <<MRN_DASH>> ; né le <<DOB_FR>> ; médecin traitant : Dr <<FAMILY2>>.",
    "Veuillez effectuer le virement sur <<IBAN_BE>> en mentionnant la référence <<INVOICE>>.",
    # --- Spanish
    "Número de historia clínica: <<MRN_ALNUM>>. Paciente <<NAME>>, nacida el <<DOB_ES>>, teléfono <<PHONE_ES>>.",
    "Hola <<GIVEN>>, te escribo desde <<EMAIL>>; mi nueva dirección es <<ADDR_ES>>.",
    "Datos bancarios del proveedor: titular <<NAME>>, cuenta <<IBAN_ES>>, código postal <<CP_ES>>.",
    # --- Italian
    "Gentile <<NAME>>, la prenotazione del <<DATE_IT>> è confermata. Per info: <<PHONE_IT>> oppure <<EMAIL>>.",
    "Paziente nato il <<DOB_IT>>, n. cartella clinica <<MRN_NUM>>, indirizzo <<ADDR_IT>>.",
    # --- Dutch
    "Beste <<GIVEN>>, uw polisnummer is <<POLIS_NL>>; wij sturen de pas naar <<ADDR_NL>>.",
    "Geboortedatum <<DOB_NL>> - patiëntnummer <<MRN_NUM>> - mobiel <<PHONE_NL>>.",
    # --- Polish
    "Szanowna Pani <<NAME>>, prosimy o przelew na rachunek <<IBAN_PL>> do dnia <<DATE_PL>>.",
    "Dane pacjenta: <<NAME>>, ur. <<DOB_PL>>, nr karty pacjenta <<MRN_NUM>>, kod pocztowy <<PC_PL>>.",
    # --- rest of world
    "Australian Medicare card <<AUMED>> for <<NAME>>, <<ADDR_AU>>.",
    "NHS No: <<NHS>> | Name: <<NAME>> | DOB: <<DOB_UK>> | Postcode: <<UK_PC>>",
    "Please mail the reimbursement cheque to <<ADDR_UK>> and confirm by email to <<EMAIL>>.",
    "Customer in Japan: <<ADDR_JP>>, tel <<PHONE_JP>>.",
    "India office: <<ADDR_IN>>; reception <<PHONE_IN>>.",
    "Escritório: <<ADDR_BR>>, fone <<PHONE_BR>>.",
    "Irish clinic: <<ADDR_IE>>; phone <<PHONE_IE>>.",
    "Canadian warehouse: <<ADDR_CA>> (loading dock at rear).",
    "Postal code <<PC_CA>> - please double-check the unit number for <<NAME>>.",
    "Konto IBAN <<IBAN>> należy do <<NAME>>.",
    # --- unicode digits
    "美国社会安全号码：<<SSN_FW>>；电话：<<PHONE_FW>>",
    "رقم الضمان الاجتماعي: <<SSN_AR>>",
    "تم الدفع بالبطاقة <<CARD_AR>> بنجاح.",
    "कृपया <<PHONE_DEV>> पर संपर्क करें।",
    "شماره همراه: <<PHONE_FA>>",
    "Card number pasted from a PDF with full-width digits: <<CARD_FW>>",
    "Tél. <<PHONE_AR>> (saisi sur un clavier arabe) - patient <<NAME>>.",
    # --- extra density: ssn / card / iban / ip / mrn / url
    "Tax preparer note: client <<NAME>>, SSN <<SSN>>, filing status MFJ.",
    "Verification script: last name <<FAMILY>>, SSN <<SSN_SP>>, ZIP <<ZIP>>.",
    "SSN/DOB: <<SSN>> / <<DOB_US>>",
    "Identity theft report - SSN <<SSN>> was used to open accounts at two banks.",
    "Please shred the photocopy showing Social Security number <<SSN>>.",
    "Beneficiary designation: <<NAME2>>, SSN <<SSN>>, relationship: son.",
    "Social Security #: <<SSN_BARE>>",
    "Unemployment claim for <<NAME>> (SSN <<SSN>>) was approved.",
    "POS receipt: VISA <<CARD_VISA>> AUTH 071553 APPROVED",
    "Fraud alert: card <<CARD>> used online at <<TIME>>.",
    "Zahlung mit Mastercard <<CARD_MC>> erfolgreich.",
    "Pagamento con carta <<CARD>> non riuscito.",
    "Karta płatnicza <<CARD>> została zastrzeżona na prośbę <<NAME>>.",
    "Leaked dump row: <<CARD_COMPACT>>|09/26|<<NAME>>",
    "Accepted at checkout: <<CARD>>",
    "Payout IBAN: <<IBAN_C>>",
    "Bitte den Betrag auf <<IBAN_DE>> überweisen.",
    "Bankgegevens: <<IBAN_NL>> (BIC <<BIC>>).",
    "RIB / IBAN : <<IBAN_FR>>",
    "Beneficiary bank account (IBAN) <<IBAN_GB>>, account name <<NAME>>.",
    "Numer rachunku: <<IBAN_PL>>",
    "IBAN svizzero: <<IBAN_CH>>",
    "Terugbetaling naar <<IBAN_BE>>.",
    "Traceroute hop 3: <<IP4>> 14.2 ms",
    "New sign-in to your account from <<IP4>>. Not you? Visit <<URL>>.",
    "fail2ban.actions: NOTICE [sshd] Ban <<IP4>>",
    "ip6tables -A INPUT -s <<IP6>> -j DROP",
    "Client <<IP6>> requested /healthz",
    "Session <<UUID>> moved from <<IP4>> to <<IP4B>>.",
    "MRN# <<MRN_NUM>> - pre-op checklist complete.",
    "Merge request: medical record number <<MRN>> duplicates <<MRN>>.",
    "Lab accession <<CASE>> for MRN <<MRN_ALNUM>>.",
    "patient ID: <<MRN_DASH>>; encounter closed.",
    "numéro de dossier <<MRN_NUM>> transmis au service d'imagerie.",
    "Unsubscribe at <<URL>>.",
    "Apply online: <<URL_WWW>>",
    "Meeting link <<URL_Q>>",
    "Source: <<URL>>, retrieved <<DATE_EN>>.",
    "Más detalles: <<URL>>",
    "Weitere Infos: <<URL>>",
    "Our new site <<URL_WWW>> replaces <<URL_WWW>>.",
    "curl -sS <<URL>> | jq .",
    "QR code resolves to <<URL>>",
    "Visit <<URL_WWW>>, then click Sign in.",
    "Your new member ID is <<MEMBER>>. Keep this card with you at all times.",
    "Numéro d'assuré social (carte Vitale) : <<NIR>>",
    "Medicare card: <<AUMED>> - valid to 06/2027.",
]

HELD_NEG = [
    "Your statement for <<MONTHYEAR>> is ready; balance due <<AMOUNT>> by <<DATE_EN>>.",
    "Parcel <<TRACK>> is out for delivery; estimated arrival 14:00-18:00.",
    "Rolled back to <<VER>> after the <<VER>> release broke login (see <<GITSHA>>).",
    "A1c 6.5%, fasting glucose 7.2 mmol/L, creatinine 88 µmol/L; dx <<ICD>>.",
    "Card <<NEG_CARD>> could not be verified; please re-enter the number.",
    "Transfer to <<NEG_IBAN>> bounced: IBAN checksum mismatch.",
    "SSA says <<NEG_SSN>> was never issued; ask the applicant for the card.",
    "Ignoring bogus peer <<NEG_IP>> from config line 42.",
    "Follow-up visit booked for <<DATE_US>> at 3:15 pm with the nurse practitioner.",
    "Please mark June 30 as the cutoff; May and Will both agreed at standup.",
    "Request id <<UUID>>; object etag <<SHA_SHORT>>.",
    "Reading list: ISBN <<ISBN>> and ISBN <<ISBN>>.",
    "Nightly job imported <<COUNT>> rows and skipped 17 duplicates.",
    "Inventory count for bin <<NUM5>>: 240 units, 3 damaged.",
    "Ihr Paket <<TRACK>> wird am <<DATE_DE>> zugestellt.",
    "Votre facture n° <<INVOICE>> du <<DATE_FR>> s'élève à <<AMOUNT_EUR>>.",
    "Pedido <<ORDER>> enviado el <<DATE_ES>>; llegará en 2-3 días hábiles.",
    "Check status.example.net or the wiki page on example.org for outages.",
    "Supported: Java 17, Go 1.22.1, Rust 1.77.2, Postgres 16.2.",
    "Contractor badge <<EMPID>> expires on <<DATE_EN>>.",
    "Unknown device <<MAC>> joined the guest Wi-Fi at <<TIME>>.",
    "Segfault in libcrypto; see core dump <<GITSHA>>.",
    "Peak flow 420 L/min, FEV1 2.8 L (78% predicted), RR 18.",
    "Donations reached EUR 12,480 from 312 donors in <<YEAR>>.",
    "Operating room 4 is booked from 07:30 to 11:00 on <<DATE_EN>>.",
    "Incident <<TICKET>> resolved; RCA due <<DATE_EN>>.",
    "OTP <<OTP>> - do not share this code with anyone.",
    "Reservation <<BOOKING>>, table for 4 on <<DATE_EN>> at 19:30.",
    "Screen ratio 21:9 at 3440x1440; update firmware to <<VER>>.",
    "Zamówienie <<ORDER>> zostanie dostarczone <<DATE_PL>>.",
    "Factuur <<INVOICE>> van <<DATE_NL>>: totaal <<AMOUNT_EUR>>.",
    "Ordine <<ORDER>> spedito il <<DATE_IT>>.",
    "Visitor <<NONDICT>> was escorted to the lab at <<TIME>>.",
    "Billing codes: <<ICD>>, <<ICD>>; modifier 25; units 2.",
    "Warfarin 5 mg daily, target INR 2.0-3.0; recheck in 7 days.",
    "History: appendectomy on <<OLD_DATE>>, fractured wrist in <<YEAR>>.",
    "Support case <<CASE>> reopened on <<DATE_EN>>.",
    "ABA <<ROUTING>>, SWIFT <<BIC>> - use for domestic wires only.",
    "Order total <<AMOUNT>> for 3 items; promo code SPRING24 applied.",
    "Latency dropped from 230 ms to 85 ms after the <<VER>> upgrade.",
    "Kiosk log: card <<NEG_CARD_FW>> failed the Luhn check.",
    "Rose and June cleared the backlog; Grant will review on Monday.",
    "Your subscription renews on <<DATE_EN>> for <<AMOUNT_GBP>>.",
    "Meter reading 48213 kWh on <<DATE_EN>>.",
    "Gate B12, boarding 18:45, flight AF 1234 to Lyon.",
    "Lot <<CASE>> recalled; expiry 2026-08.",
    "Quote <<INVOICE>> valid until <<DATE_EN>>; 15% discount on orders above <<AMOUNT>>.",
    "IBAN <<NEG_IBAN>> does not validate; please confirm with the payee.",
    "Mass-mailing opened 12,480 times; 318 clicks; 4 bounces.",
    "Sensor firmware <<VER>> reports 21.5 °C and 48% RH at <<TS>>.",
    "Batch <<NUM5>> passed QC on <<DATE_EN>>; 0 defects.",
    "Claim adjudicated: allowed <<AMOUNT>>, patient responsibility <<AMOUNT>>.",
    "Docker image tag <<VER>>, digest sha256:<<SHA>>.",
    "The 5K run starts at 8:30; bib numbers 1001-2500.",
]

HELD_FIXED = [
    "Discover test card ⟦credit_card:6011 0009 9013 9424⟧ passes; 6011 0009 9013 9425 does not.",
    "Example UK IBAN ⟦iban:GB29 NWBK 6016 1331 9268 19⟧ is used in many manuals; GB29 NWBK 6016 1331 9268 18 fails.",
    "French account ⟦iban:FR7630006000011234567890189⟧ (compact form).",
    "Markdown: [patient portal](⟦url:https://mychart.example-hospital.org/login⟧) | <⟦url:http://docs.example.net/api⟧>",
    "Config: listen=⟦ip_address:0.0.0.0⟧; upstream=⟦ip_address:10.20.30.40⟧; v6=⟦ip_address:2001:db8:0:0:0:0:2:1⟧;",
    "⟦name:Olena⟧ called back at 16:40; ⟦name:Shevchenko⟧ is her married name.",
    "Dr. ⟦name:Iyer⟧'s clinic moved to 41 Residency Road, Bengaluru ⟦postal_code:560025⟧.",
    "Alt contact (⟦email:amara.okafor+clinic@example.com⟧); the old alias without the tag bounced.",
    "D.O.B. ⟦date_of_birth:12-Aug-1949⟧; date of death 03-Jan-2022; autopsy declined.",
    "fecha de nacimiento: ⟦date_of_birth:5 de enero de 1980⟧; fecha de ingreso: 5 de enero de 2024.",
    "née le ⟦date_of_birth:1er avril 1955⟧, hospitalisée le 2 avril 2024.",
    "Subnet 192.168.1 is incomplete; 192.168.1.300 is out of range; version 10.4.2 is a release.",
    "SSN ⟦ssn:123 45 6789⟧ (spaces) - the form also shows 987-65-4321, an invalid range used in ads.",
    "The MBI on the letter is ⟦health_plan_number:5TP9UQ8RK61⟧ (no dashes).",
    "Chart number ⟦medical_record_number:CH-0099127⟧ / room 0099 / bed 127.",
    "Hamburg office: Jungfernstieg 7, ⟦postal_code:20354⟧ Hamburg; it has 38 desks and ticket 20354 is still open.",
    "Phone in parentheses: (⟦phone:+44 20 7946 0321⟧) and with extension ⟦phone:(212) 555-0147⟧ x12.",
    "Greetings from ⟦name:Siobhan Gallagher⟧ and Perpetua Dawlish, both at the Cork office.",
    "SHA-1 da39a3ee5e6b4b0d3255bfef95601890afd80709; UUID 123e4567-e89b-12d3-a456-426614174000.",
    "ISBN 978-0-306-40615-7 is cited on page 212 of the 2019 edition.",
    "Meeting notes 2024-05-17: budget 48,000; headcount 12; next review 2024-06-14.",
    "KVNR ⟦health_plan_number:A123456780⟧ steht auf der Gesundheitskarte.",
    "Patient ID ⟦medical_record_number:PT-2024-00981⟧ - HbA1c 8.2% - E11.65 - metformin 1000 mg BID.",
    "⟦url:www.example.org⟧ is down; try ⟦url:https://www.example.org/status⟧ later.",
    "Reply to ⟦email:hr-onboarding@adatum.com⟧ by Friday (⟦url:https://intranet.contoso.com/hr⟧).",
    "US ZIP ⟦postal_code:10001⟧ vs order 10001 vs 10,001 items.",
    "Kod pocztowy ⟦postal_code:00-950⟧ Warszawa; nr zamówienia 00-950/2024.",
    "Geboren op ⟦date_of_birth:14-09-1988⟧, opname 02-03-2024, ontslag 05-03-2024.",
    "Call center hours 08:00-20:00; queue 4; avg wait 3:45.",
    "Resolvers in use: ⟦ip_address:8.8.4.4⟧ and ⟦ip_address:1.1.1.1⟧; fallback disabled.",
]


def build(pos, neg, fixed, seed, reps_pos, reps_neg):
    rng = random.Random(seed)
    out, seen = [], set()
    for bank, reps in ((pos, reps_pos), (neg, reps_neg), (fixed, 1)):
        for t in bank:
            for _ in range(reps):
                for _try in range(20):
                    line = fill(t, rng)
                    if line not in seen:
                        break
                if line in seen:
                    continue
                seen.add(line)
                out.append(line)
    rng.shuffle(out)
    return out


HEADER = """# PII / health-identifier evaluation corpus ({which}).
# One example per line; identifiers are marked as \u27e6category:value\u27e7; everything unmarked is a negative.
# Generated by scripts/pii-corpus.py (deterministic); see README.md in this directory.
"""


def write_corpus(path, lines, which):
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER.format(which=which))
        for ln in lines:
            assert "\n" not in ln and not ln.startswith("#") and ln.strip(), ln
            f.write(ln + "\n")


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------
MARK = re.compile("\u27e6([^:\u27e6\u27e7]*):([^\u27e6\u27e7]*)\u27e7")
WORD = re.compile(r"[^\W\d_]+")
LABEL_PATTERNS = {
    "date_of_birth": r"\b(?:DOB|D\.O\.B\.|d\.o\.b\.|dob|date of birth|Date of birth|born(?: on)?|[Bb]irth ?date|Geburtsdatum|geb\.|geboren am|née? le|date de naissance|fecha de nacimiento|nacid[oa] el|data di nascita|nat[oa] il|geboren op|[Gg]eboortedatum|data urodzenia|ur\.|data de nascimento)\b",
    "medical_record_number": r"(?:\bMRN\b|MR#|[Mm]edical [Rr]ecord [Nn](?:umber|o\.)|[Pp]atient ID|[Cc]hart number|Patientennummer|num[ée]ro de dossier|historia cl[íi]nica|cartella clinica|pati[ëe]ntnummer|karty pacjenta)",
    "health_plan_number": r"(?:[Mm]ember ID|[Hh]ealth plan ID|[Pp]olicy number|[Ss]ubscriber ID|[Ii]nsurance (?:number|ID)|Medicare (?:number|card)|Medicaid ID|[Bb]eneficiary ID|Versichertennummer|KVNR|[Cc]arte Vitale|NHS (?:number|No)|polisnummer)",
}


def parse_line(line):
    """Return (plain, masked, spans); masked = plain with spans replaced by U+2591 runs."""
    plain, masked, spans = [], [], []
    pos = 0
    for m in MARK.finditer(line):
        pre = line[pos:m.start()]
        plain.append(pre)
        masked.append(pre)
        spans.append((m.group(1), m.group(2)))
        plain.append(m.group(2))
        masked.append("\u2591" * len(m.group(2)))
        pos = m.end()
    plain.append(line[pos:])
    masked.append(line[pos:])
    return "".join(plain), "".join(masked), spans


def check_value(cat, v):
    errs = []
    if cat not in CATS:
        return [f"unknown category {cat!r}"]
    if v != v.strip() or not v:
        errs.append("value has surrounding whitespace / empty")
    if cat == "credit_card":
        dv = digit_values(v)
        if not re.fullmatch(r"[\d \-]+", v) or not 13 <= len(dv) <= 19 or not luhn_ok(dv):
            errs.append("card fails Luhn/length")
    elif cat == "iban":
        if not iban_ok(v) or not (" " not in v or v == group4(v.replace(" ", ""))):
            errs.append("bad IBAN")
    elif cat == "ssn":
        if not re.fullmatch(r"\d{3}([- ]?)\d{2}\1\d{4}", v) or not ssn_valid(v):
            errs.append("bad SSN")
    elif cat == "ip_address":
        try:
            ipaddress.ip_address(v)
        except ValueError:
            errs.append("bad IP")
    elif cat == "phone":
        n = len(digit_values(v))
        if not 7 <= n <= 15 or not re.fullmatch(r"[+(\d][\d ().\-]*\d", v):
            errs.append(f"bad phone ({n} digits)")
    elif cat == "email":
        if not re.fullmatch(r"[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}", v):
            errs.append("bad email")
    elif cat == "url":
        if not re.match(r"(https?://|www\.)", v) or v[-1] in ".,);:!?" or " " in v:
            errs.append("bad url")
    elif cat == "name":
        if not re.fullmatch(r"\S+( \S+)*", v) or any(w not in NAMES for w in v.split(" ")):
            errs.append("name span has non-dictionary word")
    elif cat == "medical_record_number":
        if not re.fullmatch(r"[A-Za-z0-9\-]{5,15}", v):
            errs.append("bad MRN")
    elif cat == "date_of_birth":
        if not re.search(r"\d", v):
            errs.append("DOB without digits")
    return errs


def scan_negatives(masked):
    """Things in unmarked text that look like a positive of a checkable category."""
    errs = []
    for m in re.finditer(r"[\w.+\-]+@[\w\-]+(\.[\w\-]+)+", masked):
        errs.append(f"unlabelled email {m.group()!r}")
    for m in re.finditer(r"(https?://|\bwww\.)\S+", masked):
        errs.append(f"unlabelled url {m.group()!r}")
    for m in re.finditer(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d])", masked):
        if all(int(x) <= 255 for x in m.groups()):
            errs.append(f"unlabelled IPv4 {m.group()!r}")
    for m in re.finditer(r"\d+(?:\.\d+){3,}", masked):
        if m.group().count(".") == 3 and all(int(x) <= 255 for x in m.group().split(".")):
            pass  # reported above
        elif m.group().count(".") > 3:
            errs.append(f"dotted number with >4 parts {m.group()!r}")
    for m in re.finditer(r"(?<![\w:])[0-9A-Fa-f:]*:[0-9A-Fa-f:]+(?![\w:])", masked):
        try:
            ipaddress.IPv6Address(m.group())
            errs.append(f"unlabelled IPv6 {m.group()!r}")
        except ValueError:
            pass
    for w in luhn_windows(masked):
        errs.append(f"unlabelled Luhn-valid number {w!r}")
    for m in re.finditer(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b", masked):
        if iban_ok(m.group()):
            errs.append(f"unlabelled valid IBAN {m.group()!r}")
    for m in re.finditer(r"(?<![\d\-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d\-])", masked):
        if ssn_valid(m.group()):
            errs.append(f"unlabelled SSN-shaped valid number {m.group()!r}")
    for m in MBI_RE.finditer(masked):
        errs.append(f"unlabelled MBI {m.group()!r}")
    for m in WORD.finditer(masked):
        if m.group() in NAMES:
            errs.append(f"unlabelled dictionary name {m.group()!r}")
    return errs


def check_adjacent_names(line):
    """A dictionary word separated by a single space from a name span must be inside it."""
    errs = []
    for m in re.finditer("\u27e6name:([^\u27e7]*)\u27e7", line):
        before = line[:m.start()]
        after = line[m.end():]
        b = re.search(r"([^\W\d_]+) $", before)
        a = re.match(r" ([^\W\d_]+)", after)
        if (b and b.group(1) in NAMES) or (a and a.group(1) in NAMES):
            errs.append("name span not maximal")
        if before.endswith("\u27e7") and re.search("\u27e6name:[^\u27e7]*\u27e7$", before):
            errs.append("two name spans touching")
    return errs


def label_warnings(masked):
    warns = []
    for cat, pat in LABEL_PATTERNS.items():
        for m in re.finditer(pat, masked):
            tail = masked[m.end():m.end() + 6]
            t = re.sub(r"^[\s:#.=\-|()\"']+", "", tail)
            if t and (t[0].isdigit() or (t[0].isupper() and t[:2].isalnum() and any(ch.isdigit() for ch in tail))):
                warns.append(f"{cat} label {m.group()!r} followed by unmarked {tail!r}")
    return warns


def validate(path):
    counts = Counter()
    uni = Counter()
    n_lines = n_neg = 0
    problems = []
    warns = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            n_lines += 1
            stripped = MARK.sub("", line)
            if OPEN in stripped or CLOSE in stripped:
                problems.append((ln, "stray marker bracket"))
            plain, masked, spans = parse_line(line)
            if not spans:
                n_neg += 1
            for cat, v in spans:
                if cat != "credit_card" and luhn_windows(v):
                    problems.append((ln, f"non-card span with Luhn-valid window: {cat}:{v!r}"))
                for e in check_value(cat, v):
                    problems.append((ln, f"{e}: {cat}:{v!r}"))
                counts[cat] += 1
                if has_lookalike(v):
                    uni[cat] += 1
            for e in scan_negatives(masked) + check_adjacent_names(line):
                problems.append((ln, e))
            for w in label_warnings(masked):
                warns.append((ln, w))
    return counts, uni, n_lines, n_neg, problems, warns


def report(path):
    counts, uni, n_lines, n_neg, problems, warns = validate(path)
    print(f"== {display_path(path)}: {n_lines} lines, {n_neg} negative-only, {sum(counts.values())} spans")
    for c in CATS:
        flag = "" if counts[c] >= 40 else "   <-- below 40"
        print(f"   {c:24s} {counts[c]:4d}{flag}")
    print(f"   unicode-digit positives: {sum(uni.values())} {dict(uni)}")
    for ln, p in problems:
        print(f"   ERROR line {ln}: {p}")
    for ln, w in warns:
        print(f"   warn  line {ln}: {w}")
    ok = not problems and all(counts[c] >= 40 for c in CATS) and n_lines >= 300 and sum(uni.values()) >= 10
    return ok


def generate(out_dir):
    with open(os.path.join(out_dir, "names.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(GIVEN + FAMILY) + "\n")
    write_corpus(os.path.join(out_dir, "dev.txt"), build(DEV_POS, DEV_NEG, DEV_FIXED, 20240307, 3, 3), "dev")
    write_corpus(os.path.join(out_dir, "heldout.txt"), build(HELD_POS, HELD_NEG, HELD_FIXED, 19840703, 3, 3), "heldout: measurement only")


def check(out_dir):
    ok = True
    for n in ("dev.txt", "heldout.txt"):
        ok &= report(os.path.join(out_dir, n))
    return ok
