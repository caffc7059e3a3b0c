"""'Je' to young readers, 'u' to adults (issue 15, item 2).

A child of 12 to 16 takes part in a request about their own data (art. 20.1; 20.2 for
the age rules: the age on the day the request is received), starts one themselves or
is invited by a parent, and may say that involving the parent is not safe (art. 20.4).
Every page and e-mail such a young person reads says "je/jij/jouw", never "u"; an adult
reads "u". Each page is read as text (what a person sees, tags stripped) and searched
for the word "u" or "uw" as a word of its own."""
from __future__ import annotations

import html as htmlmod
import re

import pytest

from .filing import Filer, Filing, Person
from .support import dmy, login_passphrase, path_of, today, years_ago

U_WORDS = re.compile(r"\b(u|uw)\b", re.IGNORECASE)
JE_WORDS = re.compile(r"\b(je|jij|jou|jouw)\b", re.IGNORECASE)


def visible(html: str) -> str:
    """The text a person sees: no scripts, no tags, entities decoded."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", htmlmod.unescape(html))


def u_sentences(html: str) -> list[str]:
    """The sentences of a page that address the reader with 'u'."""
    text = visible(html)
    return [s.strip() for s in re.split(r"(?<=[.?!:])\s+", text) if U_WORDS.search(s)]


def assert_je(page: str, where: str):
    assert u_sentences(page) == [], where
    assert JE_WORDS.search(visible(page)), f"{where}: no 'je'"


def assert_u(page: str, where: str):
    assert U_WORDS.search(visible(page)), f"{where}: no 'u' for an adult"


def child_filing(app, **kw) -> Filing:
    born = years_ago(13, today(app))
    return Filing(for_whom="self", requester=Person("Noor", "Bakker", dmy(born)),
                  rights=["inzage", "afschrift", "correctie", "eigen_verklaring", "vernietiging", "gegevenswissing"],
                  second={"given_names": "Petra", "surname": "Bakker", "rep_kind": "ouder_met_gezag",
                          "channel": "code"}, **kw)


def walk(client, app, f: Filing, *, from_step: int = 2) -> list[tuple[str, str]]:
    """File a request page by page; each page (from the page after the birth date on)
    as it first shows and with the errors of an empty answer. Returns (where, html)."""
    seen = []
    filer = Filer(client)
    filer.start()
    for i, (name, data, files) in enumerate(Filer.pages(f)):
        if i >= from_step:
            seen.append((name, client.get(f"/verzoek/{name}").get_data(as_text=True)))
            seen.append((f"{name} (errors)", Filer(client).post(f"/verzoek/{name}", {}).get_data(as_text=True)))
        filer.step(name, data, files=files)
    seen.append(("controleren", client.get("/verzoek/controleren").get_data(as_text=True)))
    seen.append(("wissen", client.get("/verzoek/wissen?terug=controleren").get_data(as_text=True)))
    return seen


def status_pages(app, reference, passphrase) -> list[tuple[str, str]]:
    browser = app.test_client()
    assert login_passphrase(browser, reference, passphrase).status_code == 302
    seen = [(p, browser.get(p).get_data(as_text=True)) for p in ("/volgen/verzoek", "/volgen/bericht", "/volgen/intrekken")]
    seen.append(("reply (errors)", Filer(browser).post("/volgen/verzoek", {"body": ""}).get_data(as_text=True)))
    sent = Filer(browser).post("/volgen/verzoek", {"body": "Hallo"})
    assert sent.status_code == 302
    seen.append(("after a message", browser.get("/volgen/verzoek").get_data(as_text=True)))
    return seen


def test_art20_1_a_child_of_13_filing_for_themselves_reads_je_on_every_page(client, app):
    f = child_filing(app, email=None, phone="0612345678")
    pages = walk(client, app, f)
    sub = Filer(client).submit()
    pages.append(("bevestiging", sub.html))
    pages += status_pages(app, sub.reference, sub.passphrase)
    for where, html in pages:
        assert_je(html, where)
    # The child also reads "je" in the sentence that used to mix the two.
    assert "Hoe laat je zien wie je bent?" in dict(pages)["identiteit"]


def test_art20_1_an_adult_filing_for_themselves_reads_u(client, app):
    f = Filing(rights=["inzage", "afschrift", "correctie", "eigen_verklaring", "vernietiging", "gegevenswissing"],
               email=None, phone="0612345678")
    pages = walk(client, app, f)
    sub = Filer(client).submit()
    pages.append(("bevestiging", sub.html))
    pages += status_pages(app, sub.reference, sub.passphrase)
    for where, html in pages:
        assert_u(html, where)
    assert "Hoe laat u zien wie u bent?" in dict(pages)["identiteit"]


def test_art20_4_the_invited_child_reads_je_by_link_and_by_code(client, app, mailbox):
    from .test_invited_child_not_safe import join_as_child, open_by_code, parent_starts, passphrase_on, say_not_safe

    # By e-mail link: the invitation, the link page, the details, "not safe", done, status.
    f = parent_starts(app, channel="email", child_email="mila@example.org")
    sub = Filer(client).fill(f).submit()
    [invitation] = mailbox.wait_for(1)
    mail = mailbox.body(invitation)
    assert u_sentences(mail) == [] and JE_WORDS.search(mail), mail
    child = app.test_client()
    link = path_of(mailbox.link(invitation))
    pages = [("link", child.get(link).get_data(as_text=True))]
    assert Filer(child).post(link, {}).status_code == 302
    pages.append(("gegevens", child.get("/meedoen/gegevens").get_data(as_text=True)))
    pages.append(("gegevens (errors)", Filer(child).post("/meedoen/gegevens", {}).get_data(as_text=True)))
    pages.append(("niet veilig", child.get("/meedoen/niet-veilig").get_data(as_text=True)))
    pages.append(("niet veilig (errors)", Filer(child).post("/meedoen/niet-veilig", {}).get_data(as_text=True)))
    done = say_not_safe(child, f.subject.birth_date)
    pages.append(("niet veilig, klaar", done.get_data(as_text=True)))
    pages += status_pages(app, sub.reference, passphrase_on(done))
    # By code: the details page and the page after joining.
    fb = parent_starts(app)
    b = Filer(app.test_client()).fill(fb).submit()
    child_b = app.test_client()
    code_page = child_b.get("/meedoen").get_data(as_text=True)
    # Before the code nobody knows who reads: the page itself says neither.
    main = re.search(r"<main\b.*?</main>", code_page, re.S).group(0)
    assert u_sentences(main) == [] and not JE_WORDS.search(visible(main))
    open_by_code(child_b, b.reference, b.invitation_code)
    pages.append(("gegevens (code)", child_b.get("/meedoen/gegevens").get_data(as_text=True)))
    s = fb.subject
    joined = Filer(child_b).post("/meedoen/gegevens", {
        "given_names": s.given_names, "surname": s.surname, "birth_date": s.birth_date, "bsn": "", "email": "",
        "method": "in_person"})
    assert joined.status_code == 200, joined.get_data(as_text=True)[:2000]
    pages.append(("meegedaan", joined.get_data(as_text=True)))
    for where, html in pages:
        assert_je(html, where)
    assert "Hoe laat je zien wie je bent?" in dict(pages)["gegevens"]


def test_art20_1_the_invited_parent_reads_u(client, app):
    from .test_invited_child_not_safe import open_by_code

    born = years_ago(13, today(app))
    f = Filing(for_whom="self", requester=Person("Noor", "Bakker", dmy(born)), email=None,
               second={"given_names": "Petra", "surname": "Bakker", "rep_kind": "ouder_met_gezag", "channel": "code"})
    sub = Filer(client).fill(f).submit()
    parent = app.test_client()
    open_by_code(parent, sub.reference, sub.invitation_code)
    page = parent.get("/meedoen/gegevens").get_data(as_text=True)
    assert_u(page, "gegevens (ouder)")
    assert "Hoe laat u zien wie u bent?" in page


def test_art20_4_emails_to_a_young_person_say_je_and_to_an_adult_u(client, app, mailbox):
    born = years_ago(14, today(app))
    young = Filing(requester=Person("Noor", "Bakker", dmy(born)), email="noor@example.org",
                   second={"given_names": "Petra", "surname": "Bakker", "rep_kind": "ouder_met_gezag",
                           "not_safe": "y", "not_safe_note": ""})
    Filer(client).fill(young).submit()
    Filer(app.test_client()).fill(Filing(email="sanne@example.org")).submit()
    mailbox.wait_for(2)
    [to_child] = mailbox.to("noor@example.org")
    [to_adult] = mailbox.to("sanne@example.org")
    child_text, adult_text = mailbox.body(to_child), mailbox.body(to_adult)
    assert u_sentences(child_text) == [] and "Bevestig je e-mailadres" in child_text
    assert "Bevestig uw e-mailadres" in adult_text

    # The neutral notice and the status link follow who reads them.
    from portal.services import notices, outbox
    from portal.services.notices import Address

    with app.test_request_context():
        notices.send([Address("noor@example.org", True), Address("sanne@example.org", False)], "nl")
    mailbox.wait_for(4)
    kid_news, adult_news = mailbox.to("noor@example.org")[-1], mailbox.to("sanne@example.org")[-1]
    assert "nieuws over je verzoek" in mailbox.body(kid_news)
    assert "nieuws over uw verzoek" in mailbox.body(adult_news)
    assert outbox  # the same queue carries both


def test_art20_the_rights_page_says_my_data_only_to_whoever_asks_about_their_own(client, app):
    own = Filer(client).fill(Filing(), until="rechten").get("/verzoek/rechten").get_data(as_text=True)
    assert "mijn gegevens bekijken" in own
    born = years_ago(8, today(app))
    other = Filing(for_whom="child_under_12", rep_kind="ouder_met_gezag", subject=Person("Mila", "Jansen", dmy(born)))
    parent = app.test_client()
    page = Filer(parent).fill(other, until="rechten").get("/verzoek/rechten").get_data(as_text=True)
    assert "mijn gegevens" not in page and "mijn eigen kant" not in page
    assert "zijn of haar gegevens bekijken" in page
    # English too: "my information" for oneself, "their information" for someone else.
    parent.get("/taal/en")
    english = parent.get("/verzoek/rechten").get_data(as_text=True)
    assert "see their information" in english and "my information" not in english


def test_art20_1_a_child_whose_invitation_expired_is_told_with_je(client, app):
    from datetime import timedelta

    from portal.infra.extensions import db
    from portal.models import Invitation, utcnow
    from portal.services import joint

    sub = Filer(client).fill(child_filing(app, email=None)).submit()
    from .support import dbs

    with dbs(app) as s:
        s.execute(db.select(Invitation)).scalar_one().expires_at = utcnow() - timedelta(minutes=1)
        s.commit()
    with app.app_context():
        assert joint.expire_invitations() == 1
        db.session.remove()
    [page] = [html for where, html in status_pages(app, sub.reference, sub.passphrase) if where == "/volgen/verzoek"]
    assert "neemt contact met je op" in page
    assert_je(page, "status after the invitation expired")


def test_art20_a_child_under_12_who_cannot_file_alone_reads_je(client, app):
    born = years_ago(11, today(app))
    filer = Filer(client).fill(Filing(requester=Person("Noor", "Bakker", dmy(born))), until="rechten")
    assert filer.last.headers["Location"].endswith("/verzoek/niet-mogelijk/child_under_12_cannot_file_alone"), \
        filer.last.headers["Location"]
    page = client.get(filer.last.headers["Location"]).get_data(as_text=True)
    assert_je(page, "niet mogelijk")
    assert "Voor wie doe je het verzoek?" in page
