"""Redaction, second pass: free-text detection of identifiers the dossier does NOT
list. Art. 14.2 of the Privacyreglement Veilig Thuis (2018), AVG 15(4).

Art. 14.2: a copy is limited where it would harm the privacy of a third party or VT's
task, first of all safety. The first pass (``portal.rules.redaction``) redacts every
identifier the dossier *lists* for other persons. Case notes also name people and
places the dossier does not list: a mother's new partner, a neighbour, a school, a
bank account, a car, a shelter. This module finds those by their shape and their
context, so that staff see them as suggestions in the redaction workbench. A missed
redaction is worse than one too many, so where a choice had to be made it flags; but
it does not flag ordinary Dutch words (sentence-initial "Daarna", "Moeder", "Volgens")
or numbers that are plainly something else (dates, amounts, times).

Detections do not say whose identifier they are: the subject's own phone number is
found like anyone else's. The caller decides (e.g. drop a detection that lies inside a
first-pass span, or one that equals an identifier of ``copy_for``).

Recognisers (kind: what it flags):
- ``iban``: an IBAN in any spacing or case, checked with ``stdnum.iban``; a Dutch IBAN
  shape (NL, 2 digits, 4 letters, 10 digits) also with a wrong check digit (a typo
  still points to the account); any digit run after "IBAN"/"rekeningnummer".
- ``licence_plate``: Dutch sidecodes 1-14 ("12-ABC-3", "AB-123-C", "1-ABC-23",
  "GH-12-JK"). With hyphens in either case; without hyphens (or with spaces) in upper
  case only. Every sidecode has letters, so a date ("12-04-2025") is never a plate.
  "1234AB" is read as a postcode, not as sidecode 2 without hyphens (both redact).
- ``phone``: ``phonenumbers.PhoneNumberMatcher`` (region NL, leniency VALID) finds
  "+31 6 12 34 56 78", "06 - 12 34 56 78", "(040) 123 45 67", "0031 (0)6 ...",
  "+32 470 ..." and skips dates and times.
- ``email``: "naam@domein.nl", also "naam(at)domein.nl" / "naam [at] domein.nl".
- ``postcode``: "1234 AB", "1234AB" (upper-case letters; no SA/SD/SS, which are not
  issued). "1234 euro", "1500 km" are not postcodes.
- ``bsn``: a 9-digit number, plain or grouped as BSNs are written ("123.456.782",
  "1234 56 782", "12.34.56.782"; not "2025-00123"), that passes the 11-proof
  (``stdnum.nl.bsn``); and an 8- or 9-digit number right after "BSN",
  "burgerservicenummer" or "sofinummer", whatever its check digit (a typo in a BSN is
  still the person's BSN). Decision: a bare 9-digit number that FAILS the 11-proof is
  not flagged: without a label it is as likely a case, invoice or file number, which
  identifies no third party, and flagging every long number would bury the real
  suggestions. (A labelled one is flagged, above; phone numbers are found as phones.)
- ``address``: a capitalised street name ending in a Dutch street suffix (straat, laan,
  weg, plein, gracht, kade, singel, dijk, hof, dreef, pad, steeg, park, plantsoen,
  markt, ring, baan, wal, veld, ...), possibly after other capitalised words or
  particles ("Burgemeester van Heekstraat", "Oude Gracht"), with a house number and an
  optional letter or addition ("12a", "12 A", "12-II", "12 bis"); an article before
  it ("aan de Kerkstraat") is not part of the span. Not a city then a postcode, a
  count or a date ("Eindhoven 5611 AB", "Rotterdam 3 keer", "Amsterdam 12 maart").
  Without a number only the unambiguous suffixes (straat, laan, gracht, ...) count:
  a neighbour's street alone still says where someone lives.
- ``institution``: schools, childcare, care and shelters: a type word then a name
  ("basisschool De Regenboog", "OBS/CBS/RKBS X", "Lyceum De Horst", "Hogeschool X",
  "Muziekschool X",
  "kinderdagverblijf X", "BSO X", "huisartsenpraktijk X", "ziekenhuis X", "GGZ X"), a
  name then a type word ("Stedelijk College", "Catharina Ziekenhuis"), one capitalised
  compound ("Sint-Jozefschool", "Pleincollege", "Antoniusziekenhuis"), "Blijf van m'n
  Lijf" in its spellings, and a shelter with its place ("vrouwenopvang in Tilburg",
  "de opvang in Zwolle", "opvang De Haven"): the address of a shelter is a whereabouts.
  The type word is part of the span, an article before it is not.
- ``name``: after an honorific, the honorific included (it tells the gender, as in the
  first pass): "mevrouw Pietersen", "mw. A.M. Pietersen", "meneer El Amrani", "de heer
  Van den Berg", "juf Anja", "meester Kees", "dokter Visser"; and after a relation or
  role word: "haar nieuwe vriend Kevin", "zijn vriendin Sarah", "buurman Henk",
  "buurvrouw Fatima", "de oma van Lotte, Truus" (both names), "oom/tante X",
  "stiefvader X", "partner X", "mentor X", "genaamd X", "ene X", "zijn werkgever is
  X" (the full list: ``_RELATION``). Names are capitalised words
  with particles (van, de, der, den, ter, in 't, op de, El, Al, ...) inside, never a
  common word from ``STOPWORDS`` (function words, verbs, nationality adjectives,
  VT's vocabulary). "tante Gerda in Zwolle" gives "Gerda": a city on its own is not
  flagged, as in the first pass. Lower-case names are not found (that is deduce's or staff's).
- ``birth_date``: a date after "geboren (op)", "geb.", "geboortedatum", "*", or in
  brackets right after a capitalised word ("Kevin (12-04-1988)"): numeric with
  "-", "/", ".", ISO, or written ("12 april 1988", "12 apr. 1988"); "geboren in 2015".
  Known over-redaction: a sentence-initial noun then a bracketed date ("Huisbezoek
  (12-04-2025)") is taken for a name and its birth date. Other dates are not flagged.

The pure module: no Flask, no database. ``portal.documents.detection_deduce`` adds the
``deduce`` package's detections (background worker only) in the same ``Detection``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as _iban
from stdnum.nl import bsn as _bsn

# --- kinds --------------------------------------------------------------------------

NAME, ADDRESS, POSTCODE, PHONE, EMAIL, BSN, IBAN, LICENCE_PLATE, INSTITUTION, BIRTH_DATE = (
    "name", "address", "postcode", "phone", "email", "bsn", "iban", "licence_plate",
    "institution", "birth_date")
#: Kinds only the deduce adapter gives: any date (not only a birth date), an age, a URL,
#: an identifying number other than a BSN (deduce's ``id``).
DATE, AGE, URL, ID_NUMBER = "date", "age", "url", "id_number"
RULE_KINDS = frozenset({NAME, ADDRESS, POSTCODE, PHONE, EMAIL, BSN, IBAN, LICENCE_PLATE,
                        INSTITUTION, BIRTH_DATE})
KINDS = RULE_KINDS | {DATE, AGE, URL, ID_NUMBER}

RULES, DEDUCE = "rules", "deduce"


@dataclass(frozen=True)
class Detection:
    """``text[start:end]`` looks like an identifier of kind ``kind``, found by
    ``detector`` ("rules" or "deduce"). Art. 14.2: a third party's identifier that the
    dossier does not list, to be redacted unless staff decide it is not one."""

    start: int
    end: int
    kind: str
    detector: str = RULES


# --- character classes --------------------------------------------------------------

_EXT = [chr(c) for c in range(0xC0, 0x250)]
_UPPER = "A-Z" + "".join(c for c in _EXT if c.isupper() and c != "\u00d7")
_LOWER = "a-z" + "".join(c for c in _EXT if c.islower() and c != "\u00f7")
UP = f"[{_UPPER}]"
LO = f"[{_LOWER}]"
_L = r"(?<![\w@.\-])"  # left word boundary (not inside a word, e-mail or hyphenation)
_APOS = "['\u2019]"

#: Capitalised words that are not names: function words that start sentences, VT's
#: own vocabulary, kinship and role words written with a capital, pronouns, months,
#: days. A name or institution candidate that starts with (or is only) one of these
#: is not flagged.
STOPWORDS = frozenset("""
de het een en of maar want dus toen daarna daarnaast daarom daardoor daarbij daar dan
dat die dit deze er hier hij zij ze wij we jij je u ik hun haar zijn mijn ons onze
jullie men iemand niemand iedereen alle alles ook nog niet wel al als omdat terwijl
hoewel zodat nadat voordat sinds tijdens volgens verder vervolgens inmiddels nu toen
later eerder vandaag gisteren morgen in op met van voor na bij naar uit over onder
door tot om aan tegen zonder binnen buiten tussen namens per via wat wie waar wanneer
hoe waarom welke welk zo ja nee oké ok gelukkig helaas uiteindelijk ondertussen
meanwhile eerst tenslotte ten slotte bovendien echter tevens wellicht mogelijk
misschien waarschijnlijk kennelijk blijkbaar duidelijk aldus conclusie samenvatting
veilig thuis vt politie melder melding moeder vader ouder ouders kind kinderen zoon
dochter broer zus oma opa tante oom mevrouw meneer heer juf meester dokter
jeugdzorg wijkteam gemeente raad kinderbescherming rvdk gi rechter officier
ggd huisarts school zorgmelding casus cliënt client betrokkene betrokkenen
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart
april mei juni juli augustus september oktober november december
nederlands nederlandse engelse arabisch turks pools
vroeger destijds thans momenteel tegenwoordig sindsdien eerder ooit
is was zijn waren heeft hebben had hadden kan kon zal zou moet moest gaat ging
komt kwam zegt zei vertelt vertelde geeft gaf wordt werd blijft bleef woont woonde
belt belde laat liet weet wist vindt vond krijgt kreeg maakt maakte
marokkaans marokkaanse turkse surinaams surinaamse pools poolse syrisch syrische
eritrees eritrese antilliaans antilliaanse afghaans afghaanse somalisch somalische
irakees irakese iraans iraanse roemeens roemeense bulgaars bulgaarse indonesisch
indonesische kaapverdiaans kaapverdiaanse ghanees ghanese nigeriaans nigeriaanse
chinees chinese belgisch belgische duits duitse brits britse franse spaans
spaanse italiaans italiaanse portugees portugese russisch russische oekraïens
oekraïense koerdisch koerdische berbers hindoestaans hindoestaanse creools creoolse
islamitisch islamitische christelijk christelijke joods joodse
""".split())

_PARTICLES = (
    r"van|de|der|den|ter|ten|'t|\u2019t|in\s+['\u2019]t|op\s+(?:de|den|['\u2019]t)|v\.d\.|vd|"
    r"von|du|da|di|le|la|el|al|ben|bin|abu|abou|ait|aït|ou"
)
_PARTICLE = rf"(?i:{_PARTICLES})"

# One capitalised name word: "Kevin", "Daniëlle", "O'Brien", "Jan-Willem", "Özdemir".
_WORD = rf"{UP}{LO}+(?:(?:-|{_APOS}){UP}?{LO}+)*"
_INITIALS = rf"(?:{UP}\.\s*){{1,4}}"


def _name_words() -> str:
    """1-4 capitalised words, with particles only between or before capitalised ones:
    "Kevin", "Kevin de Boer", "El Amrani", "Van den Berg", "A.M. Pietersen"."""
    first = rf"(?:{_INITIALS})?(?:{_PARTICLE}\s+){{0,3}}{_WORD}"
    more = rf"(?:\s+(?:{_PARTICLE}\s+){{0,3}}{_WORD}){{0,3}}"
    return first + more


_NAME_WORDS = _name_words()


def _is_stop(word: str) -> bool:
    return word.lower().strip(".") in STOPWORDS


def _trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of a name candidate without trailing stopwords/particles; None when
    its first capitalised word is a stopword (a sentence-initial word, not a name)."""
    words = list(re.finditer(r"\S+", text[start:end]))
    caps = [w for w in words if re.match(UP, w.group()) and not re.fullmatch(_PARTICLE, w.group())
            and not re.fullmatch(_INITIALS.replace(r"\s*", ""), w.group())]
    if not caps:
        return None
    if _is_stop(caps[0].group()):
        return None
    # cut at the first stopword after the first word ("Henk Daarna" -> "Henk")
    keep_end = None
    for w in words:
        g = w.group()
        if w.start() > caps[0].start() and g[0].isupper() and _is_stop(g) and not re.fullmatch(_PARTICLE, g):
            break
        if re.match(UP, g) and not re.fullmatch(_PARTICLE, g):
            keep_end = w.end()
    if keep_end is None:
        return None
    # a lower-case particle does not start a name ("de moeder van Kevin" -> "Kevin")
    first = next((w for w in words if not (w.group()[0].islower() and re.fullmatch(_PARTICLE, w.group()))), None)
    return start + (first.start() if first is not None else 0), start + keep_end


