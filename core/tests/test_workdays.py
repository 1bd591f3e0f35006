"""The working-day calendar: statutory holidays and 调休 days from the package, a deployment's
own year where the package does not know it, and every guess marked."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onething import InvalidInput, load_config
from onething.workdays import LOCAL_ZONE, Calendar, CalendarYear, calendar_years

CST = LOCAL_ZONE
CAL = Calendar()
YEAR_2027 = CalendarYear(
    2027,
    holidays={dt.date(2027, 1, 1)},
    workdays={dt.date(2027, 1, 2)},  # a Saturday made a working day (made up for the test)
    source="测试用：假设的 2027 年安排",
)


def test_the_national_day_week_and_its_adjusted_saturday():
    """2026: 1–7 October off, Saturday 10 October and Sunday 20 September at work."""
    assert not any(CAL.is_working_day(dt.date(2026, 10, d)) for d in range(1, 8))
    assert CAL.is_working_day(dt.date(2026, 10, 10)) and CAL.is_working_day(dt.date(2026, 9, 20))
    assert not CAL.is_working_day(dt.date(2026, 9, 27))  # an ordinary Sunday


def test_a_working_day_limit_skips_the_holiday_week_in_shanghai_time():
    start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=CST)
    end, provisional = CAL.add_working_days(start, 1)
    assert (end, provisional) == (dt.datetime(2026, 10, 8, 10, 0, tzinfo=CST), False)
    # 23:30 UTC on the 30th is already 1 October in Shanghai: the count starts there
    late = dt.datetime(2026, 9, 30, 23, 30, tzinfo=dt.UTC)
    end, _ = CAL.add_working_days(late, 1)
    assert end.astimezone(CST).date() == dt.date(2026, 10, 8) and end.tzinfo == dt.UTC


def test_a_year_the_package_does_not_know_is_counted_monday_to_friday_and_marked():
    assert CAL.last_known_year == 2026 and not CAL.known(dt.date(2027, 1, 4))
    end, provisional = CAL.add_working_days(dt.datetime(2026, 12, 31, 9, tzinfo=CST), 1)
    assert (end.date(), provisional) == (dt.date(2027, 1, 1), True)  # a guess: New Year's Day
    with pytest.raises(InvalidInput, match=r"2027 年的节假日安排未知（已知至 2026 年）"):
        CAL.require(dt.date(2027, 3, 1))


def test_a_deployment_year_fills_the_gap_and_is_not_provisional():
    cal = Calendar([YEAR_2027])
    end, provisional = cal.add_working_days(dt.datetime(2026, 12, 31, 9, tzinfo=CST), 1)
    assert (end.date(), provisional) == (dt.date(2027, 1, 2), False)
    assert cal.last_known_year == 2027
    cal.require(dt.date(2027, 6, 1))


@given(
    st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2027, 6, 30), timezones=st.just(CST)),
    st.integers(0, 40),
)
def test_exactly_n_working_days_are_counted_and_the_end_is_one(start, n):
    cal = Calendar([YEAR_2027])
    end, _ = cal.add_working_days(start, n)
    days = (end.date() - start.date()).days
    counted = sum(cal.is_working_day(start.date() + dt.timedelta(d)) for d in range(1, days + 1))
    assert counted == n and end.timetz() == start.timetz()
    assert n == 0 or cal.is_working_day(end.date())
    assert cal.add_working_days(start, n + 1)[0] > end


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("holidays = [2026-10-01]", "2026-10-01 不在 2027 年"),
        ("holidays = [2027-01-02]\nworkdays = [2027-01-02]", "既是节假日又是工作日"),
        ("holidays = []\nworkdays = [2027-01-04]", "是周一至周五，本就是工作日"),
    ],
)
def test_a_bad_calendar_year_in_the_config_is_named(tmp_path, table, message):
    cfg = tmp_path / "onething.toml"
    cfg.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = []\n'
        f'[[calendar.year]]\nyear = 2027\nsource = "国务院办公厅通知"\n{table}\n',
        "utf-8",
    )
    with pytest.raises(InvalidInput, match=message) as exc:
        load_config(cfg)
    assert exc.value.path.startswith("calendar.year[0]")


def test_the_config_year_reaches_the_calendar(tmp_path):
    years = calendar_years(
        [{"year": 2027, "holidays": ["2027-01-01"], "workdays": [], "source": "国务院办公厅通知"}],
        "x.toml",
    )
    assert Calendar(years).known(dt.date(2027, 5, 1))
    assert not Calendar(years).is_working_day(dt.date(2027, 1, 1))
