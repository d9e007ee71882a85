//! Detection of personal and health identifiers in text (the HIPAA Safe
//! Harbor categories, 45 CFR 164.514(b)(2)), for policy and redaction.
//!
//! One pass: every category is a pattern of one multi-pattern automaton
//! (`automaton`: lazy DFAs that skip to anchors and literals in ASCII
//! text, a combined meta regex otherwise), searched leftmost-first.
//! A candidate is then validated (Luhn for cards, ISO 13616 mod-97 for
//! IBANs, SSN ranges, IP octets, word boundaries) and reduced to the
//! identifier itself (a date of birth without its label). A candidate that
//! fails validation resumes the search at its next word, so a long run of
//! near misses costs linear time, never a rescan of the whole run.
//!
//! Digits are Unicode decimal digits (`\d`): fullwidth, Arabic-Indic or
//! Devanagari look-alikes are read by their value, because a model reads
//! them as digits too. Findings name the category and byte offsets, never
//! the value.

mod automaton;
mod normalize;
mod structure;

use std::fmt;

use automaton::Automaton;

use regex_automata::util::syntax;
use regex_automata::{Input, meta};
use serde::{Deserialize, Serialize};

/// A category of identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// E-mail addresses.
    Email,
    /// Telephone and fax numbers.
    Phone,
    /// US Social Security numbers.
    Ssn,
    /// Payment card numbers (Luhn-checked).
    CreditCard,
    /// International bank account numbers (mod-97-checked).
    Iban,
    /// IPv4 and IPv6 addresses.
    IpAddress,
    /// Dates stated to be dates of birth.
    DateOfBirth,
    /// Medical record numbers.
    MedicalRecordNumber,
    /// Health-plan beneficiary and insurance numbers.
    HealthPlanNumber,
    /// Postal codes in addresses.
    PostalCode,
    /// Web addresses.
    Url,
    /// Names from the configured dictionary.
    Name,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 12] = [
        Category::Email,
        Category::Phone,
        Category::Ssn,
        Category::CreditCard,
        Category::Iban,
        Category::IpAddress,
        Category::DateOfBirth,
        Category::MedicalRecordNumber,
        Category::HealthPlanNumber,
        Category::PostalCode,
        Category::Url,
        Category::Name,
    ];

    /// The category's name in findings, policies and audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Email => "email",
            Category::Phone => "phone",
            Category::Ssn => "ssn",
            Category::CreditCard => "credit_card",
            Category::Iban => "iban",
            Category::IpAddress => "ip_address",
            Category::DateOfBirth => "date_of_birth",
            Category::MedicalRecordNumber => "medical_record_number",
            Category::HealthPlanNumber => "health_plan_number",
            Category::PostalCode => "postal_code",
            Category::Url => "url",
            Category::Name => "name",
        }
    }

    /// The category with this name.
    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// True for identifiers of health information (they make a request
    /// `phi`); the others make it `pii`.
    pub fn is_health(self) -> bool {
        matches!(
            self,
            Category::MedicalRecordNumber | Category::HealthPlanNumber
        )
    }

    /// The typed placeholder that replaces a redacted identifier.
    pub fn placeholder(self) -> String {
        format!("[{}]", self.as_str().to_ascii_uppercase())
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One identifier found: its category and byte range in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// What it is.
    pub category: Category,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// Why a detector could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PiiError {
    /// A pattern (or the name dictionary) did not compile.
    #[error("the identifier patterns do not compile: {0}")]
    Build(String),
    /// The name dictionary could not be read.
    #[error("name dictionary {path}: {message}")]
    Dictionary {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// How a candidate becomes a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Email,
    Url,
    /// International and North American numbers.
    Phone,
    /// National numbers with a trunk 0 (read by value, so look-alike
    /// digits count): 9-12 digits.
    PhoneNational,
    /// A number after a telephone label: the number is the value.
    PhoneLabelled,
    Ssn,
    /// A labelled SSN without separators: the last 9 digits.
    SsnLabelled,
    Card,
    Iban,
    Ipv4,
    Ipv6,
    /// A label, then the date: the date is the value.
    DateOfBirth,
    /// A label, then an identifier: the last token(s) are the value.
    Labelled(Category),
    /// A US Medicare Beneficiary Identifier.
    Mbi,
    /// A postal code with context: the code is the first run of the
    /// value pattern.
    Postal,
    /// A UK or Canadian postcode, standing alone.
    PostcodeAlone,
    Name,
}

const MONTHS: &str = r"(?i:jan(?:uary|vier|uar|uari)?|feb(?:ruary|ruar|ruari)?|f[ée]v(?:rier)?|m[äa]r(?:ch|z|s|t)?|maart|apr(?:il|ile)?|avr(?:il)?|may|mai|mei|maggio|mayo|june?|juin|juni|giugno|junio|july?|juil(?:let)?|juli|luglio|julio|aug(?:ust|ustus)?|ao[ûu]t|agosto|sep(?:t|tember|tembre|tiembre)?|settembre|oct(?:ober|obre|ubre)?|okt(?:ober)?|ottobre|nov(?:ember|embre|iembre)?|dec(?:ember|embre)?|d[ée]c(?:embre)?|dez(?:ember)?|dicembre|diciembre|enero|febrero|marzo|gennaio|febbraio|aprile|abril|stycze[ńn]|stycznia|lut(?:y|ego)|marc(?:a|u)|kwie(?:cie[ńn]|tnia)|maj(?:a)?|czerw(?:iec|ca)|lip(?:iec|ca)|sierp(?:ie[ńn]|nia)|wrze(?:sie[ńn]|[śs]nia)|pa[źz]dziernik(?:a)?|listopad(?:a)?|grud(?:zie[ńn]|nia)|janeiro|fevereiro|mar[çc]o|maio|junho|julho|setembro|outubro|novembro|dezembro|januari|februari|mars|augusti|juni|juli|januar|februar|marts|mai|august|desember|tammikuuta|helmikuuta|maaliskuuta|huhtikuuta|toukokuuta|kes[äa]kuuta|hein[äa]kuuta|elokuuta|syyskuuta|lokakuuta|marraskuuta|joulukuuta|ledna|[úu]nora|b[řr]ezna|dubna|kv[ěe]tna|[čc]ervna|[čc]ervence|srpna|z[áa][řr][íi]|[řr][íi]jna|listopadu|prosince|ocak|[şs]ubat|mart|nisan|may[ıi]s|haziran|temmuz|a[ğg]ustos|eyl[üu]l|ekim|kas[ıi]m|aral[ıi]k|जनवरी|फ़?फरवरी|फ़रवरी|मार्च|अप्रैल|मई|जून|जुलाई|अगस्त|सितंबर|सितम्बर|अक्टूबर|अक्तूबर|नवंबर|नवम्बर|दिसंबर|दिसम्बर|يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|نوفمبر|ديسمبر)";

/// A date in the usual numeric and spelled-out forms.
fn date_pattern() -> String {
    format!(
        r"(?:(?:18|19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|\d{{4}}[\-/.]\d{{1,2}}[\-/.]\d{{1,2}}|\d{{4}}\s?年\s?\d{{1,2}}\s?月\s?\d{{1,2}}\s?[日号]|\d{{4}}\s?년\s?\d{{1,2}}\s?월\s?\d{{1,2}}\s?일|\d{{1,2}}\.\s\d{{1,2}}\.\s?\d{{4}}|\d{{1,2}}[./\-]\d{{1,2}}[./\-]\d{{2,4}}|\d{{1,2}}-{MONTHS}-\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th|er|º)?\.?\s+(?:of\s+|de\s+)?{MONTHS}\.?,?\s+(?:de\s+)?\d{{4}}|{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
    )
}

const DOB_LABEL: &str = r"(?i:bday|date[\s_\-]*of[\s_\-]*birth|d\.\s?o\.\s?b\.?|dob|birth\s*date|birthday|born(?:[\s_\-]*on)?|geburtsdatum|geb\.|geboren(?:[\s_\-]*am|[\s_\-]*op)?|geboortedatum|n[ée](?:\(e\)|e)?\s+le|生年月日|出生日期|date[\s_\-]*de[\s_\-]*naissance|fecha[\s_\-]*de[\s_\-]*nacimiento|nacid[oa][\s_\-]*el|data[\s_\-]*di[\s_\-]*nascita|nat[oa][\s_\-]*il|data[\s_\-]*urodzenia|data[\s_\-]*de[\s_\-]*nascimento|nascid[oa][\s_\-]*em|urodzon[ya](?:[\s_\-]*dnia)?|ur\.)";

const MRN_LABEL: &str = r"(?i:mrn|mr\s?#|medical[\s_\-]*record[\s_\-]*(?:number|no\.?|#|id)|medical[\s_\-]*record|patient[\s_\-]*(?:id|identifier|number|no\.?|#)|chart[\s_\-]*(?:number|no\.?|#)|patientennummer|patienten-?id|patienten-?nr\.?|fallnummer|num[ée]ro[\s_\-]*(?:de[\s_\-]*)?dossier|n°\s*(?:de[\s_\-]*)?dossier|dossier[\s_\-]*(?:m[ée]dical|patient)|ipp|n[úu]mero[\s_\-]*de[\s_\-]*historia(?:[\s_\-]*cl[íi]nica)?|historia[\s_\-]*cl[íi]nica|nhc|cartella[\s_\-]*clinica|numero[\s_\-]*(?:di[\s_\-]*)?cartella|pati[ëe]ntnummer|pati[ëe]nt-?id|(?:numer|nr\.?)[\s_\-]*(?:historii[\s_\-]*choroby|karty(?:[\s_\-]*pacjenta)?|pacjenta)|id[\s_\-]*pacjenta|patient_id|patientid)";

const PLAN_LABEL: &str = r"(?i:member[\s_\-]*(?:id|number|no\.?|#)|health[\s_\-]*plan[\s_\-]*(?:id|number|no\.?|#|beneficiary[\s_\-]*number)|(?:insurance[\s_\-]*)?policy[\s_\-]*(?:number|no\.?|#|id)|subscriber[\s_\-]*(?:id|number|no\.?|#)|insurance[\s_\-]*(?:id|number|no\.?|#)|insured[\s_\-]*id|medicare[\s_\-]*(?:id|number|no\.?|#|beneficiary[\s_\-]*identifier|mbi|card(?:[\s_\-]*(?:number|no\.?))?)|member_?id|subscriber_?id|policy_?(?:no|number|id)|num[ée]ro[\s_\-]*d['’]assur[ée](?:[\s_\-]*social)?|medicaid[\s_\-]*(?:id|number|no\.?|#)|beneficiary[\s_\-]*(?:id|number|no\.?)|mbi|versichertennummer|krankenversichertennummer|versicherten-?nr\.?|kvnr|carte[\s_\-]*vitale|num[ée]ro[\s_\-]*(?:de[\s_\-]*)?s[ée]curit[ée][\s_\-]*sociale|n°\s*(?:de[\s_\-]*)?s[ée]curit[ée][\s_\-]*sociale|nhs[\s_\-]*(?:number|no\.?)|chi[\s_\-]*(?:number|no\.?)|n[úu]mero[\s_\-]*de[\s_\-]*(?:afiliaci[óo]n|asegurado|tarjeta[\s_\-]*sanitaria)|tarjeta[\s_\-]*sanitaria|tessera[\s_\-]*sanitaria|codice[\s_\-]*(?:tessera|assistito)|zorgverzekeringsnummer|polisnummer|verzekerdennummer|numer[\s_\-]*(?:ubezpieczenia|polisy)|ehic)";

const PHONE_LABEL: &str = r"(?i:tel(?:ephone|efon|éfono|efono|éphone|\.)?|phone|mobile?|m[óo]vil|cell(?:ulare|phone|\.)?|telem[óo]vel|handy|mobil|fax|gsm|portable|whatsapp|call[\s_\-]*(?:me[\s_\-]*)?(?:at|on)|reach(?:ed)?[\s_\-]*(?:me[\s_\-]*)?(?:at|on)|call[\s_\-]*(?:me[\s_\-]*)?back[\s_\-]*(?:at|on)|number[\s_\-]*is|fone|ph|cep|puhelin|telefon|telefonnummer|rufnummer|handynummer|电话|電話|手机|携帯|tlf\.?|tfn\.?|puh\.?|mobiltelefon|telefono|telefone|telefoonnummer|मोबाइल|फ़ोन|फोन|kontakt(?:nummer|telefon)?|recapito(?:[\s_\-]*telefonico)?|ring[\s_\-]+(?:mig[\s_\-]+)?p[åa]|ring[\s_\-]+(?:til|op)|(?-i:[TMF][ :.]))";

/// "is" between a label and its value, in the languages of the labels
/// (`Versichertennummer lautet ...`, `mi móvil es ...`), before a space.
const COPULA: &str = r"(?:is|es|est|ist|lautet|è|é|är|er|jest|je|on)\s";

const SSN_LABEL: &str =
    r"(?i:ssn|ss#|social[\s_\-]*security(?:[\s_\-]*(?:number|no\.?|#))?|sozialversicherungsnummer)";

const POSTAL_LABEL: &str = r"(?i:zip(?:\s*code)?|zip\+4|postcode|post\s*code|postal[\s_\-]*code|plz|code[\s_\-]*postal|cp|cap|c[óo]digo[\s_\-]*postal|c\.\s?p\.|kod[\s_\-]*pocztowy|postleitzahl|postnummer|〒)";

/// The patterns, in priority order (earlier wins at the same start).
fn patterns(names: &[String]) -> (Vec<(Rule, String)>, String) {
    let date = date_pattern();
    let id_value =
        r"(?:\d{1,5}(?:[ ]\d{1,5}){2,6}|[A-Za-z0-9](?:[A-Za-z0-9]|[\-/.][A-Za-z0-9]){3,24})";
    // After a label: a key's closing quote or tag (`"mrn": "`, `<mrn>`), a
    // parenthetical, then `:` `=` `#` `no.` `n.` ...
    let kv = r"(?:[\x22'\]>)）]{1,2})?";
    // A question answered in a transcript: `member ID? Caller: It's `.
    let reply =
        r"(?:\?\s*(?:\[[^\]\n]{1,12}\]\s*)?(?:\p{L}{1,15}\s*:\s*)?(?i:it['’]s\s+|it\s+is\s+)?)?";
    let sep = format!(
        r"(?:[\x22'\]>)）]{{1,2}})?\s*(?:\([^()\n]{{1,30}}\))?\s*(?:[:#=：]|no\.?|nr\.?|n[º°o.]|n[úu]m\.?|is|{COPULA})?{reply}\s*[:#]?\s*[\x22']?\s*"
    );
    let postal_value = r"(?:\d{5}(?:-\d{4})?|\d{4}\s?[A-Z]{2}|\d{2}-\d{3}|\d{3}-\d{4}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{3}\s\d{2}|\d{4,6})";
    let city = r"\p{Lu}\p{Ll}[\p{Ll}\p{Lu}'\-]+";
    let states = "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR";
    let mbi_letter = "[AC-HJKMNP-RT-Y]";
    let mut list = vec![
        (Rule::Url, r"(?i:https?://|www\.)[^\s<>\x22'\[\]{}|\\^`]+".to_owned()),
        (
            Rule::Email,
            r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.\p{L}{2,}".to_owned(),
        ),
        (
            Rule::DateOfBirth,
            // The date may follow a word or two (`date of birth on
            // requisition 2008-05-31`) or a transcript's answer.
            format!(r"{DOB_LABEL}{kv}(?:\s+\p{{Ll}}{{1,12}}){{0,2}}{reply}\s*[:\-=：]?\s*[\x22'(（]?\s*{date}"),
        ),
        (
            Rule::Labelled(Category::MedicalRecordNumber),
            format!(r"{MRN_LABEL}{sep}{id_value}"),
        ),
        (
            Rule::Labelled(Category::HealthPlanNumber),
            format!(r"{PLAN_LABEL}{sep}{id_value}"),
        ),
        (
            Rule::SsnLabelled,
            format!(r"{SSN_LABEL}{kv}\s*(?:\([^()\n]{{1,30}}\))?\s*[:#=]?\s*[\x22']?\s*(?:is\s+)?\d{{9}}"),
        ),
        (
            Rule::Postal,
            format!(r"{POSTAL_LABEL}{kv}\s*(?:[:.=]|is|est|ist|es|è|to)?\s*[\x22']?\s*{postal_value}"),
        ),
        (
            Rule::Postal,
            format!(r"\p{{Lu}}\p{{Ll}}+,?\s*(?:{states}),?\s*\d{{5}}(?:-\d{{4}})?"),
        ),
        (
            Rule::Mbi,
            format!(
                r"[1-9]{mbi_letter}[{m}0-9]\d-?{mbi_letter}[{m}0-9]\d-?{mbi_letter}{{2}}\d{{2}}",
                m = "AC-HJKMNP-RT-Y"
            ),
        ),
        (
            Rule::Postal,
            format!(
                r"(?:[A-Z]{{1,2}}-)?\d{{5}}(?:[ \u{{a0}}]|;[ ]?){city}|(?:,\s*|[A-Z]{{1,2}}-)\d{{4}}[ \u{{a0}}]{city}|\d{{4}}\s?[A-Z]{{2}}[ \u{{a0}}]{city}|\d{{2}}-\d{{3}}[ \u{{a0}}]{city}|\d{{4}}-\d{{3}}[ \u{{a0}}]{city}|\d{{3}}\s\d{{2}}[ \u{{a0}}]{city}|\d{{3}}-\d{{4}}\s+(?:Tokyo|Osaka|Kyoto|Japan)|\p{{Lu}}\p{{Ll}}+,?\s+(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT)\s+\d{{4}}|,\s*\p{{Lu}}\p{{Ll}}+(?:\s\p{{Lu}}\p{{Ll}}+)?(?:\s*-)?\s+[1-9]\d{{2}}\s?\d{{3}}|,\s*\d{{5}}-\d{{3}}|(?i:cep)\s*[:.]?\s*\d{{5}}-?\d{{3}}|(?:Tokyo|Osaka|Kyoto|Yokohama|Nagoya|Sapporo|Fukuoka|Kobe)(?:-to|-fu)?\s+\d{{3}}-\d{{4}}|〒\s?\d{{3}}-\d{{4}}"
            ),
        ),
        (Rule::Iban, r"[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){10,32}".to_owned()),
        (
            Rule::Ssn,
            r"\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{3}\.\d{2}\.\d{4}".to_owned(),
        ),
        (
            Rule::Card,
            // Any grouping (4-4-4-4, 4-6-5, 4-4-5, 6-13, 4-4-4-4-3 ...):
            // the digit count, the issuer digit and Luhn decide.
            // The issuer digit (2-6, in any script) is in the pattern, so
            // that a phone number grouped like a card is not taken here.
            [
                r"ISSUER\d{3}[ \-.]\d{4}[ \-.]\d{4}[ \-.]\d{4}(?:[ \-.]\d{1,3})?",
                r"ISSUER\d{3}[ \-.]\d{4}[ \-.]\d{4}[ \-.]\d{1,3}",
                r"ISSUER\d{3}[ \-.]\d{4}[ \-.]\d{5}",
                r"ISSUER\d{3}[ \-.]\d{3}[ \-.]\d{3}[ \-.]\d{3}",
                r"ISSUER\d{3}[ \-.]\d{6}[ \-.]\d{4,5}",
                r"ISSUER\d{5}[ \-.]\d{13}",
                r"ISSUER\d{12,18}",
            ]
            .join("|")
            .replace("ISSUER", "[2-6２-６٢-٦۲-۶२-६]"),
        ),
        (
            Rule::PhoneLabelled,
            format!(r"{PHONE_LABEL}{kv}\s*(?:[:.：=]|to\s|{COPULA})?\s*[\x22']?\s*(?:[+＋]\s?)?\(?\d{{1,4}}\)?(?:(?:[ .\-]|[ ]?/[ ]?)?\d{{2,8}}){{1,5}}"),
        ),
        (
            Rule::Phone,
            [
                // International: +CC and groups.
                r"[+＋]\s?\d{1,3}(?:[ .\-/]?(?:\(\d{1,5}\)|\d{1,5})){1,6}",
                r"00[1-9]\d{0,2}[ \-]\d{1,5}(?:[ \-]\d{1,5}){1,5}",
                // North American.
                r"\(\d{2}\)\s?\d{4,5}-\d{4}|\(\d{3}\)\s?\d{3}[ .\-]\d{4}|\d{3}[.\-]\d{3}[.\-]\d{4}|\d{3} \d{3} \d{4}",
                // Australian and Indian non-geographic (`1300 975 707`, `1800 123 4567`).
                r"1[38]00[ \-]?\d{3}[ \-]?\d{3,4}",
            ]
            .join("|"),
        ),
        (
            Rule::PhoneNational,
            // A trunk 0 (checked by value): grouped by spaces or dashes,
            // compact, or the French dotted pairs.
            r"\d[ ]?\(\d{1,4}\)\s?\d{2,8}(?:[ \-]\d{2,6}){0,3}|\(\d\d{1,4}\)\s?\d{2,8}(?:[ \-]\d{2,6})?|\d\d{1,4} [/\-] \d{2,8}(?: \d{2,6}){0,3}|\d\d{1,5}/\d{5,8}|\d\d{1,5}(?:[ \-]\d{2,8}){1,4}|\d{10,11}|\d\d(?:\.\d{2}){4}"
                .to_owned(),
        ),
        (
            Rule::Ipv4,
            r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}".to_owned(),
        ),
        (
            Rule::Ipv6,
            r"[0-9A-Fa-f]{0,4}(?::{1,2}[0-9A-Fa-f]{0,4}){2,8}".to_owned(),
        ),
        (
            Rule::PostcodeAlone,
            // The Eircode first: a UK shape is a prefix of some Eircodes
            // (`H91 1YX` of `H91 1YX2`), and leftmost-first takes the
            // first alternative that matches.
            r"[AC-FHKNPRTV-Y]\d[\dW]\s[0-9AC-FHKNPRTV-Y]{4}|[A-Z]{1,2}\d[A-Z\d]?\s\d[ABD-HJLNP-UW-Z]{2}|[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d"
                .to_owned(),
        ),
    ];
    if !names.is_empty() {
        let alternation: Vec<String> = names.iter().map(|n| regex_syntax_escape(n)).collect();
        let one = format!("(?:{})", alternation.join("|"));
        list.push((Rule::Name, format!("{one}(?: {one})*")));
    }
    (list, format!("{MRN_LABEL}|{PLAN_LABEL}"))
}

