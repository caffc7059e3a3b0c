"""Back-office destruction (vernietiging, art. 17) and erasure (gegevenswissing, art. 18),
with the retention of the dossier (art. 9).

The panel on the request page (portal/templates/backoffice/rights/_destruction.html):
the deadlines (the answer in four weeks; for destruction the data destroyed within
three months of receipt, art. 17.4), the linked dossier with its outcome (a refuted
report must be granted, art. 17.3) and its retention calculation (art. 9), the
weighing (art. 17.4: the other person with a substantial interest; art. 18.2: the
requester's grounds a-e and the caseworker's finding; art. 18.3: the AVG 17(3)
checklist), the team leader's retention extension (art. 9.2), and after the signed
decision the execution, the confirmation by the registration system and the AVG 19
notifications. The decision itself is proposed and signed in the casework panel
(backoffice/casework.py); portal/services/decisions.py asks
portal/services/destruction.check_decision, so art. 17.3 and 17.4 hold there too.

The execution page (/uitvoeren/<right>) shows the subject's entries (dates, kinds,
titles): a logged read of dossier data. Every POST: CSRF-checked form, one service
call, back to the page with a notice or with the error next to the panel.
"""
from __future__ import annotations

import json

from flask import abort, flash, g, make_response, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.infra.extensions import db
from portal.models import NotificationTask, RegistrationInstruction
from portal.rules import retention as RT
from portal.rules.permissions import Permission
from portal.services import authz, instructions
from portal.services import destruction as svc
from portal.services.errors import DomainError, load_request

from .blueprint import bp, requires
from .pages import CASEWORK_ERRORS, form_errors

# --- words for the codes ----------------------------------------------------------------------

ERRORS = {
    "right_not_asked": _l("Dit recht is niet gevraagd in dit verzoek."),
    "request_not_open": _l("Dit verzoek is niet (meer) in behandeling."),
    "interest_person_required": _l("Schrijf voor wie het bewaren van aanmerkelijk belang is."),
    "interest_person_too_long": _l("Gebruik hoogstens 200 tekens voor de persoon."),
    "reasons_required": _l("Schrijf de redenen op (minstens 20 tekens)."),
    "reasons_too_long": _l("De redenen zijn te lang."),
    "already_executed": _l("Dit is al uitgevoerd. Er kan niets meer aan worden veranderd."),
    "ground_unknown": _l("Kies gronden uit de lijst."),
    "finding_unknown": _l("Kies bij elke grond: geldt, of geldt niet."),
    "finding_required": _l("U schreef een toelichting bij een grond zonder oordeel. Kies ook: geldt, of geldt niet."),
    "note_too_long": _l("Een toelichting is te lang (hoogstens 2000 tekens)."),
    "exception_unknown": _l("Kies uitzonderingen uit de lijst."),
    "exception_note_required": _l("Schrijf bij elke aangevinkte uitzondering waarom die geldt (minstens 10 tekens)."),
    "exception_not_ticked": _l("U schreef een toelichting bij een uitzondering die niet is aangevinkt. Vink die aan of haal de tekst weg."),
    "link_not_found": _l("Deze koppeling hoort niet bij dit verzoek."),
    "dossier_not_closed": _l("Het dossier is nog niet afgesloten. De bewaartermijn is nog niet begonnen."),
    "year_not_later": _l("Kies een jaar na het jaar waarin de bewaartermijn nu eindigt."),
    "identity_not_verified": _l("Eerst moet de identiteit van iedereen die meedoet zijn gecontroleerd (artikel 20 lid 5)."),
    "method_unknown": _l("Kies hoe de gegevens verdwijnen: vernietigen of anonimiseren."),
    "confirm_required": _l("Vink aan dat u weet dat dit niet ongedaan kan worden gemaakt."),
    "not_granted": _l("Er is nog geen ondertekend besluit dat dit toewijst."),
    "entries_required": _l("Kies de stukken die bij het toegewezen deel horen."),
    "entry_not_concerned": _l("Kies alleen stukken die over de betrokkene gaan."),
    "instruction_not_found": _l("Deze opdracht hoort niet bij dit verzoek."),
    "already_confirmed": _l("Deze opdracht is al bevestigd."),
    "name_required": _l("Schrijf wie het in het registratiesysteem heeft gedaan (hoogstens 120 tekens)."),
    "date_required": _l("Vul de datum in."),
    "date_in_future": _l("De datum kan niet in de toekomst liggen."),
    "date_before_instruction": _l("De datum kan niet voor de opdracht liggen."),
    "task_not_found": _l("Deze taak hoort niet bij dit verzoek."),
    "already_done": _l("Dit is al gedaan."),
    # issue 10: the team leader's execution check (four eyes)
    "request_withdrawn": _l("De verzoeker heeft dit verzoek ingetrokken. Er kan niets meer worden ondertekend."),
    "not_executed": _l("Dit is nog niet uitgevoerd en bevestigd. Er valt nog niets te controleren."),
    "check_not_waiting": _l("Deze uitvoering wacht niet (meer) op een controle. Misschien heeft een andere teamleider het al gedaan."),
    "check_not_sent_back": _l("De teamleider heeft deze uitvoering niet teruggestuurd."),
    "own_execution": _l("U heeft hieraan meegewerkt. Een andere teamleider moet het controleren."),
    "comment_required": _l("Schrijf wat er niet in orde is."),
    "comment_too_long": _l("De opmerking is te lang (hoogstens 5000 tekens)."),
}


