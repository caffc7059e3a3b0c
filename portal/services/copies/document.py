"""The copy's document model (``documents/copy_document.py``) from a plan or a stored copy:
every decision on its redactions, the decided corrections and own statements, and the
cover letter's lines on what was left out and why.

One model for the PDF and the workbench (issue 12): ``copy_model`` gives the document
the PDF is rendered from and, beside it, the parts each printed entry or statement is
made of (the texts as printed, every redaction with its ground, origin and state), so
that the workbench shows exactly what the PDF prints: the amended text of a corrected
entry, the person's own statements, and the counts the cover letter gives."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from flask_babel import force_locale
from ... import labels
from ...documents.copy_document import AttachmentLine, CopyDocument, EntryView, Segment, WithheldLine
from ...infra.extensions import db
from ...models import Copy, CopyAttachment, CopyEntry, CopyRedaction, DossierEntry, OwnStatement, Party, Request
from ...rules import redaction as R
from ..notices import readers_are_young
from ..timeline import today_local
from .common import (DELETE, FIELDS, IMPROVE, SHIELD, WITHHOLD_LABELS, by_entry, lang_pick,
                     requester_is_subject)
from .redact import in_force, segments
from .amendments import (SHIELD_LABEL, Effective, PlannedStatement, amended_text_spans, copy_statements,
                         effective_amendments, in_order, with_statements)
from .planning import PlannedEntry
from .texts import AMENDED, STATEMENT


GROUND_LABELS = {  # for the cover letter: (nl, en)
    R.THIRD_PARTY: ("privacy van een ander (art. 14 lid 2)", "privacy of another person (art. 14(2))"),
    R.REPORTER_PROTECTION: ("privacy van een ander (art. 14 lid 2)", "privacy of another person (art. 14(2))"),
    R.SAFETY: ("veiligheid (art. 14 lid 2)", "safety (art. 14(2))"),
    R.TASK: ("de taak van Veilig Thuis (art. 14 lid 2)", "Veilig Thuis's task (art. 14(2))"),
}
# An attachment in a draft that nobody has looked at yet: left out (never passed through).
UNREVIEWED_LABEL = ("nog niet bekeken door een medewerker", "not yet reviewed by a member of staff")
# What is blacked out in an included attachment: data about others (the identifiers of
# other persons and what staff boxed, portal/services/copies/workbench.py).
REDACTED_ATTACHMENT_LABEL = GROUND_LABELS[R.THIRD_PARTY]


def _attachment_redacted(a: CopyAttachment) -> bool:
    """Whether anything is blacked out in a redacted attachment (the boxes found and
    drawn when it was reviewed, kept in ``boxes_json``)."""
    import json

    try:
        return bool(json.loads(a.boxes_json or "[]"))
    except ValueError:
        return True  # unknown: say so rather than promise the whole page


def _attachment_lines(pending, numbers: dict[int, int], lang: str) -> tuple[AttachmentLine, ...]:
    """The cover letter's line per attachment of a printed entry, in the printed order."""
    lines = []
    for entry_pk, number, a in pending:
        if entry_pk not in numbers:
            continue
        if number is not None:
            redacted = _attachment_redacted(a)
            ground = lang_pick(REDACTED_ATTACHMENT_LABEL, lang) if redacted else ""
        elif a.state == CopyAttachment.UNREVIEWED:
            redacted, ground = False, lang_pick(UNREVIEWED_LABEL, lang)
        else:
            redacted = False
            ground = lang_pick(WITHHOLD_LABELS.get(a.ground or "third_party_privacy", (a.ground, a.ground)), lang)
        lines.append(AttachmentLine(numbers[entry_pk], number, redacted, ground))
    return tuple(sorted(lines, key=lambda line: line.entry_number))


# --- the document ----------------------------------------------------------------------------

def _source_label(entry: DossierEntry) -> str:
    src = entry.source_person
    if src is None:
        return str(labels.SOURCE_NAMES[None])
    if src.role == "subject" and src.relation:
        return src.relation  # "vader", "moeder": a household role, not a name
    return str(labels.SOURCE_NAMES.get(src.role, labels.SOURCE_NAMES["third_party"]))


