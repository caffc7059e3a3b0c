"""Decisions on a right, and the catalogue of grounds for refusing or restricting one.

Art. 14.2 and 20.4 of the Privacyreglement Veilig Thuis: every refusal or restriction,
of any right, is proposed by a caseworker and decided by a team leader, in writing,
with reasons. This module holds what such a decision may say: the outcomes, the grounds
with their articles and their Dutch and English names, the rights each ground can carry,
and one pure check (`check_proposal`) that the services call before anything is stored.

No Flask, no database: labels are plain strings per language (the letter is written in
the request's language, portal/services/letters.py).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from .rights import Right


class Outcome(str, enum.Enum):
    """What a decision on one right says.

    "Extend" (AVG 12(3)) is not a decision on the right itself: it is the queue's
    extension service (portal/services/casefile.py) with its own letter, so it is not
    one of these outcomes."""

    GRANT = "grant"  # toewijzen
    GRANT_IN_PART = "grant_in_part"  # gedeeltelijk toewijzen (beperking)
    REFUSE = "refuse"  # afwijzen

    @property
    def needs_ground(self) -> bool:
        """A refusal or restriction needs a ground and written reasons (art. 14.2, 20.4)."""
        return self is not Outcome.GRANT


class Ground(str, enum.Enum):
    """A ground for refusing or restricting a right. The value is stored (Decision.grounds_json)."""

    THIRD_PARTY_PRIVACY = "third_party_privacy"
    SAFETY_OF_THOSE_INVOLVED = "safety_of_those_involved"
    VT_TASK = "vt_task"
    MANIFESTLY_UNFOUNDED_OR_EXCESSIVE = "manifestly_unfounded_or_excessive"
    IDENTITY_NOT_ESTABLISHED = "identity_not_established"
    NO_RIGHT_TO_ACT = "no_right_to_act"
    SUBSTANTIAL_INTEREST_OTHER = "substantial_interest_other"
    AVG_17_3_EXCEPTIONS = "avg_17_3_exceptions"
    ART20_4_WEIGHTY_INTERESTS_CHILD = "art20_4_weighty_interests_child"
    # Not in the list, added so that a refusal of rectification has an honest
    # ground: art. 15 gives a right to correct facts, not to change an assessment (that
    # is what the own statement of art. 16 is for).
    NOT_FACTUALLY_INCORRECT = "not_factually_incorrect"

    @property
    def info(self) -> "GroundInfo":
        return CATALOGUE[self]

    def label(self, lang: str) -> str:
        return self.info.label.get(lang) or self.info.label["nl"]

    def article(self, lang: str) -> str:
        return self.info.article.get(lang) or self.info.article["nl"]

    def applies_to(self, right: Right) -> bool:
        rights = self.info.rights
        return rights is None or Right(right) in rights


@dataclass(frozen=True)
class GroundInfo:
    article: dict[str, str]
    label: dict[str, str]
    # The rights this ground can restrict or refuse; None: every right.
    rights: frozenset[Right] | None = None
    # Only where someone acts for the subject (a legal representative, art. 20.4).
    representative_only: bool = False


ACCESS_AND_COPY = frozenset({Right.ACCESS, Right.COPY})

_REG_NL = "Privacyreglement Veilig Thuis"
_REG_EN = "Veilig Thuis Privacy Regulation"

CATALOGUE: dict[Ground, GroundInfo] = {
    Ground.THIRD_PARTY_PRIVACY: GroundInfo(
        article={"nl": f"artikel 14 lid 2 en artikel 13 {_REG_NL}", "en": f"article 14(2) and article 13 {_REG_EN}"},
        label={"nl": "De persoonlijke levenssfeer van een ander moet worden beschermd.",
               "en": "The privacy of another person must be protected."},
        rights=ACCESS_AND_COPY,
    ),
    Ground.SAFETY_OF_THOSE_INVOLVED: GroundInfo(
        article={"nl": f"artikel 14 lid 2 {_REG_NL}", "en": f"article 14(2) {_REG_EN}"},
        label={"nl": "De veiligheid van de mensen die bij het geweld betrokken zijn, gaat voor.",
               "en": "The safety of the people involved in the violence comes first."},
        rights=ACCESS_AND_COPY,
    ),
    Ground.VT_TASK: GroundInfo(
        article={"nl": f"artikel 14 lid 2 {_REG_NL}", "en": f"article 14(2) {_REG_EN}"},
        label={"nl": "Veilig Thuis moet zijn taak goed kunnen uitvoeren.",
               "en": "Veilig Thuis must be able to carry out its task properly."},
        rights=ACCESS_AND_COPY,
    ),
    Ground.MANIFESTLY_UNFOUNDED_OR_EXCESSIVE: GroundInfo(
        article={"nl": "artikel 12 lid 5 AVG", "en": "Article 12(5) GDPR"},
        label={"nl": "Het verzoek is duidelijk ongegrond of buitensporig.",
               "en": "The request is manifestly unfounded or excessive."},
    ),
    Ground.IDENTITY_NOT_ESTABLISHED: GroundInfo(
        article={"nl": f"artikel 20 lid 5 {_REG_NL}", "en": f"article 20(5) {_REG_EN}"},
        label={"nl": "Wij konden niet vaststellen wie u bent.",
               "en": "We could not establish who you are."},
    ),
    Ground.NO_RIGHT_TO_ACT: GroundInfo(
        article={"nl": f"artikel 20 lid 3 en lid 5 {_REG_NL}", "en": f"article 20(3) and 20(5) {_REG_EN}"},
        label={"nl": "U heeft niet laten zien dat u namens de ander mag optreden.",
               "en": "You have not shown that you may act for the other person."},
    ),
    Ground.SUBSTANTIAL_INTEREST_OTHER: GroundInfo(
        article={"nl": f"artikel 17 lid 4 {_REG_NL}", "en": f"article 17(4) {_REG_EN}"},
        label={"nl": "Het bewaren van de gegevens is van aanmerkelijk belang voor een ander dan u.",
               "en": "Keeping the data is of substantial interest to someone other than you."},
        rights=frozenset({Right.DESTRUCTION}),
    ),
    Ground.AVG_17_3_EXCEPTIONS: GroundInfo(
        article={"nl": f"artikel 18 lid 3 {_REG_NL} en artikel 17 lid 3 AVG",
                 "en": f"article 18(3) {_REG_EN} and Article 17(3) GDPR"},
        label={"nl": "De wet maakt een uitzondering: de gegevens moeten of mogen bewaard blijven.",
               "en": "The law makes an exception: the data must or may be kept."},
        rights=frozenset({Right.ERASURE}),
    ),
    Ground.ART20_4_WEIGHTY_INTERESTS_CHILD: GroundInfo(
        article={"nl": f"artikel 20 lid 4 {_REG_NL}", "en": f"article 20(4) {_REG_EN}"},
        label={"nl": "Zwaarwegende belangen van het kind verzetten zich tegen uw verzoek.",
               "en": "Weighty interests of the child oppose your request."},
        representative_only=True,
    ),
    Ground.NOT_FACTUALLY_INCORRECT: GroundInfo(
        article={"nl": f"artikel 15 lid 1 {_REG_NL}", "en": f"article 15(1) {_REG_EN}"},
        label={"nl": "De gegevens zijn niet feitelijk onjuist, onvolledig of niet ter zake. "
                     "Bent u het oneens met een mening of oordeel? Dan kunt u een eigen verklaring geven.",
               "en": "The data are not factually wrong, incomplete or irrelevant. "
                     "Do you disagree with an opinion or assessment? Then you can give your own statement."},
        rights=frozenset({Right.RECTIFICATION}),
    ),
}

# Written reasons shorter than this are not reasons (a refusal must be motivated).
MIN_REASONS = 20

# Error codes of check_proposal (stable: the back office shows a text per code).
OUTCOME_UNKNOWN = "outcome_unknown"
GROUND_UNKNOWN = "ground_unknown"
GROUND_REQUIRED = "ground_required"
REASONS_REQUIRED = "reasons_required"
GRANT_HAS_NO_GROUNDS = "grant_has_no_grounds"
GROUND_NOT_FOR_RIGHT = "ground_not_for_right"
GROUND_NEEDS_REPRESENTATIVE = "ground_needs_representative"


def check_proposal(right: Right | str, outcome: Outcome | str, grounds: list[str] | tuple[str, ...],
                   reasons: str | None, *, has_representative: bool) -> str | None:
    """None if a decision with this outcome, these grounds and reasons may be proposed for
    this right; otherwise the error code.

    Art. 14.2, 20.4: a refusal or a restriction (grant in part) needs at least one ground
    from the catalogue and written reasons. A grant carries no ground. A ground must fit
    the right (e.g. art. 17.4 only for destruction) and art. 20.4 only where a legal
    representative acts."""
    right = Right(right)
    try:
        outcome = Outcome(outcome)
    except ValueError:
        return OUTCOME_UNKNOWN
    try:
        parsed = [Ground(g) for g in grounds]
    except ValueError:
        return GROUND_UNKNOWN
    text = (reasons or "").strip()
    if not outcome.needs_ground:
        return GRANT_HAS_NO_GROUNDS if parsed else None
    if not parsed:
        return GROUND_REQUIRED
    if len(text) < MIN_REASONS:
        return REASONS_REQUIRED
    for ground in parsed:
        if not ground.applies_to(right):
            return GROUND_NOT_FOR_RIGHT
        if ground.info.representative_only and not has_representative:
            return GROUND_NEEDS_REPRESENTATIVE
    return None


def grounds_for(right: Right | str, *, has_representative: bool) -> list[Ground]:
    """The grounds a caseworker can choose from for this right, in catalogue order."""
    right = Right(right)
    return [g for g in Ground if g.applies_to(right) and (has_representative or not g.info.representative_only)]
