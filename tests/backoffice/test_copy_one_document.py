"""One document (issue 12, item 0; art. 14, 14.2, 15, 16 Privacyreglement Veilig Thuis):
the workbench shows exactly what the PDF prints. Mark Jansen (p2 of the example dossier)
has a granted correction (e3 improved, art. 15), an own statement (art. 16), an entry
left out whole (e5, art. 14.2) and an attachment (e6); his copy is built three ways:

- the workbench page, as a caseworker reads it through the test client;
- the PDF's document model (``copies.document_for``);
- the real PDF, rendered by the job and read back with pypdf;

and the texts and the redactions are compared entry by entry, one by one. Before this,
the workbench showed the dossier's old text of the corrected entry, had no own statement,
and counted fewer redactions than the cover letter (13 against 15)."""
from __future__ import annotations

import html
import io
import re

import pytest

from portal.infra.extensions import db
from portal.models import CopyAttachment, Dossier, DossierEntry
from portal.rules import redaction as R
from portal.services import copies, decisions
from portal.services import rectification as rx

from . import casework_helpers as ch
from .copy_helpers import MARK, import_doc, render_now
from .dossier_helpers import example, with_attachment
from .queue_helpers import answers

#: The improved text of e3: names the reporter ("Mevrouw Bosman", her school) and Lotte.
E3_NEW = ("Mark Jansen ontkent dat hij Lotte heeft geslagen. Hij zegt dat de blauwe plekken van voetbal komen. "
          "Mevrouw Bosman van Lyceum De Horst heeft hem nooit gesproken.")
#: Mark's own statement: his own words about his household stay whole (Lotte, Sanne de
#: Vries); only the reporter and his ex-partner's protected address go.
STATEMENT = ("Ik ben het niet eens met de melding. Lotte en Sanne de Vries weten dat ik nooit sla.\n"
             "I. Bosman kent ons gezin niet. Sanne woont nu aan de Lindelaan 14, dat weet ik.")
WISH = {"what_is_wrong": "Er staat dat ik zei dat de blauwe plekken van hockey komen.",
        "should_say": "Ik zei dat ze van voetbal komen."}
REQUEST = answers(MARK, rights=["correctie", "eigen_verklaring", "afschrift"],
                  details={"correctie": WISH, "eigen_verklaring": {"statement": STATEMENT}})
WITHHELD_REASONS = "Het gesprek met het kind kan nu niet worden gedeeld; het onderzoek loopt nog."


def _flat(text: str) -> str:
    return " ".join(text.split())


def _nospace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pk(app, dossier_id: str, entry_id: str) -> int:
    with app.app_context():
        pk = db.session.execute(db.select(DossierEntry.id).join(Dossier).where(
            Dossier.dossier_id == dossier_id, DossierEntry.entry_id == entry_id)).scalar_one()
        db.session.remove()
    return pk


def _call(app, fn, *args, **kw):
    with app.app_context():
        out = fn(*args, **kw)
        value = getattr(out, "id", out)
        db.session.remove()
    return value


