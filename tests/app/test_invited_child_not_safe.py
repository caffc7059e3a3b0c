"""Art. 20.4 for the invited child: a parent starts a joint request (art. 20.1) for a
child of 12 to 16, and the child, in the invitation, says that involving the parent is
not safe. The request then waits for a team leader; the child follows it with a
passphrase of their own; the parent's status page is the same page as for a request
in which the child simply joined. And when nobody uses the invitation, it expires and
the parent is told neutrally."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from portal.infra.extensions import db
from portal.models import AuditEvent, Invitation, Message, utcnow

from .filing import Filer, Filing, Person, jpeg_bytes
from .support import (dbs, dmy, join_message, login_passphrase, neutral_status_page as neutral, page_text, path_of,
                      request_by_ref, today, years_ago)

NOTE = "Mijn vader wordt boos als hij dit ziet."


def parent_starts(app, *, channel="code", child_email=None, email=None) -> Filing:
    born = years_ago(14, today(app))
    second = {"channel": channel, **({"email": child_email} if child_email else {})}
    return Filing(for_whom="child_12_16", rep_kind="ouder_met_gezag", subject=Person("Mila", "Jansen", dmy(born)),
                  requester=Person("Karin", "Jansen", "02-02-1975"), second=second, email=email)


def open_by_code(client, reference, code):
    resp = Filer(client).post("/meedoen", {"reference": reference, "code": code})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/meedoen/gegevens")


def say_not_safe(client, birth_date: str, *, note=NOTE, email="", ticked=True):
    data = {"not_safe_note": note, "birth_date": birth_date, "email": email}
    if ticked:
        data["not_safe"] = "y"
    return Filer(client).post("/meedoen/niet-veilig", data)


def join_as_child(client, f: Filing):
    s = f.subject
    data = {"given_names": s.given_names, "surname": s.surname, "birth_date": s.birth_date, "bsn": "", "email": "",
            "method": "upload", "document": (io.BytesIO(jpeg_bytes()), "id.jpg")}
    resp = Filer(client).post("/meedoen/gegevens", data, content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]


def passphrase_on(resp) -> str:
    m = re.search(r'id="passphrase"[^>]*>([^<]+)<', resp.get_data(as_text=True))
    assert m, "no passphrase on the page"
    return m.group(1).strip()


def status_page(app, reference, passphrase) -> str:
    browser = app.test_client()
    resp = login_passphrase(browser, reference, passphrase)
    assert resp.status_code == 302, page_text(resp)[:2000]
    return browser.get("/volgen/verzoek").get_data(as_text=True)


def test_art20_4_invited_child_says_not_safe_by_code_and_a_team_leader_decides(client, app, mailbox):
    f = parent_starts(app)
    sub = Filer(client).fill(f).submit()
    assert sub.passphrase and sub.invitation_code

    child = app.test_client()
    open_by_code(child, sub.reference, sub.invitation_code)
    details = child.get("/meedoen/gegevens").get_data(as_text=True)
    assert 'href="/meedoen/niet-veilig"' in details  # offered on the page before joining
    page = child.get("/meedoen/niet-veilig").get_data(as_text=True)
    # The same words as when the child starts (steps/tweede_persoon.html).
    assert "Het is niet veilig om mijn ouder of voogd mee te laten doen" in page
    assert "Wil je uitleggen waarom?" in page

    resp = say_not_safe(child, f.subject.birth_date)
    assert resp.status_code == 200, page_text(resp)[:2000]
    child_phrase = passphrase_on(resp)
    assert child_phrase != sub.passphrase
    assert sub.reference in resp.get_data(as_text=True)

    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "received"
        assert req.art20_4_review is True and req.art20_4_note == NOTE
        inv = req.invitations[0]
        assert inv.used_at is not None and inv.not_safe_at is not None
        kid = req.subject
        assert kid.passphrase_hash and child_phrase not in kid.passphrase_hash
        [review] = [e for e in req.events if e.kind == "art20_4_review_requested"]
        assert review.public is False
        assert s.execute(db.select(AuditEvent).filter_by(action="request.not_safe")).scalar_one()
        kid_id, parent_id = kid.id, req.requester.id

    # The invitation is used up: the code cannot be used again (to join or to say it).
    again = Filer(app.test_client()).post("/meedoen", {"reference": sub.reference, "code": sub.invitation_code})
    assert again.status_code == 400 and join_message(app, "invitation_used") in page_text(again)

    # The child follows the request with their own passphrase, as themselves.
    kid_browser = app.test_client()
    assert login_passphrase(kid_browser, sub.reference, child_phrase).status_code == 302
    kid_page = kid_browser.get("/volgen/verzoek").get_data(as_text=True)
    assert sub.reference in kid_page and NOTE not in kid_page
    with dbs(app) as s:
        logins = s.execute(db.select(AuditEvent).filter_by(action="status.login", outcome="ok")).scalars().all()
        assert logins
    # The parent's passphrase opens the parent's page; neither sees the note.
    parent_page = status_page(app, sub.reference, sub.passphrase)
    assert NOTE not in parent_page and "art20_4" not in parent_page
    assert kid_id != parent_id
    assert mailbox.messages == []


def test_art20_4_the_parents_page_after_not_safe_is_the_page_of_a_request_simply_in_progress(client, app):
    # Request A: the child says involving the parent is not safe.
    fa = parent_starts(app)
    a = Filer(client).fill(fa).submit()
    child_a = app.test_client()
    open_by_code(child_a, a.reference, a.invitation_code)
    assert say_not_safe(child_a, fa.subject.birth_date).status_code == 200
    # Request B: the same, but the child simply joins.
    fb = parent_starts(app)
    b = Filer(app.test_client()).fill(fb).submit()
    child_b = app.test_client()
    open_by_code(child_b, b.reference, b.invitation_code)
    join_as_child(child_b, fb)

    page_a = status_page(app, a.reference, a.passphrase)
    page_b = status_page(app, b.reference, b.passphrase)
    assert a.reference in page_a and b.reference in page_b
    assert neutral(page_a) == neutral(page_b)


def test_art20_4_a_wrong_birth_date_is_refused_and_changes_nothing(client, app):
    f = parent_starts(app)
    sub = Filer(client).fill(f).submit()
    child = app.test_client()
    open_by_code(child, sub.reference, sub.invitation_code)
    resp = say_not_safe(child, dmy(years_ago(15, today(app))))
    assert resp.status_code == 400
    assert 'id="birth_date-error"' in resp.get_data(as_text=True)
    assert join_message(app, "joiner_not_invited_child") in page_text(resp)
    unticked = say_not_safe(child, f.subject.birth_date, ticked=False)
    assert unticked.status_code == 400 and 'id="not_safe-error"' in unticked.get_data(as_text=True)
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "awaiting_co_requester" and req.art20_4_review is False
        assert req.invitations[0].used_at is None and req.subject.passphrase_hash is None


def test_art20_4_an_invited_parent_has_no_not_safe_page(client, app):
    born = years_ago(13, today(app))
    f = Filing(for_whom="self", requester=Person("Noor", "Bakker", dmy(born)), email=None,
               second={"given_names": "Petra", "surname": "Bakker", "rep_kind": "ouder_met_gezag", "channel": "code"})
    sub = Filer(client).fill(f).submit()
    parent = app.test_client()
    open_by_code(parent, sub.reference, sub.invitation_code)
    assert "/meedoen/niet-veilig" not in parent.get("/meedoen/gegevens").get_data(as_text=True)
    resp = parent.get("/meedoen/niet-veilig")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/meedoen/gegevens")


def test_art20_4_invited_child_by_email_link_gives_a_safe_address_that_counts_as_confirmed(client, app, mailbox):
    f = parent_starts(app, channel="email", child_email="mila@example.org")
    sub = Filer(client).fill(f).submit()
    [invitation] = mailbox.wait_for(1)
    child = app.test_client()
    link = path_of(mailbox.link(invitation))
    assert Filer(child).post(link, {}).status_code == 302
    resp = say_not_safe(child, f.subject.birth_date, email="mila@example.org")
    assert resp.status_code == 200, page_text(resp)[:2000]
    with dbs(app) as s:
        kid = request_by_ref(s, sub.reference).subject
        assert kid.email_ok and kid.email_confirmed_at is not None


def test_art20_1_an_invitation_nobody_used_expires_and_the_parent_is_told_neutrally(client, app, mailbox):
    f = parent_starts(app, email="karin@example.org")
    sub = Filer(client).fill(f).submit()
    [confirm] = mailbox.wait_for(1)
    Filer(client).post(path_of(mailbox.link(confirm)), {})
    with dbs(app) as s:
        inv = s.execute(db.select(Invitation)).scalar_one()
        inv.expires_at = utcnow() - timedelta(minutes=1)
        s.commit()
    from portal.services import joint

    with app.app_context():
        assert joint.expire_invitations() == 1
        assert joint.expire_invitations() == 0  # once
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "received"  # in the queue: a caseworker sees it
        [expired] = [e for e in req.events if e.kind == "invitation_expired"]
        assert expired.public is True
        [msg] = s.execute(db.select(Message).filter_by(request_id=req.id)).scalars().all()
        assert msg.party_id == req.requester.id
        assert "kan niet verder zonder de tweede persoon" in msg.body
    # The parent gets a neutral notice at their confirmed address; the child nothing.
    mailbox.wait_for(2)
    notices = mailbox.to("karin@example.org")
    assert len(notices) == 2
    body = mailbox.body(notices[-1])
    assert sub.reference not in body and "Mila" not in body and "verlopen" not in body


# --- after the team leader's art. 20.4 decision: the parent stays out ------------------

def _decide(app, reference, outcome):
    """A team leader's art. 20.4 decision (the row casework.decide_art20_4 writes)."""
    from portal.models import ParentInvolvementDecision

    with dbs(app) as s:
        req = request_by_ref(s, reference)
        s.add(ParentInvolvementDecision(request_id=req.id, outcome=outcome, decided_at=utcnow(),
                                        reasons="Concrete signalen dat het belang van het kind zwaarder weegt."))
        if outcome == ParentInvolvementDecision.CONTINUE_WITHOUT_PARENT:
            req.art20_4_review = False
        s.commit()


