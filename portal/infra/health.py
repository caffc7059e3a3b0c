"""What the operator's monitoring and the functional administrator see of the running
portal: is the database there, is Redis there (when configured), is the job consumer
alive (its heartbeat) and how far behind is it (queue lag, waiting and failed jobs).

Nothing here reveals personal data or versions: only "ok"/"down", counts and ages in
seconds. Every check has a deadline well under a second, so that the readiness endpoint
answers "not ready" within a second when PostgreSQL or Redis is down (a refused
connection fails at once; an unreachable host is cut off by the deadline).

The heartbeat is a periodic job (``heartbeat``, every minute) that the consumer runs
through the same queue as every other job: it records the minute it was due and the
moment it ran. Its age says whether a consumer runs; the difference says how long a job
waits before a worker takes it (the queue lag). Failed jobs are counted by a Huey
signal handler, with the task's name and the time, never its arguments.
"""
from __future__ import annotations

import concurrent.futures
import time
from dataclasses import dataclass

from huey import crontab
from huey.signals import SIGNAL_ERROR

from .jobs import CONFIG, huey

#: Each check's deadline in seconds; all run at the same time.
CHECK_TIMEOUT = 0.6
#: The heartbeat runs every minute; older than this, the consumer counts as stopped.
HEARTBEAT_STALE_AFTER = 180
HEARTBEAT_KEY = "portal:heartbeat"
FAILURES_KEY = "portal:failures"
_pool = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="health")


@huey.periodic_task(crontab(minute="*"))
def heartbeat():
    """The consumer is alive: the minute this run was due, and when it ran."""
    now = time.time()
    huey.put(HEARTBEAT_KEY, {"due": now - (now % 60), "ran": now})


@huey.signal(SIGNAL_ERROR)
def _count_failure(signal, task, exc=None):
    state = huey.get(FAILURES_KEY, peek=True) or {"count": 0}
    state = {"count": int(state.get("count", 0)) + 1, "last_at": time.time(), "last_task": task.name}
    huey.put(FAILURES_KEY, state)


@dataclass(frozen=True)
class QueueState:
    waiting: int | None  # jobs enqueued and not yet taken (None: the queue cannot be read)
    scheduled: int | None  # jobs planned for later (retries, delays)
    failed: int  # jobs that failed since the counter was last reset
    last_failure_at: float | None
    last_failed_task: str | None
    heartbeat_at: float | None  # when the heartbeat job last ran
    lag_seconds: float | None  # how long that job waited for a worker

    @property
    def consumer(self) -> str:
        """"ok", "stale" (no heartbeat for a while) or "never" (none recorded)."""
        if self.heartbeat_at is None:
            return "never"
        return "ok" if time.time() - self.heartbeat_at <= HEARTBEAT_STALE_AFTER else "stale"


def _queue_state() -> QueueState:
    beat = huey.get(HEARTBEAT_KEY, peek=True) or {}
    failures = huey.get(FAILURES_KEY, peek=True) or {}
    return QueueState(huey.pending_count(), huey.scheduled_count(), int(failures.get("count", 0)),
                      failures.get("last_at"), failures.get("last_task"), beat.get("ran"),
                      max(0.0, beat["ran"] - beat["due"]) if "ran" in beat and "due" in beat else None)


def queue_state(timeout: float = CHECK_TIMEOUT) -> QueueState:
    """The queue as the functional administrator sees it; unreadable within ``timeout``:
    everything unknown."""
    try:
        return _pool.submit(_queue_state).result(timeout=timeout)
    except Exception:
        return QueueState(None, None, 0, None, None, None, None)


def _database_ok(url: str) -> bool:
    """A fresh connection each time (not the pool's, which may hold a dead one), with a
    connect timeout, and one trivial query."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    args = {"connect_timeout": 2} if url.startswith("postgresql") else {}
    engine = create_engine(url, poolclass=NullPool, connect_args=args)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return True
    finally:
        engine.dispose()


def _redis_urls(app) -> list[str]:
    urls = [app.config.get("RATELIMIT_STORAGE_URI") or "", CONFIG.get("HUEY_REDIS_URL") or ""]
    return sorted({u for u in urls if u.startswith(("redis://", "rediss://"))})


def _redis_ok(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT)
    try:
        return bool(client.ping())
    finally:
        client.close()


def readiness(app) -> tuple[bool, dict]:
    """(ready, checks): ready when the database and every configured Redis answer within
    the deadline. The consumer's heartbeat and the queue are reported beside them (a
    stopped consumer does not take the web servers out of service; the monitoring
    alerts on ``consumer`` not being "ok")."""
    jobs = {"database": _pool.submit(_database_ok, app.config["SQLALCHEMY_DATABASE_URI"])}
    for n, url in enumerate(_redis_urls(app)):
        jobs[f"redis{n or ''}"] = _pool.submit(_redis_ok, url)
    deadline = time.monotonic() + CHECK_TIMEOUT
    checks: dict = {}
    for name, fut in jobs.items():
        try:
            checks[name] = "ok" if fut.result(timeout=max(0.0, deadline - time.monotonic())) else "down"
        except Exception:
            checks[name] = "down"
    ready = all(v == "ok" for v in checks.values())
    q = queue_state(timeout=max(0.05, deadline - time.monotonic()))
    checks["consumer"] = q.consumer
    checks["queue_waiting"] = q.waiting
    checks["queue_lag_seconds"] = None if q.lag_seconds is None else round(q.lag_seconds)
    checks["jobs_failed"] = q.failed
    return ready, checks
