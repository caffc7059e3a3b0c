"""The workbench's in-place answer without the whole copy (issue 12 item 3, speed): the
parts of only the entries acted on, and the copy's counts, at a cost that does not grow
with the copy.

``entry_parts`` builds each entry with ``document.entry_part``, the code ``copy_model``
builds every entry with, so the answer shows what the PDF prints. What the whole copy
decides for one entry is asked of the database instead of read from every row: its
printed number (the entries before it, deleted ones left out, and the own statements
added on an earlier day, as ``amendments.in_order`` orders them) and the redacted
attachments printed before it (``Bijlage N``). ``tally`` counts the redactions of the
printed texts per ground, origin and state in one aggregate, with the same choice as
``copy_model`` (not a withheld, shielded or deleted entry; an improved entry's title
and new text, not its old text; the copy's own statements). Tests compare both with
the whole page after each kind of action (tests/backoffice/test_copy_workbench_fast.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from flask_babel import force_locale
from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased, subqueryload

from ...infra.extensions import db
from ...models import Copy, CopyAttachment, CopyEntry, CopyRedaction, DossierAttachment, DossierEntry, Request
from .amendments import Effective, copy_statements, effective_in_copy, statement_date
from .common import DELETE, FIELDS, IMPROVE, SHIELD
from .document import Part, entry_part
from .texts import AMENDED, STATEMENT


@dataclass(frozen=True)
class Tally:
    """The redactions of what the copy prints: ``rows`` of (ground, origin, state, n);
    ``counts``: those in force per ground (``CopyModel.counts``, the cover letter's)."""

    rows: tuple[tuple[str, str, str, int], ...]

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for ground, _origin, state, n in self.rows:
            if state != CopyRedaction.LIFTED:
                out[ground] = out.get(ground, 0) + n
        return out


def _left_out(amended: dict[int, Effective]) -> tuple[set[int], dict[int, Effective]]:
    """The entries nothing of whose text is printed (deleted, shielded) and the improved
    ones (their new text printed instead of the old)."""
    gone = {pk for pk, eff in amended.items() if eff.kind in (DELETE, SHIELD)}
    improved = {pk: eff for pk, eff in amended.items()
                if eff.kind == IMPROVE and eff.new_text and pk not in gone}
    return gone, improved


def tally(copy: Copy, amended: dict[int, Effective] | None = None,
          statement_ids: Iterable[int] | None = None) -> Tally:
    """The redactions of the printed texts per ground, origin and state: one aggregate."""
    if amended is None:
        amended = effective_in_copy(copy.id)
    if statement_ids is None:
        statement_ids = [st.id for st in copy_statements(copy.link.person)]
    gone, improved = _left_out(amended)
    r = CopyRedaction
    printed_entry = db.select(CopyEntry.id).where(CopyEntry.copy_id == r.copy_id, CopyEntry.entry_pk == r.entry_pk,
                                                  CopyEntry.withheld.is_(False)).exists()
    entry_ok = and_(printed_entry, r.entry_pk.not_in(sorted(gone)))
    which = or_(
        and_(r.field.in_(FIELDS), entry_ok, ~and_(r.field == "text", r.entry_pk.in_(sorted(improved)))),
        and_(r.field == AMENDED, entry_ok, r.entry_pk.in_(sorted(improved)),
             r.amendment_id.in_(sorted(eff.amendment_id for eff in improved.values()))),
        and_(r.field == STATEMENT, r.statement_id.in_(sorted(statement_ids))),
    )
    state = func.coalesce(r.state, CopyRedaction.APPLIED)
    rows = db.session.execute(db.select(r.ground, r.origin, state, func.count())
                              .where(r.copy_id == copy.id, which).group_by(r.ground, r.origin, state)
                              .order_by(r.ground, r.origin, state)).all()
    return Tally(tuple((g, o, s, int(n)) for g, o, s, n in rows))


def entry_parts(copy: Copy, entry_pks: Iterable[int]) -> tuple[list[Part], Tally]:
    """The parts of the entries ``entry_pks`` of ``copy`` (not a deleted one), numbered
    as printed, and the copy's ``tally``: a fixed number of statements, whatever the
    size of the copy."""
    pks = sorted(set(entry_pks))
    req: Request = db.session.get(Request, copy.request_id)
    link = copy.link
    lang = req.language or "nl"
    amended = effective_in_copy(copy.id)
    gone, _improved = _left_out(amended)
    deleted = sorted(pk for pk, eff in amended.items() if eff.kind == DELETE)
    statements = copy_statements(link.person)
    counted = tally(copy, amended, [st.id for st in statements])
    if not pks:
        return [], counted
    # Per entry: the entries printed before it (as in_order sorts: date, then place in
    # the copy) and the redacted attachments printed before it (not of a shielded or a
    # withheld entry: those print none, ``document.entry_part``).
    t, te = aliased(CopyEntry), aliased(DossierEntry)
    o, oe = aliased(CopyEntry), aliased(DossierEntry)
    before = (db.select(func.count()).select_from(o).join(oe, oe.id == o.entry_pk)
              .where(o.copy_id == copy.id, o.entry_pk.not_in(deleted),
                     or_(oe.date < te.date, and_(oe.date == te.date, o.position < t.position)))
              .correlate(t, te).scalar_subquery())
    ca, da, ae = aliased(CopyAttachment), aliased(DossierAttachment), aliased(CopyEntry)
    attached = (db.select(func.count()).select_from(ca).join(da, da.id == ca.attachment_pk)
                .join(ae, and_(ae.copy_id == ca.copy_id, ae.entry_pk == da.entry_pk))
                .where(ca.copy_id == copy.id, ca.state == CopyAttachment.REDACTED, ae.position < t.position,
                       ae.withheld.is_(False), ae.entry_pk.not_in(sorted(gone)))
                .correlate(t).scalar_subquery())
    places = {pk: (day, int(n), int(a)) for pk, day, n, a in db.session.execute(
        db.select(t.entry_pk, te.date, before, attached).join(te, te.id == t.entry_pk)
        .where(t.copy_id == copy.id, t.entry_pk.in_(pks))).all()}
    rows = db.session.execute(db.select(CopyEntry).where(CopyEntry.copy_id == copy.id, CopyEntry.entry_pk.in_(pks))
                              .options(subqueryload(CopyEntry.entry).subqueryload(DossierEntry.source_person))
                              .order_by(CopyEntry.position)).scalars().all()
    reds: dict[int, list[CopyRedaction]] = {}
    for red in db.session.execute(db.select(CopyRedaction)
                                  .where(CopyRedaction.copy_id == copy.id, CopyRedaction.entry_pk.in_(pks))
                                  .order_by(CopyRedaction.entry_pk, CopyRedaction.field, CopyRedaction.start)).scalars():
        reds.setdefault(red.entry_pk, []).append(red)
    atts: dict[int, list[CopyAttachment]] = {}
    for cat, entry_pk in db.session.execute(
            db.select(CopyAttachment, DossierAttachment.entry_pk)
            .join(DossierAttachment, DossierAttachment.id == CopyAttachment.attachment_pk)
            .where(CopyAttachment.copy_id == copy.id, DossierAttachment.entry_pk.in_(pks))
            .order_by(CopyAttachment.id)).all():
        atts.setdefault(entry_pk, []).append(cat)
    days = [statement_date(st) for st in statements]
    out = []
    with force_locale(lang):
        for ce in rows:
            eff = amended.get(ce.entry_pk)
            if eff is not None and eff.kind == DELETE:
                continue
            day, n_before, attachment_no = places[ce.entry_pk]
            part, _n = entry_part(ce, eff, reds.get(ce.entry_pk, []), atts.get(ce.entry_pk, []), attachment_no,
                                  link.person.person_id, lang, {})
            number = 1 + n_before + sum(1 for d in days if d < day)
            out.append(replace(part, view=replace(part.view, number=number)))  # numbered as printed
    return out, counted

