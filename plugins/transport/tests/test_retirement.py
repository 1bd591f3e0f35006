"""Properties of the off-site rules over the whole range of their facts: a vehicle is flagged
for scrapping exactly from 600,000 km and warned of exactly from 550,000 km; it leaves the
service exactly from 8 years; a platform's feed warns only beyond 24 silent hours."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onething import enable
from onething.model import Membership, SupervisedObject
from onething.risk import evaluate
from onething.rulebook import Rulebook

ON = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def book():
    return Rulebook(enable(["transport"]))


def fired(book, object_type, facts):
    obj = SupervisedObject(
        key="K",
        name="n",
        region_code="371500",
        domains={"transport": Membership([object_type], {})},
    )
    return {f.rule for f in evaluate([obj], {"K": facts}, book, ON) if f.fired}


@given(km=st.integers(0, 1_000_000))
def test_mileage_rules_fire_from_their_marks(book, km):
    got = fired(book, "ride_hailing_vehicle", {"mileage_km": km})
    assert ("transport.vehicle_scrap_mileage" in got) == (km >= 600_000)
    assert ("transport.vehicle_mileage_warning" in got) == (km >= 550_000)


@given(years=st.integers(0, 20))
def test_exit_age_fires_from_eight_years(book, years):
    got = fired(book, "ride_hailing_vehicle", {"vehicle_age_years": years})
    assert ("transport.vehicle_exit_age" in got) == (years >= 8)


@given(hours=st.floats(0, 1000, allow_nan=False))
def test_feed_silence_warns_only_beyond_24_hours(book, hours):
    got = fired(book, "ride_hailing_platform", {"hours_since_last_feed": hours})
    assert ("transport.data_feed_silent" in got) == (hours > 24)


@given(km=st.integers(0, 1_000_000))
def test_a_platform_never_gets_a_vehicle_rule(book, km):
    assert not fired(book, "ride_hailing_platform", {"mileage_km": km, "vehicle_age_years": 9})
