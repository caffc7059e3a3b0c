"""Background jobs (Huey): an embedded SQLite queue by default, Redis when configured.

`make run` starts a consumer beside the web server, so the demo does what a
deployment does. Jobs build their own app context.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from huey import RedisHuey, SqliteHuey, crontab

from .. import config as config_module

_cfg = config_module.load()
if _cfg["HUEY_REDIS_URL"]:
    huey = RedisHuey("vt-portal", url=_cfg["HUEY_REDIS_URL"], immediate=_cfg["HUEY_IMMEDIATE"])
else:
    os.makedirs(os.path.dirname(_cfg["HUEY_SQLITE_PATH"]), exist_ok=True)
    huey = SqliteHuey("vt-portal", filename=_cfg["HUEY_SQLITE_PATH"], immediate=_cfg["HUEY_IMMEDIATE"])

_app = None


def app():
    """The app for a job: the caller's where there is one (immediate mode, tests),
    else one built from the environment (the consumer)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app._get_current_object()
    global _app
    if _app is None:
        from .. import create_app

        _app = create_app()
    return _app


@huey.periodic_task(crontab(minute="15", hour="*"))
def purge_hourly():
    """Remove unconfirmed requests past their purge date and abandoned drafts."""
    from ..services import purge

    with app().app_context():
        purge.purge_unconfirmed()
        purge.purge_drafts()


#: The daily digest goes out at this local time (Europe/Amsterdam, summer and winter).
DIGEST_AT = (7, 0)


def at_digest_time(now: datetime) -> bool:
    """Huey asks this every minute with the time in UTC (Huey's default, utc=True); a
    plain crontab would drift by an hour between summer and winter time."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    local = now.astimezone(ZoneInfo(_cfg["TIMEZONE"]))
    return (local.hour, local.minute) == DIGEST_AT


@huey.periodic_task(at_digest_time)
def daily_digest():
    """Overdue and nearly due requests, counted per assignee and for the team leaders
    (portal/services/queue.py; `flask digest send` runs the same)."""
    from ..services.queue import send_digest

    with app().app_context():
        send_digest()


@huey.task()
def detect_in_copy(copy_id: int):
    """The free-text detector pass over a new copy (portal/services/copies.py). Here, not
    in a web worker: the ``deduce`` detector needs about 1 GB and a cache build."""
    from ..services import copies

    with app().app_context():
        copies.run_detection(copy_id)


@huey.task()
def render_copy(copy_id: int, version: int):
    """Render a copy's PDF with progress (portal/services/copies.py): a 1,000-page copy
    takes minutes and must not meet a web timeout."""
    from ..services import copies

    with app().app_context():
        copies.run_render(copy_id, version)
