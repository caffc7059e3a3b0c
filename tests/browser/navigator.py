"""Page helpers for the browser tests (as SecureDrop's app_navigators).

Every visible word a test relies on is here, in Dutch (the source language): a label
change is one edit in this file. The words are looked up through the app's catalogue
(`t`), so the same helpers walk the portal in English.

Locators are accessible ones (label, role and name), so the tests also check that every
field has a label, every group a legend and every button a name.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # the browser fixture skips (or fails under REQUIRE_SYSTEM_PARTS=1)
    PlaywrightError = Exception

from tests.app.filing import DEFAULT_DETAILS, Filing, Person, Submitted, jpeg_bytes, pdf_bytes

__all__ = ["Navigator", "Filing", "Person", "Submitted", "Joiner", "jpeg_bytes", "pdf_bytes", "L"]


class L:
    """The words on the pages (Dutch msgids)."""

    CONTINUE = "Verder"
    QUICK_EXIT = "Snel weg"
    START_FROM_FRONT = "Een verzoek doen"
    START = "Beginnen"
    ERROR_SUMMARY = "Er is een probleem"

    FOR_WHOM_GROUP = "Voor wie doet u het verzoek?"
    FOR_WHOM = {
        "self": "Voor mijzelf",
        "child_under_12": "Voor mijn kind jonger dan 12 jaar",
        "child_12_16": "Voor mijn kind van 12 tot 16 jaar, samen met mijn kind",
        "adult_represented": "Voor iemand van wie ik curator, mentor of bewindvoerder ben",
    }
    REP_KIND_GROUP = "Wat bent u van deze persoon?"
    REP_KIND = {
        "parent_with_authority": "Ouder met gezag",
        "guardian": "Voogd",
        "curator": "Curator",
        "mentor": "Mentor",
        "bewindvoerder": "Bewindvoerder",
    }
    GIVEN_NAMES = "Voornamen"
    SURNAME = "Achternaam"
    BIRTH_DATE = "Geboortedatum"
    BSN = "Burgerservicenummer (BSN)"

    RIGHTS_GROUP = "Wat wilt u vragen?"
    RIGHTS = {
        "inzage": "Inzage: mijn gegevens bekijken",
        "afschrift": "Afschrift: een kopie van mijn gegevens krijgen",
        "correctie": "Correctie: feiten laten verbeteren die niet kloppen",
        "eigen_verklaring": "Eigen verklaring: mijn eigen kant van het verhaal laten toevoegen",
        "vernietiging": "Vernietiging: het dossier laten vernietigen",
        "gegevenswissing": "Gegevenswissing: bepaalde gegevens laten wissen",
    }
    # For whoever asks about someone else's data: "their", not "my" (issue 15).
    RIGHTS_OTHER = {
        **RIGHTS,
        "inzage": "Inzage: zijn of haar gegevens bekijken",
        "afschrift": "Afschrift: een kopie van zijn of haar gegevens krijgen",
        "eigen_verklaring": "Eigen verklaring: zijn of haar kant van het verhaal laten toevoegen",
    }
    DELIVERY_GROUP = "Hoe wilt u het afschrift krijgen?"
    DELIVERY = {"download": "Veilig downloaden via deze website", "in_person": "Ophalen bij Veilig Thuis"}
    WHAT_IS_WRONG = "Welke informatie klopt niet?"
    SHOULD_SAY = "Wat moet er staan?"
    STATEMENT = "Uw verklaring"
    STATEMENT_FILE = "Of voeg een PDF toe"
    REFUTED_GROUP = "Heeft Veilig Thuis na onderzoek gezegd dat de melding niet klopte?"
    YES_NO = {"yes": "Ja", "no": "Nee", "unknown": "Dat weet ik niet"}
    DESTRUCTION_GROUNDS = "Waarom wilt u dat het dossier wordt vernietigd?"
    ERASURE_GROUP = "Waarom moeten de gegevens gewist worden?"
    ERASURE_GROUNDS = {
        "a": "De gegevens zijn niet meer nodig voor het doel waarvoor ze zijn verzameld",
        "b": "Ik trek mijn toestemming in en er is geen andere reden om de gegevens te gebruiken",
        "c": "Ik maak bezwaar tegen het gebruik van mijn gegevens",
        "d": "De gegevens zijn gebruikt terwijl dat niet mocht",
        "e": "De gegevens moeten gewist worden volgens de wet",
    }
    ERASURE_EXPLANATION = "Welke gegevens, en wat wilt u nog uitleggen?"

    NOT_SAFE = "Het is niet veilig om mijn ouder of voogd mee te laten doen"
    NOT_SAFE_NOTE = "Wil je uitleggen waarom?"
    SECOND_REP_KIND_GROUP = "Wat is deze persoon van jou?"
    CHANNEL_GROUP = "Hoe krijgt de ander de uitnodiging?"
    CHANNEL = {"email": "Per e-mail", "code": "Ik geef zelf een code door"}
    SECOND_EMAIL = "E-mailadres van de ander"

    IDENTITY_GROUP = "Hoe laat u zien wie u bent?"
    IDENTITY = {"upload": "Ik stuur een kopie van mijn identiteitsbewijs mee",
                "in_person": "Ik laat mijn identiteitsbewijs zien bij Veilig Thuis"}
    IDENTITY_FILE = "Kopie van uw identiteitsbewijs"
    PROOF_GROUP = "Hoe laat u zien dat u dit verzoek mag doen?"
    PROOF = {"upload": "Ik stuur een bewijs mee", "in_person": "Ik laat het bewijs zien bij Veilig Thuis"}
    PROOF_FILE = "Bewijs"

    CONTACT_WAYS_GROUP = "Hoe mogen wij u bereiken?"
    CONTACT_WAYS = {"email": "Per e-mail", "phone": "Per telefoon", "post": "Per brief op uw huisadres",
                    "none": "Liever niet: ik volg mijn verzoek zelf met een wachtzin"}
    EMAIL = "E-mailadres"
    PHONE = "Telefoonnummer"
    PHONE_TIMES = "Wanneer mogen wij bellen?"
    VOICEMAIL_OK = "U mag een bericht inspreken op mijn voicemail"
    STREET, HOUSE_NUMBER, POSTCODE, CITY = "Straat", "Huisnummer", "Postcode", "Plaats"

    TRUTHFUL = "Ik heb de vragen naar waarheid ingevuld"
    SEND = "Verzoek versturen"

    JOIN_REFERENCE = "Kenmerk"
    JOIN_CODE = "Uitnodigingscode"
    JOIN_PROOF_GROUP = "Hoe laat u zien dat u de ouder met gezag of voogd bent?"
    JOIN_PROOF_FILE = "Bewijs van gezag of voogdij"
    JOIN = "Meedoen"
    JOIN_NOT_SAFE_BIRTH_DATE = "Je geboortedatum"
    JOIN_NOT_SAFE_SEND = "Versturen"

    STATUS_REFERENCE = "Kenmerk"
    PASSPHRASE = "Wachtzin"
    STATUS_OPEN = "Verzoek bekijken"
    STATUS_LINK_EMAIL = "Uw e-mailadres"
    STATUS_LINK_SEND = "Stuur mij een link"
    REPLY_SEND = "Versturen"
    SEND_MESSAGE = "Stuur een bericht"
    CONFIRM_EMAIL = "Bevestigen"

    # Headings and words the tests look for.
    SENT_HEADING = "Uw verzoek is verstuurd"
    JOINED_HEADING = "U doet mee aan het verzoek"
    EMAIL_CONFIRMED_HEADING = "Uw e-mailadres is bevestigd"
    STATUS_RECEIVED = "Ontvangen"
    EVENT_SUBMITTED = "Verzoek verstuurd"
    EVENT_JOINED = "De tweede persoon doet mee"
    EVENT_STATUS_RECEIVED = "Status: Ontvangen"
    DUE_ON = "Antwoord uiterlijk op"  # followed by the date

    # Links.
    BRAND = "Veilig Thuis"
    RIGHTS_LINK = "Uw rechten"
    SAFE_BROWSING_LINK = "Veilig internetten"


# The question pages and the path of the check page.
STEP_PATH = re.compile(r"^/verzoek/(?P<step>[a-z-]+)$")
CHECK = "controleren"


@dataclass
class Joiner:
    """What the second person of a joint request answers on /meedoen/gegevens."""

    person: Person
    identity_method: str = "upload"
    identity_file: bytes | None = None
    proof_method: str | None = "upload"
    proof_file: bytes | None = None
    email: str | None = None


def _under_18(birth_date: str) -> bool:
    from datetime import date, datetime

    born = datetime.strptime(birth_date, "%d-%m-%Y").date()
    today = date.today()
    return (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) < 18


class Navigator:
    def __init__(self, page, base_url: str, t=None):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self._t = t or (lambda s: s)
        # A young person reads "je" (portal/young.py): set once the pages know it.
        self.young = False

    def t(self, msgid: str) -> str:
        from portal.young import YOUNG

        return self._t(YOUNG.get(msgid, msgid) if self.young else msgid)

    # --- where we are -------------------------------------------------------------------

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    def on_portal(self, url: str | None = None) -> bool:
        return (url or self.page.url).startswith(self.base_url + "/") or (url or self.page.url) == self.base_url

    @property
    def step(self) -> str | None:
        m = STEP_PATH.match(self.path)
        return m.group("step") if m else None

    def goto(self, path: str):
        return self.page.goto(self.url(path))

    def set_language(self, lang: str, next_path: str | None = None):
        """Switch the language the way a person does: /taal/<lang>?next=<page>."""
        from urllib.parse import quote

        self.page.goto(self.url(f"/taal/{lang}?next={quote(next_path or self.path)}"))

    # --- accessible locators ------------------------------------------------------------

    def _scope(self, within=None):
        return within if within is not None else self.page

    def label(self, label: str, within=None):
        """The control whose label starts with `label` (an optional field's label ends
        in '(niet verplicht)')."""
        return self._scope(within).get_by_label(re.compile(r"^\s*" + re.escape(self.t(label)) + r"(\s|$)"))

    def group(self, legend: str, within=None):
        return self._scope(within).get_by_role("group", name=self.t(legend))

    def button(self, name: str, within=None):
        return self._scope(within).get_by_role("button", name=self.t(name), exact=True)

    def form_with_button(self, name: str):
        return self.page.locator("form").filter(has=self.button(name))

    # --- actions ------------------------------------------------------------------------

    def choose(self, label: str, group: str | None = None):
        scope = self.group(group) if group else self.page
        scope.get_by_role("radio", name=self.t(label), exact=True).check()

    def tick(self, label: str, on: bool = True):
        box = self.page.get_by_role("checkbox", name=self.t(label), exact=True)
        box.check() if on else box.uncheck()

    def fill(self, label: str, value: str, within=None):
        self.label(label, within).fill(value)

    def upload(self, label: str, file, within=None):
        """`file` is a path, or (file name, bytes)."""
        if isinstance(file, (str, Path)):
            payload = str(file)
        else:
            name, data = file
            mime = {"pdf": "application/pdf", "png": "image/png"}.get(name.rsplit(".", 1)[-1], "image/jpeg")
            payload = {"name": name, "mimeType": mime, "buffer": data}
        self.label(label, within).set_input_files(payload)

    def press(self, name: str, within=None):
        """Click a button that submits a form, and wait for the page that comes back."""
        self.wait_for_new_page(lambda: self.button(name, within).click())

    def continue_(self):
        self.press(L.CONTINUE)

    def follow(self, name: str):
        """Click a link and wait for the page it leads to."""
        self.wait_for_new_page(lambda: self.page.get_by_role("link", name=self.t(name)).first.click())

    def wait_for_new_page(self, action, timeout: float = 10.0):
        """Do `action` and wait until another page is shown.

        Not page.expect_navigation(): with JavaScript, portal.js posts forms with fetch()
        and writes the answer into the same document (no history entry); a page rendered
        straight from a POST to the same address (the confirmation, a page with errors)
        is then no navigation at all. What both ways have in common: the old <html>
        element leaves (with a real navigation, its whole context goes)."""
        old = self.page.locator("html").element_handle()
        action()
        end = time.monotonic() + timeout
        while True:
            try:
                if not old.evaluate("e => e.isConnected"):
                    break
            except PlaywrightError:
                break  # the old document's context is gone: a real navigation
            if time.monotonic() > end:
                raise AssertionError(f"no new page {timeout}s after the click on {self.page.url}")
            self.page.wait_for_timeout(20)
        self.page.wait_for_load_state("load")
        self.page.locator("main").wait_for(state="attached")

    def heading(self, text: str):
        return self.page.get_by_role("heading", name=self.t(text))

    def has_error_summary(self) -> bool:
        return self.page.get_by_role("alert").filter(has_text=self.t(L.ERROR_SUMMARY)).count() > 0

    def quick_exit(self):
        """Click 'Snel weg' (the page leaves the portal; waiting is the caller's)."""
        self.page.get_by_role("link", name=self.t(L.QUICK_EXIT)).click()

    # --- filing a request -----------------------------------------------------------------

    def start_request(self):
        """From the front page: the 'Een verzoek doen' button (a form POST) to 'voor wie'."""
        self.young = False
        self.goto("/")
        self.press(L.START_FROM_FRONT)
        assert self.step == "voor-wie", self.page.url

    def file_request(self, filing: Filing, on_page=None, max_pages: int = 30):
        """Answer every question page the app sends us to, until the check page.

        on_page(nav, step) runs on arrival at each page (and at the check page), before
        it is answered: the accessibility test audits there."""
        self.start_request()
        for _ in range(max_pages):
            if self.path == f"/verzoek/{CHECK}":
                if on_page:
                    on_page(self, CHECK)
                return self
            step = self.step
            assert step, f"left the question pages: {self.page.url}"
            if on_page:
                on_page(self, step)
                assert self.step == step, f"on_page left {step}: {self.page.url}"
            self.answer(step, filing)
            self.continue_()
            assert self.step != step or self.path == f"/verzoek/{CHECK}", (
                f"page {step} did not go on:\n{self.page.inner_text('main')[:2000]}")
        raise AssertionError("the flow did not reach the check page")

    def answer(self, step: str, f: Filing):
        if step == "voor-wie":
            self.choose(L.FOR_WHOM[f.for_whom], group=L.FOR_WHOM_GROUP)
        elif step == "vertegenwoordiging":
            self.choose(L.REP_KIND[f.rep_kind], group=L.REP_KIND_GROUP)
        elif step == "betrokkene":
            self.fill_person(f.subject)
        elif step == "over-u":
            self.fill_person(f.requester, bsn=True)
            # From the next page on, a young person filing for themselves reads "je".
            self.young = f.for_whom == "self" and _under_18(f.requester.birth_date)
        elif step == "rechten":
            labels = L.RIGHTS if f.for_whom == "self" else L.RIGHTS_OTHER
            for right in f.rights:
                self.tick(labels[right])
        elif step == "afschrift":
            d = f.details.get("afschrift") or DEFAULT_DETAILS["afschrift"]
            self.choose(L.DELIVERY[d["delivery"]], group=L.DELIVERY_GROUP)
        elif step == "correctie":
            d = f.details.get("correctie") or DEFAULT_DETAILS["correctie"]
            self.fill(L.WHAT_IS_WRONG, d["what_is_wrong"])
            self.fill(L.SHOULD_SAY, d["should_say"])
        elif step == "eigen-verklaring":
            d = f.details.get("eigen_verklaring") or DEFAULT_DETAILS["eigen_verklaring"]
            self.fill(L.STATEMENT, d["statement"])
            if getattr(f, "statement_file", None):
                self.upload(L.STATEMENT_FILE, ("verklaring.pdf", f.statement_file))
        elif step == "vernietiging":
            d = f.details.get("vernietiging") or DEFAULT_DETAILS["vernietiging"]
            self.choose(L.YES_NO[d["refuted"]], group=L.REFUTED_GROUP)
            if d.get("grounds"):
                self.fill(L.DESTRUCTION_GROUNDS, d["grounds"])
        elif step == "wissing":
            d = f.details.get("gegevenswissing") or DEFAULT_DETAILS["gegevenswissing"]
            for g in d["grounds"]:
                self.tick(L.ERASURE_GROUNDS[g])
            if d.get("explanation"):
                self.fill(L.ERASURE_EXPLANATION, d["explanation"])
        elif step == "tweede-persoon":
            self.fill_second(f.second or {"channel": "code"}, child_starts=f.for_whom == "self")
        elif step == "identiteit":
            self.choose(L.IDENTITY[f.identity_method], group=L.IDENTITY_GROUP)
            if f.identity_method == "upload":
                self.upload(L.IDENTITY_FILE, ("id.jpg", f.identity_file or jpeg_bytes()))
        elif step == "bewijs":
            self.choose(L.PROOF[f.proof_method], group=L.PROOF_GROUP)
            if f.proof_method == "upload":
                self.upload(L.PROOF_FILE, ("bewijs.pdf", f.proof_file or pdf_bytes()))
        elif step == "contact":
            self.fill_contact(f)
        elif step == "contact-gegevens":
            self.fill_contact_details(f)
        else:
            raise AssertionError(f"no answers for page {step}")

    def fill_person(self, p: Person, bsn: bool = False, within=None):
        self.fill(L.GIVEN_NAMES, p.given_names, within)
        self.fill(L.SURNAME, p.surname, within)
        self.fill(L.BIRTH_DATE, p.birth_date, within)
        if bsn and p.bsn:
            self.fill(L.BSN, p.bsn, within)

    def fill_second(self, second: dict, child_starts: bool):
        if child_starts and second.get("not_safe"):
            self.tick(L.NOT_SAFE)
            if second.get("not_safe_note"):
                self.fill(L.NOT_SAFE_NOTE, second["not_safe_note"])
            return
        if child_starts:
            self.fill(L.GIVEN_NAMES, second["given_names"])
            self.fill(L.SURNAME, second["surname"])
            self.choose(L.REP_KIND[second.get("rep_kind", "parent_with_authority")], group=L.SECOND_REP_KIND_GROUP)
        self.choose(L.CHANNEL[second["channel"]], group=L.CHANNEL_GROUP)
        if second["channel"] == "email":
            self.fill(L.SECOND_EMAIL, second["email"])

    def fill_contact(self, f: Filing):
        """The first contact page: only how we may reach the person."""
        ways = [w for w, given in (("email", f.email), ("phone", f.phone), ("post", f.post)) if given]
        for way in ways or ["none"]:
            self.tick(L.CONTACT_WAYS[way])

    def fill_contact_details(self, f: Filing):
        """The second contact page: only the details of the ways chosen."""
        if f.email:
            self.fill(L.EMAIL, f.email)
        if f.phone:
            self.fill(L.PHONE, f.phone)
            self.fill(L.PHONE_TIMES, "ochtend")
        if f.post:
            self.fill(L.STREET, f.post["street"])
            self.fill(L.HOUSE_NUMBER, f.post["house_number"])
            self.fill(L.POSTCODE, f.post["postcode"])
            self.fill(L.CITY, f.post["city"])

    def submit(self) -> Submitted:
        """On the check page: confirm and send; read what the confirmation page shows once."""
        assert self.path == f"/verzoek/{CHECK}", self.page.url
        self.tick(L.TRUTHFUL)
        self.press(L.SEND)
        reference = self.page.locator("#reference").inner_text().strip()
        assert re.fullmatch(r"VT-[A-Z0-9-]+", reference), reference
        phrase = self.page.locator("#passphrase")
        code = self.page.locator("#invitation-code")
        return Submitted(
            reference=reference,
            passphrase=phrase.inner_text().strip() if phrase.count() else None,
            invitation_code=code.inner_text().strip() if code.count() else None,
            html=self.page.content(),
        )

    # --- the second person ----------------------------------------------------------------

    def open_invitation(self, reference: str, code: str):
        self.young = False
        self.goto("/meedoen")
        self.fill(L.JOIN_REFERENCE, reference)
        self.fill(L.JOIN_CODE, code)
        self.continue_()
        self.young = self._child_is_invited()

    def _child_is_invited(self) -> bool:
        """The invited child's details page offers the 'not safe' way (and says "je")."""
        return self.path == "/meedoen/gegevens" and self.page.locator("#not-safe").count() > 0

    def fill_join_details(self, j: Joiner):
        self.fill_person(j.person, bsn=True)
        if j.email:
            self.fill(L.EMAIL, j.email)
        self.choose(L.IDENTITY[j.identity_method], group=L.IDENTITY_GROUP)
        if j.identity_method == "upload":
            self.upload(L.IDENTITY_FILE, ("id.jpg", j.identity_file or jpeg_bytes()))
        if j.proof_method:
            self.choose(L.PROOF[j.proof_method], group=L.JOIN_PROOF_GROUP)
            if j.proof_method == "upload":
                self.upload(L.JOIN_PROOF_FILE, ("gezag.pdf", j.proof_file or pdf_bytes()))

    def join(self, reference: str, code: str, j: Joiner):
        self.open_invitation(reference, code)
        assert self.path == "/meedoen/gegevens", self.page.inner_text("main")[:2000]
        self.fill_join_details(j)
        self.press(L.JOIN)

    def open_invitation_link(self, link_path: str):
        """The e-mailed link: a GET shows a button (mail scanners), the button opens it."""
        self.young = False
        self.goto(link_path)
        self.continue_()
        self.young = self._child_is_invited()

    def say_not_safe(self, birth_date: str, note: str | None = None) -> str:
        """On /meedoen/gegevens, the invited child says that involving the parent is not
        safe (art. 20.4). Returns the child's own passphrase, shown once."""
        self.follow(L.NOT_SAFE)
        return self.say_not_safe_here(birth_date, note)

    def say_not_safe_here(self, birth_date: str, note: str | None = None) -> str:
        assert self.path == "/meedoen/niet-veilig", self.page.url
        self.tick(L.NOT_SAFE)
        if note:
            self.fill(L.NOT_SAFE_NOTE, note)
        self.fill(L.JOIN_NOT_SAFE_BIRTH_DATE, birth_date)
        self.press(L.JOIN_NOT_SAFE_SEND)
        return self.page.locator("#passphrase").inner_text().strip()

    # --- following a request ----------------------------------------------------------------

    def status_login(self, reference: str, passphrase: str):
        self.goto("/volgen")
        form = self.form_with_button(L.STATUS_OPEN)
        self.fill(L.STATUS_REFERENCE, reference, within=form)
        self.fill(L.PASSPHRASE, passphrase, within=form)
        self.press(L.STATUS_OPEN, within=form)
