"""Benchmark: a big copy (afschrift, art. 14) with attachments as PDF, against WeasyPrint alone on the same HTML.

    .venv/bin/python benchmarks/copy.py [--entries 1000] [--attachments 10] [--rounds 2] [--language nl]
    .venv/bin/python benchmarks/copy.py --entries 200 --rounds 3     # quicker

A CopyDocument with --entries entries (realistic Dutch text of about 300-800 characters
each, with line breaks, redaction boxes, own statements, withheld entries and
attachment lines; seeded, so every run builds the same document; 1000 entries are about
350 pages) and --attachments included attachments (made-up typed letters of 1 to 3 A4
pages at 150 dpi, every page with a blacked-out name, made by ``attachment_redaction.redact``
as the workbench makes them; the other attachment lines are listed as withheld) is
rendered four ways, each in a fresh subprocess (so that ru_maxrss is the peak of that
way alone), the ways interleaved round by round (the order rotates):

* ``weasy``: ``render_copy_html(doc)``, then WeasyPrint alone on that HTML: plain
  ``HTML(string=html).write_pdf()`` (no fetcher, no PDF/UA, no tags).
* ``weasy-ua``: the same, with ``pdf_variant="pdf/ua-1"`` (tagged): the second baseline
  (issue 12), what WeasyPrint itself costs for an accessible PDF.
* ``pipeline``: ``render_copy_pdf(doc, attachments=..., text_layers=...)``, the whole
  pipeline as the portal runs it: template, StaticOnlyFetcher, PDF/UA-1 with tags, the
  attachments and their OCR text layers (made untimed first, as the workbench makes and
  keeps them when an attachment is redacted) read back and checked, and the pages
  placed and tagged (pikepdf).
* ``pipeline-ocr``: the same without kept layers: OCR of every attachment page while
  rendering (one tesseract run in a background thread beside WeasyPrint), as for an
  attachment redacted before the layers were kept.

The HTML is the same in all four (with the attachment pages and their footers, slots
empty in the two baselines). In every way the template is rendered once untimed first
(compiled, as in a running portal). Reported per way: wall seconds and CPU seconds of
the subprocess for the timed part (best of --rounds each), CPU seconds of its own
children (tesseract), pages, PDF size and peak memory (ru_maxrss of the subprocess:
Python, Flask, the document and the render; tesseract's own peak is shown apart).
Ratios: pipeline / WeasyPrint alone with PDF/UA-1 (the target is at most 1.1 in time and
peak memory) and pipeline / plain WeasyPrint. The CPU figure is the steadier one when
other work shares the machine. The subprocesses check that they all rendered the same
HTML (sha256).

About 8 minutes with the defaults on 2 cores (about 50 s per render of 1000 entries).
Nothing is asserted. Results go to stdout only; nothing is written to disk but
tesseract's temporary files, and no network is used.
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


def build_document(n: int, *, language: str = "nl", seed: int = 14, draft: bool = True, attachments: int = 0):
    """A CopyDocument with n entries, the same for the same arguments; the first
    ``attachments`` attachment lines are included (redacted), the others withheld."""
    from portal.documents.copy_document import AttachmentLine, CopyDocument, EntryView, Segment, WithheldLine

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
        att_lines = (f"Bijlage {number}.1: met weglatingen, na de stukken",) if rnd.random() < 0.05 else ()
        entries.append(EntryView(number=number, date=start + timedelta(days=day), kind_label=rnd.choice(KINDS),
                                 title=title, source_label=rnd.choice(SOURCES), nature_label=rnd.choice(NATURES),
                                 text=tuple(segments), own_statement=own, withheld_label=withheld,
                                 attachment_lines=att_lines))
    withheld_lines = (
        WithheldLine("privacy van een ander (artikel 14 lid 2)", 120,
                     "In het dossier staan ook gegevens over andere mensen. Die laten wij weg."),
        WithheldLine("veiligheid (artikel 14 lid 2)", 20,
                     "Soms laten wij iets weg om de veiligheid van iemand te beschermen."),
    )
    lines, included = [], 0
    for e in entries:
        if e.attachment_lines and not e.withheld_label:
            if included < attachments:
                included += 1
                lines.append(AttachmentLine(e.number, included, True, "privacy van een ander (art. 14 lid 2)"))
            else:
                lines.append(AttachmentLine(e.number, None, False, "veiligheid van betrokkenen (art. 14 lid 2)"))
    return CopyDocument(language=language, reference="VT-7Q2K-M4XD-9RTB", recipient_name="Sanne de Vries",
                        made_on=date(2025, 2, 14), received_on=date(2025, 1, 20), subject_name="Sanne de Vries",
                        on_behalf=False, entries=tuple(entries), withheld=withheld_lines,
                        attachment_count=included, draft=draft, attachments=tuple(lines))


def build_attachments(count: int, *, seed: int = 12) -> list[bytes]:
    """``count`` redacted attachments: typed letters of 1-3 A4 pages at 150 dpi, each page
    with a name blacked out (``redact``, as the workbench does), the same for the same
    arguments."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    from portal.documents.attachment_redaction import Box, redact

    rnd = random.Random(seed)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 25)
    out = []
    for _ in range(count):
        frames = []
        for _page in range(rnd.choice([1, 1, 2, 3])):
            image = Image.new("RGB", (1240, 1754), "white")
            draw = ImageDraw.Draw(image)
            draw.text((120, 150), "Huisartsenpraktijk De Linde, verslag aan Veilig Thuis", font=font, fill="black")
            draw.text((120, 200), "Opgesteld door Ineke Bosman, huisarts", font=font, fill="black")
            for i in range(rnd.randint(18, 30)):
                draw.text((120, 290 + 44 * i), rnd.choice(SENTENCES)[:80], font=font, fill="black")
            frames.append(image)
        tiff = io.BytesIO()
        frames[0].save(tiff, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate")
        boxes = [Box(n, 0.09, 0.108, 0.5, 0.128) for n in range(len(frames))]
        out.append(redact(tiff.getvalue(), "image/tiff", boxes, dpi=150))
    return out


def _app():
    from portal import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_ENABLED": False})


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


# --- one way, in a subprocess -------------------------------------------------------------------

def child(way: str, entries: int, language: str, attachments: int) -> dict:
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from weasyprint import HTML

    from portal.documents import copy_pdf
    from portal.documents.attachment_redaction import ocr_text_layer_or_none

    app = _app()
    doc = build_document(entries, language=language, attachments=attachments)
    parts = build_attachments(sum(1 for a in doc.attachments if a.included))  # fewer lines in a short copy
    out: dict = {"way": way}
    clock = time.perf_counter
    cpu = time.process_time  # this process only: less disturbed by other work on the machine

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    # The CPU time of placing the attachment pages (WeasyPrint's finisher), summed.
    from portal.documents import attachment_pages

    placing = {"cpu": 0.0}
    original_place = attachment_pages.place

    def timed_place(pdf, placements):
        c = time.process_time()
        try:
            return original_place(pdf, placements)
        finally:
            placing["cpu"] += time.process_time() - c

    attachment_pages.place = timed_place
    with app.app_context():
        _images, paged = copy_pdf.with_attachment_pages(doc, parts)
        html = copy_pdf.render_copy_html(paged)  # once untimed: templates compiled, same HTML for the hash
        k0 = children_cpu()
        if way in ("weasy", "weasy-ua"):
            options = {"pdf_variant": copy_pdf.PDF_VARIANT} if way == "weasy-ua" else {}
            t0, c0 = clock(), cpu()
            _images, paged = copy_pdf.with_attachment_pages(doc, parts)
            html = copy_pdf.render_copy_html(paged)
            t1, c1 = clock(), cpu()
            pdf = HTML(string=html).write_pdf(**options)
            t2, c2 = clock(), cpu()
            out.update(html_s=t1 - t0, weasy_s=t2 - t1, seconds=t2 - t0,
                       html_cpu=c1 - c0, weasy_cpu=c2 - c1, cpu=c2 - c0)
        elif way == "pipeline":
            # The text layers as the workbench keeps them when an attachment is redacted (untimed).
            layers = [ocr_text_layer_or_none(part) for part in parts]
            k0 = children_cpu()
            t0, c0 = clock(), cpu()
            pdf = copy_pdf.render_copy_pdf(doc, attachments=parts, text_layers=layers)
            out.update(seconds=clock() - t0, cpu=cpu() - c0, layers_kept=sum(1 for x in layers if x))
        elif way == "pipeline-ocr":
            t0, c0 = clock(), cpu()
            pdf = copy_pdf.render_copy_pdf(doc, attachments=parts)  # no kept layers: OCR now, beside WeasyPrint
            out.update(seconds=clock() - t0, cpu=cpu() - c0)
        else:
            raise SystemExit(f"unknown way {way}")
        out["children_cpu"] = children_cpu() - k0
        out["place_cpu"] = placing["cpu"]
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.update(pages=_pages(pdf), bytes=len(pdf), html_sha=hashlib.sha256(html.encode()).hexdigest()[:16],
               html_chars=len(html), maxrss_kb=self_rss,
               attachment_pages=len(paged.attachment_pages), attachments=len(parts))
    return out


def run_child(way: str, args) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", way, "--entries", str(args.entries),
           "--language", args.language, "--attachments", str(args.attachments)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, cwd=ROOT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"{way}: subprocess failed ({proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--entries", type=int, default=1000, help="entries in the copy (default 1000, about 500 pages)")
    p.add_argument("--rounds", type=int, default=2, help="subprocesses per way, interleaved; best counts (default 2)")
    p.add_argument("--attachments", type=int, default=10,
                   help="included attachments, 1-3 pages each (default 10, about 17 pages)")
    p.add_argument("--language", choices=["nl", "en"], default="nl")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per subprocess")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.entries, args.language, args.attachments)))
        return 0

    ways = ["weasy", "weasy-ua", "pipeline", "pipeline-ocr"]
    runs: dict[str, list[dict]] = {w: [] for w in ways}
    print(f"copy PDF benchmark: {args.entries} entries, {args.attachments} attachments, language {args.language}, "
          f"{args.rounds} round(s); python {platform.python_version()}, {os.cpu_count()} CPU(s)", flush=True)
    for r in range(args.rounds):
        for way in ways[r % len(ways):] + ways[:r % len(ways)]:  # rotate which way goes first
            res = run_child(way, args)
            runs[way].append(res)
            print(f"  round {r + 1} {way:9s} {res['seconds']:7.2f} s wall, {res['cpu']:7.2f} s CPU "
                  f"(+{res['children_cpu']:.2f} s tesseract), {res['pages']} pages, "
                  f"peak {res['maxrss_kb'] / 1024:.0f} MB", flush=True)
    best = {w: min(rs, key=lambda x: x["seconds"]) for w, rs in runs.items()}
    plain, ua, pipe, pocr = best["weasy"], best["weasy-ua"], best["pipeline"], best["pipeline-ocr"]
    same_html = len({x["html_sha"] for rs in runs.values() for x in rs}) == 1

    def low(way: str, key: str) -> float:  # best of the rounds, each figure on its own
        return min(x[key] for x in runs[way])

    html_s, html_cpu = low("weasy-ua", "html_s"), low("weasy-ua", "html_cpu")
    plain_s, plain_cpu = low("weasy", "weasy_s"), low("weasy", "weasy_cpu")
    ua_s, ua_cpu = low("weasy-ua", "weasy_s"), low("weasy-ua", "weasy_cpu")
    pipe_s, pipe_cpu = low("pipeline", "seconds"), low("pipeline", "cpu")
    ocr_cpu = low("pipeline-ocr", "children_cpu")
    pocr_s, pocr_cpu = low("pipeline-ocr", "seconds"), low("pipeline-ocr", "cpu")

    def row(way: str, wall: float, cpu: float, res: dict | None = None, extra: str = "") -> None:
        pages = f"{res['pages']:5d}" if res else ""
        size = f"{res['bytes'] / 1e6:6.2f}" if res else ""
        peak = f"{res['maxrss_kb'] / 1024:7.0f}" if res else ""
        print(f"| {way:54s} | {wall:7.2f} | {cpu:7.2f} | {extra:>9s} | {pages:>5s} | {size:>6s} | {peak:>7s} |")

    print()
    print(f"| {'way':54s} | {'wall s':>7s} | {'CPU s':>7s} | {'OCR CPU s':>9s} | {'pages':>5s} | {'PDF MB':>6s} "
          f"| {'peak MB':>7s} |")
    print(f"|{'-' * 56}|{'-' * 9}|{'-' * 9}|{'-' * 11}|{'-' * 7}|{'-' * 8}|{'-' * 9}|")
    row("render_copy_html (with the attachment pages)", html_s, html_cpu)
    row("WeasyPrint alone: write_pdf()", plain_s, plain_cpu, plain)
    row("WeasyPrint alone: write_pdf(pdf_variant='pdf/ua-1')", ua_s, ua_cpu, ua)
    row("(a) baseline: render_copy_html + WeasyPrint PDF/UA-1", html_s + ua_s, html_cpu + ua_cpu)
    row("(b) render_copy_pdf, attachments with kept OCR layers", pipe_s, pipe_cpu, pipe,
        f"{low('pipeline', 'children_cpu'):9.2f}")
    row("(c) render_copy_pdf, attachments OCR'd while rendering", pocr_s, pocr_cpu, pocr, f"{ocr_cpu:9.2f}")
    print()
    print(f"placing the attachment pages (WeasyPrint's finisher, in (b)): {low('pipeline', 'place_cpu'):.2f} s CPU; "
          f"CPU of the same way differs by up to a fifth between rounds on a shared machine")
    print(f"attachment pages: {pipe['attachment_pages']} (OCR layers kept for {pipe['layers_kept']} of "
          f"{pipe['attachments']} attachments); tesseract runs as its own process: its memory is not "
          f"in the peak column")
    print(f"(b) / WeasyPrint PDF/UA-1 alone: wall {pipe_s / ua_s:5.2f}   CPU {pipe_cpu / ua_cpu:5.2f}   "
          f"peak memory {pipe['maxrss_kb'] / ua['maxrss_kb']:5.2f}   (target <= 1.1)")
    print(f"(b) / (a) baseline:              wall {pipe_s / (html_s + ua_s):5.2f}   CPU "
          f"{pipe_cpu / (html_cpu + ua_cpu):5.2f}")
    print(f"(c) / WeasyPrint PDF/UA-1 alone: wall {pocr_s / ua_s:5.2f}   CPU {pocr_cpu / ua_cpu:5.2f}   "
          f"CPU with OCR {(pocr_cpu + ocr_cpu) / ua_cpu:5.2f}   peak memory {pocr['maxrss_kb'] / ua['maxrss_kb']:5.2f}")
    print(f"(b) / plain WeasyPrint alone:    wall {pipe_s / plain_s:5.2f}   CPU {pipe_cpu / plain_cpu:5.2f}   "
          f"peak memory {pipe['maxrss_kb'] / plain['maxrss_kb']:5.2f}")
    print(f"WeasyPrint PDF/UA-1 / plain:     wall {ua_s / plain_s:5.2f}   CPU {ua_cpu / plain_cpu:5.2f}")
    print(f"HTML: {ua['html_chars'] / 1e6:.2f} M characters; the same HTML in every subprocess: {same_html}")
    print("Peak memory: ru_maxrss of the subprocess (Python, Flask, the document and the render).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
