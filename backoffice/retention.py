"""Dossiers past their retention (art. 9) for a team leader (Permission.DECISION_SIGN):
the list, the anonymisation of one (art. 9.3, portal/services/destruction/expiry.py),
and recording that the registration system carried out its instruction. Thin: the
services check the permission again and write the access log."""
from __future__ import annotations

import json
from datetime import date

from flask import abort, flash, g, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import InputRequired, Length

from portal.rules.permissions import Permission
from portal.services import destruction as svc
from portal.services import instructions

from .blueprint import bp, requires

ERRORS = {
    "dossier_not_found": _l("Dit dossier bestaat niet."),
    "already_executed": _l("Dit dossier is al geanonimiseerd."),
    "retention_running": _l("De bewaartermijn van dit dossier loopt nog. Het mag nog niet worden vernietigd."),
    "confirm_required": _l("Vink aan dat u begrijpt dat dit niet ongedaan kan worden gemaakt."),
    "instruction_not_found": _l("Deze opdracht bestaat niet."),
    "already_confirmed": _l("Deze opdracht is al bevestigd."),
    "name_required": _l("Schrijf de naam op."),
    "date_in_future": _l("Deze datum ligt in de toekomst."),
}


class DestroyForm(FlaskForm):
    confirm = BooleanField(_l("Ik begrijp dat anonimiseren niet ongedaan kan worden gemaakt."))


class ConfirmForm(FlaskForm):
    name = StringField(_l("Wie heeft het in het registratiesysteem gedaan?"),
                       validators=[InputRequired(_l("Schrijf de naam op.")), Length(max=instructions.NAME_MAX)])
    on = DateField(_l("Op welke datum?"), format=["%d-%m-%Y", "%Y-%m-%d"],
                   validators=[InputRequired(_l("Vul de datum in als DD-MM-JJJJ."))])


def _page():
    return redirect(url_for("backoffice.retention_overview"))


@bp.route("/dossiers/bewaartermijn-voorbij")
@requires(Permission.DECISION_SIGN)
def retention_overview():
    return render_template("backoffice/dossiers/retention.html", expired=svc.past_retention(g.actor),
                           waiting=svc.waiting_instructions(g.actor), today=date.today())


@bp.route("/dossiers/<dossier_id>/anonimiseren", methods=["POST"])
@requires(Permission.DECISION_SIGN)
def retention_destroy(dossier_id: str):
    form = DestroyForm()
    if not form.validate_on_submit():
        return _page()
    try:
        ins = svc.destroy_expired(g.actor, dossier_id[:40], confirmed=bool(form.confirm.data))
    except svc.DestructionError as exc:
        flash(str(ERRORS.get(exc.code, _("Dat kon niet."))))
        return _page()
    flash(_("Dossier %(id)s is geanonimiseerd. Opdracht %(n)s staat klaar voor het registratiesysteem.",
            id=dossier_id, n=ins.id))
    return _page()


@bp.route("/dossiers/bewaartermijn-voorbij/opdrachten/<int:instruction_id>/bevestigen", methods=["POST"])
@requires(Permission.DECISION_SIGN)
def retention_confirm(instruction_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for e in errors:
                flash(str(e))
        return _page()
    if instruction_id not in {i.id for i in svc.waiting_instructions(g.actor)}:
        abort(404)
    try:
        instructions.confirm(g.actor, instruction_id, name=form.name.data, on=form.on.data)
    except instructions.InstructionError as exc:
        flash(str(ERRORS.get(exc.code, _("Dat kon niet."))))
        return _page()
    flash(_("Vastgelegd dat het registratiesysteem de opdracht heeft uitgevoerd."))
    return _page()


@bp.route("/dossiers/bewaartermijn-voorbij/opdrachten/<int:instruction_id>.json")
@requires(Permission.DECISION_SIGN)
def retention_instruction_json(instruction_id: int):
    """Every instruction for the dossier of this one, as the JSON the registration
    system reads (docs/registration-instructions.md). Logged by the service."""
    found = next((i for i in svc.waiting_instructions(g.actor) if i.id == instruction_id), None)
    if found is None:
        abort(404)
    data = instructions.export(g.actor, found.dossier_ref)
    resp = make_response(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))
    resp.headers["Content-Type"] = "application/json; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="opdrachten-{found.dossier_ref}.json"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
