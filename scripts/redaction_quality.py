"""Precision and recall of the copy's redactions on made-up dossiers (issue 12 item 2).

    PYTHONPATH=$PWD .venv/bin/python scripts/redaction_quality.py [--details]

For every dossier under tests/fixtures/dossiers/ that has a ``gold.json`` beside its
``dossier.json``, and for every person that file lists under ``copies``, a copy is made
through the real service (import, a verified request of that person, link, create_copy
with the detector's pass) on a throw-away SQLite database, and what the copy prints
(``copies.copy_model``: every entry's title and text with the redactions in force) is
held against the gold annotations:

- an identifier of someone else *survives* when any letter or digit of it is left
  visible; it is counted under its category: ``reporter`` (anything of the melder),
  ``protected`` (the whereabouts, i.e. address, house number, postcode or city, of a
  person with a protected address), ``third_party`` (anything else of anyone else);
- an identifier of the copy's own person is *taken away* when any character of it is
  redacted (art. 13-14 of the reglement, AVG 15: their own data);
- in the person's own statement (art. 16) the names of others stay: there only the
  reporter and protected whereabouts are counted.

A gold mention: ``entry``, ``field`` (``title`` or ``text``), ``text`` (exact, case
sensitive), optional ``nth`` (which occurrence, 0-based, of ``text`` in the field),
``person`` (an id, a list of ids when it is several persons' own, or ``unlisted``),
``kind``, optional ``at`` (the part of ``text`` that identifies: "18" in "nr 18", where
the word "nr" says it is a house number but is no identifier; the rules take only the
number). Without ``nth`` a mention is every occurrence not already taken by a longer
mention (mentions are matched longest first).

The test tests/backoffice/test_redaction_quality.py runs ``measure`` and asserts that no
reporter or protected identifier survives. The table in docs/detection.md is printed by
this script.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "dossiers"
WHEREABOUTS = {"address", "house_number", "postcode", "city"}
CATEGORIES = ("reporter", "protected", "third_party")


class GoldError(ValueError):
    """A gold file that does not fit its dossier (a text that is not there, overlaps)."""


@dataclass(frozen=True)
class Mention:
    entry: str
    field: str
    start: int
    end: int
    text: str
    persons: tuple[str, ...]
    kind: str


@dataclass
class Row:
    """One person's copy of one dossier, measured."""

    dossier: str
    person: str
    entries: int = 0
    others: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CATEGORIES})
    surviving: dict[str, list[Mention]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    own: int = 0
    own_taken: list[Mention] = field(default_factory=list)
    unannotated: list[tuple[str, str, str]] = field(default_factory=list)  # (entry, field, redacted text)

    @property
    def others_total(self) -> int:
        return sum(self.others.values())

    @property
    def others_redacted(self) -> int:
        return self.others_total - sum(len(v) for v in self.surviving.values())

    @property
    def recall(self) -> float:
        return self.others_redacted / self.others_total if self.others_total else 1.0

    @property
    def precision(self) -> float:
        hits = self.others_redacted
        return hits / (hits + len(self.own_taken)) if hits + len(self.own_taken) else 1.0


# --- gold ------------------------------------------------------------------------------------

def fixtures() -> list[str]:
    """The dossier folders that have a gold file."""
    return sorted(p.parent.name for p in FIXTURES.glob("*/gold.json"))


def load(name: str) -> tuple[dict, dict]:
    folder = FIXTURES / name
    return (json.loads((folder / "dossier.json").read_text(encoding="utf-8")),
            json.loads((folder / "gold.json").read_text(encoding="utf-8")))


def _occurrences(text: str, needle: str) -> list[int]:
    out, pos = [], text.find(needle)
    while pos >= 0:
        out.append(pos)
        pos = text.find(needle, pos + 1)
    return out


def resolve(doc: dict, gold: dict) -> list[Mention]:
    """The gold mentions with their offsets in the dossier's texts."""
    entries = {e["id"]: e for e in doc["entries"]}
    persons = {p["id"] for p in doc["persons"]} | {"unlisted"}
    taken: dict[tuple[str, str], list[tuple[int, int]]] = {}
    out: list[Mention] = []
    order = sorted(gold["mentions"], key=lambda m: (-len(m["text"]), "nth" not in m))
    for m in order:
        entry = entries.get(m["entry"])
        if entry is None:
            raise GoldError(f"{m['entry']}: no such entry")
        who = tuple(m["person"]) if isinstance(m["person"], list) else (m["person"],)
        if not set(who) <= persons:
            raise GoldError(f"{m}: unknown person")
        text = (entry.get("title") or "") if m["field"] == "title" else entry["text"]
        starts = _occurrences(text, m["text"])
        if "nth" in m:
            if m["nth"] >= len(starts):
                raise GoldError(f"{m}: occurrence {m['nth']} not in the {m['field']}")
            starts = [starts[m["nth"]]]
        claimed = taken.setdefault((m["entry"], m["field"]), [])
        free = [s for s in starts if not any(s < b and a < s + len(m["text"]) for a, b in claimed)]
        if not free:
            raise GoldError(f"{m}: not in the {m['field']} (or only inside a longer mention)")
        if "nth" in m and len(free) != 1:
            raise GoldError(f"{m}: overlaps a longer mention")
        for s in free:
            claimed.append((s, s + len(m["text"])))
            start, end = s, s + len(m["text"])
            if "at" in m:  # only this part of the text identifies ("18" in "nr 18")
                inner = m["text"].find(m["at"])
                if inner < 0 or not m["at"]:
                    raise GoldError(f"{m}: 'at' is not in its text")
                start, end = s + inner, s + inner + len(m["at"])
            out.append(Mention(m["entry"], m["field"], start, end, text[start:end], who, m["kind"]))
    return sorted(out, key=lambda x: (x.entry, x.field, x.start))


def category(m: Mention, subject: str, persons: dict[str, dict], *, own_statement: bool) -> str | None:
    """What ``m`` is in ``subject``'s copy: ``own``, a category of others, or None (a
    third party's name in the subject's own statement: it stays, art. 16)."""
    if subject in m.persons:
        return "own"
    if any(persons.get(p, {}).get("role") == "reporter" for p in m.persons):
        return "reporter"
    if m.kind in WHEREABOUTS and any(persons.get(p, {}).get("protected_address") for p in m.persons):
        return "protected"
    return None if own_statement else "third_party"


def _covered(spans: Iterable[tuple[int, int]], start: int, end: int, text: str) -> tuple[bool, bool]:
    """(every letter or digit of text[start:end] is redacted, any character is)."""
    mask = [False] * (end - start)
    for a, b in spans:
        for i in range(max(a, start), min(b, end)):
            mask[i - start] = True
    chars = [mask[i] for i in range(end - start) if text[start + i].isalnum()]
    return all(chars), any(mask)


def score(dossier: str, subject: str, doc: dict, mentions: Sequence[Mention],
          printed: Sequence[tuple[str, dict[str, str], dict[str, list[tuple[int, int]]], bool]]) -> Row:
    """One copy: ``printed`` holds per printed entry (entry id, {field: text},
    {field: [(start, end) redactions in force]}, is the subject's own statement)."""
    persons = {p["id"]: p for p in doc["persons"]}
    row = Row(dossier, subject, entries=len(printed))
    by_entry: dict[str, list[Mention]] = {}
    for m in mentions:
        by_entry.setdefault(m.entry, []).append(m)
    for entry_id, texts, spans, own_statement in printed:
        gold = by_entry.get(entry_id, [])
        for m in gold:
            text = texts.get(m.field, "")
            if text[m.start:m.end] != m.text:
                raise GoldError(f"{m}: the copy prints another text there")
            cat = category(m, subject, persons, own_statement=own_statement)
            if cat is None:
                continue
            hidden, touched = _covered(spans.get(m.field, []), m.start, m.end, text)
            if cat == "own":
                row.own += 1
                if touched:
                    row.own_taken.append(m)
            else:
                row.others[cat] += 1
                if not hidden:
                    row.surviving[cat].append(m)
        for fld, field_spans in spans.items():
            for a, b in field_spans:
                if not any(m.field == fld and m.start < b and a < m.end for m in gold):
                    row.unannotated.append((entry_id, fld, texts.get(fld, "")[a:b]))
    return row


# --- the copies, made through the real service ----------------------------------------------

def printed_parts(copy) -> list[tuple[str, dict[str, str], dict[str, list[tuple[int, int]]], bool]]:
    """What the copy prints, from the one document model of the PDF and the workbench."""
    from portal.services import copies

    out = []
    for part in copies.copy_model(copy).parts:
        if not part.printed or part.copy_entry is None:
            continue
        entry = part.copy_entry.entry
        if part.text_field != "text":
            raise GoldError(f"{entry.entry_id}: an amended text; the gold is about the dossier's text")
        spans: dict[str, list[tuple[int, int]]] = {"title": [], "text": []}
        for mark in part.marks:
            if mark.in_force:
                spans["title" if mark.field == "title" else "text"].append((mark.start, mark.end))
        own = entry.kind == "own_statement" and entry.source_person is not None \
            and entry.source_person.person_id == copy.link.person.person_id
        out.append((entry.entry_id, {"title": part.title or "", "text": part.text}, spans, own))
    return out


def measure(app, caseworker_id: int, names: Sequence[str] | None = None) -> list[Row]:
    """Every gold copy of every fixture, made through the service on ``app``."""
    from portal.infra.extensions import db
    from tests.backoffice.copy_helpers import get_copy, import_doc, make_copy, verified_request

    rows = []
    for name in names or fixtures():
        doc, gold = load(name)
        mentions = resolve(doc, gold)
        import_doc(app, doc)
        for person in gold["copies"]:
            reference = verified_request(app, caseworker_id)
            copy_id = make_copy(app, caseworker_id, reference, doc["dossier_id"], person)
            with app.app_context():
                printed = printed_parts(get_copy(app, copy_id))
                db.session.remove()
            rows.append(score(name, person, doc, mentions, printed))
    return rows


# --- the table ---------------------------------------------------------------------------------

def table(rows: Sequence[Row]) -> str:
    head = ("| dossier | copy for | entries | others (reporter / protected / third party) "
            "| surviving: reporter | protected | third party | own | own taken away "
            "| precision | recall | other redactions |")
    lines = [head, "|" + " --- |" * 12]
    total = Row("**all**", "")
    for r in rows:
        lines.append(_line(r))
        total.entries += r.entries
        for c in CATEGORIES:
            total.others[c] += r.others[c]
            total.surviving[c] += r.surviving[c]
        total.own += r.own
        total.own_taken += r.own_taken
        total.unannotated += r.unannotated
    lines.append(_line(total))
    return "\n".join(lines)


def _line(r: Row) -> str:
    o, s = r.others, r.surviving
    return (f"| {r.dossier} | {r.person} | {r.entries} | {o['reporter']} / {o['protected']} / {o['third_party']} "
            f"| {len(s['reporter'])} | {len(s['protected'])} | {len(s['third_party'])} | {r.own} "
            f"| {len(r.own_taken)} | {r.precision:.3f} | {r.recall:.3f} | {len(r.unannotated)} |")


def details(rows: Sequence[Row]) -> str:
    out = []
    for r in rows:
        for c in CATEGORIES:
            for m in r.surviving[c]:
                out.append(f"- {r.dossier} {r.person}: {c} survives: {m.entry}.{m.field} {m.text!r} ({m.kind})")
        for m in r.own_taken:
            out.append(f"- {r.dossier} {r.person}: own taken away: {m.entry}.{m.field} {m.text!r} ({m.kind})")
        for entry, fld, text in r.unannotated:
            out.append(f"- {r.dossier} {r.person}: other redaction: {entry}.{fld} {text!r}")
    return "\n".join(out)


def _app(tmp: Path):
    from argon2 import PasswordHasher
    from flask_migrate import upgrade

    from portal import create_app
    from portal.infra.extensions import db
    from portal.models import Staff, utcnow

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'quality.sqlite3'}",
                      "SERVER_NAME": "portal.test", "PUBLIC_BASE_URL": "http://portal.test", "MAIL_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "HUEY_IMMEDIATE": True,
                      "AUDIT_CHECKPOINT_PATH": str(tmp / "checkpoints.log")})
    with app.app_context():
        upgrade()
        staff = Staff(username="quality", display_name="Meting", role="caseworker",
                      password_hash=PasswordHasher().hash("not used: no login in this script"),
                      confidentiality_recorded_at=utcnow())
        db.session.add(staff)
        db.session.commit()
        staff_id = staff.id
        db.session.remove()
    return app, staff_id


def main(argv: Sequence[str] | None = None) -> int:
    import os
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="list every survivor, loss and other redaction")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("DESTRUCTION_JOURNAL", str(Path(tmp) / "journal.jsonl"))
        app, staff_id = _app(Path(tmp))
        rows = measure(app, staff_id)
    print(table(rows))
    if args.details:
        print()
        print(details(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
