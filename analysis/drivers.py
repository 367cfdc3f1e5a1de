"""Driver analysis (关键驱动因素): how much of an outcome's explained variance each predictor carries.

Relative importance is the Shapley decomposition of R² of the linear regression of the outcome on the
predictors — the LMG measure (Lindeman, Merenda & Gold, 1980), equal to the general dominance weights of
dominance analysis (Budescu, 1993; Azen & Budescu, 2003): a predictor's weight is its increase in R² when
it joins a subset of the others, averaged over the subsets of each size and then over the sizes. The
weights add up to the full model's R².

Exact for up to `MAX_EXACT_PREDICTORS` predictors: R² of all 2^p subsets from the correlation matrix (one
small linear solve each; 4,096 for p = 12). Beyond that the weights are estimated from `permutations`
random orders of the predictors (each order adds them one by one; a predictor's weight is its mean
increase), with an explicit `random_state`; the result says which it is (`exact`).

Pure: takes a DataFrame of per-respondent values, returns numbers. Which outcome and predictors an
instrument has is `surveys.scoring.driver_model`'s decision; which respondents may be analysed is the
release ledger's (callers pass a released group).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import factorial

import numpy as np
import pandas as pd

MAX_EXACT_PREDICTORS = 12
MIN_RESPONDENTS = 30
DEFAULT_PERMUTATIONS = 2000


@dataclass(frozen=True)
class Driver:
    """One predictor: its Shapley share of R² (`weight`, in R² units) and that share of the explained part."""

    key: str
    weight: float
    share: float


@dataclass(frozen=True)
class DriverAnalysis:
    """Drivers ranked by weight (largest first); `r_squared` is the full model's, `n` the respondents used."""

    outcome: str
    n: int
    r_squared: float
    drivers: tuple[Driver, ...]
    exact: bool = True

    @property
    def top(self) -> Driver | None:
        return self.drivers[0] if self.drivers else None


class DriverError(ValueError):
    """The data cannot support the analysis; `reason` is `too_few` (complete respondents) or `no_variance`."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def subset_r_squared(correlations: np.ndarray) -> np.ndarray:
    """R² of every subset of predictors, indexed by bit mask (bit j = predictor j), from the correlation
    matrix whose row and column 0 are the outcome. Singular subsets use the pseudo-inverse."""
    r_xy = correlations[0, 1:]
    r_xx = correlations[1:, 1:]
    p = len(r_xy)
    r_squared = np.zeros(2**p)
    for mask in range(1, 2**p):
        members = [j for j in range(p) if mask >> j & 1]
        r = r_xy[members]
        block = r_xx[np.ix_(members, members)]
        try:
            beta = np.linalg.solve(block, r)
        except np.linalg.LinAlgError:
            beta = np.linalg.pinv(block) @ r
        r_squared[mask] = float(r @ beta)
    return np.clip(r_squared, 0.0, 1.0)


def shapley_weights(r_squared: np.ndarray, p: int) -> np.ndarray:
    """Each predictor's Shapley value of R² over the subset R² array of `subset_r_squared`."""
    sizes = np.array([bin(mask).count("1") for mask in range(2**p)])
    coefficient = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)])
    weights = np.zeros(p)
    masks = np.arange(2**p)
    for j in range(p):
        without = masks[(masks >> j & 1) == 0]
        gains = r_squared[without | (1 << j)] - r_squared[without]
        weights[j] = float((coefficient[sizes[without]] * gains).sum())
    return weights


def permutation_weights(
    correlations: np.ndarray, permutations: int, random_state: int | None
) -> np.ndarray:  # estimate beyond MAX_EXACT_PREDICTORS
    p = correlations.shape[0] - 1
    rng = np.random.default_rng(random_state)
    cache: dict[int, float] = {0: 0.0}

    def r2(mask: int) -> float:
        if mask not in cache:
            members = [j for j in range(p) if mask >> j & 1]
            r = correlations[0, 1:][members]
            block = correlations[1:, 1:][np.ix_(members, members)]
            cache[mask] = float(np.clip(r @ (np.linalg.pinv(block) @ r), 0.0, 1.0))
        return cache[mask]

    weights = np.zeros(p)
    for _ in range(permutations):
        mask, before = 0, 0.0
        for j in rng.permutation(p):
            mask |= 1 << int(j)
            after = r2(mask)
            weights[j] += after - before
            before = after
    return weights / permutations


def relative_importance(
    frame: pd.DataFrame,
    outcome: str,
    predictors: Sequence[str],
    *,
    min_respondents: int = MIN_RESPONDENTS,
    max_exact: int = MAX_EXACT_PREDICTORS,
    permutations: int = DEFAULT_PERMUTATIONS,
    random_state: int | None = 0,
) -> DriverAnalysis:
    """Shapley decomposition of R² of `outcome` on `predictors`, over the rows where all of them are known.

    Raises DriverError when fewer than `min_respondents` rows are complete or the outcome does not vary."""
    predictors = list(predictors)
    data = frame[[outcome, *predictors]].astype("float64").dropna()
    n = len(data)
    if n < min_respondents:
        raise DriverError("too_few", f"complete respondents {n} < {min_respondents}")
    values = data.to_numpy()
    spread = values.std(axis=0)
    if spread[0] == 0:
        raise DriverError("no_variance", "the outcome has the same value for everyone")
    with np.errstate(invalid="ignore", divide="ignore"):
        correlations = np.corrcoef(values, rowvar=False)
    constant = np.flatnonzero(spread == 0)
    correlations[constant, :] = 0.0  # a constant predictor explains nothing (corrcoef gives NaN)
    correlations[:, constant] = 0.0
    correlations[constant, constant] = 1.0
    p = len(predictors)
    exact = p <= max_exact
    if exact:
        weights = shapley_weights(subset_r_squared(correlations), p)
    else:
        weights = permutation_weights(correlations, permutations, random_state)
    total = float(weights.sum())
    drivers = tuple(
        sorted(
            (Driver(key, float(w), float(w / total) if total > 0 else 0.0) for key, w in zip(predictors, weights)),
            key=lambda d: -d.weight,
        )
    )
    return DriverAnalysis(outcome=outcome, n=n, r_squared=total, drivers=drivers, exact=exact)
