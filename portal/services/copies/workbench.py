"""Step 3, the workbench: open a copy (a logged read), lift or confirm a redaction, redact
a phrase, withhold or restore an entry, open and review an attachment (redacted to
pixels). Every change makes a new version of the copy."""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from flask import current_app
from ...infra.extensions import db
from ...models import AuditEvent, Copy, CopyAttachment, CopyEntry, CopyRedaction, Request, utcnow
from ...rules import redaction as R
from ...rules.permissions import Permission
from .. import authz, signals
from ..authz import Actor
from .amendments import STATEMENT_GROUNDS, copy_statements, effective_amendments
from .common import CopyError, FIELDS, IMPROVE, STAFF_GROUNDS, WITHHOLD_GROUNDS, copy_of, editable, load, log_access
from .loading import preload_copy
from .texts import AMENDED, STATEMENT, Target, entry_targets, made_targets, phrase_spans, remake


REASONS_MIN = 10


REASONS_MAX = 5000


PHRASE_MAX = 300


def _changed(copy: Copy) -> None:
    """What the copy holds changed: any rendering, review or signature is for an older
    version now."""
    copy.version += 1
    copy.status = Copy.DRAFT
    copy.reviewed_by = copy.reviewed_at = copy.signed_by = copy.signed_at = None


def _reasons(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) < REASONS_MIN:
        raise CopyError("reasons_required")
    if len(text) > REASONS_MAX:
        raise CopyError("reasons_too_long")
    return text


def _redaction(copy: Copy, redaction_id: int) -> CopyRedaction:
    # One row by its id, not the copy's thousands (issue 12 item 3: an action's
    # statements do not grow with the copy).
    r = db.session.execute(db.select(CopyRedaction).filter_by(id=redaction_id, copy_id=copy.id)).scalar_one_or_none()
    if r is None:
        raise CopyError("redaction_not_found")
    return r


def lift(actor: Actor, reference: str, copy_id: int, redaction_id: int, reason: str) -> CopyRedaction:
    """Show a redacted part after all, with a reason (logged; the reporter's or a
    protected address's needs a team leader's signature before release)."""
    req, copy = editable(actor, reference, copy_id)
    r = _redaction(copy, redaction_id)
    reason = _reasons(reason)
    if r.state == CopyRedaction.LIFTED:
        raise CopyError("already_lifted")
    r.state, r.reason, r.decided_by, r.decided_at = CopyRedaction.LIFTED, reason, actor.staff_id, utcnow()
    _changed(copy)
    log_access(actor, "copy.redaction.lift", req, copy, reason=f"redaction {r.id} ground {r.ground} origin {r.origin}")
    db.session.commit()
    return r


def confirm(actor: Actor, reference: str, copy_id: int, redaction_id: int) -> CopyRedaction:
    req, copy = editable(actor, reference, copy_id)
    r = _redaction(copy, redaction_id)
    if r.state == CopyRedaction.LIFTED:
        copy.version += 1  # re-applying changes the text
        copy.status = Copy.DRAFT
    r.state, r.decided_by, r.decided_at = CopyRedaction.CONFIRMED, actor.staff_id, utcnow()
    log_access(actor, "copy.redaction.confirm", req, copy, reason=f"redaction {r.id}")
    db.session.commit()
    return r


def _copy_entry(copy: Copy, entry_pk: int) -> CopyEntry:
    ce = db.session.execute(db.select(CopyEntry).filter_by(copy_id=copy.id, entry_pk=entry_pk)).scalar_one_or_none()
    if ce is None:
        raise CopyError("entry_not_in_copy")
    return ce


def _targets(copy: Copy) -> tuple[dict[int, list[Target]], dict[int, Target]]:
    """The texts the copy prints, as redactions are made in them: per entry its title and
    its text, or the new text of an improved entry (art. 15); per own statement its text."""
    made = made_targets(copy)
    amended = {t.entry_pk: t for t in made if t.field == AMENDED}
    by_entry = {ce.entry_pk: entry_targets(ce.entry, amended.get(ce.entry_pk)) for ce in copy.entries}
    return by_entry, {t.statement_id: t for t in made if t.field == STATEMENT}


