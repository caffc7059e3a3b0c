"""After deploy/install.sh, with gunicorn and the job consumer running: the portal is
ready, a request is filed through the real app on PostgreSQL and Redis, and a job runs
on the real consumer through the Redis queue. CI runs this once (.ci/run).

    PORTAL_URL=http://127.0.0.1:8000 python deploy/smoke.py

The request is filed in-process with Flask's test client over https (the production
cookies are Secure and CSRF checks the referrer over https, which a plain-http client on
loopback cannot satisfy); the same database, Redis and mail server as gunicorn. The
job: the heartbeat, enqueued here, run by the consumer, seen on /health/ready.
"""
from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def ready(url: str) -> dict:
    try:
        with urllib.request.urlopen(f"{url}/health/ready", timeout=5) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())
    except OSError:
        return {"status": "no answer"}


def main() -> int:
    url = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
    for _ in range(60):
        state = ready(url)
        if state.get("status") == "ready":
            break
        time.sleep(1)
    else:
        print(f"smoke: the portal is not ready: {state}", file=sys.stderr)
        return 1
    print(f"smoke: ready: {state['checks']}")

    from portal import create_app
    from portal.infra import health
    from portal.infra.extensions import db
    from portal.models import Request
    from tests.app.filing import Filer, Filing

    app = create_app()
    client = app.test_client()
    client.environ_base.update({"HTTP_REFERER": "https://localhost/", "wsgi.url_scheme": "https"})
    client.environ_base["HTTP_HOST"] = "localhost"
    sub = Filer(client).fill(Filing(email=os.environ.get("SMOKE_EMAIL", "smoke@example.org"))).submit()
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=sub.reference)).scalar_one()
        print(f"smoke: request filed, status {req.status}")
        db.session.remove()

    health.heartbeat()  # enqueued on Redis; the consumer runs it
    for _ in range(60):
        state = ready(url)
        if state.get("checks", {}).get("consumer") == "ok":
            print(f"smoke: the consumer ran a job: {state['checks']}")
            return 0
        time.sleep(1)
    print(f"smoke: the consumer did not run the job: {state}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