def _release_letter_and_answer(app, reference):
    """What happens for the child afterwards: a released decision letter, a right
    answered, the request decided, and a message to both."""
    import hashlib

    from portal.models import Letter

    with dbs(app) as s:
        req = request_by_ref(s, reference)
        data = b"%PDF-1.4 letter about the child"
        s.add(Letter(request_id=req.id, kind="decision", language="nl", released_at=utcnow(),
                     sha256=hashlib.sha256(data).hexdigest(),
                     ciphertext=app.extensions["vault"].encrypt(data)))
        for r in req.rights:
            r.answered_on = today(app)
            r.answered_by = "granted"
        from portal.services import timeline
        from portal.rules.status import RequestStatus

        timeline.event(req, "decision_released", "caseworker")
        timeline.move(req, RequestStatus.IN_PROGRESS, "caseworker")
        timeline.move(req, RequestStatus.DECIDED, "caseworker")
        req.messages.append(Message(direction=Message.TO_REQUESTER, body="Bericht voor jullie allebei.",
                                    author="caseworker", at=utcnow(), party_id=None))
        s.commit()
        return s.execute(db.select(Letter.id).filter_by(request_id=req.id)).scalar_one()


def test_art20_4_after_continue_without_parent_the_parent_sees_only_a_request_in_progress(client, app, mailbox):
    from portal.models import ParentInvolvementDecision

    fa = parent_starts(app)
    a = Filer(client).fill(fa).submit()
    child = app.test_client()
    open_by_code(child, a.reference, a.invitation_code)
    done = say_not_safe(child, fa.subject.birth_date)
    child_phrase = passphrase_on(done)
    # Request B: simply in progress (the child joined); nothing decided yet.
    fb = parent_starts(app)
    b = Filer(app.test_client()).fill(fb).submit()
    child_b = app.test_client()
    open_by_code(child_b, b.reference, b.invitation_code)
    join_as_child(child_b, fb)

    with dbs(app) as s:
        from portal.rules.status import RequestStatus
        from portal.services import timeline

        timeline.move(request_by_ref(s, b.reference), RequestStatus.IN_PROGRESS, "caseworker")
        s.commit()

    _decide(app, a.reference, ParentInvolvementDecision.CONTINUE_WITHOUT_PARENT)
    letter_id = _release_letter_and_answer(app, a.reference)

    # The child sees the letter, the answer and the message.
    kid = app.test_client()
    assert login_passphrase(kid, a.reference, child_phrase).status_code == 302
    kid_page = kid.get("/volgen/verzoek").get_data(as_text=True)
    assert 'id="letters"' in kid_page and "Bericht voor jullie allebei." in kid_page
    assert kid.get(f"/volgen/brief/{letter_id}").status_code == 200

    # The parent: the page of a request in progress, nothing of the child's part.
    parent = app.test_client()
    assert login_passphrase(parent, a.reference, a.passphrase).status_code == 302
    page_a = parent.get("/volgen/verzoek").get_data(as_text=True)
    assert 'id="letters"' not in page_a and "Besluit" not in page_a
    assert "Bericht voor jullie allebei." not in page_a and "Beantwoord op" not in page_a
    assert 'id="finished"' not in page_a and "Besloten" not in page_a
    assert parent.get(f"/volgen/brief/{letter_id}").status_code == 404
    page_b = status_page(app, b.reference, b.passphrase)
    assert neutral(page_a) == neutral(page_b)

    # Withdrawing ends only the parent's own part: the child's request goes on.
    assert 'id="link-withdraw"' in page_a
    resp = Filer(parent).post("/volgen/intrekken", {})
    assert resp.status_code == 302
    with dbs(app) as s:
        req = request_by_ref(s, a.reference)
        assert req.status == "decided"
        assert [e.public for e in req.events if e.kind == "left_out_parent_withdrew"] == [False]
    after = parent.get("/volgen/verzoek").get_data(as_text=True)
    assert "Ingetrokken" in after and 'id="link-withdraw"' not in after
    assert "Besluit" not in after


