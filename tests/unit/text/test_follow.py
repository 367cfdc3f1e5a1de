"""Finding the theme an edited theme became in a later run: most of its comments, and terms like its own."""

from analysis.text.recurrence import follow

APPROVAL = {"审批": 1.0, "流程": 0.6, "慢": 0.3}


def test_the_theme_holding_most_of_the_comments_with_like_terms_is_followed():
    assert follow({1: 12, 2: 3}, APPROVAL, {1: {"审批": 0.9, "流程": 0.4}, 2: {"打卡": 1.0}}) == 1


def test_comments_spread_over_themes_follow_none():
    assert follow({1: 5, 2: 5, 3: 4}, APPROVAL, {1: APPROVAL, 2: APPROVAL, 3: APPROVAL}) is None


def test_a_theme_about_something_else_is_not_followed_even_with_the_comments():
    assert follow({1: 12}, APPROVAL, {1: {"打卡": 1.0, "定位": 0.5}}) is None


def test_comments_gone_to_the_catch_all_follow_none():
    assert follow({9: 12, 1: 2}, APPROVAL, {1: APPROVAL}) is None


def test_without_comments_in_the_run_nothing_is_followed():
    assert follow({}, APPROVAL, {1: APPROVAL}) is None
