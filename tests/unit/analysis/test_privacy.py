"""Suppression, including the differencing cases, and a property test over random organisations."""

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.privacy import (
    BELOW_K,
    COMPLEMENTARY,
    DIFFERENCING,
    Snapshot,
    check_filtered_view,
    release_over_time,
    release_plan,
    suppress_breakdown,
    suppress_crossed,
)

K = 5


def test_primary_suppression_hides_small_cells_with_reason():
    result = suppress_breakdown({"一线员工": 40, "高层": 3, "中层": 20, "数字化": 9}, K)
    assert result["高层"].suppressed and result["高层"].reason == BELOW_K
    assert result["高层"].message == "不足 5 人" and result["高层"].n is None
    assert not result["中层"].suppressed and result["中层"].n == 20


def test_complement_of_one_suppressed_cell_is_also_suppressed():
    # total 63 is released; hiding only 高层 (3) would let it be computed as 63 − 40 − 20
    result = suppress_breakdown({"一线员工": 40, "高层": 3, "中层": 20}, K)
    assert result["中层"].suppressed and result["中层"].reason == COMPLEMENTARY
    assert not result["一线员工"].suppressed


def test_two_small_cells_together_at_least_k_need_no_complement():
    result = suppress_breakdown({"a": 40, "b": 3, "c": 2, "d": 20}, K)
    assert [key for key, r in result.items() if r.suppressed] == ["b", "c"]


def test_empty_cells_do_not_count_as_hidden_respondents():
    result = suppress_breakdown({"a": 40, "b": 0, "c": 20}, K)
    assert not result["a"].suppressed and not result["c"].suppressed


def test_crossed_table_protects_rows_and_columns():
    counts = {("一线", "华东"): 30, ("一线", "华南"): 2, ("中层", "华东"): 10, ("中层", "华南"): 12}
    result = suppress_crossed(counts, K)
    hidden = {key for key, r in result.items() if r.suppressed}
    assert ("一线", "华南") in hidden
    assert ("一线", "华东") in hidden or ("中层", "华南") in hidden  # row and column complements
    for row in ("一线", "中层"):
        line = [counts[key] for key in hidden if key[0] == row]
        assert sum(line) == 0 or sum(line) >= K


def test_parent_minus_filter_withholds_the_view():
    assert check_filtered_view(parent_n=50, view_n=47, k=K).reason == DIFFERENCING
    assert not check_filtered_view(parent_n=50, view_n=45, k=K).suppressed
    assert not check_filtered_view(parent_n=50, view_n=50, k=K).suppressed
    assert check_filtered_view(parent_n=50, view_n=4, k=K).reason == BELOW_K


def test_time_differencing_shows_the_last_release_until_k_new_responses():
    first = release_over_time(20, {"sus": 60}, None, K, campaign_closed=False)
    assert first.store and first.figures == {"sus": 60}
    later = release_over_time(23, {"sus": 58}, Snapshot(20, {"sus": 60}), K, campaign_closed=False)
    assert later.stale and later.figures == {"sus": 60} and later.n == 20 and not later.store
    grown = release_over_time(25, {"sus": 57}, Snapshot(20, {"sus": 60}), K, campaign_closed=False)
    assert not grown.stale and grown.figures == {"sus": 57} and grown.store


def test_campaign_close_releases_the_final_figures():
    final = release_over_time(22, {"sus": 59}, Snapshot(20, {"sus": 60}), K, campaign_closed=True)
    assert final.figures == {"sus": 59} and final.n == 22


def frame(records):
    return pd.DataFrame(records, columns=["role", "wave", "dept_1", "dept_2"])


def test_plan_withholds_a_filter_that_removes_few_from_its_parent():
    # 48 in 华东 of 50: the 华东 figure minus everyone's would isolate the 2 others
    records = [("employee", "第一批", "总部", "总部/华东")] * 48 + [("employee", "第二批", "总部", "总部/华南")] * 2
    plan = release_plan(frame(records), ["wave", "dept_2"], K)
    assert plan[()].n == 50
    assert plan[(("dept_2", "总部/华东"),)].suppressed
    assert plan[(("wave", "第一批"),)].suppressed


