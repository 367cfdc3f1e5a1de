"""Scores against hand-computed values; the vectorised frame agrees with the per-response scorer."""

import math

import numpy as np
import pandas as pd
import pingouin
import pytest

from surveys import (
    barrier_distribution,
    barrier_point,
    cronbach_alpha,
    enps,
    load_builtin,
    score_frame,
    score_response,
    sus_score,
)
from surveys.scoring import (
    barrier_key,
    flat_scores,
    nest_scores,
    readiness_index,
    resistance_index,
    score_columns,
    score_scales,
)


def test_sus_all_threes_is_fifty():
    assert sus_score([3] * 10) == 50.0


def test_sus_best_answers_score_one_hundred():
    assert sus_score([5, 1] * 5) == 100.0


def test_sus_worst_answers_score_zero():
    assert sus_score([1, 5] * 5) == 0.0


def test_sus_mixed_case_by_hand():
    # odd items 4,5,3,4,2 → 3+4+2+3+1 = 13; even items 2,1,3,2,4 → 3+4+2+3+1 = 13; (13+13) × 2.5 = 65
    assert sus_score([4, 2, 5, 1, 3, 3, 4, 2, 2, 4]) == 65.0


def test_sus_needs_all_ten_items():
    assert math.isnan(sus_score([3] * 9 + [None]))


@pytest.mark.parametrize(
    "ratings,expected",
    [
        ([9, 10], 100.0),
        ([7, 8], 0.0),
        ([6, 0], -100.0),
        ([6, 7, 8, 9], 0.0),  # one detractor (6), two passives (7, 8), one promoter (9)
        ([9, 9, 9, 6], 50.0),  # 75 % − 25 %
        ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (2 / 11 - 7 / 11) * 100),
    ],
)
def test_enps_boundaries(ratings, expected):
    assert enps(ratings) == pytest.approx(expected)


def test_enps_of_no_ratings_is_nan():
    assert math.isnan(enps([]))


def test_barrier_point_is_first_element_at_or_below_three():
    order = ["adkar_awareness", "adkar_desire", "adkar_knowledge", "adkar_ability", "adkar_reinforcement"]
    scores = {
        "adkar_awareness": 4.5,
        "adkar_desire": 3.0,
        "adkar_knowledge": 2.0,
        "adkar_ability": 4,
        "adkar_reinforcement": 1,
    }
    assert barrier_point(scores, order) == "desire"


def test_no_barrier_point_when_every_element_is_above_three():
    order = ["adkar_awareness", "adkar_desire"]
    assert barrier_point({"adkar_awareness": 3.5, "adkar_desire": 5}, order) is None


def test_unanswered_element_is_not_a_barrier():
    order = ["adkar_awareness", "adkar_desire"]
    assert barrier_point({"adkar_awareness": math.nan, "adkar_desire": 2.5}, order) == "desire"


def test_readiness_response_scores_element_and_dimension_means():
    instrument = load_builtin("change-readiness")
    answers = {q.code: 4 for q in instrument.questions if q.type == "likert5"}
    answers.update(knowledge1=2, knowledge2=3, routine_seeking1=5, routine_seeking2=2)
    scores = score_response(instrument, answers)
    assert scores["adkar_knowledge"] == 2.5
    assert scores["adkar_awareness"] == 4.0
    assert scores["resist_routine_seeking"] == 3.5
    assert scores["barrier_point"] == "knowledge"


def test_reverse_keyed_items_are_reversed_in_means():
    from surveys import from_dict

    instrument = from_dict(
        {
            "name": "t",
            "title": {"zh": "测", "en": "t"},
            "questions": [
                {"code": "a", "type": "likert5", "text": {"zh": "甲", "en": "a"}},
                {"code": "b", "type": "likert7", "text": {"zh": "乙", "en": "b"}},
                {"code": "c", "type": "likert5", "text": {"zh": "丙", "en": "c"}},
            ],
            "scales": [
                {
                    "code": "module_s",
                    "scoring": "mean",
                    "title": {"zh": "量", "en": "s"},
                    "items": ["a", "c"],
                    "reverse": ["c"],
                }
            ],
        }
    )
    assert score_response(instrument, {"a": 5, "c": 1})["module_s"] == 5.0
    assert score_response(instrument, {"a": 2, "c": 5})["module_s"] == 1.5


def test_satisfaction_response_scores():
    instrument = load_builtin("quarterly-satisfaction")
    answers = {f"sus{i}": v for i, v in enumerate([4, 2, 5, 1, 3, 3, 4, 2, 2, 4], start=1)}
    answers.update(enps=8, mod_attendance=2, mod_approval=1)
    scores = score_response(instrument, answers)
    assert scores["sus"] == 65.0 and scores["nps"] == 8.0
    assert scores["module_attendance"] == 2.0 and scores["module_approval"] == 1.0
    assert math.isnan(scores["module_log"])
    assert "barrier_point" not in scores


