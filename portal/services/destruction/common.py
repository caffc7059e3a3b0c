"""What every step of destruction (art. 17) and erasure (art. 18) shares: the error and
its stable codes, the constants, the grounds a-e of art. 18.2 and the exceptions of AVG
17(3) with their labels (pure data, both languages), and reading a request's weighing,
decision, instructions and the entries of the subject's part of a dossier."""
from __future__ import annotations

import json

from ...infra.extensions import db
from ...models import (Decision, DossierEntry, DossierLink, DossierPerson, RegistrationInstruction, Request,
                      RequestedRight, RightAssessment, utcnow)
from ...rules import deadlines
from ...rules.permissions import Permission
from ...rules.rights import Right
from ...rules.status import BEFORE_QUEUE, RequestStatus
from .. import authz
from ..authz import Actor
from ..errors import DomainError, load_request

DESTRUCTION = Right.DESTRUCTION.value
ERASURE = Right.ERASURE.value
RIGHTS = (DESTRUCTION, ERASURE)
REFUTED = "refuted"

DESTROY, ANONYMISE = "destroy", "anonymise"
METHODS = (DESTROY, ANONYMISE)  # art. 9.3: a certified company, or anonymisation
KIND_FOR = {DESTRUCTION: {DESTROY: "destroy", ANONYMISE: "anonymise"}, ERASURE: {DESTROY: "erase", ANONYMISE: "erase"}}
KINDS_OF = {DESTRUCTION: ("destroy", "anonymise"), ERASURE: ("erase",)}

#: What replaces an identifier of the subject in an entry that stays (it is also about others).
REMOVED = "[verwijderd]"
#: The text of an entry anonymised as a whole (method "anonymise").
ANONYMISED = "[geanonimiseerd]"

NAME_MAX = 200
REASONS_MAX = 10000
NOTE_MAX = 2000
EXCEPTION_NOTE_MIN = 10
YEARS_AHEAD_MAX = 100

# --- art. 18.2 grounds and AVG 17(3) exceptions (pure data, both languages) ------------------

#: Art. 18.2 a-e, the codes of portal/labels.ERASURE_GROUNDS (the requester's words).
ERASURE_GROUNDS: dict[str, dict[str, str]] = {
    "a": {"nl": "De gegevens zijn niet meer nodig voor het doel waarvoor ze zijn verzameld.",
          "en": "The data are no longer needed for the purpose they were collected for."},
    "b": {"nl": "De toestemming is ingetrokken en er is geen andere grond om de gegevens te gebruiken.",
          "en": "Consent was withdrawn and there is no other legal ground for using the data."},
    "c": {"nl": "Er is bezwaar gemaakt en er zijn geen zwaarder wegende redenen om de gegevens te gebruiken.",
          "en": "An objection was made and there are no overriding reasons to use the data."},
    "d": {"nl": "De gegevens zijn gebruikt terwijl dat niet mocht.",
          "en": "The data were used unlawfully."},
    "e": {"nl": "De gegevens moeten volgens de wet gewist worden.",
          "en": "The data must be erased to comply with the law."},
}
#: AVG 17(3) a-e: the processing is necessary ... (art. 18.3: then no erasure is needed).
AVG_17_3_EXCEPTIONS: dict[str, dict[str, str]] = {
    "a": {"nl": "Om de vrijheid van meningsuiting en informatie te beschermen.",
          "en": "To protect freedom of expression and information."},
    "b": {"nl": "Veilig Thuis moet de gegevens volgens de wet bewaren, of heeft ze nodig voor een taak van algemeen belang.",
          "en": "Veilig Thuis must keep the data by law, or needs them for a task in the public interest."},
    "c": {"nl": "De gegevens zijn nodig voor de volksgezondheid (algemeen belang).",
          "en": "The data are needed for public health (public interest)."},
    "d": {"nl": "De gegevens zijn nodig voor archief in het algemeen belang, voor onderzoek of voor statistiek.",
          "en": "The data are needed for archiving in the public interest, for research or for statistics."},
    "e": {"nl": "De gegevens zijn nodig om een rechtszaak te beginnen, te voeren of zich te verdedigen.",
          "en": "The data are needed to bring, conduct or defend a legal claim."},
}
CODES = ("a", "b", "c", "d", "e")
APPLIES, DOES_NOT_APPLY = "applies", "does_not_apply"
FINDINGS = (APPLIES, DOES_NOT_APPLY)


def erasure_ground_label(code: str, lang: str = "nl") -> str:
    item = ERASURE_GROUNDS.get(code)
    return (item.get(lang) or item["nl"]) if item else code


def exception_label(code: str, lang: str = "nl") -> str:
    item = AVG_17_3_EXCEPTIONS.get(code)
    return (item.get(lang) or item["nl"]) if item else code


