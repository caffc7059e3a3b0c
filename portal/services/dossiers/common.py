"""What every step of an import shares: the format's names, the limits (:class:`Limits`),
who imports (an Actor, or the operator at the command line), and the refusal with its
problems (:class:`Problem`, :class:`ImportRefused`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import current_app

from ...rules.permissions import Permission
from .. import authz
from ..errors import DomainError
from ..staff.common import Operator

FORMAT = "vt-dossier/1"
DOSSIER_JSON = "dossier.json"
ATTACHMENTS = "attachments"
ATTACHMENT_NAME = re.compile(r"^[A-Za-z0-9._-]{1,120}$")
DOSSIER_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,39}$")
MAX_PROBLEMS = 20

By = authz.Actor | Operator


@dataclass(frozen=True)
class Limits:
    """What an export may hold. Defaults, overridable in the app config
    (DOSSIER_MAX_FILES, DOSSIER_MAX_TOTAL_BYTES, DOSSIER_MAX_FILE_BYTES, DOSSIER_MAX_JSON_BYTES)."""

    max_files: int = 2000
    max_total_bytes: int = 1024 * 1024 * 1024
    max_file_bytes: int = 200 * 1024 * 1024
    max_json_bytes: int = 64 * 1024 * 1024

    @classmethod
    def from_config(cls) -> "Limits":
        cfg = current_app.config
        d = cls()
        return cls(cfg.get("DOSSIER_MAX_FILES", d.max_files), cfg.get("DOSSIER_MAX_TOTAL_BYTES", d.max_total_bytes),
                   cfg.get("DOSSIER_MAX_FILE_BYTES", d.max_file_bytes), cfg.get("DOSSIER_MAX_JSON_BYTES", d.max_json_bytes))


# --- refusals -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One reason to refuse an export: where (a JSON path, a file name, or "" for the
    export as a whole), a stable code, and parameters for the sentence (never content
    of the dossier, only names from the schema, limits, and the export's own ids)."""

    where: str
    code: str
    params: dict = field(default_factory=dict)

    def describe(self) -> str:
        """In English, for the command line and logs."""
        text = ENGLISH.get(self.code, self.code)
        try:
            text = text.format(**self.params)
        except (KeyError, IndexError):
            pass
        return f"{self.where}: {text}" if self.where else text


ENGLISH = {
    "not_found": "no such file or folder",
    "not_a_zip": "not a .zip file or a folder",
    "bad_zip": "the .zip file is damaged",
    "unsafe_path": "unsafe path in the export (absolute, '..', or backslashes)",
    "symlink": "symbolic links are not accepted",
    "encrypted": "encrypted zip members are not accepted",
    "unexpected_file": "not part of the format (only dossier.json and attachments/<name>)",
    "duplicate_file": "appears more than once in the .zip",
    "too_many_files": "more than {limit} files",
    "too_large": "larger than {limit} bytes",
    "missing_dossier_json": "dossier.json is missing",
    "not_utf8": "not UTF-8 text",
    "invalid_json": "not valid JSON (line {line}, column {column})",
    "duplicate_key": "the key '{key}' appears twice in one object",
    "too_deep": "nested too deeply",
    "required": "required field is missing",
    "additional_property": "field not allowed by the format",
    "type": "wrong type (expected {expected})",
    "enum": "value not allowed (allowed: {allowed})",
    "pattern": "does not match the pattern {pattern}",
    "format_date": "not a valid date (YYYY-MM-DD)",
    "max_length": "longer than {limit} characters",
    "min_length": "shorter than {limit} characters",
    "min_items": "fewer than {limit} items",
    "schema": "does not conform to the schema ({keyword})",
    "invalid_text": "contains a NUL character or an unpaired surrogate",
    "duplicate_id": "the id '{id}' is used twice (also at {first})",
    "unknown_person": "names no person of this dossier ('{id}')",
    "duplicate_reference": "names the same person twice ('{id}')",
    "no_subject": "the dossier has no person with the role 'subject'",
    "date_in_future": "date lies in the future",
    "closed_before_opened": "closed before it was opened",
    "closed_but_open": "has a closing date while the outcome is 'open'",
    "entry_before_opened": "entry dated before the dossier was opened",
    "shared_before_entry": "disclosed before the entry's own date",
    "attachment_missing": "the file {file} is not in the export",
    "attachment_duplicate": "the file {file} is attached twice",
    "attachment_hash_mismatch": "the sha256 of {file} does not match",
    "attachment_type_mismatch": "the content of {file} is not {media_type}",
    "attachment_unreferenced": "no entry refers to this file",
    "older_export": "this export is older than the one imported on {imported_at} ({reason})",
    "conflict": "another import of this dossier ran at the same time; try again",
    "retention_destroyed": "this dossier was anonymised on {on} after its retention ended (art. 9.3); "
                           "no export of it is imported again",
    "destruction_pending": "a destruction or erasure of this dossier (instruction {instruction}) is not yet "
                           "confirmed as carried out by the registration system; an export made before that "
                           "would bring the destroyed data back",
}


class ImportRefused(DomainError):
    """The export is refused whole; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems[0].code)
        self.problems = problems[:MAX_PROBLEMS]

    def describe(self) -> str:
        return "; ".join(p.describe() for p in self.problems)


def refuse(where: str, code: str, **params) -> ImportRefused:
    return ImportRefused([Problem(where, code, params)])


def shown(name: str) -> str:
    """A file name as it may appear in a message: printable, and not endless."""
    clean = "".join(c if c.isprintable() else "?" for c in name)
    return clean if len(clean) <= 160 else clean[:157] + "..."


# --- who imports --------------------------------------------------------------------------------

def who(by: By) -> tuple[str, str, int | None]:
    if isinstance(by, Operator):
        return by.label, by.role_label, None
    return by.label, by.role.value, by.staff_id


def require(by: By, permission: Permission, **kw) -> None:
    if isinstance(by, Operator):
        return  # the operator at the server's command line
    authz.require(by, permission, **kw)