@pytest.mark.parametrize("name", ["quarterly-satisfaction", "change-readiness"])
def test_score_frame_matches_score_response_row_by_row(name):
    instrument = load_builtin(name)
    rng = np.random.default_rng(7)
    rows = []
    for _ in range(200):
        row = {}
        for q in instrument.questions:
            if q.value_range and rng.random() > 0.1:
                low, high = q.value_range
                row[q.code] = float(rng.integers(low, high + 1))
        rows.append(row)
    wide = pd.DataFrame(rows, columns=[q.code for q in instrument.questions if q.value_range])
    frame = score_frame(instrument, wide)
    for index, row in enumerate(rows):
        expected = score_response(instrument, row)
        for key, value in expected.items():
            got = frame.iloc[index][key]
            if isinstance(value, float) and math.isnan(value):
                assert pd.isna(got), (index, key)
            else:
                assert got == value, (index, key, got, value)


def test_barrier_distribution_counts_in_adkar_order():
    counts = barrier_distribution(["desire", None, "desire", "ability"])
    assert counts == {"awareness": 0, "desire": 2, "knowledge": 0, "ability": 1, "reinforcement": 0, "none": 1}


@pytest.mark.parametrize("dataset", ["cronbach_alpha", "cronbach_wide_missing"])
def test_cronbach_alpha_matches_pingouin(dataset):
    data = pingouin.read_dataset(dataset)
    wide = data.pivot(index="Subj", columns="Items", values="Scores") if "Subj" in data.columns else data
    for policy in ("pairwise", "listwise"):
        expected, _ = pingouin.cronbach_alpha(data=wide, nan_policy=policy)
        assert abs(cronbach_alpha(wide, nan_policy=policy) - expected) < 1e-9


def test_cronbach_alpha_of_perfectly_consistent_items_is_one():
    wide = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5], "c": [1, 2, 3, 4, 5]})
    assert cronbach_alpha(wide) == pytest.approx(1.0)


def test_nested_scores_hold_each_family_under_its_name():
    flat = {"sus": 70.0, "enps": -5.0, "module_approval": 3.2, "adkar_awareness": 4.1, "resist_routine_seeking": 2.5}
    assert nest_scores(flat) == {
        "sus": 70.0,
        "enps": -5.0,
        "modules": {"approval": 3.2},
        "adkar": {"awareness": 4.1},
        "resistance": {"routine_seeking": 2.5},
    }


def test_flat_scores_undo_nesting():
    flat = {"adkar_awareness": 4.1, "adkar_desire": None, "resist_short_term_focus": 3.0}
    assert flat_scores(nest_scores(flat)) == flat and flat_scores(None) == {}


def test_score_columns_are_the_scales_not_the_segments():
    columns = [
        "sus",
        "nps",
        "module_log",
        "adkar_ability",
        "resist_cognitive_rigidity",
        "role",
        "dept_2",
        "barrier_point",
    ]
    assert score_columns(columns) == ["sus", "nps", "module_log", "adkar_ability", "resist_cognitive_rigidity"]


def test_satisfaction_shows_sus_enps_and_its_modules_in_the_instrument_s_order():
    scales = score_scales(load_builtin("quarterly-satisfaction"), "zh")
    assert [s.key for s in scales][:3] == ["sus", "enps", "module_attendance"]
    assert (scales[0].label, scales[0].kind, scales[1].kind, scales[2].kind) == (
        "系统易用性 SUS",
        "sus",
        "enps",
        "mean",
    )
    assert {s.key: s.label for s in scales}["module_approval"] == "审批"


def test_readiness_has_no_sus_or_enps_and_its_resistance_is_lower_is_better():
    scales = score_scales(load_builtin("change-readiness"), "en")
    keys = [s.key for s in scales]
    assert "sus" not in keys and "enps" not in keys and len(keys) == 9
    awareness, routine = scales[0], scales[5]
    assert (awareness.key, awareness.label, awareness.kind, awareness.lower_is_better) == (
        "adkar_awareness",
        "Awareness",
        "mean",
        False,
    )
    assert (routine.key, routine.kind, routine.lower_is_better) == ("resist_routine_seeking", "resistance", True)
    assert (awareness.path, routine.path) == ("adkar.awareness", "resistance.routine_seeking")


def test_a_barrier_element_names_its_scale():
    readiness = load_builtin("change-readiness")
    assert barrier_key(readiness, "desire") == "adkar_desire"
    assert (
        barrier_key(readiness, None) is None and barrier_key(load_builtin("quarterly-satisfaction"), "desire") is None
    )


def test_readiness_index_is_the_mean_of_the_five_elements():
    scores = {"adkar_awareness": 4.0, "adkar_desire": 3.0, "adkar_knowledge": 2.0, "adkar_ability": 5.0}
    assert readiness_index({**scores, "adkar_reinforcement": 1.0, "resist_x": 5.0}) == 3.0
    assert readiness_index(scores) == 3.5 and readiness_index({}) is None and readiness_index(None) is None


def test_resistance_index_is_the_mean_of_the_resistance_dimensions():
    scores = {"resist_a": 2.0, "resist_b": 3.0, "resist_c": None, "adkar_awareness": 5.0}
    assert resistance_index(scores) == 2.5 and resistance_index({"sus": 80.0}) is None
