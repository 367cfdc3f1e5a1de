"""Quarters: parsing, the quarter of a moment in the company's time zone, bounds, neighbours, labels."""

import re
from datetime import date, datetime

import pytest

from analysis.quarters import FORMAT, SCHEMA_PATTERN, Quarter, QuarterError, is_quarter

SHANGHAI = "Asia/Shanghai"


@pytest.mark.parametrize("text", ["2026Q4", " 2026q4 ", "2026Q4\n", "\t2026Q4"])
def test_typed_quarters_forgive_spaces_and_a_lower_case_q(text):
    assert Quarter.parse(text) == Quarter(2026, 4)


BAD = ["", "2026Q5", "2026Q0", "2026-Q4", "26Q4", "1999Q4", "2100Q1", "2026Q44", "２０２６Q4", "20２６Q4", "Q4", "明年"]


@pytest.mark.parametrize("text", BAD)
def test_anything_else_is_refused_with_a_chinese_message(text):
    with pytest.raises(QuarterError, match="季度格式应为“2026Q4”"):
        Quarter.parse(text)


@pytest.mark.parametrize("value", [None, 2027, ["2026Q4"]])
def test_values_that_are_not_text_are_refused(value):
    with pytest.raises(QuarterError):
        Quarter.parse(value)


@pytest.mark.parametrize("text", ["2026Q4\n", " 2026Q4", "2026q4", "2026Q4\x00"])
def test_stored_form_allows_nothing_around_it(text):
    assert not is_quarter(text)
    with pytest.raises(QuarterError):
        Quarter.parse(text, exact=True)


def test_stored_form_is_accepted_exactly():
    assert is_quarter("2027Q1") and Quarter.parse("2027Q1", exact=True) == Quarter(2027, 1)


def test_a_quarter_is_written_the_way_it_is_stored():
    assert str(Quarter(2026, 4)) == "2026Q4" and Quarter.parse(str(Quarter(2031, 2))) == Quarter(2031, 2)


@pytest.mark.parametrize("year,number", [(2026, 0), (2026, 5), (1999, 4), (2100, 1)])
def test_a_quarter_out_of_range_cannot_be_built(year, number):
    with pytest.raises(QuarterError):
        Quarter(year, number)


def test_the_previous_quarter_of_a_first_quarter_is_last_year_s_fourth():
    assert Quarter(2027, 1).previous == Quarter(2026, 4)
    assert Quarter(2026, 3).previous == Quarter(2026, 2)


def test_the_next_quarter_of_a_fourth_quarter_is_next_year_s_first():
    assert Quarter(2026, 4).next == Quarter(2027, 1)
    assert Quarter(2026, 2).next == Quarter(2026, 3)


def test_quarters_sort_in_time_order():
    quarters = [Quarter(2027, 1), Quarter(2026, 4), Quarter(2026, 1)]
    assert sorted(quarters) == [Quarter(2026, 1), Quarter(2026, 4), Quarter(2027, 1)]
    assert Quarter(2026, 4) < Quarter(2027, 1)


def test_new_year_s_eve_half_past_eleven_in_shanghai_is_still_the_fourth_quarter():
    stored = datetime(2026, 12, 31, 15, 30)  # naive UTC = 23:30 in Shanghai
    assert Quarter.of(stored, SHANGHAI) == Quarter(2026, 4)


def test_half_past_midnight_on_new_year_s_day_in_shanghai_is_the_next_year_s_first_quarter():
    stored = datetime(2026, 12, 31, 16, 30)  # naive UTC = 00:30 on 1 January in Shanghai, still 2026 in UTC
    assert Quarter.of(stored, SHANGHAI) == Quarter(2027, 1)
    assert Quarter.of(stored, "UTC") == Quarter(2026, 4)


def test_a_date_is_read_as_a_local_day():
    assert Quarter.of(date(2026, 12, 31), SHANGHAI) == Quarter(2026, 4)
    assert Quarter.of(date(2027, 1, 1), SHANGHAI) == Quarter(2027, 1)


def test_bounds_are_shanghai_midnights_as_naive_utc():
    start, end = Quarter(2027, 1).bounds(SHANGHAI)
    assert start == datetime(2026, 12, 31, 16, 0) and end == datetime(2027, 3, 31, 16, 0)
    assert start <= datetime(2026, 12, 31, 16, 30) < end  # 00:30 on New Year's Day, local
    assert not start <= datetime(2026, 12, 31, 15, 30) < end  # 23:30 on New Year's Eve, local


def test_local_dates_of_a_fourth_quarter_end_on_new_year_s_day():
    assert Quarter(2026, 4).dates() == (date(2026, 10, 1), date(2027, 1, 1))
    assert Quarter(2026, 2).dates() == (date(2026, 4, 1), date(2026, 7, 1))


@pytest.mark.parametrize(
    "quarter,zh,en",
    [(Quarter(2026, 4), "2026年第四季度", "2026 Q4"), (Quarter(2027, 1), "2027年第一季度", "2027 Q1")],
)
def test_labels_in_chinese_and_english(quarter, zh, en):
    assert quarter.label("zh") == zh and quarter.label("en") == en


def test_the_schema_pattern_allows_a_quarter_or_nothing():
    pattern = re.compile(SCHEMA_PATTERN)
    assert pattern.search("2026Q4") and pattern.search("")
    assert not pattern.search("2026Q5") and not pattern.search("x2026Q4")
    assert re.fullmatch(FORMAT, "2026Q4") and not re.fullmatch(FORMAT, "2026Q4\n")
