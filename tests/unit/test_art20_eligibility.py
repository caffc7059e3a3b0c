"""Art. 20 Privacyreglement Veilig Thuis: who may exercise a right, by the subject's age
on the day the request is received. Expected values are worked out by hand."""
from __future__ import annotations

from datetime import date

import pytest

from portal.rules import eligibility as E
from portal.rules.eligibility import (
    AgeBand,
    Assessment,
    ForWhom,
    JointRule,
    RepresentativeKind,
    age_on,
    assess,
    is_adult,
    kinds_for,
)
from portal.rules.rights import Right

D = date
RECEIVED = D(2026, 3, 10)  # a Tuesday


# --- rights and their articles (art. 14-18) -----------------------------------------


@pytest.mark.parametrize(
    "right, value, article",
    [
        (Right.ACCESS, "inzage", "art. 14"),
        (Right.COPY, "afschrift", "art. 14"),
        (Right.RECTIFICATION, "correctie", "art. 15"),
        (Right.OWN_STATEMENT, "eigen_verklaring", "art. 16"),
        (Right.DESTRUCTION, "vernietiging", "art. 17"),
        (Right.ERASURE, "gegevenswissing", "art. 18"),
    ],
)
def test_art14_to_18_each_right_names_its_article(right, value, article):
    assert right.value == value
    assert Right(value) is right
    assert right.article == article


# --- age on the day of receipt ---------------------------------------------------------


@pytest.mark.parametrize(
    "birth, on, expected",
    [
        (D(2014, 3, 10), D(2026, 3, 10), 12),  # 12th birthday on the day
        (D(2014, 3, 11), D(2026, 3, 10), 11),  # 12th birthday tomorrow
        (D(2010, 3, 10), D(2026, 3, 10), 16),
        (D(2010, 3, 11), D(2026, 3, 10), 15),
        (D(2026, 3, 10), D(2026, 3, 10), 0),  # born on the day of receipt
        (D(2000, 12, 31), D(2026, 1, 1), 25),
        (D(2000, 1, 1), D(2025, 12, 31), 25),
    ],
)
def test_art20_age_is_completed_years_on_the_day_of_receipt(birth, on, expected):
    assert age_on(birth, on) == expected


@pytest.mark.parametrize(
    "birth, on, expected",
    [
        # born 29 Feb 2012: leap years have the day itself
        (D(2012, 2, 29), D(2024, 2, 28), 11),
        (D(2012, 2, 29), D(2024, 2, 29), 12),
        # common years: a year older on 1 March (LEAP_DAY_BIRTHDAY_IN_COMMON_YEAR)
        (D(2012, 2, 29), D(2013, 2, 28), 0),
        (D(2012, 2, 29), D(2013, 3, 1), 1),
        (D(2008, 2, 29), D(2026, 2, 28), 17),
        (D(2008, 2, 29), D(2026, 3, 1), 18),
    ],
)
def test_art20_29_february_birth_date_in_leap_and_common_years(birth, on, expected):
    assert age_on(birth, on) == expected


def test_art20_29_february_rule_is_one_setting():
    assert E.LEAP_DAY_BIRTHDAY_IN_COMMON_YEAR == (3, 1)
    # the other reading, 28 February, is one argument away
    assert age_on(D(2008, 2, 29), D(2026, 2, 28), leap_day_birthday=(2, 28)) == 18


def test_art20_age_before_birth_is_an_error():
    with pytest.raises(ValueError):
        age_on(D(2026, 3, 11), D(2026, 3, 10))


@pytest.mark.parametrize(
    "birth, on, adult",
    [
        (D(2008, 3, 10), D(2026, 3, 10), True),  # 18th birthday on the day
        (D(2008, 3, 11), D(2026, 3, 10), False),  # the day before
        (D(2008, 2, 29), D(2026, 2, 28), False),
        (D(2008, 2, 29), D(2026, 3, 1), True),
    ],
)
def test_art20_3_adult_from_the_18th_birthday(birth, on, adult):
    assert is_adult(birth, on) is adult


@pytest.mark.parametrize(
    "age, band",
    [(0, AgeBand.UNDER_12), (11, AgeBand.UNDER_12), (12, AgeBand.FROM_12_TO_16),
     (15, AgeBand.FROM_12_TO_16), (16, AgeBand.FROM_16), (17, AgeBand.FROM_16), (80, AgeBand.FROM_16)],
)
def test_art20_1_age_bands(age, band):
    assert AgeBand.for_age(age) is band


