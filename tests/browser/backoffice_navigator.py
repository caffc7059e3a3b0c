"""Page helpers for the staff pages (the back office) in the browser tests, as
navigator.py is for the public pages.

Every visible word a test relies on is in `BL`, in Dutch (the source language): a label
change is one edit here. Locators are accessible ones (label, role and name, the name
of a group's legend or an article's heading), so the tests also check that every field
has a label, every group a legend and every button a name.

The back office runs no JavaScript: every form is a plain POST followed by a redirect,
so Navigator.press (wait until another document is shown) fits as it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pyotp

from .navigator import Navigator


class BL:
    """The words on the staff pages (Dutch msgids)."""

    # Login (art. 7): password, then the second factor.
    LOGIN_HEADING = "Inloggen in de backoffice"
    USERNAME = "Gebruikersnaam"
    PASSWORD = "Wachtwoord"
    LOG_IN = "Inloggen"
    TOTP_SETUP_HEADING = "Tweede factor instellen"
    TOTP_SECRET_CAPTION = "Sleutel om over te typen:"
    TOTP_CODE = "Code uit de app"
    TOTP_SETUP_SEND = "Code controleren"
    RECOVERY_HEADING = "Uw herstelcodes"
    RECOVERY_DONE = "Ik heb de codes bewaard, ga verder"
    TOTP_HEADING = "Code invullen"
    TOTP_SEND = "Verder"
    LOG_OUT = "Uitloggen"

    # The queue.
    QUEUE_HEADING = "Werkvoorraad"
    FILTER_WAITING_FOR_TEAM_LEADER = "Wacht op teamleider"
    FILTER_SHOW = "Toon"
    TAG_WAITING_FOR_TEAM_LEADER = "Wacht op teamleider"

    # The request page.
    RIGHT = {"inzage": "Inzage", "afschrift": "Afschrift"}
    CLAIM = "Ik pak dit op"
    CLAIMED = "U behandelt dit verzoek nu."
    STATUS = {"received": "Ontvangen", "in_progress": "In behandeling", "decided": "Besluit genomen"}

    # Identity and representation (art. 20.5).
    PARTY_ROLE = {"requester": "Aanvrager", "co_requester": "Tweede persoon", "subject": "Betrokkene"}
    OPEN_DOCUMENT = "Bekijken"
    CHECK_KIND_GROUP = "Wat heeft u gecontroleerd?"
    CHECK_KIND = {"identity": "Identiteit", "representation": "Vertegenwoordiging"}
    CHECK_METHOD_GROUP = "Hoe?"
    CHECK_METHOD = {"id_copy": "Kopie die de persoon heeft gestuurd", "in_person": "Document bekeken aan de balie",
                    "eid": "Ingelogd met eID"}
    DOCUMENT_KIND = "Soort document"
    DOCUMENT_KINDS = {"paspoort": "Paspoort", "identiteitskaart": "Identiteitskaart", "rijbewijs": "Rijbewijs"}
    NAME_MATCHES = "De naam klopt"
    BIRTH_DATE_MATCHES = "De geboortedatum klopt"
    CHECK_RESULT_GROUP = "Uitkomst"
    CHECK_RESULT = {"verified": "Klopt", "rejected": "Klopt niet",
                    "needs_more": "Niet genoeg: vraag om een duidelijkere kopie"}
    CHECK_SEND = "Controle vastleggen"
    CHECK_RECORDED = "De controle is vastgelegd. De gecontroleerde bestanden zijn verwijderd."
    EVERYONE_CHECKED = "Iedereen die meedoet, is gecontroleerd."
    NO_FILES = "Er zijn geen bestanden (meer). Een gecontroleerde kopie wordt direct verwijderd."

    # Decisions (art. 14.2, 20.4).
    PROPOSE_OPEN = "Besluit voorstellen"
    OUTCOME_GROUP = "Besluit"
    OUTCOME = {"grant": "Toewijzen", "grant_in_part": "Gedeeltelijk toewijzen (beperking)", "refuse": "Afwijzen"}
    GROUNDS_GROUP = "Gronden (bij afwijzen of beperken)"
    REASONS = "Motivering"
    PROPOSE_SEND = "Voorstel opslaan"
    PROPOSED = "Het voorstel is opgeslagen. Een teamleider moet het nu ondertekenen."
    STATE = {"proposed": "Voorgesteld, wacht op een teamleider", "signed": "Ondertekend"}
    SIGN = "Ondertekenen en brief vrijgeven"
    SEND_BACK = "Terugsturen"
    SIGNED = "Het besluit is ondertekend. De brief staat nu voor de aanvrager klaar."
    LETTER_LINK = "Brief bekijken (PDF)"
    LETTER_PREVIEW = "Voorbeeld van de brief (PDF)"

    # On the requester's status page (public, see navigator.L for the login).
    STATUS_LETTERS_HEADING = "Brieven"
    STATUS_DECISION_LETTER = "Besluit"


# The paths a test may go to directly (no link leads to the casework page of its own).
LOGIN = "/backoffice/login"
TOTP_SETUP = "/backoffice/totp/instellen"
TOTP = "/backoffice/totp"
QUEUE = "/backoffice/werkvoorraad"


def request_path(reference: str) -> str:
    return f"/backoffice/verzoeken/{reference}"


def casework_path(reference: str) -> str:
    return f"/backoffice/verzoeken/{reference}/behandeling"


@dataclass
class DocumentResponse:
    url: str
    status: int
    content_type: str
    body: bytes


class StaffNavigator(Navigator):
    """A member of staff in their own browser context."""

    # --- accessible locators, scoped ----------------------------------------------------

    def group_in(self, legend: str, within=None):
        return self._scope(within).get_by_role("group", name=self.t(legend), exact=True)

    def choose_in(self, label: str, group: str, within=None):
        self.group_in(group, within).get_by_role("radio", name=self.t(label), exact=True).check()

    def tick_in(self, label: str, within=None, on: bool = True):
        box = self._scope(within).get_by_role("checkbox", name=self.t(label), exact=True)
        box.check() if on else box.uncheck()

    def open_all_details(self):
        """Unfold every <details> on the page (as a person clicking each summary would)."""
        summaries = self.page.locator("details:not([open]) > summary")
        for i in range(summaries.count()):
            summaries.nth(0).click()

    def unfold(self, summary: str, within=None):
        """Open the <details> whose summary says `summary` (left open if it is)."""
        summary_el = self._scope(within).get_by_text(self.t(summary), exact=True)
        if not summary_el.evaluate("s => s.parentElement.open"):
            summary_el.click()

    def notice(self, text: str):
        """A flashed message (role=status at the top of <main>)."""
        return self.page.get_by_role("status").filter(has_text=self.t(text))

    # --- login (art. 7) ------------------------------------------------------------------

    def log_in_password(self, username: str, password: str):
        self.goto(LOGIN)
        assert self.heading(BL.LOGIN_HEADING).is_visible()
        self.fill(BL.USERNAME, username)
        self.fill(BL.PASSWORD, password)
        self.press(BL.LOG_IN)

    def totp_secret_on_page(self) -> str:
        """The secret the set-up page shows to type over (next to the QR code)."""
        caption = self.page.get_by_role("figure").filter(has_text=self.t(BL.TOTP_SECRET_CAPTION))
        secret = caption.get_by_role("code").inner_text()
        return "".join(secret.split())

    def set_up_totp(self) -> str:
        """On the set-up page: read the secret, answer with a code from it, pass the
        recovery codes. Returns the secret."""
        assert self.heading(BL.TOTP_SETUP_HEADING).is_visible(), self.page.url
        secret = self.totp_secret_on_page()
        self.fill(BL.TOTP_CODE, pyotp.TOTP(secret).now())
        self.press(BL.TOTP_SETUP_SEND)
        assert self.heading(BL.RECOVERY_HEADING).is_visible(), self.page.inner_text("main")[:2000]
        return secret

    def leave_recovery_codes(self):
        self.follow(BL.RECOVERY_DONE)

    def enter_totp(self, code: str):
        """On the code page: the code the app shows (each time step is accepted once per
        account: the caller picks a step this account has not used)."""
        assert self.heading(BL.TOTP_HEADING).is_visible(), self.page.url
        self.fill(BL.TOTP_CODE, code)
        self.press(BL.TOTP_SEND)

    # --- the queue -------------------------------------------------------------------------

    def open_queue(self):
        self.goto(QUEUE)

    def filter_queue(self, *checks: str):
        """Tick filters (their labels) in the queue's filter form and show the list."""
        filters = self.group_in("Filteren")
        for label in checks:
            self.tick_in(label, within=filters)
        self.press(BL.FILTER_SHOW, within=filters)

    def queue_row(self, reference: str):
        return self.page.get_by_role("row").filter(has=self.page.get_by_role("link", name=reference, exact=True))

    def open_request_from_queue(self, reference: str):
        link = self.queue_row(reference).get_by_role("link", name=reference, exact=True)
        self.wait_for_new_page(link.click)

    # --- the request page and the casework panels --------------------------------------------

    def claim(self):
        self.press(BL.CLAIM)

    def party_panel(self, role: str):
        """The identity-check panel of one person (an <article> named by its heading)."""
        return self.page.get_by_role("article", name=re.compile(r"^" + re.escape(self.t(BL.PARTY_ROLE[role])) + ": "))

    def right_panel(self, right: str):
        """The decisions panel of one right (an <article> named by the right's label)."""
        return self.page.get_by_role("article", name=self.t(BL.RIGHT[right]), exact=True)

    def document_links(self, panel):
        return panel.get_by_role("link", name=re.compile(r"^" + re.escape(self.t(BL.OPEN_DOCUMENT)) + r"\b"))

    def open_document(self, panel, index: int = 0) -> DocumentResponse:
        """Click "Bekijken" (it opens a new tab); what the server answered there."""
        link = self.document_links(panel).nth(index)
        with self.page.context.expect_event("response", predicate=lambda r: "/documenten/" in r.url) as answer, \
                self.page.expect_popup() as popup_info:
            link.click()
        resp = answer.value
        popup = popup_info.value
        out = DocumentResponse(resp.url, resp.status, resp.headers.get("content-type", ""), resp.body())
        popup.close()
        return out

    def record_identity_check(self, panel, *, method: str = "id_copy", document_kind: str = "paspoort",
                              name_matches: bool = True, birth_date_matches: bool = True,
                              result: str = "verified"):
        self.choose_in(BL.CHECK_KIND["identity"], BL.CHECK_KIND_GROUP, within=panel)
        self.choose_in(BL.CHECK_METHOD[method], BL.CHECK_METHOD_GROUP, within=panel)
        self.label(BL.DOCUMENT_KIND, within=panel).select_option(label=self.t(BL.DOCUMENT_KINDS[document_kind]))
        self.tick_in(BL.NAME_MATCHES, within=panel, on=name_matches)
        self.tick_in(BL.BIRTH_DATE_MATCHES, within=panel, on=birth_date_matches)
        self.choose_in(BL.CHECK_RESULT[result], BL.CHECK_RESULT_GROUP, within=panel)
        self.press(BL.CHECK_SEND, within=panel)

    def propose_decision(self, panel, *, outcome: str, grounds: list[str], reasons: str):
        """Open "Besluit voorstellen" in the right's panel and save a proposal. `grounds`
        are the grounds' labels as the page shows them (without the article)."""
        self.unfold(BL.PROPOSE_OPEN, within=panel)
        self.choose_in(BL.OUTCOME[outcome], BL.OUTCOME_GROUP, within=panel)
        grounds_group = self.group_in(BL.GROUNDS_GROUP, within=panel)
        for label in grounds:
            grounds_group.get_by_role("checkbox", name=re.compile(r"^" + re.escape(label))).check()
        self.fill(BL.REASONS, reasons, within=panel)
        self.press(BL.PROPOSE_SEND, within=panel)

    def decision_line(self, panel, outcome: str, state: str):
        """The line "<outcome> – <state>" of a proposal or decision in a right's panel."""
        return panel.get_by_text(f"{self.t(BL.OUTCOME[outcome])} – {self.t(BL.STATE[state])}", exact=True)

    def sign_decision(self, panel):
        self.press(BL.SIGN, within=panel)


# --- what the requester sees of it (the public status page) ----------------------------------

def status_letters_heading(nav: Navigator):
    return nav.page.get_by_role("heading", name=nav.t(BL.STATUS_LETTERS_HEADING), exact=True)


def status_decision_letter_link(nav: Navigator, right: str):
    """The link to the decision letter on `right`: "Besluit: Inzage (PDF)"."""
    name = f"{nav.t(BL.STATUS_DECISION_LETTER)}: {nav.t(BL.RIGHT[right])}"
    return nav.page.get_by_role("link", name=re.compile(r"^" + re.escape(name) + r"\b"))
