"""The queue (werkvoorraad) and the request page: thin views over
portal/services/queue.py and portal/services/casefile.py.

Filters come in as GET parameters and are validated by a WTForms form: a wrong value
gives a clear error on the page (400), never a 500. Every action is a POST with a CSRF
token; the services check the authorisation matrix again and write the access log.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.labels import RIGHT_NAMES
from portal.rules.permissions import Permission
from portal.rules.status import RequestStatus
from portal.services import casefile
from portal.services import queue as svc
from portal.services.casefile import CaseError

from .blueprint import bp, requires

# --- words for staff ---------------------------------------------------------------------

STATUS_NAMES = {
    "awaiting_email": _l("Wacht op bevestiging e-mailadres"),
    "awaiting_co_requester": _l("Wacht op tweede persoon"),
    "received": _l("Ontvangen"),
    "in_progress": _l("In behandeling"),
    "waiting_for_requester": _l("Wacht op verzoeker"),
    "decided": _l("Besluit genomen"),
    "closed": _l("Afgesloten"),
    "withdrawn": _l("Ingetrokken"),
}

EVENT_NAMES = {
    "submitted": _l("Verzoek ingediend"),
    "email_confirmed": _l("E-mailadres bevestigd"),
    "co_requester_joined": _l("Tweede persoon doet mee"),
    "requester_replied": _l("Verzoeker stuurde een bericht"),
    "message_to_requester": _l("Bericht aan verzoeker"),
    "art20_4_review_requested": _l("Kind zegt: ouder erbij betrekken is niet veilig (art. 20.4)"),
    "invitation_expired": _l("Uitnodiging verlopen: de tweede persoon deed niet mee (art. 20.1)"),
    "possible_duplicate_flagged": _l("Mogelijk een tweede verzoek voor dezelfde persoon"),
    "claimed": _l("Opgepakt"),
    "assigned": _l("Toegewezen"),
    "deadline_extended": _l("Termijn verlengd (AVG 12(3))"),
    "dossier_linked": _l("Gekoppeld aan een dossierpersoon"),
    "copy_prepared": _l("Afschrift gemaakt (concept)"),
    "copy_released": _l("Afschrift vrijgegeven"),
    "copy_downloaded": _l("Afschrift gedownload door de verzoeker"),
    "copy_handed_over": _l("Afschrift persoonlijk overhandigd"),
    "copy_withdrawn": _l("Vrijgegeven afschrift ingetrokken: gegevens erin vernietigd of gewist (verzoeker kreeg een bericht)"),
    "destruction_assessed": _l("Vernietiging gewogen (art. 17)"),
    "erasure_assessed": _l("Gegevenswissing gewogen (art. 18)"),
    "destruction_executed": _l("Vernietiging uitgevoerd in het portaal"),
    "erasure_executed": _l("Gegevenswissing uitgevoerd in het portaal"),
    "destruction_confirmed": _l("Vernietiging bevestigd door het registratiesysteem"),
    "erasure_confirmed": _l("Gegevenswissing bevestigd door het registratiesysteem"),
    "destruction_checked": _l("Uitgevoerde vernietiging gecontroleerd door een teamleider"),
    "erasure_checked": _l("Uitgevoerde gegevenswissing gecontroleerd door een teamleider"),
    "destruction_check_sent_back": _l("Uitgevoerde vernietiging teruggestuurd door een teamleider"),
    "erasure_check_sent_back": _l("Uitgevoerde gegevenswissing teruggestuurd door een teamleider"),
    "destruction_check_offered_again": _l("Uitgevoerde vernietiging opnieuw ter controle aangeboden"),
    "erasure_check_offered_again": _l("Uitgevoerde gegevenswissing opnieuw ter controle aangeboden"),
    "retention_extended": _l("Bewaartermijn verlengd (art. 9 lid 2)"),
    "correction_items_made": _l("Correctie: punten gemaakt uit het verzoek"),
    "correction_item_added": _l("Correctie: punt toegevoegd"),
    "correction_item_edited": _l("Correctie: punt gewijzigd"),
    "correction_item_split": _l("Correctie: punt gesplitst"),
    "correction_entries_linked": _l("Correctie: stukken gekoppeld"),
    "correction_item_decided": _l("Correctie: besluit over een punt"),
    "correction_item_refusal_proposed": _l("Correctie: afwijzing van een punt voorgesteld"),
    "correction_item_refusal_signed": _l("Correctie: afwijzing van een punt ondertekend"),
    "correction_item_sent_back": _l("Correctie: afwijzing van een punt teruggestuurd"),
    "correction_item_reopened": _l("Correctie: punt heropend"),
    "correction_executed": _l("Correctie uitgevoerd (opdracht voor het registratiesysteem)"),
    "notification_done": _l("Ontvanger op de hoogte gebracht (AVG 19)"),
    "instruction_confirmed": _l("Registratiesysteem: opdracht uitgevoerd"),
    "own_statement_added": _l("Eigen verklaring toegevoegd aan het dossier"),
    "copy_inspected": _l("Inzage gehouden: het gecontroleerde afschrift is getoond (art. 14.1)"),
    "capacity_judged": _l("Oordeel over wilsbekwaamheid vastgelegd (art. 20.2)"),
    "decision_proposed": _l("Besluit voorgesteld"),
    "decision_revised": _l("Voorstel voor een besluit gewijzigd"),
    "decision_sent_back": _l("Voorstel teruggestuurd door de teamleider"),
    "decision_signed": _l("Besluit ondertekend door de teamleider"),
    "decision_replaced": _l("Eerder besluit vervangen"),
    "request_withdrawn": _l("De verzoeker heeft het verzoek ingetrokken"),
    "uploads_purged": _l("Bestanden van de verzoeker verwijderd na intrekking"),
    "left_out_parent_withdrew": _l("De ouder die het kind buiten het verzoek hield (art. 20.4) heeft zich teruggetrokken; "
                                   "de bestanden van die ouder zijn verwijderd, het verzoek van het kind gaat door"),
}

#: Events whose kind carries a value after a colon: "identity_check:verified".
EVENT_FAMILIES = {
    "identity_check": _l("Identiteit gecontroleerd: %(value)s"),
    "representation_check": _l("Vertegenwoordiging gecontroleerd: %(value)s"),
    "art20_4": _l("Teamleider over art. 20.4: %(value)s"),
    "right_answered": _l("Beantwoord: %(value)s"),
}
EVENT_VALUES = {
    "verified": _l("in orde"),
    "rejected": _l("niet in orde"),
    "needs_more": _l("meer nodig van de verzoeker"),
    "continue_without_parent": _l("verder zonder de ouder"),
    "parent_must_take_part": _l("de ouder moet meedoen"),
}

#: The values the public form stores in a right's details, in words.
DETAIL_VALUES = {
    ("delivery", "download"): _l("Veilig downloaden via de statuspagina"),
    ("delivery", "in_person"): _l("Ophalen bij Veilig Thuis"),
    ("refuted", "yes"): _l("Ja"),
    ("refuted", "no"): _l("Nee"),
    ("refuted", "unknown"): _l("Weet de verzoeker niet"),
}

ACTOR_NAMES = {
    "requester": _l("Verzoeker"),
    "co_requester": _l("Tweede persoon"),
    "system": _l("Systeem"),
}

PARTY_ROLES = {
    "requester": _l("Verzoeker"),
    "co_requester": _l("Tweede persoon"),
    "subject": _l("Betrokkene"),
}

DETAIL_LABELS = {
    "delivery": _l("Hoe ontvangen"),
    "what_is_wrong": _l("Wat klopt er niet"),
    "should_say": _l("Wat het moet zijn"),
    "statement": _l("Verklaring"),
    "refuted": _l("Melding weerlegd"),
    "grounds": _l("Redenen"),
    "explanation": _l("Toelichting"),
}

DOCUMENT_KINDS = {
    "identity": _l("Identiteitsbewijs"),
    "representation": _l("Bewijs van vertegenwoordiging"),
    "statement": _l("Eigen verklaring (bestand)"),
    "message": _l("Bijlage bij een bericht"),
}

CASE_ERRORS = {
    "not_assignable_now": _l("Dit verzoek kan nu niet worden toegewezen."),
    "already_yours": _l("U behandelt dit verzoek al."),
    "not_an_assignee": _l("Kies een medewerker of teamleider die verzoeken mag behandelen."),
    "already_assigned": _l("Dit verzoek is al aan deze persoon toegewezen."),
    "message_empty": _l("Schrijf een bericht."),
    "message_too_long": _l("Gebruik hoogstens 5000 tekens."),
    "request_not_open": _l("Dit verzoek is niet in behandeling. Dat kan niet meer."),
    "not_a_party": _l("Kies aan wie het bericht is."),
    "cannot_ask_now": _l("Bij deze status kunt u niet om informatie vragen."),
    "reasons_missing": _l("Schrijf waarom u meer tijd nodig heeft."),
    "right_not_asked": _l("Dit recht is niet gevraagd."),
    "not_extendable": _l("Alleen bij inzage en afschrift kan de termijn langer worden."),
    "already_extended": _l("De termijn voor dit recht is al verlengd."),
    "too_late": _l("Verlengen kan alleen in de eerste maand. Die is voorbij."),
}


def event_name(kind: str) -> str:
    if kind.startswith("status:"):
        return _("Status: %(status)s", status=STATUS_NAMES.get(kind[7:], kind[7:]))
    family, _sep, value = kind.partition(":")
    if value and family in EVENT_FAMILIES:
        word = RIGHT_NAMES.get(value) if family == "right_answered" else EVENT_VALUES.get(value)
        return str(EVENT_FAMILIES[family]) % {"value": str(word or value)}
    return str(EVENT_NAMES.get(kind, kind))


def detail_value(key: str, value) -> str:
    """A value of a right's details in words (delivery choice, refuted or not)."""
    if isinstance(value, str):
        return str(DETAIL_VALUES.get((key, value), value))
    return value


