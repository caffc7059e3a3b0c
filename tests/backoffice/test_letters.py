"""Decision letters (art. 14.2, 20.4, 21): a WeasyPrint PDF per signed decision, in the
request's language, with the decision, the reasons, the grounds with their articles and
the complaint route of art. 21; encrypted at rest; released on the requester's status
page and downloadable by the logged-in requester only. Nothing is fetched while
rendering: text that looks like HTML or CSS comes out as text."""
from __future__ import annotations

import hashlib
import http.server
import io
import threading
from pathlib import Path

import pytest

from portal.infra.extensions import db
from portal.models import AuditEvent, Letter, Staff
from portal.documents.pdf import STATIC_ROOT, StaticOnlyFetcher, render_pdf
from portal.services import decisions, letters

from .casework_helpers import (FOR_CHILD, SELF, actor, audit_actions, file, pdf_metadata, pdf_text, request_of,
                               status_login, verify_everyone)

REASONS_NL = "In het verslag staan ook gegevens van een ander gezinslid. Die laten wij weg."
REASONS_EN = "The report also holds information about another member of the household. We leave that out."


def _flat(text: str) -> str:
    """PDF text with its line breaks and hyphenation undone, for searching."""
    return " ".join(text.split())


@pytest.fixture
def people(app, make_staff):
    class People:
        caseworker = actor(app, make_staff("caseworker"))
        leader = actor(app, make_staff("team_leader"))
    return People


def _decided(app, people, *, lang="nl", outcome="grant_in_part", grounds=("third_party_privacy", "vt_task"),
             reasons=REASONS_NL, base=SELF, **kw) -> tuple[str, int, int]:
    """A request with one signed decision: (reference, decision id, letter id)."""
    ref = file(app, base, lang=lang, **kw)
    verify_everyone(app, ref, people.caseworker)
    with app.app_context():
        d = decisions.propose(people.caseworker, ref, "inzage", outcome, list(grounds), reasons)
        decision_id = d.id
        db.session.remove()
    with app.app_context():
        decisions.sign(people.leader, ref, decision_id)
        letter_id = db.session.execute(db.select(Letter.id).filter_by(decision_id=decision_id)).scalar_one()
        db.session.remove()
    return ref, decision_id, letter_id


def _letter_pdf(app, letter_id) -> bytes:
    with app.app_context():
        letter = db.session.get(Letter, letter_id)
        data = app.extensions["vault"].decrypt(letter.ciphertext)
        db.session.remove()
        return data


# --- content and language ---------------------------------------------------------------------

@pytest.mark.parametrize("lang,expected", [
    ("nl", ["Besluit op uw verzoek", "Wij wijzen uw verzoek voor een deel toe", REASONS_NL,
            "De persoonlijke levenssfeer van een ander moet worden beschermd.",
            "artikel 14 lid 2 en artikel 13 Privacyreglement Veilig Thuis",
            "Veilig Thuis moet zijn taak goed kunnen uitvoeren.",
            "artikel 21", "vertrouwenspersoon", "klachtenfunctionaris", "klachtencommissie",
            "Autoriteit Persoonsgegevens", "teammanager"]),
    ("en", ["Decision on your request", "We grant part of your request", REASONS_EN,
            "The privacy of another person must be protected.",
            "article 14(2) and article 13 Veilig Thuis Privacy Regulation",
            "Veilig Thuis must be able to carry out its task properly.",
            "article 21", "confidential adviser", "complaints officer", "complaints committee",
            "Autoriteit Persoonsgegevens", "team manager"]),
])
def test_letter_in_request_language(app, people, lang, expected):
    """The letter is in the request's language, whatever language the staff member
    works in; it holds the decision, the reasons, the grounds with their articles and
    the complaint route of art. 21."""
    ref, _d, letter_id = _decided(app, people, lang=lang, reasons=REASONS_NL if lang == "nl" else REASONS_EN)
    text = _flat(pdf_text(_letter_pdf(app, letter_id)))
    for phrase in expected:
        assert phrase in text, phrase
    assert ref in text
    other = "Besluit op uw verzoek" if lang == "en" else "Decision on your request"
    assert other not in text


