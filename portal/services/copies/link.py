"""Steps 1 and 2 of the copy: link the request to the dossier person it is about (only
after every identity check, art. 20.5), and make a draft copy with every automatic
redaction; the free-text detector's pass runs as a background job."""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import func

from ...infra.extensions import db
from ...models import Copy, CopyAttachment, CopyEntry, CopyRedaction, Dossier, DossierEntry, DossierLink, Request
from ...rules import redaction as R
from ...rules.permissions import Permission
from .. import authz, casework
from ..authz import Actor
from .. import signals, timeline
from .common import CopyError, FIELDS, load, log_access, person_value, readers_of, requester_is_subject, wants_copy
from .redact import detector_spans, merged
from .amendments import own_statement_entry
from .planning import plan
from .texts import AMENDED, Target, key_of, made_targets, remake
from .loading import preload_copy, preload_dossier

log = logging.getLogger(__name__)


# --- 1. link -----------------------------------------------------------------------------

def link_dossier(actor: Actor, reference: str, dossier_id: str, person_id: str,
                 requester_person_id: str | None = None) -> DossierLink:
    """Link the request to the dossier person it is about (after art. 20.5 checks)."""
    req = load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="request", object_id=req.id, subject_ref=reference)
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="request", object_id=req.id, subject_ref=reference)
    if not casework.identity_verified(req):
        raise CopyError("identity_not_verified")
    dossier = db.session.execute(db.select(Dossier).filter_by(dossier_id=(dossier_id or "").strip())).scalar_one_or_none()
    if dossier is None:
        raise CopyError("dossier_not_found")
    persons = {p.person_id: p for p in dossier.persons}
    person = persons.get((person_id or "").strip())
    if person is None:
        raise CopyError("person_not_found")
    if person.role != "subject":
        raise CopyError("not_a_subject")
    rep = None
    if requester_person_id:
        rep = persons.get(requester_person_id.strip())
        if rep is None:
            raise CopyError("person_not_found")
        if rep.id == person.id:
            raise CopyError("same_person")
    existing = db.session.execute(db.select(DossierLink).filter_by(request_id=req.id, dossier_pk=dossier.id)).scalar_one_or_none()
    if existing is not None:
        raise CopyError("already_linked")
    link = DossierLink(request_id=req.id, dossier_pk=dossier.id, person_pk=person.id,
                       requester_person_pk=rep.id if rep else None, linked_by=actor.staff_id)
    db.session.add(link)
    timeline.event(req, "dossier_linked", "caseworker", public=False)
    log_access(actor, "dossier.link", req, reason=f"dossier {dossier.dossier_id} person {person.person_id}")
    db.session.commit()
    return link


#: ``Copy.detector_state`` while the job queue chooses the entries and redactions of a
#: big copy (issue 12: making a copy never holds a web request longer than 2 s), and
#: when that failed. Nothing can be done to the copy in either state (``editable``).
PLANNING, PLAN_FAILED = "planning", "plan_failed"


def _plan_for(req, link: DossierLink, progress=None):
    return plan(link.dossier, link.person, requester_is_subject=requester_is_subject(req),
                readers=readers_of(req, link), joint=req.joint,
                requester_ref=link.requester_person.person_id if link.requester_person else None,
                detect=False, progress=progress)


#: How often the job tells how far it is: after each tenth of the entries (a fixed
#: number of writes, whatever the size of the dossier).
PLAN_PROGRESS_STEPS = 10


def record_plan_progress(copy_id: int, pct: int) -> None:
    """How far the job is (``Copy.plan_progress``), committed on a connection of its
    own: the job's session has only read so far and keeps what it read (a commit there
    would expire the whole dossier), and the workbench reads it while the job runs."""
    with db.engine.begin() as conn:
        conn.execute(db.update(Copy).where(Copy.id == copy_id).values(plan_progress=pct))