@pytest.fixture
def marks_copy(app, logged_in, make_staff):
    """Mark's copy with all four: improved e3, his statement, e5 withheld, an attachment
    on e6 redacted to pixels. Returns (client, reference, copy_id)."""
    from PIL import Image

    client = logged_in("caseworker")
    worker = ch.actor(app, client.staff_id)
    leader = ch.actor(app, make_staff("team_leader"))
    img = io.BytesIO()
    Image.new("RGB", (400, 300), (255, 255, 255)).save(img, "PNG")
    doc, files = with_attachment(example(), entry=5, name="attachments/foto.png", data=img.getvalue(),
                                 media_type="image/png")
    dossier_id = import_doc(app, doc, files)
    ref = ch.file(app, REQUEST)
    ch.verify_everyone(app, ref, worker)
    link_id = _call(app, copies.link_dossier, worker, ref, dossier_id, "p2")

    # Art. 15: the wish becomes an item, improved, signed and carried out.
    with app.app_context():
        rx.correction_page(worker, ref)
        [item] = rx.items_of(ch.request_of(ref))
        item_id = item.id
        db.session.remove()
    _call(app, rx.link_entries, worker, ref, item_id, [_pk(app, dossier_id, "e3")])
    _call(app, rx.decide_item, worker, ref, item_id, outcome="improve", about_facts=True, new_text=E3_NEW,
          reasons="In het verslag van het gesprek stond de verkeerde sport.")
    decision_id = _call(app, rx.propose_decision, worker, ref)
    _call(app, decisions.sign, leader, ref, decision_id)
    _call(app, rx.execute, worker, ref)

    # Art. 16: his own statement, about the report.
    _call(app, rx.add_statement, worker, ref, link_id=link_id, text=STATEMENT,
          entry_pks=[_pk(app, dossier_id, "e1")])

    copy_id = _call(app, copies.create_copy, worker, ref, link_id)
    _call(app, copies.withhold_entry, worker, ref, copy_id, _pk(app, dossier_id, "e5"), "vt_task", WITHHELD_REASONS)
    with app.app_context():
        ca_id = db.session.execute(db.select(CopyAttachment.id).filter_by(copy_id=copy_id)).scalar_one()
        db.session.remove()
    _call(app, copies.open_attachment, worker, ref, copy_id, ca_id, redacted=False)  # opened first (issue 12)
    _call(app, copies.review_attachment, worker, ref, copy_id, ca_id, decision="redact")
    return client, ref, copy_id


# --- reading the workbench page ----------------------------------------------------------------

def _articles(page: str) -> dict[int, str]:
    """The workbench's entries and statements by the number the copy prints."""
    out = {}
    for m in re.finditer(r'<article class="bo-entry[^"]*"[^>]*data-number="(\d+)"[^>]*>(.*?)</article>', page, re.S):
        out[int(m.group(1))] = m.group(0)
    return out


def _text_of(fragment: str) -> str:
    return _flat(html.unescape(re.sub(r"<[^>]+>", "", fragment.replace("<br>", "\n"))))


def _printed(article: str) -> str:
    m = re.search(r"<div data-printed>(.*?)</div>", article, re.S)
    return _text_of(m.group(1)) if m else ""


def _marked_grounds(article: str) -> list[str]:
    """The grounds of the redactions in force marked in the texts (one per printed box)."""
    head = article.split("<details class=\"bo-entry-printed\">", 1)[0]
    return re.findall(r'<mark class="bo-redaction" data-ground="([^"]*)"', head)


def _listed(article: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<li id="weglating-[^"]+" value="\d+" data-ground="([^"]*)" data-origin="([^"]*)" '
                      r'data-state="([^"]*)">', article)


def _doc_text(view) -> str:
    """What the PDF prints of one entry: an entry left out whole only its line."""
    if view.withheld_label:
        return view.withheld_label
    parts = [s.text for s in view.title] + [s.text for s in view.text]
    return _flat(" ".join(p for p in parts if p))


