"""Generate (and check) tests/fixtures/pii/fresh6.txt.

Standard library only, fixed seed, deterministic. Written from scratch by a
writer who saw only tests/fixtures/pii/README.md and names.txt.

  python3 scripts/pii-corpus.py fresh6          # regenerate + check
  python3 scripts/pii-corpus.py fresh6 --check  # check only
"""
import ipaddress, os, random, re

from .validators import (
    CATEGORIES as CATS, CLOSE as RT, MBI_ALPHA, MBI_RE, OPEN as L, ascii_digits, au_medicare_check,
    iban_check_digits, iban_lengths, iban_mod97, iban_valid, kvnr_check, luhn_check_digit, luhn_ok,
    luhn_windows, mark as m, nhs_check, nir_key, read_names, ssn_valid, to_script,
)

OUTPUTS = ("fresh6.txt",)
NAMES = read_names()
NAMESET = set(NAMES)
GIVEN = NAMES[:NAMES.index("Ciarán") + 1]
FAMILY = NAMES[NAMES.index("Ciarán") + 1:]
SEED = 60606
R = random.Random(SEED)


def rd(n):
    return "".join(R.choice("0123456789") for _ in range(n))


# ---------------------------------------------------------------- values

def given():
    return R.choice(GIVEN)


def family():
    return R.choice(FAMILY)


def full():
    return f"{given()} {family()}"


def N(v=None):
    return m("name", v or full())




def ascii_(s):
    s = s.lower()
    t = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "ê": "e", "á": "a", "í": "i",
         "ó": "o", "ú": "u", "ñ": "n", "ç": "c", "ł": "l", "ś": "s", "ń": "n", "ż": "z", "ź": "z",
         "ą": "a", "ę": "e", "ø": "o", "å": "a", "æ": "ae", "ş": "s", "ı": "i", "ğ": "g", "à": "a", "ô": "o", "î": "i"}
    return "".join(t.get(c, c) for c in s if c.isalnum() or c in t)


DOMAINS = ["mailbox.example.org", "post-uk.test", "kliniek-noord.example.nl", "praxis-am-see.example.de",
           "uni-campus.example.edu", "fastmail.example.com", "correo.example.es", "posta.example.it",
           "wp-mail.example.pl", "sapo.example.pt", "telia-mail.example.se", "hr.acme-logistics.example"]


def email(name=None):
    if name:
        g, f = name.split(" ", 1)
        loc = R.choice([f"{ascii_(g)}.{ascii_(f)}", f"{ascii_(g)[0]}{ascii_(f)}", f"{ascii_(f)}.{ascii_(g)[0]}"])
    else:
        loc = R.choice(["billing", "front.desk", "triage-team", "payroll", "student.office", "noreply-care",
                        "disputes", "bookings", "kontakt", "recepcion", "segreteria", "admissions"]) + str(R.randint(1, 99))
    return m("email", f"{loc}@{R.choice(DOMAINS)}")


def phone_val(kind=None):
    k = kind or R.choice(["us", "us2", "uk", "de", "fr", "es", "it", "nl", "pl", "se", "intl_us", "au", "in", "ch", "tr"])
    if k == "us": return f"({R.randint(201,989)}) {R.randint(210,989)}-{rd(4)}"
    if k == "us2": return f"{R.randint(201,989)}-{R.randint(210,989)}-{rd(4)}"
    if k == "intl_us": return f"+1 {R.randint(201,989)} {R.randint(210,989)} {rd(4)}"
    if k == "uk": return R.choice([f"+44 (0)20 {R.randint(7000,8999)} {rd(4)}", f"0161 {R.randint(200,999)} {rd(4)}", f"+44 7{rd(3)} {rd(6)}"])
    if k == "de": return R.choice([f"+49 30 {rd(8)}", f"089 {rd(4)} {rd(3)}", f"+49 (0)221 {rd(6)}"])
    if k == "fr": return R.choice([f"+33 1 {rd(2)} {rd(2)} {rd(2)} {rd(2)}", f"06 {rd(2)} {rd(2)} {rd(2)} {rd(2)}"])
    if k == "es": return f"+34 9{rd(2)} {rd(3)} {rd(3)}"
    if k == "it": return f"+39 02 {rd(4)} {rd(4)}"
    if k == "nl": return R.choice([f"+31 (0)20 {rd(3)} {rd(4)}", f"06-{rd(8)}"])
    if k == "pl": return f"+48 {rd(3)} {rd(3)} {rd(3)}"
    if k == "se": return f"+46 8 {rd(3)} {rd(2)} {rd(2)}"
    if k == "au": return f"+61 2 {rd(4)} {rd(4)}"
    if k == "in": return f"+91 98{rd(3)} {rd(5)}"
    if k == "ch": return f"+41 44 {rd(3)} {rd(2)} {rd(2)}"
    if k == "tr": return f"+90 212 {rd(3)} {rd(2)} {rd(2)}"
    if k == "dk": return f"+45 {rd(2)} {rd(2)} {rd(2)} {rd(2)}"
    if k == "no": return f"+47 {rd(3)} {rd(2)} {rd(3)}"
    if k == "fi": return f"+358 40 {rd(3)} {rd(4)}"
    if k == "cz": return f"+420 {rd(3)} {rd(3)} {rd(3)}"
    if k == "pt": return f"+351 21 {rd(3)} {rd(4)}"
    if k == "jp": return f"03-{rd(4)}-{rd(4)}"
    if k == "cn": return f"+86 138 {rd(4)} {rd(4)}"
    if k == "kr": return f"010-{rd(4)}-{rd(4)}"
    if k == "ae": return f"+971 50 {rd(3)} {rd(4)}"
    if k == "ir": return f"+98 912 {rd(3)} {rd(4)}"
    raise ValueError(k)


def P(kind=None, script=None):
    v = phone_val(kind)
    return m("phone", to_script(v, script) if script else v)


def ssn_val(fmt=None):
    while True:
        a = R.randint(1, 899)
        if a != 666:
            break
    g, s = R.randint(1, 99), R.randint(1, 9999)
    f = fmt or R.choice(["-", "-", " "])
    if f == "":
        return f"{a:03d}{g:02d}{s:04d}"
    return f"{a:03d}{f}{g:02d}{f}{s:04d}"


def S(fmt=None, script=None):
    v = ssn_val(fmt)
    return m("ssn", to_script(v, script) if script else v)


