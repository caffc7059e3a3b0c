"""The ``deduce`` package as a second detector for the free-text redaction pass (art.
14.2 Privacyreglement Veilig Thuis: third parties' identifiers the dossier does not
list). ``portal.rules.detection`` holds our own recognisers and the ``Detection`` type;
this adapter turns deduce's annotations into the same type (``detector="deduce"``).

RUN ONLY IN THE BACKGROUND WORKER, never in a web worker:
- The first ``Deduce()`` on a machine builds a lookup cache (a pickle of about 80 MB in
  deduce's package folder, ``deduce/data/lookup/cache``): about 2.5 minutes of one
  core and about 1.2 GB of memory. Every later process still loads that cache: about
  10 s and about 1.1 GB resident per process. A web worker would stall a request for
  that long and hold that memory in every worker process.
- Build the cache once at deploy time or when the worker starts (``warm_up()``), with
  write access to deduce's package folder (or pass ``cache_path``).

Logging: ``deduce`` calls ``logging.basicConfig(stream=sys.stdout, level=DEBUG)`` when
it is imported. If the root logger has no handler yet, that would send every library's
debug records to stdout from then on. The import below is done with a temporary
handler on the root logger, so that call does nothing, and deduce's loggers are set to
WARNING. Configure the worker's own logging before the first detection anyway.

Privacy: we never pass ``metadata`` (no ``patient``): deduce would then tag the
subject's name as ``patient`` and, by surname, family members with the same surname
as the subject too, which is wrong for a copy where the family members are third
parties. Without metadata every person is ``persoon`` and the caller decides whose
name it is. Text goes only to the in-process library: nothing is logged or sent.
"""
from __future__ import annotations

import importlib.util
import logging
import re
import threading
from pathlib import Path
from typing import Any

from portal.rules.detection import (
    ADDRESS,
    AGE,
    BSN,
    DATE,
    DEDUCE,
    EMAIL,
    ID_NUMBER,
    INSTITUTION,
    NAME,
    PHONE,
    POSTCODE,
    URL,
    Detection,
)

#: deduce's tags (after its own tag clean-up) to our kinds. A tag not listed keeps its
#: own name as kind, so that nothing deduce finds is dropped.
TAG_KINDS = {
    "persoon": NAME,
    "patient": NAME,
    "locatie": ADDRESS,
    "straat": ADDRESS,
    "instelling": INSTITUTION,
    "ziekenhuis": INSTITUTION,
    "zorginstelling": INSTITUTION,
    "datum": DATE,
    "leeftijd": AGE,
    "telefoonnummer": PHONE,
    "bsn": BSN,
    "email": EMAIL,
    "emailadres": EMAIL,
    "url": URL,
    "id": ID_NUMBER,
}
_POSTCODE = re.compile(r"\s*[1-9]\d{3}\s?[A-Za-z]{2}\s*")
_LOGGERS = ("deduce", "docdeid")

_lock = threading.Lock()
_instance: Any = None


def deduce_available() -> bool:
    """Whether the ``deduce`` package is installed (checked without importing it:
    importing deduce is slow and touches logging)."""
    try:
        return importlib.util.find_spec("deduce") is not None
    except (ImportError, ValueError):
        return False


def _import_deduce():
    """Import deduce without letting its ``logging.basicConfig`` take over the root
    logger (see the module docstring)."""
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    guard = None
    if not root.handlers:
        guard = logging.NullHandler()
        root.addHandler(guard)  # makes basicConfig a no-op
    try:
        import deduce  # noqa: PLC0415 - lazy on purpose
    finally:
        if guard is not None:
            root.removeHandler(guard)
    return deduce


def get_deduce(cache_path: str | Path | None = None):
    """The one ``Deduce`` instance of this process, built on first use (the slow part:
    the cache build on a fresh machine, the cache load in every new process).
    Background worker only."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                deduce = _import_deduce()
                kwargs = {"cache_path": Path(cache_path)} if cache_path is not None else {}
                _instance = deduce.Deduce(**kwargs)
    return _instance


def warm_up(cache_path: str | Path | None = None) -> None:
    """Build (or load) deduce's lookup cache now, e.g. when the worker starts."""
    get_deduce(cache_path)


def _kind(tag: str, text: str) -> str:
    base = tag.split("+")[0] if "+" in tag else tag
    kind = TAG_KINDS.get(tag) or TAG_KINDS.get(base) or tag
    if kind == ADDRESS and _POSTCODE.fullmatch(text):
        return POSTCODE
    return kind


def detect_with_deduce(text: str) -> list[Detection]:
    """deduce's annotations on ``text`` as ``Detection``s (detector "deduce"), sorted.
    No metadata, so no ``patient``. Background worker only (see the module docstring).
    Raises ImportError when deduce is not installed (check ``deduce_available()``)."""
    if not text.strip():
        return []
    doc = get_deduce().deidentify(text)
    found = {
        Detection(a.start_char, a.end_char, _kind(a.tag, a.text), DEDUCE)
        for a in doc.annotations
        if a.end_char > a.start_char
    }
    return sorted(found, key=lambda d: (d.start, -d.end, d.kind))


def detect_all(text: str) -> list[Detection]:
    """Our rules plus deduce when it is installed, sorted (background worker only)."""
    from portal.rules.detection import detect

    found = detect(text)
    if deduce_available():
        found += detect_with_deduce(text)
    return sorted(found, key=lambda d: (d.start, -d.end, d.kind, d.detector))