fn regex_syntax_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_punctuation() || c == ' ' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A compiled detector.
#[derive(Debug)]
pub struct Detector {
    /// The patterns over all of Unicode, for text with a non-ASCII byte.
    unicode: Automaton,
    /// The same patterns restricted to ASCII (`ascii_only`), for text
    /// without one: far smaller automata, searched only near anchors and
    /// literals, that offer the same candidates but labels without a
    /// digit (`automaton`).
    ascii: Automaton,
    rules: Vec<Rule>,
    date: meta::Regex,
    postal_value: meta::Regex,
    /// The medical-record and health-plan labels: a postal candidate that
    /// holds one is the label's value, not a postal code.
    id_labels: meta::Regex,
    /// Whole labels (table headers, identifier types): `structure`.
    header: meta::Regex,
}

impl Detector {
    /// A detector without a name dictionary.
    pub fn new() -> Result<Self, PiiError> {
        Self::with_names(&[])
    }

    /// A detector that also finds the given names (whole words, as
    /// written; consecutive names separated by one space are one finding).
    pub fn with_names(names: &[String]) -> Result<Self, PiiError> {
        let names: Vec<String> = names
            .iter()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        let (list, id_labels) = patterns(&names);
        let rules: Vec<Rule> = list.iter().map(|(r, _)| *r).collect();
        // A labelled identifier's value holds three digits or more
        // (`accept`): a match without an anchor is never one.
        let need_anchor: Vec<bool> = rules
            .iter()
            .map(|r| matches!(r, Rule::Labelled(_)))
            .collect();
        let sources: Vec<&str> = list.iter().map(|(_, p)| p.as_str()).collect();
        let build = |pats: &[&str]| {
            meta::Builder::new()
                .configure(
                    meta::Config::new()
                        .match_kind(regex_automata::MatchKind::LeftmostFirst)
                        .hybrid_cache_capacity(16 << 20),
                )
                .syntax(syntax::Config::new().unicode(true).utf8(true))
                .build_many(pats)
                .map_err(|e| PiiError::Build(e.to_string()))
        };
        let date = date_pattern();
        let hirs = sources
            .iter()
            .map(|p| {
                syntax::parse_with(p, &syntax::Config::new().unicode(true).utf8(true))
                    .map_err(|e| PiiError::Build(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            unicode: Automaton::combined_over_unicode(&hirs)?,
            ascii: Automaton::grouped_over_ascii(&hirs, &need_anchor)?,
            rules,
            date: build(&[date.as_str()])?,
            id_labels: build(&[id_labels.as_str()])?,
            header: structure::header_regex()?,
            postal_value: build(&[
                r"\d{4}-\d{3}|\d{5}-\d{4}|\d{5}-\d{3}|\d{6}|\d{3}\s\d{3}|\d{5}|\d{4}\s?[A-Z]{2}(?-u:\b)|\d{2}-\d{3}|\d{3}-\d{4}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{3}\s\d{2}|\d{4,6}",
            ])?,
        })
    }

    /// A detector with the names in `path` (one per line; `#` comments).
    pub fn with_dictionary(path: &std::path::Path) -> Result<Self, PiiError> {
        let text = std::fs::read_to_string(path).map_err(|e| PiiError::Dictionary {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let names: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        Self::with_names(&names)
    }

    /// Every identifier in `text`, in order, not overlapping: those in the
    /// text as it is, and those in the view a reader sees (invisible
    /// characters removed, look-alike dashes and compatibility forms
    /// folded, a hyphenated number wrapped over a line joined), mapped back
    /// to the original bytes so that redaction replaces the right ones.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let exact = self.scan_exact(text);
        let Some(view) = normalize::View::of(text) else {
            return exact;
        };
        let seen: Vec<Finding> = self
            .scan_exact(&view.text)
            .into_iter()
            .map(|f| Finding {
                category: f.category,
                start: view.start(f.start),
                end: view.end(f.end),
            })
            .collect();
        union(exact, seen)
    }

    /// The findings in `text` read byte for byte.
    fn scan_exact(&self, text: &str) -> Vec<Finding> {
        let found = self.scan_automaton(text);
        let mut structural = Vec::new();
        self.table_findings(text, &mut structural);
        self.fhir_findings(text, &mut structural);
        self.hl7_findings(text, &mut structural);
        self.x12_findings(text, &mut structural);
        self.vcard_findings(text, &mut structural);
        self.sql_findings(text, &mut structural);
        self.label_list_findings(text, &mut structural);
        structure::merge(found, structural)
    }

    /// The automaton's findings.
    fn scan_automaton(&self, text: &str) -> Vec<Finding> {
        let automaton = if text.is_ascii() {
            &self.ascii
        } else {
            &self.unicode
        };
        let mut scan = automaton.scan();
        self.scan_candidates(text, |at| automaton.next_match(&mut scan, text, at))
            .0
    }

    /// The findings, and every candidate the automaton offered, with
    /// `next_match` giving the leftmost-first candidate from a position.
    fn scan_candidates(
        &self,
        text: &str,
        mut next_match: impl FnMut(usize) -> Option<automaton::Candidate>,
    ) -> (Vec<Finding>, Vec<automaton::Candidate>) {
        let mut found = Vec::new();
        let mut offered = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let Some((pattern, start, end)) = next_match(at) else {
                break;
            };
            if cfg!(test) {
                offered.push((pattern, start, end));
            }
            match self.accept(text, pattern, start, end) {
                Some(f) => {
                    found.push(f);
                    at = end.max(start + 1);
                }
                // A checksummed number that fails its check is skipped
                // whole (its tail is no phone number); any other
                // candidate resumes at its next word.
                None => match self.rules.get(pattern) {
                    Some(Rule::Iban | Rule::Ssn) => at = end.max(start + 1),
                    Some(Rule::Card) if card_shaped(text.get(start..end).unwrap_or_default()) => {
                        at = end.max(start + 1)
                    }
                    _ => at = next_word(text, start),
                },
            }
            while !text.is_char_boundary(at) {
                at += 1;
            }
        }
        (found, offered)
    }

    /// Validates a candidate and narrows it to the identifier.
    fn accept(&self, text: &str, pattern: usize, start: usize, end: usize) -> Option<Finding> {
        let rule = *self.rules.get(pattern)?;
        let candidate = text.get(start..end)?;
        let finding = |category, s: usize, e: usize| {
            (s < e).then_some(Finding {
                category,
                start: s,
                end: e,
            })
        };
        let bounded =
            |s: usize, e: usize| word_boundary_before(text, s) && word_boundary_after(text, e);
        let labelled =
            |s: usize, e: usize| label_boundary_before(text, s) && word_boundary_after(text, e);
        // A phone number may have its extension glued on (`...8254x7506`).
        let phone_bounded = |s: usize, e: usize| {
            word_boundary_before(text, s)
                && (word_boundary_after(text, e) || extension_after(text, e))
        };
        match rule {
            Rule::Url => {
                let trimmed = candidate.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
                (word_boundary_before(text, start) && trimmed.len() > 4)
                    .then(|| finding(Category::Url, start, start + trimmed.len()))
                    .flatten()
            }
            Rule::Email => {
                let trimmed = candidate.trim_end_matches(['.', '-']);
                let e = start + trimmed.len();
                let local = trimmed.split('@').next().unwrap_or_default();
                let s =
                    start + (local.len() - local.trim_start_matches(['.', '-', '%', '+']).len());
                finding(Category::Email, s, e)
            }
            Rule::DateOfBirth => {
                if !label_boundary_before(text, start) {
                    return None;
                }
                let m = self.date.find(Input::new(text).span(start..end))?;
                (m.end() == end && word_boundary_after(text, end))
                    .then(|| finding(Category::DateOfBirth, m.start(), end))
                    .flatten()
            }
            Rule::Labelled(category) => {
                if !labelled(start, end) {
                    return None;
                }
                let value_start = labelled_value_start(candidate)?;
                let value = candidate.get(value_start..)?;
                let digits = digit_count(value);
                // After an MBI label the value is an MBI or nothing (one
                // with an excluded letter is a near miss).
                let label = candidate.get(..value_start)?;
                let mbi_label = contains_ignoring_ascii_case(label, "mbi")
                    || contains_ignoring_ascii_case(label, "beneficiary identifier");
                (digits >= 3 && (!mbi_label || mbi_valid(value)))
                    .then(|| finding(category, start + value_start, end))
                    .flatten()
            }
            Rule::SsnLabelled => {
                if !labelled(start, end) {
                    return None;
                }
                let digits = digits_of(candidate);
                let tail = digits.get(digits.len().checked_sub(9)?..)?;
                let s = end - last_n_digits_bytes(candidate, 9)?;
                ssn_valid(tail)
                    .then(|| finding(Category::Ssn, s, end))
                    .flatten()
            }
            Rule::Ssn => {
                let digits = Digits::of(candidate);
                (bounded(start, end) && !next_is_digit_group(text, end) && ssn_valid(digits.get()))
                    .then(|| finding(Category::Ssn, start, end))
                    .flatten()
            }
            Rule::Card => card_end(text, start, end, candidate)
                .and_then(|e| finding(Category::CreditCard, start, e)),
            Rule::Iban => {
                if !word_boundary_before(text, start) {
                    return None;
                }
                let e = iban_end(candidate)?;
                word_boundary_after(text, start + e)
                    .then(|| finding(Category::Iban, start, start + e))
                    .flatten()
            }
            Rule::Phone => {
                if !phone_bounded(start, end)
                    || next_is_digit_group(text, end)
                    || plus_adjacent(text, start, end)
                    || glued_before(text, start)
                {
                    return None;
                }
                let n = digit_count(candidate);
                (7..=15)
                    .contains(&n)
                    .then(|| finding(Category::Phone, start, end))
                    .flatten()
            }
            Rule::PhoneNational => national_phone(text, start, end, candidate)
                .then(|| finding(Category::Phone, start, end))
                .flatten(),
            Rule::PhoneLabelled => labelled_phone_value(text, start, end, candidate)
                .and_then(|value| finding(Category::Phone, start + value, end)),
            Rule::Ipv4 => (ipv4(text, end, candidate) && bounded(start, end))
                .then(|| finding(Category::IpAddress, start, end))
                .flatten(),
            Rule::Ipv6 => {
                let ok = candidate.parse::<std::net::Ipv6Addr>().is_ok()
                    && candidate.matches(':').count() >= 2
                    && candidate.chars().any(|c| c.is_ascii_hexdigit());
                (ok && bounded(start, end))
                    .then(|| finding(Category::IpAddress, start, end))
                    .flatten()
            }
            Rule::Mbi => bounded(start, end)
                .then(|| finding(Category::HealthPlanNumber, start, end))
                .flatten(),
            Rule::Postal => {
                if self.id_labels.is_match(Input::new(text).span(start..end)) {
                    return None;
                }
                let m = self.postal_value.find(Input::new(text).span(start..end))?;
                let (s, e) = (m.start(), m.end());
                if !(word_boundary_before(text, s) && word_boundary_after(text, e))
                    || street_follows(text, e)
                    || (six_digits(text.get(s..e)?) && lowercase_follows(text, e))
                {
                    return None;
                }
                finding(Category::PostalCode, s, e)
            }
            Rule::PostcodeAlone => bounded(start, end)
                .then(|| finding(Category::PostalCode, start, end))
                .flatten(),
            Rule::Name => bounded(start, end)
                .then(|| finding(Category::Name, start, end))
                .flatten(),
        }
    }
}

/// True when a `+` touches the candidate on either side (`+++168/1296/74129+++`,
/// a Belgian structured payment reference): no phone number starts with two.
fn plus_adjacent(text: &str, start: usize, end: usize) -> bool {
    let before = text.get(..start).and_then(|t| t.chars().next_back());
    let after = text.get(end..).and_then(|t| t.chars().next());
    matches!(before, Some('+')) || matches!(after, Some('+'))
}

/// True when the candidate is the tail of a number joined by `-` or `/`
/// (`125-0798817108`, a ticket number): a trunk number starts a token.
fn digit_glued_before(text: &str, start: usize) -> bool {
    let mut before = text.get(..start).unwrap_or_default().chars().rev();
    matches!(before.next(), Some('-' | '/'))
        && before.next().is_some_and(|c| digit_value(c).is_some())
}

/// Whether an extension is glued to a number ending at `end`: `x7506`,
/// `ext.12`, `Ext204`, `extension 12`, `#3`, `;ext=12`, then a boundary.
fn extension_after(text: &str, end: usize) -> bool {
    let rest = text.get(end..).unwrap_or_default();
    if let Some(after) = rest.strip_prefix(";ext=") {
        return digits_then_boundary(after);
    }
    let head = rest
        .chars()
        .take(9)
        .collect::<String>()
        .to_ascii_lowercase();
    let Some(marker) = ["extension", "ext.", "ext", "x", "#"]
        .iter()
        .find(|m| head.starts_with(**m))
    else {
        return false;
    };
    digits_then_boundary(
        rest.get(marker.len()..)
            .unwrap_or_default()
            .trim_start_matches(' '),
    )
}

/// 1-6 digits, then not a letter or digit.
fn digits_then_boundary(s: &str) -> bool {
    let digits = s.chars().take_while(|c| c.is_ascii_digit()).count();
    (1..=6).contains(&digits) && !s.chars().nth(digits).is_some_and(char::is_alphanumeric)
}

/// Words that put a number in a telephone context when one stands shortly
/// before it (bare digits are a phone number only there).
fn contact_context(text: &str, start: usize) -> bool {
    const WORDS: &[&str] = &[
        "call",
        "phone",
        "tel",
        "mobile",
        "cell",
        "dial",
        "text",
        "sms",
        "whatsapp",
        "signal",
        "reach",
        "ring",
        "contact",
        "callback",
        "pager",
        "fax",
        "hotline",
        "helpline",
        "voicemail",
        "móvil",
        "movil",
        "llam",
        "chiam",
        "appel",
        "télé",
        "tele",
        "bel",
    ];
    let mut from = start.saturating_sub(48);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let window = text.get(from..start).unwrap_or_default();
    // Within the same line, and after any other number (a contact word
    // before an earlier number does not vouch for this one).
    let line = window
        .rsplit(|c: char| matches!(c, '\n' | '\r' | '⏎') || c.is_numeric())
        .next()
        .unwrap_or_default();
    if named_otherwise(text, start, true) {
        return false;
    }
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| {
            let w = w.to_lowercase();
            WORDS.iter().any(|k| w.starts_with(k))
        })
}

/// True when the word before an unlabelled number names it as something
/// other than a telephone number (`meeting ID 069 0924 9603`, `loyalty
/// 0802174461`, `invoice no. 0207946095`, `Rechnungsnummer 030-2024-12345`).
/// A number written as a phone number (`reference 030 1234 5678`) is a
/// phone number all the same, unless the word is an explicit numbering
/// (`invoice no.`, `order number`, `Bestellnummer`): `compact` says whether
/// it is bare digits.
fn named_otherwise(text: &str, start: usize, compact: bool) -> bool {
    // Words that name an identifier of another kind whatever its format.
    const OTHER: &[&str] = &[
        "ein",
        "tin",
        "vat",
        "tax",
        "tkt",
        "id",
        "invoice",
        "loyalty",
        "passcode",
        "pin",
        "symbol",
        "tracking",
        "meeting",
        "policy",
        "serial",
        "isbn",
        "lot",
        "batch",
        "transaction",
        "txn",
        "ocr",
        "iva",
        "partita",
        "ust",
        "factura",
        "fattura",
        "fatura",
        "facture",
        "ft",
        "commande",
        "bestellung",
        "auftrag",
        "rechnung",
        "kunde",
        "kunden",
        "siren",
        "siret",
        "kid",
        "npi",
    ];
    // Words that often stand before a callback number too (`the callback
    // reference is 415-555-0132`, `order desk: (212) 555-0147`): they name
    // bare digits, not a number written as a phone number.
    const WEAK: &[&str] = &[
        "ref",
        "reference",
        "order",
        "ticket",
        "case",
        "claim",
        "account",
        "acct",
        "customer",
        "contract",
        "confirmation",
    ];
    const NUMBERING: &[&str] = &[
        "no", "nr", "number", "nummer", "num", "n°", "nº", "numéro", "número", "numero",
    ];
    const PHONE_NUMBERS: &[&str] = &["telefon", "ruf", "handy", "fax", "mobil", "telefax"];
    let before = text.get(..start).unwrap_or_default();
    let mut words = before
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '#' | '=' | '.'))
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '°' || c == 'º'))
        .filter(|w| !w.is_empty());
    let Some(last) = words.next() else {
        return false;
    };
    // `invoice no.`, `order number`: the word before the numbering;
    // `numéro de lot`, `número de pedido`: numbered from before.
    let (word, numbered) = if in_word_list(NUMBERING, last) {
        match words.next() {
            Some(w) => (w, true),
            None => return false,
        }
    } else {
        let numbered = words.take(2).any(|w| in_word_list(NUMBERING, w));
        (last, numbered)
    };
    let lower = word.to_lowercase();
    // A German compound (`Rechnungsnummer`, `Kundennr`) numbers explicitly.
    let compound = ["nummer", "nr"].iter().find_map(|suffix| {
        lower
            .strip_suffix(suffix)
            .filter(|prefix| prefix.len() >= 3)
            .map(|prefix| !PHONE_NUMBERS.iter().any(|p| prefix.starts_with(p)))
    });
    match compound {
        Some(other) => other,
        None => in_word_list(OTHER, word) || ((compact || numbered) && in_word_list(WEAK, word)),
    }
}

