"""Step 6, delivery (art. 14): on the status page, after a second proof and a one-time
code, as a download that expires; or handed over in person."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from flask import current_app
from ...infra.extensions import db
from ...models import Copy, Party, Request, utcnow
from ...rules.permissions import Permission
from .. import audit, authz, left_out, passphrases
from ..authz import Actor
from ..errors import load_request
from .. import timeline
from .common import CopyError, copy_of, load, log_access
from .. import answers
from .releasing import answer_by_copy, rendered_current


# --- 6. delivery: the status page, after a second proof and a one-time code ----------------
#
# Issue #4: "on the status page, after the requester proves again that it is them (the
# e-mailed link or passphrase plus a one-time code), as a download that expires and can
# be fetched a limited number of times; every download logged; or collected in person".
# How it reads here: the status page is open (an e-mailed link or reference plus
# passphrase). To download, the person proves again: whoever has a passphrase types it
# again; and a one-time code is needed on top, which goes to the confirmed, safe e-mail
# address, or, for someone without safe e-mail, which the caseworker gives by phone
# (``new_code``). A code works once, for 15 minutes, with 5 tries.

CODE_MINUTES = 15


CODE_TRIES = 5


@dataclass(frozen=True)
class DeliveryView:
    id: int
    expires_at: object
    downloads_left: int
    ready: bool  # the final PDF is rendered
    by_email: bool  # a code can be sent by e-mail
    needs_passphrase: bool


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def _new_code(delivery) -> str:
    import secrets

    code = f"{secrets.randbelow(10**8):08d}"
    delivery.code_hash = _hasher().hash(code)
    delivery.code_expires_at = utcnow() + timedelta(minutes=CODE_MINUTES)
    delivery.code_tries = 0
    return code


def _final_ready(copy: Copy) -> bool:
    return copy.status == Copy.RELEASED and rendered_current(copy)


def _party_of(req: Request, party_id: int) -> Party | None:
    return next((p for p in req.parties if p.id == party_id), None)


def _email_safe(party: Party | None) -> bool:
    return bool(party and party.email and party.email_ok and party.email_confirmed_at)


def deliveries_for(reference: str, party_id: int) -> list[DeliveryView]:
    """The released copies this person can fetch (for the status page)."""
    from ...models import CopyDelivery

    req = load_request(reference, CopyError)
    party = _party_of(req, party_id)
    if left_out.since(req, party_id) is not None:
        return []
    rows = db.session.execute(
        db.select(CopyDelivery).join(Copy).where(Copy.request_id == req.id, Copy.status == Copy.RELEASED,
                                                 CopyDelivery.party_id == party_id,
                                                 CopyDelivery.method == CopyDelivery.DOWNLOAD)
        .order_by(CopyDelivery.id)).scalars().all()
    now = utcnow()
    return [DeliveryView(d.id, d.expires_at, d.downloads_left, _final_ready(d.copy), _email_safe(party),
                         bool(req.passphrase_hash))
            for d in rows if d.expires_at and d.expires_at > now and d.downloads_left > 0]


def _delivery(req: Request, party_id: int, delivery_id: int):
    from ...models import CopyDelivery

    d = db.session.get(CopyDelivery, delivery_id)
    if d is None or d.party_id != party_id or d.copy.request_id != req.id or d.copy.status != Copy.RELEASED:
        raise CopyError("delivery_not_found")
    if left_out.since(req, party_id) is not None:
        # Art. 20.4: a parent the invited child kept out gets no copy about the child.
        raise CopyError("delivery_not_found")
    if d.expires_at is None or d.expires_at <= utcnow() or d.downloads_left <= 0:
        raise CopyError("delivery_expired")
    return d


def send_code(reference: str, party_id: int, delivery_id: int) -> None:
    """E-mail a fresh one-time code to the person's confirmed, safe address (through the
    job queue, after the commit)."""
    from .. import outbox, requests

    req = load_request(reference, CopyError)
    d = _delivery(req, party_id, delivery_id)
    party = _party_of(req, party_id)
    if not _email_safe(party):
        raise CopyError("no_safe_email")
    code = _new_code(d)
    audit.record("copy.code.sent", actor=party.role, actor_role="public", object_type="copy", object_id=d.copy_id,
                 subject_ref=req.reference, reason="one-time code by e-mail")
    db.session.commit()
    outbox.send_later(party.email, "copy_code", req.language or "nl", code=code,
                      young=requests.reads_as_young(party))


def new_code(actor: Actor, reference: str, copy_id: int, delivery_id: int) -> str:
    """A fresh one-time code for the caseworker to give by phone (someone without safe
    e-mail). Shown once; only its hash is kept."""
    req = load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = copy_of(req, copy_id)
    d = next((x for x in copy.deliveries if x.id == delivery_id), None)
    if d is None or copy.status != Copy.RELEASED:
        raise CopyError("delivery_not_found")
    code = _new_code(d)
    log_access(actor, "copy.code.issued", req, copy, reason=f"delivery {d.id}")
    db.session.commit()
    return code


def download(reference: str, party_id: int, delivery_id: int, *, code: str, passphrase: str | None = None) -> bytes:
    """The released copy for the person of this status page, after the second proof.
    Wrong code or passphrase: a try is used; the code is spent once it worked."""
    from argon2.exceptions import InvalidHashError, VerificationError

    req = load_request(reference, CopyError)
    d = _delivery(req, party_id, delivery_id)
    party = _party_of(req, party_id)
    if not _final_ready(d.copy):
        raise CopyError("not_ready")

    def refuse(code_: str, *, counts: bool = True) -> CopyError:
        if counts:
            d.code_tries += 1
        audit.record("copy.download", actor=party.role, actor_role="public", object_type="copy", object_id=d.copy_id,
                     subject_ref=req.reference, reason=code_, outcome="denied")
        db.session.commit()
        return CopyError(code_)

    if d.code_hash is None or d.code_expires_at is None or d.code_expires_at <= utcnow():
        raise refuse("code_expired", counts=False)
    if d.code_tries >= CODE_TRIES:
        raise refuse("code_locked", counts=False)
    if req.passphrase_hash:
        phrase = passphrases.normalise(passphrase, req.language)
        try:
            _hasher().verify(req.passphrase_hash, phrase)
        except (VerificationError, InvalidHashError):
            raise refuse("passphrase_wrong") from None
    try:
        _hasher().verify(d.code_hash, "".join((code or "").split()))
    except (VerificationError, InvalidHashError):
        raise refuse("code_wrong") from None
    d.code_hash = d.code_expires_at = None  # one time
    d.downloads += 1
    d.downloads_left -= 1
    data = current_app.extensions["vault"].decrypt(d.copy.pdf_ciphertext)
    audit.record("copy.download", actor=party.role, actor_role="public", object_type="copy", object_id=d.copy_id,
                 subject_ref=req.reference, reason=f"delivery {d.id}")
    timeline.event(req, "copy_downloaded", party.role)
    db.session.commit()
    return data


def record_handover(actor: Actor, reference: str, copy_id: int, party_id: int, note: str | None = None):
    """The copy was handed over in person (after the ID was shown at the desk): recorded."""
    from ...models import CopyDelivery

    req = load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = copy_of(req, copy_id)
    if copy.status != Copy.RELEASED:
        raise CopyError("not_released")
    if _party_of(req, party_id) is None:
        raise CopyError("not_a_party")
    note = (note or "").strip()
    if len(note) > 500:
        raise CopyError("note_too_long")
    d = CopyDelivery(party_id=party_id, method=CopyDelivery.IN_PERSON, created_by=actor.staff_id,
                     handed_over_at=utcnow(), note=note or None, downloads_left=0)
    copy.deliveries.append(d)
    timeline.event(req, "copy_handed_over", "caseworker")
    answer_by_copy(req, copy, answers.COPY_HANDED_OVER, actor)
    log_access(actor, "copy.handover", req, copy, reason=f"party {party_id}")
    db.session.commit()
    return d
