"""The measured effect of an implemented change, on hand-made quarters."""

import json
import random

from analysis.effect import (
    ABSENT,
    INSUFFICIENT,
    MEASURED,
    NOT_YET,
    QuarterFigures,
    measure_effect,
)

K, K_TEXT = 5, 10
LINEAGE = {"lineage-wifi": "打卡定位不准"}


def ratings(centre: float, n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [float(min(5, max(1, round(rng.gauss(centre, 0.8))))) for _ in range(n)]


def classes(values: list[float]) -> list[float]:
    """Favourability of 1–5 answers: above the midpoint favourable, on it neutral, below unfavourable."""
    return [1.0 if v > 3 else 0.0 if v == 3 else -1.0 for v in values]


def quarter(name: str, module_centre: float = 3.0, n: int = 80, seed: int = 1, **overrides) -> QuarterFigures:
    values = ratings(module_centre, n, seed)
    fields = dict(
        quarter=name,
        respondents=n,
        module=values,
        favourability=classes(values),
        nps=[float(random.Random(seed + i).randint(0, 10)) for i in range(n)],
        theme_run=True,
        theme_base=n,
        themes={"lineage-wifi": 40},
        k_text=K_TEXT,
    )
    return QuarterFigures(**{**fields, **overrides})


def measure(before, after, module="attendance"):
    return measure_effect(before, after, module=module, lineages=LINEAGE, k=K, k_text=K_TEXT)


def test_a_theme_that_shrank_shows_its_people_before_and_after_and_their_share():
    effect = measure(quarter("2026Q3", themes={"lineage-wifi": 40}), quarter("2026Q4", themes={"lineage-wifi": 12}))
    (theme,) = effect.themes
    assert effect.status == MEASURED and (effect.before_quarter, effect.after_quarter) == ("2026Q3", "2026Q4")
    assert theme.label == "打卡定位不准"
    assert (theme.change.status, theme.change.before, theme.change.after) == (MEASURED, 40, 12)
    assert (theme.change.before_share, theme.change.after_share, theme.change.difference) == (0.5, 0.15, -28)


def test_a_module_that_rose_is_marked_significant_by_mann_whitney_u():
    effect = measure(quarter("2026Q3", module_centre=2.6, seed=3), quarter("2026Q4", module_centre=3.8, seed=4))
    mean = effect.module_mean
    assert mean.status == MEASURED and mean.after > mean.before
    assert mean.after_share > mean.before_share
    assert mean.significant and mean.p_value < 0.05
    assert (mean.n_before, mean.n_after) == (80, 80)
    assert mean.difference == round(mean.after - mean.before, 2)


def test_a_module_that_barely_moved_is_not_marked():
    effect = measure(quarter("2026Q3", module_centre=3.0, seed=5), quarter("2026Q4", module_centre=3.05, seed=6))
    assert effect.module_mean.status == MEASURED and not effect.module_mean.significant


def test_a_group_below_k_says_insufficient_whatever_it_holds():
    small = quarter("2026Q4", module_centre=4.5, n=3, seed=7)
    effect = measure(quarter("2026Q3"), small)
    assert effect.module_mean.status == INSUFFICIENT
    assert effect.module_mean.before is None and effect.module_mean.after is None


def test_a_group_whose_figures_were_not_released_says_insufficient():
    hidden = quarter("2026Q4", respondents=None)
    assert measure(quarter("2026Q3"), hidden).module_mean.status == INSUFFICIENT


def test_a_theme_below_k_text_after_the_change_says_insufficient_and_shows_no_count():
    effect = measure(quarter("2026Q3"), quarter("2026Q4", themes={"lineage-wifi": 7}))
    change = effect.themes[0].change
    assert change.status == INSUFFICIENT and change.after is None


def test_a_theme_below_k_text_before_the_change_says_insufficient():
    effect = measure(quarter("2026Q3", themes={"lineage-wifi": 9}), quarter("2026Q4", themes={"lineage-wifi": 30}))
    assert effect.themes[0].change.status == INSUFFICIENT and effect.themes[0].change.before is None


def test_a_run_s_own_higher_text_threshold_counts():
    effect = measure(quarter("2026Q3"), quarter("2026Q4", themes={"lineage-wifi": 12}, k_text=15))
    assert effect.themes[0].change.status == INSUFFICIENT


def test_a_theme_that_no_longer_forms_is_absent_after_the_change():
    effect = measure(quarter("2026Q3"), quarter("2026Q4", themes={}))
    change = effect.themes[0].change
    assert (change.status, change.before, change.after) == (ABSENT, 40, None)


def test_without_the_next_quarter_it_is_not_in_yet():
    effect = measure(quarter("2026Q3"), None)
    assert effect.status == NOT_YET and effect.after_quarter == "2026Q4"


def test_without_a_theme_run_in_the_next_quarter_the_theme_is_not_in_yet():
    effect = measure(quarter("2026Q3"), quarter("2026Q4", theme_run=False, themes={}))
    assert effect.themes[0].change.status == NOT_YET and effect.module_mean.status == MEASURED


def test_without_a_quarter_before_the_change_nothing_can_be_compared():
    assert measure(None, quarter("2026Q4")).status == INSUFFICIENT


def test_enps_is_shown_only_where_the_module_is_the_top_driver():
    promoters = [10.0] * 40 + [9.0] * 20 + [5.0] * 20
    detractors = [3.0] * 40 + [8.0] * 20 + [9.0] * 20
    before = quarter("2026Q3", nps=detractors, top_driver="attendance")
    effect = measure(before, quarter("2026Q4", nps=promoters))
    assert effect.enps.status == MEASURED and effect.enps.before == -25.0 and effect.enps.after == 50.0
    assert effect.enps.significant and effect.enps.difference == 75.0
    elsewhere = measure(quarter("2026Q3", nps=detractors, top_driver="approval"), quarter("2026Q4", nps=promoters))
    assert elsewhere.enps is None


def test_a_change_linked_to_nothing_measured_is_insufficient():
    effect = measure_effect(quarter("2026Q3"), quarter("2026Q4"), module=None, lineages={}, k=K, k_text=K_TEXT)
    assert effect.status == INSUFFICIENT and effect.module_mean is None and effect.themes == ()


def test_the_effect_is_plain_data_a_report_can_freeze():
    effect = measure(quarter("2026Q3"), quarter("2026Q4", themes={"lineage-wifi": 12}))
    data = json.loads(json.dumps(effect.to_dict()))
    assert data["themes"][0]["change"]["after"] == 12 and data["module_mean"]["status"] == MEASURED
