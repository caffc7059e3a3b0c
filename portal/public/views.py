"""The public face: thin views that parse input, call a service and render.

Works without JavaScript. Every page that can hold personal data is sent with
no-store (portal/__init__.py). Answers live in an encrypted server-side draft; the
browser's session holds only the draft id, a random session id, the language and,
after login, the reference whose status page it may see.
"""
from __future__ import annotations

import secrets
from datetime import date

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..infra.extensions import limiter
from ..labels import REP_KIND_LABELS
from ..rules import eligibility
from ..rules.eligibility import ForWhom, JointRule
from ..rules.rights import Right
from ..services import drafts, outbox, status_sessions, tokens
from ..services import copies as copies_svc
from ..services import joint as joint_svc
from ..services import letters as letters_svc
from ..services import requests as svc
from ..services import withdrawal as withdrawal_svc
from ..documents.uploads import UploadRejected, inspect_upload, read_limited
from . import digid, digid_status, flow
from .limits import guarded
from . import forms as f
from .blueprint import bp

UPLOAD_MESSAGES = {
    "empty": _l("Het bestand is leeg. Kies een ander bestand."),
    "too_large": _l("Het bestand is te groot. Een bestand mag hoogstens 10 MB zijn."),
    "unsupported_type": _l("Dit soort bestanden kunnen wij niet openen. Stuur een PDF, JPG of PNG."),
    "image_too_many_pixels": _l("De foto is te groot. Maak een kleinere foto of een scan en probeer het opnieuw."),
    "image_broken": _l("De foto is beschadigd of niet te openen. Maak een nieuwe foto."),
    "pdf_broken": _l("De PDF is beschadigd of niet te openen. Stuur een andere PDF."),
    "pdf_encrypted": _l("De PDF is beveiligd met een wachtwoord. Stuur een PDF zonder wachtwoord."),
    "pdf_active_content": _l("Deze PDF bevat onderdelen die wij om veiligheidsredenen niet accepteren (zoals scripts of bijlagen). Sla het bestand opnieuw op als gewone PDF of maak een foto."),
}

NOT_POSSIBLE = {
    eligibility.CHILD_UNDER_12_CANNOT_FILE_ALONE,
    eligibility.YOUNG_PERSON_FILES_SELF,
    eligibility.SUBJECT_NOT_ADULT,
    eligibility.BIRTH_DATE_IN_FUTURE,
    eligibility.IMPLAUSIBLE_AGE,
}

JOIN_ERRORS = {
    # Said before we know whether a child or a parent reads: neither "je" nor "u".
    "invitation_invalid": _l("Deze combinatie van kenmerk en code kennen wij niet. Controleer het kenmerk en de code."),
    "invitation_used": _l("Deze uitnodiging is al gebruikt."),
    "invitation_expired": _l("Deze uitnodiging is verlopen. Vraag de ander om contact met ons op te nemen."),
    "invitation_not_ready": _l("Deze uitnodiging kan nog niet gebruikt worden. Probeer het later opnieuw."),
    "joiner_is_starter": _l("Wie het verzoek begon, kan niet ook de tweede persoon zijn. De uitnodiging is voor de ander."),
    "joiner_not_invited_child": _l("De geboortedatum past niet bij het kind dat is uitgenodigd. Controleer de geboortedatum."),
    "joiner_not_adult": _l("Een ouder met gezag of voogd is 18 jaar of ouder. Controleer de geboortedatum."),
    "proof_method_missing": _l("Kies hoe u laat zien dat u de ouder met gezag of voogd bent."),
    "proof_upload_missing": _l("Kies een bestand met het bewijs."),
    "identity_upload_missing": _l("Kies een bestand met de kopie van uw identiteitsbewijs."),
    "identity_eid_missing": _l("Log opnieuw in met DigiD, of kies een andere manier om te laten zien wie u bent."),
    "eid_bsn_differs": _l("Dit BSN is niet het BSN van uw DigiD. Vul het BSN van uw DigiD in, laat het leeg, of kies een andere manier om te laten zien wie u bent."),
}


# --- helpers --------------------------------------------------------------------------

def _public_url(endpoint: str, **values) -> str:
    """A link for an e-mail: always on PUBLIC_BASE_URL, never on the Host header a
    request happened to send (an attacker could otherwise make us mail links to
    their own site)."""
    return outbox.public_url(endpoint, **values)


def _session_id() -> str:
    if "sid" not in session:
        session["sid"] = secrets.token_urlsafe(24)
    return session["sid"]


def _lang() -> str:
    lang = session.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def _answers() -> dict:
    _draft, answers = drafts.load(session.get("draft"))
    return answers


def _save(answers: dict) -> None:
    session["draft"] = drafts.save(session.get("draft"), answers)