FINDING_LABELS = {
    svc.APPLIES: _l("Geldt"),
    svc.DOES_NOT_APPLY: _l("Geldt niet"),
}
METHOD_LABELS = {
    svc.DESTROY: _l("Vernietigen: de gegevens worden verwijderd (in het registratiesysteem door een gecertificeerd bedrijf)"),
    svc.ANONYMISE: _l("Anonimiseren: wat alleen over de betrokkene gaat blijft als leeg stuk bestaan, zonder tekst en zonder namen"),
}
KIND_LABELS = {
    "destroy": _l("vernietigen"),
    "anonymise": _l("anonimiseren"),
    "erase": _l("wissen"),
}


def error_text(code: str) -> str:
    return str(ERRORS.get(code) or CASEWORK_ERRORS.get(code) or _l("Dit kan nu niet."))


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "nl"


def retention_lines(ret: RT.Retention) -> list[str]:
    """The art. 9 calculation in words, one line per step."""
    lines = []
    for r in ret.reasons:
        if r.code == RT.NOT_CLOSED:
            lines.append(_("Het dossier is nog niet afgesloten. De bewaartermijn is nog niet begonnen (artikel 9 lid 1)."))
        elif r.code == RT.BASE:
            lines.append(_("Afgesloten in %(year)s. Vijftien jaar bewaren, gerekend vanaf dat jaar: tot en met %(until)s (artikel 9 lid 1).",
                           year=r.year, until=r.until_year))
        elif r.code == RT.YOUNGEST_CHILD:
            lines.append(_("Het jongste kind (%(person)s) wordt 18 in %(year)s. Aan het einde van de vijftien jaar is het kind nog geen 18. Daarom bewaren tot en met %(until)s (artikel 9 lid 1).",
                           person=r.person_id, year=r.year, until=r.until_year))
        elif r.code == RT.YOUNGEST_CHILD_NO_EFFECT:
            lines.append(_("Het jongste kind (%(person)s) wordt 18 in %(year)s. Aan het einde van de vijftien jaar is het kind dus al 18: geen verlenging.",
                           person=r.person_id, year=r.year))
        elif r.code == RT.BIRTH_DATE_UNKNOWN:
            lines.append(_("Van %(person)s staat geen geboortedatum in het dossier. Controleer zelf of dit het jongste kind is.",
                           person=r.person_id))
        elif r.code == RT.TEAM_LEADER:
            lines.append(_("Verlengd door een teamleider tot en met %(until)s (artikel 9 lid 2).", until=r.until_year))
        elif r.code == RT.TEAM_LEADER_NO_EFFECT:
            lines.append(_("Een verlenging door een teamleider tot en met %(year)s verandert niets: de termijn loopt al zo lang of langer (artikel 9 lid 2).",
                           year=r.year))
    return lines


# --- forms ------------------------------------------------------------------------------------

