"""Art. 17 and 18: data the portal destroyed must not come back. While an instruction to
destroy, anonymise or erase is not confirmed as carried out by the registration system,
a newer export of that dossier (made before it was carried out) is refused whole."""
from __future__ import annotations

from portal.infra.extensions import db
from portal.models import Dossier, DossierEntry, RegistrationInstruction
from portal.services import dossiers as dossier_svc

from .copy_helpers import import_doc
from .dossier_helpers import example, imports, make_zip


def _newer():
    doc = example()
    doc["entries"].append({"id": "e77", "date": "2025-08-02", "kind": "note", "nature": "fact", "concerns": ["p2"],
                           "text": "Een aantekening van later."})
    return doc


def test_art17_newer_export_refused_while_destruction_is_unconfirmed(app):
    dossier_id = import_doc(app)
    with app.app_context():
        db.session.add(RegistrationInstruction(dossier_ref=dossier_id, kind="destroy", payload_json="{}"))
        db.session.commit()
        try:
            dossier_svc.import_zip_bytes(dossier_svc.CLI, make_zip(_newer()))
        except dossier_svc.ImportRefused as exc:
            assert [p.code for p in exc.problems] == ["destruction_pending"]
        else:
            raise AssertionError("a newer export was accepted while a destruction is open")
        assert db.session.execute(db.select(DossierEntry).filter_by(entry_id="e77")).scalar_one_or_none() is None
        db.session.remove()
    assert imports(app)[-1][0] == "refused"


def test_art17_newer_export_accepted_once_the_destruction_is_confirmed(app):
    from datetime import date

    dossier_id = import_doc(app)
    with app.app_context():
        db.session.add(RegistrationInstruction(dossier_ref=dossier_id, kind="erase", payload_json="{}",
                                               confirmed_on=date(2026, 1, 5), confirmed_name="A. Beheerder"))
        db.session.commit()
        result = dossier_svc.import_zip_bytes(dossier_svc.CLI, make_zip(_newer()))
        assert result.outcome == "replaced"
        assert db.session.execute(db.select(Dossier).filter_by(dossier_id=dossier_id)).scalar_one() is not None
        db.session.remove()
