"""Correction (art. 15) and own statement (art. 16) of the Privacyreglement Veilig Thuis.

Correction (art. 15), one ``CorrectionItem`` per wish:

1. The items come from the request's details (one per wish: what the dossier says now,
   what it should say, why); a caseworker may add an item or split one in two, and
   links each to the entry or entries it is about (only entries of the subject's own
   part of the dossier, art. 13, after the request is linked to the dossier person,
   ``copies.link_dossier``; before everyone is verified nothing is shown, art. 20.5).
2. ``decide_item``: improve (the new text of one entry), delete or shield (afschermen)
   is the caseworker's to decide (state "decided"); a refusal needs a ground
   (``rules.grounds``, e.g. NOT_FACTUALLY_INCORRECT) and written reasons and is only
   proposed: a team leader who did not propose it signs it (``sign_item``) or sends it
   back (``send_back_item``). Art. 15 is for facts: an opinion or assessment is not
   "improved" to what the requester wants (``about_facts`` False refuses "improve");
   the letter then explains and offers the own statement of art. 16.
3. ``propose_decision``: when every item is decided, one decision on the right
   (``decisions.propose``: grant, grant in part, or refuse, with the grounds of the
   refused items and their reasons), which a team leader signs like every decision;
   signing makes the letter (pdf/decision/_correctie.html reads ``letter_part``) and
   the status page and the neutral e-mail tell the requester.
4. ``execute``, after the decision is signed: an ``EntryAmendment`` per changed entry
   (the portal's copy shows it in every later copy, portal/services/copies/), a
   ``RegistrationInstruction`` "rectify" per dossier (docs/registration-instructions.md)
   and a ``NotificationTask`` per recipient the dossier says the entry was shared with
   (AVG 19). Unreleased copies of the dossier must be rendered and checked again.

Own statement (art. 16): ``add_statement`` adds the person's text (and optionally a
PDF, checked by portal/documents/uploads.py and encrypted) to the dossier person of the linked
request, linked to the entries it responds to, with an instruction "add_statement";
``propose_statement_decision`` proposes the grant a team leader signs: the letter
confirms it (pdf/decision/_eigen_verklaring.html). The statement is in every later copy
for that person, in full and marked as theirs; only the identifiers the dossier gives
for other persons are redacted in it, as in any entry (the person's own words are never
otherwise touched: no free-text detector, no staff redaction).

Every read of dossier data and every change is in the access log (``audit.record``)
and every change on the request's timeline (``timeline.event``, not shown to the
requester: the requester sees the decision and its letter).

Where things live: ``common`` (error, constants, loading, the access log, the eligible
entries), ``guards`` (the checks that ask the decisions service), ``correction`` (art.
15), ``statement`` (art. 16), ``registration`` (the request's instructions and AVG 19
tasks), ``pages`` (what the back office's pages read) and ``letter`` (the decision
letter's part, which never imports the decisions service: decisions -> letters -> letter).
"""
from __future__ import annotations

from ..contents import lookup

#: Where each name lives. The faces and the CLI may use ``rectification.name``; the modules
#: of the service layer import the submodule itself, so nothing here can make a cycle.
CONTENTS = {
    "RECTIFICATION": "common",
    "OWN_STATEMENT": "common",
    "IMPROVE": "common",
    "DELETE": "common",
    "SHIELD": "common",
    "REFUSE": "common",
    "OUTCOMES": "common",
    "CHANGES": "common",
    "OPEN": "common",
    "PROPOSED": "common",
    "DECIDED": "common",
    "EXECUTED": "common",
    "WISH_MAX": "common",
    "NEW_TEXT_MAX": "common",
    "STATEMENT_MAX": "common",
    "REASONS_MAX": "common",
    "ITEMS_MAX": "common",
    "RectificationError": "common",
    "load": "common",
    "require_asked": "common",
    "require_verified": "common",
    "log_access": "common",
    "clean_text": "common",
    "decisions_of": "common",
    "standing_decision": "common",
    "open_decision": "common",
    "Eligible": "common",
    "eligible_entries": "common",
    "eligible_by_pk": "common",
    "copies_to_redo": "common",
    "items_of": "common",
    "statements_for_request": "common",
    "require_working": "guards",
    "has_representative": "guards",
    "instructions_of": "registration",
    "tasks_of": "registration",
    "tick_task": "registration",
    "confirm_instruction": "registration",
    "export_for": "registration",
    "instruction_json": "registration",
    "LetterItem": "letter",
    "LetterPart": "letter",
    "letter_part": "letter",
    "wishes": "correction",
    "ensure_items": "correction",
    "add_item": "correction",
    "edit_item": "correction",
    "split_item": "correction",
    "link_entries": "correction",
    "decide_item": "correction",
    "sign_item": "correction",
    "send_back_item": "correction",
    "reopen_item": "correction",
    "decision_summary": "correction",
    "propose_decision": "correction",
    "execute": "correction",
    "requested_statement": "statement",
    "request_statement_document": "statement",
    "add_statement": "statement",
    "propose_statement_decision": "statement",
    "PdfFile": "statement",
    "open_statement_pdf": "statement",
    "open_request_statement_pdf": "statement",
    "EntryRow": "pages",
    "CorrectionPage": "pages",
    "correction_page": "pages",
    "StatementPage": "pages",
    "statement_page": "pages",
    "PanelData": "pages",
    "panel": "pages",
    # not defined here: the back office's forms and the tests read today's date from here
    "today_local": "correction",
}

__getattr__ = lookup(__name__, CONTENTS)
