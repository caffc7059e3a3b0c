"""The team leader's inbox (issue 10): one page with everything that waits for this
team leader's signature, oldest due date first; and one page per copy to sign, with
each withheld entry or lifted redaction beside the caseworker's reason.

Thin: portal/services/inbox.py collects and logs the reads; the signature itself is
portal/services/copies/releasing.sign (four eyes, checked again there)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from portal.infra.extensions import db
from portal.rules.permissions import Permission
from portal.services import copies as copies_svc
from portal.services import inbox as svc
from portal.services.copies import CopyError

from .blueprint import bp, requires
from .copies import ERRORS as COPY_ERRORS, GROUND_LABELS, RESTRICTION_LABELS, error_text
from .pages import CASEWORK_ERRORS

KIND_LABELS = {
    svc.DECISION: _l("Besluit"),
    svc.COPY: _l("Afschrift met een beperking"),
    svc.ART20_4: _l("Art. 20.4: ouder erbij betrekken niet veilig"),
    svc.CORRECTION: _l("Afwijzing van een correctiepunt"),
}
REASON_LABELS = {
    **RESTRICTION_LABELS,
    "grant": _l("toewijzen"),
    "grant_in_part": _l("gedeeltelijk toewijzen (beperking)"),
    "refuse": _l("afwijzen"),
    "art20_4": _l("het kind zegt dat het niet veilig is om de ouder erbij te betrekken"),
}
LINE_LABELS = {
    "entry_withheld": _l("Heel stuk niet opgenomen"),
    "attachment_withheld": _l("Bijlage niet opgenomen"),
    "restriction_ground": _l("Weggelaten voor veiligheid of de taak van Veilig Thuis"),
    "sensitive_lift": _l("Toch zichtbaar gemaakt (melder of beschermd adres)"),
}


class SignForm(FlaskForm):
    """Only the CSRF token."""


def _item_url(item: svc.InboxItem) -> str:
    if item.kind == svc.COPY:
        return url_for("backoffice.inbox_copy", reference=item.reference, copy_id=item.object_id)
    return url_for("backoffice.request_page", reference=item.reference)


@bp.route("/teamleider")
@requires(Permission.DECISION_SIGN)
def inbox():
    items = svc.inbox(g.actor)
    return render_template("backoffice/inbox/index.html", items=items, item_url=_item_url, kinds=KIND_LABELS,
                           reasons=REASON_LABELS)


@bp.route("/teamleider/afschrift/<reference>/<int:copy_id>", methods=["GET", "POST"])
@requires(Permission.DECISION_SIGN)
def inbox_copy(reference: str, copy_id: int):
    """One page: what the copy withholds or shows after all, with the reasons; sign."""
    form = SignForm()
    error = None
    if form.validate_on_submit():
        try:
            copies_svc.sign(g.actor, reference, copy_id)
        except CopyError as exc:
            db.session.rollback()
            if exc.code in ("not_found", "copy_not_found"):
                abort(404)
            error = error_text(exc.code)
        else:
            flash(_("U heeft ondertekend. De medewerker kan het afschrift nu vrijgeven."))
            return redirect(url_for("backoffice.inbox"))
    try:
        page = svc.copy_to_sign(g.actor, reference, copy_id)
    except CopyError as exc:
        db.session.rollback()
        if exc.code in ("not_found", "copy_not_found"):
            abort(404)
        flash(error_text(exc.code))
        return redirect(url_for("backoffice.inbox"))
    return render_template("backoffice/inbox/copy.html", page=page, form=form, error=error, lines=LINE_LABELS,
                           grounds=GROUND_LABELS), (400 if error else 200)