def _entry_view(number: int, entry: DossierEntry, reds: Sequence, subject_ref: str, *, withheld_label: str | None,
                attachment_lines: tuple[str, ...] = (), amendment=None, amended_spans: Sequence = (),
                lang: str = "nl") -> EntryView:
    """One entry of the copy. ``amendment`` (``rectification.Effective``, art. 15): a
    shielded entry prints only "Afgeschermd (artikel 15)" (``withheld_label``, set by the
    caller); an improved one prints the new text, with ``amended_spans`` (redactions of
    that text) and the line "Gecorrigeerd op <date> (artikel 15)"."""
    from flask_babel import format_date
    from ...labels import LONG_DATE

    by_field: dict[str, list[tuple[int, int, str]]] = {f: [] for f in FIELDS}
    for r in in_force(reds):
        if r.field in by_field:
            by_field[r.field].append((r.start, r.end, r.ground))
    title = entry.title or ""
    if amendment is not None and amendment.kind == "shield":
        title = ""  # nothing of a shielded entry but its line
    if withheld_label:
        text: tuple[Segment, ...] = ()
    elif amendment is not None and amendment.kind == "improve" and amendment.new_text:
        when = format_date(amendment.decided_on, LONG_DATE)
        line = lang_pick((f"Gecorrigeerd op {when} (artikel 15)", f"Corrected on {when} (article 15)"), lang)
        text = segments(amendment.new_text, list(amended_spans)) + (Segment("\n\n" + line),)
    else:
        text = segments(entry.text, by_field["text"])
    return EntryView(
        number=number, date=entry.date, kind_label=str(labels.ENTRY_KIND_NAMES.get(entry.kind, entry.kind)),
        title=segments(title, by_field["title"]) if title else (),
        source_label=_source_label(entry), nature_label=str(labels.NATURE_NAMES.get(entry.nature, entry.nature)),
        text=text,
        own_statement=entry.kind == "own_statement" and entry.source_person is not None
        and entry.source_person.person_id == subject_ref,
        withheld_label=withheld_label, attachment_lines=attachment_lines,
    )


def document_from_plan(planned: Sequence[PlannedEntry], *, language: str, reference: str, recipient_name: str,
                       subject_name: str, on_behalf: bool, received_on: date, made_on: date,
                       draft: bool = True) -> CopyDocument:
    """The document for a plan straight from ``plan`` (the CLI's draft: nothing lifted),
    with the decided corrections (art. 15) and the person's own statements (art. 16)."""

    statements = getattr(planned, "statements", ())
    subject_ref = getattr(planned, "subject_ref", "")
    persons = getattr(planned, "persons", ())
    readers = getattr(planned, "readers", ())
    amended = effective_amendments(pe.entry.id for pe in planned)
    with force_locale(language):
        views = []
        counts: dict[str, int] = {}
        for pe in planned:
            eff = amended.get(pe.entry.id)
            label, spans = None, ()
            if eff is not None and eff.kind == SHIELD:
                label = lang_pick(SHIELD_LABEL, language)
            elif eff is not None and eff.kind == IMPROVE:
                spans = amended_text_spans(eff.new_text or "", persons, subject_ref, readers)
            views.append((pe.entry.id, _entry_view(0, pe.entry, pe.redactions, subject_ref, withheld_label=label,
                                                   amendment=eff, amended_spans=spans, lang=language)))
            if label:
                continue
            for r in pe.redactions:
                if eff is None or r.field != "text":
                    counts[r.ground] = counts.get(r.ground, 0) + 1
            for _s, _e, ground in spans:
                counts[ground] = counts.get(ground, 0) + 1
        for ps in statements:
            for _s, _e, ground in ps.spans:
                counts[ground] = counts.get(ground, 0) + 1
        entries = with_statements(views, statements, language)
        return CopyDocument(language=language, reference=reference, recipient_name=recipient_name, made_on=made_on,
                            received_on=received_on, subject_name=subject_name, on_behalf=on_behalf,
                            entries=entries, withheld=_withheld_lines(counts, {}, language), draft=draft)


def _withheld_lines(redaction_counts: dict[str, int], withheld_counts: dict[str, int], lang: str) -> tuple[WithheldLine, ...]:
    lines: dict[str, int] = {}
    for ground, n in redaction_counts.items():
        label = lang_pick(GROUND_LABELS[ground], lang)
        lines[label] = lines.get(label, 0) + n
    out = [WithheldLine(label, n, lang_pick(("Stukjes tekst weggelaten", "Parts of the text removed"), lang))
           for label, n in lines.items()]
    for ground, n in withheld_counts.items():
        out.append(WithheldLine(lang_pick(WITHHOLD_LABELS.get(ground, (ground, ground)), lang), n,
                                lang_pick(("Hele stukken niet opgenomen", "Whole entries or attachments left out"), lang)))
    return tuple(out)


# --- one model for the PDF and the workbench (issue 12) -----------------------------------------

