"""Months: parsing, the month of a moment in the company's time zone, bounds, neighbours, labels."""

from datetime import date, datetime

import pytest

from analysis.months import Month, MonthError, is_month
from analysis.quarters import Quarter

SHANGHAI = "Asia/Shanghai"  # UTC+8
SAN_FRANCISCO = "America/Los_Angeles"  # UTC−8 in November


@pytest.mark.parametrize("text", ["2026-11", " 2026-11 ", "2026-11\n"])
def test_typed_months_forgive_spaces(text):
    assert Month.parse(text) == Month(2026, 11)


BAD = ["", "2026-13", "2026-00", "2026-1", "2026/11", "202611", "26-11", "1999-12", "2100-01", "２０２６-11", "十一月"]


@pytest.mark.parametrize("text", BAD)
def test_anything_else_is_refused_with_a_chinese_message(text):
    with pytest.raises(MonthError, match="月份格式应为“2026-11”"):
        Month.parse(text)


@pytest.mark.parametrize("value", [None, 202611, ["2026-11"]])
def test_values_that_are_not_text_are_refused(value):
    with pytest.raises(MonthError):
        Month.parse(value)


@pytest.mark.parametrize("text", ["2026-11\n", " 2026-11", "2026-11\x00"])
def test_the_stored_form_allows_nothing_around_it(text):
    assert not is_month(text)
    with pytest.raises(MonthError):
        Month.parse(text, exact=True)


def test_a_month_is_written_the_way_it_is_stored():
    assert str(Month(2026, 3)) == "2026-03" and Month.parse(str(Month(2031, 2)), exact=True) == Month(2031, 2)


@pytest.mark.parametrize("year,number", [(2026, 0), (2026, 13), (1999, 12), (2100, 1)])
def test_a_month_out_of_range_cannot_be_built(year, number):
    with pytest.raises(MonthError):
        Month(year, number)


def test_months_around_a_new_year():
    assert Month(2027, 1).previous == Month(2026, 12) and Month(2026, 12).next == Month(2027, 1)
    assert Month(2026, 11).last(3) == [Month(2026, 11), Month(2026, 10), Month(2026, 9)]


def test_a_month_knows_its_quarter():
    assert [Month(2026, n).quarter for n in (1, 3, 4, 11)] == [
        Quarter(2026, 1),
        Quarter(2026, 1),
        Quarter(2026, 2),
        Quarter(2026, 4),
    ]


def test_a_quarter_has_its_three_months_in_order():
    assert Month.of_quarter(Quarter(2026, 4)) == [Month(2026, 10), Month(2026, 11), Month(2026, 12)]
    assert all(month.quarter == Quarter(2027, 1) for month in Month.of_quarter(Quarter(2027, 1)))


def test_labels_in_both_languages():
    assert Month(2026, 11).label("zh") == "2026年11月" and Month(2026, 11).label("en") == "November 2026"


def test_bounds_run_from_local_midnight_to_local_midnight_in_utc():
    assert Month(2026, 11).bounds(SHANGHAI) == (datetime(2026, 10, 31, 16), datetime(2026, 11, 30, 16))
    assert Month(2026, 12).bounds(SHANGHAI)[1] == datetime(2026, 12, 31, 16)


def test_a_decision_at_23_30_local_on_the_30th_belongs_to_that_month_though_utc_is_already_the_1st():
    at = datetime(2026, 12, 1, 7, 30)  # 23:30 on 30 November in San Francisco
    assert Month.of(at, SAN_FRANCISCO) == Month(2026, 11)
    start, end = Month(2026, 11).bounds(SAN_FRANCISCO)
    assert start <= at < end


def test_a_decision_at_00_30_local_on_the_1st_belongs_to_the_new_month_though_utc_is_still_the_30th():
    at = datetime(2026, 11, 30, 16, 30)  # 00:30 on 1 December in Shanghai
    assert Month.of(at, SHANGHAI) == Month(2026, 12)
    assert not Month(2026, 11).contains(at, SHANGHAI) and Month(2026, 12).contains(at, SHANGHAI)
    start, end = Month(2026, 11).bounds(SHANGHAI)
    assert not start <= at < end


def test_23_30_local_on_the_30th_in_shanghai_is_still_november():
    at = datetime(2026, 11, 30, 15, 30)  # 23:30 local
    assert Month.of(at, SHANGHAI) == Month(2026, 11)
    assert Month(2026, 11).bounds(SHANGHAI)[1] > at


def test_a_date_is_local_and_an_aware_moment_is_converted():
    from zoneinfo import ZoneInfo

    assert Month.of(date(2026, 11, 30), SHANGHAI) == Month(2026, 11)
    aware = datetime(2026, 12, 1, 0, 30, tzinfo=ZoneInfo(SHANGHAI))
    assert Month.of(aware, SHANGHAI) == Month(2026, 12) and Month.of(aware, "UTC") == Month(2026, 11)