@bp.app_template_filter("bo_status")
def _bo_status(code: str) -> str:
    return str(STATUS_NAMES.get(code, code))


@bp.app_template_filter("bo_event")
def _bo_event(kind: str) -> str:
    return event_name(kind)


@bp.app_template_filter("bo_party_role")
def _bo_party_role(role: str) -> str:
    return str(PARTY_ROLES.get(role, role))


@bp.app_template_filter("bo_days_left")
def _bo_days_left(days: int | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return _("%(n)s dag te laat", n=-days) if days == -1 else _("%(n)s dagen te laat", n=-days)
    if days == 0:
        return _("Vandaag")
    return _("Nog %(n)s dag", n=days) if days == 1 else _("Nog %(n)s dagen", n=days)


@bp.app_context_processor
def _words():
    return {"actor_names": ACTOR_NAMES, "detail_labels": DETAIL_LABELS, "document_kinds": DOCUMENT_KINDS,
            "detail_value": detail_value}


# --- forms --------------------------------------------------------------------------------

class WholeNumberField(IntegerField):
    """An integer field with a Dutch message for text that is not a whole number."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Vul een heel getal in.")) from None


def in_range(low: int, high: int, message):
    """Like NumberRange, but silent when the text was no number at all (that error is
    already there), so a person sees one message per mistake."""

    def check(form, field):
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(message)

    return check


class YesField(BooleanField):
    """A checkbox in a GET form: "1", "y", "on" mean yes; "", "0", "false" no."""

    false_values = (False, "false", "False", "0", "", "off", "no", "nee")


def _status_choices():
    return ([("open", _l("Alle open verzoeken")), ("all", _l("Alle verzoeken"))]
            + [(s.value, STATUS_NAMES[s.value]) for s in RequestStatus])


class QueueFilterForm(FlaskForm):
    """The queue's GET parameters. No CSRF: it changes nothing."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=_status_choices, default="open", validators=[Optional()])
    right = SelectField(_l("Recht"), choices=lambda: [("", _l("Alle rechten"))] + list(RIGHT_NAMES.items()),
                        default="", validators=[Optional()])
    due_within = WholeNumberField(
        _l("Uiterste datum binnen … dagen"),
        validators=[Optional(), in_range(1, svc.MAX_DUE_WITHIN, _l("Kies een getal van 1 tot en met 90."))],
        render_kw={"min": 1, "max": svc.MAX_DUE_WITHIN},
    )
    mine = YesField(_l("Alleen aan mij toegewezen"))
    overdue = YesField(_l("Te laat"))
    nearly_due = YesField(_l("Binnen 5 werkdagen"))
    waiting_for_team_leader = YesField(_l("Wacht op teamleider"))
    waiting_for_requester = YesField(_l("Wacht op verzoeker"))
    sort = SelectField(_l("Sorteren op"), choices=[("due", _l("Uiterste datum")), ("received", _l("Datum ontvangen"))],
                       default="due", validators=[Optional()])
    page = WholeNumberField(_l("Pagina"), validators=[Optional(), in_range(1, 100_000, _l("Deze pagina bestaat niet."))])

    def filters(self) -> svc.QueueFilters:
        return svc.QueueFilters(
            status=self.status.data or svc.STATUS_OPEN,
            right=self.right.data or None,
            mine=bool(self.mine.data),
            due_within=self.due_within.data,
            overdue=bool(self.overdue.data),
            nearly_due=bool(self.nearly_due.data),
            waiting_for_team_leader=bool(self.waiting_for_team_leader.data),
            waiting_for_requester=bool(self.waiting_for_requester.data),
            sort=self.sort.data or "due",
            page=self.page.data or 1,
        )

    def args(self) -> dict:
        """The filters as query parameters (for the pager and the sort links), page left out."""
        f = self.filters()
        out = {}
        if f.status != svc.STATUS_OPEN:
            out["status"] = f.status
        if f.right:
            out["right"] = f.right
        if f.due_within is not None:
            out["due_within"] = f.due_within
        for name in ("mine", "overdue", "nearly_due", "waiting_for_team_leader", "waiting_for_requester"):
            if getattr(f, name):
                out[name] = 1
        if f.sort != "due":
            out["sort"] = f.sort
        return out


class ClaimForm(FlaskForm):
    pass


class AssignForm(FlaskForm):
    staff_id = SelectField(_l("Toewijzen aan"), coerce=int, validate_choice=False,
                           validators=[DataRequired(_l("Kies aan wie u het verzoek toewijst."))])


class MessageForm(FlaskForm):
    to = SelectField(_l("Aan wie"), validate_choice=False, default="")
    body = TextAreaField(_l("Bericht"), validators=[
        DataRequired(_l("Schrijf een bericht.")),
        Length(max=casefile.MESSAGE_MAX, message=_l("Gebruik hoogstens 5000 tekens.")),
    ])
    asks_for_document = BooleanField(_l("Ik vraag om meer informatie (de status wordt: wacht op verzoeker)"))


class ExtensionForm(FlaskForm):
    right = HiddenField(validators=[DataRequired()])
    reasons = TextAreaField(_l("Waarom is er meer tijd nodig?"), validators=[
        DataRequired(_l("Schrijf waarom u meer tijd nodig heeft.")),
        Length(min=10, max=casefile.MESSAGE_MAX, message=_l("Schrijf de reden in 10 tot 5000 tekens.")),
    ])


# --- the queue ------------------------------------------------------------------------------

@bp.route("/")
def index():
    """The back office's front door is the queue."""
    return redirect(url_for("backoffice.queue"))


@bp.route("/werkvoorraad")
@requires(Permission.QUEUE_VIEW)
def queue():
    form = QueueFilterForm(formdata=request.args)
    if not form.validate():
        return render_template("backoffice/queue/index.html", form=form, page=None, args={}), 400
    try:
        page = svc.queue_page(g.actor, form.filters())
    except svc.QueueError:
        abort(400)
    return render_template("backoffice/queue/index.html", form=form, page=page, args=form.args())


# --- the request page -----------------------------------------------------------------------

def _message_form(page: casefile.RequestPage, form: MessageForm | None = None) -> MessageForm:
    form = form or MessageForm(formdata=None)
    choices = [("", _l("Iedereen die het verzoek volgt"))]
    for party in (page.requester, page.co_requester):
        if party is not None:
            choices.append((str(party.id), _("Alleen: %(role)s (%(name)s)", role=PARTY_ROLES[party.role],
                                              name=party.display_name)))
    form.to.choices = choices
    return form


def _render_request(reference: str, status: int = 200, **forms):
    try:
        page = casefile.request_page(g.actor, reference)
    except CaseError:
        abort(404)
    assign_form = forms.get("assign_form") or AssignForm(formdata=None)
    assign_form.staff_id.choices = [(s.id, f"{s.display_name} ({s.username})") for s in page.assignable]
    return render_template(
        "backoffice/request/page.html",
        page=page,
        req=page.request,
        claim_form=ClaimForm(formdata=None),
        assign_form=assign_form,
        message_form=_message_form(page, forms.get("message_form")),
        extension_form=forms.get("extension_form") or ExtensionForm(formdata=None),
        extension_right=forms.get("extension_right"),
    ), status


def _back(reference: str):
    return redirect(url_for("backoffice.request_page", reference=reference))


def _case_error(exc: CaseError):
    if exc.code == "not_found":
        abort(404)
    return str(CASE_ERRORS.get(exc.code, exc.code))


@bp.route("/verzoeken/<reference>")
@requires(Permission.REQUEST_VIEW)
def request_page(reference: str):
    return _render_request(reference)


@bp.route("/verzoeken/<reference>/oppakken", methods=["POST"])
@requires(Permission.REQUEST_ASSIGN)
def request_claim(reference: str):
    if not ClaimForm().validate_on_submit():
        abort(400)
    try:
        casefile.claim(g.actor, reference)
    except CaseError as exc:
        flash(_case_error(exc))
    else:
        flash(_("U behandelt dit verzoek nu."))
    return _back(reference)


@bp.route("/verzoeken/<reference>/toewijzen", methods=["POST"])
@requires(Permission.REQUEST_ASSIGN)
def request_assign(reference: str):
    form = AssignForm()
    if not form.validate_on_submit():
        return _render_request(reference, 400, assign_form=form)
    try:
        casefile.assign(g.actor, reference, form.staff_id.data)
    except CaseError as exc:
        form.staff_id.errors = [_case_error(exc)]
        return _render_request(reference, 400, assign_form=form)
    flash(_("Het verzoek is toegewezen."))
    return _back(reference)


@bp.route("/verzoeken/<reference>/bericht", methods=["POST"])
@requires(Permission.REQUEST_MESSAGE)
def request_message(reference: str):
    form = MessageForm()
    if not form.validate_on_submit():
        return _render_request(reference, 400, message_form=form)
    try:
        party_id = int(form.to.data) if form.to.data else None
    except ValueError:
        party_id = -1  # not a party of this request: the service says so
    try:
        notified = casefile.send_message(g.actor, reference, form.body.data, party_id=party_id,
                                         asks_for_document=form.asks_for_document.data)
    except CaseError as exc:
        form.form_errors.append(_case_error(exc))
        return _render_request(reference, 400, message_form=form)
    flash(_("Het bericht staat op de statuspagina van de verzoeker."))
    if notified.sent:
        flash(_("Er is een e-mail gestuurd dat er nieuws is (zonder inhoud)."))
    if notified.failed:
        flash(_("Let op: %(n)s e-mail kon niet worden verstuurd. Het bericht staat wel op de statuspagina.",
                n=notified.failed))
    return _back(reference)


@bp.route("/verzoeken/<reference>/verlengen", methods=["POST"])
@requires(Permission.EXTENSION_PROPOSE)
def request_extend(reference: str):
    form = ExtensionForm()
    if not form.validate_on_submit():
        return _render_request(reference, 400, extension_form=form, extension_right=form.right.data)
    try:
        done = casefile.extend(g.actor, reference, form.right.data, form.reasons.data)
    except CaseError as exc:
        form.form_errors.append(_case_error(exc))
        return _render_request(reference, 400, extension_form=form, extension_right=form.right.data)
    flash(_("De termijn is verlengd. De verzoeker ziet de nieuwe datum en de reden op de statuspagina."))
    if done.notified.failed:
        flash(_("Let op: %(n)s e-mail kon niet worden verstuurd. Het bericht staat wel op de statuspagina.",
                n=done.notified.failed))
    return _back(reference)
