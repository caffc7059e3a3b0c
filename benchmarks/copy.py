"""Benchmark: a big copy (afschrift, art. 14) as PDF, against WeasyPrint alone on the same HTML.

    .venv/bin/python benchmarks/copy.py [--entries 1000] [--rounds 2] [--language nl]
    .venv/bin/python benchmarks/copy.py --entries 200 --rounds 3     # quicker

A CopyDocument with --entries entries (realistic Dutch text of about 300-800 characters
each, with line breaks, redaction boxes, own statements, withheld entries and
attachment lines; seeded, so every run builds the same document; 1000 entries are about
350 pages) is rendered two ways, each in a fresh subprocess (so that ru_maxrss is the
peak of that way alone), the two ways interleaved round by round (which one goes
first alternates):

* ``baseline``: ``render_copy_html(doc)``, then WeasyPrint alone on that HTML:
  plain ``HTML(string=html).write_pdf()`` (no fetcher, no PDF/UA, no tags).
* ``pipeline``: ``render_copy_pdf(doc)``, the whole pipeline as the portal runs it
  (template, StaticOnlyFetcher, PDF/UA-1 with tags).

In both, the template is rendered once untimed first (compiled, as in a running portal).
Reported per way: wall seconds and CPU seconds of the subprocess for the timed part
(best of --rounds each), pages, PDF size and peak memory (ru_maxrss of the subprocess:
Python, Flask, the document and the render). Ratios: pipeline / WeasyPrint alone (the
target is at most 1.25) and pipeline / (HTML + WeasyPrint alone), in wall and CPU time.
The CPU figure is the steadier one when other work shares the machine. The
subprocesses check that they all rendered the same HTML (sha256).

About 4 minutes with the defaults on 2 cores (about 50 s per render of 1000 entries).
Nothing is asserted. Results go to stdout only; nothing is written to disk and no
network is used.
"""
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file's name
# would hide the standard library's `copy` (which nearly everything imports).
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("MAIL_ENABLED", "0")

# --- the document -----------------------------------------------------------------------------

KINDS = ["Melding", "Gesprek", "Huisbezoek", "Telefoongesprek", "Overleg", "Informatie opgevraagd",
         "Veiligheidsbeoordeling", "Verslag"]
SOURCES = ["melder", "informant (professional)", "iemand anders", "gezinslid", "Veilig Thuis"]  # labels.py
NATURES = ["feit", "mening", "veronderstelling", "diagnose"]  # portal/labels.py NATURE_NAMES
TITLES = ["Melding over zorgen om de kinderen", "Gesprek met moeder", "Huisbezoek bij het gezin",
          "Informatie van school", "Overleg met het wijkteam", "Telefoongesprek met vader",
          "Veiligheidsbeoordeling", "Gesprek met de kinderen", "Informatie van de huisarts",
          "Verslag van het onderzoek"]
SENTENCES = [
    "De melder maakt zich zorgen over de veiligheid van de kinderen in het gezin.",
    "Er is volgens de melder vaak ruzie in huis, vooral 's avonds.",
    "Moeder vertelt dat het de laatste weken rustiger is.",
    "Vader zegt dat hij hulp wil bij het opvoeden en bij de schulden.",
    "De kinderen gaan elke dag naar school en zien er verzorgd uit.",
    "School meldt dat de oudste zoon vaak moe is en soms te laat komt.",
    "De huisarts kent het gezin en heeft geen zorgen over de lichamelijke gezondheid.",
    "Tijdens het huisbezoek was het huis schoon en opgeruimd.",
    "De medewerker heeft met beide ouders afspraken gemaakt over de veiligheid.",
    "Moeder geeft aan dat zij bij haar zus kan logeren als het thuis niet goed gaat.",
    "Het wijkteam begeleidt het gezin sinds vorig jaar.",
    "De ouders zijn het niet eens met de zorgen van de melder.",
    "Afgesproken is dat het wijkteam over zes weken opnieuw op bezoek gaat.",
    "Vader vertelt dat hij boos werd, maar dat hij niemand heeft geslagen.",
    "De jongste dochter zegt dat zij zich thuis veilig voelt.",
    "Veilig Thuis vraagt informatie op bij de school en de huisarts.",
    "Er zijn geen eerdere meldingen bij Veilig Thuis over dit gezin.",
    "De medewerker legt uit wat Veilig Thuis doet en wat de volgende stappen zijn.",
    "Beide ouders willen meewerken aan hulp voor het gezin.",
    "De politie is op 3 maart geweest na een melding van de buren.",
]
OWN = ["Ik ben het niet eens met wat de melder zegt.", "Er is bij ons thuis nooit geslagen.",
       "Ik wil dat dit in mijn dossier komt te staan.", "De ruzie ging over geld, niet over de kinderen."]
