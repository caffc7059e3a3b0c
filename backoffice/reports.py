"""The management report (privacy officer, team leaders): a thin view over
portal/services/reports.py. The period comes in as GET parameters (first and last
month, YYYY-MM), checked by a form: a wrong value gives a clear error (400), never a
500. The page shows the table, the chart (our own escaped SVG, inline) and a link to
the same numbers as CSV. Counts only: no reference, no name.
"""
from __future__ import annotations

import re
from datetime import date

from flask import Response, g, render_template, request
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import ValidationError

from portal.rules.permissions import Permission
from portal.services import reports as svc
from portal.services.requests import today_local

from .blueprint import bp, requires

REPORT_ERRORS = {
    "range_reversed": _l("De eerste maand ligt na de laatste maand. Kies een eerste maand die eerder is."),
    "range_too_long": _l("Kies hoogstens %(n)s maanden.", n=svc.MAX_MONTHS),
}

_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_NL_MONTH = re.compile(r"^(\d{1,2})-(\d{4})$")


class MonthField(StringField):
    """A month as YYYY-MM (what <input type="month"> sends); MM-YYYY is read too.
    Empty: None (the view fills in the default period)."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.raw = text
        self.data = None
        if not text:
            return
        iso, nl = _ISO_MONTH.match(text), _NL_MONTH.match(text)
        year, month = (int(iso[1]), int(iso[2])) if iso else (int(nl[2]), int(nl[1])) if nl else (0, 0)
        if not (1 <= month <= 12 and 1900 <= year <= 2999):
            raise ValueError(_l("Vul een maand in als jjjj-mm, bijvoorbeeld 2024-01."))
        self.data = date(year, month, 1)

    def _value(self):
        if self.data is not None:
            return f"{self.data:%Y-%m}"
        return getattr(self, "raw", "") or ""


class ReportForm(FlaskForm):
    """The report's GET parameters. No CSRF: it changes nothing."""

    class Meta:
        csrf = False

    date_from = MonthField(_l("Eerste maand"))
    date_to = MonthField(_l("Laatste maand"))

    def validate_date_to(self, field):
        if self.date_from.errors or field.errors:
            return
        start, end = self.period()
        try:
            svc.check_period(start, end)
        except svc.ReportError as exc:
            raise ValidationError(REPORT_ERRORS[exc.code]) from None

    def period(self) -> tuple[date, date]:
        """The chosen months; a missing one from the default: the last twelve months."""
        default_from, default_to = svc.default_period(today_local())
        return self.date_from.data or default_from, self.date_to.data or default_to


def _days_label(value: float | None) -> str:
    return "–" if value is None else format_decimal(value, format="0.0")


def _page(form: ReportForm, report: svc.Report | None = None, status: int = 200):
    extra = {}
    if report is not None:
        extra = {
            # Our own markup: every text in it is escaped by report_svg (xml.sax.saxutils).
            "chart": Markup(svc.report_svg(report)),
            "csv_args": {"date_from": f"{report.date_from:%Y-%m}", "date_to": f"{report.date_to:%Y-%m}"},
        }
    return render_template("backoffice/reports/index.html", form=form, report=report, max_months=svc.MAX_MONTHS,
                           right_label=svc.right_label, ground_label=svc.ground_label, month_label=svc.month_label,
                           days_label=_days_label, **extra), status


def _form_or_error():
    form = ReportForm(request.args)
    if not form.validate():
        return form, _page(form, status=400)
    return form, None


@bp.route("/rapportage")
@requires(Permission.REPORTS_VIEW)
def reports():
    form, error = _form_or_error()
    if error:
        return error
    start, end = form.period()
    try:
        report = svc.monthly_report(g.actor, start, end)
    except svc.ReportError as exc:  # the service is the backstop; the form checks first
        form.date_to.errors = [REPORT_ERRORS[exc.code]]
        return _page(form, status=400)
    return _page(form, report)


@bp.route("/rapportage.csv")
@requires(Permission.REPORTS_VIEW)
def reports_csv():
    form, error = _form_or_error()
    if error:
        return error
    start, end = form.period()
    try:
        body = svc.report_csv(g.actor, start, end)
    except svc.ReportError as exc:
        form.date_to.errors = [REPORT_ERRORS[exc.code]]
        return _page(form, status=400)
    start, end = svc.check_period(start, end)
    name = f"rapportage-{start:%Y-%m}-{end:%Y-%m}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    })
