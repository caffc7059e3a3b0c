"""Benchmark: what encrypting the personal fields at rest costs (issue 13, threat model O12),
against the same portal with those fields stored plain, measured in the same run.

    .venv/bin/python benchmarks/encryption.py [--requests 5000] [--rounds 20] [--seconds 60] [--entries 1000]

Two throw-away SQLite databases, schema by the migrations. In one the portal runs as it
is (EncryptedText/EncryptedDate, Fernet per value); in the other the same two column
types are switched to pass-through for the duration of each of its measurements (the
value is stored as given; a date as its ISO string), which is the portal before issue 13
as far as the database sees it. Both get the same N requests (benchmarks/queue.py's
fill: requester and subject names, rights, staff), then, interleaved round by round so
both see the same machine state:

* ``submission``: one complete submission through Flask's test client (benchmarks/README
  (b) without gunicorn: voor-wie, over-u, rechten, identiteit with a small JPEG, contact
  without e-mail, controleren), every page a GET and a POST with its CSRF token;
* ``queue page``: portal.services.queue.queue_page for a caseworker (50 rows, each with
  its subject's two encrypted names);
* ``copy plan``: portal.services.copies.create_copy for Mark Jansen (p2) of the example
  dossier (demo/dossiers/example), on a verified request linked to him: the plan of
  every entry with its automatic redactions, stored, and (jobs run at once) the
  free-text detector pass over it; each round replaces the previous draft;
* ``import 1000``: portal.services.dossiers.import_zip_bytes of a generated dossier of
  --entries entries (the example's persons; its six entries repeated with their
  authors, sources, recipients and a numbered sentence, dates spread over its period),
  a new dossier number each round (the same numbers in both databases). Issue 13 asks
  that this stays within 2x of plain.

Reported: wall ms p50 and p95 and CPU ms p50 (this process) for each, and encrypted /
plain for both. Nothing is asserted. Results go to stdout and
benchmarks/results/encryption-latest.json (ignored by git).
"""
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and its neighbours'
# names (copy.py, queue.py) would hide the standard library's modules.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import secrets  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _queue_module():
    spec = importlib.util.spec_from_file_location("bench_queue", Path(__file__).with_name("queue.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def plain_fields():
    """The encrypted column types as pass-through: the portal without encryption at rest."""
    from portal.infra.encrypted import EncryptedDate, EncryptedText

    saved = {(cls, name): getattr(cls, name) for cls in (EncryptedText, EncryptedDate)
             for name in ("process_bind_param", "process_result_value")}
    EncryptedText.process_bind_param = lambda self, value, dialect: value
    EncryptedText.process_result_value = lambda self, value, dialect: value
    EncryptedDate.process_bind_param = lambda self, value, dialect: value.isoformat() if value is not None else None
    EncryptedDate.process_result_value = (lambda self, value, dialect:
                                          date.fromisoformat(value[:10]) if value is not None else None)
    try:
        yield
    finally:
        for (cls, name), fn in saved.items():
            setattr(cls, name, fn)


def make_app(url: str, tmp: Path):
    from flask_migrate import upgrade

    from portal import create_app
    from portal.infra.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "bench.local",
                      "PUBLIC_BASE_URL": "http://bench.local", "RATELIMIT_ENABLED": False, "MAIL_ENABLED": False,
                      "HUEY_IMMEDIATE": True, "SECRET_KEY": secrets.token_hex(32),
                      "AUDIT_CHECKPOINT_PATH": str(tmp / f"checkpoints-{secrets.token_hex(4)}.log")})
    with app.app_context():
        import logging

        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        db.session.remove()
    return app