@pytest.mark.parametrize("outcome,grounds,nl,en", [
    ("grant", (), "Wij wijzen uw verzoek toe.", "We grant your request."),
    ("refuse", ("safety_of_those_involved",), "Wij wijzen uw verzoek af.", "We refuse your request."),
])
def test_letter_states_the_outcome(app, people, outcome, grounds, nl, en):
    for lang, sentence in (("nl", nl), ("en", en)):
        _ref, _d, letter_id = _decided(app, people, lang=lang, outcome=outcome, grounds=grounds,
                                       reasons=REASONS_NL if grounds else None)
        assert sentence in _flat(pdf_text(_letter_pdf(app, letter_id)))


def test_letter_names_no_staff_and_no_third_party_and_has_neutral_metadata(app, people):
    ref, _d, letter_id = _decided(app, people, base=FOR_CHILD)
    data = _letter_pdf(app, letter_id)
    text = _flat(pdf_text(data))
    meta = pdf_metadata(data)
    with app.app_context():
        staff_names = [s.display_name for s in db.session.execute(db.select(Staff)).scalars()]
        usernames = [s.username for s in db.session.execute(db.select(Staff)).scalars()]
        req = request_of(ref)
        people_names = [p.given_names for p in req.parties] + [p.surname for p in req.parties]
        db.session.remove()
    assert meta.get("/Title") == "Besluit"
    assert "/Author" not in meta and "/Subject" not in meta and "/Keywords" not in meta
    blob = " ".join(meta.values())
    for name in staff_names + usernames + people_names:
        assert name not in blob
    for name in staff_names + usernames:
        assert name not in text
    assert "teamleider" in text  # signed by function


def test_letter_metadata_title_in_english(app, people):
    _ref, _d, letter_id = _decided(app, people, lang="en")
    assert pdf_metadata(_letter_pdf(app, letter_id)).get("/Title") == "Decision"


