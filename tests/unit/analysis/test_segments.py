"""Segment figures against hand-computed values."""

import numpy as np
import pandas as pd
import pytest

from analysis.frames import answers_frame, response_segments, wide_answers
from analysis.segments import aggregate, compare, summarise
from surveys import load_builtin, score_frame


def rows():
    # three responses: two in 杭州门店 (employee), one in 深圳门店 (manager)
    data = []
    people = [
        ("r1", "employee", "总部/华东区/杭州门店", "第一批", 5, 10),
        ("r2", "employee", "总部/华东区/杭州门店", "第一批", 3, 6),
        ("r3", "manager", "总部/华南区/深圳门店", "第二批", 1, 8),
    ]
    for rid, role, dept, wave, approval, nps in people:
        data.append((rid, 1, "2026Q4", role, dept, wave, "mod_approval", approval, None))
        data.append((rid, 1, "2026Q4", role, dept, wave, "enps", nps, None))
        data.append((rid, 1, "2026Q4", role, dept, wave, "trouble", None, "审批太慢"))
    return data


def test_answers_frame_adds_every_ancestor_level():
    frame = answers_frame(rows())
    segments = response_segments(frame)
    assert segments.loc["r3", "dept_1"] == "总部"
    assert segments.loc["r3", "dept_2"] == "总部/华南区"
    assert segments.loc["r3", "dept_3"] == "总部/华南区/深圳门店"


def test_shallow_department_has_no_deeper_levels():
    data = [("r1", 1, "2026Q4", "employee", "总部", None, "enps", 9, None)]
    segments = response_segments(
        answers_frame(data + [("r2", 1, "2026Q4", "employee", "总部/华东区", None, "enps", 9, None)])
    )
    assert segments.loc["r1", "dept_1"] == "总部" and pd.isna(segments.loc["r1", "dept_2"])


def test_wide_answers_has_one_row_per_response():
    wide = wide_answers(answers_frame(rows()))
    assert list(wide.index) == ["r1", "r2", "r3"]
    assert wide.loc["r2", "mod_approval"] == 3 and wide.loc["r3", "enps"] == 8


def scored():
    long = answers_frame(rows())
    scores = score_frame(load_builtin("quarterly-satisfaction"), wide_answers(long))
    return scores.join(response_segments(long))


def test_aggregate_by_hand():
    figures = aggregate(scored())
    assert figures["module_approval"] == 3.0  # (5 + 3 + 1) / 3
    assert figures["enps"] == pytest.approx(0.0)  # one promoter (10), one detractor (6), one passive (8)
    assert figures["sus"] is None  # no SUS answers in this data


def test_summarise_by_role():
    overall, groups = summarise(scored(), ["role"])
    assert overall.n == 3
    employee = next(g for g in groups if g.key == (("role", "employee"),))
    assert employee.n == 2 and employee.scores["module_approval"] == 4.0 and employee.scores["enps"] == 0.0
    manager = next(g for g in groups if g.key == (("role", "manager"),))
    assert manager.scores["enps"] == 0.0 and manager.scores["module_approval"] == 1.0


def test_summarise_crossed_role_and_wave():
    _, groups = summarise(scored(), ["role", "wave"])
    assert {g.key for g in groups} == {
        (("role", "employee"), ("wave", "第一批")),
        (("role", "manager"), ("wave", "第二批")),
    }


def test_comparison_flags_a_real_difference_with_n_shown():
    group = pd.Series([1.0, 1, 2, 1, 2, 1, 1, 2] * 3)
    rest = pd.Series([4.0, 5, 4, 5, 5, 4, 5, 4] * 3)
    result = compare(group, rest, "module_approval")
    assert result.difference == -3.12 and result.significant and result.p_value < 0.001
    assert (result.n_group, result.n_rest) == (24, 24)


def test_comparison_of_similar_groups_is_not_significant():
    result = compare(pd.Series([3.0, 4, 3, 4, 3, 4]), pd.Series([4.0, 3, 4, 3, 4, 3]), "sus")
    assert not result.significant


def test_comparison_skips_tiny_groups():
    result = compare(pd.Series([1.0, 2]), pd.Series([4.0] * 10), "sus")
    assert result.p_value is None and not result.significant and result.n_group == 2


def test_enps_difference_in_points():
    group = pd.Series([10.0] * 6)
    rest = pd.Series([0.0] * 6)
    assert compare(group, rest, "nps").difference == 200.0


def test_barrier_distribution_per_group():
    instrument = load_builtin("change-readiness")
    data = []
    for rid, role, knowledge in (("a", "employee", 2), ("b", "employee", 5), ("c", "manager", 5)):
        for q in instrument.questions:
            if q.type == "likert5":
                value = knowledge if q.code.startswith("knowledge") else 4
                data.append((rid, 1, "2026Q4", role, "总部", None, q.code, value, None))
    long = answers_frame(data)
    scores = score_frame(instrument, wide_answers(long)).join(response_segments(long))
    overall, _groups = summarise(scores, ["role"])
    assert overall.barrier_points["knowledge"] == 1 and overall.barrier_points["none"] == 2
    assert overall.scores["adkar_knowledge"] == pytest.approx(4.0)


def test_ranked_comparison_matches_scipy_asymptotic_mann_whitney():
    from scipy.stats import mannwhitneyu

    from analysis.segments import RankedMetric

    rng = np.random.default_rng(3)
    values = pd.Series(rng.integers(1, 6, size=400).astype(float))
    values[rng.random(400) < 0.1] = np.nan
    inside = rng.random(400) < 0.2
    result = RankedMetric(values, "module_approval").compare(inside)
    group, rest = values[inside].dropna(), values[~inside].dropna()
    expected = mannwhitneyu(group, rest, alternative="two-sided", method="asymptotic").pvalue
    assert result.p_value == round(expected, 4)
    assert (result.n_group, result.n_rest) == (len(group), len(rest))


def test_ranked_nps_comparison_uses_promoter_classes():
    from scipy.stats import mannwhitneyu

    from analysis.segments import RankedMetric
    from surveys.scoring import nps_category

    rng = np.random.default_rng(4)
    values = pd.Series(rng.integers(0, 11, size=300).astype(float))
    inside = rng.random(300) < 0.3
    result = RankedMetric(values, "nps").compare(inside)
    expected = mannwhitneyu(
        nps_category(values[inside]), nps_category(values[~inside]), alternative="two-sided", method="asymptotic"
    ).pvalue
    assert result.p_value == round(expected, 4)
