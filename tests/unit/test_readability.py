"""The two Dutch readability measures of scripts/readability.py, which docs/readability.md
reports for the main public pages and the letters (issue 15, item 2: keep B1)."""
from __future__ import annotations

import pytest

from scripts.readability import flesch_douma, lix, main_text


def test_issue15_flesch_douma_and_lix_of_a_short_plain_sentence():
    score, sentences, words, syllables = flesch_douma("De kat zit op de mat.")
    assert (sentences, words, syllables) == (1, 6, 6)
    assert score == pytest.approx(206.835 - 0.93 * 6 - 77 * 1)
    assert lix("De kat zit op de mat.") == pytest.approx(6.0)


def test_issue15_long_words_make_it_harder_on_both_measures():
    plain, hard = "Wij helpen je graag.", "Gegevensverwerkingsovereenkomsten vereisen verantwoording."
    assert flesch_douma(hard)[0] < flesch_douma(plain)[0]
    assert lix(hard) > lix(plain)


def test_issue15_only_the_main_part_of_a_page_is_read_and_every_heading_ends_a_sentence():
    page = "<header>Snel weg</header><main><h1>Je verzoek</h1><p>Wij helpen je.</p></main><footer>x</footer>"
    text = main_text(page)
    assert "Snel weg" not in text and "x" not in text
    assert flesch_douma(text)[1] == 2
