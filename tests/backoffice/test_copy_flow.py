"""A copy (afschrift, art. 14) from link to download: the service path the back office
uses, the status page's second proof and one-time code, the PDF read back.

Art. 20.5: no dossier data before everyone is verified. Art. 13: only the subject's
entries. Art. 14.2: other persons' identifiers redacted, the reporter always; a
withheld entry is a restriction a team leader signs (art. 20.4)."""
from __future__ import annotations

import re

import pytest

from portal.infra.extensions import db
from portal.models import AuditEvent, Copy, CopyDelivery, CopyRedaction
from portal.services import authz, copies

from . import casework_helpers as ch
from .dossier_helpers import example
from .copy_helpers import MARK, get_copy, import_doc, make_copy, render_now, verified_request


def _codes(mailbox, address):
    out = []
    for msg in mailbox.to(address):
        out += re.findall(r"^\s*(\d{8})\s*$", mailbox.body(msg), re.M)
    return out


def _actions(app, reference):
    with app.app_context():
        rows = db.session.execute(db.select(AuditEvent.action, AuditEvent.outcome)
                                  .where(AuditEvent.subject_ref == reference).order_by(AuditEvent.id)).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def test_art20_5_no_link_before_identity_is_verified(app, make_staff):
    """Art. 20.5: until everyone taking part is verified, nothing reveals a dossier."""
    cw = make_staff("caseworker")
    dossier_id = import_doc(app)
    reference = ch.file(app, MARK)
    with app.app_context():
        with pytest.raises(copies.CopyError) as exc:
            copies.link_dossier(ch.actor(app, cw), reference, dossier_id, "p2")
        assert exc.value.code == "identity_not_verified"
        assert db.session.execute(db.select(db.func.count()).select_from(Copy)).scalar_one() == 0


def test_art13_art14_2_copy_for_the_father_holds_his_entries_without_others_identifiers(app, make_staff):
    """Art. 13: the father's copy holds the entries that concern him; art. 14.2: the
    reporter (Ineke Bosman, her school, her number) and the mother's protected address
    (Lindelaan 14) are not in the PDF; his own name and number are."""
    cw = make_staff("caseworker")
    dossier_id = import_doc(app)
    reference = verified_request(app, cw)
    copy_id = make_copy(app, cw, reference, dossier_id, "p2")
    text = ch.pdf_text(render_now(app, cw, reference, copy_id))
    flat = " ".join(text.split())
    for leak in ("Ineke", "Bosman", "Lyceum De Horst", "040-1234567", "Lindelaan", "5611", "Sanne", "de Vries",
                 "sanne.devries", "111222333", "Pieter", "van Dam", "Strijp", "Lotte", "Daan", "mentor"):
        assert leak not in flat, leak
    assert "Mark Jansen" in flat
    assert "06-87654321" in flat  # his own number, in his own conversation (e3)
    assert "[weggelaten: privacy derde]" in flat
    assert "CONCEPT" in flat
    with app.app_context():
        c = get_copy(app, copy_id)
        wanted = sorted((e["date"], e["id"]) for e in example()["entries"]
                        if "p2" in e["concerns"] or e.get("source_person") == "p2")
        assert [ce.entry.entry_id for ce in c.entries] == [i for _, i in wanted]
        assert {r.origin for r in c.redactions} >= {CopyRedaction.KNOWN}
        db.session.remove()


def test_art14_2_withheld_entry_needs_a_team_leader_before_release(app, make_staff):
    """Art. 14.2 and 20.4: leaving an entry out is a restriction; release is refused
    until a team leader (not the preparer) signs it."""
    cw = make_staff("caseworker")
    tl = make_staff("team_leader")
    dossier_id = import_doc(app)
    reference = verified_request(app, cw)
    copy_id = make_copy(app, cw, reference, dossier_id, "p2")
    who, leader = ch.actor(app, cw), ch.actor(app, tl)
    with app.app_context():
        first = get_copy(app, copy_id).entries[0].entry_pk
        copies.withhold_entry(who, reference, copy_id, first, "vt_task", "Het onderzoek loopt nog; dit stuk kan nu niet worden gedeeld.")
        db.session.remove()
    render_now(app, cw, reference, copy_id)
    with app.app_context():
        copies.mark_reviewed(who, reference, copy_id)
        with pytest.raises(copies.CopyError) as exc:
            copies.release(who, reference, copy_id)
        assert exc.value.code == "not_signed"
        with pytest.raises(authz.NotAllowed):
            copies.sign(who, reference, copy_id)  # a caseworker cannot sign
        db.session.remove()
    with app.app_context():
        copies.sign(leader, reference, copy_id)
        copies.release(who, reference, copy_id)
        assert get_copy(app, copy_id).status == Copy.RELEASED
        db.session.remove()


