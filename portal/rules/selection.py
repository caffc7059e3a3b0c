"""What a person's copy holds: art. 13 and 14 of the Privacyreglement Veilig Thuis (2018).

Art. 13: one dossier per household, but access (inzage) and a copy (afschrift, art. 14)
hold only the parts of the dossier that concern the requester's subject. In the export
format (``vt-dossier/1``) that is ``entries[].concerns``.

Art. 6.5: every entry records whether it is a fact, an opinion, a hypothesis or a
diagnosis, and the subject's own view; art. 16: an own statement (eigen verklaring) is
added to the dossier. Both always belong to that person's copy.

How the rules read here:

- A copy is made for one *subject* (a ``role == "subject"`` person of the dossier). A
  reporter, informant or third party is not a betrokkene of the household dossier: the
  household copy for them is empty (their own personal data, if they ask, is a matter
  for staff, not for this rule).
- An entry belongs to the subject's copy when its ``concerns`` include the subject
  (art. 13), or when the subject is its ``source_person`` (the subject's own account:
  their view, art. 6.5, and an ``own_statement`` they made, art. 16).
- The schema has no separate entry kind for "the subject's view": it has
  ``own_statement`` (art. 16); the subject's view is recorded as an entry whose source
  is the subject (e.g. a ``conversation``). So both are recognised by ``source_person``.
- Representative (art. 20.1/20.3): the copy is the *subject's* copy. Entries that
  concern only the representative (for example a conversation with the parent about
  the parent) are not in it, unless the representative's entry concerns the subject
  too; an own statement by the representative belongs to the child's copy only when it
  concerns the child.
- Joint request (12 to 16, art. 20.1): the copy is the child's copy: ``subject_id`` is
  the child, whoever started the request.

Which parts of the selected entries are then redacted is ``portal.rules.redaction``.
Withholding a whole entry that this rule selects is a restriction (art. 14.2) that a
team leader signs (art. 20.4): not decided here.

No Flask, no database: plain frozen dataclasses that the service layer maps the models
(``Dossier``, ``DossierPerson``, ``DossierEntry``) onto.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

#: Entry kinds of ``vt-dossier/1`` (schema.json, ``entries[].kind``).
ENTRY_KINDS = frozenset({
    "report", "conversation", "safety_assessment", "investigation",
    "third_party_information", "decision", "letter", "own_statement", "note",
})
#: The subject's own statement (eigen verklaring, art. 16): always in their copy.
OWN_STATEMENT = "own_statement"

ROLES = frozenset({"subject", "reporter", "informant", "third_party"})
SUBJECT = "subject"
REPORTER = "reporter"


@dataclass(frozen=True)
class Address:
    street: str
    number: str
    postcode: str
    city: str


@dataclass(frozen=True)
class Person:
    """A person of a dossier with every identifier the export gives for them."""

    id: str
    role: str  # subject, reporter, informant, third_party
    given_names: str
    family_name: str
    birth_date: date | None = None
    bsn: str | None = None
    addresses: tuple[Address, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    organisation: str | None = None
    protected_address: bool = False
    relation: str = ""  # "mentor op school": for a reporter it points to them

    @classmethod
    def from_export(cls, data: Mapping) -> "Person":
        """From one ``persons[]`` object of a ``vt-dossier/1`` export."""
        bd = data.get("birth_date")
        return cls(
            id=data["id"],
            role=data["role"],
            given_names=data["given_names"],
            family_name=data["family_name"],
            birth_date=date.fromisoformat(bd) if isinstance(bd, str) else bd,
            bsn=data.get("bsn"),
            addresses=tuple(Address(a["street"], a["number"], a["postcode"], a["city"])
                            for a in data.get("addresses") or ()),
            phones=tuple(data.get("phones") or ()),
            emails=tuple(data.get("emails") or ()),
            organisation=data.get("organisation"),
            protected_address=bool(data.get("protected_address", False)),
            relation=data.get("relation") or "",
        )


@dataclass(frozen=True)
class Entry:
    """An entry of a dossier (art. 6.5: date, kind, nature, source; art. 13: concerns)."""

    id: str
    date: date
    kind: str
    nature: str  # fact, opinion, hypothesis, diagnosis
    source_person: str | None
    concerns: tuple[str, ...]
    text: str
    title: str = ""  # titles hold names too ("Gesprek met Lotte"): redact them as text

    @classmethod
    def from_export(cls, data: Mapping) -> "Entry":
        """From one ``entries[]`` object of a ``vt-dossier/1`` export."""
        d = data["date"]
        return cls(
            id=data["id"],
            date=date.fromisoformat(d) if isinstance(d, str) else d,
            kind=data["kind"],
            nature=data["nature"],
            source_person=data.get("source_person"),
            concerns=tuple(data["concerns"]),
            text=data["text"],
            title=data.get("title") or "",
        )


def belongs_to_copy(entry: Entry, subject_id: str) -> bool:
    """Whether one entry belongs to the copy of ``subject_id``.

    Art. 13: the entry concerns the subject. Art. 6.5 / art. 16: the subject is the
    entry's source (their own view, their own statement)."""
    return subject_id in entry.concerns or entry.source_person == subject_id


def entries_for_copy(
    entries: Iterable[Entry],
    *,
    subject_id: str,
    requester_is_subject: bool,
    persons: Sequence[Person],
    requester_id: str | None = None,
    joint: bool = False,
) -> tuple[Entry, ...]:
    """The entries of the copy (art. 14) for ``subject_id``, in date order.

    Art. 13: only entries whose ``concerns`` include the subject. Art. 6.5 and 16: the
    subject's own view and own statements (entries whose ``source_person`` is the
    subject) always belong to it.

    ``requester_is_subject=False``: a representative (art. 20.1, 20.3) asks for the
    subject's copy; ``requester_id`` (optional: a representative need not be a person of
    the dossier) must then differ from the subject. The representative's own entries
    are not included unless they concern the subject too. ``joint=True``: the 12-to-16
    joint request (art. 20.1), in which ``subject_id`` is the child; the copy is the
    child's, whoever of the two started it.

    A person who is not a subject of the dossier (reporter, informant, third party)
    gets no entries. An unknown ``subject_id`` raises ``ValueError``.
    """
    by_id = {p.id: p for p in persons}
    if subject_id not in by_id:
        raise ValueError(f"unknown person {subject_id!r}")
    if not requester_is_subject and requester_id is not None and requester_id == subject_id:
        raise ValueError("a representative's request names the subject as its own requester")
    if by_id[subject_id].role != SUBJECT:
        return ()
    chosen = [e for e in entries if belongs_to_copy(e, subject_id)]
    # Stable: entries of the same date keep the dossier's order.
    return tuple(sorted(chosen, key=lambda e: e.date))
