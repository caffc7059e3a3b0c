"""Letters and stored messages say 'je' to a young addressee and 'u' to an adult (issue
15, item 2; art. 20.1 and 20.4: a child of 12 to 16 takes part in their own request).

A letter (PDF) is chosen from who it is addressed to, the people who read it on the
status page (services/notices.readers_are_young), never from the team leader who signs
it: a child of 13 who kept the parent out (art. 20.4) or a young requester of 17 reads
"je"; an adult, and a joint request (art. 20.1: one letter for the parent and the child)
read "u". Each letter is read back with pdftotext. A message the system stores (an
extension, AVG 12(3); a copy withdrawn; destruction done, art. 17) reads "je" on a young
person's status page and "u" on an adult's."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest

from portal.infra.extensions import db
from portal.models import Decision, Extension, Message, utcnow

from .filing import Filer, Filing, Person
from .support import dbs, dmy, login_passphrase, request_by_ref, today, years_ago
from .test_young_reader import JE_WORDS, U_WORDS, visible

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) not installed")


def pdftotext(data: bytes, tmp_path, name: str) -> str:
    src = tmp_path / f"{name}.pdf"
    src.write_bytes(data)
    out = subprocess.run(["pdftotext", str(src), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def child_not_safe(app) -> Filing:
    """A child of 13 who starts and says that involving the parent is not safe (art. 20.4)."""
    return Filing(requester=Person("Noor", "Bakker", dmy(years_ago(13, today(app)))), email=None,
                  second={"given_names": "Petra", "surname": "Bakker", "rep_kind": "ouder_met_gezag",
                          "not_safe": "y", "not_safe_note": ""})


def joint_with_parent(app) -> Filing:
    """A child of 13 who starts a joint request with a parent (art. 20.1)."""
    return Filing(requester=Person("Noor", "Bakker", dmy(years_ago(13, today(app)))), email=None,
                  second={"given_names": "Petra", "surname": "Bakker", "rep_kind": "ouder_met_gezag",
                          "channel": "code"})


def letters_of(app, reference: str, tmp_path, name: str) -> tuple[str, str]:
    """A decision letter and an extension letter for this request, made as the services
    make them, read back with pdftotext."""
    from portal.services import letters

    with app.app_context():
        req = request_by_ref(db.session, reference)
        dec = Decision(request_id=req.id, right="inzage", outcome="grant_in_part", grounds_json="[]",
                       reasons="Een deel gaat over iemand anders.")
        decision = letters.render_decision_letter(req, dec)
        ext = Extension(request_id=req.id, right="inzage", reasons="Het dossier is groot.", decided_on=today(app),
                        told_on=today(app), new_due_on=date(2040, 3, 1))
        db.session.add(ext)
        db.session.flush()
        letter = letters.keep_extension_letter(req, ext)
        extension = app.extensions["vault"].decrypt(letter.ciphertext)
        db.session.rollback()
        db.session.remove()
    return pdftotext(decision, tmp_path, f"{name}-besluit"), pdftotext(extension, tmp_path, f"{name}-verlenging")


def test_art20_4_letters_to_a_child_of_13_say_je(client, app, tmp_path):
    sub = Filer(client).fill(child_not_safe(app)).submit()
    decision, extension = letters_of(app, sub.reference, tmp_path, "kind")
    for text in (decision, extension):
        assert not U_WORDS.search(text), U_WORDS.findall(text)
        assert JE_WORDS.search(text)
    assert "Besluit op je verzoek" in decision and "Je hebt ons gevraagd om: inzage" in decision
    assert "Wij wijzen je verzoek voor een deel toe" in decision
    assert "Ben je het niet eens met dit besluit?" in decision  # the complaint route, art. 21
    assert "Heb je vragen? Bel ons" in decision
    assert "Je krijgt uiterlijk op 1 maart 2040 antwoord" in extension


def test_art20_4_after_the_invited_child_says_not_safe_the_letters_say_je(client, app, tmp_path):
    """A parent starts for a child of 14, the child says involving the parent is not safe:
    the parent no longer reads the letters (services/left_out.py), so they are the
    child's, in "je"."""
    from .test_invited_child_not_safe import open_by_code, parent_starts, say_not_safe

    f = parent_starts(app)
    sub = Filer(client).fill(f).submit()
    before, _extension = letters_of(app, sub.reference, tmp_path, "ouder-en-kind")
    assert "Besluit op uw verzoek" in before  # the parent reads it too, until the child says it
    child = app.test_client()
    open_by_code(child, sub.reference, sub.invitation_code)
    assert say_not_safe(child, f.subject.birth_date).status_code == 200
    after, _extension = letters_of(app, sub.reference, tmp_path, "kind-alleen")
    assert not U_WORDS.search(after) and "Besluit op je verzoek" in after


def test_art20_a_young_requester_of_17_reads_je_in_a_letter(client, app, tmp_path):
    born = years_ago(17, today(app))
    sub = Filer(client).fill(Filing(requester=Person("Sem", "de Wit", dmy(born)), email=None)).submit()
    decision, _extension = letters_of(app, sub.reference, tmp_path, "zeventien")
    assert not U_WORDS.search(decision) and "Besluit op je verzoek" in decision


