"""Staff login (art. 7): password, then the second factor (TOTP or a recovery code);
logout, password change, the own-account page and the main menu.

Thin: the forms parse, portal/services/staff/login.py decides and writes the access log.
The session keys (bo_2fa, bo_login_at, bo_seen) and the deny-by-default check live in
backoffice/blueprint.py.

`requires` (the route -> permission decorator, filling ROUTE_PERMISSIONS) is defined in
backoffice/blueprint.py; it is re-exported here so `from backoffice.auth import requires`
and `from backoffice import requires` are the same thing.
"""
from __future__ import annotations

import time

import segno
from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from portal.infra.extensions import limiter
from portal.rules.permissions import Permission
from portal.services import authz
from portal.services import inbox as inbox_svc
from portal.services import staff as staff_svc

from .blueprint import ROUTE_PERMISSIONS, StaffUser, bp, end_session, requires  # noqa: F401  (requires: re-export)

# --- forms ---------------------------------------------------------------------------------


class LoginForm(FlaskForm):
    username = StringField(_l("Gebruikersnaam"), validators=[DataRequired(_l("Vul uw gebruikersnaam in.")),
                                                             Length(max=200)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(_l("Vul uw wachtwoord in.")),
                                                           Length(max=1000)])


class CodeForm(FlaskForm):
    code = StringField(_l("Code uit de app"), validators=[DataRequired(_l("Vul de code van 6 cijfers in.")),
                                                          Length(max=20)])