/// Whether `word`, lower-cased, is one of `list` (lower-case ASCII words):
/// without allocating when the word is ASCII.
fn in_word_list(list: &[&str], word: &str) -> bool {
    if word.is_ascii() {
        list.iter().any(|w| w.eq_ignore_ascii_case(word))
    } else {
        list.contains(&word.to_lowercase().as_str())
    }
}

/// Whether `haystack` holds `needle` (lower-case ASCII), ignoring ASCII case.
fn contains_ignoring_ascii_case(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// True when one of the three words after `end` names a street (`17634
/// Congress Ave`): the number is a house number, not a postal code.
fn street_follows(text: &str, end: usize) -> bool {
    const STREETS: &[&str] = &[
        "ave",
        "avenue",
        "st",
        "street",
        "rd",
        "road",
        "dr",
        "drive",
        "blvd",
        "boulevard",
        "ln",
        "lane",
        "way",
        "ct",
        "court",
        "pl",
        "place",
        "pkwy",
        "parkway",
        "hwy",
        "highway",
        "terrace",
        "circle",
        "broadway",
        "sq",
        "square",
        "trail",
    ];
    // Whole words (`Dr.`, `St,`), not the head of an address (`dr.haddad@...`).
    text.get(end..)
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .map(|w| w.trim_end_matches(['.', ',', ';', ':']))
        .any(|w| in_word_list(STREETS, w))
}

/// `123456` or `123 456` (an Indian PIN's shape, and many other numbers').
fn six_digits(value: &str) -> bool {
    value.chars().filter(|c| *c != ' ').count() == 6
        && value.chars().all(|c| c == ' ' || c.is_ascii_digit())
}

/// True when the next word starts lower-case (`Rechnung 571925 über`): the
/// number sits inside a sentence, where an address's code does not.
fn lowercase_follows(text: &str, end: usize) -> bool {
    text.get(end..)
        .unwrap_or_default()
        .trim_start_matches(' ')
        .chars()
        .next()
        .is_some_and(char::is_lowercase)
}

/// A card number's shape (13 digits or more, issuer digit 2-6) whatever
/// its check: a near miss is skipped whole, not rescanned as a phone number.
fn card_shaped(candidate: &str) -> bool {
    let digits = Digits::of(candidate);
    digits.count >= 13 && matches!(digits.get().first(), Some(2..=6))
}

/// The digits of a candidate by value, without allocating: the first 20
/// and how many there are (no card, SSN or phone number has more).
struct Digits {
    digits: [u32; 20],
    count: usize,
}

impl Digits {
    fn of(s: &str) -> Self {
        let mut digits = [0; 20];
        let mut count = 0;
        let mut push = |v: u32| {
            if let Some(slot) = digits.get_mut(count) {
                *slot = v;
            }
            count += 1;
        };
        if s.is_ascii() {
            s.bytes()
                .filter(u8::is_ascii_digit)
                .for_each(|b| push(u32::from(b - b'0')));
        } else {
            s.chars().filter_map(digit_value).for_each(push);
        }
        Self { digits, count }
    }

    /// The digits; empty when there are more than 20.
    fn get(&self) -> &[u32] {
        self.digits.get(..self.count).unwrap_or_default()
    }
}

/// Where the search resumes after a rejected candidate: past its first word.
fn next_word(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or_default();
    let mut chars = rest.char_indices();
    if chars.next().is_none() {
        return start + 1;
    }
    for (i, c) in chars {
        if !c.is_alphanumeric() {
            return start + i;
        }
    }
    start + rest.len()
}

fn word_boundary_before(text: &str, start: usize) -> bool {
    let before = text.get(..start).and_then(|t| t.chars().next_back());
    let first = text.get(start..).and_then(|t| t.chars().next());
    boundary(before, first)
}

/// Whether a word ends between the candidate's edge character `inner`
/// and the one outside it, `outer`: the text ends, `outer` is no word
/// character, or either is written in a script without spaces between
/// words (`Yuki Tanakaと申します`, `電話0312345678`, `Kim입니다`: Han,
/// kana, and Hangul, whose particles attach to the word before).
fn boundary(outer: Option<char>, inner: Option<char>) -> bool {
    outer.is_none_or(|o| {
        !(o.is_alphanumeric() || o == '_') || spaceless(o) || inner.is_some_and(spaceless)
    })
}

/// Han, kana and Hangul letters.
fn spaceless(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}'
            | '\u{3040}'..='\u{30FF}'
            | '\u{3130}'..='\u{318F}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{AC00}'..='\u{D7AF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF66}'..='\u{FF9F}')
}

