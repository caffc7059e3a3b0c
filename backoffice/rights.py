"""Back-office pages for correction (art. 15) and own statement (art. 16) of the
Privacyreglement Veilig Thuis: the wishes beside the entries they are about, a decision
per item (a refusal signed by a team leader), the decision on the right and its
execution (instructions for the registration system, AVG 19 notification tasks), and
the own statement added to the dossier.

Thin: portal/services/rectification/ decides, checks the authorisation matrix again
and writes the access log of every read of dossier data and every change. Every form:
CSRF (Flask-WTF), one service call, then back to the page (POST-redirect-GET) with a
notice, or with the error next to the form it belongs to (shown once; only the message
is kept, never what was typed). Something that is not part of this request answers 404.
Every dossier text is plain text: the templates print it with autoescape, never |safe.

The request page includes backoffice/rights/_correction.html (``rights_panel``); the
decision letter includes pdf/decision/_correctie.html and _eigen_verklaring.html, which
read ``right_part`` (portal/services/letters.py gives it from the service).
"""
from __future__ import annotations

import json
from datetime import date, datetime

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.infra.extensions import db
from portal.rules import grounds as G
from portal.rules.permissions import Permission
from portal.services import authz
from portal.services import rectification as svc
from portal.services.errors import DomainError

from .blueprint import bp, requires
from .pages import form_errors, no_store_file

# --- words for the codes ----------------------------------------------------------------------

OUTCOME_LABELS = {
    svc.IMPROVE: _l("Verbeteren"),
    svc.DELETE: _l("Verwijderen"),
    svc.SHIELD: _l("Afschermen"),
    svc.REFUSE: _l("Afwijzen (een teamleider moet ondertekenen)"),
}
OUTCOME_SHORT = {
    svc.IMPROVE: _l("verbeteren"),
    svc.DELETE: _l("verwijderen"),
    svc.SHIELD: _l("afschermen"),
    svc.REFUSE: _l("afwijzen"),
}
ITEM_STATE_LABELS = {
    svc.OPEN: _l("Nog te beslissen"),
    svc.PROPOSED: _l("Afwijzing voorgesteld, wacht op een teamleider"),
    svc.DECIDED: _l("Besloten"),
    svc.EXECUTED: _l("Uitgevoerd"),
}
ABOUT_LABELS = {
    "yes": _l("Over feiten (artikel 15)"),
    "no": _l("Over een mening of oordeel (dan past een eigen verklaring, artikel 16)"),
}
AMENDMENT_LABELS = {
    svc.IMPROVE: _l("Verbeterd"),
    svc.DELETE: _l("Verwijderd"),
    svc.SHIELD: _l("Afgeschermd"),
}
KIND_LABELS = {
    "rectify": _l("Correctie uitvoeren"),
    "add_statement": _l("Eigen verklaring toevoegen"),
}
NATURE_LABELS = {
    "fact": _l("feit"),
    "opinion": _l("mening"),
    "hypothesis": _l("veronderstelling"),
    "diagnosis": _l("diagnose"),
}
#: The timeline of the request page shows these words for the events of this module.