def card_val(kind=None, fmt=None):
    k = kind or R.choice(["visa", "mc", "amex", "disc", "visa13", "up", "ir"])
    if k == "visa": body = "4" + rd(14); n = 16
    elif k == "visa13": body = "4" + rd(11); n = 13
    elif k == "mc": body = R.choice(["51", "52", "53", "54", "55", "2221"]); body += rd(15 - len(body)); n = 16
    elif k == "amex": body = R.choice(["34", "37"]) + rd(12); n = 15
    elif k == "disc": body = "6011" + rd(11); n = 16
    elif k == "up": body = "62" + rd(16); n = 19
    elif k == "ir": body = R.choice(["603799", "589210", "627353", "610433"]) + rd(9); n = 16
    d = body + luhn_check_digit(body)
    f = fmt if fmt is not None else R.choice([" ", " ", "-", ""])
    if f == "":
        return d
    if n == 15:
        return f"{d[:4]}{f}{d[4:10]}{f}{d[10:]}"
    if n == 13:
        return d
    return f.join(d[i:i + 4] for i in range(0, n, 4))


def C(kind=None, fmt=None, script=None):
    v = card_val(kind, fmt)
    return m("credit_card", to_script(v, script) if script else v)


IBAN_SPEC = {"DE": "8n10n", "GB": "4a14n", "FR": "10n11c2n", "ES": "20n", "IT": "1a10n12c", "NL": "4a10n",
             "BE": "12n", "AT": "16n", "CH": "5n12c", "PL": "24n", "PT": "21n", "SE": "20n", "DK": "14n",
             "NO": "11n", "FI": "14n", "CZ": "20n", "TR": "5n1n16c", "IE": "4a14n", "LU": "3n13c",
             "GR": "7n16c", "HU": "24n", "RO": "4a16c", "SK": "20n", "SI": "15n", "HR": "17n", "LT": "16n",
             "EE": "16n", "LV": "4a13c"}
IBAN_LEN = iban_lengths("AL AD AT BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LT LU LV MT NL NO PL PT RO "
                        "SE SI SK TR SA AE IL")


def iban_val(cc=None, grouped=None, bad=False):
    cc = cc or R.choice(list(IBAN_SPEC))
    bb = ""
    for n, t in re.findall(r"(\d+)([nac])", IBAN_SPEC[cc]):
        al = {"n": "0123456789", "a": "ABCDEFGHJKLMNPRSTUVWXYZ", "c": "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"}[t]
        bb += "".join(R.choice(al) for _ in range(int(n)))
    chk = iban_check_digits(cc, bb)
    if bad:
        chk = (chk + R.randint(1, 96)) % 97 + 2 if chk < 90 else chk - R.randint(1, 5)
    s = f"{cc}{chk:02d}{bb}"
    assert len(s) == IBAN_LEN[cc], cc
    g = grouped if grouped is not None else R.random() < 0.6
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4)) if g else s


def I(cc=None, grouped=None):
    return m("iban", iban_val(cc, grouped))


def ip_val(v6=None):
    if v6 if v6 is not None else R.random() < 0.3:
        g = [f"{R.randint(0, 65535):x}" for _ in range(8)]
        g[0] = R.choice(["2001", "2a02", "fd12", "2606", "fe80"])
        if R.random() < 0.7:
            i = R.randint(2, 5); j = R.randint(i + 1, 7)
            return ":".join(g[:i]) + "::" + ":".join(g[j:])
        return ":".join(g)
    return R.choice([f"10.{R.randint(0,255)}.{R.randint(0,255)}.{R.randint(1,254)}",
                     f"192.168.{R.randint(0,255)}.{R.randint(1,254)}",
                     f"{R.randint(11,223)}.{R.randint(0,255)}.{R.randint(0,255)}.{R.randint(1,254)}",
                     f"172.{R.randint(16,31)}.{R.randint(0,255)}.{R.randint(1,254)}"])


def IP(v6=None):
    return m("ip_address", ip_val(v6))

MONTHS = {"en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
          "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
          "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
          "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"]}


def date_val(style=None, lo=1935, hi=2012):
    y, mo, d = R.randint(lo, hi), R.randint(1, 12), R.randint(1, 28)
    st = style or R.choice(["dmy.", "mdy/", "iso", "long", "dmy/"])
    if st == "dmy.": return f"{d:02d}.{mo:02d}.{y}"
    if st == "mdy/": return f"{mo:02d}/{d:02d}/{y}"
    if st == "dmy/": return f"{d:02d}/{mo:02d}/{y}"
    if st == "dmy-": return f"{d:02d}-{mo:02d}-{y}"
    if st == "iso": return f"{y}-{mo:02d}-{d:02d}"
    if st == "long": return f"{d} {MONTHS['en'][mo-1]} {y}"
    if st == "us": return f"{MONTHS['en'][mo-1]} {d}, {y}"
    if st in MONTHS: return f"{d} {MONTHS[st][mo-1]} {y}"
    if st == "cjk": return f"{y}年{mo}月{d}日"
    if st == "kr": return f"{y}년 {mo}월 {d}일"
    raise ValueError(st)


def D(style=None):
    return m("date_of_birth", date_val(style))


def other_date(style=None):
    return date_val(style, 2023, 2026)


def mrn_val():
    return R.choice([lambda: rd(R.randint(6, 9)), lambda: f"MRN-{rd(6)}"[4:] if False else f"H{rd(7)}",
                     lambda: f"{rd(3)}-{rd(3)}-{rd(2)}", lambda: f"KP{rd(6)}", lambda: f"{R.choice('ABCDEFGH')}{rd(2)}-{rd(5)}"])()


def MR():
    return m("medical_record_number", mrn_val())


def nhs_val(sep=" "):
    while True:
        d = rd(9)
        c = nhs_check(d)
        if c is not None:
            d += str(c)
            return f"{d[:3]}{sep}{d[3:6]}{sep}{d[6:]}"


def mbi_val(dash=None):
    a = MBI_ALPHA + "0123456789"
    s = (R.choice("123456789") + R.choice(MBI_ALPHA) + R.choice(a) + R.choice("0123456789") + R.choice(MBI_ALPHA) +
         R.choice(a) + R.choice("0123456789") + R.choice(MBI_ALPHA) + R.choice(MBI_ALPHA) + rd(2))
    if dash if dash is not None else R.random() < 0.5:
        s = f"{s[:4]}-{s[4:7]}-{s[7:]}"
    return s


def kvnr_val():
    letter = R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    eight = rd(8)
    return letter + eight + str(kvnr_check(letter, eight))