def generated_dossier(dossier_id: str, entries: int) -> dict:
    """The example dossier with ``entries`` entries: its six repeated, numbered, dated
    in order over the dossier's period."""
    from datetime import timedelta

    from tests.backoffice.dossier_helpers import example

    doc = example()
    doc["dossier_id"] = dossier_id
    templates = doc["entries"]
    opened, closed = date.fromisoformat(doc["opened_on"]), date.fromisoformat(doc["closed_on"])
    span = (closed - opened).days
    doc["entries"] = []
    for i in range(entries):
        entry = json.loads(json.dumps(templates[i % len(templates)]))
        entry.pop("attachments", None)
        entry["id"] = f"e{i + 1}"
        entry["date"] = (opened + timedelta(days=i * span // max(1, entries))).isoformat()
        entry["text"] = f"{entry['text']} Aantekening {i + 1} bij dit gesprek."
        for shared in entry.get("shared_with", ()):
            shared["date"] = entry["date"]  # not before the entry
        doc["entries"].append(entry)
    return doc


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--entries", type=int, default=1000, help="entries of the imported dossier")
    args = parser.parse_args(argv)

    import logging

    logging.disable(logging.INFO)  # the JSON request log of every test-client request
    from portal.infra.extensions import db
    from portal.models import Staff
    from portal.services import copies
    from portal.services import dossiers as dossier_svc
    from portal.services import queue as q
    from portal.services.authz import Actor
    from tests.app.filing import Filer, Filing
    from tests.backoffice import casework_helpers as ch
    from tests.backoffice.copy_helpers import MARK
    from tests.backoffice.dossier_helpers import example, make_zip

    bench_queue = _queue_module()
    tmp = Path(tempfile.mkdtemp(prefix="bench-encryption-"))
    apps, links = {}, {}
    for mode in ("encrypted", "plain"):
        with plain_fields() if mode == "plain" else contextlib.nullcontext():
            app = make_app(f"sqlite:///{tmp / (mode + '.sqlite3')}", tmp)
            print(f"[{mode}] inserting {args.requests:,} requests ...", flush=True)
            bench_queue.fill(app, args.requests)
            with app.app_context():
                actor = Actor.of(db.session.get(Staff, 5), second_factor=True)  # a caseworker
                dossier_svc.import_zip_bytes(dossier_svc.CLI, make_zip(example()))
                db.session.remove()
            # The copy plan's request: Mark Jansen, verified, linked to p2 of the example.
            reference = ch.file(app, MARK)
            ch.verify_everyone(app, reference, actor)
            with app.app_context():
                link_id = copies.link_dossier(actor, reference, example()["dossier_id"], "p2").id
                db.session.remove()
        apps[mode] = (app, actor)
        links[mode] = (reference, link_id)

    def submission(app, _actor):
        sub = Filer(app.test_client()).fill(Filing(email=None)).submit()
        assert sub.reference

    def queue_page(app, actor):
        with app.app_context():
            page = q.queue_page(actor, q.QueueFilters())
            assert len(page.rows) == 50
            db.session.remove()

    def copy_plan(app, actor):
        reference, link_id = links[mode_of(app)]
        with app.app_context():
            copy = copies.create_copy(actor, reference, link_id)
            assert copy.id
            db.session.remove()

    numbers = {m: iter(range(900000, 999999)) for m in apps}

    def import_dossier(app, _actor):
        doc = generated_dossier(f"VT-2024-{next(numbers[mode_of(app)]):06d}", args.entries)
        data = make_zip(doc)
        with app.app_context():
            dossier_svc.import_zip_bytes(dossier_svc.CLI, data)
            db.session.remove()

    def mode_of(app):
        return next(m for m, (a, _actor) in apps.items() if a is app)

    import_name = f"import {args.entries}"
    scenarios = {"submission": submission, "queue page": queue_page, "copy plan": copy_plan,
                 import_name: import_dossier}
    times = {(s, m): [] for s in scenarios for m in apps}
    cpu = {(s, m): [] for s in scenarios for m in apps}
    for scenario, fn in scenarios.items():  # warm up
        for mode, (app, actor) in apps.items():
            with plain_fields() if mode == "plain" else contextlib.nullcontext():
                fn(app, actor)
    end = time.perf_counter() + args.seconds
    for _ in range(args.rounds):
        for scenario, fn in scenarios.items():
            for mode, (app, actor) in apps.items():
                with plain_fields() if mode == "plain" else contextlib.nullcontext():
                    t, c = time.perf_counter(), time.process_time()
                    fn(app, actor)
                    times[(scenario, mode)].append((time.perf_counter() - t) * 1000)
                    cpu[(scenario, mode)].append((time.process_time() - c) * 1000)
        if time.perf_counter() > end:
            break

    result = {"requests": args.requests, "rows": []}
    # Wall time includes SQLite's writes to disk and whatever else shares the machine;
    # CPU time (this process) is the steadier figure for what the encryption costs.
    print(f"\n{'scenario':<12} {'mode':<10} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'cpu p50':>9}")
    for scenario in scenarios:
        for mode in apps:
            ts = times[(scenario, mode)]
            row = {"scenario": scenario, "mode": mode, "n": len(ts), "p50": statistics.median(ts),
                   "p95": percentile(ts, 0.95), "cpu_p50": statistics.median(cpu[(scenario, mode)])}
            result["rows"].append(row)
            print(f"{scenario:<12} {mode:<10} {row['n']:>4} {row['p50']:>9.1f} {row['p95']:>9.1f} "
                  f"{row['cpu_p50']:>9.1f}")
        enc, plain = (statistics.median(times[(scenario, m)]) for m in ("encrypted", "plain"))
        enc_cpu, plain_cpu = (statistics.median(cpu[(scenario, m)]) for m in ("encrypted", "plain"))
        result[f"{scenario} ratio p50"] = enc / plain
        result[f"{scenario} ratio cpu p50"] = enc_cpu / plain_cpu
        print(f"{scenario:<12} encrypted / plain (p50): wall {enc / plain:.2f}, cpu {enc_cpu / plain_cpu:.2f}")
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / "encryption-latest.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