# --- IBAN ---------------------------------------------------------------------------

_IBAN_CAND = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\s?\d{2}(?:[ \-.]?[A-Za-z0-9]){8,32}")
_NL_IBAN_SHAPE = re.compile(r"NL\d{2}[A-Z]{4}\d{10}")
_ACCOUNT_LABEL = re.compile(
    r"(?i:\b(?:iban|(?:bank)?rekening(?:nummer|nr\.?)?|reknr\.?|banknummer)\b)\s*(?::|is|nr\.?)?\s*"
    r"(?P<v>(?:[A-Za-z]{2}\s?\d{2}[\s.\-]?)?(?:[A-Za-z]{4}[\s.\-]?)?\d(?:[\s.\-]?\d){5,17})(?!\w)"
)


def _find_iban(text: str) -> Iterable[Detection]:
    pos = 0
    while (m := _IBAN_CAND.search(text, pos)) is not None:
        cand, pos = m.group(), m.start() + 2
        # the longest prefix that is an IBAN and ends at a group boundary
        for end in range(len(cand), 9, -1):
            if cand[end - 1] in " -.":
                continue
            if end < len(cand) and cand[end].isalnum():
                continue  # would cut a group in half
            compact = re.sub(r"[\s\-.]", "", cand[:end]).upper()
            if _iban.is_valid(compact) or _NL_IBAN_SHAPE.fullmatch(compact):
                yield Detection(m.start(), m.start() + end, IBAN)
                pos = m.start() + end
                break
    for m in _ACCOUNT_LABEL.finditer(text):
        yield Detection(m.start("v"), m.end("v"), IBAN)


