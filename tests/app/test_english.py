"""A request in English (art. 19: people are told their rights in a way they understand):
the language chosen is kept with the request, and the e-mails follow it. The English
catalogue may still be incomplete, so these tests look at the stored language, the
page's lang attribute and the configured English subject, not at translated text."""
from __future__ import annotations

from .filing import Filer, Filing
from .support import ask_status_link, dbs, path_of, request_by_ref


def test_art19_a_request_filed_in_english_is_stored_as_english_and_mailed_in_english(client, app, mailbox):
    resp = client.get("/taal/en?next=/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)

    filer = Filer(client).fill(Filing(email="sanne@example.org"))
    assert '<html lang="en">' in client.get("/verzoek/controleren").get_data(as_text=True)
    sub = filer.submit()
    assert '<html lang="en">' in sub.html
    with dbs(app) as s:
        assert request_by_ref(s, sub.reference).language == "en"

    [msg] = mailbox.wait_for(1)
    assert msg["Subject"] == app.config["MAIL_SUBJECT_EN"]
    assert msg["Subject"] != app.config["MAIL_SUBJECT"]
    # The link works, and the status link later comes in English too.
    assert Filer(client).post(path_of(mailbox.link(msg)), {}).status_code == 200
    ask_status_link(app.test_client(), sub.reference)
    assert mailbox.wait_for(2)[1]["Subject"] == app.config["MAIL_SUBJECT_EN"]


def test_art19_the_language_switch_only_goes_to_pages_of_this_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        resp = client.get("/taal/en", query_string={"next": target})
        assert resp.status_code == 302
        assert resp.headers["Location"] in ("/", "http://portal.test/")
    assert client.get("/taal/de?next=/").status_code == 404


def test_art19_a_request_filed_in_dutch_is_mailed_with_the_dutch_subject(client, app, mailbox):
    sub = Filer(client).fill(Filing()).submit()
    with dbs(app) as s:
        assert request_by_ref(s, sub.reference).language == "nl"
    assert '<html lang="nl">' in sub.html
    assert mailbox.wait_for(1)[0]["Subject"] == app.config["MAIL_SUBJECT"]


def test_art19_english_dates_are_british_day_month_year(client, app):
    """'4 January 2027', not the American 'January 4, 2027' (issue 15)."""
    import re

    from portal.rules import deadlines
    from portal.rules.rights import Right

    from .support import today

    client.get("/taal/en?next=/")
    sub = Filer(client).fill(Filing(email=None)).submit()
    due = deadlines.due_date(Right.ACCESS, today(app))
    british = f"{due.day} {due.strftime('%B')} {due.year}"
    american = f"{due.strftime('%B')} {due.day}, {due.year}"
    assert british in sub.html and american not in sub.html
    assert not re.search(r"\b(January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4}",
                         sub.html)


def test_art19_the_english_portal_gives_an_english_passphrase(client, app):
    from portal.services.passphrases import word_list

    client.get("/taal/en?next=/")
    sub = Filer(client).fill(Filing(email=None)).submit()
    words = sub.passphrase.split()
    assert len(words) == 7 and all(w in word_list("en") for w in words)
