"""Load benchmark: the portal under gunicorn on loopback against a bare Flask baseline.

    .venv/bin/python benchmarks/run.py [--seconds 12] [--users 4] [--workers 2]

Scenarios, each measured against a baseline in the same run:

(a) ``GET /``: the portal's front page vs ``GET /`` of benchmarks/bare_app.py.
(b) a complete submission: every virtual user files a whole request (start, each
    question page GET then POST with the CSRF token from that GET, a ~2 MB JPEG
    identity upload, contact without e-mail, the check page POST) with a fresh cookie
    jar, over and over; vs the same number of requests, with the same fields and the
    same upload, to bare Flask routes that read the upload.

Both apps run under gunicorn with the same settings on 127.0.0.1. The portal gets a
throw-away SQLite database (schema by `flask db upgrade`), mail and rate limits off.
Only loopback is used; every phase is bounded in time and in count; the servers are
stopped at the end. Nothing is asserted about timings: results are printed and written
to benchmarks/results/latest.json. See benchmarks/README.md for how to read them.
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HOST = "127.0.0.1"  # loopback only, never anything else
ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"
CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
REFERENCE_RE = re.compile(rb'id="reference">(VT-[A-Z0-9-]+)<')

# The portal's limits (portal/config.py defaults): the upload must stay well inside them.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_MAX_PIXELS = 40_000_000


# --- the flows ----------------------------------------------------------------------------
# One step = GET the page, then POST its form with the CSRF token from that GET.
# (path, fields, with_upload, expected path of the redirect after the POST or None = 200 end)

PORTAL_FLOW = [
    ("/verzoek", [], False, "/verzoek/voor-wie"),
    ("/verzoek/voor-wie", [("for_whom", "self")], False, "/verzoek/over-u"),
    ("/verzoek/over-u", [("given_names", "Sanne"), ("surname", "de Vries"), ("birth_date", "14-03-1985"), ("bsn", "")],
     False, "/verzoek/rechten"),
    ("/verzoek/rechten", [("rights", "inzage")], False, "/verzoek/identiteit"),
    ("/verzoek/identiteit", [("method", "upload")], True, "/verzoek/contact"),
    ("/verzoek/contact", [("email_ok", "no"), ("email", "")], False, "/verzoek/controleren"),
    ("/verzoek/controleren", [("truthful", "y")], False, None),
]

# The baseline: the same number of requests with the same fields and the same upload.
BARE_FLOW = [
    (f"/form/{i + 1}" + ("?last=1" if nxt is None else ""), fields, upload, None if nxt is None else f"/form/{i + 2}")
    for i, (_path, fields, upload, nxt) in enumerate(PORTAL_FLOW)
]
REQUESTS_PER_FLOW = 2 * len(PORTAL_FLOW)


class FlowError(RuntimeError):
    pass


# --- an HTTP client with a cookie jar per virtual user ---------------------------------------

class Client:
    """One virtual user: its own cookies, one connection per request (gunicorn's sync
    workers close the connection after every response anyway)."""

    def __init__(self, port: int, timeout: float):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
        headers = {"Connection": "close", "User-Agent": "vt-bench", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        elapsed = time.perf_counter() - t0
        for header in resp.headers.get_all("Set-Cookie") or []:
            self._store(header)
        return resp.status, resp.headers, data, elapsed

    def _store(self, header: str) -> None:
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel.value == "" or morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def multipart(fields: list[tuple[str, str]], file_field: str, filename: str, content: bytes, ctype: str):
    boundary = "vtbench" + secrets.token_hex(12)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                 f"Content-Type: {ctype}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def run_flow(port: int, flow, jpeg: bytes, timeout: float, steps: dict[str, list[float]]) -> float:
    """One complete submission with a fresh cookie jar. Returns its latency in seconds."""
    client = Client(port, timeout)
    t0 = time.perf_counter()
    for path, fields, with_upload, expected_next in flow:
        name = path.rsplit("/", 1)[-1].split("?")[0]
        status, _h, data, dt = client.request("GET", path)
        if status != 200:
            raise FlowError(f"GET {path}: {status}")
        steps.setdefault(f"GET  {name}", []).append(dt)
        m = CSRF_RE.search(data)
        if not m:
            raise FlowError(f"GET {path}: no CSRF token")
        form = [("csrf_token", m.group(1).decode())] + list(fields)
        if with_upload:
            body, ctype = multipart(form, "document", "id.jpg", jpeg, "image/jpeg")
        else:
            body, ctype = urlencode(form).encode(), "application/x-www-form-urlencoded"
        status, headers, data, dt = client.request("POST", path, body, ctype)
        steps.setdefault(f"POST {name}" + (" (upload)" if with_upload else ""), []).append(dt)
        if expected_next is None:
            if status != 200 or not REFERENCE_RE.search(data):
                raise FlowError(f"POST {path}: {status}, no reference on the confirmation page")
        elif status != 302 or urlsplit(headers.get("Location", "")).path != urlsplit(expected_next).path:
            raise FlowError(f"POST {path}: {status} to {headers.get('Location')!r}, expected {expected_next}")
    return time.perf_counter() - t0


def get_page(port: int, path: str, timeout: float) -> float:
    status, _h, data, dt = Client(port, timeout).request("GET", path)
    if status != 200 or not data:
        raise FlowError(f"GET {path}: {status}")
    return dt


# --- measuring -------------------------------------------------------------------------------

def server_cpu_seconds(master_pid: int) -> float | None:
    """User + system CPU of gunicorn's workers (Linux /proc), or None elsewhere."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        total = 0
        for pid in [master_pid, *map(int, children)]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick
    except (OSError, ValueError, IndexError):
        return None


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


