"""Step 2, validation: dossier.json as JSON (UTF-8, no duplicate keys, no NaN), against
the schema (dossier_schema.json beside this module, Draft 2020-12, dates checked as
dates), then the rules the README adds and the ones it implies; and the export's
canonical content hash and latest date."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from ...documents.uploads import sniff_type
from ..timeline import today_local
from .common import DOSSIER_JSON, ImportRefused, MAX_PROBLEMS, Problem, refuse, shown
from .reading import Export


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
        raise refuse(DOSSIER_JSON, "not_utf8") from None
    if text.startswith("\ufeff"):
        text = text[1:]

    def pairs(items):
        out = {}
        for k, v in items:
            if k in out:
                raise refuse(DOSSIER_JSON, "duplicate_key", key=shown(k)[:80])
            out[k] = v
        return out

    def constant(name):
        raise ValueError(name)

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise refuse(DOSSIER_JSON, "invalid_json", line=exc.lineno, column=exc.colno) from None
    except ValueError:
        raise refuse(DOSSIER_JSON, "invalid_json", line="?", column="?") from None
    except RecursionError:
        raise refuse(DOSSIER_JSON, "too_deep") from None


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
            problems += [Problem(json_path(path + [shown(k)[:80]]), "additional_property") for k in extra]
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


def as_date(value: str | None) -> date | None:
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
        if as_date(p.get("birth_date")) and as_date(p["birth_date"]) > today:
            add(Problem(f"persons[{i}].birth_date", "date_in_future"))
    if not any(p["role"] == "subject" for p in doc["persons"]):
        add(Problem("persons", "no_subject"))

    opened, closed = as_date(doc["opened_on"]), as_date(doc.get("closed_on"))
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
        when = as_date(e["date"])
        if when > today:
            add(Problem(f"{at}.date", "date_in_future"))
        elif when < opened:
            add(Problem(f"{at}.date", "entry_before_opened"))
        source = e.get("source_person")
        if source is not None and source not in persons:
            add(Problem(f"{at}.source_person", "unknown_person", {"id": shown(source)[:40]}))
        seen: set[str] = set()
        for j, ref in enumerate(e["concerns"]):
            if ref not in persons:
                add(Problem(f"{at}.concerns[{j}]", "unknown_person", {"id": shown(ref)[:40]}))
            elif ref in seen:
                add(Problem(f"{at}.concerns[{j}]", "duplicate_reference", {"id": ref}))
            seen.add(ref)
        for j, s in enumerate(e.get("shared_with", [])):
            shared = as_date(s["date"])
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
            add(Problem(shown(name), "attachment_unreferenced"))
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
    return max(as_date(x) for x in dates if x)
