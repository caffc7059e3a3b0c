"""Who may be told that something changed, and how: a neutral e-mail notice
(templates/email/news.txt) with a link to the status login page, never a name, a
reference or what was asked (threat model T3). Each notice is handed to the job queue
(portal/services/outbox.py) after the commit; the worker sends it.

Only the people who can read the status page (the requester and the second person of a
joint request), and only at a confirmed address that they said is safe to use. Notices
go out after the commit; a failure is logged by the worker by its kind, never with the
address, and tried again.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from ..models import Party, Request
from . import left_out, outbox
from .requests import reads_as_young

@dataclass(frozen=True)
class Notified:
    """How many neutral e-mail notices were handed to the job queue (``sent``); the
    worker sends them, so ``failed`` is always 0 here (kept for the callers' reports)."""

    sent: int
    failed: int


def status_login_url() -> str:
    """The public status login page on PUBLIC_BASE_URL (never the Host header)."""
    path = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/").build(
        "public.status_login")
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def addressable(req: Request) -> list[Party]:
    """The people who can read the status page: the requester and the second person,
    not a parent whom the invited child kept out (art. 20.4, services/left_out.py)."""
    return [p for p in req.parties if p.role in (Party.REQUESTER, Party.CO_REQUESTER)
            and left_out.since(req, p.id) is None]


def readers_are_young(req: Request) -> bool:
    """A letter or a copy of this request says "je" only when everyone who reads it on
    the status page is a young person about their own request: a young requester of 16
    or 17, or the invited child who kept the parent out (art. 20.4). With an adult among
    its readers (a joint request, art. 20.1: one letter for both) it says "u"."""
    people = addressable(req)
    return bool(people) and all(reads_as_young(p) for p in people)


class Address(str):
    """An e-mail address that knows whether a young person reads it (the notice then
    says "je"). A plain ``str`` everywhere else."""

    young: bool = False

    def __new__(cls, value: str, young: bool = False):
        obj = super().__new__(cls, value)
        obj.young = young
        return obj


def safe_addresses(parties: list[Party]) -> list[str]:
    """The confirmed addresses of these people that they said are safe to use."""
    return [Address(p.email, reads_as_young(p)) for p in parties
            if p.email and p.email_ok and p.email_confirmed_at is not None]


def addresses(req: Request) -> list[str]:
    """Whoever can read the status page and has a confirmed address that is safe to use."""
    return safe_addresses(addressable(req))


def send(to: list[str], lang: str) -> Notified:
    """After the commit: the neutral notice to each address, through the job queue."""
    link = status_login_url() if to else ""
    for address in to:
        outbox.send_later(str(address), "news", lang, link=link, young=bool(getattr(address, "young", False)))
    return Notified(len(to), 0)
