"""Back-office casework: identity and representation checks (art. 20.5), the capacity
judgment (art. 20.2), the art. 20.4 decision, decisions and their letters (art. 14.2,
20.4).

Thin: WTForms parse, portal/services/casework.py, decisions.py and letters.py decide,
check the authorisation matrix again and write the access log. The panels live in
portal/templates/backoffice/request/_casework.html, which the request page includes;
/verzoeken/<reference>/behandeling shows the same panels on a page of their own.
After a POST the browser goes back to the page the form was on (`next`, a back-office
path only).
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.models import ParentInvolvementDecision
from portal.rules import grounds as G
from portal.rules.permissions import Permission
from portal.rules.rights import Right
from portal.services import authz
from portal.services import casework as cw
from portal.services import decisions as dec_svc
from portal.services import letters as letter_svc

from portal.services.errors import DomainError

from .blueprint import bp, requires
from .pages import CASEWORK_ERRORS, form_errors, no_store_file

# --- words for the codes ----------------------------------------------------------------------

KIND_LABELS = {
    cw.IDENTITY: _l("Identiteit"),
    cw.REPRESENTATION: _l("Vertegenwoordiging"),
}
METHOD_LABELS = {
    "id_copy": _l("Kopie die de persoon heeft gestuurd"),
    "in_person": _l("Document bekeken aan de balie"),
    "eid": _l("Ingelogd met eID"),
}
DOCUMENT_KIND_LABELS = {
    "paspoort": _l("Paspoort"),
    "identiteitskaart": _l("Identiteitskaart"),
    "rijbewijs": _l("Rijbewijs"),
    "verblijfsdocument": _l("Verblijfsdocument"),
    "uittreksel_gezagsregister": _l("Uittreksel uit het gezagsregister"),
    "geboorteakte_en_gezag": _l("Geboorteakte met bewijs van gezag"),
    "beschikking_voogdij": _l("Beschikking van de rechter: voogdij"),
    "beschikking_curatele": _l("Beschikking van de rechter: curatele"),
    "beschikking_mentorschap": _l("Beschikking van de rechter: mentorschap"),
    "beschikking_bewind": _l("Beschikking van de rechter: bewind"),
    "digid": _l("DigiD"),
}
RESULT_LABELS = {
    cw.VERIFIED: _l("Klopt"),
    cw.REJECTED: _l("Klopt niet"),
    cw.NEEDS_MORE: _l("Niet genoeg: vraag om een duidelijkere kopie"),
}
OUTCOME_LABELS = {
    G.Outcome.GRANT.value: _l("Toewijzen"),
    G.Outcome.GRANT_IN_PART.value: _l("Gedeeltelijk toewijzen (beperking)"),
    G.Outcome.REFUSE.value: _l("Afwijzen"),
}
STATE_LABELS = {
    "proposed": _l("Voorgesteld, wacht op een teamleider"),
    "sent_back": _l("Teruggestuurd"),
    "signed": _l("Ondertekend"),
    "replaced": _l("Vervangen"),
}
ART20_4_LABELS = {
    ParentInvolvementDecision.CONTINUE_WITHOUT_PARENT: _l("Doorgaan zonder de ouder"),
    ParentInvolvementDecision.PARENT_MUST_TAKE_PART: _l("De ouder moet meedoen"),
}


def error_text(code: str) -> str:
    return str(CASEWORK_ERRORS.get(code, _l("Dit kan nu niet.")))


# --- forms ------------------------------------------------------------------------------------

class NextForm(FlaskForm):
    next = HiddenField()


class CheckForm(NextForm):
    kind = RadioField(_l("Wat heeft u gecontroleerd?"), choices=list(KIND_LABELS.items()),
                      validators=[InputRequired(_l("Kies wat u heeft gecontroleerd."))])
    method = RadioField(_l("Hoe?"), choices=list(METHOD_LABELS.items()),
                        validators=[InputRequired(_l("Kies hoe u heeft gecontroleerd."))])
    document_kind = SelectField(_l("Soort document"), choices=list(DOCUMENT_KIND_LABELS.items()),
                                validators=[InputRequired(_l("Kies het soort document."))])
    name_matches = BooleanField(_l("De naam klopt"))
    birth_date_matches = BooleanField(_l("De geboortedatum klopt"))
    result = RadioField(_l("Uitkomst"), choices=list(RESULT_LABELS.items()),
                        validators=[InputRequired(_l("Kies de uitkomst."))])
    notes = TextAreaField(_l("Notitie (niet verplicht)"), validators=[Optional(), Length(max=cw.NOTES_MAX)])
    message_documents = SelectMultipleField(_l("Bestanden bij berichten die bij deze controle horen"), coerce=int,
                                            choices=[], validate_choice=False)


class ClearerCopyForm(NextForm):
    body = TextAreaField(_l("Bericht"), validators=[InputRequired(_l("Schrijf een bericht.")), Length(max=5000)])


class CapacityForm(NextForm):
    party_id = IntegerField(validators=[InputRequired()])
    lacks_capacity = RadioField(_l("Oordeel"), choices=[("yes", _l("Niet wilsbekwaam: de wettelijk vertegenwoordigers treden op")),
                                                          ("no", _l("Wel wilsbekwaam"))],
                                validators=[InputRequired(_l("Kies een oordeel."))])
    reasons = TextAreaField(_l("Waarom"), validators=[InputRequired(_l("Schrijf de redenen op.")), Length(max=cw.REASONS_MAX)])


class Art204Form(NextForm):
    outcome = RadioField(_l("Besluit"), choices=list(ART20_4_LABELS.items()),
                         validators=[InputRequired(_l("Kies een besluit."))])
    reasons = TextAreaField(_l("Waarom"), validators=[InputRequired(_l("Schrijf de redenen op.")), Length(max=cw.REASONS_MAX)])


class ProposalForm(NextForm):
    right = SelectField(_l("Recht"), choices=[(r.value, r.value) for r in Right], validate_choice=True)
    outcome = RadioField(_l("Besluit"), choices=list(OUTCOME_LABELS.items()),
                         validators=[InputRequired(_l("Kies een besluit."))])
    grounds = SelectMultipleField(_l("Gronden"), choices=[(g.value, g.value) for g in G.Ground])
    reasons = TextAreaField(_l("Motivering"), validators=[Optional(), Length(max=dec_svc.REASONS_MAX)])
    replaces_id = IntegerField(validators=[Optional()])


class ReviseForm(NextForm):
    outcome = RadioField(_l("Besluit"), choices=list(OUTCOME_LABELS.items()),
                         validators=[InputRequired(_l("Kies een besluit."))])
    grounds = SelectMultipleField(_l("Gronden"), choices=[(g.value, g.value) for g in G.Ground])
    reasons = TextAreaField(_l("Motivering"), validators=[Optional(), Length(max=dec_svc.REASONS_MAX)])


class SendBackForm(NextForm):
    comment = TextAreaField(_l("Waarom stuurt u het terug?"),
                            validators=[InputRequired(_l("Schrijf waarom u het voorstel terugstuurt.")),
                                        Length(max=dec_svc.COMMENT_MAX)])


# --- helpers ----------------------------------------------------------------------------------

def _back(reference: str, form: NextForm | None = None):
    """Back to the page the form was on: a back-office path, nothing else."""
    target = (form.next.data if form is not None else None) or request.form.get("next") or ""
    prefix = url_for("backoffice.index").rstrip("/") + "/"
    if not target.startswith(prefix) or target.startswith("//") or "\\" in target or "\n" in target or "\r" in target:
        try:
            target = url_for("backoffice.request_page", reference=reference)
        except BuildError:
            target = url_for("backoffice.casework_page", reference=reference)
    return redirect(target)


ERRORS_KEY = "cw_errors"


def _act(reference: str, form, anchor: str, call, done: str, *, missing: tuple[str, ...] = ()):
    """The shape of every casework POST: validate the form, call one service, and
    either go back with a notice or show the error next to the panel. A code in
    `missing` (the object is not part of this request) answers 404."""
    if not form.validate_on_submit():
        return _fail(reference, form, form_errors(form), anchor)
    try:
        call()
    except DomainError as exc:
        if exc.code in missing:
            abort(404)
        return _fail(reference, form, [error_text(exc.code)], anchor)
    flash(done)
    return _back(reference, form)


def _fail(reference: str, form: NextForm, messages: list[str], anchor: str):
    """Say what is wrong on the page the form was on: the casework panels show these
    once, at the top of the panels (not as a notice of the whole page)."""
    session[ERRORS_KEY] = [str(m) for m in messages][:10]
    resp = _back(reference, form)
    resp.location = resp.location.split("#")[0] + f"#{anchor}"
    return resp


# --- template helpers for the partial ---------------------------------------------------------

@bp.app_template_global("casework_panel")
def casework_panel(req):
    """What the casework panels show for `req` (metadata only; the including page logs
    the view). Empty for someone without the permission to see requests."""
    if not authz.can(getattr(g, "actor", None), Permission.REQUEST_VIEW):
        return None
    return cw.panel_data(req)


@bp.app_template_global("casework_decisions")
def casework_decisions(req):
    if not authz.can(getattr(g, "actor", None), Permission.REQUEST_VIEW):
        return None
    return dec_svc.decision_overview(req)


@bp.app_template_global("casework_may")
def casework_may() -> dict[str, bool]:
    actor = getattr(g, "actor", None)
    return {p.name.lower(): authz.can(actor, p) for p in (
        Permission.IDENTITY_CHECK, Permission.CAPACITY_JUDGE, Permission.DECISION_PROPOSE, Permission.DECISION_SIGN,
        Permission.LETTER_VIEW, Permission.REQUEST_MESSAGE)}


@bp.app_template_global("casework_clearer_copy_text")
def casework_clearer_copy_text(req) -> str:
    """The suggested message asking for a clearer copy, in the request's language."""
    from flask_babel import force_locale

    with force_locale(req.language):
        return _("Wij konden uw kopie niet goed controleren. Wilt u een nieuwe, duidelijke kopie sturen? "
                 "Zorg dat uw naam, uw geboortedatum en de geldigheid goed te lezen zijn. "
                 "Maak uw burgerservicenummer (BSN) en uw foto onzichtbaar. "
                 "U kunt de kopie hieronder met een bericht meesturen.")


