"""Bad input on every field of every question page: the page comes back (200) with the
error summary and the error at the field, in plain Dutch (B1), and nothing moves on:
the draft's answers and uploads are unchanged, the check page still sends the person
back to this page, and no request is stored. Then the same page with good answers does
go on, so each case fails only on the field it is about."""
from __future__ import annotations

import html as htmlmod
import io
import re
from datetime import date, timedelta

import pytest

from portal.models import Request

from .filing import Filer, Filing, Person, jpeg_bytes
from .support import any_csrf, count, dbs, dmy, draft_state, nothing_stored, request_by_ref, today, upload_message, years_ago

DROP = object()  # the field is not sent at all
JUNK = (b"<html><script>alert(1)</script></html>", "id.jpg")
ALL_RIGHTS = ["inzage", "afschrift", "correctie", "eigen_verklaring", "vernietiging", "gegevenswissing"]


def route(name: str, on: date) -> Filing:
    if name == "self":
        return Filing(rights=ALL_RIGHTS)
    if name == "all_ways":
        return Filing(rights=["inzage"], phone="06 12345678",
                      post={"street": "Markt", "house_number": "1", "postcode": "5611 AB", "city": "Eindhoven"})
    if name == "child_starts":
        return Filing(for_whom="self", requester=Person("Noor", "Bakker", dmy(years_ago(13, on))),
                      second={"given_names": "Petra", "surname": "Bakker", "rep_kind": "ouder_met_gezag",
                              "channel": "email", "email": "petra@example.org"},
                      email="noor@example.org")
    if name == "parent":
        return Filing(for_whom="child_under_12", rep_kind="ouder_met_gezag", subject=Person("Mila", "Jansen", dmy(years_ago(8, on))),
                      requester=Person("Karin", "Jansen", "02-02-1975"))
    if name == "parent_joint":
        return Filing(for_whom="child_12_16", rep_kind="voogd", subject=Person("Mila", "Jansen", dmy(years_ago(14, on))),
                      requester=Person("Karin", "Jansen", "02-02-1975"), second={"channel": "email", "email": "mila@example.org"})
    raise AssertionError(name)


def _future() -> str:
    return dmy(date.today() + timedelta(days=2))


LONG_NAME = "A" * 121
DATE_CASES = [
    ("", "Vul de geboortedatum in."),
    ("31-02-2010", "Deze datum bestaat niet. Controleer de dag en de maand."),
    ("2010-13-01", "Deze datum bestaat niet."),
    ("abc", "Schrijf de datum als dag-maand-jaar, bijvoorbeeld 31-12-2010."),
    ("14-3-85", "Schrijf de datum als dag-maand-jaar"),
    ("FUTURE", "Een geboortedatum kan niet in de toekomst liggen."),
    ("01-01-1899", "Controleer het jaar."),
]
PERSON_CASES = [
    ({"given_names": ""}, "given_names", "Vul de voornamen in."),
    ({"given_names": "   "}, "given_names", "Vul de voornamen in."),
    ({"given_names": LONG_NAME}, "given_names", "Gebruik hoogstens 120 tekens."),
    ({"surname": ""}, "surname", "Vul de achternaam in."),
    ({"surname": LONG_NAME}, "surname", "Gebruik hoogstens 120 tekens."),
] + [({"birth_date": value}, "birth_date", msg) for value, msg in DATE_CASES]

