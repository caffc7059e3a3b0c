"""Threat model O12 (issue 13, "what shows it"): a copied database file or backup does not
tell who asked Veilig Thuis for their file, nor what the dossier says. After one
submission with a made-up name, birth date, phone number, a child's "not safe" note, a
correction wish and an own statement, the example dossier (demo/dossiers/example)
imported, and an identity-check note, a refusal's reasons and a team leader's review
comment typed by staff, the raw bytes of the SQLite file, and a pg_dump of the PostgreSQL test schema,
hold none of those names, birth dates, BSNs, the notes, an entry sentence or its author. Through the
models every one of them reads back as it was given."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from flask_migrate import upgrade

from portal import create_app
from portal.infra.extensions import db
from portal.models import Decision, DossierEntry, DossierPerson, IdentityCheck, Party, Request

from .at_rest_helpers import CHECK_NOTE, DOSSIER, GIVEN, NOTE, PHONE, REFUSAL, REVIEW, STATEMENT, SURNAME, WISH
from .at_rest_helpers import file_and_import, staff_texts


def _file_and_import(app) -> tuple[str, date]:
    reference, born = file_and_import(app)
    staff_texts(app, reference)
    return reference, born


def _needles(born: date) -> list[str]:
    return [GIVEN, SURNAME, born.isoformat(), NOTE, "Bartholomeus", PHONE[1:], "Kerkwervelweg", "hockeystick", *DOSSIER,
            CHECK_NOTE, "Gerritdina", REFUSAL, REVIEW, "Sijbrechtje"]


def _reads_back(app, reference: str, born: date) -> None:
    """The encryption is not a loss: the portal reads every value as it was given."""
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        requester = req.requester
        assert (requester.given_names, requester.surname, requester.birth_date) == (GIVEN, SURNAME, born)
        assert requester.phone.endswith(PHONE[1:])  # kept as +31...
        assert req.art20_4_note == NOTE
        details = {r.right: r.details for r in req.rights}
        assert WISH in json.dumps(details, ensure_ascii=False) and STATEMENT in json.dumps(details, ensure_ascii=False)
        p1 = db.session.execute(db.select(DossierPerson).filter_by(person_id="p1")).scalar_one()
        assert (p1.family_name, p1.birth_date, p1.bsn) == ("de Vries", date(1988, 4, 12), "111222333")
        assert p1.addresses[0]["street"] == "Lindelaan"
        e1 = db.session.execute(db.select(DossierEntry).filter_by(entry_id="e1")).scalar_one()
        assert "blauwe plekken op haar arm" in e1.text and e1.author == "Veilig Thuis, triagist"
        assert db.session.execute(db.select(IdentityCheck.notes).filter_by(request_id=req.id)).scalar_one() == CHECK_NOTE
        decision = db.session.execute(db.select(Decision).filter_by(request_id=req.id)).scalar_one()
        assert (decision.reasons, decision.review_comment) == (REFUSAL, REVIEW)
        assert db.session.execute(db.select(Party).filter_by(id=requester.id)).scalar_one().match_index
        db.session.remove()


def _assert_absent(haystack: bytes, born: date, where: str) -> None:
    # The search itself works: what is not personal is there to be found.
    assert b"VT-2025-000417" in haystack, f"{where}: the dossier number should be found (the search is broken)"
    found = [n for n in _needles(born) if n.encode("utf-8") in haystack]
    assert found == [], f"{where} holds personal data in plain text: {found}"


def test_o12_the_sqlite_file_holds_no_name_birth_date_bsn_note_or_entry_text(tmp_path):
    path = tmp_path / "portal.sqlite3"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SERVER_NAME": "portal.test",
                      "PUBLIC_BASE_URL": "http://portal.test", "RATELIMIT_ENABLED": False, "MAIL_ENABLED": False,
                      "HUEY_IMMEDIATE": True, "AUDIT_CHECKPOINT_PATH": str(tmp_path / "checkpoints.log")})
    with app.app_context():
        upgrade()
    reference, born = _file_and_import(app)
    _reads_back(app, reference, born)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("portal.sqlite3*"))  # with any -wal or -journal
    _assert_absent(raw, born, "the SQLite file")


def test_o12_a_pg_dump_of_the_test_database_holds_no_name_birth_date_bsn_note_or_entry_text(app):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: the pg_dump half runs on PostgreSQL only")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    reference, born = _file_and_import(app)
    _reads_back(app, reference, born)
    scoped = urlparse(app.config["SQLALCHEMY_DATABASE_URI"])
    schema = unquote(parse_qs(scoped.query)["options"][0]).split("search_path=", 1)[1]
    base = urlparse(url)
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--schema", schema, "-h", base.hostname or "127.0.0.1", "-p", str(base.port or 5432),
         "-U", base.username or "postgres", base.path.lstrip("/")],
        capture_output=True, timeout=120, env={**os.environ, "PGPASSWORD": base.password or ""})
    assert dump.returncode == 0, dump.stderr.decode()[:500]
    _assert_absent(dump.stdout, born, "pg_dump")
