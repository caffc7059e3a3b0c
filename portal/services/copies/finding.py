"""Find the dossier person a request is about (issue 10): search the imported dossiers
by family name and birth date, and by BSN when the requester gave it.

Only after everyone taking part is verified (art. 20.5, ``casework.identity_verified``):
before that nothing may reveal whether VT has a dossier at all. A candidate shows only
what is needed to choose: name, birth date, role, dossier number and region; a match on
BSN is marked as such. Every search that runs is one read in the access log
("dossier.search", with how many candidates, never what was searched for). Bad input (an
empty or one-letter name, a date that does not exist, a BSN that fails the 11-test)
raises before any query runs, and nothing is logged as a read.

Names, birth dates and BSNs are encrypted at rest (threat model O12): a person is found
by the keyed blind indexes beside them (DossierPerson.name_birth_index over the
normalised family name and the birth date, DossierPerson.bsn_index), never by the
ciphertext. The name matches as before whatever its case and spacing, and now also
whatever its accents ("Celik" finds "Çelik").

A BSN that a DigiD login of this request gave (the identity check by eID, issue 11,
IdentityCheck.eid_bsn_index) is searched as well, whatever was typed, and a person with
it is marked as a match from DigiD (``eid_bsn_match``): the same blind index purpose, so
equal BSNs give equal indexes and nothing is decrypted to compare.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import or_

from ...infra.encrypted import bsn_index, person_name_birth_index
from ...infra.extensions import db
from ...models import Dossier, DossierPerson, IdentityCheck
from ...rules.permissions import Permission
from .. import authz, casework
from ..authz import Actor
from .common import CopyError, load, log_access

NAME_MIN = 2
MAX_CANDIDATES = 50
_DATE = re.compile(r"^(?:(?P<d>\d{1,2})[-/. ](?P<m>\d{1,2})[-/. ](?P<y>\d{4})|(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2}))$")


@dataclass(frozen=True)
class Candidate:
    dossier_id: str
    region: str | None
    person_id: str
    given_names: str
    family_name: str
    birth_date: date | None
    role: str
    bsn_match: bool
    eid_bsn_match: bool = False


def parse_birth_date(text: str | None) -> date:
    m = _DATE.match((text or "").strip())
    if not m:
        raise CopyError("search_date")
    y, mo, d = (m["y"], m["m"], m["d"]) if m["y"] else (m["y2"], m["m2"], m["d2"])
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        raise CopyError("search_date") from None


def check_bsn(text: str | None) -> str | None:
    """None when not given; else nine digits that pass the 11-test (elfproef)."""
    digits = re.sub(r"[\s.-]", "", text or "")
    if not digits:
        return None
    if not re.fullmatch(r"\d{8,9}", digits):
        raise CopyError("search_bsn")
    digits = digits.zfill(9)
    total = sum(int(c) * w for c, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    if total % 11 != 0 or digits == "000000000":
        raise CopyError("search_bsn")
    return digits


def find_people(actor: Actor, reference: str, family_name: str | None, birth_date: str | None,
                bsn: str | None = None) -> list[Candidate]:
    req = load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="request", subject_ref=reference)
    if not casework.identity_verified(req):
        raise CopyError("identity_not_verified")
    name = " ".join((family_name or "").split())
    if len(name) < NAME_MIN:
        raise CopyError("search_name")
    born = parse_birth_date(birth_date)
    number = check_bsn(bsn)
    key = current_app.config["BLIND_INDEX_KEY"]
    by_name = DossierPerson.name_birth_index == person_name_birth_index(key, name, born)
    eid_indexes = _eid_bsn_indexes(req)
    ways = [by_name]
    if number:
        ways.append(DossierPerson.bsn_index == bsn_index(key, number))
    if eid_indexes:
        ways.append(DossierPerson.bsn_index.in_(eid_indexes))
    where = or_(*ways) if len(ways) > 1 else by_name
    rows = db.session.execute(
        db.select(DossierPerson, Dossier).join(Dossier, Dossier.id == DossierPerson.dossier_pk).where(where)
        .order_by(Dossier.dossier_id, DossierPerson.position).limit(MAX_CANDIDATES)).all()
    out = [Candidate(d.dossier_id, d.region, p.person_id, p.given_names, p.family_name, p.birth_date, p.role,
                     bool(number and p.bsn == number), bool(p.bsn_index and p.bsn_index in eid_indexes))
           for p, d in rows]
    log_access(actor, "dossier.search", req, reason=f"request {req.reference}: {len(out)} candidates")
    db.session.commit()
    return out


def _eid_bsn_indexes(req) -> set[str]:
    """The blind indexes of the BSNs that verified DigiD logins of this request gave."""
    return set(db.session.execute(
        db.select(IdentityCheck.eid_bsn_index).where(
            IdentityCheck.request_id == req.id, IdentityCheck.method == "eid", IdentityCheck.result == "verified",
            IdentityCheck.eid_bsn_index.is_not(None))).scalars())