@dataclass
class Phase:
    scenario: str
    target: str
    unit: str  # "request" or "flow"
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    window: float = 0.0
    driver_cpu: float = 0.0
    server_cpu: float | None = None
    steps: dict[str, list[float]] = field(default_factory=dict)
    hit_count_limit: bool = False

    @property
    def n(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.n / self.window if self.window else 0.0

    @property
    def requests_per_second(self) -> float:
        return self.per_second * (REQUESTS_PER_FLOW if self.unit == "flow" else 1)

    def summary(self) -> dict:
        out = {
            "scenario": self.scenario, "target": self.target, "unit": self.unit, "completed": self.n,
            "errors": len(self.errors), "error_samples": self.errors[:5], "window_s": round(self.window, 3),
            "per_second": round(self.per_second, 2), "requests_per_second": round(self.requests_per_second, 1),
            "p50_ms": _ms(percentile(self.latencies, 50)), "p95_ms": _ms(percentile(self.latencies, 95)),
            "driver_cpu_of_one_core": round(self.driver_cpu, 2),
            "server_cpu_ms_per_op": None if self.server_cpu is None or not self.n else round(1000 * self.server_cpu / self.n, 2),
            "hit_count_limit": self.hit_count_limit,
        }
        if self.steps:
            out["steps"] = {k: {"p50_ms": _ms(percentile(v, 50)), "p95_ms": _ms(percentile(v, 95))} for k, v in self.steps.items()}
        return out


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def run_phase(phase: Phase, op, users: int, seconds: float, max_ops: int, master_pid: int | None) -> Phase:
    """Closed loop: `users` threads run `op` back to back until the time or count runs out;
    operations in flight at the deadline finish and count. Throughput = completed / window."""
    lock = threading.Lock()
    started = 0
    ends: list[float] = []
    barrier = threading.Barrier(users + 1)
    stop_at = 0.0

    def user():
        nonlocal started
        steps: dict[str, list[float]] = {}
        barrier.wait()
        while time.perf_counter() < stop_at:
            with lock:
                if started >= max_ops:
                    phase.hit_count_limit = True
                    break
                started += 1
            try:
                latency = op(steps)
            except (FlowError, OSError, http.client.HTTPException) as exc:
                with lock:
                    phase.errors.append(f"{type(exc).__name__}: {exc}")
                time.sleep(0.05)
                continue
            with lock:
                phase.latencies.append(latency)
                ends.append(time.perf_counter())
        with lock:
            for k, v in steps.items():
                phase.steps.setdefault(k, []).extend(v)

    threads = [threading.Thread(target=user, daemon=True) for _ in range(users)]
    for t in threads:
        t.start()
    cpu0, srv0 = time.process_time(), server_cpu_seconds(master_pid) if master_pid else None
    t0 = time.perf_counter()
    stop_at = t0 + seconds
    barrier.wait()
    for t in threads:
        t.join()
    t_end = max(ends) if ends else time.perf_counter()
    phase.window = t_end - t0
    phase.driver_cpu = (time.process_time() - cpu0) / max(phase.window, 1e-9)
    srv1 = server_cpu_seconds(master_pid) if master_pid else None
    phase.server_cpu = None if srv0 is None or srv1 is None else srv1 - srv0
    return phase


# --- servers ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, name: str, app: str, chdir: Path, env: dict, args, logdir: Path):
        self.name = name
        self.workers = args.workers
        self.port = free_port()
        self.log = logdir / f"{name}.log"
        cmd = [sys.executable, "-m", "gunicorn", app, "--chdir", str(chdir), "--bind", f"{HOST}:{self.port}",
               "--workers", str(args.workers), "--worker-class", args.worker_class, "--threads", str(args.threads),
               "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning", "--error-logfile", str(self.log)]
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                # Every worker imports the app on boot; wait until the workers are all up.
                children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
                if children.exists() and len(children.read_text().split()) < self.workers:
                    raise OSError("workers still starting")
                get_page(self.port, "/", 5)
                return
            except (OSError, FlowError, http.client.HTTPException):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn ({self.name}) did not answer on {HOST}:{self.port}:\n{self.tail()}")

    def tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the process group this run created
                self.proc.wait(timeout=5)


# --- the upload --------------------------------------------------------------------------------

def noise_jpeg(target_bytes: int, seed: int = 20) -> tuple[bytes, tuple[int, int]]:
    """A JPEG of random noise (so it does not compress away) close to target_bytes."""
    from PIL import Image

    rng = random.Random(seed)
    side = 1500
    for _ in range(6):
        w, h = side, side * 3 // 4
        img = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=90)
        data = buf.getvalue()
        if abs(len(data) - target_bytes) <= 0.03 * target_bytes:
            break
        side = max(64, int(side * (target_bytes / len(data)) ** 0.5))
    if len(data) >= UPLOAD_MAX_BYTES or w * h > UPLOAD_MAX_PIXELS:
        raise SystemExit(f"the upload ({len(data)} bytes, {w}x{h}) would be refused by the portal; lower --upload-mb")
    return data, (w, h)


