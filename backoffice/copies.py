"""Back-office copies (afschrift, art. 13, 14 Privacyreglement VT): link a request to
the dossier person it is about, make a copy, and the workbench where a caseworker
checks every redaction, renders the PDF, reviews it, a team leader signs what is
withheld (art. 14.2, 20.4) and the copy is released.

Thin: portal/services/copies/ decides, checks the authorisation matrix again and
writes the access log of every change. This face writes the log of what it only reads
(the overview and the workbench: "copy.overview", "copy.view").

The workbench is the INTERNAL view: staff see the original text behind every
redaction (marked in place, struck through). Every dossier text is plain text: the
templates print it with Jinja's autoescape, never `|safe`.

Every POST: validate the form (CSRF), call one service, then back to the page
(POST-redirect-GET) with a notice, or with the error next to the form it belongs to.
An object that is not part of this request (another request's copy, a redaction of
another copy) answers 404.
"""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field

from flask import abort, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField,
                     StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from portal.infra.extensions import db
from portal.models import Copy, CopyAttachment, CopyRedaction, Request
from portal.rules import redaction as R
from portal.rules.permissions import Permission
from portal.services import audit, authz, casework
from portal.services import copies as svc
from portal.services import dossiers as dossier_svc
from portal.services.copies import CopyError
from portal.services.errors import DomainError, load_request

from . import copy_pages as paging
from .blueprint import bp, requires
from .pages import form_errors, no_store_file

# --- words for the codes ----------------------------------------------------------------------

#: The grounds as staff read them (internal: the reporter's is named; the copy itself
#: prints R.LABELS, where the reporter's looks like any third party's).
GROUND_LABELS = {
    R.THIRD_PARTY: _l("privacy van een ander"),
    R.REPORTER_PROTECTION: _l("bescherming van de melder"),
    R.SAFETY: _l("veiligheid"),
    R.TASK: _l("taak van Veilig Thuis"),
}
#: What a caseworker may choose when redacting by hand (copies.STAFF_GROUNDS).
STAFF_GROUND_LABELS = {
    R.THIRD_PARTY: _l("Privacy van een ander (artikel 14 lid 2)"),
    R.SAFETY: _l("Veiligheid van betrokkenen (artikel 14 lid 2): een teamleider moet ondertekenen"),
    R.TASK: _l("Taak van Veilig Thuis (artikel 14 lid 2): een teamleider moet ondertekenen"),
}
#: What a caseworker may choose when redacting by hand in an own statement (art. 16):
#: only the reporter and a protected person's whereabouts ever go (copies.STATEMENT_GROUNDS).
STATEMENT_GROUND_LABELS = {
    R.REPORTER_PROTECTION: _l("Bescherming van de melder (artikel 14 lid 2)"),
    R.SAFETY: _l("Beschermd adres of verblijfplaats (artikel 14 lid 2): een teamleider moet ondertekenen"),
}
WITHHOLD_LABELS = {
    "third_party_privacy": _l("Privacy van een ander (artikel 14 lid 2)"),
    "safety_of_those_involved": _l("Veiligheid van betrokkenen (artikel 14 lid 2)"),
    "vt_task": _l("Taak van Veilig Thuis (artikel 14 lid 2)"),
}
ORIGIN_LABELS = {
    CopyRedaction.KNOWN: _l("bekende persoon"),
    CopyRedaction.DETECTOR: _l("detector"),
    CopyRedaction.STAFF: _l("medewerker"),
}
STATE_LABELS = {
    CopyRedaction.APPLIED: _l("toegepast"),
    CopyRedaction.CONFIRMED: _l("bevestigd"),
    CopyRedaction.LIFTED: _l("opgeheven"),
}
KIND_LABELS = {
    "name": _l("naam"),
    "address": _l("adres"),
    "postcode": _l("postcode"),
    "phone": _l("telefoonnummer"),
    "email": _l("e-mailadres"),
    "bsn": _l("BSN"),
    "birth_date": _l("geboortedatum"),
    "organisation": _l("organisatie"),
    "relation": _l("rol of relatie"),
    "iban": _l("rekeningnummer"),
    "licence_plate": _l("kenteken"),
    "institution": _l("instelling"),
    "date": _l("datum"),
    "age": _l("leeftijd"),
    "url": _l("internetadres"),
    "id_number": _l("identificatienummer"),
    "selection": _l("zelf gekozen"),
}
#: Whose identifier a redaction hides, by its ground, for the buttons ("Weglating
#: bevestigen: naam van de melder"): the ground and the kind, never the text itself.
WHOSE_LABELS = {
    R.THIRD_PARTY: _l("van een ander"),
    R.REPORTER_PROTECTION: _l("van de melder"),
    R.SAFETY: _l("(veiligheid)"),
    R.TASK: _l("(taak van Veilig Thuis)"),
}
FIELD_LABELS = {"text": _l("tekst"), "title": _l("titel"), "amended": _l("verbeterde tekst (artikel 15)"),
                "statement": _l("eigen verklaring (artikel 16)")}
STATUS_LABELS = {
    Copy.DRAFT: _l("Concept"),
    Copy.REVIEWED: _l("Gecontroleerd"),
    Copy.SIGNED: _l("Ondertekend"),
    Copy.RELEASED: _l("Vrijgegeven"),
    Copy.WITHDRAWN: _l("Ingetrokken"),
}
RENDER_LABELS = {
    "idle": _l("Nog geen PDF"),
    "queued": _l("Wacht op zijn beurt"),
    "rendering": _l("De PDF wordt gemaakt"),
    "done": _l("De PDF is klaar"),
    "failed": _l("De PDF maken is mislukt"),
}
DETECTOR_LABELS = {
    "planning": _l("Het afschrift wordt nog gemaakt"),
    "plan_failed": _l("Het maken is mislukt: maak een nieuw afschrift"),
    "pending": _l("Loopt nog"),
    "done": _l("Klaar"),
    "failed": _l("Mislukt: controleer de tekst extra goed"),
}
ATTACHMENT_STATE_LABELS = {
    CopyAttachment.UNREVIEWED: _l("Nog niet bekeken (niet in het afschrift)"),
    CopyAttachment.WITHHELD: _l("Niet opgenomen"),
    CopyAttachment.REDACTED: _l("Opgenomen, met weggelaten delen"),
}
RESTRICTION_LABELS = {
    "entry_withheld": _l("Een heel stuk wordt niet opgenomen."),
    "attachment_withheld": _l("Een bijlage wordt niet opgenomen."),
    "restriction_ground": _l("Er is iets weggelaten voor de veiligheid of de taak van Veilig Thuis."),
    "sensitive_lift": _l("Iets over de melder of een beschermd adres is toch zichtbaar gemaakt."),
}

