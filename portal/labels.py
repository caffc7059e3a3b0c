"""Words shown to people for the codes in the database, in both languages."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import Flask
from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l

from .rules.eligibility import RepresentativeKind

#: A date in words, day first in both languages: "4 januari 2027", "4 January 2027"
#: (British English; Babel's "long" for "en" is American, "January 4, 2027").
LONG_DATE = "d MMMM y"

RIGHT_NAMES = {
    "inzage": _l("Inzage"),
    "afschrift": _l("Afschrift"),
    "correctie": _l("Correctie"),
    "eigen_verklaring": _l("Eigen verklaring"),
    "vernietiging": _l("Vernietiging"),
    "gegevenswissing": _l("Gegevenswissing"),
}

STATUS_NAMES = {
    "awaiting_email": _l("Wacht op bevestiging van uw e-mailadres"),
    "awaiting_co_requester": _l("Wacht tot de tweede persoon meedoet"),
    "received": _l("Ontvangen"),
    "in_progress": _l("In behandeling"),
    "waiting_for_requester": _l("Wij wachten op informatie van u"),
    "decided": _l("Besluit genomen"),
    "closed": _l("Afgesloten"),
    "withdrawn": _l("Ingetrokken"),
}

EVENT_NAMES = {
    "submitted": _l("Verzoek verstuurd"),
    "email_confirmed": _l("E-mailadres bevestigd"),
    "co_requester_joined": _l("De tweede persoon doet mee"),
    "invitation_expired": _l("De uitnodiging voor de tweede persoon is verlopen"),
    "requester_replied": _l("U stuurde een bericht"),
    "message_to_requester": _l("Veilig Thuis stuurde een bericht"),
    "deadline_extended": _l("Veilig Thuis heeft meer tijd nodig (zie het bericht)"),
    "copy_released": _l("Uw afschrift staat klaar"),
    "copy_downloaded": _l("Afschrift gedownload"),
    "copy_handed_over": _l("Afschrift persoonlijk overhandigd"),
    "copy_withdrawn": _l("Uw afschrift is ingetrokken, omdat er gegevens uit het dossier zijn vernietigd of gewist (zie het bericht)"),
    "copy_inspected": _l("U heeft uw gegevens ingezien"),
    "request_withdrawn": _l("U heeft uw verzoek ingetrokken"),
    "uploads_purged": _l("Wat u meestuurde is verwijderd"),
}

#: "right_answered:<right>": the requester's words for a right that was answered.
ANSWERED_EVENT = _l("Beantwoord: %(right)s")

#: How a right was answered (RequestedRight.answered_by), for the requester.
ANSWER_NAMES = {
    "decision": _l("U heeft een besluit gekregen (zie de brieven)."),
    "copy_released": _l("Uw afschrift staat voor u klaar om te downloaden."),
    "copy_handed_over": _l("U heeft uw afschrift bij Veilig Thuis gekregen."),
    "inspection": _l("U heeft uw gegevens ingezien."),
}

#: What a representative is of the person the request is about (the public form asks it).
REP_KIND_LABELS = {
    RepresentativeKind.PARENT_WITH_AUTHORITY.value: _l("Ouder met gezag"),
    RepresentativeKind.GUARDIAN.value: _l("Voogd"),
    RepresentativeKind.CURATOR.value: _l("Curator"),
    RepresentativeKind.MENTOR.value: _l("Mentor"),
    RepresentativeKind.BEWINDVOERDER.value: _l("Bewindvoerder"),
}

#: Art. 18.2 a-e: the requester's grounds for erasure, in the requester's words.
ERASURE_GROUNDS = {
    "a": _l("De gegevens zijn niet meer nodig voor het doel waarvoor ze zijn verzameld"),
    "b": _l("Ik trek mijn toestemming in en er is geen andere reden om de gegevens te gebruiken"),
    "c": _l("Ik maak bezwaar tegen het gebruik van mijn gegevens"),
    "d": _l("De gegevens zijn gebruikt terwijl dat niet mocht"),
    "e": _l("De gegevens moeten gewist worden volgens de wet"),
}


def event_label(kind: str) -> str:
    if kind.startswith("status:"):
        return str(_l("Status: %(status)s", status=STATUS_NAMES.get(kind[7:], kind[7:])))
    if kind.startswith("right_answered:"):
        return str(ANSWERED_EVENT) % {"right": str(RIGHT_NAMES.get(kind[15:], kind[15:]))}
    return str(EVENT_NAMES.get(kind, kind))


def aria(field, hint, attrs: dict) -> dict:
    """The attributes that tie an input to its hint and error (WCAG 1.3.1, 3.3.1)."""
    described = [f"{field.id}-hint"] if hint else []
    if field.errors:
        described.append(f"{field.id}-error")
    out = dict(attrs)
    if described:
        out["aria-describedby"] = " ".join(described)
    if field.errors:
        out["aria-invalid"] = "true"
    return out


def register(app: Flask) -> None:
    app.jinja_env.globals["aria"] = aria
    app.add_template_filter(lambda code: str(RIGHT_NAMES.get(code, code)), "right_label")
    app.add_template_filter(lambda code: str(STATUS_NAMES.get(code, code)), "status_label")
    app.add_template_filter(event_label, "event_label")
    app.add_template_filter(lambda code: str(ANSWER_NAMES.get(code, "")), "answer_label")
    app.add_template_filter(lambda code: f"{code}) {ERASURE_GROUNDS[code]}" if code in ERASURE_GROUNDS else code, "erasure_ground")
    app.add_template_filter(lambda iso: date.fromisoformat(iso).strftime("%d-%m-%Y") if iso else "", "isodate")
    app.add_template_filter(lambda d: format_date(d, LONG_DATE) if d else "", "longdate")
    app.add_template_filter(
        lambda dt: format_datetime(dt.replace(tzinfo=timezone.utc), "d MMMM y HH:mm") if isinstance(dt, datetime) else "",
        "localdatetime",
    )
    app.jinja_env.globals["rep_labels"] = REP_KIND_LABELS

# The copy (afschrift, art. 14): entry kinds (vt-dossier/1), natures (art. 6.5), and
# sources as a role, never a name.
ENTRY_KIND_NAMES = {
    "report": _l("Melding"),
    "conversation": _l("Gesprek"),
    "safety_assessment": _l("Veiligheidsbeoordeling"),
    "investigation": _l("Onderzoek"),
    "third_party_information": _l("Informatie van anderen"),
    "decision": _l("Besluit"),
    "letter": _l("Brief"),
    "own_statement": _l("Eigen verklaring"),
    "note": _l("Aantekening"),
}

NATURE_NAMES = {
    "fact": _l("feit"),
    "opinion": _l("mening"),
    "hypothesis": _l("veronderstelling"),
    "diagnosis": _l("diagnose"),
}

SOURCE_NAMES = {
    "reporter": _l("melder"),
    "informant": _l("informant (professional)"),
    "third_party": _l("iemand anders"),
    "subject": _l("gezinslid"),
    None: _l("Veilig Thuis"),
}
