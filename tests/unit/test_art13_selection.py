"""Art. 13, 14 (and 6.5, 16) Privacyreglement Veilig Thuis: which entries of the
household dossier belong to one person's copy. Worked out by hand on the example
dossier (tests/fixtures/dossiers/example, made-up)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from portal.rules.selection import ENTRY_KINDS, OWN_STATEMENT, Entry, Person, belongs_to_copy, entries_for_copy

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers" / "example" / "dossier.json"
SCHEMA = Path("/work/shared/dossier-format/schema.json")


@pytest.fixture(scope="module")
def dossier():
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    persons = tuple(Person.from_export(p) for p in data["persons"])
    entries = tuple(Entry.from_export(e) for e in data["entries"])
    return persons, entries


def ids(entries):
    return [e.id for e in entries]


@pytest.mark.parametrize(
    "subject, expected",
    [
        ("p1", ["e2", "e6"]),  # Sanne, mother
        ("p2", ["e1", "e2", "e3", "e5", "e6"]),  # Mark, father
        ("p3", ["e1", "e2", "e4", "e5", "e6"]),  # Lotte, daughter
        ("p4", ["e2", "e6"]),  # Daan, son
        ("p5", []),  # the reporter: not a subject of the household dossier
        ("p6", []),  # the informant (huisarts): not a subject either
    ],
)
def test_art13_copy_holds_only_entries_concerning_the_subject(dossier, subject, expected):
    persons, entries = dossier
    got = entries_for_copy(entries, subject_id=subject, requester_is_subject=True, persons=persons)
    assert ids(got) == expected


def test_art13_art20_representative_gets_the_subjects_entries_not_their_own(dossier):
    """Father (p2) asks for the copy of Daan (p4): Daan's entries only; e3, the
    conversation about the father alone, is not in it."""
    persons, entries = dossier
    got = entries_for_copy(entries, subject_id="p4", requester_is_subject=False, requester_id="p2",
                           persons=persons)
    assert ids(got) == ["e2", "e6"]
    assert "e3" not in ids(got)


def test_art13_art20_representative_own_entry_included_when_subject_is_in_it_too(dossier):
    """Father (p2) asks for Lotte's (p3) copy: e5 concerns both, so it is in; e3
    concerns the father alone, so it is not."""
    persons, entries = dossier
    got = entries_for_copy(entries, subject_id="p3", requester_is_subject=False, requester_id="p2",
                           persons=persons)
    assert ids(got) == ["e1", "e2", "e4", "e5", "e6"]


@pytest.mark.parametrize("requester_is_subject", [True, False])
def test_art13_art20_joint_request_gets_the_childs_entries(dossier, requester_is_subject):
    """12 to 16, child and parent together (art. 20.1): the child's copy, whoever
    started the request."""
    persons, entries = dossier
    got = entries_for_copy(entries, subject_id="p3", requester_is_subject=requester_is_subject,
                           requester_id=None if requester_is_subject else "p1", joint=True, persons=persons)
    assert ids(got) == ["e1", "e2", "e4", "e5", "e6"]


def _extra(entries, *new):
    return tuple(entries) + tuple(new)


def test_art16_own_statement_always_in_the_copy(dossier):
    persons, entries = dossier
    stmt = Entry("e7", date(2025, 8, 1), OWN_STATEMENT, "opinion", "p2", ("p1",),
                 "Ik ben het niet eens met de conclusie.")
    got = entries_for_copy(_extra(entries, stmt), subject_id="p2", requester_is_subject=True, persons=persons)
    assert "e7" in ids(got)
    # ... and not in someone else's copy because they wrote it:
    got_p4 = entries_for_copy(_extra(entries, stmt), subject_id="p4", requester_is_subject=True, persons=persons)
    assert "e7" not in ids(got_p4)


def test_art6_5_subjects_view_always_in_the_copy(dossier):
    """The subject's own account (an entry whose source is the subject) belongs to their
    copy even where ``concerns`` names someone else."""
    persons, entries = dossier
    view = Entry("e8", date(2025, 3, 1), "conversation", "opinion", "p3", ("p4",),
                 "Lotte zegt dat het met haar broertje goed gaat.")
    got = entries_for_copy(_extra(entries, view), subject_id="p3", requester_is_subject=True, persons=persons)
    assert "e8" in ids(got)


def test_art13_representatives_own_statement_not_in_childs_copy_unless_it_concerns_the_child(dossier):
    persons, entries = dossier
    own = Entry("e9", date(2025, 8, 2), OWN_STATEMENT, "opinion", "p2", ("p2",), "Mijn verklaring.")
    about_child = replace(own, id="e10", concerns=("p2", "p4"))
    got = entries_for_copy(_extra(entries, own, about_child), subject_id="p4", requester_is_subject=False,
                           requester_id="p2", persons=persons)
    assert "e9" not in ids(got)
    assert "e10" in ids(got)


def test_art14_copy_is_in_date_order_and_stable(dossier):
    persons, entries = dossier
    got = entries_for_copy(tuple(reversed(entries)), subject_id="p2", requester_is_subject=True, persons=persons)
    assert [e.date for e in got] == sorted(e.date for e in got)
    assert ids(got) == ["e1", "e2", "e3", "e5", "e6"]


def test_art13_unknown_subject_is_refused(dossier):
    persons, entries = dossier
    with pytest.raises(ValueError):
        entries_for_copy(entries, subject_id="p99", requester_is_subject=True, persons=persons)


def test_art20_representative_cannot_be_the_subject(dossier):
    persons, entries = dossier
    with pytest.raises(ValueError):
        entries_for_copy(entries, subject_id="p3", requester_is_subject=False, requester_id="p3", persons=persons)


@pytest.mark.parametrize("entry_id, subject, belongs", [
    ("e1", "p3", True), ("e1", "p2", True), ("e1", "p1", False),
    ("e3", "p2", True), ("e3", "p3", False), ("e4", "p3", True), ("e4", "p2", False),
])
def test_art13_belongs_to_copy(dossier, entry_id, subject, belongs):
    _, entries = dossier
    entry = next(e for e in entries if e.id == entry_id)
    assert belongs_to_copy(entry, subject) is belongs


def test_art6_5_entry_kinds_are_the_schemas():
    if not SCHEMA.exists():
        pytest.skip("shared schema not present")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    kinds = set(schema["properties"]["entries"]["items"]["properties"]["kind"]["enum"])
    assert kinds == ENTRY_KINDS
    assert OWN_STATEMENT in kinds
