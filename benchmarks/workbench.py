"""Benchmark: the copy workbench (issue 12 item 3) for a generated dossier of 10 and of
1,000 entries, on SQLite and PostgreSQL, against bare SQL reads of the same rows
measured in the same run.

    .venv/bin/python benchmarks/workbench.py [--entries 10,1000] [--rounds 5]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-postgres]

The PostgreSQL address may also come from BENCH_POSTGRES_URL. For each database and
each size:

1. A fresh, throw-away database (SQLite in a temporary file; PostgreSQL in a new
   schema ``bench_wb_<random>``, dropped at the end, also on errors), its schema made
   by the Alembic migrations. The dossier: the example dossier's persons and N
   generated entries of four sentences each (tests/backoffice/big_dossier.py, the same
   the statement-count test uses), imported by the portal's importer; a request of
   Mark Jansen (p2), verified and linked; realistic redactions (known persons, the
   reporter, the protected address, and the free-text detector's pass, run as the
   background job would, untimed): about 3.5 per entry.
2. Timed, interleaved round by round (each round runs every way once):
   * ``create``: making the copy. ``service``: ``copies.create_copy`` (what the web
     request holds; the detector's pass is queued, not run, and a dossier of more than
     ``COPY_PLAN_INLINE_MAX`` = 200 entries is planned by the queue too); ``test
     client``: the POST the overview's button sends, with the redirect not followed.
     ``bare SQL``: the SELECTs of the dossier's entries, persons and the entries' links
     that the plan reads.
   * ``job``: ``copies.fill_copy``, the queue's part for a big dossier (choosing the
     entries and the known redactions, storing them), as the consumer runs it. For a
     small dossier it does nothing (the request did it).
   * ``page``: the first workbench page. ``service``: ``preload_copy`` and
     ``copy_model`` (the one document model the page and the PDF share); ``test
     client``: GET of the page (25 entries shown). ``bare SQL``: the copy's entries
     with their dossier texts, its redactions and attachments.
   * ``confirm``, ``lift``, ``add``, ``withhold``: one action each round, on another
     redaction or entry each time. ``service``: the service call; ``test client``: the
     POST the workbench's script sends (the in-place answer: the entry, the counts).
     ``bare SQL``: the SELECT of the row the action changes.
   Reported: p50 and p95 in ms, as a ratio to the bare SQL's; SQL statements per call
   (counted with SQLAlchemy's ``before_cursor_execute``); the size of the HTML.

Nothing is asserted. Bounded: --rounds rounds per measurement. CSRF is off in this app
(the tests check it); login is put into the client's session as the tests do. Results
go to stdout and to benchmarks/results/workbench-latest.json (ignored by git).
"""
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and benchmarks/copy.py
# and queue.py would hide the standard library's modules of those names.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import secrets  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"

os.environ.setdefault("MAIL_ENABLED", "0")
os.environ.setdefault("HUEY_SQLITE_PATH", str(Path(tempfile.gettempdir()) / f"bench-wb-huey-{os.getpid()}.sqlite3"))
os.environ.pop("HUEY_IMMEDIATE", None)  # the detector's pass is queued, as in production

BARE_CREATE = [
    "SELECT e.id, e.entry_id, e.date, e.kind, e.nature, e.title, e.text, e.source_person_pk "
    "FROM dossier_entry AS e WHERE e.dossier_pk = :d ORDER BY e.date, e.position",
    "SELECT p.* FROM dossier_person AS p WHERE p.dossier_pk = :d",
    "SELECT c.entry_pk, c.person_pk FROM dossier_entry_concerns AS c JOIN dossier_entry AS e ON e.id = c.entry_pk "
    "WHERE e.dossier_pk = :d",
]
BARE_PAGE = [
    "SELECT ce.id, ce.entry_pk, ce.position, ce.withheld, e.title, e.text, e.date, e.kind "
    "FROM copy_entry AS ce JOIN dossier_entry AS e ON e.id = ce.entry_pk WHERE ce.copy_id = :c ORDER BY ce.position",
    "SELECT * FROM copy_redaction WHERE copy_id = :c",
    "SELECT * FROM copy_attachment WHERE copy_id = :c",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- the app and the data -------------------------------------------------------------------

def make_app(url: str):
    from flask_migrate import upgrade

    from portal import create_app
    from portal.infra.extensions import db

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "bench.local", "PUBLIC_BASE_URL": "http://bench.local",
        "RATELIMIT_ENABLED": False, "MAIL_ENABLED": False, "SECRET_KEY": secrets.token_hex(32),
        "WTF_CSRF_ENABLED": False, "DETECTOR_DEDUCE": False,
    })
    with app.app_context():
        import logging

        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("portal.request").setLevel(logging.WARNING)
        upgrade()
        db.session.remove()
    return app


