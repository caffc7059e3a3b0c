"""The workbench at scale (issue 12 item 3): which entries the page shows. A copy of
1,000 entries is paged (``PER_PAGE``), filtered by what still needs a decision, and an
entry is found by its number in the copy or its date.

All of it is in the URL (``pagina``, ``filter``, ``naar``, ``datum``): numbers, a date
and a word from a fixed list, never a name or other personal data. A value that is not
allowed (a filter not on the list, a page out of range, a number no entry has, a date
that is not a date or after the last entry) gives a clear error next to the form and
the first page of all entries; nothing is stored by reading a page."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.models import CopyAttachment, CopyRedaction
from portal.rules import redaction as R

PER_PAGE = 25

#: The filters, in the order the form offers them: the URL value and the words.
FILTERS = {
    "alles": _l("Alle stukken"),
    "detector": _l("Met vondsten van de detector die nog niet zijn bevestigd of opgeheven"),
    "melder": _l("Met weglatingen voor de melder of de veiligheid die nog niet zijn bevestigd"),
    "niet-opgenomen": _l("Stukken die niet worden opgenomen"),
    "bijlagen": _l("Met bijlagen die nog niet zijn bekeken"),
}
DEFAULT = "alles"

NAV_ERRORS = {
    "bad_filter": _l("Kies een filter uit de lijst."),
    "bad_page": _l("Deze pagina bestaat niet. Kies een pagina uit de lijst."),
    "bad_number": _l("Er is geen stuk met dit nummer. Vul een nummer in uit het afschrift."),
    "bad_date": _l("Vul een datum in zoals 2025-03-12."),
    "no_date": _l("Er is geen stuk op of na deze datum."),
}


def _undecided(part, grounds=None, origin=None) -> bool:
    return any(m.record is not None and m.state == CopyRedaction.APPLIED
               and (grounds is None or m.ground in grounds) and (origin is None or m.origin == origin)
               for m in part.marks)


def matches(part, name: str) -> bool:
    """Whether ``part`` (a ``copies.Part``) is shown under the filter ``name``."""
    if name == "detector":
        return _undecided(part, origin=CopyRedaction.DETECTOR)
    if name == "melder":
        return _undecided(part, grounds={R.REPORTER_PROTECTION, R.SAFETY})
    if name == "niet-opgenomen":
        return part.copy_entry is not None and bool(part.copy_entry.withheld)
    if name == "bijlagen":
        return any(a.state == CopyAttachment.UNREVIEWED for a in part.attachments)
    return True


@dataclass
class Nav:
    """Where the caseworker is: the filter, the page, and what the page shows."""

    filter: str = DEFAULT
    page: int = 1
    pages: int = 1
    total: int = 0  # parts under the filter
    shown: list = field(default_factory=list)  # indexes into the copy's parts
    counts: dict = field(default_factory=dict)  # filter -> parts under it
    error: str | None = None
    jump_to: str | None = None  # anchor of the entry jumped to
    clamped: bool = False  # the page asked for is gone after an action: the last one shown instead

    def query(self, **changes) -> dict:
        """The URL parameters of this place (for links and the forms' way back)."""
        out = {"filter": self.filter, "pagina": self.page}
        out.update(changes)
        return {k: v for k, v in out.items() if not (k == "filter" and v == DEFAULT) and not (k == "pagina" and v == 1)}


def anchor_of(part) -> str:
    if part.statement is not None:
        return f"verklaring-{part.statement.id}"
    return f"stuk-{part.copy_entry.entry_pk}"


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 6:
        return None
    return int(value)


def place(parts, args, *, clamp: bool = False) -> Nav:
    """The page that ``args`` (the query string) asks for, over the copy's ``parts``.
    ``clamp``: just after an action (without JavaScript), a page beyond the last (a
    filter that shrank) is the last page, not an error."""
    nav = Nav(counts={name: sum(1 for p in parts if matches(p, name)) for name in FILTERS})
    error = None
    name = args.get("filter", DEFAULT) or DEFAULT
    if name not in FILTERS:
        name, error = DEFAULT, "bad_filter"
    chosen = [i for i, p in enumerate(parts) if matches(p, name)]
    page = 1
    if "naar" in args or "datum" in args:
        target = None
        if (args.get("naar") or "").strip():
            number = _int(args.get("naar"))
            target = next((i for i, p in enumerate(parts) if number is not None and p.view.number == number), None)
            if target is None:
                error = error or "bad_number"
        elif (args.get("datum") or "").strip():
            try:
                wanted = date.fromisoformat(args.get("datum").strip())
            except ValueError:
                wanted, error = None, error or "bad_date"
            if wanted is not None:
                target = next((i for i, p in enumerate(parts) if p.view.date and p.view.date >= wanted), None)
                if target is None:
                    error = error or "no_date"
        if target is not None:
            if target not in chosen:  # jump out of a filter that hides the entry: all entries
                name, chosen = DEFAULT, list(range(len(parts)))
            page = chosen.index(target) // PER_PAGE + 1
            nav.jump_to = anchor_of(parts[target])
    elif "pagina" in args:
        page = _int(args.get("pagina")) or 0
    pages = max(1, -(-len(chosen) // PER_PAGE))
    if clamp and not error and page > pages:
        page, nav.clamped = pages, True
    if not 1 <= page <= pages:
        error, page = error or "bad_page", 1
    if error:
        name, chosen, page = DEFAULT, list(range(len(parts))), 1
        pages = max(1, -(-len(chosen) // PER_PAGE))
    nav.filter, nav.page, nav.pages, nav.total, nav.error = name, page, pages, len(chosen), error
    nav.shown = chosen[(page - 1) * PER_PAGE: page * PER_PAGE]
    return nav


def back_to(form) -> dict:
    """The page a posted form came from (hidden ``filter`` and ``pagina``), checked:
    anything not on the list is left out (back to the first page of all entries)."""
    out = {}
    name = form.get("filter", DEFAULT)
    if name in FILTERS and name != DEFAULT:
        out["filter"] = name
    page = _int(form.get("pagina"))
    if page and 1 < page <= 100000:
        out["pagina"] = page
    return out
