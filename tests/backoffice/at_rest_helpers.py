"""A request filed through the public pages with made-up personal data, and the example
dossier (demo/dossiers/example) imported, and what a caseworker and a team leader typed
about it (an identity-check note, a refusal's reasons, a review comment): what the
encryption-at-rest tests (threat model O12, issue 13) look for in the database, and read
back."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from portal.infra.extensions import db
from portal.models import Staff, utcnow
from portal.services import casework, decisions
from portal.services import dossiers as dossier_svc

from ..app.filing import Filer, Filing, Person
from ..app.support import dmy, today, years_ago
from .casework_helpers import actor, request_of
from .dossier_helpers import make_zip

EXAMPLE = Path(__file__).resolve().parents[2] / "demo" / "dossiers" / "example" / "dossier.json"

GIVEN, SURNAME = "Quirijntje", "Oudewaterlander"
NOTE = "Mijn oom Bartholomeus mag hier nooit iets van weten."
PHONE = "0612398745"
WISH = "De zin over de Kerkwervelweg klopt niet."
STATEMENT = "Ik verklaar dat de hockeystick van Wubbo was."
#: Typed by staff (issue 13, item 1 of the rest: the staff-written texts).
CHECK_NOTE = "Paspoort gezien; zij woont nu bij tante Gerritdina in Ootmarsum."
REFUSAL = "Inzage brengt de veiligheid van buurvrouw Sijbrechtje in gevaar."
REVIEW = "Noem in de brief niet dat Sijbrechtje het heeft gemeld."
#: From the example dossier: names, birth dates, BSNs, an address, an entry sentence.
DOSSIER = ["Bosman", "Jansen", "1988-04-12", "1985-09-30", "2011-06-02", "111222333", "123456782", "Lindelaan",
           "Kastanjestraat", "blauwe plekken op haar arm", "sanne.devries@example.nl", "06-87654321",
           "triagist", "onderzoeker",  # an entry's author
           "Lyceum De Horst", "Huisartsenpraktijk Strijp", "mentor op school"]  # organisations, a relation


def file_and_import(app) -> tuple[str, date]:
    born = years_ago(13, today(app))
    f = Filing(for_whom="self", requester=Person(GIVEN, SURNAME, dmy(born)),
               rights=["inzage", "correctie", "eigen_verklaring"],
               details={"correctie": {"what_is_wrong": WISH, "should_say": "Er staat geen straat in."},
                        "eigen_verklaring": {"statement": STATEMENT}},
               second={"not_safe": "y", "not_safe_note": NOTE}, email=None, phone=PHONE)
    sub = Filer(app.test_client()).fill(f).submit()
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    with app.app_context():
        dossier_svc.import_zip_bytes(dossier_svc.CLI, make_zip(doc))
        db.session.remove()
    return sub.reference, born




def staff_texts(app, reference: str) -> None:
    """A caseworker records the requester's identity check with a note and proposes a
    refusal of inzage with reasons; a team leader sends it back with a comment."""
    with app.app_context():
        ids = []
        for role in ("caseworker", "team_leader"):
            staff = Staff(username=f"at-rest-{role}", display_name="Test", role=role, password_hash="x",
                          confidentiality_recorded_at=utcnow())
            db.session.add(staff)
            db.session.commit()
            ids.append(staff.id)
        requester_id = request_of(reference).requester.id
        db.session.remove()
    caseworker, leader = actor(app, ids[0]), actor(app, ids[1])
    with app.app_context():
        casework.record_check(caseworker, reference, requester_id, kind="identity", method="in_person",
                              document_kind="paspoort", name_matches=True, birth_date_matches=True,
                              result="verified", notes=CHECK_NOTE)
        db.session.remove()
    with app.app_context():
        dec = decisions.propose(caseworker, reference, "inzage", "refuse", ["safety_of_those_involved"], REFUSAL)
        decisions.send_back(leader, reference, dec.id, REVIEW)
        db.session.remove()
