"""The release ledger against the attacks it exists for, and against a brute-force auditor."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.disclosure import BELOW_K, DIFFERENCING, FiguresLedger, RecordsLedger, ReleaseLedger


def cells_of(counts, where):
    return {cell for cell in counts if all(cell[index] == value for index, value in where.items())}


def test_a_group_below_k_is_refused():
    ledger = FiguresLedger({"a": 3, "b": 4}, k=5)
    verdict = ledger.offer({"a"})
    assert not verdict and verdict.reason == BELOW_K and verdict.n == 3


def test_parent_minus_released_children_exposes_the_hidden_child():
    counts = {"甲": 9, "乙": 10, "丙": 2}
    ledger = FiguresLedger(counts, k=5)
    assert ledger.offer({"甲", "乙", "丙"})
    assert ledger.offer({"乙"})
    verdict = ledger.offer({"甲"})
    assert not verdict and verdict.reason == DIFFERENCING and verdict.exposed == {"丙"}


def test_hidden_cells_of_two_parents_do_not_cover_each_other():
    """Break 1: 丙 (2) hidden under 集团A and 丁 (3) hidden under 集团B; the grand total is released too."""
    counts = {"A/甲": 9, "A/乙": 10, "A/丙": 2, "B/丁": 3, "B/戊": 12}
    ledger = FiguresLedger(counts, k=5)
    assert ledger.offer(set(counts))
    assert ledger.offer({"A/甲", "A/乙", "A/丙"})
    assert ledger.offer({"B/丁", "B/戊"})
    assert ledger.offer({"A/乙"})
    refused = ledger.offer({"A/甲"})
    assert not refused and refused.exposed == {"A/丙"}
    assert not ledger.offer({"B/戊"})


def test_one_more_answer_is_not_released_until_the_group_has_grown_by_k():
    counts = {("g", 1): 10, ("g", 2): 1, ("g", 3): 5}
    ledger = FiguresLedger(counts, k=5)
    assert ledger.offer({("g", 1)})
    assert not ledger.offer({("g", 1), ("g", 2)})
    assert ledger.offer({("g", 1), ("g", 2), ("g", 3)})


def test_a_group_already_determined_by_earlier_releases_may_be_shown():
    ledger = FiguresLedger({"a": 6, "b": 7}, k=5)
    assert ledger.offer({"a", "b"}) and ledger.offer({"a"})
    assert ledger.determines({"b"})
    assert ledger.offer({"b"})


def test_respondents_without_a_role_are_exposed_by_the_sum_of_the_roles():
    """Overall minus every role = the respondents whose role is not stored."""
    counts = {("employee",): 20, ("manager",): 8, (None,): 2}
    ledger = FiguresLedger(counts, k=5)
    assert ledger.offer(set(counts))
    assert ledger.offer({("employee",)})
    assert not ledger.offer({("manager",)})


def test_crossed_sums_expose_a_small_cell_four_cells_away():
    """Rows and columns of a 2×2 table plus the total determine nothing; adding one cell determines all."""
    counts = {("r1", "c1"): 3, ("r1", "c2"): 8, ("r2", "c1"): 9, ("r2", "c2"): 7}
    ledger = FiguresLedger(counts, k=5)
    for where in ({}, {0: "r1"}, {0: "r2"}, {1: "c1"}):
        assert ledger.offer(cells_of(counts, where))
    assert not ledger.offer({("r2", "c2")})


def test_comment_lists_of_a_role_and_a_department_may_not_intersect_in_a_small_group():
    """Texts can be matched between lists, so the intersection of two lists is exposed."""
    counts = {("甲", "executive"): 1, ("甲", "employee"): 14, ("乙", "executive"): 11, ("乙", "employee"): 12}
    ledger = RecordsLedger(counts, k=10)
    ledger.record(cells_of(counts, {0: "甲"}))
    verdict = ledger.check(cells_of(counts, {1: "executive"}))
    assert not verdict and verdict.exposed == {("甲", "executive")}
    figures = FiguresLedger(counts, k=5)
    figures.record(cells_of(counts, {0: "甲"}))
    assert figures.check(cells_of(counts, {1: "executive"})), "a linear attacker cannot intersect"


def test_a_record_release_also_counts_as_a_figures_release():
    counts = {"a": 12, "b": 3}
    ledger = ReleaseLedger(counts, k=5, k_text=10)
    assert ledger.offer({"a"}, records=True)
    verdict = ledger.check({"a", "b"}, records=False)
    assert not verdict and verdict.exposed == {"b"}


def test_plan_hides_the_smallest_cells_and_says_why():
    counts = {"甲": 9, "乙": 10, "丙": 2}
    ledger = ReleaseLedger(counts, k=5, k_text=10)
    ledger.offer(set(counts))
    plan = ledger.plan([("甲", {"甲"}), ("乙", {"乙"}), ("丙", {"丙"})])
    assert plan["乙"] and not plan["甲"] and plan["甲"].reason == DIFFERENCING
    assert plan["丙"].reason == BELOW_K


def test_a_group_of_four_singletons_determined_only_together_is_found():
    counts = {"a": 1, "b": 1, "c": 1, "d": 1, "X": 10, "Y": 10, "Z": 10, "W": 10}
    ledger = FiguresLedger(counts, k=5)
    for pair in ({"a", "X"}, {"b", "Y"}, {"c", "Z"}, {"d", "W"}):
        assert ledger.offer(pair)
    verdict = ledger.offer({"X", "Y", "Z", "W"})
    assert not verdict and verdict.exposed == {"a", "b", "c", "d"}


def test_a_group_of_three_determined_only_together_is_found():
    counts = {"a": 1, "b": 2, "c": 1, "X": 10, "Y": 10, "Z": 10}
    ledger = FiguresLedger(counts, k=5)
    for pair in ({"a", "X"}, {"b", "Y"}, {"c", "Z"}):
        assert ledger.offer(pair)
    verdict = ledger.offer({"X", "Y", "Z"})
    assert not verdict and verdict.exposed == {"a", "b", "c"}


def test_larger_k_searches_five_cell_groups():
    counts = {f"c{i}": 1 for i in range(6)} | {"big": 20}
    ledger = FiguresLedger(counts, k=8)
    assert ledger.offer(set(counts))
    assert not ledger.offer({"big"})


# -- against a brute-force auditor -------------------------------------------------------------------------


def exposed_groups(released, counts, k):
    """Every union of respondents' classes holding 1..k−1 respondents that the released sets determine,
    by float rank over cells: an independent, slow auditor."""
    cells = sorted(c for c in counts if counts[c] > 0)
    if not released:
        return []
    index = {c: i for i, c in enumerate(cells)}
    matrix = np.zeros((len(released), len(cells)))
    for row, group in enumerate(released):
        for cell in group:
            if cell in index:
                matrix[row, index[cell]] = 1
    rank = np.linalg.matrix_rank(matrix)
    small = [c for c in cells if counts[c] < k]
    found = []
    for size in range(1, k):
        for subset in itertools.combinations(small, size):
            if sum(counts[c] for c in subset) >= k:
                continue
            vector = np.zeros(len(cells))
            vector[[index[c] for c in subset]] = 1
            if np.linalg.matrix_rank(np.vstack([matrix, vector])) == rank:
                found.append(subset)
    return found


@st.composite
def release_sequences(draw):
    n_cells = draw(st.integers(2, 8))
    counts = {f"c{i}": draw(st.sampled_from([1, 1, 1, 2, 3, 6, 10])) for i in range(n_cells)}
    names = sorted(counts)
    groups = draw(
        st.lists(
            st.sets(st.sampled_from(names), min_size=1, max_size=draw(st.sampled_from([2, 3, n_cells]))),
            min_size=1,
            max_size=12,
        )
    )
    return counts, groups


@settings(max_examples=400, deadline=None)
@given(release_sequences())
def test_no_sequence_of_offers_leaves_a_small_group_determined(case):
    counts, groups = case
    ledger = FiguresLedger(counts, k=5)
    accepted = []
    for group in groups:
        before = exposed_groups(accepted + [group], counts, 5)
        verdict = ledger.offer(group)
        if verdict:
            accepted.append(group)
            assert exposed_groups(accepted, counts, 5) == []
        else:
            assert before, f"refused {group} although nothing small would be determined"