def _pdftotext(data: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it (a second reader beside pypdf)."""
    import subprocess

    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")


def _one_document(app, client, ref: str, copy_id: int, *, reader=ch.pdf_text):
    """The workbench page, the PDF's model and the real PDF of the copy as it is now,
    compared entry by entry and redaction by redaction (asserts); returns the three."""
    page = client.get(f"/backoffice/verzoeken/{ref}/afschrift/{copy_id}").get_data(as_text=True)
    articles = _articles(page)
    with app.app_context():
        doc = copies.document_for(_copy(copy_id), draft=True)
        db.session.remove()
    pdf_text = _flat(reader(render_now(app, client.staff_id, ref, copy_id)))
    entries_part = pdf_text[pdf_text.rindex("De stukken uit het dossier"):]
    # Without the page footers, which fall between the lines of a text at a page break.
    entries_part = re.sub(r"(?:CONCEPT )?Afschrift voor .{0,80}? pagina \d+ van \d+", " ", entries_part)

    # The same entries, in the same order with the same numbers: Mark's five, his statement.
    assert sorted(articles) == [e.number for e in doc.entries] == [1, 2, 3, 4, 5, 6]
    for view in doc.entries:
        article = articles[view.number]
        # The text the workbench says the copy prints is the text of the PDF's model ...
        assert _nospace(_printed(article)) == _nospace(_doc_text(view)), view.number
        # ... and it is in the real PDF (title, text: the PDF puts the date and kind between).
        if view.withheld_label:
            assert _nospace(view.withheld_label) in _nospace(entries_part)
            assert "bo-entry--withheld" in article.split(">", 1)[0]
            continue
        for piece in (view.title, view.text):
            assert _nospace("".join(s.text for s in piece)) in _nospace(entries_part), view.number
        boxes = [s.text for s in view.title + view.text if s.redacted]
        # Redactions one by one: each box the PDF prints is a marked redaction on the
        # workbench, in the same place in the order, with the ground that prints the same label.
        assert [R.LABELS[g] for g in _marked_grounds(article)] == boxes, view.number
    # The counts: the workbench's, the redactions it lists, the cover letter's, the model's.
    total = int(re.search(r'id="printed-total" data-total="(\d+)"', page).group(1))
    listed_in_force = sum(1 for n, a in articles.items() if "bo-entry--withheld" not in a.split(">", 1)[0]
                          for _g, _o, state in _listed(a) if state != "lifted")
    letter = sum(int(n) for n in re.findall(r"\((\d+) keer\)\. Stukjes tekst weggelaten", pdf_text))
    model = sum(w.count for w in doc.withheld if w.explanation == "Stukjes tekst weggelaten")
    assert total == listed_in_force == letter == model
    # Every box the entries print is in the real PDF's entries, and nothing more.
    assert entries_part.count("[weggelaten:") == sum(
        len([s for s in e.title + e.text if s.redacted]) for e in doc.entries if not e.withheld_label)
    return page, doc, pdf_text


def test_art14_art15_art16_the_workbench_shows_what_the_pdf_prints_one_by_one(app, marks_copy):
    client, ref, copy_id = marks_copy
    page, doc, pdf_text = _one_document(app, client, ref, copy_id)
    articles = _articles(page)
    statement_view = next(e for e in doc.entries if e.kind_label == "Eigen verklaring")
    assert 'data-statement="' in articles[statement_view.number]

    # The corrected entry: the new text on the workbench, not the dossier's old one.
    e3 = next(a for a in articles.values() if 'data-entry="e3"' in a)
    assert 'data-field="amended"' in e3 and "van voetbal komen" in e3 and "van hockey komen" not in e3
    assert {g for g, _o, _s in _listed(e3)} >= {R.REPORTER_PROTECTION, R.THIRD_PARTY}
    assert "Mevrouw Bosman" not in pdf_text and "Lyceum De Horst" not in pdf_text

    # The own statement: in full, his household's names included; the reporter and the
    # protected address taken out, and listed on the workbench for review.
    st = articles[statement_view.number]
    assert "Lotte en Sanne de Vries weten dat ik nooit sla." in pdf_text
    assert "Lotte en Sanne de Vries weten dat ik nooit sla." in _printed(st)
    assert "Bosman" not in pdf_text and "Lindelaan" not in pdf_text
    assert sorted(g for g, _o, _s in _listed(st)) == sorted([R.REPORTER_PROTECTION, R.SAFETY])
    assert int(re.search(r'id="printed-total" data-total="(\d+)"', page).group(1)) > 0

    # The withheld entry prints its line only.
    e5 = next(a for a in articles.values() if 'data-entry="e5"' in a)
    assert _printed(e5).startswith("Dit stuk is niet opgenomen")



def _copy(copy_id: int):
    from portal.models import Copy

    return db.session.get(Copy, copy_id)


def test_art14_2_art16_the_statement_keeps_the_names_the_person_wrote():
    """Art. 16: the statement is shown in full; only the reporter (art. 14.2) and a
    protected person's whereabouts are ever taken from it (``statement_spans``)."""
    import json
    from pathlib import Path

    from portal.rules.selection import Person

    data = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "dossiers" / "example" / "dossier.json")
                      .read_text(encoding="utf-8"))
    persons = [Person.from_export(p) for p in data["persons"]]
    from portal.services.copies.amendments import statement_spans

    spans = statement_spans(STATEMENT, persons, "p2")
    kept = R.apply(STATEMENT, spans)
    assert "Lotte en Sanne de Vries weten" in kept and "Sanne woont nu aan" in kept
    assert "Bosman" not in kept and "Lindelaan" not in kept and "14" not in kept
    assert sorted(s.ground for s in spans) == sorted([R.REPORTER_PROTECTION, R.SAFETY])


