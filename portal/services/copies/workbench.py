"""Step 3, the workbench: open a copy (a logged read), lift or confirm a redaction, redact
a phrase, withhold or restore an entry, open and review an attachment (redacted to
pixels). Every change makes a new version of the copy."""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from flask import current_app
from ...infra.extensions import db
from ...models import Copy, CopyAttachment, CopyEntry, CopyRedaction, DossierEntry, Request, utcnow
from ...rules import redaction as R
from ...rules.permissions import Permission
from .. import authz
from ..authz import Actor
from .amendments import effective_amendments
from .common import CopyError, FIELDS, IMPROVE, STAFF_GROUNDS, WITHHOLD_GROUNDS, copy_of, editable, load, log_access


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
    r = next((r for r in copy.redactions if r.id == redaction_id), None)
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


def _field_text(entry: DossierEntry, field: str) -> str:
    if field not in FIELDS:
        raise CopyError("bad_field")
    return (entry.title or "") if field == "title" else entry.text


def _copy_entry(copy: Copy, entry_pk: int) -> CopyEntry:
    ce = next((c for c in copy.entries if c.entry_pk == entry_pk), None)
    if ce is None:
        raise CopyError("entry_not_in_copy")
    return ce


def add_redaction(actor: Actor, reference: str, copy_id: int, *, entry_pk: int, field: str, ground: str,
                  reason: str, phrase: str | None = None, start: int | None = None, end: int | None = None,
                  everywhere: bool = False) -> list[CopyRedaction]:
    """Redact a selection by hand: a range (start, end) of one field, or every
    occurrence of a phrase in that field (``everywhere``: in every entry of the copy)."""
    req, copy = editable(actor, reference, copy_id)
    if ground not in STAFF_GROUNDS:
        raise CopyError("bad_ground")
    reason = _reasons(reason)
    ce = _copy_entry(copy, entry_pk)
    # An improved entry (art. 15) prints its new text, not the dossier's: a redaction of
    # the old text would change nothing in the copy (issue 12).
    improved = {pk for pk, eff in effective_amendments(c.entry_pk for c in copy.entries).items() if eff.kind == IMPROVE}
    if field == "text" and entry_pk in improved and not everywhere:
        raise CopyError("entry_amended")
    spans: list[tuple[int, int, int, str]] = []  # (entry_pk, start, end, field)
    if phrase is not None and phrase.strip():
        phrase = phrase.strip()
        if len(phrase) > PHRASE_MAX:
            raise CopyError("phrase_too_long")
        words = R.fold(phrase).split()
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
        targets = copy.entries if everywhere else [ce]
        for target in targets:
            fields = FIELDS if everywhere else (field,)
            for f in fields:
                if f == "text" and target.entry_pk in improved:
                    continue
                text = _field_text(target.entry, f)
                for m in re.finditer(pattern, R.fold(text)):
                    spans.append((target.entry_pk, m.start(), m.end(), f))
        if not spans:
            raise CopyError("phrase_not_found")
    else:
        text = _field_text(ce.entry, field)
        if start is None or end is None or not (0 <= start < end <= len(text)):
            raise CopyError("bad_range")
        spans.append((entry_pk, start, end, field))
    added = []
    for epk, s, e, f in spans:
        r = CopyRedaction(entry_pk=epk, field=f, start=s, end=e, ground=ground, origin=CopyRedaction.STAFF,
                          kind="selection", state=CopyRedaction.CONFIRMED, reason=reason,
                          decided_by=actor.staff_id, decided_at=utcnow())
        copy.redactions.append(r)
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
    ca = next((a for a in copy.attachments if a.id == ca_id), None)
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


def review_attachment(actor: Actor, reference: str, copy_id: int, copy_attachment_id: int, *, decision: str,
                      ground: str | None = None, reasons: str | None = None,
                      boxes: Sequence[dict] = (), extra_phrases: Sequence[str] = ()) -> CopyAttachment:
    """Decide on one attachment: ``withhold`` it (a restriction: a team leader signs), or
    ``redact`` it: every page becomes pixels, every known identifier of another person
    (found in the text layer and by OCR) and every box drawn by staff blacked out."""
    req, copy = editable(actor, reference, copy_id)
    ca = _copy_attachment(copy, copy_attachment_id)
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


def view_copy(actor: Actor, reference: str, copy_id: int) -> tuple[Request, Copy]:
    """Open a copy on the workbench: a read of personal data (the original text behind
    every redaction), logged."""
    req = load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = copy_of(req, copy_id)
    log_access(actor, "copy.view", req, copy)
    db.session.commit()
    return req, copy
