"""Art. 20.5 with DOMAIN.md "Never reveal, before identity is verified, whether VT has a
dossier on anyone": the public side does not read dossiers (there is no dossier model
in the portal), so what an unverified requester sees is the same whoever the subject is.
Small on purpose: two different subjects, the same pages and e-mails but for the
reference and the link."""
from __future__ import annotations

import difflib
import re
import time

from .filing import Filer, Filing, Person
from .support import ask_status_link, dmy, main_text, path_of, today, years_ago


def _without(html: str, *secrets: str) -> str:
    out = main_text(html)
    for s in secrets:
        out = out.replace(s, "XXX")
    return out


def test_art20_5_two_different_subjects_get_the_same_pages_and_emails_but_for_reference_and_link(app, mailbox):
    on = today(app)
    subjects = [
        Filing(for_whom="child_under_12", rep_kind="ouder_met_gezag", subject=Person("Mila", "Jansen", dmy(years_ago(7, on))),
               requester=Person("Karin", "Jansen", "02-02-1975"), email="een@example.org"),
        Filing(for_whom="child_under_12", rep_kind="ouder_met_gezag", subject=Person("Daan", "Smit", dmy(years_ago(9, on))),
               requester=Person("Eva", "Smit", "30-11-1981"), email="twee@example.org"),
    ]
    pages, mails, refs = [], [], []
    for i, filing in enumerate(subjects, start=1):
        client = app.test_client()
        sub = Filer(client).fill(filing).submit()
        refs.append(sub.reference)
        mailbox.wait_for(2 * i - 1)
        [msg] = mailbox.to(filing.email)  # the confirmation (the status link comes later)
        link = mailbox.link(msg)
        mails.append((msg["Subject"], msg["From"], msg.get_body(("plain",)).get_content().replace(link, "LINK")))
        confirmed = Filer(client).post(path_of(link), {})
        after_status_link = ask_status_link(app.test_client(), sub.reference, filing.email)
        status_mail = mailbox.wait_for(2 * i)[2 * i - 1]
        status_link = mailbox.link(status_mail)
        mails.append((status_mail["Subject"], status_mail["From"],
                      status_mail.get_body(("plain",)).get_content().replace(status_link, "LINK")))
        token = path_of(link).rsplit("/", 1)[1]
        pages.append([_without(sub.html, sub.reference), _without(confirmed.get_data(as_text=True), sub.reference, token),
                      _without(after_status_link.get_data(as_text=True), sub.reference)])
    assert refs[0] != refs[1]
    for a, b in zip(pages[0], pages[1]):
        assert a == b, "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm=""))
    assert mails[0] == mails[2] and mails[1] == mails[3]
    # ... and the same as for a reference nobody has.
    sent = len(mailbox.messages)
    nobody = ask_status_link(app.test_client(), "VT-AAAA-BBBB-CCCC")
    assert main_text(nobody.get_data(as_text=True)) == pages[0][2]
    time.sleep(0.1)
    assert len(mailbox.messages) == sent  # and no e-mail goes anywhere for it
    for page in pages[0]:
        assert not re.search(r"dossier (gevonden|bekend)|geen dossier", page, re.I)
