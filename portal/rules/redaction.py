"""Redaction, automatic first pass on KNOWN identifiers: art. 14.2 of the
Privacyreglement Veilig Thuis (2018), AVG 15(4).

Art. 14.2: access and a copy are limited where they would harm the privacy of a third
party or VT's task, first of all the safety of everyone involved. DOMAIN.md ("What the
dossier holds"): a copy for one person is redacted of every other person's names,
addresses, phone numbers, e-mail addresses, BSNs, dates of birth and other identifying
details, above all the reporter's (melder), and of anything that reveals where a
protected person now lives. Each redaction carries its ground.

This module finds, in one text, every identifier that the dossier itself gives for
persons other than the one the copy is for (``find_known_identifiers``), and replaces
them on the server with a labelled placeholder (``apply``) before any HTML or PDF is
built. Free-text detection of identifiers the dossier does not list (a detector such as
``deduce``) is a second pass, not here. A missed redaction is worse than one too many:
where a choice had to be made, this module redacts.

Rules:
- Every person other than ``copy_for``: names, addresses, postcodes, phone numbers,
  e-mail addresses, BSN, birth date, organisation. Ground ``privacy derde``.
  Household members are other persons too: in the father's copy the daughter's given
  name "Lotte" is redacted (the issue's rule: "every identifier ... for every other
  person").
- The reporter (role ``reporter``): every identifier, plus their ``relation`` ("mentor
  op school", and its first word "mentor") because it points to them, in *every* copy,
  even one made with ``copy_for`` set to the reporter. Ground ``privacy derde /
  bescherming melder``. The label printed in the copy for that ground is the same as
  for any third party ("[weggelaten: privacy derde]"), so that the copy does not point
  out which redaction is the reporter.
- A person with ``protected_address``: their whereabouts (street with or without
  number, postcode, and the city when written as part of that address) in every copy
  but their own, ground ``veiligheid``. Their own copy shows them, unless ``readers``
  names someone else who receives the copy (a representative or the joint requester,
  art. 20): then their whereabouts are redacted in their own copy too.
- A representative's copy is the subject's copy (``copy_for`` is the subject): the
  subject's own data stays in it (it is what the representative asks for on the
  subject's behalf), except protected whereabouts (above). The representative's own
  identifiers are redacted like any other person's (in a joint request the child reads
  the copy too, and the rule is "every other person").
- An identifier that belongs to another person is redacted even when ``copy_for``
  shares it (a shared address that is someone's protected address, a shared phone).
- Names, in the forms people write them: full name; first given name plus family
  name; initials plus family name ("I. Bosman", "P. van Dam", "I Bosman"); family name
  after "mevrouw"/"mevr."/"mw."/"meneer"/"mijnheer"/"de heer"/"dhr."/"hr."/"juf"/
  "meester"/"dokter"/"dr." (the title is redacted with it: it tells the gender); every
  given name alone; the family name alone unless ``copy_for`` has the same family name
  (else "Lotte Jansen" would lose "Jansen" in her own copy). A possessive "s" / "'s"
  ("Daans", "Lotte's") is redacted with the name. Initials and a title written before
  a redacted name go with it ("J. [naam]" must not leave the "J.", ``with_initials``).
- A family name shared with ``copy_for`` (issue 12) is redacted only where the words
  around it name someone else (``shared_family_name_patterns``): with the other's given
  name or initial, with initials that are not ``copy_for``'s, after the other's
  relation word ("dochter Jansen", "oma Jansen") unless it is ``copy_for``'s own, after
  a title of the other gender than ``copy_for``'s relation word says ("mevrouw Jansen"
  in the father's copy). "de heer Jansen" and "Jansen" stay in the father's own copy.
- A street where ``copy_for`` lives too is redacted only with the other person's own
  number ("Kastanjestraat 41" of the neighbour who reported; "Kastanjestraat 3", the
  requester's own, and "de Kastanjestraat" stay), as erasure does
  (``_address_patterns(any_number=False)``). Not for a protected address: that
  street goes with any number, also where the reader lives in it.
- The reporter's and a protected person's house number on its own, where the words
  say it is a house number ("op nummer 41", "nr. 41", "woont op 41."; not "op 3
  februari"), unless ``copy_for`` has the same number (``house_number_patterns``).
- Word boundaries: a name is redacted only as a whole word, so "Daan" is *not*
  redacted inside "Daanstraat" (it would break street names and ordinary words; a
  street that is a listed address is redacted as an address). Matching ignores case and
  accents ("daniëlle" = "Danielle") and allows any whitespace between words.
- Phone numbers: by digit sequence after the Dutch prefix rules: "06-87654321",
  "06 87654321", "0687654321", "+31 6 87654321", "+31 (0)6 87654321", "0031 6...",
  "(040) 123 45 67" are one number. Separators between digits: space, hyphen, dot,
  slash, brackets.
- BSN with or without dots, spaces or hyphens (an 8-digit BSN also with a leading 0).
- Birth dates: ISO ("1988-04-12"), day-month-year with "-", "/", "." or spaces, with
  or without leading zeros, two- or four-digit year; and written Dutch ("12 april
  1988", "12 apr. 1988", "12e april '88"). A day and month without a year is not
  redacted as a birth date (too many other dates).
- A city on its own is not redacted (it is also the region and the municipality);
  a street name on its own is, with any house number after it (for everyone, not
  only protected persons: a neighbour's number still says where someone lives).
  A protected person's city is, where the words say someone is there ("in Zwolle",
  "naar Zwolle"; ``city_patterns``), and their house number also without its letter
  ("nr 12" for 12A).

Found by measuring copies of dossiers the rules were not written against (issue 12
item 2; ``scripts/redaction_quality.py``, docs/detection.md), each a rule here:
- A tussenvoegsel written short is the same family name ("v.d. Berg", "vd Berg",
  "v/d Berg", "v. Dam"; ``_family``).
- A family name followed or preceded by a hyphen and a letter is part of a double
  name, another name ("Bakker" is not redacted inside "Bakker-Mulder").
- Initials that are not ``copy_for``'s start at the first of a group: the "W." of
  "J.W. van den Berg" is not someone else's initial.
- The reporter's family name is never narrowed for a reader who shares it
  (``_reporter_patterns``): alone and after any title it goes, also where it may be
  the reader ("Dhr. Bakker"); it stays only right after the reader's own given name,
  initial or relation word ("Ronald Bakker", "R. Bakker"), unless the reporter has
  that name or initial too.
- An organisation's name without the word for its kind ("De Zonnewijzer" for "OBS
  De Zonnewijzer", ``organisation_short_name``) and the role a reporter's relation
  word is made of ("leerkracht" in "groepsleerkracht", ``relation_roles``).
- The free-text detector reads the text with the person's own identifiers blanked
  (``masked``), so a hit beside them ("school Sem") does not take them.

Erasure and destruction (art. 17, 18) match the other way round: only what names
their own person (``find_subject_identifiers``: a street with the person's own number, a
family name alone only where no one else of the dossier has it, nothing that is also
someone else's), because there taking too much destroys another person's data.

Known limits, left to the detector pass and staff: nicknames and misspellings ("Mil",
"Kev", "Sam"), a family name core without its tussenvoegsel ("Dam" for "van Dam"), a
title with a family name the reader shares that the words do not tie to someone else
("Dhr. de Jong" in a young son's copy), an address the dossier gives for a parent only
that is the child's home too.

No Flask, no database. Input: ``portal.rules.selection.Person``.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .selection import REPORTER, Address, Person

# --- grounds and labels -------------------------------------------------------------

THIRD_PARTY = "privacy derde"  # art. 14.2: privacy of a third party
REPORTER_PROTECTION = "privacy derde / bescherming melder"  # art. 14.2; the reporter
SAFETY = "veiligheid"  # art. 14.2: VT's task, first of all safety (protected address)
TASK = "taak Veilig Thuis"  # art. 14.2: VT's task (chosen by staff, signed by a team leader)

#: Every ground a redaction can carry (the workbench offers these).
GROUNDS = (THIRD_PARTY, REPORTER_PROTECTION, SAFETY, TASK)

#: What the copy prints for each ground. The reporter's ground prints as any third
#: party's, so that the copy does not point out the reporter.
LABELS = {
    THIRD_PARTY: "[weggelaten: privacy derde]",
    REPORTER_PROTECTION: "[weggelaten: privacy derde]",
    SAFETY: "[weggelaten: veiligheid]",
    TASK: "[weggelaten: taak Veilig Thuis]",
}
#: When redactions overlap, the merged one carries the weightiest ground.
PRIORITY = {THIRD_PARTY: 0, TASK: 1, REPORTER_PROTECTION: 2, SAFETY: 3}

# Span kinds.
NAME, ADDRESS, POSTCODE, PHONE, EMAIL, BSN, BIRTH_DATE, ORGANISATION, RELATION = (
    "name", "address", "postcode", "phone", "email", "bsn", "birth_date", "organisation", "relation")
WHEREABOUTS = frozenset({ADDRESS, POSTCODE})


@dataclass(frozen=True)
class Span:
    """One redaction: ``text[start:end]`` is an identifier of ``person_id``."""

    start: int
    end: int
    person_id: str
    kind: str
    ground: str


# --- text folding -------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _fold_char(c: str) -> str:
    base = "".join(ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch))
    f = (base or c).lower()
    if len(f) == 1:
        return f
    low = c.lower()
    return low if len(low) == 1 else c


def fold(text: str) -> str:
    """Lower case without accents, one character for one character (so offsets in the
    folded text are offsets in the original)."""
    return "".join(_fold_char(c) for c in text)


# --- pattern building ---------------------------------------------------------------

_L = r"(?<!\w)"
_R = r"(?!\w)"
_POSSESSIVE = r"(?:['\u2019]?s)?"
_HYPHEN = r"\s*[-\u2010\u2011\u2013]\s*"


def _phrase(literal: str) -> str:
    """A regex for a literal phrase (folded), any whitespace between its words and
    around its hyphens. Metacharacters are escaped."""
    words = fold(literal).split()
    parts = []
    for w in words:
        pieces = re.split(r"[-\u2010\u2011\u2013]", w)
        parts.append(_HYPHEN.join(re.escape(p) for p in pieces))
    return r"\s+".join(parts)


_HONORIFICS = (
    r"mevrouw", r"mevr\.?", r"mw\.?", r"meneer", r"mijnheer", r"mnr\.?", r"de\s+heer",
    r"dhr\.?", r"hr\.?", r"juffrouw", r"juf", r"meester", r"dokter", r"dr\.?", r"mr\.?",
)
_HONORIFIC = "(?:" + "|".join(_HONORIFICS) + ")"

_MONTHS = (
    ("januari", "jan"), ("februari", "feb", "febr"), ("maart", "mrt", "mar"), ("april", "apr"),
    ("mei",), ("juni", "jun"), ("juli", "jul"), ("augustus", "aug"),
    ("september", "sep", "sept"), ("oktober", "okt", "oct"), ("november", "nov"), ("december", "dec"),
)


#: Tussenvoegsels as notes shorten them: "van den Berg" is also "v.d. Berg", "vd Berg",
#: "v/d Berg"; "van Dam" also "v. Dam" (issue 12: "mw. vd Berg", "dhr. v.d. Berg").
_PARTICLE_SHORT = {
    ("van", "den"): r"v\.?\s*d\.?|v/d", ("van", "der"): r"v\.?\s*d\.?|v/d", ("van", "de"): r"v\.?\s*d\.?|v/d",
    ("van", "het"): r"v\.?\s*h\.?|v/h", ("van",): r"v\.",
}


def _family(family_name: str) -> str:
    """A regex for a family name as written in full or with its tussenvoegsel shortened
    ("van den Berg", "v.d. Berg", "vd Berg", "v/d Berg"; "van Dam", "v. Dam")."""
    full = _phrase(family_name)
    words = fold(family_name).split()
    for particle in sorted(_PARTICLE_SHORT, key=len, reverse=True):
        n = len(particle)
        if len(words) > n and tuple(words[:n]) == particle:
            return rf"(?:{full}|(?:{_PARTICLE_SHORT[particle]})\s*{_phrase(' '.join(words[n:]))})"
    return full


#: A family name that goes on with a hyphen and a letter is the first part of a double
#: name ("Bakker-Mulder" is not "Bakker"), one after a letter and a hyphen the second.
_NOT_DOUBLE_AFTER = r"(?![-\u2010\u2011]\w)"
_NOT_DOUBLE_BEFORE = r"(?<!\w[-\u2010\u2011])"


def _initial(given_name: str) -> str:
    return re.escape(given_name[0]) + r"(?:\.\s*|\s+)"


def _name_patterns(p: Person, *, bare_family_name: bool, honorific: bool = True) -> list[str]:
    given = [g for g in fold(p.given_names).split() if g]
    fam = _family(p.family_name)
    if not fam:
        return []
    pats: list[str] = []
    if given:
        pats.append(_phrase(p.given_names) + r"\s+" + fam)  # full name
        pats.append(_phrase(given[0]) + r"\s+" + fam)  # first given name + family name
        # initials + family name: "I. Bosman", "A.M. de Vries", "A M de Vries"
        # (the first initial, then optionally the next ones in order)
        tail = ""
        for g in reversed(given[1:]):
            tail = "(?:" + _initial(g) + tail + ")?"
        # from the first initial of a group: the "N." inside "A.N. van Leeuwen" is not Noël's
        pats.append(r"(?<![\w.])" + _initial(given[0]) + tail + fam)
        for g in given:  # every given name alone
            if len(g.strip(".")) >= 2:
                pats.append(_phrase(g))
    out = [_L + "(?:" + x + ")" + _POSSESSIVE + _R for x in pats]
    if honorific:  # "mevrouw Bosman", "dhr. van Dam"; not "mevrouw Bosman-Smit"
        out.append(_L + "(?:" + _HONORIFIC + r"\s+" + fam + ")" + _POSSESSIVE + _R + _NOT_DOUBLE_AFTER)
    if bare_family_name:  # not a part of someone else's double name ("Bakker-Mulder")
        out.append(_L + _NOT_DOUBLE_BEFORE + "(?:" + fam + ")" + _POSSESSIVE + _R + _NOT_DOUBLE_AFTER)
    return out


def _address_patterns(a: Address, *, any_number: bool = True) -> tuple[list[str], list[str]]:
    """(address patterns, postcode patterns) for one address. ``any_number=False``: the
    street only with its own house number (erasure: "Kastanjestraat 3" is not
    "Kastanjestraat 41"); a street without a number in the data, on its own."""
    pc = _postcode(a.postcode)
    city = _phrase(a.city) if a.city and a.city.strip() else None
    city_tail = rf"(?:\s*,?\s*(?:(?:in|te)\s+)?{city}{_R})?" if city else ""
    pc_tail = rf"(?:\s*,?\s*{pc})?" if pc else ""
    addr: list[str] = []
    if a.street and a.street.strip():
        street = r"(?:(?:de|het)\s+)?" + _street(a.street)
        addition = r"(?:\s*[-/]?\s*[a-z](?!\w)|" + _HYPHEN + r"\d{1,4}(?!\d))?"
        if a.number and a.number.strip():
            m = re.fullmatch(r"\s*(\d+)\s*[-/]?\s*(.*?)\s*", a.number)
            if m:  # "5a" is also written "5 A", "5-a"
                num = m.group(1) + (r"\s*[-/]?\s*" + _phrase(m.group(2)) if m.group(2) else "")
            else:
                num = _phrase(a.number)
            addr.append(_L + street + r"\s*" + num + r"(?!\d)" + addition + pc_tail + city_tail)
        # The street with any (or no) house number: another number on the same street
        # still says where the person lives.
        if any_number:
            addr.append(_L + street + _R + r"(?:\s*\d{1,5}(?!\d)" + addition + ")?" + pc_tail + city_tail)
        elif not (a.number and a.number.strip()):  # no number known: the street, not followed by one
            addr.append(_L + street + _R + r"(?!\s*\d)" + pc_tail + city_tail)
    pcs = [_L + pc + city_tail] if pc else []
    return addr, pcs


#: How Dutch street names are shortened on forms and notes ("Meidoornstr. 7-B").
_STREET_ABBREVIATIONS = {
    "straat": r"str\.?", "laan": r"ln\.?", "plein": r"pl\.?", "gracht": r"gr\.?", "singel": r"sngl\.?",
    "weg": r"wg\.?", "kade": r"kd\.?", "dijk": r"dk\.?",
}


def _street(street: str) -> str:
    """A street name as written in full or with its usual abbreviation
    ("Meidoornstraat", "Meidoornstr.", "Meidoorn str")."""
    full = _phrase(street)
    folded = fold(street).strip()
    for suffix, short in _STREET_ABBREVIATIONS.items():
        if folded.endswith(suffix) and len(folded) > len(suffix):
            stem = _phrase(folded[: -len(suffix)].rstrip())
            return rf"(?:{full}|{stem}\s*{short})"
    return full


def _postcode(postcode: str | None) -> str | None:
    if not postcode:
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*([A-Za-z]{2})\s*", postcode)
    if m:
        return m.group(1) + r"\s*" + m.group(2).lower() + _R
    return _phrase(postcode) + _R if postcode.strip() else None


_DIGIT_SEP = r"[\s\-\u2010\u2011\u2013./()]{0,3}"


def _digits(ds: str) -> str:
    return _DIGIT_SEP.join(ds)


def national_number(phone: str) -> str | None:
    """The national significant number of a Dutch phone number ("06-87654321",
    "+31 6 87654321", "0031 (0)6 ..." all give "687654321"), or None when the number
    is not written with a Dutch prefix."""
    digits = re.sub(r"\D", "", phone)
    s = phone.strip()
    if s.startswith("+") and digits.startswith("31"):
        rest = digits[2:]
    elif digits.startswith("0031"):
        rest = digits[4:]
    elif digits.startswith("0") and not digits.startswith("00"):
        return digits[1:] or None
    else:
        return None
    return rest[1:] if rest.startswith("0") else rest


def _phone_pattern(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 5:
        return None
    nsn = national_number(phone)
    if nsn:
        prefix = r"(?:(?:\+|00)\s*31[\s\-.]*(?:\(\s*0\s*\)[\s\-.]*)?|(?:\(\s*)?0[\s\-.)]*)"
        return r"(?<![\d+])" + prefix + _digits(nsn) + r"(?!\d)"
    if phone.strip().startswith("+") or digits.startswith("00"):
        body = digits[2:] if digits.startswith("00") else digits
        return r"(?<![\d+])(?:\+|00)\s*" + _digits(body) + r"(?!\d)"
    return r"(?<![\d+])" + _digits(digits) + r"(?!\d)"


def _bsn_pattern(bsn: str) -> str | None:
    digits = re.sub(r"\D", "", bsn)
    if len(digits) < 8:
        return None
    body = r"[\s.\-]?".join(digits)
    if len(digits) == 8:
        body = r"(?:0[\s.\-]?)?" + body
    return r"(?<!\d)" + body + r"(?!\d)"


def _birth_date_patterns(d: date) -> list[str]:
    dd, mm, yyyy, yy = d.day, d.month, f"{d.year:04d}", f"{d.year % 100:02d}"
    day = rf"0?{dd}" if dd < 10 else str(dd)
    mon = rf"0?{mm}" if mm < 10 else str(mm)
    sep = r"\s*[-/.]\s*"
    year = rf"(?:{yyyy}|['\u2019]?{yy})"
    months = "|".join(re.escape(m) for m in _MONTHS[mm - 1])
    return [
        rf"(?<!\d){yyyy}{sep}{mon}{sep}{day}(?!\d)",  # 1988-04-12
        rf"(?<!\d){day}(?:{sep}|\s+){mon}(?:{sep}|\s+){year}(?!\d)",  # 12-04-1988, 12/4/88
        rf"(?<!\d){day}(?:e|ste|de)?\s+(?:{months})\.?\s+{year}(?!\d)",  # 12 april 1988
    ]


def _email_pattern(email: str) -> str | None:
    e = fold(email.strip())
    if not e:
        return None
    return r"(?<![\w.%+\-])" + re.escape(e) + r"(?![\w\-])"


# --- finding ------------------------------------------------------------------------


def _patterns_for(p: Person, *, copy_for_person: Person | None) -> list[tuple[str, str]]:
    """(kind, regex) for every identifier the dossier gives for ``p``, as precise as the
    copy's own person needs (``copy_for_person``): where ``p`` shares the family name,
    only the forms that name someone else (``shared_family_name_patterns``); where
    ``p`` lives in the same street, that street only with ``p``'s own number."""
    me = copy_for_person
    shared = me is not None and shares_family_name(me, p)
    out = [(NAME, x) for x in _name_patterns(p, bare_family_name=not shared, honorific=not shared)]
    if shared:
        out += [(NAME, x) for x in shared_family_name_patterns(p, me)]
    # the house number on its own too ("de familie op nummer 7"): another's door (a
    # protected person's under the ground of safety, ``_whereabouts_patterns``)
    if not p.protected_address:
        out += [(ADDRESS, x) for a in p.addresses for x in house_number_patterns(a, me)]
    return out + _identifier_patterns(p, any_number=lambda a: not (me is not None and shares_street(me, a)))


