"""The copy (afschrift, art. 14) of one person's part of a dossier, from link to release.

The steps, each a function that both the back office and the CLI call, each step in its
own module:

1. ``link.link_dossier``: a caseworker links the request to the dossier person it is
   about, only after everyone taking part is verified (art. 20.5,
   ``casework.identity_verified``); before that nothing may reveal whether VT has a
   dossier at all.
2. ``link.create_copy``: the entries of the copy are chosen (art. 13,
   ``rules.selection``, in ``planning``) and every identifier the dossier gives for
   another person is redacted (art. 14.2, ``rules.redaction``, in ``redact``); then the
   free-text detector (``rules.detection``; ``deduce`` in the background worker where
   installed) adds what the dossier does not list.
3. ``workbench`` (``lift``, ``confirm``, ``add_redaction``, ``withhold_entry``,
   ``review_attachment``): every redaction has a ground and an origin; lifting one needs
   a reason; withholding an entry, an attachment, or redacting on a ground beyond a third
   party's privacy is a restriction that a team leader signs (art. 14.2, 20.4). The
   same for the redactions of an improved entry's new text (art. 15) and of an own
   statement (art. 16): stored rows too (``texts``), made again when a correction or
   statement lands while the copy is unreleased.
4. ``rendering.request_render``: the PDF is rendered by the background job queue
   (``tasks``) with progress, never in a web worker; the result is kept encrypted.
5. ``releasing``: ``mark_reviewed`` (caseworker), ``sign`` (team leader, where something
   is withheld), ``release``: only a reviewed copy of the current version, signed where
   needed, from an import that is still current.
6. ``delivery``: on the status page after a second proof and a one-time code, or in
   person; ``inspection``: inzage, the same reviewed copy shown at the office or online.
   Each answers its right that day (``services/answers.py``).

Beside them: ``common`` (the error, loading, logging, who reads the copy), ``document``
(the document model a PDF is made from), ``amendments`` (decided corrections and own
statements as every later copy shows them; written by the correction service, read here)
``texts`` (the stored redactions of an amended text and an own statement) and
``summary`` (the workbench's in-place answer: one entry built as ``document`` builds it,
its printed number and the copy's counts asked of the database).

Redacted text is replaced on the server (``segments``) before any HTML exists: the
template receives labels, never the characters behind them.
"""
from __future__ import annotations

from ..contents import lookup

#: Where each name lives. The faces and the CLI may use ``copies.name``; the modules
#: of the service layer import the submodule itself, so nothing here can make a cycle.
CONTENTS = {
    "FIELDS": "common",
    "STAFF_GROUNDS": "common",
    "RESTRICTION_GROUNDS": "common",
    "SENSITIVE_LIFT_GROUNDS": "common",
    "WITHHOLD_GROUNDS": "common",
    "WITHHOLD_LABELS": "common",
    "IMPROVE": "common",
    "DELETE": "common",
    "SHIELD": "common",
    "CopyError": "common",
    "person_value": "common",
    "entry_value": "common",
    "lang_pick": "common",
    "load": "common",
    "log_access": "common",
    "copy_of": "common",
    "requester_is_subject": "common",
    "wants_copy": "common",
    "is_stale": "common",
    "by_entry": "common",
    "links_of": "common",
    "readers_of": "common",
    "editable": "common",
    "merged": "redact",
    "detector_spans": "redact",
    "segments": "redact",
    "in_force": "redact",
    "Effective": "amendments",
    "effective_amendments": "amendments",
    "ShieldedEntry": "amendments",
    "Plan": "amendments",
    "SHIELD_LABEL": "amendments",
    "PlannedStatement": "amendments",
    "statements_of": "amendments",
    "known_spans": "amendments",
    "STATEMENT_GROUNDS": "amendments",
    "statement_spans": "amendments",
    "amended_text_found": "amendments",
    "in_order": "amendments",
    "own_statement_entry": "amendments",
    "amended_text_spans": "amendments",
    "planned_statements": "amendments",
    "with_statements": "amendments",
    "PlannedRedaction": "planning",
    "PlannedEntry": "planning",
    "plan": "planning",
    "GROUND_LABELS": "document",
    "document_from_plan": "document",
    "document_for": "document",
    "copy_model": "document",
    "CopyModel": "document",
    "Part": "document",
    "Mark": "document",
    "entry_parts": "summary",
    "tally": "summary",
    "Tally": "summary",
    "preload_copy": "loading",
    "preload_dossier": "loading",
    "link_dossier": "link",
    "create_copy": "link",
    "run_detection": "link",
    "fill_copy": "link",
    "PLANNING": "link",
    "PLAN_FAILED": "link",
    "REASONS_MIN": "workbench",
    "REASONS_MAX": "workbench",
    "PHRASE_MAX": "workbench",
    "lift": "workbench",
    "confirm": "workbench",
    "add_redaction": "workbench",
    "withhold_entry": "workbench",
    "restore_entry": "workbench",
    "other_persons_strings": "workbench",
    "open_attachment": "workbench",
    "review_attachment": "workbench",
    "opened_attachments": "workbench",
    "view_copy": "workbench",
    "texts_up_to_date": "workbench",
    "remake": "texts",
    "text_of": "texts",
    "request_render": "rendering",
    "render": "rendering",
    "run_render": "rendering",
    "pdf_text": "rendering",
    "final_gate": "rendering",
    "draft_pdf": "rendering",
    "DOWNLOAD_DAYS": "releasing",
    "DOWNLOADS_ALLOWED": "releasing",
    "restrictions": "releasing",
    "needs_signature": "releasing",
    "rendered_current": "releasing",
    "mark_reviewed": "releasing",
    "sign": "releasing",
    "release": "releasing",
    "open_pdf_for_staff": "releasing",
    "CODE_MINUTES": "delivery",
    "CODE_TRIES": "delivery",
    "DeliveryView": "delivery",
    "deliveries_for": "delivery",
    "send_code": "delivery",
    "new_code": "delivery",
    "download": "delivery",
    "record_handover": "delivery",
    "copy_outcome": "releasing",
    "MODES": "inspection",
    "inspections_of": "inspection",
    "record_inspection": "inspection",
    "Candidate": "finding",
    "find_people": "finding",
}

__getattr__ = lookup(__name__, CONTENTS)
