"""What an execution of destruction or erasure (art. 17, 18) touches in each linked
dossier: the entries about the subject alone, those also about others, the entries that
name the subject, the subject's own statements and the portal's copies of that data
(ids and counts for the execution page and the log; the rows for ``execute``)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ...infra.extensions import db
from ...models import Copy, CopyEntry, Dossier, DossierEntry, DossierLink, DossierPerson, OwnStatement, Request
from ...rules import grounds as G
from ...rules import redaction as R
from ..copies.common import links_of, person_value
from .common import (DOSSIER_NOT_LINKED, DestructionError, concerned_entries, concerns_person, is_removed,
                     standing_decision)


def _only_about(entry: DossierEntry, person: DossierPerson) -> bool:
    """The entry is about this person alone (no one else in ``concerns``)."""
    others = [c for c in entry.concerns if c.id != person.id]
    return not others and concerns_person(entry, person)


def person_values(dossier: Dossier):
    return {p.id: person_value(p) for p in dossier.persons if not is_removed(p)}


def subject_spans(text: str | None, subject, others: Sequence) -> list[tuple[int, int]]:
    """Where ``text`` holds an identifier that names ``subject`` (a
    ``rules.selection.Person``) and no one else of the dossier: spans to replace
    (``rules.redaction.find_subject_identifiers``: a street only with the subject's own
    number, a family name alone only where no one else has it, nothing that is also
    another person's)."""
    if not text:
        return []
    return [(a, b) for a, b, _g in R.merge(R.find_subject_identifiers(text, subject, list(others)))]


@dataclass
class Plan:
    """What an execution does in one linked dossier (ids and counts for the page and
    the log; the rows themselves for ``execute``)."""

    link: DossierLink
    full: bool  # the whole request granted: also mentions, statements, the person row
    whole: list[DossierEntry] = field(default_factory=list)  # about the subject alone
    shared: list[DossierEntry] = field(default_factory=list)  # also about others: subject taken out
    mentions: list[DossierEntry] = field(default_factory=list)  # not about the subject, but naming them
    statements: list[OwnStatement] = field(default_factory=list)
    copies: list[Copy] = field(default_factory=list)

    @property
    def attachments(self) -> int:
        return sum(len(e.attachments) for e in self.whole + self.shared)

    @property
    def changed(self) -> list[DossierEntry]:
        return self.whole + self.shared + self.mentions


def plan_link(link: DossierLink, *, full: bool, selected: set[int] | None) -> Plan:
    """What an execution does in one linked dossier: every entry of the subject's part
    (``full``), or the ``selected`` ones; for ``full`` also the entries that name the
    subject and the subject's own statements; and every copy of what changes."""
    subject = link.person
    plan = Plan(link=link, full=full)
    targets = [e for e in concerned_entries(link) if full or (selected is not None and e.id in selected)]
    for e in targets:
        (plan.whole if _only_about(e, subject) else plan.shared).append(e)
    if full and not is_removed(subject):
        values = person_values(link.dossier)
        me = values.get(subject.id)
        others = [v for k, v in values.items() if k != subject.id]
        target_ids = {e.id for e in targets}
        for e in link.dossier.entries:
            if e.id in target_ids:
                continue
            if subject_spans(e.text, me, others) or subject_spans(e.title, me, others):
                plan.mentions.append(e)
        plan.statements = list(db.session.execute(
            db.select(OwnStatement).filter_by(dossier_pk=link.dossier_pk, person_pk=subject.id)
            .order_by(OwnStatement.id)).scalars())
    changed = [e.id for e in plan.changed]
    copy_ids: set[int] = set()
    if changed:
        copy_ids |= set(db.session.execute(
            db.select(CopyEntry.copy_id).where(CopyEntry.entry_pk.in_(changed))).scalars())
    if full:
        copy_ids |= set(db.session.execute(
            db.select(Copy.id).join(DossierLink, DossierLink.id == Copy.link_id)
            .where(DossierLink.person_pk == subject.id)).scalars())
    if copy_ids:
        plan.copies = list(db.session.execute(db.select(Copy).where(Copy.id.in_(copy_ids)).order_by(Copy.id)).scalars())
    return plan


def plan(req: Request, right: str, entry_pks: Iterable[int] | None = None) -> list[Plan]:
    """What ``execute`` would do for the standing decision on ``right``: everything of
    the subject for a grant, the selected entries of the subject's part for a grant in
    part."""
    dec = standing_decision(req, right)
    if dec is None or dec.outcome not in (G.Outcome.GRANT.value, G.Outcome.GRANT_IN_PART.value):
        raise DestructionError("not_granted")
    links = links_of(req)
    if not links:
        raise DestructionError(DOSSIER_NOT_LINKED)
    full = dec.outcome == G.Outcome.GRANT.value
    selected: set[int] | None = None
    if not full:
        selected = {int(x) for x in (entry_pks or [])}
        allowed = {e.id for link in links for e in concerned_entries(link)}
        if not selected:
            raise DestructionError("entries_required")
        if not selected <= allowed:
            raise DestructionError("entry_not_concerned")
    return [plan_link(link, full=full, selected=selected) for link in links]