def test_art14_2_art15_a_hand_redaction_of_an_improved_entry_is_made_in_its_new_text(app, marks_copy):
    """Art. 14.2, 15 (issue 12 item 0): "add a redaction" in an improved entry's text works
    on the new text the copy prints. Bad input: words only in the old text are not found,
    a clear error next to the form, nothing changes."""
    client, ref, copy_id = marks_copy
    page = f"/backoffice/verzoeken/{ref}/afschrift/{copy_id}"
    with app.app_context():
        c = _copy(copy_id)
        e3 = next(ce.entry_pk for ce in c.entries if ce.entry.entry_id == "e3")
        before = (len(c.redactions), c.version)
        db.session.remove()
    r = ch.post_form(client, page, f"{page}/stukken/{e3}/weglaten",
                     {"phrase": "hockey", "field": "text", "ground": R.THIRD_PARTY,
                      "reason": "Dit woord zegt te veel over de hobby's."})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"#weglaten-{e3}")
    assert "Deze woorden staan niet in dit stuk." in client.get(page).get_data(as_text=True)
    with app.app_context():
        c = _copy(copy_id)
        assert (len(c.redactions), c.version) == before
        db.session.remove()
    r = ch.post_form(client, page, f"{page}/stukken/{e3}/weglaten",
                     {"phrase": "voetbal", "field": "text", "ground": R.THIRD_PARTY,
                      "reason": "Dit woord zegt te veel over de hobby's."})
    assert r.status_code == 302
    [added] = [x for x in _rows(app, copy_id) if x.origin == "staff"]
    assert (added.field, added.entry_pk, E3_NEW[added.start:added.end]) == ("amended", e3, "voetbal")
    assert added.amendment_id is not None
    _page, _doc, pdf = _one_document(app, client, ref, copy_id, reader=_pdftotext)
    assert "voetbal" not in pdf


def _rows(app, copy_id: int) -> list:
    """The copy's stored redactions as plain values."""
    from types import SimpleNamespace as NS

    with app.app_context():
        out = [NS(id=r.id, field=r.field, start=r.start, end=r.end, ground=r.ground, origin=r.origin, state=r.state,
                  entry_pk=r.entry_pk, amendment_id=r.amendment_id, statement_id=r.statement_id)
               for r in _copy(copy_id).redactions]
        db.session.remove()
    return out


def _restrictions(app, copy_id: int) -> list[str]:
    with app.app_context():
        out = copies.restrictions(_copy(copy_id))
        db.session.remove()
    return out