def _whereabouts_patterns(p: Person, me: Person | None = None) -> list[tuple[str, str]]:
    """A protected person's whereabouts: every street with any number (even one the
    reader shares: "zij woont nu ook in de Lindelaan" says too much), postcodes, and the
    house number on its own."""
    out = []
    for a in p.addresses:
        addr, pcs = _address_patterns(a)
        out += [(ADDRESS, x) for x in addr] + [(POSTCODE, x) for x in pcs]
        out += [(ADDRESS, x) for x in house_number_patterns(a, me)]
        out += [(ADDRESS, x) for x in city_patterns(a)]
    return out


def city_patterns(a: Address) -> list[str]:
    """A protected person's city on its own where the words say someone is there: after
    "in", "te", "naar", "uit" ("Gesprek met moeder in Leusden", "het adres in Zwolle").
    Only the city is taken; elsewhere ("de gemeente Eindhoven", "wijkteam Zwolle") the
    city is the municipality or the region and stays."""
    if not (a.city and a.city.strip()):
        return []
    return [r"(?:(?<=\bin\s)|(?<=\bte\s)|(?<=\bnaar\s)|(?<=\buit\s))" + _phrase(a.city) + _R]


# --- precision: what names someone else, and only them (issue 12) -------------------

#: Household relation words that say a person's gender ("vader", "dochter").
_MALE_RELATIONS = frozenset({
    "vader", "zoon", "broer", "broertje", "opa", "grootvader", "oom", "stiefvader", "pleegvader", "stiefzoon",
    "pleegzoon", "halfbroer", "stiefbroer", "neef", "echtgenoot", "man", "vriend", "ex-man",
})
_FEMALE_RELATIONS = frozenset({
    "moeder", "dochter", "zus", "zusje", "zuster", "oma", "grootmoeder", "tante", "stiefmoeder", "pleegmoeder",
    "stiefdochter", "pleegdochter", "halfzus", "stiefzus", "nicht", "echtgenote", "vrouw", "vriendin", "ex-vrouw",
})
#: Relation words of a child of the household: a title ("dhr.", "mevrouw") before the
#: family name the child shares names an adult, someone else.
_CHILD_RELATIONS = frozenset({
    "zoon", "dochter", "kind", "zoontje", "dochtertje", "pleegzoon", "pleegdochter", "pleegkind", "stiefzoon",
    "stiefdochter", "stiefkind",
})
#: Titles that say a gender; "dokter", "dr.", "mr." do not.
_MALE_TITLES = (r"meneer", r"mijnheer", r"mnr\.?", r"de\s+heer", r"dhr\.?", r"hr\.?", r"meester")
_FEMALE_TITLES = (r"mevrouw", r"mevr\.?", r"mw\.?", r"juffrouw", r"juf")