/// Where a label may start: a word boundary, or inside a key that joins
/// words (`customer_ssn`, `patientDob`): after `_`, or an upper-case
/// letter (followed by another letter) after a lower-case one.
fn label_boundary_before(text: &str, start: usize) -> bool {
    let before = text.get(..start).and_then(|t| t.chars().next_back());
    let mut label = text.get(start..).unwrap_or_default().chars();
    let camel = match (before, label.next(), label.next()) {
        (Some(b), Some(first), Some(second)) => {
            b.is_lowercase() && first.is_uppercase() && second.is_alphabetic()
        }
        _ => false,
    };
    word_boundary_before(text, start) || before == Some('_') || camel
}

/// True when the candidate is the tail of a larger token joined by `-` or
/// `/` to letters (`HN-07262-5314`, an order number): no phone number. A
/// digits-only head (`1-800-...`) is a country or trunk prefix.
fn glued_before(text: &str, start: usize) -> bool {
    let mut before = text.get(..start).unwrap_or_default().chars().rev();
    if !matches!(before.next(), Some('-' | '/')) {
        return false;
    }
    before
        .take_while(|c| c.is_alphanumeric())
        .any(char::is_alphabetic)
}

fn word_boundary_after(text: &str, end: usize) -> bool {
    let last = text.get(..end).and_then(|t| t.chars().next_back());
    let after = text.get(end..).and_then(|t| t.chars().next());
    boundary(after, last)
}