def test_issue12_item0_art15_art16_every_redaction_of_the_amended_text_and_the_statement_is_reviewed_like_any(
        app, marks_copy, make_staff):
    """Issue 12 item 0; art. 14.2, 15, 16, 20.4: every redaction in the new text of the
    corrected entry and in the own statement is a stored one with an id on the workbench;
    it can be confirmed, and lifted with a reason (the reporter's only with a team leader's
    signature, as anywhere); after each action the workbench, the PDF's model and the PDF
    read back with pdftotext agree one by one. In the statement only the reporter's and a
    protected address's ground can be added by hand."""
    client, ref, copy_id = marks_copy
    url = f"/backoffice/verzoeken/{ref}/afschrift/{copy_id}"
    page = client.get(url).get_data(as_text=True)
    rows = _rows(app, copy_id)
    amended = [r for r in rows if r.field == "amended"]
    statement = [r for r in rows if r.field == "statement"]
    assert amended and all(r.amendment_id and r.entry_pk and r.statement_id is None for r in amended)
    assert sorted(r.ground for r in statement) == sorted([R.REPORTER_PROTECTION, R.SAFETY])
    assert all(r.statement_id and r.entry_pk is None for r in statement)
    for r in amended + statement:
        assert f'id="weglating-{r.id}"' in page
        assert f"{url}/weglatingen/{r.id}/bevestigen" in page and f"{url}/weglatingen/{r.id}/opheffen" in page
    assert "data-made" not in page
    _one_document(app, client, ref, copy_id, reader=_pdftotext)

    def state(rid):
        return next(r.state for r in _rows(app, copy_id) if r.id == rid)

    # Confirm a redaction of the new text.
    other = next(r for r in amended if r.ground == R.THIRD_PARTY)
    words = E3_NEW[other.start:other.end]
    assert ch.post_form(client, url, f"{url}/weglatingen/{other.id}/bevestigen", {}).status_code == 302
    assert state(other.id) == "confirmed"
    _one_document(app, client, ref, copy_id, reader=_pdftotext)

    # Lift it: not without a reason (nothing changes), then with one: the words print.
    ch.post_form(client, url, f"{url}/weglatingen/{other.id}/opheffen", {"reason": "kort"})
    assert state(other.id) == "confirmed"
    ch.post_form(client, url, f"{url}/weglatingen/{other.id}/opheffen",
                 {"reason": "Dit is de naam van zijn dochter; hij kent haar en mag die lezen."})
    assert state(other.id) == "lifted"
    page, _doc, pdf = _one_document(app, client, ref, copy_id, reader=_pdftotext)
    assert _flat(E3_NEW[:other.end]).split()[-1] in pdf and "sensitive_lift" not in _restrictions(app, copy_id)
    assert f'data-state="lifted"' in page.split(f'id="weglating-{other.id}"', 1)[1][:200]

    # The reporter in his statement: lifting it needs a team leader's signature.
    reporter = next(r for r in statement if r.ground == R.REPORTER_PROTECTION)
    shown = STATEMENT[reporter.start:reporter.end]
    assert "Bosman" in shown
    ch.post_form(client, url, f"{url}/weglatingen/{reporter.id}/opheffen",
                 {"reason": "De melder heeft zelf toestemming gegeven haar naam te noemen."})
    assert state(reporter.id) == "lifted"
    _page, _doc, pdf = _one_document(app, client, ref, copy_id, reader=_pdftotext)
    assert _flat(shown) in pdf
    assert "sensitive_lift" in _restrictions(app, copy_id)
    worker = ch.actor(app, client.staff_id)
    _call(app, copies.mark_reviewed, worker, ref, copy_id)
    with app.app_context(), pytest.raises(copies.CopyError) as err:
        copies.release(worker, ref, copy_id)
    assert err.value.code == "not_signed"
    with app.app_context():
        db.session.rollback()
        db.session.remove()
    leader = ch.actor(app, make_staff("team_leader"))
    with app.app_context():  # the team leader sees the statement's words they sign for
        from portal.services import inbox

        lines = [(ln.what, ln.text) for ln in inbox.copy_to_sign(leader, ref, copy_id).lines]
        db.session.remove()
    assert ("sensitive_lift", shown) in lines
    _call(app, copies.sign, leader, ref, copy_id)

    # Confirming it again makes a new draft version, the redaction back in force.
    ch.post_form(client, url, f"{url}/weglatingen/{reporter.id}/bevestigen", {})
    assert state(reporter.id) == "confirmed" and "sensitive_lift" not in _restrictions(app, copy_id)

    # Adding in the statement: the reporter's or a protected address's ground only.
    st_id = reporter.statement_id
    before = len(_rows(app, copy_id))
    r = ch.post_form(client, url, f"{url}/verklaringen/{st_id}/weglaten",
                     {"phrase": "Lotte", "ground": R.THIRD_PARTY, "reason": "Zijn dochter hoeft hier niet te staan."})
    assert r.headers["Location"].endswith(f"#verklaring-weglaten-{st_id}")
    assert "Uit een eigen verklaring mag alleen iets over de melder" in client.get(url).get_data(as_text=True)
    assert len(_rows(app, copy_id)) == before
    ch.post_form(client, url, f"{url}/verklaringen/{st_id}/weglaten",
                 {"phrase": "kent ons gezin niet", "ground": R.REPORTER_PROTECTION,
                  "reason": "Zo is te herleiden wie de melding deed."})
    [added] = [r for r in _rows(app, copy_id) if r.field == "statement" and r.origin == "staff"]
    assert (added.statement_id, STATEMENT[added.start:added.end]) == (st_id, "kent ons gezin niet")
    _page, _doc, pdf = _one_document(app, client, ref, copy_id, reader=_pdftotext)
    assert "kent ons gezin niet" not in pdf and "Lotte en Sanne de Vries weten dat ik nooit sla." in pdf


