"""Accounts and the authorisation matrix (art. 7.1, 7.2, 7.3): the functional
administrator's pages, and the overview of who may do what.

Thin: every change is a call to portal/services/staff/, which asks the matrix again
and writes the access log.
"""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from portal.rules.permissions import Permission, Role
from portal.services import staff as staff_svc

from .blueprint import bp, requires

ROLE_LABELS = {
    Role.CASEWORKER: _l("Medewerker"),
    Role.TEAM_LEADER: _l("Teamleider"),
    Role.PRIVACY_OFFICER: _l("Privacyfunctionaris"),
    Role.FUNCTIONAL_ADMIN: _l("Functioneel beheerder"),
}

PERMISSION_LABELS = {
    Permission.QUEUE_VIEW: _l("Werkvoorraad bekijken"),
    Permission.REQUEST_VIEW: _l("Verzoeken bekijken"),
    Permission.REQUEST_ASSIGN: _l("Verzoeken oppakken en toewijzen"),
    Permission.REQUEST_MESSAGE: _l("Berichten sturen aan de aanvrager"),
    Permission.IDENTITY_CHECK: _l("Identiteit en vertegenwoordiging controleren"),
    Permission.CAPACITY_JUDGE: _l("Wilsbekwaamheid beoordelen"),
    Permission.DECISION_PROPOSE: _l("Besluit voorstellen"),
    Permission.DECISION_SIGN: _l("Besluit ondertekenen"),
    Permission.EXTENSION_PROPOSE: _l("Termijn verlengen"),
    Permission.LETTER_VIEW: _l("Brieven bekijken"),
    Permission.DOSSIER_IMPORT: _l("Dossiers importeren"),
    Permission.DOSSIER_VIEW: _l("Dossiers bekijken"),
    Permission.COPY_PREPARE: _l("Afschrift voorbereiden en vrijgeven"),
    Permission.AUDIT_VIEW: _l("Toegangslog bekijken"),
    Permission.AUDIT_EXPORT: _l("Toegangslog exporteren"),
    Permission.REPORTS_VIEW: _l("Rapportages bekijken"),
    Permission.STAFF_MANAGE: _l("Accounts beheren"),
    Permission.MATRIX_MANAGE: _l("Autorisatiematrix beheren"),
}

ACCOUNT_ERRORS = {
    "username_taken": _l("Deze gebruikersnaam bestaat al. Kies een andere."),
    "username_invalid": _l("Gebruik alleen letters, cijfers, punt, streepje of liggend streepje."),
    "name_invalid": _l("Vul de naam in (hoogstens 120 tekens)."),
    "unknown_role": _l("Kies een rol."),
    "own_account": _l("U kunt uw eigen account niet uitzetten."),
    "already_recorded": _l("De geheimhoudingsverklaring was al vastgelegd."),
    "unknown_account": _l("Dit account bestaat niet."),
    "email_invalid": _l("Vul een geldig e-mailadres in, zoals naam@veiligthuis.nl."),
    "deputy_not_a_caseworker": _l("Kies een medewerker met een account dat aan staat."),
    "deputy_already": _l("Deze medewerker is al plaatsvervangend teamleider."),
    "deputy_not_found": _l("Deze aanwijzing bestaat niet (meer)."),
}


@bp.app_template_filter("role_label")
def _role_label(value) -> str:
    try:
        return str(ROLE_LABELS[Role(value)])
    except ValueError:
        return str(value)


@bp.app_template_filter("permission_label")
def _permission_label(value) -> str:
    try:
        return str(PERMISSION_LABELS[Permission(value)])
    except ValueError:
        return str(value)


class NewStaffForm(FlaskForm):
    username = StringField(_l("Gebruikersnaam"), validators=[
        DataRequired(_l("Vul een gebruikersnaam in.")),
        Length(max=staff_svc.USERNAME_MAX, message=_l("Hoogstens 80 tekens.")),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Gebruik alleen letters, cijfers, punt, streepje of liggend streepje.")),
    ])
    display_name = StringField(_l("Naam"), validators=[
        DataRequired(_l("Vul de naam in.")), Length(max=staff_svc.NAME_MAX, message=_l("Hoogstens 120 tekens.")),
    ])
    role = RadioField(_l("Rol"), choices=[(r.value, ROLE_LABELS[r]) for r in Role],
                      validators=[DataRequired(_l("Kies een rol."))])
    email = StringField(_l("E-mailadres voor het werk"), validators=[
        Optional(), Length(max=staff_svc.EMAIL_MAX, message=_l("Hoogstens 254 tekens."))])


class EmailForm(FlaskForm):
    """The work address the daily digest goes to; empty clears it."""

    email = StringField(_l("E-mailadres voor het werk"), validators=[
        Optional(), Length(max=staff_svc.EMAIL_MAX, message=_l("Hoogstens 254 tekens."))])


