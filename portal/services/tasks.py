"""The housekeeping jobs: every e-mail (portal/services/outbox.py, enqueued when a
service or a face announces it after the commit), and the periodic ones: the hourly
purge (portal/services/purge.py, portal/services/status_sessions.py) and the
daily digest (portal/services/queue.py). The queue itself is portal/infra/jobs.py."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from huey import crontab

from ..infra.jobs import CONFIG, app, huey
from . import audit, joint, outbox, purge, signals, status_sessions
from .queue import send_digest

#: The daily digest goes out at this local time (Europe/Amsterdam, summer and winter).
DIGEST_AT = (7, 0)


@huey.task(retries=3, retry_delay=120)
def send_mail(sealed: str):
    """One e-mail, after the commit of whatever caused it (a failure is tried again)."""
    with app().app_context():
        outbox.deliver(sealed)


@huey.task()
def send_status_links(sealed: str):
    """"Send me a status link": look up the pair and mail a link when it matches."""
    with app().app_context():
        outbox.deliver_status_links(sealed)


@signals.mail_wanted.connect
def enqueue_mail(sealed: str, **_) -> None:
    send_mail(sealed)


@signals.status_link_wanted.connect
def enqueue_status_links(sealed: str, **_) -> None:
    send_status_links(sealed)


@huey.periodic_task(crontab(minute="15", hour="*"))
def purge_hourly():
    """Remove unconfirmed requests past their purge date, abandoned drafts and ended
    status sessions; close the wait for a second person whose invitation expired
    (services/joint.py)."""
    with app().app_context():
        purge.purge_unconfirmed()
        purge.purge_drafts()
        status_sessions.purge_expired()
        # A joint request whose invitation expired unused: the starter is told.
        joint.expire_invitations()


@huey.periodic_task(crontab(minute="*/5"))
def audit_checkpoint():
    """A signed checkpoint of the access log's end every 5 minutes, when it moved
    (beside the one every AUDIT_CHECKPOINT_EVERY entries; portal/services/audit.py)."""
    with app().app_context():
        audit.checkpoint(force=True)


def at_digest_time(now: datetime) -> bool:
    """Huey asks this every minute with the time in UTC (Huey's default, utc=True); a
    plain crontab would drift by an hour between summer and winter time."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    local = now.astimezone(ZoneInfo(CONFIG["TIMEZONE"]))
    return (local.hour, local.minute) == DIGEST_AT


@huey.periodic_task(at_digest_time)
def daily_digest():
    """Overdue and nearly due requests, counted per assignee and for the team leaders
    (portal/services/queue.py; `flask digest send` runs the same)."""
    with app().app_context():
        send_digest()
