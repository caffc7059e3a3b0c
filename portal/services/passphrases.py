"""Passphrases for people who cannot safely receive e-mail: words in their language,
typed back with any case and spacing, and one typing slip per word forgiven.

- Dutch: 8 words from portal/data/wachtzin-nl.txt (4,096 common Dutch words of 4 to 8
  letters, built by scripts/build_nl_wordlist.py from wordfreq and the OpenTaal
  dictionary; words that could upset are filtered out). 8 x 12 bits = 96 bits.
- English: 7 words from the EFF long list (7,776 words), as before: 7 x 12.9 = 90.5 bits.

Every two Dutch words differ in at least 3 edits, so a word typed with one slip (a
letter missing, extra or wrong) is one edit from exactly one word: the portal puts the
right word back before checking the hash. For the English list, which has no such
spacing, a slip is put right only where exactly one word is one edit away.
"""
from __future__ import annotations

import math
import secrets
from functools import lru_cache
from pathlib import Path

from xkcdpass import xkcd_password

DUTCH_LIST = Path(__file__).resolve().parent.parent / "data" / "wachtzin-nl.txt"
WORDS = {"nl": 8, "en": 7}


@lru_cache(maxsize=None)
def word_list(lang: str) -> tuple[str, ...]:
    if lang == "nl":
        return tuple(w for w in DUTCH_LIST.read_text(encoding="utf-8").split() if w)
    words = xkcd_password.generate_wordlist(wordfile=xkcd_password.locate_wordfile("eff-long"), min_length=3,
                                            max_length=9)
    return tuple(sorted(set(words)))


def entropy_bits(lang: str) -> float:
    """How strong a new passphrase in this language is (bits)."""
    return WORDS[lang] * math.log2(len(word_list(lang)))


def new(lang: str) -> str:
    lang = lang if lang in WORDS else "nl"
    words = word_list(lang)
    return " ".join(secrets.choice(words) for _ in range(WORDS[lang]))


def _one_edit_apart(a: str, b: str) -> bool:
    """True when b is a with one letter missing, extra or different."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@lru_cache(maxsize=None)
def _index(lang: str) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """The words, and for each word with one letter left out (or the word itself), the
    words it could come from: a typed word's candidates without scanning the list."""
    words = word_list(lang)
    by_key: dict[str, list[str]] = {}
    for w in words:
        for key in {w} | {w[:i] + w[i + 1:] for i in range(len(w))}:
            by_key.setdefault(key, []).append(w)
    return frozenset(words), {k: tuple(v) for k, v in by_key.items()}


def _correct(token: str, lang: str) -> str:
    if any(token in _index(other)[0] for other in WORDS):
        return token
    keys = {token} | {token[:i] + token[i + 1:] for i in range(len(token))}
    by_key = _index(lang)[1]
    candidates = {w for k in keys for w in by_key.get(k, ()) if _one_edit_apart(token, w)}
    return candidates.pop() if len(candidates) == 1 else token


def normalise(typed: str, lang: str) -> str:
    """Any case and spacing; one slip per word put right where only one word of the
    request's language fits (a word of either list is taken as typed)."""
    lang = lang if lang in WORDS else "nl"
    return " ".join(_correct(token, lang) for token in (typed or "").lower().split())
