"""Benchmark: the back-office queue's first page with 100,000 requests, on SQLite and
PostgreSQL, against the bare SQL SELECT for the same page measured in the same run.

    .venv/bin/python benchmarks/queue.py [--requests 100000] [--rounds 40]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-postgres]

For each database:

1. A fresh, throw-away database: SQLite in a temporary file; PostgreSQL in a new schema
   (``bench_queue_<random>``) in the given database, dropped at the end, also on errors.
   The schema is made by the Alembic migrations (`flask db upgrade`), so the indexes
   are the ones the portal really has.
2. Bulk insert (SQLAlchemy Core executemany, explicit ids, no ORM): N requests, with a
   requester and (for a third) a separate subject, one or two rights each, about 1% with
   a proposed decision, 20 staff. A realistic mix: 30% open (received, in progress,
   waiting for the requester), 5% before the queue, 65% decided, closed or withdrawn;
   received over the last three years. Then ANALYZE, as a database in use would have
   statistics.
3. Timed, interleaved round by round so that both see the same machine state:
   * ``bare SQL``: the page's SELECT, hand-written (request, its subject, its assignee,
     open requests sorted by due date, LIMIT 50), run on a raw connection, fetched.
   * ``service``: portal.services.queue.queue_page for a caseworker: the page query, the
     rights and proposals of the page's 50 ids, the pager count, the counts at the top,
     the permission check and the access-log entry (a write and a commit), as the view
     calls it.
   * ``test client``: GET /backoffice/werkvoorraad through Flask's test client, logged in
     as a caseworker: the above plus login checks, the form, and the template.
   Reported: ms p50 and p95, and each as a ratio to the bare SQL p50/p95.

Nothing is asserted about timings. Bounded: each measurement stops after --rounds
rounds or --seconds seconds, whichever comes first; the insert is chunked. Results go to
stdout and to benchmarks/results/queue-latest.json (ignored by git).
"""
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file's name
# would hide the standard library's `queue` (which psycopg and others import).
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import secrets  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"

# Quiet and self-contained: no mail, no rate limits, a private Huey file.
os.environ.setdefault("MAIL_ENABLED", "0")
os.environ.setdefault("HUEY_SQLITE_PATH", str(Path(tempfile.gettempdir()) / f"bench-queue-huey-{os.getpid()}.sqlite3"))

BARE_SQL = """
SELECT r.id, r.reference, r.status, r.received_on, r.earliest_due_on, r.assignee_id, r.art20_4_review,
       r.possible_duplicate_of, p.given_names, p.surname, s.display_name
FROM request AS r
LEFT OUTER JOIN party AS p ON p.request_id = r.id AND p.is_subject = TRUE
LEFT OUTER JOIN staff AS s ON s.id = r.assignee_id
WHERE r.status IN ('received', 'in_progress', 'waiting_for_requester')
ORDER BY r.earliest_due_on, r.id
LIMIT 50 OFFSET 0
"""

