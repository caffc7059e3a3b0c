"""Who may exercise a right: art. 20 of the Privacyreglement Veilig Thuis (2018).

Art. 20.1: the subject of 12 or older; the legal representative(s) when the subject is
under 12; the representative(s) AND the young person, both, from 12 up to 16; the young
person alone from 16. Art. 20.3: the curator, mentor or bewindvoerder of an adult who
lacks capacity by law or court order.

Age is the subject's age on the day the request is received (DOMAIN.md, "Who may
exercise a right"). Art. 20.1 names inzage, afschrift, correctie, eigen verklaring and
vernietiging; this portal applies the same rule to gegevenswissing (art. 18).

Decided by staff, not here:
- art. 20.2: a young person of 12 or older whom VT judges to lack capacity; then the
  representative(s) act for them. The judgment (who, when, why) is recorded by the
  service layer.
- art. 20.4: a team leader may restrict or refuse a representative's rights where
  concrete signs show that weighty interests of the child oppose it. This module only
  says *when* that question must go to a team leader (``needs_team_leader_review``).
"""
from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date

# --- ages -------------------------------------------------------------------------

#: The day on which someone born on 29 February turns a year older in a common
#: (non-leap) year, as (month, day). Dutch statute law has no express rule; the
#: reading followed here is that a full year has only passed once 28 February is over,
#: so the birthday is 1 March ("Juridisch gezien ben je als schrikkelkind overigens pas
#: op 1 maart een jaar ouder", de Volkskrant, 29 February 2020, a newspaper, not a
#: statute or judgment: treat it as unconfirmed). Change to (2, 28) to take the other
#: reading. See docs/deadlines.md, "Age and 29 February".
LEAP_DAY_BIRTHDAY_IN_COMMON_YEAR: tuple[int, int] = (3, 1)

AGE_CHILD_MAY_TAKE_PART = 12  # art. 20.1, second and third indent
AGE_YOUNG_PERSON_ALONE = 16  # art. 20.1, fourth indent
AGE_ADULT = 18  # art. 1:233 BW (meerderjarigheid); art. 20.3
MAX_PLAUSIBLE_AGE = 120  # older than this is taken to be a typing error


def birthday_in(birth_date: date, year: int, *, leap_day_birthday: tuple[int, int] | None = None) -> date:
    """The day in ``year`` on which someone born on ``birth_date`` turns a year older.

    Needed for art. 20 (age on the day of receipt). For a 29 February birth date in a
    common year this is ``LEAP_DAY_BIRTHDAY_IN_COMMON_YEAR`` (1 March by default).
    """
    if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
        month, day = leap_day_birthday or LEAP_DAY_BIRTHDAY_IN_COMMON_YEAR
        return date(year, month, day)
    return birth_date.replace(year=year)


def age_on(birth_date: date, on: date, *, leap_day_birthday: tuple[int, int] | None = None) -> int:
    """Completed years of life on the day ``on`` (art. 20: age on the day of receipt).

    A person is a year older from the start of their birthday. Someone born on
    29 February turns a year older in a common year on ``LEAP_DAY_BIRTHDAY_IN_COMMON_YEAR``
    (1 March by default; see the constant for the source). Raises ``ValueError`` when
    ``on`` is before ``birth_date``.
    """
    if on < birth_date:
        raise ValueError("the day is before the birth date")
    years = on.year - birth_date.year
    if on < birthday_in(birth_date, on.year, leap_day_birthday=leap_day_birthday):
        years -= 1
    return years


def is_adult(birth_date: date, on: date) -> bool:
    """True when the person is 18 or older on ``on`` (art. 1:233 BW; art. 20.3)."""
    return age_on(birth_date, on) >= AGE_ADULT


class AgeBand(str, enum.Enum):
    """The three age bands of art. 20.1."""

    UNDER_12 = "under_12"  # the legal representative(s) file
    FROM_12_TO_16 = "12_to_16"  # 12 up to but not including 16: child and representative(s), both
    FROM_16 = "16_plus"  # 16 and older, adults included: the subject alone

    @classmethod
    def for_age(cls, age: int) -> AgeBand:
        """The art. 20.1 band of a person of ``age`` completed years."""
        if age < AGE_CHILD_MAY_TAKE_PART:
            return cls.UNDER_12
        if age < AGE_YOUNG_PERSON_ALONE:
            return cls.FROM_12_TO_16
        return cls.FROM_16


