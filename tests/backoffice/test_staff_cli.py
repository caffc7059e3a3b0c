"""`flask users ...` (art. 7): accounts from the command line, through the same
services as the administrator's pages."""
from __future__ import annotations

import re

import pyotp
from argon2 import PasswordHasher

from portal.infra.extensions import db
from portal.models import AuditEvent, Staff
from portal.services import audit

from .conftest import log_in
from .staff_pages import ACCOUNT, TOTP, TOTP_SETUP, give_second_factor, is_login_redirect, login_password, staff_row


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["users", *args], input=input)


def test_art7_cli_create_prints_a_one_time_password_and_list_shows_the_account(app):
    result = run(app, "create", "J.Jansen", "--role", "caseworker", "--name", "Jan Jansen")
    assert result.exit_code == 0, result.output
    password = re.search(r"one-time password.*: (\S+)", result.output).group(1)
    assert len(password) >= 20
    with app.app_context():
        staff = db.session.execute(db.select(Staff).where(Staff.username == "j.jansen")).scalar_one()
        assert staff.role == "caseworker" and staff.display_name == "Jan Jansen"
        assert staff.password_hash.startswith("$argon2id$") and password not in staff.password_hash
        assert PasswordHasher().verify(staff.password_hash, password)
        assert staff.password_must_change is True
        assert staff.confidentiality_recorded_at is None
        assert db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "staff.create")).scalar_one().actor == "cli"
    listed = run(app, "list")
    assert listed.exit_code == 0
    line = next(l for l in listed.output.splitlines() if l.startswith("j.jansen"))
    assert "caseworker" in line and "NO confidentiality" in line and "Jan Jansen" in line
    # Two one-time passwords are never the same.
    other = run(app, "create", "p.pieters", "--role", "team_leader", "--name", "Piet")
    assert re.search(r"one-time password.*: (\S+)", other.output).group(1) != password


def test_art7_cli_create_reads_the_password_from_stdin(app):
    result = run(app, "create", "k.klaas", "--role", "privacy_officer", "--name", "Klaas", "--password-stdin",
                 input="een wachtwoord uit een kluis\n")
    assert result.exit_code == 0, result.output
    assert "one-time" not in result.output and "een wachtwoord uit een kluis" not in result.output
    row = _row(app, "k.klaas")
    assert PasswordHasher().verify(row.password_hash, "een wachtwoord uit een kluis")
    assert row.password_must_change is False
    short = run(app, "create", "k.kort", "--role", "caseworker", "--name", "Kort", "--password-stdin", input="kort\n")
    assert short.exit_code != 0 and "too_short" in short.output


def test_art7_cli_refuses_a_taken_name_and_an_unknown_role(app):
    assert run(app, "create", "dubbel", "--role", "caseworker", "--name", "A").exit_code == 0
    again = run(app, "create", "Dubbel", "--role", "caseworker", "--name", "B")
    assert again.exit_code != 0 and "username_taken" in again.output
    assert run(app, "create", "x", "--role", "director", "--name", "X").exit_code != 0


def _row(app, username):
    with app.app_context():
        staff = db.session.execute(db.select(Staff).where(Staff.username == username)).scalar_one()
        db.session.expunge(staff)
        return staff


def test_art7_3_cli_records_the_confidentiality_agreement_with_who_and_when(app, make_staff):
    admin_id = make_staff("functional_admin", username="beheerder")
    staff_id = make_staff("caseworker", confidentiality=False, username="nieuw")
    result = run(app, "record-confidentiality", "nieuw", "--by", "beheerder")
    assert result.exit_code == 0, result.output
    row = staff_row(app, staff_id)
    assert row["confidentiality_recorded_by"] == admin_id and row["confidentiality_recorded_at"] is not None
    assert "by beheerder" in next(l for l in run(app, "list").output.splitlines() if l.startswith("nieuw"))
    with app.app_context():
        event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "staff.confidentiality_recorded")).scalar_one()
        assert event.object_id == str(staff_id) and event.reason == f"recorded_by=staff:{admin_id}"
    # Recorded once: a second time is refused, and the first record stays.
    assert run(app, "record-confidentiality", "nieuw", "--by", "beheerder").exit_code != 0


def test_art7_3_cli_only_an_administrator_can_be_named_as_the_recorder(app, make_staff):
    make_staff("caseworker", username="collega")
    staff_id = make_staff("caseworker", confidentiality=False, username="nieuw2")
    result = run(app, "record-confidentiality", "nieuw2", "--by", "collega")
    assert result.exit_code != 0 and "not_allowed" in result.output
    assert staff_row(app, staff_id)["confidentiality_recorded_at"] is None
    assert run(app, "record-confidentiality", "nieuw2", "--by", "niemand").exit_code != 0


def test_art7_cli_reset_2fa_clears_the_second_factor_and_ends_every_session(app, make_staff):
    staff_id = make_staff("caseworker", username="telefoon-kwijt")
    give_second_factor(app, staff_id)
    client = app.test_client()
    log_in(client, app, staff_id)
    assert client.get(ACCOUNT).status_code == 200
    result = run(app, "reset-2fa", "telefoon-kwijt")
    assert result.exit_code == 0, result.output
    assert is_login_redirect(client.get(ACCOUNT))
    row = staff_row(app, staff_id)
    assert row["totp_secret_enc"] is None and row["totp_confirmed_at"] is None and row["session_epoch"] == 1
    assert login_password(app.test_client(), "telefoon-kwijt").headers["Location"].endswith(TOTP_SETUP)
    assert run(app, "reset-2fa", "bestaat-niet").exit_code != 0


def test_art7_cli_reset_password_gives_a_new_one_time_password(app, make_staff):
    staff_id = make_staff("caseworker", username="vergeten")
    result = run(app, "reset-password", "vergeten")
    assert result.exit_code == 0
    password = result.output.strip().rsplit(" ", 1)[-1]
    row = staff_row(app, staff_id)
    assert PasswordHasher().verify(row["password_hash"], password) and row["password_must_change"] is True


def test_art7_cli_demo_accounts_log_in_with_the_printed_secret(app):
    result = run(app, "demo")
    assert result.exit_code == 0, result.output
    roles = re.findall(r"^  (\w+)\s+user (\S+)\s+password (\S+)$", result.output, re.M)
    secrets = re.findall(r"TOTP secret (\w+) \(now: (\d{6})", result.output)
    assert {r for r, _u, _p in roles} == {"caseworker", "team_leader", "privacy_officer", "functional_admin"}
    assert len(secrets) == 4
    _role, username, password = next(r for r in roles if r[0] == "caseworker")
    secret = secrets[[r[0] for r in roles].index("caseworker")][0]
    client = app.test_client()
    resp = login_password(client, username, password)
    assert resp.headers["Location"].endswith(TOTP)
    from .staff_pages import submit_code

    assert submit_code(client, pyotp.TOTP(secret).now()).status_code == 302
    assert client.get(ACCOUNT).status_code == 200
    # Idempotent: running it again changes nothing.
    assert run(app, "demo").exit_code == 0
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Staff.id))).scalar_one() == 4
        assert audit.verify_chain() == (True, None)


def test_art7_cli_demo_refuses_outside_development(app):
    before = app.config["ENV_NAME"]
    app.config["ENV_NAME"] = "production"
    try:
        result = run(app, "demo")
    finally:
        app.config["ENV_NAME"] = before
    assert result.exit_code != 0 and "development" in result.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Staff.id))).scalar_one() == 0