def nir_val():
    sx, yy, mm, dep, com, ordn = R.choice("12"), rd(2), f"{R.randint(1,12):02d}", f"{R.randint(1,95):02d}", rd(3), rd(3)
    key = nir_key(sx + yy + mm + dep + com + ordn)
    return f"{sx} {yy} {mm} {dep} {com} {ordn} {key:02d}"


def medicare_au():
    d = str(R.randint(2, 6)) + rd(7)
    s = d + str(au_medicare_check(d)) + str(R.randint(1, 9))
    return f"{s[:4]} {s[4:9]} {s[9]}"


def HP(kind=None):
    k = kind or R.choice(["member", "nhs", "mbi", "kvnr", "nir", "au", "generic", "polis"])
    v = {"member": lambda: R.choice(["W", "XZ", "MB", "U"]) + rd(R.randint(7, 9)), "nhs": nhs_val, "mbi": mbi_val,
         "kvnr": kvnr_val, "nir": nir_val, "au": medicare_au, "generic": lambda: f"{rd(3)}-{rd(3)}-{rd(3)}"[:0] + f"PL{rd(8)}",
         "polis": lambda: rd(9)}[k]()
    return m("health_plan_number", v)


UK_OUT = [("London", "SW1A"), ("London", "N1"), ("Manchester", "M4"), ("Leeds", "LS6"), ("Bristol", "BS8"),
          ("Glasgow", "G12"), ("Cardiff", "CF10"), ("Edinburgh", "EH3"), ("Birmingham", "B15"), ("Liverpool", "L17")]
UK_IN = "ABDEFGHJLNPQRSTUWXYZ"
CA_FIRST = {"ON": "KLMNP", "QC": "GHJ", "BC": "V", "AB": "T", "NS": "B", "MB": "R"}
CA_L = "ABCEGHJKLMNPRSTVWXYZ"
EIR_UID = "0123456789ACDEFHKNPRTVWXY"


def postal(cc):
    if cc == "us":
        city, st, p = R.choice([("Boston", "MA", "021"), ("Chicago", "IL", "606"), ("Austin", "TX", "787"),
                                ("Denver", "CO", "802"), ("Seattle", "WA", "981"), ("Atlanta", "GA", "303")])
        z = p + rd(2) + (f"-{rd(4)}" if R.random() < 0.3 else "")
        return city, st, z
    if cc == "uk":
        city, o = R.choice(UK_OUT)
        return city, "", f"{o} {R.randint(1,9)}{R.choice(UK_IN)}{R.choice(UK_IN)}"
    if cc == "ca":
        prov, city = R.choice([("ON", "Toronto"), ("QC", "Montréal"), ("BC", "Vancouver"), ("AB", "Calgary"), ("NS", "Halifax"), ("MB", "Winnipeg")])
        return city, prov, f"{R.choice(CA_FIRST[prov])}{R.randint(0,9)}{R.choice(CA_L)} {R.randint(0,9)}{R.choice(CA_L)}{R.randint(0,9)}"
    if cc == "nl":
        while True:
            l2 = R.choice("ABCDEGHJKLMNPRSTVWXZ") + R.choice("ABCDEGHJKLMNPRSTVWXZ")
            if l2 not in ("SA", "SD", "SS"):
                break
        return R.choice(["Amsterdam", "Utrecht", "Rotterdam", "Groningen"]), "", f"{R.randint(1000,9999)}{R.choice([' ', ''])}{l2}"
    if cc == "ie":
        k = R.choice([("Dublin 2", "D02"), ("Cork", "T12"), ("Galway", "H91"), ("Limerick", "V94")])
        return k[0], "", f"{k[1]} {''.join(R.choice(EIR_UID) for _ in range(4))}"
    table = {"de": (["Berlin", "München", "Köln", "Hamburg"], lambda: f"{R.randint(10115, 99998):05d}"),
             "at": (["Wien", "Graz", "Linz"], lambda: f"{R.randint(1010, 9992)}"),
             "ch": (["Zürich", "Bern", "Basel", "Lausanne"], lambda: f"{R.randint(1000, 9658)}"),
             "fr": (["Paris", "Lyon", "Nantes", "Lille"], lambda: f"{R.randint(1000, 95999):05d}"),
             "be": (["Bruxelles", "Gent", "Liège"], lambda: f"{R.randint(1000, 9992)}"),
             "es": (["Madrid", "Sevilla", "Valencia", "Bilbao"], lambda: f"{R.randint(1, 52):02d}{rd(3)}"),
             "it": (["Milano", "Roma", "Torino", "Bologna"], lambda: f"{R.randint(10, 98)}{rd(3)}"),
             "pl": (["Warszawa", "Kraków", "Gdańsk", "Poznań"], lambda: f"{rd(2)}-{rd(3)}"),
             "pt": (["Lisboa", "Porto", "Braga"], lambda: f"{R.randint(1000, 9970)}-{rd(3)}"),
             "se": (["Stockholm", "Göteborg", "Malmö", "Uppsala"], lambda: f"{R.randint(100, 984)} {rd(2)}"),
             "dk": (["København", "Aarhus", "Odense"], lambda: f"{R.randint(1000, 9990)}"),
             "no": (["Oslo", "Bergen", "Trondheim"], lambda: f"{R.randint(150, 9990):04d}"),
             "fi": (["Helsinki", "Tampere", "Turku"], lambda: f"{R.randint(100, 99990):05d}"),
             "cz": (["Praha", "Brno", "Ostrava"], lambda: f"{R.randint(100, 799)} {rd(2)}"),
             "tr": (["İstanbul", "Ankara", "İzmir"], lambda: f"{R.randint(1, 81):02d}{rd(3)}"),
             "jp": (["東京都新宿区", "大阪市北区"], lambda: f"{R.randint(100, 999)}-{rd(4)}"),
             "au": (["Sydney NSW", "Melbourne VIC", "Brisbane QLD"], lambda: f"{R.randint(2000, 4999)}"),
             "in": (["Bengaluru", "Mumbai", "Pune"], lambda: f"{R.randint(110001, 799999)}"),
             "br": (["São Paulo", "Curitiba", "Recife"], lambda: f"{R.randint(10000, 99999)}-{rd(3)}")}
    cities, f = table[cc]
    return R.choice(cities), "", f()


def PC(v):
    return m("postal_code", v)


