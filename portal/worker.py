"""The job consumer's entry point: ``huey_consumer portal.worker.huey``.

Building the app registers every area's tasks (create_app imports them) and checks the
configuration at start; the queue's jobs then run in this app.
"""
from __future__ import annotations

from . import create_app
from .infra import jobs

app = create_app()
jobs.use_app_factory(lambda: app)
huey = jobs.huey
