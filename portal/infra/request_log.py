"""One JSON line per request on the logger ``portal.request`` (standard error under
gunicorn): when, the method, the route's pattern (``/volgen/<reference>``, never the
path itself, which can hold a reference or a token), the endpoint, the status, the time
taken, and a random id that is also sent back as ``X-Request-Id`` so that a person's
"something went wrong" can be found. Never the query string, the body, a cookie, an IP
address or a header: any of them can hold personal data or a secret."""
from __future__ import annotations

import json
import logging
import secrets
import sys
import time
from datetime import datetime, timezone

from flask import Flask, g, request

log = logging.getLogger("portal.request")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: the record's ``fields`` and its level and time."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "event": record.getMessage()}
        out.update(getattr(record, "fields", {}))
        return json.dumps(out, ensure_ascii=False, sort_keys=True)


def install(app: Flask) -> None:
    if not any(getattr(h, "_portal_json", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._portal_json = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # one line, in one format, on standard error

    @app.before_request
    def _start():
        g.request_started = time.perf_counter()
        g.request_id = secrets.token_hex(8)

    @app.after_request
    def _log(resp):
        started = getattr(g, "request_started", None)
        rule = request.url_rule.rule if request.url_rule is not None else None
        fields = {
            "method": request.method,
            "route": rule or "(no route)",
            "endpoint": request.endpoint or "",
            "status": resp.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
            "request_id": getattr(g, "request_id", None),
        }
        if fields["request_id"]:
            resp.headers["X-Request-Id"] = fields["request_id"]
        if request.endpoint != "static":
            log.info("request", extra={"fields": fields})
        return resp