ERRORS = {
    # the request, the link, the copy
    "not_found": _l("Dit verzoek bestaat niet."),
    "identity_not_verified": _l("Eerst moet de identiteit van iedereen die meedoet zijn gecontroleerd (artikel 20 lid 5)."),
    "dossier_not_found": _l("Er is geen dossier met dit nummer. Kijk of u het nummer goed heeft overgenomen."),
    "person_not_found": _l("Deze persoon staat niet in dit dossier."),
    "not_a_subject": _l("Deze persoon is geen betrokkene in dit dossier. Een afschrift gaat altijd over een betrokkene."),
    "same_person": _l("De aanvrager en de betrokkene kunnen niet dezelfde persoon zijn. Kies bij de aanvrager niets als de betrokkene het zelf vraagt."),
    "already_linked": _l("Dit verzoek is al aan dit dossier gekoppeld."),
    "link_not_found": _l("Deze koppeling hoort niet bij dit verzoek."),
    "no_copy_right": _l("In dit verzoek is niet om inzage of een afschrift gevraagd."),
    "copy_not_found": _l("Dit afschrift hoort niet bij dit verzoek."),
    "copy_closed": _l("Dit afschrift is vrijgegeven of ingetrokken. Er kan niets meer aan veranderen."),
    "copy_preparing": _l("Dit afschrift wordt nog gemaakt. Wacht tot het klaar is; de pagina ververst vanzelf."),
    "copy_stale": _l("Het dossier is opnieuw ingelezen nadat dit afschrift is gemaakt, of de PDF hoort bij een oudere versie. Maak de PDF opnieuw, of maak een nieuw afschrift."),
    # the workbench
    "redaction_not_found": _l("Dit weggelaten stuk hoort niet bij dit afschrift."),
    "already_lifted": _l("Dit stuk was al zichtbaar gemaakt."),
    "reasons_required": _l("Schrijf de reden op (minstens %(n)s tekens)."),
    "reasons_too_long": _l("De reden is te lang (hoogstens %(max)s tekens)."),
    "bad_ground": _l("Kies een grond uit de lijst."),
    "bad_field": _l("Kies of het om de tekst of de titel gaat."),
    "bad_range": _l("Vul de woorden in die weg moeten."),
    "phrase_not_found": _l("Deze woorden staan niet in dit stuk. Neem ze precies over uit de tekst."),
    "phrase_too_long": _l("Dit zijn te veel woorden (hoogstens %(max)s tekens)."),
    "entry_not_in_copy": _l("Dit stuk zit niet in dit afschrift."),
    "statement_not_in_copy": _l("Deze verklaring zit niet in dit afschrift."),
    "bad_ground_statement": _l("Uit een eigen verklaring mag alleen iets over de melder of een beschermd adres weg (artikel 16). Kies een van die twee gronden."),
    "not_withheld": _l("Dit stuk was al opgenomen."),
    "attachment_not_found": _l("Deze bijlage hoort niet bij dit afschrift."),
    "attachment_not_opened": _l("Bekijk de bijlage eerst zoals hij binnenkwam. Pas daarna kunt u kiezen wat ermee gebeurt."),
    "bad_decision": _l("Kies wat er met de bijlage gebeurt."),
    "attachment_unreadable": _l("Deze bijlage kan niet worden gelezen. Neem haar niet op."),
    "attachment_redaction_unavailable": _l("Delen weglaten in een bijlage kan nog niet. Neem de bijlage niet op."),
    # rendering, review, signature, release
    "already_rendering": _l("De PDF wordt al gemaakt. Wacht tot die klaar is."),
    "not_rendered": _l("Maak eerst de PDF van de huidige versie en bekijk die."),
    "bad_box": _l("Schrijf elk vak als ‘pagina: links, boven, rechts, onder’ in procenten, bijvoorbeeld 2: 10, 40, 60, 45."),
    "not_released": _l("Het afschrift is nog niet vrijgegeven."),
    "not_a_party": _l("Deze persoon hoort niet bij dit verzoek."),
    "note_too_long": _l("De notitie is te lang (hoogstens 500 tekens)."),
    "final_gate": _l("In de PDF staat nog iets van de melder of een beschermd adres. Zoek het op en laat het weg. "
                     "Daarna maakt u de PDF opnieuw."),
    "attachments_unreviewed": _l("Bekijk eerst elke bijlage: neem haar op met weggelaten delen, of neem haar niet op."),
    "detector_pending": _l("De automatische controle op namen en adressen loopt nog. Wacht tot die klaar is."),
    "not_reviewed": _l("Het afschrift moet eerst gecontroleerd zijn."),
    "nothing_to_sign": _l("Er is niets dat een teamleider moet ondertekenen."),
    "four_eyes": _l("U heeft dit afschrift gemaakt of gecontroleerd. Een andere teamleider moet ondertekenen."),
    "not_signed": _l("Er wordt iets niet opgenomen of weggelaten waarvoor een teamleider moet ondertekenen. Dat is nog niet gebeurd."),
    # finding the person (issue 10)
    "search_name": _l("Vul de achternaam in, minstens twee letters."),
    "search_date": _l("Vul een geboortedatum in die bestaat, zoals 30-09-1985."),
    "search_bsn": _l("Dit BSN klopt niet: het voldoet niet aan de elfproef. Laat het veld leeg als u het niet weet."),
    "request_withdrawn": _l("De aanvrager heeft dit verzoek ingetrokken. Er kan niets meer worden vrijgegeven of ondertekend."),
    # inzage (art. 14.1)
    "inspection_not_asked": _l("In dit verzoek is niet om inzage gevraagd."),
    "inspection_mode": _l("Kies of de inzage op kantoor of online was."),
    "inspection_date": _l("Vul een datum in die niet in de toekomst ligt en niet voor de ontvangst van het verzoek."),
    "inspection_attended": _l("Kies wie er bij de inzage was."),
}

#: The search field each search error belongs to.
SEARCH_FIELDS = {"search_name": "family_name", "search_date": "birth_date", "search_bsn": "bsn"}

#: Codes that mean "this is not part of this request": 404, not an error on the page.
NOT_HERE = frozenset({"not_found", "copy_not_found", "redaction_not_found", "entry_not_in_copy",
                      "statement_not_in_copy", "attachment_not_found", "link_not_found"})

ERRORS_KEY = "copy_errors"
DOSSIER_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,39}$")  # as the export format's schema


def error_text(code: str) -> str:
    text = ERRORS.get(code)
    if text is None:
        return _("Dit kan nu niet.")
    return str(text) % {"n": svc.REASONS_MIN, "max": svc.PHRASE_MAX if code == "phrase_too_long" else svc.REASONS_MAX}


