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


def test_art14_art15_art16_the_workbench_shows_what_the_pdf_prints_one_by_one(app, marks_copy):
    client, ref, copy_id = marks_copy
    page = client.get(f"/backoffice/verzoeken/{ref}/afschrift/{copy_id}").get_data(as_text=True)
    articles = _articles(page)
    with app.app_context():
        doc = copies.document_for(_copy(copy_id), draft=True)
        db.session.remove()
    pdf_text = _flat(ch.pdf_text(render_now(app, client.staff_id, ref, copy_id)))
    entries_part = pdf_text[pdf_text.rindex("De stukken uit het dossier"):]
    # Without the page footers, which fall between the lines of a text at a page break.
    entries_part = re.sub(r"(?:CONCEPT )?Afschrift voor .{0,80}? pagina \d+ van \d+", " ", entries_part)

    # The same entries, in the same order with the same numbers: Mark's five, his statement.
    assert sorted(articles) == [e.number for e in doc.entries] == [1, 2, 3, 4, 5, 6]
    statement_view = next(e for e in doc.entries if e.kind_label == "Eigen verklaring")
    assert 'data-statement="' in articles[statement_view.number]

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

    # The withheld entry prints its line only.
    e5 = next(a for a in articles.values() if 'data-entry="e5"' in a)
    assert _printed(e5).startswith("Dit stuk is niet opgenomen")

    # The counts: the workbench's, the redactions it lists, the cover letter's, the model's.
    total = int(re.search(r'id="printed-total" data-total="(\d+)"', page).group(1))
    listed_in_force = sum(1 for n, a in articles.items() if "bo-entry--withheld" not in a.split(">", 1)[0]
                          for _g, _o, state in _listed(a) if state != "lifted")
    letter = sum(int(n) for n in re.findall(r"\((\d+) keer\)\. Stukjes tekst weggelaten", pdf_text))
    model = sum(w.count for w in doc.withheld if w.explanation == "Stukjes tekst weggelaten")
    assert total == listed_in_force == letter == model > 0
    # Every box the entries print is in the real PDF's entries, and nothing more.
    assert entries_part.count("[weggelaten:") == sum(
        len([s for s in e.title + e.text if s.redacted]) for e in doc.entries if not e.withheld_label)


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


def test_art14_2_art15_a_hand_redaction_of_an_improved_entrys_old_text_is_refused(app, marks_copy):
    """Bad input: the old text of an improved entry is not printed; redacting a phrase in
    it would change nothing in the copy. A clear error; nothing changes."""
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
    shown = client.get(page).get_data(as_text=True)
    assert "Dit stuk is verbeterd (artikel 15)." in shown
    with app.app_context():
        c = _copy(copy_id)
        assert (len(c.redactions), c.version) == before
        db.session.remove()


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
