"""When a theme of this quarter counts as emerging: new with k_text respondents, or grown by half."""

from analysis.text.recurrence import emerging


def test_a_theme_new_this_quarter_with_k_text_respondents_is_new():
    assert emerging(10, None, k_text=10) == "new"


def test_a_new_theme_below_k_text_is_not_emerging():
    assert emerging(9, None, k_text=10) is None


def test_a_theme_grown_by_half_against_last_quarter_is_growing():
    assert emerging(18, 12, k_text=10) == "growing"


def test_a_theme_grown_by_less_than_half_or_shrunk_is_not_emerging():
    assert emerging(17, 12, k_text=10) is None
    assert emerging(11, 30, k_text=10) is None


def test_a_grown_theme_below_k_text_is_not_emerging():
    assert emerging(9, 4, k_text=10) is None
