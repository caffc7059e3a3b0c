"""Issue 10, "words, not codes": every timeline event the services record has words for
staff (backoffice/queue.py) and, when the requester sees it, for the requester
(portal/labels.py); every status, delivery choice and refuted-or-not answer too. Read
from the source, so a new event without words fails here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from backoffice import queue as bo
from portal import labels
from portal.rules.status import RequestStatus

ROOT = Path(__file__).resolve().parents[2]
EVENT = re.compile(r'timeline\.event\(\s*req,\s*"([a-z0-9_]+)"[^)]*\)')


def _events() -> list[tuple[str, bool]]:
    out = []
    for path in (ROOT / "portal" / "services").rglob("*.py"):
        for m in EVENT.finditer(path.read_text()):
            out.append((m.group(1), "public=False" not in m.group(0)))
    return sorted(set(out))


def test_every_literal_event_has_staff_words():
    events = _events()
    assert len(events) > 20
    missing = [kind for kind, _public in events if kind not in bo.EVENT_NAMES]
    assert missing == []


def test_every_public_event_has_requester_words():
    missing = [kind for kind, public in _events() if public and kind not in labels.EVENT_NAMES]
    assert missing == []


@pytest.mark.parametrize("kind", ["identity_check:verified", "representation_check:rejected",
                                  "art20_4:continue_without_parent", "right_answered:afschrift",
                                  "destruction_executed", "erasure_confirmed"])
def test_events_with_a_value_are_words_for_staff(app, kind):
    with app.test_request_context("/"):
        text = bo.event_name(kind)
        assert text and text != kind and "_" not in text


def test_every_status_and_detail_value_in_words(app):
    for status in RequestStatus:
        assert status.value in labels.STATUS_NAMES and status.value in bo.STATUS_NAMES
    with app.test_request_context("/"):
        assert bo.detail_value("delivery", "download") == "Veilig downloaden via de statuspagina"
        assert bo.detail_value("refuted", "no") == "Nee"
        assert labels.event_label("right_answered:inzage") == "Beantwoord: Inzage"