def _targets_of(copy: Copy, entry_pk: int | None, statement_id: int | None
                ) -> tuple[dict[int, list[Target]], dict[int, Target]]:
    """``_targets`` for one entry (its title and the text the copy prints) or for the
    own statements only."""
    if statement_id is not None:
        return {}, {st.id: Target(STATEMENT, st.text, statement_id=st.id)
                    for st in copy_statements(copy.link.person) if st.text}
    ce = db.session.execute(db.select(CopyEntry).filter_by(copy_id=copy.id, entry_pk=entry_pk)).scalar_one_or_none()
    if ce is None:
        return {}, {}
    eff = effective_amendments([entry_pk]).get(entry_pk)
    amended = Target(AMENDED, eff.new_text, entry_pk, eff.amendment_id) \
        if eff is not None and eff.kind == IMPROVE and eff.new_text else None
    return {entry_pk: entry_targets(ce.entry, amended)}, {}


def add_redaction(actor: Actor, reference: str, copy_id: int, *, ground: str, reason: str,
                  entry_pk: int | None = None, statement_id: int | None = None, field: str = "text",
                  phrase: str | None = None, start: int | None = None, end: int | None = None,
                  everywhere: bool = False) -> list[CopyRedaction]:
    """Redact a selection by hand: a range (start, end) of one text, or every occurrence
    of a phrase in it (``everywhere``: in every text of the copy). The text of an entry
    is what the copy prints: the new text of an improved entry (art. 15). In an own
    statement (``statement_id``, art. 16) only the reporter and a protected person's
    whereabouts are ever taken out: those two grounds only (``STATEMENT_GROUNDS``); a
    phrase redacted ``everywhere`` on another ground leaves the statements alone."""
    req, copy = editable(actor, reference, copy_id)
    if everywhere:
        held = preload_copy(copy)  # noqa: F841 - every text the copy prints, in a fixed number of statements
        by_entry, statements = _targets(copy)
    else:  # one text: read only that entry's or the statements (issue 12: the same cost for 1,000 entries)
        by_entry, statements = _targets_of(copy, entry_pk, statement_id)
    if statement_id is not None:
        target = statements.get(statement_id)
        if target is None:
            raise CopyError("statement_not_in_copy")
        if ground not in STATEMENT_GROUNDS:
            raise CopyError("bad_ground_statement")
    else:
        if ground not in STAFF_GROUNDS:
            raise CopyError("bad_ground")
        if field not in FIELDS:
            raise CopyError("bad_field")
        _copy_entry(copy, entry_pk)
        target = by_entry[entry_pk][FIELDS.index(field)]
    reason = _reasons(reason)
    spans: list[tuple[Target, int, int]] = []
    if phrase is not None and phrase.strip():
        phrase = phrase.strip()
        if len(phrase) > PHRASE_MAX:
            raise CopyError("phrase_too_long")
        if everywhere:
            targets = [t for ts in by_entry.values() for t in ts]
            targets += [t for t in statements.values() if ground in t.grounds]
        else:
            targets = [target]
        for t in targets:
            spans += [(t, s, e) for s, e in phrase_spans(t.text, phrase)]
        if not spans:
            raise CopyError("phrase_not_found")
    else:
        if start is None or end is None or not (0 <= start < end <= len(target.text)):
            raise CopyError("bad_range")
        spans.append((target, start, end))
    added = []
    for t, s, e in spans:
        r = t.row(start=s, end=e, ground=ground, origin=CopyRedaction.STAFF, kind="selection",
                  state=CopyRedaction.CONFIRMED, reason=reason, decided_by=actor.staff_id, decided_at=utcnow())
        r.copy_id = copy.id  # not through copy.redactions: that would read the copy's thousands
        db.session.add(r)
        added.append(r)
    _changed(copy)
    log_access(actor, "copy.redaction.add", req, copy, reason=f"{len(added)} redaction(s) ground {ground}")
    db.session.commit()
    return added