ERRORS = {
    "not_found": _l("Dit verzoek bestaat niet."),
    "right_not_asked": _l("Dit recht is niet gevraagd in dit verzoek."),
    "identity_not_verified": _l("Eerst moet de identiteit van iedereen die meedoet zijn gecontroleerd (artikel 20 lid 5)."),
    "not_linked": _l("Koppel het verzoek eerst aan de persoon in het dossier."),
    "item_not_found": _l("Dit punt hoort niet bij dit verzoek."),
    "item_not_open": _l("Over dit punt is al besloten. Heropen het eerst."),
    "item_not_proposed": _l("Bij dit punt wacht geen afwijzing op een teamleider."),
    "item_not_decided": _l("Over dit punt is nog niet besloten."),
    "wish_required": _l("Schrijf op wat er nu staat of wat er moet staan."),
    "wish_too_long": _l("Gebruik hoogstens 5000 tekens per vak."),
    "too_many_items": _l("Er zijn te veel punten. Voeg er geen meer toe."),
    "entries_required": _l("Kies minstens één stuk uit het dossier."),
    "entry_not_eligible": _l("Dit stuk hoort niet bij het deel van het dossier over deze persoon (artikel 13)."),
    "outcome_unknown": _l("Kies een besluit."),
    "about_facts_required": _l("Kies of het om feiten gaat of om een mening of oordeel."),
    "opinion_not_improved": _l("Een mening of oordeel verbetert u niet. Wijs dit punt af en wijs op de eigen verklaring (artikel 16), of verwijder of scherm af als het niet ter zake is."),
    "improve_one_entry": _l("Verbeteren kan bij één stuk tegelijk. Splits het punt als het over meer stukken gaat."),
    "new_text_required": _l("Schrijf de nieuwe tekst van het stuk."),
    "new_text_too_long": _l("De nieuwe tekst is te lang (hoogstens 20000 tekens)."),
    "new_text_unchanged": _l("De nieuwe tekst is hetzelfde als de oude. Pas de tekst aan."),
    "new_text_only_for_improve": _l("Een nieuwe tekst hoort alleen bij verbeteren. Maak het vak leeg of kies verbeteren."),
    "reasons_too_long": _l("De motivering is te lang."),
    G.GROUND_UNKNOWN: _l("Kies een grond uit de lijst."),
    G.GROUND_REQUIRED: _l("Een afwijzing heeft een grond nodig."),
    G.REASONS_REQUIRED: _l("Een afwijzing heeft een schriftelijke motivering nodig (minstens 20 tekens)."),
    G.GRANT_HAS_NO_GROUNDS: _l("Bij verbeteren, verwijderen of afschermen hoort geen grond. Kies geen grond."),
    G.GROUND_NOT_FOR_RIGHT: _l("Deze grond past niet bij correctie."),
    G.GROUND_NEEDS_REPRESENTATIVE: _l("Artikel 20 lid 4 geldt alleen als een wettelijk vertegenwoordiger het verzoek doet."),
    "own_proposal": _l("U kunt uw eigen voorstel niet ondertekenen of terugsturen. Een andere teamleider moet dit doen."),
    "request_withdrawn": _l("De verzoeker heeft dit verzoek ingetrokken. Er kan geen besluit meer worden genomen of ondertekend."),
    "decision_pending": _l("Het besluit op de correctie wacht op een teamleider. Nu kan er niets aan de punten veranderen."),
    "already_decided": _l("Over de correctie is al een ondertekend besluit. De punten liggen vast."),
    "no_items": _l("Er zijn nog geen punten."),
    "items_not_decided": _l("Beslis eerst over elk punt. Een afwijzing moet ook door een teamleider zijn ondertekend."),
    "not_signed": _l("Een teamleider moet het besluit eerst ondertekenen."),
    "already_executed": _l("De correctie is al uitgevoerd."),
    "nothing_to_execute": _l("Er is niets uit te voeren: alle punten zijn afgewezen."),
    # decisions (portal/services/decisions.py), through propose_decision
    "open_proposal_exists": _l("Voor dit recht is al een voorstel. Wijzig dat voorstel."),
    "request_not_open": _l("Dit verzoek is niet (meer) in behandeling."),
    "replaces_not_standing": _l("Alleen het ondertekende besluit dat nu geldt, kan worden vervangen."),
    "signed_cannot_be_edited": _l("Een ondertekend besluit kan niet worden gewijzigd."),
    # own statement
    "statement_exists": _l("De eigen verklaring van dit verzoek is al toegevoegd."),
    "statement_refused": _l("Het verzoek om een eigen verklaring is afgewezen. De verklaring kan niet worden toegevoegd."),
    "statement_required": _l("Schrijf de verklaring, of voeg een PDF toe."),
    "statement_too_long": _l("De verklaring is te lang (hoogstens 20000 tekens)."),
    "no_statement": _l("Voeg eerst de verklaring toe aan het dossier."),
    "no_request_pdf": _l("Bij dit verzoek is geen PDF gestuurd."),
    "pdf_unreadable": _l("De PDF kan niet worden gelezen. Vraag de persoon om hem opnieuw te sturen."),
    "statement_not_found": _l("Deze verklaring hoort niet bij dit verzoek."),
    "upload_not_pdf": _l("Voeg de verklaring toe als PDF."),
    "upload_too_large": _l("Het bestand is te groot."),
    "upload_empty": _l("Het bestand is leeg."),
    "upload_unsupported_type": _l("Dit soort bestand kan niet. Voeg een PDF toe."),
    "upload_pdf_encrypted": _l("De PDF is beveiligd met een wachtwoord. Vraag om een PDF zonder wachtwoord."),
    "upload_pdf_broken": _l("De PDF is beschadigd en kan niet worden geopend. Vraag om een nieuwe PDF."),
    "upload_pdf_active_content": _l("De PDF bevat onderdelen die wij niet openen, zoals scripts. Vraag om een gewone PDF."),
    # instructions and notification tasks
    "task_not_found": _l("Deze taak hoort niet bij dit verzoek."),
    "already_done": _l("Deze taak is al afgevinkt."),
    "note_too_long": _l("De notitie is te lang (hoogstens 500 tekens)."),
    "date_in_future": _l("Deze datum ligt in de toekomst. Vul de datum in waarop het gebeurde."),
    "instruction_not_found": _l("Deze opdracht hoort niet bij dit verzoek."),
    "already_confirmed": _l("Deze opdracht is al bevestigd."),
    "superseded": _l("Deze opdracht vervalt: de gegevens zijn vernietigd of gewist. Er hoeft niets meer te gebeuren."),
    "name_required": _l("Vul in wie het in het registratiesysteem heeft gedaan (hoogstens 120 tekens)."),
    "bad_date": _l("Vul de datum in als dd-mm-jjjj, bijvoorbeeld 03-03-2026."),
}