def prepare(app, n: int) -> dict:
    """Staff, the dossier of n entries, a verified request linked to Mark Jansen (p2)."""
    from argon2 import PasswordHasher

    from portal.infra.extensions import db
    from portal.models import Staff, utcnow
    from portal.services import copies
    from tests.backoffice import casework_helpers as ch
    from tests.backoffice.big_dossier import big_dossier
    from tests.backoffice.copy_helpers import MARK, import_doc

    with app.app_context():
        staff = Staff(username=f"bench-{n}-{secrets.token_hex(3)}", display_name="Medewerker", role="caseworker",
                      password_hash=PasswordHasher().hash(secrets.token_hex(8)), confidentiality_recorded_at=utcnow())
        db.session.add(staff)
        db.session.commit()
        staff_id, epoch = staff.id, staff.session_epoch
        db.session.remove()
    doc = big_dossier(n)
    dossier_id = import_doc(app, doc)
    who = ch.actor(app, staff_id)
    reference = ch.file(app, MARK)
    ch.verify_everyone(app, reference, who)
    with app.app_context():
        link = copies.link_dossier(who, reference, dossier_id, "p2")
        link_id, dossier_pk = link.id, link.dossier_pk
        db.session.remove()
    return {"staff_id": staff_id, "epoch": epoch, "who": who, "reference": reference, "link_id": link_id,
            "dossier_pk": dossier_pk}


class Count:
    def __init__(self, engine):
        self.engine, self.n = engine, 0

    def _c(self, *_a):
        self.n += 1

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._c)
        return self

    def __exit__(self, *_e):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._c)


# --- the measurements -------------------------------------------------------------------------

