"""Key rotation for encryption at rest: re-encrypt under the newest key."""
from __future__ import annotations

from flask import current_app

from ..infra.extensions import db
from ..models import Document, Draft, DraftUpload


def rotate_all(batch: int = 100) -> int:
    """Re-encrypt every document, draft and draft upload under ENCRYPTION_KEYS[0].
    Run after putting a new key first; then the old key can be removed."""
    vault = current_app.extensions["vault"]
    count = 0
    for model in (Document, DraftUpload, Draft):
        last_id = None
        while True:
            q = db.select(model).order_by(model.id).limit(batch)
            if last_id is not None:
                q = q.where(model.id > last_id)
            rows = db.session.execute(q).scalars().all()
            if not rows:
                break
            for row in rows:
                row.ciphertext = vault.rotate(row.ciphertext)
                count += 1
            last_id = rows[-1].id
            db.session.commit()
    return count
