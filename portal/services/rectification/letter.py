"""What the decision letter prints for a correction (art. 15, pdf/decision/_correctie.html)
or an own statement (art. 16, pdf/decision/_eigen_verklaring.html): the requester's own
words per item and the outcome; the dates and kinds of the entries a statement answers.

portal/services/letters.py reads ``letter_part``; the decisions service makes the letter,
so nothing here may import the decisions service."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...infra.extensions import db
from ...models import Decision, OwnStatement, Request
from ...rules import grounds as G
from .common import CHANGES, DECIDED, EXECUTED, OWN_STATEMENT, RECTIFICATION, REFUSE, items_of, statements_for_request


@dataclass(frozen=True)
class LetterItem:
    number: int
    says_now: str | None
    should_say: str | None
    outcome: str
    ground: G.Ground | None
    own_statement_route: bool


@dataclass(frozen=True)
class LetterPart:
    items: tuple[LetterItem, ...] = ()
    own_statement_route: bool = False
    shared: bool = False  # a changed entry was shared with others: they are told (AVG 19)
    statement: OwnStatement | None = None
    responds_to: tuple[tuple[date, object], ...] = ()  # (date, kind label) of the entries answered


def letter_part(decision: Decision) -> LetterPart:
    """What pdf/decision/_correctie.html and _eigen_verklaring.html print for a decision:
    per item the requester's own words and the outcome (never the dossier's text, never
    another person's data); for a statement the dates and kinds of the entries it
    answers."""
    req = db.session.get(Request, decision.request_id)
    if req is None:
        return LetterPart()
    if decision.right == RECTIFICATION:
        items = [i for i in items_of(req) if i.state in (DECIDED, EXECUTED)]
        out = []
        for n, i in enumerate(items, start=1):
            route = i.outcome == REFUSE and (i.about_facts is False
                                             or i.ground == G.Ground.NOT_FACTUALLY_INCORRECT.value)
            out.append(LetterItem(n, i.says_now, i.should_say, i.outcome,
                                  G.Ground(i.ground) if i.ground else None, route))
        shared = any(e.shared_with for i in items if i.outcome in CHANGES for e in i.entries)
        return LetterPart(items=tuple(out), own_statement_route=any(x.own_statement_route for x in out), shared=shared)
    if decision.right == OWN_STATEMENT:
        st = next(iter(statements_for_request(req)), None)
        if st is None:
            return LetterPart()
        from ... import labels

        return LetterPart(statement=st, responds_to=tuple((e.date, labels.ENTRY_KIND_NAMES.get(e.kind, e.kind))
                                                          for e in st.responds_to))
    return LetterPart()
