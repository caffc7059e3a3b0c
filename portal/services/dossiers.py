"""Dossiers imported from the registration system, in the `vt-dossier/1` export format
(docs: ../shared/dossier-format/README.md; the schema is kept beside this module as
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
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy.exc import IntegrityError

from ..infra.extensions import db
from ..models import Dossier, DossierAttachment, DossierEntry, DossierImport, DossierPerson, RegistrationInstruction, utcnow
from ..rules.permissions import Permission
from ..documents.uploads import UploadRejected, read_limited, sniff_type
from . import audit, authz
from .errors import DomainError
from .requests import today_local
from .staff import CLI, Operator

__all__ = [
    "CLI", "Export", "ImportRefused", "ImportResult", "Limits", "Problem", "content_hash", "get_dossier",
    "import_export", "import_path", "import_zip_bytes", "list_dossiers", "read_folder", "read_zip", "validate",
]

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


def _refuse(where: str, code: str, **params) -> ImportRefused:
    return ImportRefused([Problem(where, code, params)])


# --- reading ------------------------------------------------------------------------------------

@dataclass
class Export:
    """What an export holds, read with limits: the bytes of dossier.json and of every
    file under attachments/ (by its name in the export, "attachments/x.pdf")."""

    dossier_json: bytes
    files: dict[str, bytes]
    source: str  # "folder", "zip" or "upload"


def _read(stream: BinaryIO, limit: int, where: str) -> bytes:
    try:
        return read_limited(stream, limit)
    except UploadRejected:
        raise _refuse(where, "too_large", limit=limit) from None


class _Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.files = 0
        self.total = 0

    def one_more(self, where: str) -> None:
        self.files += 1
        if self.files > self.limits.max_files:
            raise _refuse("", "too_many_files", limit=self.limits.max_files)

    def room(self, name: str) -> int:
        own = self.limits.max_json_bytes if name == DOSSIER_JSON else self.limits.max_file_bytes
        left = self.limits.max_total_bytes - self.total
        return max(0, min(own, left))

    def take(self, name: str, data: bytes) -> None:
        self.total += len(data)


def _check_name(name: str) -> None:
    """Only dossier.json and attachments/<safe name>; anything else is refused by name."""
    if "\x00" in name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise _refuse(_shown(name), "unsafe_path")
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts[:-1]) or parts[-1] in (".", ".."):
        raise _refuse(_shown(name), "unsafe_path")
    if name == DOSSIER_JSON:
        return
    if len(parts) == 2 and parts[0] == ATTACHMENTS and ATTACHMENT_NAME.match(parts[1]) and parts[1].strip("."):
        return
    raise _refuse(_shown(name), "unexpected_file")


def _shown(name: str) -> str:
    """A file name as it may appear in a message: printable, and not endless."""
    clean = "".join(c if c.isprintable() else "?" for c in name)
    return clean if len(clean) <= 160 else clean[:157] + "..."


def read_zip(source: str | os.PathLike | bytes | BinaryIO, limits: Limits | None = None, *, origin: str = "zip") -> Export:
    """Read a .zip export (a path, bytes or a binary file object) with limits."""
    limits = limits or Limits.from_config()
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse("", "not_a_zip") from None
    budget = _Budget(limits)
    found: dict[str, bytes] = {}
    dossier_json = None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_files + 2:  # the two folder entries a zip tool may add
            raise _refuse("", "too_many_files", limit=limits.max_files)
        declared = 0
        for info in infos:
            name = info.filename
            mode = (info.external_attr >> 16) & 0xFFFF
            if stat.S_ISLNK(mode):
                raise _refuse(_shown(name), "symlink")
            if info.flag_bits & 0x1:
                raise _refuse(_shown(name), "encrypted")
            if info.is_dir():
                if name.rstrip("/") != ATTACHMENTS:
                    _check_name(name.rstrip("/") or "/")
                    raise _refuse(_shown(name), "unexpected_file")
                continue
            _check_name(name)
            if name in found or (name == DOSSIER_JSON and dossier_json is not None):
                raise _refuse(_shown(name), "duplicate_file")
            budget.one_more(name)
            declared += info.file_size
            if declared > limits.max_total_bytes:
                raise _refuse("", "too_large", limit=limits.max_total_bytes)
            limit = budget.room(name)
            if info.file_size > limit:
                raise _refuse(_shown(name), "too_large", limit=limit)
            try:
                with zf.open(info) as member:
                    data = _read(member, limit, _shown(name))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
                raise _refuse(_shown(name), "bad_zip") from None
            budget.take(name, data)
            if name == DOSSIER_JSON:
                dossier_json = data
            else:
                found[name] = data
    if dossier_json is None:
        raise _refuse(DOSSIER_JSON, "missing_dossier_json")
    return Export(dossier_json, found, origin)


def read_folder(path: str | os.PathLike, limits: Limits | None = None) -> Export:
    """Read an export folder with limits: dossier.json and attachments/<name>, regular
    files only (no symlinks anywhere, no subfolders in attachments/)."""
    limits = limits or Limits.from_config()
    root = Path(path)
    budget = _Budget(limits)
    files: dict[str, bytes] = {}
    dossier_json = None

    def read_file(full: Path, name: str) -> bytes:
        budget.one_more(name)
        limit = budget.room(name)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(full, flags)
        except OSError:
            raise _refuse(_shown(name), "symlink" if full.is_symlink() else "not_found") from None
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise _refuse(_shown(name), "unexpected_file")
            data = _read(fh, limit, _shown(name))
        budget.take(name, data)
        return data

    with os.scandir(root) as top:
        entries = sorted(top, key=lambda e: e.name)
    for entry in entries:
        if entry.is_symlink():
            raise _refuse(_shown(entry.name), "symlink")
        if entry.name == DOSSIER_JSON and entry.is_file(follow_symlinks=False):
            dossier_json = read_file(Path(entry.path), DOSSIER_JSON)
        elif entry.name == ATTACHMENTS and entry.is_dir(follow_symlinks=False):
            with os.scandir(entry.path) as inner:
                for f in sorted(inner, key=lambda e: e.name):
                    name = f"{ATTACHMENTS}/{f.name}"
                    if f.is_symlink():
                        raise _refuse(_shown(name), "symlink")
                    if not f.is_file(follow_symlinks=False):
                        raise _refuse(_shown(name), "unexpected_file")
                    _check_name(name)
                    files[name] = read_file(Path(f.path), name)
        else:
            raise _refuse(_shown(entry.name), "unexpected_file")
    if dossier_json is None:
        raise _refuse(DOSSIER_JSON, "missing_dossier_json")
    return Export(dossier_json, files, "folder")


def read_path(path: str | os.PathLike, limits: Limits | None = None) -> Export:
    p = Path(path)
    if p.is_symlink():
        raise _refuse(_shown(str(path)), "symlink")
    if p.is_dir():
        return read_folder(p, limits)
    if p.is_file():
        limits = limits or Limits.from_config()
        if p.stat().st_size > limits.max_total_bytes:
            raise _refuse("", "too_large", limit=limits.max_total_bytes)
        return read_zip(p, limits)
    raise _refuse(_shown(str(path)), "not_found")


# --- validation ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads((Path(__file__).with_name("dossier_schema.json")).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    s = schema()
    cls = Draft202012Validator
    cls.check_schema(s)
    return cls(s, format_checker=FormatChecker(formats=["date"]))


def json_path(parts) -> str:
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out


def parse(raw: bytes) -> Any:
    """dossier.json as Python data: UTF-8, no duplicate keys, no NaN or Infinity."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(DOSSIER_JSON, "not_utf8") from None
    if text.startswith("\ufeff"):
        text = text[1:]

    def pairs(items):
        out = {}
        for k, v in items:
            if k in out:
                raise _refuse(DOSSIER_JSON, "duplicate_key", key=_shown(k)[:80])
            out[k] = v
        return out

    def constant(name):
        raise ValueError(name)

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise _refuse(DOSSIER_JSON, "invalid_json", line=exc.lineno, column=exc.colno) from None
    except ValueError:
        raise _refuse(DOSSIER_JSON, "invalid_json", line="?", column="?") from None
    except RecursionError:
        raise _refuse(DOSSIER_JSON, "too_deep") from None


