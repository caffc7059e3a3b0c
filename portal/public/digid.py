"""Log in with DigiD on the identity step (issue 11): the third way to prove identity
(art. 20.5), next to the ID copy and the visit in person.

Thin: the flow itself (PKCE, state, nonce, the ID token, the level) is in
portal/services/eid.py. What the flow keeps between leaving for the broker and coming
back lives in the encrypted server-side draft and is used once, whatever the outcome.
Without DIGID_ISSUER these routes answer 404 and the identity step is as before.
"""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l

from ..infra.extensions import limiter
from ..rules import eid as eid_rules
from ..services import drafts, outbox
from ..services import eid
from ..services.timeline import today_local
from . import digid_status, flow
from .digid_texts import ERRORS, LEVEL_LABELS
from . import forms as f
from .blueprint import bp

STEP = "identiteit"

EID_KEYS = ("eid", "eid_pending", "eid_low")


def offered() -> bool:
    """Whether DigiD is a route to prove identity here (configured), for the pages that
    say what a person needs before they start."""
    return eid.enabled()


def _redirect_uri() -> str:
    # On PUBLIC_BASE_URL, as registered with the broker; never from the Host header.
    return outbox.public_url("public.digid_callback")


def _draft() -> tuple[str | None, dict]:
    draft_id = session.get("draft")
    _row, answers = drafts.load(draft_id)
    return (draft_id if answers else None), answers


def context(answers: dict, error: str | None = None) -> dict | None:
    """What the identity page shows about DigiD; None when DigiD is not configured."""
    if not eid.enabled():
        return None
    done = answers.get("eid") or {}
    low = answers.get("eid_low") or {}
    minimum = current_app.config["DIGID_MIN_LOA"]
    return {
        "error": ERRORS.get(error) if error else None,
        "done": bool(done.get("bsn")),
        "level": LEVEL_LABELS.get(done.get("level"), ""),
        "bsn_masked": eid_rules.mask_bsn(done.get("bsn")),
        "low": bool(low),
        "low_level": LEVEL_LABELS.get(low.get("level"), _l("onbekend")),
        "minimum": LEVEL_LABELS[minimum],
        "start_form": f.NoPersonsForm(),
    }


def identity_step(fallback):
    """Wrap the identity step's handler (copy or visit): the page also offers DigiD, and
    choosing one of the other two ways drops a DigiD login kept in the draft."""
    def handler(step, answers):
        g.digid = context(answers)
        if request.method == "POST":
            for key in EID_KEYS:
                answers.pop(key, None)  # saved only if the other way is accepted
        return fallback(step, answers)
    return handler


def _identity_page(answers: dict, error: str, status: int):
    g.young = flow.young_reader(answers, today_local())  # as on the step itself
    g.digid = context(answers, error)
    form = f.IdentityForm(data=answers.get("identity") if (answers.get("identity") or {}).get("method") != "eid" else None)
    prev = flow.previous_step(STEP, answers)
    return render_template("public/steps/identiteit.html", form=form, answers=answers,
                           back_url=url_for("public.step", step=prev) if prev else url_for("public.start"),
                           change=False, has_file="identity" in drafts.upload_slots(session.get("draft"))), status


def _next(answers: dict):
    nxt = flow.next_step(STEP, answers)
    return redirect(url_for("public.step", step=nxt) if nxt else url_for("public.check"))


@bp.route("/verzoek/digid")
@limiter.limit(lambda: current_app.config["RATELIMIT_TOKEN"])
def digid_start():
    """A link, not a form: the page's CSP allows forms to post only to the portal
    (form-action 'self'), and browsers apply that to the redirect after a post too.
    Starting a login changes nothing but the pending state of this draft; the state,
    bound to the draft, is what stops a login forced on someone (login CSRF)."""
    if not eid.enabled():
        abort(404)
    draft_id, answers = _draft()
    if not draft_id or not flow.applies(STEP, answers):
        return redirect(url_for("public.start"))
    try:
        url, pending = eid.begin(_redirect_uri())
    except eid.EidError as exc:
        return _identity_page(answers, exc.code, 503)
    answers["eid_pending"] = pending
    drafts.save(draft_id, answers)
    return redirect(url, code=303)


