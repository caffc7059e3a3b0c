"""The check portal/services/decisions.py makes before it stores or signs a decision on
destruction or erasure (art. 17.3, 17.4, 18.3), so that no face can bypass them.

Imports neither decisions nor letters (they import this)."""
from __future__ import annotations

from collections.abc import Sequence

from ...models import Request
from ...rules import grounds as G
from ...rules.rights import Right
from .. import casework
from ..copies.common import links_of
from .common import (ART17_3_MUST_GRANT, ART17_4_INTEREST_REQUIRED, ART18_3_EXCEPTION_REQUIRED, DESTRUCTION,
                     DOSSIER_NOT_LINKED, ERASURE, applied_exceptions, assessment_of, is_refuted)


def check_decision(req: Request, right: Right | str, outcome: G.Outcome | str, grounds: Sequence[str]) -> str | None:
    """None if this decision may be proposed or signed; otherwise the error code.

    Art. 17.3: when the linked dossier's investigation refuted the report, destruction
    is granted: no refusal, no restriction. To know that, a request whose people are
    verified must be linked to the dossier before anything but a grant is decided.
    Art. 17.4: a refusal because keeping the data is of substantial interest to
    someone else names that person and why (``record_interest``).
    Art. 18.3: a refusal of erasure on the AVG 17(3) exceptions names at least one of
    them, ticked in the checklist with a note (``record_erasure``)."""
    right, outcome = Right(right), G.Outcome(outcome)
    if outcome is G.Outcome.GRANT:
        return None
    if right is Right.DESTRUCTION:
        links = links_of(req)
        if any(is_refuted(link) for link in links):
            return ART17_3_MUST_GRANT
        if not links and casework.identity_verified(req):
            return DOSSIER_NOT_LINKED
        if G.Ground.SUBSTANTIAL_INTEREST_OTHER.value in grounds:
            if not links:
                return DOSSIER_NOT_LINKED
            a = assessment_of(req, DESTRUCTION)
            if (a is None or not (a.interest_person or "").strip()
                    or len((a.interest_reasons or "").strip()) < G.MIN_REASONS):
                return ART17_4_INTEREST_REQUIRED
    if right is Right.ERASURE and G.Ground.AVG_17_3_EXCEPTIONS.value in grounds:
        if not applied_exceptions(assessment_of(req, ERASURE)):
            return ART18_3_EXCEPTION_REQUIRED
    return None