def _schema_problems(doc: Any) -> list[Problem]:
    problems = []
    for err in sorted(_validator().iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.validator)):
        path = list(err.absolute_path)
        kw = err.validator
        if kw == "required":
            missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
            problems += [Problem(json_path(path + [k]), "required") for k in missing]
        elif kw == "additionalProperties":
            allowed = set(err.schema.get("properties", {}))
            extra = sorted(k for k in err.instance if k not in allowed) if isinstance(err.instance, dict) else []
            problems += [Problem(json_path(path + [_shown(k)[:80]]), "additional_property") for k in extra]
        elif kw == "type":
            expected = err.validator_value if isinstance(err.validator_value, str) else " or ".join(err.validator_value)
            problems.append(Problem(json_path(path), "type", {"expected": expected}))
        elif kw in ("enum", "const"):
            values = err.validator_value if kw == "enum" else [err.validator_value]
            problems.append(Problem(json_path(path), "enum", {"allowed": ", ".join(map(str, values))}))
        elif kw == "pattern":
            problems.append(Problem(json_path(path), "pattern", {"pattern": err.validator_value}))
        elif kw == "format":
            problems.append(Problem(json_path(path), "format_date"))
        elif kw in ("maxLength", "minLength", "minItems"):
            code = {"maxLength": "max_length", "minLength": "min_length", "minItems": "min_items"}[kw]
            problems.append(Problem(json_path(path), code, {"limit": err.validator_value}))
        else:
            problems.append(Problem(json_path(path), "schema", {"keyword": kw}))
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def _bad_strings(value: Any, path: list, out: list[Problem]) -> None:
    """NUL and unpaired surrogates cannot be stored (PostgreSQL) nor written as UTF-8."""
    if isinstance(value, str):
        if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            out.append(Problem(json_path(path), "invalid_text"))
    elif isinstance(value, dict):
        for k, v in value.items():
            _bad_strings(v, path + [k], out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _bad_strings(v, path + [i], out)


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _rule_problems(doc: dict, files: dict[str, bytes], today: date) -> list[Problem]:
    """The README's cross-field rules and the date rules it implies (the schema has passed)."""
    problems: list[Problem] = []
    add = problems.append

    persons: dict[str, int] = {}
    for i, p in enumerate(doc["persons"]):
        if p["id"] in persons:
            add(Problem(f"persons[{i}].id", "duplicate_id", {"id": p["id"], "first": f"persons[{persons[p['id']]}].id"}))
        else:
            persons[p["id"]] = i
        if _d(p.get("birth_date")) and _d(p["birth_date"]) > today:
            add(Problem(f"persons[{i}].birth_date", "date_in_future"))
    if not any(p["role"] == "subject" for p in doc["persons"]):
        add(Problem("persons", "no_subject"))

    opened, closed = _d(doc["opened_on"]), _d(doc.get("closed_on"))
    if opened > today:
        add(Problem("opened_on", "date_in_future"))
    if closed is not None:
        if closed > today:
            add(Problem("closed_on", "date_in_future"))
        if closed < opened:
            add(Problem("closed_on", "closed_before_opened"))
        if doc["outcome"] == "open":
            add(Problem("closed_on", "closed_but_open"))

    entries: dict[str, int] = {}
    attached: dict[str, str] = {}
    for i, e in enumerate(doc["entries"]):
        at = f"entries[{i}]"
        if e["id"] in entries:
            add(Problem(f"{at}.id", "duplicate_id", {"id": e["id"], "first": f"entries[{entries[e['id']]}].id"}))
        else:
            entries[e["id"]] = i
        when = _d(e["date"])
        if when > today:
            add(Problem(f"{at}.date", "date_in_future"))
        elif when < opened:
            add(Problem(f"{at}.date", "entry_before_opened"))
        source = e.get("source_person")
        if source is not None and source not in persons:
            add(Problem(f"{at}.source_person", "unknown_person", {"id": _shown(source)[:40]}))
        seen: set[str] = set()
        for j, ref in enumerate(e["concerns"]):
            if ref not in persons:
                add(Problem(f"{at}.concerns[{j}]", "unknown_person", {"id": _shown(ref)[:40]}))
            elif ref in seen:
                add(Problem(f"{at}.concerns[{j}]", "duplicate_reference", {"id": ref}))
            seen.add(ref)
        for j, s in enumerate(e.get("shared_with", [])):
            shared = _d(s["date"])
            if shared > today:
                add(Problem(f"{at}.shared_with[{j}].date", "date_in_future"))
            elif shared < when:
                add(Problem(f"{at}.shared_with[{j}].date", "shared_before_entry"))
        for j, a in enumerate(e.get("attachments", [])):
            where = f"{at}.attachments[{j}]"
            name = a["file"]
            if name in attached:
                add(Problem(f"{where}.file", "attachment_duplicate", {"file": name}))
                continue
            attached[name] = where
            data = files.get(name)
            if data is None:
                add(Problem(f"{where}.file", "attachment_missing", {"file": name}))
                continue
            if hashlib.sha256(data).hexdigest() != a["sha256"]:
                add(Problem(f"{where}.sha256", "attachment_hash_mismatch", {"file": name}))
            elif sniff_type(data) != a["media_type"]:
                add(Problem(f"{where}.media_type", "attachment_type_mismatch", {"file": name, "media_type": a["media_type"]}))
    for name in sorted(files):
        if name not in attached:
            add(Problem(_shown(name), "attachment_unreferenced"))
    return problems


def validate(export: Export, doc: Any = None) -> dict:
    """The export's dossier.json, valid; or ImportRefused naming every problem found.
    `doc`: dossier.json already parsed (parse), if it was."""
    doc = parse(export.dossier_json) if doc is None else doc
    problems = _schema_problems(doc)
    if problems:
        raise ImportRefused(problems)
    _bad_strings(doc, [], problems)
    problems += _rule_problems(doc, export.files, today_local())
    if problems:
        raise ImportRefused(problems)
    return doc


def content_hash(doc: dict) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces): the same export gives the
    same hash from a folder or a zip, however it is indented. The attachments are
    covered by their sha256 inside it (checked in validation)."""
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def export_as_of(doc: dict) -> date:
    """The latest date an export holds (the format has no export timestamp)."""
    dates = [doc["opened_on"], doc.get("closed_on")]
    for e in doc["entries"]:
        dates.append(e["date"])
        dates += [s["date"] for s in e.get("shared_with", [])]
    return max(_d(x) for x in dates if x)


# --- storing ------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    outcome: str  # imported, replaced, unchanged
    dossier_id: str
    content_hash: str
    counts: dict


def _who(by: By) -> tuple[str, str, int | None]:
    if isinstance(by, Operator):
        return by.label, by.role_label, None
    return by.label, by.role.value, by.staff_id


def _require(by: By, permission: Permission, **kw) -> None:
    if isinstance(by, Operator):
        return  # the operator at the server's command line
    authz.require(by, permission, **kw)


def _set(obj, values: dict) -> bool:
    changed = False
    for k, v in values.items():
        if getattr(obj, k) != v:
            setattr(obj, k, v)
            changed = True
    return changed


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _person_values(p: dict, position: int) -> dict:
    return {
        "role": p["role"], "household_member": p.get("household_member"), "relation": p.get("relation"),
        "given_names": p["given_names"], "family_name": p["family_name"], "birth_date": _d(p.get("birth_date")),
        "bsn": p.get("bsn"), "organisation": p.get("organisation"),
        "protected_address": bool(p.get("protected_address", False)),
        "addresses_json": _dumps(p.get("addresses", [])), "phones_json": _dumps(p.get("phones", [])),
        "emails_json": _dumps(p.get("emails", [])),
    }


def _apply(dossier: Dossier, doc: dict, files: dict[str, bytes]) -> dict:
    """Make the stored dossier equal to `doc`, by the export's own ids. Returns counts
    (added, changed, removed) of persons, entries and attachments."""
    vault = current_app.extensions["vault"]
    counts = {k: {"added": 0, "changed": 0, "removed": 0} for k in ("persons", "entries", "attachments")}
    _set(dossier, {"region": doc.get("region"), "opened_on": _d(doc["opened_on"]),
                   "closed_on": _d(doc.get("closed_on")), "outcome": doc["outcome"]})

    old_persons = {p.person_id: p for p in dossier.persons}
    by_id: dict[str, DossierPerson] = {}
    for pos, p in enumerate(doc["persons"]):
        person = old_persons.pop(p["id"], None)
        if person is None:
            person = DossierPerson(person_id=p["id"])
            dossier.persons.append(person)
            counts["persons"]["added"] += 1
            _set(person, _person_values(p, pos))
        elif _set(person, _person_values(p, pos)):
            counts["persons"]["changed"] += 1
        person.position = pos
        by_id[p["id"]] = person

    old_entries = {e.entry_id: e for e in dossier.entries}
    for pos, e in enumerate(doc["entries"]):
        entry = old_entries.pop(e["id"], None)
        is_new = entry is None
        if is_new:
            entry = DossierEntry(entry_id=e["id"])
            dossier.entries.append(entry)
        values = {"date": _d(e["date"]), "kind": e["kind"], "title": e.get("title"), "author": e.get("author"),
                  "nature": e["nature"], "text": e["text"], "shared_with_json": _dumps(e.get("shared_with", []))}
        changed = _set(entry, values)
        source = by_id.get(e["source_person"]) if e.get("source_person") else None
        if entry.source_person is not source:
            entry.source_person = source
            changed = True
        concerns = [by_id[ref] for ref in e["concerns"]]
        if {id(c) for c in entry.concerns} != {id(c) for c in concerns}:  # whom, not in which order
            entry.concerns = concerns
            changed = True
        entry.position = pos

        old_files = {a.filename: a for a in entry.attachments}
        for a in e.get("attachments", []):
            kept = old_files.pop(a["file"], None)
            if kept is not None and kept.sha256 == a["sha256"] and kept.media_type == a["media_type"]:
                continue
            if kept is not None:
                entry.attachments.remove(kept)
                counts["attachments"]["changed"] += 1
            else:
                counts["attachments"]["added"] += 1
            data = files[a["file"]]
            entry.attachments.append(DossierAttachment(filename=a["file"], media_type=a["media_type"], size=len(data),
                                                       sha256=a["sha256"], ciphertext=vault.encrypt(data)))
            changed = True
        for gone in old_files.values():
            entry.attachments.remove(gone)
            counts["attachments"]["removed"] += 1
            changed = True
        if is_new:
            counts["entries"]["added"] += 1
        elif changed:
            counts["entries"]["changed"] += 1

    for gone in old_entries.values():
        counts["attachments"]["removed"] += len(gone.attachments)
        dossier.entries.remove(gone)
        counts["entries"]["removed"] += 1
    for gone in old_persons.values():
        dossier.persons.remove(gone)
        counts["persons"]["removed"] += 1
    return counts


def _counts_text(counts: dict) -> str:
    return "; ".join(f"{k} +{v['added']} ~{v['changed']} -{v['removed']}" for k, v in counts.items())


def _log(by: By, *, source: str, outcome: str, dossier: Dossier | None = None, dossier_ref: str | None = None,
         content_hash: str | None = None, counts: dict | None = None, problem: Problem | None = None) -> None:
    actor, role, staff_id = _who(by)
    ref = dossier.dossier_id if dossier is not None else dossier_ref
    action = "dossier.replace" if outcome == DossierImport.REPLACED else "dossier.import"
    reason = _counts_text(counts) if counts else None
    if problem is not None:
        reason = f"{problem.code} at {problem.where}"[:200] if problem.where else problem.code
    audit.record(action, actor=actor, actor_role=role, object_type="dossier", object_id=ref, reason=reason,
                 outcome={DossierImport.REFUSED: "refused", DossierImport.UNCHANGED: "unchanged"}.get(outcome, "ok"))
    db.session.add(DossierImport(actor=actor, staff_id=staff_id, source=source,
                                 dossier_pk=dossier.id if dossier is not None else None, dossier_ref=ref,
                                 content_hash=content_hash, outcome=outcome,
                                 problem=reason if problem is not None else None,
                                 counts_json=json.dumps(counts or {}, sort_keys=True)))


def _refused(by: By, export: Export, exc: ImportRefused, doc: Any = None, chash: str | None = None) -> ImportRefused:
    """Nothing of the export is kept: roll back, then log the refusal on its own."""
    db.session.rollback()
    ref = doc.get("dossier_id") if isinstance(doc, dict) else None
    ref = ref if isinstance(ref, str) and DOSSIER_ID.match(ref) else None
    dossier = db.session.execute(db.select(Dossier).filter_by(dossier_id=ref)).scalar_one_or_none() if ref else None
    if chash is None and export.dossier_json:
        chash = hashlib.sha256(export.dossier_json).hexdigest()  # of the bytes: a refused export has no canonical form
    _log(by, source=export.source, outcome=DossierImport.REFUSED, dossier=dossier, dossier_ref=ref,
         content_hash=chash, problem=exc.problems[0])
    db.session.commit()
    return exc


def import_export(by: By, export: Export) -> ImportResult:
    """Validate and store an export, all or nothing (see the module docstring)."""
    _require(by, Permission.DOSSIER_IMPORT, object_type="dossier")
    doc = None
    try:
        doc = parse(export.dossier_json)
        doc = validate(export, doc)
    except ImportRefused as exc:
        raise _refused(by, export, exc, doc) from None
    chash = content_hash(doc)
    as_of = export_as_of(doc)
    query = db.select(Dossier).filter_by(dossier_id=doc["dossier_id"]).with_for_update()
    dossier = db.session.execute(query).scalar_one_or_none()

    if dossier is not None and dossier.content_hash == chash:
        _log(by, source=export.source, outcome=DossierImport.UNCHANGED, dossier=dossier, content_hash=chash)
        db.session.commit()
        return ImportResult(DossierImport.UNCHANGED, doc["dossier_id"], chash, {})

    if dossier is not None:
        earlier = db.session.execute(
            db.select(DossierImport.id).where(
                DossierImport.dossier_pk == dossier.id, DossierImport.content_hash == chash,
                DossierImport.outcome.in_((DossierImport.IMPORTED, DossierImport.REPLACED))).limit(1)
        ).scalar_one_or_none()
        reason = None
        if earlier is not None:
            reason = "imported before and since replaced"
        elif as_of < dossier.export_as_of:
            reason = f"its latest date {as_of.isoformat()} is before {dossier.export_as_of.isoformat()}"
        # Art. 17, 18: data the portal destroyed must not come back with an export the
        # registration system made before it carried out the instruction.
        pending = db.session.execute(
            db.select(RegistrationInstruction.id).where(
                RegistrationInstruction.dossier_ref == dossier.dossier_id,
                RegistrationInstruction.kind.in_(("destroy", "anonymise", "erase")),
                RegistrationInstruction.confirmed_on.is_(None)).limit(1)).scalar_one_or_none()
        if pending is not None:
            raise _refused(by, export, _refuse("dossier_id", "destruction_pending", instruction=pending), doc,
                           chash) from None
        if reason:
            stamp = (dossier.replaced_at or dossier.imported_at).strftime("%Y-%m-%d %H:%M")
            exc = _refuse("dossier_id", "older_export", imported_at=stamp, reason=reason,
                          as_of=as_of.isoformat(), stored_as_of=dossier.export_as_of.isoformat())
            raise _refused(by, export, exc, doc, chash) from None

    replacing = dossier is not None
    if dossier is None:
        dossier = Dossier(dossier_id=doc["dossier_id"], imported_at=utcnow())
        db.session.add(dossier)
    with db.session.no_autoflush:
        counts = _apply(dossier, doc, export.files)
    dossier.content_hash = chash
    dossier.export_as_of = as_of
    if replacing:
        dossier.replaced_at = utcnow()
    try:
        db.session.flush()
        outcome = DossierImport.REPLACED if replacing else DossierImport.IMPORTED
        _log(by, source=export.source, outcome=outcome, dossier=dossier, content_hash=chash, counts=counts)
        db.session.commit()
    except IntegrityError:
        raise _refused(by, export, _refuse("dossier_id", "conflict"), doc, chash) from None
    return ImportResult(outcome, doc["dossier_id"], chash, counts)


def import_path(by: By, path: str | os.PathLike) -> ImportResult:
    """`flask dossier import PATH`: a folder or a .zip."""
    _require(by, Permission.DOSSIER_IMPORT, object_type="dossier")
    try:
        export = read_path(path)
    except ImportRefused as exc:
        raise _refused(by, Export(b"", {}, "folder" if Path(path).is_dir() else "zip"), exc) from None
    return import_export(by, export)


def import_zip_bytes(by: By, data: bytes) -> ImportResult:
    """The upload page: a .zip, already read with a limit."""
    _require(by, Permission.DOSSIER_IMPORT, object_type="dossier")
    try:
        export = read_zip(data, origin="upload")
    except ImportRefused as exc:
        raise _refused(by, Export(b"", {}, "upload"), exc) from None
    return import_export(by, export)


# --- reading the stored dossiers (back office) --------------------------------------------------

@dataclass
class DossierRow:
    dossier_id: str
    outcome: str
    opened_on: date
    closed_on: date | None
    persons: int
    entries: int
    imported_at: Any
    replaced_at: Any


def list_dossiers(by: By, limit: int = 200) -> tuple[list[DossierRow], list[DossierImport]]:
    """The imported dossiers (no names) and the latest import attempts."""
    _require(by, Permission.DOSSIER_VIEW, object_type="dossier")
    persons = (db.select(db.func.count(DossierPerson.id)).where(DossierPerson.dossier_pk == Dossier.id)
               .correlate(Dossier).scalar_subquery())
    entries = (db.select(db.func.count(DossierEntry.id)).where(DossierEntry.dossier_pk == Dossier.id)
               .correlate(Dossier).scalar_subquery())
    rows = db.session.execute(
        db.select(Dossier.dossier_id, Dossier.outcome, Dossier.opened_on, Dossier.closed_on, persons, entries,
                  Dossier.imported_at, Dossier.replaced_at).order_by(Dossier.dossier_id).limit(limit)).all()
    imports = db.session.execute(db.select(DossierImport).order_by(DossierImport.id.desc()).limit(20)).scalars().all()
    actor, role, _ = _who(by)
    audit.record("dossier.list", actor=actor, actor_role=role, object_type="dossier")
    db.session.commit()
    return [DossierRow(*r) for r in rows], imports


def get_dossier(by: By, dossier_id: str) -> Dossier:
    """One dossier with its persons and entries, for the internal read-only page. Logged
    as a read of the personal data of every person of the dossier (art. 7.5)."""
    _require(by, Permission.DOSSIER_VIEW, object_type="dossier", object_id=dossier_id[:64])
    dossier = db.session.execute(db.select(Dossier).filter_by(dossier_id=dossier_id)).scalar_one_or_none()
    if dossier is None:
        raise DomainError("not_found")
    actor, role, _ = _who(by)
    for person in dossier.persons:
        audit.record("dossier.view", actor=actor, actor_role=role, object_type="dossier",
                     object_id=dossier.dossier_id, subject_ref=person.person_id)
    db.session.commit()
    return dossier
