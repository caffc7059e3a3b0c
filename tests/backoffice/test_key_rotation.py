"""Rotating the encryption key (README, "Rotating keys"): `flask rotate-keys` re-encrypts
every encrypted value under the new first key, so the old key can then be removed."""
from __future__ import annotations

from sqlalchemy import LargeBinary

from portal.infra.crypto import Vault, generate_key
from portal.infra.extensions import db
from portal.models import DossierAttachment, Staff
from portal.services import keys

from .copy_helpers import import_doc
from .dossier_helpers import PDF, example, with_attachment


def test_every_encrypted_column_is_rotated():
    encrypted = {(t.name, c.name) for t in db.metadata.sorted_tables for c in t.columns
                 if isinstance(c.type, LargeBinary)}
    listed = {(m.__table__.name, getattr(m, a).property.columns[0].name) for m, a in keys.ENCRYPTED}
    assert encrypted == listed


def test_after_rotate_keys_the_old_key_can_be_removed(app, make_staff):
    doc, files = with_attachment(example())
    import_doc(app, doc, files)
    staff_id = make_staff("caseworker")
    old_vault = app.extensions["vault"]
    with app.app_context():
        db.session.get(Staff, staff_id).totp_secret_enc = old_vault.encrypt_text("JBSWY3DPEHPK3PXP")
        db.session.commit()
        db.session.remove()
    new = generate_key()
    old_keys = list(app.config["ENCRYPTION_KEYS"])
    try:
        app.extensions["vault"] = Vault([new, *old_keys])  # the new key first, the old one still there
        result = app.test_cli_runner().invoke(args=["rotate-keys"])
        assert result.exit_code == 0 and "re-encrypted" in result.output
        app.extensions["vault"] = only_new = Vault([new])  # the old key removed
        with app.app_context():
            att = db.session.execute(db.select(DossierAttachment)).scalar_one()
            assert only_new.decrypt(att.ciphertext) == PDF
            assert only_new.decrypt(db.session.get(Staff, staff_id).totp_secret_enc) == b"JBSWY3DPEHPK3PXP"
            db.session.remove()
    finally:
        app.extensions["vault"] = old_vault
