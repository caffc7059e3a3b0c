"""The back office's copy pages (afschrift, art. 13, 14 Privacyreglement VT): the
overview (link a verified request to its dossier person, make a copy) and the
workbench (every redaction marked in place with its ground and origin; lift with a
reason, confirm, add, withhold; render, review, a team leader signs, release).

Real requests through the Flask test client, with the CSRF token from the page as a
browser would send it. Jobs (detector, rendering) run at once (HUEY_IMMEDIATE).
"""
from __future__ import annotations

import re

import pytest

from portal.infra.extensions import db
from portal.models import Copy, CopyRedaction, DossierEntry, DossierLink
from portal.rules import redaction as R
from portal.services import copies

from . import casework_helpers as ch
from .conftest import log_in
from .copy_helpers import MARK, import_doc, make_copy, verified_request
from .dossier_helpers import example

DOSSIER = "VT-2025-000417"


def overview(reference: str) -> str:
    return f"/backoffice/verzoeken/{reference}/afschrift"


def bench(reference: str, copy_id: int) -> str:
    return f"/backoffice/verzoeken/{reference}/afschrift/{copy_id}"


def html_of(resp) -> str:
    return resp.get_data(as_text=True)


def post(client, page: str, action: str, data: dict | None = None):
    """POST a form on `page` with the CSRF token of that page."""
    token = ch.csrf_of(client, page)
    return client.post(action, data={"csrf_token": token, **(data or {})})


@pytest.fixture
def setup(app, logged_in):
    """A caseworker with a verified request of Mark Jansen (p2) and his copy of the
    example dossier; the copy's ids, read back."""

    def make(doc: dict | None = None, files: dict[str, bytes] | None = None):
        worker = logged_in("caseworker")
        dossier_id = import_doc(app, doc, files)
        reference = verified_request(app, worker.staff_id)
        copy_id = make_copy(app, worker.staff_id, reference, dossier_id, "p2")
        return worker, reference, copy_id

    return make


def entry_pk(app, entry_id: str) -> int:
    with app.app_context():
        pk = db.session.execute(db.select(DossierEntry.id).filter_by(entry_id=entry_id)).scalar_one()
        db.session.remove()
        return pk


def redactions(app, copy_id: int) -> list[tuple]:
    """(id, entry_id, field, original text, ground, origin, state, reason) of every redaction."""
    with app.app_context():
        c = db.session.get(Copy, copy_id)
        out = []
        for r in c.redactions:
            e = db.session.get(DossierEntry, r.entry_pk)
            text = e.text if r.field == "text" else (e.title or "")
            out.append((r.id, e.entry_id, r.field, text[r.start:r.end], r.ground, r.origin, r.state, r.reason))
        db.session.remove()
        return out


def copy_state(app, copy_id: int) -> dict:
    with app.app_context():
        c = db.session.get(Copy, copy_id)
        out = {"status": c.status, "version": c.version, "render_state": c.render_state, "signed_by": c.signed_by,
               "restrictions": copies.restrictions(c), "withheld": [ce.entry.entry_id for ce in c.entries if ce.withheld],
               "redactions": len(c.redactions)}
        db.session.remove()
        return out


def find(rows, **want):
    keys = ("id", "entry", "field", "text", "ground", "origin", "state", "reason")
    for row in rows:
        d = dict(zip(keys, row))
        if all(d[k] == v for k, v in want.items()):
            return d
    raise AssertionError(f"no redaction {want} in {rows}")


# --- who may open the pages ----------------------------------------------------------------------