# --- licence plates -----------------------------------------------------------------

_SIDECODES = (
    "XX-99-99", "99-99-XX", "99-XX-99", "XX-99-XX", "XX-XX-99", "99-XX-XX",  # 1-6
    "99-XXX-9", "9-XXX-99", "XX-999-X", "X-999-XX", "XXX-99-X", "X-99-XXX",  # 7-12
    "9-XX-999", "999-XX-9",  # 13-14
)


def _plate_regexes() -> tuple[re.Pattern, re.Pattern]:
    hyph, plain = [], []
    for code in _SIDECODES:
        groups = code.split("-")
        conv = [("[A-Za-z]" if g[0] == "X" else r"\d") + f"{{{len(g)}}}" for g in groups]
        hyph.append(r"[\-\u2010\u2011\u2013]".join(conv))
        up = [("[A-Z]" if g[0] == "X" else r"\d") + f"{{{len(g)}}}" for g in groups]
        if code != "99-99-XX":  # "1234AB" is a postcode
            plain.append("".join(up))
        plain.append(" ".join(up))
    left, right = r"(?<![\w\-\u2010\u2011\u2013/.])", r"(?![\w\-\u2010\u2011\u2013]|[/.]\w)"
    return (re.compile(left + "(?:" + "|".join(hyph) + ")" + right),
            re.compile(left + "(?:" + "|".join(plain) + ")" + right))