def gender_of(relation: str) -> str | None:
    """"m" or "f" where a relation word says it ("vader", "stiefmoeder"), else None."""
    for word in fold(relation or "").replace("(", " ").replace(")", " ").split():
        word = word.strip(".,;:")
        if word in _MALE_RELATIONS:
            return "m"
        if word in _FEMALE_RELATIONS:
            return "f"
    return None


def shares_family_name(a: Person, b: Person) -> bool:
    fa = fold(a.family_name).split()
    return bool(fa) and fa == fold(b.family_name).split()


def shares_street(me: Person, a: Address) -> bool:
    """``a`` lies in a street where ``me`` has an address too (any number, any city)."""
    street = " ".join(fold(a.street or "").split())
    return bool(street) and any(" ".join(fold(m.street or "").split()) == street for m in me.addresses)


def _relation_head(relation: str) -> str:
    words = fold(relation or "").split()
    return words[0] if words else ""


def shared_family_name_patterns(p: Person, me: Person) -> list[str]:
    """``p`` has the family name of the copy's own person ``me``: the family name is
    theirs too, so it is redacted only where the words around it name someone else:

    - initials that are not ``me``'s first initial ("J. Jansen" in Mark Jansen's copy);
    - ``p``'s relation word before it ("dochter Jansen", "de zoon Jansen"), unless it is
      ``me``'s own relation word too (two daughters: "dochter Jansen" may be ``me``);
    - a title of the other gender than ``me``'s ("mevrouw Jansen" in the father's copy),
      where ``me``'s relation says the gender and ``p``'s does not say it is ``me``'s;
    - any title where ``me`` is a child of the household ("zoon", "dochter") and ``p``
      is not: a title is for an adult ("Dhr. de Jong" in Milan de Jong's copy).

    The forms with a given name or an initial ("Lotte Jansen", "L. Jansen") are in
    ``_name_patterns`` already; "de heer Jansen" and "Jansen" alone stay in the father's
    copy."""
    fam = _family(p.family_name)
    if not fam:
        return []
    out: list[str] = []
    head = _relation_head(p.relation)
    if head and len(head) >= 2 and head != _relation_head(me.relation):
        out.append(r"(?:(?:de|het)\s+)?" + _phrase(head) + r"\s+(?:" + _HONORIFIC + r"\s+)?" + fam)
    mine_given = fold(me.given_names).split()
    if mine_given:  # initials that are not ``me``'s ("J. Jansen" is not Mark Jansen), from the
        # first one on: the "W." inside "J.W. Jansen" is not someone else's initial
        out.append(r"(?<![\w.])(?!" + re.escape(mine_given[0][0]) + r"[.\s])[a-z]\.(?:\s*[a-z]\.){0,4}\s*" + fam)
    mine, theirs = gender_of(me.relation), gender_of(p.relation)
    if _relation_head(me.relation) in _CHILD_RELATIONS and _relation_head(p.relation) not in _CHILD_RELATIONS:
        # a title is for an adult: "Dhr. de Jong" in the son's copy is his father or
        # grandfather, not him
        out.append(_HONORIFIC + r"\s+" + fam)
    elif mine is not None and theirs != mine:
        titles = _FEMALE_TITLES if mine == "m" else _MALE_TITLES
        out.append("(?:" + "|".join(titles) + r")\s+" + fam)
    return [_L + "(?:" + x + ")" + _POSSESSIVE + _R + _NOT_DOUBLE_AFTER for x in out]


