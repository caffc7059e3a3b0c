"""Made-up dossiers for the leak tests (issue #4, art. 13 and 14.2): households in which
a reporter is also a neighbour named by first name, a protected address is written in
three ways, a child and a grandfather share the subject's surname, a professional is
written with initials and title. Every entry holds a marker word ("stukcode...") so a
test can see that the entry reached the copy without depending on redacted words."""
from __future__ import annotations


def _bsn(prefix8: str) -> str:
    """A BSN that passes the 11-proof, from 8 digits (the last digit is computed)."""
    for last in range(10):
        digits = prefix8 + str(last)
        total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
        if total % 11 == 0:
            return digits
    return _bsn(str(int(prefix8) + 1).zfill(8))


NEIGHBOURS = {
    "format": "vt-dossier/1",
    "dossier_id": "VT-2025-100001",
    "region": "Utrecht",
    "opened_on": "2025-03-01",
    "closed_on": None,
    "outcome": "open",
    "persons": [
        {"id": "s1", "role": "subject", "household_member": True, "relation": "moeder",
         "given_names": "Fatima", "family_name": "El Idrissi", "birth_date": "1990-05-17", "bsn": _bsn("23456789"),
         "protected_address": True,
         "addresses": [{"street": "Meidoornstraat", "number": "7B", "postcode": "3514 CD", "city": "Utrecht"}],
         "phones": ["+31 6 11223344"], "emails": ["fatima.e@example.org"]},
        {"id": "s2", "role": "subject", "household_member": True, "relation": "vader",
         "given_names": "Rachid", "family_name": "El Idrissi", "birth_date": "1987-11-02", "bsn": _bsn("34567891"),
         "addresses": [{"street": "Zonnebloemweg", "number": "22", "postcode": "3521 AB", "city": "Utrecht"}],
         "phones": ["06-99887766"]},
        {"id": "s3", "role": "subject", "household_member": True, "relation": "dochter",
         "given_names": "Yara", "family_name": "El Idrissi", "birth_date": "2014-03-09"},
        {"id": "r1", "role": "reporter", "relation": "buurman", "given_names": "Hendrik", "family_name": "Vosmaer",
         "addresses": [{"street": "Lijsterbeslaan", "number": "9", "postcode": "3515 EF", "city": "Utrecht"}],
         "phones": ["030 2345678"]},
        {"id": "i1", "role": "informant", "relation": "intern begeleider", "given_names": "Joke",
         "family_name": "Terpstra", "organisation": "Basisschool De Vlinder"},
    ],
    "entries": [
        {"id": "e1", "date": "2025-03-01", "kind": "report", "title": "Melding van Hendrik", "source_person": "r1",
         "nature": "fact", "concerns": ["s3", "s2"],
         "text": "Hendrik Vosmaer (buurman, tel. 030-2345678, Lijsterbeslaan 9) belt. Hendrik hoort vaak "
                 "geschreeuw. Hij zag dat Rachid El Idrissi zijn dochter Yara hard vastpakte. stukcodeaap"},
        {"id": "e2", "date": "2025-03-04", "kind": "conversation", "title": "Gesprek met moeder", "source_person": "s1",
         "nature": "fact", "concerns": ["s1", "s3"],
         "text": "Mevrouw El Idrissi vertelt dat zij met Yara is verhuisd naar de Meidoornstraat 7B. Later "
                 "schrijft zij het adres als meidoornstraat 7 b, 3514CD Utrecht, en op een briefje als "
                 "Meidoornstr. 7-B. Zij is bereikbaar op +31 6 1122 3344. stukcodenoot"},
        {"id": "e3", "date": "2025-03-10", "kind": "conversation", "title": "Gesprek met vader", "source_person": "s2",
         "nature": "fact", "concerns": ["s2"],
         "text": "Rachid ontkent. Hij woont nu aan de Zonnebloemweg 22. Hij weet niet waar Fatima woont. "
                 "Buurman Hendrik kent hij niet. stukcodemies"},
        {"id": "e4", "date": "2025-03-12", "kind": "third_party_information", "title": "Informatie school",
         "source_person": "i1", "nature": "opinion", "concerns": ["s3"],
         "text": "Juf Terpstra van Basisschool De Vlinder zegt dat Yara goed meedoet maar moe is. "
                 "J. Terpstra ziet geen blauwe plekken. stukcodewim"},
        {"id": "e5", "date": "2025-04-01", "kind": "decision", "title": "Besluit", "nature": "fact",
         "concerns": ["s1", "s2", "s3"],
         "text": "Veilig Thuis draagt over aan het wijkteam. Moeder en dochter wonen op een geheim adres "
                 "(Meidoornstraat 7B, 3514 CD). stukcodezus"},
    ],
}

