""""Je" for young readers, "u" for adults (issue 15; B1, the house rule).

A young person (under 18) reading about their own request (a child takes part from 12,
art. 20.1 and 20.2; a child of 12 to 16 invited by a parent, art. 20.4) reads every
page and e-mail with "je/jij/jouw", never "u". Adults read "u". The texts stay written
once, in the "u" form, where they are used; this table gives the "je" form of each one
a young person can see. Who reads is decided by the view (``g.young``, see
portal/public/views.py) or, for an e-mail, by the service that sends it.

How it is applied, so that templates keep their ordinary ``_("...")``:
- the templates' ``_``/``gettext`` look the message id up here first when g.young is
  set (installed over Flask-Babel's callables by ``register``);
- texts that arrive already made (form labels, hints and errors, status and event
  names) pass the ``je`` filter, which the form macros apply.
English says "you" either way: each "je" message has the English of its "u" message.
"""
from __future__ import annotations

from flask import Flask, g, has_app_context
from flask_babel import get_translations
from flask_babel.speaklater import LazyString


def N_(text: str) -> str:
    """Marks a message id for extraction (Babel's default keyword); translated later."""
    return text


#: The "u" message id -> its "je" message id.
YOUNG: dict[str, str] = {
    # base.html, shared
    "Uw rechten": N_("Jouw rechten"),
    "Uw verzoek volgen": N_("Je verzoek volgen"),
}


def young_now() -> bool:
    return bool(has_app_context() and g.get("young"))


def msgid_for(msgid: str) -> str:
    """The message id to translate for whoever reads now."""
    return YOUNG.get(msgid, msgid) if young_now() else msgid


def je(text):
    """A text made elsewhere (a form label, an error, a status name), in the "je" form
    when a young person reads. Lazy texts are looked up by their message id, plain
    ones by their (Dutch) words; in English both forms are the same."""
    if not young_now() or text is None:
        return text
    if isinstance(text, LazyString):
        key = text._args[0] if text._args else ""
        if key in YOUNG:
            return get_translations().ugettext(YOUNG[key]) % text._kwargs if text._kwargs else \
                get_translations().ugettext(YOUNG[key])
        return text
    key = str(text)
    return get_translations().ugettext(YOUNG[key]) if key in YOUNG else text


def register(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: get_translations().ugettext(msgid_for(s)),
        ngettext=lambda s, p, n: get_translations().ungettext(msgid_for(s), msgid_for(p), n),
        newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n),
    )
    app.add_template_filter(je, "je")
