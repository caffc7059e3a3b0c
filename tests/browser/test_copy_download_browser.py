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
from portal.services import copies

from .prepared import Prepared, prepare_linked_request
from .test_accessibility import LANGS, Audit


def _prepare_and_release(live_app, prepared: Prepared) -> str:
    """What the back office does (tested page by page in tests/backoffice): the one-time
    code the caseworker reads out on the phone."""
    who, reference = prepared.who, prepared.reference
    with live_app.app_context():
        copy_id = copies.create_copy(who, reference, prepared.link_id).id
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
    sub = prepare_linked_request(live_server, page, rights=["afschrift"], lang=lang)
    mark = sub.requester
    code = _prepare_and_release(live_server.app, sub)

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
