"""Step 3, storing, in one transaction: a dossier seen for the first time is created, the
same export again is a no-op, a newer export updates the stored one in place by the
export's own ids, an older one (or one that would bring back destroyed data) is
refused. Every attempt is a DossierImport row and an access-log entry."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ...infra.extensions import db
from ...models import (Dossier, DossierAttachment, DossierEntry, DossierImport, DossierPerson, RegistrationInstruction,
                       utcnow)
from ...rules.permissions import Permission
from .. import audit
from .common import By, DOSSIER_ID, ImportRefused, Problem, refuse, require, who
from .reading import Export, read_path, read_zip
from .validation import as_date, content_hash, export_as_of, parse, validate


# --- storing ------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    outcome: str  # imported, replaced, unchanged
    dossier_id: str
    content_hash: str
    counts: dict


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
        "given_names": p["given_names"], "family_name": p["family_name"], "birth_date": as_date(p.get("birth_date")),
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
    _set(dossier, {"region": doc.get("region"), "opened_on": as_date(doc["opened_on"]),
                   "closed_on": as_date(doc.get("closed_on")), "outcome": doc["outcome"]})

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
        values = {"date": as_date(e["date"]), "kind": e["kind"], "title": e.get("title"), "author": e.get("author"),
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
    actor, role, staff_id = who(by)
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
    require(by, Permission.DOSSIER_IMPORT, object_type="dossier")
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

    if dossier is not None and dossier.retention_destroyed_on is not None:
        # Art. 9.3: a dossier anonymised after its retention does not come back.
        raise _refused(by, export, refuse("dossier_id", "retention_destroyed",
                                          on=dossier.retention_destroyed_on.isoformat()), doc, chash) from None
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
            raise _refused(by, export, refuse("dossier_id", "destruction_pending", instruction=pending), doc,
                           chash) from None
        if reason:
            stamp = (dossier.replaced_at or dossier.imported_at).strftime("%Y-%m-%d %H:%M")
            exc = refuse("dossier_id", "older_export", imported_at=stamp, reason=reason,
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
        raise _refused(by, export, refuse("dossier_id", "conflict"), doc, chash) from None
    return ImportResult(outcome, doc["dossier_id"], chash, counts)


def import_path(by: By, path: str | os.PathLike) -> ImportResult:
    """`flask dossier import PATH`: a folder or a .zip."""
    require(by, Permission.DOSSIER_IMPORT, object_type="dossier")
    try:
        export = read_path(path)
    except ImportRefused as exc:
        raise _refused(by, Export(b"", {}, "folder" if Path(path).is_dir() else "zip"), exc) from None
    return import_export(by, export)


def import_zip_bytes(by: By, data: bytes) -> ImportResult:
    """The upload page: a .zip, already read with a limit."""
    require(by, Permission.DOSSIER_IMPORT, object_type="dossier")
    try:
        export = read_zip(data, origin="upload")
    except ImportRefused as exc:
        raise _refused(by, Export(b"", {}, "upload"), exc) from None
    return import_export(by, export)
