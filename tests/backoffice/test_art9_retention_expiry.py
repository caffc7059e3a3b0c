"""Retention in sight (art. 9): the dossier page shows when its retention ends and how
that was counted; a team leader lists the dossiers past their retention and destroys
one by anonymisation (art. 9.3), with the access log, an instruction for the
registration system and the portal's copies withdrawn, as for art. 17; an export of it
is not imported again."""
from __future__ import annotations

import json
from datetime import date

from portal.infra.extensions import db
from portal.models import AuditEvent, Copy, Dossier, DossierEntry, DossierPerson, Message, RegistrationInstruction
from portal.services import destruction, dossiers as dossier_svc

from .copy_helpers import import_doc
from .dossier_helpers import example, make_zip
from .staff_pages import page_csrf
from .test_art17_destruction import assert_gone_everywhere, log_verifies, people
from .test_art18_erasure_scope import _released_copy_of_sanne

__all__ = ["people"]

LIST = "/backoffice/dossiers/bewaartermijn-voorbij"


def _old_example() -> dict:
    """The example household twenty years earlier: closed in 2005, the youngest child 18
    in 2014, so the term ran through 31 December 2020 (art. 9.1)."""
    raw = json.dumps(example(), ensure_ascii=False)
    for a, b in (("2025-", "2005-"), ("2011-", "1991-"), ("2016-", "1996-"), ("VT-2025-000417", "VT-2005-000012")):
        raw = raw.replace(a, b)
    return json.loads(raw)


def test_art9_the_dossier_page_shows_its_retention_end(app, logged_in):
    dossier_id = import_doc(app)  # closed 18 July 2025; the youngest (2016) is 18 in 2034
    cw = logged_in("caseworker")
    html = cw.get(f"/backoffice/dossiers/{dossier_id}").get_data(as_text=True)
    end = html.split('id="retention-end"')[1].split("</dd>")[0]
    assert "31 december 2040" in end and "1 januari 2041" in end
    assert 'id="retention-steps"' in html and "2034" in html.split('id="retention-steps"')[1]
    # Its retention runs: not on the team leader's list, and it cannot be anonymised.
    tl = logged_in("team_leader")
    assert f'id="verlopen-{dossier_id}"' not in tl.get(LIST).get_data(as_text=True)
    token = page_csrf(tl, LIST)
    resp = tl.post(f"/backoffice/dossiers/{dossier_id}/anonimiseren", data={"csrf_token": token, "confirm": "y"})
    assert resp.status_code == 302 and "loopt nog" in tl.get(LIST).get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(Dossier.retention_destroyed_on)
                                  .filter_by(dossier_id=dossier_id)).scalar_one() is None
        db.session.remove()


