"""The destruction journal: one JSON line per destruction, erasure or anonymisation after
retention (art. 9, 17, 18), written outside the database (``instance/`` by default, or
DESTRUCTION_JOURNAL), ids only: the instruction, its kind, the dossier, the person, the
entries. A restore of a backup made before such a destruction would bring the data
back; ``flask backup restore`` reads this journal and names every destruction the
restored database does not hold, so that it is carried out again before the portal is
opened (README, "Backup and restore"). Keep the journal with the key material, not with
the database backups."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app


def path() -> Path:
    configured = os.environ.get("DESTRUCTION_JOURNAL")
    return Path(configured) if configured else Path(current_app.instance_path) / "destruction-journal.jsonl"


def record(entry: dict) -> None:
    """Append one line (after the destruction's commit). Ids only."""
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **entry},
                      ensure_ascii=False, sort_keys=True)
    with open(p, "a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


def read(p: Path | None = None) -> list[dict]:
    p = p or path()
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