def test_art7_1_copy_pages_need_login_second_factor_and_the_permission(app, setup, make_staff):
    """Art. 7.1, 7.3: the copy pages are for staff with a complete login (password and
    second factor) and COPY_PREPARE; the privacy officer may read the log, not dossiers."""
    _worker, reference, copy_id = setup()
    for path in (overview(reference), bench(reference, copy_id), bench(reference, copy_id) + "/pdf"):
        anonymous = app.test_client()
        resp = anonymous.get(path)
        assert resp.status_code == 302 and "/backoffice/login" in resp.headers["Location"]

        half = app.test_client()
        log_in(half, app, make_staff("caseworker"), second_factor=False)
        resp = half.get(path)
        assert resp.status_code == 302 and "/backoffice/totp" in resp.headers["Location"]

        officer = app.test_client()
        log_in(officer, app, make_staff("privacy_officer"))
        resp = officer.get(path)
        assert resp.status_code == 403
        assert "Lindelaan" not in html_of(resp) and "Bosman" not in html_of(resp)

        admin = app.test_client()
        log_in(admin, app, make_staff("functional_admin"))
        assert admin.get(path).status_code == 403
    # A POST is denied the same way, before the form is looked at.
    officer = app.test_client()
    log_in(officer, app, make_staff("privacy_officer"))
    rid = redactions(app, copy_id)[0][0]
    resp = post(officer, "/backoffice/account", bench(reference, copy_id) + f"/weglatingen/{rid}/opheffen",
                {"reason": "Een reden die lang genoeg is."})
    assert resp.status_code == 403
    assert find(redactions(app, copy_id), id=rid)["state"] == CopyRedaction.APPLIED


# --- 1. the overview: linking and making a copy ---------------------------------------------------

def test_art20_5_before_identity_is_verified_the_overview_shows_no_dossier_data(app, logged_in):
    """Art. 20.5: until everyone taking part is verified, nothing may reveal whether VT
    has a dossier: no lookup, no persons, no link; a forged POST is refused."""
    worker = logged_in("caseworker")
    import_doc(app)
    reference = ch.file(app, MARK)  # not verified
    resp = worker.get(overview(reference) + f"?dossier={DOSSIER}")
    assert resp.status_code == 200
    html = html_of(resp)
    assert 'id="not-verified"' in html
    for secret in (DOSSIER, "Sanne", "de Vries", "Lindelaan", "Bosman", "person_id", "p2"):
        assert secret not in html, secret
    assert "Afschrift maken" not in html and 'name="dossier"' not in html

    resp = post(worker, overview(reference), overview(reference) + "/koppelen",
                {"dossier_id": DOSSIER, "person_id": "p2"})
    assert resp.status_code == 302
    assert "gecontroleerd" in html_of(worker.get(resp.headers["Location"]))
    with app.app_context():
        assert db.session.execute(db.select(DossierLink)).first() is None
        db.session.remove()


def test_art14_link_a_dossier_person_and_make_a_copy_through_the_pages(app, logged_in):
    """Art. 13, 14, 20.5: after verification the caseworker looks up the dossier, picks
    the subject the request is about, links, and makes a copy; the lookup is logged as
    a read of the dossier and the overview as a read of the request."""
    worker = logged_in("caseworker")
    import_doc(app)
    reference = verified_request(app, worker.staff_id)

    # A dossier number that is not one: a clear error, no lookup.
    resp = worker.get(overview(reference) + "?dossier=%3Cscript%3E")
    assert resp.status_code == 400
    assert "Vul een dossiernummer in zoals VT-2025-000417." in html_of(resp)
    assert "<script>" not in html_of(resp)
    # Not there: said so.
    resp = worker.get(overview(reference) + "?dossier=VT-2099-000001")
    assert "Er is geen dossier met dit nummer." in html_of(resp)

    # The lookup shows the dossier's subjects to choose from (lower case is accepted).
    page = overview(reference) + "?dossier=vt-2025-000417"
    html = html_of(worker.get(page))
    for pid in ("p1", "p2", "p3", "p4"):
        assert f'id="person-{pid}" name="person_id" value="{pid}"' in html
    assert 'value="p5" required' not in html  # the reporter is no subject
    actions = [a for a, *_ in ch.audit_actions(app, reference)]
    assert "copy.overview" in actions

    # Choosing nobody: refused, nothing linked.
    resp = post(worker, page, overview(reference) + "/koppelen", {"dossier_id": DOSSIER})
    assert resp.status_code == 302
    assert "Kies de persoon over wie het verzoek gaat." in html_of(worker.get(resp.headers["Location"]))
    # The reporter is not a subject: refused.
    resp = post(worker, page, overview(reference) + "/koppelen", {"dossier_id": DOSSIER, "person_id": "p5"})
    assert "Deze persoon is geen betrokkene" in html_of(worker.get(resp.headers["Location"]))
    with app.app_context():
        assert db.session.execute(db.select(DossierLink)).first() is None
        db.session.remove()

    resp = post(worker, page, overview(reference) + "/koppelen", {"dossier_id": DOSSIER, "person_id": "p2"})
    assert resp.status_code == 302
    html = html_of(worker.get(overview(reference)))
    assert "Mark Jansen (p2, vader)" in html and "Afschrift maken" in html
    link_id = int(re.search(r'id="koppeling-(\d+)"', html).group(1))

    resp = post(worker, overview(reference), overview(reference) + f"/koppelingen/{link_id}/maken")
    assert resp.status_code == 302
    copy_id = int(re.search(r"/afschrift/(\d+)$", resp.headers["Location"]).group(1))
    with app.app_context():
        c = db.session.get(Copy, copy_id)
        assert c.created_by == worker.staff_id and c.status == Copy.DRAFT and c.entries
        db.session.remove()
    assert worker.get(resp.headers["Location"]).status_code == 200
    assert f'id="copy-{copy_id}"' in html_of(worker.get(overview(reference)))