@dataclass(frozen=True)
class Mark:
    """One redaction of a text the copy prints, as the PDF applies it and the workbench
    shows it. ``field``: ``title`` or ``text`` of the entry, ``amended`` (the new text
    of an improved entry, art. 15) or ``statement`` (the person's own statement, art.
    16). ``record``: the stored redaction; every one is stored (``copies.texts``), so
    the workbench can confirm or lift each (issue 12)."""

    field: str
    start: int
    end: int
    ground: str
    origin: str
    kind: str
    state: str
    key: str  # the workbench's anchor: "12" for stored redaction 12
    record: CopyRedaction

    @property
    def in_force(self) -> bool:
        return self.state != CopyRedaction.LIFTED

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def reason(self) -> str | None:
        return self.record.reason

    @property
    def decided_by(self) -> int | None:
        return self.record.decided_by


@dataclass(frozen=True)
class Part:
    """One entry or own statement of the copy: what the PDF prints (``view``) and the
    texts and redactions it is printed from. ``printed``: False for an entry left out
    whole (only its line is printed; the workbench still shows its text)."""

    view: EntryView
    title: str
    text: str
    text_field: str  # "text", "amended" or "statement"
    marks: tuple[Mark, ...]
    printed: bool = True
    copy_entry: CopyEntry | None = None
    statement: OwnStatement | None = None
    amendment: Effective | None = None
    attachments: tuple = ()

    @property
    def title_marks(self) -> tuple[Mark, ...]:
        return tuple(m for m in self.marks if m.field == "title")

    @property
    def text_marks(self) -> tuple[Mark, ...]:
        return tuple(m for m in self.marks if m.field != "title")


@dataclass(frozen=True)
class CopyModel:
    """The copy as the PDF will print it (``document``) and the parts it is made of, in
    the printed order, for the workbench. ``counts``: the redactions in force per
    ground, as the cover letter counts them."""

    document: CopyDocument
    parts: tuple[Part, ...]
    counts: dict
    # The attachments the PDF includes (redacted, of a printed entry), in their numbered order.
    attachments: tuple[CopyAttachment, ...] = ()

    def marks(self, *, printed_only: bool = True) -> list[Mark]:
        return [m for p in self.parts if p.printed or not printed_only for m in p.marks]


def _stored_mark(r: CopyRedaction) -> Mark:
    return Mark(r.field, r.start, r.end, r.ground, r.origin, r.kind, r.state or CopyRedaction.APPLIED, str(r.id), r)


def _spans(reds) -> list[tuple[int, int, str]]:
    return [(r.start, r.end, r.ground) for r in in_force(reds)]


def entry_part(ce: CopyEntry, eff: Effective | None, reds: Sequence[CopyRedaction], atts: Sequence[CopyAttachment],
               attachment_no: int, subject_ref: str, lang: str, withheld: dict[str, int],
               pending: list | None = None) -> tuple[Part, int]:
    """One entry of a stored copy as the PDF prints it and the workbench shows it (not a
    deleted one: the caller leaves that out): its view (numbered 0; ``in_order`` numbers
    it), texts and redactions. ``attachment_no``: the redacted attachments printed before
    it; returned with this entry's added. ``withheld`` (ground -> n, the cover letter's)
    gets this entry's; ``pending`` (the cover letter's attachment list) gets
    (entry_pk, number or None, attachment) per attachment. Runs inside ``force_locale(lang)``. ``copy_model`` builds every
    entry with it, the workbench's in-place answer only the entry acted on (issue 12)."""
    shielded = eff is not None and eff.kind == SHIELD
    atts = () if shielded else tuple(atts)
    pending = [] if pending is None else pending
    lines = []
    # A withheld entry is printed as its line only: none of its attachments (the
    # workbench still shows them, ``Part.attachments``, so that they can be reviewed).
    for a in () if ce.withheld else atts:
        if a.state == CopyAttachment.REDACTED:
            attachment_no += 1
            pending.append((ce.entry_pk, attachment_no, a))
            if _attachment_redacted(a):
                lines.append(lang_pick((f"Bijlage {attachment_no}: achter in dit afschrift, met weggelaten delen.",
                                         f"Attachment {attachment_no}: at the end of this copy, with parts removed."),
                                        lang))
            else:
                lines.append(lang_pick((f"Bijlage {attachment_no}: achter in dit afschrift.",
                                         f"Attachment {attachment_no}: at the end of this copy."), lang))
        else:
            pending.append((ce.entry_pk, None, a))
            withheld[a.ground or "third_party_privacy"] = withheld.get(a.ground or "third_party_privacy", 0) + 1
            lines.append(lang_pick(("Een bijlage is niet opgenomen.", "An attachment is left out."), lang))
    label = None
    improved = not shielded and eff is not None and eff.kind == IMPROVE and bool(eff.new_text)
    if ce.withheld:
        withheld[ce.withheld_ground] = withheld.get(ce.withheld_ground, 0) + 1
        label = lang_pick(("Dit stuk is niet opgenomen: ", "This entry is left out: "), lang) + \
            lang_pick(WITHHOLD_LABELS.get(ce.withheld_ground, (ce.withheld_ground,) * 2), lang)
    elif shielded:
        label = lang_pick(SHIELD_LABEL, lang)
    new_reds = [r for r in reds if r.field == AMENDED and improved and r.amendment_id == eff.amendment_id]
    view = _entry_view(0, ce.entry, [r for r in reds if r.field in FIELDS], subject_ref, withheld_label=label,
                       attachment_lines=tuple(lines), amendment=eff, amended_spans=_spans(new_reds), lang=lang)
    if shielded:
        marks: tuple[Mark, ...] = ()
        title, text, field_name = "", "", "text"
    elif improved:
        marks = tuple(_stored_mark(r) for r in reds if r.field == "title") + tuple(_stored_mark(r) for r in new_reds)
        title, text, field_name = ce.entry.title or "", eff.new_text, AMENDED
    else:
        marks = tuple(_stored_mark(r) for r in reds if r.field in FIELDS)
        title, text, field_name = ce.entry.title or "", ce.entry.text, "text"
    return Part(view, title, text, field_name, marks, printed=label is None, copy_entry=ce, amendment=eff,
                attachments=atts), attachment_no