#: Codes that mean "this is not part of this request": 404.
NOT_HERE = frozenset({"not_found", "item_not_found", "task_not_found", "instruction_not_found",
                      "statement_not_found"})

ERRORS_KEY = "rights_errors"


def error_text(code: str) -> str:
    if code.startswith("upload_") and code not in ERRORS:
        return str(ERRORS["upload_unsupported_type"])
    return str(ERRORS.get(code, _l("Dit kan nu niet.")))




# --- forms (the pages write the inputs; these parse and check them) ----------------------------

class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


class ItemForm(FlaskForm):
    says_now = TextAreaField(_l("Wat staat er nu in het dossier, volgens de aanvrager?"),
                             validators=[Optional(), Length(max=svc.WISH_MAX)])
    should_say = TextAreaField(_l("Wat moet er volgens de aanvrager staan?"),
                               validators=[Optional(), Length(max=svc.WISH_MAX)])
    why = TextAreaField(_l("Waarom?"), validators=[Optional(), Length(max=svc.WISH_MAX)])


class LinkForm(FlaskForm):
    entries = SelectMultipleField(_l("Over welke stukken gaat dit punt?"), coerce=int, choices=[],
                                  validate_choice=False)


class DecideForm(FlaskForm):
    outcome = RadioField(_l("Besluit over dit punt"), choices=list(OUTCOME_LABELS.items()), validate_choice=False,
                         validators=[InputRequired(_l("Kies een besluit."))])
    about_facts = RadioField(_l("Waar gaat dit punt over?"), choices=list(ABOUT_LABELS.items()),
                             validate_choice=False,
                             validators=[InputRequired(_l("Kies of het om feiten gaat of om een mening of oordeel."))])
    new_text = TextAreaField(_l("Nieuwe tekst van het stuk (bij verbeteren)"),
                             validators=[Optional(), Length(max=svc.NEW_TEXT_MAX)])
    ground = SelectField(_l("Grond (bij afwijzen)"), choices=[], validate_choice=False, validators=[Optional()])
    reasons = TextAreaField(_l("Motivering"), validators=[Optional(), Length(max=svc.REASONS_MAX)])


class TickForm(FlaskForm):
    done_on = StringField(_l("Op de hoogte gebracht op"), validators=[InputRequired(_l("Vul de datum in."))])
    note = StringField(_l("Notitie"), validators=[Optional(), Length(max=500)])


class ConfirmForm(FlaskForm):
    name = StringField(_l("Wie deed het in het registratiesysteem?"),
                       validators=[InputRequired(_l("Vul een naam in.")), Length(max=120)])
    on = StringField(_l("Datum"), validators=[InputRequired(_l("Vul de datum in."))])


class StatementForm(FlaskForm):
    link_id = IntegerField(validators=[InputRequired(_l("Kies de persoon in het dossier."))])
    entries = SelectMultipleField(_l("Op welke stukken reageert de verklaring?"), coerce=int, choices=[],
                                  validate_choice=False)
    text = TextAreaField(_l("De verklaring"), validators=[Optional(), Length(max=svc.STATEMENT_MAX)])
    pdf = FileField(_l("Een PDF met de verklaring"))
    use_request_pdf = BooleanField(_l("De PDF die bij het verzoek is gestuurd, toevoegen"))