NAMESAKES = {
    "format": "vt-dossier/1",
    "dossier_id": "VT-2025-100002",
    "region": "Rivierenland",
    "opened_on": "2025-05-01",
    "closed_on": "2025-08-01",
    "outcome": "inconclusive",
    "persons": [
        {"id": "a1", "role": "subject", "household_member": True, "relation": "moeder", "given_names": "Anouk Maria",
         "family_name": "Smit", "birth_date": "1992-08-21",
         "addresses": [{"street": "Dijkweg", "number": "101", "postcode": "4001 XY", "city": "Tiel"}],
         "phones": ["0344-123456"], "emails": ["anouk.smit@example.org"]},
        {"id": "a2", "role": "subject", "household_member": True, "relation": "zoon", "given_names": "Bram",
         "family_name": "Smit", "birth_date": "2012-01-30", "bsn": _bsn("45678912")},
        {"id": "a3", "role": "third_party", "relation": "opa", "given_names": "Kees", "family_name": "Smit",
         "addresses": [{"street": "Molenkade", "number": "3", "postcode": "4002 AA", "city": "Tiel"}],
         "phones": ["06 12 34 56 78"]},
        {"id": "a4", "role": "reporter", "relation": "kinderarts", "given_names": "Marieke Anne",
         "family_name": "Oosterhuis", "organisation": "Ziekenhuis Rivierenland", "emails": ["m.oosterhuis@example.org"]},
    ],
    "entries": [
        {"id": "f1", "date": "2025-05-01", "kind": "report", "title": "Melding", "source_person": "a4",
         "nature": "fact", "concerns": ["a2"],
         "text": "Dr. Oosterhuis (kinderarts, Ziekenhuis Rivierenland) meldt een breuk bij Bram Smit. "
                 "M.A. Oosterhuis is bereikbaar via m.oosterhuis@example.org. stukcoderoos"},
        {"id": "f2", "date": "2025-05-06", "kind": "conversation", "title": "Gesprek met moeder",
         "source_person": "a1", "nature": "fact", "concerns": ["a1", "a2"],
         "text": "Anouk Smit vertelt dat Bram van de trap viel bij opa Kees Smit aan de Molenkade 3. "
                 "Mevrouw Oosterhuis heeft zij niet gesproken. Anouk woont aan de Dijkweg 101. stukcodetulp"},
        {"id": "f3", "date": "2025-06-01", "kind": "investigation", "title": "Onderzoek", "nature": "hypothesis",
         "concerns": ["a2"],
         "text": "Het letsel van Bram past bij een val. Opa Kees (06-12345678) bevestigt dit. stukcodelelie"},
        {"id": "f4", "date": "2025-07-01", "kind": "own_statement", "title": "Eigen verklaring moeder",
         "source_person": "a1", "nature": "opinion", "concerns": ["a1"],
         "text": "Ik ben het niet eens met het woord 'verwaarlozing'. Marieke heeft mij nooit gebeld. stukcodeiris"},
    ],
}

#: For each (dossier, subject): what must NOT be in that subject's copy, and the marker
#: words of the entries that MUST be in it (art. 13: entries that concern the subject or
#: have them as source).
EXPECTATIONS = {
    ("VT-2025-100001", "s1"): {
        "absent": ["Hendrik", "Vosmaer", "2345678", "Lijsterbeslaan", "Rachid", "Zonnebloemweg", "3521", "Yara",
                   "Terpstra", "Vlinder", "buurman", "Buurman", "99887766"],
        "markers": ["stukcodenoot", "stukcodezus"],
        "present": ["Meidoornstraat 7B"],  # her own protected address in her own copy
    },
    ("VT-2025-100001", "s2"): {
        "absent": ["Hendrik", "Vosmaer", "2345678", "Lijsterbeslaan", "Meidoornstraat", "meidoornstraat",
                   "Meidoornstr", "3514", "Fatima", "Yara", "Terpstra", "Vlinder", "buurman", "Buurman", "11223344",
                   "1122 3344"],
        "markers": ["stukcodeaap", "stukcodemies", "stukcodezus"],
        "present": ["Zonnebloemweg 22"],
    },
    ("VT-2025-100001", "s3"): {
        "absent": ["Hendrik", "Vosmaer", "2345678", "Lijsterbeslaan", "Meidoornstraat", "meidoornstraat",
                   "Meidoornstr", "3514", "Rachid", "Fatima", "Zonnebloemweg", "Terpstra", "Vlinder", "buurman",
                   "Buurman", "1122 3344"],
        "markers": ["stukcodeaap", "stukcodenoot", "stukcodewim", "stukcodezus"],
        "present": [],
    },
    ("VT-2025-100002", "a1"): {
        "absent": ["Oosterhuis", "Marieke", "Rivierenland", "kinderarts", "m.oosterhuis", "Bram", "Kees",
                   "Molenkade", "12345678", "12 34 56 78"],
        "markers": ["stukcodetulp", "stukcodeiris"],
        "present": ["Anouk Smit", "Dijkweg 101"],
    },
    ("VT-2025-100002", "a2"): {
        "absent": ["Oosterhuis", "Marieke", "Rivierenland", "kinderarts", "m.oosterhuis", "Anouk", "Kees",
                   "Molenkade", "Dijkweg", "12345678", "0344"],
        "markers": ["stukcoderoos", "stukcodetulp", "stukcodelelie"],
        "present": ["Bram Smit"],
    },
}
