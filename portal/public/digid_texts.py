"""The texts of a DigiD login that the identity step (digid.py) and the status login
(digid_status.py) share: why a login failed, and the names of the levels."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ERRORS = {
    "unavailable": _l("DigiD is nu niet bereikbaar. Er is niets bewaard. Probeer het later opnieuw, of kies hieronder een andere manier."),
    "state": _l("Het inloggen met DigiD is niet gelukt of duurde te lang. Er is niets bewaard. Probeer het opnieuw, of kies hieronder een andere manier."),
    "cancelled": _l("U heeft het inloggen met DigiD afgebroken. Er is niets bewaard. Kies hieronder hoe u verder wilt."),
    "refused": _l("Het inloggen met DigiD is niet gelukt. Er is niets bewaard. Probeer het opnieuw, of kies hieronder een andere manier."),
    "token": _l("Het inloggen met DigiD is niet gelukt. Er is niets bewaard. Probeer het opnieuw, of kies hieronder een andere manier."),
    "nonce": _l("Het inloggen met DigiD is niet gelukt. Er is niets bewaard. Probeer het opnieuw, of kies hieronder een andere manier."),
    "no_bsn": _l("DigiD gaf geen geldig burgerservicenummer (BSN) door. Er is niets bewaard. Kies hieronder een andere manier."),
    "bsn_invalid": _l("DigiD gaf geen geldig burgerservicenummer (BSN) door. Er is niets bewaard. Kies hieronder een andere manier."),
}

LEVEL_LABELS = {
    "basis": _l("Basis"),
    "midden": _l("Midden"),
    "substantieel": _l("Substantieel"),
    "hoog": _l("Hoog"),
}