# --- forms ------------------------------------------------------------------------------------

class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


class DossierLookupForm(FlaskForm):
    """The GET step: which dossier (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    dossier = StringField(_l("Dossiernummer"), filters=[lambda v: (v or "").strip().upper()],
                          validators=[InputRequired(_l("Vul een dossiernummer in.")),
                                      Regexp(DOSSIER_ID, message=_l("Vul een dossiernummer in zoals VT-2025-000417."))])


class LinkForm(FlaskForm):
    dossier_id = HiddenField(filters=[lambda v: (v or "").strip().upper()],
                             validators=[InputRequired(_l("Vul een dossiernummer in.")),
                                         Regexp(DOSSIER_ID, message=_l("Vul een dossiernummer in zoals VT-2025-000417."))])
    person_id = RadioField(_l("Over wie gaat het verzoek?"), choices=[], validate_choice=False,
                           validators=[InputRequired(_l("Kies de persoon over wie het verzoek gaat."))])
    requester_person_id = SelectField(_l("Staat de aanvrager zelf ook in dit dossier?"), choices=[], validate_choice=False,
                                      validators=[Optional()])


class LiftForm(FlaskForm):
    reason = TextAreaField(_l("Waarom mag dit toch zichtbaar zijn?"),
                           validators=[InputRequired(_l("Schrijf waarom dit stuk toch zichtbaar mag zijn.")),
                                       Length(max=svc.REASONS_MAX)])


class AddRedactionForm(FlaskForm):
    phrase = StringField(_l("Wat moet weg?"), validators=[InputRequired(_l("Vul de woorden in die weg moeten.")),
                                                          Length(max=svc.PHRASE_MAX)])
    field = RadioField(_l("Waar?"), choices=[("text", _l("In de tekst")), ("title", _l("In de titel"))], default="text",
                       validate_choice=False, validators=[InputRequired(_l("Kies of het om de tekst of de titel gaat."))])
    ground = SelectField(_l("Grond"), choices=list(STAFF_GROUND_LABELS.items()), validate_choice=False,
                         validators=[InputRequired(_l("Kies een grond uit de lijst."))])
    reason = TextAreaField(_l("Waarom?"), validators=[InputRequired(_l("Schrijf waarom dit weg moet.")),
                                                      Length(max=svc.REASONS_MAX)])
    everywhere = BooleanField(_l("Overal in dit afschrift"))


class AddStatementRedactionForm(FlaskForm):
    """Redact a phrase in an own statement (art. 16): the reporter or a protected address only."""

    phrase = StringField(_l("Wat moet weg?"), validators=[InputRequired(_l("Vul de woorden in die weg moeten.")),
                                                          Length(max=svc.PHRASE_MAX)])
    ground = SelectField(_l("Grond"), choices=list(STATEMENT_GROUND_LABELS.items()), validate_choice=False,
                         validators=[InputRequired(_l("Kies een grond uit de lijst."))])
    reason = TextAreaField(_l("Waarom?"), validators=[InputRequired(_l("Schrijf waarom dit weg moet.")),
                                                      Length(max=svc.REASONS_MAX)])


class WithholdForm(FlaskForm):
    ground = SelectField(_l("Grond"), choices=list(WITHHOLD_LABELS.items()), validate_choice=False,
                         validators=[InputRequired(_l("Kies een grond uit de lijst."))])
    reasons = TextAreaField(_l("Waarom?"), validators=[InputRequired(_l("Schrijf waarom dit stuk niet wordt opgenomen.")),
                                                       Length(max=svc.REASONS_MAX)])


class AttachmentForm(FlaskForm):
    decision = RadioField(_l("Wat gebeurt er met de bijlage?"),
                          choices=[("redact", _l("Opnemen, met weggelaten delen")), ("withhold", _l("Niet opnemen"))],
                          validate_choice=False, validators=[InputRequired(_l("Kies wat er met de bijlage gebeurt."))])
    ground = SelectField(_l("Grond (bij niet opnemen)"), choices=[("", "")] + list(WITHHOLD_LABELS.items()),
                         validate_choice=False, validators=[Optional()])
    reasons = TextAreaField(_l("Waarom?"), validators=[Optional(), Length(max=svc.REASONS_MAX)])
    phrases = TextAreaField(_l("Wat moet er nog meer weg? (één per regel)"),
                            validators=[Optional(), Length(max=svc.REASONS_MAX)])
    boxes = TextAreaField(_l("Vakken met de hand (één per regel)"), validators=[Optional(), Length(max=5000)])


_BOX_LINE = re.compile(r"^\s*(\d{1,4})\s*[:;,]\s*(\d{1,3}(?:[.,]\d+)?)\s*[,;]\s*(\d{1,3}(?:[.,]\d+)?)\s*[,;]\s*"
                       r"(\d{1,3}(?:[.,]\d+)?)\s*[,;]\s*(\d{1,3}(?:[.,]\d+)?)\s*$")


def parse_boxes(text: str | None) -> list[dict]:
    """Boxes typed as "page: left, top, right, bottom" in percent of the page, one per
    line ("2: 10, 40, 60, 45"): page 1 is the first. Raises CopyError("bad_box")."""
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        m = _BOX_LINE.match(line)
        if not m:
            raise CopyError("bad_box")
        page, *edges = m.groups()
        x0, y0, x1, y1 = (float(v.replace(",", ".")) / 100 for v in edges)
        if int(page) < 1 or not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
            raise CopyError("bad_box")
        out.append({"page": int(page) - 1, "x0": x0, "y0": y0, "x1": x1, "y1": y1})
    return out


# --- reading: the copy as the workbench shows it ------------------------------------------------

@dataclass
class Run:
    """A piece of one field: plain text, or text under one or more redactions that
    overlap (a cluster). ``text`` is the original (staff only)."""

    text: str
    redactions: list = field(default_factory=list)

    @property
    def in_force(self) -> list:
        return [r for r in self.redactions if r.state != CopyRedaction.LIFTED]

    @property
    def ground(self) -> str | None:
        """The ground the copy prints for this piece (the weightiest in force)."""
        reds = self.in_force
        if not reds:
            return None
        return max((r.ground for r in reds), key=lambda gr: R.PRIORITY.get(gr, 0))

    @property
    def printed(self) -> str | None:
        return R.LABELS.get(self.ground) if self.ground else None


def runs(text: str, reds: list) -> list[Run]:
    """``text`` cut into plain runs and runs under redactions (overlapping ones as one
    run); every character once, in order."""
    out: list[Run] = []
    pos = 0
    clusters: list[list] = []  # [start, end, [redactions]]
    for r in sorted(reds, key=lambda r: (r.start, -r.end, str(getattr(r, "key", getattr(r, "id", ""))))):
        start, end = max(0, min(r.start, len(text))), max(0, min(r.end, len(text)))
        if end <= start:
            continue
        if clusters and start < clusters[-1][1]:
            clusters[-1][1] = max(clusters[-1][1], end)
            clusters[-1][2].append(r)
        else:
            clusters.append([start, end, [r]])
    for start, end, members in clusters:
        if start > pos:
            out.append(Run(text[pos:start]))
        out.append(Run(text[start:end], members))
        pos = end
    if pos < len(text):
        out.append(Run(text[pos:]))
    return out


@dataclass
class EntryRow:
    """One printed entry or own statement of the copy (``copies.Part``), numbered as the
    PDF numbers it, with its texts cut into runs and its redactions listed."""

    part: object  # copies.Part: the printed view, the texts, the redactions
    copy_entry: object  # None for an own statement
    entry: object  # None for an own statement
    title_runs: list
    text_runs: list
    redactions: list  # (number, mark, original text)
    attachments: list

    @property
    def view(self):
        return self.part.view

    @property
    def statement(self):
        return self.part.statement


@dataclass
class Workbench:
    req: Request
    copy: Copy
    entries: list
    numbers: dict
    counts: list  # (ground, {origin: n}, lifted)
    restrictions: list
    needs_signature: bool
    stale: bool
    rendered_current: bool
    has_pdf: bool
    unreviewed_attachments: int
    next_step: str
    may_sign: bool
    own_work: bool
    redact_attachments: bool
    printed_total: int = 0  # redactions in force in what the PDF prints (= the cover letter's count)
    inspection_asked: bool = False  # inzage (art. 14.1) is one of the rights asked
    inspections: list = field(default_factory=list)
    taking_part: list = field(default_factory=list)
    nav: object = None  # copy_pages.Nav: filter, page, what is shown
    attachments: list = field(default_factory=list)  # those of the entries on this page
    opened: set = field(default_factory=set)  # attachments this caseworker opened in this version


_rendered_current = svc.rendered_current


def _attachment_redaction_available() -> bool:
    return importlib.util.find_spec("portal.documents.attachment_redaction") is not None


def _next_step(copy: Copy, *, stale: bool, rendered: bool, unreviewed: int, needs_signature: bool) -> str:
    """One sentence: what happens next."""
    if copy.status == Copy.WITHDRAWN:
        if copy.withdrawn_reason == Copy.DESTROYED:
            return _("Dit afschrift is ingetrokken, omdat gegevens erin zijn vernietigd (artikel 17). Maak zo nodig een nieuw afschrift op de vorige pagina.")
        if copy.withdrawn_reason == Copy.ERASED:
            return _("Dit afschrift is ingetrokken, omdat gegevens erin zijn gewist (artikel 18). Maak zo nodig een nieuw afschrift op de vorige pagina.")
        if copy.withdrawn_reason == Copy.REPLACED:
            return _("Dit afschrift is vervangen door een nieuwer afschrift. Er hoeft niets meer mee te gebeuren.")
        return _("Dit afschrift is ingetrokken. Er hoeft niets meer mee te gebeuren.")
    if copy.status == Copy.RELEASED:
        if copy.render_state in ("queued", "rendering"):
            return _("Het afschrift is vrijgegeven. De definitieve PDF wordt nu gemaakt; daarna kan de aanvrager hem downloaden.")
        return _("Het afschrift is vrijgegeven. De aanvrager kan het downloaden via de statuspagina.")
    if stale:
        return _("Het dossier is opnieuw ingelezen nadat dit afschrift is gemaakt. Maak een nieuw afschrift op de vorige pagina.")
    if copy.detector_state == svc.PLANNING:
        return _("Het afschrift wordt gemaakt: de stukken worden gekozen en alles van anderen weggelaten. Bij een groot dossier duurt dat even. Deze pagina ververst vanzelf.")
    if copy.detector_state == svc.PLAN_FAILED:
        return _("Het maken van dit afschrift is mislukt. Maak een nieuw afschrift op de vorige pagina.")
    if copy.detector_state == "pending":
        return _("De automatische controle op namen en adressen loopt nog. Kom over een paar minuten terug.")
    if copy.render_state in ("queued", "rendering"):
        return _("De PDF wordt gemaakt. Deze pagina ververst vanzelf.")
    if copy.status == Copy.DRAFT:
        if unreviewed:
            return _("Bekijk elke bijlage en kies of die wordt opgenomen. Maak daarna de PDF.")
        if not rendered:
            return _("Controleer elk weggelaten stuk. Maak daarna de PDF en bekijk die.")
        return _("Bekijk de PDF. Klopt alles? Klik dan op ‘Gecontroleerd’.")
    if copy.status == Copy.REVIEWED and needs_signature:
        return _("Een teamleider die het afschrift niet zelf maakte of controleerde, moet nu ondertekenen wat niet wordt opgenomen.")
    return _("Het afschrift is klaar. U kunt het nu vrijgeven aan de aanvrager.")


def _load_copy(reference: str, copy_id: int) -> tuple[Request, Copy]:
    try:
        req = load_request(reference, CopyError)
    except CopyError:
        abort(404)
    authz.require(g.actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = db.session.get(Copy, copy_id)
    if copy is None or copy.request_id != req.id:
        abort(404)
    return req, copy


def _log_read(action: str, req: Request, copy: Copy | None = None, reason: str | None = None) -> None:
    audit.record(action, actor=g.actor.label, actor_role=g.actor.role.value,
                 object_type="copy" if copy is not None else "request",
                 object_id=copy.id if copy is not None else req.id, subject_ref=req.reference,
                 reason=reason or f"request {req.reference}")


def _row(part) -> EntryRow:
    """One part as the workbench shows it: its texts cut into runs, its redactions
    numbered in the order of the text (title first)."""
    listed, number = [], 0
    for _fld, text, marks in (("title", part.title, part.title_marks), (part.text_field, part.text, part.text_marks)):
        for mk in sorted(marks, key=lambda mk: (mk.start, -mk.end, mk.key)):
            number += 1
            listed.append((number, mk, text[mk.start:mk.end]))
    ce = part.copy_entry
    return EntryRow(part, ce, ce.entry if ce is not None else None, runs(part.title, list(part.title_marks)),
                    runs(part.text, list(part.text_marks)), listed, list(part.attachments))


def _count_table(rows) -> list:
    """(ground, {origin: n in force}, n lifted) per ground, in the order of R.GROUNDS,
    from (ground, origin, state, n) rows of the printed redactions."""
    by_ground: dict[str, dict[str, int]] = {}
    lifted: dict[str, int] = {}
    for ground, origin, state, n in rows:
        by_ground.setdefault(ground, {})
        if state == CopyRedaction.LIFTED:
            lifted[ground] = lifted.get(ground, 0) + n
        else:
            by_ground[ground][origin] = by_ground[ground].get(origin, 0) + n
    return [(gr, by_ground[gr], lifted.get(gr, 0)) for gr in R.GROUNDS if gr in by_ground]


def workbench(req: Request, copy: Copy, args=None, *, only: set[int] | None = None, clamp: bool = False) -> Workbench:
    """The workbench from the copy's one model (``copies.copy_model``): the entries and
    own statements as the PDF prints them, every redaction of the printed texts with
    its ground, and the same counts as the cover letter. Only the page that ``args``
    asks for (``copy_pages.place``) is cut into runs and shown. ``only``: just these
    entries (by entry pk), for the in-place answer to an action: built alone with the
    model's own code and the counts from one aggregate (``copies.entry_parts``), so
    the answer costs the same for a copy of 10 entries as for one of 1,000."""
    if only is not None:
        parts, tally = svc.entry_parts(copy, only)
        nav = paging.Nav(filter=(args or {}).get("filter", paging.DEFAULT), page=(args or {}).get("pagina", 1))
        count_rows, printed_total = tally.rows, sum(tally.counts.values())
        unreviewed = db.session.execute(db.select(db.func.count(CopyAttachment.id)).where(
            CopyAttachment.copy_id == copy.id, CopyAttachment.state == CopyAttachment.UNREVIEWED)).scalar_one()
    else:
        held = svc.preload_copy(copy)  # noqa: F841 - the same number of statements for 10 or 1,000 entries
        model = svc.copy_model(copy)
        nav = paging.place(model.parts, args or {}, clamp=clamp)
        parts = [model.parts[i] for i in nav.shown]
        count_rows = [(m.ground, m.origin, m.state, 1) for m in model.marks()]
        printed_total = sum(model.counts.values())
        unreviewed = sum(1 for a in copy.attachments if a.state == CopyAttachment.UNREVIEWED)
    entries = [_row(part) for part in parts]
    numbers = {mk.key: n for row in entries for n, mk, _t in row.redactions}
    stale = svc.is_stale(copy)
    rendered = _rendered_current(copy)
    restrictions = svc.restrictions(copy)
    needs = bool(restrictions)
    on_page = {row.copy_entry.entry_pk for row in entries if row.copy_entry is not None}
    if only is not None:
        attachments = [row_att for row in entries for row_att in row.attachments]
    else:
        attachments = [a for a in copy.attachments if a.attachment.entry_pk in on_page]
    return Workbench(
        req=req, copy=copy, entries=entries, numbers=numbers, counts=_count_table(count_rows),
        restrictions=restrictions, printed_total=printed_total,
        needs_signature=needs, stale=stale, rendered_current=rendered, has_pdf=copy.pdf_sha256 is not None,
        unreviewed_attachments=unreviewed,
        next_step=_next_step(copy, stale=stale, rendered=rendered, unreviewed=unreviewed, needs_signature=needs),
        may_sign=authz.can(g.actor, Permission.DECISION_SIGN),
        own_work=g.actor.staff_id in (copy.created_by, copy.reviewed_by),
        redact_attachments=_attachment_redaction_available(),
        inspection_asked=any(r.right == "inzage" for r in req.rights),
        inspections=svc.inspections_of(req),
        taking_part=casework.taking_part(req),
        nav=nav, attachments=attachments,
        opened=svc.opened_attachments(g.actor, copy),
    )


# --- errors next to the form, once ----------------------------------------------------------------

def _fail(target: str, anchor: str, messages: list[str]):
    """Back to the page with the error next to the form `anchor` (shown once). Only the
    messages go into the session, never what was typed."""
    db.session.rollback()
    session[ERRORS_KEY] = {"anchor": anchor, "messages": [str(m) for m in messages][:10]}
    return redirect(f"{target}#{anchor}")


@bp.app_template_global("copy_form_errors")
def copyform_errors() -> dict:
    return session.pop(ERRORS_KEY, None) or {"anchor": None, "messages": []}


@bp.app_template_global("copy_panel")
def copy_panel(req):
    """The small panel on the request page: nothing for whoever may not prepare copies;
    before identity is verified, not even whether there is a copy."""
    actor = getattr(g, "actor", None)
    if not authz.can(actor, Permission.COPY_PREPARE):
        return None
    if not casework.identity_verified(req):
        return {"verified": False, "copies": []}
    rows = db.session.execute(db.select(Copy).filter_by(request_id=req.id).order_by(Copy.id)).scalars().all()
    return {"verified": True, "copies": rows}


@bp.app_context_processor
def _copy_labels():
    return {"copy_labels": {
        "ground": GROUND_LABELS, "staff_ground": STAFF_GROUND_LABELS, "statement_ground": STATEMENT_GROUND_LABELS,
        "withhold": WITHHOLD_LABELS,
        "origin": ORIGIN_LABELS, "state": STATE_LABELS, "kind": KIND_LABELS, "field": FIELD_LABELS,
        "status": STATUS_LABELS, "render": RENDER_LABELS, "detector": DETECTOR_LABELS,
        "attachment": ATTACHMENT_STATE_LABELS, "restriction": RESTRICTION_LABELS,
        "inspection_mode": INSPECTION_MODE_LABELS,
    }, "copy_reasons_min": svc.REASONS_MIN, "copy_sensitive_lift": svc.SENSITIVE_LIFT_GROUNDS}


@bp.app_template_filter("copy_redaction_what")
def _copy_redaction_what(mark) -> str:
    """What a redaction is, for its buttons: the kind of identifier and whose (by the
    ground), e.g. "naam van de melder" (issue 12 item 3). Never the redacted text."""
    kind = KIND_LABELS.get(mark.kind)
    whose = WHOSE_LABELS.get(mark.ground)
    return " ".join(str(x) for x in (kind or _("stukje tekst"), whose or "") if x).strip()


@bp.app_template_filter("copy_printed_label")
def _copy_printed_label(ground: str) -> str:
    """What the copy itself prints where a redaction on `ground` is (the reporter's
    ground prints as any third party's)."""
    return R.LABELS.get(ground, "")


def _workbench_url(reference: str, copy_id: int, **query) -> str:
    return url_for("backoffice.copy_workbench", reference=reference, copy_id=copy_id, **query)


def _entry_of(redaction_id: int) -> int | None:
    """The entry a redaction belongs to (whether it is this copy's, the service checks)."""
    r = db.session.get(CopyRedaction, redaction_id)
    return r.entry_pk if r is not None else None


def _attachment_entry(attachment_id: int) -> int | None:
    ca = db.session.get(CopyAttachment, attachment_id)
    return ca.attachment.entry_pk if ca is not None else None


#: Set by an action answered with a redirect (no JavaScript): the page it goes back to
#: may be gone (``copy_pages.place(clamp=True)``); and where on it to land.
AFTER_ACTION_KEY = "copy_after_action"


def _anchors(wb: Workbench) -> set[str]:
    """The anchors of the entries, their redactions and forms, and attachments on the page."""
    out = {f"bijlage-{ca.id}" for ca in wb.attachments}
    for row in wb.entries:
        out.add(paging.anchor_of(row.part))
        out.update(f"weglating-{mk.id}" for mk in row.part.marks)
        if row.copy_entry is not None:
            out.add(f"weglaten-{row.copy_entry.entry_pk}")
        else:
            out.add(f"verklaring-weglaten-{row.statement.id}")
    return out


def _in_place() -> bool:
    """The workbench's script sends an action with this header and takes the changed
    parts of the page back, to put them in place (static/js/workbench.js)."""
    return request.headers.get("X-Workbench") == "in-place"


def _partial(reference: str, copy_id: int, anchor: str, entry_pks: set[int] | None, *, done: str | None = None,
             errors: dict | None = None, status: int = 200):
    """The in-place answer to an action: the acted-on entry (or the entries on the page,
    when ``entry_pks`` is None), the state of the copy and the counts, and one sentence
    for the status line; with ``errors``, next to the form they belong to."""
    req, copy = _load_copy(reference, copy_id)
    back = paging.back_to(request.form)
    wb = workbench(req, copy, back, only=entry_pks)
    _log_read("copy.view", req, copy, reason="in place after an action")
    html = render_template("backoffice/copies/_partial.html", wb=wb, req=req, copy=copy,
                           busy=copy.render_state in ("queued", "rendering"),
                           errors=errors or {"anchor": None, "messages": []}, done=done, anchor=anchor)
    db.session.commit()  # after the rendering: a commit expires every row the page still reads
    resp = make_response(html, status)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _act(reference: str, copy_id: int, form: FlaskForm, anchor: str, call, done: str | None,
         entry_pk: int | None = None, *, whole_page: bool = False):
    """Validate, call the service, and answer: in place (``_partial``) for the
    workbench's script, else back to the same page, filter and entry (POST-redirect-GET)."""
    back = _workbench_url(reference, copy_id, **paging.back_to(request.form))
    in_place = _in_place()
    only = None if whole_page else {entry_pk} if entry_pk is not None else set()
    if not in_place:
        session[AFTER_ACTION_KEY] = {"copy": copy_id, "anchor": anchor}
    if not form.validate_on_submit():
        if in_place:
            db.session.rollback()
            return _partial(reference, copy_id, anchor, only, errors={"anchor": anchor, "messages": form_errors(form)},
                            status=422)
        return _fail(back, anchor, form_errors(form))
    try:
        result = call()
    except CopyError as exc:
        if exc.code in NOT_HERE:
            db.session.rollback()
            abort(404)
        if in_place:
            db.session.rollback()
            return _partial(reference, copy_id, anchor, only,
                            errors={"anchor": anchor, "messages": [error_text(exc.code)]}, status=422)
        return _fail(back, anchor, [error_text(exc.code)])
    done = done or (result if isinstance(result, str) else None)
    if in_place:
        return _partial(reference, copy_id, anchor, only, done=done)
    if done:
        flash(done)
    return redirect(f"{back}#{anchor}")


# --- 1. the overview: links and copies ------------------------------------------------------------

def _overview_url(reference: str, dossier: str | None = None) -> str:
    return url_for("backoffice.copy_overview", reference=reference, **({"dossier": dossier} if dossier else {}))


@bp.route("/verzoeken/<reference>/afschrift")
@requires(Permission.COPY_PREPARE)
def copy_overview(reference: str):
    try:
        req = load_request(reference, CopyError)
    except CopyError:
        abort(404)
    verified = casework.identity_verified(req)
    lookup = DossierLookupForm(formdata=request.args if "dossier" in request.args else None)
    dossier, status = None, 200
    link_form = LinkForm(formdata=None)
    if verified and "dossier" in request.args:
        if not lookup.validate():
            status = 400
        else:
            try:
                # Logged as a read of every person of the dossier (dossier.view).
                dossier = dossier_svc.get_dossier(g.actor, lookup.dossier.data)
            except DomainError:
                lookup.dossier.errors = [error_text("dossier_not_found")]
            else:
                link_form.dossier_id.data = dossier.dossier_id
    search = {"family_name": "", "birth_date": "", "bsn": "", "errors": {}, "ran": False}
    candidates: list = []
    if verified:
        subject = req.subject
        search.update(family_name=subject.surname or "", bsn=subject.bsn or "",
                      birth_date=subject.birth_date.strftime("%d-%m-%Y") if subject.birth_date else "")
    if verified and "find" in request.args:
        search.update(family_name=request.args.get("family_name", ""), birth_date=request.args.get("birth_date", ""),
                      bsn=request.args.get("bsn", ""))
        try:
            candidates = svc.find_people(g.actor, reference, search["family_name"], search["birth_date"], search["bsn"])
            search["ran"] = True
        except CopyError as exc:
            db.session.rollback()
            field = SEARCH_FIELDS.get(exc.code)
            if field is None:
                raise
            search["errors"][field] = error_text(exc.code)
            status = 400
    links = svc.links_of(req) if verified else []
    copies = (db.session.execute(db.select(Copy).filter_by(request_id=req.id).order_by(Copy.id.desc())).scalars().all()
              if verified else [])
    _log_read("copy.overview", req)
    db.session.commit()
    return render_template("backoffice/copies/overview.html", req=req, verified=verified, lookup=lookup,
                           dossier=dossier, link_form=link_form, links=links, copies=copies,
                           search=search, candidates=candidates,
                           action_form=ActionForm(formdata=None), errors=copyform_errors()), status


@bp.route("/verzoeken/<reference>/afschrift/koppelen", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_link(reference: str):
    form = LinkForm()
    dossier = form.dossier_id.data if DOSSIER_ID.match(form.dossier_id.data or "") else None
    target = _overview_url(reference, dossier)
    if not form.validate_on_submit():
        return _fail(target, "koppelen", form_errors(form))
    try:
        svc.link_dossier(g.actor, reference, form.dossier_id.data, form.person_id.data,
                         form.requester_person_id.data or None)
    except CopyError as exc:
        if exc.code == "not_found":
            abort(404)
        return _fail(target, "koppelen", [error_text(exc.code)])
    flash(_("Het verzoek is gekoppeld aan het dossier. U kunt nu een afschrift maken."))
    return redirect(_overview_url(reference) + "#koppelingen")


@bp.route("/verzoeken/<reference>/afschrift/koppelingen/<int:link_id>/maken", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_create(reference: str, link_id: int):
    form = ActionForm()
    anchor = f"koppeling-{link_id}"
    if not form.validate_on_submit():
        return _fail(_overview_url(reference), anchor, form_errors(form))
    try:
        copy = svc.create_copy(g.actor, reference, link_id)
    except CopyError as exc:
        if exc.code in NOT_HERE:
            abort(404)
        return _fail(_overview_url(reference), anchor, [error_text(exc.code)])
    if copy.detector_state == svc.PLANNING:
        flash(_("Het afschrift wordt gemaakt. Bij een groot dossier duurt dat even; de pagina ververst vanzelf."))
    else:
        flash(_("Het afschrift is gemaakt. Alles wat de computer herkende, is al weggelaten. Controleer elk stuk."))
    return redirect(_workbench_url(reference, copy.id))


# --- 2. the workbench ------------------------------------------------------------------------------

@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>")
@requires(Permission.COPY_PREPARE)
def copy_workbench(reference: str, copy_id: int):
    try:
        req, copy = svc.view_copy(g.actor, reference, copy_id)
    except CopyError as exc:
        if exc.code in ("not_found", "copy_not_found"):
            abort(404)
        raise
    after = session.pop(AFTER_ACTION_KEY, None)
    after = after if isinstance(after, dict) and after.get("copy") == copy_id else None
    wb = workbench(req, copy, request.args, clamp=after is not None)
    if wb.nav.jump_to and not wb.nav.error:
        # Jumped by number or date: to the page that holds the entry, at the entry.
        return redirect(_workbench_url(reference, copy_id, **wb.nav.query()) + f"#{wb.nav.jump_to}")
    if wb.nav.clamped:
        # Back from an action to a page that is gone (the filter shrank): the last page,
        # at the entry if it is still shown there, else at the list of entries. The
        # notice or the error of the action waits in the session for that page.
        anchor = after.get("anchor") if after.get("anchor") in _anchors(wb) else "stukken"
        return redirect(_workbench_url(reference, copy_id, **wb.nav.query()) + f"#{anchor}")
    busy = copy.render_state in ("queued", "rendering") or copy.detector_state == svc.PLANNING
    nav_errors = {"anchor": "paginas", "messages": [str(paging.NAV_ERRORS[wb.nav.error])]} if wb.nav.error else None
    resp = render_template("backoffice/copies/workbench.html", wb=wb, req=req, copy=copy, busy=busy,
                           errors=copyform_errors(), nav_errors=nav_errors, filters=paging.FILTERS)
    return resp, 400 if wb.nav.error else 200


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/weglatingen/<int:redaction_id>/opheffen", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_lift(reference: str, copy_id: int, redaction_id: int):
    form = LiftForm()
    entry_pk = _entry_of(redaction_id)
    return _act(reference, copy_id, form, f"weglating-{redaction_id}",
                lambda: svc.lift(g.actor, reference, copy_id, redaction_id, form.reason.data),
                _("Dit stuk is weer zichtbaar in het afschrift. Maak de PDF opnieuw."), entry_pk,
                whole_page=entry_pk is None)  # an own statement's redaction: the page's parts come back


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/weglatingen/<int:redaction_id>/bevestigen", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_confirm(reference: str, copy_id: int, redaction_id: int):
    form = ActionForm()
    entry_pk = _entry_of(redaction_id)
    return _act(reference, copy_id, form, f"weglating-{redaction_id}",
                lambda: svc.confirm(g.actor, reference, copy_id, redaction_id),
                _("U heeft bevestigd dat dit stuk weg moet."), entry_pk, whole_page=entry_pk is None)


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/stukken/<int:entry_pk>/weglaten", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_add_redaction(reference: str, copy_id: int, entry_pk: int):
    form = AddRedactionForm()

    def call():
        added = svc.add_redaction(g.actor, reference, copy_id, entry_pk=entry_pk, field=form.field.data,
                                  ground=form.ground.data, reason=form.reason.data, phrase=form.phrase.data,
                                  everywhere=bool(form.everywhere.data))
        return _("%(n)s keer weggelaten. Maak de PDF opnieuw als u klaar bent.", n=len(added))

    # "Everywhere" can change every entry on the page: then they all come back.
    return _act(reference, copy_id, form, f"weglaten-{entry_pk}", call, None, entry_pk,
                whole_page=bool(form.everywhere.data))


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/verklaringen/<int:statement_id>/weglaten", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_add_statement_redaction(reference: str, copy_id: int, statement_id: int):
    """Redact a phrase in an own statement (art. 16): on the reporter's or a protected
    address's ground only (the service refuses any other)."""
    form = AddStatementRedactionForm()

    def call():
        added = svc.add_redaction(g.actor, reference, copy_id, statement_id=statement_id, ground=form.ground.data,
                                  reason=form.reason.data, phrase=form.phrase.data)
        return _("%(n)s keer weggelaten. Maak de PDF opnieuw als u klaar bent.", n=len(added))

    # A statement is not an entry: the parts of the page come back in place.
    return _act(reference, copy_id, form, f"verklaring-weglaten-{statement_id}", call, None, whole_page=True)


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/stukken/<int:entry_pk>/niet-opnemen", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_withhold_entry(reference: str, copy_id: int, entry_pk: int):
    form = WithholdForm()
    return _act(reference, copy_id, form, f"stuk-{entry_pk}",
                lambda: svc.withhold_entry(g.actor, reference, copy_id, entry_pk, form.ground.data, form.reasons.data),
                _("Dit stuk wordt niet opgenomen. Een teamleider moet dat ondertekenen."), entry_pk)


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/stukken/<int:entry_pk>/toch-opnemen", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_restore_entry(reference: str, copy_id: int, entry_pk: int):
    form = ActionForm()
    return _act(reference, copy_id, form, f"stuk-{entry_pk}",
                lambda: svc.restore_entry(g.actor, reference, copy_id, entry_pk),
                _("Dit stuk wordt weer opgenomen."), entry_pk)


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/bijlagen/<int:attachment_id>", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_review_attachment(reference: str, copy_id: int, attachment_id: int):
    form = AttachmentForm()
    anchor = f"bijlage-{attachment_id}"
    if form.decision.data == "redact" and not _attachment_redaction_available():
        if not form.validate_on_submit():
            return _fail(_workbench_url(reference, copy_id), anchor, form_errors(form))
        return _fail(_workbench_url(reference, copy_id), anchor, [error_text("attachment_redaction_unavailable")])
    phrases = [p.strip() for p in (form.phrases.data or "").splitlines() if p.strip()]

    def call():
        boxes = parse_boxes(form.boxes.data)
        svc.review_attachment(g.actor, reference, copy_id, attachment_id, decision=form.decision.data,
                              ground=form.ground.data or None, reasons=form.reasons.data,
                              extra_phrases=phrases, boxes=boxes)

    return _act(reference, copy_id, form, anchor, call, _("De bijlage is bekeken."), _attachment_entry(attachment_id))


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/bijlagen/<int:attachment_id>/origineel")
@requires(Permission.COPY_PREPARE)
def copy_attachment_original(reference: str, copy_id: int, attachment_id: int):
    """The attachment as it came in, to see what must go (logged)."""
    return _attachment_file(reference, copy_id, attachment_id, "origineel")


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/bijlagen/<int:attachment_id>/bewerkt")
@requires(Permission.COPY_PREPARE)
def copy_attachment_redacted(reference: str, copy_id: int, attachment_id: int):
    """The attachment as the copy will hold it (logged)."""
    return _attachment_file(reference, copy_id, attachment_id, "bewerkt")


def _attachment_file(reference: str, copy_id: int, attachment_id: int, which: str):
    try:
        data, media_type = svc.open_attachment(g.actor, reference, copy_id, attachment_id,
                                               redacted=which == "bewerkt")
    except CopyError as exc:
        if exc.code in NOT_HERE or exc.code in ("attachment_not_found", "not_redacted"):
            abort(404)
        raise
    resp = make_response(data)
    resp.headers["Content-Type"] = media_type
    resp.headers["Content-Disposition"] = f'inline; filename="bijlage-{attachment_id}-{which}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/pdf-maken", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_render(reference: str, copy_id: int):
    form = ActionForm()
    return _act(reference, copy_id, form, "stappen", lambda: svc.request_render(g.actor, reference, copy_id),
                _("De PDF wordt gemaakt."))


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/pdf")
@requires(Permission.COPY_PREPARE)
def copy_pdf(reference: str, copy_id: int):
    try:
        data = svc.open_pdf_for_staff(g.actor, reference, copy_id)
    except CopyError as exc:
        if exc.code in NOT_HERE:
            abort(404)
        return _fail(_workbench_url(reference, copy_id), "stappen", [error_text(exc.code)])
    resp = no_store_file(data, "application/pdf", f"afschrift-{reference}-{copy_id}.pdf", inline=True)
    resp.headers["Content-Security-Policy"] = "default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    return resp


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/gecontroleerd", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_review(reference: str, copy_id: int):
    form = ActionForm()
    return _act(reference, copy_id, form, "stappen", lambda: svc.mark_reviewed(g.actor, reference, copy_id),
                _("U heeft het afschrift gecontroleerd."))


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/ondertekenen", methods=["POST"])
@requires(Permission.DECISION_SIGN)
def copy_sign(reference: str, copy_id: int):
    form = ActionForm()
    return _act(reference, copy_id, form, "stappen", lambda: svc.sign(g.actor, reference, copy_id),
                _("U heeft ondertekend. Het afschrift kan nu worden vrijgegeven."))


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/vrijgeven", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_release(reference: str, copy_id: int):
    form = ActionForm()
    return _act(reference, copy_id, form, "stappen", lambda: svc.release(g.actor, reference, copy_id),
                _("Het afschrift is vrijgegeven. De aanvrager krijgt bericht als dat veilig kan."))


# --- 3. delivery: a one-time code for the phone, a handover in person (art. 14) ------------------

INSPECTION_MODE_LABELS = {"office": _l("Op kantoor"), "online": _l("Online")}


class InspectionForm(FlaskForm):
    """Inzage (art. 14.1): the reviewed copy was shown; when, how, and who attended."""

    held_on = DateField(_l("Datum van de inzage"), validators=[InputRequired(_l("Vul de datum van de inzage in."))])
    mode = RadioField(_l("Waar was de inzage?"), choices=list(INSPECTION_MODE_LABELS.items()),
                      validators=[InputRequired(_l("Kies of de inzage op kantoor of online was."))])
    attended = SelectMultipleField(_l("Wie was erbij?"), coerce=int, choices=[], validate_choice=False)


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/inzage", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_inspection(reference: str, copy_id: int):
    """Inzage (art. 14.1): the same reviewed copy was shown at the office or online."""
    form = InspectionForm()
    return _act(reference, copy_id, form, "inzage",
                lambda: svc.record_inspection(g.actor, reference, copy_id, held_on=form.held_on.data,
                                              mode=form.mode.data, attended=list(form.attended.data or [])),
                _("Vastgelegd: de inzage heeft plaatsgevonden. Daarmee is de inzage beantwoord."))


class HandoverForm(FlaskForm):
    party_id = IntegerField(validators=[InputRequired(_l("Kies aan wie u het afschrift gaf."))])
    note = TextAreaField(_l("Notitie (niet verplicht)"), validators=[Optional(), Length(max=500)])


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/leveringen/<int:delivery_id>/code", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_phone_code(reference: str, copy_id: int, delivery_id: int):
    """A one-time code to read out on the phone, for someone without safe e-mail. Shown
    once on the page this POST answers (never in a notice or the session cookie)."""
    form = ActionForm()
    if not form.validate_on_submit():
        return _fail(_workbench_url(reference, copy_id), "levering", form_errors(form))
    try:
        code = svc.new_code(g.actor, reference, copy_id, delivery_id)
    except CopyError as exc:
        if exc.code in NOT_HERE or exc.code in ("delivery_not_found", "not_found"):
            abort(404)
        return _fail(_workbench_url(reference, copy_id), "levering", [error_text(exc.code)])
    resp = make_response(render_template("backoffice/copies/phone_code.html", reference=reference, copy_id=copy_id,
                                         code=code, minutes=svc.CODE_MINUTES))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/verzoeken/<reference>/afschrift/<int:copy_id>/overhandigd", methods=["POST"])
@requires(Permission.COPY_PREPARE)
def copy_handover(reference: str, copy_id: int):
    """The copy was handed over at the desk, after the ID was shown: recorded."""
    form = HandoverForm()
    return _act(reference, copy_id, form, "levering",
                lambda: svc.record_handover(g.actor, reference, copy_id, form.party_id.data, form.note.data),
                _("Vastgelegd: het afschrift is persoonlijk overhandigd."))
