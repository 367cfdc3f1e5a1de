"""What a page says about a hidden group, and the rule for statistics across groups.

The release decisions themselves are the ledger's: tests/unit/analysis/test_disclosure.py and test_release.py."""

from analysis.privacy import (
    BELOW_K,
    COMPLEMENTARY,
    DIFFERENCING,
    GROUP_HIDDEN,
    STALE,
    Release,
    release_across_groups,
    suppression_message,
)

K = 5


def test_a_hidden_group_says_why_in_chinese_and_english():
    assert suppression_message(BELOW_K, K) == "不足 5 人"
    assert suppression_message(DIFFERENCING, K) == "为防止推算而隐藏"
    assert "last released" in suppression_message(STALE, K, "en")


def test_statistic_across_groups_is_withheld_when_any_group_is_hidden():
    decision, blocked = release_across_groups(
        {"华东区": Release.shown(30), "华北区": Release.hidden(COMPLEMENTARY, K), "华南区": Release.shown(6)}, K
    )
    assert decision.suppressed and decision.reason == GROUP_HIDDEN and blocked == ["华北区"]


def test_statistic_across_released_groups_is_released():
    decision, blocked = release_across_groups({"华东区": Release.shown(30), "华南区": Release.shown(5)}, K)
    assert not decision.suppressed and decision.n == 35 and blocked == []
