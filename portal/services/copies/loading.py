"""Loading a copy's rows in a fixed number of statements (issue 12 item 3: the workbench
at scale). The copy's pages and actions walk every entry, its source, whom it
concerns and its attachments; lazily that is one or more SQL statements per entry (a
1,000-entry copy ran 1,024 on one page). ``preload_copy`` and ``preload_dossier`` read
each kind of row once, so the count is the same for 10 and for 1,000 entries. The
loaders are ``subqueryload`` (one statement per relationship; ``selectinload`` would
cut its IN list into batches of 500, one statement more per 500 entries). The
rows are kept by the returned holder: the session's identity map holds objects only
weakly, and a many-to-one (``CopyEntry.entry``) is then answered from it without SQL."""
from __future__ import annotations

from sqlalchemy.orm import defer, subqueryload

from ...infra.extensions import db
from ...models import Copy, CopyAttachment, CopyEntry, Dossier, DossierAttachment, DossierEntry


class Loaded(list):
    """The preloaded rows; keep it alive as long as the copy is used."""


def preload_dossier(dossier: Dossier) -> Loaded:
    """Every entry of ``dossier`` with whom it concerns and its attachments, and its
    persons: a fixed number of statements whatever the number of entries."""
    held = Loaded()
    held += db.session.execute(
        db.select(Dossier).where(Dossier.id == dossier.id)
        .options(subqueryload(Dossier.persons),
                 subqueryload(Dossier.entries).subqueryload(DossierEntry.concerns),
                 subqueryload(Dossier.entries).subqueryload(DossierEntry.attachments))
    ).scalars().all()
    return held


def preload_copy(copy: Copy) -> Loaded:
    """The copy's dossier (its persons, every entry with its attachments: the copy's
    entries are among them, and the own statements look at all of them), then the
    copy's entries, redactions and attachments. The entry's author and disclosures are
    not read (neither the copy nor the workbench shows them; each is one more
    decryption per entry)."""
    held = Loaded()
    link = copy.link
    held += db.session.execute(
        db.select(Dossier).where(Dossier.id == link.dossier_pk)
        .options(subqueryload(Dossier.persons),
                 subqueryload(Dossier.entries).options(defer(DossierEntry.author), defer(DossierEntry.shared_with_json),
                                                       subqueryload(DossierEntry.attachments)))
    ).scalars().all()
    held += db.session.execute(
        db.select(Copy).where(Copy.id == copy.id)
        .options(subqueryload(Copy.entries), subqueryload(Copy.redactions),
                 subqueryload(Copy.attachments).subqueryload(CopyAttachment.attachment))
    ).scalars().all()
    held += [link, link.person, link.requester_person, link.dossier]
    held += list(link.dossier.entries)
    return held

