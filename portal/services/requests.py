"""What a requester does: submit a request, confirm an e-mail address, join a joint
request, follow it, answer a message. Each function is one transaction that writes its
timeline event and access-log entry with it, and raises a RequestError with a stable
code when it cannot be done (then nothing is stored).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from ..infra.extensions import db
from ..models import Document, Invitation, Message, Party, Request, RequestedRight, utcnow
from ..rules import deadlines
from ..rules.eligibility import ForWhom, JointRule, assess, is_adult
from ..rules.rights import Right
from ..rules.status import BEFORE_QUEUE, RequestStatus
from ..documents.uploads import CleanUpload
from . import audit, drafts, eid, left_out, passphrases, status_sessions, timeline, tokens
from .duplicates import flag_possible_duplicate
from .references import REFERENCE_ALPHABET, by_reference, new_reference
from .timeline import today_local
from .errors import DomainError

# The clock rule recorded on every request (docs/deadlines.md): the period runs from
# the day the request reached VT through the portal (AVG 12(3); EDPB Guidelines 01/2022
# on the right of access, section 5.3), also while VT waits for identity proof. This
# is the reading most favourable to the requester: the due date is never later than
# under any other reading.
CLOCK_RULE = "received_via_portal: AVG 12(3), EDPB 01/2022 §5.3; not paused for identity checks"

_hasher = PasswordHasher()
# Verifying against this when a reference is unknown makes both answers take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class RequestError(DomainError):
    """Why a requester's step cannot be done (a stable code)."""


@dataclass(frozen=True)
class SubmitResult:
    reference: str
    passphrase: str | None
    invitation_code: str | None
    confirm_email_to: str | None
    invitation_email_to: str | None
    invitation_token: str | None
    confirm_token: str | None
    due: dict[str, date]


def new_passphrase(lang: str = "nl") -> str:
    """Words in the person's language (services/passphrases.py): 8 Dutch words (96
    bits) or 7 words from the EFF long list (90.5 bits), as SecureDrop's codenames."""
    return passphrases.new(lang)


def hash_passphrase(passphrase: str) -> str:
    return _hasher.hash(passphrase)


def new_invitation_code() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def _code_hash(code: str) -> str:
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    return hmac.new(current_app.config["SECRET_KEY"].encode(), compact.encode(), hashlib.sha256).hexdigest()


def _document(req: Request, party: Party | None, kind: str, content_type: str, size: int, sha256: str, ciphertext: bytes) -> Document:
    doc = Document(kind=kind, content_type=content_type, size=size, sha256=sha256, ciphertext=ciphertext, party=party)
    req.documents.append(doc)
    return doc


def _iso(d: str | None) -> date | None:
    return date.fromisoformat(d) if d else None