class NextForm(FlaskForm):
    next = HiddenField()


class InterestForm(NextForm):
    interest_person = StringField(_l("Voor wie is het bewaren van aanmerkelijk belang?"),
                                  validators=[Optional(), Length(max=svc.NAME_MAX)])
    interest_reasons = TextAreaField(_l("Waarom is het bewaren voor die persoon van aanmerkelijk belang?"),
                                     validators=[Optional(), Length(max=svc.REASONS_MAX)])


class ErasureForm(NextForm):
    """Built per code a-e: finding_<c>, note_<c> (art. 18.2), exception_<c>,
    exception_note_<c> (AVG 17(3))."""


for _code in svc.CODES:
    setattr(ErasureForm, f"finding_{_code}", RadioField(
        choices=[("", _l("Niet gewogen"))] + list(FINDING_LABELS.items()), default="", validate_choice=False))
    setattr(ErasureForm, f"note_{_code}", TextAreaField(validators=[Optional(), Length(max=svc.NOTE_MAX)]))
    setattr(ErasureForm, f"exception_{_code}", BooleanField())
    setattr(ErasureForm, f"exception_note_{_code}", TextAreaField(validators=[Optional(), Length(max=svc.NOTE_MAX)]))


class RetentionForm(NextForm):
    until_year = IntegerField(_l("Bewaren tot en met het jaar"),
                              validators=[InputRequired(_l("Vul een jaar in.")), NumberRange(min=1900, max=9999)])
    reasons = TextAreaField(_l("Waarom is langer bewaren nodig voor een zorgvuldige taakuitoefening?"),
                            validators=[InputRequired(_l("Schrijf de redenen op.")), Length(max=svc.REASONS_MAX)])


class ExecuteForm(NextForm):
    method = RadioField(_l("Hoe verdwijnen de gegevens? (artikel 9 lid 3)"), choices=list(METHOD_LABELS.items()),
                        validators=[InputRequired(_l("Kies vernietigen of anonimiseren."))])
    entries = SelectMultipleField(_l("Stukken"), coerce=int, choices=[], validate_choice=False)
    confirm = BooleanField(_l("Ik weet dat dit niet ongedaan kan worden gemaakt."))


class ConfirmForm(NextForm):
    name = StringField(_l("Wie heeft het in het registratiesysteem gedaan?"),
                       validators=[InputRequired(_l("Schrijf de naam op.")), Length(max=instructions.NAME_MAX)])
    on = DateField(_l("Op welke datum?"), format=["%d-%m-%Y", "%Y-%m-%d"],
                   validators=[InputRequired(_l("Vul de datum in als DD-MM-JJJJ."))])


class TickForm(NextForm):
    done_on = DateField(_l("Verteld op"), format=["%d-%m-%Y", "%Y-%m-%d"],
                        validators=[InputRequired(_l("Vul de datum in als DD-MM-JJJJ."))])
    note = StringField(_l("Notitie"), validators=[Optional(), Length(max=instructions.NOTE_MAX)])


# --- helpers ----------------------------------------------------------------------------------

ERRORS_KEY = "rd_errors"


def _request_page(reference: str, anchor: str) -> str:
    return url_for("backoffice.request_page", reference=reference) + f"#{anchor}"


def _back(reference: str, form: NextForm, anchor: str):
    """Back to the page the form was on: a back-office path, nothing else."""
    target = (form.next.data if form is not None else None) or ""
    prefix = url_for("backoffice.index").rstrip("/") + "/"
    if not target.startswith(prefix) or target.startswith("//") or any(c in target for c in "\\\r\n#"):
        return redirect(_request_page(reference, anchor))
    return redirect(f"{target}#{anchor}")


def _fail(reference: str, form: NextForm, messages: list[str], anchor: str):
    """Nothing is stored: the error is shown once, next to the panel."""
    db.session.rollback()
    session[ERRORS_KEY] = {"anchor": anchor, "messages": [str(m) for m in messages][:10]}
    return _back(reference, form, anchor)


