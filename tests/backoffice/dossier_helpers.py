"""Made-up dossier exports for the import tests: the example from the format's folder
(tests/fixtures/dossiers/example, a copy of ../shared/dossier-format/example), and
variants of it built in code."""
from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile
from pathlib import Path

from portal.infra.extensions import db
from portal.models import (AuditEvent, Dossier, DossierAttachment, DossierEntry, DossierImport, DossierPerson,
                           dossier_entry_concerns)

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "dossiers" / "example" / "dossier.json"

# Made-up attachment bytes: only the magic bytes matter to the importer (it never parses them).
PDF = b"%PDF-1.4\n% made-up test attachment\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)


def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def with_attachment(doc: dict, *, entry: int = 3, name: str = "attachments/verslag-huisarts.pdf", data: bytes = PDF,
                    media_type: str = "application/pdf") -> tuple[dict, dict[str, bytes]]:
    doc = copy.deepcopy(doc)
    doc["entries"][entry].setdefault("attachments", []).append(
        {"file": name, "media_type": media_type, "sha256": hashlib.sha256(data).hexdigest()})
    return doc, {name: data}


def write_folder(root: Path, doc: dict | bytes, files: dict[str, bytes] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    raw = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    (root / "dossier.json").write_bytes(raw)
    for name, data in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def make_zip(doc: dict | bytes | None, files: dict[str, bytes] | None = None, *, extra=()) -> bytes:
    """extra: (ZipInfo or name, bytes) members added as they are (for the unsafe ones)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if doc is not None:
            raw = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode("utf-8")
            zf.writestr("dossier.json", raw)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
        for info, data in extra:
            zf.writestr(info, data)
    return buf.getvalue()


def snapshot(app) -> dict:
    """Every row of the dossier tables (attachments with their ciphertext)."""
    with app.app_context():
        out = {}
        for model in (Dossier, DossierPerson, DossierEntry, DossierAttachment):
            table = model.__table__
            out[table.name] = sorted(tuple(r) for r in db.session.execute(db.select(table)).all())
        out["concerns"] = sorted(tuple(r) for r in db.session.execute(db.select(dossier_entry_concerns)).all())
        db.session.remove()
        return out


def imports(app) -> list[tuple[str, str | None, str | None]]:
    with app.app_context():
        rows = db.session.execute(db.select(DossierImport.outcome, DossierImport.dossier_ref, DossierImport.problem)
                                  .order_by(DossierImport.id)).all()
        db.session.remove()
        return [tuple(r) for r in rows]


def audit_rows(app, prefix: str = "dossier.") -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(db.select(AuditEvent).where(AuditEvent.action.startswith(prefix))
                                  .order_by(AuditEvent.id)).scalars().all()
        db.session.expunge_all()
        return rows