_PLATE_HYPHEN, _PLATE_PLAIN = _plate_regexes()


def _find_plates(text: str) -> Iterable[Detection]:
    for rx in (_PLATE_HYPHEN, _PLATE_PLAIN):
        for m in rx.finditer(text):
            yield Detection(m.start(), m.end(), LICENCE_PLATE)


# --- phone, e-mail, postcode, BSN ---------------------------------------------------

def _find_phones(text: str) -> Iterable[Detection]:
    for m in phonenumbers.PhoneNumberMatcher(text, "NL", leniency=phonenumbers.Leniency.VALID):
        yield Detection(m.start, m.end, PHONE)


_EMAIL = re.compile(
    r"(?<![\w.%+\-])[\w.%+\-]+\s*(?:@|\(at\)|\[at\]|\s\(at\)\s|\s\[at\]\s)\s*"
    r"[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,24}(?![\w\-])"
)


def _find_emails(text: str) -> Iterable[Detection]:
    for m in _EMAIL.finditer(text):
        yield Detection(m.start(), m.end(), EMAIL)


_POSTCODE = re.compile(r"(?<![\w\-])[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}(?![\w\-])")


def _find_postcodes(text: str) -> Iterable[Detection]:
    for m in _POSTCODE.finditer(text):
        yield Detection(m.start(), m.end(), POSTCODE)


# 123456782, 123.456.782, 123 456 782, 1234.56.782, 1234 56 782, 12.34.56.782
_NINE_DIGITS = re.compile(
    r"(?<![\d\-+/])(?<!\d[.\s\-/])"
    r"(?:\d{9}|\d{3}([.\s\-])\d{3}\1\d{3}|\d{4}([.\s\-])\d{2}\2\d{3}|\d{2}([.\s])\d{2}\3\d{2}\3\d{3})"
    r"(?![.\s\-/]?\d)"
)
_BSN_LABEL = re.compile(
    r"(?i:\b(?:bsn(?:-?nummer)?|burgerservicenummer|sofi-?nummer)\b)\s*(?::|is|nr\.?)?\s*"
    r"(?P<v>\d(?:[.\s\-]?\d){7,8})(?![.\s\-]?\d)"
)


def _find_bsn(text: str) -> Iterable[Detection]:
    for m in _NINE_DIGITS.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if _bsn.is_valid(digits):
            yield Detection(m.start(), m.end(), BSN)
    for m in _BSN_LABEL.finditer(text):
        yield Detection(m.start("v"), m.end("v"), BSN)