def _number_regex(number: str) -> str | None:
    m = re.fullmatch(r"\s*(\d+)\s*[-/]?\s*(.*?)\s*", number or "")
    if not m:
        return None
    # "12A" is also written "nr 12": the number without its addition still points to the door
    return m.group(1) + (r"(?:\s*[-/]?\s*" + _phrase(m.group(2)) + ")?" if m.group(2) else r"(?:[-/]?[a-z](?!\w))?")


#: Where a number is a house number: right after "nummer", "huisnummer", "nr.", "no."
#: (with or without a space), or after "op" at the end of a phrase.
_AFTER_NUMBER_WORD = (r"(?:(?<=nummer\s)|(?<=nummer)|(?<=\bnr\.\s)|(?<=\bnr\.)|(?<=\bnr\s)"
                      r"|(?<=\bno\.\s)|(?<=\bno\.))")


def house_number_patterns(a: Address, me: Person | None = None) -> list[str]:
    """The house number of ``a`` on its own where the words say it is a house number:
    after "nummer", "huisnummer", "nr.", "no." ("woont op nummer 41"), or after "op" or
    "van" at the end of a phrase ("woont op 41.", "die vrouw van 14'"; not "op 3
    februari", not "op 41 meter", not "van 14 mei").
    Only the number is taken. Not where the copy's own person ``me`` has the same
    number: then it is theirs as much."""
    num = _number_regex(a.number or "")
    if num is None:
        return []
    digits = re.sub(r"\D", "", a.number or "")
    if me is not None and any(re.sub(r"\D", "", m.number or "") == digits for m in me.addresses):
        return []
    return [_AFTER_NUMBER_WORD + num + r"(?!\d)", r"(?:(?<=\bop\s)|(?<=\bvan\s))" + num + r"(?!\d)(?!\s*[\w(])"]


