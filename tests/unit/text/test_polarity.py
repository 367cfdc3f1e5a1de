"""Polarity rules, one behaviour each, on workplace comments; `explain` names the cues that decided."""

import pytest

from analysis.text.normalise import normalise
from analysis.text.polarity import explain, polarity


def cue(text: str, kind: str):
    """The first cue of `kind` in the decision on `text`."""
    return next(c for c in explain(normalise(text)).cues if c.kind == kind)


def test_polarity_keeps_its_signature_and_agrees_with_explain():
    for text in ("审批太慢了，很麻烦", "打卡很方便，好用", "今天开会"):
        assert polarity(text) == explain(text).label


def test_a_comment_without_cues_is_neutral_with_no_cues():
    decision = explain("今天下午开会")
    assert decision.label == "neutral" and decision.cues == ()


def test_negation_turns_praise_into_a_complaint_and_says_so():
    decision = explain("新版报销不太好用")
    assert decision.label == "negative"
    assert "negated:不" in cue("新版报销不太好用", "negative").modifiers


def test_a_negated_complaint_is_mild_praise():
    decision = explain("现在审批不慢了")
    assert decision.label == "positive"
    assert 0 < decision.score < 1


def test_words_that_contain_a_lexicon_word_are_not_read_as_it():
    assert polarity("打卡很方便") == "positive"  # 打卡 is not 卡 (lagging)
    assert polarity("特别好用") == "positive"  # 特别 holds 别, no negation


def test_degree_words_scale_a_complaint():
    strong, mild = cue("审批非常慢", "negative"), cue("审批有点慢", "negative")
    assert strong.weight < mild.weight < 0
    assert "degree:非常" in strong.modifiers


def test_contrast_weights_the_clause_after_but():
    assert polarity("虽然界面好看，但是审批太慢") == "negative"
    assert polarity("虽然有点慢，但是很好用") == "positive"
    assert "contrast:但是" in cue("虽然界面好看，但是审批太慢", "negative").modifiers


def test_a_mild_complaint_after_but_outweighs_the_praise_before_it():
    assert polarity("界面很好用，但是有点慢") == "negative"


@pytest.mark.parametrize("text", ["为什么每个月都要重新填一遍？", "难道就不能一次填完", "不是说好了一键报销吗"])
def test_rhetorical_questions_are_complaints(text):
    assert explain(text).label == "negative"
    assert cue(text, "question")


def test_can_you_not_is_a_request_and_a_complaint():
    assert polarity("能不能把汇报模板简化一下") == "negative"
    assert cue("能不能把汇报模板简化一下", "request").text == "能不能"


def test_hoping_for_less_or_faster_means_it_is_missing():
    assert polarity("希望少发DING消息") == "negative"
    assert polarity("希望审批流程能简单一点") == "negative"
    assert "wished:希望" in cue("希望审批流程能简单一点", "negative").modifiers


def test_hoping_it_stays_this_way_is_no_complaint():
    assert polarity("希望继续保持") != "negative"


def test_always_again_is_a_complaint():
    assert polarity("老是要重新登录") == "negative"
    assert cue("老是要重新登录", "recurring").text == "老是"


def test_always_fast_is_praise_not_recurrence():
    decision = explain("总是很快")
    assert decision.label == "positive"
    assert all(c.kind != "recurring" for c in decision.cues)


def test_waiting_is_a_complaint():
    assert polarity("报销等了两周才到账") == "negative"
    assert cue("报销等了两周才到账", "waiting").text == "等了两周"


def test_nobody_answering_is_a_complaint():
    assert polarity("问了三次也没人回复") == "negative"
    assert cue("问了三次也没人回复", "missing")


def test_a_hedged_unknown_word_is_a_mild_complaint():
    assert polarity("培训时间有点长") == "negative"
    assert cue("培训时间有点长", "hedged").weight == pytest.approx(-0.5)


def test_almost_two_hours_is_no_praise_of_speed():
    assert polarity("快两个小时了还没审批") == "negative"
    assert all(c.kind != "positive" for c in explain("快两个小时了还没审批").cues)


def test_weak_evidence_in_a_concession_decides_nothing():
    assert polarity("虽然有点别扭") == "neutral"