# --- street addresses ---------------------------------------------------------------

_MONTHS_RX = (
    r"januari|jan|februari|febr|feb|maart|mrt|april|apr|mei|juni|jun|juli|jul|augustus|aug|"
    r"september|sept|sep|oktober|okt|november|nov|december|dec"
)
_SUFFIXES_STRONG = (
    "straat", "laan", "gracht", "singel", "kade", "dreef", "plein", "steeg", "plantsoen",
    "weg", "dijk", "boulevard", "hofje", "erf", "dwarsstraat", "allee", "promenade",
)
_SUFFIXES_WEAK = (
    "hof", "pad", "park", "markt", "ring", "baan", "wal", "veld", "straatweg", "kamp",
    "haven", "burg", "zijde", "gaarde", "donk", "hoven", "dam", "oord", "polder",
    "kwartier", "wijk", "gang", "poort", "berg", "horst", "akker", "weide", "tuin", "hoek",
    "brink", "stede", "lust", "vaart", "wetering", "sloot", "dreef", "rade", "borch",
)
#: Capitalised words with a street suffix that are not street names without a number.
_NOT_STREETS = frozenset({"snelweg", "onderweg", "halfweg", "zijweg", "fietspad", "voetpad",
                          "speeltuin", "achtertuin", "voortuin", "parkeerplaats"})


def _suffix_rx(suffixes: Iterable[str]) -> str:
    alts = "|".join(sorted(set(suffixes), key=len, reverse=True))
    # a word ending in the suffix ("Kerkstraat", "Oranjelaan", "Sint-Jansstraat"), or
    # the suffix itself as a word after other words ("Oude Gracht", "Hoge Dijk")
    return rf"(?:{UP}[{_LOWER}\-{_APOS[1:-1]}]*(?i:{alts})|(?i:{alts}))"


_HOUSE_NUMBER = (
    r"\d{1,5}(?!\d)"
    r"(?:\s*[-/]?\s*[A-Za-z](?![\w])"  # 12a, 12 A, 12-a
    r"|\s*[-/]\s*\d{1,4}(?!\d)"  # 12-3
    r"|\s*-?\s*(?:I{1,3}V?|IV|hs|h|bis|bg|rd|zw|huis|boven|beneden)(?![\w]))?"
)
_STREET_PREFIX = rf"(?:(?:{UP}{LO}*\.?|{_PARTICLE})\s+){{0,3}}"  # Burgemeester de With, Van Heek
_ADDRESS_NUM = re.compile(
    rf"{_L}(?:(?i:de|het)\s+)?(?P<street>{_STREET_PREFIX}"
    rf"{_suffix_rx(_SUFFIXES_STRONG + _SUFFIXES_WEAK)})\s*{_HOUSE_NUMBER}"
    rf"(?!\s?[A-Z]{{2}}(?!\w))"  # "Eindhoven 5611 AB": a city and a postcode
    rf"(?!\s*(?:%|(?i:keer|jaar|jaren|maanden|weken|dagen|uur|minuten|euro|kinderen|"
    rf"personen|mensen|km|kilometer|meter|procent|x|{_MONTHS_RX})(?!\w)))"
)
_ADDRESS_BARE = re.compile(
    rf"{_L}(?P<street>{_STREET_PREFIX}(?P<word>{UP}[{_LOWER}\-]*(?i:{'|'.join(_SUFFIXES_STRONG)})))"
    rf"(?![\w\-])"
)


def _street_start(text: str, m: re.Match) -> int:
    """Where the street name really starts: without leading sentence words and
    lower-case articles ("Vroeger Kerkstraat 5" -> "Kerkstraat 5", "op de Kerkstraat"
    -> "Kerkstraat"); a capitalised particle stays ("Van Heekstraat")."""
    s = m.start()
    words = list(re.finditer(r"\S+", text[s:m.end("street")]))
    i = 0
    while i < len(words) - 1:
        w = words[i].group()
        lower_particle = w[0].islower() and re.fullmatch(_PARTICLE, w)
        cap_particle = w[0].isupper() and re.fullmatch(_PARTICLE, w) and w.lower() not in {"de", "het", "in", "op", "te"}
        if lower_particle or (_is_stop(w) and not cap_particle):
            i += 1
            continue
        break
    return s + words[i].start()


