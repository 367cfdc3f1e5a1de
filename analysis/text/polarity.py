"""Comment polarity (negative / neutral / positive) from a small complaint-oriented lexicon.

Negation within the two preceding characters flips a word ("不方便" is negative, "不难" positive);
measured on the waimai reviews by benchmarks/polarity_quality.py.
"""

from __future__ import annotations

import re

NEGATIVE = [
    "太慢",
    "慢",
    "卡",
    "卡顿",
    "闪退",
    "麻烦",
    "繁琐",
    "复杂",
    "难用",
    "不好用",
    "不方便",
    "不准",
    "失败",
    "错误",
    "问题",
    "困扰",
    "烦",
    "烦人",
    "打扰",
    "骚扰",
    "累",
    "浪费",
    "差",
    "很差",
    "太差",
    "垃圾",
    "难",
    "难受",
    "失望",
    "不满",
    "抱怨",
    "投诉",
    "头疼",
    "焦虑",
    "压力",
    "无法",
    "不能",
    "不了",
    "没法",
    "找不到",
    "看不懂",
    "不会",
    "bug",
    "延迟",
    "等太久",
    "等了",
    "超时",
    "冷",
    "凉",
    "少",
    "贵",
    "坑",
    "退",
    "退货",
    "退款",
    "破",
    "坏",
    "脏",
    "假",
    "糟糕",
    "恶心",
    "难吃",
    "难看",
    "不值",
    "后悔",
    "生气",
    "郁闷",
    "无语",
    "不行",
    "不够",
    "不足",
    "不清楚",
    "混乱",
    "重复",
    "形式主义",
    "折腾",
    "太多",
    "太长",
    "太久",
    "耗电",
    "死机",
    "丢失",
    "漏",
    "迟到",
    "扣钱",
    "罚",
    "差劲",
    "敷衍",
    "态度",
    "慢死",
]
POSITIVE = [
    "好",
    "很好",
    "好用",
    "方便",
    "快",
    "快捷",
    "便捷",
    "满意",
    "喜欢",
    "不错",
    "棒",
    "赞",
    "优秀",
    "清楚",
    "简单",
    "高效",
    "省事",
    "省时",
    "实用",
    "贴心",
    "耐心",
    "及时",
    "准时",
    "好吃",
    "美味",
    "新鲜",
    "干净",
    "划算",
    "值",
    "推荐",
    "谢谢",
    "感谢",
    "舒服",
    "顺畅",
    "流畅",
    "给力",
    "完美",
    "超赞",
    "惊喜",
    "点赞",
    "nice",
    "挺好",
    "还好",
    "准确",
    "稳定",
]
NEGATIONS = ("不", "没", "无", "别", "未", "非")


SIGN = {**dict.fromkeys(NEGATIVE, -1), **dict.fromkeys(POSITIVE, 1)}
WORDS = re.compile("|".join(re.escape(word) for word in sorted(SIGN, key=len, reverse=True)))


def _score(text: str) -> int:
    """Sum of word signs, longest words first (so "不好用" is one negative word, not "好用" flipped)."""
    score = 0
    for found in WORDS.finditer(text):
        word = found.group()
        before = text[max(0, found.start() - 2) : found.start()]
        negated = any(n in before for n in NEGATIONS) and not word.startswith(NEGATIONS)
        score += -SIGN[word] if negated else SIGN[word]
    return score


def polarity(normalised_text: str) -> str:
    score = _score(normalised_text)
    if score < 0:
        return "negative"
    if score > 0:
        return "positive"
    return "neutral"