class RecoveryForm(FlaskForm):
    recovery_code = StringField(_l("Herstelcode"), validators=[DataRequired(_l("Vul een herstelcode in.")),
                                                                Length(max=40)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Huidig wachtwoord"), validators=[DataRequired(_l("Vul uw huidige wachtwoord in."))])
    new = PasswordField(_l("Nieuw wachtwoord"), validators=[DataRequired(_l("Vul een nieuw wachtwoord in."))])
    repeat = PasswordField(_l("Nieuw wachtwoord nog een keer"),
                           validators=[DataRequired(_l("Vul het nieuwe wachtwoord nog een keer in."))])


GENERIC_LOGIN_ERROR = _l("De gebruikersnaam of het wachtwoord klopt niet, of het account is tijdelijk geblokkeerd. "
                         "Na 5 foute pogingen moet u 15 minuten wachten.")
GENERIC_CODE_ERROR = _l("De code klopt niet of is al gebruikt, of het account is tijdelijk geblokkeerd. "
                        "Wacht op een nieuwe code in de app en probeer het opnieuw.")
PASSWORD_ERRORS = {
    "wrong_current": _l("Uw huidige wachtwoord klopt niet."),
    "too_short": _l("Kies een wachtwoord van minstens %(n)s tekens.", n=staff_svc.PASSWORD_MIN),
    "too_long": _l("Kies een wachtwoord van hoogstens %(n)s tekens.", n=staff_svc.PASSWORD_MAX),
    "equals_username": _l("Uw wachtwoord mag niet gelijk zijn aan uw gebruikersnaam."),
    "mismatch": _l("De twee nieuwe wachtwoorden zijn niet gelijk."),
    "same_as_before": _l("Kies een ander wachtwoord dan het huidige."),
}


# --- the menu --------------------------------------------------------------------------------

# (label, permission, endpoints to try in order): a link shows only when its endpoint
# exists (other parts of the back office may not be there yet) and the actor may use it.
MENU = (
    (_l("Werkvoorraad"), Permission.QUEUE_VIEW, ("backoffice.queue", "backoffice.index")),
    (_l("Te ondertekenen"), Permission.DECISION_SIGN, ("backoffice.inbox",)),
    (_l("Dossiers"), Permission.DOSSIER_VIEW, ("backoffice.dossier_index",)),
    (_l("Bewaartermijn voorbij"), Permission.DECISION_SIGN, ("backoffice.retention_overview",)),
    (_l("Toegangslog"), Permission.AUDIT_VIEW, ("backoffice.audit_log", "backoffice.audit_index", "backoffice.audit_search")),
    (_l("Rapportages"), Permission.REPORTS_VIEW, ("backoffice.reports", "backoffice.reports_index")),
    (_l("Accounts"), Permission.STAFF_MANAGE, ("backoffice.admin_staff",)),
    (_l("Achtergrondtaken"), Permission.STAFF_MANAGE, ("backoffice.admin_jobs",)),
    (_l("Autorisatiematrix"), Permission.MATRIX_MANAGE, ("backoffice.admin_matrix",)),
    (_l("Wie mag wat"), Permission.REPORTS_VIEW, ("backoffice.admin_overview",)),
    (_l("Mijn account"), None, ("backoffice.account",)),
)


def endpoint_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def menu_items(actor=None) -> list[dict]:
    """The main menu for this actor: [{label, url, endpoint, current}]."""
    actor = actor if actor is not None else getattr(g, "actor", None)
    if actor is None:
        return []
    items = []
    for label, permission, endpoints in MENU:
        endpoint = next((e for e in endpoints if endpoint_exists(e)), None)
        if endpoint is None:
            continue
        needed = ROUTE_PERMISSIONS.get(endpoint, permission)
        if needed is not None and not authz.can(actor, needed):
            continue
        items.append({"label": label, "url": url_for(endpoint), "endpoint": endpoint,
                      "current": request.endpoint == endpoint,
                      "count": inbox_svc.count(actor) if endpoint == "backoffice.inbox" else None})
    return items


@bp.app_context_processor
def _inject_menu():
    return {"bo_menu_items": menu_items, "bo_endpoint_exists": endpoint_exists}


def landing_url() -> str:
    """Where a complete login goes: the first menu page this person may use; the
    "not active yet" page while the confidentiality agreement is missing (art. 7.3)."""
    actor = g.actor
    if actor is not None and not actor.confidentiality_recorded:
        return url_for("backoffice.inactive")
    if actor is not None and inbox_svc.count(actor):
        return url_for("backoffice.inbox")  # a team leader with something to sign starts there
    for item in menu_items(actor):
        return item["url"]
    return url_for("backoffice.account")


# A one-time password must be replaced before anything else. (Runs after the
# deny-by-default check in __init__.py, so only for complete logins.)
@bp.before_request
def _password_first():
    if getattr(g, "actor", None) is None:
        return None
    if current_user.staff.password_must_change and request.endpoint not in {"backoffice.password", "backoffice.logout"}:
        return redirect(url_for("backoffice.password"))
    return None


# --- login -------------------------------------------------------------------------------------

def _second_factor_done() -> bool:
    return bool(current_user.is_authenticated and isinstance(current_user, StaffUser) and session.get("bo_2fa"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_STAFF_LOGIN"], methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET" and _second_factor_done():
        return redirect(url_for("backoffice.account"))
    if form.validate_on_submit():
        try:
            staff = staff_svc.authenticate(form.username.data, form.password.data)
        except staff_svc.LoginFailed:
            form.form_errors.append(GENERIC_LOGIN_ERROR)
        else:
            # A new session: nothing from before the login is kept (fixation).
            session.clear()
            login_user(StaffUser(staff))
            now = time.time()
            session["bo_login_at"] = now
            session["bo_seen"] = now
            session["bo_2fa"] = False
            if staff.totp_confirmed_at is None:
                return redirect(url_for("backoffice.totp_setup"))
            return redirect(url_for("backoffice.totp"))
    status = 400 if request.method == "POST" else 200
    return render_template("backoffice/auth/login.html", form=form, expired=request.args.get("expired") == "1"), status


@bp.route("/totp", methods=["GET", "POST"])
def totp():
    staff = current_user.staff
    if staff.totp_confirmed_at is None:
        return redirect(url_for("backoffice.totp_setup"))
    if session.get("bo_2fa"):
        return redirect(url_for("backoffice.account"))
    code_form = CodeForm(prefix="totp")
    recovery_form = RecoveryForm(prefix="recovery")
    use_recovery = request.method == "POST" and "recovery-recovery_code" in request.form
    form = recovery_form if use_recovery else code_form
    if request.method == "POST" and form.validate_on_submit():
        try:
            if use_recovery:
                staff_svc.verify_recovery_code(staff.id, recovery_form.recovery_code.data)
            else:
                staff_svc.verify_totp(staff.id, code_form.code.data)
        except staff_svc.SecondFactorFailed:
            form.form_errors.append(GENERIC_CODE_ERROR)
        else:
            session["bo_2fa"] = True
            if use_recovery:
                left = staff_svc.recovery_codes_left(staff.id)
                flash(_("U bent ingelogd met een herstelcode. U heeft nog %(n)s herstelcodes over. "
                        "Vraag de functioneel beheerder om een nieuwe tweede factor als u uw telefoon kwijt bent.", n=left))
            return redirect(url_for("backoffice.after_login"))
    status = 400 if request.method == "POST" else 200
    return render_template("backoffice/auth/totp.html", code_form=code_form, recovery_form=recovery_form,
                           show_recovery=use_recovery), status


@bp.route("/totp/instellen", methods=["GET", "POST"])
def totp_setup():
    staff = current_user.staff
    if staff.totp_confirmed_at is not None:
        return redirect(url_for("backoffice.account" if session.get("bo_2fa") else "backoffice.totp"))
    form = CodeForm(prefix="setup")
    if form.validate_on_submit():
        try:
            codes = staff_svc.confirm_totp_setup(staff.id, form.code.data)
        except staff_svc.SecondFactorFailed:
            form.form_errors.append(GENERIC_CODE_ERROR)
        else:
            session["bo_2fa"] = True
            # Shown once, in this answer only (never stored in the session or sent again).
            return render_template("backoffice/auth/recovery_codes.html", codes=codes,
                                   next_url=url_for("backoffice.after_login"))
    secret = staff_svc.begin_totp_setup(staff.id)
    uri = staff_svc.provisioning_uri(staff, secret)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, light="#fff", dark="#000")
    status = 400 if request.method == "POST" else 200
    return render_template("backoffice/auth/totp_setup.html", form=form, qr_svg=qr_svg,
                           secret_groups=[secret[i:i + 4] for i in range(0, len(secret), 4)]), status


@bp.route("/welkom")
def after_login():
    """Right after a complete login: on to the first page this person may use."""
    return redirect(landing_url())


@bp.route("/uitloggen", methods=["POST"])
def logout():
    staff_svc.logout(current_user.staff.id)
    end_session()
    session.clear()
    flash(_("U bent uitgelogd. Al uw sessies zijn beëindigd."))
    return redirect(url_for("backoffice.login"))


# --- own account -----------------------------------------------------------------------------------

@bp.route("/account")
def account():
    staff = current_user.staff
    return render_template("backoffice/auth/account.html", staff=staff,
                           recovery_left=staff_svc.recovery_codes_left(staff.id),
                           recorded_by=staff_svc.names([staff.confidentiality_recorded_by]))


@bp.route("/account/nog-niet-actief")
def inactive():
    """Art. 7.3: logged in, but nothing is allowed until the confidentiality agreement
    is recorded."""
    if g.actor.confidentiality_recorded:
        return redirect(landing_url())
    return render_template("backoffice/auth/inactive.html")


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
def password():
    staff = current_user.staff
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            updated = staff_svc.change_password(staff.id, form.current.data, form.new.data, form.repeat.data)
        except staff_svc.PasswordRejected as exc:
            field = form.current if exc.code == "wrong_current" else form.new
            field.errors.append(PASSWORD_ERRORS.get(exc.code, GENERIC_LOGIN_ERROR))
        else:
            # Every other session of the account has ended; this one carries on under
            # the new epoch.
            login_user(StaffUser(updated))
            flash(_("Uw wachtwoord is gewijzigd. Op andere apparaten bent u uitgelogd."))
            return redirect(landing_url())
    status = 400 if request.method == "POST" else 200
    return render_template("backoffice/auth/password.html", form=form, must_change=staff.password_must_change,
                           min_length=staff_svc.PASSWORD_MIN), status
