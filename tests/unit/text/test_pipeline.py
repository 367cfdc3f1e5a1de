"""The theme pipeline on hand-written workplace complaints and on the robustness cases."""

import random

import pytest

from analysis.text import Comment, ThemePipeline
from analysis.text.nonanswers import is_non_answer
from analysis.text.normalise import name_pattern, normalise
from analysis.text.polarity import polarity
from analysis.text.tokenise import Tokeniser, dictionary_version
from app.demo_comments import demo_comment


def comments_from(texts, role="employee"):
    return [Comment(str(i), f"r{i}", text, role=role, department="总部/华东区") for i, text in enumerate(texts)]


def demo_texts(count, seed=1):
    rng = random.Random(seed)
    return [demo_comment(rng, negativity=1.0) for _ in range(count)]


def test_normalise_full_width_zero_width_case_and_placeholders():
    text = "ＡＢＣ\u200b审批!!!!看 http://x.cn/a 或 li@corp.cn 电话13812345678，找王小明"
    result = normalise(text, name_pattern(["王小明"]))
    assert result == "abc审批!看 〈链接〉 或 〈邮箱〉 电话〈电话〉,找〈姓名〉"


def test_traditional_text_is_simplified_for_analysis():
    assert normalise("審批流程太長了，還要等", simplify=True) == "审批流程太长了,还要等"


@pytest.mark.parametrize(
    "text", ["无", "没有", "暂无", "没意见", "挺好的", "还行", "/", "。。。", "😀😀", "👍", "", "  ", "a", "好"]
)
def test_non_answers_are_recognised(text):
    assert is_non_answer(normalise(text))


@pytest.mark.parametrize("text", ["审批太慢", "打卡定位不准", "希望少发DING消息", "培训不够"])
def test_real_answers_are_kept(text):
    assert not is_non_answer(normalise(text))


def test_tokeniser_uses_the_domain_dictionary_and_drops_stop_words():
    tokens = Tokeniser().tokens(normalise("钉盘里的文件找不到，审批流太长了"))
    assert "钉盘" in tokens and "审批流" in tokens
    assert "的" not in tokens and "了" not in tokens


def test_dictionary_version_follows_admin_terms():
    assert dictionary_version(["宜搭应用"]) != dictionary_version()


def test_polarity_of_complaints_and_praise():
    assert polarity("审批太慢了，很麻烦") == "negative"
    assert polarity("打卡很方便，好用") == "positive"
    assert polarity("不方便") == "negative"
    assert polarity("今天开会") == "neutral"


def test_recurring_complaints_become_themes_with_keywords_and_quotes():
    result = ThemePipeline(random_state=0, workers=1).fit(comments_from(demo_texts(300))).result_
    themes = [t for t in result.themes if not t.is_other]
    assert 3 <= len(themes) <= 15
    keywords = {word for theme in themes for word in theme.keywords}
    assert {"审批", "打卡"} & keywords
    for theme in themes:
        assert 1 <= len(theme.keywords) <= 10 and len(theme.representatives) <= 3
        assert len(set(theme.representatives)) == len(theme.representatives)
        assert theme.size == len(theme.members) and 0 <= theme.cohesion <= 1


def test_same_seed_gives_the_same_themes():
    texts = demo_texts(150, seed=3)
    first = ThemePipeline(random_state=7, workers=1).fit(comments_from(texts)).result_
    second = ThemePipeline(random_state=7, workers=1).fit(comments_from(texts)).result_
    assert [(t.label, t.members) for t in first.themes] == [(t.label, t.members) for t in second.themes]


def test_names_never_become_keywords():
    names = ["张伟", "李娜"]
    texts = [f"{names[i % 2]}说审批流程太长了，每次都卡住" for i in range(40)] + demo_texts(60)
    result = ThemePipeline(random_state=0, names=names, workers=1).fit(comments_from(texts)).result_
    words = {w for t in result.themes for w in t.keywords} | {t.label for t in result.themes}
    assert not any(name in word for name in names for word in words)


@pytest.mark.parametrize("texts", [[], ["审批太慢"], ["审批太慢", "打卡不准"], ["无", "😀", "a", ""], demo_texts(9)])
def test_tiny_and_empty_inputs_do_not_fail(texts):
    result = ThemePipeline(random_state=0, workers=1).fit(comments_from(texts)).result_
    assert sum(t.size for t in result.themes) + len(result.non_answers) == len(texts)


def test_five_hundred_identical_comments():
    result = ThemePipeline(random_state=0, workers=1).fit(comments_from(["审批流程太长了"] * 500)).result_
    assert sum(t.size for t in result.themes) == 500


def test_a_100_kb_comment_and_mixed_scripts():
    texts = demo_texts(40) + ["審批流程太長了 approval is too slow " * 3000, "OA系統很卡 the app is slow"]
    result = ThemePipeline(random_state=0, workers=1).fit(comments_from(texts)).result_
    assert sum(t.size for t in result.themes) + len(result.non_answers) == len(texts)


def test_breakdown_only_shows_cells_with_k_text_respondents():
    comments = comments_from(demo_texts(60))
    for c in comments[:3]:
        c.role = "executive"
    result = ThemePipeline(random_state=0, k_text=10, workers=1).fit(comments).result_
    for theme in result.themes:
        assert all(count >= 10 for count in theme.breakdown["role"].values())
        assert "executive" not in theme.breakdown["role"]


def test_cached_tokens_are_used_instead_of_tokenising_again():
    comments = comments_from(demo_texts(30))
    first = ThemePipeline(random_state=0, workers=1).fit(comments).result_
    for comment, tokens in zip(comments, first.tokens):
        comment.tokens = tokens
    second = ThemePipeline(random_state=0, workers=1).fit(comments).result_
    assert second.newly_tokenised == [] and len(first.newly_tokenised) > 0


def test_theme_labels_are_phrases_taken_from_the_themes_own_comments():
    texts = demo_texts(160)
    result = ThemePipeline(random_state=0).fit(comments_from(texts)).result_
    themes = [t for t in result.themes if not t.is_other]
    assert themes
    for theme in themes:
        assert "、" not in theme.label and 2 <= len(theme.label) <= 14, theme.label
        assert any(theme.label in normalise(texts[i]) for i in theme.members), theme.label
