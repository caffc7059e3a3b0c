"""Own statement (art. 16 Privacyreglement Veilig Thuis): added to the dossier, linked to
the entries it answers, in every later copy for that person, in full and marked as
theirs; a confirmation letter; an instruction "add_statement" for the registration
system.

The dossier is the format's example; Sanne de Vries (p1, the mother) disagrees with the
safety assessment (e2) and the conclusion (e6), both opinions. Her statement names the
reporter and her children: only the reporter (art. 14.2; the reporter's identity is a
safety matter) and a protected person's whereabouts are ever taken from it; the names she
wrote of her own household stay, as the rest of her words (issue 12)."""
from __future__ import annotations

import pytest

from portal.infra.extensions import db
from portal.models import Decision, Dossier, DossierEntry, Letter, OwnStatement, RegistrationInstruction
from portal.services import copies, decisions
from portal.services import rectification as rx

from . import casework_helpers as ch
from .copy_helpers import MARK, import_doc, render_now
from .queue_helpers import answers

STATEMENT = ("Ik ben het niet eens met de veiligheidsbeoordeling. Ineke Bosman kent ons gezin niet goed.\n"
             "Ik heb altijd goed voor Lotte en Daan gezorgd en ik vind het oordeel onterecht.")
OWN_WORDS = "Ik ben het niet eens met de veiligheidsbeoordeling."
SANNE = answers(MARK, requester={"given_names": "Sanne", "surname": "de Vries", "birth_date": "1988-04-12",
                                 "bsn": None},
                rights=["eigen_verklaring", "afschrift"], details={"eigen_verklaring": {"statement": STATEMENT}})


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def people(app, make_staff):
    class People:
        caseworker_id = make_staff("caseworker")
        caseworker = ch.actor(app, caseworker_id)
        leader = ch.actor(app, make_staff("team_leader"))
    return People


@pytest.fixture
def dossier_id(app):
    return import_doc(app)


def _pk(app, dossier_id, entry_id) -> int:
    with app.app_context():
        pk = db.session.execute(db.select(DossierEntry.id).join(Dossier).where(
            Dossier.dossier_id == dossier_id, DossierEntry.entry_id == entry_id)).scalar_one()
        db.session.remove()
    return pk


def _filed(app, people, dossier_id, base=SANNE, person="p1") -> tuple[str, int]:
    ref = ch.file(app, base)
    ch.verify_everyone(app, ref, people.caseworker)
    with app.app_context():
        link_id = copies.link_dossier(people.caseworker, ref, dossier_id, person).id
        db.session.remove()
    return ref, link_id


def _add(app, people, ref, link_id, dossier_id, entries=("e2", "e6"), **kw) -> int:
    kw.setdefault("text", STATEMENT)
    with app.app_context():
        st = rx.add_statement(people.caseworker, ref, link_id=link_id,
                              entry_pks=[_pk(app, dossier_id, e) for e in entries], **kw)
        st_id = st.id
        db.session.remove()
    return st_id


def _copy_text(app, people, ref, link_id) -> str:
    with app.app_context():
        copy_id = copies.create_copy(people.caseworker, ref, link_id).id
        db.session.remove()
    return _flat(ch.pdf_text(render_now(app, people.caseworker_id, ref, copy_id)))


def test_art16_an_own_statement_is_in_the_next_copy(app, people, dossier_id):
    """Art. 16: the statement is in the person's next copy, in full, marked as their own,
    with the entries it answers; the reporter's name in it is redacted (art. 14.2), her
    own words are not. It is not in another person's copy."""
    ref, link_id = _filed(app, people, dossier_id)
    _add(app, people, ref, link_id, dossier_id)
    text = _copy_text(app, people, ref, link_id)
    assert "Eigen verklaring" in text
    assert "Deze tekst is een eigen verklaring (artikel 16). Wij laten de hele tekst zien." in text
    assert OWN_WORDS in text
    assert "kent ons gezin niet goed." in text and "ik vind het oordeel onterecht." in text
    assert "Ineke" not in text and "Bosman" not in text, "the reporter stays protected, also in her own statement"
    assert "Ik heb altijd goed voor Lotte en Daan gezorgd" in text, "her own words in full (issue 12)"
    assert "Deze verklaring gaat over stuk" in text
    assert "eigen verklaring (artikel 16)" in text

    # Mark's copy (another person of the household) does not hold her statement.
    mark_ref, mark_link = _filed(app, people, dossier_id, base=answers(MARK, rights=["afschrift"]), person="p2")
    assert OWN_WORDS not in _copy_text(app, people, mark_ref, mark_link)


