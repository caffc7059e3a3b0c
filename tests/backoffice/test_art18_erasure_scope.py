"""Erasure (art. 18) and destruction (art. 17) take only their own person's data.

The household is the example dossier, with the reporter (Ineke Bosman) living further
down the father's street (Kastanjestraat 41; he lives at number 3) and one more entry
that names everyone in the ways people write them. Each member of the household (the
persons a request can be linked to) is erased in turn, on a
fresh import, through the services a caseworker and a team leader use; afterwards every
identifier of every OTHER person is still in every entry that held it, and the erased
person's own identifiers are gone from the entries that are kept (the issue: the
father's erasure took the reporter's address out of her own entry).
"""
from __future__ import annotations

import pytest

from portal.infra.extensions import db
from portal.models import DossierEntry
from portal.services import destruction

from .test_art17_destruction import _call, _decide, _doc, _linked, people
from .test_art18_erasure import MARK_ERASE
from .copy_helpers import import_doc

__all__ = ["people"]  # the fixture, shared with the destruction tests

EVERYONE = (
    "Overzicht: moeder Sanne de Vries (06-12345678, sanne.devries@example.nl, BSN 111222333) woont op de "
    "Lindelaan 14. Vader Mark Jansen, geboren 30-09-1985, woont Kastanjestraat 3 in Eindhoven (06-87654321, "
    "BSN 123456782). Melder Ineke Bosman woont verderop in dezelfde straat, Kastanjestraat 41, en is bereikbaar "
    "op 040-1234567. Lotte Jansen (geboren 02-06-2011) en Daan Jansen wonen bij moeder. Huisarts P. van Dam "
    "van Huisartsenpraktijk Strijp kent het gezin."
)
MELDER_ENTRY = "Ineke Bosman woont aan de Kastanjestraat 41 en hoort vaak geschreeuw bij de buren, ook van Lotte."

#: Each person's identifiers, literally as the texts above write them.
IDENTIFIERS = {
    "p1": ["Sanne de Vries", "06-12345678", "sanne.devries@example.nl", "111222333", "Lindelaan 14"],
    "p2": ["Mark Jansen", "30-09-1985", "Kastanjestraat 3 in Eindhoven", "06-87654321", "123456782"],
    "p3": ["Lotte Jansen", "02-06-2011"],
    "p4": ["Daan Jansen"],
    "p5": ["Ineke Bosman", "Kastanjestraat 41", "040-1234567"],
    "p6": ["P. van Dam", "Huisartsenpraktijk Strijp"],
}


def _household():
    doc, files = _doc()
    for p in doc["persons"]:
        if p["id"] == "p5":
            p["addresses"] = [{"street": "Kastanjestraat", "number": "41", "postcode": "5612 CD", "city": "Eindhoven"}]
    doc["entries"].append({"id": "e7", "date": "2025-07-18", "kind": "note", "title": "Overzicht betrokkenen",
                           "author": "Veilig Thuis, onderzoeker", "nature": "fact",
                           "concerns": ["p1", "p2", "p3", "p4"], "text": EVERYONE})
    doc["entries"].append({"id": "e8", "date": "2025-02-11", "kind": "report", "title": "Aanvulling melding",
                           "author": "Veilig Thuis, triagist", "source_person": "p5", "nature": "fact",
                           "concerns": ["p2", "p3"], "text": MELDER_ENTRY})
    return doc, files


def _texts(app) -> dict[str, str]:
    with app.app_context():
        out = {e.entry_id: e.text for e in db.session.execute(db.select(DossierEntry)).scalars()}
        db.session.remove()
    return out