STREETS = {"us": ["Maple Ave", "Elm Street", "Harbor Rd", "Lakeview Dr", "Chestnut St"],
           "uk": ["Station Road", "Kingsway", "Mill Lane", "Park Crescent"],
           "de": ["Lindenstraße", "Bahnhofstr.", "Am Markt", "Gartenweg"],
           "fr": ["rue des Lilas", "avenue Victor Hugo", "boulevard Voltaire"],
           "es": ["Calle Mayor", "Avenida de la Paz", "Calle del Sol"],
           "it": ["Via Garibaldi", "Corso Italia", "Via Roma"],
           "nl": ["Keizersgracht", "Dorpsstraat", "Kerkweg"],
           "pl": ["ul. Długa", "ul. Kwiatowa", "al. Jana Pawła II"],
           "pt": ["Rua Augusta", "Avenida da Liberdade"],
           "se": ["Storgatan", "Drottninggatan"], "dk": ["Nørregade", "Vestergade"], "no": ["Storgata", "Kirkeveien"],
           "fi": ["Mannerheimintie", "Hämeenkatu"], "cz": ["Vinohradská", "Dlouhá"], "tr": ["Atatürk Cad.", "Bağdat Cad."],
           "at": ["Mariahilfer Straße", "Hauptplatz"], "ch": ["Bahnhofstrasse", "Seestrasse"], "be": ["Rue Neuve", "Veldstraat"],
           "ie": ["Main Street", "Dame Street"], "ca": ["King St W", "Rue Sherbrooke", "Main Street"],
           "au": ["George St", "Collins St"], "in": ["MG Road", "Linking Road"], "br": ["Rua das Flores", "Av. Paulista"]}


def addr(cc=None):
    cc = cc or R.choice(list(STREETS))
    city, st, z = postal(cc)
    hn = R.randint(1, 240)
    s = R.choice(STREETS.get(cc, ["Main St"]))
    if cc in ("us",):
        return f"{hn} {s}, {city}, {st} {PC(z)}"
    if cc == "ca":
        return f"{hn} {s}, {city}, {st} {PC(z)}"
    if cc == "uk":
        return f"{hn} {s}, {city} {PC(z)}"
    if cc == "ie":
        return f"{hn} {s}, {city}, {PC(z)}"
    if cc in ("fr", "es", "it", "be", "lu"):
        return f"{hn} {s}, {PC(z)} {city}" if cc != "it" else f"{s} {hn}, {PC(z)} {city}"
    if cc == "ch":
        return f"{s} {hn}, CH-{PC(z)} {city}"
    if cc == "se":
        return f"{s} {hn}, SE-{PC(z)} {city}"
    if cc == "jp":
        return f"〒{PC(z)} {city}{R.randint(1,9)}-{R.randint(1,20)}"
    if cc == "au":
        return f"{hn} {s}, {city} {PC(z)}"
    if cc == "in":
        return f"{hn} {s}, {city} {PC(z)}"
    if cc == "br":
        return f"{s}, {hn}, {city}, CEP {PC(z)}"
    return f"{s} {hn}, {PC(z)} {city}"


URL_HOSTS = ["https://portal.stmarys-clinic.example.org", "https://www.citybank.example.com", "http://intranet.hr-acme.example",
             "https://booking.skyfly.example.com", "https://mijn.zorgverzekeraar.example.nl", "www.stadtwerke-nord.example.de",
             "https://moncompte.energie.example.fr", "https://campus.uni-leiden.example.edu", "www.telco-plus.example.co.uk",
             "https://app.pharmacy-direct.example.com", "https://ayuda.banco-sol.example.es"]


def U():
    h = R.choice(URL_HOSTS)
    path = R.choice(["", "/login", f"/appointments/{rd(5)}", f"/reset?token={''.join(R.choice('abcdef0123456789') for _ in range(12))}",
                     "/help/disputes#form", f"/invoice/view?id={rd(4)}", "/de/kontakt", "/student/records"])
    return m("url", h + path)

# ------------------------------------------------------------ negatives

def order_no():
    return R.choice([f"ORD-{rd(7)}", f"#{rd(6)}", f"INV-{R.randint(2023,2026)}-{rd(5)}", f"1Z{rd(4)}A{rd(10)}",
                     f"CLM{rd(8)}", f"BK-{''.join(R.choice('ABCDEFGHJKLMNPQRSTUVWXYZ') for _ in range(6))}"])


def amount():
    return R.choice([f"${R.randint(10,4999)}.{rd(2)}", f"€{R.randint(10,999)},{rd(2)}", f"£{R.randint(5,900)}.{rd(2)}",
                     f"{R.randint(1,99)}.{rd(3)},{rd(2)} zł", f"CHF {R.randint(20,900)}.–", f"{R.randint(100,9999)} kr"])


def version():
    return f"{R.randint(1,14)}.{R.randint(0,30)}.{R.randint(0,99)}"


def hexs(n):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))


def uuid():
    return f"{hexs(8)}-{hexs(4)}-4{hexs(3)}-a{hexs(3)}-{hexs(12)}"


def bad_ssn():
    return R.choice([f"000-{rd(2)}-{R.randint(1,9999):04d}", f"666-{R.randint(10,99)}-{R.randint(1,9999):04d}",
                     f"9{R.randint(10,99)}-{R.randint(10,99)}-{R.randint(1,9999):04d}", f"{R.randint(100,599)}-00-{R.randint(1,9999):04d}",
                     f"{R.randint(100,599)}-{R.randint(10,99)}-0000"])


def bad_quad():
    return f"{R.randint(256,999)}.{R.randint(0,255)}.{R.randint(0,255)}.{R.randint(0,255)}"


def near_miss(script=None):
    d = card_val("visa", "").replace(" ", "")
    i = R.randint(0, 15)
    d = d[:i] + str((int(d[i]) + R.randint(1, 9)) % 10) + d[i + 1:]
    v = " ".join(d[j:j + 4] for j in range(0, 16, 4))
    return to_script(v, script) if script else v


NONDICT = ["Cornelius Whitlock", "Rosalind Pemberton", "Ignatius Farrow", "Philippa Drummond", "Barnaby Ashcombe",
           "Leopoldine Kraft", "Evander Quayle", "Mirabel Stroud", "Torvald Ekdahl", "Ludmila Vrána"]
BARE = ["acme-logistics.example", "mijnzorg.example.nl", "citybank.example.com/help", "stadtwerke.example.de", "telco-plus.example.co.uk"]

# ------------------------------------------------------------- templates
def T():
    n = full()
    return n


