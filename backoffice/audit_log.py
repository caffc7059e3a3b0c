"""The access log for the privacy officer (art. 7.5): search and CSV export."""
from __future__ import annotations

from flask import Response, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from portal.rules.permissions import Permission
from portal.services import access_log, authz

from .blueprint import bp, requires


class LogFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    subject_ref = StringField(_l("Kenmerk van het verzoek"), validators=[Optional(), Length(max=40, message=_l("Hoogstens 40 tekens."))])
    actor = StringField(_l("Medewerker (bijvoorbeeld staff:12)"), validators=[Optional(), Length(max=80, message=_l("Hoogstens 80 tekens."))])
    action = StringField(_l("Handeling (begint met)"), validators=[Optional(), Length(max=60, message=_l("Hoogstens 60 tekens."))])
    date_from = DateField(_l("Vanaf (datum)"), validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField(_l("Tot en met (datum)"), validators=[Optional()], format="%Y-%m-%d")
    page = IntegerField(_l("Pagina"), validators=[Optional(), NumberRange(min=1, max=100000, message=_l("Kies een paginanummer van 1 of hoger."))])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("De einddatum ligt voor de begindatum."))


def _query(form: LogFilterForm) -> access_log.LogQuery:
    from portal.services.references import normalise_reference

    ref = (form.subject_ref.data or "").strip()
    return access_log.LogQuery(
        subject_ref=normalise_reference(ref) or ref or None,
        actor=(form.actor.data or "").strip() or None,
        action=(form.action.data or "").strip() or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


@bp.route("/toegangslog")
@requires(Permission.AUDIT_VIEW)
def audit_log():
    form = LogFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("backoffice/audit/index.html", form=form, result=None, can_export=False), 400
    result = access_log.search(g.actor, _query(form), form.page.data or 1)
    return render_template("backoffice/audit/index.html", form=form, result=result,
                           can_export=authz.can(g.actor, Permission.AUDIT_EXPORT))


@bp.route("/toegangslog.csv")
@requires(Permission.AUDIT_EXPORT)
def audit_log_csv():
    form = LogFilterForm(request.args)
    if request.args and not form.validate():
        return render_template("backoffice/audit/index.html", form=form, result=None, can_export=False), 400
    body = access_log.export_csv(g.actor, _query(form))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=toegangslog.csv"})
