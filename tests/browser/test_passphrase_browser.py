"""The passphrase on a phone (issue 15): the fixed quick-exit button never covers any
part of it, wherever the page is scrolled; the words are Dutch in the Dutch portal."""
from __future__ import annotations

from portal.services.passphrases import word_list

from .navigator import Filing, Navigator


def _overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_on_a_phone_the_quick_exit_button_never_covers_the_passphrase(new_context, live_server):
    page = new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True).new_page()
    nav = Navigator(page, live_server.base_url, t=live_server.translator("nl"))
    nav.file_request(Filing(email=None))
    sub = nav.submit()
    assert all(w in word_list("nl") for w in sub.passphrase.split())
    phrase, button = page.locator("#passphrase"), page.locator(".quick-exit")
    top = phrase.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    checked = 0
    for offset in range(-80, 200, 8):  # scroll the passphrase under the button, step by step
        page.evaluate(f"window.scrollTo(0, {max(0, top + offset)})")
        a, b = phrase.bounding_box(), button.bounding_box()
        assert a and b
        assert not _overlap(a, b), (offset, a, b)
        checked += 1
    assert checked > 20