POS = [
 lambda: f"Dear Dr {m('name', family())}, thank you for seeing {N()} (DOB {D()}, MRN {MR()}), who presents with recurrent migraine; please reply to {email()}.",
 lambda: f"GP letter: re {N()}, date of birth {D('long')}, NHS number {HP('nhs')}, of {addr('uk')}. Tel {P('uk')}.",
 lambda: f"Nurse triage chat 14:02 – caller {N()} says her son (born on {D('mdy/')}) has a fever; callback {P('us')}; chart number {MR()}.",
 lambda: f"Pharmacy call summary: spoke with {N()} about a refill, member ID {HP('member')}, ZIP {PC(postal('us')[2])}, phone {P('us2')}. Refill ready {other_date('long')}.",
 lambda: f"Insurance phone note: caller verified policy number {HP('generic')} and DOB {D('mdy/')}; asked us to e-mail {email()}.",
 lambda: f"Hi payroll, please update my bank details to {I()} and my address to {addr('us')}. Thanks, {N()}",
 lambda: f"HR: new starter {N()}, SSN {S()}, start date {other_date('us')}, personal e-mail {email()}, mobile {P()}.",
 lambda: f"W-4 correction for employee {N()}: SSN {S('')} (was entered wrong), home ZIP {PC(postal('us')[2])}.",
 lambda: f"Bank chat – Agent: I can see the card ending in the number you gave, {C()}. Customer {N()}: yes, that one, please block it.",
 lambda: f"Fraud department letter: Dear {N()}, we noticed a transaction of {amount()} on card {C()} from IP {IP()}. Call {P('intl_us')} if this was not you.",
 lambda: f"Dispute form – cardholder: {N()}; card number: {C()}; merchant order {order_no()}; amount {amount()}; contact: {email()}",
 lambda: f"Student office: {N()} (date of birth {D('dmy/')}) has enrolled; transcript requests go to {email()} or {U()}.",
 lambda: f"University admissions e-mail: please confirm your postal address {addr('uk')} and phone {P('uk')} by Friday.",
 lambda: f"Travel booking {order_no()} for passenger {N()}, DOB {D('iso')}, mobile {P()}, e-mail {email()}.",
 lambda: f"Utility account letter: {N()}, {addr('de')} – direct debit from {I('DE')} starts next month.",
 lambda: f"Telecom account: customer {N()}, address {addr('uk')}, login from {IP()} blocked; reset at {U()}.",
 lambda: f"Patient portal message from {N()}: hi, my DOB is {D('mdy/')} and my MRN is {MR()} – can I get my lab results? My cell is {P('us')}.",
 lambda: f"Appointment reminder: {N()}, your visit is on {other_date('long')} at 9:40. Manage it at {U()} or call {P()}.",
 lambda: f"Transcribed handwritten note: “pt {N()} – dob {D('dmy.')} – MRN {MR()} – wife's number {P()} – allergic to penicillin”",
 lambda: f"Specialist letter: I reviewed {N()} (D.O.B. {D('dmy/')}), medical record number {MR()}, Medicare number {HP('mbi')}.",
 lambda: f"Insurance call summary: beneficiary ID {HP('mbi')} confirmed for {N()}, living at {addr('us')}.",
 lambda: f"Eligibility check returned {HP('mbi')} for {N()}; no secondary coverage.",
 lambda: f"Brief an Praxis: Patient {N()}, geb. {D('dmy.')}, Patientennummer {MR()}, Versichertennummer {HP('kvnr')}, {addr('de')}, Tel. {P('de')}.",
 lambda: f"Hallo Lohnbuchhaltung, meine neue IBAN lautet {I('DE')}, meine Adresse {addr('at')}. Viele Grüße, {N()}",
 lambda: f"Geboren am {D('de')} – {N()}, PLZ {PC(postal('de')[2])}, E-Mail {email()}.",
 lambda: f"Lettre du cardiologue : patient {N()}, né le {D('dmy/')}, numéro de dossier {MR()}, carte Vitale {HP('nir')}, {addr('fr')}.",
 lambda: f"Bonjour, suite à notre appel, merci de rembourser sur le compte {I('FR')}. Cordialement, {N()} – {P('fr')}",
 lambda: f"Mme {N()}, née le {D('fr')}, code postal {PC(postal('fr')[2])}, courriel {email()}.",
 lambda: f"Informe del especialista: paciente {N(given() + ' ' + family() + ' ' + family())}, fecha de nacimiento {D('dmy/')}, historia clínica {MR()}, {addr('es')}.",
 lambda: f"Hola, soy {N()}, nacida el {D('es')}; mi teléfono es {P('es')} y mi cuenta {I('ES')}.",
 lambda: f"Lettera del medico di base: paziente {N()}, nato il {D('dmy/')}, cartella clinica {MR()}, {addr('it')}, tel. {P('it')}.",
 lambda: f"Gentile {N()}, il rimborso sarà accreditato su {I('IT')}; CAP {PC(postal('it')[2])}.",
 lambda: f"Huisartsbrief: patiënt {N()}, geboren op {D('dmy-')}, patiëntnummer {MR()}, polisnummer {HP('polis')}, {addr('nl')}.",
 lambda: f"Beste {N()}, uw geboortedatum {D('dmy-')} en IBAN {I('NL')} zijn bijgewerkt. Vragen? Bel {P('nl')}.",
 lambda: f"List z poradni: pacjent {N()}, data urodzenia {D('dmy.')}, nr karty pacjenta {MR()}, {addr('pl')}, tel. {P('pl')}.",
 lambda: f"Dzień dobry, proszę o zwrot na konto {I('PL')}. Pozdrawiam, {N()}, ur. {D('dmy.')}",
 lambda: f"Carta do hospital: utente {N()}, data de nascimento {D('dmy/')}, morada {addr('pt')}, telefone {P('pt')}.",
 lambda: f"Olá {N()}, o reembolso vai para {I('PT')}; qualquer dúvida responda para {email()}.",
 lambda: f"Remiss: patient {N()}, födelsedatum (DOB) {D('iso')}, patient ID {MR()}, {addr('se')}, tel {P('se')}.",
 lambda: f"Hej {N()}, din lön betalas till {I('SE')} från nästa månad.",
 lambda: f"Henvisning: {N()}, fødselsdato (date of birth) {D('dmy.')}, {addr('dk')}, tlf. {P('dk')}, konto {I('DK')}.",
 lambda: f"Epikrise for {N()}, født (DOB) {D('dmy.')}, MRN {MR()}, adresse {addr('no')}, mobil {P('no')}.",
 lambda: f"Lähete: potilas {N()}, syntymäaika (DOB) {D('dmy.')}, {addr('fi')}, puh. {P('fi')}, tili {I('FI')}.",
 lambda: f"Zpráva lékaře: pacient {N()}, datum narození (date of birth) {D('dmy.')}, patient ID {MR()}, {addr('cz')}, tel. {P('cz')}.",
 lambda: f"Sevk yazısı: hasta {N()}, doğum tarihi (DOB) {D('dmy.')}, {addr('tr')}, tel {P('tr')}, IBAN {I('TR')}.",
 lambda: f"Ontario clinic: {N()}, {addr('ca')}, DOB {D('iso')}, phone {P('us')}.",
 lambda: f"Irish GP: {N()}, {addr('ie')}, date of birth {D('dmy/')}, mobile {P('uk')}.",
 lambda: f"Sydney practice reminder for {N()}, {addr('au')}, Medicare card {HP('au')}, ph {P('au')}.",
 lambda: f"Mumbai clinic: patient {N()}, {addr('in')}, DOB {D('dmy/')}, mobile {P('in')}.",
 lambda: f"Clínica em São Paulo: {N()}, {addr('br')}, data de nascimento {D('dmy/')}.",
 lambda: f"Swiss insurer letter to {N()}, {addr('ch')}; IBAN {I('CH')}; Tel. {P('ch')}.",
 lambda: f"Belgian mutuality: {N()}, {addr('be')}, rekening {I('BE')}.",
 lambda: f"Sign-in alert for {email(full())}: new device at {IP()} ({R.choice(['Chrome', 'Safari', 'Firefox'])} {version()}). Not you? {U()}",
 lambda: f"IT helpdesk: {N()} cannot reach the VPN from {IP(True)}; laptop asset {order_no()}.",
 lambda: f"From: {N()} <{email()}> Subject: payslip question – my SSN on the payslip {S()} looks right but the IBAN {I()} is old.",
 lambda: f"| Name | DOB | MRN | Phone | ⏎ |---|---|---|---| ⏎ | {N()} | {D('iso')} | {MR()} | {P('us2')} |",
 lambda: f"| Patient | Member ID | ZIP | ⏎ |---|---|---| ⏎ | {N()} | {HP('member')} | {PC(postal('us')[2])} | ⏎ | {N()} | {HP('member')} | {PC(postal('us')[2])} |",
 lambda: f"name,dob,email,phone ⏎ {N()},{D('iso')},{email()},{P('us2')} ⏎ {N()},{D('iso')},{email()},{P('us2')}",
 lambda: f"employee\tSSN\tIBAN ⏎ {N()}\t{S('')}\t{I(grouped=False)}",
 lambda: f"patient_id={MR()} dob={D('iso')} zip={PC(postal('us')[2])} email={email()} ip={IP()}",
 lambda: '{"name": "' + N() + '", "dob": "' + D('iso') + '", "member_id": "' + HP('member') + '", "phone": "' + P('intl_us') + '"}',
 lambda: '{"customer": "' + N() + '", "card": "' + C(fmt='') + '", "billing_zip": "' + PC(postal('us')[2]) + '", "ip": "' + IP() + '"}',
 lambda: f"患者 {N(family() + ' ' + given())}，生年月日（DOB）{D('cjk')}，patient ID {MR()}，電話 {P('jp', 'fw')}。",
 lambda: f"客户 {N()} 的银行卡 {C('up', ' ', 'fw')}，手机 {P('cn', 'fw')}。",
 lambda: f"환자 {m('name', family())}, 생년월일 (DOB) {D('kr')}, 전화 {P('kr', 'fw')}.",
 lambda: f"मरीज़ {N()}, जन्म तिथि (DOB) {D('dmy/')}, फ़ोन {P('in', 'dv')}, SSN {S('-', 'dv')}.",
 lambda: f"المريض {N()}، تاريخ الميلاد (DOB) {D('dmy/')}، هاتف {P('ae', 'ar')}، بطاقة {C('visa', ' ', 'ar')}.",
 lambda: f"بیمار {N()}، تاریخ تولد (date of birth) {D('iso')}، تلفن {P('ir', 'fa')}، کارت {C('ir', '-', 'fa')}.",
 lambda: f"Payroll export note: {N()}, SSN {S('-', 'fw')}, tel {P('us', 'fw')}.",
 lambda: f"Chargeback letter: we reversed {amount()} on {C(script=R.choice(['fw', 'ar']))} for {N()}.",
 lambda: f"School admin e-mail: {N()}'s parent can be reached at {P()} or {email()}; home address {addr()}.",
 lambda: f"Medicaid ID {HP('member')} for {N()}, DOB {D('mdy/')}, subscriber ID {HP('member')}.",
 lambda: f"Patient portal: {N()} wrote “my insurance ID is {HP('generic')} and my birthdate is {D('us')}”.",
 lambda: f"Reminder SMS: {given()}, dental check-up Tue {other_date('dmy/')} 10:15. Reply STOP. Info {U()}",
]
POS[-1] = lambda: f"Reminder SMS to {N()}: dental check-up on {other_date('dmy/')} at 10:15. Reply STOP. Info {U()}"