def test_art16_the_statement_is_added_once_with_an_instruction_and_a_confirmation_letter(app, people, dossier_id):
    """Art. 16: an instruction "add_statement" for the registration system, on the
    timeline and in the access log; then a decision a team leader signs, whose letter
    confirms it (which entries, by kind and date; in every later copy)."""
    ref, link_id = _filed(app, people, dossier_id)
    st_id = _add(app, people, ref, link_id, dossier_id)
    with app.app_context():
        st = db.session.get(OwnStatement, st_id)
        assert st.text == STATEMENT and st.person.person_id == "p1" and st.added_by == people.caseworker.staff_id
        assert [e.entry_id for e in st.responds_to] == ["e2", "e6"]
        [ins] = rx.instructions_of(ch.request_of(ref))
        assert ins.kind == "add_statement" and ins.dossier_ref == dossier_id
        assert ins.payload["responds_to"] == ["e2", "e6"] and ins.payload["text"] == STATEMENT
        assert ins.payload["person_id"] == "p1" and ins.payload["pdf"] is None
        with pytest.raises(rx.RectificationError) as exc:
            rx.add_statement(people.caseworker, ref, link_id=link_id, text="Nog een keer.",
                             entry_pks=[_pk(app, dossier_id, "e2")])
        assert exc.value.code == "statement_exists"
        db.session.remove()
    actions = [a for a, *_ in ch.audit_actions(app, ref)]
    assert "statement.add" in actions and "instruction.add_statement" in actions

    with app.app_context():
        d = rx.propose_statement_decision(people.caseworker, ref)
        decision_id = d.id
        db.session.remove()
    with app.app_context():
        decisions.sign(people.leader, ref, decision_id)
        letter = db.session.execute(db.select(Letter).filter_by(decision_id=decision_id)).scalar_one()
        text = _flat(ch.pdf_text(app.extensions["vault"].decrypt(letter.ciphertext)))
        req = ch.request_of(ref)
        kinds = [e.kind for e in req.events]
        db.session.remove()
    assert "Wij wijzen uw verzoek toe." in text
    assert "Wij hebben uw eigen verklaring toegevoegd aan het dossier (artikel 16)." in text
    assert "Veiligheidsbeoordeling van 14 februari 2025" in text and "Besluit van 18 juli 2025" in text
    assert "in elke kopie van uw gegevens" in text
    assert "Ineke" not in text and OWN_WORDS not in text, "the letter confirms; it does not repeat the dossier"
    assert "own_statement_added" in kinds and "decision_signed" in kinds


def test_art16_a_pdf_is_checked_encrypted_and_mentioned_in_the_copy(app, people, dossier_id):
    """The statement may come as a PDF (checked by content, cleaned, encrypted); a photo
    is refused and nothing is stored; the PDF sent with the request can be used."""
    ref, link_id = _filed(app, people, dossier_id)
    with app.app_context():
        with pytest.raises(rx.RectificationError) as exc:
            rx.add_statement(people.caseworker, ref, link_id=link_id, text="", entry_pks=[_pk(app, dossier_id, "e2")],
                             upload=ch.jpeg())
        assert exc.value.code == "upload_not_pdf"
        with pytest.raises(rx.RectificationError) as exc:
            rx.add_statement(people.caseworker, ref, link_id=link_id, text="", entry_pks=[_pk(app, dossier_id, "e2")],
                             upload=b"not a file at all")
        assert exc.value.code.startswith("upload_")
        with pytest.raises(rx.RectificationError) as exc:
            rx.add_statement(people.caseworker, ref, link_id=link_id, text="  ", entry_pks=[_pk(app, dossier_id, "e2")])
        assert exc.value.code == "statement_required"
        with pytest.raises(rx.RectificationError) as exc:
            rx.add_statement(people.caseworker, ref, link_id=link_id, text=STATEMENT, entry_pks=[])
        assert exc.value.code == "entries_required"
        with pytest.raises(rx.RectificationError) as exc:
            rx.add_statement(people.caseworker, ref, link_id=link_id, text=STATEMENT,
                             entry_pks=[_pk(app, dossier_id, "e3")])  # Mark's conversation, not hers
        assert exc.value.code == "entry_not_eligible"
        assert db.session.execute(db.select(db.func.count()).select_from(OwnStatement)).scalar_one() == 0
        assert db.session.execute(db.select(db.func.count()).select_from(RegistrationInstruction)).scalar_one() == 0
        db.session.remove()
    pdf = ch.pdf_file()
    st_id = _add(app, people, ref, link_id, dossier_id, entries=("e2",), upload=pdf)
    with app.app_context():
        st = db.session.get(OwnStatement, st_id)
        assert st.pdf_sha256 and pdf not in st.pdf_ciphertext
        f = rx.open_statement_pdf(people.caseworker, ref, st_id)
        assert f.data.startswith(b"%PDF-")
        import hashlib

        assert hashlib.sha256(f.data).hexdigest() == st.pdf_sha256
        db.session.remove()
    assert "Bij deze verklaring hoort ook een PDF." in _copy_text(app, people, ref, link_id)