def _act(reference: str, form: NextForm, anchor: str, call, done: str, *, missing: tuple[str, ...] = ()):
    if not form.validate_on_submit():
        return _fail(reference, form, form_errors(form), anchor)
    try:
        call()
    except DomainError as exc:
        if exc.code in missing or exc.code == "not_found":
            db.session.rollback()
            abort(404)
        return _fail(reference, form, [error_text(exc.code)], anchor)
    flash(done)
    return _back(reference, form, anchor)


def _right_or_404(right: str) -> str:
    if right not in svc.RIGHTS:
        abort(404)
    return right


# --- template helpers -------------------------------------------------------------------------

@bp.app_template_global("destruction_panel")
def destruction_panel(req):
    """What the panel shows, or None (no such right asked, or no permission to see
    dossier data)."""
    actor = getattr(g, "actor", None)
    if not (authz.can(actor, Permission.REQUEST_VIEW) and authz.can(actor, Permission.DOSSIER_VIEW)):
        return None
    return svc.panel_data(req)


@bp.app_template_global("destruction_errors")
def destruction_errors() -> dict:
    return session.pop(ERRORS_KEY, None) or {"anchor": None, "messages": []}


@bp.app_template_global("destruction_may")
def destruction_may() -> dict[str, bool]:
    actor = getattr(g, "actor", None)
    return {p.name.lower(): authz.can(actor, p) for p in (
        Permission.DECISION_PROPOSE, Permission.DECISION_SIGN, Permission.COPY_PREPARE, Permission.DOSSIER_VIEW)}


@bp.app_template_global("destruction_retention_lines")
def destruction_retention_lines(ret):
    return retention_lines(ret)


@bp.app_context_processor
def _destruction_labels():
    lang = _lang()
    return {"rd_labels": {
        "ground": {c: svc.erasure_ground_label(c, lang) for c in svc.CODES},
        "exception": {c: svc.exception_label(c, lang) for c in svc.CODES},
        "exception_article": {c: svc.exception_article(c, lang) for c in svc.CODES},
        "finding": FINDING_LABELS,
        "method": METHOD_LABELS,
        "kind": KIND_LABELS,
    }, "rd_codes": svc.CODES}


# --- the weighing -----------------------------------------------------------------------------

