"""Driver analysis: Shapley decomposition of R² against a hand-computed example and an independent
implementation (the `dominance-analysis` package, a test-only dependency)."""

import importlib
import sys
import types

import numpy as np
import pandas as pd
import pytest

from analysis.drivers import DriverError, relative_importance

PLOTTING_MODULES = (
    "bokeh",
    "bokeh.plotting",
    "bokeh.io",
    "bokeh.models",
    "bokeh.models.formatters",
    "plotly",
    "plotly.offline",
    "cufflinks",
)


@pytest.fixture
def dominance_package(monkeypatch):
    """The package's `Dominance` class. Its module sets up notebook plotting when imported (bokeh 2.4 and
    plotly's notebook mode, which cannot load next to numpy 2 outside a notebook); the computation does not
    use them, so the plotting modules are inert stand-ins for this import only."""

    def inert(name):
        module = types.ModuleType(name)
        module.__getattr__ = lambda attribute: lambda *args, **kwargs: None
        return module

    for name in PLOTTING_MODULES:
        monkeypatch.setitem(sys.modules, name, inert(name))
    monkeypatch.delitem(sys.modules, "dominance_analysis", raising=False)
    monkeypatch.delitem(sys.modules, "dominance_analysis.dominance", raising=False)
    return importlib.import_module("dominance_analysis.dominance").Dominance


def exact_correlation_sample(correlation: np.ndarray) -> pd.DataFrame:
    """Four rows whose sample correlation matrix is exactly `correlation` (orthonormal centred columns
    times the Cholesky factor)."""
    orthogonal = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
    data = orthogonal @ np.linalg.cholesky(correlation).T
    return pd.DataFrame(data, columns=["y", "x1", "x2"])


def test_two_predictors_match_the_hand_computed_shapley_values():
    # r(y,x1) = .6, r(y,x2) = .5, r(x1,x2) = .5:
    # R²(x1) = .36, R²(x2) = .25, R²(x1,x2) = (.36 + .25 − 2·.6·.5·.5) / (1 − .25) = .31 / .75 = 0.41333…
    # x1: (.36 + (.413333 − .25)) / 2 = 0.261667; x2: (.25 + (.413333 − .36)) / 2 = 0.151667
    frame = exact_correlation_sample(np.array([[1, 0.6, 0.5], [0.6, 1, 0.5], [0.5, 0.5, 1]]))
    result = relative_importance(frame, "y", ["x1", "x2"], min_respondents=4)
    weights = {d.key: d.weight for d in result.drivers}
    assert weights["x1"] == pytest.approx((0.36 + 0.31 / 0.75 - 0.25) / 2, abs=1e-12)
    assert weights["x2"] == pytest.approx((0.25 + 0.31 / 0.75 - 0.36) / 2, abs=1e-12)
    assert result.r_squared == pytest.approx(0.31 / 0.75, abs=1e-12)
    assert [d.key for d in result.drivers] == ["x1", "x2"]
    assert result.drivers[0].share == pytest.approx(0.261667 / 0.413333, abs=1e-5)


def survey_like(n: int, p: int, seed: int) -> pd.DataFrame:
    """Correlated 1–5 ratings and a 0–10 outcome driven unevenly by them."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    latent = 0.6 * common + rng.normal(size=(n, p))
    ratings = np.clip(np.round(3 + latent), 1, 5)
    effects = np.linspace(1.5, 0.1, p)
    outcome = np.clip(np.round(5 + ratings @ effects / p * 2 + rng.normal(scale=1.5, size=n) - 6), 0, 10)
    frame = pd.DataFrame(ratings, columns=[f"m{j}" for j in range(p)])
    frame["y"] = outcome
    return frame


def test_weights_agree_with_the_dominance_analysis_package(dominance_package):
    frame = survey_like(400, 6, seed=3)
    predictors = [f"m{j}" for j in range(6)]
    ours = relative_importance(frame, "y", predictors)
    theirs = dominance_package(data=frame[[*predictors, "y"]].copy(), target="y", objective=1, top_k=6)
    reference = theirs.incremental_rsquare()
    assert set(reference) == set(predictors)
    for driver in ours.drivers:
        assert driver.weight == pytest.approx(reference[driver.key], abs=1e-6)
        assert driver.share == pytest.approx(theirs.percentage_incremental_r2[driver.key], abs=1e-6)


def test_weights_add_up_to_the_full_models_r_squared():
    frame = survey_like(300, 5, seed=5)
    predictors = [f"m{j}" for j in range(5)]
    result = relative_importance(frame, "y", predictors)
    x = np.column_stack([np.ones(len(frame)), frame[predictors].to_numpy()])
    y = frame["y"].to_numpy()
    fitted = x @ np.linalg.lstsq(x, y, rcond=None)[0]
    full = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert sum(d.weight for d in result.drivers) == pytest.approx(full, abs=1e-9)
    assert sum(d.share for d in result.drivers) == pytest.approx(1.0, abs=1e-12)


def test_drivers_are_ranked_largest_first():
    result = relative_importance(survey_like(500, 4, seed=1), "y", ["m0", "m1", "m2", "m3"])
    weights = [d.weight for d in result.drivers]
    assert weights == sorted(weights, reverse=True)
    assert result.top.key == "m0"  # the strongest effect in survey_like


def test_beyond_the_exact_limit_the_permutation_estimate_is_close_and_says_so():
    frame = survey_like(400, 6, seed=7)
    predictors = [f"m{j}" for j in range(6)]
    exact = {d.key: d.weight for d in relative_importance(frame, "y", predictors).drivers}
    estimate = relative_importance(frame, "y", predictors, max_exact=4, permutations=3000, random_state=1)
    assert not estimate.exact
    for driver in estimate.drivers:
        assert driver.weight == pytest.approx(exact[driver.key], abs=0.01)


def test_incomplete_respondents_are_left_out_and_too_few_refused():
    frame = survey_like(40, 3, seed=2)
    frame.loc[frame.index[:15], "m1"] = np.nan
    with pytest.raises(DriverError) as refused:
        relative_importance(frame, "y", ["m0", "m1", "m2"])
    assert refused.value.reason == "too_few"
    assert relative_importance(frame, "y", ["m0", "m1", "m2"], min_respondents=25).n == 25


def test_a_constant_outcome_is_refused():
    frame = survey_like(60, 3, seed=4)
    frame["y"] = 7
    with pytest.raises(DriverError) as refused:
        relative_importance(frame, "y", ["m0", "m1", "m2"])
    assert refused.value.reason == "no_variance"


def test_a_constant_predictor_gets_no_weight():
    frame = survey_like(200, 3, seed=6)
    frame["m2"] = 4
    result = relative_importance(frame, "y", ["m0", "m1", "m2"])
    assert {d.key: d.weight for d in result.drivers}["m2"] == 0
