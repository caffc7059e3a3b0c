"""Leaks (issue #4; art. 13 and 14.2 of the Privacyreglement Veilig Thuis): for every
subject of the example dossier and of made-up households (tests/backoffice/
leak_dossiers.py), the draft copy written by `flask afschrift draft` (the back office's
code path), read back with a PDF text extractor, holds none of the other persons'
identifiers and none of the reporter's, a protected address in no copy but its owner's,
and each of the subject's own entries."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from portal.infra.extensions import db
from tests.conftest import require_or_skip

from . import casework_helpers as ch
from .copy_helpers import import_doc
from .dossier_helpers import example
from .leak_dossiers import EXPECTATIONS, NAMESAKES, NEIGHBOURS


def _draft(app, tmp_path, dossier_id: str, person_id: str) -> bytes:
    out = tmp_path / f"{dossier_id}-{person_id}.pdf"
    result = app.test_cli_runner().invoke(args=["afschrift", "draft", "--dossier", dossier_id, "--person", person_id,
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pdftotext(data: bytes, tmp_path) -> str:
    src = tmp_path / "copy.pdf"
    src.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(src), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def households(app):
    import_doc(app, NEIGHBOURS)
    import_doc(app, NAMESAKES)
    import_doc(app, example())


@pytest.mark.parametrize("dossier_id,person_id", sorted(EXPECTATIONS))
def test_art14_2_made_up_households_leak_nothing(app, households, tmp_path, dossier_id, person_id):
    """Art. 14.2: a neighbour-reporter named by first name, a protected address in three
    spellings, relatives with the subject's surname: none of it in the subject's copy;
    art. 13: every entry of the subject is."""
    want = EXPECTATIONS[(dossier_id, person_id)]
    pdf = _draft(app, tmp_path, dossier_id, person_id)
    texts = [_flat(ch.pdf_text(pdf))]
    if shutil.which("pdftotext"):
        texts.append(_flat(_pdftotext(pdf, tmp_path)))
    for text in texts:
        for leak in want["absent"]:
            assert leak not in text, f"{leak!r} in the copy for {person_id}"
        for marker in want["markers"]:
            assert marker in text, f"entry with {marker!r} missing from the copy for {person_id}"
        for own in want["present"]:
            assert own in text, f"{own!r} (the person's own data) missing for {person_id}"
        others = {m for (d, p), w in EXPECTATIONS.items() if d == dossier_id for m in w["markers"]} - set(want["markers"])
        for marker in others:
            assert marker not in text, f"entry {marker!r} does not concern {person_id} (art. 13)"


def _words_unique_to_entries(doc: dict) -> dict[str, set[str]]:
    words = {e["id"]: set(re.findall(r"\b[a-z]{7,}\b", e["text"])) for e in doc["entries"]}
    return {eid: ws - set().union(*(w for other, w in words.items() if other != eid)) for eid, ws in words.items()}


@pytest.mark.parametrize("person_id", ["p1", "p2", "p3", "p4"])
def test_art14_2_example_dossier_every_subject(app, households, tmp_path, person_id):
    """The format's example: the reporter (Ineke Bosman, mentor, Lyceum De Horst,
    040-1234567) is in no copy; the mother's protected address (Lindelaan 14, 5611 AB)
    only in hers; the GP's name nowhere but as a role; each copy holds its entries."""
    doc = example()
    text = _flat(ch.pdf_text(_draft(app, tmp_path, doc["dossier_id"], person_id)))
    for leak in ("Ineke", "Bosman", "Lyceum De Horst", "040-1234567", "mentor", "Pieter", "van Dam", "Strijp"):
        assert leak not in text, leak
    if person_id != "p1":
        for leak in ("Lindelaan", "5611", "sanne.devries", "06-12345678"):
            assert leak not in text, leak
    unique = _words_unique_to_entries(doc)
    for e in doc["entries"]:
        mine = person_id in e["concerns"] or e.get("source_person") == person_id
        if mine and unique[e["id"]]:  # (that other entries stay out: the households test's markers)
            assert any(w in text for w in unique[e["id"]]), e["id"]


def test_afschrift_draft_cli_refuses_unknown_and_non_subjects(app, households, tmp_path):
    """The CLI names the problem and writes nothing: unknown dossier, unknown person,
    and the reporter (a copy is made for a subject of the dossier)."""
    runner = app.test_cli_runner()
    for args, says in ((["--dossier", "VT-NOPE-1", "--person", "p1"], "no imported dossier"),
                       (["--dossier", "VT-2025-000417", "--person", "p9"], "has no person"),
                       (["--dossier", "VT-2025-000417", "--person", "p5"], "not a subject")):
        out = tmp_path / "x.pdf"
        result = runner.invoke(args=["afschrift", "draft", *args, "--out", str(out)])
        assert result.exit_code != 0 and says in result.output
        assert not out.exists()
    with app.app_context():
        db.session.remove()