def _upload_from(field_name: str):
    """Read and check one uploaded file. Returns (CleanUpload | None, error | None)."""
    storage = request.files.get(field_name)
    if storage is None or not storage.filename:
        return None, None
    try:
        data = read_limited(storage.stream, current_app.config["UPLOAD_MAX_BYTES"])
        return inspect_upload(data, max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
                              max_pixels=current_app.config["UPLOAD_MAX_PIXELS"]), None
    except UploadRejected as exc:
        return None, UPLOAD_MESSAGES.get(exc.code, UPLOAD_MESSAGES["unsupported_type"])


def _step_url(step: str | None) -> str:
    return url_for("public.step", step=step) if step else url_for("public.check")


def _after(step: str, answers: dict):
    if request.args.get("wijzig") and flow.first_incomplete(answers) is None:
        return redirect(url_for("public.check"))
    return redirect(_step_url(flow.next_step(step, answers)))


def _back(step: str, answers: dict) -> str:
    prev = flow.previous_step(step, answers)
    return _step_url(prev) if prev else url_for("public.start")


def _person_answers(form) -> dict:
    return {
        "given_names": form.given_names.data.strip(),
        "surname": form.surname.data.strip(),
        "birth_date": form.birth_date.parsed.isoformat(),
        **({"bsn": form.bsn.parsed} if hasattr(form, "bsn") else {}),
    }


def _young(answers: dict) -> bool:
    """The person reading is a young person (under 18, filing for themselves): "je"."""
    return flow.young_reader(answers, svc.today_local())


@bp.context_processor
def _reader() -> dict:
    """Every public page knows who reads it: ``young`` (a young person about their own
    request, "je") or not ("u"). A view sets g.young once it knows; an explicit
    ``young=`` passed to render_template wins."""
    return {"young": bool(g.get("young"))}


def _assess(answers: dict, birth: date):
    outcome = eligibility.assess(ForWhom(answers["for_whom"]), birth, svc.today_local(),
                                 JointRule(current_app.config["JOINT_RULE"]))
    answers["assessment"] = {"allowed": outcome.allowed, "joint": outcome.joint, "reason": outcome.reason}
    return outcome


# --- information pages ------------------------------------------------------------------

@bp.route("/")
def index():
    return render_template("public/index.html")


@bp.route("/uw-rechten")
def rights():
    return render_template("public/rights.html")


@bp.route("/klachten")
def complaints():
    return render_template("public/complaints.html")


@bp.route("/veilig-internetten")
def safe_browsing():
    return render_template("public/safe_browsing.html")


@bp.route("/taal/<lang>")
def set_language(lang: str):
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = lang
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target or not _gettable(target):
        target = url_for("public.index")
    return redirect(target)


def _gettable(path: str) -> bool:
    """Only go back to a page that answers GET (not a POST-only address like a login)."""
    from werkzeug.exceptions import HTTPException as _HTTPException

    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except _HTTPException:
        return False
    return True


# --- filing a request -------------------------------------------------------------------

@bp.route("/verzoek", methods=["GET", "POST"])
def start():
    form = f.NoPersonsForm()
    if form.validate_on_submit():
        _session_id()
        drafts.discard(session.pop("draft", None))
        _save({"done": [], "lang": _lang()})
        return redirect(url_for("public.step", step="voor-wie"))
    return render_template("public/start.html", form=form, digid=digid.offered())


@bp.route("/verzoek/wissen", methods=["GET", "POST"])
def discard_draft():
    """Stop and delete every answer and upload given so far (shared devices). A GET
    asks once (a page, no script); the POST deletes."""
    form = f.NoPersonsForm()
    g.young = _young(_answers()) if session.get("draft") else False
    if form.validate_on_submit():
        drafts.discard(session.pop("draft", None))
        flash(_("Uw antwoorden zijn gewist."))
        return redirect(url_for("public.index"))
    back = request.args.get("terug", "")
    back_url = url_for("public.check") if back == "controleren" else (
        url_for("public.step", step=back) if back in flow.ORDER else url_for("public.start"))
    return render_template("public/discard_confirm.html", form=form, back_url=back_url)


@bp.route("/verzoek/<step>", methods=["GET", "POST"])
def step(step: str):
    if step not in flow.ORDER:
        abort(404)
    if not session.get("draft"):
        return redirect(url_for("public.start"))
    answers = _answers()
    if not answers:
        session.pop("draft", None)
        return redirect(url_for("public.start"))
    if not flow.applies(step, answers):
        return redirect(_step_url(flow.first_incomplete(answers)))
    g.young = _young(answers)
    handler = STEP_HANDLERS[step]
    return handler(step, answers)


def _render(step: str, answers: dict, form, **ctx):
    return render_template(f"public/steps/{step.replace('-', '_')}.html", form=form, answers=answers,
                           back_url=_back(step, answers), change=bool(request.args.get("wijzig")), **ctx)