def _not_after_own_name(me: Person, reporter: Person) -> str:
    """Lookbehinds that keep a family name the reporter shares with ``me`` where ``me``'s
    own given name, initial or relation word stands right before it ("Ronald Bakker",
    "R. Bakker", "vader Bakker"), unless the reporter has that name or initial too."""
    theirs = fold(reporter.given_names).split()
    their_initials = {g[0] for g in theirs}
    out = []
    for g in fold(me.given_names).split():
        if g not in theirs:
            out.append(r"(?<!\b" + re.escape(g) + r"\s)")
        if g[0] not in their_initials:
            i = re.escape(g[0])
            out.append(rf"(?<!\b{i}\.\s)(?<!\b{i}\.)(?<!\b{i}\s)")
    head = _relation_head(me.relation)
    if head and head != _relation_head(reporter.relation):
        out.append(r"(?<!\b" + re.escape(head) + r"\s)")
    return "".join(out)


def _reporter_patterns(p: Person, me: Person | None) -> list[tuple[str, str]]:
    """The reporter's identifiers in ``me``'s copy. A family name the reporter shares
    with ``me`` is not narrowed as another person's is (issue 12: never loosen the
    reporter's protection): alone and after any title it goes ("Meneer Bakker", "die
    Bakker van nr. 41" in Ronald Bakker's copy, also "Dhr. Bakker" that may be
    Ronald), except right after ``me``'s own given name, initial or relation word."""
    if me is None or not shares_family_name(me, p):
        return _patterns_for(p, copy_for_person=me)
    fam = _family(p.family_name)
    out = [(NAME, x) for x in _name_patterns(p, bare_family_name=False, honorific=True)]
    out.append((NAME, _L + _NOT_DOUBLE_BEFORE + _not_after_own_name(me, p) + "(?:" + fam + ")" + _POSSESSIVE + _R
                + _NOT_DOUBLE_AFTER))
    return out + _identifier_patterns(p, any_number=lambda a: not shares_street(me, a))


