"""Key rotation for encryption at rest: re-encrypt under the newest key.

Every column the vault encrypts is listed in ``ENCRYPTED``; a test checks that no
encrypted column of the models is missing from it (before issue 14 only documents and
drafts were re-encrypted, so removing the old key would have made letters, dossier
attachments, copies, own statements and staff second factors unreadable)."""
from __future__ import annotations

from flask import current_app

from ..infra.extensions import db
from ..models import (Copy, CopyAttachment, Document, DossierAttachment, Draft, DraftUpload, Letter, OwnStatement,
                      Staff)

#: (model, attribute) of every value the vault encrypts.
ENCRYPTED = (
    (Document, "ciphertext"),
    (DraftUpload, "ciphertext"),
    (Draft, "ciphertext"),
    (Letter, "ciphertext"),
    (DossierAttachment, "ciphertext"),
    (Copy, "pdf_ciphertext"),
    (CopyAttachment, "redacted_ciphertext"),
    (OwnStatement, "pdf_ciphertext"),
    (Staff, "totp_secret_enc"),
)


def rotate_all(batch: int = 100) -> int:
    """Re-encrypt every encrypted value under ENCRYPTION_KEYS[0], in batches, each
    committed. Run after putting a new key first (on every web server and the job
    consumer); then the old key can be removed (README, "Rotating keys")."""
    vault = current_app.extensions["vault"]
    count = 0
    for model, attr in ENCRYPTED:
        column = getattr(model, attr)
        last_id = None
        while True:
            q = db.select(model.id, column).where(column.is_not(None)).order_by(model.id).limit(batch)
            if last_id is not None:
                q = q.where(model.id > last_id)
            rows = db.session.execute(q).all()
            if not rows:
                break
            for row_id, blob in rows:
                db.session.execute(db.update(model).where(model.id == row_id)
                                   .values({attr: vault.rotate(blob)}).execution_options(synchronize_session=False))
                count += 1
            last_id = rows[-1][0]
            db.session.commit()
    return count
