"""The plan of a copy: which entries (art. 13, ``rules.selection``) and which automatic
redactions (art. 14.2, ``rules.redaction`` and the detector), pure given the dossier."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ...models import CopyRedaction, Dossier, DossierEntry, DossierPerson
from ...rules import redaction as R
from ...rules.selection import entries_for_copy
from .common import DELETE, FIELDS, SHIELD, entry_value, person_value
from .redact import detector_spans, merged
from .amendments import (Plan, ShieldedEntry, effective_amendments, own_statement_entry, planned_statements,
                         statement_spans)


# --- the plan: which entries, which redactions (pure given the dossier) ------------------

@dataclass(frozen=True)
class PlannedRedaction:
    field: str
    start: int
    end: int
    ground: str
    origin: str
    kind: str
    person_ref: str | None


@dataclass(frozen=True)
class PlannedEntry:
    entry: DossierEntry
    redactions: tuple[PlannedRedaction, ...]


def plan(dossier: Dossier, subject: DossierPerson, *, requester_is_subject: bool, readers: Iterable[str] = (),
         requester_ref: str | None = None, joint: bool = False, detect: bool = True,
         progress=None) -> list[PlannedEntry]:
    """The entries of ``subject``'s copy (art. 13) with their automatic redactions
    (art. 14.2): the known identifiers of every other person, the reporter always, a
    protected person's whereabouts; and, with ``detect``, the free-text detector.

    Decided corrections (art. 15, ``EntryAmendment``): a deleted entry is left out; a
    shielded entry is kept (it prints only "Afgeschermd (artikel 15)") without its
    redactions or attachments; an improved entry keeps the redactions of its original
    text here: the copy prints the new text, whose redactions a stored copy stores
    beside these (``texts.remake``, issue 12) and a plan's document makes
    (``document_from_plan``). The subject's own statements (art. 16) ride along as
    ``statements`` of the returned plan (they are not dossier entries), with only the
    reporter and protected whereabouts redacted in them. ``progress(done, total)``: told
    after each entry (the job queue shows how far it is, issue 12)."""

    persons = [person_value(p) for p in dossier.persons]
    by_id = {e.entry_id: e for e in dossier.entries}
    chosen = entries_for_copy([entry_value(e) for e in dossier.entries], subject_id=subject.person_id,
                              requester_is_subject=requester_is_subject, persons=persons,
                              requester_id=requester_ref, joint=joint)
    readers = tuple(readers)
    amended = effective_amendments(by_id[v.id].id for v in chosen)
    out = []
    for done, value in enumerate(chosen):
        if progress is not None:
            progress(done, len(chosen))
        row = by_id[value.id]
        eff = amended.get(row.id)
        if eff is not None and eff.kind == DELETE:
            continue
        if eff is not None and eff.kind == SHIELD:
            out.append(PlannedEntry(ShieldedEntry(row), ()))
            continue
        planned: list[PlannedRedaction] = []
        for field in FIELDS:
            text = (row.title or "") if field == "title" else row.text
            if not text:
                continue
            if own_statement_entry(row, subject):  # art. 16: in full, but for the reporter and whereabouts
                spans = list(statement_spans(text, persons, subject.person_id, readers))
            else:
                spans = merged(R.find_known_identifiers(text, persons, copy_for=subject.person_id, readers=readers))
            if detect and not own_statement_entry(row, subject):
                spans = merged(spans + detector_spans(text, persons, subject.person_id, spans))
            for s in spans:
                origin = CopyRedaction.KNOWN if s.person_id else CopyRedaction.DETECTOR
                planned.append(PlannedRedaction(field, s.start, s.end, s.ground, origin, s.kind, s.person_id or None))
        out.append(PlannedEntry(row, tuple(planned)))
    return Plan(out, statements=planned_statements(subject, persons, readers), subject_ref=subject.person_id,
                   persons=persons, readers=readers)
