"""Liveness and readiness for the operator's monitoring and the load balancer
(portal/infra/health.py does the checks): JSON, no personal data, no versions, no
cookies, not rate limited, and outside the public blueprint (no language, no session)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from ..infra import health
from ..infra.extensions import limiter

bp = Blueprint("health", __name__)


@bp.route("/health/live")
@limiter.exempt
def live():
    """The process answers."""
    return jsonify(status="alive")


@bp.route("/health/ready")
@limiter.exempt
def ready():
    """200 "ready" when the database and every configured Redis answer; 503 "not ready"
    within a second otherwise. The consumer's heartbeat, the queue lag and the failed
    jobs are reported beside them."""
    ok, checks = health.readiness(current_app)
    resp = jsonify(status="ready" if ok else "not ready", checks=checks)
    resp.status_code = 200 if ok else 503
    return resp
