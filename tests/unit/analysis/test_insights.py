"""What the results home computes of a released group: distributions, changes, movers, strengths, focus."""

import numpy as np
import pandas as pd
import pytest

from analysis.insights import Distribution, Insight, change, distribution, insights, movers, strengths_and_focus


def classes(**columns):
    return pd.DataFrame({code: pd.Series(values, dtype="float64") for code, values in columns.items()})


def test_each_respondent_counts_once_per_score_whatever_they_answered():
    # respondent 1: both items favourable; respondent 2: one unfavourable, one unanswered
    frame = classes(a=[1, -1], b=[1, np.nan])
    found = distribution(frame, ["a", "b"])
    assert found == Distribution(favourable=0.5, neutral=0.0, unfavourable=0.5, n=2)


def test_a_score_nobody_answered_has_no_distribution():
    assert distribution(classes(a=[np.nan, np.nan]), ["a"]) is None


def test_a_clear_change_against_last_quarter_is_significant_and_a_small_one_is_not():
    now = classes(a=[1] * 30 + [-1] * 10)
    before = classes(a=[1] * 10 + [-1] * 30)
    moved = change(now, before, ["a"])
    assert moved.difference == pytest.approx(0.5) and moved.significant
    small = change(classes(a=[1] * 11 + [-1] * 9), classes(a=[1] * 10 + [-1] * 10), ["a"])
    assert small.difference == pytest.approx(0.05) and not small.significant


def test_movers_are_the_largest_changes_either_way():
    now = classes(a=[1] * 20, b=[-1] * 20, c=[1] * 10 + [-1] * 10, d=[1] * 11 + [-1] * 9)
    before = classes(a=[-1] * 20, b=[1] * 10 + [-1] * 10, c=[1] * 10 + [-1] * 10, d=[1] * 10 + [-1] * 10)
    found = insights(now, before, {code: (code,) for code in "abcd"})
    assert [i.key for i in movers(found)] == ["a", "b", "d"]


def test_without_last_quarter_nothing_moves():
    found = insights(classes(a=[1, -1]), None, {"a": ("a",)})
    assert found[0].change is None and movers(found) == []


def test_strengths_and_focus_are_furthest_above_and_below_the_mean_of_all_items():
    shares = {"a": 0.9, "b": 0.7, "c": 0.5, "d": 0.3, "e": 0.1}
    items = [Insight(key, Distribution(share, 0, 1 - share, 10)) for key, share in shares.items()]
    above, below = strengths_and_focus(items, top=2)
    assert [s.insight.key for s in above] == ["a", "b"] and above[0].gap == pytest.approx(0.4)
    assert [s.insight.key for s in below] == ["e", "d"] and below[0].gap == pytest.approx(-0.4)