def measure(app, n: int, rounds: int) -> dict:
    from flask_login.utils import _create_identifier

    from portal.infra.extensions import db
    from portal.models import CopyEntry, CopyRedaction, DossierEntry
    from portal.rules import redaction as R
    from portal.services import copies

    ctx = prepare(app, n)
    who, reference = ctx["who"], ctx["reference"]
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    with app.test_request_context("/", environ_base=client.environ_base or {}):
        ident = _create_identifier()

    def login():
        with client.session_transaction() as s:
            s.update({"_id": ident, "_user_id": f"{ctx['staff_id']}:{ctx['epoch']}", "_fresh": True, "bo_2fa": True,
                      "bo_login_at": time.time(), "bo_seen": time.time()})

    login()
    calls: list[tuple[str, str, float, int, int]] = []

    def record(step: str, via: str, fn):
        with Count(engine) as c:
            t = time.perf_counter()
            size = fn() or 0
            ms = (time.perf_counter() - t) * 1000
        calls.append((step, via, ms, c.n, size))

    def bare(sqls, params):
        def run():
            with app.app_context():
                with db.engine.connect() as conn:
                    for sql in sqls:
                        conn.execute(db.text(sql), params).fetchall()
                db.session.remove()
        return run

    # Making the copy: service, test client, bare reads; interleaved.
    copy_ids = []

    def create_service():
        with app.app_context():
            copy_ids.append(copies.create_copy(who, reference, ctx["link_id"]).id)
            db.session.remove()

    def create_client():
        resp = client.post(f"/backoffice/verzoeken/{reference}/afschrift/koppelingen/{ctx['link_id']}/maken")
        if resp.status_code != 302 or "/afschrift/" not in resp.headers.get("Location", ""):
            raise RuntimeError(f"create answered {resp.status_code}")
        copy_ids.append(int(resp.headers["Location"].rstrip("/").split("/")[-1].split("?")[0]))

    for _ in range(rounds):
        record("create", "bare SQL", bare(BARE_CREATE, {"d": ctx["dossier_pk"]}))
        record("create", "service", create_service)
        record("create", "test client", create_client)
        login()

    copy_id = copy_ids[-1]
    # A big dossier's copy is filled by the job queue (copies.fill_copy): timed here as
    # the consumer would run it, once per round on a fresh copy.
    for i in range(rounds):
        if i:
            create_service()
        cid = copy_ids[-1]
        record("job", "bare SQL", bare(BARE_CREATE, {"d": ctx["dossier_pk"]}))

        def job(cid=cid):
            with app.app_context():
                copies.fill_copy(cid)
                db.session.remove()
            return 0

        record("job", "service", job)
    copy_id = copy_ids[-1]
    with app.app_context():
        copies.run_detection(copy_id)  # as the consumer would, untimed
        reds = db.session.execute(db.select(CopyRedaction.id, CopyRedaction.entry_pk, CopyRedaction.ground)
                                  .filter_by(copy_id=copy_id).order_by(CopyRedaction.id)).all()
        entry_pks = db.session.execute(db.select(CopyEntry.entry_pk).filter_by(copy_id=copy_id)
                                       .order_by(CopyEntry.position)).scalars().all()
        texts = {e.id: e.text for e in db.session.execute(db.select(DossierEntry).where(DossierEntry.id.in_(entry_pks)))
                 .scalars()}
        db.session.remove()
    with_word = [pk for pk in entry_pks if "huisbezoek" in texts.get(pk, "")]
    sizes = {"entries": len(entry_pks), "redactions": len(reds)}
    page = f"/backoffice/verzoeken/{reference}/afschrift/{copy_id}"

    def page_service():
        with app.app_context():
            _req, c = copies.view_copy(who, reference, copy_id)
            held = copies.preload_copy(c)  # noqa: F841
            copies.copy_model(c)
            db.session.remove()

    def page_client():
        resp = client.get(page)
        if resp.status_code != 200:
            raise RuntimeError(f"page answered {resp.status_code}")
        return len(resp.data)

    page_client()  # warm
    for _ in range(rounds):
        record("page", "bare SQL", bare(BARE_PAGE, {"c": copy_id}))
        record("page", "service", page_service)
        record("page", "test client", page_client)
        login()

    # The actions: each round on another redaction or entry.
    import itertools

    usable = [r for r in reds if r.ground != R.REPORTER_PROTECTION]
    to_confirm = iter(usable)
    to_lift = iter(reversed(usable))  # from the other end: never one already lifted
    entries = itertools.cycle(entry_pks[1:])
    words = itertools.cycle(with_word or entry_pks)

    def act_client(path, data):
        def run():
            resp = client.post(f"{page}/{path}", data=data, headers={"X-Workbench": "in-place"})
            if resp.status_code != 200:
                raise RuntimeError(f"{path} answered {resp.status_code}: {resp.get_data(as_text=True)[:300]}")
            return len(resp.data)
        return run

    def act_service(fn, *args, **kw):
        def run():
            with app.app_context():
                fn(who, reference, copy_id, *args, **kw)
                db.session.remove()
        return run

    reason = "De aanvrager kent dit al uit het gesprek."
    for _ in range(rounds):
        for via in ("service", "test client"):
            r = next(to_confirm)
            record("confirm", "bare SQL", bare(["SELECT * FROM copy_redaction WHERE id = :r"], {"r": r.id}))
            record("confirm", via, act_service(copies.confirm, r.id) if via == "service"
                   else act_client(f"weglatingen/{r.id}/bevestigen", {}))
            r = next(to_lift)
            record("lift", "bare SQL", bare(["SELECT * FROM copy_redaction WHERE id = :r"], {"r": r.id}))
            record("lift", via, act_service(copies.lift, r.id, reason) if via == "service"
                   else act_client(f"weglatingen/{r.id}/opheffen", {"reason": reason}))
            pk = next(words)
            record("add", "bare SQL", bare(["SELECT text FROM dossier_entry WHERE id = :e"], {"e": pk}))
            record("add", via, act_service(copies.add_redaction, entry_pk=pk, field="text", ground=R.THIRD_PARTY,
                                           reason=reason, phrase="huisbezoek") if via == "service"
                   else act_client(f"stukken/{pk}/weglaten", {"phrase": "huisbezoek", "field": "text",
                                                              "ground": R.THIRD_PARTY, "reason": reason}))
            pk = next(entries)
            record("withhold", "bare SQL", bare(["SELECT * FROM copy_entry WHERE copy_id = :c AND entry_pk = :e"],
                                                {"c": copy_id, "e": pk}))
            record("withhold", via, act_service(copies.withhold_entry, pk, "vt_task", reason) if via == "service"
                   else act_client(f"stukken/{pk}/niet-opnemen", {"ground": "vt_task", "reasons": reason}))
        login()
    out = _collect(calls)
    out["sizes"] = sizes
    return out


