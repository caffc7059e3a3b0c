"""What a copy (afschrift, art. 14) holds once every decision about it is made: the
plain data from which the PDF is rendered (portal/documents/copy_pdf.py).

Everything here is already redacted: a redaction is a ``Segment`` whose text is the
label ("[weggelaten: privacy derde]"), never the original characters (issue #4: "a
black box over real text is not a redaction"). Nothing here is markup: the template
escapes every string.

Built by the copy service (portal/services/copies/document.py) from the dossier, the rules of
art. 13 (portal/rules/selection.py) and the redactions decided for the copy
(portal/rules/redaction.py, the detector, staff).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Segment:
    """A run of text. ``redacted``: the text is a redaction label, shown as a box."""

    text: str
    redacted: bool = False


@dataclass(frozen=True)
class EntryView:
    """One entry of the copy (art. 6.5: date, kind, source as a role, nature)."""

    number: int  # 1, 2, ... in date order (the table of contents links to it)
    date: date
    kind_label: str  # "Melding", "Gesprek", ... in the copy's language
    title: tuple[Segment, ...]
    source_label: str  # a role ("melder", "vader", "informant"), never a name
    nature_label: str  # "feit", "mening", "hypothese", "diagnose"
    text: tuple[Segment, ...]
    own_statement: bool = False  # art. 16: the person's own statement, shown in full
    # The whole entry is withheld (art. 14.2, signed by a team leader): only this line
    # is printed in its place.
    withheld_label: str | None = None
    # Attachments of the entry: a short line each ("Bijlage 1: redacted, see page ..."
    # is not known before rendering, so only the attachment's number and what happened).
    attachment_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class WithheldLine:
    """For the cover letter: what was withheld or redacted, on which ground, how often."""

    ground_label: str  # "privacy van een ander (art. 14 lid 2)"
    count: int
    explanation: str


@dataclass(frozen=True)
class AttachmentLine:
    """For the cover letter: one attachment of a printed entry and what became of it.
    ``number``: its number in the copy (``Bijlage 1``) when it is included, else None;
    ``redacted``: parts are blacked out; ``ground_label``: why (in words: what was
    blacked out, or why the whole attachment is left out)."""

    entry_number: int
    number: int | None
    redacted: bool = False
    ground_label: str = ""

    @property
    def included(self) -> bool:
        return self.number is not None


@dataclass(frozen=True)
class AttachmentPageView:
    """One page of an included attachment, printed on a page of its own after the
    entries (``slot_id``: where portal/documents/attachment_pages.py draws the image)."""

    number: int  # the attachment's number in the copy
    page: int  # 1-based
    pages: int
    entry_number: int
    landscape: bool
    slot_id: str


@dataclass(frozen=True)
class CopyDocument:
    """The whole copy: cover letter data, the entries, and what follows them."""

    language: str  # "nl" or "en"
    reference: str  # the request's reference, "VT-XXXX-XXXX-XXXX"
    recipient_name: str  # for "Afschrift voor <name>, <date>, <reference>" on every page
    made_on: date
    received_on: date  # when VT received the request
    subject_name: str  # whose data this is (the child, in a representative's request)
    on_behalf: bool  # a representative or joint request: "namens/over <subject>"
    entries: tuple[EntryView, ...]
    withheld: tuple[WithheldLine, ...] = ()
    # Number of attachments that follow the entries as redacted page images.
    attachment_count: int = 0
    # Every attachment of a printed entry: included (redacted or not) or left out, and why.
    attachments: tuple[AttachmentLine, ...] = ()
    # The pages of the included attachments (set by the renderer, which reads them).
    attachment_pages: tuple[AttachmentPageView, ...] = ()
    draft: bool = True  # a draft says so on every page ("CONCEPT")
    young: bool = False  # its readers are young: the cover letter says "je" (portal/young.py)
    extra: dict = field(default_factory=dict)