def age_band(birth_date: date, on: date) -> AgeBand:
    """The art. 20.1 age band of the subject on the day of receipt ``on``."""
    return AgeBand.for_age(age_on(birth_date, on))


# --- who files ------------------------------------------------------------------------


class ForWhom(str, enum.Enum):
    """For whom the requester says they file (art. 20.1 and 20.3)."""

    SELF = "self"  # the subject files for themselves (12 or older)
    CHILD_UNDER_12 = "child_under_12"  # a representative files for a child under 12
    CHILD_12_TO_16 = "child_12_16"  # a representative files jointly with a child of 12-15
    ADULT_REPRESENTED = "adult_represented"  # curator, mentor or bewindvoerder (art. 20.3)


class RepresentativeKind(str, enum.Enum):
    """Kinds of legal representative (wettelijk vertegenwoordiger), art. 20.1 and 20.3."""

    PARENT_WITH_AUTHORITY = "ouder_met_gezag"
    GUARDIAN = "voogd"
    CURATOR = "curator"
    MENTOR = "mentor"
    BEWINDVOERDER = "bewindvoerder"


CHILD_KINDS: tuple[RepresentativeKind, ...] = (
    RepresentativeKind.PARENT_WITH_AUTHORITY,
    RepresentativeKind.GUARDIAN,
)
#: Art. 20.3 of this regulation names the bewindvoerder; elsewhere a bewindvoerder acts
#: only for money and property, so a region may pass a narrower set to ``kinds_for``.
ADULT_KINDS: tuple[RepresentativeKind, ...] = (
    RepresentativeKind.CURATOR,
    RepresentativeKind.MENTOR,
    RepresentativeKind.BEWINDVOERDER,
)


def kinds_for(
    for_whom: ForWhom,
    accepted_adult_kinds: tuple[RepresentativeKind, ...] | frozenset[RepresentativeKind] = ADULT_KINDS,
) -> tuple[RepresentativeKind, ...]:
    """The representative kinds that may file ``for_whom`` (art. 20.1, art. 20.3).

    For a child: parent with authority or guardian. For an adult lacking capacity: the
    curator, mentor or bewindvoerder (art. 20.3), limited to ``accepted_adult_kinds``.
    For SELF: none.
    """
    for_whom = ForWhom(for_whom)
    if for_whom is ForWhom.SELF:
        return ()
    if for_whom in (ForWhom.CHILD_UNDER_12, ForWhom.CHILD_12_TO_16):
        return CHILD_KINDS
    accepted = {RepresentativeKind(k) for k in accepted_adult_kinds}
    stray = accepted - set(ADULT_KINDS)
    if stray:
        raise ValueError(f"not a representative of an adult: {sorted(k.value for k in stray)}")
    return tuple(k for k in ADULT_KINDS if k in accepted)


class JointRule(str, enum.Enum):
    """How art. 20.1 ("beiden") is read for a child of 12 up to 16."""

    TOGETHER = "together"  # this regulation: child and representative(s), one request, both take part
    EACH_ALONE = "each_alone"  # other regions' reading: each may ask alone


# --- the assessment ---------------------------------------------------------------------

OK = "ok"
CHILD_UNDER_12_CANNOT_FILE_ALONE = "child_under_12_cannot_file_alone"
YOUNG_PERSON_FILES_SELF = "young_person_files_self"
CHILD_IS_12_OR_OLDER = "child_is_12_or_older"
CHILD_IS_UNDER_12 = "child_is_under_12"
SUBJECT_NOT_ADULT = "subject_not_adult"
BIRTH_DATE_IN_FUTURE = "birth_date_in_future"
IMPLAUSIBLE_AGE = "implausible_age"

REASONS = frozenset(
    {
        OK,
        CHILD_UNDER_12_CANNOT_FILE_ALONE,
        YOUNG_PERSON_FILES_SELF,
        CHILD_IS_12_OR_OLDER,
        CHILD_IS_UNDER_12,
        SUBJECT_NOT_ADULT,
        BIRTH_DATE_IN_FUTURE,
        IMPLAUSIBLE_AGE,
    }
)