def step_for_whom(step, answers):
    form = f.ForWhomForm(data={"for_whom": answers.get("for_whom")})
    if form.validate_on_submit():
        if answers.get("for_whom") != form.for_whom.data:
            flow.reopen(answers, flow.DEPENDS_ON_FOR_WHOM)
            answers.pop("assessment", None)
            answers.pop("rep_kind", None)
        answers["for_whom"] = form.for_whom.data
        flow.mark_done(step, answers)
        _save(answers)
        return redirect(_step_url(flow.next_step(step, answers)))
    return _render(step, answers, form)


def step_rep_kind(step, answers):
    fw = ForWhom(answers["for_whom"])
    kinds = eligibility.kinds_for(fw, accepted_adult_kinds=current_app.config["ADULT_REPRESENTATIVE_KINDS"])
    form = f.RepresentativeKindForm(data={"rep_kind": answers.get("rep_kind")})
    form.rep_kind.choices = [(k.value, REP_KIND_LABELS[k.value]) for k in kinds]
    if form.validate_on_submit():
        answers["rep_kind"] = form.rep_kind.data
        flow.mark_done(step, answers)
        _save(answers)
        return _after(step, answers)
    return _render(step, answers, form)


def _assessed_redirect(step, answers, outcome):
    """After a birth date: go on, switch to the right choice, or explain kindly."""
    if outcome.allowed:
        flow.mark_done(step, answers)
        _save(answers)
        return _after(step, answers)
    if outcome.reason in (eligibility.CHILD_IS_12_OR_OLDER, eligibility.CHILD_IS_UNDER_12) and outcome.redirect_to:
        answers["for_whom"] = outcome.redirect_to.value
        outcome = _assess(answers, date.fromisoformat(answers["subject"]["birth_date"]))
        flow.mark_done(step, answers)
        _save(answers)
        if outcome.reason == eligibility.OK:
            flash(_("Uw kind is %(age)s jaar. Wij hebben uw keuze bij 'Voor wie' aangepast.", age=outcome_age(answers)))
        return _after(step, answers)
    _save(answers)
    return redirect(url_for("public.not_possible", reason=outcome.reason))


def outcome_age(answers: dict) -> int:
    return eligibility.age_on(date.fromisoformat(answers["subject"]["birth_date"]), svc.today_local())


def step_subject(step, answers):
    form = f.PersonForm(data=answers.get("subject") and {
        **answers["subject"], "birth_date": date.fromisoformat(answers["subject"]["birth_date"]).strftime("%d-%m-%Y")})
    if form.validate_on_submit():
        answers["subject"] = _person_answers(form)
        return _assessed_redirect(step, answers, _assess(answers, form.birth_date.parsed))
    return _render(step, answers, form)


def step_requester(step, answers):
    data = None
    if answers.get("requester"):
        data = {**answers["requester"], "birth_date": date.fromisoformat(answers["requester"]["birth_date"]).strftime("%d-%m-%Y")}
    form = f.RequesterForm(data=data)
    if form.validate_on_submit():
        answers["requester"] = _person_answers(form)
        if ForWhom(answers["for_whom"]) is ForWhom.SELF:
            outcome = _assess(answers, form.birth_date.parsed)
            if not outcome.allowed:
                _save(answers)
                return redirect(url_for("public.not_possible", reason=outcome.reason))
        elif not eligibility.is_adult(form.birth_date.parsed, svc.today_local()):
            # A minor cannot hold parental authority or be a curator (BW 1:246, 1:383).
            form.birth_date.errors.append(_l("Controleer de geboortedatum: een vertegenwoordiger is 18 jaar of ouder."))
            return _render(step, answers, form)
        flow.mark_done(step, answers)
        _save(answers)
        return _after(step, answers)
    return _render(step, answers, form)


def step_rights(step, answers):
    form = f.RightsForm(data={"rights": answers.get("rights") or []})
    if ForWhom(answers["for_whom"]) is not ForWhom.SELF:
        # "mijn gegevens" only for whoever asks about their own data.
        form.rights.choices = list(f.RIGHT_LABELS_OTHER.items())
    if form.validate_on_submit():
        answers["rights"] = [r.value for r in Right if r.value in form.rights.data]
        flow.mark_done(step, answers)
        _save(answers)
        return _after(step, answers)
    return _render(step, answers, form)


def _details_step(form_cls, right: Right, fields: tuple[str, ...]):
    def handler(step, answers):
        details = (answers.get("details") or {}).get(right.value, {})
        form = form_cls(data=details)
        if form.validate_on_submit():
            answers.setdefault("details", {})[right.value] = {k: getattr(form, k).data for k in fields}
            flow.mark_done(step, answers)
            _save(answers)
            return _after(step, answers)
        return _render(step, answers, form)

    return handler


