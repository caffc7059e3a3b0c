"""Measure how easy the main public pages are to read, in Dutch: Flesch-Douma.

    PYTHONPATH=$PWD .venv/bin/python scripts/readability.py > docs/readability.md

Flesch-Douma (Douma 1960, the Dutch form of Flesch Reading Ease):
    206.835 - 0.93 x (words per sentence) - 77 x (syllables per word)
Higher is easier; about 60-70 and up is plain language (B1 and easier for most
readers), 30-50 is hard. A syllable is a group of vowels (aa, ee, ie, oe, ui, eu, ij
... count once): rough, but the same for every page, so pages can be compared and a
page that gets harder shows. The page's <main> is read: headings, labels, hints,
buttons; not the header, footer or the quick-exit button.
"""
from __future__ import annotations

import html as htmlmod
import re
import sys

VOWEL_GROUP = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]+")
WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:[-'][A-Za-zÀ-ÿ]+)*")
SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)|\n")

PAGES = [
    ("Startpagina", "/"),
    ("Uw rechten", "/uw-rechten"),
    ("Klachten", "/klachten"),
    ("Veilig internetten", "/veilig-internetten"),
    ("Een verzoek doen", "/verzoek"),
    ("Voor wie", "/verzoek/voor-wie"),
    ("Over u", "/verzoek/over-u"),
    ("Wat wilt u vragen", "/verzoek/rechten"),
    ("Hoe mogen wij u bereiken", "/verzoek/contact"),
    ("Uw verzoek volgen", "/volgen"),
    ("Meedoen aan een verzoek", "/meedoen"),
]


def syllables(word: str) -> int:
    return max(1, len(VOWEL_GROUP.findall(word.lower())))


def main_text(page: str) -> str:
    m = re.search(r"<main[^>]*>(.*?)</main>", page, re.S)
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


def measure(client) -> list[tuple[str, str, float, int, int, float]]:
    client.post("/verzoek")  # start a draft (CSRF is off in this measuring app)
    client.post("/verzoek/voor-wie", data={"for_whom": "self"})
    out = []
    for name, path in PAGES:
        resp = client.get(path)
        score, n_sent, n_words, syl = flesch_douma(main_text(resp.get_data(as_text=True)))
        out.append((name, path, score, n_sent, n_words, n_words / max(n_sent, 1)))
    return out


def main() -> int:
    from portal import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        from portal.infra.extensions import db

        db.create_all()
    rows = measure(app.test_client())
    print("# Readability of the main public pages (Dutch)\n")
    print("Measured with `scripts/readability.py` (Flesch-Douma; higher is easier; 60 and up is plain")
    print("language, B1 for most readers). Regenerate after changing page texts:\n")
    print("    PYTHONPATH=$PWD .venv/bin/python scripts/readability.py > docs/readability.md\n")
    print("| page | path | Flesch-Douma | sentences | words | words per sentence |")
    print("|---|---|---:|---:|---:|---:|")
    for name, path, score, n_sent, n_words, wps in rows:
        print(f"| {name} | `{path}` | {score:.0f} | {n_sent} | {n_words} | {wps:.1f} |")
    avg = sum(r[2] for r in rows) / len(rows)
    print(f"\nAverage: {avg:.0f}. A rough measure: it counts syllables by vowel groups and ends a")
    print("sentence at every heading, label and list item; it says nothing about word choice, so")
    print("hard words are explained in a hint where they first appear (issue 15).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