@bp.app_template_global("casework_errors")
def casework_errors() -> list[str]:
    """What went wrong with the last casework form (shown once)."""
    return session.pop(ERRORS_KEY, None) or []


@bp.app_template_global("casework_staff_name")
def casework_staff_name(staff_id: int | None) -> str:
    """The display name of a member of staff, for the back office only (never in a letter)."""
    if staff_id is None:
        return str(_l("onbekend"))
    cache = g.setdefault("_cw_staff_names", {})
    if staff_id not in cache:
        from portal.infra.extensions import db
        from portal.models import Staff

        staff = db.session.get(Staff, staff_id)
        cache[staff_id] = staff.display_name if staff else str(_l("onbekend"))
    return cache[staff_id]


@bp.app_context_processor
def _casework_labels():
    return {
        "cw_labels": {
            "kind": KIND_LABELS, "method": METHOD_LABELS, "document_kind": DOCUMENT_KIND_LABELS,
            "result": RESULT_LABELS, "outcome": OUTCOME_LABELS, "state": STATE_LABELS, "art20_4": ART20_4_LABELS,
        },
        "cw_document_kinds": cw.DOCUMENT_KINDS,
        "cw_ground": G.Ground,
        "cw_language_names": {"nl": _l("Nederlands"), "en": _l("Engels")},
        "cw_grounds_for": lambda right, req: G.grounds_for(right, has_representative=dec_svc.has_representative(req)),
    }