/// True when the candidate continues as a longer digit group (`123-45-6789-1`):
/// a separator followed by a digit.
fn next_is_digit_group(text: &str, end: usize) -> bool {
    let mut cs = text.get(end..).unwrap_or_default().chars();
    matches!(cs.next(), Some('-' | '.' | '/'))
        && cs.next().is_some_and(|c| digit_value(c).is_some())
}

/// Where the value after a label starts: the run of letters, digits and
/// `-` `/` `.` at the end, extended over spaced digit groups
/// (`943 476 5919`).
fn labelled_value_start(candidate: &str) -> Option<usize> {
    let is_value = |c: char| c.is_alphanumeric() || matches!(c, '-' | '/' | '.');
    let mut start = candidate.len();
    for (i, c) in candidate.char_indices().rev() {
        if !is_value(c) {
            break;
        }
        start = i;
    }
    let all_digits = |s: &str| s.chars().all(|c| c == ' ' || digit_value(c).is_some());
    if all_digits(candidate.get(start..)?) {
        while let Some(before) = candidate.get(..start).and_then(|h| h.strip_suffix(' ')) {
            let group = before
                .char_indices()
                .rev()
                .take_while(|(_, c)| digit_value(*c).is_some())
                .last()
                .map(|(i, _)| i);
            match group {
                Some(i) if word_boundary_before(before, i) => start = i,
                _ => break,
            }
        }
    }
    while let Some(c) = candidate.get(start..).and_then(|t| t.chars().next()) {
        if c.is_alphanumeric() {
            break;
        }
        start += c.len_utf8();
    }
    (start < candidate.len()).then_some(start)
}

