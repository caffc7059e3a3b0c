"""The texts a copy prints besides the dossier's own: the new text of an improved entry
(art. 15) and the person's own statements (art. 16). Their redactions are stored rows
like those of a dossier text (``CopyRedaction.field`` ``amended`` with the correction's
``amendment_id``, or ``statement`` with the ``statement_id``), so that a caseworker
confirms, lifts or adds one on the workbench as anywhere else, a lift of the reporter's
or a protected address's needs a team leader's signature as anywhere else, and the PDF
prints exactly those rows (issue 12, item 0).

They are made with the copy (``link.create_copy``) and made again (``remake``) when a
correction or an own statement lands while the copy is unreleased
(``rectification.copies_to_redo``), and, for a copy made before they were stored, when
it is opened on the workbench or rendered. A text that did not change keeps its rows and
every decision on them (a lifted one stays lifted). The rows of a text the copy no
longer prints go; a decision on them carries over to a redaction of the same words in
the new text, and a caseworker's own redaction follows its words into the new text.

An own statement is shown in full: only the reporter and a protected person's
whereabouts are ever taken from it (``STATEMENT_GROUNDS``), by the rules or by hand."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...infra.extensions import db
from ...models import Copy, CopyRedaction, DossierEntry, EntryAmendment, OwnStatement, Request
from ...rules import redaction as R
from .amendments import STATEMENT_GROUNDS, amended_known, copy_statements, effective_amendments, statement_spans
from .common import IMPROVE, person_value, readers_of

AMENDED, STATEMENT = "amended", "statement"


@dataclass(frozen=True)
class Target:
    """One text of the copy that redactions are made in: ``field`` ``title`` or ``text``
    of the dossier entry ``entry_pk``, ``amended`` (the new text of correction
    ``amendment_id`` of that entry) or ``statement`` (own statement ``statement_id``)."""

    field: str
    text: str
    entry_pk: int | None = None
    amendment_id: int | None = None
    statement_id: int | None = None

    @property
    def key(self) -> tuple:
        return (self.field, self.entry_pk, self.amendment_id, self.statement_id)

    @property
    def grounds(self) -> frozenset[str] | None:
        """The only grounds a redaction in this text may have (None: any)."""
        return STATEMENT_GROUNDS if self.field == STATEMENT else None

    def owns(self, r: CopyRedaction) -> bool:
        return key_of(r) == self.key

    def row(self, **values) -> CopyRedaction:
        return CopyRedaction(entry_pk=self.entry_pk, field=self.field, amendment_id=self.amendment_id,
                             statement_id=self.statement_id, **values)


def key_of(r: CopyRedaction) -> tuple:
    return (r.field, r.entry_pk, r.amendment_id, r.statement_id)


def made_targets(copy: Copy, amended: dict | None = None) -> list[Target]:
    """The amended texts of the copy's improved entries and the person's own statements."""
    if amended is None:
        amended = effective_amendments(ce.entry_pk for ce in copy.entries)
    out = []
    for ce in copy.entries:
        eff = amended.get(ce.entry_pk)
        if eff is not None and eff.kind == IMPROVE and eff.new_text:
            out.append(Target(AMENDED, eff.new_text, ce.entry_pk, eff.amendment_id))
    out += [Target(STATEMENT, st.text, statement_id=st.id) for st in copy_statements(copy.link.person) if st.text]
    return out


def entry_targets(entry: DossierEntry, amended_target: Target | None) -> list[Target]:
    """The texts of one entry the copy prints: its title, and its text or (improved) the new one."""
    return [Target("title", entry.title or "", entry.id), amended_target or Target("text", entry.text or "", entry.id)]


def text_of(r: CopyRedaction) -> str:
    """The text a stored redaction's offsets are in."""
    if r.field == STATEMENT:
        st = db.session.get(OwnStatement, r.statement_id)
        return (st.text or "") if st is not None else ""
    if r.field == AMENDED:
        a = db.session.get(EntryAmendment, r.amendment_id)
        return (a.new_text or "") if a is not None else ""
    e = db.session.get(DossierEntry, r.entry_pk)
    if e is None:
        return ""
    return (e.title or "") if r.field == "title" else (e.text or "")