@bp.route("/verzoeken/<reference>/vernietiging/belang", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def destruction_interest(reference: str):
    form = InterestForm()
    return _act(reference, form, "vernietiging",
                lambda: svc.record_interest(g.actor, reference, form.interest_person.data, form.interest_reasons.data),
                _("De afweging is opgeslagen."))


@bp.route("/verzoeken/<reference>/gegevenswissing/afweging", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def erasure_weighing(reference: str):
    form = ErasureForm()

    def call():
        weighing = {c: {"finding": getattr(form, f"finding_{c}").data or "", "note": getattr(form, f"note_{c}").data or ""}
                    for c in svc.CODES}
        exc = {c: {"applies": bool(getattr(form, f"exception_{c}").data),
                   "note": getattr(form, f"exception_note_{c}").data or ""} for c in svc.CODES}
        svc.record_erasure(g.actor, reference, weighing, exc)

    return _act(reference, form, "gegevenswissing", call, _("De afweging is opgeslagen."))


@bp.route("/verzoeken/<reference>/bewaartermijn/<int:link_id>", methods=["POST"])
@requires(Permission.DECISION_SIGN)
def retention_extend(reference: str, link_id: int):
    form = RetentionForm()
    return _act(reference, form, f"bewaartermijn-{link_id}",
                lambda: svc.extend_retention(g.actor, reference, link_id, form.until_year.data, form.reasons.data),
                _("De bewaartermijn is verlengd. Het besluit staat bij het dossier."), missing=("link_not_found",))


# --- carrying it out ---------------------------------------------------------------------------

def _execute_url(reference: str, right: str) -> str:
    return url_for("backoffice.destruction_execute_page", reference=reference, right=right)


@bp.route("/verzoeken/<reference>/uitvoeren/<right>")
@requires(Permission.DOSSIER_VIEW)
def destruction_execute_page(reference: str, right: str):
    _right_or_404(right)
    try:
        req = load_request(reference, svc.DestructionError)
    except svc.DestructionError:
        abort(404)
    if not authz.can(g.actor, Permission.REQUEST_VIEW) or svc.requested_right(req, right) is None:
        abort(404)
    data = svc.panel_data(req)
    view = next((r for r in data.rights if r.right == right), None) if data else None
    plans, problem = [], None
    if view is not None and view.decision is not None and not view.executed_in_portal:
        try:
            if view.decision.outcome == "grant":
                plans = svc.plan(req, right)
            else:
                plans = [svc.plan_link(link, full=False, selected=set()) for link in svc.links_of(req)]
        except svc.DestructionError as exc:
            problem = error_text(exc.code)
    if plans:
        svc.log_plan_view(g.actor, req, right, plans)
    form = ExecuteForm(formdata=None)
    return render_template("backoffice/rights/destruction_execute.html", req=req, right=right, view=view,
                           plans=plans, problem=problem, form=form, errors=destruction_errors(),
                           concerned={p.link.id: svc.concerned_entries(p.link) for p in plans})


@bp.route("/verzoeken/<reference>/uitvoeren/<right>", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def destruction_execute(reference: str, right: str):
    _right_or_404(right)
    form = ExecuteForm()
    form.next.data = _execute_url(reference, right)
    anchor = "uitvoeren"
    if not form.validate_on_submit():
        return _fail(reference, form, form_errors(form), anchor)
    try:
        made = svc.execute(g.actor, reference, right, method=form.method.data, entry_pks=form.entries.data or [],
                           confirmed=bool(form.confirm.data))
    except svc.DestructionError as exc:
        if exc.code == "not_found":
            abort(404)
        return _fail(reference, form, [error_text(exc.code)], anchor)
    flash(_("Uitgevoerd in het portaal. Er staan %(n)s opdracht(en) klaar voor het registratiesysteem.", n=len(made)))
    return redirect(_request_page(reference, right))


@bp.route("/verzoeken/<reference>/uitvoeren/<right>/opdrachten/<int:instruction_id>/bevestigen", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def destruction_confirm(reference: str, right: str, instruction_id: int):
    _right_or_404(right)
    form = ConfirmForm()
    return _act(reference, form, f"opdracht-{instruction_id}",
                lambda: svc.confirm_execution(g.actor, reference, right, instruction_id, name=form.name.data,
                                              on=form.on.data),
                _("Vastgelegd. Als alles is bevestigd, ziet de verzoeker dat op de statuspagina."),
                missing=("instruction_not_found",))


@bp.route("/verzoeken/<reference>/uitvoeren/<right>/opnieuw-ter-controle", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def destruction_offer_check_again(reference: str, right: str):
    """What the team leader sent back is mended: the check waits in the inbox again."""
    _right_or_404(right)
    form = NextForm()
    return _act(reference, form, f"{right}-controle",
                lambda: svc.offer_check_again(g.actor, reference, right),
                _("De uitvoering staat weer bij de teamleider ter controle."))


@bp.route("/verzoeken/<reference>/avg19/<int:task_id>", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def destruction_tick(reference: str, task_id: int):
    form = TickForm()

    def call():
        req = load_request(reference, svc.DestructionError)
        task = db.session.get(NotificationTask, task_id)
        if task is None or task.request_id != req.id:
            raise svc.DestructionError("task_not_found")
        instructions.tick(g.actor, task_id, done_on=form.done_on.data, note=form.note.data)

    return _act(reference, form, f"taak-{task_id}", call, _("Vastgelegd dat de ontvanger het weet (artikel 19 AVG)."),
                missing=("task_not_found",))


@bp.route("/verzoeken/<reference>/uitvoeren/opdrachten/<int:instruction_id>.json")
@requires(Permission.DECISION_PROPOSE)
def destruction_instruction_json(reference: str, instruction_id: int):
    """Every instruction for the dossier of this one, as the JSON the registration
    system reads (docs/registration-instructions.md). Logged by the service."""
    try:
        req = load_request(reference, svc.DestructionError)
    except svc.DestructionError:
        abort(404)
    ins = db.session.get(RegistrationInstruction, instruction_id)
    if ins is None or ins.request_id != req.id:
        abort(404)
    data = instructions.export(g.actor, ins.dossier_ref)
    resp = make_response(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))
    resp.headers["Content-Type"] = "application/json; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="opdrachten-{ins.dossier_ref}.json"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