/// The decimal value of a Unicode decimal digit (`\p{Nd}`): ASCII,
/// fullwidth, Arabic-Indic, Devanagari and every other script's digits.
pub fn digit_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return c.to_digit(10);
    }
    if c.is_ascii() || !c.is_numeric() {
        return None;
    }
    // Unicode's decimal digits come in runs of ten, zero first; a run may
    // follow another run directly (the mathematical digits), so the value is
    // the distance from the first digit of the run, modulo ten.
    let code = u32::from(c);
    let mut first = code;
    while first > 0 && char::from_u32(first - 1).is_some_and(is_decimal_digit) {
        first -= 1;
    }
    is_decimal_digit(c).then_some((code - first) % 10)
}

/// Unicode general category Nd, by the regex engine's tables.
fn is_decimal_digit(c: char) -> bool {
    static ND: std::sync::OnceLock<Option<regex_automata::meta::Regex>> =
        std::sync::OnceLock::new();
    let mut buf = [0u8; 4];
    ND.get_or_init(|| regex_automata::meta::Regex::new(r"^\p{Nd}$").ok())
        .as_ref()
        .is_some_and(|re| re.is_match(c.encode_utf8(&mut buf) as &str))
}

fn digits_of(s: &str) -> Vec<u32> {
    s.chars().filter_map(digit_value).collect()
}

/// Where a card number that `candidate` (at `start..end` of `text`) holds
/// ends: the whole candidate, or without its last group (which may be the
/// head of what follows: `... 0007 4000`), when it passes Luhn.
fn card_end(text: &str, start: usize, end: usize, candidate: &str) -> Option<usize> {
    let shorter = candidate.rfind([' ', '-', '.']).map(|i| start + i);
    [Some(end), shorter].into_iter().flatten().find(|&e| {
        let Some(c) = text.get(start..e) else {
            return false;
        };
        let digits = Digits::of(c);
        let plausible = matches!(digits.get().first(), Some(2..=6));
        // One separator throughout.
        let mut seps = c.chars().filter(|c| matches!(c, ' ' | '-' | '.'));
        let first_sep = seps.next();
        let one_sep = seps.all(|s| Some(s) == first_sep);
        // Followed by another digit group, it is part of a longer run of
        // numbers, not a card.
        let more = {
            let mut cs = text.get(e..).unwrap_or_default().chars();
            matches!(cs.next(), Some(' ' | '-' | '.'))
                && cs.next().is_some_and(|c| digit_value(c).is_some())
        };
        let bounded = word_boundary_before(text, start) && word_boundary_after(text, e);
        one_sep && bounded && !more && plausible && luhn_valid(digits.get()) && start < e
    })
}

/// Where the number starts in a labelled phone candidate (`Tel: +44 ...`
/// at `start..end` of `text`), when it is one: 7 to 15 digits, not shaped
/// as an SSN.
fn labelled_phone_value(text: &str, start: usize, end: usize, candidate: &str) -> Option<usize> {
    if !label_boundary_before(text, start)
        || !(word_boundary_after(text, end) || extension_after(text, end))
        || next_is_digit_group(text, end)
    {
        return None;
    }
    let value = candidate
        .char_indices()
        .find(|(_, c)| matches!(c, '+' | '＋' | '(') || digit_value(*c).is_some())
        .map(|(i, _)| i)?;
    let n = digit_count(candidate);
    let tail = candidate.get(value..).unwrap_or_default();
    let ssn_shaped = tail.split('-').map(|g| g.chars().count()).eq([3, 2, 4]);
    ((7..=15).contains(&n) && !ssn_shaped).then_some(value)
}

/// Whether `candidate`, ending at `end` of `text`, is an IPv4 address:
/// four octets up to 255, not followed by another `.digit`.
fn ipv4(text: &str, end: usize, candidate: &str) -> bool {
    let ok = candidate
        .split('.')
        .all(|octet| number_of(octet).is_some_and(|v| v <= 255));
    let followed = text.get(end..).is_some_and(|r| {
        let mut cs = r.chars();
        cs.next() == Some('.') && cs.next().is_some_and(|c| digit_value(c).is_some())
    });
    ok && !followed
}

/// Whether `candidate` (at `start..end` of `text`) is a national phone
/// number: with a trunk 0, or without one where a contact word or the
/// grouping says so.
fn national_phone(text: &str, start: usize, end: usize, candidate: &str) -> bool {
    let compact = candidate.chars().all(|c| digit_value(c).is_some());
    if !(word_boundary_before(text, start)
        && (word_boundary_after(text, end) || extension_after(text, end)))
        || next_is_digit_group(text, end)
        || glued_before(text, start)
        || named_otherwise(text, start, compact)
        || digit_glued_before(text, start)
    {
        return false;
    }
    let digits = Digits::of(candidate);
    // Without a trunk 0: bare digits a contact word stands near
    // (`call me on 4155550132`), or a 9-digit number grouped as
    // Spain and Italy write theirs (`612 345 678`, `655 12 34 56`).
    if !matches!(digits.get(), [0, ..]) {
        let groups: Vec<usize> = candidate.split([' ', '-']).map(str::len).collect();
        let grouped_9 = digits.count == 9
            && matches!(digits.get(), [6..=9, ..])
            && matches!(groups.as_slice(), [3, 3, 3] | [3, 2, 2, 2])
            && candidate.contains(' ')
            && !named_otherwise(text, start, true)
            && !text
                .get(..start)
                .unwrap_or_default()
                .trim_end_matches(' ')
                .ends_with(|c: char| c.is_numeric());
        let bare = compact && (10..=11).contains(&digits.count) && contact_context(text, start);
        // A local number (`555-0147`) where a contact word says so.
        let local = digits.count == 7
            && groups == [3, 4]
            && candidate.contains('-')
            && matches!(digits.get(), [2..=9, ..])
            && contact_context(text, start);
        return grouped_9 || bare || local;
    }
    let trunk = matches!(digits.get(), [0, d, ..] if *d != 0);
    // Three dash-separated groups ending in one or two digits
    // are a product code (an NDC `01817-523-55`), not a number
    // anyone dials.
    let code = candidate.split('-').count() == 3
        && candidate
            .rsplit('-')
            .next()
            .is_some_and(|g| g.chars().count() <= 2);
    trunk && !code && (9..=12).contains(&digits.count)
}

/// How many digits `s` holds.
pub(crate) fn digit_count(s: &str) -> usize {
    if s.is_ascii() {
        return s.bytes().filter(u8::is_ascii_digit).count();
    }
    s.chars().filter(|c| digit_value(*c).is_some()).count()
}

/// Byte length of the suffix of `s` that holds its last `n` digits.
fn last_n_digits_bytes(s: &str, n: usize) -> Option<usize> {
    let mut seen = 0;
    for (i, c) in s.char_indices().rev() {
        if digit_value(c).is_some() {
            seen += 1;
            if seen == n {
                return Some(s.len() - i);
            }
        }
    }
    None
}

fn number_of(s: &str) -> Option<u32> {
    if s.is_empty() || s.chars().count() > 3 {
        return None;
    }
    s.chars()
        .try_fold(0u32, |acc, c| digit_value(c).map(|d| acc * 10 + d))
}

