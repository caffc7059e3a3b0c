"""Destruction (art. 17) and erasure (art. 18) of dossier data, and the retention of a
dossier (art. 9) of the Privacyreglement Veilig Thuis.

The weighing (``RightAssessment``, one per right of a request):

- Destruction (vernietiging, art. 17): the answer is due in four weeks (art. 17.2,
  ``RequestedRight.due_on``); the destruction itself within three months of receipt
  (art. 17.4, ``execute_by`` = ``rules.deadlines.destruction_due``). A request whose
  linked dossier's outcome is ``refuted`` must be granted (art. 17.3). Otherwise it may
  be refused only because keeping the data is of substantial interest to someone other
  than the requester (art. 17.4): the assessment names that person and why
  (``record_interest``), and a team leader signs the refusal like every decision.
- Erasure (gegevenswissing, art. 18): the grounds a-e of art. 18.2 as the requester
  gave them (``claimed_json``, copied from the request) and as the caseworker weighs
  them (``weighed_json``), and the exceptions of AVG 17(3) as a checklist
  (``exceptions_json``); answered without undue delay, at the latest in four weeks.

``check_decision`` is what portal/services/decisions.py asks before it stores or signs
a decision on either right, so that no face can bypass art. 17.3, 17.4 and 18.3.

Carrying it out (``execute``, after the decision is signed), per linked dossier, in one
transaction (a failure changes nothing):

- The entries concerned: those whose ``concerns`` include the subject, and those the
  subject is the source of (a grant in part: the entries the caseworker selects).
  * An entry about the subject alone is destroyed (the row, its attachments and every
    copy of it) or, with method "anonymise" (art. 9.3), kept as an empty shell: date,
    kind and nature, text "[geanonimiseerd]", no title, author, source, concerns or
    attachments.
  * An entry that also concerns others is theirs too (art. 13: the rights of one
    person may not harm another's). It stays, with the subject taken out: every
    identifier the dossier gives for the subject (names, addresses, phone numbers,
    e-mail, BSN, birth date; ``rules.redaction``) is replaced by "[verwijderd]", the
    subject leaves ``concerns`` and ``source_person``. Its attachments are removed
    from the portal (pixels cannot be anonymised here; the registration system does
    that and its next export brings them back).
  * A full grant also takes the subject's identifiers out of every other entry of the
    dossier that names them, removes the subject's own statements (art. 16), and
    anonymises the dossier person itself (the row stays so that the request's link
    keeps pointing somewhere; every identifier is gone).
- The portal's own copies of that data: every copy (afschrift) holding a changed
  entry, and every copy made for the subject, loses its PDF, its redaction rows for
  those entries, its redacted attachments, and is withdrawn (a new copy can be made);
  the texts of earlier corrections and the payloads of earlier instructions for those
  entries are cleared the same way.
- A ``RegistrationInstruction`` for the registration system: kind "destroy" or
  "anonymise" (art. 17), "erase" (art. 18); ids only (docs/registration-instructions.md),
  and a ``NotificationTask`` per recipient the changed entries were shared with (AVG 19).
  Someone at the registration system carries it out; a caseworker records by whom and
  when (``confirm_execution``); when every instruction is confirmed, the requester is
  told on the status page (and by a neutral e-mail where e-mail is safe).
- The access log records that it happened: ids and counts, never a text.

The request's own records (the requester's name as they typed it, messages, letters)
are not dossier data: they follow the portal's own retention (portal/services/purge.py).

What is deleted or overwritten leaves no trace in a SQLite file (``PRAGMA
secure_delete``, portal/infra/extensions.py). PostgreSQL keeps old row versions in its data
files until VACUUM reclaims them (and the WAL until it is recycled): the database runs
on an encrypted volume with autovacuum on, and nothing of it is readable through SQL
once the transaction commits (tests/backoffice/test_art17_destruction.py checks both).
The personal fields and entry texts are encrypted at rest (portal/infra/encrypted.py),
so such an old version holds ciphertext; the operator reclaims the space with VACUUM
(FULL) and sees what went (docs/threat-model.md, O13).

Retention (art. 9): ``retention_of`` (rules/retention.py with the dossier's household
and the team leaders' extensions) and ``extend_retention`` (art. 9.2, team leader).

The art. 17.3 letter: ``outcome_letter`` writes the letter that tells a person of a
dossier whose report was refuted the outcome and their right to ask for destruction
(``flask dossier outcome-letter``).
"""
from __future__ import annotations

from ..contents import lookup

#: Where each name lives. The faces and the CLI may use ``destruction.name``; the modules
#: of the service layer import the submodule itself, so nothing here can make a cycle.
CONTENTS = {
    "DESTRUCTION": "common",
    "ERASURE": "common",
    "RIGHTS": "common",
    "REFUTED": "common",
    "DESTROY": "common",
    "ANONYMISE": "common",
    "METHODS": "common",
    "KIND_FOR": "common",
    "KINDS_OF": "common",
    "REMOVED": "common",
    "ANONYMISED": "common",
    "NAME_MAX": "common",
    "REASONS_MAX": "common",
    "NOTE_MAX": "common",
    "EXCEPTION_NOTE_MIN": "common",
    "YEARS_AHEAD_MAX": "common",
    "ERASURE_GROUNDS": "common",
    "AVG_17_3_EXCEPTIONS": "common",
    "CODES": "common",
    "APPLIES": "common",
    "DOES_NOT_APPLY": "common",
    "FINDINGS": "common",
    "erasure_ground_label": "common",
    "exception_label": "common",
    "exception_article": "common",
    "ART17_3_MUST_GRANT": "common",
    "ART17_4_INTEREST_REQUIRED": "common",
    "ART18_3_EXCEPTION_REQUIRED": "common",
    "DOSSIER_NOT_LINKED": "common",
    "DestructionError": "common",
    "load": "common",
    "assessment_of": "common",
    "claimed": "common",
    "requested_grounds": "common",
    "weighed": "common",
    "exceptions": "common",
    "applied_exceptions": "common",
    "is_refuted": "common",
    "execution_deadline": "common",
    "requested_right": "common",
    "standing_decision": "common",
    "instructions_for": "common",
    "check_open": "common",
    "request_for_right": "common",
    "ensure_assessment": "common",
    "is_removed": "common",
    "concerns_person": "common",
    "concerned_entries": "common",
    "check_decision": "checks",
    "household": "retention",
    "retention_extensions": "retention",
    "retention_of": "retention",
    "extend_retention": "retention",
    "Expired": "expiry",
    "past_retention": "expiry",
    "destroy_expired": "expiry",
    "waiting_instructions": "expiry",
    "record_interest": "weighing",
    "record_erasure": "weighing",
    "person_values": "scope",
    "subject_spans": "scope",
    "Plan": "scope",
    "plan_link": "scope",
    "plan": "scope",
    "links_of": "scope",  # copies.common.links_of, as the faces found it here before the split
    "waiting_checks": "check",
    "took_part": "check",
    "check_execution": "check",
    "send_back_check": "check",
    "offer_check_again": "check",
    "CheckPage": "check",
    "check_page": "check",
    "Counts": "execution",
    "execute": "execution",
    "confirm_execution": "execution",
    "LinkView": "pages",
    "RightView": "pages",
    "PanelData": "pages",
    "panel_data": "pages",
    "log_plan_view": "pages",
    "LetterPart": "letter",
    "letter_part": "letter",
    "outcome_letter": "letter",
}

__getattr__ = lookup(__name__, CONTENTS)
