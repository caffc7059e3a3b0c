"""The passphrase (issue 15): Dutch words in Dutch, English words in English, at least as
strong as seven EFF words (90.5 bits), typed back with any case and spacing and with one
slip per word forgiven where only one word fits; two slips, or a slip that fits two
words, are not."""
from __future__ import annotations

import math
import secrets

import pytest

from portal.services import passphrases as pp

EFF_BITS = 7 * math.log2(7776)


def test_the_dutch_list_is_large_plain_and_at_least_three_edits_apart():
    words = pp.word_list("nl")
    assert len(words) == len(set(words)) == 4096
    assert all(w.isascii() and w.isalpha() and w.islower() and 4 <= len(w) <= 8 for w in words)
    assert not set(words) & set(pp.word_list("en"))
    # Every pair differs in 3 edits or more, so one slip maps to one word. Two words
    # within 2 edits share a form with up to 2 letters left out: only those are compared.
    from scripts.build_nl_wordlist import deletes, levenshtein

    seen: dict[str, list[str]] = {}
    for w in words:
        for key in deletes(w, 2):
            for other in seen.get(key, ()):
                assert levenshtein(w, other) >= 3, (w, other)
            seen.setdefault(key, []).append(w)


def test_as_strong_as_seven_eff_words_in_both_languages():
    assert pp.entropy_bits("en") == pytest.approx(EFF_BITS, abs=0.01)
    assert pp.entropy_bits("nl") == 96.0 >= EFF_BITS


def test_dutch_words_in_dutch_and_english_words_in_english():
    nl, en = set(pp.word_list("nl")), set(pp.word_list("en"))
    for _ in range(20):
        assert all(w in nl for w in pp.new("nl").split()) and len(pp.new("nl").split()) == 8
        assert all(w in en for w in pp.new("en").split()) and len(pp.new("en").split()) == 7


def _slip(word: str, kind: str) -> str:
    i = len(word) // 2
    other = "q" if word[i] != "q" else "x"
    return {"missing": word[:i] + word[i + 1:], "extra": word[:i] + other + word[i:],
            "wrong": word[:i] + other + word[i + 1:]}[kind]


@pytest.mark.parametrize("kind", ["missing", "extra", "wrong"])
def test_one_slip_per_dutch_word_with_any_case_and_spacing_is_put_right(kind):
    phrase = pp.new("nl")
    typed = "  " + "   ".join(_slip(w, kind).upper() if i % 2 else _slip(w, kind) for i, w in enumerate(phrase.split()))
    assert pp.normalise(typed, "nl") == phrase


def test_two_slips_in_a_word_are_not_put_right():
    phrase = pp.new("nl")
    words = phrase.split()
    w = words[0]
    words[0] = ("q" if w[0] != "q" else "x") + w[1:-1]  # the first letter wrong and the last missing
    assert pp.normalise(" ".join(words), "nl") != phrase


def test_an_english_slip_is_put_right_only_where_one_word_fits():
    en = pp.word_list("en")
    fixed = ambiguous = 0
    for w in secrets.SystemRandom().sample(en, 300):
        typed = _slip(w, "wrong")
        fits = [x for x in en if pp._one_edit_apart(typed, x)]
        if len(fits) == 1:
            assert pp.normalise(typed, "en") == w
            fixed += 1
        elif typed not in en:
            assert pp.normalise(typed, "en") == typed  # no guessing between two words
            ambiguous += 1
    assert fixed > 0