/// US SSN ranges: area not 000, 666 or 900-999; group not 00; serial not 0000.
fn ssn_valid(d: &[u32]) -> bool {
    let [a0, a1, a2, g0, g1, s0, s1, s2, s3] = d else {
        return false;
    };
    let area = a0 * 100 + a1 * 10 + a2;
    let group = g0 * 10 + g1;
    let serial = s0 * 1000 + s1 * 100 + s2 * 10 + s3;
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// A US Medicare Beneficiary Identifier (CMS's format: eleven characters,
/// dashes allowed after the fourth and seventh; letters other than S, L,
/// O, I, B and Z).
fn mbi_valid(value: &str) -> bool {
    let c: Vec<char> = value.chars().filter(|c| *c != '-').collect();
    let letter = |c: &char| c.is_ascii_uppercase() && !"SLOIBZ".contains(*c);
    let either = |c: &char| c.is_ascii_digit() || letter(c);
    let digit = |c: &char| c.is_ascii_digit();
    let nonzero = |c: &char| matches!(c, '1'..='9');
    let shape: [&dyn Fn(&char) -> bool; 11] = [
        &nonzero, &letter, &either, &digit, &letter, &either, &digit, &letter, &letter, &digit,
        &digit,
    ];
    c.len() == 11 && c.iter().zip(shape).all(|(c, ok)| ok(c))
}

/// The Luhn check of payment card numbers (ISO/IEC 7812-1).
pub fn luhn_valid(d: &[u32]) -> bool {
    if !(13..=19).contains(&d.len()) {
        return false;
    }
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// IBAN lengths by country (ISO 13616 registry), sorted by country for a
/// binary search.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

/// The byte length of the IBAN at the start of `candidate` (its country's
/// length, single spaces allowed between characters) when its mod-97
/// check holds.
fn iban_end(candidate: &str) -> Option<usize> {
    // The country as a number, for a compare without `memcmp`.
    let code = |c: &str| match c.as_bytes() {
        [a, b, ..] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    };
    let country = code(candidate.get(..2)?);
    let len = IBAN_LENGTHS
        .binary_search_by_key(&country, |(c, _)| code(c))
        .ok()
        .and_then(|i| IBAN_LENGTHS.get(i))?
        .1;
    // Its first `len` characters but spaces, each 0..=35 (letters are
    // 10..35, two decimal digits); any other character among them (a
    // non-ASCII one starts with a byte that is no ASCII digit or letter)
    // is no IBAN. The first four move to the end: their number and its
    // width in decimal digits are kept apart and joined at the end. The
    // remainder is taken once the number nears 2^64, not at every digit.
    let (mut front, mut width, mut rem) = (0u64, 1u64, 0u64);
    let mut n = 0;
    let mut end = 0;
    for (i, &b) in candidate.as_bytes().iter().enumerate() {
        if n == len {
            break;
        }
        let (v, scale) = match b {
            b' ' => continue,
            b'0'..=b'9' => (b - b'0', 10),
            b'A'..=b'Z' => (b - b'A' + 10, 100),
            b'a'..=b'z' => (b - b'a' + 10, 100),
            _ => return None,
        };
        if n < 4 {
            (front, width) = (front * scale + u64::from(v), width * scale);
        } else {
            rem = rem * scale + u64::from(v);
            if rem >= 1 << 56 {
                rem %= 97;
            }
        }
        n += 1;
        end = i + 1;
    }
    // At most 97 * 10^8 + 10^8: no overflow.
    (n == len && ((rem % 97) * width + front) % 97 == 1).then_some(end)
}

/// Both lists' findings, in order, without overlaps: of two that overlap,
/// the longer stays (the first on a tie), so an identifier the view found
/// whole replaces the pieces the raw text gave.
fn union(a: Vec<Finding>, b: Vec<Finding>) -> Vec<Finding> {
    let mut all: Vec<Finding> = a.into_iter().chain(b).collect();
    all.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut out: Vec<Finding> = Vec::with_capacity(all.len());
    for f in all {
        match out.last_mut() {
            Some(last) if f.start < last.end => {
                if f.end - f.start > last.end - last.start {
                    *last = f;
                }
            }
            _ => out.push(f),
        }
    }
    out
}

/// `text` with every finding replaced by its category's placeholder.
pub fn redact(text: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in findings {
        if f.start < at {
            continue;
        }
        out.push_str(text.get(at..f.start).unwrap_or_default());
        out.push_str(&f.category.placeholder());
        at = f.end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The disguises the attack run used (issue 22): each is found, and
    /// redaction replaces the identifier with every hidden character in it.
    #[test]
    fn identifiers_disguised_with_invisible_characters_and_look_alike_separators_are_found() {
        let detector = Detector::new().unwrap();
        for (text, category) in [
            ("SSN 123\u{200b}-45-6789 on file", Category::Ssn),
            ("SSN 12\u{ad}3-45-6789 on file", Category::Ssn),
            ("SSN 123\u{2013}45\u{2013}6789 on file", Category::Ssn),
            ("SSN 123\u{2011}45\u{2011}6789 on file", Category::Ssn),
            ("SSN 123.45.6789 on file", Category::Ssn),
            ("SSN 123-45-\n6789 on file", Category::Ssn),
            (
                "card 4111\u{200b}1111\u{200b}1111\u{200b}1111 ok",
                Category::CreditCard,
            ),
            ("card 4111.1111.1111.1111 ok", Category::CreditCard),
            ("mail alice\u{200b}@example.com now", Category::Email),
            (
                "M\u{200b}RN 1234567 admitted",
                Category::MedicalRecordNumber,
            ),
        ] {
            let found = detector.scan(text);
            let f = found
                .iter()
                .find(|f| f.category == category)
                .unwrap_or_else(|| panic!("{category:?} missed in {text:?}: {found:?}"));
            let redacted = redact(text, &found);
            // (The MRN's hidden character is in its label, which stays.)
            assert!(
                category == Category::MedicalRecordNumber
                    || !redacted.contains(['\u{200b}', '\u{ad}', '\u{2013}', '\u{2011}']),
                "{text:?} -> {redacted:?}"
            );
            assert!(
                !redacted.contains("6789") && !redacted.contains("1234567"),
                "{redacted:?}"
            );
            assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        }
    }

    /// Texts for the equivalence test: the corpora whole, line by line,
    /// without their non-ASCII characters (the ASCII automaton), with
    /// non-ASCII characters sown through them, on one line, and shuffled
    /// from fragments and separators.
    fn equivalence_texts() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/pii");
        let mut corpora: Vec<String> = ["dev.txt", "heldout.txt", "fresh.txt", "fresh7.txt"]
            .iter()
            .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
            .collect();
        assert_eq!(corpora.len(), 4, "the corpora in {}", dir.display());
        let sown: Vec<String> = corpora
            .iter()
            .map(|c| {
                let extra = ['é', '２', '’', '\u{a0}', '—', '٣', 'Ö', '年'];
                let mut out = String::new();
                for (i, ch) in c.chars().enumerate() {
                    out.push(ch);
                    if let Some(x) = extra.get((i * 7919) % 97) {
                        out.push(*x);
                    }
                }
                out
            })
            .collect();
        let mut texts = Vec::new();
        let fragments: Vec<&str> = corpora
            .iter()
            .flat_map(|c| c.split_inclusive([' ', '\n', ',']))
            .collect();
        let separators = [
            " ", "\n", "@", ":", "-", "+", "(", ")", "1", "07", " 4111 ", "é", "２", "  ", "\t",
            "MRN", "dob ", "Tel. ", "://", ".",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % n.max(1) as u64).unwrap_or(0)
        };
        for _ in 0..6 {
            let mut shuffled = String::new();
            while shuffled.len() < 40_000 {
                shuffled.push_str(fragments.get(next(fragments.len())).copied().unwrap_or(""));
                shuffled.push_str(
                    separators
                        .get(next(separators.len()))
                        .copied()
                        .unwrap_or(""),
                );
            }
            texts.push(shuffled);
        }
        for c in corpora.drain(..) {
            texts.extend(c.lines().map(str::to_owned));
            texts.push(c.chars().filter(char::is_ascii).collect());
            texts.push(c.replace('\n', " "));
            texts.push(c);
        }
        texts.extend(sown);
        texts
    }

    #[test]
    fn the_grouped_automaton_offers_what_the_combined_regex_does() -> Result<(), PiiError> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/pii");
        let texts = equivalence_texts();
        // Many names: their fingerprints are searched in the lower-cased
        // text.
        let full = Detector::with_dictionary(&dir.join("names.txt"))?;
        assert_eq!(full.ascii.literal_windows(), "lower");
        let (ascii, compared) = offers_what_the_combined_regex_does(&full, &texts);
        assert!(ascii > 100, "{ascii} ASCII texts");
        assert!(compared > 25_000, "{compared} findings");
        // A few: every case variant, in the text as it is.
        let few = Detector::with_names(&["Maria".into(), "Schmidt".into()])?;
        assert_eq!(few.ascii.literal_windows(), "variants");
        let (_, compared) = offers_what_the_combined_regex_does(&few, &texts);
        assert!(compared > 20_000, "{compared} findings with two names");
        // A two-letter name has no three-byte literal: the literal group
        // then runs its DFA over every byte.
        let short = Detector::with_names(&["Al".into(), "Ng".into(), "Maria".into()])?;
        assert_eq!(short.ascii.literal_windows(), "everywhere");
        let whole: Vec<String> = texts
            .iter()
            .filter(|t| t.is_ascii() && t.len() > 10_000)
            .cloned()
            .collect();
        let (ascii, compared) = offers_what_the_combined_regex_does(&short, &whole);
        assert_eq!(ascii, 4, "the corpora without their non-ASCII characters");
        assert!(compared > 1_000, "{compared} findings with short names");
        Ok(())
    }

    /// Asserts that `d`'s scan of each text offers the combined regex's
    /// candidates (but labels without an anchor, in ASCII text) and makes
    /// its findings; returns how many texts were ASCII, and how many
    /// findings were compared.
    fn offers_what_the_combined_regex_does(d: &Detector, texts: &[String]) -> (usize, usize) {
        let (mut ascii, mut compared) = (0, 0);
        for text in texts {
            let automaton = if text.is_ascii() {
                ascii += 1;
                &d.ascii
            } else {
                &d.unicode
            };
            let mut scan = automaton.scan();
            let grouped = d.scan_candidates(text, |at| automaton.next_match(&mut scan, text, at));
            let combined = d.scan_candidates(text, |at| d.unicode.combined(text, at));
            compared += grouped.0.len();
            // The grouped automaton does not offer a label whose match
            // holds no digit, `@` or `:` (never a finding); every other
            // candidate is the same.
            let offered = |c: &Vec<automaton::Candidate>| -> Vec<automaton::Candidate> {
                c.iter()
                    .copied()
                    .filter(|&(p, s, e)| {
                        !text.is_ascii()
                            || !matches!(d.rules.get(p), Some(Rule::Labelled(_)))
                            || text.get(s..e).is_some_and(|m| {
                                m.bytes()
                                    .any(|b| b.is_ascii_digit() || b == b'@' || b == b':')
                            })
                    })
                    .collect()
            };
            let (g, c) = (offered(&grouped.1), offered(&combined.1));
            if let Some(i) = (0..g.len().max(c.len())).find(|&i| g.get(i) != c.get(i)) {
                panic!(
                    "candidate {i}: grouped {:?}, combined {:?}, in {:?}",
                    g.get(i),
                    c.get(i),
                    text.get(..100)
                );
            }
            if let Some(i) = (0..grouped.0.len().max(combined.0.len()))
                .find(|&i| grouped.0.get(i) != combined.0.get(i))
            {
                let at = combined
                    .0
                    .get(i)
                    .or(grouped.0.get(i))
                    .map_or(0, |f| f.start);
                let from = (0..=at.saturating_sub(60))
                    .rev()
                    .find(|&j| text.is_char_boundary(j));
                panic!(
                    "finding {i}: grouped {:?}, combined {:?}, ascii {}, near {:?}",
                    grouped.0.get(i),
                    combined.0.get(i),
                    text.is_ascii(),
                    from.and_then(|f| text.get(f..))
                        .map(|t| t.chars().take(120).collect::<String>())
                );
            }
        }
        (ascii, compared)
    }

    fn cats(d: &Detector, text: &str) -> Vec<(Category, String)> {
        d.scan(text)
            .into_iter()
            .map(|f| {
                (
                    f.category,
                    text.get(f.start..f.end).unwrap_or("?").to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn finds_each_category() -> Result<(), PiiError> {
        let d = Detector::with_names(&["Maria".into(), "Schmidt".into()])?;
        let text = "Maria Schmidt (SSN 123-45-6789, DOB: 07/03/1984, MRN: A1234567) \
                    pays with 4111 1111 1111 1111 from DE89 3704 0044 0532 0130 00; \
                    mail maria@example.org, call +49 30 1234567 or (415) 555-0132; \
                    host 192.168.1.20 and 2001:db8::1, see https://example.org/a?b=1. \
                    Member ID: XJH123456789; lives at 10115 Berlin.";
        let got = cats(&d, text);
        let want = [
            (Category::Name, "Maria Schmidt"),
            (Category::Ssn, "123-45-6789"),
            (Category::DateOfBirth, "07/03/1984"),
            (Category::MedicalRecordNumber, "A1234567"),
            (Category::CreditCard, "4111 1111 1111 1111"),
            (Category::Iban, "DE89 3704 0044 0532 0130 00"),
            (Category::Email, "maria@example.org"),
            (Category::Phone, "+49 30 1234567"),
            (Category::Phone, "(415) 555-0132"),
            (Category::IpAddress, "192.168.1.20"),
            (Category::IpAddress, "2001:db8::1"),
            (Category::Url, "https://example.org/a?b=1"),
            (Category::HealthPlanNumber, "XJH123456789"),
            (Category::PostalCode, "10115"),
        ];
        let want: Vec<(Category, String)> =
            want.iter().map(|(c, s)| (*c, (*s).to_owned())).collect();
        assert_eq!(got, want);
        Ok(())
    }

    #[test]
    fn labels_followed_by_is_and_contact_words() -> Result<(), PiiError> {
        let d = Detector::new()?;
        for (text, category, value) in [
            (
                "Seine Versichertennummer lautet E517995550. Danke",
                Category::HealthPlanNumber,
                "E517995550",
            ),
            ("Mi móvil es 684 608 631.", Category::Phone, "684 608 631"),
            (
                "kontakt 12 309 48 62, adres",
                Category::Phone,
                "12 309 48 62",
            ),
            ("Ring mig på 08-839 742.", Category::Phone, "08-839 742"),
            (
                "Recapito 333 7267942, email",
                Category::Phone,
                "333 7267942",
            ),
            (
                "联系电话：133 7389 5070，入院",
                Category::Phone,
                "133 7389 5070",
            ),
            (
                "card 4163-864-823-937 was charged",
                Category::CreditCard,
                "4163-864-823-937",
            ),
        ] {
            assert_eq!(cats(&d, text), vec![(category, value.to_owned())], "{text}");
        }
        // A Swedish payment reference is no phone number.
        assert!(cats(&d, "förfallodag 2023-12-16, OCR 0396982854.").is_empty());
        Ok(())
    }

    #[test]
    fn names_glued_to_text_without_spaces() -> Result<(), PiiError> {
        let d = Detector::with_names(&["Yuki".into(), "Tanaka".into(), "Kim".into()])?;
        assert_eq!(
            cats(&d, "「Yuki Tanakaと申します。"),
            vec![(Category::Name, "Yuki Tanaka".to_owned())]
        );
        assert_eq!(
            cats(&d, "\"Kim입니다."),
            vec![(Category::Name, "Kim".to_owned())]
        );
        // Inside a Latin word it is still no name.
        assert!(cats(&d, "Kimberly and Tanakas").is_empty());
        Ok(())
    }

    #[test]
    fn eircodes_that_start_like_uk_postcodes() -> Result<(), PiiError> {
        let d = Detector::new()?;
        assert_eq!(
            cats(&d, "12 Quay St, Galway, H91 1YX2, Ireland; London SW1A 1AA"),
            vec![
                (Category::PostalCode, "H91 1YX2".into()),
                (Category::PostalCode, "SW1A 1AA".into()),
            ]
        );
        Ok(())
    }

    #[test]
    fn mbi_labels_take_only_mbis() -> Result<(), PiiError> {
        let d = Detector::new()?;
        assert_eq!(
            cats(&d, "MBI 1EG4-TE5-MK73 on file"),
            vec![(Category::HealthPlanNumber, "1EG4-TE5-MK73".into())]
        );
        // Z and S are never in an MBI.
        assert_eq!(cats(&d, "MBI 1ZG4-TE5-MS73 rejected"), vec![]);
        Ok(())
    }

    #[test]
    fn checksums_reject_near_misses() -> Result<(), PiiError> {
        let d = Detector::new()?;
        // Luhn fails, mod-97 fails, SSN area 666 and 9xx, octet 300.
        for text in [
            "card 4111 1111 1111 1112",
            "IBAN DE89 3704 0044 0532 0130 01",
            "ssn 666-12-3456 or 912-34-5678",
            "addr 300.1.2.3",
            "version 1.2.3",
        ] {
            assert_eq!(d.scan(text), vec![], "{text}");
        }
        Ok(())
    }

    #[test]
    fn iban_countries_are_sorted_for_the_binary_search() {
        assert!(
            IBAN_LENGTHS
                .windows(2)
                .all(|w| matches!(w, [a, b] if a.0 < b.0))
        );
        // Every country's IBAN of its length, with check digits computed
        // here digit by digit (ISO 7064 mod 97-10), is found; one check
        // digit off is not.
        for (i, (country, len)) in IBAN_LENGTHS.iter().enumerate() {
            let bban: String = (0..len - 4)
                .map(|k| char::from(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(i * 7 + k * 13) % 36]))
                .collect();
            let rem = format!("{bban}{country}00")
                .chars()
                .filter_map(|c| c.to_digit(36))
                .fold(0u32, |r, v| {
                    if v >= 10 {
                        (r * 100 + v) % 97
                    } else {
                        (r * 10 + v) % 97
                    }
                });
            let check = 98 - rem;
            let iban = format!("{country}{check:02}{bban}");
            assert_eq!(iban_end(&iban), Some(*len), "{iban}");
            let off = format!("{country}{:02}{bban}", (check + 1) % 100);
            assert_eq!(iban_end(&off), None, "{off}");
        }
        // One valid IBAN of a country late in the table, with spaces.
        assert_eq!(iban_end("GB82 WEST 1234 5698 7654 32"), Some(27));
    }

    #[test]
    fn look_alike_digits_are_read_by_value() -> Result<(), PiiError> {
        let d = Detector::new()?;
        assert_eq!(digit_value('５'), Some(5));
        assert_eq!(digit_value('٧'), Some(7));
        assert_eq!(digit_value('९'), Some(9));
        assert_eq!(digit_value('²'), None);
        let text = "SSN １２３-４５-６７８９ and card ٤١١١ ١١١١ ١١١١ ١١١١";
        let got: Vec<Category> = d.scan(text).into_iter().map(|f| f.category).collect();
        assert_eq!(got, vec![Category::Ssn, Category::CreditCard]);
        Ok(())
    }

    #[test]
    fn redaction_replaces_with_typed_placeholders() -> Result<(), PiiError> {
        let d = Detector::new()?;
        let text = "My SSN is 123-45-6789, mail me at a@b.example.";
        let out = redact(text, &d.scan(text));
        assert_eq!(out, "My SSN is [SSN], mail me at [EMAIL].");
        Ok(())
    }
}
