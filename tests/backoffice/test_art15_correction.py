"""Correction (art. 15 Privacyreglement Veilig Thuis) from request to letter, copy,
instruction and AVG 19 notification tasks, through the services the back office calls,
and the back-office pages over them.

The dossier is the format's example (VT-2025-000417); Mark Jansen (p2) asks. His part
(art. 13) is e1, e2, e3, e5, e6; e3 ("Gesprek met vader") is shared here with two
organisations, so that its correction becomes two notification tasks (AVG 19)."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from portal.infra.extensions import db
from portal.models import (AuditEvent, Copy, CorrectionItem, Decision, DossierEntry, EntryAmendment, Letter,
                           NotificationTask, RegistrationInstruction, RequestEvent)
from portal.rules.grounds import Ground
from portal.services import authz, copies, decisions, letters
from portal.services import rectification as rx

from . import casework_helpers as ch
from .copy_helpers import MARK, import_doc, render_now
from .dossier_helpers import example
from .queue_helpers import answers

OLD, NEW = "van hockey komen", "van voetbal komen"
E3_NEW = ("Mark Jansen ontkent dat hij Lotte heeft geslagen. Hij zegt dat de blauwe plekken van voetbal komen. "
          "Hij is bereikbaar op 06-87654321.")
WISH = {"what_is_wrong": "Er staat dat ik zei dat de blauwe plekken van hockey komen.",
        "should_say": "Ik zei dat ze van voetbal komen."}
REFUSAL = "Dit is het oordeel van Veilig Thuis over de veiligheid. Dat is geen feit dat wij verbeteren."
SHARED = [{"recipient": "Raad voor de Kinderbescherming", "date": "2025-03-20", "basis": "art. 4.1.1 lid 2 Wmo 2015"},
          {"recipient": "Lokaal team Eindhoven", "date": "2025-07-20"}]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def people(app, make_staff):
    class People:
        caseworker_id = make_staff("caseworker")
        caseworker = ch.actor(app, caseworker_id)
        leader = ch.actor(app, make_staff("team_leader"))
        other_leader = ch.actor(app, make_staff("team_leader"))
    return People


@pytest.fixture
def dossier_id(app):
    doc = example()
    e3 = next(e for e in doc["entries"] if e["id"] == "e3")
    e3["shared_with"] = SHARED
    return import_doc(app, doc)


def _file(app, people, *, rights=("correctie", "afschrift"), details=None, email=None) -> str:
    base = answers(MARK, rights=list(rights), details={"correctie": details or WISH})
    ref = ch.file(app, base, email=email)
    ch.verify_everyone(app, ref, people.caseworker)
    return ref


def _link(app, people, ref, dossier_id, person="p2") -> int:
    with app.app_context():
        link = copies.link_dossier(people.caseworker, ref, dossier_id, person)
        link_id = link.id
        db.session.remove()
    return link_id


def _pk(app, dossier_id, entry_id) -> int:
    with app.app_context():
        from portal.models import Dossier

        pk = db.session.execute(db.select(DossierEntry.id).join(Dossier).where(
            Dossier.dossier_id == dossier_id, DossierEntry.entry_id == entry_id)).scalar_one()
        db.session.remove()
    return pk


def _call(app, fn, *args, **kw):
    """Run one service call in its own app context; return a plain value."""
    with app.app_context():
        out = fn(*args, **kw)
        value = getattr(out, "id", out)
        db.session.remove()
    return value


def _items(app, ref) -> list[CorrectionItem]:
    with app.app_context():
        rows = rx.items_of(ch.request_of(ref))
        for r in rows:
            list(r.entries)
        db.session.expunge_all()
        db.session.remove()
    return rows


def _page(app, people, ref):
    """Read the correction page once (it makes the items from the request's wishes)."""
    with app.app_context():
        rx.correction_page(people.caseworker, ref)
        db.session.remove()


def _sign(app, leader, ref, decision_id) -> None:
    with app.app_context():
        decisions.sign(leader, ref, decision_id)
        db.session.remove()


def _letter_text(app, ref) -> str:
    with app.app_context():
        req = ch.request_of(ref)
        letter = db.session.execute(db.select(Letter).join(Decision, Decision.id == Letter.decision_id)
                                    .where(Letter.request_id == req.id, Decision.right == "correctie")).scalar_one()
        data = app.extensions["vault"].decrypt(letter.ciphertext)
        db.session.remove()
    return _flat(ch.pdf_text(data))


def _three_items_decided(app, people, ref, dossier_id) -> list[int]:
    """Item 1 (the request's wish): improve e3. Item 2: shield e1. Item 3: delete e5."""
    _page(app, people, ref)
    [first] = _items(app, ref)
    second = _call(app, rx.add_item, people.caseworker, ref, says_now="De melding over mij klopt niet.",
                   should_say="Die hoort niet in mijn dossier.")
    third = _call(app, rx.add_item, people.caseworker, ref,
                  says_now="Het verslag van het tweede gesprek is niet goed opgeschreven.",
                  should_say="Haal het weg.")
    _call(app, rx.link_entries, people.caseworker, ref, first.id, [_pk(app, dossier_id, "e3")])
    _call(app, rx.link_entries, people.caseworker, ref, second, [_pk(app, dossier_id, "e1")])
    _call(app, rx.link_entries, people.caseworker, ref, third, [_pk(app, dossier_id, "e5")])
    _call(app, rx.decide_item, people.caseworker, ref, first.id, outcome="improve", about_facts=True, new_text=E3_NEW,
          reasons="In het verslag van het gesprek stond de verkeerde sport.")
    _call(app, rx.decide_item, people.caseworker, ref, second, outcome="shield", about_facts=True)
    _call(app, rx.decide_item, people.caseworker, ref, third, outcome="delete", about_facts=True)
    return [first.id, second, third]


def _decided_and_executed(app, people, ref, dossier_id) -> int:
    _three_items_decided(app, people, ref, dossier_id)
    decision_id = _call(app, rx.propose_decision, people.caseworker, ref)
    _sign(app, people.leader, ref, decision_id)
    _call(app, rx.execute, people.caseworker, ref)
    return decision_id


# --- the tests the issue names ---------------------------------------------------------------------

def test_art15_a_correction_shows_in_the_next_copy(app, people, dossier_id):
    """Art. 15: improved (new text, "Gecorrigeerd op <date> (artikel 15)"), shielded (only
    "Afgeschermd (artikel 15)") and deleted (left out) entries, in a copy made after the
    correction and in a draft made before it, which must be rendered and checked again."""
    ref = _file(app, people)
    link_id = _link(app, people, ref, dossier_id)
    with app.app_context():
        before = copies.create_copy(people.caseworker, ref, link_id)
        before_id, before_version = before.id, before.version
        db.session.remove()
    _decided_and_executed(app, people, ref, dossier_id)

    with app.app_context():
        stale = db.session.get(Copy, before_id)
        assert stale.version > before_version and stale.status == Copy.DRAFT, "the older draft is to be redone"
        assert _pk(app, dossier_id, "e5") not in [ce.entry_pk for ce in stale.entries], "a deleted entry leaves it"
        db.session.remove()

    with app.app_context():
        after = copies.create_copy(people.caseworker, ref, link_id)
        after_id = after.id
        assert [ce.entry.entry_id for ce in after.entries] == ["e1", "e2", "e3", "e6"], "e5 is deleted"
        db.session.remove()
    text = _flat(ch.pdf_text(render_now(app, people.caseworker_id, ref, after_id)))
    assert NEW in text and OLD not in text
    with app.app_context():
        from flask_babel import force_locale, format_date

        with force_locale("nl"):
            today = format_date(rx.today_local(), "long")
    assert f"Gecorrigeerd op {today} (artikel 15)" in text
    assert "Afgeschermd (artikel 15)" in text
    assert "blauwe plekken op haar arm" not in text, "the shielded report (e1) shows nothing of itself"
    assert "te laat thuiskwam" not in text, "the deleted conversation (e5) is not in the copy"
    assert "Lotte" not in text, "the new text is redacted like any entry: another person's name"
    assert "Mark Jansen ontkent" in text


def test_avg19_art15_shared_with_recipients_become_notification_tasks(app, people, dossier_id):
    """AVG 19: each recipient the dossier says the corrected entry was shared with is a
    task, ticked off with the date and by whom; the instruction "rectify" is exported
    as JSON per dossier and its execution confirmed by name and date."""
    ref = _file(app, people)
    _link(app, people, ref, dossier_id)
    _decided_and_executed(app, people, ref, dossier_id)
    with app.app_context():
        req = ch.request_of(ref)
        tasks = rx.tasks_of(req)
        assert sorted((t.recipient, t.entry_ref, t.shared_on) for t in tasks) == [
            ("Lokaal team Eindhoven", "e3", date(2025, 7, 20)),
            ("Raad voor de Kinderbescherming", "e3", date(2025, 3, 20))]
        assert all(t.done_on is None for t in tasks)
        [ins] = rx.instructions_of(req)
        assert ins.kind == "rectify" and ins.dossier_ref == dossier_id
        changes = {(c["entry_id"], c["action"]) for c in ins.payload["changes"]}
        assert changes == {("e3", "improve"), ("e1", "shield"), ("e5", "delete")}
        assert next(c for c in ins.payload["changes"] if c["action"] == "improve")["new_text"] == E3_NEW
        task_ids, ins_id = [t.id for t in tasks], ins.id
        db.session.remove()

    yesterday = date.today() - timedelta(days=1)
    _call(app, rx.tick_task, people.caseworker, ref, task_ids[0], done_on=yesterday, note="Gebeld met de Raad.")
    with app.app_context():
        t = db.session.get(NotificationTask, task_ids[0])
        assert (t.done_on, t.done_by, t.note) == (yesterday, people.caseworker.staff_id, "Gebeld met de Raad.")
        with pytest.raises(rx.RectificationError) as exc:
            rx.tick_task(people.caseworker, ref, task_ids[0], done_on=yesterday)
        assert exc.value.code == "already_done"
        with pytest.raises(rx.RectificationError) as exc:
            rx.tick_task(people.caseworker, ref, task_ids[1], done_on=date.today() + timedelta(days=2))
        assert exc.value.code == "date_in_future"
        assert db.session.get(NotificationTask, task_ids[1]).done_on is None, "nothing half-stored"
        db.session.remove()

    with app.app_context():
        out = rx.export_for(people.caseworker, ref, dossier_id)
        assert out["format"] == "vt-instructions/1" and out["dossier_id"] == dossier_id
        assert [i["kind"] for i in out["instructions"]] == ["rectify"]
        with pytest.raises(rx.RectificationError):
            rx.export_for(people.caseworker, ref, "VT-2099-000001")  # not this request's dossier
        db.session.remove()
    _call(app, rx.confirm_instruction, people.caseworker, ref, ins_id, name="Petra de Wit (registratie)",
          on=date.today())
    with app.app_context():
        ins = db.session.get(RegistrationInstruction, ins_id)
        assert (ins.confirmed_name, ins.confirmed_on, ins.confirmed_by) == (
            "Petra de Wit (registratie)", date.today(), people.caseworker.staff_id)
        db.session.remove()


def test_art15_the_letter_shows_each_item_and_reaches_the_status_page_with_a_neutral_email(app, people, dossier_id,
                                                                                            mailbox):
    """Art. 15: answered in writing and motivated: the letter holds per item what the
    requester asked and what we decided, and that recipients are told (AVG 19); it is
    on the status page, and a neutral e-mail says there is news (safe e-mail only)."""
    ref = _file(app, people, email="mark@example.org")
    _link(app, people, ref, dossier_id)
    _decided_and_executed(app, people, ref, dossier_id)
    text = _letter_text(app, ref)
    assert "Wij wijzen uw verzoek toe." in text
    assert "Ons besluit per punt" in text
    assert _flat(WISH["what_is_wrong"]) in text and _flat(WISH["should_say"]) in text
    assert "Wij verbeteren dit." in text and "Wij schermen dit af." in text and "Wij verwijderen dit" in text
    assert "In het verslag van het gesprek stond de verkeerde sport." in text, "the reasons are in the letter"
    assert "artikel 19 AVG" in text
    assert "Raad voor de Kinderbescherming" not in text, "recipients are not named in the letter"
    assert "Lotte" not in text and "Mark Jansen ontkent" not in text, "no dossier text, no other person"
    assert "artikel 16" not in text, "no own-statement offer where every wish was about facts"
    with app.app_context():
        req = ch.request_of(ref)
        listed = letters.released_letters(req)
        assert [(x.kind, x.right) for x in listed] == [("decision", "correctie")]
        db.session.remove()
    msgs = mailbox.wait_for(1)
    body = mailbox.body(msgs[-1])
    assert ref not in body and "correctie" not in body.lower() and "voetbal" not in body


def test_art15_art16_an_opinion_is_not_improved_the_refusal_is_signed_and_the_letter_offers_an_own_statement(
        app, people, dossier_id):
    """Art. 15 is for facts: an opinion (e2, the safety assessment) is not improved; the
    refusal is proposed by the caseworker and signed by a team leader who did not
    propose it (art. 20.4, four eyes); the letter explains the own statement (art. 16)."""
    ref = _file(app, people, details={"what_is_wrong": "Er staat dat de kinderen niet veilig zijn.",
                                      "should_say": "De kinderen zijn wel veilig."})
    _link(app, people, ref, dossier_id)
    _page(app, people, ref)
    [item] = _items(app, ref)
    _call(app, rx.link_entries, people.caseworker, ref, item.id, [_pk(app, dossier_id, "e2")])
    with app.app_context():
        with pytest.raises(rx.RectificationError) as exc:
            rx.decide_item(people.caseworker, ref, item.id, outcome="improve", about_facts=False,
                           new_text="De kinderen zijn veilig.")
        assert exc.value.code == "opinion_not_improved"
        with pytest.raises(rx.RectificationError) as exc:
            rx.decide_item(people.caseworker, ref, item.id, outcome="refuse", about_facts=False,
                           ground=Ground.NOT_FACTUALLY_INCORRECT.value, reasons="Te kort.")
        assert exc.value.code == "reasons_required"
        with pytest.raises(rx.RectificationError) as exc:
            rx.decide_item(people.caseworker, ref, item.id, outcome="refuse", about_facts=False,
                           ground=Ground.SUBSTANTIAL_INTEREST_OTHER.value, reasons=REFUSAL)
        assert exc.value.code == "ground_not_for_right"
        db.session.remove()
    assert _items(app, ref)[0].state == "open", "nothing stored on a refused input"

    _call(app, rx.decide_item, people.caseworker, ref, item.id, outcome="refuse", about_facts=False,
          ground=Ground.NOT_FACTUALLY_INCORRECT.value, reasons=REFUSAL)
    assert _items(app, ref)[0].state == "proposed"
    with app.app_context():
        with pytest.raises(rx.RectificationError) as exc:
            rx.propose_decision(people.caseworker, ref)
        assert exc.value.code == "items_not_decided", "a refusal waits for a team leader"
        with pytest.raises(authz.NotAllowed):
            rx.sign_item(people.caseworker, ref, item.id)  # a caseworker cannot sign
        db.session.remove()

    # A team leader who proposed a refusal does not sign it.
    _call(app, rx.reopen_item, people.leader, ref, item.id)
    _call(app, rx.decide_item, people.leader, ref, item.id, outcome="refuse", about_facts=False,
          ground=Ground.NOT_FACTUALLY_INCORRECT.value, reasons=REFUSAL)
    with app.app_context():
        with pytest.raises(rx.RectificationError) as exc:
            rx.sign_item(people.leader, ref, item.id)
        assert exc.value.code == "own_proposal"
        db.session.remove()
    _call(app, rx.sign_item, people.other_leader, ref, item.id)
    [signed] = _items(app, ref)
    assert (signed.state, signed.signed_by, signed.decided_by) == ("decided", people.other_leader.staff_id,
                                                                   people.leader.staff_id)

    decision_id = _call(app, rx.propose_decision, people.caseworker, ref)
    with app.app_context():
        d = db.session.get(Decision, decision_id)
        assert (d.right, d.outcome, d.grounds, d.state) == ("correctie", "refuse", ["not_factually_incorrect"],
                                                            "proposed")
        db.session.remove()
    _sign(app, people.leader, ref, decision_id)
    text = _letter_text(app, ref)
    assert "Wij wijzen uw verzoek af." in text and "Wij passen dit niet aan." in text
    assert _flat(REFUSAL) in text
    assert "eigen verklaring" in text and "artikel 16" in text, "the own-statement route is explained and offered"
    with app.app_context():
        with pytest.raises(rx.RectificationError) as exc:
            rx.execute(people.caseworker, ref)
        assert exc.value.code == "nothing_to_execute"
        assert db.session.execute(db.select(db.func.count()).select_from(EntryAmendment)).scalar_one() == 0
        db.session.remove()


def test_art15_art13_art20_5_only_the_subjects_entries_after_verification_and_bad_input_stores_nothing(
        app, people, dossier_id):
    """Art. 20.5: no dossier data before everyone is verified; art. 13: only entries of
    the subject's part can be linked (e4 concerns only Lotte); a wrong decision is
    refused with its reason and leaves the item as it was."""
    base = answers(MARK, rights=["correctie"], details={"correctie": WISH})
    ref = ch.file(app, base)
    with app.app_context():
        page = rx.correction_page(people.caseworker, ref)
        assert not page.verified and page.entries == [] and len(page.items) == 1
        with pytest.raises(rx.RectificationError) as exc:
            rx.link_entries(people.caseworker, ref, page.items[0].id, [1])
        assert exc.value.code == "identity_not_verified"
        db.session.remove()
    ch.verify_everyone(app, ref, people.caseworker)
    _link(app, people, ref, dossier_id)
    [item] = _items(app, ref)
    with app.app_context():
        with pytest.raises(rx.RectificationError) as exc:
            rx.link_entries(people.caseworker, ref, item.id, [_pk(app, dossier_id, "e4")])
        assert exc.value.code == "entry_not_eligible"
        with pytest.raises(rx.RectificationError) as exc:
            rx.decide_item(people.caseworker, ref, item.id, outcome="delete", about_facts=True)
        assert exc.value.code == "entries_required"
        db.session.remove()
    _call(app, rx.link_entries, people.caseworker, ref, item.id,
          [_pk(app, dossier_id, "e3"), _pk(app, dossier_id, "e1")])
    with app.app_context():
        for kw, code in (({"outcome": "improve", "about_facts": True, "new_text": E3_NEW}, "improve_one_entry"),
                         ({"outcome": "delete", "about_facts": True, "new_text": "x"}, "new_text_only_for_improve"),
                         ({"outcome": "delete", "about_facts": None}, "about_facts_required"),
                         ({"outcome": "delete", "about_facts": True, "ground": "vt_task"}, "grant_has_no_grounds"),
                         ({"outcome": "herschrijven", "about_facts": True}, "outcome_unknown")):
            with pytest.raises(rx.RectificationError) as exc:
                rx.decide_item(people.caseworker, ref, item.id, **kw)
            assert exc.value.code == code, kw
        db.session.remove()
    _call(app, rx.link_entries, people.caseworker, ref, item.id, [_pk(app, dossier_id, "e3")])
    with app.app_context():
        with pytest.raises(rx.RectificationError) as exc:
            rx.decide_item(people.caseworker, ref, item.id, outcome="improve", about_facts=True,
                           new_text=example()["entries"][2]["text"])
        assert exc.value.code == "new_text_unchanged"
        with pytest.raises(rx.RectificationError) as exc:
            rx.execute(people.caseworker, ref)
        assert exc.value.code == "not_signed"
        db.session.remove()
    [after] = _items(app, ref)
    assert (after.state, after.outcome, after.new_text) == ("open", None, None)


def test_art15_split_and_add_items_and_items_are_fixed_once_the_decision_is_proposed(app, people, dossier_id):
    """One item per wish; the caseworker may add or split; once the decision on the
    right is proposed the items are fixed (a decision sent back opens them again)."""
    ref = _file(app, people)
    _link(app, people, ref, dossier_id)
    _page(app, people, ref)
    _page(app, people, ref)  # reading twice makes no second set
    [item] = _items(app, ref)
    assert (item.says_now, item.should_say) == (WISH["what_is_wrong"], WISH["should_say"])
    _call(app, rx.link_entries, people.caseworker, ref, item.id, [_pk(app, dossier_id, "e3")])
    new_id = _call(app, rx.split_item, people.caseworker, ref, item.id)
    rows = _items(app, ref)
    assert [r.id for r in rows] == [item.id, new_id] and [e.entry_id for e in rows[1].entries] == ["e3"]
    _call(app, rx.edit_item, people.caseworker, ref, new_id, says_now="Mijn adres klopt niet.",
          should_say="Kastanjestraat 5.")
    with app.app_context():
        with pytest.raises(rx.RectificationError) as exc:
            rx.add_item(people.caseworker, ref, says_now="  ", should_say="")
        assert exc.value.code == "wish_required"
        db.session.remove()
    for r in _items(app, ref):
        _call(app, rx.decide_item, people.caseworker, ref, r.id, outcome="shield", about_facts=True)
    decision_id = _call(app, rx.propose_decision, people.caseworker, ref)
    with app.app_context():
        with pytest.raises(rx.RectificationError) as exc:
            rx.add_item(people.caseworker, ref, says_now="Nog iets.", should_say="Iets anders.")
        assert exc.value.code == "decision_pending"
        decisions.send_back(people.leader, ref, decision_id, "Kijk nog eens naar punt 2.")
        db.session.remove()
    _call(app, rx.reopen_item, people.caseworker, ref, new_id)
    _call(app, rx.decide_item, people.caseworker, ref, new_id, outcome="delete", about_facts=True)
    again = _call(app, rx.propose_decision, people.caseworker, ref)
    assert again == decision_id, "the decision sent back is revised, not a second one"


def test_art7_5_each_decision_and_its_execution_is_in_the_access_log_and_the_timeline(app, people, dossier_id):
    ref = _file(app, people)
    _link(app, people, ref, dossier_id)
    _decided_and_executed(app, people, ref, dossier_id)
    actions = [a for a, *_ in ch.audit_actions(app, ref)]
    for expected in ("rectification.view", "rectification.items.make", "rectification.item.link",
                     "rectification.item.decide", "decision.propose", "decision.sign", "letter.issue",
                     "instruction.rectify", "rectification.execute"):
        assert expected in actions, expected
    with app.app_context():
        kinds = [e.kind for e in db.session.execute(db.select(RequestEvent).where(
            RequestEvent.request_id == ch.request_of(ref).id)).scalars()]
        for expected in ("correction_items_made", "correction_entries_linked", "correction_item_decided",
                         "decision_proposed", "decision_signed", "correction_executed"):
            assert expected in kinds, expected
        from portal.services import audit

        assert audit.verify_chain() == (True, None)
        db.session.remove()


# --- the back-office pages ------------------------------------------------------------------------------

def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_art15_correction_page_escapes_every_text_and_needs_csrf_and_the_permission(app, people, dossier_id,
                                                                                    logged_in):
    wish = {"what_is_wrong": "<script>alert(1)</script> klopt niet", "should_say": "<b>vet</b>"}
    ref = _file(app, people, details=wish)
    _link(app, people, ref, dossier_id)
    cw = logged_in("caseworker")
    page = f"/backoffice/verzoeken/{ref}/correctie"
    resp = cw.get(page)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html
    assert "Mark Jansen ontkent" in html, "the entries of his part, to link"
    assert "Huisarts P. van Dam" not in html, "e4 is not his part (art. 13)"
    [item] = _items(app, ref)
    # Without the CSRF token: refused, nothing stored.
    resp = cw.post(f"{page}/punten/{item.id}/stukken", data={"entries": [_pk(app, dossier_id, "e3")]})
    assert resp.status_code in (302, 400)
    assert _items(app, ref)[0].entries == []
    token = _csrf(cw.get(page).get_data(as_text=True))
    resp = cw.post(f"{page}/punten/{item.id}/stukken", data={"csrf_token": token,
                                                            "entries": [_pk(app, dossier_id, "e3")]})
    assert resp.status_code == 302
    assert [e.entry_id for e in _items(app, ref)[0].entries] == ["e3"]
    # A wrong decision: the error is shown on the page, once.
    resp = cw.post(f"{page}/punten/{item.id}/besluit", data={"csrf_token": token, "outcome": "improve",
                                                            "about_facts": "yes", "new_text": ""})
    assert resp.status_code == 302
    html = cw.get(page).get_data(as_text=True)
    assert "Schrijf de nieuwe tekst van het stuk." in html
    assert "Schrijf de nieuwe tekst van het stuk." not in cw.get(page).get_data(as_text=True)
    # Another request's item: not found.
    other = _file(app, people)
    assert cw.post(f"/backoffice/verzoeken/{other}/correctie/punten/{item.id}/splitsen",
                   data={"csrf_token": token}).status_code == 404
    # Roles without case content.
    assert logged_in("privacy_officer").get(page).status_code == 403
    # The request page shows the panel with a link.
    assert f'href="{page}"' in cw.get(f"/backoffice/verzoeken/{ref}").get_data(as_text=True)
    with app.app_context():
        events = db.session.execute(db.select(AuditEvent.action).where(AuditEvent.subject_ref == ref)).scalars().all()
        assert "rectification.view" in events
        db.session.remove()


def test_avg19_notification_tasks_ticked_off_on_the_page_with_date_and_by_whom(app, people, dossier_id, logged_in):
    ref = _file(app, people)
    _link(app, people, ref, dossier_id)
    _decided_and_executed(app, people, ref, dossier_id)
    cw = logged_in("caseworker")
    page = f"/backoffice/verzoeken/{ref}/correctie"
    html = cw.get(page).get_data(as_text=True)
    assert "Raad voor de Kinderbescherming" in html and "Lokaal team Eindhoven" in html
    with app.app_context():
        task_id = rx.tasks_of(ch.request_of(ref))[0].id
        db.session.remove()
    token = _csrf(html)
    resp = cw.post(f"{page}/meldingen/{task_id}", data={"csrf_token": token, "done_on": "31-02-2026"})
    assert resp.status_code == 302
    assert "Vul de datum in als dd-mm-jjjj" in cw.get(page).get_data(as_text=True)
    day = (date.today() - timedelta(days=1)).strftime("%d-%m-%Y")
    resp = cw.post(f"{page}/meldingen/{task_id}", data={"csrf_token": token, "done_on": day, "note": "Per brief."})
    assert resp.status_code == 302
    with app.app_context():
        t = db.session.get(NotificationTask, task_id)
        assert t.done_on == date.today() - timedelta(days=1) and t.done_by == cw.staff_id and t.note == "Per brief."
        db.session.remove()
    export = cw.get(f"/backoffice/verzoeken/{ref}/opdrachten/{dossier_id}.json")
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("application/json")
    assert json.loads(export.data)["instructions"][0]["kind"] == "rectify"
