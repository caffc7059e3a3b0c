"""Art. 7.5, issue 13 (finding 3): the end of the access log is anchored outside the
database. The HMAC chain alone says "intact" when the newest rows are deleted; signed
checkpoints (count and head hash, HMAC under AUDIT_CHECKPOINT_KEY, appended to a file)
let `flask audit verify` say what is missing."""
from __future__ import annotations

import json
import multiprocessing

import pytest

from portal.infra import checkpoints
from portal.infra.extensions import db
from portal.models import AuditEvent
from portal.services import audit


@pytest.fixture
def every_5(app_ctx):
    """Checkpoints every 5 entries (the default is 100)."""
    was = app_ctx.config["AUDIT_CHECKPOINT_EVERY"]
    app_ctx.config["AUDIT_CHECKPOINT_EVERY"] = 5
    yield app_ctx
    app_ctx.config["AUDIT_CHECKPOINT_EVERY"] = was


def _entries(n: int, start: int = 0) -> None:
    """n access-log entries, each in its own transaction as services write them."""
    for i in range(start, start + n):
        audit.record("test.read", actor=f"staff-{i}", actor_role="caseworker", object_type="request", object_id=i)
        db.session.commit()


def _lines(app) -> list[dict]:
    with open(app.config["AUDIT_CHECKPOINT_PATH"]) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _verify_cli(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _ids() -> list[int]:
    return db.session.execute(db.select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()


def test_art7_5_a_signed_checkpoint_is_written_at_least_every_n_entries(every_5):
    _entries(12)
    counts = [line["count"] for line in _lines(every_5)]
    assert counts == [1, 6, 11]  # the first entry anchors the log, then every 5
    found, bad = checkpoints.read_all(every_5.config["AUDIT_CHECKPOINT_PATH"], every_5.config["AUDIT_CHECKPOINT_KEY"].encode())
    assert [cp.count for cp in found] == counts and bad == []
    assert found[-1].head == db.session.execute(db.select(AuditEvent.hash).order_by(AuditEvent.id).offset(10).limit(1)).scalar_one()
    result = _verify_cli(every_5)
    assert result.exit_code == 0 and "intact: 12 entries" in result.output, result.output


def test_art7_5_deleting_the_last_5_rows_is_reported(every_5):
    _entries(10)
    audit.checkpoint(force=True)
    ids = _ids()
    db.session.execute(db.delete(AuditEvent).where(AuditEvent.id.in_(ids[-5:])))
    db.session.commit()
    assert audit.verify_chain() == (True, None)  # what the chain alone says: the finding
    result = _verify_cli(every_5)
    assert result.exit_code != 0
    assert "5 entries missing at the end" in result.output and f"after entry {ids[4]}" in result.output
    assert f"newest entry id {ids[-1]}" in result.output


def test_art7_5_deleting_every_row_is_reported(every_5):
    _entries(7)
    audit.checkpoint(force=True)
    db.session.execute(db.delete(AuditEvent))
    db.session.commit()
    result = _verify_cli(every_5)
    assert result.exit_code != 0
    assert "7 entries missing at the end" in result.output and "the table is empty" in result.output


def test_art7_5_replacing_the_table_with_an_older_copy_is_reported(every_5):
    _entries(6)
    columns = [c.name for c in AuditEvent.__table__.columns]
    older = [dict(row._mapping) for row in db.session.execute(db.select(*AuditEvent.__table__.c).order_by(AuditEvent.id))]
    _entries(4, start=6)
    audit.checkpoint(force=True)
    # Someone with the database puts back last week's copy of the table.
    db.session.execute(db.delete(AuditEvent))
    db.session.execute(db.insert(AuditEvent.__table__), [{c: row[c] for c in columns} for row in older])
    db.session.commit()
    assert audit.verify_chain() == (True, None)
    result = audit.verify()
    assert not result.intact
    assert any("4 entries missing at the end" in p for p in result.problems), result.problems
    assert _verify_cli(every_5).exit_code != 0


def test_art7_5_a_rewritten_log_of_the_same_length_is_reported(every_5):
    """The newest entry swapped for another valid one (here: the log rebuilt with the
    key, by someone who has it) no longer matches the checkpoint's head."""
    _entries(5)
    audit.checkpoint(force=True)
    last = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    db.session.delete(last)
    db.session.commit()
    audit.record("test.read", actor="someone-else", actor_role="caseworker")
    db.session.commit()
    result = audit.verify()
    assert any("is not the entry the checkpoint" in p for p in result.problems), result.problems


def test_art7_5_a_checkpoint_signed_without_the_key_is_reported(every_5):
    _entries(3)
    path = every_5.config["AUDIT_CHECKPOINT_PATH"]
    # Whoever cannot read the key cannot write a checkpoint that lowers the count.
    forged = checkpoints.line_for(b"not-the-key", 0, None, audit.GENESIS, "2026-01-01T00:00:00Z")
    checkpoints.append(path, forged)
    edited = dict(_lines(every_5)[0], count=1000)
    checkpoints.append(path, json.dumps(edited))
    result = audit.verify()
    assert sum("is not a validly signed checkpoint" in p for p in result.problems) == 2, result.problems


def test_art7_5_a_rolled_back_entry_makes_no_checkpoint(every_5):
    _entries(1)
    audit.record("test.read", actor="x", actor_role="caseworker")
    db.session.rollback()
    _entries(1, start=1)
    assert [line["count"] for line in _lines(every_5)] == [1]  # 2 - 1 < 5: not yet due
    assert audit.verify().intact


def test_art7_5_the_periodic_job_anchors_the_end_when_it_moved(every_5):
    from portal.services.tasks import audit_checkpoint

    _entries(3)
    assert [line["count"] for line in _lines(every_5)] == [1]
    audit_checkpoint.call_local()
    audit_checkpoint.call_local()  # nothing moved: no second line
    assert [line["count"] for line in _lines(every_5)] == [1, 3]


def _append_many(path: str, key: bytes, worker: int, n: int) -> None:
    for i in range(n):
        checkpoints.append(path, checkpoints.line_for(key, worker * 100_000 + i, i, f"{worker:02d}" * 32, "2026-01-01T00:00:00Z"))


def test_art7_5_two_workers_appending_checkpoints_never_tear_a_line(tmp_path):
    """O_APPEND and one write per line: two processes append 300 checkpoints each to the
    same file at the same time; every line is whole and validly signed."""
    path, key = str(tmp_path / "checkpoints.log"), b"k" * 48
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append_many, args=(path, key, w, 300)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    found, bad = checkpoints.read_all(path, key)
    assert bad == [] and len(found) == 600
    assert sorted(cp.count for cp in found) == sorted([100_000 + i for i in range(300)] + [200_000 + i for i in range(300)])