@functools.lru_cache(maxsize=64)
def _scan_plan(persons: tuple[Person, ...], copy_for: str | None,
               others_read: bool) -> tuple[tuple[str, str, re.Pattern, str], ...]:
    """(person id, kind, compiled pattern, ground) for one dossier's persons and one
    reader: built once and used for every text of a copy (a 1,000-entry copy would
    otherwise build the same patterns a thousand times)."""
    by_id = {p.id: p for p in persons}
    me = by_id.get(copy_for) if copy_for is not None else None
    plan: list[tuple[str, str, re.Pattern, str]] = []
    for p in persons:
        is_me = me is not None and p.id == me.id
        if p.role == REPORTER:
            reader = None if is_me else me
            pats = _reporter_patterns(p, reader)
            pats += [(ADDRESS, x) for a in p.addresses for x in house_number_patterns(a, reader)]
            for kind, pat in pats:
                plan.append((p.id, kind, re.compile(pat), REPORTER_PROTECTION))
        elif not is_me:
            for kind, pat in _patterns_for(p, copy_for_person=me):
                plan.append((p.id, kind, re.compile(pat), THIRD_PARTY))
        if p.protected_address and (not is_me or others_read):
            for kind, pat in _whereabouts_patterns(p, None if is_me else me):
                plan.append((p.id, kind, re.compile(pat), SAFETY))
    return tuple(plan)