_STRONG_END = re.compile(rf"(?i:{'|'.join(_SUFFIXES_STRONG)})$")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _find_addresses(text: str) -> Iterable[Detection]:
    for m in _ADDRESS_NUM.finditer(text):
        number = re.match(r"\s*(\d+)", text[m.end("street"):]).group(1)
        if _YEAR.fullmatch(number) and not _STRONG_END.search(m.group("street")):
            continue  # "Rotterdam 2024": a city and a year
        yield Detection(_street_start(text, m), m.end(), ADDRESS)
    for m in _ADDRESS_BARE.finditer(text):
        word = m.group("word")
        if word.lower() in _NOT_STREETS or len(word) < 5:
            continue
        yield Detection(_street_start(text, m), m.end(), ADDRESS)


# --- institutions -------------------------------------------------------------------

_INST_BEFORE = (
    r"basisschool|basisscholen|(?:openbare|christelijke|katholieke|speciale)\s+basisschool|"
    r"school|middelbare\s+school|lyceum|gymnasium|atheneum|college|scholengemeenschap|"
    r"sbo|so|vso|obs|cbs|rkbs|pcbs|kbs|ikc|iks|roc|hogeschool|universiteit|"
    r"kinderdagverblijf|kinderopvang|kdv|bso|peuterspeelzaal|peuteropvang|gastouderbureau|"
    r"buitenschoolse\s+opvang|naschoolse\s+opvang|"
    r"huisartsenpraktijk|huisartspraktijk|gezondheidscentrum|tandartspraktijk|apotheek|"
    r"ziekenhuis|kliniek|ggz|ggz-instelling|jeugd-ggz|psychiatrisch\s+centrum|verpleeghuis|"
    r"zorgcentrum|woonzorgcentrum|woongroep|leefgroep|gezinshuis|instelling|"
    r"opvang|vrouwenopvang|mannenopvang|crisisopvang|nachtopvang|opvanghuis|blijfhuis|"
    r"sportvereniging|voetbalvereniging|voetbalclub|sportclub|moskee|kerk|"
    r"woningcorporatie|werkgever|bedrijf|restaurant|winkel|"
    r"[\w\-]+(?:school|opvang|praktijk|kliniek|centrum|vereniging)"  # muziekschool X
)
_INST_AFTER = (
    r"college|lyceum|gymnasium|school|ziekenhuis|kliniek|medisch\s+centrum|mc|umc|"
    r"universiteit|hogeschool|academie|kinderopvang|opvang|instituut"
)
_COMPOUND_INST = (
    r"school|college|lyceum|ziekenhuis|kliniek|gasthuis|opvang|kinderopvang|gymnasium|"
    r"academie"
)
#: Generic words that are not an institution's name on their own (sentence-initial).
_GENERIC_INST = frozenset("""
school basisschool hogeschool college lyceum gymnasium ziekenhuis kliniek opvang
kinderopvang vrouwenopvang crisisopvang nachtopvang mannenopvang dagopvang
noodopvang peuteropvang gastouderopvang schoolgaande middelbareschool rijschool
dansschool muziekschool zwemschool taalschool vakschool kostschool zomerschool
schoolopvang daklozenopvang jongerenopvang
""".split())
# a name: capitalised words, also with "de/het/van/'t" inside, or a single letter/number
_INST_NAME = (
    rf"(?:(?i:de|het|'t|\u2019t)\s+)?(?:{UP}[\w'\u2019\-]*|\d{{1,3}})"
    rf"(?:\s+(?:(?i:de|het|van|der|den|voor|aan|op|'t)\s+)?(?:{UP}[\w'\u2019\-]*|\d{{1,3}}))*"
)
_INST_TRIGGER_NAME = re.compile(rf"{_L}(?i:{_INST_BEFORE})\s+(?P<name>{_INST_NAME})")
_INST_NAME_TRIGGER = re.compile(
    rf"{_L}(?P<name>(?:{UP}[\w'\u2019\-]*\s+){{1,3}})(?:{UP}|[a-z])?(?i:{_INST_AFTER})(?![\w\-])"
)
_INST_COMPOUND = re.compile(rf"{_L}{UP}[\w'\u2019\-]*(?i:{_COMPOUND_INST})(?![\w\-])")
_BLIJF = re.compile(
    rf"{_L}(?i:blijf[\s\-]+van[\s\-]+(?:m['\u2019]n|mijn|me)[\s\-]+lijf(?:[\s\-]*huis)?|blijfhuis|"
    rf"blijf\s+groep)(?:\s+(?:(?i:in|te)\s+)?{UP}[\w\-]+(?:\s+{UP}[\w\-]+)?)?"
)
_SHELTER_PLACE = re.compile(
    rf"{_L}(?i:(?:vrouwen|mannen|crisis|nood|nacht)?opvang(?:huis)?|blijfhuis)"
    rf"\s+(?i:in|te|bij)\s+(?:(?i:de|het)\s+)?{UP}[\w'\u2019\-]+(?:\s+{UP}[\w'\u2019\-]+)?"
)