# --- 2. the workbench ------------------------------------------------------------------------------

def test_art14_2_the_workbench_marks_every_redaction_in_place_and_escapes_dossier_text(app, setup):
    """Art. 14.2: every redaction is shown where it is, the original struck through for
    staff, with its ground, origin and state; the dossier text is printed as text (a
    script in it stays text); opening the workbench is logged (art. 7.5)."""
    doc = example()
    e3 = next(e for e in doc["entries"] if e["id"] == "e3")
    e3["text"] += " <script>alert(1)</script>"
    worker, reference, copy_id = setup(doc)
    html = html_of(worker.get(bench(reference, copy_id)))

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The reporter's name in the report: marked in place, ground and origin named.
    mark = re.search(r'<mark class="bo-redaction" data-ground="([^"]+)" data-origin="([^"]+)" data-state="applied">'
                     r'<span class="visually-hidden">weggelaten: </span><del>Ineke Bosman</del>'
                     r'<small class="bo-redaction-tag"> \[<a href="#weglating-\d+">\d+</a> ([^<]+)</small></mark>', html)
    assert mark, "no mark for the reporter's name"
    assert mark.group(1) == R.REPORTER_PROTECTION and mark.group(2) == "known"
    assert mark.group(3).startswith("bescherming van de melder · bekende persoon · toegepast")
    # The protected address: ground safety.
    assert re.search(r'data-ground="veiligheid"[^>]*>.*?<del>Lindelaan 14 in Eindhoven</del>', html) or \
        re.search(r'data-ground="veiligheid"[^>]*>.*?<del>[^<]*Lindelaan 14[^<]*</del>', html)
    # Every redaction is listed with a form to lift and to confirm.
    rows = redactions(app, copy_id)
    for rid, *_ in rows:
        assert f'id="weglating-{rid}"' in html
        assert f"/weglatingen/{rid}/opheffen" in html and f"/weglatingen/{rid}/bevestigen" in html
    # The summary: counts per ground and origin, nothing to sign yet, the state.
    assert re.search(r'<tr data-ground="privacy derde / bescherming melder">.*?<td data-origin="known">(\d+)</td>', html, re.S)
    assert 'id="restrictions-none"' in html
    assert 'data-status="draft"' in html and 'id="button-render"' in html and 'id="button-review"' not in html
    assert 'http-equiv="refresh"' not in html
    views = [r for r in ch.audit_actions(app, reference) if r[0] == "copy.view"]
    assert views and views[-1][1:3] == ("copy", str(copy_id))