def submit_request(answers: dict, draft_id: str, *, lang: str, starter_session: str, today: date | None = None) -> SubmitResult:
    """Turn a complete draft into a request (art. 14-18, 20). One transaction: the
    request, its people, rights, due dates, uploads and invitation, or nothing."""
    today = today or today_local()
    cfg = current_app.config
    for_whom = ForWhom(answers["for_whom"])
    requester_a = answers["requester"]
    subject_a = requester_a if for_whom is ForWhom.SELF else answers["subject"]
    # Art. 20 is decided on the day of receipt, not the day the draft was started.
    outcome = assess(for_whom, _iso(subject_a["birth_date"]), today, JointRule(cfg["JOINT_RULE"]))
    if not outcome.allowed:
        raise RequestError(outcome.reason)
    rights = [Right(r) for r in answers["rights"]]
    if not rights:
        raise RequestError("no_rights")
    second = answers.get("second") or {}
    slots = drafts.upload_slots(draft_id)
    contact = answers["contact"]

    req = Request(
        reference=new_reference(),
        received_on=today,
        clock_started_on=today,
        clock_rule=CLOCK_RULE,
        language=lang,
        for_whom=for_whom.value,
        representative_kind=answers.get("rep_kind"),
        joint=outcome.joint,
        started_by=("child" if for_whom is ForWhom.SELF else "representative") if outcome.joint else None,
        art20_4_review=bool(outcome.joint and second.get("not_safe")),
        art20_4_note=(second.get("not_safe_note") or None) if outcome.joint and second.get("not_safe") else None,
    )
    requester = Party(
        role=Party.REQUESTER,
        is_subject=for_whom is ForWhom.SELF,
        given_names=requester_a["given_names"], surname=requester_a["surname"],
        birth_date=_iso(requester_a["birth_date"]), bsn=requester_a.get("bsn"),
        email=contact.get("email") if contact.get("email_ok") == "yes" else None,
        email_ok=contact.get("email_ok") == "yes",
        phone=contact.get("phone") if contact.get("phone_ok") else None,
        phone_ok=bool(contact.get("phone_ok")), phone_times=contact.get("phone_times") if contact.get("phone_ok") else None,
        voicemail_ok=bool(contact.get("voicemail_ok")), post_ok=bool(contact.get("post_ok")),
        street=contact.get("street") if contact.get("post_ok") else None,
        house_number=contact.get("house_number") if contact.get("post_ok") else None,
        postcode=contact.get("postcode") if contact.get("post_ok") else None,
        city=contact.get("city") if contact.get("post_ok") else None,
        identity_method=answers["identity"]["method"],
        joined_at=utcnow(),
    )
    req.parties.append(requester)
    subject = None
    if for_whom is not ForWhom.SELF:
        subject = Party(
            role=Party.CO_REQUESTER if outcome.joint else Party.SUBJECT, is_subject=True,
            given_names=subject_a["given_names"], surname=subject_a["surname"], birth_date=_iso(subject_a["birth_date"]),
            email=second.get("email") if outcome.joint else None,
        )
        req.parties.append(subject)
    invitee = subject
    if outcome.joint and for_whom is ForWhom.SELF and not second.get("not_safe"):
        invitee = Party(role=Party.CO_REQUESTER, is_subject=False, given_names=second["given_names"],
                        surname=second["surname"], email=second.get("email"))
        req.parties.append(invitee)
        req.representative_kind = second.get("rep_kind")

    for right in rights:
        details = (answers.get("details") or {}).get(right.value, {})
        req.rights.append(RequestedRight(right=right.value, details_json=json.dumps(details), due_on=deadlines.due_date(right, today)))
    # Denormalised for the queue; the extension service keeps it up to date.
    req.earliest_due_on = min(r.due_on for r in req.rights)

    def take(slot: str, kind: str, party: Party | None):
        up = slots.get(slot)
        if up is not None:
            _document(req, party, kind, up.content_type, up.size, up.sha256, up.ciphertext)

    eid_answers = answers.get("eid") or {}
    if requester.identity_method == "eid" and (not eid_answers.get("bsn") or eid_answers.get("bsn_conflict")):
        raise RequestError("identity_eid_missing")
    if requester.identity_method == "upload":
        if "identity" not in slots:
            raise RequestError("identity_upload_missing")
        take("identity", Document.IDENTITY, requester)
    proof = answers.get("proof") or {}
    if for_whom is not ForWhom.SELF:
        if proof.get("method") == "upload" and "representation" not in slots:
            raise RequestError("proof_upload_missing")
        take("representation", Document.REPRESENTATION, requester)
    if Right.OWN_STATEMENT in rights:
        take("statement", Document.STATEMENT, requester)

    passphrase = None
    if not requester.email_ok:
        passphrase = new_passphrase(lang)
        req.passphrase_hash = _hasher.hash(passphrase)

    invitation_code = invitation_token = None
    needs_invitation = outcome.joint and not second.get("not_safe")
    if needs_invitation:
        invitation_code = new_invitation_code()
        inv = Invitation(party=invitee, channel=second.get("channel", "code"), code_hash=_code_hash(invitation_code),
                         expires_at=utcnow() + timedelta(seconds=cfg["INVITATION_MAX_AGE"]), starter_session=starter_session)
        req.invitations.append(inv)

    timeline.event(req, "submitted", "requester")
    if req.art20_4_review:
        timeline.event(req, "art20_4_review_requested", "requester", public=False)
    if requester.email_ok:
        req.status = RequestStatus.AWAITING_EMAIL.value
        req.purge_after = utcnow() + timedelta(days=cfg["UNCONFIRMED_PURGE_DAYS"])
    elif needs_invitation:
        req.status = RequestStatus.AWAITING_CO_REQUESTER.value
    else:
        req.status = RequestStatus.RECEIVED.value
    timeline.event(req, f"status:{req.status}", "system")

    db.session.add(req)
    db.session.flush()
    if requester.identity_method == "eid":
        # Art. 20.5 done by eID at or above DIGID_MIN_LOA (the view lets nothing lower through).
        eid.record_check(req, requester, eid_answers)
        timeline.event(req, "identity_check:verified", "system", public=False)

    flag_possible_duplicate(req)
    audit.record("request.submit", actor="requester", actor_role="public", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason="submit")
    drafts_row = drafts.load(draft_id)[0]
    if drafts_row is not None:
        db.session.delete(drafts_row)

    confirm_token = None
    if requester.email_ok:
        confirm_token = tokens.make("email-confirm", {"r": req.reference})
    inv_email = None
    if needs_invitation and second.get("channel") == "email" and not requester.email_ok:
        # No e-mail to confirm first: the invitation goes out now (else on confirmation).
        invitation_token = tokens.make("invitation", {"r": req.reference, "c": invitation_code})
        req.invitations[0].sent_at = utcnow()
        inv_email = second.get("email")
    db.session.commit()
    return SubmitResult(
        reference=req.reference,
        passphrase=passphrase,
        invitation_code=invitation_code if second.get("channel") == "code" else None,
        confirm_email_to=requester.email if requester.email_ok else None,
        invitation_email_to=inv_email,
        invitation_token=invitation_token,
        confirm_token=confirm_token,
        due={r.right: r.due_on for r in req.rights},
    )


