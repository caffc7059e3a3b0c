"""What the back office's pages read for correction (art. 15) and own statement (art. 16):
the correction page and the statement page (with the subject's own entries: a logged
read of personal data), and the small panel on the request page (no dossier data)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ...infra.extensions import db
from ...models import (CorrectionItem, Decision, Document, DossierEntry, DossierLink, NotificationTask, OwnStatement,
                       RegistrationInstruction, Request)
from ...rules import grounds as G
from ...rules.permissions import Permission
from ...rules.rights import Right
from .. import authz, casework
from ..authz import Actor
from ..copies.amendments import Effective, effective_amendments
from ..copies.common import links_of
from .common import (DECIDED, EXECUTED, OWN_STATEMENT, RECTIFICATION, eligible_entries, items_of, load, log_access,
                     open_decision, require_asked, standing_decision, statements_for_request)
from .correction import ensure_items
from .guards import has_representative
from .registration import instructions_of, tasks_of
from .statement import request_statement_document, requested_statement


@dataclass
class EntryRow:
    link: DossierLink
    entry: DossierEntry
    amendment: Effective | None


@dataclass
class CorrectionPage:
    req: Request
    verified: bool
    links: list[DossierLink]
    items: list[CorrectionItem]
    entries: list[EntryRow]
    decision: Decision | None  # the signed one
    open: Decision | None  # proposed or sent back
    instructions: list[RegistrationInstruction]
    tasks: list[NotificationTask]
    all_decided: bool
    executed: bool
    has_representative: bool
    grounds: list = field(default_factory=list)


def _entry_rows(req: Request, verified: bool) -> tuple[list[DossierLink], list[EntryRow]]:
    """The linked dossiers and the subject's entries with their amendments: nothing
    before every identity check is done (art. 20.5)."""
    links = links_of(req) if verified else []
    if not (verified and links):
        return links, []
    eligible = eligible_entries(req)
    amended = effective_amendments(e.entry.id for e in eligible)
    return links, [EntryRow(e.link, e.entry, amended.get(e.entry.id)) for e in eligible]


def correction_page(actor: Actor, reference: str) -> CorrectionPage:
    """Everything the correction page shows, with the dossier entries of the subject's
    part (a read of personal data: logged)."""
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="request", subject_ref=reference)
    req = load(reference)
    require_asked(req, RECTIFICATION)
    verified = casework.identity_verified(req)
    items = ensure_items(actor, req) if authz.can(actor, Permission.DECISION_PROPOSE) else items_of(req)
    links, rows = _entry_rows(req, verified)
    has_rep = has_representative(req)
    page = CorrectionPage(
        req=req, verified=verified, links=links, items=items, entries=rows,
        decision=standing_decision(req, RECTIFICATION), open=open_decision(req, RECTIFICATION),
        instructions=[i for i in instructions_of(req) if i.kind == "rectify"],
        tasks=tasks_of(req), all_decided=bool(items) and all(i.state in (DECIDED, EXECUTED) for i in items),
        executed=any(i.state == EXECUTED for i in items), has_representative=has_rep,
        grounds=G.grounds_for(Right.RECTIFICATION, has_representative=has_rep),
    )
    log_access(actor, "rectification.view", req,
               reason=f"request {req.reference}: {len(rows)} entr(y/ies) of {len(links)} linked dossier(s)")
    db.session.commit()
    return page


@dataclass
class StatementPage:
    req: Request
    verified: bool
    links: list[DossierLink]
    entries: list[EntryRow]
    requested_text: str
    request_pdf: Document | None
    statements: list[OwnStatement]
    decision: Decision | None
    open: Decision | None
    instructions: list[RegistrationInstruction]


def statement_page(actor: Actor, reference: str) -> StatementPage:
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="request", subject_ref=reference)
    req = load(reference)
    require_asked(req, OWN_STATEMENT)
    verified = casework.identity_verified(req)
    links, rows = _entry_rows(req, verified)
    page = StatementPage(
        req=req, verified=verified, links=links, entries=rows, requested_text=requested_statement(req),
        request_pdf=request_statement_document(req), statements=statements_for_request(req),
        decision=standing_decision(req, OWN_STATEMENT), open=open_decision(req, OWN_STATEMENT),
        instructions=[i for i in instructions_of(req) if i.kind == "add_statement"],
    )
    log_access(actor, "statement.view", req, reason=f"request {req.reference}: {len(rows)} entr(y/ies)")
    db.session.commit()
    return page


@dataclass(frozen=True)
class PanelData:
    """The small panel on the request page (no dossier data)."""

    rectification: bool
    own_statement: bool
    verified: bool
    linked: bool
    items: dict  # state -> count
    statement_added: bool
    open_tasks: int
    unconfirmed: int


def panel(req: Request) -> PanelData | None:
    asked = {r.right for r in req.rights}
    if RECTIFICATION not in asked and OWN_STATEMENT not in asked:
        return None
    counts: dict[str, int] = {}
    for i in items_of(req):
        counts[i.state] = counts.get(i.state, 0) + 1
    verified = casework.identity_verified(req)
    inst = instructions_of(req)
    return PanelData(rectification=RECTIFICATION in asked, own_statement=OWN_STATEMENT in asked, verified=verified,
                     linked=bool(links_of(req)) if verified else False, items=counts,
                     statement_added=bool(statements_for_request(req)),
                     open_tasks=sum(1 for t in tasks_of(req) if t.done_on is None),
                     unconfirmed=sum(1 for i in inst if i.waiting))