GIVEN = ["Sanne", "Noor", "Pieter", "Fatima", "Mila", "Daan", "Zoë", "Kees", "Anouk", "Mohammed", "Lotte", "Sem"]
SURNAMES = ["de Vries", "Jansen", "Bakker", "El Amrani", "Visser", "Smit", "Öztürk", "Meijer", "de Boer", "Mulder"]
RIGHTS = ["inzage", "afschrift", "correctie", "eigen_verklaring", "vernietiging", "gegevenswissing"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- the data ------------------------------------------------------------------------------

def fill(app, n: int, seed: int = 7) -> dict:
    """Bulk-insert n requests with their parties, rights, staff and some proposals."""
    from portal.infra.extensions import db
    from portal.models import Decision, Party, Request, RequestedRight, Staff, utcnow
    from portal.rules import deadlines
    from portal.rules.rights import Right
    from portal.services.requests import CLOCK_RULE, today_local

    rng = random.Random(seed)
    t0 = time.perf_counter()
    with app.app_context():
        today = today_local()
        now = utcnow()
        staff_rows = [dict(id=i, username=f"bench-{i}", display_name=f"Medewerker {i}",
                           role="team_leader" if i <= 3 else "caseworker", active=True, password_hash="x",
                           password_changed_at=now, failed_logins=0, session_epoch=0,
                           confidentiality_recorded_at=now, created_at=now)
                      for i in range(1, 21)]
        with db.engine.begin() as conn:
            conn.execute(Staff.__table__.insert(), [{k: v for k, v in r.items()} for r in staff_rows])
        due_cache: dict[tuple[str, date], date] = {}

        def due(right: str, received: date) -> date:
            key = (right, received)
            if key not in due_cache:
                due_cache[key] = deadlines.due_date(Right(right), received)
            return due_cache[key]

        statuses = (["received"] * 10 + ["in_progress"] * 15 + ["waiting_for_requester"] * 5
                    + ["awaiting_email"] * 4 + ["awaiting_co_requester"] * 1
                    + ["decided"] * 10 + ["closed"] * 50 + ["withdrawn"] * 5)
        party_id = right_id = decision_id = 0
        chunk = 5000
        counts = {"requests": 0, "parties": 0, "rights": 0, "decisions": 0}
        for start in range(1, n + 1, chunk):
            requests, parties, rights, decisions = [], [], [], []
            for rid in range(start, min(start + chunk, n + 1)):
                status = rng.choice(statuses)
                # Finished requests are older; open ones were received in the last two months.
                back = rng.randint(0, 60) if status in ("received", "in_progress", "waiting_for_requester",
                                                        "awaiting_email", "awaiting_co_requester") else rng.randint(30, 1095)
                received = today - timedelta(days=back)
                chosen = rng.sample(RIGHTS, rng.choice((1, 1, 1, 2)))
                dues = [due(r, received) for r in chosen]
                requests.append(dict(
                    id=rid, reference=f"VT-{rid:012d}", created_at=now, received_on=received,
                    clock_started_on=received, clock_rule=CLOCK_RULE, language="nl", status=status,
                    for_whom="self", joint=False, art20_4_review=rng.random() < 0.002,
                    assignee_id=rng.randint(1, 20) if status not in ("received", "awaiting_email", "awaiting_co_requester") else None,
                    earliest_due_on=min(dues),
                ))
                self_request = rng.random() < 0.67
                party_id += 1
                parties.append(dict(id=party_id, request_id=rid, role="requester", is_subject=self_request,
                                    given_names=rng.choice(GIVEN), surname=rng.choice(SURNAMES),
                                    birth_date=date(1960, 1, 1) + timedelta(days=rng.randint(0, 15000)),
                                    email_ok=False, phone_ok=False, voicemail_ok=False, post_ok=False,
                                    identity_method="in_person"))
                if not self_request:
                    party_id += 1
                    parties.append(dict(id=party_id, request_id=rid, role="subject", is_subject=True,
                                        given_names=rng.choice(GIVEN), surname=rng.choice(SURNAMES),
                                        birth_date=date(2010, 1, 1) + timedelta(days=rng.randint(0, 4000)),
                                        email_ok=False, phone_ok=False, voicemail_ok=False, post_ok=False,
                                        identity_method=None))
                for right, d in zip(chosen, dues):
                    right_id += 1
                    rights.append(dict(id=right_id, request_id=rid, right=right, details_json="{}", due_on=d))
                if status in ("in_progress", "waiting_for_requester") and rng.random() < 0.04:
                    decision_id += 1
                    decisions.append(dict(id=decision_id, request_id=rid, right=chosen[0], outcome="refuse",
                                          grounds_json="[]", state=Decision.PROPOSED, proposed_at=now))
            with db.engine.begin() as conn:
                conn.execute(Request.__table__.insert(), requests)
                conn.execute(Party.__table__.insert(), parties)
                conn.execute(RequestedRight.__table__.insert(), rights)
                if decisions:
                    conn.execute(Decision.__table__.insert(), decisions)
            counts["requests"] += len(requests)
            counts["parties"] += len(parties)
            counts["rights"] += len(rights)
            counts["decisions"] += len(decisions)
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                # Ids were given explicitly: move the sequences on, or the next insert collides.
                for table in ("staff", "request", "party", "requested_right", "decision"):
                    conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                         f"(SELECT coalesce(max(id), 1) FROM {table}))")
        if db.engine.dialect.name == "postgresql":
            # VACUUM cannot run in a transaction; it also sets the visibility map (index-only
            # scans), as autovacuum would on a database in use.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        db.session.remove()
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    return counts


# --- the measurements ---------------------------------------------------------------------

