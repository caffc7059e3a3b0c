"""Neutral e-mail: a configurable sender and subject, no personal data, only a link.

Nothing in an e-mail says what the site is about, who the person is, or what they
asked: someone else may read the inbox.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    pass


def send(to: str, template: str, lang: str, **context) -> None:
    """Render email/<template>.txt in the request's language and send it."""
    cfg = current_app.config
    with force_locale(lang):
        body = render_template(f"email/{template}.txt", **context)
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = cfg["MAIL_SUBJECT_EN"] if lang == "en" else cfg["MAIL_SUBJECT"]
    msg["Message-ID"] = make_msgid(domain=cfg["MAIL_SENDER"].rsplit("@", 1)[-1].strip(">") or None)
    msg.set_content(body)
    if not cfg["MAIL_ENABLED"]:
        log.info("mail disabled: %s not sent", template)
        return
    try:
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        # Log the kind of failure only: never the address or the content.
        log.warning("mail %s could not be sent: %s", template, type(exc).__name__)
        raise MailError(template) from exc