def find_known_identifiers(
    text: str,
    persons: Sequence[Person],
    *,
    copy_for: str | None,
    readers: Iterable[str] = (),
) -> list[Span]:
    """Every identifier in ``text`` that the dossier gives for a person other than
    ``copy_for`` (art. 14.2: privacy of third parties and safety), the reporter's in
    every copy, and a protected person's whereabouts in every copy but their own.

    ``copy_for``: the person whose copy this is (the subject; for a representative's
    or joint request, the child). ``None``: redact everyone. ``readers``: the persons
    who receive the copy besides ``copy_for`` (a representative, the other joint
    requester); if any, ``copy_for``'s own protected whereabouts are redacted too.

    Returns the spans sorted by start (then longest first), unmerged, each with the
    person, kind and ground (for the redaction workbench); ``apply`` merges them.
    """
    folded = fold(text)
    found: set[Span] = set()
    for person_id, kind, pattern, ground in _scan_plan(tuple(persons), copy_for,
                                                       any(r != copy_for for r in readers)):
        for m in pattern.finditer(folded):
            if m.end() > m.start():
                start = with_initials(text, folded, m.start()) if kind == NAME else m.start()
                found.add(Span(start, m.end(), person_id, kind, ground))
    return sorted(found, key=lambda s: (s.start, -s.end, -PRIORITY[s.ground], s.person_id, s.kind))


#: Initials written before a name ("J.", "A.M.", "A. M.", "Th.", "J" before a space).
_INITIALS_BEFORE = re.compile(r"(?:(?<![\w.])(?:[A-Z]|Th|Ch|IJ|Ij)\.[ \t]*(?:(?:[A-Z]|Th|Ch|IJ|Ij)\.[ \t]*){0,4}"
                              r"|(?<![\w.])[A-Z][ \t]+)$")
_TITLE_BEFORE = re.compile(r"(?<!\w)" + _HONORIFIC + r"\s+$")


def with_initials(text: str, folded: str, start: int) -> int:
    """Where a redacted name starts once the initials and the title before it are
    counted ("J. [naam]" must not leave the "J.", "mw. I. [naam]" not the "mw.": a
    title tells the gender): the start of the initials, and of a title before them."""
    window = max(0, start - 40)
    m = _INITIALS_BEFORE.search(text[window:start])
    new = window + m.start() if m else start
    t = _TITLE_BEFORE.search(folded[max(0, new - 20):new])
    return max(0, new - 20) + t.start() if t else new


# --- one person's own identifiers (erasure and destruction, art. 17, 18) -------------


def _own_patterns(p: Person, *, family_alone: bool) -> list[tuple[str, str]]:
    """(kind, regex) for the identifiers that name ``p`` and no one else: the name
    forms that hold a given name or an initial; the family name alone and after a
    title only where ``family_alone``; each street only with its own house number."""
    out = [(NAME, x) for x in _name_patterns(p, bare_family_name=family_alone, honorific=family_alone)]
    return out + _identifier_patterns(p, any_number=lambda a: False)


def _identifier_patterns(p: Person, *, any_number) -> list[tuple[str, str]]:
    """(kind, regex) for everything but the name that identifies ``p``: addresses (a
    street with any house number where ``any_number(address)``, else only with its
    own), postcodes, phones, e-mails, BSN, birth date, organisation, and a reporter's
    relation."""
    out: list[tuple[str, str]] = []
    for a in p.addresses:
        addr, pcs = _address_patterns(a, any_number=any_number(a))
        out += [(ADDRESS, x) for x in addr] + [(POSTCODE, x) for x in pcs]
    out += [(PHONE, x) for x in map(_phone_pattern, p.phones) if x]
    out += [(EMAIL, x) for x in map(_email_pattern, p.emails) if x]
    if p.bsn:
        x = _bsn_pattern(p.bsn)
        if x:
            out.append((BSN, x))
    if p.birth_date:
        out += [(BIRTH_DATE, x) for x in _birth_date_patterns(p.birth_date)]
    if p.organisation and p.organisation.strip():
        out.append((ORGANISATION, _L + _phrase(p.organisation) + _R))
        short = organisation_short_name(p.organisation)
        if short:
            out.append((ORGANISATION, _L + _phrase(short) + _R))
    if p.role == REPORTER and p.relation.strip():
        out.append((RELATION, _L + _phrase(p.relation) + _R))
        head = fold(p.relation).split()[0]
        if len(head) >= 4:
            out.append((RELATION, _L + _phrase(head) + _POSSESSIVE + _R))
        out += [(RELATION, _L + _phrase(role) + _POSSESSIVE + _R) for role in relation_roles(p.relation)]
    return out


#: Words that say what kind of organisation it is, not which one: "OBS De Zonnewijzer"
#: is written "De Zonnewijzer", "Huisartsenpraktijk Strijp" "Strijp".
_ORGANISATION_KINDS = frozenset({
    "obs", "cbs", "pcbs", "rkbs", "ikc", "csg", "basisschool", "school", "lyceum", "college", "gymnasium",
    "huisartsenpraktijk", "praktijk", "kinderdagverblijf", "kdv", "bso", "peuterspeelzaal", "ziekenhuis",
    "stichting", "gezondheidscentrum", "sportvereniging", "voetbalvereniging", "vereniging",
})
#: Roles a reporter's relation word is made of ("groepsleerkracht", "kinderarts"):
#: written on their own they still point to the reporter ("de leerkracht die meldde").
_ROLE_NOUNS = ("leerkracht", "leraar", "lerares", "docent", "arts", "verpleegkundige", "begeleider", "mentor",
               "buurman", "buurvrouw", "coach", "trainer", "verloskundige", "psycholoog", "jeugdarts", "wijkagent")


