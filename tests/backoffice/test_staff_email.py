"""Staff e-mail addresses (issue 14): set with `flask users` and on the administrator's
account pages, validated, so the daily digest (portal/services/queue.py `send_digest`)
reaches the assignees and the team leaders; active staff without an address are listed
to the administrator (art. 7: the administrator keeps the accounts)."""
from __future__ import annotations

from portal.infra.extensions import db
from portal.models import AuditEvent, Staff
from portal.services import queue as q

from .queue_helpers import days_ago, file
from .staff_pages import page_csrf

ACCOUNTS = "/backoffice/beheer/accounts"


def _email(app, staff_id: int) -> str | None:
    with app.app_context():
        out = db.session.get(Staff, staff_id).email
        db.session.remove()
    return out


def run(app, *args):
    return app.test_cli_runner().invoke(args=["users", *args])


def test_art7_cli_sets_and_clears_a_staff_address_and_the_digest_reaches_it(app, make_staff, mailbox):
    leader = make_staff("team_leader", username="t.leider")
    file(app, received=days_ago(app, 45))  # overdue: the team leader's digest has something to say
    with app.app_context():
        assert q.send_digest().without_address == 1
    listed = run(app, "list").output
    assert "NO e-mail" in listed and "without an e-mail address (the daily digest cannot reach them): " in listed
    bad = run(app, "set-email", "t.leider", "geen-adres")
    assert bad.exit_code != 0 and "email_invalid" in bad.output and _email(app, leader) is None
    ok = run(app, "set-email", "t.leider", "T.Leider@VeiligThuis.Example")
    assert ok.exit_code == 0, ok.output
    assert _email(app, leader) == "T.Leider@veiligthuis.example"  # the domain in lower case
    with app.app_context():
        result = q.send_digest()
        events = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "staff.email_set")).scalars().all()
        db.session.remove()
    assert (result.sent, result.without_address) == (1, 0)
    assert [str(m["To"]) for m in mailbox.wait_for(1)] == ["T.Leider@veiligthuis.example"]
    assert len(events) == 1 and "veiligthuis" not in (events[0].reason or "")  # that it changed, not the address
    assert run(app, "set-email", "t.leider", "").exit_code == 0 and _email(app, leader) is None


def test_art7_cli_create_takes_an_address(app):
    assert run(app, "create", "n.nieuw", "--role", "caseworker", "--name", "Nieuw", "--email", "x").exit_code != 0
    assert run(app, "create", "n.nieuw", "--role", "caseworker", "--name", "Nieuw",
               "--email", "n.nieuw@vt.example").exit_code == 0
    with app.app_context():
        assert db.session.execute(db.select(Staff.email).where(Staff.username == "n.nieuw")).scalar_one() == \
            "n.nieuw@vt.example"
        db.session.remove()


def test_art7_the_administrator_sets_an_address_and_sees_who_has_none(app, logged_in, make_staff):
    admin = logged_in("functional_admin")
    cw = make_staff("caseworker", username="c.zonder")
    page = admin.get(ACCOUNTS).get_data(as_text=True)
    assert 'id="without-email"' in page and "c.zonder" in page.split('id="without-email"')[1].split("</section>")[0]
    detail = f"{ACCOUNTS}/{cw}"
    # Bad input: the error next to the field, nothing stored.
    token = page_csrf(admin, detail)
    resp = admin.post(f"{detail}/e-mail", data={"csrf_token": token, "email": "c.zonder@"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "Vul een geldig e-mailadres in" in html and "field--error" in html
    assert 'value="c.zonder@"' in html and _email(app, cw) is None
    # Without the CSRF token nothing happens either.
    admin.post(f"{detail}/e-mail", data={"email": "c.zonder@vt.example"})
    assert _email(app, cw) is None
    token = page_csrf(admin, detail)
    resp = admin.post(f"{detail}/e-mail", data={"csrf_token": token, "email": "c.zonder@vt.example"})
    assert resp.status_code == 302 and _email(app, cw) == "c.zonder@vt.example"
    assert "c.zonder@vt.example" in admin.get(detail).get_data(as_text=True)
    page = admin.get(ACCOUNTS).get_data(as_text=True)
    assert "c.zonder" not in (page.split('id="without-email"')[1].split("</section>")[0] if 'id="without-email"' in page
                              else "")


def test_art7_a_new_account_with_a_bad_address_is_refused_next_to_the_field(app, logged_in):
    admin = logged_in("functional_admin")
    token = page_csrf(admin, f"{ACCOUNTS}/nieuw")
    resp = admin.post(f"{ACCOUNTS}/nieuw", data={"csrf_token": token, "username": "a.adres", "display_name": "A",
                                                "role": "caseworker", "email": "niet goed"})
    assert resp.status_code == 400 and "Vul een geldig e-mailadres in" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(Staff).where(Staff.username == "a.adres")).scalar_one_or_none() is None
        db.session.remove()


def test_art7_someone_who_may_not_manage_accounts_cannot_set_an_address(app, logged_in, make_staff):
    cw = logged_in("caseworker")
    other = make_staff("caseworker")
    token = page_csrf(cw, "/backoffice/werkvoorraad")
    resp = cw.post(f"{ACCOUNTS}/{other}/e-mail", data={"csrf_token": token, "email": "x@vt.example"})
    assert resp.status_code == 403 and _email(app, other) is None
