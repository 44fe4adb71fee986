"""The permit timeline's rules, each with fixed dates (`matcher.permits`)."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher import permits
from matcher.features.pair_features import FEATURE_NAMES

# A Wednesday; the GTS pathway's 20 business days end four weeks later, on a Wednesday.
TODAY = dt.date(2026, 12, 2)
SOFTWARE_DEVELOPERS = "15-1252.00"  # NOC 21232, on the Global Talent Occupations List
NURSES = "29-1141.00"  # not on the list


@pytest.mark.parametrize("authorization", ["citizen", "permanent_resident", "open_work_permit"])
def test_no_new_permit_starts_on_the_available_date(authorization):
    later = dt.date(2027, 3, 1)
    estimate = permits.earliest_start(authorization, later, SOFTWARE_DEVELOPERS, today=TODAY)
    assert estimate.earliest_start == later
    assert estimate.pathway is permits.NO_PERMIT_NEEDED and not estimate.needs_permit


def test_no_available_date_or_one_in_the_past_means_today():
    for available in (None, dt.date(2025, 1, 1)):
        estimate = permits.earliest_start("citizen", available, None, today=TODAY)
        assert estimate.earliest_start == TODAY


@pytest.mark.parametrize("authorization", ["needs_permit", "employer_specific_permit"])
def test_a_global_talent_occupation_takes_the_two_week_permit_after_a_gts_lmia(authorization):
    estimate = permits.earliest_start(authorization, None, SOFTWARE_DEVELOPERS, today=TODAY)
    assert estimate.pathway is permits.GLOBAL_TALENT_STREAM
    assert permits.GLOBAL_TALENT_STREAM.lmia_business_days == 10
    assert permits.GLOBAL_TALENT_STREAM.permit_business_days == 10
    assert estimate.earliest_start == dt.date(2026, 12, 30)  # 20 business days, 4 weeks
    assert estimate.pathway.typical_weeks == 4


def test_other_occupations_take_a_regular_high_wage_lmia():
    estimate = permits.earliest_start("needs_permit", None, NURSES, today=TODAY)
    assert estimate.pathway is permits.HIGH_WAGE_LMIA
    assert estimate.earliest_start == permits.add_business_days(TODAY, 85)
    assert estimate.earliest_start == dt.date(2027, 3, 31)
    no_title = permits.earliest_start("needs_permit", None, None, today=TODAY)
    assert no_title.pathway is permits.HIGH_WAGE_LMIA


def test_a_permit_is_not_waited_for_when_the_worker_is_free_later_anyway():
    free = dt.date(2027, 6, 1)
    estimate = permits.earliest_start("needs_permit", free, SOFTWARE_DEVELOPERS, today=TODAY)
    assert estimate.earliest_start == free
    assert estimate.needs_permit  # the pathway is still shown


def test_unknown_authorization_has_no_estimate():
    assert permits.earliest_start("tourist_visa", None, None, today=TODAY) is None


def test_business_days_skip_weekends():
    friday = dt.date(2026, 12, 4)
    assert permits.add_business_days(friday, 1) == dt.date(2026, 12, 7)  # Monday
    assert permits.add_business_days(friday, 5) == dt.date(2026, 12, 11)
    assert permits.add_business_days(friday, 0) == friday


def test_parse_start_date_names_the_problem():
    assert permits.parse_start_date("2027-01-15") == dt.date(2027, 1, 15)
    assert permits.parse_start_date("  ") is None
    for bad in ("2027-13-01", "soon", "15/01/2027"):
        with pytest.raises(ValueError, match="is not a date"):
            permits.parse_start_date(bad)


def test_work_authorization_is_no_ranking_feature():
    assert not any("authoriz" in name or "permit" in name for name in FEATURE_NAMES)