@pytest.mark.parametrize("person", ["p1", "p2", "p3", "p4"])  # the reporter and informant cannot ask (not subjects)
def test_art18_an_erasure_takes_only_its_own_persons_identifiers(app, people, person):
    doc, files = _household()
    dossier_id = import_doc(app, doc, files)
    before = _texts(app)
    assert "Kastanjestraat 41" in before["e8"] and "Kastanjestraat 3 " in before["e7"]
    ref = _linked(app, people, dossier_id, MARK_ERASE, person=person)
    _call(app, destruction.record_erasure, people.caseworker, ref, {"a": {"finding": "applies", "note": ""}}, {})
    _decide(app, people, ref, "gegevenswissing")
    _call(app, destruction.execute, people.caseworker, ref, "gegevenswissing", method="destroy", confirmed=True)
    after = _texts(app)
    assert after != before
    for entry_id, text in after.items():
        for other, needles in IDENTIFIERS.items():
            for needle in needles:
                if other != person and needle in before[entry_id]:
                    assert needle in text, f"erasing {person} took {other}'s {needle!r} out of {entry_id}: {text!r}"
                if other == person:
                    assert needle not in text, f"{person}'s {needle!r} is still in {entry_id}"


def test_art18_the_fathers_erasure_keeps_the_reporters_address_in_her_own_entry(app, people):
    """The issue's case: he lives at number 3, she further down the street at number 41."""
    doc, files = _household()
    dossier_id = import_doc(app, doc, files)
    ref = _linked(app, people, dossier_id, MARK_ERASE, person="p2")
    _call(app, destruction.record_erasure, people.caseworker, ref, {"a": {"finding": "applies", "note": ""}}, {})
    _decide(app, people, ref, "gegevenswissing")
    _call(app, destruction.execute, people.caseworker, ref, "gegevenswissing", method="anonymise", confirmed=True)
    texts = _texts(app)
    assert texts["e8"] == MELDER_ENTRY  # about Mark and Lotte: kept, and nothing in it is his
    assert "[verwijderd] in Eindhoven" not in texts["e7"] and "Kastanjestraat 41" in texts["e7"]
    assert "Kastanjestraat 3" not in texts["e7"] and "Lotte Jansen" in texts["e7"] and "Daan Jansen" in texts["e7"]


# --- a released copy withdrawn by an erasure; an instruction it leaves nothing of ------------------

def _released_copy_of_sanne(app, people, dossier_id: str) -> tuple[str, int]:
    from portal.services import copies

    from . import casework_helpers as ch
    from .copy_helpers import make_copy, render_now
    from .test_art17_destruction import SANNE_COPY

    ref = ch.file(app, SANNE_COPY, email="sanne@example.org")
    ch.verify_everyone(app, ref, people.caseworker)
    copy_id = make_copy(app, people.caseworker_id, ref, dossier_id, "p1")
    render_now(app, people.caseworker_id, ref, copy_id)
    with app.app_context():
        copies.mark_reviewed(people.caseworker, ref, copy_id)
        copies.release(people.caseworker, ref, copy_id)
        db.session.remove()
    return ref, copy_id


def test_art18_a_released_copy_withdrawn_by_an_erasure_says_so_to_its_requester(app, people, logged_in, mailbox):
    """The mother's released copy holds entries about the father too (e2, e6); his
    erasure withdraws it. Her status page and timeline say so in plain words (not whose
    data, nor at whose request), she gets the neutral notice, and the copy page says why."""
    from portal.models import Copy

    from . import casework_helpers as ch

    dossier_id = import_doc(app, *_doc())
    sanne, copy_id = _released_copy_of_sanne(app, people, dossier_id)
    status = app.test_client()
    with app.app_context():
        party = ch.request_of(sanne).requester.id
        db.session.remove()
    ch.status_login(status, sanne, party)
    assert "Afschrift ophalen" in status.get("/volgen/verzoek").get_data(as_text=True)

    mark = _linked(app, people, dossier_id, MARK_ERASE, person="p2")
    _call(app, destruction.record_erasure, people.caseworker, mark, {"a": {"finding": "applies", "note": ""}}, {})
    _decide(app, people, mark, "gegevenswissing")
    before = len(mailbox.to("sanne@example.org"))
    _call(app, destruction.execute, people.caseworker, mark, "gegevenswissing", method="anonymise", confirmed=True)

    with app.app_context():
        c = db.session.get(Copy, copy_id)
        assert (c.status, c.withdrawn_reason, c.pdf_ciphertext) == (Copy.WITHDRAWN, Copy.ERASED, None)
        db.session.remove()
    html = status.get("/volgen/verzoek").get_data(as_text=True)
    assert "Afschrift ophalen" not in html
    assert "Wij hebben uw afschrift ingetrokken. Er zijn gegevens uit het dossier vernietigd of gewist." in html
    assert "Uw afschrift is ingetrokken, omdat er gegevens uit het dossier zijn vernietigd of gewist" in html
    assert "Mark" not in html and "gegevenswissing" not in html.lower()
    assert len(mailbox.to("sanne@example.org")) == before + 1
    assert "Mark" not in mailbox.body(mailbox.to("sanne@example.org")[-1])

    cw = logged_in("caseworker")
    page = cw.get(f"/backoffice/verzoeken/{sanne}/afschrift/{copy_id}").get_data(as_text=True)
    assert "ingetrokken, omdat gegevens erin zijn gewist (artikel 18)" in page
    assert "vervangen door een nieuwer afschrift" not in page