#: A second correction of e3: "Lotte" and "voetbal" stay, the words around them change.
E3_NEWER = ("Mark Jansen zegt opnieuw dat hij Lotte nooit heeft geslagen. De plekken komen van voetbal. "
            "Mevrouw Bosman van Lyceum De Horst sprak hem niet.")


def test_issue12_item0_art15_redactions_are_made_again_when_a_correction_lands_and_decisions_stay(app, marks_copy):
    """Issue 12 item 0, art. 15: opening the workbench again changes nothing (a lifted
    redaction stays lifted); a new correction of the entry while the copy is a draft
    makes its redactions again from the new text, the detector runs over it, a decision
    on the same words carries over and a caseworker's own redaction follows its words."""
    from portal.models import EntryAmendment
    from portal.services.rectification import copies_to_redo
    from portal.services import signals

    client, ref, copy_id = marks_copy
    url = f"/backoffice/verzoeken/{ref}/afschrift/{copy_id}"
    worker = ch.actor(app, client.staff_id)
    rows = _rows(app, copy_id)
    lotte = next(r for r in rows if r.field == "amended" and E3_NEW[r.start:r.end] == "Lotte")
    _call(app, copies.lift, worker, ref, copy_id, lotte.id, "Dit is zijn dochter; hij mag haar naam lezen.")
    with app.app_context():
        e3 = next(ce.entry_pk for ce in _copy(copy_id).entries if ce.entry.entry_id == "e3")
        db.session.remove()
    _call(app, copies.add_redaction, worker, ref, copy_id, entry_pk=e3, field="text", ground=R.THIRD_PARTY,
          reason="Dit woord zegt te veel over de hobby's.", phrase="voetbal")
    before = {(r.id, r.state) for r in _rows(app, copy_id)}
    client.get(url)
    assert {(r.id, r.state) for r in _rows(app, copy_id)} == before

    with app.app_context():
        c = _copy(copy_id)
        old_amendment = lotte.amendment_id
        db.session.add(EntryAmendment(entry_pk=e3, kind="improve", new_text=E3_NEWER,
                                      decided_on=db.session.get(EntryAmendment, old_amendment).decided_on))
        redo = copies_to_redo({c.link.dossier_pk})
        db.session.commit()
        for cid in redo:
            signals.copy_texts_changed.send(cid)
        db.session.remove()
    assert redo == [copy_id]
    rows = _rows(app, copy_id)
    amended = [r for r in rows if r.field == "amended"]
    assert amended and {r.amendment_id for r in amended} != {old_amendment} and len({r.amendment_id for r in amended}) == 1
    by_words = {E3_NEWER[r.start:r.end]: r for r in amended}
    assert by_words["Lotte"].state == "lifted" and by_words["voetbal"].origin == "staff"
    assert any("Bosman" in w and r.state == "applied" for w, r in by_words.items())
    with app.app_context():
        assert _copy(copy_id).detector_state == "done"
        db.session.remove()
    _page, _doc, pdf = _one_document(app, client, ref, copy_id, reader=_pdftotext)
    assert "zegt opnieuw dat hij Lotte nooit heeft geslagen" in pdf and "voetbal" not in pdf
    assert "Bosman" not in pdf


