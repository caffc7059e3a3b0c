"""The workbench's in-place answer without the whole copy (issue 12 item 3, speed; items
0 and 3: the workbench shows what the PDF prints; art. 14.2, 15, 16 Privacyreglement VT).

The answer to an action builds only the entry acted on (``copies.entry_parts``) and
counts the redactions with one aggregate (``copies.tally``) instead of the whole
document model. Here, on Mark Jansen's copy with an improved entry (art. 15), his own
statement (art. 16), an entry left out whole and a redacted attachment, after each kind
of action (confirm, lift, add, withhold, restore; on an entry, on the improved entry's
new text and on the own statement) the in-place answer's entry, counts and state of the
copy are exactly those of the full page read afterwards, and the aggregate's counts
are those of the cover letter's model (``copy_model``).
"""
from __future__ import annotations

import io
import re

from portal.infra.extensions import db
from portal.models import Copy
from portal.rules import redaction as R
from portal.services import copies

from . import casework_helpers as ch
from .test_copy_one_document import _rows, marks_copy  # noqa: F401 - the fixture: Mark's copy with all four

IN_PLACE = {"X-Workbench": "in-place"}
REASON = "De aanvrager kent dit al uit het gesprek."


def _plain(html: str) -> str:
    """Without the CSRF tokens (signed with the time: each answer has its own)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


def _section(html: str, tag: str, ident: str) -> str:
    m = re.search(rf'<{tag}\b[^>]*\bid="{ident}".*?</{tag}>', html, re.S)
    assert m, ident
    return m.group(0)


def _articles(html: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in
            re.finditer(r'<article class="bo-entry[^"]*" id="((?:stuk|verklaring)-\d+)".*?</article>', html, re.S)}


def _model_counts(app, copy_id: int) -> tuple[dict, dict]:
    with app.app_context():
        copy = db.session.get(Copy, copy_id)
        out = copies.copy_model(copy).counts, copies.tally(copy).counts
        db.session.remove()
    return out


def _same_as_full_page(app, client, url: str, copy_id: int, answer) -> None:
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    part = _plain(answer.get_data(as_text=True))
    full = _plain(client.get(url).get_data(as_text=True))
    shown = _articles(part)
    assert shown
    page = _articles(full)
    for anchor, article in shown.items():
        assert article == page[anchor], anchor  # the same entry, number, texts, redactions and their numbers
    assert _section(part, "section", "telling") == _section(full, "section", "telling")
    assert _section(part, "section", "stappen") == _section(full, "section", "stappen")
    model, tally = _model_counts(app, copy_id)
    assert model == tally
    total = int(re.search(r'id="printed-total" data-total="(\d+)"', part).group(1))
    assert total == sum(model.values())


def test_issue12_item3_the_in_place_answer_equals_the_full_page_after_each_kind_of_action(app, marks_copy):
    """Issue 12 item 3 (each action in place, the workbench = the PDF): confirm, lift
    and add in an entry, in the improved entry's new text (art. 15) and in the own
    statement (art. 16), withhold and restore an entry: the in-place answer's entry
    (printed number, texts, every redaction and its number), the counts per ground and
    the cover letter's total, and the state of the copy equal the full page's, and the
    aggregate counts equal the document model's."""
    client, ref, copy_id = marks_copy
    url = f"/backoffice/verzoeken/{ref}/afschrift/{copy_id}"
    rows = _rows(app, copy_id)
    amended = [r for r in rows if r.field == "amended"]
    statement = [r for r in rows if r.field == "statement"]
    plain = [r for r in rows if r.field == "text" and r.entry_pk not in {a.entry_pk for a in amended}]
    assert amended and statement and len(plain) >= 2

    def act(path, data=None):
        answer = ch.post_form(client, url, f"{url}/{path}", data or {}, headers=IN_PLACE)
        _same_as_full_page(app, client, url, copy_id, answer)
        return answer

    act(f"weglatingen/{plain[0].id}/bevestigen")
    act(f"weglatingen/{plain[1].id}/opheffen", {"reason": REASON})
    act(f"weglatingen/{amended[0].id}/bevestigen")
    act(f"weglatingen/{amended[-1].id}/opheffen", {"reason": REASON})
    act(f"stukken/{amended[0].entry_pk}/weglaten", {"phrase": "voetbal", "field": "text", "ground": R.THIRD_PARTY,
                                                    "reason": REASON})
    act(f"stukken/{plain[0].entry_pk}/weglaten", {"phrase": "Lotte", "field": "text", "ground": R.TASK,
                                                  "reason": REASON})
    act(f"weglatingen/{statement[0].id}/bevestigen")
    act(f"weglatingen/{statement[-1].id}/opheffen", {"reason": REASON})
    act(f"verklaringen/{statement[0].statement_id}/weglaten", {"phrase": "ons gezin", "ground": R.REPORTER_PROTECTION,
                                                               "reason": REASON})
    act(f"stukken/{plain[0].entry_pk}/niet-opnemen", {"ground": "vt_task", "reasons": REASON})
    act(f"stukken/{amended[0].entry_pk}/niet-opnemen", {"ground": "vt_task", "reasons": REASON})
    act(f"stukken/{amended[0].entry_pk}/toch-opnemen")
    act(f"stukken/{plain[0].entry_pk}/toch-opnemen")
    # The entry left out whole (e5) taken in again, and the entry with the redacted
    # attachment (its line "Bijlage 1" as printed).
    with app.app_context():
        copy = db.session.get(Copy, copy_id)
        withheld = next(ce.entry_pk for ce in copy.entries if ce.withheld)
        attached = copy.attachments[0].attachment.entry_pk
        db.session.remove()
    act(f"stukken/{withheld}/toch-opnemen")
    act(f"stukken/{attached}/weglaten", {"phrase": "Lotte", "field": "text", "ground": R.THIRD_PARTY,
                                          "reason": REASON})
    # Every entry built alone is the entry of the whole model, as the PDF prints it: its
    # number (the own statement counted where it falls), the line "Bijlage 1", the texts.
    with app.app_context():
        copy = db.session.get(Copy, copy_id)
        model = copies.copy_model(copy)
        whole = {p.copy_entry.entry_pk: p for p in model.parts if p.copy_entry is not None}
        alone, _tally = copies.entry_parts(copy, whole)
        assert [p.view for p in alone] == [whole[p.copy_entry.entry_pk].view for p in alone]
        assert len(alone) == len(whole) and any("Bijlage 1:" in line for p in alone for line in p.view.attachment_lines)
        # The marks as a set: rows with the same start come in either order (the page sorts them).
        assert [(p.title, p.text, p.text_field, sorted(m.id for m in p.marks)) for p in alone] == \
            [(whole[p.copy_entry.entry_pk].title, whole[p.copy_entry.entry_pk].text, whole[p.copy_entry.entry_pk].text_field,
              sorted(m.id for m in whole[p.copy_entry.entry_pk].marks)) for p in alone]
        # An own statement added on the day of an entry in the middle: after it, before the next.
        from datetime import datetime, time

        from portal.models import OwnStatement

        middle = sorted(whole.values(), key=lambda p: p.view.number)[len(whole) // 2].copy_entry.entry.date
        for st in db.session.execute(db.select(OwnStatement)).scalars():
            st.added_at = datetime.combine(middle, time(12))
        db.session.commit()
        copy = db.session.get(Copy, copy_id)
        model = copies.copy_model(copy)
        whole = {p.copy_entry.entry_pk: p for p in model.parts if p.copy_entry is not None}
        assert model.parts[-1].statement is None  # the statement is no longer last
        alone, tally = copies.entry_parts(copy, whole)
        assert [p.view for p in alone] == [whole[p.copy_entry.entry_pk].view for p in alone]
        assert tally.counts == model.counts
        db.session.remove()


def test_issue12_item3_item4_a_withheld_entrys_attachment_is_not_counted_before_the_next(app, logged_in):
    """Issue 12 items 3 and 4, art. 14.2: a withheld entry prints none of its attachments,
    so a redacted attachment of a later entry is "Bijlage 1", both in the whole model (the
    PDF) and in the entry built alone for the in-place answer."""
    from PIL import Image

    from portal.models import CopyAttachment

    from .copy_helpers import import_doc, make_copy, verified_request
    from .dossier_helpers import example, with_attachment

    client = logged_in("caseworker")
    who = ch.actor(app, client.staff_id)
    img = io.BytesIO()
    Image.new("RGB", (300, 200), (255, 255, 255)).save(img, "PNG")
    doc, first = with_attachment(example(), entry=1, name="attachments/een.png", data=img.getvalue(), media_type="image/png")
    doc, second = with_attachment(doc, entry=5, name="attachments/twee.png", data=img.getvalue(), media_type="image/png")
    dossier_id = import_doc(app, doc, {**first, **second})
    reference = verified_request(app, client.staff_id)
    copy_id = make_copy(app, client.staff_id, reference, dossier_id, "p2")
    with app.app_context():
        atts = db.session.execute(db.select(CopyAttachment).filter_by(copy_id=copy_id)).scalars().all()
        ids = [(a.id, a.attachment.entry_pk) for a in atts]
        db.session.remove()
    assert len(ids) == 2  # both entries are in Mark's copy
    with app.app_context():
        for ca_id, _pk in ids:
            copies.open_attachment(who, reference, copy_id, ca_id, redacted=False)
            copies.review_attachment(who, reference, copy_id, ca_id, decision="redact")
        earlier = min(pk for _id, pk in ids)
        copies.withhold_entry(who, reference, copy_id, earlier, "vt_task", "Dit stuk hoort niet bij deze persoon.")
        db.session.remove()
    with app.app_context():
        copy = db.session.get(Copy, copy_id)
        model = copies.copy_model(copy)
        whole = {p.copy_entry.entry_pk: p for p in model.parts if p.copy_entry is not None}
        alone, _tally = copies.entry_parts(copy, whole)
        assert [p.view for p in alone] == [whole[p.copy_entry.entry_pk].view for p in alone]
        later = max(pk for _id, pk in ids)
        assert any(line.startswith("Bijlage 1:") for line in whole[later].view.attachment_lines), whole[later].view.attachment_lines
        assert not whole[earlier].view.attachment_lines
        assert len(model.attachments) == 1
        db.session.remove()