def test_art14_release_download_with_one_time_code_logged_and_limited(app, make_staff, mailbox):
    """Art. 14 / issue #4 delivery: after release the status page offers the copy; the
    download needs a one-time code e-mailed to the safe address; the code works once;
    every download is logged; the released PDF is final (no CONCEPT)."""
    cw = make_staff("caseworker")
    dossier_id = import_doc(app)
    reference = verified_request(app, cw, email="mark@example.org")
    copy_id = make_copy(app, cw, reference, dossier_id, "p2")
    who = ch.actor(app, cw)
    render_now(app, cw, reference, copy_id)
    with app.app_context():
        copies.mark_reviewed(who, reference, copy_id)
        copies.release(who, reference, copy_id)
        party_id = ch.request_of(reference).requester.id
        db.session.remove()

    client = app.test_client()
    ch.status_login(client, reference, party_id)
    page = client.get("/volgen/verzoek").get_data(as_text=True)
    assert "Afschrift ophalen" in page
    with app.app_context():
        delivery_id = db.session.execute(db.select(CopyDelivery.id)).scalar_one()
        db.session.remove()
    url = f"/volgen/afschrift/{delivery_id}"
    # Without a code: refused, nothing downloaded.
    r = client.post(url, data={"csrf_token": ch.csrf_of(client, url), "code": "12345678"})
    assert r.status_code == 400 and r.mimetype != "application/pdf"
    before = len(mailbox.messages)
    client.post(f"{url}/code", data={"c-csrf_token": ch.csrf(client.get(url).get_data(as_text=True))})
    mailbox.wait_for(before + 1)
    code = _codes(mailbox, "mark@example.org")[-1]
    assert reference not in mailbox.body(mailbox.to("mark@example.org")[-1])  # neutral e-mail
    r = client.post(url, data={"csrf_token": ch.csrf_of(client, url), "code": code})
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    flat = " ".join(ch.pdf_text(r.data).split())
    assert "Afschrift voor Mark Jansen" in flat and "CONCEPT" not in flat and "Bosman" not in flat
    # The same code again: refused.
    r = client.post(url, data={"csrf_token": ch.csrf_of(client, url), "code": code})
    assert r.mimetype != "application/pdf"
    with app.app_context():
        d = db.session.get(CopyDelivery, delivery_id)
        assert (d.downloads, d.downloads_left) == (1, copies.DOWNLOADS_ALLOWED - 1)
        db.session.remove()
    assert ("copy.download", "ok") in _actions(app, reference)
    assert ("copy.download", "denied") in _actions(app, reference)


def test_art14_another_persons_delivery_is_not_found(app, make_staff):
    """A status page only reaches its own person's copy."""
    cw = make_staff("caseworker")
    import_doc(app)
    reference = verified_request(app, cw)
    with app.app_context():
        party_id = ch.request_of(reference).requester.id
        db.session.remove()
    client = app.test_client()
    ch.status_login(client, reference, party_id)
    assert client.get("/volgen/afschrift/999").status_code == 404


def test_art14_copy_of_a_replaced_import_cannot_be_rendered_or_released(app, make_staff):
    """A newer export replaces the dossier: a copy made from the older one is stale (its
    redactions point into the older text), so it is neither rendered nor released."""
    cw = make_staff("caseworker")
    doc = example()
    dossier_id = import_doc(app, doc)
    reference = verified_request(app, cw)
    copy_id = make_copy(app, cw, reference, dossier_id, "p2")
    newer = example()
    newer["entries"][2]["text"] = "Nieuw: " + newer["entries"][2]["text"]
    newer["entries"].append({"id": "e99", "date": "2025-08-01", "kind": "note", "nature": "fact",
                             "concerns": ["p2"], "text": "Een latere aantekening."})
    import_doc(app, newer)
    who = ch.actor(app, cw)
    with app.app_context():
        assert copies.is_stale(get_copy(app, copy_id))
        with pytest.raises(copies.CopyError) as exc:
            copies.request_render(who, reference, copy_id)
        assert exc.value.code == "copy_stale"
        db.session.remove()


