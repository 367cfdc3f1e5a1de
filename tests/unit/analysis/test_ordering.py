"""Groups listed in natural order: numbers inside names, Chinese numerals included, count as numbers."""

import pytest

from analysis.ordering import chinese_number, natural_key, naturally_sorted


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("一百零五", 105),
        ("三千", 3000),
        ("十万", 100_000),
        ("二〇二六", 2026),
        ("两", 2),
    ],
)
def test_chinese_numerals_are_read_as_their_value(text, value):
    assert chinese_number(text) == value


def test_waves_follow_their_numbering_not_code_points():
    waves = ["第三批", "第十批", "第一批", "第十一批", "第二批"]
    assert sorted(waves) == ["第一批", "第三批", "第二批", "第十一批", "第十批"]  # the order this replaces
    assert naturally_sorted(waves) == ["第一批", "第二批", "第三批", "第十批", "第十一批"]


def test_digits_and_mixed_names_compare_as_numbers_and_repeats_go():
    assert naturally_sorted(["Wave 10", "Wave 2", "Wave 2", "Wave 1"]) == ["Wave 1", "Wave 2", "Wave 10"]
    assert naturally_sorted(["第2批", "第10批", "第二批"]) == ["第2批", "第二批", "第10批"]


def test_any_two_names_have_comparable_keys():
    names = ["一线员工", "Wave 3", "第三批", "", "2026", "华东区/一分公司", "华东区/十二分公司", "万达"]
    assert len(naturally_sorted(names)) == len(names)  # no TypeError between text and number parts
    assert natural_key("华东区/二分公司") < natural_key("华东区/十二分公司")
