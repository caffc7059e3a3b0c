"""Background jobs (Huey): an embedded SQLite queue by default, Redis when configured.

`make run` starts a consumer beside the web server, so the demo does what a
deployment does. Jobs build their own app context.
"""
from __future__ import annotations

import os

from huey import RedisHuey, SqliteHuey, crontab

from . import config as config_module

_cfg = config_module.load()
if _cfg["HUEY_REDIS_URL"]:
    huey = RedisHuey("vt-portal", url=_cfg["HUEY_REDIS_URL"], immediate=_cfg["HUEY_IMMEDIATE"])
else:
    os.makedirs(os.path.dirname(_cfg["HUEY_SQLITE_PATH"]), exist_ok=True)
    huey = SqliteHuey("vt-portal", filename=_cfg["HUEY_SQLITE_PATH"], immediate=_cfg["HUEY_IMMEDIATE"])

_app = None


def app():
    global _app
    if _app is None:
        from . import create_app

        _app = create_app()
    return _app


@huey.periodic_task(crontab(minute="15", hour="*"))
def purge_hourly():
    """Remove unconfirmed requests past their purge date and abandoned drafts."""
    from .services import purge

    with app().app_context():
        purge.purge_unconfirmed()
        purge.purge_drafts()
