"""Rate limits on the places where someone could guess (threat model T7).

Each guessing endpoint has three limits (Flask-Limiter, kept in Redis in production so
that every worker counts in one place):

- per address *and* reference (RATELIMIT_STATUS, RATELIMIT_TOKEN): one guesser at one
  address is stopped on the reference they guess, while everyone else behind that
  address (a shelter, a school, a library) still logs in to their own request;
- per reference, from any address (RATELIMIT_PER_REFERENCE): a reference under attack
  is slowed whatever the addresses the guesses come from;
- per address, over all references (RATELIMIT_PER_ADDRESS): a generous ceiling, so one
  address cannot try reference after reference without end.

The reference comes from the form (the passphrase, link and invitation forms), the
signed link (confirmation, status and invitation links: the reference is read from a
link whose signature holds, whatever its age) or the status session (the copy
download: the reference of its server-side session). A request without a readable reference counts in one shared bucket.
"""
from __future__ import annotations

from flask import current_app, request, session
from flask_limiter.util import get_remote_address

from ..infra.extensions import limiter
from ..services import status_sessions, tokens
from ..services.references import normalise_reference

#: Form fields that hold a typed reference (with the forms' prefixes).
REFERENCE_FIELDS = ("p-reference", "l-reference", "reference")
#: Which link purpose each token endpoint reads.
TOKEN_PURPOSES = {
    "public.confirm_email": "email-confirm",
    "public.join_link": "invitation",
    "public.status_link": "status-link",
}


def reference_key() -> str:
    """The reference this request is about, normalised, or "-" when none can be read."""
    for name in REFERENCE_FIELDS:
        typed = request.form.get(name)
        if typed:
            return "ref:" + (normalise_reference(typed[:60]) or "-")
    purpose = TOKEN_PURPOSES.get(request.endpoint or "")
    if purpose:
        return "ref:" + (tokens.reference_in(purpose, (request.view_args or {}).get("token", "")) or "-")
    if session.get("status"):
        return "ref:" + (status_sessions.reference_of(session["status"]) or "-")
    return "ref:-"


def address_and_reference_key() -> str:
    return f"{get_remote_address()}|{reference_key()}"


def guarded(config_name: str):
    """The three limits of a guessing endpoint (POST only); `config_name` names the
    per-address-and-reference limit (RATELIMIT_STATUS or RATELIMIT_TOKEN)."""
    per_pair = limiter.limit(lambda: current_app.config[config_name], key_func=address_and_reference_key,
                             methods=["POST"])
    per_reference = limiter.limit(lambda: current_app.config["RATELIMIT_PER_REFERENCE"], key_func=reference_key,
                                  methods=["POST"])
    per_address = limiter.shared_limit(lambda: current_app.config["RATELIMIT_PER_ADDRESS"], scope="guessing",
                                       key_func=get_remote_address, methods=["POST"])

    def decorate(view):
        return per_address(per_reference(per_pair(view)))

    return decorate