def test_letter_embeds_its_fonts(app, people):
    from pypdf import PdfReader

    _ref, _d, letter_id = _decided(app, people)
    reader = PdfReader(io.BytesIO(_letter_pdf(app, letter_id)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = (font.get("/DescendantFonts") or [font])[0].get_object().get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else font.get("/FontDescriptor").get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
    if Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists():
        names = " ".join(str(r.get_object().get("/BaseFont")) for r in fonts.values())
        assert "DejaVu" in names


def test_letter_stored_encrypted_with_its_hash_and_released(app, people):
    _ref, decision_id, letter_id = _decided(app, people)
    with app.app_context():
        letter = db.session.get(Letter, letter_id)
        plain = app.extensions["vault"].decrypt(letter.ciphertext)
        assert plain.startswith(b"%PDF-") and not letter.ciphertext.startswith(b"%PDF")
        assert letter.sha256 == hashlib.sha256(plain).hexdigest()
        assert (letter.kind, letter.language, letter.decision_id) == ("decision", "nl", decision_id)
        assert letter.released_at is not None
        db.session.remove()


def test_replacing_decision_letter_says_what_it_replaces(app, people, make_staff):
    ref, first, _l = _decided(app, people, outcome="refuse", grounds=("vt_task",))
    other_leader = actor(app, make_staff("team_leader"))
    with app.app_context():
        d = decisions.propose(people.caseworker, ref, "inzage", "grant", [], None, replaces_id=first)
        decisions.sign(other_leader, ref, d.id)
        letter_id = db.session.execute(db.select(Letter.id).filter_by(decision_id=d.id)).scalar_one()
        db.session.remove()
    assert "Dit besluit vervangt ons besluit van" in _flat(pdf_text(_letter_pdf(app, letter_id)))


def test_extension_letter_in_request_language(app, people):
    """For portal/services/casefile.extend (AVG 12(3)): the letter that is kept."""
    from datetime import date

    from portal.models import Extension

    ref = file(app, SELF, lang="en")
    with app.app_context():
        req = request_of(ref)
        ext = Extension(request_id=req.id, right="inzage", reasons="Your file is large.", decided_on=date.today(),
                        told_on=date.today(), new_due_on=date(2031, 3, 31))
        db.session.add(ext)
        db.session.flush()
        letter = letters.keep_extension_letter(req, ext, actor=people.caseworker)
        db.session.commit()
        data = app.extensions["vault"].decrypt(letter.ciphertext)
        listed = letters.released_letters(req)
        db.session.remove()
    text = _flat(pdf_text(data))
    assert "We need more time" in text and "Your file is large." in text and "31 March 2031" in text
    assert "Article 12(3) GDPR" in text and "Autoriteit Persoonsgegevens" in text
    assert [(x.kind, x.right) for x in listed] == [("extension", "inzage")]


# --- nothing is fetched -------------------------------------------------------------------------

class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def counting_server():
    _Counter.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Counter.hits
    server.shutdown()
    server.server_close()


def test_letter_text_that_looks_like_html_is_text_and_fetches_nothing(app, people, counting_server):
    base, hits = counting_server
    hostile = (f'Zie <img src="{base}/img.png"> en <link rel="attachment" href="{base}/file.txt"> '
               f'<style>body {{ background: url({base}/bg.png) }}</style> '
               f'<svg><image href="{base}/svg.png"/></svg> en url({base}/css.png).')
    _ref, _d, letter_id = _decided(app, people, reasons=hostile)
    # compared without white space: the PDF may break a long line after "http://"
    text = "".join(pdf_text(_letter_pdf(app, letter_id)).split())
    for literal in (f'<img src="{base}/img.png">', f'<link rel="attachment" href="{base}/file.txt">',
                    f"<style>body {{ background: url({base}/bg.png) }}</style>", f"url({base}/css.png)"):
        assert "".join(literal.split()) in text, literal
    assert hits == []
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(_letter_pdf(app, letter_id)))
    assert not reader.attachments


def test_pdf_fetcher_refuses_everything_outside_static_even_in_markup(counting_server, tmp_path):
    """The second wall: if markup ever reached WeasyPrint, it could still fetch nothing
    from the network or the file system outside portal/static."""
    base, hits = counting_server
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: url(%s/from-secret.png) }" % base)
    html = f"""<html><head><title>x</title>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="stylesheet" href="{secret.as_uri()}">
      <link rel="attachment" href="{base}/attach.txt">
      <link rel="attachment" href="file:///etc/passwd">
      <style>@import url("{base}/import.css"); body {{ background: url({base}/bg.png) }}
      @font-face {{ font-family: X; src: url({base}/font.ttf) }} p {{ font-family: X }}</style>
      </head><body><img src="{base}/img.png"><img src="../../../../etc/passwd">
      <img src="data:image/png;base64,iVBORw0KGgo="><object data="{base}/obj"></object>
      <iframe src="{base}/frame"></iframe><p>Tekst</p></body></html>"""
    fetcher = StaticOnlyFetcher()
    pdf = render_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF-")
    assert hits == []
    assert fetcher.served == []
    assert any("/etc/passwd" in u for u in fetcher.refused)
    assert any(u.startswith("http://127.0.0.1") for u in fetcher.refused)
    from pypdf import PdfReader

    assert not PdfReader(io.BytesIO(pdf)).attachments