def step_own_statement(step, answers):
    details = (answers.get("details") or {}).get(Right.OWN_STATEMENT.value, {})
    form = f.OwnStatementForm(data=details)
    slots = drafts.upload_slots(session.get("draft"))
    if form.validate_on_submit():
        upload, error = _upload_from("statement_file")
        if error:
            form.statement_file.errors = [error]
        elif not (form.statement.data or "").strip() and upload is None and "statement" not in slots:
            form.statement.errors = [_l("Schrijf uw verklaring, of voeg een PDF toe.")]
        elif upload is not None and upload.content_type != "application/pdf":
            form.statement_file.errors = [_l("Voeg uw verklaring toe als PDF, of schrijf haar in het tekstvak.")]
        else:
            answers.setdefault("details", {})[Right.OWN_STATEMENT.value] = {"statement": form.statement.data.strip()}
            flow.mark_done(step, answers)
            if upload is not None:
                session["draft"] = drafts.save_with_upload(session.get("draft"), answers, "statement", upload)
            else:
                _save(answers)
            return _after(step, answers)
    return _render(step, answers, form, has_file="statement" in slots)


def step_second(step, answers):
    child_starts = ForWhom(answers["for_whom"]) is ForWhom.SELF
    form = f.SecondPersonForm(data=answers.get("second") or None, child_starts=child_starts)
    if form.validate_on_submit():
        requester_email = ((answers.get("contact") or {}).get("email") or "").casefold()
        if form.email.data and form.email.parsed and requester_email and form.email.parsed.casefold() == requester_email:
            form.email.errors.append(_l("Vul het e-mailadres van de ander in, niet uw eigen adres."))
            return _render(step, answers, form, child_starts=child_starts)
        if child_starts and form.not_safe.data:
            answers["second"] = {"not_safe": True, "not_safe_note": (form.not_safe_note.data or "").strip()}
        else:
            answers["second"] = {
                "not_safe": False,
                "channel": form.channel.data,
                "email": form.email.parsed if form.channel.data == "email" else None,
                **({"given_names": form.given_names.data.strip(), "surname": form.surname.data.strip(),
                    "rep_kind": form.rep_kind.data} if child_starts else {}),
            }
        flow.mark_done(step, answers)
        _save(answers)
        return _after(step, answers)
    return _render(step, answers, form, child_starts=child_starts)


def _upload_step(form_cls, key: str, slot: str):
    def handler(step, answers):
        form = form_cls(data=answers.get(key) or None)
        slots = drafts.upload_slots(session.get("draft"))
        if form.validate_on_submit():
            upload, error = _upload_from("document")
            if error:
                form.document.errors = [error]
            elif form.method.data == "upload" and upload is None and slot not in slots:
                form.document.errors = [_l("Kies een bestand, of kies dat u het laat zien bij Veilig Thuis.")]
            else:
                answers[key] = {"method": form.method.data}
                flow.mark_done(step, answers)
                if form.method.data == "in_person":
                    session["draft"] = drafts.save_with_upload(session.get("draft"), answers, slot, None)
                elif upload is not None:
                    session["draft"] = drafts.save_with_upload(session.get("draft"), answers, slot, upload)
                else:
                    _save(answers)
                return _after(step, answers)
        return _render(step, answers, form, has_file=slot in slots)

    return handler


def step_contact(step, answers):
    """How we may reach the person: only the ways; the next page asks their details."""
    form = f.ContactWaysForm(data={"ways": answers.get("contact_ways") or (["none"] if answers.get("contact") else [])})
    if form.validate_on_submit():
        ways = [w for w in f.CONTACT_WAYS if w in form.ways.data]
        if ways != answers.get("contact_ways"):
            flow.reopen(answers, ("contact-gegevens",))
        answers["contact_ways"] = ways
        if not ways:
            answers["contact"] = {"email_ok": "no", "email": None, "phone_ok": False, "phone": None,
                                  "phone_times": None, "voicemail_ok": False, "post_ok": False}
        flow.mark_done(step, answers)
        _save(answers)
        return _after(step, answers)
    return _render(step, answers, form)


def step_contact_details(step, answers):
    ways = answers.get("contact_ways") or []
    form = f.ContactForm(data=answers.get("contact") or None, ways=ways)
    if form.validate_on_submit():
        second_email = ((answers.get("second") or {}).get("email") or "").casefold()
        if "email" in ways and second_email and form.email.parsed and form.email.parsed.casefold() == second_email:
            form.email.errors.append(_l("Dit is het e-mailadres dat u voor de ander gaf. Vul uw eigen e-mailadres in."))
            return _render(step, answers, form, ways=ways)
        answers["contact"] = {
            "email_ok": "yes" if "email" in ways else "no",
            "email": form.email.parsed if "email" in ways else None,
            "phone_ok": "phone" in ways,
            "phone": form.phone.parsed if "phone" in ways else None,
            "phone_times": (form.phone_times.data or "").strip() if "phone" in ways else None,
            "voicemail_ok": bool(form.voicemail_ok.data) if "phone" in ways else False,
            "post_ok": "post" in ways,
            **({"street": form.street.data.strip(), "house_number": form.house_number.data.strip(),
                "postcode": form.postcode.parsed, "city": form.city.data.strip()} if "post" in ways else {}),
        }
        flow.mark_done(step, answers)
        _save(answers)
        return _after(step, answers)
    return _render(step, answers, form, ways=ways)


