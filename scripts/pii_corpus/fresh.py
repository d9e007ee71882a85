"""Generate and check tests/fixtures/pii/fresh.txt.

fresh.txt is a measurement-only evaluation file for the personal/health
identifier detector. It was written later than dev.txt and heldout.txt, by a
writer who saw neither of them nor the detector, from a template bank written
from scratch. See tests/fixtures/pii/README.md for the format and the span
conventions it follows.

    python3 scripts/pii-corpus.py fresh           # regenerate fresh.txt, then check it
    python3 scripts/pii-corpus.py fresh --check   # only validate the existing file

Standard library only; fixed seed, so the output is deterministic.
"""

from __future__ import annotations

import ipaddress
import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from . import validators
from .validators import (
    CATEGORIES, MBI_ALPHA, MBI_RE, aba_check, ascii_digits, au_medicare_check, be_account_check,
    codice_fiscale_check, display_path, es_control_digit, fr_rib_key, group4, has_lookalike, iban_lengths,
    iban_make, isbn13_check, kvnr_check, luhn_complete, luhn_ok, mark as M, nhs_check, nir_key,
    npi_check_digit, read_names, ssn_valid, to_script,
)

OUTPUTS = ("fresh.txt",)
SEED = 20250611
MIN_PER_CATEGORY = 45
MIN_LINES = 300
MIN_NEGATIVE_LINES = 100
MIN_LOOKALIKE = 10
POSITIVE_PASSES = 3
NEGATIVE_PASSES = 2

MARKER = re.compile(r"⟦([^:⟦⟧]*):([^⟦⟧]*)⟧")
HOLE = "\x00"  # stands in for a marked span when the unmarked text is checked

# ----------------------------------------------------------------------------
# check-digit helpers
# ----------------------------------------------------------------------------


IBAN_LENGTHS = iban_lengths("AE AT BE BR CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LT LU LV MT NL NO PL PT RO "
                            "SA SE SI SK TR")


def iban_valid(compact: str) -> bool:
    """Length and mod-97, and for BE also the national account check."""
    return validators.iban_valid(compact, IBAN_LENGTHS) and (
        compact[:2] != "BE" or be_account_check(compact[4:14]) == int(compact[14:]))


def pesel_check(ten: str) -> int:
    w = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    return (10 - sum(int(d) * k for d, k in zip(ten, w)) % 10) % 10


def luhn_windows(s: str) -> list[str]:
    """Luhn-valid 13-19 digit strings that start and end on token boundaries."""
    return [digits for _, _, digits in validators.luhn_windows(s)]


SSN_SHAPE = re.compile(r"(?<!\d)(\d{3})([- ])(\d{2})\2(\d{4})(?!\d)")
SSN_LABEL = re.compile(r"\b(SSN|social security)", re.I)


def valid_ssn_shapes(s: str) -> list[str]:
    s = ascii_digits(s)
    hits = [m.group() for m in SSN_SHAPE.finditer(s) if ssn_valid(m.group(1), m.group(3), m.group(4))]
    for m in re.finditer(r"(?<!\d)(\d{3})(\d{2})(\d{4})(?!\d)", s):
        if SSN_LABEL.search(s[max(0, m.start() - 30):m.start()]) and ssn_valid(*m.groups()):
            hits.append(m.group())
    return hits


# ----------------------------------------------------------------------------
# per-category validation of span values
# ----------------------------------------------------------------------------

DOB_TRIGGERS = (
    "dob", "d.o.b.", "date of birth", "born", "birthdate", "birth date", "geburtsdatum",
    "geb.", "geboren", "né le", "née le", "né(e) le", "date de naissance",
    "fecha de nacimiento", "nacido el", "nacida el", "data di nascita", "nato il",
    "nata il", "geboren op", "geboortedatum", "data urodzenia", "ur.", "data de nascimento",
)
MRN_LABELS = (
    "mrn", "mr#", "medical record number", "medical record no", "patient id", "patient_id",
    "chart number", "patientennummer", "numéro de dossier", "historia clínica",
    "cartella clinica", "patiëntnummer", "karty pacjenta",
)
HP_LABELS = (
    "member id", "member_id", "subscriber id", "policy number", "insurance number",
    "insurance id", "health plan id", "medicaid id", "medicare number", "beneficiary id",
    "nhs number", "nhs no", "versichertennummer", "kvnr", "carte vitale",
    "numéro d'assuré social", "polisnummer", "medicare card",
)
POSTAL_RES = [re.compile(p) for p in (
    r"\d{5}(-\d{4})?",                      # US, DE, FR, ES, IT
    r"[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}",  # UK
    r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d",  # Canada
    r"\d{4}",                               # AT, CH, BE, AU
    r"[1-9]\d{3} ?[A-Z]{2}",                # NL
    r"\d{2}-\d{3}",                         # PL
    r"\d{4}-\d{3}",                         # PT
    r"\d{3} \d{2}",                         # SE
    r"\d{5}-\d{3}",                         # BR
    r"[1-9]\d{5}|[1-9]\d{2} \d{3}",         # IN
    r"\d{3}-\d{4}",                         # JP
)]
EIRCODE_RE = re.compile(r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W) [AC-FHKNPRTV-Y0-9]{4}")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def check_value(cat: str, value: str, before: str, names: set[str]) -> list[str]:
    """Errors for one marked span; `before` is the plain text preceding it."""
    v = ascii_digits(value)
    ctx = before[-70:].lower()
    errs = []
    if value != value.strip() or not value:
        errs.append("span has surrounding whitespace or is empty")
    if cat == "email":
        if not EMAIL_RE.fullmatch(value):
            errs.append("bad e-mail")
    elif cat == "phone":
        nd = sum(c.isdigit() for c in v)
        if not re.fullmatch(r"[+(]?[0-9][0-9 ().-]*[0-9]", v) or not 7 <= nd <= 15:
            errs.append(f"bad phone ({nd} digits)")
    elif cat == "ssn":
        m = re.fullmatch(r"(\d{3})([- ]?)(\d{2})\2(\d{4})", v)
        if not m or not ssn_valid(m.group(1), m.group(3), m.group(4)):
            errs.append("invalid SSN")
        elif m.group(2) == "" and not SSN_LABEL.search(before[-30:]):
            errs.append("unseparated SSN without an SSN label")
    elif cat == "credit_card":
        if not re.fullmatch(r"\d+(?:[ -]\d+)*", v):
            errs.append("bad card characters")
        d = re.sub(r"\D", "", v)
        if not 13 <= len(d) <= 19 or not luhn_ok(d):
            errs.append("card fails length or Luhn")
    elif cat == "iban":
        if " " in value and not re.fullmatch(r"[A-Z0-9]{4}(?: [A-Z0-9]{4})*(?: [A-Z0-9]{1,3})?", value):
            errs.append("IBAN not grouped by 4 with single spaces")
        if not iban_valid(value.replace(" ", "")):
            errs.append("IBAN fails country length or mod-97")
    elif cat == "ip_address":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            errs.append("invalid IP")
    elif cat == "date_of_birth":
        if not any(t in ctx for t in DOB_TRIGGERS):
            errs.append("date_of_birth without a birth-date trigger before it")
        if not any(c.isdigit() for c in v):
            errs.append("date without digits")
    elif cat == "medical_record_number":
        if not re.fullmatch(r"[A-Za-z0-9-]{5,15}", value):
            errs.append("MRN not 5-15 letters/digits/dashes")
        if not any(t in ctx[-45:] for t in MRN_LABELS):
            errs.append("MRN without a record label")
    elif cat == "health_plan_number":
        is_mbi = bool(MBI_RE.fullmatch(value))
        if not is_mbi and not any(t in ctx[-55:] for t in HP_LABELS):
            errs.append("health-plan number without a plan label")
        compact = re.sub(r"[ -]", "", v)
        near = ctx[-30:]
        if "nhs" in near:
            if not (re.fullmatch(r"\d{10}", compact) and nhs_check(compact[:9]) == int(compact[9])):
                errs.append("bad NHS number")
        if "kvnr" in near or "versichertennummer" in near:
            if not (re.fullmatch(r"[A-Z]\d{9}", compact) and kvnr_check(compact[0], compact[1:9]) == int(compact[9])):
                errs.append("bad KVNR")
        if "vitale" in near or "assuré social" in near:
            if not (re.fullmatch(r"\d{15}", compact) and nir_key(compact[:13]) == int(compact[13:])):
                errs.append("bad NIR key")
        if not is_mbi and "medicare card" in near or not is_mbi and ("medicare number" in near and re.fullmatch(r"\d{10}", compact)):
            if not (re.fullmatch(r"[2-6]\d{9}", compact) and au_medicare_check(compact[:8]) == int(compact[8])):
                errs.append("bad Australian Medicare number")
    elif cat == "postal_code":
        if not (any(p.fullmatch(v) for p in POSTAL_RES) or EIRCODE_RE.fullmatch(v)):
            errs.append("unknown postal-code shape")
    elif cat == "url":
        if not re.fullmatch(r"(?:https?://|www\.)\S+", value) or value[-1] in ".,)":
            errs.append("bad URL or trailing punctuation inside")
    elif cat == "name":
        words = value.split(" ")
        bad = [w for w in words if w not in names]
        if bad or "  " in value:
            errs.append(f"name words not in names.txt: {bad}")
    else:
        errs.append(f"unknown category {cat!r}")
    if cat not in ("credit_card",) and luhn_windows(value):
        errs.append(f"{cat} span contains a Luhn-valid 13-19 digit window")
    if cat not in ("ssn",) and valid_ssn_shapes(value):
        errs.append(f"{cat} span contains a valid SSN-shaped number")
    return errs


