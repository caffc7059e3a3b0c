"""E-mails are neutral (threat model T3; DOMAIN.md: someone else may read the inbox):
the configured sender and subject, no name, no reference, no e-mail address, nothing
that says what the site is about; only a link that works."""
from __future__ import annotations

import json
import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from portal.infra import mail

from .filing import Filer, Filing, Person
from .support import ask_status_link, dmy, path_of, today, years_ago

FORBIDDEN_WORDS = ("Veilig Thuis", "geweld", "mishandeling", "dossier", "verzoek", "inzage", "kind")


def decoded_payload(token: str) -> dict:
    """What anyone can read from a link without the key (itsdangerous signs, it does not encrypt)."""
    _ok, payload = URLSafeTimedSerializer("not-the-key").loads_unsafe(token)
    return payload


def assert_neutral(app, msg, *, personal: list[str], to: str):
    body = msg.get_body(preferencelist=("plain",)).get_content()
    links = [w for w in body.split() if w.startswith("http")]
    assert len(links) == 1, body
    # The link's token is random: look for personal data in the text around it (and
    # check separately that the link holds only a path and an opaque token).
    text = body.replace(links[0], " ")
    path = path_of(links[0])
    m = re.fullmatch(r"/(?:bevestigen|meedoen/link|volgen/link)/([A-Za-z0-9_.-]+)", path)
    assert m, path
    sealed = decoded_payload(m.group(1))
    assert isinstance(sealed, str), sealed  # an opaque Fernet token, not readable JSON
    inner = json.loads(app.extensions["vault"].decrypt(sealed.encode()))
    assert set(inner) <= {"r", "j", "c", "p"}, inner
    assert msg["Subject"] == app.config["MAIL_SUBJECT"]
    assert msg["From"] == app.config["MAIL_SENDER"]
    assert str(msg["To"]) == to
    assert msg["Cc"] is None and msg["Bcc"] is None
    for item in personal:
        assert item.lower() not in text.lower(), f"{item!r} in the e-mail body"
        assert item.lower() not in msg["Subject"].lower()
        # Nothing personal, the reference included, can be read from the link itself.
        assert item.lower() not in links[0].lower(), f"{item!r} readable in the link"
        assert item.lower() not in sealed.lower(), f"{item!r} readable in the link"
    for word in FORBIDDEN_WORDS:
        assert word.lower() not in text.lower(), f"{word!r} in the e-mail body"
        assert word.lower() not in msg["Subject"].lower()
    return links[0]


def test_t3_every_email_is_neutral_and_carries_only_a_working_link(client, app, mailbox):
    on = today(app)
    parent = Person("Karin", "Jansen", "02-02-1975")
    child = Person("Mila", "Jansen", dmy(years_ago(14, on)))
    f = Filing(for_whom="child_12_16", rep_kind="ouder_met_gezag", subject=child, requester=parent,
               second={"channel": "email", "email": "mila.jansen@example.org"}, email="karin.jansen@example.org")
    sub = Filer(client).fill(f).submit()
    personal = ["Karin", "Mila", "Jansen", sub.reference, sub.reference.replace("-", ""), "karin.jansen@example.org",
                "mila.jansen@example.org", child.birth_date, parent.birth_date]

    # 1. confirmation of the parent's e-mail address
    [confirm] = mailbox.wait_for(1)
    link = assert_neutral(app, confirm, personal=personal, to="karin.jansen@example.org")
    assert client.get(path_of(link)).status_code == 200
    assert Filer(client).post(path_of(link), {}).status_code == 200

    # 2. the invitation to the child
    mailbox.wait_for(2)
    [invitation] = mailbox.to("mila.jansen@example.org")
    link = assert_neutral(app, invitation, personal=personal, to="mila.jansen@example.org")
    assert path_of(link).startswith("/meedoen/link/")
    assert app.test_client().get(path_of(link)).status_code == 200
    assert Filer(app.test_client()).post(path_of(link), {}).status_code == 302

    # 3. a status link
    ask_status_link(app.test_client(), sub.reference, "karin.jansen@example.org")
    status_mail = mailbox.wait_for(3)[2]
    link = assert_neutral(app, status_mail, personal=personal, to="karin.jansen@example.org")
    resp = Filer(app.test_client()).post(path_of(link), {})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/volgen/verzoek")


@pytest.mark.parametrize("template", ["confirm_email", "invitation", "status_link"])
def test_t3_email_templates_hold_nothing_but_the_link(app, template, mailbox):
    """Rendered with a poisoned context: whatever a caller passes, only `link` is used."""
    with app.test_request_context():
        mail.send("iemand@example.org", template, "nl", link="http://portal.test/x/abc",
                  reference="VT-SECR-ETRE-FXYZ", name="Geheime Naam", email="geheim@example.org")
    [msg] = mailbox.wait_for(1)
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "http://portal.test/x/abc" in body
    for secret in ("VT-SECR", "Geheime", "geheim@example.org"):
        assert secret not in body
    assert msg["Subject"] == app.config["MAIL_SUBJECT"]


# Threat model O7: link payloads are encrypted before they are signed.
def test_t3_the_reference_cannot_be_read_from_an_emailed_link(client, app, mailbox):
    sub = Filer(client).fill(Filing()).submit()
    [msg] = mailbox.wait_for(1)
    token = path_of(mailbox.link(msg)).rsplit("/", 1)[1]
    assert sub.reference not in json.dumps(decoded_payload(token))