STEP_HANDLERS = {
    "voor-wie": step_for_whom,
    "vertegenwoordiging": step_rep_kind,
    "betrokkene": step_subject,
    "over-u": step_requester,
    "rechten": step_rights,
    "afschrift": _details_step(f.CopyForm, Right.COPY, ("delivery",)),
    "correctie": _details_step(f.RectificationForm, Right.RECTIFICATION, ("what_is_wrong", "should_say")),
    "eigen-verklaring": step_own_statement,
    "vernietiging": _details_step(f.DestructionForm, Right.DESTRUCTION, ("refuted", "grounds")),
    "wissing": _details_step(f.ErasureForm, Right.ERASURE, ("grounds", "explanation")),
    "tweede-persoon": step_second,
    "identiteit": digid.identity_step(_upload_step(f.IdentityForm, "identity", "identity")),
    "bewijs": _upload_step(f.RepresentationProofForm, "proof", "representation"),
    "contact": step_contact,
    "contact-gegevens": step_contact_details,
}


@bp.route("/verzoek/niet-mogelijk/<reason>")
def not_possible(reason: str):
    if reason not in NOT_POSSIBLE:
        abort(404)
    g.young = _young(_answers()) if session.get("draft") else False
    return render_template("public/not_possible.html", reason=reason,
                           back_url=url_for("public.step", step="voor-wie"))


