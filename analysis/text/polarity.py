"""Comment polarity (negative / neutral / positive) by explainable lexicon rules.

A comment is cut into clauses (punctuation, and contrast words such as "但是", "不过", "却"). In each
clause, lexicon words are found longest first and weighted:
- negation within the three characters before a word flips it ("不方便" stays one negative word,
  "不太好用" and "没有问题" flip), a negated complaint counts half ("不慢" is mild praise);
- degree words scale it ("太慢" 1.5×, "有点慢" 0.8×);
- contrast: the clause after "但是/不过/可是/却/只是…" counts 1.5× and what came before it half,
  a "虽然/尽管" clause counts half;
- a request ("能不能…", "可不可以…", "希望…", "建议…") means the wished-for state is missing: its
  words all count as complaints ("希望快一点", "希望少发DING消息"), and the request itself is one;
- a rhetorical question ("难道…", "为什么…", "凭什么…", "怎么这么…", "不是…吗"), recurrence
  ("老是…", "总是…", "每次都…") and waiting ("等了两个小时", "审批等了三天") are complaints.
The sign of the sum decides; a sum within ±0.3 of zero is neutral. `explain` returns the decision with every cue that
produced it (the results page shows why a comment counts as negative). The rules were developed on
one seeded half of the waimai reviews and are measured on the other half and on the shopping
reviews by benchmarks/polarity_quality.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.text.parallel import Workers, lower_priority, start_in_workers


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NEGATIVE = {  # weight: words
    1: _words(
        "慢 太慢 很慢 好久 太久 半天 迟迟 延迟 超时 晚到 送晚 迟到 卡 卡顿 掉线 打不开 登不上 登录不了 用不了 打不通 没人接 不准 不灵 失灵 失败 错误 出错 报错 bug 丢失 丢了 "
        "耗电 发热 发烫 麻烦 繁琐 复杂 不方便 不实用 折腾 重复 混乱 看不懂 找不到 不清楚 搞不懂 不知道怎么 无法 不能 没法 没办法 不了 不会用 浪费 耽误 白费 太多 太长 太少 不够 不足 "
        "缺 少 漏 烦 烦人 头疼 头痛 焦虑 压力 累 困扰 打扰 骚扰 难受 不满 抱怨 郁闷 呵呵 醉了 唉 坑 居然 竟然 根本 简直 几乎没有 没用 饿死 没味 没有味道 就好了 饿晕 不如 不一致 "
        "不对 不合 不合理 吐了 腥 多余 三思 谨慎 忘了 忘送 忘拿 忘记 忘带 晚送 没带 还没 还没有 变形 压扁 坨了 化了 吃不饱 咬不动 太重 太硬 太小 太油 不合适 差 难看 不好 不行 "
        "不值 不值得 一般 一般般 凑合 不理 不回 问题 毛病 坏 坏了 破 脏 假 贵 太贵 冷 凉 凉了 咸 太咸 淡 油腻 腻 硬 生的 糊 苦 洒 撒了 错了 没给 没有给 不送 退 退货 退款 "
        "扣钱 罚 罚款 不再"
    ),
    2: _words(
        "慢死 闪退 死机 崩溃 难用 不好用 形式主义 走形式 多此一举 烦死 失望 不满意 投诉 生气 气死 无语 崩溃了 后悔 受不了 不能忍 忍无可忍 毛用 恶劣 心塞 等死 没有送 木有送 没有配送 "
        "拉肚子 坑人 骗 欺骗 忽悠 很差 太差 极差 差劲 差评 垃圾 糟糕 恶心 难吃 难喝 不新鲜 不卫生 敷衍 态度差 不耐烦 没熟 送错 少送 漏送 没送 不会再 最后一次 下次不 别点 别买 慎点"
    ),
    3: _words("再也不"),
}
POSITIVE = {  # weight: words
    0.5: _words("还行 还可以 可以 还好"),
    1: _words(
        "好 很好 挺好 真好 好用 方便 便捷 快捷 快 很快 及时 准时 迅速 高效 省事 省时 省心 实用 简单 清楚 清晰 准确 稳定 顺畅 流畅 顺利 喜欢 不错 棒 赞 优秀 给力 靠谱 贴心 耐心 "
        "热情 周到 细心 客气 礼貌 辛苦 谢谢 感谢 点赞 推荐 惊喜 nice 不差 好吃 美味 很香 挺香 真香 好香 新鲜 干净 划算 实惠 便宜 值 量大 量足 分量足 入味 可口 舒服 好喝 正宗 "
        "下次还 还会 一如既往 好看 到位 认真 负责 良心 加油 支持 帮助 有用 改善 进步"
    ),
    2: _words("满意 完美 好评 超赞 物美价廉 没话说 神速"),
}
DEGREE = {  # scale: degree words
    0.8: _words("有点 有点儿 有些 稍微 略"),
    1.0: _words("挺 比较"),
    1.2: _words("很"),
    1.5: _words("太 非常 特别 超级 超 极其 极 十分 实在 真 巨 贼 好"),
}
NEGATOR = re.compile(r"不|没|木有|无(?!论)|(?<!特|区|分|告|级|类|性|个)别|未|(?<!除|莫)非(?!常)|莫|勿")
STARTS_NEGATED = re.compile(r"(?:不|没|无|别|未|非)")
# words that contain a lexicon word but say nothing about it ("方便面", "鱼香肉丝", "不好意思"): matched, then ignored
MASKED = _words(
    "不好意思 方便面 鱼香 香菇 香肠 香锅 酱香 香辣 五香 香菜 好多 好几 好像 只好 正好 刚好 好不容易 大冷天 能不能 可不可以 不能不 问题是 没问题 可以吗 快递 快餐 赶快 尽快 不管 "
    "不少 差不多 差点 多少 少不了 卡片 卡号 信用卡 打卡 不过 不同 不用 一般来说 好意思"
)
# 快 as "almost" ("快两个小时", "都快成夜宵了") is no praise
NOT_AFTER = {
    "快": re.compile(r"[\d一二两三四五六七八九十半成要到没饿]"),
    "很快": re.compile(r"[\d一二两三四五六七八九十半成要到]"),
}
CONTRAST = re.compile(r"(但是|但|可是|不过|然而|只是|就是|却|可惜)")
CONCESSION = re.compile(r"虽然|虽说|虽|尽管")
CLAUSE = re.compile(r"[^,，。.!！?？;；~～…\s]+[,，。.!！?？;；~～…\s]*")
REQUEST = re.compile(
    r"能不能|可不可以|能否|可否|是否可以|建议|"
    r"希望(?!.*(?:继续|保持|越来越|更好|再接再厉|一如既往|下次也|以后也|还是这么|也这么|一直这么|加油))"
)
QUESTION = re.compile(
    r"难道|凭什么|为什么|为啥|怎么(?:能|会|可以|可能|还|又|这么|那么|回事|搞的)|什么(?:鬼|玩意)|"
    r"有没有搞错|搞什么|还能.{0,8}[吗么]|不是.{0,8}[吗么]|还叫.{0,6}[吗么]|好意思[吗么]"
)
RECURRING = re.compile(r"老是|总是|动不动|三天两头|每次都|一再|反复|又要|又是|一次不如一次")
# "太X", "不太X", "有点X" with an X the lexicon does not know ("太频繁", "不太合理", "有点生"): a complaint,
# counted only where no lexicon word of the clause already says it
PRAISE_AFTER_TOO = (
    "好|棒|赞|爽|感谢|谢谢|方便|快|给力|喜欢|满意|实用|贴心|值|美味|香|好吃|划算|实惠|便宜|新鲜|干净|帅|周到|客气"
)
HEDGED = re.compile(rf"(?:(?<!不)太(?!太|{PRAISE_AFTER_TOO})|不太|不是很|不怎么|有点儿?|有些|偏)[\u4e00-\u9fff]")
WAITING = re.compile(
    r"(?:等|送|花|拖)了?(?:将近|快|足足|整整|差不多)?(?:一|两|二|三|四|五|六|七|八|九|十|半|几|好几|\d+)"
    r"个?多?半?(?:小时|钟头|天|周|星期|分钟)|(?:\d+|[一二两三四五六七八九十]+)点[多半]?才|才送到|才到"
)
MISSING = re.compile(
    r"(?:没|木|没有)(?:有)?(?:给|带|送|放|配)?(?:筷子|勺子|餐具|吸管|发票|米饭|人|回复|反馈|下文|效果|结果)"
)
PATTERN_CUES = (
    ("request", REQUEST, -1.0),
    ("question", QUESTION, -1.5),
    ("recurring", RECURRING, -1.0),
    ("waiting", WAITING, -1.0),
    ("missing", MISSING, -1.0),
)

MARGIN = 0.3  # weaker evidence than this (one hedge inside a concession) decides nothing
SIGN = {
    **{word: -float(weight) for weight, words in NEGATIVE.items() for word in words},
    **{word: float(weight) for weight, words in POSITIVE.items() for word in words},
    **dict.fromkeys(MASKED, 0.0),
}
WORDS = re.compile("|".join(re.escape(word) for word in sorted(SIGN, key=len, reverse=True)))
DEGREE_SCALE = {word: scale for scale, words in DEGREE.items() for word in words}
DEGREE_AT_END = re.compile(rf"(?:{'|'.join(map(re.escape, sorted(DEGREE_SCALE, key=len, reverse=True)))})\Z")


@dataclass(frozen=True)
class Cue:
    """One piece of evidence: the words of the comment, what they are, and what they added to the score."""

    text: str
    kind: str  # negative, positive, request, question, recurring, waiting, missing, hedged
    weight: float
    modifiers: tuple[str, ...] = ()  # e.g. "negated:不", "degree:太", "contrast:但是", "wished:希望"


@dataclass(frozen=True)
class PolarityDecision:
    label: str  # negative, neutral, positive
    score: float
    cues: tuple[Cue, ...]


def _clauses(text: str) -> list[tuple[str, float, str | None]]:
    """(clause, weight, contrast word) with contrast and concession applied."""
    pieces: list[tuple[str, str | None]] = []
    for clause in CLAUSE.findall(text) or [text]:
        parts = CONTRAST.split(clause)
        if parts[0].strip():
            pieces.append((parts[0], None))
        for i in range(1, len(parts) - 1, 2):
            pieces.append((parts[i + 1], parts[i]))
    weights: list[float] = []
    for clause, marker in pieces:
        if marker is not None:
            weights = [earlier * 0.5 for earlier in weights]
        weight = 1.5 if marker is not None else 1.0
        if CONCESSION.search(clause):
            weight *= 0.5
        weights.append(weight)
    return [(clause, weight, marker) for (clause, marker), weight in zip(pieces, weights)]


def _modifier_before(clause: str, start: int, floor: int) -> tuple[str | None, float, str | None]:
    """The negator and the degree word in the (up to) three characters before a word."""
    window = clause[max(floor, start - 3) : start]
    negator = NEGATOR.search(window)
    ending = DEGREE_AT_END.search(window)  # the leftmost start that reaches the end: the longest degree word
    degree = ending.group() if ending else None
    return negator.group() if negator else None, DEGREE_SCALE[degree] if degree is not None else 1.0, degree


def _word_cues(clause: str, weight: float, marker: str | None, wished: str | None) -> list[Cue]:
    found = list(WORDS.finditer(clause))
    cues, previous_end = [], 0
    for index, match in enumerate(found):
        word, value = match.group(), SIGN[match.group()]
        following = found[index + 1] if index + 1 < len(found) else None
        after = NOT_AFTER.get(word)
        if value == 0 or (after and after.match(clause, match.end())):
            previous_end = match.end()
            continue
        if word == "好" and following is not None and following.start() == match.end():
            previous_end = match.end()  # "好慢", "好难吃": 好 is a degree word there
            continue
        negator, scale, degree = _modifier_before(clause, match.start(), previous_end)
        modifiers = [f"degree:{degree}"] if degree else []
        if wished:
            value, modifiers = -abs(value), [*modifiers, f"wished:{wished}"]
        elif negator and not STARTS_NEGATED.match(word):
            value = -value if value > 0 else -0.5 * value
            modifiers.append(f"negated:{negator}")
        if marker:
            modifiers.append(f"contrast:{marker}")
        cues.append(Cue(word, "positive" if value > 0 else "negative", value * scale * weight, tuple(modifiers)))
        previous_end = match.end()
    return cues


def explain(normalised_text: str) -> PolarityDecision:
    """The polarity of a normalised comment and the cues that decided it."""
    cues: list[Cue] = []
    for clause, weight, marker in _clauses(normalised_text):
        request = REQUEST.search(clause)
        clause_cues = []
        for kind, pattern, value in PATTERN_CUES:
            found = pattern.search(clause)
            if found:
                clause_cues.append(Cue(found.group(), kind, value * weight))
        words = _word_cues(clause, weight, marker, request.group() if request else None)
        hedged = HEDGED.search(clause)
        if hedged and not words:
            clause_cues.append(Cue(hedged.group(), "hedged", -0.5 * weight))
        if any(c.kind == "recurring" for c in clause_cues) and words and all(c.weight > 0 for c in words):
            clause_cues = [c for c in clause_cues if c.kind != "recurring"]  # "总是很快": praise, not a complaint
        cues.extend(clause_cues + words)
    score = round(sum(c.weight for c in cues), 6)
    label = "negative" if score <= -MARGIN else "positive" if score >= MARGIN else "neutral"
    return PolarityDecision(label, score, tuple(cues))


def polarity(normalised_text: str) -> str:
    return explain(normalised_text).label


def start_polarities(normalised_texts: Sequence[str], workers: int | None = None) -> Workers[str, str]:
    """`polarity` of every text (`result()`), large batches split over worker processes started while the caller
    goes on (the lexicon is pure Python), at a lower priority: a theme run vectorises and chooses k meanwhile
    and wants the polarities only for its labels."""
    return start_in_workers(_polarities, normalised_texts, workers, initializer=lower_priority, initarg=10)


def _polarities(normalised_texts: list[str]) -> list[str]:
    return [polarity(text) for text in normalised_texts]