def withhold_entry(actor: Actor, reference: str, copy_id: int, entry_pk: int, ground: str, reasons: str) -> CopyEntry:
    """Leave a whole entry out (art. 14.2): a restriction a team leader signs."""
    req, copy = editable(actor, reference, copy_id)
    if ground not in WITHHOLD_GROUNDS:
        raise CopyError("bad_ground")
    reasons = _reasons(reasons)
    ce = _copy_entry(copy, entry_pk)
    ce.withheld, ce.withheld_ground, ce.withheld_reasons, ce.withheld_by = True, ground, reasons, actor.staff_id
    _changed(copy)
    log_access(actor, "copy.entry.withhold", req, copy, reason=f"entry {ce.entry.entry_id} ground {ground}")
    db.session.commit()
    return ce


def restore_entry(actor: Actor, reference: str, copy_id: int, entry_pk: int) -> CopyEntry:
    req, copy = editable(actor, reference, copy_id)
    ce = _copy_entry(copy, entry_pk)
    if not ce.withheld:
        raise CopyError("not_withheld")
    ce.withheld, ce.withheld_ground, ce.withheld_reasons, ce.withheld_by = False, None, None, None
    _changed(copy)
    log_access(actor, "copy.entry.restore", req, copy, reason=f"entry {ce.entry.entry_id}")
    db.session.commit()
    return ce


def _copy_attachment(copy: Copy, ca_id: int) -> CopyAttachment:
    ca = db.session.execute(db.select(CopyAttachment).filter_by(id=ca_id, copy_id=copy.id)).scalar_one_or_none()
    if ca is None:
        raise CopyError("attachment_not_found")
    return ca


def other_persons_strings(copy: Copy) -> list[str]:
    """Every identifier string of every person but the copy's own, to look for in an
    attachment (the reporter's always; the protected whereabouts when others read). A
    family name the copy's own person shares only with the other's given name."""
    out: list[str] = []
    me = copy.link.person.person_id
    my_family = R.fold(copy.link.person.family_name or "").split()
    for p in copy.link.dossier.persons:
        if p.person_id == me and p.role != "reporter":
            continue
        out += [f"{p.given_names} {p.family_name}"] + [g for g in p.given_names.split() if len(g) > 1]
        if p.person_id == me or R.fold(p.family_name or "").split() != my_family:
            # A family name the copy's person shares is theirs too: only with a given
            # name (above), as in the text (issue 12).
            out.append(p.family_name)
        for a in p.addresses:
            out += [f"{a.get('street', '')} {a.get('number', '')}".strip(), a.get("postcode", "")]
        out += list(p.phones) + list(p.emails) + ([p.bsn] if p.bsn else []) + ([p.organisation] if p.organisation else [])
        if p.birth_date:
            out.append(p.birth_date.strftime("%d-%m-%Y"))
    return [s for s in dict.fromkeys(x.strip() for x in out) if len(s) >= 2]


def open_attachment(actor: Actor, reference: str, copy_id: int, copy_attachment_id: int, *,
                    redacted: bool) -> tuple[bytes, str]:
    """An attachment of a copy for the caseworker: the original (to see what must go) or
    the redacted PDF the copy will hold. Logged."""
    req = load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = copy_of(req, copy_id)
    ca = _copy_attachment(copy, copy_attachment_id)
    vault = current_app.extensions["vault"]
    if redacted:
        if ca.state != CopyAttachment.REDACTED or ca.redacted_ciphertext is None:
            raise CopyError("not_redacted")
        data, media_type = vault.decrypt(ca.redacted_ciphertext), "application/pdf"
    else:
        data, media_type = vault.decrypt(ca.attachment.ciphertext), ca.attachment.media_type
    log_access(actor, "copy.attachment.open", req, copy, reason=f"attachment {ca.id} {'redacted' if redacted else 'original'}")
    db.session.commit()
    return data, media_type


_OPENED = re.compile(r"^attachment (\d+) original$")


def opened_attachments(actor: Actor, copy: Copy) -> set[int]:
    """The attachments of ``copy`` that ``actor`` has opened as they came in (the
    access log's ``copy.attachment.open``, written by ``open_attachment``): one query,
    whatever the number of attachments (issue 12 item 3)."""
    reasons = db.session.execute(
        db.select(AuditEvent.reason).where(AuditEvent.action == "copy.attachment.open",
                                           AuditEvent.object_type == "copy", AuditEvent.object_id == str(copy.id),
                                           AuditEvent.actor == actor.label, AuditEvent.outcome == "ok")
    ).scalars()
    return {int(m.group(1)) for m in (_OPENED.match(r or "") for r in reasons) if m}