def _collect(raw_calls: list[tuple[str, str, float, int, int]]) -> dict:
    out: dict = {}
    for step, via, ms, stmts, size in raw_calls:
        d = out.setdefault(step, {}).setdefault(via, {"times": [], "counts": [], "bytes": 0})
        d["times"].append(ms)
        d["counts"].append(stmts)
        d["bytes"] = max(d["bytes"], size)
    for step in out.values():
        for via, d in step.items():
            ts, counts = d.pop("times"), d.pop("counts")
            # The statements of a typical call (the most frequent count; a round's first
            # call may refresh the login first): the figure the count test compares.
            d.update(n=len(ts), p50=statistics.median(ts), p95=percentile(ts, 0.95),
                     statements=statistics.mode(counts), statements_max=max(counts))
    return out


# --- the databases and the table -------------------------------------------------------------

def sqlite_backend(_args):
    tmp = tempfile.TemporaryDirectory(prefix="bench-wb-")
    return f"sqlite:///{Path(tmp.name) / 'wb.sqlite3'}", tmp.cleanup


def postgres_backend(args):
    from sqlalchemy import create_engine, text

    schema = f"bench_wb_{secrets.token_hex(4)}"
    admin = create_engine(args.postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in args.postgres_url else "?"

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{args.postgres_url}{sep}options=-csearch_path%3D{schema}", drop


STEPS = ("create", "job", "page", "confirm", "lift", "add", "withhold")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", default="10,1000", help="dossier sizes, comma-separated")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL",
                                                                 "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.entries.split(",") if x.strip()]
    backends = ([] if args.no_sqlite else [("SQLite", sqlite_backend)]) + \
        ([] if args.no_postgres else [("PostgreSQL", postgres_backend)])
    results: dict = {}
    for name, make in backends:
        url, cleanup = make(args)
        try:
            print(f"[{name}] schema by migrations ...", flush=True)
            app = make_app(url)
            for n in sizes:
                print(f"[{name}] {n} entries ...", flush=True)
                results[f"{name} {n}"] = measure(app, n, args.rounds)
            from portal.infra.extensions import db

            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        finally:
            cleanup()
    print(f"\nWorkbench, {args.rounds} rounds; {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    header = (f"{'database':<10} {'entries':>7} {'step':<9} {'via':<12} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'x bare p50':>10} {'x bare p95':>10} {'SQL':>4} {'KB':>6}")
    print(header)
    print("-" * len(header))
    for key, res in results.items():
        name, n = key.rsplit(" ", 1)
        for step in STEPS:
            bare = res[step]["bare SQL"]
            for via in ("bare SQL", "service", "test client"):
                if via not in res[step]:
                    continue
                r = res[step][via]
                kb = f"{r['bytes'] / 1024:.0f}" if r["bytes"] else ""
                print(f"{name:<10} {n:>7} {step:<9} {via:<12} {r['p50']:>8.1f} {r['p95']:>8.1f} "
                      f"{r['p50'] / bare['p50']:>10.1f} {r['p95'] / bare['p95']:>10.1f} {r['statements']:>4} {kb:>6}")
        print(f"{'':<10} {n:>7} ({res['sizes']['entries']} entries in the copy, "
              f"{res['sizes']['redactions']} redactions)")
    by_db: dict = {}
    for key, res in results.items():
        name, n = key.rsplit(" ", 1)
        by_db.setdefault(name, {})[n] = res
    for name, per in by_db.items():
        if len(per) < 2:
            continue
        # Making the copy takes another way for a big dossier (the queue's): compared
        # are the page and the actions.
        counts = {n: {f"{s}/{v}": per[n][s][v]["statements"] for s in STEPS[2:] for v in ("service", "test client")
                      if v in per[n][s]} for n in per}
        same = len({json.dumps(c, sort_keys=True) for c in counts.values()}) == 1
        print(f"\n{name}: SQL statements per page and per action the same for " + " and ".join(per) +
              f" entries: {'yes' if same else 'NO'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "workbench-latest.json").write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
