"""Importing dossiers exported by the registration system (vt-dossier/1): validation,
whole refusal, idempotence, newer and older exports, attachments, the zip's safety,
and `flask dossier import`. The pages are in test_dossier_import_pages.py."""
from __future__ import annotations

import copy
import json
import os
import stat
import zipfile
from datetime import date, timedelta

import pytest

from portal.infra.extensions import db
from portal.models import Dossier, DossierAttachment, DossierEntry, DossierImport, DossierPerson
from portal.services import audit
from portal.services import dossiers as svc

from .dossier_helpers import (PDF, PNG, audit_rows, example, imports, make_zip, snapshot, with_attachment,
                              write_folder)


def run_import(app, path):
    with app.app_context():
        try:
            return svc.import_path(svc.CLI, path)
        finally:
            db.session.remove()


def refused(app, path) -> svc.ImportRefused:
    with app.app_context():
        with pytest.raises(svc.ImportRefused) as info:
            svc.import_path(svc.CLI, path)
        db.session.remove()
    return info.value


def problem_set(exc: svc.ImportRefused) -> set[tuple[str, str]]:
    return {(p.where, p.code) for p in exc.problems}


def other_dossier() -> dict:
    doc = example()
    doc["dossier_id"] = "VT-2024-000001"
    return doc


# --- a good export --------------------------------------------------------------------------------

def test_import_of_the_example_stores_persons_entries_and_whom_they_concern(app, tmp_path):
    result = run_import(app, write_folder(tmp_path / "ex", example()))
    assert (result.outcome, result.dossier_id) == ("imported", "VT-2025-000417")
    assert result.counts["persons"]["added"] == 6 and result.counts["entries"]["added"] == 6
    with app.app_context():
        d = db.session.execute(db.select(Dossier)).scalar_one()
        assert (d.outcome, d.opened_on, d.closed_on, d.export_as_of) == (
            "confirmed", date(2025, 2, 10), date(2025, 7, 18), date(2025, 7, 18))
        persons = {p.person_id: p for p in d.persons}
        assert persons["p1"].protected_address and not persons["p2"].protected_address
        assert persons["p1"].addresses[0]["postcode"] == "5611 AB" and persons["p1"].emails == ["sanne.devries@example.nl"]
        assert (persons["p2"].bsn, persons["p5"].role, persons["p5"].organisation) == ("123456782", "reporter", "Lyceum De Horst")
        entries = {e.entry_id: e for e in d.entries}
        assert [c.person_id for c in entries["e1"].concerns] == ["p2", "p3"]  # in the persons' order
        assert entries["e1"].source_person.person_id == "p5" and entries["e2"].source_person is None
        assert (entries["e4"].nature, entries["e4"].kind) == ("diagnosis", "third_party_information")
        assert entries["e4"].shared_with[0]["recipient"] == "Raad voor de Kinderbescherming"
        assert entries["e3"].text.endswith("06-87654321.")
        assert [e.entry_id for e in d.entries] == ["e1", "e2", "e3", "e4", "e5", "e6"]
    assert imports(app) == [("imported", "VT-2025-000417", None)]
    events = audit_rows(app)
    assert [(e.action, e.object_id, e.outcome, e.actor) for e in events] == [("dossier.import", "VT-2025-000417", "ok", "cli")]
    assert events[0].reason == "persons +6 ~0 -0; entries +6 ~0 -0; attachments +0 ~0 -0"
    with app.app_context():
        assert audit.verify_chain() == (True, None)


def test_reimport_same_export_is_noop(app, tmp_path):
    folder = write_folder(tmp_path / "ex", example())
    runner = app.test_cli_runner()
    first = runner.invoke(args=["dossier", "import", str(folder)])
    assert first.exit_code == 0 and first.output.startswith("imported: VT-2025-000417"), first.output
    before = snapshot(app)
    again = runner.invoke(args=["dossier", "import", str(folder)])
    assert again.exit_code == 0 and again.output.startswith("unchanged: VT-2025-000417"), again.output
    # The same export as a zip, indented differently: the same content, the same no-op.
    zipped = tmp_path / "ex.zip"
    zipped.write_bytes(make_zip(json.dumps(example(), indent=None, separators=(",", ":")).encode()))
    assert runner.invoke(args=["dossier", "import", str(zipped)]).output.startswith("unchanged:")
    assert snapshot(app) == before
    assert [o for o, _, _ in imports(app)] == ["imported", "unchanged", "unchanged"]
    assert [(e.action, e.outcome) for e in audit_rows(app)] == [
        ("dossier.import", "ok"), ("dossier.import", "unchanged"), ("dossier.import", "unchanged")]


