"""The portal's own records. Dossiers belong to the registration system (see docs/).

Names follow the domain: a Request is filed by a requester for a subject (betrokkene),
for one or more rights; Party rows hold the people taking part; Document rows hold
uploads, encrypted at rest (portal/infra/crypto.py); every move is a RequestEvent on the
timeline and an AuditEvent in the access log.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime, timezone

from flask import current_app
from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlalchemy.orm import deferred

from .infra.encrypted import EncryptedDate, EncryptedText, bsn_index, person_name_birth_index, subject_index
from .infra.extensions import db
from .rules.status import OPEN, RequestStatus

#: "The request is open" (rules.status.OPEN) in SQL, with the values written out: the
#: queue's partial indexes carry this predicate, and a database uses such an index only
#: for a query that says the same (portal/services/queue.py uses it as it is).
OPEN_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in OPEN))


def _json_or(text: str | None, default: str):
    """An encrypted JSON field as data; one no key opens reads as "[onleesbaar]"
    (portal/infra/encrypted.py, a warning is logged there): as empty, so that no page
    breaks on it (`flask rotate-keys --check` names it)."""
    try:
        return json.loads(text or default)
    except ValueError:
        return json.loads(default)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Request(db.Model):
    """A rights request (verzoek). `reference` is the public handle; `id` never leaves."""

    __tablename__ = "request"
    id = db.Column(db.Integer, primary_key=True)
    reference = db.Column(db.String(32), nullable=False, unique=True, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # The date VT received the request (Europe/Amsterdam), and when and why the clock
    # started (rule and source, see docs/deadlines.md).
    received_on = db.Column(db.Date, nullable=False)
    clock_started_on = db.Column(db.Date, nullable=False)
    clock_rule = db.Column(db.String(200), nullable=False)
    language = db.Column(db.String(5), nullable=False, default="nl")
    status = db.Column(db.String(32), nullable=False, default=RequestStatus.AWAITING_EMAIL.value, index=True)
    for_whom = db.Column(db.String(32), nullable=False)
    representative_kind = db.Column(db.String(32))
    joint = db.Column(db.Boolean, nullable=False, default=False)
    # Who started a joint request: "child" or "representative".
    started_by = db.Column(db.String(20))
    # The child said involving a parent is not safe: a team leader decides (art. 20.4).
    art20_4_review = db.Column(db.Boolean, nullable=False, default=False)
    # What the child wrote about why it is not safe (for the team leader only).
    art20_4_note = db.Column(EncryptedText)
    # For requesters who cannot safely receive e-mail: argon2 hash of a passphrase.
    passphrase_hash = db.Column(db.String(200))
    # Delete unconfirmed requests after this moment (purge).
    purge_after = db.Column(db.DateTime)
    # Back office: who handles it, and when it was answered.
    assignee_id = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    answered_on = db.Column(db.Date)
    # Set when something looks like a second request for the same subject.
    possible_duplicate_of = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="SET NULL"))
    # Denormalised for the queue (portal/services/queue.py): the earliest date by which
    # one of its rights must be answered, an extension (AVG 12(3)) applied. Set by
    # submit_request and the extension service (portal/services/casefile.py); NULL only
    # for a row that no right belongs to. Indexed with id, so the queue's first page
    # sorted by due date is read in index order.
    earliest_due_on = db.Column(db.Date)

    parties = db.relationship("Party", back_populates="request", cascade="all, delete-orphan", order_by="Party.id")
    rights = db.relationship("RequestedRight", back_populates="request", cascade="all, delete-orphan", order_by="RequestedRight.id")
    documents = db.relationship("Document", back_populates="request", cascade="all, delete-orphan", order_by="Document.id")
    events = db.relationship("RequestEvent", back_populates="request", cascade="all, delete-orphan", order_by="RequestEvent.id")
    messages = db.relationship("Message", back_populates="request", cascade="all, delete-orphan", order_by="Message.id")
    invitations = db.relationship("Invitation", back_populates="request", cascade="all, delete-orphan")
    extensions = db.relationship("Extension", cascade="all, delete-orphan", order_by="Extension.id", viewonly=False)

    __table_args__ = (
        Index("ix_request_status_received", "status", "received_on"),
        # The queue (portal/services/queue.py), paged 50 at a time. Its default list, the
        # open requests by due date (or by date received), and the overdue and nearly-due
        # counts read partial indexes over the open requests only, so that thousands of
        # closed requests with old due dates are never stepped over; one status at a
        # time, or every status, read the others. assignee_id and status make the counts
        # ("3 te laat, 7 binnen 5 werkdagen", also "van u") an index-only read.
        Index("ix_request_queue_open_due", "earliest_due_on", "id", "assignee_id", "status",
              sqlite_where=db.text(OPEN_SQL), postgresql_where=db.text(OPEN_SQL)),
        Index("ix_request_queue_open_received", "received_on", "id",
              sqlite_where=db.text(OPEN_SQL), postgresql_where=db.text(OPEN_SQL)),
        Index("ix_request_queue_status_due", "status", "earliest_due_on", "id"),
        Index("ix_request_queue_due", "earliest_due_on", "id"),
        Index("ix_request_queue_received", "received_on", "id"),
    )

    @property
    def status_enum(self) -> RequestStatus:
        return RequestStatus(self.status)

    @property
    def requester(self) -> "Party":
        return next(p for p in self.parties if p.role == Party.REQUESTER)

    @property
    def co_requester(self) -> "Party | None":
        return next((p for p in self.parties if p.role == Party.CO_REQUESTER), None)

    @property
    def subject(self) -> "Party":
        return next(p for p in self.parties if p.is_subject)

    @property
    def earliest_due(self) -> date | None:
        dues = [r.due_on for r in self.rights]
        return min(dues) if dues else None


class Party(db.Model):
    """A person taking part in a request: the requester, the second person of a joint
    request (art. 20.1), or a subject who does not file (a child under 12, an adult
    under curatele)."""

    REQUESTER = "requester"
    CO_REQUESTER = "co_requester"
    SUBJECT = "subject"

    __tablename__ = "party"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    role = db.Column(db.String(20), nullable=False)
    is_subject = db.Column(db.Boolean, nullable=False, default=False)
    # Personal fields are encrypted at rest (portal/infra/encrypted.py, threat model O12);
    # match_index is the keyed blind index a second request for the same subject is
    # found by (portal/services/duplicates.py), kept by the listener below.
    given_names = db.Column(EncryptedText)
    surname = db.Column(EncryptedText)
    birth_date = db.Column(EncryptedDate)
    bsn = db.Column(EncryptedText)
    match_index = db.Column(db.String(64), index=True)
    email = db.Column(EncryptedText)
    email_confirmed_at = db.Column(db.DateTime)
    # Safe contact (what the person said is safe).
    email_ok = db.Column(db.Boolean, nullable=False, default=False)
    phone = db.Column(EncryptedText)
    phone_ok = db.Column(db.Boolean, nullable=False, default=False)
    phone_times = db.Column(EncryptedText)
    voicemail_ok = db.Column(db.Boolean, nullable=False, default=False)
    post_ok = db.Column(db.Boolean, nullable=False, default=False)
    street = db.Column(EncryptedText)
    house_number = db.Column(EncryptedText)
    postcode = db.Column(EncryptedText)
    city = db.Column(EncryptedText)
    # "upload" (copy of an ID document) or "in_person" (show it at the office).
    identity_method = db.Column(db.String(20))
    joined_at = db.Column(db.DateTime)
    # An invited child (art. 20.1, 12 to 16) who said involving the parent is not safe
    # (art. 20.4) follows the request on their own: an argon2 hash of their own
    # passphrase, never the parent's.
    passphrase_hash = db.Column(db.String(200))

    request = db.relationship("Request", back_populates="parties")

    __table_args__ = (
        CheckConstraint("role in ('requester','co_requester','subject')", name="role"),
    )

    @property
    def display_name(self) -> str:
        return " ".join(x for x in (self.given_names, self.surname) if x)


class RequestedRight(db.Model):
    """One right asked for in a request, with its details and its due date."""

    __tablename__ = "requested_right"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    right = db.Column(db.String(32), nullable=False)
    # What the person wrote for this right (a correction wish, an own statement, grounds):
    # encrypted at rest (threat model O12).
    details_json = db.Column(EncryptedText, nullable=False, default="{}")
    due_on = db.Column(db.Date, nullable=False, index=True)
    # When and how this right was answered (portal/services/answers.py): the day of the
    # first signed decision, or for afschrift and inzage the day the reviewed copy was
    # released, handed over or shown (the copy is the answer). NULL: not answered.
    answered_on = db.Column(db.Date)
    answer_outcome = db.Column(db.String(20))  # grant | grant_in_part | refuse
    answered_by = db.Column(db.String(20))  # decision | copy_released | copy_handed_over | inspection

    request = db.relationship("Request", back_populates="rights")
    __table_args__ = (UniqueConstraint("request_id", "right", name="uq_requested_right_request_right"),)

    @property
    def details(self) -> dict:
        return _json_or(self.details_json, "{}")


class Document(db.Model):
    """An upload: an ID copy, proof of representation, a statement PDF, or a file sent
    with a message. Content is checked (portal/documents/uploads.py), stripped of metadata and
    encrypted (portal/infra/crypto.py). Stored in the same transaction as its request."""

    IDENTITY = "identity"
    REPRESENTATION = "representation"
    STATEMENT = "statement"
    MESSAGE = "message"

    __tablename__ = "document"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    party_id = db.Column(db.Integer, db.ForeignKey("party.id", ondelete="CASCADE"))
    message_id = db.Column(db.Integer, db.ForeignKey("message.id", ondelete="CASCADE"))
    kind = db.Column(db.String(20), nullable=False)
    content_type = db.Column(db.String(40), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    ciphertext = deferred(db.Column(db.LargeBinary, nullable=False))

    request = db.relationship("Request", back_populates="documents")
    party = db.relationship("Party")


class RequestEvent(db.Model):
    """The request timeline: every move, who (a role, never a name) and when."""

    __tablename__ = "request_event"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    kind = db.Column(db.String(40), nullable=False)
    actor = db.Column(db.String(40), nullable=False)
    public = db.Column(db.Boolean, nullable=False, default=True)

    request = db.relationship("Request", back_populates="events")


class Message(db.Model):
    """A message between VT and the requester, shown on the status page."""

    TO_REQUESTER = "to_requester"
    FROM_REQUESTER = "from_requester"

    __tablename__ = "message"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    direction = db.Column(db.String(20), nullable=False)
    body = db.Column(EncryptedText, nullable=False)
    author = db.Column(db.String(40), nullable=False)
    # The person the message is to or from. In a joint request the child and the
    # parent each see only their own messages and those meant for both (NULL).
    party_id = db.Column(db.Integer, db.ForeignKey("party.id", ondelete="CASCADE"))
    # Set on a message from VT that asks for something (e.g. a clearer ID copy).
    asks_for_document = db.Column(db.Boolean, nullable=False, default=False)

    request = db.relationship("Request", back_populates="messages")
    documents = db.relationship("Document", foreign_keys=[Document.message_id])


class Invitation(db.Model):
    """The invitation for the second person of a joint request (art. 20.1, 12 to 16).
    Single use (used_at), expiring (expires_at). Only a hash of the code is kept."""

    __tablename__ = "invitation"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    party_id = db.Column(db.Integer, db.ForeignKey("party.id", ondelete="CASCADE"), nullable=False)
    channel = db.Column(db.String(10), nullable=False)  # "email" or "code"
    code_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False)
    sent_at = db.Column(db.DateTime)
    used_at = db.Column(db.DateTime)
    # The invited child said involving the parent is not safe (art. 20.4): the
    # invitation is used up without joining. Staff only; never on the parent's page.
    not_safe_at = db.Column(db.DateTime)
    # The invitation expired unused and the person who started was told (neutrally).
    expired_noticed_at = db.Column(db.DateTime)
    # The browser session that started the request; it may never join it.
    starter_session = db.Column(db.String(64), nullable=False)

    request = db.relationship("Request", back_populates="invitations")
    party = db.relationship("Party")


class UsedToken(db.Model):
    """Signed links are single use: the token's id is recorded when it is used."""

    __tablename__ = "used_token"
    id = db.Column(db.Integer, primary_key=True)
    purpose = db.Column(db.String(30), nullable=False)
    jti = db.Column(db.String(64), nullable=False)
    used_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    __table_args__ = (UniqueConstraint("purpose", "jti", name="uq_used_token_purpose_jti"),)