@bp.route("/verzoek/controleren", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SUBMIT"], methods=["POST"])
def check():
    if not session.get("draft"):
        return redirect(url_for("public.start"))
    answers = _answers()
    if not answers:
        session.pop("draft", None)
        return redirect(url_for("public.start"))
    missing = flow.first_incomplete(answers)
    if missing:
        return redirect(url_for("public.step", step=missing))
    g.young = _young(answers)
    form = f.SubmitForm()
    slots = drafts.upload_slots(session.get("draft"))
    if form.validate_on_submit():
        try:
            result = svc.submit_request(answers, session["draft"], lang=_lang(), starter_session=_session_id())
        except svc.RequestError as exc:
            if exc.code in NOT_POSSIBLE:
                return redirect(url_for("public.not_possible", reason=exc.code))
            if exc.code in (eligibility.CHILD_IS_12_OR_OLDER, eligibility.CHILD_IS_UNDER_12):
                # The child had a birthday since the draft began: art. 20 is decided
                # on the day of receipt, so the person chooses again.
                flow.reopen(answers, ("voor-wie", *flow.DEPENDS_ON_FOR_WHOM))
                _save(answers)
                flash(_("Uw kind is inmiddels jarig geweest. Kies opnieuw voor wie u het verzoek doet."))
                return redirect(url_for("public.step", step="voor-wie"))
            form.form_errors.append(_("Er ontbreekt nog iets. Controleer uw antwoorden."))
            return render_template("public/check.html", form=form, answers=answers, slots=slots,
                                   steps=flow.steps(answers), back_url=_back("controleren", answers))
        session.pop("draft", None)
        # After the commit: the e-mails go out from the job queue, never from here.
        if result.confirm_email_to:
            outbox.send_later(result.confirm_email_to, "confirm_email", _lang(), young=g.young,
                              link=_public_url("public.confirm_email", token=result.confirm_token))
        if result.invitation_email_to:
            # A parent's invitation goes to the child (12 to 16): "je".
            outbox.send_later(result.invitation_email_to, "invitation", _lang(),
                              young=ForWhom(answers["for_whom"]) is not ForWhom.SELF,
                              link=_public_url("public.join_link", token=result.invitation_token))
        # Rendered here, not after a redirect: the passphrase and code are shown once
        # and never stored in a cookie or a log.
        return render_template("public/confirmation.html", result=result,
                               joint=flow.is_joint(answers), art20_4=(answers.get("second") or {}).get("not_safe"),
                               young=_young(answers),
                               digid_after=digid.after_filing((answers.get("identity") or {}).get("method")))
    return render_template("public/check.html", form=form, answers=answers, slots=slots,
                           steps=flow.steps(answers), back_url=_back("controleren", answers))


# --- e-mail confirmation -------------------------------------------------------------------

@bp.route("/bevestigen/<token>", methods=["GET", "POST"])
@guarded("RATELIMIT_TOKEN")
def confirm_email(token: str):
    # A GET only shows a button: mail scanners that open links must not use them up.
    form = f.NoPersonsForm()
    if form.validate_on_submit():
        try:
            result = svc.confirm_email(token)
        except tokens.TokenInvalid as exc:
            return render_template("public/token_problem.html", reason=exc.reason), 400
        if result.invitation_email_to:
            outbox.send_later(result.invitation_email_to, "invitation", result.lang, young=result.invitation_to_young,
                              link=_public_url("public.join_link", token=result.invitation_token))
        return render_template("public/email_confirmed.html", reference=result.reference)
    return render_template("public/confirm_email.html", form=form)


# --- the second person of a joint request ----------------------------------------------

@bp.route("/meedoen", methods=["GET", "POST"])
@guarded("RATELIMIT_TOKEN")
def join():
    form = f.JoinCodeForm()
    if form.validate_on_submit():
        try:
            view = svc.open_invitation(form.reference.data, form.code.data, _session_id())
        except svc.RequestError as exc:
            form.form_errors.append(JOIN_ERRORS.get(exc.code, JOIN_ERRORS["invitation_invalid"]))
            return render_template("public/join_code.html", form=form), 400
        session["join"] = {"id": view.invitation_id, "ref": view.reference, "child": view.joiner_is_child}
        return redirect(url_for("public.join_details"))
    return render_template("public/join_code.html", form=form)


@bp.route("/meedoen/link/<token>", methods=["GET", "POST"])
@guarded("RATELIMIT_TOKEN")
def join_link(token: str):
    form = f.NoPersonsForm()
    if form.validate_on_submit():
        try:
            ref, code = svc.invitation_from_token(token)
            view = svc.open_invitation(ref, code, _session_id())
        except tokens.TokenInvalid as exc:
            return render_template("public/token_problem.html", reason=exc.reason), 400
        except svc.RequestError as exc:
            return render_template("public/join_problem.html", message=JOIN_ERRORS.get(exc.code, JOIN_ERRORS["invitation_invalid"])), 400
        session["join"] = {"id": view.invitation_id, "ref": view.reference, "child": view.joiner_is_child}
        return redirect(url_for("public.join_details"))
    g.young = svc.invitation_is_for_young(token)
    return render_template("public/join_start.html", form=form)


@bp.route("/meedoen/gegevens", methods=["GET", "POST"])
def join_details():
    state = session.get("join")
    if not state:
        return redirect(url_for("public.join"))
    joiner_is_child = bool(state.get("child"))
    g.young = joiner_is_child
    form = f.JoinForm()
    g.digid, eid_join = digid.join_context(), digid.join_eid()
    if eid_join:  # a DigiD login at or above the minimum: a third choice (issue 11)
        form.method.choices = [*form.method.choices, ("eid", _l("Ik ben ingelogd met DigiD"))]
    if form.validate_on_submit():
        identity, id_error = _upload_from("document")
        proof, proof_error = (None, None) if joiner_is_child else _upload_from("proof")
        if id_error:
            form.document.errors = [id_error]
        if proof_error:
            form.proof.errors = [proof_error]
        if not id_error and not proof_error:
            try:
                view = svc.InvitationView(state["id"], state["ref"], joiner_is_child, _lang())
                svc.join_request(view, _session_id(), _person_answers(form), form.method.data, identity,
                                 None if joiner_is_child else form.proof_method.data, proof, form.email.parsed,
                                 eid_answers=eid_join if form.method.data == "eid" else None)
            except svc.RequestError as exc:
                message = JOIN_ERRORS.get(exc.code, JOIN_ERRORS["invitation_invalid"])
                target = {"proof_method_missing": form.proof_method, "proof_upload_missing": form.proof,
                          "identity_upload_missing": form.document, "joiner_not_invited_child": form.birth_date,
                          "joiner_not_adult": form.birth_date, "eid_bsn_differs": form.bsn,
                          "identity_eid_missing": form.method}.get(exc.code)
                if target is not None:
                    target.errors = list(target.errors) + [message]
                else:
                    form.form_errors.append(message)
                return render_template("public/join_details.html", form=form, joiner_is_child=joiner_is_child), 400
            session.pop("join", None)
            digid.end_join()
            return render_template("public/joined.html", young=joiner_is_child,
                                   digid_after=digid.after_filing(form.method.data))
    return render_template("public/join_details.html", form=form, joiner_is_child=joiner_is_child)


@bp.route("/meedoen/niet-veilig", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_TOKEN"], methods=["POST"])
def join_not_safe():
    """The invited child (12 to 16) says that involving the parent is not safe
    (art. 20.4), at any point before joining; a team leader decides."""
    state = session.get("join")
    if not state:
        return redirect(url_for("public.join"))
    if not state.get("child"):
        return redirect(url_for("public.join_details"))
    g.young = True
    form = f.InvitedChildNotSafeForm()
    if form.validate_on_submit():
        try:
            view = svc.InvitationView(state["id"], state["ref"], True, _lang())
            result = joint_svc.child_says_not_safe(view, _session_id(), form.birth_date.parsed,
                                                   form.not_safe_note.data, form.email.parsed)
        except svc.RequestError as exc:
            message = JOIN_ERRORS.get(exc.code, JOIN_ERRORS["invitation_invalid"])
            if exc.code == "joiner_not_invited_child":
                form.birth_date.errors = list(form.birth_date.errors) + [message]
            else:
                form.form_errors.append(message)
            return render_template("public/join_not_safe.html", form=form), 400
        session.pop("join", None)
        # Rendered here, not after a redirect: the passphrase is shown once.
        return render_template("public/join_not_safe_done.html", result=result)
    return render_template("public/join_not_safe.html", form=form), (400 if form.errors else 200)


# --- following a request --------------------------------------------------------------------

def _status_access() -> svc.StatusAccess | None:
    """The request and person this browser may see: the cookie holds only the id of a
    session kept on the server (portal/services/status_sessions.py), which logout, a
    new login, 2 hours or 30 idle minutes end."""
    resumed = status_sessions.resume(session.get("status"))
    if resumed is None:
        session.pop("status", None)
        return None
    access = svc.StatusAccess(resumed.reference, resumed.party_id)
    g.young = svc.young_reader(access)
    return access


@bp.route("/volgen", methods=["GET"])
def status_login():
    return render_template("public/status_login.html", pform=f.StatusPassphraseForm(prefix="p"),
                           lform=f.StatusLinkForm(prefix="l"), digid=digid_status.context())


@bp.route("/volgen/wachtzin", methods=["POST"])
@guarded("RATELIMIT_STATUS")
def status_login_passphrase():
    pform = f.StatusPassphraseForm(prefix="p")
    if pform.validate_on_submit():
        try:
            login = svc.login_with_passphrase(pform.reference.data, pform.passphrase.data)
        except svc.RequestError:
            pform.form_errors.append(_("Deze combinatie van kenmerk en wachtzin kennen wij niet. Controleer wat u heeft ingevuld."))
        else:
            session["status"] = login.session_id
            return redirect(url_for("public.status"))
    return render_template("public/status_login.html", pform=pform, lform=f.StatusLinkForm(prefix="l"),
                           digid=digid_status.context()), 400


@bp.route("/volgen/link", methods=["POST"])
@guarded("RATELIMIT_STATUS")
def status_login_link_request():
    lform = f.StatusLinkForm(prefix="l")
    if lform.validate_on_submit():
        # The same answer, and the same work (one job, no lookup here), whether or not
        # the reference and address belong together: the worker looks them up.
        outbox.status_link_later(lform.reference.data, lform.email.parsed)
        return render_template("public/status_link_sent.html")
    return render_template("public/status_login.html", pform=f.StatusPassphraseForm(prefix="p"), lform=lform,
                           digid=digid_status.context()), 400


@bp.route("/volgen/link/<token>", methods=["GET", "POST"])
@guarded("RATELIMIT_TOKEN")
def status_link(token: str):
    form = f.NoPersonsForm()
    if form.validate_on_submit():
        try:
            login = svc.login_with_link(token)
        except tokens.TokenInvalid as exc:
            return render_template("public/token_problem.html", reason=exc.reason), 400
        session["status"] = login.session_id
        return redirect(url_for("public.status"))
    g.young = svc.status_link_is_for_young(token)
    return render_template("public/status_link_open.html", form=form)


@bp.route("/volgen/verzoek", methods=["GET", "POST"])
def status():
    access = _status_access()
    if access is None:
        return redirect(url_for("public.status_login"))
    form = f.ReplyForm()
    if form.validate_on_submit():
        upload, error = _upload_from("document")
        if error:
            form.document.errors = [error]
        else:
            try:
                svc.reply(access, form.body.data, upload)
            except svc.RequestError:
                form.form_errors.append(_("Dit verzoek is afgesloten. U kunt geen bericht meer sturen."))
            else:
                flash(_("Uw bericht is verstuurd."))
                return redirect(url_for("public.status"))
    try:
        page = svc.status_view(access)
    except svc.RequestError:
        # The request is gone (e.g. purged) while this browser was logged in.
        session.pop("status", None)
        return redirect(url_for("public.status_login"))
    left_out = page.left_out_since
    # Art. 20.4: the parent whom the invited child kept out sees a request in progress
    # and nothing of the child's part: no letters, no copies (services/left_out.py).
    return render_template("public/status.html", req=page.request, messages=page.messages, form=form,
                           letters=[] if left_out else letters_svc.released_letters(page.request),
                           copies=copies_svc.deliveries_for(access.reference, access.party_id),
                           party_id=access.party_id, left_out=left_out, left_out_withdrew=page.left_out_withdrew,
                           digid_list=digid_status.logged_in()), (400 if form.errors or form.form_errors else 200)


@bp.route("/volgen/bericht")
def status_message():
    """A page to send a message when nobody asked anything (the form posts to the
    status page, which stores it)."""
    if _status_access() is None:
        return redirect(url_for("public.status_login"))
    return render_template("public/status_message.html", form=f.ReplyForm())


@bp.route("/volgen/brief/<int:letter_id>")
def status_letter(letter_id: int):
    """A letter (a decision, an extension) of the request this browser is logged in
    to; another request's letter is not found. The download is logged."""
    access = _status_access()
    if access is None:
        return redirect(url_for("public.status_login"))
    try:
        letter = letters_svc.download_for_requester(access.reference, access.party_id, letter_id)
    except letters_svc.LetterNotFound:
        abort(404)
    resp = current_app.response_class(letter.data, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


COPY_ERRORS = {
    "code_wrong": _l("Deze code klopt niet. Controleer de code en probeer het opnieuw."),
    "passphrase_wrong": _l("Deze wachtzin klopt niet. Controleer de woorden en probeer het opnieuw."),
    "code_expired": _l("Deze code werkt niet meer. Vraag een nieuwe code aan."),
    "code_locked": _l("U heeft te vaak een verkeerde code ingevuld. Vraag een nieuwe code aan."),
    "not_ready": _l("Uw afschrift wordt nog klaargemaakt. Kijk over een paar minuten opnieuw."),
}


@bp.route("/volgen/afschrift/<int:delivery_id>", methods=["GET", "POST"])
@guarded("RATELIMIT_TOKEN")
def status_copy(delivery_id: int):
    """Download a released copy: a one-time code, and the passphrase again for whoever
    has one (art. 14; the second proof of issue #4). Every download is logged."""
    access = _status_access()
    if access is None:
        return redirect(url_for("public.status_login"))
    views = {d.id: d for d in copies_svc.deliveries_for(access.reference, access.party_id)}
    view = views.get(delivery_id)
    if view is None:
        abort(404)
    form = f.CopyDownloadForm()
    if form.validate_on_submit():
        try:
            data = copies_svc.download(access.reference, access.party_id, delivery_id, code=form.code.data,
                                       passphrase=form.passphrase.data)
        except copies_svc.CopyError as exc:
            if exc.code in ("delivery_not_found", "delivery_expired"):
                abort(404)
            form.form_errors.append(str(COPY_ERRORS.get(exc.code, _l("Dit kan nu niet."))))
        else:
            resp = current_app.response_class(data, mimetype="application/pdf")
            resp.headers["Content-Disposition"] = 'attachment; filename="afschrift.pdf"'
            resp.headers["X-Content-Type-Options"] = "nosniff"
            return resp
    status = 400 if form.errors or form.form_errors else 200
    return render_template("public/copy_download.html", form=form, view=view,
                           code_form=f.NoPersonsForm(prefix="c")), status


@bp.route("/volgen/afschrift/<int:delivery_id>/code", methods=["POST"])
@guarded("RATELIMIT_STATUS")
def status_copy_code(delivery_id: int):
    """E-mail a one-time code to the confirmed, safe address of this person."""
    access = _status_access()
    if access is None:
        return redirect(url_for("public.status_login"))
    form = f.NoPersonsForm(prefix="c")
    if form.validate_on_submit():
        try:
            copies_svc.send_code(access.reference, access.party_id, delivery_id)
        except copies_svc.CopyError as exc:
            if exc.code in ("delivery_not_found", "delivery_expired"):
                abort(404)
            flash(_("Wij kunnen u geen code per e-mail sturen. Bel ons: 0800-2000."))
        else:
            flash(_("Wij hebben een code naar uw e-mailadres gestuurd. De code is 15 minuten geldig."))
    return redirect(url_for("public.status_copy", delivery_id=delivery_id))


@bp.route("/volgen/intrekken", methods=["GET", "POST"])
def status_withdraw():
    """Withdraw the request: one confirmation page that says in plain words what
    happens (what was uploaded is deleted; what was delivered stays)."""
    access = _status_access()
    if access is None:
        return redirect(url_for("public.status_login"))
    form = f.NoPersonsForm()
    error = None
    if form.validate_on_submit():
        try:
            withdrawal_svc.withdraw(access.reference, access.party_id)
        except withdrawal_svc.WithdrawalError as exc:
            error = {
                "not_the_requester": _("Alleen wie het verzoek heeft ingediend, kan het intrekken."),
                "cannot_withdraw_now": _("Dit verzoek is al afgerond of ingetrokken. Intrekken kan niet meer."),
            }.get(exc.code, _("Dit kan nu niet."))
        else:
            flash(_("Uw verzoek is ingetrokken. Wat u had meegestuurd, is verwijderd."))
            return redirect(url_for("public.status"))
    req = svc.by_reference(access.reference)
    if req is None:
        session.pop("status", None)
        return redirect(url_for("public.status_login"))
    return render_template("public/status_withdraw.html", form=form, error=error,
                           allowed=withdrawal_svc.can_withdraw(req, access.party_id)), (400 if error else 200)


@bp.route("/volgen/uitloggen", methods=["POST"])
def status_logout():
    form = f.NoPersonsForm()
    used_digid = False
    if form.validate_on_submit():
        _status_access()  # who reads the page after it (g.young)
        status_sessions.end(session.pop("status", None))
        used_digid = digid.end_local_session(session.get("draft"))
    return digid.after_logout(used_digid)