def test_art14_2_an_attachment_keeps_the_family_name_the_person_shares():
    """Issue 12, in attachments too: in Mark Jansen's copy "Lotte Jansen" and "Lotte" are
    looked for, "Jansen" alone is not (it is his own name); the reporter's family name
    is."""
    from types import SimpleNamespace as NS

    from portal.services.copies.workbench import other_persons_strings

    def person(pid, role, given, family):
        return NS(person_id=pid, role=role, given_names=given, family_name=family, addresses=[], phones=[],
                  emails=[], bsn=None, organisation=None, birth_date=None)

    mark = person("p2", "subject", "Mark", "Jansen")
    people = [mark, person("p3", "subject", "Lotte", "Jansen"), person("p5", "reporter", "Ineke", "Bosman")]
    needles = other_persons_strings(NS(link=NS(person=mark, dossier=NS(persons=people))))
    assert "Lotte Jansen" in needles and "Lotte" in needles
    assert "Jansen" not in needles and "Mark" not in needles
    assert "Bosman" in needles and "Ineke Bosman" in needles


def test_issue12_item0_art15_the_second_detector_runs_over_the_amended_text_again(app, marks_copy, monkeypatch):
    """Issue 12 item 0, art. 14.2, 15: the background detector pass (``run_detection``)
    hands the new text of an improved entry to deduce as well (where it is installed),
    and what it finds is a stored redaction of that text; the own statement never goes
    to a detector (art. 16). Deduce itself is stood in for: it takes a GB to load."""
    from types import SimpleNamespace as NS

    from portal.documents import detection_deduce

    client, ref, copy_id = marks_copy
    seen = []

    def fake(text):
        seen.append(text)
        at = text.find("blauwe plekken")
        return [NS(start=at, end=at + len("blauwe plekken"), kind="other")] if at >= 0 else []

    monkeypatch.setitem(app.config, "DETECTOR_DEDUCE", True)
    monkeypatch.setattr(detection_deduce, "deduce_available", lambda: True)
    monkeypatch.setattr(detection_deduce, "detect_with_deduce", fake)
    with app.app_context():
        assert copies.run_detection(copy_id) >= 1
        db.session.remove()
    # The detector reads each text with the person's own identifiers blanked (same length).
    def _read(text):
        return any(len(x) == len(text) and text.split(" Mevrouw")[0][-30:] in x for x in seen)

    assert _read(E3_NEW) and not any(len(x) == len(STATEMENT) and "ons gezin" in x for x in seen)
    [hit] = [r for r in _rows(app, copy_id) if r.field == "amended" and E3_NEW[r.start:r.end] == "blauwe plekken"]
    assert (hit.origin, hit.ground, hit.state) == ("detector", R.THIRD_PARTY, "applied")
    _page, _doc, pdf = _one_document(app, client, ref, copy_id, reader=_pdftotext)
    assert "blauwe plekken" not in pdf


def test_issue12_item0_art16_a_statement_added_while_the_copy_is_a_draft_gets_its_redactions(app, logged_in):
    """Issue 12 item 0, art. 16: an own statement added after the copy was made is in the
    copy with its redactions stored (the reporter, the protected address), at once; the
    copy is a new draft version to render and check."""
    client = logged_in("caseworker")
    worker = ch.actor(app, client.staff_id)
    dossier_id = import_doc(app)
    ref = ch.file(app, answers(MARK, rights=["eigen_verklaring", "afschrift"],
                               details={"eigen_verklaring": {"statement": STATEMENT}}))
    ch.verify_everyone(app, ref, worker)
    link_id = _call(app, copies.link_dossier, worker, ref, dossier_id, "p2")
    copy_id = _call(app, copies.create_copy, worker, ref, link_id)
    assert not [r for r in _rows(app, copy_id) if r.field == "statement"]
    with app.app_context():
        version = _copy(copy_id).version
        db.session.remove()
    st_id = _call(app, rx.add_statement, worker, ref, link_id=link_id, text=STATEMENT,
                  entry_pks=[_pk(app, dossier_id, "e1")])
    made = [r for r in _rows(app, copy_id) if r.field == "statement"]
    assert {r.statement_id for r in made} == {st_id}
    assert sorted(r.ground for r in made) == sorted([R.REPORTER_PROTECTION, R.SAFETY])
    with app.app_context():
        c = _copy(copy_id)
        assert c.version > version and c.status == "draft" and c.detector_state == "done"
        db.session.remove()
    page = client.get(f"/backoffice/verzoeken/{ref}/afschrift/{copy_id}").get_data(as_text=True)
    for r in made:
        assert f'id="weglating-{r.id}"' in page


