"""Realistic Chinese comments for the demo, grouped by the complaint a change manager would recognise.

Each theme has several openings, details and endings that are combined at random, so the demo has
hundreds of distinct comments per quarter with the typos-free but varied wording of real employees.
"""

import random
from typing import TypedDict


class DemoTheme(TypedDict):
    weight: int  # how often the theme is drawn, relative to the others
    openings: list[str]
    details: list[str]
    endings: list[str]  # "" for a comment without an ending


THEMES: dict[str, DemoTheme] = {
    "approval": {
        "weight": 9,
        "openings": [
            "审批流程太长了",
            "审批环节太多",
            "一个报销要走五六个审批节点",
            "审批流转太慢",
            "请假审批要等好几天",
            "采购审批层级太多",
        ],
        "details": [
            "领导出差时根本没人批",
            "经常卡在某个领导那里",
            "比以前纸质签字还慢",
            "急事只能打电话催",
            "驳回了也不说原因",
            "手机上看不清附件就不敢批",
        ],
        "endings": ["希望能简化审批流程", "建议设置超时自动提醒", "能不能允许代批", "建议小额报销直接免审", ""],
    },
    "attendance": {
        "weight": 8,
        "openings": [
            "考勤打卡定位不准",
            "门店里打卡经常定位失败",
            "早上打卡总是提示不在范围内",
            "外勤打卡定位偏差很大",
            "考勤打卡老是失败",
        ],
        "details": [
            "明明人在店里却显示在外面",
            "地下仓库完全没信号",
            "换了手机后一直打不上卡",
            "被算成迟到还要走补卡流程",
            "每个月都要补好几次卡",
        ],
        "endings": ["希望扩大打卡范围", "能不能加上WiFi打卡", "补卡流程太麻烦了", ""],
    },
    "messages": {
        "weight": 7,
        "openings": ["消息太多被打扰", "群消息太多了", "下班后还一直收到DING", "各种通知刷屏", "每天几百条未读消息"],
        "details": [
            "重要的通知反而被淹没",
            "周末也在@所有人",
            "领导半夜发DING很焦虑",
            "很多群和工作无关",
            "根本看不过来",
        ],
        "endings": ["希望规范下班后的消息", "建议少用@所有人", "能不能设置免打扰时段", ""],
    },
    "training": {
        "weight": 6,
        "openings": ["培训不够", "培训太少了", "上线前的培训太仓促", "没有人教怎么用", "培训视频太长听不懂"],
        "details": [
            "年纪大的同事完全不会用",
            "新功能上线也不通知怎么用",
            "门店员工根本没时间参加培训",
            "遇到问题不知道找谁",
            "操作手册找不到",
        ],
        "endings": ["希望有手把手的现场培训", "建议做几分钟的短视频教程", "希望每个门店有一个指导员", ""],
    },
    "reports": {
        "weight": 5,
        "openings": ["日志汇报太形式主义", "每天写日报浪费时间", "日报周报重复填写", "汇报模板太复杂"],
        "details": ["写了也没人看", "和口头汇报内容重复", "下班前还要花半小时写日志", "字数要求没有意义"],
        "endings": ["建议改成周报", "希望简化日志模板", "能不能只在有问题时汇报", ""],
    },
    "performance": {
        "weight": 4,
        "openings": ["手机上系统很卡", "打开很慢", "系统经常闪退", "旧手机用起来特别卡"],
        "details": ["高峰时段根本打不开", "上传照片要等很久", "耗电太快", "占用手机内存太大"],
        "endings": ["希望优化一下速度", "建议出一个精简版", ""],
    },
    "drive": {
        "weight": 3,
        "openings": ["钉盘里的文件找不到", "文档权限太乱", "共享文件夹太混乱"],
        "details": ["不知道最新版本是哪个", "经常没有权限打开", "搜索功能搜不到"],
        "endings": ["希望统一文件目录", "建议定期清理", ""],
    },
}
POSITIVE = [
    "整体挺方便的，审批比以前快多了",
    "打卡比以前方便，不用排队了",
    "手机上就能处理工作，很方便",
    "培训老师很耐心，谢谢",
    "用习惯了觉得还不错",
    "消息集中在一个地方，比以前好找",
]
NON_ANSWERS = ["无", "没有", "暂无", "没意见", "挺好的", "还行", "/", "。。。", "无。", "没有了", "👍", "好"]


def demo_comment(rng: random.Random, negativity: float = 0.8, theme_weights: dict | None = None) -> str:
    """One comment: mostly a complaint from a weighted theme, sometimes praise or a non-answer."""
    roll = rng.random()
    if roll < 0.12:
        return rng.choice(NON_ANSWERS)
    if roll > 0.12 + negativity * 0.88:
        return rng.choice(POSITIVE)
    weights = theme_weights or {name: theme["weight"] for name, theme in THEMES.items()}
    name = rng.choices(list(weights), list(weights.values()))[0]
    theme = THEMES[name]
    parts = [rng.choice(theme["openings"]), rng.choice(theme["details"])]
    ending = rng.choice(theme["endings"])
    if ending:
        parts.append(ending)
    return "，".join(parts) + rng.choice(["。", "！", "", "。。"])