# --- assess: the table of art. 20.1 and 20.3 ---------------------------------------------

ALLOWED, JOINT = True, True
NOT_ALLOWED, NOT_JOINT = False, False

# (test id, for whom, birth date, allowed, joint, reason, redirect_to, band); received 10 March 2026
TOGETHER_TABLE = [
    # SELF
    ("art20_1_self_11_day_before_12th_birthday", ForWhom.SELF, D(2014, 3, 11), NOT_ALLOWED, NOT_JOINT,
     "child_under_12_cannot_file_alone", ForWhom.CHILD_UNDER_12, AgeBand.UNDER_12),
    ("art20_1_self_child_turns_12_on_the_day_of_receipt", ForWhom.SELF, D(2014, 3, 10), ALLOWED, JOINT,
     "ok", None, AgeBand.FROM_12_TO_16),
    ("art20_1_self_15_day_before_16th_birthday", ForWhom.SELF, D(2010, 3, 11), ALLOWED, JOINT,
     "ok", None, AgeBand.FROM_12_TO_16),
    ("art20_1_self_turns_16_on_the_day_of_receipt", ForWhom.SELF, D(2010, 3, 10), ALLOWED, NOT_JOINT,
     "ok", None, AgeBand.FROM_16),
    ("art20_1_self_adult", ForWhom.SELF, D(1980, 6, 1), ALLOWED, NOT_JOINT, "ok", None, AgeBand.FROM_16),
    ("art20_1_self_newborn", ForWhom.SELF, D(2026, 3, 10), NOT_ALLOWED, NOT_JOINT,
     "child_under_12_cannot_file_alone", ForWhom.CHILD_UNDER_12, AgeBand.UNDER_12),
    # CHILD_UNDER_12
    ("art20_1_parent_for_child_of_11_day_before_12th_birthday", ForWhom.CHILD_UNDER_12, D(2014, 3, 11),
     ALLOWED, NOT_JOINT, "ok", None, AgeBand.UNDER_12),
    ("art20_1_parent_for_newborn", ForWhom.CHILD_UNDER_12, D(2026, 3, 10), ALLOWED, NOT_JOINT,
     "ok", None, AgeBand.UNDER_12),
    ("art20_1_parent_under_12_but_child_turns_12_on_the_day", ForWhom.CHILD_UNDER_12, D(2014, 3, 10),
     NOT_ALLOWED, NOT_JOINT, "child_is_12_or_older", ForWhom.CHILD_12_TO_16, AgeBand.FROM_12_TO_16),
    ("art20_1_parent_under_12_but_child_is_16", ForWhom.CHILD_UNDER_12, D(2010, 3, 10),
     NOT_ALLOWED, NOT_JOINT, "young_person_files_self", ForWhom.SELF, AgeBand.FROM_16),
    # CHILD_12_TO_16
    ("art20_1_parent_12_16_but_child_is_11", ForWhom.CHILD_12_TO_16, D(2014, 3, 11),
     NOT_ALLOWED, NOT_JOINT, "child_is_under_12", ForWhom.CHILD_UNDER_12, AgeBand.UNDER_12),
    ("art20_1_parent_12_16_child_turns_12_on_the_day", ForWhom.CHILD_12_TO_16, D(2014, 3, 10),
     ALLOWED, JOINT, "ok", None, AgeBand.FROM_12_TO_16),
    ("art20_1_parent_12_16_child_15_day_before_16th_birthday", ForWhom.CHILD_12_TO_16, D(2010, 3, 11),
     ALLOWED, JOINT, "ok", None, AgeBand.FROM_12_TO_16),
    ("art20_1_parent_12_16_but_young_person_turns_16_on_the_day", ForWhom.CHILD_12_TO_16, D(2010, 3, 10),
     NOT_ALLOWED, NOT_JOINT, "young_person_files_self", ForWhom.SELF, AgeBand.FROM_16),
    ("art20_1_parent_12_16_but_subject_is_adult", ForWhom.CHILD_12_TO_16, D(1990, 1, 1),
     NOT_ALLOWED, NOT_JOINT, "young_person_files_self", ForWhom.SELF, AgeBand.FROM_16),
    # ADULT_REPRESENTED
    ("art20_3_adult_turns_18_on_the_day", ForWhom.ADULT_REPRESENTED, D(2008, 3, 10),
     ALLOWED, NOT_JOINT, "ok", None, AgeBand.FROM_16),
    ("art20_3_subject_17_day_before_18th_birthday", ForWhom.ADULT_REPRESENTED, D(2008, 3, 11),
     NOT_ALLOWED, NOT_JOINT, "subject_not_adult", ForWhom.SELF, AgeBand.FROM_16),
    ("art20_3_subject_is_14", ForWhom.ADULT_REPRESENTED, D(2012, 1, 1),
     NOT_ALLOWED, NOT_JOINT, "subject_not_adult", ForWhom.CHILD_12_TO_16, AgeBand.FROM_12_TO_16),
    ("art20_3_subject_is_5", ForWhom.ADULT_REPRESENTED, D(2021, 1, 1),
     NOT_ALLOWED, NOT_JOINT, "subject_not_adult", ForWhom.CHILD_UNDER_12, AgeBand.UNDER_12),
    ("art20_3_adult_of_70", ForWhom.ADULT_REPRESENTED, D(1956, 1, 1), ALLOWED, NOT_JOINT,
     "ok", None, AgeBand.FROM_16),
]