def test_plan_withholds_overlapping_views_of_different_dimensions():
    # role=employee (30) and wave=第一批 (28) differ by 2 people although each breakdown is fine alone
    records = (
        [("employee", "第一批", "总部", "总部/A")] * 28
        + [("employee", "第二批", "总部", "总部/B")] * 2
        + [("manager", "第二批", "总部", "总部/B")] * 20
    )
    plan = release_plan(frame(records), ["role", "wave"], K, crossed=False)
    employee, wave1 = plan[(("role", "employee"),)], plan[(("wave", "第一批"),)]
    assert not employee.suppressed
    assert wave1.suppressed and wave1.reason in (DIFFERENCING, COMPLEMENTARY)


def released_sets(segments: pd.DataFrame, plan) -> list[frozenset]:
    sets = []
    for key, decision in plan.items():
        if decision.suppressed:
            continue
        mask = np.ones(len(segments), dtype=bool)
        for dimension, value in key:
            mask &= (segments[dimension] == value).to_numpy()
        sets.append(frozenset(np.flatnonzero(mask)))
    return sets


def differencing_violations(sets, k):
    return [(a, b) for a, b in itertools.combinations(sets, 2) if a & b and 0 < len(a ^ b) < k]


def naive_primary_only_plan(segments, dimensions, k):
    plan = {(): type("R", (), {"suppressed": len(segments) < k})()}
    for view in [(d,) for d in dimensions] + list(itertools.combinations(dimensions, 2)):
        for values, group in segments.groupby(list(view)):
            values = values if isinstance(values, tuple) else (values,)
            plan[tuple(sorted(zip(view, values)))] = type("R", (), {"suppressed": len(group) < k})()
    return plan


def test_the_property_checker_catches_primary_only_suppression():
    records = [("employee", "第一批", "总部", "总部/A")] * 30 + [("manager", "第一批", "总部", "总部/A")] * 2
    segments = frame(records)
    naive = naive_primary_only_plan(segments, ["role", "wave"], K)
    assert differencing_violations(released_sets(segments, naive), K)


organisations = st.builds(
    lambda n_regions, n_units, seed: (n_regions, n_units, seed),
    st.integers(1, 3),
    st.integers(1, 4),
    st.integers(0, 10_000),
)


@settings(max_examples=150, deadline=None)
@given(
    org=organisations,
    size=st.integers(0, 80),
    k=st.sampled_from([3, 5, 7]),
    dims=st.lists(st.sampled_from(["role", "wave", "dept_1", "dept_2"]), min_size=1, max_size=4, unique=True),
    crossed=st.booleans(),
)
def test_no_two_released_groups_differ_by_fewer_than_k(org, size, k, dims, crossed):
    n_regions, n_units, seed = org
    rng = np.random.default_rng(seed)
    regions = [f"总部/区{r}" for r in range(n_regions)]
    records = []
    for _ in range(size):
        region = regions[rng.integers(len(regions))]
        records.append(
            (
                rng.choice(["employee", "manager", "executive", "digital_admin"], p=[0.7, 0.2, 0.03, 0.07]),
                rng.choice(["第一批", "第二批"], p=[0.8, 0.2]),
                "总部",
                region if rng.random() < 0.9 else f"{region}/店{rng.integers(n_units)}",
            )
        )
    segments = frame(records)
    plan = release_plan(segments, dims, k, crossed=crossed)
    sets = released_sets(segments, plan)
    assert all(len(s) >= k for s in sets)
    assert differencing_violations(sets, k) == []


def test_statistic_across_groups_is_withheld_when_any_group_is_hidden():
    from analysis.privacy import GROUP_HIDDEN, Release, release_across_groups

    decision, blocked = release_across_groups(
        {"华东区": Release.shown(30), "华北区": Release.hidden(COMPLEMENTARY, K), "华南区": Release.shown(6)}, K
    )
    assert decision.suppressed and decision.reason == GROUP_HIDDEN and blocked == ["华北区"]


def test_statistic_across_released_groups_is_released():
    from analysis.privacy import Release, release_across_groups

    decision, blocked = release_across_groups({"华东区": Release.shown(30), "华南区": Release.shown(5)}, K)
    assert not decision.suppressed and decision.n == 35 and blocked == []
