"""The team leader's inbox (issue 10): one page with everything that waits for this
team leader's signature, oldest due date first; and one page per item to sign: a copy
(each withheld entry or lifted redaction beside the caseworker's reason), a decision
(outcome, grounds, reasons), an art. 20.4 question (the child's note), a correction
refusal (the wish, the ground, the reasons) and a destruction's or erasure's execution
check (what was done, confirmed by whom, against the art. 17.4 deadline).

Thin: portal/services/inbox.py and inbox_pages.py collect and log the reads; the
signature itself is the existing service (copies.sign, decisions.sign / send_back,
casework.decide_art20_4, rectification.sign_item / send_back_item,
destruction.check_execution / send_back_check), each checking four eyes again."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length, Optional

from portal.infra.extensions import db
from portal.rules.permissions import Permission
from portal.services import copies as copies_svc
from portal.services import casework as cw_svc
from portal.services import decisions as dec_svc
from portal.services import destruction as destruction_svc
from portal.services import inbox as svc
from portal.services import inbox_pages as pages_svc
from portal.services import rectification as rect_svc
from portal.services.copies import CopyError
from portal.services.errors import DomainError

from .blueprint import bp, requires
from .casework import ART20_4_LABELS, OUTCOME_LABELS
from .copies import ERRORS as COPY_ERRORS, GROUND_LABELS, RESTRICTION_LABELS, error_text
from .pages import CASEWORK_ERRORS
from .rights import ERRORS as RIGHTS_ERRORS
from .rights_destruction import ERRORS as DESTRUCTION_ERRORS, KIND_LABELS as INSTRUCTION_KIND_LABELS

KIND_LABELS = {
    svc.DECISION: _l("Besluit"),
    svc.COPY: _l("Afschrift met een beperking"),
    svc.ART20_4: _l("Art. 20.4: ouder erbij betrekken niet veilig"),
    svc.CORRECTION: _l("Afwijzing van een correctiepunt"),
    svc.EXECUTION_CHECK: _l("Controle van een uitgevoerde vernietiging of wissing"),
}
REASON_LABELS = {
    **RESTRICTION_LABELS,
    "grant": _l("toewijzen"),
    "grant_in_part": _l("gedeeltelijk toewijzen (beperking)"),
    "refuse": _l("afwijzen"),
    "art20_4": _l("het kind zegt dat het niet veilig is om de ouder erbij te betrekken"),
    "execution_check": _l("uitgevoerd en bevestigd: een andere teamleider controleert het (vier ogen)"),
    "destroy": _l("vernietigd"),
    "anonymise": _l("geanonimiseerd"),
    "executed_late": _l("later uitgevoerd dan de termijn van drie maanden (artikel 17 lid 4)"),
}
LINE_LABELS = {
    "entry_withheld": _l("Heel stuk niet opgenomen"),
    "attachment_withheld": _l("Bijlage niet opgenomen"),
    "restriction_ground": _l("Weggelaten voor veiligheid of de taak van Veilig Thuis"),
    "sensitive_lift": _l("Toch zichtbaar gemaakt (melder of beschermd adres)"),
}


class SignForm(FlaskForm):
    """Only the CSRF token."""


class SignOrSendBackForm(FlaskForm):
    """Sign, or send back with a comment (the button pressed is ``action``)."""

    comment = TextAreaField(_l("Waarom stuurt u het terug?"), validators=[Optional(), Length(max=5000)])


class Art204Form(FlaskForm):
    outcome = RadioField(_l("Besluit"), choices=list(ART20_4_LABELS.items()), validators=[Optional()])
    reasons = TextAreaField(_l("Waarom"), validators=[Optional(), Length(max=cw_svc.REASONS_MAX)])


def _item_url(item: svc.InboxItem) -> str:
    if item.kind == svc.COPY:
        return url_for("backoffice.inbox_copy", reference=item.reference, copy_id=item.object_id)
    if item.kind == svc.DECISION:
        return url_for("backoffice.inbox_decision", reference=item.reference, decision_id=item.object_id)
    if item.kind == svc.ART20_4:
        return url_for("backoffice.inbox_art20_4", reference=item.reference)
    if item.kind == svc.CORRECTION:
        return url_for("backoffice.inbox_correction", reference=item.reference, item_id=item.object_id)
    if item.kind == svc.EXECUTION_CHECK:
        return url_for("backoffice.inbox_execution", reference=item.reference, right=item.right)
    return url_for("backoffice.request_page", reference=item.reference)


def _words(code: str) -> str:
    """The sentence for a service's error code, from whichever face knows it."""
    for table in (CASEWORK_ERRORS, RIGHTS_ERRORS, DESTRUCTION_ERRORS, COPY_ERRORS):
        if code in table:
            return str(table[code])
    return str(_l("Dit kan nu niet."))


NOT_HERE = frozenset({"not_found", "item_not_found", "right_not_asked", "copy_not_found"})
#: Codes that belong beside a field of the page's form, not at the top.
FIELD_OF = {"comment_required": "comment", "comment_too_long": "comment", "outcome_unknown": "outcome",
            "reasons_required": "reasons", "reasons_too_long": "reasons"}


