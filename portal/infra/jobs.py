"""The job queue (Huey): an embedded SQLite queue by default, Redis when configured.

Only the queue lives here. Each area keeps the tasks that call its own service
(``portal/services/tasks.py`` for the hourly purge and the daily digest,
``portal/services/copies/tasks.py`` for the copy's detector and renderer); a service
never enqueues: it sends a signal after its commit (``portal/services/signals.py``) and
the area's tasks module enqueues. The consumer starts from ``portal/worker.py``
(``huey_consumer portal.worker.huey``), which gives the queue its app; `make run`
starts one beside the web server, so the demo does what a deployment does.
"""
from __future__ import annotations

import os
from collections.abc import Callable

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey

from .. import config as config_module

CONFIG = config_module.load()
if CONFIG["HUEY_REDIS_URL"]:
    huey = RedisHuey("vt-portal", url=CONFIG["HUEY_REDIS_URL"], immediate=CONFIG["HUEY_IMMEDIATE"])
else:
    os.makedirs(os.path.dirname(CONFIG["HUEY_SQLITE_PATH"]), exist_ok=True)
    huey = SqliteHuey("vt-portal", filename=CONFIG["HUEY_SQLITE_PATH"], immediate=CONFIG["HUEY_IMMEDIATE"])

_factory: Callable[[], Flask] | None = None
_app: Flask | None = None


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """The consumer's app is built by ``factory`` on the first job (portal/worker.py)."""
    global _factory
    _factory = factory


def app() -> Flask:
    """The app for a job: the caller's where there is one (immediate mode, tests),
    else the one the worker's factory builds."""
    if has_app_context():
        return current_app._get_current_object()
    global _app
    if _app is None:
        if _factory is None:
            raise RuntimeError("no app for this job: start the consumer as `huey_consumer portal.worker.huey`")
        _app = _factory()
    return _app
