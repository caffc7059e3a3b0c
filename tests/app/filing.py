"""Page helpers for the public flow through the Flask test client (as SecureDrop's
app_navigators): a label or URL change is one edit here, not in every test."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from PIL import Image

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def jpeg_bytes(size=(400, 300)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 180, 160)).save(buf, "JPEG")
    return buf.getvalue()


def pdf_bytes() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


@dataclass
class Person:
    given_names: str = "Sanne"
    surname: str = "de Vries"
    birth_date: str = "14-03-1985"
    bsn: str = ""


@dataclass
class Filing:
    """Everything one person answers; the defaults make a complete, valid request."""

    for_whom: str = "self"
    rep_kind: str | None = None
    subject: Person | None = None
    requester: Person = field(default_factory=Person)
    rights: list[str] = field(default_factory=lambda: ["inzage"])
    details: dict = field(default_factory=dict)
    second: dict | None = None
    identity_method: str = "upload"
    identity_file: bytes | None = None
    proof_method: str = "upload"
    proof_file: bytes | None = None
    email: str | None = "sanne@example.org"
    phone: str | None = None
    post: dict | None = None
    # A PDF sent with an own statement (art. 16), besides or instead of the text.
    statement_file: bytes | None = None


class Filer:
    def __init__(self, client):
        self.client = client
        self.last = None

    def get(self, url, **kw):
        self.last = self.client.get(url, **kw)
        return self.last

    def post(self, url, data, **kw):
        html = self.client.get(url).get_data(as_text=True)
        data = {"csrf_token": csrf(html), **data}
        self.last = self.client.post(url, data=data, **kw)
        return self.last

    def step(self, name, data, files=None, expect_redirect=True):
        payload = dict(data)
        if files:
            payload.update({k: (io.BytesIO(v), fname) for k, (v, fname) in files.items()})
        resp = self.post(f"/verzoek/{name}", payload, content_type="multipart/form-data" if files else None)
        if expect_redirect:
            assert resp.status_code == 302, f"step {name} did not go on: {resp.status_code}\n{resp.get_data(as_text=True)[:3000]}"
        return resp

    def start(self):
        resp = self.post("/verzoek", {})
        assert resp.status_code == 302
        return resp

    def fill(self, f: Filing, until: str | None = None):
        """Walk every page in order, following the app's own redirects. With `until`,
        stop just before posting that page (its predecessors are all answered)."""
        self.start()
        for name, data, files in self.pages(f):
            if name == until:
                return self
            self.step(name, data, files=files)
        assert until is None, f"page {until!r} is not on this route"
        return self

    @staticmethod
    def pages(f: Filing):
        """(page, form data, files) for every page this filing answers, in order."""
        yield "voor-wie", {"for_whom": f.for_whom}, None
        if f.for_whom != "self":
            yield "vertegenwoordiging", {"rep_kind": f.rep_kind}, None
            s = f.subject
            yield "betrokkene", {"given_names": s.given_names, "surname": s.surname, "birth_date": s.birth_date}, None
        r = f.requester
        yield "over-u", {"given_names": r.given_names, "surname": r.surname, "birth_date": r.birth_date, "bsn": r.bsn}, None
        yield "rechten", {"rights": f.rights}, None
        for right, step in (("afschrift", "afschrift"), ("correctie", "correctie")):
            if right in f.rights:
                yield step, f.details.get(right) or DEFAULT_DETAILS[right], None
        if "eigen_verklaring" in f.rights:
            files = {"statement_file": (f.statement_file, "verklaring.pdf")} if f.statement_file else None
            yield "eigen-verklaring", f.details.get("eigen_verklaring") or DEFAULT_DETAILS["eigen_verklaring"], files
        for right, step in (("vernietiging", "vernietiging"), ("gegevenswissing", "wissing")):
            if right in f.rights:
                yield step, f.details.get(right) or DEFAULT_DETAILS[right], None
        if f.second is not None:
            yield "tweede-persoon", f.second, None
        files = {"document": (f.identity_file or jpeg_bytes(), "id.jpg")} if f.identity_method == "upload" else None
        yield "identiteit", {"method": f.identity_method}, files
        if f.for_whom != "self":
            files = {"document": (f.proof_file or pdf_bytes(), "bewijs.pdf")} if f.proof_method == "upload" else None
            yield "bewijs", {"method": f.proof_method}, files
        # First how we may reach the person, then only the details of those ways.
        ways = [w for w, given in (("email", f.email), ("phone", f.phone), ("post", f.post)) if given]
        yield "contact", {"ways": ways or ["none"]}, None
        if ways:
            details = {}
            if f.email:
                details["email"] = f.email
            if f.phone:
                details.update({"phone": f.phone, "phone_times": "ochtend"})
            if f.post:
                details.update(f.post)
            yield "contact-gegevens", details, None

    def submit(self):
        resp = self.post("/verzoek/controleren", {"truthful": "y"})
        assert resp.status_code == 200, resp.get_data(as_text=True)[:3000]
        html = resp.get_data(as_text=True)
        ref = re.search(r'id="reference">(VT-[A-Z0-9-]+)<', html)
        assert ref, "no reference on the confirmation page"
        phrase = re.search(r'id="passphrase"[^>]*>([^<]+)<', html)
        code = re.search(r'id="invitation-code">([A-Z0-9-]+)<', html)
        return Submitted(ref.group(1), phrase.group(1).strip() if phrase else None, code.group(1) if code else None, html)


@dataclass
class Submitted:
    reference: str
    passphrase: str | None
    invitation_code: str | None
    html: str


DEFAULT_DETAILS = {
    "afschrift": {"delivery": "download"},
    "correctie": {"what_is_wrong": "De datum van het gesprek klopt niet.", "should_say": "Het gesprek was op 3 maart."},
    "eigen_verklaring": {"statement": "Ik ben het niet eens met de beoordeling."},
    "vernietiging": {"refuted": "yes", "grounds": "De melding klopte niet."},
    "gegevenswissing": {"grounds": ["a", "d"], "explanation": "Niet meer nodig."},
}
