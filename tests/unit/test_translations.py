"""The catalogues: Dutch is the source (msgstr = msgid), English is complete.

`make messages` re-extracts the texts and updates both catalogues; these tests say
whether the English one was filled in afterwards, and whether the site really speaks
English when asked to.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _messages(lang: str):
    return [m for m in _catalog(lang) if m.id]


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def _ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def test_english_catalogue_has_no_empty_translation():
    empty = [m.id for m in _messages("en") if not all(s.strip() for s in _strings(m))]
    assert not empty, f"{len(empty)} English message(s) without a translation: {empty[:5]}"


def test_english_catalogue_has_no_fuzzy_entry():
    fuzzy = [m.id for m in _messages("en") if m.fuzzy]
    assert not fuzzy, f"fuzzy English message(s), check and remove the flag: {fuzzy[:5]}"


def test_english_placeholders_equal_those_of_the_dutch_text():
    wrong = []
    for m in _messages("en"):
        wanted = sorted(PLACEHOLDER.findall(_ids(m)[0]))
        for s in _strings(m):
            if sorted(PLACEHOLDER.findall(s)) != wanted:
                wrong.append((m.id, s))
    assert not wrong, f"placeholders differ: {wrong[:5]}"


def test_dutch_catalogue_translates_every_text_to_itself():
    wrong = [m.id for m in _messages("nl") if _strings(m) != _ids(m)[: len(_strings(m))] or m.fuzzy]
    assert not wrong, f"nl msgstr differs from msgid (run scripts/nl_source_catalogue.py): {wrong[:5]}"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_catalogue_holds_the_same_texts_as_the_template(lang):
    with (TRANSLATIONS / "messages.pot").open("rb") as fh:
        pot = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(fh) if m.id}
    po = {m.id if isinstance(m.id, str) else tuple(m.id) for m in _messages(lang)}
    assert po == pot, "run `make messages`"


def test_front_page_in_english(client):
    response = client.get("/taal/en?next=/")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Your information at Veilig Thuis" in page
    assert "Quick exit" in page
    assert "Uw gegevens bij Veilig Thuis" not in page