def test_art20_1_letters_to_an_adult_and_to_a_joint_request_say_u(client, app, tmp_path):
    adult = Filer(client).fill(Filing(email=None, phone="0612345678")).submit()
    decision, extension = letters_of(app, adult.reference, tmp_path, "volwassene")
    assert "Besluit op uw verzoek" in decision and "U heeft ons gevraagd om: inzage" in decision
    assert "Bent u het niet eens met dit besluit?" in decision
    assert "U krijgt uiterlijk op 1 maart 2040 antwoord" in extension
    assert not re.search(r"\bje\b", decision, re.I)
    # One letter for a child and the parent together (art. 20.1): an adult reads it too.
    joint = Filer(app.test_client()).fill(joint_with_parent(app)).submit()
    decision, _extension = letters_of(app, joint.reference, tmp_path, "samen")
    assert "Besluit op uw verzoek" in decision


def test_art14_the_copys_cover_letter_says_je_to_a_young_reader(app, tmp_path):
    """The cover letter of a copy (art. 14) in the reader's form: the template is the
    same, the words are chosen when it is made (CopyDocument.young)."""
    from portal.documents.copy_document import CopyDocument
    from portal.documents.copy_pdf import render_copy_pdf

    def cover(young: bool) -> str:
        doc = CopyDocument(language="nl", reference="VT-TEST-AAAA-BBBB", recipient_name="Noor Bakker",
                           made_on=date(2027, 1, 4), received_on=date(2026, 12, 1), subject_name="Noor Bakker",
                           on_behalf=False, entries=(), draft=False, young=young)
        with app.app_context():
            text = pdftotext(render_copy_pdf(doc), tmp_path, f"afschrift-{young}")
        return text.split("Inhoudsopgave")[0]

    young, adult = cover(True), cover(False)
    assert not U_WORDS.search(young), U_WORDS.findall(young)
    assert "Je hebt ons gevraagd om een afschrift" in young and "over jou heeft" in young
    assert "Ben je het niet eens met dit afschrift?" in young
    assert "U heeft ons gevraagd om een afschrift" in adult and "Bent u het niet eens met dit afschrift?" in adult


def _status_page(app, reference: str, passphrase: str) -> str:
    browser = app.test_client()
    assert login_passphrase(browser, reference, passphrase).status_code == 302
    return browser.get("/volgen/verzoek").get_data(as_text=True)


def test_art17_issue15_stored_messages_read_je_by_a_young_person_and_u_by_an_adult(client, app):
    """The texts the system stores are stored once, in 'u', as the services write them;
    a young reader sees the 'je' form when the page is shown (portal/young.py, STORED),
    with the values and the caseworker's reasons kept; staff's own words are untouched."""
    from flask_babel import force_locale, gettext as _

    kid = Filer(client).fill(child_not_safe(app)).submit()
    adult = Filer(app.test_client()).fill(Filing(email=None, phone="0612345678")).submit()
    with app.test_request_context():
        with force_locale("nl"):
            extension = _("We hebben meer tijd nodig voor uw verzoek: %(right)s. U krijgt uiterlijk op %(date)s antwoord.",
                          right="inzage", date="1 maart 2040") + "\n\n" + _("De reden: %(reasons)s",
                                                                            reasons="Wilt u even geduld hebben.")
            done = _("Wij hebben uw verzoek om vernietiging uitgevoerd. De gegevens zijn op %(date)s anoniem gemaakt. "
                     "Niemand kan ze nog met u in verband brengen.", date="2 februari 2027")
    bodies = (extension, done, "Kunt u ons bellen?")
    with dbs(app) as s:
        for ref in (kid.reference, adult.reference):
            req = request_by_ref(s, ref)
            for body in bodies:
                req.messages.append(Message(direction=Message.TO_REQUESTER, body=body, author="staff:1", at=utcnow()))
        s.commit()
    young = visible(_status_page(app, kid.reference, kid.passphrase))
    assert "We hebben meer tijd nodig voor je verzoek: inzage. Je krijgt uiterlijk op 1 maart 2040 antwoord." in young
    assert "De reden: Wilt u even geduld hebben." in young  # the caseworker's words, as typed
    assert "Wij hebben je verzoek om vernietiging uitgevoerd." in young and "met jou in verband" in young
    assert "Kunt u ons bellen?" in young  # typed by staff: shown as typed
    grown = visible(_status_page(app, adult.reference, adult.passphrase))
    assert "We hebben meer tijd nodig voor uw verzoek: inzage. U krijgt uiterlijk op 1 maart 2040 antwoord." in grown
    assert "met u in verband" in grown


def test_issue15_every_stored_text_is_one_the_services_write():
    """STORED names texts that exist in the code that stores them, each with a 'je' form."""
    from pathlib import Path

    from portal.young import STORED, YOUNG

    root = Path(__file__).resolve().parents[2] / "portal" / "services"
    code = "".join(p.read_text() for p in root.rglob("*.py"))
    flat = re.sub(r'"\s*\n\s*"', "", code)  # adjacent string literals joined
    for msgid in STORED:
        assert msgid in flat, msgid
        assert msgid in YOUNG
        assert not re.search(r"%\(\w+\)s$", msgid), "ends with a value: where it ends is unknown"
