"""What of a theme may be shown, from its respondents and the run's k_text."""

from dataclasses import astuple

import pytest

from analysis.text.release import release_breakdown, theme_release


@pytest.mark.parametrize("respondents", [0, 1, 8, 9])
def test_a_theme_below_k_text_shows_nothing_of_itself(respondents):
    assert not any(astuple(theme_release(respondents, 10)))


@pytest.mark.parametrize("respondents", [10, 11, 500])
def test_a_theme_of_at_least_k_text_shows_everything(respondents):
    assert all(astuple(theme_release(respondents, 10)))


def test_breakdown_cells_need_k_text_respondents_each_and_come_sorted():
    cells = {"门店": 12, "总部": 10, "仓库": 9, "财务": 1}
    assert list(release_breakdown(cells, 10).items()) == [("总部", 10), ("门店", 12)]


def test_without_a_threshold_no_breakdown_cell_is_shown():
    assert release_breakdown({"门店": 500}, None) == {}