def test_art16_an_own_statement_instruction_the_erasure_clears_does_not_wait_for_confirmation(app, people, logged_in):
    """Mark added an own statement (an add_statement instruction, not yet carried out);
    his erasure destroys the statement and clears the instruction's text. That
    instruction no longer waits to be confirmed: the page says it lapsed and why, and
    confirming it is refused."""
    from portal.models import RegistrationInstruction
    from portal.services import copies, instructions
    from portal.services import rectification as rx

    from . import casework_helpers as ch
    from .queue_helpers import answers

    dossier_id = import_doc(app, *_doc())
    base = answers(MARK_ERASE, rights=["eigen_verklaring", "gegevenswissing"],
                   details={**MARK_ERASE["details"], "eigen_verklaring": {"statement": "Ik ben het er niet mee eens."}})
    ref = ch.file(app, base)
    ch.verify_everyone(app, ref, people.caseworker)
    with app.app_context():
        link = copies.link_dossier(people.caseworker, ref, dossier_id, "p2")
        entry = next(e for e in link.dossier.entries if e.entry_id == "e3")
        rx.add_statement(people.caseworker, ref, link_id=link.id, entry_pks=[entry.id],
                         text="Ik ben het niet eens met dit verslag van het gesprek.")
        db.session.remove()
    with app.app_context():
        old_id = db.session.execute(db.select(RegistrationInstruction.id).filter_by(kind="add_statement")).scalar_one()
        db.session.remove()
    cw = logged_in("caseworker")
    html = cw.get(f"/backoffice/verzoeken/{ref}/eigen-verklaring").get_data(as_text=True)
    assert f"Opdracht {old_id} is uitgevoerd" in html  # waits for its confirmation
    _call(app, destruction.record_erasure, people.caseworker, ref, {"a": {"finding": "applies", "note": ""}}, {})
    _decide(app, people, ref, "gegevenswissing")
    _call(app, destruction.execute, people.caseworker, ref, "gegevenswissing", method="anonymise", confirmed=True)
    with app.app_context():
        old = db.session.execute(db.select(RegistrationInstruction).filter_by(kind="add_statement")).scalar_one()
        erase = db.session.execute(db.select(RegistrationInstruction).filter_by(kind="erase")).scalar_one()
        assert old.payload["text"] is None and old.superseded_by == erase.id and not old.waiting
        assert erase.waiting  # the erasure itself still waits for the registration system
        db.session.remove()
    html = cw.get(f"/backoffice/verzoeken/{ref}/eigen-verklaring").get_data(as_text=True)
    assert f"Opdracht {old_id} is uitgevoerd" not in html
    assert f'id="opdracht-{old_id}-vervalt"' in html and "niemand hoeft haar te bevestigen" in html
    with app.app_context(), pytest.raises(instructions.InstructionError) as refused:
        instructions.confirm(people.caseworker, old_id, name="J. de Wit", on=__import__("datetime").date.today())
    assert refused.value.code == "superseded"