def test_art14_2_lifting_needs_a_reason_and_is_logged(app, setup):
    """Art. 14.2, 7.5: a redaction is lifted only with a written reason; without one the
    page says so next to the form and nothing changes; a lift is in the access log."""
    worker, reference, copy_id = setup()
    page = bench(reference, copy_id)
    lotte = find(redactions(app, copy_id), entry="e1", text="Lotte Jansen")
    before = copy_state(app, copy_id)
    action = f"{page}/weglatingen/{lotte['id']}/opheffen"

    for reason, message in (("", "Schrijf waarom dit stuk toch zichtbaar mag zijn."),
                            ("   kort  ", "Schrijf de reden op (minstens 10 tekens).")):
        resp = post(worker, page, action, {"reason": reason})
        assert resp.status_code == 302 and resp.headers["Location"].endswith(f"#weglating-{lotte['id']}")
        html = html_of(worker.get(resp.headers["Location"]))
        assert f'id="weglating-{lotte["id"]}-error"' in html and message in html
        assert find(redactions(app, copy_id), id=lotte["id"])["state"] == CopyRedaction.APPLIED
        assert copy_state(app, copy_id) == before
    assert not [a for a in ch.audit_actions(app, reference) if a[0] == "copy.redaction.lift"]

    resp = post(worker, page, action, {"reason": "Mark is de vader van Lotte en kent haar naam."})
    assert resp.status_code == 302
    after = find(redactions(app, copy_id), id=lotte["id"])
    assert after["state"] == CopyRedaction.LIFTED and after["reason"].startswith("Mark is de vader")
    assert copy_state(app, copy_id)["version"] == before["version"] + 1
    lifts = [a for a in ch.audit_actions(app, reference) if a[0] == "copy.redaction.lift"]
    assert len(lifts) == 1 and lifts[0][1:3] == ("copy", str(copy_id))
    html = html_of(worker.get(page))
    assert re.search(rf'<li id="weglating-{lotte["id"]}"[^>]*data-state="lifted">', html)
    # Lifting a third party's name is no restriction; the reporter's would be.
    assert copy_state(app, copy_id)["restrictions"] == []
    # Confirming puts it back.
    post(worker, page, f"{page}/weglatingen/{lotte['id']}/bevestigen")
    assert find(redactions(app, copy_id), id=lotte["id"])["state"] == CopyRedaction.CONFIRMED


def test_art14_2_a_caseworker_adds_a_redaction_by_phrase(app, setup):
    """Art. 14.2: what the automatic pass missed is redacted by hand, with a ground and a
    reason, marked as the caseworker's; a phrase that is not there changes nothing; a
    ground beyond a third party's privacy is a restriction a team leader signs."""
    worker, reference, copy_id = setup()
    page = bench(reference, copy_id)
    pk = entry_pk(app, "e3")
    action = f"{page}/stukken/{pk}/weglaten"
    count = copy_state(app, copy_id)["redactions"]

    resp = post(worker, page, action, {"phrase": "voetbal", "field": "text", "ground": R.THIRD_PARTY,
                                       "reason": "Wijst naar de club van het kind."})
    html = html_of(worker.get(resp.headers["Location"]))
    assert "Deze woorden staan niet in dit stuk." in html
    assert copy_state(app, copy_id)["redactions"] == count
    resp = post(worker, page, action, {"phrase": "hockey", "field": "text", "ground": "made-up",
                                       "reason": "Wijst naar de club van het kind."})
    assert "Kies een grond uit de lijst." in html_of(worker.get(resp.headers["Location"]))
    assert copy_state(app, copy_id)["redactions"] == count

    resp = post(worker, page, action, {"phrase": "hockey", "field": "text", "ground": R.THIRD_PARTY,
                                       "reason": "Wijst naar de club van het kind."})
    assert resp.status_code == 302
    added = find(redactions(app, copy_id), entry="e3", text="hockey")
    assert added["origin"] == CopyRedaction.STAFF and added["ground"] == R.THIRD_PARTY
    html = html_of(worker.get(page))
    assert re.search(r'data-origin="staff"[^>]*><span class="visually-hidden">weggelaten: </span><del>hockey</del>'
                     r'<small class="bo-redaction-tag"> \[<a href="#weglating-\d+">\d+</a> privacy van een ander · medewerker', html)
    assert copy_state(app, copy_id)["restrictions"] == []

    # "Everywhere", on the ground of safety: a restriction.
    post(worker, page, action, {"phrase": "blauwe plekken", "field": "text", "ground": R.SAFETY,
                                "reason": "Beschrijving kan de melder herkenbaar maken.", "everywhere": "y"})
    found = [r for r in redactions(app, copy_id) if r[3] == "blauwe plekken"]
    assert {r[1] for r in found} == {"e1", "e3"}
    assert copy_state(app, copy_id)["restrictions"] == ["restriction_ground"]


