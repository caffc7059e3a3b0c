"""What the back-office pages share: the errors of a form that did not validate, a
file sent so that no cache keeps it, and the words for the error codes of casework
and decisions (the destruction and erasure panel says them too).

Route modules import these from here, never from each other.
"""
from __future__ import annotations

from flask import make_response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from portal.rules import grounds as G
from portal.services import destruction as D

#: The casework panels' words for the codes that portal/services/casework.py,
#: decisions.py and casefile.py raise; backoffice/rights_destruction.py falls back on them.
CASEWORK_ERRORS = {
    # casework
    "not_found": _l("Dit bestaat niet (meer) bij dit verzoek."),
    "not_a_party": _l("Deze persoon hoort niet bij dit verzoek."),
    "request_not_open": _l("Dit verzoek is niet (meer) in behandeling."),
    "request_withdrawn": _l("De verzoeker heeft dit verzoek ingetrokken. Er kan geen besluit meer worden genomen of ondertekend."),
    "party_does_not_take_part": _l("Deze persoon doet niet zelf mee aan het verzoek."),
    "kind_unknown": _l("Kies wat u heeft gecontroleerd."),
    "no_representation_to_check": _l("Deze persoon vraagt om eigen gegevens. Er is geen vertegenwoordiging te controleren."),
    "method_unknown": _l("Kies hoe u heeft gecontroleerd."),
    "document_kind_unknown": _l("Kies een soort document dat bij deze controle past."),
    "result_unknown": _l("Kies de uitkomst."),
    "verified_needs_match": _l("De uitkomst kan alleen 'klopt' zijn als de naam en de geboortedatum kloppen."),
    "notes_too_long": _l("De notitie is te lang."),
    "no_copy_to_check": _l("Er is geen kopie om te controleren. Kies een andere manier."),
    "document_unreadable": _l("Dit bestand kan niet worden geopend. Vraag de persoon om een nieuwe kopie."),
    "not_the_subject": _l("Een oordeel over wilsbekwaamheid gaat over de betrokkene."),
    "subject_under_12": _l("De betrokkene is jonger dan 12. Dan beslissen de wettelijk vertegenwoordigers altijd (artikel 20 lid 1)."),
    "reasons_required": _l("Schrijf de redenen op (minstens 20 tekens)."),
    "reasons_too_long": _l("De redenen zijn te lang."),
    "no_art20_4_question": _l("Bij dit verzoek is geen vraag volgens artikel 20 lid 4."),
    "outcome_unknown": _l("Kies een besluit."),
    # decisions
    "right_not_asked": _l("Dit recht is niet gevraagd in dit verzoek."),
    G.GROUND_UNKNOWN: _l("Kies gronden uit de lijst."),
    G.GROUND_REQUIRED: _l("Een afwijzing of beperking heeft minstens één grond nodig (artikel 14 lid 2, artikel 20 lid 4)."),
    G.REASONS_REQUIRED: _l("Een afwijzing of beperking heeft een schriftelijke motivering nodig (minstens 20 tekens)."),
    G.GRANT_HAS_NO_GROUNDS: _l("Bij toewijzen horen geen gronden. Haal de gronden weg of kies een ander besluit."),
    G.GROUND_NOT_FOR_RIGHT: _l("Een van de gronden past niet bij dit recht."),
    G.GROUND_NEEDS_REPRESENTATIVE: _l("Artikel 20 lid 4 geldt alleen als een wettelijk vertegenwoordiger het verzoek doet."),
    "identity_not_verified": _l("Eerst moet de identiteit van iedereen die meedoet zijn gecontroleerd (artikel 20 lid 5). Tot die tijd kunt u alleen afwijzen."),
    "open_proposal_exists": _l("Voor dit recht is al een voorstel. Wijzig dat voorstel."),
    "already_decided": _l("Voor dit recht is al een ondertekend besluit. Maak een nieuw besluit dat het vervangt."),
    "replaces_not_standing": _l("Alleen het ondertekende besluit dat nu geldt, kan worden vervangen."),
    "signed_cannot_be_edited": _l("Een ondertekend besluit kan niet worden gewijzigd. Maak een nieuw besluit dat het vervangt."),
    "not_waiting_for_review": _l("Dit besluit wacht niet op een teamleider."),
    "own_proposal": _l("U kunt uw eigen voorstel niet ondertekenen of terugsturen. Een andere teamleider moet dit doen."),
    "comment_required": _l("Schrijf waarom u het voorstel terugstuurt."),
    "comment_too_long": _l("De opmerking is te lang."),
    # destruction and erasure, checked by decisions.py (portal/services/destruction/checks.py)
    D.ART17_3_MUST_GRANT: _l("Het onderzoek heeft de melding weerlegd. Dan moet Veilig Thuis de vernietiging toewijzen (artikel 17 lid 3). Afwijzen of beperken kan niet."),
    D.ART17_4_INTEREST_REQUIRED: _l("Een afwijzing omdat bewaren van aanmerkelijk belang is voor een ander, noemt die ander en waarom (artikel 17 lid 4). Vul dat eerst in bij 'Vernietiging'."),
    D.ART18_3_EXCEPTION_REQUIRED: _l("Een afwijzing op grond van artikel 17 lid 3 AVG noemt minstens één uitzondering uit de lijst, met een toelichting. Vul de lijst eerst in bij 'Gegevenswissing'."),
    D.DOSSIER_NOT_LINKED: _l("Koppel het verzoek eerst aan de persoon in het dossier. Dan kan het portaal artikel 17 lid 3 controleren en weet het welke gegevens het gaat."),
    "art20_4_pending": _l("Eerst moet een teamleider beslissen of het verzoek doorgaat zonder de ouder (artikel 20 lid 4)."),
    # messages (portal/services/casefile.py)
    "message_empty": _l("Schrijf een bericht."),
    "message_too_long": _l("Het bericht is te lang."),
    "cannot_ask_now": _l("Bij deze status kunt u niet om informatie vragen."),
}


def form_errors(form: FlaskForm) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        if name == "csrf_token":
            out.append(_("De pagina was verlopen. Probeer het opnieuw."))
        else:
            out.extend(str(e) for e in errors)
    return out


def no_store_file(data: bytes, content_type: str, filename: str, *, inline: bool):
    resp = make_response(data)
    resp.headers["Content-Type"] = content_type
    resp.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Pragma"] = "no-cache"
    resp.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return resp