# --- main --------------------------------------------------------------------------------------

def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    import gunicorn

    return {"nproc": usable, "cpu_count": os.cpu_count(), "cpu_model": model, "platform": platform.platform(),
            "python": platform.python_version(), "gunicorn": gunicorn.__version__}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=12, help="measured seconds per phase (default 12; 4 phases)")
    p.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each phase (default 2)")
    p.add_argument("--users", type=int, default=4, help="concurrent virtual users (default 4)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers for both apps (default 2)")
    p.add_argument("--worker-class", default="sync", choices=["sync", "gthread"], help="gunicorn worker class (default sync)")
    p.add_argument("--threads", type=int, default=1, help="threads per worker with gthread (default 1)")
    p.add_argument("--upload-mb", type=float, default=2.0, help="size of the identity upload in MiB (default 2)")
    p.add_argument("--max-requests", type=int, default=200_000, help="cap on requests per front-page phase (default 200000)")
    p.add_argument("--max-flows", type=int, default=5_000, help="cap on submissions per flow phase (default 5000)")
    p.add_argument("--timeout", type=float, default=30, help="socket timeout per request in seconds")
    p.add_argument("--database-url", default=None,
                   help="database for the portal (default: a throw-away SQLite file; a PostgreSQL URL must be an empty, disposable database)")
    p.add_argument("--only", choices=["front", "flow"], default=None, help="run one scenario only")
    p.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    args = p.parse_args(argv)
    if args.users < 1 or args.workers < 1 or args.seconds <= 0 or not (0 < args.upload_mb < 10):
        p.error("--users and --workers must be >= 1, --seconds > 0, 0 < --upload-mb < 10")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    phases_n = 2 if args.only else 4
    # Hard stop for the whole run: phases end on their own; this only guards against a hang.
    hard_limit = int(phases_n * (args.seconds + args.warmup + 2 * args.timeout) + 180)

    def overran(*_):
        raise TimeoutError(f"the run exceeded its hard limit of {hard_limit} s")

    signal.signal(signal.SIGALRM, overran)
    signal.alarm(hard_limit)

    info = machine()
    jpeg, dims = noise_jpeg(int(args.upload_mb * 1024 * 1024))
    print(f"Machine: nproc={info['nproc']} (cpu_count={info['cpu_count']}), {info['cpu_model'] or 'unknown CPU'}, "
          f"{info['platform']}, Python {info['python']}, gunicorn {info['gunicorn']}")
    print(f"Setup:   gunicorn {args.workers} x {args.worker_class}"
          + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
          + f" per app on {HOST}; {args.users} virtual users; {args.seconds:g} s per phase after {args.warmup:g} s warm-up;"
          f" one connection per request; upload {len(jpeg):,} bytes JPEG noise {dims[0]}x{dims[1]}")

    servers: list[Gunicorn] = []
    with tempfile.TemporaryDirectory(prefix="vt-bench-") as tmp:
        tmpdir = Path(tmp)
        db_url = args.database_url or f"sqlite:///{tmpdir / 'portal.sqlite3'}"
        env = {**os.environ, "PORTAL_ENV": "development", "FLASK_APP": "portal:create_app", "DATABASE_URL": db_url,
               "MAIL_ENABLED": "0", "RATELIMIT_ENABLED": "0", "SECRET_KEY": secrets.token_urlsafe(48),
               "HUEY_SQLITE_PATH": str(tmpdir / "jobs.sqlite3"), "HUEY_IMMEDIATE": "0",
               "PYTHONDONTWRITEBYTECODE": "1"}
        print(f"Database: {'throw-away SQLite (flask db upgrade)' if not args.database_url else 'from --database-url'}")
        mig = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        if mig.returncode != 0:
            print(mig.stdout, mig.stderr, file=sys.stderr)
            raise SystemExit("flask db upgrade failed")
        results: list[Phase] = []
        try:
            bare = Gunicorn("bare", "bare_app:app", BENCH, env, args, tmpdir)
            servers.append(bare)
            portal = Gunicorn("portal", "portal.wsgi:app", ROOT, env, args, tmpdir)
            servers.append(portal)
            bare.wait_ready()
            portal.wait_ready()

            scenarios = []
            if args.only in (None, "front"):
                scenarios.append(("(a) GET /", "request", args.max_requests,
                                  lambda srv: (lambda steps: get_page(srv.port, "/", args.timeout))))
            if args.only in (None, "flow"):
                scenarios.append(("(b) submission", "flow", args.max_flows,
                                  lambda srv: (lambda steps: run_flow(srv.port, PORTAL_FLOW if srv is portal else BARE_FLOW,
                                                                      jpeg, args.timeout, steps))))
            for scenario, unit, cap, make_op in scenarios:
                for srv in (bare, portal):
                    op = make_op(srv)
                    print(f"  {scenario:<16} {srv.name:<6} ...", end="", flush=True)
                    run_phase(Phase(scenario, srv.name, unit), op, args.users, args.warmup, cap, None)  # warm-up
                    ph = run_phase(Phase(scenario, srv.name, unit), op, args.users, args.seconds, cap, srv.proc.pid)
                    results.append(ph)
                    print(f" {ph.n} {unit}s, {len(ph.errors)} errors")
                    if ph.errors:
                        print(f"    first error: {ph.errors[0]}")
                        print("    server log tail:\n" + "\n".join("      " + l for l in srv.tail().splitlines()[-8:]))
        finally:
            for srv in servers:
                srv.stop()
            signal.alarm(0)

    report(results, info, args, len(jpeg), dims)
    return 1 if any(p.errors for p in results) else 0


