"""Theme labels people can read: a short phrase from the theme's own comments, never joined keywords."""

import random

from analysis.text.label import clean_clause, theme_label
from app.demo_comments import demo_comment

REPORTS = [
    "我觉得汇报模板太复杂了，每周都要填",
    "汇报模板太复杂，字段太多",
    "周报的汇报模板太复杂了",
    "每周汇报要填的模板太长",
    "汇报模板能不能简化一下",
]
ATTENDANCE = [
    "考勤打卡定位不准，明明人在店里",
    "打卡定位不准",
    "早上打卡总是定位失败",
    "打卡定位不准啊！",
    "外勤打卡定位偏差很大",
]


def test_the_label_is_the_central_clause_that_carries_the_keywords():
    assert theme_label(REPORTS, ["模板", "汇报", "复杂", "每周"]) == "汇报模板太复杂"
    assert theme_label(ATTENDANCE, ["打卡", "定位", "不准", "失败"]) == "打卡定位不准"


def test_a_clause_every_comment_shares_loses_to_the_one_with_the_keywords():
    texts = [
        "不知道为什么，报销要等很久才到账",
        "不知道为什么，报销到账很慢",
        "不知道为什么，报销单据到账太慢",
        "报销到账太慢了",
    ]
    assert theme_label(texts, ["报销", "到账", "慢"]) == "报销到账太慢"


def test_fillers_and_trailing_particles_are_cleaned():
    assert clean_clause("我觉得汇报模板太复杂了") == "汇报模板太复杂"
    assert clean_clause("希望少发DING消息啊") == "少发DING消息"
    assert clean_clause("希望能简化审批流程") == "简化审批流程"  # not "能简化审批流程"
    assert clean_clause("能不能少开几个会") == "少开几个会"
    assert clean_clause("能用") == "能用"  # a bare 能 is not a request's auxiliary


def test_a_negative_ending_is_kept():
    assert clean_clause("系统老是用不了") == "系统老是用不了"


def test_the_label_is_a_phrase_of_the_comments_not_joined_keywords():
    label = theme_label(ATTENDANCE, ["打卡", "定位", "不准"])
    assert "、" not in label
    assert any(label in text for text in ATTENDANCE)


def test_a_long_clause_is_cut_around_its_keywords_to_at_most_fourteen_characters():
    texts = ["每次出差回来以后在系统里提交报销单据都要等财务审核很久才能到账"] * 3
    label = theme_label(texts, ["报销", "财务", "审核"])
    assert 4 <= len(label) <= 14
    assert "报销" in label


def test_labels_of_generated_demo_themes_are_phrases_of_four_to_fourteen_characters():
    rng = random.Random(3)
    texts = [demo_comment(rng, negativity=1.0) for _ in range(60)]
    label = theme_label(texts, ["审批", "打卡", "消息"])
    assert 4 <= len(label) <= 14
    assert any(label in text for text in texts)


def test_a_theme_without_text_has_no_label():
    assert theme_label([], ["审批"]) == ""
    assert theme_label(["。。。", "!!"], ["审批"]) == ""