# --- the casework page ------------------------------------------------------------------------

@bp.route("/verzoeken/<reference>/behandeling")
@requires(Permission.REQUEST_VIEW)
def casework_page(reference: str):
    try:
        page = cw.casework_page(g.actor, reference)
    except cw.CaseworkError:
        abort(404)
    return render_template("backoffice/casework/page.html", req=page.request, art20_4_note=page.art20_4_note)


# --- identity and representation (art. 20.5) --------------------------------------------------

@bp.route("/verzoeken/<reference>/documenten/<int:document_id>")
@requires(Permission.IDENTITY_CHECK)
def casework_document(reference: str, document_id: int):
    """Open an ID copy or proof, decrypted; logged. Images are shown in a sandbox (no
    script, no fetch). A PDF cannot be shown in a sandbox (Chrome and Safari refuse to
    run their PDF viewer there), so it gets a strict policy without sandbox; its type
    was checked by content on upload and again here."""
    try:
        f = cw.open_document(g.actor, reference, document_id)
    except cw.CaseworkError as exc:
        if exc.code == "document_unreadable":
            session[ERRORS_KEY] = [error_text(exc.code)]
            return redirect(url_for("backoffice.casework_page", reference=reference))
        abort(404)
    resp = no_store_file(f.data, f.content_type, f.filename, inline=f.matches_type)
    if f.content_type == "application/pdf":
        resp.headers["Content-Security-Policy"] = "default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    else:
        resp.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return resp


@bp.route("/verzoeken/<reference>/controle/<int:party_id>", methods=["POST"])
@requires(Permission.IDENTITY_CHECK)
def casework_record_check(reference: str, party_id: int):
    form = CheckForm()
    anchor = f"controle-{party_id}"
    if not form.validate_on_submit():
        return _fail(reference, form, form_errors(form), anchor)
    try:
        check = cw.record_check(
            g.actor, reference, party_id, kind=form.kind.data, method=form.method.data,
            document_kind=form.document_kind.data, name_matches=form.name_matches.data,
            birth_date_matches=form.birth_date_matches.data, result=form.result.data, notes=form.notes.data,
            message_document_ids=form.message_documents.data or [])
    except cw.CaseworkError as exc:
        if exc.code in ("not_found", "not_a_party"):
            abort(404)
        return _fail(reference, form, [error_text(exc.code)], anchor)
    flash(_("De controle is vastgelegd. De gecontroleerde bestanden zijn verwijderd."))
    resp = _back(reference, form)
    if check.result == cw.NEEDS_MORE:
        resp.location = resp.location.split("#")[0] + f"#bericht-{party_id}"
    return resp