# (route, page, bad form data, bad files or None (= the good files), field, message)
CASES = [
    ("self", "voor-wie", {"for_whom": DROP}, None, "for_whom", "Kies voor wie u het verzoek doet."),
    ("self", "voor-wie", {"for_whom": "buurman"}, None, "for_whom", None),
    ("parent", "vertegenwoordiging", {"rep_kind": DROP}, None, "rep_kind", "Kies wat u van deze persoon bent."),
    ("parent", "vertegenwoordiging", {"rep_kind": "curator"}, None, "rep_kind", None),
    *[("parent", "betrokkene", bad, None, field, msg) for bad, field, msg in PERSON_CASES],
    *[("self", "over-u", bad, None, field, msg) for bad, field, msg in PERSON_CASES],
    ("self", "over-u", {"bsn": "123456789"}, None, "bsn", "Dit is geen geldig burgerservicenummer."),
    ("self", "over-u", {"bsn": "abc"}, None, "bsn", "Dit is geen geldig burgerservicenummer."),
    ("self", "over-u", {"bsn": "12345"}, None, "bsn", "Dit is geen geldig burgerservicenummer."),
    ("self", "rechten", {"rights": DROP}, None, "rights", "Kies minstens één ding dat u wilt vragen."),
    ("self", "rechten", {"rights": ["alles"]}, None, "rights", None),
    ("self", "afschrift", {"delivery": DROP}, None, "delivery", "Kies hoe u het afschrift wilt krijgen."),
    ("self", "afschrift", {"delivery": "fax"}, None, "delivery", None),
    ("self", "correctie", {"what_is_wrong": ""}, None, "what_is_wrong", "Schrijf op welke informatie niet klopt."),
    ("self", "correctie", {"what_is_wrong": "x" * 5001}, None, "what_is_wrong", "Gebruik hoogstens 5000 tekens."),
    ("self", "correctie", {"should_say": ""}, None, "should_say", "Schrijf op wat er volgens u moet staan."),
    ("self", "correctie", {"should_say": "x" * 5001}, None, "should_say", "Gebruik hoogstens 5000 tekens."),
    ("self", "eigen-verklaring", {"statement": ""}, None, "statement", "Schrijf uw verklaring, of voeg een PDF toe."),
    ("self", "eigen-verklaring", {"statement": "x" * 20001}, None, "statement", "Gebruik hoogstens 20000 tekens."),
    ("self", "eigen-verklaring", {}, {"statement_file": (jpeg_bytes(), "v.jpg")}, "statement_file",
     "Voeg uw verklaring toe als PDF, of schrijf haar in het tekstvak."),
    ("self", "eigen-verklaring", {}, {"statement_file": JUNK}, "statement_file",
     ("upload", "unsupported_type")),
    ("self", "vernietiging", {"refuted": DROP}, None, "refuted", "Kies ja, nee of dat weet ik niet."),
    ("self", "vernietiging", {"refuted": "misschien"}, None, "refuted", None),
    ("self", "vernietiging", {"grounds": "x" * 5001}, None, "grounds", "Gebruik hoogstens 5000 tekens."),
    ("self", "wissing", {"grounds": DROP}, None, "grounds", "Kies minstens één reden."),
    ("self", "wissing", {"grounds": ["z"]}, None, "grounds", None),
    ("self", "wissing", {"explanation": "x" * 5001}, None, "explanation", "Gebruik hoogstens 5000 tekens."),
    ("child_starts", "tweede-persoon", {"given_names": ""}, None, "given_names", "Vul de voornamen in."),
    ("child_starts", "tweede-persoon", {"given_names": LONG_NAME}, None, "given_names", "Gebruik hoogstens 120 tekens."),
    ("child_starts", "tweede-persoon", {"surname": ""}, None, "surname", "Vul de achternaam in."),
    ("child_starts", "tweede-persoon", {"rep_kind": DROP}, None, "rep_kind", "Kies wat deze persoon van jou is."),
    ("child_starts", "tweede-persoon", {"rep_kind": "curator"}, None, "rep_kind", None),
    ("child_starts", "tweede-persoon", {"channel": DROP}, None, "channel", "Kies hoe de ander de uitnodiging krijgt."),
    ("child_starts", "tweede-persoon", {"email": ""}, None, "email", "Vul het e-mailadres van de ander in."),
    ("child_starts", "tweede-persoon", {"email": "x@"}, None, "email", "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
    ("child_starts", "tweede-persoon", {"not_safe": "y", "not_safe_note": "x" * 2001}, None, "not_safe_note",
     "Gebruik hoogstens 2000 tekens."),
    ("parent_joint", "tweede-persoon", {"channel": DROP}, None, "channel", "Kies hoe de ander de uitnodiging krijgt."),
    ("parent_joint", "tweede-persoon", {"channel": "sms"}, None, "channel", None),
    ("parent_joint", "tweede-persoon", {"email": "mila@@example"}, None, "email", "Vul een geldig e-mailadres in"),
    ("self", "identiteit", {"method": DROP}, None, "method", "Kies hoe u laat zien wie u bent."),
    ("self", "identiteit", {"method": "post"}, None, "method", None),
    ("self", "identiteit", {}, {}, "document", "Kies een bestand, of kies dat u het laat zien bij Veilig Thuis."),
    ("self", "identiteit", {}, {"document": JUNK}, "document", ("upload", "unsupported_type")),
    ("self", "identiteit", {}, {"document": (b"", "id.jpg")}, "document", ("upload", "empty")),
    ("self", "identiteit", {}, {"document": (b"\xff\xd8\xff\xe0broken", "id.jpg")}, "document",
     ("upload", "image_broken")),
    ("parent", "bewijs", {"method": DROP}, None, "method", "Kies hoe u het bewijs laat zien."),
    ("parent", "bewijs", {}, {}, "document", "Kies een bestand, of kies dat u het laat zien bij Veilig Thuis."),
    ("parent", "bewijs", {}, {"document": (b"%PDF-1.4 broken", "b.pdf")}, "document", ("upload", "pdf_broken")),
    ("self", "contact", {"ways": DROP}, None, "ways", "Kies hoe wij u mogen bereiken, of kies 'Liever niet'."),
    ("self", "contact", {"ways": ["email", "none"]}, None, "ways", "Kies 'Liever niet' alleen als wij u op geen enkele manier"),
    ("self", "contact", {"ways": ["fax"]}, None, "ways", None),
    ("self", "contact-gegevens", {"email": ""}, None, "email", "Vul uw e-mailadres in."),
    ("self", "contact-gegevens", {"email": "x@"}, None, "email", "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
    ("self", "contact-gegevens", {"email": "sanne@example"}, None, "email", "Vul een geldig e-mailadres in"),
    ("all_ways", "contact-gegevens", {"phone": ""}, None, "phone", "Vul uw telefoonnummer in."),
    ("all_ways", "contact-gegevens", {"phone": "123"}, None, "phone", "Vul een geldig telefoonnummer in, zoals 06 12345678."),
    ("all_ways", "contact-gegevens", {"phone_times": "x" * 201}, None, "phone_times", "Gebruik hoogstens 200 tekens."),
    *[("all_ways", "contact-gegevens", bad, None, field, msg) for bad, field, msg in [
        ({"street": ""}, "street", "Vul de straat in."),
        ({"street": "x" * 121}, "street", "Gebruik hoogstens 120 tekens."),
        ({"house_number": ""}, "house_number", "Vul het huisnummer in."),
        ({"house_number": "1" * 21}, "house_number", "Gebruik hoogstens 20 tekens."),
        ({"postcode": ""}, "postcode", "Vul de postcode in."),
        ({"postcode": "ABCD 12"}, "postcode", "Vul een geldige postcode in, zoals 1234 AB."),
        ({"postcode": "0123 AB"}, "postcode", "Vul een geldige postcode in"),
        ({"city": ""}, "city", "Vul de plaats in."),
        ({"city": "x" * 81}, "city", "Gebruik hoogstens 80 tekens."),
    ]],
    # A child of 12 to 16 filing for themselves reads "je" (issue 15, art. 20.1).
    ("child_starts", "contact-gegevens", {"email": "Petra@Example.org"}, None, "email",
     "Dit is het e-mailadres dat je voor de ander gaf. Vul je eigen e-mailadres in."),
]


def _case_id(case) -> str:
    rt, page, bad, files, field, _msg = case
    what = "+".join(f"{k}={'missing' if v is DROP else (str(v)[:12] if len(str(v)) < 40 else f'{len(v)}chars')}" for k, v in bad.items())
    if files is not None:
        what += "+file:" + (",".join(f"{n}={fname}:{len(content)}b" for n, (content, fname) in files.items()) or "none")
    return f"{rt}-{page}-{field}-{what}"


def _field_error(html: str, field: str) -> str:
    m = re.search(rf'<p class="field-error" id="{re.escape(field)}-error">(.*?)</p>', html, re.S)
    assert m, f"no field error for {field}"
    return htmlmod.unescape(re.sub(r"<[^>]+>", "", m.group(1)))


def _payload(data: dict, files: dict | None) -> dict:
    out = {k: v for k, v in data.items() if v is not DROP}
    for k, (content, name) in (files or {}).items():
        out[k] = (io.BytesIO(content), name)
    return out


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_art19_b1_every_field_refuses_bad_input_with_a_clear_error_and_nothing_moves_on(case, client, app):
    rt, page, bad, bad_files, field, message = case
    filing = route(rt, today(app))
    filer = Filer(client).fill(filing, until=page)
    good_data, good_files = next((d, fl) for name, d, fl in Filer.pages(filing) if name == page)
    if isinstance(message, tuple):
        message = upload_message(app, message[1])
    if bad.get("birth_date") == "FUTURE":
        bad = {**bad, "birth_date": _future()}
    before_draft = draft_state(app, client)
    before_rows = nothing_stored(app)

    data = {**good_data, **bad}
    files = good_files if bad_files is None else bad_files
    resp = filer.post(f"/verzoek/{page}", _payload(data, files), content_type="multipart/form-data" if files else None)

    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html[:2000]
    assert 'id="error-summary"' in html
    assert "<title>Fout:" in html
    error = _field_error(html, field)
    if message:
        assert message in error
        assert message in htmlmod.unescape(html[html.index('id="error-summary"'):html.index("</ul>", html.index('id="error-summary"'))])
    else:
        assert error.strip()
    # Nothing moved on and nothing was stored.
    assert draft_state(app, client) == before_draft
    assert nothing_stored(app) == before_rows
    assert client.get("/verzoek/controleren").headers["Location"].endswith(f"/verzoek/{page}")
    assert count(app, Request) == 0

    # The same page with good answers does go on (the case failed on its own field only).
    resp = filer.post(f"/verzoek/{page}", _payload(good_data, good_files), content_type="multipart/form-data" if good_files else None)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]


def test_art19_b1_changing_an_answer_with_bad_input_keeps_the_old_answer(client, app):
    filer = Filer(client).fill(Filing(requester=Person("Sanne", "de Vries", "14-03-1985")))
    before = draft_state(app, client)
    resp = filer.post("/verzoek/over-u?wijzig=1", {"given_names": "Sanne", "surname": "de Vries", "birth_date": "31-02-1985", "bsn": ""})
    assert resp.status_code == 200 and 'id="birth_date-error"' in resp.get_data(as_text=True)
    assert draft_state(app, client) == before
    check = client.get("/verzoek/controleren").get_data(as_text=True)
    assert "14-03-1985" in check
    sub = filer.submit()
    with dbs(app) as s:
        assert request_by_ref(s, sub.reference).requester.birth_date == date(1985, 3, 14)


def test_art19_b1_a_request_is_not_sent_without_confirming_the_answers_are_truthful(client, app):
    filer = Filer(client).fill(Filing())
    before = draft_state(app, client)
    resp = filer.post("/verzoek/controleren", {})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'id="error-summary"' in html and 'id="truthful-error"' in html
    assert "Zet een vinkje om te bevestigen dat u de vragen naar waarheid heeft ingevuld." in html
    assert draft_state(app, client) == before
    assert count(app, Request) == 0


@pytest.mark.parametrize("url,form,field,message,status", [
    ("/meedoen", {"reference": "", "code": "ABCD-EFGH-JKMN"}, "reference", "Vul het kenmerk in.", 200),
    ("/meedoen", {"reference": "VT-ABCD-EFGH-JKMN", "code": ""}, "code", "Vul de uitnodigingscode in.", 200),
    ("/meedoen", {"reference": "V" * 41, "code": "ABCD"}, "reference", "Dit kenmerk is te lang.", 200),
    ("/volgen/wachtzin", {"p-reference": "", "p-passphrase": "een twee"}, "p-reference", "Vul het kenmerk in.", 400),
    ("/volgen/wachtzin", {"p-reference": "VT-ABCD-EFGH-JKMN", "p-passphrase": ""}, "p-passphrase", "Vul de wachtzin in.", 400),
    ("/volgen/wachtzin", {"p-reference": "VT-ABCD-EFGH-JKMN", "p-passphrase": "x" * 201}, "p-passphrase", "Deze wachtzin is te lang.", 400),
    ("/volgen/link", {"l-reference": "", "l-email": "iemand@example.org"}, "l-reference", "Vul het kenmerk in.", 400),
    ("/volgen/link", {"l-reference": "VT-AAAA-BBBB-CCCC", "l-email": "x@"}, "l-email", "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.", 400),
])
def test_art19_b1_follow_and_join_forms_refuse_missing_or_too_long_input(url, form, field, message, status, client, app):
    page = "/meedoen" if url == "/meedoen" else "/volgen"
    token = any_csrf(client.get(page).get_data(as_text=True))
    resp = client.post(url, data={"csrf_token": token, **form})
    html = resp.get_data(as_text=True)
    assert resp.status_code == status
    assert 'id="error-summary"' in html
    assert message in _field_error(html, field)
    with client.session_transaction() as sess:
        assert "status" not in sess and "join" not in sess


@pytest.mark.parametrize("ways,shown", [
    (["email"], {"email"}),
    (["phone"], {"phone", "phone_times", "voicemail_ok"}),
    (["post"], {"street", "house_number", "postcode", "city"}),
    (["email", "post"], {"email", "street", "house_number", "postcode", "city"}),
])
def test_art19_b1_the_contact_page_asks_first_how_and_then_shows_only_those_fields(ways, shown, client, app):
    filer = Filer(client).fill(Filing(), until="contact")
    assert filer.post("/verzoek/contact", {"ways": ways}).status_code == 302
    html = client.get("/verzoek/contact-gegevens").get_data(as_text=True)
    all_fields = {"email", "phone", "phone_times", "voicemail_ok", "street", "house_number", "postcode", "city"}
    present = {name for name in all_fields if f'name="{name}"' in html}
    assert present == shown


def test_art19_b1_no_way_to_reach_means_no_details_page_and_a_passphrase(client, app):
    filer = Filer(client).fill(Filing(), until="contact")
    resp = filer.post("/verzoek/contact", {"ways": ["none"]})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/verzoek/controleren")
    assert client.get("/verzoek/contact-gegevens").headers["Location"].endswith("/verzoek/controleren")
    sub = filer.submit()
    assert sub.passphrase