def _progress_of(copy_id: int):
    """``plan``'s ``progress(done, total)`` as 5-90 % (storing and the texts: the rest)."""
    told = [0]

    def progress(done: int, total: int) -> None:
        step = (PLAN_PROGRESS_STEPS * done) // max(total, 1)
        if step > told[0]:
            told[0] = step
            record_plan_progress(copy_id, 5 + (85 * step) // PLAN_PROGRESS_STEPS)

    return progress


def _store(copy: Copy, planned) -> None:
    """The copy's entries, redactions and attachments: one INSERT per kind of row (the
    driver's executemany), not one per row: a 1,000-entry copy has a few thousand
    redactions (issue 12 item 3)."""
    entries, reds, atts = [], [], []
    for pos, pe in enumerate(planned):
        entries.append({"copy_id": copy.id, "entry_pk": pe.entry.id, "position": pos, "withheld": False})
        reds += [{"copy_id": copy.id, "entry_pk": pe.entry.id, "field": r.field, "start": r.start, "end": r.end,
                  "ground": r.ground, "origin": r.origin, "kind": r.kind, "person_ref": r.person_ref,
                  "state": CopyRedaction.APPLIED} for r in pe.redactions]
        atts += [{"copy_id": copy.id, "attachment_pk": att.id, "state": CopyAttachment.UNREVIEWED, "boxes_json": "[]"}
                 for att in pe.entry.attachments]
    conn = db.session.connection()
    for model, rows in ((CopyEntry, entries), (CopyRedaction, reds), (CopyAttachment, atts)):
        if rows:
            conn.execute(model.__table__.insert(), rows)


def create_copy(actor: Actor, reference: str, link_id: int) -> Copy:
    """A new draft copy for a linked dossier person, with every automatic redaction.
    Earlier drafts of the same link are withdrawn. A dossier of more entries than
    ``COPY_PLAN_INLINE_MAX`` (default 200) is planned by the job queue (``fill_copy``):
    the copy is stored at once as ``PLANNING`` and the workbench shows that it is being
    made until it is done."""
    req = load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="request", object_id=req.id, subject_ref=reference)
    if not casework.identity_verified(req):
        raise CopyError("identity_not_verified")
    if not wants_copy(req):
        raise CopyError("no_copy_right")
    link = db.session.get(DossierLink, link_id)
    if link is None or link.request_id != req.id:
        raise CopyError("link_not_found")
    size = db.session.execute(db.select(func.count(DossierEntry.id)).filter_by(dossier_pk=link.dossier_pk)).scalar_one()
    inline = size <= int(current_app.config.get("COPY_PLAN_INLINE_MAX", 200))
    for old in db.session.execute(db.select(Copy).filter_by(link_id=link.id)).scalars():
        if old.status != Copy.RELEASED and old.status != Copy.WITHDRAWN:
            old.status, old.withdrawn_reason = Copy.WITHDRAWN, Copy.REPLACED
    copy = Copy(request_id=req.id, link_id=link.id, dossier_hash=link.dossier.content_hash,
                created_by=actor.staff_id, detector_state="pending" if inline else PLANNING)
    db.session.add(copy)
    db.session.flush()
    if inline:
        held = preload_dossier(link.dossier)  # noqa: F841 - every entry's rows in a fixed number of statements
        planned = _plan_for(req, link)
        _store(copy, planned)
        db.session.expire(copy, ["entries", "redactions", "attachments"])
        remake(copy)  # the amended texts (art. 15) and own statements (art. 16): stored like the rest
        what = f"{len(planned)} entries"
    else:
        what = f"{size} dossier entries, made by the job queue"
    timeline.event(req, "copy_prepared", "caseworker", public=False)
    log_access(actor, "copy.create", req, reason=f"request {req.reference}: {what}")
    db.session.commit()
    signals.copy_created.send(copy.id)
    return copy


def fill_copy(copy_id: int) -> bool:
    """Background job: the entries and automatic redactions of a copy stored as
    ``PLANNING`` (``create_copy``), as ``plan`` chooses them. True when it filled one."""
    copy = db.session.get(Copy, copy_id)
    if copy is None or copy.detector_state != PLANNING or copy.status == Copy.WITHDRAWN:
        return False
    try:
        req = db.session.get(Request, copy.request_id)
        held = preload_dossier(copy.link.dossier)  # noqa: F841
        _store(copy, _plan_for(req, copy.link, _progress_of(copy_id)))
        db.session.expire(copy, ["entries", "redactions", "attachments"])
        remake(copy)  # the amended texts (art. 15) and own statements (art. 16)
        copy.detector_state, copy.plan_progress = "pending", 100
        db.session.commit()
        return True
    except Exception:  # noqa: BLE001 - the worker must record the failure, not lose it
        db.session.rollback()
        copy = db.session.get(Copy, copy_id)
        copy.detector_state = PLAN_FAILED
        db.session.commit()
        log.exception("making copy %s failed", copy_id)
        return False


def run_detection(copy_id: int) -> int:
    """The free-text detector pass over a copy (background job): the dossier texts and
    the new text of an improved entry (art. 15), deduce included where installed; never
    an own statement (art. 16). Adds ``detector`` redactions, applied by default, where
    no redaction of the text (lifted ones included) covers the hit already, so a second
    pass after a correction lands adds only what is new; returns how many."""
    copy = db.session.get(Copy, copy_id)
    if copy is None or copy.status == Copy.WITHDRAWN or copy.detector_state in (PLANNING, PLAN_FAILED):
        return 0
    held = preload_copy(copy)  # noqa: F841 - every entry's rows in a fixed number of statements
    persons = [person_value(p) for p in copy.link.dossier.persons]
    subject_ref = copy.link.person.person_id
    stored: dict[tuple, list[CopyRedaction]] = {}
    for r in copy.redactions:
        stored.setdefault(key_of(r), []).append(r)
    added = 0
    try:
        amended = {t.entry_pk: t for t in made_targets(copy) if t.field == AMENDED}
        for ce in copy.entries:
            if own_statement_entry(ce.entry, copy.link.person):
                continue  # the person's own words (art. 16): no detector
            targets = [Target(field, (ce.entry.title or "") if field == "title" else ce.entry.text, ce.entry_pk)
                       for field in FIELDS]
            if ce.entry_pk in amended:  # the new text is printed, not the old one: no detector on that
                targets[FIELDS.index("text")] = amended[ce.entry_pk]
            for t in targets:
                if not t.text:
                    continue
                existing = [R.Span(r.start, r.end, r.person_ref or "", r.kind, r.ground)
                            for r in stored.get(t.key, ())]
                for s in merged(detector_spans(t.text, persons, subject_ref, existing)):
                    copy.redactions.append(t.row(start=s.start, end=s.end, ground=s.ground,
                                                 origin=CopyRedaction.DETECTOR, kind=s.kind))
                    added += 1
        copy.detector_state = "done"
        if added:
            copy.version += 1
    except Exception:  # noqa: BLE001 - the worker must record the failure, not lose it
        db.session.rollback()
        copy = db.session.get(Copy, copy_id)
        copy.detector_state = "failed"
        log.exception("detector pass failed for copy %s", copy_id)
    db.session.commit()
    return added