def test_art14_2_a_withheld_entry_is_released_only_after_a_team_leaders_signature(app, setup, logged_in):
    """Art. 14.2, 20.4: leaving out a whole entry is a restriction; the copy cannot be
    released before a team leader (not the preparer) signed it; after the signature it
    can. The PDF is rendered through the page and opened inline, not stored."""
    worker, reference, copy_id = setup()
    page = bench(reference, copy_id)
    pk = entry_pk(app, "e3")

    resp = post(worker, page, f"{page}/stukken/{pk}/niet-opnemen", {"ground": "vt_task", "reasons": ""})
    assert "Schrijf waarom dit stuk niet wordt opgenomen." in html_of(worker.get(resp.headers["Location"]))
    assert copy_state(app, copy_id)["withheld"] == []
    post(worker, page, f"{page}/stukken/{pk}/niet-opnemen",
         {"ground": "vt_task", "reasons": "Het gesprek gaat over het lopende onderzoek."})
    state = copy_state(app, copy_id)
    assert state["withheld"] == ["e3"] and state["restrictions"] == ["entry_withheld"]
    html = html_of(worker.get(page))
    assert '<li data-restriction="entry_withheld">' in html and f'id="stuk-{pk}-withheld"' in html

    # Render through the page (the job runs at once here), open the PDF, review.
    resp = post(worker, page, f"{page}/pdf-maken")
    assert resp.status_code == 302 and copy_state(app, copy_id)["render_state"] == "done"
    pdf = worker.get(f"{page}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.headers["Cache-Control"] == "no-store"
    assert pdf.headers["Content-Disposition"].startswith("inline")
    assert "copy.pdf.open" in [a for a, *_ in ch.audit_actions(app, reference)]
    html = html_of(worker.get(page))
    assert 'id="button-review"' in html and 'id="button-release"' not in html
    post(worker, page, f"{page}/gecontroleerd")
    assert copy_state(app, copy_id)["status"] == Copy.REVIEWED

    # Release without a signature: refused, nothing changes.
    html = html_of(worker.get(page))
    assert 'id="button-release"' not in html and 'id="button-sign"' not in html
    resp = post(worker, page, f"{page}/vrijgeven")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#stappen")
    assert "nog niet gebeurd" in html_of(worker.get(resp.headers["Location"]))
    assert copy_state(app, copy_id)["status"] == Copy.REVIEWED
    # A caseworker cannot sign at all.
    assert post(worker, page, f"{page}/ondertekenen").status_code == 403

    leader = logged_in("team_leader")
    html = html_of(leader.get(page))
    assert 'id="button-sign"' in html
    resp = post(leader, page, f"{page}/ondertekenen")
    assert resp.status_code == 302
    state = copy_state(app, copy_id)
    assert state["status"] == Copy.SIGNED and state["signed_by"] == leader.staff_id
    assert 'id="button-release"' in html_of(worker.get(page))
    resp = post(worker, page, f"{page}/vrijgeven")
    assert resp.status_code == 302
    assert copy_state(app, copy_id)["status"] == Copy.RELEASED
    html = html_of(worker.get(page))
    assert "Het afschrift is vrijgegeven." in html
    assert "/opheffen" not in html and 'id="button-render"' not in html  # closed: no more changes


def test_art14_2_the_team_leader_who_prepared_the_copy_cannot_sign_it(app, logged_in):
    """Art. 14.2, 20.4 (four eyes): a team leader who made the copy does not see the sign
    button, and a forged POST is refused by the service."""
    leader = logged_in("team_leader")
    dossier_id = import_doc(app)
    reference = verified_request(app, leader.staff_id)
    copy_id = make_copy(app, leader.staff_id, reference, dossier_id, "p2")
    page = bench(reference, copy_id)
    post(leader, page, f"{page}/stukken/{entry_pk(app, 'e3')}/niet-opnemen",
         {"ground": "vt_task", "reasons": "Het gesprek gaat over het lopende onderzoek."})
    post(leader, page, f"{page}/pdf-maken")
    post(leader, page, f"{page}/gecontroleerd")
    html = html_of(leader.get(page))
    assert 'id="button-sign"' not in html and "Een andere teamleider moet ondertekenen." in html
    resp = post(leader, page, f"{page}/ondertekenen")
    assert "Een andere teamleider moet ondertekenen." in html_of(leader.get(resp.headers["Location"]))
    assert copy_state(app, copy_id)["status"] == Copy.REVIEWED


def test_art7_5_a_post_without_csrf_token_is_refused(app, setup):
    """Art. 7.5 (integrity of what staff do): every form carries a CSRF token; without
    one the POST is refused and nothing changes."""
    worker, reference, copy_id = setup()
    page = bench(reference, copy_id)
    rid = redactions(app, copy_id)[0][0]
    before = copy_state(app, copy_id)
    resp = worker.post(f"{page}/weglatingen/{rid}/opheffen", data={"reason": "Een reden die lang genoeg is."})
    assert resp.status_code == 400
    resp = worker.post(f"{page}/vrijgeven", data={"csrf_token": "forged"})
    assert resp.status_code == 400
    assert copy_state(app, copy_id) == before
    assert find(redactions(app, copy_id), id=rid)["state"] == CopyRedaction.APPLIED


def test_art14_a_copy_id_of_nothing_or_of_another_request_is_not_found(app, setup):
    """Art. 7.1, 14: a copy is only reachable under its own request: a wrong id, or the
    id of another request's copy or redaction, answers 404 and changes nothing."""
    worker, reference, copy_id = setup()
    other_ref = verified_request(app, worker.staff_id)
    other_copy = make_copy(app, worker.staff_id, other_ref, DOSSIER, "p2")
    assert worker.get(bench(reference, 999999)).status_code == 404
    assert worker.get(bench(reference, other_copy)).status_code == 404
    assert worker.get(bench(reference, other_copy) + "/pdf").status_code == 404
    assert worker.get(bench("VT-NOPE", copy_id)).status_code == 404
    assert worker.get("/backoffice/verzoeken/VT-NOPE/afschrift").status_code == 404
    page = bench(reference, copy_id)
    other_rid = redactions(app, other_copy)[0][0]
    resp = post(worker, page, f"{bench(reference, other_copy)}/weglatingen/{other_rid}/opheffen",
                {"reason": "Een reden die lang genoeg is."})
    assert resp.status_code == 404
    resp = post(worker, page, f"{page}/weglatingen/{other_rid}/opheffen", {"reason": "Een reden die lang genoeg is."})
    assert resp.status_code == 404
    resp = post(worker, page, f"{page}/stukken/999999/niet-opnemen", {"ground": "vt_task", "reasons": "Lang genoeg als reden."})
    assert resp.status_code == 404
    assert find(redactions(app, other_copy), id=other_rid)["state"] == CopyRedaction.APPLIED
    assert copy_state(app, copy_id)["withheld"] == []


def test_art14_the_render_progress_refreshes_only_while_the_pdf_is_made(app, setup):
    """Art. 14 (a copy of 1,000 pages is rendered in the background): while the PDF is
    queued or being made, the workbench shows the progress and refreshes itself every
    3 seconds (no script needed); once done it stops."""
    worker, reference, copy_id = setup()
    with app.app_context():
        db.session.execute(db.update(Copy).where(Copy.id == copy_id).values(render_state="queued", render_progress=0))
        db.session.commit()
        db.session.remove()
    html = html_of(worker.get(bench(reference, copy_id)))
    assert '<meta http-equiv="refresh" content="3">' in html
    assert re.search(r'<progress id="render-progress" max="100" value="0">', html)
    assert 'id="button-render"' not in html
    with app.app_context():
        db.session.execute(db.update(Copy).where(Copy.id == copy_id).values(render_state="rendering", render_progress=40))
        db.session.commit()
        db.session.remove()
    html = html_of(worker.get(bench(reference, copy_id)))
    assert '<meta http-equiv="refresh" content="3">' in html and 'value="40"' in html
    # Asking again while it is being made: said so, nothing queued twice.
    resp = post(worker, bench(reference, copy_id), bench(reference, copy_id) + "/pdf-maken")
    assert "De PDF wordt al gemaakt." in html_of(worker.get(resp.headers["Location"]))
    with app.app_context():
        db.session.execute(db.update(Copy).where(Copy.id == copy_id).values(render_state="idle", render_progress=0))
        db.session.commit()
        db.session.remove()
    post(worker, bench(reference, copy_id), bench(reference, copy_id) + "/pdf-maken")
    html = html_of(worker.get(bench(reference, copy_id)))
    assert 'http-equiv="refresh"' not in html and "<progress" not in html and 'id="link-pdf"' in html


def test_art14_the_request_page_links_to_the_copy_pages(app, setup, logged_in):
    """Art. 14: the request page has a small panel "Dossier en afschrift" for whoever
    prepares copies."""
    worker, reference, copy_id = setup()
    html = html_of(worker.get(f"/backoffice/verzoeken/{reference}"))
    assert 'id="afschrift"' in html and overview(reference) in html and bench(reference, copy_id) in html


def test_art14_2_overlapping_redactions_are_one_mark_with_every_ground():
    """Art. 14.2: where redactions overlap (a known identifier and a detector hit), the
    workbench shows one mark over the whole stretch, naming each redaction, and the
    ground the copy prints is the weightiest in force; every character once, in order."""
    from types import SimpleNamespace as NS

    from backoffice.copies import runs

    text = "Ineke Bosman (Lyceum De Horst, 040-1234567) meldt"
    a = NS(id=1, start=14, end=29, ground=R.REPORTER_PROTECTION, origin="known", state="applied")
    b = NS(id=2, start=14, end=34, ground=R.THIRD_PARTY, origin="detector", state="applied")
    c = NS(id=3, start=31, end=42, ground=R.REPORTER_PROTECTION, origin="known", state="lifted")
    d = NS(id=4, start=0, end=12, ground=R.THIRD_PARTY, origin="known", state="lifted")
    out = runs(text, [c, b, a, d])
    assert "".join(r.text for r in out) == text
    assert [(r.text, sorted(x.id for x in r.redactions)) for r in out] == [
        ("Ineke Bosman", [4]), (" (", []), ("Lyceum De Horst, 040-1234567", [1, 2, 3]), (") meldt", [])]
    assert out[0].ground is None and out[0].printed is None  # lifted: shown in the copy
    assert out[2].ground == R.REPORTER_PROTECTION and out[2].printed == R.LABELS[R.REPORTER_PROTECTION]



def test_art14_2_an_attachment_is_left_out_only_with_a_ground_and_reasons(app, setup):
    """Art. 14.2: an attachment is in no copy until it is looked at; leaving it out needs
    a ground and reasons and is a restriction a team leader signs; an attachment that
    cannot be read is said so, and nothing changes."""
    from portal.models import CopyAttachment

    from .dossier_helpers import with_attachment

    doc, files = with_attachment(example(), entry=2, name="attachments/brief.pdf")  # on e3, in Mark's copy
    worker, reference, copy_id = setup(doc, files)
    page = bench(reference, copy_id)
    with app.app_context():
        ca_id = db.session.get(Copy, copy_id).attachments[0].id
        db.session.remove()

    def att_state():
        with app.app_context():
            a = db.session.get(CopyAttachment, ca_id)
            out = (a.state, a.ground)
            db.session.remove()
            return out

    html = html_of(worker.get(page))
    assert f'id="bijlage-{ca_id}" data-state="unreviewed"' in html and "brief.pdf" in html
    action = f"{page}/bijlagen/{ca_id}"
    assert worker.get(f"{action}/origineel").status_code == 200  # opened first (issue 12)
    resp = post(worker, page, action, {"decision": "withhold", "ground": "", "reasons": "Brief van de school."})
    assert resp.headers["Location"].endswith(f"#bijlage-{ca_id}")
    assert "Kies een grond uit de lijst." in html_of(worker.get(resp.headers["Location"]))
    resp = post(worker, page, action, {"decision": "withhold", "ground": "vt_task", "reasons": ""})
    assert "Schrijf de reden op (minstens 10 tekens)." in html_of(worker.get(resp.headers["Location"]))
    assert att_state() == (CopyAttachment.UNREVIEWED, None)

    resp = post(worker, page, action, {"decision": "withhold", "ground": "vt_task",
                                       "reasons": "De brief noemt het lopende onderzoek."})
    assert resp.status_code == 302
    assert att_state() == (CopyAttachment.WITHHELD, "vt_task")
    assert copy_state(app, copy_id)["restrictions"] == ["attachment_withheld"]
    assert f'id="bijlage-{ca_id}" data-state="withheld"' in html_of(worker.get(page))


def test_art14_released_copy_phone_code_shown_once_and_handover_recorded(app, logged_in):
    """Art. 14 delivery for someone without safe e-mail: the caseworker makes a one-time
    code to read out (shown on the answer page only, kept as a hash), and can record a
    handover at the desk; both are logged."""
    import re as _re

    from argon2 import PasswordHasher

    from portal.models import CopyDelivery
    from portal.services import copies as copies_svc

    from . import casework_helpers as chh
    from .copy_helpers import import_doc, make_copy, render_now, verified_request

    client = logged_in("caseworker")
    dossier_id = import_doc(app)
    reference = verified_request(app, client.staff_id)
    copy_id = make_copy(app, client.staff_id, reference, dossier_id, "p2")
    render_now(app, client.staff_id, reference, copy_id)
    who = chh.actor(app, client.staff_id)
    with app.app_context():
        copies_svc.mark_reviewed(who, reference, copy_id)
        copies_svc.release(who, reference, copy_id)
        delivery_id, party_id = db.session.execute(db.select(CopyDelivery.id, CopyDelivery.party_id)).one()
        db.session.remove()
    page = f"/backoffice/verzoeken/{reference}/afschrift/{copy_id}"
    html = client.get(page).get_data(as_text=True)
    assert "Code maken om voor te lezen" in html and 'id="levering"' in html
    r = chh.post_form(client, page, f"{page}/leveringen/{delivery_id}/code", {})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    code = _re.search(r'id="phone-code">(\d{8})<', r.get_data(as_text=True)).group(1)
    with app.app_context():
        d = db.session.get(CopyDelivery, delivery_id)
        assert code not in (d.code_hash or "") and PasswordHasher().verify(d.code_hash, code)
        db.session.remove()
    r = chh.post_form(client, page, f"{page}/overhandigd", {"party_id": party_id, "note": "Aan de balie, paspoort gezien."})
    assert r.status_code == 302
    with app.app_context():
        handed = db.session.execute(db.select(CopyDelivery).filter_by(method="in_person")).scalar_one()
        assert handed.party_id == party_id and handed.handed_over_at is not None
        db.session.remove()
    actions = [a for a, *_ in chh.audit_actions(app, reference)]
    assert "copy.code.issued" in actions and "copy.handover" in actions
    # Another request's delivery id: not found.
    assert chh.post_form(client, page, f"{page}/leveringen/99999/code", {}).status_code == 404


def test_art14_2_attachment_boxes_drawn_by_hand_and_both_versions_viewable(app, logged_in):
    """Issue #4: what OCR cannot read is boxed by hand ("page: left, top, right,
    bottom" in percent); the box is black in the pixels of the redacted attachment; the
    caseworker can open the original and the redacted version (each opening logged); a
    badly written box is refused and changes nothing."""
    import io as _io

    import pypdfium2 as pdfium
    from PIL import Image

    from portal.models import CopyAttachment

    from .dossier_helpers import with_attachment

    buf = _io.BytesIO()
    Image.new("RGB", (400, 300), (255, 255, 255)).save(buf, "PNG")
    doc, files = with_attachment(example(), entry=0, name="attachments/foto.png", data=buf.getvalue(),
                                 media_type="image/png")
    client = logged_in("caseworker")
    dossier_id = import_doc(app, doc, files)
    reference = verified_request(app, client.staff_id)
    copy_id = make_copy(app, client.staff_id, reference, dossier_id, "p2")
    with app.app_context():
        ca_id = db.session.execute(db.select(CopyAttachment.id)).scalar_one()
        db.session.remove()
    page = f"/backoffice/verzoeken/{reference}/afschrift/{copy_id}"
    action = f"{page}/bijlagen/{ca_id}"
    assert client.get(f"{action}/origineel").status_code == 200  # opened first (issue 12)
    r = ch.post_form(client, page, action, {"decision": "redact", "boxes": "1: 10, 40"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(CopyAttachment, ca_id).state == "unreviewed"
        db.session.remove()
    assert "pagina: links, boven, rechts, onder" in client.get(page).get_data(as_text=True)
    r = ch.post_form(client, page, action, {"decision": "redact", "boxes": "1: 25, 25, 75, 75"})
    assert r.status_code == 302
    original = client.get(f"{action}/origineel")
    assert original.status_code == 200 and original.data == buf.getvalue()
    redacted = client.get(f"{action}/bewerkt")
    assert redacted.status_code == 200 and redacted.data.startswith(b"%PDF")
    pdf = pdfium.PdfDocument(redacted.data)
    img = pdf[0].render(scale=1).to_pil().convert("RGB")
    w, h = img.size
    assert img.getpixel((w // 2, h // 2)) == (0, 0, 0)  # inside the box: black pixels
    assert min(img.getpixel((w // 10, h // 10))) > 200  # outside: the white page
    actions = [a for a, *_ in ch.audit_actions(app, reference)]
    assert actions.count("copy.attachment.open") == 3