def review_attachment(actor: Actor, reference: str, copy_id: int, copy_attachment_id: int, *, decision: str,
                      ground: str | None = None, reasons: str | None = None,
                      boxes: Sequence[dict] = (), extra_phrases: Sequence[str] = ()) -> CopyAttachment:
    """Decide on one attachment: ``withhold`` it (a restriction: a team leader signs), or
    ``redact`` it: every page becomes pixels, every known identifier of another person
    (found in the text layer and by OCR) and every box drawn by staff blacked out."""
    req, copy = editable(actor, reference, copy_id)
    ca = _copy_attachment(copy, copy_attachment_id)
    if ca.id not in opened_attachments(actor, copy):
        # Nobody decides on an attachment unseen: this caseworker opens it first, in
        # this copy (issue 12 item 3).
        raise CopyError("attachment_not_opened")
    if decision == "withhold":
        if ground not in WITHHOLD_GROUNDS:
            raise CopyError("bad_ground")
        ca.state, ca.ground, ca.reasons = CopyAttachment.WITHHELD, ground, _reasons(reasons)
        ca.redacted_ciphertext = ca.ocr_ciphertext = None
    elif decision == "redact":
        from ...documents import attachment_redaction as AR

        vault = current_app.extensions["vault"]
        att = ca.attachment
        data = vault.decrypt(att.ciphertext)
        try:
            staff_boxes = [AR.Box(int(b["page"]), float(b["x0"]), float(b["y0"]), float(b["x1"]), float(b["y1"]))
                           for b in boxes]
        except (KeyError, TypeError, ValueError) as exc:
            raise CopyError("bad_box") from exc
        needles = other_persons_strings(copy) + [p.strip() for p in extra_phrases if p and p.strip()]
        try:
            found = AR.text_boxes(data, att.media_type, needles)
            pdf = AR.redact(data, att.media_type, list(found) + staff_boxes)
        except AR.AttachmentError as exc:
            raise CopyError("attachment_unreadable") from exc
        ca.state, ca.ground, ca.reasons = CopyAttachment.REDACTED, None, (reasons or "").strip() or None
        # Every box blacked out, found or drawn (the cover letter says whether anything was).
        ca.boxes_json = json.dumps([dict(b.__dict__, origin="found") for b in found]
                                   + [dict(b.__dict__, origin="staff") for b in staff_boxes])
        ca.redacted_ciphertext = vault.encrypt(pdf)
        # The text layer for screen readers: OCR of the redacted pixels, made once, here.
        layer = AR.ocr_text_layer_or_none(pdf)
        ca.ocr_ciphertext = vault.encrypt(layer) if layer else None
    else:
        raise CopyError("bad_decision")
    ca.reviewed_by, ca.reviewed_at = actor.staff_id, utcnow()
    _changed(copy)
    log_access(actor, f"copy.attachment.{decision}", req, copy, reason=f"attachment {ca.id}")
    db.session.commit()
    return ca


def texts_up_to_date(copy: Copy) -> bool:
    """Before a copy is shown or rendered: the stored redactions of its amended texts and
    own statements agree with the texts it prints (``texts.remake``; a copy made before
    they were stored gets them here). When that changed something the copy is a new
    version, and the detector runs over the texts again. True when it changed."""
    if copy.status in (Copy.RELEASED, Copy.WITHDRAWN) or not remake(copy):
        return False
    _changed(copy)
    copy.detector_state = "pending"
    return True


def view_copy(actor: Actor, reference: str, copy_id: int) -> tuple[Request, Copy]:
    """Open a copy on the workbench: a read of personal data (the original text behind
    every redaction), logged."""
    req = load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = copy_of(req, copy_id)
    log_access(actor, "copy.view", req, copy)
    db.session.commit()
    # After the log's commit: what this loads stays loaded for the page, unless it changed.
    if texts_up_to_date(copy):
        db.session.commit()
        signals.copy_texts_changed.send(copy.id)
    return req, copy