def test_art9_a_team_leader_lists_and_anonymises_a_dossier_past_retention(app, people, logged_in, mailbox):
    old_id = import_doc(app, _old_example())
    sanne, copy_id = _released_copy_of_sanne(app, people, old_id)

    assert logged_in("caseworker").get(LIST).status_code == 403  # a team leader's task (art. 9.2, 9.3)
    tl = logged_in("team_leader")
    html = tl.get(LIST).get_data(as_text=True)
    assert f'id="verlopen-{old_id}"' in html
    assert "31 december 2020" in html and "Sanne" not in html and "Jansen" not in html  # ids and dates only

    # Without the tick nothing happens.
    token = page_csrf(tl, LIST)
    tl.post(f"/backoffice/dossiers/{old_id}/anonimiseren", data={"csrf_token": token})
    assert "niet ongedaan" in tl.get(LIST).get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(Dossier.retention_destroyed_on)
                                  .filter_by(dossier_id=old_id)).scalar_one() is None
        db.session.remove()
    resp = tl.post(f"/backoffice/dossiers/{old_id}/anonimiseren", data={"csrf_token": token, "confirm": "y"})
    assert resp.status_code == 302
    with app.app_context():
        d = db.session.execute(db.select(Dossier).filter_by(dossier_id=old_id)).scalar_one()
        assert d.retention_destroyed_on == date.today()
        texts = {e.text for e in db.session.execute(db.select(DossierEntry).filter_by(dossier_pk=d.id)).scalars()}
        assert texts == {"[geanonimiseerd]"}
        names = {(p.given_names, p.family_name, p.bsn) for p in
                 db.session.execute(db.select(DossierPerson).filter_by(dossier_pk=d.id)).scalars()}
        assert names == {("[verwijderd]", "[verwijderd]", None)}
        ins = db.session.execute(db.select(RegistrationInstruction).filter_by(dossier_ref=old_id)).scalar_one()
        assert ins.kind == "anonymise" and ins.payload["article"] == "art. 9" and ins.payload["scope"] == "dossier"
        assert ins.payload["method_basis"] == "art. 9.3" and ins.payload["keep_until"] == "2020-12-31"
        assert ins.request_id is None and ins.waiting
        c = db.session.get(Copy, copy_id)
        assert (c.status, c.withdrawn_reason, c.pdf_ciphertext) == (Copy.WITHDRAWN, Copy.DESTROYED, None)
        sanne_msgs = [m.body for m in db.session.execute(db.select(Message)).scalars()]
        log = db.session.execute(db.select(AuditEvent.actor, AuditEvent.reason)
                                 .where(AuditEvent.action == "retention.destroy")).all()
        db.session.remove()
    assert any("Wij hebben uw afschrift ingetrokken" in b for b in sanne_msgs)
    assert len(log) == 1 and old_id in log[0].reason and "art. 9.3" in log[0].reason
    assert "Geanonimiseerd op" in tl.get(f"/backoffice/dossiers/{old_id}").get_data(as_text=True)
    assert f'id="verlopen-{old_id}"' not in tl.get(LIST).get_data(as_text=True)
    log_verifies(app)

    # Nothing of that dossier's data is left in the portal.
    assert_gone_everywhere(app, ["hockey", "Ineke Bosman", "Lindelaan", "Huisartsenpraktijk Strijp", "123456782",
                                 "Lotte vertelt"])

    # The dossier does not come back: a newer export of it is refused.
    doc = _old_example()
    doc["entries"][0]["text"] += " Aanvulling."
    with app.app_context():
        try:
            dossier_svc.import_zip_bytes(dossier_svc.CLI, make_zip(doc))
            raised = None
        except dossier_svc.ImportRefused as exc:
            raised = exc
        db.session.remove()
    assert raised is not None and any(p.code == "retention_destroyed" for p in raised.problems)

    # The registration system did it: recorded on the page; then it no longer waits.
    html = tl.get(LIST).get_data(as_text=True)
    assert f'id="opdracht-{ins.id}"' in html
    assert tl.get(f"{LIST}/opdrachten/{ins.id}.json").status_code == 200
    resp = tl.post(f"{LIST}/opdrachten/{ins.id}/bevestigen",
                   data={"csrf_token": token, "name": "J. de Wit (archief)", "on": date.today().strftime("%d-%m-%Y")})
    assert resp.status_code == 302
    assert f'id="opdracht-{ins.id}"' not in tl.get(LIST).get_data(as_text=True)


def test_art9_the_service_refuses_without_the_permission_and_twice(app, people, make_staff):
    old_id = import_doc(app, _old_example())
    with app.app_context():
        try:
            destruction.destroy_expired(people.caseworker, old_id, confirmed=True)
            refused = None
        except Exception as exc:  # authz.NotAllowed
            refused = exc
        db.session.remove()
    assert refused is not None and type(refused).__name__ == "NotAllowed"
    with app.app_context():
        destruction.destroy_expired(people.leader, old_id, confirmed=True)
        db.session.remove()
    with app.app_context():
        try:
            destruction.destroy_expired(people.leader, old_id, confirmed=True)
            code = None
        except destruction.DestructionError as exc:
            code = exc.code
        db.session.remove()
    assert code == "already_executed"