def measure(app, rounds: int, seconds: float, warmup: int) -> dict:
    from flask_login.utils import _create_identifier

    from portal.infra.extensions import db
    from portal.models import Staff
    from portal.services import queue as q
    from portal.services.authz import Actor

    with app.app_context():
        staff = db.session.get(Staff, 5)
        actor = Actor.of(staff, second_factor=True)
        epoch = staff.session_epoch
        db.session.remove()

    client = app.test_client()
    # The identifier Flask-Login's strong session protection expects for this client.
    with app.test_request_context("/", environ_base=client.environ_base or {}):
        ident = _create_identifier()

    def login():
        with client.session_transaction() as s:
            s.update({"_id": ident, "_user_id": f"5:{epoch}", "_fresh": True, "bo_2fa": True,
                      "bo_login_at": time.time(), "bo_seen": time.time()})

    login()

    def bare() -> int:
        with app.app_context():
            with db.engine.connect() as conn:
                rows = conn.exec_driver_sql(BARE_SQL).fetchall()
        return len(rows)

    statements: list[int] = []

    def service() -> int:
        from sqlalchemy import event

        seen = [0]

        def count(*_a):
            seen[0] += 1

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                page = q.queue_page(actor, q.QueueFilters())
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            db.session.remove()
        statements.append(seen[0])
        return len(page.rows)

    def through_client() -> int:
        resp = client.get("/backoffice/werkvoorraad")
        if resp.status_code != 200:
            raise RuntimeError(f"queue answered {resp.status_code}")
        return resp.get_data(as_text=True).count('class="bo-row')

    methods = {"bare SQL": bare, "service": service, "test client": through_client}
    rows_seen = {}
    for name, fn in methods.items():  # warm caches and check every method returns a full page
        for _ in range(warmup):
            rows_seen[name] = fn()
    times: dict[str, list[float]] = {name: [] for name in methods}
    end = time.perf_counter() + seconds
    for _ in range(rounds):
        for name, fn in methods.items():  # interleaved: the same machine state for all three
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) * 1000)
        login()  # keep the idle timer fresh
        if time.perf_counter() > end:
            break
    out = {name: {"n": len(ts), "p50": statistics.median(ts), "p95": percentile(ts, 0.95), "rows": rows_seen[name]}
           for name, ts in times.items()}
    out["service"]["statements"] = max(statements) if statements else None
    return out


def explain(app) -> list[str]:
    from portal.infra.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            if db.engine.dialect.name == "postgresql":
                rows = conn.exec_driver_sql("EXPLAIN " + BARE_SQL).fetchall()
                return [r[0] for r in rows]
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + BARE_SQL).fetchall()
            return [r[-1] for r in rows]


# --- the databases --------------------------------------------------------------------------

def make_app(url: str):
    from flask_migrate import upgrade

    from portal import create_app
    from portal.infra.extensions import db

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SERVER_NAME": "bench.local",
        "PUBLIC_BASE_URL": "http://bench.local",
        "RATELIMIT_ENABLED": False,
        "MAIL_ENABLED": False,
        "SECRET_KEY": secrets.token_hex(32),
        "WTF_CSRF_ENABLED": False,
    })
    with app.app_context():
        import logging

        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        db.session.remove()
    return app


def run_backend(name: str, url: str, args, cleanup) -> dict:
    from portal.infra.extensions import db

    print(f"\n[{name}] schema by migrations ...", flush=True)
    app = make_app(url)
    try:
        print(f"[{name}] inserting {args.requests:,} requests ...", flush=True)
        filled = fill(app, args.requests)
        print(f"[{name}] inserted {filled['requests']:,} requests, {filled['parties']:,} parties, "
              f"{filled['rights']:,} rights, {filled['decisions']:,} proposals in {filled['seconds']} s", flush=True)
        print(f"[{name}] measuring ...", flush=True)
        result = measure(app, args.rounds, args.seconds, args.warmup)
        result["fill"] = filled
        result["plan"] = explain(app)
        return result
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        cleanup()


def sqlite_backend(args) -> tuple[str, callable]:
    tmp = tempfile.TemporaryDirectory(prefix="bench-queue-")
    return f"sqlite:///{Path(tmp.name) / 'queue.sqlite3'}", tmp.cleanup


def postgres_backend(args) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text

    schema = f"bench_queue_{secrets.token_hex(4)}"
    admin = create_engine(args.postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in args.postgres_url else "?"

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{args.postgres_url}{sep}options=-csearch_path%3D{schema}", drop


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40, help="timed rounds per database (each runs all three)")
    parser.add_argument("--seconds", type=float, default=60.0, help="stop measuring a database after this long")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL",
                                                                 "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args(argv)

    backends = []
    if not args.no_sqlite:
        backends.append(("SQLite", sqlite_backend))
    if not args.no_postgres:
        backends.append(("PostgreSQL", postgres_backend))
    results = {}
    for name, make in backends:
        url, cleanup = make(args)
        results[name] = run_backend(name, url, args, cleanup)

    print(f"\nQueue, first page (50 of the open requests, sorted by due date), {args.requests:,} requests; "
          f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs")
    header = f"{'database':<11} {'what':<12} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'x bare p50':>10} {'x bare p95':>10} {'rows':>5}"
    print(header)
    print("-" * len(header))
    for name, res in results.items():
        bare = res["bare SQL"]
        for what in ("bare SQL", "service", "test client"):
            r = res[what]
            print(f"{name:<11} {what:<12} {r['n']:>4} {r['p50']:>8.2f} {r['p95']:>8.2f} "
                  f"{r['p50'] / bare['p50']:>10.1f} {r['p95'] / bare['p95']:>10.1f} {r['rows']:>5}")
    for name, res in results.items():
        print(f"\n{name}: the service ran {res['service']['statements']} SQL statements per page "
              f"(whatever the number of rows); plan of the page query:")
        for line in res["plan"]:
            print(f"    {line}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "queue-latest.json").write_text(json.dumps({"requests": args.requests, "results": results},
                                                          indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
