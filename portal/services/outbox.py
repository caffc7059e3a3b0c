"""Every e-mail leaves through the job queue (issue 13, finding 5).

A request never talks to the mail server: after its commit the caller hands the message
to ``send_later``, which announces it (``signals.mail_wanted``); portal/services/tasks.py
enqueues it and the background worker sends it. So a page answers as fast whether or
not an e-mail follows, and a slow or failing mail server never holds up a person.

The message waits in the queue's storage (SQLite or Redis) until the worker takes it:
it is sealed with the Vault (the address and the link are never stored readable there).

"Send me a status link" goes one step further: the request only enqueues the typed
reference and address (``status_link_later``), the same one job for every answer; the
worker looks them up and mails a link only when they match (``deliver_status_links``).
"""
from __future__ import annotations

import json
import logging
from flask import current_app

from ..infra import mail
from ..young import reading
from . import signals
from .requests import status_link_for

log = logging.getLogger(__name__)


def _seal(data: dict) -> str:
    return current_app.extensions["vault"].encrypt(json.dumps(data).encode()).decode()


def _open(sealed: str) -> dict:
    return json.loads(current_app.extensions["vault"].decrypt(sealed.encode()))


def public_url(endpoint: str, **values) -> str:
    """A link for an e-mail on PUBLIC_BASE_URL (never a request's Host header); works in
    the worker, outside any request."""
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def send_later(to: str, template: str, lang: str, **context) -> None:
    """After the caller's commit: one e-mail (email/<template>.txt) for the worker to send.
    ``context`` holds plain values only (links, a code)."""
    signals.mail_wanted.send(_seal({"to": to, "template": template, "lang": lang, "context": context}))


def deliver(sealed: str) -> None:
    """In the worker: send one e-mail handed over by ``send_later`` (MailError: the job
    is tried again)."""
    data = _open(sealed)
    context = data["context"]
    with reading(bool(context.get("young"))):
        mail.send(data["to"], data["template"], data["lang"], **context)


def status_link_later(reference: str, email: str) -> None:
    """"Send me a status link": the same work whatever was typed (one sealed job)."""
    signals.status_link_wanted.send(_seal({"reference": reference or "", "email": email or ""}))


def deliver_status_links(sealed: str) -> int:
    """In the worker: a single-use status link for the person of this request with this
    confirmed address, if there is one (requests.status_link_for); returns how many
    were sent. A failure is logged by its kind only."""
    data = _open(sealed)
    sent = 0
    for address, token, lang, young in status_link_for(data["reference"], data["email"]):
        try:
            with reading(young):
                mail.send(address, "status_link", lang, link=public_url("public.status_link", token=token), young=young)
            sent += 1
        except mail.MailError:
            log.warning("status link could not be sent")
    return sent
