"""Dossiers imported from the registration system, in the `vt-dossier/1` export format
(docs: ../shared/dossier-format/README.md; the schema is kept in this package as
dossier_schema.json).

An export is a folder or a .zip holding `dossier.json` and, where entries have them, the
files under `attachments/`. Importing goes in three steps, and nothing is stored unless
all of them pass:

1. Reading, with limits (:class:`Limits`): only `dossier.json` and `attachments/<name>`;
   no absolute paths, no `..`, no symlinks, no encrypted members, no more than
   `max_files` files, no more than `max_total_bytes` uncompressed (a zip's own size
   headers are not trusted: every member is read through `read_limited`).
2. Validation: the JSON itself (UTF-8, no duplicate keys, no NaN), the schema (Draft
   2020-12, dates checked as dates), then the rules the README adds and the ones it
   implies: every `concerns` and `source_person` names a person of the dossier; person,
   entry and attachment ids are unique; every attachment is present, matches its sha256
   and starts with the magic bytes of its declared type, and every file is referenced;
   dates are sensible (none in the future, closed on or after opened, not closed while
   the outcome is "open", no entry before the dossier opened, no disclosure before the
   entry); at least one subject; no NUL or lone surrogates in any text. A refusal
   carries every problem found (up to MAX_PROBLEMS), each naming the field as a JSON
   path (`entries[3].concerns[0]`) and a reason code; the face turns codes into words.
3. Storing, in one transaction: a dossier seen for the first time is created; the same
   export again (the same content hash) is a no-op; a newer export of the same
   `dossier_id` updates the stored one in place by the export's own ids (persons and
   entries keep their rows when they stay); an older export is refused. The export has
   no timestamp of its own, so "older" means: an export of this dossier that was
   imported before and since replaced (its hash is in the import log), or one whose
   latest date (opened, closed, entry and disclosure dates) is earlier than the stored
   one's. Attachments are stored as they came (they are evidence: never re-encoded),
   encrypted with the Vault.

Every attempt, refused ones too, is a DossierImport row (who, when, hash, outcome,
counts or the reason code and field) and an access-log entry ("dossier.import",
"dossier.replace"), never with content.

All dossier text is plain text: stored as it is, escaped wherever it is shown.

Each step in its own module: ``reading`` (1), ``validation`` (2, with the content hash),
``importing`` (3, and the import log); ``viewing`` is the back office's list and
read-only page; ``common`` holds the limits, the refusal and who imports.
"""
from __future__ import annotations

from ..contents import lookup

from ..staff.common import CLI

__all__ = [
    "CLI", "Export", "ImportRefused", "ImportResult", "Limits", "Problem", "content_hash", "get_dossier",
    "import_export", "import_path", "import_zip_bytes", "list_dossiers", "read_folder", "read_zip", "validate",
]

#: Where each name lives. The faces and the CLI may use ``dossiers.name``; the modules
#: of the service layer import the submodule itself, so nothing here can make a cycle.
CONTENTS = {
    "FORMAT": "common",
    "DOSSIER_JSON": "common",
    "ATTACHMENTS": "common",
    "ATTACHMENT_NAME": "common",
    "DOSSIER_ID": "common",
    "MAX_PROBLEMS": "common",
    "By": "common",
    "Limits": "common",
    "Problem": "common",
    "ENGLISH": "common",
    "ImportRefused": "common",
    "refuse": "common",
    "shown": "common",
    "who": "common",
    "require": "common",
    "Export": "reading",
    "read_zip": "reading",
    "read_folder": "reading",
    "read_path": "reading",
    "schema": "validation",
    "json_path": "validation",
    "parse": "validation",
    "as_date": "validation",
    "validate": "validation",
    "content_hash": "validation",
    "export_as_of": "validation",
    "ImportResult": "importing",
    "import_export": "importing",
    "import_path": "importing",
    "import_zip_bytes": "importing",
    "DossierRow": "viewing",
    "list_dossiers": "viewing",
    "get_dossier": "viewing",
}

__getattr__ = lookup(__name__, CONTENTS)
