"""Dossiers from the registration system in the back office: importing an export (.zip,
Permission.DOSSIER_IMPORT), the list of imported dossiers, and a read-only internal page
per dossier (Permission.DOSSIER_VIEW). The page shows everything unredacted: it is for
staff only and says so; a requester's copy is made elsewhere.

Thin: portal/services/dossiers/ reads, validates, stores and logs. Every dossier text
is plain text: the templates print it with Jinja's autoescape, never `|safe`.
"""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from portal.rules.permissions import Permission
from portal.services import authz
from portal.services import dossiers as svc
from portal.services.errors import DomainError
from portal.documents.uploads import UploadRejected, read_limited

from .blueprint import bp, requires

ROLE_LABELS = {
    "subject": _l("Betrokkene"),
    "reporter": _l("Melder"),
    "informant": _l("Informant (professional)"),
    "third_party": _l("Derde"),
}
KIND_LABELS = {
    "report": _l("Melding"),
    "conversation": _l("Gesprek"),
    "safety_assessment": _l("Veiligheidsbeoordeling"),
    "investigation": _l("Onderzoek"),
    "third_party_information": _l("Informatie van derden"),
    "decision": _l("Besluit"),
    "letter": _l("Brief"),
    "own_statement": _l("Eigen verklaring"),
    "note": _l("Notitie"),
}
NATURE_LABELS = {
    "fact": _l("Feit"),
    "opinion": _l("Mening"),
    "hypothesis": _l("Hypothese"),
    "diagnosis": _l("Diagnose"),
}
OUTCOME_LABELS = {
    "open": _l("Open"),
    "confirmed": _l("Bevestigd"),
    "inconclusive": _l("Niet vast te stellen"),
    "refuted": _l("Weerlegd"),
}
IMPORT_OUTCOME_LABELS = {
    "imported": _l("Ingelezen"),
    "replaced": _l("Vervangen door een nieuwere export"),
    "unchanged": _l("Ongewijzigd (dezelfde export)"),
    "refused": _l("Geweigerd"),
}

# Why an export was refused, in words; the field is shown beside it.
REASONS = {
    "not_found": _l("Het bestand of de map bestaat niet."),
    "not_a_zip": _l("Dit is geen .zip-bestand."),
    "bad_zip": _l("Het .zip-bestand is beschadigd."),
    "unsafe_path": _l("Onveilige bestandsnaam in de export (absoluut pad, “..” of backslash)."),
    "symlink": _l("Symbolische koppelingen worden niet aanvaard."),
    "encrypted": _l("Versleutelde bestanden in de .zip worden niet aanvaard."),
    "unexpected_file": _l("Hoort niet bij het formaat: alleen dossier.json en attachments/<naam>."),
    "duplicate_file": _l("Staat meer dan één keer in de .zip."),
    "too_many_files": _l("Meer dan %(limit)s bestanden."),
    "too_large": _l("Groter dan %(limit)s bytes."),
    "missing_dossier_json": _l("dossier.json ontbreekt."),
    "not_utf8": _l("Geen UTF-8-tekst."),
    "invalid_json": _l("Geen geldige JSON (regel %(line)s, kolom %(column)s)."),
    "duplicate_key": _l("Het veld “%(key)s” staat twee keer in hetzelfde object."),
    "too_deep": _l("Te diep genest."),
    "required": _l("Verplicht veld ontbreekt."),
    "additional_property": _l("Dit veld kent het formaat niet."),
    "type": _l("Verkeerd soort waarde (verwacht: %(expected)s)."),
    "enum": _l("Deze waarde is niet toegestaan (toegestaan: %(allowed)s)."),
    "pattern": _l("Voldoet niet aan het patroon %(pattern)s."),
    "format_date": _l("Geen geldige datum (JJJJ-MM-DD)."),
    "max_length": _l("Langer dan %(limit)s tekens."),
    "min_length": _l("Korter dan %(limit)s tekens."),
    "min_items": _l("Minder dan %(limit)s onderdelen."),
    "schema": _l("Voldoet niet aan het schema (%(keyword)s)."),
    "invalid_text": _l("Bevat een NUL-teken of een ongeldig teken."),
    "duplicate_id": _l("De id “%(id)s” komt twee keer voor (ook bij %(first)s)."),
    "unknown_person": _l("Noemt een persoon die niet in dit dossier staat (“%(id)s”)."),
    "duplicate_reference": _l("Noemt dezelfde persoon twee keer (“%(id)s”)."),
    "no_subject": _l("Het dossier heeft geen persoon met de rol “subject” (betrokkene)."),
    "date_in_future": _l("Deze datum ligt in de toekomst."),
    "closed_before_opened": _l("Gesloten vóór de datum van opening."),
    "closed_but_open": _l("Heeft een sluitingsdatum terwijl de uitkomst “open” is."),
    "entry_before_opened": _l("Dit onderdeel is gedateerd vóór de opening van het dossier."),
    "shared_before_entry": _l("Gedeeld vóór de datum van het onderdeel zelf."),
    "attachment_missing": _l("Het bestand %(file)s zit niet in de export."),
    "attachment_duplicate": _l("Het bestand %(file)s is twee keer als bijlage genoemd."),
    "attachment_hash_mismatch": _l("De sha256 van %(file)s klopt niet: het bestand is anders dan opgegeven."),
    "attachment_type_mismatch": _l("De inhoud van %(file)s is geen %(media_type)s."),
    "attachment_unreferenced": _l("Geen enkel onderdeel verwijst naar dit bestand."),
    "older_export": _l("Deze export is ouder dan de export die op %(imported_at)s is ingelezen "
                       "(laatste datum in deze export: %(as_of)s, in de opgeslagen: %(stored_as_of)s)."),
    "conflict": _l("Dit dossier werd tegelijk door iemand anders ingelezen. Probeer het opnieuw."),
    "retention_destroyed": _l("Dit dossier is op %(on)s geanonimiseerd omdat de bewaartermijn voorbij was "
                              "(artikel 9 lid 3). Een export ervan wordt niet meer ingelezen."),
    "destruction_pending": _l("Van dit dossier moeten gegevens worden vernietigd of gewist (opdracht %(instruction)s). "
                              "Dat is nog niet bevestigd. Een export van daarvoor zou die gegevens terugbrengen. "
                              "Lees een export in van nadat de opdracht is uitgevoerd."),
}


