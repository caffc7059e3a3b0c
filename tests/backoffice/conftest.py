"""Back-office fixtures: staff accounts of every role, and a logged-in client.

`logged_in` puts a completed login (password and second factor) into the test
client's session, as the login pages do; the login pages themselves are tested in
test_staff_login.py through the real forms.
"""
from __future__ import annotations

import itertools
import time

import pytest
from argon2 import PasswordHasher

from portal.infra.extensions import db
from portal.models import Staff, utcnow

_counter = itertools.count(1)
_hasher = PasswordHasher()
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def make_staff(app):
    def make(role: str = "caseworker", *, confidentiality: bool = True, username: str | None = None) -> int:
        with app.app_context():
            staff = Staff(
                username=username or f"{role}-{next(_counter)}",
                display_name=f"Test {role}",
                role=role,
                password_hash=_hasher.hash(PASSWORD),
                confidentiality_recorded_at=utcnow() if confidentiality else None,
            )
            db.session.add(staff)
            db.session.commit()
            return staff.id

    return make


def log_in(client, app, staff_id: int, *, second_factor: bool = True) -> None:
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        epoch = staff.session_epoch
    from flask_login.utils import _create_identifier

    # The identifier Flask-Login's strong session protection expects for this client.
    with app.test_request_context("/", environ_base=client.environ_base or {}):
        ident = _create_identifier()
    with client.session_transaction() as s:
        s["_id"] = ident
        s["_user_id"] = f"{staff_id}:{epoch}"
        s["_fresh"] = True
        s["bo_2fa"] = second_factor
        s["bo_login_at"] = time.time()
        s["bo_seen"] = time.time()


@pytest.fixture
def logged_in(app, make_staff):
    """logged_in("team_leader") -> a test client logged in as a new account of that role."""

    def make(role: str = "caseworker", **kw):
        client = app.test_client()
        staff_id = make_staff(role, **kw)
        log_in(client, app, staff_id)
        client.staff_id = staff_id
        return client

    return make