POS += [
 lambda: f"Security log: failed login for {email()} from {IP()} and {IP(True)}; reset link {U()}.",
 lambda: f"Bank chat – Customer {N()}: my card {C()} was charged twice. Agent: I see logins from {IP()}; please use {U()}.",
 lambda: f"Background check request: {N()}, SSN {S()}, current address {addr('us')}, portal {U()}.",
 lambda: f"Tax form 1099 for contractor {N()}: SSN {S()}; payment card on file {C()}; session IP {IP()}.",
 lambda: f"Fraud alert: card {C()} used at {U()} from {IP()}; SSN on file {S()}.",
 lambda: f"Hotel booking {order_no()}: guarantee card {C()}, guest {N()}, confirmation sent from {IP()} to {email()}.",
]

NEG = [
 lambda: f"Your order {order_no()} of {amount()} has shipped; tracking {order_no()}.",
 lambda: f"Invoice {order_no()} dated {other_date('long')}, amount due {amount()}, due {other_date('iso')}.",
 lambda: f"Claim {order_no()} received on {other_date('mdy/')}; we will reply within 30 days.",
 lambda: f"Release notes: app {version()} fixes the sync bug; commit {hexs(40)}.",
 lambda: f"Request id {uuid()} failed with status 502 after {R.randint(100,9000)} ms.",
 lambda: f"The number {bad_ssn()} on the form is not a valid SSN, please check it.",
 lambda: f"Rejected transfer: IBAN {iban_val(bad=True)} fails the check digits.",
 lambda: f"Config says host {bad_quad()} which is out of range; see {R.choice(BARE)} for docs.",
 lambda: f"The clinic moved to {R.randint(10000,19999)} Riverside Dr last spring, suite {R.randint(100,999)}.",
 lambda: f"Meeting notes: {R.choice(NONDICT)} and {R.choice(NONDICT)} will review the budget in May.",
 lambda: f"Will the appointment on {other_date('long')} still go ahead? June said Grant would confirm.",
 lambda: f"Card {near_miss()} was declined: number invalid (Luhn).",
 lambda: f"カード番号 {near_miss('fw')} は無効です。",
 lambda: f"رقم البطاقة {near_miss('ar')} غير صالح.",
 lambda: f"Booking reference {order_no()} – check-in {other_date('iso')}, room {R.randint(100,999)}, total {amount()}.",
 lambda: f"Termin am {other_date('de')} um 14:30, Rechnung {order_no()} über {amount()}.",
 lambda: f"Rendez-vous le {other_date('fr')}, facture {order_no()}, montant {amount()}.",
 lambda: f"Cita el {other_date('es')}, pedido {order_no()}, importe {amount()}.",
 lambda: f"Afspraak op {other_date('dmy-')}, factuurnummer {order_no()}.",
 lambda: f"Wizyta {other_date('dmy.')}, numer zamówienia {order_no()}, kwota {amount()}.",
 lambda: f"Tid för besök {other_date('iso')}, ordernummer {order_no()}.",
 lambda: f"予約日 {other_date('cjk')}、注文番号 {order_no()}。",
 lambda: f"Lab: HbA1c {R.randint(5,9)}.{R.randint(0,9)} %, ICD-10 E11.{R.randint(0,9)}, metformin {R.choice([500,850,1000])} mg twice daily.",
 lambda: f"Wi-Fi code {hexs(8)}, MAC 00:1a:{hexs(2)}:{hexs(2)}:{hexs(2)}:{hexs(2)}, firmware {version()}.",
 lambda: f"Hash sha256:{hexs(64)} matched the upload on {other_date('iso')}.",
 lambda: f"Account manager {R.choice(NONDICT)} approved a credit of {amount()} against ticket {order_no()}.",
 lambda: f"Visit www dot {R.choice(['example', 'mybank'])} dot com or {R.choice(BARE)} for help.",
 lambda: f"Dosage changed on {other_date('us')}: {R.randint(1,3)} tablets, batch LOT{rd(6)}, exp {R.randint(1,12):02d}/{R.randint(26,29)}.",
 lambda: f"Kontonummer ungültig: {iban_val('DE', True, True)}.",
 lambda: f"Tracking {order_no()} – parcel held at depot {R.randint(1,99)}, weight {R.randint(1,20)}.{R.randint(0,9)} kg.",
]