@pytest.mark.parametrize(
    "for_whom, birth, allowed, joint, reason, redirect_to, band",
    [row[1:] for row in TOGETHER_TABLE],
    ids=[row[0] for row in TOGETHER_TABLE],
)
def test_art20_assess_under_this_regulation(for_whom, birth, allowed, joint, reason, redirect_to, band):
    a = assess(for_whom, birth, RECEIVED)
    assert (a.allowed, a.joint, a.reason, a.redirect_to, a.band) == (allowed, joint, reason, redirect_to, band)
    assert a.reason in E.REASONS


def test_art20_child_turns_12_on_the_day_of_receipt():
    a = assess(ForWhom.SELF, D(2014, 3, 10), D(2026, 3, 10))
    assert a == Assessment(True, AgeBand.FROM_12_TO_16, True, "ok", None, age=12)
    b = assess(ForWhom.SELF, D(2014, 3, 10), D(2026, 3, 9))
    assert (b.allowed, b.reason, b.age) == (False, "child_under_12_cannot_file_alone", 11)


def test_art20_age_counts_on_the_day_of_receipt_not_today():
    # a child of 11 on the day of receipt stays under 12 for this request
    a = assess(ForWhom.CHILD_UNDER_12, D(2014, 3, 11), D(2026, 3, 10))
    assert a.allowed and a.band is AgeBand.UNDER_12


@pytest.mark.parametrize(
    "for_whom, birth, received_on, allowed, reason",
    [
        # 18th birthday of a 29-February child in a common year: 1 March
        (ForWhom.ADULT_REPRESENTED, D(2008, 2, 29), D(2026, 2, 28), False, "subject_not_adult"),
        (ForWhom.ADULT_REPRESENTED, D(2008, 2, 29), D(2026, 3, 1), True, "ok"),
        # 12th birthday of a 29-February child (always a leap year)
        (ForWhom.SELF, D(2012, 2, 29), D(2024, 2, 28), False, "child_under_12_cannot_file_alone"),
        (ForWhom.SELF, D(2012, 2, 29), D(2024, 2, 29), True, "ok"),
        # 16th birthday likewise
        (ForWhom.CHILD_12_TO_16, D(2008, 2, 29), D(2024, 2, 28), True, "ok"),
        (ForWhom.CHILD_12_TO_16, D(2008, 2, 29), D(2024, 2, 29), False, "young_person_files_self"),
    ],
)
def test_art20_29_february_birthdays_at_the_thresholds(for_whom, birth, received_on, allowed, reason):
    a = assess(for_whom, birth, received_on)
    assert (a.allowed, a.reason) == (allowed, reason)


