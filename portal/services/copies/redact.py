"""Redaction as the copy applies it (art. 14.2): overlapping spans merged, the free-text
detector's hits that are not the person's own, and text cut into plain runs and labels
(``segments``) so that the characters behind a redaction never reach the HTML."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from flask import current_app
from ...documents.copy_document import Segment
from ...models import CopyRedaction
from ...rules import redaction as R
from ...rules.selection import Person


def merged(spans: Sequence[R.Span]) -> list[R.Span]:
    """Overlapping spans as one, keeping the weightiest ground (and its person)."""
    out: list[R.Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and s.start <= out[-1].end:
            last = out[-1]
            heavier = R.PRIORITY[s.ground] > R.PRIORITY[last.ground]
            keep = s if heavier else last
            out[-1] = R.Span(last.start, max(last.end, s.end), keep.person_id, keep.kind, keep.ground)
        else:
            out.append(s)
    return out


def _detections(text: str, *, deduce: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, kind) found by the free-text detector(s); [] where none is present.
    ``deduce=False``: our own rules only (where the text is redacted while a page is
    shown: deduce takes 10-20 s and 1.1 GB to load, and runs in the consumer only)."""
    found: list[tuple[int, int, str]] = []
    try:
        from ...rules import detection
    except ImportError:  # pragma: no cover - the module ships with the portal
        return found
    found += [(d.start, d.end, d.kind) for d in detection.detect(text)]
    if deduce and current_app and current_app.config.get("DETECTOR_DEDUCE"):
        try:
            from ...documents import detection_deduce
        except ImportError:  # pragma: no cover
            detection_deduce = None
        if detection_deduce is not None and detection_deduce.deduce_available():
            found += [(d.start, d.end, d.kind) for d in detection_deduce.detect_with_deduce(text)]
    return found


def detector_spans(text: str, persons: Sequence[Person], copy_for: str, known: Sequence[R.Span], *,
                   deduce: bool = True) -> list[R.Span]:
    """Detector hits that are not the copy's own person's identifiers and not already
    covered by a known redaction (ground: privacy of a third party)."""
    subject = [p for p in persons if p.id == copy_for]
    own = R.find_known_identifiers(text, subject, copy_for=None) if subject else []
    # The detector reads the text without the person's own identifiers (issue 12): else a
    # hit that runs on into them ("school Sem", "Huisbezoek Kerkstraat 12") takes them
    # too. Of names only those that name them and no one else: a family name they share
    # stays for the detector to see whose it is ("Wim de Jong" in Milan de Jong's copy).
    mask = [s for s in own if s.kind != R.NAME]
    if subject:
        mask += R.find_subject_identifiers(text, subject[0], [p for p in persons if p.id != copy_for])
    out = []
    for start, end, kind in _detections(R.masked(text, mask), deduce=deduce):
        if any(o.start <= start and end <= o.end for o in own):
            continue  # the person's own name, address, ...: theirs to see
        if any(k.start <= start and end <= k.end for k in known):
            continue
        out.append(R.Span(start, end, "", kind, R.THIRD_PARTY))
    return out


# --- applying redactions ---------------------------------------------------------------------

def segments(text: str, spans: Iterable[tuple[int, int, str]], lang: str = "nl") -> tuple[Segment, ...]:
    """``text`` cut into plain runs and labels; (start, end, ground) spans in force,
    merged as ``rules.redaction.merge`` merges them (the weightiest ground wins). The
    redacted characters are not in the result."""
    out: list[Segment] = []
    pos = 0
    for start, end, ground in R.merge(R.Span(a, b, "", "", g) for a, b, g in spans):
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(R.LABELS[ground], redacted=True))
        pos = max(pos, end)
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return tuple(out)


def in_force(redactions: Iterable) -> list:
    return [r for r in redactions if getattr(r, "state", CopyRedaction.APPLIED) != CopyRedaction.LIFTED]
