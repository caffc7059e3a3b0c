"""Step 5: review by the caseworker, the team leader's signature where something is
withheld (art. 14.2, 20.4), and release to the requester."""
from __future__ import annotations

from datetime import timedelta
from flask import current_app
from ...infra.extensions import db
from ...models import Copy, CopyAttachment, CopyRedaction, Request, utcnow
from ...rules.grounds import Outcome
from ...rules.permissions import Permission
from ...rules.rights import Right
from ...rules.status import RequestStatus
from .. import answers, authz, casework
from ..authz import Actor
from .. import notices, signals, timeline
from ..timeline import today_local
from .common import CopyError, RESTRICTION_GROUNDS, SENSITIVE_LIFT_GROUNDS, copy_of, editable, is_stale, load, log_access


DOWNLOAD_DAYS = 30


DOWNLOADS_ALLOWED = 3


# --- 5. review, sign, release ------------------------------------------------------------------

def restrictions(copy: Copy) -> list[str]:
    """What in this copy a team leader must sign (art. 14.2, 20.4), as codes: one
    statement, without reading the copy's rows (issue 12: the workbench's in-place
    answer costs the same for 10 entries as for 1,000)."""
    from ...models import CopyEntry

    r = CopyRedaction
    checks = {
        "entry_withheld": db.select(CopyEntry.id).where(CopyEntry.copy_id == copy.id, CopyEntry.withheld.is_(True)),
        "attachment_withheld": db.select(CopyAttachment.id).where(CopyAttachment.copy_id == copy.id,
                                                                  CopyAttachment.state == CopyAttachment.WITHHELD),
        "restriction_ground": db.select(r.id).where(r.copy_id == copy.id, r.origin == CopyRedaction.STAFF,
                                                    r.ground.in_(sorted(RESTRICTION_GROUNDS)),
                                                    r.state != CopyRedaction.LIFTED),
        "sensitive_lift": db.select(r.id).where(r.copy_id == copy.id, r.state == CopyRedaction.LIFTED,
                                                r.ground.in_(sorted(SENSITIVE_LIFT_GROUNDS))),
    }
    found = db.session.execute(db.select(*(q.exists().label(code) for code, q in checks.items()))).one()
    return [code for code, yes in zip(checks, found) if yes]


def needs_signature(copy: Copy) -> bool:
    return bool(restrictions(copy))


def rendered_current(copy: Copy) -> bool:
    """The stored PDF is of the copy's current version."""
    return copy.render_state == "done" and copy.rendered_version == copy.version and copy.pdf_sha256 is not None


def mark_reviewed(actor: Actor, reference: str, copy_id: int) -> Copy:
    req, copy = editable(actor, reference, copy_id)
    if is_stale(copy):
        raise CopyError("copy_stale")
    if any(a.state == CopyAttachment.UNREVIEWED for a in copy.attachments):
        raise CopyError("attachments_unreviewed")
    if copy.detector_state in ("pending", "planning"):
        raise CopyError("detector_pending")
    if not rendered_current(copy):
        raise CopyError("not_rendered")
    if (copy.render_error or "").startswith("final_gate"):
        raise CopyError("final_gate")
    copy.status, copy.reviewed_by, copy.reviewed_at = Copy.REVIEWED, actor.staff_id, utcnow()
    log_access(actor, "copy.review", req, copy)
    db.session.commit()
    return copy


def sign(actor: Actor, reference: str, copy_id: int) -> Copy:
    """A team leader signs what the copy withholds (art. 14.2, 20.4): not the person who
    prepared or reviewed it."""
    req = load(reference)
    authz.require(actor, Permission.DECISION_SIGN, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = copy_of(req, copy_id)
    check_not_withdrawn(req)
    if copy.status != Copy.REVIEWED:
        raise CopyError("not_reviewed")
    if not needs_signature(copy):
        raise CopyError("nothing_to_sign")
    if actor.staff_id in (copy.reviewed_by, copy.created_by):
        raise CopyError("four_eyes")
    if is_stale(copy) or not rendered_current(copy):
        raise CopyError("copy_stale")
    copy.status, copy.signed_by, copy.signed_at = Copy.SIGNED, actor.staff_id, utcnow()
    log_access(actor, "copy.sign", req, copy, reason=",".join(restrictions(copy)))
    db.session.commit()
    return copy


def copy_outcome(copy: Copy) -> str:
    """The answer a copy gives: granted when nothing but third-party data was left out;
    granted in part when a team leader signed a restriction (art. 14.2, 20.4)."""
    return Outcome.GRANT_IN_PART.value if copy.signed_by is not None and needs_signature(copy) else Outcome.GRANT.value


def collects_in_person(req: Request) -> bool:
    """The requester chose to collect the copy at Veilig Thuis (the public form)."""
    right = answers.right_of(req, Right.COPY.value)
    return bool(right and right.details.get("delivery") == "in_person")


def answer_by_copy(req: Request, copy: Copy, how: str, actor: Actor) -> None:
    """The copy answers afschrift (art. 14.1) on the day it reaches the requester:
    released for download, or handed over when they chose to collect it."""
    if req.status_enum is RequestStatus.WITHDRAWN or (how == answers.COPY_RELEASED and collects_in_person(req)):
        return
    if answers.mark_answered(req, Right.COPY.value, on=today_local(), outcome=copy_outcome(copy), by=how):
        answers.settle(req, actor.label)


def check_not_withdrawn(req: Request) -> None:
    if req.status_enum is RequestStatus.WITHDRAWN:
        raise CopyError("request_withdrawn")


def release(actor: Actor, reference: str, copy_id: int) -> Copy:
    """Release the copy to the requester: reviewed, signed where needed, current. It
    answers afschrift that day (portal/services/answers.py)."""
    from ...models import CopyDelivery

    req, copy = editable(actor, reference, copy_id)
    check_not_withdrawn(req)
    if copy.status == Copy.DRAFT:
        raise CopyError("not_reviewed")
    if needs_signature(copy) and copy.status != Copy.SIGNED:
        raise CopyError("not_signed")
    if is_stale(copy) or not rendered_current(copy):
        raise CopyError("copy_stale")
    # The released PDF is the final one, without "CONCEPT": rendered again by the job
    # queue from the same version (a big copy never blocks a web worker). Until it is
    # done the status page says the copy is being prepared.
    copy.status = Copy.RELEASED
    copy.render_state, copy.render_progress, copy.rendered_version = "queued", 0, None
    copy.released_by, copy.released_at = actor.staff_id, utcnow()
    for party in casework.taking_part(req):
        copy.deliveries.append(CopyDelivery(party_id=party.id, method=CopyDelivery.DOWNLOAD, created_by=actor.staff_id,
                                            expires_at=utcnow() + timedelta(days=DOWNLOAD_DAYS),
                                            downloads_left=DOWNLOADS_ALLOWED))
    timeline.event(req, "copy_released", "caseworker")
    answer_by_copy(req, copy, answers.COPY_RELEASED, actor)
    log_access(actor, "copy.release", req, copy)
    addresses, lang = notices.addresses(req), req.language or "nl"
    db.session.commit()
    signals.copy_render_wanted.send(copy.id, version=copy.version)
    notices.send(addresses, lang)  # a neutral e-mail that there is news (no content)
    return copy


def open_pdf_for_staff(actor: Actor, reference: str, copy_id: int) -> bytes:
    req = load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = copy_of(req, copy_id)
    if copy.pdf_ciphertext is None:
        raise CopyError("not_rendered")
    log_access(actor, "copy.pdf.open", req, copy)
    db.session.commit()
    return current_app.extensions["vault"].decrypt(copy.pdf_ciphertext)
