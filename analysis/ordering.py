"""The order in which groups are listed: numbers inside a name count as numbers, Chinese numerals included.

Rollout waves are named "第一批", "第二批", …, "第十批" (or "Wave 2", "Wave 10"); sorted by code point they
come out as 第一批, 第三批, 第二批 and Wave 10 before Wave 2. `natural_key` reads every run of digits or of
Chinese numerals as its value, so a list sorted by it follows the numbering; the rest of a name still
compares by code point. Pages, the API, exports and the report all sort their groups with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
_NUMBER = re.compile(r"(\d+|[零〇一二两三四五六七八九十百千万]+)")


def chinese_number(text: str) -> int:
    """The value of a run of Chinese numerals: "三" 3, "十二" 12, "二十" 20, "一百零五" 105, "三千" 3000;
    a run of bare digits ("二〇二六") reads digit by digit."""
    if not any(char in _UNITS for char in text):
        return int("".join(str(_DIGITS[char]) for char in text))
    total, section, digit = 0, 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char == "万":
            total += (section + digit or 1) * 10_000
            section, digit = 0, 0
        else:
            section += (digit or 1) * _UNITS[char]
            digit = 0
    return total + section + digit


def natural_key(text: str) -> tuple[str | int, ...]:
    """A sort key in which "第二批" < "第十批" and "Wave 2" < "Wave 10": the name split into text and numbers
    (text first, so every key alternates text, number, text, …, and keys always compare)."""
    parts = _NUMBER.split(text)
    return tuple(_value(part) if i % 2 else part for i, part in enumerate(parts))


def _value(number: str) -> int:
    return int(number) if number.isdigit() else chinese_number(number)


def natural_order(name: str) -> tuple[tuple[str | int, ...], str]:
    """The sort key of a group's name: `natural_key`, ties (such as "第2批" and "第二批") by code point."""
    return natural_key(name), name


def naturally_sorted(names: Iterable[str]) -> list[str]:
    """`names` without repeats, in natural order."""
    return sorted(set(names), key=natural_order)
