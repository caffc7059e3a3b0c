"""The copy's background jobs: the free-text detector's pass over a new copy and the
rendering of its PDF, enqueued when the copy's services say so after their commit
(portal/services/signals.py). Here, not in a web worker: the ``deduce`` detector needs
about 1 GB and a cache build, and a 1,000-page copy takes minutes to render."""
from __future__ import annotations

from ...infra.jobs import app, huey
from .. import signals
from .link import fill_copy, run_detection
from .rendering import run_render


@huey.task()
def detect_in_copy(copy_id: int):
    """A new copy: its entries and redactions first where the web request left them to
    the queue (``link.fill_copy``, a big dossier), then the free-text detector's pass
    (``link.run_detection``)."""
    with app().app_context():
        fill_copy(copy_id)
        run_detection(copy_id)


@huey.task()
def render_copy(copy_id: int, version: int):
    """Render a copy's PDF at ``version`` with progress (``rendering.run_render``)."""
    with app().app_context():
        run_render(copy_id, version)


@signals.copy_created.connect
def enqueue_detection(copy_id: int, **_) -> None:
    detect_in_copy(copy_id)


@signals.copy_texts_changed.connect
def enqueue_detection_again(copy_id: int, **_) -> None:
    detect_in_copy(copy_id)  # adds only what no redaction covers yet (``link.run_detection``)


@signals.copy_render_wanted.connect
def enqueue_render(copy_id: int, *, version: int, **_) -> None:
    render_copy(copy_id, version)