@bp.route("/verzoeken/<reference>/controle/<int:party_id>/bericht", methods=["POST"])
@requires(Permission.REQUEST_MESSAGE)
def casework_ask_clearer_copy(reference: str, party_id: int):
    from portal.services import casefile

    form = ClearerCopyForm()
    return _act(reference, form, f"bericht-{party_id}",
                lambda: casefile.send_message(g.actor, reference, form.body.data, party_id=party_id, asks_for_document=True),
                _("Het bericht is verstuurd. Het verzoek wacht nu op de aanvrager."))


# --- capacity (art. 20.2) and art. 20.4 -----------------------------------------------------------

@bp.route("/verzoeken/<reference>/wilsbekwaamheid", methods=["POST"])
@requires(Permission.CAPACITY_JUDGE)
def casework_capacity(reference: str):
    form = CapacityForm()
    return _act(reference, form, "wilsbekwaamheid",
                lambda: cw.record_capacity_judgment(g.actor, reference, form.party_id.data,
                                                    lacks_capacity=form.lacks_capacity.data == "yes",
                                                    reasons=form.reasons.data),
                _("Het oordeel over wilsbekwaamheid is vastgelegd."))


@bp.route("/verzoeken/<reference>/artikel-20-4", methods=["POST"])
@requires(Permission.DECISION_SIGN)
def casework_art20_4(reference: str):
    form = Art204Form()
    return _act(reference, form, "artikel-20-4",
                lambda: cw.decide_art20_4(g.actor, reference, form.outcome.data, form.reasons.data),
                _("Het besluit volgens artikel 20 lid 4 is vastgelegd."))


# --- decisions (art. 14.2, 20.4) ------------------------------------------------------------------

@bp.route("/verzoeken/<reference>/besluiten", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def casework_propose(reference: str):
    form = ProposalForm()
    return _act(reference, form, f"besluit-{form.right.data or ''}",
                lambda: dec_svc.propose(g.actor, reference, form.right.data, form.outcome.data, form.grounds.data or [],
                                        form.reasons.data, replaces_id=form.replaces_id.data),
                _("Het voorstel is opgeslagen. Een teamleider moet het nu ondertekenen."))


@bp.route("/verzoeken/<reference>/besluiten/<int:decision_id>/wijzigen", methods=["POST"])
@requires(Permission.DECISION_PROPOSE)
def casework_revise(reference: str, decision_id: int):
    form = ReviseForm()
    return _act(reference, form, f"voorstel-{decision_id}",
                lambda: dec_svc.revise(g.actor, reference, decision_id, form.outcome.data, form.grounds.data or [],
                                       form.reasons.data),
                _("Het voorstel is gewijzigd. Een teamleider moet het nu ondertekenen."), missing=("not_found",))


@bp.route("/verzoeken/<reference>/besluiten/<int:decision_id>/ondertekenen", methods=["POST"])
@requires(Permission.DECISION_SIGN)
def casework_sign(reference: str, decision_id: int):
    form = NextForm()
    return _act(reference, form, f"voorstel-{decision_id}", lambda: dec_svc.sign(g.actor, reference, decision_id),
                _("Het besluit is ondertekend. De brief staat nu voor de aanvrager klaar."), missing=("not_found",))


@bp.route("/verzoeken/<reference>/besluiten/<int:decision_id>/terugsturen", methods=["POST"])
@requires(Permission.DECISION_SIGN)
def casework_send_back(reference: str, decision_id: int):
    form = SendBackForm()
    return _act(reference, form, f"voorstel-{decision_id}",
                lambda: dec_svc.send_back(g.actor, reference, decision_id, form.comment.data),
                _("Het voorstel is teruggestuurd."), missing=("not_found",))


# --- letters --------------------------------------------------------------------------------------

@bp.route("/verzoeken/<reference>/besluiten/<int:decision_id>/voorbeeld")
@requires(Permission.LETTER_VIEW)
def casework_letter_preview(reference: str, decision_id: int):
    try:
        f = letter_svc.preview_decision_letter(g.actor, reference, decision_id)
    except letter_svc.LetterNotFound:
        abort(404)
    resp = no_store_file(f.data, "application/pdf", f.filename, inline=True)
    resp.headers["Content-Security-Policy"] = "default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    return resp


@bp.route("/verzoeken/<reference>/brieven/<int:letter_id>")
@requires(Permission.LETTER_VIEW)
def casework_letter(reference: str, letter_id: int):
    try:
        f = letter_svc.open_for_staff(g.actor, reference, letter_id)
    except letter_svc.LetterNotFound:
        abort(404)
    resp = no_store_file(f.data, "application/pdf", f.filename, inline=True)
    resp.headers["Content-Security-Policy"] = "default-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    return resp
