"""The portal's own records (art. 9, last part of DOMAIN.md "Retention"; art. 7.5 access
log): unconfirmed requests are purged with their uploads and the purge is logged as a
count only; every submission is in the hash-chained access log, which finds a changed
entry; references are random handles, not database ids."""
from __future__ import annotations

import re
from datetime import timedelta

from portal.infra.extensions import db
from portal.models import AuditEvent, Document, Invitation, Party, Request, RequestedRight, RequestEvent
from portal.services import audit
from portal.services.purge import purge_unconfirmed

from .filing import Filer, Filing, Person
from .support import REFERENCE_RE, count, dbs, dmy, path_of, request_by_ref, today, years_ago


def _age_request(app, reference: str, days: float):
    """Make a request look as if it was filed `days` ago (its purge moment moves along)."""
    with dbs(app) as s:
        req = request_by_ref(s, reference)
        shift = timedelta(days=days)
        req.created_at -= shift
        if req.purge_after is not None:
            req.purge_after -= shift
        s.commit()


def test_art9_an_unconfirmed_request_is_purged_with_its_uploads_after_the_configured_days(client, app, mailbox):
    days = app.config["UNCONFIRMED_PURGE_DAYS"]
    child = Person("Mila", "Jansen", dmy(years_ago(14, today(app))))
    stale = Filer(client).fill(Filing(for_whom="child_12_16", rep_kind="voogd", subject=child,
                                      requester=Person("Karin", "Jansen", "02-02-1975"), second={"channel": "code"},
                                      rights=["inzage", "correctie"], email="karin@example.org")).submit()
    young = Filer(app.test_client()).fill(Filing(email="young@example.org")).submit()
    confirmed_client = app.test_client()
    confirmed = Filer(confirmed_client).fill(Filing(email="confirmed@example.org")).submit()
    mailbox.wait_for(3)
    Filer(confirmed_client).post(path_of(mailbox.link(mailbox.to("confirmed@example.org")[0])), {})
    no_email = Filer(app.test_client()).fill(Filing(email=None)).submit()

    _age_request(app, stale.reference, days + 0.01)
    _age_request(app, young.reference, days - 0.01)
    _age_request(app, confirmed.reference, days + 5)
    _age_request(app, no_email.reference, days + 5)
    with dbs(app) as s:
        stale_id = request_by_ref(s, stale.reference).id
        assert len(request_by_ref(s, stale.reference).documents) == 2  # ID copy and proof

    with app.app_context():
        removed = purge_unconfirmed()
        db.session.remove()
    assert removed == 1

    with dbs(app) as s:
        refs = set(s.execute(db.select(Request.reference)).scalars())
        assert refs == {young.reference, confirmed.reference, no_email.reference}
        for model in (Document, Party, RequestedRight, RequestEvent, Invitation):
            assert s.execute(db.select(db.func.count()).select_from(model).where(model.request_id == stale_id)).scalar_one() == 0
        [entry] = s.execute(db.select(AuditEvent).filter_by(action="purge.unconfirmed_requests")).scalars().all()
        # The log says how many, never what or whose.
        assert re.search(r"\bremoved 1\b", entry.reason)
        assert entry.subject_ref is None and entry.object_id is None
        for secret in (stale.reference, "Jansen", "Karin", "karin@example.org"):
            assert secret not in " ".join(str(getattr(entry, f)) for f in AuditEvent.FIELDS)
        assert audit.verify_chain() == (True, None)
    assert count(app, Document) == 3  # the ID copies of the three requests that stay


def test_art9_a_purge_with_nothing_to_remove_is_still_logged(app):
    with app.app_context():
        assert purge_unconfirmed() == 0
        [entry] = db.session.execute(db.select(AuditEvent)).scalars().all()
        assert entry.action == "purge.unconfirmed_requests" and "removed 0" in entry.reason
        db.session.remove()


def test_art7_5_a_submission_is_in_the_access_log_and_the_chain_finds_a_changed_entry(client, app, mailbox):
    sub = Filer(client).fill(Filing()).submit()
    Filer(client).post(path_of(mailbox.link(mailbox.wait_for(1)[0])), {})
    with dbs(app) as s:
        entries = s.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        actions = [(e.action, e.subject_ref) for e in entries]
        assert ("request.submit", sub.reference) in actions
        assert ("request.confirm_email", sub.reference) in actions
        # Who, what, whose and why; never the content.
        submit = next(e for e in entries if e.action == "request.submit")
        assert submit.actor_role == "public" and submit.reason
        for content in ("Sanne", "de Vries", "sanne@example.org", "1985"):
            assert all(content not in str(getattr(e, f)) for e in entries for f in AuditEvent.FIELDS)
        assert audit.verify_chain() == (True, None)

        s.execute(db.update(AuditEvent).where(AuditEvent.id == submit.id).values(reason="nothing happened"))
        s.commit()
        assert audit.verify_chain() == (False, submit.id)


def test_art7_5_a_removed_entry_after_submissions_breaks_the_chain(client, app):
    Filer(client).fill(Filing(email=None)).submit()
    Filer(app.test_client()).fill(Filing(email=None)).submit()
    with dbs(app) as s:
        ids = s.execute(db.select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()
        assert len(ids) >= 2
        s.execute(db.delete(AuditEvent).where(AuditEvent.id == ids[0]))
        s.commit()
        assert audit.verify_chain() == (False, ids[1])


def test_t7_the_reference_is_random_not_a_database_id(client, app):
    refs = [Filer(app.test_client()).fill(Filing(email=None)).submit().reference for _ in range(3)]
    assert len(set(refs)) == 3
    with dbs(app) as s:
        for ref in refs:
            assert REFERENCE_RE.match(ref)
            req = request_by_ref(s, ref)
            compact = ref.replace("-", "")[2:]
            assert str(req.id) != compact and not compact.isdigit()


def test_threat_model_o6_stop_and_delete_removes_the_draft_and_its_uploads(client, app):
    """On a shared device a person can wipe what they typed and uploaded so far."""
    from portal.models import Draft, DraftUpload

    from .filing import csrf

    Filer(client).fill(Filing())
    with app.app_context():
        assert db.session.query(Draft).count() == 1 and db.session.query(DraftUpload).count() == 1
    check = client.get("/verzoek/controleren").get_data(as_text=True)
    assert 'href="/verzoek/wissen?terug=controleren"' in check  # a link to a page that asks, not a button that wipes
    # Asking once: the page deletes nothing and leads back to where the person was.
    confirm = client.get("/verzoek/wissen?terug=controleren")
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "Ja, stoppen en wissen" in page and 'href="/verzoek/controleren"' in page
    with app.app_context():
        assert db.session.query(Draft).count() == 1 and db.session.query(DraftUpload).count() == 1
    token = csrf(page)
    resp = client.post("/verzoek/wissen", data={"csrf_token": token})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.query(Draft).count() == 0 and db.session.query(DraftUpload).count() == 0
    assert client.get("/verzoek/controleren").headers["Location"].endswith("/verzoek")
    assert "Uw antwoorden zijn gewist." in client.get("/").get_data(as_text=True)