def _clip_name(text: str, start: int, end: int) -> int | None:
    """End of an institution name without trailing stopwords; None if its first
    capitalised word is a stopword ("school Daarna ...")."""
    words = list(re.finditer(r"\S+", text[start:end]))
    caps = [w for w in words if (re.match(UP, w.group()) or w.group().isdigit())
            and w.group().lower() not in {"de", "het"}]
    if not caps or _is_stop(caps[0].group()):
        return None
    last = None
    for w in words:
        g = w.group()
        if w.start() > caps[0].start() and _is_stop(g) and not re.fullmatch(
                r"(?i:de|het|van|der|den|voor|aan|op|'t)", g):
            break
        if re.match(UP, g) or g.isdigit():
            last = w.end()
    return start + last if last is not None else None


def _find_institutions(text: str) -> Iterable[Detection]:
    for m in _INST_TRIGGER_NAME.finditer(text):
        end = _clip_name(text, m.start("name"), m.end("name"))
        if end is not None:
            yield Detection(m.start(), end, INSTITUTION)
    for m in _INST_NAME_TRIGGER.finditer(text):
        words = m.group("name").split()
        # drop leading stopwords ("Toen Catharina Ziekenhuis" -> "Catharina Ziekenhuis")
        skip = 0
        while skip < len(words) and _is_stop(words[skip]):
            skip += 1
        if skip == len(words):
            continue
        start = m.start("name") + text[m.start("name"):].index(words[skip])
        yield Detection(start, m.end(), INSTITUTION)
    for m in _INST_COMPOUND.finditer(text):
        word = m.group().lower().replace("-", "")
        if word in _GENERIC_INST or len(word) < 8:
            continue
        yield Detection(m.start(), m.end(), INSTITUTION)
    for rx in (_BLIJF, _SHELTER_PLACE):
        for m in rx.finditer(text):
            yield Detection(m.start(), m.end(), INSTITUTION)


# --- names --------------------------------------------------------------------------

_HONORIFIC = (
    r"mevrouw|mevr\.?|mw\.?|meneer|mijnheer|mnr\.?|de\s+heer|dhr\.?|hr\.?|juffrouw|juf|"
    r"meester|dokter|dr\.?|mr\.?|drs\.?|ir\.?|ing\.?|prof\.?"
)
_RELATION = (
    r"(?:nieuwe\s+|oude\s+|vorige\s+|huidige\s+|eigen\s+|beste\s+)?"
    r"(?:ex-?\s*)?(?:vriend|vriendin|vriendje|vriendinnetje|partner|echtgenoot|echtgenote|"
    r"man|vrouw|verloofde|minnaar|minnares|date|buurman|buurvrouw|buurjongen|buurmeisje|"
    r"buren|buurtgenoot|oma|opa|grootmoeder|grootvader|oom|tante|neef|nicht|broer|zus|"
    r"zusje|broertje|halfbroer|halfzus|stiefbroer|stiefzus|zoon|dochter|stiefzoon|stiefdochter|"
    r"moeder|vader|stiefmoeder|stiefvader|pleegmoeder|pleegvader|schoonmoeder|schoonvader|"
    r"zwager|schoonzus|schoonzoon|schoondochter|huisgenoot|kamergenoot|oppas|collega|baas|"
    r"werkgever|leidinggevende|kennis|mentor|leerkracht|docent|trainer|coach|huisarts|"
    r"tandarts|jeugdarts|wijkagent|hulpverlener|behandelaar|therapeut|begeleider|"
    r"intern\s+begeleider|ib-er|klasgenoot|klasgenote|ex|exman|exvrouw|genaamd|genoemd|"
    r"geheten|heet|heette|alias|bijnaam|ene)"
)
_HONORIFIC_NAME = re.compile(rf"{_L}(?i:{_HONORIFIC})\s+(?P<name>{_NAME_WORDS})")
_RELATION_NAME = re.compile(
    rf"{_L}(?i:{_RELATION})(?:\s+van\s+(?P<of>{_NAME_WORDS}))?\s*,?\s+(?P<name>{_NAME_WORDS})"
)
# "zijn werkgever is Bakkerij Van Dam", "de buurman was Henk": a capitalised word first
_RELATION_IS_NAME = re.compile(
    rf"{_L}(?i:{_RELATION})\s+(?:is|was)\s+(?P<name>(?:{_INITIALS})?{_WORD}"
    rf"(?:\s+(?:{_PARTICLE}\s+){{0,3}}{_WORD}){{0,3}})"
)
_RELATION_OF = re.compile(rf"{_L}(?i:{_RELATION})\s+van\s+(?P<of>{_NAME_WORDS})")


