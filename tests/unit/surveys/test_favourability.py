"""Favourability of answers and the driver model an instrument implies (surveys.scoring)."""

import pandas as pd

from surveys import load_builtin
from surveys.scoring import FAVOURABLE, NEUTRAL, UNFAVOURABLE, driver_frame, driver_model, favourability_frame


def test_rating_items_are_favourable_above_the_midpoint():
    satisfaction = load_builtin("quarterly-satisfaction")
    wide = pd.DataFrame({"mod_approval": [5, 4, 3, 2, 1, None]})
    classes = favourability_frame(satisfaction, wide)["mod_approval"]
    assert classes.iloc[:5].tolist() == [FAVOURABLE, FAVOURABLE, NEUTRAL, UNFAVOURABLE, UNFAVOURABLE]
    assert pd.isna(classes.iloc[5])


def test_sus_even_items_count_agreement_as_unfavourable():
    satisfaction = load_builtin("quarterly-satisfaction")
    classes = favourability_frame(satisfaction, pd.DataFrame({"sus1": [5], "sus2": [5]}))
    assert classes.loc[0, "sus1"] == FAVOURABLE and classes.loc[0, "sus2"] == UNFAVOURABLE


def test_agreeing_with_a_resistance_item_is_unfavourable():
    readiness = load_builtin("change-readiness")
    classes = favourability_frame(readiness, pd.DataFrame({"routine_seeking1": [5, 1], "awareness1": [5, 1]}))
    assert classes["routine_seeking1"].tolist() == [UNFAVOURABLE, FAVOURABLE]
    assert classes["awareness1"].tolist() == [FAVOURABLE, UNFAVOURABLE]


def test_recommendation_rating_splits_into_promoters_passives_and_detractors():
    satisfaction = load_builtin("quarterly-satisfaction")
    classes = favourability_frame(satisfaction, pd.DataFrame({"enps": [10, 9, 8, 7, 6, 0]}))["enps"]
    assert classes.tolist() == [FAVOURABLE, FAVOURABLE, NEUTRAL, NEUTRAL, UNFAVOURABLE, UNFAVOURABLE]


def test_satisfaction_drivers_are_the_instruments_modules_for_the_recommendation_rating():
    model = driver_model(load_builtin("quarterly-satisfaction"))
    assert model.outcome == "nps" and model.outcome_key == "enps"
    assert model.predictors == (
        "module_attendance",
        "module_approval",
        "module_log",
        "module_drive",
        "module_message",
        "module_training",
    )


def test_readiness_drivers_are_the_resistance_dimensions_for_the_adkar_mean():
    readiness = load_builtin("change-readiness")
    model = driver_model(readiness)
    assert model.outcome == "readiness"
    assert all(code.startswith("resist_") for code in model.predictors) and len(model.predictors) == 4
    scores = pd.DataFrame(
        {**{f"adkar_{e}": [2.0, 4.0] for e in ("awareness", "desire")}, **{c: [3.0, 1.0] for c in model.predictors}}
    )
    assert driver_frame(model, scores)["readiness"].tolist() == [2.0, 4.0]