class StatusSession(db.Model):
    """A login to the status page, kept on the server (threat model O10). The browser's
    cookie holds only a random id; this row holds its SHA-256, so a copy of the
    database does not give a working cookie. Logout, a new login of the same person to
    the same request, 2 hours from login or 30 idle minutes end it
    (portal/services/status_sessions.py); a cookie copied before then opens nothing."""

    __tablename__ = "status_session"
    id = db.Column(db.Integer, primary_key=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    party_id = db.Column(db.Integer, db.ForeignKey("party.id", ondelete="CASCADE"), nullable=False)
    started_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_seen_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)


class Draft(db.Model):
    """A request being filled in, one question per page. The answers are encrypted;
    the browser holds only the draft's random id in its session."""

    __tablename__ = "draft"
    id = db.Column(db.String(64), primary_key=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    ciphertext = db.Column(db.LargeBinary, nullable=False)

    uploads = db.relationship("DraftUpload", back_populates="draft", cascade="all, delete-orphan")


class DraftUpload(db.Model):
    """A checked, cleaned, encrypted upload that belongs to a draft until submission."""

    __tablename__ = "draft_upload"
    id = db.Column(db.Integer, primary_key=True)
    draft_id = db.Column(db.String(64), db.ForeignKey("draft.id", ondelete="CASCADE"), nullable=False, index=True)
    slot = db.Column(db.String(40), nullable=False)
    content_type = db.Column(db.String(40), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    ciphertext = deferred(db.Column(db.LargeBinary, nullable=False))

    draft = db.relationship("Draft", back_populates="uploads")
    __table_args__ = (UniqueConstraint("draft_id", "slot", name="uq_draft_upload_draft_slot"),)


class AuditEvent(db.Model):
    """The access log (art. 7.5): who did what to whose data, why, and the outcome.
    Never the content itself, never secrets. Each entry carries the hash of the one
    before it, so a silent change or deletion breaks the chain (verify_chain)."""

    __tablename__ = "audit_event"
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    actor = db.Column(db.String(80), nullable=False)
    actor_role = db.Column(db.String(40), nullable=False)
    action = db.Column(db.String(60), nullable=False)
    object_type = db.Column(db.String(40))
    object_id = db.Column(db.String(64))
    subject_ref = db.Column(db.String(64))
    reason = db.Column(db.String(200))
    outcome = db.Column(db.String(40), nullable=False, default="ok")
    prev_hash = db.Column(db.String(64), nullable=False)
    hash = db.Column(db.String(64), nullable=False, unique=True)

    FIELDS = ("at", "actor", "actor_role", "action", "object_type", "object_id", "subject_ref", "reason", "outcome")

    def compute_hash(self, key: bytes) -> str:
        """HMAC-SHA256 over this entry and the previous entry's hash. The key is held
        outside the database (AUDIT_HMAC_KEY), so whoever can write the database
        cannot rebuild the chain after changing an entry."""
        payload = {f: (getattr(self, f).isoformat() if f == "at" else getattr(self, f)) for f in self.FIELDS}
        payload["prev"] = self.prev_hash
        return hmac.new(key, json.dumps(payload, sort_keys=True).encode(), hashlib.sha256).hexdigest()


# --- the back office ---------------------------------------------------------------------

class Staff(db.Model):
    """A staff account (art. 7). Password: argon2id. Second factor: TOTP, each time
    step accepted once (last_totp_step). `session_epoch` goes up on logout, password
    change and second-factor reset: every session of the account then ends."""

    __tablename__ = "staff"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), nullable=False, unique=True)
    display_name = db.Column(db.String(120), nullable=False)
    # Where the daily digest of overdue and nearly due requests goes (no personal data).
    email = db.Column(db.String(254))
    role = db.Column(db.String(30), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    password_hash = db.Column(db.String(200), nullable=False)
    password_changed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # A one-time password (made by `flask users create` or an administrator's reset)
    # must be replaced by the account holder before anything else.
    password_must_change = db.Column(db.Boolean, nullable=False, default=False, server_default=db.text("false"))
    totp_secret_enc = db.Column(db.LargeBinary)
    totp_confirmed_at = db.Column(db.DateTime)
    last_totp_step = db.Column(db.BigInteger)
    failed_logins = db.Column(db.Integer, nullable=False, default=0)
    locked_until = db.Column(db.DateTime)
    session_epoch = db.Column(db.Integer, nullable=False, default=0)
    # Art. 7.3: nothing is allowed until the confidentiality agreement is recorded.
    confidentiality_recorded_at = db.Column(db.DateTime)
    confidentiality_recorded_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    recovery_codes = db.relationship("RecoveryCode", back_populates="staff", cascade="all, delete-orphan")


class RecoveryCode(db.Model):
    __tablename__ = "recovery_code"
    id = db.Column(db.Integer, primary_key=True)
    staff_id = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="CASCADE"), nullable=False, index=True)
    code_hash = db.Column(db.String(200), nullable=False)
    used_at = db.Column(db.DateTime)

    staff = db.relationship("Staff", back_populates="recovery_codes")