def newer(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc["entries"][2]["text"] = "Mark Jansen ontkent dat hij Lotte heeft geslagen (aangevuld verslag)."
    doc["entries"].append({"id": "e7", "date": "2025-08-01", "kind": "letter", "nature": "fact", "concerns": ["p1"],
                           "text": "Brief over de afsluiting.", "source_person": None})
    doc["persons"] = [p for p in doc["persons"] if p["id"] != "p6"]
    doc["entries"][3]["source_person"] = None  # e4 came from p6, who is no longer in the export
    return doc


def test_newer_export_replaces_and_is_logged(app, tmp_path):
    run_import(app, write_folder(tmp_path / "v1", example()))
    with app.app_context():
        ids_before = dict(db.session.execute(db.select(DossierEntry.entry_id, DossierEntry.id)).all())
        dossier_pk = db.session.execute(db.select(Dossier.id)).scalar_one()
    result = run_import(app, write_folder(tmp_path / "v2", newer(example())))
    assert result.outcome == "replaced"
    assert result.counts == {"persons": {"added": 0, "changed": 0, "removed": 1},
                             "entries": {"added": 1, "changed": 2, "removed": 0},
                             "attachments": {"added": 0, "changed": 0, "removed": 0}}
    with app.app_context():
        d = db.session.execute(db.select(Dossier)).scalar_one()
        assert d.id == dossier_pk and d.replaced_at is not None and d.export_as_of == date(2025, 8, 1)
        entries = {e.entry_id: e for e in d.entries}
        assert "aangevuld verslag" in entries["e3"].text and entries["e7"].concerns[0].person_id == "p1"
        assert entries["e4"].source_person is None
        assert {p.person_id for p in d.persons} == {"p1", "p2", "p3", "p4", "p5"}
        # Entries that stay keep their rows (what later work hangs on them survives).
        ids_after = dict(db.session.execute(db.select(DossierEntry.entry_id, DossierEntry.id)).all())
        assert all(ids_after[k] == v for k, v in ids_before.items())
        assert db.session.execute(db.select(db.func.count(DossierPerson.id))).scalar_one() == 5
    assert [o for o, _, _ in imports(app)] == ["imported", "replaced"]
    events = audit_rows(app)
    assert [(e.action, e.outcome) for e in events] == [("dossier.import", "ok"), ("dossier.replace", "ok")]
    assert events[1].reason == "persons +0 ~0 -1; entries +1 ~2 -0; attachments +0 ~0 -0"
    # Counts, never content.
    for e in events:
        for value in (e.reason, e.object_id, e.subject_ref):
            assert "Jansen" not in (value or "") and "aangevuld" not in (value or "")


def test_older_export_than_the_stored_one_is_refused(app, tmp_path):
    v1 = write_folder(tmp_path / "v1", example())
    run_import(app, v1)
    run_import(app, write_folder(tmp_path / "v2", newer(example())))
    before = snapshot(app)
    # The export that was replaced, offered again.
    exc = refused(app, v1)
    assert problem_set(exc) == {("dossier_id", "older_export")}
    assert "older than the one imported on" in exc.describe()
    # A different export whose latest date lies before the stored one's.
    older = example()
    older["entries"] = older["entries"][:5]
    older["closed_on"] = None
    older["outcome"] = "open"
    exc = refused(app, write_folder(tmp_path / "v0", older))
    assert problem_set(exc) == {("dossier_id", "older_export")}
    assert "2025-03-20 is before 2025-08-01" in exc.describe()
    assert snapshot(app) == before
    assert [o for o, _, _ in imports(app)] == ["imported", "replaced", "refused", "refused"]


# --- a bad export is refused whole, naming the field -------------------------------------------------

def _set(path, value):
    def mutate(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return mutate


_DELETE = object()
_FUTURE = (date.today() + timedelta(days=40)).isoformat()


def _dup_person(doc):
    doc["persons"][5]["id"] = "p5"


def _dup_entry(doc):
    doc["entries"][4]["id"] = "e1"


def _no_subject(doc):
    for p in doc["persons"]:
        if p["role"] == "subject":
            p["role"] = "third_party"


BAD = {
    # the README's cross-field rules
    "concerns_unknown_person": (_set(["entries", 3, "concerns", 0], "p99"), "entries[3].concerns[0]", "unknown_person"),
    "source_person_unknown": (_set(["entries", 0, "source_person"], "p7"), "entries[0].source_person", "unknown_person"),
    "duplicate_person_id": (_dup_person, "persons[5].id", "duplicate_id"),
    "duplicate_entry_id": (_dup_entry, "entries[4].id", "duplicate_id"),
    "same_person_twice_in_concerns": (_set(["entries", 0, "concerns"], ["p3", "p3"]), "entries[0].concerns[1]", "duplicate_reference"),
    # what the README and the schema imply
    "no_subject": (_no_subject, "persons", "no_subject"),
    "closed_before_opened": (_set(["closed_on"], "2025-01-01"), "closed_on", "closed_before_opened"),
    "closed_while_open": (_set(["outcome"], "open"), "closed_on", "closed_but_open"),
    "entry_in_the_future": (_set(["entries", 5, "date"], _FUTURE), "entries[5].date", "date_in_future"),
    "birth_date_in_the_future": (_set(["persons", 3, "birth_date"], _FUTURE), "persons[3].birth_date", "date_in_future"),
    "entry_before_opened": (_set(["entries", 0, "date"], "2024-12-31"), "entries[0].date", "entry_before_opened"),
    "shared_before_entry": (_set(["entries", 3, "shared_with", 0, "date"], "2025-03-01"), "entries[3].shared_with[0].date",
                            "shared_before_entry"),
    "nul_in_text": (_set(["entries", 1, "text"], "voor\x00na"), "entries[1].text", "invalid_text"),
    # the schema
    "missing_required_field": (_set(["entries", 2, "nature"], _DELETE), "entries[2].nature", "required"),
    "missing_dossier_id": (_set(["dossier_id"], _DELETE), "dossier_id", "required"),
    "unknown_field": (_set(["entries", 0, "colour"], "red"), "entries[0].colour", "additional_property"),
    "nature_not_in_enum": (_set(["entries", 1, "nature"], "rumour"), "entries[1].nature", "enum"),
    "role_not_in_enum": (_set(["persons", 0, "role"], "mother"), "persons[0].role", "enum"),
    "wrong_format": (_set(["format"], "vt-dossier/2"), "format", "enum"),
    "impossible_date": (_set(["entries", 0, "date"], "2025-02-30"), "entries[0].date", "format_date"),
    "date_not_iso": (_set(["opened_on"], "10-02-2025"), "opened_on", "format_date"),
    "dossier_id_pattern": (_set(["dossier_id"], "vt/../417"), "dossier_id", "pattern"),
    "bsn_pattern": (_set(["persons", 1, "bsn"], "12345"), "persons[1].bsn", "pattern"),
    "concerns_empty": (_set(["entries", 0, "concerns"], []), "entries[0].concerns", "min_items"),
    "persons_empty": (_set(["persons"], []), "persons", "min_items"),
    "text_not_a_string": (_set(["entries", 0, "text"], 42), "entries[0].text", "type"),
    "protected_address_not_boolean": (_set(["persons", 0, "protected_address"], "yes"), "persons[0].protected_address", "type"),
    "given_names_empty": (_set(["persons", 2, "given_names"], ""), "persons[2].given_names", "min_length"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_export_is_refused_whole_naming_the_field_and_stores_nothing(app, tmp_path, case):
    run_import(app, write_folder(tmp_path / "other", other_dossier()))  # the database is not empty
    before = snapshot(app)
    mutate, where, code = BAD[case]
    doc = example()
    mutate(doc)
    exc = refused(app, write_folder(tmp_path / "bad", doc))
    assert (where, code) in problem_set(exc), exc.describe()
    assert where in exc.describe()
    assert snapshot(app) == before
    assert imports(app)[-1][0] == "refused" and len(imports(app)) == 2
    assert audit_rows(app)[-1].outcome == "refused"


def test_import_refuses_concerns_naming_unknown_person_and_stores_nothing(app, tmp_path):
    doc, files = with_attachment(example())
    doc["entries"][3]["concerns"][0] = "p42"
    before = snapshot(app)
    exc = refused(app, write_folder(tmp_path / "bad", doc, files))
    assert [(p.where, p.code) for p in exc.problems] == [("entries[3].concerns[0]", "unknown_person")]
    assert exc.problems[0].describe() == "entries[3].concerns[0]: names no person of this dossier ('p42')"
    assert snapshot(app) == before == {"dossier": [], "dossier_person": [], "dossier_entry": [],
                                       "dossier_attachment": [], "concerns": []}
    with app.app_context():
        row = db.session.execute(db.select(DossierImport)).scalar_one()
        assert (row.outcome, row.dossier_ref, row.dossier_pk, row.problem) == (
            "refused", "VT-2025-000417", None, "unknown_person at entries[3].concerns[0]")


def test_bad_newer_export_leaves_the_stored_dossier_as_it_was(app, tmp_path):
    run_import(app, write_folder(tmp_path / "v1", example()))
    before = snapshot(app)
    doc = newer(example())
    doc["entries"][-1]["concerns"] = ["p6"]  # p6 was removed in this export
    exc = refused(app, write_folder(tmp_path / "v2", doc))
    assert problem_set(exc) == {("entries[6].concerns[0]", "unknown_person")}
    assert snapshot(app) == before


def test_every_problem_is_named_not_only_the_first(app, tmp_path):
    doc = example()
    doc["entries"][0]["concerns"] = ["p3", "x1"]
    doc["entries"][1]["source_person"] = "x2"
    exc = refused(app, write_folder(tmp_path / "bad", doc))
    assert problem_set(exc) == {("entries[0].concerns[1]", "unknown_person"), ("entries[1].source_person", "unknown_person")}


@pytest.mark.parametrize("raw, code", [
    (b'{"format": "vt-dossier/1", "format": "vt-dossier/1"}', "duplicate_key"),
    (b'{"format": ', "invalid_json"),
    (b'{"n": NaN}', "invalid_json"),
    ("{}".encode("utf-16"), "not_utf8"),
])
def test_dossier_json_that_is_not_plain_json_is_refused(app, tmp_path, raw, code):
    exc = refused(app, write_folder(tmp_path / "bad", raw))
    assert problem_set(exc) == {("dossier.json", code)}
    assert snapshot(app)["dossier"] == []


def test_refused_export_via_the_command_line_says_where_and_why(app, tmp_path):
    doc = example()
    doc["entries"][3]["concerns"][0] = "p42"
    result = app.test_cli_runner().invoke(args=["dossier", "import", str(write_folder(tmp_path / "bad", doc))])
    assert result.exit_code == 1
    assert "refused, nothing stored" in result.output
    assert "entries[3].concerns[0]: names no person of this dossier ('p42')" in result.output


# --- attachments ----------------------------------------------------------------------------------------

def test_attachment_is_checked_and_stored_encrypted_as_it_came(app, tmp_path):
    doc, files = with_attachment(example())
    doc, more = with_attachment(doc, entry=4, name="attachments/tekening.png", data=PNG, media_type="image/png")
    files.update(more)
    result = run_import(app, write_folder(tmp_path / "ex", doc, files))
    assert result.counts["attachments"]["added"] == 2
    with app.app_context():
        rows = {a.filename: a for a in db.session.execute(db.select(DossierAttachment)).scalars()}
        pdf = rows["attachments/verslag-huisarts.pdf"]
        assert (pdf.media_type, pdf.size, pdf.entry.entry_id) == ("application/pdf", len(PDF), "e4")
        assert PDF not in pdf.ciphertext and b"made-up test attachment" not in pdf.ciphertext
        vault = app.extensions["vault"]
        assert vault.decrypt(pdf.ciphertext) == PDF  # the original, byte for byte (evidence)
        assert vault.decrypt(rows["attachments/tekening.png"].ciphertext) == PNG
        assert rows["attachments/tekening.png"].media_type == "image/png"


def test_attachment_hash_mismatch_refused(app, tmp_path):
    doc, files = with_attachment(example())
    files["attachments/verslag-huisarts.pdf"] = PDF + b"% changed\n"
    exc = refused(app, write_folder(tmp_path / "bad", doc, files))
    assert problem_set(exc) == {("entries[3].attachments[0].sha256", "attachment_hash_mismatch")}
    snap = snapshot(app)
    assert snap["dossier"] == [] and snap["dossier_attachment"] == []


@pytest.mark.parametrize("variant, where, code", [
    ("png_declared_as_pdf", "entries[3].attachments[0].media_type", "attachment_type_mismatch"),
    ("missing_file", "entries[3].attachments[0].file", "attachment_missing"),
    ("unreferenced_file", "attachments/extra.pdf", "attachment_unreferenced"),
    ("attached_twice", "entries[4].attachments[0].file", "attachment_duplicate"),
    ("bad_sha256_pattern", "entries[3].attachments[0].sha256", "pattern"),
    ("media_type_not_allowed", "entries[3].attachments[0].media_type", "enum"),
])
def test_attachment_rules(app, tmp_path, variant, where, code):
    if variant == "png_declared_as_pdf":
        doc, files = with_attachment(example(), data=PNG, media_type="application/pdf")
    else:
        doc, files = with_attachment(example())
    if variant == "missing_file":
        files = {}
    elif variant == "unreferenced_file":
        files["attachments/extra.pdf"] = PDF
    elif variant == "attached_twice":
        doc["entries"][4]["attachments"] = copy.deepcopy(doc["entries"][3]["attachments"])
    elif variant == "bad_sha256_pattern":
        doc["entries"][3]["attachments"][0]["sha256"] = "ABC"
    elif variant == "media_type_not_allowed":
        doc["entries"][3]["attachments"][0]["media_type"] = "text/html"
    exc = refused(app, write_folder(tmp_path / "bad", doc, files))
    assert (where, code) in problem_set(exc), exc.describe()
    assert snapshot(app)["dossier_attachment"] == []


def test_newer_export_with_a_changed_attachment_replaces_it(app, tmp_path):
    doc, files = with_attachment(example())
    run_import(app, write_folder(tmp_path / "v1", doc, files))
    changed = PDF.replace(b"made-up", b"updated")
    doc2, files2 = with_attachment(example(), data=changed)
    doc2["entries"][5]["date"] = "2025-07-19"
    doc2["closed_on"] = "2025-07-19"
    result = run_import(app, write_folder(tmp_path / "v2", doc2, files2))
    assert result.counts["attachments"] == {"added": 0, "changed": 1, "removed": 0}
    with app.app_context():
        (att,) = db.session.execute(db.select(DossierAttachment)).scalars().all()
        assert app.extensions["vault"].decrypt(att.ciphertext) == changed


# --- the zip and the folder: only what the format holds, with limits -------------------------------------

def _zip_file(tmp_path, data: bytes):
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["../dossier.json", "attachments/../../evil.pdf", "/etc/cron.d/x",
                                  "attachments\\..\\x.pdf", "C:/x/dossier.json", "./dossier.json"])
def test_zip_with_path_traversal_refused(app, tmp_path, name):
    data = make_zip(example(), extra=[(name, b"x")])
    exc = refused(app, _zip_file(tmp_path, data))
    assert {p.code for p in exc.problems} <= {"unsafe_path", "unexpected_file"}, exc.describe()
    assert snapshot(app)["dossier"] == []


def test_zip_with_symlink_refused(app, tmp_path):
    link = zipfile.ZipInfo("attachments/verslag-huisarts.pdf")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    doc, _files = with_attachment(example())
    exc = refused(app, _zip_file(tmp_path, make_zip(doc, extra=[(link, b"/etc/passwd")])))
    assert problem_set(exc) == {("attachments/verslag-huisarts.pdf", "symlink")}


@pytest.mark.parametrize("name", ["notes.txt", "export/dossier.json", "attachments/sub/x.pdf", "attachments/.."])
def test_zip_with_anything_but_dossier_json_and_attachments_refused(app, tmp_path, name):
    exc = refused(app, _zip_file(tmp_path, make_zip(example(), extra=[(name, b"x")])))
    assert exc.problems[0].code in ("unexpected_file", "unsafe_path"), exc.describe()


def test_zip_without_dossier_json_or_not_a_zip_refused(app, tmp_path):
    assert problem_set(refused(app, _zip_file(tmp_path, make_zip(None, {"attachments/a.pdf": PDF})))) == {
        ("dossier.json", "missing_dossier_json")}
    assert problem_set(refused(app, _zip_file(tmp_path, b"PK\x03\x04 not really a zip"))) == {("", "not_a_zip")}


def test_zip_with_too_many_files_refused(app, tmp_path):
    doc = example()
    files = {}
    for i in range(4):
        doc, more = with_attachment(doc, name=f"attachments/f{i}.pdf")
        files.update(more)
    app.config["DOSSIER_MAX_FILES"] = 3
    try:
        exc = refused(app, _zip_file(tmp_path, make_zip(doc, files)))
    finally:
        del app.config["DOSSIER_MAX_FILES"]
    assert problem_set(exc) == {("", "too_many_files")}


def test_zip_bomb_refused(app, tmp_path):
    """A few kilobytes that unpack to 50 MB: refused on the declared sizes and, were
    those lies, while reading (every member is read through read_limited)."""
    doc, _ = with_attachment(example(), name="attachments/bomb.pdf", data=b"%PDF-" + bytes(50 * 1024 * 1024))
    files = {"attachments/bomb.pdf": b"%PDF-" + bytes(50 * 1024 * 1024)}
    data = make_zip(doc, files)
    assert len(data) < 200 * 1024
    app.config["DOSSIER_MAX_TOTAL_BYTES"] = 10 * 1024 * 1024
    try:
        exc = refused(app, _zip_file(tmp_path, data))
    finally:
        del app.config["DOSSIER_MAX_TOTAL_BYTES"]
    assert {p.code for p in exc.problems} == {"too_large"}
    # The reading limit on its own: a member larger than it says is cut off at the limit.
    limits = svc.Limits(max_files=10, max_total_bytes=100 * 1024 * 1024, max_file_bytes=1024, max_json_bytes=1024 * 1024)
    with app.app_context():
        with pytest.raises(svc.ImportRefused) as info:
            svc.read_zip(data, limits)
    assert problem_set(info.value) == {("attachments/bomb.pdf", "too_large")}


def test_folder_with_symlink_refused(app, tmp_path):
    doc, files = with_attachment(example())
    folder = write_folder(tmp_path / "ex", doc, {})
    (folder / "attachments").mkdir()
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(files["attachments/verslag-huisarts.pdf"])
    os.symlink(secret, folder / "attachments" / "verslag-huisarts.pdf")
    exc = refused(app, folder)
    assert problem_set(exc) == {("attachments/verslag-huisarts.pdf", "symlink")}


def test_folder_with_other_files_refused(app, tmp_path):
    folder = write_folder(tmp_path / "ex", example(), {"attachments/a.pdf": PDF})
    (folder / "notes.txt").write_text("x")
    exc = refused(app, folder)
    assert problem_set(exc) == {("notes.txt", "unexpected_file")}


def test_the_portal_validates_against_the_published_schema():
    """portal/services/dossiers/dossier_schema.json is a copy of ../shared/dossier-format/schema.json."""
    from pathlib import Path

    shared = Path(__file__).resolve().parents[3] / "shared" / "dossier-format" / "schema.json"
    if not shared.exists():
        pytest.skip("the shared dossier-format folder is not next to this checkout")
    assert json.loads(shared.read_text(encoding="utf-8")) == svc.schema()