class ActionForm(FlaskForm):
    """A button only (CSRF checked)."""


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[AnyOf(["0", "1"])])


# --- accounts (Permission.STAFF_MANAGE) ----------------------------------------------------------

@bp.route("/beheer/accounts")
@requires(Permission.STAFF_MANAGE)
def admin_staff():
    people = staff_svc.list_staff(g.actor)
    return render_template("backoffice/admin/staff_list.html", people=people,
                           recorded_by=staff_svc.names(p.confidentiality_recorded_by for p in people),
                           without_email=staff_svc.without_email(g.actor))


@bp.route("/beheer/accounts/nieuw", methods=["GET", "POST"])
@requires(Permission.STAFF_MANAGE)
def admin_staff_new():
    form = NewStaffForm()
    if form.validate_on_submit():
        try:
            created, one_time = staff_svc.create_staff(g.actor, form.username.data, form.display_name.data, form.role.data,
                                                       email=form.email.data)
        except staff_svc.AccountError as exc:
            target = {"name_invalid": form.display_name, "unknown_role": form.role,
                      "email_invalid": form.email}.get(exc.code, form.username)
            target.errors.append(ACCOUNT_ERRORS.get(exc.code, ACCOUNT_ERRORS["username_invalid"]))
        else:
            return render_template("backoffice/admin/one_time_password.html", person=created, password=one_time,
                                   created=True)
    status = 400 if request.method == "POST" else 200
    return render_template("backoffice/admin/staff_new.html", form=form), status


@bp.route("/beheer/accounts/<int:staff_id>")
@requires(Permission.STAFF_MANAGE)
def admin_staff_detail(staff_id: int):
    return _detail_page(staff_id, None)


def _detail_page(staff_id: int, email_form: EmailForm | None):
    try:
        person = staff_svc.get_staff(g.actor, staff_id)
    except staff_svc.AccountError:
        return render_template("backoffice/admin/not_found.html"), 404
    if email_form is None:
        email_form = EmailForm(formdata=None, email=person.email or "")
    return render_template("backoffice/admin/staff_detail.html", person=person, email_form=email_form,
                           recorded_by=staff_svc.names([person.confidentiality_recorded_by]),
                           recovery_left=staff_svc.recovery_codes_left(person.id),
                           own=person.id == g.actor.staff_id, now=staff_svc.utcnow())


@bp.route("/beheer/accounts/<int:staff_id>/e-mail", methods=["POST"])
@requires(Permission.STAFF_MANAGE)
def admin_staff_email(staff_id: int):
    form = EmailForm()
    if form.validate_on_submit():
        try:
            staff_svc.set_email(g.actor, staff_id, form.email.data)
        except staff_svc.AccountError as exc:
            if exc.code == "unknown_account":
                return render_template("backoffice/admin/not_found.html"), 404
            form.email.errors = [ACCOUNT_ERRORS.get(exc.code, _("Dat kon niet."))]
        else:
            flash(_("Het e-mailadres is opgeslagen.") if (form.email.data or "").strip()
                  else _("Het e-mailadres is gewist. De dagelijkse samenvatting bereikt deze medewerker niet meer."))
            return redirect(url_for("backoffice.admin_staff_detail", staff_id=staff_id))
    if form.csrf_token.errors:
        return redirect(url_for("backoffice.admin_staff_detail", staff_id=staff_id))
    page = _detail_page(staff_id, form)
    return page if isinstance(page, tuple) else (page, 400)


def _action(staff_id: int, do, done_message):
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("backoffice.admin_staff_detail", staff_id=staff_id))
    try:
        do()
    except staff_svc.AccountError as exc:
        if exc.code == "unknown_account":
            return render_template("backoffice/admin/not_found.html"), 404
        flash(ACCOUNT_ERRORS.get(exc.code, _("Dat kon niet.")))
    else:
        flash(done_message)
    return redirect(url_for("backoffice.admin_staff_detail", staff_id=staff_id))


@bp.route("/beheer/accounts/<int:staff_id>/geheimhouding", methods=["POST"])
@requires(Permission.STAFF_MANAGE)
def admin_staff_confidentiality(staff_id: int):
    return _action(staff_id, lambda: staff_svc.record_confidentiality(g.actor, staff_id),
                   _("De geheimhoudingsverklaring is vastgelegd. Het account kan nu werken."))


@bp.route("/beheer/accounts/<int:staff_id>/tweede-factor", methods=["POST"])
@requires(Permission.STAFF_MANAGE)
def admin_staff_reset_2fa(staff_id: int):
    return _action(staff_id, lambda: staff_svc.reset_second_factor(g.actor, staff_id),
                   _("De tweede factor is gewist. Bij de volgende keer inloggen stelt de medewerker een nieuwe in. "
                     "Alle sessies van dit account zijn beëindigd."))


