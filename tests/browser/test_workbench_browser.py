"""The copy workbench in Chromium (art. 14.2): selecting words in an entry puts them in
that entry's "Wat moet weg?" field (portal/static/js/workbench.js), and axe-core finds
nothing on the workbench (WCAG 2.2 AA)."""
from __future__ import annotations

from portal.infra.extensions import db
from portal.models import Staff
from portal.services import casework, copies
from portal.services.authz import Actor
from tests.backoffice.dossier_helpers import example, make_zip

from .backoffice_navigator import StaffNavigator
from .navigator import Filing, Navigator, Person, jpeg_bytes
from .test_accessibility import Audit
from .test_correction_browser import _log_in, _staff

MARK = Person(given_names="Mark", surname="Jansen", birth_date="30-09-1985")


def test_art14_2_select_words_to_redact_and_workbench_axe(page, new_context, live_server, axe):
    from portal.models import Request
    from portal.services import dossiers as dossier_svc

    t = live_server.translator("nl")
    mark = Navigator(page, live_server.base_url, t=t)
    mark.file_request(Filing(for_whom="self", requester=MARK, rights=["afschrift"], identity_method="upload",
                             identity_file=jpeg_bytes((320, 200)), email=None))
    reference = mark.submit().reference
    staff = _staff(live_server.app)
    app = live_server.app
    with app.app_context():
        dossier_svc.import_zip_bytes(dossier_svc.CLI, make_zip(example()))
        who = Actor.of(db.session.execute(db.select(Staff).filter_by(username=staff["caseworker"][0])).scalar_one(),
                       second_factor=True)
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        for party in casework.taking_part(req):
            casework.record_check(who, reference, party.id, kind="identity", method="id_copy",
                                  document_kind="paspoort", name_matches=True, birth_date_matches=True,
                                  result="verified")
        link = copies.link_dossier(who, reference, "VT-2025-000417", "p2")
        copy = copies.create_copy(who, reference, link.id)
        copy_id = copy.id
        entry_pk = next(ce.entry_pk for ce in copy.entries if ce.entry.entry_id == "e3")
        db.session.remove()

    cw = StaffNavigator(new_context().new_page(), live_server.base_url, t=t)
    _log_in(cw, *staff["caseworker"])
    cw.goto(f"/backoffice/verzoeken/{reference}/afschrift/{copy_id}")
    audit = Audit(axe, "nl")
    audit(cw, "workbench")
    # Select "hockey" in the father's conversation (e3), as a mouse would.
    cw.page.evaluate("""(pk) => {
        const box = document.querySelector(`#stuk-${pk} [data-entry-text]`);
        const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const at = node.data.indexOf('hockey');
            if (at >= 0) {
                const range = document.createRange();
                range.setStart(node, at); range.setEnd(node, at + 6);
                const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
                document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                return;
            }
        }
        throw new Error('hockey not in the entry text');
    }""", entry_pk)
    field = cw.page.locator(f"#phrase-{entry_pk}")
    field.wait_for(state="visible")
    assert field.input_value() == "hockey"
    assert cw.page.evaluate(f"document.activeElement.id") == f"phrase-{entry_pk}"
    audit(cw, "workbench with a selection")
    audit.assert_clean()