def phrase_spans(text: str, phrase: str) -> list[tuple[int, int]]:
    """Every place ``phrase`` stands in ``text``, whole words, whatever the case, accents
    and spacing (``R.fold`` keeps offsets)."""
    words = R.fold(phrase).split()
    if not words:
        return []
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return [(m.start(), m.end()) for m in re.finditer(pattern, R.fold(text))]


def _known(t: Target, persons, subject_ref: str, readers) -> tuple[R.Span, ...]:
    if t.field == STATEMENT:
        return statement_spans(t.text, persons, subject_ref, readers)
    return amended_known(t.text, persons, subject_ref, readers)


def _carry(row: CopyRedaction, new_text: str, earlier: list[tuple[CopyRedaction, str]]) -> None:
    """A decision on the same words on the same ground in the text this one replaces
    goes to the new redaction (each earlier decision once)."""
    words = R.fold(new_text[row.start:row.end]).split()
    for n, (old, old_text) in enumerate(earlier):
        if old.state != CopyRedaction.APPLIED and old.ground == row.ground \
                and R.fold(old_text[old.start:old.end]).split() == words:
            row.state, row.reason, row.decided_by, row.decided_at = old.state, old.reason, old.decided_by, old.decided_at
            del earlier[n]
            return


def remake(copy: Copy) -> bool:
    """Make the stored redactions of the copy's amended texts and own statements agree
    with the texts it prints now (see the module). True when a row was added or removed."""
    req = db.session.get(Request, copy.request_id)
    link = copy.link
    persons = [person_value(p) for p in link.dossier.persons]
    readers = readers_of(req, link)
    subject_ref = link.person.person_id
    targets = made_targets(copy)
    keys = {t.key for t in targets}
    gone = [r for r in copy.redactions if r.field in (AMENDED, STATEMENT) and key_of(r) not in keys]
    changed = False
    for t in targets:
        earlier = [r for r in gone if t.field == AMENDED and r.field == AMENDED and r.entry_pk == t.entry_pk]
        texts = {r.id: text_of(r) for r in earlier}
        if earlier and all(texts[r.id] == t.text for r in earlier):
            for r in earlier:  # a new correction with the same words: the same redactions
                r.amendment_id = t.amendment_id
                gone.remove(r)
            earlier = []
        mine = [r for r in copy.redactions if t.owns(r)]
        have = {(r.start, r.end, r.ground) for r in mine if r.origin != CopyRedaction.STAFF}
        carried = [(r, texts[r.id]) for r in earlier if r.origin != CopyRedaction.STAFF]
        for s in _known(t, persons, subject_ref, readers):
            if (s.start, s.end, s.ground) in have:
                continue
            row = t.row(start=s.start, end=s.end, ground=s.ground,
                        origin=CopyRedaction.KNOWN if s.person_id else CopyRedaction.DETECTOR, kind=s.kind,
                        person_ref=s.person_id or None, state=CopyRedaction.APPLIED)
            _carry(row, t.text, carried)
            copy.redactions.append(row)
            changed = True
        for old in earlier:
            if old.origin != CopyRedaction.STAFF:
                continue
            for start, end in phrase_spans(t.text, texts[old.id][old.start:old.end]):
                copy.redactions.append(t.row(start=start, end=end, ground=old.ground, origin=CopyRedaction.STAFF,
                                             kind=old.kind, state=old.state, reason=old.reason,
                                             decided_by=old.decided_by, decided_at=old.decided_at))
                changed = True
    for r in gone:
        copy.redactions.remove(r)
        changed = True
    return changed