class MatrixEntry(db.Model):
    """One cell of the authorisation matrix (art. 7.1): this role has this permission."""

    __tablename__ = "matrix_entry"
    id = db.Column(db.Integer, primary_key=True)
    role = db.Column(db.String(30), nullable=False)
    permission = db.Column(db.String(40), nullable=False)
    changed_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    changed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    __table_args__ = (UniqueConstraint("role", "permission", name="uq_matrix_entry_role_permission"),)


class DeputyGrant(db.Model):
    """Issue 10: the functional administrator names someone who may sign as a deputy
    team leader (Permission.DECISION_SIGN beside their role). Recorded and dated; a
    revoked grant is kept with when and by whom."""

    __tablename__ = "deputy_grant"
    id = db.Column(db.Integer, primary_key=True)
    staff_id = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="CASCADE"), nullable=False, index=True)
    granted_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    granted_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    revoked_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    revoked_at = db.Column(db.DateTime)


class IdentityCheck(db.Model):
    """The record of an identity or representation check (art. 20.5). The document
    itself is deleted once checked; this record stays."""

    __tablename__ = "identity_check"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    party_id = db.Column(db.Integer, db.ForeignKey("party.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(20), nullable=False)  # "identity" or "representation"
    method = db.Column(db.String(20), nullable=False)  # id_copy, in_person, eid
    document_kind = db.Column(db.String(40), nullable=False)
    # Empty for a check by eID: DigiD gives a BSN, not a name or birth date to compare.
    name_matches = db.Column(db.Boolean)
    birth_date_matches = db.Column(db.Boolean)
    result = db.Column(db.String(20), nullable=False)  # verified, rejected, needs_more
    notes = db.Column(EncryptedText)
    checked_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    checked_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # A check by eID (DigiD through a broker, issue 11): the level of assurance (basis,
    # midden, substantieel, hoog), the broker (its issuer) and the BSN DigiD gave,
    # encrypted with the Vault; checked_at is the time of the DigiD login.
    loa = db.Column(db.String(20))
    broker = db.Column(db.String(255))
    eid_bsn_ciphertext = db.Column(db.LargeBinary)
    # Its keyed blind index (portal/infra/encrypted.py bsn_index, the same purpose as
    # DossierPerson.bsn_index): to find a person's requests by the BSN DigiD gave (the
    # status page login) and to mark a dossier person with that BSN when linking.
    eid_bsn_index = db.Column(db.String(64), index=True)
    # DigiD Machtigen: the BSN of the person the login acts for (legal subject), encrypted;
    # shown to the caseworker, never taken as the proof of representation (art. 20.3).
    eid_legal_bsn_ciphertext = db.Column(db.LargeBinary)


class CapacityJudgment(db.Model):
    """VT's judgment that a young person of 12 or older lacks capacity (art. 20.2)."""

    __tablename__ = "capacity_judgment"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    party_id = db.Column(db.Integer, db.ForeignKey("party.id", ondelete="CASCADE"), nullable=False)
    lacks_capacity = db.Column(db.Boolean, nullable=False)
    reasons = db.Column(EncryptedText, nullable=False)
    judged_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    judged_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class ParentInvolvementDecision(db.Model):
    """A team leader's decision under art. 20.4 on a joint request (12 to 16) where the
    child said that involving a parent is not safe: go on without that parent, or the
    parent must take part. Written reasons; never edited (a later decision is a new row,
    the latest one counts)."""

    CONTINUE_WITHOUT_PARENT = "continue_without_parent"
    PARENT_MUST_TAKE_PART = "parent_must_take_part"

    __tablename__ = "parent_involvement_decision"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    outcome = db.Column(db.String(30), nullable=False)
    reasons = db.Column(EncryptedText, nullable=False)
    decided_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    decided_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    __table_args__ = (
        CheckConstraint("outcome in ('continue_without_parent','parent_must_take_part')", name="outcome"),
    )


class Decision(db.Model):
    """A decision on one right of a request: proposed by a caseworker, signed or sent
    back by a team leader (art. 14.2, 20.4). Signed decisions are never edited: a new
    decision replaces one (replaces_id), and both are kept."""

    PROPOSED = "proposed"
    SENT_BACK = "sent_back"
    SIGNED = "signed"
    REPLACED = "replaced"

    __tablename__ = "decision"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    right = db.Column(db.String(32), nullable=False)
    outcome = db.Column(db.String(20), nullable=False)  # grant, grant_in_part, refuse, extend
    grounds_json = db.Column(db.Text, nullable=False, default="[]")
    reasons = db.Column(EncryptedText)
    state = db.Column(db.String(20), nullable=False, default=PROPOSED, index=True)
    proposed_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    proposed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    reviewed_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    reviewed_at = db.Column(db.DateTime)
    review_comment = db.Column(EncryptedText)
    replaces_id = db.Column(db.Integer, db.ForeignKey("decision.id", ondelete="SET NULL"))

    @property
    def grounds(self) -> list[str]:
        return json.loads(self.grounds_json or "[]")


class Extension(db.Model):
    """An extension of the answer period by two months (AVG 12(3)), access and copy
    only, decided inside the first month, with reasons, and told to the requester."""

    __tablename__ = "extension"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    right = db.Column(db.String(32), nullable=False)
    reasons = db.Column(EncryptedText, nullable=False)
    decided_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    decided_on = db.Column(db.Date, nullable=False)
    told_on = db.Column(db.Date)
    new_due_on = db.Column(db.Date, nullable=False)
    __table_args__ = (UniqueConstraint("request_id", "right", name="uq_extension_request_right"),)


class Letter(db.Model):
    """A letter to the requester (a decision, an extension), as a PDF, encrypted,
    in the request's language; shown on the status page once released."""

    __tablename__ = "letter"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    decision_id = db.Column(db.Integer, db.ForeignKey("decision.id", ondelete="SET NULL"))
    extension_id = db.Column(db.Integer, db.ForeignKey("extension.id", ondelete="SET NULL"))
    kind = db.Column(db.String(20), nullable=False)
    language = db.Column(db.String(5), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    released_at = db.Column(db.DateTime)
    sha256 = db.Column(db.String(64), nullable=False)
    ciphertext = deferred(db.Column(db.LargeBinary, nullable=False))


# --- dossiers imported from the registration system (vt-dossier/1) --------------------------
#
# The registration system owns the case files; the portal keeps a copy of each exported
# dossier to answer access requests (art. 13, 14): portal/services/dossiers/importing.py imports
# them. Every text is plain text, stored as the export gives it and escaped wherever it
# is shown. `dossier_id`, `person_id` and `entry_id` are the export's own ids; the
# integer `id`s never leave the portal. A newer export updates the rows in place by
# those ids, so that what later work hangs on a person or an entry keeps its row.

dossier_entry_concerns = db.Table(
    "dossier_entry_concerns",
    db.Column("entry_pk", db.Integer, db.ForeignKey("dossier_entry.id", ondelete="CASCADE"), primary_key=True),
    db.Column("person_pk", db.Integer, db.ForeignKey("dossier_person.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)


class Dossier(db.Model):
    """One household's dossier, as last imported (one row per `dossier_id`)."""

    __tablename__ = "dossier"
    id = db.Column(db.Integer, primary_key=True)
    dossier_id = db.Column(db.String(40), nullable=False, unique=True)
    region = db.Column(db.String(100))
    opened_on = db.Column(db.Date, nullable=False)
    closed_on = db.Column(db.Date)
    # open, confirmed, inconclusive, refuted ("refuted": a destruction request is granted, art. 17.3)
    outcome = db.Column(db.String(20), nullable=False)
    # sha256 of the canonical dossier.json (attachments are covered by their sha256 in it).
    content_hash = db.Column(db.String(64), nullable=False)
    # The export carries no timestamp of its own: the latest date it holds stands in for
    # one (an export whose latest date is earlier than this one's is refused as older).
    export_as_of = db.Column(db.Date, nullable=False)
    imported_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    replaced_at = db.Column(db.DateTime)
    # Art. 9.3: the day the portal anonymised the dossier after its retention ended
    # (portal/services/destruction/expiry.py); no export of it is imported again.
    retention_destroyed_on = db.Column(db.Date)

    persons = db.relationship("DossierPerson", back_populates="dossier", cascade="all, delete-orphan",
                              order_by="DossierPerson.position")
    entries = db.relationship("DossierEntry", back_populates="dossier", cascade="all, delete-orphan",
                              order_by="[DossierEntry.date, DossierEntry.position]")

    __table_args__ = (
        CheckConstraint("outcome in ('open','confirmed','inconclusive','refuted')", name="outcome"),
    )


class DossierPerson(db.Model):
    """A person of a dossier with every identifier the export gives (the redaction of
    other persons' copies works from these)."""

    __tablename__ = "dossier_person"
    id = db.Column(db.Integer, primary_key=True)
    dossier_pk = db.Column(db.Integer, db.ForeignKey("dossier.id", ondelete="CASCADE"), nullable=False, index=True)
    person_id = db.Column(db.String(40), nullable=False)  # dossier-local, as in the export ("p1")
    position = db.Column(db.Integer, nullable=False)
    role = db.Column(db.String(20), nullable=False)  # subject, reporter, informant, third_party
    household_member = db.Column(db.Boolean)
    relation = db.Column(EncryptedText)
    # Encrypted at rest (threat model O12); found by the keyed blind indexes beside them
    # (portal/services/copies/finding.py), kept by the listener below.
    given_names = db.Column(EncryptedText, nullable=False)
    family_name = db.Column(EncryptedText, nullable=False)
    birth_date = db.Column(EncryptedDate)
    bsn = db.Column(EncryptedText)
    name_birth_index = db.Column(db.String(64), index=True)
    bsn_index = db.Column(db.String(64), index=True)
    organisation = db.Column(EncryptedText)  # an informant's school or practice: identifies them
    # This person's whereabouts never reach anyone else's copy.
    protected_address = db.Column(db.Boolean, nullable=False, default=False)
    addresses_json = db.Column(EncryptedText, nullable=False, default="[]")  # [{street, number, postcode, city}]
    phones_json = db.Column(EncryptedText, nullable=False, default="[]")
    emails_json = db.Column(EncryptedText, nullable=False, default="[]")

    dossier = db.relationship("Dossier", back_populates="persons")

    __table_args__ = (
        UniqueConstraint("dossier_pk", "person_id", name="uq_dossier_person_dossier_person_id"),
        CheckConstraint("role in ('subject','reporter','informant','third_party')", name="role"),
    )

    @property
    def addresses(self) -> list[dict]:
        return _json_or(self.addresses_json, "[]")

    @property
    def phones(self) -> list[str]:
        return _json_or(self.phones_json, "[]")

    @property
    def emails(self) -> list[str]:
        return _json_or(self.emails_json, "[]")


class DossierEntry(db.Model):
    """An entry of a dossier: date, kind, nature (art. 6.5), source, whom it concerns
    (art. 13), its text (plain text), and to whom VT disclosed it (AVG 19)."""

    __tablename__ = "dossier_entry"
    id = db.Column(db.Integer, primary_key=True)
    dossier_pk = db.Column(db.Integer, db.ForeignKey("dossier.id", ondelete="CASCADE"), nullable=False, index=True)
    entry_id = db.Column(db.String(40), nullable=False)  # as in the export ("e1")
    position = db.Column(db.Integer, nullable=False)
    date = db.Column(db.Date, nullable=False)
    kind = db.Column(db.String(40), nullable=False)
    title = db.Column(EncryptedText)
    author = db.Column(EncryptedText)
    nature = db.Column(db.String(20), nullable=False)  # fact, opinion, hypothesis, diagnosis
    source_person_pk = db.Column(db.Integer, db.ForeignKey("dossier_person.id", ondelete="SET NULL"))
    text = db.Column(EncryptedText, nullable=False)
    shared_with_json = db.Column(EncryptedText, nullable=False, default="[]")  # [{recipient, date, basis}]

    dossier = db.relationship("Dossier", back_populates="entries")
    source_person = db.relationship("DossierPerson", foreign_keys=[source_person_pk])
    concerns = db.relationship("DossierPerson", secondary=dossier_entry_concerns, order_by="DossierPerson.position")
    attachments = db.relationship("DossierAttachment", back_populates="entry", cascade="all, delete-orphan",
                                  order_by="DossierAttachment.id")

    __table_args__ = (
        UniqueConstraint("dossier_pk", "entry_id", name="uq_dossier_entry_dossier_entry_id"),
        CheckConstraint("nature in ('fact','opinion','hypothesis','diagnosis')", name="nature"),
    )

    @property
    def shared_with(self) -> list[dict]:
        return _json_or(self.shared_with_json, "[]")


class DossierAttachment(db.Model):
    """A file of an entry: the original, unchanged (it is evidence), checked against the
    export's sha256 and the magic bytes of its declared type, encrypted at rest."""

    __tablename__ = "dossier_attachment"
    id = db.Column(db.Integer, primary_key=True)
    entry_pk = db.Column(db.Integer, db.ForeignKey("dossier_entry.id", ondelete="CASCADE"), nullable=False, index=True)
    filename = db.Column(db.String(140), nullable=False)  # "attachments/x.pdf", as in the export
    media_type = db.Column(db.String(40), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    ciphertext = deferred(db.Column(db.LargeBinary, nullable=False))

    entry = db.relationship("DossierEntry", back_populates="attachments")


class DossierImport(db.Model):
    """The log of every import attempt: who, when, which export (hash), the outcome
    (imported, replaced, unchanged, refused), counts and, for a refusal, the reason
    code and the field. Never content."""

    IMPORTED = "imported"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"
    REFUSED = "refused"

    __tablename__ = "dossier_import"
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    actor = db.Column(db.String(80), nullable=False)  # "staff:12" or "cli"
    staff_id = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    source = db.Column(db.String(20), nullable=False)  # upload, folder, zip
    dossier_pk = db.Column(db.Integer, db.ForeignKey("dossier.id", ondelete="SET NULL"), index=True)
    dossier_ref = db.Column(db.String(40), index=True)  # the export's dossier_id, when it is a valid one
    # As Dossier.content_hash; for a refused export the sha256 of its dossier.json bytes.
    content_hash = db.Column(db.String(64))
    outcome = db.Column(db.String(20), nullable=False)
    problem = db.Column(db.String(200))  # "code at path" for a refusal
    counts_json = db.Column(db.Text, nullable=False, default="{}")

    __table_args__ = (
        CheckConstraint("outcome in ('imported','replaced','unchanged','refused')", name="outcome"),
    )

    @property
    def counts(self) -> dict:
        return json.loads(self.counts_json or "{}")


# --- the copy (afschrift, art. 14): issue #4 ----------------------------------------------

class DossierLink(db.Model):
    """A request linked to the dossier person whose data it is about (the subject).

    Made by a caseworker only after every person taking part is verified (art. 20.5,
    ``casework.identity_verified``): before that, nothing may reveal whether VT has a
    dossier at all. A subject can be in more than one household's dossier: one link per
    dossier. ``requester_person_pk``: the representative, where the dossier names them."""

    __tablename__ = "dossier_link"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    dossier_pk = db.Column(db.Integer, db.ForeignKey("dossier.id", ondelete="CASCADE"), nullable=False, index=True)
    person_pk = db.Column(db.Integer, db.ForeignKey("dossier_person.id", ondelete="CASCADE"), nullable=False)
    requester_person_pk = db.Column(db.Integer, db.ForeignKey("dossier_person.id", ondelete="SET NULL"))
    linked_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    linked_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    dossier = db.relationship("Dossier")
    person = db.relationship("DossierPerson", foreign_keys=[person_pk])
    requester_person = db.relationship("DossierPerson", foreign_keys=[requester_person_pk])

    __table_args__ = (UniqueConstraint("request_id", "dossier_pk", name="uq_dossier_link_request_dossier"),)


class Copy(db.Model):
    """One person's copy of one dossier (afschrift, art. 14), from draft to release.

    The entries it holds are frozen when it is made (art. 13, ``rules.selection``);
    every redaction is a row (``CopyRedaction``) with its ground and origin; the PDF is
    rendered in the background job queue and kept encrypted. A copy made from an import
    that has since been replaced is stale (``dossier_hash``) and cannot be released."""

    DRAFT = "draft"  # being prepared: redactions can change
    REVIEWED = "reviewed"  # a caseworker checked the rendered PDF
    SIGNED = "signed"  # a team leader signed what is withheld (art. 14.2, 20.4)
    RELEASED = "released"  # on the status page / handed over
    WITHDRAWN = "withdrawn"  # replaced by a newer copy, or its data destroyed or erased
    STATUSES = (DRAFT, REVIEWED, SIGNED, RELEASED, WITHDRAWN)
    #: Why a copy was withdrawn (``withdrawn_reason``): a newer draft of the same link
    #: replaced it, or data it held were destroyed (art. 17) or erased (art. 18).
    REPLACED, DESTROYED, ERASED = "replaced", "destruction", "erasure"

    __tablename__ = "dossier_copy"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    link_id = db.Column(db.Integer, db.ForeignKey("dossier_link.id", ondelete="CASCADE"), nullable=False, index=True)
    dossier_hash = db.Column(db.String(64), nullable=False)
    status = db.Column(db.String(20), nullable=False, default=DRAFT)
    withdrawn_reason = db.Column(db.String(20))  # REPLACED, DESTROYED, ERASED (None: older rows)
    created_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # Free-text detector pass (background job): pending, done, failed.
    detector_state = db.Column(db.String(20), nullable=False, default="pending")
    # Rendering (background job): idle, queued, rendering, done, failed; 0..100.
    render_state = db.Column(db.String(20), nullable=False, default="idle")
    render_progress = db.Column(db.Integer, nullable=False, default=0)
    plan_progress = db.Column(db.Integer, nullable=False, default=0, server_default="0")  # fill_copy, 0-100
    render_error = db.Column(db.String(200))
    # Bumped on every change to what the copy holds: a rendered PDF of an older version
    # cannot be reviewed, signed or released.
    version = db.Column(db.Integer, nullable=False, default=1)
    rendered_version = db.Column(db.Integer)
    rendered_at = db.Column(db.DateTime)
    pdf_pages = db.Column(db.Integer)
    pdf_sha256 = db.Column(db.String(64))
    pdf_ciphertext = deferred(db.Column(db.LargeBinary))
    reviewed_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    reviewed_at = db.Column(db.DateTime)
    signed_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    signed_at = db.Column(db.DateTime)
    released_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    released_at = db.Column(db.DateTime)

    link = db.relationship("DossierLink")
    entries = db.relationship("CopyEntry", back_populates="copy", cascade="all, delete-orphan",
                              order_by="CopyEntry.position")
    redactions = db.relationship("CopyRedaction", back_populates="copy", cascade="all, delete-orphan",
                                 order_by="[CopyRedaction.entry_pk, CopyRedaction.field, CopyRedaction.start]")
    attachments = db.relationship("CopyAttachment", back_populates="copy", cascade="all, delete-orphan",
                                  order_by="CopyAttachment.id")
    deliveries = db.relationship("CopyDelivery", back_populates="copy", cascade="all, delete-orphan",
                                 order_by="CopyDelivery.id")

    __table_args__ = (
        CheckConstraint("status in ('draft','reviewed','signed','released','withdrawn')", name="status"),
    )


class CopyEntry(db.Model):
    """An entry selected for a copy (art. 13), and whether it is withheld as a whole
    (a restriction, art. 14.2: a team leader signs it)."""

    __tablename__ = "copy_entry"
    id = db.Column(db.Integer, primary_key=True)
    copy_id = db.Column(db.Integer, db.ForeignKey("dossier_copy.id", ondelete="CASCADE"), nullable=False, index=True)
    entry_pk = db.Column(db.Integer, db.ForeignKey("dossier_entry.id", ondelete="CASCADE"), nullable=False)
    position = db.Column(db.Integer, nullable=False)
    withheld = db.Column(db.Boolean, nullable=False, default=False)
    withheld_ground = db.Column(db.String(60))
    withheld_reasons = db.Column(EncryptedText)
    withheld_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))

    copy = db.relationship("Copy", back_populates="entries")
    entry = db.relationship("DossierEntry")

    __table_args__ = (UniqueConstraint("copy_id", "entry_pk", name="uq_copy_entry_copy_entry"),)


#: Which text a copy's redaction is in: a statement's has a statement and no entry, an
#: amended text's the correction, a dossier text's neither (migration 7c41e2b9d0a3).
PART_CHECK = ("(field = 'statement' AND statement_id IS NOT NULL AND entry_pk IS NULL AND amendment_id IS NULL)"
              " OR (field = 'amended' AND amendment_id IS NOT NULL AND entry_pk IS NOT NULL AND statement_id IS NULL)"
              " OR (field IN ('text','title') AND entry_pk IS NOT NULL AND amendment_id IS NULL"
              " AND statement_id IS NULL)")


class CopyRedaction(db.Model):
    """One redaction in one text the copy prints: ``text[start:end]``.

    Which text (``field``): ``title`` or ``text`` of the dossier entry ``entry_pk``;
    ``amended``: the new text of an improved entry (art. 15), the one correction
    ``amendment_id``; ``statement``: the person's own statement ``statement_id`` (art.
    16, no entry). Every one is stored, so each can be confirmed or lifted (issue 12).

    Origin: ``known`` (an identifier the dossier gives for another person,
    rules.redaction), ``detector`` (free-text detection), ``staff`` (selected by hand).
    State: ``applied`` (the default: a missed redaction is worse than one too many),
    ``confirmed`` (a person checked it), ``lifted`` (shown after all, with a reason)."""

    KNOWN, DETECTOR, STAFF = "known", "detector", "staff"
    APPLIED, CONFIRMED, LIFTED = "applied", "confirmed", "lifted"

    __tablename__ = "copy_redaction"
    id = db.Column(db.Integer, primary_key=True)
    copy_id = db.Column(db.Integer, db.ForeignKey("dossier_copy.id", ondelete="CASCADE"), nullable=False, index=True)
    entry_pk = db.Column(db.Integer, db.ForeignKey("dossier_entry.id", ondelete="CASCADE"))  # None: a statement
    field = db.Column(db.String(10), nullable=False)  # text, title, amended, statement
    amendment_id = db.Column(db.Integer, db.ForeignKey("entry_amendment.id", ondelete="CASCADE"), index=True)
    statement_id = db.Column(db.Integer, db.ForeignKey("own_statement.id", ondelete="CASCADE"), index=True)
    start = db.Column(db.Integer, nullable=False)
    end = db.Column(db.Integer, nullable=False)
    ground = db.Column(db.String(60), nullable=False)
    origin = db.Column(db.String(10), nullable=False)
    kind = db.Column(db.String(30), nullable=False)  # name, address, phone, ... or "selection"
    person_ref = db.Column(db.String(40))  # the dossier person ("p5") for known ones
    state = db.Column(db.String(10), nullable=False, default=APPLIED)
    reason = db.Column(EncryptedText)  # why staff added or lifted it
    decided_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    decided_at = db.Column(db.DateTime)

    copy = db.relationship("Copy", back_populates="redactions")

    __table_args__ = (
        CheckConstraint("field in ('text','title','amended','statement')", name="field"),
        CheckConstraint(PART_CHECK, name="part"),
        CheckConstraint("origin in ('known','detector','staff')", name="origin"),
        CheckConstraint("state in ('applied','confirmed','lifted')", name="state"),
        CheckConstraint("start >= 0 AND \"end\" > start", name="span"),
    )


class CopyAttachment(db.Model):
    """An attachment of a selected entry. Unreviewed or withheld: not in the copy.
    Redacted: the page images with the boxes drawn into the pixels, encrypted."""

    UNREVIEWED, WITHHELD, REDACTED = "unreviewed", "withheld", "redacted"

    __tablename__ = "copy_attachment"
    id = db.Column(db.Integer, primary_key=True)
    copy_id = db.Column(db.Integer, db.ForeignKey("dossier_copy.id", ondelete="CASCADE"), nullable=False, index=True)
    attachment_pk = db.Column(db.Integer, db.ForeignKey("dossier_attachment.id", ondelete="CASCADE"), nullable=False)
    state = db.Column(db.String(12), nullable=False, default=UNREVIEWED)
    boxes_json = db.Column(db.Text, nullable=False, default="[]")
    ground = db.Column(db.String(60))
    reasons = db.Column(EncryptedText)
    reviewed_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    reviewed_at = db.Column(db.DateTime)
    redacted_ciphertext = deferred(db.Column(db.LargeBinary))
    # The invisible OCR text layer of the redacted pages (issue 12), encrypted; None: made at rendering.
    ocr_ciphertext = deferred(db.Column(db.LargeBinary))

    copy = db.relationship("Copy", back_populates="attachments")
    attachment = db.relationship("DossierAttachment")

    __table_args__ = (CheckConstraint("state in ('unreviewed','withheld','redacted')", name="state"),)


class CopyDelivery(db.Model):
    """How a released copy reaches the requester: a download on the status page (after
    a second proof and a one-time code; expires; a limited number of times) or handed
    over in person (recorded)."""

    DOWNLOAD, IN_PERSON = "download", "in_person"

    __tablename__ = "copy_delivery"
    id = db.Column(db.Integer, primary_key=True)
    copy_id = db.Column(db.Integer, db.ForeignKey("dossier_copy.id", ondelete="CASCADE"), nullable=False, index=True)
    party_id = db.Column(db.Integer, db.ForeignKey("party.id", ondelete="CASCADE"), nullable=False)
    method = db.Column(db.String(12), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    expires_at = db.Column(db.DateTime)
    downloads_left = db.Column(db.Integer, nullable=False, default=0)
    downloads = db.Column(db.Integer, nullable=False, default=0)
    # The one-time code: argon2 hash, when it was sent, until when it holds, tries.
    code_hash = db.Column(db.String(200))
    code_expires_at = db.Column(db.DateTime)
    code_tries = db.Column(db.Integer, nullable=False, default=0)
    handed_over_at = db.Column(db.DateTime)  # in person: when, and by whom (created_by)
    note = db.Column(EncryptedText)

    copy = db.relationship("Copy", back_populates="deliveries")

    __table_args__ = (CheckConstraint("method in ('download','in_person')", name="method"),)


class Inspection(db.Model):
    """Inzage (art. 14.1): the reviewed copy shown to the requester at the office or
    online, recorded with the date and who attended. It answers the right of inzage."""

    OFFICE, ONLINE = "office", "online"

    __tablename__ = "copy_inspection"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    copy_id = db.Column(db.Integer, db.ForeignKey("dossier_copy.id", ondelete="CASCADE"), nullable=False, index=True)
    held_on = db.Column(db.Date, nullable=False)
    mode = db.Column(db.String(10), nullable=False)
    # The people of the request who attended (Party ids), and the staff member present.
    attended_json = db.Column(db.Text, nullable=False, default="[]")
    staff_id = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    recorded_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    copy = db.relationship("Copy")

    __table_args__ = (CheckConstraint("mode in ('office','online')", name="mode"),)

    @property
    def attended(self) -> list[int]:
        return [int(x) for x in json.loads(self.attended_json or "[]")]


# --- correction, own statement, destruction, erasure (art. 9, 15-18): issue #5 ----------------

correction_item_entries = db.Table(
    "correction_item_entries",
    db.Column("item_id", db.Integer, db.ForeignKey("correction_item.id", ondelete="CASCADE"), primary_key=True),
    db.Column("entry_pk", db.Integer, db.ForeignKey("dossier_entry.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)


class CorrectionItem(db.Model):
    """One thing a requester wants corrected (art. 15): what the dossier says now, what
    they say it should say, and why; linked by the caseworker to the entry or entries it
    is about; decided per item (improve, delete, shield, or refuse: a refusal is signed
    by a team leader)."""

    IMPROVE, DELETE, SHIELD, REFUSE = "improve", "delete", "shield", "refuse"

    __tablename__ = "correction_item"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False, default=0)
    says_now = db.Column(EncryptedText)
    should_say = db.Column(EncryptedText)
    why = db.Column(EncryptedText)
    # The caseworker's reading: about facts (art. 15) or an opinion/assessment (art. 16).
    about_facts = db.Column(db.Boolean)
    outcome = db.Column(db.String(10))
    new_text = db.Column(EncryptedText)  # the improved text of the entry (outcome improve)
    ground = db.Column(db.String(60))
    reasons = db.Column(EncryptedText)
    state = db.Column(db.String(12), nullable=False, default="open")  # open, proposed, decided, executed
    decided_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    decided_at = db.Column(db.DateTime)
    signed_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    signed_at = db.Column(db.DateTime)

    entries = db.relationship("DossierEntry", secondary=correction_item_entries, order_by="DossierEntry.date")

    __table_args__ = (
        CheckConstraint("outcome is null or outcome in ('improve','delete','shield','refuse')", name="outcome"),
        CheckConstraint("state in ('open','proposed','decided','executed')", name="state"),
    )


class EntryAmendment(db.Model):
    """The portal's own copy of an entry after a decided correction (art. 15): every
    later copy shows it (improved text, left out when deleted, "afgeschermd" when
    shielded), until the registration system's next export carries the change itself."""

    __tablename__ = "entry_amendment"
    id = db.Column(db.Integer, primary_key=True)
    entry_pk = db.Column(db.Integer, db.ForeignKey("dossier_entry.id", ondelete="CASCADE"), nullable=False, index=True)
    item_id = db.Column(db.Integer, db.ForeignKey("correction_item.id", ondelete="SET NULL"))
    kind = db.Column(db.String(10), nullable=False)  # improve, delete, shield
    new_text = db.Column(EncryptedText)
    decided_on = db.Column(db.Date, nullable=False)

    entry = db.relationship("DossierEntry")

    __table_args__ = (CheckConstraint("kind in ('improve','delete','shield')", name="kind"),)


own_statement_entries = db.Table(
    "own_statement_entries",
    db.Column("statement_id", db.Integer, db.ForeignKey("own_statement.id", ondelete="CASCADE"), primary_key=True),
    db.Column("entry_pk", db.Integer, db.ForeignKey("dossier_entry.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)


class OwnStatement(db.Model):
    """A person's own statement (eigen verklaring, art. 16), added to the dossier: it is
    in every later copy for that person, in full, marked as theirs."""

    __tablename__ = "own_statement"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="SET NULL"), index=True)
    dossier_pk = db.Column(db.Integer, db.ForeignKey("dossier.id", ondelete="CASCADE"), nullable=False, index=True)
    person_pk = db.Column(db.Integer, db.ForeignKey("dossier_person.id", ondelete="CASCADE"), nullable=False, index=True)
    text = db.Column(EncryptedText, nullable=False)
    pdf_sha256 = db.Column(db.String(64))
    pdf_ciphertext = deferred(db.Column(db.LargeBinary))
    added_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    added_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))

    person = db.relationship("DossierPerson")
    responds_to = db.relationship("DossierEntry", secondary=own_statement_entries, order_by="DossierEntry.date")


class RegistrationInstruction(db.Model):
    """What the registration system must do after a decision (issue #5: rectify, add an
    own statement, destroy, anonymise, erase), as a JSON export per dossier
    (docs/registration-instructions.md), and the confirmation that it was done: by a
    named person, on a date."""

    KINDS = ("rectify", "add_statement", "destroy", "anonymise", "erase")

    __tablename__ = "registration_instruction"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="SET NULL"), index=True)
    dossier_ref = db.Column(db.String(40), nullable=False, index=True)  # the export's dossier_id
    kind = db.Column(db.String(20), nullable=False)
    payload_json = db.Column(EncryptedText, nullable=False, default="{}")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    confirmed_on = db.Column(db.Date)
    confirmed_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    confirmed_name = db.Column(EncryptedText)  # who at the registration system carried it out

    __table_args__ = (
        CheckConstraint("kind in ('rectify','add_statement','destroy','anonymise','erase')", name="kind"),
    )

    @property
    def payload(self) -> dict:
        return _json_or(self.payload_json, "{}")

    @property
    def superseded_by(self) -> int | None:
        """The destruction or erasure instruction that left nothing of this one to do
        (its statement or every entry it changes is gone): it no longer waits for a
        confirmation."""
        return self.payload.get("superseded_by_instruction")

    @property
    def waiting(self) -> bool:
        """Still to be carried out and confirmed."""
        return self.confirmed_on is None and self.superseded_by is None


class NotificationTask(db.Model):
    """A recipient the dossier says an entry was shared with (``shared_with``), to be told
    of a rectification or erasure (AVG 19); ticked off with date and by whom."""

    __tablename__ = "notification_task"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    instruction_id = db.Column(db.Integer, db.ForeignKey("registration_instruction.id", ondelete="SET NULL"))
    entry_ref = db.Column(db.String(40))  # the export's entry id
    recipient = db.Column(EncryptedText, nullable=False)
    shared_on = db.Column(db.Date)
    basis = db.Column(EncryptedText)
    done_on = db.Column(db.Date)
    done_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    note = db.Column(EncryptedText)


class RightAssessment(db.Model):
    """The weighing of a destruction (art. 17) or erasure (art. 18) request and its
    execution. Erasure: the grounds a-e of art. 18.2 as the requester gave them and as
    the caseworker weighs them, the exceptions of AVG 17(3) as a checklist. Destruction:
    for a refusal, the other person for whom keeping the data is of substantial interest
    and why (art. 17.4); the destruction's own deadline (3 months after receipt)."""

    __tablename__ = "right_assessment"
    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("request.id", ondelete="CASCADE"), nullable=False, index=True)
    right = db.Column(db.String(32), nullable=False)
    claimed_json = db.Column(db.Text, nullable=False, default="[]")
    weighed_json = db.Column(EncryptedText, nullable=False, default="{}")  # per ground: finding and note
    exceptions_json = db.Column(EncryptedText, nullable=False, default="{}")
    interest_person = db.Column(EncryptedText)
    interest_reasons = db.Column(EncryptedText)
    execute_by = db.Column(db.Date)  # art. 17.4: within 3 months of receipt
    method = db.Column(db.String(12))  # destroy or anonymise (art. 9.3)
    executed_on = db.Column(db.Date)
    executed_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    # The team leader's execution check (issue 10, four eyes on art. 17/18): once
    # executed_on is set the check waits (check_state NULL); "checked" or "sent_back"
    # (with the team leader's comment), and "sent_back" waits again when the caseworker
    # offers it again (portal/services/destruction/check.py).
    check_state = db.Column(db.String(12))
    checked_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    checked_at = db.Column(db.DateTime)
    check_comment = db.Column(EncryptedText)

    CHECKED, SENT_BACK = "checked", "sent_back"

    __table_args__ = (UniqueConstraint("request_id", "right", name="uq_right_assessment_request_right"),)


class RetentionExtension(db.Model):
    """A team leader's extension of a dossier's retention (art. 9.2), with reasons."""

    __tablename__ = "retention_extension"
    id = db.Column(db.Integer, primary_key=True)
    dossier_pk = db.Column(db.Integer, db.ForeignKey("dossier.id", ondelete="CASCADE"), nullable=False, index=True)
    until_year = db.Column(db.Integer, nullable=False)
    reasons = db.Column(EncryptedText, nullable=False)
    decided_by = db.Column(db.Integer, db.ForeignKey("staff.id", ondelete="SET NULL"))
    decided_at = db.Column(db.DateTime, nullable=False, default=utcnow)


# --- blind indexes beside encrypted fields (portal/infra/encrypted.py) -----------------------

@db.event.listens_for(Party, "before_insert")
@db.event.listens_for(Party, "before_update")
def _party_index(mapper, connection, target: Party) -> None:
    target.match_index = subject_index(current_app.config["BLIND_INDEX_KEY"], target.given_names, target.surname,
                                       target.birth_date)


@db.event.listens_for(DossierPerson, "before_insert")
@db.event.listens_for(DossierPerson, "before_update")
def _dossier_person_index(mapper, connection, target: DossierPerson) -> None:
    key = current_app.config["BLIND_INDEX_KEY"]
    target.name_birth_index = person_name_birth_index(key, target.family_name, target.birth_date)
    target.bsn_index = bsn_index(key, target.bsn)
