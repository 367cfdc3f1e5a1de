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


def test_one_hidden_cell_is_not_left_to_subtraction_from_the_themes_total():
    # The theme's respondents are shown (24): with 门店 12 and 总部 10 shown, 仓库's 2 would be 24 − 12 − 10.
    cells = {"门店": 12, "总部": 10, "仓库": 2}
    assert release_breakdown(cells, 10) == {"门店": 12}


def test_hidden_cells_that_together_reach_k_text_leave_the_shown_ones_alone():
    cells = {"门店": 12, "总部": 10, "仓库": 6, "财务": 5}
    assert release_breakdown(cells, 10) == {"总部": 10, "门店": 12}
