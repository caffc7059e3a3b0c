"""Art. 7.5: the access log is tamper-evident (HMAC chain with a key outside the database)."""
from click.testing import CliRunner

from portal.infra.extensions import db
from portal.models import AuditEvent
from portal.services import audit


def _three_entries():
    for i in range(3):
        audit.record("test.read", actor=f"staff-{i}", actor_role="caseworker", object_type="request", object_id=i)
    db.session.commit()


def _verify_cli(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_art7_5_intact_log_verifies(app_ctx):
    _three_entries()
    assert audit.verify_chain() == (True, None)
    result = _verify_cli(app_ctx)
    assert result.exit_code == 0 and "intact" in result.output


def test_art7_5_edited_entry_is_found(app_ctx):
    _three_entries()
    second = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id).offset(1).limit(1)).scalar_one()
    db.session.execute(db.update(AuditEvent).where(AuditEvent.id == second.id).values(actor="someone-else"))
    db.session.commit()
    assert audit.verify_chain() == (False, second.id)
    result = _verify_cli(app_ctx)
    assert result.exit_code != 0 and f"entry {second.id}" in result.output


def test_art7_5_deleted_entry_is_found(app_ctx):
    _three_entries()
    ids = db.session.execute(db.select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()
    db.session.execute(db.delete(AuditEvent).where(AuditEvent.id == ids[1]))
    db.session.commit()
    assert audit.verify_chain() == (False, ids[2])


def test_art7_5_swapped_entries_are_found(app_ctx):
    _three_entries()
    a, b = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id).offset(1).limit(2)).scalars().all()
    fields = {f: getattr(a, f) for f in ("actor", "object_id", "prev_hash", "hash")}
    other = {f: getattr(b, f) for f in ("actor", "object_id", "prev_hash", "hash")}
    # Free the unique hash first, then swap the contents of the two rows.
    db.session.execute(db.update(AuditEvent).where(AuditEvent.id == a.id).values(hash="x" * 64))
    db.session.execute(db.update(AuditEvent).where(AuditEvent.id == b.id).values(**fields))
    db.session.execute(db.update(AuditEvent).where(AuditEvent.id == a.id).values(**other))
    db.session.commit()
    assert audit.verify_chain() == (False, a.id)


def test_art7_5_chain_cannot_be_rebuilt_without_the_key(app_ctx):
    """Someone who edits an entry and recomputes a plain SHA-256 chain is still caught."""
    import hashlib
    import json

    _three_entries()
    rows = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    prev = audit.GENESIS
    for row in rows:
        row.actor = "forged"
        row.prev_hash = prev
        payload = {f: (getattr(row, f).isoformat() if f == "at" else getattr(row, f)) for f in AuditEvent.FIELDS}
        payload["prev"] = prev
        row.hash = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        prev = row.hash
    db.session.commit()
    assert audit.verify_chain() == (False, rows[0].id)
