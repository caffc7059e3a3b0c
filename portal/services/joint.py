"""The invited person of a joint request (art. 20.1, 12 to 16) who does not join.

Two ways a joint request can stop waiting for its second person besides joining:

- The invited child says that involving the parent is not safe (art. 20.4), in the
  same words as a child who starts a request. A team leader then decides
  (casework.decide_art20_4); what the child wrote is for the team leader only. The
  child gets their own way to follow the request (a passphrase of their own, and a
  safe e-mail address if they want). The parent who started sees nothing of it: their
  status page is the same as for any request that reached the queue.
- Nobody uses the invitation before it expires. The person who started is told,
  neutrally, that the joint request cannot go on without the second person; the
  request reaches the queue so that a caseworker sees it.

Each function is one transaction with its timeline events and access-log entry.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date

from ..infra.extensions import db
from ..models import Invitation, Message, Party, Request, utcnow
from ..rules.status import RequestStatus
from . import audit, notices, timeline
from .requests import InvitationView, RequestError, hash_passphrase, new_passphrase, reads_as_young

#: What the person who started reads when the invitation expired unused (a message on
#: their status page; the e-mail notice only says that there is news). Neutral: it
#: does not say whether the other person saw the invitation.
EXPIRED_MESSAGE = {
    "nl": ("De uitnodiging voor de tweede persoon is verlopen. Een gezamenlijk verzoek kan niet verder "
           "zonder de tweede persoon. Een medewerker van Veilig Thuis neemt contact met u op over wat u nu "
           "kunt doen. U kunt ons ook bellen: 0800-2000."),
    # The same for a child who started the request (a young reader says "je").
    "nl_je": ("De uitnodiging voor de tweede persoon is verlopen. Een gezamenlijk verzoek kan niet verder "
              "zonder de tweede persoon. Een medewerker van Veilig Thuis neemt contact met je op over wat je nu "
              "kunt doen. Je kunt ons ook bellen: 0800-2000."),
    "en": ("The invitation for the second person has expired. A joint request cannot go ahead without the "
           "second person. Someone from Veilig Thuis will contact you about what you can do now. You can "
           "also call us on 0800-2000."),
}


@dataclass(frozen=True)
class NotSafeResult:
    reference: str
    passphrase: str
    email_confirmed: bool


def child_says_not_safe(view: InvitationView, session_id: str, birth_date: date, note: str | None,
                        email: str | None) -> NotSafeResult:
    """The invited child (12 to 16) says that involving the parent who started the
    request is not safe (art. 20.4). Possible at any point before joining. The
    invitation is used up; the request is marked for a team leader's decision and
    reaches the queue; the child gets a passphrase of their own (shown once)."""
    inv = db.session.get(Invitation, view.invitation_id)
    if inv is None or inv.used_at is not None:
        raise RequestError("invitation_used")
    if inv.expires_at < utcnow():
        raise RequestError("invitation_expired")
    req: Request = inv.request
    if req.status_enum is not RequestStatus.AWAITING_CO_REQUESTER:
        raise RequestError("invitation_used")
    if hmac.compare_digest(inv.starter_session, session_id):
        raise RequestError("joiner_is_starter")
    child: Party = inv.party
    if not child.is_subject:
        # Only the child can ask this; an invited parent simply does not join.
        raise RequestError("not_the_child")
    if birth_date != child.birth_date:
        raise RequestError("joiner_not_invited_child")
    starter = req.requester
    if email and starter.email and email.casefold() == starter.email.casefold():
        raise RequestError("joiner_is_starter")

    passphrase = new_passphrase(req.language)
    child.passphrase_hash = hash_passphrase(passphrase)
    # The child takes part on their own; a caseworker still checks who they are.
    child.joined_at = utcnow()
    confirmed = False
    if email:
        invited_at = child.email if inv.channel == "email" else None
        child.email = email
        child.email_ok = True
        # The address the invitation link reached is proven by the link itself.
        if invited_at and email.casefold() == invited_at.casefold():
            child.email_confirmed_at = utcnow()
            confirmed = True
    else:
        # An address the parent typed for the child is not the child's safe address.
        child.email_ok = False
    now = utcnow()
    inv.used_at = now
    inv.not_safe_at = now
    req.art20_4_review = True
    req.art20_4_note = (note or "").strip() or None
    timeline.event(req, "art20_4_review_requested", "co_requester", public=False)
    timeline.move(req, RequestStatus.RECEIVED, "system")
    audit.record("request.not_safe", actor="co_requester", actor_role="public", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason="art. 20.4 invited child")
    db.session.commit()
    return NotSafeResult(req.reference, passphrase, confirmed)


def expire_invitations() -> int:
    """Requests still waiting for a second person whose invitation expired unused:
    tell the person who started (a message on their status page and a neutral e-mail
    notice) and put the request in the queue so a caseworker sees it. Returns how many."""
    now = utcnow()
    rows = db.session.execute(
        db.select(Invitation).join(Request, Invitation.request_id == Request.id).where(
            Invitation.used_at.is_(None), Invitation.expired_noticed_at.is_(None), Invitation.expires_at < now,
            Request.status == RequestStatus.AWAITING_CO_REQUESTER.value,
        ).order_by(Invitation.id)
    ).scalars().all()
    done = 0
    for inv in rows:
        req = inv.request
        starter = req.requester
        inv.expired_noticed_at = now
        lang = req.language if req.language in ("nl", "en") else "nl"
        young = reads_as_young(starter)
        body = EXPIRED_MESSAGE["nl_je" if lang == "nl" and young else lang]
        req.messages.append(Message(direction=Message.TO_REQUESTER, body=body, author="system",
                                    at=now, party_id=starter.id))
        timeline.event(req, "invitation_expired", "system")
        timeline.move(req, RequestStatus.RECEIVED, "system")
        audit.record("request.invitation_expired", actor="system", actor_role="system", object_type="request",
                     object_id=req.id, subject_ref=req.reference, reason="joint request art. 20.1")
        addresses = notices.safe_addresses([starter])
        db.session.commit()
        notices.send(addresses, lang)
        done += 1
    return done
