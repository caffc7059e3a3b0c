"""Follow a request with DigiD (issue 11, item 5): the third way into the status page.

Thin: the OpenID Connect flow is portal/services/eid.py, the login itself
portal/services/status_eid.py. The flow's pending state, and after a login at or above
DIGID_MIN_LOA only the blind index of the BSN (never the BSN), live in an encrypted
server-side draft whose id is in the session (STATUS_KEY); the pending state is used
once, the blind index serves the list of the person's requests until logout or
eid.PENDING_MAX_SECONDS after the login. Every DigiD login asks the broker for a fresh
login (prompt=login, in eid.begin), so a broker session left open on a shared device does
not by itself open the list (threat model, the eID route). The broker sends every DigiD
login back to the one registered callback
(/verzoek/digid/terug); portal/public/digid.py hands it here when its `state` is this
flow's. Without DIGID_ISSUER these routes answer 404.
"""
from __future__ import annotations

import secrets
import time

from flask import abort, current_app, g, render_template, request, session, url_for, redirect
from flask_babel import gettext as _

from ..infra.extensions import limiter
from ..services import drafts, eid, outbox, status_eid, status_sessions
from ..services.errors import DomainError
from . import forms as f
from .blueprint import bp
from .digid_texts import ERRORS, LEVEL_LABELS
from .limits import guarded

STATUS_KEY = "status_eid"


def _pending_state() -> str | None:
    _row, answers = drafts.load(session.get(STATUS_KEY))
    return (answers.get("eid_pending") or {}).get("state")


def is_status_callback() -> bool:
    """Whether the broker's answer at the shared callback belongs to a status login."""
    state, mine = request.args.get("state"), _pending_state()
    return bool(state and mine and secrets.compare_digest(str(state), mine))


def end() -> None:
    """Logout: the DigiD login kept for the status page goes."""
    drafts.discard(session.pop(STATUS_KEY, None))


def login_page(error: str | None = None, low_level: str | None = None, status: int = 200):
    return render_template("public/status_login.html", pform=f.StatusPassphraseForm(prefix="p"),
                           lform=f.StatusLinkForm(prefix="l"), digid=context(error, low_level)), status


def context(error: str | None = None, low_level: str | None = None) -> dict | None:
    """What the status login page shows about DigiD; None when it is not configured."""
    if not eid.enabled():
        return None
    return {"error": ERRORS.get(error) if error else None,
            "low": low_level is not None,
            "low_level": LEVEL_LABELS.get(low_level, _("onbekend")),
            "minimum": LEVEL_LABELS[current_app.config["DIGID_MIN_LOA"]]}


@bp.route("/volgen/digid")
@limiter.limit(lambda: current_app.config["RATELIMIT_TOKEN"])
def status_digid_start():
    """A link, not a form (the CSP's form-action 'self' applies to the redirect too)."""
    if not eid.enabled():
        abort(404)
    try:
        url, pending = eid.begin(_callback_url())
    except eid.EidError as exc:
        return login_page(exc.code, status=503)
    end()
    session[STATUS_KEY] = drafts.save(None, {"eid_pending": pending})
    return redirect(url, code=303)


def _callback_url() -> str:
    # The one callback registered with the broker, on PUBLIC_BASE_URL.
    return outbox.public_url("public.digid_callback")


def callback():
    """The broker's answer for a status login (called from digid.digid_callback)."""
    draft_id = session.get(STATUS_KEY)
    _row, answers = drafts.load(draft_id)
    pending = answers.pop("eid_pending", None)  # used once, whatever comes of it
    try:
        result = eid.finish(pending, request.args.to_dict(), _callback_url())
    except eid.EidError as exc:
        end()
        return login_page(exc.code, status=503 if exc.code == "unavailable" else 400)
    if not result.sufficient:
        end()  # below the minimum: nothing of the login is kept
        return login_page(low_level=result.level or "", status=403)
    drafts.save(draft_id, {"bsn_index": eid.bsn_index_of(result.bsn), "at": time.time()})
    return redirect(url_for("public.status_digid"))


def _logged_in_index() -> str | None:
    _row, answers = drafts.load(session.get(STATUS_KEY))
    if not answers.get("bsn_index") or time.time() - float(answers.get("at", 0)) > eid.PENDING_MAX_SECONDS:
        return None
    return answers["bsn_index"]


def logged_in() -> bool:
    """Whether this browser has a DigiD login for the list of its requests (the status
    page then links back to that list)."""
    return eid.enabled() and _logged_in_index() is not None


@bp.route("/volgen/digid/verzoek", methods=["GET", "POST"])
@guarded("RATELIMIT_STATUS")
def status_digid():
    """After a DigiD login: the requests filed with that BSN as requester, each opened
    in a status session of its own. The same page, one query, whether it lists none or
    many; a reference not in the list (only by changing the form) gets one answer.
    The DigiD login stays for the list until logout or PENDING_MAX_SECONDS after it."""
    if not eid.enabled():
        abort(404)
    index = _logged_in_index()
    if index is None:
        end()
        return redirect(url_for("public.status_login"))
    form = f.StatusDigidForm()
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise DomainError("login_failed")
            login = status_eid.open_request(form.reference.data, index)
        except DomainError:
            form.form_errors.append(_("Dit verzoek kunt u met DigiD niet bekijken. Kies een verzoek uit de lijst."))
        else:
            status_sessions.end(session.pop("status", None))  # the request opened before, if any
            session["status"] = login.session_id
            return redirect(url_for("public.status"))
    listed = status_eid.mine(index)
    g.young = listed.young
    return render_template("public/status_digid.html", form=form, listed=listed.requests), \
        (400 if form.form_errors else 200)