def report(results: list[Phase], info: dict, args, upload_bytes: int, dims) -> None:
    by = {(p.scenario, p.target): p for p in results}
    rows = []
    for p in results:
        base = by.get((p.scenario, "bare"))
        s = p.summary()
        s["throughput_ratio_vs_bare"] = round(p.per_second / base.per_second, 3) if base and base.per_second else None
        b95 = percentile(base.latencies, 95) if base else None
        p95 = percentile(p.latencies, 95)
        s["p95_ratio_vs_bare"] = round(p95 / b95, 2) if b95 and p95 else None
        rows.append(s)

    def f(v, fmt):
        return "-" if v is None else format(v, fmt)

    print()
    print(f"nproc={info['nproc']}  |  gunicorn {args.workers} x {args.worker_class}  |  {args.users} users  |  "
          f"{args.seconds:g} s per phase  |  upload {upload_bytes / 1024 / 1024:.2f} MiB")
    head = (f"{'scenario':<16} {'target':<7} {'n':>6} {'err':>4} {'req/s':>8} {'flows/s':>8} {'p50 ms':>9} {'p95 ms':>9} "
            f"{'x bare (rate)':>13} {'x bare (p95)':>12} {'srv CPU ms/op':>13} {'driver CPU':>10}")
    print(head)
    print("-" * len(head))
    for s in rows:
        flows = s["per_second"] if s["unit"] == "flow" else None
        print(f"{s['scenario']:<16} {s['target']:<7} {s['completed']:>6} {s['errors']:>4} {s['requests_per_second']:>8.1f} "
              f"{f(flows, '8.2f'):>8} {f(s['p50_ms'], '9.1f'):>9} {f(s['p95_ms'], '9.1f'):>9} "
              f"{f(s['throughput_ratio_vs_bare'], '13.3f'):>13} {f(s['p95_ratio_vs_bare'], '12.1f'):>12} "
              f"{f(s['server_cpu_ms_per_op'], '13.1f'):>13} {s['driver_cpu_of_one_core']:>9.0%} ")
    print()
    print("n = completed requests (a) or complete submissions of", REQUESTS_PER_FLOW, "requests each (b); p50/p95 per request (a)")
    print("or per whole submission (b). x bare (rate) = portal throughput / bare throughput (1.0 = as fast, 0.1 = a tenth);")
    print("x bare (p95) = portal p95 / bare p95. srv CPU = gunicorn workers' CPU per request or submission;")
    print("driver CPU = this load driver's share of one core (it runs on the same machine as the servers).")
    portal_flow = next((s for s in rows if s["unit"] == "flow" and s["target"] == "portal"), None)
    if portal_flow and portal_flow.get("steps"):
        print("\nPortal submission, per request (p50 / p95 ms):")
        for name, v in portal_flow["steps"].items():
            print(f"  {name:<32} {f(v['p50_ms'], '8.1f')} / {f(v['p95_ms'], '8.1f')}")
    for s in rows:
        if s["driver_cpu_of_one_core"] >= 0.6:
            print(f"Note: the load driver used {s['driver_cpu_of_one_core']:.0%} of a core during {s['scenario']} "
                  f"{s['target']}: that rate may be bounded by the driver (Python threads, sharing the CPUs with the "
                  "servers), which flatters the ratio; compare srv CPU ms/op too.")
        if s["hit_count_limit"]:
            print(f"Note: {s['scenario']} {s['target']} stopped at its count cap before its time ran out.")

    out = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "command": [Path(sys.executable).name, *sys.argv],
           "machine": info, "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                                         if k != "database_url"},
           "upload": {"bytes": upload_bytes, "pixels": f"{dims[0]}x{dims[1]}", "type": "image/jpeg"},
           "requests_per_flow": REQUESTS_PER_FLOW, "results": rows}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nWritten to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    sys.exit(main())