def check_unmarked(text: str, names: set[str]) -> list[str]:
    """Errors for things in unmarked text that the corpus would call positives."""
    errs = []
    t = ascii_digits(text)
    if EMAIL_RE.search(t):
        errs.append(f"unmarked e-mail {EMAIL_RE.search(t).group()!r}")
    if re.search(r"https?://|\bwww\.", t, re.I):
        errs.append("unmarked URL")
    for m in re.finditer(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\.?\d)", t):
        if all(int(o) <= 255 for o in m.group().split(".")):
            errs.append(f"unmarked IPv4 {m.group()!r}")
    for m in re.finditer(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*", t):
        tok = m.group().strip(".")
        try:
            ipaddress.IPv6Address(tok)
            errs.append(f"unmarked IPv6 {tok!r}")
        except ValueError:
            pass
    for m in re.finditer(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}", t):
        cc = m.group()[:2]
        if cc not in IBAN_LENGTHS:
            continue
        compact = ""
        for ch in t[m.start():]:
            if ch.isalnum() and ch.isascii():
                compact += ch
            elif ch != " ":
                break
            if len(compact) == IBAN_LENGTHS[cc]:
                break
        if iban_valid(compact.upper()):
            errs.append(f"unmarked valid IBAN {compact!r}")
    for s in valid_ssn_shapes(t):
        errs.append(f"unmarked valid SSN {s!r}")
    for m in MBI_RE.finditer(t):
        errs.append(f"unmarked MBI {m.group()!r}")
    for w in re.findall(r"[^\W\d_]+", t):
        if w in names:
            errs.append(f"unmarked dictionary name {w!r}")
    for w in luhn_windows(t):
        errs.append(f"unmarked Luhn-valid number {w!r}")
    return errs


def parse_line(line: str):
    spans = []
    plain = []
    holes = []
    pos = 0
    for m in MARKER.finditer(line):
        chunk = line[pos:m.start()]
        plain.append(chunk)
        holes.append(chunk)
        before = "".join(plain)
        spans.append((m.group(1), m.group(2), before))
        plain.append(m.group(2))
        holes.append(HOLE)
        pos = m.end()
    plain.append(line[pos:])
    holes.append(line[pos:])
    return spans, "".join(plain), "".join(holes)


def check_line(line: str, names: set[str]) -> tuple[list[str], list[tuple[str, str]]]:
    errs = []
    spans, plain, unmarked = parse_line(line)
    if "⟦" in unmarked or "⟧" in unmarked:
        errs.append("stray marker bracket")
    for cat, value, before in spans:
        for e in check_value(cat, value, before, names):
            errs.append(f"{cat}:{value!r}: {e}")
    if re.search(r"⟧ ⟦name:", line) and re.search(r"⟦name:[^⟧]*⟧ ⟦name:", line):
        errs.append("adjacent name spans separated by one space (should be one span)")
    errs.extend(check_unmarked(unmarked, names))
    return errs, [(c, v) for c, v, _ in spans]


def run_check(path: Path, names: set[str]) -> int:
    counts: Counter[str] = Counter()
    lookalike: Counter[str] = Counter()
    lines = neg_lines = 0
    errors = 0
    for no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        lines += 1
        errs, spans = check_line(raw, names)
        for e in errs:
            print(f"{path.name}:{no}: {e}", file=sys.stderr)
        errors += len(errs)
        if not spans:
            neg_lines += 1
        for cat, value in spans:
            counts[cat] += 1
            if cat in ("ssn", "credit_card", "phone") and has_lookalike(value):
                lookalike[cat] += 1
    print(f"{display_path(path)}: {lines} lines, {neg_lines} negative-only, "
          f"{sum(counts.values())} positives")
    for cat in CATEGORIES:
        flag = "" if counts[cat] >= MIN_PER_CATEGORY else f"   < {MIN_PER_CATEGORY}!"
        print(f"  {cat:<22} {counts[cat]:>4}{flag}")
    print(f"  look-alike digits (ssn/credit_card/phone): {sum(lookalike.values())} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(lookalike.items()))})")
    if any(counts[c] < MIN_PER_CATEGORY for c in CATEGORIES):
        errors += 1
        print("error: a category is under the minimum", file=sys.stderr)
    if lines < MIN_LINES or neg_lines < MIN_NEGATIVE_LINES:
        errors += 1
        print("error: too few lines or negative-only lines", file=sys.stderr)
    if sum(lookalike.values()) < MIN_LOOKALIKE:
        errors += 1
        print("error: too few look-alike digit positives", file=sys.stderr)
    print("OK" if errors == 0 else f"{errors} error(s)")
    return 1 if errors else 0


def load_names() -> set[str]:
    return set(read_names())


# ----------------------------------------------------------------------------
# vocabulary
# ----------------------------------------------------------------------------

NAME_GROUPS = {
    "us": (["Jennifer", "Michael", "Sarah", "David", "Emily", "Daniel", "Rebecca", "Olivia",
            "Ethan", "Hannah", "Brandon", "Maria"],
           ["Thompson", "Robinson", "Johnson", "Harris", "Jackson", "Mitchell", "Kim", "Choi",
            "Nguyen", "Patel", "Chen", "Murphy"]),
    "uk": (["Sarah", "Daniel", "Emily", "Olivia", "Hannah", "Siobhan", "Niamh", "Michael"],
           ["Clarke", "Harris", "Robinson", "Thompson", "Mitchell", "Gallagher", "Murphy", "Patel"]),
    "ie": (["Siobhan", "Niamh", "Ciarán"], ["Murphy", "Gallagher"]),
    "de": (["Jürgen", "Katrin", "Sabine", "Lukas", "Annika", "Wolfgang"],
           ["Schmidt", "Müller", "Wagner", "Becker", "Hoffmann", "Schäfer", "Zimmermann"]),
    "fr": (["Mathieu", "Étienne", "Chloé", "Léa", "Benoît"],
           ["Dubois", "Moreau", "Lefebvre", "Fournier", "Rousseau"]),
    "es": (["Alejandro", "Lucía", "Sofía", "Mateo", "Javier", "Maria"],
           ["García", "Rodríguez", "Fernández", "López", "Martínez", "Sánchez", "Pérez"]),
    "pt": (["Maria", "Mateo", "Sofía"], ["Fernández", "Pérez", "Martínez"]),
    "it": (["Giulia", "Francesca", "Alessandro", "Chiara"],
           ["Rossi", "Esposito", "Bianchi", "Ricci", "Moretti"]),
    "pl": (["Agnieszka", "Krzysztof", "Małgorzata", "Piotr"],
           ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Lewandowski", "Zielińska"]),
    "nl": (["Sanne", "Daan", "Femke"], ["Jansen", "Bakker", "Visser", "Smit", "Meijer", "Dekker"]),
    "sv": (["Ingrid", "Lars", "Astrid", "Henrik"],
           ["Johansson", "Andersson", "Lindqvist", "Hansen", "Jørgensen"]),
    "af": (["Oluwaseun", "Chukwuemeka", "Ngozi", "Kwame", "Abena", "Wanjiru", "Thabo"],
           ["Okafor", "Adebayo", "Mensah", "Otieno", "Mwangi", "Nkosi"]),
    "ar": (["Mohammed", "Fatima", "Youssef", "Layla"], ["Haddad", "Nasser", "Mansour", "Khoury"]),
    "tr": (["Mehmet", "Ayşe", "Elif"], ["Yılmaz", "Kaya", "Demir", "Şahin"]),
    "in": (["Priya", "Arjun", "Ananya", "Rahul"],
           ["Patel", "Sharma", "Singh", "Gupta", "Iyer", "Reddy", "Kumar"]),
    "jp": (["Hiroshi", "Yuki"], ["Tanaka", "Takahashi", "Yamamoto", "Sato"]),
    "cn": (["Wei"], ["Wang", "Zhang", "Chen", "Liu", "Huang"]),
    "vn": (["Minh"], ["Nguyen", "Tran", "Pham"]),
    "ru": (["Dmitri", "Olena", "Svetlana"], ["Ivanov", "Petrova", "Shevchenko", "Kovalenko"]),
    "gr": (["Eleni"], ["Papadopoulos", "Nikolaou"]),
}
MIXED = ["us", "us", "uk", "de", "fr", "es", "it", "pl", "nl", "sv", "af", "ar", "tr", "in",
         "jp", "cn", "vn", "ru", "gr", "ie"]
FEMALE = set("""Maria Jennifer Sarah Emily Rebecca Olivia Hannah Katrin Sabine Annika Chloé Léa
Lucía Sofía Giulia Francesca Chiara Agnieszka Małgorzata Sanne Femke Ngozi Abena Wanjiru Fatima
Layla Ayşe Elif Priya Ananya Yuki Ingrid Astrid Olena Svetlana Eleni Siobhan Niamh""".split())
# family names with a grammatical gender
FAMILY_GENDER = {"Kowalski": False, "Wiśniewski": False, "Lewandowski": False, "Zielińska": True,
                 "Ivanov": False, "Petrova": True}
# (male titles, female titles, doctor titles (male, female))
TITLES = {
    "us": (["Mr."], ["Mrs.", "Ms."], ("Dr.", "Dr.")), "uk": (["Mr"], ["Mrs", "Ms"], ("Dr", "Dr")),
    "ie": (["Mr"], ["Ms"], ("Dr", "Dr")), "de": (["Herr"], ["Frau"], ("Dr.", "Dr.")),
    "fr": (["M."], ["Mme"], ("Dr", "Dr")), "es": (["Sr."], ["Sra."], ("Dr.", "Dra.")),
    "pt": (["Sr."], ["Sra."], ("Dr.", "Dra.")), "it": (["Sig."], ["Sig.ra"], ("Dott.", "Dott.ssa")),
    "pl": (["Pan"], ["Pani"], ("dr", "dr")), "nl": (["Dhr."], ["Mevr."], ("dr.", "dr.")),
    "sv": ([""], [""], ("Dr.", "Dr.")),
}
NON_DICT_NAMES = ["John Carter", "Emma Lindgren", "Tomasz Zając", "Pierre Girard", "Carmen Ruiz",
                  "Lorenzo Conti", "Anouk de Vries", "Nils Berg", "Aiko Mori", "Ravi Menon",
                  "Grace Okoye", "Omar Saleh", "Hugo Marchand", "Paula Ortega"]

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "en3": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
}
MONTHS = {k: v.split() for k, v in MONTHS.items()}

EMAIL_DOMAINS = {
    "en": ["example.com", "example.org", "mail.example.net", "northwindhealth.com",
           "riverbend-clinic.org", "bluepeak.io", "harborview-med.com", "acme-payroll.com",
           "gmail.com", "outlook.com", "yahoo.co.uk", "nhs.net", "uni-example.ac.uk",
           "fastmail.fm", "proton.me"],
    "de": ["web.de", "gmx.de", "t-online.de", "praxis-am-markt.de", "klinikum-suedstadt.de",
           "posteo.de", "mailbox.org"],
    "fr": ["orange.fr", "free.fr", "laposte.net", "chu-exemple.fr", "cabinet-des-lilas.fr"],
    "es": ["hotmail.es", "telefonica.net", "hospital-sanrafael.es", "clinicadelmar.es"],
    "it": ["libero.it", "virgilio.it", "ospedale-esempio.it", "studiomedico-centro.it"],
    "nl": ["ziggo.nl", "kpnmail.nl", "praktijk-centrum.nl", "xs4all.nl"],
    "pl": ["wp.pl", "onet.pl", "interia.pl", "przychodnia-zdrowie.pl"],
    "sv": ["telia.com", "bredband.net", "vardcentral-exempel.se"],
    "pt": ["sapo.pt", "clinica-exemplo.pt", "uol.com.br", "terra.com.br"],
    "ja": ["docomo.ne.jp", "example.co.jp", "yahoo.co.jp"],
    "zh": ["163.com", "qq.com", "example.cn"],
    "hi": ["rediffmail.com", "example.in", "gmail.com"],
    "ar": ["example.ae", "gmail.com"],
}
GENERIC_LOCALS = ["info", "billing", "support", "claims", "hr", "privacy", "appointments",
                  "noreply", "frontdesk", "accounts.payable", "it-helpdesk", "records"]
URL_HOSTS = {
    "en": ["portal.riverbend-clinic.org", "www.harborview-med.com", "billing.acme-payroll.com",
           "example.com", "status.bluepeak.io", "myhealth.northwindhealth.com", "docs.example.org"],
    "de": ["www.praxis-am-markt.de", "termine.klinikum-suedstadt.de", "www.stadtwerke-beispiel.de"],
    "fr": ["www.chu-exemple.fr", "rdv.cabinet-des-lilas.fr", "ameli-exemple.fr"],
    "es": ["www.hospital-sanrafael.es", "citaprevia.clinicadelmar.es"],
    "it": ["www.ospedale-esempio.it", "prenotazioni.studiomedico-centro.it"],
    "nl": ["www.praktijk-centrum.nl", "mijn.zorgverzekeraar-voorbeeld.nl"],
    "pl": ["www.przychodnia-zdrowie.pl", "rejestracja.szpital-przyklad.pl"],
    "sv": ["www.vardcentral-exempel.se"],
    "pt": ["www.clinica-exemplo.pt", "agendamento.hospital-exemplo.com.br"],
}
URL_PATHS = ["", "/", "/patients/login", "/pay?invoice=INV-4471", "/docs/privacy#retention",
             "/appointments/new?dept=cardiology&lang=en", "/forms/intake.pdf",
             "/claims/status?id=88213", "/kontakt", "/de/impressum", "/fr/prendre-rendez-vous",
             "/es/cita-previa", "/portal/#/messages", "/api/v1/health", "/careers?loc=remote",
             "/reset-password?token=3f9a1c", "/t/2024-spring-campaign", "/help/article/1182"]

US_PLACES = [("Portland", "OR", "972"), ("Austin", "TX", "787"), ("Columbus", "OH", "432"),
             ("Denver", "CO", "802"), ("Raleigh", "NC", "276"), ("Madison", "WI", "537"),
             ("Tucson", "AZ", "857"), ("Boise", "ID", "837"), ("Albany", "NY", "122"),
             ("Sacramento", "CA", "958"), ("Springfield", "IL", "627"), ("Richmond", "VA", "232"),
             ("Omaha", "NE", "681"), ("Burlington", "VT", "054"), ("Providence", "RI", "029"),
             ("Trenton", "NJ", "086"), ("Seattle", "WA", "981"), ("Atlanta", "GA", "303"),
             ("Miami", "FL", "331"), ("Brooklyn", "NY", "112")]
US_STREETS = ["Maple Ave", "Oak Street", "Cedar Lane", "Elm St", "Lakeview Dr", "Pine Ridge Rd",
              "Sunset Blvd", "Highland Ave", "Willow Ct", "Main Street", "Broadway", "N 5th St",
              "Old Mill Road", "Magnolia Way"]
US_AREAS = ["212", "415", "503", "617", "312", "512", "720", "919", "206", "602", "404", "305",
            "614", "608", "802", "401"]
CA_PLACES = [("Toronto", "ON", "M5V"), ("Vancouver", "BC", "V6B"), ("Montréal", "QC", "H2X"),
             ("Calgary", "AB", "T2P"), ("Ottawa", "ON", "K1P"), ("Halifax", "NS", "B3H"),
             ("Winnipeg", "MB", "R3C")]
CA_STREETS = ["Queen St W", "Robson St", "rue Sainte-Catherine O", "Stephen Ave", "Spring Garden Rd",
              "Portage Ave", "Bank St"]
CA_AREAS = ["416", "604", "514", "403", "613", "902", "204"]
UK_PLACES = [("London", "SW1A"), ("London", "EC1V"), ("London", "N7"), ("Manchester", "M4"),
             ("Leeds", "LS6"), ("Bristol", "BS8"), ("Glasgow", "G12"), ("Cardiff", "CF10"),
             ("Edinburgh", "EH3"), ("Birmingham", "B15"), ("Norwich", "NR2"), ("York", "YO1"),
             ("Belfast", "BT7")]
UK_STREETS = ["High Street", "Church Lane", "Station Road", "Victoria Road", "Mill Lane",
              "Park Avenue", "Queens Road", "Albert Street", "The Crescent"]
IE_PLACES = [("Dublin 2", "D02"), ("Dublin 8", "D08"), ("Cork", "T12"), ("Galway", "H91"),
             ("Limerick", "V94"), ("Waterford", "X91"), ("Athlone, Co. Westmeath", "N37"),
             ("Letterkenny, Co. Donegal", "F92")]
IE_STREETS = ["Main Street", "Patrick Street", "Shop Street", "O'Connell Street", "Harcourt Road",
              "Dock Road"]
EIR_CHARS = "ACDEFHKNPRTVWXY0123456789"
DE_PLACES = [("Berlin", ["10", "12", "13"]), ("Hamburg", ["20", "22"]), ("München", ["80", "81"]),
             ("Köln", ["50", "51"]), ("Frankfurt am Main", ["60"]), ("Stuttgart", ["70"]),
             ("Leipzig", ["04"]), ("Dresden", ["01"]), ("Hannover", ["30"]),
             ("Nürnberg", ["90"]), ("Bremen", ["28"]), ("Essen", ["45"])]
DE_STREETS = ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerstraße",
              "Goethestraße", "Am Markt", "Rosenweg", "Kastanienallee", "Bergstraße"]
AT_PLACES = [("Wien", "WIEN"), ("Graz", "8010"), ("Linz", "4020"), ("Salzburg", "5020"),
             ("Innsbruck", "6020")]
CH_PLACES = [("Zürich", "80{0}{0}"), ("Bern", "3011"), ("Basel", "4051"), ("Genève", "1201"),
             ("Lausanne", "1003")]
BE_PLACES = [("Bruxelles", "1000"), ("Antwerpen", "2000"), ("Gent", "9000"), ("Liège", "4000"),
             ("Leuven", "3000")]
BE_STREETS = ["Rue de la Loi", "Meir", "Korenmarkt", "Boulevard d'Avroy", "Bondgenotenlaan"]
FR_PLACES = [("Paris", "750{1}"), ("Lyon", "6900{0}"), ("Marseille", "130{1}"),
             ("Toulouse", "31000"), ("Nantes", "44000"), ("Lille", "59000"),
             ("Bordeaux", "33000"), ("Strasbourg", "67000")]
FR_STREETS = ["rue de la République", "avenue Jean Jaurès", "boulevard Voltaire", "rue des Lilas",
              "place Bellecour", "rue du Faubourg Saint-Antoine", "allée des Tilleuls"]
NL_PLACES = [("Amsterdam", "10"), ("Rotterdam", "30"), ("Utrecht", "35"), ("Den Haag", "25"),
             ("Eindhoven", "56"), ("Groningen", "97")]
NL_STREETS = ["Prinsengracht", "Keizersgracht", "Oudegracht", "Coolsingel", "Kerkstraat",
              "Stationsplein", "Laan van Meerdervoort"]
ES_PLACES = [("Madrid", "280", "Madrid"), ("Barcelona", "080", "Barcelona"),
             ("Sevilla", "410", "Sevilla"), ("Valencia", "460", "Valencia"),
             ("Bilbao", "480", "Bizkaia"), ("Málaga", "290", "Málaga"), ("Zaragoza", "500", "Zaragoza")]
ES_STREETS = ["Calle Mayor", "Calle de Alcalá", "Avenida de la Constitución", "Gran Vía",
              "Calle Sierpes", "Paseo de Gracia"]
IT_PLACES = [("Roma", "001", "RM"), ("Milano", "201", "MI"), ("Napoli", "801", "NA"),
             ("Torino", "101", "TO"), ("Bologna", "401", "BO"), ("Firenze", "501", "FI"),
             ("Palermo", "901", "PA")]
IT_STREETS = ["Via Roma", "Via Garibaldi", "Corso Vittorio Emanuele II", "Via Dante",
              "Piazza Navona", "Viale Europa"]
PL_PLACES = [("Warszawa", ["00", "01", "02"]), ("Kraków", ["30", "31"]), ("Gdańsk", ["80"]),
             ("Wrocław", ["50"]), ("Poznań", ["60", "61"]), ("Łódź", ["90"])]
PL_STREETS = ["Marszałkowska", "Floriańska", "Długa", "Piotrkowska", "Półwiejska", "Świdnicka"]
SE_PLACES = [("Stockholm", ["111", "113", "114", "116"]), ("Göteborg", ["411", "413"]),
             ("Malmö", ["211", "214"]), ("Uppsala", ["753"])]
SE_STREETS = ["Drottninggatan", "Kungsgatan", "Storgatan", "Vasagatan", "Sveavägen"]
PT_PLACES = [("Lisboa", "1"), ("Porto", "4"), ("Coimbra", "3"), ("Braga", "47"), ("Faro", "80")]
PT_STREETS = ["Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Rua Ferreira Borges",
              "Travessa do Carmo"]
BR_PLACES = [("São Paulo", "SP", "01"), ("Rio de Janeiro", "RJ", "20"), ("Belo Horizonte", "MG", "30"),
             ("Curitiba", "PR", "80"), ("Recife", "PE", "50"), ("Porto Alegre", "RS", "90")]
BR_STREETS = [("Av. Paulista", "Bela Vista"), ("Rua Oscar Freire", "Jardins"),
              ("Rua das Laranjeiras", "Laranjeiras"), ("Av. Afonso Pena", "Centro"),
              ("Rua XV de Novembro", "Centro"), ("Av. Boa Viagem", "Boa Viagem")]
IN_PLACES = [("Bengaluru", "Karnataka", "560"), ("Mumbai", "Maharashtra", "400"),
             ("New Delhi", "Delhi", "110"), ("Chennai", "Tamil Nadu", "600"),
             ("Kolkata", "West Bengal", "700"), ("Hyderabad", "Telangana", "500"),
             ("Pune", "Maharashtra", "411")]
IN_STREETS = ["MG Road", "Linking Road", "Park Street", "Anna Salai", "FC Road", "Residency Road"]
JP_PLACES = [("東京都千代田区丸の内", "100"), ("大阪府大阪市北区梅田", "530"),
             ("北海道札幌市中央区北一条西", "060"), ("福岡県福岡市博多区博多駅前", "812"),
             ("愛知県名古屋市中村区名駅", "450"), ("東京都渋谷区神南", "150")]
AU_PLACES = [("Surry Hills", "NSW", "2010"), ("Sydney", "NSW", "2000"), ("Fitzroy", "VIC", "3065"),
             ("Melbourne", "VIC", "3000"), ("Fortitude Valley", "QLD", "4006"),
             ("Subiaco", "WA", "6008"), ("Glenelg", "SA", "5045"), ("Sandy Bay", "TAS", "7005"),
             ("Braddon", "ACT", "2612"), ("Parap", "NT", "0820")]