def _date(value: str | None) -> date:
    try:
        return datetime.strptime((value or "").strip(), "%d-%m-%Y").date()
    except ValueError:
        raise svc.RectificationError("bad_date") from None


# --- helpers ----------------------------------------------------------------------------------

def _correction_url(reference: str) -> str:
    return url_for("backoffice.rights_correction", reference=reference)


def _statement_url(reference: str) -> str:
    return url_for("backoffice.rights_statement", reference=reference)


def _fail(target: str, anchor: str, messages: list[str]):
    db.session.rollback()
    session[ERRORS_KEY] = {"anchor": anchor, "messages": [str(m) for m in messages][:10]}
    return redirect(f"{target}#{anchor}")


def _act(target: str, form: FlaskForm, anchor: str, call, done: str):
    """Validate the form (CSRF), call one service, then back to `target` with a notice,
    or with the error next to the form `anchor`."""
    if not form.validate_on_submit():
        return _fail(target, anchor, form_errors(form))
    try:
        call()
    except DomainError as exc:
        if exc.code in NOT_HERE:
            db.session.rollback()
            abort(404)
        return _fail(target, anchor, [error_text(exc.code)])
    flash(done)
    return redirect(f"{target}#{anchor}")


@bp.app_template_global("rights_form_errors")
def rightsform_errors() -> dict:
    return session.pop(ERRORS_KEY, None) or {"anchor": None, "messages": []}


@bp.app_template_global("rights_panel")
def rights_panel(req):
    """The small panel on the request page (no dossier data): nothing for whoever may not
    see dossiers, or where neither right is asked."""
    if not authz.can(getattr(g, "actor", None), Permission.DOSSIER_VIEW):
        return None
    return svc.panel(req)


@bp.app_context_processor
def _rights_labels():
    return {"rights_labels": {
        "outcome": OUTCOME_LABELS, "outcome_short": OUTCOME_SHORT, "item_state": ITEM_STATE_LABELS,
        "about": ABOUT_LABELS, "amendment": AMENDMENT_LABELS, "kind": KIND_LABELS, "nature": NATURE_LABELS,
    }, "rights_json": svc.instruction_json}


# --- correction (art. 15) ---------------------------------------------------------------------

@bp.route("/verzoeken/<reference>/correctie")
@requires(Permission.DOSSIER_VIEW)
def rights_correction(reference: str):
    try:
        page = svc.correction_page(g.actor, reference)
    except svc.RectificationError as exc:
        if exc.code == "not_found":
            abort(404)
        flash(error_text(exc.code))
        return redirect(url_for("backoffice.request_page", reference=reference))
    may = {"propose": authz.can(g.actor, Permission.DECISION_PROPOSE),
           "sign": authz.can(g.actor, Permission.DECISION_SIGN),
           "letter": authz.can(g.actor, Permission.LETTER_VIEW)}
    return render_template("backoffice/rights/correction_page.html", page=page, req=page.req, may=may,
                           errors=rightsform_errors(), today=svc.today_local())


