"""Measure how easy the main public pages and the letters are to read, in Dutch:
Flesch-Douma and LIX (issue 15, item 2: keep B1).

    PYTHONPATH=$PWD .venv/bin/python scripts/readability.py > docs/readability.md

Flesch-Douma (Douma 1960, the Dutch form of Flesch Reading Ease):
    206.835 - 0.93 x (words per sentence) - 77 x (syllables per word)
Higher is easier; about 60-70 and up is plain language (B1 and easier for most
readers), 30-50 is hard. A syllable is a group of vowels (aa, ee, ie, oe, ui, eu, ij
... count once): rough, but the same for every page, so pages can be compared and a
page that gets harder shows.

LIX (Björnsson 1968, used for Dutch and the Scandinavian languages; it needs no
syllables): words per sentence + 100 x (share of words longer than six letters).
Lower is easier; under 40 is easy (plain language), 40-50 average, over 50 hard.

The page's <main> is read: headings, labels, hints, buttons; not the header, footer or
the quick-exit button. Pages are read as an adult filing for themselves reads them
("u") and as a child of 13 reads them ("je": their own flow, the confirmation and status
page, the invitation for a child whose parent started). Letters are read from the
HTML the PDF is made of, as the services make them, for an adult and a young addressee.
"""
from __future__ import annotations

import html as htmlmod
import re
import sys
from datetime import date
from unittest import mock

VOWEL_GROUP = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]+")
WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:[-'][A-Za-zÀ-ÿ]+)*")
SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)|\n")

#: Pages anyone sees before saying who they are, and an adult's own flow ("u").
PAGES = [
    ("Startpagina", "/"),
    ("Uw rechten", "/uw-rechten"),
    ("Klachten", "/klachten"),
    ("Veilig internetten", "/veilig-internetten"),
    ("Een verzoek doen", "/verzoek"),
    ("Voor wie", "/verzoek/voor-wie"),
    ("Over u", "/verzoek/over-u"),
    ("Uw verzoek volgen", "/volgen"),
    ("Meedoen aan een verzoek", "/meedoen"),
]


def syllables(word: str) -> int:
    return max(1, len(VOWEL_GROUP.findall(word.lower())))


def main_text(page: str) -> str:
    m = re.search(r"<main[^>]*>(.*?)</main>", page, re.S) or re.search(r"<body[^>]*>(.*?)</body>", page, re.S)
    body = m.group(1) if m else page
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    # Block elements end a sentence (a heading, a label, a list item).
    body = re.sub(r"</?(h[1-6]|p|li|label|legend|button|dt|dd|div|td|th)[^>]*>", "\n", body)
    return htmlmod.unescape(re.sub(r"<[^>]+>", " ", body))


def flesch_douma(text: str) -> tuple[float, int, int, int]:
    sentences = [s for s in SENTENCE_END.split(text) if WORD.search(s)]
    words = WORD.findall(text)
    if not words:
        return 0.0, 0, 0, 0
    syl = sum(syllables(w) for w in words)
    score = 206.835 - 0.93 * (len(words) / len(sentences)) - 77 * (syl / len(words))
    return score, len(sentences), len(words), syl


def lix(text: str) -> float:
    sentences = [s for s in SENTENCE_END.split(text) if WORD.search(s)]
    words = WORD.findall(text)
    if not words:
        return 0.0
    return len(words) / len(sentences) + 100 * sum(1 for w in words if len(w) > 6) / len(words)


Row = tuple[str, str, float, float, int, int, float]


def row(name: str, where: str, html: str) -> Row:
    text = main_text(html)
    score, n_sent, n_words, _syl = flesch_douma(text)
    return (name, where, score, lix(text), n_sent, n_words, n_words / max(n_sent, 1))