def organisation_short_name(organisation: str) -> str | None:
    """The organisation's own name without the word for its kind, where what is left
    still names it ("OBS De Zonnewijzer" -> "De Zonnewijzer", "Huisartsenpraktijk
    Brouwer & Kok" -> "Brouwer & Kok"); None where nothing distinctive is left."""
    words = organisation.split()
    if len(words) < 2 or fold(words[0]).strip(".") not in _ORGANISATION_KINDS:
        return None
    rest = " ".join(words[1:])
    core = [w for w in fold(rest).split() if w not in ("de", "het", "t", "'t")]
    return rest if core and len("".join(core)) >= 4 else None


def relation_roles(relation: str) -> list[str]:
    """The role nouns a relation word ends in, other than the word itself
    ("groepsleerkracht" -> ["leerkracht"], "kinderarts" -> ["arts"])."""
    out = []
    for word in fold(relation or "").split():
        word = word.strip(".,;:()")
        out += [r for r in _ROLE_NOUNS if word.endswith(r) and word != r and r not in out]
    return out


@functools.lru_cache(maxsize=64)
def _own_plan(subject: Person, others: tuple[Person, ...]) -> tuple[tuple, tuple]:
    fam = fold(subject.family_name).split()
    alone = not any(fold(o.family_name).split() == fam for o in others)
    mine = tuple((kind, re.compile(pat)) for kind, pat in _own_patterns(subject, family_alone=alone))
    theirs = tuple((o.id, re.compile(pat)) for o in others
                   for _kind, pat in _own_patterns(o, family_alone=True))
    return mine, theirs


def find_subject_identifiers(text: str, subject: Person, others: Sequence[Person]) -> list[Span]:
    """The identifiers in ``text`` that name ``subject`` and no other person of the
    dossier: what an erasure (art. 18) or a destruction (art. 17) of that person's data
    takes out of a text it keeps. The copy's redactor errs towards taking too much (a
    street with any number, every family name); here taking too much destroys someone
    else's data, so the matching is precise:

    - a street only with the subject's own house number ("Kastanjestraat 3", not the
      neighbour's "Kastanjestraat 41"); a street the data gives without a number only
      where no number follows it;
    - the family name alone, or after a title ("meneer Jansen"), only where no other
      person of the dossier has the same family name; the forms with a given name or an
      initial ("Mark Jansen", "M. Jansen") always;
    - an identifier that is also, or lies inside, another person's (a shared phone, a
      postcode written in the neighbour's address, "Jan" in "Jan-Willem") stays: it is
      that person's data as well.

    Returns spans sorted by start, unmerged, all with the subject's id (ground
    ``THIRD_PARTY``; the caller replaces them)."""
    if not text:
        return []
    mine, theirs = _own_plan(subject, tuple(others))
    folded = fold(text)
    found = {(m.start(), m.end(), kind) for kind, pattern in mine for m in pattern.finditer(folded) if m.end() > m.start()}
    if not found:
        return []
    other_spans = [(m.start(), m.end()) for _pid, pattern in theirs for m in pattern.finditer(folded)]
    keep = [Span(a, b, subject.id, kind, THIRD_PARTY) for a, b, kind in found
            if not any(oa <= a and b <= ob for oa, ob in other_spans)]
    return sorted(keep, key=lambda s: (s.start, -s.end, s.kind))


def merge(spans: Iterable[Span]) -> list[tuple[int, int, str]]:
    """Overlapping or touching spans as (start, end, ground), the weightiest ground
    winning (safety, then the reporter, then third-party privacy)."""
    out: list[list] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and s.start <= out[-1][1]:
            last = out[-1]
            last[1] = max(last[1], s.end)
            if PRIORITY[s.ground] > PRIORITY[last[2]]:
                last[2] = s.ground
        else:
            out.append([s.start, s.end, s.ground])
    return [(a, b, g) for a, b, g in out]


def masked(text: str, spans: Iterable[Span]) -> str:
    """``text`` with the characters of ``spans`` as spaces (line breaks kept), the same
    length: what a free-text detector reads so that it cannot take the copy's own
    person's identifiers ("school Sem" in Sem's copy) with a hit beside them."""
    chars = list(text)
    for s in spans:
        for i in range(max(0, s.start), min(len(chars), s.end)):
            if chars[i] not in "\r\n":
                chars[i] = " "
    return "".join(chars)


def apply(text: str, spans: Iterable[Span]) -> str:
    """``text`` with every span replaced by its label ("[weggelaten: privacy derde]",
    "[weggelaten: veiligheid]"); overlapping spans become one label. This is the
    server-side replacement: the redacted characters are gone, not hidden."""
    parts: list[str] = []
    pos = 0
    for start, end, ground in merge(spans):
        parts.append(text[pos:start])
        parts.append(LABELS[ground])
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def redact(text: str, persons: Sequence[Person], *, copy_for: str | None, readers: Iterable[str] = ()) -> str:
    """``apply(text, find_known_identifiers(...))``: the automatic first pass."""
    return apply(text, find_known_identifiers(text, persons, copy_for=copy_for, readers=readers))