@pytest.mark.parametrize(
    "for_whom, birth, allowed, joint, reason",
    [
        (ForWhom.SELF, D(2014, 3, 10), True, False, "ok"),  # 12: may ask alone
        (ForWhom.SELF, D(2010, 3, 11), True, False, "ok"),  # 15
        (ForWhom.CHILD_12_TO_16, D(2014, 3, 10), True, False, "ok"),  # parent alone
        (ForWhom.CHILD_12_TO_16, D(2010, 3, 11), True, False, "ok"),
        (ForWhom.SELF, D(2014, 3, 11), False, False, "child_under_12_cannot_file_alone"),
        (ForWhom.SELF, D(2010, 3, 10), True, False, "ok"),
    ],
)
def test_art20_1_each_alone_reading_of_other_regions(for_whom, birth, allowed, joint, reason):
    a = assess(for_whom, birth, RECEIVED, joint_rule=JointRule.EACH_ALONE)
    assert (a.allowed, a.joint, a.reason) == (allowed, joint, reason)


@pytest.mark.parametrize("for_whom", list(ForWhom))
def test_art20_birth_date_in_future_is_refused(for_whom):
    a = assess(for_whom, D(2026, 3, 11), RECEIVED)
    assert (a.allowed, a.reason, a.band, a.age) == (False, "birth_date_in_future", None, None)


@pytest.mark.parametrize(
    "birth, allowed, reason",
    [
        (D(1906, 3, 10), True, "ok"),  # exactly 120
        (D(1906, 3, 11), True, "ok"),  # 119
        (D(1905, 3, 10), False, "implausible_age"),  # 121
    ],
)
def test_art20_ages_over_120_are_implausible(birth, allowed, reason):
    a = assess(ForWhom.SELF, birth, RECEIVED)
    assert (a.allowed, a.reason) == (allowed, reason)


def test_art20_string_values_are_accepted():
    a = assess("child_12_16", D(2012, 1, 1), RECEIVED, joint_rule="together")
    assert a.allowed and a.joint


@pytest.mark.parametrize(
    "for_whom, value",
    [(ForWhom.SELF, "self"), (ForWhom.CHILD_UNDER_12, "child_under_12"),
     (ForWhom.CHILD_12_TO_16, "child_12_16"), (ForWhom.ADULT_REPRESENTED, "adult_represented")],
)
def test_art20_for_whom_values_are_stable(for_whom, value):
    assert for_whom.value == value


# --- representatives (art. 20.1, 20.3) --------------------------------------------------

K = RepresentativeKind


@pytest.mark.parametrize(
    "for_whom, kinds",
    [
        (ForWhom.SELF, ()),
        (ForWhom.CHILD_UNDER_12, (K.PARENT_WITH_AUTHORITY, K.GUARDIAN)),
        (ForWhom.CHILD_12_TO_16, (K.PARENT_WITH_AUTHORITY, K.GUARDIAN)),
        (ForWhom.ADULT_REPRESENTED, (K.CURATOR, K.MENTOR, K.BEWINDVOERDER)),
    ],
)
def test_art20_3_representative_kinds_default_include_bewindvoerder(for_whom, kinds):
    assert kinds_for(for_whom) == kinds


def test_art20_3_accepted_adult_kinds_are_configurable():
    assert kinds_for(ForWhom.ADULT_REPRESENTED, accepted_adult_kinds=(K.MENTOR, K.CURATOR)) == (K.CURATOR, K.MENTOR)
    # the setting does not touch the kinds for children
    assert kinds_for(ForWhom.CHILD_UNDER_12, accepted_adult_kinds=(K.CURATOR,)) == (K.PARENT_WITH_AUTHORITY, K.GUARDIAN)
    with pytest.raises(ValueError):
        kinds_for(ForWhom.ADULT_REPRESENTED, accepted_adult_kinds=(K.GUARDIAN,))


@pytest.mark.parametrize(
    "kind, value",
    [(K.PARENT_WITH_AUTHORITY, "ouder_met_gezag"), (K.GUARDIAN, "voogd"), (K.CURATOR, "curator"),
     (K.MENTOR, "mentor"), (K.BEWINDVOERDER, "bewindvoerder")],
)
def test_art20_representative_kind_values_are_stable(kind, value):
    assert kind.value == value


@pytest.mark.parametrize("unsafe, review", [(True, True), (False, False)])
def test_art20_4_child_saying_parent_is_unsafe_goes_to_team_leader(unsafe, review):
    assert E.needs_team_leader_review(child_says_parent_unsafe=unsafe) is review