def exception_article(code: str, lang: str = "nl") -> str:
    return f"artikel 17 lid 3 onder {code} AVG" if lang == "nl" else f"Article 17(3)({code}) GDPR"


# Error codes (stable: the faces show a sentence per code).
ART17_3_MUST_GRANT = "art17_3_refuted_must_grant"
ART17_4_INTEREST_REQUIRED = "art17_4_interest_person_required"
ART18_3_EXCEPTION_REQUIRED = "art18_3_exception_required"
DOSSIER_NOT_LINKED = "dossier_not_linked"


class DestructionError(DomainError):
    """A stable code the face turns into a sentence (backoffice/rights_destruction.py)."""


# --- reading ---------------------------------------------------------------------------------

def load(reference: str) -> Request:
    return load_request(reference, DestructionError)


def assessment_of(req: Request, right: str) -> RightAssessment | None:
    return db.session.execute(
        db.select(RightAssessment).filter_by(request_id=req.id, right=right)).scalar_one_or_none()


def _json(text: str | None, default):
    try:
        value = json.loads(text or "")
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def claimed(a: RightAssessment | None, req: Request | None = None) -> list[str]:
    """The requester's grounds a-e (art. 18.2): as recorded, else as the request has them."""
    if a is not None and a.claimed_json and a.claimed_json != "[]":
        return [c for c in _json(a.claimed_json, []) if c in CODES]
    if req is not None:
        return requested_grounds(req)
    return []


def requested_grounds(req: Request) -> list[str]:
    right = next((r for r in req.rights if r.right == ERASURE), None)
    grounds = (right.details if right else {}).get("grounds") or []
    if isinstance(grounds, str):
        grounds = [grounds]
    return [c for c in CODES if c in grounds]


def weighed(a: RightAssessment | None) -> dict[str, dict]:
    return _json(a.weighed_json, {}) if a is not None else {}


def exceptions(a: RightAssessment | None) -> dict[str, dict]:
    return _json(a.exceptions_json, {}) if a is not None else {}


def applied_exceptions(a: RightAssessment | None) -> list[str]:
    ex = exceptions(a)
    return [c for c in CODES if (ex.get(c) or {}).get("applies")]


def is_refuted(link: DossierLink) -> bool:
    return link.dossier.outcome == REFUTED


def execution_deadline(req: Request) -> deadlines.Deadline:
    """Art. 17.4: the data destroyed within three months of receipt (Atw applied)."""
    return deadlines.destruction_deadline(req.received_on)


def requested_right(req: Request, right: str) -> RequestedRight | None:
    """The right as the request asks it, or None when it does not."""
    return next((r for r in req.rights if r.right == right), None)


def standing_decision(req: Request, right: str) -> Decision | None:
    return db.session.execute(
        db.select(Decision).filter_by(request_id=req.id, right=right, state=Decision.SIGNED)).scalar_one_or_none()


def instructions_for(req: Request, right: str) -> list[RegistrationInstruction]:
    return list(db.session.execute(
        db.select(RegistrationInstruction).where(RegistrationInstruction.request_id == req.id,
                                                 RegistrationInstruction.kind.in_(KINDS_OF[right]))
        .order_by(RegistrationInstruction.id)).scalars())


# --- a request open for a step of the weighing or the execution ----------------------------------

def check_open(req: Request) -> None:
    if req.status_enum in BEFORE_QUEUE or req.status_enum in (RequestStatus.CLOSED, RequestStatus.WITHDRAWN):
        raise DestructionError("request_not_open")


def request_for_right(actor: Actor, reference: str, right: str, permission: Permission) -> Request:
    authz.require(actor, permission, object_type="request", subject_ref=reference)
    req = load(reference)
    if right not in RIGHTS or requested_right(req, right) is None:
        raise DestructionError("right_not_asked")
    return req


def ensure_assessment(req: Request, right: str, actor: Actor | None) -> RightAssessment:
    a = assessment_of(req, right)
    if a is None:
        a = RightAssessment(request_id=req.id, right=right,
                            claimed_json=json.dumps(requested_grounds(req) if right == ERASURE else []),
                            execute_by=execution_deadline(req).due if right == DESTRUCTION else None,
                            updated_at=utcnow(), updated_by=actor.staff_id if actor else None)
        db.session.add(a)
        db.session.flush()
    return a


# --- the subject's part of a dossier ------------------------------------------------------------

def is_removed(p: DossierPerson) -> bool:
    return p.given_names == REMOVED and p.family_name == REMOVED


def concerns_person(entry: DossierEntry, person: DossierPerson) -> bool:
    return any(c.id == person.id for c in entry.concerns) or entry.source_person_pk == person.id


def concerned_entries(link: DossierLink) -> list[DossierEntry]:
    """The entries of the subject's part of the dossier (art. 13): they concern the
    subject, or the subject is their source."""
    return [e for e in link.dossier.entries if concerns_person(e, link.person)]