LABELS = ["[weggelaten: privacy derde]", "[weggelaten: privacy derde]", "[weggelaten: veiligheid]",
          "[weggelaten: taak Veilig Thuis]"]  # portal/rules/redaction.py LABELS


def build_document(n: int, *, language: str = "nl", seed: int = 14, draft: bool = True):
    """A CopyDocument with n entries, the same for the same arguments."""
    from portal.documents.copy_document import CopyDocument, EntryView, Segment, WithheldLine

    rnd = random.Random(seed)
    start = date(2019, 1, 7)
    entries = []
    day = 0
    for number in range(1, n + 1):
        day += rnd.randint(0, 3)
        target = rnd.randint(300, 800)
        segments: list = []
        length = 0
        paragraph = 0
        while length < target:
            if rnd.random() < 0.12:
                segments.append(Segment(rnd.choice(LABELS), redacted=True))
                segments.append(Segment(" "))
                length += 28
            sentence = rnd.choice(SENTENCES)
            paragraph += 1
            sep = "\n\n" if paragraph % 3 == 0 else ("\n" if paragraph % 5 == 0 else " ")
            segments.append(Segment(sentence + sep))
            length += len(sentence) + len(sep)
        own = rnd.random() < 0.05
        if own:
            segments = [Segment(" ".join(rnd.sample(OWN, 3)) + "\n")] + segments
        title = (Segment(rnd.choice(TITLES)),)
        if rnd.random() < 0.08:
            title = (Segment(rnd.choice(TITLES) + " en "), Segment(LABELS[0], redacted=True))
        withheld = "Dit stuk laten wij weg om de veiligheid van iemand te beschermen (artikel 14 lid 2)." \
            if rnd.random() < 0.02 else None
        attachments = (f"Bijlage {number}.1: met weglatingen, na de stukken",) if rnd.random() < 0.05 else ()
        entries.append(EntryView(number=number, date=start + timedelta(days=day), kind_label=rnd.choice(KINDS),
                                 title=title, source_label=rnd.choice(SOURCES), nature_label=rnd.choice(NATURES),
                                 text=tuple(segments), own_statement=own, withheld_label=withheld,
                                 attachment_lines=attachments))
    withheld_lines = (
        WithheldLine("privacy van een ander (artikel 14 lid 2)", 120,
                     "In het dossier staan ook gegevens over andere mensen. Die laten wij weg."),
        WithheldLine("veiligheid (artikel 14 lid 2)", 20,
                     "Soms laten wij iets weg om de veiligheid van iemand te beschermen."),
    )
    return CopyDocument(language=language, reference="VT-7Q2K-M4XD-9RTB", recipient_name="Sanne de Vries",
                        made_on=date(2025, 2, 14), received_on=date(2025, 1, 20), subject_name="Sanne de Vries",
                        on_behalf=False, entries=tuple(entries), withheld=withheld_lines,
                        attachment_count=sum(1 for e in entries if e.attachment_lines), draft=draft)


def _app():
    from portal import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_ENABLED": False})


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


# --- one way, in a subprocess -------------------------------------------------------------------

def child(way: str, entries: int, language: str) -> dict:
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from weasyprint import HTML

    from portal.documents import copy_pdf

    app = _app()
    doc = build_document(entries, language=language)
    out: dict = {"way": way}
    clock = time.perf_counter
    cpu = time.process_time  # this process only: less disturbed by other work on the machine
    with app.app_context():
        html = copy_pdf.render_copy_html(doc)  # once untimed: templates compiled, same HTML for the hash
        if way == "baseline":
            t0, c0 = clock(), cpu()
            html = copy_pdf.render_copy_html(doc)
            t1, c1 = clock(), cpu()
            pdf = HTML(string=html).write_pdf()
            t2, c2 = clock(), cpu()
            out.update(html_s=t1 - t0, weasy_s=t2 - t1, seconds=t2 - t0,
                       html_cpu=c1 - c0, weasy_cpu=c2 - c1, cpu=c2 - c0)
        elif way == "pipeline":
            t0, c0 = clock(), cpu()
            pdf = copy_pdf.render_copy_pdf(doc)
            out.update(seconds=clock() - t0, cpu=cpu() - c0)
        else:
            raise SystemExit(f"unknown way {way}")
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.update(pages=_pages(pdf), bytes=len(pdf), html_sha=hashlib.sha256(html.encode()).hexdigest()[:16],
               html_chars=len(html), maxrss_kb=self_rss)
    return out