def test_issue12_item0_a_copy_made_before_the_rows_were_stored_gets_them_when_opened(app, marks_copy):
    """Issue 12 item 0 (migration 7c41e2b9d0a3): a copy made before the redactions of its
    amended text and statement were stored gets them, from the same rules, when the
    workbench opens it: a new version (an older PDF cannot be released), the detector
    over the texts again; opening it once more changes nothing."""
    from portal.models import CopyRedaction

    client, ref, copy_id = marks_copy
    url = f"/backoffice/verzoeken/{ref}/afschrift/{copy_id}"
    before = sorted((r.field, r.start, r.end, r.ground) for r in _rows(app, copy_id)
                    if r.field in ("amended", "statement") and r.origin != "detector")
    with app.app_context():
        db.session.execute(db.delete(CopyRedaction).where(CopyRedaction.copy_id == copy_id,
                                                          CopyRedaction.field.in_(("amended", "statement"))))
        db.session.commit()
        version = _copy(copy_id).version
        db.session.remove()
    client.get(url)
    after = _rows(app, copy_id)
    assert sorted((r.field, r.start, r.end, r.ground) for r in after
                  if r.field in ("amended", "statement") and r.origin != "detector") == before
    with app.app_context():
        assert _copy(copy_id).version > version and _copy(copy_id).detector_state == "done"
        version = _copy(copy_id).version
        db.session.remove()
    client.get(url)
    assert {r.id for r in _rows(app, copy_id)} == {r.id for r in after}
    with app.app_context():
        assert _copy(copy_id).version == version
        db.session.remove()
    _one_document(app, client, ref, copy_id, reader=_pdftotext)


def test_issue12_item0_item3_art16_actions_in_an_own_statement_answer_in_place(app, marks_copy):
    """Issue 12 items 0 and 3, art. 16: confirming and lifting a redaction of the own
    statement, and adding one to it, answer in place for the workbench's script like an
    entry's: the answer holds the statement with its changed redaction; a lift without a
    reason answers 422 with the error next to that form and changes nothing."""
    client, ref, copy_id = marks_copy
    url = f"/backoffice/verzoeken/{ref}/afschrift/{copy_id}"
    in_place = {"X-Workbench": "in-place"}
    reporter = next(r for r in _rows(app, copy_id) if r.field == "statement" and r.ground == R.REPORTER_PROTECTION)
    st = reporter.statement_id

    answer = ch.post_form(client, url, f"{url}/weglatingen/{reporter.id}/bevestigen", {}, headers=in_place)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert f'id="verklaring-{st}"' in html
    assert 'data-state="confirmed"' in html.split(f'id="weglating-{reporter.id}"', 1)[1][:300]

    answer = ch.post_form(client, url, f"{url}/weglatingen/{reporter.id}/opheffen", {"reason": "kort"}, headers=in_place)
    assert answer.status_code == 422
    assert f'id="weglating-{reporter.id}-error"' in answer.get_data(as_text=True)
    assert next(r.state for r in _rows(app, copy_id) if r.id == reporter.id) == "confirmed"

    before = len(_rows(app, copy_id))
    answer = ch.post_form(client, url, f"{url}/verklaringen/{st}/weglaten",
                          {"phrase": "ons gezin", "ground": R.REPORTER_PROTECTION,
                           "reason": "Deze woorden wijzen naar de melder."}, headers=in_place)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    assert f'id="verklaring-{st}"' in answer.get_data(as_text=True)
    assert len(_rows(app, copy_id)) == before + STATEMENT.count("ons gezin")
