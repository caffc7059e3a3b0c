"""One form per question page. Every field has a clear, B1-level error message."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .. import validation
from ..labels import ERASURE_GROUNDS
from ..rules.eligibility import ForWhom, RepresentativeKind
from ..rules.rights import Right

NAME_MAX = 120
TEXT_MAX = 5000


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _date_validator(message_missing, *, past=True):
    def check(form, field):
        raw = (field.data or "").strip()
        if not raw:
            raise ValidationError(message_missing)
        try:
            value = validation.parse_date(raw)
        except ValueError as exc:
            if str(exc) == "date_does_not_exist":
                raise ValidationError(_l("Deze datum bestaat niet. Controleer de dag en de maand.")) from None
            raise ValidationError(_l("Schrijf de datum als dag-maand-jaar, bijvoorbeeld 31-12-2010.")) from None
        if past and value > date.today():
            raise ValidationError(_l("Een geboortedatum kan niet in de toekomst liggen."))
        if value.year < 1900:
            raise ValidationError(_l("Controleer het jaar."))
        field.parsed = value

    # Required, though not by a WTForms validator: flag it, so the label does not say
    # "(niet verplicht)" and the input gets `required` (WCAG 3.3.2).
    check.field_flags = {"required": True}
    return check


def _bsn_validator(form, field):
    raw = (field.data or "").strip()
    if not raw:
        field.parsed = None
        return
    try:
        field.parsed = validation.normalise_bsn(raw)
    except ValueError:
        raise ValidationError(_l("Dit is geen geldig burgerservicenummer. Controleer de 9 cijfers, of laat dit leeg.")) from None


def _normaliser(fn, message):
    def check(form, field):
        raw = (field.data or "").strip()
        if not raw:
            field.parsed = None
            return
        try:
            field.parsed = fn(raw)
        except ValueError:
            raise ValidationError(message) from None

    return check


class NoPersonsForm(FlaskForm):
    """A page with only a button (CSRF still checked)."""


class ForWhomForm(FlaskForm):
    for_whom = RadioField(
        _l("Voor wie doet u het verzoek?"),
        choices=[
            (ForWhom.SELF.value, _l("Voor mijzelf")),
            (ForWhom.CHILD_UNDER_12.value, _l("Voor mijn kind jonger dan 12 jaar")),
            (ForWhom.CHILD_12_TO_16.value, _l("Voor mijn kind van 12 tot 16 jaar, samen met mijn kind")),
            (ForWhom.ADULT_REPRESENTED.value, _l("Voor iemand van wie ik curator, mentor of bewindvoerder ben")),
        ],
        validators=[InputRequired(_l("Kies voor wie u het verzoek doet."))],
    )


class RepresentativeKindForm(FlaskForm):
    rep_kind = RadioField(
        _l("Wat bent u van deze persoon?"),
        choices=[],
        validators=[InputRequired(_l("Kies wat u van deze persoon bent."))],
    )


class PersonForm(FlaskForm):
    given_names = StringField(
        _l("Voornamen"),
        validators=[DataRequired(_l("Vul de voornamen in.")), Length(max=NAME_MAX, message=_l("Gebruik hoogstens 120 tekens."))],
    )
    surname = StringField(
        _l("Achternaam"),
        validators=[DataRequired(_l("Vul de achternaam in.")), Length(max=NAME_MAX, message=_l("Gebruik hoogstens 120 tekens."))],
    )
    birth_date = StringField(_l("Geboortedatum"), validators=[_date_validator(_l("Vul de geboortedatum in."))])


class RequesterForm(PersonForm):
    bsn = StringField(_l("Burgerservicenummer (BSN)"), validators=[_bsn_validator])


RIGHT_LABELS = {
    Right.ACCESS.value: _l("Inzage: mijn gegevens bekijken"),
    Right.COPY.value: _l("Afschrift: een kopie van mijn gegevens krijgen"),
    Right.RECTIFICATION.value: _l("Correctie: feiten laten verbeteren die niet kloppen"),
    Right.OWN_STATEMENT.value: _l("Eigen verklaring: mijn eigen kant van het verhaal laten toevoegen"),
    Right.DESTRUCTION.value: _l("Vernietiging: het dossier laten vernietigen"),
    Right.ERASURE.value: _l("Gegevenswissing: bepaalde gegevens laten wissen"),
}


#: The same rights for whoever asks about someone else's data (a child, a ward).
RIGHT_LABELS_OTHER = {
    Right.ACCESS.value: _l("Inzage: zijn of haar gegevens bekijken"),
    Right.COPY.value: _l("Afschrift: een kopie van zijn of haar gegevens krijgen"),
    Right.RECTIFICATION.value: _l("Correctie: feiten laten verbeteren die niet kloppen"),
    Right.OWN_STATEMENT.value: _l("Eigen verklaring: zijn of haar kant van het verhaal laten toevoegen"),
    Right.DESTRUCTION.value: _l("Vernietiging: het dossier laten vernietigen"),
    Right.ERASURE.value: _l("Gegevenswissing: bepaalde gegevens laten wissen"),
}


class RightsForm(FlaskForm):
    rights = MultiCheckboxField(
        _l("Wat wilt u vragen?"),
        choices=[(k, v) for k, v in RIGHT_LABELS.items()],
        validators=[DataRequired(_l("Kies minstens één ding dat u wilt vragen."))],
    )


class RectificationForm(FlaskForm):
    what_is_wrong = TextAreaField(
        _l("Welke informatie klopt niet?"),
        validators=[DataRequired(_l("Schrijf op welke informatie niet klopt.")), Length(max=TEXT_MAX, message=_l("Gebruik hoogstens 5000 tekens."))],
    )
    should_say = TextAreaField(
        _l("Wat moet er staan?"),
        validators=[DataRequired(_l("Schrijf op wat er volgens u moet staan.")), Length(max=TEXT_MAX, message=_l("Gebruik hoogstens 5000 tekens."))],
    )


class OwnStatementForm(FlaskForm):
    statement = TextAreaField(
        _l("Uw verklaring"),
        validators=[Length(max=TEXT_MAX * 4, message=_l("Gebruik hoogstens 20000 tekens."))],
    )
    statement_file = FileField(_l("Of voeg een PDF toe"))


class DestructionForm(FlaskForm):
    refuted = RadioField(
        _l("Heeft Veilig Thuis na onderzoek gezegd dat de melding niet klopte?"),
        choices=[("yes", _l("Ja")), ("no", _l("Nee")), ("unknown", _l("Dat weet ik niet"))],
        validators=[InputRequired(_l("Kies ja, nee of dat weet ik niet."))],
    )
    grounds = TextAreaField(
        _l("Waarom wilt u dat het dossier wordt vernietigd?"),
        validators=[Optional(), Length(max=TEXT_MAX, message=_l("Gebruik hoogstens 5000 tekens."))],
    )


class ErasureForm(FlaskForm):
    grounds = MultiCheckboxField(
        _l("Waarom moeten de gegevens gewist worden?"),
        choices=[(k, v) for k, v in ERASURE_GROUNDS.items()],
        validators=[DataRequired(_l("Kies minstens één reden."))],
    )
    explanation = TextAreaField(
        _l("Welke gegevens, en wat wilt u nog uitleggen?"),
        validators=[Optional(), Length(max=TEXT_MAX, message=_l("Gebruik hoogstens 5000 tekens."))],
    )


class CopyForm(FlaskForm):
    delivery = RadioField(
        _l("Hoe wilt u het afschrift krijgen?"),
        choices=[("download", _l("Veilig downloaden via deze website")), ("in_person", _l("Ophalen bij Veilig Thuis"))],
        validators=[InputRequired(_l("Kies hoe u het afschrift wilt krijgen."))],
    )


class SecondPersonForm(FlaskForm):
    """The other person of a joint request (art. 20.1, child of 12 to 16).

    When the child starts, they name their parent or guardian, or say that involving
    them is not safe (then a team leader decides, art. 20.4). When the parent starts,
    the child is already named; only the way to invite them is asked."""

    not_safe = BooleanField(_l("Het is niet veilig om mijn ouder of voogd mee te laten doen"))
    not_safe_note = TextAreaField(_l("Wil je uitleggen waarom?"), validators=[Optional(), Length(max=2000, message=_l("Gebruik hoogstens 2000 tekens."))])
    given_names = StringField(_l("Voornamen"), validators=[Optional(), Length(max=NAME_MAX, message=_l("Gebruik hoogstens 120 tekens."))])
    surname = StringField(_l("Achternaam"), validators=[Optional(), Length(max=NAME_MAX, message=_l("Gebruik hoogstens 120 tekens."))])
    rep_kind = RadioField(
        _l("Wat is deze persoon van jou?"),
        choices=[(RepresentativeKind.PARENT_WITH_AUTHORITY.value, _l("Ouder met gezag")), (RepresentativeKind.GUARDIAN.value, _l("Voogd"))],
        validators=[Optional()],
    )
    channel = RadioField(
        _l("Hoe krijgt de ander de uitnodiging?"),
        choices=[("email", _l("Per e-mail")), ("code", _l("Ik geef zelf een code door"))],
        validators=[Optional()],
    )
    email = StringField(_l("E-mailadres van de ander"), validators=[_normaliser(validation.normalise_email, _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."))])

    def __init__(self, *args, child_starts: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.child_starts = child_starts

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.child_starts and self.not_safe.data:
            return ok
        if self.child_starts:
            if not (self.given_names.data or "").strip():
                self.given_names.errors.append(_l("Vul de voornamen in."))
                ok = False
            if not (self.surname.data or "").strip():
                self.surname.errors.append(_l("Vul de achternaam in."))
                ok = False
            if self.rep_kind.data not in (RepresentativeKind.PARENT_WITH_AUTHORITY.value, RepresentativeKind.GUARDIAN.value):
                self.rep_kind.errors.append(_l("Kies wat deze persoon van jou is."))
                ok = False
        if self.channel.data not in ("email", "code"):
            self.channel.errors.append(_l("Kies hoe de ander de uitnodiging krijgt."))
            ok = False
        if self.channel.data == "email" and not (self.email.data or "").strip() and not self.email.errors:
            self.email.errors.append(_l("Vul het e-mailadres van de ander in."))
            ok = False
        return ok


class IdentityForm(FlaskForm):
    method = RadioField(
        _l("Hoe laat u zien wie u bent?"),
        choices=[("upload", _l("Ik stuur een kopie van mijn identiteitsbewijs mee")), ("in_person", _l("Ik laat mijn identiteitsbewijs zien bij Veilig Thuis"))],
        validators=[InputRequired(_l("Kies hoe u laat zien wie u bent."))],
    )
    document = FileField(_l("Kopie van uw identiteitsbewijs"))


class RepresentationProofForm(FlaskForm):
    method = RadioField(
        _l("Hoe laat u zien dat u dit verzoek mag doen?"),
        choices=[("upload", _l("Ik stuur een bewijs mee")), ("in_person", _l("Ik laat het bewijs zien bij Veilig Thuis"))],
        validators=[InputRequired(_l("Kies hoe u het bewijs laat zien."))],
    )
    document = FileField(_l("Bewijs"))


CONTACT_WAYS = ("email", "phone", "post")


class ContactWaysForm(FlaskForm):
    """First only how we may reach the person; the next page asks only the details of
    the ways chosen (a page per branch, so it works without JavaScript)."""

    ways = MultiCheckboxField(
        _l("Hoe mogen wij u bereiken?"),
        choices=[("email", _l("Per e-mail")), ("phone", _l("Per telefoon")),
                 ("post", _l("Per brief op uw huisadres")),
                 ("none", _l("Liever niet: ik volg mijn verzoek zelf met een wachtzin"))],
        validators=[DataRequired(_l("Kies hoe wij u mogen bereiken, of kies 'Liever niet'."))],
    )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and "none" in self.ways.data and len(self.ways.data) > 1:
            self.ways.errors.append(_l("Kies 'Liever niet' alleen als wij u op geen enkele manier mogen bereiken."))
            ok = False
        return ok


class ContactForm(FlaskForm):
    """The details of the ways the person chose on the page before, and only those."""

    email = StringField(_l("E-mailadres"), validators=[_normaliser(validation.normalise_email, _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."))])
    phone = StringField(_l("Telefoonnummer"), validators=[_normaliser(validation.normalise_phone, _l("Vul een geldig telefoonnummer in, zoals 06 12345678."))])
    phone_times = StringField(_l("Wanneer mogen wij bellen?"), validators=[Optional(), Length(max=200, message=_l("Gebruik hoogstens 200 tekens."))])
    voicemail_ok = BooleanField(_l("U mag een bericht inspreken op mijn voicemail"))
    street = StringField(_l("Straat"), validators=[Optional(), Length(max=120, message=_l("Gebruik hoogstens 120 tekens."))])
    house_number = StringField(_l("Huisnummer"), validators=[Optional(), Length(max=20, message=_l("Gebruik hoogstens 20 tekens."))])
    postcode = StringField(_l("Postcode"), validators=[_normaliser(validation.normalise_postcode, _l("Vul een geldige postcode in, zoals 1234 AB."))])
    city = StringField(_l("Plaats"), validators=[Optional(), Length(max=80, message=_l("Gebruik hoogstens 80 tekens."))])

    BRANCHES = {"email": ("email",), "phone": ("phone", "phone_times", "voicemail_ok"),
                "post": ("street", "house_number", "postcode", "city")}

    def __init__(self, *args, ways=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.ways = set(ways)
        for way, names in self.BRANCHES.items():
            if way not in self.ways:
                for name in names:
                    delattr(self, name)
        # Required within its branch: the label does not say "(niet verplicht)".
        for name in ("email", "phone", "street", "house_number", "postcode", "city"):
            field = getattr(self, name, None)
            if field is not None:
                field.flags.required = True

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        required = {"email": _l("Vul uw e-mailadres in."), "phone": _l("Vul uw telefoonnummer in."),
                    "street": _l("Vul de straat in."), "house_number": _l("Vul het huisnummer in."),
                    "postcode": _l("Vul de postcode in."), "city": _l("Vul de plaats in.")}
        for name, msg in required.items():
            field = getattr(self, name, None)
            if field is not None and not (field.data or "").strip() and not field.errors:
                field.errors.append(msg)
                ok = False
        return ok


class SubmitForm(FlaskForm):
    truthful = BooleanField(_l("Ik heb de vragen naar waarheid ingevuld"), validators=[DataRequired(_l("Zet een vinkje om te bevestigen dat u de vragen naar waarheid heeft ingevuld."))])


class StatusPassphraseForm(FlaskForm):
    reference = StringField(_l("Kenmerk"), validators=[DataRequired(_l("Vul het kenmerk in.")), Length(max=40, message=_l("Dit kenmerk is te lang."))])
    passphrase = StringField(_l("Wachtzin"), validators=[DataRequired(_l("Vul de wachtzin in.")), Length(max=200, message=_l("Deze wachtzin is te lang."))])


class StatusDigidForm(FlaskForm):
    """After a DigiD login on the status page: which request of the list to open (each
    one a button; the reference goes in the form, never in the address)."""
    reference = HiddenField(validators=[DataRequired(), Length(max=40)])


class StatusLinkForm(FlaskForm):
    reference = StringField(_l("Kenmerk"), validators=[DataRequired(_l("Vul het kenmerk in.")), Length(max=40, message=_l("Dit kenmerk is te lang."))])
    email = StringField(_l("Uw e-mailadres"), validators=[DataRequired(_l("Vul uw e-mailadres in.")), _normaliser(validation.normalise_email, _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."))])


class CopyDownloadForm(FlaskForm):
    """Fetching a released copy (art. 14): the one-time code, and the passphrase again
    for whoever has one (portal/services/copies/delivery.py)."""

    code = StringField(_l("Code"), validators=[DataRequired(_l("Vul de code in.")), Length(max=20, message=_l("Deze code is te lang."))])
    passphrase = StringField(_l("Wachtzin"), validators=[Length(max=200, message=_l("Deze wachtzin is te lang."))])


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Uw antwoord"), validators=[DataRequired(_l("Schrijf uw antwoord.")), Length(max=TEXT_MAX, message=_l("Gebruik hoogstens 5000 tekens."))])
    document = FileField(_l("Bestand meesturen"))


class JoinCodeForm(FlaskForm):
    reference = StringField(_l("Kenmerk"), validators=[DataRequired(_l("Vul het kenmerk in.")), Length(max=40, message=_l("Dit kenmerk is te lang."))])
    code = StringField(_l("Uitnodigingscode"), validators=[DataRequired(_l("Vul de uitnodigingscode in.")), Length(max=40, message=_l("Deze code is te lang."))])


class JoinForm(RequesterForm):
    """The second person of a joint request gives their own details and identity."""

    method = RadioField(
        _l("Hoe laat u zien wie u bent?"),
        choices=[("upload", _l("Ik stuur een kopie van mijn identiteitsbewijs mee")), ("in_person", _l("Ik laat mijn identiteitsbewijs zien bij Veilig Thuis"))],
        validators=[InputRequired(_l("Kies hoe u laat zien wie u bent."))],
    )
    document = FileField(_l("Kopie van uw identiteitsbewijs"))
    proof_method = RadioField(
        _l("Hoe laat u zien dat u de ouder met gezag of voogd bent?"),
        choices=[("upload", _l("Ik stuur een bewijs mee")), ("in_person", _l("Ik laat het bewijs zien bij Veilig Thuis"))],
        validators=[Optional()],
    )
    proof = FileField(_l("Bewijs van gezag of voogdij"))
    email = StringField(_l("E-mailadres"), validators=[_normaliser(validation.normalise_email, _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."))])


class InvitedChildNotSafeForm(FlaskForm):
    """The invited child (12 to 16) says that involving the parent is not safe
    (art. 20.4): the same words as when the child starts (SecondPersonForm)."""

    not_safe = BooleanField(_l("Het is niet veilig om mijn ouder of voogd mee te laten doen"),
                            validators=[DataRequired(_l("Zet een vinkje als het niet veilig is om je ouder of voogd mee te laten doen."))])
    not_safe_note = TextAreaField(_l("Wil je uitleggen waarom?"), validators=[Optional(), Length(max=2000, message=_l("Gebruik hoogstens 2000 tekens."))])
    birth_date = StringField(_l("Je geboortedatum"), validators=[_date_validator(_l("Vul je geboortedatum in."))])
    email = StringField(_l("Je e-mailadres"), validators=[_normaliser(validation.normalise_email, _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."))])


class BsnChoiceForm(FlaskForm):
    """DigiD gave another BSN than the one typed on 'over-u' (issue 11): which is right?"""

    choice = RadioField(
        _l("Welk BSN is goed?"),
        choices=[("digid", _l("Het BSN van DigiD")), ("typed", _l("Het BSN dat ik zelf invulde"))],
        validators=[InputRequired(_l("Kies welk BSN goed is."))],
    )