def copy_model(copy: Copy, *, draft: bool = True) -> CopyModel:
    """The document of a stored copy and the parts it is printed from: every decision on
    its redactions, the decided corrections (art. 15: a deleted entry left out, a
    shielded one as its line only, an improved one with its new text and the
    redactions of that text) and the person's own statements (art. 16, in full: only
    the reporter and protected whereabouts taken out), as they stand now. Every
    redaction is a stored row (``copies.texts``: the amended texts' and statements'
    too). The PDF (``document_for``) and the workbench are both made from this."""

    req: Request = db.session.get(Request, copy.request_id)
    link = copy.link
    lang = req.language or "nl"
    subject_ref = link.person.person_id
    amended = effective_amendments(ce.entry_pk for ce in copy.entries)
    reds_by_entry, atts_by_entry = by_entry(copy)
    reds_by_statement: dict[int, list[CopyRedaction]] = {}
    for r in copy.redactions:
        if r.field == STATEMENT:
            reds_by_statement.setdefault(r.statement_id, []).append(r)
    withheld: dict[str, int] = {}
    attachment_no = 0
    pending: list = []  # (entry_pk, number in the copy or None, CopyAttachment)
    with force_locale(lang):
        views, parts_by_pk = [], {}
        for ce in copy.entries:
            eff = amended.get(ce.entry_pk)
            if eff is not None and eff.kind == DELETE:
                continue  # art. 15: deleted, in no later copy
            part, attachment_no = entry_part(ce, eff, reds_by_entry.get(ce.entry_pk, []),
                                             atts_by_entry.get(ce.entry_pk, []), attachment_no, subject_ref, lang,
                                             withheld, pending)
            views.append((ce.entry_pk, part.view))
            parts_by_pk[ce.entry_pk] = part
        statements = [PlannedStatement(st, tuple(_spans(reds_by_statement.get(st.id, ()))))
                      for st in copy_statements(link.person)]
        ordered = in_order(views, statements, lang)
        entries = tuple(view for _what, view in ordered)
        parts = []
        for what, view in ordered:
            if isinstance(what, PlannedStatement):
                st_marks = tuple(_stored_mark(r) for r in reds_by_statement.get(what.statement.id, ()))
                parts.append(Part(view, "", what.statement.text or "", STATEMENT, st_marks, statement=what.statement))
            else:
                parts.append(replace(parts_by_pk[what], view=view))  # numbered as printed
        counts: dict[str, int] = {}
        for part in parts:
            if part.printed:
                for m in part.marks:
                    if m.in_force:
                        counts[m.ground] = counts.get(m.ground, 0) + 1
        requester = next((p for p in req.parties if p.role == Party.REQUESTER), None)
        doc = CopyDocument(
            language=lang, reference=req.reference,
            recipient_name=requester.display_name if requester else "",
            made_on=today_local(), received_on=req.received_on,
            subject_name=f"{link.person.given_names} {link.person.family_name}",
            on_behalf=not requester_is_subject(req), entries=entries,
            withheld=_withheld_lines(counts, withheld, lang),
            attachment_count=attachment_no, draft=draft, young=readers_are_young(req),
            attachments=_attachment_lines(
                pending, {p.copy_entry.entry_pk: p.view.number for p in parts if p.copy_entry is not None and p.printed},
                lang),
        )
    return CopyModel(doc, tuple(parts), counts, tuple(a for _pk, n, a in pending if n is not None))


def document_for(copy: Copy, *, draft: bool) -> CopyDocument:
    """The document of a stored copy (``copy_model``): what the PDF prints."""
    return copy_model(copy, draft=draft).document