def gen_line(i):
    if i % 4 == 3:
        return R.choice(NEG)()
    return POS[i % len(POS) if i < 4 * len(POS) else R.randrange(len(POS))]()

# ----------------------------------------------------------------- check
SPAN = re.compile(L + r"([a-z_]+):(.*?)" + RT)
MRN_LABELS = ["mrn", "mr#", "medical record", "patient id", "patient_id", "chart number", "patientennummer",
              "numéro de dossier", "historia clínica", "cartella clinica", "patiëntnummer", "karty pacjenta"]
PLAN_LABELS = ["member id", "member_id", "subscriber id", "policy number", "insurance number", "insurance id",
               "health plan id", "medicaid id", "medicare number", "beneficiary id", "nhs number", "versichertennummer",
               "kvnr", "carte vitale", "numéro d'assuré social", "polisnummer", "medicare card"]
DOB_TRIG = ["dob", "d.o.b.", "date of birth", "born", "birthdate", "geburtsdatum", "geb.", "geboren am", "né le", "née le",
            "date de naissance", "fecha de nacimiento", "nacido el", "nacida el", "data di nascita", "nato il", "nata il",
            "geboren op", "geboortedatum", "data urodzenia", "ur.", "data de nascimento"]
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL_RE = re.compile(r"https?://|www\.", re.I)
SSN_RE = re.compile(r"(?<!\d)(\d{3})([- ])(\d{2})\2(\d{4})(?!\d)")
POSTAL_RE = [r"\d{5}(-\d{4})?", r"[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}", r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d",
             r"[1-9]\d{3} ?(?!SA|SD|SS)[A-EGHJ-NPRTVWXZ]{2}", r"[AC-FHKNPRTV-Y]\d{2}|D6W) [0-9AC-FHKNPRTV-Y]{4}", r"\d{4}", r"\d\d-\d{3}",
             r"\d{4}-\d{3}", r"\d{3} \d{2}", r"\d{3}-\d{4}", r"\d{6}", r"\d{5}-\d{3}"]
POSTAL_RE[4] = r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W) [0-9AC-FHKNPRTV-Y]{4}"


def iban_ok(s):
    return iban_valid(s, IBAN_LEN)


def detect(t, skip=()):
    """Return detectable things in t (already digit-normalised)."""
    out = []
    if "email" not in skip and EMAIL_RE.search(t): out.append("email")
    if "url" not in skip and URL_RE.search(t): out.append("url")
    if "ip_address" not in skip:
        for mm in re.finditer(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.]|\.\d)", t):
            if all(int(x) <= 255 for x in mm.group().split(".")): out.append("ipv4")
        for mm in re.finditer(r"(?<![\w:])[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?![\w:])", t):
            try:
                ipaddress.IPv6Address(mm.group()); out.append("ipv6")
            except ValueError:
                pass
    if "iban" not in skip:
        for mm in re.finditer(r"(?<![A-Za-z0-9])([A-Z]{2}\d{2}[A-Z0-9 ]{8,40})", t):
            c = mm.group(1).replace(" ", "")
            n = IBAN_LEN.get(c[:2])
            if n and len(c) >= n and iban_mod97(c[:n]) == 1: out.append("iban")
    if "ssn" not in skip:
        for mm in SSN_RE.finditer(t):
            if ssn_valid(mm.group(1), mm.group(3), mm.group(4)): out.append("ssn")
        for mm in re.finditer(r"SSN\W{0,30}?(?<!\d)(\d{9})(?!\d)", t):
            d = mm.group(1)
            if ssn_valid(d[:3], d[3:5], d[5:]): out.append("ssn-compact")
    if "health_plan_number" not in skip and MBI_RE.search(t): out.append("mbi")
    if "name" not in skip:
        for w in re.findall(r"\w+", t):
            if w in NAMESET: out.append("name:" + w)
    if "credit_card" not in skip:
        out += ["luhn:" + acc for _, _, acc in luhn_windows(t)]
    return out