def _one_page(load, actions: dict, template: str, form: FlaskForm, **context):
    """The shape of every signing page: GET shows the item (a logged read); POST calls
    the one service the pressed button names and goes back to the inbox, or shows the
    error (beside its field where it has one) with nothing changed. An item that does
    not belong here is 404; one that no longer waits goes back to the inbox, saying why."""
    error, field_errors, status = None, {}, 200
    if request.method == "POST":
        action = request.form.get("action", "")
        if action not in actions:
            abort(400)
        status = 400
        if not form.validate_on_submit():
            error = _("Het formulier is verlopen of niet volledig. Probeer het opnieuw.") if not form.errors or \
                "csrf_token" in form.errors else None
            field_errors = {k: [str(m) for m in v] for k, v in form.errors.items() if k != "csrf_token"}
        else:
            call, done = actions[action]
            try:
                call(form)
            except DomainError as exc:
                db.session.rollback()
                if exc.code in NOT_HERE:
                    abort(404)
                if exc.code in FIELD_OF:
                    field_errors[FIELD_OF[exc.code]] = [_words(exc.code)]
                else:
                    error = _words(exc.code)
            else:
                flash(done)
                return redirect(url_for("backoffice.inbox"))
    try:
        page = load()
    except DomainError as exc:
        db.session.rollback()
        if exc.code in NOT_HERE:
            abort(404)
        flash(error or _words(exc.code))
        return redirect(url_for("backoffice.inbox"))
    return render_template(template, page=page, form=form, error=error, field_errors=field_errors,
                           **context), status


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


@bp.route("/teamleider/besluit/<reference>/<int:decision_id>", methods=["GET", "POST"])
@requires(Permission.DECISION_SIGN)
def inbox_decision(reference: str, decision_id: int):
    """A proposed decision (art. 14.2, 20.4): the outcome, grounds and reasons; sign and
    release the letter, or send back with a comment."""
    actions = {
        "sign": (lambda f: dec_svc.sign(g.actor, reference, decision_id),
                 _("U heeft het besluit ondertekend. De brief staat op de statuspagina van de verzoeker.")),
        "send_back": (lambda f: dec_svc.send_back(g.actor, reference, decision_id, f.comment.data),
                      _("U heeft het voorstel teruggestuurd naar de medewerker.")),
    }
    return _one_page(lambda: pages_svc.decision_to_sign(g.actor, reference, decision_id), actions,
                     "backoffice/inbox/decision.html", SignOrSendBackForm(), outcomes=OUTCOME_LABELS)


@bp.route("/teamleider/artikel-20-4/<reference>", methods=["GET", "POST"])
@requires(Permission.DECISION_SIGN)
def inbox_art20_4(reference: str):
    """The child's art. 20.4 question with what the child wrote; the team leader decides."""
    actions = {
        "decide": (lambda f: cw_svc.decide_art20_4(g.actor, reference, f.outcome.data or "", f.reasons.data or ""),
                   _("Het besluit volgens artikel 20 lid 4 is vastgelegd.")),
    }
    return _one_page(lambda: pages_svc.art20_4_to_decide(g.actor, reference), actions,
                     "backoffice/inbox/art20_4.html", Art204Form(), outcomes=ART20_4_LABELS)


@bp.route("/teamleider/correctie/<reference>/<int:item_id>", methods=["GET", "POST"])
@requires(Permission.DECISION_SIGN)
def inbox_correction(reference: str, item_id: int):
    """A proposed refusal of one correction item (art. 15): the wish, the entries, the
    ground and reasons; sign or send back (the item opens again for the caseworker)."""
    actions = {
        "sign": (lambda f: rect_svc.sign_item(g.actor, reference, item_id),
                 _("U heeft de afwijzing van dit punt ondertekend.")),
        "send_back": (lambda f: rect_svc.send_back_item(g.actor, reference, item_id),
                      _("U heeft het punt teruggestuurd. De medewerker beslist er opnieuw over.")),
    }
    return _one_page(lambda: pages_svc.correction_to_sign(g.actor, reference, item_id), actions,
                     "backoffice/inbox/correction.html", SignForm(), grounds=GROUND_LABELS)


@bp.route("/teamleider/uitvoering/<reference>/<right>", methods=["GET", "POST"])
@requires(Permission.DECISION_SIGN)
def inbox_execution(reference: str, right: str):
    """A carried-out destruction (art. 17) or erasure (art. 18): what was done, who
    confirmed it when, against the deadline; check it, or send it back with a comment."""
    if right not in destruction_svc.RIGHTS:
        abort(404)
    actions = {
        "sign": (lambda f: destruction_svc.check_execution(g.actor, reference, right),
                 _("U heeft de uitvoering gecontroleerd.")),
        "send_back": (lambda f: destruction_svc.send_back_check(g.actor, reference, right, f.comment.data),
                      _("U heeft de uitvoering teruggestuurd naar de medewerker.")),
    }
    return _one_page(lambda: pages_svc.execution_to_check(g.actor, reference, right), actions,
                     "backoffice/inbox/execution.html", SignOrSendBackForm(), kinds=INSTRUCTION_KIND_LABELS,
                     methods=REASON_LABELS)