@dataclass(frozen=True)
class Assessment:
    """The outcome of ``assess`` (art. 20).

    allowed: this person may file this way.
    band: the subject's art. 20.1 age band on the day of receipt (None if no age).
    age: the subject's age in completed years on the day of receipt (None if no age).
    joint: a second person must join the request (art. 20.1, 12 up to 16, TOGETHER).
    reason: a stable machine code (see ``REASONS``); "ok" when allowed.
    redirect_to: what the person should choose instead, when that is obvious.
    """

    allowed: bool
    band: AgeBand | None
    joint: bool
    reason: str
    redirect_to: ForWhom | None = None
    age: int | None = None


def assess(
    for_whom: ForWhom,
    subject_birth_date: date,
    received_on: date,
    joint_rule: JointRule = JointRule.TOGETHER,
) -> Assessment:
    """May a request for ``for_whom`` be filed, given the subject's age (art. 20.1, 20.3)?

    The age is the subject's age on ``received_on``, the day the request is received.

    - SELF: under 12 not allowed (art. 20.1: the representative files); 12-15 allowed,
      joint under ``JointRule.TOGETHER`` (art. 20.1 "beiden"); 16+ allowed alone.
    - CHILD_UNDER_12: allowed for a subject under 12; a subject of 12-15 needs
      CHILD_12_TO_16; a subject of 16+ files themselves (art. 20.1, fourth indent).
    - CHILD_12_TO_16: allowed for 12-15, joint under TOGETHER; under 12 needs
      CHILD_UNDER_12; 16+ files themselves.
    - ADULT_REPRESENTED: only for a subject of 18 or older (art. 20.3).

    Not decided here (staff decisions): art. 20.2 (a young person of 12+ lacking
    capacity in VT's judgment, for whom the representative acts) and art. 20.4 (a team
    leader restricting a representative); see ``needs_team_leader_review``.
    """
    for_whom = ForWhom(for_whom)
    joint_rule = JointRule(joint_rule)
    if subject_birth_date > received_on:
        return Assessment(False, None, False, BIRTH_DATE_IN_FUTURE)
    age = age_on(subject_birth_date, received_on)
    band = AgeBand.for_age(age)
    if age > MAX_PLAUSIBLE_AGE:
        return Assessment(False, band, False, IMPLAUSIBLE_AGE, age=age)

    joint_12_16 = joint_rule is JointRule.TOGETHER

    def ok(joint: bool = False) -> Assessment:
        return Assessment(True, band, joint, OK, age=age)

    def no(reason: str, redirect_to: ForWhom | None) -> Assessment:
        return Assessment(False, band, False, reason, redirect_to, age=age)

    if for_whom is ForWhom.SELF:
        if band is AgeBand.UNDER_12:
            return no(CHILD_UNDER_12_CANNOT_FILE_ALONE, ForWhom.CHILD_UNDER_12)
        if band is AgeBand.FROM_12_TO_16:
            return ok(joint=joint_12_16)
        return ok()

    if for_whom is ForWhom.CHILD_UNDER_12:
        if band is AgeBand.UNDER_12:
            return ok()
        if band is AgeBand.FROM_12_TO_16:
            return no(CHILD_IS_12_OR_OLDER, ForWhom.CHILD_12_TO_16)
        return no(YOUNG_PERSON_FILES_SELF, ForWhom.SELF)

    if for_whom is ForWhom.CHILD_12_TO_16:
        if band is AgeBand.UNDER_12:
            return no(CHILD_IS_UNDER_12, ForWhom.CHILD_UNDER_12)
        if band is AgeBand.FROM_12_TO_16:
            return ok(joint=joint_12_16)
        return no(YOUNG_PERSON_FILES_SELF, ForWhom.SELF)

    # ForWhom.ADULT_REPRESENTED (art. 20.3)
    if age < AGE_ADULT:
        redirect = {
            AgeBand.UNDER_12: ForWhom.CHILD_UNDER_12,
            AgeBand.FROM_12_TO_16: ForWhom.CHILD_12_TO_16,
            AgeBand.FROM_16: ForWhom.SELF,
        }[band]
        return no(SUBJECT_NOT_ADULT, redirect)
    return ok()


def needs_team_leader_review(*, child_says_parent_unsafe: bool) -> bool:
    """Must a team leader decide whether the request goes on without the parent (art. 20.4)?

    A child must never be blocked by a parent they may need protection from: when the
    child says that involving a parent is not safe, the joint request (art. 20.1) is not
    held up for that parent; a team leader decides under art. 20.4, in writing, with
    reasons.
    """
    return bool(child_says_parent_unsafe)
