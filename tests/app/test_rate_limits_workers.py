"""T7 across processes (issue 13, finding 4): with memory:// each gunicorn worker kept
its own count, so the limits multiplied by the number of workers. With Redis the count
is one. Two gunicorn workers on loopback, on the test database, with Redis database 13
(TEST_REDIS_URL to choose another); gunicorn's access log names the worker (its pid)
that served each request, so the test knows both workers answered."""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
CSRF_RE = re.compile(r'name="p-csrf_token"[^>]*value="([^"]+)"|name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


def _get(port: int, path: str, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Connection": "close", **(headers or {})})
        resp = conn.getresponse()
        cookies = [c.split(";", 1)[0] for c in resp.msg.get_all("Set-Cookie") or []]
        return resp.status, "; ".join(c for c in cookies if c.startswith("session=")), resp.read().decode()
    finally:
        conn.close()


def _post(port: int, path: str, body: str, cookie: str, headers: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Connection": "close",
            **(headers or {})})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


@pytest.fixture
def two_workers(app, tmp_path):
    """gunicorn with two workers on a free loopback port, limits in Redis; stopped in a finally."""
    redis_client = _redis()
    require_or_skip(redis_client is not None, f"no Redis at {REDIS_URL}")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    require_or_skip(gunicorn.exists(), "gunicorn is not installed in the virtualenv")
    redis_client.flushdb()
    port = _free_port()
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORTAL_ENV": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "RATELIMIT_ENABLED": "1",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_STATUS": "6 per hour",
        "RATELIMIT_PER_REFERENCE": "8 per hour",
        "RATELIMIT_PER_ADDRESS": "1000 per hour",
        "PROXY_HOPS": "1",  # so the test can speak for other addresses (X-Forwarded-For)
        "HUEY_IMMEDIATE": "1",
        "HUEY_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
        "MAIL_ENABLED": "0",
        "AUDIT_CHECKPOINT_PATH": str(tmp_path / "checkpoints.log"),
    }
    proc = subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--access-logfile", str(access_log),
         "--access-logformat", "%(p)s %(s)s %(U)s", "portal.wsgi:app"],
        cwd=str(tmp_path), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(port, "/volgen")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.2)
        yield port, access_log
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        redis_client.flushdb()


def _login_form(port: int) -> tuple[str, str]:
    _status, cookie, html = _get(port, "/volgen")
    token = next(a or b for a, b in CSRF_RE.findall(html))
    return cookie, token


def _guesses(port: int, reference: str, count: int, *, addresses: list[str] | None = None) -> list[int]:
    cookie, token = _login_form(port)
    body = f"p-csrf_token={token}&p-reference={reference}&p-passphrase=fout+fout+fout"

    def one(i: int) -> int:
        headers = {"X-Forwarded-For": addresses[i]} if addresses else {}
        return _post(port, "/volgen/wachtzin", body, cookie, headers)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, range(count)))


def test_t7_the_passphrase_limit_holds_across_two_gunicorn_workers(two_workers):
    port, access_log = two_workers
    # One address, one reference: 6 per hour, however many workers answer.
    answers = _guesses(port, "VT-AAAA-BBBB-CCCC", 20)
    assert sorted(answers) == [400] * 6 + [429] * 14
    # One reference from 20 addresses: 8 per hour for the reference, whatever the address.
    answers = _guesses(port, "VT-DDDD-EEEE-FFFF", 20, addresses=[f"203.0.113.{i + 1}" for i in range(20)])
    assert sorted(answers) == [400] * 8 + [429] * 12
    time.sleep(0.5)  # gunicorn writes the access log line after the response
    served_by = {line.split()[0] for line in access_log.read_text().splitlines() if "/volgen/wachtzin" in line}
    assert len(served_by) == 2, "both workers must have answered guesses"
