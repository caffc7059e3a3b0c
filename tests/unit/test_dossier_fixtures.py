"""The made-up dossiers under tests/fixtures/dossiers (issue 12 item 2): each is a valid
vt-dossier/1 export (the format's schema.json, with its date formats), every person an
entry names is in the dossier, and every gold annotation beside it (gold.json) points at
text that is really there, once, for persons of that dossier."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scripts import redaction_quality as Q

SCHEMA = Path("/work/shared/dossier-format/schema.json")
ALL = sorted(p.parent.name for p in Q.FIXTURES.glob("*/dossier.json"))


def _schema() -> dict:
    if SCHEMA.exists():
        return json.loads(SCHEMA.read_text(encoding="utf-8"))
    pytest.skip("the format's schema.json is not on this machine")


@pytest.mark.parametrize("name", ALL)
def test_issue12_fixture_is_a_valid_export(name):
    """Issue 12 item 2: every fixture dossier is valid against the export schema, and its
    ids are unique and every concerns/source_person names one of its persons."""
    doc = json.loads((Q.FIXTURES / name / "dossier.json").read_text(encoding="utf-8"))
    schema = _schema()
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(doc)
    persons = [p["id"] for p in doc["persons"]]
    entries = [e["id"] for e in doc["entries"]]
    assert len(set(persons)) == len(persons) and len(set(entries)) == len(entries)
    for e in doc["entries"]:
        assert set(e["concerns"]) <= set(persons), e["id"]
        assert e.get("source_person") in set(persons) | {None}, e["id"]


def test_issue12_three_new_fixtures_have_gold():
    """Issue 12 item 2: at least three dossiers besides the format's example, each with a
    gold file listing the copies it measures (subjects of that dossier)."""
    assert len(Q.fixtures()) >= 3
    for name in Q.fixtures():
        doc, gold = Q.load(name)
        assert gold["dossier_id"] == doc["dossier_id"]
        subjects = {p["id"] for p in doc["persons"] if p["role"] == "subject"}
        assert gold["copies"] and set(gold["copies"]) <= subjects


@pytest.mark.parametrize("name", sorted(Q.fixtures()))
def test_issue12_gold_mentions_point_at_their_text(name):
    """Every gold mention is found where it says, each occurrence belongs to one mention
    (no overlaps), and every mention is counted once."""
    doc, gold = Q.load(name)
    found = Q.resolve(doc, gold)
    entries = {e["id"]: e for e in doc["entries"]}
    for m in found:
        text = entries[m.entry]["title"] if m.field == "title" else entries[m.entry]["text"]
        assert text[m.start:m.end] == m.text
    spans = sorted((m.entry, m.field, m.start, m.end) for m in found)
    for a, b in zip(spans, spans[1:]):
        assert a[:2] != b[:2] or a[3] <= b[2], (a, b)
    assert len(found) >= len(gold["mentions"])


def test_issue12_gold_errors_are_named():
    """A gold mention that is not in its text, or a wrong occurrence, is refused by name."""
    doc, gold = Q.load(Q.fixtures()[0])
    first = dict(gold["mentions"][0])
    for bad in ({**first, "text": "Nergensstraat 99"}, {**first, "nth": 40}, {**first, "entry": "zz"},
                {**first, "at": "Nergens"},
                {**first, "person": "nobody"}):
        with pytest.raises(Q.GoldError):
            Q.resolve(doc, {**gold, "mentions": [bad]})


def test_issue12_scoring_counts_partial_survival_and_any_own_loss():
    """The measure's two definitions: another's identifier survives when any letter or
    digit is visible ("R. Hoekstra" with only the name redacted survives); the person's
    own identifier is taken away when any character is redacted."""
    doc = {"persons": [{"id": "a", "role": "subject"}, {"id": "r", "role": "reporter"}],
           "entries": [{"id": "e", "title": "", "text": "R. Hoekstra zag Jan."}]}
    gold = {"mentions": [{"entry": "e", "field": "text", "text": "R. Hoekstra", "person": "r", "kind": "initials"},
                         {"entry": "e", "field": "text", "text": "Jan", "person": "a", "kind": "name"}]}
    mentions = Q.resolve(doc, gold)
    printed = [("e", {"title": "", "text": doc["entries"][0]["text"]}, {"text": [(3, 11), (16, 17)]}, False)]
    row = Q.score("x", "a", doc, mentions, printed)
    assert [m.text for m in row.surviving["reporter"]] == ["R. Hoekstra"]
    assert [m.text for m in row.own_taken] == ["Jan"]
    row = Q.score("x", "a", doc, mentions, [("e", printed[0][1], {"text": [(0, 11)]}, False)])
    assert row.surviving["reporter"] == [] and row.own_taken == [] and row.recall == 1.0 and row.precision == 1.0
