"""The matching erasure and destruction use (art. 17, 18): a person's own identifiers,
and nothing that also names someone else (rules.redaction.find_subject_identifiers)."""
from __future__ import annotations

from datetime import date

import pytest

from portal.rules import redaction as R
from portal.rules.selection import REPORTER, Address, Person

MARK = Person(id="p2", role="subject", given_names="Mark", family_name="Jansen", birth_date=date(1985, 9, 30),
              addresses=(Address("Kastanjestraat", "3", "5612 CD", "Eindhoven"),), phones=("06-87654321",))
LOTTE = Person(id="p3", role="subject", given_names="Lotte", family_name="Jansen")
INEKE = Person(id="p5", role=REPORTER, given_names="Ineke", family_name="Bosman", relation="mentor op school",
               addresses=(Address("Kastanjestraat", "41", "5612 CD", "Eindhoven"),))
SANNE = Person(id="p1", role="subject", given_names="Sanne", family_name="de Vries",
               addresses=(Address("Lindelaan", "14", None, None),), phones=("06-12345678",))
JW = Person(id="p7", role="subject", given_names="Mark-Willem", family_name="Bakker", phones=("06-87654321",))


def _taken(text: str, subject: Person, others) -> list[str]:
    return [text[a:b] for a, b, _g in R.merge(R.find_subject_identifiers(text, subject, others))]


@pytest.mark.parametrize("text, taken", [
    ("Mark Jansen woont Kastanjestraat 3.", ["Mark Jansen", "Kastanjestraat 3"]),
    ("De melder woont Kastanjestraat 41.", []),  # the neighbour's number is not his
    ("Kastanjestraat 31 is een ander huis.", []),
    ("Kastanjestr. 3, 5612 CD Eindhoven", ["Kastanjestr. 3, 5612 CD Eindhoven"]),
    ("Lotte Jansen en meneer Jansen", []),  # "Jansen" alone and after a title: also Lotte's
    ("M. Jansen belde op 06 87654321.", ["M. Jansen"]),  # the phone is also Mark-Willem's
    ("geboren 30-09-1985", ["30-09-1985"]),
    ("Mark-Willem Bakker kwam langs.", []),  # "Mark" inside another person's name
])
def test_art18_the_fathers_identifiers_and_no_one_elses(text, taken):
    assert _taken(text, MARK, [LOTTE, INEKE, SANNE, JW]) == taken


def test_art18_a_family_name_no_one_else_has_is_taken_alone_too():
    assert _taken("Mevrouw Bosman belde; Bosman zei dat.", INEKE, [MARK, LOTTE]) == ["Mevrouw Bosman", "Bosman"]


def test_art18_the_reporters_relation_points_to_her():
    assert _taken("de mentor op school meldde; de mentor belde later", INEKE, [MARK]) == ["mentor op school", "mentor"]


def test_art18_a_street_without_a_number_is_taken_only_where_no_number_follows():
    p = Person(id="x", role="subject", given_names="Ali", family_name="Demir", addresses=(Address("Dorpsweg", "", None, None),))
    assert _taken("Hij woont aan de Dorpsweg.", p, [INEKE]) == ["de Dorpsweg"]
    assert _taken("Dorpsweg 8 is de buurvrouw.", p, [INEKE]) == []


def test_art14_2_the_copy_still_redacts_a_street_with_any_number():
    """The copy's redactor errs the other way: every number on the street is redacted."""
    spans = R.find_known_identifiers("De melder woont Kastanjestraat 41.", [MARK], copy_for=None)
    assert any(s.person_id == "p2" and s.kind == R.ADDRESS for s in spans)