@bp.route("/verzoeken/<reference>/correctie/punten", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_item_add(reference: str):
    form = ItemForm()
    return _act(_correction_url(reference), form, "punt-toevoegen",
                lambda: svc.add_item(g.actor, reference, says_now=form.says_now.data, should_say=form.should_say.data,
                                     why=form.why.data),
                _("Het punt is toegevoegd."))


@bp.route("/verzoeken/<reference>/correctie/punten/<int:item_id>/wijzigen", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_item_edit(reference: str, item_id: int):
    form = ItemForm()
    return _act(_correction_url(reference), form, f"punt-{item_id}",
                lambda: svc.edit_item(g.actor, reference, item_id, says_now=form.says_now.data,
                                      should_say=form.should_say.data, why=form.why.data),
                _("Het punt is gewijzigd."))


@bp.route("/verzoeken/<reference>/correctie/punten/<int:item_id>/splitsen", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_item_split(reference: str, item_id: int):
    form = ActionForm()
    return _act(_correction_url(reference), form, f"punt-{item_id}",
                lambda: svc.split_item(g.actor, reference, item_id),
                _("Het punt is gesplitst. Pas nu de tekst van beide punten aan."))


@bp.route("/verzoeken/<reference>/correctie/punten/<int:item_id>/stukken", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_item_link(reference: str, item_id: int):
    form = LinkForm()
    return _act(_correction_url(reference), form, f"punt-{item_id}",
                lambda: svc.link_entries(g.actor, reference, item_id, form.entries.data or []),
                _("De stukken zijn aan het punt gekoppeld."))


@bp.route("/verzoeken/<reference>/correctie/punten/<int:item_id>/besluit", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_item_decide(reference: str, item_id: int):
    form = DecideForm()

    def call():
        item = svc.decide_item(g.actor, reference, item_id, outcome=form.outcome.data,
                               about_facts={"yes": True, "no": False}.get(form.about_facts.data),
                               new_text=form.new_text.data, ground=form.ground.data or None,
                               reasons=form.reasons.data)
        if item.state == svc.PROPOSED:
            flash(_("De afwijzing is voorgesteld. Een teamleider moet haar ondertekenen."))
        else:
            flash(_("Het besluit over dit punt is opgeslagen."))

    if not form.validate_on_submit():
        return _fail(_correction_url(reference), f"punt-{item_id}", form_errors(form))
    try:
        call()
    except DomainError as exc:
        if exc.code in NOT_HERE:
            db.session.rollback()
            abort(404)
        return _fail(_correction_url(reference), f"punt-{item_id}", [error_text(exc.code)])
    return redirect(f"{_correction_url(reference)}#punt-{item_id}")


@bp.route("/verzoeken/<reference>/correctie/punten/<int:item_id>/ondertekenen", methods=["POST"])
@requires(Permission.DECISION_SIGN)
def rights_item_sign(reference: str, item_id: int):
    form = ActionForm()
    return _act(_correction_url(reference), form, f"punt-{item_id}",
                lambda: svc.sign_item(g.actor, reference, item_id),
                _("U heeft de afwijzing van dit punt ondertekend."))


@bp.route("/verzoeken/<reference>/correctie/punten/<int:item_id>/terugsturen", methods=["POST"])
@requires(Permission.DECISION_SIGN)
def rights_item_send_back(reference: str, item_id: int):
    form = ActionForm()
    return _act(_correction_url(reference), form, f"punt-{item_id}",
                lambda: svc.send_back_item(g.actor, reference, item_id),
                _("De afwijzing is teruggestuurd. Het punt staat weer open."))


@bp.route("/verzoeken/<reference>/correctie/punten/<int:item_id>/heropenen", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_item_reopen(reference: str, item_id: int):
    form = ActionForm()
    return _act(_correction_url(reference), form, f"punt-{item_id}",
                lambda: svc.reopen_item(g.actor, reference, item_id),
                _("Het punt staat weer open."))


@bp.route("/verzoeken/<reference>/correctie/besluit", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_correction_propose(reference: str):
    form = ActionForm()
    return _act(_correction_url(reference), form, "besluit-correctie",
                lambda: svc.propose_decision(g.actor, reference),
                _("Het besluit is voorgesteld. Een teamleider moet het nu ondertekenen. Daarna gaat de brief naar de aanvrager."))


@bp.route("/verzoeken/<reference>/correctie/uitvoeren", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_correction_execute(reference: str):
    form = ActionForm()
    return _act(_correction_url(reference), form, "uitvoeren",
                lambda: svc.execute(g.actor, reference),
                _("De correctie is uitgevoerd. Geef de opdracht door aan het registratiesysteem en breng de ontvangers op de hoogte."))


@bp.route("/verzoeken/<reference>/correctie/meldingen/<int:task_id>", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_task_tick(reference: str, task_id: int):
    form = TickForm()
    return _act(_correction_url(reference), form, f"melding-{task_id}",
                lambda: svc.tick_task(g.actor, reference, task_id, done_on=_date(form.done_on.data),
                                      note=form.note.data),
                _("Afgevinkt: de ontvanger is op de hoogte gebracht."))


@bp.route("/verzoeken/<reference>/opdrachten/<int:instruction_id>/bevestigen", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_instruction_confirm(reference: str, instruction_id: int):
    form = ConfirmForm()
    target = _statement_url(reference) if request.form.get("from") == "statement" else _correction_url(reference)
    return _act(target, form, f"opdracht-{instruction_id}",
                lambda: svc.confirm_instruction(g.actor, reference, instruction_id, name=form.name.data,
                                                on=_date(form.on.data)),
                _("Vastgelegd: de opdracht is in het registratiesysteem uitgevoerd."))


@bp.route("/verzoeken/<reference>/opdrachten/<dossier_ref>.json")
@requires(Permission.DECISION_PROPOSE)
def rights_instructions_export(reference: str, dossier_ref: str):
    try:
        data = svc.export_for(g.actor, reference, dossier_ref)
    except DomainError:
        db.session.rollback()
        abort(404)
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return no_store_file(body, "application/json; charset=utf-8", f"opdrachten-{dossier_ref}.json", inline=False)


# --- own statement (art. 16) --------------------------------------------------------------------

@bp.route("/verzoeken/<reference>/eigen-verklaring")
@requires(Permission.DOSSIER_VIEW)
def rights_statement(reference: str):
    try:
        page = svc.statement_page(g.actor, reference)
    except svc.RectificationError as exc:
        if exc.code == "not_found":
            abort(404)
        flash(error_text(exc.code))
        return redirect(url_for("backoffice.request_page", reference=reference))
    may = {"propose": authz.can(g.actor, Permission.DECISION_PROPOSE),
           "sign": authz.can(g.actor, Permission.DECISION_SIGN)}
    return render_template("backoffice/rights/correction_statement.html", page=page, req=page.req, may=may,
                           errors=rightsform_errors(), today=svc.today_local())


@bp.route("/verzoeken/<reference>/eigen-verklaring", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_statement_add(reference: str):
    form = StatementForm()
    target = _statement_url(reference)
    if not form.validate_on_submit():
        return _fail(target, "verklaring-toevoegen", form_errors(form))
    upload = None
    storage = form.pdf.data
    if storage is not None and getattr(storage, "filename", None):  # a file was chosen (maybe empty)
        from flask import current_app

        from portal.documents.uploads import UploadRejected, read_limited

        try:
            upload = read_limited(storage.stream, current_app.config["UPLOAD_MAX_BYTES"])
        except UploadRejected as exc:
            return _fail(target, "verklaring-toevoegen", [error_text(f"upload_{exc.code}")])
    try:
        svc.add_statement(g.actor, reference, link_id=form.link_id.data, text=form.text.data,
                          entry_pks=form.entries.data or [], upload=upload,
                          use_request_pdf=bool(form.use_request_pdf.data))
    except DomainError as exc:
        if exc.code in NOT_HERE:
            db.session.rollback()
            abort(404)
        return _fail(target, "verklaring-toevoegen", [error_text(exc.code)])
    flash(_("De eigen verklaring is aan het dossier toegevoegd. Stel nu het besluit voor: daarna krijgt de aanvrager een bevestiging."))
    return redirect(f"{target}#verklaring")


@bp.route("/verzoeken/<reference>/eigen-verklaring/besluit", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def rights_statement_propose(reference: str):
    form = ActionForm()
    return _act(_statement_url(reference), form, "besluit-verklaring",
                lambda: svc.propose_statement_decision(g.actor, reference),
                _("Het besluit is voorgesteld. Een teamleider moet het nu ondertekenen. Daarna krijgt de aanvrager de bevestiging."))


def _pdf_response(f):
    resp = no_store_file(f.data, "application/pdf", f.filename, inline=True)
    resp.headers["Content-Security-Policy"] = "default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    return resp


@bp.route("/verzoeken/<reference>/eigen-verklaring/pdf")
@requires(Permission.DOSSIER_VIEW)
def rights_statement_request_pdf(reference: str):
    try:
        f = svc.open_request_statement_pdf(g.actor, reference)
    except svc.RectificationError as exc:
        if exc.code == "not_found":
            abort(404)
        flash(error_text(exc.code))
        return redirect(url_for("backoffice.request_page", reference=reference))
    return _pdf_response(f)


@bp.route("/verzoeken/<reference>/eigen-verklaring/<int:statement_id>/pdf")
@requires(Permission.DOSSIER_VIEW)
def rights_statement_pdf(reference: str, statement_id: int):
    try:
        f = svc.open_statement_pdf(g.actor, reference, statement_id)
    except svc.RectificationError as exc:
        if exc.code in NOT_HERE:
            abort(404)
        return _fail(_statement_url(reference), "verklaring", [error_text(exc.code)])
    return _pdf_response(f)
