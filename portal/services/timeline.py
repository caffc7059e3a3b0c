"""The timeline of a request: record an event, move its status (rules/status.py says
which moves are allowed), and know which day it is in VT's time zone.

A leaf of the service layer: it depends only on the models and the rules, so every
service can use it without importing another. The caller commits, and writes the
access-log entry for what it did (services/audit.py) with the same change.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from ..models import Request, RequestEvent, utcnow
from ..rules.status import RequestStatus, check_move


def today_local() -> date:
    """Today in VT's time zone (TIMEZONE): the day a request is received or answered."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def event(req: Request, kind: str, actor: str, public: bool = True) -> None:
    """Add an event to the request's timeline; ``public`` events show on the status page."""
    req.events.append(RequestEvent(kind=kind, actor=actor, public=public, at=utcnow()))


def move(req: Request, target: RequestStatus, actor: str) -> None:
    """Move the request to ``target`` (IllegalMove when the rules forbid it), with its event."""
    check_move(req.status_enum, target)
    req.status = target.value
    event(req, f"status:{target.value}", actor)