@bp.route("/verzoek/digid/terug")
@limiter.limit(lambda: current_app.config["RATELIMIT_TOKEN"])
def digid_callback():
    if not eid.enabled():
        abort(404)
    if digid_status.is_status_callback():
        return digid_status.callback()
    draft_id, answers = _draft()
    if not answers.get("eid_pending") and session.get("join") and session.get(JOIN_KEY):
        return _join_callback()
    if not draft_id:
        return redirect(url_for("public.start"))
    pending = answers.pop("eid_pending", None)  # used once, whatever comes of it
    try:
        result = eid.finish(pending, request.args.to_dict(), _redirect_uri())
    except eid.EidError as exc:
        if pending is not None:
            drafts.save(draft_id, answers)
        return _identity_page(answers, exc.code, 503 if exc.code == "unavailable" else 400)
    if not result.sufficient:
        # Below the minimum: not an identity check; nothing of the login is kept but
        # the level, to tell the person plainly what else is needed.
        for key in EID_KEYS:
            answers.pop(key, None)
        answers["eid_low"] = {"level": result.level}
        if (answers.get("identity") or {}).get("method") == "eid":
            answers.pop("identity", None)
            flow.reopen(answers, (STEP,))
        drafts.save(draft_id, answers)
        return redirect(url_for("public.step", step=STEP))
    typed = (answers.get("requester") or {}).get("bsn")
    answers.pop("eid_low", None)
    answers["eid"] = {"bsn": result.bsn, "level": result.level, "acr": result.acr, "broker": result.broker,
                      "at": result.at, "legal_bsn": result.legal_bsn,
                      "bsn_conflict": bool(typed and typed != result.bsn)}
    answers["identity"] = {"method": "eid"}
    flow.mark_done(STEP, answers)
    # A copy uploaded before is not needed any more: it goes with this save.
    session["draft"] = drafts.save_with_upload(draft_id, answers, "identity", None)
    return _next(answers)


@bp.route("/verzoek/digid/gebruiken", methods=["POST"])
def digid_use():
    """Back on the identity step after a DigiD login: go on with it."""
    if not eid.enabled():
        abort(404)
    draft_id, answers = _draft()
    if not draft_id or not (answers.get("eid") or {}).get("bsn") or not f.NoPersonsForm().validate_on_submit():
        return redirect(url_for("public.step", step=STEP))
    answers["identity"] = {"method": "eid"}
    flow.mark_done(STEP, answers)
    session["draft"] = drafts.save_with_upload(draft_id, answers, "identity", None)
    return _next(answers)


@bp.route("/verzoek/digid/bsn", methods=["POST"])
def digid_bsn_choice():
    """DigiD gave another BSN than the one typed: the person says which is right. DigiD's:
    it replaces the typed one. The typed one: then this DigiD login is not theirs and
    does not prove who they are, so the identity step opens again."""
    draft_id, answers = _draft()
    if not draft_id or not (answers.get("eid") or {}).get("bsn_conflict"):
        return redirect(url_for("public.check"))
    form = f.BsnChoiceForm()
    if not form.validate_on_submit():
        return redirect(url_for("public.check"))
    if form.choice.data == "digid":
        answers["requester"]["bsn"] = answers["eid"]["bsn"]
        answers["eid"]["bsn_conflict"] = False
        drafts.save(draft_id, answers)
        return redirect(url_for("public.check"))
    for key in EID_KEYS:
        answers.pop(key, None)
    answers.pop("identity", None)
    flow.reopen(answers, (STEP,))
    drafts.save(draft_id, answers)
    return redirect(url_for("public.step", step=STEP))


def end_local_session(draft_id: str | None) -> bool:
    """Logging out ends the local DigiD state: a DigiD login kept in the draft goes, and
    the identity step opens again, and so does a DigiD login kept for the status page.
    The broker's own session is the broker's: returns whether this browser used DigiD
    here, so the logout can offer the broker's own logout (logged_out below)."""
    used = bool(session.get(JOIN_KEY) or session.get(digid_status.STATUS_KEY))
    end_join()
    digid_status.end()
    _row, answers = drafts.load(draft_id)
    if not answers or not any(k in answers for k in EID_KEYS):
        return used
    for key in EID_KEYS:
        answers.pop(key, None)
    if (answers.get("identity") or {}).get("method") == "eid":
        answers.pop("identity", None)
        flow.reopen(answers, (STEP,))
    drafts.save(draft_id, answers)
    return True