def test_art20_4_the_parent_the_child_kept_out_gets_no_notices(client, app):
    from portal.models import ParentInvolvementDecision
    from portal.services import notices

    fa = parent_starts(app)
    a = Filer(client).fill(fa).submit()
    child = app.test_client()
    open_by_code(child, a.reference, a.invitation_code)
    say_not_safe(child, fa.subject.birth_date, email="mila@example.org")
    with dbs(app) as s:
        req = request_by_ref(s, a.reference)
        parent = req.requester
        parent.email, parent.email_ok, parent.email_confirmed_at = "karin@example.org", True, utcnow()
        req.subject.email_confirmed_at = utcnow()
        s.commit()
    for outcome, parent_told in ((None, False), (ParentInvolvementDecision.PARENT_MUST_TAKE_PART, True),
                                 (ParentInvolvementDecision.CONTINUE_WITHOUT_PARENT, False)):
        if outcome:
            _decide(app, a.reference, outcome)
        with app.app_context():
            req = db.session.execute(db.select(type(request_by_ref(db.session, a.reference)))
                                     .filter_by(reference=a.reference)).scalar_one()
            to = notices.addresses(req)
            assert ("karin@example.org" in to) is parent_told, outcome
            assert "mila@example.org" in to
            # The child's notice says "je" (the child is 14).
            [young] = [x for x in to if x == "mila@example.org"]
            assert young.young is True
            db.session.remove()
