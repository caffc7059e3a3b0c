"""Art. 14 in Chromium: the requester fetches a released copy on the status page.

Mark Jansen (the example dossier's father) files a request for a copy through the
public pages (no e-mail: he gets a passphrase). Staff verify, link, prepare, review and
release the copy through the services; the caseworker gives him a one-time code by
phone. Mark logs in with his passphrase, opens "Afschrift ophalen", sends the form
empty (errors), then with the code and his passphrase again, and the PDF downloads:
his copy, without the reporter. axe-core checks the status and download pages (WCAG
2.2 AA) in Dutch and English. With portal.js running, the form is posted by the
browser itself: a fetched post would spend the one-time code before the download."""
from __future__ import annotations

import io

import pytest

from portal.infra.extensions import db
from portal.models import Request, Staff, utcnow
from portal.services import casework, copies
from portal.services import dossiers as dossier_svc
from portal.services.authz import Actor
from tests.backoffice.dossier_helpers import example, make_zip

from .navigator import Filing, Navigator, Person, jpeg_bytes
from .test_accessibility import LANGS, Audit

MARK = Person(given_names="Mark", surname="Jansen", birth_date="30-09-1985")


def _actor(live_app) -> Actor:
    staff = Staff(username="cw-copy", display_name="Test caseworker", role="caseworker",
                  password_hash="x", confidentiality_recorded_at=utcnow())
    db.session.add(staff)
    db.session.commit()
    return Actor.of(staff, second_factor=True)


def _prepare_and_release(live_app, reference: str) -> str:
    """What the back office does (tested page by page in tests/backoffice): the one-time
    code the caseworker reads out on the phone."""
    with live_app.app_context():
        dossier_svc.import_zip_bytes(dossier_svc.CLI, make_zip(example()))
        who = _actor(live_app)
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        for party in casework.taking_part(req):
            casework.record_check(who, reference, party.id, kind="identity", method="id_copy",
                                  document_kind="paspoort", name_matches=True, birth_date_matches=True,
                                  result="verified")
        link = copies.link_dossier(who, reference, "VT-2025-000417", "p2")
        copy_id = copies.create_copy(who, reference, link.id).id
        copies.request_render(who, reference, copy_id)
        copies.mark_reviewed(who, reference, copy_id)
        c = copies.release(who, reference, copy_id)
        code = copies.new_code(who, reference, copy_id, c.deliveries[0].id)
        db.session.remove()
    return code


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join("\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).split())


@pytest.mark.parametrize("lang", LANGS)
def test_art14_copy_download_with_passphrase_and_one_time_code(lang, page, live_server, axe):
    audit = Audit(axe, lang)
    t = live_server.translator(lang)
    mark = Navigator(page, live_server.base_url, t=t)
    mark.set_language(lang, "/")
    mark.file_request(Filing(for_whom="self", requester=MARK, rights=["afschrift"], identity_method="upload",
                             identity_file=jpeg_bytes((320, 200)), email=None))
    sub = mark.submit()
    code = _prepare_and_release(live_server.app, sub.reference)

    mark.status_login(sub.reference, sub.passphrase)
    audit(mark, "status page with a copy")
    mark.follow("Afschrift ophalen")
    audit(mark, "copy download")
    mark.press("Afschrift downloaden (PDF)")
    assert mark.has_error_summary()
    audit(mark, "copy download with errors")

    mark.fill("Code", code)
    mark.fill("Wachtzin", sub.passphrase)
    with page.expect_download() as info:
        mark.button("Afschrift downloaden (PDF)").click()
    data = open(info.value.path(), "rb").read()
    text = _pdf_text(data)
    assert ("Afschrift voor Mark Jansen" if lang == "nl" else "Copy for Mark Jansen") in text
    for leak in ("Bosman", "Ineke", "Lindelaan", "040-1234567"):
        assert leak not in text
    audit.assert_clean()
