"""A request filed through the public pages with made-up personal data, and the example
dossier (demo/dossiers/example) imported: what the encryption-at-rest tests (threat model
O12, issue 13) look for in the database, and read back."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from portal.infra.extensions import db
from portal.services import dossiers as dossier_svc

from ..app.filing import Filer, Filing, Person
from ..app.support import dmy, today, years_ago
from .dossier_helpers import make_zip

EXAMPLE = Path(__file__).resolve().parents[2] / "demo" / "dossiers" / "example" / "dossier.json"

GIVEN, SURNAME = "Quirijntje", "Oudewaterlander"
NOTE = "Mijn oom Bartholomeus mag hier nooit iets van weten."
PHONE = "0612398745"
WISH = "De zin over de Kerkwervelweg klopt niet."
STATEMENT = "Ik verklaar dat de hockeystick van Wubbo was."
#: From the example dossier: names, birth dates, BSNs, an address, an entry sentence.
DOSSIER = ["Bosman", "Jansen", "1988-04-12", "1985-09-30", "2011-06-02", "111222333", "123456782", "Lindelaan",
           "Kastanjestraat", "blauwe plekken op haar arm", "sanne.devries@example.nl", "06-87654321"]


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