AU_STREETS = ["George St", "Collins St", "Brunswick St", "Hay St", "Jetty Rd", "Macquarie St",
              "Lonsdale St", "Ann St"]

ICD10 = ["E11.9", "I10", "J45.909", "M54.5", "Z79.4", "E78.5", "K21.9", "F41.1", "N39.0",
         "J18.9", "R07.9", "S82.201A", "O24.419", "C50.911", "G43.909", "L40.0"]
CPT = ["99213", "99214", "99203", "80053", "85025", "93000", "71046", "36415", "83036",
       "90471", "97110", "20610"]

# ----------------------------------------------------------------------------
# generator
# ----------------------------------------------------------------------------


def fold(s: str) -> str:
    s = s.translate(str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ı": "i", "ß": "ss"}))
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    # --- basics -------------------------------------------------------------
    def pick(self, seq):
        return self.r.choice(seq)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def num(self, lo: int, hi: int) -> int:
        return self.r.randint(lo, hi)

    def d(self, n: int, first_nonzero: bool = False) -> str:
        s = "".join(self.r.choice("0123456789") for _ in range(n))
        if first_nonzero and s[0] == "0":
            s = self.r.choice("123456789") + s[1:]
        return s

    def fill(self, fmt: str) -> str:
        """{n}: n random digits; [abc]: one of the characters."""
        out = re.sub(r"\{(\d+)\}", lambda m: self.d(int(m.group(1))), fmt)
        return re.sub(r"\[([^\]]+)\]", lambda m: self.r.choice(m.group(1)), out)

    def letters(self, n: int, alphabet: str = "ABCDEFGHJKLMNPRSTUVWXYZ") -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    # --- names --------------------------------------------------------------
    def given(self, grp: str) -> str:
        return self.pick(NAME_GROUPS[grp][0])

    def family(self, grp: str) -> str:
        return self.pick(NAME_GROUPS[grp][1])

    def grp(self, grp: str | None) -> str:
        return grp if grp else self.pick(MIXED)

    def nm(self, grp: str | None = None, style: str | None = None) -> str:
        """A marked person name; remembers it (self.last) for e-mails and grammar."""
        grp = self.grp(grp)
        g = self.given(grp)
        fem = g in FEMALE
        fams = [x for x in NAME_GROUPS[grp][1] if FAMILY_GENDER.get(x, fem) == fem]
        f = self.pick(fams)
        self.last = (g, f, fem, grp)
        if style is None:
            style = self.pick(["full"] * 6 + ["last_first", "title", "title", "initial", "double"])
        male_t, fem_t, doc_t = TITLES.get(grp, TITLES["us"])
        if style == "title" and not (fem_t if fem else male_t)[0]:
            style = "full"
        if style == "full":
            return M("name", f"{g} {f}")
        if style == "last_first":
            return f"{M('name', f)}, {M('name', g)}"
        if style == "family_given":
            return M("name", f"{f} {g}")
        if style == "title":
            return f"{self.pick(fem_t if fem else male_t)} {M('name', f)}"
        if style == "title_full":
            return f"{self.pick(fem_t if fem else male_t)} {M('name', g + ' ' + f)}"
        if style == "dr":
            return f"{doc_t[1] if fem else doc_t[0]} {M('name', f)}"
        if style == "dr_full":
            return f"{doc_t[1] if fem else doc_t[0]} {M('name', g + ' ' + f)}"
        if style == "given":
            return M("name", g)
        if style == "family":
            return M("name", f)
        if style == "initial":
            return f"{g[0]}. {M('name', f)}"
        if style == "double":
            others = [x for x in NAME_GROUPS[grp][0] if x != g and (x in FEMALE) == fem]
            if others:
                return M("name", f"{g} {self.pick(others)} {f}")
            return M("name", f"{g} {f}")
        raise ValueError(style)

    def fem(self, female_word: str, male_word: str) -> str:
        """Pick a gendered word agreeing with the last generated name."""
        return female_word if self.last[2] else male_word

    def E_own(self, lang: str = "en") -> str:
        """E-mail address built from the last generated name."""
        g, f = fold(self.last[0]), fold(self.last[1])
        dom = self.pick(EMAIL_DOMAINS.get(lang, EMAIL_DOMAINS["en"]))
        local = self.pick([f"{g}.{f}", f"{g[0]}{f}", f"{f}.{g[0]}", f"{g}{self.num(60, 99)}",
                           f"{g}_{f}", f"{g}.{f}{self.num(1, 9)}", f"{g[0]}.{f}"])
        return M("email", f"{local}@{dom}")

    # --- contact ------------------------------------------------------------
    def email_raw(self, lang: str = "en", grp: str | None = None) -> str:
        dom = self.pick(EMAIL_DOMAINS.get(lang, EMAIL_DOMAINS["en"]))
        if self.chance(0.2):
            local = self.pick(GENERIC_LOCALS)
            if self.chance(0.3):
                local += "+" + self.pick(["2024", "invoices", "eu", "urgent"])
            return f"{local}@{dom}"
        grp = self.grp(grp)
        g, f = fold(self.given(grp)), fold(self.family(grp))
        local = self.pick([f"{g}.{f}", f"{g[0]}{f}", f"{f}.{g[0]}", f"{g}{f[0]}{self.num(60, 99)}",
                           f"{g}_{f}", f"{f}{self.num(1, 999)}", f"{g}.{f}{self.num(1, 9)}",
                           f"dr.{f}", f"{g[0]}.{f}"])
        return f"{local}@{dom}"

    def E(self, lang: str = "en", grp: str | None = None) -> str:
        return M("email", self.email_raw(lang, grp))

    def url_raw(self, lang: str = "en") -> str:
        host = self.pick(URL_HOSTS.get(lang, URL_HOSTS["en"]))
        path = self.pick(URL_PATHS)
        if host.startswith("www.") and self.chance(0.35):
            scheme = ""
        else:
            scheme = self.pick(["https://", "https://", "https://", "http://"])
        if not scheme and not path:
            path = "/"
        return scheme + host + path

    def U(self, lang: str = "en") -> str:
        return M("url", self.url_raw(lang))

    PHONE_FORMATS = {
        "US": ["({a}) {x}-{4}", "{a}-{x}-{4}", "{a}.{x}.{4}", "+1 {a} {x} {4}", "+1-{a}-{x}-{4}",
               "+1 ({a}) {x}-{4}", "1-{a}-{x}-{4}", "({a}) 555-01{2}"],
        "CA": ["({c}) {x}-{4}", "+1 {c} {x} {4}", "{c}-{x}-{4}"],
        "GB": ["+44 20 7{3} {4}", "020 7{3} {4}", "+44 (0)20 7{3} {4}", "07700 900{3}", "07[4789]{2} {6}",
               "+44 7[4789]{2} {6}", "0161 {3} {4}", "+44 161 {3} {4}", "0113 496 0{3}", "029 2{3} {4}"],
        "IE": ["+353 1 {3} {4}", "(01) {3} {4}", "08[5379] {3} {4}", "+353 8[5379] {3} {4}", "021 {3} {4}"],
        "DE": ["+49 30 {8}", "030 {7}", "+49 (0)89 {4} {4}", "089 {4} {4}", "015[12] {8}",
               "+49 17[0-9] {7}", "0170 {3} {4}", "0221 {6}", "+49 221 {6}", "040 {3} {3} {2}",
               "+49 711 {3} {3}"],
        "AT": ["+43 1 {4} {4}", "0664 {3} {4}", "+43 664 {7}", "0316 {6}"],
        "CH": ["+41 44 {3} {2} {2}", "079 {3} {2} {2}", "044 {3} {2} {2}", "+41 79 {3} {2} {2}"],
        "FR": ["+33 1 {2} {2} {2} {2}", "01 {2} {2} {2} {2}", "06 {2} {2} {2} {2}",
               "+33 6 {2} {2} {2} {2}", "07.{2}.{2}.{2}.{2}", "04 {2} {2} {2} {2}",
               "+33 (0)4 {2} {2} {2} {2}", "05-{2}-{2}-{2}-{2}"],
        "BE": ["+32 2 {3} {2} {2}", "0470 {2} {2} {2}", "+32 470 {2} {2} {2}", "09 {3} {2} {2}"],
        "ES": ["+34 91 {3} {2} {2}", "91 {3} {2} {2}", "6{2} {3} {3}", "+34 6{2} {3} {3}",
               "93 {3} {2} {2}", "+34 954 {2} {2} {2}"],
        "IT": ["+39 06 {4} {4}", "02 {4} {4}", "3[234]{1} {3} {4}", "+39 3[234]{1} {3} {4}",
               "011 {3} {4}", "+39 055 {3} {4}"],
        "NL": ["+31 20 {3} {4}", "020-{7}", "06-{8}", "+31 6 {8}", "010 {3} {4}",
               "06 {2} {2} {2} {2}", "+31 (0)30 {3} {4}"],
        "PL": ["+48 22 {3} {2} {2}", "22 {3} {2} {2}", "[5678]{2} {3} {3}", "+48 [5678]{2} {3} {3}",
               "+48 12 {3} {2} {2}", "(12) {3} {2} {2}"],
        "SE": ["+46 8 {3} {3} {2}", "08-{3} {3} {2}", "07[0236]-{3} {2} {2}", "+46 7[0236] {3} {2} {2}",
               "031-{2} {2} {2}"],
        "PT": ["+351 21 {3} {4}", "21 {3} {4}", "9[1236]{1} {3} {3}", "+351 9[1236]{1} {3} {3}",
               "22 {3} {4}"],
        "BR": ["+55 11 9{4}-{4}", "(11) 9{4}-{4}", "(21) {4}-{4}", "+55 (21) {4}-{4}",
               "+55 31 9{4} {4}", "(41) 3{3}-{4}"],
        "IN": ["+91 9{4} {5}", "09{4} {5}", "+91 22 {4} {4}", "080-{4} {4}", "+91-9{9}",
               "98{3} {5}", "+91 80 {4} {4}"],
        "JP": ["090-{4}-{4}", "080-{4}-{4}", "03-{4}-{4}", "06-{4}-{4}", "+81 90-{4}-{4}",
               "+81 3 {4} {4}", "(03) {4}-{4}", "070-{4}-{4}"],
        "AU": ["+61 2 {4} {4}", "(02) {4} {4}", "04{2} {3} {3}", "+61 4{2} {3} {3}",
               "03 {4} {4}", "1300 {3} {3}", "(08) {4} {4}"],
        "CN": ["+86 13[0-9] {4} {4}", "13[0-9] {4} {4}", "010-{4} {4}", "+86 10 {4} {4}",
               "021-{8}", "+86 15[0-9] {4} {4}"],
        "AE": ["+971 50 {3} {4}", "04 {3} {4}", "+971 4 {3} {4}", "055 {3} {4}"],
    }

    def phone_raw(self, cc: str) -> str:
        fmt = self.pick(self.PHONE_FORMATS[cc])
        fmt = fmt.replace("{a}", self.pick(US_AREAS)).replace("{c}", self.pick(CA_AREAS))
        fmt = fmt.replace("{x}", str(self.num(201, 989)))
        fmt = fmt.replace("[0-9]", "[0123456789]")
        return self.fill(fmt)

    def e164(self, cc: str) -> str:
        while True:
            raw = self.phone_raw(cc)
            if raw.startswith("+"):
                return "+" + re.sub(r"\D", "", raw.replace("(0)", ""))

    def P(self, cc: str | None = None) -> str:
        cc = cc or self.pick(list(self.PHONE_FORMATS))
        return M("phone", self.phone_raw(cc))

    def P_local(self, cc: str, script: str) -> str:
        return M("phone", to_script(self.phone_raw(cc), script))

    # --- SSN ----------------------------------------------------------------
    def ssn_parts(self):
        while True:
            a = self.num(1, 899)
            if a != 666:
                break
        return f"{a:03d}", f"{self.num(1, 99):02d}", f"{self.num(1, 9999):04d}"

    def ssn_raw(self, sep: str | None = None) -> str:
        a, g, s = self.ssn_parts()
        sep = self.pick(["-", "-", "-", " "]) if sep is None else sep
        return f"{a}{sep}{g}{sep}{s}"

    def S(self, sep: str | None = None) -> str:
        return M("ssn", self.ssn_raw(sep))

    def S_local(self, script: str) -> str:
        return M("ssn", to_script(self.ssn_raw("-"), script))

    def invalid_ssn(self) -> str:
        a, g, s = self.ssn_parts()
        kind = self.pick(["000", "666", "9xx", "g00", "s0000", "itin"])
        if kind == "000":
            a = "000"
        elif kind == "666":
            a = "666"
        elif kind == "9xx":
            a = str(self.num(900, 999))
        elif kind == "g00":
            g = "00"
        elif kind == "s0000":
            s = "0000"
        else:
            a, g = str(self.num(900, 999)), str(self.pick([70, 71, 72, 78, 80, 83, 88, 92, 94, 99]))
        return f"{a}-{g}-{s}"

    # --- cards --------------------------------------------------------------
    def card_digits(self, brand: str | None = None) -> tuple[str, str]:
        brand = brand or self.pick(["visa", "visa", "visa", "mc", "mc", "amex", "discover", "jcb",
                                    "diners", "unionpay", "maestro", "visa13"])
        if brand == "visa":
            pre, n = "4", 16
        elif brand == "visa13":
            pre, n = "4", 13
        elif brand == "mc":
            pre = str(self.num(51, 55)) if self.chance(0.7) else str(self.num(2221, 2720))
            n = 16
        elif brand == "amex":
            pre, n = self.pick(["34", "37"]), 15
        elif brand == "discover":
            pre, n = self.pick(["6011", "65", str(self.num(644, 649))]), 16
        elif brand == "jcb":
            pre, n = str(self.num(3528, 3589)), 16
        elif brand == "diners":
            pre, n = self.pick(["36", "38", "300", "305"]), 14
        elif brand == "unionpay":
            pre, n = "62", self.pick([16, 16, 17, 18, 19])
        elif brand == "maestro":
            pre, n = self.pick(["6759", "5018", "5020", "6304"]), self.pick([16, 19])
        else:
            raise ValueError(brand)
        body = pre + self.d(n - 1 - len(pre))
        return luhn_complete(body), brand

    def card_format(self, digits: str, sep: str | None = None) -> str:
        n = len(digits)
        if sep is None:
            sep = self.pick([" ", " ", " ", "-", ""])
        if n == 15:
            parts = [digits[:4], digits[4:10], digits[10:]]
        elif n == 14:
            parts = [digits[:4], digits[4:10], digits[10:]]
        elif n in (16, 19):
            parts = [digits[i:i + 4] for i in range(0, n, 4)]
        else:
            return digits
        return sep.join(parts)

    def card_raw(self, brand: str | None = None, sep: str | None = None) -> str:
        digits, _ = self.card_digits(brand)
        return self.card_format(digits, sep)

    def C(self, brand: str | None = None, sep: str | None = None) -> str:
        return M("credit_card", self.card_raw(brand, sep))

    def C_local(self, script: str) -> str:
        return M("credit_card", to_script(self.card_raw(self.pick(["visa", "mc", "jcb", "unionpay"]), " "), script))

    def luhn_fail_card(self, sep: str | None = None) -> str:
        digits, _ = self.card_digits(self.pick(["visa", "mc", "discover", "jcb"]))
        i = self.num(0, len(digits) - 1)
        new = self.pick([c for c in "0123456789" if c != digits[i]])
        bad = digits[:i] + new + digits[i + 1:]
        assert not luhn_ok(bad)
        return self.card_format(bad, sep)

    # --- IBAN ---------------------------------------------------------------
    def bban(self, cc: str) -> str:
        if cc == "DE":
            return self.pick(["37040044", "10010010", "50010517", "70020270", "20050550", "43060967"]) + self.d(10)
        if cc == "AT":
            return self.pick(["12000", "20111", "32000", "14000"]) + self.d(11)
        if cc == "CH":
            return self.pick(["00762", "00230", "08390", "00700"]) + self.d(12)
        if cc == "BE":
            ten = self.d(10)
            return f"{ten}{be_account_check(ten):02d}"
        if cc == "FR":
            bank = self.pick(["30004", "20041", "30003", "10107", "30002"])
            branch, acct = self.d(5), self.d(11)
            return f"{bank}{branch}{acct}{fr_rib_key(bank, branch, acct):02d}"
        if cc == "ES":
            bank = self.pick(["2100", "0049", "0182", "2085", "0081"])
            branch, acct = self.d(4), self.d(10)
            return f"{bank}{branch}{es_control_digit('00' + bank + branch)}{es_control_digit(acct)}{acct}"
        if cc == "IT":
            return self.letters(1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + self.pick(["03069", "02008", "05034", "03062"]) + self.d(5) + self.d(12)
        if cc == "NL":
            return self.pick(["ABNA", "INGB", "RABO", "SNSB", "TRIO", "KNAB"]) + self.d(10)
        if cc == "GB":
            return self.pick(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + self.d(14)
        if cc == "IE":
            return self.pick(["AIBK", "BOFI", "IPBS"]) + self.d(14)
        if cc == "BR":
            return self.d(23) + "C" + self.pick("12")
        if cc == "RO":
            return self.pick(["RNCB", "BTRL", "INGB"]) + self.d(16)
        if cc == "LV":
            return self.pick(["HABA", "UNLA"]) + self.d(13)
        if cc == "MT":
            return "MALT" + self.d(5) + self.d(18)
        if cc == "CY":
            return self.d(8) + self.d(16)
        return self.d(IBAN_LENGTHS[cc] - 4)

    def iban_compact(self, cc: str) -> str:
        s = iban_make(cc, self.bban(cc))
        assert iban_valid(s), s
        return s

    def iban_raw(self, cc: str | None = None, grouped: bool | None = None) -> str:
        cc = cc or self.pick(sorted(IBAN_LENGTHS))
        s = self.iban_compact(cc)
        if grouped is None:
            grouped = self.chance(0.65)
        return group4(s) if grouped else s

    def I(self, cc: str | None = None, grouped: bool | None = None) -> str:
        return M("iban", self.iban_raw(cc, grouped))

    def bad_iban(self) -> str:
        cc = self.pick(["DE", "FR", "GB", "NL", "ES", "IT", "PL", "BE", "AT", "SE"])
        s = self.iban_compact(cc)
        kind = self.pick(["check", "check", "digit", "length"])
        if kind == "check":
            old = int(s[2:4])
            new = old + self.pick([1, 2, 3, 5, 8, -1, -2, -4])
            if not 0 <= new <= 99:
                new = old - 10 if old >= 10 else old + 10
            s = f"{s[:2]}{new:02d}{s[4:]}"
        elif kind == "digit":
            idxs = [i for i in range(4, len(s)) if s[i].isdigit()]
            i = self.pick(idxs)
            s = s[:i] + self.pick([c for c in "0123456789" if c != s[i]]) + s[i + 1:]
        else:
            s = s[:-1]
        assert not iban_valid(s)
        return group4(s) if self.chance(0.6) else s

    # --- IP -----------------------------------------------------------------
    def ipv4_raw(self) -> str:
        kind = self.pick(["doc", "doc", "private", "public", "public"])
        if kind == "doc":
            return f"{self.pick(['192.0.2', '198.51.100', '203.0.113'])}.{self.num(1, 254)}"
        if kind == "private":
            return self.pick([f"10.{self.num(0, 255)}.{self.num(0, 255)}.{self.num(1, 254)}",
                              f"172.{self.num(16, 31)}.{self.num(0, 255)}.{self.num(1, 254)}",
                              f"192.168.{self.num(0, 255)}.{self.num(1, 254)}"])
        while True:
            a = self.num(1, 223)
            if a not in (10, 127, 172, 192):
                break
        return f"{a}.{self.num(0, 255)}.{self.num(0, 255)}.{self.num(1, 254)}"

    def IP4(self) -> str:
        return M("ip_address", self.ipv4_raw())

    def h(self) -> str:
        return format(self.num(0, 0xFFFF), "x")

    def ipv6_raw(self) -> str:
        h = self.h
        kind = self.pick(["doc", "doc", "ll", "full", "global", "cf", "upper"])
        if kind == "doc":
            s = self.pick([f"2001:db8:{h()}:{h()}::{h()}", f"2001:db8::{h()}", f"2001:db8:{h()}::{h()}:{h()}"])
        elif kind == "ll":
            s = f"fe80::{h()}:{h()}:{h()}:{h()}"
        elif kind == "full":
            s = "2001:0db8:" + ":".join(format(self.num(0, 0xFFFF), "04x") for _ in range(6))
        elif kind == "global":
            s = f"2a02:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}"
        elif kind == "cf":
            s = f"2606:4700:{h()}::{h()}"
        else:
            s = f"2001:DB8:{h()}:{h()}::{h()}".upper()
        ipaddress.IPv6Address(s)
        return s

    def IP6(self) -> str:
        return M("ip_address", self.ipv6_raw())

    # --- dates --------------------------------------------------------------
    def ymd(self, lo: int, hi: int) -> tuple[int, int, int]:
        y, m = self.num(lo, hi), self.num(1, 12)
        dim = [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return y, m, self.num(1, dim[m - 1])

    def date_fmt(self, lang: str, y: int, m: int, d: int) -> str:
        mo = MONTHS
        opts = {
            "us": [f"{m:02d}/{d:02d}/{y}", f"{m}/{d}/{y}", f"{mo['en'][m-1]} {d}, {y}",
                   f"{mo['en3'][m-1]} {d}, {y}", f"{y}-{m:02d}-{d:02d}", f"{m:02d}-{d:02d}-{y}",
                   f"{m}/{d}/{y % 100:02d}"],
            "uk": [f"{d:02d}/{m:02d}/{y}", f"{d} {mo['en'][m-1]} {y}", f"{d:02d}-{mo['en3'][m-1]}-{y}",
                   f"{d} {mo['en3'][m-1]} {y}"],
            "iso": [f"{y}-{m:02d}-{d:02d}"],
            "de": [f"{d:02d}.{m:02d}.{y}", f"{d}.{m}.{y}", f"{d}. {mo['de'][m-1]} {y}"],
            "fr": [f"{d:02d}/{m:02d}/{y}", f"{'1er' if d == 1 else d} {mo['fr'][m-1]} {y}"],
            "es": [f"{d:02d}/{m:02d}/{y}", f"{d} de {mo['es'][m-1]} de {y}", f"{d:02d}-{m:02d}-{y}"],
            "it": [f"{d:02d}/{m:02d}/{y}", f"{d} {mo['it'][m-1]} {y}", f"{d:02d}.{m:02d}.{y}"],
            "nl": [f"{d:02d}-{m:02d}-{y}", f"{d} {mo['nl'][m-1]} {y}"],
            "pl": [f"{d:02d}.{m:02d}.{y}", f"{d} {mo['pl'][m-1]} {y}", f"{y}-{m:02d}-{d:02d}"],
            "pt": [f"{d:02d}/{m:02d}/{y}", f"{d} de {mo['pt'][m-1]} de {y}"],
            "sv": [f"{y}-{m:02d}-{d:02d}", f"{d} {mo['sv'][m-1]} {y}"],
            "ja": [f"{y}年{m}月{d}日", f"{y}/{m:02d}/{d:02d}"],
            "zh": [f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}"],
        }
        return self.pick(opts[lang])

    def dob_raw(self, lang: str) -> str:
        return self.date_fmt(lang, *self.ymd(1931, 2012))

    def D(self, lang: str = "us") -> str:
        return M("date_of_birth", self.dob_raw(lang))

    def recent(self, lang: str = "us") -> str:
        return self.date_fmt(lang, *self.ymd(2019, 2025))

    def recent_pair(self, lang: str = "us") -> tuple[str, str]:
        a, b = sorted([self.ymd(2019, 2025), self.ymd(2019, 2025)])
        return self.date_fmt(lang, *a), self.date_fmt(lang, *b)

    def iso_ts(self) -> str:
        y, m, d = self.ymd(2023, 2025)
        return f"{y}-{m:02d}-{d:02d}T{self.num(0, 23):02d}:{self.num(0, 59):02d}:{self.num(0, 59):02d}Z"

    def clf_ts(self) -> str:
        y, m, d = self.ymd(2023, 2025)
        return f"{d:02d}/{MONTHS['en3'][m-1]}/{y}:{self.num(0, 23):02d}:{self.num(0, 59):02d}:{self.num(0, 59):02d} +0000"

    def time(self) -> str:
        return f"{self.num(7, 19):02d}:{self.num(0, 59):02d}"

    # --- medical / plan identifiers ------------------------------------------
    def mrn_raw(self) -> str:
        return self.fill(self.pick([
            "{8}", "00{6}", "A{7}", "H{6}", "PT-{6}", "{2}-{5}", "{4}-{4}", "E{9}", "KP-2024-{5}",
            "D{4}-{6}", "MR{7}", "{3}{6}", "P{3}-{3}-{3}", "{10}", "W{2}[ABCDEF]{5}",
        ]))

    def MR(self) -> str:
        return M("medical_record_number", self.mrn_raw())

    def mbi_raw(self) -> str:
        a, an = MBI_ALPHA, MBI_ALPHA + "0123456789"
        c = self.r.choice
        s = (c("123456789") + c(a) + c(an) + c("0123456789") + c(a) + c(an) + c("0123456789")
             + c(a) + c(a) + c("0123456789") + c("0123456789"))
        if self.chance(0.4):
            s = f"{s[:4]}-{s[4:7]}-{s[7:]}"
        return s

    def MBI(self) -> str:
        return M("health_plan_number", self.mbi_raw())

    def member_raw(self) -> str:
        return self.fill(self.pick([
            "{L3}{9}", "W{9}", "{L2}{8}", "ZGP{8}", "8{10}", "{9}01", "M{3}-{3}-{3}", "{L3}{6}{L1}",
            "U{8}", "H{7}-{2}",
        ]).replace("{L3}", self.letters(3)).replace("{L2}", self.letters(2)).replace("{L1}", self.letters(1)))

    def HPN(self, kind: str = "member") -> str:
        if kind == "member":
            v = self.member_raw()
        elif kind == "policy":
            v = self.fill(self.pick(["PLC-{7}-{2}", "H{7}", "AZ-{3}-{6}", "{4}-{6}", "POL{9}"]))
        elif kind == "medicaid":
            v = self.fill(self.pick(["{L2}{5}{L1}", "{9}[AB]", "MCD{8}", "{11}"])
                          .replace("{L2}", self.letters(2)).replace("{L1}", self.letters(1)))
        elif kind == "subscriber":
            v = self.fill(self.pick(["{L3}{9}", "S{8}", "{9}00", "XQ{7}"]).replace("{L3}", self.letters(3)))
        elif kind == "hpid":
            v = self.fill(self.pick(["70{8}", "HP-{6}", "{5}-{5}"]))
        else:
            raise ValueError(kind)
        return M("health_plan_number", v)

    def nhs_raw(self) -> str:
        while True:
            nine = self.pick("4679") + self.d(8)
            c = nhs_check(nine)
            if c is not None:
                s = nine + str(c)
                return self.pick([f"{s[:3]} {s[3:6]} {s[6:]}", s, f"{s[:3]}-{s[3:6]}-{s[6:]}"])

    def kvnr_raw(self) -> str:
        letter = self.letters(1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        eight = self.d(8)
        return f"{letter}{eight}{kvnr_check(letter, eight)}"

    def nir_raw(self, female: bool | None = None) -> str:
        sex = self.pick("12") if female is None else ("2" if female else "1")
        y, m, _ = self.ymd(1940, 2005)
        thirteen = f"{sex}{y % 100:02d}{m:02d}{self.num(1, 95):02d}{self.d(3)}{self.d(3)}"
        k = nir_key(thirteen)
        s = f"{thirteen}{k:02d}"
        if self.chance(0.7):
            return f"{s[0]} {s[1:3]} {s[3:5]} {s[5:7]} {s[7:10]} {s[10:13]} {s[13:]}"
        return s

    def au_medicare_raw(self) -> str:
        eight = self.pick("23456") + self.d(7)
        s = f"{eight}{au_medicare_check(eight)}{self.num(1, 9)}"
        return self.pick([f"{s[:4]} {s[4:9]} {s[9]}", s])

    def cf_raw(self) -> str:
        y, m, d = self.ymd(1940, 2005)
        day = d + (40 if self.chance(0.5) else 0)
        fifteen = (self.letters(6, "BCDFGHLMNPRSTVZ") + f"{y % 100:02d}" + "ABCDEHLMPRST"[m - 1]
                   + f"{day:02d}" + self.pick("ABCDEFGHLM") + self.d(3))
        return fifteen + codice_fiscale_check(fifteen)

    def pesel_raw(self) -> str:
        y, m, d = self.ymd(1940, 2010)
        mm = m + (20 if y >= 2000 else 0)
        ten = f"{y % 100:02d}{mm:02d}{d:02d}{self.d(4)}"
        return ten + str(pesel_check(ten))

    def polis_raw(self) -> str:
        return self.fill(self.pick(["{9}", "{3}{3}{3}", "ZK{8}", "{8}-{2}"]))

    def cip_raw(self) -> str:
        return self.letters(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + self.d(12)

    # --- addresses (postal code marked) --------------------------------------
    def hn(self) -> int:
        return self.num(1, 240)

    def addr(self, cc: str) -> str:
        pc = lambda v: M("postal_code", v)  # noqa: E731
        if cc == "US":
            city, st, pre = self.pick(US_PLACES)
            z = pre + self.d(2)
            if self.chance(0.3):
                z += "-" + self.d(4)
            unit = self.pick(["", "", ", Apt 4B", ", Suite 210", " #12", ", Unit 7"])
            return f"{self.num(10, 9999)} {self.pick(US_STREETS)}{unit}, {city}, {st} {pc(z)}"
        if cc == "CA":
            city, prov, fsa = self.pick(CA_PLACES)
            ldu = f"{self.d(1)}{self.letters(1, 'ABCEGHJKLMNPRSTVWXYZ')}{self.d(1)}"
            return f"{self.num(10, 2999)} {self.pick(CA_STREETS)}, {city}, {prov} {pc(fsa + ' ' + ldu)}"
        if cc == "GB":
            city, out = self.pick(UK_PLACES)
            inward = f"{self.d(1)}{self.letters(2, 'ABDEFGHJLNPQRSTUWXYZ')}"
            sep = self.pick([" ", ", "])
            return f"{self.hn()} {self.pick(UK_STREETS)}, {city}{sep}{pc(out + ' ' + inward)}"
        if cc == "IE":
            town, key = self.pick(IE_PLACES)
            code = key + " " + "".join(self.r.choice(EIR_CHARS) for _ in range(4))
            return f"{self.hn()} {self.pick(IE_STREETS)}, {town}, {pc(code)}"
        if cc == "DE":
            city, pres = self.pick(DE_PLACES)
            prefix = self.pick(["", "", "", "D-"])
            return f"{self.pick(DE_STREETS)} {self.hn()}, {prefix}{pc(self.pick(pres) + self.d(3))} {city}"
        if cc == "AT":
            city, pat = self.pick(AT_PLACES)
            code = f"1{self.num(1, 23):02d}0" if pat == "WIEN" else pat
            return f"{self.pick(DE_STREETS)} {self.hn()}, {self.pick(['', 'A-'])}{pc(code)} {city}"
        if cc == "CH":
            city, pat = self.pick(CH_PLACES)
            code = pat.format(self.num(0, 5), self.num(1, 9)) if "{" in pat else pat
            return f"{self.pick(DE_STREETS)} {self.hn()}, {self.pick(['', 'CH-'])}{pc(code)} {city}"
        if cc == "BE":
            city, code = self.pick(BE_PLACES)
            return f"{self.pick(BE_STREETS)} {self.hn()}, {pc(code)} {city}"
        if cc == "FR":
            city, pat = self.pick(FR_PLACES)
            code = pat.replace("{1}", f"{self.num(1, 20):02d}").replace("{0}", str(self.num(1, 9)))
            return f"{self.hn()} {self.pick(FR_STREETS)}, {pc(code)} {city}"
        if cc == "NL":
            city, pre = self.pick(NL_PLACES)
            letters = self.letters(2, "ABCDEGHJKLMNPRTVWXZ")
            code = f"{pre}{self.d(2)}{self.pick([' ', ' ', ''])}{letters}"
            return f"{self.pick(NL_STREETS)} {self.hn()}, {pc(code)} {city}"
        if cc == "ES":
            city, pre, prov = self.pick(ES_PLACES)
            code = pre + f"{self.num(1, 50):02d}"
            floor = self.pick(["", ", 3º B", ", 2º izq.", ", bajo"])
            return f"{self.pick(ES_STREETS)}, {self.hn()}{floor}, {pc(code)} {city} ({prov})"
        if cc == "IT":
            city, pre, prov = self.pick(IT_PLACES)
            return f"{self.pick(IT_STREETS)} {self.hn()}, {pc(pre + self.d(2))} {city} ({prov})"
        if cc == "PL":
            city, pres = self.pick(PL_PLACES)
            return f"ul. {self.pick(PL_STREETS)} {self.hn()}/{self.num(1, 60)}, {pc(self.pick(pres) + '-' + self.d(3))} {city}"
        if cc == "SE":
            city, pres = self.pick(SE_PLACES)
            prefix = self.pick(["", "", "SE-"])
            return f"{self.pick(SE_STREETS)} {self.hn()}, {prefix}{pc(self.pick(pres) + ' ' + self.d(2))} {city}"
        if cc == "PT":
            city, pre = self.pick(PT_PLACES)
            code = (pre + self.d(4 - len(pre), first_nonzero=False)) + "-" + self.d(3)
            return f"{self.pick(PT_STREETS)}, {self.hn()}, {pc(code)} {city}"
        if cc == "BR":
            city, uf, pre = self.pick(BR_PLACES)
            street, bairro = self.pick(BR_STREETS)
            code = f"{pre}{self.d(3)}-{self.d(3)}"
            if self.chance(0.5):
                return f"{street}, {self.num(10, 2500)} - {bairro}, {city} - {uf}, {pc(code)}"
            return f"{street}, {self.num(10, 2500)}, {bairro}, CEP {pc(code)}, {city}/{uf}"
        if cc == "IN":
            city, state, pre = self.pick(IN_PLACES)
            rest = f"{self.num(1, 99):03d}"
            code = pre + rest if self.chance(0.75) else f"{pre} {rest}"
            if self.chance(0.5):
                return f"{self.num(1, 400)}, {self.pick(IN_STREETS)}, {city}, {state} {pc(code)}"
            return f"Flat {self.num(1, 30)}{self.pick('ABCD')}, {self.pick(IN_STREETS)}, {city} - {pc(code)}"
        if cc == "JP":
            place, pre = self.pick(JP_PLACES)
            return f"〒{pc(pre + '-' + self.d(4))} {place}{self.num(1, 4)}-{self.num(1, 20)}-{self.num(1, 12)}"
        if cc == "AU":
            sub, st, code = self.pick(AU_PLACES)
            unit = self.pick(["", "", f"Unit {self.num(1, 20)}, ", f"Level {self.num(2, 30)}, "])
            return f"{unit}{self.hn()} {self.pick(AU_STREETS)}, {sub} {st} {pc(code)}"
        raise ValueError(cc)

    def zip_raw(self) -> str:
        return self.pick(US_PLACES)[2] + self.d(2)

    # --- negatives helpers ---------------------------------------------------
    def amount(self, style: str = "us") -> str:
        v = self.num(100, 999999)
        whole, cents = v // 100, v % 100
        if style == "us":
            return f"{whole:,}.{cents:02d}"
        if style == "eu":
            return f"{whole:,}".replace(",", ".") + f",{cents:02d}"
        if style == "fr":
            return f"{whole:,}".replace(",", "\u202f") + f",{cents:02d}"
        return f"{whole},{cents:02d}"

    def uuid(self) -> str:
        x = "".join(self.r.choice("0123456789abcdef") for _ in range(32))
        return f"{x[:8]}-{x[8:12]}-4{x[13:16]}-{self.pick('89ab')}{x[17:20]}-{x[20:]}"

    def hexs(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def version(self) -> str:
        return f"{self.num(0, 12)}.{self.num(0, 40)}.{self.num(0, 30)}"

    def mac(self) -> str:
        return ":".join(self.hexs(2).upper() for _ in range(6))

    def bad_quad(self) -> str:
        o = [str(self.num(0, 255)) for _ in range(4)]
        o[self.num(0, 3)] = str(self.num(256, 999))
        return ".".join(o)

    def isbn13(self) -> str:
        body = "978" + self.d(9)
        s = body + str(isbn13_check(body))
        return f"{s[:3]}-{s[3]}-{s[4:7]}-{s[7:12]}-{s[12]}"

    def aba(self) -> str:
        eight = self.pick("0123") + self.d(7)
        return eight + str(aba_check(eight))

    def npi(self) -> str:
        nine = "1" + self.d(8)
        return nine + npi_check_digit(nine)


# ----------------------------------------------------------------------------
# positive templates
# ----------------------------------------------------------------------------

POS = []
NEG = []


def pos(f):
    POS.append(f)
    return f


def neg(f):
    NEG.append(f)
    return f


# --- clinical, US/UK/AU (English) --------------------------------------------
@pos
def _(g):
    return (f"Pt {g.nm('us')}, DOB {g.D('us')}, MRN {g.MR()}, seen for follow-up of type 2 diabetes "
            f"({g.pick(['E11.9', 'E11.65'])}); HbA1c {g.num(61, 98) / 10}%.")


@pos
def _(g):
    adm, dis = g.recent_pair("us")
    return (f"DISCHARGE SUMMARY | Patient: {g.nm('us', 'last_first')} | MR# {g.MR()} | Date of birth: "
            f"{g.D('us')} | Admitted {adm} | Discharged {dis} | Attending: {g.nm('us', 'dr')}")


@pos
def _(g):
    return (f"Referral from {g.nm('us', 'dr')} ({g.E_own('en')}) regarding {g.nm(None, 'full')}, born {g.D('us')}, "
            f"Medicare beneficiary ID {g.MBI()}.")


@pos
def _(g):
    return (f"Nursing note {g.time()}: called patient at {g.P('US')}, no answer, left voicemail. "
            f"Chart number {g.MR()}.")


@pos
def _(g):
    return (f"Lab requisition - patient ID {g.MR()}, D.O.B. {g.D('us')}, insurance ID {g.HPN()}, "
            f"ordering provider {g.nm('us', 'dr')}, fax results to {g.P('US')}.")


@pos
def _(g):
    return (f"{g.pick(['Ms.', 'Mr.', 'Mrs.'])} {g.nm(None, 'family')} (DOB: {g.D('us')}) presented to the ED on "
            f"{g.recent('us')} with chest pain; troponin <0.01 ng/mL, ECG sinus rhythm at {g.num(58, 96)} bpm.")


@pos
def _(g):
    return (f"NHS number {M('health_plan_number', g.nhs_raw())} - {g.nm('uk')}, date of birth {g.D('uk')}, "
            f"registered at {g.addr('GB')}, mobile {g.P('GB')}.")


@pos
def _(g):
    return (f"Medicare card {M('health_plan_number', g.au_medicare_raw())} · {g.nm()} · {g.addr('AU')} · "
            f"mobile {M('phone', g.fill(g.pick(['04{2} {3} {3}', '+61 4{2} {3} {3}', '04{2}{6}'])))}")


@pos
def _(g):
    return (f"Telehealth visit: {g.nm(None, 'full')} ({g.E_own()}) joined from {g.IP4()}; identity confirmed with date of birth "
            f"{g.D('us')} and MRN {g.MR()}.")


@pos
def _(g):
    return (f"Radiology: CT abdomen/pelvis w/ contrast for {g.nm('us', 'last_first')}, DOB {g.D('us')}, "
            f"accession RAD-{g.d(2)}-{g.d(6)}; MRN {g.MR()}; read by {g.nm(None, 'dr')}.")


@pos
def _(g):
    return (f"Immunization record: {g.nm('us')}, birthdate {g.D('us')}, Medicaid ID {g.HPN('medicaid')}, "
            f"home address {g.addr('US')}.")


@pos
def _(g):
    return (f"Pharmacy callback: Rx for {g.nm()} (DOB {g.D('us')}), member ID {g.HPN()}, RxBIN {g.d(6)}, "
            f"group {g.fill('GRP{5}')}; call back {g.P('US')}.")


@pos
def _(g):
    return (f"Behavioral health intake: client {g.nm('us', 'full')}, born on {g.D('us')}; emergency contact "
            f"{g.nm('us', 'full')} at {g.P('US')}.")


@pos
def _(g):
    return (f"Pre-op checklist: {g.nm('uk', 'title')}, NHS no. {M('health_plan_number', g.nhs_raw())}, "
            f"DOB {g.D('uk')}, ward {g.pick(['7B', '12', 'C3'])}, consultant {g.nm('uk', 'dr')}.")


@pos
def _(g):
    return (f"Ambulance handover {g.time()}: {g.nm('us', 'given')}, unresponsive, no ID on scene; later identified "
            f"via chart number {g.MR()}, DOB {g.D('us')}.")


# --- insurance ---------------------------------------------------------------
@pos
def _(g):
    return (f"CLAIM CLM-{g.d(8)}: subscriber ID {g.HPN('subscriber')}, patient {g.nm('us')}, DOB {g.D('us')}, "
            f"billed ${g.amount()}, CPT {g.pick(CPT)}, dx {g.pick(ICD10)}, rendering NPI {g.npi()}.")


@pos
def _(g):
    return f"Policy number {g.HPN('policy')} - insured: {g.nm('us')}, {g.addr('US')}, tel {g.P('US')}."


@pos
def _(g):
    return (f"EOB for {g.nm('us')}: member ID {g.HPN()}, health plan ID {g.HPN('hpid')}, service date "
            f"{g.recent('us')}, allowed ${g.amount()}, you owe ${g.num(0, 80)}.00")


@pos
def _(g):
    return f"Appeal re: beneficiary ID {g.MBI()} - {g.nm('us')}, {g.addr('US')}; reply to {g.E()}."


@pos
def _(g):
    return (f"Coordination of benefits: primary insurance ID {g.HPN()}, secondary Medicaid ID "
            f"{g.HPN('medicaid')}, subscriber {g.nm('us')}.")


@pos
def _(g):
    return (f"CMS notice dated {g.recent('us')}: new Medicare card for {g.nm('us')} shows {g.MBI()}; "
            f"destroy the old card.")


@pos
def _(g):
    return (f"Insurance card scan - member ID {g.HPN()}, group {g.fill('{6}')}, payer ID {g.d(5)}, "
            f"plan Gold PPO; subscriber {g.nm('us')}, DOB {g.D('us')}.")


@pos
def _(g):
    return (f"Medicare number {M('health_plan_number', g.au_medicare_raw())} for {g.nm()}, postal address "
            f"{g.addr('AU')}.")


@pos
def _(g):
    return f"Beneficiary ID: {g.MBI()}; Part A effective {g.recent('us')}, Part B effective {g.recent('us')}."


@pos
def _(g):
    return (f"Subscriber ID {g.HPN('subscriber')} - relationship to subscriber: spouse "
            f"({g.nm('us', 'full')}, DOB {g.D('us')}).")


@pos
def _(g):
    return (f"Eligibility 271: member_id={M('health_plan_number', g.member_raw())} status=active "
            f"plan_begin={g.recent('iso')} dob={g.D('iso')}")


# --- bank and payroll ----------------------------------------------------------
@pos
def _(g):
    return (f"Please wire the refund to IBAN {g.I('DE')} (BIC {g.pick(['COBADEFFXXX', 'DEUTDEFF', 'GENODEF1S04'])}), "
            f"account holder {g.nm('de')}.")


@pos
def _(g):
    return (f"Gehaltsabrechnung {g.num(1, 12):02d}/{g.num(2023, 2025)} - {g.nm('de', 'full')}, geb. {g.D('de')}, "
            f"IBAN {g.I('DE')}, Anschrift {g.addr('DE')}.")


@pos
def _(g):
    return (f"Virement SEPA : bénéficiaire {g.nm('fr', 'title')}, IBAN {g.I('FR')}, montant {g.amount('fr')} €, "
            f"référence FAC-{g.num(2023, 2025)}-{g.d(4)}.")


@pos
def _(g):
    return (f"Domiciliación bancaria: titular {g.nm('es', 'full')}, IBAN {g.I('ES')}, fecha de nacimiento "
            f"{g.D('es')}, domicilio {g.addr('ES')}.")


@pos
def _(g):
    return (f"Bonifico a favore di {g.nm('it', 'full')}, IBAN {g.I('IT')}, causale: rimborso fattura "
            f"n. {g.num(10, 999)}/{g.num(2023, 2025)}.")


@pos
def _(g):
    return (f"Machtiging SEPA: {g.nm('nl', 'full')}, IBAN {g.I('NL')}, geboortedatum {g.D('nl')}, "
            f"adres {g.addr('NL')}.")


@pos
def _(g):
    return (f"Przelew: odbiorca {g.nm('pl', 'full')}, rachunek {g.I('PL')}, tytułem: faktura "
            f"FV/{g.num(2023, 2025)}/{g.num(1, 12):02d}/{g.d(3)}, kwota {g.amount('pl')} zł.")


@pos
def _(g):
    return f"Lönen sätts in på {g.I('SE')}; anställd {g.nm('sv', 'full')}, {g.addr('SE')}, tel. {g.P('SE')}."


@pos
def _(g):
    return (f"Transferência para {g.nm('pt', 'full')}, IBAN {g.I('PT')}, data de nascimento {g.D('pt')}, "
            f"morada {g.addr('PT')}.")


@pos
def _(g):
    return (f"Payroll change request: {g.nm('us')}, SSN {g.S()}, new direct deposit IBAN {g.I()} "
            f"effective {g.recent('us')}.")


@pos
def _(g):
    return (f"vendor_master | name={g.nm(None, 'full')} | iban={g.I(None, False)} | "
            f"bic={g.pick(['BNPAFRPP', 'INGBNL2A', 'RABONL2U', 'BCITITMM'])} | contact={g.E()}")


@pos
def _(g):
    a, b, c = g.r.sample(sorted(IBAN_LENGTHS), 3)
    return f"Accepted settlement accounts: {g.I(a)}, {g.I(b)} and {g.I(c)}."


@pos
def _(g):
    return (f"Overschrijving naar {g.nm('nl', 'full')}, rekening {g.I('BE')}, gestructureerde mededeling "
            f"+++{g.d(3)}/{g.d(4)}/{g.d(5)}+++.")


@pos
def _(g):
    return f"Zahlung an {g.nm('de', 'full')}, IBAN {g.I('CH')}, {g.addr('CH')}."


@pos
def _(g):
    return (f"Refund for {g.nm('uk')}: IBAN {g.I('GB')}, sort code {g.d(2)}-{g.d(2)}-{g.d(2)}, "
            f"ref. RFD{g.d(6)}.")


@pos
def _(g):
    return (f"Überweisung an {g.nm('de', 'full')}, IBAN {g.I('AT')}, Verwendungszweck Kaution Wohnung "
            f"{g.num(1, 40)}, {g.addr('AT')}.")


@pos
def _(g):
    return (f"Direct debit mandate: debtor {g.nm('ie', 'full')}, IBAN {g.I('IE')}, {g.addr('IE')}, "
            f"mandate ref MDT-{g.d(7)}.")


# --- cards ------------------------------------------------------------------------
@pos
def _(g):
    return (f"Card on file: {g.C()} exp {g.num(1, 12):02d}/{g.num(25, 31)}, billing ZIP "
            f"{M('postal_code', g.zip_raw())} - customer {g.nm('us')}.")


@pos
def _(g):
    return (f"payment_failed card={g.C(sep='')} customer={g.E()} ip={g.IP4()} amount={g.num(5, 900)}.00 "
            f"currency=USD decline_code=do_not_honor")


@pos
def _(g):
    return (f"Kreditkarte {g.C()} (gültig bis {g.num(1, 12):02d}/{g.num(25, 31)}), Karteninhaber "
            f"{g.nm('de', 'full')}, Rechnungsadresse {g.addr('DE')}.")


@pos
def _(g):
    return (f"Paiement par carte {g.C()} refusé ; merci de contacter {g.E('fr')} ou le {g.P('FR')}.")


@pos
def _(g):
    return f"Número de tarjeta: {g.C()} · titular {g.nm('es', 'full')} · teléfono {g.P('ES')}"


@pos
def _(g):
    return (f"Carta di credito {g.C()} intestata a {g.nm('it', 'full')}, scadenza {g.num(1, 12):02d}/"
            f"{g.num(25, 31)}, cell. {g.P('IT')}.")


@pos
def _(g):
    return f"[{g.time()}] {g.nm(None, 'given')}: here's my card {g.C()} for the deposit, ok?"


@pos
def _(g):
    return (f"Ticket #{g.d(5)}: customer pasted a full card number ({g.C()}) into chat; redact it and "
            f"notify {g.E('en')}.")


@pos
def _(g):
    return (f"Betaling met creditcard {g.C()} mislukt voor {g.nm('nl', 'full')}; bel {g.P('NL')}.")


@pos
def _(g):
    return (f"Karta płatnicza {g.C()} została zablokowana; właściciel {g.nm('pl', 'full')}, tel. {g.P('PL')}.")


# --- look-alike digits ------------------------------------------------------------
@pos
def _(g):
    return (f"お支払いカード番号：{g.C_local('fullwidth')}、名義 {g.nm('jp', 'family_given')} 様、"
            f"電話 {g.P_local('JP', 'fullwidth')}")


@pos
def _(g):
    return f"米国社会保障番号（SSN）：{g.S_local('fullwidth')}、生年月日（DOB）：{g.D('ja')}"


@pos
def _(g):
    return f"联系人：{g.nm('cn', 'family_given')}，手机 {g.P_local('CN', 'fullwidth')}，邮箱 {g.E_own('zh')}。"


@pos
def _(g):
    return (f"ग्राहक {g.nm('in', 'full')}, मोबाइल {g.P_local('IN', 'devanagari')}, "
            f"कार्ड {g.C_local('devanagari')}।")


@pos
def _(g):
    return f"अमेरिकी SSN: {g.S_local('devanagari')}, ईमेल {g.E('hi')}"


@pos
def _(g):
    return (f"الاسم: {g.nm('ar', 'full')}، الهاتف {g.P_local('AE', 'arabic')}، "
            f"البطاقة {g.C_local('arabic')}")


@pos
def _(g):
    return f"رقم الضمان الاجتماعي الأمريكي (SSN): {g.S_local('arabic')}، البريد {g.E('ar')}"


@pos
def _(g):
    return f"信用卡号：{g.C_local('fullwidth')}，持卡人 {g.nm('cn', 'family_given')}"


# --- HR ---------------------------------------------------------------------------
@pos
def _(g):
    return (f"Employee: {g.nm('us', 'full')} | SSN: {g.S()} | DOB: {g.D('us')} | Home: {g.addr('US')} | "
            f"Cell: {g.P('US')} | Personal email: {g.E_own()}")


@pos
def _(g):
    return (f"New hire form - Name: {g.nm(None, 'full')}; Social Security No. {g.S()}; Date of Birth "
            f"{g.D('us')}; Emergency contact {g.nm(None, 'full')} {g.P('US')}.")


@pos
def _(g):
    return (f"w4_import employee_id=E{g.d(5)} ssn={g.S('')} dob={g.D('iso')} zip={M('postal_code', g.zip_raw())} "
            f"filing_status=single")


@pos
def _(g):
    return (f"Personalbogen: {g.nm('de', 'last_first')}; Geburtsdatum: {g.D('de')}; Anschrift: {g.addr('DE')}; "
            f"Tel. {g.P('DE')}; E-Mail {g.E_own('de')}")


@pos
def _(g):
    return (f"Fiche salarié : {g.nm('fr', 'full')}, né(e) le {g.D('fr')}, numéro d'assuré social "
            f"{M('health_plan_number', g.nir_raw(g.last[2]))}, domicile {g.addr('FR')}.")


@pos
def _(g):
    return (f"Scheda dipendente: {g.nm('it', 'full')}, data di nascita {g.D('it')}, {g.addr('IT')}, "
            f"cell. {g.P('IT')}.")


@pos
def _(g):
    return (f"Alta de empleado: {g.nm('es', 'full')}, {g.fem('nacida', 'nacido')} el {g.D('es')}, "
            f"domicilio {g.addr('ES')}, móvil {g.P('ES')}.")


@pos
def _(g):
    return (f"Personeelsdossier {g.nm('nl', 'full')}: geboren op {g.D('nl')}, {g.addr('NL')}, "
            f"telefoon {g.P('NL')}.")


@pos
def _(g):
    return (f"Kadry: {g.nm('pl', 'full')}, data urodzenia {g.D('pl')}, adres {g.addr('PL')}, "
            f"tel. {g.P('PL')}.")


@pos
def _(g):
    return f"Personalkort: {g.nm('sv', 'full')}, e-post {g.E_own('sv')}, mobil {g.P('SE')}, {g.addr('SE')}."


@pos
def _(g):
    return (f"Cadastro de funcionário: {g.nm('pt', 'full')}, data de nascimento {g.D('pt')}, endereço "
            f"{g.addr('BR')}, celular {g.P('BR')}.")


@pos
def _(g):
    return (f"Background check consent: {g.nm('us', 'full')}, SSN {g.S(' ')}, date of birth {g.D('us')}, "
            f"previous address {g.addr('US')}.")


@pos
def _(g):
    return (f"Offboarding: {g.nm(None, 'full')} - last day {g.recent('us')}; forward mail to {g.E_own()}; "
            f"laptop asset TAG-{g.d(5)}.")


# --- support, chat, e-mail -----------------------------------------------------------
@pos
def _(g):
    return (f"Ticket #{g.d(5)}: user {g.E()} cannot log in from {g.IP4()}; last successful login "
            f"{g.recent('iso')} {g.time()} UTC.")


@pos
def _(g):
    return (f"chat> hi it's {g.nm(None, 'given')}, my new number is {g.P()} and my email is {g.E_own()}")


@pos
def _(g):
    name = g.given("uk")
    return (f"[{g.time()}] {M('name', name)}: can you resend the invoice to {g.E('en', 'uk')}? "
            f"[{g.time()}] agent: sure, which postcode is on the account? [{g.time()}] {M('name', name)}: "
            f"my postcode is {M('postal_code', g.addr('GB').split('⟦postal_code:')[1].split('⟧')[0])}")


@pos
def _(g):
    return (f"-- {g.nm('us', 'full')} | Senior Claims Analyst | T {g.P('US')} | {g.E_own()} | {g.U()}")


@pos
def _(g):
    return (f"Mit freundlichen Grüßen {g.nm('de', 'full')} · Praxis Dr. {M('name', g.family('de'))} · {g.addr('DE')} · "
            f"Tel. {g.P('DE')} · Fax {g.P('DE')} · {g.U('de')}")


@pos
def _(g):
    return (f"Cordialement, {g.nm('fr', 'full')} - secrétariat médical - {g.addr('FR')} - tél. {g.P('FR')} - "
            f"{g.E_own('fr')}")


@pos
def _(g):
    return (f"Un saludo, {g.nm('es', 'full')} | Administración | {g.addr('ES')} | Tel. {g.P('ES')} | {g.U('es')}")


@pos
def _(g):
    return (f"Cordiali saluti, {g.nm('it', 'dr_full')} - Studio medico - {g.addr('IT')} - tel. {g.P('IT')} - "
            f"{g.E_own('it')}")


@pos
def _(g):
    return (f"From: {g.nm(None, 'full')} <{g.E_own()}> | To: {g.E()} | Subject: Re: appointment on "
            f"{g.recent('us')}")


@pos
def _(g):
    return f"Questions? Write to mailto:{g.E()} or visit {g.U()}."


@pos
def _(g):
    return (f"See the [patient portal]({g.U()}) or call {M('phone', g.fill(g.pick(['1-800-{3}-{4}', '(888) {3}-{4}', '1 (877) {3}-{4}'])))} "
            f"ext. {g.d(3)} between 8 and 5.")


@pos
def _(g):
    return f'<a href="tel:{M("phone", g.e164(g.pick(["US", "GB", "DE", "FR", "NL", "ES"])))}">Call {g.nm(None, "given")}</a>'


@pos
def _(g):
    return (f"Out of office until {g.recent('uk')}. For urgent matters contact {g.nm('uk', 'full')} on "
            f"{g.P('GB')} or {g.E_own('en')}.")


@pos
def _(g):
    return f"Anmeldung online unter {g.U('de')} oder telefonisch unter {g.P('DE')} (Mo-Fr 8-12 Uhr)."


@pos
def _(g):
    return f"Prenez rendez-vous sur {g.U('fr')} ou au {g.P('FR')} ; en cas d'urgence, composez le 15."


@pos
def _(g):
    return f"Pide cita en {g.U('es')} o llama al {g.P('ES')}."


@pos
def _(g):
    return f"Maak een afspraak via {g.U('nl')} of bel {g.P('NL')} tussen 8.00 en 17.00 uur."


@pos
def _(g):
    return f"Rejestracja: {g.U('pl')}, tel. {g.P('PL')}, e-mail {g.E('pl', 'pl')}."


@pos
def _(g):
    return f"Boka tid på {g.U('sv')} eller ring {g.P('SE')}."


@pos
def _(g):
    return f"Marcações em {g.U('pt')} ou pelo {g.P('PT')}."


@pos
def _(g):
    return f"Prenotazioni su {g.U('it')} oppure al numero {g.P('IT')}."


@pos
def _(g):
    return (f"WhatsApp from {g.nm(None, 'given')} ({g.P()}): running 10 min late, sorry! "
            f"Also my old email {g.E_own()} is dead.")


@pos
def _(g):
    return f"Slack #billing: @ops please whitelist {g.IP4()} and {g.IP6()} for the SFTP drop, thanks - {g.nm(None, 'given')}"


# --- logs -------------------------------------------------------------------
@pos
def _(g):
    return (f"{g.iso_ts()} WARN sshd[{g.d(5)}]: Failed password for invalid user admin from {g.IP4()} "
            f"port {g.num(1024, 65535)} ssh2")


@pos
def _(g):
    return (f'{g.IP4()} - - [{g.clf_ts()}] "GET /api/v2/patients?email={g.E()} HTTP/1.1" 200 {g.num(200, 9000)}')


@pos
def _(g):
    return (f"{g.iso_ts()} ERROR upstream timed out (110), client: [{g.IP6()}]:{g.num(1024, 65535)}, "
            f"request: \"POST /login HTTP/2.0\"")


@pos
def _(g):
    return f"allow {g.IP4()}/24;  deny {g.IP4()};  allow {g.IP6()}/64;  # office + VPN"


@pos
def _(g):
    return f"DENY src={g.IP4()} dst={g.IP4()}:{g.pick([443, 8443, 3389, 22, 5432])} proto=TCP flags=S"


@pos
def _(g):
    return f"conn from {g.IP6()} port {g.num(1024, 65535)} accepted; peer [{g.IP6()}]:443"


@pos
def _(g):
    return (f'{{"event":"login","user":"{g.E()}","ip":"{g.IP4()}","ua":"Mozilla/5.0","ts":"{g.iso_ts()}"}}')


@pos
def _(g):
    return f"audit: MRN {g.MR()} viewed by {g.E()} from {g.IP6()} at {g.iso_ts()}"


@pos
def _(g):
    return f"{g.iso_ts()} INFO webhook delivered to {g.U()} status=204 duration_ms={g.num(20, 900)}"


@pos
def _(g):
    return f"resolver: {g.IP4()} -> {g.IP6()} (AAAA), ttl {g.pick([60, 300, 3600])}"


# --- CSV / key-value / JSON --------------------------------------------------------
@pos
def _(g):
    grp = g.pick(["us", "us", "in", "cn", "vn", "af"])
    city, st, pre = g.pick(US_PLACES)
    return (f"{g.d(4)},{M('name', g.given(grp))},{M('name', g.family(grp))},{g.E('en', grp)},"
            f"{g.P('US')},{city},{st},{M('postal_code', pre + g.d(2))}")


@pos
def _(g):
    city, pres = g.pick(DE_PLACES)
    return (f"{M('name', g.family('de'))};{M('name', g.given('de'))};{g.I('DE', False)};"
            f"{g.pick(DE_STREETS)} {g.hn()};{M('postal_code', g.pick(pres) + g.d(3))};{city}")


@pos
def _(g):
    return f'"{g.nm(None, "last_first")}","{g.E_own()}","{g.IP4()}","{g.iso_ts()}"'


@pos
def _(g):
    return (f"patient_id={g.MR()} dob={g.D('iso')} member_id={M('health_plan_number', g.member_raw())} "
            f"zip={M('postal_code', g.zip_raw())} phone={g.P('US')}")


@pos
def _(g):
    city, st, pre = g.pick(US_PLACES)
    return (f'{{"name": "{g.nm("us", "full")}", "email": "{g.E_own()}", "dob": "{g.D("iso")}", '
            f'"address": {{"line1": "{g.num(10, 9999)} {g.pick(US_STREETS)}", "city": "{city}", '
            f'"state": "{st}", "zip": "{M("postal_code", pre + g.d(2))}"}}}}')


@pos
def _(g):
    return f"contact: {{ name: {g.nm(None, 'full')}, phone: '{g.P()}', email: {g.E_own()} }}"


@pos
def _(g):
    return (f"<patient><mrn>{g.MR()}</mrn><dob>{g.D('iso')}</dob><name>{g.nm(None, 'full')}</name>"
            f"<phone>{g.P()}</phone></patient>")


@pos
def _(g):
    return (f"ip={g.IP4()} card={g.C(sep='')} email={g.E()} country=US zip={M('postal_code', g.zip_raw())} "
            f"risk_score={g.num(1, 99)}")


@pos
def _(g):
    return (f'{{"iban": "{g.I(None, False)}", "holder": "{g.nm(None, "full")}", '
            f'"amount": {g.num(10, 9000)}.{g.d(2)}, "currency": "EUR"}}')


@pos
def _(g):
    return f"user.email={g.E()}; user.phone={g.P()}; user.homepage={g.U()}"


# --- addresses --------------------------------------------------------------------
@pos
def _(g):
    return f"Ship to: {g.nm('us', 'full')}, {g.addr('US')}"


@pos
def _(g):
    return f"{g.nm('uk', 'full')}, Flat {g.num(1, 30)}, {g.addr('GB')}, United Kingdom"


@pos
def _(g):
    return f"Mailing address: {g.addr('CA')}, Canada - attn. {g.nm(None, 'full')}"


@pos
def _(g):
    return f"Deliver to {g.nm('ie', 'full')}, {g.addr('IE')}, Ireland"


@pos
def _(g):
    return f"Lieferadresse: {g.nm('de', 'title_full')}, {g.addr(g.pick(['DE', 'DE', 'AT', 'CH']))}"


@pos
def _(g):
    return f"Adresse de facturation : {g.nm('fr', 'title')}, {g.addr(g.pick(['FR', 'FR', 'BE']))}"


@pos
def _(g):
    return f"Dirección de envío: {g.nm('es', 'full')}, {g.addr('ES')}"


@pos
def _(g):
    return f"Indirizzo di consegna: {g.nm('it', 'title_full')}, {g.addr('IT')}"


@pos
def _(g):
    return f"Afleveradres: {g.addr('NL')}, t.a.v. {g.nm('nl', 'title')}"


@pos
def _(g):
    return f"Adres do korespondencji: {g.nm('pl', 'full')}, {g.addr('PL')}"


@pos
def _(g):
    return f"Leveransadress: {g.nm('sv', 'full')}, {g.addr('SE')}, Sverige"


@pos
def _(g):
    return f"Morada: {g.addr('PT')} - {g.nm('pt', 'full')}"


@pos
def _(g):
    return f"Endereço de entrega: {g.addr('BR')}, aos cuidados de {g.nm(None, 'full')}"


@pos
def _(g):
    return f"Delivery address: {g.nm('in', 'full')}, {g.addr('IN')}, phone {g.P('IN')}"


@pos
def _(g):
    return f"お届け先：{g.addr('JP')} {g.nm('jp', 'family_given')} 様 電話 {g.P('JP')}"


@pos
def _(g):
    return f"Postal address: {g.addr('AU')} - {g.nm(None, 'full')}"


@pos
def _(g):
    return f"Service area check: ZIP {M('postal_code', g.zip_raw())} is covered, ZIP {M('postal_code', g.zip_raw() + '-' + g.d(4))} is not."


@pos
def _(g):
    city, pres = g.pick(PL_PLACES)
    return f"Wysyłka: kod pocztowy {M('postal_code', g.pick(pres) + '-' + g.d(3))}, miejscowość {city}."


@pos
def _(g):
    city, pre, _prov = g.pick(ES_PLACES)
    return f"Envío gratuito para el código postal {M('postal_code', pre + f'{g.num(1, 50):02d}')} ({city})."


@pos
def _(g):
    city, pre, _prov = g.pick(IT_PLACES)
    return f"Consegna prevista al CAP {M('postal_code', pre + g.d(2))} ({city}) entro {g.num(2, 6)} giorni lavorativi."


@pos
def _(g):
    city, pat = g.pick(FR_PLACES)
    code = pat.replace("{1}", f"{g.num(1, 20):02d}").replace("{0}", str(g.num(1, 9)))
    return f"Livraison : code postal {M('postal_code', code)} ({city}), créneau {g.num(8, 12)}h-{g.num(13, 18)}h."


@pos
def _(g):
    city, pres = g.pick(DE_PLACES)
    return f"Versand nur innerhalb Deutschlands; PLZ {M('postal_code', g.pick(pres) + g.d(3))} ({city}) wird beliefert."


@pos
def _(g):
    city, out = g.pick(UK_PLACES)
    inward = f"{g.d(1)}{g.letters(2, 'ABDEFGHJLNPQRSTUWXYZ')}"
    return f"Please confirm your postcode: {M('postal_code', out + ' ' + inward)} ({city})."


@pos
def _(g):
    return f"Registered office: {g.addr(g.pick(['GB', 'IE', 'NL', 'BE']))}; VAT registered."


# --- multilingual clinical --------------------------------------------------------
@pos
def _(g):
    return (f"Patient {g.nm('de', 'title')}, geb. {g.D('de')}, Patientennummer {g.MR()}, KVNR "
            f"{M('health_plan_number', g.kvnr_raw())}, aufgenommen am {g.recent('de')}.")


@pos
def _(g):
    return (f"Versichertennummer: {M('health_plan_number', g.kvnr_raw())} - Geburtsdatum {g.D('de')} - "
            f"{g.nm('de', 'last_first')}")


@pos
def _(g):
    return (f"Arztbrief: {g.nm('de', 'full')}, geboren am {g.D('de')}, wohnhaft {g.addr('DE')}, "
            f"Rückfragen unter {g.P('DE')}.")


@pos
def _(g):
    n = g.nm('fr', 'title')
    return (f"{g.fem('Patiente', 'Patient')} : {n}, {g.fem('née', 'né')} le {g.D('fr')}, numéro de dossier {g.MR()}, "
            f"carte Vitale {M('health_plan_number', g.nir_raw(g.last[2]))}, {g.fem('hospitalisée', 'hospitalisé')} "
            f"le {g.recent('fr')}.")


@pos
def _(g):
    return (f"Compte rendu de consultation : {g.nm('fr', 'full')}, date de naissance {g.D('fr')}, "
            f"tél. {g.P('FR')}, {g.addr('FR')}.")


@pos
def _(g):
    return (f"Paciente {g.nm('es', 'full')}, {g.fem('nacida', 'nacido')} el {g.D('es')}, historia clínica "
            f"{g.MR()}, teléfono {g.P('ES')}.")


@pos
def _(g):
    return (f"Informe de alta: {g.nm('es', 'full')}; fecha de nacimiento {g.D('es')}; ingreso {g.recent('es')}; "
            f"insurance ID (tarjeta sanitaria): {M('health_plan_number', g.cip_raw())}")


@pos
def _(g):
    return (f"Paziente {g.nm('it', 'full')}, {g.fem('nata', 'nato')} il {g.D('it')}, cartella clinica "
            f"n. {g.MR()}, residente in {g.addr('IT')}.")


@pos
def _(g):
    return (f"Referto: {g.nm('it', 'full')}, data di nascita {g.D('it')}, insurance number (tessera sanitaria) "
            f"{M('health_plan_number', g.cf_raw())}.")


@pos
def _(g):
    return (f"Patiënt {g.nm('nl', 'full')}, geboren op {g.D('nl')}, patiëntnummer {g.MR()}, polisnummer "
            f"{M('health_plan_number', g.polis_raw())}.")


@pos
def _(g):
    return (f"Ontslagbrief {g.nm('nl', 'full')} (geboortedatum {g.D('nl')}); huisarts {g.nm('nl', 'dr')} "
            f"bereikbaar op {g.P('NL')}.")


@pos
def _(g):
    return (f"Pacjent {g.nm('pl', 'full')}, ur. {g.D('pl')}, nr karty pacjenta {g.MR()}, tel. {g.P('PL')}.")


@pos
def _(g):
    return (f"Karta informacyjna: {g.nm('pl', 'full')}, data urodzenia {g.D('pl')}, insurance number "
            f"(NFZ): {M('health_plan_number', g.pesel_raw())}, {g.addr('PL')}.")


@pos
def _(g):
    return (f"Utente {g.nm('pt', 'full')}, data de nascimento {g.D('pt')}, telemóvel {g.P('PT')}, "
            f"{g.addr('PT')}.")


@pos
def _(g):
    return (f"Patient {g.nm('sv', 'full')}, tel. {g.P('SE')}, e-post {g.E_own('sv')}, {g.addr('SE')}; "
            f"återbesök {g.recent('sv')}.")


@pos
def _(g):
    return f"患者名：{g.nm('jp', 'family_given')}（DOB：{g.D('ja')}）電話 {g.P('JP')}、MRN {g.MR()}"


@pos
def _(g):
    return f"患者 {g.nm('cn', 'family_given')}，DOB {g.D('zh')}，病历号 MRN {g.MR()}，电话 {g.P('CN')}。"


@pos
def _(g):
    return f"रोगी {g.nm('in', 'full')}, DOB {g.D('uk')}, मोबाइल {g.P('IN')}, पता {g.addr('IN')}"


@pos
def _(g):
    return (f"Zorgverzekering: polisnummer {M('health_plan_number', g.polis_raw())}, verzekerde "
            f"{g.nm('nl', 'full')}, {g.addr('NL')}.")


@pos
def _(g):
    return (f"Insurance ID (CIP): {M('health_plan_number', g.cip_raw())} - paciente {g.nm('es', 'full')}, "
            f"fecha de nacimiento {g.D('es')}.")


@pos
def _(g):
    n = g.nm('fr', 'title_full')
    return f"Carte Vitale {M('health_plan_number', g.nir_raw(g.last[2]))} au nom de {n}, {g.addr('FR')}."


# --- more SSN, card, IBAN, IP, MRN and URL contexts ------------------------------
@pos
def _(g):
    return (f"Form 1099-NEC: recipient {g.nm('us', 'full')}, recipient's TIN (SSN) {g.S('-')}, "
            f"{g.addr('US')}; nonemployee compensation ${g.amount()}.")


@pos
def _(g):
    return (f"W-2 box a: employee's social security number {g.S()}; box e: {g.nm('us', 'full')}; "
            f"box f: {g.addr('US')}")


@pos
def _(g):
    return (f"Credit application - applicant {g.nm(None, 'full')}, SSN {g.S()}, DOB {g.D('us')}, annual income "
            f"${g.num(28, 240)},000, time at address {g.num(1, 20)} yrs.")


@pos
def _(g):
    return (f"Registration: SSN {g.S()} (optional), date of birth {g.D('us')}, preferred phone {g.P('US')}, "
            f"preferred language Spanish.")


@pos
def _(g):
    return f"Call transcript 00:0{g.num(1, 9)}:{g.num(10, 59)} caller: yeah my social is {g.S(' ')}, and the zip is {M('postal_code', g.zip_raw())}."


@pos
def _(g):
    return (f"Lease application: co-signer {g.nm('us', 'full')}, SSN {g.S()}, employer Riverbend Logistics, "
            f"monthly rent ${g.num(9, 35)}00.")


@pos
def _(g):
    grp = g.pick(["us", "in", "vn", "cn", "af"])
    return f"{g.S('-')},{M('name', g.given(grp))},{M('name', g.family(grp))},{g.recent('iso')},active"


@pos
def _(g):
    return f'{{"ssn": "{g.S("-")}", "first_name": "{M("name", g.given("us"))}", "hire_date": "{g.recent("iso")}"}}'


@pos
def _(g):
    return (f"Lohnbuchhaltung (US-Entsendung): {g.nm('de', 'full')}, US Social Security Number {g.S()}, "
            f"Geburtsdatum {g.D('de')}.")


@pos
def _(g):
    return f"Número de Seguro Social (SSN): {g.S()} - solicitante {g.nm('es', 'full')}, teléfono {g.P('US')}."


@pos
def _(g):
    return f"FAFSA worksheet: parent SSN {g.S()}, student SSN {g.S()}, household size {g.num(2, 7)}."


@pos
def _(g):
    return f"Fraud alert: SSN {g.S()} appeared on {g.num(2, 9)} applications from {g.IP4()} within 24 h."


@pos
def _(g):
    return (f"QA note: agent typed the caller's SSN ({g.S()}) into the free-text field; "
            f"ticket escalated to {g.E()}.")


@pos
def _(g):
    return f"SSN={g.S('-')}|DOB={g.D('iso')}|ZIP={M('postal_code', g.zip_raw())}|STATUS=VERIFIED"


@pos
def _(g):
    return f"Student record for {g.nm('us', 'full')}: SSN {g.S()}, enrolled {g.recent('us')}, advisor {g.nm('us', 'dr')}."


@pos
def _(g):
    return f"Refund issued to {g.pick(['Visa', 'Mastercard', 'Amex', 'Discover'])} card {g.C()} on {g.recent('us')}."


@pos
def _(g):
    return (f"Reservation guaranteed with card {g.C()}; guest {g.nm(None, 'full')}, arrival {g.recent('uk')}, "
            f"{g.num(1, 9)} nights.")


@pos
def _(g):
    return f"POS {g.iso_ts()} PAN={g.C(sep='')} EXP={g.num(25, 31)}{g.num(1, 12):02d} AUTH={g.d(6)} RC=00"


@pos
def _(g):
    return f"Corporate card for {g.nm(None, 'full')}: {g.C()}, monthly limit {g.num(2, 20)}.000 €."


@pos
def _(g):
    return f"Carte bancaire n° {g.C()} - titulaire {g.nm('fr', 'title_full')}, expiration {g.num(1, 12):02d}/{g.num(25, 31)}."


@pos
def _(g):
    return f"Cartão de crédito {g.C()} em nome de {g.nm('pt', 'full')}; validade {g.num(1, 12):02d}/{g.num(25, 31)}."


@pos
def _(g):
    return f"Kortnummer {g.C()} spärrat på begäran av {g.nm('sv', 'full')}."


@pos
def _(g):
    return f'{{"card_number": "{g.C(sep="")}", "exp_month": {g.num(1, 12)}, "exp_year": {g.num(2025, 2031)}, "email": "{g.E()}"}}'


@pos
def _(g):
    return f"Bankverbindung: {g.nm('de', 'full')}, IBAN: {g.I('DE')}, Kreditinstitut: Sparkasse, Verwendungszweck Miete."


@pos
def _(g):
    return f"RIB de {g.nm('fr', 'title')} : IBAN {g.I('FR')} - BIC {g.pick(['BNPAFRPPXXX', 'SOGEFRPP', 'CCBPFRPPXXX'])}."


@pos
def _(g):
    return f"Dados bancários: {g.nm('pt', 'full')}, IBAN {g.I(g.pick(['PT', 'BR']))}."


@pos
def _(g):
    return f"Rekeningnummer (IBAN) {g.I('NL')} ten name van {g.nm('nl', 'title')}."


@pos
def _(g):
    return f'{g.IP6()} - - [{g.clf_ts()}] "GET /favicon.ico HTTP/1.1" 404 {g.num(100, 900)} "-" "curl/8.5.0"'


@pos
def _(g):
    return f"X-Forwarded-For: {g.IP4()}, {g.IP4()}, {g.IP4()}"


@pos
def _(g):
    return f"Geo lookup for {g.IP4()}: country {g.pick(['DE', 'NL', 'US', 'BR', 'IN'])}, ASN {g.num(1000, 64000)}, city unknown."


@pos
def _(g):
    return f"{g.iso_ts()} fail2ban.actions [{g.d(4)}]: NOTICE [sshd] Ban {g.IP4()}"


@pos
def _(g):
    return f"Specimen label: {g.nm(None, 'last_first')} | MRN {g.MR()} | DOB {g.D('us')} | collected {g.recent('us')} {g.time()}"


@pos
def _(g):
    return f"Wristband: {g.nm(None, 'full')} / MRN: {g.MR()} / DOB: {g.D('iso')} / allergies: penicillin"


@pos
def _(g):
    return f"Merge duplicate charts: MRN {g.MR()} into MRN {g.MR()} (same patient, registered twice)."


@pos
def _(g):
    return f"Please pull the chart for medical record number {g.MR()} before the {g.time()} clinic."


@pos
def _(g):
    return f"Station 4B, Patientennummer {g.MR()}, Bett {g.num(1, 4)}: Verlegung auf die Intensivstation."


@pos
def _(g):
    return f"Nº de historia clínica: {g.MR()}; servicio de cardiología, cama {g.num(100, 500)}."


@pos
def _(g):
    return f"Download the consent form at {g.U()} and bring it to your appointment."


@pos
def _(g):
    return f"301 redirect: {g.U()} -> {g.U()}"


@pos
def _(g):
    return f"Privacy policy: {g.U()} (last updated {g.recent('us')})."


@pos
def _(g):
    return f"The QR code on the letter links to {g.U()}, which asks for the MRN {g.MR()}."


@pos
def _(g):
    return f'{g.IP4()} - - [{g.clf_ts()}] "GET /checkout HTTP/1.1" 302 0 "{g.U()}" "Mozilla/5.0"'


@pos
def _(g):
    return f"Datenschutzerklärung: {g.U('de')}; Impressum: {g.U('de')}."


@pos
def _(g):
    return f"Politique de confidentialité : {g.U('fr')}."


@pos
def _(g):
    return f"Informativa privacy disponibile su {g.U('it')}, modulo di consenso su {g.U('it')}."


# ----------------------------------------------------------------------------
# negative templates (random values, nothing marked)
# ----------------------------------------------------------------------------


@neg
def _(g):
    return (f"Order #{g.d(9)} shipped via UPS, tracking 1Z{g.letters(3)}{g.d(3)}{g.d(10)}; total "
            f"${g.amount()} incl. tax.")


@neg
def _(g):
    return f"Invoice INV-{g.num(2021, 2025)}-{g.d(5)} dated {g.recent('us')}: amount due €{g.amount()}, payable within 30 days."


@neg
def _(g):
    return f"Build {g.version()} deployed at {g.iso_ts()}; commit {g.hexs(7)}; rollback target {g.version()}."


@neg
def _(g):
    return (f"Na {g.num(130, 148)} mmol/L, K {g.num(32, 55) / 10} mmol/L, creatinine {g.num(50, 140)} µmol/L, "
            f"eGFR {g.num(30, 110)} mL/min/1.73m², CRP {g.num(1, 180) / 10} mg/L.")


@neg
def _(g):
    a, b, c = g.r.sample(ICD10, 3)
    x, y = g.r.sample(CPT, 2)
    return f"Diagnoses: {a}, {b}, {c}; procedures CPT {x}, {y}."


@neg
def _(g):
    return f"Declined: card number {g.luhn_fail_card()} failed validation (checksum)."


@neg
def _(g):
    return f"Reference {g.luhn_fail_card('')} / batch {g.d(5)} / terminal T{g.d(4)}."


@neg
def _(g):
    return f"IBAN {g.bad_iban()} rejected by the bank: check digits or length do not match."


@neg
def _(g):
    return f"Training material uses placeholder SSN {g.invalid_ssn()} in every example."


@neg
def _(g):
    return f"SSN field failed validation: {g.invalid_ssn()} is not an issuable number."


@neg
def _(g):
    return f"Room {g.num(1, 9)}{g.pick('ABC')}-{g.num(100, 450)}, bed {g.num(1, 4)}; next appointment {g.recent('us')} at {g.time()}."


@neg
def _(g):
    return (f"Vitals: T {g.num(361, 395) / 10} °C, BP {g.num(100, 160)}/{g.num(60, 100)} mmHg, HR {g.num(50, 120)}, "
            f"SpO2 {g.num(88, 100)}%, weight {g.num(450, 1200) / 10} kg.")


@neg
def _(g):
    return f"Accession ACC-{g.d(2)}-{g.d(6)} received {g.recent('us')}; specimen lot {g.letters(2)}{g.d(5)}."


@neg
def _(g):
    return f"request_id={g.uuid()} trace={g.hexs(16)} status={g.pick([200, 201, 404, 502])} latency_ms={g.num(3, 2500)}"


@neg
def _(g):
    return f"sha256:{g.hexs(64)}  {g.pick(['release.tar.gz', 'backup-full.bak', 'model.bin'])}"


@neg
def _(g):
    return f"MAC {g.mac()} obtained a lease on VLAN {g.num(2, 400)} at {g.time()}."


@neg
def _(g):
    return f"Address {g.bad_quad()} is out of range; the scanner skipped it."


@neg
def _(g):
    return f"Upgraded from v{g.version()} to v{g.version()}; see release notes section {g.num(1, 9)}.{g.num(1, 9)}."


@neg
def _(g):
    return f"FedEx tracking {g.d(4)} {g.d(4)} {g.d(4)}, weight {g.num(1, 90)} lb, {g.num(1, 5)} pieces."


@neg
def _(g):
    return f"Case No. {g.num(1, 9)}:{g.num(19, 25)}-cv-{g.d(5)}; hearing set for {g.recent('us')}."


@neg
def _(g):
    return (f"Rx: metformin {g.pick([500, 850, 1000])} mg BID, lisinopril {g.pick([5, 10, 20])} mg daily; "
            f"refill {g.num(1, 5)} of 5; NDC {g.d(5)}-{g.d(3)}-{g.d(2)}.")


@neg
def _(g):
    return (f"Flight {g.pick(['LH', 'AF', 'KL', 'BA', 'IB'])} {g.num(100, 9999)} departs {g.time()} from gate "
            f"{g.pick('ABCDE')}{g.num(1, 60)}; booking ref {g.letters(6)}.")


@neg
def _(g):
    return f"ISBN {g.isbn13()}, {g.num(120, 900)} pages, printed {g.num(1990, 2024)}."


@neg
def _(g):
    return f"ACH routing number {g.aba()}, account ending {g.d(4)}; settlement in 2 business days."


@neg
def _(g):
    return f"Error {g.d(5)} at line {g.num(1, 3000)}: unexpected token near column {g.num(1, 120)}."


@neg
def _(g):
    return f"Masked card •••• •••• •••• {g.d(4)}, exp {g.num(1, 12):02d}/{g.num(25, 31)}; SSN on file ***-**-{g.d(4)}."


@neg
def _(g):
    return f"Coordinates {g.num(-80, 80)}.{g.d(4)}, {g.num(-170, 170)}.{g.d(4)}; elevation {g.num(0, 3000)} m."


@neg
def _(g):
    return f"Signed by {g.pick(NON_DICT_NAMES)} on {g.recent('us')}, witnessed by {g.pick(NON_DICT_NAMES)}."


@neg
def _(g):
    return f"Bestellnummer {g.d(8)}, Rechnungsdatum {g.recent('de')}, Betrag {g.amount('eu')} €."


@neg
def _(g):
    a, b = g.recent_pair('de')
    return f"Aufnahme am {a}, Entlassung am {b}; Zimmer {g.num(100, 450)}, Station {g.num(1, 9)}."


@neg
def _(g):
    return f"Facture n° {g.num(2021, 2025)}-{g.d(4)} du {g.recent('fr')}, montant TTC {g.amount('fr')} €."


@neg
def _(g):
    return f"Rendez-vous le {g.recent('fr')} à {g.num(8, 18)}h{g.pick(['00', '15', '30', '45'])}, salle {g.num(1, 30)}."


@neg
def _(g):
    return f"Pedido {g.d(6)}, entrega prevista el {g.recent('es')}; importe {g.amount('eu')} €."


@neg
def _(g):
    return f"Ordine n. {g.d(6)} del {g.recent('it')}, totale {g.amount('eu')} €, spedizione in {g.num(2, 9)} giorni."


@neg
def _(g):
    return f"Factuur {g.num(2021, 2025)}-{g.d(5)}, vervaldatum {g.recent('nl')}, bedrag € {g.amount('eu')}."


@neg
def _(g):
    return f"Zamówienie nr {g.d(6)} z dnia {g.recent('pl')}, kwota {g.amount('pl')} zł."


@neg
def _(g):
    return f"Ordernummer {g.d(7)}, leverans {g.recent('sv')}, summa {g.amount('pl')} kr."


@neg
def _(g):
    return f"Encomenda n.º {g.d(6)} de {g.recent('pt')}, total {g.amount('eu')} €."


@neg
def _(g):
    y, m, d = g.ymd(2023, 2025)
    return f"注文番号：{to_script(g.d(10), 'fullwidth')}、合計 ¥{g.num(500, 90000):,}、配送予定 {y}年{m}月{d}日"


@neg
def _(g):
    return f"订单号 {g.d(12)}，金额 ¥{g.amount()}，下单时间 {g.iso_ts()}"


@neg
def _(g):
    return f"ऑर्डर संख्या {to_script(g.d(8), 'devanagari')}, राशि ₹{g.num(100, 99999):,}, डिलीवरी {g.num(2, 7)} दिन में"


@neg
def _(g):
    return f"Date of death: {g.recent('us')}; time of death {g.time()}; pronounced by attending."


@neg
def _(g):
    return f"Diagnosed {g.num(1, 12):02d}/{g.num(1995, 2024)}; first symptoms in {g.num(1990, 2023)}; remission since {g.num(2015, 2024)}."


@neg
def _(g):
    return f"job {g.uuid()} finished in {g.num(1, 900)} s; artifact {g.hexs(40)}"


@neg
def _(g):
    return f"カード番号（無効）：{to_script(g.luhn_fail_card(' '), 'fullwidth')}"


@neg
def _(g):
    return f"رقم مرجعي {to_script(g.luhn_fail_card(' '), 'arabic')} - طلب غير صالح"


@neg
def _(g):
    return f"संदर्भ संख्या {to_script(g.luhn_fail_card(' '), 'devanagari')} अमान्य है"


@neg
def _(g):
    return f"Server {g.version()}, API v{g.version()}, schema {g.num(2022, 2025)}.{g.num(1, 12):02d}; uptime {g.num(1, 400)} days."


@neg
def _(g):
    return f"Timestamp {g.num(0, 23):02d}:{g.num(0, 59):02d}:{g.num(0, 59):02d}.{g.d(3)}, offset +0{g.num(1, 9)}:00, epoch {g.num(1600000000, 1760000000)}."


@neg
def _(g):
    return f"Group number {g.d(6)}, RxBIN {g.d(6)}, RxPCN {g.letters(4)}, payer ID {g.d(5)} (plan-level, same for all employees)."


@neg
def _(g):
    return f"Lot {g.letters(1)}{g.d(4)}{g.letters(1)}, NDC {g.d(4)}-{g.d(4)}-{g.d(2)}, expires {g.num(1, 12):02d}/{g.num(2025, 2028)}."


@neg
def _(g):
    return f"Meet at {g.num(10000, 19999)} {g.pick(['Harbor Blvd', 'Riverside Dr', 'Canyon Rd'])}, Suite {g.num(100, 900)}, loading dock entrance."


@neg
def _(g):
    return f"CVE-{g.num(2019, 2025)}-{g.d(5)} patched in {g.version()}; CVSS {g.num(40, 99) / 10}."


@neg
def _(g):
    return f"Your one-time code is {g.d(6)}; it expires in 10 minutes. Never share it."


@neg
def _(g):
    return f"Final score {g.num(0, 5)}-{g.num(0, 5)}, attendance {g.num(10, 80)},{g.d(3)}; next match {g.recent('uk')}."


@neg
def _(g):
    return f"USPS tracking {g.fill('9400 1{3} {4} {4} {4} {4} {2}')} - out for delivery."


@neg
def _(g):
    return f"Patient weight {g.num(40, 130)} kg, height {g.num(150, 200)} cm, BMI {g.num(180, 400) / 10}; steps today {g.num(10000, 19999)}."


@neg
def _(g):
    return f"Steuerbescheid vom {g.recent('de')}: Nachzahlung {g.amount('eu')} €, Aktenzeichen {g.d(3)}/{g.d(3)}/{g.d(5)}."


@neg
def _(g):
    return f"Ticket {g.letters(3)}-{g.d(4)} reopened; priority P{g.num(1, 4)}; SLA breach in {g.num(1, 48)} h."


@neg
def _(g):
    return f"Serial no. {g.letters(2)}{g.d(8)}{g.letters(1)}, firmware {g.version()}, warranty until {g.recent('us')}."


@neg
def _(g):
    return f"Tracking-ID {g.d(14)} (DHL), Gewicht {g.num(1, 30)},{g.num(0, 9)} kg."


@neg
def _(g):
    return f"Quarterly revenue {g.amount()} USD, up {g.num(1, 40)}.{g.num(0, 9)}% year over year; {g.num(1000, 99999):,} active accounts."


HAND_NEGATIVES = """\
DOB: unknown (patient unable to state); MRN pending registration.
Admission date 2024-02-29; discharge date 2024-03-04; follow-up in 6 weeks.
Will the May meeting move to June? Grant says the budget is fine.
Visit example.org or type www dot example dot com into your browser.
Our office moved to the second floor; the old fax line is disconnected.
Please do not post personal details in this channel; use the secure form instead.
HbA1c 6.8% (3 months ago 7.4%), LDL 2.9 mmol/L, TSH 1.84 mIU/L.
ICD-10 codes I25.10, E78.00 and Z95.1 were added to the problem list.
Temperature 38.4 °C at 02:00, 37.9 °C at 06:00; paracetamol 1 g given.
UUID 3f2b8c1e-9a4d-4e7f-b2c1-0d8e6a5f4b3c assigned to the new tenant.
Release 4.12.0 drops support for Python 3.8; 4.11.7 is the last compatible version.
The clinic opened in 1998 and was renovated in 2016.
Born to run, the marathon team trained every morning at 6.
Room 214, bed B; visiting hours 10:00-20:00.
Metoprolol 25 mg PO BID; hold if HR < 55 or SBP < 95.
Exposure: 3 of 12 samples positive; ratio 0.25.
Gate 10.20.30 reading recorded; valve 4 open.
Dosage table: 2.5 mL, 5 mL, 7.5 mL for 10, 20, 30 kg.
Case accession S24-118273 sent to pathology; block A1, slides 1-6.
Invoice total 4,918.33 USD for 12 line items, net 30.
The hex value 0xDEADBEEF is used as a sentinel in the firmware.
MAC address 3C:22:FB:9A:10:7E belongs to the lobby printer.
Appointment confirmed for Tuesday, March 12, 2024 at 9:30 AM.
Population 1,204,331 in the 2021 census; area 891.8 km².
Termin am 14.05.2024 um 10:30 Uhr bei der Hausärztin.
Zimmer 312, Bett 2; Visite um 8 Uhr.
Rendez-vous reporté au 3 juin 2024, salle B12.
La reunión del 12 de marzo de 2024 se aplaza a abril.
Appuntamento fissato per il 7 ottobre 2024 alle 11:15.
Afspraak verzet naar 18 april 2024 om 14.00 uur.
Wizyta kontrolna 22 maja 2024 r. o godz. 9:45.
Återbesök 5 september 2024, rum 14.
Consulta remarcada para 3 de julho de 2024.
会議は2024年5月10日 14:00から第3会議室で行います。
会议定于2024年6月18日下午3点召开。
बैठक 15 जुलाई 2024 को सुबह 10 बजे होगी।
ECG: PR 160 ms, QRS 92 ms, QTc 438 ms; no acute changes.
Firmware v2.3.9 fixes the Bluetooth pairing bug on model 7100.
Signed: John Carter, Operations Manager.
Thanks, Emma - see you at the offsite.
Blood glucose 5.6 mmol/L fasting, 8.9 mmol/L two hours post-prandial.
Cholesterol total 212 mg/dL, HDL 48 mg/dL, triglycerides 180 mg/dL.
Git commit 9c41e7a reverted 2b7d0f3 after the failing build.
Tracking number 1Z999AA10123456784 was delivered to the front desk.
Bank holiday on 26 December; transfers sent after 15:00 arrive the next working day.
The lottery numbers were 4, 11, 19, 23, 38 and 42.
Aspirin 81 mg daily since 2019; stopped 2023-11-02 before surgery.
fe80::1::2 is rejected by the parser because it uses two double colons.
Version 10.4.2 of the app needs iOS 16 or later.
Section 3.2.1 of the policy covers retention; section 3.2.2 covers deletion.
"""


# ----------------------------------------------------------------------------
# assembly
# ----------------------------------------------------------------------------

HEADER = """\
# fresh.txt - PII / health-identifier evaluation corpus, MEASUREMENT ONLY.
# Written after dev.txt and heldout.txt by a writer who saw neither file nor the
# detector's code; templates written from scratch. Generated by
# scripts/pii-fresh-corpus.py (fixed seed); validate with --check.
# Format and span conventions: README.md in this folder. Unmarked text is negative.
"""


def build_lines() -> list[str]:
    names = load_names()
    for grp, (gv, fm) in NAME_GROUPS.items():
        for w in gv + fm:
            assert w in names, (grp, w)
    for full in NON_DICT_NAMES:
        assert not any(w in names for w in full.split()), full
    g = Gen(SEED)
    seen: set[str] = set()
    pos_lines: list[str] = []
    neg_lines: list[str] = []

    def produce(tmpl, bucket: list[str]) -> None:
        for _attempt in range(200):
            line = tmpl(g)
            errs, spans = check_line(line, names)
            if errs or line in seen:
                continue
            if bucket is neg_lines and spans:
                raise AssertionError(f"negative template produced a span: {line}")
            seen.add(line)
            bucket.append(line)
            return
        raise AssertionError(f"template keeps failing: {tmpl(g)!r} {check_line(tmpl(g), names)[0]}")

    for _ in range(POSITIVE_PASSES):
        for tmpl in POS:
            produce(tmpl, pos_lines)
    for _ in range(NEGATIVE_PASSES):
        for tmpl in NEG:
            produce(tmpl, neg_lines)
    for line in HAND_NEGATIVES.splitlines():
        errs, spans = check_line(line, names)
        assert not errs and not spans, (line, errs)
        if line not in seen:
            seen.add(line)
            neg_lines.append(line)

    body = pos_lines + neg_lines
    g.r.shuffle(body)
    return HEADER.splitlines() + body


def generate(out_dir: Path) -> None:
    (Path(out_dir) / "fresh.txt").write_text("\n".join(build_lines()) + "\n", encoding="utf-8")


def check(out_dir: Path) -> bool:
    return run_check(Path(out_dir) / "fresh.txt", load_names()) == 0