LOGGED_OUT_KEY = "digid_logged_out"


def after_logout(used: bool):
    """Where the portal's logout goes: the front page, or, when DigiD was used in this
    browser, a page that offers the broker's own logout (its session outlives ours)."""
    if not used or not eid.enabled():
        return redirect(url_for("public.index"))
    session[LOGGED_OUT_KEY] = {"young": bool(g.get("young"))}
    return redirect(url_for("public.digid_logged_out"))


def broker_logout_url() -> str | None:
    """The broker's own logout: its end_session_endpoint (RP-initiated logout), coming
    back to the front page; None when the broker has none or cannot be reached now."""
    return eid.logout_url(outbox.public_url("public.index"))


def after_filing(identity_method: str | None) -> dict | None:
    """What the confirmation page (or the page after joining) offers when the person
    proved their identity with DigiD: the broker's own logout, as after the portal's
    logout, since the broker's session outlives the filing. None otherwise."""
    if identity_method != "eid" or not eid.enabled():
        return None
    return {"broker_logout": broker_logout_url()}


@bp.route("/uitgelogd")
def digid_logged_out():
    """Once, after a logout in a browser that used DigiD: log out at the broker too.
    The link is the broker's end_session_endpoint (RP-initiated logout); it comes back
    to the front page."""
    shown = session.pop(LOGGED_OUT_KEY, None)
    if not shown or not eid.enabled():
        return redirect(url_for("public.index"))
    g.young = bool(shown.get("young"))
    return render_template("public/digid_logged_out.html", broker_logout=broker_logout_url())


# --- joining a joint request (art. 20.1) with DigiD --------------------------------------------
# The second person's DigiD login is kept in a draft of its own (encrypted, server-side),
# whose id is in the session beside the invitation; it goes when they have joined.

JOIN_KEY = "join_eid"


def _join_draft() -> tuple[str | None, dict]:
    draft_id = session.get(JOIN_KEY)
    _row, answers = drafts.load(draft_id)
    return (draft_id if answers else None), answers


def join_eid() -> dict | None:
    """The joiner's DigiD login at or above the minimum, or None."""
    if not eid.enabled() or not session.get("join"):
        return None
    _id, answers = _join_draft()
    done = answers.get("eid") or {}
    return done if done.get("bsn") else None


def join_context() -> dict | None:
    if not eid.enabled():
        return None
    _id, answers = _join_draft()
    ctx = context(answers)
    ctx["join"] = True
    return ctx


def end_join() -> None:
    drafts.discard(session.pop(JOIN_KEY, None))


@bp.route("/meedoen/digid")
@limiter.limit(lambda: current_app.config["RATELIMIT_TOKEN"])
def digid_join_start():
    if not eid.enabled():
        abort(404)
    if not session.get("join"):
        return redirect(url_for("public.join"))
    try:
        url, pending = eid.begin(_redirect_uri())
    except eid.EidError as exc:
        flash(ERRORS[exc.code])
        return redirect(url_for("public.join_details"))
    session[JOIN_KEY] = drafts.save(session.get(JOIN_KEY), {"eid_pending": pending})
    return redirect(url, code=303)


def _join_callback():
    draft_id, answers = _join_draft()
    if not draft_id:
        flash(ERRORS["state"])
        return redirect(url_for("public.join_details"))
    pending = answers.pop("eid_pending", None)
    try:
        result = eid.finish(pending, request.args.to_dict(), _redirect_uri())
    except eid.EidError as exc:
        drafts.save(draft_id, {})
        flash(ERRORS.get(exc.code, ERRORS["refused"]))
        return redirect(url_for("public.join_details"))
    if not result.sufficient:
        drafts.save(draft_id, {"eid_low": {"level": result.level}})
    else:
        drafts.save(draft_id, {"eid": {"bsn": result.bsn, "level": result.level, "acr": result.acr,
                                       "broker": result.broker, "at": result.at, "legal_bsn": result.legal_bsn}})
    return redirect(url_for("public.join_details"))