@pytest.mark.parametrize("url,allowed", [
    ((STATIC_ROOT / "css" / "portal.css").as_uri(), True),
    ((STATIC_ROOT / "css" / ".." / ".." / "config.py").as_uri(), False),
    ((STATIC_ROOT / "css").as_uri(), False),  # a directory
    ((STATIC_ROOT / "css" / "nope.css").as_uri(), False),
    ("file://evil.example/" + str(STATIC_ROOT / "css" / "portal.css"), False),
    ("file:///etc/passwd", False),
    ("http://127.0.0.1/", False),
    ("https://example.org/x.png", False),
    ("data:text/css,body{}", False),
    ("ftp://example.org/x", False),
    ((STATIC_ROOT.parent / "static-evil" / "x.css").as_uri(), False),  # a sibling with the same prefix
])
def test_pdf_fetcher_serves_only_files_under_static(url, allowed):
    fetcher = StaticOnlyFetcher()
    assert (fetcher.resolve(url) is not None) is allowed
    if allowed:
        resp = fetcher.fetch(url)
        assert resp.read().strip()
    else:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_pdf_fetcher_does_not_follow_a_symlink_out_of_its_root(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    outside = tmp_path / "outside.css"
    outside.write_text("p{}")
    (root / "link.css").symlink_to(outside)
    (root / "ok.css").write_text("p{}")
    fetcher = StaticOnlyFetcher(root)
    assert fetcher.resolve((root / "link.css").as_uri()) is None
    assert fetcher.resolve((root / "ok.css").as_uri()) is not None


# --- the requester's status page ------------------------------------------------------------------

def test_requester_sees_and_downloads_the_letter_on_the_status_page(app, people, client):
    ref, _d, letter_id = _decided(app, people)
    with app.app_context():
        requester = request_of(ref).requester.id
        db.session.remove()
    status_login(client, ref, requester)
    html = client.get("/volgen/verzoek").get_data(as_text=True)
    assert f"/volgen/brief/{letter_id}" in html
    resp = client.get(f"/volgen/brief/{letter_id}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert "no-store" in resp.headers["Cache-Control"]
    assert resp.data == _letter_pdf(app, letter_id)
    assert ("letter.download", "letter", str(letter_id), "status page") in audit_actions(app, ref)


def test_letter_of_another_request_is_not_found_on_the_status_page(app, people, client):
    mine, _d, my_letter = _decided(app, people)
    _other, _d2, their_letter = _decided(app, people)
    with app.app_context():
        requester = request_of(mine).requester.id
        db.session.remove()
    status_login(client, mine, requester)
    assert client.get(f"/volgen/brief/{their_letter}").status_code == 404
    assert client.get("/volgen/brief/999999").status_code == 404
    assert client.get(f"/volgen/brief/{my_letter}").status_code == 200
    with app.app_context():
        downloads = db.session.execute(db.select(AuditEvent.object_id).filter_by(action="letter.download")).scalars().all()
        db.session.remove()
    assert downloads == [str(my_letter)]


def test_letter_download_needs_a_status_login(app, people, client):
    _ref, _d, letter_id = _decided(app, people)
    resp = client.get(f"/volgen/brief/{letter_id}")
    assert resp.status_code == 302 and "/volgen" in resp.headers["Location"]


def test_no_letter_on_the_status_page_before_signing(app, people, client):
    ref = file(app, SELF)
    verify_everyone(app, ref, people.caseworker)
    with app.app_context():
        decisions.propose(people.caseworker, ref, "inzage", "grant", [], None)
        requester = request_of(ref).requester.id
        assert letters.released_letters(request_of(ref)) == []
        db.session.remove()
    status_login(client, ref, requester)
    assert "/volgen/brief/" not in client.get("/volgen/verzoek").get_data(as_text=True)


def test_neutral_email_notice_when_a_decision_is_signed(app, people, mailbox):
    ref, _d, _l = _decided(app, people, email="sanne@example.org")
    [msg] = mailbox.wait_for(1)[-1:]
    body = mailbox.body(msg)
    assert ref not in body and ref not in str(msg["Subject"])
    assert "besluit" not in body.lower() and "inzage" not in body.lower()


# --- staff ----------------------------------------------------------------------------------------

def test_staff_open_letters_and_previews_logged_and_only_of_this_request(app, people, logged_in):
    ref, decision_id, letter_id = _decided(app, people)
    other, _d, other_letter = _decided(app, people)
    cw = logged_in("caseworker")
    resp = cw.get(f"/backoffice/verzoeken/{ref}/brieven/{letter_id}")
    assert resp.status_code == 200 and resp.data == _letter_pdf(app, letter_id)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert cw.get(f"/backoffice/verzoeken/{ref}/brieven/{other_letter}").status_code == 404
    assert ("letter.view", "letter", str(letter_id)) in [a[:3] for a in audit_actions(app, ref)]
    # a preview of a proposal is rendered, logged, and not stored
    with app.app_context():
        d = decisions.propose(people.caseworker, ref, "inzage", "grant", [], None, replaces_id=decision_id)
        new_id = d.id
        before = db.session.execute(db.select(db.func.count()).select_from(Letter)).scalar()
        db.session.remove()
    resp = cw.get(f"/backoffice/verzoeken/{ref}/besluiten/{new_id}/voorbeeld")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
    assert "Wij wijzen uw verzoek toe." in _flat(pdf_text(resp.data))
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Letter)).scalar() == before
        db.session.remove()
    assert ("letter.preview", "decision", str(new_id)) in [a[:3] for a in audit_actions(app, ref)]


@pytest.mark.parametrize("role", ["privacy_officer", "functional_admin"])
def test_art7_1_letters_not_for_roles_without_case_content(app, people, logged_in, role):
    ref, _d, letter_id = _decided(app, people)
    assert logged_in(role).get(f"/backoffice/verzoeken/{ref}/brieven/{letter_id}").status_code == 403