def reason_text(problem: svc.Problem) -> str:
    text = REASONS.get(problem.code)
    if text is None:
        return problem.describe()
    try:
        return str(text) % problem.params if problem.params else str(text)
    except (KeyError, TypeError, ValueError):
        return str(text)


@bp.app_template_filter("dossier_label")
def _dossier_label(value, kind: str) -> str:
    table = {"role": ROLE_LABELS, "kind": KIND_LABELS, "nature": NATURE_LABELS, "outcome": OUTCOME_LABELS,
             "import": IMPORT_OUTCOME_LABELS}[kind]
    label = table.get(value)
    return str(label) if label is not None else value


class ImportForm(FlaskForm):
    export = FileField(_l("Export van het registratiesysteem (.zip)"),
                       validators=[FileRequired(message=_l("Kies een .zip-bestand."))])


def _upload_limit() -> int:
    return int(current_app.config.get("DOSSIER_UPLOAD_MAX_BYTES", current_app.config.get("MAX_CONTENT_LENGTH") or 0)
               or 100 * 1024 * 1024)


@bp.url_value_preprocessor
def _larger_body_for_dossier_import(endpoint, values):
    """A dossier export is larger than a request upload: its own body limit
    (DOSSIER_UPLOAD_MAX_BYTES), only on the import page and only for a complete login
    (this runs before the form is parsed, also before the app's CSRF check)."""
    if endpoint != "backoffice.dossier_import" or request.method != "POST":
        return
    if current_user.is_authenticated and session.get("bo_2fa"):
        request.max_content_length = _upload_limit() + 256 * 1024


@bp.route("/dossiers")
@requires(Permission.DOSSIER_VIEW)
def dossier_index():
    rows, imports = svc.list_dossiers(g.actor)
    return render_template("backoffice/dossiers/index.html", rows=rows, imports=imports,
                           can_import=authz.can(g.actor, Permission.DOSSIER_IMPORT))


@bp.route("/dossiers/importeren", methods=["GET", "POST"])
@requires(Permission.DOSSIER_IMPORT)
def dossier_import():
    form = ImportForm()
    problems: list[tuple[str, str]] = []
    if form.validate_on_submit():
        limit = _upload_limit()
        try:
            data = read_limited(form.export.data.stream, limit)
            result = svc.import_zip_bytes(g.actor, data)
        except UploadRejected:
            problems = [("", str(REASONS["too_large"]) % {"limit": limit})]
        except svc.ImportRefused as exc:
            problems = [(p.where, reason_text(p)) for p in exc.problems]
        else:
            if result.outcome == "unchanged":
                flash(_("Deze export is al ingelezen: er is niets veranderd (dossier %(id)s).", id=result.dossier_id))
            elif result.outcome == "replaced":
                flash(_("Dossier %(id)s is vervangen door deze nieuwere export.", id=result.dossier_id))
            else:
                flash(_("Dossier %(id)s is ingelezen.", id=result.dossier_id))
            if authz.can(g.actor, Permission.DOSSIER_VIEW):
                return redirect(url_for("backoffice.dossier_page", dossier_id=result.dossier_id))
            return redirect(url_for("backoffice.dossier_import"))
    status = 422 if problems or form.errors else 200
    return render_template("backoffice/dossiers/import.html", form=form, problems=problems), status


@bp.route("/dossiers/<dossier_id>")
@requires(Permission.DOSSIER_VIEW)
def dossier_page(dossier_id: str):
    if len(dossier_id) > 40:
        abort(404)
    try:
        dossier = svc.get_dossier(g.actor, dossier_id)
    except DomainError:
        abort(404)
    from portal.services import destruction

    return render_template("backoffice/dossiers/page.html", dossier=dossier,
                           retention=destruction.retention_of(dossier),
                           extensions=destruction.retention_extensions(dossier))