def test_art16_art20_5_nothing_before_verification_and_not_without_asking(app, people, dossier_id):
    ref = ch.file(app, SANNE)
    with app.app_context():
        page = rx.statement_page(people.caseworker, ref)
        assert not page.verified and page.entries == [] and page.requested_text == STATEMENT
        with pytest.raises(rx.RectificationError) as exc:
            rx.add_statement(people.caseworker, ref, link_id=1, text=STATEMENT, entry_pks=[1])
        assert exc.value.code == "identity_not_verified"
        with pytest.raises(rx.RectificationError) as exc:
            rx.propose_statement_decision(people.caseworker, ref)
        assert exc.value.code == "no_statement"
        db.session.remove()
    only_copy = ch.file(app, answers(MARK, rights=["afschrift"]))
    with app.app_context():
        with pytest.raises(rx.RectificationError) as exc:
            rx.statement_page(people.caseworker, only_copy)
        assert exc.value.code == "right_not_asked"
        db.session.remove()


def test_art16_statement_page_adds_it_through_the_form(app, people, dossier_id, logged_in):
    """The page: the requester's text prefilled, escaped; the form with CSRF; a wrong
    file gives a clear error and stores nothing."""
    base = answers(SANNE, details={"eigen_verklaring": {"statement": "<i>Mijn</i> kant van het verhaal."}})
    ref, link_id = _filed(app, people, dossier_id, base=base)
    cw = logged_in("caseworker")
    page = f"/backoffice/verzoeken/{ref}/eigen-verklaring"
    html = cw.get(page).get_data(as_text=True)
    assert "<i>Mijn</i>" not in html and "&lt;i&gt;Mijn&lt;/i&gt;" in html
    token = ch.csrf(html)
    import io

    resp = cw.post(page, data={"csrf_token": token, "link_id": link_id, "entries": [_pk(app, dossier_id, "e2")],
                               "text": "", "pdf": (io.BytesIO(ch.jpeg()), "foto.jpg")},
                   content_type="multipart/form-data")
    assert resp.status_code == 302
    assert "Voeg de verklaring toe als PDF." in cw.get(page).get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(OwnStatement)).scalar_one() == 0
        db.session.remove()
    resp = cw.post(page, data={"csrf_token": token, "link_id": link_id, "entries": [_pk(app, dossier_id, "e2")],
                               "text": "<i>Mijn</i> kant van het verhaal."})
    assert resp.status_code == 302
    html = cw.get(page).get_data(as_text=True)
    assert "Toegevoegd aan het dossier" in html and "&lt;i&gt;Mijn&lt;/i&gt; kant" in html
    resp = cw.post(f"{page}/besluit", data={"csrf_token": token})
    assert resp.status_code == 302
    with app.app_context():
        d = db.session.execute(db.select(Decision).filter_by(right="eigen_verklaring")).scalar_one()
        assert (d.outcome, d.state) == ("grant", "proposed")
        db.session.remove()
    assert logged_in("functional_admin").get(page).status_code == 403


def test_art16_once_the_registration_system_carries_the_statement_it_is_in_the_copy_once(app, people, dossier_id):
    """After the registration system records the statement as an own_statement entry of
    the person (a newer export), the copy holds it once, as that entry."""
    from .dossier_helpers import example

    ref, link_id = _filed(app, people, dossier_id)
    _add(app, people, ref, link_id, dossier_id)
    doc = example()
    doc["entries"].append({"id": "e7", "date": "2025-12-01", "kind": "own_statement", "title": "Eigen verklaring",
                           "author": "Veilig Thuis, registratie", "source_person": "p1", "nature": "opinion",
                           "concerns": ["p1"], "text": STATEMENT})
    import_doc(app, doc)
    text = _copy_text(app, people, ref, link_id)
    assert text.count(OWN_WORDS) == 1
    # As an entry it is still her own statement: in full but for the reporter (issue 12).
    assert "Ik heb altijd goed voor Lotte en Daan gezorgd" in text
    assert "Ineke" not in text and "Bosman" not in text
