"""A verified request linked to a dossier person, prepared for the browser tests that
start there (the correction, the copy download, the copy workbench).

The requester always files through the public pages in Chromium, as a person does (for
himself, a copy of his ID, no e-mail: he gets a passphrase). The example dossier (or the
variant a test passes) is imported, and the staff are created through the staff service:
a functional administrator, a caseworker and a team leader, each with a known password
and a second factor set up. The staff part then goes one of two ways:

* via="services": the caseworker's ID check (art. 20.5) and the link to the dossier
  person go through the services the back-office pages call (tested page by page in
  tests/backoffice); for a test whose point lies further on;
* via="browser": the caseworker does it in her own browser context: log in, claim, record
  the ID check on the request page, follow "Naar dossier koppelen" from the "Correctie en
  eigen verklaring" panel, find the dossier and link the person; for a test whose story
  includes those steps (she is left logged in, on the page after linking).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pyotp

from portal.infra.extensions import db
from portal.rules.permissions import Role
from portal.services import copies
from portal.services import staff as staff_svc
from portal.services.authz import Actor
from tests.backoffice import casework_helpers as ch
from tests.backoffice.copy_helpers import import_doc
from tests.backoffice.dossier_helpers import example

from .backoffice_navigator import BL, StaffNavigator, request_path
from .navigator import Filing, Navigator, Person, jpeg_bytes

PASSWORD = "correct horse battery staple 42"
#: p2 of the example dossier, the father.
MARK = Person(given_names="Mark", surname="Jansen", birth_date="30-09-1985")


# --- staff ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StaffAccount:
    id: int
    username: str
    secret: str  # the TOTP secret (set up and confirmed through the staff service)


def staff_accounts(live_app) -> dict[str, StaffAccount]:
    """A caseworker and a team leader (by Role value), second factor set up; the
    functional administrator who records their confidentiality agreements (art. 7.3)."""
    out = {}
    with live_app.app_context():
        admin, _ = staff_svc.create_staff(staff_svc.CLI, "bea.bakker", "Bea Bakker", Role.FUNCTIONAL_ADMIN.value,
                                          password=PASSWORD)
        for role, username, name in ((Role.CASEWORKER, "mila.jansen", "Mila Jansen"),
                                     (Role.TEAM_LEADER, "teun.visser", "Teun Visser")):
            staff, _ = staff_svc.create_staff(staff_svc.CLI, username, name, role.value, password=PASSWORD)
            staff_svc.record_confidentiality(staff_svc.CLI, staff.id, recorded_by=admin.id)
            secret = staff_svc.begin_totp_setup(staff.id)
            staff_svc.confirm_totp_setup(staff.id, pyotp.TOTP(secret).now())
            out[role.value] = StaffAccount(staff.id, username, secret)
        db.session.remove()
    return out


def log_in(nav: StaffNavigator, account: StaffAccount) -> None:
    nav.log_in_password(account.username, PASSWORD)
    # The set-up used this time step: the next one is accepted now (one step of drift).
    nav.enter_totp(pyotp.TOTP(account.secret).at(time.time() + staff_svc.TOTP_STEP))


def staff_browser(new_context, live_server, t, account: StaffAccount) -> StaffNavigator:
    """`account` logged in, in a browser context of its own."""
    nav = StaffNavigator(new_context().new_page(), live_server.base_url, t=t)
    log_in(nav, account)
    return nav


# --- the prepared request -----------------------------------------------------------------------------

@dataclass
class Prepared:
    reference: str
    passphrase: str | None
    dossier_id: str
    requester: Navigator                # the requester's page (in the language he filed in)
    staff: dict[str, StaffAccount]      # by Role value: "caseworker", "team_leader"
    who: Actor                          # the caseworker, as the services see her
    link_id: int | None = None          # the DossierLink, when linked via="services"
    caseworker: StaffNavigator | None = None  # logged in, when linked via="browser"


def prepare_linked_request(live_server, page, *, rights: list[str], details: dict | None = None,
                           requester: Person = MARK, lang: str | None = None, dossier: dict | None = None,
                           person_id: str = "p2", via: str = "services", new_context=None) -> Prepared:
    """File a request for `rights` in the browser on `page`, import `dossier` (the
    example by default), create the staff, and have the caseworker verify the requester's
    identity and link the request to dossier person `person_id` (`via` "services" or
    "browser"; "browser" needs `new_context` and a right shown in the "Correctie en eigen
    verklaring" panel). `lang`: switch the public pages to it first (/taal/<lang>), as a
    person does; None leaves them in Dutch."""
    assert via in ("services", "browser"), via
    app = live_server.app
    t = live_server.translator(lang or "nl")
    nav = Navigator(page, live_server.base_url, t=t)
    if lang is not None:
        nav.set_language(lang, "/")
    nav.file_request(Filing(for_whom="self", requester=requester, rights=rights, details=details or {},
                            identity_method="upload", identity_file=jpeg_bytes((320, 200)), email=None))
    sub = nav.submit()
    doc = dossier or example()
    dossier_id = import_doc(app, doc)
    staff = staff_accounts(app)
    who = ch.actor(app, staff[Role.CASEWORKER.value].id)
    prepared = Prepared(sub.reference, sub.passphrase, dossier_id, nav, staff, who)
    if via == "services":
        ch.verify_everyone(app, sub.reference, who)
        with app.app_context():
            prepared.link_id = copies.link_dossier(who, sub.reference, dossier_id, person_id).id
            db.session.remove()
    else:
        person = next(p for p in doc["persons"] if p["id"] == person_id)
        prepared.caseworker = _verify_and_link_in_browser(
            staff_browser(new_context, live_server, t, staff[Role.CASEWORKER.value]), sub.reference, dossier_id,
            f"{person['given_names']} {person['family_name']}")
    return prepared


def _verify_and_link_in_browser(cw: StaffNavigator, ref: str, dossier_id: str, person_name: str) -> StaffNavigator:
    """The caseworker: ID check (art. 20.5), link to the dossier person."""
    cw.goto(request_path(ref))
    cw.claim()
    cw.record_identity_check(cw.party_panel("requester"), method="id_copy", document_kind="paspoort",
                             name_matches=True, birth_date_matches=True, result="verified")
    assert cw.notice(BL.CHECK_RECORDED).is_visible(), cw.page.inner_text("main")[:3000]
    panel = cw.page.get_by_role("region", name="Correctie en eigen verklaring")
    assert panel.is_visible(), cw.page.inner_text("main")[-3000:]
    cw.wait_for_new_page(lambda: panel.get_by_role("link", name="Naar dossier koppelen").click())
    cw.fill("Dossiernummer", dossier_id)
    cw.press("Dossier zoeken")
    cw.page.get_by_role("radio", name=re.compile("^" + re.escape(person_name) + ", ")).check()
    cw.press("Koppelen")
    assert cw.notice("Het verzoek is gekoppeld aan het dossier. U kunt nu een afschrift maken.").is_visible()
    return cw