def run_child(way: str, args) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", way, "--entries", str(args.entries),
           "--language", args.language]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, cwd=ROOT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"{way}: subprocess failed ({proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--entries", type=int, default=1000, help="entries in the copy (default 1000, about 500 pages)")
    p.add_argument("--rounds", type=int, default=2, help="subprocesses per way, interleaved; best counts (default 2)")
    p.add_argument("--language", choices=["nl", "en"], default="nl")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per subprocess")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.entries, args.language)))
        return 0

    ways = ["baseline", "pipeline"]
    runs: dict[str, list[dict]] = {w: [] for w in ways}
    print(f"copy PDF benchmark: {args.entries} entries, language {args.language}, {args.rounds} round(s); "
          f"python {platform.python_version()}, {os.cpu_count()} CPU(s)", flush=True)
    for r in range(args.rounds):
        for way in (ways if r % 2 == 0 else ways[::-1]):  # alternate which way goes first
            res = run_child(way, args)
            runs[way].append(res)
            print(f"  round {r + 1} {way:9s} {res['seconds']:7.2f} s wall, {res['cpu']:7.2f} s CPU, "
                  f"{res['pages']} pages, peak {res['maxrss_kb'] / 1024:.0f} MB", flush=True)
    best = {w: min(rs, key=lambda x: x["seconds"]) for w, rs in runs.items()}
    base, pipe = best["baseline"], best["pipeline"]
    same_html = len({x["html_sha"] for rs in runs.values() for x in rs}) == 1
    # best of the rounds, each figure on its own (wall clock and this process's CPU time)
    weasy = min(x["weasy_s"] for x in runs["baseline"])
    weasy_cpu = min(x["weasy_cpu"] for x in runs["baseline"])
    html_s = min(x["html_s"] for x in runs["baseline"])
    html_cpu = min(x["html_cpu"] for x in runs["baseline"])
    pipe_s = min(x["seconds"] for x in runs["pipeline"])
    pipe_cpu = min(x["cpu"] for x in runs["pipeline"])

    def row(way: str, wall: float, cpu: float, res: dict | None = None) -> None:
        pages = f"{res['pages']:5d}" if res else ""
        size = f"{res['bytes'] / 1e6:6.2f}" if res else ""
        peak = f"{res['maxrss_kb'] / 1024:7.0f}" if res else ""
        print(f"| {way:44s} | {wall:7.2f} | {cpu:7.2f} | {pages:>5s} | {size:>6s} | {peak:>7s} |")

    print()
    print(f"| {'way':44s} | {'wall s':>7s} | {'CPU s':>7s} | {'pages':>5s} | {'PDF MB':>6s} | {'peak MB':>7s} |")
    print(f"|{'-' * 46}|{'-' * 9}|{'-' * 9}|{'-' * 7}|{'-' * 8}|{'-' * 9}|")
    row("render_copy_html", html_s, html_cpu)
    row("WeasyPrint alone: HTML(string=).write_pdf()", weasy, weasy_cpu, base)
    row("(a) baseline: render_copy_html + the above", html_s + weasy, html_cpu + weasy_cpu)
    row("(b) render_copy_pdf (PDF/UA-1, tagged)", pipe_s, pipe_cpu, pipe)
    print()
    print(f"(b) / WeasyPrint alone:        wall {pipe_s / weasy:5.2f}   CPU {pipe_cpu / weasy_cpu:5.2f}   (target <= 1.25)")
    print(f"(b) / (a) baseline:            wall {pipe_s / (html_s + weasy):5.2f}   CPU "
          f"{pipe_cpu / (html_cpu + weasy_cpu):5.2f}")
    print(f"peak memory (b) / WeasyPrint:  {pipe['maxrss_kb'] / base['maxrss_kb']:5.2f}")
    print(f"HTML: {base['html_chars'] / 1e6:.2f} M characters; the same HTML in every subprocess: {same_html}")
    print("Peak memory: ru_maxrss of the subprocess (Python, Flask, the document and the render).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