class Browser:
    """The app's test client, CSRF off: get a page, post a step."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, path: str) -> str:
        return self.client.get(path).get_data(as_text=True)

    def post(self, path: str, data: dict | None = None):
        resp = self.client.post(path, data=data or {})
        assert resp.status_code in (200, 302), f"{path}: {resp.status_code}"
        return resp


def _dmy(d: date) -> str:
    return d.strftime("%d-%m-%Y")


def _years_ago(n: int, today: date) -> date:
    return today.replace(year=today.year - n, day=min(today.day, 28))


def walk(app, today: date, *, young: bool) -> tuple[list[Row], str, str]:
    """File a request page by page, as an adult or a child of 13 (with a parent, by a
    code); measure each page as it shows. Returns the rows, the reference and passphrase."""
    b, rows = Browser(app), []
    tag = "je" if young else "u"
    b.post("/verzoek")
    b.post("/verzoek/voor-wie", {"for_whom": "self"})
    if not young:
        rows += [row(name, f"`{path}`", b.get(path)) for name, path in PAGES]
    born = _years_ago(13 if young else 40, today)
    b.post("/verzoek/over-u", {"given_names": "Noor", "surname": "Bakker", "birth_date": _dmy(born), "bsn": ""})
    steps = [("Wat wil je vragen" if young else "Wat wilt u vragen", "rechten", {"rights": ["inzage", "afschrift"]}),
             ("Afschrift", "afschrift", {"delivery": "download"})]
    if young:
        steps.append(("Tweede persoon", "tweede-persoon", {"given_names": "Petra", "surname": "Bakker",
                                                         "rep_kind": "ouder_met_gezag", "channel": "code"}))
    steps += [("Laten zien wie " + ("je" if young else "u") + " bent", "identiteit", {"method": "in_person"}),
              ("Hoe mogen wij " + tag + " bereiken", "contact", {"ways": ["none"]})]
    for name, step, data in steps:
        rows.append(row(name, f"`/verzoek/{step}` ({tag})", b.get(f"/verzoek/{step}")))
        b.post(f"/verzoek/{step}", data)
    rows.append(row("Controleer " + ("je" if young else "uw") + " antwoorden", f"`/verzoek/controleren` ({tag})",
                    b.get("/verzoek/controleren")))
    done = b.post("/verzoek/controleren", {"truthful": "y"}).get_data(as_text=True)
    rows.append(row("Bevestiging", f"`/verzoek/controleren`, sent ({tag})", done))
    reference = re.search(r'id="reference">(VT-[A-Z0-9-]+)<', done).group(1)
    passphrase = re.search(r'id="passphrase"[^>]*>([^<]+)<', done).group(1).strip()
    code = re.search(r'id="invitation-code">([A-Z0-9-]+)<', done)
    status = Browser(app)
    status.post("/volgen/wachtzin", {"p-reference": reference, "p-passphrase": passphrase})
    rows.append(row("Status", f"`/volgen/verzoek` ({tag})", status.get("/volgen/verzoek")))
    if young and code:
        # The parent's invitation (an adult reads "u"): the page after the code.
        parent = Browser(app)
        parent.post("/meedoen", {"reference": reference, "code": code.group(1)})
        rows.append(row("Meedoen, gegevens (ouder)", "`/meedoen/gegevens` (u)", parent.get("/meedoen/gegevens")))
    return rows, reference, passphrase


def invited_child(app, today: date) -> list[Row]:
    """A parent starts a joint request for a child of 14 (art. 20.1); the child's pages."""
    b = Browser(app)
    b.post("/verzoek")
    b.post("/verzoek/voor-wie", {"for_whom": "child_12_16"})
    b.post("/verzoek/vertegenwoordiging", {"rep_kind": "ouder_met_gezag"})
    b.post("/verzoek/betrokkene", {"given_names": "Mila", "surname": "Jansen", "birth_date": _dmy(_years_ago(14, today))})
    b.post("/verzoek/over-u", {"given_names": "Karin", "surname": "Jansen", "birth_date": "02-02-1975", "bsn": ""})
    b.post("/verzoek/rechten", {"rights": ["inzage"]})
    b.post("/verzoek/tweede-persoon", {"channel": "code"})
    b.post("/verzoek/identiteit", {"method": "in_person"})
    b.post("/verzoek/bewijs", {"method": "in_person"})
    b.post("/verzoek/contact", {"ways": ["none"]})
    done = b.post("/verzoek/controleren", {"truthful": "y"}).get_data(as_text=True)
    reference = re.search(r'id="reference">(VT-[A-Z0-9-]+)<', done).group(1)
    code = re.search(r'id="invitation-code">([A-Z0-9-]+)<', done).group(1)
    child = Browser(app)
    child.post("/meedoen", {"reference": reference, "code": code})
    return [row("Meedoen, gegevens (kind)", "`/meedoen/gegevens` (je)", child.get("/meedoen/gegevens")),
            row("Niet veilig (kind)", "`/meedoen/niet-veilig` (je)", child.get("/meedoen/niet-veilig"))]