def header_label(plain, pos, labels):
    rows = plain.split(" ⏎ ")
    off = 0
    for ri, row in enumerate(rows):
        if off <= pos <= off + len(row):
            sep = "|" if row.strip().startswith("|") else ("\t" if "\t" in row else ",")
            col = row[:pos - off].count(sep)
            hdr = rows[0].split(sep)
            return ri > 0 and col < len(hdr) and any(l in hdr[col].lower() for l in labels)
        off += len(row) + 3
    return False


def check_line(line):
    errs = []
    if line.count(L) != line.count(RT): return ["unbalanced markers"]
    plain, spans, masked, last = "", [], "", 0
    for mm in SPAN.finditer(line):
        pre = line[last:mm.start()]
        plain += pre; masked += pre + " ▯ "
        spans.append((mm.group(1), mm.group(2), len(plain)))
        plain += mm.group(2); last = mm.end()
    plain += line[last:]; masked += line[last:]
    if L in masked or RT in masked: errs.append("stray marker")
    for cat, v, pos in spans:
        n = ascii_digits(v); before = plain[max(0, pos - 45):pos].lower()
        if cat not in CATS: errs.append("cat " + cat); continue
        if cat == "credit_card":
            d = re.sub(r"[ -]", "", n)
            if not (d.isdigit() and 13 <= len(d) <= 19 and luhn_ok(d)): errs.append("card " + v)
        elif cat == "iban":
            if not iban_ok(v) or not re.fullmatch(r"[A-Z0-9]+|[A-Z0-9]{4}( [A-Z0-9]{4})*( [A-Z0-9]{1,4})?", v): errs.append("iban " + v)
        elif cat == "ssn":
            mm2 = re.fullmatch(r"(\d{3})([- ]?)(\d{2})\2(\d{4})", n)
            if not mm2 or not ssn_valid(mm2.group(1), mm2.group(3), mm2.group(4)): errs.append("ssn " + v)
            elif not mm2.group(2) and "ssn" not in before and not header_label(plain, pos, ["ssn"]): errs.append("compact ssn label")
        elif cat == "ip_address":
            try: ipaddress.ip_address(v)
            except ValueError: errs.append("ip " + v)
        elif cat == "email":
            if not re.fullmatch(r"[a-z0-9._+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+", v): errs.append("email " + v)
        elif cat == "url":
            if not re.fullmatch(r"(https?://|www\.)[^\s<>\"]+[^\s.,)]", v): errs.append("url " + v)
        elif cat == "phone":
            nd = sum(c.isdigit() for c in n)
            if not (7 <= nd <= 15 and re.fullmatch(r"[+(\d][\d ()\-.]*\d", n)): errs.append("phone " + v)
        elif cat == "postal_code":
            if not any(re.fullmatch(p, v) for p in POSTAL_RE): errs.append("postal " + v)
        elif cat == "name":
            ws = v.split(" ")
            if not all(w in NAMESET for w in ws): errs.append("name " + v)
        elif cat == "medical_record_number":
            if not re.fullmatch(r"[A-Za-z0-9-]{5,15}", v): errs.append("mrn shape " + v)
            if not any(l in before for l in MRN_LABELS) and not header_label(plain, pos, ["mrn", "patient"]): errs.append("mrn label " + v)
        elif cat == "health_plan_number":
            if not MBI_RE.fullmatch(v) and not any(l in before for l in PLAN_LABELS) and not header_label(plain, pos, ["member id", "member_id"]):
                errs.append("plan label " + v)
            if re.fullmatch(r"\d{3} \d{3} \d{4}", v) and "nhs" in before:
                d = v.replace(" ", "")
                if nhs_check(d[:9]) != int(d[9]): errs.append("nhs check")
        elif cat == "date_of_birth":
            near = plain[max(0, pos - 30):pos].lower()
            if not any(t in near for t in DOB_TRIG) and not header_label(plain, pos, ["dob"]) and '"dob"' not in near:
                errs.append("dob trigger " + v)
        errs += [f"{cat} span holds {x}" for x in detect(n, skip=(cat,) + (("name",) if cat in ("email", "url") else ()))]
    for a, b in zip(spans, spans[1:]):
        if a[0] == b[0] == "name" and plain[a[2] + len(a[1]):b[2]] == " ": errs.append("adjacent names")
    errs += ["unmarked " + x for x in detect(ascii_digits(masked))]
    return errs


def stats(lines):
    cnt = {c: 0 for c in CATS}; neg = look = nm = 0; ibc = set()
    for l in lines:
        sp = SPAN.findall(l)
        if not sp:
            neg += 1
            if any(ascii_digits(c) != c for c in l if c.isdigit() and not c.isascii()): nm += 1
        for c, v in sp:
            cnt[c] += 1
            if c == "iban": ibc.add(v[:2])
            if c in ("ssn", "credit_card", "phone") and any(not ch.isascii() and ch.isdigit() for ch in v): look += 1
    return cnt, neg, look, nm, ibc


def check_file(path):
    lines = [l.rstrip("\n") for l in open(path, encoding="utf-8")]
    ex = [l for l in lines if l.strip() and not l.startswith("#")]
    bad = 0
    for i, l in enumerate(ex):
        for e in check_line(l):
            print(f"line {i}: {e}"); bad += 1
    if len(set(ex)) != len(ex): print("duplicate lines"); bad += 1
    cnt, neg, look, nm, ibc = stats(ex)
    print(f"lines {len(ex)} negative-only {neg} look-alike positives {look} look-alike near-miss lines {nm} iban countries {len(ibc)}")
    print(" ".join(f"{c} {n}" for c, n in cnt.items()))
    if len(ex) < 400 or min(cnt.values()) < 50 or look < 20 or nm < 3 or neg < 100: print("below minimums"); bad += 1
    return bad == 0


def generate(out_dir):
    out, seen = [], set()
    i = 0
    while len(out) < 560:
        for _ in range(50):
            l = gen_line(i)
            if l not in seen and not check_line(l): break
        else:
            raise SystemExit(f"could not generate line {i}: {l} {check_line(l)}")
        seen.add(l); out.append(l); i += 1
    with open(os.path.join(out_dir, "fresh6.txt"), "w", encoding="utf-8") as f:
        f.write("# fresh6.txt: generated by scripts/pii-fresh6-corpus.py (seed %d); see README.md\n" % SEED)
        f.write("\n".join(out) + "\n")


def check(out_dir):
    return check_file(os.path.join(out_dir, "fresh6.txt"))
