"""The copy's document model (``documents/copy_document.py``) from a plan or a stored copy:
every decision on its redactions, the decided corrections and own statements, and the
cover letter's lines on what was left out and why."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from flask_babel import force_locale
from ... import labels
from ...documents.copy_document import CopyDocument, EntryView, Segment, WithheldLine
from ...infra.extensions import db
from ...models import Copy, CopyAttachment, DossierEntry, Party, Request
from ...rules import redaction as R
from ..timeline import today_local
from .common import (DELETE, FIELDS, IMPROVE, SHIELD, WITHHOLD_LABELS, by_entry, lang_pick, person_value, readers_of,
                     requester_is_subject)
from .redact import in_force, segments
from .amendments import SHIELD_LABEL, amended_text_spans, effective_amendments, planned_statements, with_statements
from .planning import PlannedEntry


GROUND_LABELS = {  # for the cover letter: (nl, en)
    R.THIRD_PARTY: ("privacy van een ander (art. 14 lid 2)", "privacy of another person (art. 14(2))"),
    R.REPORTER_PROTECTION: ("privacy van een ander (art. 14 lid 2)", "privacy of another person (art. 14(2))"),
    R.SAFETY: ("veiligheid (art. 14 lid 2)", "safety (art. 14(2))"),
    R.TASK: ("de taak van Veilig Thuis (art. 14 lid 2)", "Veilig Thuis's task (art. 14(2))"),
}


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


def document_for(copy: Copy, *, draft: bool) -> CopyDocument:
    """The document of a stored copy, with every decision on its redactions, the
    decided corrections (art. 15: a deleted entry left out, a shielded one as its line
    only, an improved one with its new text) and the person's own statements (art. 16),
    as they stand when the copy is rendered."""

    req: Request = db.session.get(Request, copy.request_id)
    link = copy.link
    lang = req.language or "nl"
    subject_ref = link.person.person_id
    persons = [person_value(p) for p in link.dossier.persons]
    readers = readers_of(req, link)
    amended = effective_amendments(ce.entry_pk for ce in copy.entries)
    reds_by_entry, atts_by_entry = by_entry(copy)
    counts: dict[str, int] = {}
    withheld: dict[str, int] = {}
    attachment_no = 0
    with force_locale(lang):
        views = []
        for ce in copy.entries:
            eff = amended.get(ce.entry_pk)
            if eff is not None and eff.kind == DELETE:
                continue  # art. 15: deleted, in no later copy
            shielded = eff is not None and eff.kind == SHIELD
            reds = reds_by_entry.get(ce.entry_pk, [])
            lines = []
            for a in ([] if shielded else atts_by_entry.get(ce.entry_pk, [])):
                if a.state == CopyAttachment.REDACTED:
                    attachment_no += 1
                    lines.append(lang_pick((f"Bijlage {attachment_no}: achter in dit afschrift, met weggelaten delen.",
                                             f"Attachment {attachment_no}: at the end of this copy, with parts removed."), lang))
                else:
                    withheld[a.ground or "third_party_privacy"] = withheld.get(a.ground or "third_party_privacy", 0) + 1
                    lines.append(lang_pick(("Een bijlage is niet opgenomen.", "An attachment is left out."), lang))
            label, spans = None, ()
            if ce.withheld:
                withheld[ce.withheld_ground] = withheld.get(ce.withheld_ground, 0) + 1
                label = lang_pick(("Dit stuk is niet opgenomen: ", "This entry is left out: "), lang) + \
                    lang_pick(WITHHOLD_LABELS.get(ce.withheld_ground, (ce.withheld_ground,) * 2), lang)
            elif shielded:
                label = lang_pick(SHIELD_LABEL, lang)
            else:
                improved = eff is not None and eff.kind == IMPROVE
                if improved:
                    spans = amended_text_spans(eff.new_text or "", persons, subject_ref, readers)
                    for _s, _e, ground in spans:
                        counts[ground] = counts.get(ground, 0) + 1
                for r in in_force(reds):
                    if not (improved and r.field == "text"):  # the original text is not printed
                        counts[r.ground] = counts.get(r.ground, 0) + 1
            views.append((ce.entry_pk, _entry_view(0, ce.entry, reds, subject_ref, withheld_label=label,
                                                   attachment_lines=tuple(lines), amendment=eff,
                                                   amended_spans=spans, lang=lang)))
        statements = planned_statements(link.person, persons, readers)
        for ps in statements:
            for _s, _e, ground in ps.spans:
                counts[ground] = counts.get(ground, 0) + 1
        entries = with_statements(views, statements, lang)
        requester = next((p for p in req.parties if p.role == Party.REQUESTER), None)
        return CopyDocument(
            language=lang, reference=req.reference,
            recipient_name=requester.display_name if requester else "",
            made_on=today_local(), received_on=req.received_on,
            subject_name=f"{link.person.given_names} {link.person.family_name}",
            on_behalf=not requester_is_subject(req), entries=entries,
            withheld=_withheld_lines(counts, withheld, lang),
            attachment_count=attachment_no, draft=draft,
        )