def letters(app, references: dict[str, str], today: date) -> list[Row]:
    """The decision and extension letters as the services make them (the HTML the PDF is
    made of), for an adult ("u") and for a child of 13 who kept the parent out ("je")."""
    from portal.infra.extensions import db
    from portal.models import Decision, Extension, Request
    from portal.services import letters as letters_svc

    rows = []
    reasons = "Een deel van het dossier gaat over iemand anders. Dat deel laten wij niet zien."
    with app.test_request_context(), mock.patch.object(letters_svc, "render_pdf", lambda html: html.encode()):
        for tag, reference in references.items():
            req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
            dec = Decision(request_id=req.id, right="inzage", outcome="grant_in_part",
                           grounds_json='["third_party_privacy"]', reasons=reasons)
            html = letters_svc.render_decision_letter(req, dec).decode()
            rows.append(row("Brief: besluit", f"decision letter ({tag})", html))
            ext = Extension(request_id=req.id, right="inzage", reasons="Het dossier is groot.", decided_on=today,
                            told_on=today, new_due_on=today)
            letter = letters_svc.keep_extension_letter(req, ext)
            html = app.extensions["vault"].decrypt(letter.ciphertext).decode()
            rows.append(row("Brief: verlenging", f"extension letter ({tag})", html))
        db.session.rollback()
    return rows


def measure(app) -> list[Row]:
    from portal.services.timeline import today_local

    with app.app_context():
        today = today_local()
    adult, adult_ref, _ = walk(app, today, young=False)
    young, _young_ref, _ = walk(app, today, young=True)
    # A child of 13 who starts and says involving the parent is not safe: the letters'
    # only reader is the child (art. 20.4).
    b = Browser(app)
    b.post("/verzoek")
    b.post("/verzoek/voor-wie", {"for_whom": "self"})
    b.post("/verzoek/over-u", {"given_names": "Noor", "surname": "Bakker", "birth_date": _dmy(_years_ago(13, today)),
                               "bsn": ""})
    b.post("/verzoek/rechten", {"rights": ["inzage"]})
    b.post("/verzoek/tweede-persoon", {"given_names": "Petra", "surname": "Bakker", "rep_kind": "ouder_met_gezag",
                                       "not_safe": "y", "not_safe_note": ""})
    b.post("/verzoek/identiteit", {"method": "in_person"})
    b.post("/verzoek/contact", {"ways": ["none"]})
    done = b.post("/verzoek/controleren", {"truthful": "y"}).get_data(as_text=True)
    alone_ref = re.search(r'id="reference">(VT-[A-Z0-9-]+)<', done).group(1)
    return adult + young + invited_child(app, today) + letters(app, {"u": adult_ref, "je": alone_ref}, today)


def main() -> int:
    from portal import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        from portal.infra.extensions import db

        db.create_all()
    rows = measure(app)
    print("# Readability of the main public pages and the letters (Dutch)\n")
    print("Measured with `scripts/readability.py`, two Dutch measures (issue 15, item 2: keep B1):\n")
    print("- **Flesch-Douma**: higher is easier; 60 and up is plain language, B1 for most readers.")
    print("- **LIX**: lower is easier; under 40 is easy, 40-50 average, over 50 hard.\n")
    print("Pages marked (u) are read as an adult filing for themselves, (je) as a child of 13:")
    print("their own flow with a parent invited by a code, the child invited by a parent, and the")
    print("letters to a child of 13 who kept the parent out (art. 20.4). Regenerate after changing")
    print("page or letter texts:\n")
    print("    PYTHONPATH=$PWD .venv/bin/python scripts/readability.py > docs/readability.md\n")
    print("| page | where | Flesch-Douma | LIX | sentences | words | words per sentence |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, where, score, lx, n_sent, n_words, wps in rows:
        print(f"| {name} | {where} | {score:.0f} | {lx:.0f} | {n_sent} | {n_words} | {wps:.1f} |")
    pages = [r for r in rows if not r[0].startswith("Brief")]
    letters_ = [r for r in rows if r[0].startswith("Brief")]
    for label, chosen in (("pages", pages), ("letters", letters_)):
        print(f"\nAverage over the {label}: Flesch-Douma {sum(r[2] for r in chosen) / len(chosen):.0f}, "
              f"LIX {sum(r[3] for r in chosen) / len(chosen):.0f}.", end="")
    hard = [f"{r[0]}, {r[1]}" for r in rows if r[2] < 60 or r[3] > 40]
    if hard:
        print("\n\nUnder 60 on Flesch-Douma or over 40 on LIX: " + "; ".join(hard) + ". These are pages")
        print("of a few short labels with long words (the names of the rights, 'e-mailadres', a")
        print("reference and dates), where one long word weighs heavily: read them again when")
        print("their words change.", end="")
    print("\n\nA rough measure: it counts syllables by vowel groups and ends a sentence at every")
    print("heading, label and list item, so a page of labels has few words per sentence; it says")
    print("nothing about word choice, so hard words are explained in a hint where they")
    print("first appear (issue 15). A letter's reasons are typed by staff: the figures use a short")
    print("example. The \"je\" form of a text is as long as its \"u\" form, so the two read about the")
    print("same; compare a page with its own row, not with another page.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
