"""The 'je' form of every text a young person reads (portal/young.py; issue 15,
item 2; art. 20.1 and 20.4: a child of 12 to 16 takes part in their own request): each
pair names a real message, the 'je' text never says 'u', and English reads the same
for both (English says 'you' either way)."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from portal.young import YOUNG

ROOT = Path(__file__).resolve().parents[2]
U_WORDS = re.compile(r"\b(u|uw)\b", re.IGNORECASE)


def _catalogue(lang: str):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh)


def test_art20_every_je_text_is_said_without_u_and_differs_from_its_u_text():
    for u_text, je_text in YOUNG.items():
        assert U_WORDS.search(u_text), u_text
        assert not U_WORDS.search(je_text), je_text
        assert re.findall(r"%\(\w+\)s", u_text) == re.findall(r"%\(\w+\)s", je_text), je_text


def test_art20_every_pair_is_in_the_catalogue_and_english_says_the_same():
    en = _catalogue("en")
    for u_text, je_text in YOUNG.items():
        u_msg, je_msg = en.get(u_text), en.get(je_text)
        assert u_msg is not None, f"not a message id any more: {u_text!r}"
        assert je_msg is not None, f"not extracted: {je_text!r}"
        assert je_msg.string and je_msg.string == u_msg.string, je_text


def test_issue15_item2_every_letter_text_that_says_u_has_a_je_form():
    """A letter addressed to a young person (templates/pdf/: decisions, extensions, the
    copy's cover letter, the art. 17.3 outcome letter) says 'je' in every sentence: each
    text there that says 'u' has its 'je' form (art. 20.1, 20.4)."""
    templates = ROOT / "portal" / "templates" / "pdf"
    texts = set()
    for path in templates.rglob("*.html"):
        texts |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"', path.read_text()))
    missing = sorted(t for t in texts if U_WORDS.search(t) and t not in YOUNG)
    assert not missing, missing
