"""Decided corrections (art. 15) and own statements (art. 16) as every later copy shows
them: a deleted entry left out, a shielded one as its line only, an improved one with
its new text (redacted like any entry), and the person's own statements in full.

The correction and statement services (portal/services/rectification/) write them;
the copy reads them here, so the copy never imports the correction service."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from flask import current_app
from ... import labels
from ...documents.copy_document import EntryView
from ...infra.extensions import db
from ...models import DossierEntry, DossierPerson, EntryAmendment, OwnStatement
from ...rules import redaction as R
from .common import DELETE, IMPROVE, SHIELD, lang_pick
from .redact import detector_spans, merged, segments


# --- decided corrections (art. 15) and own statements (art. 16) as every later copy shows them ---

@dataclass(frozen=True)
class Effective:
    """What a copy shows of an entry after decided corrections: ``delete`` (left out)
    outweighs ``shield`` (only "Afgeschermd (artikel 15)"), which outweighs ``improve``
    (the latest new text, with "Gecorrigeerd op <date> (artikel 15)")."""

    kind: str
    new_text: str | None
    decided_on: date
    amendment_id: int | None = None  # the correction whose new text this is (the copy's redactions refer to it)


_WEIGHT = {IMPROVE: 0, SHIELD: 1, DELETE: 2}


def effective_amendments(entry_pks: Iterable[int]) -> dict[int, Effective]:
    pks = sorted(set(entry_pks))
    if not pks:
        return {}
    return _effective(db.session.execute(db.select(EntryAmendment).where(EntryAmendment.entry_pk.in_(pks))
                                         .order_by(EntryAmendment.id)).scalars())


def effective_in_copy(copy_id: int) -> dict[int, Effective]:
    """``effective_amendments`` of a stored copy's entries, in one statement without
    reading the copy's entries (the workbench's in-place answer, issue 12)."""
    from ...models import CopyEntry

    in_copy = db.select(CopyEntry.entry_pk).where(CopyEntry.copy_id == copy_id)
    return _effective(db.session.execute(db.select(EntryAmendment).where(EntryAmendment.entry_pk.in_(in_copy))
                                         .order_by(EntryAmendment.id)).scalars())


def _effective(rows) -> dict[int, Effective]:
    out: dict[int, Effective] = {}
    for a in rows:
        now = out.get(a.entry_pk)
        if now is None or _WEIGHT[a.kind] >= _WEIGHT[now.kind]:
            out[a.entry_pk] = Effective(a.kind, a.new_text, a.decided_on, a.id)
    return out


class ShieldedEntry:
    """A shielded entry as the copy's plan holds it: the entry, without its attachments
    (a shielded entry shows only its line; nothing of it, no attachment, goes along)."""

    attachments = ()

    def __init__(self, entry: DossierEntry):
        self._entry = entry

    def __getattr__(self, name):
        return getattr(self._entry, name)


class Plan(list):
    """The plan of a copy (``copies.plan``): the planned entries, and what the document
    made from it needs besides: the person's own statements (art. 16, ``statements``),
    and the copy's person, the dossier's persons and who else reads (to redact an
    improved entry's new text, art. 15)."""

    def __init__(self, entries=(), *, statements: Sequence["PlannedStatement"] = (), subject_ref: str = "",
                 persons: Sequence = (), readers: Sequence[str] = ()):
        super().__init__(entries)
        self.statements = tuple(statements)
        self.subject_ref = subject_ref
        self.persons = tuple(persons)
        self.readers = tuple(readers)


#: What a copy prints in place of a shielded entry (nl, en).
SHIELD_LABEL = ("Afgeschermd (artikel 15)", "Shielded (article 15)")


@dataclass(frozen=True)
class PlannedStatement:
    statement: OwnStatement
    spans: tuple[tuple[int, int, str], ...]  # (start, end, ground): the reporter, protected whereabouts
    found: tuple[R.Span, ...] = ()  # the same, with the person and the kind (for the workbench)


def statements_of(person: DossierPerson) -> list[OwnStatement]:
    return list(db.session.execute(db.select(OwnStatement).filter_by(person_pk=person.id)
                                   .order_by(OwnStatement.added_at, OwnStatement.id)).scalars())


#: What is ever taken out of the person's own words (art. 16, 14.2): the reporter and a
#: protected person's whereabouts. The names of others the person wrote are theirs to
#: have written; the copy promises the statement in full.
STATEMENT_GROUNDS = frozenset({R.REPORTER_PROTECTION, R.SAFETY})


def statement_spans(text: str, persons, subject_ref: str, readers: Iterable[str] = ()) -> tuple[R.Span, ...]:
    """The redactions of a person's own statement: only the reporter's identifiers and a
    protected person's whereabouts (where others read), merged."""
    if not text:
        return ()
    found = [s for s in R.find_known_identifiers(text, persons, copy_for=subject_ref, readers=tuple(readers))
             if s.ground in STATEMENT_GROUNDS]
    return tuple(merged(found))


def known_spans(text: str, persons, subject_ref: str, readers: Iterable[str] = ()) -> tuple[tuple[int, int, str], ...]:
    """A statement's redactions as (start, end, ground) (``statement_spans``)."""
    return tuple((s.start, s.end, s.ground) for s in statement_spans(text, persons, subject_ref, readers))


def own_statement_entry(entry: DossierEntry, person: DossierPerson) -> bool:
    """An entry that is ``person``'s own statement, as the registration system carries
    it (art. 16): redacted as the statement is (``statement_spans``), never by the
    detector."""
    return entry.kind == "own_statement" and entry.source_person_pk == person.id


def amended_known(text: str, persons, subject_ref: str, readers: Iterable[str] = ()) -> tuple[R.Span, ...]:
    """The known identifiers of others in an improved entry's new text (VT's words, like
    any entry), merged: what a stored copy gets at once; the detector's pass follows in
    the background (``link.run_detection``), deduce included (issue 12)."""
    if not text:
        return ()
    return tuple(merged(R.find_known_identifiers(text, persons, copy_for=subject_ref, readers=tuple(readers))))


def amended_text_found(text: str, persons, subject_ref: str, readers: Iterable[str] = (), *,
                       deduce: bool = True) -> tuple[R.Span, ...]:
    """An improved entry's new text: the known identifiers of others and the free-text
    detector(s), merged; a span without a person is the detector's. For a plan's
    document (the CLI's draft); a stored copy stores these (``copies.texts``)."""
    if not text:
        return ()
    known = list(amended_known(text, persons, subject_ref, readers))
    return tuple(merged(known + detector_spans(text, persons, subject_ref, known, deduce=deduce)))


def amended_text_spans(text: str, persons, subject_ref: str,
                       readers: Iterable[str] = ()) -> tuple[tuple[int, int, str], ...]:
    """``amended_text_found`` as (start, end, ground)."""
    return tuple((s.start, s.end, s.ground) for s in amended_text_found(text, persons, subject_ref, readers))


def copy_statements(person: DossierPerson) -> list[OwnStatement]:
    """The person's own statements for their copy. One the registration system has taken
    over (a newer export holds an ``own_statement`` entry of this person with the same
    text) is in the copy as that entry already: not twice."""
    carried = {" ".join(text.split()) for text in db.session.execute(
        db.select(DossierEntry.text).where(DossierEntry.dossier_pk == person.dossier_pk,
                                           DossierEntry.kind == "own_statement",
                                           DossierEntry.source_person_pk == person.id)).scalars()}
    return [st for st in statements_of(person) if not (st.text and " ".join(st.text.split()) in carried)]


def planned_statements(person: DossierPerson, persons, readers: Iterable[str] = ()) -> list[PlannedStatement]:
    """``copy_statements`` with their redactions (``statement_spans``), for a plan."""
    out = []
    for st in copy_statements(person):
        found = statement_spans(st.text, persons, person.person_id, readers)
        out.append(PlannedStatement(st, tuple((s.start, s.end, s.ground) for s in found), found))
    return out


def _local_date(moment) -> date:
    from datetime import timezone
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def statement_date(statement: OwnStatement) -> date:
    """The day a statement was added, as the copy prints it and orders it among the entries."""
    return _local_date(statement.added_at)


def with_statements(views: Sequence[tuple[int, "EntryView"]], statements: Sequence[PlannedStatement],
                    lang: str) -> tuple:
    """The copy's entries (``(entry_pk, view)``, in date order) with the person's own
    statements (art. 16) put in by the date they were added, numbered 1, 2, ... in that
    order. A statement is printed in full, marked as the person's own, with a line per
    entry it answers ("stuk 3") and a line about its PDF. Runs inside force_locale."""
    return tuple(view for _what, view in in_order(views, statements, lang))


def in_order(views: Sequence[tuple[int, "EntryView"]], statements: Sequence[PlannedStatement],
             lang: str) -> list[tuple[object, "EntryView"]]:
    """``with_statements`` with what each printed view is: ``(entry_pk, view)`` for an
    entry, ``(PlannedStatement, view)`` for a statement."""
    from dataclasses import replace

    from flask_babel import format_date

    from ...labels import LONG_DATE

    rows = [(v.date, 0, i, ("entry", pk, v)) for i, (pk, v) in enumerate(views)]
    rows += [(_local_date(ps.statement.added_at), 1, i, ("statement", None, ps)) for i, ps in enumerate(statements)]
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    numbers = {pk: n for n, (_d, _k, _i, (kind, pk, _x)) in enumerate(rows, start=1) if kind == "entry"}
    out = []
    for n, (when, _k, _i, (kind, pk, obj)) in enumerate(rows, start=1):
        if kind == "entry":
            out.append((pk, replace(obj, number=n)))
            continue
        st = obj.statement
        person = st.person
        lines = []
        for e in st.responds_to:
            kind_label = str(labels.ENTRY_KIND_NAMES.get(e.kind, e.kind))
            day = format_date(e.date, LONG_DATE)
            if e.id in numbers:
                lines.append(lang_pick((f"Deze verklaring gaat over stuk {numbers[e.id]} ({kind_label}, {day}).",
                                    f"This statement is about entry {numbers[e.id]} ({kind_label}, {day})."), lang))
            else:
                lines.append(lang_pick((f"Deze verklaring gaat over een stuk van {day} ({kind_label}).",
                                    f"This statement is about an entry of {day} ({kind_label})."), lang))
        if st.pdf_sha256:
            lines.append(lang_pick(("Bij deze verklaring hoort ook een PDF. Die zit in het dossier, maar niet in dit "
                                "afschrift. Wilt u hem hebben? Vraag het ons.",
                                "A PDF belongs to this statement. It is in the dossier, but not in this copy. "
                                "Would you like it? Ask us."), lang))
        source = person.relation if person.role == "subject" and person.relation else \
            str(labels.SOURCE_NAMES.get(person.role, labels.SOURCE_NAMES["third_party"]))
        out.append((obj, EntryView(
            number=n, date=when, kind_label=str(labels.ENTRY_KIND_NAMES["own_statement"]), title=(),
            source_label=source,
            nature_label=lang_pick(("eigen verklaring (artikel 16)", "own statement (article 16)"), lang),
            text=segments(st.text, list(obj.spans)) if st.text else (),
            own_statement=True, withheld_label=None, attachment_lines=tuple(lines))))
    return out