def _attachment_pdf() -> bytes:
    """A made-up GP letter: the reporter's name and number in its text layer, and its
    own metadata (author, title) that must not survive."""
    import io

    import pikepdf

    from portal.documents.pdf import render_pdf

    raw = render_pdf("<html><head><title>Brief van Ineke Bosman</title></head><body style='font-size:20pt'>"
                     "<p>Verslag van Ineke Bosman, telefoon 040-1234567.</p><p>Over de school van Lotte.</p>"
                     "</body></html>")
    pdf = pikepdf.open(io.BytesIO(raw))
    pdf.docinfo["/Author"] = "Ineke Bosman"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_art14_2_attachment_unreviewed_blocks_review_and_redacted_one_holds_no_text(app, make_staff):
    """Issue #4, attachments: an attachment nobody reviewed stops the review (it is never
    passed through); once redacted, the copy's pages hold no extractable text of the
    reporter and none of the original metadata."""
    from .dossier_helpers import with_attachment

    cw = make_staff("caseworker")
    doc, files = with_attachment(example(), entry=0, name="attachments/brief.pdf", data=_attachment_pdf())
    dossier_id = import_doc(app, doc, files)
    reference = verified_request(app, cw)
    copy_id = make_copy(app, cw, reference, dossier_id, "p2")
    who = ch.actor(app, cw)
    pdf = render_now(app, cw, reference, copy_id)
    assert "Ineke" not in ch.pdf_text(pdf)  # unreviewed: not in the draft
    with app.app_context():
        with pytest.raises(copies.CopyError) as exc:
            copies.mark_reviewed(who, reference, copy_id)
        assert exc.value.code == "attachments_unreviewed"
        ca_id = get_copy(app, copy_id).attachments[0].id
        copies.open_attachment(who, reference, copy_id, ca_id, redacted=False)  # opened first (issue 12)
        copies.review_attachment(who, reference, copy_id, ca_id, decision="redact")
        db.session.remove()
    pdf = render_now(app, cw, reference, copy_id)
    text = ch.pdf_text(pdf)
    assert "Bijlage 1" in text
    for leak in ("Ineke", "Bosman", "1234567"):
        assert leak not in text
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as merged:
        assert "Bosman" not in str(merged.docinfo) and "Ineke" not in str(merged.docinfo)
        assert len(merged.pages) > 1
    with app.app_context():
        copies.mark_reviewed(who, reference, copy_id)
        db.session.remove()


def test_art14_2_final_gate_stops_a_copy_that_still_shows_the_reporter(app, make_staff):
    """Threat model T9, the last wall: if anything lets the reporter's name through (here
    a caseworker lifts the automatic redactions without a sensitive ground, as a bug
    would), the rendered file's own text is searched and the review is refused."""
    cw = make_staff("caseworker")
    dossier_id = import_doc(app)
    reference = verified_request(app, cw)
    copy_id = make_copy(app, cw, reference, dossier_id, "p2")
    with app.app_context():
        # As a defect would: the reporter's redactions silently dropped from the copy.
        c = get_copy(app, copy_id)
        for r in list(c.redactions):
            if r.ground == "privacy derde / bescherming melder":
                db.session.delete(r)
        db.session.commit()
        db.session.remove()
    pdf = render_now(app, cw, reference, copy_id)
    assert "Bosman" in ch.pdf_text(pdf)  # the defect is real
    with app.app_context():
        assert get_copy(app, copy_id).render_error.startswith("final_gate:")
        with pytest.raises(copies.CopyError) as exc:
            copies.mark_reviewed(ch.actor(app, cw), reference, copy_id)
        assert exc.value.code == "final_gate"
        db.session.remove()
