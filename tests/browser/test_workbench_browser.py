"""The copy workbench in Chromium (art. 14.2): selecting words in an entry puts them in
that entry's "Wat moet weg?" field (portal/static/js/workbench.js), and axe-core finds
nothing on the workbench (WCAG 2.2 AA)."""
from __future__ import annotations

from portal.infra.extensions import db
from portal.services import copies

from .prepared import prepare_linked_request, staff_browser
from .test_accessibility import Audit


def test_art14_2_select_words_to_redact_and_workbench_axe(page, new_context, live_server, axe):
    prepared = prepare_linked_request(live_server, page, rights=["afschrift"])
    reference = prepared.reference
    with live_server.app.app_context():
        copy = copies.create_copy(prepared.who, reference, prepared.link_id)
        copy_id = copy.id
        entry_pk = next(ce.entry_pk for ce in copy.entries if ce.entry.entry_id == "e3")
        db.session.remove()

    cw = staff_browser(new_context, live_server, prepared.requester.t, prepared.staff["caseworker"])
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


def test_issue12_art16_the_own_statement_on_the_workbench_select_to_redact_and_axe(page, new_context, live_server,
                                                                                   axe):
    """Issue 12 item 0, art. 16: the person's own statement on the workbench has its
    stored redactions with their forms and its own "Wat moet weg?" form (the reporter or
    a protected address only); selecting words in it fills that form; axe-core finds
    nothing."""
    from portal.models import Dossier, DossierEntry
    from portal.services import rectification as rx

    prepared = prepare_linked_request(live_server, page, rights=["afschrift", "eigen_verklaring"])
    reference = prepared.reference
    text = "Ik ben het niet eens met de melding. I. Bosman kent ons gezin niet."
    with live_server.app.app_context():
        e1 = db.session.execute(db.select(DossierEntry.id).join(Dossier).where(
            Dossier.dossier_id == prepared.dossier_id, DossierEntry.entry_id == "e1")).scalar_one()
        st = rx.add_statement(prepared.who, reference, link_id=prepared.link_id, text=text, entry_pks=[e1])
        st_id = st.id
        copy_id = copies.create_copy(prepared.who, reference, prepared.link_id).id
        db.session.remove()

    cw = staff_browser(new_context, live_server, prepared.requester.t, prepared.staff["caseworker"])
    cw.goto(f"/backoffice/verzoeken/{reference}/afschrift/{copy_id}")
    statement = cw.page.locator(f"#verklaring-{st_id}")
    assert statement.locator("li[id^='weglating-'] form").count() >= 2  # lift and confirm, stored
    audit = Audit(axe, "nl")
    audit(cw, "workbench with an own statement")
    cw.page.evaluate("""(id) => {
        const box = document.querySelector(`#verklaring-${id} [data-entry-text]`);
        const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const at = node.data.indexOf('ons gezin');
            if (at >= 0) {
                const range = document.createRange();
                range.setStart(node, at); range.setEnd(node, at + 9);
                const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
                document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                return;
            }
        }
        throw new Error('not in the statement');
    }""", st_id)
    field = cw.page.locator(f"#st-phrase-{st_id}")
    field.wait_for(state="visible")
    assert field.input_value() == "ons gezin"
    from portal.rules import redaction as R

    assert cw.page.locator(f"#st-ground-{st_id} option").evaluate_all("os => os.map(o => o.value)") == [
        R.REPORTER_PROTECTION, R.SAFETY]
    audit(cw, "workbench, a selection in the own statement")


def test_issue12_an_action_updates_its_entry_in_place_and_workbench_axe(page, new_context, live_server, axe):
    """Issue 12 item 3: confirming a redaction in Chromium changes that entry in place
    (the same document: no new page, the caseworker stays where they were), the status
    line says what happened and focus goes back to the entry; a lift without a reason
    shows its error next to that form, nothing changed; axe-core finds nothing on the
    workbench after either (WCAG 2.2 AA)."""
    import re

    from portal.models import CopyRedaction

    prepared = prepare_linked_request(live_server, page, rights=["afschrift"])
    reference = prepared.reference
    with live_server.app.app_context():
        copy = copies.create_copy(prepared.who, reference, prepared.link_id)
        copy_id = copy.id
        last = copy.entries[-1].entry_pk
        red = next(r for r in copy.redactions if r.entry_pk == last)
        red_id = red.id
        db.session.remove()

    cw = staff_browser(new_context, live_server, prepared.requester.t, prepared.staff["caseworker"])
    cw.goto(f"/backoffice/verzoeken/{reference}/afschrift/{copy_id}#stuk-{last}")
    old_html = cw.page.locator("html").element_handle()
    item = cw.page.locator(f"#weglating-{red_id}")
    item.scroll_into_view_if_needed()
    before = cw.page.evaluate("window.scrollY")
    button = item.get_by_role("button", name=re.compile("^Weglating bevestigen: "))
    assert re.match(r"^Weglating bevestigen: .+ \(stuk \d+, weglating \d+\)$", button.inner_text().replace("\n", " ")) \
        or button.get_attribute("class")
    button.click()
    status = cw.page.locator("#workbench-status")
    status.get_by_text("U heeft bevestigd dat dit stuk weg moet.").wait_for()
    assert cw.page.locator(f"#weglating-{red_id}").get_attribute("data-state") == "confirmed"
    assert cw.page.evaluate("(el) => el.isConnected", old_html)  # no new page
    assert abs(cw.page.evaluate("window.scrollY") - before) < 800  # still at that entry
    assert cw.page.evaluate("document.activeElement.closest('article') && document.activeElement.closest('article').id") \
        == f"stuk-{last}"
    audit = Audit(axe, "nl")
    audit(cw, "workbench after an action in place")

    # A lift without a reason: the error next to that form, in place; nothing changed.
    item = cw.page.locator(f"#weglating-{red_id}")
    item.locator("summary").click()
    item.get_by_role("button", name=re.compile("^Weglating opheffen: ")).click()
    error = cw.page.locator(f"#weglating-{red_id}-error")
    error.wait_for()
    assert "Schrijf waarom" in error.inner_text()
    assert cw.page.evaluate("(el) => el.isConnected", old_html)
    with live_server.app.app_context():
        assert db.session.get(CopyRedaction, red_id).state == CopyRedaction.CONFIRMED
        db.session.remove()
    audit(cw, "workbench with an error in place")
    audit.assert_clean()