@bp.route("/beheer/accounts/<int:staff_id>/actief", methods=["POST"])
@requires(Permission.STAFF_MANAGE)
def admin_staff_active(staff_id: int):
    form = ActiveForm()
    if not form.validate_on_submit():
        return redirect(url_for("backoffice.admin_staff_detail", staff_id=staff_id))
    active = form.active.data == "1"
    return _action(staff_id, lambda: staff_svc.set_active(g.actor, staff_id, active),
                   _("Het account staat weer aan.") if active else
                   _("Het account staat uit. Alle sessies van dit account zijn beëindigd."))


@bp.route("/beheer/accounts/<int:staff_id>/wachtwoord", methods=["POST"])
@requires(Permission.STAFF_MANAGE)
def admin_staff_reset_password(staff_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("backoffice.admin_staff_detail", staff_id=staff_id))
    try:
        password = staff_svc.reset_password(g.actor, staff_id)
    except staff_svc.AccountError:
        return render_template("backoffice/admin/not_found.html"), 404
    person = staff_svc.get_staff(g.actor, staff_id)
    return render_template("backoffice/admin/one_time_password.html", person=person, password=password, created=False)


# --- the background jobs (Permission.STAFF_MANAGE: the functional administrator) -------------------

@bp.route("/beheer/achtergrondtaken")
@requires(Permission.STAFF_MANAGE)
def admin_jobs():
    """Waiting and failed jobs and the consumer's last heartbeat (portal/infra/health.py):
    counts and times only."""
    from datetime import datetime, timezone

    from portal.infra import health

    state = health.queue_state()
    at = lambda ts: datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None) if ts else None  # noqa: E731
    return render_template("backoffice/admin/jobs.html", state=state, heartbeat_at=at(state.heartbeat_at),
                           last_failure_at=at(state.last_failure_at),
                           stale_after_minutes=health.HEARTBEAT_STALE_AFTER // 60)


# --- the matrix (Permission.MATRIX_MANAGE) and the overview (art. 7.2) -------------------------------

@bp.route("/beheer/matrix", methods=["GET", "POST"])
@requires(Permission.MATRIX_MANAGE)
def admin_matrix():
    form = ActionForm()
    if form.validate_on_submit():
        grants: dict[Role, set[Permission]] = {r: set() for r in Role}
        for value in request.form.getlist("grant"):
            role, _sep, permission = value.partition(":")
            try:
                grants[Role(role)].add(Permission(permission))
            except ValueError:
                continue
        changes = staff_svc.save_matrix(g.actor, grants)
        flash(_("De matrix is opgeslagen (%(n)s wijzigingen).", n=changes) if changes
              else _("Er was niets gewijzigd."))
        return redirect(url_for("backoffice.admin_matrix"))
    grid = staff_svc.read_matrix(g.actor)
    holders = staff_svc.overview(g.actor)
    return render_template("backoffice/admin/matrix.html", form=form, grid=grid, roles=list(Role),
                           permissions=list(Permission), grantable=staff_svc.grantable, locked=staff_svc.locked_cell,
                           holders=holders, deputies=staff_svc.deputies(g.actor),
                           candidates=[h for h in holders if h.role is Role.CASEWORKER and h.deputy is None])


@bp.route("/beheer/plaatsvervangers", methods=["POST"])
@requires(Permission.MATRIX_MANAGE)
def admin_deputy_grant():
    """Name a caseworker as deputy team leader (issue 10): recorded and dated."""
    form = ActionForm()
    if form.validate_on_submit():
        try:
            staff_svc.grant_deputy(g.actor, int(request.form.get("staff_id") or 0))
        except (staff_svc.StaffError, ValueError) as exc:
            flash(str(ACCOUNT_ERRORS.get(getattr(exc, "code", ""), ACCOUNT_ERRORS["deputy_not_a_caseworker"])))
        else:
            flash(_("Vastgelegd: deze medewerker mag nu ondertekenen als plaatsvervangend teamleider."))
    return redirect(url_for("backoffice.admin_matrix") + "#plaatsvervangers")


@bp.route("/beheer/plaatsvervangers/<int:grant_id>/intrekken", methods=["POST"])
@requires(Permission.MATRIX_MANAGE)
def admin_deputy_revoke(grant_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        try:
            staff_svc.revoke_deputy(g.actor, grant_id)
        except staff_svc.StaffError as exc:
            flash(str(ACCOUNT_ERRORS.get(exc.code, ACCOUNT_ERRORS["deputy_not_found"])))
        else:
            flash(_("Ingetrokken: deze medewerker ondertekent niet meer als plaatsvervanger."))
    return redirect(url_for("backoffice.admin_matrix") + "#plaatsvervangers")


@bp.route("/beheer/wie-mag-wat")
@requires(Permission.REPORTS_VIEW)
def admin_overview():
    return render_template("backoffice/admin/overview.html", holders=staff_svc.overview(g.actor),
                           permissions=list(Permission))