@dataclass(frozen=True)
class ConfirmResult:
    reference: str
    invitation_email_to: str | None
    invitation_token: str | None
    lang: str
    #: The invitation goes to the child (12 to 16): its e-mail says "je".
    invitation_to_young: bool = False


def confirm_email(token: str) -> ConfirmResult:
    """The requester clicked the link in their e-mail: the request reaches the queue
    (or waits for the second person of a joint request). Single use, expiring."""
    payload = tokens.read("email-confirm", token, current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    req = by_reference(payload.get("r", ""))
    if req is None:
        raise tokens.TokenInvalid("invalid")
    tokens.consume("email-confirm", payload)
    if req.status_enum is not RequestStatus.AWAITING_EMAIL:
        raise tokens.TokenInvalid("used")
    req.requester.email_confirmed_at = utcnow()
    req.purge_after = None
    pending = [i for i in req.invitations if i.used_at is None]
    inv_email = inv_token = None
    to_young = False
    # The timeline in the order things happened: confirmed first, then the move.
    timeline.event(req, "email_confirmed", "requester")
    if pending:
        timeline.move(req, RequestStatus.AWAITING_CO_REQUESTER, "requester")
        inv = pending[0]
        if inv.channel == "email" and inv.party.email:
            # A fresh code: only its hash is stored, so the e-mail gets a new one.
            code = new_invitation_code()
            inv.code_hash = _code_hash(code)
            inv.sent_at = utcnow()
            inv_email = inv.party.email
            inv_token = tokens.make("invitation", {"r": req.reference, "c": code})
            to_young = reads_as_young(inv.party)
    else:
        timeline.move(req, RequestStatus.RECEIVED, "requester")
    audit.record("request.confirm_email", actor="requester", actor_role="public", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason="confirm e-mail")
    db.session.commit()
    return ConfirmResult(req.reference, inv_email, inv_token, req.language, to_young)


# --- joint requests (art. 20.1, 12 to 16) -------------------------------------------

@dataclass(frozen=True)
class InvitationView:
    invitation_id: int
    reference: str
    joiner_is_child: bool
    language: str


def open_invitation(reference: str, code: str, session_id: str) -> InvitationView:
    """Find a pending invitation by reference and code. Single use, expiring; the
    browser session that started the request can never use it."""
    req = by_reference(reference)
    if req is None:
        raise RequestError("invitation_invalid")
    h = _code_hash(code)
    inv = next((i for i in req.invitations if hmac.compare_digest(i.code_hash, h)), None)
    if inv is None:
        raise RequestError("invitation_invalid")
    if inv.used_at is not None or req.status_enum is not RequestStatus.AWAITING_CO_REQUESTER and req.status_enum is not RequestStatus.AWAITING_EMAIL:
        raise RequestError("invitation_used")
    if inv.expires_at < utcnow():
        raise RequestError("invitation_expired")
    if req.status_enum is RequestStatus.AWAITING_EMAIL:
        # The person who started has not confirmed their e-mail yet.
        raise RequestError("invitation_not_ready")
    if hmac.compare_digest(inv.starter_session, session_id):
        raise RequestError("joiner_is_starter")
    return InvitationView(inv.id, req.reference, joiner_is_child=inv.party.is_subject, language=req.language)


def join_request(view: InvitationView, session_id: str, person: dict, identity_method: str,
                 identity_upload: CleanUpload | None, proof_method: str | None, proof_upload: CleanUpload | None,
                 email: str | None, today: date | None = None, eid_answers: dict | None = None) -> str:
    """The second person joins with their own details and identity proof. The person
    who started can never be the second person: not the same browser session, not the
    same name and birth date, not the same e-mail address."""
    today = today or today_local()
    inv = db.session.get(Invitation, view.invitation_id)
    if inv is None or inv.used_at is not None:
        raise RequestError("invitation_used")
    if inv.expires_at < utcnow():
        raise RequestError("invitation_expired")
    req = inv.request
    starter = req.requester
    if hmac.compare_digest(inv.starter_session, session_id):
        raise RequestError("joiner_is_starter")
    birth = _iso(person["birth_date"])
    same_person = (
        (person["given_names"].strip().casefold(), person["surname"].strip().casefold(), birth)
        == ((starter.given_names or "").casefold(), (starter.surname or "").casefold(), starter.birth_date)
    )
    if same_person or (email and starter.email and email.casefold() == starter.email.casefold()):
        raise RequestError("joiner_is_starter")
    party = inv.party
    if party.is_subject:
        # The child joins: they must be the child the parent named, aged 12 to 16.
        if birth != party.birth_date:
            raise RequestError("joiner_not_invited_child")
    else:
        # The parent or guardian joins: someone under 18 cannot hold authority (BW 1:246).
        if not is_adult(birth, today):
            raise RequestError("joiner_not_adult")
        if proof_method not in ("upload", "in_person"):
            raise RequestError("proof_method_missing")
        if proof_method == "upload" and proof_upload is None:
            raise RequestError("proof_upload_missing")
    if identity_method == "upload" and identity_upload is None:
        raise RequestError("identity_upload_missing")
    if identity_method == "eid":
        if not (eid_answers or {}).get("bsn"):
            raise RequestError("identity_eid_missing")
        if person.get("bsn") and person["bsn"] != eid_answers["bsn"]:
            raise RequestError("eid_bsn_differs")
    vault = current_app.extensions["vault"]
    party.given_names = person["given_names"].strip()
    party.surname = person["surname"].strip()
    party.birth_date = birth
    party.bsn = person.get("bsn")
    party.identity_method = identity_method
    party.joined_at = utcnow()
    if email:
        party.email = email
        party.email_ok = True
        if inv.channel == "email" and inv.party.email and email.casefold() == inv.party.email.casefold():
            party.email_confirmed_at = utcnow()
    if identity_upload is not None:
        _document(req, party, Document.IDENTITY, identity_upload.content_type, identity_upload.size,
                  identity_upload.sha256, vault.encrypt(identity_upload.content))
    if proof_upload is not None and not party.is_subject:
        _document(req, party, Document.REPRESENTATION, proof_upload.content_type, proof_upload.size,
                  proof_upload.sha256, vault.encrypt(proof_upload.content))
    if identity_method == "eid":
        # Art. 20.5 done by eID at or above DIGID_MIN_LOA (the view offers nothing lower).
        eid.record_check(req, party, eid_answers)
    inv.used_at = utcnow()
    # When the invited child joins a request a parent started, the parent's page does
    # not say so: it must look the same as when the child said that involving the
    # parent is not safe (art. 20.4; services/joint.py).
    timeline.event(req, "co_requester_joined", "co_requester", public=not party.is_subject)
    timeline.move(req, RequestStatus.RECEIVED, "co_requester")
    audit.record("request.join", actor="co_requester", actor_role="public", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason="joint request art. 20.1")
    db.session.commit()
    return req.reference


def invitation_from_token(token: str) -> tuple[str, str]:
    payload = tokens.read("invitation", token, current_app.config["INVITATION_MAX_AGE"])
    ref, code = payload.get("r"), payload.get("c")
    if not isinstance(ref, str) or not isinstance(code, str):
        raise tokens.TokenInvalid("invalid")
    return ref, code


def invitation_is_for_young(token: str) -> bool:
    """Whether an invitation link is for the child (12 to 16), so that its first page
    says "je". Reads nothing but the signed token's request; uses nothing up."""
    try:
        ref, code = invitation_from_token(token)
    except tokens.TokenInvalid:
        return False
    req = by_reference(ref)
    h = _code_hash(code)
    inv = next((i for i in req.invitations if hmac.compare_digest(i.code_hash, h)), None) if req else None
    return bool(inv is not None and inv.party.is_subject and reads_as_young(inv.party))


# --- who reads: "je" or "u" -----------------------------------------------------------

def reads_as_young(party: Party | None) -> bool:
    """A young person (under 18) reads about their own request: pages and e-mails say
    "je", adults read "u" (house rule; a child takes part from 12, art. 20.1)."""
    return bool(party is not None and party.is_subject and party.birth_date
                and not is_adult(party.birth_date, today_local()))


def young_reader(access: "StatusAccess") -> bool:
    """Whether the person of this status login is a young person."""
    req = by_reference(access.reference)
    party = next((p for p in req.parties if p.id == access.party_id), None) if req else None
    return reads_as_young(party)


def status_link_is_for_young(token: str) -> bool:
    """Whether a status link (not used up by reading it) is for a young person."""
    try:
        payload = tokens.read("status-link", token, current_app.config["STATUS_LINK_MAX_AGE"])
    except tokens.TokenInvalid:
        return False
    return young_reader(StatusAccess(str(payload.get("r", "")), payload.get("p")))


# --- following a request ------------------------------------------------------------

@dataclass(frozen=True)
class StatusAccess:
    """Who opened a status page: the request and the person (party) it is for."""

    reference: str
    party_id: int


@dataclass(frozen=True)
class StatusLogin:
    """A successful login: who may see what, and the id of the server-side session
    for the browser's cookie (portal/services/status_sessions.py)."""

    access: StatusAccess
    session_id: str


def login_with_passphrase(reference: str, passphrase: str) -> StatusLogin:
    """Reference plus passphrase opens the status page. The answer (and its timing)
    is the same for an unknown reference and a wrong passphrase."""
    req = by_reference(reference)
    stored = req.passphrase_hash if req is not None and req.passphrase_hash else _DUMMY_HASH
    phrase = passphrases.normalise(passphrase, req.language if req is not None else "nl")
    # An invited child who said involving the parent is not safe has a passphrase of
    # their own (services/joint.py). Both hashes are always tried: same timing.
    child = next((p for p in req.parties if p.passphrase_hash), None) if req is not None else None
    child_ok = _verified(child.passphrase_hash if child else _DUMMY_HASH, phrase)
    party_id = child.id if child_ok and child is not None else None
    if _verified(stored, phrase) and req is not None and req.passphrase_hash:
        party_id = req.requester.id
    if party_id is None:
        if req is not None:
            audit.record("status.login", actor="requester", actor_role="public", object_type="request",
                         object_id=req.id, subject_ref=req.reference, reason="passphrase", outcome="denied")
            db.session.commit()
        raise RequestError("login_failed") from None
    audit.record("status.login", actor="requester", actor_role="public", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason="passphrase")
    party = next(p for p in req.parties if p.id == party_id)
    session_id = status_sessions.begin(req, party)
    db.session.commit()
    return StatusLogin(StatusAccess(req.reference, party_id), session_id)


def _verified(stored: str, phrase: str) -> bool:
    try:
        return _hasher.verify(stored, phrase)
    except (VerificationError, InvalidHashError):
        return False


def status_link_for(reference: str, email: str) -> list[tuple[str, str, str, bool]]:
    """Make a single-use status link for the person of this request with this
    confirmed e-mail address. Only that person gets it: in a joint request the other
    person does not learn that someone looked. Returns (address, token, language, young) to
    send; empty for an unknown reference or address, so the page says the same."""
    req = by_reference(reference)
    wanted = (email or "").strip().casefold()
    if req is None or not wanted:
        return []
    out = []
    for party in req.parties:
        if party.email and party.email_ok and party.email_confirmed_at and party.email.casefold() == wanted:
            out.append((party.email, tokens.make("status-link", {"r": req.reference, "p": party.id}), req.language,
                        reads_as_young(party)))
    if out:
        audit.record("status.link_sent", actor="requester", actor_role="public", object_type="request",
                     object_id=req.id, subject_ref=req.reference, reason="status link")
        db.session.commit()
    return out


def login_with_link(token: str) -> StatusLogin:
    payload = tokens.read("status-link", token, current_app.config["STATUS_LINK_MAX_AGE"])
    req = by_reference(payload.get("r", ""))
    if req is None:
        raise tokens.TokenInvalid("invalid")
    party = next((p for p in req.parties if p.id == payload.get("p")), None)
    if party is None:
        raise tokens.TokenInvalid("invalid")
    tokens.consume("status-link", payload)
    audit.record("status.login", actor=party.role, actor_role="public", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason="e-mail link")
    session_id = status_sessions.begin(req, party)
    db.session.commit()
    return StatusLogin(StatusAccess(req.reference, party.id), session_id)


@dataclass(frozen=True)
class StatusPage:
    request: Request
    messages: list[Message]
    #: Art. 20.4: the parent whom the invited child kept out sees no more than a request
    #: in progress, and nothing that happened after this moment (services/left_out.py).
    left_out_since: datetime | None = None
    #: ... and that parent withdrew their own part (services/withdrawal.py).
    left_out_withdrew: bool = False


def status_view(access: StatusAccess) -> StatusPage:
    """Load a request for its status page (the caller has checked access); logged.
    In a joint request each person sees only the messages to or from them and those
    meant for both: a child's message is never shown to the parent."""
    req = by_reference(access.reference)
    if req is None:
        raise RequestError("not_found")
    audit.record("status.view", actor="requester", actor_role="public", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason="status page")
    db.session.commit()
    since = left_out.since(req, access.party_id)
    # A message meant for both is not for a parent the child kept out (art. 20.4).
    return StatusPage(req, [m for m in req.messages if m.party_id == access.party_id
                            or (m.party_id is None and (since is None or m.at <= since))], since,
                      since is not None and left_out.withdrew(req))


def reply(access: StatusAccess, body: str, upload: CleanUpload | None) -> None:
    """The requester answers VT on the status page, optionally with a file (for
    example a clearer ID copy). Message and file are stored together or not at all."""
    req = by_reference(access.reference)
    if req is None:
        raise RequestError("not_found")
    party = next((p for p in req.parties if p.id == access.party_id), None)
    if party is None:
        raise RequestError("not_found")
    author = party.role
    # A parent the invited child kept out (art. 20.4) is not told that the request closed.
    if req.status_enum in (RequestStatus.CLOSED, RequestStatus.WITHDRAWN) and left_out.since(req, party.id) is None:
        raise RequestError("request_closed")
    msg = Message(direction=Message.FROM_REQUESTER, body=body.strip(), author=author, at=utcnow(), party_id=party.id)
    req.messages.append(msg)
    db.session.flush()
    if upload is not None:
        doc = _document(req, party, Document.MESSAGE, upload.content_type, upload.size, upload.sha256,
                        current_app.extensions["vault"].encrypt(upload.content))
        doc.message_id = msg.id
    timeline.event(req, "requester_replied", author)
    if req.status_enum is RequestStatus.WAITING_FOR_REQUESTER and left_out.since(req, party.id) is None:
        timeline.move(req, RequestStatus.IN_PROGRESS, author)
    audit.record("message.from_requester", actor=author, actor_role="public", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason="status page reply")
    db.session.commit()


def in_queue(req: Request) -> bool:
    return req.status_enum not in BEFORE_QUEUE