def _find_names(text: str) -> Iterable[Detection]:
    for m in _HONORIFIC_NAME.finditer(text):
        span = _trim_name(text, m.start("name"), m.end("name"))
        if span:
            yield Detection(m.start(), span[1], NAME)
    for rx in (_RELATION_NAME, _RELATION_IS_NAME, _RELATION_OF):
        for m in rx.finditer(text):
            for group in ("of", "name"):
                if group in rx.groupindex and m.group(group):
                    span = _trim_name(text, m.start(group), m.end(group))
                    if span:
                        yield Detection(span[0], span[1], NAME)


# --- birth dates --------------------------------------------------------------------

_DATE = (
    r"(?:\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*(?:\d{4}|\d{2})"
    rf"|\d{{1,2}}(?:e|ste|de)?\s+(?i:{_MONTHS_RX})\.?\s+(?:\d{{4}}|['\u2019]\d{{2}}))(?!\d)"
)
_BIRTH_LABEL = (
    r"(?i:geboren(?:\s+op)?|geb\.?(?:\s*datum)?|geboortedatum|geboortedag|geb\.dat\.?|"
    r"d\.o\.b\.?|dob)\s*:?\s*"
)
_BIRTH_DATE = re.compile(rf"(?<!\w){_BIRTH_LABEL}(?P<d>{_DATE})")
_BIRTH_YEAR = re.compile(r"(?i:\bgeboren\s+in)\s+(?P<d>(?:19|20)\d{2})(?!\d)")
_DATE_AFTER_NAME = re.compile(rf"{UP}{LO}+\s*\(\s*(?:\*\s*)?(?P<d>{_DATE})\s*\)")
_STAR_DATE = re.compile(rf"(?<![\w*])\*\s*(?P<d>{_DATE})")


def _find_birth_dates(text: str) -> Iterable[Detection]:
    for rx in (_BIRTH_DATE, _BIRTH_YEAR, _DATE_AFTER_NAME, _STAR_DATE):
        for m in rx.finditer(text):
            yield Detection(m.start("d"), m.end("d"), BIRTH_DATE)


# --- all ----------------------------------------------------------------------------

RECOGNISERS = {
    IBAN: _find_iban,
    LICENCE_PLATE: _find_plates,
    PHONE: _find_phones,
    EMAIL: _find_emails,
    POSTCODE: _find_postcodes,
    BSN: _find_bsn,
    ADDRESS: _find_addresses,
    INSTITUTION: _find_institutions,
    NAME: _find_names,
    BIRTH_DATE: _find_birth_dates,
}


def _dedupe(found: Iterable[Detection]) -> list[Detection]:
    """Sorted by (start, longest first, kind); exact duplicates and spans inside a
    longer span of the same kind and detector are dropped."""
    out: list[Detection] = []
    for d in sorted(set(found), key=lambda d: (d.start, -d.end, d.kind, d.detector)):
        if d.end <= d.start:
            continue
        if any(o.kind == d.kind and o.detector == d.detector and o.start <= d.start and d.end <= o.end
               for o in out):
            continue
        out.append(d)
    return out


def detect(text: str, kinds: Iterable[str] | None = None) -> list[Detection]:
    """Every identifier-looking span in ``text`` (art. 14.2: third parties' identifiers
    the dossier does not list), sorted by start, longest first. ``kinds``: only these
    recognisers (default all). Overlapping detections of different kinds are all
    returned; ``merge`` joins them for redaction."""
    wanted = RULE_KINDS if kinds is None else set(kinds)
    found: list[Detection] = []
    for kind, recogniser in RECOGNISERS.items():
        if kind in wanted:
            found.extend(recogniser(text))
    return _dedupe(found)


def merge(detections: Iterable[Detection]) -> list[tuple[int, int]]:
    """Overlapping or touching detections as (start, end) ranges."""
    out: list[list[int]] = []
    for d in sorted(detections, key=lambda d: (d.start, -d.end)):
        if out and d.start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], d.end)
        else:
            out.append([d.start, d.end])
    return [(a, b) for a, b in out]


def as_spans(detections: Iterable[Detection], person_id: str = "") -> list:
    """The detections as first-pass ``redaction.Span`` objects (ground: privacy of a
    third party, art. 14.2), so that ``redaction.apply`` can replace them. Whose
    identifier it is is unknown: ``person_id`` is "" unless given."""
    from .redaction import THIRD_PARTY, Span

    return [Span(d.start, d.end, person_id, d.kind, THIRD_PARTY) for d in detections]
