"""Helpers for the copy (afschrift) tests: import a dossier, file a verified request,
link it to a dossier person and make a copy, all through the services the faces call."""
from __future__ import annotations

import copy as _copy
import io
import json

from portal.infra.extensions import db
from portal.models import Copy, Dossier
from portal.services import copies
from portal.services import dossiers as dossier_svc

from . import casework_helpers as ch
from .dossier_helpers import example, make_zip
from .queue_helpers import answers

#: Mark Jansen (p2 of the example dossier) asks for a copy of his own data.
MARK = answers(ch.SELF, requester={"given_names": "Mark", "surname": "Jansen", "birth_date": "1985-09-30", "bsn": None},
               rights=["afschrift"])


def import_doc(app, doc: dict | None = None, files: dict[str, bytes] | None = None) -> str:
    doc = doc or example()
    with app.app_context():
        dossier_svc.import_zip_bytes(dossier_svc.CLI, make_zip(doc, files))
        db.session.remove()
    return doc["dossier_id"]


def verified_request(app, caseworker_id: int, base: dict = MARK, **changes) -> str:
    reference = ch.file(app, base, **changes)
    ch.verify_everyone(app, reference, ch.actor(app, caseworker_id))
    return reference


def make_copy(app, caseworker_id: int, reference: str, dossier_id: str, person_id: str,
              requester_person_id: str | None = None) -> int:
    who = ch.actor(app, caseworker_id)
    with app.app_context():
        link = copies.link_dossier(who, reference, dossier_id, person_id, requester_person_id)
        c = copies.create_copy(who, reference, link.id)
        copy_id = c.id
        db.session.remove()
    return copy_id


def get_copy(app, copy_id: int) -> Copy:
    return db.session.get(Copy, copy_id)


def render_now(app, caseworker_id: int, reference: str, copy_id: int) -> bytes:
    """Ask for the rendering (the job runs at once in tests) and read the PDF back."""
    who = ch.actor(app, caseworker_id)
    with app.app_context():
        copies.request_render(who, reference, copy_id)
        db.session.remove()
    with app.app_context():
        data = copies.open_pdf_for_staff(who, reference, copy_id)
        db.session.remove()
    return data


def reviewed_copy(app, caseworker_id: int, *, withhold: bool = False, base: dict = MARK, **changes) -> tuple[str, int]:
    """A verified request for Mark Jansen with its copy rendered and reviewed; with
    ``withhold`` its first entry is withheld (a restriction a team leader signs)."""
    dossier_id = import_doc(app)
    reference = verified_request(app, caseworker_id, base, **changes)
    copy_id = make_copy(app, caseworker_id, reference, dossier_id, "p2")
    who = ch.actor(app, caseworker_id)
    if withhold:
        with app.app_context():
            first = get_copy(app, copy_id).entries[0].entry_pk
            copies.withhold_entry(who, reference, copy_id, first, "vt_task",
                                  "Het onderzoek loopt nog; dit stuk kan nu niet worden gedeeld.")
            db.session.remove()
    render_now(app, caseworker_id, reference, copy_id)
    with app.app_context():
        copies.mark_reviewed(who, reference, copy_id)
        db.session.remove()
    return reference, copy_id
